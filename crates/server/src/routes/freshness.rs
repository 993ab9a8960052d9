//! The changes feed between data versions, and data freshness against the update cycle.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use service::datasets::{self, ReadRequest};

use super::datasets::purpose_of;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Auth};
use crate::views::{ChangesParams, ChangesView, FreshnessView, List, PageParams};

/// Rows added, changed and removed since a version, by key, inside your scope (库表交换).
#[utoipa::path(get, operation_id = "datasets_changes", path = "/api/v1/resources/{key}/changes", tag = "data", params(("key" = String, Path), ChangesParams),
    responses((status = 200, description = "OK", body = ChangesView), (status = 403, description = "Access denied", body = ErrorBody), (status = 422, description = "Invalid request", body = ErrorBody)))]
pub async fn changes(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ChangesParams>,
) -> ApiResult<Json<ChangesView>> {
    let purpose = purpose_of(None, &headers, p.purpose.as_deref())?;
    let limit = p.limit.unwrap_or(data::query::DEFAULT_LIMIT);
    let (since, version, c) = datasets::changes(
        &s.svc,
        &a,
        &key,
        ReadRequest { version: None, purpose, grant_id: p.grant },
        p.since,
        limit,
        p.cursor.as_deref(),
    )
    .await?;
    Ok(Json(ChangesView {
        since,
        version,
        added: c.added,
        changed: c.changed,
        removed: c.removed,
        rows: c.rows,
        next: c.next,
    }))
}

/// Whether a resource's data was updated within its declared update cycle.
#[utoipa::path(get, operation_id = "datasets_freshness", path = "/api/v1/resources/{key}/freshness", tag = "data", params(("key" = String, Path)),
    responses((status = 200, description = "OK", body = FreshnessView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn freshness(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
) -> ApiResult<Json<FreshnessView>> {
    let (r, latest, f) = datasets::freshness(&s.svc, &a, &key).await?;
    Ok(Json(FreshnessView::new(&r, latest.as_ref(), f)))
}

/// Resources whose data is overdue: your department's (coordinators and auditors: all).
#[utoipa::path(get, operation_id = "datasets_overdue", path = "/api/v1/freshness/overdue", tag = "data", params(PageParams),
    responses((status = 200, description = "OK", body = List<FreshnessView>)))]
pub async fn overdue(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<List<FreshnessView>>> {
    let all = datasets::overdue(&s.svc, &a)
        .await?
        .into_iter()
        .map(|(r, v, f)| FreshnessView::new(&r, v.as_ref(), f))
        .collect();
    Ok(Json(List::paginate(all, &p)?))
}
