//! 政府数据开放 in the browser: the confidentiality review in the console (refused while a flagged
//! column is undecided, refused to another department, to a forged form and to a smuggled
//! column), and the portal (only opened data, removed columns absent and masked ones masked in the
//! preview and the download, hidden entries absent from search and facets, statistics counted).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app::{TestApp, both, resource};
use crate::web::WebClient;

both!(review_open_and_portal);
both!(what_the_portal_does_not_show);
both!(portal_reads_are_limited_per_address);

const CSV: &str = "公民身份号码,姓名,出生日期\n11010519491231002X,张三,1949-12-31\n440524188001010014,李四,1880-01-01\n110101199003071233,王五,1990-03-07\n";

/// A published resource of department A (公安局) with the given open type, and its URL key.
async fn published(app: &TestApp, name: &str, open: &str) -> String {
    let mut body = resource(name, "307001");
    body["share_type"] = json!("unconditional");
    body["share_condition"] = Value::Null;
    body["open_type"] = json!(open);
    if open == "conditional" {
        body["open_condition"] = json!("仅向登记的科研机构开放");
    }
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let key = r.body["code"].as_str().unwrap().replace('/', "%2F");
    app.json("POST", &format!("/api/v1/resources/{key}/submit"), "a_editor", json!({})).await;
    let p = app.json("POST", &format!("/api/v1/resources/{key}/publish"), "a_approver", json!({})).await;
    assert_eq!(p.body["status"], "published", "{}", p.body);
    key
}

async fn with_data(app: &TestApp, key: &str, csv: &str) {
    let r = app
        .upload(&format!("/api/v1/resources/{key}/versions"), "a_provider", &[("file", "p.csv", csv.as_bytes())])
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
}

async fn review_open_and_portal(app: TestApp) {
    let key = published(&app, "开放测试人口信息", "unconditional").await;
    with_data(&app, &key, CSV).await;
    let review = format!("/console/open-reviews/{key}");
    let mut public = WebClient::new(&app);

    // Not opened yet: not on the portal, not in its search or facets.
    assert_eq!(public.get(&format!("/datasets/{key}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(public.get(&format!("/datasets/{key}/download?format=csv")).await.status, StatusCode::NOT_FOUND);
    let list = public.get("/datasets?q=开放测试人口").await;
    assert!(list.html.contains("共 0 个开放数据集"), "{}", list.html);

    // The department's approver sees it in the list and reviews the flagged columns, with the
    // examples masked.
    let mut approver = WebClient::signed_in(&app, "a_approver").await;
    let p = approver.get("/console/open-reviews").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("开放测试人口信息") && p.html.contains("待审查"), "{}", p.html);
    let p = approver.get(&review).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("公民身份号码") && p.html.contains("姓名") && p.html.contains("未决定"));
    assert!(p.html.contains("110105********002X"), "masked example: {}", p.html);
    assert!(!p.html.contains("11010519491231002X"), "no clear value on the review page");

    // Opening is refused while columns are undecided, naming them.
    let p = approver.post(&format!("{review}/open"), &[("version", "1")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("尚未作出审查决定") && p.html.contains("公民身份号码、姓名"), "{}", p.html);

    // Another department's approver can neither see nor decide it.
    let mut other = WebClient::signed_in(&app, "b_approver").await;
    let refused = [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND];
    let p = other.get(&review).await;
    assert!(refused.contains(&p.status), "{}", p.status);
    assert!(!p.html.contains("11010519") && !p.html.contains("公民身份号码"));
    // With a valid anti-forgery token, so that the department rule (not the token check) refuses.
    assert_eq!(other.get("/console").await.status, StatusCode::OK);
    let p =
        other.post(&format!("{review}/decide"), &[("version", "1"), ("column", "姓名"), ("decision", "remove")]).await;
    assert!(refused.contains(&p.status), "{}", p.html);
    assert!(!p.html.contains("请求已被拒绝"), "refused by the department rule: {}", p.html);
    let p = other.post(&format!("{review}/open"), &[("version", "1")]).await;
    assert!(refused.contains(&p.status), "{}", p.html);
    assert!(!p.html.contains("请求已被拒绝"), "refused by the department rule: {}", p.html);
    // A data consumer of the same kind of page: no review role.
    let mut consumer = WebClient::signed_in(&app, "b_consumer").await;
    assert_eq!(consumer.get("/console/open-reviews").await.status, StatusCode::FORBIDDEN);

    // A forged form (no or a wrong anti-forgery token) is refused.
    let p = approver
        .post(
            &format!("{review}/decide"),
            &[("csrf", ""), ("version", "1"), ("column", "姓名"), ("decision", "remove")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = approver
        .post(
            &format!("{review}/decide"),
            &[("csrf", "x"), ("version", "1"), ("column", "姓名"), ("decision", "remove")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // A smuggled column (not flagged) or version is refused with a message.
    let p = approver
        .post(&format!("{review}/decide"), &[("version", "1"), ("column", "出生日期"), ("decision", "remove")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("不是本版本中被标记为疑似个人信息的列"), "{}", p.html);
    let p = approver
        .post(&format!("{review}/decide"), &[("version", "7"), ("column", "姓名"), ("decision", "remove")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("不是最新版本"), "{}", p.html);
    let p = approver
        .post(&format!("{review}/decide"), &[("version", "abc"), ("column", "姓名"), ("decision", "remove")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A sign-off without a reason, and no decision at all, are refused next to the column.
    let p = approver
        .post(
            &format!("{review}/decide"),
            &[("version", "1"), ("column", "姓名"), ("decision", "sign_off"), ("reason", " ")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("须写明审查意见"), "{}", p.html);
    let p = approver.post(&format!("{review}/decide"), &[("version", "1"), ("column", "姓名")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("请选择审查决定"), "{}", p.html);

    // Decide each column: the citizen ID removed, the name masked; then open.
    let p = approver
        .post(&format!("{review}/decide"), &[("version", "1"), ("column", "公民身份号码"), ("decision", "remove")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = approver.post(&format!("{review}/open"), &[("version", "1")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "one column still undecided");
    assert!(p.html.contains("不能开放：姓名"), "{}", p.html);
    let p = approver
        .post(
            &format!("{review}/decide"),
            &[("version", "1"), ("column", "姓名"), ("decision", "mask"), ("rule", "name")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = approver.post(&format!("{review}/open"), &[("version", "1")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert!(approver.get(p.location()).await.html.contains("已向社会开放"));

    // The portal: the dataset page with the preview, the removed column absent, names masked.
    let page = public.get(&format!("/datasets/{key}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("数据预览") && page.html.contains("张*") && page.html.contains("李*"), "{}", page.html);
    assert!(!page.html.contains("张三") && !page.html.contains("11010519491231002X"), "{}", page.html);
    assert!(!page.html.contains("公民身份号码"), "the removed column is not even named");
    assert!(page.html.contains("/open/api/v1/datasets/"), "the API example");
    // The downloads, the same way.
    let csv = public.get(&format!("/datasets/{key}/download?format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let first = csv.html.trim_start_matches('\u{feff}').lines().next().unwrap_or("").to_string();
    assert_eq!(first, "姓名,出生日期", "{}", csv.html);
    assert!(csv.html.contains("张*") && !csv.html.contains("张三") && !csv.html.contains("11010519491231002X"));
    let json = public.get(&format!("/datasets/{key}/download?format=json")).await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json.html.contains("\"姓名\":\"王*\"") && !json.html.contains("公民身份号码"), "{}", json.html);
    let req = axum::http::Request::builder()
        .uri(format!("/datasets/{key}/download?format=xlsx"))
        .body(axum::body::Body::empty())
        .unwrap();
    let xlsx = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let _ = http_body_util::BodyExt::collect(xlsx.into_body()).await.unwrap();
    let bad = public.get(&format!("/datasets/{key}/download?format=exe")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("下载格式无效"));
    // Found by search, with facets.
    let list = public.get("/datasets?q=开放测试人口").await;
    assert!(list.html.contains("共 1 个开放数据集") && list.html.contains("测试市公安局"), "{}", list.html);
    // By the columns the public reads, never by the one the review removed.
    let list = public.get("/datasets?q=出生日期").await;
    assert!(list.html.contains("共 1 个开放数据集"), "{}", list.html);
    let list = public.get("/datasets?q=公民身份号码").await;
    assert!(list.html.contains("共 0 个开放数据集"), "{}", list.html);

    // Statistics: one view, three downloads.
    let stats = service::open::statistics(&app.svc).await.unwrap();
    let code = key.replace("%2F", "/");
    let d = stats.datasets.iter().find(|d| d.code == code).expect("listed");
    assert_eq!((d.usage.views, d.usage.downloads, d.usage.api_calls), (1, 3, 0));
    let page = public.get("/statistics").await;
    assert!(page.html.contains("开放测试人口信息"), "{}", page.html);
    let page = public.get(&format!("/datasets/{key}")).await;
    assert!(
        page.html.contains("<span class=\"tile-value\">2</span><span class=\"tile-label\">浏览次数"),
        "{}",
        page.html
    );
    // Every public read is in the audit log, without an actor.
    let audit = app.get("/api/v1/audit?action=open.download", "auditor").await;
    assert!(audit.body.to_string().contains("open.download"), "{}", audit.body);

    // A new version does not silently become public: the portal keeps serving version 1.
    with_data(&app, &key, "公民身份号码,姓名,出生日期\n110101199003071233,赵六,1990-03-07\n").await;
    let page = public.get(&format!("/datasets/{key}")).await;
    assert!(page.html.contains("张*") && !page.html.contains("赵*"), "{}", page.html);
    let p = approver.get(&review).await;
    assert!(p.html.contains("已开放旧版本") && p.html.contains("未决定"), "{}", p.html);

    // 停止开放: gone from the portal and its search.
    let p = approver.post(&format!("{review}/close"), &[("reason", "")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = approver.post(&format!("{review}/close"), &[("reason", "数据需要重新核对")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(public.get(&format!("/datasets/{key}")).await.status, StatusCode::NOT_FOUND);
    assert!(public.get("/datasets?q=开放测试人口").await.html.contains("共 0 个开放数据集"));
}

async fn what_the_portal_does_not_show(app: TestApp) {
    let not_open = published(&app, "不予开放测试目录", "not_open").await;
    with_data(&app, &not_open, CSV).await;
    let conditional = published(&app, "有条件开放测试目录", "conditional").await;
    let mut public = WebClient::new(&app);
    assert_eq!(public.get(&format!("/datasets/{not_open}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(public.get(&format!("/datasets/{not_open}/download?format=csv")).await.status, StatusCode::NOT_FOUND);
    // A 不予开放 resource cannot be reviewed for opening either.
    let mut approver = WebClient::signed_in(&app, "a_approver").await;
    assert_eq!(approver.get("/console/open-reviews").await.status, StatusCode::OK);
    let p = approver.post(&format!("/console/open-reviews/{not_open}/open"), &[("version", "1")]).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.html);

    // A draft, and a classified entry (涉密, never open), are not listed either.
    let mut draft = resource("开放草稿测试目录", "307001");
    draft["open_type"] = json!("unconditional");
    let r = app.json("POST", "/api/v1/resources", "a_editor", draft).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let draft = r.body["code"].as_str().unwrap().replace('/', "%2F");
    assert_eq!(public.get(&format!("/datasets/{draft}")).await.status, StatusCode::NOT_FOUND);
    let mut secret = resource("涉密开放测试目录", "307001");
    secret["classified"] = json!(true);
    let r = app.json("POST", "/api/v1/resources", "a_editor", secret).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let secret = r.body["code"].as_str().unwrap().replace('/', "%2F");
    app.json("POST", &format!("/api/v1/resources/{secret}/submit"), "a_editor", json!({})).await;
    let p = app.json("POST", &format!("/api/v1/resources/{secret}/publish"), "a_approver", json!({})).await;
    assert_eq!(p.body["status"], "published", "{}", p.body);
    assert_eq!(public.get(&format!("/datasets/{secret}")).await.status, StatusCode::NOT_FOUND);

    // The 有条件开放 entry is listed with its conditions and the link to apply, without data.
    let page = public.get(&format!("/datasets/{conditional}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("仅向登记的科研机构开放") && page.html.contains(&format!("/datasets/{conditional}/apply"))
    );
    assert!(!page.html.contains("数据预览"));
    assert_eq!(public.get(&format!("/datasets/{conditional}/download?format=csv")).await.status, StatusCode::NOT_FOUND);

    // Search and facets count only listed entries: one dataset, of one department, one open type.
    let list = public.get("/datasets").await;
    assert!(list.html.contains("共 1 个开放数据集"), "{}", list.html);
    assert!(
        !list.html.contains("不予开放测试目录")
            && !list.html.contains("涉密开放测试目录")
            && !list.html.contains("开放草稿测试目录")
    );
    let page = service::open::list(&app.svc, Default::default()).await.unwrap();
    assert_eq!(page.total, 1);
    for f in &page.facets {
        let n: u64 = f.values.iter().map(|v| v.count).sum();
        assert!(n <= 1, "facet {:?} counts a hidden entry: {:?}", f.dimension, f.values);
    }
    // Unknown or absurd keys are plain 404s, never a 500.
    assert_eq!(public.get("/datasets/nope").await.status, StatusCode::NOT_FOUND);
    assert_eq!(public.get(&format!("/datasets/{}", "9".repeat(300))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(public.get("/datasets?cursor=abc").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Dataset pages (with their preview) and downloads read data and write audit and usage rows:
/// one client address gets a limited number a minute, then a clear 429 page.
async fn portal_reads_are_limited_per_address(mut app: TestApp) {
    app.svc = app.svc.clone().with_settings(service::Settings { portal_reads_per_minute: 2, ..Default::default() });
    // A fixed clock, so that the minute of the limit does not roll over during the test.
    app.svc.clock = std::sync::Arc::new(service::FixedClock::at(app.svc.clock.now()));
    app.router = server::router(app.svc.clone());
    let key = published(&app, "限流测试人口信息", "unconditional").await;
    with_data(&app, &key, CSV).await;
    let review = format!("/console/open-reviews/{key}");
    let mut approver = WebClient::signed_in(&app, "a_approver").await;
    approver.get(&review).await;
    for column in ["公民身份号码", "姓名"] {
        let p = approver
            .post(&format!("{review}/decide"), &[("version", "1"), ("column", column), ("decision", "remove")])
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    }
    let p = approver.post(&format!("{review}/open"), &[("version", "1")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);

    let mut public = WebClient::new(&app);
    assert_eq!(public.get(&format!("/datasets/{key}")).await.status, StatusCode::OK);
    assert_eq!(public.get(&format!("/datasets/{key}/download?format=csv")).await.status, StatusCode::OK);
    let p = public.get(&format!("/datasets/{key}")).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.html.contains("访问过于频繁"), "{}", p.html);
    assert_eq!(public.get(&format!("/datasets/{key}/download?format=csv")).await.status, StatusCode::TOO_MANY_REQUESTS);
}
