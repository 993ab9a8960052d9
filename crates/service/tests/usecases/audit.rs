//! The audit trail: every write leaves an event with its action, its actor and its object, and
//! the auditor (only the auditor) reads them.

use domain::account::Role;
use domain::currency::ChangeKind;
use domain::org::DepartmentSpec;
use service::accounts::{self, UserInput};
use service::{audit, catalog, currency, interchange_io};
use store::model::{AuditEvent, AuditFilter, PageRequest};

use crate::world::*;

/// Every event the auditor can list, page by page.
async fn trail(w: &World, filter: AuditFilter) -> Vec<AuditEvent> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = audit::list(&w.svc, &w.auditor, &filter, PageRequest { after, limit: 7 }).await.unwrap();
        out.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    out
}

#[tokio::test]
async fn every_write_leaves_an_event_with_its_actor() {
    let w = World::new().await;
    let svc = &w.svc;
    let setup = trail(&w, AuditFilter::default()).await;
    // The world itself: the bootstrap (no actor), then the admin's departments and categories.
    assert_eq!(setup[0].action, "platform.bootstrap");
    assert_eq!(setup[0].user_id, None);
    let setup_actions: Vec<&str> = setup.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        setup_actions,
        [
            "platform.bootstrap",
            "department.create",
            "department.create",
            "category.create",
            "category.create",
            "category.create",
            "category.create"
        ]
    );
    assert!(setup[1..].iter().all(|e| e.user_id == Some(w.admin.user_id) && e.username.as_deref() == Some("admin")));
    let mark = setup.last().unwrap().id;

    w.at(cst(2026, 9, 21, 10, 0));
    let r = catalog::create(svc, &w.editor_a, None, spec("审计用资源", CAT_A)).await.unwrap();
    let mut s = r.spec.clone();
    s.summary = "改摘要".into();
    catalog::update(svc, &w.editor_a, &r.code, Some(1), s).await.unwrap();
    catalog::submit(svc, &w.editor_a, &r.code).await.unwrap();
    catalog::return_to_draft(svc, &w.approver_a, &r.code, Some("请补充".into())).await.unwrap();
    catalog::submit(svc, &w.editor_a, &r.code).await.unwrap();
    catalog::recall(svc, &w.editor_a, &r.code).await.unwrap();
    catalog::submit(svc, &w.editor_a, &r.code).await.unwrap();
    catalog::publish(svc, &w.approver_a, &r.code).await.unwrap();
    w.at(cst(2026, 9, 28, 10, 0));
    let change = currency::record_change(
        svc,
        &w.editor_a,
        currency::ChangeInput {
            department_id: None,
            kind: ChangeKind::DutyChange,
            description: "三定方案调整".into(),
            effective_date: date(2026, 9, 25),
            resource_ids: vec![],
        },
    )
    .await
    .unwrap();
    let mut entries = interchange_io::export_entries(svc, &w.editor_a, Default::default()).await.unwrap();
    entries[0].spec.summary = "导入修订".into();
    let parsed = interchange::import_json(&interchange::export_json(&entries));
    interchange_io::import(svc, &w.editor_a, None, parsed, interchange_io::ImportMode::AllOrNothing).await.unwrap();
    catalog::withdraw(svc, &w.approver_a, &r.code, Some("停止提供".into())).await.unwrap();
    let token = accounts::create_token(svc, &w.editor_a, "脚本", None).await.unwrap();
    accounts::revoke_token(svc, &w.editor_a, token.token.id).await.unwrap();
    let u = accounts::create_user(
        svc,
        &w.admin,
        UserInput {
            username: "newbie".into(),
            display_name: "新人".into(),
            department_id: w.a.id,
            roles: vec![Role::DataConsumer],
            password: None,
        },
    )
    .await
    .unwrap();
    accounts::update_user(svc, &w.admin, u.id, vec![Role::DataConsumer, Role::CatalogEditor], true).await.unwrap();
    let cat = catalog::create_category(svc, &w.admin, "307003", "交通").await.unwrap();
    let dept = accounts::create_department(
        svc,
        &w.admin,
        DepartmentSpec {
            name: "示例市交通局".into(),
            credit_code: None,
            local_code: Some("SLS-JTJ".into()),
            parent_id: None,
            platform_id: w.a.spec.platform_id,
        },
    )
    .await
    .unwrap();
    // Refused attempts leave no event of the kind they attempted.
    assert!(catalog::create(svc, &w.auditor, None, spec("x", CAT_A)).await.is_err());
    assert!(
        accounts::create_user(
            svc,
            &w.editor_a,
            UserInput {
                username: "nope".into(),
                display_name: "x".into(),
                department_id: w.a.id,
                roles: vec![Role::Admin],
                password: None
            }
        )
        .await
        .is_err()
    );

    let events: Vec<AuditEvent> = trail(&w, AuditFilter::default()).await.into_iter().filter(|e| e.id > mark).collect();
    let got: Vec<(&str, &str, Option<&str>)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.username.as_deref().unwrap_or("-"), e.object_id.as_deref()))
        .collect();
    let code = Some(r.code.as_str());
    let token_id = token.token.id.to_string();
    let user_id = u.id.to_string();
    let change_id = change.change.id.to_string();
    let dept_id = dept.id.to_string();
    assert_eq!(
        got,
        [
            ("resource.create", "gaj_editor", code),
            ("resource.update", "gaj_editor", code),
            ("resource.submit", "gaj_editor", code),
            ("resource.return", "gaj_approver", code),
            ("resource.submit", "gaj_editor", code),
            ("resource.recall", "gaj_editor", code),
            ("resource.submit", "gaj_editor", code),
            ("resource.publish", "gaj_approver", code),
            ("currency.record", "gaj_editor", Some(change_id.as_str())),
            ("resource.import", "gaj_editor", code),
            ("resource.withdraw", "gaj_approver", code),
            ("token.create", "gaj_editor", Some(token_id.as_str())),
            ("token.revoke", "gaj_editor", Some(token_id.as_str())),
            ("user.create", "admin", Some(user_id.as_str())),
            ("user.update", "admin", Some(user_id.as_str())),
            ("category.create", "admin", Some(cat.code.as_str())),
            ("department.create", "admin", Some(dept_id.as_str())),
        ]
    );
    for e in &events {
        let (uid, dept) = match e.username.as_deref() {
            Some("gaj_editor") => (w.editor_a.user_id, w.a.id),
            Some("gaj_approver") => (w.approver_a.user_id, w.a.id),
            Some("admin") => (w.admin.user_id, w.ops_id),
            other => panic!("unexpected actor {other:?}"),
        };
        assert_eq!((e.user_id, e.department_id), (Some(uid), Some(dept)), "{}", e.action);
    }
    // Times come from the clock.
    assert_eq!(events[0].at, cst(2026, 9, 21, 10, 0));
    assert_eq!(events.last().unwrap().at, cst(2026, 9, 28, 10, 0));
    // Details say what happened.
    let publish = events.iter().find(|e| e.action == "resource.publish").unwrap();
    assert_eq!(publish.detail["status"], "published");
    assert_eq!(publish.detail["id"], r.id);
    let withdraw = events.iter().find(|e| e.action == "resource.withdraw").unwrap();
    assert_eq!(withdraw.detail["comment"], "停止提供");
    let update = events.iter().find(|e| e.action == "resource.update").unwrap();
    assert_eq!(update.detail["changed_fields"], serde_json::json!(["summary"]));
    let created = events.iter().find(|e| e.action == "user.create").unwrap();
    assert_eq!(created.detail["username"], "newbie");

    // Filters.
    let resource_events =
        trail(&w, AuditFilter { action_prefix: Some("resource.".into()), ..Default::default() }).await;
    assert_eq!(resource_events.len(), 10);
    let approver = trail(&w, AuditFilter { user_id: Some(w.approver_a.user_id), ..Default::default() }).await;
    assert_eq!(
        approver.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["resource.return", "resource.publish", "resource.withdraw"]
    );
    let of_entry = trail(
        &w,
        AuditFilter { object_type: Some("resource".into()), object_id: Some(r.code.clone()), ..Default::default() },
    )
    .await;
    assert_eq!(of_entry.len(), 10);
}
