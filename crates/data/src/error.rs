//! Errors of the data layer. `Denied` and `Invalid` are the caller's to fix (Chinese text);
//! `Storage` and `Engine` are internal.

use crate::access::Denied;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The access check refused the read.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The request or the uploaded file is wrong; the message says what to fix.
    #[error("{message}")]
    Invalid { field: Option<String>, message: String },
    /// The object store failed.
    #[error("dataset storage error: {0}")]
    Storage(String),
    /// The query engine failed.
    #[error("query engine error: {0}")]
    Engine(String),
}

impl DataError {
    pub fn invalid(field: Option<&str>, message: impl Into<String>) -> DataError {
        DataError::Invalid { field: field.map(str::to_string), message: message.into() }
    }
}

impl From<datafusion::error::DataFusionError> for DataError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        DataError::Engine(e.to_string())
    }
}

impl From<object_store::Error> for DataError {
    fn from(e: object_store::Error) -> Self {
        DataError::Storage(e.to_string())
    }
}

impl From<datafusion::arrow::error::ArrowError> for DataError {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        DataError::Engine(e.to_string())
    }
}

impl From<datafusion::parquet::errors::ParquetError> for DataError {
    fn from(e: datafusion::parquet::errors::ParquetError) -> Self {
        DataError::Storage(e.to_string())
    }
}
