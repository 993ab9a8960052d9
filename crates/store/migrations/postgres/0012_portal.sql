-- The open-data portal's public side (seed 002): developers' API keys (only the SHA-256 of each
-- key is kept, like API tokens), apps submitted to the showcase (shown once a coordinator
-- approved them), and applications for conditionally open data (有条件开放) answered by the
-- providing department. Keep in step with ../sqlite/0012_portal.sql: the two differ only in the
-- identity columns.

CREATE TABLE developer_keys (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_hash TEXT NOT NULL,
    prefix TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT,
    email TEXT NOT NULL,
    intended_use TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT,
    calls BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT developer_keys_key_hash UNIQUE (key_hash)
);

CREATE TABLE portal_apps (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    url TEXT NOT NULL,
    developer TEXT NOT NULL,
    contact TEXT NOT NULL,
    -- JSON array of the codes of the open datasets the app uses.
    datasets TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    submitted_at TEXT NOT NULL,
    reviewed_at TEXT,
    reviewed_by BIGINT REFERENCES users(id)
);
CREATE INDEX portal_apps_status ON portal_apps (status, id);

CREATE TABLE open_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference TEXT NOT NULL,
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    applicant TEXT NOT NULL,
    organisation TEXT NOT NULL,
    contact TEXT NOT NULL,
    purpose TEXT NOT NULL,
    intended_use TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    deadline TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    answered_at TEXT,
    answered_by BIGINT REFERENCES users(id),
    CONSTRAINT open_requests_reference UNIQUE (reference)
);
CREATE INDEX open_requests_department ON open_requests (department_id, id);
