//! The portal's datasets (seed 002 三(三): 浏览、查询、下载): the list with search and facets, a
//! dataset's page with its preview and API example, and the downloads. Every read goes through
//! `service::open` (the public scope of the access check), audited and counted.

use crate::web::session::WebQuery;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use domain::catalog::{FormatClass, OpenType, UpdateCycle};
use service::open::Channel;
use service::search::SearchParams;

use crate::AppState;
use crate::format::{cell, cst_day, label_of, url_part};
use crate::web::facets::{ActiveFilter, FacetBox};
use crate::web::page::{Chrome, WebError, WebResult, render};
use crate::web::session::ClientAddr;

/// The filters the list understands, in the order of the query string.
const FILTERS: &[&str] = &["category", "provider", "format", "update_cycle", "open_type"];
const PAGE_SIZE: usize = 20;

/// The URL of a dataset's page: the code with its slash encoded (`307001%2F000001`).
pub fn dataset_href(code: &str) -> String {
    format!("/datasets/{}", url_part(code))
}

struct HitRow {
    href: String,
    code: String,
    name_html: String,
    summary_html: String,
    provider: String,
    open_type: String,
    open_class: &'static str,
    format: String,
    update_cycle: String,
}

#[derive(Template)]
#[template(path = "portal/datasets.html")]
struct ListPage {
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
    clear_href: String,
}

/// The address of this search page for `q` and `filters`, at result `cursor`.
fn list_href(q: &str, filters: &[(String, String)], cursor: Option<usize>) -> String {
    crate::web::facets::search_href("/datasets", q, filters, cursor)
}

fn filter_label(k: &str) -> &'static str {
    match k {
        "category" => "主题分类",
        "provider" => "提供部门",
        "format" => "格式",
        "update_cycle" => "更新周期",
        "open_type" => "开放类型",
        _ => "筛选",
    }
}

/// The open-type badge of a result.
fn open_badge(code: &str) -> &'static str {
    match OpenType::parse(code) {
        Some(OpenType::Unconditional) => "badge badge-ok",
        Some(OpenType::Conditional) => "badge badge-warn",
        _ => "badge",
    }
}

pub async fn list(State(state): State<AppState>, uri: Uri) -> WebResult {
    let search = crate::web::facets::SearchQuery::parse(uri.query(), FILTERS);
    let offset = search.offset();
    let crate::web::facets::SearchQuery { q, filters, cursor } = search;
    let chrome = Chrome::portal(&state, "数据目录", "/datasets").await;
    let clear_href = list_href(&q, &[], None);
    let params = SearchParams { q: q.clone(), filters: filters.clone(), limit: Some(PAGE_SIZE), cursor };
    let hidden = filters.clone();
    let page = match service::open::list(&state.svc, params).await {
        Ok(p) => p,
        Err(e @ (service::ServiceError::Invalid(_) | service::ServiceError::Conflict(_))) => {
            let p = ListPage {
                chrome,
                q,
                hidden,
                total: 0,
                hits: Vec::new(),
                facets: Vec::new(),
                active: Vec::new(),
                error: Some(e.to_string()),
                next_href: None,
                prev_href: None,
                clear_href,
            };
            let mut res = render(&p)?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(res);
        }
        Err(e) => return Err(e.into()),
    };
    let groups = page.facets.iter().filter(|g| FILTERS.contains(&g.dimension.field_name()));
    let (facets, active) =
        crate::web::facets::facet_boxes(groups, &filters, |next| list_href(&q, next, None), filter_label);
    let hits = page
        .items
        .into_iter()
        .map(|h| {
            let e = h.entry;
            HitRow {
                href: dataset_href(&e.code),
                open_class: open_badge(&e.open_type),
                open_type: label_of(OpenType::parse, OpenType::label, &e.open_type),
                code: e.code,
                name_html: h.name_html,
                summary_html: h.summary_html,
                provider: e.provider,
                format: label_of(FormatClass::parse, FormatClass::label, &e.format),
                update_cycle: label_of(UpdateCycle::parse, UpdateCycle::label, &e.update_cycle),
            }
        })
        .collect();
    let next_href =
        page.next.as_deref().and_then(|n| n.parse::<usize>().ok()).map(|n| list_href(&q, &filters, Some(n)));
    let prev_href = (offset > 0).then(|| list_href(&q, &filters, Some(offset.saturating_sub(PAGE_SIZE))));
    render(&ListPage {
        chrome,
        q,
        hidden,
        total: page.total,
        hits,
        facets,
        active,
        error: None,
        next_href,
        prev_href,
        clear_href,
    })
}

struct Item {
    name: String,
    data_type: String,
    description: String,
    /// 脱敏 rule label, if the column is opened masked.
    masked: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/dataset.html")]
struct DatasetPage {
    chrome: Chrome,
    code: String,
    name: String,
    summary: String,
    department: String,
    category: String,
    open_type: String,
    open_class: &'static str,
    open_condition: Option<String>,
    apply_href: Option<String>,
    format: String,
    update_cycle: String,
    publish_date: String,
    tags: Vec<String>,
    items: Vec<Item>,
    /// The opened version, when it was opened.
    opened: Option<(i64, String)>,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    total_rows: Option<u64>,
    downloads: Vec<(&'static str, String)>,
    api_example: Option<String>,
    views: i64,
    download_count: i64,
    api_calls: i64,
}

pub async fn show(State(state): State<AppState>, Path(code): Path<String>, ClientAddr(addr): ClientAddr) -> WebResult {
    let svc = &state.svc;
    let d = service::open::dataset(svc, &code).await?;
    service::open::record_view(svc, d.resource.id, Channel::Portal).await?;
    let (columns, rows, total_rows) = if d.data_open() {
        let (_, result) = service::open::preview(svc, &d.resource.code, Some(&addr)).await?;
        let rows = result
            .rows
            .iter()
            .map(|r| result.columns.iter().map(|c| r.get(c).map(cell).unwrap_or_default()).collect())
            .collect();
        (result.columns, rows, result.total)
    } else {
        (Vec::new(), Vec::new(), None)
    };
    let r = &d.resource;
    let spec = &r.spec;
    let href = dataset_href(&r.code);
    let opening = d.opening.as_ref().filter(|_| d.data_open());
    let public = d.public_items();
    let items = spec
        .data_items
        .iter()
        .filter(|i| public.contains(&i.name.as_str()))
        .map(|i| Item {
            name: i.name.clone(),
            data_type: i.data_type.label().to_string(),
            description: i.description.clone().unwrap_or_default(),
            masked: opening
                .and_then(|o| o.masks.iter().find(|(f, _)| *f == i.name))
                .map(|(_, m)| m.kind().label().to_string()),
        })
        .collect();
    let downloads = if d.data_open() {
        [("CSV", "csv"), ("JSON", "json"), ("Excel（XLSX）", "xlsx")]
            .into_iter()
            .map(|(label, f)| (label, format!("{href}/download?format={f}")))
            .collect()
    } else {
        Vec::new()
    };
    let api_example = d.data_open().then(|| {
        format!(
            "curl -H \"X-API-Key: <您的API密钥>\" \\\n  \"/open/api/v1/datasets/{}/rows?limit=20\"",
            url_part(&r.code)
        )
    });
    let chrome = Chrome::portal(&state, spec.name.clone(), "/datasets").await;
    render(&DatasetPage {
        chrome,
        code: r.code.clone(),
        name: spec.name.clone(),
        summary: spec.summary.clone(),
        department: d.department.clone(),
        category: d.category.clone(),
        open_type: spec.open_type.label().to_string(),
        open_class: open_badge(spec.open_type.code()),
        open_condition: (spec.open_type == OpenType::Conditional)
            .then(|| spec.open_condition.clone().unwrap_or_default()),
        apply_href: (spec.open_type == OpenType::Conditional).then(|| format!("{href}/apply")),
        format: spec.format.class.label().to_string(),
        update_cycle: spec.update_cycle.label().to_string(),
        publish_date: spec.publish_date.map(|d| d.to_string()).unwrap_or_default(),
        tags: spec.tags.clone(),
        items,
        opened: opening.map(|o| (o.version, cst_day(o.opened_at))),
        columns,
        rows,
        total_rows,
        downloads,
        api_example,
        views: d.usage.views + 1,
        download_count: d.usage.downloads,
        api_calls: d.usage.api_calls,
    })
}

#[derive(serde::Deserialize)]
pub struct DownloadQuery {
    format: Option<String>,
}

pub async fn download(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ClientAddr(addr): ClientAddr,
    WebQuery(q): WebQuery<DownloadQuery>,
) -> Result<Response, WebError> {
    let format = match q.format.as_deref().unwrap_or("csv") {
        "csv" => data::download::DownloadFormat::Csv,
        "json" | "ndjson" => data::download::DownloadFormat::Ndjson,
        "xlsx" => data::download::DownloadFormat::Xlsx,
        _ => return Err(WebError::BadForm("下载格式无效，可选：csv、json、xlsx".into())),
    };
    let (d, version, stream, _) =
        service::open::public_download(&state.svc, &code, format, Channel::Portal, Some(&addr)).await?;
    Ok(crate::routes::datasets::file_response(&d.resource.code, version.version, stream, format).await?)
}
