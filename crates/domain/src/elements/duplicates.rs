//! The coordinator's report of data collected by several departments across the catalogue:
//! register elements held by departments other than the responsible one (with the decision each
//! entry recorded, so that undecided ones stand out), and items that are not in the register but
//! that two or more departments collect: candidates for the register (seed 004 三(一):
//! 规范政务信息采集工作，避免重复采集、多头采集).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::catalog::{DataItem, DataType, IdentifierKind};

use super::decision::CollectionChoice;
use super::generic::is_generic;
use super::matching::{KeyedItem, MatchBasis, MatchKeys, Register};
use super::overlap::{ElementRef, HeldResource, KnownKeys, ResourceRef, index};
use super::synonyms::SynonymTable;

/// One item of one entry in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateHolding {
    pub resource: ResourceRef,
    pub item: String,
    pub basis: MatchBasis,
    /// The decision the entry recorded for the item; `None` is what the coordinator chases.
    pub decision: Option<CollectionChoice>,
}

/// A register element and the entries of other departments that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementDuplicates {
    pub element: ElementRef,
    /// The responsible department's own entries holding it: where the others should apply.
    pub sources: Vec<ResourceRef>,
    /// Items of other departments' entries holding it, by entry code.
    pub holdings: Vec<DuplicateHolding>,
}

impl ElementDuplicates {
    /// Other departments holding the element.
    pub fn departments(&self) -> usize {
        self.holdings.iter().map(|h| h.resource.department_id).collect::<BTreeSet<_>>().len()
    }

    /// Holdings without a recorded decision.
    pub fn undecided(&self) -> usize {
        self.holdings.iter().filter(|h| h.decision.is_none()).count()
    }
}

/// Data that is not in the register but that several departments collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The name most entries use.
    pub name: String,
    pub identifier: Option<IdentifierKind>,
    pub holdings: Vec<DuplicateHolding>,
}

impl Candidate {
    pub fn departments(&self) -> usize {
        self.holdings.iter().map(|h| h.resource.department_id).collect::<BTreeSet<_>>().len()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DuplicatesReport {
    /// Elements held outside their responsible department: most undecided first.
    pub elements: Vec<ElementDuplicates>,
    /// Candidates for the register: most departments first.
    pub candidates: Vec<Candidate>,
}

/// A coarse class of data types for grouping candidates: values, flags, binaries.
fn type_class(t: DataType) -> u8 {
    match t {
        DataType::L => 1,
        DataType::G => 2,
        _ => 0,
    }
}

/// The candidate group an item that is no register element falls in: its identifier kind, else
/// its synonym group, else its name; with the class of its type. `None` for a generic name
/// without an identifier kind: it is no candidate.
fn candidate_group(
    key: &str,
    identifier: Option<IdentifierKind>,
    data_type: DataType,
    table: &SynonymTable,
) -> Option<String> {
    let group = match (identifier, table.group(key)) {
        (Some(kind), _) => format!("identifier:{}", kind.code()),
        (None, _) if is_generic(key, table) => return None,
        (None, Some(g)) => format!("group:{g}"),
        (None, None) => format!("name:{key}"),
    };
    Some(format!("{group}|{}", type_class(data_type)))
}

/// The items of the catalogue with one normalised name, data type and identifier kind, counted
/// by department: what a store aggregates (`GROUP BY`) so that the report reads only the items
/// that can appear in it (see [`report_keys`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCount {
    pub key: String,
    pub data_type: DataType,
    pub identifier: Option<IdentifierKind>,
    /// How many departments hold such items (at least one).
    pub departments: u64,
    /// One of them, any one: with the count, it tells whether several counts together span two
    /// departments or more.
    pub department_id: i64,
}

/// The normalised names and identifier kinds of every item that can appear in the report over a
/// catalogue whose items `counts` sums up: every name and identifier kind of a register element,
/// and the members of each candidate group that two departments or more hold. The entries holding
/// those items, with only those items, give [`duplicates`] the same report as the whole catalogue.
pub fn report_keys(register: &Register, counts: &[KeyCount]) -> MatchKeys {
    let table = register.table();
    let mut out = MatchKeys::default();
    for e in register.elements() {
        out.keys.extend(table.expand(&e.spec.key()));
        out.identifiers.extend(e.spec.identifier);
    }
    // Per candidate group: one department seen, whether a second one was, and the members.
    let mut groups: HashMap<String, (Option<i64>, bool, Vec<&KeyCount>)> = HashMap::new();
    for c in counts {
        let mut item = DataItem::new("", c.data_type, None);
        item.identifier = c.identifier;
        if register.element_of(&KeyedItem { item: &item, key: c.key.clone() }).is_some() {
            continue;
        }
        let Some(group) = candidate_group(&c.key, c.identifier, c.data_type, table) else { continue };
        let (one, several, members) = groups.entry(group).or_default();
        *several |= c.departments >= 2 || one.is_some_and(|d| d != c.department_id);
        one.get_or_insert(c.department_id);
        members.push(c);
    }
    for (_, _, members) in groups.into_values().filter(|(_, several, _)| *several) {
        for c in members {
            match c.identifier {
                Some(kind) => {
                    out.identifiers.insert(kind);
                }
                None => {
                    out.keys.insert(c.key.clone());
                }
            }
        }
    }
    out
}

/// The report over `catalogue` (the entries to consider, typically every entry not withdrawn).
///
/// `catalogue` may hold only some items of each entry, in their order, as long as it holds every
/// item [`report_keys`] selects: the report is the same.
pub fn duplicates(register: &Register, catalogue: &[HeldResource]) -> DuplicatesReport {
    duplicates_keyed(register, catalogue, &KnownKeys::new())
}

/// [`duplicates`] with the normalised names of the catalogue's items already known.
pub fn duplicates_keyed(register: &Register, catalogue: &[HeldResource], known: &KnownKeys) -> DuplicatesReport {
    let index = index(register, catalogue.iter(), known);
    let mut by_element: BTreeMap<i64, ElementDuplicates> = register
        .elements()
        .iter()
        .map(|e| (e.id, ElementDuplicates { element: e.into(), sources: Vec::new(), holdings: Vec::new() }))
        .collect();
    let mut candidates: BTreeMap<String, (Option<IdentifierKind>, Vec<DuplicateHolding>)> = BTreeMap::new();
    for r in &index {
        let res = r.resource;
        let decision_of = |item: &str| res.decisions.iter().find(|d| d.item.trim() == item.trim()).map(|d| d.choice);
        let mut sourced = BTreeSet::new();
        for (k, m) in &r.items {
            match m {
                Some((e, basis)) => {
                    let Some(entry) = by_element.get_mut(&e.id) else { continue };
                    if res.department_id == e.spec.duty.department_id {
                        if sourced.insert(e.id) {
                            entry.sources.push(res.to_ref());
                        }
                    } else {
                        entry.holdings.push(DuplicateHolding {
                            resource: res.to_ref(),
                            item: k.item.name.clone(),
                            basis: *basis,
                            decision: decision_of(&k.item.name),
                        });
                    }
                }
                None => {
                    let Some(group) = candidate_group(&k.key, k.item.identifier, k.item.data_type, register.table())
                    else {
                        continue;
                    };
                    let basis = if k.item.identifier.is_some() { MatchBasis::Identifier } else { MatchBasis::Name };
                    let entry = candidates.entry(group).or_insert_with(|| (k.item.identifier, Vec::new()));
                    entry.1.push(DuplicateHolding {
                        resource: res.to_ref(),
                        item: k.item.name.clone(),
                        basis,
                        decision: decision_of(&k.item.name),
                    });
                }
            }
        }
    }
    let mut elements: Vec<ElementDuplicates> = by_element.into_values().filter(|e| !e.holdings.is_empty()).collect();
    for e in &mut elements {
        e.holdings.sort_by(|a, b| a.resource.code.cmp(&b.resource.code).then_with(|| a.item.cmp(&b.item)));
        e.sources.sort_by(|a, b| a.code.cmp(&b.code));
    }
    elements.sort_by(|a, b| {
        (b.undecided(), b.departments(), &a.element.name).cmp(&(a.undecided(), a.departments(), &b.element.name))
    });
    let mut candidates: Vec<Candidate> = candidates
        .into_values()
        .filter_map(|(identifier, mut holdings)| {
            let departments: BTreeSet<i64> = holdings.iter().map(|h| h.resource.department_id).collect();
            if departments.len() < 2 {
                return None;
            }
            holdings.sort_by(|a, b| a.resource.code.cmp(&b.resource.code).then_with(|| a.item.cmp(&b.item)));
            // The most used spelling names the candidate; on a tie the shortest (签约居民手机号码
            // and 手机号码 give 手机号码), then the first in code order.
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for h in &holdings {
                match counts.iter_mut().find(|(n, _)| *n == h.item) {
                    Some((_, c)) => *c += 1,
                    None => counts.push((&h.item, 1)),
                }
            }
            let name = counts
                .iter()
                .enumerate()
                .min_by_key(|(i, (n, c))| (std::cmp::Reverse(*c), n.chars().count(), *i))
                .map(|(_, (n, _))| n.to_string())
                .unwrap_or_default();
            Some(Candidate { name, identifier, holdings })
        })
        .collect();
    candidates.sort_by(|a, b| {
        (b.departments(), b.holdings.len(), &a.name).cmp(&(a.departments(), a.holdings.len(), &b.name))
    });
    DuplicatesReport { elements, candidates }
}
