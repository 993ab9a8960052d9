//! The portal's public side in the browser: the apps showcase (hidden until the coordinator
//! approves, a rejected app never shown), applications for 有条件开放 data answered only by the
//! providing department, and the forms' anti-forgery checks.

use axum::http::StatusCode;

use crate::app::{TestApp, both};
use crate::open_api::open_resource;
use crate::web::WebClient;

both!(apps_appear_only_after_approval);
both!(open_requests_are_answered_by_the_provider);

fn app_fields<'a>(name: &'a str, dataset: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("description", "实时查询本市户籍办理网点和出生登记办理指南"),
        ("url", "https://app.example.cn/hj"),
        ("developer", "某某科技有限公司"),
        ("contact", "0591-87654321"),
        ("datasets", dataset),
    ]
}

async fn apps_appear_only_after_approval(app: TestApp) {
    // A 有条件开放 dataset is listed on the portal without review.
    let (code, _) = open_resource(&app, "出生医学证明信息", "conditional").await;
    let mut public = WebClient::new(&app);
    let p = public.get("/apps/new").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains(&format!("value=\"{code}\"")), "dataset offered: {}", p.html);

    // Refused: a dataset that is not open, and bad fields, each named.
    let (hidden, _) = {
        let mut body = crate::app::resource("内部户籍资料", "307001");
        body["open_type"] = serde_json::json!("not_open");
        let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
        (r.body["code"].as_str().unwrap().to_string(), ())
    };
    let p = public.post("/apps", &app_fields("户籍通", &hidden)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("不是开放数据"), "{}", p.html);
    let mut bad = app_fields("户籍通", &code);
    bad[2] = ("url", "javascript:alert(1)");
    bad[4] = ("contact", "微信");
    let p = public.post("/apps", &bad).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("访问地址应以 http:// 或 https:// 开头"), "{}", p.html);
    assert!(p.html.contains("联系方式应为电子邮箱"), "{}", p.html);
    assert!(p.html.contains("value=\"户籍通\""), "input kept");

    // Two apps submitted: hidden until reviewed.
    let p = public.post("/apps", &app_fields("户籍通", &code)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location(), "/apps?submitted=1");
    let p = public.post("/apps", &app_fields("假冒应用", &code)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let listed = public.get("/apps").await;
    assert!(!listed.html.contains("户籍通") && !listed.html.contains("假冒应用"));
    let pending = app.svc.store.list_portal_apps(None, Default::default()).await.unwrap().items;
    let (good, fake) = (pending[0].id, pending[1].id);
    assert_eq!(public.get(&format!("/apps/{good}")).await.status, StatusCode::NOT_FOUND);

    // Only the coordinator reviews.
    let mut approver = WebClient::signed_in(&app, "a_approver").await;
    let p = approver.get("/console/apps").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    approver.get("/console").await;
    let p = approver.post(&format!("/console/apps/{good}/review"), &[("decision", "approve")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    let mut coord = WebClient::signed_in(&app, "coordinator").await;
    let p = coord.get("/console/apps").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("户籍通") && p.html.contains("href=\"/console/apps\""), "menu entry and list");
    // Without the anti-forgery token, nothing happens.
    let p = coord.post(&format!("/console/apps/{good}/review"), &[("decision", "approve"), ("csrf", "forged")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // A rejection needs a reason.
    let p = coord.post(&format!("/console/apps/{fake}/review"), &[("decision", "reject"), ("reason", " ")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("不予通过时必须填写理由"), "{}", p.html);
    let p = coord
        .post(&format!("/console/apps/{fake}/review"), &[("decision", "reject"), ("reason", "应用无法访问")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = coord.post(&format!("/console/apps/{good}/review"), &[("decision", "approve")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/console/apps?done=approved");
    // Decided once.
    let p = coord.post(&format!("/console/apps/{fake}/review"), &[("decision", "approve")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("该应用已审核"));

    let listed = public.get("/apps").await;
    assert!(listed.html.contains("户籍通"), "{}", listed.html);
    assert!(!listed.html.contains("假冒应用"), "a rejected app is never shown");
    assert_eq!(public.get(&format!("/apps/{fake}")).await.status, StatusCode::NOT_FOUND);
    let p = public.get(&format!("/apps/{good}")).await;
    assert_eq!(p.status, StatusCode::OK);
    let href = format!("/datasets/{}", code.replace('/', "%2F"));
    assert!(p.html.contains(&href), "links to its dataset: {}", p.html);
    let events = app.get("/api/v1/audit?action=app.", "auditor").await;
    let text = events.body.to_string();
    assert!(text.contains("app.submit") && text.contains("app.approve") && text.contains("app.reject"), "{text}");
}

async fn open_requests_are_answered_by_the_provider(app: TestApp) {
    let (_, key) = open_resource(&app, "新生儿出生登记信息", "conditional").await;
    let mut public = WebClient::new(&app);
    let p = public.get(&format!("/datasets/{key}/apply")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("仅限科研机构用于统计研究"), "open conditions shown");
    // A dataset that is not 有条件开放 has no application form.
    let (_, other) = open_resource(&app, "户籍网点", "unconditional").await;
    assert_eq!(public.get(&format!("/datasets/{other}/apply")).await.status, StatusCode::NOT_FOUND);

    let today = store::time::cst_date(app.svc.clock.now());
    let to = (today + chrono::Duration::days(90)).to_string();
    let from = today.to_string();
    let mut fields = vec![
        ("applicant", "王研究"),
        ("organisation", "某某大学人口研究所"),
        ("contact", "wang@example.edu.cn"),
        ("purpose", "研究本市出生人口变化趋势，撰写学术论文"),
        ("intended_use", "仅用于统计分析，不对外提供"),
        ("period_from", from.as_str()),
        ("period_to", "明年"),
    ];
    let p = public.post(&format!("/datasets/{key}/apply"), &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("使用期限的结束日期应为日期"), "{}", p.html);
    fields[6] = ("period_to", to.as_str());
    let p = public.post(&format!("/datasets/{key}/apply"), &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let status_url = p.location().to_string();
    assert!(status_url.starts_with("/datasets/apply/status?ref=KF"), "{status_url}");
    let p = public.get(&status_url).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("待答复") && p.html.contains("新生儿出生登记信息"), "{}", p.html);
    let reference = status_url.split("ref=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let p = public.get("/datasets/apply/status?ref=KFNOTAREALCODE").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let request = app.svc.store.open_request_by_reference(&reference).await.unwrap().unwrap();
    assert_eq!(request.department_id, app.dept_a);
    // Late is a pending request past its reply deadline (the deadline's own day is still on time).
    assert!(request.deadline > today);
    assert!(!service::open_requests::is_overdue(&app.svc, &request));
    let late = store::portal_store::OpenRequest { deadline: today - chrono::Duration::days(1), ..request.clone() };
    assert!(service::open_requests::is_overdue(&app.svc, &late));
    let due_today = store::portal_store::OpenRequest { deadline: today, ..request.clone() };
    assert!(!service::open_requests::is_overdue(&app.svc, &due_today));
    let answered = store::portal_store::OpenRequest { status: domain::portal::OpenRequestStatus::Refused, ..late };
    assert!(!service::open_requests::is_overdue(&app.svc, &answered));

    // Another department's approver neither sees nor answers it.
    let mut b = WebClient::signed_in(&app, "b_approver").await;
    let p = b.get("/console/open-requests").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.html.contains(&reference));
    assert_eq!(b.get(&format!("/console/open-requests/{}", request.id)).await.status, StatusCode::FORBIDDEN);
    let p = b.post(&format!("/console/open-requests/{}/answer", request.id), &[("decision", "approve")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // The providing department's approver: a refusal needs a reason; then the answer shows.
    let mut a = WebClient::signed_in(&app, "a_approver").await;
    let p = a.get("/console/open-requests").await;
    assert!(p.html.contains(&reference) && p.html.contains(&request.deadline.to_string()), "{}", p.html);
    assert!(p.html.contains("新生儿出生登记信息"), "each request names its dataset: {}", p.html);
    let p = a.get(&format!("/console/open-requests/{}", request.id)).await;
    assert_eq!(p.status, StatusCode::OK);
    let uri = format!("/console/open-requests/{}/answer", request.id);
    // A form without the session's token is refused.
    let p = a.post(&uri, &[("decision", "refuse"), ("reason", "x"), ("csrf", "")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = a.post(&uri, &[("decision", "refuse"), ("reason", "")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("必须填写理由"));
    let p = a.post(&uri, &[("decision", "refuse"), ("reason", "申请单位不符合开放条件中的科研机构要求")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = public.get(&format!("/datasets/apply/status?ref={reference}")).await;
    assert!(p.html.contains("不予同意") && p.html.contains("不符合开放条件中的科研机构要求"), "{}", p.html);
    let p = a.post(&uri, &[("decision", "approve")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "answered once");
    let events = app.get("/api/v1/audit?action=open_request.", "auditor").await;
    let text = events.body.to_string();
    assert!(text.contains("open_request.submit") && text.contains("open_request.refuse"), "{text}");
}
