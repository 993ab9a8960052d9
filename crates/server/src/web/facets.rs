//! Facet links for search pages (the console's catalogue and the portal's datasets): each value
//! links to the same search with that value added (or removed, when it is selected), keeping
//! the other filters; one category at a time.

use service::search::FacetGroup;

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
