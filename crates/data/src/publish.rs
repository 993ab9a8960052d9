//! Publishing (提供): an uploaded file becomes the files of a new immutable version.
//!
//! The upload is read and checked row by row on a blocking thread; accepted rows travel in Arrow
//! batches through a bounded channel to an async Parquet writer on the object store, so memory
//! stays bounded whatever the file size. Files go to a fresh directory that nothing references
//! yet; the version becomes visible only when the caller records it in the metadata store (the
//! commit point). A crash or a refusal at any moment leaves the previous version as it was.

use std::path::PathBuf;

use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use datafusion::parquet::arrow::AsyncArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use domain::catalog::DataItem;
use object_store::ObjectStoreExt;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;

use crate::DataError;
use crate::cluster::{CLUSTER_ROWS, ClusterKey};
use crate::input::{InputOptions, RowReader};
use crate::rows::{CheckOptions, Rejection, RejectionReport, RowChecker, arrow_schema};
use crate::storage::DatasetStorage;

/// Rows per Arrow batch and per Parquet write.
pub const BATCH_ROWS: usize = 8192;

/// How a new version relates to the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishMode {
    /// The upload is the whole new version.
    Replace,
    /// The new version is the previous one plus the upload; keys must stay unique.
    Append,
    /// The new version is the previous one with the upload's rows replacing those of the same
    /// key, and new keys added.
    Upsert,
}

impl PublishMode {
    pub fn code(self) -> &'static str {
        match self {
            PublishMode::Replace => "replace",
            PublishMode::Append => "append",
            PublishMode::Upsert => "upsert",
        }
    }

    pub fn parse(s: &str) -> Option<PublishMode> {
        match s {
            "replace" => Some(PublishMode::Replace),
            "append" => Some(PublishMode::Append),
            "upsert" => Some(PublishMode::Upsert),
            _ => None,
        }
    }
}

/// The previous version, for appends.
#[derive(Debug, Clone)]
pub struct Previous {
    pub files: Vec<String>,
    pub row_count: i64,
    pub byte_size: i64,
    pub items: Vec<DataItem>,
}

/// One publish to prepare.
#[derive(Debug, Clone)]
pub struct PublishInput {
    pub resource_id: i64,
    pub items: Vec<DataItem>,
    /// The uploaded file, spooled to disk.
    pub path: PathBuf,
    pub options: InputOptions,
    pub mode: PublishMode,
    /// Publish the valid rows even if some are rejected (default: all or nothing).
    pub accept_valid: bool,
    pub today: NaiveDate,
    /// Rejections listed in the report (all are counted).
    pub keep_rejections: usize,
    pub previous: Option<Previous>,
}

/// A prepared version: written, not yet visible.
#[derive(Debug)]
pub struct Prepared {
    /// Every file of the new version.
    pub files: Vec<String>,
    /// The files this publish wrote (to remove if the commit fails).
    pub new_files: Vec<String>,
    pub row_count: i64,
    pub byte_size: i64,
    pub accepted: u64,
    pub report: RejectionReport,
}

/// A publish that did not produce a version, with its report.
#[derive(Debug)]
pub struct Refused {
    pub reason: String,
    pub report: RejectionReport,
}

/// Reads, checks and writes an upload. `Ok(Err(refused))` when rows were rejected in
/// all-or-nothing mode, or when nothing valid remained; nothing stays written then.
pub async fn prepare(storage: &DatasetStorage, input: PublishInput) -> Result<Result<Prepared, Refused>, DataError> {
    if input.items.is_empty() {
        return Err(DataError::invalid(None, "该资源没有定义信息项，无法发布数据：请先在目录中补充信息项"));
    }
    if input.mode == PublishMode::Append {
        match &input.previous {
            None => {
                return Err(DataError::invalid(
                    Some("mode"),
                    "该资源还没有数据版本，首次发布请使用整体替换（replace）",
                ));
            }
            Some(p) if p.items != input.items => {
                return Err(DataError::invalid(
                    Some("mode"),
                    "目录的信息项在上一版本之后有变化，不能追加或按主键更新：请用整体替换（replace）发布完整数据",
                ));
            }
            Some(_) => {}
        }
    }
    let schema = arrow_schema(&input.items);
    let dir = storage.new_version_dir(input.resource_id);
    let path = format!("{dir}/part-00000.parquet");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<RecordBatch>(4);

    // Reading and checking: a blocking thread.
    let reader_input = input.clone();
    let checker = tokio::task::spawn_blocking(move || read_and_check(reader_input, tx));

    // Writing: async, batch by batch; with a cluster key, a row group at a time, sorted.
    let cluster = ClusterKey::for_items(&input.items);
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(DataError::from)?))
        // A sorted group is flushed as one row group; the limit only splits unsorted writes.
        .set_max_row_group_row_count(Some(CLUSTER_ROWS + BATCH_ROWS))
        .build();
    let object = BufWriter::new(storage.store(), ObjectPath::from(path.as_str()));
    let mut writer = AsyncArrowWriter::try_new(object, schema, Some(props))?;
    let mut write_error = None;
    let mut group: Vec<RecordBatch> = Vec::new();
    let mut group_rows = 0;
    loop {
        let batch = rx.recv().await;
        let result = match (&cluster, batch) {
            (None, Some(batch)) => writer.write(&batch).await.map_err(DataError::from),
            (Some(key), Some(batch)) => {
                group_rows += batch.num_rows();
                group.push(batch);
                if group_rows < CLUSTER_ROWS {
                    continue;
                }
                group_rows = 0;
                write_sorted(&mut writer, key, std::mem::take(&mut group)).await
            }
            (Some(key), None) if !group.is_empty() => write_sorted(&mut writer, key, std::mem::take(&mut group)).await,
            (_, None) => break,
        };
        if let Err(e) = result {
            write_error = Some(e);
            break;
        }
    }
    drop(rx);
    let checked = checker.await.map_err(|e| DataError::Engine(format!("reader task failed: {e}")))?;
    if let Some(e) = write_error {
        // Abandon the partial upload; nothing references it.
        abandon(writer).await;
        return Err(e);
    }
    let (accepted, report) = match checked {
        Ok(v) => v,
        Err(e) => {
            abandon(writer).await;
            return Err(e);
        }
    };
    let refuse = |reason: String, report: RejectionReport| Ok(Err(Refused { reason, report }));
    if report.total_rejected_rows > 0 && !input.accept_valid {
        abandon(writer).await;
        return refuse(
            format!(
                "共有{}行数据未通过校验，按“全部或全不”方式未发布任何数据；请修正后重新上传，或选择只发布有效行",
                report.total_rejected_rows
            ),
            report,
        );
    }
    if accepted == 0 {
        abandon(writer).await;
        return refuse("文件中没有可发布的有效数据行".to_string(), report);
    }
    writer.close().await?;
    let size = storage.store().head(&ObjectPath::from(path.as_str())).await?.size as i64;
    match (input.mode, &input.previous) {
        (PublishMode::Append, Some(p)) => {
            let mut files = p.files.clone();
            files.push(path.clone());
            // Keys stay unique across the whole version, not only within the upload.
            let (dups, sample) =
                crate::versions::duplicate_keys(storage, &files, &input.items, input.keep_rejections).await?;
            if dups > 0 {
                storage.remove(std::slice::from_ref(&path)).await;
                let mut report = report;
                for key in sample {
                    let value =
                        key.iter().filter(|(k, _)| *k != "n").map(|(_, v)| v.to_string()).collect::<Vec<_>>().join("|");
                    report.add(vec![Rejection {
                        row: 0,
                        column: None,
                        code: "duplicate_key",
                        reason: "追加的数据与已发布的数据主键重复".to_string(),
                        value: Some(value),
                    }]);
                }
                return refuse(
                    format!(
                        "追加的数据中有{dups}个主键与已发布的数据重复，未发布任何数据；更新已有记录请使用按主键更新（upsert）"
                    ),
                    report,
                );
            }
            Ok(Ok(Prepared {
                files,
                new_files: vec![path],
                row_count: p.row_count + accepted as i64,
                byte_size: p.byte_size + size,
                accepted,
                report,
            }))
        }
        (PublishMode::Upsert, Some(p)) => {
            let merged = crate::versions::merge_upsert(storage, &p.files, &path, &input.items, &dir).await;
            // The upload itself is not part of the version: only the merged file is.
            storage.remove(std::slice::from_ref(&path)).await;
            let (merged, rows) = merged?;
            let size = storage.store().head(&ObjectPath::from(merged.as_str())).await?.size as i64;
            Ok(Ok(Prepared {
                files: vec![merged.clone()],
                new_files: vec![merged],
                row_count: rows,
                byte_size: size,
                accepted,
                report,
            }))
        }
        _ => Ok(Ok(Prepared {
            files: vec![path.clone()],
            new_files: vec![path],
            row_count: accepted as i64,
            byte_size: size,
            accepted,
            report,
        })),
    }
}

/// Sorts a group of rows by the cluster key (on a blocking thread) and writes it as one row group.
async fn write_sorted(
    writer: &mut AsyncArrowWriter<BufWriter>,
    key: &ClusterKey,
    group: Vec<RecordBatch>,
) -> Result<(), DataError> {
    let key = key.clone();
    let sorted = tokio::task::spawn_blocking(move || key.sort(&group))
        .await
        .map_err(|e| DataError::Engine(format!("sort task failed: {e}")))??;
    writer.write(&sorted).await?;
    writer.flush().await?;
    Ok(())
}

/// The blocking half: reads rows, checks them, sends accepted batches.
fn read_and_check(
    input: PublishInput,
    tx: tokio::sync::mpsc::Sender<RecordBatch>,
) -> Result<(u64, RejectionReport), DataError> {
    // JSON objects may leave out keys whose value is empty: an optional data item may appear
    // later. (Required and key items must be in the first object, or the header check says so.)
    let mut options = input.options.clone();
    options.known_columns = input.items.iter().filter(|i| !i.required && !i.is_key).map(|i| i.name.clone()).collect();
    let reader = RowReader::open(&input.path, &options).map_err(|e| DataError::invalid(Some("file"), e.to_string()))?;
    let opts = CheckOptions { today: input.today, ignore_extra: false, check_keys: true };
    let mut checker = RowChecker::new(&input.items, reader.header(), opts)
        .map_err(|e| DataError::invalid(Some("file"), e.to_string()))?;
    let mut report = RejectionReport::new(input.keep_rejections);
    let mut receiver_gone = false;
    for row in reader {
        match row {
            Ok(row) => {
                let rejections = checker.push(row.number, row.cells);
                if !rejections.is_empty() {
                    report.add(rejections);
                }
            }
            Err(e) if e.fatal => return Err(DataError::invalid(Some("file"), e.to_string())),
            Err(e) => report.add(vec![Rejection::from_row_error(&e)]),
        }
        // In all-or-nothing mode there is no point writing once a row failed; keep counting.
        let writing = input.accept_valid || report.total_rejected_rows == 0;
        if checker.pending() >= BATCH_ROWS {
            let batch = checker.take_batch().map_err(|e| DataError::Engine(e.to_string()))?;
            if let Some(b) = batch
                && writing
                && !receiver_gone
                && tx.blocking_send(b).is_err()
            {
                receiver_gone = true;
            }
        }
    }
    if let Some(b) = checker.take_batch().map_err(|e| DataError::Engine(e.to_string()))?
        && (input.accept_valid || report.total_rejected_rows == 0)
        && !receiver_gone
    {
        let _ = tx.blocking_send(b);
    }
    Ok((checker.accepted(), report))
}

/// Drops a half-written file: nothing of it becomes visible.
async fn abandon(writer: AsyncArrowWriter<BufWriter>) {
    let mut inner = writer.into_inner();
    if let Err(e) = inner.abort().await {
        tracing::warn!(error = %e, "could not abort an abandoned dataset upload");
    }
}
