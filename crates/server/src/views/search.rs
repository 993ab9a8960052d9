//! What the search API returns.

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

/// The query string of `GET /api/v1/search` (documentation; filters may repeat, values of one
/// filter are alternatives, different filters all apply).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchQueryDoc {
    /// Words to look for; several words separated by spaces must all match. Empty: browse.
    pub q: Option<String>,
    /// Category code (类, 类+项 or deeper): that branch of the tree.
    pub category: Option<String>,
    /// Providing department id.
    pub provider: Option<i64>,
    /// unconditional, conditional, not_shared (or the Chinese label).
    pub share_type: Option<String>,
    /// unconditional, conditional, not_open.
    pub open_type: Option<String>,
    /// Format class: database, spreadsheet, electronic_file, interface …
    pub format: Option<String>,
    /// realtime, daily, weekly, monthly …
    pub update_cycle: Option<String>,
    /// draft, submitted, published, withdrawn (withdrawn entries only appear when asked for).
    pub status: Option<String>,
    /// Results per page, 1–100 (default 20).
    pub limit: Option<usize>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
}

/// One result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub summary: String,
    pub provider: String,
    pub department_id: i64,
    pub category: String,
    pub status: String,
    pub share_type: String,
    pub open_type: String,
    pub format: String,
    pub update_cycle: String,
    pub data_items: Vec<String>,
    pub score: f32,
    /// The name, HTML-escaped, with matches in `<mark>`.
    pub name_html: String,
    /// An excerpt of the summary around the first match, marked the same way.
    pub summary_html: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValueView {
    /// The value to pass back as a filter.
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetView {
    /// category, provider, share_type, open_type, format, update_cycle, status.
    pub dimension: String,
    pub label: String,
    pub values: Vec<FacetValueView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchView {
    pub items: Vec<SearchHitView>,
    /// Matching entries you may see.
    pub total: i64,
    pub next: Option<String>,
    pub facets: Vec<FacetView>,
}

impl From<service::search::SearchPage> for SearchView {
    fn from(p: service::search::SearchPage) -> SearchView {
        SearchView {
            items: p
                .items
                .into_iter()
                .map(|h| {
                    let e = h.entry;
                    SearchHitView {
                        id: e.id,
                        code: e.code,
                        name: e.name,
                        summary: e.summary,
                        provider: e.provider,
                        department_id: e.department_id,
                        category: e.category,
                        status: e.status,
                        share_type: e.share_type,
                        open_type: e.open_type,
                        format: e.format,
                        update_cycle: e.update_cycle,
                        data_items: e.data_items,
                        score: h.score,
                        name_html: h.name_html,
                        summary_html: h.summary_html,
                    }
                })
                .collect(),
            total: p.total as i64,
            next: p.next,
            facets: p
                .facets
                .into_iter()
                .map(|f| FacetView {
                    dimension: f.dimension.field_name().to_string(),
                    label: f.label.to_string(),
                    values: f
                        .values
                        .into_iter()
                        .map(|v| FacetValueView { value: v.value, label: v.label, count: v.count })
                        .collect(),
                })
                .collect(),
        }
    }
}
