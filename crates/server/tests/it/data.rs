//! Shared data through the API: publish, versions, query inside the access scope, refusals,
//! downloads, and the audit trail of every read.

use serde_json::{Value, json};

use crate::app::{TestApp, both, resource};

both!(publish_query_download);
both!(upsert_changes_freshness);

const CSV: &str = "公民身份号码,姓名,出生日期\n11010519491231002X,张三,1949-12-31\n440524188001010014,李四,1880-01-01\n110101199003071233,王五,1990-03-07\n";

/// A published resource of department A whose share type is `share`; returns its URL key.
pub(crate) async fn published(app: &TestApp, name: &str, share: &str) -> String {
    let mut body = resource(name, "307001");
    body["share_type"] = json!(share);
    if share == "unconditional" {
        body["share_condition"] = Value::Null;
        // The name item stays conditional: it must be left out of others' scope.
        body["data_items"][1]["share_type"] = json!("conditional");
        body["data_items"][1]["share_condition"] = json!("仅限户籍业务");
    }
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let key = r.body["code"].as_str().unwrap().replace('/', "%2F");
    app.json("POST", &format!("/api/v1/resources/{key}/submit"), "a_editor", json!({})).await;
    let p = app.json("POST", &format!("/api/v1/resources/{key}/publish"), "a_approver", json!({})).await;
    assert_eq!(p.body["status"], "published", "{}", p.body);
    key
}

pub(crate) fn purpose() -> Value {
    json!({"kind": "data_verification", "description": "核对低保申请人身份信息"})
}

async fn publish_query_download(app: TestApp) {
    publish_query_download_on(&app).await;
}

/// Also run on an S3 bucket by `s3.rs`.
pub(crate) async fn publish_query_download_on(app: &TestApp) {
    let key = published(app, "常住人口基本信息", "unconditional").await;
    // Only the department's data provider publishes.
    let r = app
        .upload(&format!("/api/v1/resources/{key}/versions"), "a_editor", &[("file", "p.csv", CSV.as_bytes())])
        .await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    let r = app
        .upload(&format!("/api/v1/resources/{key}/versions"), "a_provider", &[("file", "p.csv", CSV.as_bytes())])
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["version"]["version"], 1);
    assert_eq!(r.body["version"]["row_count"], 3);

    // A bad file: all or nothing by default, with the report naming row, column and reason.
    let bad = "公民身份号码,姓名,出生日期\n110108200001011237,赵六,2000-01-01\n110105194912310021,钱七,1949-12-31\n440524188001010014,孙八,1880-02-30\n";
    let r = app
        .upload(
            &format!("/api/v1/resources/{key}/versions?mode=append"),
            "a_provider",
            &[("file", "b.csv", bad.as_bytes())],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(r.body["version"], Value::Null);
    assert_eq!(r.body["rejected_rows"], 2, "{}", r.body);
    let rej = r.body["rejections"].as_array().unwrap();
    assert!(rej.iter().any(|x| x["row"] == 3 && x["column"] == "公民身份号码" && x["code"] == "identifier"), "{rej:?}");
    assert!(rej.iter().any(|x| x["row"] == 4 && x["column"] == "出生日期"), "{rej:?}");
    let v = app.get(&format!("/api/v1/resources/{key}/versions"), "b_consumer").await;
    assert_eq!(v.body["total"], 1, "the refused publish left no version: {}", v.body);
    // Accepting the valid rows appends the one good row.
    let r = app
        .upload(
            &format!("/api/v1/resources/{key}/versions?mode=append&accept_valid=true"),
            "a_provider",
            &[("file", "b.csv", bad.as_bytes())],
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["version"]["row_count"], 4);
    assert_eq!(r.body["version"]["rejected_rows"], 2);

    // Another department reads the unconditional items, with a purpose.
    let q = |body: Value| {
        let app = &app;
        let key = key.clone();
        async move { app.json("POST", &format!("/api/v1/resources/{key}/query"), "b_consumer", body).await }
    };
    let r = q(json!({"limit": 10})).await;
    assert_eq!(r.status.as_u16(), 422, "a read without purpose is refused: {}", r.body);
    assert_eq!(r.body["error"]["field"], "purpose");
    let r = q(json!({"purpose": purpose(), "count": true, "sort": [{"field": "出生日期"}]})).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["columns"], json!(["公民身份号码", "出生日期"]), "the conditional item is outside the scope");
    assert_eq!(r.body["total"], 4);
    assert_eq!(r.body["rows"][0]["公民身份号码"], "440524188001010014");
    assert!(r.body["rows"][0].get("姓名").is_none());
    // Naming the hidden item anywhere is refused, so its values cannot leak through counts.
    for body in [
        json!({"purpose": purpose(), "fields": ["姓名"]}),
        json!({"purpose": purpose(), "filters": [{"field": "姓名", "op": "eq", "value": "张三"}], "count": true}),
        json!({"purpose": purpose(), "sort": [{"field": "姓名"}]}),
        json!({"purpose": purpose(), "group_by": ["姓名"], "aggregates": [{"func": "count"}]}),
    ] {
        let r = q(body.clone()).await;
        assert_eq!(r.status.as_u16(), 403, "{body}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "access_denied");
    }
    // Operators, paging and grouping.
    let r = q(json!({"purpose": purpose(), "filters": [{"field": "出生日期", "op": "ge", "value": "1949-01-01"}], "count": true})).await;
    assert_eq!(r.body["total"], 3, "{}", r.body);
    let r = q(json!({"purpose": purpose(), "filters": [{"field": "公民身份号码", "op": "prefix", "value": "1101"}], "count": true})).await;
    assert_eq!(r.body["total"], 3, "{}", r.body);
    let r = q(json!({"purpose": purpose(), "filters": [{"field": "公民身份号码", "op": "in", "value": ["440524188001010014", "x"]}], "count": true})).await;
    assert_eq!(r.body["total"], 1, "{}", r.body);
    let r = q(json!({"purpose": purpose(), "limit": 3})).await;
    let next = r.body["next"].as_str().unwrap().to_string();
    let r2 = q(json!({"purpose": purpose(), "limit": 3, "cursor": next})).await;
    assert_eq!(r2.body["rows"].as_array().unwrap().len(), 1);
    assert_eq!(r2.body["next"], Value::Null);
    let r = q(json!({"purpose": purpose(), "group_by": ["出生日期"], "aggregates": [{"func": "count"}]})).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["columns"], json!(["出生日期", "count"]));
    // Sorted by an aggregate's result (not the group key's order: 1880, 1949, 2000).
    let r = q(json!({"purpose": purpose(), "group_by": ["出生日期"],
        "aggregates": [{"func": "count"}, {"func": "min", "field": "公民身份号码"}],
        "sort": [{"field": "min_公民身份号码", "desc": true}]}))
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let mins: Vec<&str> =
        r.body["rows"].as_array().unwrap().iter().map(|x| x["min_公民身份号码"].as_str().unwrap()).collect();
    assert_eq!(
        mins,
        vec!["440524188001010014", "110108200001011237", "11010519491231002X", "110101199003071233"],
        "{}",
        r.body
    );
    let r = q(json!({"purpose": purpose(), "group_by": ["出生日期"], "aggregates": [{"func": "count"}],
        "sort": [{"field": "公民身份号码"}]}))
    .await;
    assert_eq!(r.status.as_u16(), 422, "neither a group key nor an aggregate: {}", r.body);
    assert_eq!(r.body["error"]["field"], "sort");
    // An aggregate's name is no way around the scope: the hidden item stays refused.
    let r =
        q(json!({"purpose": purpose(), "group_by": ["出生日期"], "aggregates": [{"func": "count", "field": "姓名"}],
        "sort": [{"field": "count_姓名"}]}))
        .await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    let r = q(json!({"purpose": purpose(), "version": 1, "count": true})).await;
    assert_eq!(r.body["total"], 3, "a named version: {}", r.body);

    // The provider's own department sees everything.
    let r = app
        .json(
            "POST",
            &format!("/api/v1/resources/{key}/query"),
            "a_provider",
            json!({"purpose": purpose(), "fields": ["姓名"], "sort": [{"field": "姓名"}]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);

    // Download, streamed, with the purpose in the header (percent-encoded Chinese).
    let enc: String = form_urlencoded::byte_serialize("数据校核:核对低保申请人".as_bytes()).collect();
    let req = axum::http::Request::get(format!("/api/v1/resources/{key}/download?format=csv"))
        .header("authorization", format!("Bearer {}", app.tokens["b_consumer"]))
        .header("x-purpose", enc)
        .body(axum::body::Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status.as_u16(), 200, "{}", String::from_utf8_lossy(&r.bytes));
    let text = String::from_utf8(r.bytes.clone()).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    assert_eq!(text.lines().next(), Some("公民身份号码,出生日期"));
    assert_eq!(text.lines().count(), 5);
    assert!(!text.contains("张三"));
    let r =
        app.get(&format!("/api/v1/resources/{key}/download?format=ndjson&purpose=工作参考:统计"), "b_consumer").await;
    assert_eq!(String::from_utf8_lossy(&r.bytes).lines().count(), 4);

    // Conditional and not-shared resources are refused to other departments.
    let cond = published(app, "暂住人口登记", "conditional").await;
    let r = app
        .upload(&format!("/api/v1/resources/{cond}/versions"), "a_provider", &[("file", "p.csv", CSV.as_bytes())])
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let r =
        app.json("POST", &format!("/api/v1/resources/{cond}/query"), "b_consumer", json!({"purpose": purpose()})).await;
    assert_eq!(r.body["error"]["code"], "access_denied", "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("共享申请"));
    let r = app.get(&format!("/api/v1/resources/{cond}/download?purpose=核对"), "b_consumer").await;
    assert_eq!(r.status.as_u16(), 403);
    // Roles without data access (an editor) are refused too.
    let r =
        app.json("POST", &format!("/api/v1/resources/{key}/query"), "b_editor", json!({"purpose": purpose()})).await;
    assert_eq!(r.status.as_u16(), 403);

    // Every read and refusal is in the audit trail with its purpose.
    let a = app.get("/api/v1/audit?action=data.&limit=500", "auditor").await;
    let events = a.body["items"].as_array().unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    for want in ["data.publish", "data.publish_refused", "data.query", "data.download", "data.read_denied"] {
        assert!(actions.contains(&want), "{want} missing: {actions:?}");
    }
    let q = events.iter().find(|e| e["action"] == "data.query" && e["username"] == "b_consumer").unwrap();
    assert_eq!(q["detail"]["purpose"]["kind"], "data_verification");
    assert_eq!(q["detail"]["basis"], "unconditional");
}

async fn upsert_changes_freshness(app: TestApp) {
    upsert_changes_freshness_on(&app).await;
}

/// Also run on an S3 bucket by `s3.rs`.
pub(crate) async fn upsert_changes_freshness_on(app: &TestApp) {
    let key = published(app, "人口变动信息", "unconditional").await;
    let pub_ = |mode: &'static str, csv: &'static str| {
        let app = &app;
        let key = key.clone();
        async move {
            app.upload(
                &format!("/api/v1/resources/{key}/versions?mode={mode}"),
                "a_provider",
                &[("file", "p.csv", csv.as_bytes())],
            )
            .await
        }
    };
    // Before any data: awaiting its first version (daily cycle, published today).
    let f = app.get(&format!("/api/v1/resources/{key}/freshness"), "b_consumer").await;
    assert_eq!(f.body["status"], "awaiting_data", "{}", f.body);
    let r = pub_("append", CSV).await;
    assert_eq!(r.status.as_u16(), 422, "append needs a first version: {}", r.body);
    let r = pub_("replace", CSV).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let f = app.get(&format!("/api/v1/resources/{key}/freshness"), "b_consumer").await;
    assert_eq!((f.body["status"].as_str(), f.body["last_version"].as_i64()), (Some("fresh"), Some(1)), "{}", f.body);

    // Appending a key that is already published is refused, and nothing is published.
    let r = pub_("append", "公民身份号码,姓名,出生日期\n11010519491231002X,张三丰,1949-12-31\n").await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body["refused"].as_str().unwrap().contains("主键"), "{}", r.body);
    assert_eq!(r.body["rejections"][0]["code"], "duplicate_key");
    assert_eq!(app.get(&format!("/api/v1/resources/{key}/versions"), "a_provider").await.body["total"], 1);

    // Upsert: 张三's name changes (a hidden item for B), 王五's birth date changes, 赵六 is new.
    let r = pub_(
        "upsert",
        "公民身份号码,姓名,出生日期\n11010519491231002X,张三丰,1949-12-31\n110101199003071233,王五,1990-03-08\n110108200001011237,赵六,2000-01-01\n",
    )
    .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["version"]["row_count"], 4, "3 old rows, 1 new: {}", r.body);
    // Then a replace that drops 李四.
    let r = pub_(
        "replace",
        "公民身份号码,姓名,出生日期\n11010519491231002X,张三丰,1949-12-31\n110101199003071233,王五,1990-03-08\n110108200001011237,赵六,2000-01-01\n",
    )
    .await;
    assert_eq!(r.body["version"]["version"], 3, "{}", r.body);

    // Changes since version 1, as B sees them: the name item is outside B's scope, so 张三's
    // rename is not a change B can see.
    let c = app
        .get(&format!("/api/v1/resources/{key}/changes?since=1&purpose=数据校核:同步本部门库表"), "b_consumer")
        .await;
    assert_eq!(c.status.as_u16(), 200, "{}", c.body);
    assert_eq!(
        (c.body["added"].as_i64(), c.body["changed"].as_i64(), c.body["removed"].as_i64()),
        (Some(1), Some(1), Some(1)),
        "{}",
        c.body
    );
    let rows = c.body["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["_change"] == "added" && r["公民身份号码"] == "110108200001011237"), "{rows:?}");
    assert!(rows.iter().any(|r| r["_change"] == "changed" && r["出生日期"] == "1990-03-08"), "{rows:?}");
    assert!(rows.iter().any(|r| r["_change"] == "removed" && r["公民身份号码"] == "440524188001010014"), "{rows:?}");
    assert!(rows.iter().all(|r| r.get("姓名").is_none()));
    // The provider sees the rename too.
    let c = app.get(&format!("/api/v1/resources/{key}/changes?since=1&purpose=数据校核:核对"), "a_provider").await;
    assert_eq!(c.body["changed"], 2, "{}", c.body);
    // Paging and bad requests.
    let c = app.get(&format!("/api/v1/resources/{key}/changes?since=1&limit=2&purpose=核对"), "b_consumer").await;
    assert_eq!(c.body["rows"].as_array().unwrap().len(), 2);
    assert!(c.body["next"].is_string());
    let c = app.get(&format!("/api/v1/resources/{key}/changes?since=3&purpose=核对"), "b_consumer").await;
    assert_eq!(c.status.as_u16(), 422, "{}", c.body);
    let c = app.get(&format!("/api/v1/resources/{key}/changes?since=1"), "b_consumer").await;
    assert_eq!(c.status.as_u16(), 422, "no purpose: {}", c.body);

    // Nothing is overdue yet; the coordinator's overdue list is empty.
    let o = app.get("/api/v1/freshness/overdue", "coordinator").await;
    assert_eq!(o.body["total"], 0, "{}", o.body);
}

#[tokio::test]
async fn orphan_files_are_swept_and_versions_kept() {
    use data::object_store::ObjectStoreExt;
    let app = TestApp::sqlite().await;
    let key = published(&app, "用于清理测试的资源", "unconditional").await;
    let r = app
        .upload(&format!("/api/v1/resources/{key}/versions"), "a_provider", &[("file", "p.csv", CSV.as_bytes())])
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    // What a killed publish leaves: a file no version references.
    let store = app.svc.datasets.store();
    let orphan = data::object_store::path::Path::from("datasets/1/killed-publish/part-00000.parquet");
    store.put(&orphan, bytes::Bytes::from_static(b"half a file").into()).await.unwrap();
    // Too young to be swept.
    let removed = service::datasets::sweep_orphans(&app.svc, std::time::Duration::from_secs(3600)).await.unwrap();
    assert!(removed.is_empty(), "{removed:?}");
    let removed = service::datasets::sweep_orphans(&app.svc, std::time::Duration::ZERO).await.unwrap();
    assert_eq!(removed, vec![orphan.to_string()]);
    assert!(store.head(&orphan).await.is_err());
    // The published version is untouched.
    let q = app
        .json(
            "POST",
            &format!("/api/v1/resources/{key}/query"),
            "b_consumer",
            json!({"purpose": purpose(), "count": true}),
        )
        .await;
    assert_eq!(q.body["total"], 3, "{}", q.body);
    let a = app.get("/api/v1/audit?action=data.sweep", "auditor").await;
    assert_eq!(a.body["total"], 1, "{}", a.body);
}
