//! CSV: one file per sheet, in the template's column layout. Export writes UTF-8 with a BOM
//! (so that Excel opens it as UTF-8) and CRLF line ends. Import accepts UTF-8 with or without
//! a BOM, comma- or tab-separated; anything else gets a clear message to save as UTF-8.
//!
//! Text that Excel would take for a formula (starting with `=`, `+`, `-`, `@`) is written with
//! a leading `'` so that opening an exported file never runs a formula; import removes it.

use crate::parse::{Cell, number_text};
use crate::rows::{self, Row};
use crate::template::{ITEM_COLUMNS, ItemRow, Out, RESOURCE_COLUMNS, ResourceRow, Sheet};
use crate::{Entry, ImportOutcome};

const BOM: &[u8] = b"\xEF\xBB\xBF";
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// One sheet of the template as a CSV file: UTF-8 with BOM, header row first.
pub fn export_csv(entries: &[Entry], sheet: Sheet) -> Vec<u8> {
    let mut records: Vec<Vec<String>> = Vec::new();
    match sheet {
        Sheet::Resources => {
            records.push(RESOURCE_COLUMNS.iter().map(|c| c.header.to_string()).collect());
            for (i, entry) in entries.iter().enumerate() {
                let row = ResourceRow { seq: i + 1, entry };
                records.push(RESOURCE_COLUMNS.iter().map(|c| render((c.write)(&row))).collect());
            }
        }
        Sheet::Items => {
            records.push(ITEM_COLUMNS.iter().map(|c| c.header.to_string()).collect());
            for (i, entry) in entries.iter().enumerate() {
                for item in &entry.spec.data_items {
                    let row = ItemRow { seq: i + 1, spec: &entry.spec, item };
                    records.push(ITEM_COLUMNS.iter().map(|c| render((c.write)(&row))).collect());
                }
            }
        }
    }
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(BOM.to_vec());
    for r in &records {
        // Writing into a Vec cannot fail.
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}

fn render(out: Out) -> String {
    match out {
        Out::Empty => String::new(),
        Out::Number(n) => number_text(n),
        Out::Date(d) => d.format("%Y-%m-%d").to_string(),
        Out::Text(s) => guard_formula(s),
    }
}

/// Reads the resources CSV and, if given, the items CSV.
pub fn import_csv(resources: &[u8], items: Option<&[u8]>) -> ImportOutcome {
    let res = match read_table(resources, Sheet::Resources) {
        Ok(rows) => rows,
        Err(e) => return ImportOutcome::file_error(Sheet::Resources.name(), e),
    };
    let items = match items.map(|b| read_table(b, Sheet::Items)).transpose() {
        Ok(rows) => rows,
        Err(e) => return ImportOutcome::file_error(Sheet::Items.name(), e),
    };
    rows::assemble(&res, items.as_deref())
}

/// Decodes one CSV file into rows numbered as Excel shows them.
fn read_table(bytes: &[u8], sheet: Sheet) -> Result<Vec<Row>, String> {
    let name = sheet.name();
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(format!("“{name}”CSV文件是空的，请上传按模板填写的文件"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "“{name}”CSV文件不是UTF-8编码（第{line}行起有无法识别的字符），可能是GBK/GB18030编码或不是CSV文件。\
             请在Excel中选择“文件→另存为”，保存类型选“CSV UTF-8（逗号分隔）(*.csv)”后重新上传"
        )
    })?;
    if text.contains('\0') {
        return Err(format!("“{name}”文件含有二进制内容，不是CSV文件；请上传CSV（UTF-8）文件，或改用XLSX导入"));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // Excel numbers rows by line breaks outside quoted cells, blank lines included. The csv
    // reader skips blank lines and reports where it stopped after the previous record, so the
    // row number is counted here: breaks before the record's first byte, less the breaks
    // inside quoted cells of earlier records.
    let (mut scanned, mut breaks, mut embedded) = (0usize, 0usize, 0usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(0, |p| p.byte() as usize).min(text.len());
                let line = line_breaks(&text.as_bytes()[..at]) + 1;
                return Err(format!(
                    "“{name}”CSV文件第{line}行附近格式有误，无法读取；请用Excel重新另存为CSV UTF-8后上传"
                ));
            }
        }
        let from = record.position().map_or(scanned, |p| p.byte() as usize).clamp(scanned, text.len());
        let start = from + text.as_bytes()[from..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        breaks += line_breaks(&text.as_bytes()[scanned..start]);
        scanned = start;
        rows.push(Row {
            number: (breaks + 1).saturating_sub(embedded),
            cells: record.iter().map(|f| Cell::text(unguard(f))).collect(),
        });
        embedded += record.iter().map(|f| line_breaks(f.as_bytes())).sum::<usize>();
    }
    Ok(rows)
}

/// Line breaks as Excel counts them: CRLF, LF or a lone CR.
fn line_breaks(bytes: &[u8]) -> usize {
    let mut n = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

/// Text a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, which spreadsheets show as text; import removes it.
/// Every CSV the platform writes for people goes through this.
pub fn guard_formula(s: String) -> String {
    if s.starts_with(FORMULA_START) { format!("'{s}") } else { s }
}

/// Removes the `'` that export puts before formula-like text.
fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => s,
    }
}

/// Comma unless the first line has more tabs (Excel's "Unicode text") or semicolons.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.matches(c).count();
    let (commas, tabs, semis) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas && semis > tabs {
        b';'
    } else {
        b','
    }
}
