//! Liveness, the OpenAPI document and working-day arithmetic.

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::views::{DeadlineQuery, DeadlineView, Health};

/// 200 when the server can serve (the store answers).
#[utoipa::path(get, operation_id = "health_healthz", path = "/healthz", tag = "platform", responses((status = 200, description = "OK", body = Health), (status = 503, description = "Store unavailable", body = crate::error::ErrorBody)))]
pub async fn healthz(State(s): State<AppState>) -> ApiResult<Json<Health>> {
    s.svc.store.ping().await.map_err(|_| {
        ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", "元数据库暂时不可用")
    })?;
    Ok(Json(Health { status: "ok".into(), backend: s.svc.store.backend().into() }))
}

pub async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], crate::openapi::document())
}

/// The n-th working day after a date, on the platform calendar (holidays and 调休 included).
#[utoipa::path(get, operation_id = "health_deadline", path = "/api/v1/calendar/deadline", tag = "platform", params(DeadlineQuery),
    responses((status = 200, description = "OK", body = DeadlineView), (status = 422, description = "Validation failed", body = crate::error::ErrorBody)))]
pub async fn deadline(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<DeadlineView>> {
    let deadline = s.svc.calendar.add_working_days(q.from, q.days).map_err(service::ServiceError::from)?;
    Ok(Json(DeadlineView { from: q.from, days: q.days, deadline }))
}
