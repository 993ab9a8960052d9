//! 统一社会信用代码 (GB 32100-2015 with amendment XG1-2016): 18 characters from a 31-symbol
//! alphabet (digits and upper-case letters without I, O, Z, S, V):
//!
//! | Positions | Meaning |
//! |---|---|
//! | 1 | 登记管理部门码: 1–9, A (中央军委改革和编制办公室), N (农业), Y (其他) |
//! | 2 | 机构类别码 (depends on position 1) |
//! | 3–8 | 登记管理机关行政区划码 (GB/T 2260; `100000` = national) |
//! | 9–17 | 主体标识码 = 组织机构代码 (GB 11714, with its own check character) |
//! | 18 | check character, weights `3^(i-1) mod 31` |
//!
//! Unlike python-stdnum, positions 1–8 are not required to be digits: codes starting with
//! `A`, `N` or `Y` are legitimate.

use std::fmt;

use super::org_code::org_check_char;
use super::{IdKind, IdentifierError};

/// The 31 symbols in value order (A = 10 … Y = 30).
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// `W_i = 3^(i-1) mod 31` for i = 1..17.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// Allowed values of position 1 (登记管理部门码).
const AUTHORITIES: &str = "123456789ANY";
const ALLOWED_CHARS: &str = "数字或大写字母（不含I、O、Z、S、V）";

/// A validated 统一社会信用代码 in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// The normalised 18-character code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: 登记管理部门码 (e.g. `9` = 市场监管, `1` = 机构编制, `5` = 民政).
    pub fn registration_authority(&self) -> char {
        self.0.chars().next().unwrap_or('0')
    }

    /// Position 2: 机构类别码.
    pub fn entity_category(&self) -> char {
        self.0.chars().nth(1).unwrap_or('0')
    }

    /// Positions 3–8: 登记管理机关行政区划码.
    pub fn region_code(&self) -> &str {
        self.0.get(2..8).unwrap_or_default()
    }

    /// Positions 9–17: the embedded 组织机构代码 (主体标识码).
    pub fn org_code(&self) -> &str {
        self.0.get(8..17).unwrap_or_default()
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CreditCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CreditCode {
    type Error = IdentifierError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        check_credit_code(&value)
    }
}

impl From<CreditCode> for String {
    fn from(code: CreditCode) -> Self {
        code.0
    }
}

fn value_of(c: char) -> Option<u32> {
    if !c.is_ascii() {
        return None;
    }
    CHARSET.find(c).and_then(|i| u32::try_from(i).ok())
}

/// Check character for 17 values already known to be in the charset.
fn check_char_of(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let r = (31 - sum % 31) % 31;
    CHARSET.as_bytes().get(r as usize).map_or('0', |&b| char::from(b))
}

/// The check character (position 18) for the first 17 characters of a 统一社会信用代码, or
/// `None` when the input is not 17 characters of the code's alphabet. Lower-case letters are
/// accepted. Only the checksum is computed, not the structure rules.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let values: Option<Vec<u32>> = first17.chars().map(|c| value_of(c.to_ascii_uppercase())).collect();
    let values = values?;
    (values.len() == 17).then(|| check_char_of(&values))
}

/// Validates a 统一社会信用代码 after upper-casing it and returns the normalised code.
///
/// Checks, in order: length, alphabet, 登记管理部门码 (position 1), digits in positions 3–8,
/// the check character (position 18) and that positions 9–17 are a valid 组织机构代码.
pub fn check_credit_code(s: &str) -> Result<CreditCode, IdentifierError> {
    let kind = IdKind::CreditCode;
    let s = s.trim();
    if s.is_empty() {
        return Err(IdentifierError::Empty { kind });
    }
    let chars: Vec<char> = s.chars().map(|c| c.to_ascii_uppercase()).collect();
    if chars.len() != 18 {
        return Err(IdentifierError::Length { kind, expected: 18, actual: chars.len() });
    }
    let mut values = Vec::with_capacity(18);
    for (i, &c) in chars.iter().enumerate() {
        match value_of(c) {
            Some(v) => values.push(v),
            None => {
                return Err(IdentifierError::InvalidChar { kind, position: i + 1, found: c, allowed: ALLOWED_CHARS });
            }
        }
    }
    if !AUTHORITIES.contains(chars[0]) {
        return Err(IdentifierError::RegistrationAuthority { found: chars[0] });
    }
    if let Some(i) = (2..8).find(|&i| !chars[i].is_ascii_digit()) {
        return Err(IdentifierError::InvalidChar {
            kind,
            position: i + 1,
            found: chars[i],
            allowed: "数字0—9（第3—8位是登记管理机关行政区划码）",
        });
    }
    let expected = check_char_of(&values[..17]);
    if chars[17] != expected {
        return Err(IdentifierError::Checksum { kind, expected, found: chars[17] });
    }
    // The credit-code alphabet is a subset of the org-code body alphabet, so this is `Some`.
    if let Some(org_expected) = org_check_char(&chars[8..16])
        && chars[16] != org_expected
    {
        return Err(IdentifierError::EmbeddedOrgCode {
            embedded: chars[8..17].iter().collect(),
            expected: org_expected,
            found: chars[16],
        });
    }
    Ok(CreditCode(chars.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_valid_vectors() {
        for code in ["91350100M000100Y43", "91110108MA01ABCD5T", "523301061234567888", "12100000400000018N"] {
            let parsed = check_credit_code(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(parsed.as_str(), code);
        }
        let c = check_credit_code("91350100M000100Y43").unwrap();
        assert_eq!(c.registration_authority(), '9');
        assert_eq!(c.entity_category(), '1');
        assert_eq!(c.region_code(), "350100");
        assert_eq!(c.org_code(), "M000100Y4");
        let c = check_credit_code("523301061234567888").unwrap();
        assert_eq!(c.region_code(), "330106");
        assert_eq!(c.org_code(), "123456788");
    }

    #[test]
    fn wrong_check_char_states_expected() {
        let err = check_credit_code("91350100M000100Y42").unwrap_err();
        assert_eq!(err, IdentifierError::Checksum { kind: IdKind::CreditCode, expected: '3', found: '2' });
        assert!(err.to_string().contains("校验位应为“3”"), "{err}");
        let err = check_credit_code("91110108MA01ABCD5U").unwrap_err();
        assert_eq!(err, IdentifierError::Checksum { kind: IdKind::CreditCode, expected: 'T', found: 'U' });
    }

    #[test]
    fn letter_outside_charset() {
        let err = check_credit_code("91350100M000100I43").unwrap_err();
        assert_eq!(
            err,
            IdentifierError::InvalidChar { kind: IdKind::CreditCode, position: 16, found: 'I', allowed: ALLOWED_CHARS }
        );
        assert!(err.to_string().contains("第16位“I”"), "{err}");
    }

    #[test]
    fn lowercase_is_normalised() {
        assert_ne!("91350100m000100y43", "91350100M000100Y43");
        let c = check_credit_code("91350100m000100y43").unwrap();
        assert_eq!(c.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn wrong_length() {
        let err = check_credit_code("91350100M000100Y4").unwrap_err();
        assert_eq!(err, IdentifierError::Length { kind: IdKind::CreditCode, expected: 18, actual: 17 });
        assert!(err.to_string().contains("统一社会信用代码应为18位，实际为17位"));
    }

    #[test]
    fn letter_authorities_are_accepted() {
        // A, N and Y codes must not be rejected (python-stdnum wrongly requires digits).
        for prefix in ["A1", "N2", "Y1"] {
            let first17 = format!("{prefix}110108MA01ABCD5");
            let check = credit_code_check_char(&first17).unwrap();
            let code = format!("{first17}{check}");
            assert!(check_credit_code(&code).is_ok(), "{code}");
        }
    }

    #[test]
    fn bad_authority() {
        for prefix in ["01", "B1", "M1"] {
            let first17 = format!("{prefix}110108MA01ABCD5");
            let check = credit_code_check_char(&first17).unwrap();
            let code = format!("{first17}{check}");
            let err = check_credit_code(&code).unwrap_err();
            assert!(matches!(err, IdentifierError::RegistrationAuthority { .. }), "{code}: {err}");
            assert!(err.to_string().contains("登记管理部门码"));
        }
    }

    #[test]
    fn region_part_must_be_digits() {
        let first17 = "9111A108MA01ABCD5";
        let check = credit_code_check_char(first17).unwrap();
        let err = check_credit_code(&format!("{first17}{check}")).unwrap_err();
        assert!(matches!(err, IdentifierError::InvalidChar { position: 5, found: 'A', .. }), "{err}");
    }

    #[test]
    fn embedded_org_code_must_be_valid() {
        // MA01ABCD6 is not a valid org code (should end in 5); fix up the outer check char.
        let first17 = "91110108MA01ABCD6";
        let check = credit_code_check_char(first17).unwrap();
        let err = check_credit_code(&format!("{first17}{check}")).unwrap_err();
        assert_eq!(err, IdentifierError::EmbeddedOrgCode { embedded: "MA01ABCD6".into(), expected: '5', found: '6' });
        assert!(err.to_string().contains("主体标识码"));
    }

    #[test]
    fn check_char_helper() {
        assert_eq!(credit_code_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(credit_code_check_char("91110108ma01abcd5"), Some('T'));
        assert_eq!(credit_code_check_char("91350100M000100I4"), None);
        assert_eq!(credit_code_check_char("91350100M000100Y"), None);
    }

    #[test]
    fn serde_round_trip_validates() {
        let c = check_credit_code("91350100M000100Y43").unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, "\"91350100M000100Y43\"");
        let back: CreditCode = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        assert!(serde_json::from_str::<CreditCode>("\"91350100M000100Y42\"").is_err());
    }

    /// Tiny deterministic generator (SplitMix64).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn pick(&mut self, alphabet: &[u8]) -> char {
            char::from(alphabet[(self.next() % alphabet.len() as u64) as usize])
        }
    }

    #[test]
    fn property_generated_codes_are_valid_and_single_edits_are_caught() {
        let charset = CHARSET.as_bytes();
        let digits = b"0123456789";
        let mut rng = Rng(0x0003_2100_2015);
        for _ in 0..2000 {
            let mut first17 = String::new();
            first17.push(rng.pick(AUTHORITIES.as_bytes()));
            first17.push(rng.pick(charset));
            for _ in 0..6 {
                first17.push(rng.pick(digits));
            }
            let mut org_body = String::new();
            for _ in 0..8 {
                org_body.push(rng.pick(charset));
            }
            first17.push_str(&org_body);
            first17.push(crate::identifiers::org_code_check_char(&org_body).unwrap());
            let check = credit_code_check_char(&first17).unwrap();
            let code = format!("{first17}{check}");
            assert!(check_credit_code(&code).is_ok(), "{code} should be valid");

            let original: Vec<char> = code.chars().collect();
            for pos in 0..18 {
                for replacement in CHARSET.chars().chain("IOZSV".chars()) {
                    if replacement == original[pos] {
                        continue;
                    }
                    let mut mutated = original.clone();
                    mutated[pos] = replacement;
                    let mutated: String = mutated.into_iter().collect();
                    assert!(check_credit_code(&mutated).is_err(), "{mutated} (from {code}) should be invalid");
                }
            }
        }
    }
}
