//! Catalogue import and export in the compilation-template layout. Parsing and writing the files
//! is the `interchange` crate's job; here the parsed rows meet the domain rules and the store.
//! A file with errors imports nothing unless the caller asks for the valid rows only.

use domain::account::{Action, Actor};
use domain::catalog::ResourceSpec;
use domain::error::FieldError;
use interchange::{CellError, Entry, ImportOutcome};
use store::model::{PageRequest, ResourceFilter};

use crate::{Result, ServiceError, Services, catalog};

/// What happened to one imported row.
#[derive(Debug, Clone)]
pub struct ImportedEntry {
    pub row: usize,
    pub id: i64,
    pub code: String,
    /// `created` or `updated`.
    pub action: &'static str,
}

/// The outcome of an import: every bad row and cell, and what was written.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub rows: usize,
    pub errors: Vec<CellError>,
    pub imported: Vec<ImportedEntry>,
    /// False when nothing was written because of errors.
    pub committed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Write nothing if any row has an error (the default).
    AllOrNothing,
    /// Write the valid rows, report the others.
    ValidRowsOnly,
    /// Check only.
    DryRun,
}

enum Plan {
    Create(ResourceSpec),
    Update(Box<store::model::Resource>, ResourceSpec),
}

/// Imports parsed rows into `department_id` (the actor's own department by default).
pub async fn import(
    svc: &Services,
    actor: &Actor,
    department_id: Option<i64>,
    parsed: ImportOutcome,
    mode: ImportMode,
) -> Result<ImportReport> {
    let dept_id = department_id.unwrap_or(actor.department_id);
    actor.authorize(Action::EditCatalog, Some(dept_id))?;
    let dept = svc.store.get_department(dept_id).await?;
    let mut errors = parsed.errors;
    let rows = parsed.rows.len();
    let mut plans: Vec<(usize, Plan)> = Vec::new();
    let mut seen_codes = std::collections::HashSet::new();
    for row in parsed.rows {
        let Some(mut spec) = row.spec.clone() else { continue };
        let row_error =
            |field: &str, message: String| row.cell_error(&FieldError::new(field, "invalid_value", message));
        // The provider is the importing department; a row naming another one is a mistake.
        let pc = spec.provider_code.trim();
        let ours = [dept.spec.credit_code.as_deref(), dept.spec.local_code.as_deref()];
        if !pc.is_empty() && !ours.contains(&Some(pc)) {
            errors.push(row_error(
                "provider_code",
                format!("提供方代码“{pc}”与导入部门“{}”不符：只能导入本部门的目录", dept.spec.name),
            ));
            continue;
        }
        let existing = match row.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(code) => {
                if !seen_codes.insert(code.to_string()) {
                    errors.push(row_error("code", format!("信息资源代码“{code}”在文件中出现了不止一次，请合并为一行")));
                    continue;
                }
                match catalog::get(svc, actor, code).await {
                    Ok(r) if r.department_id == dept_id => Some(r),
                    Ok(_) => {
                        errors.push(row_error("code", format!("信息资源代码“{code}”属于其他部门")));
                        continue;
                    }
                    Err(ServiceError::NotFound(_)) => {
                        errors.push(row_error(
                            "code",
                            format!("信息资源代码“{code}”不存在；新编目的资源请将代码留空，由平台生成"),
                        ));
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        // The spreadsheet template has no column for collection decisions (一数一源): a revision
        // keeps those on record for the items it still has, unless the file (JSON) brings its own.
        if let Some(r) = &existing
            && spec.collection_decisions.is_empty()
        {
            spec.collection_decisions =
                r.spec.collection_decisions.iter().filter(|d| spec.item(d.item.trim()).is_some()).cloned().collect();
        }
        let mut check = spec.clone();
        check.provider_name = dept.spec.name.clone();
        check.provider_code = dept.spec.provider_code();
        check.publish_date = existing.as_ref().and_then(|r| r.spec.publish_date);
        let own = existing.as_ref().map(|r| r.code.clone());
        match catalog::check(svc, dept_id, &check, own.as_deref()).await {
            Ok(()) => {}
            Err(ServiceError::Invalid(errs)) => {
                errors.extend(errs.0.iter().map(|e| row.cell_error(e)));
                continue;
            }
            Err(other) => return Err(other),
        }
        if let Some(r) = &existing
            && let Err(e) = r.status.apply(domain::catalog::LifecycleAction::Update)
        {
            errors.push(row_error("status", e.to_string()));
            continue;
        }
        plans.push((
            row.sheet_row,
            match existing {
                Some(r) => Plan::Update(Box::new(r), spec),
                None => Plan::Create(spec),
            },
        ));
    }
    errors.sort_by_key(|e| (e.sheet != interchange::Sheet::Resources.name(), e.row));
    let blocked = mode == ImportMode::DryRun || (mode == ImportMode::AllOrNothing && !errors.is_empty());
    if blocked {
        return Ok(ImportReport { rows, errors, imported: Vec::new(), committed: false });
    }
    let mut imported = Vec::new();
    for (row, plan) in plans {
        let (res, action) = match plan {
            Plan::Create(spec) => (catalog::create_as(svc, actor, Some(dept_id), spec, "import").await, "created"),
            Plan::Update(r, spec) => (catalog::update_as(svc, actor, *r, spec, "import").await, "updated"),
        };
        match res {
            Ok(r) => imported.push(ImportedEntry { row, id: r.id, code: r.code, action }),
            Err(e) => errors.push(CellError {
                sheet: "信息资源".into(),
                row,
                column: None,
                field: String::new(),
                message: e.to_string(),
            }),
        }
    }
    Ok(ImportReport { rows, errors, imported, committed: true })
}

/// The entries an actor may see that match `filter`, for export.
pub async fn export_entries(svc: &Services, actor: &Actor, filter: ResourceFilter) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = catalog::list(svc, actor, filter.clone(), PageRequest { after, limit: 500 }).await?;
        for r in page.items {
            out.push(Entry { code: Some(r.code), status: Some(r.status.label().to_string()), spec: r.spec });
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok(out)
}
