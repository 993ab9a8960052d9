//! Deadlines that run past the calendar's known years (the built-in calendar ends with 2026, and
//! the State Council publishes the 2027 放假安排 around December): a change of duties (第八条) or a
//! share application (第十二条) recorded in late December is accepted with a provisional deadline
//! counted Monday to Friday, and the platform's watch sets the exact one once the calendar is
//! extended, before it judges what is overdue.

use std::sync::Arc;

use domain::calendar::{Deadline, WorkCalendar};
use domain::currency::ChangeKind;
use domain::sharing::{ApplicationStatus, ApplicationTerms, Period};
use service::currency::{self, ChangeInput};
use service::deadlines::{self, MovedDeadline};
use service::{Services, sharing};
use store::model::{Application, AuditEvent, DeadlineOf};

use crate::sharing::{Setup, setup, terms};
use crate::world::*;

/// What loading the 2027 notice with `--calendar` adds: New Year's Day is a holiday.
const NOTICE_2027: &str = "date,kind,name,source\n2027-01-01,holiday,元旦,测试用放假安排\n";

/// The same platform after a restart with next year's notice loaded.
fn with_2027(svc: &Services) -> Services {
    let mut cal = WorkCalendar::builtin();
    cal.extend(WorkCalendar::from_csv(NOTICE_2027).unwrap()).unwrap();
    Services { calendar: Arc::new(cal), ..svc.clone() }
}

async fn recomputed(w: &World) -> Vec<AuditEvent> {
    w.audit().await.into_iter().filter(|e| e.action == "deadline.recompute").collect()
}

#[tokio::test]
async fn a_currency_window_past_the_calendar_is_provisional_until_the_calendar_grows() {
    let w = World::new().await;
    w.at(cst(2026, 9, 21, 10, 0));
    let r1 = w.published(&w.editor_a, &w.approver_a, spec("治安处罚信息", CAT_A)).await;
    let change = |effective| ChangeInput {
        department_id: None,
        kind: ChangeKind::DutyChange,
        description: "机构改革，部分职能划入市场监管局".into(),
        effective_date: effective,
        resource_ids: vec![r1.id],
    };

    // Recorded on the day, not refused: 2026-12-21..25, 28..31 (9), then 2027 counted Monday to
    // Friday: 01-01, 01-04..08 (15).
    w.at(cst(2026, 12, 21, 10, 0));
    let late = currency::record_change(&w.svc, &w.editor_a, change(date(2026, 12, 20))).await.unwrap();
    assert_eq!((late.change.deadline, late.change.deadline_provisional), (date(2027, 1, 8), true));
    assert_eq!(late.working_days_left, None, "unknown rather than wrong");
    let recorded = w.audit().await.into_iter().rfind(|e| e.action == "currency.record").unwrap();
    assert_eq!(recorded.detail["deadline_provisional"], true);
    // A window that ends within 2026 is exact.
    let early = currency::record_change(&w.svc, &w.editor_a, change(date(2026, 12, 10))).await.unwrap();
    assert_eq!((early.change.deadline, early.change.deadline_provisional), (date(2026, 12, 31), false));

    // On the same calendar nothing moves.
    assert!(deadlines::recompute_provisional(&w.svc).await.unwrap().is_empty());
    assert!(recomputed(&w).await.is_empty());

    // With the 2027 notice, 01-01 is a holiday: the 15th working day is Monday 01-11.
    let svc = with_2027(&w.svc);
    let moved = deadlines::recompute_provisional(&svc).await.unwrap();
    let exact = Deadline { date: date(2027, 1, 11), provisional: false };
    assert_eq!(
        moved,
        [MovedDeadline { of: DeadlineOf::DutyChange, id: late.change.id, from: date(2027, 1, 8), to: exact }]
    );
    let list = currency::list(&svc, &w.editor_a, None).await.unwrap();
    let now = list.iter().find(|c| c.change.id == late.change.id).unwrap();
    assert_eq!((now.change.deadline, now.change.deadline_provisional), (date(2027, 1, 11), false));
    // 12-22..25, 28..31, 2027-01-04..08, 01-11.
    assert_eq!(now.working_days_left, Some(14));
    let other = list.iter().find(|c| c.change.id == early.change.id).unwrap();
    assert_eq!(other.change.deadline, date(2026, 12, 31), "an exact deadline is left alone");

    // The move is on the record, once.
    let events = recomputed(&w).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!((e.object_type.as_str(), e.object_id.clone()), ("duty_change", Some(late.change.id.to_string())));
    assert_eq!((e.detail["from"].as_str(), e.detail["to"].as_str()), (Some("2027-01-08"), Some("2027-01-11")));
    assert_eq!(e.detail["provisional"], false);
    assert!(deadlines::recompute_provisional(&svc).await.unwrap().is_empty());
    assert_eq!(recomputed(&w).await.len(), 1);
}

/// The sharing setup, and an application submitted on 2026-12-21: its reply deadline (10
/// working days) falls in 2027, past the built-in calendar.
async fn applied_on_december_21() -> (Setup, Application) {
    let s = setup().await;
    s.w.at(cst(2026, 12, 21, 10, 0));
    let asked = ApplicationTerms { period: Period { from: date(2026, 12, 21), until: date(2027, 6, 30) }, ..terms() };
    let app = sharing::apply(&s.w.svc, &s.consumer_b, &s.r.code, asked).await.unwrap();
    (s, app)
}

#[tokio::test]
async fn a_provisional_reply_deadline_is_made_exact_before_the_watch_escalates() {
    let (s, app) = applied_on_december_21().await;
    let w = &s.w;
    // 12-22..25, 28..31 (8), then Monday to Friday: 2027-01-01, 01-04.
    assert_eq!((app.reply_due, app.due_provisional), (date(2027, 1, 4), true));

    // On 01-05 the old calendar would call it overdue; with the 2027 notice (01-01 off) the
    // deadline is 01-05, so the watch moves it and escalates nothing.
    let svc = with_2027(&w.svc);
    w.at(cst(2027, 1, 5, 9, 0));
    let watch = sharing::sweep(&svc).await.unwrap();
    let exact = Deadline { date: date(2027, 1, 5), provisional: false };
    assert_eq!(
        watch.deadlines,
        [MovedDeadline { of: DeadlineOf::Application, id: app.id, from: date(2027, 1, 4), to: exact }]
    );
    assert!(watch.escalated.is_empty(), "{watch:?}");
    let now = sharing::get(&svc, &w.coordinator, app.id).await.unwrap();
    assert_eq!(
        (now.reply_due, now.due_provisional, now.status),
        (date(2027, 1, 5), false, ApplicationStatus::Submitted)
    );
    assert_eq!(now.revision, app.revision, "moving the deadline is not a step of the application");

    // The next day it is overdue, by the exact deadline.
    w.at(cst(2027, 1, 6, 9, 0));
    let watch = sharing::sweep(&svc).await.unwrap();
    assert!(watch.deadlines.is_empty());
    assert_eq!(watch.escalated, [app.id]);
    let last = sharing::steps(&svc, &w.coordinator, app.id).await.unwrap().pop().unwrap();
    assert!(last.note.unwrap().contains("答复期限2027-01-05）"));
}

#[tokio::test]
async fn an_escalation_on_a_provisional_deadline_says_so() {
    let (s, app) = applied_on_december_21().await;
    let w = &s.w;
    // Nobody loaded the 2027 notice: the watch goes by the provisional deadline and the note
    // says it was provisional.
    w.at(cst(2027, 1, 5, 9, 0));
    let watch = sharing::sweep(&w.svc).await.unwrap();
    assert!(watch.deadlines.is_empty());
    assert_eq!(watch.escalated, [app.id]);
    let last = sharing::steps(&w.svc, &w.coordinator, app.id).await.unwrap().pop().unwrap();
    assert!(last.note.unwrap().contains("答复期限2027-01-04（暂定）"));
}

#[tokio::test]
async fn operators_are_warned_a_month_before_the_calendar_ends() {
    let w = World::new().await;
    w.at(cst(2026, 11, 30, 10, 0));
    assert_eq!(deadlines::calendar_warning(&w.svc), None);
    w.at(cst(2026, 12, 1, 10, 0));
    let warning = deadlines::calendar_warning(&w.svc).unwrap();
    assert!(warning.contains("工作日历只到2026年") && warning.contains("--calendar"), "{warning}");
    assert_eq!(deadlines::calendar_warning(&with_2027(&w.svc)), None);
}
