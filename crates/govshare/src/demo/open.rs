//! 政府数据开放 in 示例市 (seed 002): each department's approver reviews its 无条件开放 resources
//! with data (保密审查: citizen IDs removed, other personal data masked, a column flagged by its
//! name alone signed off with a reason) and opens them, through `service::open` like a reviewer in
//! the console. 市场监管局 leaves one resource unreviewed, for a reviewer to do in the console.

use std::collections::HashMap;

use domain::account::Actor;
use domain::open::{ColumnDecision, PersonalKind};
use service::Services;
use service::open::ReviewState;

/// The department whose first reviewable resource is left for the console.
pub const UNREVIEWED_DEPARTMENT: &str = "scjgj";

/// Reviews and opens the demo's 无条件开放 data. Returns how many resources were opened.
pub async fn seed(svc: &Services, approvers: &HashMap<&'static str, Actor>) -> anyhow::Result<usize> {
    let mut keys: Vec<&&'static str> = approvers.keys().collect();
    keys.sort();
    let mut opened = 0;
    let mut signed_off = false;
    for key in keys {
        let approver = &approvers[*key];
        let rows = service::open::reviews(svc, approver).await?;
        // Left for the console (the browser test reviews it): the one with the most columns
        // flagged by name, so that a reviewer has several decisions to make.
        let left = (**key == *UNREVIEWED_DEPARTMENT)
            .then(|| rows.iter().filter(|r| r.state != ReviewState::NoData).max_by_key(|r| (r.flagged, -r.resource.id)))
            .flatten()
            .map(|r| r.resource.id);
        for row in rows {
            if row.state == ReviewState::NoData || Some(row.resource.id) == left {
                continue;
            }
            let code = row.resource.code.clone();
            let review = service::open::review(svc, approver, &code).await?;
            let Some(version) = review.version.as_ref().map(|v| v.version) else { continue };
            for c in &review.columns {
                let f = &c.finding;
                let decision = if f.matched == 0 && !signed_off {
                    signed_off = true;
                    ColumnDecision::SignOff {
                        reason: format!("样本中该列未见个人信息（{}个值均不符合），经审查可原样开放", f.sampled),
                    }
                } else if f.kind == PersonalKind::CitizenId {
                    ColumnDecision::Remove
                } else {
                    ColumnDecision::Mask { rule: f.suggested }
                };
                service::open::decide(svc, approver, &code, version, &f.column, decision).await?;
            }
            if !signed_off && let Some(c) = review.columns.iter().find(|c| c.finding.kind == PersonalKind::PersonName) {
                signed_off = true;
                let reason = "该列为企业法定代表人等依法公示的登记信息，经审查可原样开放".to_string();
                service::open::decide(
                    svc,
                    approver,
                    &code,
                    version,
                    &c.finding.column,
                    ColumnDecision::SignOff { reason },
                )
                .await?;
            }
            service::open::open(svc, approver, &code, version).await?;
            opened += 1;
        }
    }
    Ok(opened)
}
