//! The open-data portal's public side (developer keys, apps, applications for 有条件开放 data) —
//! run against every backend like the rest of the suite.

use std::sync::Arc;

use domain::catalog::ResourceStatus;
use domain::portal::{AppStatus, OpenRequestStatus};
use store::Store;
use store::model::*;
use store::portal_store::*;

use super::{change, platform_and_dept, postgres, spec, sqlite, t};

both!(developer_keys);
both!(apps_and_open_requests);

async fn developer_keys(s: Arc<dyn Store>) {
    let new = NewDeveloperKey {
        key_hash: "h1".into(),
        prefix: "gso_abcdef".into(),
        name: "张开发".into(),
        organisation: None,
        email: "dev@example.com".into(),
        intended_use: "公交查询".into(),
        created_at: t(1),
    };
    let k = s.create_developer_key(&new).await.unwrap();
    assert_eq!(k.calls, 0);
    assert!(s.create_developer_key(&new).await.is_err(), "one row per hash");
    s.record_developer_key_use(k.id, t(2)).await.unwrap();
    s.record_developer_key_use(k.id, t(3)).await.unwrap();
    let found = s.developer_key_by_hash("h1").await.unwrap().unwrap();
    assert_eq!((found.calls, found.last_used_at), (2, Some(t(3))));
    assert!(s.developer_key_by_hash("h2").await.unwrap().is_none());
    let revoked = s.revoke_developer_key("h1", t(4)).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(t(4)));
    assert!(s.revoke_developer_key("h1", t(5)).await.unwrap().is_none(), "revoked once");
}

async fn apps_and_open_requests(s: Arc<dyn Store>) {
    let (_, dept) = platform_and_dept(&s).await;
    let app = |name: &str| NewPortalApp {
        name: name.into(),
        description: "说明".into(),
        url: "https://a.example.cn".into(),
        developer: "某公司".into(),
        contact: "a@b.cn".into(),
        datasets: vec!["307001/000001".into()],
        submitted_at: t(1),
    };
    let a = s.create_portal_app(&app("甲")).await.unwrap();
    let b = s.create_portal_app(&app("乙")).await.unwrap();
    assert_eq!(a.status, AppStatus::Pending);
    assert_eq!(a.datasets, vec!["307001/000001".to_string()]);
    // `reviewed_by` references users.
    let user = s
        .create_user(
            &NewUser {
                username: "coord".into(),
                display_name: "协调员".into(),
                department_id: dept,
                roles: vec![domain::account::Role::Coordinator],
                password_hash: None,
                system_id: None,
            },
            t(1),
        )
        .await
        .unwrap();
    let decision = PortalDecision { status: AppStatus::Approved, reason: None, by: user.id, at: t(2) };
    let done = s.decide_portal_app(a.id, &decision).await.unwrap().unwrap();
    assert_eq!((done.status, done.reviewed_by), (AppStatus::Approved, Some(user.id)));
    assert!(s.decide_portal_app(a.id, &decision).await.unwrap().is_none(), "decided once");
    let approved = s.list_portal_apps(Some(AppStatus::Approved), PageRequest::default()).await.unwrap();
    assert_eq!(approved.items.iter().map(|x| x.id).collect::<Vec<_>>(), vec![a.id]);
    let pending = s.list_portal_apps(Some(AppStatus::Pending), PageRequest::default()).await.unwrap();
    assert_eq!(pending.items.iter().map(|x| x.id).collect::<Vec<_>>(), vec![b.id]);

    let r = s
        .create_resource(&NewResource {
            code: "307001/000001".into(),
            department_id: dept,
            status: ResourceStatus::Published,
            spec: spec("出生登记信息", "307001"),
            change: change("create", t(1)),
            diff: vec![],
        })
        .await
        .unwrap();
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let q = s
        .create_open_request(&NewOpenRequest {
            reference: "KFABCDEFGH2345".into(),
            resource_id: r.id,
            department_id: dept,
            applicant: "王".into(),
            organisation: "大学".into(),
            contact: "w@u.edu.cn".into(),
            purpose: "研究".into(),
            intended_use: "统计".into(),
            period_from: day("2026-03-02"),
            period_to: day("2026-09-01"),
            deadline: day("2026-03-16"),
            deadline_provisional: true,
            submitted_at: t(1),
        })
        .await
        .unwrap();
    assert_eq!((q.status, q.deadline, q.deadline_provisional), (OpenRequestStatus::Pending, day("2026-03-16"), true));
    // Counted from the day of submission in China Standard Time.
    let provisional = ProvisionalDeadline {
        of: DeadlineOf::OpenRequest,
        id: q.id,
        start: store::time::cst_date(t(1)),
        due: day("2026-03-16"),
    };
    assert_eq!(s.provisional_deadlines().await.unwrap(), vec![provisional]);
    let exact = domain::calendar::Deadline { date: day("2026-03-17"), provisional: false };
    assert!(s.move_provisional_deadline(DeadlineOf::OpenRequest, q.id, day("2026-03-16"), exact).await.unwrap());
    assert!(!s.move_provisional_deadline(DeadlineOf::OpenRequest, q.id, day("2026-03-16"), exact).await.unwrap());
    let moved = s.get_open_request(q.id).await.unwrap();
    assert_eq!((moved.deadline, moved.deadline_provisional, moved.status), (day("2026-03-17"), false, q.status));
    assert!(s.provisional_deadlines().await.unwrap().is_empty());
    assert_eq!(s.open_request_by_reference("KFABCDEFGH2345").await.unwrap().unwrap().id, q.id);
    assert!(s.open_request_by_reference("KFNONE").await.unwrap().is_none());
    let listed =
        s.list_open_requests(Some(dept), Some(OpenRequestStatus::Pending), PageRequest::default()).await.unwrap();
    assert_eq!(listed.total, 1);
    assert_eq!(s.list_open_requests(Some(dept + 1), None, PageRequest::default()).await.unwrap().total, 0);
    let answer =
        PortalDecision {
            status: OpenRequestStatus::Refused, reason: Some("不符合条件".into()), by: user.id, at: t(3)
        };
    let answered = s.answer_open_request(q.id, &answer).await.unwrap().unwrap();
    assert_eq!(answered.reason.as_deref(), Some("不符合条件"));
    assert!(s.answer_open_request(q.id, &answer).await.unwrap().is_none(), "answered once");
}
