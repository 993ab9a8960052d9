//! What the console's sharing pages list, and the coordinator's supervision figures
//! (国发〔2016〕51号 第十八条、第二十四条): applications described with their resource, their two
//! departments and the working days left before the reply deadline (第十二条: 10 working days on
//! the platform's calendar); the approver's inbox and the coordinator's disputes, in the order
//! they must be worked on; per-department pending and overdue applications, catalogue currency
//! (第八条) and data freshness; and the audit log's verification for auditors.

use std::collections::HashMap;

use domain::account::{Action, Actor};
use domain::currency::CurrencyStatus;
use domain::sharing::ApplicationStatus;
use store::model::{Application, ApplicationFilter, PageRequest};

use crate::{Result, Services, audit, currency, datasets, sharing};

/// An application with what a page shows next to it.
#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub app: Application,
    pub resource_code: String,
    pub resource_name: String,
    pub provider_name: String,
    pub consumer_name: String,
    /// Working days from today to the reply deadline (negative once past); None when the
    /// deadline is beyond the calendar's known years, or the reply is no longer awaited.
    pub working_days_left: Option<i64>,
    /// Awaits a reply past its deadline.
    pub overdue: bool,
}

/// Working days from today to `due` on the platform's calendar (negative once past); None past
/// the calendar's known years (the count would be a guess).
pub fn working_days_left(svc: &Services, due: chrono::NaiveDate) -> Option<i64> {
    svc.calendar.working_days_between(svc.clock.today(), due).ok()
}

/// Describes applications the caller has already been allowed to see.
pub async fn describe(svc: &Services, apps: Vec<Application>) -> Result<Vec<ApplicationRow>> {
    let names = crate::accounts::department_names(svc).await?;
    let mut resources: HashMap<i64, (String, String)> = HashMap::new();
    let mut out = Vec::with_capacity(apps.len());
    for app in apps {
        if !resources.contains_key(&app.resource_id) {
            let r = svc.store.get_resource(app.resource_id).await?;
            resources.insert(r.id, (r.code, r.spec.name));
        }
        let (code, name) = resources.get(&app.resource_id).cloned().unwrap_or_default();
        let overdue = sharing::is_overdue(svc, &app);
        let left = app.status.awaits_reply().then(|| working_days_left(svc, app.reply_due)).flatten();
        out.push(ApplicationRow {
            resource_code: code,
            resource_name: name,
            provider_name: names.get(&app.provider_department_id).cloned().unwrap_or_default(),
            consumer_name: names.get(&app.consumer_department_id).cloned().unwrap_or_default(),
            working_days_left: left,
            overdue,
            app,
        });
    }
    Ok(out)
}

/// Every application matching `filter` (all pages), as `sharing::list` lets the actor see them.
async fn all_applications(svc: &Services, actor: &Actor, filter: ApplicationFilter) -> Result<Vec<Application>> {
    let mut out = Vec::new();
    let mut page = PageRequest { after: None, limit: 200 };
    loop {
        let batch = sharing::list(svc, actor, filter.clone(), page).await?;
        out.extend(batch.items);
        match batch.next {
            Some(n) => page.after = Some(n),
            None => return Ok(out),
        }
    }
}

/// The approver's inbox: applications to their department that await an answer (submitted,
/// under review) or a negotiated settlement (disputed), soonest deadline first.
pub async fn inbox(svc: &Services, actor: &Actor) -> Result<Vec<ApplicationRow>> {
    actor.authorize(Action::AnswerApplication, Some(actor.department_id))?;
    let filter = ApplicationFilter {
        provider_department_id: Some(actor.department_id),
        statuses: vec![ApplicationStatus::Submitted, ApplicationStatus::UnderReview, ApplicationStatus::Disputed],
        ..Default::default()
    };
    let mut rows = describe(svc, all_applications(svc, actor, filter).await?).await?;
    rows.sort_by_key(|r| (r.app.reply_due, r.app.id));
    Ok(rows)
}

/// The coordinator's list: escalated and disputed applications, escalated (waiting for a ruling)
/// first, then by deadline, the longest overdue first.
pub async fn disputes(svc: &Services, actor: &Actor) -> Result<Vec<ApplicationRow>> {
    actor.authorize(Action::Coordinate, None)?;
    let filter = ApplicationFilter {
        statuses: vec![ApplicationStatus::Escalated, ApplicationStatus::Disputed],
        ..Default::default()
    };
    let mut rows = describe(svc, all_applications(svc, actor, filter).await?).await?;
    rows.sort_by_key(|r| (r.app.status != ApplicationStatus::Escalated, r.app.reply_due, r.app.id));
    Ok(rows)
}

/// One department's figures on the coordinator's dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentFigures {
    pub department_id: i64,
    pub name: String,
    /// Applications to the department awaiting its reply.
    pub pending: i64,
    /// … of which past the reply deadline (第十二条).
    pub overdue: i64,
    /// Catalogue entries whose update window (第八条) is open and not yet met.
    pub currency_pending: i64,
    /// … past the window without an update.
    pub currency_overdue: i64,
    /// Published structured resources whose data is older than its update cycle allows.
    pub stale_data: i64,
}

/// Per department: pending and overdue applications, catalogue currency and data freshness.
/// For the coordinator (supervision, 第十八条、第二十四条).
pub async fn department_figures(svc: &Services, actor: &Actor) -> Result<Vec<DepartmentFigures>> {
    actor.authorize(Action::Supervise, None)?;
    let names = crate::accounts::department_names(svc).await?;
    let mut figures: HashMap<i64, DepartmentFigures> = names
        .iter()
        .map(|(id, name)| {
            (
                *id,
                DepartmentFigures {
                    department_id: *id,
                    name: name.clone(),
                    pending: 0,
                    overdue: 0,
                    currency_pending: 0,
                    currency_overdue: 0,
                    stale_data: 0,
                },
            )
        })
        .collect();
    let filter = ApplicationFilter {
        statuses: vec![ApplicationStatus::Submitted, ApplicationStatus::UnderReview],
        ..Default::default()
    };
    for app in all_applications(svc, actor, filter).await? {
        if let Some(f) = figures.get_mut(&app.provider_department_id) {
            f.pending += 1;
            if sharing::is_overdue(svc, &app) {
                f.overdue += 1;
            }
        }
    }
    for report in currency::list(svc, actor, None).await? {
        if let Some(f) = figures.get_mut(&report.change.department_id) {
            for (_, status) in &report.items {
                match status {
                    CurrencyStatus::Pending => f.currency_pending += 1,
                    CurrencyStatus::Overdue => f.currency_overdue += 1,
                    CurrencyStatus::Met | CurrencyStatus::Late => {}
                }
            }
        }
    }
    for (r, _, _) in datasets::overdue(svc, actor).await? {
        if let Some(f) = figures.get_mut(&r.department_id) {
            f.stale_data += 1;
        }
    }
    let mut out: Vec<DepartmentFigures> = figures.into_values().collect();
    out.sort_by(|a, b| {
        let weight = |f: &DepartmentFigures| f.overdue + f.currency_overdue + f.stale_data;
        weight(b)
            .cmp(&weight(a))
            .then((b.pending + b.currency_pending).cmp(&(a.pending + a.currency_pending)))
            .then(a.department_id.cmp(&b.department_id))
    });
    Ok(out)
}

/// The audit log checked against the platform's checkpoint key, for auditors: `Ok(report)` or
/// the problem found (the outer error is a refusal). The whole log is recomputed (only a full
/// replay detects a record rewritten before the last checkpoint), so this runs when an auditor
/// asks for it, not on every page; the outcome is recorded as an `audit.verify` event, which
/// [`last_audit_verification`] reads back.
pub async fn verify_audit(
    svc: &Services,
    actor: &Actor,
) -> Result<std::result::Result<audit::Verification, audit::VerifyError>> {
    actor.authorize(Action::ReadAudit, None)?;
    let outcome = audit::verify(&svc.store, &svc.audit.verifying_key()).await;
    let detail = match &outcome {
        Ok(v) => serde_json::json!({
            "ok": true,
            "entries": v.entries,
            "checkpoints": v.checkpoints,
            "checkpointed": v.checkpointed,
            "root": v.root.to_string(),
        }),
        Err(e) => serde_json::json!({"ok": false, "problem": e.to_string()}),
    };
    audit::record(svc, Some(actor), AUDIT_VERIFY, "audit_log", None, detail).await?;
    Ok(outcome)
}

/// The action of the event [`verify_audit`] records.
pub const AUDIT_VERIFY: &str = "audit.verify";

/// A verification of the audit log as recorded: when, by whom and what it found.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedVerification {
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
    /// The id of the `audit.verify` event: the events after it were not covered.
    pub event_id: i64,
    pub outcome: std::result::Result<VerifiedLog, String>,
}

/// What a passed verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLog {
    pub entries: u64,
    pub checkpoints: u64,
    pub checkpointed: u64,
}

/// The latest verification of the audit log (None: never verified), for auditors.
pub async fn last_audit_verification(svc: &Services, actor: &Actor) -> Result<Option<RecordedVerification>> {
    actor.authorize(Action::ReadAudit, None)?;
    let Some(e) = svc.store.latest_audit_event(AUDIT_VERIFY).await? else { return Ok(None) };
    let d = &e.detail;
    let count = |k: &str| d[k].as_u64().unwrap_or(0);
    let outcome = if d["ok"].as_bool() == Some(true) {
        Ok(VerifiedLog {
            entries: count("entries"),
            checkpoints: count("checkpoints"),
            checkpointed: count("checkpointed"),
        })
    } else {
        Err(d["problem"].as_str().unwrap_or("核验未通过").to_string())
    };
    Ok(Some(RecordedVerification {
        at: e.at,
        by: e.username.unwrap_or_else(|| "平台".into()),
        event_id: e.id,
        outcome,
    }))
}

/// The id of the user an auditor names in the audit search (None: no such user).
pub async fn audit_user(svc: &Services, actor: &Actor, username: &str) -> Result<Option<i64>> {
    actor.authorize(Action::ReadAudit, None)?;
    Ok(svc.store.find_user_by_username(username.trim()).await?.map(|u| u.id))
}
