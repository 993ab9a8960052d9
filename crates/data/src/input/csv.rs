//! CSV uploads: UTF-8 or GB 18030 (declared or detected), comma or tab, streamed record by record.
//!
//! Records are cut with `csv_core` (the parser of the `csv` crate: RFC 4180 quoting, `""` inside
//! quotes, CRLF, LF or CR line ends, blank lines skipped) straight from the read buffer into the
//! caller's buffer: a record's bytes are copied once, into the [`RecordBlock`] the workers check.
//! Most records are plain lines (no quote, no line break inside): those are cut with `memchr`
//! instead ([`Records::read_plain`]), several times faster than `csv_core`'s byte-by-byte state
//! machine, with the same result, and copied whole, delimiters and all: as in the block, one
//! byte separates each field from the next and follows the last.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use csv_core::ReadRecordResult;

use super::block::{GAP, RecordBlock, decode_field, grow};
use super::encoding::{Gb18030Reader, SAMPLE_BYTES, UTF8_BOM, detect, has_utf16_bom};
use super::{Encoding, InputError, MAX_RECORD_BYTES, RawRow, RowError, RowUnit, check_header, non_empty};

/// Bytes read from the file at a time.
const READ_BUFFER: usize = 256 * 1024;

/// The rows of a CSV file.
pub(crate) struct CsvSource {
    records: Records,
    /// The record last read row by row: its fields' bytes, each followed by a separator byte (and
    /// spare room).
    record: Vec<u8>,
    /// The end of each field of the record last read, in its buffer (and spare room).
    ends: Vec<usize>,
    header: Vec<String>,
    encoding: Encoding,
}

/// Where the record just read lies: `fields` fields, the last ending at `len`; one byte
/// separates each field from the next.
#[derive(Clone, Copy)]
struct Record {
    len: usize,
    fields: usize,
}

impl Record {
    /// No field, or every field empty: the record is its separators (`fields - 1` bytes).
    fn is_blank(self) -> bool {
        self.fields == 0 || self.len < self.fields
    }
}

impl CsvSource {
    /// Opens the file, settles encoding and delimiter, reads and checks the header.
    pub(crate) fn open(
        path: &Path,
        declared: Option<Encoding>,
        delimiter: Option<u8>,
    ) -> Result<(Vec<String>, Encoding, CsvSource), InputError> {
        let io_err = |e| InputError::io(path, e);
        let mut file = File::open(path).map_err(io_err)?;
        let file_len = file.metadata().map_err(io_err)?.len();
        let sample = read_sample(&mut file).map_err(io_err)?;
        if sample.is_empty() {
            return Err(InputError::Empty);
        }
        if has_utf16_bom(&sample) {
            return Err(InputError::Encoding(
                "文件是 UTF-16 编码（Excel 的“Unicode 文本”），请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后上传".into(),
            ));
        }
        if sample.contains(&0) {
            return Err(InputError::Encoding(
                "文件含有 NUL 字节，不是文本文件，不能按 CSV 读取（XLSX、Parquet 等请按相应格式上传）".into(),
            ));
        }
        // A byte-order mark settles the encoding even against a declaration: GB 18030 text never
        // starts with these bytes.
        let bom = sample.starts_with(UTF8_BOM);
        let encoding = if bom {
            Encoding::Utf8
        } else {
            declared.unwrap_or_else(|| detect(&sample, sample.len() as u64 >= file_len))
        };
        let start = if bom { UTF8_BOM.len() } else { 0 };
        let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(&sample[start..]));
        let cr_only = sample.contains(&b'\r') && !sample.contains(&b'\n');
        drop(sample);

        file.seek(SeekFrom::Start(start as u64)).map_err(io_err)?;
        let text: Box<dyn Read + Send> = match encoding {
            Encoding::Utf8 => Box::new(file),
            Encoding::Gb18030 => Box::new(Gb18030Reader::new(file)),
        };
        let mut source = CsvSource {
            records: Records::new(text, delimiter, cr_only),
            record: Vec::new(),
            ends: Vec::new(),
            header: Vec::new(),
            encoding,
        };

        let found = source
            .records
            .read(&mut source.record, 0, &mut source.ends)
            .map_err(|failure| InputError::Csv { line: 1, message: failure.message() })?;
        let Some(record) = found else {
            return Err(InputError::Empty);
        };
        let mut columns = Vec::with_capacity(record.fields);
        for (i, field) in source.fields(record).enumerate() {
            let name =
                source.decode(field).map_err(|reason| InputError::Encoding(format!("表头第 {} 列{reason}", i + 1)))?;
            columns.push((i + 1, name));
        }
        let header = check_header(columns)?;
        source.header = header.clone();
        Ok((header, encoding, source))
    }

    /// The next data row; `None` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Option<Result<RawRow, RowError>> {
        let (line, record) = loop {
            let record = match self.records.read(&mut self.record, 0, &mut self.ends) {
                Ok(None) => return None,
                Ok(Some(record)) => record,
                Err(failure) => return Some(Err(self.records.fatal(failure))),
            };
            // Every cell empty: a blank record is skipped.
            if !record.is_blank() {
                break (self.records.line_of(&self.record[..record.len]), record);
            }
        };
        Some(match self.width_error(line, record) {
            Some(e) => Err(e),
            None => self.row(line, record),
        })
    }

    /// Reads records into `block` until it has no room for `max_rows`; `Ok(false)` at the end of
    /// the file. The records are copied as bytes, not decoded: [`RecordBlock::cells`] does that.
    pub(crate) fn read_block(&mut self, block: &mut RecordBlock, max_rows: usize) -> Result<bool, RowError> {
        block.from_gb18030 = self.encoding == Encoding::Gb18030;
        let width = self.header.len();
        while block.has_room(max_rows) {
            let (bytes, at) = block.unfilled();
            let record = match self.records.read(bytes, at, &mut self.ends) {
                Ok(None) => return Ok(false),
                Ok(Some(record)) => record,
                Err(failure) => return Err(self.records.fatal(failure)),
            };
            if record.is_blank() {
                continue;
            }
            let line = self.records.line_of(&bytes[at..at + record.len]);
            if let Some(e) = self.width_error(line, record) {
                block.push_error(e);
                continue;
            }
            // Cells past the header are empty (or there would be a width error): not kept.
            block.fill_record(line, &self.ends[..width]);
        }
        Ok(true)
    }

    /// The fields of the record last read row by row.
    fn fields(&self, record: Record) -> impl Iterator<Item = &[u8]> {
        let ends = &self.ends[..record.fields];
        ends.iter().enumerate().map(|(i, &end)| &self.record[if i == 0 { 0 } else { ends[i - 1] + 1 }..end])
    }

    /// Why a record does not have the header's width, if it does not. Cells past the header that
    /// are all empty (a trailing delimiter) are no data.
    fn width_error(&self, line: u64, record: Record) -> Option<RowError> {
        let width = self.header.len();
        let len = record.fields;
        // Each empty cell past the header adds only its separator.
        if len == width || (len > width && record.len - self.ends[width - 1] == len - width) {
            return None;
        }
        Some(RowError::new(line, RowUnit::Row, format!("有 {len} 个单元格，但表头有 {width} 列（请检查分隔符和引号）")))
    }

    /// The record last read row by row (of the header's width at least) as a row of the header's
    /// width.
    fn row(&self, line: u64, record: Record) -> Result<RawRow, RowError> {
        let width = self.header.len();
        let mut cells = Vec::with_capacity(width);
        for (i, field) in self.fields(record).take(width).enumerate() {
            let text = self
                .decode(field)
                .map_err(|reason| RowError::new(line, RowUnit::Row, reason).in_column(self.header[i].clone()))?;
            cells.push(non_empty(text));
        }
        Ok(RawRow { number: line, cells })
    }

    /// One field as text; the error is a reason to put after its position.
    fn decode(&self, field: &[u8]) -> Result<String, &'static str> {
        decode_field(field, self.encoding == Encoding::Gb18030).map(str::to_owned)
    }
}

/// Cuts the text into records with `csv_core`.
struct Records {
    text: Box<dyn Read + Send>,
    parser: csv_core::Reader,
    delimiter: u8,
    /// Plain lines are cut by [`Records::read_plain`] (off only to test it against `csv_core`).
    plain: bool,
    /// Records cut by [`Records::read_plain`].
    #[cfg(test)]
    plain_read: usize,
    buf: Box<[u8]>,
    /// What is left to parse of the last read: `buf[start..end]`.
    start: usize,
    end: usize,
    /// The text has been read to its end.
    at_end: bool,
    /// The record just read was ended by a `\n` (not by a `\r`, nor by the end of the file).
    ended_by_lf: bool,
    /// `\n`s consumed while reading the record just read: blank lines before it, line breaks
    /// inside its cells, and the one that ended it.
    breaks: u64,
    /// The file breaks lines with a bare `\r` (classic Mac): `csv_core` counts `\n` only, so rows
    /// are numbered by record instead (blank lines then are not counted).
    cr_only: bool,
    /// Records read, the header included.
    count: u64,
}

impl Records {
    fn new(text: Box<dyn Read + Send>, delimiter: u8, cr_only: bool) -> Records {
        Records {
            text,
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            // A line's delimiters become separators, which must be ASCII.
            plain: delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\r' | b'\n'),
            #[cfg(test)]
            plain_read: 0,
            buf: vec![0; READ_BUFFER].into_boxed_slice(),
            start: 0,
            end: 0,
            at_end: false,
            ended_by_lf: false,
            breaks: 0,
            cr_only,
            count: 0,
        }
    }

    /// Reads the next record: its fields' bytes, each followed by one separator byte (ASCII),
    /// into `out` from `at` (`out` grows as needed, and is kept as long as it is: the caller
    /// tracks what is filled), and the end of each field, relative to `at`, into `ends` (which
    /// grows too). `None` at the end.
    /// A record longer than [`MAX_RECORD_BYTES`] (most likely an unclosed quote) fails: it
    /// would otherwise take in the rest of the file.
    fn read(&mut self, out: &mut Vec<u8>, at: usize, ends: &mut Vec<usize>) -> Result<Option<Record>, ReadFailure> {
        if self.start == self.end && !self.at_end {
            self.fill()?;
        }
        if self.plain
            && let Some(record) = self.read_plain(out, at, ends)
        {
            return Ok(Some(record));
        }
        let (mut len, mut fields) = (0, 0);
        let line = self.parser.line();
        loop {
            if self.start == self.end && !self.at_end {
                self.fill()?;
            }
            if out.len() <= at + len {
                grow(out, at + len + 1);
            }
            if ends.len() <= fields {
                ends.resize((fields + 1).max(2 * ends.len()).max(32), 0);
            }
            let input = &self.buf[self.start..self.end];
            let (result, nin, nout, nend) = self.parser.read_record(input, &mut out[at + len..], &mut ends[fields..]);
            self.start += nin;
            len += nout;
            fields += nend;
            if len > MAX_RECORD_BYTES {
                return Err(ReadFailure::TooLarge);
            }
            match result {
                ReadRecordResult::InputEmpty | ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::Record => {
                    // A record at the end of the file ends with no input consumed.
                    self.ended_by_lf = nin > 0 && input[nin - 1] == b'\n';
                    self.breaks = self.parser.line() - line;
                    self.count += 1;
                    let len = separate(out, at, &mut ends[..fields]);
                    return Ok(Some(Record { len, fields }));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// [`Records::read`] for a record that is a plain line: it ends with `\n` (or `\r\n`) in the
    /// text already read, is not blank and holds no quote and no other `\r`. Such a line is
    /// exactly its fields joined by the delimiter, which `memchr` finds; `csv_core` would read it
    /// the same way, a byte at a time. `None` (nothing consumed) for any other record: a quote,
    /// a bare `\r`, a blank line or the buffer's end is left to `csv_core`.
    ///
    /// Between records `csv_core` holds no state that this skips, except the line count, which
    /// is advanced here; after a record it ended at a `\r` it expects a `\n`, and such a text
    /// starts with a blank line here, which goes to `csv_core`.
    fn read_plain(&mut self, out: &mut Vec<u8>, at: usize, ends: &mut Vec<usize>) -> Option<Record> {
        let input = &self.buf[self.start..self.end];
        let lf = memchr::memchr(b'\n', input)?;
        let line = input[..lf].strip_suffix(b"\r").unwrap_or(&input[..lf]);
        // A quote or a bare `\r` is csv_core's. (One search for these and one for delimiters
        // measured faster than one search for all three.)
        if line.is_empty() || memchr::memchr2(b'"', b'\r', line).is_some() {
            return None;
        }
        let mut fields = 0;
        for cut in memchr::memchr_iter(self.delimiter, line).chain(std::iter::once(line.len())) {
            if ends.len() <= fields {
                ends.resize((fields + 1).max(2 * ends.len()).max(32), 0);
            }
            ends[fields] = cut;
            fields += 1;
        }
        // The line as it stands, and the `\r` or `\n` after it: its delimiters and line end
        // are the separators.
        let len = line.len();
        grow(out, at + len + 1);
        out[at..at + len + 1].copy_from_slice(&input[..len + 1]);
        self.start += lf + 1;
        self.ended_by_lf = true;
        self.breaks = 1;
        self.count += 1;
        self.parser.set_line(self.parser.line() + 1);
        #[cfg(test)]
        {
            self.plain_read += 1;
        }
        Some(Record { len, fields })
    }

    /// Reads the next chunk of text; an empty one at the end.
    fn fill(&mut self) -> Result<(), ReadFailure> {
        loop {
            match self.text.read(&mut self.buf) {
                Ok(n) => {
                    (self.start, self.end, self.at_end) = (0, n, n == 0);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadFailure::Io(e)),
            }
        }
    }

    /// The line on which the record just read (whose bytes are `record`) starts: the `\n`s
    /// consumed so far, less those inside its cells, less the one that ended it, if one did (a
    /// CRLF record ends at its `\r`). Blank lines before it were consumed with it, and counted.
    fn line_of(&self, record: &[u8]) -> u64 {
        if self.cr_only {
            return self.count;
        }
        // Most records hold no line break and follow no blank line: no need to look for one.
        let inside = if self.breaks > u64::from(self.ended_by_lf) {
            record.iter().filter(|&&b| b == b'\n').count() as u64
        } else {
            0
        };
        self.parser.line().saturating_sub(inside + u64::from(self.ended_by_lf)).max(1)
    }

    /// The fatal error that ends reading.
    fn fatal(&self, failure: ReadFailure) -> RowError {
        RowError::new(self.parser.line(), RowUnit::Row, failure.message()).fatal()
    }
}

enum ReadFailure {
    TooLarge,
    Io(io::Error),
}

impl ReadFailure {
    fn message(&self) -> String {
        match self {
            ReadFailure::TooLarge => too_large_message(),
            ReadFailure::Io(e) => format!("读取失败：{e}"),
        }
    }
}

fn too_large_message() -> String {
    format!(
        "一条记录超过 {} MiB，多半是引号不成对（某个单元格以 \" 开始却没有结束），请检查该行及其后的内容",
        MAX_RECORD_BYTES / (1024 * 1024)
    )
}

/// Reads up to [`SAMPLE_BYTES`] from the start of the file.
fn read_sample(file: &mut File) -> io::Result<Vec<u8>> {
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    file.by_ref().take(SAMPLE_BYTES as u64).read_to_end(&mut sample)?;
    Ok(sample)
}

/// `\t` if the first line has more tabs than commas outside quotes, `,` otherwise. (`,` and `\t`
/// never occur inside a GB 18030 multi-byte character, so this works on the raw bytes.)
fn detect_delimiter(sample: &[u8]) -> u8 {
    let (mut in_quotes, mut commas, mut tabs) = (false, 0usize, 0usize);
    for &b in sample {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            b',' if !in_quotes => commas += 1,
            b'\t' if !in_quotes => tabs += 1,
            _ => {}
        }
    }
    if tabs > commas { b'\t' } else { b',' }
}

/// Makes a record `csv_core` wrote with its fields one after another (ending at `ends`, relative
/// to `at`) into the block's layout: one separator byte ([`GAP`]) after each field. Moves each
/// field right by its index, last field first; updates `ends` and returns the record's new end.
fn separate(out: &mut Vec<u8>, at: usize, ends: &mut [usize]) -> usize {
    let Some(&last) = ends.last() else { return 0 };
    let n = ends.len();
    grow(out, at + last + n);
    for i in (1..n).rev() {
        let (start, end) = (ends[i - 1], ends[i]);
        out.copy_within(at + start..at + end, at + start + i);
        out[at + start + i - 1] = GAP;
        ends[i] = end + i;
    }
    out[at + ends[n - 1]] = GAP;
    ends[n - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out the text a few bytes at a time, so that records cross read buffers.
    struct Trickle(io::Cursor<Vec<u8>>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1);
            self.0.read(&mut buf[..n])
        }
    }

    /// A record as read: its line and its fields' bytes.
    type LineFields = (u64, Vec<Vec<u8>>);

    /// Every record of `text` as (line, fields), read with or without the plain-line path.
    fn records(text: &[u8], chunk: usize, plain: bool) -> (Vec<LineFields>, usize) {
        let mut records = Records::new(Box::new(Trickle(io::Cursor::new(text.to_vec()), chunk)), b',', false);
        records.plain = plain;
        let (mut out, mut ends, mut all) = (Vec::new(), Vec::new(), Vec::new());
        while let Ok(Some(record)) = records.read(&mut out, 0, &mut ends) {
            let line = records.line_of(&out[..record.len]);
            let mut fields = Vec::new();
            let mut from = 0;
            for &end in &ends[..record.fields] {
                fields.push(out[from..end].to_vec());
                assert!(out[end].is_ascii(), "an ASCII separator follows each field");
                from = end + 1;
            }
            all.push((line, fields));
        }
        (all, records.plain_read)
    }

    #[test]
    fn plain_lines_are_cut_as_csv_core_cuts_them() {
        // Texts made of pieces that matter to CSV, mixed at random (a fixed-seed generator).
        let pieces: [&[u8]; 14] = [
            b"a",
            b"bc",
            "中文".as_bytes(),
            b",",
            b",",
            b"\n",
            b"\n",
            b"\r\n",
            b"\r",
            b"\"",
            b"\"\"",
            b"",
            b" ",
            b"x,y,z",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut read, mut read_plain) = (0, 0);
        for case in 0..3000 {
            let mut text = Vec::new();
            for _ in 0..(next() % 80) {
                text.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let chunk = [1, 3, 7, 64, READ_BUFFER][case % 5];
            let (expected, none) = records(&text, chunk, false);
            assert_eq!(none, 0);
            let (got, plain) = records(&text, chunk, true);
            let shown = String::from_utf8_lossy(&text);
            assert_eq!(got, expected, "text {shown:?} read {chunk} bytes at a time");
            (read, read_plain) = (read + got.len(), read_plain + plain);
        }
        // Both paths were taken, and often.
        assert!(read_plain > 1_000 && read - read_plain > 5_000, "{read} records, {read_plain} plain lines");
        // The usual file: every record a plain line, lines counted as csv_core counts them.
        let text = b"h1,h2\n1,2\n\n3,\r\n\"4\",5\n6,7\n";
        let (got, plain) = records(text, READ_BUFFER, true);
        // The quoted record goes to csv_core, and so does the one after a blank line.
        assert_eq!(plain, 3);
        let fields = |f: &[&str]| f.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(
            got,
            vec![
                (1, fields(&["h1", "h2"])),
                (2, fields(&["1", "2"])),
                (4, fields(&["3", ""])),
                (5, fields(&["4", "5"])),
                (6, fields(&["6", "7"])),
            ]
        );
    }
}
