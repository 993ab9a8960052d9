//! The overlaps of a draft entry: for each of its data items, whether it is a register element
//! another department is responsible for (then the entry must record a decision before it is
//! submitted, see `decision`), and which entries of other departments already hold the same data
//! (seed 004 三(三): 通过查询…判断要新建或需共享政务信息数据库是否已经存在, 避免重复采集和建设).

use std::collections::HashMap;

use crate::catalog::{DataItem, ResourceSpec, ResourceStatus};
use crate::text::name_key;

use super::decision::CollectionDecision;
use super::element::RegisteredElement;
use super::generic::is_generic;
use super::matching::{KeyedItem, MatchBasis, MatchKeys, Register, items_match};

/// Normalised names the caller already has (item name → its `domain::text::name_key`), e.g. read
/// from the store, which keeps them: [`find_overlaps_keyed`] and
/// [`duplicates_keyed`](super::duplicates::duplicates_keyed) use them instead of normalising each
/// name again. Names missing from it are normalised as usual.
pub type KnownKeys = HashMap<String, String>;

/// A catalogue entry, as far as overlap detection and the duplicates report need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldResource {
    pub resource_id: i64,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub provider_name: String,
    pub status: ResourceStatus,
    pub items: Vec<DataItem>,
    pub decisions: Vec<CollectionDecision>,
}

impl HeldResource {
    /// The reference to this entry shown in overlaps and reports.
    pub fn to_ref(&self) -> ResourceRef {
        ResourceRef {
            resource_id: self.resource_id,
            code: self.code.clone(),
            name: self.name.clone(),
            department_id: self.department_id,
            provider_name: self.provider_name.clone(),
            status: self.status,
        }
    }
}

/// Which entry, of which department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRef {
    pub resource_id: i64,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub provider_name: String,
    pub status: ResourceStatus,
}

/// A register element and its responsible department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementRef {
    pub id: i64,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
}

impl From<&RegisteredElement> for ElementRef {
    fn from(e: &RegisteredElement) -> Self {
        ElementRef {
            id: e.id,
            name: e.spec.name.clone(),
            department_id: e.spec.duty.department_id,
            department_name: e.department_name.clone(),
        }
    }
}

/// Another department's entry holding the same data as an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub resource: ResourceRef,
    /// The item of that entry that holds it.
    pub item: String,
    /// The entry belongs to the element's responsible department: the source to apply to.
    pub responsible: bool,
}

/// One data item of a draft that overlaps with the register or with other departments' entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOverlap {
    /// Position in `data_items`.
    pub index: usize,
    pub item: String,
    pub basis: MatchBasis,
    /// The register element the item is, when another department is responsible for collecting
    /// it. Such an overlap needs a recorded decision before the entry is submitted.
    pub element: Option<ElementRef>,
    /// Entries of other departments holding the same data; the responsible department's first.
    pub resources: Vec<Holding>,
    /// The decision the entry records for this item, if any.
    pub decision: Option<CollectionDecision>,
}

impl ItemOverlap {
    /// Whether submission waits for a decision on this item (国发〔2016〕51号 第五条).
    pub fn needs_decision(&self) -> bool {
        self.element.is_some()
    }

    /// The responsible department's entry to apply to, if it has catalogued one.
    pub fn source(&self) -> Option<&ResourceRef> {
        self.resources.iter().find(|h| h.responsible).map(|h| &h.resource)
    }

    /// What the clerk should do, in Chinese.
    pub fn advice(&self) -> String {
        match &self.element {
            Some(e) => {
                let apply = match self.source() {
                    Some(r) => format!("建议向{}申请共享“{}”（{}），不再重复采集", e.department_name, r.name, r.code),
                    None => format!("建议向{}申请共享，不再重复采集", e.department_name),
                };
                format!(
                    "信息项“{}”即数据元“{}”，采集责任部门为{}（一数一源，国发〔2016〕51号第五条）。{apply}；如仅作关联标识或确需自行采集，请在采集决定中写明。",
                    self.item, e.name, e.department_name
                )
            }
            None => {
                let first = self
                    .resources
                    .first()
                    .map(|h| format!("{}“{}”（{}）", h.resource.provider_name, h.resource.name, h.resource.code));
                let departments = {
                    let mut ids: Vec<i64> = self.resources.iter().map(|h| h.resource.department_id).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    ids.len()
                };
                format!(
                    "{departments}个其他部门的目录已有信息项“{}”，如{}。请先查询共享目录，可以通过共享获取的信息不要重复采集（国发〔2016〕51号第十二条）。",
                    self.item,
                    first.unwrap_or_default()
                )
            }
        }
    }
}

/// An entry's items with their normalised names and the register element each holds.
pub(super) struct IndexedResource<'a> {
    pub resource: &'a HeldResource,
    pub items: Vec<(KeyedItem<'a>, Option<(&'a RegisteredElement, MatchBasis)>)>,
}

pub(super) fn index<'a>(
    register: &'a Register,
    resources: impl Iterator<Item = &'a HeldResource>,
    known: &KnownKeys,
) -> Vec<IndexedResource<'a>> {
    // The same names recur across a catalogue (公民身份号码, 姓名 …): normalise each once.
    let mut keys: HashMap<&'a str, String> = HashMap::new();
    resources
        .map(|resource| IndexedResource {
            resource,
            items: resource
                .items
                .iter()
                .map(|i| {
                    let key = keys
                        .entry(i.name.as_str())
                        .or_insert_with(|| known.get(&i.name).cloned().unwrap_or_else(|| name_key(&i.name)))
                        .clone();
                    let k = KeyedItem { item: i, key };
                    let e = register.element_of(&k);
                    (k, e)
                })
                .collect(),
        })
        .collect()
}

/// The normalised names and identifier kinds of every item of other departments' entries that can
/// overlap with an item of `spec`, an entry of `department_id`: for an item that is a register
/// element of another department, every name of that element (synonyms included) and its
/// identifier kind; for any other item, its name and synonyms (unless the name is generic) and the
/// identifier kind it declares. The entries holding those items, with only those items, give
/// [`find_overlaps`] the same overlaps as the whole catalogue.
pub fn overlap_keys(spec: &ResourceSpec, department_id: i64, register: &Register) -> MatchKeys {
    let table = register.table();
    let mut out = MatchKeys::default();
    for item in &spec.data_items {
        let k = KeyedItem::new(item);
        match register.element_of(&k) {
            Some((e, _)) if e.spec.duty.department_id == department_id => {}
            Some((e, _)) => {
                out.keys.extend(table.expand(&e.spec.key()));
                out.identifiers.extend(e.spec.identifier);
            }
            None => {
                if !is_generic(&k.key, table) {
                    out.keys.extend(table.expand(&k.key));
                }
                out.identifiers.extend(item.identifier);
            }
        }
    }
    out
}

/// The overlaps of the items of `spec`, an entry of `department_id`, with the register and with
/// `others` (entries the department can see; its own are ignored). Items the department is itself
/// responsible for are not overlaps: it is their source. Items matching nothing are left out.
///
/// `others` may hold only some items of each entry, in their order, as long as it holds every
/// item [`overlap_keys`] selects: the result is the same.
pub fn find_overlaps(
    spec: &ResourceSpec,
    department_id: i64,
    register: &Register,
    others: &[HeldResource],
) -> Vec<ItemOverlap> {
    find_overlaps_keyed(spec, department_id, register, others, &KnownKeys::new())
}

/// [`find_overlaps`] with the normalised names of `others`' items already known.
pub fn find_overlaps_keyed(
    spec: &ResourceSpec,
    department_id: i64,
    register: &Register,
    others: &[HeldResource],
    known: &KnownKeys,
) -> Vec<ItemOverlap> {
    let index = index(register, others.iter().filter(|r| r.department_id != department_id), known);
    let mut out = Vec::new();
    for (i, item) in spec.data_items.iter().enumerate() {
        let k = KeyedItem::new(item);
        let decision = spec.decision(&item.name).cloned();
        match register.element_of(&k) {
            Some((e, _)) if e.spec.duty.department_id == department_id => {}
            Some((e, basis)) => {
                let mut resources: Vec<Holding> = index
                    .iter()
                    .filter_map(|r| {
                        let (held, _) = r.items.iter().find(|(_, m)| m.is_some_and(|(x, _)| x.id == e.id))?;
                        Some(Holding {
                            resource: r.resource.to_ref(),
                            item: held.item.name.clone(),
                            responsible: r.resource.department_id == e.spec.duty.department_id,
                        })
                    })
                    .collect();
                resources.sort_by(|a, b| {
                    b.responsible.cmp(&a.responsible).then_with(|| a.resource.code.cmp(&b.resource.code))
                });
                out.push(ItemOverlap {
                    index: i,
                    item: item.name.clone(),
                    basis,
                    element: Some(e.into()),
                    resources,
                    decision,
                });
            }
            None => {
                let mut basis = None;
                let mut resources: Vec<Holding> = index
                    .iter()
                    .filter_map(|r| {
                        let (held, b) =
                            r.items.iter().find_map(|(o, _)| items_match(&k, o, register.table()).map(|b| (o, b)))?;
                        basis.get_or_insert(b);
                        Some(Holding {
                            resource: r.resource.to_ref(),
                            item: held.item.name.clone(),
                            responsible: false,
                        })
                    })
                    .collect();
                resources.sort_by(|a, b| a.resource.code.cmp(&b.resource.code));
                if let Some(basis) = basis {
                    out.push(ItemOverlap {
                        index: i,
                        item: item.name.clone(),
                        basis,
                        element: None,
                        resources,
                        decision,
                    });
                }
            }
        }
    }
    out
}
