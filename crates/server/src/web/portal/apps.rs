//! 应用汇聚 (`/apps`, seed 002 三(三)): the approved apps built on open data, each linking to the
//! datasets it uses; anyone may submit one (`/apps/new`), shown after the coordinator's review.
//! Rules in `service::apps`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use store::model::PageRequest;

use crate::AppState;
use crate::web::page::{Chrome, FormErrors, WebResult, render};
use crate::web::portal::datasets::dataset_href;
use crate::web::session::{ClientAddr, PublicForm, WebQuery};

pub struct AppCard {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub url: String,
    pub developer: String,
    pub datasets: Vec<DatasetLink>,
}

pub struct DatasetLink {
    pub href: String,
    pub name: String,
}

/// The names of datasets, by code; a dataset that is no longer open is shown without a link.
pub async fn dataset_links(state: &AppState, codes: &[String]) -> Vec<DatasetLink> {
    let mut out = Vec::new();
    for code in codes {
        match service::open::dataset(&state.svc, code).await {
            Ok(d) => out.push(DatasetLink { href: dataset_href(code), name: d.resource.spec.name }),
            Err(_) => out.push(DatasetLink { href: String::new(), name: format!("{code}（已不再开放）") }),
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub submitted: Option<String>,
    pub after: Option<i64>,
}

#[derive(Template)]
#[template(path = "portal/apps/list.html")]
struct ListPage {
    chrome: Chrome,
    apps: Vec<AppCard>,
    total: i64,
    next: Option<i64>,
}

pub async fn list(State(state): State<AppState>, WebQuery(q): WebQuery<ListQuery>) -> WebResult {
    let flash = q.submitted.map(|_| "应用已提交。平台审核通过后，将在本页展示。".to_string());
    let page = service::apps::list_public(&state.svc, PageRequest { after: q.after, limit: 24 }).await?;
    let mut apps = Vec::new();
    for a in page.items {
        apps.push(AppCard {
            datasets: dataset_links(&state, &a.datasets).await,
            id: a.id,
            name: a.name,
            description: a.description,
            url: a.url,
            developer: a.developer,
        });
    }
    let chrome = Chrome::portal(&state, "应用汇聚", "/apps").await.with_flash(flash);
    render(&ListPage { chrome, apps, total: page.total, next: page.next })
}

#[derive(Template)]
#[template(path = "portal/apps/show.html")]
struct ShowPage {
    chrome: Chrome,
    app: AppCard,
    reviewed: String,
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> WebResult {
    let id: i64 = id.parse().map_err(|_| service::ServiceError::NotFound(format!("应用 {id}")))?;
    let a = service::apps::get_public(&state.svc, id).await?;
    let reviewed = a.reviewed_at.map(|t| store::time::cst_date(t).to_string()).unwrap_or_default();
    let app = AppCard {
        datasets: dataset_links(&state, &a.datasets).await,
        id: a.id,
        name: a.name.clone(),
        description: a.description,
        url: a.url,
        developer: a.developer,
    };
    let chrome = Chrome::portal(&state, a.name, "/apps").await;
    // The submitter's contact is for the reviewer, never shown to the public.
    render(&ShowPage { chrome, app, reviewed })
}

#[derive(Debug, Default, Deserialize)]
pub struct AppForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub developer: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub datasets: Vec<String>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub department: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "portal/apps/form.html")]
struct FormPage {
    chrome: Chrome,
    form: AppForm,
    choices: Vec<Choice>,
    errors: FormErrors,
}

async fn form_page(
    state: &AppState,
    form: AppForm,
    errors: FormErrors,
) -> Result<FormPage, crate::web::page::WebError> {
    let hits = service::apps::pickable_datasets(&state.svc, 300).await?;
    let choices = hits
        .into_iter()
        .map(|h| Choice {
            checked: form.datasets.contains(&h.entry.code),
            value: h.entry.code,
            label: h.entry.name,
            department: h.entry.provider,
        })
        .collect();
    Ok(FormPage { chrome: Chrome::portal(state, "提交应用", "/apps").await, form, choices, errors })
}

pub async fn new(State(state): State<AppState>) -> WebResult {
    render(&form_page(&state, AppForm::default(), FormErrors::default()).await?)
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    PublicForm(form): PublicForm<AppForm>,
) -> WebResult {
    let sub = domain::portal::AppSubmission {
        name: form.name.clone(),
        description: form.description.clone(),
        url: form.url.clone(),
        developer: form.developer.clone(),
        contact: form.contact.clone(),
        datasets: form.datasets.clone(),
    };
    match service::apps::submit(&state.svc, &sub, &client).await {
        Ok(_) => Ok(Redirect::to("/apps?submitted=1").into_response()),
        Err(e) => {
            let status = match &e {
                service::ServiceError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let mut errors = FormErrors::from_service(e)?;
            // A refused dataset is named by position: show it next to the dataset list.
            let ds: Vec<String> =
                errors.fields.iter().filter(|(k, _)| k.starts_with("datasets[")).flat_map(|(_, v)| v.clone()).collect();
            if !ds.is_empty() {
                errors.fields.entry("datasets".into()).or_default().extend(ds);
            }
            Ok((status, render(&form_page(&state, form, errors).await?)?).into_response())
        }
    }
}
