//! Catalogue search (`GET /api/v1/search`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::Uri;
use service::search::{self, SearchParams};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Auth;
use crate::views::search::{SearchQueryDoc, SearchView};

/// The query string, read by hand so that a filter may repeat (`provider=3&provider=7`).
fn params(uri: &Uri) -> Result<SearchParams, ApiError> {
    let mut p = SearchParams::default();
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "q" => p.q = v.into_owned(),
            "cursor" => p.cursor = Some(v.into_owned()),
            "limit" => {
                let n = v.trim().parse::<usize>().map_err(|_| {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", format!("每页条数“{v}”不是整数"))
                        .with_field("limit")
                })?;
                p.limit = Some(n);
            }
            _ if v.trim().is_empty() => {}
            _ => p.filters.push((k.into_owned(), v.into_owned())),
        }
    }
    Ok(p)
}

/// Full-text search of the catalogue, with facet counts. Words, partial words, codes, mixed
/// Chinese/ASCII, full-width and traditional characters all match; only entries you may see
/// count anywhere.
#[utoipa::path(get, operation_id = "search_catalog", path = "/api/v1/search", tag = "catalogue", params(SearchQueryDoc),
    responses((status = 200, description = "OK", body = SearchView), (status = 422, description = "Invalid request", body = ErrorBody)))]
pub async fn search(State(s): State<AppState>, Auth(a): Auth, uri: Uri) -> ApiResult<Json<SearchView>> {
    let page = search::search(&s.svc, &a, params(&uri)?).await?;
    Ok(Json(SearchView::from(page)))
}
