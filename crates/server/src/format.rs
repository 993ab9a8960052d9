//! How the pages and the open-data API show values: a code as part of an address, times in China
//! Standard Time, enumeration codes as their Chinese labels, query results as cell text. One
//! definition each, for the console, the portal and the API.

use chrono::{DateTime, FixedOffset, Utc};

/// A value as one part of an address (a resource code's `/` becomes `%2F`), or a query value.
pub fn url_part(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn cst(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
}

/// A time to the minute, as clerks read it (`2026-11-24 13:09`).
pub fn cst_minute(t: DateTime<Utc>) -> String {
    cst(t).format("%Y-%m-%d %H:%M").to_string()
}

/// A time's date (`2026-11-24`).
pub fn cst_day(t: DateTime<Utc>) -> String {
    cst(t).format("%Y-%m-%d").to_string()
}

/// The Chinese label of an enumeration code (as search results and views carry them), or the
/// code itself when it is not one.
pub fn label_of<T>(parse: fn(&str) -> Option<T>, label: fn(T) -> &'static str, code: &str) -> String {
    parse(code).map(label).unwrap_or(code).to_string()
}

/// A query result's value as table-cell text (null is empty, text without quotes).
pub fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_pages_show_them() {
        assert_eq!(url_part("307001/000001"), "307001%2F000001");
        let t = DateTime::parse_from_rfc3339("2026-11-23T17:05:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(cst_minute(t), "2026-11-24 01:05");
        assert_eq!(cst_day(t), "2026-11-24");
        assert_eq!(
            label_of(domain::catalog::OpenType::parse, domain::catalog::OpenType::label, "conditional"),
            "有条件开放"
        );
        assert_eq!(label_of(domain::catalog::OpenType::parse, domain::catalog::OpenType::label, "x9"), "x9");
        assert_eq!(cell(&serde_json::json!(null)), "");
        assert_eq!(cell(&serde_json::json!("甲")), "甲");
        assert_eq!(cell(&serde_json::json!(12.5)), "12.5");
    }
}
