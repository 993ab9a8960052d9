//! Sign-in to the web console: sessions and failed sign-ins. A supertrait of [`crate::Store`],
//! implemented for both backends by `impl_web_store!` (web_backend.rs).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;
use crate::model::User;

type R<T> = Result<T, StoreError>;

/// A signed-in browser session. The secret lives only in the browser's cookie; the store keeps
/// its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub id_hash: String,
    pub user_id: i64,
    /// The session's anti-forgery token, sent back with every form.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What the store knows about failed sign-ins of one username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFailures {
    /// Consecutive failures since the last success or lockout.
    pub failures: i64,
    pub last_failed_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait WebStore: Send + Sync {
    async fn create_web_session(&self, session: &WebSession) -> R<()>;
    /// The live session with this hash and its user, if it has not ended or expired, is not idle
    /// since before `idle_since`, and its user is active. Records `at` as its last use.
    async fn touch_web_session(
        &self,
        id_hash: &str,
        at: DateTime<Utc>,
        idle_since: DateTime<Utc>,
    ) -> R<Option<(WebSession, User)>>;
    /// Ends a session (sign-out). Ending an ended or unknown session does nothing.
    async fn end_web_session(&self, id_hash: &str, at: DateTime<Utc>) -> R<()>;
    /// Ends every live session of a user (password change, account disabled); returns how many.
    async fn end_user_web_sessions(&self, user_id: i64, at: DateTime<Utc>) -> R<u64>;
    /// Deletes the sessions that were dead before `before`: ended, expired, or not used since
    /// then. Returns how many. Live sessions last used at or after `before` stay.
    async fn delete_dead_web_sessions(&self, before: DateTime<Utc>) -> R<u64>;
    /// The failed sign-ins recorded for a username.
    async fn login_failures(&self, username: &str) -> R<Option<LoginFailures>>;
    /// Records a failed sign-in: one more failure; at `threshold` failures the username is locked
    /// until `lock_until` and the count starts again. Returns the new state.
    async fn record_login_failure(
        &self,
        username: &str,
        at: DateTime<Utc>,
        threshold: i64,
        lock_until: DateTime<Utc>,
    ) -> R<LoginFailures>;
    /// Forgets the failures of a username (after a successful sign-in).
    async fn clear_login_failures(&self, username: &str) -> R<()>;
}
