//! 一数一源 through the API: the register of data elements, the overlaps of a draft, the refusal
//! to submit an undecided overlap, the decisions on the entry and the duplicates report.

use serde_json::{Value, json};

use crate::app::{TestApp, both, resource};

both!(register_overlaps_decisions_and_report);

fn citizen_id(dept: i64) -> Value {
    json!({
        "name": "公民身份号码",
        "definition": "公民身份号码（GB 11643），由公安机关在户籍登记时编制",
        "data_type": "C",
        "length": 18,
        "identifier": "citizen_id",
        "synonyms": ["身份证号"],
        "department_id": dept,
        "basis": "《中华人民共和国居民身份证法》"
    })
}

fn names(v: &Value, key: &str) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x[key].as_str().unwrap_or_default().to_string()).collect()
}

async fn register_overlaps_decisions_and_report(app: TestApp) {
    // The register is the coordinator's (or the admin's) to keep.
    let r = app.json("POST", "/api/v1/data-elements", "a_editor", citizen_id(app.dept_a)).await;
    assert_eq!((r.status.as_u16(), r.body["error"]["code"].as_str()), (403, Some("forbidden")), "{}", r.body);
    let r = app.json("POST", "/api/v1/data-elements", "coordinator", citizen_id(app.dept_a)).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(
        (r.body["name_key"].as_str(), r.body["department_name"].as_str(), r.body["version"].as_i64()),
        (Some("公民身份号码"), Some("测试市公安局"), Some(1))
    );
    let id = r.body["id"].as_i64().unwrap();

    // Mistakes, in the error envelope.
    let mut bad = citizen_id(app.dept_a);
    bad["name"] = json!("出生日期");
    bad["definition"] = json!("");
    bad["data_type"] = json!("D");
    bad["identifier"] = Value::Null;
    bad["length"] = Value::Null;
    let r = app.json("POST", "/api/v1/data-elements", "coordinator", bad).await;
    assert_eq!((r.status.as_u16(), r.body["error"]["field"].as_str()), (422, Some("definition")), "{}", r.body);
    let mut bad = citizen_id(app.dept_b);
    bad["name"] = json!("居民身份证号码");
    bad["identifier"] = Value::Null;
    bad["synonyms"] = json!([]);
    let r = app.json("POST", "/api/v1/data-elements", "coordinator", bad).await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.body["error"]["details"][0]["code"], "duplicate_element", "{}", r.body);
    assert_eq!(
        r.body["error"]["message"],
        "“居民身份证号码”与已登记的数据元“公民身份号码”（采集责任部门：测试市公安局）是同一数据；一个数据只能有一个采集责任部门（一数一源），请修订该数据元而不要重复登记"
    );
    let mut bad = citizen_id(app.dept_a);
    bad["data_type"] = json!("Z");
    let r = app.json("POST", "/api/v1/data-elements", "coordinator", bad).await;
    assert_eq!((r.status.as_u16(), r.body["error"]["code"].as_str()), (400, Some("invalid_body")));
    assert_eq!(r.body["error"]["field"], "data_type");
    let r = app.get("/api/v1/data-elements/abc", "b_consumer").await;
    assert_eq!(r.body["error"]["code"], "invalid_id");

    // Every user reads it; revisions are optimistic.
    let r = app.get("/api/v1/data-elements", "b_consumer").await;
    assert_eq!(
        (r.body["total"].as_i64(), names(&r.body["items"], "name")),
        (Some(1), vec!["公民身份号码".to_string()])
    );
    let mut revised = citizen_id(app.dept_a);
    revised["synonyms"] = json!(["身份证号", "身份证明号码"]);
    revised["expected_version"] = json!(1);
    let r = app.json("PUT", &format!("/api/v1/data-elements/{id}"), "coordinator", revised.clone()).await;
    assert_eq!((r.status.as_u16(), r.body["version"].as_i64()), (200, Some(2)), "{}", r.body);
    let r = app.json("PUT", &format!("/api/v1/data-elements/{id}"), "coordinator", revised).await;
    assert_eq!((r.status.as_u16(), r.body["error"]["code"].as_str()), (409, Some("stale_version")));

    // 公安局 is the source: its own entry needs no decision.
    let r = app.json("POST", "/api/v1/resources", "a_editor", resource("常住人口信息", "307001")).await;
    let a_code = r.body["code"].as_str().unwrap().to_string();
    let a_enc = a_code.replace('/', "%2F");
    let r = app.json("POST", &format!("/api/v1/resources/{a_enc}/submit"), "a_editor", json!({})).await;
    assert_eq!(r.body["status"], "submitted", "{}", r.body);
    let r = app.json("POST", &format!("/api/v1/resources/{a_enc}/publish"), "a_approver", json!({})).await;
    assert_eq!(r.body["status"], "published", "{}", r.body);

    // 民政局 checks its draft before collecting anything.
    let draft = resource("低保对象信息", "307002");
    let r = app.json("POST", "/api/v1/resources/overlaps", "b_editor", draft.clone()).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let items = &r.body["items"];
    assert_eq!(names(items, "item"), ["公民身份号码", "姓名", "出生日期"]);
    let needs: Vec<bool> = items.as_array().unwrap().iter().map(|i| i["needs_decision"].as_bool().unwrap()).collect();
    assert_eq!(needs, [true, false, false]);
    assert_eq!(items[0]["basis"], "name");
    assert_eq!(items[0]["element"]["department_name"], "测试市公安局");
    assert_eq!(items[0]["resources"][0]["code"].as_str(), Some(a_code.as_str()));
    assert_eq!(items[0]["resources"][0]["responsible"], true);
    assert_eq!(items[0]["resources"][0]["status"], "published");
    assert_eq!(
        items[0]["advice"],
        format!(
            "信息项“公民身份号码”即数据元“公民身份号码”，采集责任部门为测试市公安局（一数一源，国发〔2016〕51号第五条）。建议向测试市公安局申请共享“常住人口信息”（{a_code}），不再重复采集；如仅作关联标识或确需自行采集，请在采集决定中写明。"
        )
    );
    assert_eq!(r.body["submittable"], false);
    assert_eq!(names(&r.body["problems"], "code"), ["undecided_overlap"]);

    // Submitting without a decision is refused, naming the item and the responsible department.
    let r = app.json("POST", "/api/v1/resources", "b_editor", draft.clone()).await;
    let b_enc = r.body["code"].as_str().unwrap().replace('/', "%2F");
    let r = app.json("POST", &format!("/api/v1/resources/{b_enc}/submit"), "b_editor", json!({})).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(
        (r.body["error"]["code"].as_str(), r.body["error"]["field"].as_str()),
        (Some("validation_failed"), Some("collection_decisions"))
    );
    assert_eq!(
        r.body["error"]["message"],
        "信息项“公民身份号码”即数据元“公民身份号码”，采集责任部门为测试市公安局（一数一源，国发〔2016〕51号第五条）：提交前请在采集决定中选择申请共享、仅作关联标识或自行采集（须写明理由）"
    );
    // Another department does not even learn the draft exists.
    let r = app.get(&format!("/api/v1/resources/{b_enc}/overlaps"), "a_editor").await;
    assert_eq!(r.status.as_u16(), 404);
    let r = app.get(&format!("/api/v1/resources/{b_enc}/overlaps"), "b_editor").await;
    assert_eq!(names(&r.body["items"], "item"), ["公民身份号码", "姓名", "出生日期"]);

    // The decision is part of the entry (Chinese labels accepted), and then it submits.
    let mut decided = draft.clone();
    decided["collection_decisions"] = json!([{"item": "公民身份号码", "choice": "abc"}]);
    let r = app.json("PUT", &format!("/api/v1/resources/{b_enc}"), "b_editor", decided.clone()).await;
    assert_eq!((r.status.as_u16(), r.body["error"]["field"].as_str()), (400, Some("collection_decisions[0].choice")));
    decided["collection_decisions"] = json!([{"item": "公民身份号码", "choice": "自行采集"}]);
    let r = app.json("PUT", &format!("/api/v1/resources/{b_enc}"), "b_editor", decided.clone()).await;
    assert_eq!((r.status.as_u16(), r.body["error"]["field"].as_str()), (422, Some("collection_decisions[0].reason")));
    decided["collection_decisions"] = json!([{"item": "公民身份号码", "choice": "仅作关联标识"}]);
    let r = app.json("PUT", &format!("/api/v1/resources/{b_enc}"), "b_editor", decided).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(
        r.body["collection_decisions"],
        json!([{"item": "公民身份号码", "choice": "reference_only", "source": null, "reason": null}])
    );
    let r = app.json("POST", &format!("/api/v1/resources/{b_enc}/submit"), "b_editor", json!({})).await;
    assert_eq!(r.body["status"], "submitted", "{}", r.body);

    // The coordinator's report.
    let r = app.get("/api/v1/reports/duplicates", "b_editor").await;
    assert_eq!(r.status.as_u16(), 403);
    let r = app.get("/api/v1/reports/duplicates", "coordinator").await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let e = &r.body["elements"][0];
    assert_eq!(
        (e["element"]["name"].as_str(), e["undecided"].as_i64(), e["departments"].as_i64()),
        (Some("公民身份号码"), Some(0), Some(1))
    );
    assert_eq!(e["holdings"][0]["decision"], "reference_only");
    assert_eq!(e["holdings"][0]["provider_name"], "测试市民政局");
    assert_eq!(names(&e["sources"], "code"), std::slice::from_ref(&a_code));
    assert_eq!(names(&r.body["candidates"], "name"), ["出生日期", "姓名"]);

    // Retire: out of the register, still readable; audited.
    let r = app
        .raw(
            "DELETE",
            &format!("/api/v1/data-elements/{id}?reason=%E5%B9%B6%E5%85%A5"),
            Some("coordinator"),
            None,
            vec![],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.body["retired_reason"].as_str()), (200, Some("并入")), "{}", r.body);
    let r = app.raw("DELETE", &format!("/api/v1/data-elements/{id}"), Some("coordinator"), None, vec![]).await;
    assert_eq!((r.status.as_u16(), r.body["error"]["code"].as_str()), (409, Some("conflict")));
    assert_eq!(app.get("/api/v1/data-elements", "b_consumer").await.body["total"], 0);
    assert_eq!(app.get("/api/v1/data-elements?include_retired=true", "b_consumer").await.body["total"], 1);
    let r = app.get("/api/v1/audit?action=data_element", "auditor").await;
    assert_eq!(
        names(&r.body["items"], "action"),
        ["data_element.register", "data_element.revise", "data_element.retire"]
    );
}

#[test]
fn openapi_lists_the_new_routes() {
    let doc: Value = serde_json::from_str(&server::openapi_json()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/data-elements",
        "/api/v1/data-elements/{id}",
        "/api/v1/resources/overlaps",
        "/api/v1/resources/{key}/overlaps",
        "/api/v1/reports/duplicates",
    ] {
        assert!(paths.contains_key(p), "{p} missing from the OpenAPI document");
    }
    let mut methods: Vec<&String> = paths["/api/v1/data-elements/{id}"].as_object().unwrap().keys().collect();
    methods.sort();
    assert_eq!(methods, ["delete", "get", "put"]);
    assert!(doc["components"]["schemas"]["ResourceInput"]["properties"]["collection_decisions"].is_object());
    assert!(doc["components"]["schemas"]["OverlapReportView"].is_object());
}
