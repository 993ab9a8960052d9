//! How a version's Parquet file is encoded: compression, statistics and dictionaries.

use std::collections::HashSet;

use datafusion::arrow::array::{Array, ArrowPrimitiveType, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType as ArrowType, Date32Type, Decimal128Type, Float64Type, Int64Type, TimeUnit, TimestampMicrosecondType,
    ToByteSlice,
};
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::{DEFAULT_DICTIONARY_PAGE_SIZE_LIMIT, EnabledStatistics, WriterProperties};
use datafusion::parquet::schema::types::ColumnPath;
use domain::catalog::{DataItem, DataType};

use crate::cluster::ClusterKey;

/// The writer properties of a version's file.
///
/// - LZ4 (raw): compresses at several times zstd's speed and decompresses faster still. On the
///   10-million-row population table, zstd level 1 was an eighth of the ingest's CPU for a file a
///   third smaller (506 MB against 776 MB for 3.01 GB of CSV); every query and download pays for
///   decompression again, so the faster codec wins where data is read more often than stored.
///   Dictionary-coded columns and numbers barely compress either way.
/// - When rows are clustered (sorted by region and date within each row group), the min/max
///   statistics of the other text columns could never skip anything: their values are spread
///   over every page. They are not computed (comparing every value twice was a tenth of the
///   encoding time); numbers, dates and the cluster columns keep theirs.
/// - No dictionary for a sole key item (it is unique), nor for the columns in `no_dictionary`
///   (see [`dictionary_misfits`]).
pub(super) fn writer_properties(
    items: &[DataItem],
    cluster: Option<&ClusterKey>,
    no_dictionary: &[usize],
) -> WriterProperties {
    let mut props = WriterProperties::builder().set_compression(Compression::LZ4_RAW);
    let sole_key = items.iter().filter(|i| i.is_key).count() == 1;
    for (i, item) in items.iter().enumerate() {
        let path = ColumnPath::from(item.name.as_str());
        let in_cluster = cluster.is_some_and(|k| k.columns.contains(&i));
        let text = matches!(item.data_type, DataType::C | DataType::M | DataType::G);
        if cluster.is_some() && text && !in_cluster {
            props = props.set_column_statistics_enabled(path.clone(), EnabledStatistics::None);
        }
        if (sole_key && item.is_key && !in_cluster) || no_dictionary.contains(&i) {
            props = props.set_column_dictionary_enabled(path, false);
        }
    }
    props.build()
}

/// The columns of `batch` (the first row group) whose distinct values would not fit in one
/// dictionary page.
///
/// The Parquet writer gives up a column chunk's dictionary once it outgrows a page
/// ([`DEFAULT_DICTIONARY_PAGE_SIZE_LIMIT`]) and writes the rest plainly: for such a column (names,
/// addresses, telephone numbers, times) every row group would pay for hashing values into a
/// dictionary that is then dropped, and carry a dictionary page and dictionary-coded pages that
/// compress worse than plain ones. Deciding once, from the first row group, applies the writer's
/// own rule to the whole file.
pub(super) fn dictionary_misfits(batch: &RecordBatch) -> Vec<usize> {
    let limit = DEFAULT_DICTIONARY_PAGE_SIZE_LIMIT;
    batch
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, column)| outgrows_dictionary(column.as_ref(), limit))
        .map(|(i, _)| i)
        .collect()
}

/// Whether the distinct values of `array`, plainly encoded, take more than `limit` bytes.
/// Types the checker does not produce are given the benefit of the doubt.
fn outgrows_dictionary(array: &dyn Array, limit: usize) -> bool {
    // A byte array value is plainly encoded as its length (4 bytes) and its bytes.
    match array.data_type() {
        ArrowType::Utf8View => exceeds(array.as_string_view().iter().flatten().map(str::as_bytes), 4, limit),
        ArrowType::Utf8 => exceeds(array.as_string::<i32>().iter().flatten().map(str::as_bytes), 4, limit),
        ArrowType::Binary => exceeds(array.as_binary::<i32>().iter().flatten(), 4, limit),
        ArrowType::Int64 => primitive_exceeds::<Int64Type>(array, limit),
        ArrowType::Float64 => primitive_exceeds::<Float64Type>(array, limit),
        ArrowType::Date32 => primitive_exceeds::<Date32Type>(array, limit),
        ArrowType::Decimal128(..) => primitive_exceeds::<Decimal128Type>(array, limit),
        ArrowType::Timestamp(TimeUnit::Microsecond, _) => primitive_exceeds::<TimestampMicrosecondType>(array, limit),
        _ => false,
    }
}

fn primitive_exceeds<T: ArrowPrimitiveType>(array: &dyn Array, limit: usize) -> bool {
    let array = array.as_primitive::<T>();
    let values = array.values().iter().enumerate().filter(|&(i, _)| array.is_valid(i)).map(|(_, v)| v.to_byte_slice());
    exceeds(values, 0, limit)
}

/// Whether the distinct values, each counted as its length plus `overhead`, add up to more than
/// `limit`. Stops as soon as they do.
fn exceeds<'a>(values: impl Iterator<Item = &'a [u8]>, overhead: usize, limit: usize) -> bool {
    let mut seen = HashSet::new();
    let mut size = 0;
    for value in values {
        if seen.insert(value) {
            size += value.len() + overhead;
            if size > limit {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Date32Array, Int64Array, StringViewArray};

    use super::*;

    #[test]
    fn distinct_values_past_a_page_lose_the_dictionary() {
        let rows = 100_000;
        // 100,000 distinct 20-byte texts: about 2.4 MB of dictionary.
        let unique: ArrayRef = Arc::new(StringViewArray::from_iter_values((0..rows).map(|i| format!("{i:020}"))));
        // Five values over and over, and a few nulls.
        let repeated: ArrayRef = Arc::new(StringViewArray::from_iter(
            (0..rows).map(|i| (i % 1000 != 0).then(|| ["汉族", "回族", "满族", "壮族", "苗族"][i % 5])),
        ));
        // 100,000 distinct integers: 800,000 bytes, under a page.
        let counts: ArrayRef = Arc::new(Int64Array::from_iter_values(0..rows as i64));
        let dates: ArrayRef = Arc::new(Date32Array::from_iter_values((0..rows as i32).map(|i| i % 366)));
        let batch = RecordBatch::try_from_iter([
            ("unique", unique),
            ("repeated", repeated),
            ("counts", counts.clone()),
            ("dates", dates),
        ])
        .unwrap();
        assert_eq!(dictionary_misfits(&batch), vec![0]);
        // The limit is on the distinct values' bytes.
        assert!(outgrows_dictionary(counts.as_ref(), 799_999));
        assert!(!outgrows_dictionary(counts.as_ref(), 800_000));
    }

    #[test]
    fn counting_stops_at_the_limit_and_counts_each_value_once() {
        assert!(!exceeds([b"ab".as_slice(), b"ab", b"ab"].into_iter(), 4, 6));
        assert!(exceeds([b"ab".as_slice(), b"cd"].into_iter(), 4, 6));
        assert!(!exceeds(std::iter::empty(), 4, 0));
    }
}
