//! 行政区划代码 (GB/T 2260): 6 digits `PP CC DD` — province, prefecture, county.
//!
//! Only the shape is checked here: the province prefix must be in the GB/T 2260 province list,
//! `CC` must be `00` (province itself), 01–70 (地级市 / 地区 / 自治州 / 盟) or 90 (省直辖县级
//! 行政区划), and a province code must end in `0000`. Whether a code exists (or existed — citizen
//! IDs and old credit codes carry abolished codes) needs the full table, which comes later.

use std::fmt;

use super::{IdKind, IdentifierError, number};

/// GB/T 2260 province-level codes (first two digits) and official names.
pub const PROVINCES: [(&str, &str); 34] = [
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

/// Name of the province whose two-digit GB/T 2260 prefix is `prefix`, if it exists.
pub fn province_by_prefix(prefix: &str) -> Option<&'static str> {
    PROVINCES.iter().find(|(code, _)| *code == prefix).map(|(_, name)| *name)
}

/// Administrative level of a 行政区划代码.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省级 (`PP0000`).
    Province,
    /// 地级 (`PPCC00`), including the 省直辖县级行政区划 summary code `PP9000`.
    Prefecture,
    /// 县级 (`PPCCDD`, `DD` ≠ 00).
    County,
}

impl fmt::Display for RegionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RegionLevel::Province => "省级",
            RegionLevel::Prefecture => "地级",
            RegionLevel::County => "县级",
        })
    }
}

/// A 6-digit 行政区划代码 whose shape is valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    /// The 6 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Province, prefecture or county, from the trailing zeros.
    pub fn level(&self) -> RegionLevel {
        match (self.0.get(2..4), self.0.get(4..6)) {
            (Some("00"), _) => RegionLevel::Province,
            (_, Some("00")) => RegionLevel::Prefecture,
            _ => RegionLevel::County,
        }
    }

    /// Official name of the province the code belongs to, e.g. `北京市`.
    pub fn province_name(&self) -> &'static str {
        self.0.get(..2).and_then(province_by_prefix).unwrap_or_default()
    }

    /// The province-level code (`PP0000`) this code belongs to.
    pub fn province(&self) -> RegionCode {
        RegionCode(format!("{}0000", self.0.get(..2).unwrap_or_default()))
    }

    /// The prefecture-level code (`PPCC00`) this code belongs to; `None` for a province.
    pub fn prefecture(&self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            _ => Some(RegionCode(format!("{}00", self.0.get(..4).unwrap_or_default()))),
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RegionCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = IdentifierError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        check_region_code(&value)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> Self {
        code.0
    }
}

/// Checks the shape of a 6-digit 行政区划代码 (see the module docs).
pub fn check_region_code(s: &str) -> Result<RegionCode, IdentifierError> {
    let kind = IdKind::RegionCode;
    let s = s.trim();
    if s.is_empty() {
        return Err(IdentifierError::Empty { kind });
    }
    let count = s.chars().count();
    if count != 6 {
        return Err(IdentifierError::Length { kind, expected: 6, actual: count });
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(IdentifierError::InvalidChar { kind, position: i + 1, found: c, allowed: "数字0—9" });
    }
    let province = &s[..2];
    if province_by_prefix(province).is_none() {
        return Err(IdentifierError::UnknownProvince { kind, code: province.to_string() });
    }
    let prefecture = number(&s[2..4]);
    let county = number(&s[4..6]);
    if prefecture == 0 && county != 0 {
        return Err(IdentifierError::InvalidRegion {
            code: s.to_string(),
            reason: "第3—4位为00表示省级，此时第5—6位也应为00",
        });
    }
    if !(prefecture <= 70 || prefecture == 90) {
        return Err(IdentifierError::InvalidRegion {
            code: s.to_string(),
            reason: "第3—4位（地级代码）应为00（省级）、01—70或90（省直辖县级行政区划）",
        });
    }
    Ok(RegionCode(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let p = check_region_code("110000").unwrap();
        assert_eq!(p.level(), RegionLevel::Province);
        assert_eq!(p.province_name(), "北京市");
        assert_eq!(p.prefecture(), None);

        let c = check_region_code("110100").unwrap();
        assert_eq!(c.level(), RegionLevel::Prefecture);

        let c = check_region_code("110105").unwrap();
        assert_eq!(c.level(), RegionLevel::County);
        assert_eq!(c.province().as_str(), "110000");
        assert_eq!(c.prefecture().unwrap().as_str(), "110100");

        assert_eq!(check_region_code("440300").unwrap().level(), RegionLevel::Prefecture);
        assert_eq!(check_region_code("440305").unwrap().province_name(), "广东省");
        assert_eq!(check_region_code("350100").unwrap().province_name(), "福建省");
        // 省直辖县级行政区划: 419001 济源市, 429000 summary code.
        assert_eq!(check_region_code("419001").unwrap().level(), RegionLevel::County);
        assert_eq!(check_region_code("429000").unwrap().level(), RegionLevel::Prefecture);
        assert_eq!(check_region_code("820000").unwrap().province_name(), "澳门特别行政区");
    }

    #[test]
    fn every_province_prefix_is_accepted() {
        for (code, name) in PROVINCES {
            let r = check_region_code(&format!("{code}0000")).unwrap();
            assert_eq!(r.province_name(), name);
        }
    }

    #[test]
    fn invalid_codes() {
        assert_eq!(
            check_region_code("000000").unwrap_err(),
            IdentifierError::UnknownProvince { kind: IdKind::RegionCode, code: "00".into() }
        );
        assert!(matches!(check_region_code("100000").unwrap_err(), IdentifierError::UnknownProvince { .. }));
        assert!(matches!(check_region_code("110005").unwrap_err(), IdentifierError::InvalidRegion { .. }));
        assert!(matches!(check_region_code("118000").unwrap_err(), IdentifierError::InvalidRegion { .. }));
        assert_eq!(
            check_region_code("11010").unwrap_err(),
            IdentifierError::Length { kind: IdKind::RegionCode, expected: 6, actual: 5 }
        );
        assert!(matches!(check_region_code("11010A").unwrap_err(), IdentifierError::InvalidChar { position: 6, .. }));
        let msg = check_region_code("990000").unwrap_err().to_string();
        assert!(msg.contains("“99”不是有效的省级行政区划代码"), "{msg}");
    }

    #[test]
    fn serde_validates() {
        let r: RegionCode = serde_json::from_str("\"110105\"").unwrap();
        assert_eq!(r.as_str(), "110105");
        assert!(serde_json::from_str::<RegionCode>("\"000000\"").is_err());
    }
}
