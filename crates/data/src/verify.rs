//! 核验 (verification instead of copying, DESIGN §3.4): the consumer names a record by its key and
//! claims values ("this ID number has this name and this address"); the answer is, per claimed
//! field, match / no match / no record — never a stored value. The record is looked up inside the
//! scope's row conditions, so a record outside the grant is "no record". Fields the grant masks
//! can be neither key nor claim (as they cannot be filtered on in a query).

use std::collections::BTreeMap;

use datafusion::prelude::{ParquetReadOptions, ident};
use domain::catalog::DataItem;
use domain::filter::{Filter, Op};
use serde_json::Value;

use crate::DataError;
use crate::access::Scope;
use crate::query::{batches_to_json, filter_expr, typed};
use crate::storage::DatasetStorage;

/// At most this many fields are checked in one request.
pub const MAX_CLAIMS: usize = 50;

/// The outcome for one claimed field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Match,
    NoMatch,
    NoRecord,
}

/// Whether the record was found inside the scope: a record outside it, or none with that key,
/// makes every claim `NoRecord`.
pub fn found(outcomes: &BTreeMap<String, Outcome>) -> bool {
    !outcomes.values().any(|o| *o == Outcome::NoRecord)
}

/// Checks claims about one record. `key` holds a value for every key item of the resource;
/// `claims` the values to check. Every field named must be inside the scope (masked fields too:
/// their cleartext is compared, never returned).
pub async fn verify(
    storage: &DatasetStorage,
    files: &[String],
    items: &[DataItem],
    scope: &Scope,
    key: &BTreeMap<String, Value>,
    claims: &BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Outcome>, DataError> {
    let keys: Vec<&DataItem> = items.iter().filter(|i| i.is_key).collect();
    if keys.is_empty() {
        return Err(DataError::invalid(None, "该资源没有主键信息项，无法按主键核验"));
    }
    for k in &keys {
        if !key.contains_key(&k.name) {
            return Err(DataError::invalid(Some("key"), format!("请提供主键信息项“{}”的值", k.name)));
        }
    }
    for f in key.keys() {
        if !keys.iter().any(|k| &k.name == f) {
            return Err(DataError::invalid(Some("key"), format!("“{f}”不是该资源的主键信息项")));
        }
        // A masked key could be enumerated one guess at a time: it is refused like a filter on it.
        scope.check_usable(f, false)?;
    }
    if claims.is_empty() || claims.len() > MAX_CLAIMS {
        return Err(DataError::invalid(Some("claims"), format!("请提供1至{MAX_CLAIMS}个待核验的信息项")));
    }
    // A masked field cannot be claimed either: guessing its hidden part one verification at a
    // time would undo the masking.
    for f in claims.keys() {
        scope.check_usable(f, false)?;
    }
    if files.is_empty() {
        return Err(DataError::invalid(None, "该资源尚未发布数据"));
    }
    let ctx = storage.session()?;
    let urls: Vec<String> = files.iter().map(|f| DatasetStorage::file_url(f)).collect();
    let mut df = ctx.read_parquet(urls, ParquetReadOptions::default()).await?;
    for r in scope.row_conditions() {
        let r = typed(r, df.schema())?;
        df = df.filter(filter_expr(&r)?)?;
    }
    for (f, v) in key {
        let k = typed(&Filter::new(f, Op::Eq, v.clone()), df.schema())?;
        df = df.filter(filter_expr(&k)?)?;
    }
    df = df.select(claims.keys().map(ident).collect::<Vec<_>>())?.limit(0, Some(1))?;
    let rows = batches_to_json(&df.collect().await?)?;
    let Some(row) = rows.first() else {
        return Ok(claims.keys().map(|f| (f.clone(), Outcome::NoRecord)).collect());
    };
    Ok(claims
        .iter()
        .map(|(f, claimed)| {
            let stored = row.get(f).unwrap_or(&Value::Null);
            (f.clone(), if same(stored, claimed) { Outcome::Match } else { Outcome::NoMatch })
        })
        .collect())
}

/// Compares a stored value with a claimed one: text trimmed (full-width spaces too), numbers by
/// value, null only with null.
fn same(stored: &Value, claimed: &Value) -> bool {
    fn text(v: &Value) -> Option<String> {
        match v {
            Value::Null => None,
            Value::String(s) => Some(s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}').to_string()),
            other => Some(other.to_string()),
        }
    }
    match (stored, claimed) {
        (Value::Null, Value::Null) => true,
        (Value::Number(a), b) => {
            let b = text(b).and_then(|t| t.parse::<f64>().ok());
            a.as_f64().is_some_and(|a| b.is_some_and(|b| (a - b).abs() < 1e-9))
        }
        (a, b) => text(a).is_some() && text(a) == text(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn found_unless_no_record() {
        let of = |o: &[Outcome]| o.iter().enumerate().map(|(i, o)| (i.to_string(), *o)).collect();
        assert!(found(&of(&[Outcome::Match, Outcome::NoMatch])));
        assert!(!found(&of(&[Outcome::NoRecord, Outcome::NoRecord])));
    }

    #[test]
    fn comparison() {
        assert!(same(&json!("张三"), &json!(" 张三　")));
        assert!(!same(&json!("张三"), &json!("张四")));
        assert!(same(&json!(12.5), &json!("12.50")));
        assert!(same(&json!(3), &json!(3)));
        assert!(!same(&json!(null), &json!("")));
        assert!(same(&json!(null), &json!(null)));
        assert!(!same(&json!("x"), &json!(null)));
        assert!(same(&json!(true), &json!("true")));
    }
}
