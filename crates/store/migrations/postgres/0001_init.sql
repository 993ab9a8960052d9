-- govshare metadata schema, PostgreSQL dialect. Keep in step with ../sqlite/0001_init.sql:
-- same tables, same columns, same version numbers; only types and identity syntax differ.
-- Timestamps are RFC 3339 UTC text, dates YYYY-MM-DD text, JSON documents text.

CREATE TABLE platforms (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    region_code TEXT NOT NULL,
    parent_id BIGINT REFERENCES platforms(id),
    created_at TEXT NOT NULL,
    CONSTRAINT platforms_region_code UNIQUE (region_code, level)
);

CREATE TABLE departments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    credit_code TEXT,
    local_code TEXT,
    parent_id BIGINT REFERENCES departments(id),
    platform_id BIGINT NOT NULL REFERENCES platforms(id),
    created_at TEXT NOT NULL,
    CONSTRAINT departments_name UNIQUE (platform_id, name),
    CONSTRAINT departments_credit_code UNIQUE (credit_code),
    CONSTRAINT departments_local_code UNIQUE (local_code)
);

CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    roles TEXT NOT NULL,
    password_hash TEXT,
    active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT users_username UNIQUE (username)
);

CREATE TABLE tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT,
    CONSTRAINT tokens_hash UNIQUE (hash)
);

CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent TEXT REFERENCES categories(code)
);

CREATE TABLE code_sequences (
    prefix TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

CREATE TABLE resources (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    summary TEXT NOT NULL,
    share_type TEXT NOT NULL,
    open_type TEXT NOT NULL,
    format_class TEXT NOT NULL,
    update_cycle TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    published_at TEXT,
    CONSTRAINT resources_code UNIQUE (code)
);
CREATE INDEX resources_department ON resources (department_id);
CREATE INDEX resources_category ON resources (category);

CREATE TABLE resource_versions (
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    version BIGINT NOT NULL,
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    spec TEXT NOT NULL,
    diff TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    comment TEXT,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (resource_id, version)
);

CREATE TABLE duty_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    deadline TEXT NOT NULL,
    recorded_by BIGINT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE duty_change_items (
    change_id BIGINT NOT NULL REFERENCES duty_changes(id),
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    PRIMARY KEY (change_id, resource_id)
);

CREATE TABLE audit_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT,
    username TEXT,
    department_id BIGINT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT,
    detail TEXT NOT NULL
);

-- The audit trail is append-only, in the database too.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
