-- Departments' business information systems (业务信息系统, 国发〔2016〕51号 第十一条、第十二条) and the
-- accounts bound to them: a grant can name systems, and only accounts of a named system read
-- through it. Keep in step with ../sqlite/0008_information_systems.sql: only the identity
-- column differs.

CREATE TABLE systems (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    name TEXT NOT NULL,
    description TEXT,
    active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT systems_department_name UNIQUE (department_id, name)
);

-- An account's system is fixed when the account is created (NULL: a person).
ALTER TABLE users ADD COLUMN system_id BIGINT REFERENCES systems(id);
CREATE INDEX users_system ON users (system_id);
