//! What the two search pages (the console's catalogue and the portal's datasets) share: reading
//! the search from the address, building search addresses, and facet links — each value links to
//! the same search with that value added (or removed, when it is selected), keeping the other
//! filters; one category at a time.

use service::search::FacetGroup;

/// A search as its address carries it: `q`, repeatable filters (only the page's dimensions,
/// without empty values or repeats) and the paging cursor.
pub struct SearchQuery {
    pub q: String,
    pub filters: Vec<(String, String)>,
    pub cursor: Option<String>,
}

impl SearchQuery {
    pub fn parse(query: Option<&str>, dimensions: &[&str]) -> SearchQuery {
        let mut out = SearchQuery { q: String::new(), filters: Vec::new(), cursor: None };
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let v = v.trim().to_string();
            match k.as_ref() {
                "q" => out.q = v,
                "cursor" if !v.is_empty() => out.cursor = Some(v),
                k if dimensions.contains(&k)
                    && !v.is_empty()
                    && !out.filters.iter().any(|(a, b)| a == k && *b == v) =>
                {
                    out.filters.push((k.to_string(), v));
                }
                _ => {}
            }
        }
        out
    }

    /// The result offset the cursor stands for (0 for the first page).
    pub fn offset(&self) -> usize {
        self.cursor.as_deref().and_then(|c| c.parse::<usize>().ok()).unwrap_or(0)
    }
}

/// The address of the search page at `base` for `q` and `filters`, at result `cursor`.
pub fn search_href(base: &str, q: &str, filters: &[(String, String)], cursor: Option<usize>) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        ser.append_pair("q", q);
    }
    for (k, v) in filters {
        ser.append_pair(k, v);
    }
    if let Some(c) = cursor.filter(|c| *c > 0) {
        ser.append_pair("cursor", &c.to_string());
    }
    let qs = ser.finish();
    if qs.is_empty() { base.to_string() } else { format!("{base}?{qs}") }
}

/// One value of a facet, as a link.
pub struct FacetLink {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub selected: bool,
}

/// One dimension's values.
pub struct FacetBox {
    pub label: &'static str,
    pub values: Vec<FacetLink>,
}

/// A filter in use, with the link that removes it.
pub struct ActiveFilter {
    pub label: String,
    pub remove_href: String,
}

/// The facet boxes of a result page (dimensions with no value left out) and the filters in use,
/// also those whose value matched nothing (still removable). `href` builds the search address
/// for a set of filters; `label` names a dimension (by its filter name) on this page.
pub fn facet_boxes<'a>(
    groups: impl IntoIterator<Item = &'a FacetGroup>,
    filters: &[(String, String)],
    href: impl Fn(&[(String, String)]) -> String,
    label: impl Fn(&str) -> &'static str,
) -> (Vec<FacetBox>, Vec<ActiveFilter>) {
    let mut active = Vec::new();
    let boxes = groups
        .into_iter()
        .map(|g| {
            let name = g.dimension.field_name();
            let values = g
                .values
                .iter()
                .map(|v| {
                    let selected = filters.iter().any(|(k, x)| k == name && *x == v.value);
                    let mut next: Vec<(String, String)> = if selected {
                        filters.iter().filter(|(k, x)| !(k == name && *x == v.value)).cloned().collect()
                    } else if name == "category" {
                        // One category at a time: a second one replaces the first.
                        filters.iter().filter(|(k, _)| k != "category").cloned().collect()
                    } else {
                        filters.to_vec()
                    };
                    if !selected {
                        next.push((name.to_string(), v.value.clone()));
                    }
                    let link = href(&next);
                    if selected {
                        active.push(ActiveFilter {
                            label: format!("{}：{}", g.label, v.label),
                            remove_href: link.clone(),
                        });
                    }
                    FacetLink { label: v.label.clone(), count: v.count, href: link, selected }
                })
                .collect();
            FacetBox { label: label(name), values }
        })
        .filter(|f: &FacetBox| !f.values.is_empty())
        .collect();
    for (k, v) in filters {
        let rest: Vec<(String, String)> = filters.iter().filter(|(a, b)| !(a == k && b == v)).cloned().collect();
        let remove_href = href(&rest);
        if !active.iter().any(|a| a.remove_href == remove_href) {
            active.push(ActiveFilter { label: format!("{}：{}", label(k), v), remove_href });
        }
    }
    (boxes, active)
}
