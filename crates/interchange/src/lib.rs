//! Catalogue import and export in the compilation-template layout of
//! 《政务信息资源目录编制指南（试行）》: one sheet of resources (信息资源) and one sheet of data
//! items (信息项), as XLSX, as CSV (one file per sheet) and as JSON.
//!
//! - [`template`]: the column layout, one table used by both export and import.
//! - [`xlsx`], [`csv_format`], [`json`]: the three file formats.
//! - `parse`: turning cells into domain values; `rows`: turning sheet rows into entries.
//!
//! Import only parses: it never runs [`domain::catalog::validate_resource`] (that needs the
//! store). Every problem it finds is reported as a [`CellError`] naming the sheet, the row as
//! Excel shows it, the column header and the domain field path, with a Chinese message. Import
//! never panics, whatever the bytes.

use std::fmt;

use domain::catalog::ResourceSpec;
use domain::error::FieldError;

pub mod csv_format;
pub mod json;
mod parse;
mod rows;
pub mod template;
pub mod xlsx;

pub use csv_format::{export_csv, import_csv};
pub use json::{export_json, import_json};
pub use template::{Sheet, locate};
pub use xlsx::{ExportError, export_xlsx, import_xlsx};

/// The sheet name used in [`CellError::sheet`] for problems in a JSON file.
pub const JSON_SHEET: &str = "JSON";

/// One catalogue entry as exported or imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// 信息资源代码, if the entry has one.
    #[serde(default)]
    pub code: Option<String>,
    /// 状态, as the clerk should read it (e.g. "已发布"). Informational: ignored on import.
    #[serde(default)]
    pub status: Option<String>,
    /// Everything the department states about the resource.
    #[serde(rename = "resource")]
    pub spec: ResourceSpec,
}

/// What an import found: the rows it could read and every problem, all at once.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportOutcome {
    /// One per non-empty resource row (or JSON array element), in file order. Rows with
    /// problems are included with `spec: None`, so the server can decide whether to import only
    /// the valid ones.
    pub rows: Vec<ImportedRow>,
    pub errors: Vec<CellError>,
}

impl ImportOutcome {
    /// Whether no problem at all was found.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// The specs of the rows without problems.
    pub fn valid_specs(&self) -> impl Iterator<Item = &ResourceSpec> {
        self.rows.iter().filter_map(|r| r.spec.as_ref())
    }

    /// An outcome with a single problem about the file as a whole (row 0).
    pub(crate) fn file_error(sheet: &str, message: impl Into<String>) -> ImportOutcome {
        ImportOutcome { rows: Vec::new(), errors: vec![CellError::file(sheet, message)] }
    }
}

/// One resource read from a file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImportedRow {
    /// 1-based spreadsheet row number including the header, as Excel shows it; for JSON, the
    /// 1-based array index.
    pub sheet_row: usize,
    /// 信息资源代码 as written, so the server can decide to update an existing entry.
    pub code: Option<String>,
    /// `None` if the row, or one of its data item rows, had problems.
    pub spec: Option<ResourceSpec>,
    /// The items-sheet row of each of `spec.data_items`, in order; `None` for JSON imports.
    pub item_rows: Option<Vec<usize>>,
}

impl ImportedRow {
    /// Attaches a domain validation error (from `domain::catalog::validate_resource` on this
    /// row's spec) to the cell where a clerk fixes it: the resource row, or for
    /// `data_items[i].…` the row of that item in the items sheet.
    pub fn cell_error(&self, error: &FieldError) -> CellError {
        let (sheet, column) = locate(&error.field);
        let (sheet_name, row, column) = match (&self.item_rows, sheet) {
            (None, _) => (JSON_SHEET, self.sheet_row, column),
            (Some(item_rows), Sheet::Items) => {
                match template::item_index(&error.field).and_then(|i| item_rows.get(i)) {
                    Some(&row) => (Sheet::Items.name(), row, column),
                    // No item row to point at (e.g. "data_items" is empty): the resource row.
                    None => (Sheet::Resources.name(), self.sheet_row, None),
                }
            }
            (Some(_), Sheet::Resources) => (Sheet::Resources.name(), self.sheet_row, column),
        };
        CellError {
            sheet: sheet_name.to_string(),
            row,
            column: column.map(str::to_string),
            field: error.field.clone(),
            message: error.message.clone(),
        }
    }
}

/// One problem in one cell (or, with `column: None`, one row; with `row: 0`, the whole file).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellError {
    /// Chinese sheet name ("信息资源", "信息项"), or "JSON".
    pub sheet: String,
    /// 1-based row as Excel shows it (header included); 0 for the file as a whole.
    pub row: usize,
    /// Chinese column header.
    pub column: Option<String>,
    /// Domain field path, e.g. `share_type` or `data_items[2].length`; empty when the problem
    /// is not about one field.
    pub field: String,
    /// What is wrong and how to fix it, in Chinese.
    pub message: String,
}

impl CellError {
    pub(crate) fn file(sheet: &str, message: impl Into<String>) -> CellError {
        CellError { sheet: sheet.to_string(), row: 0, column: None, field: String::new(), message: message.into() }
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "“{}”", self.sheet)?;
        if self.row > 0 {
            write!(f, "第{}行", self.row)?;
        }
        if let Some(c) = &self.column {
            write!(f, "“{c}”列")?;
        }
        write!(f, "：{}", self.message)
    }
}

#[cfg(test)]
mod tests;
