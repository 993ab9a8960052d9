//! The SQL of the open-data portal's public side (API keys, apps, applications for
//! conditionally open data), written once and expanded for each backend by
//! `impl_portal_store!`, in the portable dialect of `backend.rs`.

/// Implements `PortalStore` for `$ty` (which has a `pool: sqlx::Pool<$db>` field) on database
/// `$db`. Invoke it next to `impl_store!`, in the same module: it reuses that macro's `Where`,
/// `Arg` and paging helper.
macro_rules! impl_portal_store {
    ($ty:ident, $db:ty) => {
        mod portal_impl {
            use super::{$ty, Arg, Where};

            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use domain::portal::{AppStatus, OpenRequestStatus};
            use sqlx::{AssertSqlSafe, Row};

            use crate::StoreError;
            use crate::model::{Page, PageRequest};
            use crate::portal_store::*;
            use crate::time;

            type DbRow = <$db as sqlx::Database>::Row;
            type R<T> = Result<T, StoreError>;

            const KEY_COLS: &str =
                "id, prefix, name, organisation, email, intended_use, created_at, revoked_at, last_used_at, calls";
            const APP_COLS: &str = "id, name, description, url, developer, contact, datasets, status, reason, \
                                    submitted_at, reviewed_at, reviewed_by";
            const REQUEST_COLS: &str = "id, reference, resource_id, department_id, applicant, organisation, contact, \
                                        purpose, intended_use, period_from, period_to, status, reason, deadline, \
                                        deadline_provisional, submitted_at, answered_at, answered_by";

            fn opt_time(r: &DbRow, col: &str) -> R<Option<DateTime<Utc>>> {
                let v: Option<String> = r.try_get(col)?;
                v.as_deref().map(time::parse).transpose()
            }

            fn key_row(r: &DbRow) -> R<DeveloperKey> {
                Ok(DeveloperKey {
                    id: r.try_get("id")?,
                    prefix: r.try_get("prefix")?,
                    name: r.try_get("name")?,
                    organisation: r.try_get("organisation")?,
                    email: r.try_get("email")?,
                    intended_use: r.try_get("intended_use")?,
                    created_at: time::parse(&r.try_get::<String, _>("created_at")?)?,
                    revoked_at: opt_time(r, "revoked_at")?,
                    last_used_at: opt_time(r, "last_used_at")?,
                    calls: r.try_get("calls")?,
                })
            }

            fn app_row(r: &DbRow) -> R<PortalApp> {
                let status: String = r.try_get("status")?;
                let datasets: String = r.try_get("datasets")?;
                Ok(PortalApp {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    description: r.try_get("description")?,
                    url: r.try_get("url")?,
                    developer: r.try_get("developer")?,
                    contact: r.try_get("contact")?,
                    datasets: serde_json::from_str(&datasets)?,
                    status: AppStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("unknown app status {status}")))?,
                    reason: r.try_get("reason")?,
                    submitted_at: time::parse(&r.try_get::<String, _>("submitted_at")?)?,
                    reviewed_at: opt_time(r, "reviewed_at")?,
                    reviewed_by: r.try_get("reviewed_by")?,
                })
            }

            fn request_row(r: &DbRow) -> R<OpenRequest> {
                let status: String = r.try_get("status")?;
                Ok(OpenRequest {
                    id: r.try_get("id")?,
                    reference: r.try_get("reference")?,
                    resource_id: r.try_get("resource_id")?,
                    department_id: r.try_get("department_id")?,
                    applicant: r.try_get("applicant")?,
                    organisation: r.try_get("organisation")?,
                    contact: r.try_get("contact")?,
                    purpose: r.try_get("purpose")?,
                    intended_use: r.try_get("intended_use")?,
                    period_from: time::parse_date(&r.try_get::<String, _>("period_from")?)?,
                    period_to: time::parse_date(&r.try_get::<String, _>("period_to")?)?,
                    status: OpenRequestStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("unknown open request status {status}")))?,
                    reason: r.try_get("reason")?,
                    deadline: time::parse_date(&r.try_get::<String, _>("deadline")?)?,
                    deadline_provisional: r.try_get("deadline_provisional")?,
                    submitted_at: time::parse(&r.try_get::<String, _>("submitted_at")?)?,
                    answered_at: opt_time(r, "answered_at")?,
                    answered_by: r.try_get("answered_by")?,
                })
            }

            #[async_trait]
            impl PortalStore for $ty {
                async fn create_developer_key(&self, k: &NewDeveloperKey) -> R<DeveloperKey> {
                    let sql = format!(
                        "INSERT INTO developer_keys (key_hash, prefix, name, organisation, email, intended_use, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {KEY_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(&k.key_hash)
                        .bind(&k.prefix)
                        .bind(&k.name)
                        .bind(&k.organisation)
                        .bind(&k.email)
                        .bind(&k.intended_use)
                        .bind(time::fmt(k.created_at))
                        .fetch_one(&self.pool)
                        .await?;
                    key_row(&row)
                }

                async fn developer_key_by_hash(&self, key_hash: &str) -> R<Option<DeveloperKey>> {
                    let sql = format!("SELECT {KEY_COLS} FROM developer_keys WHERE key_hash = $1");
                    let row = sqlx::query(AssertSqlSafe(sql)).bind(key_hash).fetch_optional(&self.pool).await?;
                    row.as_ref().map(key_row).transpose()
                }

                async fn revoke_developer_key(&self, key_hash: &str, at: DateTime<Utc>) -> R<Option<DeveloperKey>> {
                    let sql = format!(
                        "UPDATE developer_keys SET revoked_at = $1 WHERE key_hash = $2 AND revoked_at IS NULL \
                         RETURNING {KEY_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(time::fmt(at))
                        .bind(key_hash)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.as_ref().map(key_row).transpose()
                }

                async fn record_developer_key_use(&self, id: i64, at: DateTime<Utc>) -> R<()> {
                    sqlx::query("UPDATE developer_keys SET calls = calls + 1, last_used_at = $1 WHERE id = $2")
                        .bind(time::fmt(at))
                        .bind(id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn create_portal_app(&self, a: &NewPortalApp) -> R<PortalApp> {
                    let sql = format!(
                        "INSERT INTO portal_apps (name, description, url, developer, contact, datasets, status, submitted_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {APP_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(&a.name)
                        .bind(&a.description)
                        .bind(&a.url)
                        .bind(&a.developer)
                        .bind(&a.contact)
                        .bind(serde_json::to_string(&a.datasets)?)
                        .bind(AppStatus::Pending.code())
                        .bind(time::fmt(a.submitted_at))
                        .fetch_one(&self.pool)
                        .await?;
                    app_row(&row)
                }

                async fn get_portal_app(&self, id: i64) -> R<PortalApp> {
                    let sql = format!("SELECT {APP_COLS} FROM portal_apps WHERE id = $1");
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or_else(|| StoreError::not_found(format!("应用 {id}")))?;
                    app_row(&row)
                }

                async fn list_portal_apps(&self, status: Option<AppStatus>, page: PageRequest) -> R<Page<PortalApp>> {
                    let mut filter = Where::default();
                    if let Some(s) = status {
                        filter.push("status = ?", Arg::Text(s.code().to_string()));
                    }
                    self.page_by_id(
                        &format!("SELECT {APP_COLS} FROM portal_apps"),
                        "SELECT COUNT(*) FROM portal_apps",
                        filter,
                        page,
                        app_row,
                        |a| a.id,
                        false,
                    )
                    .await
                }

                async fn decide_portal_app(&self, id: i64, d: &PortalDecision<AppStatus>) -> R<Option<PortalApp>> {
                    let sql = format!(
                        "UPDATE portal_apps SET status = $1, reason = $2, reviewed_by = $3, reviewed_at = $4 \
                         WHERE id = $5 AND status = 'pending' RETURNING {APP_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(d.status.code())
                        .bind(&d.reason)
                        .bind(d.by)
                        .bind(time::fmt(d.at))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.as_ref().map(app_row).transpose()
                }

                async fn create_open_request(&self, q: &NewOpenRequest) -> R<OpenRequest> {
                    let sql = format!(
                        "INSERT INTO open_requests (reference, resource_id, department_id, applicant, organisation, \
                         contact, purpose, intended_use, period_from, period_to, status, deadline, deadline_provisional, \
                         submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                         RETURNING {REQUEST_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(&q.reference)
                        .bind(q.resource_id)
                        .bind(q.department_id)
                        .bind(&q.applicant)
                        .bind(&q.organisation)
                        .bind(&q.contact)
                        .bind(&q.purpose)
                        .bind(&q.intended_use)
                        .bind(q.period_from.to_string())
                        .bind(q.period_to.to_string())
                        .bind(OpenRequestStatus::Pending.code())
                        .bind(q.deadline.to_string())
                        .bind(q.deadline_provisional)
                        .bind(time::fmt(q.submitted_at))
                        .fetch_one(&self.pool)
                        .await?;
                    request_row(&row)
                }

                async fn get_open_request(&self, id: i64) -> R<OpenRequest> {
                    let sql = format!("SELECT {REQUEST_COLS} FROM open_requests WHERE id = $1");
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or_else(|| StoreError::not_found(format!("开放数据申请 {id}")))?;
                    request_row(&row)
                }

                async fn open_request_by_reference(&self, reference: &str) -> R<Option<OpenRequest>> {
                    let sql = format!("SELECT {REQUEST_COLS} FROM open_requests WHERE reference = $1");
                    let row = sqlx::query(AssertSqlSafe(sql)).bind(reference).fetch_optional(&self.pool).await?;
                    row.as_ref().map(request_row).transpose()
                }

                async fn list_open_requests(
                    &self,
                    department_id: Option<i64>,
                    status: Option<OpenRequestStatus>,
                    page: PageRequest,
                ) -> R<Page<OpenRequest>> {
                    let mut filter = Where::default();
                    if let Some(d) = department_id {
                        filter.push("department_id = ?", Arg::Int(d));
                    }
                    if let Some(s) = status {
                        filter.push("status = ?", Arg::Text(s.code().to_string()));
                    }
                    self.page_by_id(
                        &format!("SELECT {REQUEST_COLS} FROM open_requests"),
                        "SELECT COUNT(*) FROM open_requests",
                        filter,
                        page,
                        request_row,
                        |q| q.id,
                        false,
                    )
                    .await
                }

                async fn answer_open_request(
                    &self,
                    id: i64,
                    d: &PortalDecision<OpenRequestStatus>,
                ) -> R<Option<OpenRequest>> {
                    let sql = format!(
                        "UPDATE open_requests SET status = $1, reason = $2, answered_by = $3, answered_at = $4 \
                         WHERE id = $5 AND status = 'pending' RETURNING {REQUEST_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(d.status.code())
                        .bind(&d.reason)
                        .bind(d.by)
                        .bind(time::fmt(d.at))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.as_ref().map(request_row).transpose()
                }
            }
        }
    };
}

pub(crate) use impl_portal_store;
