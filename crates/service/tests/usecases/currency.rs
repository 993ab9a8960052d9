//! Catalogue currency (国发〔2016〕51号 第八条): a law revision opens a window of 15 working days
//! on the platform's calendar; each affected entry is pending, met, late or overdue.

use domain::currency::{ChangeKind, CurrencyStatus};
use service::ServiceError;
use service::catalog;
use service::currency::{self, ChangeInput, CurrencyReport};
use store::model::Resource;

use crate::world::*;

fn law(department_id: Option<i64>, resource_ids: Vec<i64>, effective: chrono::NaiveDate) -> ChangeInput {
    ChangeInput {
        department_id,
        kind: ChangeKind::LawRevision,
        description: "《中华人民共和国治安管理处罚法》修订施行".into(),
        effective_date: effective,
        resource_ids,
    }
}

fn statuses(r: &CurrencyReport) -> Vec<(i64, CurrencyStatus)> {
    r.items.iter().map(|(i, s)| (i.resource_id, *s)).collect()
}

async fn revise(w: &World, r: &Resource, summary: &str) {
    let cur = w.resource(r.id).await;
    let mut s = cur.spec.clone();
    s.summary = summary.into();
    catalog::update(&w.svc, &w.editor_a, &cur.code, Some(cur.version), s).await.unwrap();
}

/// Two published entries of A and one of B, all published in September 2026.
async fn setup(w: &World) -> (Resource, Resource, Resource) {
    w.at(cst(2026, 9, 21, 10, 0));
    let r1 = w.published(&w.editor_a, &w.approver_a, spec("治安处罚信息", CAT_A)).await;
    let r2 = w.published(&w.editor_a, &w.approver_a, spec("治安调解信息", CAT_A)).await;
    let rb = w.published(&w.editor_b, &w.approver_b, spec("社会救助信息", CAT_B)).await;
    (r1, r2, rb)
}

#[tokio::test]
async fn the_window_spans_the_national_day_holiday_and_tracks_each_entry() {
    let w = World::new().await;
    let svc = &w.svc;
    let (r1, r2, rb) = setup(&w).await;
    // A draft of A, which an empty resource list does not pick up.
    catalog::create(svc, &w.editor_a, None, spec("草稿", CAT_A)).await.unwrap();

    // Recorded on Monday 09-28 for a law in force since Friday 09-25 (中秋节, a holiday).
    w.at(cst(2026, 9, 28, 10, 0));
    let rep = currency::record_change(svc, &w.editor_a, law(None, vec![r2.id, r1.id, r1.id], date(2026, 9, 25)))
        .await
        .unwrap();
    // 15 working days: 09-28..30, [国庆 10-01..07], 10-08, 10-09, 10-10 (调休 Saturday), 10-12..16, 10-19..22.
    assert_eq!(rep.change.deadline, date(2026, 10, 22));
    assert_eq!(rep.change.effective_date, date(2026, 9, 25));
    assert_eq!(rep.change.department_id, w.a.id);
    assert_eq!(rep.change.recorded_by, w.editor_a.user_id);
    assert_eq!(
        statuses(&rep),
        [(r1.id, CurrencyStatus::Pending), (r2.id, CurrencyStatus::Pending)],
        "sorted, deduplicated"
    );
    assert_eq!(rep.working_days_left, Some(14));

    // An entry of another department is refused, and nothing is recorded.
    let e = err(currency::record_change(svc, &w.editor_a, law(None, vec![r1.id, rb.id], date(2026, 9, 25))).await);
    assert_eq!(fields(&e), ["resource_ids[1]"]);
    let e = err(currency::record_change(svc, &w.editor_a, law(None, vec![424_242], date(2026, 9, 25))).await);
    assert_eq!(fields(&e), ["resource_ids[0]"]);
    // A consumer records nothing.
    let e = err(currency::record_change(svc, &w.consumer_a, law(None, vec![r1.id], date(2026, 9, 25))).await);
    assert!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");
    assert_eq!(currency::list(svc, &w.editor_a, None).await.unwrap().len(), 1);

    // An empty list means every published entry of the department (not its drafts).
    let all = currency::record_change(svc, &w.approver_a, law(None, vec![], date(2026, 9, 25))).await.unwrap();
    assert_eq!(statuses(&all).iter().map(|s| s.0).collect::<Vec<_>>(), [r1.id, r2.id]);

    // r1 is revised on the last day (afternoon in Beijing).
    w.at(cst(2026, 10, 22, 16, 0));
    revise(&w, &r1, "按修订后的治安管理处罚法更新").await;
    let list = currency::list(svc, &w.editor_a, None).await.unwrap();
    let first = list.iter().find(|c| c.change.id == rep.change.id).unwrap();
    assert_eq!(statuses(first), [(r1.id, CurrencyStatus::Met), (r2.id, CurrencyStatus::Pending)]);
    assert_eq!(first.items[0].0.updated_on, Some(date(2026, 10, 22)));
    assert_eq!(first.working_days_left, Some(0));

    // The next morning r2 is overdue; r1 stays met.
    w.at(cst(2026, 10, 23, 9, 0));
    let list = currency::list(svc, &w.editor_a, None).await.unwrap();
    let first = list.iter().find(|c| c.change.id == rep.change.id).unwrap();
    assert_eq!(statuses(first), [(r1.id, CurrencyStatus::Met), (r2.id, CurrencyStatus::Overdue)]);
    assert_eq!(first.working_days_left, Some(-1));
    // Revised late, it is late (not met).
    w.at(cst(2026, 10, 26, 9, 0));
    revise(&w, &r2, "逾期后更新").await;
    let list = currency::list(svc, &w.editor_a, None).await.unwrap();
    let first = list.iter().find(|c| c.change.id == rep.change.id).unwrap();
    assert_eq!(statuses(first), [(r1.id, CurrencyStatus::Met), (r2.id, CurrencyStatus::Late)]);

    // Who sees which windows.
    assert_eq!(currency::list(svc, &w.editor_b, None).await.unwrap().len(), 0, "B has none");
    let e = err(currency::list(svc, &w.editor_b, Some(w.a.id)).await);
    assert!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");
    assert_eq!(currency::list(svc, &w.coordinator, None).await.unwrap().len(), 2);
    assert_eq!(currency::list(svc, &w.auditor, Some(w.a.id)).await.unwrap().len(), 2);
}

/// Deadlines are dates in Beijing, so the day an entry was revised must be too: a revision at
/// 01:00 on the day after the deadline (17:00 UTC on the deadline day) is late.
#[tokio::test]
async fn revision_dates_are_counted_in_china_standard_time() {
    let w = World::new().await;
    let svc = &w.svc;
    let (r1, _, _) = setup(&w).await;
    w.at(cst(2026, 9, 28, 10, 0));
    let rep = currency::record_change(svc, &w.editor_a, law(None, vec![r1.id], date(2026, 9, 25))).await.unwrap();
    assert_eq!(rep.change.deadline, date(2026, 10, 22));
    w.at(cst(2026, 10, 23, 1, 0));
    revise(&w, &r1, "次日凌晨更新").await;
    let list = currency::list(svc, &w.editor_a, None).await.unwrap();
    let (item, status) = &list[0].items[0];
    assert_eq!(item.updated_on, Some(date(2026, 10, 23)), "updated_on must be the date in UTC+8");
    assert_eq!(*status, CurrencyStatus::Late);
}
