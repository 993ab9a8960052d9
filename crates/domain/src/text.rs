//! Text normalisation shared by search and by data-element matching: the same words written in
//! full-width or half-width forms, in traditional or simplified characters, or in another case,
//! compare equal once normalised. The seeds themselves come in both scripts.
//!
//! Normalisation maps one character to one character, so positions in the normalised text map back
//! to the original (search highlights the original text).

use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

fn t2s() -> Option<&'static OpenCC> {
    static CONVERTER: OnceLock<Option<OpenCC>> = OnceLock::new();
    CONVERTER.get_or_init(|| OpenCC::from_config(BuiltinConfig::T2s).ok()).as_ref()
}

/// Full-width ASCII forms (ＡＢＣ１２３（）) to half-width, the ideographic space to a space, and
/// ASCII letters to lower case.
fn fold_width_case(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c).to_ascii_lowercase(),
        _ => c.to_ascii_lowercase(),
    }
}

/// Each character of `text` normalised: width and case folded, traditional characters to simplified.
/// Always exactly one output character per input character.
pub fn normalize_chars(text: &str) -> Vec<char> {
    let folded: String = text.chars().map(fold_width_case).collect();
    if folded.is_ascii() {
        return folded.chars().collect();
    }
    let Some(cc) = t2s() else { return folded.chars().collect() };
    let converted = cc.convert(&folded);
    if converted.chars().count() == folded.chars().count() {
        return converted.chars().collect();
    }
    // A phrase conversion changed the length: convert character by character instead, so that
    // positions still line up.
    folded
        .chars()
        .map(|c| {
            if c.is_ascii() {
                return c;
            }
            let one = cc.convert(c.encode_utf8(&mut [0; 4]));
            let mut it = one.chars();
            match (it.next(), it.next()) {
                (Some(s), None) => s,
                _ => c,
            }
        })
        .collect()
}

/// `text` normalised (see [`normalize_chars`]).
pub fn normalize(text: &str) -> String {
    normalize_chars(text).into_iter().collect()
}

/// A name reduced to what identifies it: normalised, without spaces, punctuation or brackets
/// ("公民身份号码（18位）" and "公民身份號碼" give "公民身份号码18位" and "公民身份号码").
pub fn name_key(name: &str) -> String {
    normalize(name).chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_case_and_script_fold() {
        assert_eq!(normalize("ＡＰＩ接口　Ｖ２"), "api接口 v2");
        assert_eq!(normalize("政務資訊資源共享管理暫行辦法"), "政务资讯资源共享管理暂行办法");
        assert_eq!(normalize("企業註冊地址"), "企业注册地址");
        assert_eq!(normalize("最低生活保障"), "最低生活保障");
        assert_eq!(normalize("PM2.5"), "pm2.5");
    }

    #[test]
    fn one_char_per_char() {
        for s in ["乾隆皇帝的頭髮", "著作權與著作", "電子證照庫（營業執照）", "ＧＤＰ統計"]
        {
            assert_eq!(normalize_chars(s).len(), s.chars().count(), "{s}");
        }
    }

    #[test]
    fn name_keys() {
        assert_eq!(name_key("公民身份号码（18位）"), "公民身份号码18位");
        assert_eq!(name_key(" 公民身份號碼 "), "公民身份号码");
        assert_eq!(name_key("统一社会信用代码"), name_key("統一社會信用代碼"));
    }
}
