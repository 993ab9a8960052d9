//! The real binary: `govshare demo` serves a demo city that curl-like clients can list and filter
//! with the printed tokens; the first `serve` prints admin credentials once; the admin,
//! calendar and catalogue commands work on a data directory.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod atomic;
mod audit;
mod search;
mod synth;
mod trace;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govshare"));
    c.env("RUST_LOG", "warn").env_remove("GOVSHARE_DATABASE_URL").env_remove("GOVSHARE_DATA");
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Kills the child when dropped, so a failing test leaves no server behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("server at {base} did not become healthy");
}

fn token_of(dir: &Path, username: &str) -> String {
    let accounts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("demo-accounts.json")).unwrap()).unwrap();
    accounts.as_array().unwrap().iter().find(|a| a["username"] == username).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn demo_serves_a_city() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = bin()
        .args(["demo", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _running = Running(child);
    // The printed table names every role with a token.
    let printed: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|l| !l.starts_with("govshare 已启动"))
        .collect();
    let printed = printed.join("\n");
    for role in ["admin", "catalog_editor", "approver", "data_provider", "data_consumer", "coordinator", "auditor"] {
        assert!(printed.contains(role), "{role} not printed:\n{printed}");
    }
    assert!(printed.contains("gs_"), "{printed}");
    wait_healthy(&base).await;

    let accounts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo-accounts.json")).unwrap()).unwrap();
    for a in accounts.as_array().unwrap() {
        for key in ["role", "department", "username", "token"] {
            assert!(a[key].is_string(), "{a}");
        }
    }
    let token = token_of(dir.path(), "mzj_consumer");
    let client = reqwest::Client::new();
    let get = |path: &str| {
        let req = client.get(format!("{base}{path}")).bearer_auth(&token);
        async move {
            let r = req.send().await.unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let all = get("/api/v1/resources?limit=1").await;
    assert!(all["total"].as_i64().unwrap() >= 200, "{all}");
    let depts = get("/api/v1/departments?limit=500").await;
    assert!(depts["total"].as_i64().unwrap() >= 25);
    let names: Vec<&str> = depts["items"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    for n in
        ["示例市公安局", "示例市市场监督管理局", "示例市人力资源和社会保障局", "示例市卫生健康委员会", "示例市民政局"]
    {
        assert!(names.contains(&n), "{n} missing");
    }
    // A believable mix, and filters that agree with it.
    let by = |q: &'static str| {
        let get = &get;
        async move { get(&format!("/api/v1/resources?limit=1&{q}")).await["total"].as_i64().unwrap() }
    };
    let (u, c, n) =
        (by("share_type=unconditional").await, by("share_type=conditional").await, by("share_type=not_shared").await);
    assert!(u > 20 && c > 20 && n > 0, "{u} {c} {n}");
    assert!(by("category=1").await > 10 && by("category=2").await > 10 && by("category=3").await > 50);
    let drafts = by("status=draft").await;
    assert_eq!(drafts, 0, "another department's drafts are not visible to a consumer");
    let coord = token_of(dir.path(), "coordinator");
    let r =
        client.get(format!("{base}/api/v1/resources?status=draft&limit=1")).bearer_auth(&coord).send().await.unwrap();
    let drafts: serde_json::Value = r.json().await.unwrap();
    assert!(drafts["total"].as_i64().unwrap() > 0);
    // A currency window is open.
    let r = client.get(format!("{base}/api/v1/currency")).bearer_auth(&coord).send().await.unwrap();
    let windows: serde_json::Value = r.json().await.unwrap();
    assert!(windows["total"].as_i64().unwrap() > 0, "{windows}");
    // The OpenAPI document is served.
    let doc: serde_json::Value = reqwest::get(format!("{base}/api/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    demo_has_sharing_in_every_state(dir.path(), &printed).await;
}

/// Issue 4: the demo has applications in every state and grants of every kind and status, with
/// agreements and feedback, and says so in its summary.
async fn demo_has_sharing_in_every_state(dir: &Path, printed: &str) {
    use domain::catalog::ShareMethod;
    use domain::sharing::{ApplicationStatus, GrantStatus};
    use store::model::{ApplicationFilter, GrantFilter, PageRequest};

    assert!(printed.contains("共享申请") && printed.contains("各状态均有"), "{printed}");
    let url = format!("sqlite://{}?mode=rwc", dir.join("govshare.db").display());
    let store = store::open(&url).await.unwrap();
    let one = PageRequest { after: None, limit: 1 };
    for s in ApplicationStatus::ALL {
        let f = ApplicationFilter { statuses: vec![*s], ..Default::default() };
        assert!(store.list_applications(&f, one).await.unwrap().total > 0, "no application {}", s.code());
    }
    for s in GrantStatus::ALL {
        let f = GrantFilter { statuses: vec![*s], ..Default::default() };
        assert!(store.list_grants(&f, one).await.unwrap().total > 0, "no grant {}", s.code());
    }
    let grants = store.list_grants(&GrantFilter::default(), PageRequest { after: None, limit: 100 }).await.unwrap();
    let only = |m: ShareMethod| grants.items.iter().any(|g| g.terms.methods == [m]);
    for m in [ShareMethod::Verification, ShareMethod::BulkDownload, ShareMethod::Exchange] {
        assert!(only(m), "no grant by {} only", m.code());
    }
    assert!(
        grants
            .items
            .iter()
            .any(|g| !g.terms.masks.is_empty() && !g.terms.rows.is_empty() && g.terms.daily_row_quota.is_some()),
        "no partial grant with masking, rows and a quota"
    );
    // A grant issued without an application, for one information system of the consumer, whose
    // account is in the accounts file.
    let system_user = store.find_user_by_username("mzj_relief_system").await.unwrap().expect("system account");
    let system_id = system_user.system_id.expect("bound to a system");
    assert!(
        grants.items.iter().any(|g| g.application_id.is_none() && g.terms.system_ids == [system_id]),
        "no grant issued without an application to an information system"
    );
    assert!(token_of(dir, "mzj_relief_system").starts_with("gs_"));
    let mut kinds = Vec::new();
    for g in &grants.items {
        kinds.extend(store.list_agreements(g.id).await.unwrap().into_iter().map(|a| a.kind));
    }
    assert!(kinds.iter().any(|k| k == "confidentiality"), "{kinds:?}");
    assert!(store.list_feedback(None, None).await.unwrap().len() >= 2);
}

#[tokio::test]
async fn first_run_admin_commands() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    // An upload spooled by a killed server is cleared at the next start.
    std::fs::create_dir_all(data.join("tmp")).unwrap();
    std::fs::write(data.join("tmp").join(".tmpKILLED"), "公民身份号码\n").unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let serve = |port: u16| {
        bin()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(&data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut child = serve(port);
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|l| !l.starts_with("govshare 已启动"))
        .collect();
    let token = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("令牌："))
        .unwrap_or_else(|| panic!("{lines:?}"))
        .trim()
        .to_string();
    assert!(lines.iter().any(|l| l.contains("密码：")));
    wait_healthy(&base).await;
    assert!(!data.join("tmp").join(".tmpKILLED").exists(), "the stale spool file is removed");
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["roles"], serde_json::json!(["admin"]));
    drop(running);

    // The second start prints no credentials.
    let port2 = free_port();
    let mut child = serve(port2);
    let stdout = child.stdout.take().unwrap();
    let _running = Running(child);
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|l| !l.starts_with("govshare 已启动"))
        .collect();
    assert!(lines.iter().all(|l| !l.contains("令牌")), "{lines:?}");
    drop(_running);

    // admin create-user prints a token; bad roles are refused with a clear message.
    let out = bin()
        .args([
            "admin",
            "create-user",
            "--username",
            "shenji",
            "--name",
            "审计员甲",
            "--department",
            "PLATFORM-OPS",
            "--role",
            "auditor",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("gs_"));
    let out = bin()
        .args([
            "admin",
            "create-user",
            "--username",
            "bad",
            "--name",
            "x",
            "--department",
            "PLATFORM-OPS",
            "--role",
            "king",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("角色“king”无效"));

    let out = bin().args(["calendar", "deadline", "2026-02-10", "10"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2026-03-02");
    let out = bin().args(["calendar", "deadline", "2026-12-28", "10"]).output().unwrap();
    assert!(!out.status.success(), "past the calendar's last year it must refuse");
    assert!(String::from_utf8_lossy(&out.stderr).contains("2027"));
}

#[test]
fn catalogue_export_and_import_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let out = bin().args(["demo", "--no-serve", "--data"]).arg(&data).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let xlsx = dir.path().join("gaj.xlsx");
    let out = bin().args(["catalog", "export", "--as", "gaj_editor", "--data"]).arg(&data).arg(&xlsx).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 10_000);
    // The editor of 公安局 sees every published entry, so re-importing the whole file is refused
    // row by row for other departments' entries, and nothing is written.
    let out = bin().args(["catalog", "import", "--as", "gaj_editor", "--data"]).arg(&data).arg(&xlsx).output().unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("未写入任何数据"), "{text}");
    assert!(text.contains("属于其他部门") || text.contains("与导入部门"), "{text}");
}

#[test]
fn import_publishes_data_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let out = bin().args(["demo", "--no-serve", "--data"]).arg(&data).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // 307001/000001 is the first (database) resource of 示例市公安局 in the demo catalogue.
    let csv = dir.path().join("rows.csv");
    let out = bin()
        .args(["synth", "--table", "307001/000001", "--rows", "50", "--seed", "7", "--out"])
        .arg(&csv)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let import = |file: &Path, extra: &[&str]| {
        bin()
            .args(["import", "--as", "gaj_provider", "307001/000001"])
            .arg(file)
            .args(extra)
            .arg("--data")
            .arg(&data)
            .output()
            .unwrap()
    };
    let out = import(&csv, &[]);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("已发布数据版本") && text.contains("本次接受50行"), "{text}");
    // A file with a broken row: nothing is published, the row is reported, the exit code says so.
    let mut broken = std::fs::read_to_string(&csv).unwrap();
    broken.push_str(&"x,".repeat(40));
    broken.push('\n');
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, broken).unwrap();
    let out = import(&bad, &["--mode", "replace"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("未发布任何数据"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("第52行"), "{}", String::from_utf8_lossy(&out.stdout));
    // Someone who is not the department's data provider cannot publish.
    let out = bin()
        .args(["import", "--as", "mzj_consumer", "307001/000001"])
        .arg(&csv)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("数据提供员"), "{}", String::from_utf8_lossy(&out.stderr));
}
