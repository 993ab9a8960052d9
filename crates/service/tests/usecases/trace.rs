//! 追溯 (国发〔2016〕51号 第十四条): every download is recorded with its fingerprint seed and
//! carries its recipient's row order; a leaked copy (half its rows, a column dropped, another
//! format) names the download, the user and the department, and nobody else's.

use domain::account::Actor;
use domain::catalog::{DataItem, DataType, ShareMethod};
use domain::purpose::{Purpose, PurposeKind};
use futures::StreamExt;
use service::datasets::{self, ReadRequest, Upload};
use service::trace::{self, TraceMatch};
use store::model::Resource;

use crate::world::*;

const ROWS: usize = 400;

/// An unconditionally shared register of department A (key: 统一社会信用代码), bulk download
/// allowed, with 400 rows published.
async fn register(w: &World) -> Resource {
    let mut s = spec("市场主体登记信息", CAT_A);
    s.data_items.push(DataItem::new("成立日期", DataType::D, None));
    s.data_items.push(DataItem::new("注册资本", DataType::Y, None));
    s.share_methods = vec![ShareMethod::Api, ShareMethod::BulkDownload];
    let r = w.published(&w.editor_a, &w.approver_a, s).await;
    let provider = service::accounts::create_user_unchecked(
        &w.svc,
        service::accounts::UserInput {
            username: "gaj_provider".into(),
            display_name: "公安局数据提供员".into(),
            department_id: w.a.id,
            roles: vec![domain::account::Role::DataProvider],
            password: None,
        },
    )
    .await
    .unwrap();
    let mut csv = String::from("名称,统一社会信用代码,成立日期,注册资本\n");
    for i in 0..ROWS {
        csv.push_str(&format!(
            "示例商贸{i}有限公司,91350100M{i:09},20{:02}-0{}-1{},{}.5\n",
            i % 25,
            i % 9 + 1,
            i % 10,
            i * 10
        ));
    }
    let path = w.dir.path().join("register.csv");
    std::fs::write(&path, csv).unwrap();
    let up = Upload {
        path,
        options: data::input::InputOptions::new(data::input::InputFormat::Csv),
        mode: data::publish::PublishMode::Replace,
        accept_valid: false,
    };
    let out = datasets::publish(&w.svc, &actor(&provider), &r.code, up).await.unwrap();
    assert_eq!(out.version.map(|v| v.row_count), Some(ROWS as i64), "{:?}", out.refused);
    r
}

fn read() -> ReadRequest {
    ReadRequest::new(Purpose::new(PurposeKind::DataVerification, "核对市场主体登记信息").unwrap())
}

/// Downloads the register as `who` in `format`; the bytes of the file.
async fn download(w: &World, who: &Actor, r: &Resource, format: data::download::DownloadFormat) -> Vec<u8> {
    let (_, _, stream, _) =
        datasets::download(&w.svc, who, &r.code, read(), Default::default(), format.extension()).await.unwrap();
    let body = data::download::encode(stream, format).await.unwrap();
    body.map(|c| c.unwrap()).collect::<Vec<_>>().await.concat()
}

/// A deterministic coin: true for about half the `i`s.
fn heads(i: usize) -> bool {
    (i.wrapping_mul(2_654_435_761) >> 7).is_multiple_of(2)
}

/// What a leaker makes of a CSV download: a random half of its rows, without the 名称 column.
fn leak(csv: &[u8]) -> String {
    let mut reader = csv::Reader::from_reader(csv);
    let header: Vec<String> =
        reader.headers().unwrap().iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
    let keep: Vec<usize> = (0..header.len()).filter(|&i| header[i] != "名称").collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(keep.iter().map(|&i| &header[i])).unwrap();
    for (n, record) in reader.records().enumerate() {
        let record = record.unwrap();
        if heads(n) {
            out.write_record(keep.iter().map(|&i| &record[i])).unwrap();
        }
    }
    String::from_utf8(out.into_inner().unwrap()).unwrap()
}

fn attributed(matches: &[TraceMatch]) -> Vec<(i64, String)> {
    matches.iter().filter(|m| m.attributed).map(|m| (m.download.id, m.username.clone())).collect()
}

#[tokio::test]
async fn a_leaked_copy_names_its_download_and_nobody_else() {
    use data::download::DownloadFormat::{Csv, Xlsx};
    let w = World::new().await;
    let r = register(&w).await;
    let consumer_b = service::accounts::create_user_unchecked(
        &w.svc,
        service::accounts::UserInput {
            username: "mzj_consumer".into(),
            display_name: "民政局数据使用员".into(),
            department_id: w.b.id,
            roles: vec![domain::account::Role::DataConsumer],
            password: None,
        },
    )
    .await
    .map(|u| actor(&u))
    .unwrap();
    // Two recipients download the same version as CSV, a third copy goes out as XLSX.
    let from_b = download(&w, &consumer_b, &r, Csv).await;
    let from_a = download(&w, &w.consumer_a, &r, Csv).await;
    let xlsx = download(&w, &w.consumer_a, &r, Xlsx).await;
    assert_ne!(from_a, from_b, "each recipient gets their own order");
    let sorted = |b: &[u8]| {
        let mut lines: Vec<String> = String::from_utf8_lossy(b).lines().skip(1).map(str::to_string).collect();
        lines.sort();
        lines
    };
    assert_eq!(sorted(&from_a), sorted(&from_b), "the same rows, the same values");
    let downloads = w.svc.store.list_downloads(Some(r.id)).await.unwrap();
    assert_eq!(downloads.len(), 3);
    let (db, da, dx) = (&downloads[0], &downloads[1], &downloads[2]);
    assert_eq!((db.user_id, db.department_id, db.grant_id), (consumer_b.user_id, w.b.id, None));
    assert_eq!((da.user_id, da.department_id, dx.format.as_str()), (w.consumer_a.user_id, w.a.id, "xlsx"));
    assert_eq!(db.key_fields, ["统一社会信用代码"]);
    assert_eq!(db.seed.len(), 32);
    assert!(downloads.iter().all(|d| d.seed != db.seed || d.id == db.id), "a fresh seed per download");
    // The audit event of each download names its record.
    let events = w.audit().await;
    let ids: Vec<i64> =
        events.iter().filter(|e| e.action == "data.download").map(|e| e.detail["download"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&db.id) && ids.contains(&da.id) && ids.contains(&dx.id));

    // Half of B's rows, without 名称: B's download, and only it.
    let leaked = w.dir.path().join("泄露.csv");
    std::fs::write(&leaked, leak(&from_b)).unwrap();
    let found = trace::trace(&w.svc, &w.auditor, &leaked, None).await.unwrap();
    assert_eq!(attributed(&found), [(db.id, "mzj_consumer".to_string())]);
    let best = &found[0];
    assert_eq!((best.resource_code.as_str(), best.department.as_str()), (r.code.as_str(), "示例市民政局"));
    assert!(best.score.rows > 150 && best.score.mean_run_length > 100.0, "{:?}", best.score);
    assert_eq!(found.len(), 3, "every download of the resource was compared");
    assert!(found[1..].iter().all(|m| m.score.log10_p > -5.0), "{found:?}");

    // The coordinator may trace too, naming the resource; A's XLSX copy names A's XLSX download.
    let leaked = w.dir.path().join("copy.xlsx");
    std::fs::write(&leaked, &xlsx).unwrap();
    let found = trace::trace(&w.svc, &w.coordinator, &leaked, Some(&r.code)).await.unwrap();
    assert_eq!(attributed(&found), [(dx.id, "gaj_consumer".to_string())]);

    // Data users may not trace; a file without the key column matches nothing.
    let e = trace::trace(&w.svc, &consumer_b, &leaked, None).await.unwrap_err();
    assert!(matches!(e, service::ServiceError::Forbidden(_)), "{e:?}");
    assert!(e.to_string().contains("审计员"), "{e}");
    let names = w.dir.path().join("names.csv");
    std::fs::write(&names, "名称\n示例商贸1有限公司\n").unwrap();
    assert!(trace::trace(&w.svc, &w.auditor, &names, None).await.unwrap().is_empty());

    // Every trace is audited, with what it found.
    let events = w.audit().await;
    let traces: Vec<_> = events.iter().filter(|e| e.action == "data.trace").collect();
    assert_eq!(traces.len(), 3, "the refused attempt is not a trace");
    assert!(traces.iter().any(|e| e.detail["attributed"] == serde_json::json!([db.id])), "{traces:?}");
}
