//! The fingerprint: the right seed is recognised, wrong seeds are not, and the mark survives
//! what a leaker typically does to a file (dropping rows, keeping a slice, dropping columns,
//! going through a spreadsheet or another format).

use std::sync::Arc;

use bytes::Bytes;
use chrono::{NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use futures::StreamExt;
use tempfile::TempDir;

use super::*;
use crate::download::{DownloadFormat, encode_stream, parquet_stream, write_xlsx};
use crate::input::InputFormat;

const SEED: Seed = *b"0123456789abcdef";
const ROWS: usize = 20_000;

/// 50 seeds that are not [`SEED`], spread like random ones.
fn wrong_seeds() -> Vec<Seed> {
    (0..50u32)
        .map(|i| {
            let d = Sha256::digest(format!("wrong seed {i}").as_bytes());
            let mut s = [0u8; 16];
            s.copy_from_slice(&d[..16]);
            s
        })
        .collect()
}

/// A deterministic coin: true for about `percent` of the `i`s.
fn coin(i: usize, percent: u64) -> bool {
    let d = Sha256::digest(format!("coin {i}").as_bytes());
    u64::from_be_bytes(d[..8].try_into().unwrap()) % 100 < percent
}

fn people_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("公民身份号码", DataType::Utf8, false),
        Field::new("姓名", DataType::Utf8, true),
        Field::new("年龄", DataType::Int64, true),
    ]))
}

/// Rows `from..to` of a people table, in id order (as the query's sort gives them).
fn people(from: usize, to: usize) -> RecordBatch {
    let ids: Vec<String> = (from..to).map(|i| format!("350102{:012}", i * 7)).collect();
    let names: Vec<String> = (from..to).map(|i| format!("居民{i}")).collect();
    let ages: Vec<Option<i64>> = (from..to).map(|i| if i % 13 == 0 { None } else { Some((i % 90) as i64) }).collect();
    RecordBatch::try_new(
        people_schema(),
        vec![Arc::new(StringArray::from(ids)), Arc::new(StringArray::from(names)), Arc::new(Int64Array::from(ages))],
    )
    .unwrap()
}

fn stream_of(schema: Arc<Schema>, batches: Vec<RecordBatch>) -> BatchStream {
    Box::pin(RecordBatchStreamAdapter::new(schema, futures::stream::iter(batches.into_iter().map(Ok))))
}

/// The people table in batches of 1,000 rows.
fn people_stream() -> BatchStream {
    stream_of(people_schema(), (0..ROWS).step_by(1000).map(|i| people(i, i + 1000)).collect())
}

fn ids() -> Vec<String> {
    vec!["公民身份号码".to_string()]
}

async fn fingerprinted(seed: Seed) -> Vec<RecordBatch> {
    let s = fingerprint_stream(people_stream(), seed, &ids()).unwrap();
    s.map(|b| b.unwrap()).collect().await
}

fn texts(batches: &[RecordBatch], keys: &[usize]) -> Vec<String> {
    batches.iter().flat_map(|b| batch_key_texts(b, keys).unwrap()).collect()
}

/// The right seed is attributed, none of 50 wrong ones is.
fn recognised_only_by_its_seed(rows: &[String]) {
    let right = score(&SEED, rows);
    assert!(right.attributed(), "{right:?}");
    for (i, seed) in wrong_seeds().iter().enumerate() {
        let wrong = score(seed, rows);
        assert!(!wrong.attributed(), "wrong seed {i}: {wrong:?}");
        assert!(wrong.log10_p > -5.0, "wrong seed {i}: {wrong:?}");
    }
}

async fn bytes_of(s: impl futures::Stream<Item = Result<Bytes, DataError>>) -> Vec<u8> {
    s.map(|c| c.unwrap()).collect::<Vec<_>>().await.concat()
}

async fn sample_of(dir: &TempDir, name: &str, bytes: &[u8], format: InputFormat) -> Sample {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    read_sample(&path, InputOptions::new(format), usize::MAX).await.unwrap()
}

#[tokio::test]
async fn reorders_within_blocks_and_keeps_every_row() {
    let out = fingerprinted(SEED).await;
    // Batches of 1,000 rows are coalesced into blocks of at least 8,192 rows.
    assert_eq!(out.iter().map(RecordBatch::num_rows).collect::<Vec<_>>(), [9000, 9000, 2000]);
    assert_eq!(out[0].schema(), people_schema());
    // The same rows, the same values: only the order changed.
    let sorted = |batches: &[RecordBatch]| {
        let mut rows = texts(batches, &[0, 1, 2]);
        rows.sort();
        rows
    };
    assert_eq!(sorted(&out), sorted(&[people(0, ROWS)]));
    assert_ne!(texts(&out, &[0]), texts(&[people(0, ROWS)], &[0]));
    // Within a block the hashes ascend; blocks hold the rows they were given.
    let rows = texts(&out, &[0]);
    let hashes: Vec<u64> = rows.iter().map(|t| row_hash(&SEED, t)).collect();
    assert!(hashes[..9000].is_sorted() && hashes[9000..18000].is_sorted() && hashes[18000..].is_sorted());
    let mut first: Vec<String> = rows[..9000].to_vec();
    first.sort();
    assert_eq!(first, texts(&[people(0, 9000)], &[0]));
    // Another seed, another order.
    assert_ne!(texts(&fingerprinted([7; 16]).await, &[0]), rows);
}

#[tokio::test]
async fn the_right_seed_is_recognised_and_wrong_seeds_are_not() {
    let rows = texts(&fingerprinted(SEED).await, &[0]);
    let right = score(&SEED, &rows);
    // Only the two block boundaries may descend.
    assert_eq!((right.rows, right.pairs), (ROWS, ROWS - 1));
    assert!(right.ascending_pairs >= ROWS - 3, "{right:?}");
    assert!(right.mean_run_length > 6000.0, "{right:?}");
    recognised_only_by_its_seed(&rows);
    for seed in wrong_seeds() {
        let wrong = score(&seed, &rows);
        assert!((1.8..2.2).contains(&wrong.mean_run_length), "{wrong:?}");
    }
    // The original order (sorted by id) fits no seed either.
    let original = texts(&[people(0, ROWS)], &[0]);
    assert!(!score(&SEED, &original).attributed());
}

#[tokio::test]
async fn survives_deleting_rows_and_keeping_a_slice() {
    let rows = texts(&fingerprinted(SEED).await, &[0]);
    // 30% of the rows deleted at random.
    let kept: Vec<String> = rows.iter().enumerate().filter(|(i, _)| !coin(*i, 30)).map(|(_, r)| r.clone()).collect();
    assert!((13_000..15_000).contains(&kept.len()), "{}", kept.len());
    recognised_only_by_its_seed(&kept);
    // A 200-row slice across a block boundary.
    recognised_only_by_its_seed(&rows[8900..9100]);
    // 60 rows, thinned: still enough.
    let few: Vec<String> = rows[100..220].iter().step_by(2).cloned().collect();
    recognised_only_by_its_seed(&few);
}

#[test]
fn too_few_rows_are_never_attributed() {
    let mut rows: Vec<String> = (0..200).map(|i| format!("id{i}")).collect();
    rows.sort_by_key(|t| row_hash(&SEED, t));
    let s = score(&SEED, &rows[..MIN_ROWS]);
    assert!(s.attributed() && s.log10_p < -10.0, "{s:?}");
    let s = score(&SEED, &rows[..MIN_ROWS - 1]);
    assert!(!s.attributed(), "{s:?}");
    assert!(!score(&SEED, &[]).attributed());
    // Equal key texts are neither ascending nor descending.
    let same = vec!["x".to_string(); 100];
    assert_eq!(
        score(&SEED, &same),
        Score { rows: 100, pairs: 0, ascending_pairs: 0, mean_run_length: 100.0, log10_p: 0.0 }
    );
}

#[tokio::test]
async fn survives_csv_a_dropped_column_and_a_spreadsheet_round_trip() {
    let dir = TempDir::new().unwrap();
    let stream = fingerprint_stream(people_stream(), SEED, &ids()).unwrap();
    let csv = bytes_of(encode_stream(stream, DownloadFormat::Csv)).await;
    let sample = sample_of(&dir, "download.csv", &csv, InputFormat::Csv).await;
    assert_eq!(sample.rows.len(), ROWS);
    recognised_only_by_its_seed(&sample.key_texts(&ids()).unwrap());

    // The leaker drops 姓名 and 年龄, deletes rows, and "cleans" the ids the way a spreadsheet
    // does (spaces around them); the ids still carry the order.
    let mut leaked = csv::Writer::from_writer(Vec::new());
    leaked.write_record(["序号", "公民身份号码"]).unwrap();
    for (i, row) in sample.rows.iter().enumerate().filter(|(i, _)| !coin(*i, 30)) {
        leaked.write_record([i.to_string(), format!(" {} ", row[0].as_deref().unwrap())]).unwrap();
    }
    let leaked = leaked.into_inner().unwrap();
    let sample = sample_of(&dir, "leak.csv", &leaked, InputFormat::Csv).await;
    assert_eq!(sample.header, ["序号", "公民身份号码"]);
    assert!(sample.key_texts(&["姓名".to_string()]).is_none(), "a dropped column cannot be a key");
    recognised_only_by_its_seed(&sample.key_texts(&ids()).unwrap());

    // GB18030, as Excel on a Chinese Windows saves it.
    let text = String::from_utf8(leaked).unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let sample = sample_of(&dir, "leak-gbk.csv", &gbk, InputFormat::Csv).await;
    recognised_only_by_its_seed(&sample.key_texts(&ids()).unwrap());
}

/// Keys of every type, with values that each format spells its own way.
fn typed() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("编号", DataType::Int64, true),
        Field::new("日期", DataType::Date32, true),
        Field::new("金额", DataType::Decimal128(19, 4), true),
        Field::new("比例", DataType::Float64, true),
        Field::new("时间", DataType::Timestamp(TimeUnit::Microsecond, None), true),
        Field::new("标志", DataType::Boolean, true),
        Field::new("名称", DataType::Utf8, true),
    ]));
    let n = 60;
    let day = |i: usize| {
        let d = if i % 10 == 3 { NaiveDate::from_ymd_opt(1880, 1, 1) } else { NaiveDate::from_ymd_opt(2026, 1, 1) };
        (d.unwrap() + chrono::Days::new(i as u64) - NaiveDate::default()).num_days() as i32
    };
    let at = |i: usize| {
        let t = NaiveDateTime::parse_from_str("2026-01-05 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        (t + chrono::Duration::seconds((i as i64 % 4) * 3_600 * 7 + i as i64)).and_utc().timestamp_micros()
    };
    // Column `c` is null in rows 5 + c, 22 + c, … (never a whole row: CSV and XLSX readers skip
    // rows of empty cells).
    fn nth<T>(c: usize, i: usize, v: T) -> Option<T> {
        if i % 17 == 5 + c { None } else { Some(v) }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(
            (0..n)
                .map(|i| nth(0, i, if i % 7 == 1 { 123_456_789_012_345_678 + i as i64 } else { i as i64 * 1001 }))
                .collect::<Vec<_>>(),
        )),
        Arc::new(Date32Array::from((0..n).map(|i| nth(1, i, day(i))).collect::<Vec<_>>())),
        Arc::new(
            Decimal128Array::from((0..n).map(|i| nth(2, i, 35_005_000 + i as i128 * 2_500)).collect::<Vec<_>>())
                .with_precision_and_scale(19, 4)
                .unwrap(),
        ),
        Arc::new(Float64Array::from(
            (0..n)
                .map(|i| nth(3, i, [0.1 + 0.2, 3.0, 1e20, -2.5, 1.0 / 3.0][i % 5] * (i + 1) as f64))
                .collect::<Vec<_>>(),
        )),
        Arc::new(TimestampMicrosecondArray::from((0..n).map(|i| nth(4, i, at(i))).collect::<Vec<_>>())),
        Arc::new(BooleanArray::from((0..n).map(|i| nth(5, i, i % 3 == 0)).collect::<Vec<_>>())),
        Arc::new(StringArray::from((0..n).map(|i| nth(6, i, format!("示例 \"{i}\", 号"))).collect::<Vec<_>>())),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

#[tokio::test]
async fn key_text_is_what_every_format_writes() {
    let dir = TempDir::new().unwrap();
    let batch = typed();
    let schema = batch.schema();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let all: Vec<usize> = (0..names.len()).collect();
    let want = batch_key_texts(&batch, &all).unwrap();
    // Some texts, as the CSV writer spells them, made canonical.
    assert_eq!(
        want[0].split(SEPARATOR).collect::<Vec<_>>(),
        ["0", "2026-01-01", "3500.5", "0.3", "2026-01-05", "true", "示例 \"0\", 号"]
    );
    assert_eq!(
        want[1].split(SEPARATOR).collect::<Vec<_>>()[..5],
        ["123456789012345679", "2026-01-02", "3500.75", "6", "2026-01-05 07:00:01"]
    );
    assert_eq!(want[5].split(SEPARATOR).collect::<Vec<_>>()[..2], ["", "2026-01-06"], "a null is empty");
    let one = || stream_of(schema.clone(), vec![batch.clone()]);

    let csv = bytes_of(encode_stream(one(), DownloadFormat::Csv)).await;
    let ndjson = bytes_of(encode_stream(one(), DownloadFormat::Ndjson)).await;
    let parquet = bytes_of(parquet_stream(one()).unwrap()).await;
    let mut xlsx = Vec::new();
    std::io::Read::read_to_end(&mut write_xlsx(one(), 100).await.unwrap(), &mut xlsx).unwrap();
    for (name, bytes, format) in [
        ("a.csv", csv, InputFormat::Csv),
        ("a.ndjson", ndjson, InputFormat::Ndjson),
        ("a.parquet", parquet, InputFormat::Parquet),
        ("a.xlsx", xlsx, InputFormat::Xlsx),
    ] {
        let sample = sample_of(&dir, name, &bytes, format).await;
        assert_eq!(sample.unreadable, 0, "{name}");
        let got = sample.key_texts(&names).unwrap_or_else(|| panic!("{name}: {:?}", sample.header));
        assert_eq!(got.len(), want.len(), "{name}");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{name}, row {i}");
        }
    }
}

#[test]
fn canonical_text_survives_a_spreadsheet() {
    let same = |a: &str, b: &str| assert_eq!(canonical(a), canonical(b), "{a} vs {b}");
    same("3500.5000", "3500.5");
    same("3.0", "3");
    same(" 007 ", "7");
    same("-0", "0");
    same("+12", "12");
    same("-0.0", "0");
    same("1e3", "1000");
    same("1.0E20", "100000000000000000000");
    same("0.30000000000000004", "0.3");
    same("2026-01-05", "2026/1/5");
    same("2026-01-05", "2026.1.5");
    same("2026-01-05T00:00:00", "2026/1/5");
    same("2026-01-05T08:00:00", "2026/1/5 8:00");
    same("2026-01-05T08:00:00.120", "2026-01-05 08:00:00.12");
    same("TRUE", "true");
    assert_eq!(canonical("123456789012345678"), "123456789012345678", "long integers keep every digit");
    assert_eq!(canonical("11010519491231002X"), "11010519491231002X");
    assert_eq!(canonical("0591-87654321"), "0591-87654321");
    assert_eq!(canonical("2026-13-05"), "2026-13-05", "not a date");
    assert_eq!(canonical("2026-01-05Tabc"), "2026-01-05Tabc");
    assert_eq!(canonical(" 张三 "), "张三");
    assert_eq!(key_text([Some("a"), None, Some(" 3.50 ")]), "a\u{1f}\u{1f}3.5");
}

#[test]
fn key_items_when_the_output_has_them() {
    let item = |name: &str, is_key: bool| {
        let mut i = DataItem::new(name, domain::catalog::DataType::C, Some(20));
        i.is_key = is_key;
        i
    };
    let items = [item("公民身份号码", true), item("姓名", false), item("户号", true)];
    let out = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(key_columns(&items, &out(&["姓名", "户号", "公民身份号码"])), out(&["公民身份号码", "户号"]));
    assert_eq!(key_columns(&items, &out(&["姓名", "户号"])), out(&["姓名", "户号"]), "a key item is missing");
    assert_eq!(key_columns(&items[1..2], &out(&["姓名"])), out(&["姓名"]), "no key items");
}

#[tokio::test]
async fn an_empty_download_stays_empty_and_keys_must_be_output_columns() {
    let s = fingerprint_stream(stream_of(people_schema(), vec![]), SEED, &ids()).unwrap();
    assert_eq!(s.schema(), people_schema());
    let csv = bytes_of(encode_stream(s, DownloadFormat::Csv)).await;
    assert_eq!(String::from_utf8(csv).unwrap(), "\u{feff}公民身份号码,姓名,年龄\n");
    assert!(fingerprint_stream(people_stream(), SEED, &["户号".to_string()]).is_err());
    assert!(fingerprint_stream(people_stream(), SEED, &[]).is_err());
}

/// A block assembled from several batches leaves in exactly the order the same rows would as one
/// batch: where the batch boundaries fall changes nothing (and so neither does the scan's
/// batch size).
#[test]
fn block_order_does_not_depend_on_batch_boundaries() {
    let hasher = Hasher::new(&SEED);
    let whole = people(0, 3000);
    let one = reorder(&whole, &hasher, &[0, 2]).unwrap();
    let parts = vec![people(0, 1), people(1, 1000), people(1000, 1000), people(1000, 2999), people(2999, 3000)];
    let split = reorder_batches(&people_schema(), &parts, &hasher, &[0, 2]).unwrap();
    assert_eq!(one, split);
    assert_ne!(one, whole, "the rows were reordered");
    let empty = reorder_batches(&people_schema(), &[people(5, 5), people(9, 9)], &hasher, &[0]).unwrap();
    assert_eq!(empty.num_rows(), 0);
}
