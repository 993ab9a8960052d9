//! The one error shape of the API: `{"error": {"code", "message", "field", "details"}}` with the
//! fitting status. Codes are stable English identifiers that clients match on; messages are Chinese
//! and say what to fix. Internal causes go to the log, never to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use service::ServiceError;
use utoipa::ToSchema;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub details: Vec<ErrorDetail>,
}

/// One problem with one field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorContent,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorContent {
    /// Stable machine code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// Path of the (first) offending field, if any.
    pub field: Option<String>,
    /// Every problem, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), field: None, details: Vec::new() }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let msg = e.to_string();
        match e {
            ServiceError::Unauthenticated => ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", msg),
            ServiceError::SignInRefused(_) => ApiError::new(StatusCode::UNAUTHORIZED, "sign_in_refused", msg),
            ServiceError::Forbidden(_) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", msg),
            ServiceError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", msg),
            ServiceError::Invalid(errs) => {
                let details: Vec<ErrorDetail> = errs
                    .0
                    .iter()
                    .map(|f| ErrorDetail { field: f.field.clone(), code: f.code.clone(), message: f.message.clone() })
                    .collect();
                let first = errs.first();
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "validation_failed",
                    message: match (first, details.len()) {
                        (Some(f), 1) => f.message.clone(),
                        (Some(f), n) => format!("{}（共{n}处问题，见 details）", f.message),
                        (None, _) => "输入有误".into(),
                    },
                    field: first.map(|f| f.field.clone()),
                    details,
                }
            }
            ServiceError::Lifecycle(_) => ApiError::new(StatusCode::CONFLICT, "invalid_state", msg),
            ServiceError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", msg),
            ServiceError::Stale { .. } => ApiError::new(StatusCode::CONFLICT, "stale_version", msg),
            ServiceError::Calendar(_) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "calendar_out_of_range", msg),
            ServiceError::AccessDenied(_) => ApiError::new(StatusCode::FORBIDDEN, "access_denied", msg),
            ServiceError::RateLimited(_) => ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", msg),
            ServiceError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误，请稍后重试或联系平台管理员",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorContent {
                code: self.code.to_string(),
                message: self.message,
                field: self.field,
                details: self.details,
            },
        };
        let refusal = crate::refusals::Refusal { code: self.code, audited: self.code == "access_denied" };
        let mut res = (self.status, Json(body)).into_response();
        res.extensions_mut().insert(refusal);
        res
    }
}

/// The result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
