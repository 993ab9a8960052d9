//! 一数一源 (国发〔2016〕51号 第五条(三)): the register of data elements with the one department
//! responsible for collecting each, published to every user as the 信息采集责任公开目录 (seed 004
//! 三(一)); the overlap check a department runs on a draft before it collects anything (seed 004
//! 三(三)); the rule that refuses to submit an entry with an undecided overlap; and the
//! coordinator's report of data collected by several departments.
//!
//! Neither the check nor the report reads the whole catalogue: the domain says which normalised
//! names and identifier kinds can matter (`overlap_keys`, `report_keys` over the store's
//! per-name counts), and the store reads only the items with those from its index of data items
//! (`ElementStore::held_items`), with their names already normalised.

use std::collections::{BTreeSet, HashMap};

use domain::account::{Action, Actor};
use domain::catalog::diff::diff;
use domain::catalog::{DataItem, ResourceCode, ResourceSpec};
use domain::elements::matching::KeyedItem;
use domain::elements::{
    CollectionChoice, CollectionDecision, DataElementSpec, DuplicatesReport, HeldResource, ItemOverlap, KnownKeys,
    MatchKeys, Register, RegisteredElement, check_register, check_undecided, duplicates_keyed, find_overlaps,
    find_overlaps_keyed, overlap_keys, report_keys,
};
use domain::error::FieldError;
use serde_json::json;
use store::model::DataElement;

use crate::{Result, ServiceError, Services, audit, catalog};

/// An element of the register with the name of its responsible department.
#[derive(Debug, Clone)]
pub struct ElementEntry {
    pub element: DataElement,
    pub department_name: String,
}

/// The overlaps of one entry (or draft) of a department.
#[derive(Debug, Clone)]
pub struct OverlapReport {
    pub department_id: i64,
    /// Per overlapping item, in item order.
    pub overlaps: Vec<ItemOverlap>,
    /// What submitting the entry would be refused for now (empty: it may be submitted).
    pub problems: Vec<FieldError>,
}

fn entry(element: DataElement, names: &HashMap<i64, String>) -> ElementEntry {
    let department_name = names
        .get(&element.spec.duty.department_id)
        .cloned()
        .unwrap_or_else(|| format!("部门 {}", element.spec.duty.department_id));
    ElementEntry { element, department_name }
}

/// The live register, for matching.
async fn live_register(svc: &Services, names: &HashMap<i64, String>) -> Result<Vec<RegisteredElement>> {
    Ok(svc
        .store
        .list_data_elements(false)
        .await?
        .into_iter()
        .map(|e| {
            let e = entry(e, names);
            RegisteredElement { id: e.element.id, spec: e.element.spec, department_name: e.department_name }
        })
        .collect())
}

/// Trims what a clerk typed; empty optional text becomes none.
fn tidy(mut spec: DataElementSpec) -> DataElementSpec {
    spec.name = spec.name.trim().to_string();
    spec.definition = spec.definition.trim().to_string();
    spec.synonyms = spec.synonyms.iter().map(|s| s.trim().to_string()).collect();
    spec.duty.basis = spec.duty.basis.map(|b| b.trim().to_string()).filter(|b| !b.is_empty());
    spec
}

/// The element checked on its own and against the rest of the register.
async fn checked(
    svc: &Services,
    spec: DataElementSpec,
    own_id: Option<i64>,
) -> Result<(DataElementSpec, HashMap<i64, String>)> {
    let spec = tidy(spec);
    spec.validate()?;
    let names = crate::accounts::department_names(svc).await?;
    if !names.contains_key(&spec.duty.department_id) {
        return Err(ServiceError::invalid(
            "department_id",
            "unknown_department",
            format!("采集责任部门（编号{}）不存在，请从部门列表中选择", spec.duty.department_id),
        ));
    }
    check_register(&spec, own_id, &live_register(svc, &names).await?)?;
    Ok((spec, names))
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("数据元 {id}"))
}

/// Registers a data element and its responsible department (coordinator or admin).
pub async fn register(svc: &Services, actor: &Actor, spec: DataElementSpec) -> Result<ElementEntry> {
    actor.authorize(Action::ManageDataElements, None)?;
    let (spec, names) = checked(svc, spec, None).await?;
    let e = svc.store.create_data_element(&spec, svc.clock.now()).await?;
    audit::record(
        svc,
        Some(actor),
        "data_element.register",
        "data_element",
        Some(e.id.to_string()),
        json!({"name": e.spec.name, "department_id": e.spec.duty.department_id, "version": e.version}),
    )
    .await?;
    Ok(entry(e, &names))
}

/// Revises an element: its names, definition, type, or the department responsible for it.
pub async fn revise(
    svc: &Services,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    spec: DataElementSpec,
) -> Result<ElementEntry> {
    actor.authorize(Action::ManageDataElements, None)?;
    let before = match svc.store.get_data_element(id).await {
        Ok(e) => e,
        Err(store::StoreError::NotFound { .. }) => return Err(not_found(id)),
        Err(e) => return Err(e.into()),
    };
    let (spec, names) = checked(svc, spec, Some(id)).await?;
    let e = svc.store.update_data_element(id, expected_version, &spec, svc.clock.now()).await?;
    let changed: Vec<String> = diff(Some(&before.spec), &e.spec).into_iter().map(|c| c.field).collect();
    audit::record(
        svc,
        Some(actor),
        "data_element.revise",
        "data_element",
        Some(e.id.to_string()),
        json!({"name": e.spec.name, "department_id": e.spec.duty.department_id, "version": e.version, "changed_fields": changed}),
    )
    .await?;
    Ok(entry(e, &names))
}

/// Retires an element (停用): it stays readable, but no longer counts for overlaps.
pub async fn retire(svc: &Services, actor: &Actor, id: i64, reason: Option<String>) -> Result<ElementEntry> {
    actor.authorize(Action::ManageDataElements, None)?;
    let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    if reason.as_deref().is_some_and(|r| r.chars().count() > 2000) {
        return Err(ServiceError::invalid("reason", "too_long", "理由不能超过2000字"));
    }
    let e = match svc.store.retire_data_element(id, reason.as_deref(), svc.clock.now()).await {
        Err(store::StoreError::NotFound { .. }) => return Err(not_found(id)),
        other => other?,
    };
    audit::record(
        svc,
        Some(actor),
        "data_element.retire",
        "data_element",
        Some(e.id.to_string()),
        json!({"name": e.spec.name, "version": e.version, "reason": reason}),
    )
    .await?;
    Ok(entry(e, &crate::accounts::department_names(svc).await?))
}

/// The register (信息采集责任公开目录): public to every signed-in user.
pub async fn list(svc: &Services, actor: &Actor, include_retired: bool) -> Result<Vec<ElementEntry>> {
    actor.authorize(Action::ReadCatalog, None)?;
    let names = crate::accounts::department_names(svc).await?;
    Ok(svc.store.list_data_elements(include_retired).await?.into_iter().map(|e| entry(e, &names)).collect())
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> Result<ElementEntry> {
    actor.authorize(Action::ReadCatalog, None)?;
    match svc.store.get_data_element(id).await {
        Ok(e) => Ok(entry(e, &crate::accounts::department_names(svc).await?)),
        Err(store::StoreError::NotFound { .. }) => Err(not_found(id)),
        Err(e) => Err(e.into()),
    }
}

/// The entries that are not withdrawn holding items `keys` selects, each with only those items
/// (in id, then item order), and the items' normalised names; with `seen_by`, only entries of
/// other departments that this department may see (published and not classified). What
/// `find_overlaps` and `duplicates` need to give the same answer as over the whole catalogue.
async fn held_resources(
    svc: &Services,
    keys: &MatchKeys,
    seen_by: Option<i64>,
) -> Result<(Vec<HeldResource>, KnownKeys)> {
    let mut known = KnownKeys::new();
    if keys.is_empty() {
        return Ok((Vec::new(), known));
    }
    let mut out = Vec::new();
    for e in svc.store.held_items(keys, seen_by).await? {
        let mut items = Vec::with_capacity(e.items.len());
        let mut decisions = Vec::new();
        for h in e.items {
            let mut item = DataItem::new(&h.name, h.data_type, None);
            item.identifier = h.identifier;
            if let Some(choice) = h.decision {
                decisions.push(CollectionDecision { item: h.name.clone(), choice, source: None, reason: None });
            }
            items.push(item);
            known.entry(h.name).or_insert(h.name_key);
        }
        out.push(HeldResource {
            resource_id: e.resource_id,
            code: e.code,
            name: e.name,
            department_id: e.department_id,
            provider_name: e.provider_name,
            status: e.status,
            items,
            decisions,
        });
    }
    Ok((out, known))
}

/// The overlaps of `spec`, an entry or draft of `department_id`, and what submitting it would be
/// refused for.
async fn report(svc: &Services, department_id: i64, spec: &ResourceSpec, register: &Register) -> Result<OverlapReport> {
    let keys = overlap_keys(spec, department_id, register);
    let (others, known) = held_resources(svc, &keys, Some(department_id)).await?;
    let overlaps = find_overlaps_keyed(spec, department_id, register, &others, &known);
    let live = live_sources(svc, department_id, &overlaps).await?;
    let problems = check_undecided(&overlaps, &live).err().map(|e| e.0).unwrap_or_default();
    Ok(OverlapReport { department_id, overlaps, problems })
}

/// The entries named as sources by 申请共享 decisions that exist, are not withdrawn and are
/// visible to the department.
async fn live_sources(svc: &Services, department_id: i64, overlaps: &[ItemOverlap]) -> Result<BTreeSet<String>> {
    let codes: Vec<String> = overlaps
        .iter()
        .filter(|o| o.needs_decision())
        .filter_map(|o| o.decision.as_ref())
        .filter(|d| d.choice == CollectionChoice::UseShared)
        .filter_map(|d| d.source.as_deref().map(str::trim))
        .filter(|s| ResourceCode::parse(s).is_ok())
        .map(str::to_string)
        .collect();
    Ok(svc.store.live_codes(&codes, Some(department_id)).await?)
}

async fn register_now(svc: &Services) -> Result<Register> {
    let names = crate::accounts::department_names(svc).await?;
    Ok(Register::new(live_register(svc, &names).await?))
}

/// The overlaps of a draft that `department_id` (default: the actor's) is preparing: which of its
/// items other departments are responsible for or already hold. Any signed-in user may ask for
/// their own department (another only if they may edit its catalogue, or supervise): it shows only
/// the register and entries the department can see.
pub async fn overlaps_for(
    svc: &Services,
    actor: &Actor,
    department_id: Option<i64>,
    spec: &ResourceSpec,
) -> Result<OverlapReport> {
    actor.authorize(Action::ReadCatalog, None)?;
    let dept = department_id.unwrap_or(actor.department_id);
    // Seen as another department, the answer would tell which of its drafts exist.
    if dept != actor.department_id && !catalog::sees_everything(actor) {
        actor.authorize(Action::EditCatalog, Some(dept))?;
    }
    svc.store.get_department(dept).await?;
    report(svc, dept, spec, &register_now(svc).await?).await
}

/// The overlaps of an existing entry (by id or code), as its department sees them.
pub async fn overlaps_of(svc: &Services, actor: &Actor, key: &str) -> Result<OverlapReport> {
    let r = catalog::get(svc, actor, key).await?;
    report(svc, r.department_id, &r.spec, &register_now(svc).await?).await
}

/// 国发〔2016〕51号 第五条、第十二条: a draft whose items include a register element another
/// department is responsible for is not submitted until the entry records a decision for each.
/// Called by `catalog::submit`; entries that are not drafts are left to the lifecycle check.
pub(crate) async fn check_collection(svc: &Services, department_id: i64, spec: &ResourceSpec) -> Result<()> {
    let register = register_now(svc).await?;
    let concerned = spec.data_items.iter().any(|i| {
        register.element_of(&KeyedItem::new(i)).is_some_and(|(e, _)| e.spec.duty.department_id != department_id)
    });
    if !concerned {
        return Ok(());
    }
    // Deciding needs only the register and the codes the decisions name; the catalogue is read
    // only to word a refusal (which entry to apply to).
    let overlaps = find_overlaps(spec, department_id, &register, &[]);
    if check_undecided(&overlaps, &live_sources(svc, department_id, &overlaps).await?).is_ok() {
        return Ok(());
    }
    let report = report(svc, department_id, spec, &register).await?;
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(domain::error::ValidationErrors(report.problems)))
    }
}

/// The duplicates report for the coordinator: register elements held outside their responsible
/// department (undecided first), and unregistered data several departments collect.
pub async fn duplicates_report(svc: &Services, actor: &Actor) -> Result<DuplicatesReport> {
    actor.authorize(Action::Supervise, None)?;
    let register = register_now(svc).await?;
    let keys = report_keys(&register, &svc.store.item_key_counts().await?);
    let (catalogue, known) = held_resources(svc, &keys, None).await?;
    Ok(duplicates_keyed(&register, &catalogue, &known))
}
