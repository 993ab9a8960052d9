//! Field-level differences between two versions of an entry, for `GET …/history`.
//! Data items are matched by name, so inserting one item does not show every later item as changed.

use serde_json::Value;

/// One field that changed between two versions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// Path such as `share_condition` or `data_items[身份证号].length`.
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// Differences from `before` to `after` (any serialisable snapshots, typically `ResourceSpec`).
pub fn diff<T: serde::Serialize>(before: Option<&T>, after: &T) -> Vec<FieldChange> {
    let b = before.and_then(|b| serde_json::to_value(b).ok()).unwrap_or(Value::Null);
    let a = serde_json::to_value(after).unwrap_or(Value::Null);
    let mut out = Vec::new();
    walk("", &b, &a, &mut out);
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn walk(path: &str, b: &Value, a: &Value, out: &mut Vec<FieldChange>) {
    if b == a || (is_empty(b) && is_empty(a)) {
        return;
    }
    match (b, a) {
        (Value::Object(bo), Value::Object(ao)) => {
            let mut keys: Vec<&String> = bo.keys().chain(ao.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk(&join(path, k), bo.get(k).unwrap_or(&Value::Null), ao.get(k).unwrap_or(&Value::Null), out);
            }
        }
        (Value::Null, Value::Object(ao)) => {
            for (k, v) in ao {
                walk(&join(path, k), &Value::Null, v, out);
            }
        }
        (Value::Array(ba), Value::Array(aa)) if named(ba) && named(aa) => {
            let name = |v: &Value| v.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            for bv in ba {
                let n = name(bv);
                let after = aa.iter().find(|v| name(v) == n).unwrap_or(&Value::Null);
                walk(&format!("{path}[{n}]"), bv, after, out);
            }
            for av in aa {
                let n = name(av);
                if !ba.iter().any(|v| name(v) == n) {
                    out.push(FieldChange { field: format!("{path}[{n}]"), before: Value::Null, after: av.clone() });
                }
            }
        }
        _ => out.push(FieldChange { field: path.to_string(), before: b.clone(), after: a.clone() }),
    }
}

fn named(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|v| v.get("name").and_then(Value::as_str).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalar_and_nested_changes() {
        let b = json!({"name": "甲", "format": {"class": "database", "subtype": "oracle"}, "tags": []});
        let a = json!({"name": "乙", "format": {"class": "database", "subtype": "mysql"}, "tags": []});
        let d = diff(Some(&b), &a);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].field, "format.subtype");
        assert_eq!(d[1].field, "name");
        assert_eq!(d[1].before, json!("甲"));
    }

    #[test]
    fn items_matched_by_name() {
        let b = json!({"data_items": [{"name": "姓名", "length": 50}, {"name": "住址", "length": 200}]});
        let a = json!({"data_items": [{"name": "身份证号", "length": 18}, {"name": "姓名", "length": 60}, {"name": "住址", "length": 200}]});
        let d = diff(Some(&b), &a);
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["data_items[姓名].length", "data_items[身份证号]"]);
    }

    #[test]
    fn removed_item_and_first_version() {
        let b = json!({"data_items": [{"name": "姓名"}, {"name": "住址"}]});
        let a = json!({"data_items": [{"name": "姓名"}]});
        let d = diff(Some(&b), &a);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "data_items[住址]");
        assert_eq!(d[0].after, Value::Null);
        let first = diff(None, &json!({"name": "甲", "tags": []}));
        assert_eq!(first.len(), 1);
    }
}
