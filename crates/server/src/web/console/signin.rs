//! Sign-in and sign-out pages.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use service::ServiceError;
use service::signin::{ABSOLUTE_HOURS, LOCK_AFTER_FAILURES, LOCK_MINUTES};

use crate::AppState;
use crate::web::page::{Chrome, WebResult, render};
use crate::web::session::{ClientAddr, ConsoleForm, PublicForm, WebQuery, cleared_cookie, is_https, session_cookie};

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    username: String,
    error: Option<String>,
    notice: Option<&'static str>,
    lock_after: i64,
    lock_minutes: i64,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    /// Set after a password change (a fixed notice, never echoed text).
    changed: Option<String>,
}

/// Only a path of this site is a place to return to after sign-in (never another site).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/console")
                && !n.contains('\\')
                && n.chars().all(|c| c.is_ascii_graphic())
                && n.len() <= 2048 =>
        {
            n.to_string()
        }
        _ => "/console".to_string(),
    }
}

async fn page(state: &AppState, next: String, username: String, error: Option<String>) -> LoginPage {
    let mut chrome = Chrome::portal(state, "登录", "").await;
    chrome.area = crate::web::page::Area::Console;
    chrome.menu.clear();
    LoginPage {
        chrome,
        next,
        username,
        error,
        notice: None,
        lock_after: LOCK_AFTER_FAILURES,
        lock_minutes: LOCK_MINUTES,
    }
}

pub async fn form(State(state): State<AppState>, WebQuery(q): WebQuery<NextQuery>) -> WebResult {
    let mut p = page(&state, safe_next(q.next.as_deref()), String::new(), None).await;
    if q.changed.is_some() {
        p.notice = Some("密码已修改，请使用新密码重新登录");
    }
    render(&p)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    PublicForm(f): PublicForm<LoginForm>,
) -> WebResult {
    let next = safe_next(f.next.as_deref());
    match service::signin::sign_in(&state.svc, &f.username, &f.password, &client).await {
        Ok(signed) => {
            let cookie = session_cookie(&signed.secret, is_https(&headers), ABSOLUTE_HOURS * 3600);
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response())
        }
        Err(e @ (ServiceError::SignInRefused(_) | ServiceError::RateLimited(_) | ServiceError::Invalid(_))) => {
            let status = if matches!(e, ServiceError::RateLimited(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let message = match e {
                ServiceError::Invalid(errs) => errs.first().map(|f| f.message.clone()).unwrap_or_default(),
                other => other.to_string(),
            };
            let body = page(&state, next, f.username, Some(message)).await;
            let mut res = render(&body)?;
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn sign_out(State(state): State<AppState>, ConsoleForm { user, .. }: ConsoleForm<Empty>) -> WebResult {
    service::signin::sign_out(&state.svc, &user.0).await?;
    Ok(([(header::SET_COOKIE, cleared_cookie())], Redirect::to("/console/login")).into_response())
}
