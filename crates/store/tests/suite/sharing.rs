//! Sharing: applications and their steps, grants and theirs, daily usage, agreements, feedback,
//! downloads — run against every backend like the rest of the suite.

use std::sync::Arc;

use chrono::NaiveDate;
use domain::account::Role;
use domain::calendar::Deadline;
use domain::catalog::{ResourceStatus, ShareMethod, ShareType};
use domain::filter::{Filter, Op};
use domain::org::{DepartmentSpec, SystemSpec};
use domain::purpose::{Purpose, PurposeKind};
use domain::sharing::{ApplicationStatus, ApplicationTerms, Contact, GrantStatus, GrantTerms, Period};
use serde_json::json;
use store::model::*;
use store::{PgStore, SqliteStore, Store, StoreError};

use super::{change, pg_url, platform_and_dept, postgres, rand_suffix, spec, sqlite, t};

both!(filing_records_step_one);
both!(approval_issues_grant_atomically);
both!(stale_revision_changes_nothing);
both!(concurrent_transitions_one_wins);
both!(application_lists_filter_and_page_newest_first);
both!(grant_lists_filter_and_page_newest_first);
both!(grant_transitions_and_stale_revision);
both!(grants_past_period);
both!(usage_accumulates_per_day_and_grant);
both!(agreements_round_trip);
both!(feedback_round_trip);
both!(downloads_round_trip);
both!(information_systems_and_their_accounts);

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Records without `PartialEq` compare by their full debug form: every field, exactly.
fn same<T: std::fmt::Debug>(a: &T, b: &T) {
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

/// Two departments on one platform and a third: the provider (公安局, owns `r1`), the consumer
/// (民政局) and another (人社局, owns `r2`); an applicant in the consumer, an approver in the
/// provider.
struct Fx {
    s: Arc<dyn Store>,
    provider: i64,
    consumer: i64,
    other: i64,
    applicant: i64,
    approver: i64,
    r1: i64,
    r2: i64,
}

async fn fixture(s: Arc<dyn Store>) -> Fx {
    let (pid, provider) = platform_and_dept(&s).await;
    let dept = |name: &str, code: &str| DepartmentSpec {
        name: name.into(),
        credit_code: None,
        local_code: Some(code.into()),
        parent_id: None,
        platform_id: pid,
    };
    let consumer = s.create_department(&dept("示例市民政局", "SLS-MZJ"), t(1)).await.unwrap().id;
    let other = s.create_department(&dept("示例市人社局", "SLS-RSJ"), t(1)).await.unwrap().id;
    let user = |username: &str, department_id: i64, role: Role| NewUser {
        username: username.into(),
        display_name: username.into(),
        department_id,
        roles: vec![role],
        password_hash: None,
        system_id: None,
    };
    let applicant = s.create_user(&user("minzheng", consumer, Role::DataConsumer), t(1)).await.unwrap().id;
    let approver = s.create_user(&user("gongan", provider, Role::Approver), t(1)).await.unwrap().id;
    let mut ids = Vec::new();
    for (i, owner) in [provider, other].into_iter().enumerate() {
        let mut sp = spec(&format!("常住人口信息{i}"), "307001");
        sp.share_type = ShareType::Conditional;
        sp.share_condition = Some("用于核对身份".into());
        let r = s
            .create_resource(&NewResource {
                code: format!("307001/00000{}", i + 1),
                department_id: owner,
                status: ResourceStatus::Published,
                spec: sp,
                change: change("create", t(1)),
                diff: vec![],
            })
            .await
            .unwrap();
        ids.push(r.id);
    }
    Fx { s, provider, consumer, other, applicant, approver, r1: ids[0], r2: ids[1] }
}

fn purpose() -> Purpose {
    Purpose { kind: PurposeKind::DataVerification, description: "核对低保申请人户籍信息".into() }
}

fn app_terms() -> ApplicationTerms {
    ApplicationTerms {
        purpose: purpose(),
        basis: "《社会救助暂行办法》第十一条".into(),
        fields: vec!["公民身份号码".into()],
        rows: vec![Filter::new("户籍地行政区划代码", Op::Prefix, json!("3501"))],
        period: Period { from: d("2026-03-01"), until: d("2026-12-31") },
        methods: vec![ShareMethod::Api, ShareMethod::Verification],
        contact: Contact { name: "王五".into(), phone: "0591-87654321".into() },
        system_ids: vec![4],
    }
}

fn grant_terms(from: &str, until: &str) -> GrantTerms {
    GrantTerms {
        purpose: purpose(),
        fields: vec!["公民身份号码".into()],
        rows: vec![Filter::new("户籍地行政区划代码", Op::Prefix, json!("3501"))],
        masks: vec![],
        methods: vec![ShareMethod::Verification],
        period: Period { from: d(from), until: d(until) },
        daily_row_quota: Some(1000),
        user_ids: vec![7, 9],
        system_ids: vec![4, 6],
    }
}

/// Why the fixture's grants are issued: the reason of their `issue` step.
const ISSUE_NOTE: &str = "依据《户籍信息共享协议》第三条";

impl Fx {
    fn new_application(&self, resource_id: i64, consumer: i64, reply_due: &str) -> NewApplication {
        let provider = if resource_id == self.r1 { self.provider } else { self.other };
        NewApplication {
            resource_id,
            provider_department_id: provider,
            consumer_department_id: consumer,
            applicant_id: self.applicant,
            status: ApplicationStatus::Submitted,
            terms: app_terms(),
            received_on: d("2026-03-02"),
            reply_due: d(reply_due),
            due_provisional: false,
            at: t(9),
        }
    }

    async fn file(&self, resource_id: i64, consumer: i64, reply_due: &str) -> Application {
        self.s.create_application(&self.new_application(resource_id, consumer, reply_due), &submit()).await.unwrap()
    }

    fn new_grant(&self, resource_id: i64, consumer: i64, from: &str, until: &str) -> NewGrant {
        let provider = if resource_id == self.r1 { self.provider } else { self.other };
        NewGrant {
            resource_id,
            provider_department_id: provider,
            consumer_department_id: consumer,
            application_id: None,
            terms: grant_terms(from, until),
            issued_by: self.approver,
            note: Some(ISSUE_NOTE.into()),
            at: t(12),
        }
    }

    async fn grant(&self, resource_id: i64, consumer: i64, until: &str) -> Grant {
        self.s.create_grant(&self.new_grant(resource_id, consumer, "2026-01-01", until), Some("协调员")).await.unwrap()
    }

    /// Moves an application with a bare step (no decision, no grant).
    async fn move_app(&self, a: &Application, to: ApplicationStatus, action: &str, h: u32) -> Application {
        let t = ApplicationTransition {
            id: a.id,
            expected_revision: a.revision,
            to,
            step: step(action, Some(self.approver), "provider"),
            decision: None,
            grant: None,
            at: t(h),
        };
        self.s.transition_application(&t).await.unwrap().0
    }

    fn grant_move(&self, g: &Grant, to: GrantStatus, action: &str, reason: &str, h: u32) -> GrantTransition {
        GrantTransition {
            id: g.id,
            expected_revision: g.revision,
            to,
            action: action.into(),
            actor_id: Some(self.approver),
            actor_name: Some("公安局审核员".into()),
            reason: Some(reason.into()),
            at: t(h),
        }
    }
}

fn submit() -> NewStep {
    NewStep {
        action: "submit".into(),
        actor_id: None,
        actor_name: Some("民政局 王五".into()),
        party: "consumer".into(),
        note: Some("请尽快答复".into()),
    }
}

fn step(action: &str, actor_id: Option<i64>, party: &str) -> NewStep {
    NewStep {
        action: action.into(),
        actor_id,
        actor_name: Some("公安局审核员".into()),
        party: party.into(),
        note: Some(format!("{action}说明")),
    }
}

fn not_found<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    match r {
        Err(StoreError::NotFound { what: w }) => assert_eq!(w, what),
        other => panic!("expected NotFound {what}, got {other:?}"),
    }
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, message: &str) {
    match r {
        Err(StoreError::Conflict { message: m }) => assert_eq!(m, message),
        other => panic!("expected Conflict “{message}”, got {other:?}"),
    }
}

const APP_CONFLICT: &str = "该申请已被他人处理，请刷新后重试";
const GRANT_CONFLICT: &str = "该授权已被他人修改，请刷新后重试";

async fn filing_records_step_one(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let new = fx.new_application(fx.r1, fx.consumer, "2026-03-16");
    let a = fx.s.create_application(&new, &submit()).await.unwrap();
    assert!(a.id > 0);
    assert_eq!(
        (a.resource_id, a.provider_department_id, a.consumer_department_id, a.applicant_id),
        (fx.r1, fx.provider, fx.consumer, fx.applicant)
    );
    assert_eq!(a.status, ApplicationStatus::Submitted);
    assert_eq!(a.terms, app_terms());
    assert_eq!((a.received_on, a.reply_due, a.due_provisional), (d("2026-03-02"), d("2026-03-16"), false));
    assert_eq!((a.decision.clone(), a.grant_id), (None, None));
    assert_eq!((a.created_at, a.updated_at, a.revision), (t(9), t(9), 1));
    same(&fx.s.get_application(a.id).await.unwrap(), &a);

    let steps = fx.s.application_steps(a.id).await.unwrap();
    assert_eq!(steps.len(), 1);
    let s1 = &steps[0];
    assert_eq!((s1.application_id, s1.seq, s1.action.as_str()), (a.id, 1, "submit"));
    assert_eq!((s1.from_status, s1.to_status), (None, ApplicationStatus::Submitted));
    assert_eq!((s1.actor_id, s1.actor_name.as_deref()), (None, Some("民政局 王五")));
    assert_eq!((s1.party.as_str(), s1.note.as_deref(), s1.at), ("consumer", Some("请尽快答复"), t(9)));

    // An application for NotShared data starts in negotiation; its first step says so.
    let mut disputed = fx.new_application(fx.r2, fx.consumer, "2026-03-20");
    disputed.status = ApplicationStatus::Disputed;
    let b = fx.s.create_application(&disputed, &submit()).await.unwrap();
    assert_eq!(b.id, a.id + 1);
    assert_eq!(b.status, ApplicationStatus::Disputed);
    assert_eq!(fx.s.application_steps(b.id).await.unwrap()[0].to_status, ApplicationStatus::Disputed);

    // A provisional deadline is listed, and a recomputed one moves, without a transition.
    assert!(fx.s.provisional_deadlines().await.unwrap().is_empty());
    let mut late = fx.new_application(fx.r1, fx.consumer, "2026-03-17");
    late.due_provisional = true;
    let c = fx.s.create_application(&late, &submit()).await.unwrap();
    assert_eq!((c.reply_due, c.due_provisional), (d("2026-03-17"), true));
    let provisional =
        ProvisionalDeadline { of: DeadlineOf::Application, id: c.id, start: d("2026-03-02"), due: d("2026-03-17") };
    assert_eq!(fx.s.provisional_deadlines().await.unwrap(), vec![provisional]);
    let exact = Deadline { date: d("2026-03-18"), provisional: false };
    assert!(fx.s.move_provisional_deadline(DeadlineOf::Application, c.id, d("2026-03-17"), exact).await.unwrap());
    let moved = fx.s.get_application(c.id).await.unwrap();
    assert_eq!((moved.reply_due, moved.due_provisional), (d("2026-03-18"), false));
    assert_eq!((moved.revision, moved.updated_at, moved.status), (1, t(9), ApplicationStatus::Submitted));
    assert_eq!(fx.s.get_application(b.id).await.unwrap().reply_due, d("2026-03-20"), "only that one");
    assert!(fx.s.provisional_deadlines().await.unwrap().is_empty(), "exact once recomputed");
    // Once: a second node's identical move finds nothing to do; an exact deadline never moves.
    assert!(!fx.s.move_provisional_deadline(DeadlineOf::Application, c.id, d("2026-03-17"), exact).await.unwrap());
    assert!(!fx.s.move_provisional_deadline(DeadlineOf::Application, a.id, a.reply_due, exact).await.unwrap());
    assert_eq!(fx.s.get_application(a.id).await.unwrap().reply_due, a.reply_due);

    not_found(fx.s.get_application(a.id + 100).await, &format!("共享申请 {}", a.id + 100));
    not_found(fx.s.application_steps(a.id + 100).await, &format!("共享申请 {}", a.id + 100));
    let missing = Deadline { date: d("2026-03-18"), provisional: false };
    let moved = fx.s.move_provisional_deadline(DeadlineOf::Application, a.id + 100, d("2026-03-17"), missing).await;
    assert!(!moved.unwrap(), "no such application");
}

async fn approval_issues_grant_atomically(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let a = fx.file(fx.r1, fx.consumer, "2026-03-16").await;
    let (reviewed, none) =
        fx.s.transition_application(&ApplicationTransition {
            id: a.id,
            expected_revision: 1,
            to: ApplicationStatus::UnderReview,
            step: step("review", Some(fx.approver), "provider"),
            decision: None,
            grant: None,
            at: t(10),
        })
        .await
        .unwrap();
    assert!(none.is_none());
    assert_eq!((reviewed.status, reviewed.revision, reviewed.updated_at), (ApplicationStatus::UnderReview, 2, t(10)));
    assert_eq!((reviewed.decision.clone(), reviewed.grant_id, reviewed.created_at), (None, None, t(9)));

    let decision = json!({"kind": "approve", "terms": "as asked"});
    // The caller leaves application_id empty: the store links the grant to the application.
    let new_grant = fx.new_grant(fx.r1, fx.consumer, "2026-03-01", "2026-12-31");
    let (approved, grant) =
        fx.s.transition_application(&ApplicationTransition {
            id: a.id,
            expected_revision: 2,
            to: ApplicationStatus::Approved,
            step: step("approve", Some(fx.approver), "provider"),
            decision: Some(decision.clone()),
            grant: Some(NewGrant { at: t(11), ..new_grant }),
            at: t(11),
        })
        .await
        .unwrap();
    let grant = grant.expect("a grant was issued");
    assert_eq!((approved.status, approved.revision, approved.updated_at), (ApplicationStatus::Approved, 3, t(11)));
    assert_eq!((approved.decision.clone(), approved.grant_id), (Some(decision.clone()), Some(grant.id)));
    assert_eq!(
        (grant.resource_id, grant.provider_department_id, grant.consumer_department_id, grant.application_id),
        (fx.r1, fx.provider, fx.consumer, Some(a.id))
    );
    assert_eq!((grant.status, grant.revision, grant.issued_by), (GrantStatus::Active, 1, fx.approver));
    assert_eq!((grant.issued_at, grant.updated_at), (t(11), t(11)));
    assert_eq!(grant.terms, grant_terms("2026-03-01", "2026-12-31"));
    same(&fx.s.get_application(a.id).await.unwrap(), &approved);
    same(&fx.s.get_grant(grant.id).await.unwrap(), &grant);

    let gs = fx.s.grant_steps(grant.id).await.unwrap();
    assert_eq!(gs.len(), 1);
    assert_eq!((gs[0].grant_id, gs[0].seq, gs[0].action.as_str()), (grant.id, 1, "issue"));
    assert_eq!((gs[0].from_status, gs[0].to_status), (None, GrantStatus::Active));
    assert_eq!((gs[0].actor_id, gs[0].actor_name.as_deref()), (Some(fx.approver), Some("公安局审核员")));
    assert_eq!((gs[0].reason.as_deref(), gs[0].at), (Some(ISSUE_NOTE), t(11)));

    let steps = fx.s.application_steps(a.id).await.unwrap();
    assert_eq!(steps.iter().map(|s| s.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(steps.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(), vec!["submit", "review", "approve"]);
    assert_eq!(
        steps.iter().map(|s| s.from_status).collect::<Vec<_>>(),
        vec![None, Some(ApplicationStatus::Submitted), Some(ApplicationStatus::UnderReview)]
    );
    assert_eq!(
        steps.iter().map(|s| s.to_status).collect::<Vec<_>>(),
        vec![ApplicationStatus::Submitted, ApplicationStatus::UnderReview, ApplicationStatus::Approved]
    );
    assert_eq!(steps.iter().map(|s| s.at).collect::<Vec<_>>(), vec![t(9), t(10), t(11)]);
    assert_eq!(
        (steps[2].actor_id, steps[2].party.as_str(), steps[2].note.as_deref()),
        (Some(fx.approver), "provider", Some("approve说明"))
    );
    same(&fx.s.grants_for(fx.r1, fx.consumer).await.unwrap(), &vec![grant]);

    let missing = ApplicationTransition {
        id: a.id + 100,
        expected_revision: 1,
        to: ApplicationStatus::UnderReview,
        step: step("review", Some(fx.approver), "provider"),
        decision: None,
        grant: None,
        at: t(12),
    };
    not_found(fx.s.transition_application(&missing).await, &format!("共享申请 {}", a.id + 100));
}

async fn stale_revision_changes_nothing(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let a = fx.file(fx.r1, fx.consumer, "2026-03-16").await;
    let reviewed = fx.move_app(&a, ApplicationStatus::UnderReview, "review", 10).await;
    assert_eq!(reviewed.revision, 2);

    // A clerk who still sees revision 1 approves (with a grant): refused, nothing written.
    let stale = ApplicationTransition {
        id: a.id,
        expected_revision: 1,
        to: ApplicationStatus::Approved,
        step: step("approve", Some(fx.approver), "provider"),
        decision: Some(json!({"kind": "approve"})),
        grant: Some(fx.new_grant(fx.r1, fx.consumer, "2026-03-01", "2026-12-31")),
        at: t(11),
    };
    conflict(fx.s.transition_application(&stale).await, APP_CONFLICT);
    assert_unchanged(&fx, &reviewed).await;

    // A grant that cannot be written (no such resource) rolls the whole transition back.
    let broken = ApplicationTransition {
        expected_revision: 2,
        grant: Some(NewGrant {
            resource_id: fx.r1 + 1000,
            ..fx.new_grant(fx.r1, fx.consumer, "2026-03-01", "2026-12-31")
        }),
        ..stale.clone()
    };
    assert!(fx.s.transition_application(&broken).await.is_err());
    assert_unchanged(&fx, &reviewed).await;

    // Refuse with a reason, then dispute without a decision: the refusal stays recorded.
    let refusal = json!({"kind": "refuse", "reason": "无法律依据"});
    let refused =
        fx.s.transition_application(&ApplicationTransition {
            id: a.id,
            expected_revision: 2,
            to: ApplicationStatus::Refused,
            step: step("refuse", Some(fx.approver), "provider"),
            decision: Some(refusal.clone()),
            grant: None,
            at: t(12),
        })
        .await
        .unwrap()
        .0;
    assert_eq!(
        (refused.status, refused.revision, refused.decision.clone()),
        (ApplicationStatus::Refused, 3, Some(refusal.clone()))
    );
    let disputed = fx.move_app(&refused, ApplicationStatus::Disputed, "dispute", 13).await;
    assert_eq!((disputed.status, disputed.revision), (ApplicationStatus::Disputed, 4));
    assert_eq!(disputed.decision, Some(refusal));
    let steps = fx.s.application_steps(a.id).await.unwrap();
    assert_eq!(steps.iter().map(|s| s.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(
        (steps[3].from_status, steps[3].to_status),
        (Some(ApplicationStatus::Refused), ApplicationStatus::Disputed)
    );
}

/// The application is as it was after the review, and no grant exists.
async fn assert_unchanged(fx: &Fx, reviewed: &Application) {
    let now = fx.s.get_application(reviewed.id).await.unwrap();
    same(&now, reviewed);
    assert_eq!((now.status, now.revision, now.grant_id), (ApplicationStatus::UnderReview, 2, None));
    let steps = fx.s.application_steps(reviewed.id).await.unwrap();
    assert_eq!(steps.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(), vec!["submit", "review"]);
    assert_eq!(fx.s.list_grants(&GrantFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    assert!(fx.s.grants_for(fx.r1, fx.consumer).await.unwrap().is_empty());
}

async fn concurrent_transitions_one_wins(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let fx = Arc::new(fx);
    for round in 0..5 {
        let id = fx.file(fx.r1, fx.consumer, "2026-03-16").await.id;
        let mut handles = Vec::new();
        for (i, to) in [ApplicationStatus::Approved, ApplicationStatus::Refused].into_iter().enumerate() {
            let fx = fx.clone();
            handles.push(tokio::spawn(async move {
                let grant = (to == ApplicationStatus::Approved)
                    .then(|| fx.new_grant(fx.r1, fx.consumer, "2026-03-01", "2026-12-31"));
                fx.s.transition_application(&ApplicationTransition {
                    id,
                    expected_revision: 1,
                    to,
                    step: step(if i == 0 { "approve" } else { "refuse" }, Some(fx.approver), "provider"),
                    decision: Some(json!({"by": i})),
                    grant,
                    at: t(10),
                })
                .await
            }));
        }
        let mut results = Vec::new();
        for h in handles {
            results.push(h.await.unwrap());
        }
        let won: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
        assert_eq!(won.len(), 1, "round {round}: {results:?}");
        for r in results.iter().filter(|r| r.is_err()) {
            assert!(matches!(r, Err(StoreError::Conflict { message }) if message == APP_CONFLICT), "{r:?}");
        }
        let (winner, grant) = won[0].as_ref().unwrap();
        let now = fx.s.get_application(id).await.unwrap();
        same(&now, winner);
        assert_eq!(now.revision, 2);
        assert_eq!(now.grant_id, grant.as_ref().map(|g| g.id));
        assert_eq!(fx.s.application_steps(id).await.unwrap().len(), 2);
    }
}

async fn application_lists_filter_and_page_newest_first(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    // (resource, consumer, reply due); r1 is the provider's, r2 the other department's.
    let plan = [
        (fx.r1, fx.consumer, "2026-03-10"),
        (fx.r1, fx.consumer, "2026-03-11"),
        (fx.r1, fx.consumer, "2026-03-12"),
        (fx.r1, fx.consumer, "2026-03-13"),
        (fx.r1, fx.consumer, "2026-03-14"),
        (fx.r1, fx.other, "2026-03-20"),
        (fx.r1, fx.other, "2026-03-20"),
        (fx.r1, fx.other, "2026-03-20"),
        (fx.r2, fx.consumer, "2026-03-05"),
        (fx.r2, fx.consumer, "2026-03-05"),
    ];
    let mut apps = Vec::new();
    for (r, c, due) in plan {
        apps.push(fx.file(r, c, due).await);
    }
    apps[0] = fx.move_app(&apps[0], ApplicationStatus::UnderReview, "review", 10).await;
    apps[5] = fx.move_app(&apps[5], ApplicationStatus::Withdrawn, "withdraw", 10).await;

    let list = |f: ApplicationFilter| {
        let s = fx.s.clone();
        async move {
            let page = s.list_applications(&f, PageRequest { after: None, limit: 100 }).await.unwrap();
            assert_eq!(page.total, page.items.len() as i64);
            assert_eq!(page.next, None);
            page.items.iter().map(|a| a.id).collect::<Vec<_>>()
        }
    };
    // The expected ids: those of `apps` at these indexes, newest first.
    let ids = |idx: &[usize]| idx.iter().rev().map(|&i| apps[i].id).collect::<Vec<_>>();

    assert_eq!(list(ApplicationFilter::default()).await, ids(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    assert_eq!(list(ApplicationFilter { resource_id: Some(fx.r2), ..Default::default() }).await, ids(&[8, 9]));
    assert_eq!(
        list(ApplicationFilter { resource_id: Some(fx.r1), ..Default::default() }).await,
        ids(&[0, 1, 2, 3, 4, 5, 6, 7])
    );
    assert_eq!(
        list(ApplicationFilter { provider_department_id: Some(fx.other), ..Default::default() }).await,
        ids(&[8, 9])
    );
    assert_eq!(
        list(ApplicationFilter { consumer_department_id: Some(fx.other), ..Default::default() }).await,
        ids(&[5, 6, 7])
    );
    // Either department: the other one applied for three and provides two.
    assert_eq!(
        list(ApplicationFilter { department_id: Some(fx.other), ..Default::default() }).await,
        ids(&[5, 6, 7, 8, 9])
    );
    assert_eq!(
        list(ApplicationFilter { department_id: Some(fx.consumer), ..Default::default() }).await,
        ids(&[0, 1, 2, 3, 4, 8, 9])
    );
    assert_eq!(
        list(ApplicationFilter {
            statuses: vec![ApplicationStatus::UnderReview, ApplicationStatus::Withdrawn],
            ..Default::default()
        })
        .await,
        ids(&[0, 5])
    );
    assert_eq!(
        list(ApplicationFilter { statuses: vec![ApplicationStatus::Submitted], ..Default::default() }).await,
        ids(&[1, 2, 3, 4, 6, 7, 8, 9])
    );
    assert_eq!(
        list(ApplicationFilter { statuses: vec![ApplicationStatus::Ruled], ..Default::default() }).await,
        ids(&[])
    );
    // Strictly before.
    assert_eq!(
        list(ApplicationFilter { due_before: Some(d("2026-03-12")), ..Default::default() }).await,
        ids(&[0, 1, 8, 9])
    );
    // Combined with AND: what the deadline watch asks of one provider.
    assert_eq!(
        list(ApplicationFilter {
            provider_department_id: Some(fx.provider),
            statuses: vec![ApplicationStatus::Submitted, ApplicationStatus::UnderReview],
            due_before: Some(d("2026-03-13")),
            ..Default::default()
        })
        .await,
        ids(&[0, 1, 2])
    );
    assert_eq!(
        list(ApplicationFilter {
            consumer_department_id: Some(fx.consumer),
            department_id: Some(fx.other),
            statuses: vec![ApplicationStatus::Submitted],
            due_before: Some(d("2026-03-12")),
            ..Default::default()
        })
        .await,
        ids(&[8, 9])
    );

    // Pages of three, newest first, each counting the whole list.
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page =
            fx.s.list_applications(&ApplicationFilter::default(), PageRequest { after, limit: 3 }).await.unwrap();
        assert_eq!(page.total, 10);
        let got: Vec<i64> = page.items.iter().map(|a| a.id).collect();
        assert_eq!(page.next, if got.len() == 3 && pages.len() < 3 { got.last().copied() } else { None });
        pages.push(got);
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let all = ids(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(pages, vec![all[0..3].to_vec(), all[3..6].to_vec(), all[6..9].to_vec(), all[9..].to_vec()]);

    // Paging a filtered list.
    let f = ApplicationFilter { department_id: Some(fx.consumer), ..Default::default() };
    let p1 = fx.s.list_applications(&f, PageRequest { after: None, limit: 4 }).await.unwrap();
    assert_eq!((p1.total, p1.items.iter().map(|a| a.id).collect::<Vec<_>>()), (7, ids(&[3, 4, 8, 9])));
    assert_eq!(p1.next, Some(apps[3].id));
    let p2 = fx.s.list_applications(&f, PageRequest { after: p1.next, limit: 4 }).await.unwrap();
    assert_eq!((p2.total, p2.items.iter().map(|a| a.id).collect::<Vec<_>>(), p2.next), (7, ids(&[0, 1, 2]), None));
    // The rows are complete records.
    same(&p2.items[2], &apps[0]);
}

async fn grant_lists_filter_and_page_newest_first(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let g1 = fx.grant(fx.r1, fx.consumer, "2026-12-31").await;
    let g2 = fx.grant(fx.r1, fx.other, "2026-12-31").await;
    let g3 = fx.grant(fx.r2, fx.consumer, "2026-12-31").await;
    let g4 = fx.grant(fx.r1, fx.consumer, "2027-06-30").await;
    let g1 = fx.s.transition_grant(&fx.grant_move(&g1, GrantStatus::Suspended, "suspend", "核查", 13)).await.unwrap();

    let list = |f: GrantFilter| {
        let s = fx.s.clone();
        async move {
            let page = s.list_grants(&f, PageRequest { after: None, limit: 100 }).await.unwrap();
            assert_eq!((page.total, page.next), (page.items.len() as i64, None));
            page.items.iter().map(|g| g.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(list(GrantFilter::default()).await, vec![g4.id, g3.id, g2.id, g1.id]);
    assert_eq!(list(GrantFilter { resource_id: Some(fx.r1), ..Default::default() }).await, vec![g4.id, g2.id, g1.id]);
    assert_eq!(list(GrantFilter { provider_department_id: Some(fx.other), ..Default::default() }).await, vec![g3.id]);
    assert_eq!(
        list(GrantFilter { consumer_department_id: Some(fx.consumer), ..Default::default() }).await,
        vec![g4.id, g3.id, g1.id]
    );
    assert_eq!(list(GrantFilter { department_id: Some(fx.other), ..Default::default() }).await, vec![g3.id, g2.id]);
    assert_eq!(list(GrantFilter { statuses: vec![GrantStatus::Suspended], ..Default::default() }).await, vec![g1.id]);
    assert_eq!(
        list(GrantFilter { statuses: vec![GrantStatus::Active, GrantStatus::Revoked], ..Default::default() }).await,
        vec![g4.id, g3.id, g2.id]
    );
    assert_eq!(
        list(GrantFilter {
            resource_id: Some(fx.r1),
            consumer_department_id: Some(fx.consumer),
            statuses: vec![GrantStatus::Active],
            ..Default::default()
        })
        .await,
        vec![g4.id]
    );

    let p1 = fx.s.list_grants(&GrantFilter::default(), PageRequest { after: None, limit: 3 }).await.unwrap();
    assert_eq!((p1.total, p1.items.iter().map(|g| g.id).collect::<Vec<_>>()), (4, vec![g4.id, g3.id, g2.id]));
    assert_eq!(p1.next, Some(g2.id));
    let p2 = fx.s.list_grants(&GrantFilter::default(), PageRequest { after: p1.next, limit: 3 }).await.unwrap();
    assert_eq!((p2.total, p2.next), (4, None));
    same(&p2.items, &vec![g1.clone()]);

    // The access decision's input: every status, newest first.
    let for_consumer = fx.s.grants_for(fx.r1, fx.consumer).await.unwrap();
    assert_eq!(
        for_consumer.iter().map(|g| (g.id, g.status)).collect::<Vec<_>>(),
        vec![(g4.id, GrantStatus::Active), (g1.id, GrantStatus::Suspended)]
    );
    same(&for_consumer[0], &g4);
    assert!(fx.s.grants_for(fx.r2, fx.other).await.unwrap().is_empty());
    assert_eq!(
        fx.s.grants_for(fx.r2, fx.consumer).await.unwrap().iter().map(|g| g.id).collect::<Vec<_>>(),
        vec![g3.id]
    );
}

async fn grant_transitions_and_stale_revision(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let g =
        fx.s.create_grant(&fx.new_grant(fx.r1, fx.consumer, "2026-03-01", "2026-12-31"), Some("协调员 赵六"))
            .await
            .unwrap();
    assert_eq!((g.status, g.revision, g.application_id), (GrantStatus::Active, 1, None));
    assert_eq!((g.issued_at, g.updated_at, g.issued_by), (t(12), t(12), fx.approver));
    assert_eq!(g.terms, grant_terms("2026-03-01", "2026-12-31"));

    let suspended =
        fx.s.transition_grant(&fx.grant_move(&g, GrantStatus::Suspended, "suspend", "核查滥用", 13)).await.unwrap();
    assert_eq!((suspended.status, suspended.revision, suspended.updated_at), (GrantStatus::Suspended, 2, t(13)));
    assert_eq!(suspended.issued_at, t(12));
    let resumed =
        fx.s.transition_grant(&fx.grant_move(&suspended, GrantStatus::Active, "resume", "核查无误", 14)).await.unwrap();
    assert_eq!((resumed.status, resumed.revision), (GrantStatus::Active, 3));

    // Someone who still sees revision 2 revokes: refused, nothing written.
    conflict(
        fx.s.transition_grant(&fx.grant_move(&suspended, GrantStatus::Revoked, "revoke", "迟到", 15)).await,
        GRANT_CONFLICT,
    );
    same(&fx.s.get_grant(g.id).await.unwrap(), &resumed);
    assert_eq!(fx.s.grant_steps(g.id).await.unwrap().len(), 3);

    let revoked =
        fx.s.transition_grant(&fx.grant_move(&resumed, GrantStatus::Revoked, "revoke", "违反第十四条", 16))
            .await
            .unwrap();
    assert_eq!((revoked.status, revoked.revision, revoked.updated_at), (GrantStatus::Revoked, 4, t(16)));
    same(&fx.s.get_grant(g.id).await.unwrap(), &revoked);

    let steps = fx.s.grant_steps(g.id).await.unwrap();
    assert_eq!(steps.iter().map(|s| s.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(
        steps.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        vec!["issue", "suspend", "resume", "revoke"]
    );
    assert_eq!(
        steps.iter().map(|s| s.from_status).collect::<Vec<_>>(),
        vec![None, Some(GrantStatus::Active), Some(GrantStatus::Suspended), Some(GrantStatus::Active)]
    );
    assert_eq!(
        steps.iter().map(|s| s.to_status).collect::<Vec<_>>(),
        vec![GrantStatus::Active, GrantStatus::Suspended, GrantStatus::Active, GrantStatus::Revoked]
    );
    assert_eq!(
        steps.iter().map(|s| s.reason.as_deref()).collect::<Vec<_>>(),
        vec![Some(ISSUE_NOTE), Some("核查滥用"), Some("核查无误"), Some("违反第十四条")]
    );
    assert_eq!(steps.iter().map(|s| s.at).collect::<Vec<_>>(), vec![t(12), t(13), t(14), t(16)]);
    assert_eq!(
        steps.iter().map(|s| s.actor_name.as_deref()).collect::<Vec<_>>(),
        vec![Some("协调员 赵六"), Some("公安局审核员"), Some("公安局审核员"), Some("公安局审核员")]
    );
    assert!(steps.iter().all(|s| s.grant_id == g.id && s.actor_id == Some(fx.approver)));

    let missing = GrantTransition { id: g.id + 100, ..fx.grant_move(&g, GrantStatus::Suspended, "suspend", "x", 17) };
    not_found(fx.s.transition_grant(&missing).await, &format!("授权 {}", g.id + 100));
    not_found(fx.s.get_grant(g.id + 100).await, &format!("授权 {}", g.id + 100));
    not_found(fx.s.grant_steps(g.id + 100).await, &format!("授权 {}", g.id + 100));
}

async fn grants_past_period(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let a = fx.grant(fx.r1, fx.consumer, "2026-03-01").await;
    let b = fx.grant(fx.r1, fx.other, "2026-03-02").await;
    let c = fx.grant(fx.r2, fx.consumer, "2026-02-01").await;
    let dd = fx.grant(fx.r1, fx.consumer, "2026-12-31").await;
    let e = fx.grant(fx.r2, fx.other, "2026-01-31").await;
    fx.s.transition_grant(&fx.grant_move(&c, GrantStatus::Suspended, "suspend", "核查", 13)).await.unwrap();
    fx.s.transition_grant(&fx.grant_move(&e, GrantStatus::Revoked, "revoke", "撤销", 13)).await.unwrap();
    let past = |day: &str| {
        let s = fx.s.clone();
        let day = d(day);
        async move { s.grants_past_period(day).await.unwrap().iter().map(|g| g.id).collect::<Vec<_>>() }
    };
    // A suspended grant expires too (c); a revoked one is final (e).
    assert_eq!(past("2026-03-01").await, vec![c.id], "the last day is still inside");
    assert_eq!(past("2026-03-02").await, vec![a.id, c.id]);
    assert_eq!(past("2026-03-03").await, vec![a.id, b.id, c.id]);
    assert_eq!(past("2027-01-01").await, vec![a.id, b.id, c.id, dd.id]);
    let got = fx.s.grants_past_period(d("2026-03-03")).await.unwrap();
    same(&got[0], &a);
    // Once expired, a grant is no longer swept.
    fx.s.transition_grant(&fx.grant_move(&a, GrantStatus::Expired, "expire", "期满", 14)).await.unwrap();
    assert_eq!(past("2026-03-03").await, vec![b.id, c.id]);
}

async fn usage_accumulates_per_day_and_grant(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let g1 = fx.grant(fx.r1, fx.consumer, "2026-12-31").await;
    let g2 = fx.grant(fx.r1, fx.other, "2026-12-31").await;
    let (d1, d2) = (d("2026-03-02"), d("2026-03-03"));
    assert_eq!(fx.s.grant_usage(g1.id, d1).await.unwrap(), 0);
    assert_eq!(fx.s.add_grant_usage(g1.id, d1, 100).await.unwrap(), 100);
    assert_eq!(fx.s.add_grant_usage(g1.id, d1, 50).await.unwrap(), 150);
    assert_eq!(fx.s.add_grant_usage(g1.id, d2, 30).await.unwrap(), 30);
    assert_eq!(fx.s.add_grant_usage(g2.id, d1, 7).await.unwrap(), 7);
    assert_eq!(fx.s.grant_usage(g1.id, d1).await.unwrap(), 150);
    assert_eq!(fx.s.grant_usage(g1.id, d2).await.unwrap(), 30);
    assert_eq!(fx.s.grant_usage(g2.id, d1).await.unwrap(), 7);
    assert_eq!(fx.s.grant_usage(g2.id, d2).await.unwrap(), 0);

    // Concurrent readers each add their rows: none is lost.
    let mut handles = Vec::new();
    for _ in 0..8 {
        let s = fx.s.clone();
        let id = g2.id;
        handles.push(tokio::spawn(async move {
            for _ in 0..10 {
                s.add_grant_usage(id, d2, 3).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(fx.s.grant_usage(g2.id, d2).await.unwrap(), 240);
    assert_eq!(fx.s.grant_usage(g1.id, d2).await.unwrap(), 30, "other grants untouched");

    not_found(fx.s.add_grant_usage(g2.id + 100, d1, 1).await, &format!("授权 {}", g2.id + 100));
    assert_eq!(fx.s.grant_usage(g2.id + 100, d1).await.unwrap(), 0);
}

async fn agreements_round_trip(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let g1 = fx.grant(fx.r1, fx.consumer, "2026-12-31").await;
    let g2 = fx.grant(fx.r1, fx.other, "2026-12-31").await;
    let new = |grant_id: i64, kind: &str, h: u32| NewAgreement {
        grant_id,
        kind: kind.into(),
        title: format!("{kind}协议"),
        file_name: format!("{kind}.pdf"),
        content_type: "application/pdf".into(),
        byte_size: 12345 + i64::from(h),
        sha256: format!("{h:064x}"),
        object_path: format!("agreements/{grant_id}/{kind}.pdf"),
        filed_by: fx.applicant,
        at: t(h),
    };
    let a1 = fx.s.create_agreement(&new(g1.id, "sharing", 14)).await.unwrap();
    let a2 = fx.s.create_agreement(&new(g1.id, "confidentiality", 15)).await.unwrap();
    let a3 = fx.s.create_agreement(&new(g2.id, "sharing", 16)).await.unwrap();
    assert_eq!((a1.grant_id, a1.kind.as_str(), a1.title.as_str()), (g1.id, "sharing", "sharing协议"));
    assert_eq!(
        (a1.file_name.as_str(), a1.content_type.as_str(), a1.byte_size),
        ("sharing.pdf", "application/pdf", 12359)
    );
    assert_eq!(a1.sha256, format!("{:064x}", 14));
    assert_eq!(a1.object_path, format!("agreements/{}/sharing.pdf", g1.id));
    assert_eq!((a1.filed_by, a1.filed_at), (fx.applicant, t(14)));
    assert_eq!((a2.id, a3.id), (a1.id + 1, a1.id + 2));
    same(&fx.s.get_agreement(a2.id).await.unwrap(), &a2);
    same(&fx.s.list_agreements(g1.id).await.unwrap(), &vec![a1.clone(), a2]);
    same(&fx.s.list_agreements(g2.id).await.unwrap(), &vec![a3.clone()]);
    assert!(fx.s.list_agreements(g2.id + 100).await.unwrap().is_empty());
    not_found(fx.s.get_agreement(a3.id + 100).await, &format!("协议 {}", a3.id + 100));
}

async fn feedback_round_trip(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let g1 = fx.grant(fx.r1, fx.consumer, "2026-12-31").await;
    let g2 = fx.grant(fx.r1, fx.other, "2026-12-31").await;
    let g3 = fx.grant(fx.r2, fx.consumer, "2026-12-31").await;
    let new = |g: &Grant, rating: i64, h: u32| NewFeedback {
        grant_id: g.id,
        resource_id: g.resource_id,
        department_id: g.consumer_department_id,
        author_id: fx.applicant,
        rating,
        effect: format!("核验{rating}千人次，减少群众跑腿"),
        at: t(h),
    };
    let f1 = fx.s.create_feedback(&new(&g1, 5, 14)).await.unwrap();
    let f2 = fx.s.create_feedback(&new(&g2, 3, 15)).await.unwrap();
    let f3 = fx.s.create_feedback(&new(&g3, 1, 16)).await.unwrap();
    assert_eq!(
        (f1.grant_id, f1.resource_id, f1.department_id, f1.author_id),
        (g1.id, fx.r1, fx.consumer, fx.applicant)
    );
    assert_eq!((f1.rating, f1.effect.as_str(), f1.at), (5, "核验5千人次，减少群众跑腿", t(14)));
    assert_eq!((f2.id, f3.id), (f1.id + 1, f1.id + 2));
    assert_eq!(f2.department_id, fx.other);
    same(&fx.s.list_feedback(Some(fx.r1), None).await.unwrap(), &vec![f2.clone(), f1.clone()]);
    same(&fx.s.list_feedback(None, Some(g1.id)).await.unwrap(), &vec![f1.clone()]);
    same(&fx.s.list_feedback(Some(fx.r2), Some(g3.id)).await.unwrap(), &vec![f3.clone()]);
    assert!(fx.s.list_feedback(Some(fx.r2), Some(g1.id)).await.unwrap().is_empty());
    same(&fx.s.list_feedback(None, None).await.unwrap(), &vec![f3, f2, f1]);
}

/// Gives an application three steps and a grant two, through the store.
async fn history(s: Arc<dyn Store>) -> (i64, i64) {
    let fx = fixture(s).await;
    let a = fx.file(fx.r1, fx.consumer, "2026-03-16").await;
    let a = fx.move_app(&a, ApplicationStatus::UnderReview, "review", 10).await;
    fx.move_app(&a, ApplicationStatus::Refused, "refuse", 11).await;
    let g = fx.grant(fx.r1, fx.consumer, "2026-12-31").await;
    fx.s.transition_grant(&fx.grant_move(&g, GrantStatus::Suspended, "suspend", "核查", 13)).await.unwrap();
    assert_eq!(fx.s.application_steps(a.id).await.unwrap().len(), 3);
    assert_eq!(fx.s.grant_steps(g.id).await.unwrap().len(), 2);
    (a.id, g.id)
}

fn refused(r: Result<(), sqlx::Error>, table: &str) {
    match r {
        Err(e) => assert!(e.to_string().contains(&format!("{table} is append-only")), "{e}"),
        Ok(()) => panic!("{table} was rewritten"),
    }
}

#[tokio::test]
async fn sqlite_refuses_step_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let s: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).await.unwrap());
    let (app, grant) = history(s.clone()).await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    for table in ["application_steps", "grant_steps"] {
        let upd = format!("UPDATE {table} SET action = 'forged'");
        refused(sqlx::query(sqlx::AssertSqlSafe(upd)).execute(&pool).await.map(|_| ()), table);
        let del = format!("DELETE FROM {table}");
        refused(sqlx::query(sqlx::AssertSqlSafe(del)).execute(&pool).await.map(|_| ()), table);
    }
    assert_eq!(
        s.application_steps(app).await.unwrap().iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        vec!["submit", "review", "refuse"]
    );
    assert_eq!(
        s.grant_steps(grant).await.unwrap().iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        vec!["issue", "suspend"]
    );
}

#[tokio::test]
async fn postgres_refuses_step_rewrites() {
    let Some(url) = pg_url() else { return };
    let schema = format!("gs_test_steps_{}", rand_suffix());
    let s: Arc<dyn Store> = Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
    let (app, grant) = history(s.clone()).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for table in ["application_steps", "grant_steps"] {
        let upd = format!("UPDATE {schema}.{table} SET action = 'forged'");
        refused(sqlx::query(sqlx::AssertSqlSafe(upd)).execute(&pool).await.map(|_| ()), table);
        let del = format!("DELETE FROM {schema}.{table}");
        refused(sqlx::query(sqlx::AssertSqlSafe(del)).execute(&pool).await.map(|_| ()), table);
        let truncate = format!("TRUNCATE {schema}.{table}");
        refused(sqlx::query(sqlx::AssertSqlSafe(truncate)).execute(&pool).await.map(|_| ()), table);
    }
    assert_eq!(
        s.application_steps(app).await.unwrap().iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        vec!["submit", "review", "refuse"]
    );
    assert_eq!(
        s.grant_steps(grant).await.unwrap().iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        vec!["issue", "suspend"]
    );
}

/// A published version of `resource_id`, for downloads to point at.
async fn version_of(fx: &Fx, resource_id: i64, version: i64) {
    fx.s.create_dataset_version(&DatasetVersion {
        resource_id,
        version,
        mode: "replace".into(),
        files: vec![format!("datasets/{resource_id}/{version}/part-0.parquet")],
        row_count: 2000,
        byte_size: 1000,
        data_items: vec![],
        rejected_rows: 0,
        published_by: fx.approver,
        published_at: t(2),
    })
    .await
    .unwrap();
}

impl Fx {
    fn new_download(&self, resource_id: i64, grant_id: Option<i64>, seed: &str, h: u32) -> NewDownload {
        NewDownload {
            resource_id,
            version: 1,
            user_id: self.applicant,
            department_id: self.consumer,
            grant_id,
            seed: seed.into(),
            key_fields: vec!["公民身份号码".into(), "户号".into()],
            format: "csv".into(),
            row_count: grant_id.map(|_| 1500),
            at: t(h),
        }
    }
}

async fn downloads_round_trip(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    version_of(&fx, fx.r1, 1).await;
    version_of(&fx, fx.r2, 1).await;
    let g = fx.grant(fx.r1, fx.consumer, "2026-12-31").await;
    let d1 = fx.s.record_download(&fx.new_download(fx.r1, Some(g.id), &"ab".repeat(16), 10)).await.unwrap();
    let d2 = fx.s.record_download(&fx.new_download(fx.r2, None, &"cd".repeat(16), 11)).await.unwrap();
    let d3 = fx.s.record_download(&fx.new_download(fx.r1, None, &"ef".repeat(16), 12)).await.unwrap();
    assert_eq!((d2.id, d3.id), (d1.id + 1, d1.id + 2));
    assert_eq!(
        d1,
        Download {
            id: d1.id,
            resource_id: fx.r1,
            version: 1,
            user_id: fx.applicant,
            department_id: fx.consumer,
            grant_id: Some(g.id),
            seed: "ab".repeat(16),
            key_fields: vec!["公民身份号码".into(), "户号".into()],
            format: "csv".into(),
            row_count: Some(1500),
            at: t(10),
        }
    );
    assert_eq!((d2.grant_id, d2.row_count), (None, None));
    assert_eq!(fx.s.list_downloads(Some(fx.r1)).await.unwrap(), vec![d1.clone(), d3.clone()]);
    assert_eq!(fx.s.list_downloads(Some(fx.r2)).await.unwrap(), vec![d2.clone()]);
    assert_eq!(fx.s.list_downloads(None).await.unwrap(), vec![d1, d2, d3]);
    // A download of a version, user or grant that does not exist is refused.
    let mut bad = fx.new_download(fx.r1, None, "00", 13);
    bad.version = 9;
    assert!(matches!(fx.s.record_download(&bad).await, Err(StoreError::NotFound { .. })));
    let bad = fx.new_download(fx.r1, Some(g.id + 100), "00", 13);
    assert!(matches!(fx.s.record_download(&bad).await, Err(StoreError::NotFound { .. })));
    assert_eq!(fx.s.list_downloads(None).await.unwrap().len(), 3);
}

/// One recorded download, through the store.
async fn one_download(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    version_of(&fx, fx.r1, 1).await;
    fx.s.record_download(&fx.new_download(fx.r1, None, &"ab".repeat(16), 10)).await.unwrap();
}

#[tokio::test]
async fn sqlite_refuses_download_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let s: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).await.unwrap());
    one_download(s.clone()).await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    refused(sqlx::query("UPDATE downloads SET seed = 'forged'").execute(&pool).await.map(|_| ()), "downloads");
    refused(sqlx::query("DELETE FROM downloads").execute(&pool).await.map(|_| ()), "downloads");
    assert_eq!(s.list_downloads(None).await.unwrap()[0].seed, "ab".repeat(16));
}

#[tokio::test]
async fn postgres_refuses_download_rewrites() {
    let Some(url) = pg_url() else { return };
    let schema = format!("gs_test_downloads_{}", rand_suffix());
    let s: Arc<dyn Store> = Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
    one_download(s.clone()).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for sql in [
        format!("UPDATE {schema}.downloads SET seed = 'forged'"),
        format!("DELETE FROM {schema}.downloads"),
        format!("TRUNCATE {schema}.downloads"),
    ] {
        refused(sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await.map(|_| ()), "downloads");
    }
    assert_eq!(s.list_downloads(None).await.unwrap()[0].seed, "ab".repeat(16));
}

/// Departments' information systems: registered, listed, renamed, retired; a name is unique in
/// its department only; an account bound to a system keeps it through every way of reading it.
async fn information_systems_and_their_accounts(s: Arc<dyn Store>) {
    let fx = fixture(s).await;
    let spec = |department_id: i64, name: &str, description: Option<&str>| SystemSpec {
        department_id,
        name: name.into(),
        description: description.map(str::to_string),
    };
    let relief = fx.s.create_system(&spec(fx.consumer, "社会救助管理系统", Some("低保审核")), t(2)).await.unwrap();
    assert_eq!(
        relief,
        System {
            id: relief.id,
            department_id: fx.consumer,
            name: "社会救助管理系统".into(),
            description: Some("低保审核".into()),
            active: true,
            created_at: t(2),
            updated_at: t(2),
        }
    );
    let marriage = fx.s.create_system(&spec(fx.consumer, "婚姻登记系统", None), t(3)).await.unwrap();
    // The same name in the same department is refused; in another department it is another system.
    conflict(
        fx.s.create_system(&spec(fx.consumer, "社会救助管理系统", None), t(4)).await,
        "本部门已登记同名的信息系统",
    );
    let elsewhere = fx.s.create_system(&spec(fx.other, "社会救助管理系统", None), t(4)).await.unwrap();
    assert_ne!(elsewhere.id, relief.id);
    assert_eq!(fx.s.get_system(marriage.id).await.unwrap(), marriage);
    assert_eq!(fx.s.list_systems(Some(fx.consumer)).await.unwrap(), vec![relief.clone(), marriage.clone()]);
    assert_eq!(fx.s.list_systems(Some(fx.provider)).await.unwrap(), vec![]);
    let all: Vec<i64> = fx.s.list_systems(None).await.unwrap().iter().map(|x| x.id).collect();
    assert_eq!(all, vec![relief.id, marriage.id, elsewhere.id], "by department, then id");

    let retired = fx.s.update_system(marriage.id, "婚姻登记管理系统", None, false, t(5)).await.unwrap();
    assert_eq!(
        (retired.name.as_str(), retired.active, retired.created_at, retired.updated_at),
        ("婚姻登记管理系统", false, t(3), t(5))
    );
    assert_eq!(fx.s.get_system(marriage.id).await.unwrap(), retired);
    // Renaming onto a name the department uses is refused too.
    conflict(fx.s.update_system(retired.id, "社会救助管理系统", None, false, t(6)).await, "本部门已登记同名的信息系统");
    not_found(fx.s.get_system(elsewhere.id + 100).await, &format!("信息系统 {}", elsewhere.id + 100));
    not_found(
        fx.s.update_system(elsewhere.id + 100, "x系统", None, true, t(6)).await,
        &format!("信息系统 {}", elsewhere.id + 100),
    );

    // An account of a system, and a person beside it.
    let account =
        fx.s.create_user(
            &NewUser {
                username: "mzj_relief".into(),
                display_name: "社会救助管理系统".into(),
                department_id: fx.consumer,
                roles: vec![Role::DataConsumer],
                password_hash: None,
                system_id: Some(relief.id),
            },
            t(6),
        )
        .await
        .unwrap();
    assert_eq!(account.system_id, Some(relief.id));
    assert_eq!(fx.s.get_user(account.id).await.unwrap().system_id, Some(relief.id));
    assert_eq!(fx.s.find_user_by_username("mzj_relief").await.unwrap().unwrap().system_id, Some(relief.id));
    assert_eq!(fx.s.get_user(fx.applicant).await.unwrap().system_id, None);
    let listed = fx.s.list_users(Some(fx.consumer), PageRequest::default()).await.unwrap();
    assert_eq!(
        listed.items.iter().map(|u| (u.id, u.system_id)).collect::<Vec<_>>(),
        vec![(fx.applicant, None), (account.id, Some(relief.id))]
    );
    fx.s.create_token(
        &NewToken {
            user_id: account.id,
            name: "接入".into(),
            prefix: "gs_sys".into(),
            hash: "hs".into(),
            expires_at: None,
        },
        t(6),
    )
    .await
    .unwrap();
    let (_, user) = fx.s.authenticate_token("hs", t(7)).await.unwrap().unwrap();
    assert_eq!((user.id, user.system_id), (account.id, Some(relief.id)));
    // A system that does not exist cannot be referenced.
    let users = fx.s.count_users().await.unwrap();
    let dangling = NewUser {
        username: "ghost".into(),
        display_name: "ghost".into(),
        department_id: fx.consumer,
        roles: vec![Role::DataConsumer],
        password_hash: None,
        system_id: Some(elsewhere.id + 100),
    };
    assert!(matches!(fx.s.create_user(&dangling, t(7)).await, Err(StoreError::Backend(_))));
    assert_eq!(fx.s.count_users().await.unwrap(), users);
}
