//! The classification tree.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::views::{CategoryInput, CategoryView, List, PageParams};

/// The classification tree, in code order (a parent before its children).
#[utoipa::path(get, operation_id = "categories_list", path = "/api/v1/categories", tag = "catalogue", params(PageParams), responses((status = 200, description = "OK", body = List<CategoryView>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(_): Auth,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<List<CategoryView>>> {
    let all = service::catalog::list_categories(&s.svc).await?.into_iter().map(CategoryView::from).collect();
    Ok(Json(List::paginate(all, &p)?))
}

/// Adds a node (admins), e.g. a new theme.
#[utoipa::path(post, operation_id = "categories_create", path = "/api/v1/categories", tag = "catalogue", request_body = CategoryInput,
    responses((status = 201, description = "Created", body = CategoryView), (status = 403, description = "Forbidden", body = ErrorBody), (status = 409, description = "Conflict: duplicate, wrong lifecycle state or stale version", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<CategoryInput>,
) -> ApiResult<(StatusCode, Json<CategoryView>)> {
    let n = service::catalog::create_category(&s.svc, &a, &b.code, &b.name).await?;
    Ok((StatusCode::CREATED, Json(n.into())))
}
