//! The audit trail, for auditors: query by user, department, resource, grant, action and time,
//! and export (CSV or NDJSON, streamed page by page).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use store::model::PageRequest;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Auth};
use crate::views::{AuditEventView, AuditQuery, List, PageParams};

#[utoipa::path(get, operation_id = "audit_list", path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "OK", body = List<AuditEventView>), (status = 403, description = "Forbidden", body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<List<AuditEventView>>> {
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() }.request()?;
    let events = service::audit::list(&s.svc, &a, &q.filter(), page).await?;
    Ok(Json(List::from_page(events, AuditEventView::from)))
}

/// Exports the events matching the filters, oldest first: `format=csv` (UTF-8 with BOM, for
/// spreadsheets) or `format=ndjson`. The export itself is audited.
#[utoipa::path(get, operation_id = "audit_export", path = "/api/v1/audit/export", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "The events, streamed"), (status = 400, description = "Invalid format", body = ErrorBody), (status = 403, description = "Forbidden", body = ErrorBody)))]
pub async fn export(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Response> {
    let ndjson = match q.format.as_deref().unwrap_or("csv") {
        "csv" => false,
        "ndjson" => true,
        other => {
            return Err(ApiError::bad_request("invalid_format", format!("导出格式“{other}”无效，可选：csv、ndjson"))
                .with_field("format"));
        }
    };
    let filter = q.filter();
    // The first page checks the permission before anything is sent.
    let first = service::audit::list(&s.svc, &a, &filter, PageRequest { after: None, limit: 500 }).await?;
    service::audit::record(
        &s.svc,
        Some(&a),
        "audit.export",
        "audit",
        None,
        serde_json::json!({"format": if ndjson { "ndjson" } else { "csv" }, "total": first.total}),
    )
    .await?;
    let header_line = if ndjson {
        String::new()
    } else {
        "\u{feff}id,at,user_id,username,department_id,action,object_type,object_id,detail\n".to_string()
    };
    let state = (Some(first), s.svc.clone(), a, filter);
    let pages = futures::stream::unfold(state, move |(page, svc, actor, filter)| async move {
        let page = match page {
            Some(p) => p,
            None => return None,
        };
        let mut out = String::new();
        for e in &page.items {
            out.push_str(&if ndjson { ndjson_line(e) } else { csv_line(e) });
        }
        let next = match page.next {
            Some(after) => {
                match service::audit::list(&svc, &actor, &filter, PageRequest { after: Some(after), limit: 500 }).await
                {
                    Ok(p) => Some(p),
                    Err(e) => {
                        tracing::error!(error = %e, "audit export stopped");
                        None
                    }
                }
            }
            None => None,
        };
        Some((Ok::<_, std::io::Error>(out), (next, svc, actor, filter)))
    });
    let body = futures::StreamExt::chain(futures::stream::iter([Ok(header_line)]), pages);
    let (ctype, ext) = if ndjson { ("application/x-ndjson", "ndjson") } else { ("text/csv; charset=utf-8", "csv") };
    Response::builder()
        .header(header::CONTENT_TYPE, ctype)
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"audit.{ext}\""))
        .body(Body::from_stream(body))
        .map_err(|e| ApiError::from(service::ServiceError::Internal(Box::new(e))))
}

fn ndjson_line(e: &store::model::AuditEvent) -> String {
    let v = AuditEventView::from(e.clone());
    format!("{}\n", serde_json::to_string(&v).unwrap_or_default())
}

fn csv_line(e: &store::model::AuditEvent) -> String {
    // Every text cell quoted, and guarded like the catalogue's CSV so spreadsheets do not run it.
    let q = |s: &str| format!("\"{}\"", interchange::csv_format::guard_formula(s.to_string()).replace('"', "\"\""));
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    format!(
        "{},{},{},{},{},{},{},{},{}\n",
        e.id,
        store::time::fmt(e.at),
        opt(e.user_id),
        q(e.username.as_deref().unwrap_or("")),
        opt(e.department_id),
        q(&e.action),
        q(&e.object_type),
        q(e.object_id.as_deref().unwrap_or("")),
        q(&e.detail.to_string()),
    )
}
