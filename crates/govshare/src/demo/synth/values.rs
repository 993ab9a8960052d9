//! Writing single values into a reused `String`: numbers, dates, identifiers with their check
//! characters, addresses and phone numbers. Nothing here allocates beyond the buffer's growth.

use domain::identifiers::{citizen_id_check_char, credit_code_check_char, org_code_check_char};

use super::rng::Rng;
use super::words::{COMPOUNDS, DISTRICTS, OTHER_REGIONS, ROADS, TOWNS, VILLAGES};

/// Appends `n` in decimal, zero-padded to at least `width` digits.
pub(super) fn push_uint(out: &mut String, mut n: u64, width: usize) {
    const ZEROS: &str = "00000000000000000000";
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let len = digits.len() - i;
    if width > len {
        out.push_str(&ZEROS[..(width - len).min(ZEROS.len())]);
    }
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or_default());
}

/// Appends a signed integer.
pub(super) fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_uint(out, n.unsigned_abs(), 1);
}

/// How many decimal digits `n` has (0 has none, as the row checks count digits).
pub(super) fn digit_count(n: u64) -> u32 {
    if n == 0 { 0 } else { n.ilog10() + 1 }
}

/// Appends `scaled / 10^decimals` with exactly `decimals` decimal places.
pub(super) fn push_fixed(out: &mut String, scaled: i64, decimals: u32) {
    if scaled < 0 {
        out.push('-');
    }
    let abs = scaled.unsigned_abs();
    let unit = 10u64.pow(decimals);
    push_uint(out, abs / unit, 1);
    if decimals > 0 {
        out.push('.');
        push_uint(out, abs % unit, decimals as usize);
    }
}

// Dates as days since 1970-01-01 (H. Hinnant's civil calendar algorithms).

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(super) const fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day count.
pub(super) const fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD`.
pub(super) fn push_date(out: &mut String, day: i32) {
    let (y, m, d) = civil_from_days(day);
    push_uint(out, y as u64, 4);
    out.push('-');
    push_uint(out, u64::from(m), 2);
    out.push('-');
    push_uint(out, u64::from(d), 2);
}

/// `YYYYMMDD`.
pub(super) fn push_compact_date(out: &mut String, day: i32) {
    let (y, m, d) = civil_from_days(day);
    push_uint(out, y as u64, 4);
    push_uint(out, u64::from(m), 2);
    push_uint(out, u64::from(d), 2);
}

/// `HH:MM:SS` of a second of the day.
pub(super) fn push_clock(out: &mut String, second: u32) {
    push_uint(out, u64::from(second / 3600), 2);
    out.push(':');
    push_uint(out, u64::from(second / 60 % 60), 2);
    out.push(':');
    push_uint(out, u64::from(second % 60), 2);
}

/// Writes `n` as exactly `out.len()` digits (the lowest ones).
fn put_digits(out: &mut [u8], mut n: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// A 公民身份号码 (GB 11643): region, birth date, a three-digit sequence whose last digit is odd
/// for men, and the MOD 11-2 check character.
pub(super) fn citizen_id(region: &str, birth: i32, seq: u32, out: &mut [u8; 18]) {
    let (y, m, d) = civil_from_days(birth);
    out[..6].copy_from_slice(&region.as_bytes()[..6]);
    put_digits(&mut out[6..10], y as u64);
    put_digits(&mut out[10..12], u64::from(m));
    put_digits(&mut out[12..14], u64::from(d));
    put_digits(&mut out[14..17], u64::from(seq));
    let first17 = std::str::from_utf8(&out[..17]).unwrap_or_default();
    out[17] = citizen_id_check_char(first17).unwrap_or('0') as u8;
}

/// The 31 symbols of GB 32100 in value order.
pub(super) const CREDIT_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A 统一社会信用代码 (GB 32100): `prefix` (登记管理部门码 and 机构类别码), the 6-digit region,
/// an 8-character organisation body with its GB 11714 check character, and the check character.
pub(super) fn credit_code(prefix: &str, region: &str, body: &[u8; 8], out: &mut [u8; 18]) {
    out[..2].copy_from_slice(&prefix.as_bytes()[..2]);
    out[2..8].copy_from_slice(&region.as_bytes()[..6]);
    out[8..16].copy_from_slice(body);
    let org_check = org_code_check_char(std::str::from_utf8(body).unwrap_or("00000000")).unwrap_or('0');
    out[16] = org_check as u8;
    let first17 = std::str::from_utf8(&out[..17]).unwrap_or_default();
    out[17] = credit_code_check_char(first17).unwrap_or('0') as u8;
}

/// The organisation body of the `k`-th unique code: post-2015 `MA` + six symbols, or, for the
/// first hundred million indexes of the permuted space, an older all-digit code.
pub(super) fn org_body(k: u64, out: &mut [u8; 8]) {
    if k < 100_000_000 {
        let mut n = k;
        for i in (0..8).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    } else {
        out[0] = b'M';
        out[1] = b'A';
        let mut n = k - 100_000_000;
        for i in (2..8).rev() {
            out[i] = CREDIT_CHARSET[(n % 31) as usize];
            n /= 31;
        }
    }
}

/// How many organisation bodies [`org_body`] can make.
pub(super) const ORG_BODIES: u64 = 100_000_000 + 887_503_681;

/// Mobile number prefixes of the three carriers.
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
    "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "195", "198", "199",
];

/// An 11-digit mainland mobile number.
pub(super) fn mobile(rng: &mut Rng, out: &mut [u8; 11]) {
    let prefix = rng.pick(MOBILE_PREFIXES).as_bytes();
    out[..3].copy_from_slice(prefix);
    let mut n = rng.below(100_000_000);
    for i in (3..11).rev() {
        out[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// A contact number: a mobile, or a landline of 示例市 (area code 0591).
pub(super) fn push_phone(rng: &mut Rng, out: &mut String) {
    if rng.chance(60) {
        let mut m = [0u8; 11];
        mobile(rng, &mut m);
        out.push_str(std::str::from_utf8(&m).unwrap_or_default());
    } else {
        out.push_str("0591-");
        out.push(if rng.chance(70) { '8' } else { '2' });
        push_uint(out, rng.below(10_000_000), 7);
    }
}

/// A street address in a district of 示例市 (`district` indexes [`DISTRICTS`]).
pub(super) fn push_city_address(rng: &mut Rng, district: usize, out: &mut String) {
    out.push_str("示例市");
    out.push_str(DISTRICTS[district].1);
    let county = DISTRICTS[district].1.ends_with('县');
    if county && rng.chance(60) {
        out.push_str(rng.pick(TOWNS));
        out.push_str(rng.pick(VILLAGES));
        push_uint(out, rng.range(1, 180) as u64, 1);
        out.push('号');
        return;
    }
    out.push_str(rng.pick(ROADS));
    push_uint(out, rng.range(1, 400) as u64, 1);
    out.push('号');
    if rng.chance(55) {
        out.push_str(rng.pick(COMPOUNDS));
        push_uint(out, rng.range(1, 30) as u64, 1);
        out.push_str("号楼");
        push_uint(out, rng.range(1, 3) as u64, 1);
        out.push_str("单元");
        push_uint(out, rng.range(1, 32) as u64, 1);
        push_uint(out, rng.range(1, 6) as u64, 2);
        out.push('室');
    }
}

/// An address in any region: the city's districts come first in the region index, then
/// [`OTHER_REGIONS`].
pub(super) fn push_region_address(rng: &mut Rng, region: usize, out: &mut String) {
    if region < DISTRICTS.len() {
        push_city_address(rng, region, out);
        return;
    }
    out.push_str(OTHER_REGIONS[region - DISTRICTS.len()].1);
    if rng.chance(40) {
        out.push_str(rng.pick(VILLAGES));
    } else {
        out.push_str(rng.pick(ROADS));
    }
    push_uint(out, rng.range(1, 300) as u64, 1);
    out.push('号');
}

/// The 6-digit code of a region index (see [`push_region_address`]).
pub(super) fn region_code(region: usize) -> &'static str {
    if region < DISTRICTS.len() { DISTRICTS[region].0 } else { OTHER_REGIONS[region - DISTRICTS.len()].0 }
}

/// The number of regions a person can come from.
pub(super) const REGIONS: usize = DISTRICTS.len() + OTHER_REGIONS.len();

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends standard Base64 (RFC 4648) of `bytes`, padded.
pub(super) fn push_base64(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

/// Cuts `s` to at most `limit` storage bytes (汉字 count 2, as `data::rows::storage_len`), on a
/// character boundary.
pub(super) fn fit(s: &mut String, limit: usize) {
    if s.len() <= limit {
        // UTF-8 bytes never undercount the storage length.
        return;
    }
    let mut used = 0;
    let mut cut = s.len();
    for (i, c) in s.char_indices() {
        let w = match c.len_utf8() {
            1 => 1,
            4 => 4,
            _ => 2,
        };
        if used + w > limit {
            cut = i;
            break;
        }
        used += w;
    }
    s.truncate(cut);
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, NaiveDate};
    use domain::identifiers::{check_citizen_id, check_credit_code};

    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for day in (-40_000..40_000).step_by(37) {
            let (y, m, d) = civil_from_days(day);
            let expected = epoch + chrono::Duration::days(i64::from(day));
            assert_eq!((y, m, d), (expected.year(), expected.month(), expected.day()));
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }

    #[test]
    fn numbers_and_dates_format() {
        let mut s = String::new();
        push_uint(&mut s, 7, 3);
        s.push(' ');
        push_fixed(&mut s, -1234, 2);
        s.push(' ');
        push_fixed(&mut s, 5, 2);
        s.push(' ');
        push_date(&mut s, days_from_civil(2024, 2, 29));
        s.push(' ');
        push_clock(&mut s, 3600 * 9 + 61);
        assert_eq!(s, "007 -12.34 0.05 2024-02-29 09:01:01");
        assert_eq!(digit_count(0), 0);
        assert_eq!(digit_count(999), 3);
    }

    #[test]
    fn identifiers_validate() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut id = [0u8; 18];
        citizen_id("350102", days_from_civil(1990, 3, 7), 123, &mut id);
        let id = check_citizen_id(std::str::from_utf8(&id).unwrap(), today).unwrap();
        assert!(id.is_male());
        let mut body = [0u8; 8];
        let mut code = [0u8; 18];
        for k in [0, 12_345_678, 99_999_999, 100_000_000, ORG_BODIES - 1] {
            org_body(k, &mut body);
            credit_code("91", "350100", &body, &mut code);
            check_credit_code(std::str::from_utf8(&code).unwrap()).unwrap();
        }
    }

    #[test]
    fn fitting_counts_chinese_as_two() {
        let mut s = "示例市鼓楼区".to_string();
        fit(&mut s, 7);
        assert_eq!(s, "示例市");
        let mut s = "ab".to_string();
        fit(&mut s, 5);
        assert_eq!(s, "ab");
    }

    #[test]
    fn base64_matches_the_standard() {
        let mut s = String::new();
        push_base64(&mut s, b"hello");
        assert_eq!(s, "aGVsbG8=");
    }
}
