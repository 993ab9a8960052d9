//! The OpenAPI 3.1 document, generated from the handlers' annotations and the views.

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::error::{ErrorBody, ErrorContent, ErrorDetail};
use crate::routes;
use crate::routes::open_api::ApiKeyAuth as OpenApiKeyAuth;
use crate::views::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "govshare API",
        description = "政务信息资源目录、共享与开放平台接口。Errors: {\"error\": {\"code\", \"message\", \"field\"}}; lists: {\"items\", \"total\", \"next\"}.",
        license(name = "Apache-2.0")
    ),
    paths(
        routes::datasets::verify,
        routes::audit::export,
        routes::sharing::apply,
        routes::sharing::list,
        routes::sharing::get,
        routes::sharing::steps,
        routes::sharing::review,
        routes::sharing::decide,
        routes::sharing::withdraw,
        routes::sharing::dispute,
        routes::sharing::escalate,
        routes::sharing::rule,
        routes::sharing::list_grants,
        routes::sharing::issue_grant,
        routes::sharing::get_grant,
        routes::sharing::grant_steps,
        routes::sharing::suspend,
        routes::sharing::resume,
        routes::sharing::revoke,
        routes::sharing::file_agreement,
        routes::sharing::list_agreements,
        routes::sharing::agreement_document,
        routes::sharing::give_feedback,
        routes::sharing::resource_feedback,
        routes::health::healthz,
        routes::health::deadline,
        routes::accounts::list_platforms,
        routes::accounts::create_platform,
        routes::accounts::list_departments,
        routes::accounts::create_department,
        routes::accounts::get_department,
        routes::accounts::update_department,
        routes::accounts::list_users,
        routes::accounts::create_user,
        routes::accounts::me,
        routes::accounts::get_user,
        routes::accounts::update_user,
        routes::accounts::list_tokens,
        routes::accounts::create_token,
        routes::accounts::revoke_token,
        routes::systems::list,
        routes::systems::create,
        routes::systems::get,
        routes::systems::update,
        routes::systems::create_account,
        routes::categories::list,
        routes::categories::create,
        routes::catalog::list,
        routes::catalog::create,
        routes::catalog::validate,
        routes::catalog::get,
        routes::catalog::update,
        routes::catalog::history,
        routes::catalog::submit,
        routes::catalog::recall,
        routes::catalog::return_to_draft,
        routes::catalog::publish,
        routes::catalog::withdraw,
        routes::search::search,
        routes::elements::list,
        routes::elements::create,
        routes::elements::get,
        routes::elements::update,
        routes::elements::retire,
        routes::elements::draft_overlaps,
        routes::elements::resource_overlaps,
        routes::elements::duplicates,
        routes::catalog_io::import,
        routes::catalog_io::export,
        routes::currency::list,
        routes::currency::record,
        routes::audit::list,
        routes::datasets::publish,
        routes::datasets::versions,
        routes::datasets::query,
        routes::datasets::download,
        routes::freshness::changes,
        routes::freshness::freshness,
        routes::freshness::overdue,
        routes::open_api::list,
        routes::open_api::dataset,
        routes::open_api::rows,
    ),
    components(schemas(ErrorBody, ErrorContent, ErrorDetail, Health)),
    modifiers(&BearerAuth, &OpenApiKeyAuth),
    security(("bearer" = [])),
    tags(
        (name = "platform", description = "健康检查与工作日历"),
        (name = "accounts", description = "平台、部门、业务信息系统、用户与访问令牌"),
        (name = "catalogue", description = "政务信息资源目录"),
        (name = "elements", description = "数据元与信息采集责任公开目录（一数一源）：重复采集检测与采集决定"),
        (name = "audit", description = "审计日志"),
        (name = "data", description = "共享数据：发布、版本、查询、下载、核验"),
        (name = "sharing", description = "共享申请、答复、协调、授权、协议与效果反馈"),
        (name = "open", description = "开放数据接口（/open/api/v1/，请求头 X-API-Key，每个密钥每分钟限调用次数）"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as JSON.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".to_string())
}
