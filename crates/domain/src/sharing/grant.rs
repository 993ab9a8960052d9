//! The grant's state machine: active → suspended ⇄ active; active | suspended → revoked | expired.
//! Revoked and expired grants never work again (a renewal is a new application). A grant is
//! usable only while active and inside its period: expiry takes effect on the first day after
//! `until` even before the platform records the `expired` status.

use chrono::NaiveDate;

use crate::labels::labelled_enum;
use crate::sharing::terms::Period;

labelled_enum! {
    /// Where a grant is.
    pub enum GrantStatus: "授权状态" {
        Active = ("active", "生效中"),
        Suspended = ("suspended", "已暂停"),
        Revoked = ("revoked", "已撤销"),
        Expired = ("expired", "已到期"),
    }
}

/// Something done to a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantAction {
    /// The provider or the coordinator stops it for now (e.g. while misuse is checked).
    Suspend,
    Resume,
    /// For good (misuse, duty ended, 第十四条 breached).
    Revoke,
    /// The period ended.
    Expire,
}

impl GrantAction {
    pub const ALL: [GrantAction; 4] =
        [GrantAction::Suspend, GrantAction::Resume, GrantAction::Revoke, GrantAction::Expire];

    pub fn code(self) -> &'static str {
        match self {
            GrantAction::Suspend => "suspend",
            GrantAction::Resume => "resume",
            GrantAction::Revoke => "revoke",
            GrantAction::Expire => "expire",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GrantAction::Suspend => "暂停",
            GrantAction::Resume => "恢复",
            GrantAction::Revoke => "撤销",
            GrantAction::Expire => "到期",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("授权当前状态为“{}”，不能{}", .from.label(), .action.label())]
pub struct GrantError {
    pub from: GrantStatus,
    pub action: GrantAction,
}

/// Why a grant cannot be used today.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("授权已暂停，暂停期间不能使用")]
    Suspended,
    #[error("授权已撤销")]
    Revoked,
    #[error("授权已于{0}到期，如需继续使用请重新申请")]
    Expired(NaiveDate),
    #[error("授权自{0}起生效，尚未到使用期限")]
    NotYet(NaiveDate),
}

impl GrantStatus {
    pub fn apply(self, action: GrantAction) -> Result<GrantStatus, GrantError> {
        use GrantAction as A;
        use GrantStatus as S;
        let next = match (self, action) {
            (S::Active, A::Suspend) => S::Suspended,
            (S::Suspended, A::Resume) => S::Active,
            (S::Active | S::Suspended, A::Revoke) => S::Revoked,
            (S::Active | S::Suspended, A::Expire) => S::Expired,
            _ => return Err(GrantError { from: self, action }),
        };
        Ok(next)
    }

    /// Whether a grant in this status, with this period, may be used on `today`.
    pub fn usable(self, period: &Period, today: NaiveDate) -> Result<(), Unusable> {
        match self {
            GrantStatus::Suspended => Err(Unusable::Suspended),
            GrantStatus::Revoked => Err(Unusable::Revoked),
            GrantStatus::Expired => Err(Unusable::Expired(period.until)),
            GrantStatus::Active if today > period.until => Err(Unusable::Expired(period.until)),
            GrantStatus::Active if today < period.from => Err(Unusable::NotYet(period.from)),
            GrantStatus::Active => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use GrantAction as A;
    use GrantStatus as S;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_transition() {
        let allowed = [
            (S::Active, A::Suspend, S::Suspended),
            (S::Active, A::Revoke, S::Revoked),
            (S::Active, A::Expire, S::Expired),
            (S::Suspended, A::Resume, S::Active),
            (S::Suspended, A::Revoke, S::Revoked),
            (S::Suspended, A::Expire, S::Expired),
        ];
        for from in S::ALL {
            for action in A::ALL {
                let expect = allowed.iter().find(|(f, a, _)| f == from && *a == action).map(|t| t.2);
                match (from.apply(action), expect) {
                    (Ok(got), Some(want)) => assert_eq!(got, want),
                    (Err(e), None) => {
                        assert_eq!(e.to_string(), format!("授权当前状态为“{}”，不能{}", from.label(), action.label()))
                    }
                    (got, want) => panic!("{from:?} {action:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn usable_only_while_active_and_in_period() {
        let p = Period { from: d("2026-01-01"), until: d("2026-12-31") };
        assert_eq!(S::Active.usable(&p, d("2026-01-01")), Ok(()));
        assert_eq!(S::Active.usable(&p, d("2026-12-31")), Ok(()));
        assert_eq!(S::Active.usable(&p, d("2027-01-01")), Err(Unusable::Expired(d("2026-12-31"))));
        assert_eq!(S::Active.usable(&p, d("2025-12-31")), Err(Unusable::NotYet(d("2026-01-01"))));
        assert_eq!(S::Suspended.usable(&p, d("2026-06-01")), Err(Unusable::Suspended));
        assert_eq!(S::Revoked.usable(&p, d("2026-06-01")), Err(Unusable::Revoked));
        assert_eq!(S::Expired.usable(&p, d("2026-06-01")), Err(Unusable::Expired(d("2026-12-31"))));
    }
}
