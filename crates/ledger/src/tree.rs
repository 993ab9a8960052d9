//! The Merkle Tree Hash of RFC 6962 §2.1 and the incremental [`MerkleLog`].
//!
//! `MTH({}) = SHA-256()`, `MTH({d0}) = SHA-256(0x00 || d0)`, and for n > 1, with k the largest power
//! of two smaller than n, `MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`.
//! Here the leaves are given already hashed, so `MTH` of one leaf is that leaf hash.

use serde::{Deserialize, Serialize};

use crate::LedgerError;
use crate::hash::{EMPTY_ROOT, Hash, node_hash};

/// The largest power of two strictly smaller than `n`; `n` must be at least 2.
pub(crate) fn split_point(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The Merkle Tree Hash of a list of leaf hashes (RFC 6962 §2.1), computed recursively.
///
/// Use [`MerkleLog`] to follow a growing log without keeping its leaves.
pub fn mth(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => EMPTY_ROOT,
        [leaf] => *leaf,
        _ => {
            let k = split_point(leaves.len());
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// A Merkle log that keeps only its frontier: the roots of the perfect subtrees that the leaves so
/// far decompose into, one per set bit of the size, largest (leftmost) first.
///
/// Appending is amortised O(1) and memory is O(log n); the root is the RFC 6962 Merkle Tree Hash of
/// all leaves appended.
/// It serialises as `{"size": n, "frontier": ["<hex>", …]}` so the server can persist it next to the
/// log, and deserialising checks that the frontier has the right length.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Frontier", into = "Frontier")]
pub struct MerkleLog {
    size: u64,
    frontier: Vec<Hash>,
}

/// The persisted form of a [`MerkleLog`], checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Frontier {
    size: u64,
    frontier: Vec<Hash>,
}

impl MerkleLog {
    /// The empty log.
    pub fn new() -> MerkleLog {
        MerkleLog::default()
    }

    /// The log of these leaf hashes, in order.
    pub fn from_leaves<I: IntoIterator<Item = Hash>>(leaves: I) -> MerkleLog {
        let mut log = MerkleLog::new();
        for leaf in leaves {
            log.append(leaf);
        }
        log
    }

    /// A log from a persisted size and frontier, as returned by [`MerkleLog::size`] and
    /// [`MerkleLog::frontier`]; the frontier must hold one hash per set bit of `size`.
    pub fn from_parts(size: u64, frontier: Vec<Hash>) -> Result<MerkleLog, LedgerError> {
        if frontier.len() != size.count_ones() as usize {
            return Err(LedgerError::InvalidFrontier { size, expected: size.count_ones(), found: frontier.len() });
        }
        Ok(MerkleLog { size, frontier })
    }

    /// The number of leaves appended.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The roots of the perfect subtrees, largest first.
    pub fn frontier(&self) -> &[Hash] {
        &self.frontier
    }

    /// Appends a leaf hash and returns the new size, which is the leaf's 1-based position.
    pub fn append(&mut self, leaf: Hash) -> u64 {
        // Each trailing one bit of the old size is a perfect subtree of the same height as the
        // carry: merge them, as in binary addition.
        let mut carry = leaf;
        let mut bits = self.size;
        while bits & 1 == 1 {
            let left = self.frontier.pop().expect("one frontier hash per set bit");
            carry = node_hash(&left, &carry);
            bits >>= 1;
        }
        self.frontier.push(carry);
        self.size += 1;
        self.size
    }

    /// The Merkle Tree Hash of the leaves appended so far.
    pub fn root(&self) -> Hash {
        // MTH splits off the largest power of two first, so the root folds the frontier from the
        // right: the smallest subtree is the innermost right child.
        match self.frontier.split_last() {
            None => EMPTY_ROOT,
            Some((last, rest)) => rest.iter().rev().fold(*last, |right, left| node_hash(left, &right)),
        }
    }
}

impl TryFrom<Frontier> for MerkleLog {
    type Error = LedgerError;

    fn try_from(f: Frontier) -> Result<MerkleLog, LedgerError> {
        MerkleLog::from_parts(f.size, f.frontier)
    }
}

impl From<MerkleLog> for Frontier {
    fn from(log: MerkleLog) -> Frontier {
        Frontier { size: log.size, frontier: log.frontier }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    /// An independent reference: RFC 6962 §2.1 read literally, over raw data, with the split found
    /// by doubling and SHA-256 called directly.
    pub(crate) fn reference_mth(data: &[Vec<u8>]) -> Hash {
        let n = data.len();
        if n == 0 {
            return Hash::sha256(&[]);
        }
        if n == 1 {
            let mut bytes = vec![0x00];
            bytes.extend_from_slice(&data[0]);
            return Hash::sha256(&bytes);
        }
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        let mut bytes = vec![0x01];
        bytes.extend_from_slice(&reference_mth(&data[..k]).0);
        bytes.extend_from_slice(&reference_mth(&data[k..]).0);
        Hash::sha256(&bytes)
    }

    /// The leaves of the RFC 6962 test vectors of Certificate Transparency (transparency-dev/merkle).
    pub(crate) fn ct_data() -> Vec<Vec<u8>> {
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
            .iter()
            .map(|h| hex::decode(h).unwrap())
            .collect()
    }

    /// The published roots of the first n CT leaves, n = 0..=8.
    pub(crate) const CT_ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    pub(crate) fn sample_data(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("audit event {i}").into_bytes()).collect()
    }

    #[test]
    fn split_point_is_the_largest_smaller_power_of_two() {
        let cases = [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (300, 256), (1025, 1024)];
        for (n, k) in cases {
            assert_eq!(split_point(n), k, "n = {n}");
        }
    }

    #[test]
    fn roots_match_the_published_ct_vectors() {
        let data = ct_data();
        let leaves: Vec<Hash> = data.iter().map(|d| leaf_hash(d)).collect();
        let mut log = MerkleLog::new();
        for n in 0..=8 {
            if n > 0 {
                log.append(leaves[n - 1]);
            }
            assert_eq!(mth(&leaves[..n]).to_string(), CT_ROOTS[n], "mth, n = {n}");
            assert_eq!(log.root().to_string(), CT_ROOTS[n], "MerkleLog, n = {n}");
            assert_eq!(reference_mth(&data[..n]).to_string(), CT_ROOTS[n], "reference, n = {n}");
        }
    }

    #[test]
    fn incremental_root_equals_the_reference_for_every_size_up_to_300() {
        let data = sample_data(300);
        let leaves: Vec<Hash> = data.iter().map(|d| leaf_hash(d)).collect();
        let mut log = MerkleLog::new();
        assert_eq!(log.root(), reference_mth(&[]));
        for n in 1..=300 {
            assert_eq!(log.append(leaves[n - 1]), n as u64);
            let want = reference_mth(&data[..n]);
            assert_eq!(log.root(), want, "MerkleLog, n = {n}");
            assert_eq!(mth(&leaves[..n]), want, "mth, n = {n}");
            assert_eq!(log.frontier().len(), (n as u64).count_ones() as usize);
        }
    }

    #[test]
    fn a_midpoint_split_would_give_other_roots() {
        // RFC 6962 splits at the largest power of two, not in the middle: for 3 and 5..7 leaves the
        // two differ, and only the RFC's is interoperable.
        let leaves: Vec<Hash> = sample_data(7).iter().map(|d| leaf_hash(d)).collect();
        fn midpoint(l: &[Hash]) -> Hash {
            match l {
                [] => EMPTY_ROOT,
                [x] => *x,
                _ => node_hash(&midpoint(&l[..l.len() / 2]), &midpoint(&l[l.len() / 2..])),
            }
        }
        assert_ne!(mth(&leaves[..3]), midpoint(&leaves[..3]));
        assert_ne!(mth(&leaves[..6]), midpoint(&leaves[..6]));
        assert_eq!(mth(&leaves[..4]), midpoint(&leaves[..4]));
    }

    #[test]
    fn from_leaves_and_serde_round_trip() {
        let leaves: Vec<Hash> = sample_data(45).iter().map(|d| leaf_hash(d)).collect();
        let log = MerkleLog::from_leaves(leaves[..44].iter().copied());
        assert_eq!(log.size(), 44);
        assert_eq!(log.root(), mth(&leaves[..44]));

        let json = serde_json::to_string(&log).unwrap();
        assert!(json.starts_with(r#"{"size":44,"frontier":[""#), "{json}");
        let mut back: MerkleLog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, log);
        back.append(leaves[44]);
        assert_eq!(back.root(), mth(&leaves));

        let rebuilt = MerkleLog::from_parts(log.size(), log.frontier().to_vec()).unwrap();
        assert_eq!(rebuilt, log);
    }

    #[test]
    fn a_frontier_of_the_wrong_length_is_refused() {
        let log = MerkleLog::from_leaves(sample_data(6).iter().map(|d| leaf_hash(d)));
        assert_eq!(log.frontier().len(), 2);
        let err = MerkleLog::from_parts(7, log.frontier().to_vec()).unwrap_err();
        assert_eq!(err, LedgerError::InvalidFrontier { size: 7, expected: 3, found: 2 });
        assert!(MerkleLog::from_parts(0, vec![EMPTY_ROOT]).is_err());

        let json = format!(r#"{{"size":5,"frontier":["{}"]}}"#, EMPTY_ROOT);
        let err = serde_json::from_str::<MerkleLog>(&json).unwrap_err();
        assert!(err.to_string().contains("默克尔树边界数据损坏"), "{err}");
        assert!(serde_json::from_str::<MerkleLog>(r#"{"size":0,"frontier":[],"x":1}"#).is_err());
    }
}
