//! Sign-in to the web console: password check (argon2), lockout after repeated failures, sessions
//! with an idle and an absolute lifetime, and the anti-forgery (CSRF) token of each session.
//! Every sign-in, failure, lockout and sign-out is audited.
//!
//! Like API tokens, a session's secret is shown only to the browser (in a cookie) and the store
//! keeps its SHA-256. The lockout is counted per username typed, whether or not the account
//! exists, so that it tells nothing about which usernames exist (GB/T 22239 等级保护:
//! 登录失败处理功能，限制非法登录次数).

use chrono::{DateTime, Duration, Utc};
use domain::account::Actor;
use rand::RngCore;
use serde_json::json;
use store::WebSession;

use crate::{Result, ServiceError, Services, audit, auth};

/// Consecutive failures that lock a username.
pub const LOCK_AFTER_FAILURES: i64 = 5;
/// How long a lockout lasts.
pub const LOCK_MINUTES: i64 = 15;
/// A session unused this long has ended.
pub const IDLE_MINUTES: i64 = 30;
/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE_HOURS: i64 = 12;
/// How long an ended, expired or idle session row is kept before a sign-in deletes it.
pub const DEAD_SESSION_KEEP_HOURS: i64 = 24;

/// A new session: the secret for the cookie and the session's anti-forgery token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub secret: String,
    pub csrf: String,
    pub actor: Actor,
    pub expires_at: DateTime<Utc>,
}

/// The user of a live session, with its anti-forgery token.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub actor: Actor,
    /// The user's display name, for the page header.
    pub display_name: String,
    pub csrf: String,
    /// The stored hash of the session's secret (to end it).
    pub id_hash: String,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refused() -> ServiceError {
    ServiceError::SignInRefused("用户名或密码错误".into())
}

fn locked(until: DateTime<Utc>) -> ServiceError {
    let local = until.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"));
    ServiceError::RateLimited(format!(
        "登录失败次数过多，该账号已暂时锁定，请于 {} 后再试（连续{LOCK_AFTER_FAILURES}次失败锁定{LOCK_MINUTES}分钟）",
        local.format("%H:%M")
    ))
}

/// Signs a person in with username and password. `client` (the remote address) goes into the
/// audit record. System accounts (bound to an information system) cannot sign in to the console.
pub async fn sign_in(svc: &Services, username: &str, password: &str, client: &str) -> Result<SignedIn> {
    let username = username.trim();
    let now = svc.clock.now();
    if username.is_empty() || password.is_empty() {
        return Err(ServiceError::invalid(
            if username.is_empty() { "username" } else { "password" },
            "required",
            if username.is_empty() { "请输入用户名" } else { "请输入密码" },
        ));
    }
    if username.chars().count() > 64 || password.len() > 1024 {
        return Err(refused());
    }
    if let Some(f) = svc.store.login_failures(username).await?
        && let Some(until) = f.locked_until
        && until > now
    {
        audit::record(svc, None, "auth.sign_in_locked", "user", Some(username.to_string()), json!({"client": client}))
            .await?;
        return Err(locked(until));
    }
    let user = svc.store.find_user_by_username(username).await?;
    // The hash is checked even for an unknown user, so that timing tells nothing either.
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = match &stored {
        Some(h) => auth::verify_password(password, h),
        None => {
            let _ = auth::verify_password(password, DUMMY_HASH);
            false
        }
    };
    let usable = user.as_ref().is_some_and(|u| u.active && u.system_id.is_none());
    if !ok || !usable {
        let lock_until = now + Duration::minutes(LOCK_MINUTES);
        let state = svc.store.record_login_failure(username, now, LOCK_AFTER_FAILURES, lock_until).await?;
        let just_locked = state.locked_until.is_some_and(|u| u > now) && state.failures == 0;
        audit::record(
            svc,
            None,
            if just_locked { "auth.locked_out" } else { "auth.sign_in_failed" },
            "user",
            Some(username.to_string()),
            json!({"client": client, "reason": if ok { "account_unusable" } else { "bad_credentials" }}),
        )
        .await?;
        if just_locked {
            return Err(locked(lock_until));
        }
        return Err(refused());
    }
    let user = user.expect("checked usable");
    svc.store.clear_login_failures(username).await?;
    // Dead sessions are deleted a day after they died, at the next sign-in: the table holds about
    // a day's sessions whatever the uptime (sign-ins themselves are in the audit ledger).
    svc.store.delete_dead_web_sessions(now - Duration::hours(DEAD_SESSION_KEEP_HOURS)).await?;
    let actor = crate::accounts::actor_for(svc, user).await?;
    let secret = random_hex(32);
    let csrf = random_hex(32);
    let expires_at = now + Duration::hours(ABSOLUTE_HOURS);
    svc.store
        .create_web_session(&WebSession {
            id_hash: auth::token_hash(&secret),
            user_id: actor.user_id,
            csrf: csrf.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at,
        })
        .await?;
    audit::record(svc, Some(&actor), "auth.sign_in", "user", Some(actor.username.clone()), json!({"client": client}))
        .await?;
    Ok(SignedIn { secret, csrf, actor, expires_at })
}

/// The user of a session cookie, if the session is live (not ended, expired or idle too long,
/// its account active). Each use keeps it alive.
pub async fn session_user(svc: &Services, secret: &str) -> Result<SessionUser> {
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ServiceError::Unauthenticated);
    }
    let now = svc.clock.now();
    let id_hash = auth::token_hash(secret);
    let idle_since = now - Duration::minutes(IDLE_MINUTES);
    let Some((session, user)) = svc.store.touch_web_session(&id_hash, now, idle_since).await? else {
        return Err(ServiceError::Unauthenticated);
    };
    let display_name = user.display_name.clone();
    let actor = crate::accounts::actor_for(svc, user).await?;
    Ok(SessionUser { actor, display_name, csrf: session.csrf, id_hash })
}

/// Signs out: the session ends at once.
pub async fn sign_out(svc: &Services, user: &SessionUser) -> Result<()> {
    svc.store.end_web_session(&user.id_hash, svc.clock.now()).await?;
    audit::record(svc, Some(&user.actor), "auth.sign_out", "user", Some(user.actor.username.clone()), json!({}))
        .await?;
    Ok(())
}

/// Changes the signed-in user's own password: the current one must be given, the new one must pass
/// the strength rule and differ from it. Every session of the user ends (the caller signs in again).
pub async fn change_password(svc: &Services, user: &SessionUser, current: &str, new: &str) -> Result<()> {
    let stored = svc.store.get_user(user.actor.user_id).await?.password_hash;
    if !stored.as_deref().is_some_and(|h| auth::verify_password(current, h)) {
        return Err(ServiceError::invalid("current_password", "wrong_password", "当前密码不正确"));
    }
    if current == new {
        return Err(ServiceError::invalid("new_password", "unchanged", "新密码不能与当前密码相同"));
    }
    let hash = auth::hash_password(new).map_err(|e| match e {
        ServiceError::Invalid(errs) => ServiceError::Invalid(domain::error::ValidationErrors(
            errs.0.into_iter().map(|f| domain::error::FieldError::new("new_password", &f.code, f.message)).collect(),
        )),
        other => other,
    })?;
    svc.store.set_password(user.actor.user_id, &hash).await?;
    let ended = svc.store.end_user_web_sessions(user.actor.user_id, svc.clock.now()).await?;
    audit::record(
        svc,
        Some(&user.actor),
        "auth.password_changed",
        "user",
        Some(user.actor.username.clone()),
        json!({"sessions_ended": ended}),
    )
    .await?;
    Ok(())
}

/// An argon2id hash of a random password nobody knows, checked for unknown usernames.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Lv0n6Ai4o0LgYrXxk6P5Qx2wI9m4bq7m1mWw3B3VfQ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_secret_compares_whole_strings() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }
}
