//! XLSX: one workbook with the sheets "信息资源" and "信息项" in the template's column layout.
//! Export adds what helps a clerk fill the file in: a frozen bold header, column widths,
//! drop-downs for the enumerations, text format for code columns and real date cells.
//! Import streams the cells (so a sheet claiming a huge range cannot exhaust memory) and
//! accepts typed Excel values: numbers as floats, real dates, booleans.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{DataRef, Reader, Xlsx};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

use crate::parse::Cell;
use crate::rows::{self, Row};
use crate::template::{Column, ITEM_COLUMNS, ItemRow, Kind, Out, RESOURCE_COLUMNS, ResourceRow, Sheet};
use crate::{Entry, ImportOutcome};

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A cell holds more text than Excel allows (32767 characters).
    #[error("“{sheet}”表第{row}行“{column}”的内容超过Excel单元格上限（32767字），无法导出为XLSX，请改用CSV或JSON导出")]
    CellTooLong { sheet: &'static str, row: usize, column: &'static str },
    /// More rows than a worksheet can hold.
    #[error("“{sheet}”表共{rows}行，超过Excel工作表上限（1048576行），请分批导出")]
    TooManyRows { sheet: &'static str, rows: usize },
    /// Anything else the XLSX writer reports.
    #[error("生成XLSX文件失败：{0}")]
    Xlsx(String),
}

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// Excel's last row (0-based).
const MAX_ROW: u32 = 1_048_575;
/// Columns beyond this are never template columns; they are not read.
const MAX_COLS: u32 = 512;
/// Cells read per sheet before import gives up.
const MAX_CELLS: usize = 2_000_000;

/// The whole catalogue as a workbook. With no entries, a blank template to fill in.
pub fn export_xlsx(entries: &[Entry]) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let styles = Styles::new();

    let sheet = wb.add_worksheet();
    sheet.set_name(Sheet::Resources.name())?;
    if entries.len() > MAX_ROW as usize {
        return Err(ExportError::TooManyRows { sheet: Sheet::Resources.name(), rows: entries.len() + 1 });
    }
    prepare(sheet, &RESOURCE_COLUMNS, &styles)?;
    for (i, entry) in entries.iter().enumerate() {
        let row = ResourceRow { seq: i + 1, entry };
        let cells = RESOURCE_COLUMNS.iter().map(|c| ((c.write)(&row), c.header, c.kind));
        write_row(sheet, Sheet::Resources, (i + 1) as u32, cells, &styles)?;
    }

    let sheet = wb.add_worksheet();
    sheet.set_name(Sheet::Items.name())?;
    let total: usize = entries.iter().map(|e| e.spec.data_items.len()).sum();
    if total > MAX_ROW as usize {
        return Err(ExportError::TooManyRows { sheet: Sheet::Items.name(), rows: total + 1 });
    }
    prepare(sheet, &ITEM_COLUMNS, &styles)?;
    let mut r: u32 = 0;
    for (i, entry) in entries.iter().enumerate() {
        for item in &entry.spec.data_items {
            r += 1;
            let row = ItemRow { seq: i + 1, spec: &entry.spec, item };
            let cells = ITEM_COLUMNS.iter().map(|c| ((c.write)(&row), c.header, c.kind));
            write_row(sheet, Sheet::Items, r, cells, &styles)?;
        }
    }

    Ok(wb.save_to_buffer()?)
}

struct Styles {
    header: Format,
    date: Format,
    text: Format,
    wrap: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(FormatBorder::Thin),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            text: Format::new().set_num_format("@"),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// Header row, widths, column formats and drop-downs.
fn prepare<W, D>(sheet: &mut Worksheet, columns: &[Column<W, D>], s: &Styles) -> Result<(), XlsxError> {
    for (i, col) in columns.iter().enumerate() {
        let c = i as u16;
        sheet.write_string_with_format(0, c, col.header, &s.header)?;
        sheet.set_column_width(c, col.width)?;
        match col.kind {
            Kind::Code => {
                sheet.set_column_format(c, &s.text)?;
            }
            Kind::Date => {
                sheet.set_column_format(c, &s.date)?;
            }
            Kind::Choice => {
                let choices = (col.choices)();
                if !choices.is_empty() {
                    // A warning, not a stop: the English codes and numbers are accepted too.
                    let dv = DataValidation::new()
                        .allow_list_strings(&choices)?
                        .set_error_style(DataValidationErrorStyle::Warning)
                        .set_error_title("不在可选值中")?
                        .set_error_message(format!("可选值：{}", choices.join("、")))?;
                    sheet.add_data_validation(1, c, MAX_ROW, c, &dv)?;
                }
            }
            Kind::Text | Kind::LongText | Kind::Number => {}
        }
    }
    sheet.set_row_height(0, 30)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn write_row(
    sheet: &mut Worksheet,
    which: Sheet,
    row: u32,
    cells: impl Iterator<Item = (Out, &'static str, Kind)>,
    s: &Styles,
) -> Result<(), ExportError> {
    for (c, (out, header, kind)) in cells.enumerate() {
        let c = c as u16;
        let result = match out {
            Out::Empty => continue,
            Out::Text(t) => {
                if kind == Kind::LongText || t.contains('\n') {
                    sheet.write_string_with_format(row, c, t, &s.wrap)
                } else {
                    sheet.write_string(row, c, t)
                }
            }
            Out::Number(n) => sheet.write_number(row, c, n),
            Out::Date(d) => match excel_date(d) {
                Some(dt) => sheet.write_datetime_with_format(row, c, &dt, &s.date),
                None => sheet.write_string(row, c, d.format("%Y-%m-%d").to_string()),
            },
        };
        match result {
            Ok(_) => {}
            Err(XlsxError::MaxStringLengthExceeded) => {
                return Err(ExportError::CellTooLong { sheet: which.name(), row: row as usize + 1, column: header });
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

/// Reads a workbook with the sheets "信息资源" and (optionally) "信息项".
pub fn import_xlsx(bytes: &[u8]) -> ImportOutcome {
    let name = Sheet::Resources.name();
    if bytes.is_empty() {
        return ImportOutcome::file_error(name, "上传的XLSX文件是空的（0字节），请重新选择文件");
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return ImportOutcome::file_error(
            name,
            "这是旧版Excel（.xls）文件或设置了打开密码的文件，无法读取；请取消密码，并用Excel“另存为”.xlsx格式后重新上传",
        );
    }
    if !bytes.starts_with(b"PK") {
        return ImportOutcome::file_error(
            name,
            "文件不是XLSX格式，请上传用Excel或WPS保存的.xlsx文件（CSV文件请用CSV导入）",
        );
    }
    // The reader is third-party code fed untrusted bytes: a panic in it must not take the
    // server down.
    match catch_unwind(AssertUnwindSafe(|| read_workbook(bytes))) {
        Ok(Ok((res, items))) => rows::assemble(&res, items.as_deref()),
        Ok(Err((sheet, message))) => ImportOutcome::file_error(sheet, message),
        Err(_) => ImportOutcome::file_error(name, "XLSX文件内容异常，无法解析；请用Excel打开后重新保存再上传"),
    }
}

type SheetRows = (Vec<Row>, Option<Vec<Row>>);

fn read_workbook(bytes: &[u8]) -> Result<SheetRows, (&'static str, String)> {
    let damaged = |e: calamine::XlsxError| {
        (
            Sheet::Resources.name(),
            format!("XLSX文件已损坏或不完整（可能上传中断），无法打开；请用Excel重新保存后上传（{e}）"),
        )
    };
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(damaged)?;
    let names = wb.sheet_names();
    let find = |target: &str| names.iter().find(|n| n.trim() == target).cloned();
    let Some(res_name) = find(Sheet::Resources.name()) else {
        return Err((
            Sheet::Resources.name(),
            format!(
                "工作簿中没有名为“信息资源”的工作表（现有：{}）；请使用导出的模板，或把信息资源所在的工作表改名为“信息资源”",
                names.join("、")
            ),
        ));
    };
    let res = read_sheet(&mut wb, &res_name, Sheet::Resources)?;
    let items = match find(Sheet::Items.name()) {
        Some(n) => Some(read_sheet(&mut wb, &n, Sheet::Items)?),
        None => None,
    };
    Ok((res, items))
}

fn read_sheet(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    sheet_name: &str,
    sheet: Sheet,
) -> Result<Vec<Row>, (&'static str, String)> {
    let damaged = |e: calamine::XlsxError| (sheet.name(), format!("工作表“{}”已损坏，无法读取（{e}）", sheet.name()));
    let mut reader = wb.worksheet_cells_reader(sheet_name).map_err(damaged)?;
    let mut rows: Vec<Row> = Vec::new();
    let mut count = 0usize;
    while let Some(cell) = reader.next_cell().map_err(damaged)? {
        let (r, c) = cell.get_position();
        let value = convert(cell.get_value());
        if c >= MAX_COLS || value.is_empty() {
            continue;
        }
        count += 1;
        if count > MAX_CELLS {
            return Err((
                sheet.name(),
                format!("工作表“{}”内容过多（超过{MAX_CELLS}个单元格），请分批导入", sheet.name()),
            ));
        }
        let number = r as usize + 1;
        // Cells arrive in row order; keep the rows sorted even if a file is not.
        let at = match rows.last() {
            Some(last) if last.number == number => rows.len() - 1,
            Some(last) if last.number < number => {
                rows.push(Row { number, cells: Vec::new() });
                rows.len() - 1
            }
            None => {
                rows.push(Row { number, cells: Vec::new() });
                0
            }
            Some(_) => match rows.binary_search_by_key(&number, |row| row.number) {
                Ok(i) => i,
                Err(i) => {
                    rows.insert(i, Row { number, cells: Vec::new() });
                    i
                }
            },
        };
        let cells = &mut rows[at].cells;
        let c = c as usize;
        if cells.len() <= c {
            cells.resize(c + 1, Cell::Empty);
        }
        cells[c] = value;
    }
    Ok(rows)
}

fn convert(v: &DataRef<'_>) -> Cell {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::text(s),
        DataRef::SharedString(s) => Cell::text(s),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) {
                Some(date) => Cell::Date(date),
                None => Cell::Number(dt.as_f64()),
            }
        }
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}
