//! Accepted rows accumulate in one Arrow builder per data item until they are taken as a
//! `RecordBatch` (in [`super::batch_schema`]: text as views, short text as `Utf8` after the first
//! batch). A row's cells are parsed first into [`Value`]s (plain numbers, or positions in the row
//! and in scratch buffers), so a rejected row never touches a builder.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, Int64Builder,
    StringBuilder, StringViewBuilder, TimestampMicrosecondBuilder,
};
use domain::catalog::DataType;

use super::schema::arrow_type;

/// Text up to this many bytes is held inside its view; longer text in the builder's buffers.
const INLINE_TEXT: usize = 12;

/// Where a text value lives: in a cell of the row, or in the row's scratch text (for values
/// that were normalised, such as identifiers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TextSource {
    /// `cells[index][..len]` (only a trailing `\r` is cut).
    Cell { index: usize, len: usize },
    /// `scratch_text[start..end]`.
    Scratch { start: usize, end: usize },
}

/// One parsed cell, ready to be appended to the builder of its data type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Null,
    Text(TextSource),
    /// `scratch_bytes[start..end]`.
    Bytes {
        start: usize,
        end: usize,
    },
    Float(f64),
    Int(i64),
    Decimal(i128),
    Date(i32),
    Timestamp(i64),
    Bool(bool),
}

/// Resolves text values against the row they were parsed from.
pub(crate) struct RowData<'a> {
    /// The row's cells; an empty string is an empty cell.
    pub cells: &'a [&'a str],
    pub text: &'a str,
    pub bytes: &'a [u8],
}

impl RowData<'_> {
    pub(crate) fn text(&self, source: TextSource) -> &str {
        match source {
            TextSource::Cell { index, len } => self.cells.get(index).and_then(|c| c.get(..len)).unwrap_or_default(),
            TextSource::Scratch { start, end } => self.text.get(start..end).unwrap_or_default(),
        }
    }

    pub(crate) fn bytes(&self, start: usize, end: usize) -> &[u8] {
        self.bytes.get(start..end).unwrap_or_default()
    }
}

/// Bytes of text (or binary data) appended to a builder: `all` of them, and those `held` outside
/// the views (values longer than [`INLINE_TEXT`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TextBytes {
    pub all: usize,
    pub held: usize,
}

/// The Arrow builder of one column.
pub(crate) enum ColumnBuilder {
    /// Text as views, and the bytes appended: all of them, and those held in the builder's
    /// buffers (not inline).
    Text(StringViewBuilder, TextBytes),
    /// Short text as `Utf8` (offsets into one buffer): for a column whose text averaged at most
    /// [`INLINE_TEXT`] bytes per row in the last batch. Each short value appended to a view builder is
    /// copied into a 16-byte view and read back at once, which stalls the processor (a store
    /// forwarded to a wider load) and measured as the larger part of appending to views; the
    /// Parquet writer and the cluster sort take either type.
    ShortText(StringBuilder),
    Float64(Float64Builder),
    Decimal(Decimal128Builder),
    Int64(Int64Builder),
    Date32(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder),
    Boolean(BooleanBuilder),
    Binary(BinaryBuilder),
}

impl ColumnBuilder {
    /// An empty builder for `rows` rows of a data type, sized by what the last batch of `rows`
    /// rows held (`last`: its text or binary bytes; nothing for a first batch). Text that averaged
    /// at most [`INLINE_TEXT`] bytes per row is built as `Utf8` ([`ColumnBuilder::ShortText`]),
    /// other text as views.
    pub(crate) fn new(data_type: DataType, rows: usize, last: TextBytes) -> ColumnBuilder {
        match data_type {
            DataType::C | DataType::M if rows > 0 && last.all <= rows * INLINE_TEXT => {
                ColumnBuilder::ShortText(StringBuilder::with_capacity(rows, last.all))
            }
            DataType::C | DataType::M => {
                // One buffer for the batch's longer text when the hint is right; without a hint,
                // buffers that double in size as text comes.
                let builder = StringViewBuilder::with_capacity(rows);
                let builder = match last.held {
                    0 => builder,
                    bytes => builder.with_fixed_block_size(bytes.clamp(8 * 1024, 1 << 30) as u32),
                };
                ColumnBuilder::Text(builder, TextBytes::default())
            }
            DataType::N | DataType::B | DataType::F => ColumnBuilder::Float64(Float64Builder::with_capacity(rows)),
            // The type is a constant that is valid for a Decimal128 builder.
            DataType::Y => {
                ColumnBuilder::Decimal(Decimal128Builder::with_capacity(rows).with_data_type(arrow_type(data_type)))
            }
            DataType::I => ColumnBuilder::Int64(Int64Builder::with_capacity(rows)),
            DataType::D => ColumnBuilder::Date32(Date32Builder::with_capacity(rows)),
            DataType::T => ColumnBuilder::Timestamp(TimestampMicrosecondBuilder::with_capacity(rows)),
            DataType::L => ColumnBuilder::Boolean(BooleanBuilder::with_capacity(rows)),
            DataType::G => ColumnBuilder::Binary(BinaryBuilder::with_capacity(rows, last.all)),
        }
    }

    /// Appends one value. The checker only produces values of the builder's own type; a value
    /// of another type (which would be a bug) is appended as null, and then building the batch
    /// fails for a required column instead of storing a wrong value.
    pub(crate) fn append(&mut self, value: Value, row: &RowData<'_>) {
        match (self, value) {
            (ColumnBuilder::Text(b, bytes), Value::Text(src)) => {
                let text = row.text(src);
                bytes.all += text.len();
                if text.len() > INLINE_TEXT {
                    bytes.held += text.len();
                }
                b.append_value(text)
            }
            (ColumnBuilder::ShortText(b), Value::Text(src)) => b.append_value(row.text(src)),
            (ColumnBuilder::Float64(b), Value::Float(v)) => b.append_value(v),
            (ColumnBuilder::Decimal(b), Value::Decimal(v)) => b.append_value(v),
            (ColumnBuilder::Int64(b), Value::Int(v)) => b.append_value(v),
            (ColumnBuilder::Date32(b), Value::Date(v)) => b.append_value(v),
            (ColumnBuilder::Timestamp(b), Value::Timestamp(v)) => b.append_value(v),
            (ColumnBuilder::Boolean(b), Value::Bool(v)) => b.append_value(v),
            (ColumnBuilder::Binary(b), Value::Bytes { start, end }) => b.append_value(row.bytes(start, end)),
            (builder, _) => builder.append_null(),
        }
    }

    fn append_null(&mut self) {
        match self {
            ColumnBuilder::Text(b, _) => b.append_null(),
            ColumnBuilder::ShortText(b) => b.append_null(),
            ColumnBuilder::Float64(b) => b.append_null(),
            ColumnBuilder::Decimal(b) => b.append_null(),
            ColumnBuilder::Int64(b) => b.append_null(),
            ColumnBuilder::Date32(b) => b.append_null(),
            ColumnBuilder::Timestamp(b) => b.append_null(),
            ColumnBuilder::Boolean(b) => b.append_null(),
            ColumnBuilder::Binary(b) => b.append_null(),
        }
    }

    /// Bytes of text or binary data appended so far (none for fixed-width types): sizes the next
    /// builder.
    pub(crate) fn data_len(&self) -> TextBytes {
        let all = |all: usize| TextBytes { all, held: all };
        match self {
            ColumnBuilder::Text(_, bytes) => *bytes,
            // Were it views, text averaging this little would be held inline almost entirely.
            ColumnBuilder::ShortText(b) => TextBytes { all: b.values_slice().len(), held: 0 },
            ColumnBuilder::Binary(b) => all(b.values_slice().len()),
            _ => TextBytes::default(),
        }
    }

    /// The array of the values appended so far; the builder is left empty.
    pub(crate) fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Text(b, bytes) => {
                *bytes = TextBytes::default();
                Arc::new(b.finish())
            }
            ColumnBuilder::ShortText(b) => Arc::new(b.finish()),
            ColumnBuilder::Float64(b) => Arc::new(b.finish()),
            ColumnBuilder::Decimal(b) => Arc::new(b.finish()),
            ColumnBuilder::Int64(b) => Arc::new(b.finish()),
            ColumnBuilder::Date32(b) => Arc::new(b.finish()),
            ColumnBuilder::Timestamp(b) => Arc::new(b.finish()),
            ColumnBuilder::Boolean(b) => Arc::new(b.finish()),
            ColumnBuilder::Binary(b) => Arc::new(b.finish()),
        }
    }

    /// Rows appended so far.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        use datafusion::arrow::array::ArrayBuilder;
        match self {
            ColumnBuilder::Text(b, _) => b.len(),
            ColumnBuilder::ShortText(b) => b.len(),
            ColumnBuilder::Float64(b) => b.len(),
            ColumnBuilder::Decimal(b) => b.len(),
            ColumnBuilder::Int64(b) => b.len(),
            ColumnBuilder::Date32(b) => b.len(),
            ColumnBuilder::Timestamp(b) => b.len(),
            ColumnBuilder::Boolean(b) => b.len(),
            ColumnBuilder::Binary(b) => b.len(),
        }
    }

    /// The Arrow type the builder produces.
    #[cfg(test)]
    pub(crate) fn arrow_type(&self) -> datafusion::arrow::datatypes::DataType {
        use datafusion::arrow::datatypes::DataType as ArrowType;
        match self {
            ColumnBuilder::Text(..) => ArrowType::Utf8View,
            ColumnBuilder::ShortText(_) => ArrowType::Utf8,
            ColumnBuilder::Float64(_) => ArrowType::Float64,
            ColumnBuilder::Decimal(_) => arrow_type(DataType::Y),
            ColumnBuilder::Int64(_) => ArrowType::Int64,
            ColumnBuilder::Date32(_) => ArrowType::Date32,
            ColumnBuilder::Timestamp(_) => arrow_type(DataType::T),
            ColumnBuilder::Boolean(_) => ArrowType::Boolean,
            ColumnBuilder::Binary(_) => ArrowType::Binary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_match_the_schema_types() {
        for &dt in DataType::ALL {
            for (rows, all) in [(0, 0), (4, 52), (4, 8)] {
                let b = ColumnBuilder::new(dt, rows, TextBytes { all, held: 0 });
                let expected = match dt {
                    // 8 bytes over 4 rows: short text.
                    DataType::C | DataType::M if all == 8 => datafusion::arrow::datatypes::DataType::Utf8,
                    _ => super::super::batch_type(dt),
                };
                assert_eq!(b.arrow_type(), expected, "{dt:?}, {all} bytes");
                assert_eq!(b.len(), 0);
            }
        }
    }

    #[test]
    fn short_text_is_built_as_utf8_and_reads_the_same() {
        use datafusion::arrow::array::AsArray;
        use datafusion::arrow::datatypes::DataType as ArrowType;
        let cells = ["汉族", "", "一个超过十二个字节的值"];
        let row = RowData { cells: &cells, text: "", bytes: &[] };
        for (all, expected) in [(36, ArrowType::Utf8), (37, ArrowType::Utf8View)] {
            let mut b = ColumnBuilder::new(DataType::C, 3, TextBytes { all, held: all });
            assert_eq!(b.arrow_type(), expected);
            b.append(Value::Text(TextSource::Cell { index: 0, len: 6 }), &row);
            b.append(Value::Null, &row);
            b.append(Value::Text(TextSource::Cell { index: 2, len: cells[2].len() }), &row);
            assert_eq!(b.data_len().all, 6 + cells[2].len(), "every value's bytes");
            if expected == ArrowType::Utf8View {
                assert_eq!(b.data_len().held, cells[2].len(), "the value longer than a view");
            }
            let a = b.finish();
            assert_eq!(a.data_type(), &expected);
            let values: Vec<Option<String>> = match expected {
                ArrowType::Utf8 => a.as_string::<i32>().iter().map(|v| v.map(str::to_string)).collect(),
                _ => a.as_string_view().iter().map(|v| v.map(str::to_string)).collect(),
            };
            assert_eq!(values, vec![Some("汉族".to_string()), None, Some(cells[2].to_string())]);
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_becomes_null() {
        let row = RowData { cells: &[], text: "", bytes: &[] };
        let mut b = ColumnBuilder::new(DataType::I, 1, TextBytes::default());
        b.append(Value::Float(1.0), &row);
        b.append(Value::Int(3), &row);
        let a = b.finish();
        assert_eq!(a.len(), 2);
        assert_eq!(a.null_count(), 1);
    }
}
