//! Web sessions: live ones are found and kept, dead ones (ended, expired, idle) are deleted by
//! `delete_dead_web_sessions` and by nothing else — run against every backend.

use std::sync::Arc;

use domain::account::Role;
use store::model::*;
use store::{Store, WebSession};

use super::{platform_and_dept, postgres, sqlite, t};

both!(dead_web_sessions_are_deleted_live_ones_stay);

async fn dead_web_sessions_are_deleted_live_ones_stay(s: Arc<dyn Store>) {
    let (_, did) = platform_and_dept(&s).await;
    let new = NewUser {
        username: "li".into(),
        display_name: "李四".into(),
        department_id: did,
        roles: vec![Role::CatalogEditor],
        password_hash: None,
        system_id: None,
    };
    let u = s.create_user(&new, t(0)).await.unwrap();
    let session = |id: &str, created: u32, last_seen: u32, expires: u32| WebSession {
        id_hash: id.into(),
        user_id: u.id,
        csrf: format!("csrf-{id}"),
        created_at: t(created),
        last_seen_at: t(last_seen),
        expires_at: t(expires),
    };
    // At t(10), deleting what died before t(8):
    s.create_web_session(&session("ended", 1, 2, 13)).await.unwrap(); // ended at t(3)
    s.end_web_session("ended", t(3)).await.unwrap();
    s.create_web_session(&session("expired", 1, 6, 7)).await.unwrap(); // expired at t(7)
    s.create_web_session(&session("idle", 4, 5, 16)).await.unwrap(); // last used t(5)
    s.create_web_session(&session("ended_late", 8, 9, 20)).await.unwrap(); // ended t(9): kept
    s.end_web_session("ended_late", t(9)).await.unwrap();
    s.create_web_session(&session("live", 8, 9, 20)).await.unwrap();
    s.create_web_session(&session("just_used", 7, 8, 19)).await.unwrap(); // used exactly at t(8): kept

    assert_eq!(s.delete_dead_web_sessions(t(8)).await.unwrap(), 3);
    assert_eq!(s.delete_dead_web_sessions(t(8)).await.unwrap(), 0, "nothing left to delete");
    let idle_since = t(0);
    for gone in ["ended", "expired", "idle"] {
        assert!(s.touch_web_session(gone, t(10), idle_since).await.unwrap().is_none(), "{gone}");
    }
    for live in ["live", "just_used"] {
        let (found, user) = s.touch_web_session(live, t(10), idle_since).await.unwrap().expect(live);
        assert_eq!((found.csrf, user.id), (format!("csrf-{live}"), u.id));
    }
    // The ended one that died after the cut is still there (ended, so not live): a later cut takes it.
    assert!(s.touch_web_session("ended_late", t(10), idle_since).await.unwrap().is_none());
    assert_eq!(s.delete_dead_web_sessions(t(10)).await.unwrap(), 1);
}
