//! The open-data API (政府数据开放 数据服务, seed 002 三(三)) under `/open/api/v1/`: for anyone
//! with a developer key (the `X-API-Key` header), free, limited per key per minute.
//! Lists and reads only what the portal lists, through `service::open` (the public scope is
//! applied inside the query plan); every call is counted against the key and the dataset, and
//! audited. Errors have the shape of every other API error.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use service::developers::{self, KeyCheck, KeyRefusal};
use service::open::OpenDataset;
use store::portal_store::DeveloperKey;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::format::{label_of, url_part};
use crate::web::session::ClientAddr;

pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route("/datasets", get(list))
        .route("/datasets/{code}", get(dataset))
        .route("/datasets/{code}/rows", get(rows))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new().nest("/open/api/v1", api)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("没有这个开放数据接口：{}（接口说明见 /developers）", uri.path()))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("开放数据接口只支持 GET 请求，{} 不支持 {method}", uri.path()),
    )
}

/// The developer key of a call: checked, counted, and limited per minute.
pub struct ApiKey(pub DeveloperKey);

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The header only: a key in the query string would end up in proxy and access logs,
        // browser history and Referer headers.
        let header = parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(str::to_string);
        let Ok(ClientAddr(client)) = ClientAddr::from_request_parts(parts, state).await;
        match developers::authenticate(&state.svc, header.as_deref(), &client).await {
            Ok(key) => Ok(ApiKey(key)),
            Err(KeyCheck::Refused(r)) => {
                let code = match r {
                    KeyRefusal::Missing => "missing_api_key",
                    KeyRefusal::Malformed | KeyRefusal::UnknownOrRevoked => "invalid_api_key",
                };
                let mut res = ApiError::new(StatusCode::UNAUTHORIZED, code, r.message()).into_response();
                res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("X-API-Key"));
                Err(res)
            }
            Err(KeyCheck::Failed(e)) => {
                let limited = matches!(e, service::ServiceError::RateLimited(_));
                let mut res = ApiError::from(e).into_response();
                if limited {
                    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
                }
                Err(res)
            }
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words to search in names, summaries and data items.
    pub q: Option<String>,
    /// A category (主题) code, e.g. `3` or `301`.
    pub category: Option<String>,
    /// A providing department's id.
    pub department: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<usize>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// The key, when it cannot be sent as the `X-API-Key` header.
    #[allow(dead_code)] // read by the `ApiKey` extractor
    pub api_key: Option<String>,
}

/// A dataset in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenDatasetSummary {
    pub code: String,
    pub name: String,
    pub summary: String,
    pub department: String,
    /// `unconditional` (无条件开放) or `conditional` (有条件开放, apply on the portal).
    pub open_type: String,
    pub format: String,
    pub update_cycle: String,
    /// Metadata of the dataset.
    pub href: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpenDatasetList {
    pub items: Vec<OpenDatasetSummary>,
    pub total: usize,
    pub next: Option<String>,
}

/// A field of a dataset as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenFieldView {
    pub name: String,
    /// 数据类型, in Chinese.
    pub data_type: String,
    pub description: Option<String>,
    /// Shown masked (e.g. part of a number replaced by `*`).
    pub masked: bool,
}

/// Views, downloads and API calls of a dataset so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenUsageView {
    pub views: i64,
    pub downloads: i64,
    pub api_calls: i64,
}

/// A dataset's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenDatasetView {
    pub code: String,
    pub name: String,
    pub summary: String,
    pub department: String,
    pub category: String,
    /// `unconditional` or `conditional`.
    pub open_type: String,
    pub open_type_label: String,
    /// 开放条件 of a conditionally open dataset.
    pub open_condition: Option<String>,
    pub update_cycle: String,
    pub publish_date: Option<String>,
    /// Whether its rows can be read through `rows` (无条件开放 and opened after review).
    pub data_available: bool,
    /// The opened version.
    pub version: Option<i64>,
    pub fields: Vec<OpenFieldView>,
    pub usage: OpenUsageView,
    /// Where the rows are, or where to apply (有条件开放).
    pub rows_href: Option<String>,
    pub apply_href: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RowsParams {
    /// Comma-separated fields (default: every public field).
    pub fields: Option<String>,
    /// A JSON array of filters, URL-encoded, e.g. `[{"field":"行政区划","op":"eq","value":"350102"}]`
    /// (ops: eq, ne, lt, le, gt, ge, in, prefix, contains, is_null, not_null).
    pub filters: Option<String>,
    /// 1–1000 (default 100).
    pub limit: Option<usize>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Also return the number of matching rows.
    pub count: Option<bool>,
    /// The key, when it cannot be sent as the `X-API-Key` header.
    #[allow(dead_code)] // read by the `ApiKey` extractor
    pub api_key: Option<String>,
}

/// One page of rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenRowsView {
    pub code: String,
    pub version: Option<i64>,
    pub columns: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    pub next: Option<String>,
    pub total: Option<u64>,
}

/// The largest page of rows the open API returns.
pub const MAX_ROWS: usize = 1000;

/// Lists the open datasets (search and paging).
#[utoipa::path(get, operation_id = "open_datasets_list", path = "/open/api/v1/datasets", tag = "open", params(ListParams),
    security(("api_key" = [])),
    responses((status = 200, description = "OK", body = OpenDatasetList), (status = 401, description = "Missing or invalid key", body = ErrorBody), (status = 429, description = "Too many calls", body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiKey(key): ApiKey,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<OpenDatasetList>> {
    let mut filters = Vec::new();
    if let Some(c) = p.category.filter(|c| !c.trim().is_empty()) {
        filters.push(("category".to_string(), c));
    }
    if let Some(d) = p.department.filter(|d| !d.trim().is_empty()) {
        // The catalogue index calls the providing department's dimension `provider`.
        filters.push(("provider".to_string(), d));
    }
    let params =
        service::search::SearchParams { q: p.q.unwrap_or_default(), filters, limit: p.limit, cursor: p.cursor };
    let page = developers::api_datasets(&s.svc, &key, params).await?;
    let items = page
        .items
        .into_iter()
        .map(|h| {
            let e = h.entry;
            OpenDatasetSummary {
                href: format!("/open/api/v1/datasets/{}", url_part(&e.code)),
                code: e.code,
                name: e.name,
                summary: e.summary,
                department: e.provider,
                open_type: e.open_type,
                format: label_of(domain::catalog::FormatClass::parse, domain::catalog::FormatClass::label, &e.format),
                update_cycle: label_of(
                    domain::catalog::UpdateCycle::parse,
                    domain::catalog::UpdateCycle::label,
                    &e.update_cycle,
                ),
            }
        })
        .collect();
    Ok(Json(OpenDatasetList { items, total: page.total, next: page.next }))
}

fn dataset_view(d: OpenDataset) -> OpenDatasetView {
    let spec = &d.resource.spec;
    let data_available = d.data_open();
    let public = d.public_fields();
    let fields = match &d.opening {
        Some(o) if data_available => public
            .iter()
            .map(|f| {
                let f = &f.to_string();
                let item = spec.item(f);
                OpenFieldView {
                    name: f.clone(),
                    data_type: item.map(|i| i.data_type.label().to_string()).unwrap_or_default(),
                    description: item.and_then(|i| i.description.clone()),
                    masked: o.masks.iter().any(|(m, _)| m == f),
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    let code = d.resource.code.clone();
    let conditional = spec.open_type == domain::catalog::OpenType::Conditional;
    OpenDatasetView {
        name: spec.name.clone(),
        summary: spec.summary.clone(),
        department: d.department.clone(),
        category: spec.category.as_str().to_string(),
        open_type: spec.open_type.code().to_string(),
        open_type_label: spec.open_type.label().to_string(),
        open_condition: spec.open_condition.clone().filter(|_| conditional),
        update_cycle: spec.update_cycle.label().to_string(),
        publish_date: spec.publish_date.map(|p| p.to_string()),
        data_available,
        version: d.opening.as_ref().filter(|_| data_available).map(|o| o.version),
        fields,
        usage: OpenUsageView { views: d.usage.views, downloads: d.usage.downloads, api_calls: d.usage.api_calls },
        rows_href: data_available.then(|| format!("/open/api/v1/datasets/{}/rows", url_part(&code))),
        apply_href: conditional.then(|| format!("/datasets/{}/apply", url_part(&code))),
        code,
    }
}

/// A dataset's metadata: fields (with which are masked), open type and conditions, usage.
#[utoipa::path(get, operation_id = "open_datasets_get", path = "/open/api/v1/datasets/{code}", tag = "open", params(("code" = String, Path, description = "资源代码（URL 编码，/ 写作 %2F）")),
    security(("api_key" = [])),
    responses((status = 200, description = "OK", body = OpenDatasetView), (status = 401, description = "Missing or invalid key", body = ErrorBody), (status = 404, description = "Not an open dataset", body = ErrorBody), (status = 429, description = "Too many calls", body = ErrorBody)))]
pub async fn dataset(
    State(s): State<AppState>,
    ApiKey(key): ApiKey,
    Path(code): Path<String>,
) -> ApiResult<Json<OpenDatasetView>> {
    let d = developers::api_dataset(&s.svc, &key, &code).await?;
    Ok(Json(dataset_view(d)))
}

/// Rows of an opened dataset: only its public fields, masked as reviewed.
#[utoipa::path(get, operation_id = "open_datasets_rows", path = "/open/api/v1/datasets/{code}/rows", tag = "open", params(("code" = String, Path, description = "资源代码（URL 编码，/ 写作 %2F）"), RowsParams),
    security(("api_key" = [])),
    responses((status = 200, description = "OK", body = OpenRowsView), (status = 400, description = "Invalid parameters", body = ErrorBody), (status = 401, description = "Missing or invalid key", body = ErrorBody), (status = 404, description = "Not an open dataset, or its data is not open", body = ErrorBody), (status = 422, description = "Invalid query", body = ErrorBody), (status = 429, description = "Too many calls", body = ErrorBody)))]
pub async fn rows(
    State(s): State<AppState>,
    ApiKey(key): ApiKey,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<RowsParams>,
) -> ApiResult<Json<OpenRowsView>> {
    let limit = p.limit.unwrap_or(100);
    if limit == 0 || limit > MAX_ROWS {
        return Err(
            ApiError::bad_request("invalid_query", format!("每页行数 limit 应在1到{MAX_ROWS}之间")).with_field("limit")
        );
    }
    let fields = p
        .fields
        .as_deref()
        .filter(|f| !f.trim().is_empty())
        .map(|f| f.split([',', '，']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect::<Vec<_>>());
    let filters = match p.filters.as_deref().filter(|f| !f.trim().is_empty()) {
        None => Vec::new(),
        Some(raw) => serde_json::from_str::<Vec<data::query::Filter>>(raw).map_err(|e| {
            ApiError::bad_request(
                "invalid_query",
                format!(
                    "filters 应为 JSON 数组，如 [{{\"field\":\"行政区划\",\"op\":\"eq\",\"value\":\"350102\"}}]：{e}"
                ),
            )
            .with_field("filters")
        })?,
    };
    let spec = data::query::QuerySpec {
        fields,
        filters,
        limit: Some(limit),
        cursor: p.cursor,
        count: p.count.unwrap_or(false),
        ..Default::default()
    };
    let (d, result) = developers::api_rows(&s.svc, &key, &code, spec).await?;
    Ok(Json(OpenRowsView {
        code: d.resource.code.clone(),
        version: d.opening.as_ref().map(|o| o.version),
        columns: result.columns,
        rows: result.rows,
        next: result.next,
        total: result.total,
    }))
}

/// Declares the `X-API-Key` security scheme of the open-data API in the OpenAPI document.
pub struct ApiKeyAuth;

impl utoipa::Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey as Key, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(Key::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "开放数据接口密钥（gso_ 开头），在门户“开发者”页面免费申请",
            ))),
        );
    }
}
