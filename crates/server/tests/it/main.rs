//! The API end to end, in process (`Router::oneshot`), on SQLite and — when
//! `GOVSHARE_TEST_POSTGRES_URL` is set — on PostgreSQL.

mod accounts;
mod app;
mod catalogue;
mod data;
mod downloads;
mod elements;
mod errors;
mod grants;
mod io;
mod open_api;
mod s3;
mod search;
mod sharing;
mod web;
mod web_catalog;
mod web_open;
mod web_portal;
mod web_sharing;
