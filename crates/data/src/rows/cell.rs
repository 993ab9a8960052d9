//! Parsing one cell of an upload into the value its data type (STANDARDS.md §1.5.2) stores.
//!
//! Every parser works on a borrowed `&str` and returns a plain value (a number, a day count, a
//! timestamp, a flag) or writes into a caller-owned scratch buffer, so checking a cell allocates
//! nothing unless the cell is rejected — then the [`CellError`] carries a Chinese reason a clerk
//! can act on.

use chrono::NaiveDate;

/// Why one cell was rejected: the rejection code and a specific Chinese reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CellError {
    /// One of `type`, `length`, `identifier`.
    pub code: &'static str,
    pub reason: String,
}

impl CellError {
    pub(crate) fn kind(reason: impl Into<String>) -> CellError {
        CellError { code: "type", reason: reason.into() }
    }

    pub(crate) fn length(reason: impl Into<String>) -> CellError {
        CellError { code: "length", reason: reason.into() }
    }
}

/// The storage length of `s` in bytes, counted the way GBK / GB 18030 store it: an ASCII
/// character takes 1 byte, any other character of the Basic Multilingual Plane 2 bytes, a
/// character beyond it (扩展B区 and later, emoji) 4 bytes. So "张三" is 4 bytes and "A张" is 3.
///
/// Why not UTF-8 bytes or characters: the guide defines 数据长度 as 字节数 — "该信息项对应的字段在
/// 数据库中的指定长度", converted to bytes for spreadsheets — and the source systems behind most
/// catalogues are legacy government databases whose `CHAR`/`VARCHAR` widths were sized in GBK or
/// GB 18030. Counting UTF-8 bytes (3 per 汉字) would reject a name that fits the declared
/// `VARCHAR2(20)` of the source system; counting characters would accept one that does not.
///
/// This is exact for every character GBK can encode (which includes all commonly used 汉字).
/// GB 18030 stores the rarer BMP characters outside GBK in 4 bytes; they are counted as 2 here,
/// which errs on the side of accepting data.
pub fn storage_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    // Count by the UTF-8 lead byte: 1-byte sequences are ASCII, 2- and 3-byte sequences are the
    // BMP, 4-byte sequences are beyond it; continuation bytes count nothing.
    s.bytes()
        .map(|b| match b {
            0x00..=0x7f => 1,
            0x80..=0xbf => 0,
            0xc0..=0xef => 2,
            _ => 4,
        })
        .sum()
}

/// `s.trim()`, without looking at the characters when neither end can be whitespace: the
/// usual cell starts and ends with a letter, digit or 汉字.
pub(crate) fn trim_cell(s: &str) -> &str {
    // The first bytes of the characters `char::is_whitespace` accepts: ASCII \t–\r and space,
    // U+0085 and U+00A0 (C2), U+1680 (E1), U+2000–U+205F (E2), U+3000 (E3).
    fn may_be_space(lead: u8) -> bool {
        matches!(lead, b'\t'..=b'\r' | b' ' | 0xC2 | 0xE1 | 0xE2 | 0xE3)
    }
    let b = s.as_bytes();
    let Some(&first) = b.first() else { return s };
    // The last character's first byte: not a continuation byte (10xxxxxx).
    let last = b.iter().rev().take(4).find(|&&x| x & 0xC0 != 0x80).copied().unwrap_or(first);
    if may_be_space(first) || may_be_space(last) { s.trim() } else { s }
}

/// A number as written: its value and how many digits it has (sign, decimal point, exponent
/// and leading zeros of the integer part not counted; at least 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Number {
    pub value: f64,
    pub digits: usize,
}

/// A hint when `s` contains characters a clerk typically types by mistake into a number or date:
/// full-width digits and punctuation from a Chinese input method.
fn full_width_hint(s: &str) -> Option<String> {
    s.chars()
        .find(|c| ('\u{ff01}'..='\u{ff5e}').contains(c) || *c == '\u{3000}')
        .map(|c| format!("含有全角字符“{c}”，请改为半角字符"))
}

/// Parses decimal or scientific notation (`-12.5`, `1.2E3`, `.5`) for N, B and F.
///
/// Thousands separators, currency signs, `inf` and `NaN` are rejected.
pub(crate) fn parse_number(s: &str) -> Result<Number, CellError> {
    const USAGE: &str = "应为如 1234.5、-0.25 或 1.2E3 这样的数字";
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = &b[int_start..i];
    let mut frac_len = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_len = i - frac_start;
    }
    let ok_mantissa = !int_digits.is_empty() || frac_len > 0;
    let mut ok = ok_mantissa;
    if ok && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        ok = i > exp_start;
    }
    if !ok || i != b.len() {
        return Err(number_error(s, USAGE));
    }
    let value: f64 = s.parse().map_err(|_| number_error(s, USAGE))?;
    if !value.is_finite() {
        return Err(CellError::kind("数值超出可表示的范围"));
    }
    let significant_int = int_digits.iter().skip_while(|&&d| d == b'0').count();
    Ok(Number { value, digits: (significant_int + frac_len).max(1) })
}

/// The reason a malformed number was rejected, naming the most likely mistake.
fn number_error(s: &str, usage: &str) -> CellError {
    if s.contains(',') || s.contains('，') {
        return CellError::kind(format!("不能使用千位分隔符“,”，请去掉分隔符（如 1000 而不是 1,000）；{usage}"));
    }
    if let Some(hint) = full_width_hint(s) {
        return CellError::kind(format!("{hint}；{usage}"));
    }
    if s.contains(['¥', '￥', '$', '元', '%']) {
        return CellError::kind(format!("不能带货币符号、单位或百分号；{usage}"));
    }
    CellError::kind(format!("不是有效的数值，{usage}"))
}

/// Parses a 货币型 (Y) amount into a `Decimal128(19, 4)` value (the amount × 10⁴).
///
/// At most 4 decimal places (further places are accepted only when they are all zeros, which
/// loses nothing) and at most 15 integer digits; no exponent.
pub(crate) fn parse_currency(s: &str) -> Result<i128, CellError> {
    const USAGE: &str = "应为如 1234.56 这样的金额，最多4位小数";
    let b = s.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = &b[int_start..i];
    let mut frac_digits: &[u8] = &[];
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = &b[frac_start..i];
    }
    if (int_digits.is_empty() && frac_digits.is_empty()) || i != b.len() {
        return Err(number_error(s, USAGE));
    }
    if frac_digits.len() > 4 && frac_digits[4..].iter().any(|&d| d != b'0') {
        return Err(CellError::kind(format!("货币型最多4位小数，实际为{}位", frac_digits.len())));
    }
    let significant: &[u8] = match int_digits.iter().position(|&d| d != b'0') {
        Some(p) => &int_digits[p..],
        None => &[],
    };
    if significant.len() > 15 {
        return Err(CellError::kind(format!("货币型整数部分最多15位，实际为{}位", significant.len())));
    }
    let mut value: i128 = 0;
    for &d in significant {
        value = value * 10 + i128::from(d - b'0');
    }
    for k in 0..4 {
        let d = frac_digits.get(k).map_or(0, |&d| d - b'0');
        value = value * 10 + i128::from(d);
    }
    Ok(if negative { -value } else { value })
}

/// Parses an 整型 (I) value into an `i64`; returns the value and its digit count.
///
/// A fractional part of zeros only (`12.00`, as spreadsheets write whole numbers) is accepted.
pub(crate) fn parse_integer(s: &str) -> Result<(i64, usize), CellError> {
    const USAGE: &str = "应为如 42 或 -7 这样的整数";
    let b = s.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = &b[int_start..i];
    if i < b.len() && b[i] == b'.' {
        let frac = &b[i + 1..];
        if !frac.iter().all(u8::is_ascii_digit) || int_digits.is_empty() {
            return Err(number_error(s, USAGE));
        }
        if frac.iter().any(|&d| d != b'0') {
            return Err(CellError::kind(format!("整型不能有小数部分；{USAGE}")));
        }
        i = b.len();
    }
    if int_digits.is_empty() || i != b.len() {
        if parse_number(s).is_ok() {
            return Err(CellError::kind(format!("整型不能使用科学计数法；{USAGE}")));
        }
        return Err(number_error(s, USAGE));
    }
    // Accumulate negatively so that i64::MIN parses.
    let mut value: i64 = 0;
    for &d in int_digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_sub(i64::from(d - b'0')))
            .ok_or_else(|| CellError::kind("超出整型范围（-9223372036854775808至9223372036854775807）"))?;
    }
    if !negative {
        value = value
            .checked_neg()
            .ok_or_else(|| CellError::kind("超出整型范围（-9223372036854775808至9223372036854775807）"))?;
    }
    let digits = int_digits.iter().skip_while(|&&d| d == b'0').count().max(1);
    Ok((value, digits))
}

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01, the Arrow `Date32` epoch.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A small cursor over ASCII bytes for the date and time parsers.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// Reads between `min` and `max` ASCII digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v = 0u32;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + u32::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        (self.i - start >= min).then_some(v)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, s: &str) -> bool {
        if self.b[self.i..].starts_with(s.as_bytes()) {
            self.i += s.len();
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

/// Why a date did not parse: its shape was wrong, or it does not exist in the calendar.
enum DateFail {
    Shape,
    NoSuchDay,
}

/// Reads a date at the cursor: `YYYY-MM-DD`, `YYYY/MM/DD` (month and day may have one digit),
/// `YYYYMMDD` or `YYYY年M月D日`.
fn read_date(c: &mut Cursor<'_>) -> Result<NaiveDate, DateFail> {
    let start = c.i;
    let year = c.digits(4, 4).ok_or(DateFail::Shape)?;
    let (month, day) = if c.eat(b'-') || c.eat(b'/') {
        let sep = c.b[c.i - 1];
        let m = c.digits(1, 2).ok_or(DateFail::Shape)?;
        if !c.eat(sep) {
            return Err(DateFail::Shape);
        }
        (m, c.digits(1, 2).ok_or(DateFail::Shape)?)
    } else if c.eat_str("年") {
        let m = c.digits(1, 2).ok_or(DateFail::Shape)?;
        if !c.eat_str("月") {
            return Err(DateFail::Shape);
        }
        let d = c.digits(1, 2).ok_or(DateFail::Shape)?;
        if !c.eat_str("日") {
            return Err(DateFail::Shape);
        }
        (m, d)
    } else {
        let m = c.digits(2, 2).ok_or(DateFail::Shape)?;
        let d = c.digits(2, 2).ok_or(DateFail::Shape)?;
        // `YYYYMMDD` must be exactly eight digits.
        if c.i - start != 8 {
            return Err(DateFail::Shape);
        }
        (m, d)
    };
    let year = i32::try_from(year).map_err(|_| DateFail::Shape)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateFail::NoSuchDay)
}

/// Days since 1970-01-01 of a date (Arrow `Date32`).
pub(crate) fn date32(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// Parses a 日期型 (D) value into days since 1970-01-01 (`Date32`).
///
/// Accepts `YYYY-MM-DD` (the normal form), `YYYYMMDD`, `YYYY/MM/DD` (month and day may have one
/// digit, as spreadsheets display them) and `YYYY年M月D日`.
pub(crate) fn parse_date(s: &str) -> Result<i32, CellError> {
    let mut c = Cursor { b: s.as_bytes(), i: 0 };
    match read_date(&mut c) {
        Ok(d) if c.done() => Ok(date32(d)),
        Err(DateFail::NoSuchDay) => Err(CellError::kind("不是真实存在的日期，请核对年、月、日")),
        _ => Err(CellError::kind(match full_width_hint(s) {
            Some(hint) => format!("不是有效日期（应为YYYY-MM-DD）：{hint}"),
            None => "不是有效日期（应为YYYY-MM-DD）".to_string(),
        })),
    }
}

/// Microseconds per second and per day.
const MICROS: i64 = 1_000_000;
const DAY_MICROS: i64 = 86_400 * MICROS;
/// The platform's local time zone, UTC+8 (北京时间), in seconds.
const LOCAL_OFFSET_SECS: i64 = 8 * 3600;

/// Parses a 日期时间型 (T) value into microseconds since 1970-01-01 00:00 of local wall time
/// (Arrow `Timestamp(Microsecond, None)`).
///
/// Accepts `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (any date form of [`parse_date`]; a `T` may separate
/// date and time), a date alone (midnight), and RFC 3339 with `Z` or `±HH:MM`: a time with an
/// offset is converted to 北京时间 (UTC+8) and stored as that wall time; a time without an
/// offset is stored as written.
pub(crate) fn parse_timestamp(s: &str) -> Result<i64, CellError> {
    const USAGE: &str = "不是有效日期时间（应为YYYY-MM-DD HH:MM:SS）";
    let shape = || {
        CellError::kind(match full_width_hint(s) {
            Some(hint) => format!("{USAGE}：{hint}"),
            None => USAGE.to_string(),
        })
    };
    let mut c = Cursor { b: s.as_bytes(), i: 0 };
    let date = match read_date(&mut c) {
        Ok(d) => d,
        Err(DateFail::NoSuchDay) => return Err(CellError::kind("日期部分不是真实存在的日期，请核对年、月、日")),
        Err(DateFail::Shape) => return Err(shape()),
    };
    let mut micros = i64::from(date32(date)) * DAY_MICROS;
    if c.done() {
        return Ok(micros);
    }
    if !(c.eat(b' ') || c.eat(b'T') || c.eat(b't')) {
        return Err(shape());
    }
    while c.eat(b' ') {}
    let hour = c.digits(1, 2).ok_or_else(shape)?;
    if !c.eat(b':') {
        return Err(shape());
    }
    let minute = c.digits(2, 2).ok_or_else(shape)?;
    let mut second = 0;
    let mut fraction = 0i64;
    if c.eat(b':') {
        second = c.digits(2, 2).ok_or_else(shape)?;
        if c.eat(b'.') {
            let start = c.i;
            let f = c.digits(1, 6).ok_or_else(shape)?;
            if c.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(CellError::kind("秒的小数部分最多6位（精确到微秒）"));
            }
            let len = u32::try_from(c.i - start).map_err(|_| shape())?;
            fraction = i64::from(f) * 10i64.pow(6 - len);
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(CellError::kind("时间不存在：小时应为0—23，分、秒应为0—59"));
    }
    micros += (i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)) * MICROS + fraction;
    if c.done() {
        return Ok(micros);
    }
    // An offset: convert to 北京时间.
    let offset_secs = if c.eat(b'Z') || c.eat(b'z') {
        0
    } else {
        let sign = match c.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(shape()),
        };
        c.i += 1;
        let oh = c.digits(2, 2).ok_or_else(shape)?;
        c.eat(b':');
        let om = if c.done() { 0 } else { c.digits(2, 2).ok_or_else(shape)? };
        if oh > 23 || om > 59 {
            return Err(CellError::kind("时区偏移不合法（应为如 +08:00）"));
        }
        sign * (i64::from(oh) * 3600 + i64::from(om) * 60)
    };
    if !c.done() {
        return Err(shape());
    }
    Ok(micros + (LOCAL_OFFSET_SECS - offset_secs) * MICROS)
}

/// Parses a 逻辑型 (L) value: 是/否, true/false, 1/0, Y/N, T/F (letters in any case).
pub(crate) fn parse_bool(s: &str) -> Result<bool, CellError> {
    match s {
        "是" | "1" => return Ok(true),
        "否" | "0" => return Ok(false),
        _ => {}
    }
    for t in ["true", "y", "t"] {
        if s.eq_ignore_ascii_case(t) {
            return Ok(true);
        }
    }
    for f in ["false", "n", "f"] {
        if s.eq_ignore_ascii_case(f) {
            return Ok(false);
        }
    }
    Err(CellError::kind("不是有效的逻辑值（应为 是/否、true/false、1/0、Y/N 或 T/F）"))
}

/// The value of one character of the standard Base64 alphabet (RFC 4648 §4).
fn base64_value(b: u8) -> Option<u32> {
    Some(u32::from(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// Decodes standard Base64 (RFC 4648 §4) for 通用型 (G), appending the bytes to `out`.
///
/// Padding is optional; line breaks and spaces (as in MIME-wrapped text) are skipped. On error
/// `out` may hold a partial result; the caller discards it.
pub(crate) fn decode_base64(s: &str, out: &mut Vec<u8>) -> Result<(), CellError> {
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut count = 0usize;
    let mut padding = 0usize;
    out.reserve(s.len() / 4 * 3 + 3);
    for (pos, ch) in s.chars().enumerate() {
        if matches!(ch, ' ' | '\t' | '\r' | '\n') {
            continue;
        }
        if ch == '=' {
            padding += 1;
            continue;
        }
        let value = u8::try_from(ch).ok().and_then(base64_value).filter(|_| padding == 0);
        let Some(v) = value else {
            return Err(CellError::kind(format!(
                "不是有效的Base64编码：第{}个字符“{ch}”不合法（应为A—Z、a—z、0—9、+、/，末尾可有=）",
                pos + 1
            )));
        };
        acc = (acc << 6) | v;
        bits += 6;
        count += 1;
        if bits >= 8 {
            bits -= 8;
            // Keep only the bits not yet written; the truncation to a byte is intended.
            out.push(((acc >> bits) & 0xff) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if count % 4 == 1 || padding > 2 || (padding > 0 && !(count + padding).is_multiple_of(4)) {
        return Err(CellError::kind("不是有效的Base64编码：长度不对，可能被截断"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_len_counts_like_gbk() {
        assert_eq!(storage_len(""), 0);
        assert_eq!(storage_len("abc"), 3);
        assert_eq!(storage_len("张三"), 4);
        assert_eq!(storage_len("A张"), 3);
        assert_eq!(storage_len("，"), 2);
        assert_eq!(storage_len("𠀀"), 4); // CJK Extension B, beyond the BMP
        assert_eq!(storage_len("é"), 2);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("1234.5").map(|n| (n.value, n.digits)), Ok((1234.5, 5)));
        assert_eq!(parse_number("-0.25").map(|n| (n.value, n.digits)), Ok((-0.25, 2)));
        assert_eq!(parse_number("1.2E3").map(|n| n.value), Ok(1200.0));
        assert_eq!(parse_number(".5").map(|n| n.value), Ok(0.5));
        assert_eq!(parse_number("007").map(|n| n.digits), Ok(1));
        for bad in ["", "-", ".", "1e", "abc", "NaN", "inf", "1.2.3", "1 000", "0x10"] {
            assert!(parse_number(bad).is_err(), "{bad}");
        }
        let err = parse_number("1,000").unwrap_err();
        assert!(err.reason.contains("千位分隔符"), "{}", err.reason);
        let err = parse_number("１２").unwrap_err();
        assert!(err.reason.contains("全角"), "{}", err.reason);
        assert!(parse_number("1e999").unwrap_err().reason.contains("范围"));
    }

    #[test]
    fn currency() {
        assert_eq!(parse_currency("1234.56"), Ok(12_345_600));
        assert_eq!(parse_currency("-0.0001"), Ok(-1));
        assert_eq!(parse_currency("5"), Ok(50_000));
        assert_eq!(parse_currency("1.50000"), Ok(15_000));
        assert_eq!(parse_currency("999999999999999.9999"), Ok(9_999_999_999_999_999_999));
        assert!(parse_currency("1.23456").unwrap_err().reason.contains("最多4位小数"));
        assert!(parse_currency("1000000000000000").unwrap_err().reason.contains("15位"));
        assert!(parse_currency("1e3").is_err());
        assert!(parse_currency("¥12").unwrap_err().reason.contains("货币符号"));
    }

    #[test]
    fn integers() {
        assert_eq!(parse_integer("42"), Ok((42, 2)));
        assert_eq!(parse_integer("-7"), Ok((-7, 1)));
        assert_eq!(parse_integer("12.00"), Ok((12, 2)));
        assert_eq!(parse_integer("-9223372036854775808"), Ok((i64::MIN, 19)));
        assert!(parse_integer("9223372036854775808").unwrap_err().reason.contains("超出整型范围"));
        assert!(parse_integer("1.5").unwrap_err().reason.contains("小数"));
        assert!(parse_integer("1e3").unwrap_err().reason.contains("科学计数法"));
        assert!(parse_integer("1,000").unwrap_err().reason.contains("千位分隔符"));
        assert!(parse_integer("abc").is_err());
        assert!(parse_integer(".0").is_err());
    }

    #[test]
    fn dates() {
        let d = |y, m, d| date32(NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default());
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("2024-02-29"), Ok(d(2024, 2, 29)));
        assert_eq!(parse_date("20240229"), Ok(d(2024, 2, 29)));
        assert_eq!(parse_date("2024/2/9"), Ok(d(2024, 2, 9)));
        assert_eq!(parse_date("2024年2月9日"), Ok(d(2024, 2, 9)));
        assert!(parse_date("2023-02-29").unwrap_err().reason.contains("不是真实存在的日期"));
        for bad in ["2024-1", "2024-01/01", "202401011", "24-01-01", "2024-01-01x", "01/02/2024", ""] {
            let err = parse_date(bad).unwrap_err();
            assert!(err.reason.contains("不是有效日期（应为YYYY-MM-DD）"), "{bad}: {}", err.reason);
        }
    }

    #[test]
    fn timestamps() {
        let base = i64::from(date32(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default())) * DAY_MICROS;
        let hms = |h: i64, m: i64, s: i64| base + (h * 3600 + m * 60 + s) * MICROS;
        assert_eq!(parse_timestamp("2024-03-01 08:30:15"), Ok(hms(8, 30, 15)));
        assert_eq!(parse_timestamp("2024-03-01T08:30:15"), Ok(hms(8, 30, 15)));
        assert_eq!(parse_timestamp("2024-03-01 08:30"), Ok(hms(8, 30, 0)));
        assert_eq!(parse_timestamp("2024-03-01"), Ok(base));
        assert_eq!(parse_timestamp("2024-03-01 08:30:15.25"), Ok(hms(8, 30, 15) + 250_000));
        assert_eq!(parse_timestamp("2024-03-01 08:30:15.123456"), Ok(hms(8, 30, 15) + 123_456));
        // With an offset: converted to UTC+8 wall time.
        assert_eq!(parse_timestamp("2024-03-01T00:30:15Z"), Ok(hms(8, 30, 15)));
        assert_eq!(parse_timestamp("2024-03-01T08:30:15+08:00"), Ok(hms(8, 30, 15)));
        assert_eq!(parse_timestamp("2024-03-01T09:30:15+09:00"), Ok(hms(8, 30, 15)));
        assert_eq!(parse_timestamp("2024-02-29T19:30:15-05:00"), Ok(hms(8, 30, 15)));
        assert!(parse_timestamp("2024-03-01 24:00:00").unwrap_err().reason.contains("时间不存在"));
        assert!(parse_timestamp("2024-03-01 08:30:15.1234567").unwrap_err().reason.contains("6位"));
        for bad in ["2024-03-01 8", "2024-03-01 08:30:15 x", "08:30:15", "2024-03-01T08:30:15+8"] {
            assert!(parse_timestamp(bad).unwrap_err().reason.contains("不是有效日期时间"), "{bad}");
        }
    }

    #[test]
    fn booleans() {
        for t in ["是", "true", "TRUE", "1", "Y", "y", "T", "t"] {
            assert_eq!(parse_bool(t), Ok(true), "{t}");
        }
        for f in ["否", "false", "False", "0", "N", "n", "F", "f"] {
            assert_eq!(parse_bool(f), Ok(false), "{f}");
        }
        assert!(parse_bool("maybe").unwrap_err().reason.contains("逻辑值"));
    }

    #[test]
    fn base64() {
        let decode = |s: &str| {
            let mut out = Vec::new();
            decode_base64(s, &mut out).map(|()| out)
        };
        assert_eq!(decode("aGVsbG8="), Ok(b"hello".to_vec()));
        assert_eq!(decode("aGVsbG8"), Ok(b"hello".to_vec()));
        assert_eq!(decode("aGVs\r\nbG8="), Ok(b"hello".to_vec()));
        assert_eq!(decode("AAEC/w=="), Ok(vec![0, 1, 2, 255]));
        assert_eq!(decode(""), Ok(vec![]));
        assert!(decode("aGVsbG8*").unwrap_err().reason.contains("第8个字符“*”"));
        assert!(decode("aGVsb").unwrap_err().reason.contains("长度"));
        assert!(decode("aG=Vs").is_err());
        assert!(decode("张").is_err());
    }

    #[test]
    fn trim_cell_is_trim() {
        let spaces = [
            "", " ", "\t", "\r\n", "\u{85}", "\u{a0}", "\u{1680}", "\u{2000}", "\u{200a}", "\u{2028}", "\u{202f}",
            "\u{205f}", "\u{3000}",
        ];
        let bodies = ["", "a", "张三", "A张 b", "𠀀", "é", "\u{2010}", "\u{3001}", "x\u{3000}y", "1.5"];
        for before in spaces {
            for body in bodies {
                for after in spaces {
                    let s = format!("{before}{body}{after}");
                    assert_eq!(trim_cell(&s), s.trim(), "{s:?}");
                }
            }
        }
        // Every character that may start or end a cell.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = format!("{c}x{c}");
            assert_eq!(trim_cell(&s), s.trim(), "{c:?}");
        }
    }
}
