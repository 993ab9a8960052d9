//! The console's catalogue (政务信息资源目录): search with facets, the resource page (every field,
//! data items, data versions, freshness, history with what changed, the lifecycle steps the
//! user's roles allow), the register/revise form (`form`), and spreadsheet import/export (`io`).
//! Every rule is `service::catalog`'s; these handlers read input and render.

mod form;
mod io;

use crate::web::session::WebQuery;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use domain::account::Action;
use domain::catalog::diff::{display_value, field_label};
use domain::catalog::{
    DataType, FormatClass, IdentifierKind, LifecycleAction, OpenType, ResourceStatus, ShareMethod, ShareType,
    UpdateCycle,
};
use serde::Deserialize;
use service::search::SearchParams;
use store::model::Resource;

use super::super::page::{Chrome, FormErrors, WebError, WebResult, render};
use super::super::session::{Console, ConsoleForm};
use crate::AppState;
use crate::format::{cst_minute, label_of, url_part};
use crate::web::facets::{ActiveFilter, FacetBox};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/catalog", get(search_page))
        .route("/console/catalog/new", get(form::new_form).post(form::create))
        .route(
            "/console/catalog/import",
            get(io::import_form).post(io::import).layer(axum::extract::DefaultBodyLimit::max(crate::MAX_IMPORT_BODY)),
        )
        .route("/console/catalog/export", get(io::export))
        .route("/console/catalog/template", get(io::template))
        .route("/console/catalog/{code}", get(resource_page))
        .route("/console/catalog/{code}/edit", get(form::edit_form).post(form::update))
        .route("/console/catalog/{code}/{action}", post(lifecycle))
}

/// The URL of a resource page: the code with its slash encoded (`307001%2F000001`).
pub fn resource_href(code: &str) -> String {
    format!("/console/catalog/{}", url_part(code))
}

/// The badge class of a status.
pub fn status_badge(s: ResourceStatus) -> &'static str {
    match s {
        ResourceStatus::Draft => "badge",
        ResourceStatus::Submitted => "badge badge-warn",
        ResourceStatus::Published => "badge badge-ok",
        ResourceStatus::Withdrawn => "badge badge-danger",
    }
}

// ---- Search ----

/// The filters a search page understands, in the order of the query string.
const FILTERS: &[&str] = &["category", "provider", "share_type", "open_type", "format", "update_cycle", "status"];
const PAGE_SIZE: usize = 20;

struct HitRow {
    href: String,
    code: String,
    name_html: String,
    summary_html: String,
    provider: String,
    status: String,
    status_class: &'static str,
    share_type: String,
    format: String,
    update_cycle: String,
}

#[derive(Template)]
#[template(path = "console/catalog/search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    hidden: Vec<(String, String)>,
    total: usize,
    hits: Vec<HitRow>,
    facets: Vec<FacetBox>,
    active: Vec<ActiveFilter>,
    error: Option<String>,
    next_href: Option<String>,
    prev_href: Option<String>,
    drafts_href: String,
    clear_href: String,
    can_edit: bool,
}

/// The address of this search page for `q` and `filters`, at result `cursor`.
fn search_href(q: &str, filters: &[(String, String)], cursor: Option<usize>) -> String {
    crate::web::facets::search_href("/console/catalog", q, filters, cursor)
}

async fn search_page(State(state): State<AppState>, Console(user): Console, uri: Uri) -> WebResult {
    let search = crate::web::facets::SearchQuery::parse(uri.query(), FILTERS);
    let offset = search.offset();
    let crate::web::facets::SearchQuery { q, filters, cursor } = search;
    let chrome = Chrome::console(&state, &user, "资源目录", "/console/catalog").await;
    let clear_href = search_href(&q, &[], None);
    let params = SearchParams { q: q.clone(), filters: filters.clone(), limit: Some(PAGE_SIZE), cursor };
    let drafts_href = search_href(
        "",
        &[("status".into(), "draft".into()), ("provider".into(), user.actor.department_id.to_string())],
        None,
    );
    let can_edit = user.actor.authorize(Action::EditCatalog, None).is_ok();
    let hidden = filters.clone();
    let (page, error) = match service::search::search(&state.svc, &user.actor, params).await {
        Ok(p) => (Some(p), None),
        Err(e @ (service::ServiceError::Invalid(_) | service::ServiceError::Conflict(_))) => {
            (None, Some(e.to_string()))
        }
        Err(e) => return Err(e.into()),
    };
    let Some(page) = page else {
        let p = SearchPage {
            chrome,
            q,
            hidden,
            total: 0,
            hits: Vec::new(),
            facets: Vec::new(),
            active: Vec::new(),
            error,
            next_href: None,
            prev_href: None,
            drafts_href,
            clear_href: clear_href.clone(),
            can_edit,
        };
        let mut res = render(&p)?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    };
    let (facets, active) =
        crate::web::facets::facet_boxes(&page.facets, &filters, |next| search_href(&q, next, None), filter_label);
    let hits = page
        .items
        .into_iter()
        .map(|h| {
            let e = h.entry;
            let status = ResourceStatus::parse(&e.status);
            HitRow {
                href: resource_href(&e.code),
                code: e.code,
                name_html: h.name_html,
                summary_html: h.summary_html,
                provider: e.provider,
                status: status.map(|s| s.label().to_string()).unwrap_or(e.status),
                status_class: status.map(status_badge).unwrap_or("badge"),
                share_type: label_of(ShareType::parse, ShareType::label, &e.share_type),
                format: label_of(FormatClass::parse, FormatClass::label, &e.format),
                update_cycle: label_of(UpdateCycle::parse, UpdateCycle::label, &e.update_cycle),
            }
        })
        .collect();
    let next_href =
        page.next.as_deref().and_then(|n| n.parse::<usize>().ok()).map(|n| search_href(&q, &filters, Some(n)));
    let prev_href = (offset > 0).then(|| search_href(&q, &filters, Some(offset.saturating_sub(PAGE_SIZE))));
    render(&SearchPage {
        chrome,
        q,
        hidden,
        total: page.total,
        hits,
        facets,
        active,
        error,
        next_href,
        prev_href,
        drafts_href,
        clear_href: clear_href.clone(),
        can_edit,
    })
}

fn filter_label(k: &str) -> &'static str {
    service::search::Dimension::parse(k).map(|d| d.label()).unwrap_or("筛选")
}

// ---- The resource page ----

struct ItemRow {
    name: String,
    data_type: String,
    length: String,
    description: String,
    flags: String,
    identifier: String,
    share: String,
    open: String,
}

struct DatasetRow {
    version: i64,
    mode: String,
    rows: String,
    rejected: String,
    at: String,
}

struct ChangeRow {
    field: String,
    before: String,
    after: String,
    /// Nothing there (shown plainly, not struck through).
    before_empty: bool,
    after_empty: bool,
}

struct HistoryRow {
    version: i64,
    action: String,
    username: String,
    at: String,
    comment: Option<String>,
    status: String,
    first: bool,
    changes: Vec<ChangeRow>,
}

/// A lifecycle step the user may take now.
struct StepButton {
    action: &'static str,
    label: &'static str,
    /// Needs a reason (return, withdraw).
    reason: bool,
    danger: bool,
    confirm: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "console/catalog/resource.html")]
struct ResourcePage {
    chrome: Chrome,
    r: Resource,
    href: String,
    status_class: &'static str,
    category_name: String,
    format: String,
    share_methods: String,
    related: Vec<(String, String)>,
    items: Vec<ItemRow>,
    datasets: Vec<DatasetRow>,
    structured: bool,
    freshness: Option<(String, &'static str, String)>,
    history: Vec<HistoryRow>,
    steps: Vec<StepButton>,
    can_edit: bool,
    apply_href: Option<String>,
    read_href: Option<String>,
    upload_href: Option<String>,
    overlap_problems: Vec<String>,
    errors: FormErrors,
    failed_step: String,
    reason: String,
}

/// The buttons for the steps the actor may take (`service::catalog::available_steps` decides which).
fn step_buttons(steps: &[LifecycleAction]) -> Vec<StepButton> {
    steps
        .iter()
        .filter_map(|a| match a {
            LifecycleAction::Update => None,
            LifecycleAction::Submit => {
                Some(StepButton {
                    action: "submit", label: "提交审核", reason: false, danger: false, confirm: None
                })
            }
            LifecycleAction::Recall => {
                Some(StepButton {
                    action: "recall", label: "撤回到草稿", reason: false, danger: false, confirm: None
                })
            }
            LifecycleAction::Publish => Some(StepButton {
                action: "publish",
                label: "登记发布",
                reason: false,
                danger: false,
                confirm: Some("发布后信息资源代码不可再变更，确定登记发布吗？"),
            }),
            LifecycleAction::Return => {
                Some(StepButton { action: "return", label: "退回修改", reason: true, danger: false, confirm: None })
            }
            LifecycleAction::Withdraw => Some(StepButton {
                action: "withdraw",
                label: "注销",
                reason: true,
                danger: true,
                confirm: Some("注销后该目录只能查看，代码不再使用，确定注销吗？"),
            }),
        })
        .collect()
}

fn action_label(code: &str) -> String {
    match code {
        "create" => "新建",
        "update" => "修改",
        "submit" => "提交审核",
        "recall" => "撤回",
        "return" => "退回",
        "publish" => "发布",
        "withdraw" => "注销",
        "import" => "导入",
        other => other,
    }
    .to_string()
}

/// The notice after a lifecycle step (a fixed text per step, never echoed from the URL).
fn done_notice(done: &str) -> Option<String> {
    Some(
        match done {
            "created" => "已登记为草稿。可继续修改，或提交审核。",
            "updated" => "修改已保存。",
            "submit" => "已提交审核，等待本部门审核人登记发布。",
            "recall" => "已撤回到草稿。",
            "return" => "已退回编目人员修改。",
            "publish" => "已登记发布，各部门现在可以看到该目录。",
            "withdraw" => "已注销。",
            _ => return None,
        }
        .to_string(),
    )
}

#[derive(Deserialize)]
struct ResourceQuery {
    done: Option<String>,
}

async fn resource_page(
    State(state): State<AppState>,
    Console(user): Console,
    Path(code): Path<String>,
    WebQuery(q): WebQuery<ResourceQuery>,
) -> WebResult {
    let r = service::catalog::get(&state.svc, &user.actor, &code).await?;
    let flash = q.done.as_deref().and_then(done_notice);
    show_resource(&state, &user, r, flash, FormErrors::default(), String::new(), String::new(), StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn show_resource(
    state: &AppState,
    user: &service::signin::SessionUser,
    r: Resource,
    flash: Option<String>,
    errors: FormErrors,
    failed_step: String,
    reason: String,
    status: StatusCode,
) -> WebResult {
    let svc = &state.svc;
    let actor = &user.actor;
    let chrome = Chrome::console(state, user, r.spec.name.clone(), "/console/catalog").await.with_flash(flash);
    let categories = service::catalog::list_categories(svc).await?;
    let category_name = categories
        .iter()
        .find(|c| c.code.as_str() == r.spec.category.as_str())
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let s = &r.spec;
    let format = match (&s.format.subtype, &s.format.other_desc) {
        (Some(sub), Some(o)) if !o.is_empty() => format!("{}（{}，{}）", s.format.class.label(), sub, o),
        (Some(sub), _) if !sub.is_empty() => format!("{}（{}）", s.format.class.label(), sub),
        _ => s.format.class.label().to_string(),
    };
    let share_methods = if s.share_methods.is_empty() {
        "—".to_string()
    } else {
        s.share_methods.iter().map(|m| m.label()).collect::<Vec<_>>().join("、")
    };
    let related = s.related_codes.iter().map(|c| (c.as_str().to_string(), resource_href(c.as_str()))).collect();
    let items = s
        .data_items
        .iter()
        .map(|i| {
            let mut flags = Vec::new();
            if i.is_key {
                flags.push("主键");
            }
            if i.required {
                flags.push("必填");
            }
            if i.base_item {
                flags.push("基础信息项");
            }
            let share = match i.share_type {
                None => format!("同资源（{}）", s.share_type.label()),
                Some(t) => {
                    let extra = i.share_condition.clone().or(i.share_basis.clone()).unwrap_or_default();
                    if extra.is_empty() { t.label().to_string() } else { format!("{}：{}", t.label(), extra) }
                }
            };
            let open = match i.open_type {
                None => format!("同资源（{}）", s.open_type.label()),
                Some(t) => t.label().to_string(),
            };
            ItemRow {
                name: i.name.clone(),
                data_type: format!("{} {}", i.data_type.code(), i.data_type.label()),
                length: i.length.map(|l| l.to_string()).unwrap_or_default(),
                description: i.description.clone().unwrap_or_default(),
                flags: flags.join("、"),
                identifier: i.identifier.map(|k| k.label()).unwrap_or("").to_string(),
                share,
                open,
            }
        })
        .collect();
    let structured = s.format.class.is_structured();
    let versions = service::datasets::versions_of(svc, actor, &r).await?;
    let has_data = !versions.is_empty();
    let datasets = versions
        .into_iter()
        .map(|v| DatasetRow {
            version: v.version,
            mode: match v.mode.as_str() {
                "replace" => "整体替换",
                "append" => "追加",
                "upsert" => "按主键更新",
                _ => "—",
            }
            .to_string(),
            rows: v.totals.map(|t| t.row_count.to_string()).unwrap_or_else(|| "—".into()),
            rejected: v.totals.map(|t| t.rejected_rows.to_string()).unwrap_or_else(|| "—".into()),
            at: cst_minute(v.published_at),
        })
        .collect();
    let freshness = if structured && r.status == ResourceStatus::Published {
        let (_, f) = service::datasets::freshness_of(svc, actor, &r).await?;
        let class = match f.status {
            domain::freshness::FreshnessStatus::Fresh => "badge badge-ok",
            domain::freshness::FreshnessStatus::Overdue => "badge badge-danger",
            domain::freshness::FreshnessStatus::AwaitingData => "badge badge-warn",
            domain::freshness::FreshnessStatus::Irregular => "badge",
        };
        Some((f.status.label().to_string(), class, f.due_by.map(|d| d.to_string()).unwrap_or_else(|| "—".into())))
    } else {
        None
    };
    let mut versions = service::catalog::history_of(svc, actor, &r).await?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    let history = versions
        .into_iter()
        .map(|v| {
            let first = v.version == 1;
            HistoryRow {
                version: v.version,
                action: action_label(&v.change.action),
                username: v.change.username.clone(),
                at: cst_minute(v.change.at),
                comment: v.change.comment.clone(),
                status: v.status.label().to_string(),
                first,
                changes: if first {
                    Vec::new()
                } else {
                    v.diff
                        .iter()
                        .map(|c| {
                            let blank = |v: &serde_json::Value| {
                                v.is_null() || v.as_str() == Some("") || v.as_array().is_some_and(|a| a.is_empty())
                            };
                            ChangeRow {
                                field: field_label(&c.field),
                                before: display_value(&c.field, &c.before),
                                after: display_value(&c.field, &c.after),
                                before_empty: blank(&c.before),
                                after_empty: blank(&c.after),
                            }
                        })
                        .collect()
                },
            }
        })
        .collect();
    let own = r.department_id == actor.department_id;
    let steps = service::catalog::available_steps(actor, &r);
    let can_edit = steps.contains(&LifecycleAction::Update);
    let apply_href = service::sharing::offers_application(actor, &r)
        .then(|| format!("/console/applications/new?resource={}", url_part(&r.code)));
    let read_href = (has_data && actor.authorize(Action::ReadData, None).is_ok())
        .then(|| format!("/console/read/{}", url_part(&r.code)));
    let upload_href = service::datasets::check_publishable(actor, &r)
        .is_ok()
        .then(|| format!("/console/data/{}/upload", url_part(&r.code)));
    // 一数一源: what submitting this draft would be refused for, shown before anyone tries.
    let overlap_problems = if own && r.status == ResourceStatus::Draft && !s.data_items.is_empty() {
        service::elements::overlaps_of(svc, actor, &r.code)
            .await
            .map(|o| o.problems.into_iter().map(|p| p.message).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let page = ResourcePage {
        chrome,
        href: resource_href(&r.code),
        status_class: status_badge(r.status),
        category_name,
        format,
        share_methods,
        related,
        items,
        datasets,
        structured,
        freshness,
        history,
        steps: step_buttons(&steps),
        can_edit,
        apply_href,
        read_href,
        upload_href,
        overlap_problems,
        errors,
        failed_step,
        reason,
        r,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(default)]
    reason: Option<String>,
}

/// A lifecycle step (submit, recall, return, publish, withdraw) from the resource page.
async fn lifecycle(
    State(state): State<AppState>,
    Path((code, action)): Path<(String, String)>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<StepForm>,
) -> WebResult {
    let svc = &state.svc;
    let actor = &user.actor;
    let result = match action.as_str() {
        "submit" => service::catalog::submit(svc, actor, &code).await,
        "recall" => service::catalog::recall(svc, actor, &code).await,
        "publish" => service::catalog::publish(svc, actor, &code).await,
        "return" => service::catalog::return_to_draft(svc, actor, &code, form.reason.clone()).await,
        "withdraw" => service::catalog::withdraw(svc, actor, &code, form.reason.clone()).await,
        _ => return Err(WebError::Api(crate::ApiError::not_found("没有这个操作"))),
    };
    match result {
        Ok(r) => Ok(Redirect::to(&format!("{}?done={action}", resource_href(&r.code))).into_response()),
        Err(e) if is_refusal(&e) => {
            let errors = FormErrors::from_service(e)?;
            let r = service::catalog::get(svc, actor, &code).await?;
            let reason = form.reason.unwrap_or_default();
            show_resource(&state, &user, r, None, errors, action, reason, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A refusal that the page shows next to the form (bad input, wrong state, stale version), as
/// opposed to one shown as an error page (no permission, not found).
pub fn is_refusal(e: &service::ServiceError) -> bool {
    use service::ServiceError as E;
    matches!(e, E::Invalid(_) | E::Conflict(_) | E::Lifecycle(_) | E::Stale { .. })
}

/// Options of a `<select>`: (value, label, selected).
pub type Options = Vec<(String, String, bool)>;

/// The options of an enumeration, with `current` (a code) selected.
pub fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    current: &str,
) -> Options {
    all.iter().map(|v| (code(*v).to_string(), label(*v).to_string(), code(*v) == current)).collect()
}

pub fn data_type_options(current: &str) -> Options {
    DataType::ALL
        .iter()
        .map(|v| (v.code().to_string(), format!("{} {}", v.code(), v.label()), v.code() == current))
        .collect()
}

pub fn identifier_options(current: &str) -> Options {
    options(IdentifierKind::ALL, IdentifierKind::code, IdentifierKind::label, current)
}

pub fn share_method_options(current: &[String]) -> Options {
    ShareMethod::ALL
        .iter()
        .map(|v| (v.code().to_string(), v.label().to_string(), current.iter().any(|c| c == v.code())))
        .collect()
}

pub fn open_type_options(current: &str) -> Options {
    options(OpenType::ALL, OpenType::code, OpenType::label, current)
}
