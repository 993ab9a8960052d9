//! The one access check every read of shared data passes through. It receives the caller, the
//! declared purpose and the resource, and returns the scope the read is allowed (which fields;
//! row filters and masking arrive with grants) or why it is refused. Queries and downloads are
//! built from the scope, inside the query plan.
//!
//! Rules (国发〔2016〕51号 第十二条): the providing department reads everything of its own; an
//! unconditionally shared resource is readable by every department with a declared purpose,
//! except items that are themselves conditional or not shared; conditional and not-shared
//! resources are refused until a grant allows them.

use domain::account::Actor;
use domain::catalog::{DataItem, ResourceSpec, ResourceStatus, ShareType};
use domain::purpose::Purpose;

/// Why a read is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The caller's department provides the resource.
    OwnDepartment,
    /// 无条件共享.
    Unconditional,
}

impl Basis {
    pub fn code(&self) -> &'static str {
        match self {
            Basis::OwnDepartment => "own_department",
            Basis::Unconditional => "unconditional",
        }
    }
}

/// What one read may see. Only [`decide`] makes one (its fields are private to this crate), so
/// every read in `query`, `download` and `versions` is shaped by the access check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub(crate) basis: Basis,
    pub(crate) purpose: Purpose,
    /// The data items the caller may see, filter, sort and group on, in item order.
    pub(crate) fields: Vec<String>,
}

impl Scope {
    pub fn basis(&self) -> &Basis {
        &self.basis
    }

    pub fn purpose(&self) -> &Purpose {
        &self.purpose
    }

    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    pub fn allows(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }
}

/// A refused read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("该资源为有条件共享，请先通过共享平台向提供部门提出共享申请（国发〔2016〕51号第十二条）")]
    NeedsApplication,
    #[error("该资源为不予共享类（依据：{basis}）；确需使用的，请与提供部门协商，协商未果可申请共享主管部门协调")]
    NotShared { basis: String },
    #[error("该资源尚未发布，不能读取其数据")]
    NotPublished,
    #[error("该资源的信息项均不可直接共享，请先提出共享申请")]
    NoSharedFields,
    #[error("信息项“{0}”不在您的授权范围内，不能读取、筛选、排序或分组")]
    FieldOutOfScope(String),
}

/// The facts about a resource the decision needs.
pub struct ResourceFacts<'a> {
    pub department_id: i64,
    pub status: ResourceStatus,
    pub spec: &'a ResourceSpec,
    /// The data items of the version being read (they may differ from the current entry's).
    pub items: &'a [DataItem],
}

/// Decides what `actor` may read of a resource for `purpose`.
pub fn decide(actor: &Actor, resource: &ResourceFacts<'_>, purpose: Purpose) -> Result<Scope, Denied> {
    let all: Vec<String> = resource.items.iter().map(|i| i.name.clone()).collect();
    if actor.department_id == resource.department_id {
        return Ok(Scope { basis: Basis::OwnDepartment, purpose, fields: all });
    }
    if resource.status != ResourceStatus::Published {
        return Err(Denied::NotPublished);
    }
    match resource.spec.share_type {
        ShareType::Conditional => Err(Denied::NeedsApplication),
        ShareType::NotShared => Err(Denied::NotShared { basis: resource.spec.share_basis.clone().unwrap_or_default() }),
        ShareType::Unconditional => {
            // Item-level overrides: an item the current entry marks conditional or not shared
            // (or that the entry no longer lists) is outside the unconditional scope.
            let fields: Vec<String> = resource
                .items
                .iter()
                .filter(|i| {
                    resource.spec.item(&i.name).map(|cur| cur.effective_share_type(resource.spec))
                        == Some(ShareType::Unconditional)
                })
                .map(|i| i.name.clone())
                .collect();
            if fields.is_empty() {
                return Err(Denied::NoSharedFields);
            }
            Ok(Scope { basis: Basis::Unconditional, purpose, fields })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::catalog::{CategoryCode, DataType, Format, FormatClass, OpenType, UpdateCycle};
    use domain::purpose::PurposeKind;

    fn spec(share: ShareType) -> ResourceSpec {
        let mut secret = DataItem::new("联系电话", DataType::C, Some(11));
        secret.share_type = Some(ShareType::Conditional);
        ResourceSpec {
            category: CategoryCode::parse("307001").unwrap(),
            name: "测试".into(),
            provider_name: "p".into(),
            provider_code: "c".into(),
            provider_division: None,
            summary: "s".into(),
            format: Format { class: FormatClass::Database, subtype: None, other_desc: None },
            data_items: vec![DataItem::new("姓名", DataType::C, Some(50)), secret],
            share_type: share,
            share_condition: Some("条件".into()),
            share_basis: Some("《某法》".into()),
            share_methods: vec![],
            open_type: OpenType::NotOpen,
            open_condition: None,
            update_cycle: UpdateCycle::Daily,
            publish_date: None,
            related_codes: vec![],
            classified: false,
            tags: vec![],
        }
    }

    fn actor(dept: i64) -> Actor {
        Actor { user_id: 1, username: "u".into(), department_id: dept, roles: vec![] }
    }

    fn purpose() -> Purpose {
        Purpose::new(PurposeKind::WorkReference, "核对").unwrap()
    }

    #[test]
    fn decisions() {
        let s = spec(ShareType::Unconditional);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &s, items: &s.data_items };
        let own = decide(&actor(1), &facts, purpose()).unwrap();
        assert_eq!((own.basis, own.fields.len()), (Basis::OwnDepartment, 2));
        let other = decide(&actor(2), &facts, purpose()).unwrap();
        assert_eq!(other.fields, vec!["姓名".to_string()], "the conditional item is left out");
        let c = spec(ShareType::Conditional);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &c, items: &c.data_items };
        assert_eq!(decide(&actor(2), &facts, purpose()), Err(Denied::NeedsApplication));
        let n = spec(ShareType::NotShared);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &n, items: &n.data_items };
        assert!(matches!(decide(&actor(2), &facts, purpose()), Err(Denied::NotShared { .. })));
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Withdrawn, spec: &s, items: &s.data_items };
        assert_eq!(decide(&actor(2), &facts, purpose()), Err(Denied::NotPublished));
    }
}
