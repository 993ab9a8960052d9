//! The automatic part of 保密审查: which columns of a version look like personal data (个人隐私,
//! seed 002 二(一)), from the column's name and from a sample of its values.
//!
//! A value counts as personal when it is a valid citizen ID (GB 11643, check digit and birth
//! date), a mainland mobile number, a bank card number (16 to 19 digits passing Luhn, and not a
//! citizen ID or credit code), an e-mail address, a person's name (two to four Chinese characters
//! starting with a common surname and not ending like a place or an organisation) or a street
//! address (a road, street, lane or village followed by a house number, building or room). A
//! column is flagged when its name says so, or when at least half of its non-empty sampled values
//! are of one kind. The scan only proposes: a reviewer decides every flagged column.

use chrono::NaiveDate;

use crate::catalog::IdentifierKind;
use crate::identifiers::{check_citizen_id, check_credit_code, check_mobile, luhn_valid};
use crate::masking::{MaskRule, suggest};

crate::labels::labelled_enum! {
    /// The kinds of personal data the scan looks for.
    pub enum PersonalKind: "个人信息类型" {
        CitizenId = ("citizen_id", "公民身份号码"),
        Mobile = ("mobile", "手机号码"),
        BankCard = ("bank_card", "银行卡号"),
        Email = ("email", "电子邮箱"),
        PersonName = ("person_name", "人员姓名"),
        Address = ("address", "详细地址"),
    }
}

impl PersonalKind {
    /// The masking rule (STANDARDS §5) that fits the kind.
    pub fn mask(self) -> MaskRule {
        match self {
            PersonalKind::CitizenId => MaskRule::CitizenId,
            PersonalKind::Mobile => MaskRule::Mobile,
            PersonalKind::BankCard => MaskRule::BankCard,
            PersonalKind::Email => MaskRule::Email,
            PersonalKind::PersonName => MaskRule::Name,
            PersonalKind::Address => MaskRule::Address,
        }
    }
}

/// Share of the non-empty sampled values that must be of one kind to flag a column by its values.
const VALUE_SHARE: f64 = 0.5;
/// Masked examples kept per flagged column.
const EXAMPLES: usize = 3;

/// Why a column was flagged.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnFinding {
    pub column: String,
    /// The kind found (by value when the values say so, else by name).
    pub kind: PersonalKind,
    /// Whether the column's name suggests personal data.
    pub by_name: bool,
    /// Sampled non-empty values, and how many of them are of `kind`.
    pub sampled: usize,
    pub matched: usize,
    /// A few matching values, already masked (never shown in clear on the review page).
    pub examples: Vec<String>,
    /// The masking rule a reviewer would most likely pick.
    pub suggested: MaskRule,
}

/// The kind of personal data a column's name suggests. Identifier columns declared as credit,
/// organisation or region codes are not personal.
pub fn kind_by_name(name: &str, identifier: Option<IdentifierKind>) -> Option<PersonalKind> {
    if let Some(rule) = suggest(name, identifier) {
        return Some(match rule {
            MaskRule::CitizenId => PersonalKind::CitizenId,
            MaskRule::Mobile => PersonalKind::Mobile,
            MaskRule::BankCard => PersonalKind::BankCard,
            MaskRule::Email => PersonalKind::Email,
            MaskRule::Name => PersonalKind::PersonName,
            MaskRule::Address | MaskRule::Custom { .. } => PersonalKind::Address,
        });
    }
    if identifier.is_some() {
        return None;
    }
    const PEOPLE: &[&str] = &["联系人", "法定代表人", "负责人", "申请人", "户主", "经办人", "监护人"];
    const PHONES: &[&str] = &["联系电话", "电话号码", "手机号"];
    if PHONES.iter().any(|w| name.contains(w)) {
        return Some(PersonalKind::Mobile);
    }
    if PEOPLE.iter().any(|w| name.contains(w)) && !name.contains("电话") && !name.contains("证") {
        return Some(PersonalKind::PersonName);
    }
    if name.contains("住所") || name.contains("居住地") {
        return Some(PersonalKind::Address);
    }
    None
}

/// The kind of personal data one value is, if any.
pub fn kind_of_value(value: &str, today: NaiveDate) -> Option<PersonalKind> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if v.len() == 18 && check_citizen_id(v, today).is_ok() {
        return Some(PersonalKind::CitizenId);
    }
    let digits = v.strip_prefix("+86").unwrap_or(v).trim();
    if check_mobile(digits).is_ok() {
        return Some(PersonalKind::Mobile);
    }
    if (16..=19).contains(&v.len())
        && v.bytes().all(|b| b.is_ascii_digit())
        && luhn_valid(v)
        && check_credit_code(v).is_err()
        && check_citizen_id(v, today).is_err()
    {
        return Some(PersonalKind::BankCard);
    }
    if is_email(v) {
        return Some(PersonalKind::Email);
    }
    if is_person_name(v) {
        return Some(PersonalKind::PersonName);
    }
    if is_street_address(v) {
        return Some(PersonalKind::Address);
    }
    None
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && v.chars().all(|c| c.is_ascii_alphanumeric() || "@._-+".contains(c))
}

/// The hundred or so most common surnames (they cover the great majority of people), and the
/// common two-character ones.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";
const COMPOUND_SURNAMES: &[&str] =
    &["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "夏侯", "令狐"];
/// Endings of place and organisation names that start with a surname character (王庄村, 高新区,
/// 金山街道, 林业局…).
const NOT_A_NAME_END: &str =
    "市区县镇乡村街道路巷弄号楼室局厅委办处科院所站队部会社司厂店场园馆校库湖山河江桥港湾岛省州盟旗组";

fn is_person_name(v: &str) -> bool {
    let chars: Vec<char> = v.chars().collect();
    if !(2..=4).contains(&chars.len()) || !chars.iter().all(|c| ('\u{4e00}'..='\u{9fff}').contains(c)) {
        return false;
    }
    if NOT_A_NAME_END.contains(chars[chars.len() - 1]) {
        return false;
    }
    SURNAMES.contains(chars[0]) || COMPOUND_SURNAMES.iter().any(|s| v.starts_with(s))
}

fn is_street_address(v: &str) -> bool {
    let has_street = ["路", "街", "巷", "弄", "大道", "村", "小区", "社区"].iter().any(|w| v.contains(w));
    let has_number = v.chars().any(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
        && ["号", "栋", "幢", "单元", "室", "楼"].iter().any(|w| v.contains(w));
    has_street && has_number && v.chars().count() >= 6
}

/// Scans one column: its name, its declared identifier kind, and a sample of its values (as
/// text). Returns a finding if the column looks like personal data.
pub fn scan_column(
    name: &str,
    identifier: Option<IdentifierKind>,
    values: &[String],
    today: NaiveDate,
) -> Option<ColumnFinding> {
    let by_name = kind_by_name(name, identifier);
    let mut counts: Vec<(PersonalKind, usize, Vec<String>)> = Vec::new();
    let mut sampled = 0;
    for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        sampled += 1;
        if let Some(k) = kind_of_value(v, today) {
            match counts.iter_mut().find(|(c, _, _)| *c == k) {
                Some((_, n, ex)) => {
                    *n += 1;
                    if ex.len() < EXAMPLES {
                        ex.push(k.mask().apply(v));
                    }
                }
                None => counts.push((k, 1, vec![k.mask().apply(v)])),
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let by_value = counts.first().filter(|(_, n, _)| sampled > 0 && (*n as f64) >= VALUE_SHARE * sampled as f64);
    let (kind, matched, examples) = match (by_value, by_name) {
        (Some((k, n, ex)), _) => (*k, *n, ex.clone()),
        (None, Some(k)) => {
            let (n, ex) =
                counts.iter().find(|(c, _, _)| *c == k).map(|(_, n, ex)| (*n, ex.clone())).unwrap_or_default();
            (k, n, ex)
        }
        (None, None) => return None,
    };
    Some(ColumnFinding {
        column: name.to_string(),
        kind,
        by_name: by_name.is_some(),
        sampled,
        matched,
        examples,
        suggested: kind.mask(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn vals(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn values_of_each_kind() {
        let t = today();
        assert_eq!(kind_of_value("11010519491231002X", t), Some(PersonalKind::CitizenId));
        assert_eq!(kind_of_value("11010519491231002x", t), Some(PersonalKind::CitizenId));
        assert_eq!(kind_of_value("13812345678", t), Some(PersonalKind::Mobile));
        assert_eq!(kind_of_value("+86 13812345678", t), Some(PersonalKind::Mobile));
        assert_eq!(kind_of_value("6212345678901234569", t), Some(PersonalKind::BankCard));
        assert_eq!(kind_of_value("zhangsan@example.gov.cn", t), Some(PersonalKind::Email));
        assert_eq!(kind_of_value("张三", t), Some(PersonalKind::PersonName));
        assert_eq!(kind_of_value("欧阳娜娜", t), Some(PersonalKind::PersonName));
        assert_eq!(kind_of_value("鼓楼区五四路128号3栋502室", t), Some(PersonalKind::Address));
    }

    #[test]
    fn values_that_are_not_personal() {
        let t = today();
        for v in [
            // A citizen ID with a wrong check digit, a credit code, a region code, a date.
            "110105194912310021",
            "91350100MA2XXXXX0X",
            "91110000100000000J",
            "350102",
            "2026-05-01",
            // A landline, a 12-digit number, a Luhn-valid number of 15 digits.
            "0591-87654321",
            "138123456789",
            "123456789012347",
            // Places and organisations that start like a surname.
            "王庄村",
            "高新区",
            "金山街道",
            "林业局",
            "鼓楼区",
            "石狮市",
            // Plain words, an amount, a URL, a road without a number.
            "营业中",
            "12.50",
            "https://data.example.gov.cn",
            "五四路",
            "示例市第一中学",
        ] {
            assert_eq!(kind_of_value(v, t), None, "{v}");
        }
    }

    #[test]
    fn a_column_is_flagged_by_its_values() {
        let f = scan_column("字段3", None, &vals(&["13812345678", "13987654321", "", "无", "15000000000"]), today())
            .unwrap();
        assert_eq!(f.kind, PersonalKind::Mobile);
        assert!(!f.by_name);
        assert_eq!((f.sampled, f.matched), (4, 3));
        assert_eq!(f.examples[0], "138****5678", "examples are masked");
        assert_eq!(f.suggested, MaskRule::Mobile);
    }

    #[test]
    fn a_column_is_flagged_by_its_name_even_when_empty() {
        let f = scan_column("法定代表人", None, &[], today()).unwrap();
        assert_eq!(f.kind, PersonalKind::PersonName);
        assert!(f.by_name);
        let f =
            scan_column("身份证号", Some(IdentifierKind::CitizenId), &vals(&["11010519491231002X"]), today()).unwrap();
        assert_eq!(f.kind, PersonalKind::CitizenId);
        assert_eq!(f.examples, vec!["110105********002X".to_string()]);
    }

    #[test]
    fn ordinary_columns_are_not_flagged() {
        let t = today();
        assert!(scan_column("区划", Some(IdentifierKind::RegionCode), &vals(&["350102", "350103"]), t).is_none());
        assert!(
            scan_column("统一社会信用代码", Some(IdentifierKind::CreditCode), &vals(&["91110000100000000J"]), t)
                .is_none()
        );
        assert!(scan_column("单位名称", None, &vals(&["示例市第一中学", "鼓楼区人民医院"]), t).is_none());
        assert!(scan_column("乡镇街道", None, &vals(&["金山街道", "王庄镇", "高新区"]), t).is_none());
        // A few stray matches do not flag a column.
        assert!(scan_column("备注", None, &vals(&["张三", "正常", "已核实", "暂停营业"]), t).is_none());
    }
}
