//! The portal's statistics (seed 002 三(三) "统计"): views, downloads and API calls per dataset and
//! per department, and the totals.

use askama::Template;
use axum::extract::State;

use super::datasets::dataset_href;
use crate::AppState;
use crate::web::page::{Chrome, WebResult, render};

struct Row {
    href: String,
    name: String,
    department: String,
    datasets: usize,
    views: i64,
    downloads: i64,
    api_calls: i64,
}

#[derive(Template)]
#[template(path = "portal/statistics.html")]
struct StatisticsPage {
    chrome: Chrome,
    listed: usize,
    opened: usize,
    views: i64,
    downloads: i64,
    api_calls: i64,
    departments: Vec<Row>,
    datasets: Vec<Row>,
}

pub async fn page(State(state): State<AppState>) -> WebResult {
    let s = service::open::statistics(&state.svc).await?;
    let chrome = Chrome::portal(&state, "开放统计", "/statistics").await;
    let departments = s
        .departments
        .iter()
        .map(|d| Row {
            href: String::new(),
            name: d.department.clone(),
            department: d.department.clone(),
            datasets: d.datasets,
            views: d.usage.views,
            downloads: d.usage.downloads,
            api_calls: d.usage.api_calls,
        })
        .collect();
    // Datasets nobody has used yet would only lengthen the table: the totals count them.
    let datasets = s
        .datasets
        .iter()
        .filter(|d| d.usage.views + d.usage.downloads + d.usage.api_calls > 0)
        .map(|d| Row {
            href: dataset_href(&d.code),
            name: d.name.clone(),
            department: d.department.clone(),
            datasets: 1,
            views: d.usage.views,
            downloads: d.usage.downloads,
            api_calls: d.usage.api_calls,
        })
        .collect();
    render(&StatisticsPage {
        chrome,
        listed: s.listed,
        opened: s.opened,
        views: s.totals.views,
        downloads: s.totals.downloads,
        api_calls: s.totals.api_calls,
        departments,
        datasets,
    })
}
