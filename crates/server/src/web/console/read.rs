//! Reading shared data in the browser (国发〔2016〕51号 第十二条、第十四条): the consumer declares
//! the purpose, optionally picks the grant, and sees the first page of rows, with a link to the
//! next page and download links; or checks a record (核验) without seeing its values. Every read
//! goes through `service::datasets` (the access check of `data::access`) and is audited there; a
//! refusal says why and links to the application form.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use data::download::DownloadFormat;
use domain::purpose::{Purpose, PurposeKind};
use serde::Deserialize;
use service::ServiceError;
use service::datasets::{self, ReadRequest};
use service::signin::SessionUser;
use store::model::{GrantFilter, PageRequest, Resource};

use crate::AppState;
use crate::format::{cell, url_part};
use crate::web::page::{Chrome, FormErrors, WebError, WebResult, render};
use crate::web::session::{Console, ConsoleForm, WebQuery};

/// Rows on one page of the browser view.
const PAGE_ROWS: usize = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/read/{code}", get(read_page))
        .route("/console/read/{code}/download", get(download))
        .route("/console/read/{code}/verify", post(verify))
}

/// A read is a GET (links, paging, downloads), so it carries no form token: refuse one that a
/// browser says another site started (`Sec-Fetch-Site: cross-site`), so no other site can make a
/// signed-in user read data under a purpose they did not declare. The session cookie is
/// SameSite=Lax, which already keeps it off cross-site subrequests.
fn same_site(headers: &HeaderMap) -> Result<(), WebError> {
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("cross-site") => Err(WebError::Forged),
        _ => Ok(()),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct ReadParams {
    #[serde(default)]
    purpose_kind: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    grant: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    format: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct VerifyForm {
    #[serde(default, rename = "csrf")]
    _csrf: String,
    #[serde(default)]
    purpose_kind: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    grant: String,
    #[serde(default)]
    key_field: String,
    #[serde(default)]
    key_value: String,
    #[serde(default)]
    claim_field: Vec<String>,
    #[serde(default)]
    claim_value: Vec<String>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The result of a verification, per claimed field.
pub struct VerifyLine {
    pub field: String,
    pub outcome: &'static str,
    pub badge: &'static str,
}

#[derive(Template)]
#[template(path = "console/read/read.html")]
struct ReadPage {
    chrome: Chrome,
    code: String,
    code_enc: String,
    name: String,
    provider: String,
    share_type: &'static str,
    purposes: Vec<Choice>,
    grants: Vec<Choice>,
    params: ReadParams,
    errors: FormErrors,
    /// The access check refused: why, with a link to apply.
    denied: Option<String>,
    /// No data published yet, or another reason nothing is shown.
    notice: Option<String>,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    version: Option<i64>,
    next_href: Option<String>,
    first_href: Option<String>,
    csv_href: String,
    xlsx_href: String,
    key_fields: Vec<Choice>,
    all_fields: Vec<String>,
    verify_form: VerifyForm,
    verify_errors: FormErrors,
    verify_result: Option<Vec<VerifyLine>>,
    verify_found: bool,
}

fn parse_purpose(kind: &str, description: &str) -> Result<Purpose, FormErrors> {
    let mut errors = FormErrors::default();
    let kind = match PurposeKind::parse(kind.trim()) {
        Some(k) => Some(k),
        None => {
            let m = "请选择使用用途类别".to_string();
            errors.general.push(m.clone());
            errors.fields.entry("purpose_kind".into()).or_default().push(m);
            None
        }
    };
    match Purpose::new(kind.unwrap_or(PurposeKind::Other), description) {
        Ok(p) if kind.is_some() => Ok(p),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.general.push(e.message.clone());
            errors.fields.entry("purpose".into()).or_default().push(e.message);
            Err(errors)
        }
    }
}

fn parse_grant(raw: &str) -> Result<Option<i64>, WebError> {
    match raw.trim() {
        "" => Ok(None),
        g => g.parse().map(Some).map_err(|_| WebError::BadForm(format!("授权编号“{g}”无效"))),
    }
}

/// Why a read was refused, or `Err` for what is not the reader's to fix.
fn refusal(e: ServiceError) -> Result<(Option<String>, Option<String>, FormErrors), WebError> {
    match e {
        ServiceError::AccessDenied(d) => Ok((Some(d.to_string()), None, FormErrors::default())),
        ServiceError::NotFound(m) => {
            Ok((None, Some(format!("{m}不存在：提供部门尚未发布数据")), FormErrors::default()))
        }
        e @ (ServiceError::Invalid(_) | ServiceError::RateLimited(_) | ServiceError::Conflict(_)) => {
            Ok((None, None, FormErrors::from_service(e)?))
        }
        other => Err(other.into()),
    }
}

async fn base_page(
    state: &AppState,
    user: &SessionUser,
    r: &Resource,
    params: ReadParams,
    verify_form: VerifyForm,
) -> Result<ReadPage, WebError> {
    let actor = &user.actor;
    let filter = GrantFilter {
        resource_id: Some(r.id),
        consumer_department_id: Some(actor.department_id),
        ..Default::default()
    };
    let grants = service::sharing::list_grants(&state.svc, actor, filter, PageRequest { after: None, limit: 100 })
        .await?
        .items
        .into_iter()
        .filter(|g| service::sharing::usable_today(&state.svc, g).is_ok())
        .map(|g| Choice {
            value: g.id.to_string(),
            label: format!("授权 {}（{}，至{}）", g.id, g.terms.purpose.kind.label(), g.terms.period.until),
            selected: params.grant.trim() == g.id.to_string(),
        })
        .collect();
    let purposes = PurposeKind::ALL
        .iter()
        .map(|k| Choice { value: k.code().into(), label: k.label().into(), selected: params.purpose_kind == k.code() })
        .collect();
    let code_enc: String = url_part(&r.code);
    let query = |format: &str| {
        format!(
            "/console/read/{code_enc}/download?format={format}&purpose_kind={}&purpose={}&grant={}",
            url_part(&params.purpose_kind),
            url_part(&params.purpose),
            url_part(params.grant.trim())
        )
    };
    let key_fields = r
        .spec
        .data_items
        .iter()
        .filter(|i| i.is_key || i.identifier.is_some())
        .map(|i| Choice { value: i.name.clone(), label: i.name.clone(), selected: verify_form.key_field == i.name })
        .collect();
    Ok(ReadPage {
        chrome: Chrome::console(state, user, format!("读取数据：{}", r.spec.name), "/console/grants").await,
        code: r.code.clone(),
        csv_href: query("csv"),
        xlsx_href: query("xlsx"),
        code_enc,
        name: r.spec.name.clone(),
        provider: r.spec.provider_name.clone(),
        share_type: r.spec.share_type.label(),
        purposes,
        grants,
        params,
        errors: FormErrors::default(),
        denied: None,
        notice: None,
        columns: Vec::new(),
        rows: Vec::new(),
        version: None,
        next_href: None,
        first_href: None,
        key_fields,
        all_fields: r.spec.data_items.iter().map(|i| i.name.clone()).collect(),
        verify_form,
        verify_errors: FormErrors::default(),
        verify_result: None,
        verify_found: false,
    })
}

fn with_status(status: StatusCode, page: &ReadPage) -> WebResult {
    let res = render(page)?;
    Ok(if status == StatusCode::OK { res } else { (status, res).into_response() })
}

async fn read_page(
    State(state): State<AppState>,
    Console(user): Console,
    Path(code): Path<String>,
    headers: HeaderMap,
    WebQuery(params): WebQuery<ReadParams>,
) -> WebResult {
    same_site(&headers)?;
    let r = service::catalog::get(&state.svc, &user.actor, &code).await?;
    let mut page = base_page(&state, &user, &r, params.clone(), VerifyForm::default()).await?;
    // Nothing declared yet: the form only.
    if params.purpose_kind.is_empty() && params.purpose.is_empty() {
        return render(&page);
    }
    let purpose = match parse_purpose(&params.purpose_kind, &params.purpose) {
        Ok(p) => p,
        Err(errors) => {
            page.errors = errors;
            return with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let grant_id = parse_grant(&params.grant)?;
    let cursor = Some(params.cursor.trim().to_string()).filter(|c| !c.is_empty());
    let spec = data::query::QuerySpec { limit: Some(PAGE_ROWS), cursor: cursor.clone(), ..Default::default() };
    let req = ReadRequest { version: None, purpose, grant_id };
    match datasets::query(&state.svc, &user.actor, &r.code, req, spec).await {
        Ok((version, result)) => {
            page.version = Some(version.version);
            page.rows = result
                .rows
                .iter()
                .map(|row| result.columns.iter().map(|c| row.get(c).map(cell).unwrap_or_default()).collect())
                .collect();
            page.columns = result.columns;
            let base = format!(
                "/console/read/{}?purpose_kind={}&purpose={}&grant={}",
                page.code_enc,
                url_part(&params.purpose_kind),
                url_part(&params.purpose),
                url_part(params.grant.trim())
            );
            page.next_href = result.next.map(|n| format!("{base}&cursor={}", url_part(&n)));
            page.first_href = cursor.map(|_| base);
            render(&page)
        }
        Err(e) => {
            let (denied, notice, errors) = refusal(e)?;
            let status = if denied.is_some() { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            page.denied = denied;
            page.notice = notice;
            page.errors = errors;
            with_status(status, &page)
        }
    }
}

async fn download(
    State(state): State<AppState>,
    Console(user): Console,
    Path(code): Path<String>,
    headers: HeaderMap,
    WebQuery(params): WebQuery<ReadParams>,
) -> Result<Response, WebError> {
    same_site(&headers)?;
    let format = DownloadFormat::parse(if params.format.is_empty() { "csv" } else { params.format.trim() })
        .ok_or_else(|| WebError::BadForm(format!("下载格式无效，可选：{}", DownloadFormat::EXPECTED)))?;
    let purpose = parse_purpose(&params.purpose_kind, &params.purpose)
        .map_err(|e| WebError::BadForm(format!("下载前请先说明使用用途：{}", e.general.join("；"))))?;
    let grant_id = parse_grant(&params.grant)?;
    let req = ReadRequest { version: None, purpose, grant_id };
    let spec = data::query::QuerySpec::default();
    Ok(crate::routes::datasets::download_response(&state, &user.actor, &code, req, spec, format).await?)
}

async fn verify(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<VerifyForm>,
) -> WebResult {
    let r = service::catalog::get(&state.svc, &user.actor, &code).await?;
    let params = ReadParams {
        purpose_kind: form.purpose_kind.clone(),
        purpose: form.purpose.clone(),
        grant: form.grant.clone(),
        ..Default::default()
    };
    let mut page = base_page(&state, &user, &r, params, form.clone()).await?;
    let purpose = match parse_purpose(&form.purpose_kind, &form.purpose) {
        Ok(p) => p,
        Err(errors) => {
            page.verify_errors = errors;
            return with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let grant_id = parse_grant(&form.grant)?;
    let mut key = BTreeMap::new();
    if !form.key_field.trim().is_empty() {
        key.insert(form.key_field.trim().to_string(), serde_json::Value::String(form.key_value.trim().to_string()));
    }
    let mut claims = BTreeMap::new();
    for (i, f) in form.claim_field.iter().enumerate() {
        let v = form.claim_value.get(i).map(|s| s.trim()).unwrap_or("");
        if !f.trim().is_empty() && !v.is_empty() {
            claims.insert(f.trim().to_string(), serde_json::Value::String(v.to_string()));
        }
    }
    let req = ReadRequest { version: None, purpose, grant_id };
    match datasets::verify(&state.svc, &user.actor, &r.code, req, &key, &claims).await {
        Ok(answer) => {
            page.verify_found = answer.found;
            page.verify_result = Some(
                answer
                    .fields
                    .into_iter()
                    .map(|(field, o)| {
                        let (outcome, badge) = match o {
                            data::verify::Outcome::Match => ("一致", "badge-ok"),
                            data::verify::Outcome::NoMatch => ("不一致", "badge-danger"),
                            data::verify::Outcome::NoRecord => ("无此记录", "badge-warn"),
                        };
                        VerifyLine { field, outcome, badge }
                    })
                    .collect(),
            );
            render(&page)
        }
        Err(e) => {
            let (denied, notice, errors) = refusal(e)?;
            let status = if denied.is_some() { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            page.denied = denied;
            page.notice = notice;
            page.verify_errors = errors;
            with_status(status, &page)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_started_by_another_site_are_refused() {
        let mut h = HeaderMap::new();
        assert!(same_site(&h).is_ok(), "older browsers send nothing");
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(same_site(&h).is_ok());
        h.insert("sec-fetch-site", "none".parse().unwrap());
        assert!(same_site(&h).is_ok(), "typed into the address bar");
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(matches!(same_site(&h), Err(WebError::Forged)));
    }
}
