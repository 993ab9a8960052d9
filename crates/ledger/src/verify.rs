//! [`verify_log`]: replays a stored audit log against its signed checkpoints.
//!
//! What it detects, and how:
//!
//! - a deleted, repeated or reordered record: the sequence numbers are not 1, 2, 3, …;
//! - an edited record whose stored leaf hash was left alone: the hash recomputed from its content
//!   ([`crate::entry_leaf`]) differs from the stored one;
//! - an edited, inserted or deleted record whose hashes and numbers were all recomputed: the root of
//!   the first `tree_size` leaves no longer equals a signed checkpoint's root;
//! - a cut-off tail: the log is shorter than a signed checkpoint says it was.
//!
//! What it cannot detect: a change to records after the last checkpoint, by someone who can
//! rewrite the store, since nothing signed covers them yet.
//! The server therefore signs checkpoints often, and publishes them outside its own database.

use std::fmt;

use crate::LedgerError;
use crate::checkpoint::{SignedCheckpoint, VerifyingKey, verify};
use crate::hash::Hash;
use crate::tree::MerkleLog;

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The records read, 1 to `entries_checked`.
    pub entries_checked: u64,
    /// The checkpoints whose signature and root were checked: all of them.
    pub checkpoints_checked: usize,
    /// The largest checkpoint size; the records after it are covered by no signature yet.
    pub checkpointed_size: u64,
    /// The Merkle root of all records read.
    pub final_root: Hash,
}

/// The first thing found wrong with a log.
///
/// `checkpoint` fields are positions in the slice passed to [`verify_log`], from 0; the Chinese
/// messages count from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyFailure {
    /// A sequence number larger than the next one: the records from `expected` to `found - 1` are
    /// missing at this place (deleted, or moved later).
    SequenceGap { expected: u64, found: u64 },
    /// A sequence number smaller than the next one: a repeated or reordered record.
    SequenceOutOfOrder { expected: u64, found: u64 },
    /// The record's stored leaf hash is not the hash of its content.
    EntryEdited { seq: u64 },
    /// The checkpoint names a key other than the one verifying.
    CheckpointWrongKey { checkpoint: usize, tree_size: u64, key_id: String },
    /// The checkpoint's signature does not verify: the checkpoint was forged or altered.
    CheckpointBadSignature { checkpoint: usize, tree_size: u64 },
    /// The root of the first `tree_size` records is not the signed root: some record from
    /// `first_seq` to `last_seq` was changed, inserted or deleted after the checkpoint was signed.
    /// `first_seq` follows the largest smaller checkpoint that matched.
    CheckpointMismatch { checkpoint: usize, tree_size: u64, first_seq: u64, last_seq: u64 },
    /// The log ends before the largest checkpoint's size: records `first_missing` to `last_missing`
    /// are gone.
    Truncated { checkpoint: usize, tree_size: u64, first_missing: u64, last_missing: u64 },
}

/// Checks a stored log, read in order, against its signed checkpoints.
///
/// `entries` yields `(seq, stored leaf hash, leaf hash recomputed from the stored content)` for each
/// record, in the order the store returns them; `checkpoints` may come in any order.
/// The first problem found is returned. [`LogVerifier`] does the same one record at a time, for
/// logs read page by page.
pub fn verify_log(
    entries: impl IntoIterator<Item = (u64, Hash, Hash)>,
    checkpoints: &[SignedCheckpoint],
    key: &VerifyingKey,
) -> Result<VerifyReport, VerifyFailure> {
    let mut verifier = LogVerifier::new(checkpoints, key)?;
    for (seq, stored, recomputed) in entries {
        verifier.push(seq, stored, recomputed)?;
    }
    verifier.finish()
}

/// A verification in progress: every signature is checked by [`LogVerifier::new`], then the records
/// are replayed one by one with [`LogVerifier::push`], comparing the root at each checkpoint's size,
/// and [`LogVerifier::finish`] checks that no signed record is missing at the end.
/// Memory is O(log n) for the log plus the checkpoints' order, however long the log.
pub struct LogVerifier<'a> {
    checkpoints: &'a [SignedCheckpoint],
    /// Positions in `checkpoints`, by tree size.
    order: Vec<usize>,
    /// The position in `order` of the next checkpoint to compare.
    next: usize,
    /// The largest checkpoint size that matched so far, and the largest one below it: a mismatch
    /// names the records after the last good checkpoint smaller than itself.
    matched_max: u64,
    matched_below_max: u64,
    log: MerkleLog,
}

impl<'a> LogVerifier<'a> {
    /// Checks every checkpoint's key and signature, and the checkpoints of an empty log.
    pub fn new(checkpoints: &'a [SignedCheckpoint], key: &VerifyingKey) -> Result<Self, VerifyFailure> {
        for (i, signed) in checkpoints.iter().enumerate() {
            let tree_size = signed.checkpoint.tree_size;
            match verify(key, signed) {
                Ok(()) => {}
                Err(LedgerError::KeyMismatch { found, .. }) => {
                    return Err(VerifyFailure::CheckpointWrongKey { checkpoint: i, tree_size, key_id: found });
                }
                Err(_) => return Err(VerifyFailure::CheckpointBadSignature { checkpoint: i, tree_size }),
            }
        }
        let mut order: Vec<usize> = (0..checkpoints.len()).collect();
        order.sort_by_key(|&i| checkpoints[i].checkpoint.tree_size);
        let mut verifier =
            LogVerifier { checkpoints, order, next: 0, matched_max: 0, matched_below_max: 0, log: MerkleLog::new() };
        verifier.check_due()?;
        Ok(verifier)
    }

    /// The next record: its number, its stored leaf hash and the leaf hash recomputed from its
    /// content.
    pub fn push(&mut self, seq: u64, stored: Hash, recomputed: Hash) -> Result<(), VerifyFailure> {
        let expected = self.log.size() + 1;
        if seq > expected {
            return Err(VerifyFailure::SequenceGap { expected, found: seq });
        }
        if seq < expected {
            return Err(VerifyFailure::SequenceOutOfOrder { expected, found: seq });
        }
        if stored != recomputed {
            return Err(VerifyFailure::EntryEdited { seq });
        }
        self.log.append(stored);
        self.check_due()
    }

    /// The records read so far.
    pub fn entries_checked(&self) -> u64 {
        self.log.size()
    }

    /// The end of the log: a checkpoint larger than it proves a cut-off tail.
    pub fn finish(self) -> Result<VerifyReport, VerifyFailure> {
        let checkpoints = self.checkpoints;
        if let Some(&last) = self.order.get(self.next..).and_then(|rest| rest.last()) {
            let tree_size = checkpoints[last].checkpoint.tree_size;
            return Err(VerifyFailure::Truncated {
                checkpoint: last,
                tree_size,
                first_missing: self.log.size() + 1,
                last_missing: tree_size,
            });
        }
        Ok(VerifyReport {
            entries_checked: self.log.size(),
            checkpoints_checked: checkpoints.len(),
            checkpointed_size: self.order.last().map_or(0, |&i| checkpoints[i].checkpoint.tree_size),
            final_root: self.log.root(),
        })
    }

    /// Compares every checkpoint of the log's current size with its root.
    fn check_due(&mut self) -> Result<(), VerifyFailure> {
        while let Some(&i) = self.order.get(self.next) {
            let cp = &self.checkpoints[i].checkpoint;
            if cp.tree_size != self.log.size() {
                break;
            }
            if cp.root != self.log.root() {
                let good_below =
                    if self.matched_max < cp.tree_size { self.matched_max } else { self.matched_below_max };
                return Err(VerifyFailure::CheckpointMismatch {
                    checkpoint: i,
                    tree_size: cp.tree_size,
                    first_seq: good_below + 1,
                    last_seq: cp.tree_size,
                });
            }
            if cp.tree_size > self.matched_max {
                self.matched_below_max = self.matched_max;
                self.matched_max = cp.tree_size;
            }
            self.next += 1;
        }
        Ok(())
    }
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            VerifyFailure::SequenceGap { expected: 1, found }
            | VerifyFailure::SequenceOutOfOrder { expected: 1, found } => {
                write!(f, "审计日志应从第1条记录开始，实际第一条是第{found}条")
            }
            VerifyFailure::SequenceGap { expected, found } => {
                if found - 1 == expected {
                    write!(f, "第{expected}条审计记录缺失或不在原位：第{}条之后紧接着第{found}条", expected - 1)
                } else {
                    write!(
                        f,
                        "第{expected}条至第{}条审计记录缺失或不在原位：第{}条之后紧接着第{found}条",
                        found - 1,
                        expected - 1
                    )
                }
            }
            VerifyFailure::SequenceOutOfOrder { expected, found } => {
                write!(f, "第{found}条审计记录重复或顺序被调换：它出现在第{}条之后", expected - 1)
            }
            VerifyFailure::EntryEdited { seq } => write!(f, "第{seq}条审计记录的内容被修改过（哈希不符）"),
            VerifyFailure::CheckpointWrongKey { checkpoint, tree_size, ref key_id } => write!(
                f,
                "第{}个检查点（{tree_size}条记录）不是由本平台的密钥签名的（其密钥标识为 {key_id}）",
                checkpoint + 1
            ),
            VerifyFailure::CheckpointBadSignature { checkpoint, tree_size } => {
                write!(f, "第{}个检查点（{tree_size}条记录）的签名无效：检查点被伪造或改动过", checkpoint + 1)
            }
            VerifyFailure::CheckpointMismatch { checkpoint, tree_size, first_seq, last_seq } => write!(
                f,
                "第{}个检查点（{tree_size}条记录）的根哈希与日志不符：第{first_seq}条至第{last_seq}条审计记录\
                 在签名之后被改动、插入或删除过",
                checkpoint + 1
            ),
            VerifyFailure::Truncated { checkpoint, tree_size, first_missing, last_missing } => write!(
                f,
                "审计日志被截断：第{}个检查点证明日志曾有{tree_size}条记录，第{first_missing}条至第{last_missing}条已缺失",
                checkpoint + 1
            ),
        }
    }
}

impl std::error::Error for VerifyFailure {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::sign;
    use crate::checkpoint::tests::{checkpoint, test_key};
    use crate::hash::{EMPTY_ROOT, entry_leaf};
    use crate::tree::mth;

    /// One stored record: its number, timestamp, body and stored leaf hash.
    #[derive(Clone)]
    struct Row {
        seq: u64,
        ts: String,
        body: String,
        leaf: Hash,
    }

    fn row(seq: u64, body: &str) -> Row {
        let ts = format!("2026-01-05T08:{:02}:{:02}.000000Z", seq / 60, seq % 60);
        let leaf = entry_leaf(seq, &ts, body);
        Row { seq, ts, body: body.to_string(), leaf }
    }

    fn rows(n: u64) -> Vec<Row> {
        (1..=n).map(|seq| row(seq, &format!(r#"{{"action":"resource.update","id":{seq}}}"#))).collect()
    }

    /// What the verifier is given: the stored hash and the hash recomputed from the content.
    fn entries(rows: &[Row]) -> impl Iterator<Item = (u64, Hash, Hash)> + '_ {
        rows.iter().map(|r| (r.seq, r.leaf, entry_leaf(r.seq, &r.ts, &r.body)))
    }

    fn signed_at(rows: &[Row], sizes: &[u64]) -> Vec<SignedCheckpoint> {
        let leaves: Vec<Hash> = rows.iter().map(|r| r.leaf).collect();
        sizes.iter().map(|&n| sign(&test_key(9), &checkpoint(n, mth(&leaves[..n as usize]))).unwrap()).collect()
    }

    fn run(rows: &[Row], checkpoints: &[SignedCheckpoint]) -> Result<VerifyReport, VerifyFailure> {
        verify_log(entries(rows), checkpoints, &test_key(9).verifying_key())
    }

    #[test]
    fn an_intact_log_verifies() {
        let log = rows(20);
        let cps = signed_at(&log, &[0, 5, 12, 20]);
        let report = run(&log, &cps).unwrap();
        let leaves: Vec<Hash> = log.iter().map(|r| r.leaf).collect();
        assert_eq!(
            report,
            VerifyReport {
                entries_checked: 20,
                checkpoints_checked: 4,
                checkpointed_size: 20,
                final_root: mth(&leaves)
            }
        );
        // In any order, and with records after the last checkpoint.
        let shuffled = vec![cps[3].clone(), cps[1].clone(), cps[2].clone()];
        assert_eq!(run(&log, &shuffled).unwrap().checkpoints_checked, 3);
        let report = run(&log, &cps[..3]).unwrap();
        assert_eq!((report.entries_checked, report.checkpointed_size), (20, 12));
        // Without checkpoints, the numbering and the hashes are still checked.
        assert_eq!(run(&log, &[]).unwrap().checkpointed_size, 0);
        let empty = run(&[], &signed_at(&log, &[0])).unwrap();
        assert_eq!((empty.entries_checked, empty.final_root), (0, EMPTY_ROOT));
    }

    #[test]
    fn record_by_record_is_the_same_verification() {
        let log = rows(30);
        let cps = signed_at(&log, &[7, 7, 16, 30]);
        let key = test_key(9).verifying_key();
        let mut verifier = LogVerifier::new(&cps, &key).unwrap();
        for (i, (seq, stored, recomputed)) in entries(&log).enumerate() {
            verifier.push(seq, stored, recomputed).unwrap();
            assert_eq!(verifier.entries_checked(), i as u64 + 1);
        }
        assert_eq!(verifier.finish(), run(&log, &cps));
        // A problem is reported by the push that meets it, and the records before it were accepted.
        let mut edited = log.clone();
        edited[20].body = "{}".to_string();
        let mut verifier = LogVerifier::new(&cps, &key).unwrap();
        let failed = entries(&edited).map(|(seq, s, r)| verifier.push(seq, s, r)).position(|r| r.is_err());
        assert_eq!(failed, Some(20));
        assert_eq!(verifier.entries_checked(), 20);
        // A forged checkpoint is refused before any record is read.
        let mut forged = cps.clone();
        forged[2].checkpoint.tree_size = 17;
        assert_eq!(
            LogVerifier::new(&forged, &key).err(),
            Some(VerifyFailure::CheckpointBadSignature { checkpoint: 2, tree_size: 17 })
        );
    }

    #[test]
    fn a_mismatch_names_the_records_after_the_last_good_smaller_checkpoint() {
        let honest = rows(20);
        // Two good checkpoints of size 8, then record 12 rewritten with its hash recomputed.
        let cps = signed_at(&honest, &[3, 8, 8, 15]);
        let mut log = honest.clone();
        log[11] = row(12, r#"{"action":"resource.delete","id":12}"#);
        assert_eq!(
            run(&log, &cps),
            Err(VerifyFailure::CheckpointMismatch { checkpoint: 3, tree_size: 15, first_seq: 9, last_seq: 15 })
        );
    }

    #[test]
    fn an_edited_record_is_named() {
        let mut log = rows(20);
        log[6].body = r#"{"action":"resource.update","id":999}"#.to_string();
        let err = run(&log, &signed_at(&rows(20), &[20])).unwrap_err();
        assert_eq!(err, VerifyFailure::EntryEdited { seq: 7 });
        assert_eq!(err.to_string(), "第7条审计记录的内容被修改过（哈希不符）");
        // The timestamp counts as content too.
        let mut log = rows(20);
        log[2].ts = "2026-01-05T09:00:00.000000Z".to_string();
        assert_eq!(run(&log, &[]), Err(VerifyFailure::EntryEdited { seq: 3 }));
    }

    #[test]
    fn a_deleted_record_is_named() {
        let mut log = rows(20);
        log.remove(6);
        let err = run(&log, &[]).unwrap_err();
        assert_eq!(err, VerifyFailure::SequenceGap { expected: 7, found: 8 });
        assert_eq!(err.to_string(), "第7条审计记录缺失或不在原位：第6条之后紧接着第8条");
        log.drain(6..9);
        let err = run(&log, &[]).unwrap_err();
        assert_eq!(err, VerifyFailure::SequenceGap { expected: 7, found: 11 });
        assert_eq!(err.to_string(), "第7条至第10条审计记录缺失或不在原位：第6条之后紧接着第11条");
        let err = run(&rows(5)[1..], &[]).unwrap_err();
        assert_eq!(err, VerifyFailure::SequenceGap { expected: 1, found: 2 });
        assert_eq!(err.to_string(), "审计日志应从第1条记录开始，实际第一条是第2条");
    }

    #[test]
    fn repeated_and_reordered_records_are_named() {
        let mut log = rows(6);
        log.insert(4, log[3].clone());
        let err = run(&log, &[]).unwrap_err();
        assert_eq!(err, VerifyFailure::SequenceOutOfOrder { expected: 5, found: 4 });
        assert_eq!(err.to_string(), "第4条审计记录重复或顺序被调换：它出现在第4条之后");

        let mut log = rows(6);
        log.swap(2, 3);
        assert_eq!(run(&log, &[]), Err(VerifyFailure::SequenceGap { expected: 3, found: 4 }));

        // Swapping the contents but keeping the numbers: the leaf binds the content to its number.
        let mut log = rows(6);
        let (a, b) = (log[2].clone(), log[3].clone());
        log[2] = Row { seq: 3, ..b };
        log[3] = Row { seq: 4, ..a };
        assert_eq!(run(&log, &[]), Err(VerifyFailure::EntryEdited { seq: 3 }));

        let zero = vec![row(0, "{}")];
        assert_eq!(run(&zero, &[]), Err(VerifyFailure::SequenceOutOfOrder { expected: 1, found: 0 }));
    }

    #[test]
    fn a_rewrite_with_recomputed_hashes_is_caught_by_the_checkpoint() {
        let honest = rows(20);
        let cps = signed_at(&honest, &[5, 12, 20]);

        // Record 9 edited, and its stored hash recomputed to match.
        let mut log = honest.clone();
        log[8] = row(9, r#"{"action":"resource.delete","id":9}"#);
        let err = run(&log, &cps).unwrap_err();
        assert_eq!(err, VerifyFailure::CheckpointMismatch { checkpoint: 1, tree_size: 12, first_seq: 6, last_seq: 12 });
        assert_eq!(
            err.to_string(),
            "第2个检查点（12条记录）的根哈希与日志不符：第6条至第12条审计记录在签名之后被改动、插入或删除过"
        );

        // Record 3 deleted and every later record renumbered and rehashed.
        let mut log: Vec<Row> = honest.iter().filter(|r| r.seq != 3).cloned().collect();
        for (i, r) in log.iter_mut().enumerate() {
            *r = row(i as u64 + 1, &r.body.clone());
        }
        let err = run(&log, &cps).unwrap_err();
        assert_eq!(err, VerifyFailure::CheckpointMismatch { checkpoint: 0, tree_size: 5, first_seq: 1, last_seq: 5 });
    }

    #[test]
    fn a_cut_off_tail_is_named() {
        let honest = rows(20);
        let cps = signed_at(&honest, &[12, 20]);
        let err = run(&honest[..17], &cps).unwrap_err();
        assert_eq!(err, VerifyFailure::Truncated { checkpoint: 1, tree_size: 20, first_missing: 18, last_missing: 20 });
        assert_eq!(err.to_string(), "审计日志被截断：第2个检查点证明日志曾有20条记录，第18条至第20条已缺失");
        assert_eq!(
            run(&[], &cps),
            Err(VerifyFailure::Truncated { checkpoint: 1, tree_size: 20, first_missing: 1, last_missing: 20 })
        );
        // A tail beyond every checkpoint cannot be missed: nothing signed says it existed.
        assert!(run(&honest[..17], &cps[..1]).is_ok());
    }

    #[test]
    fn forged_checkpoints_are_named() {
        let log = rows(10);
        let mut cps = signed_at(&log, &[4, 10]);
        cps[1].checkpoint.root = cps[0].checkpoint.root;
        let err = run(&log, &cps).unwrap_err();
        assert_eq!(err, VerifyFailure::CheckpointBadSignature { checkpoint: 1, tree_size: 10 });
        assert_eq!(err.to_string(), "第2个检查点（10条记录）的签名无效：检查点被伪造或改动过");

        // A checkpoint that shrinks the log to hide a cut must be re-signed, which needs the key.
        let mut cps = signed_at(&log, &[4, 10]);
        cps[1].checkpoint.tree_size = 7;
        assert_eq!(run(&log[..7], &cps), Err(VerifyFailure::CheckpointBadSignature { checkpoint: 1, tree_size: 7 }));

        let other =
            sign(&test_key(1), &checkpoint(4, mth(&log[..4].iter().map(|r| r.leaf).collect::<Vec<_>>()))).unwrap();
        let err = run(&log, std::slice::from_ref(&other)).unwrap_err();
        assert_eq!(
            err,
            VerifyFailure::CheckpointWrongKey { checkpoint: 0, tree_size: 4, key_id: other.key_id.clone() }
        );
        assert_eq!(
            err.to_string(),
            format!("第1个检查点（4条记录）不是由本平台的密钥签名的（其密钥标识为 {}）", other.key_id)
        );
    }

    #[test]
    fn a_second_checkpoint_of_the_same_size_with_another_root_is_refused() {
        let log = rows(8);
        let mut cps = signed_at(&log, &[3, 8]);
        cps.push(sign(&test_key(9), &checkpoint(8, EMPTY_ROOT)).unwrap());
        assert_eq!(
            run(&log, &cps),
            Err(VerifyFailure::CheckpointMismatch { checkpoint: 2, tree_size: 8, first_seq: 4, last_seq: 8 })
        );
    }
}
