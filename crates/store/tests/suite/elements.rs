//! The register of data elements (一数一源) and the catalogue read that duplicate detection uses —
//! run against every backend like the rest of the suite.

use std::sync::Arc;

use domain::catalog::{DataItem, DataType, IdentifierKind, ResourceSpec, ResourceStatus};
use domain::elements::{CollectionChoice, CollectionDecision, CollectionDuty, DataElementSpec, KeyCount, MatchKeys};
use domain::org::DepartmentSpec;
use store::model::*;
use store::{PgStore, SqliteStore, Store, StoreError};

use super::{change, pg_url, platform_and_dept, postgres, rand_suffix, spec, sqlite, t};

both!(register_revise_retire);
both!(live_resources_and_decisions);
both!(resource_items_follow_their_entry);

fn citizen_id(dept: i64) -> DataElementSpec {
    DataElementSpec {
        name: "公民身份号码".into(),
        definition: "公民身份号码是特征组合码，由十七位数字本体码和一位校验码组成（GB 11643）".into(),
        data_type: DataType::C,
        length: Some(18),
        identifier: Some(IdentifierKind::CitizenId),
        synonyms: vec!["身份证号".into()],
        duty: CollectionDuty {
            department_id: dept, basis: Some("《中华人民共和国居民身份证法》".into())
        },
    }
}

async fn register_revise_retire(s: Arc<dyn Store>) {
    let (_, gaj) = platform_and_dept(&s).await;
    let e = s.create_data_element(&citizen_id(gaj), t(2)).await.unwrap();
    assert_eq!((e.version, e.name_key.as_str(), e.is_live()), (1, "公民身份号码", true));
    assert_eq!(e.spec, citizen_id(gaj), "the element round-trips");
    assert_eq!(e.created_at, t(2));

    // The same datum in traditional script and with a space: the unique name refuses it.
    let mut dup = citizen_id(gaj);
    dup.name = "公民 身份號碼".into();
    match s.create_data_element(&dup, t(3)).await {
        Err(StoreError::Conflict { message }) => assert_eq!(
            message,
            "已有同名的数据元：一个数据只登记一次、只有一个采集责任部门（一数一源），请修订已有的数据元"
        ),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // A department that does not exist.
    let mut orphan = citizen_id(gaj);
    orphan.name = "居住证编号".into();
    orphan.duty.department_id = 9999;
    assert!(matches!(s.create_data_element(&orphan, t(3)).await, Err(StoreError::NotFound { .. })));

    let mut name = citizen_id(gaj);
    name.name = "姓名".into();
    name.identifier = None;
    name.synonyms = vec![];
    name.length = Some(50);
    let n = s.create_data_element(&name, t(3)).await.unwrap();

    // Revise with the version read; a stale version changes nothing.
    let mut revised = citizen_id(gaj);
    revised.definition = "公民身份号码（GB 11643-1999）".into();
    let e2 = s.update_data_element(e.id, Some(1), &revised, t(4)).await.unwrap();
    assert_eq!((e2.version, e2.spec.definition.as_str(), e2.updated_at), (2, "公民身份号码（GB 11643-1999）", t(4)));
    assert!(matches!(
        s.update_data_element(e.id, Some(1), &citizen_id(gaj), t(5)).await,
        Err(StoreError::StaleVersion { current: 2 })
    ));
    // Renaming onto another live element's name is a conflict; without a version it still works.
    let mut onto = revised.clone();
    onto.name = "姓名".into();
    assert!(matches!(s.update_data_element(e.id, None, &onto, t(5)).await, Err(StoreError::Conflict { .. })));
    assert!(matches!(s.update_data_element(4242, None, &revised, t(5)).await, Err(StoreError::NotFound { .. })));

    let all: Vec<i64> = s.list_data_elements(false).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(all, [e.id, n.id]);

    // Retire: kept, no longer listed as live, never revised again; its name is free again.
    let r = s.retire_data_element(n.id, Some("并入公民基本信息数据元"), t(6)).await.unwrap();
    assert_eq!((r.version, r.retired_at, r.retired_reason.as_deref()), (2, Some(t(6)), Some("并入公民基本信息数据元")));
    let live: Vec<i64> = s.list_data_elements(false).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(live, [e.id]);
    let every: Vec<i64> = s.list_data_elements(true).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(every, [e.id, n.id]);
    match s.retire_data_element(n.id, None, t(7)).await {
        Err(StoreError::Conflict { message }) => assert_eq!(message, "数据元“姓名”已停用，不能再修订或停用"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(matches!(s.update_data_element(n.id, None, &name, t(7)).await, Err(StoreError::Conflict { .. })));
    let again = s.create_data_element(&name, t(8)).await.unwrap();
    assert_ne!(again.id, n.id);
    assert_eq!(s.get_data_element(n.id).await.unwrap().retired_at, Some(t(6)));
    assert!(matches!(s.get_data_element(4242).await, Err(StoreError::NotFound { .. })));
}

async fn live_resources_and_decisions(s: Arc<dyn Store>) {
    let (pid, gaj) = platform_and_dept(&s).await;
    let mzj = s
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
    let mut ids = Vec::new();
    for (i, (dept, status)) in
        [(gaj, ResourceStatus::Published), (mzj.id, ResourceStatus::Draft), (mzj.id, ResourceStatus::Published)]
            .into_iter()
            .enumerate()
    {
        let mut sp = spec(&format!("资源{i}"), "307001");
        if dept == mzj.id {
            sp.collection_decisions = vec![CollectionDecision {
                item: "公民身份号码".into(),
                choice: CollectionChoice::ReferenceOnly,
                source: None,
                reason: Some("作为救助对象的关联标识".into()),
            }];
        }
        let r = s
            .create_resource(&NewResource {
                code: format!("307001/00000{i}"),
                department_id: dept,
                status,
                spec: sp,
                change: change("create", t(1)),
                diff: vec![],
            })
            .await
            .unwrap();
        ids.push(r.id);
    }
    // Withdraw the last one.
    let last = s.get_resource(ids[2]).await.unwrap();
    s.update_resource(&ResourceUpdate {
        id: last.id,
        expected_version: last.version,
        code: last.code.clone(),
        status: ResourceStatus::Withdrawn,
        spec: last.spec.clone(),
        published_at: Some(t(2)),
        change: change("withdraw", t(2)),
        diff: vec![],
    })
    .await
    .unwrap();
    let live = s.live_resources().await.unwrap();
    let got: Vec<(i64, ResourceStatus, usize)> =
        live.iter().map(|r| (r.id, r.status, r.spec.collection_decisions.len())).collect();
    assert_eq!(got, [(ids[0], ResourceStatus::Published, 0), (ids[1], ResourceStatus::Draft, 1)]);
    assert_eq!(live[1].spec.collection_decisions[0].choice, CollectionChoice::ReferenceOnly);
    assert_eq!(live[1].spec.collection_decisions[0].reason.as_deref(), Some("作为救助对象的关联标识"));
}

fn item(name: &str, t: DataType, id: Option<IdentifierKind>) -> DataItem {
    let mut i = DataItem::new(name, t, if t == DataType::C { Some(50) } else { None });
    i.identifier = id;
    i
}

fn keys(names: &[&str], identifiers: &[IdentifierKind]) -> MatchKeys {
    MatchKeys {
        keys: names.iter().map(|n| domain::text::name_key(n)).collect(),
        identifiers: identifiers.iter().copied().collect(),
    }
}

/// `code#position name key type identifier decision`, one per item read.
fn read(entries: &[HeldEntry]) -> Vec<String> {
    entries
        .iter()
        .flat_map(|e| {
            e.items.iter().map(|h| {
                let id = h.identifier.map(|k| k.code()).unwrap_or("-");
                let d = h.decision.map(|d| d.code()).unwrap_or("-");
                format!("{}#{} {} {} {} {id} {d}", e.code, h.position, h.name, h.name_key, h.data_type.code())
            })
        })
        .collect()
}

fn item_count(entries: &[HeldEntry]) -> usize {
    entries.iter().map(|e| e.items.len()).sum()
}

async fn other_department(s: &Arc<dyn Store>, pid: i64) -> i64 {
    s.create_department(
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
    .unwrap()
    .id
}

async fn create(s: &Arc<dyn Store>, code: &str, dept: i64, status: ResourceStatus, sp: ResourceSpec) -> Resource {
    s.create_resource(&NewResource {
        code: code.into(),
        department_id: dept,
        status,
        spec: sp,
        change: change("create", t(1)),
        diff: vec![],
    })
    .await
    .unwrap()
}

async fn revise(s: &Arc<dyn Store>, r: &Resource, status: ResourceStatus, sp: ResourceSpec) -> Resource {
    s.update_resource(&ResourceUpdate {
        id: r.id,
        expected_version: r.version,
        code: r.code.clone(),
        status,
        spec: sp,
        published_at: r.published_at.or(Some(t(2))).filter(|_| status != ResourceStatus::Draft),
        change: change("update", t(2)),
        diff: vec![],
    })
    .await
    .unwrap()
}

/// 公安局's population register and 民政局's 低保 register with a decision on the ID.
async fn two_registers(s: &Arc<dyn Store>) -> (i64, i64, Resource, Resource) {
    let (pid, gaj) = platform_and_dept(s).await;
    let mzj = other_department(s, pid).await;
    let mut population = spec("常住人口信息", "307001");
    population.data_items = vec![
        item("公民身份号码", DataType::C, Some(IdentifierKind::CitizenId)),
        item("姓名", DataType::C, None),
        // Traditional script and full-width brackets: normalised once, by the store.
        item("戶籍地址（詳址）", DataType::C, None),
    ];
    let pop = create(s, "307001/000001", gaj, ResourceStatus::Published, population).await;
    let mut dibao = spec("最低生活保障对象信息", "307001");
    dibao.provider_name = "示例市民政局".into();
    dibao.data_items = vec![
        item("身份证号", DataType::C, Some(IdentifierKind::CitizenId)),
        item("姓名", DataType::C, None),
        item("保障金额", DataType::Y, None),
    ];
    dibao.collection_decisions = vec![CollectionDecision {
        item: " 身份证号 ".into(),
        choice: CollectionChoice::ReferenceOnly,
        source: None,
        reason: Some("关联标识".into()),
    }];
    let dib = create(s, "307001/000002", mzj, ResourceStatus::Draft, dibao).await;
    (gaj, mzj, pop, dib)
}

async fn resource_items_follow_their_entry(s: Arc<dyn Store>) {
    let (gaj, mzj, pop, dib) = two_registers(&s).await;
    let all = keys(&["公民身份号码", "身份证号", "姓名", "户籍地址详址", "保障金额", "手机号码"], &[]);
    assert_eq!(
        read(&s.held_items(&all, None).await.unwrap()),
        [
            "307001/000001#0 公民身份号码 公民身份号码 C citizen_id -",
            "307001/000001#1 姓名 姓名 C - -",
            "307001/000001#2 戶籍地址（詳址） 户籍地址详址 C - -",
            "307001/000002#0 身份证号 身份证号 C citizen_id reference_only",
            "307001/000002#1 姓名 姓名 C - -",
            "307001/000002#2 保障金额 保障金额 Y - -",
        ]
    );
    let e = &s.held_items(&keys(&["姓名"], &[]), None).await.unwrap()[1];
    assert_eq!(
        (e.resource_id, e.name.as_str(), e.department_id, e.provider_name.as_str(), e.status, e.items.len()),
        (dib.id, "最低生活保障对象信息", mzj, "示例市民政局", ResourceStatus::Draft, 1)
    );
    // By identifier kind, whatever the name; an item found both ways comes once.
    let by_kind = s.held_items(&keys(&["身份证号"], &[IdentifierKind::CitizenId]), None).await.unwrap();
    assert_eq!(
        read(&by_kind),
        [
            "307001/000001#0 公民身份号码 公民身份号码 C citizen_id -",
            "307001/000002#0 身份证号 身份证号 C citizen_id reference_only"
        ]
    );
    assert_eq!(by_kind.iter().map(|e| e.resource_id).collect::<Vec<_>>(), [pop.id, dib.id]);
    // What another department sees: published, not classified, not its own.
    let names = keys(&["姓名"], &[]);
    let seen = |d| {
        let s = s.clone();
        let names = names.clone();
        async move { s.held_items(&names, Some(d)).await.unwrap().iter().map(|h| h.code.clone()).collect::<Vec<_>>() }
    };
    assert_eq!(seen(mzj).await, ["307001/000001"]);
    assert!(seen(gaj).await.is_empty(), "民政局's draft is its own");
    let mut counts = s.item_key_counts().await.unwrap();
    counts.sort_by(|a, b| a.key.cmp(&b.key));
    let name = counts.iter().find(|c| c.key == "姓名").unwrap();
    assert_eq!(
        (name.data_type, name.identifier, name.departments, name.department_id),
        (DataType::C, None, 2, gaj.min(mzj))
    );
    assert_eq!(counts.len(), 5, "{counts:?}");

    // Revising the items rewrites the entry's rows in the same write.
    let mut revised = pop.spec.clone();
    revised.data_items.remove(2);
    revised.data_items.push(item("手机号码", DataType::C, Some(IdentifierKind::Mobile)));
    let pop = revise(&s, &pop, ResourceStatus::Published, revised.clone()).await;
    assert_eq!(
        read(&s.held_items(&all, Some(mzj)).await.unwrap()),
        [
            "307001/000001#0 公民身份号码 公民身份号码 C citizen_id -",
            "307001/000001#1 姓名 姓名 C - -",
            "307001/000001#2 手机号码 手机号码 C mobile -",
        ]
    );
    // A stale update changes nothing, rows included.
    let mut lost = revised.clone();
    lost.data_items.truncate(1);
    let stale = ResourceUpdate {
        id: pop.id,
        expected_version: pop.version - 1,
        code: pop.code.clone(),
        status: ResourceStatus::Published,
        spec: lost,
        published_at: Some(t(2)),
        change: change("update", t(3)),
        diff: vec![],
    };
    assert!(matches!(s.update_resource(&stale).await, Err(StoreError::StaleVersion { .. })));
    assert_eq!(item_count(&s.held_items(&all, Some(mzj)).await.unwrap()), 3);

    // Classified (涉密): other departments no longer see it; the coordinator's report still does.
    let mut secret = revised.clone();
    secret.classified = true;
    let pop = revise(&s, &pop, ResourceStatus::Published, secret).await;
    assert!(seen(mzj).await.is_empty());
    assert_eq!(item_count(&s.held_items(&names, None).await.unwrap()), 2);
    let pop = revise(&s, &pop, ResourceStatus::Published, revised.clone()).await;
    assert_eq!(seen(mzj).await, ["307001/000001"]);

    // 民政局 publishes: 公安局 sees it, with its decision.
    let dib = revise(&s, &dib, ResourceStatus::Published, dib.spec.clone()).await;
    assert_eq!(seen(gaj).await, ["307001/000002"]);

    // Withdrawn: gone from every read and count; back when it is a draft again.
    let withdrawn = revise(&s, &pop, ResourceStatus::Withdrawn, revised.clone()).await;
    assert!(s.held_items(&all, None).await.unwrap().iter().all(|e| e.resource_id == dib.id));
    assert!(s.item_key_counts().await.unwrap().iter().all(|c| c.departments == 1 && c.department_id == mzj));
    revise(&s, &withdrawn, ResourceStatus::Draft, revised).await;
    assert_eq!(item_count(&s.held_items(&all, None).await.unwrap()), 6);

    // Many items and many keys: written and read in several statements, in item order.
    let mut wide = spec("宽表", "307001");
    wide.data_items = (0..650).map(|i| item(&format!("字段{i}"), DataType::N, None)).collect();
    let w = create(&s, "307001/000003", gaj, ResourceStatus::Published, wide).await;
    let names: Vec<String> = (0..650).map(|i| format!("字段{i}")).collect();
    let wide_keys = keys(&names.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let got = s.held_items(&wide_keys, Some(mzj)).await.unwrap();
    assert_eq!((got.len(), got[0].resource_id, got[0].items.len()), (1, w.id, 650));
    assert!(got[0].items.iter().enumerate().all(|(i, h)| h.position == i as i64));
    assert_eq!(got[0].items[649].name, "字段649");
    assert!(s.held_items(&MatchKeys::default(), None).await.unwrap().is_empty());
}

/// A database to open twice and to tamper with behind the store's back.
enum Db {
    Sqlite(tempfile::TempDir),
    Postgres { url: String, schema: String },
}

impl Db {
    async fn open(&self) -> Arc<dyn Store> {
        match self {
            Db::Sqlite(dir) => Arc::new(SqliteStore::open(&dir.path().join("govshare.db")).await.unwrap()),
            Db::Postgres { url, schema } => Arc::new(PgStore::connect_in_schema(url, schema).await.unwrap()),
        }
    }

    async fn exec(&self, sql: &str) -> u64 {
        match self {
            Db::Sqlite(dir) => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", dir.path().join("govshare.db").display()))
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&pool).await.unwrap().rows_affected()
            }
            Db::Postgres { url, schema } => {
                use std::str::FromStr;
                let opts = sqlx::postgres::PgConnectOptions::from_str(url).unwrap().options([("search_path", schema)]);
                let pool = sqlx::PgPool::connect_with(opts).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&pool).await.unwrap().rows_affected()
            }
        }
    }
}

async fn items_derived_at_open(db: Db) {
    let s = db.open().await;
    let (_, mzj, _, dib) = two_registers(&s).await;
    let withdrawn = create(&s, "307001/000003", mzj, ResourceStatus::Published, spec("已撤销资源", "307001")).await;
    revise(&s, &withdrawn, ResourceStatus::Withdrawn, withdrawn.spec.clone()).await;
    let all = keys(&["公民身份号码", "身份证号", "姓名", "户籍地址详址", "保障金额"], &[IdentifierKind::CitizenId]);
    let before = (read(&s.held_items(&all, None).await.unwrap()), s.held_items(&all, Some(mzj)).await.unwrap());
    let counts = |s: Arc<dyn Store>| async move {
        let mut c: Vec<KeyCount> = s.item_key_counts().await.unwrap();
        c.sort_by(|a, b| (&a.key, a.data_type, a.identifier).cmp(&(&b.key, b.data_type, b.identifier)));
        c
    };
    let counted = counts(s.clone()).await;
    assert_eq!(before.0.len(), 6);
    drop(s);
    // Creates and updates keep every entry's rows current: nothing for the next open to do.
    let behind =
        "UPDATE resources SET provider_name = provider_name WHERE items_version IS NULL OR items_version <> version";
    assert_eq!(db.exec(behind).await, 0);

    // As right after migration 0009: no rows, no provider names, nothing derived.
    assert_eq!(db.exec("DELETE FROM resource_items").await, 6);
    assert_eq!(db.exec("UPDATE resources SET items_version = NULL, provider_name = NULL").await, 3);
    let s = db.open().await;
    assert_eq!((read(&s.held_items(&all, None).await.unwrap()), s.held_items(&all, Some(mzj)).await.unwrap()), before);
    assert_eq!(counts(s.clone()).await, counted);
    assert_eq!(db.exec(behind).await, 0, "every entry caught up");
    drop(s);

    // An entry written by a node that predates the table: its rows are behind its version.
    db.exec(&format!("DELETE FROM resource_items WHERE resource_id = {} AND position = 1", dib.id)).await;
    db.exec(&format!("UPDATE resources SET items_version = version - 1 WHERE id = {}", dib.id)).await;
    let s = db.open().await;
    assert_eq!(read(&s.held_items(&all, None).await.unwrap()), before.0);
    assert_eq!(counts(s).await, counted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_derives_items_at_open() {
    items_derived_at_open(Db::Sqlite(tempfile::tempdir().unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_derives_items_at_open() {
    let Some(url) = pg_url() else {
        eprintln!("skip: GOVSHARE_TEST_POSTGRES_URL unset");
        return;
    };
    items_derived_at_open(Db::Postgres { url, schema: format!("gs_test_items_{}", rand_suffix()) }).await;
}
