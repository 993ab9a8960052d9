//! Contact and payment identifiers: mainland mobile numbers (`^1[3-9]\d{9}$`) and the Luhn
//! check (ISO/IEC 7812-1) of bank card numbers.
//!
//! Some legacy domestic bank cards are not Luhn-valid, so callers should treat a Luhn failure
//! as a warning rather than a hard rejection.

use super::{IdKind, IdentifierError};

/// Checks a mainland mobile number: 11 digits, starting with `1`, second digit 3–9.
pub fn check_mobile(s: &str) -> Result<(), IdentifierError> {
    let kind = IdKind::Mobile;
    let s = s.trim();
    if s.is_empty() {
        return Err(IdentifierError::Empty { kind });
    }
    let count = s.chars().count();
    if count != 11 {
        return Err(IdentifierError::Length { kind, expected: 11, actual: count });
    }
    for (i, c) in s.chars().enumerate() {
        let (ok, allowed) = match i {
            0 => (c == '1', "1"),
            1 => (('3'..='9').contains(&c), "数字3—9"),
            _ => (c.is_ascii_digit(), "数字0—9"),
        };
        if !ok {
            return Err(IdentifierError::InvalidChar { kind, position: i + 1, found: c, allowed });
        }
    }
    Ok(())
}

/// Luhn (mod 10) check. `false` unless `s` is at least two ASCII digits and nothing else.
pub fn luhn_valid(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() < 2 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = bytes
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers() {
        assert!(check_mobile("13812345678").is_ok());
        assert!(check_mobile("19912345678").is_ok());
        assert!(check_mobile(" 13812345678 ").is_ok());
        assert_eq!(
            check_mobile("1381234567").unwrap_err(),
            IdentifierError::Length { kind: IdKind::Mobile, expected: 11, actual: 10 }
        );
        assert!(matches!(
            check_mobile("12812345678").unwrap_err(),
            IdentifierError::InvalidChar { position: 2, found: '2', .. }
        ));
        assert!(matches!(check_mobile("23812345678").unwrap_err(), IdentifierError::InvalidChar { position: 1, .. }));
        assert!(matches!(check_mobile("1381234567a").unwrap_err(), IdentifierError::InvalidChar { position: 11, .. }));
        assert!(check_mobile("+8613812345").is_err());
        assert!(check_mobile("").is_err());
        let msg = check_mobile("138123456789").unwrap_err().to_string();
        assert!(msg.contains("手机号码应为11位，实际为12位"), "{msg}");
    }

    #[test]
    fn luhn_standard_vectors() {
        assert!(luhn_valid("6212345678901234569"));
        assert!(luhn_valid("6200000000000000000"));
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
    }

    #[test]
    fn luhn_rejects_non_digits() {
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("0"));
        assert!(!luhn_valid("4111 1111 1111 1111"));
        assert!(!luhn_valid("411111111111111a"));
    }
}
