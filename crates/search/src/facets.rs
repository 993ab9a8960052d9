//! Facet dimensions and their counts. Each dimension is a numeric fast field (an enum's position in
//! the guide's order, a department id, or the category's 类+项 code), counted in one pass over the
//! matching documents.

use std::collections::BTreeMap;

use domain::catalog::{FormatClass, OpenType, ResourceStatus, ShareType, UpdateCycle};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// A facet of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// 资源分类, at the 类+项 level (101 人口, 102 法人 …).
    Category,
    /// 提供部门.
    Provider,
    ShareType,
    OpenType,
    /// 格式分类.
    Format,
    UpdateCycle,
    /// 目录状态.
    Status,
}

impl Dimension {
    pub const ALL: &'static [Dimension] = &[
        Dimension::Category,
        Dimension::Provider,
        Dimension::ShareType,
        Dimension::OpenType,
        Dimension::Format,
        Dimension::UpdateCycle,
        Dimension::Status,
    ];

    /// The API parameter and field name.
    pub fn field_name(self) -> &'static str {
        match self {
            Dimension::Category => "category",
            Dimension::Provider => "provider",
            Dimension::ShareType => "share_type",
            Dimension::OpenType => "open_type",
            Dimension::Format => "format",
            Dimension::UpdateCycle => "update_cycle",
            Dimension::Status => "status",
        }
    }

    /// Its name for a clerk.
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Category => "资源分类",
            Dimension::Provider => "提供部门",
            Dimension::ShareType => "共享类型",
            Dimension::OpenType => "开放类型",
            Dimension::Format => "资源格式",
            Dimension::UpdateCycle => "更新周期",
            Dimension::Status => "目录状态",
        }
    }

    pub fn parse(name: &str) -> Option<Dimension> {
        Dimension::ALL.iter().copied().find(|d| d.field_name() == name)
    }

    /// A filter value as the API gives it (an enum's code or label, a department id, a category
    /// code of at least 类+项) to the number stored in the index.
    pub fn parse_value(self, s: &str) -> Option<u64> {
        let s = s.trim();
        fn pos<T: PartialEq + Copy>(all: &[T], v: Option<T>) -> Option<u64> {
            v.and_then(|v| all.iter().position(|x| *x == v)).map(|p| p as u64)
        }
        match self {
            Dimension::Category => category_value(s),
            Dimension::Provider => s.parse::<u64>().ok(),
            Dimension::ShareType => pos(ShareType::ALL, ShareType::parse(s)),
            Dimension::OpenType => pos(OpenType::ALL, OpenType::parse(s)),
            Dimension::Format => pos(FormatClass::ALL, FormatClass::parse(s)),
            Dimension::UpdateCycle => pos(UpdateCycle::ALL, UpdateCycle::parse(s)),
            Dimension::Status => pos(ResourceStatus::ALL, ResourceStatus::parse(s)),
        }
    }

    /// A stored number back to the API's value and, for enumerations, its label.
    pub fn describe(self, v: u64) -> (String, Option<&'static str>) {
        fn at<T: Copy>(
            all: &[T],
            v: u64,
            f: impl Fn(T) -> (&'static str, &'static str),
        ) -> (String, Option<&'static str>) {
            match all.get(v as usize) {
                Some(x) => {
                    let (code, label) = f(*x);
                    (code.to_string(), Some(label))
                }
                None => (v.to_string(), None),
            }
        }
        match self {
            Dimension::Category | Dimension::Provider => (v.to_string(), None),
            Dimension::ShareType => at(ShareType::ALL, v, |x| (x.code(), x.label())),
            Dimension::OpenType => at(OpenType::ALL, v, |x| (x.code(), x.label())),
            Dimension::Format => at(FormatClass::ALL, v, |x| (x.code(), x.label())),
            Dimension::UpdateCycle => at(UpdateCycle::ALL, v, |x| (x.code(), x.label())),
            Dimension::Status => at(ResourceStatus::ALL, v, |x| (x.code(), x.label())),
        }
    }
}

/// The 类+项 part of a category code as a number (101001 → 101; a bare 类 such as 1 → 1).
pub fn category_value(code: &str) -> Option<u64> {
    let head: String = code.chars().take(3).collect();
    if head.len() != 1 && head.len() != 3 {
        return None;
    }
    head.parse::<u64>().ok()
}

/// Position of an enum value in its `ALL` list (what the index stores).
pub fn position<T: PartialEq>(all: &[T], v: &T) -> u64 {
    all.iter().position(|x| x == v).unwrap_or(usize::MAX) as u64
}

/// Counts per value of each dimension, over the matching documents.
pub type Counts = Vec<(Dimension, BTreeMap<u64, u64>)>;

/// Collects facet counts for every dimension in one pass.
pub struct FacetCounter {
    pub fields: Vec<(Dimension, String)>,
}

pub struct SegmentFacetCounter {
    columns: Vec<(Dimension, Option<Column<u64>>)>,
    /// Dense counters for small values (enums, categories, most department ids).
    dense: Vec<Vec<u64>>,
    sparse: Vec<BTreeMap<u64, u64>>,
}

const DENSE_LIMIT: u64 = 4096;

impl Collector for FacetCounter {
    type Fruit = Counts;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, _ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        let columns = self.fields.iter().map(|(d, name)| (*d, reader.fast_fields().u64(name).ok())).collect::<Vec<_>>();
        let n = columns.len();
        Ok(SegmentFacetCounter { columns, dense: vec![Vec::new(); n], sparse: vec![BTreeMap::new(); n] })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut out: Counts = self.fields.iter().map(|(d, _)| (*d, BTreeMap::new())).collect();
        for fruit in fruits {
            for ((_, total), (_, part)) in out.iter_mut().zip(fruit) {
                for (v, c) in part {
                    *total.entry(v).or_insert(0) += c;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (i, (_, col)) in self.columns.iter().enumerate() {
            let Some(v) = col.as_ref().and_then(|c| c.first(doc)) else { continue };
            if v < DENSE_LIMIT {
                let d = &mut self.dense[i];
                if d.len() <= v as usize {
                    d.resize(v as usize + 1, 0);
                }
                d[v as usize] += 1;
            } else {
                *self.sparse[i].entry(v).or_insert(0) += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        self.columns
            .iter()
            .zip(self.dense)
            .zip(self.sparse)
            .map(|(((d, _), dense), mut sparse)| {
                for (v, c) in dense.into_iter().enumerate() {
                    if c > 0 {
                        sparse.insert(v as u64, c);
                    }
                }
                (*d, sparse)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let v = Dimension::ShareType.parse_value("有条件共享").unwrap();
        assert_eq!(Dimension::ShareType.describe(v), ("conditional".to_string(), Some("有条件共享")));
        assert_eq!(Dimension::Status.parse_value("published"), Dimension::Status.parse_value("已发布"));
        assert_eq!(Dimension::Category.parse_value("101001"), Some(101));
        assert_eq!(Dimension::Category.parse_value("2"), Some(2));
        assert_eq!(Dimension::Category.parse_value("10"), None);
        assert_eq!(Dimension::Format.parse_value("无此格式"), None);
    }
}
