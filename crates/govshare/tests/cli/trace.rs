//! `govshare trace` (国发〔2016〕51号 第十四条): two departments download the same register from
//! the demo city through the HTTP API; a leaked half of one download, with a column dropped, is
//! traced to that download, its user and its department, and not to the other.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use super::{Running, bin, free_port, token_of, wait_healthy};

/// The unconditionally shared population register of 示例市公安局 (key: 公民身份号码).
const REGISTER: &str = "常住人口户籍信息";

fn run(args: &[&str], data: &Path) -> (bool, String, String) {
    let out = bin().args(args).arg("--data").arg(data).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A deterministic coin: true for about half the `i`s.
fn heads(i: usize) -> bool {
    (i.wrapping_mul(2_654_435_761) >> 9).is_multiple_of(2)
}

/// Rewrites a CSV download keeping the rows `keep` accepts (by position), without `drop`.
fn leak(csv: &[u8], drop: &str, keep: impl Fn(usize) -> bool) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(csv);
    let header: Vec<String> =
        reader.headers().unwrap().iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
    assert!(header.iter().any(|h| h == drop), "{header:?}");
    let cols: Vec<usize> = (0..header.len()).filter(|&i| header[i] != drop).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(cols.iter().map(|&i| &header[i])).unwrap();
    for (n, record) in reader.records().enumerate() {
        let record = record.unwrap();
        if keep(n) {
            out.write_record(cols.iter().map(|&i| &record[i])).unwrap();
        }
    }
    out.into_inner().unwrap()
}

#[tokio::test]
async fn trace_names_the_download_a_leaked_file_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let (ok, _, err) = run(&["demo", "--no-serve"], &data);
    assert!(ok, "{err}");

    // Serve the demo city and download the register as two consumers of two departments.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = bin()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let running = Running(child);
    for line in lines.by_ref() {
        if line.unwrap().starts_with("govshare 已启动") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    wait_healthy(&base).await;
    let client = reqwest::Client::new();
    let found: serde_json::Value = client
        .get(format!("{base}/api/v1/resources?q={REGISTER}&limit=5"))
        .bearer_auth(token_of(&data, "mzj_consumer"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item =
        found["items"].as_array().unwrap().iter().find(|r| r["name"] == REGISTER).unwrap_or_else(|| panic!("{found}"));
    let code = item["code"].as_str().unwrap().to_string();
    let download = |who: &'static str| {
        let req = client
            .get(format!(
                "{base}/api/v1/resources/{}/download?format=csv&purpose=数据校核:核对户籍信息",
                code.replace('/', "%2F")
            ))
            .bearer_auth(token_of(&data, who));
        async move {
            let r = req.send().await.unwrap();
            let status = r.status();
            if !status.is_success() {
                panic!("{who}: {status} {}", r.text().await.unwrap());
            }
            r.bytes().await.unwrap().to_vec()
        }
    };
    let from_mzj = download("mzj_consumer").await;
    let from_rsj = download("rsj_consumer").await;
    drop(running);
    assert_ne!(from_mzj, from_rsj, "each recipient gets their own order");
    let rows = String::from_utf8_lossy(&from_mzj).lines().count() - 1;
    assert!(rows >= 200, "{rows} rows");

    // The two downloads, as recorded.
    let store = store::open(&format!("sqlite://{}?mode=rwc", data.join("govshare.db").display())).await.unwrap();
    let user = |name: &'static str| {
        let store = store.clone();
        async move { store.find_user_by_username(name).await.unwrap().unwrap().id }
    };
    let (mzj, rsj) = (user("mzj_consumer").await, user("rsj_consumer").await);
    let downloads = store.list_downloads(None).await.unwrap();
    let id_of = |uid: i64| downloads.iter().filter(|d| d.user_id == uid).map(|d| d.id).max().unwrap();
    let (mzj_download, rsj_download) = (id_of(mzj), id_of(rsj));

    // 民政局's copy leaks: a random half of its rows, without 姓名.
    let leaked = dir.path().join("泄露数据.csv");
    std::fs::write(&leaked, leak(&from_mzj, "姓名", heads)).unwrap();
    let leaked = leaked.to_str().unwrap();
    let (ok, out, err) = run(&["trace", leaked, "--as", "auditor"], &data);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("该文件来自下载 #{mzj_download}：")), "{out}");
    assert!(out.contains("mzj_consumer") && out.contains("示例市民政局"), "{out}");
    assert!(out.contains(&code) && out.contains(REGISTER), "{out}");
    assert!(!out.contains("rsj_consumer") && !out.contains(&format!("#{rsj_download}：")), "{out}");

    // 人社局's copy, a 200-row slice, traced by the coordinator within the resource.
    let slice = dir.path().join("slice.csv");
    std::fs::write(&slice, leak(&from_rsj, "姓名", |n| (300..500).contains(&n))).unwrap();
    let (ok, out, err) = run(&["trace", slice.to_str().unwrap(), "--resource", &code, "--as", "coordinator"], &data);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("该文件来自下载 #{rsj_download}：")) && out.contains("rsj_consumer"), "{out}");
    assert!(!out.contains("mzj_consumer"), "{out}");

    // The file in its original order (as the provider holds it) matches no download.
    let mut sorted: Vec<&str> = std::str::from_utf8(&from_mzj).unwrap().lines().collect();
    let header = sorted.remove(0);
    sorted.sort();
    let original = dir.path().join("original.csv");
    std::fs::write(&original, format!("{header}\n{}\n", sorted.join("\n"))).unwrap();
    let (ok, out, err) = run(&["trace", original.to_str().unwrap(), "--as", "auditor"], &data);
    assert!(ok, "{err}");
    assert!(out.contains("没有下载与该文件匹配"), "{out}");

    // A data user may not trace.
    let (ok, _, err) = run(&["trace", leaked, "--as", "mzj_consumer"], &data);
    assert!(!ok);
    assert!(err.contains("审计员") && err.contains("共享协调员"), "{err}");
}
