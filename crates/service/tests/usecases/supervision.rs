//! What the console's sharing pages and the coordinator's dashboard read
//! (`service::supervision`): the approver's inbox in deadline order with the working days left on
//! the holiday calendar, the coordinator's disputes, the per-department figures of supervision
//! (国发〔2016〕51号 第十八条), and the audit log's verification, each for its role only.

use service::supervision;

use crate::sharing::{setup, terms};
use crate::world::*;

#[tokio::test]
async fn inbox_disputes_and_department_figures() {
    let s = setup().await;
    let w = &s.w;
    // Tue 2026-03-03: due Tue 03-17, ten working days.
    let first = service::sharing::apply(&w.svc, &s.consumer_b, &s.r.code, terms()).await.unwrap();
    // Thu 2026-03-05: due Thu 03-19.
    w.at(cst(2026, 3, 5, 9, 0));
    let second = service::sharing::apply(&w.svc, &s.other_consumer_b, &s.r.code, terms()).await.unwrap();
    assert_eq!(second.reply_due, date(2026, 3, 19));

    // Only the provider's approver has an inbox; soonest deadline first, with working days left.
    let inbox = supervision::inbox(&w.svc, &w.approver_a).await.unwrap();
    assert_eq!(inbox.iter().map(|r| r.app.id).collect::<Vec<_>>(), vec![first.id, second.id]);
    assert_eq!(inbox[0].working_days_left, Some(8), "Thu 03-05 → Tue 03-17");
    assert_eq!(inbox[1].working_days_left, Some(10));
    assert_eq!((inbox[0].resource_name.as_str(), inbox[0].consumer_name.as_str()), ("常住人口信息", "示例市民政局"));
    assert!(!inbox[0].overdue);
    assert!(supervision::inbox(&w.svc, &w.approver_b).await.unwrap().is_empty(), "B provides nothing");
    assert_forbidden(supervision::inbox(&w.svc, &s.consumer_b).await, "a consumer has no inbox");

    // Past the first deadline: overdue, counted against department A on the dashboard.
    w.at(cst(2026, 3, 18, 9, 0));
    let inbox = supervision::inbox(&w.svc, &w.approver_a).await.unwrap();
    assert!(inbox[0].overdue && !inbox[1].overdue);
    assert_eq!(inbox[0].working_days_left, Some(-1));
    let figures = supervision::department_figures(&w.svc, &w.coordinator).await.unwrap();
    let a = figures.iter().find(|f| f.department_id == w.a.id).unwrap();
    assert_eq!((a.pending, a.overdue), (2, 1));
    assert_eq!(figures[0].department_id, w.a.id, "the department with something overdue comes first");
    let b = figures.iter().find(|f| f.department_id == w.b.id).unwrap();
    assert_eq!((b.pending, b.overdue), (0, 0));
    for who in [&w.approver_a, &s.consumer_b, &w.auditor] {
        assert_forbidden(supervision::department_figures(&w.svc, who).await, "supervision is the coordinator's");
    }

    // The platform escalates the overdue one: it reaches the coordinator's list, first.
    service::sharing::escalate_overdue(&w.svc).await.unwrap();
    let disputes = supervision::disputes(&w.svc, &w.coordinator).await.unwrap();
    assert_eq!(disputes.iter().map(|r| r.app.id).collect::<Vec<_>>(), vec![first.id]);
    assert_eq!(disputes[0].working_days_left, None, "no reply awaited from the provider any more");
    assert_forbidden(supervision::disputes(&w.svc, &w.approver_a).await, "rulings are the coordinator's");
}

#[tokio::test]
async fn the_audit_log_is_verified_for_auditors_only() {
    let s = setup().await;
    let w = &s.w;
    assert_eq!(supervision::last_audit_verification(&w.svc, &w.auditor).await.unwrap(), None, "never verified");
    let report = supervision::verify_audit(&w.svc, &w.auditor).await.unwrap().unwrap();
    assert!(report.entries > 0);
    for who in [&w.coordinator, &w.admin, &s.consumer_b] {
        assert_forbidden(supervision::verify_audit(&w.svc, who).await, "三员分立: the log is the auditor's");
        assert_forbidden(supervision::last_audit_verification(&w.svc, who).await, "the auditor's too");
    }
    // The verification is recorded, with what it covered, and read back.
    let last = supervision::last_audit_verification(&w.svc, &w.auditor).await.unwrap().unwrap();
    assert_eq!(last.by, w.auditor.username);
    assert_eq!(
        last.outcome,
        Ok(supervision::VerifiedLog {
            entries: report.entries,
            checkpoints: report.checkpoints as u64,
            checkpointed: report.checkpointed
        })
    );
    // A platform whose key file was replaced: the signed checkpoints no longer verify, and the
    // failure is what the auditor is shown as the latest.
    let mut replaced = w.svc.clone();
    replaced.audit = service::audit::AuditLedger::ephemeral();
    let problem = supervision::verify_audit(&replaced, &w.auditor).await.unwrap().unwrap_err();
    assert!(problem.to_string().contains("不是由本平台的密钥签名的"), "{problem}");
    let latest = supervision::last_audit_verification(&w.svc, &w.auditor).await.unwrap().unwrap();
    assert!(latest.event_id > last.event_id);
    assert_eq!(latest.outcome, Err(problem.to_string()));
    assert_eq!(supervision::audit_user(&w.svc, &w.auditor, "mzj_consumer").await.unwrap(), Some(s.consumer_b.user_id));
    assert_eq!(supervision::audit_user(&w.svc, &w.auditor, "nobody").await.unwrap(), None);
    assert_forbidden(supervision::audit_user(&w.svc, &w.coordinator, "mzj_consumer").await, "auditors only");
}
