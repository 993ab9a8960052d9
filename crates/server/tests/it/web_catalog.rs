//! The console's catalogue and data pages: search with facets, the resource page with its
//! history diff and lifecycle forms, the register form's refusals next to their fields, import,
//! the data provider's freshness list and upload report — and the ways around them that must fail
//! (another department's draft, a form without its token, smuggled fields, someone else's upload).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;

use crate::app::{TestApp, both, resource};
use crate::web::{Page, WebClient};

both!(search_and_resource_page);
both!(form_refusal_then_success);
both!(lifecycle_forms_and_forgeries);
both!(upload_report_and_freshness);
both!(import_checks_before_writing);
both!(collection_decisions_on_the_form);

/// A published entry of department A, revised once (its share condition); returns its code.
async fn published_and_revised(app: &TestApp, name: &str) -> String {
    let r = app.json("POST", "/api/v1/resources", "a_editor", resource(name, "307001")).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let code = r.body["code"].as_str().unwrap().to_string();
    let key = code.replace('/', "%2F");
    app.json("POST", &format!("/api/v1/resources/{key}/submit"), "a_editor", json!({})).await;
    let p = app.json("POST", &format!("/api/v1/resources/{key}/publish"), "a_approver", json!({})).await;
    assert_eq!(p.body["status"], "published", "{}", p.body);
    let mut revised = resource(name, "307001");
    revised["share_condition"] = json!("仅限办理户籍迁移业务使用");
    let u = app.json("PUT", &format!("/api/v1/resources/{key}"), "a_editor", revised).await;
    assert_eq!(u.status.as_u16(), 200, "{}", u.body);
    code
}

fn href(code: &str) -> String {
    format!("/console/catalog/{}", code.replace('/', "%2F"))
}

async fn search_and_resource_page(app: TestApp) {
    let code = published_and_revised(&app, "常住人口登记信息").await;
    // Department B's draft: not for department A's eyes.
    let d = app.json("POST", "/api/v1/resources", "b_editor", resource("低保家庭草稿名录", "307002")).await;
    let draft = d.body["code"].as_str().unwrap().to_string();

    let mut web = WebClient::signed_in(&app, "b_consumer").await;
    let p = web.get("/console/catalog?q=常住人口").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("<mark>"), "highlighted: {}", p.html);
    assert!(p.html.contains(&href(&code)), "result links to the resource page");
    assert!(p.html.contains("共享类型") && p.html.contains("有条件共享"), "facets: {}", p.html);
    // A facet link keeps the query text and adds its filter.
    assert!(p.html.contains("q=%E5%B8%B8%E4%BD%8F%E4%BA%BA%E5%8F%A3&#38;share_type=conditional"), "{}", p.html);
    // Filtering by a facet value keeps working without script (GET links).
    let p = web.get("/console/catalog?q=常住人口&share_type=not_shared").await;
    assert!(!p.html.contains(&href(&code)), "filtered out");
    assert!(p.html.contains("共 0 条"), "{}", p.html);
    // A bad filter value is a message on the page, not an error page.
    let p = web.get("/console/catalog?format=nonsense").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("alert-error"), "{}", p.html);

    // The resource page: every field with the guide's labels, data items, history with the diff.
    let p = web.get(&href(&code)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    for text in ["常住人口登记信息", "有条件共享", "公民身份号码", "字符型", "户政处", "每日", "不予开放", "变更历史"]
    {
        assert!(p.html.contains(text), "{text} on the page");
    }
    assert!(p.html.contains("<td>共享条件</td>"), "diff names the field: {}", p.html);
    assert!(p.html.contains("<del>仅限办理户籍相关业务使用</del>"), "old value");
    assert!(p.html.contains("<ins>仅限办理户籍迁移业务使用</ins>"), "new value");
    // Department B may apply for department A's conditional resource.
    assert!(p.html.contains("/console/applications/new?resource=307001%2F"), "{}", p.html);
    assert!(!p.html.contains("/edit\""), "no edit for another department");

    // Department A does not see B's draft: not in search, not by address.
    let mut a = WebClient::signed_in(&app, "a_editor").await;
    let p = a.get("/console/catalog?status=draft").await;
    assert!(!p.html.contains("低保家庭草稿名录"), "{}", p.html);
    let p = a.get(&href(&draft)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.html);
    let p = a.get(&format!("{}/edit", href(&draft))).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // B's editor sees it among the department's drafts.
    let mut b = WebClient::signed_in(&app, "b_editor").await;
    let p = b.get("/console/catalog?status=draft").await;
    assert!(p.html.contains("低保家庭草稿名录"), "{}", p.html);
}

/// The fields of a register form (a NotShared database resource without its legal basis).
fn form_fields(name: &str) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = vec![
        ("op", "save".into()),
        ("category", "307001".into()),
        ("name", name.into()),
        ("provider_division", "治安管理支队".into()),
        ("summary", "旅馆业住宿登记记录".into()),
        ("format_class", "database".into()),
        ("format_subtype", "oracle".into()),
        ("share_type", "not_shared".into()),
        ("open_type", "not_open".into()),
        ("update_cycle", "daily".into()),
        ("tags", "治安，住宿".into()),
    ];
    for (n, t, l) in [("公民身份号码", "C", "18"), ("入住时间", "T", ""), ("房间号", "C", "abc")] {
        f.push(("item_name", n.into()));
        f.push(("item_type", t.into()));
        f.push(("item_length", l.into()));
        f.push(("item_description", String::new()));
        f.push(("item_identifier", if n == "公民身份号码" { "citizen_id".into() } else { String::new() }));
        f.push(("item_share_type", String::new()));
        f.push(("item_share_condition", String::new()));
        f.push(("item_share_basis", String::new()));
        f.push(("item_open_type", String::new()));
        f.push(("item_open_condition", String::new()));
    }
    f.push(("item_key", "0".into()));
    f
}

fn pairs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn set(f: &mut [(&'static str, String)], key: &str, index: usize, value: &str) {
    let slot = f.iter_mut().filter(|(k, _)| *k == key).nth(index).expect("field");
    slot.1 = value.to_string();
}

async fn form_refusal_then_success(app: TestApp) {
    let mut web = WebClient::signed_in(&app, "a_editor").await;
    let p = web.get("/console/catalog/new").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("name=\"item_name\"") && p.html.contains("增加信息项行"));

    // Refused: the legal basis of 不予共享 is missing and a length is not a number. Each message
    // sits next to its field, the summary lists them, and everything typed is kept.
    let mut f = form_fields("旅馆住宿登记信息");
    let p = web.post("/console/catalog/new", &pairs(&f)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    let basis = p.html.find("id=\"share_basis-error\"").expect("message at share_basis");
    assert!(
        p.html[basis..].starts_with("id=\"share_basis-error\">不予共享的资源必须写明法律"),
        "{}",
        &p.html[basis..basis + 200]
    );
    assert!(p.html.contains("第3行：数据长度“abc”应为正整数"), "{}", p.html);
    assert!(p.html.contains("id=\"form-errors\""), "summary at the top");
    assert!(p.html.contains("value=\"旅馆住宿登记信息\""), "name kept");
    assert!(p.html.contains("value=\"治安管理支队\"") && p.html.contains("value=\"abc\""), "input kept");
    assert!(p.html.contains("<option value=\"not_shared\" selected>"), "choice kept");
    assert!(p.html.contains("name=\"item_key\" value=\"0\" checked"), "ticked box kept");

    // "More rows" re-renders with the rows typed and more blank ones, without a message.
    let mut more = f.clone();
    set(&mut more, "op", 0, "add_rows");
    let p = web.post("/console/catalog/new", &pairs(&more)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.matches("name=\"item_name\"").count() >= 8, "blank rows added");
    assert!(p.html.contains("value=\"入住时间\"") && !p.html.contains("id=\"form-errors\""));

    // Fixed, with a department and provider smuggled in: saved as department A's draft.
    set(&mut f, "item_length", 2, "10");
    f.push(("share_basis", "《中华人民共和国治安管理处罚法》第一百三十一条".into()));
    f.push(("department_id", app.dept_b.to_string()));
    f.push(("provider_name", "测试市民政局".into()));
    let p = web.post("/console/catalog/new", &pairs(&f)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert!(p.location().starts_with("/console/catalog/307001%2F") && p.location().ends_with("?done=created"));
    let page = web.get(p.location()).await;
    assert!(page.html.contains("已登记为草稿"), "notice");
    let key = p.location().trim_start_matches("/console/catalog/").split('?').next().unwrap().to_string();
    let r = app.get(&format!("/api/v1/resources/{key}"), "a_editor").await;
    assert_eq!(r.body["name"], "旅馆住宿登记信息");
    assert_eq!(r.body["department_id"], app.dept_a, "the smuggled department is ignored");
    assert_eq!(r.body["provider_name"], "测试市公安局");
    assert_eq!(r.body["share_type"], "not_shared");
    assert_eq!(r.body["data_items"].as_array().unwrap().len(), 3);
    assert_eq!(r.body["data_items"][0]["is_key"], true);
    assert_eq!(r.body["tags"], json!(["治安", "住宿"]));

    // Revising: the form shows the entry; a stale version is refused on the page.
    let edit = web.get(&format!("/console/catalog/{key}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(
        edit.html.contains("value=\"旅馆住宿登记信息\"") && edit.html.contains("name=\"expected_version\" value=\"1\"")
    );
    let mut f2 = f.clone();
    set(&mut f2, "name", 0, "旅馆业住宿登记信息");
    f2.push(("expected_version", "1".into()));
    let p = web.post(&format!("/console/catalog/{key}/edit"), &pairs(&f2)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = web.post(&format!("/console/catalog/{key}/edit"), &pairs(&f2)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "stale: {}", p.html);
    assert!(p.html.contains("已被他人修改"), "{}", p.html);

    // A consumer may not open the form at all.
    let mut c = WebClient::signed_in(&app, "b_consumer").await;
    let p = c.get("/console/catalog/new").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

async fn lifecycle_forms_and_forgeries(app: TestApp) {
    let r = app.json("POST", "/api/v1/resources", "a_editor", resource("出入境证件信息", "307001")).await;
    let code = r.body["code"].as_str().unwrap().to_string();
    let page = href(&code);
    let mut editor = WebClient::signed_in(&app, "a_editor").await;
    let p = editor.get(&page).await;
    assert!(p.html.contains(&format!("action=\"{page}/submit\"")), "the editor may submit: {}", p.html);
    assert!(!p.html.contains(&format!("action=\"{page}/publish\"")), "but not publish");

    // Without the session's token (or with another's), nothing happens.
    let p = editor.post(&format!("{page}/submit"), &[("csrf", "forged")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = editor.post("/console/catalog/new", &[("csrf", ""), ("name", "伪造")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let r = app.get(&format!("/api/v1/resources/{}", code.replace('/', "%2F")), "a_editor").await;
    assert_eq!(r.body["status"], "draft");

    let p = editor.post(&format!("{page}/submit"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location(), format!("{page}?done=submit"));

    // Another department's approver cannot publish it (it is not even visible to them).
    let mut other = WebClient::signed_in(&app, "b_approver").await;
    other.get("/console").await;
    let p = other.post(&format!("{page}/publish"), &[]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.html);

    // Returning needs a reason: the message sits at the reason box.
    let mut approver = WebClient::signed_in(&app, "a_approver").await;
    let p = approver.get(&page).await;
    assert!(p.html.contains(&format!("action=\"{page}/publish\"")), "the approver may publish");
    let p = approver.post(&format!("{page}/return"), &[("reason", "  ")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("id=\"reason-return-error\">退回时必须说明理由"), "{}", p.html);
    let p = approver.post(&format!("{page}/publish"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = approver.get(p.location()).await;
    assert!(p.html.contains("已登记发布"), "{}", p.html);
    // An action the state does not allow is a message, not a crash.
    let p = approver.post(&format!("{page}/publish"), &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("不能发布"), "{}", p.html);
    let p = approver.post(&format!("{page}/frobnicate"), &[]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

/// Posts a multipart form as the signed-in client (text fields first, then the file).
async fn upload(web: &mut WebClient<'_>, uri: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Page {
    let boundary = "----govsharewebboundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut req = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("host", "localhost")
        .header("origin", "http://localhost");
    if let Some(c) = &web.cookie {
        req = req.header("cookie", format!("gs_session={c}"));
    }
    let res = tower::ServiceExt::oneshot(web.app.router.clone(), req.body(Body::from(body)).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let html = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    Page { status, html, headers }
}

async fn upload_report_and_freshness(mut app: TestApp) {
    // A clock that the test moves on, to make data overdue.
    let clock = std::sync::Arc::new(service::FixedClock::at(chrono::Utc::now()));
    app.svc.clock = clock.clone();
    app.router = server::router(app.svc.clone());
    let key = crate::data::published(&app, "机动车驾驶人信息", "conditional").await;
    let mut web = WebClient::signed_in(&app, "a_provider").await;
    let p = web.get("/console/data").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("机动车驾驶人信息"), "{}", p.html);
    // Daily data never published: overdue only after a day; awaiting data today.
    assert!(p.html.contains("待发布数据") && !p.html.contains("更新逾期"), "{}", p.html);
    let upload_uri = format!("/console/data/{key}/upload");
    assert!(p.html.contains(&upload_uri));

    let form = web.get(&upload_uri).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("data-upload") && form.html.contains("<progress hidden"));
    let csrf = web.csrf.clone().unwrap();
    let csv = "公民身份号码,姓名,出生日期\n11010519491231002X,张三,1949-12-31\n110105194912310021,钱七,1949-12-31\n";

    // Without the token, before any byte of the file: refused.
    let p = upload(&mut web, &upload_uri, &[("mode", "replace")], Some(("d.csv", csv.as_bytes()))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // All or nothing: the bad row (a wrong check digit) stops the publish, and the report says where.
    let p =
        upload(&mut web, &upload_uri, &[("csrf", &csrf), ("mode", "replace")], Some(("d.csv", csv.as_bytes()))).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("未发布"), "{}", p.html);
    assert!(p.html.contains("<td class=\"num\">3</td><td>公民身份号码</td>"), "{}", p.html);
    // Accepting the valid rows publishes version 1 with one row.
    let p = upload(
        &mut web,
        &upload_uri,
        &[("csrf", &csrf), ("mode", "replace"), ("accept_valid", "1"), ("encoding", "auto")],
        Some(("d.csv", csv.as_bytes())),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("已发布第1版，共 1 行"), "{}", p.html);
    assert!(p.html.contains("<td class=\"num\">3</td><td>公民身份号码</td>"), "the rejected row is listed");
    let v = app.get(&format!("/api/v1/resources/{key}/versions"), "a_provider").await;
    assert_eq!(v.body["total"], 1, "{}", v.body);
    // The list now shows the version, fresh.
    let p = web.get("/console/data").await;
    assert!(p.html.contains("第1版") && p.html.contains("按期更新"), "{}", p.html);
    // A bad choice is a message; a file of unknown kind too.
    let p = upload(&mut web, &upload_uri, &[("csrf", &csrf), ("mode", "merge")], Some(("d.csv", csv.as_bytes()))).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("发布方式无效"));
    let p = upload(&mut web, &upload_uri, &[("csrf", &csrf)], Some(("d.doc", b"x"))).await;
    assert!(p.html.contains("无法识别文件"), "{}", p.html);

    // Three days on, a daily resource without data is overdue: highlighted and listed first; the
    // one just updated is fresh again.
    crate::data::published(&app, "交通违法记录信息", "conditional").await;
    clock.set(service::Clock::now(clock.as_ref()) + chrono::Duration::days(3));
    // (The session has expired meanwhile.)
    let mut web = WebClient::signed_in(&app, "a_provider").await;
    web.get("/console").await;
    let csrf = web.csrf.clone().unwrap();
    let p = upload(
        &mut web,
        &upload_uri,
        &[("csrf", &csrf), ("mode", "replace"), ("accept_valid", "1")],
        Some(("d.csv", csv.as_bytes())),
    )
    .await;
    assert!(p.html.contains("已发布第2版"), "{}", p.html);
    let p = web.get("/console/data").await;
    let late = p.html.find("交通违法记录信息").expect("listed");
    let fresh = p.html.find("机动车驾驶人信息").expect("listed");
    assert!(late < fresh, "overdue first");
    assert_eq!(p.html.matches("<tr class=\"row-alert\">").count(), 1, "{}", p.html);
    assert!(p.html.find("<tr class=\"row-alert\">").unwrap() < late);
    assert!(p.html.contains("更新逾期") && p.html.contains("有 1 项资源的数据已超过更新周期"));

    // Someone who does not provide this department's data cannot upload, nor open the page.
    let mut other = WebClient::signed_in(&app, "b_consumer").await;
    other.get("/console").await;
    let p = other.get(&upload_uri).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    let token = other.csrf.clone().unwrap();
    let p = upload(&mut other, &upload_uri, &[("csrf", &token)], Some(("d.csv", csv.as_bytes()))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    let p = other.get("/console/data").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let v = app.get(&format!("/api/v1/resources/{key}/versions"), "a_provider").await;
    assert_eq!(v.body["total"], 2);
}

async fn import_checks_before_writing(app: TestApp) {
    let mut web = WebClient::signed_in(&app, "a_editor").await;
    let p = web.get("/console/catalog/import").await;
    assert_eq!(p.status, StatusCode::OK);
    // The template and the department's export are spreadsheets.
    for uri in ["/console/catalog/template", "/console/catalog/export"] {
        let req = Request::builder().uri(uri).header("cookie", format!("gs_session={}", web.cookie.clone().unwrap()));
        let res = tower::ServiceExt::oneshot(app.router.clone(), req.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        assert!(res.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"), "{uri}");
    }
    let json_file = json!([{"resource": {
        "category": "307001", "name": "枪支管理信息", "provider_name": "", "provider_code": "", "summary": "枪支持有登记",
        "format": {"class": "database", "subtype": "oracle"},
        "data_items": [{"name": "持枪证号", "data_type": "C", "length": 20}],
        "share_type": "conditional", "share_condition": "仅限公安机关", "share_methods": ["api"], "open_type": "not_open", "update_cycle": "monthly"
    }}])
    .to_string();
    let csrf = web.csrf.clone().unwrap();
    let p = upload(
        &mut web,
        "/console/catalog/import",
        &[("csrf", &csrf), ("mode", "dry_run")],
        Some(("c.json", json_file.as_bytes())),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("全部通过检查，尚未写入"), "{}", p.html);
    let r = app.get("/api/v1/resources?q=枪支管理", "a_editor").await;
    assert_eq!(r.body["total"], 0, "a check writes nothing");
    // The confirmation carries the checked file.
    let at = p.html.find("name=\"payload\" value=\"").expect("payload") + "name=\"payload\" value=\"".len();
    let payload = &p.html[at..at + p.html[at..].find('"').unwrap()];
    let p = upload(
        &mut web,
        "/console/catalog/import",
        &[("csrf", &csrf), ("file_name", "c.json"), ("payload", payload), ("mode", "all_or_nothing")],
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("已导入 1 条目录"), "{}", p.html);
    let r = app.get("/api/v1/resources?q=枪支管理", "a_editor").await;
    assert_eq!(r.body["total"], 1);
    // Without the token: refused.
    let p = upload(
        &mut web,
        "/console/catalog/import",
        &[("csrf", "x"), ("mode", "dry_run")],
        Some(("c.json", json_file.as_bytes())),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

async fn collection_decisions_on_the_form(app: TestApp) {
    // 一数一源: department A is responsible for collecting 公民身份号码.
    let e = app
        .json(
            "POST",
            "/api/v1/data-elements",
            "coordinator",
            json!({"name": "公民身份号码", "definition": "公民身份号码（GB 11643）", "data_type": "C", "length": 18,
                   "identifier": "citizen_id", "department_id": app.dept_a, "basis": "《中华人民共和国居民身份证法》"}),
        )
        .await;
    assert_eq!(e.status.as_u16(), 201, "{}", e.body);
    let r = app.json("POST", "/api/v1/resources", "b_editor", resource("低保对象户籍核对信息", "307002")).await;
    let code = r.body["code"].as_str().unwrap().to_string();
    let page = href(&code);
    let mut web = WebClient::signed_in(&app, "b_editor").await;
    // The resource page warns before anyone submits; submitting is refused with the reason.
    let p = web.get(&page).await;
    assert!(p.html.contains("一数一源") && p.html.contains("测试市公安局"), "{}", p.html);
    let p = web.post(&format!("{page}/submit"), &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("采集责任部门为测试市公安局"), "{}", p.html);
    // The edit form asks for the decision on that item.
    let p = web.get(&format!("{page}/edit")).await;
    assert!(p.html.contains("name=\"decision_item\" value=\"公民身份号码\""), "{}", p.html);
    let mut f: Vec<(&str, String)> = vec![
        ("op", "save".into()),
        ("expected_version", "1".into()),
        ("category", "307002".into()),
        ("name", "低保对象户籍核对信息".into()),
        ("provider_division", "户政处".into()),
        ("summary", "低保对象户籍核对信息的摘要".into()),
        ("format_class", "database".into()),
        ("format_subtype", "oracle".into()),
        ("share_type", "conditional".into()),
        ("share_condition", "仅限办理户籍相关业务使用".into()),
        ("share_methods", "api".into()),
        ("share_methods", "online_query".into()),
        ("open_type", "not_open".into()),
        ("update_cycle", "daily".into()),
        ("tags", "户籍".into()),
    ];
    for (n, t, l, id) in [("公民身份号码", "C", "18", "citizen_id"), ("姓名", "C", "50", ""), ("出生日期", "D", "", "")]
    {
        f.extend([
            ("item_name", n.into()),
            ("item_type", t.into()),
            ("item_length", l.into()),
            ("item_identifier", id.into()),
        ]);
    }
    f.push(("item_key", "0".into()));
    // 自行采集 without a reason: the message sits at the decision's reason.
    f.extend([("decision_item", "公民身份号码".into()), ("decision_choice", "collect_own".into())]);
    let p = web.post(&format!("{page}/edit"), &pairs(&f)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    let at = p.html.find("id=\"decision-reason-0\"").expect("reason box");
    assert!(p.html[at..].contains("选择自行采集，请写明理由"), "{}", p.html);
    let last = f.len() - 1;
    f[last].1 = "reference_only".into();
    let p = web.post(&format!("{page}/edit"), &pairs(&f)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let r = app.get(&format!("/api/v1/resources/{}", code.replace('/', "%2F")), "b_editor").await;
    assert_eq!(r.body["collection_decisions"][0]["choice"], "reference_only", "{}", r.body);
    let p = web.post(&format!("{page}/submit"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
}
