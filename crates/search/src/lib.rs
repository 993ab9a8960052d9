//! The catalogue's full-text search (DESIGN.md §2 "search"): a tantivy index of every entry's
//! name, summary, data items, provider, categories, tags and code, analysed for Chinese (jieba words
//! and character grams, on text folded for width, case and traditional/simplified script), with
//! facet counts, visibility and highlighted snippets.
//!
//! The index is derived from the store and never the other way round; `service::search` keeps it
//! current and rebuilds it.

pub mod analyzer;
pub mod entry;
pub mod error;
pub mod facets;
pub mod highlight;
pub mod index;
pub mod query;
pub mod request;
pub mod schema;

pub use entry::{Entry, Summary};
pub use error::SearchError;
pub use facets::Dimension;
pub use index::{CatalogIndex, Hit, Results};
pub use request::{SearchRequest, Viewer};

#[cfg(test)]
mod tests;
