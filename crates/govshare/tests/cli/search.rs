//! The catalogue index survives a crash between a catalogue change and its index update: the real
//! server is made to abort right after the store write (`GOVSHARE_CRASH_AT`), and the restarted
//! server finds the entry by search before answering anything.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::{Running, bin, free_port, token_of, wait_healthy};

fn start(data: &Path, crash_at: Option<&str>) -> (Running, String) {
    let port = free_port();
    let mut cmd = bin();
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(point) = crash_at {
        cmd.env("GOVSHARE_CRASH_AT", point);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || BufReader::new(stdout).lines().for_each(drop));
    (Running(child), format!("http://127.0.0.1:{port}"))
}

async fn get(client: &reqwest::Client, url: String, token: &str) -> Value {
    let r = client.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {url}");
    r.json().await.unwrap()
}

fn editor(data: &Path) -> String {
    let accounts: Value = serde_json::from_slice(&std::fs::read(data.join("demo-accounts.json")).unwrap()).unwrap();
    let name = accounts.as_array().unwrap().iter().find(|a| a["role"] == "catalog_editor").unwrap()["username"]
        .as_str()
        .unwrap()
        .to_string();
    token_of(data, &name)
}

#[tokio::test]
async fn a_crash_after_the_store_write_is_caught_up_at_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let out = bin().args(["demo", "--no-serve", "--data"]).arg(data).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = editor(data);
    let client = reqwest::Client::new();

    let (mut server, base) = start(data, Some("search.before_index"));
    wait_healthy(&base).await;
    // The index was built from the demo catalogue at start.
    let before = get(&client, format!("{base}/api/v1/search?q=%E4%BF%A1%E6%81%AF"), &token).await;
    assert!(before["total"].as_i64().unwrap() > 0, "{before}");
    let me = get(&client, format!("{base}/api/v1/users/me"), &token).await;
    let own = get(&client, format!("{base}/api/v1/resources?provider={}&limit=1", me["department_id"]), &token).await;
    let category = own["items"][0]["category"].as_str().unwrap().to_string();

    let body = json!({
        "category": category,
        "name": "共享单车停放点位信息",
        "summary": "城区共享单车电子围栏停放点位",
        "format": {"class": "database", "subtype": "mysql"},
        "data_items": [{"name": "点位编号", "data_type": "C", "length": 20, "is_key": true}],
        "share_type": "unconditional",
        "share_methods": ["api"],
        "open_type": "unconditional",
        "update_cycle": "monthly",
    });
    // The server dies between the store write and the index update: no answer.
    let sent = client.post(format!("{base}/api/v1/resources")).bearer_auth(&token).json(&body).send().await;
    assert!(sent.is_err(), "the server should have died, it answered {:?}", sent.map(|r| r.status()));
    let status = server.0.wait().unwrap();
    assert!(!status.success(), "aborted: {status:?}");

    let (_server, base) = start(data, None);
    wait_healthy(&base).await;
    let found = get(&client, format!("{base}/api/v1/search?q=%E5%85%B1%E4%BA%AB%E5%8D%95%E8%BD%A6"), &token).await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["name"], "共享单车停放点位信息");
    // It is the entry the store holds.
    let code = found["items"][0]["code"].as_str().unwrap();
    let enc = code.replace('/', "%2F");
    let stored = get(&client, format!("{base}/api/v1/resources/{enc}"), &token).await;
    assert_eq!(stored["name"], "共享单车停放点位信息");
}
