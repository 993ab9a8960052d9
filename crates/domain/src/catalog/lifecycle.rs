//! The lifecycle of a catalogue entry (GB/T 21063.6: 编目 → 注册/审核 → 发布 → 维护 → 注销):
//! draft → submitted → published → revised (each revision a new version) → withdrawn.

use crate::labels::labelled_enum;

labelled_enum! {
    /// Where an entry is in its lifecycle.
    pub enum ResourceStatus: "目录状态" {
        /// 草稿: being compiled by the department.
        Draft = ("draft", "草稿"),
        /// 待审核: submitted for registration, waiting for the approver.
        Submitted = ("submitted", "待审核"),
        /// 已发布: registered and visible to every department.
        Published = ("published", "已发布"),
        /// 已注销: withdrawn; the code is never reused.
        Withdrawn = ("withdrawn", "已注销"),
    }
}

/// What someone does to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleAction {
    /// Change fields. On a published entry this is a revision (a new published version).
    Update,
    /// Send a draft for registration.
    Submit,
    /// The editor takes a submitted entry back into draft.
    Recall,
    /// The approver sends a submitted entry back with a reason.
    Return,
    /// The approver registers and publishes a submitted entry.
    Publish,
    /// 注销.
    Withdraw,
}

impl LifecycleAction {
    pub fn code(self) -> &'static str {
        match self {
            LifecycleAction::Update => "update",
            LifecycleAction::Submit => "submit",
            LifecycleAction::Recall => "recall",
            LifecycleAction::Return => "return",
            LifecycleAction::Publish => "publish",
            LifecycleAction::Withdraw => "withdraw",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            LifecycleAction::Update => "修改",
            LifecycleAction::Submit => "提交审核",
            LifecycleAction::Recall => "撤回",
            LifecycleAction::Return => "退回",
            LifecycleAction::Publish => "发布",
            LifecycleAction::Withdraw => "注销",
        }
    }
}

/// An action that the current status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("目录当前状态为“{}”，不能{}{}", .from.label(), .action.label(), hint(*.from, *.action))]
pub struct LifecycleError {
    pub from: ResourceStatus,
    pub action: LifecycleAction,
}

fn hint(from: ResourceStatus, action: LifecycleAction) -> &'static str {
    use LifecycleAction as A;
    use ResourceStatus as S;
    match (from, action) {
        (S::Submitted, A::Update) => "：请先撤回到草稿再修改",
        (S::Draft, A::Publish) => "：请先提交审核",
        (S::Withdrawn, _) => "：已注销的目录只能查看",
        _ => "",
    }
}

impl ResourceStatus {
    /// The status after `action`, or why it is not allowed.
    pub fn apply(self, action: LifecycleAction) -> Result<ResourceStatus, LifecycleError> {
        use LifecycleAction as A;
        use ResourceStatus as S;
        let next = match (self, action) {
            (S::Draft, A::Update) => S::Draft,
            (S::Draft, A::Submit) => S::Submitted,
            (S::Submitted, A::Recall | A::Return) => S::Draft,
            (S::Submitted, A::Publish) => S::Published,
            (S::Published, A::Update) => S::Published,
            (S::Draft | S::Submitted | S::Published, A::Withdraw) => S::Withdrawn,
            _ => return Err(LifecycleError { from: self, action }),
        };
        Ok(next)
    }

    /// Whether the entry has ever been published, which freezes its code.
    pub fn code_frozen(self) -> bool {
        matches!(self, ResourceStatus::Published | ResourceStatus::Withdrawn)
    }
}

/// Whether every department may know the entry exists: published entries (and withdrawn ones that
/// had been published) are everyone's, unless classified (涉密). 国发〔2016〕51号 第五条(一)
/// leaves classified resources to the secrecy laws and 第二十条 makes provider and user answer for
/// secrecy; this platform's own policy is that a classified entry is seen only by its department and
/// the supervisors, and is shared outside the platform's grants. Drafts and submissions are their department's. The catalogue, search and every
/// listing apply this one rule.
pub fn visible_to_all(status: ResourceStatus, ever_published: bool, classified: bool) -> bool {
    !classified && (status == ResourceStatus::Published || (status == ResourceStatus::Withdrawn && ever_published))
}

#[cfg(test)]
mod tests {
    use super::*;
    use LifecycleAction as A;
    use ResourceStatus as S;

    #[test]
    fn every_transition() {
        let allowed = [
            (S::Draft, A::Update, S::Draft),
            (S::Draft, A::Submit, S::Submitted),
            (S::Draft, A::Withdraw, S::Withdrawn),
            (S::Submitted, A::Recall, S::Draft),
            (S::Submitted, A::Return, S::Draft),
            (S::Submitted, A::Publish, S::Published),
            (S::Submitted, A::Withdraw, S::Withdrawn),
            (S::Published, A::Update, S::Published),
            (S::Published, A::Withdraw, S::Withdrawn),
        ];
        let actions = [A::Update, A::Submit, A::Recall, A::Return, A::Publish, A::Withdraw];
        for from in S::ALL {
            for action in actions {
                let expect = allowed.iter().find(|(f, a, _)| f == from && *a == action).map(|t| t.2);
                match (from.apply(action), expect) {
                    (Ok(got), Some(want)) => assert_eq!(got, want, "{from:?} {action:?}"),
                    (Err(e), None) => assert!(!e.to_string().is_empty()),
                    (got, want) => panic!("{from:?} {action:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn messages_help() {
        let e = S::Submitted.apply(A::Update).unwrap_err();
        assert_eq!(e.to_string(), "目录当前状态为“待审核”，不能修改：请先撤回到草稿再修改");
    }
}
