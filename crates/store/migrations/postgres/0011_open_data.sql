-- 政府数据开放 (seed 002): the confidentiality review (保密审查) of a version of a resource's data
-- before it is opened to the public, the openings themselves, and the public use counted per day.
-- Keep in step with ../sqlite/0011_open_data.sql: the two differ only in the identity columns.

-- One reviewer decision per flagged column of a version (remove, mask, sign off), as JSON of
-- domain::open::ColumnDecision. A newer version is reviewed afresh.
CREATE TABLE open_column_decisions (
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    version BIGINT NOT NULL,
    column_name TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_by BIGINT NOT NULL REFERENCES users(id),
    decided_at TEXT NOT NULL,
    PRIMARY KEY (resource_id, version, column_name)
);

-- An opening names the version it opens, the public fields and the masks. At most one opening of
-- a resource is current (closed_at NULL); closed ones are kept.
CREATE TABLE openings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    version BIGINT NOT NULL,
    fields TEXT NOT NULL,
    masks TEXT NOT NULL,
    opened_by BIGINT NOT NULL REFERENCES users(id),
    opened_at TEXT NOT NULL,
    closed_by BIGINT REFERENCES users(id),
    closed_at TEXT
);
CREATE UNIQUE INDEX openings_current ON openings (resource_id) WHERE closed_at IS NULL;

-- Public reads per resource, day and kind (view, download, api).
CREATE TABLE open_usage (
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (resource_id, day, kind)
);
