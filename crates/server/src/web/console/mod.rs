//! The department console: sign-in and the home page here; each area of work in its own module.

mod account;
mod apps_review;
mod audit;
mod catalog;
mod dashboard;
mod data;
mod open_requests;
mod open_review;
mod read;
mod sharing;
mod signin;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::page::{Chrome, WebResult, render};
use super::session::Console;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(home))
        .route("/console/login", get(signin::form).post(signin::submit))
        .route("/console/logout", axum::routing::post(signin::sign_out))
        .merge(catalog::routes())
        .merge(data::routes())
        .merge(sharing::routes())
        .merge(read::routes())
        .merge(audit::routes())
        .merge(dashboard::routes())
        .merge(open_review::routes())
        .route("/console/account", get(account::page).post(account::change_password))
        .route("/console/apps", get(apps_review::list))
        .route("/console/apps/{id}", get(apps_review::show))
        .route("/console/apps/{id}/review", axum::routing::post(apps_review::review))
        .route("/console/open-requests", get(open_requests::list))
        .route("/console/open-requests/{id}", get(open_requests::show))
        .route("/console/open-requests/{id}/answer", axum::routing::post(open_requests::answer))
}

/// A number on the home page that links to where it is worked on.
pub struct Tile {
    pub label: &'static str,
    pub value: String,
    pub href: &'static str,
    /// Shown in red: something is overdue.
    pub alert: bool,
}

#[derive(Template)]
#[template(path = "console/home.html")]
struct HomePage {
    chrome: Chrome,
    name: String,
    tiles: Vec<Tile>,
}

async fn home(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let chrome = Chrome::console(&state, &user, "工作台", "/console").await;
    let tiles = service::dashboard::home_tiles(&state.svc, &user.actor)
        .await?
        .into_iter()
        .map(|t| Tile { label: t.label, value: t.value.to_string(), href: t.href, alert: t.alert })
        .collect();
    render(&HomePage { chrome, name: user.display_name.clone(), tiles })
}
