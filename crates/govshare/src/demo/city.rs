//! The demo city 示例市 (region code 350100, a city-level platform) as pure data: its departments
//! with computed 统一社会信用代码, the 目-level category nodes it adds under the seeded guide tree,
//! and a deterministic catalogue of more than two hundred information resources spread over the
//! base, theme and department categories, with a believable mix of share and open attributes.
//!
//! The data lives in submodules: [`departments`] (the department table and category nodes),
//! `build` (a compact builder the resource lists are written with), and the resource lists
//! themselves (`dept_*` for department resources, `base` and `theme`), and [`elements`] (the
//! register of data elements and the demo's collection decisions). Nothing here touches a
//! store; the demo seeder turns these values into records.

use domain::catalog::ResourceSpec;

mod base;
mod build;
pub mod departments;
mod dept_a;
mod dept_b;
mod dept_c;
pub mod elements;
mod theme;

/// The administrative region code of 示例市.
pub const REGION_CODE: &str = "350100";
/// The city's name.
pub const CITY_NAME: &str = "示例市";

/// A department of the demo city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDepartment {
    /// A short stable key (pinyin initials), e.g. `gaj`.
    pub key: &'static str,
    /// The official full name, e.g. 示例市公安局.
    pub name: String,
    /// 统一社会信用代码 (GB 32100), computed so that it validates.
    pub credit_code: String,
    /// The platform's local organisation code, e.g. `SLS-GAJ`.
    pub local_code: String,
    /// The department's own node under 307 (省（自治区、直辖市）及其下各级政务部门), e.g. `307001`.
    pub category: &'static str,
}

/// A 目-level (6-digit) category node the demo city adds under the seeded guide tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCategory {
    pub code: &'static str,
    pub name: String,
}

/// Where a demo resource stands in its lifecycle once seeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DemoStatus {
    Draft,
    Submitted,
    Published,
}

/// One catalogue entry of the demo city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoResource {
    /// The providing department's [`DemoDepartment::key`].
    pub department: &'static str,
    /// The entry. `related_codes` and `publish_date` are left empty: the seeder fills in the real
    /// codes of the [`related`](DemoResource::related) resources and the platform sets the
    /// publish date when it publishes.
    pub spec: ResourceSpec,
    pub status: DemoStatus,
    /// Indexes, into the same `Vec`, of earlier published resources this one relates to.
    pub related: Vec<usize>,
}

/// The departments of 示例市 (at least 25), in a fixed order.
pub fn departments() -> Vec<DemoDepartment> {
    departments::departments()
}

/// The 目-level nodes the demo city adds: a few under each base and theme 项, and one per
/// department under 307.
pub fn categories() -> Vec<DemoCategory> {
    departments::categories()
}

/// The demo catalogue: department resources first, then the base and theme resources that
/// derive from them. Deterministic: the same call always yields the same entries in the same order.
pub fn resources() -> Vec<DemoResource> {
    let mut drafts = dept_a::resources();
    drafts.extend(dept_b::resources());
    drafts.extend(dept_c::resources());
    drafts.extend(base::resources());
    drafts.extend(theme::resources());
    build::finish(drafts, &departments())
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap, HashSet};

    use chrono::NaiveDate;
    use domain::catalog::category::guide_categories;
    use domain::catalog::{
        CategoryKind, CategoryNode, FormatClass, IdentifierKind, OpenType, ResourceCode, ShareType, ValidationContext,
        validate_resource,
    };
    use domain::identifiers::{check_credit_code, check_org_code};

    use super::*;

    /// The code the seeder might give the `index`-th resource; stands in for the real one.
    fn fake_code(resources: &[DemoResource], index: usize) -> ResourceCode {
        ResourceCode::parse(&format!("{}/{:06}", resources[index].spec.category, index + 1)).unwrap()
    }

    /// The guide tree plus the city's nodes.
    fn tree() -> HashMap<String, CategoryNode> {
        let mut nodes: HashMap<String, CategoryNode> =
            guide_categories().into_iter().map(|n| (n.code.to_string(), n)).collect();
        for c in categories() {
            let node = CategoryNode::new(c.code, &c.name).unwrap();
            nodes.insert(c.code.to_string(), node);
        }
        nodes
    }

    #[test]
    fn departments_are_complete_and_unique() {
        let depts = departments();
        assert!(depts.len() >= 25, "{} departments", depts.len());
        let keys: HashSet<_> = depts.iter().map(|d| d.key).collect();
        let names: HashSet<_> = depts.iter().map(|d| d.name.as_str()).collect();
        let codes: HashSet<_> = depts.iter().map(|d| d.credit_code.as_str()).collect();
        let locals: HashSet<_> = depts.iter().map(|d| d.local_code.as_str()).collect();
        let cats: HashSet<_> = depts.iter().map(|d| d.category).collect();
        for set_len in [keys.len(), names.len(), codes.len(), locals.len(), cats.len()] {
            assert_eq!(set_len, depts.len());
        }
        assert!(depts.iter().any(|d| d.key == departments::PLATFORM_DEPARTMENT));
        for d in &depts {
            assert!(d.name.contains(CITY_NAME), "{}", d.name);
            assert!(d.local_code.starts_with("SLS-") && d.local_code.len() <= 32, "{}", d.local_code);
        }
    }

    #[test]
    fn credit_codes_validate() {
        for d in departments() {
            let code = check_credit_code(&d.credit_code).unwrap_or_else(|e| panic!("{}: {e}", d.name));
            assert_eq!(code.as_str(), d.credit_code);
            assert_eq!(code.registration_authority(), '1', "{}", d.name);
            assert!(matches!(code.entity_category(), '1' | '2' | '3'), "{}", d.name);
            assert_eq!(code.region_code(), REGION_CODE);
            check_org_code(code.org_code()).unwrap_or_else(|e| panic!("{}: {e}", d.name));
        }
        // 机关 and 事业单位 are told apart.
        let depts = departments();
        let by_key = |k: &str| depts.iter().find(|d| d.key == k).unwrap().credit_code.clone();
        assert!(by_key("gaj").starts_with("11350100"));
        assert!(by_key("gjj").starts_with("12350100"));
    }

    #[test]
    fn categories_hang_under_the_guide_tree() {
        let guide = guide_categories();
        let cats = categories();
        let codes: HashSet<_> = cats.iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), cats.len(), "duplicate category codes");
        for c in &cats {
            let node = CategoryNode::new(c.code, &c.name).unwrap_or_else(|e| panic!("{}: {e}", c.code));
            assert_eq!(node.code.level(), 3, "{} is not a 目", c.code);
            let parent = node.parent.clone().unwrap();
            assert!(guide.iter().any(|g| g.code == parent), "{} has no parent in the guide tree", c.code);
            assert!(!guide.iter().any(|g| g.code == node.code), "{} is already seeded", c.code);
        }
        for d in departments() {
            let c = cats.iter().find(|c| c.code == d.category).unwrap_or_else(|| panic!("{}", d.category));
            assert_eq!(c.name, d.name);
            assert!(d.category.starts_with("307"));
        }
        for prefix in ["101", "102", "103", "104", "105"] {
            assert!(cats.iter().any(|c| c.code.starts_with(prefix)), "no 目 under {prefix}");
        }
        for n in 201..=212 {
            assert!(cats.iter().any(|c| c.code.starts_with(&n.to_string())), "no 目 under {n}");
        }
    }

    #[test]
    fn resources_are_many_and_spread() {
        let rs = resources();
        assert!(rs.len() >= 200, "{} resources", rs.len());
        let names: HashSet<_> = rs.iter().map(|r| r.spec.name.as_str()).collect();
        assert_eq!(names.len(), rs.len(), "resource names must be unique");
        for d in departments() {
            let n = rs.iter().filter(|r| r.department == d.key).count();
            assert!(n >= 3, "{} has only {n} resources", d.name);
        }
        let kind = |k: CategoryKind| rs.iter().filter(|r| r.spec.category.kind() == k).count();
        assert!(kind(CategoryKind::Base) >= 35, "base: {}", kind(CategoryKind::Base));
        assert!(kind(CategoryKind::Theme) >= 35, "theme: {}", kind(CategoryKind::Theme));
        assert!(kind(CategoryKind::Department) >= 120, "department: {}", kind(CategoryKind::Department));
        // Department resources sit under their provider's own node.
        let depts = departments();
        for r in rs.iter().filter(|r| r.spec.category.kind() == CategoryKind::Department) {
            let d = depts.iter().find(|d| d.key == r.department).unwrap();
            assert_eq!(r.spec.category.as_str(), d.category, "{}", r.spec.name);
        }
    }

    #[test]
    fn resources_are_deterministic() {
        assert_eq!(resources(), resources());
        assert_eq!(departments(), departments());
    }

    #[test]
    fn every_resource_validates() {
        let rs = resources();
        let nodes = tree();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for (i, r) in rs.iter().enumerate() {
            let node = nodes.get(r.spec.category.as_str());
            assert!(node.is_some(), "{}: category {} is not in the tree", r.spec.name, r.spec.category);
            let mut spec = r.spec.clone();
            spec.related_codes = r.related.iter().map(|&j| fake_code(&rs, j)).collect();
            let ctx = ValidationContext {
                today,
                category: node.cloned(),
                existing_related: spec.related_codes.iter().cloned().collect::<BTreeSet<_>>(),
                own_code: None,
            };
            if let Err(e) = validate_resource(&spec, &ctx) {
                panic!("resource {i} {}: {e}", r.spec.name);
            }
            // The code it would get is not among the ones it relates to.
            assert!(!spec.related_codes.contains(&fake_code(&rs, i)));
        }
    }

    #[test]
    fn providers_match_departments() {
        let depts = departments();
        for r in resources() {
            let d = depts.iter().find(|d| d.key == r.department).unwrap();
            assert_eq!(r.spec.provider_name, d.name);
            assert_eq!(r.spec.provider_code, d.credit_code);
            assert!(r.spec.provider_division.is_some(), "{}", r.spec.name);
            assert!(r.spec.publish_date.is_none() && r.spec.related_codes.is_empty(), "{}", r.spec.name);
        }
    }

    #[test]
    fn related_point_to_earlier_published_resources() {
        let rs = resources();
        let mut with_related = 0;
        for (i, r) in rs.iter().enumerate() {
            let unique: HashSet<_> = r.related.iter().collect();
            assert_eq!(unique.len(), r.related.len(), "{}", r.spec.name);
            for &j in &r.related {
                assert!(j < i, "{} relates to a later resource", r.spec.name);
                assert_eq!(
                    rs[j].status,
                    DemoStatus::Published,
                    "{} relates to unpublished {}",
                    r.spec.name,
                    rs[j].spec.name
                );
            }
            with_related += usize::from(!r.related.is_empty());
        }
        // Most theme resources name the resources they derive from.
        let themes: Vec<_> = rs.iter().filter(|r| r.spec.category.kind() == CategoryKind::Theme).collect();
        let linked = themes.iter().filter(|r| !r.related.is_empty()).count();
        assert!(linked * 10 >= themes.len() * 8, "{linked} of {} themes linked", themes.len());
        assert!(with_related >= 50, "{with_related}");
    }

    #[test]
    fn share_and_open_mix() {
        let rs = resources();
        let count = |t: ShareType| rs.iter().filter(|r| r.spec.share_type == t).count();
        assert!(count(ShareType::NotShared) >= 5, "not shared: {}", count(ShareType::NotShared));
        assert!(count(ShareType::Conditional) >= 50, "conditional: {}", count(ShareType::Conditional));
        assert!(count(ShareType::Unconditional) >= 50, "unconditional: {}", count(ShareType::Unconditional));
        let open = rs.iter().filter(|r| r.spec.is_open()).count();
        assert!(open >= 10, "open: {open}");
        assert!(rs.iter().any(|r| r.spec.open_type == OpenType::Conditional));
        let classified: Vec<_> = rs.iter().filter(|r| r.spec.classified).collect();
        assert!(classified.len() >= 3, "classified: {}", classified.len());
        assert!(classified.iter().all(|r| r.spec.open_type == OpenType::NotOpen));
        for r in &rs {
            match r.spec.share_type {
                ShareType::NotShared => {
                    let basis = r.spec.share_basis.as_deref().unwrap_or_default();
                    assert!(basis.contains('《'), "{}: basis should cite a law", r.spec.name);
                    assert!(r.spec.share_methods.is_empty());
                }
                ShareType::Conditional => assert!(r.spec.share_condition.is_some()),
                ShareType::Unconditional => assert!(r.spec.share_condition.is_none()),
            }
            if r.spec.category.kind() == CategoryKind::Theme {
                assert_ne!(r.spec.share_type, ShareType::NotShared, "{}", r.spec.name);
            }
            for item in r.spec.data_items.iter().filter(|i| i.base_item) {
                assert_eq!(item.effective_share_type(&r.spec), ShareType::Unconditional, "{}", r.spec.name);
            }
        }
        // Structured base resources carry base items.
        let base =
            rs.iter().filter(|r| r.spec.category.kind() == CategoryKind::Base && r.spec.format.class.is_structured());
        for r in base {
            assert!(r.spec.data_items.iter().any(|i| i.base_item), "{}", r.spec.name);
        }
    }

    #[test]
    fn statuses_mix() {
        let rs = resources();
        let count = |s: DemoStatus| rs.iter().filter(|r| r.status == s).count();
        assert!((8..=14).contains(&count(DemoStatus::Draft)), "drafts: {}", count(DemoStatus::Draft));
        assert!((3..=8).contains(&count(DemoStatus::Submitted)), "submitted: {}", count(DemoStatus::Submitted));
        assert!(count(DemoStatus::Published) * 10 >= rs.len() * 8);
    }

    #[test]
    fn formats_and_items_vary() {
        let rs = resources();
        let class = |c: FormatClass| rs.iter().filter(|r| r.spec.format.class == c).count();
        assert!(class(FormatClass::Database) * 2 > rs.len());
        for c in [FormatClass::Spreadsheet, FormatClass::ElectronicFile, FormatClass::Interface, FormatClass::Image] {
            assert!(class(c) >= 2, "{c}: {}", class(c));
        }
        let db_subtypes: HashSet<_> = rs
            .iter()
            .filter(|r| r.spec.format.class == FormatClass::Database)
            .filter_map(|r| r.spec.format.subtype.as_deref())
            .collect();
        assert!(db_subtypes.len() >= 6, "{db_subtypes:?}");
        let cycles: HashSet<_> = rs.iter().map(|r| r.spec.update_cycle).collect();
        assert!(cycles.len() >= 7, "{cycles:?}");
        for r in &rs {
            assert!(!r.spec.tags.is_empty(), "{}", r.spec.name);
            assert!(!r.spec.share_type.eq(&ShareType::NotShared) || r.spec.share_basis.is_some());
            if r.spec.format.class.is_structured() {
                assert!(r.spec.data_items.len() >= 4, "{}", r.spec.name);
                assert!(r.spec.data_items.iter().any(|i| i.is_key), "{} has no key item", r.spec.name);
            }
            for item in &r.spec.data_items {
                let expected = match item.name.as_str() {
                    n if n.ends_with("身份号码") => Some(IdentifierKind::CitizenId),
                    n if n.ends_with("统一社会信用代码") => Some(IdentifierKind::CreditCode),
                    n if n.ends_with("行政区划代码") => Some(IdentifierKind::RegionCode),
                    n if n.ends_with("手机号码") => Some(IdentifierKind::Mobile),
                    _ => None,
                };
                if expected.is_some() {
                    assert_eq!(item.identifier, expected, "{}: {}", r.spec.name, item.name);
                }
            }
        }
        let citizen = rs
            .iter()
            .flat_map(|r| &r.spec.data_items)
            .filter(|i| i.identifier == Some(IdentifierKind::CitizenId))
            .count();
        assert!(citizen >= 50, "{citizen}");
    }
}
