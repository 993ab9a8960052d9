//! The row checker: maps an upload's header to the resource's data items, checks every row
//! (types and lengths per data type, required items, identifiers, key uniqueness), appends the
//! accepted rows to Arrow builders and reports each rejected row, column and reason.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use domain::catalog::{DataItem, DataType, IdentifierKind};
use domain::identifiers::{check_citizen_id, check_credit_code, check_mobile, check_org_code, check_region_code};

use super::batch::{ColumnBuilder, RowData, TextBytes, TextSource, Value};
use super::cell::{
    CellError, decode_base64, parse_bool, parse_currency, parse_date, parse_integer, parse_number, parse_timestamp,
    storage_len, trim_cell,
};
use super::schema::batch_schema;

/// How rows are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// Today's date: a 公民身份号码 may not carry a later birth date.
    pub today: NaiveDate,
    /// Columns that are not data items are ignored instead of rejecting the header.
    pub ignore_extra: bool,
    /// Reject rows whose key (the items with `is_key`) repeats an earlier accepted row.
    pub check_keys: bool,
}

impl CheckOptions {
    /// Strict options: extra columns are an error and keys are checked.
    pub fn new(today: NaiveDate) -> CheckOptions {
        CheckOptions { today, ignore_extra: false, check_keys: true }
    }
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// The row number the caller gave (the row of the file).
    pub row: u64,
    /// The data item (信息项) concerned; `None` for problems of the whole row (stray cells, a
    /// composite key).
    pub column: Option<String>,
    /// `type`, `length`, `required`, `duplicate_key`, `identifier` or `columns`; `read` for a row
    /// the reader could not read ([`Rejection::from_row_error`]).
    pub code: &'static str,
    /// What is wrong, specifically, in Chinese.
    pub reason: String,
    /// The offending value, cut to its first 64 characters.
    pub value: Option<String>,
}

impl Rejection {
    /// A row the reader could not turn into cells (wrong number of cells, a broken JSON line, a
    /// nested value…), as a rejection with code `read`. `column` is the reader's column name (a
    /// header name, or a position when the column has none).
    pub fn from_row_error(e: &crate::input::RowError) -> Rejection {
        let reason = if e.fatal { format!("{}（读取已停止）", e.message) } else { e.message.clone() };
        Rejection { row: e.number, column: e.column.clone(), code: "read", reason, value: None }
    }
}

/// How many characters of an offending value a rejection keeps.
const VALUE_CHARS: usize = 64;

fn shown(s: &str) -> String {
    s.chars().take(VALUE_CHARS).collect()
}

/// A bounded report of rejected rows: keeps the first `keep` rejections and counts all.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RejectionReport {
    /// Rows with at least one rejection.
    pub total_rejected_rows: u64,
    /// Rejections in all rows.
    pub total_rejections: u64,
    /// The first `keep` rejections, in the order they were added.
    pub first: Vec<Rejection>,
    pub keep: usize,
}

impl RejectionReport {
    pub fn new(keep: usize) -> Self {
        RejectionReport { total_rejected_rows: 0, total_rejections: 0, first: Vec::new(), keep }
    }

    /// Adds the rejections of one row (an empty list, an accepted row, changes nothing).
    pub fn add(&mut self, row_rejections: Vec<Rejection>) {
        if row_rejections.is_empty() {
            return;
        }
        self.total_rejected_rows += 1;
        self.total_rejections += row_rejections.len() as u64;
        let room = self.keep.saturating_sub(self.first.len());
        self.first.extend(row_rejections.into_iter().take(room));
    }

    /// Adds a later part's report: its rejections come after this one's.
    pub fn absorb(&mut self, later: RejectionReport) {
        self.total_rejected_rows += later.total_rejected_rows;
        self.total_rejections += later.total_rejections;
        let room = self.keep.saturating_sub(self.first.len());
        self.first.extend(later.first.into_iter().take(room));
    }

    /// Adds `count` rejections found after the fact (such as duplicate keys), of which `listed`
    /// are the first few in row order, and `new_rows` rows that had none before. They take their
    /// place among the kept ones by row; within a row, after those already there.
    pub(crate) fn merge_in_order(&mut self, listed: Vec<Rejection>, count: u64, new_rows: u64) {
        if count == 0 {
            return;
        }
        self.total_rejected_rows += new_rows;
        self.total_rejections += count;
        let mut merged = Vec::with_capacity(self.first.len() + listed.len());
        let mut later = listed.into_iter().peekable();
        for r in std::mem::take(&mut self.first) {
            while let Some(l) = later.next_if(|l| l.row < r.row) {
                merged.push(l);
            }
            merged.push(r);
        }
        merged.extend(later);
        merged.truncate(self.keep);
        self.first = merged;
    }

    /// No row was rejected.
    pub fn is_empty(&self) -> bool {
        self.total_rejections == 0
    }

    /// Rejections counted but not kept in `first`.
    pub fn omitted(&self) -> u64 {
        self.total_rejections.saturating_sub(self.first.len() as u64)
    }
}

/// Why a file's header does not fit the resource's data items. Every list is complete, so the
/// clerk can fix the header in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct HeaderError {
    /// Required data items with no column.
    pub missing: Vec<String>,
    /// Columns that are not data items (reported unless `ignore_extra`).
    pub extra: Vec<String>,
    /// Columns that name a data item already matched by an earlier column.
    pub duplicate: Vec<String>,
    /// Not a single column matched a data item (or the resource has no data items).
    pub nothing_matched: bool,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.nothing_matched {
            parts.push("表头与该资源的信息项没有一列对应，请确认上传的是该资源的数据文件，且第一行是表头".to_string());
        }
        if !self.missing.is_empty() {
            parts.push(format!("缺少必填信息项：{}", self.missing.join("、")));
        }
        if !self.extra.is_empty() {
            parts.push(format!(
                "表头中有不属于信息项的列：{}（请删除这些列，或选择忽略多余的列）",
                self.extra.join("、")
            ));
        }
        if !self.duplicate.is_empty() {
            parts.push(format!("表头中的列重复：{}", self.duplicate.join("、")));
        }
        f.write_str(&parts.join("；"))
    }
}

impl std::error::Error for HeaderError {}

/// One data item and the file column it is read from.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    data_type: DataType,
    length: Option<u32>,
    required: bool,
    is_key: bool,
    identifier: Option<IdentifierKind>,
    /// Index of the cell in a row; `None` when the file has no such column (all nulls).
    cell: Option<usize>,
}

/// The 128-bit hash of a normalised key: two independent 64-bit SipHashes. Two `u64`s rather
/// than a `u128` so that a map entry is 24 bytes with 8-byte alignment instead of 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyHash(u64, u64);

impl Hash for KeyHash {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Already a uniform hash: feed one half to the map's pass-through hasher.
        state.write_u64(self.0);
    }
}

/// A hasher that passes a `u64` through: the keys it sees are SipHash outputs already.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The two seeded hashers behind a [`KeyHash`]. Checkers that share a [`KeySet`] must share
/// these too.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyHasher {
    a: RandomState,
    b: RandomState,
}

/// The keys of the rows accepted so far, each with its row number.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    map: HashMap<KeyHash, u64, BuildHasherDefault<PassThrough>>,
}

impl KeySet {
    /// The row that already has this key.
    pub(crate) fn get(&self, key: KeyHash) -> Option<u64> {
        self.map.get(&key).copied()
    }

    pub(crate) fn insert(&mut self, key: KeyHash, row: u64) {
        self.map.insert(key, row);
    }

    /// Makes room for `more` keys at once.
    pub(crate) fn reserve(&mut self, more: usize) {
        self.map.reserve(more);
    }
}

/// Feeds one normalised key part to a hasher. Parts of one key have fixed types in a fixed
/// order, and every part's encoding is prefix-free, so different keys hash different inputs.
fn hash_value<H: Hasher>(value: Value, row: &RowData<'_>, h: &mut H) {
    match value {
        Value::Null => h.write_u8(0),
        Value::Text(src) => row.text(src).hash(h),
        Value::Bytes { start, end } => row.bytes(start, end).hash(h),
        // +0.0 and -0.0 are the same number.
        Value::Float(v) => h.write_u64(if v == 0.0 { 0 } else { v.to_bits() }),
        Value::Int(v) | Value::Timestamp(v) => h.write_i64(v),
        Value::Decimal(v) => h.write_i128(v),
        Value::Date(v) => h.write_i32(v),
        Value::Bool(v) => h.write_u8(u8::from(v)),
    }
}

/// Checks rows against a resource's data items and collects the accepted ones as Arrow data.
///
/// Rows are checked in two steps: every cell is parsed into a [`Value`] (a number, or a position
/// in the row or in a scratch buffer reused from row to row), then, only if no cell was
/// rejected, the values are appended to the builders. So a rejected row never reaches a batch,
/// and a cell costs no allocation beyond the builders' own growth — except for cells of
/// identifier items, whose check (`domain::identifiers`) returns a new normalised string.
///
/// Key uniqueness keeps, for every accepted row, a 128-bit hash of its normalised key and its
/// row number: 24 bytes per map bucket plus 1 control byte, and the map keeps between 1.14 and
/// 2.3 buckets per key, so 29–57 bytes per accepted row (10 million rows ≈ 420 MB; half as much
/// again while the map grows). Two distinct keys share a hash with probability about n²/2¹²⁹
/// (≈ 10⁻²⁵ for 10 million rows). Set `check_keys: false` when the resource has no key or the
/// source guarantees it.
pub struct RowChecker {
    columns: Vec<Column>,
    header_len: usize,
    /// Per header column: true when a value there is a stray cell (no header name and extra
    /// columns not ignored).
    stray: Vec<bool>,
    /// Some entry of `stray` is true.
    has_stray: bool,
    opts: CheckOptions,
    schema: SchemaRef,
    builders: Vec<ColumnBuilder>,
    pending: usize,
    accepted: u64,
    rejected: u64,
    /// Scratch buffers, cleared for every row.
    values: Vec<Value>,
    text: String,
    bytes: Vec<u8>,
    /// Indexes (into `columns`) of the key items; empty when keys are not checked.
    key_columns: Vec<usize>,
    /// The keys seen by [`RowChecker::push`].
    keys: KeySet,
    hasher: KeyHasher,
}

/// A header name as compared: trimmed, without a byte-order mark.
fn header_name(h: &str) -> &str {
    h.trim().trim_start_matches('\u{feff}').trim()
}

impl RowChecker {
    /// Maps the file's header to the data items.
    ///
    /// Every required item must have a column; columns that are not data items are an error
    /// unless `opts.ignore_extra` is set (columns with an empty header are allowed, but a row
    /// with a value in one is rejected). A name matches exactly after trimming, else
    /// case-insensitively. Items without a column are null in every row.
    pub fn new(items: &[DataItem], header: &[String], opts: CheckOptions) -> Result<RowChecker, HeaderError> {
        let names: Vec<&str> = header.iter().map(|h| header_name(h)).collect();
        let item_names: Vec<&str> = items.iter().map(|i| i.name.trim()).collect();
        let mut item_cell: Vec<Option<usize>> = vec![None; items.len()];
        let mut matched = vec![false; names.len()];
        let mut error = HeaderError::default();

        // Exact matches first, so that a case-insensitive match never takes an exact one's item.
        for (c, name) in names.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            if let Some(i) = item_names.iter().position(|n| n == name) {
                matched[c] = true;
                match item_cell[i] {
                    None => item_cell[i] = Some(c),
                    Some(_) => error.duplicate.push((*name).to_string()),
                }
            }
        }
        let lower_items: Vec<String> = item_names.iter().map(|n| n.to_lowercase()).collect();
        for (c, name) in names.iter().enumerate() {
            if matched[c] || name.is_empty() {
                continue;
            }
            let lower = name.to_lowercase();
            let free = (0..items.len()).find(|&i| item_cell[i].is_none() && lower_items[i] == lower);
            if let Some(i) = free {
                item_cell[i] = Some(c);
                matched[c] = true;
            } else if lower_items.contains(&lower) {
                matched[c] = true;
                error.duplicate.push((*name).to_string());
            } else if !opts.ignore_extra {
                error.extra.push((*name).to_string());
            }
        }
        error.missing = items
            .iter()
            .zip(&item_cell)
            .filter(|(i, c)| i.required && c.is_none())
            .map(|(i, _)| i.name.clone())
            .collect();
        error.nothing_matched = item_cell.iter().all(Option::is_none);
        if error.nothing_matched || !error.missing.is_empty() || !error.extra.is_empty() || !error.duplicate.is_empty()
        {
            return Err(error);
        }

        let columns: Vec<Column> = items
            .iter()
            .zip(&item_cell)
            .map(|(i, &cell)| Column {
                name: i.name.clone(),
                data_type: i.data_type,
                length: i.length,
                required: i.required,
                is_key: i.is_key,
                identifier: i.identifier,
                cell,
            })
            .collect();
        let stray: Vec<bool> =
            names.iter().zip(&matched).map(|(n, &m)| !m && n.is_empty() && !opts.ignore_extra).collect();
        let key_columns =
            if opts.check_keys { (0..columns.len()).filter(|&i| columns[i].is_key).collect() } else { Vec::new() };
        let builders = columns.iter().map(|c| ColumnBuilder::new(c.data_type, 0, TextBytes::default())).collect();
        Ok(RowChecker {
            header_len: header.len(),
            has_stray: stray.contains(&true),
            stray,
            opts,
            schema: batch_schema(items),
            builders,
            pending: 0,
            accepted: 0,
            rejected: 0,
            values: Vec::with_capacity(columns.len()),
            text: String::new(),
            bytes: Vec::new(),
            key_columns,
            keys: KeySet::default(),
            hasher: KeyHasher::default(),
            columns,
        })
    }

    /// The Arrow schema of the first batch ([`batch_schema`] of the items); later batches hold
    /// text that averaged at most 12 bytes per row in the batch before as `Utf8`
    /// ([`RowChecker::take_batch`]).
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Checks one row; on success appends it to the current batch. Returns the rejections of
    /// this row (empty = accepted); every cell is checked, so a row with two bad cells gets two.
    ///
    /// Cells are in header order; an empty string is an empty cell. A row shorter than the
    /// header has nulls in the missing cells (spreadsheets drop trailing empty cells); a value
    /// beyond the header, or under a column with an empty header, is rejected with `columns`
    /// unless extra columns are ignored.
    pub fn push(&mut self, number: u64, cells: &[&str]) -> Vec<Rejection> {
        let mut rejections = Vec::new();
        let key = self.check_cells(number, cells, &mut rejections);
        if let Some(key) = key {
            if let Some(earlier) = self.keys.get(key) {
                rejections.push(self.duplicate(number, earlier, cells));
            } else if rejections.is_empty() {
                self.keys.insert(key, number);
            }
        }
        if rejections.is_empty() {
            self.append(cells);
        } else {
            self.rejected += 1;
        }
        rejections
    }

    /// The cell checks of [`RowChecker::push`], without the key's uniqueness and without
    /// appending: adds this row's rejections to `rejections` and returns the row's key hash when
    /// keys are checked and the key is complete. Then [`RowChecker::append`] appends the row.
    pub(crate) fn check_cells(
        &mut self,
        number: u64,
        cells: &[&str],
        rejections: &mut Vec<Rejection>,
    ) -> Option<KeyHash> {
        self.values.clear();
        self.text.clear();
        self.bytes.clear();

        // Most files have neither unnamed columns nor cells past the header: nothing to look at.
        let may_stray = self.has_stray || (cells.len() > self.stray.len() && !self.opts.ignore_extra);
        let stray = if may_stray { self.first_stray(cells) } else { None };
        if let Some((c, value)) = stray {
            let reason = if c >= self.header_len {
                format!("第{}列超出表头（表头共{}列），但填有数据，请核对是否错列", c + 1, self.header_len)
            } else {
                format!("第{}列没有列名，但填有数据，请补上列名或删除该列", c + 1)
            };
            rejections.push(Rejection {
                row: number,
                column: None,
                code: "columns",
                reason,
                value: Some(shown(value)),
            });
        }

        for column in &self.columns {
            let index = column.cell;
            let raw = index.and_then(|c| cells.get(c)).copied();
            let checked = check_cell(column, raw, index.unwrap_or(0), &self.opts, &mut self.text, &mut self.bytes);
            match checked {
                Ok(value) => self.values.push(value),
                Err(e) => {
                    self.values.push(Value::Null);
                    let value = if e.code == "required" { None } else { raw.map(|r| shown(r.trim())) };
                    rejections.push(Rejection {
                        row: number,
                        column: Some(column.name.clone()),
                        code: e.code,
                        reason: e.reason,
                        value,
                    });
                }
            }
        }

        if self.key_columns.is_empty() || self.key_columns.iter().any(|&i| self.values[i] == Value::Null) {
            return None;
        }
        let row = RowData { cells, text: &self.text, bytes: &self.bytes };
        let mut ha = self.hasher.a.build_hasher();
        let mut hb = self.hasher.b.build_hasher();
        for &i in &self.key_columns {
            hash_value(self.values[i], &row, &mut ha);
            hash_value(self.values[i], &row, &mut hb);
        }
        Some(KeyHash(ha.finish(), hb.finish()))
    }

    /// The first cell with a value where there should be none (under an unnamed column, or past
    /// the header unless extra columns are ignored).
    fn first_stray<'c>(&self, cells: &[&'c str]) -> Option<(usize, &'c str)> {
        cells.iter().enumerate().find_map(|(c, &value)| {
            let is_stray = match self.stray.get(c) {
                Some(&s) => s,
                None => !self.opts.ignore_extra,
            };
            (is_stray && !value.trim().is_empty()).then_some((c, value))
        })
    }

    /// Appends the row last checked by [`RowChecker::check_cells`] (which must have found
    /// nothing wrong) to the current batch; `cells` are the same cells.
    pub(crate) fn append(&mut self, cells: &[&str]) {
        let row = RowData { cells, text: &self.text, bytes: &self.bytes };
        for (builder, &value) in self.builders.iter_mut().zip(&self.values) {
            builder.append(value, &row);
        }
        self.pending += 1;
        self.accepted += 1;
    }

    /// Whether rows' keys are checked (the resource has key items and the options ask for it).
    pub(crate) fn checks_keys(&self) -> bool {
        !self.key_columns.is_empty()
    }

    /// The hashers of this checker's keys.
    pub(crate) fn key_hasher(&self) -> KeyHasher {
        self.hasher.clone()
    }

    /// Hashes keys as `hasher` does, to share a [`KeySet`] with other checkers.
    pub(crate) fn set_key_hasher(&mut self, hasher: KeyHasher) {
        self.hasher = hasher;
    }

    /// The rejection of a row whose key repeats row `earlier`.
    pub(crate) fn duplicate(&self, number: u64, earlier: u64, cells: &[&str]) -> Rejection {
        let key: Vec<&Column> = self.key_columns.iter().map(|&i| &self.columns[i]).collect();
        let value = key
            .iter()
            .map(|c| c.cell.and_then(|i| cells.get(i)).copied().unwrap_or_default().trim())
            .collect::<Vec<_>>()
            .join("、");
        let (column, reason) = match key.as_slice() {
            [single] => (Some(single.name.clone()), format!("主键重复：与第{earlier}行的{}相同", single.name)),
            _ => {
                let names = key.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join("、");
                (None, format!("主键（{names}）重复：与第{earlier}行相同"))
            }
        };
        Rejection { row: number, column, code: "duplicate_key", reason, value: Some(shown(&value)) }
    }

    /// Takes the rows accepted since the last call as a `RecordBatch` (`None` if there are none).
    /// Its schema is [`RowChecker::schema`], except that a text column is `Utf8` instead of
    /// `Utf8View` when its text averaged at most 12 bytes per row in the batch taken before.
    /// Call when `pending() >= batch_size`, and once more at the end.
    pub fn take_batch(&mut self) -> Result<Option<RecordBatch>, ArrowError> {
        let rows = self.pending;
        if rows == 0 {
            return Ok(None);
        }
        self.pending = 0;
        let mut arrays = Vec::with_capacity(self.builders.len());
        for (builder, column) in self.builders.iter_mut().zip(&self.columns) {
            let bytes = builder.data_len();
            arrays.push(builder.finish());
            // The next batch is likely as large, and its text as long: size the builder once
            // instead of growing it, and build short text as `Utf8`.
            *builder = ColumnBuilder::new(column.data_type, rows, bytes);
        }
        let same = arrays.iter().zip(self.schema.fields()).all(|(a, f)| a.data_type() == f.data_type());
        let schema = if same {
            self.schema.clone()
        } else {
            let fields: Vec<Field> = arrays
                .iter()
                .zip(self.schema.fields())
                .map(|(a, f)| f.as_ref().clone().with_data_type(a.data_type().clone()))
                .collect();
            Arc::new(Schema::new_with_metadata(fields, self.schema.metadata().clone()))
        };
        RecordBatch::try_new(schema, arrays).map(Some)
    }

    /// Rows accepted but not yet taken.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Rows accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Rows rejected so far.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }
}

/// Checks one cell and parses it into a [`Value`]; normalised text goes to `text`, decoded
/// bytes to `bytes`. `index` is the cell's position in the row (meaningful when `raw` is some).
fn check_cell(
    column: &Column,
    raw: Option<&str>,
    index: usize,
    opts: &CheckOptions,
    text: &mut String,
    bytes: &mut Vec<u8>,
) -> Result<Value, CellError> {
    let cell = raw.map(|r| (r, trim_cell(r))).filter(|(_, trimmed)| !trimmed.is_empty());
    let Some((raw, trimmed)) = cell else {
        if column.required {
            return Err(CellError { code: "required", reason: "必填信息项不能为空".to_string() });
        }
        if column.is_key && opts.check_keys {
            return Err(CellError { code: "required", reason: "主键信息项不能为空".to_string() });
        }
        return Ok(Value::Null);
    };

    // An identifier is checked and normalised first; the data type then applies to the
    // normalised text.
    if let Some(kind) = column.identifier {
        let start = text.len();
        let checked = match kind {
            IdentifierKind::CitizenId => check_citizen_id(trimmed, opts.today).map(|v| text.push_str(v.as_str())),
            IdentifierKind::CreditCode => check_credit_code(trimmed).map(|v| text.push_str(v.as_str())),
            IdentifierKind::OrgCode => check_org_code(trimmed).map(|v| text.push_str(&v)),
            IdentifierKind::RegionCode => check_region_code(trimmed).map(|v| text.push_str(v.as_str())),
            IdentifierKind::Mobile => check_mobile(trimmed).map(|()| text.push_str(trimmed)),
        };
        checked.map_err(|e| CellError { code: "identifier", reason: e.to_string() })?;
        let end = text.len();
        if matches!(column.data_type, DataType::C | DataType::M) {
            check_storage_len(column, &text[start..end])?;
            return Ok(Value::Text(TextSource::Scratch { start, end }));
        }
        let value = parse_typed(column, &text[start..end], bytes);
        text.truncate(start);
        return value;
    }

    match column.data_type {
        DataType::C | DataType::M => {
            // Kept as written; only a carriage return left over from CRLF line ends is cut.
            let value = raw.strip_suffix('\r').unwrap_or(raw);
            check_storage_len(column, value)?;
            Ok(Value::Text(TextSource::Cell { index, len: value.len() }))
        }
        _ => parse_typed(column, trimmed, bytes),
    }
}

/// 数据长度 of character data: storage bytes as in GBK / GB 18030 ([`storage_len`]).
fn check_storage_len(column: &Column, value: &str) -> Result<(), CellError> {
    let Some(limit) = column.length else { return Ok(()) };
    // A value never takes more storage bytes than UTF-8 bytes: most need no counting.
    if value.len() <= limit as usize {
        return Ok(());
    }
    let actual = storage_len(value);
    if actual > limit as usize {
        return Err(CellError::length(format!("数据长度超出：定义为{limit}字节，实际为{actual}字节（汉字按2字节计）")));
    }
    Ok(())
}

/// 数据长度 of numbers: the most digits a value may have.
fn check_digits(column: &Column, digits: usize) -> Result<(), CellError> {
    match column.length {
        Some(limit) if digits > limit as usize => {
            Err(CellError::length(format!("数字位数超出：定义为{limit}位，实际为{digits}位")))
        }
        _ => Ok(()),
    }
}

/// Parses a trimmed, non-empty cell of a non-text data type (text types pass through).
fn parse_typed(column: &Column, s: &str, bytes: &mut Vec<u8>) -> Result<Value, CellError> {
    match column.data_type {
        // Only reached for identifier items, whose text is already in the scratch buffer.
        DataType::C | DataType::M => Err(CellError::kind("内部错误：文本值未能保存")),
        DataType::N | DataType::B | DataType::F => {
            let n = parse_number(s)?;
            check_digits(column, n.digits)?;
            Ok(Value::Float(n.value))
        }
        DataType::I => {
            let (v, digits) = parse_integer(s)?;
            check_digits(column, digits)?;
            Ok(Value::Int(v))
        }
        DataType::Y => parse_currency(s).map(Value::Decimal),
        DataType::D => parse_date(s).map(Value::Date),
        DataType::T => parse_timestamp(s).map(Value::Timestamp),
        DataType::L => parse_bool(s).map(Value::Bool),
        DataType::G => {
            let start = bytes.len();
            decode_base64(s, bytes)?;
            Ok(Value::Bytes { start, end: bytes.len() })
        }
    }
}
