//! The coordinator's supervision dashboard (国发〔2016〕51号 第十八条 监督检查、第二十四条 通报):
//! per department, applications awaiting a reply and those past the 10-working-day deadline
//! (第十二条), catalogue entries not yet updated after a change of duties (第八条), and published
//! resources whose data is older than its update cycle. Charts are inline SVG drawn on the
//! server (`web::charts`), with the same numbers in a table below.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use service::supervision::{self, DepartmentFigures};

use crate::AppState;
use crate::web::charts::{Bar, BarChart, Part};
use crate::web::page::{Chrome, WebResult, render};
use crate::web::session::Console;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/dashboard", get(dashboard))
}

#[derive(Template)]
#[template(path = "console/dashboard/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    /// The calendar ends within a month: deadlines are turning provisional.
    calendar_warning: Option<String>,
    pending: i64,
    overdue: i64,
    currency: i64,
    stale: i64,
    applications_svg: String,
    catalogue_svg: String,
    rows: Vec<DepartmentFigures>,
}

/// Departments with something to show, most urgent first, at most `n`.
fn chart_rows(
    rows: &[DepartmentFigures],
    n: usize,
    value: impl Fn(&DepartmentFigures) -> i64,
) -> Vec<&DepartmentFigures> {
    let mut out: Vec<&DepartmentFigures> = rows.iter().filter(|f| value(f) > 0).collect();
    out.sort_by(|a, b| value(b).cmp(&value(a)).then(a.department_id.cmp(&b.department_id)));
    out.truncate(n);
    out
}

async fn dashboard(State(state): State<AppState>, Console(user): Console) -> WebResult {
    let rows = supervision::department_figures(&state.svc, &user.actor).await?;
    let applications = BarChart {
        title: "各部门待答复的共享申请",
        series: &["期限内", "已超期"],
        bars: chart_rows(&rows, 12, |f| f.pending)
            .into_iter()
            .map(|f| Bar {
                label: f.name.clone(),
                parts: vec![Part { series: 0, value: f.pending - f.overdue }, Part { series: 1, value: f.overdue }],
            })
            .collect(),
    };
    let catalogue = BarChart {
        title: "各部门目录更新与数据更新情况",
        series: &["目录待更新", "目录更新逾期", "数据更新超期"],
        bars: chart_rows(&rows, 12, |f| f.currency_pending + f.currency_overdue + f.stale_data)
            .into_iter()
            .map(|f| Bar {
                label: f.name.clone(),
                parts: vec![
                    Part { series: 0, value: f.currency_pending },
                    Part { series: 1, value: f.currency_overdue },
                    Part { series: 2, value: f.stale_data },
                ],
            })
            .collect(),
    };
    let chrome = Chrome::console(&state, &user, "监管看板", "/console/dashboard").await;
    render(&DashboardPage {
        chrome,
        calendar_warning: service::deadlines::calendar_warning(&state.svc),
        pending: rows.iter().map(|f| f.pending).sum(),
        overdue: rows.iter().map(|f| f.overdue).sum(),
        currency: rows.iter().map(|f| f.currency_overdue).sum(),
        stale: rows.iter().map(|f| f.stale_data).sum(),
        applications_svg: applications.svg(),
        catalogue_svg: catalogue.svg(),
        rows,
    })
}
