//! 一数一源 in the demo city, through the use cases: the coordinator registers the data elements
//! (`city::elements`), each editor checks a draft's overlaps and records the collection decisions
//! before submitting it, and two elements registered after the catalogue leave undecided
//! duplicates for the coordinator's report.

use std::collections::HashMap;

use anyhow::Context;
use domain::account::Actor;
use domain::catalog::ResourceSpec;
use service::Services;

use super::city::elements::{decide, elements};

/// Registers the elements of one phase: those compiled before the catalogue, or the `late` ones.
pub async fn register(
    svc: &Services,
    coordinator: &Actor,
    dept_ids: &HashMap<&'static str, (i64, String)>,
    late: bool,
) -> anyhow::Result<usize> {
    let mut n = 0;
    for e in elements().into_iter().filter(|e| e.late == late) {
        let (dept, _) =
            dept_ids.get(e.department).with_context(|| format!("数据元 {}: 没有部门 {}", e.name, e.department))?;
        service::elements::register(svc, coordinator, e.spec(*dept))
            .await
            .with_context(|| format!("数据元 {}", e.name))?;
        n += 1;
    }
    Ok(n)
}

/// The draft with the decisions its editor records after checking its overlaps.
pub async fn with_decisions(svc: &Services, editor: &Actor, mut spec: ResourceSpec) -> anyhow::Result<ResourceSpec> {
    let report = service::elements::overlaps_for(svc, editor, None, &spec).await?;
    spec.collection_decisions = decide(&spec, &report.overlaps);
    Ok(spec)
}
