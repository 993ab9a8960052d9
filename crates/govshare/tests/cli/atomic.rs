//! Publishing is atomic: the real server, killed with SIGKILL at several moments of a large
//! publish (just after the upload started, halfway through the upload, while the Parquet file of
//! the new version is being written), comes back with the previous version intact and the only
//! one visible, and a later publish works normally.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Running, bin, free_port, wait_healthy};

/// Rows of the large upload (about 70 MB of CSV).
const BIG_ROWS: usize = 1_500_000;
const BOUNDARY: &str = "----govshareatomicboundary";

/// A running server.
struct Server {
    running: Running,
    port: u16,
    base: String,
}

/// Starts `govshare serve` on `data`, spooling uploads under `spool`; returns it with what it
/// printed before it started listening.
async fn start(data: &Path, spool: &Path) -> (Server, Vec<String>) {
    std::fs::create_dir_all(spool).unwrap();
    let port = free_port();
    let mut child = bin()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .env("TMPDIR", spool)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.starts_with("govshare 已启动") {
            break;
        }
        printed.push(line);
    }
    // Keep reading, so the server never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let base = format!("http://127.0.0.1:{port}");
    wait_healthy(&base).await;
    (Server { running, port, base }, printed)
}

impl Server {
    /// SIGKILL: no destructor, no flush, no cleanup runs.
    fn kill(mut self) {
        self.running.0.kill().unwrap();
        self.running.0.wait().unwrap();
    }
}

struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    async fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, path, token, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
    async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body)).await
    }
    /// A small multipart upload, in one piece.
    async fn upload(&self, path: &str, token: &str, csv: &str) -> (u16, Value) {
        let mut body = multipart_head("small.csv").into_bytes();
        body.extend_from_slice(csv.as_bytes());
        body.extend_from_slice(multipart_tail().as_bytes());
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

fn multipart_head(file: &str) -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n"
    )
}

fn multipart_tail() -> String {
    format!("\r\n--{BOUNDARY}--\r\n")
}

/// Creates a user with the CLI (which prints the token), while the server runs on the same
/// SQLite file.
fn create_user(data: &Path, username: &str, department: i64, role: &str) -> String {
    let out = bin()
        .args(["admin", "create-user", "--username", username, "--name", username, "--role", role])
        .args(["--department", &department.to_string(), "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find(|l| l.trim().starts_with("gs_"))
        .unwrap_or_else(|| panic!("no token printed for {username}"))
        .trim()
        .to_string()
}

fn credit_code(body17: &str) -> String {
    format!("{body17}{}", domain::identifiers::credit_code_check_char(body17).unwrap())
}

fn org_code(body8: &str) -> String {
    format!("{body8}{}", domain::identifiers::org_code_check_char(body8).unwrap())
}

/// A small upload: `rows` rows whose identifiers start with `prefix`, and the identifiers.
fn small_csv(prefix: &str, rows: usize) -> (String, BTreeSet<String>) {
    let mut csv = String::from("证照编号,持证人,发证日期\n");
    let mut ids = BTreeSet::new();
    for i in 0..rows {
        let id = format!("{prefix}{i:016}");
        csv.push_str(&format!("{id},持证人{i},2024-01-{:02}\n", i + 1));
        ids.insert(id);
    }
    (csv, ids)
}

/// The large upload as a whole multipart body on disk, and its length.
fn big_body(path: &Path) -> u64 {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    out.write_all(multipart_head("big.csv").as_bytes()).unwrap();
    out.write_all("证照编号,持证人,发证日期\n".as_bytes()).unwrap();
    // Identifiers and names that do not compress to nothing, so the Parquet file is large enough
    // to be written in parts.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut line = String::with_capacity(64);
    for i in 0..BIG_ROWS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        line.clear();
        use std::fmt::Write as _;
        let _ = writeln!(
            line,
            "ZZ{i:08}{:08},持证人{:06},20{:02}-{:02}-{:02}",
            x % 100_000_000,
            (x >> 32) % 1_000_000,
            10 + (x >> 20) % 15,
            1 + (x >> 8) % 12,
            1 + (x >> 4) % 28
        );
        out.write_all(line.as_bytes()).unwrap();
    }
    out.write_all(multipart_tail().as_bytes()).unwrap();
    out.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

/// Streams the large body to the server over a raw HTTP/1.1 connection, counting the bytes sent;
/// returns what the server answered (nothing when it was killed).
async fn upload_big(port: u16, path: String, token: String, body: PathBuf, sent: Arc<AtomicU64>) -> String {
    let len = std::fs::metadata(&body).unwrap().len();
    let Ok(mut tcp) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else { return String::new() };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    );
    if tcp.write_all(head.as_bytes()).await.is_err() {
        return String::new();
    }
    let mut file = tokio::fs::File::open(&body).await.unwrap();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        if tcp.write_all(&buf[..n]).await.is_err() {
            return String::new();
        }
        sent.fetch_add(n as u64, Ordering::SeqCst);
    }
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out
}

/// The size of the largest file directly in `dir` (the upload being spooled).
fn spooled(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).max().unwrap_or(0))
        .unwrap_or(0)
}

/// The directory of the one complete Parquet file that is not version 1's: version 2's.
fn v2_dir(all: &BTreeSet<PathBuf>, v1: &BTreeSet<PathBuf>) -> PathBuf {
    let complete: Vec<&PathBuf> =
        all.difference(v1).filter(|f| f.extension().is_some_and(|e| e == "parquet")).collect();
    assert_eq!(complete.len(), 1, "one complete new file, version 2's: {complete:?}");
    complete[0].parent().unwrap().to_path_buf()
}

/// When to kill the server.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// The server has received the first bytes of the upload.
    UploadStarted,
    /// Half the upload is spooled.
    UploadHalfway,
    /// The upload is complete and the new version's Parquet file is being written.
    ParquetWrite,
}

/// Version 1 is the only version, whole, and nothing else is readable.
async fn assert_only_version_1(api: &Api, key: &str, provider: &str, consumer: &str, v1: &BTreeSet<String>) {
    let versions = api.get(&format!("/api/v1/resources/{key}/versions"), provider).await;
    assert_eq!(versions["total"], 1, "{versions}");
    assert_eq!(versions["items"][0]["version"], 1, "{versions}");
    assert_eq!(versions["items"][0]["row_count"], 10, "{versions}");
    let purpose = json!({"kind": "data_verification", "description": "核对证照信息"});
    let (status, r) = api
        .post(
            &format!("/api/v1/resources/{key}/query"),
            consumer,
            json!({"purpose": purpose, "count": true, "limit": 1000}),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["version"], 1, "{r}");
    assert_eq!(r["total"], 10, "{r}");
    let ids: BTreeSet<String> =
        r["rows"].as_array().unwrap().iter().map(|row| row["证照编号"].as_str().unwrap().to_string()).collect();
    assert_eq!(&ids, v1, "exactly the rows of version 1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_publish_leaves_the_previous_version() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let datasets = data.join("datasets");
    let spool_root = dir.path().join("spool");
    let big = dir.path().join("big.multipart");
    let generate = {
        let big = big.clone();
        std::thread::spawn(move || big_body(&big))
    };

    // First run: the bootstrap made the platform, the ops department and an admin.
    let (mut server, printed) = start(&data, &spool_root.join("0")).await;
    let admin = printed
        .iter()
        .find_map(|l| l.trim().strip_prefix("令牌："))
        .unwrap_or_else(|| panic!("{printed:?}"))
        .trim()
        .to_string();
    let mut api = Api { client: reqwest::Client::new(), base: server.base.clone() };
    let platform = api.get("/api/v1/platforms", &admin).await["items"][0]["id"].as_i64().unwrap();
    let departments = api.get("/api/v1/departments", &admin).await;
    let ops =
        departments["items"].as_array().unwrap().iter().find(|d| d["local_code"] == "PLATFORM-OPS").unwrap()["id"]
            .as_i64()
            .unwrap();
    let (status, dept) = api
        .post(
            "/api/v1/departments",
            &admin,
            json!({
                "name": "测试市市场监督管理局",
                "credit_code": credit_code(&format!("11350100{}", org_code("MB000077"))),
                "local_code": "T-SCJGJ",
                "platform_id": platform
            }),
        )
        .await;
    assert_eq!(status, 201, "{dept}");
    let dept = dept["id"].as_i64().unwrap();
    let (status, body) =
        api.post("/api/v1/categories", &admin, json!({"code": "307001", "name": "测试市市场监督管理局"})).await;
    assert_eq!(status, 201, "{body}");
    let editor = create_user(&data, "scj_editor", dept, "catalog_editor");
    let approver = create_user(&data, "scj_approver", dept, "approver");
    let provider = create_user(&data, "scj_provider", dept, "data_provider");
    let consumer = create_user(&data, "ops_consumer", ops, "data_consumer");

    // A published, unconditionally shared database resource with three items.
    let (status, r) = api
        .post(
            "/api/v1/resources",
            &editor,
            json!({
                "category": "307001",
                "name": "食品经营许可证信息",
                "summary": "食品经营许可证的编号、持证人和发证日期",
                "format": {"class": "database", "subtype": "oracle"},
                "data_items": [
                    {"name": "证照编号", "data_type": "C", "length": 18, "is_key": true},
                    {"name": "持证人", "data_type": "C", "length": 50},
                    {"name": "发证日期", "data_type": "D"}
                ],
                "share_type": "unconditional",
                "share_methods": ["api", "在线查询"],
                "open_type": "not_open",
                "update_cycle": "daily"
            }),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    let key = r["code"].as_str().unwrap().replace('/', "%2F");
    let (status, r) = api.post(&format!("/api/v1/resources/{key}/submit"), &editor, json!({})).await;
    assert_eq!(status, 200, "{r}");
    let (status, r) = api.post(&format!("/api/v1/resources/{key}/publish"), &approver, json!({})).await;
    assert_eq!((status, r["status"].as_str()), (200, Some("published")), "{r}");

    // Version 1: ten rows.
    let versions_path = format!("/api/v1/resources/{key}/versions");
    let (v1_csv, v1) = small_csv("V1", 10);
    let (status, r) = api.upload(&versions_path, &provider, &v1_csv).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!((r["version"]["version"].as_i64(), r["version"]["row_count"].as_i64()), (Some(1), Some(10)));
    let v1_files = files_under(&datasets);
    assert_eq!(v1_files.len(), 1, "{v1_files:?}");
    assert_only_version_1(&api, &key, &provider, &consumer, &v1).await;

    let big_len = generate.join().unwrap();
    eprintln!("setup and a {} MB upload ready after {:?}", big_len >> 20, started.elapsed());

    // Kill the server at each moment of a second publish, restart it on the same data, check.
    // Uploads are spooled in the data directory, and a restart clears what a killed server left.
    let data_spool = data.join("tmp");
    for (n, moment) in [Moment::UploadStarted, Moment::UploadHalfway, Moment::ParquetWrite].into_iter().enumerate() {
        let before = files_under(&datasets);
        let sent = Arc::new(AtomicU64::new(0));
        let upload =
            tokio::spawn(upload_big(server.port, versions_path.clone(), provider.clone(), big.clone(), sent.clone()));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let reached = match moment {
                Moment::UploadStarted => spooled(&data_spool) > 0,
                Moment::UploadHalfway => spooled(&data_spool) >= big_len / 2,
                Moment::ParquetWrite => files_under(&datasets).len() > before.len(),
            };
            if reached {
                break;
            }
            assert!(!upload.is_finished(), "{moment:?}: the publish ended before the moment to kill it");
            assert!(Instant::now() < deadline, "{moment:?} never came");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let spooled_then = spooled(&data_spool);
        let during = files_under(&datasets);
        server.kill();
        let answer = upload.await.unwrap();
        assert!(!answer.contains(" 201 "), "{moment:?}: the publish completed: {answer}");
        eprintln!(
            "{moment:?}: killed after {:?} with {} of {big_len} bytes sent, {spooled_then} spooled, new files {:?}",
            started.elapsed(),
            sent.load(Ordering::SeqCst),
            during.difference(&before).collect::<Vec<_>>()
        );

        let spool = spool_root.join(format!("{}", n + 1));
        let (s, _) = start(&data, &spool).await;
        server = s;
        api.base = server.base.clone();
        assert_eq!(spooled(&data_spool), 0, "{moment:?}: the killed server's spool file was cleared at restart");
        assert_only_version_1(&api, &key, &provider, &consumer, &v1).await;
        assert!(files_under(&datasets).is_superset(&v1_files), "version 1's file is still there");
    }

    // A normal publish after the crashes: version 2, readable, version 1 still readable by number.
    let (v2_csv, v2) = small_csv("V2", 7);
    let (status, r) = api.upload(&versions_path, &provider, &v2_csv).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!((r["version"]["version"].as_i64(), r["version"]["row_count"].as_i64()), (Some(2), Some(7)), "{r}");
    let versions = api.get(&versions_path, &provider).await;
    assert_eq!(versions["total"], 2, "{versions}");
    let purpose = json!({"kind": "data_verification", "description": "核对证照信息"});
    let (status, r) = api
        .post(&format!("/api/v1/resources/{key}/query"), &consumer, json!({"purpose": purpose, "count": true}))
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!((r["version"].as_i64(), r["total"].as_i64()), (Some(2), Some(7)), "{r}");
    let ids: BTreeSet<String> =
        r["rows"].as_array().unwrap().iter().map(|row| row["证照编号"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, v2);
    let (_, r) = api
        .post(
            &format!("/api/v1/resources/{key}/query"),
            &consumer,
            json!({"purpose": purpose, "version": 1, "count": true}),
        )
        .await;
    assert_eq!(r["total"], 10, "{r}");

    // What the killed publishes left behind (a staging file of the Parquet write, the spooled
    // uploads) is referenced by no version: each version read exactly its own rows above.
    let all = files_under(&datasets);
    let v2_dir = v2_dir(&all, &v1_files);
    let leftovers: Vec<_> = all.difference(&v1_files).filter(|f| !f.starts_with(&v2_dir)).collect();
    let spools: Vec<_> = files_under(&spool_root).into_iter().collect();
    eprintln!("after {:?}: left behind under datasets/: {leftovers:?}; spooled uploads: {spools:?}", started.elapsed());
    server.kill();
}
