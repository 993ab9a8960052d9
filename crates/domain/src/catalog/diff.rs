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

/// The Chinese name of a field path of `ResourceSpec` as the compilation guide calls it, for
/// showing a history diff to a clerk: `share_condition` → 共享条件, `data_items[姓名].length` →
/// 信息项“姓名”·数据长度. Unknown paths are returned as they are.
pub fn field_label(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("data_items[") {
        let (name, tail) = match rest.split_once(']') {
            Some((n, t)) => (n, t.trim_start_matches('.')),
            None => (rest, ""),
        };
        let item = format!("信息项“{name}”");
        return if tail.is_empty() { item } else { format!("{item}·{}", key_label(tail).unwrap_or(tail)) };
    }
    key_label(path).map(str::to_string).unwrap_or_else(|| path.to_string())
}

fn key_label(key: &str) -> Option<&'static str> {
    Some(match key {
        "category" => "信息资源分类",
        "name" => "名称",
        "provider_name" => "信息资源提供方",
        "provider_code" => "提供方代码",
        "provider_division" => "提供方内部部门",
        "summary" => "信息资源摘要",
        "format.class" => "格式分类",
        "format.subtype" => "格式类型",
        "format.other_desc" => "其他格式说明",
        "data_items" => "信息项",
        "data_type" => "数据类型",
        "length" => "数据长度",
        "description" => "描述",
        "is_key" => "主键",
        "required" => "必填",
        "base_item" => "基础信息项",
        "identifier" => "标识类型",
        "share_type" => "共享类型",
        "share_condition" => "共享条件",
        "share_basis" => "不予共享依据",
        "share_methods" => "共享方式",
        "open_type" => "开放类型",
        "open_condition" => "开放条件",
        "update_cycle" => "更新周期",
        "publish_date" => "发布日期",
        "related_codes" => "关联资源代码",
        "classified" => "涉密",
        "tags" => "标签",
        "collection_decisions" => "采集决定",
        _ => return None,
    })
}

/// A value of a changed field as a clerk reads it: enumerations by their Chinese label, yes/no
/// for flags, lists joined with “、”, a data item by its name and type, nothing as “（空）”.
pub fn display_value(path: &str, v: &Value) -> String {
    use super::enums::{DataType, FormatClass, IdentifierKind, OpenType, ShareMethod, ShareType, UpdateCycle};
    let key = path.rsplit(['.', ']']).next().unwrap_or(path);
    let label = |s: &str| -> String {
        let l = match key {
            "share_type" => ShareType::parse(s).map(|x| x.label()),
            "open_type" => OpenType::parse(s).map(|x| x.label()),
            "update_cycle" => UpdateCycle::parse(s).map(|x| x.label()),
            "class" => FormatClass::parse(s).map(|x| x.label()),
            "data_type" => DataType::parse(s).map(|x| x.label()),
            "identifier" => IdentifierKind::parse(s).map(|x| x.label()),
            "share_methods" => ShareMethod::parse(s).map(|x| x.label()),
            "choice" => crate::elements::CollectionChoice::parse(s).map(|x| x.label()),
            _ => None,
        };
        l.map(str::to_string).unwrap_or_else(|| s.to_string())
    };
    match v {
        Value::Null => "（空）".to_string(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => "（空）".to_string(),
        Value::String(s) => label(s),
        Value::Array(a) if a.is_empty() => "（空）".to_string(),
        Value::Array(a) => a.iter().map(|x| display_value(path, x)).collect::<Vec<_>>().join("、"),
        Value::Object(o) => {
            let text = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            if let Some(item) = o.get("item").and_then(Value::as_str) {
                // A collection decision.
                return format!("{item}：{}", display_value("choice", o.get("choice").unwrap_or(&Value::Null)));
            }
            let name = text("name");
            let data_type = o.get("data_type").map(|t| display_value("data_type", t));
            match (name.is_empty(), data_type, o.get("length").and_then(Value::as_u64)) {
                (false, Some(t), Some(l)) => format!("{name}（{t}，{l}）"),
                (false, Some(t), None) => format!("{name}（{t}）"),
                (false, None, _) => name,
                _ => Value::Object(o.clone()).to_string(),
            }
        }
    }
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
    fn labels_and_values_for_clerks() {
        assert_eq!(field_label("share_condition"), "共享条件");
        assert_eq!(field_label("format.subtype"), "格式类型");
        assert_eq!(field_label("data_items[姓名].length"), "信息项“姓名”·数据长度");
        assert_eq!(field_label("data_items[住址]"), "信息项“住址”");
        assert_eq!(field_label("something_else"), "something_else");
        assert_eq!(display_value("share_type", &json!("conditional")), "有条件共享");
        assert_eq!(display_value("data_items[姓名].data_type", &json!("C")), "字符型");
        assert_eq!(display_value("share_methods", &json!(["api", "online_query"])), "接口、在线查询");
        assert_eq!(display_value("classified", &json!(true)), "是");
        assert_eq!(display_value("share_basis", &Value::Null), "（空）");
        assert_eq!(
            display_value("data_items[姓名]", &json!({"name": "姓名", "data_type": "C", "length": 50})),
            "姓名（字符型，50）"
        );
        assert_eq!(
            display_value("collection_decisions", &json!([{"item": "姓名", "choice": "use_shared"}])),
            "姓名：申请共享"
        );
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
