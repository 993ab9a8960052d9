//! Credentials: API tokens (random secrets, shown once, stored only as a SHA-256 hash) and
//! passwords (argon2id).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::account::Actor;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Result, ServiceError, Services};

/// Every token starts with this, so that leaked tokens can be recognised by secret scanners.
pub const TOKEN_PREFIX: &str = "gs_";

/// A new random token secret: `gs_` and 64 hex digits (256 bits).
pub fn new_token_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", hex::encode(bytes))
}

/// The stored form of a token: its SHA-256. A token has 256 random bits, so a fast hash is safe
/// here (passwords, which people choose, get argon2).
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    check_password_strength(password)?;
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let hashed: std::result::Result<PasswordHash, _> =
        Argon2::default().hash_password_with_salt(password.as_bytes(), &salt);
    hashed.map(|h| h.to_string()).map_err(|e| ServiceError::Internal(e.to_string().into()))
}

/// Whether a password matches a stored argon2 hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn check_password_strength(password: &str) -> Result<()> {
    let n = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if n < 10 || classes < 3 {
        return Err(ServiceError::invalid(
            "password",
            "weak_password",
            "密码至少10位，并包含大写字母、小写字母、数字、符号中的至少三类",
        ));
    }
    Ok(())
}

/// A random password that passes the strength rule (for first-run admins and demo accounts).
pub fn random_password() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    format!("Gs-{}-{}", hex::encode(&bytes[..6]), hex::encode(&bytes[6..]).to_uppercase())
}

/// The actor behind a bearer token, or `Unauthenticated`. Every use is recorded as the token's
/// `last_used_at`.
pub async fn authenticate(svc: &Services, secret: &str) -> Result<Actor> {
    let secret = secret.trim();
    if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
        return Err(ServiceError::Unauthenticated);
    }
    let found = svc.store.authenticate_token(&token_hash(secret), svc.clock.now()).await?;
    // A well-formed token that is unknown, revoked or expired, or whose account's system is
    // retired: recorded with its visible prefix only (never the secret).
    let prefix: String = secret.chars().take(10).collect();
    let rejected = |reason: &'static str| {
        crate::audit::record(
            svc,
            None,
            "auth.token_rejected",
            "token",
            None,
            serde_json::json!({"prefix": prefix, "reason": reason}),
        )
    };
    let Some((token, user)) = found else {
        rejected("unknown_or_expired").await?;
        return Err(ServiceError::Unauthenticated);
    };
    let actor = match crate::accounts::actor_for(svc, user).await {
        Ok(a) => a,
        Err(ServiceError::Unauthenticated) => {
            rejected("system_retired").await?;
            return Err(ServiceError::Unauthenticated);
        }
        Err(e) => return Err(e),
    };
    // Token use is recorded once per token per hour and process (each read of shared data is
    // audited on its own anyway).
    if svc.limits.first_use_this_hour(token.id, svc.clock.now()) {
        crate::audit::record(
            svc,
            Some(&actor),
            "auth.token_use",
            "token",
            Some(token.id.to_string()),
            serde_json::json!({"prefix": token.prefix, "name": token.name}),
        )
        .await?;
    }
    Ok(actor)
}

/// The actor behind a username and password (for the web console).
pub async fn login(svc: &Services, username: &str, password: &str) -> Result<Actor> {
    let user = svc.store.find_user_by_username(username.trim()).await?;
    match user {
        Some(u) if u.active && u.password_hash.as_deref().is_some_and(|h| verify_password(password, h)) => {
            let actor: Actor = crate::accounts::actor_for(svc, u).await?;
            crate::audit::record(
                svc,
                Some(&actor),
                "auth.login",
                "user",
                Some(actor.user_id.to_string()),
                serde_json::json!({}),
            )
            .await?;
            Ok(actor)
        }
        _ => {
            let name: String = username.trim().chars().take(64).collect();
            crate::audit::record(svc, None, "auth.login_failed", "user", None, serde_json::json!({"username": name}))
                .await?;
            Err(ServiceError::Unauthenticated)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token_secret();
        let b = new_token_secret();
        assert_ne!(a, b);
        assert!(a.starts_with("gs_") && a.len() == 67);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
        assert!(!token_hash(&a).contains(&a[3..]));
    }

    #[test]
    fn passwords() {
        assert!(hash_password("short").is_err());
        assert!(hash_password("alllowercaseletters").is_err());
        let h = hash_password("Correct-Horse-9").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Correct-Horse-9", &h));
        assert!(!verify_password("Correct-Horse-8", &h));
        assert!(!verify_password("x", "not a hash"));
        let p = random_password();
        assert!(hash_password(&p).is_ok(), "{p}");
    }
}
