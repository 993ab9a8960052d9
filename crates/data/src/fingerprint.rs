//! Per-recipient fingerprints of bulk downloads (国发〔2016〕51号 第十四条: shared data must not be
//! passed on): from a leaked copy of a download, the platform can tell which download (hence which
//! grant, user and department) it came from.
//!
//! **The mark is the order of the rows, never their values.** Every download gets a random
//! 128-bit [`Seed`]. The download stream is cut into blocks of at least [`BLOCK_ROWS`] rows (the
//! query's batches, small ones coalesced), and each block is reordered by a keyed hash of each
//! row's key text: the first 8 bytes of SHA-256(seed ‖ 0x00 ‖ key text), read big-endian, in
//! ascending order ([`row_hash`]). Memory stays bounded by one block; nothing is sorted globally.
//!
//! The key text of a row is the text of its key columns (the resource's key items when the
//! download carries them all, else every output column: [`key_columns`]), each value formatted
//! exactly as the CSV encoder writes it (arrow's display with the CSV writer's options), passed
//! through [`canonical`] and joined with U+001F. [`canonical`] makes the text independent of the
//! format and of a spreadsheet round trip (`3500.5000`, `3500.5` and an Excel number cell are the
//! same; so are `2026-01-05`, `2026/1/5` and an Excel date cell; surrounding spaces are ignored),
//! so the same key text is recomputed from a leaked CSV, NDJSON, XLSX or Parquet file as read by
//! [`crate::input`].
//!
//! **Attribution.** Under the right seed the hashes of a leaked copy's rows, in file order, rise
//! in long runs (one per block, thousands of rows; deleting rows or keeping a slice does not
//! break a run). Under any other seed the file order is unrelated to the hashes: about half the
//! adjacent pairs ascend, and runs average 2 rows. [`score`] counts the adjacent pairs with
//! different hashes (`pairs`, m) and those that ascend (`ascending_pairs`, A). Under the null
//! hypothesis "this file is not from this download" the number of ascents of a random order of
//! distinct values follows the Eulerian distribution, a sum of m independent Bernoulli variables
//! of mean 1/2 (its generating polynomial has only real roots), so Hoeffding's inequality bounds
//! the chance of A or more ascents by p ≤ exp(−2 (A − m/2)² / m).
//!
//! **The rule:** a file is attributed to a download when at least [`MIN_ROWS`] rows were compared
//! and p ≤ 10⁻⁹ ([`MAX_LOG10_P`]). Fifty rows in one block (49 ascending pairs) give
//! p ≤ 2·10⁻¹¹; a copy with a thousand rows gives p ≤ 10⁻²¹⁰. A false attribution needs a one in a
//! billion coincidence per download compared.
//!
//! **Limits.** Re-sorting or shuffling the rows destroys the mark (the values are untouched by
//! design, so the order is the only carrier); renaming or dropping a key column makes the key
//! text impossible to recompute; a file of fewer than [`MIN_ROWS`] rows is never attributed.

use std::borrow::Cow;
use std::path::Path;

use datafusion::arrow::array::{Array, RecordBatch, UInt32Array};
use datafusion::arrow::compute::{interleave_record_batch, take_record_batch};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::error::DataFusionError;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use domain::catalog::DataItem;
use futures::StreamExt;
use sha2::{Digest, Sha256};

use crate::DataError;
use crate::input::{InputOptions, RowReader};
use crate::query::BatchStream;

/// The secret of one download's fingerprint.
pub type Seed = [u8; 16];

/// Rows a block holds at least (except the last): smaller batches of the query are coalesced,
/// so that runs are long whatever the engine's batch size.
pub const BLOCK_ROWS: usize = 8192;

/// Rows a file must have before it can be attributed.
pub const MIN_ROWS: usize = 50;

/// The attribution threshold: log₁₀ of the largest p-value accepted (p ≤ 10⁻⁹).
pub const MAX_LOG10_P: f64 = -9.0;

/// Separates the texts of the key columns of one row.
const SEPARATOR: char = '\u{1f}';

/// The columns whose text orders a download: the resource's key items, in item order, when the
/// output has them all; otherwise every output column.
pub fn key_columns(items: &[DataItem], output: &[String]) -> Vec<String> {
    let keys: Vec<String> = items.iter().filter(|i| i.is_key).map(|i| i.name.clone()).collect();
    if !keys.is_empty() && keys.iter().all(|k| output.contains(k)) { keys } else { output.to_vec() }
}

/// The hash that orders a row: the first 8 bytes of SHA-256(seed ‖ 0x00 ‖ key text), big-endian.
pub fn row_hash(seed: &Seed, key_text: &str) -> u64 {
    Hasher::new(seed).hash(key_text)
}

/// [`row_hash`] with the seed's prefix absorbed once.
#[derive(Clone)]
struct Hasher(Sha256);

impl Hasher {
    fn new(seed: &Seed) -> Hasher {
        let mut h = Sha256::new();
        h.update(seed);
        h.update([0u8]);
        Hasher(h)
    }

    fn hash(&self, key_text: &str) -> u64 {
        let mut h = self.0.clone();
        h.update(key_text.as_bytes());
        let digest = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }
}

/// The key text of a row from the text of its key cells, in key order (`None`: empty or null).
pub fn key_text<'a>(cells: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut out = String::new();
    push_key_text(&mut out, cells);
    out
}

/// Appends the key text of `cells` to `out` (see [`key_text`]).
fn push_key_text<'a>(out: &mut String, cells: impl IntoIterator<Item = Option<&'a str>>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        if let Some(cell) = cell {
            out.push_str(&canonical(cell));
        }
    }
}

/// One cell's text, made independent of the file format and of a spreadsheet round trip:
///
/// - surrounding white space is dropped;
/// - an integer loses a `+` sign and leading zeros (`007` → `7`, `-0` → `0`), keeping every digit;
/// - a number with a fraction or an exponent is rounded to 15 significant digits, as Excel keeps
///   them, and written in the shortest form without exponent (`3500.5000` → `3500.5`, `3.0` →
///   `3`, `1e3` → `1000`, `0.30000000000000004` → `0.3`);
/// - a date `YYYY-M-D`, `YYYY/M/D` or `YYYY.M.D` becomes `YYYY-MM-DD`; a time after it (after `T`
///   or a space) becomes ` HH:MM:SS` with its fraction's trailing zeros dropped, and midnight is
///   dropped (`2026-01-05T08:00:00` → `2026-01-05 08:00:00`, `2026-01-05 00:00:00` →
///   `2026-01-05`);
/// - `TRUE` and `FALSE`, as Excel writes them, are `true` and `false`.
pub fn canonical(cell: &str) -> Cow<'_, str> {
    let s = cell.trim();
    if let Some(n) = number(s) {
        return Cow::Owned(n);
    }
    if let Some(d) = datetime(s) {
        return Cow::Owned(d);
    }
    match s {
        "TRUE" | "True" => Cow::Borrowed("true"),
        "FALSE" | "False" => Cow::Borrowed("false"),
        _ => Cow::Borrowed(s),
    }
}

fn number(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int = digits(&mut i);
    let mut frac = 0;
    let mut dot = false;
    if i < b.len() && b[i] == b'.' {
        dot = true;
        i += 1;
        frac = digits(&mut i);
    }
    if int + frac == 0 {
        return None;
    }
    let mut exp = false;
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        exp = true;
        i += 1;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    if !dot && !exp {
        let negative = b[0] == b'-';
        let body = s.trim_start_matches(['+', '-']).trim_start_matches('0');
        return Some(match body {
            "" => "0".to_string(),
            body if negative => format!("-{body}"),
            body => body.to_string(),
        });
    }
    let f: f64 = s.parse().ok()?;
    if !f.is_finite() {
        return None;
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    Some(if rounded == 0.0 { "0".to_string() } else { format!("{rounded}") })
}

fn datetime(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sep = b[4];
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    // Up to the time: YYYY sep M[M] sep D[D].
    let date_end = s.find(['T', ' ']).unwrap_or(s.len());
    let mut parts = s[..date_end].split(sep as char);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let small = |p: &str, max: u32| -> Option<u32> {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        p.parse().ok().filter(|v| (1..=max).contains(v))
    };
    let (m, d) = (small(m, 12)?, small(d, 31)?);
    let mut out = format!("{y}-{m:02}-{d:02}");
    if date_end == s.len() {
        return Some(out);
    }
    let time = s[date_end + 1..].trim_start();
    let (hms, fraction) = match time.split_once('.') {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => (hms, f.trim_end_matches('0')),
        Some(_) => return None,
        None => (time, ""),
    };
    let mut fields = hms.split(':');
    let clock = |p: Option<&str>, max: u32| -> Option<u32> {
        let p = p?;
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        p.parse().ok().filter(|v| *v <= max)
    };
    let h = clock(fields.next(), 23)?;
    let mi = clock(fields.next(), 59)?;
    let sec = match fields.next() {
        None => 0,
        Some(p) => clock(Some(p), 60)?,
    };
    if fields.next().is_some() {
        return None;
    }
    if (h, mi, sec) != (0, 0, 0) || !fraction.is_empty() {
        out.push_str(&format!(" {h:02}:{mi:02}:{sec:02}"));
        if !fraction.is_empty() {
            out.push('.');
            out.push_str(fraction);
        }
    }
    Some(out)
}

/// The key texts of a batch's rows: each key column's values as the CSV encoder writes them
/// (arrow's display with the CSV writer's options: nulls empty, default date and time formats).
pub fn batch_key_texts(batch: &RecordBatch, keys: &[usize]) -> Result<Vec<String>, ArrowError> {
    let mut texts = Vec::with_capacity(batch.num_rows());
    for_each_key_text(batch, keys, |text| texts.push(text.to_string()))?;
    Ok(texts)
}

/// Calls `f` with the key text of each row of `batch`, in row order, reusing one buffer (a
/// download hashes millions of rows: no allocation per row).
fn for_each_key_text(batch: &RecordBatch, keys: &[usize], mut f: impl FnMut(&str)) -> Result<(), ArrowError> {
    let options = FormatOptions::default().with_null("");
    let formatters = keys
        .iter()
        .map(|&k| ArrayFormatter::try_new(batch.column(k).as_ref(), &options))
        .collect::<Result<Vec<_>, _>>()?;
    let columns: Vec<&dyn Array> = keys.iter().map(|&k| batch.column(k).as_ref()).collect();
    let mut cells: Vec<String> = vec![String::new(); keys.len()];
    let mut text = String::new();
    for row in 0..batch.num_rows() {
        for ((cell, formatter), column) in cells.iter_mut().zip(&formatters).zip(&columns) {
            cell.clear();
            if !column.is_null(row) {
                formatter.value(row).write(cell)?;
            }
        }
        text.clear();
        push_key_text(&mut text, cells.iter().map(|c| Some(c.as_str()).filter(|c| !c.is_empty())));
        f(&text);
    }
    Ok(())
}

/// Reorders one block by the keyed hash of its rows' key texts (ties keep their order).
fn reorder(batch: &RecordBatch, hasher: &Hasher, keys: &[usize]) -> Result<RecordBatch, ArrowError> {
    if batch.num_rows() < 2 {
        return Ok(batch.clone());
    }
    let mut hashes: Vec<u64> = Vec::with_capacity(batch.num_rows());
    for_each_key_text(batch, keys, |text| hashes.push(hasher.hash(text)))?;
    let mut order: Vec<u32> = (0..batch.num_rows() as u32).collect();
    order.sort_unstable_by_key(|&i| (hashes[i as usize], i));
    take_record_batch(batch, &UInt32Array::from(order))
}

/// [`reorder`] of the block made of `batches` one after the other, without first copying them
/// into one batch: the rows are picked straight from the batches they are in.
fn reorder_batches(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    hasher: &Hasher,
    keys: &[usize],
) -> Result<RecordBatch, ArrowError> {
    if let [batch] = batches {
        return reorder(batch, hasher, keys);
    }
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if rows == 0 {
        return Ok(RecordBatch::new_empty(schema.clone()));
    }
    // (hash, position in the block, batch, row in the batch): ties keep the block's order.
    let mut order: Vec<(u64, u32, u32, u32)> = Vec::with_capacity(rows);
    for (b, batch) in batches.iter().enumerate() {
        let mut row = 0u32;
        for_each_key_text(batch, keys, |text| {
            order.push((hasher.hash(text), order.len() as u32, b as u32, row));
            row += 1;
        })?;
    }
    order.sort_unstable_by_key(|&(hash, position, _, _)| (hash, position));
    let picks: Vec<(usize, usize)> = order.iter().map(|&(_, _, b, row)| (b as usize, row as usize)).collect();
    let refs: Vec<&RecordBatch> = batches.iter().collect();
    interleave_record_batch(&refs, &picks)
}

/// The download stream, fingerprinted: blocks of at least [`BLOCK_ROWS`] rows (the last may be
/// smaller), each reordered by the keyed hash of its rows' key texts. Same schema, same rows,
/// same values; at most one block is held. `key_columns` must be output columns.
pub fn fingerprint_stream(stream: BatchStream, seed: Seed, key_columns: &[String]) -> Result<BatchStream, DataError> {
    fingerprint_stream_in_blocks(stream, seed, key_columns, BLOCK_ROWS)
}

/// The order every download of a version leaves in, whoever the recipient: rows reordered
/// within blocks by the seed's hash of `key_fields`, in blocks as large as a row group when the
/// scope hides or masks a column the version is stored sorted by
/// ([`crate::cluster::download_block_rows`]), so that the stored order never tells a hidden
/// value. Departments' downloads use a recorded seed (the fingerprint, `govshare trace`); public
/// downloads a fresh one.
pub fn download_order(
    stream: BatchStream,
    seed: Seed,
    items: &[DataItem],
    scope: &crate::access::Scope,
    key_fields: &[String],
) -> Result<BatchStream, DataError> {
    fingerprint_stream_in_blocks(stream, seed, key_fields, crate::cluster::download_block_rows(items, scope))
}

/// [`fingerprint_stream`] with blocks of at least `block_rows` rows (`cluster::download_block_rows`
/// chooses larger blocks when the stored order would say something the scope hides).
pub fn fingerprint_stream_in_blocks(
    stream: BatchStream,
    seed: Seed,
    key_columns: &[String],
    block_rows: usize,
) -> Result<BatchStream, DataError> {
    let block_rows = block_rows.max(BLOCK_ROWS);
    let schema = stream.schema();
    if key_columns.is_empty() {
        return Err(DataError::Engine("fingerprint without key columns".into()));
    }
    let keys = key_columns
        .iter()
        .map(|k| {
            schema
                .index_of(k)
                .map_err(|_| DataError::Engine(format!("fingerprint key column {k} is not in the output")))
        })
        .collect::<Result<Vec<usize>, _>>()?;
    struct State {
        input: BatchStream,
        pending: Vec<RecordBatch>,
        rows: usize,
        done: bool,
    }
    let hasher = Hasher::new(&seed);
    let block_schema = schema.clone();
    let blocks =
        futures::stream::unfold(State { input: stream, pending: Vec::new(), rows: 0, done: false }, move |mut st| {
            let (hasher, keys, schema) = (hasher.clone(), keys.clone(), block_schema.clone());
            async move {
                while !st.done && st.rows < block_rows {
                    match st.input.next().await {
                        Some(Ok(batch)) => {
                            if batch.num_rows() > 0 {
                                st.rows += batch.num_rows();
                                st.pending.push(batch);
                            }
                        }
                        Some(Err(e)) => {
                            // The download fails: what is pending is dropped with it.
                            st.done = true;
                            st.pending.clear();
                            return Some((Err(e), st));
                        }
                        None => st.done = true,
                    }
                }
                if st.pending.is_empty() {
                    return None;
                }
                let batches = std::mem::take(&mut st.pending);
                st.rows = 0;
                let out = reorder_batches(&schema, &batches, &hasher, &keys).map_err(DataFusionError::from);
                Some((out, st))
            }
        });
    Ok(Box::pin(RecordBatchStreamAdapter::new(schema, blocks)))
}

/// How well the order of a file's rows fits one seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Rows compared.
    pub rows: usize,
    /// Adjacent pairs whose hashes differ (pairs of equal key text say nothing).
    pub pairs: usize,
    /// Of those, the pairs whose hashes ascend.
    pub ascending_pairs: usize,
    /// Rows per ascending run (about 2 under a wrong seed).
    pub mean_run_length: f64,
    /// log₁₀ of Hoeffding's bound on the chance of so many ascending pairs without this seed
    /// (0 when there are no more ascending than descending pairs).
    pub log10_p: f64,
}

impl Score {
    /// The attribution rule: at least [`MIN_ROWS`] rows and p ≤ 10⁻⁹.
    pub fn attributed(&self) -> bool {
        self.rows >= MIN_ROWS && self.log10_p <= MAX_LOG10_P
    }
}

/// Scores the key texts of a file's rows, in file order, against a seed.
pub fn score(seed: &Seed, rows: &[String]) -> Score {
    let hasher = Hasher::new(seed);
    let mut pairs = 0usize;
    let mut ascending = 0usize;
    let mut previous: Option<u64> = None;
    for text in rows {
        let h = hasher.hash(text);
        if let Some(p) = previous
            && p != h
        {
            pairs += 1;
            if p < h {
                ascending += 1;
            }
        }
        previous = Some(h);
    }
    let runs = 1 + (pairs - ascending);
    let mean_run_length = if rows.is_empty() { 0.0 } else { rows.len() as f64 / runs as f64 };
    let m = pairs as f64;
    let excess = ascending as f64 - m / 2.0;
    let log10_p = if pairs == 0 || excess <= 0.0 { 0.0 } else { -2.0 * excess * excess / m / std::f64::consts::LN_10 };
    Score { rows: rows.len(), pairs, ascending_pairs: ascending, mean_run_length, log10_p }
}

/// The first rows of a file, as text, for tracing.
#[derive(Debug, Clone)]
pub struct Sample {
    pub header: Vec<String>,
    /// One cell per header column, in file order.
    pub rows: Vec<Vec<Option<String>>>,
    /// Rows that could not be read (skipped; a missing row does not break a run).
    pub unreadable: u64,
}

impl Sample {
    /// The key texts of the rows, when the header has every key column.
    pub fn key_texts(&self, key_columns: &[String]) -> Option<Vec<String>> {
        let idx =
            key_columns.iter().map(|k| self.header.iter().position(|h| h == k)).collect::<Option<Vec<usize>>>()?;
        Some(self.rows.iter().map(|r| key_text(idx.iter().map(|&i| r.get(i).and_then(|c| c.as_deref())))).collect())
    }
}

/// Reads at most `max_rows` rows of a file (any format [`crate::input`] reads), on a blocking
/// thread.
pub async fn read_sample(path: &Path, options: InputOptions, max_rows: usize) -> Result<Sample, DataError> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let reader = RowReader::open(&path, &options).map_err(|e| DataError::invalid(Some("file"), e.to_string()))?;
        let header = reader.header().to_vec();
        let mut rows = Vec::new();
        let mut unreadable = 0;
        for row in reader {
            match row {
                Ok(r) => rows.push(r.cells),
                Err(e) if e.fatal => break,
                Err(_) => unreadable += 1,
            }
            if rows.len() >= max_rows {
                break;
            }
        }
        Ok(Sample { header, rows, unreadable })
    })
    .await
    .map_err(|e| DataError::Engine(format!("reading the file failed: {e}")))?
}

#[cfg(test)]
mod tests;
