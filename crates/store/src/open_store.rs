//! 政府数据开放 (seed 002): reviewers' decisions on the columns of a version (保密审查), openings,
//! and the public use counted per day. A supertrait of [`crate::Store`], implemented for both
//! backends by `impl_open_store!` (open_backend.rs).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::masking::MaskRule;
use domain::open::ColumnDecision;

use crate::StoreError;

type R<T> = Result<T, StoreError>;

/// A reviewer's decision on one column of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnReview {
    pub resource_id: i64,
    pub version: i64,
    pub column: String,
    pub decision: ColumnDecision,
    pub decided_by: i64,
    pub decided_at: DateTime<Utc>,
}

/// An opening of a version of a resource's data to the public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub id: i64,
    pub resource_id: i64,
    /// The version opened: a newer version is not public until it is reviewed and opened.
    pub version: i64,
    /// The fields the public sees, in item order (removed columns are absent).
    pub fields: Vec<String>,
    /// Fields shown masked, with their rule.
    pub masks: Vec<(String, MaskRule)>,
    pub opened_by: i64,
    pub opened_at: DateTime<Utc>,
    pub closed_by: Option<i64>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// An opening to record.
#[derive(Debug, Clone)]
pub struct NewOpening {
    pub resource_id: i64,
    pub version: i64,
    pub fields: Vec<String>,
    pub masks: Vec<(String, MaskRule)>,
    pub opened_by: i64,
    pub opened_at: DateTime<Utc>,
}

/// Kinds of public use counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UsageKind {
    View,
    Download,
    Api,
}

impl UsageKind {
    pub fn code(self) -> &'static str {
        match self {
            UsageKind::View => "view",
            UsageKind::Download => "download",
            UsageKind::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Option<UsageKind> {
        match s {
            "view" => Some(UsageKind::View),
            "download" => Some(UsageKind::Download),
            "api" => Some(UsageKind::Api),
            _ => None,
        }
    }
}

/// Total public use of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UsageTotals {
    pub views: i64,
    pub downloads: i64,
    pub api_calls: i64,
}

#[async_trait]
pub trait OpenStore: Send + Sync {
    /// The decisions recorded on the columns of a version, by column name.
    async fn column_reviews(&self, resource_id: i64, version: i64) -> R<Vec<ColumnReview>>;
    /// Records (or replaces) the decision on one column of a version.
    async fn put_column_review(&self, review: &ColumnReview) -> R<()>;
    /// The current opening of a resource, if it is open.
    async fn current_opening(&self, resource_id: i64) -> R<Option<Opening>>;
    /// Every current opening.
    async fn current_openings(&self) -> R<Vec<Opening>>;
    /// Opens a version: closes the current opening, if any, and records the new one, in one
    /// transaction.
    async fn create_opening(&self, opening: &NewOpening) -> R<Opening>;
    /// Closes the current opening of a resource (停止开放); None if it was not open.
    async fn close_opening(&self, resource_id: i64, by: i64, at: DateTime<Utc>) -> R<Option<Opening>>;
    /// Counts `n` public uses of a resource on a day.
    async fn add_open_usage(&self, resource_id: i64, day: NaiveDate, kind: UsageKind, n: i64) -> R<()>;
    /// Total public use per resource, for every resource used at least once, or only for
    /// `resource_id` (a dataset's page reads its own totals, not the whole table's).
    async fn open_usage_totals(&self, resource_id: Option<i64>) -> R<Vec<(i64, UsageTotals)>>;
}
