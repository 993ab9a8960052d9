//! 政府数据开放 (seed 002): the confidentiality review (保密审查) before a version of a 无条件开放
//! resource is opened, the openings, and every public read (portal and open-data API) through the
//! one access check in `data` (`data::access::decide_public`), audited and counted.
//!
//! seed 002 二(一): "建立健全政府信息资源发布保密审查机制，妥善保护涉及国家秘密、商业秘密、个人隐私……";
//! 三(三): the portal offers "浏览、查询、下载、统计". The reviewer is the providing department's
//! approver (`Action::ReviewCatalog`). An opening names its version: a newer version is not public
//! until it has been reviewed and opened in turn.

use std::collections::{HashMap, HashSet};

use domain::account::{Action, Actor};
use domain::catalog::{OpenType, ResourceStatus};
use domain::masking::MaskRule;
use domain::open::{ColumnDecision, ColumnFinding};
use domain::purpose::{Purpose, PurposeKind};
use serde_json::json;
use store::model::{DatasetVersion, Resource};
use store::open_store::{ColumnReview, NewOpening, UsageKind, UsageTotals};

pub use store::open_store::Opening;

use crate::search::{SearchPage, SearchParams};
use crate::{Result, ServiceError, Services, accounts, audit, catalog};
use data::access::{OpeningFacts, ReadKind, ResourceFacts, Scope};
use data::query::{QueryResult, QuerySpec};

/// Rows sampled per version for the automatic scan.
pub const SCAN_SAMPLE_ROWS: usize = 200;
/// Rows shown in the portal's preview.
pub const PREVIEW_ROWS: usize = 20;

/// How a public read arrived (statistics and audit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The portal's pages (开放数据门户).
    Portal,
    /// The open-data API, with the developer key used.
    Api { key_id: i64 },
}

impl Channel {
    fn json(self) -> serde_json::Value {
        match self {
            Channel::Portal => json!({"channel": "portal"}),
            Channel::Api { key_id } => json!({"channel": "api", "key": key_id}),
        }
    }
}

/// The purpose every public read declares: public use of open data.
fn public_purpose() -> Purpose {
    Purpose { kind: PurposeKind::Other, description: "政府数据开放：社会公众开放利用".to_string() }
}

/// A resource as the public sees it.
#[derive(Debug, Clone)]
pub struct OpenDataset {
    pub resource: Resource,
    /// The providing department's name.
    pub department: String,
    /// The name of the entry's category (主题分类).
    pub category: String,
    /// For 无条件开放: the current opening (reviewed version, public fields, masks), if opened.
    pub opening: Option<Opening>,
    /// Views, downloads and API calls so far.
    pub usage: UsageTotals,
}

impl OpenDataset {
    pub fn code(&self) -> &str {
        &self.resource.code
    }

    /// Whether the data itself can be read by the public (无条件开放 and opened).
    pub fn data_open(&self) -> bool {
        self.opening.is_some() && self.resource.spec.open_type == OpenType::Unconditional
    }

    /// The fields the public reads, in the opening's order: the opening's fields that the current
    /// entry still opens (the same rule as `data::access::decide_public`). Empty when the data is
    /// not open.
    pub fn public_fields(&self) -> Vec<&str> {
        match &self.opening {
            Some(o) if self.data_open() => o
                .fields
                .iter()
                .filter(|f| domain::open::item_openable(&self.resource.spec, f))
                .map(String::as_str)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The data items the public may know of (`domain::open::public_items`): the public fields
    /// when the data is open, else the items that may be applied for.
    pub fn public_items(&self) -> Vec<&str> {
        domain::open::public_items(&self.resource.spec, self.opening.as_ref().map(|o| o.fields.as_slice()))
    }
}

fn not_found(key: &str) -> ServiceError {
    ServiceError::NotFound(format!("开放数据集“{key}”"))
}

/// A resource the portal lists, by code. Anything not public (a draft, a withdrawn or classified
/// entry, 不予开放, 无条件开放 not yet opened) reads exactly like a missing one.
pub async fn dataset(svc: &Services, key: &str) -> Result<OpenDataset> {
    let key = key.trim();
    if key.is_empty() || key.chars().count() > 64 {
        return Err(not_found(key));
    }
    let r = match svc.store.get_resource_by_code(key).await {
        Ok(r) => r,
        Err(store::StoreError::NotFound { .. }) => return Err(not_found(key)),
        Err(e) => return Err(e.into()),
    };
    let opening = match r.spec.open_type {
        OpenType::Unconditional => svc.store.current_opening(r.id).await?,
        _ => None,
    };
    let listed = domain::open::listed(
        r.status,
        r.spec.classified,
        r.spec.open_type,
        r.spec.format.class.is_structured(),
        opening.is_some(),
    );
    if !listed {
        return Err(not_found(key));
    }
    let department = accounts::get_department(svc, r.department_id).await?.spec.name;
    let usage = usage_of(svc, r.id).await?;
    let category = match svc.store.get_category(r.spec.category.as_str()).await? {
        Some(c) => c.name,
        None => r.spec.category.as_str().to_string(),
    };
    Ok(OpenDataset { resource: r, department, category, opening, usage })
}

async fn usage_of(svc: &Services, resource_id: i64) -> Result<UsageTotals> {
    Ok(svc
        .store
        .open_usage_totals(Some(resource_id))
        .await?
        .into_iter()
        .find(|(id, _)| *id == resource_id)
        .map(|(_, t)| t)
        .unwrap_or_default())
}

/// Searches the datasets the portal lists (text, facets: theme/category, department, format,
/// update cycle, open type), paged by `cursor`. Facet counts cover listed entries only.
pub async fn list(svc: &Services, params: SearchParams) -> Result<SearchPage> {
    crate::search::search_public(svc, params).await
}

/// The scope of a public read of a dataset's opened version.
struct PublicRead {
    dataset: OpenDataset,
    version: DatasetVersion,
    scope: Scope,
}

async fn public_scope(svc: &Services, key: &str, kind: ReadKind) -> Result<PublicRead> {
    let dataset = dataset(svc, key).await?;
    let Some(opening) = dataset.opening.clone().filter(|_| dataset.data_open()) else {
        return Err(ServiceError::NotFound(format!("开放数据集“{}”的数据", dataset.code())));
    };
    let version = svc.store.get_dataset_version(dataset.resource.id, opening.version).await?;
    let r = &dataset.resource;
    let facts =
        ResourceFacts { department_id: r.department_id, status: r.status, spec: &r.spec, items: &version.data_items };
    let o = OpeningFacts { id: opening.id, version: opening.version, fields: &opening.fields, masks: &opening.masks };
    let scope = data::access::decide_public(public_purpose(), kind, version.version, &facts, Some(&o))
        .map_err(ServiceError::AccessDenied)?;
    Ok(PublicRead { dataset, version, scope })
}

fn audit_detail(
    read: &PublicRead,
    channel: Channel,
    client: Option<&str>,
    extra: serde_json::Value,
) -> serde_json::Value {
    let mut d = json!({
        "id": read.dataset.resource.id,
        "version": read.version.version,
        "basis": read.scope.basis().code(),
        "opening": read.dataset.opening.as_ref().map(|o| o.id),
        "purpose": {"kind": read.scope.purpose().kind.code(), "description": read.scope.purpose().description},
        "masks": read.scope.mask_ids().into_iter().map(|(f, r)| json!({"field": f, "rule": r})).collect::<Vec<_>>(),
        "client": client,
    });
    if let (Some(a), serde_json::Value::Object(b)) = (d.as_object_mut(), channel.json()) {
        a.extend(b);
    }
    if let (Some(a), serde_json::Value::Object(b)) = (d.as_object_mut(), extra) {
        a.extend(b);
    }
    d
}

/// Queries the opened version of a dataset as the public: only its public fields, masked as
/// reviewed. Audited (no actor) and counted as a view (portal) or an API call.
pub async fn public_query(
    svc: &Services,
    key: &str,
    spec: QuerySpec,
    channel: Channel,
) -> Result<(OpenDataset, QueryResult)> {
    public_query_from(svc, key, spec, channel, None).await
}

/// [`public_query`] with the client's address for the audit.
pub async fn public_query_from(
    svc: &Services,
    key: &str,
    spec: QuerySpec,
    channel: Channel,
    client: Option<&str>,
) -> Result<(OpenDataset, QueryResult)> {
    limit_portal(svc, channel, client)?;
    let read = public_scope(svc, key, ReadKind::Query).await?;
    let result = data::query::run(&svc.datasets, &read.version.files, &read.scope, &spec).await?;
    let kind = match channel {
        Channel::Portal => None,
        Channel::Api { .. } => Some(UsageKind::Api),
    };
    if let Some(kind) = kind {
        count(svc, read.dataset.resource.id, kind).await?;
    }
    let detail = audit_detail(
        &read,
        channel,
        client,
        json!({"fields": result.columns, "rows": result.rows.len(),
               "filters": spec.filters.iter().map(|f| f.field.clone()).collect::<Vec<_>>()}),
    );
    audit::record(svc, None, "open.query", "resource", Some(read.dataset.resource.code.clone()), detail).await?;
    Ok((read.dataset, result))
}

/// The first rows of the opened version, as the portal's preview shows them (part of a view: not
/// counted again).
pub async fn preview(svc: &Services, key: &str, client: Option<&str>) -> Result<(OpenDataset, QueryResult)> {
    let spec = QuerySpec { limit: Some(PREVIEW_ROWS), count: true, ..Default::default() };
    public_query_from(svc, key, spec, Channel::Portal, client).await
}

/// Streams the opened version for download as the public (CSV, NDJSON, XLSX …): public fields
/// only, masked as reviewed. Audited before the first byte leaves and counted as a download.
/// Open data carries no recipient fingerprint: anyone may have it.
pub async fn public_download(
    svc: &Services,
    key: &str,
    format: data::download::DownloadFormat,
    channel: Channel,
    client: Option<&str>,
) -> Result<(OpenDataset, DatasetVersion, data::query::BatchStream, Vec<String>)> {
    limit_portal(svc, channel, client)?;
    let read = public_scope(svc, key, ReadKind::Download).await?;
    if let Some(max) = format.max_rows()
        && read.version.row_count as u64 > max
    {
        return Err(data::download::too_many_rows(format, Some(read.version.row_count as u64)).into());
    }
    let spec = QuerySpec::default();
    let (stream, columns) = data::query::stream(&svc.datasets, &read.version.files, &read.scope, &spec).await?;
    // Like every download, never in the stored order: the version is stored sorted by region and
    // date, which would tell a removed or masked region or date column. A fresh seed each time:
    // open data carries no recipient fingerprint.
    let mut seed: data::fingerprint::Seed = [0; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut seed);
    let key_fields = data::fingerprint::key_columns(&read.version.data_items, &columns);
    let stream = data::fingerprint::download_order(stream, seed, &read.version.data_items, &read.scope, &key_fields)?;
    count(svc, read.dataset.resource.id, UsageKind::Download).await?;
    let detail = audit_detail(&read, channel, client, json!({"fields": columns, "format": format.extension()}));
    audit::record(svc, None, "open.download", "resource", Some(read.dataset.resource.code.clone()), detail).await?;
    let PublicRead { dataset, version, .. } = read;
    Ok((dataset, version, stream, columns))
}

/// Portal reads are limited per client address (API calls have their per-key limit instead).
fn limit_portal(svc: &Services, channel: Channel, client: Option<&str>) -> Result<()> {
    match (channel, client) {
        (Channel::Portal, Some(c)) => svc.portal_limits.portal_read(c, svc.clock.now()),
        _ => Ok(()),
    }
}

async fn count(svc: &Services, resource_id: i64, kind: UsageKind) -> Result<()> {
    svc.store.add_open_usage(resource_id, svc.clock.today(), kind, 1).await?;
    Ok(())
}

/// Counts one view of a dataset's page (portal) or one API call.
pub async fn record_view(svc: &Services, resource_id: i64, channel: Channel) -> Result<()> {
    let kind = match channel {
        Channel::Portal => UsageKind::View,
        Channel::Api { .. } => UsageKind::Api,
    };
    count(svc, resource_id, kind).await
}

/// One dataset's line in the statistics.
#[derive(Debug, Clone)]
pub struct DatasetStats {
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub department: String,
    pub usage: UsageTotals,
}

/// One department's line in the statistics.
#[derive(Debug, Clone)]
pub struct DepartmentStats {
    pub department_id: i64,
    pub department: String,
    /// Datasets the portal lists.
    pub datasets: usize,
    pub usage: UsageTotals,
}

/// The portal's statistics (seed 002 三(三) "统计"): per dataset, per department, totals. Only
/// listed datasets appear.
#[derive(Debug, Clone, Default)]
pub struct Statistics {
    pub datasets: Vec<DatasetStats>,
    pub departments: Vec<DepartmentStats>,
    pub totals: UsageTotals,
    /// How many datasets the portal lists, and how many have their data opened.
    pub listed: usize,
    pub opened: usize,
}

fn add(t: &mut UsageTotals, u: &UsageTotals) {
    t.views += u.views;
    t.downloads += u.downloads;
    t.api_calls += u.api_calls;
}

/// Every listed dataset (a search for everything, page by page).
async fn listed_entries(svc: &Services) -> Result<Vec<search::Hit>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = list(svc, SearchParams { limit: Some(100), cursor, ..Default::default() }).await?;
        out.extend(page.items);
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(out),
        }
    }
}

/// The statistics of the portal.
pub async fn statistics(svc: &Services) -> Result<Statistics> {
    let listed = listed_entries(svc).await?;
    let openings = svc.store.current_openings().await?;
    statistics_of(svc, &listed, &openings).await
}

/// The statistics of the listed entries, given the current openings (read once by the caller).
async fn statistics_of(svc: &Services, listed: &[search::Hit], openings: &[Opening]) -> Result<Statistics> {
    let usage: HashMap<i64, UsageTotals> = svc.store.open_usage_totals(None).await?.into_iter().collect();
    let opened: HashSet<i64> = openings.iter().map(|o| o.resource_id).collect();
    let names = accounts::department_names(svc).await?;
    let mut stats = Statistics { listed: listed.len(), ..Default::default() };
    let mut by_dept: HashMap<i64, DepartmentStats> = HashMap::new();
    for hit in listed {
        let e = &hit.entry;
        let u = usage.get(&e.id).copied().unwrap_or_default();
        if opened.contains(&e.id) {
            stats.opened += 1;
        }
        add(&mut stats.totals, &u);
        let department = names.get(&e.department_id).cloned().unwrap_or_else(|| e.provider.clone());
        let d = by_dept.entry(e.department_id).or_insert_with(|| DepartmentStats {
            department_id: e.department_id,
            department: department.clone(),
            datasets: 0,
            usage: UsageTotals::default(),
        });
        d.datasets += 1;
        add(&mut d.usage, &u);
        stats.datasets.push(DatasetStats {
            code: e.code.clone(),
            name: e.name.clone(),
            department_id: e.department_id,
            department,
            usage: u,
        });
    }
    let weight = |u: &UsageTotals| u.views + u.downloads + u.api_calls;
    stats.datasets.sort_by(|a, b| weight(&b.usage).cmp(&weight(&a.usage)).then_with(|| a.code.cmp(&b.code)));
    stats.departments = by_dept.into_values().collect();
    stats
        .departments
        .sort_by(|a, b| weight(&b.usage).cmp(&weight(&a.usage)).then_with(|| a.department.cmp(&b.department)));
    Ok(stats)
}

/// A dataset featured on the portal's home page.
#[derive(Debug, Clone)]
pub struct Featured {
    pub code: String,
    pub name: String,
    pub department: String,
    pub summary: String,
    pub views: i64,
    pub opened_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The most viewed (viewed at least once) and the most recently opened datasets (at most `n`
/// each).
pub async fn featured(svc: &Services, n: usize) -> Result<(Vec<Featured>, Vec<Featured>)> {
    // One listing and one read of the openings serve both lists and the statistics.
    let listed = listed_entries(svc).await?;
    let current = svc.store.current_openings().await?;
    let stats = statistics_of(svc, &listed, &current).await?;
    let openings: HashMap<i64, Opening> = current.into_iter().map(|o| (o.resource_id, o)).collect();
    let by_code: HashMap<&str, &search::Hit> = listed.iter().map(|h| (h.entry.code.as_str(), h)).collect();
    let summary_of = |code: &str| by_code.get(code).map(|h| h.entry.clone());
    let mut most_viewed: Vec<Featured> = Vec::new();
    let mut by_views = stats.datasets.clone();
    by_views.sort_by(|a, b| b.usage.views.cmp(&a.usage.views).then_with(|| a.code.cmp(&b.code)));
    for d in by_views.into_iter().filter(|d| d.usage.views > 0).take(n) {
        let s = summary_of(&d.code);
        most_viewed.push(Featured {
            summary: s.as_ref().map(|e| e.summary.clone()).unwrap_or_default(),
            opened_at: s.as_ref().and_then(|e| openings.get(&e.id)).map(|o| o.opened_at),
            code: d.code,
            name: d.name,
            department: d.department,
            views: d.usage.views,
        });
    }
    let mut newest: Vec<(&Opening, &search::Hit)> =
        listed.iter().filter_map(|h| openings.get(&h.entry.id).map(|o| (o, h))).collect();
    newest.sort_by_key(|(o, _)| std::cmp::Reverse(o.opened_at));
    let by_dataset: HashMap<&str, &DatasetStats> = stats.datasets.iter().map(|d| (d.code.as_str(), d)).collect();
    let newest = newest
        .into_iter()
        .take(n)
        .map(|(o, h)| Featured {
            code: h.entry.code.clone(),
            name: h.entry.name.clone(),
            department: by_dataset
                .get(h.entry.code.as_str())
                .map(|d| d.department.clone())
                .unwrap_or_else(|| h.entry.provider.clone()),
            summary: h.entry.summary.clone(),
            views: by_dataset.get(h.entry.code.as_str()).map_or(0, |d| d.usage.views),
            opened_at: Some(o.opened_at),
        })
        .collect();
    Ok((most_viewed, newest))
}

// ---------------------------------------------------------------------------------------------
// The confidentiality review (保密审查), by the providing department's approver.

/// Where a resource stands in the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState {
    /// No data has been published yet: nothing to review.
    NoData,
    /// The latest version has flagged columns without a decision.
    Pending,
    /// Every flagged column of the latest version is decided; it can be opened.
    Ready,
    /// The latest version is open.
    Open,
    /// An older version is open; the latest needs its own review.
    OlderOpen,
}

impl ReviewState {
    pub fn label(self) -> &'static str {
        match self {
            ReviewState::NoData => "尚无数据",
            ReviewState::Pending => "待审查",
            ReviewState::Ready => "审查完成，待开放",
            ReviewState::Open => "已开放",
            ReviewState::OlderOpen => "已开放旧版本，新版本待审查",
        }
    }
}

/// One resource of the department's review list.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    pub resource: Resource,
    pub latest_version: Option<i64>,
    pub opening: Option<Opening>,
    pub state: ReviewState,
    /// Flagged columns of the latest version, and how many are still undecided.
    pub flagged: usize,
    pub undecided: usize,
}

/// One flagged column with its decision, if any.
#[derive(Debug, Clone)]
pub struct ColumnReviewView {
    pub finding: ColumnFinding,
    pub decision: Option<ColumnReview>,
}

/// The review of the latest version of a resource.
#[derive(Debug, Clone)]
pub struct Review {
    pub resource: Resource,
    pub version: Option<DatasetVersion>,
    pub columns: Vec<ColumnReviewView>,
    /// Columns not flagged (opened as they are).
    pub clear_columns: Vec<String>,
    pub opening: Option<Opening>,
    pub state: ReviewState,
}

impl Review {
    /// The flagged columns still without a decision.
    pub fn undecided(&self) -> Vec<String> {
        self.columns.iter().filter(|c| c.decision.is_none()).map(|c| c.finding.column.clone()).collect()
    }
}

/// A resource the reviewer's department provides, 无条件开放 (the only open type whose data is
/// opened without an application), structured, published and not classified.
async fn reviewable(svc: &Services, actor: &Actor, key: &str) -> Result<Resource> {
    let r = catalog::get(svc, actor, key).await?;
    actor.authorize(Action::ReviewCatalog, Some(r.department_id))?;
    if r.department_id != actor.department_id {
        // A coordinator may review catalogue entries, but the confidentiality review of a
        // department's data is the department's own (seed 002 二(一)).
        return Err(ServiceError::NotFound(format!("本部门的开放资源“{key}”")));
    }
    if r.spec.open_type != OpenType::Unconditional || r.spec.classified || !r.spec.format.class.is_structured() {
        return Err(ServiceError::Conflict(format!(
            "目录“{}”的开放类型为“{}”{}，不需要也不能经保密审查后无条件开放",
            r.code,
            r.spec.open_type.label(),
            if r.spec.classified { "（涉密）" } else { "" }
        )));
    }
    Ok(r)
}

fn scan_purpose() -> Purpose {
    Purpose {
        kind: PurposeKind::DataVerification, description: "政府数据开放前的保密审查（自动扫描样本）".to_string()
    }
}

/// Scans a version: a sample of its rows read through the department's own scope (audited), then
/// `domain::open::scan` on each column.
async fn scan(svc: &Services, actor: &Actor, r: &Resource, v: &DatasetVersion) -> Result<Vec<ColumnFinding>> {
    let facts = ResourceFacts { department_id: r.department_id, status: r.status, spec: &r.spec, items: &v.data_items };
    let read = data::access::ReadContext {
        actor,
        purpose: scan_purpose(),
        kind: ReadKind::Query,
        grant_id: None,
        today: svc.clock.today(),
    };
    let scope = data::access::decide(read, r.id, &facts, &[]).map_err(ServiceError::AccessDenied)?;
    let spec = QuerySpec { limit: Some(SCAN_SAMPLE_ROWS), ..Default::default() };
    let sample = data::query::run(&svc.datasets, &v.files, &scope, &spec).await?;
    audit::record(
        svc,
        Some(actor),
        "open.scan",
        "resource",
        Some(r.code.clone()),
        json!({"id": r.id, "version": v.version, "rows": sample.rows.len(), "basis": scope.basis().code(),
               "purpose": {"kind": scan_purpose().kind.code(), "description": scan_purpose().description}}),
    )
    .await?;
    let today = svc.clock.today();
    Ok(v.data_items
        .iter()
        .filter_map(|item| {
            let values: Vec<String> = sample
                .rows
                .iter()
                .filter_map(|row| row.get(&item.name))
                .filter(|v| !v.is_null())
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            domain::open::scan_column(&item.name, item.identifier, &values, today)
        })
        .collect())
}

fn state_of(latest: Option<i64>, opening: Option<&Opening>, undecided: usize) -> ReviewState {
    match (latest, opening) {
        (None, _) => ReviewState::NoData,
        (Some(v), Some(o)) if o.version == v => ReviewState::Open,
        (Some(_), Some(_)) => ReviewState::OlderOpen,
        (Some(_), None) if undecided == 0 => ReviewState::Ready,
        (Some(_), None) => ReviewState::Pending,
    }
}

/// The review of the latest version of one of the department's resources.
pub async fn review(svc: &Services, actor: &Actor, key: &str) -> Result<Review> {
    let r = reviewable(svc, actor, key).await?;
    review_of(svc, actor, r).await
}

async fn review_of(svc: &Services, actor: &Actor, r: Resource) -> Result<Review> {
    let opening = svc.store.current_opening(r.id).await?;
    let Some(v) = svc.store.latest_dataset_version(r.id).await? else {
        return Ok(Review {
            resource: r,
            version: None,
            columns: Vec::new(),
            clear_columns: Vec::new(),
            state: ReviewState::NoData,
            opening,
        });
    };
    let findings = scan(svc, actor, &r, &v).await?;
    let decided = svc.store.column_reviews(r.id, v.version).await?;
    let columns: Vec<ColumnReviewView> = findings
        .into_iter()
        .map(|f| {
            let decision = decided.iter().find(|d| d.column == f.column).cloned();
            ColumnReviewView { finding: f, decision }
        })
        .collect();
    // Opened as they are: not flagged, and opened by the catalogue (an item marked 有条件开放 or
    // 不予开放 never opens, `domain::open::item_openable`).
    let clear_columns = v
        .data_items
        .iter()
        .filter(|i| !columns.iter().any(|c| c.finding.column == i.name))
        .filter(|i| domain::open::item_openable(&r.spec, &i.name))
        .map(|i| i.name.clone())
        .collect();
    let undecided = columns.iter().filter(|c| c.decision.is_none()).count();
    let state = state_of(Some(v.version), opening.as_ref(), undecided);
    Ok(Review { resource: r, version: Some(v), columns, clear_columns, opening, state })
}

/// The department's 无条件开放 resources with their review state (the reviewer's list).
pub async fn reviews(svc: &Services, actor: &Actor) -> Result<Vec<ReviewRow>> {
    actor.authorize(Action::ReviewCatalog, Some(actor.department_id))?;
    let filter = store::model::ResourceFilter {
        status: Some(ResourceStatus::Published),
        department_id: Some(actor.department_id),
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = svc.store.list_resources(&filter, store::model::PageRequest { after, limit: 500 }).await?;
        for r in page.items {
            if r.spec.open_type != OpenType::Unconditional || r.spec.classified || !r.spec.format.class.is_structured()
            {
                continue;
            }
            let latest = svc.store.latest_dataset_version(r.id).await?;
            let opening = svc.store.current_opening(r.id).await?;
            // The list does not scan (that reads data): it counts decisions against the flags
            // the column names give; the review page scans the values.
            let (flagged, undecided) = match &latest {
                Some(v) => {
                    let decided = svc.store.column_reviews(r.id, v.version).await?;
                    let flagged: Vec<&str> = v
                        .data_items
                        .iter()
                        .filter(|i| domain::open::scan::kind_by_name(&i.name, i.identifier).is_some())
                        .map(|i| i.name.as_str())
                        .collect();
                    let undecided = flagged.iter().filter(|c| !decided.iter().any(|d| d.column == **c)).count();
                    (flagged.len(), undecided)
                }
                None => (0, 0),
            };
            let state = state_of(latest.as_ref().map(|v| v.version), opening.as_ref(), undecided);
            // Without name flags the values may still flag columns: say "pending" until reviewed.
            let state = if state == ReviewState::Ready
                && svc.store.column_reviews(r.id, latest.as_ref().map_or(0, |v| v.version)).await?.is_empty()
            {
                ReviewState::Pending
            } else {
                state
            };
            out.push(ReviewRow {
                resource: r,
                latest_version: latest.map(|v| v.version),
                opening,
                state,
                flagged,
                undecided,
            });
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok(out)
}

/// Records a reviewer's decision on one flagged column of a version (audited). The version must
/// be the latest; the column must be one the scan flagged.
pub async fn decide(
    svc: &Services,
    actor: &Actor,
    key: &str,
    version: i64,
    column: &str,
    decision: ColumnDecision,
) -> Result<Review> {
    let r = reviewable(svc, actor, key).await?;
    decision.validate()?;
    let latest = svc.store.latest_dataset_version(r.id).await?;
    if latest.as_ref().map(|v| v.version) != Some(version) {
        return Err(ServiceError::Conflict(format!(
            "审查的版本已不是最新版本（最新为第{}版），请刷新页面后重新审查",
            latest.map_or(0, |v| v.version)
        )));
    }
    let mut review = review_of(svc, actor, r).await?;
    let Some(at) = review.columns.iter().position(|c| c.finding.column == column) else {
        return Err(ServiceError::invalid(
            "column",
            "unknown_column",
            format!(
                "“{column}”不是本版本中被标记为疑似个人信息的列；未被标记的列如不应开放，请在目录中将该信息项的开放属性改为“不予开放”"
            ),
        ));
    };
    let decision = match decision {
        ColumnDecision::SignOff { reason } => ColumnDecision::SignOff { reason: reason.trim().to_string() },
        d => d,
    };
    let recorded = ColumnReview {
        resource_id: review.resource.id,
        version,
        column: column.to_string(),
        decision: decision.clone(),
        decided_by: actor.user_id,
        decided_at: svc.clock.now(),
    };
    svc.store.put_column_review(&recorded).await?;
    audit::record(
        svc,
        Some(actor),
        "open.review",
        "resource",
        Some(review.resource.code.clone()),
        json!({"id": review.resource.id, "version": version, "column": column, "decision": decision}),
    )
    .await?;
    // The same version's findings stand: the review after the decision is the one before with this
    // column decided (no second scan of the data, which is a read of its own).
    review.columns[at].decision = Some(recorded);
    let undecided = review.columns.iter().filter(|c| c.decision.is_none()).count();
    review.state = state_of(Some(version), review.opening.as_ref(), undecided);
    Ok(review)
}

/// The refusal of an opening while flagged columns are undecided.
pub fn undecided_error(columns: &[String]) -> ServiceError {
    ServiceError::invalid(
        "columns",
        "undecided_columns",
        format!(
            "以下疑似个人信息的列尚未作出审查决定，不能开放：{}。请对每一列选择“不开放”“脱敏开放”或“确认原样开放”（须写明理由）",
            columns.join("、")
        ),
    )
}

/// Opens the latest version (it must be `version`, the one reviewed) to the public. Refused while
/// any flagged column is undecided. Audited; the portal's index follows.
pub async fn open(svc: &Services, actor: &Actor, key: &str, version: i64) -> Result<Opening> {
    let r = reviewable(svc, actor, key).await?;
    let review = review_of(svc, actor, r).await?;
    let Some(v) = review.version.as_ref() else {
        return Err(ServiceError::Conflict(format!("目录“{}”尚未发布数据，没有可开放的版本", review.resource.code)));
    };
    if v.version != version {
        return Err(ServiceError::Conflict(format!(
            "审查的版本已不是最新版本（最新为第{}版），请刷新页面后重新审查",
            v.version
        )));
    }
    let undecided = review.undecided();
    if !undecided.is_empty() {
        audit::record(
            svc,
            Some(actor),
            "open.refused",
            "resource",
            Some(review.resource.code.clone()),
            json!({"id": review.resource.id, "version": version, "undecided": undecided}),
        )
        .await?;
        return Err(undecided_error(&undecided));
    }
    let decided: Vec<(String, ColumnDecision)> = review
        .columns
        .iter()
        .filter_map(|c| c.decision.as_ref().map(|d| (c.finding.column.clone(), d.decision.clone())))
        .collect();
    let (fields, masks) = domain::open::public_fields(&review.resource.spec, &v.data_items, &decided);
    if fields.is_empty() {
        return Err(ServiceError::invalid("columns", "no_columns", "所有列都被设为不开放，没有可开放的数据"));
    }
    let opening = svc
        .store
        .create_opening(&NewOpening {
            resource_id: review.resource.id,
            version,
            fields: fields.clone(),
            masks: masks.clone(),
            opened_by: actor.user_id,
            opened_at: svc.clock.now(),
        })
        .await?;
    audit::record(
        svc,
        Some(actor),
        "open.open",
        "resource",
        Some(review.resource.code.clone()),
        json!({"id": review.resource.id, "version": version, "opening": opening.id, "fields": fields,
               "masks": masks.iter().map(|(f, m): &(String, MaskRule)| json!({"field": f, "rule": m.id()})).collect::<Vec<_>>(),
               "decisions": decided.iter().map(|(c, d)| json!({"column": c, "decision": d})).collect::<Vec<_>>()}),
    )
    .await?;
    crate::search::index_resource(svc, &review.resource).await;
    Ok(opening)
}

/// Stops opening a resource (停止开放): the portal no longer offers its data. Audited.
pub async fn close(svc: &Services, actor: &Actor, key: &str, reason: &str) -> Result<Opening> {
    let r = reviewable(svc, actor, key).await?;
    let reason = reason.trim();
    if !(2..=500).contains(&reason.chars().count()) {
        return Err(ServiceError::invalid("reason", "required", "停止开放须说明原因（2至500字）"));
    }
    let Some(closed) = svc.store.close_opening(r.id, actor.user_id, svc.clock.now()).await? else {
        return Err(ServiceError::Conflict(format!("目录“{}”的数据当前未开放", r.code)));
    };
    audit::record(
        svc,
        Some(actor),
        "open.close",
        "resource",
        Some(r.code.clone()),
        json!({"id": r.id, "version": closed.version, "opening": closed.id, "reason": reason}),
    )
    .await?;
    crate::search::index_resource(svc, &r).await;
    Ok(closed)
}

/// Closes the opening of an entry that a catalogue change took out of the public's reach: no
/// longer published (withdrawn, returned), 涉密, or no longer 无条件开放. Without this, changing
/// the entry back would silently re-expose the old version with its old decisions; now a new
/// review is needed (seed 002: 保密审查 before opening). Audited as `open.close`.
pub async fn after_catalog_change(svc: &Services, actor: &Actor, r: &Resource) -> Result<()> {
    let still_open = r.status == ResourceStatus::Published
        && !r.spec.classified
        && r.spec.open_type == domain::catalog::OpenType::Unconditional;
    if still_open {
        return Ok(());
    }
    let Some(closed) = svc.store.close_opening(r.id, actor.user_id, svc.clock.now()).await? else {
        return Ok(());
    };
    audit::record(
        svc,
        Some(actor),
        "open.close",
        "resource",
        Some(r.code.clone()),
        json!({"id": r.id, "version": closed.version, "opening": closed.id, "reason": "目录变更后不再属于无条件开放的已发布资源"}),
    )
    .await?;
    Ok(())
}
