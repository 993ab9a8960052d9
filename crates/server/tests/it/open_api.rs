//! The open-data API (`/open/api/v1/`): developer keys issued once and stored only as a hash,
//! calls refused without a key or with a revoked one, the per-key rate limit, and rows that obey
//! the public scope of the confidentiality review.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::app::{Resp, TestApp, both, resource};
use crate::web::WebClient;

both!(keys_are_shown_once_and_stored_as_hashes);
both!(calls_need_a_live_key_and_are_limited);
both!(rows_obey_the_public_scope);
both!(registrations_are_limited_per_address);
both!(refused_keys_are_limited_per_address);

const CSV: &str = "公民身份号码,姓名,出生日期\n11010519491231002X,张三,1949-12-31\n440524188001010014,李四,1880-01-01\n110101199003071233,王五,1990-03-07\n";

/// Registers for a key on the developers page; returns the secret shown.
pub(crate) async fn register_key(app: &TestApp, email: &str) -> String {
    let mut web = WebClient::new(app);
    let p = web
        .post(
            "/developers/keys",
            &[("name", "张开发"), ("organisation", ""), ("email", email), ("intended_use", "开发公交到站查询小程序")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    let at = p.html.find("data-api-key=\"").expect("key shown") + "data-api-key=\"".len();
    let secret = p.html[at..at + p.html[at..].find('"').unwrap()].to_string();
    assert!(secret.starts_with("gso_") && secret.len() == 68, "{secret}");
    secret
}

pub(crate) async fn api(app: &TestApp, uri: &str, key: Option<&str>) -> Resp {
    let mut b = Request::builder().uri(uri);
    if let Some(k) = key {
        b = b.header("x-api-key", k);
    }
    app.send(b.body(Body::empty()).unwrap()).await
}

async fn keys_are_shown_once_and_stored_as_hashes(app: TestApp) {
    let secret = register_key(&app, "dev1@example.com").await;
    // The store holds the SHA-256 and the visible prefix, never the secret.
    let hash = service::auth::token_hash(&secret);
    let stored = app.svc.store.developer_key_by_hash(&hash).await.unwrap().expect("stored by hash");
    assert_eq!(stored.prefix, &secret[..10]);
    assert_eq!(stored.email, "dev1@example.com");
    assert!(app.svc.store.developer_key_by_hash(&secret).await.unwrap().is_none());
    // The page does not show it again.
    let mut web = WebClient::new(&app);
    let p = web.get("/developers").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.html.contains(&secret));
    assert!(p.html.contains("X-API-Key"), "documentation");
    // The registration is audited without the secret.
    let events = app.get("/api/v1/audit?action=developer_key.issue", "auditor").await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    let text = events.body.to_string();
    assert!(text.contains("developer_key.issue") && !text.contains(&secret), "{text}");

    // A refused registration names the fields and keeps what was typed.
    let p = web.post("/developers/keys", &[("name", "张"), ("email", "not-an-email"), ("intended_use", "")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("电子邮箱“not-an-email”格式不正确"), "{}", p.html);
    assert!(p.html.contains("请填写用途说明"), "{}", p.html);
    assert!(!p.html.contains("data-api-key"));
    // A form posted from another site is refused.
    let req = Request::builder()
        .method("POST")
        .uri("/developers/keys")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "localhost")
        .header("origin", "https://evil.example")
        .body(Body::from("name=%E5%BC%A0%E4%B8%89&email=a%40b.cn&intended_use=%E5%BC%80%E5%8F%91%E5%BA%94%E7%94%A8%E7%A8%8B%E5%BA%8F"))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
}

async fn calls_need_a_live_key_and_are_limited(mut app: TestApp) {
    app.svc = app.svc.clone().with_settings(service::Settings { open_api_per_minute: 5, ..Default::default() });
    // A fixed clock, so that the minute of the limit does not roll over during the test.
    app.svc.clock = std::sync::Arc::new(service::FixedClock::at(app.svc.clock.now()));
    app.router = server::router(app.svc.clone());
    let secret = register_key(&app, "dev2@example.com").await;

    let r = api(&app, "/open/api/v1/datasets", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"]["code"], "missing_api_key");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("X-API-Key"));
    let r = api(&app, "/open/api/v1/datasets", Some("gs_not_a_developer_key")).await;
    assert_eq!(r.body["error"]["code"], "invalid_api_key");
    let unknown = format!("gso_{}", "0".repeat(64));
    let r = api(&app, "/open/api/v1/datasets", Some(&unknown)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"]["code"], "invalid_api_key");

    // With the key (header or query parameter): JSON.
    let r = api(&app, "/open/api/v1/datasets", Some(&secret)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["items"].is_array());
    // Only in the header: a key in the query string (which ends up in logs) is not read.
    let r = api(&app, &format!("/open/api/v1/datasets?api_key={secret}&q=x"), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "missing_api_key");
    let dept = app.dept_a.to_string();
    let r = api(&app, &format!("/open/api/v1/datasets?q=x&department={dept}"), Some(&secret)).await;
    assert_eq!(r.status, StatusCode::OK, "the department filter works: {}", r.body);
    // Unknown paths under the API answer in the API's error shape.
    let r = api(&app, "/open/api/v1/nothing", Some(&secret)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["code"], "not_found");

    // The limit: 5 a minute (2 used above; the 404 did not reach the key check).
    let mut last = StatusCode::OK;
    for _ in 0..4 {
        last = api(&app, "/open/api/v1/datasets", Some(&secret)).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let r = api(&app, "/open/api/v1/datasets", Some(&secret)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["error"]["code"], "rate_limited");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("每分钟最多调用5次"), "{}", r.body);
    assert_eq!(r.headers.get("retry-after").unwrap(), "60");
    let counted = app.svc.store.developer_key_by_hash(&service::auth::token_hash(&secret)).await.unwrap().unwrap();
    assert_eq!(counted.calls, 5);

    // Revoked by whoever holds it: refused afterwards.
    let mut web = WebClient::new(&app);
    let p = web.post("/developers/keys/revoke", &[("key", "gso_short")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("接口密钥格式不正确"));
    let p = web.post("/developers/keys/revoke", &[("key", &secret)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location(), "/developers?revoked=1");
    let r = api(&app, "/open/api/v1/datasets", Some(&secret)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("无效或已注销"));
    let p = web.post("/developers/keys/revoke", &[("key", &secret)]).await;
    assert!(p.html.contains("没有找到这个接口密钥，或它已经注销"));
}

/// A published 无条件开放 resource of department A with data; returns (code, URL key).
pub(crate) async fn open_resource(app: &TestApp, name: &str, open: &str) -> (String, String) {
    let mut body = resource(name, "307001");
    body["share_type"] = json!("unconditional");
    body["share_condition"] = serde_json::Value::Null;
    body["open_type"] = json!(open);
    if open == "conditional" {
        body["open_condition"] = json!("仅限科研机构用于统计研究，不得用于识别个人");
    }
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let code = r.body["code"].as_str().unwrap().to_string();
    let key = code.replace('/', "%2F");
    app.json("POST", &format!("/api/v1/resources/{key}/submit"), "a_editor", json!({})).await;
    let p = app.json("POST", &format!("/api/v1/resources/{key}/publish"), "a_approver", json!({})).await;
    assert_eq!(p.body["status"], "published", "{}", p.body);
    (code, key)
}

async fn actor(app: &TestApp, username: &str) -> domain::account::Actor {
    let u = app.svc.store.find_user_by_username(username).await.unwrap().unwrap();
    service::accounts::actor_for(&app.svc, u).await.unwrap()
}

async fn rows_obey_the_public_scope(app: TestApp) {
    let secret = register_key(&app, "dev3@example.com").await;
    let (code, key) = open_resource(&app, "常住人口出生统计", "unconditional").await;
    let r = app
        .upload(&format!("/api/v1/resources/{key}/versions"), "a_provider", &[("file", "p.csv", CSV.as_bytes())])
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);

    // Not opened yet: the dataset is not public at all.
    let r = api(&app, &format!("/open/api/v1/datasets/{key}/rows"), Some(&secret)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = api(&app, &format!("/open/api/v1/datasets/{key}"), Some(&secret)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // The review removes every flagged column, then the version is opened.
    let approver = actor(&app, "a_approver").await;
    let review = service::open::review(&app.svc, &approver, &code).await.unwrap();
    let version = review.version.as_ref().unwrap().version;
    let flagged: Vec<String> = review.columns.iter().map(|c| c.finding.column.clone()).collect();
    assert!(flagged.contains(&"公民身份号码".to_string()), "{flagged:?}");
    for c in &flagged {
        service::open::decide(&app.svc, &approver, &code, version, c, domain::open::ColumnDecision::Remove)
            .await
            .unwrap();
    }
    service::open::open(&app.svc, &approver, &code, version).await.unwrap();

    let r = api(&app, &format!("/open/api/v1/datasets/{key}"), Some(&secret)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data_available"], true);
    let fields: Vec<&str> = r.body["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    for c in &flagged {
        assert!(!fields.contains(&c.as_str()), "{c} removed: {fields:?}");
    }
    let r = api(&app, &format!("/open/api/v1/datasets/{key}/rows?limit=2&count=true"), Some(&secret)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["total"], 3);
    assert_eq!(r.body["rows"].as_array().unwrap().len(), 2);
    let text = r.body.to_string();
    for c in &flagged {
        assert!(!text.contains(c.as_str()), "{c} absent from rows: {text}");
    }
    assert!(!text.contains("11010519491231002X") && !text.contains("张三"), "{text}");
    assert!(text.contains("出生日期"), "{text}");
    // Asking for a removed field is refused like any field outside the scope.
    let r = api(
        &app,
        &format!("/open/api/v1/datasets/{key}/rows?fields=%E5%85%AC%E6%B0%91%E8%BA%AB%E4%BB%BD%E5%8F%B7%E7%A0%81"),
        Some(&secret),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.body);
    assert!(!r.body.to_string().contains("11010519491231002X"));
    // Bad parameters get a Chinese message.
    let r = api(&app, &format!("/open/api/v1/datasets/{key}/rows?filters=oops"), Some(&secret)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("filters 应为 JSON 数组"));
    let r = api(&app, &format!("/open/api/v1/datasets/{key}/rows?limit=0"), Some(&secret)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Calls are counted per dataset and audited with the key.
    let d = service::open::dataset(&app.svc, &code).await.unwrap();
    assert_eq!(d.usage.api_calls, 2, "the metadata call and the page of rows: {:?}", d.usage);
    let events = app.get("/api/v1/audit?action=open.query", "auditor").await;
    assert!(events.body.to_string().contains("\"channel\":\"api\""), "{}", events.body);
}

async fn registrations_are_limited_per_address(mut app: TestApp) {
    app.svc = app.svc.clone().with_settings(service::Settings { public_submissions_per_hour: 2, ..Default::default() });
    app.svc.clock = std::sync::Arc::new(service::FixedClock::at(app.svc.clock.now()));
    app.router = server::router(app.svc.clone());
    register_key(&app, "one@example.com").await;
    register_key(&app, "two@example.com").await;
    let mut web = WebClient::new(&app);
    let p = web
        .post("/developers/keys", &[("name", "张三"), ("email", "three@example.com"), ("intended_use", "开发应用程序")])
        .await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.html.contains("同一网络地址每小时最多提交2次"), "{}", p.html);
    assert!(!p.html.contains("data-api-key"));
}

/// Calls with a malformed, unknown or revoked key count against the client address: past the
/// limit they get a 429 and stop being audited one by one; a good key, and other addresses, are
/// not affected.
async fn refused_keys_are_limited_per_address(mut app: TestApp) {
    app.svc =
        app.svc.clone().with_settings(service::Settings { rejected_api_keys_per_minute: 3, ..Default::default() });
    app.svc.clock = std::sync::Arc::new(service::FixedClock::at(app.svc.clock.now()));
    app.router = server::router(app.svc.clone());
    let secret = register_key(&app, "dev9@example.com").await;
    let unknown = format!("gso_{}", "1".repeat(64));
    // A missing key is not a guess: not counted.
    for _ in 0..5 {
        assert_eq!(api(&app, "/open/api/v1/datasets", None).await.status, StatusCode::UNAUTHORIZED);
    }
    let r = api(&app, "/open/api/v1/datasets", Some("gso_short")).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_api_key")));
    for _ in 0..2 {
        let r = api(&app, "/open/api/v1/datasets", Some(&unknown)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    for _ in 0..3 {
        let r = api(&app, "/open/api/v1/datasets", Some(&unknown)).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "rate_limited");
        assert!(r.body["error"]["message"].as_str().unwrap().contains("每分钟最多3次"), "{}", r.body);
        assert_eq!(r.headers.get("retry-after").unwrap(), "60");
    }
    // Only the two unknown-key calls under the limit were audited.
    let events = app.get("/api/v1/audit?action=developer_key.rejected", "auditor").await;
    let rejected = events.body["items"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{}", events.body);
    // The good key still works from the same address.
    assert_eq!(api(&app, "/open/api/v1/datasets", Some(&secret)).await.status, StatusCode::OK);
    // The count is per address: another address is still answered 401.
    let other = service::developers::authenticate(&app.svc, Some(&unknown), "203.0.113.7").await;
    assert!(
        matches!(other, Err(service::developers::KeyCheck::Refused(service::developers::KeyRefusal::UnknownOrRevoked))),
        "{other:?}"
    );
    let same = service::developers::authenticate(&app.svc, Some(&unknown), "unknown").await;
    assert!(
        matches!(same, Err(service::developers::KeyCheck::Failed(service::ServiceError::RateLimited(_)))),
        "{same:?}"
    );
}
