//! The audit log for auditors (三员分立: only the auditor role reads it): the latest verification
//! of the log against the platform's checkpoint key at the top, with a button that runs a new one
//! (a full replay, so not on every page view), then a search by user, department, action, object
//! and time range, page by page. Reads through `service::audit` and `service::supervision`, which
//! check the role.

use crate::web::session::WebQuery;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use service::supervision;
use store::model::{AuditFilter, PageRequest};

use crate::AppState;
use crate::format::url_part;
use crate::web::page::{Chrome, FormErrors, WebError, WebResult, render};
use crate::web::session::{Console, ConsoleForm};

const PAGE_SIZE: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/audit", get(audit_page)).route("/console/audit/verify", post(verify))
}

#[derive(Deserialize, Default, Clone)]
pub struct AuditParams {
    #[serde(default)]
    user: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object_type: String,
    #[serde(default)]
    object_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    cursor: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One event as a row.
pub struct EventRow {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub department: String,
    pub action: String,
    pub action_label: &'static str,
    pub object: String,
    pub detail: String,
    pub refused: bool,
}

/// The latest verification, shown at the top: `ok` is None when the log was never verified.
pub struct VerifyView {
    pub ok: Option<bool>,
    pub message: String,
}

impl VerifyView {
    fn of(last: Option<supervision::RecordedVerification>) -> VerifyView {
        let Some(v) = last else {
            return VerifyView {
                ok: None,
                message: "审计日志尚未核验。核验会重新计算全部记录的哈希并检查每个签名检查点。".into(),
            };
        };
        let when = format!("{} 由 {} 核验", v.at.with_timezone(&cst()).format("%Y-%m-%d %H:%M:%S"), v.by);
        match v.outcome {
            Ok(l) => VerifyView {
                ok: Some(true),
                message: format!(
                    "{when}：已核验当时的全部 {} 条记录，{} 个签名检查点有效，前 {} 条已由检查点签名确认。此后的记录待下次核验。",
                    l.entries, l.checkpoints, l.checkpointed
                ),
            },
            Err(problem) => VerifyView { ok: Some(false), message: format!("{when}，发现问题：{problem}") },
        }
    }
}

#[derive(Deserialize)]
pub struct VerifyForm {}

/// Runs a verification of the whole log (recorded as an `audit.verify` event), then shows the page.
async fn verify(State(state): State<AppState>, f: ConsoleForm<VerifyForm>) -> WebResult {
    // Passed or not, the outcome is recorded; the page shows it.
    let _outcome = supervision::verify_audit(&state.svc, &f.user.0.actor).await?;
    Ok(Redirect::to("/console/audit").into_response())
}

#[derive(Template)]
#[template(path = "console/audit/audit.html")]
struct AuditPage {
    chrome: Chrome,
    verification: VerifyView,
    params: AuditParams,
    departments: Vec<Choice>,
    actions: Vec<Choice>,
    errors: FormErrors,
    events: Vec<EventRow>,
    total: i64,
    next_href: Option<String>,
    first_href: Option<String>,
}

/// Chinese names of the recorded actions (the code is shown too).
const ACTIONS: [(&str, &str); 31] = [
    ("application.", "共享申请（全部）"),
    ("application.submit", "提交共享申请"),
    ("application.review", "开始审核申请"),
    ("application.approve", "同意共享"),
    ("application.approve_partially", "部分同意共享"),
    ("application.refuse", "不予共享"),
    ("application.withdraw", "撤回申请"),
    ("application.dispute", "提出异议"),
    ("application.escalate", "提请协调"),
    ("application.rule", "协调裁决"),
    ("grant.", "共享授权（全部）"),
    ("grant.issue", "签发授权"),
    ("grant.suspend", "暂停授权"),
    ("grant.resume", "恢复授权"),
    ("grant.revoke", "撤销授权"),
    ("grant.expire", "授权到期"),
    ("data.", "数据读取与发布（全部）"),
    ("data.query", "查询数据"),
    ("data.download", "下载数据"),
    ("data.verify", "核验数据"),
    ("audit.verify", "核验审计日志"),
    ("data.read_denied", "读取被拒绝"),
    ("data.publish", "发布数据"),
    ("data.trace", "泄露溯源"),
    ("resource.", "目录（全部）"),
    ("auth.", "登录与认证（全部）"),
    ("auth.sign_in", "登录工作台"),
    ("auth.sign_in_locked", "登录被锁定"),
    ("user.", "用户管理（全部）"),
    ("audit.export", "导出审计日志"),
    ("http.refused", "越权请求被拒绝"),
];

fn action_label(code: &str) -> &'static str {
    ACTIONS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
}

fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

/// The start of a day in China Standard Time, as UTC.
fn day_start(d: NaiveDate) -> Option<DateTime<Utc>> {
    cst().from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single().map(|t| t.with_timezone(&Utc))
}

fn push(errors: &mut FormErrors, field: &str, m: String) {
    errors.general.push(m.clone());
    errors.fields.entry(field.into()).or_default().push(m);
}

async fn audit_page(
    State(state): State<AppState>,
    Console(user): Console,
    WebQuery(p): WebQuery<AuditParams>,
) -> WebResult {
    let actor = &user.actor;
    // `last_audit_verification` checks the auditor role first.
    let verification = VerifyView::of(supervision::last_audit_verification(&state.svc, actor).await?);
    let names = service::accounts::department_names(&state.svc).await?;
    let mut errors = FormErrors::default();
    let mut filter = AuditFilter::default();
    if !p.user.trim().is_empty() {
        match supervision::audit_user(&state.svc, actor, &p.user).await? {
            Some(id) => filter.user_id = Some(id),
            None => push(&mut errors, "user", format!("没有用户名为“{}”的用户", p.user.trim())),
        }
    }
    if !p.department.trim().is_empty() {
        match p.department.trim().parse::<i64>() {
            Ok(d) if names.contains_key(&d) => filter.department_id = Some(d),
            _ => push(&mut errors, "department", "请从列表中选择部门".into()),
        }
    }
    let trimmed = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    filter.action_prefix = trimmed(&p.action);
    filter.object_type = trimmed(&p.object_type);
    filter.object_id = trimmed(&p.object_id);
    let date = |raw: &str, field: &str, errors: &mut FormErrors| -> Option<NaiveDate> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                push(errors, field, format!("日期“{raw}”无效，格式如 2026-01-31"));
                None
            }
        }
    };
    let from = date(&p.from, "from", &mut errors);
    let until = date(&p.until, "until", &mut errors);
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        push(&mut errors, "until", "结束日期早于开始日期".into());
    }
    filter.from = from.and_then(day_start);
    // The end date is included: up to the start of the next day.
    filter.until = until.and_then(|u| u.succ_opt()).and_then(day_start);
    let after = match p.cursor.trim() {
        "" => None,
        c => match c.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return Err(WebError::BadForm("分页参数无效，请从第一页重新查询".into())),
        },
    };
    let (events, total, next) = if errors.is_empty() {
        let page = service::audit::list(&state.svc, actor, &filter, PageRequest { after, limit: PAGE_SIZE }).await?;
        let events = page
            .items
            .into_iter()
            .map(|e| {
                let mut detail = e.detail.to_string();
                if detail.chars().count() > 300 {
                    detail = format!("{}…", detail.chars().take(300).collect::<String>());
                }
                EventRow {
                    id: e.id,
                    at: e.at.with_timezone(&cst()).format("%Y-%m-%d %H:%M:%S").to_string(),
                    user: e.username.unwrap_or_else(|| "平台".into()),
                    department: e.department_id.and_then(|d| names.get(&d).cloned()).unwrap_or_default(),
                    action_label: action_label(&e.action),
                    refused: e.action.ends_with("denied")
                        || e.action.ends_with("refused")
                        || e.action.contains("failed"),
                    action: e.action,
                    object: format!("{} {}", e.object_type, e.object_id.unwrap_or_default()).trim().to_string(),
                    detail,
                }
            })
            .collect();
        (events, page.total, page.next)
    } else {
        (Vec::new(), 0, None)
    };
    let base = format!(
        "/console/audit?user={}&department={}&action={}&object_type={}&object_id={}&from={}&until={}",
        url_part(&p.user),
        url_part(&p.department),
        url_part(&p.action),
        url_part(&p.object_type),
        url_part(&p.object_id),
        url_part(&p.from),
        url_part(&p.until)
    );
    let mut departments: Vec<Choice> = names
        .iter()
        .map(|(id, n)| Choice {
            value: id.to_string(),
            label: n.clone(),
            selected: p.department.trim() == id.to_string(),
        })
        .collect();
    departments.sort_by(|a, b| a.label.cmp(&b.label));
    let actions = ACTIONS
        .iter()
        .map(|(c, l)| Choice { value: c.to_string(), label: format!("{l}（{c}）"), selected: p.action.trim() == *c })
        .collect();
    let chrome = Chrome::console(&state, &user, "审计日志", "/console/audit").await;
    let page = AuditPage {
        chrome,
        verification,
        next_href: next.map(|n| format!("{base}&cursor={n}")),
        first_href: after.map(|_| base.clone()),
        params: p,
        departments,
        actions,
        errors,
        events,
        total,
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_china_standard_time() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        assert_eq!(day_start(d).unwrap().to_rfc3339(), "2026-03-02T16:00:00+00:00");
        assert_eq!(action_label("application.refuse"), "不予共享");
        assert_eq!(action_label("unknown.x"), "");
    }
}
