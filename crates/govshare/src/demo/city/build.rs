//! A compact builder for the demo resources, so that the lists read like a catalogue rather than
//! like struct literals.
//!
//! Data items are written as one string, items separated by `;`, tokens by spaces:
//! `"公民身份号码 k; 姓名 b; 户籍地址 C200; 文化程度 C2 c"`. The first token is the item name; a
//! token like `C18`, `N12`, `D` or `T` gives the data type and length; flags are `k` (key,
//! required), `r` (required), `b` (基础信息项, required), `c` (this item is shared conditionally)
//! and `ns` (this item is not shared, on personal-information grounds). When no type is given, it
//! comes from a small dictionary of common items or from the name's ending (…日期 is `D`, …时间 is
//! `T`, …名称 is `C200` …). The identifier kind (公民身份号码, 统一社会信用代码, 行政区划代码,
//! 手机号码, 组织机构代码) is recognised from the name.

use std::collections::HashMap;

use domain::catalog::{
    CategoryCode, DataItem, DataType, Format, FormatClass, IdentifierKind, OpenType, ResourceSpec, ShareMethod,
    ShareType, UpdateCycle,
};

use super::{DemoDepartment, DemoResource, DemoStatus};

/// The condition given to items flagged `c` in a resource that is otherwise shared without conditions.
const ITEM_CONDITION: &str =
    "该信息项仅提供给因履行法定职责确需使用的部门，使用部门须在申请时说明用途，经提供部门审核同意后使用";
/// The basis given to items flagged `ns`.
const ITEM_BASIS: &str = "《中华人民共和国个人信息保护法》第二十八条、第二十九条：该信息项属于敏感个人信息，未经个人单独同意不得向其他部门提供";

/// How a resource is shared.
enum Share {
    Unconditional,
    Conditional(&'static str),
    NotShared(&'static str),
}

/// How a resource is opened to the public.
enum Open {
    No,
    Yes,
    If(&'static str),
}

/// A resource as written in the lists, before it is tied to its department and related entries.
pub(super) struct R {
    dept: &'static str,
    /// `None` for the department's own node under 307.
    category: Option<&'static str>,
    name: &'static str,
    division: &'static str,
    summary: &'static str,
    format: Option<(FormatClass, &'static str)>,
    items: &'static str,
    share: Share,
    methods: Option<&'static [ShareMethod]>,
    open: Open,
    cycle: UpdateCycle,
    tags: &'static str,
    status: DemoStatus,
    related: &'static [&'static str],
    classified: bool,
}

/// A department resource, filed under the department's own node.
pub(super) fn d(dept: &'static str, name: &'static str) -> R {
    R {
        dept,
        category: None,
        name,
        division: "",
        summary: "",
        format: None,
        items: "",
        share: Share::Unconditional,
        methods: None,
        open: Open::No,
        cycle: UpdateCycle::Irregular,
        tags: "",
        status: DemoStatus::Published,
        related: &[],
        classified: false,
    }
}

/// A base or theme resource filed under `category`.
pub(super) fn c(category: &'static str, dept: &'static str, name: &'static str) -> R {
    R { category: Some(category), ..d(dept, name) }
}

impl R {
    /// 提供方内部部门 (处室).
    pub fn div(mut self, division: &'static str) -> R {
        self.division = division;
        self
    }
    /// 信息资源摘要.
    pub fn sum(mut self, summary: &'static str) -> R {
        self.summary = summary;
        self
    }
    /// A database of the given sub-type.
    pub fn db(mut self, subtype: &'static str) -> R {
        self.format = Some((FormatClass::Database, subtype));
        self
    }
    /// A spreadsheet of the given sub-type.
    pub fn sheet(mut self, subtype: &'static str) -> R {
        self.format = Some((FormatClass::Spreadsheet, subtype));
        self
    }
    /// Electronic files of the given sub-type.
    pub fn file(mut self, subtype: &'static str) -> R {
        self.format = Some((FormatClass::ElectronicFile, subtype));
        self
    }
    /// A service interface of the given sub-type.
    pub fn api(mut self, subtype: &'static str) -> R {
        self.format = Some((FormatClass::Interface, subtype));
        self
    }
    /// Images of the given sub-type.
    pub fn img(mut self, subtype: &'static str) -> R {
        self.format = Some((FormatClass::Image, subtype));
        self
    }
    /// A self-describing format such as 表格驱动码.
    pub fn selfdesc(mut self, subtype: &'static str) -> R {
        self.format = Some((FormatClass::SelfDescribing, subtype));
        self
    }
    /// The data items, in the notation of the module docs.
    pub fn items(mut self, items: &'static str) -> R {
        self.items = items;
        self
    }
    /// 有条件共享 with its conditions and scope.
    pub fn cond(mut self, condition: &'static str) -> R {
        self.share = Share::Conditional(condition);
        self
    }
    /// 不予共享 with its legal basis.
    pub fn deny(mut self, basis: &'static str) -> R {
        self.share = Share::NotShared(basis);
        self
    }
    /// The share methods, instead of the format's default ones.
    pub fn via(mut self, methods: &'static [ShareMethod]) -> R {
        self.methods = Some(methods);
        self
    }
    /// 无条件开放.
    pub fn open(mut self) -> R {
        self.open = Open::Yes;
        self
    }
    /// 有条件开放 with its conditions.
    pub fn open_if(mut self, condition: &'static str) -> R {
        self.open = Open::If(condition);
        self
    }
    /// 更新周期.
    pub fn cycle(mut self, cycle: UpdateCycle) -> R {
        self.cycle = cycle;
        self
    }
    /// Search tags, separated by spaces.
    pub fn tags(mut self, tags: &'static str) -> R {
        self.tags = tags;
        self
    }
    /// Still a draft.
    pub fn draft(mut self) -> R {
        self.status = DemoStatus::Draft;
        self
    }
    /// Submitted for review, not yet published.
    pub fn submitted(mut self) -> R {
        self.status = DemoStatus::Submitted;
        self
    }
    /// Names of earlier resources this one relates to (derives from).
    pub fn rel(mut self, names: &'static [&'static str]) -> R {
        self.related = names;
        self
    }
    /// 涉密.
    pub fn secret(mut self) -> R {
        self.classified = true;
        self
    }
}

/// The share methods a resource of this format offers unless told otherwise.
fn default_methods(class: FormatClass) -> &'static [ShareMethod] {
    use ShareMethod::*;
    match class {
        FormatClass::Database => &[Exchange, Api],
        FormatClass::Spreadsheet => &[BulkDownload],
        FormatClass::ElectronicFile => &[BulkDownload, OnlineQuery],
        FormatClass::Interface => &[Api],
        _ => &[BulkDownload],
    }
}

/// The type and length of common items, by name.
fn common_item(name: &str) -> Option<(DataType, Option<u32>)> {
    use DataType::*;
    let exact = match name {
        "公民身份号码" => Some((C, Some(18))),
        "性别" => Some((C, Some(1))),
        "民族" => Some((C, Some(2))),
        "证件类型" => Some((C, Some(2))),
        "证件号码" => Some((C, Some(30))),
        "组织机构代码" => Some((C, Some(9))),
        "法定代表人" | "负责人" | "经办人" => Some((C, Some(50))),
        "住所" | "经营场所" => Some((C, Some(200))),
        "注册资本" => Some((Y, None)),
        "证照编号" => Some((C, Some(50))),
        "发证机关" => Some((C, Some(100))),
        "有效期起" | "有效期至" => Some((D, None)),
        "经度" | "纬度" => Some((B, None)),
        "备注" => Some((C, Some(500))),
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    let by_suffix: &[(&str, DataType, Option<u32>)] = &[
        ("身份号码", C, Some(18)),
        ("统一社会信用代码", C, Some(18)),
        ("行政区划代码", C, Some(6)),
        ("手机号码", C, Some(11)),
        ("联系电话", C, Some(30)),
        ("姓名", C, Some(50)),
        ("名称", C, Some(200)),
        ("地址", C, Some(200)),
        ("日期", D, None),
        ("时间", T, None),
        ("金额", Y, None),
    ];
    by_suffix.iter().find(|(s, _, _)| name.ends_with(s)).map(|&(_, t, l)| (t, l))
}

/// The identifier an item's values follow, from its name.
fn identifier_of(name: &str) -> Option<IdentifierKind> {
    if name.ends_with("身份号码") {
        Some(IdentifierKind::CitizenId)
    } else if name.ends_with("统一社会信用代码") {
        Some(IdentifierKind::CreditCode)
    } else if name.ends_with("组织机构代码") {
        Some(IdentifierKind::OrgCode)
    } else if name.ends_with("行政区划代码") {
        Some(IdentifierKind::RegionCode)
    } else if name.ends_with("手机号码") {
        Some(IdentifierKind::Mobile)
    } else {
        None
    }
}

/// A type token such as `C18`, `N12`, `D`.
fn type_token(tok: &str) -> Option<(DataType, Option<u32>)> {
    let mut chars = tok.chars();
    let letter = chars.next()?;
    let rest = chars.as_str();
    if !letter.is_ascii_uppercase() || !rest.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let data_type = DataType::parse(&letter.to_string())?;
    let length = if rest.is_empty() { None } else { rest.parse().ok() };
    Some((data_type, length))
}

/// Parses the item notation. Panics on an item it cannot type: the lists are static data, and
/// the tests call this for every resource.
fn parse_items(resource: &str, items: &str, share: ShareType) -> Vec<DataItem> {
    items
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|spec| {
            let mut tokens = spec.split_whitespace();
            let name = tokens.next().unwrap_or_default();
            let mut typed = None;
            let mut item = DataItem::new(name, DataType::C, None);
            for tok in tokens {
                match tok {
                    "k" => {
                        item.is_key = true;
                        item.required = true;
                    }
                    "r" => item.required = true,
                    "b" => {
                        item.base_item = true;
                        item.required = true;
                    }
                    "c" => {
                        item.share_type = Some(ShareType::Conditional);
                        item.share_condition = Some(ITEM_CONDITION.to_string());
                    }
                    "ns" => {
                        item.share_type = Some(ShareType::NotShared);
                        item.share_basis = Some(ITEM_BASIS.to_string());
                    }
                    other => {
                        typed = Some(
                            type_token(other)
                                .unwrap_or_else(|| panic!("{resource}: item “{name}”: unknown token “{other}”")),
                        );
                    }
                }
            }
            let (data_type, length) =
                typed.or_else(|| common_item(name)).unwrap_or_else(|| panic!("{resource}: item “{name}” needs a type"));
            item.data_type = data_type;
            item.length = length;
            item.identifier = identifier_of(name);
            // 第十条(二): a base item is shared unconditionally even when the rest is not.
            if item.base_item && share != ShareType::Unconditional {
                item.share_type = Some(ShareType::Unconditional);
            }
            item
        })
        .collect()
}

/// Ties the written resources to their departments and resolves relations by name.
/// Panics on a dangling reference; the tests exercise every entry.
pub(super) fn finish(drafts: Vec<R>, departments: &[DemoDepartment]) -> Vec<DemoResource> {
    let mut by_name: HashMap<&'static str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(drafts.len());
    for (index, r) in drafts.into_iter().enumerate() {
        let dept = departments
            .iter()
            .find(|d| d.key == r.dept)
            .unwrap_or_else(|| panic!("{}: unknown department {}", r.name, r.dept));
        let category = r.category.unwrap_or(dept.category);
        let category = CategoryCode::parse(category).unwrap_or_else(|e| panic!("{}: {e}", r.name));
        let (class, subtype) = r.format.unwrap_or_else(|| panic!("{}: no format", r.name));
        let (share_type, share_condition, share_basis) = match r.share {
            Share::Unconditional => (ShareType::Unconditional, None, None),
            Share::Conditional(c) => (ShareType::Conditional, Some(c.to_string()), None),
            Share::NotShared(b) => (ShareType::NotShared, None, Some(b.to_string())),
        };
        let share_methods = match share_type {
            ShareType::NotShared => Vec::new(),
            _ => r.methods.unwrap_or_else(|| default_methods(class)).to_vec(),
        };
        let (open_type, open_condition) = match r.open {
            Open::No => (OpenType::NotOpen, None),
            Open::Yes => (OpenType::Unconditional, None),
            Open::If(c) => (OpenType::Conditional, Some(c.to_string())),
        };
        let related = r
            .related
            .iter()
            .map(|n| *by_name.get(n).unwrap_or_else(|| panic!("{}: no earlier resource named {n}", r.name)))
            .collect();
        let spec = ResourceSpec {
            category,
            name: r.name.to_string(),
            provider_name: dept.name.clone(),
            provider_code: dept.credit_code.clone(),
            provider_division: Some(r.division.to_string()).filter(|d| !d.is_empty()),
            summary: r.summary.to_string(),
            format: Format { class, subtype: Some(subtype.to_string()), other_desc: None },
            data_items: parse_items(r.name, r.items, share_type),
            share_type,
            share_condition,
            share_basis,
            share_methods,
            open_type,
            open_condition,
            update_cycle: r.cycle,
            publish_date: None,
            related_codes: Vec::new(),
            classified: r.classified,
            tags: r.tags.split_whitespace().map(str::to_string).collect(),
            collection_decisions: Vec::new(),
        };
        if by_name.insert(r.name, index).is_some() {
            panic!("two resources are named {}", r.name);
        }
        out.push(DemoResource { department: dept.key, spec, status: r.status, related });
    }
    out
}
