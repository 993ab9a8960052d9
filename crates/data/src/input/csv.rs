//! CSV uploads: UTF-8 or GB 18030 (declared or detected), comma or tab, streamed record by record.
//!
//! Records are cut with `csv_core` (the parser of the `csv` crate: RFC 4180 quoting, `""` inside
//! quotes, CRLF, LF or CR line ends, blank lines skipped) straight from the read buffer into the
//! caller's buffer: a record's bytes are copied once, into the [`RecordBlock`] the workers check.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use csv_core::ReadRecordResult;

use super::block::{RecordBlock, decode_field, grow};
use super::encoding::{Gb18030Reader, SAMPLE_BYTES, UTF8_BOM, detect, has_utf16_bom};
use super::{Encoding, InputError, MAX_RECORD_BYTES, RawRow, RowError, RowUnit, check_header, non_empty};

/// Bytes read from the file at a time.
const READ_BUFFER: usize = 256 * 1024;

/// The rows of a CSV file.
pub(crate) struct CsvSource {
    records: Records,
    /// The record last read row by row: its fields' bytes, one after another (and spare room).
    record: Vec<u8>,
    /// The end of each field of the record last read, in its buffer (and spare room).
    ends: Vec<usize>,
    header: Vec<String>,
    encoding: Encoding,
}

/// Where the record just read lies: `len` bytes, `fields` fields.
#[derive(Clone, Copy)]
struct Record {
    len: usize,
    fields: usize,
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
            // Every cell empty: the fields' bytes joined are empty.
            if record.len > 0 {
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
            if record.len == 0 {
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
        ends.iter().enumerate().map(|(i, &end)| &self.record[if i == 0 { 0 } else { ends[i - 1] }..end])
    }

    /// Why a record does not have the header's width, if it does not. Cells past the header that
    /// are all empty (a trailing delimiter) are no data.
    fn width_error(&self, line: u64, record: Record) -> Option<RowError> {
        let width = self.header.len();
        let len = record.fields;
        if len == width || (len > width && self.ends[width - 1] == record.len) {
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

    /// Reads the next record: its fields' bytes, one after another, into `out` from `at` (`out`
    /// grows as needed, and is kept as long as it is: the caller tracks what is filled), and the
    /// end of each field, relative to `at`, into `ends` (which grows too). `None` at the end.
    /// A record longer than [`MAX_RECORD_BYTES`] (most likely an unclosed quote) fails: it
    /// would otherwise take in the rest of the file.
    fn read(&mut self, out: &mut Vec<u8>, at: usize, ends: &mut Vec<usize>) -> Result<Option<Record>, ReadFailure> {
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
                    return Ok(Some(Record { len, fields }));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
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
