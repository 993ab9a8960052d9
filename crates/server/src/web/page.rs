//! What every page shares: the frame around it (platform name, signed-in user, the menu of their
//! roles, the anti-forgery token), errors shown as pages, and the messages of a form that the
//! domain refused, field by field.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::account::{Action, Actor};
use service::ServiceError;
use service::signin::SessionUser;

use crate::AppState;
use crate::error::ApiError;

/// Which face of the site a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// 政务部门工作台, behind sign-in.
    Console,
    /// 开放数据门户, for everyone.
    Portal,
}

/// One entry of a menu.
#[derive(Debug, Clone)]
pub struct MenuItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// The frame of a page.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub platform: String,
    pub area: Area,
    /// The signed-in user's name and department (console only).
    pub user: Option<String>,
    pub roles: Vec<&'static str>,
    pub menu: Vec<MenuItem>,
    /// The session's anti-forgery token, for the forms of the page.
    pub csrf: String,
    /// A message shown once at the top (after a successful action).
    pub flash: Option<String>,
}

impl Chrome {
    /// The frame of a console page, with the menu of the user's roles; `active` is the href of the
    /// menu entry to mark.
    pub async fn console(state: &AppState, user: &SessionUser, title: impl Into<String>, active: &str) -> Chrome {
        let platform = platform_name(state).await;
        let department = service::accounts::get_department(&state.svc, user.actor.department_id)
            .await
            .map(|d| d.spec.name)
            .unwrap_or_default();
        Chrome {
            title: title.into(),
            platform,
            area: Area::Console,
            user: Some(format!("{}（{}）", user.display_name, department)),
            roles: user.actor.roles.iter().map(|r| r.label()).collect(),
            menu: console_menu(&user.actor, active),
            csrf: user.csrf.clone(),
            flash: None,
        }
    }

    /// The frame of a public portal page; `active` is the href of the menu entry to mark.
    pub async fn portal(state: &AppState, title: impl Into<String>, active: &str) -> Chrome {
        Chrome {
            title: title.into(),
            platform: platform_name(state).await,
            area: Area::Portal,
            user: None,
            roles: Vec::new(),
            menu: portal_menu(active),
            csrf: String::new(),
            flash: None,
        }
    }

    pub fn with_flash(mut self, flash: Option<String>) -> Chrome {
        self.flash = flash;
        self
    }

    pub fn is_console(&self) -> bool {
        self.area == Area::Console
    }
}

async fn platform_name(state: &AppState) -> String {
    service::accounts::list_platforms(&state.svc)
        .await
        .ok()
        .and_then(|p| p.into_iter().next())
        .map(|p| p.spec.name)
        .unwrap_or_else(|| "政务信息资源共享平台".into())
}

/// The console menu: an entry for each thing the user's roles allow.
pub fn console_menu(actor: &Actor, active: &str) -> Vec<MenuItem> {
    let can = |a: Action| actor.authorize(a, None).is_ok();
    let mut items = vec![("/console", "工作台"), ("/console/catalog", "资源目录")];
    if can(Action::EditCatalog) {
        items.push(("/console/catalog/new", "登记资源"));
    }
    if can(Action::PublishData) {
        items.push(("/console/data", "数据发布"));
    }
    if can(Action::ApplyForData) {
        items.push(("/console/applications", "共享申请"));
        items.push(("/console/grants", "我的授权"));
    } else if can(Action::ManageGrants) {
        // The provider's approver suspends, resumes and revokes the grants it issued.
        items.push(("/console/grants", "授权管理"));
    }
    if can(Action::AnswerApplication) {
        items.push(("/console/inbox", "审核待办"));
        items.push(("/console/open-requests", "开放申请"));
    }
    if can(Action::ReviewCatalog) {
        items.push(("/console/open-reviews", "开放审查"));
    }
    if can(Action::Coordinate) {
        items.push(("/console/disputes", "争议协调"));
        items.push(("/console/apps", "应用审核"));
        items.push(("/console/dashboard", "监管看板"));
    }
    if can(Action::ReadAudit) {
        items.push(("/console/audit", "审计日志"));
    }
    items.into_iter().map(|(href, label)| MenuItem { href, label, active: href == active }).collect()
}

/// The public portal's menu.
pub fn portal_menu(active: &str) -> Vec<MenuItem> {
    [
        ("/", "首页"),
        ("/datasets", "数据目录"),
        ("/apps", "应用汇聚"),
        ("/developers", "开发者"),
        ("/statistics", "统计"),
    ]
    .into_iter()
    .map(|(href, label)| MenuItem { href, label, active: href == active })
    .collect()
}

/// The messages of a refused form, by field path (as the domain names them) and in general.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub fields: BTreeMap<String, Vec<String>>,
    pub general: Vec<String>,
}

impl FormErrors {
    /// The messages for a form from a service error: validation messages go next to their fields
    /// (and the general list names them all), anything else is a general message. Internal errors
    /// are not form errors: they come back as `Err`.
    pub fn from_service(e: ServiceError) -> Result<FormErrors, WebError> {
        let mut out = FormErrors::default();
        match e {
            ServiceError::Invalid(errs) => {
                for f in errs.0 {
                    out.general.push(f.message.clone());
                    out.fields.entry(f.field).or_default().push(f.message);
                }
            }
            ServiceError::Internal(_) => return Err(e.into()),
            other => out.general.push(other.to_string()),
        }
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.general.is_empty()
    }

    /// The messages of one field, joined, or empty.
    pub fn get(&self, field: &str) -> String {
        self.fields.get(field).map(|m| m.join("；")).unwrap_or_default()
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }
}

/// A page that could not be shown.
#[derive(Debug)]
pub enum WebError {
    /// No live session: go to the sign-in page, then come back to `next`.
    SignInNeeded { next: String },
    /// The form did not carry this session's anti-forgery token, or came from another site.
    Forged,
    /// The form could not be read.
    BadForm(String),
    /// Anything the service refused, shown with the API's status and message.
    Api(ApiError),
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        WebError::Api(e.into())
    }
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        WebError::Api(e)
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Api(ServiceError::Internal(Box::new(e)).into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    heading: &'static str,
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            WebError::SignInNeeded { next } => {
                let target = format!(
                    "/console/login?next={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return Redirect::to(&target).into_response();
            }
            WebError::Forged => (
                StatusCode::FORBIDDEN,
                "请求已被拒绝",
                "页面已过期或请求来源不明，请返回上一页刷新后重新提交".to_string(),
            ),
            WebError::BadForm(m) => (StatusCode::BAD_REQUEST, "表单有误", m),
            WebError::Api(e) => {
                let heading = match e.status {
                    StatusCode::NOT_FOUND => "未找到",
                    StatusCode::FORBIDDEN => "没有权限",
                    StatusCode::UNAUTHORIZED => "需要登录",
                    StatusCode::CONFLICT => "操作未完成",
                    StatusCode::TOO_MANY_REQUESTS => "请求过于频繁",
                    s if s.is_server_error() => "服务器出错",
                    _ => "操作未完成",
                };
                (e.status, heading, e.message)
            }
        };
        let page = ErrorPage { status: status.as_u16(), heading, message };
        let body = page.render().unwrap_or_else(|_| "服务器出错".into());
        (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
    }
}

/// Renders a page as HTML (never cached: pages may show what only this user may see).
pub fn render(t: &impl Template) -> Result<Response, WebError> {
    let body = t.render()?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(body)).into_response())
}

/// The results of a web handler.
pub type WebResult = Result<Response, WebError>;
