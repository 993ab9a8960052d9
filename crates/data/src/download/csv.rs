//! CSV text of result batches, written straight from the Arrow arrays.
//!
//! The output is byte for byte what `arrow_csv`'s writer makes with its defaults (comma, `"`
//! quotes doubled, `\n` after each record, empty text for nulls; a field is quoted when it holds a
//! comma, a quote, `\r` or `\n`, and an empty record is written `""`); the tests compare the two
//! on every type a version holds. What differs is the cost: text, integers and dates are copied
//! or formatted into the output directly, instead of through a formatter, a `String` per cell and
//! a `csv::Writer`, which made CSV encoding most of a download's CPU. Other types (decimals,
//! floats, timestamps, booleans) still go through Arrow's formatter, one cell at a time.

use chrono::Datelike;
use datafusion::arrow::array::{
    Array, AsArray, Date32Array, Int32Array, Int64Array, LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::DataError;

const QUOTE: u8 = b'"';

/// Bytes that make a field quoted (as `csv_core` decides with the default settings).
fn needs_quotes(field: &[u8]) -> bool {
    field.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// Writes one field, quoted if it must be.
fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        out.extend_from_slice(field);
        return;
    }
    out.push(QUOTE);
    for part in field.split_inclusive(|&b| b == QUOTE) {
        out.extend_from_slice(part);
        if part.last() == Some(&QUOTE) {
            out.push(QUOTE);
        }
    }
    out.push(QUOTE);
}

/// How one column's cells become text.
enum Cells<'a> {
    Utf8(&'a StringArray),
    LargeUtf8(&'a LargeStringArray),
    Utf8View(&'a StringViewArray),
    Int64(&'a Int64Array),
    Int32(&'a Int32Array),
    Date32(&'a Date32Array, ArrayFormatter<'a>),
    /// Arrow's own formatting.
    Formatted(ArrayFormatter<'a>),
}

impl<'a> Cells<'a> {
    fn new(array: &'a dyn Array, options: &FormatOptions<'a>) -> Result<Cells<'a>, DataError> {
        let formatter = || {
            if array.data_type().is_nested() {
                return Err(DataError::Engine(format!("{} cannot be written as CSV", array.data_type())));
            }
            ArrayFormatter::try_new(array, options).map_err(|e| DataError::Engine(e.to_string()))
        };
        Ok(match array.data_type() {
            DataType::Utf8 => Cells::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Cells::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View => Cells::Utf8View(array.as_string_view()),
            DataType::Int64 => Cells::Int64(array.as_primitive()),
            DataType::Int32 => Cells::Int32(array.as_primitive()),
            DataType::Date32 => Cells::Date32(array.as_primitive(), formatter()?),
            _ => Cells::Formatted(formatter()?),
        })
    }

    /// Appends the text of row `row` (not null), quoted if it must be.
    fn push(&self, row: usize, out: &mut Vec<u8>, scratch: &mut String) -> Result<(), DataError> {
        match self {
            Cells::Utf8(a) => push_field(out, a.value(row).as_bytes()),
            Cells::LargeUtf8(a) => push_field(out, a.value(row).as_bytes()),
            Cells::Utf8View(a) => push_field(out, a.value(row).as_bytes()),
            Cells::Int64(a) => out.extend_from_slice(itoa::Buffer::new().format(a.value(row)).as_bytes()),
            Cells::Int32(a) => out.extend_from_slice(itoa::Buffer::new().format(a.value(row)).as_bytes()),
            Cells::Date32(a, formatter) => match a.value_as_date(row).filter(|d| (0..=9999).contains(&d.year())) {
                Some(date) => push_date(out, date.year() as u32, date.month(), date.day()),
                // Years outside 0000–9999 are written as chrono writes them (`+10000-01-01`).
                None => push_formatted(formatter, row, out, scratch)?,
            },
            Cells::Formatted(formatter) => push_formatted(formatter, row, out, scratch)?,
        }
        Ok(())
    }
}

/// `YYYY-MM-DD`.
fn push_date(out: &mut Vec<u8>, year: u32, month: u32, day: u32) {
    let digit = |n: u32| b'0' + (n % 10) as u8;
    out.extend_from_slice(&[
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ]);
}

fn push_formatted(
    formatter: &ArrayFormatter<'_>,
    row: usize,
    out: &mut Vec<u8>,
    scratch: &mut String,
) -> Result<(), DataError> {
    scratch.clear();
    formatter.value(row).write(scratch).map_err(|e| DataError::Engine(format!("row {}: {e}", row + 1)))?;
    push_field(out, scratch.as_bytes());
    Ok(())
}

/// Appends `batch` as CSV records to `out`, after a header record of the column names if
/// `header`.
pub(super) fn write_batch(batch: &RecordBatch, header: bool, out: &mut Vec<u8>) -> Result<(), DataError> {
    let schema = batch.schema();
    let single = schema.fields().len() == 1;
    if header {
        let start = out.len();
        for (i, field) in schema.fields().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_field(out, field.name().as_bytes());
        }
        end_record(out, start, single);
    }
    let options = FormatOptions::default().with_null("");
    let columns = batch.columns().iter().map(|c| Cells::new(c.as_ref(), &options)).collect::<Result<Vec<_>, _>>()?;
    let arrays: Vec<&dyn Array> = batch.columns().iter().map(|c| c.as_ref()).collect();
    let mut scratch = String::new();
    for row in 0..batch.num_rows() {
        let start = out.len();
        for (i, (cells, array)) in columns.iter().zip(&arrays).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if !array.is_null(row) {
                cells.push(row, out, &mut scratch)?;
            }
        }
        end_record(out, start, single);
    }
    Ok(())
}

/// Ends a record begun at `start`: a record of one empty field is written `""`, so that it is not
/// read back as a blank line.
fn end_record(out: &mut Vec<u8>, start: usize, single: bool) {
    if single && out.len() == start {
        out.extend_from_slice(b"\"\"");
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, BooleanArray, Decimal128Array, Float64Array, TimestampMicrosecondArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    fn arrow_csv(batch: &RecordBatch, header: bool) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut w = datafusion::arrow::csv::WriterBuilder::new().with_header(header).build(&mut buf);
        w.write(batch).unwrap();
        drop(w);
        buf
    }

    fn ours(batch: &RecordBatch, header: bool) -> Vec<u8> {
        let mut out = Vec::new();
        write_batch(batch, header, &mut out).unwrap();
        out
    }

    fn assert_same(batch: &RecordBatch) {
        for header in [true, false] {
            let (want, got) = (arrow_csv(batch, header), ours(batch, header));
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "header: {header}");
        }
    }

    const TEXTS: [Option<&str>; 12] = [
        Some("plain"),
        Some(""),
        None,
        Some("a,b"),
        Some("say \"hi\""),
        Some("\""),
        Some("line\nbreak"),
        Some("cr\rhere"),
        Some("  spaced  "),
        Some("#not a comment"),
        Some("福州市鼓楼区五四路１号，３楼"),
        Some("a longer text than twelve bytes, stored out of line in a view"),
    ];

    /// Every type a version holds, with nulls and every character that needs quoting.
    #[test]
    fn same_bytes_as_arrow_csv_for_every_type() {
        let n = TEXTS.len();
        let ints: Vec<Option<i64>> =
            [Some(0), Some(-7), None, Some(i64::MAX), Some(i64::MIN), Some(42)].into_iter().cycle().take(n).collect();
        let days = [Some(0), Some(-719_528), None, Some(2_932_896), Some(2_932_897), Some(20_416), Some(-800_000)];
        let dates: Vec<Option<i32>> = days.into_iter().cycle().take(n).collect();
        let floats: Vec<Option<f64>> =
            [Some(0.1), Some(-3.5), None, Some(1e21), Some(f64::NAN), Some(2.0)].into_iter().cycle().take(n).collect();
        let decimals = Decimal128Array::from(
            [Some(12345), Some(-5), None, Some(100)].into_iter().cycle().take(n).collect::<Vec<_>>(),
        )
        .with_precision_and_scale(18, 2)
        .unwrap();
        let stamps: Vec<Option<i64>> =
            [Some(0), Some(1_767_225_600_123_456), None, Some(-1)].into_iter().cycle().take(n).collect();
        let bools: Vec<Option<bool>> = [Some(true), Some(false), None].into_iter().cycle().take(n).collect();
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("文本", Arc::new(StringArray::from(TEXTS.to_vec()))),
            ("large", Arc::new(LargeStringArray::from(TEXTS.to_vec()))),
            ("view", Arc::new(StringViewArray::from(TEXTS.to_vec()))),
            ("整数", Arc::new(Int64Array::from(ints.clone()))),
            ("int32", Arc::new(Int32Array::from(ints.iter().map(|v| v.map(|v| v as i32)).collect::<Vec<_>>()))),
            ("日期", Arc::new(Date32Array::from(dates))),
            ("float", Arc::new(Float64Array::from(floats))),
            ("decimal", Arc::new(decimals)),
            ("stamp", Arc::new(TimestampMicrosecondArray::from(stamps))),
            ("bool", Arc::new(BooleanArray::from(bools))),
        ];
        let fields: Vec<Field> =
            columns.iter().map(|(name, a)| Field::new(name.to_string(), a.data_type().clone(), true)).collect();
        let batch =
            RecordBatch::try_new(Arc::new(Schema::new(fields)), columns.into_iter().map(|(_, a)| a).collect()).unwrap();
        assert_same(&batch);
        // One column at a time: a record of one empty field is quoted.
        for i in 0..batch.num_columns() {
            assert_same(&batch.project(&[i]).unwrap());
        }
    }

    /// Header names are quoted by the same rule; a null-only row of several columns is commas.
    #[test]
    fn headers_and_empty_rows() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("名,称", DataType::Utf8, true),
            Field::new("say \"x\"", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(StringArray::from(vec![None, Some("")])), Arc::new(Int64Array::from(vec![None, None]))],
        )
        .unwrap();
        assert_same(&batch);
        assert_eq!(ours(&batch, true), b"\"\xe5\x90\x8d,\xe7\xa7\xb0\",\"say \"\"x\"\"\"\n,\n,\n".to_vec());
        let empty = RecordBatch::new_empty(batch.schema());
        assert_same(&empty);
    }

    #[test]
    fn quoting() {
        let quoted = |s: &str| {
            let mut out = Vec::new();
            push_field(&mut out, s.as_bytes());
            String::from_utf8(out).unwrap()
        };
        assert_eq!(quoted("abc"), "abc");
        assert_eq!(quoted("a\"b\"\""), "\"a\"\"b\"\"\"\"\"");
        assert_eq!(quoted("\"x"), "\"\"\"x\"");
        assert_eq!(quoted("a\r\nb"), "\"a\r\nb\"");
    }
}
