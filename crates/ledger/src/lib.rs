//! The mathematics of govshare's tamper-evident audit log.
//!
//! 国发〔2016〕51号 asks for 全过程管理 of shared information: 第十四条 makes the using department
//! manage the whole process of its use, and 第二十条 asks for security assurance over the whole
//! process of collection, sharing and use.
//! An audit trail only supports that if an edit, a deletion or a reordering of its records can be
//! detected afterwards, also by someone who does not trust the database.
//! This crate is that detection, and nothing else: it does no I/O, has no `async` and reads no clock.
//!
//! The log is a Merkle tree as in RFC 6962 (Certificate Transparency), §2.1:
//!
//! - [`hash`]: the leaf and node hashes (`SHA-256(0x00 || d)`, `SHA-256(0x01 || l || r)`), the
//!   [`Hash`] type, and [`entry_leaf`], the leaf of one audit event.
//! - [`tree`]: the Merkle Tree Hash [`mth`] and [`MerkleLog`], the O(log n) frontier that the server
//!   appends to and persists.
//! - [`proof`]: inclusion proofs (audit paths, §2.1.1) and consistency proofs (§2.1.2), with their
//!   verification (the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, which check RFC 6962 proofs).
//! - [`checkpoint`]: signed tree heads in the text form of C2SP tlog-checkpoint, signed with Ed25519,
//!   and the key helpers.
//! - [`verify`]: [`verify_log`], which replays the stored log against its checkpoints and names the
//!   first record that does not fit, in Chinese.

pub mod checkpoint;
mod error;
pub mod hash;
pub mod proof;
pub mod tree;
pub mod verify;

pub use checkpoint::{
    Checkpoint, SignedCheckpoint, SigningKey, VerifyingKey, key_id, sign, signing_key_from_bytes,
    signing_key_from_text, signing_key_to_text, verify, verifying_key_from_text, verifying_key_to_text,
};
pub use error::LedgerError;
pub use hash::{EMPTY_ROOT, Hash, entry_bytes, entry_leaf, leaf_hash, node_hash};
pub use proof::{
    ConsistencyProof, InclusionProof, consistency_proof, inclusion_proof, verify_consistency, verify_inclusion,
};
pub use tree::{MerkleLog, mth};
pub use verify::{LogVerifier, VerifyFailure, VerifyReport, verify_log};
