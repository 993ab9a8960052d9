//! 使用用途: every read of shared data declares what it is for (国发〔2016〕51号 第十二条 "明确……使用用途
//! （如，作为行政依据、工作参考，用于数据校核、业务协同等）"; 第十四条: only for that purpose).

use crate::error::FieldError;
use crate::labels::labelled_enum;

labelled_enum! {
    /// The kinds of use the seed names, plus other.
    pub enum PurposeKind: "使用用途" {
        AdministrativeBasis = ("administrative_basis", "行政依据"),
        WorkReference = ("work_reference", "工作参考"),
        DataVerification = ("data_verification", "数据校核"),
        BusinessCollaboration = ("business_collaboration", "业务协同"),
        Other = ("other", "其他"),
    }
}

/// A declared purpose: its kind and what it is concretely for (the 事项).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Purpose {
    pub kind: PurposeKind,
    pub description: String,
}

impl Purpose {
    /// Checks a declaration: a kind, and a description of 2 to 500 characters.
    pub fn new(kind: PurposeKind, description: &str) -> Result<Purpose, FieldError> {
        let d = description.trim();
        let n = d.chars().count();
        if !(2..=500).contains(&n) {
            return Err(FieldError::new(
                "purpose",
                "purpose_required",
                "读取共享数据须说明具体用途（办理的事项，2至500字），数据只能用于所声明的用途（国发〔2016〕51号第十四条）",
            ));
        }
        Ok(Purpose { kind, description: d.to_string() })
    }

    /// Parses the `X-Purpose` form `kind:description` (kind as code or Chinese label; without a
    /// known kind the whole text is the description of an "other" purpose).
    pub fn parse_header(s: &str) -> Result<Purpose, FieldError> {
        match s.split_once([':', '：']) {
            Some((k, d)) if PurposeKind::parse(k).is_some() => {
                Purpose::new(PurposeKind::parse(k).unwrap_or(PurposeKind::Other), d)
            }
            _ => Purpose::new(PurposeKind::Other, s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations() {
        let p = Purpose::parse_header("数据校核:核对低保申请人户籍信息").unwrap();
        assert_eq!(p.kind, PurposeKind::DataVerification);
        assert_eq!(p.description, "核对低保申请人户籍信息");
        let p = Purpose::parse_header("business_collaboration：不动产登记").unwrap();
        assert_eq!(p.kind, PurposeKind::BusinessCollaboration);
        let p = Purpose::parse_header("核对身份").unwrap();
        assert_eq!(p.kind, PurposeKind::Other);
        assert!(Purpose::parse_header("").is_err());
        assert!(Purpose::parse_header("行政依据:").is_err());
    }
}
