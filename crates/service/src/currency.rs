//! Catalogue currency (国发〔2016〕51号 第八条): recording a change of duties or of a law opens a
//! window of 15 working days, on the platform's calendar, for the affected entries.

use chrono::NaiveDate;
use domain::account::{Action, Actor, Role};
use domain::catalog::ResourceStatus;
use domain::currency::{ChangeKind, CurrencyStatus, DutyChangeSpec, status};
use serde_json::json;
use store::model::{DutyChange, NewDutyChange};

use crate::{Result, ServiceError, Services, audit};

/// A change with the status of each affected entry as of today.
pub struct CurrencyReport {
    pub change: DutyChange,
    pub items: Vec<(store::model::DutyChangeItem, CurrencyStatus)>,
    /// Working days from today to the deadline (negative once past).
    pub working_days_left: Option<i64>,
}

pub struct ChangeInput {
    pub department_id: Option<i64>,
    pub kind: ChangeKind,
    pub description: String,
    pub effective_date: NaiveDate,
    /// Entries affected; empty means every published entry of the department.
    pub resource_ids: Vec<i64>,
}

pub async fn record_change(svc: &Services, actor: &Actor, input: ChangeInput) -> Result<CurrencyReport> {
    let dept = input.department_id.unwrap_or(actor.department_id);
    actor.authorize(Action::RecordDutyChange, Some(dept))?;
    let spec = DutyChangeSpec {
        kind: input.kind,
        description: input.description.trim().to_string(),
        effective_date: input.effective_date,
    };
    spec.validate()?;
    let deadline = spec.deadline(&svc.calendar, svc.settings.currency_window_days)?;
    let ids = if input.resource_ids.is_empty() {
        svc.store.department_resource_ids(dept, Some(ResourceStatus::Published)).await?
    } else {
        for (i, id) in input.resource_ids.iter().enumerate() {
            // Looked up like any read, so another department's draft reads as missing.
            let r = crate::catalog::get(svc, actor, &id.to_string()).await.map_err(|e| match e {
                ServiceError::NotFound(m) => {
                    ServiceError::invalid(&format!("resource_ids[{i}]"), "unknown_resource", format!("{m}不存在"))
                }
                other => other,
            })?;
            if r.department_id != dept {
                return Err(ServiceError::invalid(
                    &format!("resource_ids[{i}]"),
                    "other_department",
                    format!("信息资源“{}”不属于本部门", r.code),
                ));
            }
        }
        let mut ids = input.resource_ids.clone();
        ids.sort();
        ids.dedup();
        ids
    };
    if ids.is_empty() {
        return Err(ServiceError::invalid("resource_ids", "required", "本部门尚无已发布的目录，无需登记更新时限"));
    }
    let change = svc
        .store
        .create_duty_change(&NewDutyChange {
            department_id: dept,
            kind: spec.kind,
            description: spec.description,
            effective_date: spec.effective_date,
            deadline: deadline.date,
            deadline_provisional: deadline.provisional,
            recorded_by: actor.user_id,
            recorded_at: svc.clock.now(),
            resource_ids: ids,
        })
        .await?;
    audit::record(
        svc,
        Some(actor),
        "currency.record",
        "duty_change",
        Some(change.id.to_string()),
        json!({"kind": change.kind.code(), "deadline": change.deadline.to_string(),
               "deadline_provisional": change.deadline_provisional, "resources": change.items.len()}),
    )
    .await?;
    report(svc, change)
}

fn report(svc: &Services, change: DutyChange) -> Result<CurrencyReport> {
    let today = svc.clock.today();
    let items = change.items.iter().map(|i| (i.clone(), status(change.deadline, i.updated_on, today))).collect();
    // Past the calendar's known years the count is unknown rather than wrong.
    let working_days_left = svc.calendar.working_days_between(today, change.deadline).ok();
    Ok(CurrencyReport { change, items, working_days_left })
}

/// Windows of one department (its own staff) or of all (coordinators).
pub async fn list(svc: &Services, actor: &Actor, department_id: Option<i64>) -> Result<Vec<CurrencyReport>> {
    let scope = match department_id {
        Some(d) if d == actor.department_id => Some(d),
        other => {
            if !actor.has(Role::Coordinator) && !actor.has(Role::Auditor) {
                if other.is_none() {
                    Some(actor.department_id)
                } else {
                    actor.authorize(Action::Supervise, None)?;
                    other
                }
            } else {
                other
            }
        }
    };
    let changes = svc.store.list_duty_changes(scope).await?;
    changes.into_iter().map(|c| report(svc, c)).collect()
}
