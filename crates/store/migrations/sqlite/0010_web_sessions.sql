-- Sign-in to the web console: sessions (only the SHA-256 of each session's secret is kept, like
-- API tokens) and the failed sign-ins that lock a username for a while. Keep in step with
-- ../postgres/0010_web_sessions.sql: the two are identical.

CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Keyed by the username typed, whether or not such an account exists, so that a lockout tells
-- nothing about which usernames exist.
CREATE TABLE login_failures (
    username TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failed_at TEXT NOT NULL,
    locked_until TEXT
);
