//! `LedgerError`: what can go wrong when reading hashes, keys, checkpoints and proofs.

/// An error of this crate.
///
/// The messages are Chinese because they can reach an operator (a damaged key file, a checkpoint
/// that does not verify); [`crate::VerifyFailure`] is the separate report of a log that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// A hash is not 64 hexadecimal digits.
    #[error("哈希值格式错误：{0}")]
    InvalidHash(String),
    /// A key's text is not 32 bytes in hexadecimal, or not a valid Ed25519 public key.
    #[error("密钥格式错误：{0}")]
    InvalidKey(String),
    /// A signature's text is not 64 bytes in base64.
    #[error("签名格式错误：{0}")]
    InvalidSignatureEncoding(String),
    /// The Ed25519 signature does not verify over the checkpoint text.
    #[error("检查点签名无效")]
    BadSignature,
    /// The checkpoint names another key than the one it is verified with.
    #[error("检查点由密钥 {found} 签名，而不是 {expected}")]
    KeyMismatch { expected: String, found: String },
    /// A checkpoint's fields cannot be written as, or read from, the checkpoint text.
    #[error("检查点格式错误：{0}")]
    InvalidCheckpoint(String),
    /// A persisted frontier does not have one hash per set bit of its size.
    #[error("默克尔树边界数据损坏：大小 {size} 应有 {expected} 个哈希，实有 {found} 个")]
    InvalidFrontier { size: u64, expected: u32, found: usize },
    /// A leaf index outside the tree.
    #[error("叶子序号 {index} 超出树的大小 {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof asked between sizes that are not old ≤ new ≤ the tree.
    #[error("树的大小不合理：旧 {old}，新 {new}")]
    InvalidSizes { old: u64, new: u64 },
    /// A proof does not lead to the expected root.
    #[error("证明校验失败：{0}")]
    ProofFailed(&'static str),
}
