//! Platforms, departments, users, tokens and the OpenAPI document.

use serde_json::json;

use crate::app::{TestApp, both, credit_code, org_code};

both!(departments_users_tokens);

async fn departments_users_tokens(app: TestApp) {
    // Departments: the credit code is checked per GB 32100.
    let platform = app.get("/api/v1/platforms", "admin").await.body["items"][0]["id"].as_i64().unwrap();
    let r = app
        .json(
            "POST",
            "/api/v1/departments",
            "admin",
            json!({"name": "测试市教育局", "credit_code": "11350100MB0000003A", "platform_id": platform}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(r.body["error"]["field"], "credit_code");
    let good = credit_code(&format!("11350100{}", org_code("MB000030")));
    assert!(domain::identifiers::check_credit_code(&good).is_ok());
    // Lower case is normalised.
    let body = json!({"name": "测试市教育局", "credit_code": good.to_lowercase(), "platform_id": platform, "parent_id": app.dept_a});
    let r = app.json("POST", "/api/v1/departments", "admin", body.clone()).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let dept = r.body["id"].as_i64().unwrap();
    let r = app.json("POST", "/api/v1/departments", "admin", body).await;
    assert_eq!(r.status.as_u16(), 409, "duplicate: {}", r.body);
    let r = app
        .json(
            "PUT",
            &format!("/api/v1/departments/{dept}"),
            "admin",
            json!({"name": "测试市教育局", "local_code": "T-JYJ2", "platform_id": platform, "parent_id": dept}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "self parent: {}", r.body);
    let r = app
        .json(
            "POST",
            "/api/v1/departments",
            "admin",
            json!({"name": "无平台", "local_code": "T-X", "platform_id": 999}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "platform_id", "{}", r.body);
    let list = app.get("/api/v1/departments?limit=2", "b_consumer").await;
    assert_eq!(list.body["total"], 4, "ops unit + A + B + new");
    assert!(list.body["next"].is_string());

    // Users: three-role separation, username rules, admin only.
    let r = app
        .json(
            "POST",
            "/api/v1/users",
            "admin",
            json!({"username": "xiaoli", "display_name": "张三", "department_id": dept, "roles": ["admin", "auditor"]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.body["error"]["field"], "roles");
    let r = app.json("POST", "/api/v1/users", "admin", json!({"username": "wang", "display_name": "王五", "department_id": dept, "roles": ["catalog_editor"], "password": "weak"})).await;
    assert_eq!(r.body["error"]["field"], "password", "{}", r.body);
    let r = app.json("POST", "/api/v1/users", "admin", json!({"username": "wang", "display_name": "王五", "department_id": dept, "roles": ["catalog_editor", "目录编目员"], "password": "Strong-Pass-2026"})).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["roles"], json!(["catalog_editor"]));
    assert_eq!(r.body["has_password"], true);
    assert!(r.body.get("password_hash").is_none());
    let uid = r.body["id"].as_i64().unwrap();
    let r = app
        .json(
            "POST",
            "/api/v1/users",
            "a_editor",
            json!({"username": "evil", "display_name": "x", "department_id": dept, "roles": ["admin"]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    let r = app
        .json("PATCH", &format!("/api/v1/users/{uid}"), "admin", json!({"roles": ["approver"], "active": true}))
        .await;
    assert_eq!(r.body["roles"], json!(["approver"]), "{}", r.body);
    assert!(service::auth::login(&app.svc, "wang", "Strong-Pass-2026").await.is_ok());
    assert!(service::auth::login(&app.svc, "wang", "Strong-Pass-2027").await.is_err());

    // Tokens: the secret is shown once and works; the list shows only a prefix; revoking stops it.
    let me = app.get("/api/v1/users/me", "b_consumer").await;
    assert_eq!(me.body["username"], "b_consumer");
    let r = app.json("POST", "/api/v1/tokens", "b_consumer", json!({"name": "脚本", "valid_days": 30})).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let secret = r.body["secret"].as_str().unwrap().to_string();
    let tid = r.body["token"]["id"].as_i64().unwrap();
    assert!(r.body["token"]["expires_at"].is_string());
    let with = |s: &str| {
        axum::http::Request::get("/api/v1/users/me")
            .header("authorization", format!("Bearer {s}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    assert_eq!(app.send(with(&secret)).await.status.as_u16(), 200);
    let list = app.get("/api/v1/tokens", "b_consumer").await;
    assert!(!list.bytes.windows(20).any(|w| w == &secret.as_bytes()[10..30]), "secret must not be listed");
    // Someone else cannot revoke it.
    let r = app.raw("DELETE", &format!("/api/v1/tokens/{tid}"), Some("a_editor"), None, vec![]).await;
    assert_eq!(r.status.as_u16(), 404);
    let r = app.raw("DELETE", &format!("/api/v1/tokens/{tid}"), Some("b_consumer"), None, vec![]).await;
    assert!(r.body["revoked_at"].is_string(), "{}", r.body);
    assert_eq!(app.send(with(&secret)).await.status.as_u16(), 401);
    let r = app.json("POST", "/api/v1/tokens", "b_consumer", json!({"name": ""})).await;
    assert_eq!(r.body["error"]["field"], "name");
}

#[test]
fn openapi_document_lists_every_route() {
    let doc: serde_json::Value = serde_json::from_str(&server::openapi_json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/healthz",
        "/api/v1/departments",
        "/api/v1/departments/{id}",
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/categories",
        "/api/v1/resources",
        "/api/v1/resources/{key}",
        "/api/v1/resources/{key}/history",
        "/api/v1/resources/{key}/publish",
        "/api/v1/resources/import",
        "/api/v1/resources/export",
        "/api/v1/currency",
        "/api/v1/audit",
    ] {
        assert!(paths.contains_key(p), "{p} missing from the OpenAPI document");
    }
    assert!(doc["components"]["schemas"]["ResourceInput"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn serves_openapi_and_health() {
    let app = TestApp::sqlite().await;
    let r = app.raw("GET", "/api/openapi.json", None, None, vec![]).await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(r.body["info"]["title"], "govshare API");
    let r = app.raw("GET", "/healthz", None, None, vec![]).await;
    assert_eq!(r.body["status"], "ok");
}
