//! A search as the API asks it, checked: the text, the filters, who is asking, and the page.

use crate::error::SearchError;
use crate::facets::Dimension;

/// Who is searching, which decides what they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Coordinators, administrators and auditors see every entry.
    Everything,
    /// Everyone else sees what every department may see, plus their own department's entries.
    Department(i64),
    /// The public portal (no account): only entries listed as open data.
    Public,
}

/// Longest query text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words in one query.
pub const MAX_TERMS: usize = 16;
/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Deepest result reachable by paging (relevance order is not a stable key, so pages are offsets).
pub const MAX_OFFSET: usize = 10_000;

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub q: String,
    /// A category code (类, 类+项, 类+项+目 or deeper): entries in that branch of the tree.
    pub category: Option<String>,
    /// Values per dimension: any of the values of one dimension, all the dimensions given.
    pub filters: Vec<(Dimension, Vec<u64>)>,
    pub viewer: Viewer,
    pub offset: usize,
    pub limit: usize,
}

impl SearchRequest {
    pub fn new(q: &str, viewer: Viewer) -> SearchRequest {
        SearchRequest { q: q.to_string(), category: None, filters: Vec::new(), viewer, offset: 0, limit: 20 }
    }

    /// Adds a filter given as the API gives it: `name` a dimension, `value` a code, label or id.
    pub fn filter(&mut self, name: &str, value: &str) -> Result<(), SearchError> {
        let Some(dim) = Dimension::parse(name) else {
            return Err(SearchError::UnknownFilter(name.to_string()));
        };
        if dim == Dimension::Category {
            let code = value.trim();
            let ok = matches!(code.len(), 1 | 3) || code.len() >= 6;
            if code.is_empty() || !ok || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(SearchError::BadFilterValue { dimension: dim, value: value.to_string() });
            }
            if self.category.as_deref().is_some_and(|c| c != code) {
                return Err(SearchError::OneCategory);
            }
            self.category = Some(code.to_string());
            return Ok(());
        }
        let v = dim
            .parse_value(value)
            .ok_or_else(|| SearchError::BadFilterValue { dimension: dim, value: value.to_string() })?;
        match self.filters.iter_mut().find(|(d, _)| *d == dim) {
            Some((_, vs)) => vs.push(v),
            None => self.filters.push((dim, vec![v])),
        }
        Ok(())
    }

    /// Checks the sizes.
    pub fn check(&self) -> Result<(), SearchError> {
        if self.q.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::QueryTooLong);
        }
        if self.q.split_whitespace().count() > MAX_TERMS {
            return Err(SearchError::TooManyTerms);
        }
        if self.limit == 0 || self.limit > MAX_LIMIT {
            return Err(SearchError::BadLimit);
        }
        if self.offset > MAX_OFFSET {
            return Err(SearchError::TooDeep);
        }
        Ok(())
    }

    pub fn has_filter(&self, dim: Dimension) -> bool {
        self.filters.iter().any(|(d, _)| *d == dim)
    }
}
