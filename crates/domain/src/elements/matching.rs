//! When two data items hold the same data, and when an item is an element of the register.
//!
//! Two items match when their normalised names are equal or synonyms and their data types are
//! compatible, or when both declare the same identifier kind (a 母亲身份号码 holds citizen IDs as
//! much as a 公民身份号码 does). Generic names (`generic`: 备注, 处罚决定日期 …) never match each other. An item is an
//! element when its name is the element's name or one of its synonyms (built-in or the
//! element's own) with a compatible type, or when it declares the element's identifier kind.

use std::collections::{BTreeSet, HashMap};

use crate::catalog::{DataItem, DataType, IdentifierKind};
use crate::labels::labelled_enum;
use crate::text::name_key;

use super::element::RegisteredElement;
use super::generic::is_generic;
use super::synonyms::SynonymTable;

labelled_enum! {
    /// Why two items (or an item and an element) are taken to hold the same data.
    pub enum MatchBasis: "匹配依据" {
        Name = ("name", "名称相同"),
        Synonym = ("synonym", "同义名称"),
        Identifier = ("identifier", "标识类型相同"),
    }
}

/// Kinds of data types that can hold the same datum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Text,
    Memo,
    Number,
    Temporal,
    Logical,
    Binary,
}

fn family(t: DataType) -> Family {
    match t {
        DataType::C => Family::Text,
        DataType::M => Family::Memo,
        DataType::N | DataType::Y | DataType::B | DataType::I | DataType::F => Family::Number,
        DataType::D | DataType::T => Family::Temporal,
        DataType::L => Family::Logical,
        DataType::G => Family::Binary,
    }
}

/// Whether two data types can hold the same datum: the same family (a date and a date-time, an
/// integer and a decimal), or text and something text often stands for (codes kept as numbers,
/// dates kept as `YYYYMMDD`, long text as 备注型). A photograph (通用型) matches only another one,
/// a yes/no flag only another flag.
pub fn compatible(a: DataType, b: DataType) -> bool {
    match (family(a), family(b)) {
        (x, y) if x == y => true,
        (Family::Text, other) | (other, Family::Text) => {
            matches!(other, Family::Memo | Family::Number | Family::Temporal)
        }
        _ => false,
    }
}

/// A data item with its normalised name, computed once.
#[derive(Debug, Clone)]
pub struct KeyedItem<'a> {
    pub item: &'a DataItem,
    pub key: String,
}

impl<'a> KeyedItem<'a> {
    pub fn new(item: &'a DataItem) -> KeyedItem<'a> {
        KeyedItem { key: name_key(&item.name), item }
    }
}

/// Normalised names and identifier kinds: which items of the catalogue a check needs to read. A
/// store keeps every item's `name_key` and identifier kind indexed, so that overlap detection and
/// the duplicates report read the items with one of these instead of the whole catalogue (see
/// `overlap::overlap_keys` and `duplicates::report_keys`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchKeys {
    pub keys: BTreeSet<String>,
    pub identifiers: BTreeSet<IdentifierKind>,
}

impl MatchKeys {
    /// Whether an item with this normalised name and identifier kind is one of them.
    pub fn selects(&self, key: &str, identifier: Option<IdentifierKind>) -> bool {
        self.keys.contains(key) || identifier.is_some_and(|k| self.identifiers.contains(&k))
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.identifiers.is_empty()
    }
}

/// Whether two items hold the same data (neither being a register element; see [`Register`]).
pub fn items_match(a: &KeyedItem<'_>, b: &KeyedItem<'_>, table: &SynonymTable) -> Option<MatchBasis> {
    if let (Some(x), Some(y)) = (a.item.identifier, b.item.identifier) {
        // Declared identifiers decide: the same kind is the same data, different kinds are not.
        return (x == y).then_some(MatchBasis::Identifier);
    }
    if is_generic(&a.key, table) || is_generic(&b.key, table) || !compatible(a.item.data_type, b.item.data_type) {
        return None;
    }
    if a.key == b.key {
        Some(MatchBasis::Name)
    } else if table.same(&a.key, &b.key) {
        Some(MatchBasis::Synonym)
    } else {
        None
    }
}

/// The register, ready for matching: the built-in synonym table widened by each element's name
/// and synonyms, and every name an element goes by.
#[derive(Debug, Clone, Default)]
pub struct Register {
    elements: Vec<RegisteredElement>,
    table: SynonymTable,
    by_key: HashMap<String, usize>,
    by_identifier: HashMap<IdentifierKind, usize>,
}

impl Register {
    /// The register of these (live) elements. If two elements claim the same name (which
    /// `check_register` prevents) the first one keeps it.
    pub fn new(elements: Vec<RegisteredElement>) -> Register {
        let mut table = SynonymTable::builtin().clone();
        for e in &elements {
            table.add_group(std::iter::once(e.spec.name.as_str()).chain(e.spec.synonyms.iter().map(String::as_str)));
        }
        let mut by_key = HashMap::new();
        let mut by_identifier = HashMap::new();
        for (i, e) in elements.iter().enumerate() {
            for k in table.expand(&e.spec.key()) {
                by_key.entry(k).or_insert(i);
            }
            if let Some(kind) = e.spec.identifier {
                by_identifier.entry(kind).or_insert(i);
            }
        }
        Register { elements, table, by_key, by_identifier }
    }

    pub fn elements(&self) -> &[RegisteredElement] {
        &self.elements
    }

    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// The synonym table, register elements included.
    pub fn table(&self) -> &SynonymTable {
        &self.table
    }

    /// The element an item holds, if any, and why.
    pub fn element_of(&self, item: &KeyedItem<'_>) -> Option<(&RegisteredElement, MatchBasis)> {
        if let Some(&i) = self.by_key.get(&item.key) {
            let e = &self.elements[i];
            let declared_other = item.item.identifier.is_some() && item.item.identifier != e.spec.identifier;
            if compatible(item.item.data_type, e.spec.data_type) && !declared_other {
                let basis = if item.key == e.spec.key() { MatchBasis::Name } else { MatchBasis::Synonym };
                return Some((e, basis));
            }
        }
        let kind = item.item.identifier?;
        let &i = self.by_identifier.get(&kind)?;
        Some((&self.elements[i], MatchBasis::Identifier))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType::*;

    #[test]
    fn type_compatibility() {
        for (a, b) in [(C, C), (C, N), (C, D), (D, T), (N, I), (Y, F), (C, M), (G, G), (L, L)] {
            assert!(compatible(a, b) && compatible(b, a), "{a:?} {b:?}");
        }
        for (a, b) in [(G, C), (L, C), (D, N), (L, N), (M, D), (G, M)] {
            assert!(!compatible(a, b) && !compatible(b, a), "{a:?} {b:?}");
        }
    }
}
