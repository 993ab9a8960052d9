//! Platforms (共享平台), departments (政务部门) and their business information systems (业务信息系统).

use crate::error::ValidationErrors;
use crate::identifiers::{self, RegionLevel};
use crate::labels::labelled_enum;

labelled_enum! {
    /// The level of a sharing platform (国家、省、市、县 platforms, 物理分散、逻辑集中).
    pub enum PlatformLevel: "平台层级" {
        National = ("national", "国家级"),
        Provincial = ("provincial", "省级"),
        City = ("city", "市级"),
        County = ("county", "县级"),
    }
}

/// What an admin states about a platform.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlatformSpec {
    pub name: String,
    pub level: PlatformLevel,
    /// GB/T 2260 region code; `100000` for the national platform.
    pub region_code: String,
    /// The platform one level up, if any (for publishing the catalogue upward).
    #[serde(default)]
    pub parent_id: Option<i64>,
}

impl PlatformSpec {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            e.push("name", "required", "请填写平台名称（不超过100字）");
        }
        if self.level == PlatformLevel::National {
            if self.region_code != "100000" {
                e.push("region_code", "invalid_region_code", "国家级平台的行政区划代码应为100000");
            }
        } else {
            match identifiers::check_region_code(&self.region_code) {
                Err(err) => e.push("region_code", "invalid_region_code", err.to_string()),
                Ok(code) => {
                    let want = match self.level {
                        PlatformLevel::Provincial => RegionLevel::Province,
                        PlatformLevel::City => RegionLevel::Prefecture,
                        _ => RegionLevel::County,
                    };
                    if code.level() != want {
                        e.push(
                            "region_code",
                            "level_mismatch",
                            format!(
                                "{}平台的行政区划代码应是{}一级的代码",
                                self.level.label(),
                                region_level_label(want)
                            ),
                        );
                    }
                }
            }
        }
        e.into_result()
    }
}

fn region_level_label(l: RegionLevel) -> &'static str {
    match l {
        RegionLevel::Province => "省",
        RegionLevel::Prefecture => "地市",
        RegionLevel::County => "县区",
    }
}

/// What an admin states about a department.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DepartmentSpec {
    /// Official full name, e.g. 示例市公安局.
    pub name: String,
    /// 统一社会信用代码 (GB 32100).
    #[serde(default)]
    pub credit_code: Option<String>,
    /// A local organisation code used beside (or, for bodies without one, instead of) the credit code.
    #[serde(default)]
    pub local_code: Option<String>,
    #[serde(default)]
    pub parent_id: Option<i64>,
    pub platform_id: i64,
}

impl DepartmentSpec {
    /// Checks and normalises (upper-cases the credit code).
    pub fn validate(mut self) -> Result<DepartmentSpec, ValidationErrors> {
        let mut e = ValidationErrors::default();
        self.name = self.name.trim().to_string();
        if self.name.is_empty() || self.name.chars().count() > 100 {
            e.push("name", "required", "请填写部门全称（不超过100字）");
        }
        self.credit_code = self.credit_code.map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty());
        self.local_code = self.local_code.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        match &self.credit_code {
            Some(code) => {
                if let Err(err) = identifiers::check_credit_code(code) {
                    e.push("credit_code", "invalid_credit_code", err.to_string());
                }
            }
            None if self.local_code.is_none() => {
                e.push("credit_code", "required", "请填写统一社会信用代码；尚无信用代码的机构请填写本地机构代码")
            }
            None => {}
        }
        if let Some(l) = &self.local_code
            && (l.len() > 32 || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            e.push("local_code", "invalid_code", "本地机构代码只能包含字母、数字和“-”，不超过32位");
        }
        e.into_result().map(|()| self)
    }

    /// The code a catalogue entry shows as 信息资源提供方代码: the credit code if any.
    pub fn provider_code(&self) -> String {
        self.credit_code.clone().or_else(|| self.local_code.clone()).unwrap_or_default()
    }
}

/// What an admin states about a department's business information system (业务信息系统), e.g.
/// 不动产登记系统: a caller that accounts can be bound to and that grants can name (国发〔2016〕51号
/// 第十一条: departments' business systems connect to the sharing platform).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemSpec {
    pub department_id: i64,
    /// The system's name as the department calls it, unique within the department.
    pub name: String,
    /// What it does, for the provider deciding whether to grant it data.
    pub description: Option<String>,
}

impl SystemSpec {
    /// Checks and normalises (trims; an empty description is none).
    pub fn validate(mut self) -> Result<SystemSpec, ValidationErrors> {
        let mut e = ValidationErrors::default();
        self.name = self.name.trim().to_string();
        let n = self.name.chars().count();
        if !(2..=100).contains(&n) {
            e.push("name", "invalid_length", "信息系统名称应为2至100个字");
        } else if self.name.chars().any(char::is_control) {
            e.push("name", "invalid_value", "信息系统名称不能包含控制字符");
        }
        self.description = self.description.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
        if self.description.as_ref().is_some_and(|d| d.chars().count() > 500) {
            e.push("description", "too_long", "信息系统说明不超过500字");
        }
        e.into_result().map(|()| self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(name: &str, description: Option<&str>) -> SystemSpec {
        SystemSpec { department_id: 3, name: name.into(), description: description.map(str::to_string) }
    }

    #[test]
    fn system_names_are_trimmed_and_bounded() {
        let s = system("  不动产登记系统 ", Some("  ")).validate().unwrap();
        assert_eq!((s.name.as_str(), s.description), ("不动产登记系统", None));
        let codes =
            |s: SystemSpec| s.validate().unwrap_err().0.into_iter().map(|f| (f.field, f.code)).collect::<Vec<_>>();
        assert_eq!(codes(system("甲", None)), [("name".to_string(), "invalid_length".to_string())]);
        assert_eq!(codes(system(&"系".repeat(101), None)), [("name".to_string(), "invalid_length".to_string())]);
        assert_eq!(codes(system("登记\n系统", None)), [("name".to_string(), "invalid_value".to_string())]);
        let long = "说".repeat(501);
        assert_eq!(codes(system("登记系统", Some(&long))), [("description".to_string(), "too_long".to_string())]);
        assert!(system(&"系".repeat(100), Some(&"说".repeat(500))).validate().is_ok());
    }
}
