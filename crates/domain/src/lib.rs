//! govshare's vocabulary as types: the catalogue (政务信息资源目录) and its validation rules,
//! departments and platforms, accounts and roles, the resource lifecycle, catalogue currency,
//! the working-day calendar and the national identifier checks; sharing applications, decisions
//! and grants as state machines; the register of data elements with their collection duties and
//! the detection of duplicate collection (一数一源).
//!
//! Pure: no I/O, no async, no clock. Callers pass "today" in.

pub mod account;
pub mod calendar;
pub mod catalog;
pub mod currency;
pub mod elements;
pub mod error;
pub mod filter;
pub mod freshness;
pub mod identifiers;
mod labels;
pub mod masking;
pub mod open;
pub mod org;
pub mod portal;
pub mod purpose;
pub mod sharing;
pub mod text;
