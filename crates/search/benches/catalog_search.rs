//! Catalogue search benchmark (issue 5), govshare against its peer in the same run:
//!
//! 1. a deterministic catalogue of `--entries` (200,000) realistic entries of a city's ~60
//!    departments, and a fixed mix of `--queries` (1,000) Chinese queries, a third of them with
//!    facet filters, each asked by a department;
//! 2. govshare (`search::CatalogIndex` on disk): build time of `replace_all` (with its commit),
//!    latency p50/p99 of the mix on one thread after a warm-up pass, throughput on two threads;
//! 3. PostgreSQL with `pg_trgm` on the same entries (the CKAN-without-Solr path): load + GIN
//!    trigram index, every term `ILIKE '%term%'`, visibility and filters, top 20 by trigram
//!    similarity, total and the seven facet counts in one statement; latency on one connection,
//!    throughput on two;
//! 4. result counts of both sides compared on every query of the mix and shown for a few.
//!
//! `cargo bench -p search --bench catalog_search [-- --entries N --queries N --postgres URL --readme]`
//! prints Markdown; `--readme` also rewrites the `search` section of bench/README.md (bench/run
//! passes it). For development: `--govshare-only` (govshare's side and its slowest queries),
//! `--repeat-query TEXT` (build, then run one query 300 times: for a profiler),
//! `--load-postgres-only SCHEMA` (load the table and keep it, for EXPLAIN; drop the schema after).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use domain::catalog::{FormatClass, OpenType, ResourceSpec, ResourceStatus, ShareType, UpdateCycle};
use search::facets::position;
use search::{CatalogIndex, Dimension, Entry, SearchRequest, Viewer};
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};

const SEED: u64 = 0x005E_A5C4_2026;
const QUERY_SEED: u64 = 0x0000_51E5_1000;
const LIMIT: usize = 20;
/// Full passes over the mix for govshare's throughput (PostgreSQL: one).
const GS_THROUGHPUT_PASSES: usize = 3;
const THREADS: usize = 2;

// ---------------------------------------------------------------------------------------------
// Arguments

struct Args {
    entries: usize,
    queries: usize,
    postgres: String,
    readme: bool,
    /// Development: measure govshare alone and stop.
    govshare_only: bool,
    /// Development (profiling): build govshare's index, run this query 300 times and stop.
    repeat_query: Option<String>,
    /// Development (query plans): load the entries into PostgreSQL in this schema, keep it and stop.
    load_schema: Option<String>,
}

fn args() -> Option<Args> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.iter().any(|a| a == "--list") {
        return None; // `cargo bench -- --list` from tooling
    }
    let value = |name: &str| argv.iter().position(|a| a == name).and_then(|i| argv.get(i + 1)).cloned();
    let number = |name: &str, default: usize| {
        value(name).map_or(default, |v| v.replace(['_', ','], "").parse().unwrap_or_else(|_| panic!("{name} {v}")))
    };
    Some(Args {
        entries: number("--entries", 200_000),
        queries: number("--queries", 1_000),
        postgres: value("--postgres")
            .or_else(|| std::env::var("GOVSHARE_BENCH_POSTGRES_URL").ok())
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into()),
        readme: argv.iter().any(|a| a == "--readme"),
        govshare_only: argv.iter().any(|a| a == "--govshare-only"),
        repeat_query: value("--repeat-query"),
        load_schema: value("--load-postgres-only"),
    })
}

fn log(msg: &str) {
    eprintln!("[search bench] {msg}");
}

// ---------------------------------------------------------------------------------------------
// A small deterministic generator (SplitMix64): the same catalogue and mix on every machine and
// with every version of the dependencies.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    /// An index drawn by weight.
    fn weighted(&mut self, weights: &[usize]) -> usize {
        let mut r = self.below(weights.iter().sum());
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------
// The city: departments with their subjects, data items and the base/theme categories they feed.

/// Name, subjects, data items, base and theme categories (目 codes).
type Dept = (&'static str, &'static [&'static str], &'static [&'static str], &'static [&'static str]);

#[rustfmt::skip]
const DEPARTMENTS: &[Dept] = &[
    ("示例市公安局", &["常住人口", "户籍迁移", "流动人口", "居住证", "机动车", "驾驶人", "道路交通违法", "出入境证件", "治安处罚", "居民身份证", "养犬登记", "旅馆业"],
        &["户籍地址", "居住地址", "号牌号码", "车辆识别代号", "驾驶证号", "准驾车型", "违法时间", "违法地点", "处罚决定书编号", "签发机关", "有效期限", "迁入日期", "迁出地址"],
        &["101001", "101002", "101005", "103004", "105002", "212002"]),
    ("示例市民政局", &["城乡最低生活保障", "低保", "特困人员供养", "临时救助", "婚姻登记", "社会组织", "养老机构", "殡葬服务", "标准地名", "残疾人两项补贴", "孤儿基本生活保障", "高龄津贴", "困难群众", "居家养老服务"],
        &["救助对象姓名", "家庭人口数", "保障金额", "保障起始日期", "救助类别", "婚姻登记日期", "登记机关", "养老机构名称", "床位数", "地名代码", "补贴标准", "发放月份"],
        &["101004", "102004", "103004", "203001", "203002"]),
    ("示例市市场监督管理局", &["企业登记", "营业执照", "个体工商户", "食品经营许可", "特种设备", "经营异常名录", "行政处罚", "计量器具", "产品质量监督抽查", "注册商标", "广告监测", "食品安全抽检", "农民专业合作社"],
        &["企业名称", "注册资本", "经营范围", "成立日期", "登记状态", "许可证编号", "设备类别", "使用单位", "抽检结果", "列入原因", "处罚种类"],
        &["102001", "102002", "104001", "104002", "105003", "204001", "204002"]),
    ("示例市人力资源和社会保障局", &["社会保险参保", "养老保险", "失业保险", "工伤保险", "就业登记", "失业登记", "职业技能培训", "职业资格证书", "劳动合同", "劳动人事争议仲裁", "人才引进", "社会保障卡", "灵活就业人员"],
        &["社会保障号码", "参保险种", "参保状态", "缴费基数", "缴费月数", "用工单位", "就业日期", "培训工种", "证书编号", "仲裁结果", "社保卡号"],
        &["203003", "105002", "201001"]),
    ("示例市卫生健康委员会", &["医疗机构", "医师执业", "护士执业", "出生医学证明", "预防接种", "传染病报告", "居民健康档案", "计划生育", "妇幼保健", "医疗卫生人员", "院前急救", "死亡医学证明"],
        &["医疗机构名称", "执业许可证号", "诊疗科目", "床位数", "医师姓名", "执业类别", "疫苗名称", "接种日期", "新生儿姓名", "出生时间", "病种", "报告日期"],
        &["101003", "105002", "202001"]),
    ("示例市医疗保障局", &["基本医疗保险参保", "医保结算", "定点医药机构", "门诊慢特病", "医疗救助", "异地就医备案", "医保药品目录", "医保基金监管", "长期护理保险"],
        &["医保编号", "参保类别", "结算金额", "统筹支付", "个人自付", "定点机构编码", "病种名称", "备案地", "药品编码"],
        &["202002", "203001"]),
    ("示例市住房和城乡建设局", &["商品房预售许可", "商品房网签备案", "建筑工程施工许可", "建筑业企业资质", "公共租赁住房", "物业服务企业", "老旧小区改造", "燃气经营许可", "建设工程竣工验收", "房屋安全鉴定", "城市更新"],
        &["项目名称", "预售许可证号", "建筑面积", "合同编号", "成交价格", "施工单位", "资质等级", "小区名称", "房屋坐落", "竣工日期"],
        &["105003", "209001", "209002"]),
    ("示例市自然资源和规划局", &["建设用地审批", "国土空间规划", "土地出让", "地籍调查", "基础测绘成果", "耕地保护", "矿产资源", "林地", "地质灾害隐患点", "建设工程规划许可", "永久基本农田"],
        &["宗地代码", "土地用途", "用地面积", "出让价款", "规划许可证号", "图斑编号", "坐标系", "比例尺", "隐患点位置", "矿区范围"],
        &["103001", "103002", "103003"]),
    ("示例市不动产登记中心", &["不动产登记", "不动产权证书", "抵押登记", "查封登记", "预告登记", "不动产交易", "房屋产权"],
        &["不动产单元号", "不动产权证号", "权利人", "权利类型", "共有情况", "抵押金额", "登记日期", "房屋坐落", "用途", "面积"],
        &["105002", "103003", "209001"]),
    ("示例市交通运输局", &["公交线路", "公交站点", "公交车辆实时位置", "出租汽车", "网络预约出租汽车", "道路运输经营许可", "客运站", "道路货运车辆", "公路养护", "交通运输执法", "港口码头", "从业资格"],
        &["线路编号", "线路名称", "站点名称", "首末班时间", "车牌号码", "经营许可证号", "营运状态", "从业资格证号", "路段名称", "执法文书号"],
        &["105003", "201001", "209002"]),
    ("示例市教育局", &["中小学校", "学生学籍", "幼儿园", "教师资格", "义务教育招生入学", "学生资助", "校外培训机构", "中考成绩", "校车", "教育经费"],
        &["学校名称", "学校类别", "学段", "学籍号", "入学年份", "班级", "教师资格证号", "资助金额", "培训机构名称", "成绩"],
        &["105002", "201001", "201002"]),
    ("国家税务总局示例市税务局", &["纳税人登记", "增值税发票", "纳税信用", "欠税公告", "税收优惠", "个人所得税", "增值税申报", "房产税", "社会保险费征收", "出口退税"],
        &["纳税人识别号", "纳税人名称", "主管税务机关", "税种", "申报期", "应纳税额", "信用等级", "欠税金额", "发票代码", "发票号码"],
        &["102003", "104001", "208001"]),
    ("示例市发展和改革委员会", &["固定资产投资项目", "公共信用", "严重失信主体", "价格监测", "粮食储备", "重点项目", "能源消费", "行政许可和行政处罚", "信用承诺", "信用修复"],
        &["项目代码", "项目名称", "总投资", "建设地点", "失信行为", "认定依据", "监测品种", "价格", "能源品种", "消费量"],
        &["104001", "104002", "104003", "206001", "207001", "208001"]),
    ("示例市财政局", &["财政预算", "政府采购", "非税收入", "行政事业单位国有资产", "惠民惠农补贴", "财政专项资金", "政府债务", "会计人员"],
        &["预算科目", "预算金额", "采购项目编号", "中标金额", "收费项目", "缴款人", "资产编号", "补贴项目", "拨付金额", "债务类型"],
        &["201001", "208001"]),
    ("示例市生态环境局", &["排污许可", "环境质量监测", "空气质量", "地表水水质", "重点污染源", "建设项目环境影响评价", "危险废物", "声环境监测", "环境行政处罚", "机动车排放检验"],
        &["排污单位名称", "许可证编号", "监测点位", "监测时间", "AQI", "PM2.5", "污染物名称", "排放浓度", "环评批复文号", "废物类别"],
        &["211001", "211002"]),
    ("示例市农业农村局", &["农村土地承包经营权", "耕地地力保护补贴", "动物防疫", "农药经营许可", "家庭农场", "农民专业合作社", "高标准农田", "农产品质量安全", "渔业船舶", "农村集体资产"],
        &["承包方代表", "地块编码", "承包面积", "补贴面积", "补贴金额", "畜禽种类", "免疫数量", "农场名称", "船名", "检测结果"],
        &["102004", "103003", "204001"]),
    ("示例市水利局", &["河湖名录", "取水许可", "水库", "河长制", "水文监测", "防汛", "水土保持", "农村供水工程", "水利工程"],
        &["河流名称", "河长", "取水口位置", "取水量", "水库名称", "库容", "水位", "流量", "工程名称", "监测站点"],
        &["103003", "212001", "212002"]),
    ("示例市应急管理局", &["危险化学品", "安全生产许可", "应急物资储备", "应急预案", "自然灾害", "安全生产行政执法", "应急避难场所", "森林防火", "生产安全事故"],
        &["企业名称", "危险化学品名称", "储存量", "许可证编号", "物资名称", "储备数量", "避难场所名称", "容纳人数", "事故等级", "伤亡人数"],
        &["205001", "212001", "212002"]),
    ("示例市司法局", &["律师事务所", "执业律师", "公证", "人民调解", "法律援助", "社区矫正", "司法鉴定", "行政复议", "普法"],
        &["律师事务所名称", "执业证号", "公证书编号", "调解组织", "纠纷类型", "受援人", "援助事项", "鉴定机构", "复议事项"],
        &["201001", "210001"]),
    ("示例市统计局", &["国民经济核算", "规模以上工业", "人口普查", "经济普查", "居民收支", "居民消费价格指数", "地区生产总值", "统计年鉴", "统计公报"],
        &["统计指标", "指标值", "计量单位", "统计时期", "地区", "GDP", "CPI", "增长率", "行业分类", "调查户数"],
        &["101001", "206001"]),
    ("示例市商务局", &["外贸进出口", "外商投资企业", "商贸流通企业", "单用途商业预付卡", "再生资源回收", "成品油经营", "电子商务", "老字号"],
        &["企业名称", "进出口额", "投资总额", "外方国别", "备案编号", "预付卡发卡企业", "经营品种", "网店名称"],
        &["102001", "206001"]),
    ("示例市文化广电和旅游局", &["A级旅游景区", "旅行社", "星级饭店", "文化市场经营单位", "文物保护单位", "公共图书馆", "营业性演出", "网吧", "非物质文化遗产", "游客接待"],
        &["景区名称", "景区等级", "旅行社名称", "许可证号", "饭店星级", "文物名称", "保护级别", "演出名称", "项目名称", "接待人次"],
        &["201001", "211001"]),
    ("示例市退役军人事务局", &["退役军人", "优抚对象", "烈士褒扬", "军队离退休干部", "退役士兵安置", "光荣牌悬挂"],
        &["退役军人姓名", "入伍时间", "退役时间", "优抚类别", "抚恤金额", "烈士姓名", "安置方式"],
        &["101001", "203002"]),
    ("示例市城市管理局", &["市容环境", "户外广告设置", "建筑垃圾运输", "生活垃圾分类", "环卫设施", "城市照明", "占道经营", "数字城管案件", "城市道路挖掘"],
        &["案件编号", "案件类别", "发生地点", "处置时限", "广告位置", "运输车辆", "垃圾量", "设施名称", "路灯编号"],
        &["209002", "210001", "211002"]),
    ("示例市行政审批局", &["政务服务事项", "行政许可", "一网通办", "办件信息", "好差评", "投资项目审批", "证照批文"],
        &["事项编码", "事项名称", "办件编号", "申请人", "受理时间", "办结时间", "评价等级", "审批结果"],
        &["201001", "201002", "105001"]),
    ("示例市政务服务数据管理局", &["政务信息资源目录", "电子证照", "数据共享交换", "政务云资源", "12345热线工单", "高效办成一件事", "公共数据开放", "数据质量"],
        &["资源代码", "资源名称", "证照类型", "交换次数", "工单编号", "诉求内容", "办理部门", "满意度", "数据集名称"],
        &["105001", "201001", "201002"]),
    ("示例市工业和信息化局", &["规模以上工业企业", "专精特新企业", "5G基站", "工业园区", "工业能耗", "中小企业", "技术改造项目", "软件企业"],
        &["企业名称", "工业总产值", "主营业务收入", "基站编号", "基站位置", "园区名称", "综合能耗", "项目投资额"],
        &["102001", "207001"]),
    ("示例市住房公积金管理中心", &["住房公积金缴存", "住房公积金提取", "住房公积金贷款", "公积金缴存单位", "公积金个人账户"],
        &["个人账号", "缴存基数", "月缴存额", "账户余额", "提取原因", "提取金额", "贷款金额", "贷款期限", "单位账号"],
        &["203002", "209001"]),
    ("示例市气象局", &["地面气象观测", "天气预报", "气象灾害预警", "降水", "雷电防护装置检测", "台风路径"],
        &["站点编号", "观测时间", "气温", "降水量", "风速", "风向", "预警级别", "预警信号", "检测单位"],
        &["103001", "212002"]),
    ("示例市残疾人联合会", &["残疾人证", "残疾人就业", "残疾人康复", "残疾人托养", "残疾人教育"],
        &["残疾人证号", "残疾类别", "残疾等级", "康复项目", "托养机构", "就业单位"],
        &["105002", "203001"]),
    ("示例市中级人民法院", &["失信被执行人", "裁判文书", "诉讼案件", "限制消费人员", "破产案件", "司法拍卖"],
        &["案号", "被执行人", "执行标的", "立案日期", "案由", "审理法院", "结案方式"],
        &["104002", "208001"]),
    ("示例市人民检察院", &["公益诉讼", "检察建议", "刑事案件", "未成年人检察"],
        &["案件编号", "案件类别", "承办检察院", "建议内容", "办理结果"],
        &["212002"]),
    ("示例市林业局", &["林木采伐许可", "古树名木", "森林资源", "野生动物保护", "林长制", "松材线虫病防治"],
        &["采伐地点", "采伐蓄积", "树种", "树龄", "保护等级", "林班号", "动物种类", "林长"],
        &["103003", "211001"]),
    ("示例市档案馆", &["档案目录", "婚姻档案", "知青档案", "开放档案", "馆藏档案"],
        &["档号", "题名", "责任者", "形成时间", "保管期限", "密级", "开放状态"],
        &["201001"]),
    ("示例市消防救援支队", &["消防安全重点单位", "火灾", "消防监督检查", "消防设施", "消防救援站"],
        &["单位名称", "消防安全责任人", "火灾地点", "起火原因", "检查日期", "设施类型", "救援站名称"],
        &["205001", "212001"]),
    ("示例海关", &["进出口企业", "报关单", "进出口商品检验", "跨境电商", "海关认证企业"],
        &["海关编码", "报关单号", "商品编码", "贸易方式", "成交金额", "认证类型"],
        &["102001", "206001"]),
    ("国网示例供电公司", &["电力用户", "用电量", "停电计划", "充电桩", "电费缴纳"],
        &["户号", "用电地址", "用电类别", "月用电量", "停电时间", "停电范围", "充电桩编号"],
        &["207001", "209002"]),
    ("示例市自来水有限公司", &["供水用户", "用水量", "水费", "供水管网", "停水通知"],
        &["用水户号", "用水地址", "月用水量", "水费金额", "管径", "停水区域"],
        &["209002"]),
    ("示例市燃气集团", &["燃气用户", "燃气管网", "燃气安全检查", "瓶装液化气"],
        &["燃气户号", "用气地址", "用气量", "安检日期", "隐患类型"],
        &["205001", "209002"]),
    ("示例市地铁集团", &["地铁线路", "地铁站点", "地铁客流", "地铁运营"],
        &["线路名称", "站点名称", "进站客流", "出站客流", "运营里程", "首末班时间"],
        &["201001", "209002"]),
    ("示例市机关事务管理局", &["公务用车", "办公用房", "公共机构节能", "机关食堂"],
        &["车牌号码", "车辆类型", "房屋坐落", "使用面积", "能耗总量", "单位名称"],
        &["207001"]),
    ("示例市民族宗教事务局", &["宗教活动场所", "宗教教职人员", "少数民族人口"],
        &["场所名称", "宗教类别", "登记证号", "教职人员姓名", "民族"],
        &["101001"]),
    ("示例市审计局", &["审计项目", "审计整改", "经济责任审计"],
        &["审计项目名称", "被审计单位", "审计发现问题", "整改情况", "审计期间"],
        &["208001"]),
    ("示例市人民政府国有资产监督管理委员会", &["市属国有企业", "国有资产产权登记", "国企负责人"],
        &["企业名称", "出资人", "国有股权比例", "资产总额", "净资产"],
        &["102001"]),
    ("示例市体育局", &["公共体育场馆", "社会体育指导员", "体育赛事", "全民健身设施", "体育彩票"],
        &["场馆名称", "开放时间", "指导员等级", "赛事名称", "设施名称", "销售额"],
        &["201001"]),
    ("示例市粮食和物资储备局", &["粮食收购", "地方储备粮", "粮油价格", "粮食仓储企业"],
        &["收购品种", "收购数量", "储备规模", "库点名称", "仓容", "粮油价格"],
        &["206001", "207001", "212001"]),
    ("示例市信访局", &["信访事项", "网上信访", "信访办理"],
        &["信访编号", "信访人", "反映问题", "办理单位", "办理期限", "答复意见"],
        &["210001"]),
    ("示例市地方金融监督管理局", &["小额贷款公司", "融资担保公司", "典当行", "地方金融组织"],
        &["机构名称", "注册资本", "贷款余额", "担保余额", "监管评级"],
        &["102001", "208001"]),
    ("示例市人民防空办公室", &["人防工程", "防空警报器", "人防疏散基地"],
        &["工程名称", "工程位置", "防护等级", "建筑面积", "警报器编号"],
        &["212001"]),
    ("示例市园林中心", &["城市公园", "城市绿地", "古树名木", "行道树"],
        &["公园名称", "绿地面积", "绿地类型", "树种", "胸径"],
        &["209002", "211001"]),
    ("示例市总工会", &["困难职工", "工会会员", "职工服务", "劳动模范"],
        &["职工姓名", "工作单位", "困难类型", "帮扶金额", "会员证号"],
        &["203001"]),
    ("共青团示例市委员会", &["青年志愿者", "志愿服务", "青少年服务"],
        &["志愿者编号", "服务时长", "服务项目", "所属组织"],
        &["210001"]),
    ("示例市妇女联合会", &["妇女儿童", "巾帼创业", "家庭教育"],
        &["服务对象", "项目名称", "帮扶方式"],
        &["203001", "210001"]),
    ("示例市红十字会", &["无偿献血", "遗体和器官捐献", "应急救护培训", "人道救助"],
        &["献血者姓名", "献血量", "献血日期", "培训人数", "救助金额"],
        &["202001", "212001"]),
    ("示例市人民政府侨务办公室", &["归侨侨眷", "华侨", "侨资企业"],
        &["侨居国", "企业名称", "回国时间"],
        &["101001"]),
    ("示例市公共资源交易中心", &["招标公告", "中标结果", "工程建设项目交易", "政府采购交易", "土地使用权出让交易", "产权交易"],
        &["项目编号", "招标人", "中标人", "中标金额", "开标时间", "交易方式"],
        &["201001", "208001"]),
    ("示例市邮政管理局", &["快递企业", "快递网点", "快递业务量"],
        &["企业名称", "经营许可证号", "网点地址", "业务量"],
        &["102001"]),
    ("示例市烟草专卖局", &["烟草专卖零售许可证", "烟草专卖行政处罚"],
        &["许可证号", "经营者", "经营地址", "处罚决定书文号"],
        &["104001", "105003"]),
    ("示例市科学技术局", &["高新技术企业", "科技计划项目", "科技型中小企业", "专利", "科技成果"],
        &["企业名称", "证书编号", "项目名称", "资助金额", "专利号", "专利类型"],
        &["102001", "201001"]),
];

/// 项 names of the guide's tree (category codes' first three digits).
#[rustfmt::skip]
const GROUPS: &[(&str, &str)] = &[
    ("101", "人口基础信息资源"), ("102", "法人单位基础信息资源"), ("103", "自然资源和空间地理基础信息资源"),
    ("104", "社会信用基础信息资源"), ("105", "电子证照基础信息资源"), ("201", "公共服务"), ("202", "健康保障"),
    ("203", "社会保障"), ("204", "食品药品安全"), ("205", "安全生产"), ("206", "价格监管"), ("207", "能源安全"),
    ("208", "信用体系"), ("209", "城乡建设"), ("210", "社区治理"), ("211", "生态环保"), ("212", "应急维稳"),
    ("307", "省（自治区、直辖市）及其下各级政务部门"),
];

/// 目 nodes under the base and theme 项 (as the demo city has them).
#[rustfmt::skip]
const NODES: &[(&str, &str)] = &[
    ("101001", "人口基本信息"), ("101002", "户籍管理"), ("101003", "出生和死亡"), ("101004", "婚姻家庭"),
    ("101005", "流动人口"), ("102001", "法人登记"), ("102002", "法人变更和注销"), ("102003", "税务登记"),
    ("102004", "社会组织"), ("103001", "基础测绘"), ("103002", "国土空间规划"), ("103003", "自然资源调查监测"),
    ("103004", "地名地址"), ("104001", "信用信息"), ("104002", "守信激励和失信惩戒"), ("104003", "信用承诺和信用修复"),
    ("105001", "证照目录"), ("105002", "自然人证照"), ("105003", "法人证照"), ("201001", "政务服务事项"),
    ("201002", "高效办成一件事"), ("202001", "医疗卫生服务"), ("202002", "医疗保障"), ("203001", "社会救助"),
    ("203002", "养老服务"), ("203003", "就业创业"), ("204001", "食品安全监管"), ("204002", "药品安全监管"),
    ("205001", "安全生产监管"), ("206001", "价格监测"), ("207001", "能源运行监测"), ("208001", "信用联合奖惩"),
    ("209001", "住房保障"), ("209002", "城市运行管理"), ("210001", "网格化服务管理"), ("211001", "环境质量"),
    ("211002", "污染源监管"), ("212001", "应急资源"), ("212002", "监测预警"),
];

const DISTRICTS: &[&str] = &[
    "鼓楼区",
    "台江区",
    "仓山区",
    "晋安区",
    "马尾区",
    "长乐区",
    "福清市",
    "闽侯县",
    "连江县",
    "罗源县",
    "闽清县",
    "永泰县",
    "高新区",
];
const QUALIFIERS: &[&str] = &[
    "基本", "登记", "变更", "注销", "审批", "核发", "年度", "动态", "监管", "核查", "申请", "办理", "发放", "对象",
    "机构", "人员", "案件", "许可", "备案", "检查", "评价", "补贴", "服务", "业务",
];
const SUFFIXES: &[&str] = &[
    "信息",
    "信息",
    "信息",
    "名单",
    "台账",
    "目录",
    "统计表",
    "数据",
    "明细",
    "清单",
    "汇总表",
    "情况",
    "信息库",
    "数据集",
];
const PERSON_ITEMS: &[&str] =
    &["公民身份号码", "姓名", "性别", "出生日期", "民族", "联系电话", "户籍地址", "现居住地址", "文化程度", "婚姻状况"];
const ORG_ITEMS: &[&str] = &[
    "统一社会信用代码",
    "单位名称",
    "法定代表人",
    "注册地址",
    "经营范围",
    "成立日期",
    "登记机关",
    "联系人",
    "联系电话",
];
const TAIL_ITEMS: &[&str] = &[
    "行政区划代码",
    "所属街道",
    "所属社区",
    "经度",
    "纬度",
    "数据更新时间",
    "备注",
    "办理日期",
    "审批状态",
    "数据来源",
];
const DIVISIONS: &[&str] = &[
    "办公室",
    "综合处",
    "政策法规处",
    "行政审批处",
    "信息中心",
    "科技信息处",
    "统计分析处",
    "监督检查处",
    "业务一处",
    "业务二处",
    "大数据中心",
];
const BUSINESSES: &[&str] = &["业务办理", "日常监管", "行政审批", "执法检查", "统计调查", "公共服务", "专项整治"];
const VERBS: &[&str] = &["依法采集", "产生", "登记", "汇总整理", "核准", "归集"];
const ASPECTS: &[&str] = &["基本", "登记", "变更", "办理", "分布", "动态变化", "审核"];
const PURPOSES: &[&str] = &[
    "社会救助资格审核",
    "政务服务一网通办",
    "市场主体监管",
    "城市运行监测",
    "统计分析",
    "应急指挥调度",
    "信用联合奖惩",
    "便民查询",
    "跨部门业务协同",
    "基层网格化治理",
    "营商环境评价",
    "乡村振兴",
    "疫情防控",
];
const TAGS: &[&str] = &[
    "民生",
    "营商环境",
    "一网通办",
    "放管服",
    "数字政府",
    "社会救助",
    "乡村振兴",
    "信用",
    "双随机一公开",
    "疫情防控",
    "城市大脑",
    "网格化",
    "一数一源",
    "电子证照",
    "智慧交通",
    "智慧医疗",
    "API",
    "GIS",
];
const BASES: &[&str] = &[
    "《中华人民共和国个人信息保护法》",
    "《中华人民共和国保守国家秘密法》",
    "《中华人民共和国统计法》第九条",
    "《中华人民共和国档案法》",
];
const STANDARDS: &[&str] = &["GB 11643", "GB/T 2260", "GB 32100", "GB/T 4754", "业务系统字典"];
const SUBTYPES: &[(&str, &[&str])] = &[
    ("electronic_file", &["PDF", "OFD", "DOCX"]),
    ("spreadsheet", &["XLSX", "CSV", "ET"]),
    ("database", &["MySQL", "Oracle", "达梦", "人大金仓", "PostgreSQL"]),
    ("image", &["JPG", "TIFF", "SHP", "GeoTIFF"]),
    ("streaming", &["MP4", "RTSP"]),
    ("self_describing", &["JSON", "XML"]),
    ("interface", &["RESTful API", "WebService", "WMS", "WMTS"]),
];

/// Simplified → traditional for the characters of the vocabulary above (the traditional-script
/// entries and queries); the index folds them back with OpenCC, PostgreSQL does not.
#[rustfmt::skip]
const TRADITIONAL: &[&str] = &[
    "资資", "数數", "据據", "务務", "户戶", "记記", "录錄", "单單", "统統", "计計", "业業", "证證",
    "书書", "执執", "营營", "医醫", "疗療", "机機", "构構", "学學", "车車", "辆輛", "驾駕", "驶駛",
    "会會", "险險", "养養", "员員", "门門", "区區", "县縣", "场場", "监監", "许許", "发發", "办辦",
    "检檢", "处處", "罚罰", "价價", "产產", "动動", "态態", "报報", "汇匯", "总總", "况況", "对對",
    "补補", "贴貼", "费費", "劳勞", "卫衛", "环環", "质質", "测測", "农農", "应應", "师師", "经經",
    "济濟", "国國", "税稅", "财財", "预預", "权權", "网網", "线線", "点點", "乡鄉", "积積", "缴繳",
    "贷貸", "号號", "码碼", "电電", "话話", "称稱", "类類", "别別", "间間", "时時", "实實", "关關",
    "联聯", "设設", "备備", "气氣", "灾災", "龄齡", "儿兒", "残殘", "优優", "抚撫", "军軍", "体體",
    "园園", "馆館", "图圖", "历歷", "节節", "约約", "贸貿", "进進", "条條", "换換", "运運", "输輸",
    "规規", "划劃", "级級", "层層", "广廣", "饭飯", "职職", "训訓", "练練", "认認", "审審", "项項",
    "标標", "准準", "让讓", "读讀", "议議", "调調", "验驗", "询詢", "讯訊", "织織", "组組", "负負",
    "责責", "导導", "乐樂", "库庫", "厂廠", "宁寧", "护護", "伤傷", "药藥", "剂劑", "注註", "册冊",
    "迁遷", "违違", "状狀", "结結", "纳納", "采採", "购購", "绿綠", "树樹", "庙廟", "渔漁", "贫貧",
    "难難", "众眾", "妇婦", "爱愛", "献獻", "侨僑", "递遞", "烟煙", "专專", "卖賣", "术術", "鉴鑑",
    "复復", "辖轄",
];

fn traditional(s: &str) -> String {
    s.chars()
        .map(|c| {
            TRADITIONAL
                .iter()
                .find_map(|p| {
                    let mut it = p.chars();
                    (it.next() == Some(c)).then(|| it.next().unwrap_or(c))
                })
                .unwrap_or(c)
        })
        .collect()
}

fn group_name(code: &str) -> &'static str {
    GROUPS.iter().find(|(c, _)| code.starts_with(c)).map_or("", |(_, n)| *n)
}

fn short_name(dept: &str) -> &str {
    dept.trim_start_matches("示例市").trim_start_matches("国家税务总局示例市")
}

// ---------------------------------------------------------------------------------------------
// The catalogue

fn weighted<T: Copy>(rng: &mut Rng, choices: &[(T, usize)]) -> T {
    let weights: Vec<usize> = choices.iter().map(|(_, w)| *w).collect();
    choices[rng.weighted(&weights)].0
}

fn name_of(rng: &mut Rng, dept: &Dept, subject: &str, interface: bool) -> String {
    let mut prefix = String::new();
    match rng.below(100) {
        0..20 => prefix = format!("{}年", 2016 + rng.below(10)),
        20..40 => prefix = rng.pick(DISTRICTS).to_string(),
        40..45 => prefix = format!("{}年{}", 2016 + rng.below(10), rng.pick(DISTRICTS)),
        45..50 => prefix = "全市".into(),
        _ => {}
    }
    let body = match rng.below(100) {
        0..40 => format!("{subject}{}{}", rng.pick(QUALIFIERS), rng.pick(SUFFIXES)),
        40..65 => format!("{subject}{}", rng.pick(SUFFIXES)),
        65..80 => {
            let other = rng.pick(dept.1);
            if *other == subject {
                format!("{subject}{}", rng.pick(SUFFIXES))
            } else {
                format!("{subject}和{other}{}", rng.pick(SUFFIXES))
            }
        }
        80..90 => format!("{subject}{}信息（{}年）", rng.pick(QUALIFIERS), 2016 + rng.below(10)),
        _ => format!("{subject}{}", rng.pick(&["GIS图层", "数据（JSON）", "统计（CSV）", "信息（XLSX）"])),
    };
    let body = if interface {
        let tail = rng.pick(&["查询接口", "API接口", "核验接口", "数据服务API", "实时查询服务"]);
        let stem = SUFFIXES.iter().find_map(|x| body.strip_suffix(x)).unwrap_or(&body);
        format!("{stem}{tail}")
    } else {
        body
    };
    format!("{prefix}{body}")
}

fn items_of(rng: &mut Rng, dept: &Dept) -> Vec<serde_json::Value> {
    let mut names: Vec<&str> = Vec::new();
    match rng.below(100) {
        0..50 => names.extend(PERSON_ITEMS.iter().take(3 + rng.below(PERSON_ITEMS.len() - 2))),
        50..85 => names.extend(ORG_ITEMS.iter().take(3 + rng.below(ORG_ITEMS.len() - 2))),
        _ => {}
    }
    for _ in 0..2 + rng.below(7) {
        names.push(*rng.pick(dept.2));
    }
    for _ in 0..rng.below(4) {
        names.push(*rng.pick(TAIL_ITEMS));
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(*n));
    names
        .into_iter()
        .map(|n| {
            let date = n.contains("日期") || n.contains("时间");
            let description = match rng.below(100) {
                0..8 if date => Some("格式为YYYY-MM-DD".to_string()),
                0..12 => Some(format!("{n}，按{}填写", rng.pick(STANDARDS))),
                _ => None,
            };
            let data_type = if date {
                "D"
            } else if n.contains("金额") || n.contains("数") {
                "N"
            } else {
                "C"
            };
            let length = (data_type == "C").then_some(100);
            json!({"name": n, "data_type": data_type, "length": length, "description": description})
        })
        .collect()
}

fn summary_of(rng: &mut Rng, provider: &str, subject: &str, items: &[serde_json::Value], cycle: &str) -> String {
    let scope = if rng.chance(30) { rng.pick(DISTRICTS) } else { "全市" };
    let mut s = match rng.below(3) {
        0 => format!(
            "{}在{}中{}的{subject}{}信息。",
            short_name(provider),
            rng.pick(BUSINESSES),
            rng.pick(VERBS),
            rng.pick(QUALIFIERS)
        ),
        1 => format!("记录{scope}{subject}的{}情况。", rng.pick(ASPECTS)),
        _ => format!("汇集{scope}{subject}相关数据。"),
    };
    let names: Vec<&str> = items.iter().filter_map(|i| i["name"].as_str()).collect();
    if names.len() >= 3 {
        let (a, b, c) = (rng.pick(&names), rng.pick(&names), rng.pick(&names));
        if rng.chance(50) {
            let _ = write!(s, "包括{a}、{b}、{c}等信息项。");
        } else {
            let _ = write!(s, "主要字段有{a}、{b}和{c}。");
        }
    }
    match rng.below(4) {
        0 => {
            let _ = write!(s, "{cycle}更新，可用于{}。", rng.pick(PURPOSES));
        }
        1 => {
            let _ = write!(s, "支撑{}等业务。", rng.pick(PURPOSES));
        }
        2 => {
            let _ = write!(s, "通过{}方式提供共享。", rng.pick(&["接口", "库表交换", "批量下载", "在线查询"]));
        }
        _ => {}
    }
    s
}

fn generate(n: usize) -> Vec<Entry> {
    let mut rng = Rng(SEED);
    let mut seq: BTreeMap<String, usize> = BTreeMap::new();
    let mut entries = Vec::with_capacity(n);
    // Larger departments publish more: weight by the number of subjects.
    let weights: Vec<usize> = DEPARTMENTS.iter().map(|d| d.1.len() * d.1.len()).collect();
    for id in 1..=n {
        let di = rng.weighted(&weights);
        let dept = &DEPARTMENTS[di];
        let dept_id = di as i64 + 1;
        let subject = *rng.pick(dept.1);
        let category = match rng.below(100) {
            0..45 => format!("307{:03}", di + 1),
            _ => rng.pick(dept.3).to_string(),
        };
        let format = weighted(
            &mut rng,
            &[
                ("database", 45),
                ("spreadsheet", 20),
                ("interface", 15),
                ("electronic_file", 10),
                ("image", 5),
                ("self_describing", 3),
                ("streaming", 2),
            ],
        );
        let subtype = SUBTYPES.iter().find(|(f, _)| *f == format).map(|(_, s)| *rng.pick(s));
        let share = weighted(&mut rng, &[("unconditional", 45), ("conditional", 45), ("not_shared", 10)]);
        let open = if share == "not_shared" {
            "not_open"
        } else {
            weighted(&mut rng, &[("unconditional", 15), ("conditional", 15), ("not_open", 70)])
        };
        let cycle = weighted(
            &mut rng,
            &[
                (UpdateCycle::Realtime, 5),
                (UpdateCycle::Daily, 15),
                (UpdateCycle::Weekly, 5),
                (UpdateCycle::TenDays, 2),
                (UpdateCycle::Monthly, 25),
                (UpdateCycle::Quarterly, 12),
                (UpdateCycle::HalfYearly, 5),
                (UpdateCycle::Yearly, 20),
                (UpdateCycle::Irregular, 11),
            ],
        );
        let status = weighted(
            &mut rng,
            &[
                (ResourceStatus::Published, 85),
                (ResourceStatus::Draft, 6),
                (ResourceStatus::Submitted, 3),
                (ResourceStatus::Withdrawn, 6),
            ],
        );
        let classified = rng.chance(3);
        let trad = rng.chance(2);
        let mut name = name_of(&mut rng, dept, subject, format == "interface");
        let mut items = items_of(&mut rng, dept);
        let mut summary = summary_of(&mut rng, dept.0, subject, &items, cycle.label());
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..rng.below(4) {
            let t = if rng.chance(40) { subject.to_string() } else { rng.pick(TAGS).to_string() };
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        if trad {
            name = traditional(&name);
            summary = traditional(&summary);
            for i in &mut items {
                let n = traditional(i["name"].as_str().unwrap_or_default());
                i["name"] = json!(n);
            }
            tags = tags.iter().map(|t| traditional(t)).collect();
        }
        let share_condition = (share == "conditional").then(|| match rng.below(3) {
            0 => format!("仅限{}使用", rng.pick(PURPOSES)),
            1 => format!("需经{}审核同意后共享", short_name(dept.0)),
            _ => format!("仅向具有{subject}管理职能的部门提供"),
        });
        let mut methods: Vec<&str> = ["api", "online_query", "bulk_download", "exchange", "verification"]
            .into_iter()
            .filter(|_| rng.chance(40))
            .collect();
        if methods.is_empty() {
            methods.push("api");
        }
        let spec: ResourceSpec = serde_json::from_value(json!({
            "category": category,
            "name": name,
            "provider_name": dept.0,
            "provider_code": format!("11350100MB{:07}X", 1000 + di),
            "provider_division": rng.chance(60).then(|| rng.pick(DIVISIONS).to_string()),
            "summary": summary,
            "format": {"class": format, "subtype": subtype},
            "data_items": items,
            "share_type": share,
            "share_condition": share_condition,
            "share_basis": (share == "not_shared").then(|| rng.pick(BASES).to_string()),
            "share_methods": methods,
            "open_type": open,
            "open_condition": (open == "conditional").then_some("需实名注册并签署数据使用协议"),
            "update_cycle": cycle.code(),
            "classified": classified,
            "tags": tags,
        }))
        .expect("a valid spec");
        let number = seq.entry(category.clone()).or_insert(0);
        *number += 1;
        let code = format!("{category}/{number:06}");
        let node = if category.starts_with("307") {
            short_name(dept.0)
        } else {
            NODES.iter().find(|(c, _)| *c == category).map_or("", |(_, n)| *n)
        };
        let ever_published = matches!(status, ResourceStatus::Published | ResourceStatus::Withdrawn);
        entries.push(Entry {
            id: id as i64,
            version: 1,
            code,
            department_id: dept_id,
            status,
            public: domain::catalog::visible_to_all(status, ever_published, classified),
            open: false,
            category_names: vec![group_name(&category).to_string(), node.to_string()],
            public_items: Vec::new(),
            spec,
        });
    }
    entries
}

// ---------------------------------------------------------------------------------------------
// The query mix

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Word,
    Partial,
    TwoWords,
    Ascii,
    Traditional,
    Item,
    Subject,
    Rare,
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::Word,
        Kind::Partial,
        Kind::TwoWords,
        Kind::Ascii,
        Kind::Traditional,
        Kind::Item,
        Kind::Subject,
        Kind::Rare,
    ];
    fn label(self) -> &'static str {
        match self {
            Kind::Word => "one word (低保, 营业执照)",
            Kind::Partial => "partial word (2–4 characters cut from a subject)",
            Kind::TwoWords => "two words (低保 名单, 鼓楼区 公交)",
            Kind::Ascii => "ASCII or mixed (API, GDP, PM2.5, 5G基站)",
            Kind::Traditional => "traditional script (營業執照)",
            Kind::Item => "data item name (公民身份号码)",
            Kind::Subject => "whole subject (城乡最低生活保障)",
            Kind::Rare => "rare or absent (量子通信, codes)",
        }
    }
}

#[derive(Debug, Clone)]
struct Query {
    kind: Kind,
    text: String,
    viewer: i64,
    share_type: Option<&'static str>,
    provider: Option<i64>,
    category: Option<&'static str>,
}

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "低保", "营业执照", "人口", "户籍", "法人", "社保", "不动产", "医疗机构", "学校", "公交", "公积金", "企业", "驾驶证",
    "机动车", "婚姻登记", "出生", "死亡", "养老", "失业", "就业", "工伤", "医保", "食品", "药品", "特种设备", "排污许可",
    "空气质量", "水质", "危险化学品", "律师", "公证", "法律援助", "旅游", "景区", "残疾人", "退役军人", "纳税", "发票",
    "纳税信用", "预算", "政府采购", "招标", "中标", "快递", "专利", "高新技术企业", "地名", "地址", "土地", "规划",
    "耕地", "测绘", "河长", "水库", "防汛", "气象", "降水", "台风", "预警", "失信", "信用", "失信被执行人", "行政处罚",
    "行政许可", "住房", "公租房", "预售", "网签", "物业", "燃气", "供水", "用电", "充电桩", "地铁", "客流", "出租车",
    "网约车", "道路运输", "学籍", "幼儿园", "教师资格", "招生", "资助", "培训", "补贴", "救助", "特困", "临时救助",
    "高龄津贴", "孤儿", "殡葬", "社会组织", "养老机构", "疫苗", "接种", "传染病", "健康档案", "妇幼", "急救", "统计",
    "普查", "价格", "粮食", "储备粮", "进出口", "报关", "外商投资", "宗教", "审计", "国有企业", "体育场馆", "信访",
    "小额贷款", "人防工程", "公园", "绿地", "古树名木", "志愿者", "献血", "华侨", "档案", "消防", "火灾", "垃圾分类",
    "户外广告", "城管", "政务服务", "一网通办", "好差评", "电子证照", "数据共享", "工业园区", "能耗", "专精特新",
    "公务用车", "名单", "登记",
];
const SECOND: &[&str] =
    &["名单", "统计", "登记", "注销", "许可", "台账", "明细", "补贴", "审批", "信息", "变更", "年度", "核查", "监管"];
const ASCII: &[&str] = &[
    "API",
    "api",
    "GDP",
    "PM2.5",
    "AQI",
    "5G",
    "GIS",
    "CPI",
    "ETC",
    "POI",
    "API 公交",
    "GIS 规划",
    "12345",
    "JSON",
    "5G基站",
    "API接口",
    "GDP 统计",
    "SHP",
    "CSV",
    "Oracle",
];
const RARE: &[&str] =
    &["火箭发射", "量子通信", "深海探测", "区块链", "元宇宙", "307005", "101002", "203001/0001", "卫星遥感"];
const CATEGORY_FILTERS: &[&str] =
    &["101", "102", "103", "104", "105", "201", "203", "209", "212", "307", "1", "2", "3", "101002", "203001"];

fn substring(rng: &mut Rng, s: &str, min: usize, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= min {
        return s.to_string();
    }
    let len = (min + rng.below(max - min + 1)).min(chars.len());
    let start = rng.below(chars.len() - len + 1);
    chars[start..start + len].iter().collect()
}

fn query_mix(n: usize) -> Vec<Query> {
    let mut rng = Rng(QUERY_SEED);
    let depts = DEPARTMENTS.len();
    (0..n)
        .map(|_| {
            let dept = rng.pick(DEPARTMENTS);
            let (kind, text) = match rng.below(100) {
                0..30 => (Kind::Word, rng.pick(WORDS).to_string()),
                30..45 => {
                    let subject = *rng.pick(dept.1);
                    (Kind::Partial, substring(&mut rng, subject, 2, 4))
                }
                45..62 => {
                    let first = rng.pick(WORDS).to_string();
                    let second = match rng.below(4) {
                        0 => rng.pick(DISTRICTS).to_string(),
                        1 => format!("{}年", 2016 + rng.below(10)),
                        _ => rng.pick(SECOND).to_string(),
                    };
                    (Kind::TwoWords, format!("{first} {second}"))
                }
                62..70 => (Kind::Ascii, rng.pick(ASCII).to_string()),
                70..77 => loop {
                    let word = *rng.pick(WORDS);
                    let t = traditional(word);
                    if t != word {
                        break (Kind::Traditional, t);
                    }
                },
                77..87 => {
                    let pool = match rng.below(3) {
                        0 => PERSON_ITEMS,
                        1 => ORG_ITEMS,
                        _ => dept.2,
                    };
                    (Kind::Item, rng.pick(pool).to_string())
                }
                87..96 => (Kind::Subject, rng.pick(dept.1).to_string()),
                _ => (Kind::Rare, rng.pick(RARE).to_string()),
            };
            let viewer = 1 + rng.below(depts) as i64;
            let mut q = Query { kind, text, viewer, share_type: None, provider: None, category: None };
            let share =
                |rng: &mut Rng| weighted(rng, &[("unconditional", 45), ("conditional", 45), ("not_shared", 10)]);
            match rng.below(100) {
                0..15 => q.share_type = Some(share(&mut rng)),
                15..25 => q.provider = Some(if rng.chance(50) { viewer } else { 1 + rng.below(depts) as i64 }),
                25..35 => q.category = Some(*rng.pick(CATEGORY_FILTERS)),
                35..40 => {
                    q.share_type = Some(share(&mut rng));
                    q.category = Some(*rng.pick(CATEGORY_FILTERS));
                }
                _ => {}
            }
            q
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Results of one query, the same shape from both sides

#[derive(Debug, Clone, Default, PartialEq)]
struct Answer {
    total: u64,
    /// Counts per dimension, in `Dimension::ALL` order.
    facets: Vec<BTreeMap<u64, u64>>,
    /// Names of the hits, best first.
    hits: Vec<String>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn p50_p99(v: &[f64]) -> (f64, f64) {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    (percentile(&v, 0.5), percentile(&v, 0.99))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What each side measured.
struct Side {
    build: Duration,
    size_bytes: u64,
    latencies: Vec<f64>,
    throughput: f64,
    throughput_queries: usize,
    answers: Vec<Answer>,
    samples: Vec<Answer>,
    /// Share of the machine's CPU that other processes used while this side was measured.
    others: f64,
}

// ---------------------------------------------------------------------------------------------
// The machine is shared: how much CPU did other processes take during a measurement?

/// Clock ticks per second of /proc (USER_HZ, 100 on Linux).
const TICKS: f64 = 100.0;

/// CPU seconds used so far by the whole machine, by this process and by PostgreSQL's server
/// processes (the postmaster's reaped children, such as parallel workers, included).
struct Cpu {
    at: Instant,
    machine: f64,
    own: f64,
    postgres: f64,
}

/// utime + stime (+ cutime + cstime) of a /proc/<pid>/stat line, and the command name.
fn proc_times(stat: &str, children: bool) -> Option<(&str, f64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let own = n(11) + n(12);
    Some((&stat[open + 1..close], if children { own + n(13) + n(14) } else { own }))
}

fn cpu_now() -> Cpu {
    let machine = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| s.lines().next().map(str::to_string))
        .map(|l| {
            let v: Vec<f64> = l.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
            // user nice system idle iowait irq softirq steal: everything but idle and iowait.
            v.iter().take(8).enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, x)| x).sum::<f64>()
        })
        .unwrap_or(0.0);
    let own = std::fs::read_to_string("/proc/self/stat").ok().and_then(|s| proc_times(&s, false).map(|t| t.1));
    let mut postgres = 0.0;
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if !e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Ok(stat) = std::fs::read_to_string(e.path().join("stat"))
            && let Some(("postgres", t)) = proc_times(&stat, true)
        {
            postgres += t;
        }
    }
    Cpu { at: Instant::now(), machine: machine / TICKS, own: own.unwrap_or(0.0) / TICKS, postgres: postgres / TICKS }
}

/// The share of the machine's CPU (all cores) other processes used since `start`.
fn others_since(start: &Cpu) -> f64 {
    let end = cpu_now();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let other = (end.machine - start.machine) - (end.own - start.own) - (end.postgres - start.postgres);
    (other / (end.at - start.at).as_secs_f64() / cores).clamp(0.0, 1.0)
}

// ---------------------------------------------------------------------------------------------
// govshare

fn request(q: &Query) -> SearchRequest {
    let mut r = SearchRequest::new(&q.text, Viewer::Department(q.viewer));
    if let Some(s) = q.share_type {
        r.filter("share_type", s).expect("share type");
    }
    if let Some(p) = q.provider {
        r.filter("provider", &p.to_string()).expect("provider");
    }
    if let Some(c) = q.category {
        r.filter("category", c).expect("category");
    }
    r
}

fn gs_answer(index: &CatalogIndex, req: &SearchRequest) -> Answer {
    let r = index.search(req).expect("search");
    Answer {
        total: r.total as u64,
        facets: r.facets.into_iter().map(|(_, m)| m).collect(),
        hits: r.hits.into_iter().map(|h| h.entry.name).collect(),
    }
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn segments(dir: &std::path::Path) -> usize {
    std::fs::read_to_string(dir.join("meta.json"))
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|m| m["segments"].as_array().map(Vec::len))
        .unwrap_or(0)
}

fn govshare(entries: &[Entry], mix: &[Query], samples: &[Query]) -> (Side, usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = CatalogIndex::open(dir.path()).expect("open index");
    let cpu = cpu_now();
    log(&format!("govshare: building the index of {} entries in {}", entries.len(), dir.path().display()));
    let t = Instant::now();
    let n = index.replace_all(entries.iter().cloned()).expect("build");
    let build = t.elapsed();
    assert_eq!(n, entries.len());
    let segs = segments(dir.path());
    let size_bytes = dir_size(dir.path());
    log(&format!("  {:.1} s, {} segments, {:.0} MiB", build.as_secs_f64(), segs, size_bytes as f64 / 1048576.0));

    let requests: Vec<SearchRequest> = mix.iter().map(request).collect();
    log("govshare: warm-up pass (answers kept for the comparison)");
    let answers: Vec<Answer> = requests.iter().map(|r| gs_answer(&index, r)).collect();
    log("govshare: latency, one thread");
    let mut latencies = Vec::with_capacity(requests.len());
    for r in &requests {
        let t = Instant::now();
        let res = index.search(r).expect("search");
        latencies.push(ms(t.elapsed()));
        std::hint::black_box(res);
    }
    log(&format!("govshare: throughput, {THREADS} threads × {GS_THROUGHPUT_PASSES} passes"));
    let next = AtomicUsize::new(0);
    let total = requests.len() * GS_THROUGHPUT_PASSES;
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    std::hint::black_box(index.search(&requests[i % requests.len()]).expect("search"));
                }
            });
        }
    });
    let throughput = total as f64 / t.elapsed().as_secs_f64();
    let others = others_since(&cpu);
    log(&format!("  other processes used {:.0}% of the machine's CPU meanwhile", others * 100.0));
    let samples = samples.iter().map(|q| gs_answer(&index, &request(q))).collect();
    let side = Side { build, size_bytes, latencies, throughput, throughput_queries: total, answers, samples, others };
    (side, segs)
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL with pg_trgm

/// Trigram similarity of the query text to the (closest part of the) name. Adding the summary's
/// similarity would double the time of broad queries (measured at 200,000 entries), so it is left out.
const RANK: &str = "word_similarity($1, name)";

const DIMENSION_COLUMNS: [&str; 7] =
    ["category_head", "department", "share_type", "open_type", "format", "update_cycle", "status"];

enum Bind {
    Text(String),
    Int(i64),
}

struct PgQuery {
    sql: String,
    binds: Vec<Bind>,
}

fn like_pattern(term: &str) -> String {
    let mut s = String::from("%");
    for c in term.chars() {
        if matches!(c, '\\' | '%' | '_') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

fn pg_query(q: &Query) -> PgQuery {
    let mut binds = vec![Bind::Text(q.text.clone())];
    let mut conds = Vec::new();
    for term in q.text.split_whitespace() {
        binds.push(Bind::Text(like_pattern(term)));
        // Ideographs have no case: plain LIKE (a byte comparison) unless the term has letters.
        let op = if term.chars().any(|c| c.is_alphabetic() && c.is_ascii()) { "ILIKE" } else { "LIKE" };
        conds.push(format!("doc {op} ${}", binds.len()));
    }
    binds.push(Bind::Int(q.viewer));
    conds.push(format!("(public OR department = ${})", binds.len()));
    let withdrawn = position(ResourceStatus::ALL, &ResourceStatus::Withdrawn);
    conds.push(format!("status <> {withdrawn}"));
    if let Some(s) = q.share_type {
        binds.push(Bind::Int(Dimension::ShareType.parse_value(s).expect("share type") as i64));
        conds.push(format!("share_type = ${}", binds.len()));
    }
    if let Some(p) = q.provider {
        binds.push(Bind::Int(p));
        conds.push(format!("department = ${}", binds.len()));
    }
    if let Some(c) = q.category {
        binds.push(Bind::Text(format!("{c}%")));
        conds.push(format!("category LIKE ${}", binds.len()));
    }
    let dims = DIMENSION_COLUMNS.join(", ");
    let sets = DIMENSION_COLUMNS.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(", ");
    let value = DIMENSION_COLUMNS.iter().map(|c| format!("{c}::bigint")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "WITH m AS MATERIALIZED (\
           SELECT id, {dims}, {RANK} AS rank FROM entries WHERE {conds}), \
         top AS (SELECT id, rank FROM m ORDER BY rank DESC, id DESC LIMIT {LIMIT}) \
         SELECT 0 AS kind, 0 AS grp, t.id AS value, t.rank::float8 AS score, e.code, e.name, e.summary, e.provider, \
                e.items \
           FROM top t JOIN entries e ON e.id = t.id \
         UNION ALL \
         SELECT 1, GROUPING({dims}), COALESCE({value}, -1), count(*)::float8, NULL, NULL, NULL, NULL, NULL \
           FROM m GROUP BY GROUPING SETS ((), {sets})",
        conds = conds.join(" AND "),
    );
    PgQuery { sql, binds }
}

async fn pg_answer(conn: &mut PgConnection, q: &PgQuery) -> Answer {
    let mut query = sqlx::query(AssertSqlSafe(q.sql.as_str()));
    for b in &q.binds {
        query = match b {
            Bind::Text(s) => query.bind(s.as_str()),
            Bind::Int(i) => query.bind(*i),
        };
    }
    let rows = query.fetch_all(&mut *conn).await.expect("PostgreSQL query");
    let mut answer = Answer { facets: vec![BTreeMap::new(); 7], ..Answer::default() };
    let mut hits: Vec<(f64, i64, String)> = Vec::new();
    for row in rows {
        let kind: i32 = row.get(0);
        let grp: i32 = row.get(1);
        let value: i64 = row.get(2);
        let score: f64 = row.get(3);
        if kind == 0 {
            hits.push((score, value, row.get(5)));
            continue;
        }
        if grp == 127 {
            answer.total = score as u64;
            continue;
        }
        // GROUPING(c0 … c6) sets the bit of every column not grouped; c0 is the highest bit.
        if let Some(i) = (0..7).find(|i| grp == 127 & !(1 << (6 - i))) {
            answer.facets[i].insert(value as u64, score as u64);
        }
    }
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    answer.hits = hits.into_iter().map(|h| h.2).collect();
    answer
}

fn copy_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
}

/// One entry as a line of `COPY … FROM STDIN` (text format), the same text govshare indexes.
fn copy_line(e: &Entry, out: &mut String) {
    let s = &e.spec;
    let items: Vec<String> =
        s.data_items.iter().flat_map(|i| std::iter::once(i.name.clone()).chain(i.description.clone())).collect();
    let mut other: Vec<String> = Vec::new();
    other.extend(s.provider_division.clone());
    other.extend(s.share_condition.clone());
    other.extend(s.format.subtype.clone());
    let texts = [
        e.code.clone(),
        s.name.clone(),
        s.summary.clone(),
        items.join(" "),
        s.provider_name.clone(),
        s.tags.join(" "),
        e.category_names.join(" "),
        other.join(" "),
        s.category.as_str().to_string(),
    ];
    let _ = write!(out, "{}", e.id);
    for t in texts {
        out.push('\t');
        copy_text(&t, out);
    }
    let numbers = [
        search::facets::category_value(s.category.as_str()).unwrap_or(0),
        e.department_id as u64,
        u64::from(e.public),
        position(ResourceStatus::ALL, &e.status),
        position(ShareType::ALL, &s.share_type),
        position(OpenType::ALL, &s.open_type),
        position(FormatClass::ALL, &s.format.class),
        position(UpdateCycle::ALL, &s.update_cycle),
    ];
    for (i, n) in numbers.iter().enumerate() {
        out.push('\t');
        if i == 2 {
            out.push_str(if *n == 1 { "t" } else { "f" });
        } else {
            let _ = write!(out, "{n}");
        }
    }
    out.push('\n');
}

async fn connect(url: &str, schema: &str, trgm_schema: &str) -> PgConnection {
    let mut conn = PgConnection::connect(url).await.expect("connect to PostgreSQL");
    let setup = format!(
        "SET search_path = {schema}, {trgm_schema}; SET plan_cache_mode = force_custom_plan; SET jit = off; \
         SET work_mem = '16MB'"
    );
    sqlx::raw_sql(AssertSqlSafe(setup)).execute(&mut conn).await.expect("session settings");
    conn
}

struct PgInfo {
    version: String,
    trgm: String,
    table_bytes: u64,
    index_bytes: u64,
    tsvector: (i64, i64),
}

/// Loads and measures PostgreSQL in a schema of its own, dropped at the end. With `keep` (development):
/// only loads the entries into that schema and leaves it there.
async fn postgres(
    url: &str,
    entries: &[Entry],
    mix: &[Query],
    samples: &[Query],
    keep: Option<&str>,
) -> Option<(Side, PgInfo)> {
    let schema = keep.map_or_else(|| format!("gs_bench_search_{}", std::process::id()), str::to_string);
    let mut admin = PgConnection::connect(url).await.expect("connect to PostgreSQL");
    let version: String =
        sqlx::query_scalar("SELECT current_setting('server_version')").fetch_one(&mut admin).await.expect("version");
    sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute(&mut admin).await.expect("pg_trgm");
    let (trgm, trgm_schema): (String, String) = sqlx::query_as(
        "SELECT extversion, extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'",
    )
    .fetch_one(&mut admin)
    .await
    .expect("pg_trgm version");
    sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")))
        .execute(&mut admin)
        .await
        .expect("schema");
    if keep.is_some() {
        let mut conn = connect(url, &schema, &trgm_schema).await;
        load(&mut conn, entries).await;
        log(&format!("loaded into schema {schema}, kept; e.g.\n{}", pg_query(&mix[0]).sql));
        return None;
    }
    let result = postgres_in(url, &schema, &trgm_schema, entries, mix, samples).await;
    sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&mut admin).await.expect("drop");
    let (side, table_bytes, index_bytes, tsvector) = result;
    Some((side, PgInfo { version, trgm, table_bytes, index_bytes, tsvector }))
}

/// Creates and fills the table with its indexes: the time it took, table and index sizes.
async fn load(conn: &mut PgConnection, entries: &[Entry]) -> (Duration, i64, i64) {
    sqlx::raw_sql(
        "CREATE TABLE entries (
            id bigint PRIMARY KEY,
            code text NOT NULL,
            name text NOT NULL,
            summary text NOT NULL,
            items text NOT NULL,
            provider text NOT NULL,
            tags text NOT NULL,
            category_names text NOT NULL,
            other text NOT NULL,
            category text NOT NULL,
            category_head smallint NOT NULL,
            department bigint NOT NULL,
            public boolean NOT NULL,
            status smallint NOT NULL,
            share_type smallint NOT NULL,
            open_type smallint NOT NULL,
            format smallint NOT NULL,
            update_cycle smallint NOT NULL,
            doc text GENERATED ALWAYS AS (name || ' ' || summary || ' ' || items || ' ' || provider || ' ' || tags
                || ' ' || category_names || ' ' || code || ' ' || other) STORED
        )",
    )
    .execute(&mut *conn)
    .await
    .expect("create table");
    // The COPY text is prepared before the clock starts, as govshare's entries are.
    let mut chunks: Vec<String> = Vec::new();
    let mut buf = String::new();
    for e in entries {
        copy_line(e, &mut buf);
        if buf.len() > 1 << 20 {
            chunks.push(std::mem::take(&mut buf));
        }
    }
    chunks.push(buf);
    log(&format!("PostgreSQL: loading {} entries (COPY, GIN trigram index, ANALYZE)", entries.len()));
    let t = Instant::now();
    let mut copy = conn
        .copy_in_raw(
            "COPY entries (id, code, name, summary, items, provider, tags, category_names, other, category, \
             category_head, department, public, status, share_type, open_type, format, update_cycle) FROM STDIN",
        )
        .await
        .expect("copy");
    for c in &chunks {
        copy.send(c.as_bytes()).await.expect("copy data");
    }
    copy.finish().await.expect("copy finish");
    let loaded = t.elapsed();
    sqlx::raw_sql(
        "SET maintenance_work_mem = '256MB';
         CREATE INDEX entries_doc_trgm ON entries USING gin (doc gin_trgm_ops);
         CREATE INDEX entries_department ON entries (department);
         ANALYZE entries;",
    )
    .execute(&mut *conn)
    .await
    .expect("index");
    let build = t.elapsed();
    let (table_bytes, index_bytes): (i64, i64) =
        sqlx::query_as("SELECT pg_table_size('entries'), pg_indexes_size('entries')")
            .fetch_one(&mut *conn)
            .await
            .expect("sizes");
    log(&format!(
        "  {:.1} s (COPY {:.1} s), table {:.0} MiB, indexes {:.0} MiB",
        build.as_secs_f64(),
        loaded.as_secs_f64(),
        table_bytes as f64 / 1048576.0,
        index_bytes as f64 / 1048576.0
    ));
    (build, table_bytes, index_bytes)
}

async fn postgres_in(
    url: &str,
    schema: &str,
    trgm_schema: &str,
    entries: &[Entry],
    mix: &[Query],
    samples: &[Query],
) -> (Side, u64, u64, (i64, i64)) {
    let mut conn = connect(url, schema, trgm_schema).await;
    let cpu = cpu_now();
    let (build, table_bytes, index_bytes) = load(&mut conn, entries).await;
    let queries: Vec<PgQuery> = mix.iter().map(pg_query).collect();
    log("PostgreSQL: warm-up pass (answers kept for the comparison)");
    let mut answers = Vec::with_capacity(queries.len());
    for q in &queries {
        answers.push(pg_answer(&mut conn, q).await);
    }
    log("PostgreSQL: latency, one connection");
    let mut latencies = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        std::hint::black_box(pg_answer(&mut conn, q).await);
        latencies.push(ms(t.elapsed()));
    }
    log(&format!("PostgreSQL: throughput, {THREADS} connections × 1 pass"));
    let queries = std::sync::Arc::new(queries);
    let next = std::sync::Arc::new(AtomicUsize::new(0));
    let mut conns = Vec::new();
    for _ in 0..THREADS {
        let mut c = connect(url, schema, trgm_schema).await;
        pg_answer(&mut c, &queries[0]).await; // connected and session set up before the clock
        conns.push(c);
    }
    let t = Instant::now();
    let mut tasks = Vec::new();
    for mut c in conns {
        let (queries, next) = (queries.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= queries.len() {
                    break;
                }
                std::hint::black_box(pg_answer(&mut c, &queries[i]).await);
            }
        }));
    }
    for task in tasks {
        task.await.expect("client");
    }
    let throughput = queries.len() as f64 / t.elapsed().as_secs_f64();
    let others = others_since(&cpu);
    log(&format!("  other processes used {:.0}% of the machine's CPU meanwhile", others * 100.0));
    let mut sample_answers = Vec::new();
    for q in samples {
        sample_answers.push(pg_answer(&mut conn, &pg_query(q)).await);
    }
    // What full-text search with the 'simple' configuration finds for a two-character word,
    // against the substring count.
    let tsvector: (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE to_tsvector('simple', doc) @@ plainto_tsquery('simple', '低保')),
                count(*) FILTER (WHERE doc LIKE '%低保%') FROM entries",
    )
    .fetch_one(&mut conn)
    .await
    .expect("tsvector check");
    let side = Side {
        build,
        size_bytes: (table_bytes + index_bytes) as u64,
        latencies,
        throughput,
        throughput_queries: queries.len(),
        answers,
        samples: sample_answers,
        others,
    };
    (side, table_bytes as u64, index_bytes as u64, tsvector)
}

// ---------------------------------------------------------------------------------------------
// Report

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().into())
        })
        .unwrap_or_else(|| "?".to_string());
    let mem_kib: u64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0);
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores ({cpu}), {} GiB, Linux {}", mem_kib / (1024 * 1024), release.trim())
}

/// Today's date (UTC), from the system clock.
fn today() -> String {
    let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400);
    // Howard Hinnant's days-to-civil.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn filters_label(q: &Query) -> String {
    let mut f = Vec::new();
    if let Some(s) = q.share_type {
        f.push(format!("share_type={s}"));
    }
    if let Some(p) = q.provider {
        f.push(format!("provider={p}"));
    }
    if let Some(c) = q.category {
        f.push(format!("category={c}"));
    }
    f.join(", ")
}

fn sample_queries() -> Vec<Query> {
    let q = |text: &str| Query {
        kind: Kind::Word,
        text: text.to_string(),
        viewer: 2,
        share_type: None,
        provider: None,
        category: None,
    };
    let mut v: Vec<Query> =
        ["低保", "营业执照", "注册地", "公民身份号码", "企业地址", "醫療機構", "API 公交", "ＧＤＰ"]
            .iter()
            .map(|t| q(t))
            .collect();
    let mut f = q("养老");
    f.share_type = Some("conditional");
    f.category = Some("203");
    v.push(f);
    v
}

fn report(args: &Args, mix: &[Query], gs: &Side, segs: usize, pg: &Side, info: &PgInfo, samples: &[Query]) -> String {
    let (g50, g99) = p50_p99(&gs.latencies);
    let (p50, p99) = p50_p99(&pg.latencies);
    let ratio = gs.throughput / pg.throughput;
    let ok = |b: bool| if b { "yes" } else { "**no**" };
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "Run {} on {}; {} catalogue entries, {} queries; PostgreSQL {}, pg_trgm {}. Command: `bench/run --section search` \
         (SEARCH_ENTRIES={}).\n",
        today(),
        machine(),
        thousands(args.entries as u64),
        thousands(mix.len() as u64),
        info.version,
        info.trgm,
        args.entries
    );
    let _ = writeln!(w, "| Measure | govshare | PostgreSQL + pg_trgm | Target | Met |");
    let _ = writeln!(w, "|---|---:|---:|---|---|");
    let _ = writeln!(
        w,
        "| Index build, {} entries, s (govshare: `replace_all` + commit on disk; PostgreSQL: COPY + GIN trigram index + \
         ANALYZE) | {:.1} | {:.1} | | |",
        thousands(args.entries as u64),
        gs.build.as_secs_f64(),
        pg.build.as_secs_f64()
    );
    let _ = writeln!(
        w,
        "| Size on disk, MiB (govshare: index directory, {segs} segments; PostgreSQL: table {:.0} + indexes {:.0}) | \
         {:.0} | {:.0} | | |",
        info.table_bytes as f64 / 1048576.0,
        info.index_bytes as f64 / 1048576.0,
        gs.size_bytes as f64 / 1048576.0,
        pg.size_bytes as f64 / 1048576.0
    );
    let _ = writeln!(
        w,
        "| Query latency p50, ms (one client, {} queries) | {g50:.2} | {p50:.2} | | |",
        thousands(mix.len() as u64)
    );
    let _ = writeln!(w, "| Query latency p99, ms | {g99:.2} | {p99:.2} | < 20 ms | {} |", ok(g99 < 20.0));
    let _ = writeln!(
        w,
        "| Throughput, queries/s (two clients; govshare {} queries, PostgreSQL {}) | {:.0} | {:.1} | ≥ 10× PostgreSQL | \
         {} ({ratio:.0}×) |",
        thousands(gs.throughput_queries as u64),
        thousands(pg.throughput_queries as u64),
        gs.throughput,
        pg.throughput,
        ok(ratio >= 10.0)
    );

    // Per kind of query.
    let _ = writeln!(w, "\nBy kind of query (latency p50 / p99 in ms; mean matches per query):\n");
    let _ = writeln!(w, "| Queries | n | govshare | PostgreSQL | matches govshare | matches PostgreSQL |");
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|");
    for kind in Kind::ALL {
        let idx: Vec<usize> = (0..mix.len()).filter(|i| mix[*i].kind == kind).collect();
        if idx.is_empty() {
            continue;
        }
        let lat = |s: &Side| p50_p99(&idx.iter().map(|i| s.latencies[*i]).collect::<Vec<_>>());
        let mean = |s: &Side| idx.iter().map(|i| s.answers[*i].total as f64).sum::<f64>() / idx.len() as f64;
        let (a50, a99) = lat(gs);
        let (b50, b99) = lat(pg);
        let _ = writeln!(
            w,
            "| {} | {} | {a50:.2} / {a99:.2} | {b50:.1} / {b99:.1} | {:.0} | {:.0} |",
            kind.label(),
            idx.len(),
            mean(gs),
            mean(pg)
        );
    }
    let filtered: Vec<usize> = (0..mix.len()).filter(|i| !filters_label(&mix[*i]).is_empty()).collect();

    // Agreement.
    let n = mix.len();
    let same = (0..n).filter(|i| gs.answers[*i].total == pg.answers[*i].total).count();
    let same_facets = (0..n)
        .filter(|i| gs.answers[*i].total == pg.answers[*i].total && gs.answers[*i].facets == pg.answers[*i].facets)
        .count();
    let more = (0..n).filter(|i| gs.answers[*i].total > pg.answers[*i].total).count();
    // What PostgreSQL finds should be a subset of what govshare finds: then its total and every one
    // of its facet counts are at most govshare's.
    let within = |g: &Answer, p: &Answer| {
        p.total <= g.total
            && p.facets.iter().zip(&g.facets).all(|(pf, gf)| pf.iter().all(|(v, c)| gf.get(v).is_some_and(|x| c <= x)))
    };
    let subset = (0..n).filter(|i| within(&gs.answers[*i], &pg.answers[*i])).count();
    let fewer: Vec<usize> = (0..n).filter(|i| gs.answers[*i].total < pg.answers[*i].total).collect();
    let same_simplified = (0..n)
        .filter(|i| matches!(mix[*i].kind, Kind::Word | Kind::Partial | Kind::Subject | Kind::Item))
        .filter(|i| gs.answers[*i].total == pg.answers[*i].total)
        .count();
    let simplified =
        (0..n).filter(|i| matches!(mix[*i].kind, Kind::Word | Kind::Partial | Kind::Subject | Kind::Item)).count();
    let _ = writeln!(
        w,
        "\nSame answers? Over the {} queries of the mix ({} with facet filters), both sides return the same total on \
         {same} ({same_simplified} of the {simplified} one-term queries in simplified script), and the same total and \
         the same counts in all seven facets on {same_facets}; govshare finds more on {more}, PostgreSQL more on {}. \
         On {} of the {} queries PostgreSQL's total and each of its facet counts are at most govshare's (as \
         they must be if what PostgreSQL finds is a subset of what govshare finds). A few, asked by department 2 \
         (民政局):\n",
        thousands(n as u64),
        filtered.len(),
        fewer.len(),
        thousands(subset as u64),
        thousands(n as u64)
    );
    let _ = writeln!(w, "| Query | govshare total | PostgreSQL total | govshare first hit | PostgreSQL first hit |");
    let _ = writeln!(w, "|---|---:|---:|---|---|");
    for (i, q) in samples.iter().enumerate() {
        let (a, b) = (&gs.samples[i], &pg.samples[i]);
        let f = filters_label(q);
        let label = if f.is_empty() { format!("`{}`", q.text) } else { format!("`{}` ({f})", q.text) };
        let first = |x: &Answer| x.hits.first().cloned().unwrap_or_else(|| "—".into());
        let _ =
            writeln!(w, "| {label} | {} | {} | {} | {} |", thousands(a.total), thousands(b.total), first(a), first(b));
    }
    let differing = (0..n).filter(|i| gs.answers[*i].total != pg.answers[*i].total);
    let facets_differ = (0..n)
        .filter(|i| gs.answers[*i].total == pg.answers[*i].total)
        .filter(|i| gs.answers[*i].facets != pg.answers[*i].facets);
    let outside = (0..n).filter(|i| !within(&gs.answers[*i], &pg.answers[*i]));
    for i in fewer
        .iter()
        .copied()
        .chain(facets_differ)
        .chain(outside)
        .chain(differing.filter(|i| mix[*i].kind != Kind::Traditional))
        .take(12)
    {
        log(&format!(
            "answers differ: {:?} ({:?} {}) → govshare {}, PostgreSQL {}",
            mix[i].text,
            mix[i].kind,
            filters_label(&mix[i]),
            gs.answers[i].total,
            pg.answers[i].total
        ));
    }
    let (ts, like) = info.tsvector;
    let _ = writeln!(
        w,
        "\nHow it is measured: the bench generates the catalogue (seeded, the same on every run): {} departments of \
         a city with their own subjects and data items; names combine year, district, subject, qualifier and kind \
         (信息/名单/台账/目录/统计表 …); 45% of the entries in their department's 307 category, the rest in base (1xx) \
         and theme (2xx) categories; 85% published, 6% drafts, 3% submitted, 6% withdrawn; 3% classified; 2% written \
         in traditional script. The mix of queries is seeded too; {} of them carry filters (share type, provider, \
         category, or share type and category) and each is asked by one of the departments, so visibility \
         (published and not classified, or the asker's own) applies on both sides. Each query is answered \
         completely on both sides: top {LIMIT} hits, the total, and counts for the seven facets (category 类+项, \
         provider, share type, open type, format, update cycle, status). govshare is `CatalogIndex::search` in \
         process, on the on-disk index `replace_all` has just built, hits included (stored summaries, highlights). \
         Each side runs the mix once as a warm-up (the answers compared above come from this pass), then once on \
         one client for latency, then on two clients that take queries from a shared counter for throughput \
         (govshare {GS_THROUGHPUT_PASSES} passes, PostgreSQL one). govshare is measured first and PostgreSQL after; \
         nothing else of the bench runs meanwhile, and the client and the database share the machine's cores. \
         Other processes on the machine used {:.0}% of its CPU while govshare was measured and {:.0}% while \
         PostgreSQL was (from /proc: the machine's busy time less the bench's and PostgreSQL's own).",
        DEPARTMENTS.len(),
        filtered.len(),
        gs.others * 100.0,
        pg.others * 100.0
    );
    let _ = writeln!(
        w,
        "\nThe peer: PostgreSQL's built-in text search does not segment Chinese (with 'simple' a run of ideographs is \
         one lexeme: `to_tsvector('simple', doc) @@ plainto_tsquery('simple', '低保')` finds {} entries where \
         `doc LIKE '%低保%'` finds {}; zhparser and pg_jieba are not part of stock PostgreSQL), so a CKAN without Solr \
         is left with substring search, which pg_trgm indexes. The same text govshare indexes (name, summary, data \
         items and their descriptions, provider, tags, category names, code, division, share condition, format \
         subtype) is one `doc` column with a GIN `gin_trgm_ops` index. A query is one statement over a local \
         connection: every term `doc LIKE '%term%'` (`ILIKE` when the term has ASCII letters), visibility and \
         filters; the matching rows materialised once; top {LIMIT} by `{RANK}` (ranking by the summary too doubled \
         the time of broad queries); the total and the seven facet counts in one pass by `GROUP BY GROUPING SETS`. \
         Sessions use `plan_cache_mode = force_custom_plan` (each pattern planned with its own selectivity), \
         `jit = off`, `work_mem = 16MB`; the index is built with `maintenance_work_mem = 256MB`; parallel query is \
         left on (PostgreSQL's default), so a single client's table scans use both cores. pg_trgm cannot use its \
         index for a term of fewer than three characters, and most Chinese words have two: those queries scan the \
         table.",
        thousands(ts as u64),
        thousands(like as u64)
    );
    let _ = writeln!(
        w,
        "\nWhere the answers differ: govshare folds traditional/simplified script and full-width/half-width forms \
         (PostgreSQL does not: 醫療機構 and ＧＤＰ find only entries written that way, and simplified queries miss \
         the traditional-script entries), and it also matches a term whose jieba words all occur in the entry \
         without being adjacent (企业地址 finds 企业注册地址; 排污许可 finds an entry with the items 排污单位名称 and \
         许可证编号); a term with punctuation (PM2.5) is matched as its runs (pm2, 5). {} Rankings differ by design \
         (fixed field weights, name first then summary, against trigram similarity to the name).",
        if fewer.is_empty() && same_facets == same && subset == n {
            "In this run govshare never found fewer entries than PostgreSQL, wherever the totals agree all seven facet \
             counts agree too, and no facet count of PostgreSQL's exceeds govshare's."
                .to_string()
        } else {
            format!(
                "In this run PostgreSQL found more than govshare on {} queries, the facet counts differ on {} \
                 queries with equal totals and {} queries have a PostgreSQL facet count above govshare's (the bench \
                 logs them): to be examined.",
                fewer.len(),
                same - same_facets,
                n - subset
            )
        }
    );
    out
}

fn write_section(body: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/README.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let (start, end) = ("<!-- section:search -->", "<!-- /section:search -->");
    let block = format!("{start}\n## Search (issue 5)\n\n{}\n{end}", body.trim_end());
    let text = match (text.find(start), text.find(end)) {
        (Some(a), Some(b)) if a < b => format!("{}{block}{}", &text[..a], &text[b + end.len()..]),
        _ => format!("{}\n\n{block}\n", text.trim_end()),
    };
    std::fs::write(&path, text).expect("write bench/README.md");
    log(&format!("wrote the search section of {}", path.display()));
}

fn main() {
    let Some(args) = args() else { return };
    let t = Instant::now();
    log(&format!("generating {} entries and {} queries", args.entries, args.queries));
    let entries = generate(args.entries);
    let mix = query_mix(args.queries);
    let samples = sample_queries();
    log(&format!("  {:.1} s", t.elapsed().as_secs_f64()));
    if let Some(schema) = &args.load_schema {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("rt");
        runtime.block_on(postgres(&args.postgres, &entries, &mix, &samples, Some(schema)));
        return;
    }
    if let Some(q) = &args.repeat_query {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = CatalogIndex::open(dir.path()).expect("open index");
        index.replace_all(entries.iter().cloned()).expect("build");
        let req = SearchRequest::new(q, Viewer::Department(2));
        let total = index.search(&req).expect("search").total;
        log(&format!("repeating {q:?} ({total} matches)"));
        let t = Instant::now();
        for _ in 0..300 {
            std::hint::black_box(index.search(&req).expect("search"));
        }
        log(&format!("  mean {:.2} ms", ms(t.elapsed()) / 300.0));
        return;
    }

    let (gs, segs) = govshare(&entries, &mix, &samples);
    let (g50, g99) = p50_p99(&gs.latencies);
    log(&format!("  govshare p50 {g50:.2} ms, p99 {g99:.2} ms, {:.0} queries/s", gs.throughput));
    if args.govshare_only {
        for kind in Kind::ALL {
            let v: Vec<f64> = (0..mix.len()).filter(|i| mix[*i].kind == kind).map(|i| gs.latencies[i]).collect();
            let (a, b) = p50_p99(&v);
            log(&format!("  {kind:?}: p50 {a:.2} ms, p99 {b:.2} ms"));
        }
        let mut slow: Vec<usize> = (0..mix.len()).collect();
        slow.sort_by(|a, b| gs.latencies[*b].total_cmp(&gs.latencies[*a]));
        for i in slow.into_iter().take(15) {
            let q = &mix[i];
            log(&format!("  {:.2} ms {:?} {} → {}", gs.latencies[i], q.text, filters_label(q), gs.answers[i].total));
        }
        return;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(THREADS).enable_all().build().expect("rt");
    let (pg, info) = runtime.block_on(postgres(&args.postgres, &entries, &mix, &samples, None)).expect("measured");
    let (p50, p99) = p50_p99(&pg.latencies);
    log(&format!("  PostgreSQL p50 {p50:.2} ms, p99 {p99:.2} ms, {:.1} queries/s", pg.throughput));

    let body = report(&args, &mix, &gs, segs, &pg, &info, &samples);
    println!("{body}");
    if args.readme {
        write_section(&body);
    }
}
