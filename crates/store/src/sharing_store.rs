//! The sharing part of the metadata repository: applications with their recorded steps, grants
//! with theirs, daily usage against a grant's quota, agreements, feedback and the record of bulk
//! downloads with their fingerprint seeds. A supertrait of [`crate::Store`], implemented for both
//! backends by `impl_sharing_store!` (sharing_backend.rs).

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::StoreError;
use crate::model::*;

type R<T> = Result<T, StoreError>;

#[async_trait]
pub trait SharingStore: Send + Sync {
    /// Files an application and records `step` as its first step, atomically.
    async fn create_application(&self, new: &NewApplication, step: &NewStep) -> R<Application>;
    async fn get_application(&self, id: i64) -> R<Application>;
    /// Newest first (by id, descending); the cursor is the last id seen.
    async fn list_applications(&self, filter: &ApplicationFilter, page: PageRequest) -> R<Page<Application>>;
    /// Every step, in order.
    async fn application_steps(&self, id: i64) -> R<Vec<ApplicationStep>>;
    /// Status change + step + decision + issued grant, in one transaction; `Conflict` when the
    /// revision moved. Returns the application and the grant, if one was issued.
    async fn transition_application(&self, t: &ApplicationTransition) -> R<(Application, Option<Grant>)>;

    /// Issues a grant without an application (a provider granting on its own initiative),
    /// recording an `issue` step whose reason is `new.note`.
    async fn create_grant(&self, new: &NewGrant, actor_name: Option<&str>) -> R<Grant>;
    async fn get_grant(&self, id: i64) -> R<Grant>;
    async fn list_grants(&self, filter: &GrantFilter, page: PageRequest) -> R<Page<Grant>>;
    /// The grants of a consumer department on a resource, every status, newest first: the input
    /// of the access decision.
    async fn grants_for(&self, resource_id: i64, consumer_department_id: i64) -> R<Vec<Grant>>;
    async fn grant_steps(&self, id: i64) -> R<Vec<GrantStep>>;
    /// `Conflict` when the revision moved.
    async fn transition_grant(&self, t: &GrantTransition) -> R<Grant>;
    /// Active or suspended grants whose period ended before `today` (for the expiry sweep).
    async fn grants_past_period(&self, today: NaiveDate) -> R<Vec<Grant>>;

    /// Rows read through a grant on a day so far.
    async fn grant_usage(&self, grant_id: i64, day: NaiveDate) -> R<i64>;
    /// Adds rows to a day's usage and returns the new total.
    async fn add_grant_usage(&self, grant_id: i64, day: NaiveDate, rows: i64) -> R<i64>;

    async fn create_agreement(&self, new: &NewAgreement) -> R<Agreement>;
    async fn list_agreements(&self, grant_id: i64) -> R<Vec<Agreement>>;
    async fn get_agreement(&self, id: i64) -> R<Agreement>;

    async fn create_feedback(&self, new: &NewFeedback) -> R<Feedback>;
    /// Feedback on a resource (what its provider sees), or on one grant; newest first.
    async fn list_feedback(&self, resource_id: Option<i64>, grant_id: Option<i64>) -> R<Vec<Feedback>>;

    /// Records a bulk download (append-only): `NotFound` when the resource version, the user, the
    /// department or the grant does not exist.
    async fn record_download(&self, new: &NewDownload) -> R<Download>;
    /// The downloads of a resource, or of every resource; oldest first.
    async fn list_downloads(&self, resource_id: Option<i64>) -> R<Vec<Download>>;
}
