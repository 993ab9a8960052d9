//! Dataset versions on a real S3-compatible server: moto's standalone server, which `.ci/run`
//! starts on 127.0.0.1 and names in `GOVSHARE_TEST_S3_ENDPOINT` (credentials from the `AWS_*`
//! variables; moto accepts any). Each test gets a fresh bucket. Without the variable the tests
//! print a skip notice and pass; CI always sets it.
//!
//! Besides the API flows of `data.rs`, the tests check the bucket itself: after any sequence of
//! publishes and refusals its objects are exactly the files the recorded versions reference, and
//! no multipart upload is left open.

use std::collections::BTreeSet;

use data::object_store::path::Path as ObjectPath;
use data::object_store::{ObjectStore, ObjectStoreExt};
use data::storage::DatasetStorage;
use futures::TryStreamExt;
use serde_json::{Value, json};
use store::model::{PageRequest, ResourceFilter};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::app::{TestApp, resource};
use crate::data::purpose;

/// A fresh bucket on the local S3 server.
struct Bucket {
    /// `127.0.0.1:PORT`.
    addr: String,
    name: String,
}

impl Bucket {
    /// `None` (after printing the skip notice) when no server is configured.
    async fn create() -> Option<Bucket> {
        let Some(endpoint) = std::env::var("GOVSHARE_TEST_S3_ENDPOINT").ok().filter(|e| !e.is_empty()) else {
            eprintln!("skip: GOVSHARE_TEST_S3_ENDPOINT unset");
            return None;
        };
        // The tests only ever talk to a server on this machine.
        let addr = endpoint.strip_prefix("http://").unwrap_or("").trim_end_matches('/').to_string();
        assert!(
            addr.starts_with("127.0.0.1:") && addr[10..].parse::<u16>().is_ok(),
            "GOVSHARE_TEST_S3_ENDPOINT must be http://127.0.0.1:PORT, not {endpoint}"
        );
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let name =
            format!("gs-it-{}-{:x}-{}", std::process::id(), nanos & 0xffff_ffff_ffff, N.fetch_add(1, Ordering::SeqCst));
        let bucket = Bucket { addr, name };
        // moto creates a bucket on `PUT /<bucket>` (us-east-1 needs no location body).
        let (status, body) = bucket.http("PUT", &format!("/{}", bucket.name)).await;
        assert_eq!(status, 200, "creating bucket {}: {body}", bucket.name);
        Some(bucket)
    }

    /// The configuration URL of the bucket, optionally under a prefix.
    fn url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}?endpoint=http://{}&region=us-east-1&allow_http=true", self.name, self.addr)
    }

    fn storage(&self, prefix: &str) -> DatasetStorage {
        DatasetStorage::from_url(&self.url(prefix)).unwrap()
    }

    /// Every object key in the bucket (whatever the prefix), through the object store.
    async fn keys(&self) -> BTreeSet<String> {
        let store = self.storage("").store();
        let all: Vec<_> = store.list(None).try_collect().await.unwrap();
        all.into_iter().map(|m| m.location.to_string()).collect()
    }

    /// Multipart uploads started and neither completed nor aborted (raw S3 API: object_store has
    /// no call for it).
    async fn open_uploads(&self) -> usize {
        let (status, body) = self.http("GET", &format!("/{}?uploads", self.name)).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("ListMultipartUploadsResult"), "{body}");
        body.matches("<Upload>").count()
    }

    /// One unsigned HTTP/1.1 request to the local server (moto does not check signatures).
    async fn http(&self, method: &str, path: &str) -> (u16, String) {
        let mut stream = tokio::net::TcpStream::connect(&self.addr).await.unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.addr
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }
}

/// Every file referenced by a recorded version of any resource.
async fn referenced(app: &TestApp) -> BTreeSet<String> {
    let page = PageRequest { after: None, limit: 1000 };
    let resources = app.svc.store.list_resources(&ResourceFilter::default(), page).await.unwrap();
    let mut files = BTreeSet::new();
    for r in resources.items {
        for v in app.svc.store.list_dataset_versions(r.id).await.unwrap() {
            files.extend(v.files);
        }
    }
    files
}

/// The bucket holds exactly the referenced files (under `prefix`): refused publishes, replaced
/// uploads of an upsert and aborted multipart uploads left nothing behind, and nothing
/// referenced is missing.
async fn assert_bucket_is_versions(app: &TestApp, bucket: &Bucket, prefix: &str) {
    let want: BTreeSet<String> = referenced(app)
        .await
        .into_iter()
        .map(|f| if prefix.is_empty() { f } else { format!("{prefix}/{f}") })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(bucket.keys().await, want, "bucket objects vs files of recorded versions");
    assert_eq!(bucket.open_uploads().await, 0, "no multipart upload left open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_query_download() {
    let Some(bucket) = Bucket::create().await else { return };
    let app = TestApp::sqlite_with_datasets(bucket.storage("")).await;
    crate::data::publish_query_download_on(&app).await;
    assert_bucket_is_versions(&app, &bucket, "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upsert_changes_freshness() {
    let Some(bucket) = Bucket::create().await else { return };
    // Under a prefix: the bucket may be shared with other systems.
    let app = TestApp::sqlite_with_datasets(bucket.storage("govshare/prod")).await;
    crate::data::upsert_changes_freshness_on(&app).await;
    assert_bucket_is_versions(&app, &bucket, "govshare/prod").await;
    assert!(bucket.keys().await.iter().all(|k| k.starts_with("govshare/prod/datasets/")));
}

/// Rows of the large upload: enough high-entropy text that the Parquet file (compressed) is well over
/// the 10 MiB buffer of `object_store::buffered::BufWriter`, so publish goes through S3's
/// multipart upload (random text does not compress: about 6 bits per character).
const LARGE_ROWS: usize = 80_000;
const NOTE_CHARS: usize = 256;
/// The refused upload: publish writes a row group to the object store every 256 Ki rows
/// (a block of `CLUSTER_ROWS` in `data`'s `ingest.rs`), so a multipart upload is only under way
/// before the end of the file when the first row group alone is over 10 MiB.
const REFUSED_ROWS: usize = 270_000;
const REFUSED_NOTE_CHARS: usize = 64;

/// A deterministic CSV of `rows` rows with `note` random characters each; the row numbered
/// `bad` (1-based data row) gets a date that does not exist.
fn large_csv(rows: usize, note: usize, bad: Option<usize>) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut out = Vec::with_capacity(rows * (note + 32));
    out.extend_from_slice("记录编号,内容,登记日期\n".as_bytes());
    for i in 1..=rows {
        out.extend_from_slice(format!("R{i:09},").as_bytes());
        let mut left = note;
        while left > 0 {
            let mut r = next();
            for _ in 0..10.min(left) {
                out.push(ALPHABET[(r & 63) as usize]);
                r >>= 6;
                left -= 1;
            }
        }
        let date =
            if bad == Some(i) { "2023-02-30".to_string() } else { format!("2024-{:02}-{:02}", i % 12 + 1, i % 28 + 1) };
        out.extend_from_slice(format!(",{date}\n").as_bytes());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_upload_goes_multipart_and_refusals_leave_nothing() {
    let Some(bucket) = Bucket::create().await else { return };
    let app = TestApp::sqlite_with_datasets(bucket.storage("")).await;

    let mut body = resource("企业年报原始记录", "307001");
    body["share_type"] = json!("unconditional");
    body["share_condition"] = Value::Null;
    body["data_items"] = json!([
        {"name": "记录编号", "data_type": "C", "length": 20, "is_key": true},
        {"name": "内容", "data_type": "C", "length": 512},
        {"name": "登记日期", "data_type": "D"}
    ]);
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let code = r.body["code"].as_str().unwrap().to_string();
    let key = code.replace('/', "%2F");
    app.json("POST", &format!("/api/v1/resources/{key}/submit"), "a_editor", json!({})).await;
    let p = app.json("POST", &format!("/api/v1/resources/{key}/publish"), "a_approver", json!({})).await;
    assert_eq!(p.body["status"], "published", "{}", p.body);
    let versions = format!("/api/v1/resources/{key}/versions");

    // A refused large publish (one bad row at the very end, all or nothing): the first row group
    // was already streaming into a multipart upload, which is aborted. No version, no object, no
    // open upload.
    let csv = large_csv(REFUSED_ROWS, REFUSED_NOTE_CHARS, Some(REFUSED_ROWS));
    let r = app.upload(&versions, "a_provider", &[("file", "big.csv", &csv)]).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(r.body["rejected_rows"], 1, "{}", r.body);
    assert!(bucket.keys().await.is_empty(), "a refused publish leaves no object: {:?}", bucket.keys().await);
    assert_eq!(bucket.open_uploads().await, 0, "the multipart upload of the refused publish was aborted");

    // The same file without the bad row is published through a multipart upload.
    let csv = large_csv(LARGE_ROWS, NOTE_CHARS, None);
    let r = app.upload(&versions, "a_provider", &[("file", "big.csv", &csv)]).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["version"]["row_count"], LARGE_ROWS);
    let resource_id = app.svc.store.get_resource_by_code(&code).await.unwrap().id;
    let v1 = app.svc.store.get_dataset_version(resource_id, 1).await.unwrap();
    assert_eq!(v1.files.len(), 1);
    let meta = bucket.storage("").store().head(&ObjectPath::from(v1.files[0].as_str())).await.unwrap();
    assert!(meta.size > 10 * 1024 * 1024, "the Parquet file must exceed BufWriter's 10 MiB buffer: {}", meta.size);
    assert_eq!(v1.byte_size as u64, meta.size);
    // S3 gives a multipart object the ETag `"<md5 of part md5s>-<parts>"`.
    let etag = meta.e_tag.clone().unwrap_or_default();
    assert!(
        etag.trim_matches('"').rsplit_once('-').is_some_and(|(_, n)| n.parse::<u32>().is_ok_and(|n| n >= 2)),
        "{etag}"
    );

    // DataFusion reads it back from the bucket.
    let q = |body: Value| {
        let app = &app;
        let key = key.clone();
        async move { app.json("POST", &format!("/api/v1/resources/{key}/query"), "b_consumer", body).await }
    };
    let r = q(json!({"purpose": purpose(), "count": true, "limit": 1})).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["total"], LARGE_ROWS);
    let r =
        q(json!({"purpose": purpose(), "filters": [{"field": "记录编号", "op": "eq", "value": "R000054321"}]})).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let want = String::from_utf8(csv).unwrap().lines().find(|l| l.starts_with("R000054321,")).unwrap().to_string();
    let row = &r.body["rows"][0];
    assert_eq!(format!("R000054321,{},{}", row["内容"].as_str().unwrap(), row["登记日期"].as_str().unwrap()), want);

    // An append refused for duplicate keys: its file was written, then removed.
    let r = app
        .upload(
            &format!("{versions}?mode=append"),
            "a_provider",
            &[("file", "dup.csv", "记录编号,内容,登记日期\nR000000007,重复,2024-01-01\n".as_bytes())],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(r.body["rejections"][0]["code"], "duplicate_key", "{}", r.body);
    // An upsert: the merged file replaces the upload, which is removed.
    let r = app
        .upload(
            &format!("{versions}?mode=upsert"),
            "a_provider",
            &[(
                "file",
                "up.csv",
                "记录编号,内容,登记日期\nR000000007,更新,2024-01-01\nS000000001,新增,2024-01-02\n".as_bytes(),
            )],
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["version"]["row_count"], LARGE_ROWS + 1);
    assert_bucket_is_versions(&app, &bucket, "").await;
    assert_eq!(bucket.keys().await.len(), 2, "version 1's file and version 2's merged file");
}
