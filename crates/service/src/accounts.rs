//! Platforms, departments, their information systems, users (people and system accounts) and
//! their tokens, and the first-run bootstrap.

use domain::account::{Action, Actor, Role, SystemRef, check_roles, check_system_roles};
use domain::org::{DepartmentSpec, PlatformLevel, PlatformSpec, SystemSpec};
use serde_json::json;
use store::model::{Department, NewToken, NewUser, Page, PageRequest, Platform, System, Token, User};

use crate::{Result, ServiceError, Services, audit, auth};

pub async fn create_platform(svc: &Services, actor: &Actor, spec: PlatformSpec) -> Result<Platform> {
    actor.authorize(Action::ManagePlatforms, None)?;
    spec.validate()?;
    if let Some(p) = spec.parent_id {
        svc.store.get_platform(p).await?;
    }
    let p = svc.store.create_platform(&spec, svc.clock.now()).await?;
    audit::record(
        svc,
        Some(actor),
        "platform.create",
        "platform",
        Some(p.id.to_string()),
        json!({"name": p.spec.name}),
    )
    .await?;
    Ok(p)
}

pub async fn list_platforms(svc: &Services) -> Result<Vec<Platform>> {
    Ok(svc.store.list_platforms().await?)
}

async fn check_department_refs(svc: &Services, spec: &DepartmentSpec, own_id: Option<i64>) -> Result<()> {
    svc.store.get_platform(spec.platform_id).await.map_err(|_| {
        ServiceError::invalid("platform_id", "unknown_platform", format!("平台 {} 不存在", spec.platform_id))
    })?;
    if let Some(parent) = spec.parent_id {
        if Some(parent) == own_id {
            return Err(ServiceError::invalid("parent_id", "self_parent", "上级部门不能是本部门"));
        }
        // Walk up: the parent chain must exist and must not come back to this department.
        let mut cursor = Some(parent);
        let mut depth = 0;
        while let Some(id) = cursor {
            let d = svc.store.get_department(id).await.map_err(|_| {
                ServiceError::invalid("parent_id", "unknown_department", format!("上级部门 {id} 不存在"))
            })?;
            if Some(d.id) == own_id || depth > 32 {
                return Err(ServiceError::invalid("parent_id", "cycle", "上级部门关系形成循环，请检查"));
            }
            cursor = d.spec.parent_id;
            depth += 1;
        }
    }
    Ok(())
}

pub async fn create_department(svc: &Services, actor: &Actor, spec: DepartmentSpec) -> Result<Department> {
    actor.authorize(Action::ManageDepartments, None)?;
    let spec = spec.validate()?;
    check_department_refs(svc, &spec, None).await?;
    let d = svc.store.create_department(&spec, svc.clock.now()).await?;
    audit::record(
        svc,
        Some(actor),
        "department.create",
        "department",
        Some(d.id.to_string()),
        json!({"name": d.spec.name}),
    )
    .await?;
    Ok(d)
}

pub async fn update_department(svc: &Services, actor: &Actor, id: i64, spec: DepartmentSpec) -> Result<Department> {
    actor.authorize(Action::ManageDepartments, None)?;
    let spec = spec.validate()?;
    let before = svc.store.get_department(id).await?;
    check_department_refs(svc, &spec, Some(id)).await?;
    let d = svc.store.update_department(id, &spec).await?;
    audit::record(
        svc,
        Some(actor),
        "department.update",
        "department",
        Some(id.to_string()),
        json!({"changes": domain::catalog::diff::diff(Some(&before.spec), &d.spec)}),
    )
    .await?;
    Ok(d)
}

pub async fn get_department(svc: &Services, id: i64) -> Result<Department> {
    Ok(svc.store.get_department(id).await?)
}

/// The names of every department, by id (one listing, for labels).
pub async fn department_names(svc: &Services) -> Result<std::collections::HashMap<i64, String>> {
    let mut out = std::collections::HashMap::new();
    let mut after = None;
    loop {
        let page = svc.store.list_departments(PageRequest { after, limit: 500 }).await?;
        out.extend(page.items.into_iter().map(|d| (d.id, d.spec.name)));
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

pub async fn list_departments(svc: &Services, page: PageRequest) -> Result<Page<Department>> {
    Ok(svc.store.list_departments(page).await?)
}

/// What an admin states about a new user.
#[derive(Debug, Clone)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    pub roles: Vec<Role>,
    pub password: Option<String>,
}

fn check_username(u: &str) -> Result<()> {
    let ok = (3..=64).contains(&u.len())
        && u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && u.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            "username",
            "invalid_username",
            "用户名须以字母开头，3至64位，只能包含字母、数字和 _ - .",
        ))
    }
}

/// Creates a user without a permission check: for the bootstrap and the CLI, which run with
/// the machine owner's authority.
pub async fn create_user_unchecked(svc: &Services, input: UserInput) -> Result<User> {
    insert_user(svc, input, None).await
}

async fn insert_user(svc: &Services, input: UserInput, system_id: Option<i64>) -> Result<User> {
    check_username(&input.username)?;
    let roles = check_roles(&input.roles)?;
    let display = input.display_name.trim();
    if display.is_empty() || display.chars().count() > 50 {
        return Err(ServiceError::invalid("display_name", "required", "请填写姓名（不超过50字）"));
    }
    svc.store.get_department(input.department_id).await.map_err(|_| {
        ServiceError::invalid("department_id", "unknown_department", format!("部门 {} 不存在", input.department_id))
    })?;
    let password_hash = input.password.as_deref().map(auth::hash_password).transpose()?;
    let user = svc
        .store
        .create_user(
            &NewUser {
                username: input.username.clone(),
                display_name: display.to_string(),
                department_id: input.department_id,
                roles,
                password_hash,
                system_id,
            },
            svc.clock.now(),
        )
        .await?;
    Ok(user)
}

/// The actor behind an account: its department and roles, and for a system account the system
/// it calls for (with its name, which the audit trail records). The account of a retired system
/// cannot act: `Unauthenticated`, as for a deactivated user.
pub async fn actor_for(svc: &Services, user: User) -> Result<Actor> {
    let system = match user.system_id {
        None => None,
        Some(id) => {
            let s = svc.store.get_system(id).await?;
            if !s.active {
                return Err(ServiceError::Unauthenticated);
            }
            Some(SystemRef { id: s.id, name: s.name })
        }
    };
    Ok(Actor {
        user_id: user.id,
        username: user.username,
        department_id: user.department_id,
        roles: user.roles,
        system,
    })
}

// ---------------------------------------------------------------------------------------------
// Information systems (业务信息系统, 国发〔2016〕51号 第十一条、第十二条)

/// Registers a department's business information system: the admin, who also keeps the
/// departments (the systems connected to the platform are part of a department's registration).
pub async fn create_system(svc: &Services, actor: &Actor, spec: SystemSpec) -> Result<System> {
    actor.authorize(Action::ManageDepartments, None)?;
    let spec = spec.validate()?;
    svc.store.get_department(spec.department_id).await.map_err(|_| {
        ServiceError::invalid("department_id", "unknown_department", format!("部门 {} 不存在", spec.department_id))
    })?;
    let sys = svc.store.create_system(&spec, svc.clock.now()).await?;
    audit::record(
        svc,
        Some(actor),
        "system.create",
        "system",
        Some(sys.id.to_string()),
        json!({"department": sys.department_id, "name": sys.name}),
    )
    .await?;
    Ok(sys)
}

/// One department's systems, or every department's: any signed-in user (an applicant names its
/// department's systems, a provider reads which systems it grants to).
pub async fn list_systems(svc: &Services, department_id: Option<i64>) -> Result<Vec<System>> {
    Ok(svc.store.list_systems(department_id).await?)
}

pub async fn get_system(svc: &Services, id: i64) -> Result<System> {
    Ok(svc.store.get_system(id).await?)
}

/// Renames or redescribes a system, or retires it (`active: false`: its accounts stop working at
/// once, and grants naming it admit nobody) or reinstates it.
pub async fn update_system(
    svc: &Services,
    actor: &Actor,
    id: i64,
    name: String,
    description: Option<String>,
    active: bool,
) -> Result<System> {
    actor.authorize(Action::ManageDepartments, None)?;
    let before = svc.store.get_system(id).await?;
    let spec = SystemSpec { department_id: before.department_id, name, description }.validate()?;
    let sys = svc.store.update_system(id, &spec.name, spec.description.as_deref(), active, svc.clock.now()).await?;
    audit::record(
        svc,
        Some(actor),
        "system.update",
        "system",
        Some(id.to_string()),
        json!({"name_before": before.name, "name": sys.name, "active_before": before.active, "active": sys.active}),
    )
    .await?;
    Ok(sys)
}

/// What an admin states about a system account.
#[derive(Debug, Clone)]
pub struct SystemAccountInput {
    pub username: String,
    pub display_name: String,
    /// `data_consumer` and/or `data_provider` only.
    pub roles: Vec<Role>,
}

/// Creates an account bound to a system (of the system's department, token-only) and its first
/// token, whose secret is returned this once for the system's operators to configure. Every
/// call the system makes with it is the system's: grants naming the system admit it, and the
/// audit trail names the system.
pub async fn create_system_account(
    svc: &Services,
    actor: &Actor,
    system_id: i64,
    input: SystemAccountInput,
) -> Result<(User, IssuedToken)> {
    actor.authorize(Action::ManageUsers, None)?;
    let sys = svc.store.get_system(system_id).await?;
    if !sys.active {
        return Err(ServiceError::Conflict(format!("信息系统“{}”已停用，不能再为其创建账号", sys.name)));
    }
    let roles = check_roles(&input.roles)?;
    check_system_roles(&roles)?;
    let user = insert_user(
        svc,
        UserInput {
            username: input.username,
            display_name: input.display_name,
            department_id: sys.department_id,
            roles,
            password: None,
        },
        Some(sys.id),
    )
    .await?;
    let name: String = sys.name.chars().take(40).collect();
    let token = issue_token_unchecked(svc, user.id, &format!("{name}接入"), None).await?;
    audit::record(
        svc,
        Some(actor),
        "user.create",
        "user",
        Some(user.id.to_string()),
        json!({"username": user.username, "roles": user.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
               "for_system": {"id": sys.id, "name": sys.name}, "token_prefix": token.token.prefix}),
    )
    .await?;
    Ok((user, token))
}

pub async fn create_user(svc: &Services, actor: &Actor, input: UserInput) -> Result<User> {
    actor.authorize(Action::ManageUsers, None)?;
    let user = create_user_unchecked(svc, input).await?;
    audit::record(
        svc,
        Some(actor),
        "user.create",
        "user",
        Some(user.id.to_string()),
        json!({"username": user.username, "roles": user.roles.iter().map(|r| r.code()).collect::<Vec<_>>()}),
    )
    .await?;
    Ok(user)
}

pub async fn update_user(svc: &Services, actor: &Actor, id: i64, roles: Vec<Role>, active: bool) -> Result<User> {
    actor.authorize(Action::ManageUsers, None)?;
    let roles = check_roles(&roles)?;
    if id == actor.user_id && (!active || !roles.contains(&Role::Admin)) {
        return Err(ServiceError::Conflict("不能停用自己或取消自己的管理员角色，请由另一位管理员操作".into()));
    }
    let before = svc.store.get_user(id).await?;
    // A system's account only reads or provides data, whatever is asked later.
    if before.system_id.is_some() {
        check_system_roles(&roles)?;
    }
    let user = svc.store.update_user(id, &roles, active).await?;
    audit::record(
        svc,
        Some(actor),
        "user.update",
        "user",
        Some(id.to_string()),
        json!({
            "roles_before": before.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "roles": user.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "active": active,
        }),
    )
    .await?;
    Ok(user)
}

pub async fn get_user(svc: &Services, actor: &Actor, id: i64) -> Result<User> {
    if id != actor.user_id {
        actor.authorize(Action::ManageUsers, None)?;
    }
    Ok(svc.store.get_user(id).await?)
}

pub async fn list_users(
    svc: &Services,
    actor: &Actor,
    department_id: Option<i64>,
    page: PageRequest,
) -> Result<Page<User>> {
    actor.authorize(Action::ManageUsers, None)?;
    Ok(svc.store.list_users(department_id, page).await?)
}

/// A token and its secret, which is shown this once and never again.
pub struct IssuedToken {
    pub token: Token,
    pub secret: String,
}

/// Issues a token for `user_id` without a permission check (bootstrap, CLI, demo).
pub async fn issue_token_unchecked(
    svc: &Services,
    user_id: i64,
    name: &str,
    valid_days: Option<u32>,
) -> Result<IssuedToken> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(ServiceError::invalid("name", "required", "请为令牌命名（不超过50字），便于日后识别和吊销"));
    }
    if valid_days.is_some_and(|d| d == 0 || d > 3660) {
        return Err(ServiceError::invalid("valid_days", "invalid_value", "有效期应为1至3660天"));
    }
    let secret = auth::new_token_secret();
    let now = svc.clock.now();
    let token = svc
        .store
        .create_token(
            &NewToken {
                user_id,
                name: name.to_string(),
                prefix: secret[..10].to_string(),
                hash: auth::token_hash(&secret),
                expires_at: valid_days.map(|d| now + chrono::Duration::days(i64::from(d))),
            },
            now,
        )
        .await?;
    Ok(IssuedToken { token, secret })
}

/// A user creates a token for themself.
pub async fn create_token(svc: &Services, actor: &Actor, name: &str, valid_days: Option<u32>) -> Result<IssuedToken> {
    actor.authorize(Action::ManageOwnTokens, None)?;
    let issued = issue_token_unchecked(svc, actor.user_id, name, valid_days).await?;
    audit::record(
        svc,
        Some(actor),
        "token.create",
        "token",
        Some(issued.token.id.to_string()),
        json!({"name": issued.token.name, "prefix": issued.token.prefix}),
    )
    .await?;
    Ok(issued)
}

pub async fn list_tokens(svc: &Services, actor: &Actor) -> Result<Vec<Token>> {
    Ok(svc.store.list_tokens(actor.user_id).await?)
}

pub async fn revoke_token(svc: &Services, actor: &Actor, token_id: i64) -> Result<Token> {
    let t = svc.store.revoke_token(actor.user_id, token_id, svc.clock.now()).await?;
    audit::record(svc, Some(actor), "token.revoke", "token", Some(token_id.to_string()), json!({"prefix": t.prefix}))
        .await?;
    Ok(t)
}

/// The platform identity used by the first run.
#[derive(Debug, Clone)]
pub struct PlatformIdentity {
    pub name: String,
    pub level: PlatformLevel,
    pub region_code: String,
}

/// Credentials created by the first run, to be printed once.
pub struct Bootstrap {
    pub username: String,
    pub password: String,
    pub token: String,
}

/// First run: when the store has no user, creates the platform, its operating unit and an admin
/// whose password and token are returned (to be printed once). Returns None on later runs.
pub async fn bootstrap(svc: &Services, identity: &PlatformIdentity) -> Result<Option<Bootstrap>> {
    svc.store.seed_categories(&domain::catalog::category::guide_categories()).await?;
    if svc.store.count_users().await? > 0 {
        return Ok(None);
    }
    let spec = PlatformSpec {
        name: identity.name.clone(),
        level: identity.level,
        region_code: identity.region_code.clone(),
        parent_id: None,
    };
    spec.validate()?;
    let platform = match svc.store.list_platforms().await?.into_iter().next() {
        Some(p) => p,
        None => svc.store.create_platform(&spec, svc.clock.now()).await?,
    };
    let dept = match svc.store.find_department_by_code("PLATFORM-OPS").await? {
        Some(d) => d,
        None => {
            let d = DepartmentSpec {
                name: format!("{}运行管理单位", identity.name),
                credit_code: None,
                local_code: Some("PLATFORM-OPS".into()),
                parent_id: None,
                platform_id: platform.id,
            }
            .validate()?;
            svc.store.create_department(&d, svc.clock.now()).await?
        }
    };
    let password = auth::random_password();
    let user = create_user_unchecked(
        svc,
        UserInput {
            username: "admin".into(),
            display_name: "平台管理员".into(),
            department_id: dept.id,
            roles: vec![Role::Admin],
            password: Some(password.clone()),
        },
    )
    .await?;
    let token = issue_token_unchecked(svc, user.id, "首次启动", None).await?;
    audit::record(svc, None, "platform.bootstrap", "user", Some(user.id.to_string()), json!({"username": "admin"}))
        .await?;
    Ok(Some(Bootstrap { username: user.username, password, token: token.secret }))
}
