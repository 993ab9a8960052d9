//! The SQL of web sessions and failed sign-ins, written once and expanded for each backend by
//! `impl_web_store!`, in the portable dialect of `backend.rs`.

/// Implements `WebStore` for `$ty` (which has a `pool: sqlx::Pool<$db>` field) on database `$db`.
/// Invoke it next to `impl_store!`, in the same module: it reuses that macro's `user_row` and
/// `USER_COLS`.
macro_rules! impl_web_store {
    ($ty:ident, $db:ty) => {
        mod web_impl {
            use super::{USER_COLS, user_row, $ty};

            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use sqlx::{AssertSqlSafe, Row};

            use crate::StoreError;
            use crate::model::*;
            use crate::time;
            use crate::web_store::{LoginFailures, WebSession, WebStore};

            type DbRow = <$db as sqlx::Database>::Row;
            type R<T> = Result<T, StoreError>;

            const SESSION_COLS: &str = "id_hash, user_id, csrf, created_at, last_seen_at, expires_at";

            fn session_row(r: &DbRow) -> R<WebSession> {
                Ok(WebSession {
                    id_hash: r.try_get("id_hash")?,
                    user_id: r.try_get("user_id")?,
                    csrf: r.try_get("csrf")?,
                    created_at: time::parse(&r.try_get::<String, _>("created_at")?)?,
                    last_seen_at: time::parse(&r.try_get::<String, _>("last_seen_at")?)?,
                    expires_at: time::parse(&r.try_get::<String, _>("expires_at")?)?,
                })
            }

            fn failures_row(r: &DbRow) -> R<LoginFailures> {
                let locked: Option<String> = r.try_get("locked_until")?;
                Ok(LoginFailures {
                    failures: r.try_get("failures")?,
                    last_failed_at: time::parse(&r.try_get::<String, _>("last_failed_at")?)?,
                    locked_until: locked.as_deref().map(time::parse).transpose()?,
                })
            }

            #[async_trait]
            impl WebStore for $ty {
                async fn create_web_session(&self, s: &WebSession) -> R<()> {
                    sqlx::query(
                        "INSERT INTO web_sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&s.id_hash)
                    .bind(s.user_id)
                    .bind(&s.csrf)
                    .bind(time::fmt(s.created_at))
                    .bind(time::fmt(s.last_seen_at))
                    .bind(time::fmt(s.expires_at))
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                }

                async fn touch_web_session(
                    &self,
                    id_hash: &str,
                    at: DateTime<Utc>,
                    idle_since: DateTime<Utc>,
                ) -> R<Option<(WebSession, User)>> {
                    let sql = format!(
                        "UPDATE web_sessions SET last_seen_at = $1 WHERE id_hash = $2 AND ended_at IS NULL \
                         AND expires_at > $1 AND last_seen_at > $3 RETURNING {SESSION_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(time::fmt(at))
                        .bind(id_hash)
                        .bind(time::fmt(idle_since))
                        .fetch_optional(&self.pool)
                        .await?;
                    let Some(row) = row else { return Ok(None) };
                    let session = session_row(&row)?;
                    let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
                    let user = sqlx::query(AssertSqlSafe(sql)).bind(session.user_id).fetch_one(&self.pool).await?;
                    let user = user_row(&user)?;
                    if !user.active {
                        return Ok(None);
                    }
                    Ok(Some((session, user)))
                }

                async fn end_web_session(&self, id_hash: &str, at: DateTime<Utc>) -> R<()> {
                    sqlx::query("UPDATE web_sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL")
                        .bind(time::fmt(at))
                        .bind(id_hash)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn end_user_web_sessions(&self, user_id: i64, at: DateTime<Utc>) -> R<u64> {
                    let done =
                        sqlx::query("UPDATE web_sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
                            .bind(time::fmt(at))
                            .bind(user_id)
                            .execute(&self.pool)
                            .await?;
                    Ok(done.rows_affected())
                }

                async fn delete_dead_web_sessions(&self, before: DateTime<Utc>) -> R<u64> {
                    let done = sqlx::query(
                        "DELETE FROM web_sessions WHERE ended_at < $1 OR expires_at < $1 OR last_seen_at < $1",
                    )
                    .bind(time::fmt(before))
                    .execute(&self.pool)
                    .await?;
                    Ok(done.rows_affected())
                }

                async fn login_failures(&self, username: &str) -> R<Option<LoginFailures>> {
                    let row = sqlx::query(
                        "SELECT failures, last_failed_at, locked_until FROM login_failures WHERE username = $1",
                    )
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.as_ref().map(failures_row).transpose()
                }

                async fn record_login_failure(
                    &self,
                    username: &str,
                    at: DateTime<Utc>,
                    threshold: i64,
                    lock_until: DateTime<Utc>,
                ) -> R<LoginFailures> {
                    // One statement, so that concurrent failures are all counted. Reaching the
                    // threshold locks and starts the count again.
                    let row = sqlx::query(
                        "INSERT INTO login_failures (username, failures, last_failed_at, locked_until) \
                         VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $4 ELSE NULL END) \
                         ON CONFLICT (username) DO UPDATE SET \
                           locked_until = CASE WHEN login_failures.failures + 1 >= $3 THEN $4 \
                                               ELSE login_failures.locked_until END, \
                           failures = CASE WHEN login_failures.failures + 1 >= $3 THEN 0 \
                                           ELSE login_failures.failures + 1 END, \
                           last_failed_at = $2 \
                         RETURNING failures, last_failed_at, locked_until",
                    )
                    .bind(username)
                    .bind(time::fmt(at))
                    .bind(threshold)
                    .bind(time::fmt(lock_until))
                    .fetch_one(&self.pool)
                    .await?;
                    failures_row(&row)
                }

                async fn clear_login_failures(&self, username: &str) -> R<()> {
                    sqlx::query("DELETE FROM login_failures WHERE username = $1")
                        .bind(username)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }
            }
        }
    };
}

pub(crate) use impl_web_store;
