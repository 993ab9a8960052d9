//! Catalogue import and export with the compilation guide's spreadsheet template: upload, a check
//! that writes nothing (every bad row and cell reported), then the import; the department's
//! catalogue as .xlsx; the blank template. The reading and the rules are the API's
//! (`routes::catalog_io`, `service::interchange_io`).

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::account::Action;
use service::interchange_io::{self, ImportMode, ImportReport};
use store::model::ResourceFilter;

use super::resource_href;
use crate::AppState;
use crate::web::page::{Chrome, WebError, WebResult, render};
use crate::web::session::{Console, check_origin};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Up to this size, the checked file rides along in the confirmation form, so that the clerk does
/// not choose it again.
const CARRY_MAX: usize = 2 * 1024 * 1024;

struct ErrorRow {
    sheet: String,
    row: usize,
    column: String,
    message: String,
}

struct ImportedRow {
    row: usize,
    code: String,
    href: String,
    action: &'static str,
}

/// The outcome shown after an upload.
struct Outcome {
    dry_run: bool,
    committed: bool,
    rows: usize,
    errors: Vec<ErrorRow>,
    imported: Vec<ImportedRow>,
    /// The checked file, hex-encoded, for the confirmation form.
    payload: Option<String>,
    file_name: String,
    has_items: bool,
}

#[derive(Template)]
#[template(path = "console/catalog/import.html")]
struct ImportPage {
    chrome: Chrome,
    outcome: Option<Outcome>,
    error: Option<String>,
}

async fn chrome(state: &AppState, user: &service::signin::SessionUser) -> Chrome {
    Chrome::console(state, user, "导入目录", "/console/catalog").await
}

/// `GET /console/catalog/import`.
pub(super) async fn import_form(State(state): State<AppState>, Console(user): Console) -> WebResult {
    user.actor.authorize(Action::EditCatalog, Some(user.actor.department_id)).map_err(service::ServiceError::from)?;
    render(&ImportPage { chrome: chrome(&state, &user).await, outcome: None, error: None })
}

fn bad_upload() -> WebError {
    WebError::BadForm("上传内容不完整或格式不对，请重新选择文件上传".into())
}

/// `POST /console/catalog/import` (multipart: `csrf`, `mode`, then `file` [+ `items`], or the
/// checked file carried back as `payload` + `file_name`).
pub(super) async fn import(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    mut form: Multipart,
) -> WebResult {
    check_origin(&headers)?;
    let mut csrf = String::new();
    let mut mode = String::from("dry_run");
    let mut file: Option<Vec<u8>> = None;
    let mut file_name = String::new();
    let mut items: Option<Vec<u8>> = None;
    let mut payload: Option<String> = None;
    while let Some(field) = form.next_field().await.map_err(|_| bad_upload())? {
        let name = field.name().unwrap_or("").to_string();
        let chosen = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                WebError::BadForm(format!("上传文件过大，不能超过{}MB", crate::MAX_IMPORT_BODY / 1024 / 1024))
            } else {
                bad_upload()
            }
        })?;
        let text = || String::from_utf8_lossy(&bytes).trim().to_string();
        match name.as_str() {
            "csrf" => csrf = text(),
            "mode" => mode = text(),
            "file_name" => file_name = text(),
            "payload" => payload = Some(text()),
            "file" if !bytes.is_empty() => {
                file_name = chosen.unwrap_or_default();
                file = Some(bytes.to_vec());
            }
            "items" if !bytes.is_empty() => items = Some(bytes.to_vec()),
            _ => {}
        }
    }
    console.check_csrf(&csrf)?;
    let Console(user) = console;
    let chrome = chrome(&state, &user).await;
    let refuse = |chrome: Chrome, message: String| -> WebResult {
        let mut res = render(&ImportPage { chrome, outcome: None, error: Some(message) })?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(res)
    };
    let bytes = match (file, payload) {
        (Some(f), _) => f,
        (None, Some(p)) => match hex::decode(&p) {
            Ok(b) => b,
            Err(_) => return refuse(chrome, "待导入的文件已损坏，请重新选择文件".into()),
        },
        (None, None) => return refuse(chrome, "请选择要导入的目录文件（.xlsx、.csv 或 .json）".into()),
    };
    let mode = match mode.as_str() {
        "dry_run" => ImportMode::DryRun,
        "all_or_nothing" => ImportMode::AllOrNothing,
        "valid_only" => ImportMode::ValidRowsOnly,
        _ => return refuse(chrome, "导入方式无效，请从页面上的按钮选择".into()),
    };
    let format = match crate::routes::catalog_io::format_of(None, Some(&file_name)) {
        Ok(f) => f,
        Err(e) => return refuse(chrome, e.message),
    };
    let parsed = crate::routes::catalog_io::parse_upload(format, &bytes, items.as_deref());
    let dry_run = mode == ImportMode::DryRun;
    let report: ImportReport = interchange_io::import(&state.svc, &user.actor, None, parsed, mode).await?;
    let carry = dry_run && bytes.len() <= CARRY_MAX && items.is_none();
    let outcome = Outcome {
        dry_run,
        committed: report.committed,
        rows: report.rows,
        errors: report
            .errors
            .into_iter()
            .map(|e| ErrorRow { sheet: e.sheet, row: e.row, column: e.column.unwrap_or_default(), message: e.message })
            .collect(),
        imported: report
            .imported
            .into_iter()
            .map(|i| ImportedRow {
                row: i.row,
                href: resource_href(&i.code),
                code: i.code,
                action: if i.action == "created" { "新建" } else { "更新" },
            })
            .collect(),
        payload: carry.then(|| hex::encode(&bytes)),
        file_name,
        has_items: items.is_some(),
    };
    let status =
        if outcome.errors.is_empty() || outcome.committed { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut res = render(&ImportPage { chrome, outcome: Some(outcome), error: None })?;
    *res.status_mut() = status;
    Ok(res)
}

fn file(bytes: Vec<u8>, name: &str) -> Response {
    ([(CONTENT_TYPE, XLSX.to_string()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes)
        .into_response()
}

/// `GET /console/catalog/export`: the user's department's catalogue as .xlsx.
pub(super) async fn export(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let filter = ResourceFilter { department_id: Some(user.actor.department_id), ..Default::default() };
    let entries = interchange_io::export_entries(&state.svc, &user.actor, filter).await?;
    let bytes = interchange::export_xlsx(&entries).map_err(|e| service::ServiceError::Internal(Box::new(e)))?;
    Ok(file(bytes, "catalogue.xlsx"))
}

/// `GET /console/catalog/template`: the blank template (the guide's two sheets, no rows).
pub(super) async fn template(Console(_user): Console) -> WebResult {
    let bytes = interchange::export_xlsx(&[]).map_err(|e| service::ServiceError::Internal(Box::new(e)))?;
    Ok(file(bytes, "catalogue-template.xlsx"))
}
