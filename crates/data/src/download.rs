//! Downloads: a result stream encoded as CSV (UTF-8 with BOM, so Excel opens Chinese correctly)
//! or NDJSON, chunk by chunk, never holding the whole result.

use bytes::Bytes;
use datafusion::arrow::array::RecordBatch;
use futures::{Stream, StreamExt};

use crate::DataError;
use crate::query::BatchStream;

/// Formats a version or query result can be downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadFormat {
    Csv,
    Ndjson,
}

impl DownloadFormat {
    pub fn parse(s: &str) -> Option<DownloadFormat> {
        match s {
            "csv" => Some(DownloadFormat::Csv),
            "ndjson" | "jsonl" => Some(DownloadFormat::Ndjson),
            _ => None,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            DownloadFormat::Csv => "text/csv; charset=utf-8",
            DownloadFormat::Ndjson => "application/x-ndjson",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            DownloadFormat::Csv => "csv",
            DownloadFormat::Ndjson => "ndjson",
        }
    }
}

fn encode(batch: &RecordBatch, format: DownloadFormat, first: bool) -> Result<Bytes, DataError> {
    let mut buf = Vec::with_capacity(batch.get_array_memory_size() / 2 + 64);
    match format {
        DownloadFormat::Csv => {
            if first {
                buf.extend_from_slice("\u{feff}".as_bytes());
            }
            let mut w = datafusion::arrow::csv::WriterBuilder::new().with_header(first).build(&mut buf);
            w.write(batch).map_err(|e| DataError::Engine(e.to_string()))?;
        }
        DownloadFormat::Ndjson => {
            let mut w = datafusion::arrow::json::LineDelimitedWriter::new(&mut buf);
            w.write(batch).map_err(|e| DataError::Engine(e.to_string()))?;
            w.finish().map_err(|e| DataError::Engine(e.to_string()))?;
        }
    }
    Ok(Bytes::from(buf))
}

/// Encodes a stream of batches. A CSV with no rows still carries its header.
pub fn encode_stream(
    stream: BatchStream,
    format: DownloadFormat,
) -> impl Stream<Item = Result<Bytes, DataError>> + Send {
    let schema = stream.schema();
    // State: the stream, whether nothing has been written yet, whether it has ended.
    futures::stream::unfold((stream, true, false), move |(mut s, first, done)| {
        let schema = schema.clone();
        async move {
            if done {
                return None;
            }
            match s.next().await {
                Some(Ok(batch)) => Some((encode(&batch, format, first), (s, false, false))),
                Some(Err(e)) => Some((Err(DataError::from(e)), (s, first, true))),
                None if first && format == DownloadFormat::Csv => {
                    Some((encode(&RecordBatch::new_empty(schema), format, true), (s, false, true)))
                }
                None => None,
            }
        }
    })
}
