//! CSV uploads: UTF-8 or GB 18030 (declared or detected), comma or tab, streamed record by record
//! with the `csv` crate over the file (through a GB 18030 decoder when needed).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use csv::{ByteRecord, ReaderBuilder};

use super::block::{RecordBlock, decode_field};
use super::encoding::{Gb18030Reader, SAMPLE_BYTES, UTF8_BOM, detect, has_utf16_bom};
use super::{Encoding, InputError, MAX_RECORD_BYTES, RawRow, RowError, RowUnit, check_header, non_empty};

/// The `csv` reader's buffer: large reads, few calls.
const READ_BUFFER: usize = 64 * 1024;

/// Bytes the reader may pull while reading one record: the record limit plus the `csv` reader's
/// own buffer, which may hold the start of the next record.
const RECORD_BUDGET: usize = MAX_RECORD_BYTES + READ_BUFFER;

/// The rows of a CSV file.
pub(crate) struct CsvSource {
    reader: csv::Reader<Feed<Box<dyn Read + Send>>>,
    record: ByteRecord,
    header: Vec<String>,
    encoding: Encoding,
    /// The file breaks lines with a bare `\r` (classic Mac): the `csv` reader counts `\n` only,
    /// so rows are numbered by record instead (blank lines then are not counted).
    cr_only: bool,
    /// Records read, the header included.
    records: u64,
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
        let reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(READ_BUFFER)
            .from_reader(Feed::new(text));
        let mut source =
            CsvSource { reader, record: ByteRecord::new(), header: Vec::new(), encoding, cr_only, records: 0 };

        let found = source.read_record().map_err(|e| match e {
            ReadFailure::TooLarge => InputError::Csv { line: 1, message: too_large_message() },
            ReadFailure::Csv(e) => InputError::Csv { line: 1, message: format!("读取失败：{e}") },
        })?;
        if !found {
            return Err(InputError::Empty);
        }
        let mut columns = Vec::with_capacity(source.record.len());
        for (i, field) in source.record.iter().enumerate() {
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
        let line = match self.next_record()? {
            Ok(line) => line,
            Err(e) => return Some(Err(e)),
        };
        Some(match self.width_error(line) {
            Some(e) => Err(e),
            None => self.row(line),
        })
    }

    /// Reads records into `block` until it has no room for `max_rows`; `Ok(false)` at the end of
    /// the file. The records are copied as bytes, not decoded: [`RecordBlock::cells`] does that.
    pub(crate) fn read_block(&mut self, block: &mut RecordBlock, max_rows: usize) -> Result<bool, RowError> {
        block.from_gb18030 = self.encoding == Encoding::Gb18030;
        let width = self.header.len();
        while block.has_room(max_rows) {
            let line = match self.next_record() {
                None => return Ok(false),
                Some(Err(e)) => return Err(e),
                Some(Ok(line)) => line,
            };
            if let Some(e) = self.width_error(line) {
                block.push_error(e);
                continue;
            }
            let whole = self.record.as_slice();
            let ends = (0..width).map(|i| self.record.range(i).map_or(0, |r| r.end));
            let used = self.record.range(width - 1).map_or(0, |r| r.end);
            block.push_joined(line, &whole[..used], ends);
        }
        Ok(true)
    }

    /// Reads the next record that is not blank: its line, `None` at the end, or a fatal error.
    fn next_record(&mut self) -> Option<Result<u64, RowError>> {
        loop {
            match self.read_record() {
                Ok(false) => return None,
                Ok(true) => {}
                Err(failure) => {
                    let line = self.reader.position().line();
                    let message = match failure {
                        ReadFailure::TooLarge => too_large_message(),
                        ReadFailure::Csv(e) => format!("读取失败：{e}"),
                    };
                    return Some(Err(RowError::new(line, RowUnit::Row, message).fatal()));
                }
            }
            // Every cell empty: the fields' bytes joined are empty.
            if self.record.as_slice().is_empty() {
                continue;
            }
            return Some(Ok(self.record_line()));
        }
    }

    /// Why the current record does not have the header's width, if it does not. Cells past the
    /// header that are all empty (a trailing delimiter) are no data.
    fn width_error(&self, line: u64) -> Option<RowError> {
        let width = self.header.len();
        let len = self.record.len();
        if len == width
            || (len > width && self.record.range(width - 1).is_some_and(|r| r.end == self.record.as_slice().len()))
        {
            return None;
        }
        Some(RowError::new(line, RowUnit::Row, format!("有 {len} 个单元格，但表头有 {width} 列（请检查分隔符和引号）")))
    }

    /// The current record (of the header's width at least) as a row of the header's width.
    fn row(&self, line: u64) -> Result<RawRow, RowError> {
        let width = self.header.len();
        let mut cells = Vec::with_capacity(width);
        for (i, field) in self.record.iter().take(width).enumerate() {
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

    /// Reads the next record into `self.record`, allowing it [`RECORD_BUDGET`] bytes.
    fn read_record(&mut self) -> Result<bool, ReadFailure> {
        self.reader.get_mut().budget = RECORD_BUDGET;
        match self.reader.read_byte_record(&mut self.record) {
            Ok(found) => {
                self.records += u64::from(found);
                Ok(found)
            }
            Err(_) if self.reader.get_ref().budget == 0 => Err(ReadFailure::TooLarge),
            Err(e) => Err(ReadFailure::Csv(e)),
        }
    }

    /// The line on which the record just read starts.
    ///
    /// The `csv` reader's own record position is taken before it skips what precedes the record
    /// (the `\n` of the previous CRLF, blank lines), so it can be a line early. Counting back from
    /// the end is exact: the `\n`s consumed so far, less those inside the record's cells, less
    /// the terminating `\n` if the record ended with one (a CRLF record ends at its `\r`).
    fn record_line(&self) -> u64 {
        if self.cr_only {
            return self.records;
        }
        let pos = self.reader.position();
        // The fields' bytes lie one after another: one pass counts the line breaks inside them.
        let inside = self.record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        let ended_by_lf = pos.byte() > 0 && self.reader.get_ref().byte_at(pos.byte() - 1) == Some(b'\n');
        pos.line().saturating_sub(inside + u64::from(ended_by_lf)).max(1)
    }
}

enum ReadFailure {
    TooLarge,
    Csv(csv::Error),
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

/// What the `csv` reader reads from: the text, with a budget per record — so a runaway record
/// (an unclosed quote) fails instead of making the reader buffer the rest of the file — and a copy
/// of the last bytes delivered, to look at the byte that ended a record.
struct Feed<R> {
    inner: R,
    /// Bytes still allowed for the current record.
    budget: usize,
    /// Bytes delivered so far.
    delivered: u64,
    /// The last chunk delivered, preceded by the byte before it; starts at offset `tail_start`.
    tail: Vec<u8>,
    tail_start: u64,
}

impl<R> Feed<R> {
    fn new(inner: R) -> Self {
        Feed { inner, budget: RECORD_BUDGET, delivered: 0, tail: Vec::new(), tail_start: 0 }
    }

    /// The byte at `offset` of the stream, if still known. The `csv` reader refills its buffer
    /// only when it is empty, so everything it has not consumed lies in the last chunk, and the
    /// last byte it consumed lies in the last chunk or just before it.
    fn byte_at(&self, offset: u64) -> Option<u8> {
        let i = usize::try_from(offset.checked_sub(self.tail_start)?).ok()?;
        self.tail.get(i).copied()
    }
}

impl<R: Read> Read for Feed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "record too large"));
        }
        let max = buf.len().min(self.budget);
        let n = self.inner.read(&mut buf[..max])?;
        self.budget -= n;
        if n > 0 {
            let before = self.tail.last().copied();
            self.tail.clear();
            self.tail_start = self.delivered;
            if let Some(b) = before {
                self.tail.push(b);
                self.tail_start -= 1;
            }
            self.tail.extend_from_slice(&buf[..n]);
            self.delivered += n as u64;
        }
        Ok(n)
    }
}
