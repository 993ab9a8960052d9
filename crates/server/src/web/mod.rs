//! The two faces of govshare in the browser, server-rendered from templates compiled into the
//! binary (askama): the department console (政务部门工作台, `/console/…`, behind sign-in) and the
//! public open-data portal (开放数据门户, `/`, `/datasets/…`, no sign-in). Pages work without
//! JavaScript; `static/app.js` only adds upload progress and confirmations.
//!
//! Thin like the API: a handler reads its input, calls `service`, and renders a template.

mod assets;
mod charts;
mod console;
pub(crate) mod facets;
pub(crate) mod page;
mod portal;
pub(crate) mod session;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(assets::css))
        .route("/static/app.js", get(assets::js))
        .route("/static/favicon.svg", get(assets::favicon))
        .route("/favicon.ico", get(assets::favicon))
        .merge(console::routes())
        .merge(portal::routes())
}
