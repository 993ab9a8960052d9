//! Departments' information systems (业务信息系统, 国发〔2016〕51号 第十一条、第十二条) and their
//! accounts. Thin: each handler calls one `service::accounts` function.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::org::SystemSpec;
use service::accounts;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::routes::id_param;
use crate::views::{
    List, PageParams, SystemAccountInput, SystemAccountView, SystemInput, SystemListParams, SystemUpdate, SystemView,
};

/// The information systems of a department (or of every department), for applicants naming
/// theirs and providers granting to them.
#[utoipa::path(get, operation_id = "systems_list", path = "/api/v1/systems", tag = "accounts", params(SystemListParams),
    responses((status = 200, description = "In id order", body = List<SystemView>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(_): Auth,
    ApiQuery(p): ApiQuery<SystemListParams>,
) -> ApiResult<Json<List<SystemView>>> {
    let all = accounts::list_systems(&s.svc, p.department_id).await?.into_iter().map(SystemView::from).collect();
    Ok(Json(List::paginate(all, &PageParams { limit: p.limit, cursor: p.cursor })?))
}

/// Registers a department's information system (`admin`).
#[utoipa::path(post, operation_id = "systems_create", path = "/api/v1/systems", tag = "accounts", request_body = SystemInput,
    responses((status = 201, description = "Registered", body = SystemView), (status = 403, description = "Forbidden", body = ErrorBody), (status = 409, description = "The department has a system of that name", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<SystemInput>,
) -> ApiResult<(StatusCode, Json<SystemView>)> {
    let SystemInput { department_id, name, description } = b;
    let sys = accounts::create_system(&s.svc, &a, SystemSpec { department_id, name, description }).await?;
    Ok((StatusCode::CREATED, Json(sys.into())))
}

#[utoipa::path(get, operation_id = "systems_get", path = "/api/v1/systems/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = SystemView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, Auth(_): Auth, Path(id): Path<String>) -> ApiResult<Json<SystemView>> {
    let id = id_param(&id, "信息系统")?;
    Ok(Json(accounts::get_system(&s.svc, id).await?.into()))
}

/// Renames, redescribes, retires or reinstates a system (`admin`).
#[utoipa::path(put, operation_id = "systems_update", path = "/api/v1/systems/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = SystemUpdate,
    responses((status = 200, description = "OK", body = SystemView), (status = 403, description = "Forbidden", body = ErrorBody), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SystemUpdate>,
) -> ApiResult<Json<SystemView>> {
    let id = id_param(&id, "信息系统")?;
    let SystemUpdate { name, description, active } = b;
    Ok(Json(accounts::update_system(&s.svc, &a, id, name, description, active).await?.into()))
}

/// Creates an account bound to the system (`admin`), with its first token: every call made with
/// it is the system's.
#[utoipa::path(post, operation_id = "systems_create_account", path = "/api/v1/systems/{id}/accounts", tag = "accounts", params(("id" = i64, Path)), request_body = SystemAccountInput,
    responses((status = 201, description = "Created; the secret is shown this once", body = SystemAccountView), (status = 403, description = "Forbidden", body = ErrorBody), (status = 409, description = "Retired system, or username taken", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn create_account(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SystemAccountInput>,
) -> ApiResult<(StatusCode, Json<SystemAccountView>)> {
    let id = id_param(&id, "信息系统")?;
    let SystemAccountInput { username, display_name, roles } = b;
    let input = accounts::SystemAccountInput { username, display_name, roles };
    let (user, issued) = accounts::create_system_account(&s.svc, &a, id, input).await?;
    let view = SystemAccountView { user: user.into(), token: issued.token.into(), secret: issued.secret };
    Ok((StatusCode::CREATED, Json(view)))
}
