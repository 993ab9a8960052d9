//! The public open-data portal (政府数据开放门户, seed 002): no sign-in.

mod apply;
pub(crate) mod apps;
pub(crate) mod datasets;
mod developers;
mod statistics;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::page::{Chrome, WebResult, render};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/datasets", get(datasets::list))
        .route("/datasets/{code}", get(datasets::show))
        .route("/datasets/{code}/download", get(datasets::download))
        .route("/statistics", get(statistics::page))
        .route("/developers", get(developers::show))
        .route("/developers/keys", get(developers::back).post(developers::register))
        .route("/developers/keys/revoke", get(developers::back).post(developers::revoke))
        .route("/apps", get(apps::list).post(apps::submit))
        .route("/apps/new", get(apps::new))
        .route("/apps/{id}", get(apps::show))
        .route("/datasets/{code}/apply", get(apply::form).post(apply::submit))
        .route("/datasets/apply/status", get(apply::status))
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    chrome: Chrome,
    most_viewed: Vec<FeaturedCard>,
    newest: Vec<FeaturedCard>,
}

/// A featured dataset on the home page.
struct FeaturedCard {
    href: String,
    name: String,
    department: String,
    summary: String,
    note: String,
}

fn cards(list: Vec<service::open::Featured>, note: impl Fn(&service::open::Featured) -> String) -> Vec<FeaturedCard> {
    list.into_iter()
        .map(|f| FeaturedCard {
            href: datasets::dataset_href(&f.code),
            note: note(&f),
            summary: f.summary.chars().take(60).collect(),
            name: f.name,
            department: f.department,
        })
        .collect()
}

async fn home(State(state): State<AppState>) -> WebResult {
    let chrome = Chrome::portal(&state, "首页", "/").await;
    let (most_viewed, newest) = service::open::featured(&state.svc, 4).await?;
    let most_viewed = cards(most_viewed, |f| format!("浏览 {} 次", f.views));
    let newest =
        cards(newest, |f| f.opened_at.map(|t| format!("{} 开放", crate::format::cst_day(t))).unwrap_or_default());
    render(&HomePage { chrome, most_viewed, newest })
}
