//! Every refused request is audited (全过程管理): a 401 or 403 leaves an `http.refused` event with
//! the method, path, status and error code, and the user when the token was valid. Refusals that
//! a use case already audited in detail (a read of shared data refused by the access check,
//! `data.read_denied`) are not recorded twice.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use domain::account::Actor;

use crate::AppState;

/// Filled by the `Auth` extractor, read after the response.
#[derive(Clone, Default)]
pub(crate) struct SeenActor(pub Arc<Mutex<Option<Actor>>>);

/// Marks a response whose refusal the use case already audited, and carries the error code.
#[derive(Clone)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub audited: bool,
}

pub(crate) async fn audit_refusals(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let seen = SeenActor::default();
    req.extensions_mut().insert(seen.clone());
    let (method, path) = (req.method().to_string(), req.uri().path().to_string());
    let res = next.run(req).await;
    let status = res.status();
    if status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN {
        return res;
    }
    let refusal = res.extensions().get::<Refusal>().cloned();
    if refusal.as_ref().is_some_and(|r| r.audited) {
        return res;
    }
    let actor = seen.0.lock().ok().and_then(|g| g.clone());
    let detail = serde_json::json!({
        "method": method, "path": path, "status": status.as_u16(), "code": refusal.map(|r| r.code),
    });
    if let Err(e) = service::audit::record(&s.svc, actor.as_ref(), "http.refused", "request", None, detail).await {
        tracing::error!(error = %e, "could not audit a refused request");
    }
    res
}
