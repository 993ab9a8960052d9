-- The tamper-evident audit log (RFC 6962 Merkle log over the audit events, Ed25519-signed
-- checkpoints): see crates/ledger. `audit_leaves` gives every event a gap-free position (seq) and
-- the leaf hash of its content at that position; `audit_checkpoints` holds the signed tree heads.
-- Events recorded before this migration are given leaves by the server at start-up, in id order.
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
    -- The Merkle frontier at tree_size (JSON), so that a restart resumes without replaying.
    frontier TEXT NOT NULL
);

CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE ON audit_leaves
BEGIN SELECT RAISE(ABORT, 'audit_leaves is append-only'); END;
CREATE TRIGGER audit_leaves_no_delete BEFORE DELETE ON audit_leaves
BEGIN SELECT RAISE(ABORT, 'audit_leaves is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
