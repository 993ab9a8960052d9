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
    /// The department's information system this account calls for (a system account); None for
    /// a person. Fixed when the account is created.
    pub system_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    pub roles: Vec<Role>,
    pub password_hash: Option<String>,
    pub system_id: Option<i64>,
}

/// A department's business information system (业务信息系统), e.g. 不动产登记系统: accounts can be
/// bound to it and grants can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    pub id: i64,
    pub department_id: i64,
    pub name: String,
    pub description: Option<String>,
    /// An inactive system's accounts cannot sign in.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
    /// Counted partly past the calendar's known years (`domain::calendar::Deadline`).
    pub deadline_provisional: bool,
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
    pub deadline_provisional: bool,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub resource_ids: Vec<i64>,
}

/// What a deadline belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadlineOf {
    /// A share application's reply deadline (第十二条).
    Application,
    /// A catalogue-currency window (第八条).
    DutyChange,
    /// An application for conditionally open data.
    OpenRequest,
}

/// A deadline counted partly past the calendar's known years, to be recomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionalDeadline {
    pub of: DeadlineOf,
    pub id: i64,
    /// The day counting starts after (receipt, or the day the change took effect).
    pub start: NaiveDate,
    /// The provisional deadline.
    pub due: NaiveDate,
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
    /// The acting user's department.
    pub department_id: Option<i64>,
    /// A resource code: events on the resource and events that name it (applications, grants).
    pub resource_code: Option<String>,
    /// A grant: events on it and reads made through it.
    pub grant_id: Option<i64>,
    /// From this instant (inclusive) …
    pub from: Option<DateTime<Utc>>,
    /// … until this one (exclusive).
    pub until: Option<DateTime<Utc>>,
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

// ---------------------------------------------------------------------------------------------
// Sharing: applications, grants, agreements, feedback, downloads (国发〔2016〕51号 第十二条、第十四条).

pub use sharing::*;

mod sharing {
    use chrono::{DateTime, NaiveDate, Utc};
    use domain::sharing::{ApplicationStatus, ApplicationTerms, GrantStatus, GrantTerms};

    /// A share application (共享申请) as stored.
    #[derive(Debug, Clone)]
    pub struct Application {
        pub id: i64,
        pub resource_id: i64,
        pub provider_department_id: i64,
        pub consumer_department_id: i64,
        pub applicant_id: i64,
        pub status: ApplicationStatus,
        pub terms: ApplicationTerms,
        /// The CST date of receipt; the reply deadline counts from the next working day.
        pub received_on: NaiveDate,
        pub reply_due: NaiveDate,
        /// The deadline was counted past the calendar's known years (weekdays only).
        pub due_provisional: bool,
        /// The provider's decision or the coordinator's ruling, as recorded (JSON of
        /// `domain::sharing::Decision` / `Ruling`), once there is one.
        pub decision: Option<serde_json::Value>,
        /// The grant the decision or ruling issued.
        pub grant_id: Option<i64>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        /// Bumped by every transition: a transition names the revision it saw (optimistic locking).
        pub revision: i64,
    }

    impl Application {
        /// The reply deadline, as pages and notes show it.
        pub fn reply_deadline(&self) -> domain::calendar::Deadline {
            domain::calendar::Deadline { date: self.reply_due, provisional: self.due_provisional }
        }
    }

    #[derive(Debug, Clone)]
    pub struct NewApplication {
        pub resource_id: i64,
        pub provider_department_id: i64,
        pub consumer_department_id: i64,
        pub applicant_id: i64,
        pub status: ApplicationStatus,
        pub terms: ApplicationTerms,
        pub received_on: NaiveDate,
        pub reply_due: NaiveDate,
        pub due_provisional: bool,
        pub at: DateTime<Utc>,
    }

    /// One recorded step of an application: who did what, when and why.
    #[derive(Debug, Clone)]
    pub struct ApplicationStep {
        pub application_id: i64,
        /// 1, 2, 3 … per application.
        pub seq: i64,
        /// `submit`, or an `ApplicationAction` code.
        pub action: String,
        pub from_status: Option<ApplicationStatus>,
        pub to_status: ApplicationStatus,
        /// None for the platform's own steps (deadline escalation).
        pub actor_id: Option<i64>,
        pub actor_name: Option<String>,
        /// `consumer`, `provider`, `coordinator` or `platform`.
        pub party: String,
        pub note: Option<String>,
        pub at: DateTime<Utc>,
    }

    /// A step to record with a transition (or with the filing, as step 1).
    #[derive(Debug, Clone)]
    pub struct NewStep {
        pub action: String,
        pub actor_id: Option<i64>,
        pub actor_name: Option<String>,
        pub party: String,
        pub note: Option<String>,
    }

    /// Moves an application to `to`, atomically: the status change, the step, the decision and
    /// the grant it issues commit together or not at all. Fails with `Conflict` when the
    /// application's revision is no longer `expected_revision` (someone else acted first).
    #[derive(Debug, Clone)]
    pub struct ApplicationTransition {
        pub id: i64,
        pub expected_revision: i64,
        pub to: ApplicationStatus,
        pub step: NewStep,
        /// Recorded as the application's decision (replacing any earlier one).
        pub decision: Option<serde_json::Value>,
        pub grant: Option<NewGrant>,
        pub at: DateTime<Utc>,
    }

    #[derive(Debug, Clone, Default)]
    pub struct ApplicationFilter {
        pub resource_id: Option<i64>,
        pub provider_department_id: Option<i64>,
        pub consumer_department_id: Option<i64>,
        /// Either department (what a department sees of its own applications).
        pub department_id: Option<i64>,
        pub statuses: Vec<ApplicationStatus>,
        /// Only those whose reply is due strictly before this date.
        pub due_before: Option<NaiveDate>,
    }

    /// A grant (授权) as stored.
    #[derive(Debug, Clone)]
    pub struct Grant {
        pub id: i64,
        pub resource_id: i64,
        pub provider_department_id: i64,
        pub consumer_department_id: i64,
        /// The application it answers; None for a grant issued directly (e.g. by agreement).
        pub application_id: Option<i64>,
        pub status: GrantStatus,
        pub terms: GrantTerms,
        pub issued_by: i64,
        pub issued_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        pub revision: i64,
    }

    #[derive(Debug, Clone)]
    pub struct NewGrant {
        pub resource_id: i64,
        pub provider_department_id: i64,
        pub consumer_department_id: i64,
        pub application_id: Option<i64>,
        pub terms: GrantTerms,
        pub issued_by: i64,
        /// Why it was issued (the decision's reason, or the basis of a grant issued without an
        /// application): the reason of its `issue` step.
        pub note: Option<String>,
        pub at: DateTime<Utc>,
    }

    /// A recorded change of a grant's status.
    #[derive(Debug, Clone)]
    pub struct GrantStep {
        pub grant_id: i64,
        pub seq: i64,
        /// `issue`, or a `GrantAction` code.
        pub action: String,
        pub from_status: Option<GrantStatus>,
        pub to_status: GrantStatus,
        pub actor_id: Option<i64>,
        pub actor_name: Option<String>,
        pub reason: Option<String>,
        pub at: DateTime<Utc>,
    }

    #[derive(Debug, Clone)]
    pub struct GrantTransition {
        pub id: i64,
        pub expected_revision: i64,
        pub to: GrantStatus,
        pub action: String,
        pub actor_id: Option<i64>,
        pub actor_name: Option<String>,
        pub reason: Option<String>,
        pub at: DateTime<Utc>,
    }

    #[derive(Debug, Clone, Default)]
    pub struct GrantFilter {
        pub resource_id: Option<i64>,
        pub provider_department_id: Option<i64>,
        pub consumer_department_id: Option<i64>,
        /// Either department.
        pub department_id: Option<i64>,
        pub statuses: Vec<GrantStatus>,
    }

    /// 共享协议 or 安全保密协议 attached to a grant and filed with the coordinator (seed 004 三(四)(五)).
    #[derive(Debug, Clone)]
    pub struct Agreement {
        pub id: i64,
        pub grant_id: i64,
        /// `sharing` (共享协议) or `confidentiality` (安全保密协议).
        pub kind: String,
        pub title: String,
        pub file_name: String,
        pub content_type: String,
        pub byte_size: i64,
        /// SHA-256 of the document, hex.
        pub sha256: String,
        /// Where the document lives in the object store.
        pub object_path: String,
        pub filed_by: i64,
        pub filed_at: DateTime<Utc>,
    }

    #[derive(Debug, Clone)]
    pub struct NewAgreement {
        pub grant_id: i64,
        pub kind: String,
        pub title: String,
        pub file_name: String,
        pub content_type: String,
        pub byte_size: i64,
        pub sha256: String,
        pub object_path: String,
        pub filed_by: i64,
        pub at: DateTime<Utc>,
    }

    /// 使用效果反馈 (seed 004 三(四)): the consumer tells the provider what the data achieved.
    #[derive(Debug, Clone)]
    pub struct Feedback {
        pub id: i64,
        pub grant_id: i64,
        pub resource_id: i64,
        pub department_id: i64,
        pub author_id: i64,
        /// 1 (useless) … 5 (very useful).
        pub rating: i64,
        pub effect: String,
        pub at: DateTime<Utc>,
    }

    #[derive(Debug, Clone)]
    pub struct NewFeedback {
        pub grant_id: i64,
        pub resource_id: i64,
        pub department_id: i64,
        pub author_id: i64,
        pub rating: i64,
        pub effect: String,
        pub at: DateTime<Utc>,
    }

    /// A bulk download (部门批量下载), recorded before its first byte left: who took which version
    /// through which grant, and the seed of the fingerprint that ordered its rows (国发〔2016〕51号
    /// 第十四条; see `data::fingerprint`). Append-only, in the database too.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Download {
        pub id: i64,
        pub resource_id: i64,
        /// The dataset version downloaded.
        pub version: i64,
        pub user_id: i64,
        pub department_id: i64,
        /// The grant the access check used (None: the caller's own department, or an
        /// unconditionally shared resource).
        pub grant_id: Option<i64>,
        /// The fingerprint's 128-bit seed, 32 lowercase hex digits.
        pub seed: String,
        /// The output columns whose text was hashed, in order.
        pub key_fields: Vec<String>,
        /// csv, ndjson, parquet or xlsx.
        pub format: String,
        /// Rows in the download, when known before it started (counted against a quota).
        pub row_count: Option<i64>,
        pub at: DateTime<Utc>,
    }

    #[derive(Debug, Clone)]
    pub struct NewDownload {
        pub resource_id: i64,
        pub version: i64,
        pub user_id: i64,
        pub department_id: i64,
        pub grant_id: Option<i64>,
        pub seed: String,
        pub key_fields: Vec<String>,
        pub format: String,
        pub row_count: Option<i64>,
        pub at: DateTime<Utc>,
    }
}

// ---------------------------------------------------------------------------------------------
// The tamper-evident audit log (crates/ledger): leaf positions and signed checkpoints.

pub use audit_ledger::*;

mod audit_ledger {
    /// An audit event's position in the Merkle log and the leaf hash of its content there.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AuditLeaf {
        /// 1, 2, 3 … without gaps.
        pub seq: i64,
        pub event_id: i64,
        pub leaf_hash: ledger::Hash,
    }

    /// What verification reads for one position: the stored leaf hash as text (it may have been
    /// tampered with into something that is not a hash) and the leaf recomputed from the event
    /// row as it is now (None when the row is gone).
    #[derive(Debug, Clone)]
    pub struct LedgerEntry {
        pub seq: i64,
        pub event_id: i64,
        pub stored_leaf: String,
        pub recomputed_leaf: Option<ledger::Hash>,
    }

    /// A signed checkpoint as stored, with the frontier to resume from.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct StoredCheckpoint {
        pub tree_size: i64,
        pub root: String,
        pub at: String,
        pub origin: String,
        pub key_id: String,
        /// Base64 Ed25519 signature of the checkpoint text.
        pub signature: String,
        /// JSON of `ledger::MerkleLog` at `tree_size`.
        pub frontier: String,
    }
}

/// The leaf of an audit event at position `seq`: RFC 6962 leaf hash of the canonical encoding of
/// (seq, timestamp text, body), the body being the JSON array of the event's columns and, after a
/// newline, the stored detail text verbatim. Any change of a column, or a move to another
/// position, changes the leaf.
#[allow(clippy::too_many_arguments)]
pub fn audit_leaf(
    seq: i64,
    at: &str,
    user_id: Option<i64>,
    username: Option<&str>,
    department_id: Option<i64>,
    action: &str,
    object_type: &str,
    object_id: Option<&str>,
    detail: &str,
) -> ledger::Hash {
    let head = serde_json::json!([user_id, username, department_id, action, object_type, object_id]);
    let body = format!("{head}\n{detail}");
    ledger::entry_leaf(seq.max(0) as u64, at, &body)
}

// ---------------------------------------------------------------------------------------------
// The register of data elements (一数一源, 国发〔2016〕51号 第五条).

pub use elements::*;

mod elements {
    use chrono::{DateTime, Utc};
    use domain::elements::DataElementSpec;

    /// A data element (数据元) of the register, as stored.
    #[derive(Debug, Clone)]
    pub struct DataElement {
        pub id: i64,
        /// `domain::text::name_key` of the name, unique among live elements.
        pub name_key: String,
        pub spec: DataElementSpec,
        /// Starts at 1; each revision (and the retirement) adds one.
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        /// Set when the element is retired (停用): it no longer counts, but keeps its id.
        pub retired_at: Option<DateTime<Utc>>,
        pub retired_reason: Option<String>,
    }

    impl DataElement {
        pub fn is_live(&self) -> bool {
            self.retired_at.is_none()
        }
    }

    /// A catalogue entry that is not withdrawn with some of its data items, as overlap detection
    /// and the duplicates report read it: from the derived table `resource_items` (migration
    /// 0009), never from the entry's JSON.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct HeldEntry {
        pub resource_id: i64,
        pub code: String,
        pub name: String,
        pub department_id: i64,
        /// The entry's 提供方 (`ResourceSpec::provider_name`).
        pub provider_name: String,
        pub status: domain::catalog::ResourceStatus,
        /// The items asked for, in item order.
        pub items: Vec<HeldItem>,
    }

    /// One data item of a [`HeldEntry`].
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct HeldItem {
        /// The item's index in `data_items`.
        pub position: i64,
        pub name: String,
        /// `domain::text::name_key` of the name.
        pub name_key: String,
        pub data_type: domain::catalog::DataType,
        pub identifier: Option<domain::catalog::IdentifierKind>,
        /// The entry's collection decision on the item (`ResourceSpec::decision`).
        pub decision: Option<domain::elements::CollectionChoice>,
    }
}
