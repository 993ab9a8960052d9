//! 组织机构代码 (GB 11714-1997): an 8-character body of digits and upper-case letters
//! (A = 10 … Z = 35) plus a check character, usually displayed as `XXXXXXXX-X`.

use super::{IdKind, IdentifierError};

const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

fn value_of(c: char) -> Option<u32> {
    match c {
        '0'..='9' | 'A'..='Z' => c.to_digit(36),
        _ => None,
    }
}

/// Check character for an 8-character body given as upper-case chars; `None` when the body
/// has the wrong length or a character outside digits and upper-case letters.
pub(super) fn org_check_char(body: &[char]) -> Option<char> {
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in body.iter().zip(WEIGHTS) {
        sum += value_of(c)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10)?,
    })
}

/// The check character (9th) for the 8-character body of a 组织机构代码, or `None` when the
/// body is not 8 digits/letters. Lower-case letters are accepted.
pub fn org_code_check_char(first8: &str) -> Option<char> {
    let body: Vec<char> = first8.chars().map(|c| c.to_ascii_uppercase()).collect();
    org_check_char(&body)
}

/// Validates a 组织机构代码 and returns it normalised: 9 upper-case characters without `-`.
///
/// Accepts one optional `-` before the check character (`D2143569-X`).
pub fn check_org_code(s: &str) -> Result<String, IdentifierError> {
    let kind = IdKind::OrgCode;
    let s = s.trim();
    if s.is_empty() {
        return Err(IdentifierError::Empty { kind });
    }
    let mut chars: Vec<char> = s.chars().map(|c| c.to_ascii_uppercase()).collect();
    if chars.len() == 10 && chars[8] == '-' {
        chars.remove(8);
    }
    if chars.len() != 9 {
        return Err(IdentifierError::Length { kind, expected: 9, actual: chars.len() });
    }
    if let Some(i) = (0..8).find(|&i| value_of(chars[i]).is_none()) {
        return Err(IdentifierError::InvalidChar {
            kind, position: i + 1, found: chars[i], allowed: "数字或大写字母"
        });
    }
    let found = chars[8];
    if !(found.is_ascii_digit() || found == 'X') {
        return Err(IdentifierError::InvalidChar {
            kind, position: 9, found, allowed: "数字0—9或X（校验位）"
        });
    }
    if let Some(expected) = org_check_char(&chars[..8])
        && expected != found
    {
        return Err(IdentifierError::Checksum { kind, expected, found });
    }
    Ok(chars.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_valid_vectors() {
        assert_eq!(check_org_code("D2143569X").unwrap(), "D2143569X");
        assert_eq!(check_org_code("D2143569-X").unwrap(), "D2143569X");
        assert_eq!(check_org_code("600037341").unwrap(), "600037341");
        assert_eq!(check_org_code("M000100Y4").unwrap(), "M000100Y4");
        assert_eq!(check_org_code("MA01ABCD5").unwrap(), "MA01ABCD5");
    }

    #[test]
    fn standard_invalid_vectors() {
        let err = check_org_code("D21435690").unwrap_err();
        assert_eq!(err, IdentifierError::Checksum { kind: IdKind::OrgCode, expected: 'X', found: '0' });
        assert!(err.to_string().contains("校验位应为“X”"), "{err}");
        let err = check_org_code("12345678X").unwrap_err();
        assert_eq!(err, IdentifierError::Checksum { kind: IdKind::OrgCode, expected: '8', found: 'X' });
    }

    #[test]
    fn lowercase_and_dash_are_normalised() {
        assert_eq!(check_org_code("ma01abcd-5").unwrap(), "MA01ABCD5");
        assert_eq!(check_org_code("d2143569-x").unwrap(), "D2143569X");
    }

    #[test]
    fn malformed_input() {
        assert_eq!(
            check_org_code("D214356X").unwrap_err(),
            IdentifierError::Length { kind: IdKind::OrgCode, expected: 9, actual: 8 }
        );
        // A dash anywhere else is a bad character.
        assert!(matches!(
            check_org_code("D214-3569").unwrap_err(),
            IdentifierError::InvalidChar { position: 5, found: '-', .. }
        ));
        assert!(matches!(
            check_org_code("D2143569A").unwrap_err(),
            IdentifierError::InvalidChar { position: 9, found: 'A', .. }
        ));
        assert!(matches!(check_org_code("  ").unwrap_err(), IdentifierError::Empty { .. }));
    }

    #[test]
    fn check_char_helper() {
        assert_eq!(org_code_check_char("D2143569"), Some('X'));
        assert_eq!(org_code_check_char("60003734"), Some('1'));
        assert_eq!(org_code_check_char("M000100Y"), Some('4'));
        assert_eq!(org_code_check_char("MA01ABCD"), Some('5'));
        assert_eq!(org_code_check_char("12345678"), Some('8'));
        assert_eq!(org_code_check_char("1234567"), None);
        assert_eq!(org_code_check_char("1234567-"), None);
    }
}
