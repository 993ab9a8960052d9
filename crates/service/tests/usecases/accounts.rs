//! Tokens (shown once, stored as a hash, revocable, expiring), passwords and roles
//! (三员分立: nobody is auditor and anything else; an admin cannot lock themself out).

use domain::account::Role;
use service::accounts::{self, UserInput};
use service::{ServiceError, auth};
use store::model::PageRequest;

use crate::world::*;

fn input(username: &str, dept: i64, roles: Vec<Role>, password: Option<&str>) -> UserInput {
    UserInput {
        username: username.into(),
        display_name: format!("{username}的姓名"),
        department_id: dept,
        roles,
        password: password.map(str::to_string),
    }
}

#[tokio::test]
async fn tokens_authenticate_until_revoked_and_only_their_owner_revokes_them() {
    let w = World::new().await;
    let svc = &w.svc;
    let issued = accounts::create_token(svc, &w.editor_a, "数据同步脚本", None).await.unwrap();
    assert!(issued.secret.starts_with(auth::TOKEN_PREFIX) && issued.secret.len() == 67, "{}", issued.secret);
    assert_eq!(issued.token.user_id, w.editor_a.user_id);
    assert_eq!(issued.token.prefix, issued.secret[..10]);

    w.at(start() + chrono::Duration::minutes(5));
    let who = auth::authenticate(svc, &issued.secret).await.unwrap();
    assert_eq!(who, w.editor_a);
    // Surrounding blanks (as pasted from a terminal) are tolerated.
    assert_eq!(auth::authenticate(svc, &format!(" {} ", issued.secret)).await.unwrap(), w.editor_a);
    let listed = accounts::list_tokens(svc, &w.editor_a).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, Some(start() + chrono::Duration::minutes(5)));
    assert!(accounts::list_tokens(svc, &w.editor_b).await.unwrap().is_empty());

    // Wrong secrets.
    for bad in [
        "",
        "gs_",
        "Bearer x",
        &issued.secret[..66],
        format!("{}{}", &issued.secret[..66], if issued.secret.ends_with('0') { '1' } else { '0' }).as_str(),
        "x".repeat(300).as_str(),
    ] {
        let e = auth::authenticate(svc, bad).await;
        assert!(matches!(e, Err(ServiceError::Unauthenticated)), "{bad:?}: {e:?}");
    }

    // Another user cannot revoke it (and learns nothing: not found).
    let e = accounts::revoke_token(svc, &w.editor_b, issued.token.id).await;
    assert!(matches!(e, Err(ServiceError::NotFound(_))), "{e:?}");
    let e = accounts::revoke_token(svc, &w.admin, issued.token.id).await;
    assert!(matches!(e, Err(ServiceError::NotFound(_))), "{e:?}");
    assert_eq!(auth::authenticate(svc, &issued.secret).await.unwrap(), w.editor_a);

    w.at(start() + chrono::Duration::minutes(10));
    let revoked = accounts::revoke_token(svc, &w.editor_a, issued.token.id).await.unwrap();
    assert_eq!(revoked.revoked_at, Some(start() + chrono::Duration::minutes(10)));
    let e = auth::authenticate(svc, &issued.secret).await;
    assert!(matches!(e, Err(ServiceError::Unauthenticated)), "{e:?}");
}

#[tokio::test]
async fn token_secrets_are_never_stored() {
    let w = World::new().await;
    let svc = &w.svc;
    let issued = accounts::create_token(svc, &w.approver_a, "审核脚本", Some(30)).await.unwrap();
    let listed = w.svc.store.list_tokens(w.approver_a.user_id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].prefix.len(), 10);
    assert!(issued.secret.starts_with(&listed[0].prefix));
    // Nor anywhere in the database files (main file and write-ahead log), nor the audit trail.
    let body = &issued.secret[10..];
    for name in ["govshare.db", "govshare.db-wal"] {
        let path = w.dir.path().join(name);
        if let Ok(bytes) = std::fs::read(&path) {
            let hay = String::from_utf8_lossy(&bytes);
            assert!(!hay.contains(body), "{name} holds the token secret");
        }
    }
    for e in w.audit().await {
        assert!(!e.detail.to_string().contains(body), "audit event {} holds the secret", e.action);
    }
}

#[tokio::test]
async fn tokens_expire_and_die_with_their_user() {
    let w = World::new().await;
    let svc = &w.svc;
    let short = accounts::create_token(svc, &w.editor_a, "一天", Some(1)).await.unwrap();
    assert_eq!(short.token.expires_at, Some(start() + chrono::Duration::days(1)));
    let forever = accounts::create_token(svc, &w.editor_a, "长期", None).await.unwrap();
    w.at(start() + chrono::Duration::hours(23));
    assert_eq!(auth::authenticate(svc, &short.secret).await.unwrap(), w.editor_a);
    w.at(start() + chrono::Duration::days(1) + chrono::Duration::seconds(1));
    let e = auth::authenticate(svc, &short.secret).await;
    assert!(matches!(e, Err(ServiceError::Unauthenticated)), "{e:?}");
    assert_eq!(auth::authenticate(svc, &forever.secret).await.unwrap(), w.editor_a);

    for (name, days, field) in
        [("零天", Some(0), "valid_days"), ("太久", Some(3661), "valid_days"), ("  ", None, "name")]
    {
        let e = err(accounts::create_token(svc, &w.editor_a, name, days).await);
        assert_eq!(fields(&e), [field]);
    }
    assert_eq!(accounts::list_tokens(svc, &w.editor_a).await.unwrap().len(), 2);

    // Deactivating the user kills every token of theirs, and their password.
    let u = accounts::create_user(
        svc,
        &w.admin,
        input("leaver", w.a.id, vec![Role::CatalogEditor], Some("Leaver-Pass-2026")),
    )
    .await
    .unwrap();
    let leaver = actor(&u);
    let t = accounts::create_token(svc, &leaver, "离职前", None).await.unwrap();
    assert_eq!(auth::authenticate(svc, &t.secret).await.unwrap(), leaver);
    assert_eq!(auth::login(svc, "leaver", "Leaver-Pass-2026").await.unwrap(), leaver);
    accounts::update_user(svc, &w.admin, u.id, vec![Role::CatalogEditor], false).await.unwrap();
    assert!(matches!(auth::authenticate(svc, &t.secret).await, Err(ServiceError::Unauthenticated)));
    assert!(matches!(auth::login(svc, "leaver", "Leaver-Pass-2026").await, Err(ServiceError::Unauthenticated)));
}

#[tokio::test]
async fn passwords_are_strong_hashed_and_checked() {
    let w = World::new().await;
    let svc = &w.svc;
    let users = svc.store.count_users().await.unwrap();
    for weak in ["short1A!", "alllowercaseletters", "ALLUPPERCASE123", "1234567890123"] {
        let e = accounts::create_user(svc, &w.admin, input("weakling", w.a.id, vec![Role::DataConsumer], Some(weak)))
            .await
            .unwrap_err();
        assert_eq!(fields(&e), ["password"], "{weak}");
    }
    assert_eq!(svc.store.count_users().await.unwrap(), users, "no user created");

    let u = accounts::create_user(
        svc,
        &w.admin,
        input("zhangsan", w.a.id, vec![Role::DataConsumer], Some("Correct-Horse-9")),
    )
    .await
    .unwrap();
    let stored = svc.store.get_user(u.id).await.unwrap().password_hash.unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains("Correct-Horse-9"), "{stored}");
    assert_eq!(auth::login(svc, "zhangsan", "Correct-Horse-9").await.unwrap(), actor(&u));
    assert_eq!(auth::login(svc, " zhangsan ", "Correct-Horse-9").await.unwrap().user_id, u.id);
    for (name, pw) in [
        ("zhangsan", "Correct-Horse-8"),
        ("zhangsan", ""),
        ("zhangsan", "correct-horse-9"),
        ("nobody", "Correct-Horse-9"),
    ] {
        let e = auth::login(svc, name, pw).await;
        assert!(matches!(e, Err(ServiceError::Unauthenticated)), "{name}/{pw}: {e:?}");
    }
    // A token-only account has no password to log in with.
    assert!(matches!(auth::login(svc, "gaj_editor", "").await, Err(ServiceError::Unauthenticated)));
}

#[tokio::test]
async fn three_role_separation_and_admins_cannot_lock_themselves_out() {
    let w = World::new().await;
    let svc = &w.svc;
    let users = svc.store.count_users().await.unwrap();
    for roles in [vec![Role::Auditor, Role::Admin], vec![Role::Auditor, Role::CatalogEditor], vec![]] {
        let e = accounts::create_user(svc, &w.admin, input("mixed", w.ops_id, roles.clone(), None)).await.unwrap_err();
        assert_eq!(fields(&e), ["roles"], "{roles:?}");
    }
    let e = accounts::create_user_unchecked(svc, input("mixed", w.ops_id, vec![Role::Admin, Role::Auditor], None))
        .await
        .unwrap_err();
    assert_eq!(fields(&e), ["roles"]);
    assert_eq!(svc.store.count_users().await.unwrap(), users);
    // Nor by a later change of roles.
    let e = accounts::update_user(svc, &w.admin, w.auditor.user_id, vec![Role::Auditor, Role::Admin], true)
        .await
        .unwrap_err();
    assert_eq!(fields(&e), ["roles"]);
    assert_eq!(svc.store.get_user(w.auditor.user_id).await.unwrap().roles, [Role::Auditor]);

    // An admin cannot deactivate themself nor drop their own admin role.
    let e = accounts::update_user(svc, &w.admin, w.admin.user_id, vec![Role::Admin], false).await;
    assert!(matches!(e, Err(ServiceError::Conflict(_))), "{e:?}");
    let e = accounts::update_user(svc, &w.admin, w.admin.user_id, vec![Role::Coordinator], true).await;
    assert!(matches!(e, Err(ServiceError::Conflict(_))), "{e:?}");
    let me = svc.store.get_user(w.admin.user_id).await.unwrap();
    assert!(me.active && me.roles == [Role::Admin]);

    // Only admins manage users; a second admin may deactivate the first.
    for who in [&w.editor_a, &w.coordinator, &w.approver_a] {
        let e = accounts::create_user(svc, who, input("someone", w.a.id, vec![Role::DataConsumer], None)).await;
        assert!(matches!(e, Err(ServiceError::Forbidden(_))), "{}: {e:?}", who.username);
    }
    let admin2 =
        accounts::create_user(svc, &w.admin, input("admin2", w.ops_id, vec![Role::Admin], None)).await.unwrap();
    let off = accounts::update_user(svc, &actor(&admin2), w.admin.user_id, vec![Role::Admin], false).await.unwrap();
    assert!(!off.active);
    // Bad usernames and duplicates.
    let e = accounts::create_user(svc, &actor(&admin2), input("9lives", w.a.id, vec![Role::DataConsumer], None))
        .await
        .unwrap_err();
    assert_eq!(fields(&e), ["username"]);
    let e =
        accounts::create_user(svc, &actor(&admin2), input("gaj_editor", w.a.id, vec![Role::DataConsumer], None)).await;
    assert!(matches!(e, Err(ServiceError::Conflict(_))), "{e:?}");
    // A user reads themself; only admins read others.
    assert_eq!(accounts::get_user(svc, &w.editor_a, w.editor_a.user_id).await.unwrap().username, "gaj_editor");
    assert!(matches!(accounts::get_user(svc, &w.editor_a, w.editor_b.user_id).await, Err(ServiceError::Forbidden(_))));
    assert!(accounts::list_users(svc, &actor(&admin2), Some(w.a.id), PageRequest::default()).await.unwrap().total >= 3);
}
