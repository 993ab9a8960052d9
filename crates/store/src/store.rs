//! The one interface every backend implements.

use std::collections::BTreeSet;

use async_trait::async_trait;
use domain::catalog::CategoryNode;
use domain::org::{DepartmentSpec, PlatformSpec, SystemSpec};

use crate::model::*;
use crate::{ElementStore, OpenStore, PortalStore, SharingStore, StoreError, WebStore};

type R<T> = Result<T, StoreError>;

/// The metadata repository. Implementations: `SqliteStore`, `PgStore`. The sharing records are
/// behind the supertrait [`SharingStore`] (`use store::SharingStore;` to call its methods), the
/// register of data elements behind [`ElementStore`].
#[async_trait]
pub trait Store: SharingStore + ElementStore + WebStore + PortalStore + OpenStore + Send + Sync + 'static {
    /// Which backend this is (`sqlite` or `postgres`), for logs and health checks.
    fn backend(&self) -> &'static str;
    /// Checks that the database answers.
    async fn ping(&self) -> R<()>;

    // Platforms and departments.
    async fn create_platform(&self, spec: &PlatformSpec, at: chrono::DateTime<chrono::Utc>) -> R<Platform>;
    async fn get_platform(&self, id: i64) -> R<Platform>;
    async fn list_platforms(&self) -> R<Vec<Platform>>;
    async fn create_department(&self, spec: &DepartmentSpec, at: chrono::DateTime<chrono::Utc>) -> R<Department>;
    async fn update_department(&self, id: i64, spec: &DepartmentSpec) -> R<Department>;
    async fn get_department(&self, id: i64) -> R<Department>;
    /// By credit code or local code.
    async fn find_department_by_code(&self, code: &str) -> R<Option<Department>>;
    async fn list_departments(&self, page: PageRequest) -> R<Page<Department>>;

    // Users and tokens.
    async fn count_users(&self) -> R<i64>;
    async fn create_user(&self, user: &NewUser, at: chrono::DateTime<chrono::Utc>) -> R<User>;
    async fn get_user(&self, id: i64) -> R<User>;
    async fn find_user_by_username(&self, username: &str) -> R<Option<User>>;
    async fn list_users(&self, department_id: Option<i64>, page: PageRequest) -> R<Page<User>>;
    async fn update_user(&self, id: i64, roles: &[domain::account::Role], active: bool) -> R<User>;
    /// Registers a department's information system (active); `Conflict` for a name the
    /// department already uses.
    async fn create_system(&self, spec: &SystemSpec, at: chrono::DateTime<chrono::Utc>) -> R<System>;
    async fn get_system(&self, id: i64) -> R<System>;
    /// One department's systems, or every department's; in id order.
    async fn list_systems(&self, department_id: Option<i64>) -> R<Vec<System>>;
    /// Renames, redescribes, retires or reinstates a system (it never changes department).
    async fn update_system(
        &self,
        id: i64,
        name: &str,
        description: Option<&str>,
        active: bool,
        at: chrono::DateTime<chrono::Utc>,
    ) -> R<System>;
    async fn set_password(&self, id: i64, password_hash: &str) -> R<()>;
    async fn create_token(&self, token: &NewToken, at: chrono::DateTime<chrono::Utc>) -> R<Token>;
    async fn list_tokens(&self, user_id: i64) -> R<Vec<Token>>;
    /// Revokes a token of that user; NotFound if it is not theirs.
    async fn revoke_token(&self, user_id: i64, token_id: i64, at: chrono::DateTime<chrono::Utc>) -> R<Token>;
    /// The live (not revoked, not expired) token with this hash and its user, marking it used.
    async fn authenticate_token(&self, hash: &str, at: chrono::DateTime<chrono::Utc>) -> R<Option<(Token, User)>>;

    // The classification tree.
    /// Inserts the nodes that are not there yet (by code); returns how many were added.
    async fn seed_categories(&self, nodes: &[CategoryNode]) -> R<usize>;
    async fn create_category(&self, node: &CategoryNode) -> R<CategoryNode>;
    async fn get_category(&self, code: &str) -> R<Option<CategoryNode>>;
    async fn list_categories(&self) -> R<Vec<CategoryNode>>;

    // The catalogue.
    /// The next sequence number under a code prefix: monotonic, never reused, safe under
    /// concurrent callers.
    async fn next_code_sequence(&self, prefix: &str) -> R<u64>;
    /// Creates an entry at version 1 with its first `resource_versions` row and its data items in
    /// `resource_items` (for 一数一源 matching, see [`ElementStore::held_items`]), in one transaction.
    async fn create_resource(&self, new: &NewResource) -> R<Resource>;
    /// Writes the next version (`StaleVersion` unless `expected_version` is current), its
    /// `resource_versions` row and the entry's `resource_items` rows (none while withdrawn), in
    /// one transaction.
    async fn update_resource(&self, update: &ResourceUpdate) -> R<Resource>;
    async fn get_resource(&self, id: i64) -> R<Resource>;
    async fn get_resource_by_code(&self, code: &str) -> R<Resource>;
    /// The entries with these ids that exist, in id order (a missing id is left out, not an error).
    async fn get_resources(&self, ids: &[i64]) -> R<Vec<Resource>>;
    async fn list_resources(&self, filter: &ResourceFilter, page: PageRequest) -> R<Page<Resource>>;
    /// The current version of every entry, by id (what the search index is reconciled against).
    async fn resource_versions(&self) -> R<Vec<(i64, i64)>>;
    /// Every version, oldest first.
    async fn resource_history(&self, id: i64) -> R<Vec<ResourceVersion>>;
    /// Those of `codes` that name a resource that is not withdrawn and, with `visible_to`, that
    /// this department may see (published and not classified, or its own).
    async fn live_codes(&self, codes: &[String], visible_to: Option<i64>) -> R<BTreeSet<String>>;
    /// Resource ids of a department, optionally only with a status.
    async fn department_resource_ids(
        &self,
        department_id: i64,
        status: Option<domain::catalog::ResourceStatus>,
    ) -> R<Vec<i64>>;

    // Dataset versions.
    /// Records a new version; fails with `Conflict` if `version` is already taken (a concurrent
    /// publish won), so versions never fork.
    async fn create_dataset_version(&self, v: &DatasetVersion) -> R<()>;
    async fn get_dataset_version(&self, resource_id: i64, version: i64) -> R<DatasetVersion>;
    /// The newest version, if any.
    async fn latest_dataset_version(&self, resource_id: i64) -> R<Option<DatasetVersion>>;
    /// Every version, newest first.
    async fn list_dataset_versions(&self, resource_id: i64) -> R<Vec<DatasetVersion>>;
    /// Every file any version of any resource references (for sweeping orphans).
    async fn referenced_dataset_files(&self) -> R<BTreeSet<String>>;

    // Catalogue currency (第八条).
    async fn create_duty_change(&self, change: &NewDutyChange) -> R<DutyChange>;
    async fn list_duty_changes(&self, department_id: Option<i64>) -> R<Vec<DutyChange>>;

    // Deadlines counted past the calendar's known years.
    /// Every provisional deadline: share applications, currency windows and applications for
    /// conditionally open data, whatever their status.
    async fn provisional_deadlines(&self) -> R<Vec<ProvisionalDeadline>>;
    /// Moves a provisional deadline that is still at `from` to `to` (recomputed on a newer
    /// calendar). `false` when there is no such provisional deadline any more: another node moved
    /// it first, or the record does not exist. Only one of several nodes running the watch moves
    /// (and audits) each deadline.
    async fn move_provisional_deadline(
        &self,
        of: DeadlineOf,
        id: i64,
        from: chrono::NaiveDate,
        to: domain::calendar::Deadline,
    ) -> R<bool>;

    // Audit trail: append and read only.
    /// Appends one event (a batch of one); returns its id.
    async fn append_audit(&self, event: &NewAuditEvent) -> R<i64>;
    /// Appends events in one transaction, each with its position in the Merkle log (positions are
    /// assigned one writer at a time, without gaps) and its leaf hash. Returns the leaves in order.
    async fn append_audit_batch(&self, events: &[NewAuditEvent]) -> R<Vec<AuditLeaf>>;
    /// Leaves after position `after_seq`, in order (to catch up with other writers).
    async fn audit_leaves_after(&self, after_seq: i64, limit: i64) -> R<Vec<AuditLeaf>>;
    /// Events that have no position yet (recorded before the log existed), by id.
    async fn unlogged_audit_events(&self, limit: i64) -> R<Vec<i64>>;
    /// Gives positions and leaves to existing events, in the order given.
    async fn log_audit_events(&self, event_ids: &[i64]) -> R<Vec<AuditLeaf>>;
    /// For verification: positions after `after_seq` with the stored leaf and the leaf recomputed
    /// from the event row as it is now.
    async fn ledger_entries(&self, after_seq: i64, limit: i64) -> R<Vec<LedgerEntry>>;
    async fn append_audit_checkpoint(&self, c: &StoredCheckpoint) -> R<()>;
    /// Every checkpoint, smallest tree first.
    async fn audit_checkpoints(&self) -> R<Vec<StoredCheckpoint>>;
    async fn latest_audit_checkpoint(&self) -> R<Option<StoredCheckpoint>>;
    async fn list_audit(&self, filter: &AuditFilter, page: PageRequest) -> R<Page<AuditEvent>>;
    /// The newest event with exactly this action (e.g. the last `audit.verify`).
    async fn latest_audit_event(&self, action: &str) -> R<Option<AuditEvent>>;
}
