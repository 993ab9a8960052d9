//! 开放申请 (`/console/open-requests`): the providing department's approvers answer applications
//! for their 有条件开放 datasets before the deadline (a refusal needs a reason, which the applicant
//! sees on the status page). Rules in `service::open_requests`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::portal::OpenRequestStatus;
use serde::Deserialize;
use store::model::PageRequest;
use store::portal_store::OpenRequest;

use crate::AppState;
use crate::web::page::{Chrome, FormErrors, WebError, WebResult, render};
use crate::web::portal::datasets::dataset_href;
use crate::web::session::{Console, ConsoleForm, WebQuery};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub status: Option<String>,
    pub done: Option<String>,
    pub after: Option<i64>,
}

pub struct Row {
    pub id: i64,
    pub reference: String,
    pub dataset: String,
    pub applicant: String,
    pub submitted: String,
    pub deadline: String,
    pub overdue: bool,
    pub status: &'static str,
    pub status_class: &'static str,
}

pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "console/portal/open_requests.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    total: i64,
    next: Option<String>,
}

fn status_class(s: OpenRequestStatus) -> &'static str {
    match s {
        OpenRequestStatus::Pending => "badge-info",
        OpenRequestStatus::Approved => "badge-ok",
        OpenRequestStatus::Refused => "badge-danger",
    }
}

pub async fn list(
    State(state): State<AppState>,
    Console(user): Console,
    WebQuery(q): WebQuery<ListQuery>,
) -> WebResult {
    let wanted = q.status.as_deref().unwrap_or("pending");
    let status = match wanted {
        "all" => None,
        s => Some(OpenRequestStatus::parse(s).unwrap_or(OpenRequestStatus::Pending)),
    };
    let page = service::open_requests::list(&state.svc, &user.actor, status, PageRequest { after: q.after, limit: 50 })
        .await?;
    let mut rows = Vec::new();
    let ids: Vec<i64> = page.items.iter().map(|r| r.resource_id).collect();
    let resources = service::catalog::get_many(&state.svc, &user.actor, &ids).await?;
    for r in &page.items {
        let name = resources.get(&r.resource_id).map(|x| x.spec.name.clone()).unwrap_or_default();
        rows.push(Row {
            id: r.id,
            reference: r.reference.clone(),
            dataset: name,
            applicant: format!("{}（{}）", r.applicant, r.organisation),
            submitted: store::time::cst_date(r.submitted_at).to_string(),
            deadline: r.answer_deadline().to_string(),
            overdue: service::open_requests::is_overdue(&state.svc, r),
            status: r.status.label(),
            status_class: status_class(r.status),
        });
    }
    let flash = match q.done.as_deref() {
        Some("approved") => Some("已同意该申请，申请人可凭查询码看到答复。".to_string()),
        Some("refused") => Some("已答复不予同意，申请人可凭查询码看到理由。".to_string()),
        _ => None,
    };
    let key = status.map(|s| s.code()).unwrap_or("all");
    let tabs = [
        ("/console/open-requests?status=pending", "待答复", "pending"),
        ("/console/open-requests?status=approved", "已同意", "approved"),
        ("/console/open-requests?status=refused", "不予同意", "refused"),
        ("/console/open-requests?status=all", "全部", "all"),
    ]
    .into_iter()
    .map(|(href, label, k)| Tab { href, label, current: k == key })
    .collect();
    let chrome = Chrome::console(&state, &user, "开放申请", "/console/open-requests").await.with_flash(flash);
    render(&ListPage {
        chrome,
        tabs,
        rows,
        total: page.total,
        next: page.next.map(|n| format!("/console/open-requests?status={key}&after={n}")),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/portal/open_request.html")]
struct ShowPage {
    chrome: Chrome,
    request: OpenRequest,
    dataset: String,
    dataset_href: String,
    condition: String,
    status: &'static str,
    status_class: &'static str,
    submitted: String,
    deadline: String,
    overdue: bool,
    pending: bool,
    reason: String,
    errors: FormErrors,
}

async fn show_page(
    state: &AppState,
    user: &service::signin::SessionUser,
    id: &str,
    reason: String,
    errors: FormErrors,
) -> Result<ShowPage, WebError> {
    let id: i64 = id.parse().map_err(|_| service::ServiceError::NotFound(format!("开放数据申请 {id}")))?;
    let (request, d) = service::open_requests::get(&state.svc, &user.actor, id).await?;
    Ok(ShowPage {
        chrome: Chrome::console(state, user, format!("开放申请 {}", request.reference), "/console/open-requests").await,
        dataset: d.name,
        dataset_href: dataset_href(&d.code),
        condition: d.open_condition.unwrap_or_default(),
        status: request.status.label(),
        status_class: status_class(request.status),
        submitted: store::time::cst_date(request.submitted_at).to_string(),
        deadline: request.answer_deadline().to_string(),
        overdue: service::open_requests::is_overdue(&state.svc, &request),
        pending: request.status == OpenRequestStatus::Pending,
        request,
        reason,
        errors,
    })
}

pub async fn show(State(state): State<AppState>, Console(user): Console, Path(id): Path<String>) -> WebResult {
    render(&show_page(&state, &user, &id, String::new(), FormErrors::default()).await?)
}

pub async fn answer(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm<AnswerForm>) -> WebResult {
    let user = &f.user.0;
    let approve = match f.form.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(WebError::BadForm("请选择“同意”或“不予同意”".into())),
    };
    let request_id: i64 = id.parse().map_err(|_| service::ServiceError::NotFound(format!("开放数据申请 {id}")))?;
    match service::open_requests::answer(&state.svc, &user.actor, request_id, approve, &f.form.reason).await {
        Ok(_) => Ok(Redirect::to(if approve {
            "/console/open-requests?done=approved"
        } else {
            "/console/open-requests?done=refused"
        })
        .into_response()),
        Err(e @ (service::ServiceError::Invalid(_) | service::ServiceError::Conflict(_))) => {
            let errors = FormErrors::from_service(e)?;
            let page = show_page(&state, user, &id, f.form.reason.clone(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
