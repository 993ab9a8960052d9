//! JSON: an array of `{ "code": …, "status": …, "resource": <ResourceSpec as serde writes it> }`.
//! Import accepts exactly what serde accepts; when an element is rejected, it is walked field
//! by field to say in Chinese which field is wrong and why (serde's own messages are English).

use std::str::FromStr;

use chrono::NaiveDate;
use domain::catalog::{
    CategoryCode, DataType, FormatClass, IdentifierKind, OpenType, ResourceCode, ResourceSpec, ShareMethod, ShareType,
    UpdateCycle,
};
use domain::error::ParseEnumError;
use serde_json::{Map, Value};

use crate::template::locate;
use crate::{CellError, Entry, ImportOutcome, ImportedRow, JSON_SHEET};

/// The entries as a pretty-printed JSON array.
pub fn export_json(entries: &[Entry]) -> Vec<u8> {
    // Serializing these types cannot fail: every map key is a string.
    serde_json::to_vec_pretty(entries).unwrap_or_else(|_| b"[]".to_vec())
}

/// Reads an array of entries. Errors name the 1-based array index as `row`.
pub fn import_json(bytes: &[u8]) -> ImportOutcome {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return ImportOutcome::file_error(JSON_SHEET, "JSON文件是空的，请上传导出的目录JSON文件");
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        return ImportOutcome::file_error(
            JSON_SHEET,
            format!("JSON文件不是UTF-8编码（第{line}行起有无法识别的字符），请保存为UTF-8后重新上传"),
        );
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return ImportOutcome::file_error(JSON_SHEET, syntax_message(&e)),
    };
    let Value::Array(elements) = value else {
        return ImportOutcome::file_error(
            JSON_SHEET,
            format!("JSON顶层应为数组 [ … ]，每个元素是一条目录，实际是{}", kind(&value)),
        );
    };
    let mut out = ImportOutcome::default();
    for (i, element) in elements.into_iter().enumerate() {
        let row = i + 1;
        let mut problems = Vec::new();
        let (code, spec) = read_element(element, &mut problems);
        let failed = !problems.is_empty();
        out.errors.extend(problems.into_iter().map(|(field, message)| {
            let column = locate(&field).1.map(str::to_string);
            CellError { sheet: JSON_SHEET.to_string(), row, column, field, message }
        }));
        out.rows.push(ImportedRow { sheet_row: row, code, spec: if failed { None } else { spec }, item_rows: None });
    }
    if out.rows.is_empty() {
        out.errors.push(CellError::file(JSON_SHEET, "JSON数组是空的，没有可导入的目录"));
    }
    out
}

type Problems = Vec<(String, String)>;

fn read_element(element: Value, problems: &mut Problems) -> (Option<String>, Option<ResourceSpec>) {
    let Value::Object(mut obj) = element else {
        problems.push((
            String::new(),
            format!("数组元素应为对象 {{ \"code\", \"status\", \"resource\" }}，实际是{}", kind(&element)),
        ));
        return (None, None);
    };
    let code = match obj.get("code") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => {
            if let Err(e) = ResourceCode::parse(s) {
                problems.push(("code".into(), e.message));
            }
            Some(s.trim().to_string())
        }
        Some(v) => {
            problems.push(("code".into(), format!("“信息资源代码”（code）应为文本，实际是{}", kind(v))));
            None
        }
    };
    if let Some(v) = obj.get("status")
        && !matches!(v, Value::Null | Value::String(_))
    {
        problems.push(("status".into(), format!("“状态”（status）应为文本，实际是{}", kind(v))));
    }
    let Some(resource) = obj.remove("resource") else {
        problems.push(("resource".into(), "缺少“resource”：每条目录的内容应放在 resource 对象中".into()));
        return (code, None);
    };
    match serde_json::from_value::<ResourceSpec>(resource.clone()) {
        Ok(spec) => (code, Some(spec)),
        Err(e) => {
            let before = problems.len();
            diagnose(&resource, problems);
            if problems.len() == before {
                problems.push(("resource".into(), format!("目录内容无法读取：{e}")));
            }
            (code, None)
        }
    }
}

/// Turns a syntax error into Chinese with its line and column.
fn syntax_message(e: &serde_json::Error) -> String {
    let (line, column) = (e.line(), e.column());
    match e.classify() {
        serde_json::error::Category::Eof => {
            format!("JSON文件不完整：在第{line}行第{column}列意外结束（文件可能被截断），请重新导出或检查括号是否配对")
        }
        serde_json::error::Category::Syntax => {
            format!("JSON格式错误：第{line}行第{column}列附近有语法错误（如缺少逗号、引号或括号），请检查后重新上传")
        }
        _ => format!("JSON内容无法读取：第{line}行第{column}列附近（{e}）"),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "空值 null",
        Value::Bool(_) => "布尔值",
        Value::Number(_) => "数字",
        Value::String(_) => "文本",
        Value::Array(_) => "数组",
        Value::Object(_) => "对象",
    }
}

/// What a field must be.
#[derive(Clone, Copy)]
enum Want {
    Text,
    OptText,
    Bool,
    OptLength,
    Date,
    Category,
    Enum(fn(&str) -> Result<(), ParseEnumError>),
    OptEnum(fn(&str) -> Result<(), ParseEnumError>),
    EnumList(fn(&str) -> Result<(), ParseEnumError>),
    CodeList,
    TextList,
}

fn check_enum<T: FromStr<Err = ParseEnumError>>(s: &str) -> Result<(), ParseEnumError> {
    s.parse::<T>().map(|_| ())
}

const RESOURCE_FIELDS: &[(&str, Want, bool)] = &[
    ("category", Want::Category, true),
    ("name", Want::Text, true),
    ("provider_name", Want::Text, true),
    ("provider_code", Want::Text, true),
    ("provider_division", Want::OptText, false),
    ("summary", Want::Text, true),
    ("share_type", Want::Enum(check_enum::<ShareType>), true),
    ("share_condition", Want::OptText, false),
    ("share_basis", Want::OptText, false),
    ("share_methods", Want::EnumList(check_enum::<ShareMethod>), false),
    ("open_type", Want::Enum(check_enum::<OpenType>), true),
    ("open_condition", Want::OptText, false),
    ("update_cycle", Want::Enum(check_enum::<UpdateCycle>), true),
    ("publish_date", Want::Date, false),
    ("related_codes", Want::CodeList, false),
    ("classified", Want::Bool, false),
    ("tags", Want::TextList, false),
];

const FORMAT_FIELDS: &[(&str, Want, bool)] = &[
    ("class", Want::Enum(check_enum::<FormatClass>), true),
    ("subtype", Want::OptText, false),
    ("other_desc", Want::OptText, false),
];

const ITEM_FIELDS: &[(&str, Want, bool)] = &[
    ("name", Want::Text, true),
    ("data_type", Want::Enum(check_enum::<DataType>), true),
    ("length", Want::OptLength, false),
    ("description", Want::OptText, false),
    ("is_key", Want::Bool, false),
    ("required", Want::Bool, false),
    ("base_item", Want::Bool, false),
    ("identifier", Want::OptEnum(check_enum::<IdentifierKind>), false),
    ("share_type", Want::OptEnum(check_enum::<ShareType>), false),
    ("share_condition", Want::OptText, false),
    ("share_basis", Want::OptText, false),
    ("open_type", Want::OptEnum(check_enum::<OpenType>), false),
    ("open_condition", Want::OptText, false),
];

/// Walks a rejected `resource` object and records what is wrong with each field.
fn diagnose(resource: &Value, problems: &mut Problems) {
    let Value::Object(obj) = resource else {
        problems.push(("resource".into(), format!("“resource”应为对象，实际是{}", kind(resource))));
        return;
    };
    check_fields(obj, RESOURCE_FIELDS, "", problems);
    match obj.get("format") {
        Some(Value::Object(f)) => check_fields(f, FORMAT_FIELDS, "format.", problems),
        Some(v) => problems.push(("format".into(), format!("“信息资源格式”（format）应为对象，实际是{}", kind(v)))),
        None => problems.push(("format".into(), "缺少必填字段“信息资源格式”（format）".into())),
    }
    match obj.get("data_items") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let prefix = format!("data_items[{i}].");
                match item {
                    Value::Object(o) => check_fields(o, ITEM_FIELDS, &prefix, problems),
                    v => problems.push((format!("data_items[{i}]"), format!("信息项应为对象，实际是{}", kind(v)))),
                }
            }
        }
        Some(v) => problems.push(("data_items".into(), format!("“信息项”（data_items）应为数组，实际是{}", kind(v)))),
    }
}

fn check_fields(obj: &Map<String, Value>, fields: &[(&str, Want, bool)], prefix: &str, problems: &mut Problems) {
    for &(name, want, required) in fields {
        let path = format!("{prefix}{name}");
        let label = match locate(&path).1 {
            Some(h) => format!("“{h}”（{name}）"),
            None => format!("“{name}”"),
        };
        match obj.get(name) {
            None if required => problems.push((path, format!("缺少必填字段{label}"))),
            None => {}
            Some(v) => {
                if let Err((sub, message)) = check_value(v, want, &label) {
                    let path = match sub {
                        Some(i) => format!("{path}[{i}]"),
                        None => path,
                    };
                    problems.push((path, message));
                }
            }
        }
    }
}

fn check_value(v: &Value, want: Want, label: &str) -> Result<(), (Option<usize>, String)> {
    let wrong = |what: &str| Err((None, format!("{label}应为{what}，实际是{}", kind(v))));
    match (want, v) {
        (Want::Text, Value::String(_)) => Ok(()),
        (Want::Text, _) => wrong("文本"),
        (Want::OptText | Want::Date | Want::OptLength | Want::OptEnum(_), Value::Null) => Ok(()),
        (Want::OptText, Value::String(_)) => Ok(()),
        (Want::OptText, _) => wrong("文本或 null"),
        (Want::Bool, Value::Bool(_)) => Ok(()),
        (Want::Bool, _) => wrong("true 或 false"),
        (Want::OptLength, Value::Number(n)) => match n.as_u64() {
            Some(k) if u32::try_from(k).is_ok() => Ok(()),
            _ => Err((None, format!("{label}应为非负整数（字节数），实际是{n}"))),
        },
        (Want::OptLength, _) => wrong("整数（字节数）"),
        (Want::Date, Value::String(s)) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(_) => Ok(()),
            Err(_) => Err((None, format!("{label}“{s}”不是有效的日期，请按 YYYY-MM-DD 填写，如 2024-03-15"))),
        },
        (Want::Date, _) => wrong("日期文本 YYYY-MM-DD"),
        (Want::Category, Value::String(s)) => CategoryCode::parse(s).map(|_| ()).map_err(|e| (None, e.message)),
        (Want::Category, _) => wrong("分类代码文本"),
        (Want::Enum(check) | Want::OptEnum(check), Value::String(s)) => check(s).map_err(|e| (None, e.to_string())),
        (Want::Enum(_), _) => wrong("文本"),
        (Want::OptEnum(_), _) => wrong("文本或 null"),
        (Want::EnumList(check), Value::Array(a)) => each(a, label, |s| check(s).map_err(|e| e.to_string())),
        (Want::CodeList, Value::Array(a)) => {
            each(a, label, |s| ResourceCode::parse(s).map(|_| ()).map_err(|e| e.message))
        }
        (Want::TextList, Value::Array(a)) => each(a, label, |_| Ok(())),
        (Want::EnumList(_) | Want::CodeList | Want::TextList, _) => wrong("数组"),
    }
}

fn each(a: &[Value], label: &str, check: impl Fn(&str) -> Result<(), String>) -> Result<(), (Option<usize>, String)> {
    for (i, v) in a.iter().enumerate() {
        match v {
            Value::String(s) => check(s).map_err(|m| (Some(i), m))?,
            other => return Err((Some(i), format!("{label}的第{}个值应为文本，实际是{}", i + 1, kind(other)))),
        }
    }
    Ok(())
}
