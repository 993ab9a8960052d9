//! Turning the rows of the two sheets, however they were read (XLSX or CSV), into imported
//! entries: find the header row, match headers by name, read every cell of every row through
//! the template's columns, attach data items to their resource by 序号, and report every
//! problem with its sheet, row and column.

use std::collections::HashMap;

use domain::catalog::DataItem;

use crate::parse::{self, Cell, ItemDraft, ResourceDraft};
use crate::template::{self, Column, ITEM_COLUMNS, RESOURCE_COLUMNS, Role, Sheet};
use crate::{CellError, ImportOutcome, ImportedRow};

/// One row of a sheet as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// 1-based row number as Excel shows it.
    pub number: usize,
    /// The cells, by 0-based column.
    pub cells: Vec<Cell>,
}

impl Row {
    fn cell(&self, index: Option<usize>) -> &Cell {
        index.and_then(|i| self.cells.get(i)).unwrap_or(&Cell::Empty)
    }
}

/// How many rows above the header (a title, notes) are searched for the header row.
const HEADER_SEARCH: usize = 20;

/// Where each template column sits in a sheet.
struct Layout {
    /// The index into the rows of the header row.
    header_at: usize,
    /// Per template column, the 0-based cell index, if the sheet has that column.
    cols: Vec<Option<usize>>,
}

impl Layout {
    /// Whether the row holds anything in a column that import reads.
    fn row_has_data<W, D>(&self, columns: &[Column<W, D>], row: &Row) -> bool {
        columns
            .iter()
            .zip(&self.cols)
            .any(|(c, i)| matches!(c.role, Role::Required | Role::Optional) && !row.cell(*i).is_empty())
    }
}

fn error(sheet: Sheet, row: usize, column: Option<&str>, field: String, message: impl Into<String>) -> CellError {
    CellError {
        sheet: sheet.name().to_string(),
        row,
        column: column.map(str::to_string),
        field,
        message: message.into(),
    }
}

/// Finds the header row (the first row naming `key`, else the first non-empty row) and maps
/// the template's columns onto it. Errors: an empty sheet, a required column missing, a
/// column present twice.
fn layout<W, D>(
    sheet: Sheet,
    rows: &[Row],
    columns: &[Column<W, D>],
    key: &str,
    need_link: bool,
) -> Result<Layout, Vec<CellError>> {
    let non_empty: Vec<usize> =
        rows.iter().enumerate().filter(|(_, r)| r.cells.iter().any(|c| !c.is_empty())).map(|(i, _)| i).collect();
    let Some(&first) = non_empty.first() else {
        return Err(vec![CellError::file(sheet.name(), format!("“{}”表是空的：没有表头，也没有数据", sheet.name()))]);
    };
    let header_at = non_empty
        .iter()
        .take(HEADER_SEARCH)
        .copied()
        .find(|&i| rows[i].cells.iter().any(|c| header_text(c).as_deref() == Some(key)))
        .unwrap_or(first);
    let header_row = &rows[header_at];
    let headers: Vec<Option<String>> = header_row.cells.iter().map(header_text).collect();

    let mut errors = Vec::new();
    let mut cols = Vec::with_capacity(columns.len());
    for col in columns {
        let found: Vec<usize> =
            headers.iter().enumerate().filter(|(_, h)| h.as_deref() == Some(col.header)).map(|(i, _)| i).collect();
        if found.len() > 1 {
            errors.push(error(
                sheet,
                header_row.number,
                Some(col.header),
                col.field.to_string(),
                format!("表头“{}”出现了{}次，无法确定用哪一列，请删除多余的列", col.header, found.len()),
            ));
        }
        let required = col.role == Role::Required || (col.role == Role::Link && need_link);
        if found.is_empty() && required {
            let why = if col.role == Role::Link { "（信息项靠它对应到信息资源）" } else { "" };
            errors.push(error(
                sheet,
                header_row.number,
                Some(col.header),
                col.field.to_string(),
                format!("“{}”表缺少“{}”列{why}，请按模板补上该列（表头须与模板一致）", sheet.name(), col.header),
            ));
        }
        cols.push(found.first().copied());
    }
    if errors.is_empty() { Ok(Layout { header_at, cols }) } else { Err(errors) }
}

fn header_text(c: &Cell) -> Option<String> {
    parse::text(c).ok().flatten().map(|s| template::normalize_header(&s))
}

/// A resource row being assembled.
struct Pending {
    row: usize,
    draft: ResourceDraft,
    failed: bool,
    items: Vec<Option<DataItem>>,
    item_rows: Vec<usize>,
}

/// Reads both sheets into an outcome. `items` is `None` when there is no items sheet.
pub(crate) fn assemble(resources: &[Row], items: Option<&[Row]>) -> ImportOutcome {
    let mut out = ImportOutcome::default();

    // The items sheet counts only if it holds something.
    let items = items.filter(|rows| rows.iter().any(|r| r.cells.iter().any(|c| !c.is_empty())));
    let res_layout = layout(Sheet::Resources, resources, &RESOURCE_COLUMNS, "信息资源名称", items.is_some());
    let item_layout = items.map(|rows| layout(Sheet::Items, rows, &ITEM_COLUMNS, "信息项名称", true));
    let (res_layout, item_layout) = match (res_layout, item_layout) {
        (Ok(r), None) => (r, None),
        (Ok(r), Some(Ok(i))) => (r, Some(i)),
        (r, i) => {
            out.errors.extend(r.err().unwrap_or_default());
            out.errors.extend(i.and_then(Result::err).unwrap_or_default());
            return out;
        }
    };

    // Resource rows.
    let link_col = RESOURCE_COLUMNS.iter().position(|c| c.role == Role::Link);
    let mut pending: Vec<Pending> = Vec::new();
    let mut by_key: HashMap<String, (usize, usize)> = HashMap::new();
    for row in &resources[res_layout.header_at + 1..] {
        if !res_layout.row_has_data(&RESOURCE_COLUMNS, row) {
            continue;
        }
        let mut draft = ResourceDraft::default();
        let before = out.errors.len();
        for (col, idx) in RESOURCE_COLUMNS.iter().zip(&res_layout.cols) {
            if !matches!(col.role, Role::Required | Role::Optional) {
                continue;
            }
            if idx.is_none() && col.role == Role::Optional {
                continue;
            }
            if let Err(issue) = (col.read)(&mut draft, row.cell(*idx)) {
                let field = template::field_path(Sheet::Resources, col.field, None, issue.index);
                out.errors.push(error(Sheet::Resources, row.number, Some(col.header), field, issue.message));
            }
        }
        let mut failed = out.errors.len() > before;
        if items.is_some()
            && let Some(link) = link_col
        {
            let header = RESOURCE_COLUMNS[link].header;
            match parse::row_key(row.cell(res_layout.cols[link])) {
                Err(m) => {
                    out.errors.push(error(Sheet::Resources, row.number, Some(header), "seq".into(), m));
                    failed = true;
                }
                Ok(None) => {}
                Ok(Some(key)) => match by_key.get(&key) {
                    Some((_, first_row)) => {
                        out.errors.push(error(
                            Sheet::Resources,
                            row.number,
                            Some(header),
                            "seq".into(),
                            format!("序号“{key}”与第{first_row}行重复，信息项无法确定属于哪一行，请改为不重复的序号"),
                        ));
                        failed = true;
                    }
                    None => {
                        by_key.insert(key, (pending.len(), row.number));
                    }
                },
            }
        }
        pending.push(Pending { row: row.number, draft, failed, items: Vec::new(), item_rows: Vec::new() });
    }

    // Item rows.
    if let (Some(rows), Some(lay)) = (items, &item_layout) {
        let link = ITEM_COLUMNS.iter().position(|c| c.role == Role::Link);
        let link_header = link.map_or("资源序号", |l| ITEM_COLUMNS[l].header);
        for row in &rows[lay.header_at + 1..] {
            if !lay.row_has_data(&ITEM_COLUMNS, row) {
                continue;
            }
            let key_cell = row.cell(link.and_then(|l| lay.cols[l]));
            let link_error = |m: String| error(Sheet::Items, row.number, Some(link_header), "seq".into(), m);
            let owner = match parse::row_key(key_cell) {
                Err(m) => Err(link_error(m)),
                Ok(None) => Err(link_error("请填写资源序号：该信息项所属信息资源在“信息资源”表中的序号".into())),
                Ok(Some(key)) => by_key.get(&key).map(|(p, _)| *p).ok_or_else(|| {
                    link_error(format!(
                        "资源序号“{key}”在“信息资源”表中找不到对应的序号，请核对该信息项属于哪条信息资源"
                    ))
                }),
            };
            let owner = match owner {
                Ok(p) => p,
                Err(e) => {
                    out.errors.push(e);
                    continue;
                }
            };
            let Some(res) = pending.get_mut(owner) else { continue };
            let index = res.items.len();
            let mut draft = ItemDraft::default();
            let before = out.errors.len();
            for (col, idx) in ITEM_COLUMNS.iter().zip(&lay.cols) {
                if !matches!(col.role, Role::Required | Role::Optional) {
                    continue;
                }
                if idx.is_none() && col.role == Role::Optional {
                    continue;
                }
                if let Err(issue) = (col.read)(&mut draft, row.cell(*idx)) {
                    let field = template::field_path(Sheet::Items, col.field, Some(index), issue.index);
                    out.errors.push(error(Sheet::Items, row.number, Some(col.header), field, issue.message));
                }
            }
            let ok = out.errors.len() == before;
            res.failed |= !ok;
            res.items.push(if ok { draft.finish() } else { None });
            res.item_rows.push(row.number);
        }
    }

    for p in pending {
        let code = p.draft.code.clone();
        let spec = if p.failed {
            None
        } else {
            let items: Option<Vec<DataItem>> = p.items.into_iter().collect();
            let spec = items.and_then(|items| p.draft.finish(items));
            if spec.is_none() {
                out.errors.push(error(Sheet::Resources, p.row, None, String::new(), "该行缺少必填内容，无法读取"));
            }
            spec
        };
        out.rows.push(ImportedRow { sheet_row: p.row, code, spec, item_rows: Some(p.item_rows) });
    }

    if out.rows.is_empty() && out.errors.is_empty() {
        out.errors.push(CellError::file(
            Sheet::Resources.name(),
            "“信息资源”表只有表头，没有数据行；请在表头下逐行填写信息资源",
        ));
    }
    out
}
