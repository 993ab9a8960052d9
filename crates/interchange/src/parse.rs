//! Turning spreadsheet cells into domain values. A cell arrives as text (CSV) or as a typed
//! Excel value (XLSX: numbers come as floats such as `18.0`, dates as real date cells); every
//! parser accepts both and says in Chinese what it expected.

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use domain::catalog::{
    CategoryCode, DataItem, DataType, Format, FormatClass, IdentifierKind, OpenType, ResourceCode, ResourceSpec,
    ShareMethod, ShareType, UpdateCycle,
};
use domain::error::ParseEnumError;

/// One cell as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl Cell {
    /// A text cell; blank text is an empty cell.
    pub(crate) fn text(s: &str) -> Cell {
        if s.trim().is_empty() { Cell::Empty } else { Cell::Text(s.to_string()) }
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
}

/// A problem with one cell: the message, and for multi-valued cells the 0-based index of the
/// first bad value (so the field path can say `related_codes[1]`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Issue {
    pub index: Option<usize>,
    pub message: String,
}

impl From<String> for Issue {
    fn from(message: String) -> Issue {
        Issue { index: None, message }
    }
}

impl From<&str> for Issue {
    fn from(message: &str) -> Issue {
        Issue { index: None, message: message.to_string() }
    }
}

/// Formats a number the way a clerk typed it: `18.0` → "18", `1.5` → "1.5".
pub(crate) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// The cell as trimmed text; `None` when empty.
pub(crate) fn text(c: &Cell) -> Result<Option<String>, String> {
    match c {
        Cell::Empty => Ok(None),
        Cell::Text(s) => {
            let s = s.trim();
            Ok((!s.is_empty()).then(|| s.to_string()))
        }
        Cell::Number(n) if n.fract() == 0.0 && n.abs() >= 1e15 => Err(format!(
            "单元格被Excel存成了数字（{n:e}），超过15位的代码会丢失末尾数字；请把该列设为“文本”格式后重新填写"
        )),
        Cell::Number(n) => Ok(Some(number_text(*n))),
        Cell::Bool(b) => Ok(Some(if *b { "是" } else { "否" }.to_string())),
        Cell::Date(d) => Ok(Some(d.format("%Y-%m-%d").to_string())),
        Cell::Error(e) => Err(format!("单元格是Excel错误值“{e}”（多为公式出错），请改为实际内容")),
    }
}

/// Non-empty text, or `missing` as the error.
pub(crate) fn required_text(c: &Cell, missing: &str) -> Result<String, String> {
    text(c)?.ok_or_else(|| missing.to_string())
}

/// An enumeration value by Chinese label, English code or the guide's number.
pub(crate) fn enumeration<T>(c: &Cell) -> Result<Option<T>, String>
where
    T: FromStr<Err = ParseEnumError>,
{
    match text(c)? {
        None => Ok(None),
        Some(s) => s.parse::<T>().map(Some).map_err(|e| e.to_string()),
    }
}

/// A required enumeration value.
pub(crate) fn required_enum<T>(c: &Cell, header: &str) -> Result<T, String>
where
    T: FromStr<Err = ParseEnumError>,
{
    enumeration(c)?.ok_or_else(|| format!("请填写“{header}”"))
}

/// 是/否, also true/false, 1/0, Y/N and real boolean cells. Empty is `None`.
pub(crate) fn boolean(c: &Cell) -> Result<Option<bool>, String> {
    if let Cell::Bool(b) = c {
        return Ok(Some(*b));
    }
    let Some(s) = text(c)? else { return Ok(None) };
    let v = match s.to_ascii_lowercase().as_str() {
        "是" | "true" | "1" | "y" | "yes" | "涉密" | "√" => true,
        "否" | "false" | "0" | "n" | "no" | "非涉密" | "不涉密" | "×" => false,
        _ => return Err(format!("“{s}”无法识别，请填写“是”或“否”")),
    };
    Ok(Some(v))
}

/// A positive integer such as a data length; `18.0` from Excel is 18. Empty is `None`.
pub(crate) fn positive_int(c: &Cell) -> Result<Option<u32>, String> {
    let n = match c {
        Cell::Number(n) => *n,
        _ => {
            let Some(s) = text(c)? else { return Ok(None) };
            let digits = s.trim_end_matches("字节").trim_end_matches(['B', 'b']).trim();
            if digits.contains([',', '，']) {
                return Err(format!("数据长度“{s}”应为一个正整数（字节数）；数值型的小数位数请写在“信息项描述”中"));
            }
            match digits.parse::<f64>() {
                Ok(n) if n.is_finite() => n,
                _ => return Err(format!("数据长度“{s}”不是数字，请填写正整数（字节数），如 18")),
            }
        }
    };
    if n.fract() != 0.0 {
        return Err(format!("数据长度“{}”不是整数，请填写正整数（字节数），如 18", number_text(n)));
    }
    if n < 1.0 {
        return Err(format!("数据长度“{}”必须大于0，请填写正整数（字节数），如 18", number_text(n)));
    }
    if n > f64::from(u32::MAX) {
        return Err(format!("数据长度“{}”过大，请填写实际字节数", number_text(n)));
    }
    Ok(Some(n as u32))
}

/// A date: a real Excel date cell, or text `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYY.MM.DD`,
/// `YYYY年M月D日`, `YYYYMMDD`, with an optional time after it). Empty is `None`.
pub(crate) fn date(c: &Cell) -> Result<Option<NaiveDate>, String> {
    let bad = |s: &str| format!("“{s}”不是有效的日期，请按 YYYY-MM-DD 填写，如 2024-03-15");
    match c {
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(n) => {
            // A date cell that lost its format shows as its serial number; 20240315 typed as a number.
            let whole = n.fract() == 0.0;
            if whole && (19_000_101.0..=29_991_231.0).contains(n) {
                return date_text(&number_text(*n)).map(Some).ok_or_else(|| bad(&number_text(*n)));
            }
            if (20_000.0..80_000.0).contains(n) {
                let base = NaiveDate::from_ymd_opt(1899, 12, 30);
                return base
                    .and_then(|b| b.checked_add_days(chrono::Days::new(n.floor() as u64)))
                    .map(Some)
                    .ok_or_else(|| bad(&number_text(*n)));
            }
            Err(bad(&number_text(*n)))
        }
        _ => match text(c)? {
            None => Ok(None),
            Some(s) => date_text(&s).map(Some).ok_or_else(|| bad(&s)),
        },
    }
}

fn date_text(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // Drop a time part: "2024-03-15 00:00:00", "2024-03-15T00:00:00".
    let day = s.split(['T', ' ']).next().unwrap_or(s);
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(day, f)
            && (1900..=2999).contains(&d.year())
        {
            return Some(d);
        }
    }
    None
}

/// The separators of a multi-valued cell.
const SEPARATORS: &[char] = &['；', ';', '，', ',', '、', '\n', '\r'];

/// The separator written on export.
pub(crate) const JOINER: &str = "；";

/// The values of a multi-valued cell, trimmed, without empty ones.
pub(crate) fn list(c: &Cell) -> Result<Vec<String>, String> {
    Ok(text(c)?
        .map(|s| s.split(SEPARATORS).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).collect())
        .unwrap_or_default())
}

/// A list of enumeration values; the issue names every value that is not recognised.
pub(crate) fn enum_list<T>(c: &Cell) -> Result<Vec<T>, Issue>
where
    T: FromStr<Err = ParseEnumError>,
{
    let mut out = Vec::new();
    let mut bad: Vec<(usize, ParseEnumError)> = Vec::new();
    for (i, v) in list(c)?.iter().enumerate() {
        match v.parse::<T>() {
            Ok(x) => out.push(x),
            Err(e) => bad.push((i, e)),
        }
    }
    match bad.as_slice() {
        [] => Ok(out),
        [(i, e)] => Err(Issue { index: Some(*i), message: e.to_string() }),
        [(i, e), ..] => {
            let names: Vec<String> = bad.iter().map(|(_, e)| format!("“{}”", e.value)).collect();
            Err(Issue {
                index: Some(*i),
                message: format!("{}{}无法识别，可选值：{}", e.what, names.join("、"), e.expected),
            })
        }
    }
}

/// A list of resource codes; the issue names every malformed one.
pub(crate) fn code_list(c: &Cell) -> Result<Vec<ResourceCode>, Issue> {
    let mut out = Vec::new();
    let mut bad: Vec<(usize, String)> = Vec::new();
    for (i, v) in list(c)?.iter().enumerate() {
        match ResourceCode::parse(v) {
            Ok(code) => out.push(code),
            Err(_) => bad.push((i, v.clone())),
        }
    }
    match bad.first() {
        None => Ok(out),
        Some((i, _)) => {
            let names: Vec<String> = bad.iter().map(|(_, v)| format!("“{v}”")).collect();
            Err(Issue {
                index: Some(*i),
                message: format!(
                    "关联资源代码{}格式不对，应为“前段码/后段码”，如 101001/000001；多个代码用“；”分隔",
                    names.join("、")
                ),
            })
        }
    }
}

/// The value of a 序号 / 资源序号 cell, normalised so that `1`, `1.0` and " 1 " match.
pub(crate) fn row_key(c: &Cell) -> Result<Option<String>, String> {
    Ok(text(c)?.map(|s| match s.parse::<f64>() {
        Ok(n) if n.is_finite() && n.fract() == 0.0 => number_text(n),
        _ => s,
    }))
}

/// A resource row being read, before it becomes a [`ResourceSpec`].
#[derive(Debug, Default)]
pub(crate) struct ResourceDraft {
    pub code: Option<String>,
    pub category: Option<CategoryCode>,
    pub name: String,
    pub provider_name: String,
    pub provider_code: String,
    pub provider_division: Option<String>,
    pub summary: String,
    pub format_class: Option<FormatClass>,
    pub subtype: Option<String>,
    pub other_desc: Option<String>,
    pub share_type: Option<ShareType>,
    pub share_condition: Option<String>,
    pub share_basis: Option<String>,
    pub share_methods: Vec<ShareMethod>,
    pub open_type: Option<OpenType>,
    pub open_condition: Option<String>,
    pub update_cycle: Option<UpdateCycle>,
    pub publish_date: Option<NaiveDate>,
    pub related_codes: Vec<ResourceCode>,
    pub classified: bool,
    pub tags: Vec<String>,
}

impl ResourceDraft {
    /// The spec, or `None` if a required value is missing (already reported by its column).
    pub(crate) fn finish(self, data_items: Vec<DataItem>) -> Option<ResourceSpec> {
        Some(ResourceSpec {
            category: self.category?,
            name: self.name,
            provider_name: self.provider_name,
            provider_code: self.provider_code,
            provider_division: self.provider_division,
            summary: self.summary,
            format: Format { class: self.format_class?, subtype: self.subtype, other_desc: self.other_desc },
            data_items,
            share_type: self.share_type?,
            share_condition: self.share_condition,
            share_basis: self.share_basis,
            share_methods: self.share_methods,
            open_type: self.open_type?,
            open_condition: self.open_condition,
            update_cycle: self.update_cycle?,
            publish_date: self.publish_date,
            related_codes: self.related_codes,
            classified: self.classified,
            tags: self.tags,
            collection_decisions: Vec::new(),
        })
    }
}

/// A data item row being read.
#[derive(Debug, Default)]
pub(crate) struct ItemDraft {
    pub name: String,
    pub data_type: Option<DataType>,
    pub length: Option<u32>,
    pub description: Option<String>,
    pub is_key: bool,
    pub required: bool,
    pub base_item: bool,
    pub identifier: Option<IdentifierKind>,
    pub share_type: Option<ShareType>,
    pub share_condition: Option<String>,
    pub share_basis: Option<String>,
    pub open_type: Option<OpenType>,
    pub open_condition: Option<String>,
}

impl ItemDraft {
    /// The item, or `None` if a required value is missing (already reported by its column).
    pub(crate) fn finish(self) -> Option<DataItem> {
        Some(DataItem {
            name: self.name,
            data_type: self.data_type?,
            length: self.length,
            description: self.description,
            is_key: self.is_key,
            required: self.required,
            base_item: self.base_item,
            identifier: self.identifier,
            share_type: self.share_type,
            share_condition: self.share_condition,
            share_basis: self.share_basis,
            open_type: self.open_type,
            open_condition: self.open_condition,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::text(s)
    }

    #[test]
    fn numbers_from_excel_are_floats() {
        assert_eq!(positive_int(&Cell::Number(18.0)), Ok(Some(18)));
        assert_eq!(positive_int(&t(" 18 ")), Ok(Some(18)));
        assert_eq!(positive_int(&t("18.0")), Ok(Some(18)));
        assert_eq!(positive_int(&t("32字节")), Ok(Some(32)));
        assert_eq!(positive_int(&Cell::Empty), Ok(None));
        for bad in [t("0"), t("-3"), t("1.5"), t("abc"), t("18,2"), Cell::Number(0.0), t("NaN"), t("1e30")] {
            let e = positive_int(&bad).unwrap_err();
            assert!(e.contains("数据长度"), "{e}");
        }
        assert_eq!(text(&Cell::Number(101001.0)), Ok(Some("101001".to_string())));
        assert!(text(&Cell::Number(911100000000000000.0)).is_err());
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 15);
        for s in ["2024-03-15", "2024/3/15", "2024.03.15", "2024年3月15日", "20240315", "2024-03-15 00:00:00"] {
            assert_eq!(date(&t(s)), Ok(d), "{s}");
        }
        assert_eq!(date(&Cell::Number(45366.0)), Ok(d));
        assert_eq!(date(&Cell::Number(20240315.0)), Ok(d));
        assert_eq!(date(&Cell::Date(NaiveDate::from_ymd_opt(2024, 3, 15).unwrap())), Ok(d));
        for bad in ["2024-13-01", "明天", "15/03/2024", "2024-02-30"] {
            assert!(date(&t(bad)).unwrap_err().contains("YYYY-MM-DD"), "{bad}");
        }
        assert!(date(&Cell::Number(7.0)).is_err());
    }

    #[test]
    fn booleans() {
        for s in ["是", "true", "TRUE", "1", "Y", "y"] {
            assert_eq!(boolean(&t(s)), Ok(Some(true)), "{s}");
        }
        for s in ["否", "false", "0", "N"] {
            assert_eq!(boolean(&t(s)), Ok(Some(false)), "{s}");
        }
        assert_eq!(boolean(&Cell::Number(1.0)), Ok(Some(true)));
        assert_eq!(boolean(&Cell::Bool(false)), Ok(Some(false)));
        assert_eq!(boolean(&Cell::Empty), Ok(None));
        assert!(boolean(&t("也许")).unwrap_err().contains("“是”或“否”"));
    }

    #[test]
    fn lists_split_on_every_separator() {
        let c = t("接口；在线查询;批量下载，核验,库表交换、邮件或介质\n接口");
        assert_eq!(list(&c).unwrap().len(), 7);
        let methods: Vec<ShareMethod> = enum_list(&c).unwrap();
        assert_eq!(methods[0], ShareMethod::Api);
        let e = enum_list::<ShareMethod>(&t("接口；传真；飞鸽")).unwrap_err();
        assert_eq!(e.index, Some(1));
        assert!(e.message.contains("“传真”、“飞鸽”") && e.message.contains("在线查询"), "{}", e.message);
        let e = code_list(&t("101001/000001；坏代码")).unwrap_err();
        assert_eq!(e.index, Some(1));
        assert!(e.message.contains("坏代码"));
    }

    #[test]
    fn enums_and_keys() {
        assert_eq!(enumeration::<ShareType>(&Cell::Number(2.0)), Ok(Some(ShareType::Conditional)));
        assert_eq!(required_enum::<ShareType>(&Cell::Empty, "共享类型"), Err("请填写“共享类型”".to_string()));
        assert!(enumeration::<ShareType>(&t("随便")).unwrap_err().contains("无条件共享"));
        assert_eq!(row_key(&Cell::Number(3.0)), Ok(Some("3".to_string())));
        assert_eq!(row_key(&t(" 3.0 ")), Ok(Some("3".to_string())));
        assert!(text(&Cell::Error("#N/A".into())).unwrap_err().contains("#N/A"));
    }
}
