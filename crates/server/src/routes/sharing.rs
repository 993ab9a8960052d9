//! Applications, decisions, disputes and rulings; grants, agreements and feedback. Thin: each
//! handler turns JSON into a `service::sharing` call and the result into a view.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use domain::sharing::{ApplicationStatus, GrantAction, GrantStatus};
use service::sharing::{self, Act};
use store::model::{Application, ApplicationFilter, Grant, GrantFilter};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth, Upload};
use crate::views::{
    ActionResultView, AgreementView, ApplicationInput, ApplicationListParams, ApplicationStepView, ApplicationView,
    DecisionBody, FeedbackInput, FeedbackView, GrantInput, GrantListParams, GrantStepView, GrantView, List, PageParams,
    ReasonBody, RevisionBody, RulingBody,
};

pub(crate) fn application_view(s: &AppState, a: Application) -> ApplicationView {
    let overdue = sharing::is_overdue(&s.svc, &a);
    let Application {
        id,
        resource_id,
        provider_department_id,
        consumer_department_id,
        applicant_id,
        status,
        terms,
        received_on,
        reply_due,
        due_provisional,
        decision,
        grant_id,
        created_at,
        updated_at,
        revision,
    } = a;
    ApplicationView {
        id,
        resource_id,
        provider_department_id,
        consumer_department_id,
        applicant_id,
        status: status.code().to_string(),
        status_label: status.label().to_string(),
        terms,
        received_on,
        reply_due,
        due_provisional,
        overdue,
        decision,
        grant_id,
        created_at,
        updated_at,
        revision,
    }
}

pub(crate) fn grant_view(s: &AppState, g: Grant) -> GrantView {
    let usable = sharing::usable_today(&s.svc, &g);
    let Grant {
        id,
        resource_id,
        provider_department_id,
        consumer_department_id,
        application_id,
        status,
        terms,
        issued_by,
        issued_at,
        updated_at,
        revision,
    } = g;
    GrantView {
        id,
        resource_id,
        provider_department_id,
        consumer_department_id,
        application_id,
        status: status.code().to_string(),
        status_label: status.label().to_string(),
        usable: usable.is_ok(),
        unusable_reason: usable.err().map(|e| e.to_string()),
        terms,
        issued_by,
        issued_at,
        updated_at,
        revision,
    }
}

fn statuses<T: Copy>(raw: Option<&str>, parse: fn(&str) -> Option<T>, expected: &str) -> Result<Vec<T>, ApiError> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            parse(s).ok_or_else(|| {
                ApiError::bad_request("invalid_query", format!("状态“{s}”无效，可选：{expected}")).with_field("status")
            })
        })
        .collect()
}

fn side(raw: Option<&str>, department_id: i64) -> Result<(Option<i64>, Option<i64>), ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok((None, None)),
        Some("provider") => Ok((Some(department_id), None)),
        Some("consumer") => Ok((None, Some(department_id))),
        Some(other) => {
            Err(ApiError::bad_request("invalid_query", format!("side“{other}”无效，可选：provider、consumer"))
                .with_field("side"))
        }
    }
}

/// Applies for a resource's data (共享申请): purpose, basis, fields, rows, period, methods, contact.
#[utoipa::path(post, operation_id = "sharing_apply", path = "/api/v1/applications", tag = "sharing", request_body = ApplicationInput,
    responses((status = 201, description = "Filed; the reply deadline runs", body = ApplicationView), (status = 403, description = "Forbidden", body = ErrorBody), (status = 422, description = "Validation failed", body = ErrorBody)))]
pub async fn apply(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<ApplicationInput>,
) -> ApiResult<(StatusCode, Json<ApplicationView>)> {
    let (resource, terms) = b.split();
    let app = sharing::apply(&s.svc, &a, &resource, terms).await?;
    Ok((StatusCode::CREATED, Json(application_view(&s, app))))
}

/// Applications of your department (as consumer or provider); coordinators and auditors: all.
#[utoipa::path(get, operation_id = "sharing_list_applications", path = "/api/v1/applications", tag = "sharing", params(ApplicationListParams),
    responses((status = 200, description = "Newest first", body = List<ApplicationView>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(p): ApiQuery<ApplicationListParams>,
) -> ApiResult<Json<List<ApplicationView>>> {
    let page = PageParams { limit: p.limit, cursor: p.cursor.clone() }.request()?;
    let (provider, consumer) = side(p.side.as_deref(), a.department_id)?;
    let filter = ApplicationFilter {
        resource_id: p.resource_id,
        provider_department_id: provider,
        consumer_department_id: consumer,
        statuses: statuses(p.status.as_deref(), ApplicationStatus::parse, &ApplicationStatus::expected())?,
        ..Default::default()
    };
    let apps = sharing::list(&s.svc, &a, filter, page).await?;
    Ok(Json(List::from_page(apps, |x| application_view(&s, x))))
}

#[utoipa::path(get, operation_id = "sharing_get_application", path = "/api/v1/applications/{id}", tag = "sharing", params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = ApplicationView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<i64>) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(application_view(&s, sharing::get(&s.svc, &a, id).await?)))
}

/// Every step of an application: who did what, when and why.
#[utoipa::path(get, operation_id = "sharing_application_steps", path = "/api/v1/applications/{id}/steps", tag = "sharing", params(("id" = i64, Path)),
    responses((status = 200, description = "In order", body = Vec<ApplicationStepView>), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn steps(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<ApplicationStepView>>> {
    Ok(Json(sharing::steps(&s.svc, &a, id).await?.into_iter().map(Into::into).collect()))
}

async fn act(
    s: &AppState,
    a: &domain::account::Actor,
    id: i64,
    revision: i64,
    act: Act,
) -> ApiResult<Json<ActionResultView>> {
    let (app, grant) = sharing::act(&s.svc, a, id, revision, act).await?;
    Ok(Json(ActionResultView { application: application_view(s, app), grant: grant.map(|g| grant_view(s, g)) }))
}

/// The provider's approver starts reviewing (审核中).
#[utoipa::path(post, operation_id = "sharing_review", path = "/api/v1/applications/{id}/review", tag = "sharing", params(("id" = i64, Path)), request_body = RevisionBody,
    responses((status = 200, description = "OK", body = ActionResultView), (status = 409, description = "Not possible now, or stale revision", body = ErrorBody)))]
pub async fn review(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RevisionBody>,
) -> ApiResult<Json<ActionResultView>> {
    act(&s, &a, id, b.revision, Act::Review).await
}

/// The provider's answer: approve, approve in part (narrower terms + reason) or refuse (reason
/// required, 第十二条). Approval issues a grant.
#[utoipa::path(post, operation_id = "sharing_decide", path = "/api/v1/applications/{id}/decision", tag = "sharing", params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, description = "OK", body = ActionResultView), (status = 409, description = "Not possible now, or stale revision", body = ErrorBody), (status = 422, description = "Invalid decision", body = ErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> ApiResult<Json<ActionResultView>> {
    act(&s, &a, id, b.revision, Act::Decide(b.decision)).await
}

/// The consumer withdraws an open application.
#[utoipa::path(post, operation_id = "sharing_withdraw", path = "/api/v1/applications/{id}/withdraw", tag = "sharing", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, description = "OK", body = ActionResultView), (status = 409, description = "Not possible now", body = ErrorBody)))]
pub async fn withdraw(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<ActionResultView>> {
    act(&s, &a, id, b.revision, Act::Withdraw { note: b.reason }).await
}

/// The consumer disputes a refusal (协商).
#[utoipa::path(post, operation_id = "sharing_dispute", path = "/api/v1/applications/{id}/dispute", tag = "sharing", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, description = "OK", body = ActionResultView), (status = 409, description = "Not possible now", body = ErrorBody), (status = 422, description = "Reason missing", body = ErrorBody)))]
pub async fn dispute(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<ActionResultView>> {
    act(&s, &a, id, b.revision, Act::Dispute { reason: b.reason.unwrap_or_default() }).await
}

/// Takes a negotiation (or an open application) to the coordinator (协调).
#[utoipa::path(post, operation_id = "sharing_escalate", path = "/api/v1/applications/{id}/escalate", tag = "sharing", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, description = "OK", body = ActionResultView), (status = 409, description = "Not possible now", body = ErrorBody)))]
pub async fn escalate(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<ActionResultView>> {
    act(&s, &a, id, b.revision, Act::Escalate { reason: b.reason.unwrap_or_default() }).await
}

/// The coordinator rules on an escalated application: share on terms (a grant is issued) or not.
#[utoipa::path(post, operation_id = "sharing_rule", path = "/api/v1/applications/{id}/ruling", tag = "sharing", params(("id" = i64, Path)), request_body = RulingBody,
    responses((status = 200, description = "OK", body = ActionResultView), (status = 403, description = "Coordinators only", body = ErrorBody), (status = 409, description = "Not possible now", body = ErrorBody)))]
pub async fn rule(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RulingBody>,
) -> ApiResult<Json<ActionResultView>> {
    act(&s, &a, id, b.revision, Act::Rule(b.ruling)).await
}

/// Grants your department gave or holds; coordinators and auditors: all.
#[utoipa::path(get, operation_id = "sharing_list_grants", path = "/api/v1/grants", tag = "sharing", params(GrantListParams),
    responses((status = 200, description = "Newest first", body = List<GrantView>)))]
pub async fn list_grants(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(p): ApiQuery<GrantListParams>,
) -> ApiResult<Json<List<GrantView>>> {
    let page = PageParams { limit: p.limit, cursor: p.cursor.clone() }.request()?;
    let (provider, consumer) = side(p.side.as_deref(), a.department_id)?;
    let filter = GrantFilter {
        resource_id: p.resource_id,
        provider_department_id: provider,
        consumer_department_id: consumer,
        statuses: statuses(p.status.as_deref(), GrantStatus::parse, &GrantStatus::expected())?,
        ..Default::default()
    };
    let grants = sharing::list_grants(&s.svc, &a, filter, page).await?;
    Ok(Json(List::from_page(grants, |g| grant_view(&s, g))))
}

/// The provider's approver grants without an application (主动授权): the resource, the consumer
/// department, the terms and a reason; checked like a decision's terms.
#[utoipa::path(post, operation_id = "sharing_issue_grant", path = "/api/v1/grants", tag = "sharing", request_body = GrantInput,
    responses((status = 201, description = "Issued", body = GrantView), (status = 403, description = "Not the provider's approver", body = ErrorBody), (status = 409, description = "The resource is not published", body = ErrorBody), (status = 422, description = "Invalid terms or reason", body = ErrorBody)))]
pub async fn issue_grant(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<GrantInput>,
) -> ApiResult<(StatusCode, Json<GrantView>)> {
    let g = sharing::issue_grant(&s.svc, &a, b.into()).await?;
    Ok((StatusCode::CREATED, Json(grant_view(&s, g))))
}

#[utoipa::path(get, operation_id = "sharing_get_grant", path = "/api/v1/grants/{id}", tag = "sharing", params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = GrantView), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn get_grant(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<i64>) -> ApiResult<Json<GrantView>> {
    Ok(Json(grant_view(&s, sharing::get_grant(&s.svc, &a, id).await?)))
}

#[utoipa::path(get, operation_id = "sharing_grant_steps", path = "/api/v1/grants/{id}/steps", tag = "sharing", params(("id" = i64, Path)),
    responses((status = 200, description = "In order", body = Vec<GrantStepView>), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn grant_steps(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<GrantStepView>>> {
    Ok(Json(sharing::grant_steps(&s.svc, &a, id).await?.into_iter().map(Into::into).collect()))
}

async fn change(
    s: &AppState,
    a: &domain::account::Actor,
    id: i64,
    b: ReasonBody,
    action: GrantAction,
) -> ApiResult<Json<GrantView>> {
    Ok(Json(grant_view(s, sharing::change_grant(&s.svc, a, id, b.revision, action, b.reason).await?)))
}

/// Suspends a grant (reason required); it stops working at once.
#[utoipa::path(post, operation_id = "sharing_suspend_grant", path = "/api/v1/grants/{id}/suspend", tag = "sharing", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, description = "OK", body = GrantView), (status = 409, description = "Not possible now", body = ErrorBody)))]
pub async fn suspend(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<GrantView>> {
    change(&s, &a, id, b, GrantAction::Suspend).await
}

#[utoipa::path(post, operation_id = "sharing_resume_grant", path = "/api/v1/grants/{id}/resume", tag = "sharing", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, description = "OK", body = GrantView), (status = 409, description = "Not possible now", body = ErrorBody)))]
pub async fn resume(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<GrantView>> {
    change(&s, &a, id, b, GrantAction::Resume).await
}

/// Revokes a grant for good (reason required).
#[utoipa::path(post, operation_id = "sharing_revoke_grant", path = "/api/v1/grants/{id}/revoke", tag = "sharing", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, description = "OK", body = GrantView), (status = 409, description = "Not possible now", body = ErrorBody)))]
pub async fn revoke(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<GrantView>> {
    change(&s, &a, id, b, GrantAction::Revoke).await
}

/// Files a 共享协议 or 安全保密协议 for a grant (multipart: `kind`, `title`, `file`).
#[utoipa::path(post, operation_id = "sharing_file_agreement", path = "/api/v1/grants/{id}/agreements", tag = "sharing", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "fields `kind` (sharing | confidentiality), `title`, `file`"),
    responses((status = 201, description = "Filed", body = AgreementView), (status = 422, description = "Invalid", body = ErrorBody)))]
pub async fn file_agreement(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    Upload(mut form): Upload,
) -> ApiResult<(StatusCode, Json<AgreementView>)> {
    let (mut kind, mut title, mut file) = (String::new(), String::new(), None);
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::bad_request("invalid_multipart", format!("上传内容无法读取：{}", e.body_text()))
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "kind" => kind = field.text().await.map_err(bad)?,
            "title" => title = field.text().await.map_err(bad)?,
            "file" => {
                let name = field.file_name().unwrap_or("agreement").to_string();
                let ctype = field.content_type().unwrap_or("application/octet-stream").to_string();
                file = Some((name, ctype, field.bytes().await.map_err(bad)?.to_vec()));
            }
            other => {
                return Err(
                    ApiError::bad_request("invalid_multipart", "只接受 kind、title、file 字段").with_field(other)
                );
            }
        }
    }
    let (name, ctype, bytes) = file
        .ok_or_else(|| ApiError::bad_request("invalid_multipart", "请上传协议文件（file 字段）").with_field("file"))?;
    let upload = sharing::AgreementUpload { kind, title, file_name: name, content_type: ctype, bytes };
    let ag = sharing::file_agreement(&s.svc, &a, id, upload).await?;
    Ok((StatusCode::CREATED, Json(ag.into())))
}

#[utoipa::path(get, operation_id = "sharing_list_agreements", path = "/api/v1/grants/{id}/agreements", tag = "sharing", params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = Vec<AgreementView>)))]
pub async fn list_agreements(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<AgreementView>>> {
    Ok(Json(sharing::list_agreements(&s.svc, &a, id).await?.into_iter().map(Into::into).collect()))
}

/// The agreement document, as filed (checked against its SHA-256).
#[utoipa::path(get, operation_id = "sharing_agreement_document", path = "/api/v1/agreements/{id}/document", tag = "sharing", params(("id" = i64, Path)),
    responses((status = 200, description = "The document"), (status = 404, description = "Not found", body = ErrorBody)))]
pub async fn agreement_document(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<i64>) -> ApiResult<Response> {
    let (ag, bytes) = sharing::agreement_document(&s.svc, &a, id).await?;
    let disposition = format!(
        "attachment; filename=\"agreement-{id}\"; filename*=UTF-8''{}",
        form_urlencoded::byte_serialize(ag.file_name.as_bytes()).collect::<String>()
    );
    Response::builder()
        .header(header::CONTENT_TYPE, ag.content_type)
        .header(header::CONTENT_DISPOSITION, disposition)
        .body(Body::from(bytes))
        .map_err(|e| ApiError::from(service::ServiceError::Internal(Box::new(e))))
}

/// 使用效果反馈: the consumer department reports what the data achieved; the provider sees it.
#[utoipa::path(post, operation_id = "sharing_give_feedback", path = "/api/v1/grants/{id}/feedback", tag = "sharing", params(("id" = i64, Path)), request_body = FeedbackInput,
    responses((status = 201, description = "Recorded", body = FeedbackView), (status = 422, description = "Invalid", body = ErrorBody)))]
pub async fn give_feedback(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<FeedbackInput>,
) -> ApiResult<(StatusCode, Json<FeedbackView>)> {
    let f = sharing::give_feedback(&s.svc, &a, id, b.rating, &b.effect).await?;
    Ok((StatusCode::CREATED, Json(f.into())))
}

/// Feedback on a resource: all of it for its provider, your department's otherwise.
#[utoipa::path(get, operation_id = "sharing_resource_feedback", path = "/api/v1/resources/{key}/feedback", tag = "sharing", params(("key" = String, Path)),
    responses((status = 200, description = "Newest first", body = Vec<FeedbackView>)))]
pub async fn resource_feedback(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(key): Path<String>,
) -> ApiResult<Json<Vec<FeedbackView>>> {
    Ok(Json(sharing::feedback_for(&s.svc, &a, &key).await?.into_iter().map(Into::into).collect()))
}
