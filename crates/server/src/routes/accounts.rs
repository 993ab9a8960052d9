//! Platforms, departments, users and tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use service::accounts;

use super::id_param;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::views::*;

#[utoipa::path(get, operation_id = "accounts_list_platforms", path = "/api/v1/platforms", tag = "accounts", params(PageParams), responses((status = 200, description = "OK", body = List<PlatformView>)))]
pub async fn list_platforms(
    State(s): State<AppState>,
    Auth(_): Auth,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<List<PlatformView>>> {
    let all = accounts::list_platforms(&s.svc).await?.into_iter().map(PlatformView::from).collect();
    Ok(Json(List::paginate(all, &p)?))
}

#[utoipa::path(post, operation_id = "accounts_create_platform", path = "/api/v1/platforms", tag = "accounts", request_body = PlatformInput,
    responses((status = 201, description = "Created", body = PlatformView), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn create_platform(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<PlatformInput>,
) -> ApiResult<(StatusCode, Json<PlatformView>)> {
    let PlatformInput { name, level, region_code, parent_id } = b;
    let spec = domain::org::PlatformSpec { name, level, region_code, parent_id };
    let p = accounts::create_platform(&s.svc, &a, spec).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(get, operation_id = "accounts_list_departments", path = "/api/v1/departments", tag = "accounts", params(PageParams),
    responses((status = 200, description = "OK", body = List<DepartmentView>)))]
pub async fn list_departments(
    State(s): State<AppState>,
    Auth(_): Auth,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<List<DepartmentView>>> {
    let page = accounts::list_departments(&s.svc, p.request()?).await?;
    Ok(Json(List::from_page(page, DepartmentView::from)))
}

#[utoipa::path(post, operation_id = "accounts_create_department", path = "/api/v1/departments", tag = "accounts", request_body = DepartmentInput,
    responses((status = 201, description = "Created", body = DepartmentView), (status = 409, description = "Conflict: duplicate, wrong lifecycle state or stale version", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn create_department(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<DepartmentInput>,
) -> ApiResult<(StatusCode, Json<DepartmentView>)> {
    let d = accounts::create_department(&s.svc, &a, b.into()).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[utoipa::path(get, operation_id = "accounts_get_department", path = "/api/v1/departments/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = DepartmentView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn get_department(
    State(s): State<AppState>,
    Auth(_): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<DepartmentView>> {
    let id = id_param(&id, "部门")?;
    Ok(Json(accounts::get_department(&s.svc, id).await?.into()))
}

#[utoipa::path(put, operation_id = "accounts_update_department", path = "/api/v1/departments/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = DepartmentInput,
    responses((status = 200, description = "OK", body = DepartmentView), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn update_department(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DepartmentInput>,
) -> ApiResult<Json<DepartmentView>> {
    let id = id_param(&id, "部门")?;
    Ok(Json(accounts::update_department(&s.svc, &a, id, b.into()).await?.into()))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserListParams {
    pub department_id: Option<i64>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[utoipa::path(get, operation_id = "accounts_list_users", path = "/api/v1/users", tag = "accounts", params(UserListParams),
    responses((status = 200, description = "OK", body = List<UserView>), (status = 403, description = "Forbidden", body = ErrorBody)))]
pub async fn list_users(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(p): ApiQuery<UserListParams>,
) -> ApiResult<Json<List<UserView>>> {
    let page = PageParams { limit: p.limit, cursor: p.cursor }.request()?;
    let users = accounts::list_users(&s.svc, &a, p.department_id, page).await?;
    Ok(Json(List::from_page(users, UserView::from)))
}

#[utoipa::path(post, operation_id = "accounts_create_user", path = "/api/v1/users", tag = "accounts", request_body = UserInput,
    responses((status = 201, description = "Created", body = UserView), (status = 403, description = "Forbidden", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn create_user(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<UserInput>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let UserInput { username, display_name, department_id, roles, password } = b;
    let input = accounts::UserInput { username, display_name, department_id, roles, password };
    let u = accounts::create_user(&s.svc, &a, input).await?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

#[utoipa::path(get, operation_id = "accounts_me", path = "/api/v1/users/me", tag = "accounts", responses((status = 200, description = "OK", body = UserView), (status = 401, description = "Unauthenticated", body = ErrorBody)))]
pub async fn me(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<UserView>> {
    Ok(Json(accounts::get_user(&s.svc, &a, a.user_id).await?.into()))
}

#[utoipa::path(get, operation_id = "accounts_get_user", path = "/api/v1/users/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = UserView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn get_user(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Json<UserView>> {
    let id = id_param(&id, "用户")?;
    Ok(Json(accounts::get_user(&s.svc, &a, id).await?.into()))
}

#[utoipa::path(patch, operation_id = "accounts_update_user", path = "/api/v1/users/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = UserUpdate,
    responses((status = 200, description = "OK", body = UserView), (status = 403, description = "Forbidden", body = ErrorBody)))]
pub async fn update_user(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UserUpdate>,
) -> ApiResult<Json<UserView>> {
    let id = id_param(&id, "用户")?;
    Ok(Json(accounts::update_user(&s.svc, &a, id, b.roles, b.active).await?.into()))
}

#[utoipa::path(get, operation_id = "accounts_list_tokens", path = "/api/v1/tokens", tag = "accounts", params(PageParams), responses((status = 200, description = "OK", body = List<TokenView>)))]
pub async fn list_tokens(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<List<TokenView>>> {
    let all = accounts::list_tokens(&s.svc, &a).await?.into_iter().map(TokenView::from).collect();
    Ok(Json(List::paginate(all, &p)?))
}

/// Creates a token for yourself. The secret is in the response, once.
#[utoipa::path(post, operation_id = "accounts_create_token", path = "/api/v1/tokens", tag = "accounts", request_body = TokenInput,
    responses((status = 201, description = "Created", body = IssuedTokenView), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn create_token(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<TokenInput>,
) -> ApiResult<(StatusCode, Json<IssuedTokenView>)> {
    let t = accounts::create_token(&s.svc, &a, &b.name, b.valid_days).await?;
    Ok((StatusCode::CREATED, Json(IssuedTokenView { token: t.token.into(), secret: t.secret })))
}

#[utoipa::path(delete, operation_id = "accounts_revoke_token", path = "/api/v1/tokens/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = TokenView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenView>> {
    let id = id_param(&id, "令牌")?;
    Ok(Json(accounts::revoke_token(&s.svc, &a, id).await?.into()))
}
