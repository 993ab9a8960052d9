//! Reading an uploaded data file into a header and a stream of text rows.
//!
//! A provider publishes the data of a catalogue resource by uploading a file: CSV (UTF-8 or
//! GB18030, declared or detected), XLSX, a JSON array of objects, NDJSON (one object per line) or
//! Parquet. [`RowReader::open`] reads the header and checks it (no empty, no duplicate column
//! name); the reader is then an iterator of [`RawRow`]s — one optional string per header column —
//! which the row checks of this crate compare with the resource's data items.
//!
//! Everything is streamed, so a file larger than memory works: CSV and NDJSON are read record by
//! record, a JSON array is cut into its elements by a small scanner without ever holding the whole
//! document, Parquet is read batch by batch. A single record, line or element larger than
//! [`MAX_RECORD_BYTES`] is reported and skipped instead of being buffered. XLSX is read with
//! calamine's streaming cell reader; only the workbook's shared-string table is held in memory
//! (calamine loads it at open), which bounds XLSX uploads by memory in the rare workbook whose
//! distinct strings do not fit.
//!
//! Problems are reported where a clerk can act on them: a problem of the whole file (unreadable,
//! no header, duplicate column) is an [`InputError`] from [`RowReader::open`]; a problem of one
//! row (wrong number of cells, invalid JSON on one line, a nested value, a long number Excel has
//! rounded) is a [`RowError`] in the stream, and reading continues after it. A problem that stops
//! the reading midway (an I/O error, a truncated JSON array) is a last [`RowError`] with
//! [`RowError::fatal`] set, after which the iterator ends.
//!
//! Messages name the position (line, row, element, column) but not the file: the server spools
//! uploads to temporary files whose names mean nothing to the provider, so the caller prefixes the
//! name of the upload.
//!
//! Two conventions hold for every format: an empty string is `None`, like a null; and in CSV and
//! XLSX a row whose cells are all empty is skipped (spreadsheets leave such rows behind).

mod block;
mod csv;
mod encoding;
mod json;
mod parquet;
mod xlsx;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

pub use block::{BLOCK_BYTES, BlockSize, RecordBlock};

/// The largest single record (CSV record, NDJSON line, JSON array element) that is buffered; a
/// larger one is reported as a [`RowError`] — usually an unbalanced quote in a CSV file.
pub const MAX_RECORD_BYTES: usize = 8 * 1024 * 1024;

/// The format of an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Comma- or tab-separated values, UTF-8 or GB18030.
    Csv,
    /// An Office Open XML workbook (`.xlsx`, `.xlsm`); one sheet is read.
    Xlsx,
    /// A JSON array of flat objects.
    Json,
    /// One flat JSON object per line (`.ndjson`, `.jsonl`).
    Ndjson,
    /// Apache Parquet.
    Parquet,
}

impl InputFormat {
    /// The format of a file by its name or bare extension (`"人口.CSV"`, `"xlsx"`), case-insensitive.
    /// `.tsv` is CSV (the tab is detected); `.xls` (the old binary format) is not supported.
    pub fn from_name(file_name_or_ext: &str) -> Option<Self> {
        let name = file_name_or_ext.trim();
        let ext = match name.rsplit_once('.') {
            Some((_, ext)) => ext,
            None => name,
        };
        InputFormat::parse(ext)
    }

    /// A format by its name as a caller declares it: `csv` (also `tsv`), `xlsx` (also `xlsm`),
    /// `json`, `ndjson` or `jsonl`, `parquet`; case-insensitive.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" | "tsv" => Some(InputFormat::Csv),
            "xlsx" | "xlsm" => Some(InputFormat::Xlsx),
            "json" => Some(InputFormat::Json),
            "ndjson" | "jsonl" => Some(InputFormat::Ndjson),
            "parquet" => Some(InputFormat::Parquet),
            _ => None,
        }
    }

    /// The canonical name (`csv`, `xlsx`, `json`, `ndjson`, `parquet`).
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Csv => "csv",
            InputFormat::Xlsx => "xlsx",
            InputFormat::Json => "json",
            InputFormat::Ndjson => "ndjson",
            InputFormat::Parquet => "parquet",
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The character encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GB 18030 (a superset of GBK and GB 2312), what Excel on a Chinese Windows saves as "CSV".
    Gb18030,
}

impl Encoding {
    /// An encoding by name: `utf-8`/`utf8`, `gb18030`/`gbk`/`gb2312` (all read as GB 18030).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "gb18030" | "gbk" | "gb2312" | "gb-18030" | "cp936" => Some(Encoding::Gb18030),
            _ => None,
        }
    }

    /// The canonical name (`UTF-8`, `GB18030`).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to read an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputOptions {
    pub format: InputFormat,
    /// CSV only: the declared encoding; `None` detects it (a UTF-8 byte-order mark or valid UTF-8
    /// in the first 64 KiB means UTF-8, anything else GB 18030).
    pub encoding: Option<Encoding>,
    /// CSV only: the field delimiter; `None` is `,` unless the header line has more tabs than
    /// commas, then `\t`.
    pub delimiter: Option<u8>,
    /// XLSX only: the sheet to read; `None` is the first sheet.
    pub sheet: Option<String>,
    /// JSON and NDJSON only: keys any object may carry besides those of the first one (the
    /// resource's data items): objects commonly leave out keys whose value is empty.
    pub known_columns: Vec<String>,
}

impl InputOptions {
    /// Options for `format` with everything else detected or defaulted.
    pub fn new(format: InputFormat) -> InputOptions {
        InputOptions { format, encoding: None, delimiter: None, sheet: None, known_columns: Vec::new() }
    }
}

/// One data row: its 1-based position as the provider sees it (CSV: the line on which the record
/// starts, counting the header line; XLSX: the sheet's row number; JSON: the element's position in
/// the array; NDJSON: the line number; Parquet: the row index + 1) and one cell per header column
/// (`None` = empty or null).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub number: u64,
    pub cells: Vec<Option<String>>,
}

/// What [`RowError::number`] and [`RawRow::number`] count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowUnit {
    /// A line (CSV, NDJSON) or a sheet row (XLSX) or a table row (Parquet): "第 N 行".
    Row,
    /// An element of a JSON array: "第 N 个元素".
    Element,
}

/// A problem with one row: the row is unusable, reading continues with the next one — unless
/// `fatal` is set, then this is the last item of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's number, as in [`RawRow::number`].
    pub number: u64,
    pub unit: RowUnit,
    /// The column concerned, if one: its header name, or its position or letter when it has none.
    pub column: Option<String>,
    /// The reason, in Chinese, without the position (see `Display` for the full sentence).
    pub message: String,
    /// Reading cannot continue (an I/O error, a truncated file).
    pub fatal: bool,
}

impl RowError {
    pub(crate) fn new(number: u64, unit: RowUnit, message: impl Into<String>) -> RowError {
        RowError { number, unit, column: None, message: message.into(), fatal: false }
    }

    pub(crate) fn in_column(mut self, column: impl Into<String>) -> RowError {
        self.column = Some(column.into());
        self
    }

    pub(crate) fn fatal(mut self) -> RowError {
        self.fatal = true;
        self
    }
}

impl std::error::Error for RowError {}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.unit {
            RowUnit::Row => write!(f, "第 {} 行", self.number)?,
            RowUnit::Element => write!(f, "第 {} 个元素", self.number)?,
        }
        if let Some(column) = &self.column {
            write!(f, "「{column}」列")?;
        }
        write!(f, "：{}", self.message)?;
        if self.fatal {
            f.write_str("（读取已停止）")?;
        }
        Ok(())
    }
}

/// A problem with the whole file: it cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("无法读取文件 {path}：{source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("文件没有内容")]
    Empty,
    #[error("文件没有表头（第一行的单元格都是空的）")]
    NoHeader,
    #[error("表头第 {column} 列没有列名，每一列都须有列名")]
    EmptyHeader {
        /// 1-based column position (in XLSX the sheet column: 1 = A).
        column: usize,
    },
    #[error("表头列名「{name}」重复：第 {first} 列和第 {second} 列")]
    DuplicateHeader { name: String, first: usize, second: usize },
    /// The encoding is wrong or the file is not text.
    #[error("{0}")]
    Encoding(String),
    #[error("CSV 文件第 {line} 行：{message}")]
    Csv { line: u64, message: String },
    #[error("JSON 文件{place}：{message}")]
    Json { place: String, message: String },
    #[error("XLSX 文件：{0}")]
    Xlsx(String),
    #[error("XLSX 文件中没有名为「{sheet}」的工作表；有：{available}")]
    SheetNotFound { sheet: String, available: String },
    #[error("Parquet 文件：{0}")]
    Parquet(String),
}

impl InputError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> InputError {
        InputError::Io { path: path.display().to_string(), source }
    }
}

/// Where rows come from.
enum Source {
    // Boxed: the parser holds its state tables.
    Csv(Box<self::csv::CsvSource>),
    Xlsx(self::xlsx::XlsxSource),
    Json(self::json::ArraySource),
    Ndjson(self::json::NdjsonSource),
    Parquet(self::parquet::ParquetSource),
}

/// A header and an iterator over the rows of one uploaded file.
pub struct RowReader {
    header: Vec<String>,
    encoding: Option<Encoding>,
    source: Source,
    finished: bool,
}

impl fmt::Debug for RowReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowReader")
            .field("header", &self.header)
            .field("encoding", &self.encoding)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl RowReader {
    /// Opens a file on disk and reads its header. (The server spools uploads to a temporary file,
    /// which also gives XLSX and Parquet the random access they need.)
    pub fn open(path: &Path, opts: &InputOptions) -> Result<RowReader, InputError> {
        let (header, encoding, source) = match opts.format {
            InputFormat::Csv => {
                let (header, encoding, source) = self::csv::CsvSource::open(path, opts.encoding, opts.delimiter)?;
                (header, Some(encoding), Source::Csv(Box::new(source)))
            }
            InputFormat::Xlsx => {
                let (header, source) = self::xlsx::XlsxSource::open(path, opts.sheet.as_deref())?;
                (header, None, Source::Xlsx(source))
            }
            InputFormat::Json => {
                let (header, source) = self::json::ArraySource::open(path, &opts.known_columns)?;
                (header, None, Source::Json(source))
            }
            InputFormat::Ndjson => {
                let (header, source) = self::json::NdjsonSource::open(path, &opts.known_columns)?;
                (header, None, Source::Ndjson(source))
            }
            InputFormat::Parquet => {
                let (header, source) = self::parquet::ParquetSource::open(path)?;
                (header, None, Source::Parquet(source))
            }
        };
        Ok(RowReader { header, encoding, source, finished: false })
    }

    /// The column names, trimmed, in file order. JSON: the keys of the first element in document
    /// order, then the known columns it lacks; NDJSON: the same for the first line.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The encoding used for a CSV file (declared or detected); `None` for other formats.
    pub fn encoding(&self) -> Option<Encoding> {
        self.encoding
    }
}

impl RowReader {
    /// Reads rows into `block` (which should be empty) until it holds `max_rows` records or
    /// [`BLOCK_BYTES`] bytes: `Ok(true)` when more may follow, `Ok(false)` at the end of the file,
    /// `Err` with a fatal [`RowError`] when reading cannot go on. Rows that cannot be read are
    /// kept in the block as errors. CSV records are copied as bytes and decoded by whoever
    /// takes the block ([`RecordBlock::cells`]), so the reading thread does as little as it can.
    pub fn read_block(&mut self, block: &mut RecordBlock, max_rows: usize) -> Result<bool, RowError> {
        if self.finished {
            return Ok(false);
        }
        if let Source::Csv(s) = &mut self.source {
            let more = s.read_block(block, max_rows);
            self.finished = !matches!(more, Ok(true));
            return more;
        }
        while block.has_room(max_rows) {
            match self.next() {
                None => return Ok(false),
                Some(Ok(row)) => {
                    block.push(row.number, row.cells.iter().map(|c| c.as_deref().unwrap_or("").as_bytes()))
                }
                Some(Err(e)) if e.fatal => return Err(e),
                Some(Err(e)) => block.push_error(e),
            }
        }
        Ok(true)
    }
}

impl Iterator for RowReader {
    type Item = Result<RawRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let item = match &mut self.source {
            Source::Csv(s) => s.next_row(),
            Source::Xlsx(s) => s.next_row(),
            Source::Json(s) => s.next_row(),
            Source::Ndjson(s) => s.next_row(),
            Source::Parquet(s) => s.next_row(),
        };
        match &item {
            None => self.finished = true,
            Some(Err(e)) if e.fatal => self.finished = true,
            _ => {}
        }
        item
    }
}

/// Checks and trims header cells: the result has one name per column, none empty, none twice.
/// `columns` are (1-based position, raw name). Trailing empty names are dropped (spreadsheets and
/// exports often end the header with empty cells); an empty name before a non-empty one is an
/// error, so is a header of empty names only.
pub(crate) fn check_header(columns: Vec<(usize, String)>) -> Result<Vec<String>, InputError> {
    let mut names: Vec<(usize, String)> =
        columns.into_iter().map(|(pos, name)| (pos, name.trim().to_owned())).collect();
    while names.last().is_some_and(|(_, name)| name.is_empty()) {
        names.pop();
    }
    if names.is_empty() {
        return Err(InputError::NoHeader);
    }
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::with_capacity(names.len());
    for (pos, name) in &names {
        if name.is_empty() {
            return Err(InputError::EmptyHeader { column: *pos });
        }
        if let Some(first) = seen.insert(name.as_str(), *pos) {
            return Err(InputError::DuplicateHeader { name: name.clone(), first, second: *pos });
        }
    }
    Ok(names.into_iter().map(|(_, name)| name).collect())
}

/// An empty string is no value.
pub(crate) fn non_empty(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}
