//! The metadata repository: platforms, departments, accounts, the classification tree, the
//! catalogue with every version of every entry, catalogue-currency windows and the audit trail.
//!
//! One [`Store`] trait, two implementations: [`SqliteStore`] (embedded default, a file in the data
//! directory) and [`PgStore`] (production). Both run the same portable SQL (written once, in
//! `backend.rs`), each with its own migrations folder, and both pass the one suite in `tests/suite`.
//!
//! Only this crate writes SQL.

mod backend;
mod error;
pub mod model;
mod open;
mod postgres;
mod sqlite;
mod store;
pub mod time;

pub use error::StoreError;
pub use open::{Backend, open};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use store::Store;
