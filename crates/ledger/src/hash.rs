//! The hashes of RFC 6962 §2.1 and the leaf of one audit event.
//!
//! Leaves and interior nodes are hashed with different one-byte prefixes (`0x00`, `0x01`), so that
//! no leaf can be passed off as an interior node (second-preimage resistance, RFC 6962 §2.1).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::LedgerError;

/// A SHA-256 value: a leaf hash, a node hash or a tree root.
///
/// Written as 64 lowercase hexadecimal digits by `Display` and by serde.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

/// The Merkle Tree Hash of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41,
    0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/// The prefix of [`entry_bytes`], naming the format so that it can change without ambiguity.
const ENTRY_TAG: &[u8] = b"govshare/audit-entry/v1\0";

impl Hash {
    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// SHA-256 of `data`, with no prefix.
    pub fn sha256(data: &[u8]) -> Hash {
        Hash(Sha256::digest(data).into())
    }
}

/// The hash of a leaf: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Hash(h.finalize().into())
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The canonical bytes of one audit event: a fixed tag, the sequence number as 8 big-endian bytes,
/// then the timestamp and the body, each as an 8-byte big-endian length followed by its UTF-8 bytes.
///
/// The lengths make the encoding injective: no two different `(seq, timestamp, body)` give the same
/// bytes, whatever characters the strings hold.
/// The caller passes the texts exactly as stored, never a re-serialisation, since any byte counts.
pub fn entry_bytes(seq: u64, timestamp: &str, body_json: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENTRY_TAG.len() + 24 + timestamp.len() + body_json.len());
    out.extend_from_slice(ENTRY_TAG);
    out.extend_from_slice(&seq.to_be_bytes());
    for part in [timestamp, body_json] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// The leaf hash of audit event `seq`: `leaf_hash(entry_bytes(seq, timestamp, body_json))`.
///
/// Editing the timestamp or the body, or moving the event to another sequence number, changes it.
pub fn entry_leaf(seq: u64, timestamp: &str, body_json: &str) -> Hash {
    leaf_hash(&entry_bytes(seq, timestamp, body_json))
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl FromStr for Hash {
    type Err = LedgerError;

    fn from_str(s: &str) -> Result<Hash, LedgerError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s, &mut bytes)
            .map_err(|_| LedgerError::InvalidHash(format!("应为 64 位十六进制数字，实为“{}”", truncate(s))))?;
        Ok(Hash(bytes))
    }
}

/// At most 80 characters of a rejected input, for an error message.
pub(crate) fn truncate(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Hash, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT.to_string(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(Hash::sha256(b""), EMPTY_ROOT);
    }

    #[test]
    fn leaf_and_node_hashes_use_the_rfc_prefixes() {
        // SHA-256 of the single byte 0x00: the RFC 6962 leaf hash of the empty string.
        assert_eq!(leaf_hash(b"").to_string(), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
        assert_eq!(leaf_hash(b"abc"), Hash::sha256(b"\x00abc"));
        let (l, r) = (leaf_hash(b"l"), leaf_hash(b"r"));
        let mut concat = vec![0x01];
        concat.extend_from_slice(&l.0);
        concat.extend_from_slice(&r.0);
        assert_eq!(node_hash(&l, &r), Hash::sha256(&concat));
        assert_ne!(node_hash(&l, &r), node_hash(&r, &l));
        // A leaf whose data is `l || r` is not the node over `l` and `r`.
        assert_ne!(leaf_hash(&concat[1..]), node_hash(&l, &r));
    }

    #[test]
    fn hex_text_and_serde_round_trip() {
        let h = leaf_hash(b"x");
        let text = h.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<Hash>().unwrap(), h);
        assert_eq!(text.to_uppercase().parse::<Hash>().unwrap(), h);
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<Hash>(&json).unwrap(), h);
        assert_eq!(format!("{h:?}"), format!("Hash({text})"));
    }

    #[test]
    fn malformed_hex_is_refused() {
        for bad in ["", "00", &"0".repeat(63), &"0".repeat(66), &format!("{}g", "0".repeat(63))] {
            assert!(matches!(bad.parse::<Hash>(), Err(LedgerError::InvalidHash(_))), "{bad:?}");
        }
        assert!(serde_json::from_str::<Hash>("\"abcd\"").is_err());
        assert!(serde_json::from_str::<Hash>("12").is_err());
    }

    #[test]
    fn entry_bytes_layout() {
        let bytes = entry_bytes(258, "ab", "{}");
        let mut want = b"govshare/audit-entry/v1\0".to_vec();
        want.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 2]);
        want.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 2, b'a', b'b']);
        want.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 2, b'{', b'}']);
        assert_eq!(bytes, want);
        assert_eq!(entry_leaf(258, "ab", "{}"), leaf_hash(&want));
    }

    #[test]
    fn entry_leaf_changes_with_every_field() {
        let base = entry_leaf(7, "2026-01-05T08:00:00.000000Z", r#"{"action":"resource.publish"}"#);
        assert_ne!(base, entry_leaf(8, "2026-01-05T08:00:00.000000Z", r#"{"action":"resource.publish"}"#));
        assert_ne!(base, entry_leaf(7, "2026-01-05T08:00:01.000000Z", r#"{"action":"resource.publish"}"#));
        assert_ne!(base, entry_leaf(7, "2026-01-05T08:00:00.000000Z", r#"{"action":"resource.withdraw"}"#));
        // Moving bytes from one field to the other changes the hash: the lengths are part of it.
        assert_ne!(entry_leaf(1, "ab", "c"), entry_leaf(1, "a", "bc"));
        assert_ne!(entry_leaf(1, "", "x"), entry_leaf(1, "x", ""));
        assert_eq!(base, entry_leaf(7, "2026-01-05T08:00:00.000000Z", r#"{"action":"resource.publish"}"#));
    }
}
