//! The JSON contract of departments' information systems (业务信息系统) and the accounts bound to
//! them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{TokenView, UserView};

/// A new information system of a department.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemInput {
    pub department_id: i64,
    /// The system's name, unique in its department, e.g. `不动产登记系统`.
    pub name: String,
    /// What it does, for providers deciding whether to grant it data.
    pub description: Option<String>,
}

/// A system's new name, description and state (`active: false` retires it: its accounts stop
/// working at once).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemUpdate {
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SystemView {
    pub id: i64,
    pub department_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<store::model::System> for SystemView {
    fn from(s: store::model::System) -> Self {
        let store::model::System { id, department_id, name, description, active, created_at, updated_at } = s;
        SystemView { id, department_id, name, description, active, created_at, updated_at }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SystemListParams {
    /// Only this department's systems.
    pub department_id: Option<i64>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A new account of a system: it calls the platform as that system.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemAccountInput {
    pub username: String,
    pub display_name: String,
    /// `data_consumer` and/or `data_provider`: a system reads or provides data, it does not decide.
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<domain::account::Role>,
}

/// The new account and its first token. `secret` is shown this once: configure it in the system.
#[derive(Debug, Serialize, ToSchema)]
pub struct SystemAccountView {
    pub user: UserView,
    pub token: TokenView,
    pub secret: String,
}
