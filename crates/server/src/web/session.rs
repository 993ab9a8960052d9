//! The signed-in console user, from the session cookie, and the anti-forgery check of every form
//! that changes something. Rules live in `service::signin`; this module only reads cookies and
//! headers.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HOST, ORIGIN};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use service::signin::SessionUser;

use super::page::WebError;
use crate::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "gs_session";

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// The `Set-Cookie` value for a new session (HttpOnly, SameSite=Lax, Secure behind HTTPS).
pub fn session_cookie(secret: &str, secure: bool, max_age_secs: i64) -> String {
    format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// Whether the request reached us over HTTPS (directly or through a proxy that says so).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The signed-in user of the console. Without a live session, the page redirects to the sign-in
/// page and comes back afterwards.
pub struct Console(pub SessionUser);

impl FromRequestParts<AppState> for Console {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Back to this page after sign-in; a form post (its session expired) goes back to the
        // console's home, since its address only answers posts.
        let next = match parts.method {
            axum::http::Method::GET => {
                parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/console".into())
            }
            _ => "/console".into(),
        };
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(WebError::SignInNeeded { next });
        };
        match service::signin::session_user(&state.svc, &secret).await {
            Ok(user) => {
                if let Some(seen) = parts.extensions.get::<crate::refusals::SeenActor>()
                    && let Ok(mut slot) = seen.0.lock()
                {
                    *slot = Some(user.actor.clone());
                }
                Ok(Console(user))
            }
            Err(service::ServiceError::Unauthenticated) => Err(WebError::SignInNeeded { next }),
            Err(e) => Err(e.into()),
        }
    }
}

impl Console {
    /// Refuses a form whose anti-forgery token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if service::signin::same_secret(token, &self.0.csrf) { Ok(()) } else { Err(WebError::Forged) }
    }
}

/// Refuses a request that a browser says came from another site (`Origin` differs from `Host`).
/// Browsers send `Origin` with every form POST; a request without it (a script, an old browser)
/// still needs the session's anti-forgery token.
pub fn check_origin(headers: &HeaderMap) -> Result<(), WebError> {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else { return Ok(()) };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    if origin == "null" || origin_host != host { Err(WebError::Forged) } else { Ok(()) }
}

/// A form posted by a signed-in user: the session, the anti-forgery check (`csrf` field and
/// `Origin`) and the fields, parsed into `T` (which should ignore the `csrf` field or declare it).
pub struct ConsoleForm<T> {
    pub user: Console,
    pub form: T,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ConsoleForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = Console::from_request_parts(&mut parts, state).await?;
        check_origin(&parts.headers)?;
        let bytes = axum::body::to_bytes(body, crate::MAX_JSON_BODY)
            .await
            .map_err(|_| WebError::BadForm("表单内容过大或无法读取".into()))?;
        let token = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
        user.check_csrf(token.as_deref().unwrap_or(""))?;
        let form: T = parse_form(&bytes)?;
        Ok(ConsoleForm { user, form })
    }
}

/// A form posted without a session (sign-in, the public portal's forms): `Origin` is checked.
pub struct PublicForm<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for PublicForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        check_origin(&parts.headers)?;
        let bytes = axum::body::to_bytes(body, crate::MAX_JSON_BODY)
            .await
            .map_err(|_| WebError::BadForm("表单内容过大或无法读取".into()))?;
        Ok(PublicForm(parse_form(&bytes)?))
    }
}

/// Parses an urlencoded form body (a repeated field, such as a group of checkboxes, fills a
/// `Vec`), naming the field that does not fit.
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    let de = serde_html_form::Deserializer::from_bytes(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        WebError::BadForm(format!("表单字段“{path}”有误：{}", e.into_inner()))
    })
}

/// The remote address of the connection, for audit records ("unknown" when the server runs
/// without connection info, as in tests).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientAddr(addr))
    }
}

/// A page's query string, parsed like a form: a value that does not fit gets a Chinese message
/// naming the parameter (axum's own `Query` answers in English plain text).
pub struct WebQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for WebQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_html_form::Deserializer::from_bytes(q.as_bytes());
        serde_path_to_error::deserialize(de).map(WebQuery).map_err(|e| {
            let path = e.path().to_string();
            WebError::BadForm(format!("网址参数“{path}”有误：{}", e.into_inner()))
        })
    }
}
