//! XLSX uploads, read with calamine's streaming cell reader.
//!
//! The cell reader borrows the workbook, so it cannot live next to it in [`XlsxSource`]; instead a
//! reader thread owns the workbook and sends rows through a bounded channel (which bounds memory
//! and stops the thread when the [`super::RowReader`] is dropped). The thread also contains any
//! panic of the XLSX parser on a malformed file: it ends the stream with an error instead.
//!
//! Memory: rows are streamed, but calamine loads the workbook's shared-string table (every
//! distinct text of the workbook) when it opens the file.
//!
//! The header is the first row that has a non-empty cell; its columns run from its first to its
//! last non-empty cell. Cell text: strings as they are; numbers without a spurious `.0` (18.0 →
//! "18") and rounded to Excel's 15 significant digits when fractional; dates as `YYYY-MM-DD` or
//! `YYYY-MM-DD HH:MM:SS`; booleans as `true`/`false`. A whole number of more than 15 significant
//! digits is a row error: Excel has already lost its last digits, so an identifier (a citizen ID
//! has 18) must be stored as text.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use calamine::{DataRef, ExcelDateTime, Reader, Xlsx, open_workbook};

use super::{InputError, RawRow, RowError, RowUnit, check_header};

/// Rows in flight between the reader thread and the consumer.
const CHANNEL_ROWS: usize = 256;

enum Message {
    Header(Vec<String>),
    Failed(InputError),
    Row(Result<RawRow, RowError>),
}

/// The rows of one XLSX sheet.
pub(crate) struct XlsxSource {
    rows: Receiver<Message>,
    /// The number of the last row received, for an error when the thread dies.
    last: u64,
}

impl XlsxSource {
    pub(crate) fn open(path: &Path, sheet: Option<&str>) -> Result<(Vec<String>, XlsxSource), InputError> {
        let (tx, rx) = sync_channel(CHANNEL_ROWS);
        let path: PathBuf = path.to_owned();
        let sheet = sheet.map(str::to_owned);
        thread::Builder::new()
            .name("govshare-xlsx".into())
            .spawn(move || read_sheet(&path, sheet.as_deref(), &tx))
            .map_err(|e| InputError::Xlsx(format!("无法启动读取：{e}")))?;
        match rx.recv() {
            Ok(Message::Header(header)) => Ok((header, XlsxSource { rows: rx, last: 1 })),
            Ok(Message::Failed(e)) => Err(e),
            Ok(Message::Row(_)) | Err(_) => Err(InputError::Xlsx("文件结构损坏，无法读取".into())),
        }
    }

    pub(crate) fn next_row(&mut self) -> Option<Result<RawRow, RowError>> {
        match self.rows.recv() {
            Ok(Message::Row(row)) => {
                self.last = match &row {
                    Ok(row) => row.number,
                    Err(e) => e.number,
                };
                Some(row)
            }
            Ok(Message::Failed(e)) => Some(Err(RowError::new(self.last + 1, RowUnit::Row, e.to_string()).fatal())),
            Ok(Message::Header(_)) => None,
            // The thread ended after the last row and dropped the sender.
            Err(_) => None,
        }
    }
}

/// A cell converted to text, or why it cannot be.
type CellText = Result<Option<String>, String>;

/// The reader thread: opens the workbook, sends the header, then every data row.
fn read_sheet(path: &Path, sheet: Option<&str>, tx: &SyncSender<Message>) {
    // A panic inside calamine on a malformed file must not go unnoticed: catch it and report it
    // (before the header it fails `open`, after it ends the rows with a fatal error).
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_sheet_inner(path, sheet, tx)));
    if outcome.is_err() {
        let _ = tx.send(Message::Failed(InputError::Xlsx("文件结构损坏，无法读取".into())));
    }
}

fn read_sheet_inner(path: &Path, sheet: Option<&str>, tx: &SyncSender<Message>) {
    let fail = |e: InputError| {
        let _ = tx.send(Message::Failed(e));
    };
    let mut workbook: Xlsx<BufReader<File>> = match open_workbook(path) {
        Ok(workbook) => workbook,
        Err(calamine::XlsxError::Io(e)) => return fail(InputError::io(path, e)),
        Err(e) => {
            return fail(InputError::Xlsx(format!(
                "无法打开（{e}）；请确认是 .xlsx 格式（旧的 .xls 请在 Excel 中另存为 .xlsx）"
            )));
        }
    };
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => match names.iter().find(|n| n.as_str() == wanted.trim()) {
            Some(name) => name.clone(),
            None => {
                return fail(InputError::SheetNotFound { sheet: wanted.to_owned(), available: names.join("、") });
            }
        },
        None => match names.first() {
            Some(name) => name.clone(),
            None => return fail(InputError::Xlsx("没有工作表".into())),
        },
    };
    let mut cells = match workbook.worksheet_cells_reader(&name) {
        Ok(cells) => cells,
        Err(e) => return fail(InputError::Xlsx(format!("无法读取工作表「{name}」：{e}"))),
    };

    // The header: (first column, names) once found.
    let mut header: Option<(u32, Vec<String>)> = None;
    let mut row_index: Option<u32> = None;
    let mut row: Vec<(u32, CellText)> = Vec::new();
    loop {
        let next = match cells.next_cell() {
            Ok(next) => next,
            Err(e) => {
                let number = row_index.map_or(1, |r| u64::from(r) + 1);
                let message = format!("工作表「{name}」读取失败：{e}");
                match header {
                    None => fail(InputError::Xlsx(message)),
                    Some(_) => {
                        let _ = tx.send(Message::Row(Err(RowError::new(number, RowUnit::Row, message).fatal())));
                    }
                }
                return;
            }
        };
        // A row is complete when a cell of another row (or the end) arrives.
        let boundary = match &next {
            Some(cell) => row_index.is_some_and(|r| r != cell.get_position().0),
            None => row_index.is_some(),
        };
        if boundary {
            let index = row_index.unwrap_or_default();
            let done = std::mem::take(&mut row);
            match &header {
                None => {
                    if let Some(found) = header_of(&done) {
                        match found {
                            Ok((first, names)) => {
                                if tx.send(Message::Header(names.clone())).is_err() {
                                    return;
                                }
                                header = Some((first, names));
                            }
                            Err(e) => return fail(e),
                        }
                    }
                }
                Some((first, names)) => {
                    if let Some(item) = data_row(index, *first, names, done)
                        && tx.send(Message::Row(item)).is_err()
                    {
                        return;
                    }
                }
            }
        }
        let Some(cell) = next else { break };
        let (r, c) = cell.get_position();
        row_index = Some(r);
        row.push((c, cell_text(cell.get_value())));
    }
    if header.is_none() {
        fail(InputError::Empty);
    }
}

/// The header from the first row with a non-empty cell: `None` if this row is all empty.
fn header_of(row: &[(u32, CellText)]) -> Option<Result<(u32, Vec<String>), InputError>> {
    let filled = |(_, text): &&(u32, CellText)| !matches!(text, Ok(None));
    let first = row.iter().find(filled)?.0;
    let last = row.iter().rev().find(filled)?.0;
    let mut names = vec![String::new(); (last - first + 1) as usize];
    for (c, text) in row {
        if (first..=last).contains(c) {
            names[(c - first) as usize] = match text {
                Ok(text) => text.clone().unwrap_or_default(),
                // A header cell is read as text whatever Excel made of it.
                Err(_) => String::from("?"),
            };
        }
    }
    let columns = names.into_iter().enumerate().map(|(i, name)| (first as usize + i + 1, name)).collect();
    Some(check_header(columns).map(|names| (first, names)))
}

/// One data row (0-based sheet row `index`) fitted to the header; `None` for an all-empty row.
fn data_row(index: u32, first: u32, header: &[String], row: Vec<(u32, CellText)>) -> Option<Result<RawRow, RowError>> {
    let number = u64::from(index) + 1;
    if row.iter().all(|(_, text)| matches!(text, Ok(None))) {
        return None;
    }
    let mut cells: Vec<Option<String>> = vec![None; header.len()];
    for (c, text) in row {
        let column = c.checked_sub(first).map(|i| i as usize).filter(|&i| i < header.len());
        let text = match (column, text) {
            (Some(i), Err(reason)) => {
                return Some(Err(RowError::new(number, RowUnit::Row, reason).in_column(header[i].clone())));
            }
            (Some(_), Ok(text)) => text,
            (None, Ok(None)) => continue,
            (None, _) => {
                return Some(Err(RowError::new(number, RowUnit::Row, "表头范围之外的单元格有内容（该列没有列名）")
                    .in_column(format!("{} 列", column_letters(c)))));
            }
        };
        if let Some(i) = column {
            cells[i] = text;
        }
    }
    Some(Ok(RawRow { number, cells }))
}

/// `0` → "A", `25` → "Z", `26` → "AA".
fn column_letters(index: u32) -> String {
    let mut n = u64::from(index) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A cell as text: `Ok(None)` when empty, `Err` with a reason when its value cannot be trusted.
fn cell_text(value: &DataRef<'_>) -> CellText {
    let text = match value {
        DataRef::Empty => return Ok(None),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f)?,
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => date_text(dt),
        DataRef::DateTimeIso(s) => s.replacen('T', " ", 1),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => return Err(format!("单元格是错误值 {e}，请修正公式或改为数值")),
    };
    Ok(if text.is_empty() { None } else { Some(text) })
}

/// Excel keeps 15 significant digits.
const EXCEL_DIGITS: usize = 15;

/// A number cell as text: whole numbers without a decimal point; fractions rounded to 15
/// significant digits (what Excel shows, so 0.1 + 0.2 reads 0.3). A whole number of more than 15
/// significant digits has lost digits in Excel and is refused.
fn number_text(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err("数值无效".into());
    }
    if f == 0.0 {
        return Ok("0".into());
    }
    if f.fract() == 0.0 {
        // `Display` of an `f64` is the shortest text that reads back to the same value, with no
        // exponent: 18.0 → "18", 1e20 → "100000000000000000000".
        let text = format!("{f}");
        let significant = text.trim_start_matches('-').trim_end_matches('0').len();
        if significant > EXCEL_DIGITS {
            return Err(format!(
                "数值 {text} 超过 15 位有效数字，Excel 已丢失末尾数字；身份证号等长数字须以文本格式保存"
            ));
        }
        return Ok(text);
    }
    let rounded: f64 = format!("{:.*e}", EXCEL_DIGITS - 1, f).parse().unwrap_or(f);
    Ok(format!("{rounded}"))
}

/// A date cell: `YYYY-MM-DD` at midnight, `YYYY-MM-DD HH:MM:SS` otherwise, `HH:MM:SS` for a time
/// of day alone; a duration as `H:MM:SS`.
fn date_text(dt: &ExcelDateTime) -> String {
    let value = dt.as_f64();
    if dt.is_duration() {
        let total = (value * 86_400.0).round() as i64;
        let sign = if total < 0 { "-" } else { "" };
        let total = total.abs();
        return format!("{sign}{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
    }
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    let time = if ms == 0 { format!("{h:02}:{mi:02}:{s:02}") } else { format!("{h:02}:{mi:02}:{s:02}.{ms:03}") };
    if (0.0..1.0).contains(&value) {
        return time;
    }
    if (h, mi, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {time}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(number_text(18.0), Ok("18".into()));
        assert_eq!(number_text(-3.0), Ok("-3".into()));
        assert_eq!(number_text(0.1 + 0.2), Ok("0.3".into()));
        assert_eq!(number_text(3.25), Ok("3.25".into()));
        assert_eq!(number_text(1e20), Ok("100000000000000000000".into()));
        assert_eq!(number_text(123_456_789_012_345.0), Ok("123456789012345".into()));
        let id = number_text(110_101_199_003_071_234.0).expect_err("18 digits");
        assert!(id.contains("身份证号等长数字须以文本格式保存"), "{id}");
        assert!(number_text(1_234_567_890_123_456.0).is_err());
    }

    #[test]
    fn column_letters_count_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
