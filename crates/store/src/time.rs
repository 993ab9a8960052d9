//! Timestamps are stored as fixed-width RFC 3339 text in UTC (`2026-11-23T08:30:00.123456Z`) in both
//! backends, so that they sort as text and the SQL stays identical.

use chrono::{DateTime, NaiveDate, Utc};

use crate::StoreError;

pub fn fmt(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("bad timestamp {s:?}: {e}")))
}

pub fn parse_date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("bad date {s:?}: {e}")))
}

/// The date in China Standard Time (UTC+8) of an instant: deadlines are CST dates.
pub fn cst_date(t: DateTime<Utc>) -> NaiveDate {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC"));
    t.with_timezone(&cst).date_naive()
}
