//! 开放审查 (保密审查, seed 002 二(一)): the providing department's approver reviews the flagged
//! columns of the latest version of a 无条件开放 resource, decides each one (不开放 / 脱敏开放 /
//! 确认原样开放 with a reason), and opens it; or stops opening it. Rules in `service::open`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use domain::masking::{MaskKind, MaskRule};
use domain::open::ColumnDecision;
use serde::Deserialize;
use service::open::{Review, ReviewState};
use service::signin::SessionUser;

use super::catalog::is_refusal;
use crate::AppState;
use crate::format::{cst_minute, url_part};
use crate::web::page::{Chrome, FormErrors, WebResult, render};
use crate::web::session::{Console, ConsoleForm, WebQuery};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/open-reviews", get(list))
        .route("/console/open-reviews/{code}", get(show))
        .route("/console/open-reviews/{code}/decide", post(decide))
        .route("/console/open-reviews/{code}/open", post(open))
        .route("/console/open-reviews/{code}/close", post(close))
}

fn review_href(code: &str) -> String {
    format!("/console/open-reviews/{}", url_part(code))
}

fn state_badge(s: ReviewState) -> &'static str {
    match s {
        ReviewState::Open => "badge badge-ok",
        ReviewState::Pending | ReviewState::OlderOpen => "badge badge-warn",
        ReviewState::Ready => "badge badge-info",
        ReviewState::NoData => "badge",
    }
}

struct ListRow {
    href: String,
    code: String,
    name: String,
    version: String,
    state: &'static str,
    state_class: &'static str,
    opened: String,
}

#[derive(Template)]
#[template(path = "console/open/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<ListRow>,
}

async fn list(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let rows = service::open::reviews(&state.svc, &user.actor)
        .await?
        .into_iter()
        .map(|r| ListRow {
            href: review_href(&r.resource.code),
            code: r.resource.code.clone(),
            name: r.resource.spec.name.clone(),
            version: r.latest_version.map(|v| format!("第{v}版")).unwrap_or_else(|| "—".into()),
            state: r.state.label(),
            state_class: state_badge(r.state),
            opened: r
                .opening
                .map(|o| format!("第{}版，{}", o.version, cst_minute(o.opened_at)))
                .unwrap_or_else(|| "未开放".into()),
        })
        .collect();
    let chrome = Chrome::console(&state, &user, "开放审查", "/console/open-reviews").await;
    render(&ListPage { chrome, rows })
}

/// One flagged column on the page.
struct ColumnRow {
    column: String,
    kind: String,
    why: String,
    examples: Vec<String>,
    decision: Option<String>,
    decided_at: String,
    /// The decision recorded (its code) and the masking rule to preselect.
    current: &'static str,
    rule: &'static str,
    /// The form's values after a refused decision on this column.
    error: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "console/open/review.html")]
struct ReviewPage {
    chrome: Chrome,
    code: String,
    name: String,
    href: String,
    version: Option<i64>,
    state: &'static str,
    state_class: &'static str,
    columns: Vec<ColumnRow>,
    clear_columns: Vec<String>,
    undecided: Vec<String>,
    opened: Option<String>,
    open_now: bool,
    portal_href: String,
    errors: FormErrors,
    mask_options: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

fn done_notice(done: &str) -> Option<String> {
    Some(
        match done {
            "decide" => "审查决定已保存。",
            "open" => "已向社会开放。开放数据门户现在提供该版本的数据（已按审查决定脱敏或去除相应列）。",
            "close" => "已停止开放。开放数据门户不再提供该数据。",
            _ => return None,
        }
        .to_string(),
    )
}

const MASKS: &[MaskKind] =
    &[MaskKind::CitizenId, MaskKind::Mobile, MaskKind::Name, MaskKind::Address, MaskKind::BankCard, MaskKind::Email];

fn rule_of(kind: &str) -> Option<MaskRule> {
    Some(match MaskKind::parse(kind)? {
        MaskKind::CitizenId => MaskRule::CitizenId,
        MaskKind::Mobile => MaskRule::Mobile,
        MaskKind::Name => MaskRule::Name,
        MaskKind::Address => MaskRule::Address,
        MaskKind::BankCard => MaskRule::BankCard,
        MaskKind::Email => MaskRule::Email,
        MaskKind::Custom => return None,
    })
}

async fn show_review(
    state: &AppState,
    user: &SessionUser,
    review: Review,
    flash: Option<String>,
    errors: FormErrors,
    failed: Option<(&str, &str)>,
    status: StatusCode,
) -> WebResult {
    let r = &review.resource;
    let columns = review
        .columns
        .iter()
        .map(|c| {
            let f = &c.finding;
            let why = match (f.by_name, f.matched) {
                (true, 0) => "列名提示".to_string(),
                (true, n) => format!("列名提示；样本{}个值中{}个符合", f.sampled, n),
                (false, n) => format!("样本{}个值中{}个符合", f.sampled, n),
            };
            let mine = failed.filter(|(col, _)| *col == f.column);
            ColumnRow {
                column: f.column.clone(),
                kind: f.kind.label().to_string(),
                why,
                examples: f.examples.clone(),
                decision: c.decision.as_ref().map(|d| d.decision.label()),
                decided_at: c.decision.as_ref().map(|d| cst_minute(d.decided_at)).unwrap_or_default(),
                current: c.decision.as_ref().map(|d| d.decision.code()).unwrap_or(""),
                rule: match c.decision.as_ref().map(|d| &d.decision) {
                    Some(ColumnDecision::Mask { rule }) => rule.kind().code(),
                    _ => f.suggested.kind().code(),
                },
                error: if mine.is_some() { errors.general.join("；") } else { String::new() },
                reason: match (mine, c.decision.as_ref().map(|d| &d.decision)) {
                    (Some((_, r)), _) => r.to_string(),
                    (None, Some(ColumnDecision::SignOff { reason })) => reason.clone(),
                    _ => String::new(),
                },
            }
        })
        .collect();
    let undecided = review.undecided();
    let chrome = Chrome::console(state, user, format!("开放审查：{}", r.spec.name), "/console/open-reviews")
        .await
        .with_flash(flash);
    let page = ReviewPage {
        chrome,
        code: r.code.clone(),
        name: r.spec.name.clone(),
        href: review_href(&r.code),
        version: review.version.as_ref().map(|v| v.version),
        state: review.state.label(),
        state_class: state_badge(review.state),
        columns,
        clear_columns: review.clear_columns.clone(),
        undecided,
        opened: review.opening.as_ref().map(|o| format!("第{}版，{} 开放", o.version, cst_minute(o.opened_at))),
        open_now: review.opening.is_some(),
        portal_href: crate::web::portal::datasets::dataset_href(&r.code),
        errors: if failed.is_some() { FormErrors::default() } else { errors },
        mask_options: MASKS.iter().map(|k| (k.code(), k.label())).collect(),
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    Ok(res)
}

async fn show(
    State(state): State<AppState>,
    Console(user): Console,
    Path(code): Path<String>,
    WebQuery(q): WebQuery<DoneQuery>,
) -> WebResult {
    let review = service::open::review(&state.svc, &user.actor, &code).await?;
    let flash = q.done.as_deref().and_then(done_notice);
    show_review(&state, &user, review, flash, FormErrors::default(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    column: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    reason: String,
}

fn parse_version(v: &str) -> Result<i64, service::ServiceError> {
    v.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| service::ServiceError::invalid("version", "invalid_value", "审查的版本号无效，请刷新页面后重试"))
}

fn parse_decision(f: &DecideForm) -> Result<ColumnDecision, service::ServiceError> {
    match f.decision.as_str() {
        "remove" => Ok(ColumnDecision::Remove),
        "mask" => rule_of(&f.rule).map(|rule| ColumnDecision::Mask { rule }).ok_or_else(|| {
            service::ServiceError::invalid(
                "rule",
                "invalid_value",
                "请选择脱敏规则（身份证号、手机号、姓名、地址、银行卡号或电子邮箱）",
            )
        }),
        "sign_off" => Ok(ColumnDecision::SignOff { reason: f.reason.clone() }),
        _ => Err(service::ServiceError::invalid(
            "decision",
            "required",
            "请选择审查决定：不开放该列、脱敏开放，或确认原样开放（须写明理由）",
        )),
    }
}

async fn decide(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<DecideForm>,
) -> WebResult {
    let svc = &state.svc;
    let result = match (parse_version(&form.version), parse_decision(&form)) {
        (Ok(v), Ok(d)) => service::open::decide(svc, &user.actor, &code, v, form.column.trim(), d).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(r) => Ok(Redirect::to(&format!("{}?done=decide", review_href(&r.resource.code))).into_response()),
        Err(e) if is_refusal(&e) => {
            let errors = FormErrors::from_service(e)?;
            let review = service::open::review(svc, &user.actor, &code).await?;
            let failed = Some((form.column.trim(), form.reason.as_str()));
            let known = review.columns.iter().any(|c| c.finding.column == form.column.trim());
            let failed = if known { failed } else { None };
            show_review(&state, &user, review, None, errors, failed, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct OpenForm {
    #[serde(default)]
    version: String,
}

async fn open(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<OpenForm>,
) -> WebResult {
    let svc = &state.svc;
    let result = match parse_version(&form.version) {
        Ok(v) => service::open::open(svc, &user.actor, &code, v).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{}?done=open", review_href(&code))).into_response()),
        Err(e) if is_refusal(&e) => {
            let errors = FormErrors::from_service(e)?;
            let review = service::open::review(svc, &user.actor, &code).await?;
            show_review(&state, &user, review, None, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    reason: String,
}

async fn close(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<CloseForm>,
) -> WebResult {
    let svc = &state.svc;
    match service::open::close(svc, &user.actor, &code, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?done=close", review_href(&code))).into_response()),
        Err(e) if is_refusal(&e) => {
            let errors = FormErrors::from_service(e)?;
            let review = service::open::review(svc, &user.actor, &code).await?;
            show_review(&state, &user, review, None, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
