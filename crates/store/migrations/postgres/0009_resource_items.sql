-- 一数一源 without reading the whole catalogue: every data item of every entry that is not
-- withdrawn, with what overlap detection and the duplicates report match on (domain::elements),
-- indexed by normalised name and by identifier kind. An overlap check reads only the items whose
-- name_key is one of the draft's names or synonyms, or whose identifier kind it declares; the
-- duplicates report counts items per name_key in SQL and reads only those several departments hold.
--
-- The table is derived from resources.spec and only the store writes it: in the transaction that
-- creates or updates the entry, all of an entry's rows at once (none while it is withdrawn).
-- department_id, status and classified are the entry's, copied so that the visibility rule
-- (published and not classified, domain::catalog::visible_to_all) is decided on the indexed rows.
-- name_key is domain::text::name_key of the item's name (width, case and traditional script
-- folded, punctuation dropped), computed in Rust, so this migration cannot fill the table. The store
-- does when it opens: resources.items_version is the entry version its rows were derived from, and
-- every entry whose items_version is not its version (all of them after this migration; entries
-- written by a node older than this migration during a rolling upgrade) is derived again.
-- resources.provider_name is the spec's 提供方, for the entries an overlap names.
-- Keep in step with ../sqlite/0009_resource_items.sql: same statements.

CREATE TABLE resource_items (
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    position BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    classified INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    identifier TEXT,
    data_type TEXT NOT NULL,
    decision TEXT,
    PRIMARY KEY (resource_id, position)
);
-- Lookup by name, and the duplicates report's GROUP BY name_key, data_type, identifier (covering).
CREATE INDEX resource_items_key ON resource_items (name_key, data_type, identifier, department_id);
CREATE INDEX resource_items_identifier ON resource_items (identifier) WHERE identifier IS NOT NULL;

ALTER TABLE resources ADD COLUMN provider_name TEXT;
ALTER TABLE resources ADD COLUMN items_version BIGINT;
-- The entries whose items are behind: empty once the store has caught up.
CREATE INDEX resources_items_behind ON resources (id) WHERE items_version IS NULL OR items_version <> version;
