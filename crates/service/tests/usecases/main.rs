//! The use cases of govshare run end to end on a real SQLite store in a tempdir, with a fixed
//! clock: the catalogue lifecycle, code rules, permissions (三员分立 included), validation,
//! optimistic concurrency, catalogue currency (第八条), tokens and passwords, import and the audit
//! trail.

mod accounts;
mod audit;
mod codes;
mod currency;
mod deadlines;
mod elements;
mod grant_props;
mod import;
mod lifecycle;
mod open_data;
mod permissions;
mod rules;
mod search;
mod sharing;
mod supervision;
mod systems;
mod trace;
mod world;
