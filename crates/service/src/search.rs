//! Catalogue search: the use case, and keeping the index (crate `search`) in step with the store.
//!
//! The store is the truth; the index is derived. Every catalogue change updates the index in the
//! same flow, right after the store write (`catalog` calls [`index_resource`]). If the process dies
//! between the two, or an update fails, or another node changed the catalogue, [`reconcile`]
//! compares each entry's version in the store with the one indexed and re-indexes what differs; it
//! runs when a server starts, periodically while it serves, and before the first search of an index
//! that may lag (an index opened afresh, or after a failed update).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use domain::account::{Action, Actor};
use domain::catalog::{CategoryNode, visible_to_all};
use search::{CatalogIndex, Entry, SearchError, SearchRequest, Viewer};
pub use search::{Dimension, Hit};
use store::model::{PageRequest, Resource, ResourceFilter};
use tokio::sync::{Mutex, OnceCell};

use crate::{Result, ServiceError, Services, catalog};

/// The catalogue index of one node, created on first use (in memory unless opened on a directory).
#[derive(Clone)]
pub struct SearchIndex {
    index: Arc<OnceCell<Arc<CatalogIndex>>>,
    dir: Option<Arc<Path>>,
    /// The index may lag the store: reconcile before the next search.
    stale: Arc<AtomicBool>,
    /// Index writes and reconciliations, one at a time, so that an older version never overwrites
    /// a newer one.
    sync: Arc<Mutex<()>>,
}

impl SearchIndex {
    /// An index in memory, built from the store on first use.
    pub fn in_memory() -> SearchIndex {
        SearchIndex {
            index: Arc::new(OnceCell::new()),
            dir: None,
            stale: Arc::new(AtomicBool::new(true)),
            sync: Arc::new(Mutex::new(())),
        }
    }

    /// An index kept in `dir` (created or caught up on first use).
    pub fn on_disk(dir: &Path) -> SearchIndex {
        SearchIndex { dir: Some(Arc::from(dir)), ..SearchIndex::in_memory() }
    }

    async fn get(&self) -> Result<Arc<CatalogIndex>> {
        let dir = self.dir.clone();
        self.index
            .get_or_try_init(|| async move {
                let opened = tokio::task::spawn_blocking(move || match dir {
                    Some(d) => CatalogIndex::open(&d),
                    None => CatalogIndex::in_memory(),
                })
                .await
                .map_err(internal)?;
                Ok(Arc::new(opened.map_err(search_error)?))
            })
            .await
            .cloned()
    }
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
    ServiceError::Internal(Box::new(e))
}

fn search_error(e: SearchError) -> ServiceError {
    match e.field() {
        Some(field) => ServiceError::invalid(&field, "invalid_search", e.to_string()),
        None => internal(e),
    }
}

/// The names of a category and its ancestors (1 → 101 → 101001 …), searched as text.
fn category_names(categories: &[CategoryNode], code: &str) -> Vec<String> {
    categories.iter().filter(|c| code.starts_with(c.code.as_str())).map(|c| c.name.clone()).collect()
}

/// The fields of the current opening of each resource whose data is opened to the public.
async fn opened_fields(svc: &Services) -> Result<HashMap<i64, Vec<String>>> {
    Ok(svc.store.current_openings().await?.into_iter().map(|o| (o.resource_id, o.fields)).collect())
}

fn entry(r: &Resource, categories: &[CategoryNode], opened: &HashMap<i64, Vec<String>>) -> Entry {
    let fields = opened.get(&r.id).map(Vec::as_slice);
    Entry {
        id: r.id,
        version: r.version,
        code: r.code.clone(),
        department_id: r.department_id,
        status: r.status,
        public: visible_to_all(r.status, r.published_at.is_some(), r.spec.classified),
        open: domain::open::listed(
            r.status,
            r.spec.classified,
            r.spec.open_type,
            r.spec.format.class.is_structured(),
            fields.is_some(),
        ),
        category_names: category_names(categories, r.spec.category.as_str()),
        public_items: domain::open::public_items(&r.spec, fields).into_iter().map(str::to_string).collect(),
        spec: r.spec.clone(),
    }
}

/// Debug aid for the crash test: `GOVSHARE_CRASH_AT=search.before_index` makes the process die
/// right after a catalogue change reached the store and before the index saw it.
fn crash_point(name: &str) {
    if std::env::var("GOVSHARE_CRASH_AT").is_ok_and(|v| v == name) {
        tracing::error!(point = name, "crashing on purpose (GOVSHARE_CRASH_AT)");
        std::process::abort();
    }
}

/// Brings the index up to date with one changed entry. Called by every catalogue change after
/// its store write; a failure is logged and leaves the index to the next reconciliation (the
/// change itself has been made).
pub(crate) async fn index_resource(svc: &Services, r: &Resource) {
    crash_point("search.before_index");
    // An index not yet created will be built from the store when first used.
    let Some(index) = svc.search.index.get().cloned() else { return };
    let result: Result<()> = async {
        let categories = svc.store.list_categories().await?;
        let opened: HashMap<i64, Vec<String>> =
            svc.store.current_opening(r.id).await?.map(|o| (o.resource_id, o.fields)).into_iter().collect();
        let e = entry(r, &categories, &opened);
        let _guard = svc.search.sync.lock().await;
        tokio::task::spawn_blocking(move || {
            // Two changes of one entry may finish out of order: keep the newer.
            if index.version_of(e.id)?.is_some_and(|v| v > e.version) {
                return Ok(());
            }
            index.apply(&[e], &[])
        })
        .await
        .map_err(internal)?
        .map_err(search_error)
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(resource = r.id, error = %e, "search index not updated; it will be reconciled");
        svc.search.stale.store(true, Ordering::SeqCst);
    }
}

/// What a reconciliation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Reconciled {
    /// Entries (re-)indexed because the index lacked them or held another version.
    pub indexed: usize,
    /// Entries removed from the index because the store no longer has them.
    pub removed: usize,
    /// Entries in the index afterwards.
    pub total: usize,
}

/// Above this many differences, reading every entry page by page beats reading them one by one.
const READ_ALL_ABOVE: usize = 200;

async fn all_resources(svc: &Services) -> Result<Vec<Resource>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = svc.store.list_resources(&ResourceFilter::default(), PageRequest { after, limit: 500 }).await?;
        out.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// Compares the index with the store and re-indexes what differs.
pub async fn reconcile(svc: &Services) -> Result<Reconciled> {
    let index = svc.search.get().await?;
    let _guard = svc.search.sync.lock().await;
    svc.search.stale.store(false, Ordering::SeqCst);
    let result = reconcile_locked(svc, index).await;
    if result.is_err() {
        svc.search.stale.store(true, Ordering::SeqCst);
    }
    result
}

async fn reconcile_locked(svc: &Services, index: Arc<CatalogIndex>) -> Result<Reconciled> {
    let stored: HashMap<i64, i64> = svc.store.resource_versions().await?.into_iter().collect();
    let idx = index.clone();
    let indexed = tokio::task::spawn_blocking(move || idx.versions()).await.map_err(internal)?.map_err(search_error)?;
    let changed: HashSet<i64> = stored.iter().filter(|(id, v)| indexed.get(id) != Some(v)).map(|(id, _)| *id).collect();
    let removed: Vec<i64> = indexed.keys().filter(|id| !stored.contains_key(id)).copied().collect();
    if changed.is_empty() && removed.is_empty() {
        return Ok(Reconciled { indexed: 0, removed: 0, total: indexed.len() });
    }
    let categories = svc.store.list_categories().await?;
    let resources = if changed.len() > READ_ALL_ABOVE {
        all_resources(svc).await?.into_iter().filter(|r| changed.contains(&r.id)).collect()
    } else {
        let mut out = Vec::with_capacity(changed.len());
        for id in &changed {
            out.push(svc.store.get_resource(*id).await?);
        }
        out
    };
    let opened = opened_fields(svc).await?;
    let entries: Vec<Entry> = resources.iter().map(|r| entry(r, &categories, &opened)).collect();
    let n = entries.len();
    let removed_n = removed.len();
    tracing::info!(indexed = n, removed = removed_n, "search index reconciled with the store");
    let total = tokio::task::spawn_blocking(move || {
        index.apply(&entries, &removed)?;
        Ok::<usize, SearchError>(index.len())
    })
    .await
    .map_err(internal)?
    .map_err(search_error)?;
    Ok(Reconciled { indexed: n, removed: removed_n, total })
}

/// Rebuilds the index from scratch from the store (`govshare search rebuild`). Searches see the
/// old index until the new one is committed.
pub async fn rebuild(svc: &Services) -> Result<usize> {
    let index = svc.search.get().await?;
    let _guard = svc.search.sync.lock().await;
    let categories = svc.store.list_categories().await?;
    let opened = opened_fields(svc).await?;
    let entries: Vec<Entry> = all_resources(svc).await?.iter().map(|r| entry(r, &categories, &opened)).collect();
    let n = tokio::task::spawn_blocking(move || index.replace_all(entries))
        .await
        .map_err(internal)?
        .map_err(search_error)?;
    svc.search.stale.store(false, Ordering::SeqCst);
    Ok(n)
}

/// A search as the API receives it.
#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub q: String,
    /// (dimension name, value) pairs; a dimension may repeat (any of its values).
    pub filters: Vec<(String, String)>,
    pub limit: Option<usize>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// One value of a facet with its count.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
}

/// The counts of one dimension over every matching entry the actor may see.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FacetGroup {
    pub dimension: Dimension,
    pub label: &'static str,
    pub values: Vec<FacetValue>,
}

/// A page of search results.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchPage {
    pub items: Vec<Hit>,
    pub total: usize,
    pub next: Option<String>,
    pub facets: Vec<FacetGroup>,
}

/// Searches the catalogue as `actor`: only entries the actor may see count anywhere (results,
/// total, facets) — the same rule as `catalog::visible`.
pub async fn search(svc: &Services, actor: &Actor, params: SearchParams) -> Result<SearchPage> {
    actor.authorize(Action::ReadCatalog, None)?;
    let viewer =
        if catalog::sees_everything(actor) { Viewer::Everything } else { Viewer::Department(actor.department_id) };
    search_as(svc, viewer, params).await
}

/// Searches the open-data catalogue as the public (政府数据开放, seed 002): only entries the portal
/// lists count anywhere (results, total, facets), so nothing hidden can be inferred from counts.
pub async fn search_public(svc: &Services, params: SearchParams) -> Result<SearchPage> {
    search_as(svc, Viewer::Public, params).await
}

async fn search_as(svc: &Services, viewer: Viewer, params: SearchParams) -> Result<SearchPage> {
    let mut req = SearchRequest::new(&params.q, viewer);
    for (name, value) in &params.filters {
        req.filter(name, value).map_err(search_error)?;
    }
    req.limit = params.limit.unwrap_or(20);
    req.offset = match params.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c.parse::<usize>().map_err(|_| search_error(SearchError::BadCursor))?,
    };
    req.check().map_err(search_error)?;
    let index = svc.search.get().await?;
    if svc.search.stale.load(Ordering::SeqCst) {
        reconcile(svc).await?;
    }
    let offset = req.offset;
    let results =
        tokio::task::spawn_blocking(move || index.search(&req)).await.map_err(internal)?.map_err(search_error)?;
    let next = (offset + results.hits.len() < results.total && !results.hits.is_empty())
        .then(|| (offset + results.hits.len()).to_string());
    let facets = label_facets(svc, results.facets).await?;
    Ok(SearchPage { items: results.hits, total: results.total, next, facets })
}

/// Names for the values: enumerations label themselves; categories and departments are looked up.
async fn label_facets(svc: &Services, counts: search::facets::Counts) -> Result<Vec<FacetGroup>> {
    let categories = svc.store.list_categories().await?;
    // One listing, not one query per provider value.
    let departments = crate::accounts::department_names(svc).await?;
    Ok(counts
        .into_iter()
        .map(|(dim, values): (Dimension, BTreeMap<u64, u64>)| {
            let mut values: Vec<FacetValue> = values
                .into_iter()
                .map(|(v, count)| {
                    let (value, label) = dim.describe(v);
                    let label = match (dim, label) {
                        (_, Some(l)) => l.to_string(),
                        (Dimension::Provider, None) => {
                            departments.get(&(v as i64)).cloned().unwrap_or_else(|| value.clone())
                        }
                        (Dimension::Category, None) => categories
                            .iter()
                            .find(|c| c.code.as_str() == value)
                            .map(|c| c.name.clone())
                            .unwrap_or_else(|| value.clone()),
                        _ => value.clone(),
                    };
                    FacetValue { value, label, count }
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            FacetGroup { dimension: dim, label: dim.label(), values }
        })
        .collect())
}
