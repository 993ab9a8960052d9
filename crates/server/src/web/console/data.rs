//! The data provider's pages (数据发布): the department's published structured resources with the
//! freshness of their data against the update cycle (国发〔2016〕51号 第十三条), overdue first; and
//! the upload of a new version with a progress bar and the row-by-row validation report. Every
//! rule (who may publish, what a row must look like, all-or-nothing) is `service::datasets`'.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use data::input::{Encoding, InputFormat, InputOptions};
use data::publish::PublishMode;
use domain::freshness::FreshnessStatus;
use service::datasets;
use store::model::Resource;

use super::catalog::resource_href;
use crate::AppState;
use crate::format::{cst_minute, url_part};
use crate::web::page::{Chrome, WebError, WebResult, render};
use crate::web::session::{Console, check_origin};

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/data", get(list)).route(
        "/console/data/{code}/upload",
        get(upload_form).post(upload).layer(axum::extract::DefaultBodyLimit::max(crate::MAX_DATA_UPLOAD)),
    )
}

struct FreshRow {
    code: String,
    name: String,
    href: String,
    upload_href: String,
    cycle: &'static str,
    version: String,
    last: String,
    due: String,
    status: &'static str,
    badge: &'static str,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "console/data/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<FreshRow>,
    overdue: usize,
}

fn badge(s: FreshnessStatus) -> &'static str {
    match s {
        FreshnessStatus::Fresh => "badge badge-ok",
        FreshnessStatus::Overdue => "badge badge-danger",
        FreshnessStatus::AwaitingData => "badge badge-warn",
        FreshnessStatus::Irregular => "badge",
    }
}

fn upload_href(code: &str) -> String {
    format!("/console/data/{}/upload", url_part(code))
}

/// `GET /console/data`.
async fn list(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let all = datasets::department_freshness(&state.svc, &user.actor).await?;
    let chrome = Chrome::console(&state, &user, "数据发布", "/console/data").await;
    let rows: Vec<FreshRow> = all
        .into_iter()
        .map(|(r, v, f)| FreshRow {
            href: resource_href(&r.code),
            upload_href: upload_href(&r.code),
            name: r.spec.name.clone(),
            cycle: r.spec.update_cycle.label(),
            version: v.as_ref().map(|v| format!("第{}版", v.version)).unwrap_or_else(|| "—".into()),
            last: v.as_ref().map(|v| cst_minute(v.published_at)).unwrap_or_else(|| "尚未发布".into()),
            due: f.due_by.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            status: f.status.label(),
            badge: badge(f.status),
            overdue: f.status == FreshnessStatus::Overdue,
            code: r.code,
        })
        .collect();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    render(&ListPage { chrome, rows, overdue })
}

struct Rejection {
    row: u64,
    column: String,
    reason: String,
    value: String,
}

/// What a publish gave.
struct Report {
    published: Option<(i64, i64)>,
    refused: Option<String>,
    accepted: u64,
    rejected_rows: u64,
    total_rejections: u64,
    rejections: Vec<Rejection>,
    /// More rejections than listed.
    truncated: bool,
}

#[derive(Template)]
#[template(path = "console/data/upload.html")]
struct UploadPage {
    chrome: Chrome,
    r: Resource,
    href: String,
    action: String,
    columns: Vec<String>,
    latest: String,
    report: Option<Report>,
    error: Option<String>,
    mode: String,
    accept_valid: bool,
    encoding: String,
}

async fn upload_page(
    state: &AppState,
    user: &service::signin::SessionUser,
    r: Resource,
    report: Option<Report>,
    error: Option<String>,
    choices: (String, bool, String),
) -> WebResult {
    let chrome = Chrome::console(state, user, format!("上传数据：{}", r.spec.name), "/console/data").await;
    let (_, latest, f) = datasets::freshness(&state.svc, &user.actor, &r.code).await?;
    let latest = match latest {
        Some(v) => {
            format!("第{}版（{}发布，{}行）· {}", v.version, cst_minute(v.published_at), v.row_count, f.status.label())
        }
        None => "尚未发布数据".into(),
    };
    let status = match (&report, &error) {
        (Some(rep), _) if rep.published.is_none() => StatusCode::UNPROCESSABLE_ENTITY,
        (_, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let page = UploadPage {
        chrome,
        href: resource_href(&r.code),
        action: upload_href(&r.code),
        columns: r.spec.data_items.iter().map(|i| i.name.clone()).collect(),
        latest,
        report,
        error,
        mode: choices.0,
        accept_valid: choices.1,
        encoding: choices.2,
        r,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    Ok(res)
}

/// The resource, if the user may publish its data (else the refusal page).
async fn publishable(state: &AppState, user: &service::signin::SessionUser, code: &str) -> Result<Resource, WebError> {
    let r = service::catalog::get(&state.svc, &user.actor, code).await?;
    service::datasets::check_publishable(&user.actor, &r)?;
    Ok(r)
}

/// `GET /console/data/{code}/upload`.
async fn upload_form(State(state): State<AppState>, Console(user): Console, Path(code): Path<String>) -> WebResult {
    let r = publishable(&state, &user, &code).await?;
    upload_page(&state, &user, r, None, None, ("replace".into(), false, "auto".into())).await
}

fn bad_upload() -> WebError {
    WebError::BadForm("上传内容不完整或格式不对，请重新选择文件上传".into())
}

/// `POST /console/data/{code}/upload` (multipart: `csrf`, `mode`, `accept_valid`, `encoding`, then
/// `file`). The file streams to a spool file; the form's fields must come before it, and the
/// anti-forgery token is checked before a byte of the file is written.
async fn upload(
    State(state): State<AppState>,
    console: Console,
    Path(code): Path<String>,
    headers: HeaderMap,
    mut form: Multipart,
) -> WebResult {
    check_origin(&headers)?;
    // Who may publish here is decided before a byte of the file is spooled.
    let r = publishable(&state, &console.0, &code).await?;
    let mut csrf_ok = false;
    let mut mode_raw = "replace".to_string();
    let mut accept_valid = false;
    let mut encoding_raw = "auto".to_string();
    let spool = state.svc.spool_file().map_err(|e| service::ServiceError::Internal(Box::new(e)))?;
    let mut file_name: Option<String> = None;
    while let Some(mut field) = form.next_field().await.map_err(|_| bad_upload())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if !csrf_ok {
                return Err(WebError::Forged);
            }
            let chosen = field.file_name().map(str::to_string).filter(|n| !n.is_empty());
            crate::routes::datasets::spool_field(&mut field, spool.path()).await?;
            file_name = chosen;
            continue;
        }
        let value = field.text().await.map_err(|_| bad_upload())?;
        match name.as_str() {
            "csrf" => {
                console.check_csrf(value.trim())?;
                csrf_ok = true;
            }
            "mode" => mode_raw = value.trim().to_string(),
            "accept_valid" => accept_valid = !value.trim().is_empty(),
            "encoding" => encoding_raw = value.trim().to_string(),
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(WebError::Forged);
    }
    let Console(user) = console;
    let choices = (mode_raw.clone(), accept_valid, encoding_raw.clone());
    let Some(mode) = PublishMode::parse(&mode_raw) else {
        return upload_page(
            &state,
            &user,
            r,
            None,
            Some("发布方式无效，请选择整体替换、追加或按主键更新".into()),
            choices,
        )
        .await;
    };
    let encoding = match encoding_raw.as_str() {
        "" | "auto" => None,
        e => match Encoding::parse(e) {
            Some(enc) => Some(enc),
            None => {
                return upload_page(
                    &state,
                    &user,
                    r,
                    None,
                    Some("文件编码无效，请选择自动识别、UTF-8 或 GB18030".into()),
                    choices,
                )
                .await;
            }
        },
    };
    let Some(file_name) = file_name else {
        return upload_page(&state, &user, r, None, Some("请选择要上传的数据文件".into()), choices).await;
    };
    let Some(format) = InputFormat::from_name(&file_name) else {
        let msg = format!("无法识别文件“{file_name}”的格式：请上传 .csv、.xlsx、.json、.ndjson 或 .parquet 文件");
        return upload_page(&state, &user, r, None, Some(msg), choices).await;
    };
    let upload = datasets::Upload {
        path: spool.path().to_path_buf(),
        options: InputOptions { encoding, ..InputOptions::new(format) },
        mode,
        accept_valid,
    };
    let outcome = match datasets::publish(&state.svc, &user.actor, &r.code, upload).await {
        Ok(o) => o,
        Err(e) if super::catalog::is_refusal(&e) => {
            return upload_page(&state, &user, r, None, Some(e.to_string()), choices).await;
        }
        Err(e) => return Err(e.into()),
    };
    drop(spool);
    let report = Report {
        published: outcome.version.as_ref().map(|v| (v.version, v.row_count)),
        refused: outcome.refused,
        accepted: outcome.accepted_rows,
        rejected_rows: outcome.report.total_rejected_rows,
        total_rejections: outcome.report.total_rejections,
        rejections: outcome
            .report
            .first
            .into_iter()
            .map(|x| Rejection {
                row: x.row,
                column: x.column.unwrap_or_default(),
                reason: x.reason,
                value: x.value.unwrap_or_default(),
            })
            .collect(),
        truncated: false,
    };
    let report = Report { truncated: report.total_rejections > report.rejections.len() as u64, ..report };
    upload_page(&state, &user, r, Some(report), None, choices).await
}
