//! The JSON contract of sharing: applications, decisions, grants, agreements, feedback and
//! verification. Terms are the domain's serde shapes (documented on each field), so a client
//! sends exactly what the domain validates.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::sharing::{ApplicationTerms, Decision, GrantTerms, Ruling};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A new application: the resource (id or code) and what is asked.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    /// The resource's id or code, e.g. `101002/000001`.
    pub resource: String,
    /// `{"kind": "data_verification", "description": "核对低保申请人户籍信息"}`.
    #[schema(value_type = Object)]
    pub purpose: domain::purpose::Purpose,
    /// 申请依据: the law, regulation or business matter.
    pub basis: String,
    pub fields: Vec<String>,
    /// Row conditions, as query filters, e.g. `[{"field":"户籍地行政区划代码","op":"eq","value":"350102"}]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<domain::filter::Filter>,
    /// `{"from": "2026-12-01", "until": "2027-11-30"}`.
    #[schema(value_type = Object)]
    pub period: domain::sharing::Period,
    /// `api`, `online_query`, `bulk_download`, `exchange`, `verification`.
    #[schema(value_type = Vec<String>)]
    pub methods: Vec<domain::catalog::ShareMethod>,
    /// `{"name": "王敏", "phone": "0591-87654321"}`.
    #[schema(value_type = Object)]
    pub contact: domain::sharing::Contact,
    /// Your department's information systems that will call for the data (`GET /api/v1/systems`);
    /// omitted or empty: the department's data consumers in general.
    #[serde(default)]
    pub system_ids: Vec<i64>,
}

impl ApplicationInput {
    pub fn split(self) -> (String, ApplicationTerms) {
        let ApplicationInput { resource, purpose, basis, fields, rows, period, methods, contact, system_ids } = self;
        (resource, ApplicationTerms { purpose, basis, fields, rows, period, methods, contact, system_ids })
    }
}

/// A grant the provider issues without an application: the resource, the consumer department,
/// the terms (as in a partial approval) and the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    /// The resource's id or code; your department must provide it.
    pub resource: String,
    pub consumer_department_id: i64,
    /// `{"purpose", "fields", "rows", "masks", "methods", "period", "daily_row_quota", "user_ids",
    /// "system_ids"}`, as in a decision's `terms`.
    #[schema(value_type = Object)]
    pub terms: GrantTerms,
    /// Why: the law, agreement or matter you grant on.
    pub reason: String,
}

impl From<GrantInput> for service::sharing::DirectGrant {
    fn from(g: GrantInput) -> Self {
        let GrantInput { resource, consumer_department_id, terms, reason } = g;
        service::sharing::DirectGrant { resource, consumer_department_id, terms, reason }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub resource_id: i64,
    pub provider_department_id: i64,
    pub consumer_department_id: i64,
    pub applicant_id: i64,
    /// `submitted`, `under_review`, `approved`, `partially_approved`, `refused`, `withdrawn`,
    /// `disputed`, `escalated`, `ruled`.
    pub status: String,
    pub status_label: String,
    #[schema(value_type = Object)]
    pub terms: ApplicationTerms,
    pub received_on: NaiveDate,
    /// The last day for the provider's answer (第十二条: 10 working days, configurable).
    pub reply_due: NaiveDate,
    /// Counted past the calendar's known years (weekdays only); recomputed when the calendar grows.
    pub due_provisional: bool,
    /// Awaiting a reply after the deadline.
    pub overdue: bool,
    /// The decision or ruling, once there is one.
    #[schema(value_type = Option<Object>)]
    pub decision: Option<serde_json::Value>,
    pub grant_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send it back with the next action (someone else acting first makes it stale).
    pub revision: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationStepView {
    pub seq: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    /// `consumer`, `provider`, `coordinator` or `platform`.
    pub party: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<store::model::ApplicationStep> for ApplicationStepView {
    fn from(s: store::model::ApplicationStep) -> Self {
        let store::model::ApplicationStep {
            application_id: _,
            seq,
            action,
            from_status,
            to_status,
            actor_id,
            actor_name,
            party,
            note,
            at,
        } = s;
        ApplicationStepView {
            seq,
            action,
            from_status: from_status.map(|s| s.code().to_string()),
            to_status: to_status.code().to_string(),
            actor_id,
            actor_name,
            party,
            note,
            at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationListParams {
    /// Comma-separated statuses.
    pub status: Option<String>,
    /// A resource id.
    pub resource_id: Option<i64>,
    /// `provider` (applications to your department) or `consumer` (from it).
    pub side: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionBody {
    /// The application's (or grant's) `revision` you saw.
    pub revision: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub revision: i64,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The provider's answer: `{"revision": 1, "outcome": "approve"}`,
/// `{"revision": 1, "outcome": "approve_partially", "terms": {…}, "reason": "…"}` or
/// `{"revision": 1, "outcome": "refuse", "reason": "…"}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    pub revision: i64,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub decision: Decision,
}

/// The coordinator's ruling: `{"revision": 3, "outcome": "share", "terms": {…}, "reason": "…"}` or
/// `{"revision": 3, "outcome": "not_share", "reason": "…"}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RulingBody {
    pub revision: i64,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub ruling: Ruling,
}

/// An application after an action, with the grant the action issued.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionResultView {
    pub application: ApplicationView,
    pub grant: Option<GrantView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantView {
    pub id: i64,
    pub resource_id: i64,
    pub provider_department_id: i64,
    pub consumer_department_id: i64,
    pub application_id: Option<i64>,
    /// `active`, `suspended`, `revoked`, `expired`.
    pub status: String,
    pub status_label: String,
    /// Whether it works today; if not, why.
    pub usable: bool,
    pub unusable_reason: Option<String>,
    /// Fields, row conditions, masking per field, methods, period, daily row quota, users and
    /// information systems (`user_ids`, `system_ids`: only those may use it; none: the whole
    /// consumer department).
    #[schema(value_type = Object)]
    pub terms: GrantTerms,
    pub issued_by: i64,
    pub issued_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub revision: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantStepView {
    pub seq: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<store::model::GrantStep> for GrantStepView {
    fn from(s: store::model::GrantStep) -> Self {
        let store::model::GrantStep {
            grant_id: _,
            seq,
            action,
            from_status,
            to_status,
            actor_id,
            actor_name,
            reason,
            at,
        } = s;
        GrantStepView {
            seq,
            action,
            from_status: from_status.map(|s| s.code().to_string()),
            to_status: to_status.code().to_string(),
            actor_id,
            actor_name,
            reason,
            at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantListParams {
    /// Comma-separated statuses.
    pub status: Option<String>,
    pub resource_id: Option<i64>,
    /// `provider` (grants your department gave) or `consumer` (grants it holds).
    pub side: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementView {
    pub id: i64,
    pub grant_id: i64,
    /// `sharing` 共享协议 or `confidentiality` 安全保密协议.
    pub kind: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    pub sha256: String,
    pub filed_by: i64,
    pub filed_at: DateTime<Utc>,
}

impl From<store::model::Agreement> for AgreementView {
    fn from(a: store::model::Agreement) -> Self {
        let store::model::Agreement {
            id,
            grant_id,
            kind,
            title,
            file_name,
            content_type,
            byte_size,
            sha256,
            object_path: _,
            filed_by,
            filed_at,
        } = a;
        AgreementView { id, grant_id, kind, title, file_name, content_type, byte_size, sha256, filed_by, filed_at }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    /// 1 (useless) … 5 (very useful).
    pub rating: i64,
    /// What the shared data achieved (使用效果).
    pub effect: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackView {
    pub id: i64,
    pub grant_id: i64,
    pub resource_id: i64,
    pub department_id: i64,
    pub author_id: i64,
    pub rating: i64,
    pub effect: String,
    pub at: DateTime<Utc>,
}

impl From<store::model::Feedback> for FeedbackView {
    fn from(f: store::model::Feedback) -> Self {
        let store::model::Feedback { id, grant_id, resource_id, department_id, author_id, rating, effect, at } = f;
        FeedbackView { id, grant_id, resource_id, department_id, author_id, rating, effect, at }
    }
}

/// 核验: the record's key and the values you claim; the answer never contains stored values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// Required unless the `X-Purpose` header is sent.
    pub purpose: Option<super::PurposeBody>,
    pub grant: Option<i64>,
    /// Every key item of the resource, e.g. `{"公民身份号码": "350102199001011234"}`.
    #[schema(value_type = Object)]
    pub key: BTreeMap<String, serde_json::Value>,
    /// The values to check, e.g. `{"姓名": "张三", "户籍地址": "…"}`.
    #[schema(value_type = Object)]
    pub claims: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyView {
    pub version: i64,
    /// Whether a record with that key exists within your scope.
    pub found: bool,
    /// Per claimed field: `match`, `no_match` or `no_record`.
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, data::verify::Outcome>,
}

impl From<service::datasets::VerifyAnswer> for VerifyView {
    fn from(a: service::datasets::VerifyAnswer) -> Self {
        let service::datasets::VerifyAnswer { version, found, fields } = a;
        VerifyView { version, found, fields }
    }
}
