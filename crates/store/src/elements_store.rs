//! The register of data elements (数据元) and what duplicate detection reads from the catalogue.
//! A supertrait of [`crate::Store`], implemented for both backends by `impl_element_store!`
//! (elements_backend.rs).
//!
//! Overlap detection and the duplicates report read the catalogue's data items from the derived
//! table `resource_items` (migration 0009): one row per item of each entry that is not withdrawn,
//! with its normalised name (`domain::text::name_key`), identifier kind, data type and the
//! entry's department, status and 涉密 flag. The store rewrites an entry's rows in the transaction
//! of `create_resource` / `update_resource`, and derives them again at open for entries whose rows
//! are behind (after the migration, or written by an older node).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::elements::{DataElementSpec, KeyCount, MatchKeys};

use crate::StoreError;
use crate::model::{DataElement, HeldEntry, Resource};

type R<T> = Result<T, StoreError>;

#[async_trait]
pub trait ElementStore: Send + Sync {
    /// Registers an element at version 1. `Conflict` when a live element has the same normalised
    /// name; `NotFound` when its responsible department does not exist.
    async fn create_data_element(&self, spec: &DataElementSpec, at: DateTime<Utc>) -> R<DataElement>;
    /// Revises a live element (version + 1). `StaleVersion` when `expected_version` is given and is
    /// not the current one (or when another revision wins the race), `Conflict` on a name taken by
    /// another live element or when the element is retired, `NotFound` when there is none.
    async fn update_data_element(
        &self,
        id: i64,
        expected_version: Option<i64>,
        spec: &DataElementSpec,
        at: DateTime<Utc>,
    ) -> R<DataElement>;
    /// Retires a live element (version + 1); `Conflict` when it is already retired.
    async fn retire_data_element(&self, id: i64, reason: Option<&str>, at: DateTime<Utc>) -> R<DataElement>;
    async fn get_data_element(&self, id: i64) -> R<DataElement>;
    /// The register in id order: live elements, and retired ones too with `include_retired`.
    async fn list_data_elements(&self, include_retired: bool) -> R<Vec<DataElement>>;
    /// Every catalogue entry that is not withdrawn, in id order. Callers apply visibility. Reads
    /// and parses the whole catalogue: overlap detection and the duplicates report use
    /// [`held_items`](Self::held_items) and [`item_key_counts`](Self::item_key_counts) instead.
    async fn live_resources(&self) -> R<Vec<Resource>>;
    /// The entries that are not withdrawn holding data items whose normalised name is one of
    /// `keys.keys` or whose identifier kind is one of `keys.identifiers`, in id order, each with
    /// those items only, in item order. With `seen_by`, only entries of other departments that
    /// this department may see: published and not classified (`domain::catalog::visible_to_all`;
    /// its own entries are left out, overlap detection ignores them).
    async fn held_items(&self, keys: &MatchKeys, seen_by: Option<i64>) -> R<Vec<HeldEntry>>;
    /// The data items of entries that are not withdrawn, counted by department per normalised
    /// name, data type and identifier kind (`domain::elements::report_keys`).
    async fn item_key_counts(&self) -> R<Vec<KeyCount>>;
}
