//! 脱敏 (masking): hiding part of a personal value when it is shown or handed out, following
//! GB/T 35273-2020 信息安全技术 个人信息安全规范 (3.15 去标识化; display-layer 屏蔽 of personal
//! information where full display is not necessary) and the de-facto conventions collected in
//! STANDARDS.md §5 (Hutool `DesensitizedUtil`, JR/T 0171-2020 "前6后4" for bank cards, 政务公示
//! practice).
//!
//! Masking happens at the **output layer**: cleartext stays in the store under access control,
//! and a [`MaskRule`] is applied to each value when it leaves the platform (query results,
//! downloads, exchange payloads). Nothing here stores masked values. The rule's [`MaskRule::id`]
//! is what the share/exchange audit log records.
//!
//! Common behaviour of every rule:
//!
//! * lengths and positions count characters (Unicode scalar values), never bytes;
//! * each hidden character becomes one `*`, so the output has as many characters as the input;
//! * an empty value stays empty;
//! * a value too short to keep both ends is masked completely: at least one character of a
//!   non-empty value is always hidden, so the whole value is never revealed. (The output can
//!   only equal the input when the input already has `*` at every hidden position, i.e. it was
//!   masked before.)

use std::fmt;

use crate::catalog::IdentifierKind;
use crate::error::FieldError;
use crate::labels::labelled_enum;

/// The character that replaces each hidden character.
pub const MASK_CHAR: char = '*';

/// The most characters a [`MaskRule::Custom`] rule may keep, start and end together.
pub const MAX_CUSTOM_KEEP: u16 = 32;

/// How many trailing characters of an address are hidden (Hutool `DesensitizedUtil.address`).
const ADDRESS_HIDDEN: usize = 8;

labelled_enum! {
    /// The kinds of masking rule: one per kind of personal value of STANDARDS.md §5.2, plus a
    /// custom "keep the first m and last n characters" rule.
    pub enum MaskKind: "脱敏规则" {
        CitizenId = ("citizen_id", "身份证号", "身份证号码", "公民身份号码", "身份证"),
        Mobile = ("mobile", "手机号", "手机号码"),
        Name = ("name", "姓名"),
        Address = ("address", "地址"),
        BankCard = ("bank_card", "银行卡号", "银行卡"),
        Email = ("email", "电子邮箱", "邮箱", "电子邮件"),
        Custom = ("custom", "自定义"),
    }
}

/// A masking rule. In JSON: `{"kind":"citizen_id"}`, or
/// `{"kind":"custom","keep_start":3,"keep_end":4}`; `kind` is the [`MaskKind`] code.
///
/// The built-in rules use the first (default) convention of STANDARDS.md §5.2 for their kind:
///
/// | Rule | Keeps | Example |
/// |---|---|---|
/// | `citizen_id` | first 6 + last 4 | `11010519491231002X` → `110105********002X` |
/// | `mobile` | first 3 + last 4 | `13812345678` → `138****5678` |
/// | `name` | the first character (the surname) only | `张三` → `张*`, `欧阳娜娜` → `欧***` |
/// | `address` | all but the last 8 characters, and never more than half | `北京市海淀区马连洼街道289号` → `北京市海淀区马********` |
/// | `bank_card` | first 6 (BIN) + last 4 (JR/T 0171) | `6212345678901234569` → `621234*********4569` |
/// | `email` | first character of the local part, and the domain | `zhangsan@example.gov.cn` → `z*******@example.gov.cn` |
/// | `custom` | first `keep_start` + last `keep_end` | `custom:3:4` on a citizen ID → `110***********002X` |
///
/// Names follow the "keep the surname" convention (Hutool `chineseName`) throughout: it is the
/// stricter of the two in §5.2 and needs no special case for two-character names. The §5.2
/// variant "3+ chars: keep first & last" (`张三丰` → `张*丰`) is *not* what `name` does (it gives
/// `张**`); `custom:1:1` gives it for names of three or more characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MaskRule {
    /// 身份证号: keep the first 6 (the region code) and last 4; the birth date is hidden.
    CitizenId,
    /// 手机号: keep the first 3 and last 4.
    Mobile,
    /// 姓名: keep the first character (the surname), hide the rest.
    Name,
    /// 地址: hide the last 8 characters (the house-number detail), and at least half.
    Address,
    /// 银行卡号: keep the first 6 (the BIN) and last 4.
    BankCard,
    /// 电子邮箱: keep the first character of the local part and the whole domain.
    Email,
    /// 自定义: keep the first `keep_start` and last `keep_end` characters (at most
    /// [`MAX_CUSTOM_KEEP`] together; `0` and `0` hides the whole value).
    Custom { keep_start: u8, keep_end: u8 },
}

impl MaskRule {
    /// The kind of the rule.
    pub fn kind(&self) -> MaskKind {
        match self {
            MaskRule::CitizenId => MaskKind::CitizenId,
            MaskRule::Mobile => MaskKind::Mobile,
            MaskRule::Name => MaskKind::Name,
            MaskRule::Address => MaskKind::Address,
            MaskRule::BankCard => MaskKind::BankCard,
            MaskRule::Email => MaskKind::Email,
            MaskRule::Custom { .. } => MaskKind::Custom,
        }
    }

    /// The stable rule id recorded in the audit log: the kind's code (`citizen_id`, `mobile`, …)
    /// or, for a custom rule, `custom:<keep_start>:<keep_end>` (e.g. `custom:3:4`).
    pub fn id(&self) -> String {
        match self {
            MaskRule::Custom { keep_start, keep_end } => format!("custom:{keep_start}:{keep_end}"),
            other => other.kind().code().to_string(),
        }
    }

    /// Checks the rule: built-in rules are always valid; a custom rule may keep at most
    /// [`MAX_CUSTOM_KEEP`] characters, start and end together. Keeping none (`0` and `0`) is
    /// allowed and hides the whole value.
    pub fn validate(&self) -> Result<(), FieldError> {
        if let MaskRule::Custom { keep_start, keep_end } = *self {
            let kept = u16::from(keep_start) + u16::from(keep_end);
            if kept > MAX_CUSTOM_KEEP {
                return Err(FieldError::new(
                    "keep_start",
                    "mask_keep_too_long",
                    format!(
                        "自定义脱敏规则保留的首尾字符合计不得超过{MAX_CUSTOM_KEEP}个（当前为{kept}个：\
                         保留前{keep_start}位、后{keep_end}位），请减少保留位数"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Masks one value. See the module documentation for what every rule guarantees.
    pub fn apply(&self, value: &str) -> String {
        match *self {
            MaskRule::CitizenId => keep_ends(value, 6, 4),
            MaskRule::Mobile => keep_ends(value, 3, 4),
            MaskRule::Name => keep_ends(value, 1, 0),
            MaskRule::Address => mask_address(value),
            MaskRule::BankCard => keep_ends(value, 6, 4),
            MaskRule::Email => mask_email(value),
            MaskRule::Custom { keep_start, keep_end } => {
                keep_ends(value, usize::from(keep_start), usize::from(keep_end))
            }
        }
    }
}

impl fmt::Display for MaskRule {
    /// A Chinese description for pages, e.g. `身份证号（保留前6位和后4位）`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = self.kind().label();
        match self {
            MaskRule::CitizenId | MaskRule::BankCard => write!(f, "{label}（保留前6位和后4位）"),
            MaskRule::Mobile => write!(f, "{label}（保留前3位和后4位）"),
            MaskRule::Name => write!(f, "{label}（仅保留姓氏）"),
            MaskRule::Address => write!(f, "{label}（隐藏末尾8个字，且至少隐藏一半）"),
            MaskRule::Email => write!(f, "{label}（保留用户名首字符和域名）"),
            MaskRule::Custom { keep_start, keep_end } => {
                write!(f, "{label}（保留前{keep_start}位和后{keep_end}位）")
            }
        }
    }
}

/// Keeps the first `start` and last `end` characters and replaces the others with `*`. A value
/// of `start + end` characters or fewer is masked completely.
fn keep_ends(value: &str, start: usize, end: usize) -> String {
    let n = value.chars().count();
    if n <= start + end {
        return MASK_CHAR.to_string().repeat(n);
    }
    value.chars().enumerate().map(|(i, c)| if i < start || i >= n - end { c } else { MASK_CHAR }).collect()
}

/// Hides the last 8 characters (Hutool), or the last half when that is more (so that at most
/// half of the address is ever shown), or everything when the address is shorter than 8.
fn mask_address(value: &str) -> String {
    let n = value.chars().count();
    let hidden = ADDRESS_HIDDEN.max(n - n / 2).min(n);
    keep_ends(value, n - hidden, 0)
}

/// Keeps the first character of the local part and the domain (after the last `@`). Without an
/// `@`, or with nothing before it, the whole value is masked like `custom:1:0`.
fn mask_email(value: &str) -> String {
    match value.rfind('@') {
        Some(at) if at > 0 => {
            let (local, domain) = value.split_at(at);
            keep_ends(local, 1, 0) + domain
        }
        _ => keep_ends(value, 1, 0),
    }
}

/// Suggests a masking rule for a data item, to pre-fill a grant's masking.
///
/// The item's declared identifier decides first: 公民身份号码 → `citizen_id`, 手机号码 →
/// `mobile`; the public legal-person and region identifiers (统一社会信用代码, 组织机构代码,
/// 行政区划代码) are normally not masked (STANDARDS.md §5.2), so they get no rule even if the
/// name would suggest one (e.g. `户籍地址行政区划代码`). Without an identifier the Chinese item
/// name decides, the first match winning:
///
/// 1. 邮箱 / 电子邮件 / 电子信箱 → `email` (before address: `电子邮件地址`);
/// 2. 地址 / 住址 → `address` (before citizen ID: `身份证住址`);
/// 3. 身份证 / 身份号码 → `citizen_id`;
/// 4. 手机 / 移动电话 → `mobile`;
/// 5. 银行卡 / 账号 → `bank_card`;
/// 6. 姓名 → `name`.
pub fn suggest(item_name: &str, identifier: Option<IdentifierKind>) -> Option<MaskRule> {
    match identifier {
        Some(IdentifierKind::CitizenId) => return Some(MaskRule::CitizenId),
        Some(IdentifierKind::Mobile) => return Some(MaskRule::Mobile),
        Some(IdentifierKind::CreditCode | IdentifierKind::OrgCode | IdentifierKind::RegionCode) => return None,
        None => {}
    }
    const BY_NAME: &[(&[&str], MaskRule)] = &[
        (&["邮箱", "电子邮件", "电子信箱"], MaskRule::Email),
        (&["地址", "住址"], MaskRule::Address),
        (&["身份证", "身份号码"], MaskRule::CitizenId),
        (&["手机", "移动电话"], MaskRule::Mobile),
        (&["银行卡", "账号"], MaskRule::BankCard),
        (&["姓名"], MaskRule::Name),
    ];
    BY_NAME.iter().find(|(words, _)| words.iter().any(|w| item_name.contains(w))).map(|&(_, rule)| rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILT_INS: [MaskRule; 6] =
        [MaskRule::CitizenId, MaskRule::Mobile, MaskRule::Name, MaskRule::Address, MaskRule::BankCard, MaskRule::Email];

    fn custom(keep_start: u8, keep_end: u8) -> MaskRule {
        MaskRule::Custom { keep_start, keep_end }
    }

    fn all_rules() -> Vec<MaskRule> {
        let mut rules = BUILT_INS.to_vec();
        rules.extend([custom(0, 0), custom(1, 0), custom(0, 1), custom(1, 1), custom(3, 4), custom(16, 16)]);
        rules
    }

    /// The examples of STANDARDS.md §5.2 that the rules claim.
    #[test]
    fn standards_examples() {
        assert_eq!(MaskRule::CitizenId.apply("11010519491231002X"), "110105********002X");
        assert_eq!(custom(3, 4).apply("11010519491231002X"), "110***********002X");
        assert_eq!(custom(1, 1).apply("11010519491231002X"), "1****************X");
        assert_eq!(custom(1, 2).apply("11010519491231002X"), "1***************2X");
        assert_eq!(MaskRule::Mobile.apply("13812345678"), "138****5678");
        assert_eq!(MaskRule::Name.apply("张三"), "张*");
        assert_eq!(MaskRule::Name.apply("欧阳娜娜"), "欧***");
        assert_eq!(custom(1, 1).apply("张三丰"), "张*丰", "the 3+ variant is available as custom:1:1");
        assert_eq!(MaskRule::Address.apply("北京市海淀区马连洼街道289号"), "北京市海淀区马********");
        assert_eq!(MaskRule::BankCard.apply("6212345678901234569"), "621234*********4569");
        assert_eq!(custom(4, 4).apply("6212345678901234569"), "6212***********4569");
        assert_eq!(MaskRule::Email.apply("zhangsan@example.gov.cn"), "z*******@example.gov.cn");
    }

    #[test]
    fn names() {
        assert_eq!(MaskRule::Name.apply(""), "");
        assert_eq!(MaskRule::Name.apply("张"), "*");
        assert_eq!(MaskRule::Name.apply("张三丰"), "张**");
        assert_eq!(MaskRule::Name.apply("司马相如"), "司***");
        assert_eq!(MaskRule::Name.apply("Li"), "L*");
        // Two-character names are fully hidden by the "first & last" variant.
        assert_eq!(custom(1, 1).apply("张三"), "**");
    }

    #[test]
    fn citizen_ids_and_bank_cards() {
        for rule in [MaskRule::CitizenId, MaskRule::BankCard] {
            assert_eq!(rule.apply(""), "");
            assert_eq!(rule.apply("123"), "***");
            assert_eq!(rule.apply("1234567890"), "**********", "6 + 4 would reveal all ten");
            assert_eq!(rule.apply("12345678901"), "123456*8901");
            assert_eq!(rule.apply("身份证号码不详"), "*******");
        }
        // Legacy 15-digit citizen ID.
        assert_eq!(MaskRule::CitizenId.apply("110105491231002"), "110105*****1002");
        assert_eq!(MaskRule::BankCard.apply("6222021234567890"), "622202******7890");
    }

    #[test]
    fn mobiles() {
        assert_eq!(MaskRule::Mobile.apply(""), "");
        assert_eq!(MaskRule::Mobile.apply("1381234"), "*******");
        assert_eq!(MaskRule::Mobile.apply("13812345"), "138*2345");
        assert_eq!(MaskRule::Mobile.apply("一三八一二三四五六七八"), "一三八****五六七八");
    }

    #[test]
    fn addresses() {
        assert_eq!(MaskRule::Address.apply(""), "");
        assert_eq!(MaskRule::Address.apply("北京市"), "***");
        assert_eq!(MaskRule::Address.apply("北京市海淀区马连"), "********", "8 or fewer: all hidden");
        assert_eq!(MaskRule::Address.apply("北京市海淀区马连洼"), "北********");
        assert_eq!(MaskRule::Address.apply("北京市海淀区马连洼街道"), "北京市********");
        // 20 characters: hiding only 8 would show more than half, so 10 are hidden.
        assert_eq!(
            MaskRule::Address.apply("广东省广州市天河区天河路街道体育西路1号"),
            "广东省广州市天河区天**********"
        );
        // 27 characters: 14 hidden, 13 shown.
        assert_eq!(MaskRule::Address.apply("12 Main Street, Springfield"), "12 Main Stree**************");
    }

    #[test]
    fn emails() {
        assert_eq!(MaskRule::Email.apply(""), "");
        assert_eq!(MaskRule::Email.apply("a@example.com"), "*@example.com");
        assert_eq!(MaskRule::Email.apply("ab@example.com"), "a*@example.com");
        assert_eq!(MaskRule::Email.apply("张三@政务.中国"), "张*@政务.中国");
        // Only the last '@' separates the domain.
        assert_eq!(MaskRule::Email.apply("a@b@example.com"), "a**@example.com");
        // Not an email: masked like custom:1:0.
        assert_eq!(MaskRule::Email.apply("zhangsan"), "z*******");
        assert_eq!(MaskRule::Email.apply("z"), "*");
        assert_eq!(MaskRule::Email.apply("@example.com"), "@***********");
        assert_eq!(MaskRule::Email.apply("@"), "*");
        assert_eq!(MaskRule::Email.apply("无邮箱"), "无**");
    }

    #[test]
    fn custom_rules() {
        assert_eq!(custom(0, 0).apply("13812345678"), "***********");
        assert_eq!(custom(0, 4).apply("13812345678"), "*******5678");
        assert_eq!(custom(3, 0).apply("13812345678"), "138********");
        assert_eq!(custom(3, 4).apply("1234567"), "*******");
        assert_eq!(custom(3, 4).apply("12345678"), "123*5678");
        assert_eq!(custom(2, 2).apply("中华人民共和国"), "中华***和国");
        assert_eq!(custom(16, 16).apply(""), "");
    }

    /// Deterministic pseudo-random strings (a fixed linear congruential generator), lengths
    /// 1..40, from an ASCII, a Chinese and a mixed alphabet (none contains `*`).
    fn sample_strings() -> Vec<String> {
        let ascii: Vec<char> = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.-_ X".chars().collect();
        let chinese: Vec<char> = "张王李赵欧阳娜三丰北京市海淀区街道号路省县镇村组栋单元室@".chars().collect();
        let mixed: Vec<char> = ascii.iter().chain(chinese.iter()).copied().collect();
        let mut state: u64 = 0x2024_0601;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let mut out = Vec::new();
        for alphabet in [&ascii, &chinese, &mixed] {
            for len in 1..40 {
                for _ in 0..8 {
                    out.push((0..len).map(|_| alphabet[next() % alphabet.len()]).collect());
                }
            }
        }
        out
    }

    #[test]
    fn never_reveals_a_whole_value() {
        let samples = sample_strings();
        assert!(samples.len() > 900);
        for rule in all_rules() {
            assert_eq!(rule.apply(""), "", "{}", rule.id());
            for s in &samples {
                let masked = rule.apply(s);
                assert_ne!(&masked, s, "{} revealed {s:?}", rule.id());
                let (a, b): (Vec<char>, Vec<char>) = (s.chars().collect(), masked.chars().collect());
                assert_eq!(a.len(), b.len(), "{}: one '*' per hidden character: {s:?} → {masked:?}", rule.id());
                assert!(
                    a.iter().zip(&b).all(|(x, y)| x == y || *y == MASK_CHAR),
                    "{}: only '*' may differ: {s:?} → {masked:?}",
                    rule.id()
                );
            }
        }
    }

    #[test]
    fn ids() {
        let ids: Vec<String> = all_rules().iter().map(MaskRule::id).collect();
        assert_eq!(
            ids,
            [
                "citizen_id",
                "mobile",
                "name",
                "address",
                "bank_card",
                "email",
                "custom:0:0",
                "custom:1:0",
                "custom:0:1",
                "custom:1:1",
                "custom:3:4",
                "custom:16:16"
            ]
        );
        for rule in all_rules() {
            assert!(rule.id().starts_with(rule.kind().code()));
        }
    }

    #[test]
    fn validation() {
        for rule in all_rules() {
            assert_eq!(rule.validate(), Ok(()), "{}", rule.id());
        }
        assert!(custom(32, 0).validate().is_ok());
        assert!(custom(0, 32).validate().is_ok());
        for rule in [custom(33, 0), custom(0, 33), custom(17, 16), custom(255, 255)] {
            let err = rule.validate().unwrap_err();
            assert_eq!(err.code, "mask_keep_too_long");
            assert_eq!(err.field, "keep_start");
            assert!(err.message.contains("不得超过32个"), "{}", err.message);
        }
        let err = custom(20, 13).validate().unwrap_err();
        assert!(err.message.contains("当前为33个"), "{}", err.message);
    }

    #[test]
    fn serde_round_trip() {
        for rule in all_rules() {
            let json = serde_json::to_string(&rule).unwrap();
            assert_eq!(serde_json::from_str::<MaskRule>(&json).unwrap(), rule, "{json}");
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(value["kind"], rule.kind().code(), "{json}");
        }
        assert_eq!(serde_json::to_string(&MaskRule::CitizenId).unwrap(), r#"{"kind":"citizen_id"}"#);
        assert_eq!(serde_json::to_string(&custom(3, 4)).unwrap(), r#"{"kind":"custom","keep_start":3,"keep_end":4}"#);
        assert_eq!(serde_json::from_str::<MaskRule>(r#"{"kind":"bank_card"}"#).unwrap(), MaskRule::BankCard);
        assert!(serde_json::from_str::<MaskRule>(r#"{"kind":"phone"}"#).is_err());
        assert!(serde_json::from_str::<MaskRule>(r#"{"kind":"custom","keep_start":3}"#).is_err());
        assert!(serde_json::from_str::<MaskRule>(r#"{"kind":"custom","keep_start":300,"keep_end":0}"#).is_err());
    }

    #[test]
    fn kinds() {
        assert_eq!(MaskKind::ALL.len(), 7);
        assert_eq!(MaskKind::parse("身份证号"), Some(MaskKind::CitizenId));
        assert_eq!(MaskKind::parse("bank_card"), Some(MaskKind::BankCard));
        assert_eq!(MaskKind::parse("自定义"), Some(MaskKind::Custom));
        assert_eq!(MaskKind::Email.label(), "电子邮箱");
        let err = "phone".parse::<MaskKind>().unwrap_err();
        assert!(err.to_string().contains("脱敏规则"), "{err}");
        assert_eq!(MaskRule::CitizenId.to_string(), "身份证号（保留前6位和后4位）");
        assert_eq!(custom(3, 4).to_string(), "自定义（保留前3位和后4位）");
    }

    #[test]
    fn suggestions() {
        // The identifier decides first.
        assert_eq!(suggest("证件号码", Some(IdentifierKind::CitizenId)), Some(MaskRule::CitizenId));
        assert_eq!(suggest("联系方式", Some(IdentifierKind::Mobile)), Some(MaskRule::Mobile));
        assert_eq!(suggest("统一社会信用代码", Some(IdentifierKind::CreditCode)), None);
        assert_eq!(suggest("组织机构代码", Some(IdentifierKind::OrgCode)), None);
        assert_eq!(suggest("户籍地址行政区划代码", Some(IdentifierKind::RegionCode)), None);
        // Otherwise the name.
        assert_eq!(suggest("公民身份号码", None), Some(MaskRule::CitizenId));
        assert_eq!(suggest("申请人身份证号", None), Some(MaskRule::CitizenId));
        assert_eq!(suggest("手机号码", None), Some(MaskRule::Mobile));
        assert_eq!(suggest("联系人移动电话", None), Some(MaskRule::Mobile));
        assert_eq!(suggest("姓名", None), Some(MaskRule::Name));
        assert_eq!(suggest("法定代表人姓名", None), Some(MaskRule::Name));
        assert_eq!(suggest("户籍地址", None), Some(MaskRule::Address));
        assert_eq!(suggest("现住址", None), Some(MaskRule::Address));
        assert_eq!(suggest("身份证住址", None), Some(MaskRule::Address));
        assert_eq!(suggest("银行卡号", None), Some(MaskRule::BankCard));
        assert_eq!(suggest("补贴发放账号", None), Some(MaskRule::BankCard));
        assert_eq!(suggest("电子邮箱", None), Some(MaskRule::Email));
        assert_eq!(suggest("电子邮件地址", None), Some(MaskRule::Email));
        assert_eq!(suggest("邮箱账号", None), Some(MaskRule::Email));
        assert_eq!(suggest("企业名称", None), None);
        assert_eq!(suggest("", None), None);
        // Every suggestion is valid.
        for name in ["身份证号", "手机", "姓名", "地址", "银行卡", "邮箱"] {
            assert_eq!(suggest(name, None).map(|r| r.validate()), Some(Ok(())));
        }
    }
}
