//! The decision a catalogue entry records for each data item that another department already
//! collects: apply for the shared data, keep the item only as a reference key, or collect it
//! anyway with a stated reason. 国发〔2016〕51号 第五条(三) (一数一源) and 第十二条 (what the
//! platform can provide is not to be asked of people and companies again): an entry whose item is
//! a register element of another department cannot be submitted until the decision is recorded.

use std::collections::{BTreeSet, HashSet};

use crate::catalog::ResourceSpec;
use crate::error::ValidationErrors;
use crate::labels::labelled_enum;
use crate::text::name_key;

use super::overlap::ItemOverlap;

/// Limits on the free text of a decision, in characters.
pub const MAX_SOURCE: usize = 200;
pub const MAX_REASON: usize = 2000;

labelled_enum! {
    /// What a department does about data another department already collects.
    pub enum CollectionChoice: "采集决定" {
        /// 申请共享: obtain it from the source through the platform instead of collecting it.
        UseShared = ("use_shared", "申请共享"),
        /// 仅作关联标识: the item only identifies whom a record is about (a key to join on);
        /// its values are checked against the source, not collected as data of their own.
        ReferenceOnly = ("reference_only", "仅作关联标识"),
        /// 自行采集: collect it anyway, for a stated reason and legal basis.
        CollectOwn = ("collect_own", "自行采集"),
    }
}

/// The decision for one data item, recorded on the catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CollectionDecision {
    /// The data item's name, as in `data_items`.
    pub item: String,
    pub choice: CollectionChoice,
    /// For `use_shared`: the code of the resource applied for, or the name of the data element.
    #[serde(default)]
    pub source: Option<String>,
    /// For `collect_own` (required): why, and on which legal basis. A note otherwise.
    #[serde(default)]
    pub reason: Option<String>,
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// The rules on the decisions themselves, checked with every other catalogue rule
/// (`validate_resource`): each names an item of the entry, once; 申请共享 names its source;
/// 自行采集 gives its reason.
pub(crate) fn check_decisions(spec: &ResourceSpec, e: &mut ValidationErrors) {
    let items: HashSet<&str> = spec.data_items.iter().map(|i| i.name.trim()).collect();
    let mut seen = HashSet::new();
    for (i, d) in spec.collection_decisions.iter().enumerate() {
        let path = format!("collection_decisions[{i}]");
        let item = d.item.trim();
        if item.is_empty() {
            e.push(format!("{path}.item"), "required", "请填写采集决定针对的信息项名称");
        } else if !items.contains(item) {
            e.push(
                format!("{path}.item"),
                "unknown_item",
                format!("采集决定所针对的信息项“{item}”不在本资源的信息项中，请核对名称或删除该决定"),
            );
        } else if !seen.insert(item) {
            e.push(format!("{path}.item"), "duplicate", format!("信息项“{item}”有不止一个采集决定，请只保留一个"));
        }
        match d.choice {
            CollectionChoice::UseShared if blank(&d.source) => e.push(
                format!("{path}.source"),
                "required",
                format!("信息项“{item}”选择申请共享，请写明所申请的信息资源代码或数据元名称"),
            ),
            CollectionChoice::CollectOwn if blank(&d.reason) => e.push(
                format!("{path}.reason"),
                "required",
                format!(
                    "信息项“{item}”选择自行采集，请写明理由和法律依据（国发〔2016〕51号第十二条：可以通过共享平台获取的信息，原则上不得要求重复提交）"
                ),
            ),
            _ => {}
        }
        if d.source.as_deref().is_some_and(|s| s.chars().count() > MAX_SOURCE) {
            e.push(format!("{path}.source"), "too_long", format!("来源不能超过{MAX_SOURCE}字"));
        }
        if d.reason.as_deref().is_some_and(|s| s.chars().count() > MAX_REASON) {
            e.push(format!("{path}.reason"), "too_long", format!("理由不能超过{MAX_REASON}字"));
        }
    }
}

/// The rule at submission (国发〔2016〕51号 第五条、第十二条): every item that is a register
/// element of another department has a decision, and a 申请共享 names that element or a live
/// entry (`live_codes`: the codes named by decisions that exist, are not withdrawn and are visible
/// to the department). All problems at once, on the field `collection_decisions`.
pub fn check_undecided(overlaps: &[ItemOverlap], live_codes: &BTreeSet<String>) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();
    for o in overlaps {
        let Some(element) = &o.element else { continue };
        match &o.decision {
            None => e.push(
                "collection_decisions",
                "undecided_overlap",
                format!(
                    "信息项“{}”即数据元“{}”，采集责任部门为{}（一数一源，国发〔2016〕51号第五条）：提交前请在采集决定中选择申请共享、仅作关联标识或自行采集（须写明理由）",
                    o.item, element.name, element.department_name
                ),
            ),
            Some(d) if d.choice == CollectionChoice::UseShared => {
                let source = d.source.as_deref().unwrap_or_default().trim();
                let names_element = name_key(source) == name_key(&element.name);
                let names_entry = live_codes.contains(source) || o.resources.iter().any(|h| h.resource.code == source);
                if !source.is_empty() && !names_element && !names_entry {
                    let hint = o.source().map(|r| format!("，如{}的“{}”（{}）", element.department_name, r.name, r.code));
                    e.push(
                        "collection_decisions",
                        "unknown_source",
                        format!(
                            "信息项“{}”申请共享的来源“{source}”既不是数据元“{}”，也不是现有的信息资源代码，请填写所申请的资源代码{}或数据元名称",
                            o.item,
                            element.name,
                            hint.unwrap_or_default()
                        ),
                    );
                }
            }
            Some(_) => {}
        }
    }
    e.into_result()
}
