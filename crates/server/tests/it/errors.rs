//! Bad input of every kind gets one JSON error shape with the right status, and writes nothing.

use serde_json::json;

use crate::app::{TestApp, both, resource};

both!(error_shapes);
both!(validation_names_fields_and_writes_nothing);

#[track_caller]
fn assert_error(r: &crate::app::Resp, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.body);
    assert_eq!(r.body["error"]["code"], code, "{}", r.body);
    let msg = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "message should be Chinese: {msg}");
}

async fn error_shapes(app: TestApp) {
    // 401: no token, a malformed header, a wrong token.
    let r = app.raw("GET", "/api/v1/resources", None, None, vec![]).await;
    assert_error(&r, 401, "unauthenticated");
    let r = app
        .send(
            axum::http::Request::get("/api/v1/resources")
                .header("authorization", "Basic abc")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_error(&r, 401, "unauthenticated");
    let r = app
        .send(
            axum::http::Request::get("/api/v1/resources")
                .header("authorization", format!("Bearer gs_{}", "0".repeat(64)))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_error(&r, 401, "unauthenticated");

    // 400: malformed JSON, wrong type, unknown field, missing field.
    let r =
        app.raw("POST", "/api/v1/resources", Some("a_editor"), Some("application/json"), b"{\"name\": ".to_vec()).await;
    assert_error(&r, 400, "malformed_json");
    let mut body = resource("甲", "307001");
    body["data_items"][0]["length"] = json!("十八");
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_error(&r, 400, "invalid_body");
    assert_eq!(r.body["error"]["field"], "data_items[0].length");
    let mut body = resource("甲", "307001");
    body["colour"] = json!("red");
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_error(&r, 400, "invalid_body");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("colour"));
    let mut body = resource("甲", "307001");
    body.as_object_mut().unwrap().remove("summary");
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_error(&r, 400, "invalid_body");
    let mut body = resource("甲", "307001");
    body["share_type"] = json!("sometimes");
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_error(&r, 400, "invalid_body");
    assert_eq!(r.body["error"]["field"], "share_type");
    let r = app.json("POST", "/api/v1/resources", "a_editor", json!([1, 2])).await;
    assert_error(&r, 400, "invalid_body");

    // 415: not JSON.
    let r = app.raw("POST", "/api/v1/resources", Some("a_editor"), Some("text/plain"), b"{}".to_vec()).await;
    assert_error(&r, 415, "unsupported_media_type");
    // 413: oversized.
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(server::MAX_JSON_BODY + 10));
    let r = app.raw("POST", "/api/v1/resources", Some("a_editor"), Some("application/json"), big.into_bytes()).await;
    assert_error(&r, 413, "body_too_large");

    // 403 and 404.
    let r = app.json("POST", "/api/v1/departments", "a_editor", json!({"name": "x", "platform_id": 1})).await;
    assert_error(&r, 403, "forbidden");
    let r = app.get("/api/v1/resources/307001%2F999999", "a_editor").await;
    assert_error(&r, 404, "not_found");
    let r = app.get("/api/v1/nothing-here", "a_editor").await;
    assert_error(&r, 404, "not_found");
    let r = app.raw("DELETE", "/api/v1/resources", Some("a_editor"), None, vec![]).await;
    assert_error(&r, 405, "method_not_allowed");
    let r = app.get("/api/v1/departments/abc", "a_editor").await;
    assert_error(&r, 400, "invalid_id");

    // Query strings.
    let r = app.get("/api/v1/resources?limit=0", "a_editor").await;
    assert_error(&r, 400, "invalid_limit");
    let r = app.get("/api/v1/resources?cursor=xyz", "a_editor").await;
    assert_error(&r, 400, "invalid_cursor");
    let r = app.get("/api/v1/resources?limit=ten", "a_editor").await;
    assert_error(&r, 400, "invalid_query");
    let r = app.get("/api/v1/resources?bogus=1", "a_editor").await;
    assert_error(&r, 400, "invalid_query");
    let r = app.get("/api/v1/resources?update_cycle=hourly", "a_editor").await;
    assert_error(&r, 400, "invalid_query");

    // The calendar refuses loudly past its last year.
    let r = app.get("/api/v1/calendar/deadline?from=2026-12-24&days=10", "a_editor").await;
    assert_error(&r, 422, "calendar_out_of_range");
    let r = app.get("/api/v1/calendar/deadline?from=2025-01-20&days=10", "a_editor").await;
    assert_eq!(r.body["deadline"], "2025-02-08", "{}", r.body);
}

async fn validation_names_fields_and_writes_nothing(app: TestApp) {
    let mut body = resource("乙", "307001");
    body["share_type"] = json!("not_shared");
    body["share_methods"] = json!([]);
    body["classified"] = json!(true);
    body["open_type"] = json!("unconditional");
    body["related_codes"] = json!(["307001/000099"]);
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_error(&r, 422, "validation_failed");
    let fields: Vec<&str> =
        r.body["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    for f in ["share_basis", "open_type", "related_codes[0]"] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    // The form endpoint says the same without saving.
    let mut body = resource("乙", "307001");
    body["category"] = json!("309999");
    let r = app.json("POST", "/api/v1/resources/validate", "a_editor", body).await;
    assert_error(&r, 422, "validation_failed");
    assert_eq!(r.body["error"]["field"], "category");
    let r = app.json("POST", "/api/v1/resources/validate", "a_editor", resource("乙", "307001")).await;
    assert_eq!(r.status.as_u16(), 204);
    // Nothing was written by any of the failures above (nor by the errors test's requests).
    let list = app.get("/api/v1/resources", "coordinator").await;
    assert_eq!(list.body["total"], 0, "{}", list.body);
    // A failed create does not burn… anything visible: the next good one gets sequence 1.
    let r = app.json("POST", "/api/v1/resources", "a_editor", resource("丙", "307001")).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["code"], "307001/000001");
}
