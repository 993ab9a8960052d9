//! The compilation-template layout: the columns of the two sheets, in order, each with its
//! Chinese header, the domain field it holds, how export writes it and how import reads it.
//! Export and import both walk these tables, so the two can never disagree.

use chrono::NaiveDate;
use domain::catalog::{
    CategoryCode, DataItem, DataType, FormatClass, IdentifierKind, OpenType, ResourceCode, ResourceSpec, ShareType,
    UpdateCycle,
};

use crate::Entry;
use crate::parse::{self, Cell, Issue, ItemDraft, JOINER, ResourceDraft};

/// The two sheets of the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Sheet {
    /// "信息资源": one row per resource.
    Resources,
    /// "信息项": one row per data item.
    Items,
}

impl Sheet {
    /// The sheet name (and the CSV file's subject), in Chinese.
    pub fn name(self) -> &'static str {
        match self {
            Sheet::Resources => "信息资源",
            Sheet::Items => "信息项",
        }
    }

    /// The column headers, in template order.
    pub fn headers(self) -> Vec<&'static str> {
        match self {
            Sheet::Resources => RESOURCE_COLUMNS.iter().map(|c| c.header).collect(),
            Sheet::Items => ITEM_COLUMNS.iter().map(|c| c.header).collect(),
        }
    }
}

/// What export writes into a cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Out {
    fn opt(s: &Option<String>) -> Out {
        match s {
            Some(s) if !s.is_empty() => Out::Text(s.clone()),
            _ => Out::Empty,
        }
    }
    fn text(s: &str) -> Out {
        if s.is_empty() { Out::Empty } else { Out::Text(s.to_string()) }
    }
    fn bool(b: bool) -> Out {
        Out::Text(if b { "是" } else { "否" }.to_string())
    }
    fn join<T>(values: &[T], f: impl Fn(&T) -> &str) -> Out {
        Out::text(&values.iter().map(f).collect::<Vec<_>>().join(JOINER))
    }
}

/// How a column takes part in import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The column must be present in an imported sheet.
    Required,
    /// Read when present; the field keeps its default otherwise.
    Optional,
    /// 序号 / 资源序号: links items to resources; read by the row assembler.
    Link,
    /// Written on export, ignored on import (状态, the items sheet's 信息资源名称).
    Info,
}

/// How XLSX export formats a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Free text.
    Text,
    /// Long free text, wrapped.
    LongText,
    /// Codes that must stay text when a clerk types digits (the column is formatted as text).
    Code,
    Number,
    Date,
    /// One value of a fixed list (the column gets a drop-down).
    Choice,
}

/// One column of a sheet. `W` is the export function (from a row to a cell), `D` the draft
/// that import fills in.
pub(crate) struct Column<W, D> {
    pub header: &'static str,
    /// Domain field path (relative to the data item for the items sheet); empty for none.
    pub field: &'static str,
    pub role: Role,
    pub kind: Kind,
    /// Column width in Excel character units.
    pub width: f64,
    /// The values offered in the XLSX drop-down (for [`Kind::Choice`]).
    pub choices: fn() -> Vec<&'static str>,
    pub write: W,
    pub read: fn(&mut D, &Cell) -> Result<(), Issue>,
}

/// A resource row as export sees it: the 1-based 序号 and the entry.
pub(crate) struct ResourceRow<'a> {
    pub seq: usize,
    pub entry: &'a Entry,
}

/// A data item row as export sees it.
pub(crate) struct ItemRow<'a> {
    pub seq: usize,
    pub spec: &'a ResourceSpec,
    pub item: &'a DataItem,
}

/// A column of sheet "信息资源".
pub(crate) type ResourceColumn = Column<fn(&ResourceRow<'_>) -> Out, ResourceDraft>;
/// A column of sheet "信息项".
pub(crate) type ItemColumn = Column<fn(&ItemRow<'_>) -> Out, ItemDraft>;

fn none() -> Vec<&'static str> {
    Vec::new()
}
fn yes_no() -> Vec<&'static str> {
    vec!["是", "否"]
}
fn skip<D>(_: &mut D, _: &Cell) -> Result<(), Issue> {
    Ok(())
}
fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| label(*v)).collect()
}

/// Sheet "信息资源", in template order.
pub(crate) static RESOURCE_COLUMNS: [ResourceColumn; 23] = [
    Column {
        header: "序号",
        field: "seq",
        role: Role::Link,
        kind: Kind::Number,
        width: 6.0,
        choices: none,
        write: |r| Out::Number(r.seq as f64),
        read: skip,
    },
    Column {
        header: "信息资源代码",
        field: "code",
        role: Role::Optional,
        kind: Kind::Code,
        width: 18.0,
        choices: none,
        write: |r| Out::opt(&r.entry.code),
        read: |d, c| {
            d.code = parse::text(c)?;
            match &d.code {
                Some(code) => ResourceCode::parse(code).map(|_| ()).map_err(|e| e.message.into()),
                None => Ok(()),
            }
        },
    },
    Column {
        header: "状态",
        field: "status",
        role: Role::Info,
        kind: Kind::Text,
        width: 8.0,
        choices: none,
        write: |r| Out::opt(&r.entry.status),
        read: skip,
    },
    Column {
        header: "信息资源分类",
        field: "category",
        role: Role::Required,
        kind: Kind::Code,
        width: 14.0,
        choices: none,
        write: |r| Out::text(r.entry.spec.category.as_str()),
        read: |d, c| {
            let s = parse::text(c)?.unwrap_or_default();
            d.category = Some(CategoryCode::parse(&s).map_err(|e| e.message)?);
            Ok(())
        },
    },
    Column {
        header: "信息资源名称",
        field: "name",
        role: Role::Required,
        kind: Kind::Text,
        width: 28.0,
        choices: none,
        write: |r| Out::text(&r.entry.spec.name),
        read: |d, c| {
            d.name = parse::required_text(c, "请填写信息资源名称")?;
            Ok(())
        },
    },
    Column {
        header: "信息资源提供方",
        field: "provider_name",
        role: Role::Optional,
        kind: Kind::Text,
        width: 22.0,
        choices: none,
        write: |r| Out::text(&r.entry.spec.provider_name),
        read: |d, c| {
            d.provider_name = parse::text(c)?.unwrap_or_default();
            Ok(())
        },
    },
    Column {
        header: "信息资源提供方代码",
        field: "provider_code",
        role: Role::Optional,
        kind: Kind::Code,
        width: 22.0,
        choices: none,
        write: |r| Out::text(&r.entry.spec.provider_code),
        read: |d, c| {
            d.provider_code = parse::text(c)?.unwrap_or_default();
            Ok(())
        },
    },
    Column {
        header: "提供方内部部门",
        field: "provider_division",
        role: Role::Optional,
        kind: Kind::Text,
        width: 16.0,
        choices: none,
        write: |r| Out::opt(&r.entry.spec.provider_division),
        read: |d, c| {
            d.provider_division = parse::text(c)?;
            Ok(())
        },
    },
    Column {
        header: "信息资源摘要",
        field: "summary",
        role: Role::Required,
        kind: Kind::LongText,
        width: 40.0,
        choices: none,
        write: |r| Out::text(&r.entry.spec.summary),
        read: |d, c| {
            d.summary = parse::text(c)?.unwrap_or_default();
            Ok(())
        },
    },
    Column {
        header: "格式分类",
        field: "format.class",
        role: Role::Required,
        kind: Kind::Choice,
        width: 12.0,
        choices: || labels(FormatClass::ALL, FormatClass::label),
        write: |r| Out::text(r.entry.spec.format.class.label()),
        read: |d, c| {
            d.format_class = Some(parse::required_enum(c, "格式分类")?);
            Ok(())
        },
    },
    Column {
        header: "格式类型",
        field: "format.subtype",
        role: Role::Optional,
        kind: Kind::Text,
        width: 12.0,
        choices: none,
        write: |r| Out::opt(&r.entry.spec.format.subtype),
        read: |d, c| {
            d.subtype = parse::text(c)?;
            Ok(())
        },
    },
    Column {
        header: "其他格式说明",
        field: "format.other_desc",
        role: Role::Optional,
        kind: Kind::Text,
        width: 16.0,
        choices: none,
        write: |r| Out::opt(&r.entry.spec.format.other_desc),
        read: |d, c| {
            d.other_desc = parse::text(c)?;
            Ok(())
        },
    },
    Column {
        header: "共享类型",
        field: "share_type",
        role: Role::Required,
        kind: Kind::Choice,
        width: 12.0,
        choices: || labels(ShareType::ALL, ShareType::label),
        write: |r| Out::text(r.entry.spec.share_type.label()),
        read: |d, c| {
            d.share_type = Some(parse::required_enum(c, "共享类型")?);
            Ok(())
        },
    },
    Column {
        header: "共享条件",
        field: "share_condition",
        role: Role::Optional,
        kind: Kind::LongText,
        width: 28.0,
        choices: none,
        write: |r| Out::opt(&r.entry.spec.share_condition),
        read: |d, c| {
            d.share_condition = parse::text(c)?;
            Ok(())
        },
    },
    Column {
        header: "不予共享依据",
        field: "share_basis",
        role: Role::Optional,
        kind: Kind::LongText,
        width: 28.0,
        choices: none,
        write: |r| Out::opt(&r.entry.spec.share_basis),
        read: |d, c| {
            d.share_basis = parse::text(c)?;
            Ok(())
        },
    },
    Column {
        header: "共享方式",
        field: "share_methods",
        role: Role::Optional,
        kind: Kind::Text,
        width: 18.0,
        choices: none,
        write: |r| Out::join(&r.entry.spec.share_methods, |m| m.label()),
        read: |d, c| {
            d.share_methods = parse::enum_list(c)?;
            Ok(())
        },
    },
    Column {
        header: "开放类型",
        field: "open_type",
        role: Role::Required,
        kind: Kind::Choice,
        width: 12.0,
        choices: || labels(OpenType::ALL, OpenType::label),
        write: |r| Out::text(r.entry.spec.open_type.label()),
        read: |d, c| {
            d.open_type = Some(parse::required_enum(c, "开放类型")?);
            Ok(())
        },
    },
    Column {
        header: "开放条件",
        field: "open_condition",
        role: Role::Optional,
        kind: Kind::LongText,
        width: 24.0,
        choices: none,
        write: |r| Out::opt(&r.entry.spec.open_condition),
        read: |d, c| {
            d.open_condition = parse::text(c)?;
            Ok(())
        },
    },
    Column {
        header: "更新周期",
        field: "update_cycle",
        role: Role::Required,
        kind: Kind::Choice,
        width: 10.0,
        choices: || labels(UpdateCycle::ALL, UpdateCycle::label),
        write: |r| Out::text(r.entry.spec.update_cycle.label()),
        read: |d, c| {
            d.update_cycle = Some(parse::required_enum(c, "更新周期")?);
            Ok(())
        },
    },
    Column {
        header: "发布日期",
        field: "publish_date",
        role: Role::Optional,
        kind: Kind::Date,
        width: 12.0,
        choices: none,
        write: |r| r.entry.spec.publish_date.map_or(Out::Empty, Out::Date),
        read: |d, c| {
            d.publish_date = parse::date(c)?;
            Ok(())
        },
    },
    Column {
        header: "关联资源代码",
        field: "related_codes",
        role: Role::Optional,
        kind: Kind::Code,
        width: 20.0,
        choices: none,
        write: |r| Out::join(&r.entry.spec.related_codes, |c| c.as_str()),
        read: |d, c| {
            d.related_codes = parse::code_list(c)?;
            Ok(())
        },
    },
    Column {
        header: "是否涉密",
        field: "classified",
        role: Role::Optional,
        kind: Kind::Choice,
        width: 9.0,
        choices: yes_no,
        write: |r| Out::bool(r.entry.spec.classified),
        read: |d, c| {
            d.classified = parse::boolean(c)?.unwrap_or(false);
            Ok(())
        },
    },
    Column {
        header: "标签",
        field: "tags",
        role: Role::Optional,
        kind: Kind::Text,
        width: 16.0,
        choices: none,
        write: |r| Out::join(&r.entry.spec.tags, |t| t.as_str()),
        read: |d, c| {
            d.tags = parse::list(c)?;
            Ok(())
        },
    },
];

/// Sheet "信息项", in template order. Fields are relative to `data_items[i]`.
pub(crate) static ITEM_COLUMNS: [ItemColumn; 15] = [
    Column {
        header: "资源序号",
        field: "seq",
        role: Role::Link,
        kind: Kind::Number,
        width: 9.0,
        choices: none,
        write: |r| Out::Number(r.seq as f64),
        read: skip,
    },
    Column {
        header: "信息资源名称",
        field: "",
        role: Role::Info,
        kind: Kind::Text,
        width: 24.0,
        choices: none,
        write: |r| Out::text(&r.spec.name),
        read: skip,
    },
    Column {
        header: "信息项名称",
        field: "name",
        role: Role::Required,
        kind: Kind::Text,
        width: 20.0,
        choices: none,
        write: |r| Out::text(&r.item.name),
        read: |d, c| {
            d.name = parse::required_text(c, "请填写信息项名称")?;
            Ok(())
        },
    },
    Column {
        header: "数据类型",
        field: "data_type",
        role: Role::Required,
        kind: Kind::Choice,
        width: 10.0,
        choices: || labels(DataType::ALL, DataType::label),
        write: |r| Out::text(r.item.data_type.label()),
        read: |d, c| {
            d.data_type = Some(parse::required_enum(c, "数据类型")?);
            Ok(())
        },
    },
    Column {
        header: "数据长度",
        field: "length",
        role: Role::Optional,
        kind: Kind::Number,
        width: 9.0,
        choices: none,
        write: |r| r.item.length.map_or(Out::Empty, |n| Out::Number(f64::from(n))),
        read: |d, c| {
            d.length = parse::positive_int(c)?;
            Ok(())
        },
    },
    Column {
        header: "信息项描述",
        field: "description",
        role: Role::Optional,
        kind: Kind::LongText,
        width: 28.0,
        choices: none,
        write: |r| Out::opt(&r.item.description),
        read: |d, c| {
            d.description = parse::text(c)?;
            Ok(())
        },
    },
    Column {
        header: "是否主键",
        field: "is_key",
        role: Role::Optional,
        kind: Kind::Choice,
        width: 9.0,
        choices: yes_no,
        write: |r| Out::bool(r.item.is_key),
        read: |d, c| {
            d.is_key = parse::boolean(c)?.unwrap_or(false);
            Ok(())
        },
    },
    Column {
        header: "是否必填",
        field: "required",
        role: Role::Optional,
        kind: Kind::Choice,
        width: 9.0,
        choices: yes_no,
        write: |r| Out::bool(r.item.required),
        read: |d, c| {
            d.required = parse::boolean(c)?.unwrap_or(false);
            Ok(())
        },
    },
    Column {
        header: "是否基础信息项",
        field: "base_item",
        role: Role::Optional,
        kind: Kind::Choice,
        width: 12.0,
        choices: yes_no,
        write: |r| Out::bool(r.item.base_item),
        read: |d, c| {
            d.base_item = parse::boolean(c)?.unwrap_or(false);
            Ok(())
        },
    },
    Column {
        header: "标识类型",
        field: "identifier",
        role: Role::Optional,
        kind: Kind::Choice,
        width: 14.0,
        choices: || labels(IdentifierKind::ALL, IdentifierKind::label),
        write: |r| r.item.identifier.map_or(Out::Empty, |k| Out::text(k.label())),
        read: |d, c| {
            d.identifier = parse::enumeration(c)?;
            Ok(())
        },
    },
    Column {
        header: "共享类型",
        field: "share_type",
        role: Role::Optional,
        kind: Kind::Choice,
        width: 12.0,
        choices: || labels(ShareType::ALL, ShareType::label),
        write: |r| r.item.share_type.map_or(Out::Empty, |t| Out::text(t.label())),
        read: |d, c| {
            d.share_type = parse::enumeration(c)?;
            Ok(())
        },
    },
    Column {
        header: "共享条件",
        field: "share_condition",
        role: Role::Optional,
        kind: Kind::LongText,
        width: 24.0,
        choices: none,
        write: |r| Out::opt(&r.item.share_condition),
        read: |d, c| {
            d.share_condition = parse::text(c)?;
            Ok(())
        },
    },
    Column {
        header: "不予共享依据",
        field: "share_basis",
        role: Role::Optional,
        kind: Kind::LongText,
        width: 24.0,
        choices: none,
        write: |r| Out::opt(&r.item.share_basis),
        read: |d, c| {
            d.share_basis = parse::text(c)?;
            Ok(())
        },
    },
    Column {
        header: "开放类型",
        field: "open_type",
        role: Role::Optional,
        kind: Kind::Choice,
        width: 12.0,
        choices: || labels(OpenType::ALL, OpenType::label),
        write: |r| r.item.open_type.map_or(Out::Empty, |t| Out::text(t.label())),
        read: |d, c| {
            d.open_type = parse::enumeration(c)?;
            Ok(())
        },
    },
    Column {
        header: "开放条件",
        field: "open_condition",
        role: Role::Optional,
        kind: Kind::LongText,
        width: 24.0,
        choices: none,
        write: |r| Out::opt(&r.item.open_condition),
        read: |d, c| {
            d.open_condition = parse::text(c)?;
            Ok(())
        },
    },
];

/// Maps a domain field path (as produced by `domain::catalog::validate_resource`, e.g.
/// `share_condition`, `format.subtype`, `data_items[3].length`, `related_codes[1]`) to the
/// sheet and column header where a clerk fixes it. The row of a data item is in
/// [`crate::ImportedRow::item_rows`]; [`crate::ImportedRow::cell_error`] puts the two together.
///
/// A leading "resource." (the JSON envelope) is ignored. Unknown paths map to the resources
/// sheet with no column.
pub fn locate(field: &str) -> (Sheet, Option<&'static str>) {
    let field = field.trim();
    let field = field.strip_prefix("resource.").unwrap_or(field);
    if let Some(rest) = field.strip_prefix("data_items") {
        // "data_items", "data_items[2]", "data_items[2].length"
        let sub = rest.split_once("].").map(|(_, sub)| strip_index(sub));
        let header = sub.and_then(|sub| ITEM_COLUMNS.iter().find(|c| !c.field.is_empty() && c.field == sub));
        return (Sheet::Items, header.map(|c| c.header));
    }
    let base = match strip_index(field) {
        "format" => "format.class",
        other => other,
    };
    let header = RESOURCE_COLUMNS.iter().find(|c| c.field == base).map(|c| c.header);
    (Sheet::Resources, header)
}

/// "related_codes[1]" → "related_codes".
fn strip_index(field: &str) -> &str {
    field.split_once('[').map_or(field, |(base, _)| base)
}

/// The item index of a "data_items[i]…" path.
pub(crate) fn item_index(field: &str) -> Option<usize> {
    let field = field.trim();
    let field = field.strip_prefix("resource.").unwrap_or(field);
    let rest = field.strip_prefix("data_items[")?;
    rest.split_once(']')?.0.trim().parse().ok()
}

/// The domain field path for a column of either sheet; `item` is the data item index.
pub(crate) fn field_path(sheet: Sheet, field: &str, item: Option<usize>, index: Option<usize>) -> String {
    let mut path = match (sheet, item) {
        (Sheet::Items, Some(i)) if field != "seq" => format!("data_items[{i}].{field}"),
        _ => field.to_string(),
    };
    if let Some(k) = index {
        path.push_str(&format!("[{k}]"));
    }
    path
}

/// The header text as a clerk may have typed it: whitespace removed, a required-marker `*`
/// and a trailing "（必填）" dropped.
pub(crate) fn normalize_header(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let s = s.trim_matches(['*', '＊']);
    let s = s.strip_suffix("（必填）").or_else(|| s.strip_suffix("(必填)")).unwrap_or(s);
    s.trim_matches(['*', '＊']).to_string()
}
