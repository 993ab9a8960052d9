//! A small world on a real SQLite store in a tempdir: the platform (from the first-run
//! bootstrap), two departments with valid GB 32100 credit codes, the guide's categories plus a
//! few 目 nodes, and one user per role. The clock is fixed, so every date is deterministic.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::account::{Actor, Role};
use domain::calendar::WorkCalendar;
use domain::catalog::{
    CategoryCode, DataItem, DataType, Format, FormatClass, Guide2017, OpenType, ResourceSpec, ShareMethod, ShareType,
    UpdateCycle,
};
use domain::org::{DepartmentSpec, PlatformLevel};
use service::accounts::{self, PlatformIdentity, UserInput};
use service::{FixedClock, ServiceError, Services, Settings};
use store::model::{AuditEvent, AuditFilter, Department, PageRequest, Resource, ResourceFilter, ResourceVersion, User};
use store::{SqliteStore, Store};

/// The 目 nodes the tests file entries under (the guide seeds only 类 and 项).
pub const CAT_A: &str = "307001";
pub const CAT_B: &str = "307002";
pub const CAT_BASE: &str = "101001";
pub const CAT_THEME: &str = "201001";

/// A moment given in China Standard Time (UTC+8), as a UTC instant.
pub fn cst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    cst.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The start of every world: 2026-03-02 17:30 UTC, which is already 2026-03-03 01:30 in Beijing,
/// so that "today" computed in UTC instead of CST would show.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 17, 30, 0).unwrap()
}

/// A valid 统一社会信用代码 for a 机关 (`11`) registered in 350100, with the 8-character
/// organisation body `body`: both check characters computed.
pub fn credit_code(body: &str) -> String {
    let org_check = domain::identifiers::org_code_check_char(body).expect("org body");
    let first17 = format!("11350100{body}{org_check}");
    let check = domain::identifiers::credit_code_check_char(&first17).expect("17 chars");
    let code = format!("{first17}{check}");
    domain::identifiers::check_credit_code(&code).unwrap_or_else(|e| panic!("{code}: {e}"));
    code
}

pub fn actor(u: &User) -> Actor {
    Actor {
        user_id: u.id,
        username: u.username.clone(),
        department_id: u.department_id,
        roles: u.roles.clone(),
        system: None,
    }
}

pub struct World {
    pub svc: Services,
    pub clock: Arc<FixedClock>,
    pub dir: tempfile::TempDir,
    pub admin: Actor,
    pub ops_id: i64,
    pub a: Department,
    pub b: Department,
    pub editor_a: Actor,
    pub approver_a: Actor,
    pub consumer_a: Actor,
    pub editor_b: Actor,
    pub approver_b: Actor,
    pub coordinator: Actor,
    pub auditor: Actor,
}

impl World {
    pub async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("govshare.db")).await.unwrap());
        let clock = Arc::new(FixedClock::at(start()));
        let svc = Services {
            calendar: Arc::new(WorkCalendar::builtin()),
            scheme: Arc::new(Guide2017::default()),
            clock: clock.clone(),
            settings: Settings::default(),
            ..Services::new(store)
        };
        let identity = PlatformIdentity {
            name: "示例市政务信息资源共享平台".into(),
            level: PlatformLevel::City,
            region_code: "350100".into(),
        };
        let boot = accounts::bootstrap(&svc, &identity).await.unwrap().expect("first run");
        assert!(accounts::bootstrap(&svc, &identity).await.unwrap().is_none(), "bootstrap runs once");
        let admin_user = svc.store.find_user_by_username(&boot.username).await.unwrap().unwrap();
        let admin = actor(&admin_user);
        let platform = svc.store.list_platforms().await.unwrap().remove(0);

        let dept = |name: &str, body: &str, local: &str| DepartmentSpec {
            name: name.into(),
            credit_code: Some(credit_code(body)),
            local_code: Some(local.into()),
            parent_id: None,
            platform_id: platform.id,
        };
        let a = accounts::create_department(&svc, &admin, dept("示例市公安局", "MB000010", "SLS-GAJ")).await.unwrap();
        let b = accounts::create_department(&svc, &admin, dept("示例市民政局", "MB000020", "SLS-MZJ")).await.unwrap();
        for (code, name) in [(CAT_A, "公安"), (CAT_B, "民政"), (CAT_BASE, "人口基本信息"), (CAT_THEME, "政务服务事项")]
        {
            service::catalog::create_category(&svc, &admin, code, name).await.unwrap();
        }

        let ops_id = admin.department_id;
        let user = |name: &str, dept: i64, role: Role| {
            let svc = svc.clone();
            let name = name.to_string();
            async move {
                let u = accounts::create_user_unchecked(
                    &svc,
                    UserInput {
                        username: name.clone(),
                        display_name: name,
                        department_id: dept,
                        roles: vec![role],
                        password: None,
                    },
                )
                .await
                .unwrap();
                actor(&u)
            }
        };
        let editor_a = user("gaj_editor", a.id, Role::CatalogEditor).await;
        let approver_a = user("gaj_approver", a.id, Role::Approver).await;
        let consumer_a = user("gaj_consumer", a.id, Role::DataConsumer).await;
        let editor_b = user("mzj_editor", b.id, Role::CatalogEditor).await;
        let approver_b = user("mzj_approver", b.id, Role::Approver).await;
        let coordinator = user("coordinator", ops_id, Role::Coordinator).await;
        let auditor = user("auditor", ops_id, Role::Auditor).await;
        World {
            svc,
            clock,
            dir,
            admin,
            ops_id,
            a,
            b,
            editor_a,
            approver_a,
            consumer_a,
            editor_b,
            approver_b,
            coordinator,
            auditor,
        }
    }

    /// Sets the fixed clock.
    pub fn at(&self, t: DateTime<Utc>) {
        self.clock.set(t);
    }

    /// Creates, submits and publishes an entry of the editor's department.
    pub async fn published(&self, editor: &Actor, approver: &Actor, spec: ResourceSpec) -> Resource {
        let r = service::catalog::create(&self.svc, editor, None, spec).await.unwrap();
        service::catalog::submit(&self.svc, editor, &r.code).await.unwrap();
        service::catalog::publish(&self.svc, approver, &r.code).await.unwrap()
    }

    pub async fn resource(&self, id: i64) -> Resource {
        self.svc.store.get_resource(id).await.unwrap()
    }

    pub async fn history(&self, id: i64) -> Vec<ResourceVersion> {
        self.svc.store.resource_history(id).await.unwrap()
    }

    /// Every entry in the store, straight from the store (no visibility rule).
    pub async fn all_resources(&self) -> Vec<Resource> {
        let page = self
            .svc
            .store
            .list_resources(&ResourceFilter::default(), PageRequest { after: None, limit: 500 })
            .await
            .unwrap();
        assert!(page.next.is_none(), "more than one page");
        page.items
    }

    /// The whole audit trail, straight from the store.
    pub async fn audit(&self) -> Vec<AuditEvent> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page =
                self.svc.store.list_audit(&AuditFilter::default(), PageRequest { after, limit: 500 }).await.unwrap();
            out.extend(page.items);
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        out
    }

    /// What a refused attempt must leave untouched: every entry (id, code, status, version),
    /// every version count, the users, the categories and the audit trail (less any record of
    /// refused authentication, which a later audit design may add).
    pub async fn snapshot(&self) -> Snapshot {
        let mut resources = Vec::new();
        for r in self.all_resources().await {
            let versions = self.history(r.id).await.len();
            resources.push((r.id, r.code.clone(), r.status, r.version, versions, r.spec.clone()));
        }
        let audit = self
            .audit()
            .await
            .into_iter()
            .filter(|e| !e.action.starts_with("auth."))
            .map(|e| (e.id, e.action))
            .collect();
        Snapshot {
            resources,
            users: self.svc.store.count_users().await.unwrap(),
            categories: self.svc.store.list_categories().await.unwrap().len(),
            audit,
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub resources: Vec<(i64, String, domain::catalog::ResourceStatus, i64, usize, ResourceSpec)>,
    pub users: i64,
    pub categories: usize,
    pub audit: Vec<(i64, String)>,
}

/// A complete, valid entry: a database with two character items.
pub fn spec(name: &str, category: &str) -> ResourceSpec {
    let mut key = DataItem::new("统一社会信用代码", DataType::C, Some(18));
    key.is_key = true;
    ResourceSpec {
        category: CategoryCode::parse(category).unwrap(),
        name: name.into(),
        provider_name: String::new(),
        provider_code: String::new(),
        provider_division: Some("科技信息化处".into()),
        summary: format!("{name}的摘要"),
        format: Format { class: FormatClass::Database, subtype: Some("oracle".into()), other_desc: None },
        data_items: vec![DataItem::new("名称", DataType::C, Some(100)), key],
        share_type: ShareType::Unconditional,
        share_condition: None,
        share_basis: None,
        share_methods: vec![ShareMethod::Api],
        open_type: OpenType::NotOpen,
        open_condition: None,
        update_cycle: UpdateCycle::Daily,
        publish_date: None,
        related_codes: vec![],
        classified: false,
        tags: vec!["测试".into()],
        collection_decisions: Vec::new(),
    }
}

/// The field paths of a validation error (panics on any other error).
pub fn fields(e: &ServiceError) -> Vec<String> {
    match e {
        ServiceError::Invalid(errs) => errs.0.iter().map(|f| f.field.clone()).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The error of a result whose Ok type need not be Debug.
#[track_caller]
pub fn err<T>(r: Result<T, ServiceError>) -> ServiceError {
    expect_err(r, "")
}

#[track_caller]
fn expect_err<T>(r: Result<T, ServiceError>, what: &str) -> ServiceError {
    match r {
        Ok(_) => panic!("{what}: expected an error, got Ok"),
        Err(e) => e,
    }
}

#[track_caller]
pub fn assert_forbidden_or_not_found<T>(r: Result<T, ServiceError>, what: &str) {
    match expect_err(r, what) {
        ServiceError::Forbidden(_) | ServiceError::NotFound(_) => {}
        other => panic!("{what}: expected Forbidden or NotFound, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_forbidden<T>(r: Result<T, ServiceError>, what: &str) {
    match expect_err(r, what) {
        ServiceError::Forbidden(_) => {}
        other => panic!("{what}: expected Forbidden, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_not_found<T>(r: Result<T, ServiceError>, what: &str) {
    match expect_err(r, what) {
        ServiceError::NotFound(_) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}
