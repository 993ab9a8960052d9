//! Row checks of uploaded data (发布数据, DESIGN.md flow 2): every row is checked against the
//! resource's data items (信息项) — the type and length of its 数据类型 (STANDARDS.md §1.5.2),
//! required items, identifier validity (§3) where an item declares one, key uniqueness — and the
//! accepted rows become Arrow record batches in the schema of [`arrow_schema`].
//!
//! A reader (module `input`) turns a file into a header and rows of text cells; a
//! [`RowChecker`] maps the header to the items, checks each row and collects the accepted ones;
//! a [`RejectionReport`] keeps the first rejections and counts all of them. Whether a file with
//! rejected rows is refused whole or published without those rows is the provider's choice, made
//! by the caller.
//!
//! What a cell may hold, per data type (leading and trailing spaces are ignored except in text):
//!
//! | type | accepted | stored as |
//! |---|---|---|
//! | C, M | any text; only a trailing `\r` is cut | Utf8 |
//! | N, B, F | `-12.5`, `1.2E3` (no thousands separators) | Float64 |
//! | Y | up to 4 decimal places, 15 integer digits | Decimal128(19, 4) |
//! | I | `-42` (also `42.00`) | Int64 |
//! | D | `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/M/D`, `YYYY年M月D日` | Date32 |
//! | T | `YYYY-MM-DD HH:MM[:SS[.ffffff]]`, RFC 3339 (offsets converted to UTC+8) | Timestamp(µs) |
//! | L | 是/否, true/false, 1/0, Y/N, T/F | Boolean |
//! | G | standard Base64 | Binary |
//!
//! 数据长度 is checked as storage bytes ([`storage_len`]) for C and M, and as the number of
//! digits for N, B, F and I; it is not applied to the other types.

mod batch;
mod cell;
mod checker;
mod schema;

#[cfg(test)]
mod tests;

pub use cell::storage_len;
pub use checker::{CheckOptions, HeaderError, Rejection, RejectionReport, RowChecker};
pub(crate) use checker::{KeyHash, KeySet};
pub use schema::{
    CURRENCY_PRECISION, CURRENCY_SCALE, META_DATA_TYPE, META_IDENTIFIER, META_KEY, META_LENGTH, SchemaMetadataError,
    arrow_field, arrow_schema, arrow_type, batch_schema, batch_type, items_from_schema,
};
