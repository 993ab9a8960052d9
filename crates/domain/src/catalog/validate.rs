//! Every validation rule of STANDARDS.md §1.6 for a catalogue entry, with the seed clause behind
//! it. Each failure names the field and says in Chinese what to fix. All problems are reported at
//! once so that a clerk can fix a form (or a spreadsheet row) in one pass.

use std::collections::{BTreeSet, HashSet};

use chrono::NaiveDate;

use super::category::{CategoryKind, CategoryNode};
use super::code::ResourceCode;
use super::enums::{OpenType, ShareType};
use super::resource::{DataItem, ResourceSpec};
use crate::error::ValidationErrors;
use crate::identifiers;

/// Limits on free text, in characters.
pub const MAX_NAME: usize = 200;
pub const MAX_SUMMARY: usize = 2000;
pub const MAX_TEXT: usize = 2000;
pub const MAX_ITEMS: usize = 2000;

/// What validation needs to know about the world, gathered by the caller from the store.
#[derive(Debug, Clone)]
pub struct ValidationContext {
    pub today: NaiveDate,
    /// The category node named by the entry, if the tree has it.
    pub category: Option<CategoryNode>,
    /// Those of the entry's related codes that name an existing, not withdrawn, resource.
    pub existing_related: BTreeSet<ResourceCode>,
    /// The entry's own code, if it has one (an entry may not relate to itself).
    pub own_code: Option<ResourceCode>,
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn too_long(s: &Option<String>, max: usize) -> bool {
    s.as_deref().is_some_and(|s| s.chars().count() > max)
}

/// Checks an entry against every rule. `Ok(())` or all the problems found.
pub fn validate_resource(spec: &ResourceSpec, ctx: &ValidationContext) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();

    // Rule: the category exists and is fine enough to hold resources (STANDARDS §1.2).
    match &ctx.category {
        None => e.push(
            "category",
            "unknown_category",
            format!("资源分类“{}”不在分类目录中，请从分类树中选择，或请管理员先增设该分类", spec.category),
        ),
        Some(_) if !spec.category.can_hold_resources() => e.push(
            "category",
            "category_too_coarse",
            format!("资源分类“{}”只到类或项，请选择到“目”或“细目”一级的分类", spec.category),
        ),
        Some(_) => {}
    }

    // Core elements 2, 4, 6 are mandatory.
    let name = spec.name.trim();
    if name.is_empty() {
        e.push("name", "required", "请填写信息资源名称");
    } else if name.chars().count() > MAX_NAME {
        e.push("name", "too_long", format!("信息资源名称不能超过{MAX_NAME}字"));
    }
    if spec.provider_name.trim().is_empty() {
        e.push("provider_name", "required", "请填写信息资源提供方");
    }
    let summary = spec.summary.trim();
    if summary.is_empty() {
        e.push("summary", "required", "请填写信息资源摘要：概要描述资源内容或关键字段");
    } else if summary.chars().count() > MAX_SUMMARY {
        e.push("summary", "too_long", format!("信息资源摘要不能超过{MAX_SUMMARY}字"));
    }
    if spec.provider_division.as_deref().is_some_and(|d| d.chars().count() > 100) {
        e.push("provider_division", "too_long", "提供方内部部门不能超过100字");
    }

    // Rule 9: provider code — an 18-character code is a 统一社会信用代码 (GB 32100).
    let pc = spec.provider_code.trim();
    if pc.is_empty() {
        e.push("provider_code", "required", "请填写信息资源提供方代码（统一社会信用代码）");
    } else if pc.chars().count() == 18 {
        if let Err(err) = identifiers::check_credit_code(pc) {
            e.push("provider_code", "invalid_credit_code", format!("提供方代码不是有效的统一社会信用代码：{err}"));
        }
    } else if !pc.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || pc.len() > 32 {
        e.push("provider_code", "invalid_code", "提供方本地代码只能包含字母、数字和“-”，不超过32位");
    }

    // Rules 6: format sub-type must be a known one, and 其他 needs a description.
    let fmt = &spec.format;
    let other_sub = fmt.subtype.as_deref().is_some_and(|s| s.trim() == "其他");
    if let Some(sub) = fmt.subtype.as_deref().map(str::trim).filter(|s| !s.is_empty() && *s != "其他") {
        let known = fmt.class.subtypes();
        if !known.is_empty() && !known.iter().any(|k| k.eq_ignore_ascii_case(sub)) {
            e.push(
                "format.subtype",
                "invalid_value",
                format!("“{}”类格式没有“{sub}”这一类型，可选：{}、其他", fmt.class.label(), known.join("、")),
            );
        }
    }
    if (fmt.class == super::enums::FormatClass::Other || other_sub) && blank(&fmt.other_desc) {
        e.push("format.other_desc", "required", "格式为“其他”时，请具体说明所采用的格式");
    }

    // Rule 5: database and spreadsheet resources list their data items.
    if spec.format.class.is_structured() && spec.data_items.is_empty() {
        e.push(
            "data_items",
            "required",
            format!("格式为“{}”的资源必须列出信息项（名称、数据类型、长度）", spec.format.class.label()),
        );
    }
    if spec.data_items.len() > MAX_ITEMS {
        e.push("data_items", "too_many", format!("信息项不能超过{MAX_ITEMS}个"));
    }
    let mut seen = HashSet::new();
    for (i, item) in spec.data_items.iter().enumerate() {
        check_item(spec, item, &format!("data_items[{i}]"), ctx, &mut e);
        if !item.name.trim().is_empty() && !seen.insert(item.name.trim()) {
            e.push(format!("data_items[{i}].name"), "duplicate", format!("信息项“{}”重复，请合并或改名", item.name));
        }
    }

    // Rule 2 (国发〔2016〕51号 第九条、第十条(一)): share conditions and legal basis.
    match spec.share_type {
        ShareType::Conditional if blank(&spec.share_condition) => {
            e.push("share_condition", "required", "有条件共享的资源须写明共享条件和范围（可提供给哪些部门、哪些部分）")
        }
        ShareType::NotShared => {
            if blank(&spec.share_basis) {
                e.push(
                    "share_basis",
                    "required",
                    "不予共享的资源必须写明法律、行政法规或党中央、国务院政策依据（国发〔2016〕51号第十条）",
                );
            }
            if !spec.share_methods.is_empty() {
                e.push("share_methods", "not_applicable", "不予共享的资源不设共享方式，请清空共享方式");
            }
        }
        _ => {}
    }
    // Rule 3: a shared resource says how it is shared.
    if spec.share_type != ShareType::NotShared && spec.share_methods.is_empty() {
        e.push("share_methods", "required", "请至少选择一种共享方式（接口、在线查询、批量下载、库表交换、核验等）");
    }
    for (f, v) in [("share_condition", &spec.share_condition), ("share_basis", &spec.share_basis)] {
        if too_long(v, MAX_TEXT) {
            e.push(f, "too_long", format!("不能超过{MAX_TEXT}字"));
        }
    }

    // 第十条(三): theme resources built jointly by several departments shall be shared.
    if spec.category.kind() == CategoryKind::Theme && spec.share_type == ShareType::NotShared {
        e.push(
            "share_type",
            "theme_must_share",
            "主题信息资源应通过共享平台予以共享（国发〔2016〕51号第十条（三）），不能列为不予共享",
        );
    }

    // Rule 4: open attributes; a classified resource can never be opened.
    if spec.open_type == OpenType::Conditional && blank(&spec.open_condition) {
        e.push("open_condition", "required", "有条件开放的资源须写明开放条件");
    }
    if spec.classified && spec.open_type != OpenType::NotOpen {
        e.push("open_type", "classified_open", "涉密信息资源不得向社会开放，请将开放类型设为“不予开放”");
    }
    if too_long(&spec.open_condition, MAX_TEXT) {
        e.push("open_condition", "too_long", format!("不能超过{MAX_TEXT}字"));
    }

    // Rule 8: the publish date is not in the future.
    if let Some(d) = spec.publish_date
        && d > ctx.today
    {
        e.push("publish_date", "in_future", format!("发布日期{d}晚于今天（{}），请更正", ctx.today));
    }

    // Rule 7: related codes resolve, without duplicates or self-reference.
    let mut seen_codes = HashSet::new();
    for (i, code) in spec.related_codes.iter().enumerate() {
        let field = format!("related_codes[{i}]");
        if Some(code) == ctx.own_code.as_ref() {
            e.push(field, "self_reference", "关联资源代码不能是本资源自己的代码");
        } else if !seen_codes.insert(code) {
            e.push(field, "duplicate", format!("关联资源代码“{code}”重复"));
        } else if !ctx.existing_related.contains(code) {
            e.push(field, "unknown_code", format!("关联资源代码“{code}”不存在或已注销，请核对"));
        }
    }

    if spec.tags.len() > 20 || spec.tags.iter().any(|t| t.trim().is_empty() || t.chars().count() > 30) {
        e.push("tags", "invalid_value", "标签最多20个，每个1至30字");
    }

    // 国发〔2016〕51号 第五条、第十二条: the decisions on data other departments collect are well formed.
    // (That every overlap has one is checked at submission, where the register is known.)
    crate::elements::decision::check_decisions(spec, &mut e);

    e.into_result()
}

fn check_item(spec: &ResourceSpec, item: &DataItem, path: &str, _ctx: &ValidationContext, e: &mut ValidationErrors) {
    let name = item.name.trim();
    if name.is_empty() {
        e.push(format!("{path}.name"), "required", "请填写信息项名称");
    } else if name.chars().count() > 100 {
        e.push(format!("{path}.name"), "too_long", "信息项名称不能超过100字");
    }
    match item.length {
        None if item.data_type.needs_length() => {
            e.push(format!("{path}.length"), "required", format!("信息项“{name}”为字符型，请填写数据长度（字节数）"))
        }
        Some(0) => e.push(format!("{path}.length"), "invalid_value", format!("信息项“{name}”的数据长度必须大于0")),
        _ => {}
    }
    // 第十条(二): base items of base resources are shared unconditionally.
    if item.base_item {
        if spec.category.kind() != CategoryKind::Base {
            e.push(
                format!("{path}.base_item"),
                "not_base_resource",
                format!("只有基础信息资源才有基础信息项，请取消信息项“{name}”的基础信息项标记"),
            );
        } else if item.effective_share_type(spec) != ShareType::Unconditional {
            e.push(
                format!("{path}.share_type"),
                "base_item_must_be_unconditional",
                format!("信息项“{name}”是基础信息资源的基础信息项，必须无条件共享（国发〔2016〕51号第十条（二））"),
            );
        }
    }
    match item.share_type {
        Some(ShareType::Conditional) if blank(&item.share_condition) && blank(&spec.share_condition) => {
            e.push(format!("{path}.share_condition"), "required", format!("信息项“{name}”为有条件共享，请写明共享条件"))
        }
        Some(ShareType::NotShared) if blank(&item.share_basis) && blank(&spec.share_basis) => e.push(
            format!("{path}.share_basis"),
            "required",
            format!("信息项“{name}”为不予共享，必须写明法律、行政法规或政策依据（国发〔2016〕51号第十条）"),
        ),
        _ => {}
    }
    let open = item.effective_open_type(spec);
    if spec.classified && open != OpenType::NotOpen {
        e.push(format!("{path}.open_type"), "classified_open", format!("涉密资源的信息项“{name}”不得向社会开放"));
    }
    if item.open_type == Some(OpenType::Conditional) && blank(&item.open_condition) && blank(&spec.open_condition) {
        e.push(format!("{path}.open_condition"), "required", format!("信息项“{name}”为有条件开放，请写明开放条件"));
    }
    for (f, v) in [
        ("description", &item.description),
        ("share_condition", &item.share_condition),
        ("share_basis", &item.share_basis),
        ("open_condition", &item.open_condition),
    ] {
        if too_long(v, MAX_TEXT) {
            e.push(format!("{path}.{f}"), "too_long", format!("不能超过{MAX_TEXT}字"));
        }
    }
}

#[cfg(test)]
mod tests;
