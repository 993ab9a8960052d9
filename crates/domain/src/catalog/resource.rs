//! A catalogue entry (政务信息资源) with every field of the compilation guide (STANDARDS.md §1.4),
//! and its data items (信息项) with optional per-item share and open attributes.

use chrono::NaiveDate;

use super::category::CategoryCode;
use super::code::ResourceCode;
use super::enums::{DataType, FormatClass, IdentifierKind, OpenType, ShareMethod, ShareType, UpdateCycle};
use crate::elements::CollectionDecision;

/// 信息资源格式: class, sub-type, and a description when either is 其他.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Format {
    pub class: FormatClass,
    #[serde(default)]
    pub subtype: Option<String>,
    #[serde(default)]
    pub other_desc: Option<String>,
}

/// 信息项: one field of a structured resource.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DataItem {
    /// 信息项名称.
    pub name: String,
    /// 数据类型 (C/N/Y/D/T/L/M/G/B/I/F).
    pub data_type: DataType,
    /// 数据长度 in bytes; required for character data.
    #[serde(default)]
    pub length: Option<u32>,
    #[serde(default)]
    pub description: Option<String>,
    /// Part of the record's key.
    #[serde(default)]
    pub is_key: bool,
    /// Must be present in every record.
    #[serde(default)]
    pub required: bool,
    /// 基础信息项 of a base resource (as opposed to 业务信息项): must be shared unconditionally
    /// (国发〔2016〕51号 第十条(二)).
    #[serde(default)]
    pub base_item: bool,
    /// The identifier the values follow, so that published data can be checked.
    #[serde(default)]
    pub identifier: Option<IdentifierKind>,
    /// Per-item overrides of the resource's share and open attributes (national Excel template).
    #[serde(default)]
    pub share_type: Option<ShareType>,
    #[serde(default)]
    pub share_condition: Option<String>,
    #[serde(default)]
    pub share_basis: Option<String>,
    #[serde(default)]
    pub open_type: Option<OpenType>,
    #[serde(default)]
    pub open_condition: Option<String>,
}

impl DataItem {
    /// A plain item with no overrides.
    pub fn new(name: &str, data_type: DataType, length: Option<u32>) -> DataItem {
        DataItem {
            name: name.to_string(),
            data_type,
            length,
            description: None,
            is_key: false,
            required: false,
            base_item: false,
            identifier: None,
            share_type: None,
            share_condition: None,
            share_basis: None,
            open_type: None,
            open_condition: None,
        }
    }

    /// The share type that applies to this item: its override, else the resource's.
    pub fn effective_share_type(&self, resource: &ResourceSpec) -> ShareType {
        self.share_type.unwrap_or(resource.share_type)
    }

    /// The open type that applies to this item: its override, else the resource's.
    pub fn effective_open_type(&self, resource: &ResourceSpec) -> OpenType {
        self.open_type.unwrap_or(resource.open_type)
    }
}

/// Everything a department states about one resource: the compilation guide's 13 core elements
/// (less the generated code and the provider, which the platform fills in) plus the 涉密 flag.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResourceSpec {
    /// 1 信息资源分类 (类/项/目/细目).
    pub category: CategoryCode,
    /// 2 信息资源名称.
    pub name: String,
    /// 4 信息资源提供方 (the department's official name, filled in from the department record).
    pub provider_name: String,
    /// 5 信息资源提供方代码 (统一社会信用代码, or the department's local code).
    pub provider_code: String,
    /// 4a 信息资源提供方内部部门 (处室).
    #[serde(default)]
    pub provider_division: Option<String>,
    /// 6 信息资源摘要.
    pub summary: String,
    /// 7 信息资源格式.
    pub format: Format,
    /// 8 信息项信息.
    #[serde(default)]
    pub data_items: Vec<DataItem>,
    /// 9.1 共享类型.
    pub share_type: ShareType,
    /// 9.2 共享条件 (conditions and scope) for Conditional resources.
    #[serde(default)]
    pub share_condition: Option<String>,
    /// 9.2 不予共享依据: the law, administrative regulation or central policy that forbids sharing
    /// (国发〔2016〕51号 第十条(一)).
    #[serde(default)]
    pub share_basis: Option<String>,
    /// 9.3 共享方式.
    #[serde(default)]
    pub share_methods: Vec<ShareMethod>,
    /// 10 开放属性.
    pub open_type: OpenType,
    /// 10.2 开放条件.
    #[serde(default)]
    pub open_condition: Option<String>,
    /// 11 更新周期.
    pub update_cycle: UpdateCycle,
    /// 12 发布日期: set when the entry is published.
    #[serde(default)]
    pub publish_date: Option<NaiveDate>,
    /// 13 关联资源代码.
    #[serde(default)]
    pub related_codes: Vec<ResourceCode>,
    /// 涉密: a classified resource can never be opened to the public.
    #[serde(default)]
    pub classified: bool,
    /// Free keywords, for search.
    #[serde(default)]
    pub tags: Vec<String>,
    /// 采集决定: for each data item another department already collects, whether this department
    /// applies for the shared data, keeps the item only as a reference key, or collects it itself
    /// (一数一源, 国发〔2016〕51号 第五条、第十二条; see `crate::elements`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collection_decisions: Vec<CollectionDecision>,
}

impl ResourceSpec {
    /// Whether the public may see it at all (是否向社会开放).
    pub fn is_open(&self) -> bool {
        self.open_type != OpenType::NotOpen
    }

    /// The item with this name.
    pub fn item(&self, name: &str) -> Option<&DataItem> {
        self.data_items.iter().find(|i| i.name == name)
    }

    /// The collection decision recorded for the item with this name.
    pub fn decision(&self, item: &str) -> Option<&CollectionDecision> {
        self.collection_decisions.iter().find(|d| d.item.trim() == item.trim())
    }
}
