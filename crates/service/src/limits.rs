//! Per-user rate limits for reads that could be used to probe data one guess at a time
//! (核验: "does this ID number have this name?"). In memory, per server process: a fixed window
//! per minute. A cluster of servers multiplies the allowance by its size; the grant's daily row
//! quota (kept in the store) is the limit that holds across servers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::ServiceError;

/// The limits of one server.
#[derive(Clone)]
pub struct Limits {
    pub verify: Arc<RateLimiter>,
    /// Token id → the hour (Unix hours) its use was last recorded.
    token_hours: Arc<Mutex<HashMap<i64, i64>>>,
}

impl Limits {
    pub fn new(verify_per_minute: u32) -> Limits {
        Limits {
            verify: Arc::new(RateLimiter::new("核验", verify_per_minute)),
            token_hours: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Whether this is the token's first use in this process this hour.
    pub fn first_use_this_hour(&self, token_id: i64, now: DateTime<Utc>) -> bool {
        let hour = now.timestamp().div_euclid(3600);
        let Ok(mut m) = self.token_hours.lock() else { return true };
        if m.len() > 100_000 {
            m.retain(|_, h| *h == hour);
        }
        m.insert(token_id, hour) != Some(hour)
    }
}

/// At most `max` hits per key in each fixed window of `secs` seconds (windows aligned on the Unix
/// epoch), in memory. The one counter behind every in-process limit: per user ([`RateLimiter`]),
/// per API key and per client address (`developers::PortalLimits`).
pub struct FixedWindow<K> {
    secs: i64,
    max: u32,
    /// Key → (window number, hits in it).
    windows: Mutex<HashMap<K, (i64, u32)>>,
}

/// Keys kept before the windows that have passed are dropped.
const MAX_KEYS: usize = 100_000;

impl<K: std::hash::Hash + Eq> FixedWindow<K> {
    pub fn new(secs: i64, max: u32) -> FixedWindow<K> {
        FixedWindow { secs: secs.max(1), max, windows: Mutex::new(HashMap::new()) }
    }

    /// The hits allowed per window.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Counts a hit of `key`; false (and not counted) when the key's window is used up.
    pub fn hit<Q>(&self, key: &Q, now: DateTime<Utc>) -> bool
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let window = now.timestamp().div_euclid(self.secs);
        // Counters stay consistent whatever panicked while holding the lock.
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() > MAX_KEYS {
            w.retain(|_, (n, _)| *n == window);
        }
        if !w.contains_key(key) {
            w.insert(key.to_owned(), (window, 0));
        }
        let Some(entry) = w.get_mut(key) else { return false };
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.max {
            return false;
        }
        entry.1 += 1;
        true
    }
}

/// At most `per_minute` calls per user per calendar minute.
pub struct RateLimiter {
    what: &'static str,
    window: FixedWindow<i64>,
}

impl RateLimiter {
    pub fn new(what: &'static str, per_minute: u32) -> RateLimiter {
        RateLimiter { what, window: FixedWindow::new(60, per_minute) }
    }

    /// Counts a call, or refuses it when the user's minute is used up.
    pub fn check(&self, user_id: i64, now: DateTime<Utc>) -> Result<(), ServiceError> {
        if self.window.hit(&user_id, now) {
            Ok(())
        } else {
            Err(ServiceError::RateLimited(format!(
                "{}请求过于频繁：每人每分钟最多{}次，请稍后再试",
                self.what,
                self.window.max()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_per_user_per_minute() {
        let l = RateLimiter::new("核验", 3);
        let t = DateTime::parse_from_rfc3339("2026-11-23T08:00:10Z").unwrap().with_timezone(&Utc);
        for _ in 0..3 {
            l.check(1, t).unwrap();
        }
        let e = l.check(1, t).unwrap_err();
        assert!(matches!(e, ServiceError::RateLimited(ref m) if m.contains("每人每分钟最多3次")), "{e}");
        l.check(2, t).unwrap();
        l.check(1, t + chrono::Duration::seconds(50)).unwrap();
    }

    #[test]
    fn fixed_windows_count_each_key_apart_and_start_again_each_window() {
        let w: FixedWindow<String> = FixedWindow::new(3600, 2);
        let t = DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z").unwrap().with_timezone(&Utc);
        let (a, b) = ("198.51.100.1", "198.51.100.2");
        assert!(w.hit(a, t) && w.hit(a, t + chrono::Duration::minutes(59)));
        assert!(!w.hit(a, t + chrono::Duration::minutes(59)), "a's hour is used up");
        assert!(!w.hit(a, t), "the same hour, whenever in it");
        assert!(w.hit(b, t) && w.hit(b, t), "another address has its own count");
        assert!(!w.hit(b, t));
        // The next window (aligned on the hour) starts again.
        assert!(w.hit(a, t + chrono::Duration::hours(1)));
        assert!(w.hit(a, t + chrono::Duration::hours(1)));
        assert!(!w.hit(a, t + chrono::Duration::hours(1) + chrono::Duration::minutes(30)));
        // A limit of 0 allows nothing.
        let none: FixedWindow<i64> = FixedWindow::new(60, 0);
        assert!(!none.hit(&1, t));
    }
}
