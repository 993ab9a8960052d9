//! The open-data portal's public side (seed 002): developers' API keys, the apps showcase
//! (应用汇聚) and applications for conditionally open data (有条件开放). A supertrait of
//! [`crate::Store`], implemented for both backends by `impl_portal_store!` (portal_backend.rs).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::portal::{AppStatus, OpenRequestStatus};

use crate::StoreError;
use crate::model::{Page, PageRequest};

type R<T> = Result<T, StoreError>;

/// A developer's API key. The secret was shown once; the store keeps its SHA-256 and the visible
/// prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeveloperKey {
    pub id: i64,
    pub prefix: String,
    pub name: String,
    pub organisation: Option<String>,
    pub email: String,
    pub intended_use: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// API calls made with the key.
    pub calls: i64,
}

#[derive(Debug, Clone)]
pub struct NewDeveloperKey {
    pub key_hash: String,
    pub prefix: String,
    pub name: String,
    pub organisation: Option<String>,
    pub email: String,
    pub intended_use: String,
    pub created_at: DateTime<Utc>,
}

/// An app of the showcase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalApp {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub url: String,
    pub developer: String,
    pub contact: String,
    /// Codes of the open datasets the app uses.
    pub datasets: Vec<String>,
    pub status: AppStatus,
    /// Why it was rejected (or a note with the approval).
    pub reason: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewPortalApp {
    pub name: String,
    pub description: String,
    pub url: String,
    pub developer: String,
    pub contact: String,
    pub datasets: Vec<String>,
    pub submitted_at: DateTime<Utc>,
}

/// An application for a conditionally open dataset, answered by the providing department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRequest {
    pub id: i64,
    /// What the applicant uses to look up the answer.
    pub reference: String,
    pub resource_id: i64,
    pub department_id: i64,
    pub applicant: String,
    pub organisation: String,
    pub contact: String,
    pub purpose: String,
    pub intended_use: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub status: OpenRequestStatus,
    pub reason: Option<String>,
    /// The day the answer is due.
    pub deadline: NaiveDate,
    /// Counted partly past the calendar's known years (`domain::calendar::Deadline`).
    pub deadline_provisional: bool,
    pub submitted_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<i64>,
}

impl OpenRequest {
    /// The answer's deadline, as pages show it.
    pub fn answer_deadline(&self) -> domain::calendar::Deadline {
        domain::calendar::Deadline { date: self.deadline, provisional: self.deadline_provisional }
    }
}

#[derive(Debug, Clone)]
pub struct NewOpenRequest {
    pub reference: String,
    pub resource_id: i64,
    pub department_id: i64,
    pub applicant: String,
    pub organisation: String,
    pub contact: String,
    pub purpose: String,
    pub intended_use: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub deadline: NaiveDate,
    pub deadline_provisional: bool,
    pub submitted_at: DateTime<Utc>,
}

/// A decision on an app or an application.
#[derive(Debug, Clone)]
pub struct PortalDecision<S> {
    pub status: S,
    pub reason: Option<String>,
    pub by: i64,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait PortalStore: Send + Sync {
    async fn create_developer_key(&self, key: &NewDeveloperKey) -> R<DeveloperKey>;
    /// The key with this hash, revoked or not.
    async fn developer_key_by_hash(&self, key_hash: &str) -> R<Option<DeveloperKey>>;
    /// Revokes the live key with this hash; `None` when there is no such live key.
    async fn revoke_developer_key(&self, key_hash: &str, at: DateTime<Utc>) -> R<Option<DeveloperKey>>;
    /// Counts one API call of a key.
    async fn record_developer_key_use(&self, id: i64, at: DateTime<Utc>) -> R<()>;

    async fn create_portal_app(&self, app: &NewPortalApp) -> R<PortalApp>;
    async fn get_portal_app(&self, id: i64) -> R<PortalApp>;
    /// Apps with this status (all when `None`), oldest first.
    async fn list_portal_apps(&self, status: Option<AppStatus>, page: PageRequest) -> R<Page<PortalApp>>;
    /// Records the decision on a pending app; `None` when the app is no longer pending.
    async fn decide_portal_app(&self, id: i64, decision: &PortalDecision<AppStatus>) -> R<Option<PortalApp>>;

    async fn create_open_request(&self, request: &NewOpenRequest) -> R<OpenRequest>;
    async fn get_open_request(&self, id: i64) -> R<OpenRequest>;
    async fn open_request_by_reference(&self, reference: &str) -> R<Option<OpenRequest>>;
    /// The applications to one department (all departments when `None`), with this status (all
    /// when `None`), oldest first.
    async fn list_open_requests(
        &self,
        department_id: Option<i64>,
        status: Option<OpenRequestStatus>,
        page: PageRequest,
    ) -> R<Page<OpenRequest>>;
    /// Records the answer to a pending application; `None` when it is no longer pending.
    async fn answer_open_request(
        &self,
        id: i64,
        decision: &PortalDecision<OpenRequestStatus>,
    ) -> R<Option<OpenRequest>>;
}
