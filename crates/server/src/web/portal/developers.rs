//! 开发者 (`/developers`): how to call the open-data API, with examples; registration for a key
//! (shown once) and its revocation by whoever holds it. Rules in `service::developers`.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::AppState;
use crate::web::page::{Chrome, FormErrors, WebResult, render};
use crate::web::session::{ClientAddr, PublicForm, WebQuery};

#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub intended_use: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    pub key: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub revoked: Option<String>,
}

/// An example dataset for the documentation.
pub struct Example {
    pub code: String,
    pub code_enc: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "portal/developers/developers.html")]
struct DevelopersPage {
    chrome: Chrome,
    base: String,
    per_minute: u32,
    example: Option<Example>,
    form: RegisterForm,
    errors: FormErrors,
    revoke_errors: FormErrors,
    /// The key just issued (shown once, on the answer to the registration).
    issued: Option<Issued>,
}

pub struct Issued {
    pub secret: String,
    pub prefix: String,
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = if crate::web::session::is_https(headers) { "https" } else { "http" };
    format!("{scheme}://{host}")
}

async fn example(state: &AppState) -> Option<Example> {
    // The first dataset whose data is open makes the example concrete.
    let page = service::open::list(&state.svc, service::search::SearchParams { limit: Some(20), ..Default::default() })
        .await
        .ok()?;
    let mut found = None;
    for h in page.items.into_iter().filter(|h| h.entry.open_type == "unconditional") {
        // Only a dataset with opened data answers `/rows` (documents have none).
        if service::open::dataset(&state.svc, &h.entry.code).await.is_ok_and(|d| d.data_open()) {
            found = Some(h);
            break;
        }
    }
    let hit = found?;
    Some(Example {
        code_enc: form_urlencoded::byte_serialize(hit.entry.code.as_bytes()).collect(),
        code: hit.entry.code,
        name: hit.entry.name,
    })
}

async fn page(state: &AppState, headers: &HeaderMap, flash: Option<String>) -> DevelopersPage {
    DevelopersPage {
        chrome: Chrome::portal(state, "开发者", "/developers").await.with_flash(flash),
        base: base_url(headers),
        per_minute: state.svc.settings.open_api_per_minute,
        example: example(state).await,
        form: RegisterForm::default(),
        errors: FormErrors::default(),
        revoke_errors: FormErrors::default(),
        issued: None,
    }
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap, WebQuery(q): WebQuery<PageQuery>) -> WebResult {
    let flash = q.revoked.map(|_| "接口密钥已注销，使用它的调用将被拒绝。".to_string());
    render(&page(&state, &headers, flash).await)
}

/// Issues a key. The answer shows the secret once and is not a redirect: the secret must not
/// travel in a URL (history, logs) or a cookie. The page is never cached (`render`).
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    PublicForm(form): PublicForm<RegisterForm>,
) -> WebResult {
    let reg = domain::portal::DeveloperRegistration {
        name: form.name.clone(),
        organisation: domain::portal::non_empty(&form.organisation),
        email: form.email.clone(),
        intended_use: form.intended_use.clone(),
    };
    match service::developers::register(&state.svc, &reg, &client).await {
        Ok(issued) => {
            let mut p = page(&state, &headers, None).await;
            p.issued = Some(Issued { secret: issued.secret, prefix: issued.key.prefix });
            render(&p)
        }
        Err(e) => {
            let status = match &e {
                service::ServiceError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let mut p = page(&state, &headers, None).await;
            p.errors = FormErrors::from_service(e)?;
            p.form = form;
            Ok((status, render(&p)?).into_response())
        }
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    PublicForm(form): PublicForm<RevokeForm>,
) -> WebResult {
    match service::developers::revoke(&state.svc, &form.key, &client).await {
        Ok(_) => Ok(Redirect::to("/developers?revoked=1").into_response()),
        Err(e) => {
            let mut p = page(&state, &headers, None).await;
            p.revoke_errors = FormErrors::from_service(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}

/// A reload of a form's address (the key is never shown again): back to the page.
pub async fn back() -> Redirect {
    Redirect::to("/developers")
}
