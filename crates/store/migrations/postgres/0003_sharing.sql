-- Sharing, PostgreSQL dialect: applications (共享申请) with their steps, grants (授权) with theirs,
-- daily usage against a grant's quota, agreements (共享协议、安全保密协议) and feedback (使用效果反馈).
-- Keep in step with ../sqlite/0003_sharing.sql: same tables, same columns; only identity syntax,
-- the forward reference applications.grant_id → grants and trigger syntax differ.

CREATE TABLE applications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    provider_department_id BIGINT NOT NULL REFERENCES departments(id),
    consumer_department_id BIGINT NOT NULL REFERENCES departments(id),
    applicant_id BIGINT NOT NULL REFERENCES users(id),
    status TEXT NOT NULL,
    terms TEXT NOT NULL,
    received_on TEXT NOT NULL,
    reply_due TEXT NOT NULL,
    due_provisional BOOLEAN NOT NULL,
    decision TEXT,
    grant_id BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision BIGINT NOT NULL
);
CREATE INDEX applications_resource ON applications (resource_id);
CREATE INDEX applications_provider ON applications (provider_department_id, status);
CREATE INDEX applications_consumer ON applications (consumer_department_id, status);
CREATE INDEX applications_due ON applications (status, reply_due);

CREATE TABLE application_steps (
    application_id BIGINT NOT NULL REFERENCES applications(id),
    seq BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT,
    party TEXT NOT NULL,
    note TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (application_id, seq)
);

CREATE TABLE grants (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    provider_department_id BIGINT NOT NULL REFERENCES departments(id),
    consumer_department_id BIGINT NOT NULL REFERENCES departments(id),
    application_id BIGINT REFERENCES applications(id),
    status TEXT NOT NULL,
    terms TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    issued_by BIGINT NOT NULL,
    issued_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision BIGINT NOT NULL
);
CREATE INDEX grants_resource_consumer ON grants (resource_id, consumer_department_id);
CREATE INDEX grants_provider ON grants (provider_department_id, status);
CREATE INDEX grants_consumer ON grants (consumer_department_id, status);
CREATE INDEX grants_expiry ON grants (status, valid_until);

CREATE TABLE grant_steps (
    grant_id BIGINT NOT NULL REFERENCES grants(id),
    seq BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT,
    reason TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (grant_id, seq)
);

CREATE TABLE grant_usage (
    grant_id BIGINT NOT NULL REFERENCES grants(id),
    day TEXT NOT NULL,
    rows BIGINT NOT NULL,
    PRIMARY KEY (grant_id, day)
);

CREATE TABLE agreements (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grant_id BIGINT NOT NULL REFERENCES grants(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    object_path TEXT NOT NULL,
    filed_by BIGINT NOT NULL,
    filed_at TEXT NOT NULL
);
CREATE INDEX agreements_grant ON agreements (grant_id);

CREATE TABLE feedback (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grant_id BIGINT NOT NULL REFERENCES grants(id),
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    rating BIGINT NOT NULL,
    effect TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX feedback_resource ON feedback (resource_id);
CREATE INDEX feedback_grant ON feedback (grant_id);

-- grants is created after applications (it references them), so the reference back is added here.
ALTER TABLE applications ADD CONSTRAINT applications_grant FOREIGN KEY (grant_id) REFERENCES grants(id);

-- The steps of applications and grants are their history: append-only, in the database too.
CREATE FUNCTION sharing_steps_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER application_steps_no_update BEFORE UPDATE OR DELETE ON application_steps
FOR EACH ROW EXECUTE FUNCTION sharing_steps_append_only();
CREATE TRIGGER application_steps_no_truncate BEFORE TRUNCATE ON application_steps
FOR EACH STATEMENT EXECUTE FUNCTION sharing_steps_append_only();
CREATE TRIGGER grant_steps_no_update BEFORE UPDATE OR DELETE ON grant_steps
FOR EACH ROW EXECUTE FUNCTION sharing_steps_append_only();
CREATE TRIGGER grant_steps_no_truncate BEFORE TRUNCATE ON grant_steps
FOR EACH STATEMENT EXECUTE FUNCTION sharing_steps_append_only();
