//! The public open-data portal (政府数据开放门户, seed 002): no sign-in.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::page::{Chrome, WebResult, render};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    chrome: Chrome,
}

async fn home(State(state): State<AppState>) -> WebResult {
    let chrome = Chrome::portal(&state, "首页", "/").await;
    render(&HomePage { chrome })
}
