//! National identifier checks used when cataloguing and exchanging government data:
//!
//! * 公民身份号码 — GB 11643-1999, ISO 7064 MOD 11-2 ([`check_citizen_id`]);
//! * 统一社会信用代码 — GB 32100-2015 ([`check_credit_code`]);
//! * 组织机构代码 — GB 11714-1997 ([`check_org_code`]);
//! * 行政区划代码 — GB/T 2260, shape only ([`check_region_code`]);
//! * mainland mobile numbers and the Luhn check of bank cards ([`check_mobile`], [`luhn_valid`]).
//!
//! Every check is pure. Leading and trailing whitespace is ignored; letters are normalised to
//! upper case where the standard only uses upper case. Every failure is an [`IdentifierError`]
//! whose `Display` tells a clerk, in Chinese, what is wrong and what to fix.

use std::fmt;

use chrono::NaiveDate;

mod citizen_id;
mod contact;
mod credit_code;
mod org_code;
mod region;

pub use citizen_id::{CitizenId, check_citizen_id, citizen_id_check_char, upgrade_15_to_18};
pub use contact::{check_mobile, luhn_valid};
pub use credit_code::{CreditCode, check_credit_code, credit_code_check_char};
pub use org_code::{check_org_code, org_code_check_char};
pub use region::{PROVINCES, RegionCode, RegionLevel, check_region_code, province_by_prefix};

/// Which identifier a check was about; its `Display` is the Chinese name used in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// 18-character 公民身份号码.
    CitizenId,
    /// Legacy 15-digit 公民身份号码 (before GB 11643-1999).
    CitizenId15,
    /// 统一社会信用代码.
    CreditCode,
    /// 组织机构代码.
    OrgCode,
    /// 行政区划代码.
    RegionCode,
    /// Mainland mobile number.
    Mobile,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::CitizenId => "公民身份号码",
            IdKind::CitizenId15 => "15位公民身份号码",
            IdKind::CreditCode => "统一社会信用代码",
            IdKind::OrgCode => "组织机构代码",
            IdKind::RegionCode => "行政区划代码",
            IdKind::Mobile => "手机号码",
        })
    }
}

/// Why an identifier was rejected. Positions are 1-based and count characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("{kind}不能为空，请填写")]
    Empty { kind: IdKind },

    #[error("{kind}应为{expected}位，实际为{actual}位，请核对是否漏填或多填")]
    Length { kind: IdKind, expected: usize, actual: usize },

    #[error("{kind}第{position}位“{found}”不合法：该位置应为{allowed}")]
    InvalidChar { kind: IdKind, position: usize, found: char, allowed: &'static str },

    #[error("{kind}校验不通过：校验位应为“{expected}”，实际为“{found}”，请逐位核对号码是否抄录有误")]
    Checksum { kind: IdKind, expected: char, found: char },

    #[error("公民身份号码中的出生日期“{value}”不是真实存在的日期，请核对第7—14位")]
    InvalidBirthDate { value: String },

    #[error("公民身份号码中的出生日期{birth_date}晚于今天（{today}），请核对第7—14位")]
    FutureBirthDate { birth_date: NaiveDate, today: NaiveDate },

    #[error("{kind}前两位“{code}”不是有效的省级行政区划代码（GB/T 2260，如11北京、44广东），请核对")]
    UnknownProvince { kind: IdKind, code: String },

    #[error("行政区划代码“{code}”不合法：{reason}")]
    InvalidRegion { code: String, reason: &'static str },

    #[error("统一社会信用代码第1位（登记管理部门码）“{found}”不合法：应为1—9、A、N或Y")]
    RegistrationAuthority { found: char },

    #[error(
        "统一社会信用代码第9—17位（主体标识码）“{embedded}”不是有效的组织机构代码：\
         其校验位（第17位）应为“{expected}”，实际为“{found}”，请核对"
    )]
    EmbeddedOrgCode { embedded: String, expected: char, found: char },
}

/// Value of an ASCII digit byte. Callers guarantee `b` is an ASCII digit.
fn digit(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'0'))
}

/// Decimal value of a run of ASCII digits. Callers guarantee the input is all ASCII digits.
fn number(s: &str) -> u32 {
    s.bytes().fold(0, |acc, b| acc * 10 + digit(b))
}
