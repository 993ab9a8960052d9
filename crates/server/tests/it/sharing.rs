//! Sharing over HTTP with the real router (国发〔2016〕51号 第十二条、第十四条): a consumer
//! department applies, the provider's approver reviews and answers in part, and the consumer reads
//! through the grant — query, CSV download, changes feed, verification — with exactly the fields,
//! rows and masking the grant allows. Then the grant's suspension, resumption and revocation, the
//! refusals (stale revision, missing reason, wrong party, rate limit), agreements and feedback.
//! Every error body is checked against the one envelope `{"error":{"code","message","field"}}`.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use service::{FixedClock, Settings};
use sha2::Digest;

use crate::app::{Resp, TestApp, both, resource};

both!(apply_decide_and_read_through_the_grant);
both!(suspend_resume_revoke_take_effect_on_every_read);
both!(verification_is_rate_limited_per_minute);
both!(agreements_round_trip_and_feedback_reaches_the_provider);
both!(auditors_query_by_grant_resource_department_and_time_and_export);

/// Verification requests a user may make per minute in these tests.
const VERIFY_PER_MINUTE: u32 = 4;

/// A valid 18-character citizen ID from its first 17 characters.
fn cid(first17: &str) -> String {
    let c = domain::identifiers::citizen_id_check_char(first17).expect("check char");
    format!("{first17}{c}")
}

pub(crate) struct Ids {
    pub(crate) zhang: String,
    pub(crate) li: String,
    pub(crate) wang: String,
    pub(crate) zhao: String,
    pub(crate) qian: String,
    pub(crate) sun: String,
}

pub(crate) fn ids() -> Ids {
    Ids {
        zhang: cid("35010219800101001"),
        li: cid("35010219850505002"),
        wang: cid("35010319900303003"),
        zhao: cid("35010219751111004"),
        qian: cid("35010419881212005"),
        sun: cid("35010220000202006"),
    }
}

/// Version 1: 张三, 李四 and 赵六 live in 350102 (the granted region), 王五 and 钱七 elsewhere.
fn v1_csv(i: &Ids) -> String {
    format!(
        "公民身份号码,姓名,户籍地行政区划代码,手机号码\n\
         {},张三,350102,13812345678\n\
         {},李四,350102,13900001111\n\
         {},王五,350103,13700002222\n\
         {},赵六,350102,13600003333\n\
         {},钱七,350104,13500004444\n",
        i.zhang, i.li, i.wang, i.zhao, i.qian
    )
}

/// Version 2: 张三's mobile changes (visible through the mask), 李四 moves out of 350102, 王五
/// moves in, 赵六 becomes 赵七 (the same under the name mask), 孙八 is new.
fn v2_csv(i: &Ids) -> String {
    format!(
        "公民身份号码,姓名,户籍地行政区划代码,手机号码\n\
         {},张三,350102,13812340000\n\
         {},李四,350103,13900001111\n\
         {},王五,350102,13700002222\n\
         {},赵七,350102,13600003333\n\
         {},钱七,350104,13500004444\n\
         {},孙八,350102,13300005555\n",
        i.zhang, i.li, i.wang, i.zhao, i.qian, i.sun
    )
}

/// Every value stored in either version, for the checks that a response carries none of them.
fn stored_values(i: &Ids) -> Vec<String> {
    let mut v: Vec<String> =
        [&i.zhang, &i.li, &i.wang, &i.zhao, &i.qian, &i.sun].iter().map(|s| s.to_string()).collect();
    for s in [
        "张三",
        "李四",
        "王五",
        "赵六",
        "赵七",
        "钱七",
        "孙八",
        "350102",
        "350103",
        "350104",
        "13812345678",
        "13812340000",
        "13900001111",
        "13700002222",
        "13600003333",
        "13500004444",
        "13300005555",
    ] {
        v.push(s.to_string());
    }
    v
}

/// Puts the test app on a fixed clock (Tue 2026-03-03 01:30 in Beijing, so dates and the
/// verification window are deterministic) with a low verification limit; returns the clock.
pub(crate) fn configure(app: &mut TestApp) -> Arc<FixedClock> {
    let clock = Arc::new(FixedClock::at(Utc.with_ymd_and_hms(2026, 3, 2, 17, 30, 0).unwrap()));
    app.svc.clock = clock.clone();
    app.svc = app.svc.clone().with_settings(Settings { verify_per_minute: VERIFY_PER_MINUTE, ..Settings::default() });
    app.router = server::router(app.svc.clone());
    clock
}

/// Asserts the one error envelope: `{"error": {"code", "message", "field"}}` (plus `details` for
/// validation errors), the status, the code, the field, and a Chinese message.
#[track_caller]
pub(crate) fn assert_error(r: &Resp, status: u16, code: &str, field: Option<&str>) {
    assert_eq!(r.status.as_u16(), status, "{}", r.body);
    let top = r.body.as_object().unwrap_or_else(|| panic!("not a JSON object: {}", String::from_utf8_lossy(&r.bytes)));
    assert_eq!(top.keys().collect::<Vec<_>>(), ["error"], "{}", r.body);
    let e = r.body["error"].as_object().unwrap();
    for k in ["code", "message", "field"] {
        assert!(e.contains_key(k), "error.{k} missing: {}", r.body);
    }
    assert!(e.keys().all(|k| ["code", "message", "field", "details"].contains(&k.as_str())), "{}", r.body);
    assert_eq!(e["code"], code, "{}", r.body);
    assert_eq!(e["field"], field.map_or(Value::Null, |f| json!(f)), "{}", r.body);
    let msg = e["message"].as_str().unwrap();
    assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "message should be Chinese: {msg}");
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub(crate) fn purpose() -> Value {
    json!({"kind": "data_verification", "description": "核对低保申请人户籍信息"})
}

/// The purpose as a query parameter, for downloads and the changes feed.
fn purpose_param() -> String {
    enc("data_verification:核对低保申请人户籍信息")
}

fn period() -> Value {
    json!({"from": "2026-03-03", "until": "2026-12-31"})
}

fn granted_terms() -> Value {
    json!({
        "purpose": purpose(),
        "fields": ["公民身份号码", "姓名", "手机号码"],
        "rows": [{"field": "户籍地行政区划代码", "op": "eq", "value": "350102"}],
        "masks": [
            {"field": "姓名", "rule": {"kind": "name"}},
            {"field": "手机号码", "rule": {"kind": "mobile"}}
        ],
        "methods": ["api", "bulk_download", "exchange", "verification"],
        "period": {"from": "2026-03-03", "until": "2026-06-30"}
    })
}

struct Shared {
    /// The resource's code, URL-encoded for paths.
    key: String,
    app_id: i64,
    grant_id: i64,
    ids: Ids,
}

/// A published conditional resource of department A with version 1 of its data; returns the
/// URL key and the code.
pub(crate) async fn population(app: &TestApp, ids: &Ids) -> (String, String) {
    let mut body = resource("常住人口信息", "307001");
    body["data_items"] = json!([
        {"name": "公民身份号码", "data_type": "C", "length": 18, "is_key": true, "identifier": "citizen_id"},
        {"name": "姓名", "data_type": "C", "length": 50},
        {"name": "户籍地行政区划代码", "data_type": "C", "length": 6},
        {"name": "手机号码", "data_type": "C", "length": 11}
    ]);
    body["share_condition"] = json!("仅限民政部门办理低保资格审核时使用");
    body["share_methods"] = json!(["api", "online_query", "bulk_download", "exchange", "verification"]);
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let code = r.body["code"].as_str().unwrap().to_string();
    let key = code.replace('/', "%2F");
    let s = app.json("POST", &format!("/api/v1/resources/{key}/submit"), "a_editor", json!({})).await;
    assert_eq!(s.status.as_u16(), 200, "{}", s.body);
    let p = app.json("POST", &format!("/api/v1/resources/{key}/publish"), "a_approver", json!({})).await;
    assert_eq!(p.body["status"], "published", "{}", p.body);
    let csv = v1_csv(ids);
    let r = app
        .upload(&format!("/api/v1/resources/{key}/versions"), "a_provider", &[("file", "v1.csv", csv.as_bytes())])
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["version"]["row_count"], 5, "{}", r.body);
    (key, code)
}

pub(crate) async fn query(app: &TestApp, key: &str, who: &str, body: Value) -> Resp {
    app.json("POST", &format!("/api/v1/resources/{key}/query"), who, body).await
}

async fn verify(app: &TestApp, key: &str, body: Value) -> Resp {
    app.json("POST", &format!("/api/v1/resources/{key}/verify"), "b_consumer", body).await
}

/// From nothing to a partially approved application and its grant, every step over HTTP with
/// its refusals checked on the way.
async fn granted(app: &TestApp) -> Shared {
    let ids = ids();
    let (key, code) = population(app, &ids).await;

    // Without a grant the consumer reads nothing.
    let r = query(app, &key, "b_consumer", json!({"purpose": purpose()})).await;
    assert_error(&r, 403, "access_denied", None);
    assert_eq!(
        r.body["error"]["message"],
        "该资源为有条件共享，请先通过共享平台向提供部门提出共享申请（国发〔2016〕51号第十二条）"
    );

    // The consumer applies for every item, for the API, downloads, the exchange and verification.
    let application = json!({
        "resource": code,
        "purpose": purpose(),
        "basis": "《社会救助暂行办法》第十一条：低保申请审核",
        "fields": ["公民身份号码", "姓名", "户籍地行政区划代码", "手机号码"],
        "period": period(),
        "methods": ["api", "bulk_download", "exchange", "verification"],
        "contact": {"name": "王敏", "phone": "0591-87654321"}
    });
    // Only a data consumer applies; a catalogue editor of the same department may not.
    let r = app.json("POST", "/api/v1/applications", "b_editor", application.clone()).await;
    assert_error(&r, 403, "forbidden", None);
    let mut incomplete = application.clone();
    incomplete["contact"]["phone"] = json!("abc");
    let r = app.json("POST", "/api/v1/applications", "b_consumer", incomplete).await;
    assert_error(&r, 422, "validation_failed", Some("contact.phone"));
    let r = app.json("POST", "/api/v1/applications", "b_consumer", application).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let app_id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["status_label"], "已提交");
    assert_eq!(r.body["received_on"], "2026-03-03");
    assert_eq!(r.body["reply_due"], "2026-03-17", "ten working days after Tue 2026-03-03");
    assert_eq!(r.body["due_provisional"], false);
    assert_eq!(r.body["overdue"], false);
    assert_eq!(r.body["revision"], 1);
    assert_eq!(r.body["grant_id"], Value::Null);
    assert_eq!(r.body["consumer_department_id"], app.dept_b);
    assert_eq!(r.body["provider_department_id"], app.dept_a);

    // Listed on each side: the consumer's own applications, the provider's incoming ones.
    let l = app.get("/api/v1/applications?side=consumer", "b_consumer").await;
    assert_eq!(l.status.as_u16(), 200, "{}", l.body);
    assert_eq!(l.body["total"], 1, "{}", l.body);
    assert_eq!(l.body["items"][0]["id"], app_id);
    assert_eq!(l.body["items"][0]["status"], "submitted");
    assert_eq!(
        l.body["items"][0]["terms"]["fields"],
        json!(["公民身份号码", "姓名", "户籍地行政区划代码", "手机号码"])
    );
    assert_eq!(app.get("/api/v1/applications?side=provider", "b_consumer").await.body["total"], 0);
    let l = app.get("/api/v1/applications?side=provider", "a_approver").await;
    assert_eq!((l.body["total"].as_i64(), l.body["items"][0]["id"].as_i64()), (Some(1), Some(app_id)), "{}", l.body);
    assert_eq!(app.get("/api/v1/applications?side=consumer", "a_approver").await.body["total"], 0);
    let r = app.get("/api/v1/applications?side=sideways", "b_consumer").await;
    assert_error(&r, 400, "invalid_query", Some("side"));

    // The provider's approver starts the review.
    let r =
        app.json("POST", &format!("/api/v1/applications/{app_id}/review"), "a_approver", json!({"revision": 1})).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["application"]["status"], "under_review");
    assert_eq!(r.body["application"]["revision"], 2);
    assert_eq!(r.body["grant"], Value::Null);

    let decide = |who: &'static str, body: Value| {
        let uri = format!("/api/v1/applications/{app_id}/decision");
        async move { app.json("POST", &uri, who, body).await }
    };
    let partial = |revision: i64| {
        json!({
            "revision": revision,
            "outcome": "approve_partially",
            "terms": granted_terms(),
            "reason": "仅提供鼓楼区户籍人员，姓名和手机号脱敏，不提供户籍地代码"
        })
    };
    // Wrong party: the consumer, and the consumer department's own approver.
    assert_error(&decide("b_consumer", partial(2)).await, 403, "forbidden", None);
    assert_error(&decide("b_approver", partial(2)).await, 403, "forbidden", None);
    // Nor may the provider withdraw the consumer's application.
    let r = app
        .json("POST", &format!("/api/v1/applications/{app_id}/withdraw"), "a_approver", json!({"revision": 2}))
        .await;
    assert_error(&r, 403, "forbidden", None);
    // A stale revision: someone acted since.
    assert_error(&decide("a_approver", partial(1)).await, 409, "stale_version", None);
    // A refusal needs a reason (第十二条).
    let r = decide("a_approver", json!({"revision": 2, "outcome": "refuse", "reason": "  "})).await;
    assert_error(&r, 422, "validation_failed", Some("reason"));
    assert_eq!(r.body["error"]["details"][0]["code"], "reason_required", "{}", r.body);
    let r = decide("a_approver", json!({"revision": 2, "outcome": "refuse", "reason": "否"})).await;
    assert_error(&r, 422, "validation_failed", Some("reason"));
    // So does a partial approval.
    let mut no_reason = partial(2);
    no_reason["reason"] = json!("");
    assert_error(&decide("a_approver", no_reason).await, 422, "validation_failed", Some("reason"));
    // A partial approval only narrows: a period longer than the one asked for is refused.
    let mut wider = partial(2);
    wider["terms"]["period"] = json!({"from": "2026-03-03", "until": "2027-06-30"});
    assert_error(&decide("a_approver", wider).await, 422, "validation_failed", Some("period"));
    // None of that changed the application.
    let g = app.get(&format!("/api/v1/applications/{app_id}"), "b_consumer").await;
    assert_eq!((g.body["status"].as_str(), g.body["revision"].as_i64()), (Some("under_review"), Some(2)), "{}", g.body);

    let r = decide("a_approver", partial(2)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["application"]["status"], "partially_approved");
    assert_eq!(r.body["application"]["revision"], 3);
    let grant = &r.body["grant"];
    let grant_id = grant["id"].as_i64().unwrap();
    assert_eq!(r.body["application"]["grant_id"], grant_id);
    assert_eq!(grant["status"], "active");
    assert_eq!(grant["usable"], true);
    assert_eq!(grant["unusable_reason"], Value::Null);
    assert_eq!(grant["revision"], 1);
    assert_eq!(grant["application_id"], app_id);
    assert_eq!(grant["consumer_department_id"], app.dept_b);
    assert_eq!(grant["terms"]["fields"], granted_terms()["fields"]);
    assert_eq!(grant["terms"]["rows"], granted_terms()["rows"]);
    assert_eq!(grant["terms"]["masks"], granted_terms()["masks"]);
    assert_eq!(grant["terms"]["methods"], granted_terms()["methods"]);
    // Answered: a second answer is a conflict.
    assert_error(&decide("a_approver", partial(3)).await, 409, "conflict", None);
    let steps = app.get(&format!("/api/v1/applications/{app_id}/steps"), "b_consumer").await;
    let steps: Vec<(&str, &str)> = steps
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["action"].as_str().unwrap(), s["party"].as_str().unwrap()))
        .collect();
    assert_eq!(steps, [("submit", "consumer"), ("review", "provider"), ("approve_partially", "provider")]);

    Shared { key, app_id, grant_id, ids }
}

async fn apply_decide_and_read_through_the_grant(mut app: TestApp) {
    configure(&mut app);
    let app = &app;
    let s = granted(app).await;
    let (key, i) = (&s.key, &s.ids);

    // Query: the granted fields in item order, only rows of 350102, names and mobiles masked.
    let r = query(app, key, "b_consumer", json!({"purpose": purpose(), "count": true})).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["columns"], json!(["公民身份号码", "姓名", "手机号码"]));
    assert_eq!(r.body["total"], 3);
    assert_eq!(r.body["next"], Value::Null);
    assert_eq!(
        r.body["rows"],
        json!([
            {"公民身份号码": i.zhao, "姓名": "赵*", "手机号码": "136****3333"},
            {"公民身份号码": i.zhang, "姓名": "张*", "手机号码": "138****5678"},
            {"公民身份号码": i.li, "姓名": "李*", "手机号码": "139****1111"}
        ])
    );
    // Paging stays inside the row scope.
    let r = query(app, key, "b_consumer", json!({"purpose": purpose(), "limit": 2, "fields": ["公民身份号码"]})).await;
    assert_eq!(r.body["rows"], json!([{"公民身份号码": i.zhao}, {"公民身份号码": i.zhang}]), "{}", r.body);
    assert_eq!(r.body["next"], "2");
    let r = query(
        app,
        key,
        "b_consumer",
        json!({"purpose": purpose(), "limit": 2, "cursor": "2", "fields": ["公民身份号码"]}),
    )
    .await;
    assert_eq!(r.body["rows"], json!([{"公民身份号码": i.li}]), "{}", r.body);
    assert_eq!(r.body["next"], Value::Null);
    // Filtering on the key (granted, in clear) works within the scope; 王五 is outside it.
    let r = query(
        app,
        key,
        "b_consumer",
        json!({"purpose": purpose(), "count": true, "filters": [{"field": "公民身份号码", "op": "in", "value": [i.zhang, i.wang]}]}),
    )
    .await;
    assert_eq!(r.body["total"], 1, "{}", r.body);
    assert_eq!(r.body["rows"][0]["公民身份号码"], json!(i.zhang));
    // Aggregates count only the rows in scope; a masked field may be counted, not compared.
    let r = query(
        app,
        key,
        "b_consumer",
        json!({"purpose": purpose(), "aggregates": [{"func": "count"}, {"func": "count", "field": "姓名"}]}),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["columns"], json!(["count", "count_姓名"]));
    assert_eq!(r.body["rows"], json!([{"count": 3, "count_姓名": 3}]));
    // A hidden field (the region) or a masked one (the name) may not be filtered, sorted or
    // grouped on.
    let out_of_scope = "信息项“户籍地行政区划代码”不在您的授权范围内，不能读取、筛选、排序或分组";
    let masked = "信息项“姓名”按授权脱敏显示，只能查看，不能用于筛选、排序、分组或聚合";
    for (body, message) in [
        (json!({"fields": ["户籍地行政区划代码"]}), out_of_scope),
        (
            json!({"filters": [{"field": "户籍地行政区划代码", "op": "eq", "value": "350103"}], "count": true}),
            out_of_scope,
        ),
        (json!({"group_by": ["户籍地行政区划代码"], "aggregates": [{"func": "count"}]}), out_of_scope),
        (json!({"filters": [{"field": "姓名", "op": "prefix", "value": "张"}], "count": true}), masked),
        (json!({"sort": [{"field": "姓名"}]}), masked),
        (json!({"aggregates": [{"func": "min", "field": "姓名"}]}), masked),
    ] {
        let mut body = body;
        body["purpose"] = purpose();
        let r = query(app, key, "b_consumer", body.clone()).await;
        assert_error(&r, 403, "access_denied", None);
        assert_eq!(r.body["error"]["message"], message, "{body}");
    }
    // Another purpose is refused (第十四条).
    let r = query(
        app,
        key,
        "b_consumer",
        json!({"purpose": {"kind": "business_collaboration", "description": "别的事项"}}),
    )
    .await;
    assert_error(&r, 403, "access_denied", None);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("与本次声明的用途"), "{}", r.body);

    // Download as CSV: the same rows and masking, nothing else.
    let r = app
        .get(&format!("/api/v1/resources/{key}/download?format=csv&purpose={}", purpose_param()), "b_consumer")
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", String::from_utf8_lossy(&r.bytes));
    let csv = String::from_utf8(r.bytes.clone()).unwrap();
    // The rows come in an order of their own (the recipient's fingerprint): compare them sorted.
    let mut lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.remove(0), "\u{feff}公民身份号码,姓名,手机号码", "{csv}");
    lines.sort();
    let (zhao, zhang, li) = (
        format!("{},赵*,136****3333", i.zhao),
        format!("{},张*,138****5678", i.zhang),
        format!("{},李*,139****1111", i.li),
    );
    assert_eq!(lines, [zhao.as_str(), zhang.as_str(), li.as_str()], "{csv}");
    assert!(csv.ends_with('\n'));
    // Neither a clear name or mobile nor a row outside the scope (the region column is absent:
    // its codes only occur as the start of the IDs).
    for raw in [
        "张三",
        "李四",
        "赵六",
        "王五",
        "钱七",
        "13812345678",
        "13900001111",
        "13600003333",
        ",350102",
        &i.wang,
        &i.qian,
    ] {
        assert!(!csv.contains(raw), "{raw} leaked into the download: {csv}");
    }
    // A download filtered on a hidden field is refused like a query.
    let filters = enc(r#"[{"field":"户籍地行政区划代码","op":"eq","value":"350103"}]"#);
    let r = app
        .get(
            &format!("/api/v1/resources/{key}/download?format=csv&purpose={}&filters={filters}", purpose_param()),
            "b_consumer",
        )
        .await;
    assert_error(&r, 403, "access_denied", None);
    assert_eq!(r.body["error"]["message"], out_of_scope);

    // A second version, then the changes feed since version 1, inside the scope: 王五 and 孙八
    // entered the region, 李四 left it, 张三's mobile changed; 赵六 → 赵七 is invisible under the
    // name mask, and 钱七 was never in scope.
    let csv = v2_csv(i);
    let r = app
        .upload(&format!("/api/v1/resources/{key}/versions"), "a_provider", &[("file", "v2.csv", csv.as_bytes())])
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["version"]["version"], 2);
    let c =
        app.get(&format!("/api/v1/resources/{key}/changes?since=1&purpose={}", purpose_param()), "b_consumer").await;
    assert_eq!(c.status.as_u16(), 200, "{}", c.body);
    assert_eq!(
        c.body,
        json!({
            "since": 1, "version": 2, "added": 2, "changed": 1, "removed": 1, "next": null,
            "rows": [
                {"_change": "added", "公民身份号码": i.sun, "姓名": "孙*", "手机号码": "133****5555"},
                {"_change": "added", "公民身份号码": i.wang, "姓名": "王*", "手机号码": "137****2222"},
                {"_change": "changed", "公民身份号码": i.zhang, "姓名": "张*", "手机号码": "138****0000"},
                {"_change": "removed", "公民身份号码": i.li, "姓名": "李*", "手机号码": "139****1111"}
            ]
        })
    );
    let c =
        app.get(&format!("/api/v1/resources/{key}/changes?since=2&purpose={}", purpose_param()), "b_consumer").await;
    assert_error(&c, 422, "validation_failed", Some("since"));
    let c = app.get(&format!("/api/v1/resources/{key}/changes?since=1"), "b_consumer").await;
    assert_error(&c, 422, "validation_failed", Some("purpose"));

    // Verification on the latest version: outcomes only, never a stored value. Masked fields
    // can be neither claimed nor used as the key (guessing their hidden part one verification
    // at a time would undo the mask); the unmasked key can be checked for existence.
    let stored = stored_values(i);
    let no_value = |r: &Resp| {
        let text = String::from_utf8_lossy(&r.bytes);
        for v in &stored {
            assert!(!text.contains(v.as_str()), "verification answered with the stored value {v}: {text}");
        }
    };
    let r = verify(
        app,
        key,
        json!({"purpose": purpose(), "key": {"公民身份号码": i.zhang}, "claims": {"姓名": "张三", "手机号码": "13812345678"}}),
    )
    .await;
    assert_error(&r, 403, "access_denied", None);
    assert_eq!(r.body["error"]["message"], "信息项“姓名”按授权脱敏显示，只能查看，不能用于筛选、排序、分组或聚合");
    no_value(&r);
    let r = verify(
        app,
        key,
        json!({"purpose": purpose(), "key": {"公民身份号码": i.zhang}, "claims": {"公民身份号码": i.zhang}}),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body, json!({"version": 2, "found": true, "fields": {"公民身份号码": "match"}}));
    // 李四 now lives outside the granted region: no record, whatever is claimed.
    let r = verify(
        app,
        key,
        json!({"purpose": purpose(), "key": {"公民身份号码": i.li}, "claims": {"公民身份号码": i.li}}),
    )
    .await;
    assert_eq!(r.body, json!({"version": 2, "found": false, "fields": {"公民身份号码": "no_record"}}), "{}", r.body);
    no_value(&r);
    // A field outside the grant cannot be verified either.
    let r = verify(
        app,
        key,
        json!({"purpose": purpose(), "key": {"公民身份号码": i.wang}, "claims": {"户籍地行政区划代码": "350102"}}),
    )
    .await;
    assert_error(&r, 403, "access_denied", None);
    assert_eq!(r.body["error"]["message"], out_of_scope);
    no_value(&r);

    // Every read named the grant in the audit trail, with the masking rules applied.
    let a = app.get("/api/v1/audit?action=data.&limit=500", "auditor").await;
    let events = a.body["items"].as_array().unwrap();
    for action in ["data.query", "data.download", "data.changes", "data.verify"] {
        let e = events
            .iter()
            .find(|e| e["action"] == action && e["username"] == "b_consumer")
            .unwrap_or_else(|| panic!("{action} not audited"));
        assert_eq!(e["detail"]["grant"], s.grant_id, "{action}: {e}");
        assert_eq!(e["detail"]["basis"], "grant", "{action}: {e}");
        assert_eq!(
            e["detail"]["masks"],
            json!([{"field": "姓名", "rule": "name"}, {"field": "手机号码", "rule": "mobile"}]),
            "{action}: {e}"
        );
    }
    assert!(events.iter().any(|e| e["action"] == "data.read_denied" && e["username"] == "b_consumer"));
    // The application view still says what was decided.
    let g = app.get(&format!("/api/v1/applications/{}", s.app_id), "a_approver").await;
    assert_eq!(g.body["decision"]["outcome"], "approve_partially", "{}", g.body);
}

async fn suspend_resume_revoke_take_effect_on_every_read(mut app: TestApp) {
    let clock = configure(&mut app);
    let app = &app;
    let s = granted(app).await;
    let (key, gid) = (&s.key, s.grant_id);
    let change = |who: &'static str, action: &'static str, body: Value| {
        let uri = format!("/api/v1/grants/{gid}/{action}");
        async move { app.json("POST", &uri, who, body).await }
    };
    let rows = |r: &Resp| r.body["rows"].as_array().map_or(0, Vec::len);
    let read_all = || async {
        let q = query(app, key, "b_consumer", json!({"purpose": purpose()})).await;
        let d = app
            .get(&format!("/api/v1/resources/{key}/download?format=ndjson&purpose={}", purpose_param()), "b_consumer")
            .await;
        let v = verify(
            app,
            key,
            json!({"purpose": purpose(), "key": {"公民身份号码": s.ids.zhang}, "claims": {"公民身份号码": s.ids.zhang}}),
        )
        .await;
        (q, d, v)
    };
    let (q, d, v) = read_all().await;
    assert_eq!(rows(&q), 3, "{}", q.body);
    assert_eq!(String::from_utf8_lossy(&d.bytes).lines().count(), 3);
    assert_eq!(v.body["fields"]["公民身份号码"], "match", "{}", v.body);

    // Only the provider's approver (or the coordinator) manages the grant.
    assert_error(
        &change("b_consumer", "suspend", json!({"revision": 1, "reason": "核查使用情况"})).await,
        403,
        "forbidden",
        None,
    );
    assert_error(
        &change("b_approver", "suspend", json!({"revision": 1, "reason": "核查使用情况"})).await,
        403,
        "forbidden",
        None,
    );
    // Suspension needs a reason; a stale revision is refused.
    assert_error(
        &change("a_approver", "suspend", json!({"revision": 1})).await,
        422,
        "validation_failed",
        Some("reason"),
    );
    assert_error(
        &change("a_approver", "suspend", json!({"revision": 0, "reason": "核查使用情况"})).await,
        409,
        "stale_version",
        None,
    );
    let r = change("a_approver", "suspend", json!({"revision": 1, "reason": "核查使用情况"})).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body["status"], "suspended");
    assert_eq!(r.body["usable"], false);
    assert_eq!(r.body["unusable_reason"], "授权已暂停，暂停期间不能使用");
    assert_eq!(r.body["revision"], 2);

    // Suspended: every read is refused at once, with the reason.
    let suspended = format!("授权{gid}不能使用：授权已暂停，暂停期间不能使用");
    let (q, d, v) = read_all().await;
    for r in [&q, &d, &v] {
        assert_error(r, 403, "access_denied", None);
        assert_eq!(r.body["error"]["message"], suspended.as_str());
    }
    let c =
        app.get(&format!("/api/v1/resources/{key}/changes?since=1&purpose={}", purpose_param()), "b_consumer").await;
    // Only one version: the feed would refuse `since` anyway, but the grant is checked first.
    assert_error(&c, 403, "access_denied", None);
    assert_eq!(c.body["error"]["message"], suspended.as_str());

    // Resumed: reads work again.
    let r = change("a_approver", "resume", json!({"revision": 2})).await;
    assert_eq!((r.body["status"].as_str(), r.body["revision"].as_i64()), (Some("active"), Some(3)), "{}", r.body);
    let (q, _, v) = read_all().await;
    assert_eq!(rows(&q), 3, "{}", q.body);
    assert_eq!(v.body["fields"]["公民身份号码"], "match", "{}", v.body);
    // Resuming an active grant is a conflict.
    assert_error(&change("a_approver", "resume", json!({"revision": 3})).await, 409, "conflict", None);

    // Revoked: refused for good, and it cannot be resumed.
    assert_error(
        &change("a_approver", "revoke", json!({"revision": 3, "reason": " "})).await,
        422,
        "validation_failed",
        Some("reason"),
    );
    let r = change("a_approver", "revoke", json!({"revision": 3, "reason": "超出授权用途使用数据"})).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["unusable_reason"].as_str()), (Some("revoked"), Some("授权已撤销")));
    let revoked = format!("授权{gid}不能使用：授权已撤销");
    // Three verifications so far this minute; a fresh one keeps the rate limit out of what follows.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 17, 31, 0).unwrap());
    let (q, d, v) = read_all().await;
    for r in [&q, &d, &v] {
        assert_error(r, 403, "access_denied", None);
        assert_eq!(r.body["error"]["message"], revoked.as_str());
    }
    assert_error(&change("a_approver", "resume", json!({"revision": 4})).await, 409, "conflict", None);
    let steps = app.get(&format!("/api/v1/grants/{gid}/steps"), "b_consumer").await;
    let steps: Vec<(&str, Option<&str>)> =
        steps.body.as_array().unwrap().iter().map(|s| (s["action"].as_str().unwrap(), s["reason"].as_str())).collect();
    assert_eq!(
        steps,
        [
            // The issue step carries the decision's reason.
            ("issue", Some("仅提供鼓楼区户籍人员，姓名和手机号脱敏，不提供户籍地代码")),
            ("suspend", Some("核查使用情况")),
            ("resume", None),
            ("revoke", Some("超出授权用途使用数据"))
        ]
    );
    let g = app.get("/api/v1/grants?side=consumer&status=revoked", "b_consumer").await;
    assert_eq!((g.body["total"].as_i64(), g.body["items"][0]["id"].as_i64()), (Some(1), Some(gid)), "{}", g.body);
}

async fn verification_is_rate_limited_per_minute(mut app: TestApp) {
    let clock = configure(&mut app);
    let app = &app;
    let s = granted(app).await;
    let body =
        json!({"purpose": purpose(), "key": {"公民身份号码": s.ids.zhao}, "claims": {"公民身份号码": s.ids.zhao}});
    for n in 0..VERIFY_PER_MINUTE {
        let r = verify(app, &s.key, body.clone()).await;
        assert_eq!(r.status.as_u16(), 200, "verification {n}: {}", r.body);
        assert_eq!(r.body["fields"]["公民身份号码"], "match");
    }
    let r = verify(app, &s.key, body.clone()).await;
    assert_error(&r, 429, "rate_limited", None);
    assert_eq!(
        r.body["error"]["message"],
        format!("核验请求过于频繁：每人每分钟最多{VERIFY_PER_MINUTE}次，请稍后再试")
    );
    // The limit is per user: nobody else of the department is affected (their refusal is for
    // lack of a role, not the rate).
    let other = app.json("POST", &format!("/api/v1/resources/{}/verify", s.key), "b_editor", body.clone()).await;
    assert_error(&other, 403, "forbidden", None);
    // The next minute starts a new window.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 17, 31, 0).unwrap());
    let r = verify(app, &s.key, body).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
}

/// A multipart part: the field name, the file name and content type for a file, the bytes.
type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a [u8]);

async fn agreements_round_trip_and_feedback_reaches_the_provider(mut app: TestApp) {
    configure(&mut app);
    let app = &app;
    let s = granted(app).await;
    let gid = s.grant_id;
    let doc: Vec<u8> =
        [b"%PDF-1.4\n".as_slice(), "户籍信息共享安全保密协议正文\n".as_bytes(), &[0u8, 255, 1, 2]].concat();
    let boundary = "----govsharesharingboundary";
    let multipart = |parts: &[Part<'_>]| {
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            let disposition = match file {
                Some((file_name, ctype)) => format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {ctype}\r\n"
                ),
                None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
            };
            body.extend_from_slice(format!("--{boundary}\r\n{disposition}\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        body
    };
    let post = |who: &'static str, body: Vec<u8>| {
        let uri = format!("/api/v1/grants/{gid}/agreements");
        let ct = format!("multipart/form-data; boundary={boundary}");
        async move { app.raw("POST", &uri, Some(who), Some(&ct), body).await }
    };
    let title = "户籍信息共享安全保密协议".as_bytes();
    let good = multipart(&[
        ("kind", None, b"confidentiality"),
        ("title", None, title),
        ("file", Some(("agreement-2026.pdf", "application/pdf")), &doc),
    ]);
    // Only the departments' approvers (or the coordinator) file agreements.
    assert_error(&post("b_consumer", good.clone()).await, 403, "forbidden", None);
    let r = post(
        "b_approver",
        multipart(&[
            ("kind", None, b"contract"),
            ("title", None, title),
            ("file", Some(("a.pdf", "application/pdf")), &doc),
        ]),
    )
    .await;
    assert_error(&r, 422, "validation_failed", Some("kind"));
    let r = post("b_approver", multipart(&[("kind", None, b"confidentiality"), ("title", None, title)])).await;
    assert_error(&r, 400, "invalid_multipart", Some("file"));
    let r = post("b_approver", good).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let agreement = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["grant_id"], gid);
    assert_eq!(r.body["kind"], "confidentiality");
    assert_eq!(r.body["title"], "户籍信息共享安全保密协议");
    assert_eq!(r.body["file_name"], "agreement-2026.pdf");
    assert_eq!(r.body["content_type"], "application/pdf");
    assert_eq!(r.body["byte_size"], doc.len());
    assert_eq!(r.body["sha256"], hex::encode(sha2::Sha256::digest(&doc)));
    let l = app.get(&format!("/api/v1/grants/{gid}/agreements"), "a_approver").await;
    assert_eq!(
        l.body.as_array().map(|a| a.iter().map(|x| x["id"].as_i64()).collect::<Vec<_>>()),
        Some(vec![Some(agreement)])
    );
    // The document comes back byte for byte, to either department.
    for who in ["a_approver", "b_consumer"] {
        let d = app.get(&format!("/api/v1/agreements/{agreement}/document"), who).await;
        assert_eq!(d.status.as_u16(), 200, "{}", String::from_utf8_lossy(&d.bytes));
        assert_eq!(d.bytes, doc);
        assert_eq!(d.headers["content-type"], "application/pdf");
        assert_eq!(
            d.headers["content-disposition"],
            format!("attachment; filename=\"agreement-{agreement}\"; filename*=UTF-8''agreement-2026.pdf").as_str()
        );
    }
    // A user of neither department (the platform's admin) does not see it.
    assert_error(&app.get(&format!("/api/v1/agreements/{agreement}/document"), "admin").await, 404, "not_found", None);
    assert_error(&app.get("/api/v1/agreements/99999/document", "a_approver").await, 404, "not_found", None);

    // Feedback: the consumer department reports, the provider reads it.
    let fb = |who: &'static str, body: Value| {
        let uri = format!("/api/v1/grants/{gid}/feedback");
        async move { app.json("POST", &uri, who, body).await }
    };
    assert_error(
        &fb("b_consumer", json!({"rating": 6, "effect": "低保审核时间明显缩短"})).await,
        422,
        "validation_failed",
        Some("rating"),
    );
    assert_error(
        &fb("b_consumer", json!({"rating": 5, "effect": "好"})).await,
        422,
        "validation_failed",
        Some("effect"),
    );
    assert_error(
        &fb("a_approver", json!({"rating": 5, "effect": "提供方不能替使用方反馈"})).await,
        403,
        "forbidden",
        None,
    );
    let r = fb("b_consumer", json!({"rating": 5, "effect": "低保审核时间由5天缩短到1天"})).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["grant_id"], gid);
    assert_eq!(r.body["department_id"], app.dept_b);
    assert_eq!(r.body["rating"], 5);
    assert_eq!(r.body["effect"], "低保审核时间由5天缩短到1天");
    for who in ["a_approver", "b_consumer"] {
        let l = app.get(&format!("/api/v1/resources/{}/feedback", s.key), who).await;
        assert_eq!(l.status.as_u16(), 200, "{}", l.body);
        let got: Vec<(i64, &str)> = l
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["rating"].as_i64().unwrap(), f["effect"].as_str().unwrap()))
            .collect();
        assert_eq!(got, [(5, "低保审核时间由5天缩短到1天")], "{who}");
    }
    // A request body with an unknown field is a 400 naming it.
    let r = fb("b_consumer", json!({"rating": 5, "effect": "低保审核时间由5天缩短到1天", "stars": 5})).await;
    assert_error(&r, 400, "invalid_body", Some("stars"));
}

async fn auditors_query_by_grant_resource_department_and_time_and_export(mut app: TestApp) {
    let clock = configure(&mut app);
    let app = &app;
    let s = granted(app).await;
    // A read through the grant, an hour later; and a refused request (an editor may not verify).
    clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 18, 30, 0).unwrap());
    let q = query(app, &s.key, "b_consumer", json!({"purpose": purpose()})).await;
    assert_eq!(q.status.as_u16(), 200, "{}", q.body);
    let body =
        json!({"purpose": purpose(), "key": {"公民身份号码": s.ids.zhang}, "claims": {"公民身份号码": s.ids.zhang}});
    let r = app.json("POST", &format!("/api/v1/resources/{}/verify", s.key), "b_editor", body).await;
    assert_error(&r, 403, "forbidden", None);

    let list = |query: String| async move {
        let r = app.get(&format!("/api/v1/audit?limit=500&{query}"), "auditor").await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.body);
        r.body["items"].as_array().unwrap().clone()
    };
    let actions = |items: &[Value]| items.iter().map(|e| e["action"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    // By grant: its issue and every read made through it.
    let by_grant = list(format!("grant={}", s.grant_id)).await;
    let a = actions(&by_grant);
    assert!(a.contains(&"grant.issue".to_string()) && a.contains(&"data.query".to_string()), "{a:?}");
    assert!(
        by_grant
            .iter()
            .all(|e| e["object_id"] == json!(s.grant_id.to_string()) || e["detail"]["grant"] == json!(s.grant_id))
    );
    // By resource: the reads on it and the application that names it.
    let code = percent_decode(&s.key);
    assert!(code.contains('/'), "{code}");
    let a = actions(&list(format!("resource={}", s.key)).await);
    assert!(a.contains(&"data.query".to_string()) && a.contains(&"application.submit".to_string()), "{a:?}");
    assert!(!a.iter().any(|x| x.starts_with("auth.")), "{a:?}");
    // By time: only what happened from 18:30 on (the read, the refusal and the token uses).
    let later = list("from=2026-03-02T18:30:00Z".into()).await;
    assert!(later.iter().all(|e| e["at"].as_str().unwrap() >= "2026-03-02T18:30:00"), "{later:?}");
    let a = actions(&later);
    assert!(a.contains(&"data.query".to_string()) && a.contains(&"http.refused".to_string()), "{a:?}");
    assert!(!a.contains(&"grant.issue".to_string()));
    let earlier = list("until=2026-03-02T18:30:00Z".into()).await;
    assert!(earlier.iter().all(|e| e["at"].as_str().unwrap() < "2026-03-02T18:30:00"), "{earlier:?}");
    assert!(actions(&earlier).contains(&"grant.issue".to_string()));
    assert_eq!(earlier.len() + later.len(), list(String::new()).await.len());
    // The refusal names who, what and where.
    let refused = later.iter().find(|e| e["action"] == "http.refused").unwrap();
    assert_eq!(refused["username"], "b_editor");
    assert_eq!(refused["detail"]["status"], 403);
    assert_eq!(refused["detail"]["path"], format!("/api/v1/resources/{}/verify", s.key));
    // By department: department B's events are B's users' only.
    let b_dept = refused["department_id"].as_i64().unwrap();
    let by_dept = list(format!("department_id={b_dept}")).await;
    assert!(!by_dept.is_empty() && by_dept.iter().all(|e| e["department_id"] == json!(b_dept)));

    // Export: the same selection as CSV and NDJSON; not for anyone but auditors.
    let csv = app.get(&format!("/api/v1/audit/export?format=csv&grant={}", s.grant_id), "auditor").await;
    assert_eq!(csv.status.as_u16(), 200);
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next(), Some("id,at,user_id,username,department_id,action,object_type,object_id,detail"));
    assert_eq!(lines.count(), by_grant.len());
    let nd = app.get(&format!("/api/v1/audit/export?format=ndjson&grant={}", s.grant_id), "auditor").await;
    let ids: Vec<i64> = String::from_utf8_lossy(&nd.bytes)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, by_grant.iter().map(|e| e["id"].as_i64().unwrap()).collect::<Vec<_>>());
    assert_error(&app.get("/api/v1/audit/export?format=xml", "auditor").await, 400, "invalid_format", Some("format"));
    assert_error(&app.get("/api/v1/audit/export", "b_consumer").await, 403, "forbidden", None);
    // The export itself is audited.
    let a = actions(&list("action=audit.export".into()).await);
    assert_eq!(a.len(), 2, "{a:?}");
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("p={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}
