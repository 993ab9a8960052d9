//! The console's sharing pages end to end (国发〔2016〕51号 第十二条、第十四条): a consumer applies
//! in the browser, the provider's approver finds it in the inbox with the working days left, a
//! refusal without a reason is refused next to the field, the approval issues a grant, and the
//! consumer reads and downloads the data on /console/read. Then what must not work: another
//! department's application page, deciding one's own application, a form without the anti-forgery
//! token, a field smuggled into a decision, a read without a grant. Auditors see the log and its
//! verification; the coordinator's dashboard draws SVG charts.

use axum::http::StatusCode;
use domain::account::{Actor, Role};
use domain::org::DepartmentSpec;
use service::accounts::{self, UserInput};

use crate::app::{TestApp, both, credit_code, org_code};
use crate::web::{WebClient, set_password};

both!(apply_answer_and_read_in_the_console);
both!(what_the_sharing_pages_refuse);
both!(audit_log_and_dashboard);

const PURPOSE: &str = "核对低保申请人户籍信息";

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The application form as a consumer fills it in.
fn application_form(code: &str) -> Vec<(&'static str, String)> {
    vec![
        ("resource", code.to_string()),
        ("fields", "公民身份号码".into()),
        ("fields", "姓名".into()),
        ("fields", "户籍地行政区划代码".into()),
        ("row_field", "".into()),
        ("row_op", "eq".into()),
        ("row_value", "".into()),
        ("purpose_kind", "data_verification".into()),
        ("purpose", PURPOSE.into()),
        ("basis", "《社会救助暂行办法》第十一条：低保申请审核".into()),
        ("period_from", "2026-03-03".into()),
        ("period_until", "2026-12-31".into()),
        ("methods", "api".into()),
        ("methods", "bulk_download".into()),
        ("methods", "verification".into()),
        ("contact_name", "王敏".into()),
        ("contact_phone", "0591-87654321".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The application's id from the redirect after filing it.
fn app_id(location: &str) -> i64 {
    let rest = location.strip_prefix("/console/applications/").unwrap_or_else(|| panic!("redirect: {location}"));
    rest.split('?').next().unwrap().parse().unwrap()
}

/// A published resource of department A with data; b_consumer files an application for it in
/// the console. Returns (URL key, code, application id).
async fn filed(app: &TestApp) -> (String, String, i64) {
    let (key, code) = crate::sharing::population(app, &crate::sharing::ids()).await;
    let mut web = WebClient::signed_in(app, "b_consumer").await;
    let p = web.get(&format!("/console/applications/new?resource={}", enc(&code))).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("申请共享：常住人口信息"), "{}", p.html);
    assert!(p.html.contains(r#"name="fields" value="手机号码""#), "{}", p.html);
    let p = web.post("/console/applications", &pairs(&application_form(&code))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let id = app_id(p.location());
    let p = web.get(p.location()).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("共享申请已提交"), "{}", p.html);
    assert!(p.html.contains("已提交") && p.html.contains("2026-03-17"), "{}", p.html);
    (key, code, id)
}

async fn apply_answer_and_read_in_the_console(mut app: TestApp) {
    crate::sharing::configure(&mut app);
    let app = &app;
    let (key, _, id) = filed(app).await;

    // The consumer's list shows it with its status.
    let mut consumer = WebClient::signed_in(app, "b_consumer").await;
    let p = consumer.get("/console/applications").await;
    assert!(p.html.contains(&format!("/console/applications/{id}")) && p.html.contains("已提交"), "{}", p.html);

    // The provider's approver finds it in the inbox with the working days left (Tue 2026-03-03
    // → Tue 2026-03-17: ten working days).
    let mut approver = WebClient::signed_in(app, "a_approver").await;
    let p = approver.get("/console/inbox").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("常住人口信息") && p.html.contains("剩余10个工作日"), "{}", p.html);
    assert!(p.html.contains("测试市民政局"), "{}", p.html);

    // A refusal without a reason is refused, with the message next to the field (第十二条).
    let p = approver.get(&format!("/console/applications/{id}")).await;
    assert!(p.html.contains("答复申请"), "{}", p.html);
    let p = approver
        .post(
            &format!("/console/applications/{id}/decision"),
            &[("revision", "1"), ("outcome", "refuse"), ("reason", " ")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(
        p.html.contains(r#"<p class="field-error" id="reason-error">不予共享的，提供部门应说明理由"#),
        "{}",
        p.html
    );
    assert!(p.html.contains(r#"value="refuse" checked"#), "the choice is kept: {}", p.html);

    // Approved as asked: a grant is issued.
    let p = approver
        .post(&format!("/console/applications/{id}/decision"), &[("revision", "1"), ("outcome", "approve")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = approver.get(p.location()).await;
    assert!(p.html.contains("答复已提交") && p.html.contains("已同意"), "{}", p.html);
    assert!(p.html.contains("/console/grants/"), "{}", p.html);
    assert!(!p.html.contains("答复申请</h2>"), "no decision form once answered: {}", p.html);

    // The consumer's grants list it, and the read page shows the rows.
    let p = consumer.get("/console/grants").await;
    assert!(p.html.contains("生效中") && p.html.contains("读取数据"), "{}", p.html);
    assert!(p.html.contains("常住人口信息"), "each grant names its resource: {}", p.html);
    let p = consumer.get(&format!("/console/read/{key}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("说明用途") && !p.html.contains("张三"), "nothing read before a purpose: {}", p.html);
    let read = format!("/console/read/{key}?purpose_kind=data_verification&purpose={}&grant=", enc(PURPOSE));
    let p = consumer.get(&read).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("张三") && p.html.contains("公民身份号码"), "{}", p.html);
    assert!(!p.html.contains("13812345678"), "only the fields granted: {}", p.html);
    assert!(p.html.contains("下载 CSV"), "{}", p.html);
    // A purpose too short to say anything is refused next to the field.
    let p = consumer.get(&format!("/console/read/{key}?purpose_kind=data_verification&purpose=x")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("读取共享数据须说明具体用途"), "{}", p.html);

    // The download goes through the same access check and is audited.
    let p = consumer
        .get(&format!(
            "/console/read/{key}/download?format=csv&purpose_kind=data_verification&purpose={}",
            enc(PURPOSE)
        ))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.headers["content-type"].to_str().unwrap().starts_with("text/csv"), "{:?}", p.headers);
    assert!(p.html.contains("张三") && !p.html.contains("13812345678"), "{}", p.html);
    let p = consumer.get(&format!("/console/read/{key}/download?format=pdf&purpose_kind=other&purpose=核对")).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.html);
    assert!(p.html.contains("下载格式无效"), "{}", p.html);

    let all = store::model::AuditFilter::default();
    let events =
        app.svc.store.list_audit(&all, store::model::PageRequest { after: None, limit: 500 }).await.unwrap().items;
    for action in ["application.submit", "application.approve", "data.query", "data.download"] {
        assert!(events.iter().any(|e| e.action == action), "{action}");
    }
    let q = events.iter().find(|e| e.action == "data.query").unwrap();
    assert_eq!(q.detail["purpose"]["description"], PURPOSE, "{}", q.detail);

    // Feedback on the grant reaches the provider.
    let grant = events.iter().find(|e| e.action == "grant.issue").unwrap().object_id.clone().unwrap();
    let p = consumer.post(&format!("/console/grants/{grant}/feedback"), &[("rating", "5"), ("effect", "短")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("请用5至2000字说明共享数据的使用效果"), "{}", p.html);
    let p = consumer
        .post(&format!("/console/grants/{grant}/feedback"), &[("rating", "5"), ("effect", "低保审核时间缩短一半")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);

    // 核验: the answer is match / no match, never the stored value.
    let zhang = crate::sharing::ids().zhang;
    let uri = format!("/console/read/{key}/verify");
    for (name, expect) in [("张三", "一致"), ("张四", "不一致")] {
        let p = consumer
            .post(
                &uri,
                &[
                    ("purpose_kind", "data_verification"),
                    ("purpose", PURPOSE),
                    ("grant", ""),
                    ("key_field", "公民身份号码"),
                    ("key_value", &zhang),
                    ("claim_field", "姓名"),
                    ("claim_value", name),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.html);
        assert!(
            p.html.contains(&format!(
                "姓名：<span class=\"badge {}\">{expect}</span>",
                if expect == "一致" { "badge-ok" } else { "badge-danger" }
            )),
            "{}",
            p.html
        );
        assert!(!p.html.contains("<td>张三</td>"), "no values: {}", p.html);
    }

    // The provider suspends the grant (with a reason), and reading stops.
    let p = approver.get(&format!("/console/grants/{grant}")).await;
    assert!(p.html.contains("暂停授权") && p.html.contains("撤销授权"), "{}", p.html);
    let p = approver
        .post(&format!("/console/grants/{grant}/change"), &[("revision", "1"), ("action", "suspend"), ("reason", "")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    let p = approver
        .post(
            &format!("/console/grants/{grant}/change"),
            &[("revision", "1"), ("action", "suspend"), ("reason", "核查使用情况")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = consumer.get(&read).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    assert!(p.html.contains("不能读取该资源的数据"), "{}", p.html);
}

/// A third department with a data consumer.
async fn third_department(app: &TestApp) -> i64 {
    let admin_user = app.svc.store.find_user_by_username("admin").await.unwrap().unwrap();
    let admin = Actor {
        user_id: admin_user.id,
        username: "admin".into(),
        department_id: admin_user.department_id,
        roles: vec![Role::Admin],
        system: None,
    };
    let platform = app.svc.store.list_platforms().await.unwrap()[0].id;
    let spec = DepartmentSpec {
        name: "测试市人社局".into(),
        credit_code: Some(credit_code(&format!("11350100{}", org_code("MB000003")))),
        local_code: Some("T-000003".into()),
        parent_id: None,
        platform_id: platform,
    };
    let c = accounts::create_department(&app.svc, &admin, spec).await.unwrap();
    accounts::create_user_unchecked(
        &app.svc,
        UserInput {
            username: "c_consumer".into(),
            display_name: "c_consumer".into(),
            department_id: c.id,
            roles: vec![Role::DataConsumer],
            password: None,
        },
    )
    .await
    .unwrap();
    set_password(app, "c_consumer").await;
    c.id
}

async fn what_the_sharing_pages_refuse(mut app: TestApp) {
    crate::sharing::configure(&mut app);
    let app = &app;
    let (key, code, id) = filed(app).await;
    third_department(app).await;
    let mut consumer = WebClient::signed_in(app, "b_consumer").await;
    let mut approver = WebClient::signed_in(app, "a_approver").await;
    let mut other = WebClient::signed_in(app, "c_consumer").await;

    // Another department's application page reads as missing, and its list does not show it.
    let p = other.get(&format!("/console/applications/{id}")).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.html);
    let p = other.get("/console/applications").await;
    assert!(!p.html.contains(&format!("/console/applications/{id}\"")), "{}", p.html);

    // The consumer cannot answer its own application, and sees no decision form.
    let p = consumer.get(&format!("/console/applications/{id}")).await;
    assert!(!p.html.contains("答复申请</h2>") && p.html.contains("撤回申请"), "{}", p.html);
    let p = consumer
        .post(&format!("/console/applications/{id}/decision"), &[("revision", "1"), ("outcome", "approve")])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    assert!(p.html.contains("没有权限"), "refused for the party, not the token: {}", p.html);
    // Nor may the provider withdraw it (and its page offers no such form).
    let p = approver.get(&format!("/console/applications/{id}")).await;
    assert!(p.html.contains("答复申请</h2>") && !p.html.contains("撤回申请"), "{}", p.html);
    let p =
        approver.post(&format!("/console/applications/{id}/act"), &[("revision", "1"), ("action", "withdraw")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    assert!(p.html.contains("没有权限"), "refused for the party, not the token: {}", p.html);

    // A decision without this session's anti-forgery token is refused, and so is one from
    // another site.
    let p = approver
        .post(
            &format!("/console/applications/{id}/decision"),
            &[("revision", "1"), ("outcome", "approve"), ("csrf", "forged")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    assert!(p.html.contains("请求已被拒绝"), "{}", p.html);

    // A field smuggled into the form: an unknown one is refused outright …
    let p = approver
        .post(
            &format!("/console/applications/{id}/decision"),
            &[("revision", "1"), ("outcome", "approve"), ("consumer_department_id", "1")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.html);
    // … and a data item that was not asked for cannot be granted in a partial approval.
    let p = approver
        .post(
            &format!("/console/applications/{id}/decision"),
            &[
                ("revision", "1"),
                ("outcome", "approve_partially"),
                ("reason", "仅提供身份号码和姓名"),
                ("fields", "公民身份号码"),
                ("fields", "手机号码"),
                ("methods", "api"),
                ("period_from", "2026-03-03"),
                ("period_until", "2026-06-30"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("信息项“手机号码”不在申请范围内，不能授权"), "{}", p.html);
    // Nothing changed.
    let a = app.svc.store.get_application(id).await.unwrap();
    assert_eq!((a.status.code(), a.revision), ("submitted", 1));

    // An invalid application keeps what was typed and names the field.
    let mut form = application_form(&code);
    form.retain(|(k, _)| *k != "contact_phone");
    form.push(("contact_phone", "abc".into()));
    let p = consumer.post("/console/applications", &pairs(&form)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("联系电话应为7至20位数字"), "{}", p.html);
    assert!(p.html.contains(r#"value="王敏""#) && p.html.contains("低保申请审核"), "input kept: {}", p.html);
    // A department applying for its own resource is told it needs none.
    let mut provider = WebClient::signed_in(app, "a_editor").await;
    let p = provider.get(&format!("/console/applications/new?resource={}", enc(&code))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "a catalogue editor does not apply: {}", p.html);

    // Reading without a grant is refused with the reason and a link to apply; it is audited.
    let p =
        other.get(&format!("/console/read/{key}?purpose_kind=work_reference&purpose={}", enc("核对就业信息"))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    assert!(p.html.contains("请先通过共享平台向提供部门提出共享申请"), "{}", p.html);
    assert!(p.html.contains("/console/applications/new?resource="), "{}", p.html);
    assert!(!p.html.contains("张三"), "{}", p.html);
    let denied = app
        .svc
        .store
        .list_audit(
            &store::model::AuditFilter { action_prefix: Some("data.read_denied".into()), ..Default::default() },
            store::model::PageRequest { after: None, limit: 10 },
        )
        .await
        .unwrap();
    assert_eq!(denied.total, 1);
    // A read a browser says another site started is refused before anything is read.
    let req = axum::http::Request::builder()
        .uri(format!("/console/read/{key}?purpose_kind=work_reference&purpose={}", enc("核对就业信息")))
        .header("cookie", format!("gs_session={}", other.cookie.clone().unwrap()))
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let denied_again = app
        .svc
        .store
        .list_audit(
            &store::model::AuditFilter { action_prefix: Some("data.read_denied".into()), ..Default::default() },
            store::model::PageRequest { after: None, limit: 10 },
        )
        .await
        .unwrap();
    assert_eq!(denied_again.total, 1, "refused before the access check ran");

    // A malformed id is a page that does not exist, said in Chinese.
    let p = consumer.get("/console/applications/abc").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.html);
    assert!(p.html.contains("编号为“abc”的记录不存在"), "{}", p.html);

    // Pages of other roles: the inbox (approvers), disputes and dashboard (coordinator), audit.
    for uri in ["/console/inbox", "/console/disputes", "/console/dashboard", "/console/audit"] {
        let p = consumer.get(uri).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{uri}: {}", p.html);
    }
    let p = WebClient::new(app).get("/console/inbox").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "sign-in first");
}

async fn audit_log_and_dashboard(mut app: TestApp) {
    let clock = crate::sharing::configure(&mut app);
    let app = &app;
    let (_, _, id) = filed(app).await;

    let mut auditor = WebClient::signed_in(app, "auditor").await;
    let p = auditor.get("/console/audit").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("尚未核验") && !p.html.contains("完整性核验通过"), "{}", p.html);
    // Verifying is a form: it runs once, is recorded, and the page shows its outcome.
    let p = auditor.post("/console/audit/verify", &[]).await;
    assert_eq!((p.status, p.location()), (StatusCode::SEE_OTHER, "/console/audit"));
    let p = auditor.get("/console/audit").await;
    assert!(p.html.contains("完整性核验通过") && p.html.contains("由 auditor 核验"), "{}", p.html);
    let p = auditor.get("/console/audit?action=audit.verify").await;
    assert!(
        p.html.contains("共 1 条") && p.html.contains("核验审计日志"),
        "the verification is in the log: {}",
        p.html
    );
    // Without the form's token, or by another role, nothing runs.
    let p = auditor.post("/console/audit/verify", &[("csrf", "forged")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    assert!(p.html.contains("请求来源不明"), "{}", p.html);
    let mut coordinator = WebClient::signed_in(app, "coordinator").await;
    let home = coordinator.get("/console").await;
    assert!(crate::web::csrf_in(&home.html).is_some(), "the coordinator posts with a valid token");
    let p = coordinator.post("/console/audit/verify", &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    assert!(p.html.contains("没有权限") && !p.html.contains("请求来源不明"), "{}", p.html);
    let verifications = app
        .svc
        .store
        .list_audit(
            &store::model::AuditFilter { action_prefix: Some("audit.verify".into()), ..Default::default() },
            store::model::PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(verifications.total, 1, "the refused posts ran nothing");
    let p = auditor.get("/console/audit").await;
    assert!(p.html.contains("application.submit") && p.html.contains("提交共享申请"), "{}", p.html);
    // Searching by user, action and day.
    let p = auditor.get("/console/audit?user=b_consumer&action=application.&from=2026-03-03&until=2026-03-03").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("application.submit") && p.html.contains("共 1 条"), "{}", p.html);
    let p = auditor.get("/console/audit?action=application.&from=2026-03-04").await;
    assert!(p.html.contains("共 0 条"), "{}", p.html);
    let p = auditor.get("/console/audit?user=nobody&from=2026-13-01").await;
    assert!(p.html.contains("没有用户名为“nobody”的用户") && p.html.contains("日期“2026-13-01”无效"), "{}", p.html);
    let p = auditor.get("/console/audit?cursor=abc").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);

    // The coordinator's dashboard: the pending application counts for department A.
    let p = coordinator.get("/console/dashboard").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("<svg") && p.html.contains(r#"role="img""#), "{}", p.html);
    assert!(p.html.contains("各部门待答复的共享申请。测试市公安局：1"), "{}", p.html);
    assert!(p.html.contains("<th scope=\"row\">测试市公安局</th>"), "{}", p.html);
    assert!(!p.html.contains("calendar-warning"), "in March the calendar reaches far enough: {}", p.html);

    // After the deadline the application is overdue: escalated by the platform, it reaches the
    // coordinator's disputes list, where a ruling needs a reason.
    service::sharing::escalate_overdue(&app.svc).await.unwrap();
    let a = app.svc.store.get_application(id).await.unwrap();
    assert_eq!(a.status.code(), "submitted", "not overdue yet");
    // Wed 2026-03-18 10:00 in Beijing: one working day past the deadline.
    clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 18, 2, 0, 0).unwrap());
    let later = app;
    let mut approver = WebClient::signed_in(later, "a_approver").await;
    let p = approver.get("/console/inbox").await;
    assert!(p.html.contains("已超期1个工作日") && p.html.contains("work-overdue"), "{}", p.html);
    service::sharing::escalate_overdue(&later.svc).await.unwrap();
    let mut coordinator = WebClient::signed_in(later, "coordinator").await;
    let p = coordinator.get("/console/disputes").await;
    assert!(p.html.contains("常住人口信息") && p.html.contains("协调中"), "{}", p.html);
    let p = coordinator.get(&format!("/console/applications/{id}")).await;
    assert!(p.html.contains("协调裁决"), "{}", p.html);
    let p = coordinator
        .post(
            &format!("/console/applications/{id}/ruling"),
            &[("revision", "2"), ("outcome", "not_share"), ("reason", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("协调裁决应写明理由"), "{}", p.html);
    let p = coordinator
        .post(
            &format!("/console/applications/{id}/ruling"),
            &[("revision", "2"), ("outcome", "not_share"), ("reason", "申请用途与该资源的共享条件不符")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = coordinator.get(p.location()).await;
    assert!(p.html.contains("已裁决") && p.html.contains("裁决不予共享"), "{}", p.html);

    // A month before the built-in calendar ends, the dashboard says that deadlines past it are
    // provisional and how to load next year's notice.
    clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 2, 2, 0, 0).unwrap());
    let mut coordinator = WebClient::signed_in(later, "coordinator").await;
    let p = coordinator.get("/console/dashboard").await;
    assert!(p.html.contains(r#"id="calendar-warning""#) && p.html.contains("工作日历只到2026年"), "{}", p.html);
}
