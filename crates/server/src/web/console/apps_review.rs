//! 应用审核 (`/console/apps`): the coordinator approves or rejects apps submitted to the showcase
//! (a rejection needs a reason); only approved apps are shown on the portal. Rules in
//! `service::apps`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::portal::AppStatus;
use serde::Deserialize;
use store::model::PageRequest;
use store::portal_store::PortalApp;

use crate::AppState;
use crate::web::page::{Chrome, FormErrors, WebError, WebResult, render};
use crate::web::portal::apps::{DatasetLink, dataset_links};
use crate::web::session::{Console, ConsoleForm, WebQuery};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub status: Option<String>,
    pub done: Option<String>,
    pub after: Option<i64>,
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub developer: String,
    pub submitted: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub datasets: usize,
}

pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "console/portal/apps.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    total: i64,
    next: Option<String>,
}

fn status_class(s: AppStatus) -> &'static str {
    match s {
        AppStatus::Pending => "badge-info",
        AppStatus::Approved => "badge-ok",
        AppStatus::Rejected => "badge-danger",
    }
}

fn row(a: &PortalApp) -> Row {
    Row {
        id: a.id,
        name: a.name.clone(),
        developer: a.developer.clone(),
        submitted: store::time::cst_date(a.submitted_at).to_string(),
        status: a.status.label(),
        status_class: status_class(a.status),
        datasets: a.datasets.len(),
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
        s => Some(AppStatus::parse(s).unwrap_or(AppStatus::Pending)),
    };
    let page =
        service::apps::list_for_review(&state.svc, &user.actor, status, PageRequest { after: q.after, limit: 50 })
            .await?;
    let flash = match q.done.as_deref() {
        Some("approved") => Some("已通过审核，该应用已在门户“应用汇聚”展示。".to_string()),
        Some("rejected") => Some("已驳回，该应用不会在门户展示。".to_string()),
        _ => None,
    };
    let key = status.map(|s| s.code()).unwrap_or("all");
    let tabs = [
        ("/console/apps?status=pending", "待审核", "pending"),
        ("/console/apps?status=approved", "已通过", "approved"),
        ("/console/apps?status=rejected", "未通过", "rejected"),
        ("/console/apps?status=all", "全部", "all"),
    ]
    .into_iter()
    .map(|(href, label, k)| Tab { href, label, current: k == key })
    .collect();
    let chrome = Chrome::console(&state, &user, "应用审核", "/console/apps").await.with_flash(flash);
    render(&ListPage {
        chrome,
        tabs,
        rows: page.items.iter().map(row).collect(),
        total: page.total,
        next: page.next.map(|n| format!("/console/apps?status={key}&after={n}")),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/portal/app.html")]
struct ShowPage {
    chrome: Chrome,
    app: PortalApp,
    status: &'static str,
    status_class: &'static str,
    submitted: String,
    datasets: Vec<DatasetLink>,
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
    let id: i64 = id.parse().map_err(|_| service::ServiceError::NotFound(format!("应用 {id}")))?;
    let app = service::apps::get_for_review(&state.svc, &user.actor, id).await?;
    Ok(ShowPage {
        chrome: Chrome::console(state, user, format!("审核应用：{}", app.name), "/console/apps").await,
        status: app.status.label(),
        status_class: status_class(app.status),
        submitted: store::time::cst_date(app.submitted_at).to_string(),
        datasets: dataset_links(state, &app.datasets).await,
        pending: app.status == AppStatus::Pending,
        app,
        reason,
        errors,
    })
}

pub async fn show(State(state): State<AppState>, Console(user): Console, Path(id): Path<String>) -> WebResult {
    render(&show_page(&state, &user, &id, String::new(), FormErrors::default()).await?)
}

pub async fn review(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm<ReviewForm>) -> WebResult {
    let user = &f.user.0;
    let approve = match f.form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(WebError::BadForm("请选择“通过”或“驳回”".into())),
    };
    let app_id: i64 = id.parse().map_err(|_| service::ServiceError::NotFound(format!("应用 {id}")))?;
    match service::apps::review(&state.svc, &user.actor, app_id, approve, &f.form.reason).await {
        Ok(_) => Ok(Redirect::to(if approve { "/console/apps?done=approved" } else { "/console/apps?done=rejected" })
            .into_response()),
        Err(e @ (service::ServiceError::Invalid(_) | service::ServiceError::Conflict(_))) => {
            let errors = FormErrors::from_service(e)?;
            let page = show_page(&state, user, &id, f.form.reason.clone(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
