-- Published dataset versions. The row is the commit point of a publish: files written to the
-- object store become visible only when their version row exists (see crates/data).
CREATE TABLE dataset_versions (
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    version BIGINT NOT NULL,
    mode TEXT NOT NULL,
    files TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    byte_size BIGINT NOT NULL,
    data_items TEXT NOT NULL,
    rejected_rows BIGINT NOT NULL,
    published_by BIGINT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (resource_id, version)
);
