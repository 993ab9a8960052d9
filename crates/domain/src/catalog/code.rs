//! Resource codes (信息资源代码, STANDARDS.md §1.3): `前段码/后段码`, generated, never reused, and
//! immutable once published ("唯一不变的标识代码"). The scheme is pluggable.

use super::category::CategoryCode;
use crate::error::FieldError;

/// A resource code such as `101001/000001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResourceCode(String);

impl ResourceCode {
    /// Checks the general shape `prefix/sequence` shared by every scheme.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let ok = match s.split_once('/') {
            Some((p, q)) => {
                !p.is_empty()
                    && p.len() <= 40
                    && p.chars().all(|c| c.is_ascii_alphanumeric())
                    && !q.is_empty()
                    && q.len() <= 12
                    && q.chars().all(|c| c.is_ascii_digit())
            }
            None => false,
        };
        if ok {
            Ok(ResourceCode(s.to_string()))
        } else {
            Err(FieldError::new(
                "code",
                "invalid_code",
                format!("信息资源代码“{s}”格式不对，应为“前段码/后段码”，如 101001/000001"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the slash (前段码).
    pub fn prefix(&self) -> &str {
        self.0.split_once('/').map(|(p, _)| p).unwrap_or(&self.0)
    }
}

impl TryFrom<String> for ResourceCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ResourceCode::parse(&s).map_err(|e| e.message)
    }
}

impl From<ResourceCode> for String {
    fn from(c: ResourceCode) -> String {
        c.0
    }
}

impl std::fmt::Display for ResourceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a scheme may use to build a prefix.
pub struct CodeInput<'a> {
    pub category: &'a CategoryCode,
    /// The provider department's local organisation code, if it has one.
    pub provider_local_code: Option<&'a str>,
}

/// A resource code scheme: which prefix a new resource gets and how a sequence number is written.
/// The sequence itself is allocated by the store, monotonically per prefix, and never reused.
pub trait ResourceCodeScheme: Send + Sync {
    /// A short name for configuration, e.g. `guide-2017`.
    fn name(&self) -> &'static str;
    /// The 前段码 for a new resource.
    fn prefix(&self, input: &CodeInput<'_>) -> Result<String, FieldError>;
    /// The full code for the `seq`-th resource under `prefix` (seq starts at 1).
    fn format(&self, prefix: &str, seq: u64) -> Result<ResourceCode, FieldError>;
    /// Whether a code follows this scheme.
    fn check(&self, code: &str) -> Result<ResourceCode, FieldError>;
}

/// The default scheme of the 2017 guide: 前段码 = 分类码 (类项目细目), 后段码 = a zero-padded sequence.
#[derive(Debug, Clone)]
pub struct Guide2017 {
    pub seq_width: usize,
}

impl Default for Guide2017 {
    fn default() -> Self {
        Guide2017 { seq_width: 6 }
    }
}

impl ResourceCodeScheme for Guide2017 {
    fn name(&self) -> &'static str {
        "guide-2017"
    }

    fn prefix(&self, input: &CodeInput<'_>) -> Result<String, FieldError> {
        if !input.category.can_hold_resources() {
            return Err(FieldError::new(
                "category",
                "category_too_coarse",
                format!("分类“{}”只到类或项，请选择到“目”或“细目”一级的分类", input.category),
            ));
        }
        Ok(input.category.as_str().to_string())
    }

    fn format(&self, prefix: &str, seq: u64) -> Result<ResourceCode, FieldError> {
        let s = format!("{prefix}/{seq:0width$}", width = self.seq_width);
        if s.len() - prefix.len() - 1 > self.seq_width {
            return Err(FieldError::new(
                "code",
                "sequence_exhausted",
                format!("分类“{prefix}”下的顺序码已用尽（{}位），请设立新的细目", self.seq_width),
            ));
        }
        ResourceCode::parse(&s)
    }

    fn check(&self, code: &str) -> Result<ResourceCode, FieldError> {
        let c = ResourceCode::parse(code)?;
        let (p, q) = c.as_str().split_once('/').unwrap_or_default();
        let shape_ok =
            CategoryCode::parse(p).map(|c| c.can_hold_resources()).unwrap_or(false) && q.len() == self.seq_width;
        if shape_ok {
            Ok(c)
        } else {
            Err(FieldError::new(
                "code",
                "invalid_code",
                format!("信息资源代码“{code}”不符合编制指南格式：分类码（至少6位）/{}位顺序码", self.seq_width),
            ))
        }
    }
}

/// GB/T 21063.5-2007: 前段码 identifies the organisation (region + level + department), 后段码 is that
/// organisation's own sequence. The organisation prefix is the department's local code.
#[derive(Debug, Clone)]
pub struct Gbt21063_5 {
    pub org_prefix_len: usize,
    pub seq_width: usize,
}

impl ResourceCodeScheme for Gbt21063_5 {
    fn name(&self) -> &'static str {
        "gbt21063-5"
    }

    fn prefix(&self, input: &CodeInput<'_>) -> Result<String, FieldError> {
        match input.provider_local_code {
            Some(p) if p.len() == self.org_prefix_len && p.chars().all(|c| c.is_ascii_alphanumeric()) => {
                Ok(p.to_string())
            }
            _ => Err(FieldError::new(
                "provider_local_code",
                "missing_org_prefix",
                format!("按GB/T 21063.5编码时，提供部门须有{}位的本地机构前段码", self.org_prefix_len),
            )),
        }
    }

    fn format(&self, prefix: &str, seq: u64) -> Result<ResourceCode, FieldError> {
        let s = format!("{prefix}/{seq:0width$}", width = self.seq_width);
        if s.len() - prefix.len() - 1 > self.seq_width {
            return Err(FieldError::new("code", "sequence_exhausted", "本机构的顺序码已用尽"));
        }
        ResourceCode::parse(&s)
    }

    fn check(&self, code: &str) -> Result<ResourceCode, FieldError> {
        let c = ResourceCode::parse(code)?;
        if c.prefix().len() == self.org_prefix_len {
            Ok(c)
        } else {
            Err(FieldError::new(
                "code",
                "invalid_code",
                format!("信息资源代码“{code}”的前段码应为{}位机构码", self.org_prefix_len),
            ))
        }
    }
}

/// Picks a scheme by its configured name.
pub fn scheme_by_name(name: &str) -> Option<Box<dyn ResourceCodeScheme>> {
    match name {
        "guide-2017" => Some(Box::new(Guide2017::default())),
        "gbt21063-5" => Some(Box::new(Gbt21063_5 { org_prefix_len: 6, seq_width: 6 })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_scheme() {
        let s = Guide2017::default();
        let cat = CategoryCode::parse("101001").unwrap();
        let p = s.prefix(&CodeInput { category: &cat, provider_local_code: None }).unwrap();
        assert_eq!(s.format(&p, 1).unwrap().as_str(), "101001/000001");
        assert_eq!(s.format("307001A1", 12).unwrap().as_str(), "307001A1/000012");
        assert!(s.format("101001", 1_000_000).is_err());
        assert!(s.check("101001/000001").is_ok());
        assert!(s.check("101/000001").is_err());
        assert!(s.check("101001/1").is_err());
        let coarse = CategoryCode::parse("101").unwrap();
        assert!(s.prefix(&CodeInput { category: &coarse, provider_local_code: None }).is_err());
    }

    #[test]
    fn org_scheme() {
        let s = Gbt21063_5 { org_prefix_len: 5, seq_width: 6 };
        let cat = CategoryCode::parse("101001").unwrap();
        assert_eq!(s.prefix(&CodeInput { category: &cat, provider_local_code: Some("29001") }).unwrap(), "29001");
        assert!(s.prefix(&CodeInput { category: &cat, provider_local_code: None }).is_err());
        assert!(s.check("29001/000003").is_ok());
    }

    #[test]
    fn general_shape() {
        assert!(ResourceCode::parse("101001/000001").is_ok());
        for bad in ["101001", "/000001", "101001/", "10 1/1", "101001/00a001"] {
            assert!(ResourceCode::parse(bad).is_err(), "{bad}");
        }
    }
}
