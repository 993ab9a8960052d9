//! Sharing in the demo city (issue 4): applications in every state and grants of every kind, so
//! that the flows of 国发〔2016〕51号 第十二条、第十四条 can be seen on a fresh demo.
//!
//! Everything goes through `service::sharing`, as the departments' own users: data consumers
//! apply, the providers' approvers review, answer, suspend and revoke, the consumers withdraw,
//! dispute and escalate, the coordinator rules, and the platform's sweep escalates what is overdue
//! and records what has expired. The content is fixed (same applications, same terms, same texts
//! on every run); only the dates follow today's. The applications, in the order they are filed
//! (their ids in a fresh demo):
//!
//! | 申请 | 使用部门 ← 提供部门 | 资源 | 结果 |
//! |---|---|---|---|
//! | 1 | 民政局 ← 住房公积金管理中心 | 住房公积金缴存信息 | 半年多前同意；授权已到期 |
//! | 2 | 医保局 ← 民政局 | 特困人员供养信息 | 逾期未答复，平台自动提请协调 |
//! | 3 | 民政局 ← 公安局 | 全员人口基础信息 | 同意；完整授权（接口），安全保密协议，效果反馈 |
//! | 4 | 人社局 ← 民政局 | 低收入人口动态监测信息 | 部分同意：少两项、限市辖区、身份证号和姓名脱敏、半年、每日2000行 |
//! | 5 | 住建局 ← 民政局 | 特困人员供养信息 | 同意；仅核验 |
//! | 6 | 统计局 ← 税务局 | 增值税发票开具汇总信息 | 同意；批量下载，效果反馈 |
//! | 7 | 医保局 ← 卫健委 | 死亡医学证明信息 | 同意；库表交换（变更数据），共享协议，效果反馈 |
//! | 8 | 退役军人事务局 ← 卫健委 | 死亡医学证明信息 | 同意；授权已暂停 |
//! | 9 | 住建局 ← 不动产登记中心 | 不动产登记簿信息 | 同意；授权已撤销（超用途使用） |
//! | 10 | 住建局 ← 住房公积金管理中心 | 住房公积金缴存信息 | 已提交 |
//! | 11 | 税务局 ← 不动产登记中心 | 不动产登记簿信息 | 审核中 |
//! | 12 | 教育局 ← 医保局 | 基本医疗保险参保信息 | 不予共享（附理由） |
//! | 13 | 人社局 ← 医保局 | 基本医疗保险参保信息 | 已撤回 |
//! | 14 | 民政局 ← 公安局 | 机动车登记信息 | 不予共享后提出异议，协商中 |
//! | 15 | 卫健委 ← 公安局 | 旅馆业住宿登记信息（不予共享类） | 直接进入协商 |
//! | 16 | 人社局 ← 住房公积金管理中心 | 住房公积金缴存信息 | 协商未果，使用部门提请协调 |
//! | 17 | 民政局 ← 不动产登记中心 | 不动产登记簿信息 | 协调裁决共享（在线查询、脱敏、限量） |
//! | 18 | 文旅局 ← 公安局 | 旅馆业住宿登记信息（不予共享类） | 协调裁决不予共享 |
//! | — | 民政局“社会救助管理系统” ← 公安局 | 全员人口基础信息 | 无申请，提供部门主动授权；仅限该信息系统调用，仅核验 |
//!
//! The last grant names an information system of 民政局 (registered by the admin, with a system
//! account `mzj_relief_system` in `demo-accounts.json`): only calls with that account's token
//! use it, and the audit trail names the system.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::{NaiveDate, TimeDelta};
use domain::account::{Actor, Role};
use domain::catalog::ShareMethod::{self, *};
use domain::filter::{Filter, Op};
use domain::masking::MaskRule;
use domain::purpose::{Purpose, PurposeKind};
use domain::sharing::{
    ApplicationStatus, ApplicationTerms, Contact, Decision, FieldMask, GrantAction, GrantStatus, GrantTerms, Period,
    Ruling, reply_deadline,
};
use service::sharing::{self, Act, AgreementUpload};
use service::{FixedClock, Services, accounts};
use store::model::{Application, ApplicationFilter, Grant, GrantFilter, PageRequest};

use super::DemoAccount;
use super::seed::{actor, new_user, short};

/// The data consumers (数据使用员) the applications are filed by, as `{key}_consumer`; those that
/// `seed` already created (民政局, 人社局) are reused.
const CONSUMERS: [&str; 10] = ["mzj", "rsj", "ybj", "zjj", "tjj", "tyjrj", "swj", "jyj", "wjw", "wlj"];

/// Where a resource is looked up: its department's key and its name → its code.
pub(super) type Codes<'a> = HashMap<(&'static str, &'a str), String>;

/// An application as a consumer writes it; the period starts on the day it is filed.
struct Ask {
    consumer: &'static str,
    provider: &'static str,
    resource: &'static str,
    kind: PurposeKind,
    purpose: &'static str,
    basis: &'static str,
    fields: &'static [&'static str],
    methods: &'static [ShareMethod],
    days: i64,
    contact: (&'static str, &'static str),
}

impl Ask {
    fn terms(&self, today: NaiveDate) -> anyhow::Result<ApplicationTerms> {
        Ok(ApplicationTerms {
            purpose: Purpose::new(self.kind, self.purpose)
                .map_err(|e| anyhow::anyhow!("{}：{}", self.purpose, e.message))?,
            basis: self.basis.into(),
            fields: strings(self.fields),
            rows: Vec::new(),
            period: Period { from: today, until: today + TimeDelta::days(self.days) },
            methods: self.methods.to_vec(),
            contact: Contact { name: self.contact.0.into(), phone: self.contact.1.into() },
            system_ids: Vec::new(),
        })
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// 市辖区 of 示例市 (the county-level ones are left to the counties' own platforms).
const URBAN_DISTRICTS: [&str; 6] = ["350102", "350103", "350104", "350105", "350111", "350112"];

struct Seeder<'a> {
    svc: &'a Services,
    codes: &'a Codes<'a>,
    approvers: &'a HashMap<&'static str, Actor>,
    consumers: HashMap<&'static str, Actor>,
    coordinator: Actor,
    /// 民政局's 社会救助管理系统, which the provider's own grant names.
    relief_system: i64,
    /// Department key → full name, for the agreements' text.
    names: HashMap<&'static str, String>,
}

/// Files the applications of the table above and takes each to its state; then runs the
/// platform's sweep. Creates the consumers it needs and adds them to `accounts`.
pub(super) async fn seed(
    svc: &Services,
    approvers: &HashMap<&'static str, Actor>,
    codes: &Codes<'_>,
    dept_ids: &HashMap<&'static str, (i64, String)>,
    hash: &str,
    accounts: &mut Vec<DemoAccount>,
) -> anyhow::Result<()> {
    let mut consumers = HashMap::new();
    for key in CONSUMERS {
        let username = format!("{key}_consumer");
        let user = match svc.store.find_user_by_username(&username).await? {
            Some(u) => u,
            None => {
                let (dept_id, dept_name) = dept_ids[key].clone();
                let display = format!("{}数据使用员", short(&dept_name));
                let user = new_user(svc, &username, &display, dept_id, vec![Role::DataConsumer], hash).await?;
                let token = accounts::issue_token_unchecked(svc, user.id, "示例令牌", None).await?;
                accounts.push(DemoAccount {
                    role: Role::DataConsumer.code().into(),
                    department: dept_name,
                    username: user.username.clone(),
                    token: token.secret,
                    featured: false,
                });
                user
            }
        };
        consumers.insert(key, actor(&user));
    }
    let coordinator = svc.store.find_user_by_username("coordinator").await?.context("coordinator missing")?;
    // 民政局's business system that calls the platform itself, with its own account (第十一条).
    let admin = svc.store.find_user_by_username("admin").await?.context("admin missing")?;
    let (mzj_id, mzj_name) = dept_ids["mzj"].clone();
    let spec = domain::org::SystemSpec {
        department_id: mzj_id,
        name: "社会救助管理系统".into(),
        description: Some("最低生活保障、特困人员供养等救助申请的受理、审核和资金发放".into()),
    };
    let relief = accounts::create_system(svc, &actor(&admin), spec).await?;
    let input = accounts::SystemAccountInput {
        username: "mzj_relief_system".into(),
        display_name: "民政局社会救助管理系统".into(),
        roles: vec![Role::DataConsumer],
    };
    let (system_user, token) = accounts::create_system_account(svc, &actor(&admin), relief.id, input).await?;
    accounts.push(DemoAccount {
        role: Role::DataConsumer.code().into(),
        department: mzj_name,
        username: system_user.username,
        token: token.secret,
        featured: false,
    });
    let s = Seeder {
        svc,
        codes,
        approvers,
        consumers,
        coordinator: actor(&coordinator),
        relief_system: relief.id,
        names: dept_ids.iter().map(|(k, (_, n))| (*k, n.clone())).collect(),
    };
    s.run().await
}

impl Seeder<'_> {
    fn code(&self, ask: &Ask) -> anyhow::Result<&str> {
        self.codes
            .get(&(ask.provider, ask.resource))
            .map(String::as_str)
            .with_context(|| format!("示例目录中没有{}的“{}”", ask.provider, ask.resource))
    }

    async fn apply(&self, svc: &Services, ask: &Ask) -> anyhow::Result<Application> {
        let terms = ask.terms(svc.clock.today())?;
        let app = sharing::apply(svc, &self.consumers[ask.consumer], self.code(ask)?, terms)
            .await
            .with_context(|| format!("共享申请“{}”", ask.resource))?;
        Ok(app)
    }

    /// One step on an application, as `who`, at the revision it is at.
    async fn act(
        &self,
        svc: &Services,
        who: &Actor,
        app: &Application,
        act: Act,
    ) -> anyhow::Result<(Application, Option<Grant>)> {
        sharing::act(svc, who, app.id, app.revision, act).await.with_context(|| format!("共享申请{}", app.id))
    }

    /// Filed, reviewed and approved as asked: the grant.
    async fn approve(&self, ask: &Ask, comment: &str) -> anyhow::Result<Grant> {
        let app = self.apply(self.svc, ask).await?;
        let who = &self.approvers[ask.provider];
        let (app, _) = self.act(self.svc, who, &app, Act::Review).await?;
        let decision = Decision::Approve { comment: Some(comment.into()) };
        let (_, grant) = self.act(self.svc, who, &app, Act::Decide(decision)).await?;
        grant.context("同意应产生授权")
    }

    /// Filed, reviewed and refused with `reason`.
    async fn refuse(&self, ask: &Ask, reason: &str) -> anyhow::Result<Application> {
        let app = self.apply(self.svc, ask).await?;
        let who = &self.approvers[ask.provider];
        let (app, _) = self.act(self.svc, who, &app, Act::Review).await?;
        let (app, _) = self.act(self.svc, who, &app, Act::Decide(Decision::Refuse { reason: reason.into() })).await?;
        Ok(app)
    }

    async fn dispute(&self, ask: &Ask, app: &Application, reason: &str) -> anyhow::Result<Application> {
        let act = Act::Dispute { reason: reason.into() };
        Ok(self.act(self.svc, &self.consumers[ask.consumer], app, act).await?.0)
    }

    async fn escalate(&self, ask: &Ask, app: &Application, reason: &str) -> anyhow::Result<Application> {
        let act = Act::Escalate { reason: reason.into() };
        Ok(self.act(self.svc, &self.consumers[ask.consumer], app, act).await?.0)
    }

    async fn run(&self) -> anyhow::Result<()> {
        let svc = self.svc;
        // Two applications need a past: one approved long ago whose grant has run out, and one
        // the provider never answered. The demo runs on the system clock; rather than move the
        // whole seeding back, these two are filed (and the first approved) through a clone of the
        // services whose clock is a `FixedClock` set back. The clone shares the store, calendar and
        // audit ledger, so the use cases, the reply deadline and the audit trail are the real ones,
        // only dated earlier (earlier, too, than the entries' publication, which is today). The
        // expiry and the escalation are left to the platform: `sharing::sweep` on the real clock,
        // at the end, records them exactly as the watch of `govshare serve` would.
        let now = svc.clock.now();
        let today = svc.clock.today();
        let past_clock = Arc::new(FixedClock::at(now - TimeDelta::days(200)));
        let mut past = svc.clone();
        past.clock = past_clock.clone();

        // 1: approved some 200 days ago for 150 days: the grant ended about 50 days ago.
        let ask1 = Ask {
            consumer: "mzj",
            provider: "gjj",
            resource: "住房公积金缴存信息",
            kind: PurposeKind::DataVerification,
            purpose: "最低生活保障对象年度复核中核对共同生活家庭成员的住房公积金缴存情况",
            basis: "《社会救助暂行办法》关于最低生活保障家庭经济状况核对和定期复核的规定",
            fields: &["公民身份号码", "姓名", "缴存基数", "月缴存额", "账户状态"],
            methods: &[Api],
            days: 150,
            contact: ("林晓燕", "0591-87110231"),
        };
        let app = self.apply(&past, &ask1).await?;
        past_clock.set(now - TimeDelta::days(199));
        let who = &self.approvers["gjj"];
        let (app, _) = self.act(&past, who, &app, Act::Review).await?;
        let decision = Decision::Approve {
            comment: Some("同意在本年度低保复核期间使用，复核结束后授权到期".into())
        };
        let g1 = self.act(&past, who, &app, Act::Decide(decision)).await?.1.context("同意应产生授权")?;

        // 2: received three weeks or more ago, so that its ten-working-day reply deadline (第十二条)
        // has passed by a few days whatever the holidays; nobody answers it.
        let mut received = today - TimeDelta::days(21);
        while reply_deadline(&svc.calendar, received, svc.settings.reply_days)?.date >= today - TimeDelta::days(3) {
            received -= TimeDelta::days(1);
        }
        past_clock.set(now - TimeDelta::days((today - received).num_days()));
        let ask2 = Ask {
            consumer: "ybj",
            provider: "mzj",
            resource: "特困人员供养信息",
            kind: PurposeKind::DataVerification,
            purpose: "特困人员医疗救助待遇资格认定中核验救助对象的特困供养身份",
            basis: "《社会救助暂行办法》关于医疗救助的规定；《医疗保障基金使用监督管理条例》",
            fields: &["公民身份号码", "姓名", "供养方式", "认定日期"],
            methods: &[Verification],
            days: 365,
            contact: ("刘建华", "0591-87270945"),
        };
        let overdue = self.apply(&past, &ask2).await?;

        // 3: full approval, an agreement and feedback.
        let ask3 = Ask {
            consumer: "mzj",
            provider: "gaj",
            resource: "全员人口基础信息",
            kind: PurposeKind::DataVerification,
            purpose: "最低生活保障、特困人员救助供养申请审核中核对申请人及共同生活家庭成员的户籍和身份信息",
            basis: "《社会救助暂行办法》关于最低生活保障、特困人员供养审核确认的规定；《最低生活保障审核确认办法》",
            fields: &["公民身份号码", "姓名", "性别", "出生日期", "户籍地址", "婚姻状况", "死亡标识"],
            methods: &[Api],
            days: 365,
            contact: ("林晓燕", "0591-87110231"),
        };
        let g3 = self.approve(&ask3, "同意按申请范围共享，请严格按声明用途使用，不得向第三方提供").await?;
        self.agreement(&ask3, &g3, "confidentiality").await?;
        sharing::give_feedback(
            svc,
            &self.consumers["mzj"],
            g3.id,
            5,
            "低保和特困供养申请的户籍、身份核对由人工调档改为系统比对，审核时间由平均15个工作日缩短至5个工作日，并及时发现多起申请人家庭成员已死亡仍在册的情况。",
        )
        .await?;

        // 4: partial approval: fewer items, only the urban districts, masked identities, half a
        // year instead of two, at most 2000 rows a day, by interface only.
        let ask4 = Ask {
            consumer: "rsj",
            provider: "mzj",
            resource: "低收入人口动态监测信息",
            kind: PurposeKind::WorkReference,
            purpose: "分析低收入人口的就业状况和帮扶需求，制定年度就业帮扶计划",
            basis: "《社会救助暂行办法》关于就业救助的规定；《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》",
            fields: &[
                "公民身份号码",
                "姓名",
                "人口类别",
                "风险预警类型",
                "预警日期",
                "帮扶措施",
                "帮扶部门名称",
                "居住地行政区划代码",
            ],
            methods: &[Api, Exchange],
            days: 730,
            contact: ("陈立新", "0591-87520416"),
        };
        let app = self.apply(svc, &ask4).await?;
        let partial = GrantTerms {
            fields: strings(&["公民身份号码", "姓名", "人口类别", "风险预警类型", "预警日期", "居住地行政区划代码"]),
            rows: vec![Filter::new("居住地行政区划代码", Op::In, serde_json::json!(URBAN_DISTRICTS))],
            masks: vec![
                FieldMask { field: "公民身份号码".into(), rule: MaskRule::CitizenId },
                FieldMask { field: "姓名".into(), rule: MaskRule::Name },
            ],
            methods: vec![Api],
            period: Period { from: today, until: today + TimeDelta::days(182) },
            daily_row_quota: Some(2000),
            ..GrantTerms::from_application(&app.terms)
        };
        let reason = "工作参考用途无需识别到个人，公民身份号码和姓名脱敏后提供；帮扶措施和帮扶部门属其他部门的工作信息，不予提供；\
                      县域对象由各县民政部门按属地提供，本次仅提供市辖区数据；先以接口方式授权半年、每日不超过2000行，期满后视使用效果重新申请";
        let (_, g4) = self
            .act(
                svc,
                &self.approvers["mzj"],
                &app,
                Act::Decide(Decision::ApprovePartially { terms: partial, reason: reason.into() }),
            )
            .await?;
        let g4 = g4.context("部分同意应产生授权")?;
        self.agreement(&ask4, &g4, "confidentiality").await?;

        // 5: verification only.
        let ask5 = Ask {
            consumer: "zjj",
            provider: "mzj",
            resource: "特困人员供养信息",
            kind: PurposeKind::DataVerification,
            purpose: "公共租赁住房实物配租中核验申请人的特困供养人员身份，落实优先配租",
            basis: "《公共租赁住房管理办法》；《社会救助暂行办法》关于住房救助的规定",
            fields: &["公民身份号码", "姓名", "供养方式", "认定日期"],
            methods: &[Verification],
            days: 365,
            contact: ("黄志强", "0591-87330568"),
        };
        self.approve(&ask5, "同意以核验方式共享，只返回核验结果，不返回明细").await?;

        // 6: bulk download.
        let ask6 = Ask {
            consumer: "tjj",
            provider: "swj",
            resource: "增值税发票开具汇总信息",
            kind: PurposeKind::WorkReference,
            purpose: "按月开展全市经济运行监测分析，测算分行业、分区域的销售增长情况",
            basis: "《中华人民共和国统计法》；市政府经济运行监测分析工作安排",
            fields: &["所属期", "行业代码", "所在行政区划代码", "开票户数", "开票金额", "税额"],
            methods: &[BulkDownload],
            days: 365,
            contact: ("郑丽萍", "0591-87060712"),
        };
        let g6 = self.approve(&ask6, "同意按月批量下载汇总数据").await?;
        sharing::give_feedback(
            svc,
            &self.consumers["tjj"],
            g6.id,
            4,
            "开票汇总数据比企业月报早10天左右可用，月度经济运行分析的时效明显提高；建议增加分行业的增值税专用发票口径。",
        )
        .await?;

        // 7: exchange (the changes feed of each new version).
        let ask7 = Ask {
            consumer: "ybj",
            provider: "wjw",
            resource: "死亡医学证明信息",
            kind: PurposeKind::DataVerification,
            purpose: "比对参保人员死亡信息，及时停止已故参保人员的医保待遇，防范冒用医保凭证骗取医保基金",
            basis: "《医疗保障基金使用监督管理条例》",
            fields: &["死亡医学证明编号", "公民身份号码", "姓名", "死亡日期", "签发机构名称"],
            methods: &[Exchange],
            days: 730,
            contact: ("刘建华", "0591-87270945"),
        };
        let g7 = self.approve(&ask7, "同意以库表交换方式按日提供新增和变更数据").await?;
        self.agreement(&ask7, &g7, "sharing").await?;
        sharing::give_feedback(
            svc,
            &self.consumers["ybj"],
            g7.id,
            4,
            "每日接收死亡医学证明的变更数据，已故参保人员的医保待遇由次月停止改为次日停止，本季度拦截冒用已故人员医保凭证结算多笔。",
        )
        .await?;

        // 8: approved, then suspended by the provider.
        let ask8 = Ask {
            consumer: "tyjrj",
            provider: "wjw",
            resource: "死亡医学证明信息",
            kind: PurposeKind::DataVerification,
            purpose: "核实优抚对象生存状态，优抚对象去世后及时停发抚恤补助",
            basis: "《军人抚恤优待条例》",
            fields: &["死亡医学证明编号", "公民身份号码", "姓名", "死亡日期"],
            methods: &[Api],
            days: 365,
            contact: ("吴海涛", "0591-87653120"),
        };
        let g8 = self.approve(&ask8, "同意按申请范围以接口方式共享").await?;
        sharing::change_grant(
            svc,
            &self.approvers["wjw"],
            g8.id,
            g8.revision,
            GrantAction::Suspend,
            Some("近一周该授权的接口调用量明显超出优抚对象规模，暂停授权，待使用部门说明调用情况后再恢复".into()),
        )
        .await?;

        // 9: approved, then revoked for use outside the declared purpose (第十四条).
        let ask9 = Ask {
            consumer: "zjj",
            provider: "bdc",
            resource: "不动产登记簿信息",
            kind: PurposeKind::AdministrativeBasis,
            purpose: "公共租赁住房申请家庭住房状况审核，核查申请家庭成员在本市名下的住房",
            basis: "《公共租赁住房管理办法》；《不动产登记暂行条例》关于登记资料查询的规定",
            fields: &["不动产单元号", "权利人名称", "权利人证件号码", "坐落", "面积", "用途", "权利类型"],
            methods: &[OnlineQuery],
            days: 365,
            contact: ("张静", "0591-87331042"),
        };
        let g9 = self.approve(&ask9, "同意以在线查询方式逐户查询").await?;
        sharing::change_grant(
            svc,
            &self.approvers["bdc"],
            g9.id,
            g9.revision,
            GrantAction::Revoke,
            Some(
                "经核查，使用部门将查询结果用于商品住房市场监测分析，超出申请的公租房资格审核用途（国发〔2016〕51号第十四条），撤销授权；如确需开展市场监测，请另行提出申请"
                    .into(),
            ),
        )
        .await?;

        // 10: submitted, waiting.
        let ask10 = Ask {
            consumer: "zjj",
            provider: "gjj",
            resource: "住房公积金缴存信息",
            kind: PurposeKind::DataVerification,
            purpose: "保障性租赁住房申请审核中核验申请人在本市的住房公积金缴存情况",
            basis: "《国务院办公厅关于加快发展保障性租赁住房的意见》",
            fields: &["公民身份号码", "姓名", "单位名称", "账户状态"],
            methods: &[Verification],
            days: 365,
            contact: ("黄志强", "0591-87330568"),
        };
        self.apply(svc, &ask10).await?;

        // 11: under review.
        let ask11 = Ask {
            consumer: "swj",
            provider: "bdc",
            resource: "不动产登记簿信息",
            kind: PurposeKind::BusinessCollaboration,
            purpose: "不动产交易税收征管中核实交易房屋的权属、面积和用途，实现登记和缴税“一窗受理、并行办理”",
            basis: "《不动产登记暂行条例》；《中华人民共和国契税法》",
            fields: &[
                "不动产单元号",
                "不动产权证书号",
                "权利人名称",
                "权利人证件号码",
                "坐落",
                "面积",
                "用途",
                "登记时间",
            ],
            methods: &[Api],
            days: 730,
            contact: ("许文杰", "0591-87820613"),
        };
        let app = self.apply(svc, &ask11).await?;
        self.act(svc, &self.approvers["bdc"], &app, Act::Review).await?;

        // 12: refused, with the reason 第十二条 requires.
        let ask12 = Ask {
            consumer: "jyj",
            provider: "ybj",
            resource: "基本医疗保险参保信息",
            kind: PurposeKind::BusinessCollaboration,
            purpose: "动员在校学生参加城乡居民基本医疗保险，核对学生参保情况",
            basis: "市教育局、市医疗保障局关于做好学生参加城乡居民基本医疗保险工作的通知",
            fields: &[
                "公民身份号码",
                "姓名",
                "险种类型",
                "参保身份",
                "参保状态",
                "参保日期",
                "参保单位名称",
                "统筹区行政区划代码",
            ],
            methods: &[Api],
            days: 365,
            contact: ("蔡雅琴", "0591-87090356"),
        };
        self.refuse(
            &ask12,
            "申请获取全市参保人员的参保明细，超出学生参保动员的需要；学生参保情况可由本局按学校提供未参保学生名单，不予共享参保明细",
        )
        .await?;

        // 13: withdrawn by the consumer.
        let ask13 = Ask {
            consumer: "rsj",
            provider: "ybj",
            resource: "基本医疗保险参保信息",
            kind: PurposeKind::BusinessCollaboration,
            purpose: "退休人员养老保险待遇核定时核对其基本医疗保险参保状态",
            basis: "《社会保险经办条例》",
            fields: &["公民身份号码", "姓名", "险种类型", "参保状态", "统筹区行政区划代码"],
            methods: &[Verification],
            days: 365,
            contact: ("陈立新", "0591-87520416"),
        };
        let app = self.apply(svc, &ask13).await?;
        let note = Some("已通过“退休一件事”联办渠道取得所需数据，撤回本申请".to_string());
        self.act(svc, &self.consumers["rsj"], &app, Act::Withdraw { note }).await?;

        // 14: refused, then disputed: negotiating.
        let ask14 = Ask {
            consumer: "mzj",
            provider: "gaj",
            resource: "机动车登记信息",
            kind: PurposeKind::DataVerification,
            purpose: "社会救助家庭经济状况核对中核查申请家庭成员名下的机动车情况",
            basis: "《社会救助暂行办法》关于家庭经济状况核对的规定",
            fields: &[
                "号牌号码",
                "号牌种类",
                "车辆类型",
                "使用性质",
                "机动车所有人",
                "所有人证件号码",
                "初次登记日期",
                "机动车状态",
            ],
            methods: &[Verification],
            days: 365,
            contact: ("林晓燕", "0591-87110231"),
        };
        let app = self
            .refuse(
                &ask14,
                "核验方式只需返回申请家庭成员名下是否登记有机动车，无需提供机动车所有人、证件号码等车辆明细；请调整申请的信息项后重新申请",
            )
            .await?;
        self.dispute(
            &ask14,
            &app,
            "家庭经济状况核对需根据车辆类型、使用性质和登记日期评估车辆价值，本局按核验方式逐户使用、不留存明细，请提供部门重新研究",
        )
        .await?;

        // 15: for a resource that is not shared: straight to negotiation.
        let ask15 = Ask {
            consumer: "wjw",
            provider: "gaj",
            resource: "旅馆业住宿登记信息",
            kind: PurposeKind::BusinessCollaboration,
            purpose: "传染病疫情流行病学调查中追踪病例的密切接触者",
            basis: "《中华人民共和国传染病防治法》关于流行病学调查的规定",
            fields: &["旅馆名称", "公民身份号码", "姓名", "入住时间", "退房时间", "房间号"],
            methods: &[OnlineQuery],
            days: 180,
            contact: ("郑明", "0591-87550982"),
        };
        self.apply(svc, &ask15).await?;

        // 16: refused, disputed, and escalated by the consumer when negotiation failed.
        let ask16 = Ask {
            consumer: "rsj",
            provider: "gjj",
            resource: "住房公积金缴存信息",
            kind: PurposeKind::DataVerification,
            purpose: "核对用人单位申报的社会保险缴费基数，发现少报、漏报线索",
            basis: "《中华人民共和国社会保险法》关于缴费基数申报和核定的规定；《社会保险经办条例》",
            fields: &["公民身份号码", "姓名", "单位名称", "缴存基数"],
            methods: &[Api],
            days: 365,
            contact: ("陈立新", "0591-87520416"),
        };
        let app = self
            .refuse(
                &ask16,
                "住房公积金缴存基数与社会保险缴费基数的口径和核定规则不同，不能作为稽核依据；批量提供缴存基数涉及职工个人收入信息，不予共享",
            )
            .await?;
        let app = self
            .dispute(&ask16, &app, "本局仅将缴存基数作为稽核线索，不作为核定依据；可接受脱敏或按单位汇总提供")
            .await?;
        self.escalate(&ask16, &app, "双方两次协商未能达成一致，提请共享主管部门协调").await?;

        // 17: refused, disputed, escalated, and the coordinator rules that it be shared on terms.
        let ask17 = Ask {
            consumer: "mzj",
            provider: "bdc",
            resource: "不动产登记簿信息",
            kind: PurposeKind::DataVerification,
            purpose: "社会救助家庭经济状况核对中核查申请家庭成员名下的房产",
            basis: "《社会救助暂行办法》关于家庭经济状况核对的规定；《不动产登记暂行条例》关于登记资料查询的规定",
            fields: &[
                "不动产单元号",
                "不动产权证书号",
                "权利人名称",
                "权利人证件号码",
                "坐落",
                "面积",
                "用途",
                "权利类型",
            ],
            methods: &[OnlineQuery, Api],
            days: 730,
            contact: ("林晓燕", "0591-87110231"),
        };
        let app = self
            .refuse(&ask17, "不动产登记资料查询应由权利人或利害关系人依法申请，批量提供权利人信息缺乏依据，不予共享")
            .await?;
        let app = self
            .dispute(
                &ask17,
                &app,
                "救助申请人及其家庭成员已签署家庭经济状况核对授权书，《社会救助暂行办法》明确有关单位应当配合核对，请予共享",
            )
            .await?;
        let app = self.escalate(&ask17, &app, "协商未果，提请共享主管部门协调").await?;
        let terms = GrantTerms {
            fields: strings(&["不动产单元号", "权利人名称", "权利人证件号码", "坐落", "面积", "用途", "权利类型"]),
            masks: vec![FieldMask { field: "权利人证件号码".into(), rule: MaskRule::CitizenId }],
            methods: vec![OnlineQuery],
            period: Period { from: today, until: today + TimeDelta::days(365) },
            daily_row_quota: Some(300),
            ..GrantTerms::from_application(&app.terms)
        };
        let reason = "社会救助家庭经济状况核对是法定职责，申请人已书面授权，有关单位应当配合；\
                      裁定以在线查询方式逐户共享，不含不动产权证书号，权利人证件号码脱敏显示，每日不超过300条，期限一年";
        self.act(svc, &self.coordinator, &app, Act::Rule(Ruling::Share { terms, reason: reason.into() })).await?;

        // 18: a resource that is not shared, escalated, and ruled not to be shared.
        let ask18 = Ask {
            consumer: "wlj",
            provider: "gaj",
            resource: "旅馆业住宿登记信息",
            kind: PurposeKind::WorkReference,
            purpose: "统计节假日游客住宿接待量，研判全市旅游客流",
            basis: "市文化和旅游假日工作安排",
            fields: &["旅馆名称", "入住时间", "退房时间"],
            methods: &[BulkDownload],
            days: 365,
            contact: ("何晓东", "0591-87210477"),
        };
        let app = self.apply(svc, &ask18).await?;
        let app = self.escalate(&ask18, &app, "提供部门坚持该资源不予共享，协商未果，提请共享主管部门协调").await?;
        let reason = "旅馆业住宿登记信息含住客身份和行踪信息，目录依法列为不予共享；游客住宿接待量统计无需个人信息，\
                      可由公安局按日提供分区域的住宿人数汇总，由双方另行对接";
        self.act(svc, &self.coordinator, &app, Act::Rule(Ruling::NotShare { reason: reason.into() })).await?;

        // Without an application: 公安局 grants 民政局's 社会救助管理系统 (and nobody else of
        // 民政局) verification of marital status and death, on the agreement between them.
        let today = svc.clock.today();
        let terms = GrantTerms {
            purpose: Purpose::new(
                PurposeKind::DataVerification,
                "社会救助管理系统在审核和年度复核中自动核验救助对象的婚姻和死亡状况",
            )
            .map_err(|e| anyhow::anyhow!("{}", e.message))?,
            fields: strings(&["公民身份号码", "姓名", "婚姻状况", "死亡标识"]),
            rows: Vec::new(),
            masks: Vec::new(),
            methods: vec![Verification],
            period: Period { from: today, until: today + TimeDelta::days(365) },
            daily_row_quota: Some(5000),
            user_ids: Vec::new(),
            system_ids: vec![self.relief_system],
        };
        let direct = sharing::DirectGrant {
            resource: self.codes.get(&("gaj", "全员人口基础信息")).context("示例目录中没有全员人口基础信息")?.clone(),
            consumer_department_id: self.consumers["mzj"].department_id,
            terms,
            reason:
                "依据公安局与民政局签订的《社会救助家庭经济状况核对信息共享协议》，向社会救助管理系统提供婚姻状况、\
                     死亡标识核验，仅限该系统调用，每日不超过5000次"
                    .into(),
        };
        sharing::issue_grant(svc, &self.approvers["gaj"], direct).await.context("主动授权")?;

        // The platform's watch, on the real clock: 2 is escalated, 1's grant recorded expired.
        let watch = sharing::sweep(svc).await?;
        if !watch.escalated.contains(&overdue.id) || !watch.expired.contains(&g1.id) {
            bail!("示例共享数据：逾期申请或到期授权未被平台处理（{:?}，{:?}）", watch.escalated, watch.expired);
        }
        Ok(())
    }

    /// Files an agreement as the consumer department's approver (the one who signs for it).
    async fn agreement(&self, ask: &Ask, g: &Grant, kind: &str) -> anyhow::Result<()> {
        let (title, clauses) = match kind {
            "confidentiality" => ("政务信息共享安全保密协议", CONFIDENTIALITY_CLAUSES),
            _ => ("政务信息共享协议", SHARING_CLAUSES),
        };
        let provider = &self.names[ask.provider];
        let consumer = &self.names[ask.consumer];
        let mut text = format!(
            "{title}\n\n甲方（提供部门）：{provider}\n乙方（使用部门）：{consumer}\n共享资源：{}\n授权编号：{}\n使用期限：{}至{}\n使用用途：{}\n\n",
            ask.resource, g.id, g.terms.period.from, g.terms.period.until, g.terms.purpose.description
        );
        for (i, c) in clauses.iter().enumerate() {
            text.push_str(&format!("{}、{c}\n", CHINESE_NUMBERS[i]));
        }
        text.push_str(&format!(
            "\n甲方（盖章）：{provider}\n乙方（盖章）：{consumer}\n签订日期：{}\n",
            g.terms.period.from
        ));
        let upload = AgreementUpload {
            kind: kind.into(),
            title: format!("{}“{}”{title}", short(consumer), ask.resource),
            file_name: format!("{title}-授权{}.txt", g.id),
            content_type: "text/plain; charset=utf-8".into(),
            bytes: text.into_bytes(),
        };
        sharing::file_agreement(self.svc, &self.approvers[ask.consumer], g.id, upload).await?;
        Ok(())
    }
}

const CHINESE_NUMBERS: [&str; 6] = ["一", "二", "三", "四", "五", "六"];

const CONFIDENTIALITY_CLAUSES: &[&str] = &[
    "乙方仅将共享信息用于本协议载明的用途，不得用于其他目的，不得向任何第三方提供或公开。",
    "乙方应指定专人负责共享信息的使用和管理，按照最小必要原则设置访问权限，并保留访问记录。",
    "乙方应落实网络安全等级保护要求，对共享信息采取加密存储、脱敏展示等措施，防止泄露、篡改和丢失。",
    "使用期限届满或用途完成后，乙方应及时删除或销毁共享信息，并书面告知甲方。",
    "发生或可能发生信息泄露时，乙方应立即采取补救措施，并在24小时内报告甲方和共享主管部门。",
    "违反本协议的，甲方可暂停或撤销授权，并依法追究相关责任。本协议报共享主管部门备案。",
];

const SHARING_CLAUSES: &[&str] = &[
    "甲方按授权范围向乙方提供共享信息，并对所提供信息的准确性、完整性和时效性负责。",
    "乙方按授权的共享方式获取信息，发现信息有误的，应及时向甲方反馈。",
    "双方应做好系统对接的运行维护，接口或交换变更应提前五个工作日通知对方。",
    "乙方应定期向甲方反馈共享信息的使用效果。",
    "本协议未尽事宜，由双方协商解决；协商不成的，提请共享主管部门协调。本协议报共享主管部门备案。",
];

/// One line for the console: how many applications (and whether every status occurs) and grants.
pub(super) async fn summary(svc: &Services) -> anyhow::Result<String> {
    let one = PageRequest { after: None, limit: 1 };
    let apps = svc.store.list_applications(&ApplicationFilter::default(), one).await?.total;
    let mut covered = 0;
    for s in ApplicationStatus::ALL {
        let filter = ApplicationFilter { statuses: vec![*s], ..Default::default() };
        if svc.store.list_applications(&filter, one).await?.total > 0 {
            covered += 1;
        }
    }
    let mut grants = 0;
    let mut by_status = Vec::new();
    for s in GrantStatus::ALL {
        let filter = GrantFilter { statuses: vec![*s], ..Default::default() };
        let n = svc.store.list_grants(&filter, one).await?.total;
        grants += n;
        by_status.push(format!("{}{n}", s.label()));
    }
    let coverage = if covered == ApplicationStatus::ALL.len() {
        "各状态均有".to_string()
    } else {
        format!("{covered}种状态")
    };
    Ok(format!("共享申请 {apps} 件（{coverage}），授权 {grants} 项（{}）", by_status.join("、")))
}
