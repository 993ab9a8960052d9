//! One story, run against every backend: SQLite always, PostgreSQL when
//! `GOVSHARE_TEST_POSTGRES_URL` is set (CI sets it).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use domain::account::Role;
use domain::calendar::Deadline;
use domain::catalog::{
    CategoryNode, DataItem, Format, FormatClass, OpenType, ResourceSpec, ResourceStatus, ShareMethod, ShareType,
    UpdateCycle, category::guide_categories, diff::diff,
};
use domain::currency::ChangeKind;
use domain::org::{DepartmentSpec, PlatformLevel, PlatformSpec};
use store::model::*;
use store::{PgStore, SqliteStore, Store, StoreError};

fn pg_url() -> Option<String> {
    std::env::var("GOVSHARE_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(&dir.path().join("govshare.db")).await.unwrap();
    (Arc::new(s), dir)
}

async fn postgres() -> Option<Arc<dyn Store>> {
    let url = pg_url()?;
    let schema = format!("gs_test_{}_{}", std::process::id(), rand_suffix());
    Some(Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap()))
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    t % 1_000_000_007 + N.fetch_add(1, Ordering::SeqCst)
}

macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let (s, _dir) = super::sqlite().await;
                super::$name(s).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let Some(s) = super::postgres().await else {
                    eprintln!("skip: GOVSHARE_TEST_POSTGRES_URL unset");
                    return;
                };
                super::$name(s).await;
            }
        }
    };
}

both!(departments_and_users);
both!(tokens);
both!(categories);
both!(catalogue_versions);
both!(concurrent_codes);
both!(listing_and_filters);
both!(duty_changes);
both!(audit_is_append_only);
both!(dataset_versions);

// After `both!`, which they use.
mod elements;
mod portal;
mod sharing;
mod web;

fn t(h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).unwrap()
}

async fn platform_and_dept(s: &Arc<dyn Store>) -> (i64, i64) {
    let p = s
        .create_platform(
            &PlatformSpec {
                name: "示例市共享平台".into(),
                level: PlatformLevel::City,
                region_code: "350100".into(),
                parent_id: None,
            },
            t(1),
        )
        .await
        .unwrap();
    let d = s
        .create_department(
            &DepartmentSpec {
                name: "示例市公安局".into(),
                credit_code: Some("11350100MB0000000Y".into()),
                local_code: Some("SLS-GAJ".into()),
                parent_id: None,
                platform_id: p.id,
            },
            t(1),
        )
        .await
        .unwrap();
    (p.id, d.id)
}

fn spec(name: &str, category: &str) -> ResourceSpec {
    let mut id = DataItem::new("公民身份号码", domain::catalog::DataType::C, Some(18));
    id.is_key = true;
    ResourceSpec {
        category: domain::catalog::CategoryCode::parse(category).unwrap(),
        name: name.into(),
        provider_name: "示例市公安局".into(),
        provider_code: "11350100MB0000000Y".into(),
        provider_division: None,
        summary: "测试摘要".into(),
        format: Format { class: FormatClass::Database, subtype: Some("oracle".into()), other_desc: None },
        data_items: vec![id],
        share_type: ShareType::Unconditional,
        share_condition: None,
        share_basis: None,
        share_methods: vec![ShareMethod::Api],
        open_type: OpenType::NotOpen,
        open_condition: None,
        update_cycle: UpdateCycle::Daily,
        publish_date: None,
        related_codes: vec![],
        classified: false,
        tags: vec![],
        collection_decisions: Vec::new(),
    }
}

fn change(action: &str, at: chrono::DateTime<Utc>) -> Change {
    Change { user_id: 1, username: "editor".into(), action: action.into(), comment: None, at }
}

async fn departments_and_users(s: Arc<dyn Store>) {
    let (pid, did) = platform_and_dept(&s).await;
    assert_eq!(s.get_platform(pid).await.unwrap().spec.level, PlatformLevel::City);
    // Same credit code twice: a conflict naming the rule.
    let dup = s
        .create_department(
            &DepartmentSpec {
                name: "另一个部门".into(),
                credit_code: Some("11350100MB0000000Y".into()),
                local_code: None,
                parent_id: None,
                platform_id: pid,
            },
            t(2),
        )
        .await
        .unwrap_err();
    assert!(matches!(&dup, StoreError::Conflict { message } if message.contains("统一社会信用代码")), "{dup:?}");
    assert_eq!(s.find_department_by_code("SLS-GAJ").await.unwrap().unwrap().id, did);
    assert!(s.find_department_by_code("nope").await.unwrap().is_none());
    assert!(matches!(s.get_department(9999).await, Err(StoreError::NotFound { .. })));

    assert_eq!(s.count_users().await.unwrap(), 0);
    let u = s
        .create_user(
            &NewUser {
                username: "zhang".into(),
                display_name: "张三".into(),
                department_id: did,
                roles: vec![Role::CatalogEditor, Role::DataConsumer],
                password_hash: None,
                system_id: None,
            },
            t(2),
        )
        .await
        .unwrap();
    assert_eq!(u.roles, vec![Role::CatalogEditor, Role::DataConsumer]);
    let again = s
        .create_user(
            &NewUser {
                username: "zhang".into(),
                display_name: "x".into(),
                department_id: did,
                roles: vec![Role::Auditor],
                password_hash: None,
                system_id: None,
            },
            t(2),
        )
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict { .. }));
    let u2 = s.update_user(u.id, &[Role::Approver], false).await.unwrap();
    assert!(!u2.active);
    s.set_password(u.id, "$argon2id$v=19$fake").await.unwrap();
    assert!(s.find_user_by_username("zhang").await.unwrap().unwrap().password_hash.is_some());
    let page = s.list_users(Some(did), PageRequest::default()).await.unwrap();
    assert_eq!(page.total, 1);
}

async fn tokens(s: Arc<dyn Store>) {
    let (_, did) = platform_and_dept(&s).await;
    let u = s
        .create_user(
            &NewUser {
                username: "li".into(),
                display_name: "李四".into(),
                department_id: did,
                roles: vec![Role::DataConsumer],
                password_hash: None,
                system_id: None,
            },
            t(2),
        )
        .await
        .unwrap();
    let tok = s
        .create_token(
            &NewToken {
                user_id: u.id,
                name: "脚本".into(),
                prefix: "gs_abcd".into(),
                hash: "h1".into(),
                expires_at: None,
            },
            t(2),
        )
        .await
        .unwrap();
    let (found, user) = s.authenticate_token("h1", t(3)).await.unwrap().unwrap();
    assert_eq!((found.id, user.id), (tok.id, u.id));
    assert_eq!(s.list_tokens(u.id).await.unwrap()[0].last_used_at, Some(t(3)));
    assert!(s.authenticate_token("h2", t(3)).await.unwrap().is_none());
    // Another user cannot revoke it.
    assert!(matches!(s.revoke_token(u.id + 1, tok.id, t(4)).await, Err(StoreError::NotFound { .. })));
    s.revoke_token(u.id, tok.id, t(4)).await.unwrap();
    assert!(s.authenticate_token("h1", t(5)).await.unwrap().is_none());
    // Expired tokens do not work.
    s.create_token(
        &NewToken {
            user_id: u.id,
            name: "短期".into(),
            prefix: "gs_x".into(),
            hash: "h3".into(),
            expires_at: Some(t(6)),
        },
        t(2),
    )
    .await
    .unwrap();
    assert!(s.authenticate_token("h3", t(5)).await.unwrap().is_some());
    assert!(s.authenticate_token("h3", t(7)).await.unwrap().is_none());
    // Deactivated users' tokens do not work.
    s.create_token(
        &NewToken { user_id: u.id, name: "三".into(), prefix: "gs_y".into(), hash: "h4".into(), expires_at: None },
        t(2),
    )
    .await
    .unwrap();
    s.update_user(u.id, &[Role::DataConsumer], false).await.unwrap();
    assert!(s.authenticate_token("h4", t(5)).await.unwrap().is_none());
}

async fn categories(s: Arc<dyn Store>) {
    let tree = guide_categories();
    assert_eq!(s.seed_categories(&tree).await.unwrap(), tree.len());
    assert_eq!(s.seed_categories(&tree).await.unwrap(), 0, "seeding is idempotent");
    s.create_category(&CategoryNode::new("213", "智慧城市").unwrap()).await.unwrap();
    s.create_category(&CategoryNode::new("213001", "城市运行").unwrap()).await.unwrap();
    let orphan = s.create_category(&CategoryNode::new("299001", "无上级").unwrap()).await.unwrap_err();
    assert!(matches!(orphan, StoreError::Conflict { .. }));
    let dup = s.create_category(&CategoryNode::new("213", "重复").unwrap()).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict { .. }));
    assert_eq!(s.list_categories().await.unwrap().len(), tree.len() + 2);
    assert_eq!(s.get_category("213001").await.unwrap().unwrap().name, "城市运行");
}

async fn catalogue_versions(s: Arc<dyn Store>) {
    let (_, did) = platform_and_dept(&s).await;
    let seq = s.next_code_sequence("307001").await.unwrap();
    let code = format!("307001/{seq:06}");
    let v1 = spec("常住人口信息", "307001");
    let r = s
        .create_resource(&NewResource {
            code: code.clone(),
            department_id: did,
            status: ResourceStatus::Draft,
            spec: v1.clone(),
            change: change("create", t(1)),
            diff: diff(None, &v1),
        })
        .await
        .unwrap();
    assert_eq!(r.version, 1);
    let mut v2 = v1.clone();
    v2.summary = "新的摘要".into();
    let upd = |expected, status, spec: &ResourceSpec, action: &str, h| ResourceUpdate {
        id: r.id,
        expected_version: expected,
        code: code.clone(),
        status,
        spec: spec.clone(),
        published_at: None,
        change: change(action, t(h)),
        diff: vec![],
    };
    let r2 = s.update_resource(&upd(1, ResourceStatus::Draft, &v2, "update", 2)).await.unwrap();
    assert_eq!(r2.version, 2);
    // A stale writer is refused and nothing is written.
    let stale = s.update_resource(&upd(1, ResourceStatus::Draft, &v1, "update", 3)).await.unwrap_err();
    assert!(matches!(stale, StoreError::StaleVersion { current: 2 }), "{stale:?}");
    let history = s.resource_history(r.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].spec.summary, "新的摘要");
    assert_eq!(history[0].change.action, "create");
    assert_eq!(s.get_resource_by_code(&code).await.unwrap().id, r.id);
    // Duplicate code refused.
    let dup = s
        .create_resource(&NewResource {
            code: code.clone(),
            department_id: did,
            status: ResourceStatus::Draft,
            spec: v1.clone(),
            change: change("create", t(1)),
            diff: vec![],
        })
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict { .. }));
    assert_eq!(s.live_codes(&[code.clone(), "307001/999999".into()], None).await.unwrap().len(), 1);
    assert!(
        s.live_codes(std::slice::from_ref(&code), Some(did + 1)).await.unwrap().is_empty(),
        "another department's draft"
    );
    assert_eq!(s.live_codes(std::slice::from_ref(&code), Some(did)).await.unwrap().len(), 1);
    s.update_resource(&upd(2, ResourceStatus::Withdrawn, &v2, "withdraw", 4)).await.unwrap();
    assert!(s.live_codes(std::slice::from_ref(&code), None).await.unwrap().is_empty());
    assert!(matches!(s.resource_history(424242).await, Err(StoreError::NotFound { .. })));
}

async fn concurrent_codes(s: Arc<dyn Store>) {
    let mut handles = Vec::new();
    for _ in 0..8 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..25 {
                got.push(s.next_code_sequence("101001").await.unwrap());
            }
            got
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    all.sort();
    assert_eq!(all, (1..=200).collect::<Vec<u64>>(), "every number exactly once");
    assert_eq!(s.next_code_sequence("101002").await.unwrap(), 1, "sequences are per prefix");
}

async fn listing_and_filters(s: Arc<dyn Store>) {
    let (pid, did) = platform_and_dept(&s).await;
    let other = s
        .create_department(
            &DepartmentSpec {
                name: "示例市民政局".into(),
                credit_code: None,
                local_code: Some("SLS-MZJ".into()),
                parent_id: None,
                platform_id: pid,
            },
            t(1),
        )
        .await
        .unwrap();
    for i in 0..30 {
        let mut sp = spec(&format!("资源{i}"), if i % 2 == 0 { "307001" } else { "101001" });
        if i % 3 == 0 {
            sp.share_type = ShareType::Conditional;
            sp.share_condition = Some("条件".into());
        }
        if i == 7 {
            sp.summary = "包含 100%_特殊 字符".into();
        }
        if i == 26 {
            sp.classified = true;
        }
        let dept = if i < 25 { did } else { other.id };
        let status = if i >= 28 { ResourceStatus::Draft } else { ResourceStatus::Published };
        s.create_resource(&NewResource {
            code: format!("X{i}/000001"),
            department_id: dept,
            status,
            spec: sp.clone(),
            change: change("create", t(1)),
            diff: vec![],
        })
        .await
        .unwrap();
    }
    let all = |f: ResourceFilter| {
        let s = s.clone();
        async move { s.list_resources(&f, PageRequest { after: None, limit: 100 }).await.unwrap() }
    };
    assert_eq!(all(ResourceFilter::default()).await.total, 30);
    // Several by id in one call: existing ones in id order, duplicates once, unknown ids left out.
    let every = all(ResourceFilter::default()).await.items;
    let mut ids: Vec<i64> = every.iter().map(|r| r.id).collect();
    ids.reverse();
    let got = s.get_resources(&[ids[0], ids[3], ids[0], 999_999, ids[29]]).await.unwrap();
    let mut want: Vec<(i64, String)> =
        every.iter().filter(|r| [ids[0], ids[3], ids[29]].contains(&r.id)).map(|r| (r.id, r.code.clone())).collect();
    want.sort();
    assert_eq!(got.iter().map(|r| (r.id, r.code.clone())).collect::<Vec<_>>(), want);
    assert_eq!(got[0].spec, every.iter().find(|r| r.id == got[0].id).unwrap().spec, "whole entries");
    assert!(s.get_resources(&[]).await.unwrap().is_empty());
    // More ids than one statement's list holds.
    let many: Vec<i64> = (0..1200).chain(ids.iter().copied()).collect();
    assert_eq!(s.get_resources(&many).await.unwrap().len(), 30);
    assert_eq!(all(ResourceFilter { category: Some("1".into()), ..Default::default() }).await.total, 15);
    assert_eq!(all(ResourceFilter { share_type: Some("conditional".into()), ..Default::default() }).await.total, 10);
    assert_eq!(all(ResourceFilter { department_id: Some(other.id), ..Default::default() }).await.total, 5);
    assert_eq!(all(ResourceFilter { status: Some(ResourceStatus::Draft), ..Default::default() }).await.total, 2);
    assert_eq!(all(ResourceFilter { text: Some("100%_".into()), ..Default::default() }).await.total, 1);
    assert_eq!(
        all(ResourceFilter { text: Some("%".into()), ..Default::default() }).await.total,
        1,
        "wildcards are literal"
    );
    // Drafts and classified entries of another department are hidden.
    assert_eq!(all(ResourceFilter { visible_to_department: Some(did), ..Default::default() }).await.total, 27);
    assert_eq!(all(ResourceFilter { visible_to_department: Some(other.id), ..Default::default() }).await.total, 30);
    let secret = s.get_resource_by_code("X26/000001").await.unwrap();
    let mut open = secret.spec.clone();
    open.classified = false;
    s.update_resource(&ResourceUpdate {
        id: secret.id,
        expected_version: secret.version,
        code: secret.code.clone(),
        status: secret.status,
        spec: open,
        published_at: secret.published_at,
        change: change("update", t(2)),
        diff: vec![],
    })
    .await
    .unwrap();
    assert_eq!(all(ResourceFilter { visible_to_department: Some(did), ..Default::default() }).await.total, 28);
    assert_eq!(s.resource_versions().await.unwrap().iter().find(|(id, _)| *id == secret.id), Some(&(secret.id, 2)));
    // Pages walk the whole list once.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = s.list_resources(&ResourceFilter::default(), PageRequest { after, limit: 7 }).await.unwrap();
        assert_eq!(page.total, 30);
        seen.extend(page.items.iter().map(|r| r.id));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!((seen.len(), dedup.len()), (30, 30));
}

async fn duty_changes(s: Arc<dyn Store>) {
    let (_, did) = platform_and_dept(&s).await;
    let mut ids = Vec::new();
    for i in 0..2 {
        let sp = spec(&format!("资源{i}"), "307001");
        let r = s
            .create_resource(&NewResource {
                code: format!("307001/00000{i}"),
                department_id: did,
                status: ResourceStatus::Published,
                spec: sp,
                change: change("create", t(1)),
                diff: vec![],
            })
            .await
            .unwrap();
        ids.push(r);
    }
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let c = s
        .create_duty_change(&NewDutyChange {
            department_id: did,
            kind: ChangeKind::LawRevision,
            description: "《户口登记条例》修订".into(),
            effective_date: d("2026-03-02"),
            deadline: d("2026-03-23"),
            deadline_provisional: true,
            recorded_by: 1,
            recorded_at: t(2),
            resource_ids: ids.iter().map(|r| r.id).collect(),
        })
        .await
        .unwrap();
    assert_eq!(c.items.len(), 2);
    assert!(c.items.iter().all(|i| i.updated_on.is_none()));
    assert_eq!((c.deadline, c.deadline_provisional), (d("2026-03-23"), true));
    // A provisional window is listed for recomputation until it is exact.
    let provisional =
        ProvisionalDeadline { of: DeadlineOf::DutyChange, id: c.id, start: d("2026-03-02"), due: d("2026-03-23") };
    assert_eq!(s.provisional_deadlines().await.unwrap(), vec![provisional]);
    let exact = Deadline { date: d("2026-03-24"), provisional: false };
    // Only from the date read: a stale `from` moves nothing.
    assert!(!s.move_provisional_deadline(DeadlineOf::DutyChange, c.id, d("2026-03-20"), exact).await.unwrap());
    assert!(s.move_provisional_deadline(DeadlineOf::DutyChange, c.id, d("2026-03-23"), exact).await.unwrap());
    // Once: a second node's identical move finds nothing to do.
    assert!(!s.move_provisional_deadline(DeadlineOf::DutyChange, c.id, d("2026-03-23"), exact).await.unwrap());
    assert!(s.provisional_deadlines().await.unwrap().is_empty());
    let missing = s.move_provisional_deadline(DeadlineOf::DutyChange, c.id + 100, d("2026-03-23"), exact).await;
    assert!(!missing.unwrap(), "no such change");
    // Revise the first one.
    let r = &ids[0];
    s.update_resource(&ResourceUpdate {
        id: r.id,
        expected_version: 1,
        code: r.code.clone(),
        status: ResourceStatus::Published,
        spec: r.spec.clone(),
        published_at: None,
        change: change("update", t(5)),
        diff: vec![],
    })
    .await
    .unwrap();
    let list = s.list_duty_changes(Some(did)).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].items[0].updated_on, Some(d("2026-03-02")));
    assert_eq!(list[0].items[1].updated_on, None);
    assert_eq!((list[0].deadline, list[0].deadline_provisional), (d("2026-03-24"), false));
    assert_eq!(s.list_duty_changes(Some(did + 100)).await.unwrap().len(), 0);
    assert_eq!(s.list_duty_changes(None).await.unwrap().len(), 1);
    assert_eq!(s.department_resource_ids(did, Some(ResourceStatus::Published)).await.unwrap().len(), 2);
    assert_eq!(s.department_resource_ids(did, Some(ResourceStatus::Draft)).await.unwrap().len(), 0);
}

async fn audit_is_append_only(s: Arc<dyn Store>) {
    for i in 0..3 {
        s.append_audit(&NewAuditEvent {
            at: t(i),
            user_id: Some(1),
            username: Some("admin".into()),
            department_id: None,
            action: format!("user.create.{i}"),
            object_type: "user".into(),
            object_id: Some(i.to_string()),
            detail: serde_json::json!({"i": i}),
        })
        .await
        .unwrap();
    }
    let page = s
        .list_audit(&AuditFilter { action_prefix: Some("user.".into()), ..Default::default() }, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items[2].detail["i"], 2);
    // The newest event of an action, matched exactly (not as a prefix).
    s.append_audit(&NewAuditEvent {
        at: t(3),
        user_id: Some(2),
        username: Some("auditor".into()),
        department_id: None,
        action: "user.create.1".into(),
        object_type: "user".into(),
        object_id: Some("3".into()),
        detail: serde_json::json!({"i": 3}),
    })
    .await
    .unwrap();
    let latest = s.latest_audit_event("user.create.1").await.unwrap().unwrap();
    assert_eq!((latest.detail["i"].as_i64(), latest.username.as_deref()), (Some(3), Some("auditor")));
    assert_eq!(s.latest_audit_event("user.create.0").await.unwrap().unwrap().detail["i"], 0);
    assert!(s.latest_audit_event("user.create").await.unwrap().is_none());
    assert!(s.latest_audit_event("user.create.%").await.unwrap().is_none());
    // The trait has no way to change history; check the database refuses too.
    // (Exercised through the backend-specific test below.)
}

async fn dataset_versions(s: Arc<dyn Store>) {
    let (_, did) = platform_and_dept(&s).await;
    let sp = spec("人口", "307001");
    let r = s
        .create_resource(&NewResource {
            code: "307001/000001".into(),
            department_id: did,
            status: ResourceStatus::Published,
            spec: sp.clone(),
            change: change("create", t(1)),
            diff: vec![],
        })
        .await
        .unwrap();
    assert!(s.latest_dataset_version(r.id).await.unwrap().is_none());
    let v = |n: i64| DatasetVersion {
        resource_id: r.id,
        version: n,
        mode: "replace".into(),
        files: vec![format!("datasets/{}/{n}/part-0.parquet", r.id)],
        row_count: 10 * n,
        byte_size: 1000,
        data_items: sp.data_items.clone(),
        rejected_rows: 0,
        published_by: 1,
        published_at: t(n as u32),
    };
    s.create_dataset_version(&v(1)).await.unwrap();
    s.create_dataset_version(&v(2)).await.unwrap();
    // A concurrent publisher that also computed version 2 loses, and nothing forks.
    let lost = s.create_dataset_version(&v(2)).await.unwrap_err();
    assert!(matches!(&lost, StoreError::Conflict { message } if message.contains('2')), "{lost:?}");
    let latest = s.latest_dataset_version(r.id).await.unwrap().unwrap();
    assert_eq!((latest.version, latest.row_count), (2, 20));
    assert_eq!(latest.data_items, sp.data_items);
    assert_eq!(s.list_dataset_versions(r.id).await.unwrap().iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(s.get_dataset_version(r.id, 1).await.unwrap().files, v(1).files);
    assert!(matches!(s.get_dataset_version(r.id, 9).await, Err(StoreError::NotFound { .. })));
    let referenced = s.referenced_dataset_files().await.unwrap();
    assert_eq!(referenced.len(), 2);
    assert!(referenced.contains(&v(1).files[0]));
}

#[tokio::test]
async fn sqlite_refuses_audit_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let s = SqliteStore::open(&path).await.unwrap();
    s.append_audit(&NewAuditEvent {
        at: t(1),
        user_id: None,
        username: None,
        department_id: None,
        action: "x".into(),
        object_type: "y".into(),
        object_id: None,
        detail: serde_json::json!({}),
    })
    .await
    .unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    assert!(sqlx::query("UPDATE audit_events SET action = 'z'").execute(&pool).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_events").execute(&pool).await.is_err());
}

#[tokio::test]
async fn postgres_refuses_audit_rewrites() {
    let Some(url) = pg_url() else { return };
    let schema = format!("gs_test_audit_{}", rand_suffix());
    let s = PgStore::connect_in_schema(&url, &schema).await.unwrap();
    s.append_audit(&NewAuditEvent {
        at: t(1),
        user_id: None,
        username: None,
        department_id: None,
        action: "x".into(),
        object_type: "y".into(),
        object_id: None,
        detail: serde_json::json!({}),
    })
    .await
    .unwrap();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let upd = format!("UPDATE {schema}.audit_events SET action = 'z'");
    assert!(sqlx::query(sqlx::AssertSqlSafe(upd)).execute(&pool).await.is_err());
    let del = format!("DELETE FROM {schema}.audit_events");
    assert!(sqlx::query(sqlx::AssertSqlSafe(del)).execute(&pool).await.is_err());
    let truncate = format!("TRUNCATE {schema}.audit_events");
    assert!(sqlx::query(sqlx::AssertSqlSafe(truncate)).execute(&pool).await.is_err());
}

#[test]
fn migration_folders_match() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let names = |b: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(dir.join(b)).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
    // Same tables in both.
    let tables = |b: &str| {
        let mut v = Vec::new();
        for n in names(b) {
            let text = std::fs::read_to_string(dir.join(b).join(n)).unwrap();
            v.extend(text.lines().filter_map(|l| {
                l.strip_prefix("CREATE TABLE ").map(|r| r.split_whitespace().next().unwrap().to_string())
            }));
        }
        v
    };
    assert_eq!(tables("sqlite"), tables("postgres"));
}
