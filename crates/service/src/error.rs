//! The errors of the use cases. User-facing variants carry Chinese text; `Internal` carries the
//! cause for the log only.

use domain::account::Forbidden;
use domain::calendar::CalendarError;
use domain::catalog::lifecycle::LifecycleError;
use domain::error::{FieldError, ValidationErrors};
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No valid credentials.
    #[error("未登录或访问令牌无效，请在请求头中提供 Authorization: Bearer <令牌>")]
    Unauthenticated,
    /// A web sign-in with a wrong username or password (which of the two is not said).
    #[error("{0}")]
    SignInRefused(String),
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The object does not exist (or the actor may not know it exists).
    #[error("{0}不存在")]
    NotFound(String),
    /// The input breaks the domain's rules.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The lifecycle does not allow this step now.
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    /// A uniqueness rule or a state conflict.
    #[error("{0}")]
    Conflict(String),
    #[error("该记录已被他人修改（当前版本{current}），请刷新后重试")]
    Stale { current: i64 },
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// Too many requests; the message says how many are allowed.
    #[error("{0}")]
    RateLimited(String),
    /// The access check refused a read of shared data.
    #[error(transparent)]
    AccessDenied(data::access::Denied),
    /// Something failed that the user cannot fix.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => ServiceError::NotFound(what),
            StoreError::Conflict { message } => ServiceError::Conflict(message),
            StoreError::StaleVersion { current } => ServiceError::Stale { current },
            other => ServiceError::Internal(Box::new(other)),
        }
    }
}

impl From<data::DataError> for ServiceError {
    fn from(e: data::DataError) -> Self {
        match e {
            data::DataError::Denied(d) => ServiceError::AccessDenied(d),
            data::DataError::Invalid { field, message } => {
                ServiceError::Invalid(FieldError::new(field.as_deref().unwrap_or(""), "invalid_data", message).into())
            }
            other => ServiceError::Internal(Box::new(other)),
        }
    }
}

impl From<ValidationErrors> for ServiceError {
    fn from(e: ValidationErrors) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid(e.into())
    }
}

impl ServiceError {
    /// One invalid field.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(FieldError::new(field, code, message).into())
    }
}
