//! The audit trail, for auditors.

use axum::Json;
use axum::extract::State;
use store::model::AuditFilter;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Auth};
use crate::views::{AuditEventView, AuditQuery, List, PageParams};

#[utoipa::path(get, operation_id = "audit_list", path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "OK", body = List<AuditEventView>), (status = 403, description = "Forbidden", body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<List<AuditEventView>>> {
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() }.request()?;
    let filter =
        AuditFilter { user_id: q.user_id, action_prefix: q.action, object_type: q.object_type, object_id: q.object_id };
    let events = service::audit::list(&s.svc, &a, &filter, page).await?;
    Ok(Json(List::from_page(events, AuditEventView::from)))
}
