//! The catalogue through the API: lifecycle, addressing by code, history, filters, pagination,
//! visibility, currency windows and the audit trail.

use serde_json::json;

use crate::app::{TestApp, both, resource};

both!(lifecycle);
both!(filters_and_pages);
both!(visibility_and_permissions);
both!(currency_and_audit);

async fn lifecycle(app: TestApp) {
    let r = app.json("POST", "/api/v1/resources", "a_editor", resource("常住人口信息", "307001")).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let code = r.body["code"].as_str().unwrap().to_string();
    let enc = code.replace('/', "%2F");
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["provider_name"], "测试市公安局");
    assert_eq!(r.body["data_items"][1]["data_type"], "C", "Chinese labels normalised to codes");

    // Revise the draft by code, with the version we read.
    let mut body = resource("常住人口信息", "307001");
    body["summary"] = json!("修改后的摘要");
    body["data_items"][1]["length"] = json!(60);
    body["expected_version"] = json!(1);
    let r = app.json("PUT", &format!("/api/v1/resources/{enc}"), "a_editor", body.clone()).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    // The same stale version again: refused.
    let r = app.json("PUT", &format!("/api/v1/resources/{enc}"), "a_editor", body).await;
    assert_eq!(r.status.as_u16(), 409);
    assert_eq!(r.body["error"]["code"], "stale_version");

    // Publishing a draft is not allowed; editors cannot publish.
    let r = app.json("POST", &format!("/api/v1/resources/{enc}/publish"), "a_approver", json!({})).await;
    assert_eq!(r.body["error"]["code"], "invalid_state", "{}", r.body);
    let r = app.json("POST", &format!("/api/v1/resources/{enc}/submit"), "a_editor", json!({})).await;
    assert_eq!(r.body["status"], "submitted", "{}", r.body);
    let r = app.json("POST", &format!("/api/v1/resources/{enc}/publish"), "a_editor", json!({})).await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    let r = app.json("POST", &format!("/api/v1/resources/{enc}/return"), "a_approver", json!({})).await;
    assert_eq!(r.body["error"]["field"], "reason", "a return needs a reason: {}", r.body);
    let r = app.json("POST", &format!("/api/v1/resources/{enc}/publish"), "a_approver", json!({})).await;
    assert_eq!(r.body["status"], "published", "{}", r.body);
    assert!(r.body["publish_date"].is_string());

    // A published revision is a new published version with the same code.
    let mut body = resource("常住人口信息", "307001");
    body["summary"] = json!("第二次修订");
    let r = app.json("PUT", &format!("/api/v1/resources/{}", r.body["id"]), "a_editor", body).await;
    assert_eq!(
        (r.body["status"].as_str(), r.body["code"].as_str()),
        (Some("published"), Some(code.as_str())),
        "{}",
        r.body
    );
    // Moving it to another category would change its code: refused.
    let r2 = app.json("PUT", &format!("/api/v1/resources/{enc}"), "a_editor", resource("常住人口信息", "101001")).await;
    assert_eq!(r2.status.as_u16(), 422);
    assert_eq!(r2.body["error"]["field"], "category");

    let h = app.get(&format!("/api/v1/resources/{enc}/history"), "b_consumer").await;
    let versions = h.body["versions"].as_array().unwrap();
    let actions: Vec<&str> = versions.iter().map(|v| v["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "update", "submit", "publish", "update"]);
    let second = &versions[1]["changes"];
    let fields: Vec<&str> = second.as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["data_items[姓名].length", "summary"], "{second}");
    assert_eq!(versions[1]["username"], "a_editor");
    assert_eq!(versions[3]["username"], "a_approver");
    let publish_changes = versions[3]["changes"].as_array().unwrap();
    assert!(publish_changes.iter().any(|c| c["field"] == "publish_date"));

    // Withdraw needs a reason; afterwards it is read-only.
    let r = app.json("POST", &format!("/api/v1/resources/{enc}/withdraw"), "a_approver", json!({"reason": ""})).await;
    assert_eq!(r.status.as_u16(), 422);
    let r = app
        .json("POST", &format!("/api/v1/resources/{enc}/withdraw"), "a_approver", json!({"reason": "职能划转至民政局"}))
        .await;
    assert_eq!(r.body["status"], "withdrawn", "{}", r.body);
    let r = app.json("PUT", &format!("/api/v1/resources/{enc}"), "a_editor", resource("常住人口信息", "307001")).await;
    assert_eq!(r.body["error"]["code"], "invalid_state");
    // Its code is never reused.
    let r = app.json("POST", "/api/v1/resources", "a_editor", resource("另一个", "307001")).await;
    assert_eq!(r.body["code"], "307001/000002");
}

async fn filters_and_pages(app: TestApp) {
    for i in 0..12 {
        let mut body = resource(&format!("资源{i}"), if i % 2 == 0 { "307001" } else { "101001" });
        if i % 3 == 0 {
            body["share_type"] = json!("unconditional");
            body["update_cycle"] = json!("每月");
        }
        let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.body);
        let id = r.body["id"].clone();
        app.json("POST", &format!("/api/v1/resources/{id}/submit"), "a_editor", json!({})).await;
        let p = app.json("POST", &format!("/api/v1/resources/{id}/publish"), "a_approver", json!({})).await;
        assert_eq!(p.body["status"], "published", "{}", p.body);
    }
    let count = |q: &str| {
        let app = &app;
        let q = q.to_string();
        async move { app.get(&format!("/api/v1/resources?{q}"), "b_consumer").await.body["total"].as_i64().unwrap() }
    };
    assert_eq!(count("").await, 12);
    assert_eq!(count("category=1").await, 6);
    assert_eq!(count("category=307001").await, 6);
    assert_eq!(count("share_type=unconditional").await, 4);
    assert_eq!(count("share_type=%E6%9C%89%E6%9D%A1%E4%BB%B6%E5%85%B1%E4%BA%AB").await, 8, "Chinese label accepted");
    assert_eq!(count("update_cycle=monthly").await, 4);
    assert_eq!(count(&format!("provider={}", app.dept_a)).await, 12);
    assert_eq!(count(&format!("provider={}", app.dept_b)).await, 0);
    assert_eq!(count("status=published&format=database").await, 12);
    assert_eq!(count("open_type=unconditional").await, 0);
    assert_eq!(count("q=%E8%B5%84%E6%BA%9011").await, 1);
    let mut seen = Vec::new();
    let mut uri = "/api/v1/resources?limit=5".to_string();
    loop {
        let page = app.get(&uri, "b_consumer").await;
        assert_eq!(page.body["total"], 12);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()));
        match page.body["next"].as_str() {
            Some(n) => uri = format!("/api/v1/resources?limit=5&cursor={n}"),
            None => break,
        }
    }
    let mut d = seen.clone();
    d.sort();
    d.dedup();
    assert_eq!((seen.len(), d.len()), (12, 12));
}

async fn visibility_and_permissions(app: TestApp) {
    let draft = app.json("POST", "/api/v1/resources", "a_editor", resource("草稿", "307001")).await;
    let code = draft.body["code"].as_str().unwrap().replace('/', "%2F");
    // Another department's draft does not exist for B, by id or by code, nor in lists.
    let r = app.get(&format!("/api/v1/resources/{code}"), "b_editor").await;
    assert_eq!(r.status.as_u16(), 404);
    let r = app.get(&format!("/api/v1/resources/{}", draft.body["id"]), "b_editor").await;
    assert_eq!(r.status.as_u16(), 404);
    assert_eq!(app.get("/api/v1/resources", "b_editor").await.body["total"], 0);
    assert_eq!(app.get("/api/v1/resources", "coordinator").await.body["total"], 1);
    // B cannot write into A's catalogue, nor file an entry in A's name.
    let r = app.json("PUT", &format!("/api/v1/resources/{code}"), "b_editor", resource("篡改", "307001")).await;
    assert_eq!(r.status.as_u16(), 404, "{}", r.body);
    let mut body = resource("冒名", "307001");
    body["department_id"] = json!(app.dept_a);
    let r = app.json("POST", "/api/v1/resources", "b_editor", body).await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    // The auditor changes nothing.
    let r = app.json("POST", "/api/v1/resources", "auditor", resource("审计员", "307001")).await;
    assert_eq!(r.status.as_u16(), 403);
    let r = app.json("POST", "/api/v1/categories", "auditor", json!({"code": "213", "name": "x"})).await;
    assert_eq!(r.status.as_u16(), 403);
    // The coordinator publishes any department's submitted entry; B's approver cannot.
    app.json("POST", &format!("/api/v1/resources/{code}/submit"), "a_editor", json!({})).await;
    let r = app.json("POST", &format!("/api/v1/resources/{code}/publish"), "b_approver", json!({})).await;
    assert_eq!(r.status.as_u16(), 404, "B does not see A's submitted entry: {}", r.body);
    let r = app.json("POST", &format!("/api/v1/resources/{code}/publish"), "coordinator", json!({})).await;
    assert_eq!(r.body["status"], "published", "{}", r.body);
    assert_eq!(app.get(&format!("/api/v1/resources/{code}"), "b_editor").await.status.as_u16(), 200);
    // Admin extends the theme list; the tree is data.
    let r = app.json("POST", "/api/v1/categories", "admin", json!({"code": "213", "name": "数字经济"})).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["kind"], "theme");
    let cats = app.get("/api/v1/categories?limit=500", "b_consumer").await;
    assert!(cats.body["items"].as_array().unwrap().iter().any(|c| c["code"] == "213"));
}

async fn currency_and_audit(app: TestApp) {
    let r = app.json("POST", "/api/v1/resources", "a_editor", resource("需更新的目录", "307001")).await;
    let id = r.body["id"].as_i64().unwrap();
    app.json("POST", &format!("/api/v1/resources/{id}/submit"), "a_editor", json!({})).await;
    app.json("POST", &format!("/api/v1/resources/{id}/publish"), "a_approver", json!({})).await;
    let r = app
        .json(
            "POST",
            "/api/v1/currency",
            "a_editor",
            json!({"kind": "law_revision", "description": "《户口登记条例》修订", "effective_date": "2026-09-25"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["deadline"], "2026-10-22");
    assert_eq!(r.body["items"][0]["resource_id"], id);
    // The window needs a department's own entries.
    let r = app
        .json("POST", "/api/v1/currency", "b_editor", json!({"kind": "duty_change", "description": "机构改革", "effective_date": "2026-09-25", "resource_ids": [id]}))
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let list = app.get("/api/v1/currency", "a_editor").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/v1/currency", "b_editor").await.body["total"], 0);
    assert_eq!(app.get("/api/v1/currency", "coordinator").await.body["total"], 1);
    let page = app.get("/api/v1/categories?limit=10", "b_consumer").await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 10);
    let next = page.body["next"].as_str().unwrap().to_string();
    let page2 = app.get(&format!("/api/v1/categories?limit=10&cursor={next}"), "b_consumer").await;
    assert_ne!(page.body["items"][0]["code"], page2.body["items"][0]["code"]);

    // The audit trail: auditors read it, admins cannot (三员分立).
    let r = app.get("/api/v1/audit?action=resource.", "auditor").await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let actions: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["resource.create", "resource.submit", "resource.publish"]);
    assert_eq!(r.body["items"][2]["username"], "a_approver");
    let r = app.get("/api/v1/audit", "admin").await;
    assert_eq!(r.status.as_u16(), 403);
}
