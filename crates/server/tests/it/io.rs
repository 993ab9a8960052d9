//! Catalogue export and import through the API: XLSX, CSV and JSON round trips, all-or-nothing
//! imports with every bad cell reported, and valid-rows-only imports.

use serde_json::json;

use crate::app::{TestApp, both, resource};

both!(spreadsheet_round_trip);
both!(bad_rows_import_nothing);

async fn spreadsheet_round_trip(app: TestApp) {
    for i in 0..3 {
        let r = app.json("POST", "/api/v1/resources", "a_editor", resource(&format!("导出{i}"), "307001")).await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    }
    let x = app.get("/api/v1/resources/export?format=xlsx", "a_editor").await;
    assert_eq!(x.status.as_u16(), 200);
    assert!(x.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    // Re-importing the same file updates the same three entries (their codes are in it).
    let r = app.upload("/api/v1/resources/import", "a_editor", &[("file", "catalogue.xlsx", &x.bytes)]).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["committed"], true);
    let actions: Vec<&str> =
        r.body["imported"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["updated", "updated", "updated"]);
    // CSV: resources and items sheets; blank out the codes so they import as new drafts.
    let res = app.get("/api/v1/resources/export?format=csv&sheet=resources", "a_editor").await;
    let items = app.get("/api/v1/resources/export?format=csv&sheet=items", "a_editor").await;
    let text = String::from_utf8(res.bytes.clone()).unwrap();
    let cleared: String = text
        .lines()
        .enumerate()
        .map(|(n, l)| {
            if n == 0 {
                return l.to_string();
            }
            let mut cells: Vec<&str> = l.splitn(3, ',').collect();
            cells[1] = "";
            cells.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let r = app
        .upload(
            "/api/v1/resources/import",
            "a_editor",
            &[("file", "r.csv", cleared.as_bytes()), ("items", "i.csv", &items.bytes)],
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["imported"].as_array().unwrap().len(), 3);
    assert_eq!(r.body["imported"][0]["action"], "created");
    let all = app.get("/api/v1/resources?limit=100", "a_editor").await;
    assert_eq!(all.body["total"], 6);
    // Each imported entry kept its data items.
    let created = app.get(&format!("/api/v1/resources/{}", r.body["imported"][0]["id"]), "a_editor").await;
    assert_eq!(created.body["data_items"].as_array().unwrap().len(), 3, "{}", created.body);
    // JSON export parses and lists what the user can see.
    let j = app.get("/api/v1/resources/export?format=json", "a_editor").await;
    let arr: serde_json::Value = serde_json::from_slice(&j.bytes).unwrap();
    assert_eq!(arr.as_array().unwrap().len(), 6);
    let r = app.get("/api/v1/resources/export?format=pdf", "a_editor").await;
    assert_eq!(r.status.as_u16(), 400);
}

async fn bad_rows_import_nothing(app: TestApp) {
    let good = resource("好的", "307001");
    let mut bad = resource("坏的", "307001");
    bad["share_type"] = json!("not_shared");
    bad["share_methods"] = json!([]);
    let mut other_dept = resource("冒名的", "307001");
    other_dept["share_type"] = json!("unconditional");
    let mut forged = spec_json(&other_dept);
    forged["provider_code"] = json!("SOMEONE-ELSE");
    let entries = json!([
        {"code": null, "status": null, "resource": spec_json(&good)},
        {"code": null, "status": null, "resource": spec_json(&bad)},
        {"code": null, "status": null, "resource": forged},
    ]);
    let bytes = entries.to_string().into_bytes();
    let r = app.upload("/api/v1/resources/import", "a_editor", &[("file", "c.json", &bytes)]).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(r.body["committed"], false);
    let errs = r.body["errors"].as_array().unwrap();
    assert!(errs.iter().any(|e| e["row"] == 2 && e["field"] == "share_basis"), "{errs:?}");
    assert!(errs.iter().any(|e| e["row"] == 3 && e["field"] == "provider_code"), "{errs:?}");
    assert_eq!(app.get("/api/v1/resources", "a_editor").await.body["total"], 0, "nothing imported");
    let r = app.upload("/api/v1/resources/import?mode=dry_run", "a_editor", &[("file", "c.json", &bytes)]).await;
    assert_eq!(r.body["committed"], false);
    let r = app.upload("/api/v1/resources/import?mode=valid_only", "a_editor", &[("file", "c.json", &bytes)]).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["imported"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/v1/resources", "a_editor").await.body["total"], 1);
    // Garbage and missing files get clear errors.
    let r = app.upload("/api/v1/resources/import", "a_editor", &[("file", "c.xlsx", b"not a zip")]).await;
    assert_eq!(r.body["committed"], false, "{}", r.body);
    assert!(!r.body["errors"].as_array().unwrap().is_empty());
    let r = app.upload("/api/v1/resources/import", "a_editor", &[("other", "c.json", b"[]")]).await;
    assert_eq!(r.status.as_u16(), 400);
    let r = app.upload("/api/v1/resources/import", "a_editor", &[("file", "c.txt", b"[]")]).await;
    assert_eq!(r.body["error"]["code"], "invalid_format");
    let r = app.json("POST", "/api/v1/resources/import", "a_editor", json!([])).await;
    assert_eq!(r.body["error"]["code"], "unsupported_media_type", "{}", r.body);
    // An auditor cannot import.
    let r = app.upload("/api/v1/resources/import", "auditor", &[("file", "c.json", &bytes)]).await;
    assert_eq!(r.status.as_u16(), 403);
}

/// The API input as the interchange JSON `resource` object (which carries provider fields).
fn spec_json(input: &serde_json::Value) -> serde_json::Value {
    let mut v = input.clone();
    let o = v.as_object_mut().unwrap();
    o.insert("provider_name".into(), json!(""));
    o.insert("provider_code".into(), json!(""));
    v
}
