//! Datasets behind catalogue resources (共享平台, 国发〔2016〕51号 第十一至十三条): reading uploads,
//! checking every row against the resource's data items, keeping immutable Parquet versions on an
//! object store, deciding what a caller may read, and answering queries with Apache DataFusion
//! inside that decision.
//!
//! Nothing leaves this crate that the access decision did not allow.

pub mod access;
pub mod cluster;
mod error;
mod ingest;
pub mod input;
mod masking;
pub mod publish;
pub mod query;
pub mod rows;
pub mod storage;

pub use error::DataError;
pub use object_store;
pub mod download;
pub mod fingerprint;
pub mod verify;
pub mod versions;
