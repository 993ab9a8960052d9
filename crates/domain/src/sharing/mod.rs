//! Sharing (共享): a consumer department's application (共享申请) for Conditional data, the
//! provider's decision within 10 working days (国发〔2016〕51号 第十二条), disputes settled by the
//! coordinator (协商 → 协调), and the grant (授权) a decision creates — which fields, which rows,
//! which masking, which methods, for which purpose and period.
//!
//! The state machines are explicit: [`ApplicationStatus::apply`] and [`GrantStatus::apply`] list
//! every legal transition; anything else is refused with a message a clerk can act on.

mod application;
mod deadline;
mod grant;
mod terms;

pub use application::{
    ApplicationAction, ApplicationError, ApplicationStatus, Decision, Party, Ruling, initial_status,
};
pub use deadline::{DEFAULT_REPLY_DAYS, reply_deadline};
pub use grant::{GrantAction, GrantError, GrantStatus, Unusable};
pub use terms::{ApplicationTerms, Contact, FieldMask, GrantTerms, Period};
