//! Checkpoints: signed statements of the log's size and root, and the Ed25519 key helpers.
//!
//! A checkpoint's text is that of C2SP tlog-checkpoint (the body of a signed note), with the
//! timestamp as its one extension line:
//!
//! ```text
//! govshare.example.gov.cn/audit
//! 1024
//! <base64 of the 32-byte root>
//! 2026-01-05T08:00:00.000000Z
//! ```
//!
//! Every line ends with a newline, the size is decimal without leading zeros, and the root uses the
//! standard base64 alphabet with padding.
//! The Ed25519 signature (RFC 8032) covers exactly these bytes, as in a signed note; verification
//! uses `verify_strict`, which refuses malleable signatures and weak keys.
//! Once a checkpoint is published, any later change to the first `tree_size` entries is detectable:
//! their root no longer matches the signed one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

pub use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::LedgerError;
use crate::hash::{Hash, truncate};

/// A statement that the log held `tree_size` entries with Merkle root `root`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub tree_size: u64,
    pub root: Hash,
    /// When it was made, as the caller writes times (RFC 3339 in govshare); opaque here.
    pub timestamp: String,
    /// The log's name, the first line of the text, e.g. `govshare.example.gov.cn/audit`.
    pub origin: String,
}

/// A checkpoint with the Ed25519 signature over its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    /// Serialised as standard base64.
    #[serde(serialize_with = "signature_to_base64", deserialize_with = "signature_from_base64")]
    pub signature: [u8; 64],
    /// [`key_id`] of the key that signed.
    pub key_id: String,
}

impl Checkpoint {
    /// The canonical text that is signed: origin, size, base64 root and timestamp, one per line.
    ///
    /// Fails when the origin or the timestamp is empty or holds a control character, since either
    /// would make the text ambiguous.
    pub fn to_text(&self) -> Result<String, LedgerError> {
        check_line("origin", &self.origin)?;
        check_line("timestamp", &self.timestamp)?;
        Ok(format!("{}\n{}\n{}\n{}\n", self.origin, self.tree_size, BASE64.encode(self.root.0), self.timestamp))
    }

    /// Reads the text written by [`Checkpoint::to_text`], refusing any other spelling of it.
    pub fn from_text(text: &str) -> Result<Checkpoint, LedgerError> {
        let bad = |why: &str| LedgerError::InvalidCheckpoint(why.to_string());
        let body = text.strip_suffix('\n').ok_or_else(|| bad("文本应以换行结尾"))?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin, size, root, timestamp] = lines[..] else {
            return Err(bad("应为四行：来源、大小、根哈希、时间"));
        };
        let tree_size: u64 = size.parse().map_err(|_| bad("第二行应为十进制的树大小"))?;
        if tree_size.to_string() != size {
            return Err(bad("第二行应为十进制的树大小，不带前导零"));
        }
        let root_bytes = BASE64.decode(root).map_err(|_| bad("第三行应为 base64 编码的根哈希"))?;
        let root = Hash(root_bytes.try_into().map_err(|_| bad("根哈希应为 32 字节"))?);
        let checkpoint = Checkpoint { tree_size, root, timestamp: timestamp.to_string(), origin: origin.to_string() };
        if checkpoint.to_text()? != text {
            return Err(bad("不是规范写法"));
        }
        Ok(checkpoint)
    }
}

fn check_line(field: &str, value: &str) -> Result<(), LedgerError> {
    if value.is_empty() {
        return Err(LedgerError::InvalidCheckpoint(format!("{field} 不能为空")));
    }
    if value.chars().any(char::is_control) {
        return Err(LedgerError::InvalidCheckpoint(format!("{field} 不能含换行等控制字符")));
    }
    Ok(())
}

/// Signs the checkpoint's text.
pub fn sign(key: &SigningKey, checkpoint: &Checkpoint) -> Result<SignedCheckpoint, LedgerError> {
    let text = checkpoint.to_text()?;
    let signature = key.sign(text.as_bytes()).to_bytes();
    Ok(SignedCheckpoint { checkpoint: checkpoint.clone(), signature, key_id: key_id(&key.verifying_key()) })
}

/// Checks that `key` signed this checkpoint as it stands.
pub fn verify(key: &VerifyingKey, signed: &SignedCheckpoint) -> Result<(), LedgerError> {
    let expected = key_id(key);
    if signed.key_id != expected {
        return Err(LedgerError::KeyMismatch { expected, found: signed.key_id.clone() });
    }
    let text = signed.checkpoint.to_text()?;
    let signature = Signature::from_bytes(&signed.signature);
    key.verify_strict(text.as_bytes(), &signature).map_err(|_| LedgerError::BadSignature)
}

/// The identifier of a public key: the first 8 bytes of SHA-256 of its 32 bytes, in hexadecimal.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// The signing key whose secret is these 32 bytes (RFC 8032 §5.1.5); the caller draws them from a
/// cryptographic random source.
pub fn signing_key_from_bytes(secret: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(secret)
}

/// The secret key as 64 hexadecimal digits, the content of the key file.
pub fn signing_key_to_text(key: &SigningKey) -> String {
    hex::encode(key.to_bytes())
}

/// Reads a secret key written by [`signing_key_to_text`]; surrounding whitespace is ignored.
pub fn signing_key_from_text(text: &str) -> Result<SigningKey, LedgerError> {
    // The message never quotes the text: it is a secret.
    let bytes =
        decode_32(text.trim()).map_err(|_| LedgerError::InvalidKey("私钥应为 64 位十六进制数字".to_string()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// The public key as 64 hexadecimal digits.
pub fn verifying_key_to_text(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// Reads a public key written by [`verifying_key_to_text`]; surrounding whitespace is ignored.
pub fn verifying_key_from_text(text: &str) -> Result<VerifyingKey, LedgerError> {
    let text = text.trim();
    let bytes = decode_32(text)
        .map_err(|_| LedgerError::InvalidKey(format!("公钥应为 64 位十六进制数字，实为“{}”", truncate(text))))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| LedgerError::InvalidKey("不是有效的 Ed25519 公钥".to_string()))
}

fn decode_32(text: &str) -> Result<[u8; 32], hex::FromHexError> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text, &mut bytes)?;
    Ok(bytes)
}

fn signature_to_base64<S: Serializer>(signature: &[u8; 64], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&BASE64.encode(signature))
}

fn signature_from_base64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[u8; 64], D::Error> {
    let text = String::deserialize(deserializer)?;
    let bytes = BASE64
        .decode(&text)
        .map_err(|_| serde::de::Error::custom(LedgerError::InvalidSignatureEncoding("不是标准 base64".to_string())))?;
    bytes.try_into().map_err(|b: Vec<u8>| {
        serde::de::Error::custom(LedgerError::InvalidSignatureEncoding(format!("应为 64 字节，实为 {} 字节", b.len())))
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    /// RFC 8032 §7.1, TEST 1.
    const RFC8032_SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const RFC8032_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const RFC8032_SIG_EMPTY: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065\
                                     224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    pub(crate) fn test_key(seed: u8) -> SigningKey {
        signing_key_from_bytes(&[seed; 32])
    }

    pub(crate) fn checkpoint(tree_size: u64, root: Hash) -> Checkpoint {
        Checkpoint {
            tree_size,
            root,
            timestamp: "2026-01-05T08:00:00.000000Z".to_string(),
            origin: "govshare.example.gov.cn/audit".to_string(),
        }
    }

    #[test]
    fn keys_follow_rfc_8032() {
        let key = signing_key_from_text(RFC8032_SECRET).unwrap();
        assert_eq!(verifying_key_to_text(&key.verifying_key()), RFC8032_PUBLIC);
        assert_eq!(hex::encode(key.sign(b"").to_bytes()), RFC8032_SIG_EMPTY);
        assert_eq!(signing_key_to_text(&key), RFC8032_SECRET);
        let bytes: [u8; 32] = hex::decode(RFC8032_SECRET).unwrap().try_into().unwrap();
        assert_eq!(signing_key_from_bytes(&bytes).to_bytes(), key.to_bytes());
    }

    #[test]
    fn key_text_round_trips_and_bad_text_is_refused() {
        let key = test_key(7);
        let text = format!("{}\n", signing_key_to_text(&key));
        assert_eq!(signing_key_from_text(&text).unwrap().to_bytes(), key.to_bytes());
        let public = verifying_key_to_text(&key.verifying_key());
        assert_eq!(verifying_key_from_text(&format!("  {public}\n")).unwrap(), key.verifying_key());

        for bad in ["", "abc", &"0".repeat(62), &"z".repeat(64), &"0".repeat(66)] {
            assert!(matches!(signing_key_from_text(bad), Err(LedgerError::InvalidKey(_))), "{bad:?}");
            assert!(matches!(verifying_key_from_text(bad), Err(LedgerError::InvalidKey(_))), "{bad:?}");
        }
        // The secret never appears in the error.
        let secret = format!("{}x", signing_key_to_text(&key));
        let err = signing_key_from_text(&secret).unwrap_err().to_string();
        assert!(!err.contains(&secret[..16]), "{err}");
    }

    #[test]
    fn key_id_is_the_first_8_bytes_of_sha256_of_the_public_key() {
        let key = signing_key_from_text(RFC8032_SECRET).unwrap().verifying_key();
        let id = key_id(&key);
        assert_eq!(id.len(), 16);
        assert_eq!(id, hex::encode(&Hash::sha256(&hex::decode(RFC8032_PUBLIC).unwrap()).0[..8]));
        assert_ne!(key_id(&test_key(1).verifying_key()), key_id(&test_key(2).verifying_key()));
    }

    #[test]
    fn checkpoint_text_is_the_tlog_checkpoint_body() {
        let cp = checkpoint(8, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328".parse().unwrap());
        let text = cp.to_text().unwrap();
        assert_eq!(
            text,
            "govshare.example.gov.cn/audit\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n2026-01-05T08:00:00.000000Z\n"
        );
        assert_eq!(Checkpoint::from_text(&text).unwrap(), cp);
    }

    #[test]
    fn non_canonical_checkpoint_text_is_refused() {
        let good = checkpoint(8, leaf_hash(b"r")).to_text().unwrap();
        let lines: Vec<&str> = good.lines().collect();
        let variants = [
            good.trim_end().to_string(),
            good.replace("\n8\n", "\n08\n"),
            good.replace("\n8\n", "\n+8\n"),
            good.replace("\n8\n", "\n-1\n"),
            good.replace(lines[2], lines[2].trim_end_matches('=')),
            good.replace(lines[2], &BASE64.encode([1u8; 31])),
            format!("{good}extra\n"),
            format!("\n{good}"),
            good.replace(lines[0], ""),
            good.replace('\n', "\r\n"),
        ];
        for v in variants {
            assert!(matches!(Checkpoint::from_text(&v), Err(LedgerError::InvalidCheckpoint(_))), "{v:?}");
        }
        let mut cp = checkpoint(1, leaf_hash(b"r"));
        cp.origin = "a\nb".to_string();
        assert!(cp.to_text().is_err());
        cp.origin = "a".to_string();
        cp.timestamp = String::new();
        assert!(cp.to_text().is_err());
        assert!(sign(&test_key(1), &cp).is_err());
    }

    #[test]
    fn a_signed_checkpoint_verifies_and_any_change_breaks_it() {
        let key = test_key(3);
        let public = key.verifying_key();
        let signed = sign(&key, &checkpoint(42, leaf_hash(b"root"))).unwrap();
        assert_eq!(signed.key_id, key_id(&public));
        verify(&public, &signed).unwrap();

        let mut changed = Vec::new();
        for edit in 0..6 {
            let mut s = signed.clone();
            match edit {
                0 => s.checkpoint.tree_size = 41,
                1 => s.checkpoint.root = leaf_hash(b"other root"),
                2 => s.checkpoint.timestamp = "2026-01-05T08:00:00.000001Z".to_string(),
                3 => s.checkpoint.origin = "govshare.example.gov.cn/audit2".to_string(),
                4 => s.signature[0] ^= 1,
                _ => s.signature[63] ^= 0x80,
            }
            changed.push(s);
        }
        for s in &changed {
            assert_eq!(verify(&public, s), Err(LedgerError::BadSignature), "{s:?}");
        }
    }

    #[test]
    fn another_key_is_refused() {
        let signed = sign(&test_key(3), &checkpoint(42, leaf_hash(b"root"))).unwrap();
        let other = test_key(4).verifying_key();
        assert_eq!(
            verify(&other, &signed),
            Err(LedgerError::KeyMismatch { expected: key_id(&other), found: signed.key_id.clone() })
        );
        // Claiming the other key's id does not help: the signature is still not by that key.
        let forged = SignedCheckpoint { key_id: key_id(&other), ..signed };
        assert_eq!(verify(&other, &forged), Err(LedgerError::BadSignature));
    }

    #[test]
    fn signed_checkpoint_serde_uses_base64_for_the_signature() {
        let signed = sign(&test_key(5), &checkpoint(3, leaf_hash(b"x"))).unwrap();
        let json = serde_json::to_value(&signed).unwrap();
        assert_eq!(json["signature"], BASE64.encode(signed.signature));
        assert_eq!(json["checkpoint"]["root"], signed.checkpoint.root.to_string());
        assert_eq!(json["checkpoint"]["tree_size"], 3);
        assert_eq!(json["key_id"], signed.key_id);
        let back: SignedCheckpoint = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, signed);

        let mut short = json.clone();
        short["signature"] = BASE64.encode([0u8; 63]).into();
        let err = serde_json::from_value::<SignedCheckpoint>(short).unwrap_err().to_string();
        assert!(err.contains("应为 64 字节"), "{err}");
        let mut garbage = json;
        garbage["signature"] = "not base64!".into();
        assert!(serde_json::from_value::<SignedCheckpoint>(garbage).is_err());
    }
}
