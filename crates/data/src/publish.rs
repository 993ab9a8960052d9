//! Publishing (提供): an uploaded file becomes the files of a new immutable version.
//!
//! The upload is read, checked and written as Parquet by the ingest pipeline
//! ([`crate::ingest`]), on every core and in bounded memory whatever the file size. Files go to a
//! fresh directory that nothing references yet; the version becomes visible only when the caller
//! records it in the metadata store (the commit point). A crash or a refusal at any moment leaves the previous version as it was.

use std::path::PathBuf;

use chrono::NaiveDate;
use domain::catalog::DataItem;
use object_store::ObjectStoreExt;
use object_store::path::Path as ObjectPath;

use crate::DataError;
use crate::ingest::{IngestInput, Ingested};
use crate::input::{InputOptions, RowReader};
use crate::rows::{CheckOptions, Rejection, RejectionReport};
use crate::storage::DatasetStorage;

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
    let dir = storage.new_version_dir(input.resource_id);
    let path = format!("{dir}/part-00000.parquet");

    // JSON objects may leave out keys whose value is empty: an optional data item may appear
    // later. (Required and key items must be in the first object, or the header check says so.)
    let mut options = input.options.clone();
    options.known_columns = input.items.iter().filter(|i| !i.required && !i.is_key).map(|i| i.name.clone()).collect();
    let file = input.path.clone();
    let reader = tokio::task::spawn_blocking(move || RowReader::open(&file, &options))
        .await
        .map_err(|e| DataError::Engine(format!("reader task failed: {e}")))?
        .map_err(|e| DataError::invalid(Some("file"), e.to_string()))?;
    let ingest_input = IngestInput {
        items: input.items.clone(),
        reader,
        check: CheckOptions { today: input.today, ignore_extra: false, check_keys: true },
        accept_valid: input.accept_valid,
        keep_rejections: input.keep_rejections,
        block_rows: crate::cluster::CLUSTER_ROWS,
        workers: crate::ingest::default_workers(),
        file_bytes: std::fs::metadata(&input.path).map_or(0, |m| m.len()),
    };
    let Ingested { accepted, report, written } = crate::ingest::ingest(storage, &path, ingest_input).await?;
    let refuse = |reason: String, report: RejectionReport| Ok(Err(Refused { reason, report }));
    if report.total_rejected_rows > 0 && !input.accept_valid {
        return refuse(
            format!(
                "共有{}行数据未通过校验，按“全部或全不”方式未发布任何数据；请修正后重新上传，或选择只发布有效行",
                report.total_rejected_rows
            ),
            report,
        );
    }
    if accepted == 0 || !written {
        return refuse("文件中没有可发布的有效数据行".to_string(), report);
    }
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
