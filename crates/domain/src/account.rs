//! Accounts, roles and who may do what.
//!
//! Three-role separation (三员分立, GB/T 39477-2020 §6.2): the auditor can read the audit log and
//! the catalogue but change nothing; the platform admin manages accounts and configuration but
//! neither reads nor rewrites audit history; nobody holds both roles.

use crate::labels::labelled_enum;

labelled_enum! {
    /// A role a user holds within their department or the platform.
    pub enum Role: "角色" {
        /// 目录编目员: compiles and maintains the department's catalogue.
        CatalogEditor = ("catalog_editor", "目录编目员"),
        /// 数据提供员: publishes the department's data.
        DataProvider = ("data_provider", "数据提供员"),
        /// 数据使用员: reads shared data for the department's duties.
        DataConsumer = ("data_consumer", "数据使用员"),
        /// 部门审核员: registers catalogue entries and answers share requests for the department.
        Approver = ("approver", "部门审核员"),
        /// 共享主管部门: coordinates, settles disputes, supervises all departments.
        Coordinator = ("coordinator", "共享协调员"),
        /// 审计员: reads the audit log; changes nothing.
        Auditor = ("auditor", "审计员"),
        /// 平台管理员: platform, departments, accounts, categories.
        Admin = ("admin", "平台管理员"),
    }
}

/// Something a user may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ReadCatalog,
    ManageOwnTokens,
    ManagePlatforms,
    ManageDepartments,
    ManageUsers,
    ManageCategories,
    /// Create and change entries of a department.
    EditCatalog,
    /// Register (publish) or return submitted entries of a department.
    ReviewCatalog,
    /// Withdraw (注销) entries of a department.
    WithdrawCatalog,
    /// Record a change of duties or of a law that opens a catalogue-currency window (第八条).
    RecordDutyChange,
    /// See catalogue-currency windows of all departments.
    Supervise,
    ReadAudit,
    /// Publish data for a department's resources (提供).
    PublishData,
    /// Read shared data for the department's duties (使用), subject to the access check.
    ReadData,
    /// Apply for Conditional data, withdraw, dispute, escalate, report the effect (使用部门).
    ApplyForData,
    /// Answer applications for the department's resources (提供部门, 第十二条).
    AnswerApplication,
    /// Suspend, resume or revoke the department's grants; file agreements.
    ManageGrants,
    /// Rule on escalated applications and disputes (共享主管部门, 协调).
    Coordinate,
    /// Register, revise and retire data elements (数据元) and their collection duties: the
    /// 信息采集责任公开目录 (一数一源, 国发〔2016〕51号 第五条).
    ManageDataElements,
}

impl Action {
    fn label(self) -> &'static str {
        match self {
            Action::ReadCatalog => "查看目录",
            Action::ManageOwnTokens => "管理自己的访问令牌",
            Action::ManagePlatforms => "管理平台",
            Action::ManageDepartments => "管理部门",
            Action::ManageUsers => "管理用户",
            Action::ManageCategories => "维护资源分类",
            Action::EditCatalog => "编制和修改目录",
            Action::ReviewCatalog => "审核发布目录",
            Action::WithdrawCatalog => "注销目录",
            Action::RecordDutyChange => "登记职能或法规变化",
            Action::Supervise => "查看全平台监督信息",
            Action::ReadAudit => "查看审计日志",
            Action::PublishData => "发布共享数据",
            Action::ReadData => "读取共享数据",
            Action::ApplyForData => "提出共享申请",
            Action::AnswerApplication => "答复共享申请",
            Action::ManageGrants => "管理共享授权",
            Action::Coordinate => "协调裁决共享争议",
            Action::ManageDataElements => "维护数据元及其采集责任部门",
        }
    }

    /// The roles that allow the action, for the message that explains a refusal.
    fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::ReadCatalog | Action::ManageOwnTokens => Role::ALL,
            Action::ManagePlatforms | Action::ManageDepartments | Action::ManageUsers | Action::ManageCategories => {
                &[Admin]
            }
            Action::EditCatalog => &[CatalogEditor],
            Action::ReviewCatalog | Action::WithdrawCatalog => &[Approver, Coordinator],
            Action::RecordDutyChange => &[CatalogEditor, Approver],
            Action::Supervise => &[Coordinator],
            Action::ReadAudit => &[Auditor],
            Action::PublishData => &[DataProvider],
            Action::ReadData => &[DataConsumer, DataProvider],
            Action::ApplyForData => &[DataConsumer],
            Action::AnswerApplication => &[Approver],
            Action::ManageGrants => &[Approver, Coordinator],
            Action::Coordinate => &[Coordinator],
            Action::ManageDataElements => &[Coordinator, Admin],
        }
    }

    /// Whether a department role must belong to the object's department (the coordinator's
    /// platform-wide role never needs to).
    fn department_bound(self) -> bool {
        matches!(
            self,
            Action::EditCatalog
                | Action::ReviewCatalog
                | Action::WithdrawCatalog
                | Action::RecordDutyChange
                | Action::PublishData
                | Action::ApplyForData
                | Action::AnswerApplication
                | Action::ManageGrants
        )
    }
}

/// The signed-in user, as far as permissions are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub department_id: i64,
    pub roles: Vec<Role>,
    /// The department's information system this account calls for, if it is a system account
    /// (see [`SystemRef`]); None for a person.
    pub system: Option<SystemRef>,
}

/// A business information system (业务信息系统) of a department, as a caller: the system an
/// account is bound to. 国发〔2016〕51号 第十一条 connects departments' business systems to the
/// sharing platform, and 第十二条 prefers 系统对接; a grant may be limited to named systems, and
/// every event of a system account names its system in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemRef {
    pub id: i64,
    pub name: String,
}

/// The roles a system account may hold: a system reads or provides data, it never decides,
/// edits the catalogue, coordinates, administers or audits (those are people's duties).
pub const SYSTEM_ROLES: [Role; 2] = [Role::DataConsumer, Role::DataProvider];

/// Checks the roles of an account bound to an information system (after [`check_roles`]).
pub fn check_system_roles(roles: &[Role]) -> Result<(), crate::error::FieldError> {
    match roles.iter().find(|r| !SYSTEM_ROLES.contains(r)) {
        None => Ok(()),
        Some(r) => Err(crate::error::FieldError::new(
            "roles",
            "not_for_systems",
            format!("信息系统账号只能是数据使用员或数据提供员，不能担任{}", r.label()),
        )),
    }
}

/// A refusal, with what would have allowed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("您没有{action}的权限{reason}")]
pub struct Forbidden {
    pub action: &'static str,
    pub reason: String,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the actor may do `action` on an object of department `dept` (None: not department-bound).
    pub fn authorize(&self, action: Action, dept: Option<i64>) -> Result<(), Forbidden> {
        let roles = action.roles();
        let holds: Vec<Role> = self.roles.iter().copied().filter(|r| roles.contains(r)).collect();
        let ok = holds.iter().any(|r| {
            *r == Role::Coordinator || !action.department_bound() || dept.is_none_or(|d| d == self.department_id)
        });
        if ok {
            return Ok(());
        }
        let reason = if holds.is_empty() {
            let names: Vec<&str> = roles.iter().map(|r| r.label()).collect();
            format!("（需要角色：{}）", names.join("或"))
        } else {
            "（只能处理本部门的目录）".to_string()
        };
        Err(Forbidden { action: action.label(), reason })
    }
}

/// Checks a set of roles for three-role separation. Returns the roles deduplicated.
pub fn check_roles(roles: &[Role]) -> Result<Vec<Role>, crate::error::FieldError> {
    use crate::error::FieldError;
    let mut out: Vec<Role> = Vec::new();
    for r in roles {
        if !out.contains(r) {
            out.push(*r);
        }
    }
    if out.is_empty() {
        return Err(FieldError::new("roles", "required", "请至少分配一个角色"));
    }
    if out.contains(&Role::Auditor) && out.len() > 1 {
        return Err(FieldError::new(
            "roles",
            "separation_of_duties",
            "审计员不能兼任其他角色（三员分立，GB/T 39477-2020）",
        ));
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor { user_id: 1, username: "u".into(), department_id: 7, roles: roles.to_vec(), system: None }
    }

    #[test]
    fn system_accounts_only_read_or_provide_data() {
        assert_eq!(check_system_roles(&[Role::DataConsumer, Role::DataProvider]), Ok(()));
        for r in [Role::CatalogEditor, Role::Approver, Role::Coordinator, Role::Auditor, Role::Admin] {
            let e = check_system_roles(&[Role::DataConsumer, r]).unwrap_err();
            assert_eq!((e.field.as_str(), e.code.as_str()), ("roles", "not_for_systems"), "{r:?}");
            assert_eq!(e.message, format!("信息系统账号只能是数据使用员或数据提供员，不能担任{}", r.label()));
        }
    }

    #[test]
    fn editors_edit_only_their_department() {
        let a = actor(&[Role::CatalogEditor]);
        assert!(a.authorize(Action::EditCatalog, Some(7)).is_ok());
        let e = a.authorize(Action::EditCatalog, Some(8)).unwrap_err();
        assert!(e.to_string().contains("本部门"), "{e}");
        assert!(a.authorize(Action::ReviewCatalog, Some(7)).is_err());
    }

    #[test]
    fn coordinator_reviews_everywhere() {
        let a = actor(&[Role::Coordinator]);
        assert!(a.authorize(Action::ReviewCatalog, Some(99)).is_ok());
        assert!(a.authorize(Action::EditCatalog, Some(7)).is_err());
    }

    #[test]
    fn auditor_changes_nothing() {
        let a = actor(&[Role::Auditor]);
        for action in [
            Action::ManagePlatforms,
            Action::ManageDepartments,
            Action::ManageUsers,
            Action::ManageCategories,
            Action::EditCatalog,
            Action::ReviewCatalog,
            Action::WithdrawCatalog,
            Action::RecordDutyChange,
            Action::PublishData,
            Action::ReadData,
            Action::ManageDataElements,
        ] {
            assert!(a.authorize(action, Some(7)).is_err(), "{action:?}");
        }
        assert!(a.authorize(Action::ReadAudit, None).is_ok());
    }

    #[test]
    fn admin_cannot_read_or_touch_audit() {
        let a = actor(&[Role::Admin]);
        assert!(a.authorize(Action::ManageUsers, None).is_ok());
        let e = a.authorize(Action::ReadAudit, None).unwrap_err();
        assert!(e.to_string().contains("审计员"), "{e}");
    }

    #[test]
    fn register_of_data_elements_is_kept_by_coordinator_or_admin() {
        for roles in [[Role::Coordinator], [Role::Admin]] {
            assert!(actor(&roles).authorize(Action::ManageDataElements, None).is_ok(), "{roles:?}");
        }
        let e = actor(&[Role::CatalogEditor, Role::Approver]).authorize(Action::ManageDataElements, None).unwrap_err();
        assert_eq!(e.to_string(), "您没有维护数据元及其采集责任部门的权限（需要角色：共享协调员或平台管理员）");
    }

    #[test]
    fn auditor_is_exclusive() {
        assert!(check_roles(&[Role::Auditor, Role::Admin]).is_err());
        assert!(check_roles(&[]).is_err());
        assert_eq!(check_roles(&[Role::Approver, Role::CatalogEditor, Role::Approver]).unwrap().len(), 2);
    }
}
