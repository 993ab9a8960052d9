//! 公民身份号码 (GB 11643-1999): `AAAAAA YYYYMMDD SSS C` — address code, birth date, sequence
//! (odd = male) and an ISO 7064 MOD 11-2 check character. Also upgrades legacy 15-digit numbers.

use std::fmt;

use chrono::NaiveDate;

use super::region::province_by_prefix;
use super::{IdKind, IdentifierError, digit, number};

/// `W_i = 2^(18-i) mod 11` for i = 1..17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by `S mod 11`.
const CHECK_MAP: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A validated 18-character 公民身份号码, upper-case `X`.
///
/// `Debug` masks the birth date and sequence (keeps the first 6 and last 4 characters) so that
/// the number does not leak into logs; `Display`, [`CitizenId::as_str`] and serialisation give the
/// full number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CitizenId {
    value: String,
    birth_date: NaiveDate,
}

impl CitizenId {
    /// The normalised 18-character number.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Birth date encoded in positions 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// Sex encoded in the sequence code: position 17 odd = male, even = female.
    pub fn is_male(&self) -> bool {
        self.value.as_bytes().get(16).is_some_and(|&b| digit(b) % 2 == 1)
    }

    /// The 6-digit address code (GB/T 2260 county code at issuance; may be an abolished code).
    pub fn region_code(&self) -> &str {
        self.value.get(..6).unwrap_or_default()
    }

    /// The number masked for display: first 6 and last 4 characters kept.
    pub fn masked(&self) -> String {
        let head = self.value.get(..6).unwrap_or_default();
        let tail = self.value.get(14..).unwrap_or_default();
        format!("{head}********{tail}")
    }
}

impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CitizenId").field(&self.masked()).finish()
    }
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl AsRef<str> for CitizenId {
    fn as_ref(&self) -> &str {
        &self.value
    }
}

impl serde::Serialize for CitizenId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.value)
    }
}

/// Check character for 17 ASCII digits (infallible core of [`citizen_id_check_char`]).
fn check_char_of(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(&b, w)| digit(b) * w).sum();
    CHECK_MAP[(sum % 11) as usize]
}

/// The MOD 11-2 check character for the first 17 digits of a 公民身份号码, or `None` when the
/// input is not exactly 17 ASCII digits. Useful for generating test data.
pub fn citizen_id_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    (bytes.len() == 17 && bytes.iter().all(u8::is_ascii_digit)).then(|| check_char_of(bytes))
}

/// Validates an 18-character 公民身份号码 and returns it normalised (lower-case `x` → `X`).
///
/// Checks, in order: length, characters, province prefix of the address code (GB/T 2260),
/// birth date is a real date and not after `today`, and the MOD 11-2 check character.
pub fn check_citizen_id(s: &str, today: NaiveDate) -> Result<CitizenId, IdentifierError> {
    let kind = IdKind::CitizenId;
    let s = s.trim();
    if s.is_empty() {
        return Err(IdentifierError::Empty { kind });
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() != 18 {
        return Err(IdentifierError::Length { kind, expected: 18, actual: chars.len() });
    }
    let mut value = String::with_capacity(18);
    for (i, &c) in chars.iter().enumerate() {
        let c = if i == 17 { c.to_ascii_uppercase() } else { c };
        let ok = c.is_ascii_digit() || (i == 17 && c == 'X');
        if !ok {
            let allowed = if i == 17 { "数字0—9或X" } else { "数字0—9" };
            return Err(IdentifierError::InvalidChar { kind, position: i + 1, found: c, allowed });
        }
        value.push(c);
    }
    // `value` is now 18 ASCII characters, so byte slicing below is safe.
    let province = &value[..2];
    if province_by_prefix(province).is_none() {
        return Err(IdentifierError::UnknownProvince { kind, code: province.to_string() });
    }
    let birth_date = parse_birth_date(&value[6..14])?;
    if birth_date > today {
        return Err(IdentifierError::FutureBirthDate { birth_date, today });
    }
    let expected = check_char_of(&value.as_bytes()[..17]);
    let found = chars[17].to_ascii_uppercase();
    if found != expected {
        return Err(IdentifierError::Checksum { kind, expected, found });
    }
    Ok(CitizenId { value, birth_date })
}

/// Parses `YYYYMMDD` (8 ASCII digits) into a real calendar date.
fn parse_birth_date(yyyymmdd: &str) -> Result<NaiveDate, IdentifierError> {
    let year = number(&yyyymmdd[..4]);
    let month = number(&yyyymmdd[4..6]);
    let day = number(&yyyymmdd[6..8]);
    i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
        .ok_or_else(|| IdentifierError::InvalidBirthDate { value: yyyymmdd.to_string() })
}

/// Upgrades a legacy 15-digit number (`AAAAAA YYMMDD SSS`, born 19YY) to 18 characters by
/// inserting `19` before the year and appending the check character.
///
/// The address prefix and the birth date are validated as for 18-character numbers.
pub fn upgrade_15_to_18(s: &str) -> Result<String, IdentifierError> {
    let kind = IdKind::CitizenId15;
    let s = s.trim();
    if s.is_empty() {
        return Err(IdentifierError::Empty { kind });
    }
    let count = s.chars().count();
    if count != 15 {
        return Err(IdentifierError::Length { kind, expected: 15, actual: count });
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(IdentifierError::InvalidChar { kind, position: i + 1, found: c, allowed: "数字0—9" });
    }
    let province = &s[..2];
    if province_by_prefix(province).is_none() {
        return Err(IdentifierError::UnknownProvince { kind, code: province.to_string() });
    }
    let first17 = format!("{}19{}", &s[..6], &s[6..]);
    parse_birth_date(&first17[6..14])?;
    let check = check_char_of(first17.as_bytes());
    Ok(format!("{first17}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn standard_valid_vectors() {
        let id = check_citizen_id("11010519491231002X", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), ymd(1949, 12, 31));
        assert!(!id.is_male());
        assert_eq!(id.region_code(), "110105");

        let id = check_citizen_id("440524188001010014", today()).unwrap();
        assert_eq!(id.birth_date(), ymd(1880, 1, 1));
        assert!(id.is_male());
        assert_eq!(id.region_code(), "440524");

        let id = check_citizen_id("110101199003071233", today()).unwrap();
        assert_eq!(id.birth_date(), ymd(1990, 3, 7));
        assert!(id.is_male());

        let id = check_citizen_id("440304200002290022", today()).unwrap();
        assert_eq!(id.birth_date(), ymd(2000, 2, 29));
        assert!(!id.is_male());
    }

    #[test]
    fn lowercase_x_is_normalised() {
        let id = check_citizen_id("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let id = check_citizen_id(" 11010519491231002X\t", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn wrong_check_char_states_expected() {
        let err = check_citizen_id("110105194912310021", today()).unwrap_err();
        assert_eq!(err, IdentifierError::Checksum { kind: IdKind::CitizenId, expected: 'X', found: '1' });
        assert!(err.to_string().contains("校验位应为“X”"), "{err}");

        let err = check_citizen_id("440524188001010015", today()).unwrap_err();
        assert_eq!(err, IdentifierError::Checksum { kind: IdKind::CitizenId, expected: '4', found: '5' });
        assert!(err.to_string().contains("校验位应为“4”"), "{err}");
    }

    #[test]
    fn impossible_birth_date() {
        // Checksum is right, but 1949-02-30 does not exist.
        assert_eq!(citizen_id_check_char("11010519490230002"), Some('0'));
        let err = check_citizen_id("110105194902300020", today()).unwrap_err();
        assert_eq!(err, IdentifierError::InvalidBirthDate { value: "19490230".into() });
        assert!(err.to_string().contains("不是真实存在的日期"), "{err}");
    }

    #[test]
    fn non_leap_29_february_is_rejected() {
        let first17 = "44030420010229002";
        let c = citizen_id_check_char(first17).unwrap();
        let err = check_citizen_id(&format!("{first17}{c}"), today()).unwrap_err();
        assert!(matches!(err, IdentifierError::InvalidBirthDate { .. }));
    }

    #[test]
    fn future_birth_date() {
        let first17 = "11010520300101001";
        let c = citizen_id_check_char(first17).unwrap();
        let err = check_citizen_id(&format!("{first17}{c}"), today()).unwrap_err();
        assert_eq!(err, IdentifierError::FutureBirthDate { birth_date: ymd(2030, 1, 1), today: today() });
        // Born today is fine.
        let first17 = "11010520250601001";
        let c = citizen_id_check_char(first17).unwrap();
        assert!(check_citizen_id(&format!("{first17}{c}"), today()).is_ok());
    }

    #[test]
    fn wrong_length() {
        let err = check_citizen_id("11010519491231002", today()).unwrap_err();
        assert_eq!(err, IdentifierError::Length { kind: IdKind::CitizenId, expected: 18, actual: 17 });
        assert!(err.to_string().contains("公民身份号码应为18位，实际为17位"), "{err}");
        let err = check_citizen_id("", today()).unwrap_err();
        assert_eq!(err, IdentifierError::Empty { kind: IdKind::CitizenId });
    }

    #[test]
    fn bad_character_position() {
        let err = check_citizen_id("1101051949123100AX", today()).unwrap_err();
        assert_eq!(
            err,
            IdentifierError::InvalidChar { kind: IdKind::CitizenId, position: 17, found: 'A', allowed: "数字0—9" }
        );
        assert!(err.to_string().contains("第17位“A”"), "{err}");
        // X is only allowed as the check character.
        let err = check_citizen_id("X1010519491231002X", today()).unwrap_err();
        assert!(matches!(err, IdentifierError::InvalidChar { position: 1, .. }));
        // Non-ASCII input is counted in characters, not bytes.
        let err = check_citizen_id("１1010519491231002X", today()).unwrap_err();
        assert!(matches!(err, IdentifierError::InvalidChar { position: 1, found: '１', .. }));
    }

    #[test]
    fn unknown_province() {
        let first17 = "99010519491231002";
        let c = citizen_id_check_char(first17).unwrap();
        let err = check_citizen_id(&format!("{first17}{c}"), today()).unwrap_err();
        assert_eq!(err, IdentifierError::UnknownProvince { kind: IdKind::CitizenId, code: "99".into() });
    }

    #[test]
    fn upgrade_example() {
        assert_eq!(upgrade_15_to_18("110105491231002").unwrap(), "11010519491231002X");
        let upgraded = upgrade_15_to_18("110105491231002").unwrap();
        assert!(check_citizen_id(&upgraded, today()).is_ok());
    }

    #[test]
    fn upgrade_rejects_bad_input() {
        assert_eq!(
            upgrade_15_to_18("11010549123100").unwrap_err(),
            IdentifierError::Length { kind: IdKind::CitizenId15, expected: 15, actual: 14 }
        );
        assert!(matches!(
            upgrade_15_to_18("11010549123100A").unwrap_err(),
            IdentifierError::InvalidChar { position: 15, .. }
        ));
        assert!(matches!(upgrade_15_to_18("110105490230002").unwrap_err(), IdentifierError::InvalidBirthDate { .. }));
        assert!(matches!(upgrade_15_to_18("000105491231002").unwrap_err(), IdentifierError::UnknownProvince { .. }));
    }

    #[test]
    fn check_char_helper() {
        assert_eq!(citizen_id_check_char("11010519491231002"), Some('X'));
        assert_eq!(citizen_id_check_char("44052418800101001"), Some('4'));
        assert_eq!(citizen_id_check_char("1101051949123100"), None);
        assert_eq!(citizen_id_check_char("1101051949123100A"), None);
    }

    #[test]
    fn debug_is_masked() {
        let id = check_citizen_id("11010519491231002X", today()).unwrap();
        assert_eq!(format!("{id:?}"), "CitizenId(\"110105********002X\")");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"11010519491231002X\"");
    }

    /// Tiny deterministic generator (SplitMix64) so the property test needs no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    #[test]
    fn property_generated_ids_are_valid_and_single_edits_are_caught() {
        let today = ymd(2025, 6, 1);
        let provinces: Vec<&str> = crate::identifiers::PROVINCES.iter().map(|(c, _)| *c).collect();
        let start = ymd(1900, 1, 1);
        let span = (ymd(2025, 5, 31) - start).num_days() as u64;
        let mut rng = Rng(0x5EED_1164_3199);
        for _ in 0..2000 {
            let province = provinces[rng.below(provinces.len() as u64) as usize];
            let birth = start + chrono::Duration::days(rng.below(span + 1) as i64);
            let first17 = format!("{province}{:04}{}{:03}", rng.below(10_000), birth.format("%Y%m%d"), rng.below(1000));
            let check = citizen_id_check_char(&first17).unwrap();
            let id = format!("{first17}{check}");
            let parsed = check_citizen_id(&id, today).unwrap();
            assert_eq!(parsed.birth_date(), birth);

            let original: Vec<char> = id.chars().collect();
            for pos in 0..18 {
                for replacement in "0123456789X".chars() {
                    if replacement == original[pos] {
                        continue;
                    }
                    let mut mutated = original.clone();
                    mutated[pos] = replacement;
                    let mutated: String = mutated.into_iter().collect();
                    assert!(check_citizen_id(&mutated, today).is_err(), "{mutated} (from {id}) should be invalid");
                }
            }
        }
    }
}
