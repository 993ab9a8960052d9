//! Applications for conditionally open data (有条件开放, seed 002): a member of the public applies
//! for a dataset whose open type is 有条件开放, stating who they are, the purpose, the intended use
//! and the period; the providing department answers within the reply deadline (the working days
//! of 国发〔2016〕51号 第十二条, as for shared data), and a refusal says why. The applicant follows
//! the answer with the reference code shown after submitting.
//!
//! An approval records the decision and shows it on the status page; it does not hand out data by
//! any other path (the department provides the data under its open conditions).

use domain::account::{Action, Actor};
use domain::catalog::OpenType;
use domain::portal::{OpenApplication, OpenRequestStatus, check_decision_reason, normalize_reference, reference_code};
use rand::RngCore;
use store::model::{Page, PageRequest};
use store::portal_store::{NewOpenRequest, OpenRequest, PortalDecision};

use crate::apps::public_dataset;
use crate::open::OpenDataset;
use crate::{Result, ServiceError, Services};

/// A conditionally open dataset that can be applied for: `NotFound` for anything not public,
/// `Conflict` for a public dataset that is not 有条件开放.
pub async fn conditional_dataset(svc: &Services, code: &str) -> Result<OpenDataset> {
    let d = public_dataset(svc, code).await?;
    if d.resource.spec.open_type != OpenType::Conditional {
        return Err(ServiceError::Conflict(format!(
            "数据集“{}”为{}，无需申请，可直接浏览和下载",
            d.resource.spec.name,
            d.resource.spec.open_type.label()
        )));
    }
    Ok(d)
}

/// Whether the answer to a pending application is late: the reply deadline (its last day
/// included) has passed without a decision.
pub fn is_overdue(svc: &Services, request: &OpenRequest) -> bool {
    request.status == OpenRequestStatus::Pending && request.deadline < store::time::cst_date(svc.clock.now())
}

/// What an application is for, by name (the dataset may have been withdrawn since).
#[derive(Debug, Clone)]
pub struct RequestedDataset {
    pub code: String,
    pub name: String,
    pub department: String,
    pub open_condition: Option<String>,
}

async fn requested(svc: &Services, request: &OpenRequest) -> Result<RequestedDataset> {
    let resource = svc.store.get_resource(request.resource_id).await?;
    let department = svc.store.get_department(request.department_id).await?.spec.name;
    Ok(RequestedDataset {
        code: resource.code,
        name: resource.spec.name,
        department,
        open_condition: resource.spec.open_condition,
    })
}

/// Files an application; the answer is due by the reply deadline.
pub async fn apply(svc: &Services, code: &str, application: &OpenApplication, client: &str) -> Result<OpenRequest> {
    let dataset = conditional_dataset(svc, code).await?;
    let now = svc.clock.now();
    let today = store::time::cst_date(now);
    application.validate(today)?;
    svc.portal_limits.submission(client, now)?;
    let deadline = domain::sharing::reply_deadline(&svc.calendar, today, svc.settings.reply_days)?;
    let mut random = [0u8; 12];
    rand::rng().fill_bytes(&mut random);
    let new = NewOpenRequest {
        reference: reference_code(&random),
        resource_id: dataset.resource.id,
        department_id: dataset.resource.department_id,
        applicant: application.applicant.trim().to_string(),
        organisation: application.organisation.trim().to_string(),
        contact: application.contact.trim().to_string(),
        purpose: application.purpose.trim().to_string(),
        intended_use: application.intended_use.trim().to_string(),
        period_from: application.period_from,
        period_to: application.period_to,
        deadline: deadline.date,
        deadline_provisional: deadline.provisional,
        submitted_at: now,
    };
    let request = svc.store.create_open_request(&new).await?;
    crate::audit::record(
        svc,
        None,
        "open_request.submit",
        "open_request",
        Some(request.id.to_string()),
        serde_json::json!({
            "resource": dataset.resource.code,
            "department_id": request.department_id,
            "organisation": request.organisation,
            "deadline": request.deadline.to_string(),
            "client": client,
        }),
    )
    .await?;
    Ok(request)
}

/// An application by its reference code, for the applicant (`NotFound` for an unknown code).
pub async fn status(svc: &Services, reference: &str) -> Result<(OpenRequest, RequestedDataset)> {
    let reference = normalize_reference(reference);
    let not_found = || ServiceError::NotFound(format!("查询码为“{reference}”的申请"));
    if reference.len() < 8 {
        return Err(ServiceError::invalid("ref", "invalid_reference", "请填写提交申请后获得的查询码，如 KF7Q2M…"));
    }
    let Some(request) = svc.store.open_request_by_reference(&reference).await? else {
        return Err(not_found());
    };
    let dataset = requested(svc, &request).await?;
    Ok((request, dataset))
}

/// The applications to the actor's department, waiting ones or all.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    status: Option<OpenRequestStatus>,
    page: PageRequest,
) -> Result<Page<OpenRequest>> {
    actor.authorize(Action::AnswerApplication, Some(actor.department_id))?;
    Ok(svc.store.list_open_requests(Some(actor.department_id), status, page).await?)
}

/// One application to the actor's department, with its dataset.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> Result<(OpenRequest, RequestedDataset)> {
    let request = match svc.store.get_open_request(id).await {
        Ok(r) => r,
        Err(store::StoreError::NotFound { .. }) => return Err(ServiceError::NotFound(format!("开放数据申请 {id}"))),
        Err(e) => return Err(e.into()),
    };
    actor.authorize(Action::AnswerApplication, Some(request.department_id))?;
    let dataset = requested(svc, &request).await?;
    Ok((request, dataset))
}

/// The providing department's answer; a refusal needs a reason (the applicant sees it).
pub async fn answer(svc: &Services, actor: &Actor, id: i64, approve: bool, reason: &str) -> Result<OpenRequest> {
    let (current, dataset) = get(svc, actor, id).await?;
    check_decision_reason(approve, reason)?;
    if current.status != OpenRequestStatus::Pending {
        return Err(ServiceError::Conflict(format!("该申请已答复（{}），不能再次答复", current.status.label())));
    }
    let decision = PortalDecision {
        status: if approve { OpenRequestStatus::Approved } else { OpenRequestStatus::Refused },
        reason: domain::portal::non_empty(reason),
        by: actor.user_id,
        at: svc.clock.now(),
    };
    let Some(request) = svc.store.answer_open_request(id, &decision).await? else {
        return Err(ServiceError::Conflict("该申请已被他人答复，请刷新后查看".into()));
    };
    crate::audit::record(
        svc,
        Some(actor),
        if approve { "open_request.approve" } else { "open_request.refuse" },
        "open_request",
        Some(request.id.to_string()),
        serde_json::json!({"resource": dataset.code, "reason": request.reason}),
    )
    .await?;
    Ok(request)
}
