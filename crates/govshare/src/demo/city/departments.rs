//! The departments of 示例市 and the category nodes the city adds under the guide tree.
//!
//! Credit codes follow GB 32100 for bodies registered by the 机构编制 authority (登记管理部门码
//! `1`): 机构类别 `1` for 机关, `2` for 事业单位, `3` for 群众团体, then the region `350100`, a
//! 9-character 组织机构代码 whose last character is its GB 11714 check character, and the GB 32100
//! check character. Both check characters are computed with the domain functions.

use domain::identifiers::{credit_code_check_char, org_code_check_char};

use super::{DemoCategory, DemoDepartment, REGION_CODE};

/// 机构类别码 under 登记管理部门码 `1`.
#[derive(Clone, Copy)]
enum Kind {
    /// 机关.
    Organ,
    /// 事业单位.
    Institution,
    /// 群众团体 whose staffing the 编制 authority manages.
    MassOrg,
}

/// key, full name, kind, department category node.
const DEPARTMENTS: &[(&str, &str, Kind, &str)] = &[
    ("gaj", "示例市公安局", Kind::Organ, "307001"),
    ("scjgj", "示例市市场监督管理局", Kind::Organ, "307002"),
    ("rsj", "示例市人力资源和社会保障局", Kind::Organ, "307003"),
    ("wjw", "示例市卫生健康委员会", Kind::Organ, "307004"),
    ("mzj", "示例市民政局", Kind::Organ, "307005"),
    ("zrzyj", "示例市自然资源和规划局", Kind::Organ, "307006"),
    ("zjj", "示例市住房和城乡建设局", Kind::Organ, "307007"),
    ("swj", "国家税务总局示例市税务局", Kind::Organ, "307008"),
    ("jyj", "示例市教育局", Kind::Organ, "307009"),
    ("ybj", "示例市医疗保障局", Kind::Organ, "307010"),
    ("fgw", "示例市发展和改革委员会", Kind::Organ, "307011"),
    ("czj", "示例市财政局", Kind::Organ, "307012"),
    ("sthjj", "示例市生态环境局", Kind::Organ, "307013"),
    ("jtysj", "示例市交通运输局", Kind::Organ, "307014"),
    ("nyncj", "示例市农业农村局", Kind::Organ, "307015"),
    ("slj", "示例市水利局", Kind::Organ, "307016"),
    ("yjj", "示例市应急管理局", Kind::Organ, "307017"),
    ("sfj", "示例市司法局", Kind::Organ, "307018"),
    ("tjj", "示例市统计局", Kind::Organ, "307019"),
    ("swuj", "示例市商务局", Kind::Organ, "307020"),
    ("wlj", "示例市文化广电和旅游局", Kind::Organ, "307021"),
    ("tyjrj", "示例市退役军人事务局", Kind::Organ, "307022"),
    ("cgj", "示例市城市管理局", Kind::Organ, "307023"),
    ("xzspj", "示例市行政审批局", Kind::Organ, "307024"),
    ("zwsj", "示例市政务服务数据管理局", Kind::Organ, "307025"),
    ("gxj", "示例市工业和信息化局", Kind::Organ, "307026"),
    ("gjj", "示例市住房公积金管理中心", Kind::Institution, "307027"),
    ("bdc", "示例市不动产登记中心", Kind::Institution, "307028"),
    ("qxj", "示例市气象局", Kind::Institution, "307029"),
    ("cl", "示例市残疾人联合会", Kind::MassOrg, "307030"),
];

/// The key of the department that runs the sharing platform (共享主管部门).
#[allow(dead_code)]
pub const PLATFORM_DEPARTMENT: &str = "zwsj";

/// A valid 组织机构代码 for the `n`-th department of a kind: an 8-digit body in the range the
/// local 编制 office hands out for that kind, and its GB 11714 check character.
fn org_code(kind: Kind, n: usize) -> String {
    let base: usize = match kind {
        Kind::Organ => 360_100,
        Kind::Institution => 48_860_100,
        Kind::MassOrg => 50_360_100,
    };
    let body = format!("{:08}", base + n * 173);
    let check = org_code_check_char(&body).expect("an 8-digit body always has a check character");
    format!("{body}{check}")
}

/// The 统一社会信用代码 of the `n`-th department of a kind.
fn credit_code(kind: Kind, n: usize) -> String {
    let category = match kind {
        Kind::Organ => '1',
        Kind::Institution => '2',
        Kind::MassOrg => '3',
    };
    let first17 = format!("1{category}{REGION_CODE}{}", org_code(kind, n));
    let check = credit_code_check_char(&first17).expect("17 characters of the credit-code alphabet");
    format!("{first17}{check}")
}

pub(super) fn departments() -> Vec<DemoDepartment> {
    DEPARTMENTS
        .iter()
        .enumerate()
        .map(|(n, &(key, name, kind, category))| DemoDepartment {
            key,
            name: name.to_string(),
            credit_code: credit_code(kind, n + 1),
            local_code: format!("SLS-{}", key.to_ascii_uppercase()),
            category,
        })
        .collect()
}

/// 目 nodes under the base and theme 项 of the guide tree.
const NODES: &[(&str, &str)] = &[
    ("101001", "人口基本信息"),
    ("101002", "户籍管理"),
    ("101003", "出生和死亡"),
    ("101004", "婚姻家庭"),
    ("101005", "流动人口"),
    ("102001", "法人登记"),
    ("102002", "法人变更和注销"),
    ("102003", "税务登记"),
    ("102004", "社会组织"),
    ("103001", "基础测绘"),
    ("103002", "国土空间规划"),
    ("103003", "自然资源调查监测"),
    ("103004", "地名地址"),
    ("104001", "信用信息"),
    ("104002", "守信激励和失信惩戒"),
    ("104003", "信用承诺和信用修复"),
    ("105001", "证照目录"),
    ("105002", "自然人证照"),
    ("105003", "法人证照"),
    ("201001", "政务服务事项"),
    ("201002", "高效办成一件事"),
    ("202001", "医疗卫生服务"),
    ("202002", "医疗保障"),
    ("203001", "社会救助"),
    ("203002", "养老服务"),
    ("203003", "就业创业"),
    ("204001", "食品安全监管"),
    ("204002", "药品安全监管"),
    ("205001", "安全生产监管"),
    ("206001", "价格监测"),
    ("207001", "能源运行监测"),
    ("208001", "信用联合奖惩"),
    ("209001", "住房保障"),
    ("209002", "城市运行管理"),
    ("210001", "网格化服务管理"),
    ("211001", "环境质量"),
    ("211002", "污染源监管"),
    ("212001", "应急资源"),
    ("212002", "监测预警"),
];

pub(super) fn categories() -> Vec<DemoCategory> {
    let fixed = NODES.iter().map(|&(code, name)| DemoCategory { code, name: name.to_string() });
    let per_department = DEPARTMENTS.iter().map(|&(_, name, _, code)| DemoCategory { code, name: name.to_string() });
    fixed.chain(per_department).collect()
}
