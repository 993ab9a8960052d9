//! Names of things (companies, schools, hospitals, parks, projects …) composed from word lists,
//! and the families they belong to.
//!
//! A [`Family`] is a union of templates; a template is a sequence of literal parts and word
//! lists. Every name of a family has an index in `0..cap()`, and two indexes never give the same
//! name (the templates are disjoint), so a name can serve as a key: the `k`-th row's key is the
//! `k`-th name.

use super::rng::Rng;
use super::words::*;

/// One part of a name template.
#[derive(Debug)]
pub(super) enum Part {
    /// Literal text.
    L(&'static str),
    /// One word of a list.
    W(&'static [&'static str]),
    /// A number `1..=n`.
    N(u32),
    /// The name of a district of 示例市 (鼓楼区): the row's district in random names.
    D,
    /// The short name of a district (鼓楼).
    Ds,
}

impl Part {
    fn cap(&self) -> u64 {
        match self {
            Part::L(_) => 1,
            Part::W(w) => w.len() as u64,
            Part::N(n) => u64::from(*n),
            Part::D | Part::Ds => DISTRICTS.len() as u64,
        }
    }

    /// The longest storage length (汉字 count 2) this part can write.
    fn max_len(&self) -> usize {
        match self {
            Part::L(s) => data::rows::storage_len(s),
            Part::W(w) => w.iter().map(|s| data::rows::storage_len(s)).max().unwrap_or(0),
            Part::N(n) => super::values::digit_count(u64::from(*n)) as usize,
            Part::D => 6,
            Part::Ds => 4,
        }
    }

    fn write(&self, k: u64, out: &mut String) {
        match self {
            Part::L(s) => out.push_str(s),
            Part::W(w) => out.push_str(w[k as usize]),
            Part::N(_) => super::values::push_uint(out, k + 1, 1),
            Part::D => out.push_str(DISTRICTS[k as usize].1),
            Part::Ds => out.push_str(DISTRICT_SHORT[k as usize]),
        }
    }
}

/// A set of names: disjoint templates, each with a weight for random picks.
#[derive(Debug)]
pub(super) struct Family(pub &'static [(&'static [Part], u32)]);

fn template_cap(template: &[Part]) -> u64 {
    template.iter().map(Part::cap).product()
}

impl Family {
    /// How many distinct names the family has.
    pub fn cap(&self) -> u64 {
        self.0.iter().map(|(t, _)| template_cap(t)).sum()
    }

    /// The longest name's storage length.
    pub fn max_len(&self) -> usize {
        self.0.iter().map(|(t, _)| t.iter().map(Part::max_len).sum::<usize>()).max().unwrap_or(0)
    }

    /// The `k`-th name (`k < cap()`); the first word list varies fastest, so neighbouring
    /// indexes give different-looking names. Returns the district the name names, if any.
    pub fn write_at(&self, mut k: u64, out: &mut String) -> Option<usize> {
        let mut district = None;
        for (template, _) in self.0 {
            let cap = template_cap(template);
            if k < cap {
                for part in template.iter() {
                    let c = part.cap();
                    if matches!(part, Part::D | Part::Ds) {
                        district = Some((k % c) as usize);
                    }
                    part.write(k % c, out);
                    k /= c;
                }
                return district;
            }
            k -= cap;
        }
        district
    }

    /// A random name, templates weighted; a district in the name is `district`.
    pub fn write_random(&self, rng: &mut Rng, district: usize, out: &mut String) {
        let total: u64 = self.0.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut r = rng.below(total.max(1));
        for (template, weight) in self.0 {
            if r < u64::from(*weight) {
                for part in template.iter() {
                    let k = match part {
                        Part::D | Part::Ds => district as u64,
                        _ if part.cap() > 1 => rng.below(part.cap()),
                        _ => 0,
                    };
                    part.write(k, out);
                }
                return;
            }
            r -= u64::from(*weight);
        }
    }
}

use Part::{D, Ds, L, N, W};

pub(super) static COMPANY: Family = Family(&[
    (&[L("示例市"), W(TRADE_NAMES), W(INDUSTRIES), L("有限公司")], 60),
    (&[L("福建"), W(TRADE_NAMES), W(INDUSTRIES), L("有限公司")], 15),
    (&[L("示例市"), D, W(TRADE_NAMES), W(INDUSTRIES), L("有限公司")], 12),
    (&[L("示例市"), W(TRADE_NAMES), W(INDUSTRIES), L("股份有限公司")], 6),
    (&[L("示例"), W(TRADE_NAMES), W(INDUSTRIES), L("集团有限公司")], 2),
    (&[L("示例市"), W(TRADE_NAMES), W(INDUSTRIES), L("有限责任公司")], 5),
]);

pub(super) static INDIVIDUAL: Family = Family(&[(&[L("示例市"), D, W(TRADE_NAMES), W(SHOPS)], 1)]);

pub(super) static COOPERATIVE: Family = Family(&[(&[L("示例市"), D, W(PLACES), W(COOP_PRODUCTS), L("专业合作社")], 1)]);

pub(super) static SOCIAL_ORG: Family = Family(&[
    (&[L("示例市"), W(SOCIAL_TOPICS), L("协会")], 5),
    (&[L("示例市"), W(SOCIAL_TOPICS), L("促进会")], 2),
    (&[L("示例市"), D, W(SOCIAL_TOPICS), L("服务中心")], 3),
    (&[L("示例市"), W(SOCIAL_TOPICS), L("基金会")], 1),
    (&[L("示例市"), D, W(SOCIAL_TOPICS), L("协会")], 2),
]);

pub(super) static SCHOOL: Family = Family(&[
    (&[L("示例市第"), W(CHINESE_NUMBERS), L("中学")], 4),
    (&[L("示例市"), D, L("实验小学")], 2),
    (&[L("示例市"), D, W(PLACES), L("小学")], 6),
    (&[L("示例市"), W(PLACES), L("中学")], 3),
    (&[L("示例市"), D, L("第"), W(CHINESE_NUMBERS), L("中心幼儿园")], 3),
    (&[L("示例市"), D, W(PLACES), L("幼儿园")], 3),
]);

pub(super) static HOSPITAL: Family = Family(&[
    (&[L("示例市第"), W(&CHINESE_NUMBERS_10), L("医院")], 4),
    (
        &[
            L("示例市"),
            W(&["中医院", "妇幼保健院", "儿童医院", "传染病医院", "肺科医院", "口腔医院", "精神卫生中心", "眼科医院"]),
        ],
        3,
    ),
    (&[L("示例市"), D, L("医院")], 4),
    (&[L("示例市"), D, W(TOWNS), L("卫生院")], 4),
    (&[L("示例市"), D, W(PLACES), L("社区卫生服务中心")], 5),
    (&[L("示例市"), D, W(TRADE_NAMES), L("中医诊所")], 2),
    (&[L("示例市"), D, W(PLACES), L("社区卫生服务站")], 2),
]);

const CHINESE_NUMBERS_10: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

const SCENIC_KINDS: &[&str] =
    &["风景区", "森林公园", "湿地公园", "景区", "历史文化街区", "生态园", "温泉度假区", "古镇"];

pub(super) static SCENIC: Family =
    Family(&[(&[W(PLACES), W(SCENIC_KINDS)], 4), (&[L("示例市"), D, W(PLACES), W(SCENIC_KINDS)], 1)]);

const HERITAGE_KINDS: &[&str] = &["古厝", "故居", "祠堂", "书院", "寺", "塔", "古桥", "遗址", "摩崖石刻", "古民居"];

pub(super) static HERITAGE: Family =
    Family(&[(&[W(PLACES), W(HERITAGE_KINDS)], 4), (&[D, W(PLACES), W(HERITAGE_KINDS)], 1)]);

pub(super) static FUNERAL: Family = Family(&[(&[L("示例市殡仪馆")], 3), (&[L("示例市"), D, L("殡仪馆")], 2)]);

pub(super) static HOTEL: Family = Family(&[
    (&[L("示例"), W(TRADE_NAMES), W(&["大酒店", "宾馆", "酒店", "商务酒店", "快捷酒店"])], 3),
    (&[L("示例市"), D, W(TRADE_NAMES), L("宾馆")], 1),
]);

pub(super) static TRAVEL_AGENCY: Family = Family(&[
    (&[L("示例市"), W(TRADE_NAMES), L("国际旅行社有限公司")], 1),
    (&[L("示例市"), W(TRADE_NAMES), L("旅行社有限公司")], 2),
]);

pub(super) static NET_CAFE: Family =
    Family(&[(&[L("示例市"), D, W(TRADE_NAMES), W(&["网吧", "网咖", "电子竞技馆"])], 1)]);

pub(super) static NURSING_HOME: Family = Family(&[
    (&[L("示例市"), D, L("社会福利中心")], 1),
    (&[L("示例市"), D, W(TOWNS), L("敬老院")], 3),
    (&[L("示例市"), W(TRADE_NAMES), L("养老院")], 2),
    (&[L("示例市"), D, W(PLACES), L("居家养老服务照料中心")], 3),
]);

pub(super) static TRAINING: Family = Family(&[(&[L("示例市"), W(TRADE_NAMES), L("职业培训学校")], 1)]);

pub(super) static GOVERNMENT: Family = Family(&[(&[W(GOV_BODIES)], 1)]);

/// A city-level body and its district-level counterparts, e.g. 示例市市场监督管理局 and
/// 示例市鼓楼区市场监督管理局.
macro_rules! body {
    ($name:literal) => {
        Family(&[(&[L(concat!("示例市", $name))], 2), (&[L("示例市"), D, L($name)], 3)])
    };
}

pub(super) static POLICE: Family = Family(&[
    (&[L("示例市公安局")], 1),
    (&[L("示例市公安局"), Ds, L("分局")], 3),
    (&[L("示例市公安局"), Ds, L("分局"), W(PLACES), L("派出所")], 6),
]);
pub(super) static MARKET: Family = body!("市场监督管理局");
pub(super) static HRSS: Family = body!("人力资源和社会保障局");
pub(super) static HEALTH: Family = body!("卫生健康委员会");
pub(super) static CIVIL: Family = body!("民政局");
pub(super) static NATURAL: Family = body!("自然资源和规划局");
pub(super) static HOUSING: Family = body!("住房和城乡建设局");
pub(super) static TAX: Family =
    Family(&[(&[L("国家税务总局示例市税务局")], 2), (&[L("国家税务总局示例市"), D, L("税务局")], 3)]);
pub(super) static EDUCATION: Family = body!("教育局");
pub(super) static MEDICAL_INSURANCE: Family = body!("医疗保障局");
pub(super) static ECOLOGY: Family = Family(&[(&[L("示例市生态环境局")], 2), (&[L("示例市"), Ds, L("生态环境局")], 3)]);
pub(super) static TRANSPORT: Family = body!("交通运输局");
pub(super) static AGRICULTURE: Family = body!("农业农村局");
pub(super) static WATER: Family = body!("水利局");
pub(super) static EMERGENCY: Family = body!("应急管理局");
pub(super) static JUSTICE: Family = body!("司法局");
pub(super) static APPROVAL: Family = body!("行政审批局");
pub(super) static CITY_MANAGEMENT: Family = body!("城市管理局");
pub(super) static CULTURE: Family = body!("文化体育和旅游局");
pub(super) static COMMERCE: Family = body!("商务局");
pub(super) static STATISTICS: Family = body!("统计局");
pub(super) static REAL_ESTATE: Family =
    Family(&[(&[L("示例市不动产登记中心")], 2), (&[L("示例市"), D, L("不动产登记中心")], 3)]);
pub(super) static HOUSING_FUND: Family =
    Family(&[(&[L("示例市住房公积金管理中心")], 2), (&[L("示例市住房公积金管理中心"), Ds, L("管理部")], 3)]);
pub(super) static DISABLED: Family = body!("残疾人联合会");
pub(super) static VETERANS: Family = body!("退役军人事务局");

pub(super) static LAW_FIRM: Family =
    Family(&[(&[L("福建"), W(TRADE_NAMES), L("律师事务所")], 3), (&[L("示例市"), D, L("法律援助中心")], 2)]);

pub(super) static BANK: Family = Family(&[(&[W(BANKS)], 1)]);

const PROJECT_KINDS: &[&str] = &[
    "片区旧屋区改造项目",
    "安置房建设工程",
    "道路提升改造工程",
    "污水管网改造工程",
    "综合体育馆建设项目",
    "中学扩建工程",
    "社区卫生服务中心建设项目",
    "智慧停车场建设项目",
    "生态公园建设项目",
    "河道综合治理工程",
    "标准厂房建设项目",
    "人才公寓建设项目",
    "农贸市场改造提升工程",
    "物流园建设项目",
    "老旧小区改造工程",
    "地下综合管廊工程",
];

pub(super) static PROJECT: Family =
    Family(&[(&[L("示例市"), W(PLACES), W(PROJECT_KINDS)], 3), (&[L("示例市"), D, W(PLACES), W(PROJECT_KINDS)], 1)]);

pub(super) static PARKING: Family =
    Family(&[(&[W(PLACES), W(&["停车场", "公共停车场", "立体停车库", "地下停车场"])], 1)]);

pub(super) static VENUE: Family = Family(&[(
    &[
        L("示例市"),
        W(PLACES),
        W(&["体育馆", "全民健身中心", "游泳馆", "文化馆", "图书馆", "体育公园", "青少年活动中心"]),
    ],
    1,
)]);

pub(super) static BRIDGE: Family = Family(&[(&[W(PLACES), W(&["大桥", "桥", "立交桥", "人行天桥"])], 1)]);

pub(super) static STATION: Family =
    Family(&[(&[W(PLACES), W(&["水文站", "雨量站", "水位站", "气象观测站", "自动气象站"])], 1)]);

pub(super) static MONITOR_POINT: Family = Family(&[
    (&[W(PLACES), W(&["监测点", "空气自动监测站", "监测站", "采价点"])], 3),
    (&[D, W(PLACES), L("监测点")], 1),
]);

pub(super) static SECTION: Family = Family(&[(&[W(RIVERS), W(PLACES), L("断面")], 1)]);

pub(super) static RIVER: Family = Family(&[(&[W(RIVERS)], 2), (&[W(PLACES), W(&["河", "内河", "水库"])], 3)]);

pub(super) static DEPOT: Family =
    Family(&[(&[L("示例市"), D, L("应急物资储备库")], 1), (&[L("示例市"), W(PLACES), L("应急物资储备库")], 2)]);

pub(super) static WINDOW: Family = Family(&[(
    &[
        W(&["综合受理", "企业开办", "不动产登记", "社保医保", "公积金", "税务", "出入境", "交通", "卫健", "民政"]),
        L("窗口"),
        N(20),
    ],
    1,
)]);

pub(super) static STOP: Family = Family(&[(&[W(PLACES), W(&["站", "公交站", "路口站", "枢纽站"])], 1)]);

pub(super) static BUS_LINE: Family = Family(&[(&[N(199), L("路")], 4), (&[L("K"), N(30), L("路")], 1)]);

pub(super) static PRICE_POINT: Family =
    Family(&[(&[W(PLACES), L("农贸市场")], 2), (&[L("示例"), W(TRADE_NAMES), L("超市"), W(PLACES), L("店")], 1)]);

pub(super) static COMMUNITY: Family =
    Family(&[(&[W(PLACES), L("社区")], 3), (&[W(COMPOUNDS), L("社区")], 1), (&[W(VILLAGES), L("委会")], 1)]);

pub(super) static STREET: Family = Family(&[(&[W(PLACES), L("街道")], 3), (&[W(TOWNS)], 1)]);

pub(super) static NOTARY: Family = Family(&[(&[L("示例市"), D, L("公证处")], 1)]);

pub(super) static MEDIATION: Family = Family(&[(&[L("示例市"), D, W(PLACES), L("人民调解委员会")], 1)]);

pub(super) static HAZARD: Family =
    Family(&[(&[W(PLACES), W(VILLAGES), W(&["滑坡", "崩塌", "泥石流", "地面塌陷"]), L("隐患点")], 1)]);

pub(super) static BUILDING: Family = Family(&[(&[W(PLACES), W(LANDMARK_SUFFIXES)], 1)]);

pub(super) static MINE: Family =
    Family(&[(&[L("示例市"), D, W(PLACES), W(&["建筑用花岗岩矿", "饰面用石材矿", "砖瓦用页岩矿", "高岭土矿"])], 1)]);

pub(super) static FAMILY_FARM: Family = Family(&[(&[L("示例市"), D, W(PLACES), L("家庭农场")], 1)]);

pub(super) static FACILITY: Family = Family(&[(
    &[L("示例市"), W(PLACES), W(&["垃圾焚烧发电厂", "餐厨垃圾处理厂", "污水处理厂", "垃圾转运站", "建筑垃圾消纳场"])],
    1,
)]);

pub(super) static CANTEEN: Family =
    Family(&[(&[L("示例市"), W(TRADE_NAMES), W(&["餐饮管理有限公司", "团膳服务有限公司", "食品有限公司"])], 1)]);

pub(super) static PRODUCT: Family = Family(&[(&[W(PRODUCTS)], 1)]);
pub(super) static FARM_PRODUCT: Family = Family(&[(&[W(FARM_PRODUCTS)], 1)]);
pub(super) static MATERIAL: Family = Family(&[(&[W(MATERIALS)], 1)]);
pub(super) static INDICATOR: Family = Family(&[(&[W(INDICATORS)], 1)]);
pub(super) static VACCINE: Family = Family(&[(&[W(VACCINES)], 1)]);
pub(super) static DISEASE: Family = Family(&[(&[W(DISEASES)], 1)]);
pub(super) static MATTER: Family = Family(&[(&[W(MATTERS)], 1)]);
pub(super) static LICENCE_TYPE: Family = Family(&[(&[W(LICENCE_TYPES)], 1)]);
pub(super) static SYSTEM: Family = Family(&[(&[L("示例市"), W(SYSTEMS)], 1)]);
pub(super) static ASSET: Family = Family(&[(&[W(ASSETS)], 1)]);
pub(super) static INSTRUMENT: Family = Family(&[(&[W(INSTRUMENTS)], 1)]);
pub(super) static AID: Family = Family(&[(&[W(AIDS)], 1)]);
pub(super) static OCCUPATION_NAME: Family = Family(&[(&[W(OCCUPATION_NAMES)], 1)]);
pub(super) static STANDARD: Family = Family(&[(&[W(STANDARDS)], 1)]);
pub(super) static DATASET: Family = Family(&[(&[W(DATASETS)], 1)]);
pub(super) static FEE_ITEM: Family = Family(&[(&[W(FEE_ITEMS)], 1)]);
pub(super) static SUBSIDY_ITEM: Family = Family(&[(&[W(SUBSIDY_ITEMS)], 1)]);
pub(super) static CHANGE_ITEM: Family = Family(&[(&[W(CHANGE_ITEMS)], 1)]);
pub(super) static POLLUTANT: Family = Family(&[(&[W(POLLUTANTS)], 1)]);
pub(super) static ENERGY_KIND: Family = Family(&[(&[W(ENERGY)], 1)]);
pub(super) static FUEL: Family = Family(&[(&[W(FUELS)], 1)]);
pub(super) static MAP_FEATURE: Family =
    Family(&[(&[W(PLACES), W(&["山", "路", "桥", "公园", "村", "水库", "码头", "广场"])], 1)]);

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_index_names_a_different_thing() {
        let families: &[(&str, &Family)] = &[
            ("COMPANY", &COMPANY),
            ("INDIVIDUAL", &INDIVIDUAL),
            ("COOPERATIVE", &COOPERATIVE),
            ("SOCIAL_ORG", &SOCIAL_ORG),
            ("SCHOOL", &SCHOOL),
            ("HOSPITAL", &HOSPITAL),
            ("SCENIC", &SCENIC),
            ("HERITAGE", &HERITAGE),
            ("FUNERAL", &FUNERAL),
            ("HOTEL", &HOTEL),
            ("TRAVEL_AGENCY", &TRAVEL_AGENCY),
            ("NET_CAFE", &NET_CAFE),
            ("NURSING_HOME", &NURSING_HOME),
            ("TRAINING", &TRAINING),
            ("GOVERNMENT", &GOVERNMENT),
            ("POLICE", &POLICE),
            ("MARKET", &MARKET),
            ("HRSS", &HRSS),
            ("HEALTH", &HEALTH),
            ("CIVIL", &CIVIL),
            ("NATURAL", &NATURAL),
            ("HOUSING", &HOUSING),
            ("TAX", &TAX),
            ("EDUCATION", &EDUCATION),
            ("MEDICAL_INSURANCE", &MEDICAL_INSURANCE),
            ("ECOLOGY", &ECOLOGY),
            ("TRANSPORT", &TRANSPORT),
            ("AGRICULTURE", &AGRICULTURE),
            ("WATER", &WATER),
            ("EMERGENCY", &EMERGENCY),
            ("JUSTICE", &JUSTICE),
            ("APPROVAL", &APPROVAL),
            ("CITY_MANAGEMENT", &CITY_MANAGEMENT),
            ("CULTURE", &CULTURE),
            ("COMMERCE", &COMMERCE),
            ("STATISTICS", &STATISTICS),
            ("REAL_ESTATE", &REAL_ESTATE),
            ("HOUSING_FUND", &HOUSING_FUND),
            ("DISABLED", &DISABLED),
            ("VETERANS", &VETERANS),
            ("LAW_FIRM", &LAW_FIRM),
            ("BANK", &BANK),
            ("PROJECT", &PROJECT),
            ("PARKING", &PARKING),
            ("VENUE", &VENUE),
            ("BRIDGE", &BRIDGE),
            ("STATION", &STATION),
            ("MONITOR_POINT", &MONITOR_POINT),
            ("SECTION", &SECTION),
            ("RIVER", &RIVER),
            ("DEPOT", &DEPOT),
            ("WINDOW", &WINDOW),
            ("STOP", &STOP),
            ("BUS_LINE", &BUS_LINE),
            ("PRICE_POINT", &PRICE_POINT),
            ("COMMUNITY", &COMMUNITY),
            ("STREET", &STREET),
            ("NOTARY", &NOTARY),
            ("MEDIATION", &MEDIATION),
            ("HAZARD", &HAZARD),
            ("BUILDING", &BUILDING),
            ("MINE", &MINE),
            ("FAMILY_FARM", &FAMILY_FARM),
            ("FACILITY", &FACILITY),
            ("CANTEEN", &CANTEEN),
            ("PRODUCT", &PRODUCT),
            ("FARM_PRODUCT", &FARM_PRODUCT),
            ("MATERIAL", &MATERIAL),
            ("INDICATOR", &INDICATOR),
            ("VACCINE", &VACCINE),
            ("DISEASE", &DISEASE),
            ("MATTER", &MATTER),
            ("LICENCE_TYPE", &LICENCE_TYPE),
            ("SYSTEM", &SYSTEM),
            ("ASSET", &ASSET),
            ("INSTRUMENT", &INSTRUMENT),
            ("AID", &AID),
            ("OCCUPATION_NAME", &OCCUPATION_NAME),
            ("STANDARD", &STANDARD),
            ("DATASET", &DATASET),
            ("FEE_ITEM", &FEE_ITEM),
            ("SUBSIDY_ITEM", &SUBSIDY_ITEM),
            ("CHANGE_ITEM", &CHANGE_ITEM),
            ("POLLUTANT", &POLLUTANT),
            ("ENERGY_KIND", &ENERGY_KIND),
            ("FUEL", &FUEL),
            ("MAP_FEATURE", &MAP_FEATURE),
        ];
        for (name, family) in families {
            let cap = family.cap();
            let mut seen = HashSet::new();
            for k in 0..cap.min(50_000) {
                let mut s = String::new();
                family.write_at(k, &mut s);
                assert!(!s.is_empty());
                assert!(data::rows::storage_len(&s) <= family.max_len(), "{name}: {s}");
                assert!(seen.insert(s.clone()), "{name}: {s} twice");
            }
        }
    }

    #[test]
    fn random_names_come_from_the_family() {
        let mut rng = Rng::new(3);
        let mut s = String::new();
        COMPANY.write_random(&mut rng, 0, &mut s);
        assert!(s.ends_with("公司"), "{s}");
    }
}
