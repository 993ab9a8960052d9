//! The records the store keeps and the inputs and filters its methods take.

use chrono::{DateTime, NaiveDate, Utc};
use domain::account::Role;
use domain::catalog::{CategoryNode, ResourceSpec, ResourceStatus, diff::FieldChange};
use domain::currency::ChangeKind;
use domain::org::{DepartmentSpec, PlatformSpec};

/// A page of a list, with the cursor for the next page.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// The cursor to pass for the next page, if there is one.
    pub next: Option<i64>,
}

/// Keyset pagination: items with id greater than `after`, at most `limit`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub after: Option<i64>,
    pub limit: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { after: None, limit: 50 }
    }
}

#[derive(Debug, Clone)]
pub struct Platform {
    pub id: i64,
    pub spec: PlatformSpec,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Department {
    pub id: i64,
    pub spec: DepartmentSpec,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    pub roles: Vec<Role>,
    /// argon2 PHC string; None for token-only accounts.
    pub password_hash: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    pub roles: Vec<Role>,
    pub password_hash: Option<String>,
}

/// An API token's metadata. The secret itself is never stored: only its SHA-256.
#[derive(Debug, Clone)]
pub struct Token {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the secret, to tell tokens apart in a list.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub hash: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// One catalogue entry in its current version.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: i64,
    /// Assigned at creation; may change while a draft moves to another category, frozen once published.
    pub code: String,
    pub department_id: i64,
    pub status: ResourceStatus,
    /// Starts at 1; each change adds one.
    pub version: i64,
    pub spec: ResourceSpec,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// Who did something, as recorded with it.
#[derive(Debug, Clone)]
pub struct Change {
    pub user_id: i64,
    pub username: String,
    /// `create`, `update`, `submit`, `recall`, `return`, `publish`, `withdraw`, `import`.
    pub action: String,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewResource {
    pub code: String,
    pub department_id: i64,
    pub status: ResourceStatus,
    pub spec: ResourceSpec,
    pub change: Change,
    pub diff: Vec<FieldChange>,
}

/// A new version of an existing entry (any lifecycle step or revision).
#[derive(Debug, Clone)]
pub struct ResourceUpdate {
    pub id: i64,
    /// The version the change was based on; a mismatch is `StoreError::StaleVersion`.
    pub expected_version: i64,
    pub code: String,
    pub status: ResourceStatus,
    pub spec: ResourceSpec,
    pub published_at: Option<DateTime<Utc>>,
    pub change: Change,
    pub diff: Vec<FieldChange>,
}

/// One kept version of an entry.
#[derive(Debug, Clone)]
pub struct ResourceVersion {
    pub resource_id: i64,
    pub version: i64,
    pub code: String,
    pub status: ResourceStatus,
    pub spec: ResourceSpec,
    pub change: Change,
    pub diff: Vec<FieldChange>,
}

/// Filters of the catalogue list. All optional; combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    /// A category code; matches it and everything under it.
    pub category: Option<String>,
    pub department_id: Option<i64>,
    pub share_type: Option<String>,
    pub open_type: Option<String>,
    pub format_class: Option<String>,
    pub update_cycle: Option<String>,
    pub status: Option<ResourceStatus>,
    /// Substring of the name or summary.
    pub text: Option<String>,
    /// Only published entries (and withdrawn ones that had been published), plus every entry of this
    /// department (drafts are the department's own business). `None` shows everything
    /// (coordinators, admins, auditors).
    pub visible_to_department: Option<i64>,
}

/// A recorded change of duties or of a law (第八条).
#[derive(Debug, Clone)]
pub struct DutyChange {
    pub id: i64,
    pub department_id: i64,
    pub kind: ChangeKind,
    pub description: String,
    pub effective_date: NaiveDate,
    pub deadline: NaiveDate,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub items: Vec<DutyChangeItem>,
}

/// One entry affected by a change, and the day it was first revised after the change was recorded.
#[derive(Debug, Clone)]
pub struct DutyChangeItem {
    pub resource_id: i64,
    pub code: String,
    pub name: String,
    pub updated_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewDutyChange {
    pub department_id: i64,
    pub kind: ChangeKind,
    pub description: String,
    pub effective_date: NaiveDate,
    pub deadline: NaiveDate,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub resource_ids: Vec<i64>,
}

/// One entry of the audit trail. Append-only: the store has no way to change or remove one.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub department_id: Option<i64>,
    /// e.g. `resource.publish`, `token.create`, `user.create`, `auth.denied`.
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub department_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub action_prefix: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
}

/// Re-exported so that callers need not depend on the category module path.
pub type Category = CategoryNode;

/// One published, immutable version of a resource's data.
#[derive(Debug, Clone)]
pub struct DatasetVersion {
    pub resource_id: i64,
    /// Starts at 1.
    pub version: i64,
    /// `replace`, `append` or `upsert`.
    pub mode: String,
    /// Object-store paths of the Parquet files that make up the version.
    pub files: Vec<String>,
    pub row_count: i64,
    pub byte_size: i64,
    /// The data items the version was checked against.
    pub data_items: Vec<domain::catalog::DataItem>,
    pub rejected_rows: i64,
    pub published_by: i64,
    pub published_at: DateTime<Utc>,
}
