//! 政府数据开放 (seed 002): the confidentiality review (保密审查) that comes before a version of a
//! 无条件开放 resource is opened to the public, and what an opening exposes.
//!
//! seed 002 二(一): "建立健全政府信息资源发布保密审查机制，妥善保护涉及国家秘密、商业秘密、个人隐私……
//! 的政府信息资源". [`scan`] flags the columns of a version that look like personal data; a reviewer
//! of the providing department then decides each flagged column ([`ColumnDecision`]): remove it,
//! mask it, or sign it off with a reason. Opening is refused while any flagged column is
//! undecided ([`undecided`]). The public sees only [`public_fields`] of the opened version.

pub mod scan;

use crate::catalog::DataItem;
use crate::error::FieldError;
use crate::masking::MaskRule;

pub use scan::{ColumnFinding, PersonalKind, scan_column};

/// Longest reason a reviewer may give for a sign-off.
pub const MAX_REASON_CHARS: usize = 500;

/// What a reviewer decided about one flagged column.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ColumnDecision {
    /// The column is not opened at all.
    Remove,
    /// The column is opened masked with this rule (domain::masking).
    Mask { rule: MaskRule },
    /// The reviewer checked the column and opens it as it is, for the reason given.
    SignOff { reason: String },
}

impl ColumnDecision {
    pub fn code(&self) -> &'static str {
        match self {
            ColumnDecision::Remove => "remove",
            ColumnDecision::Mask { .. } => "mask",
            ColumnDecision::SignOff { .. } => "sign_off",
        }
    }

    /// The decision in Chinese, for pages and the audit.
    pub fn label(&self) -> String {
        match self {
            ColumnDecision::Remove => "不开放该列".to_string(),
            ColumnDecision::Mask { rule } => format!("脱敏开放（{}）", rule.kind().label()),
            ColumnDecision::SignOff { reason } => format!("审查确认可开放：{reason}"),
        }
    }

    /// Checks a decision as a reviewer sent it: a sign-off needs a reason (2 to 500 characters), a
    /// custom mask a valid rule.
    pub fn validate(&self) -> Result<(), FieldError> {
        match self {
            ColumnDecision::Remove => Ok(()),
            ColumnDecision::Mask { rule } => rule.validate(),
            ColumnDecision::SignOff { reason } => {
                let n = reason.trim().chars().count();
                if !(2..=MAX_REASON_CHARS).contains(&n) {
                    return Err(FieldError::new(
                        "reason",
                        "required",
                        format!(
                            "确认原样开放疑似个人信息的列，须写明审查意见（2至{MAX_REASON_CHARS}字），例如“该列为单位名称，不含个人信息”"
                        ),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// The flagged columns that have no decision yet, in the order of `flagged`.
pub fn undecided<'a>(flagged: &'a [String], decided: &[(String, ColumnDecision)]) -> Vec<&'a str> {
    flagged.iter().filter(|c| !decided.iter().any(|(d, _)| d == *c)).map(String::as_str).collect()
}

/// Whether an item of a version may be opened at all: the current entry still lists it and its
/// own open type (or the entry's) is 无条件开放. An item the catalogue marks 有条件开放 or 不予开放
/// never reaches the public, whatever the review decided (seed 002; the item-level override of
/// 编制指南 开放属性).
pub fn item_openable(spec: &crate::catalog::ResourceSpec, name: &str) -> bool {
    spec.item(name).is_some_and(|cur| cur.effective_open_type(spec) == crate::catalog::OpenType::Unconditional)
}

/// The data items the public may know of a listed entry, in the opening's (or the entry's) order.
/// With its data opened (无条件开放 and a current opening, whose fields are `opened_fields`): the
/// opened fields the entry still opens ([`item_openable`]); removed columns stay unknown. Otherwise
/// (有条件开放, documents): every item whose open type is not 不予开放, which may be applied for.
/// What the portal's dataset page lists and the public search matches: nothing else of the items.
pub fn public_items<'a>(spec: &'a crate::catalog::ResourceSpec, opened_fields: Option<&'a [String]>) -> Vec<&'a str> {
    use crate::catalog::OpenType;
    match opened_fields.filter(|_| spec.open_type == OpenType::Unconditional) {
        Some(fields) => fields.iter().filter(|f| item_openable(spec, f)).map(String::as_str).collect(),
        None => spec
            .data_items
            .iter()
            .filter(|i| i.effective_open_type(spec) != OpenType::NotOpen)
            .map(|i| i.name.as_str())
            .collect(),
    }
}

/// What the public sees of a version: every item the catalogue opens (see [`item_openable`])
/// except removed ones, in item order, and the masks of masked ones. Decisions about columns the
/// version does not have are ignored.
pub fn public_fields(
    spec: &crate::catalog::ResourceSpec,
    items: &[DataItem],
    decided: &[(String, ColumnDecision)],
) -> (Vec<String>, Vec<(String, MaskRule)>) {
    let mut fields = Vec::new();
    let mut masks = Vec::new();
    for item in items.iter().filter(|i| item_openable(spec, &i.name)) {
        match decided.iter().find(|(c, _)| *c == item.name).map(|(_, d)| d) {
            Some(ColumnDecision::Remove) => continue,
            Some(ColumnDecision::Mask { rule }) => masks.push((item.name.clone(), *rule)),
            _ => {}
        }
        fields.push(item.name.clone());
    }
    (fields, masks)
}

/// Whether the public portal lists an entry (seed 002 三(三)): published, not classified (涉密 is
/// never open, STANDARDS §1.6-4), and either 有条件开放 (its metadata and conditions are shown; the
/// data is applied for) or 无条件开放 with its data opened after the confidentiality review. A
/// 无条件开放 entry without structured data (documents) has nothing to review and is listed once
/// published.
pub fn listed(
    status: crate::catalog::ResourceStatus,
    classified: bool,
    open_type: crate::catalog::OpenType,
    structured: bool,
    opened: bool,
) -> bool {
    use crate::catalog::{OpenType, ResourceStatus};
    if status != ResourceStatus::Published || classified {
        return false;
    }
    match open_type {
        OpenType::Conditional => true,
        OpenType::Unconditional => opened || !structured,
        OpenType::NotOpen => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{DataType, OpenType};

    #[test]
    fn public_fields_leave_removed_out_and_mask_masked() {
        let items = vec![
            DataItem::new("姓名", DataType::C, Some(50)),
            DataItem::new("身份证号", DataType::C, Some(18)),
            DataItem::new("单位名称", DataType::C, Some(100)),
        ];
        let decided = vec![
            ("身份证号".to_string(), ColumnDecision::Remove),
            ("姓名".to_string(), ColumnDecision::Mask { rule: MaskRule::Name }),
            ("不存在".to_string(), ColumnDecision::Remove),
        ];
        let mut spec = spec(items.clone());
        let (fields, masks) = public_fields(&spec, &items, &decided);
        assert_eq!(fields, vec!["姓名".to_string(), "单位名称".to_string()]);
        assert_eq!(masks, vec![("姓名".to_string(), MaskRule::Name)]);
        let flagged = vec!["姓名".to_string(), "联系电话".to_string()];
        assert_eq!(undecided(&flagged, &decided), vec!["联系电话"]);
        // An item the catalogue marks 不予开放 or 有条件开放 never opens, whatever the review said,
        // and neither does one the current entry no longer lists.
        spec.data_items[2].open_type = Some(OpenType::NotOpen);
        let (fields, _) = public_fields(&spec, &items, &decided);
        assert_eq!(fields, vec!["姓名".to_string()]);
        spec.data_items[0].open_type = Some(OpenType::Conditional);
        assert!(public_fields(&spec, &items, &decided).0.is_empty());
        spec.data_items[0].open_type = None;
        spec.data_items.remove(0);
        assert!(public_fields(&spec, &items, &decided).0.is_empty());
    }

    #[test]
    fn public_items_are_the_opened_fields_or_the_items_that_may_be_applied_for() {
        let mut spec = spec(vec![
            DataItem::new("姓名", DataType::C, Some(50)),
            DataItem::new("身份证号", DataType::C, Some(18)),
            DataItem::new("单位名称", DataType::C, Some(100)),
        ]);
        spec.data_items[2].open_type = Some(OpenType::NotOpen);
        let opened = vec!["单位名称".to_string(), "姓名".to_string()];
        // Opened: the opening's fields, in its order, less what the entry no longer opens; the
        // removed 身份证号 stays unknown.
        assert_eq!(public_items(&spec, Some(&opened)), vec!["姓名"]);
        spec.data_items[2].open_type = None;
        assert_eq!(public_items(&spec, Some(&opened)), vec!["单位名称", "姓名"]);
        // Not opened (no opening, or 有条件开放 whatever an opening says): what may be applied for.
        spec.data_items[1].open_type = Some(OpenType::NotOpen);
        assert_eq!(public_items(&spec, None), vec!["姓名", "单位名称"]);
        spec.open_type = OpenType::Conditional;
        assert_eq!(public_items(&spec, Some(&opened)), vec!["姓名", "单位名称"]);
        spec.data_items[0].open_type = Some(OpenType::NotOpen);
        assert_eq!(public_items(&spec, None), vec!["单位名称"]);
    }

    fn spec(items: Vec<DataItem>) -> crate::catalog::ResourceSpec {
        use crate::catalog::*;
        ResourceSpec {
            category: CategoryCode::parse("307004").unwrap(),
            name: "测试".into(),
            provider_name: String::new(),
            provider_code: String::new(),
            provider_division: None,
            summary: "测试".into(),
            format: Format { class: FormatClass::Database, subtype: None, other_desc: None },
            data_items: items,
            share_type: ShareType::Unconditional,
            share_condition: None,
            share_basis: None,
            share_methods: vec![ShareMethod::Api],
            open_type: OpenType::Unconditional,
            open_condition: None,
            update_cycle: UpdateCycle::Daily,
            publish_date: None,
            related_codes: Vec::new(),
            classified: false,
            tags: Vec::new(),
            collection_decisions: Vec::new(),
        }
    }

    #[test]
    fn a_sign_off_needs_a_reason() {
        assert!(ColumnDecision::SignOff { reason: " ".into() }.validate().is_err());
        assert!(ColumnDecision::SignOff { reason: "单位名称，非个人信息".into() }.validate().is_ok());
        assert!(ColumnDecision::Mask { rule: MaskRule::Custom { keep_start: 30, keep_end: 30 } }.validate().is_err());
    }
}
