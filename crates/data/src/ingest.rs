//! Ingest: an uploaded file becomes one Parquet file of checked rows, on every core.
//!
//! ```text
//! reader thread ──blocks of raw records──▶ workers, one per core ──encoded row groups──▶ writer
//!  cuts the file into records,              decode and check each row, keys in file        appends row groups in
//!  one row group's worth per block          order, sort by the cluster key, encode and     file order to the object
//!                                           compress the row group's column chunks         store; merges the reports
//! ```
//!
//! Reading is sequential and cheap: the reader copies records' bytes into a [`RecordBlock`]
//! without decoding them. Everything that costs — decoding, the row checks, building Arrow arrays,
//! sorting, Parquet encoding and compression — runs on the workers, one block (one row group) at
//! a time. Two things must see the file in order, and do: key uniqueness (every block takes its
//! turn at the shared [`KeySet`], so the later of two rows with one key is the duplicate, as when
//! reading alone) and the file itself (row groups are appended in block order, so the layout does
//! not depend on the number of cores or on timing).
//!
//! Block 0 also decides how every row group is encoded: the worker that checks it makes the
//! encoder ([`encoding`]), and the others wait for it before encoding.
//!
//! Memory stays bounded whatever the file size: a block holds at most [`CLUSTER_ROWS`] rows and
//! [`crate::input::BLOCK_BYTES`] bytes; the reader is at most one block ahead of the workers; each
//! worker holds one block, its arrays and its encoded row group; the writer sends each row group
//! to the store as it comes. What grows with the file is the key set (see [`RowChecker`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use datafusion::arrow::array::{BooleanArray, RecordBatch};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_writer::{ArrowColumnChunk, ArrowRowGroupWriterFactory, compute_leaves};
use datafusion::parquet::file::writer::SerializedFileWriter;
use domain::catalog::DataItem;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use tokio::io::AsyncWriteExt;

use crate::DataError;
use crate::cluster::{CLUSTER_ROWS, ClusterKey};
use crate::input::{BlockSize, RecordBlock, RowReader};
use crate::rows::{CheckOptions, KeyHash, KeySet, Rejection, RejectionReport, RowChecker, arrow_schema};
use crate::storage::DatasetStorage;

/// What to ingest and how.
pub(crate) struct IngestInput {
    pub items: Vec<DataItem>,
    pub reader: RowReader,
    pub check: CheckOptions,
    /// Publish the valid rows even if some are rejected; otherwise nothing is written once a
    /// row is rejected (the file is still read to the end, to count every rejection).
    pub accept_valid: bool,
    /// Rejections listed in the report (all are counted).
    pub keep_rejections: usize,
    /// Rows per block, and so the most rows per row group: [`CLUSTER_ROWS`] (less in tests).
    pub block_rows: usize,
    /// Worker threads: [`default_workers`] (more in tests).
    pub workers: usize,
    /// The upload's size in bytes (0 if unknown): sizes the key set once from the first block
    /// instead of growing it block after block.
    pub file_bytes: u64,
}

/// One worker per core (at most 8).
pub(crate) fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8)
}

/// What an ingest did.
#[derive(Debug)]
pub(crate) struct Ingested {
    /// Rows written (or that would have been, had nothing been rejected).
    pub accepted: u64,
    pub report: RejectionReport,
    /// The file was completed on the store. When `false` nothing of it remains.
    pub written: bool,
}

/// Checks every row of `input.reader` and writes the accepted rows to `path` on the store as one
/// Parquet file: completed only if rows were accepted and, unless `accept_valid`, none was
/// rejected; otherwise the partial upload is aborted.
pub(crate) async fn ingest(storage: &DatasetStorage, path: &str, input: IngestInput) -> Result<Ingested, DataError> {
    let threads = input.workers.max(1);
    let block_rows = input.block_rows.clamp(1, CLUSTER_ROWS);
    let schema = arrow_schema(&input.items);
    let cluster = ClusterKey::for_items(&input.items);
    let mut object = BufWriter::new(storage.store(), ObjectPath::from(path));

    let header = input.reader.header().to_vec();
    let mut checkers = Vec::with_capacity(threads);
    for _ in 0..threads {
        let checker = RowChecker::new(&input.items, &header, input.check)
            .map_err(|e| DataError::invalid(Some("file"), e.to_string()))?;
        checkers.push(checker);
    }
    let hasher = checkers[0].key_hasher();
    let shared = Arc::new(Shared {
        turns: Mutex::new(Turns { next: 0, keys: KeySet::default(), encoder: None }),
        turn: Condvar::new(),
        stop: AtomicBool::new(false),
        refused: AtomicBool::new(false),
        accept_valid: input.accept_valid,
        keep: input.keep_rejections,
        file_bytes: input.file_bytes,
        header,
        items: input.items,
        cluster,
        schema,
    });
    // Stops every thread however this function ends (an error, a dropped future).
    let _stop = StopOnDrop(shared.clone());

    let (block_tx, block_rx) = sync_channel::<(u64, RecordBlock)>(0);
    let (spare_tx, spare_rx) = sync_channel::<RecordBlock>(threads);
    let block_rx = Arc::new(Mutex::new(block_rx));
    let (unit_tx, mut unit_rx) = tokio::sync::mpsc::channel::<Unit>(threads);

    let reader = {
        let shared = shared.clone();
        let reader = input.reader;
        tokio::task::spawn_blocking(move || read_blocks(reader, block_rows, &block_tx, &spare_rx, &shared))
    };
    let mut workers = Vec::with_capacity(threads);
    for mut checker in checkers {
        checker.set_key_hasher(hasher.clone());
        let (shared, blocks, spare, units) = (shared.clone(), block_rx.clone(), spare_tx.clone(), unit_tx.clone());
        workers.push(tokio::task::spawn_blocking(move || work(checker, &blocks, &spare, &units, &shared)));
    }
    // Only the workers receive blocks: once they are gone, the reader's send fails.
    drop((unit_tx, spare_tx, block_rx));

    // The writer: row groups and reports in block order. The file writer comes with block 0.
    let mut file: Option<SerializedFileWriter<Vec<u8>>> = None;
    let mut report = RejectionReport::new(input.keep_rejections);
    let mut accepted = 0u64;
    let mut waiting: BTreeMap<u64, Unit> = BTreeMap::new();
    let mut next = 0u64;
    let mut failed: Option<DataError> = None;
    'receive: while let Some(unit) = unit_rx.recv().await {
        waiting.insert(unit.seq, unit);
        while let Some(unit) = waiting.remove(&next) {
            next += 1;
            if unit.file.is_some() {
                file = unit.file;
            }
            report.absorb(unit.report);
            accepted += unit.accepted;
            let Some(chunks) = unit.chunks else { continue };
            if !(input.accept_valid || report.is_empty()) {
                continue;
            }
            let Some(file) = file.as_mut() else {
                failed = Some(DataError::Engine("row groups came before the file writer".into()));
                break 'receive;
            };
            if let Err(e) = append_row_group(file, &mut object, chunks).await {
                failed = Some(e);
                break 'receive;
            }
        }
    }
    if failed.is_some() {
        shared.stop();
    }
    drop(unit_rx);
    // Every thread has ended before the outcome is decided; the reader's error (the file's
    // problem, for the provider) comes first.
    let read = reader.await.unwrap_or_else(|e| Err(DataError::Engine(format!("reader task failed: {e}"))));
    if let Err(e) = read {
        failed = Some(e);
    }
    for worker in workers {
        let worked = worker.await.unwrap_or_else(|e| Err(DataError::Engine(format!("ingest worker failed: {e}"))));
        if let Err(e) = worked {
            failed.get_or_insert(e);
        }
    }
    if let Some(e) = failed {
        abandon(object).await;
        return Err(e);
    }
    let publish = accepted > 0 && (input.accept_valid || report.is_empty());
    if !publish {
        abandon(object).await;
        return Ok(Ingested { accepted, report, written: false });
    }
    let Some(mut file) = file else {
        abandon(object).await;
        return Err(DataError::Engine("rows were accepted but no file writer was made".into()));
    };
    let finished = async {
        file.finish()?;
        drain(&mut file, &mut object).await?;
        object.shutdown().await.map_err(|e| DataError::Engine(format!("writing the version failed: {e}")))
    };
    if let Err(e) = finished.await {
        abandon(object).await;
        return Err(e);
    }
    Ok(Ingested { accepted, report, written: true })
}

/// State the threads share.
struct Shared {
    turns: Mutex<Turns>,
    turn: Condvar,
    /// Every thread stops at its next step.
    stop: AtomicBool,
    /// A row was rejected and nothing will be written: workers stop sorting and encoding.
    refused: AtomicBool,
    accept_valid: bool,
    keep: usize,
    file_bytes: u64,
    header: Vec<String>,
    items: Vec<DataItem>,
    cluster: Option<ClusterKey>,
    /// The stored schema ([`arrow_schema`]).
    schema: SchemaRef,
}

/// What the threads wait for.
struct Turns {
    /// Whose turn it is at the key set: blocks take it in file order.
    next: u64,
    keys: KeySet,
    /// Makes every row group's column writers; set once block 0 has been checked (its rows
    /// decide the dictionaries, [`encoding::dictionary_misfits`]).
    encoder: Option<Arc<ArrowRowGroupWriterFactory>>,
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake whoever waits for a turn or the encoder, so that it sees the stop.
        let _guard = self.lock_turns();
        self.turn.notify_all();
    }

    fn lock_turns(&self) -> MutexGuard<'_, Turns> {
        self.turns.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until `ready` holds; `None` if stopped meanwhile.
    fn wait_for(&self, ready: impl Fn(&Turns) -> bool) -> Option<MutexGuard<'_, Turns>> {
        let mut turns = self.lock_turns();
        while !ready(&turns) {
            if self.stopped() {
                return None;
            }
            turns = self.turn.wait(turns).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        Some(turns)
    }

    /// Runs `f` on the key set when it is block `seq`'s turn; `None` if stopped meanwhile.
    fn in_turn<R>(&self, seq: u64, f: impl FnOnce(&mut KeySet) -> R) -> Option<R> {
        let mut turns = self.wait_for(|t| t.next == seq)?;
        let result = f(&mut turns.keys);
        turns.next += 1;
        self.turn.notify_all();
        Some(result)
    }

    /// Makes the encoder and the file writer, from block 0's accepted rows.
    fn make_encoder(&self, first: Option<&RecordBatch>) -> Result<SerializedFileWriter<Vec<u8>>, DataError> {
        let misfits = first.map(encoding::dictionary_misfits).unwrap_or_default();
        let props = encoding::writer_properties(&self.items, self.cluster.as_ref(), &misfits);
        let (file, factory) =
            ArrowWriter::try_new(Vec::new(), self.schema.clone(), Some(props))?.into_serialized_writer()?;
        self.lock_turns().encoder = Some(Arc::new(factory));
        self.turn.notify_all();
        Ok(file)
    }

    /// The encoder, once block 0 has made it; `None` if stopped meanwhile.
    fn encoder(&self) -> Option<Arc<ArrowRowGroupWriterFactory>> {
        self.wait_for(|t| t.encoder.is_some())?.encoder.clone()
    }
}

struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Stops every thread if the thread holding it panics: no one waits for a turn that will not
/// come.
struct StopOnPanic<'a>(&'a Shared);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// One block's outcome, for the writer.
struct Unit {
    seq: u64,
    report: RejectionReport,
    accepted: u64,
    /// The encoded row group; `None` when no row was accepted or nothing will be written.
    chunks: Option<Vec<ArrowColumnChunk>>,
    /// Block 0 brings the file writer.
    file: Option<SerializedFileWriter<Vec<u8>>>,
}

/// The reader thread: cuts the file into blocks of one row group's worth of records.
fn read_blocks(
    mut reader: RowReader,
    block_rows: usize,
    blocks: &SyncSender<(u64, RecordBlock)>,
    spare: &Receiver<RecordBlock>,
    shared: &Shared,
) -> Result<(), DataError> {
    let _guard = StopOnPanic(shared);
    let mut seq = 0;
    // New blocks are made the size of the last one filled.
    let mut last = BlockSize::default();
    loop {
        if shared.stopped() {
            return Ok(());
        }
        let mut block = match spare.try_recv() {
            Ok(block) => block,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => RecordBlock::with_room(last),
        };
        let more = reader.read_block(&mut block, block_rows);
        let more = match more {
            Ok(more) => more,
            Err(e) => {
                shared.stop();
                return Err(DataError::invalid(Some("file"), e.to_string()));
            }
        };
        if !block.is_empty() {
            last = block.size();
            if blocks.send((seq, block)).is_err() {
                return Ok(());
            }
            seq += 1;
        }
        if !more {
            return Ok(());
        }
    }
}

/// A worker: checks, sorts and encodes blocks until there are none.
fn work(
    mut checker: RowChecker,
    blocks: &Mutex<Receiver<(u64, RecordBlock)>>,
    spare: &SyncSender<RecordBlock>,
    units: &tokio::sync::mpsc::Sender<Unit>,
    shared: &Shared,
) -> Result<(), DataError> {
    let _guard = StopOnPanic(shared);
    loop {
        let next = blocks.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
        let Ok((seq, mut block)) = next else { return Ok(()) };
        if shared.stopped() {
            return Ok(());
        }
        let unit = match process(&mut checker, seq, &block, shared) {
            Ok(Some(unit)) => unit,
            Ok(None) => return Ok(()),
            Err(e) => {
                shared.stop();
                return Err(e);
            }
        };
        block.clear();
        let _ = spare.try_send(block);
        if units.blocking_send(unit).is_err() {
            return Ok(());
        }
    }
}

/// A row whose key takes part in the uniqueness check.
struct KeyEntry {
    hash: KeyHash,
    number: u64,
    /// The record's index in the block.
    record: u32,
    /// The row's index in the batch; `None` when the row was rejected by its cells.
    batch_row: Option<u32>,
}

/// Checks one block, then (unless nothing will be written) sorts and encodes its rows as a row
/// group. `None` when stopped while waiting for the key set.
fn process(
    checker: &mut RowChecker,
    seq: u64,
    block: &RecordBlock,
    shared: &Shared,
) -> Result<Option<Unit>, DataError> {
    let mut report = RejectionReport::new(shared.keep);
    let mut keys: Vec<KeyEntry> = Vec::new();
    let mut rejections = Vec::new();
    let mut cells = Vec::with_capacity(shared.header.len());
    let mut errors = block.errors().iter().peekable();
    for (i, &number) in block.numbers().iter().enumerate() {
        while let Some(e) = errors.next_if(|e| e.number < number) {
            report.add(vec![Rejection::from_row_error(e)]);
        }
        if let Err(e) = block.cells(i, &shared.header, &mut cells) {
            report.add(vec![Rejection::from_row_error(&e)]);
            continue;
        }
        let key = checker.check_cells(number, &cells, &mut rejections);
        let batch_row = if rejections.is_empty() {
            let row = u32::try_from(checker.pending()).expect("a block has fewer than 4 G rows");
            checker.append(&cells);
            Some(row)
        } else {
            report.add(std::mem::take(&mut rejections));
            None
        };
        if let Some(hash) = key {
            let record = u32::try_from(i).expect("a block has fewer than 4 G rows");
            keys.push(KeyEntry { hash, number, record, batch_row });
        }
    }
    for e in errors {
        report.add(vec![Rejection::from_row_error(e)]);
    }

    // Keys, in file order across blocks: a key seen in an earlier row (of this block or an
    // earlier one) makes this row a duplicate.
    let mut dropped = Vec::new();
    if checker.checks_keys() {
        let expected = if seq == 0 { expected_rows(shared.file_bytes, block) } else { 0 };
        let found = shared.in_turn(seq, |set| {
            set.reserve(keys.len().max(expected));
            let mut found = Vec::new();
            for (k, entry) in keys.iter().enumerate() {
                match set.get(entry.hash) {
                    Some(earlier) => found.push((k, earlier)),
                    None if entry.batch_row.is_some() => set.insert(entry.hash, entry.number),
                    None => {}
                }
            }
            found
        });
        let Some(found) = found else { return Ok(None) };
        let mut duplicates = Vec::with_capacity(found.len().min(shared.keep));
        let mut newly_rejected = 0;
        for &(k, earlier) in &found {
            let entry = &keys[k];
            if let Some(row) = entry.batch_row {
                dropped.push(row);
                newly_rejected += 1;
            }
            if duplicates.len() < shared.keep {
                block
                    .cells(entry.record as usize, &shared.header, &mut cells)
                    .map_err(|e| DataError::Engine(format!("a checked row could not be read again: {e}")))?;
                duplicates.push(checker.duplicate(entry.number, earlier, &cells));
            }
        }
        report.merge_in_order(duplicates, found.len() as u64, newly_rejected);
    }
    if !(shared.accept_valid || report.is_empty()) {
        shared.refused.store(true, Ordering::Relaxed);
    }

    let batch = checker.take_batch().map_err(|e| DataError::Engine(e.to_string()))?;
    let batch = match batch {
        Some(batch) if !dropped.is_empty() => {
            let mut keep = vec![true; batch.num_rows()];
            for row in dropped {
                keep[row as usize] = false;
            }
            Some(filter_record_batch(&batch, &BooleanArray::from(keep))?)
        }
        other => other,
    };
    let accepted = batch.as_ref().map_or(0, |b| b.num_rows() as u64);
    let file = if seq == 0 { Some(shared.make_encoder(batch.as_ref())?) } else { None };
    let chunks = match batch {
        Some(batch) if batch.num_rows() > 0 && !shared.refused.load(Ordering::Relaxed) => {
            let Some(chunks) = encode(shared, seq, &batch)? else { return Ok(None) };
            Some(chunks)
        }
        _ => None,
    };
    Ok(Some(Unit { seq, report, accepted, chunks, file }))
}

/// The rows a file of `file_bytes` likely holds, judging by its first block (a little more, to
/// leave room); 0 when unknown.
fn expected_rows(file_bytes: u64, first: &RecordBlock) -> usize {
    let per_row = first.byte_len().max(1) as f64 / first.len().max(1) as f64;
    let rows = file_bytes as f64 / per_row * 1.1;
    // At most a billion rows' worth up front; a larger file grows the set as it goes.
    rows.min(1e9) as usize
}

/// Sorts the rows by the cluster key and encodes them as one row group's column chunks; `None`
/// when stopped while waiting for the encoder.
fn encode(shared: &Shared, seq: u64, batch: &RecordBatch) -> Result<Option<Vec<ArrowColumnChunk>>, DataError> {
    let Some(encoder) = shared.encoder() else { return Ok(None) };
    let sorted;
    let batch = match &shared.cluster {
        Some(key) => {
            sorted = key.sort_batch(batch)?;
            &sorted
        }
        None => batch,
    };
    let index = usize::try_from(seq).unwrap_or(usize::MAX);
    let mut writers = encoder.create_column_writers(index)?;
    for ((writer, field), column) in writers.iter_mut().zip(shared.schema.fields()).zip(batch.columns()) {
        for leaf in compute_leaves(field, column)? {
            writer.write(&leaf)?;
        }
    }
    let chunks = writers.into_iter().map(|w| w.close()).collect::<Result<Vec<_>, _>>()?;
    Ok(Some(chunks))
}

/// Appends an encoded row group to the file and sends the bytes on to the store.
async fn append_row_group(
    file: &mut SerializedFileWriter<Vec<u8>>,
    object: &mut BufWriter,
    chunks: Vec<ArrowColumnChunk>,
) -> Result<(), DataError> {
    let mut group = file.next_row_group()?;
    for chunk in chunks {
        chunk.append_to_row_group(&mut group)?;
    }
    group.close()?;
    drain(file, object).await
}

/// Moves what the file writer has produced so far to the store, without copying it again.
async fn drain(file: &mut SerializedFileWriter<Vec<u8>>, object: &mut BufWriter) -> Result<(), DataError> {
    file.flush().map_err(|e| DataError::Engine(format!("writing the version failed: {e}")))?;
    // The next row group is likely as large: room for it up front.
    let room = file.inner().len() + file.inner().len() / 4;
    let bytes = std::mem::replace(file.inner_mut(), Vec::with_capacity(room));
    object.put(bytes.into()).await.map_err(|e| DataError::Engine(format!("writing the version failed: {e}")))
}

/// Drops a half-written file: nothing of it becomes visible.
async fn abandon(mut object: BufWriter) {
    if let Err(e) = object.abort().await {
        tracing::warn!(error = %e, "could not abort an abandoned dataset upload");
    }
}

mod encoding;
#[cfg(test)]
mod tests;
