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

/// At most `per_minute` calls per user per calendar minute.
pub struct RateLimiter {
    what: &'static str,
    per_minute: u32,
    windows: Mutex<HashMap<i64, (i64, u32)>>,
}

impl RateLimiter {
    pub fn new(what: &'static str, per_minute: u32) -> RateLimiter {
        RateLimiter { what, per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts a call, or refuses it when the user's minute is used up.
    pub fn check(&self, user_id: i64, now: DateTime<Utc>) -> Result<(), ServiceError> {
        let minute = now.timestamp().div_euclid(60);
        let mut w = self.windows.lock().map_err(|_| ServiceError::Internal("rate limiter poisoned".into()))?;
        if w.len() > 10_000 {
            w.retain(|_, (m, _)| *m == minute);
        }
        let entry = w.entry(user_id).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        if entry.1 >= self.per_minute {
            return Err(ServiceError::RateLimited(format!(
                "{}请求过于频繁：每人每分钟最多{}次，请稍后再试",
                self.what, self.per_minute
            )));
        }
        entry.1 += 1;
        Ok(())
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
}
