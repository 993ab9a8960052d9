//! Sharing end to end (国发〔2016〕51号 第十二条、第十四条): applications and their deadline,
//! decisions, disputes, rulings, grants enforced on every read path, suspension, revocation,
//! expiry, quotas, verification, agreements and feedback.

use std::collections::BTreeMap;

use domain::account::{Actor, Role};
use domain::catalog::{DataItem, DataType, IdentifierKind, ResourceSpec, ShareMethod, ShareType};
use domain::filter::{Filter, Op};
use domain::masking::MaskRule;
use domain::purpose::{Purpose, PurposeKind};
use domain::sharing::{
    ApplicationStatus, ApplicationTerms, Contact, Decision, FieldMask, GrantAction, GrantStatus, GrantTerms, Period,
    Ruling,
};
use serde_json::json;
use service::ServiceError;
use service::accounts::{self, UserInput};
use service::datasets::{self, ReadRequest, Upload};
use service::sharing::{self, Act};
use store::model::Resource;

use crate::world::*;

pub(crate) fn purpose() -> Purpose {
    Purpose::new(PurposeKind::DataVerification, "核对低保申请人户籍信息").unwrap()
}

/// 常住人口 of the police (dept a): conditional, with a citizen ID key, a region and a mobile.
pub(crate) fn population_spec() -> ResourceSpec {
    let mut s = spec("常住人口信息", CAT_A);
    let mut id = DataItem::new("公民身份号码", DataType::C, Some(18));
    id.is_key = true;
    id.identifier = Some(IdentifierKind::CitizenId);
    s.data_items = vec![
        id,
        DataItem::new("姓名", DataType::C, Some(50)),
        DataItem::new("户籍地行政区划代码", DataType::C, Some(6)),
        DataItem::new("手机号码", DataType::C, Some(11)),
    ];
    s.share_type = ShareType::Conditional;
    s.share_condition = Some("仅限民政、人社部门办理资格审核时使用".into());
    s.share_methods = vec![
        ShareMethod::Api,
        ShareMethod::OnlineQuery,
        ShareMethod::BulkDownload,
        ShareMethod::Verification,
        ShareMethod::Exchange,
    ];
    s
}

pub(crate) const ROWS: &str = "公民身份号码,姓名,户籍地行政区划代码,手机号码\n\
11010519491231002X,张三,350102,13812345678\n\
350102199001011238,李四,350102,13900001111\n\
350103198512120016,王五,350103,13700002222\n";

pub(crate) struct Setup {
    pub(crate) w: World,
    pub(crate) r: Resource,
    pub(crate) provider: Actor,
    pub(crate) consumer_b: Actor,
    pub(crate) other_consumer_b: Actor,
}

pub(crate) async fn user(w: &World, name: &str, dept: i64, role: Role) -> Actor {
    let u = accounts::create_user_unchecked(
        &w.svc,
        UserInput {
            username: name.into(),
            display_name: name.into(),
            department_id: dept,
            roles: vec![role],
            password: None,
        },
    )
    .await
    .unwrap();
    actor(&u)
}

pub(crate) async fn setup() -> Setup {
    let w = World::new().await;
    let r = w.published(&w.editor_a, &w.approver_a, population_spec()).await;
    let provider = user(&w, "gaj_provider", w.a.id, Role::DataProvider).await;
    let consumer_b = user(&w, "mzj_consumer", w.b.id, Role::DataConsumer).await;
    let other_consumer_b = user(&w, "mzj_consumer2", w.b.id, Role::DataConsumer).await;
    publish(&w, &provider, &r, ROWS).await;
    Setup { w, r, provider, consumer_b, other_consumer_b }
}

pub(crate) async fn publish(w: &World, provider: &Actor, r: &Resource, csv: &str) {
    let path = w.dir.path().join(format!("upload-{}.csv", csv.len()));
    std::fs::write(&path, csv).unwrap();
    let up = Upload {
        path,
        options: data::input::InputOptions::new(data::input::InputFormat::Csv),
        mode: data::publish::PublishMode::Replace,
        accept_valid: false,
    };
    let out = datasets::publish(&w.svc, provider, &r.code, up).await.unwrap();
    assert!(out.version.is_some(), "{:?}", out.refused);
}

pub(crate) fn terms() -> ApplicationTerms {
    ApplicationTerms {
        purpose: purpose(),
        basis: "《社会救助暂行办法》第十一条：低保申请审核".into(),
        fields: vec!["公民身份号码".into(), "姓名".into(), "手机号码".into()],
        rows: vec![],
        period: Period { from: date(2026, 3, 3), until: date(2026, 12, 31) },
        methods: vec![ShareMethod::Api, ShareMethod::BulkDownload, ShareMethod::Verification, ShareMethod::Exchange],
        contact: Contact { name: "王敏".into(), phone: "0591-87654321".into() },
        system_ids: vec![],
    }
}

pub(crate) fn read() -> ReadRequest {
    ReadRequest::new(purpose())
}

pub(crate) fn denied(e: ServiceError) -> String {
    match e {
        ServiceError::AccessDenied(d) => d.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

pub(crate) async fn query_names(
    s: &Setup,
    who: &Actor,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, ServiceError> {
    let spec = data::query::QuerySpec { limit: Some(100), ..Default::default() };
    datasets::query(&s.w.svc, who, &s.r.code, read(), spec).await.map(|(_, r)| r.rows)
}

#[tokio::test]
async fn an_application_is_answered_in_part_and_the_grant_shapes_every_read() {
    let s = setup().await;
    let w = &s.w;
    // Without a grant: refused, and the refusal is audited.
    assert!(denied(query_names(&s, &s.consumer_b).await.unwrap_err()).contains("提出共享申请"));

    let app = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, terms()).await.unwrap();
    assert_eq!(app.status, ApplicationStatus::Submitted);
    // Received on Tue 2026-03-03 (CST): ten working days later is Tue 03-17.
    assert_eq!((app.received_on, app.reply_due, app.due_provisional), (date(2026, 3, 3), date(2026, 3, 17), false));

    // Only the provider's approver answers; the consumer and the coordinator cannot.
    let partial = GrantTerms {
        fields: vec!["公民身份号码".into(), "姓名".into(), "手机号码".into()],
        rows: vec![Filter::new("户籍地行政区划代码", Op::Eq, json!("350102"))],
        masks: vec![FieldMask { field: "手机号码".into(), rule: MaskRule::Mobile }],
        methods: vec![ShareMethod::Api, ShareMethod::BulkDownload, ShareMethod::Verification, ShareMethod::Exchange],
        period: Period { from: date(2026, 3, 3), until: date(2026, 6, 30) },
        ..GrantTerms::from_application(&app.terms)
    };
    let decision = || Decision::ApprovePartially {
        terms: partial.clone(),
        reason: "仅提供鼓楼区户籍人员，手机号脱敏".into(),
    };
    for who in [&s.consumer_b, &w.coordinator, &w.approver_b] {
        assert!(matches!(
            sharing::act(&w.svc, who, app.id, app.revision, Act::Decide(decision())).await,
            Err(ServiceError::Forbidden(_))
        ));
    }
    // A partial approval may not widen what was asked.
    let mut wider = partial.clone();
    wider.fields.push("户籍地行政区划代码".into());
    let e = sharing::act(
        &w.svc,
        &w.approver_a,
        app.id,
        app.revision,
        Act::Decide(Decision::ApprovePartially { terms: wider, reason: "多给一项".into() }),
    )
    .await
    .unwrap_err();
    assert_eq!(fields(&e), vec!["fields[3]".to_string()]);

    let (app, grant) =
        sharing::act(&w.svc, &w.approver_a, app.id, app.revision, Act::Decide(decision())).await.unwrap();
    assert_eq!(app.status, ApplicationStatus::PartiallyApproved);
    let grant = grant.expect("a grant is issued");
    assert_eq!((grant.status, app.grant_id), (GrantStatus::Active, Some(grant.id)));
    let steps = sharing::steps(&w.svc, &s.consumer_b, app.id).await.unwrap();
    assert_eq!(steps.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(), ["submit", "approve_partially"]);
    assert_eq!(steps[1].note.as_deref(), Some("仅提供鼓楼区户籍人员，手机号脱敏"));

    // Query: only rows of 350102, the mobile masked, the region (not granted) absent.
    let rows = query_names(&s, &s.consumer_b).await.unwrap();
    assert_eq!(rows.len(), 2);
    let names: Vec<&str> = rows.iter().map(|r| r["姓名"].as_str().unwrap()).collect();
    assert_eq!(names, ["张三", "李四"]);
    assert_eq!(rows[0]["手机号码"], json!("138****5678"));
    assert!(!rows[0].contains_key("户籍地行政区划代码"));
    // Filtering on the masked field or on a field outside the grant is refused.
    for field in ["手机号码", "户籍地行政区划代码"] {
        let spec =
            data::query::QuerySpec { filters: vec![Filter::new(field, Op::Prefix, json!("1"))], ..Default::default() };
        let e = datasets::query(&w.svc, &s.consumer_b, &s.r.code, read(), spec).await.unwrap_err();
        assert!(denied(e).contains(field));
    }
    // Group-by on a hidden field would leak it through counts.
    let spec = data::query::QuerySpec {
        group_by: vec!["户籍地行政区划代码".into()],
        aggregates: vec![data::query::Aggregate { func: data::query::AggFunc::Count, field: None }],
        ..Default::default()
    };
    assert!(datasets::query(&w.svc, &s.consumer_b, &s.r.code, read(), spec).await.is_err());

    // Verification: match / no match / no record, never values; a row outside the grant is "no record".
    let key = |id: &str| BTreeMap::from([("公民身份号码".to_string(), json!(id))]);
    let claims = BTreeMap::from([("姓名".to_string(), json!("李四"))]);
    let out =
        datasets::verify(&w.svc, &s.consumer_b, &s.r.code, read(), &key("350102199001011238"), &claims).await.unwrap();
    assert_eq!((out.found, out.fields["姓名"]), (true, data::verify::Outcome::Match));
    // The masked mobile cannot be claimed: guessing it would undo the mask.
    let masked = BTreeMap::from([("手机号码".to_string(), json!("13900001111"))]);
    let e = datasets::verify(&w.svc, &s.consumer_b, &s.r.code, read(), &key("350102199001011238"), &masked).await;
    assert!(denied(e.err().unwrap()).contains("脱敏"));
    let wrong = BTreeMap::from([("姓名".to_string(), json!("李四四"))]);
    let out =
        datasets::verify(&w.svc, &s.consumer_b, &s.r.code, read(), &key("350102199001011238"), &wrong).await.unwrap();
    assert_eq!((out.found, out.fields["姓名"]), (true, data::verify::Outcome::NoMatch));
    let out =
        datasets::verify(&w.svc, &s.consumer_b, &s.r.code, read(), &key("350103198512120016"), &wrong).await.unwrap();
    assert_eq!(
        (out.found, out.fields["姓名"]),
        (false, data::verify::Outcome::NoRecord),
        "王五 lives outside the granted region"
    );

    // Another purpose is refused (第十四条).
    let other = ReadRequest::new(Purpose::new(PurposeKind::BusinessCollaboration, "别的事项").unwrap());
    let e = datasets::query(&w.svc, &s.consumer_b, &s.r.code, other, Default::default()).await.unwrap_err();
    assert!(denied(e).contains("用途"));

    // Every read names its grant in the audit trail.
    let reads: Vec<_> = w.audit().await.into_iter().filter(|e| e.action == "data.query").collect();
    assert_eq!(reads.last().unwrap().detail["grant"], json!(grant.id));
    assert_eq!(reads.last().unwrap().detail["masks"], json!([{"field": "手机号码", "rule": "mobile"}]));

    // Suspended: refused at once; resumed: works; revoked: refused for good.
    let g = sharing::change_grant(
        &w.svc,
        &w.approver_a,
        grant.id,
        grant.revision,
        GrantAction::Suspend,
        Some("核查使用情况".into()),
    )
    .await
    .unwrap();
    assert!(denied(query_names(&s, &s.consumer_b).await.unwrap_err()).contains("暂停"));
    let g = sharing::change_grant(&w.svc, &w.approver_a, g.id, g.revision, GrantAction::Resume, None).await.unwrap();
    assert_eq!(query_names(&s, &s.consumer_b).await.unwrap().len(), 2);
    // Revocation needs a reason.
    assert!(sharing::change_grant(&w.svc, &w.approver_a, g.id, g.revision, GrantAction::Revoke, None).await.is_err());
    sharing::change_grant(&w.svc, &w.approver_a, g.id, g.revision, GrantAction::Revoke, Some("超范围使用".into()))
        .await
        .unwrap();
    assert!(denied(query_names(&s, &s.consumer_b).await.unwrap_err()).contains("撤销"));
    // Another user of the department reads nothing either.
    assert!(query_names(&s, &s.other_consumer_b).await.is_err());
}

#[tokio::test]
async fn a_grant_stops_working_the_day_after_its_period_and_is_recorded_expired() {
    let s = setup().await;
    let w = &s.w;
    let app = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, terms()).await.unwrap();
    let (_, grant) =
        sharing::act(&w.svc, &w.approver_a, app.id, app.revision, Act::Decide(Decision::Approve { comment: None }))
            .await
            .unwrap();
    let grant = grant.unwrap();
    assert_eq!(query_names(&s, &s.consumer_b).await.unwrap().len(), 3, "full approval: every row");
    w.at(cst(2026, 12, 31, 23, 0));
    assert_eq!(query_names(&s, &s.consumer_b).await.unwrap().len(), 3, "the last day still counts");
    w.at(cst(2027, 1, 1, 0, 30));
    assert!(denied(query_names(&s, &s.consumer_b).await.unwrap_err()).contains("到期"));
    assert_eq!(sharing::expire_grants(&w.svc).await.unwrap(), vec![grant.id]);
    let g = sharing::get_grant(&w.svc, &s.consumer_b, grant.id).await.unwrap();
    assert_eq!(g.status, GrantStatus::Expired);
    assert!(sharing::expire_grants(&w.svc).await.unwrap().is_empty(), "once");
}

#[tokio::test]
async fn refusal_needs_a_reason_then_dispute_escalation_and_ruling() {
    let s = setup().await;
    let w = &s.w;
    let app = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, terms()).await.unwrap();
    // Unanswered: the consumer waits for the answer (or the platform escalates it once overdue).
    assert!(matches!(
        sharing::act(&w.svc, &s.consumer_b, app.id, app.revision, Act::Escalate { reason: "等不及了".into() }).await,
        Err(ServiceError::Conflict(m)) if m.contains("逾期未答复的申请会自动提请协调")
    ));
    let e =
        sharing::act(&w.svc, &w.approver_a, app.id, app.revision, Act::Decide(Decision::Refuse { reason: " ".into() }))
            .await
            .unwrap_err();
    assert_eq!(fields(&e), vec!["reason".to_string()]);
    let (app, grant) = sharing::act(
        &w.svc,
        &w.approver_a,
        app.id,
        app.revision,
        Act::Decide(Decision::Refuse { reason: "涉及公民个人隐私，低保审核可改用核验方式".into() }),
    )
    .await
    .unwrap();
    assert_eq!((app.status, grant.is_none()), (ApplicationStatus::Refused, true));
    // The consumer cannot go straight to the coordinator: negotiate first.
    assert!(matches!(
        sharing::act(&w.svc, &s.consumer_b, app.id, app.revision, Act::Escalate { reason: "需要".into() }).await,
        Err(ServiceError::Conflict(m)) if m.contains("请先提出异议")
    ));
    let (app, _) = sharing::act(
        &w.svc,
        &s.consumer_b,
        app.id,
        app.revision,
        Act::Dispute { reason: "低保审核确需手机号联系申请人".into() },
    )
    .await
    .unwrap();
    assert_eq!(app.status, ApplicationStatus::Disputed);
    let (app, _) =
        sharing::act(&w.svc, &s.consumer_b, app.id, app.revision, Act::Escalate { reason: "协商未果".into() })
            .await
            .unwrap();
    assert_eq!(app.status, ApplicationStatus::Escalated);
    // A stale revision is refused.
    assert!(matches!(
        sharing::act(
            &w.svc,
            &w.coordinator,
            app.id,
            app.revision - 1,
            Act::Rule(Ruling::NotShare { reason: "不予共享".into() })
        )
        .await,
        Err(ServiceError::Stale { .. })
    ));
    // Only the coordinator rules; the ruling issues the grant.
    let ruling = Ruling::Share {
        terms: GrantTerms { methods: vec![ShareMethod::Verification], ..GrantTerms::from_application(&app.terms) },
        reason: "低保审核属法定职责，以核验方式共享".into(),
    };
    assert!(matches!(
        sharing::act(&w.svc, &w.approver_a, app.id, app.revision, Act::Rule(ruling.clone())).await,
        Err(ServiceError::Forbidden(_))
    ));
    let (app, grant) = sharing::act(&w.svc, &w.coordinator, app.id, app.revision, Act::Rule(ruling)).await.unwrap();
    assert_eq!(app.status, ApplicationStatus::Ruled);
    let grant = grant.unwrap();
    assert_eq!(grant.terms.methods, vec![ShareMethod::Verification]);
    // Verification only: a query through this grant is refused, a verification works.
    assert!(denied(query_names(&s, &s.consumer_b).await.unwrap_err()).contains("查询"));
    let key = BTreeMap::from([("公民身份号码".to_string(), json!("11010519491231002X"))]);
    let claims = BTreeMap::from([("姓名".to_string(), json!("张三"))]);
    let out = datasets::verify(&w.svc, &s.consumer_b, &s.r.code, read(), &key, &claims).await.unwrap();
    assert_eq!(out.fields["姓名"], data::verify::Outcome::Match);
    let steps = sharing::steps(&w.svc, &w.coordinator, app.id).await.unwrap();
    assert_eq!(
        steps.iter().map(|s| (s.action.as_str(), s.party.as_str())).collect::<Vec<_>>(),
        [
            ("submit", "consumer"),
            ("refuse", "provider"),
            ("dispute", "consumer"),
            ("escalate", "consumer"),
            ("rule", "coordinator")
        ]
    );
}

#[tokio::test]
async fn an_unanswered_application_escalates_after_ten_working_days() {
    let s = setup().await;
    let w = &s.w;
    let app = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, terms()).await.unwrap();
    w.at(cst(2026, 3, 17, 23, 0));
    assert!(sharing::escalate_overdue(&w.svc).await.unwrap().is_empty(), "the last day is still in time");
    w.at(cst(2026, 3, 18, 9, 0));
    assert_eq!(sharing::escalate_overdue(&w.svc).await.unwrap(), vec![app.id]);
    let app = sharing::get(&w.svc, &w.coordinator, app.id).await.unwrap();
    assert_eq!(app.status, ApplicationStatus::Escalated);
    let last = sharing::steps(&w.svc, &w.coordinator, app.id).await.unwrap().pop().unwrap();
    assert_eq!((last.party.as_str(), last.actor_id), ("platform", None));
    assert!(last.note.unwrap().contains("2026-03-17"));
    // The provider can no longer answer; the coordinator rules.
    assert!(
        sharing::act(&w.svc, &w.approver_a, app.id, app.revision, Act::Decide(Decision::Approve { comment: None }))
            .await
            .is_err()
    );
    assert!(sharing::escalate_overdue(&w.svc).await.unwrap().is_empty(), "once");
}

#[tokio::test]
async fn not_shared_items_go_to_negotiation_and_unconditional_ones_need_no_application() {
    let w = World::new().await;
    let consumer_b = user(&w, "mzj_consumer", w.b.id, Role::DataConsumer).await;
    let mut s = population_spec();
    s.share_type = ShareType::Unconditional;
    s.share_condition = None;
    s.data_items[3].share_type = Some(ShareType::NotShared);
    s.data_items[3].share_basis = Some("《居民身份证法》第十九条".into());
    let r = w.published(&w.editor_a, &w.approver_a, s).await;
    let mut t = terms();
    t.fields = vec!["姓名".into()];
    let e = sharing::apply(&w.svc, &consumer_b, &r.code, t.clone()).await.unwrap_err();
    assert_eq!(fields(&e), vec!["fields".to_string()]);
    t.fields = vec!["姓名".into(), "手机号码".into()];
    let app = sharing::apply(&w.svc, &consumer_b, &r.code, t).await.unwrap();
    assert_eq!(app.status, ApplicationStatus::Disputed);
    // An application must be complete and name methods the resource offers.
    let mut bad = terms();
    bad.basis = String::new();
    bad.methods = vec![ShareMethod::Offline];
    bad.contact.phone = "abc".into();
    let e = sharing::apply(&w.svc, &consumer_b, &r.code, bad).await.unwrap_err();
    assert_eq!(fields(&e), vec!["basis".to_string(), "methods[0]".to_string(), "contact.phone".to_string()]);

    // The pages offer an application where one is needed and may be made: an Unconditional entry
    // with a NotShared item, to another department's consumer; not to its own department, not to
    // someone who may not apply, and not for an entry whose every item is Unconditional.
    assert!(sharing::offers_application(&consumer_b, &r));
    assert!(!sharing::offers_application(&w.consumer_a, &r), "own department");
    assert!(!sharing::offers_application(&w.editor_b, &r), "no consumer role");
    let mut open = population_spec();
    open.name = "常住人口统计".into();
    open.share_type = ShareType::Unconditional;
    open.share_condition = None;
    let open = w.published(&w.editor_a, &w.approver_a, open).await;
    assert!(!sharing::offers_application(&consumer_b, &open), "nothing restricted");
    // Drafts are not applied for, and the refusal names why.
    let mut draft = population_spec();
    draft.name = "流动人口信息".into();
    let draft = service::catalog::create(&w.svc, &w.editor_a, None, draft).await.unwrap();
    assert!(!sharing::offers_application(&consumer_b, &draft));
    match sharing::check_may_apply(&consumer_b, &draft) {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("不是已发布状态"), "{m}"),
        other => panic!("{other:?}"),
    }
}

/// Data is published by the entry's own data providers, for structured entries that are not
/// withdrawn; a refused publish leaves the current version as it was.
#[tokio::test]
async fn publishing_is_refused_to_other_roles_other_departments_documents_and_withdrawn_entries() {
    let s = setup().await;
    let w = &s.w;
    let before = w.svc.store.latest_dataset_version(s.r.id).await.unwrap().unwrap();
    let upload = |name: &str| {
        let path = w.dir.path().join(name);
        std::fs::write(&path, ROWS).unwrap();
        Upload {
            path,
            options: data::input::InputOptions::new(data::input::InputFormat::Csv),
            mode: data::publish::PublishMode::Replace,
            accept_valid: false,
        }
    };
    assert_forbidden(datasets::publish(&w.svc, &w.editor_a, &s.r.code, upload("a.csv")).await, "editor");
    let provider_b = user(w, "mzj_provider", w.b.id, Role::DataProvider).await;
    assert_forbidden(datasets::publish(&w.svc, &provider_b, &s.r.code, upload("b.csv")).await, "other department");

    let mut doc = population_spec();
    doc.name = "户籍管理政策文件".into();
    doc.format = domain::catalog::Format {
        class: domain::catalog::FormatClass::ElectronicFile,
        subtype: Some("pdf".into()),
        other_desc: None,
    };
    let doc = w.published(&w.editor_a, &w.approver_a, doc).await;
    match datasets::publish(&w.svc, &s.provider, &doc.code, upload("c.csv")).await {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("资源格式为电子文件"), "{m}"),
        other => panic!("{:?}", other.map(|o| o.version)),
    }
    assert!(w.svc.store.latest_dataset_version(doc.id).await.unwrap().is_none());

    service::catalog::withdraw(&w.svc, &w.approver_a, &s.r.code, Some("职能调整".into())).await.unwrap();
    match datasets::publish(&w.svc, &s.provider, &s.r.code, upload("d.csv")).await {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("已注销，不能再发布数据"), "{m}"),
        other => panic!("{:?}", other.map(|o| o.version)),
    }
    let after = w.svc.store.latest_dataset_version(s.r.id).await.unwrap().unwrap();
    assert_eq!((after.version, after.row_count), (before.version, before.row_count));
}

#[tokio::test]
async fn a_daily_quota_caps_rows_across_reads() {
    let s = setup().await;
    let w = &s.w;
    let app = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, terms()).await.unwrap();
    let limited = GrantTerms { daily_row_quota: Some(4), ..GrantTerms::from_application(&app.terms) };
    sharing::act(
        &w.svc,
        &w.approver_a,
        app.id,
        app.revision,
        Act::Decide(Decision::ApprovePartially { terms: limited, reason: "每日最多4行".into() }),
    )
    .await
    .unwrap();
    assert_eq!(query_names(&s, &s.consumer_b).await.unwrap().len(), 3);
    // One row left today: the page is cut to it, then nothing.
    assert_eq!(query_names(&s, &s.consumer_b).await.unwrap().len(), 1);
    assert!(denied(query_names(&s, &s.consumer_b).await.unwrap_err()).contains("用完"));
    // Tomorrow the quota is whole again.
    w.at(cst(2026, 3, 4, 9, 0));
    assert_eq!(query_names(&s, &s.consumer_b).await.unwrap().len(), 3);
    // A download larger than what is left is refused before anything is read.
    let e =
        datasets::download(&w.svc, &s.consumer_b, &s.r.code, read(), Default::default(), "csv").await.err().unwrap();
    assert!(denied(e).contains("超过"));
}

fn upload(kind: &str, bytes: Vec<u8>) -> sharing::AgreementUpload {
    sharing::AgreementUpload {
        kind: kind.into(),
        title: "户籍信息共享安全保密协议".into(),
        file_name: "协议.pdf".into(),
        content_type: "application/pdf".into(),
        bytes,
    }
}

#[tokio::test]
async fn agreements_are_filed_and_feedback_reaches_the_provider() {
    let s = setup().await;
    let w = &s.w;
    let app = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, terms()).await.unwrap();
    let (_, grant) =
        sharing::act(&w.svc, &w.approver_a, app.id, app.revision, Act::Decide(Decision::Approve { comment: None }))
            .await
            .unwrap();
    let grant = grant.unwrap();
    let doc = "安全保密协议正文".as_bytes().to_vec();
    let a =
        sharing::file_agreement(&w.svc, &w.approver_b, grant.id, upload("confidentiality", doc.clone())).await.unwrap();
    assert_eq!(a.kind, "confidentiality");
    let (_, got) = sharing::agreement_document(&w.svc, &w.coordinator, a.id).await.unwrap();
    assert_eq!(got, doc);
    assert!(sharing::file_agreement(&w.svc, &w.approver_b, grant.id, upload("contract", doc.clone())).await.is_err());
    // Feedback: the consumer department writes, the provider reads.
    assert!(sharing::give_feedback(&w.svc, &s.consumer_b, grant.id, 6, "很好用的数据").await.is_err());
    sharing::give_feedback(&w.svc, &s.consumer_b, grant.id, 5, "低保审核时间由5天缩短到1天").await.unwrap();
    assert!(sharing::give_feedback(&w.svc, &s.provider, grant.id, 5, "提供方不能替使用方反馈").await.is_err());
    let seen = sharing::feedback_for(&w.svc, &w.approver_a, &s.r.code).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].effect, "低保审核时间由5天缩短到1天");
    // The store keeps the usage and the steps; nothing here needs the SharingStore directly
    // except to show the grant has one `issue` step.
    assert_eq!(w.svc.store.grant_steps(grant.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn queries_a_client_gets_wrong_are_422s_not_500s() {
    let s = setup().await;
    let w = &s.w;
    let q = |spec: data::query::QuerySpec| datasets::query(&w.svc, &s.provider, &s.r.code, read(), spec);
    let count = |field: Option<&str>, func| data::query::Aggregate { func, field: field.map(str::to_string) };
    use data::query::AggFunc::*;
    let cases = [
        (data::query::QuerySpec { fields: Some(vec!["姓名".into(), "姓名".into()]), ..Default::default() }, "fields"),
        (
            data::query::QuerySpec { aggregates: vec![count(None, Count), count(None, Count)], ..Default::default() },
            "aggregates",
        ),
        (data::query::QuerySpec { aggregates: vec![count(Some("姓名"), Sum)], ..Default::default() }, "aggregates"),
        (
            data::query::QuerySpec {
                filters: vec![Filter::new("手机号码", Op::Lt, json!(5))], ..Default::default()
            },
            "ok",
        ),
        (
            data::query::QuerySpec { filters: vec![Filter::new("姓名", Op::Prefix, json!(5))], ..Default::default() },
            "ok",
        ),
        (data::query::QuerySpec { cursor: Some("18446744073709551615".into()), ..Default::default() }, "cursor"),
    ];
    for (spec, field) in cases {
        match q(spec).await {
            Ok(_) => assert_eq!(field, "ok"),
            Err(e) => assert_eq!(fields(&e), vec![field.to_string()], "{e:?}"),
        }
    }
}

/// The terms of the provider's own grants in these tests: rows of 350102 only, the mobile masked,
/// through the API.
fn offered() -> GrantTerms {
    GrantTerms {
        rows: vec![Filter::new("户籍地行政区划代码", Op::Eq, json!("350102"))],
        masks: vec![FieldMask { field: "手机号码".into(), rule: MaskRule::Mobile }],
        methods: vec![ShareMethod::Api],
        ..GrantTerms::from_application(&terms())
    }
}

const OFFER_REASON: &str = "依据《低保审核户籍信息共享协议》第三条，向民政局提供鼓楼区户籍人员信息";

#[tokio::test]
async fn a_provider_grants_without_an_application() {
    let s = setup().await;
    let w = &s.w;
    let direct = |consumer_department_id: i64, terms: GrantTerms, reason: &str| sharing::DirectGrant {
        resource: s.r.code.clone(),
        consumer_department_id,
        terms,
        reason: reason.into(),
    };
    let before = w.svc.store.list_grants(&Default::default(), Default::default()).await.unwrap().total;

    // Only the provider's approver: not the consumer, not another department's approver, not the
    // coordinator (who grants through rulings).
    assert_forbidden(
        sharing::issue_grant(&w.svc, &s.consumer_b, direct(w.b.id, offered(), OFFER_REASON)).await,
        "consumer",
    );
    assert_forbidden(sharing::issue_grant(&w.svc, &w.approver_b, direct(w.b.id, offered(), OFFER_REASON)).await, "b");
    let e = sharing::issue_grant(&w.svc, &w.coordinator, direct(w.b.id, offered(), OFFER_REASON)).await.unwrap_err();
    assert!(
        matches!(&e, ServiceError::Forbidden(f)
            if f.to_string() == "您没有主动授权的权限（只有提供部门的审核员可以主动授权；共享主管部门通过协调裁决授权）"),
        "{e:?}"
    );
    // A reason, another existing department, and terms checked as in a decision.
    let e = sharing::issue_grant(&w.svc, &w.approver_a, direct(w.b.id, offered(), " ")).await.unwrap_err();
    assert_eq!(fields(&e), ["reason"]);
    for consumer in [w.a.id, 9999] {
        let e =
            sharing::issue_grant(&w.svc, &w.approver_a, direct(consumer, offered(), OFFER_REASON)).await.unwrap_err();
        assert_eq!(fields(&e), ["consumer_department_id"], "{consumer}");
    }
    let mut bad = offered();
    bad.period = Period { from: date(2026, 1, 1), until: date(2026, 3, 2) };
    bad.methods.push(ShareMethod::Offline);
    bad.masks.push(FieldMask { field: "户籍地行政区划代码".into(), rule: MaskRule::Name });
    let e = sharing::issue_grant(&w.svc, &w.approver_a, direct(w.b.id, bad, OFFER_REASON)).await.unwrap_err();
    assert_eq!(fields(&e), ["period", "methods[1]", "masks[1].field"]);
    let someone_else = GrantTerms { user_ids: vec![w.approver_a.user_id], ..offered() };
    let e = sharing::issue_grant(&w.svc, &w.approver_a, direct(w.b.id, someone_else, OFFER_REASON)).await.unwrap_err();
    assert_eq!(fields(&e), ["user_ids[0]"], "a user of the provider, not of the consumer");
    assert_eq!(w.svc.store.list_grants(&Default::default(), Default::default()).await.unwrap().total, before);

    let g = sharing::issue_grant(&w.svc, &w.approver_a, direct(w.b.id, offered(), OFFER_REASON)).await.unwrap();
    assert_eq!(
        (g.status, g.application_id, g.provider_department_id, g.consumer_department_id, g.issued_by, g.revision),
        (GrantStatus::Active, None, w.a.id, w.b.id, w.approver_a.user_id, 1)
    );
    assert_eq!(g.terms, offered());
    let steps = sharing::grant_steps(&w.svc, &s.consumer_b, g.id).await.unwrap();
    assert_eq!(
        steps.iter().map(|x| (x.action.as_str(), x.reason.as_deref(), x.actor_name.as_deref())).collect::<Vec<_>>(),
        [("issue", Some(OFFER_REASON), Some("gaj_approver"))]
    );
    let issued = w.audit().await.into_iter().rfind(|e| e.action == "grant.issue").unwrap();
    assert_eq!((issued.user_id, issued.object_id.as_deref()), (Some(w.approver_a.user_id), Some(&*g.id.to_string())));
    assert_eq!(
        (issued.detail["application"].clone(), issued.detail["reason"].clone()),
        (json!(null), json!(OFFER_REASON))
    );

    // The consumer reads through it: the rows of 350102, the mobile masked.
    let rows = query_names(&s, &s.consumer_b).await.unwrap();
    let got: Vec<(&str, &str)> =
        rows.iter().map(|r| (r["姓名"].as_str().unwrap(), r["手机号码"].as_str().unwrap())).collect();
    assert_eq!(got, [("张三", "138****5678"), ("李四", "139****1111")]);
    let read = w.audit().await.into_iter().rfind(|e| e.action == "data.query").unwrap();
    assert_eq!(read.detail["grant"], json!(g.id));

    // A withdrawn entry is granted nothing more.
    service::catalog::withdraw(&w.svc, &w.approver_a, &s.r.code, Some("数据已并入新目录".into())).await.unwrap();
    assert!(matches!(
        sharing::issue_grant(&w.svc, &w.approver_a, direct(w.b.id, offered(), OFFER_REASON)).await,
        Err(ServiceError::Conflict(m)) if m.contains("不是已发布状态")
    ));
}

#[tokio::test]
async fn version_totals_are_shown_only_to_whoever_may_count_every_row() {
    let s = setup().await;
    let w = &s.w;
    let rows_seen_by = |who: &Actor| {
        let (svc, code, who) = (w.svc.clone(), s.r.code.clone(), who.clone());
        async move {
            let (_, versions) = datasets::versions(&svc, &who, &code).await.unwrap();
            versions.iter().map(|v| (v.version, v.totals.map(|t| t.row_count))).collect::<Vec<_>>()
        }
    };
    // The provider and the supervisors see the size; a department without a grant does not.
    for who in [&s.provider, &w.approver_a, &w.coordinator, &w.auditor] {
        assert_eq!(rows_seen_by(who).await, [(1, Some(3))], "{}", who.username);
    }
    let (_, all) = datasets::versions(&w.svc, &s.provider, &s.r.code).await.unwrap();
    let totals = all[0].totals.unwrap();
    assert!(totals.byte_size > 0 && totals.rejected_rows == 0, "{totals:?}");
    assert_eq!(rows_seen_by(&s.consumer_b).await, [(1, None)]);

    // A grant limited to the rows of 350102: the holder counts those (2) by a query, never the
    // version's 3.
    let g = sharing::issue_grant(
        &w.svc,
        &w.approver_a,
        sharing::DirectGrant {
            resource: s.r.code.clone(),
            consumer_department_id: w.b.id,
            terms: offered(),
            reason: OFFER_REASON.into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(rows_seen_by(&s.consumer_b).await, [(1, None)]);
    let counted = datasets::query(
        &w.svc,
        &s.consumer_b,
        &s.r.code,
        read(),
        data::query::QuerySpec { count: true, ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(counted.1.total, Some(2));

    // A grant over every row (for one user of the department) shows that user the size, not the
    // other user; suspended, it shows nothing again.
    let whole = GrantTerms { rows: vec![], user_ids: vec![s.consumer_b.user_id], ..offered() };
    let all_rows = sharing::issue_grant(
        &w.svc,
        &w.approver_a,
        sharing::DirectGrant {
            resource: s.r.code.clone(),
            consumer_department_id: w.b.id,
            terms: whole,
            reason: OFFER_REASON.into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(rows_seen_by(&s.consumer_b).await, [(1, Some(3))]);
    assert_eq!(rows_seen_by(&s.other_consumer_b).await, [(1, None)]);
    sharing::change_grant(&w.svc, &w.approver_a, all_rows.id, 1, GrantAction::Suspend, Some("核查".into()))
        .await
        .unwrap();
    assert_eq!(rows_seen_by(&s.consumer_b).await, [(1, None)]);
    assert_ne!(g.id, all_rows.id);
}
