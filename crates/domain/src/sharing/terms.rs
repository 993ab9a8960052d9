//! What a consumer asks for ([`ApplicationTerms`]) and what a decision allows ([`GrantTerms`]):
//! fields, rows, masking, methods, period and purpose. A partial approval may only narrow what
//! was asked (国发〔2016〕51号 第十二条 "使用部门按答复意见使用共享信息").

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::{ResourceSpec, ShareMethod, ShareType};
use crate::error::ValidationErrors;
use crate::filter::{Filter, Op};
use crate::masking::MaskRule;
use crate::purpose::Purpose;

/// Longest period of use a grant may have; renewals are new applications.
pub const MAX_PERIOD_DAYS: i64 = 3 * 366;

/// Most users, or systems, one grant (or application) may name.
pub const MAX_NAMED: usize = 100;

/// A period of use, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl Period {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.until
    }

    pub fn within(&self, outer: &Period) -> bool {
        outer.from <= self.from && self.until <= outer.until
    }

    fn check(&self, field: &str, today: NaiveDate, errors: &mut ValidationErrors) {
        if self.until < self.from {
            errors.push(field, "invalid_period", "使用期限的结束日期早于开始日期");
        } else if self.until < today {
            errors.push(field, "invalid_period", "使用期限已经结束，请填写今天或以后的结束日期");
        } else if (self.until - self.from).num_days() > MAX_PERIOD_DAYS {
            errors.push(field, "invalid_period", "使用期限最长三年，到期后请重新申请");
        }
    }
}

/// Who answers questions about the application in the consumer department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

/// A field shown masked (脱敏) under a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMask {
    pub field: String,
    pub rule: MaskRule,
}

/// A consumer department's application (共享申请).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationTerms {
    /// 使用用途 (第十二条: 行政依据、工作参考、数据校核、业务协同 …) and the concrete use.
    pub purpose: Purpose,
    /// 申请依据: the law, regulation or business matter (事项) that makes the data necessary.
    pub basis: String,
    /// The data items wanted.
    pub fields: Vec<String>,
    /// The rows wanted (e.g. only the consumer's own district); empty means all rows.
    #[serde(default)]
    pub rows: Vec<Filter>,
    pub period: Period,
    /// How the data will be used: API, online query, bulk download, exchange, verification only.
    pub methods: Vec<ShareMethod>,
    pub contact: Contact,
    /// The consumer department's information systems that will call for the data (系统对接,
    /// 第十二条), by id; empty: the department's data consumers in general.
    #[serde(default)]
    pub system_ids: Vec<i64>,
}

/// What a decision or ruling allows (授权范围).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantTerms {
    pub purpose: Purpose,
    pub fields: Vec<String>,
    #[serde(default)]
    pub rows: Vec<Filter>,
    #[serde(default)]
    pub masks: Vec<FieldMask>,
    pub methods: Vec<ShareMethod>,
    pub period: Period,
    /// At most this many rows a day through the grant (all methods together).
    #[serde(default)]
    pub daily_row_quota: Option<u64>,
    /// Only these users of the consumer department (empty: every data consumer of it).
    #[serde(default)]
    pub user_ids: Vec<i64>,
    /// Only these information systems of the consumer department, i.e. the accounts bound to
    /// them. With `user_ids`, the grant is for the named users *or* the named systems; with
    /// neither, for every data consumer of the department.
    #[serde(default)]
    pub system_ids: Vec<i64>,
}

fn check_fields(fields: &[String], spec: &ResourceSpec, path: &str, errors: &mut ValidationErrors) {
    if fields.is_empty() {
        errors.push(path, "required", "请至少选择一个信息项");
    }
    let mut seen = HashSet::new();
    for (i, f) in fields.iter().enumerate() {
        if spec.item(f).is_none() {
            errors.push(format!("{path}[{i}]"), "unknown_field", format!("该资源没有信息项“{f}”"));
        } else if !seen.insert(f.as_str()) {
            errors.push(format!("{path}[{i}]"), "duplicate", format!("信息项“{f}”重复"));
        }
    }
}

fn check_rows(rows: &[Filter], spec: &ResourceSpec, errors: &mut ValidationErrors) {
    for (i, r) in rows.iter().enumerate() {
        let path = format!("rows[{i}]");
        if spec.item(&r.field).is_none() {
            errors.push(format!("{path}.field"), "unknown_field", format!("该资源没有信息项“{}”", r.field));
        }
        let ok = match r.op {
            Op::IsNull | Op::NotNull => r.value.is_null(),
            Op::In => matches!(&r.value, Value::Array(a) if !a.is_empty() && a.len() <= 1000),
            Op::Prefix | Op::Contains => matches!(&r.value, Value::String(s) if !s.is_empty()),
            _ => matches!(&r.value, Value::String(_) | Value::Number(_) | Value::Bool(_)),
        };
        if !ok {
            errors.push(
                format!("{path}.value"),
                "invalid_value",
                format!("数据范围条件“{}”的取值不适合运算“{}”", r.describe(), r.op.label()),
            );
        }
    }
}

fn check_methods(methods: &[ShareMethod], spec: &ResourceSpec, errors: &mut ValidationErrors) {
    if methods.is_empty() {
        errors.push("methods", "required", "请至少选择一种共享方式");
    }
    for (i, m) in methods.iter().enumerate() {
        if !spec.share_methods.is_empty() && !spec.share_methods.contains(m) {
            let offered = spec.share_methods.iter().map(|m| m.label()).collect::<Vec<_>>().join("、");
            errors.push(
                format!("methods[{i}]"),
                "method_not_offered",
                format!("该资源不提供“{}”方式，目录登记的共享方式为：{offered}", m.label()),
            );
        }
    }
}

/// A purpose that arrived through serde has not been through `Purpose::new`.
fn check_purpose(p: &Purpose, errors: &mut ValidationErrors) {
    if let Err(e) = Purpose::new(p.kind, &p.description) {
        errors.push(e.field, &e.code, e.message);
    }
}

/// Named users or systems: each once, at most a hundred.
fn check_ids(ids: &[i64], path: &str, what: &str, errors: &mut ValidationErrors) {
    if ids.len() > MAX_NAMED {
        errors.push(path, "too_many", format!("最多指定{MAX_NAMED}个{what}"));
    }
    let mut seen = HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        if !seen.insert(id) {
            errors.push(format!("{path}[{i}]"), "duplicate", format!("{what}{id}重复"));
        }
    }
}

fn check_text(value: &str, field: &str, what: &str, min: usize, max: usize, errors: &mut ValidationErrors) {
    let n = value.trim().chars().count();
    if n < min || n > max {
        errors.push(field, "invalid_length", format!("{what}应为{min}至{max}个字"));
    }
}

impl ApplicationTerms {
    /// Checks an application against the resource's catalogue entry.
    pub fn validate(&self, spec: &ResourceSpec, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        check_purpose(&self.purpose, &mut errors);
        check_text(&self.basis, "basis", "申请依据（法律法规依据或办理的业务事项）", 2, 1000, &mut errors);
        check_fields(&self.fields, spec, "fields", &mut errors);
        check_rows(&self.rows, spec, &mut errors);
        self.period.check("period", today, &mut errors);
        check_methods(&self.methods, spec, &mut errors);
        check_text(&self.contact.name, "contact.name", "联系人姓名", 2, 50, &mut errors);
        let phone_ok = {
            let p = self.contact.phone.trim();
            (7..=20).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        };
        if !phone_ok {
            errors.push("contact.phone", "invalid_value", "联系电话应为7至20位数字（可含“-”）");
        }
        check_ids(&self.system_ids, "system_ids", "信息系统", &mut errors);
        errors.into_result()
    }

    /// The fields asked for whose share type (item override or resource) is not Unconditional:
    /// what makes an application necessary.
    pub fn restricted_fields<'a>(&'a self, spec: &ResourceSpec) -> Vec<(&'a str, ShareType)> {
        self.fields
            .iter()
            .filter_map(|f| {
                let t = spec.item(f)?.effective_share_type(spec);
                (t != ShareType::Unconditional).then_some((f.as_str(), t))
            })
            .collect()
    }
}

impl GrantTerms {
    /// What a full approval allows: exactly what was asked.
    pub fn from_application(a: &ApplicationTerms) -> GrantTerms {
        GrantTerms {
            purpose: a.purpose.clone(),
            fields: a.fields.clone(),
            rows: a.rows.clone(),
            masks: Vec::new(),
            methods: a.methods.clone(),
            period: a.period,
            daily_row_quota: None,
            user_ids: Vec::new(),
            system_ids: a.system_ids.clone(),
        }
    }

    /// Checks the terms on their own against the resource.
    pub fn validate(&self, spec: &ResourceSpec, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        check_purpose(&self.purpose, &mut errors);
        check_fields(&self.fields, spec, "fields", &mut errors);
        check_rows(&self.rows, spec, &mut errors);
        self.period.check("period", today, &mut errors);
        check_methods(&self.methods, spec, &mut errors);
        let mut masked = HashSet::new();
        for (i, m) in self.masks.iter().enumerate() {
            if !self.fields.contains(&m.field) {
                errors.push(
                    format!("masks[{i}].field"),
                    "unknown_field",
                    format!("脱敏的信息项“{}”不在授权的信息项中", m.field),
                );
            } else if !masked.insert(m.field.as_str()) {
                errors.push(format!("masks[{i}].field"), "duplicate", format!("信息项“{}”的脱敏规则重复", m.field));
            }
            if let Err(e) = m.rule.validate() {
                errors.push(format!("masks[{i}].rule"), &e.code, e.message);
            }
        }
        if self.daily_row_quota == Some(0) {
            errors.push("daily_row_quota", "invalid_value", "每日行数上限应大于0（不限制请留空）");
        }
        check_ids(&self.user_ids, "user_ids", "用户", &mut errors);
        check_ids(&self.system_ids, "system_ids", "信息系统", &mut errors);
        errors.into_result()
    }

    /// A partial approval may only narrow the application: fewer fields, every row condition
    /// asked kept (more may be added), a period inside the one asked, fewer methods, the same
    /// purpose. Masking and quotas only narrow, so they are always allowed. Naming users or
    /// systems narrows an application that named none; an application that named systems gets
    /// some of those systems and no one else (a person is not one of the systems asked for).
    pub fn check_narrows(&self, asked: &ApplicationTerms) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.purpose != asked.purpose {
            errors.push("purpose", "purpose_changed", "答复不能改变申请的使用用途");
        }
        for (i, f) in self.fields.iter().enumerate() {
            if !asked.fields.contains(f) {
                errors.push(format!("fields[{i}]"), "not_requested", format!("信息项“{f}”不在申请范围内，不能授权"));
            }
        }
        for r in &asked.rows {
            if !self.rows.contains(r) {
                errors.push(
                    "rows",
                    "rows_widened",
                    format!("答复删去了申请的数据范围条件“{}”，只能缩小不能扩大", r.describe()),
                );
            }
        }
        if !self.period.within(&asked.period) {
            errors.push("period", "period_widened", "授权期限应在申请的使用期限之内");
        }
        for (i, m) in self.methods.iter().enumerate() {
            if !asked.methods.contains(m) {
                errors.push(format!("methods[{i}]"), "not_requested", format!("申请未要求“{}”方式", m.label()));
            }
        }
        if !asked.system_ids.is_empty() {
            if self.system_ids.is_empty() {
                errors.push(
                    "system_ids",
                    "systems_widened",
                    "申请限定由指定的信息系统调用，授权也须限定在其中（不能扩大到全部门）",
                );
            }
            for (i, id) in self.system_ids.iter().enumerate() {
                if !asked.system_ids.contains(id) {
                    errors.push(format!("system_ids[{i}]"), "not_requested", format!("信息系统{id}不在申请范围内"));
                }
            }
            if !self.user_ids.is_empty() {
                errors.push("user_ids", "systems_widened", "申请限定由指定的信息系统调用，授权不能再允许个人使用");
            }
        }
        errors.into_result()
    }

    /// Whether these terms are exactly what was asked (a full approval).
    pub fn is_full(&self, asked: &ApplicationTerms) -> bool {
        let same_set = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|x| b.contains(x));
        same_set(&self.fields, &asked.fields)
            && self.rows.len() == asked.rows.len()
            && asked.rows.iter().all(|r| self.rows.contains(r))
            && self.period == asked.period
            && self.methods.len() == asked.methods.len()
            && asked.methods.iter().all(|m| self.methods.contains(m))
            && self.masks.is_empty()
            && self.daily_row_quota.is_none()
            && self.user_ids.is_empty()
            && self.system_ids.len() == asked.system_ids.len()
            && asked.system_ids.iter().all(|s| self.system_ids.contains(s))
    }

    /// Whether the grant is limited to named users or systems.
    pub fn names_callers(&self) -> bool {
        !self.user_ids.is_empty() || !self.system_ids.is_empty()
    }

    /// Whether a caller (a user, possibly calling for one of its department's systems) may use
    /// the grant: anyone of the department when it names nobody, else a named user or an account
    /// of a named system.
    pub fn admits(&self, user_id: i64, system_id: Option<i64>) -> bool {
        !self.names_callers()
            || self.user_ids.contains(&user_id)
            || system_id.is_some_and(|s| self.system_ids.contains(&s))
    }

    /// The masking rule of a field, if it is shown masked.
    pub fn mask_of(&self, field: &str) -> Option<&MaskRule> {
        self.masks.iter().find(|m| m.field == field).map(|m| &m.rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purpose::PurposeKind;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn asked(system_ids: Vec<i64>) -> ApplicationTerms {
        ApplicationTerms {
            purpose: Purpose::new(PurposeKind::BusinessCollaboration, "不动产登记核对户籍").unwrap(),
            basis: "《不动产登记暂行条例》".into(),
            fields: vec!["姓名".into(), "公民身份号码".into()],
            rows: vec![],
            period: Period { from: day("2026-03-03"), until: day("2026-12-31") },
            methods: vec![ShareMethod::Api],
            contact: Contact { name: "王敏".into(), phone: "0591-87654321".into() },
            system_ids,
        }
    }

    fn codes(r: Result<(), ValidationErrors>) -> Vec<(String, String)> {
        r.err().map(|e| e.0.into_iter().map(|f| (f.field, f.code)).collect()).unwrap_or_default()
    }

    fn pair(field: &str, code: &str) -> (String, String) {
        (field.to_string(), code.to_string())
    }

    #[test]
    fn a_full_approval_keeps_the_systems_asked_for() {
        let a = asked(vec![4, 5]);
        let g = GrantTerms::from_application(&a);
        assert_eq!(g.system_ids, vec![4, 5]);
        assert!(g.is_full(&a));
        assert_eq!(codes(g.check_narrows(&a)), []);
        let fewer = GrantTerms { system_ids: vec![5], ..g.clone() };
        assert!(!fewer.is_full(&a), "one system of two is a partial approval");
        assert_eq!(codes(fewer.check_narrows(&a)), []);
    }

    #[test]
    fn systems_and_users_only_narrow() {
        // Naming systems or users narrows an application for the whole department.
        let whole = asked(vec![]);
        let named = GrantTerms { system_ids: vec![4], user_ids: vec![9], ..GrantTerms::from_application(&whole) };
        assert_eq!(codes(named.check_narrows(&whole)), []);
        assert!(!named.is_full(&whole));

        // An application for systems 4 and 5: not another system, not the whole department, not
        // a person besides.
        let a = asked(vec![4, 5]);
        let base = GrantTerms::from_application(&a);
        let other = GrantTerms { system_ids: vec![4, 6], ..base.clone() };
        assert_eq!(codes(other.check_narrows(&a)), [pair("system_ids[1]", "not_requested")]);
        let everyone = GrantTerms { system_ids: vec![], ..base.clone() };
        assert_eq!(codes(everyone.check_narrows(&a)), [pair("system_ids", "systems_widened")]);
        let and_a_person = GrantTerms { user_ids: vec![9], ..base };
        assert_eq!(codes(and_a_person.check_narrows(&a)), [pair("user_ids", "systems_widened")]);
    }

    #[test]
    fn who_a_grant_admits() {
        let g = GrantTerms::from_application(&asked(vec![]));
        assert!(g.admits(9, None) && g.admits(9, Some(4)), "names nobody: the whole department");
        let systems = GrantTerms { system_ids: vec![4], ..g.clone() };
        assert!(systems.admits(9, Some(4)));
        assert!(!systems.admits(9, Some(5)), "another system of the department");
        assert!(!systems.admits(9, None), "a person");
        let users = GrantTerms { user_ids: vec![9], ..g.clone() };
        assert!(users.admits(9, None) && users.admits(9, Some(5)));
        assert!(!users.admits(8, None));
        let both = GrantTerms { user_ids: vec![9], system_ids: vec![4], ..g };
        assert!(both.admits(9, None) && both.admits(8, Some(4)), "the named user or the named system");
        assert!(!both.admits(8, None) && !both.admits(8, Some(5)));
    }

    #[test]
    fn named_ids_are_listed_once() {
        let mut e = ValidationErrors::default();
        check_ids(&[4, 5, 4], "system_ids", "信息系统", &mut e);
        assert_eq!(codes(e.into_result()), [pair("system_ids[2]", "duplicate")]);
        let mut e = ValidationErrors::default();
        let many: Vec<i64> = (1..=101).collect();
        check_ids(&many, "user_ids", "用户", &mut e);
        assert_eq!(codes(e.into_result()), [pair("user_ids", "too_many")]);
        let mut e = ValidationErrors::default();
        check_ids(&many[..100], "user_ids", "用户", &mut e);
        assert_eq!(codes(e.into_result()), []);
    }
}
