//! Attempts to get around permissions. Each must fail with Forbidden or NotFound and leave
//! nothing written; other departments' drafts are invisible, not merely forbidden.

use domain::account::Role;
use domain::catalog::{ResourceCode, ResourceStatus};
use domain::currency::ChangeKind;
use domain::org::DepartmentSpec;
use service::accounts::{self, UserInput};
use service::{ServiceError, audit, catalog, currency};
use store::model::{AuditFilter, PageRequest, Resource, ResourceFilter};

use crate::world::*;

/// Department B's entries: a draft, a submitted one and a published one (307002/000001..3).
async fn b_entries(w: &World) -> (Resource, Resource, Resource) {
    let svc = &w.svc;
    let draft = catalog::create(svc, &w.editor_b, None, spec("低保对象信息（草稿）", CAT_B)).await.unwrap();
    let submitted = catalog::create(svc, &w.editor_b, None, spec("婚姻登记信息（待审）", CAT_B)).await.unwrap();
    let submitted = catalog::submit(svc, &w.editor_b, &submitted.code).await.unwrap();
    let published = w.published(&w.editor_b, &w.approver_b, spec("社会组织登记信息", CAT_B)).await;
    assert_eq!(
        [draft.code.as_str(), submitted.code.as_str(), published.code.as_str()],
        ["307002/000001", "307002/000002", "307002/000003"]
    );
    (draft, submitted, published)
}

#[tokio::test]
async fn an_editor_cannot_write_another_departments_catalogue() {
    let w = World::new().await;
    let svc = &w.svc;
    let (draft, submitted, published) = b_entries(&w).await;
    let before = w.snapshot().await;

    let e = catalog::create(svc, &w.editor_a, Some(w.b.id), spec("冒名编目", CAT_B)).await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "create for B: {e:?}");
    let e = catalog::check_for(svc, &w.editor_a, w.b.id, spec("冒名编目", CAT_B)).await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "check for B: {e:?}");
    for key in [draft.id.to_string(), draft.code.clone()] {
        assert_forbidden_or_not_found(
            catalog::update(svc, &w.editor_a, &key, None, draft.spec.clone()).await,
            "update B's draft",
        );
        assert_forbidden_or_not_found(catalog::submit(svc, &w.editor_a, &key).await, "submit B's draft");
    }
    assert_forbidden_or_not_found(catalog::recall(svc, &w.editor_a, &submitted.code).await, "recall B's entry");
    let mut revised = published.spec.clone();
    revised.summary = "被其他部门篡改".into();
    let e = catalog::update(svc, &w.editor_a, &published.code, Some(published.version), revised).await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "update B's published entry: {e:?}");
    assert_forbidden_or_not_found(
        catalog::withdraw(svc, &w.editor_a, &published.code, Some("x".into())).await,
        "withdraw",
    );
    // Nor record a change of duties for B.
    let input = currency::ChangeInput {
        department_id: Some(w.b.id),
        kind: ChangeKind::DutyChange,
        description: "机构改革".into(),
        effective_date: date(2026, 3, 2),
        resource_ids: vec![published.id],
    };
    assert_forbidden(currency::record_change(svc, &w.editor_a, input).await, "record a change for B");

    assert_eq!(w.snapshot().await, before, "refused attempts write nothing");
    // And consumed no code number: B's next entry in 307002 is the fourth.
    let next = catalog::create(svc, &w.editor_b, None, spec("下一条", CAT_B)).await.unwrap();
    assert_eq!(next.code, "307002/000004");
}

#[tokio::test]
async fn an_approver_reviews_only_their_department_and_the_coordinator_reviews_all() {
    let w = World::new().await;
    let svc = &w.svc;
    let (_, submitted, published) = b_entries(&w).await;
    let before = w.snapshot().await;
    assert_forbidden_or_not_found(catalog::publish(svc, &w.approver_a, &submitted.code).await, "publish B's entry");
    assert_forbidden_or_not_found(
        catalog::publish(svc, &w.approver_a, &submitted.id.to_string()).await,
        "publish by id",
    );
    assert_forbidden_or_not_found(
        catalog::return_to_draft(svc, &w.approver_a, &submitted.code, Some("越权退回".into())).await,
        "return B's entry",
    );
    let e = catalog::withdraw(svc, &w.approver_a, &published.code, Some("越权注销".into())).await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "withdraw B's published entry: {e:?}");
    assert_eq!(w.snapshot().await, before);

    // The coordinator publishes any department's submitted entries.
    w.at(cst(2026, 3, 4, 10, 0));
    let p = catalog::publish(svc, &w.coordinator, &submitted.code).await.unwrap();
    assert_eq!((p.status, p.spec.publish_date), (ResourceStatus::Published, Some(date(2026, 3, 4))));
    let last = w.history(p.id).await.pop().unwrap();
    assert_eq!((last.change.action.as_str(), last.change.user_id), ("publish", w.coordinator.user_id));
    let a = catalog::create(svc, &w.editor_a, None, spec("公安资源", CAT_A)).await.unwrap();
    catalog::submit(svc, &w.editor_a, &a.code).await.unwrap();
    assert_eq!(catalog::publish(svc, &w.coordinator, &a.code).await.unwrap().status, ResourceStatus::Published);
    // …but compiles none.
    let e = catalog::create(svc, &w.coordinator, Some(w.a.id), spec("协调员编目", CAT_A)).await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "{e:?}");
}

#[tokio::test]
async fn the_auditor_changes_nothing() {
    let w = World::new().await;
    let svc = &w.svc;
    let (draft, submitted, published) = b_entries(&w).await;
    let before = w.snapshot().await;
    let au = &w.auditor;

    assert_forbidden(catalog::create(svc, au, None, spec("审计员编目", CAT_A)).await, "create");
    assert_forbidden(catalog::create(svc, au, Some(w.b.id), spec("审计员编目", CAT_B)).await, "create for B");
    assert_forbidden(catalog::update(svc, au, &draft.code, None, draft.spec.clone()).await, "update draft");
    assert_forbidden(catalog::update(svc, au, &published.code, None, published.spec.clone()).await, "update published");
    assert_forbidden(catalog::submit(svc, au, &draft.code).await, "submit");
    assert_forbidden(catalog::publish(svc, au, &submitted.code).await, "publish");
    assert_forbidden(catalog::return_to_draft(svc, au, &submitted.code, Some("x".into())).await, "return");
    assert_forbidden(catalog::withdraw(svc, au, &published.code, Some("x".into())).await, "withdraw");
    assert_forbidden(catalog::create_category(svc, au, "307003", "审计").await, "create category");
    let input = UserInput {
        username: "sneaky".into(),
        display_name: "冒充".into(),
        department_id: w.a.id,
        roles: vec![Role::Admin],
        password: None,
    };
    assert_forbidden(accounts::create_user(svc, au, input).await, "create user");
    assert_forbidden(
        accounts::update_user(svc, au, w.editor_a.user_id, vec![Role::Approver], true).await,
        "update user",
    );
    assert_forbidden(accounts::list_users(svc, au, None, PageRequest::default()).await, "list users");
    let dept = DepartmentSpec {
        name: "审计新设部门".into(),
        credit_code: None,
        local_code: Some("SLS-SJ".into()),
        parent_id: None,
        platform_id: w.a.spec.platform_id,
    };
    assert_forbidden(accounts::create_department(svc, au, dept).await, "create department");
    let input = currency::ChangeInput {
        department_id: Some(w.b.id),
        kind: ChangeKind::DutyChange,
        description: "x".into(),
        effective_date: date(2026, 3, 2),
        resource_ids: vec![],
    };
    assert_forbidden(currency::record_change(svc, au, input).await, "record change");
    assert_eq!(w.snapshot().await, before);

    // What the auditor may do: read everything, the audit trail included.
    assert_eq!(catalog::get(svc, au, &draft.code).await.unwrap().id, draft.id);
    assert!(audit::list(svc, au, &AuditFilter::default(), PageRequest::default()).await.unwrap().total > 0);
}

#[tokio::test]
async fn the_admin_cannot_read_the_audit_trail_nor_compile_entries() {
    let w = World::new().await;
    let svc = &w.svc;
    let before = w.snapshot().await;
    let e = audit::list(svc, &w.admin, &AuditFilter::default(), PageRequest::default()).await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "三员分立: {e:?}");
    let e = audit::list(
        svc,
        &w.admin,
        &AuditFilter { user_id: Some(w.admin.user_id), ..Default::default() },
        PageRequest::default(),
    )
    .await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "not even their own events: {e:?}");
    for who in [&w.editor_a, &w.approver_a, &w.coordinator, &w.consumer_a] {
        let e = audit::list(svc, who, &AuditFilter::default(), PageRequest::default()).await;
        assert!(matches!(e, Err(ServiceError::Forbidden(_))), "{}: {e:?}", who.username);
    }
    assert_forbidden(catalog::create(svc, &w.admin, Some(w.a.id), spec("管理员编目", CAT_A)).await, "admin create");
    assert_eq!(w.snapshot().await, before);
}

#[tokio::test]
async fn a_consumer_reads_but_creates_nothing() {
    let w = World::new().await;
    let svc = &w.svc;
    let own = catalog::create(svc, &w.editor_a, None, spec("本部门草稿", CAT_A)).await.unwrap();
    let (_, _, published) = b_entries(&w).await;
    let before = w.snapshot().await;
    let c = &w.consumer_a;
    assert_forbidden(catalog::create(svc, c, None, spec("使用员编目", CAT_A)).await, "create");
    assert_forbidden(catalog::update(svc, c, &own.code, None, own.spec.clone()).await, "update own department's draft");
    assert_forbidden(catalog::submit(svc, c, &own.code).await, "submit");
    assert_forbidden(catalog::publish(svc, c, &own.code).await, "publish");
    assert_forbidden(catalog::create_category(svc, c, "307003", "x").await, "category");
    assert_eq!(w.snapshot().await, before);
    // Reading is allowed: the department's own draft and others' published entries.
    assert_eq!(catalog::get(svc, c, &own.code).await.unwrap().id, own.id);
    assert_eq!(catalog::get(svc, c, &published.code).await.unwrap().id, published.id);
}

#[tokio::test]
async fn other_departments_drafts_are_invisible() {
    let w = World::new().await;
    let svc = &w.svc;
    let own = catalog::create(svc, &w.editor_a, None, spec("本部门草稿", CAT_A)).await.unwrap();
    let (draft, submitted, published) = b_entries(&w).await;

    for who in [&w.editor_a, &w.approver_a, &w.consumer_a] {
        for hidden in [&draft, &submitted] {
            for key in [hidden.id.to_string(), hidden.code.clone()] {
                assert_not_found(catalog::get(svc, who, &key).await, &format!("{} get {key}", who.username));
                assert_not_found(catalog::history(svc, who, &key).await, &format!("{} history {key}", who.username));
            }
        }
        for key in [published.id.to_string(), published.code.clone()] {
            assert_eq!(catalog::get(svc, who, &key).await.unwrap().id, published.id);
            assert_eq!(catalog::history(svc, who, &key).await.unwrap().len(), 3);
        }
        assert_eq!(catalog::get(svc, who, &own.code).await.unwrap().id, own.id);

        // Lists never include B's drafts, whatever the filter asks for.
        for filter in [
            ResourceFilter::default(),
            ResourceFilter { department_id: Some(w.b.id), ..Default::default() },
            ResourceFilter { status: Some(ResourceStatus::Draft), ..Default::default() },
            ResourceFilter { status: Some(ResourceStatus::Submitted), ..Default::default() },
            ResourceFilter { visible_to_department: Some(w.b.id), ..Default::default() },
            ResourceFilter { text: Some("草稿".into()), ..Default::default() },
        ] {
            let page = catalog::list(svc, who, filter.clone(), PageRequest { after: None, limit: 100 }).await.unwrap();
            for r in &page.items {
                assert!(
                    r.department_id == w.a.id || r.status == ResourceStatus::Published,
                    "{} sees {} ({:?}) with {filter:?}",
                    who.username,
                    r.code,
                    r.status
                );
            }
            assert_eq!(page.total as usize, page.items.len());
        }
        let all =
            catalog::list(svc, who, ResourceFilter::default(), PageRequest { after: None, limit: 100 }).await.unwrap();
        let mut ids: Vec<i64> = all.items.iter().map(|r| r.id).collect();
        ids.sort();
        assert_eq!(ids, [own.id, published.id]);
    }
    // Those who see everything do see them.
    for who in [&w.coordinator, &w.auditor, &w.admin] {
        assert_eq!(catalog::get(svc, who, &draft.code).await.unwrap().id, draft.id);
        let all =
            catalog::list(svc, who, ResourceFilter::default(), PageRequest { after: None, limit: 100 }).await.unwrap();
        assert_eq!(all.total, 4);
    }
    // B's own staff see their drafts.
    assert_eq!(catalog::get(svc, &w.approver_b, &draft.id.to_string()).await.unwrap().id, draft.id);
}

/// "Do not leak existence": asking for another department's draft by id must read exactly like
/// asking for an id that does not exist.
#[tokio::test]
async fn a_hidden_draft_reads_exactly_like_a_missing_one() {
    let w = World::new().await;
    let svc = &w.svc;
    let (draft, _, _) = b_entries(&w).await;
    let missing_id = 987_654_i64;
    let hidden = catalog::get(svc, &w.editor_a, &draft.id.to_string()).await.unwrap_err();
    let missing = catalog::get(svc, &w.editor_a, &missing_id.to_string()).await.unwrap_err();
    assert!(matches!(hidden, ServiceError::NotFound(_)) && matches!(missing, ServiceError::NotFound(_)));
    assert_eq!(
        hidden.to_string().replace(&format!("“{}”", draft.id), "“N”"),
        missing.to_string().replace(&format!("“{missing_id}”"), "“N”"),
        "the message for a hidden draft differs from the one for a missing id"
    );
    // By code the two read alike.
    let hidden = catalog::get(svc, &w.editor_a, &draft.code).await.unwrap_err();
    let missing = catalog::get(svc, &w.editor_a, "307002/999999").await.unwrap_err();
    assert_eq!(hidden.to_string().replace(&draft.code, "C"), missing.to_string().replace("307002/999999", "C"));
}

/// A draft withdrawn before it was ever published was never in the shared catalogue: it stays
/// the department's own business.
#[tokio::test]
async fn a_withdrawn_draft_of_another_department_stays_hidden() {
    let w = World::new().await;
    let svc = &w.svc;
    let (draft, _, _) = b_entries(&w).await;
    let gone = catalog::withdraw(svc, &w.approver_b, &draft.code, Some("重复编目".into())).await.unwrap();
    assert_eq!((gone.status, gone.published_at), (ResourceStatus::Withdrawn, None));
    assert_not_found(catalog::get(svc, &w.editor_a, &draft.code).await, "get a never-published withdrawn draft of B");
    let all = catalog::list(svc, &w.editor_a, ResourceFilter::default(), PageRequest { after: None, limit: 100 })
        .await
        .unwrap();
    assert!(!all.items.iter().any(|r| r.id == draft.id), "listed to another department");
}

/// Relating an entry to a code is an existence check: it must not reveal other departments'
/// drafts (which read as "不存在" everywhere else).
#[tokio::test]
async fn related_codes_do_not_reveal_other_departments_drafts() {
    let w = World::new().await;
    let svc = &w.svc;
    let (draft, submitted, published) = b_entries(&w).await;
    // A published entry of B can be related to.
    let mut ok = spec("关联B的已发布资源", CAT_A);
    ok.related_codes = vec![ResourceCode::parse(&published.code).unwrap()];
    catalog::create(svc, &w.editor_a, None, ok).await.unwrap();
    for hidden in [&draft, &submitted] {
        let mut probe = spec("探测", CAT_A);
        probe.related_codes = vec![ResourceCode::parse(&hidden.code).unwrap()];
        let r = catalog::create(svc, &w.editor_a, None, probe).await;
        match r {
            Err(e) => assert_eq!(fields(&e), ["related_codes[0]"]),
            Ok(r) => panic!("{} related to B's {:?} entry {} that A cannot see", r.code, hidden.status, hidden.code),
        }
    }
}

/// The import checks the codes it is given; what it says about another department's draft must
/// read like what it says about a code that does not exist.
#[tokio::test]
async fn import_does_not_reveal_other_departments_drafts() {
    let w = World::new().await;
    let svc = &w.svc;
    let (draft, _, _) = b_entries(&w).await;

    // Import: a row carrying the code of B's draft, and one carrying a code that does not exist.
    let row =
        |code: &str| interchange::Entry { code: Some(code.into()), status: None, spec: spec("导入探测", CAT_A) };
    let missing_code = "307002/999999";
    let parsed = interchange::import_json(&interchange::export_json(&[row(&draft.code), row(missing_code)]));
    let report =
        service::interchange_io::import(svc, &w.editor_a, None, parsed, service::interchange_io::ImportMode::DryRun)
            .await
            .unwrap();
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    assert_eq!(
        report.errors[0].message.replace(&draft.code, "C"),
        report.errors[1].message.replace(missing_code, "C"),
        "import tells B's hidden draft apart from a missing code"
    );
}

/// Recording a change checks the ids it is given; what it says about another department's draft
/// must read like what it says about an id that does not exist (and not reveal the draft's code).
#[tokio::test]
async fn record_change_does_not_reveal_other_departments_drafts() {
    let w = World::new().await;
    let svc = &w.svc;
    let (draft, _, _) = b_entries(&w).await;
    let p = w.published(&w.editor_a, &w.approver_a, spec("A的资源", CAT_A)).await;
    let missing_id = 987_654_i64;
    let probe = |id: i64| currency::ChangeInput {
        department_id: None,
        kind: ChangeKind::DutyChange,
        description: "探测".into(),
        effective_date: date(2026, 3, 2),
        resource_ids: vec![p.id, id],
    };
    let hidden = err(currency::record_change(svc, &w.editor_a, probe(draft.id)).await);
    let missing = err(currency::record_change(svc, &w.editor_a, probe(missing_id)).await);
    assert!(!hidden.to_string().contains(&draft.code), "the error reveals the code of B's hidden draft: {hidden}");
    assert_eq!(
        hidden.to_string().replace(&format!("“{}”", draft.id), "“N”"),
        missing.to_string().replace(&format!("“{missing_id}”"), "“N”"),
        "record_change tells B's hidden draft apart from a missing id"
    );
}
