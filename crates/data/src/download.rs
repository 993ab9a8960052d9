//! Downloads: a whole version or a query result as CSV (UTF-8 with BOM, so Excel opens Chinese
//! correctly), NDJSON, Parquet or XLSX.
//!
//! CSV, NDJSON and Parquet are streamed and pulled: the next batch is read from the query only
//! when the HTTP body asks for the next chunk, so a slow client slows the query down
//! (back-pressure), a client that goes away stops it, and memory stays bounded by one batch (CSV,
//! NDJSON) or one Parquet row group ([`PARQUET_ROW_GROUP_ROWS`]) whatever the result size.
//!
//! XLSX cannot be streamed: it is a zip of XML files whose central directory comes last, and one
//! sheet holds at most [`XLSX_MAX_ROWS`] data rows. The sheet is written row by row on a blocking
//! thread into an anonymous temporary file (rust_xlsxwriter's constant-memory mode), and sent once
//! complete; a result that does not fit, or a cell Excel cannot hold, is refused before the first
//! byte leaves.

use std::io::{Seek, SeekFrom};

use bytes::Bytes;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch,
    StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use tokio::io::AsyncReadExt;

use crate::DataError;
use crate::query::BatchStream;

/// Data rows one XLSX sheet holds: Excel's 1,048,576 rows, less the header row.
pub const XLSX_MAX_ROWS: u64 = 1_048_575;
/// Columns one XLSX sheet holds.
pub const XLSX_MAX_COLUMNS: usize = 16_384;
/// Characters (UTF-16 units) one Excel cell holds.
pub const XLSX_MAX_CELL_CHARS: usize = 32_767;
/// Rows per row group of a Parquet download: the bound of what a Parquet download holds in memory.
pub const PARQUET_ROW_GROUP_ROWS: usize = 65_536;
/// Largest integer Excel shows without losing digits (it keeps 15 significant digits); larger
/// ones, like 18-digit identifiers stored as numbers, are written as text.
const EXCEL_EXACT_INTEGER: i128 = 999_999_999_999_999;

/// Formats a version or query result can be downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadFormat {
    Csv,
    Ndjson,
    Parquet,
    Xlsx,
}

impl DownloadFormat {
    /// The codes clients send, for error messages.
    pub const EXPECTED: &'static str = "csv、ndjson、parquet、xlsx";

    pub fn parse(s: &str) -> Option<DownloadFormat> {
        match s {
            "csv" => Some(DownloadFormat::Csv),
            "ndjson" | "jsonl" => Some(DownloadFormat::Ndjson),
            "parquet" => Some(DownloadFormat::Parquet),
            "xlsx" => Some(DownloadFormat::Xlsx),
            _ => None,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            DownloadFormat::Csv => "text/csv; charset=utf-8",
            DownloadFormat::Ndjson => "application/x-ndjson",
            DownloadFormat::Parquet => "application/vnd.apache.parquet",
            DownloadFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            DownloadFormat::Csv => "csv",
            DownloadFormat::Ndjson => "ndjson",
            DownloadFormat::Parquet => "parquet",
            DownloadFormat::Xlsx => "xlsx",
        }
    }
    /// The most rows a download in this format can carry, if the format has a limit.
    pub fn max_rows(self) -> Option<u64> {
        match self {
            DownloadFormat::Xlsx => Some(XLSX_MAX_ROWS),
            _ => None,
        }
    }
}

/// The bytes of an encoded download, chunk by chunk. An error after the first chunk can only
/// abort the transfer, so the client sees an incomplete body, never a silently truncated file.
pub type ByteStream = BoxStream<'static, Result<Bytes, DataError>>;

/// The refusal of a result with more rows than `format` carries (nothing is written).
pub fn too_many_rows(format: DownloadFormat, rows: Option<u64>) -> DataError {
    let max = format.max_rows().unwrap_or(u64::MAX);
    let size = match rows {
        Some(n) => format!("共有{n}行，"),
        None => String::new(),
    };
    DataError::invalid(
        Some("format"),
        format!(
            "下载结果{size}超过 Excel 工作表{max}行数据的上限，未生成文件：请添加筛选条件缩小范围，或改用 csv、ndjson 或 parquet 格式下载"
        ),
    )
}

/// Encodes a result in `format`. Whatever can be refused is refused here, before the first byte:
/// for XLSX that means the whole sheet is written before this returns.
pub async fn encode(stream: BatchStream, format: DownloadFormat) -> Result<ByteStream, DataError> {
    match format {
        DownloadFormat::Csv | DownloadFormat::Ndjson => Ok(encode_stream(stream, format).boxed()),
        DownloadFormat::Parquet => Ok(parquet_stream(stream)?.boxed()),
        DownloadFormat::Xlsx => {
            let file = write_xlsx(stream, XLSX_MAX_ROWS).await?;
            Ok(file_stream(file).boxed())
        }
    }
}

fn encode_text(batch: &RecordBatch, format: DownloadFormat, first: bool) -> Result<Bytes, DataError> {
    let mut buf = Vec::with_capacity(batch.get_array_memory_size() / 2 + 64);
    match format {
        DownloadFormat::Csv => {
            if first {
                buf.extend_from_slice("\u{feff}".as_bytes());
            }
            csv::write_batch(batch, first, &mut buf)?;
        }
        DownloadFormat::Ndjson => {
            let mut w = datafusion::arrow::json::LineDelimitedWriter::new(&mut buf);
            w.write(batch).map_err(|e| DataError::Engine(e.to_string()))?;
            w.finish().map_err(|e| DataError::Engine(e.to_string()))?;
        }
        DownloadFormat::Parquet | DownloadFormat::Xlsx => {
            return Err(DataError::Engine(format!("{format:?} is not a text format")));
        }
    }
    Ok(Bytes::from(buf))
}

/// Encodes a stream of batches as CSV or NDJSON. A CSV with no rows still carries its header.
pub fn encode_stream(
    stream: BatchStream,
    format: DownloadFormat,
) -> impl Stream<Item = Result<Bytes, DataError>> + Send {
    let schema = stream.schema();
    // State: the stream, whether nothing has been written yet, whether it has ended.
    futures::stream::unfold((stream, true, false), move |(mut s, first, done)| {
        let schema = schema.clone();
        async move {
            if done {
                return None;
            }
            match s.next().await {
                Some(Ok(batch)) => Some((encode_text(&batch, format, first), (s, false, false))),
                Some(Err(e)) => Some((Err(DataError::from(e)), (s, first, true))),
                None if first && format == DownloadFormat::Csv => {
                    Some((encode_text(&RecordBatch::new_empty(schema), format, true), (s, false, true)))
                }
                None => None,
            }
        }
    })
}

/// Encodes a stream of batches as one Parquet file, row group by row group.
///
/// The Parquet writer encodes into a buffer that only fills when a row group is complete; each
/// complete row group (and, at the end, the footer) is handed to the body as one chunk. Batches
/// are pulled from the query only when the body wants more, so at most one row group is held.
pub fn parquet_stream(stream: BatchStream) -> Result<impl Stream<Item = Result<Bytes, DataError>> + Send, DataError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .set_max_row_group_row_count(Some(PARQUET_ROW_GROUP_ROWS))
        .build();
    let writer = ArrowWriter::try_new(Vec::new(), stream.schema(), Some(props))?;
    Ok(futures::stream::try_unfold((stream, Some(writer)), |(mut input, mut writer)| async move {
        loop {
            let Some(w) = writer.as_mut() else { return Ok(None) };
            match input.next().await {
                Some(batch) => {
                    let groups = w.flushed_row_groups().len();
                    w.write(&batch?)?;
                    if w.flushed_row_groups().len() > groups {
                        // A row group is complete: push it through the writer's own buffer and
                        // hand it over (the first one also carries the magic bytes).
                        w.sync().map_err(|e| DataError::Engine(e.to_string()))?;
                        let chunk = std::mem::take(w.inner_mut());
                        if !chunk.is_empty() {
                            return Ok(Some((Bytes::from(chunk), (input, writer))));
                        }
                    }
                }
                None => {
                    let mut w = writer.take().expect("checked above");
                    w.finish()?;
                    w.sync().map_err(|e| DataError::Engine(e.to_string()))?;
                    let chunk = std::mem::take(w.inner_mut());
                    return Ok(Some((Bytes::from(chunk), (input, None))));
                }
            }
        }
    }))
}

/// What the async side sends to the thread writing the sheet.
enum SheetInput {
    Batch(RecordBatch),
    /// Every batch was sent: save the workbook. Without it (the sender dropped), the thread gives
    /// up without saving.
    End,
}

/// Writes a whole result as an XLSX workbook (one sheet, 数据) into an anonymous temporary file,
/// refusing a result of more than `max_rows` rows before writing the batch that would exceed it.
pub async fn write_xlsx(mut stream: BatchStream, max_rows: u64) -> Result<std::fs::File, DataError> {
    let schema = stream.schema();
    if schema.fields().len() > XLSX_MAX_COLUMNS {
        return Err(DataError::invalid(
            Some("fields"),
            format!("Excel 工作表最多{XLSX_MAX_COLUMNS}列，请用 fields 参数少选一些字段，或改用其他格式下载"),
        ));
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<SheetInput>(2);
    let writer = tokio::task::spawn_blocking(move || {
        let mut sheet = XlsxSheet::new(&schema)?;
        loop {
            match rx.blocking_recv() {
                Some(SheetInput::Batch(b)) => sheet.write(&b)?,
                Some(SheetInput::End) => return sheet.save(),
                None => return Err(DataError::Engine("xlsx download abandoned".into())),
            }
        }
    });
    let mut rows = 0u64;
    let fed: Result<(), DataError> = async {
        while let Some(batch) = stream.next().await {
            let batch = batch?;
            rows += batch.num_rows() as u64;
            if rows > max_rows {
                return Err(too_many_rows(DownloadFormat::Xlsx, None));
            }
            if tx.send(SheetInput::Batch(batch)).await.is_err() {
                // The writer stopped: its own error says why.
                return Ok(());
            }
        }
        let _ = tx.send(SheetInput::End).await;
        Ok(())
    }
    .await;
    drop(tx);
    let written = writer.await.map_err(|e| DataError::Engine(format!("xlsx writer task failed: {e}")));
    fed?;
    written?
}

/// Streams a finished file, 64 KiB at a time.
fn file_stream(file: std::fs::File) -> impl Stream<Item = Result<Bytes, DataError>> + Send {
    let file = tokio::fs::File::from_std(file);
    futures::stream::try_unfold(file, |mut f| async move {
        let mut buf = vec![0u8; 64 * 1024];
        let n = f.read(&mut buf).await.map_err(|e| DataError::Storage(e.to_string()))?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), f)))
    })
}

fn xlsx_error(e: XlsxError) -> DataError {
    DataError::Engine(format!("xlsx: {e}"))
}

/// One sheet being written, row by row.
struct XlsxSheet {
    workbook: Workbook,
    schema: SchemaRef,
    /// The next row to write (0 is the header).
    row: u32,
    text: Format,
    date: Format,
    datetime: Format,
}

impl XlsxSheet {
    fn new(schema: &SchemaRef) -> Result<XlsxSheet, DataError> {
        let mut workbook = Workbook::new();
        let text = Format::new().set_num_format("@");
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let header = Format::new().set_bold();
        let ws = workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        ws.set_name("数据").map_err(xlsx_error)?;
        for (i, f) in schema.fields().iter().enumerate() {
            let col = i as u16;
            ws.write_string_with_format(0, col, f.name(), &header).map_err(xlsx_error)?;
            let (width, format) = match f.data_type() {
                DataType::Date32 | DataType::Date64 => (12.0f64, Some(&date)),
                DataType::Timestamp(..) => (20.0, Some(&datetime)),
                t if is_text(t) => (20.0, Some(&text)),
                _ => (12.0, None),
            };
            // Wide enough for the header too (a CJK character is about two digits wide).
            let header_width = f.name().chars().map(|c| if c.is_ascii() { 1.1 } else { 2.1 }).sum::<f64>() + 2.0;
            ws.set_column_width(col, width.max(header_width).min(60.0)).map_err(xlsx_error)?;
            if let Some(format) = format {
                ws.set_column_format(col, format).map_err(xlsx_error)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(XlsxSheet { workbook, schema: schema.clone(), row: 1, text, date, datetime })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), DataError> {
        let columns = batch.columns().iter().map(Column::of).collect::<Result<Vec<_>, _>>()?;
        let ws = self.workbook.worksheet_from_index(0).map_err(xlsx_error)?;
        let formats = Formats { text: &self.text, date: &self.date, datetime: &self.datetime };
        for r in 0..batch.num_rows() {
            for (c, column) in columns.iter().enumerate() {
                column.write(ws, &formats, self.row, c as u16, r).map_err(|e| match e {
                    CellError::TooLong => DataError::invalid(
                        Some("format"),
                        format!(
                            "第{}行“{}”的内容超过 Excel 单元格{XLSX_MAX_CELL_CHARS}个字符的上限，未生成文件：请改用 csv、ndjson 或 parquet 格式下载",
                            self.row,
                            self.schema.field(c).name()
                        ),
                    ),
                    CellError::Xlsx(e) => xlsx_error(e),
                })?;
            }
            self.row += 1;
        }
        Ok(())
    }

    fn save(mut self) -> Result<std::fs::File, DataError> {
        let mut file = tempfile::tempfile().map_err(|e| DataError::Storage(format!("xlsx temporary file: {e}")))?;
        self.workbook.save_to_writer(&mut file).map_err(xlsx_error)?;
        file.seek(SeekFrom::Start(0)).map_err(|e| DataError::Storage(e.to_string()))?;
        Ok(file)
    }
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

struct Formats<'a> {
    text: &'a Format,
    date: &'a Format,
    datetime: &'a Format,
}

enum CellError {
    TooLong,
    Xlsx(XlsxError),
}

impl From<XlsxError> for CellError {
    fn from(e: XlsxError) -> Self {
        CellError::Xlsx(e)
    }
}

/// A column of a batch, cast to the few shapes a cell is written from.
enum Column {
    Text(StringArray),
    Int(Int64Array),
    Float(Float64Array),
    Decimal(Decimal128Array),
    Bool(BooleanArray),
    Date(Date32Array),
    Timestamp(TimestampMicrosecondArray),
    /// Anything else, written as its display text.
    Other(ArrayRef),
}

impl Column {
    fn of(a: &ArrayRef) -> Result<Column, DataError> {
        let to = |t: DataType| cast(a, &t).map_err(|e| DataError::Engine(e.to_string()));
        Ok(match a.data_type() {
            t if is_text(t) => Column::Text(to(DataType::Utf8)?.as_string::<i32>().clone()),
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => Column::Int(to(DataType::Int64)?.as_primitive().clone()),
            DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                Column::Float(to(DataType::Float64)?.as_primitive().clone())
            }
            DataType::Decimal128(..) => Column::Decimal(a.as_primitive().clone()),
            DataType::Boolean => Column::Bool(a.as_boolean().clone()),
            DataType::Date32 | DataType::Date64 => Column::Date(to(DataType::Date32)?.as_primitive().clone()),
            DataType::Timestamp(_, None) => {
                Column::Timestamp(to(DataType::Timestamp(TimeUnit::Microsecond, None))?.as_primitive().clone())
            }
            _ => Column::Other(a.clone()),
        })
    }

    fn write(&self, ws: &mut Worksheet, f: &Formats<'_>, row: u32, col: u16, i: usize) -> Result<(), CellError> {
        let text = |ws: &mut Worksheet, s: &str| -> Result<(), CellError> {
            if s.len() > XLSX_MAX_CELL_CHARS && s.encode_utf16().count() > XLSX_MAX_CELL_CHARS {
                return Err(CellError::TooLong);
            }
            ws.write_string_with_format(row, col, s, f.text)?;
            Ok(())
        };
        let array: &dyn Array = match self {
            Column::Text(a) => a,
            Column::Int(a) => a,
            Column::Float(a) => a,
            Column::Decimal(a) => a,
            Column::Bool(a) => a,
            Column::Date(a) => a,
            Column::Timestamp(a) => a,
            Column::Other(a) => a.as_ref(),
        };
        if array.is_null(i) {
            return Ok(());
        }
        match self {
            Column::Text(a) => text(ws, a.value(i))?,
            Column::Int(a) => {
                let v = a.value(i);
                if i128::from(v).abs() <= EXCEL_EXACT_INTEGER {
                    ws.write_number(row, col, v as f64)?;
                } else {
                    text(ws, &v.to_string())?;
                }
            }
            Column::Float(a) => {
                let v = a.value(i);
                if v.is_finite() {
                    ws.write_number(row, col, v)?;
                } else {
                    text(ws, &v.to_string())?;
                }
            }
            Column::Decimal(a) => {
                let (v, scale) = (a.value(i), a.scale());
                if v.abs() <= EXCEL_EXACT_INTEGER && (0..=18).contains(&scale) {
                    ws.write_number(row, col, v as f64 / 10f64.powi(i32::from(scale)))?;
                } else {
                    text(ws, &a.value_as_string(i))?;
                }
            }
            Column::Bool(a) => {
                ws.write_boolean(row, col, a.value(i))?;
            }
            Column::Date(a) => match a.value_as_date(i).and_then(excel_date) {
                Some(d) => {
                    ws.write_datetime_with_format(row, col, d, f.date)?;
                }
                // Excel has no dates before 1900: the ISO text keeps the value.
                None => text(ws, &display(array, i))?,
            },
            Column::Timestamp(a) => match a.value_as_datetime(i).and_then(excel_datetime) {
                Some(d) => {
                    ws.write_datetime_with_format(row, col, d, f.datetime)?;
                }
                None => text(ws, &display(array, i))?,
            },
            Column::Other(a) => text(ws, &display(a.as_ref(), i))?,
        }
        Ok(())
    }
}

fn display(a: &dyn Array, i: usize) -> String {
    let options = FormatOptions::default();
    match ArrayFormatter::try_new(a, &options) {
        Ok(f) => f.value(i).to_string(),
        Err(_) => String::new(),
    }
}

fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok().filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

fn excel_datetime(t: NaiveDateTime) -> Option<ExcelDateTime> {
    excel_date(t.date())?
        .and_hms_milli(
            t.hour() as u16,
            t.minute() as u8,
            t.second() as u8,
            (t.nanosecond() / 1_000_000).min(999) as u16,
        )
        .ok()
}

mod csv;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::physical_plan::stream::RecordBatchStreamAdapter;

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("编号", DataType::Utf8, false),
            Field::new("出生日期", DataType::Date32, true),
            Field::new("人数", DataType::Int64, true),
        ]));
        let ids = StringArray::from(vec!["11010519491231002X", "440524188001010014", "000123"]);
        let days = |y, m, d| (NaiveDate::from_ymd_opt(y, m, d).unwrap() - NaiveDate::default()).num_days() as i32;
        let dates = Date32Array::from(vec![Some(days(1949, 12, 31)), Some(days(1880, 1, 1)), None]);
        let n = Int64Array::from(vec![Some(3), Some(123_456_789_012_345_678), None]);
        RecordBatch::try_new(schema, vec![Arc::new(ids), Arc::new(dates), Arc::new(n)]).unwrap()
    }

    fn stream_of(batches: Vec<RecordBatch>) -> BatchStream {
        let schema = batches[0].schema();
        Box::pin(RecordBatchStreamAdapter::new(schema, futures::stream::iter(batches.into_iter().map(Ok))))
    }

    #[tokio::test]
    async fn parquet_round_trips_in_row_groups() {
        let b = batch();
        let many: Vec<RecordBatch> = (0..30_000).map(|_| b.clone()).collect();
        let chunks: Vec<Bytes> = parquet_stream(stream_of(many)).unwrap().map(|c| c.unwrap()).collect::<Vec<_>>().await;
        assert!(chunks.len() >= 2, "one chunk per row group and the footer: {}", chunks.len());
        let bytes: Vec<u8> = chunks.concat();
        let reader =
            datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(Bytes::from(bytes))
                .unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 90_000usize.div_ceil(PARQUET_ROW_GROUP_ROWS));
        let rows: usize = reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum();
        assert_eq!(rows, 90_000);
    }

    #[tokio::test]
    async fn xlsx_refuses_more_rows_than_the_limit() {
        let e = write_xlsx(stream_of(vec![batch(), batch()]), 5).await.unwrap_err();
        assert!(matches!(&e, DataError::Invalid { field: Some(f), .. } if f == "format"), "{e:?}");
        assert!(e.to_string().contains("上限"), "{e}");
        assert!(write_xlsx(stream_of(vec![batch(), batch()]), 6).await.is_ok());
    }

    #[tokio::test]
    async fn xlsx_keeps_ids_as_text_and_old_dates() {
        use calamine::{Data, Reader, Xlsx};
        let mut file = write_xlsx(stream_of(vec![batch()]), 10).await.unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("数据").unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        assert_eq!(
            rows[0],
            vec![Data::String("编号".into()), Data::String("出生日期".into()), Data::String("人数".into())]
        );
        assert_eq!(rows[1][0], Data::String("11010519491231002X".into()));
        assert_eq!(rows[3][0], Data::String("000123".into()), "leading zeros kept");
        assert!(matches!(rows[1][1], Data::DateTime(_)), "{:?}", rows[1][1]);
        assert_eq!(rows[2][1], Data::String("1880-01-01".into()), "before Excel's epoch: text");
        assert_eq!(rows[1][2], Data::Float(3.0));
        assert_eq!(rows[2][2], Data::String("123456789012345678".into()), "too many digits for a number");
        assert_eq!(rows[3][1], Data::Empty);
    }
}
