//! One failing case per rule, plus a valid entry of each kind.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::*;
use crate::catalog::category::{CategoryCode, CategoryNode};
use crate::catalog::enums::*;
use crate::catalog::resource::{DataItem, Format};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

fn ctx_for(spec: &ResourceSpec) -> ValidationContext {
    ValidationContext {
        today: today(),
        category: Some(CategoryNode::new(spec.category.as_str(), "测试分类").unwrap()),
        existing_related: BTreeSet::from([ResourceCode::parse("101001/000001").unwrap()]),
        own_code: Some(ResourceCode::parse("307001/000009").unwrap()),
    }
}

fn valid() -> ResourceSpec {
    let mut id = DataItem::new("公民身份号码", DataType::C, Some(18));
    id.is_key = true;
    ResourceSpec {
        category: CategoryCode::parse("307001").unwrap(),
        name: "居民户籍登记信息".into(),
        provider_name: "示例市公安局".into(),
        provider_code: "11350100MB0000000Y".into(),
        provider_division: Some("户政处".into()),
        summary: "示例市常住户籍人口的登记信息".into(),
        format: Format { class: FormatClass::Database, subtype: Some("oracle".into()), other_desc: None },
        data_items: vec![id, DataItem::new("出生日期", DataType::D, None)],
        share_type: ShareType::Conditional,
        share_condition: Some("仅限公安、民政部门办理户籍相关业务使用".into()),
        share_basis: None,
        share_methods: vec![ShareMethod::Api],
        open_type: OpenType::NotOpen,
        open_condition: None,
        update_cycle: UpdateCycle::Daily,
        publish_date: Some(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
        related_codes: vec![ResourceCode::parse("101001/000001").unwrap()],
        classified: false,
        tags: vec!["户籍".into()],
        collection_decisions: Vec::new(),
    }
}

/// Asserts that validation fails on `field` with `code`.
#[track_caller]
fn fails(spec: ResourceSpec, field: &str, code: &str) {
    fails_in(spec.clone(), ctx_for(&spec), field, code)
}

#[track_caller]
fn fails_in(spec: ResourceSpec, ctx: ValidationContext, field: &str, code: &str) {
    let errs = validate_resource(&spec, &ctx).expect_err("expected a validation error");
    assert!(
        errs.0.iter().any(|e| e.field == field && e.code == code && !e.message.is_empty()),
        "expected {field}/{code}, got {errs:?}"
    );
}

fn fix_provider_code(mut s: ResourceSpec) -> ResourceSpec {
    // Compute a valid credit code for the fixture so the base case is valid.
    let body = "11350100MB0000000";
    let check = crate::identifiers::credit_code_check_char(body).expect("check char");
    s.provider_code = format!("{body}{check}");
    s
}

#[test]
fn valid_entry_passes() {
    let s = fix_provider_code(valid());
    assert_eq!(validate_resource(&s, &ctx_for(&s)), Ok(()));
}

#[test]
fn unknown_category() {
    let s = fix_provider_code(valid());
    let mut ctx = ctx_for(&s);
    ctx.category = None;
    fails_in(s, ctx, "category", "unknown_category");
}

#[test]
fn category_too_coarse() {
    let mut s = fix_provider_code(valid());
    s.category = CategoryCode::parse("307").unwrap();
    fails(s, "category", "category_too_coarse");
}

#[test]
fn name_required_and_bounded() {
    let mut s = fix_provider_code(valid());
    s.name = "  ".into();
    fails(s.clone(), "name", "required");
    s.name = "名".repeat(MAX_NAME + 1);
    fails(s, "name", "too_long");
}

#[test]
fn summary_and_provider_required() {
    let mut s = fix_provider_code(valid());
    s.summary = String::new();
    s.provider_name = String::new();
    fails(s.clone(), "summary", "required");
    fails(s, "provider_name", "required");
}

#[test]
fn provider_code_checked_per_gb32100() {
    let mut s = fix_provider_code(valid());
    let mut code: Vec<char> = s.provider_code.chars().collect();
    code[17] = if code[17] == '0' { '1' } else { '0' };
    s.provider_code = code.into_iter().collect();
    fails(s.clone(), "provider_code", "invalid_credit_code");
    s.provider_code = String::new();
    fails(s, "provider_code", "required");
}

#[test]
fn unknown_subtype_and_other_needs_description() {
    let mut s = fix_provider_code(valid());
    s.format.subtype = Some("excel97".into());
    fails(s.clone(), "format.subtype", "invalid_value");
    s.format.subtype = Some("其他".into());
    fails(s.clone(), "format.other_desc", "required");
    s.format = Format { class: FormatClass::Other, subtype: None, other_desc: None };
    fails(s, "format.other_desc", "required");
}

#[test]
fn structured_formats_need_items() {
    let mut s = fix_provider_code(valid());
    s.data_items.clear();
    fails(s.clone(), "data_items", "required");
    s.format = Format { class: FormatClass::Spreadsheet, subtype: Some("xlsx".into()), other_desc: None };
    fails(s.clone(), "data_items", "required");
    // A document resource needs none.
    s.format = Format { class: FormatClass::ElectronicFile, subtype: Some("pdf".into()), other_desc: None };
    assert_eq!(validate_resource(&s, &ctx_for(&s)), Ok(()));
}

#[test]
fn character_items_need_length() {
    let mut s = fix_provider_code(valid());
    s.data_items[0].length = None;
    fails(s.clone(), "data_items[0].length", "required");
    s.data_items[0].length = Some(0);
    fails(s, "data_items[0].length", "invalid_value");
}

#[test]
fn item_names_required_and_unique() {
    let mut s = fix_provider_code(valid());
    s.data_items[1].name = "公民身份号码".into();
    fails(s.clone(), "data_items[1].name", "duplicate");
    s.data_items[1].name = String::new();
    fails(s, "data_items[1].name", "required");
}

#[test]
fn conditional_requires_conditions() {
    let mut s = fix_provider_code(valid());
    s.share_condition = Some(" ".into());
    fails(s, "share_condition", "required");
}

#[test]
fn not_shared_requires_legal_basis() {
    let mut s = fix_provider_code(valid());
    s.share_type = ShareType::NotShared;
    s.share_methods.clear();
    fails(s.clone(), "share_basis", "required");
    s.share_basis = Some("《中华人民共和国居民身份证法》第六条".into());
    assert_eq!(validate_resource(&s, &ctx_for(&s)), Ok(()));
}

#[test]
fn not_shared_has_no_methods() {
    let mut s = fix_provider_code(valid());
    s.share_type = ShareType::NotShared;
    s.share_basis = Some("《中华人民共和国保守国家秘密法》".into());
    fails(s, "share_methods", "not_applicable");
}

#[test]
fn shared_needs_a_method() {
    let mut s = fix_provider_code(valid());
    s.share_methods.clear();
    fails(s, "share_methods", "required");
}

#[test]
fn base_items_must_be_unconditional() {
    let mut s = fix_provider_code(valid());
    s.category = CategoryCode::parse("101001").unwrap();
    s.related_codes.clear();
    s.data_items[0].base_item = true;
    // The resource is Conditional, so its base item inherits Conditional: refused.
    fails(s.clone(), "data_items[0].share_type", "base_item_must_be_unconditional");
    // Overriding the item to Unconditional satisfies 第十条(二).
    s.data_items[0].share_type = Some(ShareType::Unconditional);
    assert_eq!(validate_resource(&s, &ctx_for(&s)), Ok(()));
}

#[test]
fn base_item_flag_only_on_base_resources() {
    let mut s = fix_provider_code(valid());
    s.data_items[0].base_item = true;
    fails(s, "data_items[0].base_item", "not_base_resource");
}

#[test]
fn theme_resources_are_shared() {
    let mut s = fix_provider_code(valid());
    s.category = CategoryCode::parse("203001").unwrap();
    s.share_type = ShareType::NotShared;
    s.share_methods.clear();
    s.share_basis = Some("某依据".into());
    fails(s, "share_type", "theme_must_share");
}

#[test]
fn item_overrides_need_their_conditions() {
    let mut s = fix_provider_code(valid());
    s.share_type = ShareType::Unconditional;
    s.share_condition = None;
    s.data_items[1].share_type = Some(ShareType::Conditional);
    fails(s.clone(), "data_items[1].share_condition", "required");
    s.data_items[1].share_type = Some(ShareType::NotShared);
    fails(s.clone(), "data_items[1].share_basis", "required");
    s.data_items[1].share_type = None;
    s.data_items[1].open_type = Some(OpenType::Conditional);
    fails(s, "data_items[1].open_condition", "required");
}

#[test]
fn conditional_open_requires_conditions() {
    let mut s = fix_provider_code(valid());
    s.open_type = OpenType::Conditional;
    fails(s, "open_condition", "required");
}

#[test]
fn classified_can_never_be_opened() {
    let mut s = fix_provider_code(valid());
    s.classified = true;
    s.open_type = OpenType::Unconditional;
    fails(s.clone(), "open_type", "classified_open");
    s.open_type = OpenType::NotOpen;
    s.data_items[0].open_type = Some(OpenType::Unconditional);
    fails(s, "data_items[0].open_type", "classified_open");
}

#[test]
fn publish_date_not_in_future() {
    let mut s = fix_provider_code(valid());
    s.publish_date = Some(NaiveDate::from_ymd_opt(2026, 3, 3).unwrap());
    fails(s, "publish_date", "in_future");
}

#[test]
fn related_codes_must_exist() {
    let mut s = fix_provider_code(valid());
    s.related_codes.push(ResourceCode::parse("101002/000007").unwrap());
    fails(s.clone(), "related_codes[1]", "unknown_code");
    s.related_codes[1] = ResourceCode::parse("101001/000001").unwrap();
    fails(s.clone(), "related_codes[1]", "duplicate");
    s.related_codes[1] = ResourceCode::parse("307001/000009").unwrap();
    fails(s, "related_codes[1]", "self_reference");
}

#[test]
fn tags_bounded() {
    let mut s = fix_provider_code(valid());
    s.tags = vec![String::new()];
    fails(s, "tags", "invalid_value");
}

#[test]
fn reports_every_problem_at_once() {
    let mut s = fix_provider_code(valid());
    s.name = String::new();
    s.summary = String::new();
    s.share_condition = None;
    let errs = validate_resource(&s, &ctx_for(&s)).unwrap_err();
    assert!(errs.0.len() >= 3, "{errs:?}");
}

#[test]
fn collection_decisions_are_well_formed() {
    use crate::elements::{CollectionChoice, CollectionDecision};
    let decision = |item: &str, choice, source: Option<&str>, reason: Option<&str>| CollectionDecision {
        item: item.into(),
        choice,
        source: source.map(Into::into),
        reason: reason.map(Into::into),
    };
    let mut s = fix_provider_code(valid());
    s.collection_decisions = vec![
        decision("公民身份号码", CollectionChoice::ReferenceOnly, None, None),
        decision(" 出生日期 ", CollectionChoice::UseShared, Some("307001/000001"), None),
    ];
    assert_eq!(validate_resource(&s, &ctx_for(&s)), Ok(()), "item names are compared trimmed");

    let mut bad = s.clone();
    bad.collection_decisions.push(decision("户籍地址", CollectionChoice::ReferenceOnly, None, None));
    fails(bad, "collection_decisions[2].item", "unknown_item");
    let mut bad = s.clone();
    bad.collection_decisions.push(decision("出生日期", CollectionChoice::ReferenceOnly, None, None));
    fails(bad, "collection_decisions[2].item", "duplicate");
    let mut bad = s.clone();
    bad.collection_decisions[1].source = Some("  ".into());
    fails(bad, "collection_decisions[1].source", "required");
    let mut bad = s.clone();
    bad.collection_decisions[0] = decision("公民身份号码", CollectionChoice::CollectOwn, None, Some(" "));
    let errs = validate_resource(&bad, &ctx_for(&bad)).unwrap_err();
    assert_eq!(
        errs.0,
        vec![crate::error::FieldError::new(
            "collection_decisions[0].reason",
            "required",
            "信息项“公民身份号码”选择自行采集，请写明理由和法律依据（国发〔2016〕51号第十二条：可以通过共享平台获取的信息，原则上不得要求重复提交）"
        )]
    );
    bad.collection_decisions[0].reason = Some("窗口办理时当场核录证件，作为业务办理记录留存".into());
    assert_eq!(validate_resource(&bad, &ctx_for(&bad)), Ok(()));
}
