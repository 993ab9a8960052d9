//! Sharing (国发〔2016〕51号 第十二条、第十四条; seed 004 三(四)(五)): applications for Conditional
//! data, the provider's answer within the reply deadline, disputes and the coordinator's ruling,
//! grants and their suspension or revocation, agreements filed with the coordinator, and feedback
//! on the effect of sharing. Every step is recorded with who, when and why (the application's and
//! grant's steps) and leaves an audit event.

use chrono::NaiveDate;
use data::object_store::ObjectStoreExt;
use domain::account::{Action, Actor, Role};
use domain::catalog::{ResourceStatus, ShareType};
use domain::sharing::{
    ApplicationAction, ApplicationStatus, ApplicationTerms, Decision, GrantAction, GrantStatus, GrantTerms, Party,
    Ruling, initial_status, reply_deadline,
};
use serde_json::json;
use sha2::Digest;
use store::model::{
    Agreement, Application, ApplicationFilter, ApplicationStep, ApplicationTransition, Feedback, Grant, GrantFilter,
    GrantStep, GrantTransition, NewAgreement, NewApplication, NewFeedback, NewGrant, NewStep, Page, PageRequest,
    Resource,
};

use crate::{Result, ServiceError, Services, audit, catalog};

/// Who sees every application and grant (supervision and audit).
fn sees_all(actor: &Actor) -> bool {
    actor.has(Role::Coordinator) || actor.has(Role::Auditor)
}

fn app_not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("共享申请{id}"))
}

fn grant_not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("共享授权{id}"))
}

fn party_code(p: Party) -> &'static str {
    match p {
        Party::Consumer => "consumer",
        Party::Provider => "provider",
        Party::Coordinator => "coordinator",
        Party::Platform => "platform",
    }
}

/// The party the actor acts as on an application, for `action`, checked against their roles.
fn party_for(actor: &Actor, app: &Application, action: ApplicationAction) -> Result<Party> {
    let parties = action.parties();
    if parties.contains(&Party::Provider) {
        actor.authorize(Action::AnswerApplication, Some(app.provider_department_id))?;
        return Ok(Party::Provider);
    }
    if parties.contains(&Party::Consumer) && actor.department_id == app.consumer_department_id {
        actor.authorize(Action::ApplyForData, Some(app.consumer_department_id))?;
        return Ok(Party::Consumer);
    }
    if parties.contains(&Party::Coordinator) {
        actor.authorize(Action::Coordinate, None)?;
        return Ok(Party::Coordinator);
    }
    actor.authorize(Action::ApplyForData, Some(app.consumer_department_id))?;
    Ok(Party::Consumer)
}

// ---------------------------------------------------------------------------------------------
// Applications

/// Whether the actor's department may apply for the entry's data: a published entry of another
/// department (国发〔2016〕51号 第十二条: the provider's own department reads directly).
pub fn check_may_apply(actor: &Actor, r: &Resource) -> Result<()> {
    actor.authorize(Action::ApplyForData, Some(actor.department_id))?;
    if r.status != ResourceStatus::Published {
        return Err(ServiceError::Conflict(format!("目录“{}”不是已发布状态，不能申请共享", r.code)));
    }
    if r.department_id == actor.department_id {
        return Err(ServiceError::invalid("resource", "own_resource", "本部门的资源无需申请，可直接使用"));
    }
    Ok(())
}

/// Whether the pages should offer an application for the entry: the actor may apply and some of its
/// data items (or the entry itself) are not Unconditional, so reading them needs a grant
/// (国发〔2016〕51号 第九条、第十二条).
pub fn offers_application(actor: &Actor, r: &Resource) -> bool {
    let restricted = r.spec.share_type != ShareType::Unconditional
        || r.spec.data_items.iter().any(|i| i.effective_share_type(&r.spec) != ShareType::Unconditional);
    restricted && check_may_apply(actor, r).is_ok()
}

/// A consumer department applies for a resource's data (共享申请).
pub async fn apply(svc: &Services, actor: &Actor, key: &str, terms: ApplicationTerms) -> Result<Application> {
    actor.authorize(Action::ApplyForData, Some(actor.department_id))?;
    let r = catalog::get(svc, actor, key).await?;
    check_may_apply(actor, &r)?;
    let today = svc.clock.today();
    terms.validate(&r.spec, today)?;
    check_callers(svc, actor.department_id, &[], &terms.system_ids).await?;
    let status = initial_status(&terms.restricted_fields(&r.spec))?;
    let due = reply_deadline(&svc.calendar, today, svc.settings.reply_days)?;
    let new = NewApplication {
        resource_id: r.id,
        provider_department_id: r.department_id,
        consumer_department_id: actor.department_id,
        applicant_id: actor.user_id,
        status,
        terms,
        received_on: today,
        reply_due: due.date,
        due_provisional: due.provisional,
        at: svc.clock.now(),
    };
    let note =
        (status == ApplicationStatus::Disputed).then(|| "申请的信息项含不予共享类，按第十二条转入协商".to_string());
    let step = NewStep {
        action: "submit".into(),
        actor_id: Some(actor.user_id),
        actor_name: Some(actor.username.clone()),
        party: party_code(Party::Consumer).into(),
        note,
    };
    let app = svc.store.create_application(&new, &step).await?;
    audit::record(
        svc,
        Some(actor),
        "application.submit",
        "application",
        Some(app.id.to_string()),
        json!({"resource": r.code, "status": app.status.code(), "reply_due": app.reply_due.to_string(),
               "purpose": {"kind": app.terms.purpose.kind.code(), "description": app.terms.purpose.description},
               "fields": app.terms.fields, "systems": app.terms.system_ids}),
    )
    .await?;
    Ok(app)
}

/// An application, if the actor may see it (its two departments, the coordinator, auditors).
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> Result<Application> {
    let app = match svc.store.get_application(id).await {
        Ok(a) => a,
        Err(store::StoreError::NotFound { .. }) => return Err(app_not_found(id)),
        Err(e) => return Err(e.into()),
    };
    if sees_all(actor)
        || actor.department_id == app.consumer_department_id
        || actor.department_id == app.provider_department_id
    {
        Ok(app)
    } else {
        Err(app_not_found(id))
    }
}

/// Applications the actor may see: their department's (as consumer or provider); all for the
/// coordinator and auditors.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    mut filter: ApplicationFilter,
    page: PageRequest,
) -> Result<Page<Application>> {
    if !sees_all(actor) {
        filter.department_id = Some(actor.department_id);
    }
    Ok(svc.store.list_applications(&filter, page).await?)
}

pub async fn steps(svc: &Services, actor: &Actor, id: i64) -> Result<Vec<ApplicationStep>> {
    get(svc, actor, id).await?;
    Ok(svc.store.application_steps(id).await?)
}

/// What someone does to an application, with what it needs.
pub enum Act {
    Review,
    Decide(Decision),
    Withdraw { note: Option<String> },
    Dispute { reason: String },
    Escalate { reason: String },
    Rule(Ruling),
}

impl Act {
    fn action(&self) -> ApplicationAction {
        match self {
            Act::Review => ApplicationAction::Review,
            Act::Decide(d) => d.action(),
            Act::Withdraw { .. } => ApplicationAction::Withdraw,
            Act::Dispute { .. } => ApplicationAction::Dispute,
            Act::Escalate { .. } => ApplicationAction::Escalate,
            Act::Rule(_) => ApplicationAction::Rule,
        }
    }
}

fn reason_required(reason: &str, what: &str) -> Result<String> {
    let r = reason.trim();
    if (2..=2000).contains(&r.chars().count()) {
        Ok(r.to_string())
    } else {
        Err(ServiceError::invalid("reason", "reason_required", format!("{what}须说明理由（2至2000字）")))
    }
}

/// Acts on an application that the actor saw at `revision`. Returns the application and the
/// grant the step issued, if any.
pub async fn act(
    svc: &Services,
    actor: &Actor,
    id: i64,
    revision: i64,
    act: Act,
) -> Result<(Application, Option<Grant>)> {
    let app = get(svc, actor, id).await?;
    let action = act.action();
    let party = party_for(actor, &app, action)?;
    if !action.parties().contains(&party) {
        return Err(ServiceError::invalid("action", "wrong_party", format!("您不能对该申请执行“{}”", action.label())));
    }
    let to = app.status.apply_by(party, action).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    if revision != app.revision {
        return Err(ServiceError::Stale { current: app.revision });
    }
    let r = svc.store.get_resource(app.resource_id).await?;
    let today = svc.clock.today();
    let mut decision = None;
    let mut grant_terms: Option<GrantTerms> = None;
    let note = match &act {
        Act::Review => None,
        Act::Decide(d) => {
            d.check_reason()?;
            decision = Some(serde_json::to_value(d).map_err(|e| ServiceError::Internal(Box::new(e)))?);
            match d {
                Decision::Approve { comment } => {
                    grant_terms = Some(GrantTerms::from_application(&app.terms));
                    comment.clone()
                }
                Decision::ApprovePartially { terms, reason } => {
                    check_grant_terms(svc, terms, &app, &r, today).await?;
                    if terms.is_full(&app.terms) {
                        return Err(ServiceError::invalid(
                            "terms",
                            "not_partial",
                            "答复的授权范围与申请完全一致，请选择“同意”",
                        ));
                    }
                    grant_terms = Some(terms.clone());
                    Some(reason.clone())
                }
                Decision::Refuse { reason } => Some(reason.clone()),
            }
        }
        Act::Withdraw { note } => note.clone(),
        Act::Dispute { reason } => Some(reason_required(reason, "提出异议")?),
        Act::Escalate { reason } => Some(reason_required(reason, "提请协调")?),
        Act::Rule(ruling) => {
            ruling.check_reason()?;
            if let Ruling::Share { terms, .. } = ruling {
                check_grant_terms(svc, terms, &app, &r, today).await?;
                grant_terms = Some(terms.clone());
            }
            decision = Some(serde_json::to_value(ruling).map_err(|e| ServiceError::Internal(Box::new(e)))?);
            Some(ruling.reason().to_string())
        }
    };
    let now = svc.clock.now();
    let grant = grant_terms.map(|terms| NewGrant {
        resource_id: app.resource_id,
        provider_department_id: app.provider_department_id,
        consumer_department_id: app.consumer_department_id,
        application_id: Some(app.id),
        terms,
        issued_by: actor.user_id,
        note: note.clone(),
        at: now,
    });
    let t = ApplicationTransition {
        id: app.id,
        expected_revision: revision,
        to,
        step: NewStep {
            action: action.code().into(),
            actor_id: Some(actor.user_id),
            actor_name: Some(actor.username.clone()),
            party: party_code(party).into(),
            note: note.clone(),
        },
        decision,
        grant,
        at: now,
    };
    let (app, grant) = svc.store.transition_application(&t).await?;
    audit::record(
        svc,
        Some(actor),
        &format!("application.{}", action.code()),
        "application",
        Some(app.id.to_string()),
        json!({"resource": r.code, "status": app.status.code(), "note": note, "grant": grant.as_ref().map(|g| g.id)}),
    )
    .await?;
    if let Some(g) = &grant {
        audit_grant_issue(svc, Some(actor), g, &r, note.as_deref()).await?;
    }
    Ok((app, grant))
}

/// The terms a decision or ruling grants: valid on their own, naming only the consumer
/// department's users and systems, and inside what was asked.
async fn check_grant_terms(
    svc: &Services,
    terms: &GrantTerms,
    app: &Application,
    r: &Resource,
    today: NaiveDate,
) -> Result<()> {
    terms.validate(&r.spec, today)?;
    check_callers(svc, app.consumer_department_id, &terms.user_ids, &terms.system_ids).await?;
    terms.check_narrows(&app.terms)?;
    Ok(())
}

/// Users and systems a grant (or application) names must exist and belong to the consumer
/// department, and a named system must be in service: a grant for someone else's system, or a
/// retired one, would admit nobody it was meant for.
async fn check_callers(svc: &Services, consumer: i64, user_ids: &[i64], system_ids: &[i64]) -> Result<()> {
    let mut errors = domain::error::ValidationErrors::default();
    for (i, id) in user_ids.iter().enumerate() {
        match svc.store.get_user(*id).await {
            Ok(u) if u.department_id == consumer => {}
            Ok(_) | Err(store::StoreError::NotFound { .. }) => {
                errors.push(format!("user_ids[{i}]"), "unknown_user", format!("使用部门没有编号为{id}的用户"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    for (i, id) in system_ids.iter().enumerate() {
        match svc.store.get_system(*id).await {
            Ok(s) if s.department_id == consumer && s.active => {}
            Ok(s) if s.department_id == consumer => errors.push(
                format!("system_ids[{i}]"),
                "system_retired",
                format!("信息系统“{}”已停用，不能再获得授权", s.name),
            ),
            Ok(_) | Err(store::StoreError::NotFound { .. }) => {
                errors.push(format!("system_ids[{i}]"), "unknown_system", format!("使用部门没有编号为{id}的信息系统"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(errors.into_result()?)
}

async fn audit_grant_issue(
    svc: &Services,
    actor: Option<&Actor>,
    g: &Grant,
    r: &Resource,
    reason: Option<&str>,
) -> Result<()> {
    audit::record(
        svc,
        actor,
        "grant.issue",
        "grant",
        Some(g.id.to_string()),
        json!({"resource": r.code, "consumer_department": g.consumer_department_id, "application": g.application_id,
               "fields": g.terms.fields, "rows": g.terms.rows.iter().map(|f| f.describe()).collect::<Vec<_>>(),
               "masks": g.terms.masks.iter().map(|m| json!({"field": m.field, "rule": m.rule.id()})).collect::<Vec<_>>(),
               "methods": g.terms.methods.iter().map(|m| m.code()).collect::<Vec<_>>(),
               "users": g.terms.user_ids, "systems": g.terms.system_ids, "reason": reason,
               "from": g.terms.period.from.to_string(), "until": g.terms.period.until.to_string()}),
    )
    .await?;
    Ok(())
}

/// The platform's deadline watch: every application still awaiting a reply after its deadline
/// is escalated to the coordinator (第十二条: 10 working days). Returns the ids escalated.
pub async fn escalate_overdue(svc: &Services) -> Result<Vec<i64>> {
    let today = svc.clock.today();
    let filter = ApplicationFilter {
        statuses: vec![ApplicationStatus::Submitted, ApplicationStatus::UnderReview],
        due_before: Some(today),
        ..Default::default()
    };
    let mut done = Vec::new();
    let mut page = PageRequest { after: None, limit: 200 };
    loop {
        let batch = svc.store.list_applications(&filter, page).await?;
        for app in &batch.items {
            let note = format!("提供部门逾期未答复（答复期限{}），平台自动提请共享主管部门协调", app.reply_deadline());
            let t = ApplicationTransition {
                id: app.id,
                expected_revision: app.revision,
                to: app
                    .status
                    .apply_by(Party::Platform, ApplicationAction::Escalate)
                    .map_err(|e| ServiceError::Conflict(e.to_string()))?,
                step: NewStep {
                    action: ApplicationAction::Escalate.code().into(),
                    actor_id: None,
                    actor_name: None,
                    party: party_code(Party::Platform).into(),
                    note: Some(note.clone()),
                },
                decision: None,
                grant: None,
                at: svc.clock.now(),
            };
            match svc.store.transition_application(&t).await {
                Ok(_) => {
                    audit::record(
                        svc,
                        None,
                        "application.escalate",
                        "application",
                        Some(app.id.to_string()),
                        json!({"reason": "overdue", "reply_due": app.reply_due.to_string(), "note": note}),
                    )
                    .await?;
                    done.push(app.id);
                }
                // Someone answered in the meantime: nothing to escalate.
                Err(store::StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        match batch.next {
            Some(n) => page.after = Some(n),
            None => break,
        }
    }
    Ok(done)
}

// ---------------------------------------------------------------------------------------------
// Grants

/// A grant the provider issues without an application.
pub struct DirectGrant {
    /// The resource's id or code.
    pub resource: String,
    pub consumer_department_id: i64,
    pub terms: GrantTerms,
    /// Why: the law, agreement or matter the provider grants on (recorded with the grant).
    pub reason: String,
}

/// The provider grants on its own initiative, without waiting for an application (e.g. on a
/// 共享协议, or to a department whose duties need the data: 第十二条 has the provider state the
/// scope and purpose of what it shares). Only the provider department's approver issues it
/// (the coordinator grants through rulings), with the checks of a decision: the terms valid
/// against the resource (fields, rows, masking rules, methods offered, a declared purpose, a
/// period of at most three years not yet ended), named users and systems of the consumer
/// department only, and a reason, recorded with the grant and in the audit trail.
pub async fn issue_grant(svc: &Services, actor: &Actor, g: DirectGrant) -> Result<Grant> {
    let DirectGrant { resource, consumer_department_id, terms, reason } = g;
    let r = catalog::get(svc, actor, &resource).await?;
    actor.authorize(Action::ManageGrants, Some(r.department_id))?;
    if actor.department_id != r.department_id {
        return Err(ServiceError::Forbidden(domain::account::Forbidden {
            action: "主动授权",
            reason: "（只有提供部门的审核员可以主动授权；共享主管部门通过协调裁决授权）".into(),
        }));
    }
    if r.status != ResourceStatus::Published {
        return Err(ServiceError::Conflict(format!("目录“{}”不是已发布状态，不能授权", r.code)));
    }
    // A classified entry is not visible outside its department (`visible_to_all`): its sharing
    // follows the secrecy rules (国发〔2016〕51号 第五条(一)、第二十条), not platform grants.
    if r.spec.classified {
        return Err(ServiceError::Conflict(format!(
            "目录“{}”为涉密资源，不能通过平台授权共享，请按保密规定办理",
            r.code
        )));
    }
    if consumer_department_id == r.department_id {
        return Err(ServiceError::invalid(
            "consumer_department_id",
            "own_resource",
            "本部门的资源无需授权，可直接使用",
        ));
    }
    match svc.store.get_department(consumer_department_id).await {
        Ok(_) => {}
        Err(store::StoreError::NotFound { .. }) => {
            return Err(ServiceError::invalid(
                "consumer_department_id",
                "unknown_department",
                format!("部门 {consumer_department_id} 不存在"),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let reason = reason_required(&reason, "主动授权")?;
    terms.validate(&r.spec, svc.clock.today())?;
    check_callers(svc, consumer_department_id, &terms.user_ids, &terms.system_ids).await?;
    let new = NewGrant {
        resource_id: r.id,
        provider_department_id: r.department_id,
        consumer_department_id,
        application_id: None,
        terms,
        issued_by: actor.user_id,
        note: Some(reason),
        at: svc.clock.now(),
    };
    let g = svc.store.create_grant(&new, Some(&actor.username)).await?;
    audit_grant_issue(svc, Some(actor), &g, &r, new.note.as_deref()).await?;
    Ok(g)
}

pub async fn get_grant(svc: &Services, actor: &Actor, id: i64) -> Result<Grant> {
    let g = match svc.store.get_grant(id).await {
        Ok(g) => g,
        Err(store::StoreError::NotFound { .. }) => return Err(grant_not_found(id)),
        Err(e) => return Err(e.into()),
    };
    if sees_all(actor)
        || actor.department_id == g.consumer_department_id
        || actor.department_id == g.provider_department_id
    {
        Ok(g)
    } else {
        Err(grant_not_found(id))
    }
}

pub async fn list_grants(
    svc: &Services,
    actor: &Actor,
    mut filter: GrantFilter,
    page: PageRequest,
) -> Result<Page<Grant>> {
    if !sees_all(actor) {
        filter.department_id = Some(actor.department_id);
    }
    Ok(svc.store.list_grants(&filter, page).await?)
}

pub async fn grant_steps(svc: &Services, actor: &Actor, id: i64) -> Result<Vec<GrantStep>> {
    get_grant(svc, actor, id).await?;
    Ok(svc.store.grant_steps(id).await?)
}

/// Suspends, resumes or revokes a grant: the provider's approver or the coordinator; suspension
/// and revocation need a reason. Takes effect on the next read.
pub async fn change_grant(
    svc: &Services,
    actor: &Actor,
    id: i64,
    revision: i64,
    action: GrantAction,
    reason: Option<String>,
) -> Result<Grant> {
    let g = get_grant(svc, actor, id).await?;
    if action == GrantAction::Expire {
        return Err(ServiceError::invalid("action", "platform_only", "授权到期由平台按使用期限自动处理"));
    }
    actor.authorize(Action::ManageGrants, Some(g.provider_department_id))?;
    let to = g.status.apply(action).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let reason = match action {
        GrantAction::Suspend | GrantAction::Revoke => {
            Some(reason_required(reason.as_deref().unwrap_or(""), action.label())?)
        }
        _ => reason.filter(|r| !r.trim().is_empty()),
    };
    if revision != g.revision {
        return Err(ServiceError::Stale { current: g.revision });
    }
    let t = GrantTransition {
        id,
        expected_revision: revision,
        to,
        action: action.code().into(),
        actor_id: Some(actor.user_id),
        actor_name: Some(actor.username.clone()),
        reason: reason.clone(),
        at: svc.clock.now(),
    };
    let g = svc.store.transition_grant(&t).await?;
    audit::record(
        svc,
        Some(actor),
        &format!("grant.{}", action.code()),
        "grant",
        Some(id.to_string()),
        json!({"status": g.status.code(), "reason": reason}),
    )
    .await?;
    Ok(g)
}

/// Records the expiry of grants whose period has ended (they already stopped working on the
/// day after `until`; this makes the status say so). Returns the ids.
pub async fn expire_grants(svc: &Services) -> Result<Vec<i64>> {
    let mut done = Vec::new();
    for g in svc.store.grants_past_period(svc.clock.today()).await? {
        let Ok(to) = g.status.apply(GrantAction::Expire) else { continue };
        let t = GrantTransition {
            id: g.id,
            expected_revision: g.revision,
            to,
            action: GrantAction::Expire.code().into(),
            actor_id: None,
            actor_name: None,
            reason: Some(format!("使用期限已于{}结束", g.terms.period.until)),
            at: svc.clock.now(),
        };
        match svc.store.transition_grant(&t).await {
            Ok(_) => {
                audit::record(
                    svc,
                    None,
                    "grant.expire",
                    "grant",
                    Some(g.id.to_string()),
                    json!({"until": g.terms.period.until.to_string()}),
                )
                .await?;
                done.push(g.id);
            }
            Err(store::StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(done)
}

/// What one run of the platform's watch did.
#[derive(Debug, Default)]
pub struct SweepReport {
    /// Provisional deadlines recomputed on the current calendar.
    pub deadlines: Vec<crate::deadlines::MovedDeadline>,
    /// Applications escalated for want of a reply.
    pub escalated: Vec<i64>,
    /// Grants recorded as expired.
    pub expired: Vec<i64>,
}

/// The platform's periodic duties: recompute provisional deadlines (first, so that escalation
/// judges by the exact ones), escalate overdue applications, record expired grants.
pub async fn sweep(svc: &Services) -> Result<SweepReport> {
    let deadlines = crate::deadlines::recompute_provisional(svc).await?;
    Ok(SweepReport { deadlines, escalated: escalate_overdue(svc).await?, expired: expire_grants(svc).await? })
}

/// Whether an application awaits a reply past its deadline.
pub fn is_overdue(svc: &Services, app: &Application) -> bool {
    app.status.awaits_reply() && svc.clock.today() > app.reply_due
}

/// Whether a grant is usable today, and why not.
pub fn usable_today(svc: &Services, g: &Grant) -> std::result::Result<(), domain::sharing::Unusable> {
    g.status.usable(&g.terms.period, svc.clock.today())
}

// ---------------------------------------------------------------------------------------------
// Agreements and feedback

/// 共享协议 / 安全保密协议 (seed 004 三(五): "签订政务信息共享安全保密协议，并报……备案").
pub const AGREEMENT_KINDS: [(&str, &str); 2] = [("sharing", "共享协议"), ("confidentiality", "安全保密协议")];

/// Largest agreement document accepted.
pub const MAX_AGREEMENT_BYTES: usize = 20 * 1024 * 1024;

/// An agreement document as uploaded.
pub struct AgreementUpload {
    /// `sharing` / 共享协议 or `confidentiality` / 安全保密协议.
    pub kind: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Files an agreement document for a grant: either department's approver, or the coordinator.
pub async fn file_agreement(
    svc: &Services,
    actor: &Actor,
    grant_id: i64,
    upload: AgreementUpload,
) -> Result<Agreement> {
    let AgreementUpload { kind, title, file_name, content_type, bytes } = upload;
    let (kind, title, file_name, content_type) =
        (kind.as_str(), title.as_str(), file_name.as_str(), content_type.as_str());
    let g = get_grant(svc, actor, grant_id).await?;
    actor
        .authorize(Action::ManageGrants, Some(g.provider_department_id))
        .or_else(|_| actor.authorize(Action::ManageGrants, Some(g.consumer_department_id)))?;
    let Some((kind, label)) = AGREEMENT_KINDS.iter().find(|(k, l)| *k == kind || *l == kind) else {
        return Err(ServiceError::invalid("kind", "invalid_value", "协议类型应为“共享协议”或“安全保密协议”"));
    };
    let title = title.trim();
    if !(2..=200).contains(&title.chars().count()) {
        return Err(ServiceError::invalid("title", "invalid_length", "协议名称应为2至200个字"));
    }
    if bytes.is_empty() {
        return Err(ServiceError::invalid("file", "required", "请上传协议文件"));
    }
    if bytes.len() > MAX_AGREEMENT_BYTES {
        return Err(ServiceError::invalid("file", "too_large", "协议文件不能超过20MB"));
    }
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let path = format!("agreements/{grant_id}/{sha}");
    let size = bytes.len() as i64;
    svc.datasets
        .store()
        .put(&data::object_store::path::Path::from(path.as_str()), bytes.into())
        .await
        .map_err(|e| ServiceError::Internal(Box::new(e)))?;
    let a = svc
        .store
        .create_agreement(&NewAgreement {
            grant_id,
            kind: kind.to_string(),
            title: title.to_string(),
            file_name: file_name.trim().chars().take(200).collect(),
            content_type: content_type.chars().take(100).collect(),
            byte_size: size,
            sha256: sha.clone(),
            object_path: path,
            filed_by: actor.user_id,
            at: svc.clock.now(),
        })
        .await?;
    audit::record(
        svc,
        Some(actor),
        "agreement.file",
        "grant",
        Some(grant_id.to_string()),
        json!({"agreement": a.id, "kind": label, "title": a.title, "sha256": sha, "bytes": size}),
    )
    .await?;
    Ok(a)
}

pub async fn list_agreements(svc: &Services, actor: &Actor, grant_id: i64) -> Result<Vec<Agreement>> {
    get_grant(svc, actor, grant_id).await?;
    Ok(svc.store.list_agreements(grant_id).await?)
}

/// An agreement and its document, checked against the recorded hash.
pub async fn agreement_document(svc: &Services, actor: &Actor, id: i64) -> Result<(Agreement, Vec<u8>)> {
    let a = match svc.store.get_agreement(id).await {
        Ok(a) => a,
        Err(store::StoreError::NotFound { .. }) => return Err(ServiceError::NotFound(format!("协议{id}"))),
        Err(e) => return Err(e.into()),
    };
    get_grant(svc, actor, a.grant_id).await.map_err(|_| ServiceError::NotFound(format!("协议{id}")))?;
    let got = svc
        .datasets
        .store()
        .get(&data::object_store::path::Path::from(a.object_path.as_str()))
        .await
        .map_err(|e| ServiceError::Internal(Box::new(e)))?
        .bytes()
        .await
        .map_err(|e| ServiceError::Internal(Box::new(e)))?;
    if hex::encode(sha2::Sha256::digest(&got)) != a.sha256 {
        return Err(ServiceError::Internal(format!("agreement {id} does not match its recorded SHA-256").into()));
    }
    Ok((a, got.to_vec()))
}

/// 使用效果反馈: the consumer department reports what the shared data achieved.
pub async fn give_feedback(
    svc: &Services,
    actor: &Actor,
    grant_id: i64,
    rating: i64,
    effect: &str,
) -> Result<Feedback> {
    let g = get_grant(svc, actor, grant_id).await?;
    actor.authorize(Action::ApplyForData, Some(g.consumer_department_id))?;
    if actor.department_id != g.consumer_department_id {
        return Err(ServiceError::invalid("grant", "not_consumer", "只有使用部门可以反馈共享效果"));
    }
    if !(1..=5).contains(&rating) {
        return Err(ServiceError::invalid("rating", "invalid_value", "评价应为1至5分"));
    }
    let effect = effect.trim();
    if !(5..=2000).contains(&effect.chars().count()) {
        return Err(ServiceError::invalid("effect", "invalid_length", "请用5至2000字说明共享数据的使用效果"));
    }
    let f = svc
        .store
        .create_feedback(&NewFeedback {
            grant_id,
            resource_id: g.resource_id,
            department_id: actor.department_id,
            author_id: actor.user_id,
            rating,
            effect: effect.to_string(),
            at: svc.clock.now(),
        })
        .await?;
    audit::record(
        svc,
        Some(actor),
        "feedback.give",
        "grant",
        Some(grant_id.to_string()),
        json!({"feedback": f.id, "rating": rating}),
    )
    .await?;
    Ok(f)
}

/// Feedback on a resource: its provider, the coordinator and auditors see all of it; a consumer
/// department sees its own.
pub async fn feedback_for(svc: &Services, actor: &Actor, key: &str) -> Result<Vec<Feedback>> {
    let r = catalog::get(svc, actor, key).await?;
    let all = svc.store.list_feedback(Some(r.id), None).await?;
    if sees_all(actor) || actor.department_id == r.department_id {
        Ok(all)
    } else {
        Ok(all.into_iter().filter(|f| f.department_id == actor.department_id).collect())
    }
}

/// Whether the status is one of a grant's final ones (for pages).
pub fn grant_is_final(s: GrantStatus) -> bool {
    matches!(s, GrantStatus::Revoked | GrantStatus::Expired)
}
