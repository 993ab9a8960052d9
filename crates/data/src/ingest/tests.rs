//! The ingest pipeline with many small blocks and more workers than cores: the outcome must be
//! the one of reading the file alone, row by row — same rows in the same order, same report.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use domain::catalog::{DataItem, DataType, IdentifierKind};

use super::*;
use crate::input::{InputFormat, InputOptions};

const PATH: &str = "v/part-00000.parquet";
const INT: &str = "不是有效的数值，应为如 42 或 -7 这样的整数";

fn items() -> Vec<DataItem> {
    let mut id = DataItem::new("编号", DataType::C, Some(10));
    id.is_key = true;
    id.required = true;
    vec![id, DataItem::new("名称", DataType::C, Some(20)), DataItem::new("数量", DataType::I, Some(6))]
}

fn clustered_items() -> Vec<DataItem> {
    let mut region = DataItem::new("行政区划代码", DataType::C, Some(6));
    region.identifier = Some(IdentifierKind::RegionCode);
    let mut items = items();
    items.push(region);
    items.push(DataItem::new("登记日期", DataType::D, None));
    items
}

struct Run {
    dir: tempfile::TempDir,
    outcome: Result<Ingested, DataError>,
}

impl Run {
    fn file(&self) -> PathBuf {
        self.dir.path().join("store").join(PATH)
    }

    fn ingested(&self) -> &Ingested {
        self.outcome.as_ref().expect("ingest failed")
    }

    /// The written rows as text, row group by row group.
    fn groups(&self) -> Vec<Vec<Vec<String>>> {
        let file = std::fs::File::open(self.file()).expect("the file was written");
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let metadata = builder.metadata().clone();
        let mut groups = Vec::new();
        for g in 0..metadata.num_row_groups() {
            let file = std::fs::File::open(self.file()).unwrap();
            let reader =
                ParquetRecordBatchReaderBuilder::try_new(file).unwrap().with_row_groups(vec![g]).build().unwrap();
            let mut rows = Vec::new();
            for batch in reader {
                let batch = batch.unwrap();
                for r in 0..batch.num_rows() {
                    rows.push(
                        batch
                            .columns()
                            .iter()
                            .map(|c| if c.is_null(r) { String::new() } else { array_value_to_string(c, r).unwrap() })
                            .collect(),
                    );
                }
            }
            groups.push(rows);
        }
        groups
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.groups().into_iter().flatten().collect()
    }
}

struct Setup {
    items: Vec<DataItem>,
    accept_valid: bool,
    keep: usize,
    block_rows: usize,
    workers: usize,
}

impl Setup {
    fn new(block_rows: usize, workers: usize) -> Setup {
        Setup { items: items(), accept_valid: true, keep: 100, block_rows, workers }
    }

    async fn run(&self, csv: &str) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("upload.csv");
        std::fs::write(&path, csv).unwrap();
        let outcome = self.run_file(dir.path(), &path).await;
        Run { dir, outcome }
    }

    async fn run_file(&self, dir: &Path, path: &Path) -> Result<Ingested, DataError> {
        let storage = DatasetStorage::local(&dir.join("store")).unwrap();
        let reader = RowReader::open(path, &InputOptions::new(InputFormat::Csv)).unwrap();
        let input = IngestInput {
            items: self.items.clone(),
            reader,
            check: CheckOptions::new(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()),
            accept_valid: self.accept_valid,
            keep_rejections: self.keep,
            block_rows: self.block_rows,
            workers: self.workers,
            file_bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        };
        ingest(&storage, PATH, input).await
    }
}

/// `n` good rows: 编号 K1…Kn, 名称 名称i, 数量 i.
fn good_rows(n: usize) -> String {
    let mut csv = String::from("编号,名称,数量\n");
    for i in 1..=n {
        csv.push_str(&format!("K{i},名称{i},{i}\n"));
    }
    csv
}

fn expected_rows(numbers: impl IntoIterator<Item = usize>) -> Vec<Vec<String>> {
    numbers.into_iter().map(|i| vec![format!("K{i}"), format!("名称{i}"), i.to_string()]).collect()
}

fn summary(report: &RejectionReport) -> Vec<(u64, &'static str, String)> {
    report.first.iter().map(|r| (r.row, r.code, r.reason.clone())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_keep_the_file_order_across_blocks_and_workers() {
    let run = Setup::new(3, 3).run(&good_rows(50)).await;
    let done = run.ingested();
    assert!(done.written);
    assert_eq!(done.accepted, 50);
    assert!(done.report.is_empty());
    let groups = run.groups();
    assert_eq!(groups.len(), 17, "one row group per block of 3 rows");
    assert!(groups.iter().all(|g| g.len() <= 3));
    assert_eq!(run.rows(), expected_rows(1..=50));
}

/// A file with every kind of rejection spread over several blocks: bad cells, an unreadable
/// row, duplicate keys within and across blocks, and a key that repeats a rejected row (which
/// is no duplicate: rejected rows hold no key).
fn troubled_file() -> String {
    let mut lines = vec!["编号,名称,数量".to_string()];
    for i in 1..=20 {
        let line = match i {
            3 => "K2,重复同块,3".to_string(),   // duplicate of row 2 (line 3), same block
            6 => "K6,坏数量,x".to_string(),     // a bad cell
            9 => "K9,多了,9,9".to_string(),     // unreadable: four cells
            12 => "K6,不算重复,12".to_string(), // K6's row was rejected: accepted
            15 => "K1,重复跨块,15".to_string(), // duplicate of row 1, another block
            18 => "K1,又重复,abc".to_string(),  // bad cell and duplicate: one row, two rejections
            _ => format!("K{i},名称{i},{i}"),
        };
        lines.push(line);
    }
    lines.join("\n") + "\n"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejections_are_reported_in_file_order_as_when_reading_alone() {
    let parallel = Setup::new(4, 3).run(&troubled_file()).await;
    let alone = Setup::new(CLUSTER_ROWS, 1).run(&troubled_file()).await;
    let p = parallel.ingested();
    let a = alone.ingested();
    let dup = |earlier: u64| format!("主键重复：与第{earlier}行的编号相同");
    assert_eq!(
        summary(&p.report),
        vec![
            (4, "duplicate_key", dup(3)),
            (7, "type", INT.to_string()),
            (10, "read", "有 4 个单元格，但表头有 3 列（请检查分隔符和引号）".to_string()),
            (16, "duplicate_key", dup(2)),
            (19, "type", INT.to_string()),
            (19, "duplicate_key", dup(2)),
        ]
    );
    assert_eq!((p.report.total_rejected_rows, p.report.total_rejections), (5, 6));
    assert_eq!(p.report, a.report);
    assert_eq!(p.accepted, 15);
    assert_eq!(a.accepted, 15);
    let written: Vec<usize> = (1..=20).filter(|i| ![3, 6, 9, 15, 18].contains(i)).collect();
    let mut expected = expected_rows(written);
    // Row 12 carries K6 with its own name.
    let twelve = expected.iter_mut().find(|r| r[0] == "K12").unwrap();
    *twelve = vec!["K6".into(), "不算重复".into(), "12".into()];
    assert_eq!(parallel.rows(), expected);
    assert_eq!(alone.rows(), expected);
}

/// [`troubled_file`] with a region and a date on each row, later rows sorting first: each row
/// group is stored in another order than the file's.
fn troubled_clustered_file() -> String {
    let regions = ["350102", "350103", "350104", "350105"];
    let file = troubled_file();
    let lines = file.lines().enumerate().map(|(i, line)| match i {
        0 => format!("{line},行政区划代码,登记日期"),
        _ => format!("{line},{},2024-01-{:02}", regions[(20 - i) % 4], 21 - i),
    });
    lines.collect::<Vec<_>>().join("\n") + "\n"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clustered_rows_are_reported_and_deduplicated_in_file_order() {
    let all =
        [(4, "duplicate_key"), (7, "type"), (10, "read"), (16, "duplicate_key"), (19, "type"), (19, "duplicate_key")];
    // Small blocks on three workers, one block alone, and reports of one.
    for (block_rows, workers, keep) in [(4, 3, 100), (CLUSTER_ROWS, 1, 100), (CLUSTER_ROWS, 2, 1), (4, 2, 1)] {
        let mut setup = Setup::new(block_rows, workers);
        setup.items = clustered_items();
        setup.keep = keep;
        let run = setup.run(&troubled_clustered_file()).await;
        let ingested = run.ingested();
        let case = format!("{block_rows} rows a block, {workers} workers, keep {keep}");
        let got: Vec<(u64, &str)> = ingested.report.first.iter().map(|r| (r.row, r.code)).collect();
        assert_eq!(got, all[..keep.min(all.len())], "{case}");
        let totals = (ingested.report.total_rejected_rows, ingested.report.total_rejections);
        assert_eq!(totals, (5, 6), "{case}");
        // The same rows as without a cluster key: row 3's K2 and row 2's K1 came first.
        let mut written: Vec<String> = run.rows().iter().map(|r| r[2].clone()).collect();
        written.sort_by_key(|n| n.parse::<usize>().unwrap());
        let expected: Vec<String> =
            (1..=20).filter(|i| ![3, 6, 9, 15, 18].contains(i)).map(|i| i.to_string()).collect();
        assert_eq!(written, expected, "{case}");
        for rows in run.groups() {
            let keys: Vec<(String, String)> = rows.iter().map(|r| (r[3].clone(), r[4].clone())).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "{case}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_keeps_the_first_rejections_and_counts_all() {
    let mut setup = Setup::new(2, 3);
    setup.keep = 3;
    let run = setup.run(&troubled_file()).await;
    let report = &run.ingested().report;
    let rows: Vec<u64> = report.first.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![4, 7, 10]);
    assert_eq!((report.total_rejected_rows, report.total_rejections, report.omitted()), (5, 6, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_or_nothing_writes_nothing_but_counts_everything() {
    let mut setup = Setup::new(4, 3);
    setup.accept_valid = false;
    let run = setup.run(&troubled_file()).await;
    let done = run.ingested();
    assert!(!done.written);
    assert_eq!((done.report.total_rejected_rows, done.report.total_rejections), (5, 6));
    assert!(!run.file().exists(), "nothing of the file remains");

    // Only the last row is bad: still nothing is written.
    let mut csv = good_rows(30);
    csv.push_str("K31,最后一行,x\n");
    let run = setup.run(&csv).await;
    assert!(!run.ingested().written);
    assert_eq!(summary(&run.ingested().report), vec![(32, "type", INT.to_string())]);
    assert!(!run.file().exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_that_cannot_go_on_fails_and_leaves_nothing() {
    // An unclosed quote swallows the rest of the file: more than a record may hold.
    let mut csv = good_rows(10);
    csv.push_str("K11,\"未闭合,1\n");
    let filler = "很长的内容,".repeat(600_000);
    csv.push_str(&filler);
    let run = Setup::new(3, 3).run(&csv).await;
    match &run.outcome {
        Err(DataError::Invalid { field, message }) => {
            assert_eq!(field.as_deref(), Some("file"));
            assert!(message.contains("一条记录超过 8 MiB"), "{message}");
        }
        other => panic!("expected a refusal of the file, got {other:?}"),
    }
    assert!(!run.file().exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_row_group_is_sorted_by_region_then_date() {
    let regions = ["350104", "350102", "350103"];
    let mut csv = String::from("编号,名称,数量,行政区划代码,登记日期\n");
    for i in 1..=23usize {
        let region = if i % 7 == 0 { "" } else { regions[i % 3] };
        csv.push_str(&format!("K{i},名称{i},{i},{region},2024-01-{:02}\n", 28 - i));
    }
    let mut setup = Setup::new(5, 3);
    setup.items = clustered_items();
    let run = setup.run(&csv).await;
    assert_eq!(run.ingested().accepted, 23);
    let groups = run.groups();
    assert_eq!(groups.len(), 5);
    for (g, rows) in groups.iter().enumerate() {
        // The group holds exactly its block's rows...
        let mut numbers: Vec<usize> = rows.iter().map(|r| r[2].parse().unwrap()).collect();
        numbers.sort_unstable();
        let first = g * 5 + 1;
        assert_eq!(numbers, (first..=(first + 4).min(23)).collect::<Vec<_>>(), "group {g}");
        // ...sorted by region (empty last), then date.
        let keys: Vec<(bool, String, String)> =
            rows.iter().map(|r| (r[3].is_empty(), r[3].clone(), r[4].clone())).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "group {g}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_stored_in_key_order_still_report_in_file_order() {
    // Later rows sort first (region 350102 before 350104); equal keys keep the file order. The
    // report lists rejections by row whatever order the rows are stored in.
    let mut csv = String::from("编号,名称,数量,行政区划代码,登记日期\n");
    let rows = [
        ("K1", "1", "350104", "2024-01-02"),
        ("K2", "x", "350104", "2024-01-01"), // bad 数量
        ("K3", "3", "350102", "2024-01-01"),
        ("K1", "4", "350102", "2024-01-01"), // duplicate of row 1, sorts before it
        ("K5", "5", "350102", "2024-01-01"), // same key as rows 3 and 4
        ("K6", "6", "3501", "2024-01-01"),   // not a region code
        ("K7", "7", "350102", "2024-01-01"),
    ];
    for (id, n, region, day) in rows {
        csv.push_str(&format!("{id},名称,{n},{region},{day}\n"));
    }
    let mut setup = Setup::new(CLUSTER_ROWS, 2);
    setup.items = clustered_items();
    let run = setup.run(&csv).await;
    let report = &run.ingested().report;
    let got: Vec<(u64, &str)> = report.first.iter().map(|r| (r.row, r.code)).collect();
    assert_eq!(got, vec![(3, "type"), (5, "duplicate_key"), (7, "identifier")]);
    assert_eq!((report.total_rejected_rows, report.total_rejections), (3, 3));
    let numbers: Vec<String> = run.rows().into_iter().map(|r| r[2].clone()).collect();
    assert_eq!(numbers, vec!["3", "5", "7", "1"], "region, date, then file order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_zero_decides_the_dictionaries_of_every_row_group() {
    // 名称 has a distinct 40-byte value per row: 60,000 rows overflow a dictionary page in block 0.
    // 数量 repeats ten values. The decision is the same in every row group, with any number of
    // workers.
    let mut items = items();
    items[1].length = Some(60);
    let mut csv = String::from("编号,名称,数量\n");
    for i in 1..=60_000 {
        csv.push_str(&format!("K{i},{:040},{}\n", i * 7919, i % 10));
    }
    for workers in [1, 3] {
        let mut setup = Setup::new(30_000, workers);
        setup.items = items.clone();
        let run = setup.run(&csv).await;
        assert_eq!(run.ingested().accepted, 60_000);
        let file = std::fs::File::open(run.file()).unwrap();
        let metadata = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().metadata().clone();
        assert_eq!(metadata.num_row_groups(), 2);
        for group in metadata.row_groups() {
            let dictionary: Vec<bool> = group.columns().iter().map(|c| c.dictionary_page_offset().is_some()).collect();
            // 编号 is the sole key: never a dictionary.
            assert_eq!(dictionary, vec![false, false, true], "{workers} workers");
        }
        assert_eq!(run.rows()[59_999], vec!["K60000".to_string(), format!("{:040}", 60_000 * 7919), "0".into()]);
    }
}
