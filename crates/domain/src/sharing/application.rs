//! The application's state machine (国发〔2016〕51号 第十二条):
//!
//! ```text
//! submitted ─review→ under_review
//! submitted | under_review ─approve→ approved | ─approve_partially→ partially_approved
//!                          ─refuse (with reason)→ refused ─dispute→ disputed (协商)
//!                          ─escalate (overdue)→ escalated (协调)
//! disputed ─approve | approve_partially→ (settled by negotiation) | ─escalate→ escalated
//! escalated ─rule→ ruled
//! submitted | under_review | disputed | escalated ─withdraw→ withdrawn
//! ```
//!
//! An application for a NotShared resource (or NotShared items) starts as `disputed`: "由使用部门与
//! 提供部门协商解决，协商未果的由本级政务信息资源共享主管部门协调解决".

use serde::{Deserialize, Serialize};

use crate::catalog::ShareType;
use crate::error::FieldError;
use crate::labels::labelled_enum;
use crate::sharing::terms::GrantTerms;

labelled_enum! {
    /// Where an application is.
    pub enum ApplicationStatus: "申请状态" {
        /// 已提交: received by the provider; the reply deadline runs.
        Submitted = ("submitted", "已提交"),
        /// 审核中: the provider's approver has started on it.
        UnderReview = ("under_review", "审核中"),
        /// 已同意: approved as asked; a grant exists.
        Approved = ("approved", "已同意"),
        /// 部分同意: approved with narrower terms; a grant exists.
        PartiallyApproved = ("partially_approved", "部分同意"),
        /// 不予共享: refused, with the reason.
        Refused = ("refused", "不予共享"),
        /// 已撤回: withdrawn by the consumer.
        Withdrawn = ("withdrawn", "已撤回"),
        /// 协商中: disputed — consumer and provider negotiate.
        Disputed = ("disputed", "协商中"),
        /// 协调中: with the coordinator (overdue, or negotiation failed).
        Escalated = ("escalated", "协调中"),
        /// 已裁决: the coordinator has ruled.
        Ruled = ("ruled", "已裁决"),
    }
}

/// Who acts on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The applying (consumer) department.
    Consumer,
    /// The providing department's approver.
    Provider,
    /// The platform's coordinator (共享主管部门).
    Coordinator,
    /// The platform itself (deadline watch).
    Platform,
}

/// Something done to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationAction {
    Review,
    Approve,
    ApprovePartially,
    Refuse,
    Withdraw,
    Dispute,
    Escalate,
    Rule,
}

impl ApplicationAction {
    pub const ALL: [ApplicationAction; 8] = [
        ApplicationAction::Review,
        ApplicationAction::Approve,
        ApplicationAction::ApprovePartially,
        ApplicationAction::Refuse,
        ApplicationAction::Withdraw,
        ApplicationAction::Dispute,
        ApplicationAction::Escalate,
        ApplicationAction::Rule,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ApplicationAction::Review => "review",
            ApplicationAction::Approve => "approve",
            ApplicationAction::ApprovePartially => "approve_partially",
            ApplicationAction::Refuse => "refuse",
            ApplicationAction::Withdraw => "withdraw",
            ApplicationAction::Dispute => "dispute",
            ApplicationAction::Escalate => "escalate",
            ApplicationAction::Rule => "rule",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicationAction::Review => "开始审核",
            ApplicationAction::Approve => "同意",
            ApplicationAction::ApprovePartially => "部分同意",
            ApplicationAction::Refuse => "不予共享",
            ApplicationAction::Withdraw => "撤回",
            ApplicationAction::Dispute => "提出异议",
            ApplicationAction::Escalate => "提请协调",
            ApplicationAction::Rule => "裁决",
        }
    }

    /// Which parties may take the action (the status decides whether it is possible now).
    pub fn parties(self) -> &'static [Party] {
        match self {
            ApplicationAction::Review
            | ApplicationAction::Approve
            | ApplicationAction::ApprovePartially
            | ApplicationAction::Refuse => &[Party::Provider],
            ApplicationAction::Withdraw | ApplicationAction::Dispute => &[Party::Consumer],
            // The platform escalates overdue applications; the consumer escalates a failed
            // negotiation; the coordinator may take any open application up.
            ApplicationAction::Escalate => &[Party::Platform, Party::Consumer, Party::Coordinator],
            ApplicationAction::Rule => &[Party::Coordinator],
        }
    }
}

/// An action the status (or the party) does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("共享申请当前状态为“{}”，不能{}{}", .from.label(), .action.label(), hint(*.from, *.action))]
pub struct ApplicationError {
    pub from: ApplicationStatus,
    pub action: ApplicationAction,
}

fn hint(from: ApplicationStatus, action: ApplicationAction) -> &'static str {
    use ApplicationAction as A;
    use ApplicationStatus as S;
    match (from, action) {
        (S::Escalated, A::Approve | A::ApprovePartially | A::Refuse) => "：申请已提请共享主管部门协调，由协调员裁决",
        (S::Approved | S::PartiallyApproved, A::Dispute) => "：已同意的申请无需异议，如需更多数据请重新申请",
        (S::Submitted | S::UnderReview, A::Dispute | A::Escalate) => {
            "：提供部门尚未答复；逾期未答复的申请会自动提请协调"
        }
        (S::Refused, A::Escalate) => "：请先提出异议与提供部门协商，协商未果再提请协调",
        (S::Withdrawn | S::Ruled | S::Approved | S::PartiallyApproved | S::Refused, _) => "：该申请已办结",
        _ => "",
    }
}

impl ApplicationStatus {
    /// The status after `action`, or why it is not allowed.
    pub fn apply(self, action: ApplicationAction) -> Result<ApplicationStatus, ApplicationError> {
        use ApplicationAction as A;
        use ApplicationStatus as S;
        let next = match (self, action) {
            (S::Submitted, A::Review) => S::UnderReview,
            (S::Submitted | S::UnderReview | S::Disputed, A::Approve) => S::Approved,
            (S::Submitted | S::UnderReview | S::Disputed, A::ApprovePartially) => S::PartiallyApproved,
            (S::Submitted | S::UnderReview, A::Refuse) => S::Refused,
            (S::Submitted | S::UnderReview | S::Disputed | S::Escalated, A::Withdraw) => S::Withdrawn,
            (S::Refused, A::Dispute) => S::Disputed,
            (S::Submitted | S::UnderReview | S::Disputed, A::Escalate) => S::Escalated,
            (S::Escalated, A::Rule) => S::Ruled,
            _ => return Err(ApplicationError { from: self, action }),
        };
        Ok(next)
    }

    /// The status after `party` takes `action`, or why it may not: [`ApplicationStatus::apply`],
    /// and the consumer escalates only a failed negotiation (提出异议 first). An application the
    /// provider has not answered is escalated by the platform once overdue
    /// (国发〔2016〕51号 第十二条: 10 working days), not by the consumer. Whether the party may
    /// take the action at all is [`ApplicationAction::parties`].
    pub fn apply_by(self, party: Party, action: ApplicationAction) -> Result<ApplicationStatus, ApplicationError> {
        let next = self.apply(action)?;
        if party == Party::Consumer && action == ApplicationAction::Escalate && self != ApplicationStatus::Disputed {
            return Err(ApplicationError { from: self, action });
        }
        Ok(next)
    }

    /// Whether `party` may take `action` now: one of its parties, and allowed from this status.
    pub fn allows(self, party: Party, action: ApplicationAction) -> bool {
        action.parties().contains(&party) && self.apply_by(party, action).is_ok()
    }

    /// Open: waiting for someone to act.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::UnderReview | Self::Disputed | Self::Escalated)
    }

    /// The reply deadline of 第十二条 runs in these states.
    pub fn awaits_reply(self) -> bool {
        matches!(self, Self::Submitted | Self::UnderReview)
    }
}

/// The status a new application starts in: Conditional data is applied for; NotShared data (the
/// resource, or any item asked for) goes to negotiation. Unconditional data needs no application.
pub fn initial_status(restricted: &[(&str, ShareType)]) -> Result<ApplicationStatus, FieldError> {
    if restricted.is_empty() {
        return Err(FieldError::new(
            "fields",
            "no_application_needed",
            "所选信息项均为无条件共享，可直接在共享平台获取，无需申请（国发〔2016〕51号第十二条）",
        ));
    }
    if restricted.iter().any(|(_, t)| *t == ShareType::NotShared) {
        Ok(ApplicationStatus::Disputed)
    } else {
        Ok(ApplicationStatus::Submitted)
    }
}

fn reason_ok(reason: &str) -> bool {
    (2..=2000).contains(&reason.trim().chars().count())
}

/// The provider's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Decision {
    /// As asked.
    Approve {
        #[serde(default)]
        comment: Option<String>,
    },
    /// With narrower terms; the reason explains what was not granted and why.
    ApprovePartially { terms: GrantTerms, reason: String },
    /// Refused: a reason is mandatory (第十二条 "对不予共享的，提供部门应说明理由").
    Refuse { reason: String },
}

impl Decision {
    pub fn action(&self) -> ApplicationAction {
        match self {
            Decision::Approve { .. } => ApplicationAction::Approve,
            Decision::ApprovePartially { .. } => ApplicationAction::ApprovePartially,
            Decision::Refuse { .. } => ApplicationAction::Refuse,
        }
    }

    /// A refusal or partial approval without a reason is not an answer.
    pub fn check_reason(&self) -> Result<(), FieldError> {
        match self {
            Decision::Refuse { reason } if !reason_ok(reason) => Err(FieldError::new(
                "reason",
                "reason_required",
                "不予共享的，提供部门应说明理由（国发〔2016〕51号第十二条），理由应为2至2000字",
            )),
            Decision::ApprovePartially { reason, .. } if !reason_ok(reason) => {
                Err(FieldError::new("reason", "reason_required", "部分同意的，请说明未予共享的部分及理由（2至2000字）"))
            }
            _ => Ok(()),
        }
    }
}

/// The coordinator's ruling on an escalated application (协调).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Ruling {
    /// The provider shall share on these terms; a grant is issued.
    Share { terms: GrantTerms, reason: String },
    /// Not shared.
    NotShare { reason: String },
}

impl Ruling {
    pub fn reason(&self) -> &str {
        match self {
            Ruling::Share { reason, .. } | Ruling::NotShare { reason } => reason,
        }
    }

    pub fn check_reason(&self) -> Result<(), FieldError> {
        if reason_ok(self.reason()) {
            Ok(())
        } else {
            Err(FieldError::new("reason", "reason_required", "协调裁决应写明理由（2至2000字）"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationAction as A;
    use ApplicationStatus as S;

    #[test]
    fn every_transition() {
        let allowed = [
            (S::Submitted, A::Review, S::UnderReview),
            (S::Submitted, A::Approve, S::Approved),
            (S::Submitted, A::ApprovePartially, S::PartiallyApproved),
            (S::Submitted, A::Refuse, S::Refused),
            (S::Submitted, A::Withdraw, S::Withdrawn),
            (S::Submitted, A::Escalate, S::Escalated),
            (S::UnderReview, A::Approve, S::Approved),
            (S::UnderReview, A::ApprovePartially, S::PartiallyApproved),
            (S::UnderReview, A::Refuse, S::Refused),
            (S::UnderReview, A::Withdraw, S::Withdrawn),
            (S::UnderReview, A::Escalate, S::Escalated),
            (S::Refused, A::Dispute, S::Disputed),
            (S::Disputed, A::Approve, S::Approved),
            (S::Disputed, A::ApprovePartially, S::PartiallyApproved),
            (S::Disputed, A::Withdraw, S::Withdrawn),
            (S::Disputed, A::Escalate, S::Escalated),
            (S::Escalated, A::Rule, S::Ruled),
            (S::Escalated, A::Withdraw, S::Withdrawn),
        ];
        let mut legal = 0;
        for from in S::ALL {
            for action in A::ALL {
                let expect = allowed.iter().find(|(f, a, _)| f == from && *a == action).map(|t| t.2);
                match (from.apply(action), expect) {
                    (Ok(got), Some(want)) => {
                        assert_eq!(got, want, "{from:?} {action:?}");
                        legal += 1;
                    }
                    (Err(e), None) => {
                        assert!(e.to_string().starts_with(&format!("共享申请当前状态为“{}”", from.label())))
                    }
                    (got, want) => panic!("{from:?} {action:?}: got {got:?}, want {want:?}"),
                }
            }
        }
        assert_eq!(legal, allowed.len());
    }

    #[test]
    fn terminal_states_stay_terminal() {
        for s in [S::Approved, S::PartiallyApproved, S::Withdrawn, S::Ruled] {
            assert!(!s.is_open());
            assert!(A::ALL.iter().all(|a| s.apply(*a).is_err()), "{s:?}");
        }
        assert!(S::Submitted.awaits_reply() && S::UnderReview.awaits_reply() && !S::Disputed.awaits_reply());
    }

    #[test]
    fn messages_help() {
        assert_eq!(
            S::Escalated.apply(A::Refuse).unwrap_err().to_string(),
            "共享申请当前状态为“协调中”，不能不予共享：申请已提请共享主管部门协调，由协调员裁决"
        );
        assert_eq!(
            S::Refused.apply(A::Escalate).unwrap_err().to_string(),
            "共享申请当前状态为“不予共享”，不能提请协调：请先提出异议与提供部门协商，协商未果再提请协调"
        );
    }

    #[test]
    fn a_refusal_needs_a_reason() {
        assert_eq!(Decision::Refuse { reason: " ".into() }.check_reason().unwrap_err().code, "reason_required");
        assert_eq!(Decision::Refuse { reason: "好".into() }.check_reason().unwrap_err().code, "reason_required");
        assert!(Decision::Refuse { reason: "涉及未成年人信息，依法不予提供".into() }.check_reason().is_ok());
        assert!(Decision::Approve { comment: None }.check_reason().is_ok());
        assert!(Ruling::NotShare { reason: "".into() }.check_reason().is_err());
    }

    #[test]
    fn where_an_application_starts() {
        assert_eq!(initial_status(&[("姓名", ShareType::Conditional)]), Ok(S::Submitted));
        assert_eq!(
            initial_status(&[("姓名", ShareType::Conditional), ("宗教信仰", ShareType::NotShared)]),
            Ok(S::Disputed)
        );
        assert_eq!(initial_status(&[]).unwrap_err().code, "no_application_needed");
    }

    #[test]
    fn only_the_right_party_acts() {
        assert_eq!(A::Refuse.parties(), &[Party::Provider]);
        assert_eq!(A::Rule.parties(), &[Party::Coordinator]);
        assert!(A::Escalate.parties().contains(&Party::Platform));
        assert!(!A::Approve.parties().contains(&Party::Coordinator));
    }

    #[test]
    fn the_consumer_escalates_only_a_failed_negotiation() {
        use ApplicationAction as A;
        use ApplicationStatus as S;
        for from in [S::Submitted, S::UnderReview] {
            let e = from.apply_by(Party::Consumer, A::Escalate).unwrap_err();
            assert!(e.to_string().contains("逾期未答复的申请会自动提请协调"), "{e}");
            assert!(!from.allows(Party::Consumer, A::Escalate));
            assert_eq!(from.apply_by(Party::Platform, A::Escalate), Ok(S::Escalated), "overdue");
            assert!(from.allows(Party::Coordinator, A::Escalate));
        }
        assert_eq!(S::Disputed.apply_by(Party::Consumer, A::Escalate), Ok(S::Escalated));
        assert!(S::Disputed.allows(Party::Consumer, A::Escalate));
        // A refusal is disputed first, by anyone's hand.
        assert!(!S::Refused.allows(Party::Consumer, A::Escalate));
        assert!(!S::Refused.allows(Party::Coordinator, A::Escalate));
        // Parties still decide who may act at all.
        assert!(!S::Submitted.allows(Party::Consumer, A::Approve));
        assert!(S::Submitted.allows(Party::Provider, A::Approve));
    }

    #[test]
    fn decisions_in_json() {
        let d: Decision =
            serde_json::from_str(r#"{"outcome":"refuse","reason":"涉及个人隐私，依法不予提供"}"#).unwrap();
        assert_eq!(d.action(), A::Refuse);
        let d: Decision = serde_json::from_str(r#"{"outcome":"approve"}"#).unwrap();
        assert_eq!(d, Decision::Approve { comment: None });
        assert!(serde_json::from_str::<Decision>(r#"{"outcome":"maybe"}"#).is_err());
    }
}
