//! `GET /api/v1/search`: Chinese full text with facets, visibility, repeated filters, paging and
//! errors in the envelope.

use crate::app::{TestApp, both, resource};

both!(search_api);

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn search_api(app: TestApp) {
    let r = app.json("POST", "/api/v1/resources", "a_editor", resource("常住人口信息", "307001")).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let code = r.body["code"].as_str().unwrap().replace('/', "%2F");
    for (path, who) in [("submit", "a_editor"), ("publish", "a_approver")] {
        let r = app.json("POST", &format!("/api/v1/resources/{code}/{path}"), who, serde_json::json!({})).await;
        assert_eq!(r.status.as_u16(), 200, "{path}: {}", r.body);
    }
    let r = app.json("POST", "/api/v1/resources", "a_editor", resource("暂住人口登记", "307001")).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);

    // Another department sees the published entry only, highlighted, with facets.
    let r = app.get(&format!("/api/v1/search?q={}", enc("人口")), "b_consumer").await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["total"], 1, "{}", r.body);
    assert_eq!(r.body["items"][0]["name_html"], "常住<mark>人口</mark>信息");
    let share = r.body["facets"].as_array().unwrap().iter().find(|f| f["dimension"] == "share_type").unwrap();
    assert_eq!(share["values"][0]["value"], "conditional");
    assert_eq!(share["values"][0]["label"], "有条件共享");
    assert_eq!(share["values"][0]["count"], 1);
    // Its own department sees its draft too; traditional characters find the same entries.
    let r = app.get(&format!("/api/v1/search?q={}", enc("人口")), "a_editor").await;
    assert_eq!(r.body["total"], 2, "{}", r.body);
    let r = app.get(&format!("/api/v1/search?q={}", enc("常住人口資訊 戶籍")), "b_consumer").await;
    assert_eq!(r.body["total"], 0, "資訊 is not 信息: {}", r.body);
    let r = app.get(&format!("/api/v1/search?q={}", enc("常住 戶籍")), "b_consumer").await;
    assert_eq!(r.body["total"], 1, "tags are searched, in either script: {}", r.body);

    // A filter may repeat: any of its values.
    let r =
        app.get("/api/v1/search?share_type=conditional&share_type=unconditional&status=published", "a_editor").await;
    assert_eq!(r.body["total"], 1, "{}", r.body);
    let r = app.get("/api/v1/search?limit=1", "a_editor").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["next"], "1");

    // Errors name the parameter, in Chinese.
    let r = app.get("/api/v1/search?share_type=maybe", "b_consumer").await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(r.body["error"]["field"], "share_type");
    assert_eq!(r.body["error"]["message"], "共享类型筛选值“maybe”无效");
    let r = app.get("/api/v1/search?limit=ten", "b_consumer").await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.body["error"]["field"], "limit");
    let r = app.get("/api/v1/search?colour=red", "b_consumer").await;
    assert_eq!(r.body["error"]["field"], "colour");
    let r = app.raw("GET", "/api/v1/search?q=x", None, None, Vec::new()).await;
    assert_eq!(r.status.as_u16(), 401);
}
