//! Recording and reading the audit trail. Every use case that changes something calls [`record`];
//! the tamper-evident log (Merkle tree, signed checkpoints) will sit behind this same call.

use domain::account::{Action, Actor};
use serde_json::Value;
use store::model::{AuditEvent, AuditFilter, NewAuditEvent, Page, PageRequest};

use crate::{Result, Services};

/// Appends one event. `action` is `object.verb`, e.g. `resource.publish`.
pub async fn record(
    svc: &Services,
    actor: Option<&Actor>,
    action: &str,
    object_type: &str,
    object_id: Option<String>,
    detail: Value,
) -> Result<i64> {
    let id = svc
        .store
        .append_audit(&NewAuditEvent {
            at: svc.clock.now(),
            user_id: actor.map(|a| a.user_id),
            username: actor.map(|a| a.username.clone()),
            department_id: actor.map(|a| a.department_id),
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id,
            detail,
        })
        .await?;
    Ok(id)
}

/// The audit trail, for auditors (三员分立: not for admins).
pub async fn list(svc: &Services, actor: &Actor, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEvent>> {
    actor.authorize(Action::ReadAudit, None)?;
    Ok(svc.store.list_audit(filter, page).await?)
}
