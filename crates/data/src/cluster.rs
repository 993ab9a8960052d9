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

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, RecordBatch, UInt32Array};
use datafusion::arrow::compute::{SortColumn, SortOptions, lexsort_to_indices, take_record_batch};
use datafusion::arrow::datatypes::{DataType as ArrowType, Date32Type, TimeUnit, TimestampMicrosecondType};
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

    /// The batch sorted by the key: nulls last, rows with equal keys in their order in the batch.
    pub fn sort_batch(&self, batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
        take_record_batch(batch, &self.order(batch, true)?)
    }

    /// The rows' order by the key; `fast` allows [`ClusterKey::ranks`].
    fn order(&self, batch: &RecordBatch, fast: bool) -> Result<UInt32Array, ArrowError> {
        let ranks = if fast { self.ranks(batch) } else { None };
        Ok(match ranks {
            Some(mut ranks) => {
                ranks.sort_unstable();
                UInt32Array::from(ranks.into_iter().map(|(_, _, row)| row).collect::<Vec<u32>>())
            }
            None => {
                let options = Some(SortOptions { descending: false, nulls_first: false });
                let mut columns: Vec<SortColumn> =
                    self.columns.iter().map(|&c| SortColumn { values: batch.column(c).clone(), options }).collect();
                // The row's index last: equal keys keep their order, as in the fast path.
                let rows = u32::try_from(batch.num_rows())
                    .map_err(|_| ArrowError::InvalidArgumentError("too many rows to sort".into()))?;
                columns.push(SortColumn { values: Arc::new(UInt32Array::from_iter_values(0..rows)), options });
                lexsort_to_indices(&columns, None)?
            }
        })
    }

    /// Every row's key as two integers that sort like the key (nulls last), with its index: for
    /// the usual key (a region code, a date) sorting these is several times faster than
    /// comparing Arrow values. `None` when a key column is of another kind.
    fn ranks(&self, batch: &RecordBatch) -> Option<Vec<(u64, u64, u32)>> {
        if self.columns.len() > 2 || batch.num_rows() > u32::MAX as usize {
            return None;
        }
        let ranked: Vec<Vec<u64>> =
            self.columns.iter().map(|&c| column_ranks(batch.column(c).as_ref())).collect::<Option<_>>()?;
        let first = &ranked[0];
        let second = ranked.get(1);
        Some((0..batch.num_rows()).map(|r| (first[r], second.map_or(0, |s| s[r]), r as u32)).collect())
    }
}

/// A rank: an integer that orders like the values of a cluster column, nulls last.
const NULL_RANK: u64 = u64::MAX;

/// The rank of a text of at most 7 bytes (a region code): its bytes left-aligned, then its
/// length, so shorter prefixes come first. No UTF-8 text starts with 0xFF, so no text ranks as
/// [`NULL_RANK`]. `None` for a longer text.
fn rank_text(v: &str) -> Option<u64> {
    if v.len() > 7 {
        return None;
    }
    let mut packed = [0u8; 8];
    packed[..v.len()].copy_from_slice(v.as_bytes());
    packed[7] = v.len() as u8;
    Some(u64::from_be_bytes(packed))
}

/// The rank of a date (days since 1970).
fn rank_date(d: i32) -> u64 {
    (i64::from(d) - i64::from(i32::MIN)) as u64
}

/// The rank of a timestamp: i64 order as u64 order. `None` for `i64::MAX`, which would rank as
/// [`NULL_RANK`].
fn rank_timestamp(t: i64) -> Option<u64> {
    (t != i64::MAX).then_some((t as u64) ^ (1 << 63))
}

/// A rank per row that orders like the values with nulls last, for short strings (at most 7
/// bytes: region codes), dates and timestamps.
fn column_ranks(array: &dyn Array) -> Option<Vec<u64>> {
    match array.data_type() {
        ArrowType::Utf8 => array.as_string::<i32>().iter().map(|v| v.map_or(Some(NULL_RANK), rank_text)).collect(),
        ArrowType::Utf8View => array.as_string_view().iter().map(|v| v.map_or(Some(NULL_RANK), rank_text)).collect(),
        ArrowType::Date32 => {
            Some(array.as_primitive::<Date32Type>().iter().map(|v| v.map_or(NULL_RANK, rank_date)).collect())
        }
        ArrowType::Timestamp(TimeUnit::Microsecond, _) => array
            .as_primitive::<TimestampMicrosecondType>()
            .iter()
            .map(|v| v.map_or(Some(NULL_RANK), rank_timestamp))
            .collect(),
        _ => None,
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
    fn sorts_whole_rows_region_then_date_nulls_last() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("region", ArrowType::Utf8, true),
            Field::new("born", ArrowType::Date32, true),
            Field::new("n", ArrowType::Int64, false),
        ]));
        let r = vec![Some("350104"), None, Some("350102"), Some("350102"), Some("350104")];
        let d = vec![Some(5), Some(1), Some(9), Some(2), None];
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(r)),
                Arc::new(Date32Array::from(d)),
                Arc::new(Int64Array::from(vec![1, 2, 3, 4, 5])),
            ],
        )
        .unwrap();
        let sorted = ClusterKey { columns: vec![0, 1] }.sort_batch(&batch).unwrap();
        let n = sorted.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(n.values().to_vec(), vec![4, 3, 1, 5, 2], "region, then date, nulls last");
        assert_eq!(sorted.num_rows(), 5);
        assert!(sorted.column(0).is_null(4));
    }

    #[test]
    fn the_fast_order_is_the_arrow_order() {
        use datafusion::arrow::array::TimestampMicrosecondArray;
        // Short and long strings, prefixes, nulls, equal keys, negative dates and times.
        let regions = [Some("350102"), Some("35010"), Some("3501021"), Some("3501"), Some("35010200"), None, Some("")];
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let n = 2000;
        let mut r = Vec::new();
        let mut d = Vec::new();
        let mut t = Vec::new();
        for _ in 0..n {
            r.push(regions[next(regions.len() as u64) as usize]);
            d.push((next(10) > 0).then(|| next(40) as i32 - 20));
            t.push((next(10) > 0).then(|| next(1000) as i64 - 500));
        }
        let schema = Arc::new(Schema::new(vec![
            Field::new("region", ArrowType::Utf8, true),
            Field::new("day", ArrowType::Date32, true),
            Field::new("at", ArrowType::Timestamp(TimeUnit::Microsecond, None), true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(r)),
                Arc::new(Date32Array::from(d)),
                Arc::new(TimestampMicrosecondArray::from(t)),
            ],
        )
        .unwrap();
        assert!(ClusterKey { columns: vec![0, 1] }.ranks(&batch).is_none(), "an 8-byte region takes the Arrow path");
        let short = batch.column(0).as_string::<i32>().iter().map(|v| Some(v.is_none_or(|v| v.len() <= 7)));
        let batch = datafusion::arrow::compute::filter_record_batch(
            &batch,
            &datafusion::arrow::array::BooleanArray::from(short.collect::<Vec<_>>()),
        )
        .unwrap();
        for columns in [vec![0, 1], vec![0, 2], vec![1], vec![2, 0]] {
            let key = ClusterKey { columns: columns.clone() };
            assert!(key.ranks(&batch).is_some(), "key {columns:?}");
            assert_eq!(key.order(&batch, true).unwrap(), key.order(&batch, false).unwrap(), "key {columns:?}");
        }
    }
}
