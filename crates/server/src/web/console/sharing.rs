//! Sharing in the console (国发〔2016〕51号 第十二条、第十四条): a consumer department applies
//! for a resource, follows its applications and grants; the provider's approver answers from the
//! inbox within the reply deadline (10 working days), and suspends, resumes or revokes the grants
//! it issued; the coordinator rules on escalated and disputed applications. Every rule is in
//! `service::sharing`; these handlers read forms, call it, and render.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::NaiveDate;
use domain::account::{Action, Actor};
use domain::catalog::{ShareMethod, ShareType};
use domain::filter::{Filter, Op};
use domain::purpose::{Purpose, PurposeKind};
use domain::sharing::{
    ApplicationAction, ApplicationStatus, ApplicationTerms, Contact, Decision, GrantAction, GrantStatus, GrantTerms,
    Party, Period, Ruling,
};
use serde::Deserialize;
use service::sharing::{self, Act};
use service::supervision::{self, ApplicationRow};
use store::model::{Application, ApplicationFilter, Grant, GrantFilter, PageRequest, Resource};

use crate::AppState;
use crate::format::cst_minute;
use crate::web::page::{Chrome, FormErrors, WebError, WebResult, render};
use crate::web::session::{Console, ConsoleForm, WebQuery};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/applications", get(list_applications).post(apply))
        .route("/console/applications/new", get(new_application))
        .route("/console/applications/{id}", get(application_page))
        .route("/console/applications/{id}/decision", post(decide))
        .route("/console/applications/{id}/act", post(act_on))
        .route("/console/applications/{id}/ruling", post(rule))
        .route("/console/inbox", get(inbox))
        .route("/console/disputes", get(disputes))
        .route("/console/grants", get(list_grants))
        .route("/console/grants/{id}", get(grant_page))
        .route("/console/grants/{id}/change", post(change_grant))
        .route("/console/grants/{id}/feedback", post(feedback))
}

// ---------------------------------------------------------------------------------------------
// What the pages show

/// The badge class of an application status.
pub fn app_badge(s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::Submitted | ApplicationStatus::UnderReview => "badge-info",
        ApplicationStatus::Approved | ApplicationStatus::PartiallyApproved | ApplicationStatus::Ruled => "badge-ok",
        ApplicationStatus::Refused => "badge-danger",
        ApplicationStatus::Disputed | ApplicationStatus::Escalated => "badge-warn",
        ApplicationStatus::Withdrawn => "",
    }
}

fn grant_badge(s: GrantStatus) -> &'static str {
    match s {
        GrantStatus::Active => "badge-ok",
        GrantStatus::Suspended => "badge-warn",
        GrantStatus::Revoked => "badge-danger",
        GrantStatus::Expired => "",
    }
}

/// "剩余3个工作日", "今天到期", "已超期2个工作日".
pub fn days_text(left: Option<i64>, overdue: bool) -> String {
    match left {
        Some(n) if n > 0 => format!("剩余{n}个工作日"),
        Some(0) if !overdue => "今天到期".into(),
        Some(n) => format!("已超期{}个工作日", (-n).max(1)),
        None if overdue => "已超期".into(),
        None => String::new(),
    }
}

/// One application in a list.
pub struct AppItem {
    pub id: i64,
    pub resource_code: String,
    pub resource_name: String,
    pub provider: String,
    pub consumer: String,
    pub status: String,
    pub badge: &'static str,
    pub received_on: String,
    pub reply_due: String,
    pub days: String,
    pub overdue: bool,
    pub purpose: String,
}

impl From<ApplicationRow> for AppItem {
    fn from(r: ApplicationRow) -> Self {
        AppItem {
            id: r.app.id,
            resource_code: r.resource_code,
            resource_name: r.resource_name,
            provider: r.provider_name,
            consumer: r.consumer_name,
            status: r.app.status.label().to_string(),
            badge: app_badge(r.app.status),
            received_on: r.app.received_on.to_string(),
            reply_due: r.app.reply_deadline().to_string(),
            days: days_text(r.working_days_left, r.overdue),
            overdue: r.overdue,
            purpose: format!("{}：{}", r.app.terms.purpose.kind.label(), r.app.terms.purpose.description),
        }
    }
}

/// Terms as lines of text.
pub struct TermsView {
    pub purpose: String,
    pub basis: Option<String>,
    pub fields: String,
    pub rows: Vec<String>,
    pub masks: Vec<String>,
    pub methods: String,
    pub period: String,
    pub contact: Option<String>,
    pub quota: Option<String>,
}

fn methods_text(m: &[ShareMethod]) -> String {
    m.iter().map(|m| m.label()).collect::<Vec<_>>().join("、")
}

impl TermsView {
    fn of_application(t: &ApplicationTerms) -> TermsView {
        TermsView {
            purpose: format!("{}：{}", t.purpose.kind.label(), t.purpose.description),
            basis: Some(t.basis.clone()),
            fields: t.fields.join("、"),
            rows: t.rows.iter().map(Filter::describe).collect(),
            masks: Vec::new(),
            methods: methods_text(&t.methods),
            period: format!("{} 至 {}", t.period.from, t.period.until),
            contact: Some(format!("{} {}", t.contact.name, t.contact.phone)),
            quota: None,
        }
    }

    fn of_grant(t: &GrantTerms) -> TermsView {
        TermsView {
            purpose: format!("{}：{}", t.purpose.kind.label(), t.purpose.description),
            basis: None,
            fields: t.fields.join("、"),
            rows: t.rows.iter().map(Filter::describe).collect(),
            masks: t.masks.iter().map(|m| format!("{}（{}）", m.field, m.rule.id())).collect(),
            methods: methods_text(&t.methods),
            period: format!("{} 至 {}", t.period.from, t.period.until),
            contact: None,
            quota: t.daily_row_quota.map(|q| format!("每日最多{q}行")),
        }
    }
}

/// One step of an application's or grant's timeline.
pub struct StepView {
    pub at: String,
    pub what: String,
    pub who: String,
    pub note: Option<String>,
}

fn party_label(p: &str) -> &'static str {
    match p {
        "consumer" => "使用部门",
        "provider" => "提供部门",
        "coordinator" => "共享主管部门",
        _ => "平台",
    }
}

fn action_label(code: &str) -> String {
    if code == "submit" {
        return "提交申请".into();
    }
    ApplicationAction::ALL.iter().find(|a| a.code() == code).map(|a| a.label().to_string()).unwrap_or(code.into())
}

fn grant_action_label(code: &str) -> String {
    if code == "issue" {
        return "签发授权".into();
    }
    GrantAction::ALL.iter().find(|a| a.code() == code).map(|a| a.label().to_string()).unwrap_or(code.into())
}

/// A choice of a select or a group of checkboxes.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn purpose_choices(selected: &str) -> Vec<Choice> {
    PurposeKind::ALL
        .iter()
        .map(|k| Choice { value: k.code().into(), label: k.label().into(), selected: k.code() == selected })
        .collect()
}

const OPS: [Op; 11] =
    [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::In, Op::Prefix, Op::Contains, Op::IsNull, Op::NotNull];

fn op_code(op: Op) -> String {
    serde_json::to_value(op).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// A row condition line of a form (field, operator, value).
pub struct RowLine {
    pub fields: Vec<Choice>,
    pub ops: Vec<Choice>,
    pub value: String,
}

fn row_lines(items: &[String], given: &[(String, String, String)], n: usize) -> Vec<RowLine> {
    (0..n.max(given.len()))
        .map(|i| {
            let (f, o, v) = given.get(i).cloned().unwrap_or_default();
            let mut fields =
                vec![Choice { value: String::new(), label: "（不限）".into(), selected: f.is_empty() }];
            fields.extend(items.iter().map(|n| Choice { value: n.clone(), label: n.clone(), selected: *n == f }));
            let ops = OPS
                .iter()
                .map(|op| Choice { value: op_code(*op), label: op.label().into(), selected: op_code(*op) == o })
                .collect();
            RowLine { fields, ops, value: v }
        })
        .collect()
}

/// Row conditions from parallel form fields; a line without a field is empty. `In` takes values
/// separated by 、 or commas; `IsNull`/`NotNull` take none.
fn parse_rows(fields: &[String], ops: &[String], values: &[String], errors: &mut FormErrors) -> Vec<Filter> {
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let f = f.trim();
        if f.is_empty() {
            continue;
        }
        let raw_op = ops.get(i).map(String::as_str).unwrap_or("eq");
        let Some(op) = OPS.iter().copied().find(|o| op_code(*o) == raw_op) else {
            let m = format!("数据范围条件的运算“{raw_op}”无效");
            errors.general.push(m.clone());
            errors.fields.entry("rows".into()).or_default().push(m);
            continue;
        };
        let v = values.get(i).map(|s| s.trim()).unwrap_or("");
        let value = match op {
            Op::IsNull | Op::NotNull => serde_json::Value::Null,
            Op::In => serde_json::Value::Array(
                v.split(['、', ',', '，'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| serde_json::Value::String(s.into()))
                    .collect(),
            ),
            _ => serde_json::Value::String(v.into()),
        };
        out.push(Filter::new(f, op, value));
    }
    out
}

fn field_error(errors: &mut FormErrors, field: &str, message: String) {
    errors.general.push(message.clone());
    errors.fields.entry(field.into()).or_default().push(message);
}

fn parse_date(raw: &str, field: &str, what: &str, errors: &mut FormErrors) -> NaiveDate {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) => {
            field_error(errors, field, format!("请填写{what}（格式：2026-01-31）"));
            NaiveDate::MIN
        }
    }
}

fn parse_methods(raw: &[String], errors: &mut FormErrors) -> Vec<ShareMethod> {
    let mut out = Vec::new();
    for m in raw {
        match ShareMethod::parse(m) {
            Some(m) => out.push(m),
            None => field_error(errors, "methods", format!("共享方式“{m}”无效，可选：{}", ShareMethod::expected())),
        }
    }
    out
}

fn parse_purpose(kind: &str, description: &str, errors: &mut FormErrors) -> Purpose {
    let kind = match PurposeKind::parse(kind) {
        Some(k) => k,
        None => {
            field_error(errors, "purpose_kind", "请选择使用用途类别".into());
            PurposeKind::Other
        }
    };
    // Checked with the rest of the terms by the service.
    Purpose { kind, description: description.trim().to_string() }
}

/// An id from the path; anything else is a page that does not exist.
fn parse_id(raw: &str) -> Result<i64, WebError> {
    raw.parse().map_err(|_| WebError::from(service::ServiceError::NotFound(format!("编号为“{raw}”的记录"))))
}

// ---------------------------------------------------------------------------------------------
// Applying

#[derive(Deserialize, Default)]
pub struct NewParams {
    #[serde(default)]
    resource: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ApplyForm {
    #[serde(default, rename = "csrf")]
    _csrf: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    row_field: Vec<String>,
    #[serde(default)]
    row_op: Vec<String>,
    #[serde(default)]
    row_value: Vec<String>,
    #[serde(default)]
    purpose_kind: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    period_from: String,
    #[serde(default)]
    period_until: String,
    #[serde(default)]
    methods: Vec<String>,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
}

/// One data item on the application form.
pub struct ItemChoice {
    pub name: String,
    pub share: &'static str,
    pub restricted: bool,
    pub checked: bool,
    pub description: String,
}

#[derive(Template)]
#[template(path = "console/sharing/apply.html")]
struct ApplyPage {
    chrome: Chrome,
    code: String,
    name: String,
    provider: String,
    share_type: &'static str,
    share_condition: String,
    own: bool,
    items: Vec<ItemChoice>,
    rows: Vec<RowLine>,
    purposes: Vec<Choice>,
    methods: Vec<Choice>,
    form: ApplyForm,
    errors: FormErrors,
}

fn apply_page(chrome: Chrome, actor: &Actor, r: &Resource, form: ApplyForm, errors: FormErrors) -> ApplyPage {
    let spec = &r.spec;
    let items = spec
        .data_items
        .iter()
        .map(|i| {
            let t = i.effective_share_type(spec);
            ItemChoice {
                name: i.name.clone(),
                share: t.label(),
                restricted: t != ShareType::Unconditional,
                checked: form.fields.contains(&i.name),
                description: i.description.clone().unwrap_or_default(),
            }
        })
        .collect();
    let offered: Vec<ShareMethod> =
        if spec.share_methods.is_empty() { ShareMethod::ALL.to_vec() } else { spec.share_methods.clone() };
    let methods = offered
        .iter()
        .map(|m| Choice {
            value: m.code().into(),
            label: m.label().into(),
            selected: form.methods.iter().any(|x| x == m.code()),
        })
        .collect();
    let names: Vec<String> = spec.data_items.iter().map(|i| i.name.clone()).collect();
    let given: Vec<(String, String, String)> = (0..form.row_field.len())
        .map(|i| {
            (
                form.row_field[i].clone(),
                form.row_op.get(i).cloned().unwrap_or_default(),
                form.row_value.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    ApplyPage {
        chrome,
        code: r.code.clone(),
        name: spec.name.clone(),
        provider: spec.provider_name.clone(),
        share_type: spec.share_type.label(),
        share_condition: spec.share_condition.clone().unwrap_or_default(),
        own: r.department_id == actor.department_id,
        items,
        rows: row_lines(&names, &given, 2),
        purposes: purpose_choices(&form.purpose_kind),
        methods,
        form,
        errors,
    }
}

async fn new_application(
    State(state): State<AppState>,
    Console(user): Console,
    WebQuery(p): WebQuery<NewParams>,
) -> WebResult {
    user.actor.authorize(Action::ApplyForData, Some(user.actor.department_id)).map_err(service::ServiceError::from)?;
    if p.resource.trim().is_empty() {
        return Err(WebError::BadForm("请从资源目录中选择要申请的资源".into()));
    }
    let r = service::catalog::get(&state.svc, &user.actor, p.resource.trim()).await?;
    let today = state.svc.clock.today();
    let form = ApplyForm {
        resource: r.code.clone(),
        period_from: today.to_string(),
        period_until: (today + chrono::Duration::days(364)).to_string(),
        ..Default::default()
    };
    let chrome = Chrome::console(&state, &user, format!("申请共享：{}", r.spec.name), "/console/applications").await;
    render(&apply_page(chrome, &user.actor, &r, form, FormErrors::default()))
}

async fn apply(
    State(state): State<AppState>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<ApplyForm>,
) -> WebResult {
    let r = service::catalog::get(&state.svc, &user.actor, form.resource.trim()).await?;
    let mut errors = FormErrors::default();
    let purpose = parse_purpose(&form.purpose_kind, &form.purpose, &mut errors);
    let rows = parse_rows(&form.row_field, &form.row_op, &form.row_value, &mut errors);
    let from = parse_date(&form.period_from, "period", "使用期限的开始日期", &mut errors);
    let until = parse_date(&form.period_until, "period", "使用期限的结束日期", &mut errors);
    let methods = parse_methods(&form.methods, &mut errors);
    if errors.is_empty() {
        let terms = ApplicationTerms {
            purpose,
            basis: form.basis.trim().to_string(),
            fields: form.fields.clone(),
            rows,
            period: Period { from, until },
            methods,
            contact: Contact { name: form.contact_name.trim().into(), phone: form.contact_phone.trim().into() },
            system_ids: Vec::new(),
        };
        match sharing::apply(&state.svc, &user.actor, &r.code, terms).await {
            Ok(app) => {
                return Ok(Redirect::to(&format!("/console/applications/{}?done=submitted", app.id)).into_response());
            }
            Err(e) => errors = FormErrors::from_service(e)?,
        }
    }
    let chrome = Chrome::console(&state, &user, format!("申请共享：{}", r.spec.name), "/console/applications").await;
    let page = apply_page(chrome, &user.actor, &r, form, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

// ---------------------------------------------------------------------------------------------
// Lists

#[derive(Template)]
#[template(path = "console/sharing/applications.html")]
struct ApplicationsPage {
    chrome: Chrome,
    mine: Vec<AppItem>,
    incoming: Vec<AppItem>,
    can_apply: bool,
}

async fn all_apps(state: &AppState, actor: &Actor, filter: ApplicationFilter) -> Result<Vec<Application>, WebError> {
    let mut out = Vec::new();
    let mut page = PageRequest { after: None, limit: 200 };
    loop {
        let batch = sharing::list(&state.svc, actor, filter.clone(), page).await?;
        out.extend(batch.items);
        match batch.next {
            Some(n) if out.len() < 1000 => page.after = Some(n),
            _ => return Ok(out),
        }
    }
}

async fn list_applications(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let a = &user.actor;
    let mine =
        all_apps(&state, a, ApplicationFilter { consumer_department_id: Some(a.department_id), ..Default::default() })
            .await?;
    let incoming =
        all_apps(&state, a, ApplicationFilter { provider_department_id: Some(a.department_id), ..Default::default() })
            .await?;
    let mine = supervision::describe(&state.svc, mine).await?.into_iter().map(AppItem::from).collect();
    let incoming = supervision::describe(&state.svc, incoming).await?.into_iter().map(AppItem::from).collect();
    let chrome = Chrome::console(&state, &user, "共享申请", "/console/applications").await;
    let can_apply = a.authorize(Action::ApplyForData, None).is_ok();
    render(&ApplicationsPage { chrome, mine, incoming, can_apply })
}

#[derive(Template)]
#[template(path = "console/sharing/inbox.html")]
struct InboxPage {
    chrome: Chrome,
    title: &'static str,
    intro: &'static str,
    items: Vec<AppItem>,
    overdue: usize,
}

async fn inbox(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let items: Vec<AppItem> =
        supervision::inbox(&state.svc, &user.actor).await?.into_iter().map(AppItem::from).collect();
    let overdue = items.iter().filter(|i| i.overdue).count();
    let chrome = Chrome::console(&state, &user, "审核待办", "/console/inbox").await;
    render(&InboxPage {
        chrome,
        title: "审核待办",
        intro: "其他部门向本部门提出的共享申请，按答复期限排序。提供部门应在10个工作日内予以答复，不予共享的应说明理由（国发〔2016〕51号第十二条）；逾期未答复的由平台提请共享主管部门协调。",
        items,
        overdue,
    })
}

async fn disputes(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let items: Vec<AppItem> =
        supervision::disputes(&state.svc, &user.actor).await?.into_iter().map(AppItem::from).collect();
    let overdue = items.iter().filter(|i| i.overdue).count();
    let chrome = Chrome::console(&state, &user, "争议协调", "/console/disputes").await;
    render(&InboxPage {
        chrome,
        title: "争议协调",
        intro: "提请协调和协商中的共享申请，协调中的在前。使用部门与提供部门协商未果的，由共享主管部门协调解决（国发〔2016〕51号第十二条）。",
        items,
        overdue,
    })
}

// ---------------------------------------------------------------------------------------------
// One application

#[derive(Deserialize, Default)]
pub struct DoneParams {
    #[serde(default)]
    done: Option<String>,
}

fn done_message(done: Option<&str>) -> Option<String> {
    let m = match done? {
        "submitted" => "共享申请已提交，提供部门应在10个工作日内答复",
        "decided" => "答复已提交",
        "acted" => "操作已完成",
        "ruled" => "裁决已记录",
        "changed" => "授权状态已更新",
        "feedback" => "感谢反馈，使用效果已报提供部门",
        _ => return None,
    };
    Some(m.to_string())
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct DecisionForm {
    #[serde(default, rename = "csrf")]
    _csrf: String,
    #[serde(default)]
    revision: i64,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    methods: Vec<String>,
    #[serde(default)]
    period_from: String,
    #[serde(default)]
    period_until: String,
    #[serde(default)]
    row_field: Vec<String>,
    #[serde(default)]
    row_op: Vec<String>,
    #[serde(default)]
    row_value: Vec<String>,
    #[serde(default)]
    daily_row_quota: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ActForm {
    #[serde(default, rename = "csrf")]
    _csrf: String,
    #[serde(default)]
    revision: i64,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

/// A form of the page for an action the user may take now.
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    pub needs_reason: bool,
    pub danger: bool,
}

#[derive(Template)]
#[template(path = "console/sharing/application.html")]
struct ApplicationPage {
    chrome: Chrome,
    item: AppItem,
    revision: i64,
    terms: TermsView,
    decision: Option<String>,
    grant_id: Option<i64>,
    steps: Vec<StepView>,
    actions: Vec<ActionForm>,
    /// The provider's approver may answer now.
    can_decide: bool,
    /// The coordinator may rule now.
    can_rule: bool,
    /// The data items asked for, for a partial approval or a ruling.
    asked: Vec<Choice>,
    asked_methods: Vec<Choice>,
    rows: Vec<RowLine>,
    decision_form: DecisionForm,
    errors: FormErrors,
    /// Which form the errors belong to: `decision`, `ruling` or `act`.
    errors_for: &'static str,
}

fn decision_text(v: &serde_json::Value) -> Option<String> {
    let outcome = v.get("outcome")?.as_str()?;
    let label = match outcome {
        "approve" => "同意",
        "approve_partially" => "部分同意",
        "refuse" => "不予共享",
        "share" => "裁决共享",
        "not_share" => "裁决不予共享",
        _ => outcome,
    };
    let why = v.get("reason").or_else(|| v.get("comment")).and_then(|r| r.as_str()).unwrap_or("");
    Some(if why.is_empty() { label.to_string() } else { format!("{label}：{why}") })
}

/// What the user may do to the application now (the service checks again).
fn available(actor: &Actor, app: &Application) -> (Vec<ActionForm>, bool, bool) {
    let provider = actor.department_id == app.provider_department_id
        && actor.authorize(Action::AnswerApplication, Some(app.provider_department_id)).is_ok();
    let consumer = actor.department_id == app.consumer_department_id
        && actor.authorize(Action::ApplyForData, Some(app.consumer_department_id)).is_ok();
    let coordinator = actor.authorize(Action::Coordinate, None).is_ok();
    let may = |party: Party, a: ApplicationAction| app.status.allows(party, a);
    let mut actions = Vec::new();
    if provider && may(Party::Provider, ApplicationAction::Review) {
        actions.push(ActionForm { action: "review", label: "开始审核", needs_reason: false, danger: false });
    }
    if consumer && may(Party::Consumer, ApplicationAction::Withdraw) {
        actions.push(ActionForm { action: "withdraw", label: "撤回申请", needs_reason: false, danger: true });
    }
    if consumer && may(Party::Consumer, ApplicationAction::Dispute) {
        actions.push(ActionForm { action: "dispute", label: "提出异议", needs_reason: true, danger: false });
    }
    if consumer && may(Party::Consumer, ApplicationAction::Escalate)
        || coordinator && may(Party::Coordinator, ApplicationAction::Escalate)
    {
        actions.push(ActionForm { action: "escalate", label: "提请协调", needs_reason: true, danger: false });
    }
    let can_decide = provider && may(Party::Provider, ApplicationAction::Approve);
    let can_rule = coordinator && may(Party::Coordinator, ApplicationAction::Rule);
    (actions, can_decide, can_rule)
}

async fn application_view(
    state: &AppState,
    user: &service::signin::SessionUser,
    id: i64,
    flash: Option<String>,
    decision_form: Option<DecisionForm>,
    errors: FormErrors,
    errors_for: &'static str,
) -> Result<ApplicationPage, WebError> {
    let actor = &user.actor;
    let app = sharing::get(&state.svc, actor, id).await?;
    let steps = sharing::steps(&state.svc, actor, id)
        .await?
        .into_iter()
        .map(|s| StepView {
            at: cst_minute(s.at),
            what: format!("{}（{}）", action_label(&s.action), s.to_status.label()),
            who: format!("{}{}", party_label(&s.party), s.actor_name.map(|n| format!(" {n}")).unwrap_or_default()),
            note: s.note,
        })
        .collect();
    let (actions, can_decide, can_rule) = available(actor, &app);
    let form = decision_form.unwrap_or_else(|| DecisionForm {
        fields: app.terms.fields.clone(),
        methods: app.terms.methods.iter().map(|m| m.code().to_string()).collect(),
        period_from: app.terms.period.from.to_string(),
        period_until: app.terms.period.until.to_string(),
        ..Default::default()
    });
    let asked = app
        .terms
        .fields
        .iter()
        .map(|f| Choice { value: f.clone(), label: f.clone(), selected: form.fields.contains(f) })
        .collect();
    let asked_methods = app
        .terms
        .methods
        .iter()
        .map(|m| Choice {
            value: m.code().into(),
            label: m.label().into(),
            selected: form.methods.iter().any(|x| x == m.code()),
        })
        .collect();
    let given: Vec<(String, String, String)> = (0..form.row_field.len())
        .map(|i| {
            (
                form.row_field[i].clone(),
                form.row_op.get(i).cloned().unwrap_or_default(),
                form.row_value.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let rows = row_lines(&app.terms.fields, &given, 1);
    let terms = TermsView::of_application(&app.terms);
    let decision = app.decision.as_ref().and_then(decision_text);
    let revision = app.revision;
    let grant_id = app.grant_id;
    let item = supervision::describe(&state.svc, vec![app])
        .await?
        .into_iter()
        .next()
        .map(AppItem::from)
        .ok_or_else(|| WebError::from(service::ServiceError::NotFound(format!("共享申请{id}"))))?;
    let chrome =
        Chrome::console(state, user, format!("共享申请 {id}"), "/console/applications").await.with_flash(flash);
    Ok(ApplicationPage {
        chrome,
        item,
        revision,
        terms,
        decision,
        grant_id,
        steps,
        actions,
        can_decide,
        can_rule,
        asked,
        asked_methods,
        rows,
        decision_form: form,
        errors,
        errors_for,
    })
}

async fn application_page(
    State(state): State<AppState>,
    Console(user): Console,
    Path(id): Path<String>,
    WebQuery(p): WebQuery<DoneParams>,
) -> WebResult {
    let id = parse_id(&id)?;
    let page =
        application_view(&state, &user, id, done_message(p.done.as_deref()), None, FormErrors::default(), "").await?;
    render(&page)
}

async fn refused_form(
    state: &AppState,
    user: &service::signin::SessionUser,
    id: i64,
    form: Option<DecisionForm>,
    e: service::ServiceError,
    errors_for: &'static str,
) -> WebResult {
    let errors = FormErrors::from_service(e)?;
    let page = application_view(state, user, id, None, form, errors, errors_for).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// The narrower terms of a partial approval or a ruling, from the form and the application.
async fn narrowed_terms(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: &DecisionForm,
    errors: &mut FormErrors,
) -> Result<GrantTerms, WebError> {
    let app = sharing::get(&state.svc, actor, id).await?;
    let mut rows = app.terms.rows.clone();
    rows.extend(parse_rows(&form.row_field, &form.row_op, &form.row_value, errors));
    let from = parse_date(&form.period_from, "period", "授权期限的开始日期", errors);
    let until = parse_date(&form.period_until, "period", "授权期限的结束日期", errors);
    let methods = parse_methods(&form.methods, errors);
    let quota = match form.daily_row_quota.trim() {
        "" => None,
        q => match q.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                field_error(errors, "daily_row_quota", "每日行数上限应为正整数（不限制请留空）".into());
                None
            }
        },
    };
    // What was asked, narrowed by the form; the service checks the result stays within the application.
    Ok(GrantTerms {
        fields: form.fields.clone(),
        rows,
        methods,
        period: Period { from, until },
        daily_row_quota: quota,
        ..GrantTerms::from_application(&app.terms)
    })
}

async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<DecisionForm>,
) -> WebResult {
    let id = parse_id(&id)?;
    let decision = match form.outcome.as_str() {
        "approve" => {
            let comment = Some(form.reason.trim().to_string()).filter(|c| !c.is_empty());
            Decision::Approve { comment }
        }
        "refuse" => Decision::Refuse { reason: form.reason.clone() },
        "approve_partially" => {
            let mut errors = FormErrors::default();
            let terms = narrowed_terms(&state, &user.actor, id, &form, &mut errors).await?;
            if !errors.is_empty() {
                let page = application_view(&state, &user, id, None, Some(form), errors, "decision").await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
            }
            Decision::ApprovePartially { terms, reason: form.reason.clone() }
        }
        _ => {
            let e = service::ServiceError::invalid("outcome", "required", "请选择答复意见：同意、部分同意或不予共享");
            return refused_form(&state, &user, id, Some(form), e, "decision").await;
        }
    };
    match sharing::act(&state.svc, &user.actor, id, form.revision, Act::Decide(decision)).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/applications/{id}?done=decided")).into_response()),
        Err(e @ (service::ServiceError::Forbidden(_) | service::ServiceError::NotFound(_))) => Err(e.into()),
        Err(e) => refused_form(&state, &user, id, Some(form), e, "decision").await,
    }
}

async fn rule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<DecisionForm>,
) -> WebResult {
    let id = parse_id(&id)?;
    let ruling = match form.outcome.as_str() {
        "share" => {
            let mut errors = FormErrors::default();
            let terms = narrowed_terms(&state, &user.actor, id, &form, &mut errors).await?;
            if !errors.is_empty() {
                let page = application_view(&state, &user, id, None, Some(form), errors, "ruling").await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
            }
            Ruling::Share { terms, reason: form.reason.clone() }
        }
        "not_share" => Ruling::NotShare { reason: form.reason.clone() },
        _ => {
            let e = service::ServiceError::invalid("outcome", "required", "请选择裁决意见：共享或不予共享");
            return refused_form(&state, &user, id, Some(form), e, "ruling").await;
        }
    };
    match sharing::act(&state.svc, &user.actor, id, form.revision, Act::Rule(ruling)).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/applications/{id}?done=ruled")).into_response()),
        Err(e @ (service::ServiceError::Forbidden(_) | service::ServiceError::NotFound(_))) => Err(e.into()),
        Err(e) => refused_form(&state, &user, id, Some(form), e, "ruling").await,
    }
}

async fn act_on(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<ActForm>,
) -> WebResult {
    let id = parse_id(&id)?;
    let act = match form.action.as_str() {
        "review" => Act::Review,
        "withdraw" => Act::Withdraw { note: Some(form.reason.trim().to_string()).filter(|r| !r.is_empty()) },
        "dispute" => Act::Dispute { reason: form.reason.clone() },
        "escalate" => Act::Escalate { reason: form.reason.clone() },
        other => return Err(WebError::BadForm(format!("操作“{other}”无效"))),
    };
    match sharing::act(&state.svc, &user.actor, id, form.revision, act).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/applications/{id}?done=acted")).into_response()),
        Err(e @ (service::ServiceError::Forbidden(_) | service::ServiceError::NotFound(_))) => Err(e.into()),
        Err(e) => refused_form(&state, &user, id, None, e, "act").await,
    }
}

// ---------------------------------------------------------------------------------------------
// Grants

/// One grant in a list.
pub struct GrantItem {
    pub id: i64,
    pub resource_code: String,
    pub resource_name: String,
    pub provider: String,
    pub consumer: String,
    pub status: &'static str,
    pub badge: &'static str,
    pub until: String,
    pub days_left: String,
    pub expiring: bool,
    pub usable: bool,
}

async fn grant_items(state: &AppState, actor: &Actor, grants: Vec<Grant>) -> Result<Vec<GrantItem>, WebError> {
    let names = service::accounts::department_names(&state.svc).await?;
    let ids: Vec<i64> = grants.iter().map(|g| g.resource_id).collect();
    let resources = service::catalog::get_many(&state.svc, actor, &ids).await?;
    let today = state.svc.clock.today();
    let mut out = Vec::new();
    for g in grants {
        let (code, name) = match resources.get(&g.resource_id) {
            Some(r) => (r.code.clone(), r.spec.name.clone()),
            None => (String::new(), format!("资源{}", g.resource_id)),
        };
        let left = (g.terms.period.until - today).num_days();
        let live = !sharing::grant_is_final(g.status);
        out.push(GrantItem {
            id: g.id,
            resource_code: code,
            resource_name: name,
            provider: names.get(&g.provider_department_id).cloned().unwrap_or_default(),
            consumer: names.get(&g.consumer_department_id).cloned().unwrap_or_default(),
            status: g.status.label(),
            badge: grant_badge(g.status),
            until: g.terms.period.until.to_string(),
            days_left: if !live {
                String::new()
            } else if left >= 0 {
                format!("剩余{left}天")
            } else {
                "已过期".into()
            },
            expiring: live && (0..=30).contains(&left),
            usable: sharing::usable_today(&state.svc, &g).is_ok(),
        });
    }
    Ok(out)
}

async fn all_grants(state: &AppState, actor: &Actor, filter: GrantFilter) -> Result<Vec<Grant>, WebError> {
    let mut out = Vec::new();
    let mut page = PageRequest { after: None, limit: 200 };
    loop {
        let batch = sharing::list_grants(&state.svc, actor, filter.clone(), page).await?;
        out.extend(batch.items);
        match batch.next {
            Some(n) if out.len() < 1000 => page.after = Some(n),
            _ => return Ok(out),
        }
    }
}

#[derive(Template)]
#[template(path = "console/sharing/grants.html")]
struct GrantsPage {
    chrome: Chrome,
    mine: Vec<GrantItem>,
    issued: Vec<GrantItem>,
}

async fn list_grants(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let a = &user.actor;
    let mine =
        all_grants(&state, a, GrantFilter { consumer_department_id: Some(a.department_id), ..Default::default() })
            .await?;
    let issued =
        all_grants(&state, a, GrantFilter { provider_department_id: Some(a.department_id), ..Default::default() })
            .await?;
    let mine = grant_items(&state, a, mine).await?;
    let issued = grant_items(&state, a, issued).await?;
    let chrome = Chrome::console(&state, &user, "共享授权", "/console/grants").await;
    render(&GrantsPage { chrome, mine, issued })
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ChangeForm {
    #[serde(default, rename = "csrf")]
    _csrf: String,
    #[serde(default)]
    revision: i64,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct FeedbackForm {
    #[serde(default, rename = "csrf")]
    _csrf: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    effect: String,
}

#[derive(Template)]
#[template(path = "console/sharing/grant.html")]
struct GrantPage {
    chrome: Chrome,
    item: GrantItem,
    revision: i64,
    application_id: Option<i64>,
    unusable: Option<String>,
    terms: TermsView,
    steps: Vec<StepView>,
    changes: Vec<ActionForm>,
    can_feedback: bool,
    feedback: FeedbackForm,
    errors: FormErrors,
    errors_for: &'static str,
}

async fn grant_view(
    state: &AppState,
    user: &service::signin::SessionUser,
    id: i64,
    flash: Option<String>,
    feedback: FeedbackForm,
    errors: FormErrors,
    errors_for: &'static str,
) -> Result<GrantPage, WebError> {
    let actor = &user.actor;
    let g = sharing::get_grant(&state.svc, actor, id).await?;
    let steps = sharing::grant_steps(&state.svc, actor, id)
        .await?
        .into_iter()
        .map(|s| StepView {
            at: cst_minute(s.at),
            what: format!("{}（{}）", grant_action_label(&s.action), s.to_status.label()),
            who: s.actor_name.unwrap_or_else(|| "平台".into()),
            note: s.reason,
        })
        .collect();
    let manages = actor.authorize(Action::ManageGrants, Some(g.provider_department_id)).is_ok();
    let changes = if manages {
        [(GrantAction::Suspend, true), (GrantAction::Resume, false), (GrantAction::Revoke, true)]
            .into_iter()
            .filter(|(a, _)| g.status.apply(*a).is_ok())
            .map(|(a, reason)| ActionForm {
                action: a.code(),
                label: a.label(),
                needs_reason: reason,
                danger: a == GrantAction::Revoke,
            })
            .collect()
    } else {
        Vec::new()
    };
    let can_feedback = actor.department_id == g.consumer_department_id
        && actor.authorize(Action::ApplyForData, Some(g.consumer_department_id)).is_ok();
    let unusable = sharing::usable_today(&state.svc, &g).err().map(|e| e.to_string());
    let terms = TermsView::of_grant(&g.terms);
    let (revision, application_id) = (g.revision, g.application_id);
    let item = grant_items(state, actor, vec![g])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| WebError::from(service::ServiceError::NotFound(format!("共享授权{id}"))))?;
    let chrome = Chrome::console(state, user, format!("共享授权 {id}"), "/console/grants").await.with_flash(flash);
    Ok(GrantPage {
        chrome,
        item,
        revision,
        application_id,
        unusable,
        terms,
        steps,
        changes,
        can_feedback,
        feedback,
        errors,
        errors_for,
    })
}

async fn grant_page(
    State(state): State<AppState>,
    Console(user): Console,
    Path(id): Path<String>,
    WebQuery(p): WebQuery<DoneParams>,
) -> WebResult {
    let id = parse_id(&id)?;
    let flash = done_message(p.done.as_deref());
    render(&grant_view(&state, &user, id, flash, FeedbackForm::default(), FormErrors::default(), "").await?)
}

async fn change_grant(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<ChangeForm>,
) -> WebResult {
    let id = parse_id(&id)?;
    let action = match form.action.as_str() {
        "suspend" => GrantAction::Suspend,
        "resume" => GrantAction::Resume,
        "revoke" => GrantAction::Revoke,
        other => return Err(WebError::BadForm(format!("操作“{other}”无效"))),
    };
    match sharing::change_grant(&state.svc, &user.actor, id, form.revision, action, Some(form.reason.clone())).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/grants/{id}?done=changed")).into_response()),
        Err(e @ (service::ServiceError::Forbidden(_) | service::ServiceError::NotFound(_))) => Err(e.into()),
        Err(e) => {
            let errors = FormErrors::from_service(e)?;
            let page = grant_view(&state, &user, id, None, FeedbackForm::default(), errors, "change").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

async fn feedback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<FeedbackForm>,
) -> WebResult {
    let id = parse_id(&id)?;
    let rating = form.rating.trim().parse::<i64>().unwrap_or(0);
    match sharing::give_feedback(&state.svc, &user.actor, id, rating, &form.effect).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/grants/{id}?done=feedback")).into_response()),
        Err(e @ (service::ServiceError::Forbidden(_) | service::ServiceError::NotFound(_))) => Err(e.into()),
        Err(e) => {
            let errors = FormErrors::from_service(e)?;
            let page = grant_view(&state, &user, id, None, form, errors, "feedback").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_left_in_words() {
        assert_eq!(days_text(Some(3), false), "剩余3个工作日");
        assert_eq!(days_text(Some(0), false), "今天到期");
        assert_eq!(days_text(Some(-2), true), "已超期2个工作日");
        assert_eq!(days_text(Some(0), true), "已超期1个工作日");
        assert_eq!(days_text(None, false), "");
    }

    #[test]
    fn row_conditions_from_a_form() {
        let mut e = FormErrors::default();
        let rows = parse_rows(
            &["区划".into(), "".into(), "姓名".into()],
            &["in".into(), "eq".into(), "not_null".into()],
            &["350102、350103".into(), "x".into(), "ignored".into()],
            &mut e,
        );
        assert!(e.is_empty());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].value, serde_json::json!(["350102", "350103"]));
        assert_eq!(rows[1].value, serde_json::Value::Null);
        parse_rows(&["区划".into()], &["drop".into()], &["1".into()], &mut e);
        assert!(e.has("rows"));
    }
}
