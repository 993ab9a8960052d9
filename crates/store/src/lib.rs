//! The metadata repository: platforms, departments, accounts, the classification tree, the
//! catalogue with every version of every entry, catalogue-currency windows, the audit trail, and
//! sharing: applications and grants with their recorded steps, daily usage, agreements and
//! feedback ([`SharingStore`], a supertrait of [`Store`]); the register of data elements
//! ([`ElementStore`], another supertrait).
//!
//! One [`Store`] trait, two implementations: [`SqliteStore`] (embedded default, a file in the data
//! directory) and [`PgStore`] (production). Both run the same portable SQL (written once, in
//! `backend.rs`), each with its own migrations folder, and both pass the one suite in `tests/suite`.
//!
//! Only this crate writes SQL.

mod backend;
mod elements_backend;
mod elements_store;
mod error;
pub mod model;
mod open;
mod open_backend;
pub mod open_store;
mod portal_backend;
pub mod portal_store;
mod postgres;
mod sharing_backend;
mod sharing_store;
mod sqlite;
mod store;
pub mod time;
mod web_backend;
mod web_store;

pub use elements_store::ElementStore;
pub use error::StoreError;
pub use open::{Backend, open};
pub use open_store::OpenStore;
pub use portal_store::PortalStore;
pub use postgres::PgStore;
pub use sharing_store::SharingStore;
pub use sqlite::SqliteStore;
pub use store::Store;
pub use web_store::{LoginFailures, WebSession, WebStore};
