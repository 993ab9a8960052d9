//! Sharing benchmarks (issue 4), in one run, printed as a Markdown table:
//! 1. the cost of the grant check + masking + row scope + audit on a query returning 1,000 rows,
//!    against the same query with the full-access scope of the providing department and no
//!    audit (p50 and p99 of many runs);
//! 2. audit append throughput with batching (many concurrent writers, group commit) against one
//!    transaction per event, on SQLite and, with `--postgres URL`, PostgreSQL.
//!
//! `cargo bench -p service --bench sharing [-- --postgres URL]` (bench/run runs it).

use std::sync::Arc;
use std::time::Instant;

use domain::account::{Actor, Role};
use domain::catalog::{
    CategoryCode, DataItem, DataType, Format, FormatClass, OpenType, ResourceSpec, ShareMethod, ShareType, UpdateCycle,
};
use domain::filter::{Filter, Op};
use domain::masking::MaskRule;
use domain::org::{DepartmentSpec, PlatformLevel};
use domain::purpose::{Purpose, PurposeKind};
use domain::sharing::{ApplicationTerms, Contact, Decision, FieldMask, GrantTerms, Period};
use service::accounts::{self, PlatformIdentity, UserInput};
use service::datasets::{self, ReadRequest};
use service::sharing::{self, Act};
use service::{Services, audit};
use store::Store;
use store::model::NewAuditEvent;

const ROWS: usize = 200_000;
const QUERY_RUNS: usize = 300;

fn actor(u: &store::model::User) -> Actor {
    Actor {
        user_id: u.id,
        username: u.username.clone(),
        department_id: u.department_id,
        roles: u.roles.clone(),
        system: None,
    }
}

fn credit_code(body: &str) -> String {
    let org = domain::identifiers::org_code_check_char(body).expect("org body");
    let first17 = format!("11350100{body}{org}");
    let check = domain::identifiers::credit_code_check_char(&first17).expect("17");
    format!("{first17}{check}")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (percentile(&v, 0.5), percentile(&v, 0.99))
}

struct Setup {
    svc: Services,
    provider: Actor,
    consumer: Actor,
    code: String,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> =
        Arc::new(store::SqliteStore::open(&dir.path().join("govshare.db")).await.expect("sqlite"));
    let datasets = data::storage::DatasetStorage::local(&dir.path().join("data")).expect("datasets");
    let svc = Services::new(store).with_datasets(datasets);
    let identity =
        PlatformIdentity {
            name: "基准测试平台".into(), level: PlatformLevel::City, region_code: "350100".into()
        };
    let boot = accounts::bootstrap(&svc, &identity).await.expect("bootstrap").expect("first run");
    let admin = actor(&svc.store.find_user_by_username(&boot.username).await.expect("admin").expect("admin"));
    let platform = svc.store.list_platforms().await.expect("platforms").remove(0);
    let dept = |name: &str, body: &str, local: &str| DepartmentSpec {
        name: name.into(),
        credit_code: Some(credit_code(body)),
        local_code: Some(local.into()),
        parent_id: None,
        platform_id: platform.id,
    };
    let a = accounts::create_department(&svc, &admin, dept("示例市公安局", "MB000010", "SLS-GAJ")).await.expect("a");
    let b = accounts::create_department(&svc, &admin, dept("示例市民政局", "MB000020", "SLS-MZJ")).await.expect("b");
    service::catalog::create_category(&svc, &admin, "307001", "公安").await.expect("category");
    let user = |name: &str, dept: i64, role: Role| {
        let svc = svc.clone();
        let name = name.to_string();
        async move {
            let u = accounts::create_user_unchecked(
                &svc,
                UserInput {
                    username: name.clone(),
                    display_name: name,
                    department_id: dept,
                    roles: vec![role],
                    password: None,
                },
            )
            .await
            .expect("user");
            actor(&u)
        }
    };
    let editor = user("editor", a.id, Role::CatalogEditor).await;
    let approver = user("approver", a.id, Role::Approver).await;
    let provider = user("provider", a.id, Role::DataProvider).await;
    let consumer = user("consumer", b.id, Role::DataConsumer).await;

    let mut key = DataItem::new("公民身份号码", DataType::C, Some(18));
    key.is_key = true;
    let items = vec![
        key,
        DataItem::new("姓名", DataType::C, Some(50)),
        DataItem::new("手机号码", DataType::C, Some(11)),
        DataItem::new("户籍地址", DataType::C, Some(200)),
        DataItem::new("户籍地行政区划代码", DataType::C, Some(6)),
        DataItem::new("出生日期", DataType::D, None),
    ];
    let spec = ResourceSpec {
        category: CategoryCode::parse("307001").expect("category"),
        name: "常住人口信息（基准测试）".into(),
        provider_name: String::new(),
        provider_code: String::new(),
        provider_division: None,
        summary: "基准测试用的人口信息".into(),
        format: Format { class: FormatClass::Database, subtype: None, other_desc: None },
        data_items: items,
        share_type: ShareType::Conditional,
        share_condition: Some("仅限民政部门办理社会救助时使用".into()),
        share_basis: None,
        share_methods: vec![ShareMethod::Api, ShareMethod::BulkDownload],
        open_type: OpenType::NotOpen,
        open_condition: None,
        update_cycle: UpdateCycle::Daily,
        publish_date: None,
        related_codes: vec![],
        classified: false,
        tags: vec![],
        collection_decisions: Vec::new(),
    };
    let r = service::catalog::create(&svc, &editor, None, spec).await.expect("create");
    service::catalog::submit(&svc, &editor, &r.code).await.expect("submit");
    let r = service::catalog::publish(&svc, &approver, &r.code).await.expect("publish");

    // Synthetic rows: 13 districts, names, mobiles, addresses.
    let path = dir.path().join("rows.csv");
    let mut csv = String::from("公民身份号码,姓名,手机号码,户籍地址,户籍地行政区划代码,出生日期\n");
    let surnames = ["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴"];
    for i in 0..ROWS {
        let region = 350102 + (i % 13) as u32;
        csv.push_str(&format!(
            "{region}{i:012},{}{}{},13{:09},福建省福州市某区某街道{}号,{region},19{:02}-01-01\n",
            surnames[i % 10],
            surnames[(i / 10) % 10],
            surnames[(i / 100) % 10],
            i,
            i % 997,
            i % 100,
        ));
    }
    std::fs::write(&path, csv).expect("write rows");
    let up = datasets::Upload {
        path,
        options: data::input::InputOptions::new(data::input::InputFormat::Csv),
        mode: data::publish::PublishMode::Replace,
        accept_valid: true,
    };
    datasets::publish(&svc, &provider, &r.code, up).await.expect("publish data");

    // A grant with a row scope and three masked fields.
    let today = svc.clock.today();
    let terms = ApplicationTerms {
        purpose: Purpose::new(PurposeKind::DataVerification, "社会救助对象资格核对").expect("purpose"),
        basis: "《社会救助暂行办法》".into(),
        fields: vec!["公民身份号码".into(), "姓名".into(), "手机号码".into(), "户籍地址".into(), "出生日期".into()],
        rows: vec![],
        period: Period { from: today, until: today + chrono::Days::new(365) },
        methods: vec![ShareMethod::Api],
        contact: Contact { name: "王敏".into(), phone: "0591-87654321".into() },
        system_ids: vec![],
    };
    let app = sharing::apply(&svc, &consumer, &r.code, terms).await.expect("apply");
    let granted = GrantTerms {
        rows: vec![Filter::new(
            "户籍地行政区划代码",
            Op::In,
            serde_json::json!(["350102", "350103", "350104", "350105", "350111", "350112"]),
        )],
        masks: vec![
            FieldMask { field: "公民身份号码".into(), rule: MaskRule::CitizenId },
            FieldMask { field: "姓名".into(), rule: MaskRule::Name },
            FieldMask { field: "手机号码".into(), rule: MaskRule::Mobile },
        ],
        ..GrantTerms::from_application(&app.terms)
    };
    let decision = Decision::ApprovePartially {
        terms: granted,
        reason: "仅限六个区，身份号码、姓名、手机号脱敏".into(),
    };
    sharing::act(&svc, &approver, app.id, app.revision, Act::Decide(decision)).await.expect("decide");
    Setup { svc, provider, consumer, code: r.code, _dir: dir }
}

fn query_spec() -> data::query::QuerySpec {
    data::query::QuerySpec {
        fields: Some(vec![
            "公民身份号码".into(),
            "姓名".into(),
            "手机号码".into(),
            "户籍地址".into(),
            "出生日期".into(),
        ]),
        filters: vec![Filter::new("出生日期", Op::Ge, serde_json::json!("1950-01-01"))],
        limit: Some(1000),
        ..Default::default()
    }
}

async fn grant_overhead(s: &Setup) -> [(f64, f64); 3] {
    let purpose = Purpose::new(PurposeKind::DataVerification, "社会救助对象资格核对").expect("purpose");
    let r = s.svc.store.get_resource_by_code(&s.code).await.expect("resource");
    let version = s.svc.store.latest_dataset_version(r.id).await.expect("version").expect("a version");
    // The full-access scope: the providing department's own, straight through the data layer.
    let facts = data::access::ResourceFacts {
        department_id: r.department_id,
        status: r.status,
        spec: &r.spec,
        items: &version.data_items,
    };
    let read = data::access::ReadContext {
        actor: &s.provider,
        purpose: purpose.clone(),
        kind: data::access::ReadKind::Query,
        grant_id: None,
        today: s.svc.clock.today(),
    };
    let full = data::access::decide(read, r.id, &facts, &[]).expect("own department");
    let mut base = Vec::new();
    let mut own = Vec::new();
    let mut granted = Vec::new();
    for i in 0..QUERY_RUNS + 20 {
        let t = Instant::now();
        let res = data::query::run(&s.svc.datasets, &version.files, &full, &query_spec()).await.expect("full query");
        let full_ms = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(res.rows.len(), 1000);
        // The same use case for the providing department: full access, audited like any read.
        let t = Instant::now();
        let (_, res) = datasets::query(&s.svc, &s.provider, &s.code, ReadRequest::new(purpose.clone()), query_spec())
            .await
            .expect("own query");
        let own_ms = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(res.rows.len(), 1000);
        let t = Instant::now();
        let (_, res) = datasets::query(&s.svc, &s.consumer, &s.code, ReadRequest::new(purpose.clone()), query_spec())
            .await
            .expect("granted query");
        let granted_ms = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(res.rows.len(), 1000);
        assert!(res.rows[0]["公民身份号码"].as_str().is_some_and(|v| v.contains("********")));
        if i >= 20 {
            base.push(full_ms);
            own.push(own_ms);
            granted.push(granted_ms);
        }
    }
    [stats(base), stats(own), stats(granted)]
}

fn event(i: usize) -> NewAuditEvent {
    NewAuditEvent {
        at: chrono::Utc::now(),
        user_id: Some(1),
        username: Some("consumer".into()),
        department_id: Some(2),
        action: "data.query".into(),
        object_type: "resource".into(),
        object_id: Some("307001/000001".into()),
        detail: serde_json::json!({"id": 1, "version": 1, "rows": 1000, "basis": "grant", "grant": 1, "n": i}),
    }
}

/// Events per second: batched (64 concurrent writers through the group-commit writer) and one
/// transaction per event (sequential `append_audit`).
async fn audit_throughput(store: Arc<dyn Store>) -> (f64, f64) {
    let svc = Services::new(store.clone());
    let writers = 64;
    let per_writer = 500;
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let svc = svc.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_writer {
                let e = event(w * per_writer + i);
                audit::record(&svc, None, &e.action, &e.object_type, e.object_id, e.detail).await.expect("record");
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
    let batched = (writers * per_writer) as f64 / t.elapsed().as_secs_f64();
    let n = 2000;
    let t = Instant::now();
    for i in 0..n {
        store.append_audit(&event(i)).await.expect("append");
    }
    let single = n as f64 / t.elapsed().as_secs_f64();
    (batched, single)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let postgres = args.iter().position(|a| a == "--postgres").and_then(|i| args.get(i + 1)).cloned();
    if args.iter().any(|a| a == "--list") {
        return; // `cargo bench -- --list` from tooling
    }
    eprintln!("[sharing bench] preparing {ROWS} rows …");
    let s = setup().await;
    eprintln!("[sharing bench] {QUERY_RUNS} queries of 1,000 rows each way …");
    let [(b50, b99), (o50, o99), (g50, g99)] = grant_overhead(&s).await;
    eprintln!("[sharing bench] audit append throughput …");
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite: Arc<dyn Store> = Arc::new(store::SqliteStore::open(&dir.path().join("a.db")).await.expect("sqlite"));
    let (sq_b, sq_1) = audit_throughput(sqlite).await;
    let pg = match &postgres {
        Some(url) => {
            let schema = format!("gs_bench_{}", std::process::id());
            let store: Arc<dyn Store> =
                Arc::new(store::PgStore::connect_in_schema(url, &schema).await.expect("postgres"));
            Some(audit_throughput(store).await)
        }
        None => None,
    };
    let ok = |b: bool| if b { "yes" } else { "**no**" };
    println!("| Measure | govshare | Baseline | Target | Met |");
    println!("|---|---:|---:|---|---|");
    println!(
        "| Query, 1,000 rows, through a grant (row scope, 3 masked fields) vs the provider's full access, both the whole audited use case, p50 ms | {g50:.2} | {o50:.2} | | |"
    );
    println!(
        "| Same, p99 ms (added by the grant: {:.2} ms) | {g99:.2} | {o99:.2} | < 1 ms added at p99 | {} |",
        g99 - o99,
        ok(g99 - o99 < 1.0)
    );
    println!(
        "| Through a grant vs the bare data-layer query (no catalogue lookup, grant lookup, masking or audit), p50 / p99 ms | {g50:.2} / {g99:.2} | {b50:.2} / {b99:.2} | | |"
    );
    println!(
        "| Audit append, SQLite, events/s (64 writers, group commit vs one transaction per event) | {sq_b:.0} | {sq_1:.0} | ≥ 20,000/s | {} |",
        ok(sq_b >= 20_000.0)
    );
    match pg {
        Some((b, one)) => println!(
            "| Audit append, PostgreSQL, events/s (same) | {b:.0} | {one:.0} | ≥ 20,000/s | {} |",
            ok(b >= 20_000.0)
        ),
        None => println!("| Audit append, PostgreSQL | not run (no --postgres URL) | | | |"),
    }
    println!();
    println!(
        "Table of {ROWS} rows, {QUERY_RUNS} runs of each query after 20 warm-up runs, alternating. The first baseline is \
         the providing department's own read through the same `service::datasets::query` (full-access scope, audited \
         too); the second is `data::query::run` alone with the full-access scope. govshare's figure is the whole \
         `service::datasets::query` of a consumer through a grant. Each audit \
         event is stored with its Merkle leaf; a checkpoint is signed at most every second."
    );
}
