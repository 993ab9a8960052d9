//! 一数一源 (国发〔2016〕51号 第五条): the register of data elements with their responsible
//! departments (the 信息采集责任公开目录), the overlaps of a draft or an entry, and the coordinator's
//! duplicates report.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use service::elements;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::routes::id_param;
use crate::views::*;

/// The register: every live data element with its responsible department. Any signed-in user.
#[utoipa::path(get, operation_id = "elements_list", path = "/api/v1/data-elements", tag = "elements", params(DataElementQuery),
    responses((status = 200, description = "OK", body = List<DataElementView>), (status = 401, description = "Unauthenticated", body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(q): ApiQuery<DataElementQuery>,
) -> ApiResult<Json<List<DataElementView>>> {
    let all = elements::list(&s.svc, &a, q.include_retired).await?.into_iter().map(DataElementView::from).collect();
    Ok(Json(List::paginate(all, &PageParams { limit: q.limit, cursor: q.cursor })?))
}

/// Registers a data element and the department responsible for collecting it (coordinator or admin).
#[utoipa::path(post, operation_id = "elements_create", path = "/api/v1/data-elements", tag = "elements", request_body = DataElementInput,
    responses((status = 201, description = "Created", body = DataElementView), (status = 403, description = "Forbidden", body = ErrorBody),
        (status = 409, description = "Conflict: an element of that name exists", body = ErrorBody), (status = 422, description = "Validation failed, or the same data is already registered", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<DataElementInput>,
) -> ApiResult<(StatusCode, Json<DataElementView>)> {
    let (spec, _) = b.split();
    Ok((StatusCode::CREATED, Json(elements::register(&s.svc, &a, spec).await?.into())))
}

#[utoipa::path(get, operation_id = "elements_get", path = "/api/v1/data-elements/{id}", tag = "elements", params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = DataElementView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Json<DataElementView>> {
    let id = id_param(&id, "数据元")?;
    Ok(Json(elements::get(&s.svc, &a, id).await?.into()))
}

/// Revises a data element, including which department is responsible for it.
#[utoipa::path(put, operation_id = "elements_update", path = "/api/v1/data-elements/{id}", tag = "elements", params(("id" = i64, Path)), request_body = DataElementInput,
    responses((status = 200, description = "OK", body = DataElementView), (status = 404, description = "Not found", body = ErrorBody),
        (status = 409, description = "Conflict: stale version, retired element or name taken", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DataElementInput>,
) -> ApiResult<Json<DataElementView>> {
    let id = id_param(&id, "数据元")?;
    let (spec, expected) = b.split();
    Ok(Json(elements::revise(&s.svc, &a, id, expected, spec).await?.into()))
}

/// Retires a data element (停用): kept and readable, no longer counted for overlaps.
#[utoipa::path(delete, operation_id = "elements_retire", path = "/api/v1/data-elements/{id}", tag = "elements", params(("id" = i64, Path), RetireQuery),
    responses((status = 200, description = "The retired element", body = DataElementView), (status = 404, description = "Not found", body = ErrorBody),
        (status = 409, description = "Conflict: already retired", body = ErrorBody)))]
pub async fn retire(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RetireQuery>,
) -> ApiResult<Json<DataElementView>> {
    let id = id_param(&id, "数据元")?;
    Ok(Json(elements::retire(&s.svc, &a, id, q.reason).await?.into()))
}

/// The overlaps of a draft (not saved) of `department_id` (default: your own): which items another
/// department is responsible for or already holds, and what submitting would be refused for.
#[utoipa::path(post, operation_id = "catalog_overlaps", path = "/api/v1/resources/overlaps", tag = "elements", request_body = ResourceInput,
    responses((status = 200, description = "OK", body = OverlapReportView), (status = 404, description = "No such department", body = ErrorBody)))]
pub async fn draft_overlaps(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<ResourceInput>,
) -> ApiResult<Json<OverlapReportView>> {
    let dept = b.department_id;
    Ok(Json(elements::overlaps_for(&s.svc, &a, dept, &b.into_spec()).await?.into()))
}

/// The overlaps of an entry, as its department sees them.
#[utoipa::path(get, operation_id = "catalog_entry_overlaps", path = "/api/v1/resources/{key}/overlaps", tag = "elements", params(("key" = String, Path, description = "id or URL-encoded code")),
    responses((status = 200, description = "OK", body = OverlapReportView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn resource_overlaps(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
) -> ApiResult<Json<OverlapReportView>> {
    Ok(Json(elements::overlaps_of(&s.svc, &a, &key).await?.into()))
}

/// The same data collected by several departments (coordinator).
#[utoipa::path(get, operation_id = "reports_duplicates", path = "/api/v1/reports/duplicates", tag = "elements",
    responses((status = 200, description = "OK", body = DuplicatesReportView), (status = 403, description = "Forbidden", body = ErrorBody)))]
pub async fn duplicates(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<DuplicatesReportView>> {
    Ok(Json(elements::duplicates_report(&s.svc, &a).await?.into()))
}
