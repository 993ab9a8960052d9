//! Catalogue import and export in the compilation-template layout (XLSX, CSV, JSON).
//!
//! Import takes a `multipart/form-data` upload: a field `file` (XLSX or JSON, or the resources
//! CSV) and, for CSV, an optional field `items` with the data-items CSV.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use service::interchange_io::{self, ImportMode};
use store::model::ResourceFilter;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Auth, Upload};
use crate::views::{ExportParams, ImportParams, ImportReportView, ResourceQuery};

pub(crate) fn format_of(param: Option<&str>, file_name: Option<&str>) -> Result<&'static str, ApiError> {
    let guess = file_name.and_then(|n| n.rsplit('.').next()).map(str::to_ascii_lowercase);
    match param.map(str::to_ascii_lowercase).or(guess).as_deref() {
        Some("xlsx") => Ok("xlsx"),
        Some("csv") => Ok("csv"),
        Some("json") => Ok("json"),
        _ => Err(ApiError::bad_request(
            "invalid_format",
            "无法判断文件格式：请上传 .xlsx、.csv 或 .json 文件，或用 format 参数指明",
        )
        .with_field("format")),
    }
}

/// Imports a catalogue spreadsheet. Every bad row and cell is reported; a file with errors imports
/// nothing unless `mode=valid_only`.
#[utoipa::path(post, operation_id = "catalog_io_import", path = "/api/v1/resources/import", tag = "catalogue", params(ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file` (and `items` for CSV)"),
    responses((status = 200, description = "OK", body = ImportReportView), (status = 400, description = "Bad request: malformed JSON, wrong type, unknown field or bad query parameter", body = ErrorBody), (status = 422, description = "Validation failed", body = ImportReportView)))]
pub async fn import(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(p): ApiQuery<ImportParams>,
    Upload(mut form): Upload,
) -> ApiResult<Response> {
    let mode = match p.mode.as_deref().unwrap_or("all_or_nothing") {
        "all_or_nothing" => ImportMode::AllOrNothing,
        "valid_only" => ImportMode::ValidRowsOnly,
        "dry_run" => ImportMode::DryRun,
        other => {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("导入方式“{other}”无效，可选：all_or_nothing、valid_only、dry_run"),
            )
            .with_field("mode"));
        }
    };
    let mut file: Option<(Option<String>, Vec<u8>)> = None;
    let mut items: Option<Vec<u8>> = None;
    let too_big = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("上传文件过大，不能超过{}MB", crate::MAX_IMPORT_BODY / 1024 / 1024),
        )
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
            Err(_) => {
                return Err(ApiError::bad_request(
                    "invalid_multipart",
                    "上传内容格式不对：请以 multipart/form-data 上传，文件放在 file 字段",
                ));
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_big()
            } else {
                ApiError::bad_request("invalid_multipart", "无法读取上传的文件")
            }
        })?;
        match name.as_str() {
            "file" => file = Some((file_name, bytes.to_vec())),
            "items" => items = Some(bytes.to_vec()),
            other => {
                return Err(ApiError::bad_request(
                    "invalid_multipart",
                    format!("不认识的上传字段“{other}”：只接受 file 和 items"),
                )
                .with_field(other));
            }
        }
    }
    let Some((file_name, bytes)) = file else {
        return Err(ApiError::bad_request("missing_file", "请在 file 字段上传目录文件").with_field("file"));
    };
    let parsed = parse_upload(format_of(p.format.as_deref(), file_name.as_deref())?, &bytes, items.as_deref());
    let report = interchange_io::import(&s.svc, &a, p.department_id, parsed, mode).await?;
    let status =
        if report.errors.is_empty() || report.committed { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(ImportReportView::from(report))).into_response())
}

/// Reads an uploaded catalogue file of a format `format_of` named. Shared with the console.
pub(crate) fn parse_upload(format: &str, bytes: &[u8], items: Option<&[u8]>) -> interchange::ImportOutcome {
    match format {
        "xlsx" => interchange::import_xlsx(bytes),
        "csv" => interchange::import_csv(bytes, items),
        _ => interchange::import_json(bytes),
    }
}

/// Exports the catalogue you can see, in the compilation-template layout.
#[utoipa::path(get, operation_id = "catalog_io_export", path = "/api/v1/resources/export", tag = "catalogue", params(ExportParams),
    responses((status = 200, description = "the file"), (status = 400, description = "Bad request: malformed JSON, wrong type, unknown field or bad query parameter", body = ErrorBody)))]
pub async fn export(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let q = ResourceQuery {
        category: p.category.clone(),
        provider: p.provider,
        status: p.status.clone(),
        share_type: p.share_type.clone(),
        ..Default::default()
    };
    let filter: ResourceFilter = super::catalog::filter_of(&q)?;
    let entries = interchange_io::export_entries(&s.svc, &a, filter).await?;
    let (bytes, ctype, ext) = match p.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => (
            interchange::export_xlsx(&entries)
                .map_err(|e| ApiError::from(service::ServiceError::Internal(Box::new(e))))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "csv" => {
            let sheet = match p.sheet.as_deref().unwrap_or("resources") {
                "resources" => interchange::Sheet::Resources,
                "items" => interchange::Sheet::Items,
                other => {
                    return Err(ApiError::bad_request(
                        "invalid_query",
                        format!("sheet“{other}”无效，可选：resources、items"),
                    )
                    .with_field("sheet"));
                }
            };
            (interchange::export_csv(&entries, sheet), "text/csv; charset=utf-8", "csv")
        }
        "json" => (interchange::export_json(&entries), "application/json", "json"),
        other => {
            return Err(ApiError::bad_request(
                "invalid_format",
                format!("导出格式“{other}”无效，可选：xlsx、csv、json"),
            )
            .with_field("format"));
        }
    };
    let disposition = format!("attachment; filename=\"catalogue.{ext}\"");
    Ok(([(CONTENT_TYPE, ctype.to_string()), (CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
