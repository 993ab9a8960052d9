//! Shared data: publish a version (upload), list versions, query, download.
//!
//! Reads carry their purpose: a JSON `purpose` object in query bodies, or the `X-Purpose` header
//! (`数据校核:核对低保申请人户籍`), or the `purpose` query parameter for downloads.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use data::download::DownloadFormat;
use data::input::{Encoding, InputFormat, InputOptions};
use data::publish::PublishMode;
use domain::purpose::{Purpose, PurposeKind};
use futures::StreamExt;
use service::datasets::{self, ReadRequest};
use tokio::io::AsyncWriteExt;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth, Upload};
use crate::views::{
    DatasetVersionView, DownloadParams, List, PublishParams, PublishReportView, QueryBody, QueryResultView,
};

/// Publishes a new version of a resource's data from an upload (multipart field `file`).
#[utoipa::path(post, operation_id = "datasets_publish", path = "/api/v1/resources/{key}/versions", tag = "data",
    params(("key" = String, Path), PublishParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: CSV, XLSX, JSON, NDJSON or Parquet"),
    responses((status = 201, description = "Published", body = PublishReportView), (status = 422, description = "Rows rejected: nothing published", body = PublishReportView), (status = 403, description = "Forbidden", body = ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
    ApiQuery(p): ApiQuery<PublishParams>,
    Upload(mut form): Upload,
) -> ApiResult<Response> {
    let mode = match p.mode.as_deref() {
        None => PublishMode::Replace,
        Some(m) => PublishMode::parse(m).ok_or_else(|| {
            ApiError::bad_request("invalid_query", format!("发布方式“{m}”无效，可选：replace、append、upsert"))
                .with_field("mode")
        })?,
    };
    let encoding = match p.encoding.as_deref() {
        None | Some("") | Some("auto") => None,
        Some("utf-8") | Some("utf8") => Some(Encoding::Utf8),
        Some("gb18030") | Some("gbk") | Some("gb2312") => Some(Encoding::Gb18030),
        Some(other) => {
            return Err(ApiError::bad_request("invalid_query", format!("编码“{other}”无效，可选：utf-8、gb18030"))
                .with_field("encoding"));
        }
    };
    // Spool the upload to a temporary file, chunk by chunk.
    let spool = s.svc.spool_file().map_err(|e| service::ServiceError::Internal(Box::new(e)))?;
    let mut file_name = None;
    let mut got_file = false;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") {
            return Err(
                ApiError::bad_request("invalid_multipart", "只接受 file 字段").with_field(field.name().unwrap_or(""))
            );
        }
        file_name = field.file_name().map(str::to_string);
        spool_field(&mut field, spool.path()).await?;
        got_file = true;
    }
    if !got_file {
        return Err(ApiError::bad_request("missing_file", "请在 file 字段上传数据文件").with_field("file"));
    }
    let format = match p.format.as_deref() {
        Some(f) => InputFormat::parse(f),
        None => file_name.as_deref().and_then(InputFormat::from_name),
    }
    .ok_or_else(|| {
        ApiError::bad_request(
            "invalid_format",
            "无法判断文件格式：请上传 .csv、.xlsx、.json、.ndjson 或 .parquet 文件，或用 format 参数指明",
        )
        .with_field("format")
    })?;
    let upload = datasets::Upload {
        path: spool.path().to_path_buf(),
        options: InputOptions { encoding, ..InputOptions::new(format) },
        mode,
        accept_valid: p.accept_valid.unwrap_or(false),
    };
    let outcome = datasets::publish(&s.svc, &a, &key, upload).await?;
    drop(spool);
    let status = if outcome.version.is_some() { StatusCode::CREATED } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(PublishReportView::from(outcome))).into_response())
}

/// Writes an uploaded file field to `path` chunk by chunk (never whole in memory). Shared by the
/// API and the console's upload page.
pub(crate) async fn spool_field(
    field: &mut axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
) -> Result<(), ApiError> {
    let internal = |e: std::io::Error| ApiError::from(service::ServiceError::Internal(Box::new(e)));
    let mut out = tokio::fs::File::create(path).await.map_err(internal)?;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        out.write_all(&chunk).await.map_err(internal)?;
    }
    out.flush().await.map_err(internal)?;
    Ok(())
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "上传文件超过平台设定的大小上限")
    } else {
        ApiError::bad_request("invalid_multipart", "上传内容不完整或格式不对，请重新上传")
    }
}

/// The versions of a resource's data, newest first.
#[utoipa::path(get, operation_id = "datasets_versions", path = "/api/v1/resources/{key}/versions", tag = "data", params(("key" = String, Path)),
    responses((status = 200, description = "OK", body = List<DatasetVersionView>), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn versions(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
) -> ApiResult<Json<crate::views::List<DatasetVersionView>>> {
    let (_, versions) = datasets::versions(&s.svc, &a, &key).await?;
    let all = versions.into_iter().map(DatasetVersionView::from).collect();
    Ok(Json(crate::views::List::paginate(all, &crate::views::PageParams::default())?))
}

pub(crate) fn purpose_of(
    body: Option<&crate::views::PurposeBody>,
    headers: &HeaderMap,
    param: Option<&str>,
) -> Result<Purpose, ApiError> {
    let invalid = |e: domain::error::FieldError| ApiError::from(service::ServiceError::from(e));
    if let Some(b) = body {
        return Purpose::new(b.kind.unwrap_or(PurposeKind::Other), &b.description).map_err(invalid);
    }
    let raw = headers
        .get("x-purpose")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .or_else(|| param.map(str::to_string))
        .unwrap_or_default();
    Purpose::parse_header(&raw).map_err(invalid)
}

/// Headers are ASCII: a Chinese purpose arrives percent-encoded.
fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("p={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// Queries a resource's data: fields, filters, sort, paging, count, group-by aggregates.
#[utoipa::path(post, operation_id = "datasets_query", path = "/api/v1/resources/{key}/query", tag = "data", params(("key" = String, Path)),
    request_body = QueryBody,
    responses((status = 200, description = "OK", body = QueryResultView), (status = 403, description = "Access denied", body = ErrorBody), (status = 422, description = "Invalid query", body = ErrorBody)))]
pub async fn query(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<QueryBody>,
) -> ApiResult<Json<QueryResultView>> {
    let purpose = purpose_of(b.purpose.as_ref(), &headers, None)?;
    let (version, result) =
        datasets::query(&s.svc, &a, &key, ReadRequest { version: b.version, purpose, grant_id: b.grant }, b.spec())
            .await?;
    Ok(Json(QueryResultView {
        version: version.version,
        columns: result.columns,
        rows: result.rows,
        next: result.next,
        total: result.total,
    }))
}

/// Downloads a whole version, or a query result (fields, filters), as CSV, NDJSON or Parquet
/// (streamed) or XLSX (at most 1,048,575 rows, refused beyond before anything is written).
#[utoipa::path(get, operation_id = "datasets_download", path = "/api/v1/resources/{key}/download", tag = "data", params(("key" = String, Path), DownloadParams),
    responses((status = 200, description = "The file (CSV, NDJSON and Parquet streamed)"), (status = 400, description = "Invalid format or filters", body = ErrorBody), (status = 403, description = "Access denied", body = ErrorBody), (status = 422, description = "Invalid filter, or too many rows for XLSX", body = ErrorBody)))]
pub async fn download(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<DownloadParams>,
) -> ApiResult<Response> {
    let format = DownloadFormat::parse(p.format.as_deref().unwrap_or("csv")).ok_or_else(|| {
        ApiError::bad_request("invalid_format", format!("下载格式无效，可选：{}", DownloadFormat::EXPECTED))
            .with_field("format")
    })?;
    let purpose = purpose_of(None, &headers, p.purpose.as_deref())?;
    let fields =
        p.fields.as_deref().map(|f| f.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect());
    let filters = match p.filters.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None => Vec::new(),
        Some(raw) => {
            let de = &mut serde_json::Deserializer::from_str(raw);
            serde_path_to_error::deserialize::<_, Vec<data::query::Filter>>(de).map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." { "filters".to_string() } else { format!("filters{path}") };
                ApiError::bad_request(
                    "invalid_query",
                    format!(
                        "查询参数“{field}”有误：filters 应为 JSON 数组，如 [{{\"field\":\"性别\",\"op\":\"eq\",\"value\":\"女\"}}]（{}）",
                        e.into_inner()
                    ),
                )
                .with_field(field)
            })?
        }
    };
    let spec = data::query::QuerySpec { fields, filters, ..Default::default() };
    download_response(&s, &a, &key, ReadRequest { version: p.version, purpose, grant_id: p.grant }, spec, format).await
}

/// Runs a download through `service::datasets::download` and streams the file as the response
/// (the API's download and the console's share it).
pub(crate) async fn download_response(
    s: &AppState,
    a: &domain::account::Actor,
    key: &str,
    req: ReadRequest,
    spec: data::query::QuerySpec,
    format: DownloadFormat,
) -> ApiResult<Response> {
    let (r, version, stream, _) = datasets::download(&s.svc, a, key, req, spec, format.extension()).await?;
    file_response(&r.code, version.version, stream, format).await
}

/// Streams the batches of a read as a file named after the resource and version (the shared data
/// downloads of the API and the console, and the portal's open-data downloads).
pub(crate) async fn file_response(
    code: &str,
    version: i64,
    stream: data::query::BatchStream,
    format: DownloadFormat,
) -> ApiResult<Response> {
    let body = data::download::encode(stream, format)
        .await
        .map_err(service::ServiceError::from)?
        .map(|chunk| chunk.map_err(std::io::Error::other));
    let name = format!("{}-v{}.{}", code.replace('/', "-"), version, format.extension());
    Ok((
        [
            (CONTENT_TYPE, format.content_type().to_string()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// 核验: per claimed field, match / no match / no record — never a stored value. Needs the
/// verification method (核验) in your grant, or an unconditionally shared resource; rate-limited
/// per user and audited.
#[utoipa::path(post, operation_id = "datasets_verify", path = "/api/v1/resources/{key}/verify", tag = "data", params(("key" = String, Path)),
    request_body = crate::views::VerifyBody,
    responses((status = 200, description = "OK", body = crate::views::VerifyView), (status = 403, description = "Access denied", body = ErrorBody), (status = 422, description = "Invalid request", body = ErrorBody), (status = 429, description = "Too many verifications", body = ErrorBody)))]
pub async fn verify(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<crate::views::VerifyBody>,
) -> ApiResult<Json<crate::views::VerifyView>> {
    let purpose = purpose_of(b.purpose.as_ref(), &headers, None)?;
    let req = ReadRequest { version: None, purpose, grant_id: b.grant };
    Ok(Json(datasets::verify(&s.svc, &a, &key, req, &b.key, &b.claims).await?.into()))
}
