//! The catalogue use cases: register, revise, submit, return, publish, withdraw, read, list,
//! history, and the classification tree. Every step is a new kept version with a field-level
//! diff and an audit event.

use std::collections::HashMap;

use domain::account::{Action, Actor, Role};
use domain::catalog::code::CodeInput;
use domain::catalog::diff::diff;
use domain::catalog::{
    CategoryNode, LifecycleAction, ResourceCode, ResourceSpec, ResourceStatus, ValidationContext, validate_resource,
    visible_to_all,
};
use serde_json::json;
use store::model::{Change, NewResource, Page, PageRequest, Resource, ResourceFilter, ResourceUpdate, ResourceVersion};

use crate::{Result, ServiceError, Services, audit};

/// Whether the actor sees every entry, drafts of other departments included.
pub fn sees_everything(actor: &Actor) -> bool {
    actor.has(Role::Coordinator) || actor.has(Role::Admin) || actor.has(Role::Auditor)
}

/// Whether the actor may know the entry exists: published entries (and withdrawn ones that had
/// been published) are everyone's; drafts and submissions are their department's. Every path that
/// looks an entry up goes through this, so a hidden entry reads exactly like a missing one.
pub fn visible(actor: &Actor, r: &Resource) -> bool {
    sees_everything(actor)
        || r.department_id == actor.department_id
        || visible_to_all(r.status, r.published_at.is_some(), r.spec.classified)
}

/// The one "not found" of an entry, whether it is missing or hidden.
pub fn not_found(key: &str) -> ServiceError {
    ServiceError::NotFound(format!("信息资源“{}”", key.trim()))
}

/// The permission a lifecycle step needs: the editor compiles, submits and recalls; the approver
/// returns and publishes (GB/T 21063.6 注册/审核); withdrawing has a permission of its own.
fn permission(action: LifecycleAction) -> Action {
    match action {
        LifecycleAction::Update | LifecycleAction::Submit | LifecycleAction::Recall => Action::EditCatalog,
        LifecycleAction::Return | LifecycleAction::Publish => Action::ReviewCatalog,
        LifecycleAction::Withdraw => Action::WithdrawCatalog,
    }
}

/// The lifecycle steps the actor may take on the entry now (its permission and the entry's status
/// both allow them): what the pages offer, by the same rule the steps themselves check.
pub fn available_steps(actor: &Actor, r: &Resource) -> Vec<LifecycleAction> {
    [
        LifecycleAction::Update,
        LifecycleAction::Submit,
        LifecycleAction::Recall,
        LifecycleAction::Publish,
        LifecycleAction::Return,
        LifecycleAction::Withdraw,
    ]
    .into_iter()
    .filter(|&a| actor.authorize(permission(a), Some(r.department_id)).is_ok() && r.status.apply(a).is_ok())
    .collect()
}

/// Checks an entry against every rule without writing anything (forms, imports).
pub async fn check(svc: &Services, department_id: i64, spec: &ResourceSpec, own_code: Option<&str>) -> Result<()> {
    validate(svc, department_id, spec, own_code).await
}

/// Checks a would-be entry of `department_id` against every rule, as the form shows it.
pub async fn check_for(svc: &Services, actor: &Actor, department_id: i64, spec: ResourceSpec) -> Result<()> {
    actor.authorize(Action::EditCatalog, Some(department_id))?;
    let spec = with_provider(svc, department_id, spec).await?;
    validate(svc, department_id, &spec, None).await
}

/// Gathers what validation needs from the store and runs every rule. Related codes count only if
/// the entry's department may see them (another department's draft reads as missing).
async fn validate(svc: &Services, department_id: i64, spec: &ResourceSpec, own_code: Option<&str>) -> Result<()> {
    let category = svc.store.get_category(spec.category.as_str()).await?;
    let codes: Vec<String> = spec.related_codes.iter().map(|c| c.as_str().to_string()).collect();
    let live = svc.store.live_codes(&codes, Some(department_id)).await?;
    let ctx = ValidationContext {
        today: svc.clock.today(),
        category,
        existing_related: live.iter().filter_map(|c| ResourceCode::parse(c).ok()).collect(),
        own_code: own_code.and_then(|c| ResourceCode::parse(c).ok()),
    };
    validate_resource(spec, &ctx)?;
    Ok(())
}

/// Fills in what the platform owns: the provider (from the department record, so nobody can file
/// an entry in another department's name).
async fn with_provider(svc: &Services, department_id: i64, mut spec: ResourceSpec) -> Result<ResourceSpec> {
    let dept = svc.store.get_department(department_id).await?;
    spec.provider_name = dept.spec.name.clone();
    spec.provider_code = dept.spec.provider_code();
    Ok(spec)
}

async fn allocate_code(svc: &Services, department_id: i64, spec: &ResourceSpec) -> Result<String> {
    let dept = svc.store.get_department(department_id).await?;
    let prefix = svc
        .scheme
        .prefix(&CodeInput { category: &spec.category, provider_local_code: dept.spec.local_code.as_deref() })?;
    let seq = svc.store.next_code_sequence(&prefix).await?;
    Ok(svc.scheme.format(&prefix, seq)?.as_str().to_string())
}

fn change(svc: &Services, actor: &Actor, action: &str, comment: Option<String>) -> Change {
    Change {
        user_id: actor.user_id,
        username: actor.username.clone(),
        action: action.to_string(),
        comment,
        at: svc.clock.now(),
    }
}

/// Registers a new entry as a draft of `department_id` (the actor's own department by default).
pub async fn create(svc: &Services, actor: &Actor, department_id: Option<i64>, spec: ResourceSpec) -> Result<Resource> {
    create_as(svc, actor, department_id, spec, "create").await
}

pub(crate) async fn create_as(
    svc: &Services,
    actor: &Actor,
    department_id: Option<i64>,
    spec: ResourceSpec,
    action: &str,
) -> Result<Resource> {
    let dept = department_id.unwrap_or(actor.department_id);
    actor.authorize(Action::EditCatalog, Some(dept))?;
    let mut spec = with_provider(svc, dept, spec).await?;
    spec.publish_date = None;
    validate(svc, dept, &spec, None).await?;
    let code = allocate_code(svc, dept, &spec).await?;
    let r = svc
        .store
        .create_resource(&NewResource {
            code,
            department_id: dept,
            status: ResourceStatus::Draft,
            diff: diff(None, &spec),
            spec,
            change: change(svc, actor, action, None),
        })
        .await?;
    audit::record(
        svc,
        Some(actor),
        &format!("resource.{action}"),
        "resource",
        Some(r.code.clone()),
        json!({"id": r.id, "name": r.spec.name}),
    )
    .await?;
    crate::search::index_resource(svc, &r).await;
    Ok(r)
}

/// Looks an entry up by numeric id or by code (as the API addresses it).
pub async fn get(svc: &Services, actor: &Actor, key: &str) -> Result<Resource> {
    let key = key.trim();
    let found = if !key.is_empty() && key.chars().all(|c| c.is_ascii_digit()) {
        match key.parse::<i64>() {
            Ok(id) => svc.store.get_resource(id).await,
            Err(_) => return Err(not_found(key)),
        }
    } else {
        svc.store.get_resource_by_code(key).await
    };
    match found {
        // Another department's draft reads exactly like a missing entry.
        Ok(r) if visible(actor, &r) => Ok(r),
        Ok(_) | Err(store::StoreError::NotFound { .. }) => Err(not_found(key)),
        Err(e) => Err(e.into()),
    }
}

/// The entries with these ids that the actor may know of, by id, in one store read: what a list
/// of grants, applications or requests shows of their resources. A hidden or missing id is absent,
/// as `get` would answer "not found".
pub async fn get_many(svc: &Services, actor: &Actor, ids: &[i64]) -> Result<HashMap<i64, Resource>> {
    Ok(svc.store.get_resources(ids).await?.into_iter().filter(|r| visible(actor, r)).map(|r| (r.id, r)).collect())
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    mut filter: ResourceFilter,
    page: PageRequest,
) -> Result<Page<Resource>> {
    actor.authorize(Action::ReadCatalog, None)?;
    if !sees_everything(actor) {
        filter.visible_to_department = Some(actor.department_id);
    }
    Ok(svc.store.list_resources(&filter, page).await?)
}

pub async fn history(svc: &Services, actor: &Actor, key: &str) -> Result<Vec<ResourceVersion>> {
    let r = get(svc, actor, key).await?;
    history_of(svc, actor, &r).await
}

/// [`history`] of an entry already read; its visibility is checked again, without a read.
pub async fn history_of(svc: &Services, actor: &Actor, r: &Resource) -> Result<Vec<ResourceVersion>> {
    if !visible(actor, r) {
        return Err(not_found(&r.code));
    }
    Ok(svc.store.resource_history(r.id).await?)
}

/// Applies a lifecycle step (and for `Update`, new content) and records the new version.
#[allow(clippy::too_many_arguments)]
async fn step(
    svc: &Services,
    actor: &Actor,
    r: Resource,
    action: LifecycleAction,
    expected_version: Option<i64>,
    new_spec: Option<ResourceSpec>,
    comment: Option<String>,
    audit_action: &str,
) -> Result<Resource> {
    let next = r.status.apply(action)?;
    if let Some(v) = expected_version
        && v != r.version
    {
        return Err(ServiceError::Stale { current: r.version });
    }
    let mut spec = match new_spec {
        Some(s) => with_provider(svc, r.department_id, s).await?,
        None => r.spec.clone(),
    };
    // 发布日期 is the platform's to set: kept through revisions, set on first publication.
    spec.publish_date = r.spec.publish_date;
    let mut code = r.code.clone();
    let mut published_at = r.published_at;
    if spec.category != r.spec.category {
        if r.status.code_frozen() {
            return Err(ServiceError::invalid(
                "category",
                "code_frozen",
                format!(
                    "目录“{}”已发布，信息资源代码不可变更，因此不能改到其他分类；如确需调整，请注销后重新编目",
                    r.code
                ),
            ));
        }
        code = allocate_code(svc, r.department_id, &spec).await?;
    }
    if action == LifecycleAction::Publish {
        let today = svc.clock.today();
        spec.publish_date = Some(spec.publish_date.map_or(today, |d| d.min(today)));
        published_at = Some(published_at.unwrap_or(svc.clock.now()));
    }
    // Withdrawing needs no re-validation (the entry may refer to things that have since gone).
    if action != LifecycleAction::Withdraw && action != LifecycleAction::Recall && action != LifecycleAction::Return {
        validate(svc, r.department_id, &spec, Some(&code)).await?;
    }
    // 一数一源 (国发〔2016〕51号 第五条、第十二条): an entry goes before the approver, or a published
    // entry is revised, only once every overlap with another department's element is decided.
    if action == LifecycleAction::Submit || (action == LifecycleAction::Update && r.status == ResourceStatus::Published)
    {
        crate::elements::check_collection(svc, r.department_id, &spec).await?;
    }
    let d = diff(Some(&r.spec), &spec);
    let updated = svc
        .store
        .update_resource(&ResourceUpdate {
            id: r.id,
            expected_version: r.version,
            code: code.clone(),
            status: next,
            spec,
            published_at,
            change: change(svc, actor, audit_action, comment.clone()),
            diff: d.clone(),
        })
        .await?;
    audit::record(
        svc,
        Some(actor),
        &format!("resource.{audit_action}"),
        "resource",
        Some(updated.code.clone()),
        json!({"id": updated.id, "version": updated.version, "status": next.code(), "comment": comment, "changed_fields": d.iter().map(|c| c.field.clone()).collect::<Vec<_>>()}),
    )
    .await?;
    crate::open::after_catalog_change(svc, actor, &updated).await?;
    crate::search::index_resource(svc, &updated).await;
    Ok(updated)
}

/// Revises an entry. On a published entry this is a revision: a new published version.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    key: &str,
    expected_version: Option<i64>,
    spec: ResourceSpec,
) -> Result<Resource> {
    let r = get(svc, actor, key).await?;
    actor.authorize(permission(LifecycleAction::Update), Some(r.department_id))?;
    step(svc, actor, r, LifecycleAction::Update, expected_version, Some(spec), None, "update").await
}

pub(crate) async fn update_as(
    svc: &Services,
    actor: &Actor,
    r: Resource,
    spec: ResourceSpec,
    action: &str,
) -> Result<Resource> {
    actor.authorize(permission(LifecycleAction::Update), Some(r.department_id))?;
    step(svc, actor, r, LifecycleAction::Update, None, Some(spec), None, action).await
}

pub async fn submit(svc: &Services, actor: &Actor, key: &str) -> Result<Resource> {
    let r = get(svc, actor, key).await?;
    actor.authorize(permission(LifecycleAction::Submit), Some(r.department_id))?;
    step(svc, actor, r, LifecycleAction::Submit, None, None, None, "submit").await
}

pub async fn recall(svc: &Services, actor: &Actor, key: &str) -> Result<Resource> {
    let r = get(svc, actor, key).await?;
    actor.authorize(permission(LifecycleAction::Recall), Some(r.department_id))?;
    step(svc, actor, r, LifecycleAction::Recall, None, None, None, "recall").await
}

fn required_reason(reason: Option<String>, what: &str) -> Result<String> {
    match reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()) {
        Some(r) if r.chars().count() <= 2000 => Ok(r),
        Some(_) => Err(ServiceError::invalid("reason", "too_long", "理由不能超过2000字")),
        None => Err(ServiceError::invalid("reason", "required", format!("{what}时必须说明理由"))),
    }
}

/// The approver sends a submitted entry back to the editor, with a reason.
pub async fn return_to_draft(svc: &Services, actor: &Actor, key: &str, reason: Option<String>) -> Result<Resource> {
    let r = get(svc, actor, key).await?;
    actor.authorize(permission(LifecycleAction::Return), Some(r.department_id))?;
    let reason = required_reason(reason, "退回")?;
    step(svc, actor, r, LifecycleAction::Return, None, None, Some(reason), "return").await
}

/// The approver registers and publishes a submitted entry (登记/发布).
pub async fn publish(svc: &Services, actor: &Actor, key: &str) -> Result<Resource> {
    let r = get(svc, actor, key).await?;
    actor.authorize(permission(LifecycleAction::Publish), Some(r.department_id))?;
    step(svc, actor, r, LifecycleAction::Publish, None, None, None, "publish").await
}

/// 注销: the entry stays readable with its history; its code is never reused.
pub async fn withdraw(svc: &Services, actor: &Actor, key: &str, reason: Option<String>) -> Result<Resource> {
    let r = get(svc, actor, key).await?;
    actor.authorize(permission(LifecycleAction::Withdraw), Some(r.department_id))?;
    let reason = required_reason(reason, "注销")?;
    step(svc, actor, r, LifecycleAction::Withdraw, None, None, Some(reason), "withdraw").await
}

pub async fn list_categories(svc: &Services) -> Result<Vec<CategoryNode>> {
    Ok(svc.store.list_categories().await?)
}

/// An admin extends the classification tree (e.g. a new theme, 主题).
pub async fn create_category(svc: &Services, actor: &Actor, code: &str, name: &str) -> Result<CategoryNode> {
    actor.authorize(Action::ManageCategories, None)?;
    let node = CategoryNode::new(code, name)?;
    let created = svc.store.create_category(&node).await?;
    audit::record(
        svc,
        Some(actor),
        "category.create",
        "category",
        Some(created.code.to_string()),
        json!({"name": created.name}),
    )
    .await?;
    Ok(created)
}
