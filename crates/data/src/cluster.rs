//! The physical order of a version's rows. Government data is read by region and by date: a
//! consumer's grant is typically "only its own region" (a row scope on a 行政区划代码 item), and
//! queries filter on dates. So each row group of a version is written sorted by the resource's
//! first region-code item, then its first date item: the Parquet page index then lets a query on
//! one region (and a date range) skip every page of the other regions instead of decoding the
//! whole table. Values are untouched; only their order within a row group changes. Queries order
//! their results explicitly. Downloads are streamed in stored order, reordered within blocks by
//! their fingerprint: when the reader's scope hides or masks a cluster column, that order would
//! tell which rows share a region or how their dates compare, so such downloads are reordered in
//! blocks as large as a row group ([`download_block_rows`]), which leaves no stored order to read.

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::compute::{SortColumn, SortOptions, concat, interleave_record_batch, lexsort_to_indices};
use datafusion::arrow::error::ArrowError;
use domain::catalog::{DataItem, DataType, IdentifierKind};

/// Rows sorted together, and written as one row group.
pub const CLUSTER_ROWS: usize = 256 * 1024;

/// The columns (indexes into the data items) that order the rows of each row group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterKey {
    pub columns: Vec<usize>,
}

impl ClusterKey {
    /// The first region-code item, then the first date (or date-time) item; `None` if the
    /// resource has neither.
    pub fn for_items(items: &[DataItem]) -> Option<ClusterKey> {
        let region = items.iter().position(|i| i.identifier == Some(IdentifierKind::RegionCode));
        let date = items.iter().position(|i| matches!(i.data_type, DataType::D | DataType::T));
        let columns: Vec<usize> = region.into_iter().chain(date).collect();
        (!columns.is_empty()).then_some(ClusterKey { columns })
    }

    /// The batches as one batch sorted by the key (nulls last; rows with equal keys in no
    /// particular order).
    pub fn sort(&self, batches: &[RecordBatch]) -> Result<RecordBatch, ArrowError> {
        if batches.is_empty() {
            return Err(ArrowError::InvalidArgumentError("nothing to sort".into()));
        }
        // Only the key columns are joined to sort; the rows are then gathered from the batches
        // as they are, so a group is held twice at most (as read, and sorted), not three times.
        let columns = self
            .columns
            .iter()
            .map(|c| {
                let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(*c).as_ref()).collect();
                Ok(SortColumn {
                    values: concat(&parts)?,
                    options: Some(SortOptions { descending: false, nulls_first: false }),
                })
            })
            .collect::<Result<Vec<_>, ArrowError>>()?;
        let order = lexsort_to_indices(&columns, None)?;
        let mut place = Vec::with_capacity(order.len());
        for (b, batch) in batches.iter().enumerate() {
            place.extend((0..batch.num_rows()).map(|r| (b, r)));
        }
        let picks: Vec<(usize, usize)> = order.values().iter().map(|i| place[*i as usize]).collect();
        let refs: Vec<&RecordBatch> = batches.iter().collect();
        interleave_record_batch(&refs, &picks)
    }
}

/// The fingerprint block size of a download through `scope`: the usual blocks when every cluster
/// column is visible and unmasked (its order says nothing new), whole row groups otherwise.
pub fn download_block_rows(items: &[DataItem], scope: &crate::access::Scope) -> usize {
    let Some(key) = ClusterKey::for_items(items) else { return crate::fingerprint::BLOCK_ROWS };
    let revealed =
        key.columns.iter().all(|c| items.get(*c).is_some_and(|i| scope.check_usable(&i.name, false).is_ok()));
    if revealed { crate::fingerprint::BLOCK_ROWS } else { CLUSTER_ROWS }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Array, Date32Array, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType as ArrowType, Field, Schema};

    use super::*;

    fn item(name: &str, t: DataType, id: Option<IdentifierKind>) -> DataItem {
        let mut i = DataItem::new(name, t, Some(20));
        i.identifier = id;
        i
    }

    #[test]
    fn key_is_region_then_date() {
        let items = [
            item("姓名", DataType::C, None),
            item("出生日期", DataType::D, None),
            item("户籍地行政区划代码", DataType::C, Some(IdentifierKind::RegionCode)),
            item("登记日期", DataType::D, None),
        ];
        assert_eq!(ClusterKey::for_items(&items), Some(ClusterKey { columns: vec![2, 1] }));
        assert_eq!(ClusterKey::for_items(&items[..2]), Some(ClusterKey { columns: vec![1] }));
        assert_eq!(ClusterKey::for_items(&items[..1]), None);
    }

    #[test]
    fn downloads_hiding_the_order_use_row_group_blocks() {
        use crate::access::{Basis, Scope};
        use crate::fingerprint::BLOCK_ROWS;
        let items = [
            item("姓名", DataType::C, None),
            item("出生日期", DataType::D, None),
            item("户籍地行政区划代码", DataType::C, Some(IdentifierKind::RegionCode)),
        ];
        let scope = |fields: &[&str], masked: &[&str]| Scope {
            basis: Basis::Grant(1),
            purpose: domain::purpose::Purpose {
                kind: domain::purpose::PurposeKind::WorkReference,
                description: "测试".into(),
            },
            fields: fields.iter().map(|f| f.to_string()).collect(),
            rows: vec![],
            masks: masked.iter().map(|f| (f.to_string(), domain::masking::MaskRule::Name)).collect(),
            daily_row_quota: None,
        };
        let all = ["姓名", "出生日期", "户籍地行政区划代码"];
        assert_eq!(download_block_rows(&items, &scope(&all, &[])), BLOCK_ROWS);
        assert_eq!(download_block_rows(&items, &scope(&all, &["姓名"])), BLOCK_ROWS, "a mask elsewhere");
        assert_eq!(download_block_rows(&items, &scope(&all, &["出生日期"])), CLUSTER_ROWS, "the date masked");
        assert_eq!(download_block_rows(&items, &scope(&["姓名", "出生日期"], &[])), CLUSTER_ROWS, "region hidden");
        assert_eq!(download_block_rows(&items[..1], &scope(&["姓名"], &[])), BLOCK_ROWS, "nothing clustered");
    }

    #[test]
    fn sorts_whole_rows_across_batches() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("region", ArrowType::Utf8, true),
            Field::new("born", ArrowType::Date32, true),
            Field::new("n", ArrowType::Int64, false),
        ]));
        let batch = |r: Vec<Option<&str>>, d: Vec<Option<i32>>, n: Vec<i64>| {
            RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(StringArray::from(r)), Arc::new(Date32Array::from(d)), Arc::new(Int64Array::from(n))],
            )
            .unwrap()
        };
        let a = batch(vec![Some("350104"), None, Some("350102")], vec![Some(5), Some(1), Some(9)], vec![1, 2, 3]);
        let b = batch(vec![Some("350102"), Some("350104")], vec![Some(2), None], vec![4, 5]);
        let sorted = ClusterKey { columns: vec![0, 1] }.sort(&[a, b]).unwrap();
        let n = sorted.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(n.values().to_vec(), vec![4, 3, 1, 5, 2], "region, then date, nulls last");
        assert_eq!(sorted.num_rows(), 5);
        assert!(sorted.column(0).is_null(4));
    }
}
