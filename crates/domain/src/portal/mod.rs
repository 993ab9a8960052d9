//! What the public brings to the open-data portal (seed 002: 应用汇聚, 数据服务 for developers,
//! and applications for 有条件开放 data): a developer's registration for an API key, an app
//! submitted to the showcase, and an application for a conditionally open dataset. Each is
//! checked here, every problem at once, with Chinese messages naming the field.
//!
//! Pure: the caller passes "today" in.

use chrono::NaiveDate;

use crate::error::ValidationErrors;
use crate::labels::labelled_enum;

#[cfg(test)]
mod tests;

/// Every open-data API key starts with this, so that leaked keys can be recognised by secret
/// scanners (and told apart from console tokens, `gs_`).
pub const API_KEY_PREFIX: &str = "gso_";
/// How many characters of a key are kept in the clear to recognise it (`gso_` and 6 more).
pub const API_KEY_VISIBLE: usize = 10;
/// The longest period an application for conditionally open data may ask for (one year).
pub const MAX_PERIOD_DAYS: i64 = 366;
/// Most datasets one app can name.
pub const MAX_APP_DATASETS: usize = 20;

labelled_enum! {
    /// Where an app of the showcase stands: shown to the public only once approved.
    pub enum AppStatus: "应用状态" {
        Pending = ("pending", "待审核"),
        Approved = ("approved", "已通过"),
        Rejected = ("rejected", "未通过"),
    }
}

labelled_enum! {
    /// Where an application for conditionally open data stands.
    pub enum OpenRequestStatus: "申请状态" {
        Pending = ("pending", "待答复"),
        Approved = ("approved", "已同意"),
        Refused = ("refused", "不予同意"),
    }
}

/// A developer's registration for an open-data API key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeveloperRegistration {
    pub name: String,
    pub organisation: Option<String>,
    pub email: String,
    pub intended_use: String,
}

/// An app submitted to the showcase (应用汇聚, seed 002 三(三)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppSubmission {
    pub name: String,
    pub description: String,
    pub url: String,
    pub developer: String,
    pub contact: String,
    /// Codes of the open datasets the app uses.
    pub datasets: Vec<String>,
}

/// An application for a conditionally open dataset (有条件开放).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenApplication {
    pub applicant: String,
    pub organisation: String,
    pub contact: String,
    pub purpose: String,
    pub intended_use: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
}

/// Trims a text field and returns `None` when nothing is left.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn text(errs: &mut ValidationErrors, field: &str, label: &str, value: &str, min: usize, max: usize) {
    let n = value.trim().chars().count();
    if n == 0 {
        errs.push(field, "required", format!("请填写{label}"));
    } else if n < min {
        errs.push(field, "too_short", format!("{label}至少{min}个字，请写具体一些"));
    } else if n > max {
        errs.push(field, "too_long", format!("{label}最多{max}个字（现有{n}个字）"));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errs.push(field, "invalid_char", format!("{label}含有不可见的控制字符，请删去"));
    }
}

/// Whether a text looks like an e-mail address (one `@`, a dotted domain, no spaces).
pub fn is_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && s.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && s.chars().all(|c| c.is_ascii_graphic())
}

/// Whether a text looks like a telephone number: a mainland mobile number, or a landline with
/// area code (digits with an optional `-`).
pub fn is_phone(s: &str) -> bool {
    let s = s.trim();
    if crate::identifiers::check_mobile(s).is_ok() {
        return true;
    }
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    s.starts_with('0')
        && s.chars().all(|c| c.is_ascii_digit() || c == '-')
        && (10..=12).contains(&digits.len())
        && s.matches('-').count() <= 2
}

/// Whether a text is a web address the showcase may link to: `http://` or `https://` and a host.
pub fn is_web_url(s: &str) -> bool {
    let s = s.trim();
    let rest = if let Some(r) = s.strip_prefix("https://") {
        r
    } else if let Some(r) = s.strip_prefix("http://") {
        r
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    let name = host.split(':').next().unwrap_or("");
    s.len() <= 500
        && !name.is_empty()
        && (name.contains('.') || name == "localhost")
        && s.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '"' && c != '<' && c != '>')
}

impl DeveloperRegistration {
    /// Every problem of the registration.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::default();
        text(&mut errs, "name", "姓名或名称", &self.name, 2, 50);
        if let Some(org) = &self.organisation
            && org.trim().chars().count() > 100
        {
            errs.push("organisation", "too_long", "所在单位最多100个字");
        }
        if self.email.trim().is_empty() {
            errs.push("email", "required", "请填写电子邮箱，用于接收平台通知");
        } else if !is_email(&self.email) {
            errs.push(
                "email",
                "invalid_email",
                format!("电子邮箱“{}”格式不正确，应如 name@example.com", self.email.trim()),
            );
        }
        text(&mut errs, "intended_use", "用途说明", &self.intended_use, 5, 500);
        errs.into_result()
    }
}

impl AppSubmission {
    /// Every problem of the submission (whether the datasets are open is looked up by the caller).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::default();
        text(&mut errs, "name", "应用名称", &self.name, 2, 50);
        text(&mut errs, "description", "应用简介", &self.description, 10, 1000);
        if self.url.trim().is_empty() {
            errs.push("url", "required", "请填写应用的访问地址");
        } else if !is_web_url(&self.url) {
            errs.push("url", "invalid_url", "访问地址应以 http:// 或 https:// 开头，并包含网站域名");
        }
        text(&mut errs, "developer", "开发者", &self.developer, 2, 100);
        if self.contact.trim().is_empty() {
            errs.push("contact", "required", "请填写联系方式（电子邮箱或电话）");
        } else if !is_email(&self.contact) && !is_phone(&self.contact) {
            errs.push("contact", "invalid_contact", "联系方式应为电子邮箱、手机号码或带区号的固定电话");
        }
        if self.datasets.is_empty() {
            // 应用汇聚 shows what open data is used for: an app names at least one dataset.
            errs.push("datasets", "required", "请至少选择一个应用所使用的开放数据集");
        } else if self.datasets.len() > MAX_APP_DATASETS {
            errs.push("datasets", "too_many", format!("最多选择{MAX_APP_DATASETS}个数据集"));
        }
        errs.into_result()
    }
}

impl OpenApplication {
    /// Every problem of the application. The period must start today or later, end after it
    /// starts, and last at most a year.
    pub fn validate(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::default();
        text(&mut errs, "applicant", "申请人", &self.applicant, 2, 50);
        text(&mut errs, "organisation", "申请单位", &self.organisation, 2, 100);
        if self.contact.trim().is_empty() {
            errs.push("contact", "required", "请填写联系方式（电子邮箱或电话）");
        } else if !is_email(&self.contact) && !is_phone(&self.contact) {
            errs.push("contact", "invalid_contact", "联系方式应为电子邮箱、手机号码或带区号的固定电话");
        }
        text(&mut errs, "purpose", "申请目的", &self.purpose, 10, 1000);
        text(&mut errs, "intended_use", "使用方式", &self.intended_use, 5, 1000);
        if self.period_from < today {
            errs.push("period_from", "in_past", format!("使用期限的开始日期不能早于今天（{today}）"));
        }
        if self.period_to < self.period_from {
            errs.push("period_to", "before_start", "使用期限的结束日期不能早于开始日期");
        } else if (self.period_to - self.period_from).num_days() >= MAX_PERIOD_DAYS {
            errs.push("period_to", "too_long", "使用期限最长一年，到期后可重新申请");
        }
        errs.into_result()
    }
}

/// Checks the reason of a decision: a refusal (of an app or an application) must say why, so
/// that the applicant can correct or contest it.
pub fn check_decision_reason(approve: bool, reason: &str) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let n = reason.trim().chars().count();
    if !approve && n == 0 {
        errs.push("reason", "required", "不予通过时必须填写理由，申请人将看到这一理由");
    } else if n > 500 {
        errs.push("reason", "too_long", format!("理由最多500个字（现有{n}个字）"));
    }
    errs.into_result()
}

/// Whether a text has the shape of an open-data API key (it may still be unknown or revoked).
pub fn looks_like_api_key(s: &str) -> bool {
    let s = s.trim();
    s.starts_with(API_KEY_PREFIX)
        && s.len() == API_KEY_PREFIX.len() + 64
        && s[API_KEY_PREFIX.len()..].chars().all(|c| c.is_ascii_hexdigit())
}

/// The reference code of an application for conditionally open data: `KF` and 12 characters of
/// an alphabet without look-alikes, from 12 random bytes (≈ 60 bits: not guessable).
pub fn reference_code(random: &[u8; 12]) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut out = String::from("KF");
    for b in random {
        out.push(ALPHABET[(*b as usize) % ALPHABET.len()] as char);
    }
    out
}

/// Normalises a typed reference code (spaces, dashes and case are forgiven).
pub fn normalize_reference(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).take(32).collect()
}
