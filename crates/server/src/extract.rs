//! Extractors: the signed-in user from the bearer token, and JSON bodies and query strings whose
//! every mistake becomes a clear Chinese error naming the field (never a panic, never a partial
//! write).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use domain::account::Actor;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;

/// The user behind the `Authorization: Bearer …` header.
pub struct Auth(pub Actor);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let secret = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).unwrap_or("");
        if secret.is_empty() {
            return Err(service::ServiceError::Unauthenticated.into());
        }
        let actor = service::auth::authenticate(&state.svc, secret).await?;
        if let Some(seen) = parts.extensions.get::<crate::refusals::SeenActor>()
            && let Ok(mut slot) = seen.0.lock()
        {
            *slot = Some(actor.clone());
        }
        Ok(Auth(actor))
    }
}

/// A JSON body. Syntax errors, wrong types, unknown fields and missing fields each get a 400 with
/// the path of the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.trim_start().to_ascii_lowercase().starts_with("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体须为JSON，并设置请求头 Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("请求体过大，JSON请求体不能超过{}MB", crate::MAX_JSON_BODY / 1024 / 1024),
                )
            } else {
                ApiError::bad_request("unreadable_body", "无法读取请求体")
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON bytes, naming the path of the first problem.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            use serde_json::error::Category;
            let (code, message) = match inner.classify() {
                Category::Syntax | Category::Eof => (
                    "malformed_json",
                    format!("JSON格式错误（第{}行第{}列）：请检查括号、引号和逗号", inner.line(), inner.column()),
                ),
                Category::Data => ("invalid_body", describe_data_error(&inner.to_string())),
                Category::Io => ("unreadable_body", "无法读取请求体".to_string()),
            };
            let field = if path == "." || path.is_empty() { None } else { Some(path) };
            let message = match &field {
                Some(f) => format!("字段“{f}”：{message}"),
                None => message,
            };
            let mut e = ApiError::bad_request(code, message);
            e.field = field;
            Err(e)
        }
    }
}

/// Turns serde's English data errors into Chinese. The original is kept after the explanation
/// for the developer reading it.
fn describe_data_error(raw: &str) -> String {
    let raw = raw.split(" at line ").next().unwrap_or(raw);
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let name = rest.split(',').next().unwrap_or(rest);
        return format!("不认识的字段 {name}，请删除或检查拼写");
    }
    if let Some(rest) = raw.strip_prefix("missing field ") {
        return format!("缺少必填字段 {rest}");
    }
    if raw.starts_with("invalid type") {
        return format!("类型不对（{raw}）");
    }
    if raw.starts_with("invalid value") || raw.starts_with("invalid length") {
        return format!("取值不对（{raw}）");
    }
    // Domain parse errors (enums, codes) are already Chinese.
    raw.to_string()
}

/// A query string, with the same treatment of errors.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(q));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|err| {
            let path = err.path().to_string();
            let msg = describe_data_error(&err.into_inner().to_string());
            let mut e = ApiError::bad_request("invalid_query", format!("查询参数“{path}”有误：{msg}"));
            e.field = Some(path);
            e
        })
    }
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}

/// A multipart upload; anything else is a 415 in the error envelope.
pub struct Upload(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state).await.map(Upload).map_err(|_| {
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请以 multipart/form-data 上传文件（文件放在 file 字段）",
            )
        })
    }
}
