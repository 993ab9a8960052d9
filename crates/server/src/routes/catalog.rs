//! The catalogue: register, list, read, revise, lifecycle steps, history. A resource is addressed
//! by its id or by its URL-encoded code (`101001%2F000001`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::catalog::{FormatClass, OpenType, ResourceStatus, ShareType, UpdateCycle};
use service::catalog;
use store::model::ResourceFilter;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::views::*;

/// Parses an enumeration filter into its stored code, naming the parameter on error.
fn enum_filter<T: std::str::FromStr<Err = domain::error::ParseEnumError>>(
    raw: &Option<String>,
    param: &str,
    code: fn(T) -> &'static str,
) -> Result<Option<String>, ApiError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<T>()
            .map(|t| Some(code(t).to_string()))
            .map_err(|e| ApiError::bad_request("invalid_query", e.to_string()).with_field(param)),
    }
}

pub(crate) fn filter_of(q: &ResourceQuery) -> Result<ResourceFilter, ApiError> {
    Ok(ResourceFilter {
        category: q.category.clone().filter(|c| !c.is_empty()),
        department_id: q.provider,
        share_type: enum_filter::<ShareType>(&q.share_type, "share_type", ShareType::code)?,
        open_type: enum_filter::<OpenType>(&q.open_type, "open_type", OpenType::code)?,
        format_class: enum_filter::<FormatClass>(&q.format, "format", FormatClass::code)?,
        update_cycle: enum_filter::<UpdateCycle>(&q.update_cycle, "update_cycle", UpdateCycle::code)?,
        status: enum_filter::<ResourceStatus>(&q.status, "status", ResourceStatus::code)?
            .and_then(|s| ResourceStatus::parse(&s)),
        text: q.q.clone(),
        visible_to_department: None,
    })
}

/// Lists the catalogue with filters. Other departments' drafts are not shown.
#[utoipa::path(get, operation_id = "catalog_list", path = "/api/v1/resources", tag = "catalogue", params(ResourceQuery),
    responses((status = 200, description = "OK", body = List<ResourceView>), (status = 400, description = "Bad request: malformed JSON, wrong type, unknown field or bad query parameter", body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(q): ApiQuery<ResourceQuery>,
) -> ApiResult<Json<List<ResourceView>>> {
    let filter = filter_of(&q)?;
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() }.request()?;
    let result = catalog::list(&s.svc, &a, filter, page).await?;
    Ok(Json(List::from_page(result, ResourceView::from)))
}

/// Registers a new entry as a draft; the platform assigns its code.
#[utoipa::path(post, operation_id = "catalog_create", path = "/api/v1/resources", tag = "catalogue", request_body = ResourceInput,
    responses((status = 201, description = "Created", body = ResourceView), (status = 400, description = "Bad request: malformed JSON, wrong type, unknown field or bad query parameter", body = ErrorBody), (status = 403, description = "Forbidden", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<ResourceInput>,
) -> ApiResult<(StatusCode, Json<ResourceView>)> {
    let dept = b.department_id;
    let r = catalog::create(&s.svc, &a, dept, b.into_spec()).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Checks an entry against every rule without saving it (for forms).
#[utoipa::path(post, operation_id = "catalog_validate", path = "/api/v1/resources/validate", tag = "catalogue", request_body = ResourceInput,
    responses((status = 204, description = "No content: the entry passes every rule"), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn validate(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<ResourceInput>,
) -> ApiResult<StatusCode> {
    let dept = b.department_id.unwrap_or(a.department_id);
    catalog::check_for(&s.svc, &a, dept, b.into_spec()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "catalog_get", path = "/api/v1/resources/{key}", tag = "catalogue", params(("key" = String, Path, description = "id or URL-encoded code")),
    responses((status = 200, description = "OK", body = ResourceView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, Auth(a): Auth, Path(key): Path<String>) -> ApiResult<Json<ResourceView>> {
    Ok(Json(catalog::get(&s.svc, &a, &key).await?.into()))
}

/// Revises an entry: a draft stays a draft; a published entry gets a new published version.
#[utoipa::path(put, operation_id = "catalog_update", path = "/api/v1/resources/{key}", tag = "catalogue", params(("key" = String, Path)), request_body = ResourceInput,
    responses((status = 200, description = "OK", body = ResourceView), (status = 409, description = "Conflict: duplicate, wrong lifecycle state or stale version", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
    ApiJson(b): ApiJson<ResourceInput>,
) -> ApiResult<Json<ResourceView>> {
    let expected = b.expected_version;
    Ok(Json(catalog::update(&s.svc, &a, &key, expected, b.into_spec()).await?.into()))
}

/// Every version, with who changed which fields, when and why.
#[utoipa::path(get, operation_id = "catalog_history", path = "/api/v1/resources/{key}/history", tag = "catalogue", params(("key" = String, Path)),
    responses((status = 200, description = "OK", body = HistoryView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
) -> ApiResult<Json<HistoryView>> {
    let r = catalog::get(&s.svc, &a, &key).await?;
    let versions = catalog::history(&s.svc, &a, &key).await?;
    Ok(Json(HistoryView {
        resource_id: r.id,
        code: r.code,
        versions: versions.into_iter().map(VersionView::from).collect(),
    }))
}

#[utoipa::path(post, operation_id = "catalog_submit", path = "/api/v1/resources/{key}/submit", tag = "catalogue", params(("key" = String, Path)),
    responses((status = 200, description = "OK", body = ResourceView), (status = 409, description = "Conflict: duplicate, wrong lifecycle state or stale version", body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(catalog::submit(&s.svc, &a, &key).await?.into()))
}

#[utoipa::path(post, operation_id = "catalog_recall", path = "/api/v1/resources/{key}/recall", tag = "catalogue", params(("key" = String, Path)),
    responses((status = 200, description = "OK", body = ResourceView), (status = 409, description = "Conflict: duplicate, wrong lifecycle state or stale version", body = ErrorBody)))]
pub async fn recall(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(catalog::recall(&s.svc, &a, &key).await?.into()))
}

/// The approver returns a submitted entry to its editor, with a reason.
#[utoipa::path(post, operation_id = "catalog_return_to_draft", path = "/api/v1/resources/{key}/return", tag = "catalogue", params(("key" = String, Path)), request_body = ReasonInput,
    responses((status = 200, description = "OK", body = ResourceView), (status = 409, description = "Conflict: duplicate, wrong lifecycle state or stale version", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn return_to_draft(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
    ApiJson(b): ApiJson<ReasonInput>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(catalog::return_to_draft(&s.svc, &a, &key, b.reason).await?.into()))
}

/// The approver registers and publishes a submitted entry (登记/发布).
#[utoipa::path(post, operation_id = "catalog_publish", path = "/api/v1/resources/{key}/publish", tag = "catalogue", params(("key" = String, Path)),
    responses((status = 200, description = "OK", body = ResourceView), (status = 403, description = "Forbidden", body = ErrorBody), (status = 409, description = "Conflict: duplicate, wrong lifecycle state or stale version", body = ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(catalog::publish(&s.svc, &a, &key).await?.into()))
}

/// 注销, with a reason. The code is never reused.
#[utoipa::path(post, operation_id = "catalog_withdraw", path = "/api/v1/resources/{key}/withdraw", tag = "catalogue", params(("key" = String, Path)), request_body = ReasonInput,
    responses((status = 200, description = "OK", body = ResourceView), (status = 409, description = "Conflict: duplicate, wrong lifecycle state or stale version", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn withdraw(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
    ApiJson(b): ApiJson<ReasonInput>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(catalog::withdraw(&s.svc, &a, &key, b.reason).await?.into()))
}
