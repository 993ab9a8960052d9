//! The tamper-evident audit log: entries edited, deleted, reordered or cut off directly in the
//! SQLite and PostgreSQL tables (as someone with database access would, triggers disabled) are
//! found by the verification that `govshare audit verify` runs, at the right entry; and the real
//! binary reports it.

use std::str::FromStr;
use std::sync::Arc;

use serde_json::json;
use service::Services;
use sqlx::AssertSqlSafe;
use store::Store;

use super::bin;

/// Raw SQL on the store's database, with the append-only triggers and foreign keys out of the way.
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

impl Raw {
    async fn exec(&self, sql: &str) {
        match self {
            Raw::Sqlite(p) => {
                let mut c = p.acquire().await.unwrap();
                sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *c).await.unwrap();
                for t in ["audit_events", "audit_leaves"] {
                    for op in ["update", "delete"] {
                        sqlx::query(AssertSqlSafe(format!("DROP TRIGGER IF EXISTS {t}_no_{op}")))
                            .execute(&mut *c)
                            .await
                            .unwrap();
                    }
                }
                sqlx::query(AssertSqlSafe(sql.to_string())).execute(&mut *c).await.unwrap();
            }
            Raw::Pg(p) => {
                let mut tx = p.begin().await.unwrap();
                // Disables triggers, foreign keys included, for this transaction.
                sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *tx).await.unwrap();
                sqlx::query(AssertSqlSafe(sql.to_string())).execute(&mut *tx).await.unwrap();
                tx.commit().await.unwrap();
            }
        }
    }
}

struct Log {
    svc: Services,
    raw: Raw,
    _dir: Option<tempfile::TempDir>,
}

/// Twenty events, all covered by a signed checkpoint.
async fn log(backend: &str) -> Option<Log> {
    let (store, raw, dir): (Arc<dyn Store>, Raw, _) = if backend == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("govshare.db");
        let store = store::SqliteStore::open(&path).await.unwrap();
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
        let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
        (Arc::new(store), Raw::Sqlite(pool), Some(dir))
    } else {
        let url = std::env::var("GOVSHARE_TEST_POSTGRES_URL").ok()?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let schema = format!("gs_audit_{}_{nanos}", std::process::id());
        let store = store::PgStore::connect_in_schema(&url, &schema).await.unwrap();
        let opts = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap().options([("search_path", &schema)]);
        let pool = sqlx::postgres::PgPoolOptions::new().max_connections(2).connect_with(opts).await.unwrap();
        (Arc::new(store), Raw::Pg(pool), None)
    };
    let svc = Services::new(store);
    for i in 1..=20 {
        service::audit::record(&svc, None, "test.event", "thing", Some(format!("t{i}")), json!({"n": i}))
            .await
            .unwrap();
    }
    let size = svc.audit.checkpoint_now(&svc.store, chrono::Utc::now()).await.unwrap();
    assert_eq!(size, 20);
    Some(Log { svc, raw, _dir: dir })
}

async fn verify(l: &Log) -> Result<service::audit::Verification, String> {
    service::audit::verify(&l.svc.store, &l.svc.audit.verifying_key()).await.map_err(|e| e.to_string())
}

async fn tampering(backend: &str) {
    // Intact.
    let Some(l) = log(backend).await else { return };
    let v = verify(&l).await.unwrap();
    assert_eq!((v.entries, v.checkpointed), (20, 20));

    // An edited entry.
    l.raw.exec(r#"UPDATE audit_events SET detail = '{"n":700}' WHERE id = 7"#).await;
    assert_eq!(verify(&l).await.unwrap_err(), "第7条审计记录的内容被修改过（哈希不符）");

    // An edited entry whose leaf hash was recomputed to match: only the signed root catches it.
    let Some(l) = log(backend).await else { return };
    l.raw.exec(r#"UPDATE audit_events SET detail = '{"n":700}' WHERE id = 7"#).await;
    let leaf = store::model::audit_leaf(
        7,
        &at_of(&l, 7).await,
        None,
        None,
        None,
        "test.event",
        "thing",
        Some("t7"),
        r#"{"n":700}"#,
    );
    l.raw.exec(&format!("UPDATE audit_leaves SET leaf_hash = '{leaf}' WHERE seq = 7")).await;
    let e = verify(&l).await.unwrap_err();
    assert!(e.contains("检查点") && e.contains("20"), "{e}");

    // A deleted entry (event and position).
    let Some(l) = log(backend).await else { return };
    l.raw.exec("DELETE FROM audit_leaves WHERE seq = 5").await;
    l.raw.exec("DELETE FROM audit_events WHERE id = 5").await;
    let e = verify(&l).await.unwrap_err();
    assert!(e.starts_with("第5条") && e.contains("缺失"), "{e}");

    // A deleted event whose position remains.
    let Some(l) = log(backend).await else { return };
    l.raw.exec("DELETE FROM audit_events WHERE id = 12").await;
    assert_eq!(verify(&l).await.unwrap_err(), "第12条审计记录（编号12）已被删除，但其日志位置仍在");

    // Two entries swapped.
    let Some(l) = log(backend).await else { return };
    l.raw.exec("UPDATE audit_events SET object_id = 'tmp' WHERE id = 3").await;
    l.raw.exec(r#"UPDATE audit_events SET object_id = 't3', detail = '{"n":3}' WHERE id = 4"#).await;
    l.raw.exec(r#"UPDATE audit_events SET object_id = 't4', detail = '{"n":4}' WHERE id = 3"#).await;
    assert_eq!(verify(&l).await.unwrap_err(), "第3条审计记录的内容被修改过（哈希不符）");

    // A cut-off tail.
    let Some(l) = log(backend).await else { return };
    l.raw.exec("DELETE FROM audit_leaves WHERE seq > 16").await;
    l.raw.exec("DELETE FROM audit_events WHERE id > 16").await;
    let e = verify(&l).await.unwrap_err();
    assert!(e.contains("17") && e.contains("20"), "{e}");

    // An event written behind the platform's back.
    let Some(l) = log(backend).await else { return };
    l.raw
        .exec("INSERT INTO audit_events (at, action, object_type, detail) VALUES ('2026-11-23T00:00:00.000000Z', 'x', 'y', '{}')")
        .await;
    assert_eq!(verify(&l).await.unwrap_err(), "审计记录（编号21）没有进入防篡改日志：它是绕过平台直接写入数据库的");
}

async fn at_of(l: &Log, id: i64) -> String {
    let page = l
        .svc
        .store
        .list_audit(&Default::default(), store::model::PageRequest { after: Some(id - 1), limit: 1 })
        .await
        .unwrap();
    store::time::fmt(page.items[0].at)
}

#[tokio::test]
async fn tampering_is_found_at_the_right_entry_on_sqlite() {
    tampering("sqlite").await;
}

#[tokio::test]
async fn tampering_is_found_at_the_right_entry_on_postgres() {
    tampering("postgres").await;
}

#[test]
fn the_binary_verifies_the_demo_log_and_names_an_edited_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let out = bin().args(["demo", "--no-serve", "--data"]).arg(&data).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let verify = || bin().args(["audit", "verify", "--data"]).arg(&data).output().unwrap();
    let out = verify();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("审计日志完整"), "{text}{}", String::from_utf8_lossy(&out.stderr));
    // The demo signs a last checkpoint before it exits: every entry is covered.
    let number = |after: &str| -> u64 {
        let rest = &text[text.find(after).unwrap_or_else(|| panic!("{text}")) + after.len()..];
        rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
    };
    assert_eq!(number("共"), number("已签名覆盖前"), "{text}");
    let key = bin().args(["audit", "key", "--data"]).arg(&data).output().unwrap();
    let key = String::from_utf8_lossy(&key.stdout).lines().next().unwrap().trim_start_matches("审计公钥：").to_string();
    assert_eq!(key.len(), 64, "{key}");

    // Edit one entry with the triggers dropped.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(data.join("govshare.db"));
        let raw =
            Raw::Sqlite(sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap());
        raw.exec("UPDATE audit_events SET username = 'someone_else' WHERE id = 3").await;
    });
    let out = verify();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第3条审计记录的内容被修改过"), "{err}");
    // A pinned key that is not the platform's fails every checkpoint.
    let out = bin().args(["audit", "verify", "--public-key", &"ab".repeat(32), "--data"]).arg(&data).output().unwrap();
    assert!(!out.status.success());
}

/// What `govshare audit verify` says about the log: (entries, entries covered by the last
/// signed checkpoint).
fn entries_and_covered(data: &std::path::Path) -> (u64, u64) {
    let out = bin().args(["audit", "verify", "--data"]).arg(data).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let number = |after: &str| -> u64 {
        let rest = &text[text.find(after).unwrap_or_else(|| panic!("{text}")) + after.len()..];
        rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
    };
    (number("共"), number("已签名覆盖前"))
}

/// `admin create-user`, `catalog import` and `import` (and `trace`) record audit events and
/// then sign a checkpoint over them before they exit: every entry they added is covered, so a
/// tail cut off afterwards is detected at once, not only after the next `serve` has signed.
#[test]
fn one_shot_commands_sign_what_they_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let run = |args: &[&str], extra: &[&std::path::Path]| {
        let out = bin().args(args).args(extra).arg("--data").arg(&data).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    };
    let (ok, text) = run(&["demo", "--no-serve"], &[]);
    assert!(ok, "{text}");
    let (mut entries, covered) = entries_and_covered(&data);
    assert_eq!(covered, entries);

    // admin create-user: one event.
    let create = |role: &str| {
        let args = ["admin", "create-user", "--username", "shenji2", "--name", "审计员乙", "--department"];
        run(&[&args[..], &["PLATFORM-OPS", "--role", role]].concat(), &[])
    };
    let (ok, text) = create("king");
    assert!(!ok && text.contains("角色“king”无效"), "{text}");
    assert_eq!(entries_and_covered(&data), (entries, entries), "a refused command records nothing");
    let (ok, text) = create("auditor");
    assert!(ok, "{text}");
    let (now, covered) = entries_and_covered(&data);
    assert_eq!((now, covered), (entries + 1, entries + 1));
    entries = now;

    // catalog import: three new drafts of 公安局, copies of three of its entries, one event each
    // in quick succession (the writer signs on its own at most once a second).
    let all = dir.path().join("all.json");
    let (ok, text) = run(&["catalog", "export", "--as", "gaj_editor"], &[&all]);
    assert!(ok, "{text}");
    let exported: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&all).unwrap()).unwrap();
    let copies: Vec<serde_json::Value> = exported
        .into_iter()
        .filter(|e| e["resource"]["provider_name"] == "示例市公安局")
        .take(3)
        .enumerate()
        .map(|(i, mut e)| {
            e["code"] = serde_json::Value::Null;
            e["status"] = serde_json::Value::Null;
            let name = format!("{}（副本{i}）", e["resource"]["name"].as_str().unwrap());
            e["resource"]["name"] = name.into();
            e
        })
        .collect();
    assert_eq!(copies.len(), 3);
    let three = dir.path().join("three.json");
    std::fs::write(&three, serde_json::to_vec(&copies).unwrap()).unwrap();
    let (ok, text) = run(&["catalog", "import", "--as", "gaj_editor"], &[&three]);
    assert!(ok && text.contains("导入3条"), "{text}");
    let (now, covered) = entries_and_covered(&data);
    assert!(now >= entries + 3, "{now} after {entries}");
    assert_eq!(covered, now, "every entry the import added is signed");
    entries = now;

    // import: a data version of 307001/000001 (a failed publish is signed too).
    let csv = dir.path().join("rows.csv");
    let (ok, text) = run(&["synth", "--table", "307001/000001", "--rows", "20", "--seed", "3", "--out"], &[&csv]);
    assert!(ok, "{text}");
    let (ok, text) = run(&["import", "--as", "mzj_consumer", "307001/000001"], &[&csv]);
    assert!(!ok && text.contains("数据提供员"), "{text}");
    let (ok, text) = run(&["import", "--as", "gaj_provider", "307001/000001"], &[&csv]);
    assert!(ok, "{text}");
    let (now, covered) = entries_and_covered(&data);
    assert!(now > entries, "{now} after {entries}");
    assert_eq!(covered, now);

    // Now a cut-off tail is found at once: the last entry removed behind the platform's back.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(data.join("govshare.db"));
        let raw =
            Raw::Sqlite(sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap());
        raw.exec(&format!("DELETE FROM audit_leaves WHERE seq = {now}")).await;
        raw.exec("DELETE FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)").await;
    });
    let out = bin().args(["audit", "verify", "--data"]).arg(&data).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("日志曾有{now}条记录，第{now}条至第{now}条已缺失")), "{err}");
}
