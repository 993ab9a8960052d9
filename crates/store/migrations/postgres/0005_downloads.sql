-- Bulk downloads (部门批量下载), each recorded before its first byte leaves, with the seed of the
-- per-recipient fingerprint that ordered its rows (国发〔2016〕51号 第十四条, data::fingerprint):
-- from a leaked copy, `govshare trace` finds the download, hence the grant, user and department.
-- Evidence, so append-only in the database too.
-- Keep in step with ../sqlite/0005_downloads.sql: same table, same columns; only identity and
-- trigger syntax differ.

CREATE TABLE downloads (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    grant_id BIGINT REFERENCES grants(id),
    seed TEXT NOT NULL,
    key_fields TEXT NOT NULL,
    format TEXT NOT NULL,
    row_count BIGINT,
    at TEXT NOT NULL,
    FOREIGN KEY (resource_id, version) REFERENCES dataset_versions(resource_id, version)
);
CREATE INDEX downloads_resource ON downloads (resource_id);

CREATE FUNCTION downloads_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER downloads_no_update BEFORE UPDATE OR DELETE ON downloads
FOR EACH ROW EXECUTE FUNCTION downloads_append_only();
CREATE TRIGGER downloads_no_truncate BEFORE TRUNCATE ON downloads
FOR EACH STATEMENT EXECUTE FUNCTION downloads_append_only();
