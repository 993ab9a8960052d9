//! Blocks of raw records: how rows travel from the reader to the checking workers.
//!
//! Reading a file is sequential; checking its rows is not. So the reader only cuts the file into
//! records and copies their bytes, without decoding, into a [`RecordBlock`]: one byte buffer and
//! the field boundaries, a few allocations per block instead of one per cell. The workers decode a
//! record's text once ([`RecordBlock::cells`]) and hand borrowed cells to the row checker.
//!
//! Every field is followed by one separator byte, any ASCII byte ([`GAP`] where the reader has
//! none to keep): so a CSV line without quotes is copied as it stands, its delimiters and line
//! end becoming the separators, in one copy instead of one per field.

use super::{RowError, RowUnit};

/// The most bytes one block holds (besides the record that crosses the limit): keeps a block's
/// memory bounded whatever the row width, and its offsets within `u32`.
pub const BLOCK_BYTES: usize = 256 * 1024 * 1024;

/// The separator written after a field where the reader has no byte of its own to leave there:
/// ASCII, so that a record's bytes, separators included, are valid text when its fields are.
pub(crate) const GAP: u8 = b'\x1f';

/// What a block holds: bytes of field text, fields and records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockSize {
    pub bytes: usize,
    pub fields: usize,
    pub records: usize,
}

/// A run of records in file order, with the rows the reader could not read among them.
#[derive(Debug, Default)]
pub struct RecordBlock {
    /// Every field's bytes, each followed by one ASCII separator byte: `bytes[..filled]`. The
    /// rest is room already allocated (and zeroed) for the next records, which a reader can parse
    /// straight into.
    bytes: Vec<u8>,
    filled: usize,
    /// The end (in `bytes`) of each field of each record; the next field starts one byte later.
    field_ends: Vec<u32>,
    /// Per record: one past the index (in `field_ends`) of its last field.
    record_ends: Vec<u32>,
    /// Per record: its row number (as in [`super::RawRow::number`]).
    numbers: Vec<u64>,
    /// Rows the reader could not turn into cells (not fatal), in file order.
    pub(crate) errors: Vec<RowError>,
    /// The text was decoded from GB 18030: a U+FFFD in it marks bytes that were not.
    pub(crate) from_gb18030: bool,
}

impl RecordBlock {
    pub fn new() -> RecordBlock {
        RecordBlock::default()
    }

    /// How much the block holds, to size a new one ([`RecordBlock::with_room`]).
    pub fn size(&self) -> BlockSize {
        BlockSize { bytes: self.filled, fields: self.field_ends.len(), records: self.numbers.len() }
    }

    /// An empty block with room for a little more than `size`, so that filling a block like the
    /// last one does not grow its buffers record after record: each growth of a buffer of tens of
    /// megabytes is a copy, and fresh memory the kernel must zero.
    pub fn with_room(size: BlockSize) -> RecordBlock {
        let more = |n: usize| n + n / 16;
        RecordBlock {
            // A block can pass BLOCK_BYTES by its last record: sized like the last, it has room.
            bytes: vec![0; more(size.bytes)],
            field_ends: Vec::with_capacity(more(size.fields)),
            record_ends: Vec::with_capacity(more(size.records)),
            numbers: Vec::with_capacity(more(size.records)),
            ..RecordBlock::default()
        }
    }

    /// Records in the block (rows the reader could not read are not counted).
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty() && self.errors.is_empty()
    }

    /// Bytes held: field text and separators.
    pub fn byte_len(&self) -> usize {
        self.filled
    }

    /// Whether another record fits: fewer than `max_rows` records and [`BLOCK_BYTES`] bytes.
    pub(crate) fn has_room(&self, max_rows: usize) -> bool {
        self.numbers.len() < max_rows && self.filled < BLOCK_BYTES
    }

    /// The row numbers of the records, in order.
    pub fn numbers(&self) -> &[u64] {
        &self.numbers
    }

    /// The rows the reader could not read, in file order.
    pub fn errors(&self) -> &[RowError] {
        &self.errors
    }

    /// Appends a record: its row number and its fields' bytes.
    pub(crate) fn push<'a>(&mut self, number: u64, fields: impl IntoIterator<Item = &'a [u8]>) {
        for field in fields {
            let end = self.filled + field.len();
            grow(&mut self.bytes, end + 1);
            self.bytes[self.filled..end].copy_from_slice(field);
            self.bytes[end] = GAP;
            self.filled = end + 1;
            self.field_ends.push(u32::try_from(end).expect("a block stays under 4 GiB"));
        }
        self.close_record(number);
    }

    /// The byte buffer and where its filled part ends: a reader writes the next record's bytes
    /// from there (growing the buffer with [`grow`] if need be), then calls
    /// [`RecordBlock::fill_record`] to keep it, or nothing to drop it.
    pub(crate) fn unfilled(&mut self) -> (&mut Vec<u8>, usize) {
        (&mut self.bytes, self.filled)
    }

    /// Keeps the record written after the filled part: its fields end at `ends` (relative to
    /// where it starts), each field after the first starts one byte after the end of the one
    /// before, and an ASCII byte follows the last.
    pub(crate) fn fill_record(&mut self, number: u64, ends: &[usize]) {
        let base = self.filled;
        for &end in ends {
            self.field_ends.push(u32::try_from(base + end).expect("a block stays under 4 GiB"));
        }
        if let Some(&last) = ends.last() {
            self.filled = base + last + 1;
        }
        assert!(self.filled <= self.bytes.len(), "a record is kept only where it was written");
        self.close_record(number);
    }

    fn close_record(&mut self, number: u64) {
        self.record_ends.push(u32::try_from(self.field_ends.len()).expect("a block has fewer than 4 G fields"));
        self.numbers.push(number);
    }

    /// Records a row the reader could not read.
    pub(crate) fn push_error(&mut self, error: RowError) {
        self.errors.push(error);
    }

    /// The field range (in `field_ends`) and byte range of record `i`.
    fn spans(&self, i: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let first_field = if i == 0 { 0 } else { self.record_ends[i - 1] as usize };
        let fields = first_field..self.record_ends[i] as usize;
        let start = if first_field == 0 { 0 } else { self.field_ends[first_field - 1] as usize + 1 };
        let end = if fields.is_empty() { start } else { self.field_ends[fields.end - 1] as usize };
        (fields, start..end)
    }

    /// The cells of record `i` as text, into `out` (cleared first); an empty string is an empty
    /// cell. Fails (naming the column from `header`) when a cell is not valid text.
    pub fn cells<'b>(&'b self, i: usize, header: &[String], out: &mut Vec<&'b str>) -> Result<(), RowError> {
        out.clear();
        let (fields, bytes) = self.spans(i);
        let start = bytes.start;
        // One validation for the whole record, separators included (they are ASCII). Fields were
        // cut at ASCII delimiters, so in valid text every boundary is a character boundary; `get`
        // checks it anyway.
        if let Ok(text) = simdutf8::basic::from_utf8(&self.bytes[bytes])
            && !(self.from_gb18030 && text.contains('\u{FFFD}'))
        {
            let mut at = 0;
            let mut whole = true;
            for &end in &self.field_ends[fields.clone()] {
                let end = end as usize - start;
                match text.get(at..end) {
                    Some(cell) => out.push(cell),
                    None => {
                        whole = false;
                        break;
                    }
                }
                at = end + 1;
            }
            if whole {
                return Ok(());
            }
        }
        // Find the cell at fault, for the message.
        out.clear();
        let mut at = start;
        for (column, &end) in self.field_ends[fields].iter().enumerate() {
            let end = end as usize;
            match decode_field(&self.bytes[at..end], self.from_gb18030) {
                Ok(text) => out.push(text),
                Err(reason) => {
                    let name = header.get(column).cloned().unwrap_or_else(|| format!("第{}列", column + 1));
                    return Err(RowError::new(self.numbers[i], RowUnit::Row, reason).in_column(name));
                }
            }
            at = end + 1;
        }
        // Not reached: when every cell alone is valid, the record is (its separators are ASCII)
        // and every boundary is a character boundary. Kept as the safe answer.
        Err(RowError::new(self.numbers[i], RowUnit::Row, NOT_UTF8))
    }

    /// Empties the block, keeping its buffers.
    pub fn clear(&mut self) {
        self.filled = 0;
        self.field_ends.clear();
        self.record_ends.clear();
        self.numbers.clear();
        self.errors.clear();
    }
}

/// Makes `buf` at least `min_len` long, zero-filling the new part, with some room beyond (an
/// eighth more, at least 64 KiB) so that growing record by record stays cheap.
pub(crate) fn grow(buf: &mut Vec<u8>, min_len: usize) {
    if buf.len() < min_len {
        let len = min_len.max(buf.len() + buf.len() / 8).max(min_len + 64 * 1024);
        buf.resize(len, 0);
    }
}

/// One field's bytes as text; the error is the reason, to put after the field's position. Text
/// decoded from GB 18030 holds U+FFFD where the bytes were not GB 18030.
pub(crate) fn decode_field(bytes: &[u8], from_gb18030: bool) -> Result<&str, &'static str> {
    match std::str::from_utf8(bytes) {
        Ok(text) if from_gb18030 && text.contains('\u{FFFD}') => Err(NOT_GB18030),
        Ok(text) => Ok(text),
        Err(_) => Err(NOT_UTF8),
    }
}

const NOT_GB18030: &str = "含有无法按 GB18030 识别的字节，请确认文件编码（或文件不是文本 CSV）";
const NOT_UTF8: &str = "不是有效的 UTF-8 文本；文件可能是 GB18030 编码，请改选 GB18030 或自动识别";

#[cfg(test)]
mod tests {
    use super::*;

    fn header(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn records_keep_their_cells_and_numbers() {
        let mut b = RecordBlock::new();
        b.push(2, ["张三".as_bytes(), b"", b"x"]);
        let (bytes, at) = b.unfilled();
        grow(bytes, at + 7);
        bytes[at..at + 7].copy_from_slice(b"a,,bcd\n");
        b.fill_record(5, &[1, 2, 6]);
        b.push(6, std::iter::empty());
        b.push(7, [b"".as_slice(), "李四".as_bytes()]);
        assert_eq!(b.len(), 4);
        assert_eq!(b.numbers(), &[2, 5, 6, 7]);
        let mut cells = Vec::new();
        b.cells(0, &header(3), &mut cells).unwrap();
        assert_eq!(cells, vec!["张三", "", "x"]);
        b.cells(1, &header(3), &mut cells).unwrap();
        assert_eq!(cells, vec!["a", "", "bcd"]);
        b.cells(2, &header(3), &mut cells).unwrap();
        assert!(cells.is_empty());
        b.cells(3, &header(3), &mut cells).unwrap();
        assert_eq!(cells, vec!["", "李四"]);
    }

    #[test]
    fn a_block_with_room_holds_the_same_without_growing() {
        let mut first = RecordBlock::new();
        for n in 0..1000 {
            first.push(n, [format!("{n}").as_bytes(), "住址".as_bytes()]);
        }
        let mut second = RecordBlock::with_room(first.size());
        let room = second.bytes.len();
        assert!(room >= first.byte_len());
        for n in 0..1000 {
            second.push(n, [format!("{n}").as_bytes(), "住址".as_bytes()]);
        }
        assert_eq!(second.bytes.len(), room, "no growth");
        assert_eq!(second.size(), first.size());
        assert!(second.field_ends.capacity() >= 2000 && second.numbers.capacity() >= 1000);
    }

    #[test]
    fn invalid_text_names_its_column() {
        let mut b = RecordBlock::new();
        b.push(3, [b"ok".as_slice(), b"\xff\xfe"]);
        let mut cells = Vec::new();
        let e = b.cells(0, &header(2), &mut cells).unwrap_err();
        assert_eq!((e.number, e.column.as_deref(), e.message.as_str()), (3, Some("c2"), NOT_UTF8));

        // A delimiter inside a character: each half alone is invalid.
        let mut b = RecordBlock::new();
        b.push(4, ["中".as_bytes()[..1].as_ref(), &"中".as_bytes()[1..]]);
        let e = b.cells(0, &header(2), &mut cells).unwrap_err();
        assert_eq!((e.column.as_deref(), e.message.as_str()), (Some("c1"), NOT_UTF8));

        let mut b = RecordBlock { from_gb18030: true, ..RecordBlock::default() };
        b.push(7, ["a\u{FFFD}".as_bytes()]);
        let e = b.cells(0, &header(1), &mut cells).unwrap_err();
        assert_eq!((e.number, e.column.as_deref(), e.message.as_str()), (7, Some("c1"), NOT_GB18030));
    }

    #[test]
    fn clear_keeps_nothing() {
        let mut b = RecordBlock::new();
        b.push(2, [b"a".as_slice()]);
        b.push_error(RowError::new(3, RowUnit::Row, "坏行"));
        assert!(!b.is_empty());
        b.clear();
        assert!(b.is_empty());
        assert_eq!(b.byte_len(), 0);
        assert!(b.has_room(1));
        // What is filled again reads as written.
        b.push(4, [b"xy".as_slice()]);
        assert_eq!(b.byte_len(), 3, "the text and its separator");
        let mut cells = Vec::new();
        b.cells(0, &header(1), &mut cells).unwrap();
        assert_eq!(cells, vec!["xy"]);
    }
}
