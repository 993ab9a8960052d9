//! HTTP: the JSON API under `/api/v1/`, documented as OpenAPI 3.1 at `/api/openapi.json`.
//!
//! Thin by rule: a handler extracts its input, calls one `service` function and converts the
//! result to a view. Only this crate knows about HTTP, JSON shapes and status codes.

mod error;
mod extract;
mod format;
mod openapi;
mod refusals;
mod routes;
mod views;
mod web;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use service::Services;

pub use error::ApiError;

/// Largest JSON body accepted.
pub const MAX_JSON_BODY: usize = 2 * 1024 * 1024;
/// Largest data upload accepted (uploads are streamed to disk, so this is a policy, not a memory
/// bound).
pub const MAX_DATA_UPLOAD: usize = 8 * 1024 * 1024 * 1024;
/// Largest catalogue spreadsheet accepted by the import endpoint.
pub const MAX_IMPORT_BODY: usize = 32 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub svc: Arc<Services>,
}

/// The whole HTTP application.
pub fn router(svc: Services) -> Router {
    let state = AppState { svc: Arc::new(svc) };
    routes::routes()
        .layer(axum::middleware::from_fn_with_state(state.clone(), refusals::audit_refusals))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the application until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, svc: Services) -> std::io::Result<()> {
    axum::serve(listener, router(svc).into_make_service_with_connect_info::<std::net::SocketAddr>()).await
}

/// The OpenAPI document, for tools and tests.
pub fn openapi_json() -> String {
    openapi::document()
}
