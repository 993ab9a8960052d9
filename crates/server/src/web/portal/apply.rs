//! 有条件开放 applications (`/datasets/{code}/apply`, seed 002): the form shows the dataset's open
//! conditions; the application goes to the providing department, and the applicant follows the
//! answer with a reference code (`/datasets/apply/status?ref=`). Rules in
//! `service::open_requests`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use serde::Deserialize;
use service::ServiceError;

use super::datasets::dataset_href;
use crate::AppState;
use crate::web::page::{Chrome, FormErrors, WebResult, render};
use crate::web::session::{ClientAddr, PublicForm, WebQuery};

#[derive(Debug, Default, Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    pub applicant: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub intended_use: String,
    #[serde(default)]
    pub period_from: String,
    #[serde(default)]
    pub period_to: String,
}

#[derive(Template)]
#[template(path = "portal/apply/form.html")]
struct FormPage {
    chrome: Chrome,
    code: String,
    href: String,
    action: String,
    name: String,
    department: String,
    condition: String,
    reply_days: u32,
    form: ApplyForm,
    errors: FormErrors,
}

fn apply_href(code: &str) -> String {
    format!("{}/apply", dataset_href(code))
}

async fn form_page(
    state: &AppState,
    code: &str,
    form: ApplyForm,
    errors: FormErrors,
) -> Result<FormPage, crate::web::page::WebError> {
    let d = service::open_requests::conditional_dataset(&state.svc, code).await?;
    let spec = &d.resource.spec;
    Ok(FormPage {
        chrome: Chrome::portal(state, format!("申请开放数据：{}", spec.name), "/datasets").await,
        code: d.resource.code.clone(),
        href: dataset_href(&d.resource.code),
        action: apply_href(&d.resource.code),
        name: spec.name.clone(),
        department: d.department.clone(),
        condition: spec.open_condition.clone().unwrap_or_default(),
        reply_days: state.svc.settings.reply_days,
        form,
        errors,
    })
}

pub async fn form(State(state): State<AppState>, Path(code): Path<String>) -> WebResult {
    let today = store::time::cst_date(state.svc.clock.now());
    let form = ApplyForm { period_from: today.to_string(), ..Default::default() };
    render(&form_page(&state, &code, form, FormErrors::default()).await?)
}

fn date(field: &str, label: &str, value: &str) -> Result<NaiveDate, ServiceError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ServiceError::invalid(field, "required", format!("请填写{label}")));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| ServiceError::invalid(field, "invalid_date", format!("{label}应为日期，如 2026-12-31")))
}

pub async fn submit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ClientAddr(client): ClientAddr,
    PublicForm(form): PublicForm<ApplyForm>,
) -> WebResult {
    let result = async {
        let from = date("period_from", "使用期限的开始日期", &form.period_from);
        let to = date("period_to", "使用期限的结束日期", &form.period_to);
        let (from, to) = match (from, to) {
            (Ok(f), Ok(t)) => (f, t),
            (Err(ServiceError::Invalid(mut a)), Err(ServiceError::Invalid(b))) => {
                a.0.extend(b.0);
                return Err(ServiceError::Invalid(a));
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let application = domain::portal::OpenApplication {
            applicant: form.applicant.clone(),
            organisation: form.organisation.clone(),
            contact: form.contact.clone(),
            purpose: form.purpose.clone(),
            intended_use: form.intended_use.clone(),
            period_from: from,
            period_to: to,
        };
        service::open_requests::apply(&state.svc, &code, &application, &client).await
    }
    .await;
    match result {
        Ok(r) => Ok(Redirect::to(&format!("/datasets/apply/status?ref={}&new=1", r.reference)).into_response()),
        Err(e @ (ServiceError::NotFound(_) | ServiceError::Conflict(_))) => Err(e.into()),
        Err(e) => {
            let status = match &e {
                ServiceError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let errors = FormErrors::from_service(e)?;
            Ok((status, render(&form_page(&state, &code, form, errors).await?)?).into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusQuery {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub new: Option<String>,
}

pub struct StatusView {
    pub reference: String,
    pub dataset: String,
    pub dataset_href: String,
    pub department: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub reason: String,
    pub submitted: String,
    pub deadline: String,
    pub answered: String,
    pub period: String,
    pub approved: bool,
    pub pending: bool,
}

#[derive(Template)]
#[template(path = "portal/apply/status.html")]
struct StatusPage {
    chrome: Chrome,
    typed: String,
    found: Option<StatusView>,
    error: Option<String>,
}

pub async fn status(State(state): State<AppState>, WebQuery(q): WebQuery<StatusQuery>) -> WebResult {
    let flash = q.new.as_ref().map(|_| "申请已提交，请记下查询码，凭查询码查看答复。".to_string());
    let chrome = Chrome::portal(&state, "开放申请进度查询", "/datasets").await.with_flash(None);
    let mut page = StatusPage { chrome, typed: String::new(), found: None, error: None };
    let Some(reference) = q.reference.filter(|r| !r.trim().is_empty()) else {
        return render(&page);
    };
    page.typed = domain::portal::normalize_reference(&reference);
    match service::open_requests::status(&state.svc, &reference).await {
        Ok((r, d)) => {
            use domain::portal::OpenRequestStatus as S;
            page.chrome.flash = flash;
            page.found = Some(StatusView {
                reference: r.reference.clone(),
                dataset_href: dataset_href(&d.code),
                dataset: d.name,
                department: d.department,
                status: r.status.label(),
                status_class: match r.status {
                    S::Pending => "badge-info",
                    S::Approved => "badge-ok",
                    S::Refused => "badge-danger",
                },
                deadline: r.answer_deadline().to_string(),
                reason: r.reason.unwrap_or_default(),
                submitted: store::time::cst_date(r.submitted_at).to_string(),
                answered: r.answered_at.map(|t| store::time::cst_date(t).to_string()).unwrap_or_default(),
                period: format!("{} 至 {}", r.period_from, r.period_to),
                approved: r.status == S::Approved,
                pending: r.status == S::Pending,
            });
            render(&page)
        }
        Err(ServiceError::NotFound(_) | ServiceError::Invalid(_)) => {
            page.error =
                Some("没有找到这个查询码对应的申请，请核对查询码（提交申请后页面上显示的 KF 开头的编码）。".into());
            Ok((StatusCode::NOT_FOUND, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
