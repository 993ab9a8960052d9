//! Seeds the demo city through the service layer: the platform and its admin, the departments,
//! the category nodes, one editor and one approver per department, featured accounts for every
//! role, the register of data elements (一数一源), more than two hundred catalogue entries
//! (drafted, submitted and published by those users, with their collection decisions), one open
//! catalogue-currency window, and synthetic data (`super::synth`) published by a
//! data provider of each department behind every published database and spreadsheet resource,
//! and then share applications and grants in every state (`super::sharing`).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use data::input::{InputFormat, InputOptions};
use data::publish::PublishMode;
use domain::account::{Actor, Role};
use domain::catalog::{FormatClass, ResourceCode};
use domain::currency::ChangeKind;
use domain::org::{DepartmentSpec, PlatformLevel};
use service::Services;
use service::accounts::{self, PlatformIdentity, UserInput};

use super::city::{self, DemoStatus};
use super::{DemoAccount, synth};

/// The web-console password of every demo account (demo only).
pub const DEMO_PASSWORD: &str = "Demo-2026-Shili";

pub(super) fn actor(u: &store::model::User) -> Actor {
    Actor {
        user_id: u.id,
        username: u.username.clone(),
        department_id: u.department_id,
        roles: u.roles.clone(),
        system: None,
    }
}

struct People {
    editors: HashMap<&'static str, Actor>,
    approvers: HashMap<&'static str, Actor>,
}

pub async fn seed(svc: &Services, dir: &Path) -> anyhow::Result<Vec<DemoAccount>> {
    let identity = PlatformIdentity {
        name: "示例市政务信息资源共享平台".into(),
        level: PlatformLevel::City,
        region_code: city::REGION_CODE.into(),
    };
    let boot = accounts::bootstrap(svc, &identity).await?.context("示例数据目录应为空")?;
    let admin_user = svc.store.find_user_by_username(&boot.username).await?.context("admin missing")?;
    let admin = actor(&admin_user);
    let platform = svc.store.list_platforms().await?.into_iter().next().context("platform missing")?;
    let mut accounts = vec![DemoAccount {
        role: Role::Admin.code().into(),
        department: svc.store.get_department(admin.department_id).await?.spec.name,
        username: boot.username.clone(),
        token: boot.token.clone(),
        featured: true,
    }];
    svc.store.set_password(admin_user.id, &service::auth::hash_password(DEMO_PASSWORD)?).await?;

    // Departments and their category nodes.
    let mut dept_ids: HashMap<&'static str, (i64, String)> = HashMap::new();
    for d in city::departments() {
        let spec = DepartmentSpec {
            name: d.name.clone(),
            credit_code: Some(d.credit_code.clone()),
            local_code: Some(d.local_code.clone()),
            parent_id: None,
            platform_id: platform.id,
        };
        let created =
            accounts::create_department(svc, &admin, spec).await.with_context(|| format!("部门 {}", d.name))?;
        dept_ids.insert(d.key, (created.id, d.name.clone()));
    }
    for c in city::categories() {
        service::catalog::create_category(svc, &admin, c.code, &c.name)
            .await
            .with_context(|| format!("分类 {}", c.code))?;
    }

    // One editor and one approver per department; featured accounts for every role.
    let hash = service::auth::hash_password(DEMO_PASSWORD)?;
    let mut people = People { editors: HashMap::new(), approvers: HashMap::new() };
    let featured = [("gaj", "editor"), ("gaj", "approver"), ("mzj", "editor"), ("scjgj", "approver")];
    for d in city::departments() {
        let (dept_id, dept_name) = dept_ids[d.key].clone();
        for (suffix, role, display) in
            [("editor", Role::CatalogEditor, "目录编目员"), ("approver", Role::Approver, "部门审核员")]
        {
            let user = new_user(
                svc,
                &format!("{}_{suffix}", d.key),
                &format!("{}{display}", short(&dept_name)),
                dept_id,
                vec![role],
                &hash,
            )
            .await?;
            let token = accounts::issue_token_unchecked(svc, user.id, "示例令牌", None).await?;
            accounts.push(DemoAccount {
                role: role.code().into(),
                department: dept_name.clone(),
                username: user.username.clone(),
                token: token.secret,
                featured: featured.contains(&(d.key, suffix)),
            });
            match role {
                Role::CatalogEditor => people.editors.insert(d.key, actor(&user)),
                _ => people.approvers.insert(d.key, actor(&user)),
            };
        }
    }
    let extra = [
        ("coordinator", "共享协调员", "zwsj", Role::Coordinator),
        ("auditor", "审计员", "zwsj", Role::Auditor),
        ("gaj_provider", "公安局数据提供员", "gaj", Role::DataProvider),
        ("mzj_consumer", "民政局数据使用员", "mzj", Role::DataConsumer),
        ("rsj_consumer", "人社局数据使用员", "rsj", Role::DataConsumer),
    ];
    let mut coordinator = None;
    for (username, display, key, role) in extra {
        let (dept_id, dept_name) = dept_ids[key].clone();
        let user = new_user(svc, username, display, dept_id, vec![role], &hash).await?;
        if role == Role::Coordinator {
            coordinator = Some(actor(&user));
        }
        let token = accounts::issue_token_unchecked(svc, user.id, "示例令牌", None).await?;
        accounts.push(DemoAccount {
            role: role.code().into(),
            department: dept_name,
            username: user.username,
            token: token.secret,
            featured: true,
        });
    }

    // The register of data elements (信息采集责任公开目录, 一数一源), compiled before the catalogue.
    let coordinator = coordinator.context("coordinator missing")?;
    super::elements::register(svc, &coordinator, &dept_ids, false).await?;

    // The catalogue, authored by each department's editor and published by its approver; an
    // entry that holds another department's data elements records its decisions before it is
    // submitted (drafts have not got that far).
    let resources = city::resources();
    let mut codes: Vec<Option<ResourceCode>> = Vec::with_capacity(resources.len());
    for (i, r) in resources.iter().enumerate() {
        let editor = people.editors.get(r.department).with_context(|| format!("no editor for {}", r.department))?;
        let approver = &people.approvers[r.department];
        let mut spec = r.spec.clone();
        spec.related_codes = r.related.iter().filter_map(|j| codes.get(*j).cloned().flatten()).collect();
        if r.status != DemoStatus::Draft {
            spec = super::elements::with_decisions(svc, editor, spec).await?;
        }
        let created = service::catalog::create(svc, editor, None, spec)
            .await
            .with_context(|| format!("目录 {i} {}", r.spec.name))?;
        let key = created.id.to_string();
        match r.status {
            DemoStatus::Draft => {}
            DemoStatus::Submitted => {
                service::catalog::submit(svc, editor, &key).await?;
            }
            DemoStatus::Published => {
                service::catalog::submit(svc, editor, &key).await?;
                service::catalog::publish(svc, approver, &key).await?;
            }
        }
        codes.push(ResourceCode::parse(&created.code).ok());
    }

    // Two elements registered after the catalogue: the entries already holding them are the
    // undecided duplicates of the coordinator's report (GET /api/v1/reports/duplicates).
    super::elements::register(svc, &coordinator, &dept_ids, true).await?;

    // A law revision recorded by 人社局: a 15-working-day window over three of its entries, one
    // of which has been revised since.
    let rsj = &people.editors["rsj"];
    let published =
        svc.store.department_resource_ids(rsj.department_id, Some(domain::catalog::ResourceStatus::Published)).await?;
    if published.len() >= 3 {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 10).context("date")?;
        let input = service::currency::ChangeInput {
            department_id: None,
            kind: ChangeKind::LawRevision,
            description: "《社会保险经办条例》施行，参保登记和待遇核定相关目录需按新条款更新".into(),
            effective_date: date,
            resource_ids: published[..3].to_vec(),
        };
        if let Err(e) = service::currency::record_change(svc, rsj, input).await {
            // Past the calendar's last known year the window cannot be computed: say so, go on.
            eprintln!("提示：未能登记示例目录更新时限：{e}");
        } else {
            let r = svc.store.get_resource(published[0]).await?;
            let mut spec = r.spec.clone();
            spec.summary = format!("{}（已按《社会保险经办条例》更新）", spec.summary);
            service::catalog::update(svc, rsj, &r.id.to_string(), Some(r.version), spec).await?;
        }
    }

    // Synthetic data behind every published database and spreadsheet resource.
    seed_datasets(svc, dir, &resources, &codes, &dept_ids, &hash, &mut accounts).await?;

    // Share applications in every state and grants of every kind, on resources that now have data.
    let by_name: super::sharing::Codes = resources
        .iter()
        .zip(&codes)
        .filter_map(|(r, c)| Some(((r.department, r.spec.name.as_str()), c.as_ref()?.as_str().to_string())))
        .collect();
    super::sharing::seed(svc, &people.approvers, &by_name, &dept_ids, &hash, &mut accounts).await?;

    // 政府数据开放: reviewed and opened 无条件开放 data (one of 公安局's left for the console).
    super::open::seed(svc, &people.approvers).await?;

    // 应用汇聚: apps on the opened data (one waiting for review) and a 有条件开放 application.
    super::apps::seed(svc, &coordinator).await?;
    Ok(accounts)
}

/// Publishes synthetic data (`super::synth`) for every published database or spreadsheet
/// resource, as a `{key}_provider` data provider of its department (created here, except the
/// featured `gaj_provider`), through the same publish use case as an upload.
async fn seed_datasets(
    svc: &Services,
    dir: &Path,
    resources: &[city::DemoResource],
    codes: &[Option<ResourceCode>],
    dept_ids: &HashMap<&'static str, (i64, String)>,
    hash: &str,
    accounts: &mut Vec<DemoAccount>,
) -> anyhow::Result<()> {
    let with_data: Vec<usize> = (0..resources.len())
        .filter(|&i| {
            resources[i].status == DemoStatus::Published
                && matches!(resources[i].spec.format.class, FormatClass::Database | FormatClass::Spreadsheet)
        })
        .collect();
    let mut providers: HashMap<&'static str, Actor> = HashMap::new();
    for &i in &with_data {
        let key = resources[i].department;
        if providers.contains_key(key) {
            continue;
        }
        let username = format!("{key}_provider");
        let user = match svc.store.find_user_by_username(&username).await? {
            Some(user) => user,
            None => {
                let (dept_id, dept_name) = dept_ids[key].clone();
                let display = format!("{}数据提供员", short(&dept_name));
                let user = new_user(svc, &username, &display, dept_id, vec![Role::DataProvider], hash).await?;
                let token = accounts::issue_token_unchecked(svc, user.id, "示例令牌", None).await?;
                accounts.push(DemoAccount {
                    role: Role::DataProvider.code().into(),
                    department: dept_name,
                    username: user.username.clone(),
                    token: token.secret,
                    featured: false,
                });
                user
            }
        };
        providers.insert(key, actor(&user));
    }
    for &i in &with_data {
        let r = &resources[i];
        let code = codes[i].as_ref().with_context(|| format!("目录 {i} 没有编码"))?;
        let wanted = dataset_rows(r);
        let rows = wanted.min(synth::resource_capacity(&r.spec, wanted));
        let path = dir.join(format!(".synth-{i}.csv"));
        let file = std::fs::File::create(&path).with_context(|| format!("无法写入 {}", path.display()))?;
        synth::write_resource_csv(&r.spec, rows, 2026_0000 + i as u64, file)
            .with_context(|| format!("生成示例数据“{}”", r.spec.name))?;
        let upload = service::datasets::Upload {
            path: path.clone(),
            options: InputOptions::new(InputFormat::Csv),
            mode: PublishMode::Replace,
            accept_valid: false,
        };
        let outcome = service::datasets::publish(svc, &providers[r.department], code.as_str(), upload).await;
        let _ = std::fs::remove_file(&path);
        let outcome = outcome.with_context(|| format!("发布示例数据“{}”", r.spec.name))?;
        if let Some(reason) = outcome.refused {
            let first: Vec<String> = outcome.report.first.iter().take(3).map(|r| format!("{r:?}")).collect();
            bail!("示例数据“{}”未能发布：{reason}；{}", r.spec.name, first.join("；"));
        }
    }
    Ok(())
}

/// How many rows a resource's synthetic data has: the population registers are the largest,
/// departments' own registries the smallest.
fn dataset_rows(r: &city::DemoResource) -> u64 {
    match r.spec.category.as_str().as_bytes() {
        [b'1', b'0', b'1', ..] => 2_000,
        [b'1', ..] => 800,
        [b'2', ..] => 400,
        _ => 200,
    }
}

pub(super) async fn new_user(
    svc: &Services,
    username: &str,
    display: &str,
    dept: i64,
    roles: Vec<Role>,
    hash: &str,
) -> anyhow::Result<store::model::User> {
    let user = accounts::create_user_unchecked(
        svc,
        UserInput {
            username: username.into(),
            display_name: display.into(),
            department_id: dept,
            roles,
            password: None,
        },
    )
    .await
    .with_context(|| format!("用户 {username}"))?;
    svc.store.set_password(user.id, hash).await?;
    Ok(user)
}

/// 示例市公安局 → 公安局.
pub(super) fn short(name: &str) -> String {
    name.trim_start_matches("国家税务总局").trim_start_matches(city::CITY_NAME).to_string()
}
