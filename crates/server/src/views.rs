//! The JSON contract: what clients send and receive. Kept apart from the domain types on purpose:
//! other government systems depend on these shapes, so a rename inside the domain must not
//! silently change them. Every conversion destructures exhaustively, so a new field forces a
//! decision here.

use chrono::{DateTime, NaiveDate, Utc};
use domain::catalog::{
    CategoryCode, DataItem, DataType, Format, FormatClass, IdentifierKind, OpenType, ResourceCode, ResourceSpec,
    ShareMethod, ShareType, UpdateCycle,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

mod elements;
pub mod search;
mod sharing;
mod systems;
pub use elements::*;
pub use sharing::*;
pub use systems::*;

/// A list page: `next` is the cursor to pass as `cursor` for the following page.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub next: Option<String>,
}

impl<T: ToSchema> List<T> {
    pub fn from_page<S>(page: store::model::Page<S>, f: impl Fn(S) -> T) -> List<T> {
        List {
            items: page.items.into_iter().map(f).collect(),
            total: page.total,
            next: page.next.map(|n| n.to_string()),
        }
    }
}

impl<T: ToSchema> List<T> {
    /// Pages a short list held in memory (platforms, categories, tokens, currency windows): the
    /// cursor is the position after the last item returned.
    pub fn paginate(all: Vec<T>, params: &PageParams) -> Result<List<T>, crate::ApiError> {
        let req = params.request()?;
        let start = usize::try_from(req.after.unwrap_or(0).max(0)).unwrap_or(usize::MAX);
        let total = all.len() as i64;
        let end = start.saturating_add(req.limit as usize).min(all.len());
        let next = (end < all.len()).then(|| end.to_string());
        let items = all.into_iter().skip(start).take(end.saturating_sub(start)).collect();
        Ok(List { items, total, next })
    }
}

/// Pagination parameters of every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Items per page, 1–500 (default 50).
    pub limit: Option<i64>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn request(&self) -> Result<store::model::PageRequest, crate::ApiError> {
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(c.parse::<i64>().map_err(|_| {
                crate::ApiError::bad_request("invalid_cursor", "分页游标 cursor 无效，请使用上一页返回的 next 值")
                    .with_field("cursor")
            })?),
        };
        let limit = self.limit.unwrap_or(50);
        if !(1..=500).contains(&limit) {
            return Err(
                crate::ApiError::bad_request("invalid_limit", "每页条数 limit 应在1到500之间").with_field("limit")
            );
        }
        Ok(store::model::PageRequest { after, limit })
    }
}

// ---- Platforms and departments ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformInput {
    pub name: String,
    /// `national`, `provincial`, `city` or `county` (or 国家级/省级/市级/县级).
    #[schema(value_type = String, example = "city")]
    pub level: domain::org::PlatformLevel,
    /// GB/T 2260 region code; `100000` for the national platform.
    pub region_code: String,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformView {
    pub id: i64,
    pub name: String,
    #[schema(value_type = String)]
    pub level: domain::org::PlatformLevel,
    pub region_code: String,
    pub parent_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<store::model::Platform> for PlatformView {
    fn from(p: store::model::Platform) -> Self {
        let domain::org::PlatformSpec { name, level, region_code, parent_id } = p.spec;
        PlatformView { id: p.id, name, level, region_code, parent_id, created_at: p.created_at }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    /// Official full name.
    pub name: String,
    /// 统一社会信用代码 (GB 32100).
    pub credit_code: Option<String>,
    /// Local organisation code, beside or instead of the credit code.
    pub local_code: Option<String>,
    pub parent_id: Option<i64>,
    pub platform_id: i64,
}

impl From<DepartmentInput> for domain::org::DepartmentSpec {
    fn from(d: DepartmentInput) -> Self {
        let DepartmentInput { name, credit_code, local_code, parent_id, platform_id } = d;
        domain::org::DepartmentSpec { name, credit_code, local_code, parent_id, platform_id }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub local_code: Option<String>,
    pub parent_id: Option<i64>,
    pub platform_id: i64,
    pub created_at: DateTime<Utc>,
}

impl From<store::model::Department> for DepartmentView {
    fn from(d: store::model::Department) -> Self {
        let domain::org::DepartmentSpec { name, credit_code, local_code, parent_id, platform_id } = d.spec;
        DepartmentView { id: d.id, name, credit_code, local_code, parent_id, platform_id, created_at: d.created_at }
    }
}

// ---- Users and tokens ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    /// Any of `catalog_editor`, `data_provider`, `data_consumer`, `approver`, `coordinator`,
    /// `auditor`, `admin`. An auditor holds no other role.
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<domain::account::Role>,
    /// For the web console; at least 10 characters of three kinds.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<domain::account::Role>,
    pub active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<domain::account::Role>,
    pub active: bool,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
    /// The information system this account calls for (`/api/v1/systems/{id}`); null for a person.
    pub system_id: Option<i64>,
}

impl From<store::model::User> for UserView {
    fn from(u: store::model::User) -> Self {
        let store::model::User {
            id,
            username,
            display_name,
            department_id,
            roles,
            password_hash,
            active,
            created_at,
            system_id,
        } = u;
        UserView {
            id,
            username,
            display_name,
            department_id,
            roles,
            active,
            has_password: password_hash.is_some(),
            created_at,
            system_id,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for, to recognise it later.
    pub name: String,
    /// Days until it expires (1–3660); never, if omitted.
    pub valid_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<store::model::Token> for TokenView {
    fn from(t: store::model::Token) -> Self {
        let store::model::Token { id, user_id: _, name, prefix, created_at, expires_at, last_used_at, revoked_at } = t;
        TokenView { id, name, prefix, created_at, expires_at, last_used_at, revoked_at }
    }
}

/// A new token. `secret` is shown this once: it is stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedTokenView {
    pub token: TokenView,
    pub secret: String,
}

// ---- Categories ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    /// 类(1)+项(2)+目(3)+细目, e.g. `213` for a new theme or `213001`.
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    /// `base`, `theme` or `department`.
    pub kind: String,
    /// 1 类, 2 项, 3 目, 4 细目.
    pub level: u8,
}

impl From<domain::catalog::CategoryNode> for CategoryView {
    fn from(n: domain::catalog::CategoryNode) -> Self {
        let domain::catalog::CategoryNode { code, name, parent } = n;
        CategoryView {
            kind: code.kind().code().to_string(),
            level: code.level(),
            code: code.to_string(),
            name,
            parent: parent.map(|p| p.to_string()),
        }
    }
}

// ---- The catalogue ----

/// 信息资源格式.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormatBody {
    /// 格式分类: `electronic_file`, `spreadsheet`, `database`, `image`, `streaming`,
    /// `self_describing`, `interface`, `other` (Chinese labels accepted).
    #[schema(value_type = String, example = "database")]
    pub class: FormatClass,
    /// 格式类型, e.g. `oracle`, `xlsx`, `pdf`, or `其他`.
    pub subtype: Option<String>,
    /// Required when class or subtype is 其他.
    pub other_desc: Option<String>,
}

/// 信息项.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataItemBody {
    pub name: String,
    /// C 字符型, N 数值型, Y 货币型, D 日期型, T 日期时间型, L 逻辑型, M 备注型, G 通用型, B 双精度型,
    /// I 整型, F 浮点型.
    #[schema(value_type = String, example = "C")]
    pub data_type: DataType,
    /// Length in bytes; required for C.
    pub length: Option<u32>,
    pub description: Option<String>,
    #[serde(default)]
    pub is_key: bool,
    #[serde(default)]
    pub required: bool,
    /// 基础信息项 of a base resource: must be shared unconditionally (第十条(二)).
    #[serde(default)]
    pub base_item: bool,
    /// `citizen_id`, `credit_code`, `org_code`, `region_code`, `mobile`.
    #[schema(value_type = Option<String>)]
    pub identifier: Option<IdentifierKind>,
    /// Per-item overrides of the resource's attributes.
    #[schema(value_type = Option<String>)]
    pub share_type: Option<ShareType>,
    pub share_condition: Option<String>,
    pub share_basis: Option<String>,
    #[schema(value_type = Option<String>)]
    pub open_type: Option<OpenType>,
    pub open_condition: Option<String>,
}

impl From<DataItemBody> for DataItem {
    fn from(b: DataItemBody) -> Self {
        let DataItemBody {
            name,
            data_type,
            length,
            description,
            is_key,
            required,
            base_item,
            identifier,
            share_type,
            share_condition,
            share_basis,
            open_type,
            open_condition,
        } = b;
        DataItem {
            name,
            data_type,
            length,
            description,
            is_key,
            required,
            base_item,
            identifier,
            share_type,
            share_condition,
            share_basis,
            open_type,
            open_condition,
        }
    }
}

impl From<DataItem> for DataItemBody {
    fn from(i: DataItem) -> Self {
        let DataItem {
            name,
            data_type,
            length,
            description,
            is_key,
            required,
            base_item,
            identifier,
            share_type,
            share_condition,
            share_basis,
            open_type,
            open_condition,
        } = i;
        DataItemBody {
            name,
            data_type,
            length,
            description,
            is_key,
            required,
            base_item,
            identifier,
            share_type,
            share_condition,
            share_basis,
            open_type,
            open_condition,
        }
    }
}

/// The fields a department states about a resource (the compilation guide's core metadata).
/// The provider, the code and the publish date are the platform's to fill in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceInput {
    /// On create: the providing department (default: your own).
    #[serde(default, skip_serializing)]
    pub department_id: Option<i64>,
    /// On update: the version you edited; a mismatch is refused with `stale_version`.
    #[serde(default, skip_serializing)]
    pub expected_version: Option<i64>,
    /// 信息资源分类 (类+项+目[+细目]), e.g. `101001`.
    #[schema(value_type = String, example = "101001")]
    pub category: CategoryCode,
    /// 信息资源名称.
    pub name: String,
    /// 提供方内部部门 (处室).
    pub provider_division: Option<String>,
    /// 信息资源摘要.
    pub summary: String,
    pub format: FormatBody,
    #[serde(default)]
    pub data_items: Vec<DataItemBody>,
    /// `unconditional`, `conditional`, `not_shared` (or 无条件共享/有条件共享/不予共享).
    #[schema(value_type = String, example = "conditional")]
    pub share_type: ShareType,
    /// Required for conditional sharing: conditions and scope.
    pub share_condition: Option<String>,
    /// Required for not_shared: the law, regulation or central policy (第十条).
    pub share_basis: Option<String>,
    /// `api`, `online_query`, `bulk_download`, `exchange`, `verification`, `offline`.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub share_methods: Vec<ShareMethod>,
    /// `unconditional`, `conditional`, `not_open`.
    #[schema(value_type = String, example = "not_open")]
    pub open_type: OpenType,
    pub open_condition: Option<String>,
    /// `realtime`, `daily`, `weekly`, `ten_days`, `monthly`, `quarterly`, `half_yearly`, `yearly`, `irregular`.
    #[schema(value_type = String, example = "monthly")]
    pub update_cycle: UpdateCycle,
    /// 关联资源代码.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub related_codes: Vec<ResourceCode>,
    /// 涉密: a classified resource can never be opened.
    #[serde(default)]
    pub classified: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    /// 采集决定 (一数一源): for each item that another department is responsible for collecting
    /// (see `POST /api/v1/resources/overlaps`), `use_shared` with a `source`, `reference_only`, or
    /// `collect_own` with a `reason`. Submitting is refused while one is missing.
    #[serde(default)]
    pub collection_decisions: Vec<CollectionDecisionBody>,
}

impl ResourceInput {
    /// The domain spec; provider fields are left empty for the service to fill in.
    pub fn into_spec(self) -> ResourceSpec {
        let ResourceInput {
            department_id: _,
            expected_version: _,
            category,
            name,
            provider_division,
            summary,
            format,
            data_items,
            share_type,
            share_condition,
            share_basis,
            share_methods,
            open_type,
            open_condition,
            update_cycle,
            related_codes,
            classified,
            tags,
            collection_decisions,
        } = self;
        let FormatBody { class, subtype, other_desc } = format;
        ResourceSpec {
            category,
            name,
            provider_name: String::new(),
            provider_code: String::new(),
            provider_division,
            summary,
            format: Format { class, subtype, other_desc },
            data_items: data_items.into_iter().map(DataItem::from).collect(),
            share_type,
            share_condition,
            share_basis,
            share_methods,
            open_type,
            open_condition,
            update_cycle,
            publish_date: None,
            related_codes,
            classified,
            tags,
            collection_decisions: collection_decisions
                .into_iter()
                .map(domain::elements::CollectionDecision::from)
                .collect(),
        }
    }
}

/// A catalogue entry as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceView {
    pub id: i64,
    /// 信息资源代码, e.g. `101001/000001`.
    pub code: String,
    /// `draft`, `submitted`, `published`, `withdrawn`.
    pub status: String,
    /// 草稿, 待审核, 已发布, 已注销.
    pub status_label: String,
    pub version: i64,
    pub department_id: i64,
    /// 信息资源提供方.
    pub provider_name: String,
    /// 信息资源提供方代码.
    pub provider_code: String,
    /// 发布日期.
    pub publish_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub fields: ResourceInput,
}

pub fn spec_to_input(spec: ResourceSpec) -> (ResourceInput, String, String, Option<NaiveDate>) {
    let ResourceSpec {
        category,
        name,
        provider_name,
        provider_code,
        provider_division,
        summary,
        format,
        data_items,
        share_type,
        share_condition,
        share_basis,
        share_methods,
        open_type,
        open_condition,
        update_cycle,
        publish_date,
        related_codes,
        classified,
        tags,
        collection_decisions,
    } = spec;
    let Format { class, subtype, other_desc } = format;
    (
        ResourceInput {
            department_id: None,
            expected_version: None,
            category,
            name,
            provider_division,
            summary,
            format: FormatBody { class, subtype, other_desc },
            data_items: data_items.into_iter().map(DataItemBody::from).collect(),
            share_type,
            share_condition,
            share_basis,
            share_methods,
            open_type,
            open_condition,
            update_cycle,
            related_codes,
            classified,
            tags,
            collection_decisions: collection_decisions.into_iter().map(CollectionDecisionBody::from).collect(),
        },
        provider_name,
        provider_code,
        publish_date,
    )
}

impl From<store::model::Resource> for ResourceView {
    fn from(r: store::model::Resource) -> Self {
        let store::model::Resource {
            id,
            code,
            department_id,
            status,
            version,
            spec,
            created_at,
            updated_at,
            published_at,
        } = r;
        let (fields, provider_name, provider_code, publish_date) = spec_to_input(spec);
        ResourceView {
            id,
            code,
            status: status.code().to_string(),
            status_label: status.label().to_string(),
            version,
            department_id,
            provider_name,
            provider_code,
            publish_date,
            created_at,
            updated_at,
            published_at,
            fields,
        }
    }
}

/// Filters of the catalogue list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResourceQuery {
    /// A category code; includes everything under it.
    pub category: Option<String>,
    /// Providing department id.
    pub provider: Option<i64>,
    pub share_type: Option<String>,
    pub open_type: Option<String>,
    pub format: Option<String>,
    pub update_cycle: Option<String>,
    pub status: Option<String>,
    /// Text in the name or summary.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A lifecycle step that needs a reason (return, withdraw).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: Option<String>,
}

/// One field that changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeView {
    pub field: String,
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
}

/// One version in an entry's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub code: String,
    pub status: String,
    /// `create`, `update`, `submit`, `recall`, `return`, `publish`, `withdraw`, `import`.
    pub action: String,
    pub user_id: i64,
    pub username: String,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
    pub changes: Vec<FieldChangeView>,
}

impl From<store::model::ResourceVersion> for VersionView {
    fn from(v: store::model::ResourceVersion) -> Self {
        let store::model::ResourceVersion { resource_id: _, version, code, status, spec: _, change, diff } = v;
        VersionView {
            version,
            code,
            status: status.code().to_string(),
            action: change.action,
            user_id: change.user_id,
            username: change.username,
            at: change.at,
            comment: change.comment,
            changes: diff
                .into_iter()
                .map(|c| FieldChangeView { field: c.field, before: c.before, after: c.after })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    pub resource_id: i64,
    pub code: String,
    pub versions: Vec<VersionView>,
}

// ---- Catalogue currency ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyChangeInput {
    /// Default: your own department.
    pub department_id: Option<i64>,
    /// `duty_change` (职能变化) or `law_revision` (法律法规修订).
    #[schema(value_type = String, example = "law_revision")]
    pub kind: domain::currency::ChangeKind,
    pub description: String,
    /// The day the law was revised or the duties changed.
    pub effective_date: NaiveDate,
    /// Affected entries; all published entries of the department if empty.
    #[serde(default)]
    pub resource_ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyItemView {
    pub resource_id: i64,
    pub code: String,
    pub name: String,
    pub updated_on: Option<NaiveDate>,
    /// `pending`, `met`, `late`, `overdue`.
    pub status: String,
    pub status_label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DutyChangeView {
    pub id: i64,
    pub department_id: i64,
    pub kind: String,
    pub description: String,
    pub effective_date: NaiveDate,
    /// The last day to update the affected entries (15 working days, 第八条).
    pub deadline: NaiveDate,
    /// Counted past the calendar's known years (weekdays only); recomputed when the calendar grows.
    pub deadline_provisional: bool,
    /// Working days from today to the deadline; negative once past.
    pub working_days_left: Option<i64>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub items: Vec<CurrencyItemView>,
}

impl From<service::currency::CurrencyReport> for DutyChangeView {
    fn from(r: service::currency::CurrencyReport) -> Self {
        let c = r.change;
        DutyChangeView {
            id: c.id,
            department_id: c.department_id,
            kind: c.kind.code().to_string(),
            description: c.description,
            effective_date: c.effective_date,
            deadline: c.deadline,
            deadline_provisional: c.deadline_provisional,
            working_days_left: r.working_days_left,
            recorded_by: c.recorded_by,
            recorded_at: c.recorded_at,
            items: r
                .items
                .into_iter()
                .map(|(i, s)| CurrencyItemView {
                    resource_id: i.resource_id,
                    code: i.code,
                    name: i.name,
                    updated_on: i.updated_on,
                    status: s.code().to_string(),
                    status_label: s.label().to_string(),
                })
                .collect(),
        }
    }
}

// ---- Audit ----

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub department_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<store::model::AuditEvent> for AuditEventView {
    fn from(e: store::model::AuditEvent) -> Self {
        let store::model::AuditEvent {
            id,
            at,
            user_id,
            username,
            department_id,
            action,
            object_type,
            object_id,
            detail,
        } = e;
        AuditEventView { id, at, user_id, username, department_id, action, object_type, object_id, detail }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub user_id: Option<i64>,
    /// The acting user's department.
    pub department_id: Option<i64>,
    /// e.g. `resource.` or `token.create`.
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// A resource code: events on it and events naming it (applications, grants).
    pub resource: Option<String>,
    /// A grant id: events on it and every read made through it.
    pub grant: Option<i64>,
    /// RFC 3339, inclusive.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339, exclusive.
    pub until: Option<DateTime<Utc>>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// Export only: `csv` (default) or `ndjson`.
    pub format: Option<String>,
}

impl AuditQuery {
    pub fn filter(&self) -> store::model::AuditFilter {
        store::model::AuditFilter {
            user_id: self.user_id,
            action_prefix: self.action.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            department_id: self.department_id,
            resource_code: self.resource.clone(),
            grant_id: self.grant,
            from: self.from,
            until: self.until,
        }
    }
}

// ---- Import ----

#[derive(Debug, Serialize, ToSchema)]
pub struct CellErrorView {
    pub sheet: String,
    pub row: usize,
    pub column: Option<String>,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedView {
    pub row: usize,
    pub id: i64,
    pub code: String,
    pub action: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportView {
    pub rows: usize,
    /// Whether anything was written.
    pub committed: bool,
    pub imported: Vec<ImportedView>,
    pub errors: Vec<CellErrorView>,
}

impl From<service::interchange_io::ImportReport> for ImportReportView {
    fn from(r: service::interchange_io::ImportReport) -> Self {
        ImportReportView {
            rows: r.rows,
            committed: r.committed,
            imported: r
                .imported
                .into_iter()
                .map(|i| ImportedView { row: i.row, id: i.id, code: i.code, action: i.action.to_string() })
                .collect(),
            errors: r
                .errors
                .into_iter()
                .map(|e| CellErrorView {
                    sheet: e.sheet,
                    row: e.row,
                    column: e.column,
                    field: e.field,
                    message: e.message,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// `xlsx`, `csv` or `json` (default: from the uploaded file name).
    pub format: Option<String>,
    /// `all_or_nothing` (default), `valid_only`, `dry_run`.
    pub mode: Option<String>,
    /// Default: your own department.
    pub department_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// `xlsx` (default), `csv` or `json`.
    pub format: Option<String>,
    /// For CSV: `resources` (default) or `items`.
    pub sheet: Option<String>,
    pub category: Option<String>,
    pub provider: Option<i64>,
    pub status: Option<String>,
    pub share_type: Option<String>,
}

/// Working-day arithmetic on the platform calendar.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeadlineQuery {
    /// The day of receipt (not counted).
    pub from: NaiveDate,
    /// Working days.
    pub days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    pub from: NaiveDate,
    pub days: u32,
    pub deadline: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub backend: String,
}

// ---- Shared data ----

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublishParams {
    /// `replace` (default), `append` (keys must stay unique) or `upsert` (rows replace those with
    /// the same key).
    pub mode: Option<String>,
    /// `csv`, `xlsx`, `json`, `ndjson`, `parquet` (default: from the file name).
    pub format: Option<String>,
    /// CSV encoding: `utf-8`, `gb18030` (default: detected).
    pub encoding: Option<String>,
    /// Publish the valid rows even if some are rejected (default: all or nothing).
    pub accept_valid: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatasetVersionView {
    pub version: i64,
    /// `replace`, `append` or `upsert`.
    pub mode: String,
    /// The version's rows, bytes and rejected upload rows: null unless your access covers every
    /// row of the version (your own department's data, an unconditionally shared resource, a
    /// grant without row conditions that reads rows) or you supervise (coordinator, auditor).
    /// Under a grant limited to some rows, count them with a query (`"count": true`).
    pub row_count: Option<i64>,
    pub byte_size: Option<i64>,
    pub rejected_rows: Option<i64>,
    pub published_by: i64,
    pub published_at: DateTime<Utc>,
    /// The data items the version was checked against.
    pub fields: Vec<String>,
}

impl From<store::model::DatasetVersion> for DatasetVersionView {
    /// A version with its totals (the publish report, for the provider).
    fn from(v: store::model::DatasetVersion) -> Self {
        service::datasets::VersionListing::whole(v).into()
    }
}

impl From<service::datasets::VersionListing> for DatasetVersionView {
    fn from(v: service::datasets::VersionListing) -> Self {
        let service::datasets::VersionListing { version, mode, published_by, published_at, fields, totals } = v;
        DatasetVersionView {
            version,
            mode,
            row_count: totals.map(|t| t.row_count),
            byte_size: totals.map(|t| t.byte_size),
            rejected_rows: totals.map(|t| t.rejected_rows),
            published_by,
            published_at,
            fields,
        }
    }
}

/// One rejected cell or row.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectionView {
    pub row: u64,
    pub column: Option<String>,
    /// `type`, `length`, `required`, `duplicate_key`, `identifier`, `columns`, `read` (the row
    /// could not be read: ragged, bad JSON…).
    pub code: String,
    pub reason: String,
    pub value: Option<String>,
}

/// The outcome of a publish: the new version, or why nothing was published; the row report.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishReportView {
    pub version: Option<DatasetVersionView>,
    pub refused: Option<String>,
    pub accepted_rows: u64,
    pub rejected_rows: u64,
    pub rejections_total: u64,
    /// The first rejections (all are counted above).
    pub rejections: Vec<RejectionView>,
}

impl From<service::datasets::PublishOutcome> for PublishReportView {
    fn from(o: service::datasets::PublishOutcome) -> Self {
        PublishReportView {
            version: o.version.map(DatasetVersionView::from),
            refused: o.refused,
            accepted_rows: o.accepted_rows,
            rejected_rows: o.report.total_rejected_rows,
            rejections_total: o.report.total_rejections,
            rejections: o
                .report
                .first
                .into_iter()
                .map(|r| RejectionView {
                    row: r.row,
                    column: r.column,
                    code: r.code.to_string(),
                    reason: r.reason,
                    value: r.value,
                })
                .collect(),
        }
    }
}

/// A declared purpose (使用用途).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurposeBody {
    /// `administrative_basis` 行政依据, `work_reference` 工作参考, `data_verification` 数据校核,
    /// `business_collaboration` 业务协同, `other` 其他.
    #[schema(value_type = Option<String>)]
    pub kind: Option<domain::purpose::PurposeKind>,
    /// The matter the data is used for.
    pub description: String,
}

/// A query on a resource's data. Every field it names must be inside your access scope.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryBody {
    /// Required unless the `X-Purpose` header is sent.
    pub purpose: Option<PurposeBody>,
    /// A version number (default: the latest).
    pub version: Option<i64>,
    /// The grant to read through (default: the one that fits the purpose and method, if any).
    pub grant: Option<i64>,
    /// Fields to return (default: all you may see).
    pub fields: Option<Vec<String>>,
    /// `[{"field": "性别", "op": "eq", "value": "女"}]`; ops: eq, ne, lt, le, gt, ge, in, prefix,
    /// contains, is_null, not_null.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub filters: Vec<data::query::Filter>,
    /// `[{"field": "出生日期", "desc": true}]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub sort: Vec<data::query::Sort>,
    /// 1–10000 (default 100).
    pub limit: Option<usize>,
    pub cursor: Option<String>,
    /// Also count the matching rows.
    #[serde(default)]
    pub count: bool,
    #[serde(default)]
    pub group_by: Vec<String>,
    /// `[{"func": "count"}, {"func": "avg", "field": "月缴费基数"}]`; funcs: count, sum, min, max, avg.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub aggregates: Vec<data::query::Aggregate>,
}

impl QueryBody {
    pub fn spec(&self) -> data::query::QuerySpec {
        data::query::QuerySpec {
            fields: self.fields.clone(),
            filters: self.filters.clone(),
            sort: self.sort.clone(),
            limit: self.limit,
            cursor: self.cursor.clone(),
            count: self.count,
            group_by: self.group_by.clone(),
            aggregates: self.aggregates.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryResultView {
    pub version: i64,
    pub columns: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    pub next: Option<String>,
    pub total: Option<u64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DownloadParams {
    /// `csv` (default, UTF-8 with BOM), `ndjson`, `parquet` (all three streamed) or `xlsx` (one
    /// sheet, at most 1,048,575 rows: a larger result is refused before anything is written).
    pub format: Option<String>,
    /// A version number (default: the latest).
    pub version: Option<i64>,
    /// Comma-separated fields (default: all you may see).
    pub fields: Option<String>,
    /// Download a query result: a JSON array of filters, as in the query API, e.g.
    /// `[{"field":"出生日期","op":"ge","value":"1990-01-01"}]` (URL-encoded). Every field named must be
    /// within your scope.
    pub filters: Option<String>,
    /// The purpose, `kind:description` (or send the `X-Purpose` header, percent-encoded).
    pub purpose: Option<String>,
    /// The grant to read through (default: the one that fits, if any).
    pub grant: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangesParams {
    /// The version your copy holds.
    pub since: i64,
    /// 1–10000 (default 100).
    pub limit: Option<usize>,
    pub cursor: Option<String>,
    /// The purpose, `kind:description` (or the `X-Purpose` header).
    pub purpose: Option<String>,
    /// The grant to read through (default: the one that fits, if any).
    pub grant: Option<i64>,
}

/// Changes from version `since` to `version`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesView {
    pub since: i64,
    pub version: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    /// Each row carries `_change`: `added`, `changed` (new values) or `removed` (old values).
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    pub next: Option<String>,
}

/// Data freshness of one resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreshnessView {
    pub resource_id: i64,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    /// 更新周期.
    pub update_cycle: String,
    /// `fresh`, `awaiting_data`, `overdue`, `irregular`.
    pub status: String,
    pub status_label: String,
    pub last_version: Option<i64>,
    pub last_updated: Option<DateTime<Utc>>,
    pub due_by: Option<NaiveDate>,
}

impl FreshnessView {
    pub fn new(
        r: &store::model::Resource,
        latest: Option<&store::model::DatasetVersion>,
        f: domain::freshness::Freshness,
    ) -> Self {
        FreshnessView {
            resource_id: r.id,
            code: r.code.clone(),
            name: r.spec.name.clone(),
            department_id: r.department_id,
            update_cycle: r.spec.update_cycle.code().to_string(),
            status: f.status.code().to_string(),
            status_label: f.status.label().to_string(),
            last_version: latest.map(|v| v.version),
            last_updated: latest.map(|v| v.published_at),
            due_by: f.due_by,
        }
    }
}
