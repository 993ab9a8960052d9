//! Row conditions over a resource's data items: the filter language of the query API and of a
//! grant's row scope (授权的数据范围, e.g. "only rows of the consumer's own district"). One
//! definition so that what a grant restricts and what a client asks are written the same way;
//! `data` turns them into DataFusion expressions.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A filter operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Prefix,
    Contains,
    IsNull,
    NotNull,
}

impl Op {
    /// The Chinese wording, for messages and pages.
    pub fn label(self) -> &'static str {
        match self {
            Op::Eq => "等于",
            Op::Ne => "不等于",
            Op::Lt => "小于",
            Op::Le => "小于等于",
            Op::Gt => "大于",
            Op::Ge => "大于等于",
            Op::In => "属于",
            Op::Prefix => "开头是",
            Op::Contains => "包含",
            Op::IsNull => "为空",
            Op::NotNull => "不为空",
        }
    }
}

/// One condition: `field op value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    pub field: String,
    pub op: Op,
    #[serde(default)]
    pub value: Value,
}

impl Filter {
    pub fn new(field: &str, op: Op, value: Value) -> Filter {
        Filter { field: field.to_string(), op, value }
    }

    /// How a clerk reads the condition, e.g. `户籍地行政区划代码 等于 350102`.
    pub fn describe(&self) -> String {
        let v = match &self.value {
            Value::Null => String::new(),
            Value::String(s) => format!(" {s}"),
            Value::Array(a) => {
                format!(
                    " {}",
                    a.iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join("、")
                )
            }
            other => format!(" {other}"),
        };
        format!("{} {}{v}", self.field, self.op.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serde_shape_and_description() {
        let f: Filter = serde_json::from_value(json!({"field": "性别", "op": "eq", "value": "女"})).unwrap();
        assert_eq!(f, Filter::new("性别", Op::Eq, json!("女")));
        assert_eq!(f.describe(), "性别 等于 女");
        let f: Filter =
            serde_json::from_value(json!({"field": "区划", "op": "in", "value": ["350102", "350103"]})).unwrap();
        assert_eq!(f.describe(), "区划 属于 350102、350103");
        assert_eq!(Filter::new("手机号码", Op::IsNull, Value::Null).describe(), "手机号码 为空");
        assert!(serde_json::from_value::<Filter>(json!({"field": "a", "op": "like"})).is_err());
        assert!(serde_json::from_value::<Filter>(json!({"field": "a", "op": "eq", "x": 1})).is_err());
    }
}
