//! Information systems and grants without an application, over HTTP on both backends: the admin
//! registers a department's systems and their accounts; the provider's approver grants to one
//! system on its own initiative (`POST /api/v1/grants`); that system's token reads, every other
//! caller of the department is refused; and the versions list hides the version's size from a
//! holder whose grant covers only some rows.

use serde_json::{Value, json};

use crate::app::{TestApp, both};
use crate::sharing::{assert_error, configure, ids, population, purpose, query};

both!(systems_and_their_accounts);
both!(a_provider_grants_to_one_system);

const REASON: &str = "依据《低保审核户籍信息共享协议》第三条，向社会救助管理系统提供鼓楼区户籍人员信息";

/// Registers a system of department B as the admin; returns its id.
async fn system(app: &TestApp, name: &str) -> i64 {
    let r = app.json("POST", "/api/v1/systems", "admin", json!({"department_id": app.dept_b, "name": name})).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    r.body["id"].as_i64().unwrap()
}

/// Creates a data-consumer account of the system; returns its token.
async fn account(app: &TestApp, system: i64, username: &str) -> String {
    let body = json!({"username": username, "display_name": format!("{username}接口"), "roles": ["data_consumer"]});
    let r = app.json("POST", &format!("/api/v1/systems/{system}/accounts"), "admin", body).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    r.body["secret"].as_str().unwrap().to_string()
}

async fn systems_and_their_accounts(mut app: TestApp) {
    let input = json!({"department_id": app.dept_b, "name": "社会救助管理系统", "description": "低保审核"});
    assert_error(&app.json("POST", "/api/v1/systems", "b_approver", input.clone()).await, 403, "forbidden", None);
    let r = app.json("POST", "/api/v1/systems", "admin", input.clone()).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(
        (&r.body["department_id"], &r.body["name"], &r.body["description"], &r.body["active"]),
        (&json!(app.dept_b), &json!("社会救助管理系统"), &json!("低保审核"), &json!(true))
    );
    let r = app.json("POST", "/api/v1/systems", "admin", input.clone()).await;
    assert_error(&r, 409, "conflict", None);
    assert_eq!(r.body["error"]["message"], "本部门已登记同名的信息系统");
    let mut extra = input.clone();
    extra["owner"] = json!("x");
    assert_error(&app.json("POST", "/api/v1/systems", "admin", extra).await, 400, "invalid_body", Some("owner"));
    let r = app.json("POST", "/api/v1/systems", "admin", json!({"department_id": app.dept_b, "name": "甲"})).await;
    assert_error(&r, 422, "validation_failed", Some("name"));

    // Any user lists and reads them.
    let l = app.get(&format!("/api/v1/systems?department_id={}", app.dept_b), "b_consumer").await;
    assert_eq!((l.body["total"].as_i64(), l.body["items"][0]["id"].as_i64()), (Some(1), Some(id)), "{}", l.body);
    assert_eq!(app.get(&format!("/api/v1/systems?department_id={}", app.dept_a), "b_consumer").await.body["total"], 0);
    assert_eq!(app.get(&format!("/api/v1/systems/{id}"), "a_approver").await.body["name"], "社会救助管理系统");
    assert_error(&app.get("/api/v1/systems/abc", "a_approver").await, 400, "invalid_id", Some("id"));
    assert_error(&app.get("/api/v1/systems/99999", "a_approver").await, 404, "not_found", None);
    let renamed = json!({"name": "社会救助管理信息系统", "description": null, "active": true});
    let r = app.json("PUT", &format!("/api/v1/systems/{id}"), "admin", renamed.clone()).await;
    assert_eq!(
        (r.status.as_u16(), &r.body["name"], &r.body["description"]),
        (200, &json!("社会救助管理信息系统"), &Value::Null)
    );
    assert_error(
        &app.json("PUT", &format!("/api/v1/systems/{id}"), "b_approver", renamed).await,
        403,
        "forbidden",
        None,
    );

    // Its accounts: data roles only; the token is shown once and calls as the system.
    let acct = |roles: Value| json!({"username": "mzj_relief", "display_name": "社会救助接口", "roles": roles});
    let r = app.json("POST", &format!("/api/v1/systems/{id}/accounts"), "admin", acct(json!(["approver"]))).await;
    assert_error(&r, 422, "validation_failed", Some("roles"));
    let r = app.json("POST", &format!("/api/v1/systems/{id}/accounts"), "admin", acct(json!(["data_consumer"]))).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let secret = r.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("gs_") && r.body["token"]["prefix"] == secret[..10], "{}", r.body);
    assert_eq!((&r.body["user"]["system_id"], &r.body["user"]["department_id"]), (&json!(id), &json!(app.dept_b)));
    app.tokens.insert("relief", secret);
    let me = app.get("/api/v1/users/me", "relief").await;
    assert_eq!((me.status.as_u16(), &me.body["system_id"], &me.body["has_password"]), (200, &json!(id), &json!(false)));
    assert_eq!(app.get("/api/v1/users/me", "b_consumer").await.body["system_id"], Value::Null);

    // Retired: its token stops working.
    let retire = json!({"name": "社会救助管理信息系统", "description": null, "active": false});
    assert_eq!(app.json("PUT", &format!("/api/v1/systems/{id}"), "admin", retire).await.body["active"], false);
    assert_error(&app.get("/api/v1/users/me", "relief").await, 401, "unauthenticated", None);
}

async fn a_provider_grants_to_one_system(mut app: TestApp) {
    configure(&mut app);
    let ids = ids();
    let (key, code) = population(&app, &ids).await;
    let relief = system(&app, "社会救助管理系统").await;
    let marriage = system(&app, "婚姻登记系统").await;
    let relief_token = account(&app, relief, "mzj_relief").await;
    let marriage_token = account(&app, marriage, "mzj_marriage").await;
    app.tokens.insert("relief", relief_token);
    app.tokens.insert("marriage", marriage_token);
    let app = &app;
    let versions = |who: &'static str| {
        let uri = format!("/api/v1/resources/{key}/versions");
        async move { app.get(&uri, who).await.body["items"][0].clone() }
    };
    assert_eq!(versions("b_consumer").await["row_count"], Value::Null, "no grant: no size");

    let grant = |terms: Value, reason: &str| json!({"resource": code, "consumer_department_id": app.dept_b, "terms": terms, "reason": reason});
    let terms = json!({
        "purpose": purpose(),
        "fields": ["公民身份号码", "姓名", "手机号码"],
        "rows": [{"field": "户籍地行政区划代码", "op": "eq", "value": "350102"}],
        "masks": [{"field": "手机号码", "rule": {"kind": "mobile"}}],
        "methods": ["api"],
        "period": {"from": "2026-03-03", "until": "2026-12-31"},
        "system_ids": [relief]
    });
    assert_error(
        &app.json("POST", "/api/v1/grants", "b_consumer", grant(terms.clone(), REASON)).await,
        403,
        "forbidden",
        None,
    );
    assert_error(
        &app.json("POST", "/api/v1/grants", "coordinator", grant(terms.clone(), REASON)).await,
        403,
        "forbidden",
        None,
    );
    assert_error(
        &app.json("POST", "/api/v1/grants", "a_approver", grant(terms.clone(), "")).await,
        422,
        "validation_failed",
        Some("reason"),
    );
    let mut foreign = terms.clone();
    foreign["system_ids"] = json!([relief, 99999]);
    let r = app.json("POST", "/api/v1/grants", "a_approver", grant(foreign, REASON)).await;
    assert_error(&r, 422, "validation_failed", Some("system_ids[1]"));
    assert_eq!(r.body["error"]["details"][0]["code"], "unknown_system");

    let r = app.json("POST", "/api/v1/grants", "a_approver", grant(terms.clone(), REASON)).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(
        (&r.body["application_id"], &r.body["status"], &r.body["usable"]),
        (&Value::Null, &json!("active"), &json!(true))
    );
    assert_eq!(r.body["terms"]["system_ids"], json!([relief]));
    assert_eq!(r.body["terms"]["user_ids"], json!([]));
    let steps = app.get(&format!("/api/v1/grants/{id}/steps"), "b_consumer").await;
    assert_eq!(
        (&steps.body[0]["action"], &steps.body[0]["reason"]),
        (&json!("issue"), &json!(REASON)),
        "{}",
        steps.body
    );

    // The system reads the rows of 350102, the mobile masked.
    let r = query(app, &key, "relief", json!({"purpose": purpose(), "count": true})).await;
    assert_eq!((r.status.as_u16(), &r.body["total"]), (200, &json!(3)), "{}", r.body);
    let mut names: Vec<&str> = r.body["rows"].as_array().unwrap().iter().map(|x| x["姓名"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["张三", "李四", "赵六"]);
    assert!(r.body["rows"].as_array().unwrap().iter().all(|x| x["手机号码"].as_str().unwrap().contains("****")));
    // Another system of the department and a person of it are refused.
    for (who, caller) in [("marriage", "信息系统“婚姻登记系统”"), ("b_consumer", "用户b_consumer")] {
        let r = query(app, &key, who, json!({"purpose": purpose(), "grant": id})).await;
        assert_error(&r, 403, "access_denied", None);
        assert_eq!(
            r.body["error"]["message"],
            format!("授权{id}只允许指定的信息系统或人员使用，本次调用方（{caller}）不在其中")
        );
    }
    // The auditor sees which system read.
    let a = app.get("/api/v1/audit?action=data.query", "auditor").await;
    let last = a.body["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["detail"]["grant"], &last["detail"]["system"]),
        (&json!(id), &json!({"id": relief, "name": "社会救助管理系统"})),
        "{}",
        a.body
    );

    // The size of the version: the provider and the coordinator see it, the row-limited system does not.
    let v = versions("a_provider").await;
    assert_eq!((&v["row_count"], v["byte_size"].as_i64().is_some_and(|b| b > 0)), (&json!(5), true), "{v}");
    assert_eq!(versions("coordinator").await["row_count"], 5);
    let v = versions("relief").await;
    assert_eq!(
        (&v["version"], &v["row_count"], &v["byte_size"], &v["rejected_rows"]),
        (&json!(1), &Value::Null, &Value::Null, &Value::Null),
        "{v}"
    );
}
