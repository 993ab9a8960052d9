//! The routes of the API, one module per resource of the URL space.

pub(crate) mod accounts;
pub(crate) mod audit;
pub(crate) mod catalog;
pub(crate) mod catalog_io;
pub(crate) mod categories;
pub(crate) mod currency;
pub(crate) mod datasets;
pub(crate) mod elements;
pub(crate) mod freshness;
pub(crate) mod health;
pub(crate) mod open_api;
pub(crate) mod search;
pub(crate) mod sharing;
pub(crate) mod systems;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(crate::web::routes())
        .merge(open_api::routes())
        .route("/healthz", get(health::healthz))
        .route("/api/openapi.json", get(health::openapi))
        .route("/api/v1/calendar/deadline", get(health::deadline))
        .route("/api/v1/platforms", get(accounts::list_platforms).post(accounts::create_platform))
        .route("/api/v1/departments", get(accounts::list_departments).post(accounts::create_department))
        .route("/api/v1/departments/{id}", get(accounts::get_department).put(accounts::update_department))
        .route("/api/v1/users", get(accounts::list_users).post(accounts::create_user))
        .route("/api/v1/users/me", get(accounts::me))
        .route("/api/v1/users/{id}", get(accounts::get_user).patch(accounts::update_user))
        .route("/api/v1/tokens", get(accounts::list_tokens).post(accounts::create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(accounts::revoke_token))
        .route("/api/v1/systems", get(systems::list).post(systems::create))
        .route("/api/v1/systems/{id}", get(systems::get).put(systems::update))
        .route("/api/v1/systems/{id}/accounts", post(systems::create_account))
        .route("/api/v1/categories", get(categories::list).post(categories::create))
        .route("/api/v1/resources", get(catalog::list).post(catalog::create))
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/resources/validate", post(catalog::validate))
        .route("/api/v1/resources/overlaps", post(elements::draft_overlaps))
        .route(
            "/api/v1/resources/import",
            post(catalog_io::import).layer(axum::extract::DefaultBodyLimit::max(crate::MAX_IMPORT_BODY)),
        )
        .route("/api/v1/resources/export", get(catalog_io::export))
        .route("/api/v1/resources/{key}", get(catalog::get).put(catalog::update))
        .route("/api/v1/resources/{key}/history", get(catalog::history))
        .route("/api/v1/resources/{key}/overlaps", get(elements::resource_overlaps))
        .route("/api/v1/data-elements", get(elements::list).post(elements::create))
        .route("/api/v1/data-elements/{id}", get(elements::get).put(elements::update).delete(elements::retire))
        .route("/api/v1/reports/duplicates", get(elements::duplicates))
        .route("/api/v1/resources/{key}/submit", post(catalog::submit))
        .route("/api/v1/resources/{key}/recall", post(catalog::recall))
        .route("/api/v1/resources/{key}/return", post(catalog::return_to_draft))
        .route("/api/v1/resources/{key}/publish", post(catalog::publish))
        .route("/api/v1/resources/{key}/withdraw", post(catalog::withdraw))
        .route(
            "/api/v1/resources/{key}/versions",
            get(datasets::versions)
                .post(datasets::publish)
                .layer(axum::extract::DefaultBodyLimit::max(crate::MAX_DATA_UPLOAD)),
        )
        .route("/api/v1/resources/{key}/query", post(datasets::query))
        .route("/api/v1/resources/{key}/download", get(datasets::download))
        .route("/api/v1/resources/{key}/changes", get(freshness::changes))
        .route("/api/v1/resources/{key}/freshness", get(freshness::freshness))
        .route("/api/v1/freshness/overdue", get(freshness::overdue))
        .route("/api/v1/currency", get(currency::list).post(currency::record))
        .route("/api/v1/resources/{key}/verify", post(datasets::verify))
        .route("/api/v1/resources/{key}/feedback", get(sharing::resource_feedback))
        .route("/api/v1/applications", get(sharing::list).post(sharing::apply))
        .route("/api/v1/applications/{id}", get(sharing::get))
        .route("/api/v1/applications/{id}/steps", get(sharing::steps))
        .route("/api/v1/applications/{id}/review", post(sharing::review))
        .route("/api/v1/applications/{id}/decision", post(sharing::decide))
        .route("/api/v1/applications/{id}/withdraw", post(sharing::withdraw))
        .route("/api/v1/applications/{id}/dispute", post(sharing::dispute))
        .route("/api/v1/applications/{id}/escalate", post(sharing::escalate))
        .route("/api/v1/applications/{id}/ruling", post(sharing::rule))
        .route("/api/v1/grants", get(sharing::list_grants).post(sharing::issue_grant))
        .route("/api/v1/grants/{id}", get(sharing::get_grant))
        .route("/api/v1/grants/{id}/steps", get(sharing::grant_steps))
        .route("/api/v1/grants/{id}/suspend", post(sharing::suspend))
        .route("/api/v1/grants/{id}/resume", post(sharing::resume))
        .route("/api/v1/grants/{id}/revoke", post(sharing::revoke))
        .route(
            "/api/v1/grants/{id}/agreements",
            get(sharing::list_agreements)
                .post(sharing::file_agreement)
                .layer(axum::extract::DefaultBodyLimit::max(service::sharing::MAX_AGREEMENT_BYTES + 64 * 1024)),
        )
        .route("/api/v1/agreements/{id}/document", get(sharing::agreement_document))
        .route("/api/v1/grants/{id}/feedback", post(sharing::give_feedback))
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/audit/export", get(audit::export))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") || uri.path().starts_with("/open/api/") {
        ApiError::new(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("接口 {} 不支持 {method} 请求（接口说明见 /api/openapi.json）", uri.path()),
        )
        .into_response()
    } else {
        // Pages get a page (e.g. opening a form's address directly).
        crate::web::page::WebError::Api(ApiError::new(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "该页面地址只用于提交表单，请从相应页面进入",
        ))
        .into_response()
    }
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        ApiError::not_found(format!("没有这个接口：{}（接口说明见 /api/openapi.json）", uri.path())).into_response()
    } else {
        // Pages get a page.
        crate::web::page::WebError::Api(ApiError::not_found(format!("页面 {} 不存在", uri.path()))).into_response()
    }
}

/// A numeric path parameter, with a clear error.
pub(crate) fn id_param(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::bad_request("invalid_id", format!("{what}编号“{raw}”应为整数")).with_field("id"))
}
