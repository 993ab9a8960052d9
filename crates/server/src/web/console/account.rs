//! The signed-in user's own account: who they are, and changing their password.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::AppState;
use crate::web::page::{Chrome, FormErrors, WebResult, render};
use crate::web::session::{Console, ConsoleForm, cleared_cookie};

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    errors: FormErrors,
}

pub async fn page(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let chrome = Chrome::console(&state, &user, "我的账号", "").await;
    render(&AccountPage { chrome, username: user.actor.username.clone(), errors: FormErrors::default() })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<PasswordForm>,
) -> WebResult {
    let result = if form.new_password != form.confirm_password {
        Err(service::ServiceError::invalid("confirm_password", "mismatch", "两次输入的新密码不一致"))
    } else {
        service::signin::change_password(&state.svc, &user, &form.current_password, &form.new_password).await
    };
    match result {
        Ok(()) => {
            Ok(([(header::SET_COOKIE, cleared_cookie())], Redirect::to("/console/login?changed=1")).into_response())
        }
        Err(e) => {
            let errors = FormErrors::from_service(e)?;
            let chrome = Chrome::console(&state, &user, "我的账号", "").await;
            let mut res = render(&AccountPage { chrome, username: user.actor.username.clone(), errors })?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}
