//! Parquet uploads, read batch by batch with the `parquet` crate DataFusion re-exports; every
//! column is cast to text with Arrow's cast kernel (dates and timestamps in ISO 8601, booleans
//! `true`/`false`, decimals with their scale).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringArray};
use datafusion::arrow::compute::{CastOptions, can_cast_types, cast_with_options};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::FormatOptions;
use datafusion::parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use super::{InputError, RawRow, RowError, RowUnit, check_header, non_empty};

/// Rows per batch.
const BATCH_ROWS: usize = 8192;

/// The rows of a Parquet file.
pub(crate) struct ParquetSource {
    batches: ParquetRecordBatchReader,
    header: Vec<String>,
    /// The current batch, one text array per column.
    columns: Vec<StringArray>,
    /// The next row within the current batch.
    at: usize,
    /// Rows before the current batch.
    base: u64,
}

impl ParquetSource {
    pub(crate) fn open(path: &Path) -> Result<(Vec<String>, ParquetSource), InputError> {
        let file = File::open(path).map_err(|e| InputError::io(path, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| InputError::Parquet(format!("无法打开（{e}），文件可能不是 Parquet 格式")))?;
        let schema = Arc::clone(builder.schema());
        let mut columns = Vec::with_capacity(schema.fields().len());
        for (i, field) in schema.fields().iter().enumerate() {
            if field.data_type().is_nested() || !can_cast_types(field.data_type(), &DataType::Utf8) {
                return Err(InputError::Parquet(format!(
                    "第 {} 列「{}」的类型 {} 不能转为文本；每一列须为单个值（嵌套的结构、列表不支持）",
                    i + 1,
                    field.name(),
                    field.data_type()
                )));
            }
            columns.push((i + 1, field.name().clone()));
        }
        let header = check_header(columns)?;
        if header.len() != schema.fields().len() {
            // `check_header` dropped trailing unnamed columns, which a Parquet file cannot have
            // data-free; refuse rather than lose them.
            return Err(InputError::EmptyHeader { column: header.len() + 1 });
        }
        let batches =
            builder.with_batch_size(BATCH_ROWS).build().map_err(|e| InputError::Parquet(format!("无法读取（{e}）")))?;
        Ok((header.clone(), ParquetSource { batches, header, columns: Vec::new(), at: 0, base: 0 }))
    }

    pub(crate) fn next_row(&mut self) -> Option<Result<RawRow, RowError>> {
        let rows = self.columns.first().map_or(0, Array::len);
        if (self.at >= rows || self.columns.is_empty())
            && let Err(e) = self.next_batch()?
        {
            return Some(Err(e));
        }
        let i = self.at;
        self.at += 1;
        let cells =
            self.columns.iter().map(|c| if c.is_null(i) { None } else { non_empty(c.value(i).to_owned()) }).collect();
        Some(Ok(RawRow { number: self.base + i as u64 + 1, cells }))
    }

    /// Loads the next non-empty batch; `None` at the end.
    fn next_batch(&mut self) -> Option<Result<(), RowError>> {
        loop {
            self.base += self.columns.first().map_or(0, Array::len) as u64;
            self.columns.clear();
            self.at = 0;
            let number = self.base + 1;
            let batch = match self.batches.next()? {
                Ok(batch) => batch,
                Err(e) => {
                    return Some(Err(RowError::new(number, RowUnit::Row, format!("读取失败：{e}")).fatal()));
                }
            };
            if batch.num_rows() == 0 {
                continue;
            }
            let options = CastOptions { safe: false, format_options: FormatOptions::default() };
            for (i, column) in batch.columns().iter().enumerate() {
                let text = match cast_with_options(column, &DataType::Utf8, &options) {
                    Ok(text) => text,
                    Err(e) => {
                        let name = self.header.get(i).cloned().unwrap_or_default();
                        return Some(Err(RowError::new(number, RowUnit::Row, format!("不能转为文本：{e}"))
                            .in_column(name)
                            .fatal()));
                    }
                };
                self.columns.push(text.as_string::<i32>().clone());
            }
            return Some(Ok(()));
        }
    }
}
