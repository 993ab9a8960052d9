-- The register of data elements (数据元) with the one department responsible for collecting each:
-- the 信息采集责任公开目录 of 一数一源 (国发〔2016〕51号 第五条(三)). An element is revised in place
-- (version + 1) and retired rather than deleted, so that decisions recorded on catalogue entries
-- keep pointing at something. Only live elements need unique names.
-- Keep in step with ../sqlite/0006_data_elements.sql: same table, same columns; only identity
-- syntax differs.

CREATE TABLE data_elements (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    spec TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    retired_at TEXT,
    retired_reason TEXT
);
CREATE UNIQUE INDEX data_elements_name_key ON data_elements (name_key) WHERE retired_at IS NULL;
CREATE INDEX data_elements_department ON data_elements (department_id);
