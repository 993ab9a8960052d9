-- The tamper-evident audit log (RFC 6962 Merkle log over the audit events, Ed25519-signed
-- checkpoints): see crates/ledger. `audit_leaves` gives every event a gap-free position (seq) and
-- the leaf hash of its content at that position; `audit_checkpoints` holds the signed tree heads.
-- Events recorded before this migration are given leaves by the server at start-up, in id order.
-- Appends take `LOCK TABLE audit_leaves IN SHARE ROW EXCLUSIVE MODE` so that positions are
-- assigned one writer at a time (an identity column would leave gaps on rollback).
CREATE TABLE audit_leaves (
    seq BIGINT PRIMARY KEY,
    event_id BIGINT NOT NULL UNIQUE REFERENCES audit_events(id),
    leaf_hash TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root TEXT NOT NULL,
    at TEXT NOT NULL,
    origin TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    frontier TEXT NOT NULL
);

CREATE FUNCTION audit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE OR DELETE ON audit_leaves
FOR EACH ROW EXECUTE FUNCTION audit_ledger_append_only();
CREATE TRIGGER audit_leaves_no_truncate BEFORE TRUNCATE ON audit_leaves
FOR EACH STATEMENT EXECUTE FUNCTION audit_ledger_append_only();
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
FOR EACH ROW EXECUTE FUNCTION audit_ledger_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
FOR EACH STATEMENT EXECUTE FUNCTION audit_ledger_append_only();
