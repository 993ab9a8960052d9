//! Catalogue currency windows (第八条).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use service::currency;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::views::{DutyChangeInput, DutyChangeView, List, PageParams};

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CurrencyParams {
    /// A department (default: your own; coordinators see all when omitted).
    pub department_id: Option<i64>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[utoipa::path(get, operation_id = "currency_list", path = "/api/v1/currency", tag = "catalogue", params(CurrencyParams),
    responses((status = 200, description = "OK", body = List<DutyChangeView>), (status = 403, description = "Forbidden", body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(p): ApiQuery<CurrencyParams>,
) -> ApiResult<Json<List<DutyChangeView>>> {
    let all = currency::list(&s.svc, &a, p.department_id).await?.into_iter().map(DutyChangeView::from).collect();
    Ok(Json(List::paginate(all, &PageParams { limit: p.limit, cursor: p.cursor })?))
}

/// Records a change of duties or of a law; opens a 15-working-day window for the affected entries.
#[utoipa::path(post, operation_id = "currency_record", path = "/api/v1/currency", tag = "catalogue", request_body = DutyChangeInput,
    responses((status = 201, description = "Created", body = DutyChangeView), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn record(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<DutyChangeInput>,
) -> ApiResult<(StatusCode, Json<DutyChangeView>)> {
    let DutyChangeInput { department_id, kind, description, effective_date, resource_ids } = b;
    let input = currency::ChangeInput { department_id, kind, description, effective_date, resource_ids };
    Ok((StatusCode::CREATED, Json(currency::record_change(&s.svc, &a, input).await?.into())))
}
