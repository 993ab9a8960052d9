//! The demo city 示例市 (region code 350100, a city-level platform) as pure data: its departments
//! with computed 统一社会信用代码, the 目-level category nodes it adds under the seeded guide tree,
//! and a deterministic catalogue of more than two hundred information resources spread over the
//! base, theme and department categories, with a believable mix of share and open attributes.
//!
//! The data lives in submodules: [`departments`] (the department table and category nodes),
//! `build` (a compact builder the resource lists are written with), and the resource lists
//! themselves (`dept_*` for department resources, `base` and `theme`). Nothing here touches a
//! store; the demo seeder turns these values into records.

use domain::catalog::ResourceSpec;

mod base;
mod build;
mod dept_a;
mod dept_b;
mod dept_c;
pub mod departments;
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
mod tests {}
