//! Planning: what each data item's values are made of, decided once per resource from the
//! item's identifier kind, its name and its data type.
//!
//! Items that describe the same person (公民身份号码, 姓名, 性别, 出生日期 …) or the same legal
//! entity (统一社会信用代码, 企业名称, 成立日期 …) share a *slot*, so that a row's values agree
//! with each other. Items are linked by the *role* their name starts with: 母亲姓名 and
//! 母亲身份号码 are the role 母亲, 姓名 and 公民身份号码 the main role (empty).
//!
//! The key plan makes keys unique by construction: one key item is the *outer* dimension (the
//! `o`-th value for the `o`-th group of rows), the other key items are *inner* dimensions that
//! take a few distinct values within each group (e.g. the twelve most recent months for each
//! person). A row number decomposes into these digits, so no row repeats a key and nothing has to
//! be remembered but the previous group.

use domain::catalog::{DataItem, DataType, IdentifierKind};

use super::names::{self, Family};
use super::values::{ORG_BODIES, REGIONS};
use super::words::{self, Enumeration};

/// The reference date of the generated data (records run up to it): 2026-06-30.
pub(super) const REFERENCE_DAY: i32 = super::values::days_from_civil(2026, 6, 30);
/// Nobody is born after 2025-12-31, so that the data stays valid whatever today's date is.
pub(super) const LAST_BIRTH_DAY: i32 = super::values::days_from_civil(2025, 12, 31);
/// The earliest birth date generated.
pub(super) const FIRST_BIRTH_DAY: i32 = super::values::days_from_civil(1920, 1, 1);
/// The earliest record date generated for sequences of days.
pub(super) const FIRST_RECORD_DAY: i32 = super::values::days_from_civil(2000, 1, 1);
/// The earliest month and year of period sequences (统计年月, 年度).
pub(super) const FIRST_YEAR: i32 = 1990;

/// The birth-year mix of a person slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Profile {
    /// The whole population (a pyramid of 示例市).
    General,
    Adult,
    Elderly,
    Child,
    Newborn,
    Student,
    Parent,
}

impl Profile {
    /// (first year, last year, weight) segments.
    pub fn segments(self) -> &'static [(i32, i32, u32)] {
        match self {
            Profile::General => &[
                (1925, 1939, 2),
                (1940, 1949, 4),
                (1950, 1959, 10),
                (1960, 1969, 16),
                (1970, 1979, 15),
                (1980, 1989, 16),
                (1990, 1999, 14),
                (2000, 2009, 11),
                (2010, 2019, 11),
                (2020, 2025, 4),
            ],
            Profile::Adult => &[(1960, 1969, 20), (1970, 1979, 25), (1980, 1989, 28), (1990, 2004, 27)],
            Profile::Elderly => &[(1925, 1939, 25), (1940, 1949, 35), (1950, 1962, 40)],
            Profile::Child => &[(2010, 2025, 1)],
            Profile::Newborn => &[(2024, 2025, 1)],
            Profile::Student => &[(2008, 2019, 1)],
            Profile::Parent => &[(1975, 1999, 1)],
        }
    }
}

/// A person described by some of the items.
#[derive(Debug, Clone)]
pub(super) struct PersonSlot {
    pub role: String,
    pub profile: Profile,
    /// `Some(true)` for men only, `Some(false)` for women only.
    pub male: Option<bool>,
    /// The key column whose value identifies this person (the 公民身份号码 is a key).
    pub key: Option<usize>,
}

/// A legal entity (or a named thing with a credit code) described by some of the items.
#[derive(Debug, Clone)]
pub(super) struct EntitySlot {
    pub role: String,
    pub family: Option<&'static Family>,
    /// 登记管理部门码 and 机构类别码 of its credit code (91 enterprise, 92 个体工商户 …).
    pub prefix: &'static str,
    /// The key column whose value identifies this entity.
    pub key: Option<usize>,
    /// The key column is the entity's name (else its code).
    pub key_is_name: bool,
}

/// Person attributes that depend on age and sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Attr {
    Marital,
    Education,
    Occupation,
    Military,
    /// 与户主关系: 子 or 女, 父亲 or 母亲 by sex, children are not 户主.
    Relation,
}

/// Where a region code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RegionSet {
    /// A district of 示例市.
    City,
    /// Any region, mostly the city's.
    Any,
}

/// How dates relate to the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateKind {
    /// Near the row's anchor date (受理, 登记, 发证 …).
    Event,
    /// The anchor itself (有效期起).
    ValidFrom,
    /// Some years after the anchor (有效期至).
    ValidTo,
    /// After the reference date (下次检验日期).
    Future,
    /// After the main person's birth, recent (死亡日期).
    Death,
    /// Any time since 1990 (建档, 开户 …).
    Past,
    /// Recently, after the row's other events (更新时间).
    Updated,
}

/// Numbers: the range (scaled by `10^decimals`), or a running number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NumSpec {
    pub lo: i64,
    pub hi: i64,
    pub decimals: u32,
    /// Round amounts such as 500万 (注册资本).
    pub round: bool,
}

/// Longer free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextKind {
    Scope,
    /// A violation of the set of [`words::VIOLATION_SETS`] with this index.
    Violation(usize),
    /// The legal basis that goes with the row's violation.
    Basis(usize),
    /// Policies enjoyed (享受政策记录).
    Policy,
    Complaint,
    Handling,
    Measures,
    Construction,
    Protection,
    Medical,
    Address,
    Fee,
    Hours,
    Districts,
    Reach,
    Generic,
}

/// Code layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CodeFmt {
    /// Region, year and a running number, as long as the item allows.
    Generic,
    /// Exactly this many digits.
    Digits(u32),
    /// 闽A·12345.
    Plate,
    /// 项目代码 of the investment platform: `2024-350102-47-01-123456`.
    Project,
    /// 文号 such as 示市监处罚〔2024〕123号.
    DocNo(&'static str),
    /// 婚姻登记证字号 `J350102-2024-001234`.
    MarriageCert,
    /// 车辆识别代号 (VIN).
    Vin,
    /// A 19-digit bank card number with its Luhn digit.
    BankCard,
    /// 不动产权证书号 闽（2024）示例市不动产权第0012345号.
    PropertyCert,
    /// 28-character 不动产单元号.
    PropertyUnit,
    /// 12-digit 统计用区划代码 of a 社区.
    Community,
    /// 10-digit 学校标识码.
    SchoolId,
    /// 医保定点机构编码 H350102…
    MedicalInstitution,
    /// 食品经营许可证编号 JY1350102…
    FoodLicence,
    /// ICD-10 codes of diseases.
    Icd,
    /// A catalogue code such as 101002/000001.
    ResourceCode,
}

/// How one column's values are made.
#[derive(Debug, Clone, Copy)]
pub(super) enum Gen {
    PersonId(usize),
    PersonName(usize),
    PersonSex(usize),
    PersonBirth(usize),
    PersonMobile(usize),
    PersonRegion(usize),
    PersonAddress(usize),
    PersonAttr(usize, Attr),
    /// 全国学籍号: G and the student's 公民身份号码.
    StudentNo(usize),
    EntityCode(usize),
    EntityOrgCode(usize),
    EntityName(usize),
    EntityFounded(usize),
    Enum(&'static Enumeration),
    Names(&'static Family),
    Region(RegionSet),
    Address,
    Phone,
    Mobile,
    Code(CodeFmt),
    Date(DateKind),
    YearMonth,
    Year {
        built: bool,
    },
    /// `HH:MM` (首班时间).
    Clock {
        late: bool,
    },
    /// 2024年第3批.
    Batch,
    Number(NumSpec),
    /// 1, 2, 3 … (站点序号).
    Ordinal,
    Bool(u32),
    Base64,
    Text(TextKind),
    /// A short numeric code (`1`, `02` …) for categories nothing more is known about.
    SmallCode,
    /// The item's name and a number, when nothing better is known.
    Label,
}

/// Which part of the key a column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyRole {
    Outer,
    /// The index into [`KeyPlan::inner`].
    Inner(usize),
}

/// A planned column.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub name: String,
    pub source: Gen,
    pub ty: DataType,
    /// Storage-byte limit of character data.
    pub limit: Option<usize>,
    /// Digit limit of numbers.
    pub digits: Option<u32>,
    pub required: bool,
    /// Write labels of code tables (else the codes).
    pub labels: bool,
    /// Times of day at any hour (readings, calls, updates), else office hours.
    pub any_hour: bool,
    pub key: Option<KeyRole>,
}

/// How a key dimension's values follow one another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DimKind {
    /// A person, an entity, a code: every index a different one.
    Identity,
    /// Days, months, years, running numbers: index `k` is `k` steps back.
    Sequence,
    /// A small list.
    Category,
}

/// One inner key dimension.
#[derive(Debug, Clone, Copy)]
pub(super) struct Inner {
    pub column: usize,
    pub radix: u64,
    pub cap: u64,
    pub kind: DimKind,
}

#[derive(Debug, Clone, Default)]
pub(super) struct KeyPlan {
    pub outer: Option<usize>,
    pub inner: Vec<Inner>,
    /// Rows per outer value.
    pub group: u64,
    /// How many rows can have distinct keys.
    pub capacity: u64,
}

/// The plan of a resource.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub columns: Vec<Column>,
    pub persons: Vec<PersonSlot>,
    pub entities: Vec<EntitySlot>,
    pub main_person: Option<usize>,
    pub keys: KeyPlan,
}

/// What the item names as a whole, the resource's name and its provider say about the resource.
struct Context {
    names: Vec<String>,
    /// The resource's name, when known.
    resource: String,
    /// The providing department's name, when known.
    provider: String,
}

impl Context {
    fn any(&self, words: &[&str]) -> bool {
        self.names.iter().chain(std::iter::once(&self.resource)).any(|n| words.iter().any(|w| n.contains(w)))
    }

    /// The index of the first set whose words the resource mentions (the last set is the default).
    fn domain<T>(&self, sets: &[(&[&str], T)]) -> usize {
        sets.iter()
            .position(|(words, _)| words.is_empty() || self.any(words) || has(&self.provider, words))
            .unwrap_or(0)
    }

    /// The government bodies that act in this resource: those of the provider's line, else of
    /// what the items are about, else any.
    fn government(&self) -> &'static Family {
        let table: &[(&[&str], &'static Family)] = &[
            (&["公安", "身份证", "户籍", "户口", "居住证", "机动车", "驾驶证", "号牌"], &names::POLICE),
            (&["税务", "纳税", "发票", "欠税"], &names::TAX),
            (&["市场监督", "企业登记", "个体工商户", "食品", "药品", "特种设备", "广告", "计量"], &names::MARKET),
            (&["医疗保障", "医保", "医疗救助"], &names::MEDICAL_INSURANCE),
            (&["人力资源", "社会保险", "参保", "就业", "失业", "养老保险", "工伤", "职业技能"], &names::HRSS),
            (
                &["卫生健康", "医疗机构", "医师", "护士", "疫苗", "接种", "出生医学", "死亡医学", "传染病"],
                &names::HEALTH,
            ),
            (&["民政", "低保", "最低生活", "特困", "婚姻", "殡葬", "社会组织", "养老机构", "地名"], &names::CIVIL),
            (&["不动产"], &names::REAL_ESTATE),
            (&["公积金"], &names::HOUSING_FUND),
            (&["自然资源", "规划", "用地", "土地", "矿", "测绘"], &names::NATURAL),
            (&["住房和城乡建设", "施工", "建筑", "燃气", "房屋", "商品房", "物业"], &names::HOUSING),
            (&["教育", "学校", "学籍", "学生"], &names::EDUCATION),
            (&["生态环境", "排污", "环评", "污染"], &names::ECOLOGY),
            (&["交通运输", "道路运输", "公交", "出租", "客运", "货运"], &names::TRANSPORT),
            (&["农业农村", "农产品", "动物", "兽医", "农机", "合作社", "家庭农场"], &names::AGRICULTURE),
            (&["水利", "河湖", "取水", "水文"], &names::WATER),
            (&["应急", "安全生产", "危险化学品", "灾"], &names::EMERGENCY),
            (&["司法", "法律援助", "公证", "调解", "社区矫正"], &names::JUSTICE),
            (&["行政审批"], &names::APPROVAL),
            (&["城市管理", "城管", "垃圾", "户外广告"], &names::CITY_MANAGEMENT),
            (&["文化", "旅游", "文物", "景区", "网吧", "体育"], &names::CULTURE),
            (&["商务", "外商", "商贸"], &names::COMMERCE),
            (&["统计"], &names::STATISTICS),
            (&["残疾"], &names::DISABLED),
            (&["退役军人", "优抚"], &names::VETERANS),
        ];
        if let Some((_, f)) = table.iter().find(|(words, _)| has(&self.provider, words)) {
            return f;
        }
        if let Some((_, f)) = table.iter().find(|(words, _)| self.any(words)) {
            return f;
        }
        &names::GOVERNMENT
    }
}

fn strip<'a>(name: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes.iter().find_map(|s| name.strip_suffix(s))
}

fn ends(name: &str, suffixes: &[&str]) -> bool {
    suffixes.iter().any(|s| name.ends_with(s))
}

fn has(name: &str, words: &[&str]) -> bool {
    words.iter().any(|w| name.contains(w))
}

/// The person role of a name that names a person, e.g. 母亲 for 母亲姓名.
fn person_role(name: &str, identifier: Option<IdentifierKind>) -> Option<(&str, &'static str)> {
    if identifier == Some(IdentifierKind::CitizenId) {
        let role = strip(name, &["公民身份号码", "身份号码", "身份证号码", "身份证号", "证件号码"]).unwrap_or("");
        return Some((role, "id"));
    }
    if let Some(r) = strip(name, &["身份号码", "身份证号码", "身份证号"]) {
        return Some((r, "id"));
    }
    if let Some(r) = name.strip_suffix("证件号码") {
        return Some((r, "id"));
    }
    if identifier == Some(IdentifierKind::Mobile) || name.ends_with("手机号码") {
        return Some((name.strip_suffix("手机号码").unwrap_or(""), "mobile"));
    }
    if let Some(r) = name.strip_suffix("姓名") {
        return Some((r, "name"));
    }
    if matches!(name, "法定代表人" | "负责人" | "经办人" | "联系人" | "机动车所有人" | "户主") {
        return Some((name, "name"));
    }
    if let Some(r) = name.strip_suffix("性别") {
        return Some((r, "sex"));
    }
    if let Some(r) = strip(name, &["出生日期", "出生时间"]) {
        return Some((r, "birth"));
    }
    None
}

struct Builder<'a> {
    items: &'a [DataItem],
    ctx: Context,
    persons: Vec<PersonSlot>,
    entities: Vec<EntitySlot>,
}

impl Builder<'_> {
    fn person(&mut self, role: &str) -> usize {
        if let Some(i) = self.persons.iter().position(|p| p.role == role) {
            return i;
        }
        let profile = self.profile_of(role);
        let male = if has(role, &["男", "父", "夫"]) {
            Some(true)
        } else if has(role, &["女", "母", "妻"]) {
            Some(false)
        } else {
            None
        };
        self.persons.push(PersonSlot { role: role.to_string(), profile, male, key: None });
        self.persons.len() - 1
    }

    fn profile_of(&self, role: &str) -> Profile {
        if role.contains("新生儿") {
            Profile::Newborn
        } else if has(role, &["儿童", "被收养人", "受种者"]) {
            Profile::Child
        } else if has(role, &["母亲", "父亲", "监护人", "收养人"]) {
            Profile::Parent
        } else if has(role, &["逝者"]) {
            Profile::Elderly
        } else if role.is_empty() {
            if self.ctx.any(&["学籍", "年级", "在校", "学生编号"]) {
                Profile::Student
            } else if self.ctx.any(&["死亡", "火化", "养老金", "退休", "高龄"]) {
                Profile::Elderly
            } else if self.ctx.any(&["就业", "失业", "参保单位", "用人单位", "执业", "驾驶证", "公积金", "职业"])
            {
                Profile::Adult
            } else {
                Profile::General
            }
        } else {
            Profile::Adult
        }
    }

    /// The main person: the one with the empty role, else the first one.
    fn main_person(&mut self) -> usize {
        if let Some(i) = self.persons.iter().position(|p| p.role.is_empty()) {
            return i;
        }
        if !self.persons.is_empty() {
            return 0;
        }
        self.person("")
    }

    fn entity(&mut self, role: &str) -> usize {
        if let Some(i) = self.entities.iter().position(|e| e.role == role) {
            return i;
        }
        self.entities.push(EntitySlot {
            role: role.to_string(),
            family: None,
            prefix: "91",
            key: None,
            key_is_name: false,
        });
        self.entities.len() - 1
    }

    /// The slot of a name column that names an entity: its own role's slot, or the main entity
    /// (the one whose code is the bare 统一社会信用代码) if that has no name yet.
    fn entity_for_name(&mut self, role: &str, family: &'static Family, prefix: &'static str) -> usize {
        let slot = match self.entities.iter().position(|e| e.role == role) {
            Some(i) => i,
            None => match self.entities.iter().position(|e| e.role.is_empty() && e.family.is_none()) {
                Some(i) => i,
                None => self.entity(role),
            },
        };
        if self.entities[slot].family.is_none() {
            self.entities[slot].family = Some(family);
            self.entities[slot].prefix = prefix;
        }
        slot
    }

    fn classify(&mut self, item: &DataItem) -> Gen {
        let name = item.name.trim();
        let ty = item.data_type;
        let text = matches!(ty, DataType::C | DataType::M);
        let numeric = matches!(ty, DataType::N | DataType::B | DataType::F | DataType::I | DataType::Y);
        let limit = if text { item.length.map(|l| l as usize) } else { None };

        // Identifiers and people.
        match item.identifier {
            Some(IdentifierKind::CreditCode) => {
                let role = name.strip_suffix("统一社会信用代码").unwrap_or("");
                return Gen::EntityCode(self.entity(role));
            }
            Some(IdentifierKind::OrgCode) => {
                let role = name.strip_suffix("组织机构代码").unwrap_or("");
                return Gen::EntityOrgCode(self.entity(role));
            }
            Some(IdentifierKind::RegionCode) => return self.region(name),
            _ => {}
        }
        let id_like_text = text && limit.is_none_or(|l| l >= 18);
        if let Some((role, what)) = person_role(name, item.identifier) {
            let role = self.alias(role, what);
            match what {
                "id" if item.identifier == Some(IdentifierKind::CitizenId) || id_like_text => {
                    return Gen::PersonId(self.person(&role));
                }
                "mobile" if text || numeric => return Gen::PersonMobile(self.person(&role)),
                "name" if text => return Gen::PersonName(self.person(&role)),
                "sex" if text || numeric => return Gen::PersonSex(self.person(&role)),
                "birth" if matches!(ty, DataType::D | DataType::T) || text => {
                    return Gen::PersonBirth(self.person(&role));
                }
                _ => {}
            }
        }
        if name.ends_with("统一社会信用代码") {
            return Gen::EntityCode(self.entity(name.strip_suffix("统一社会信用代码").unwrap_or("")));
        }
        if name.ends_with("行政区划代码") {
            return self.region(name);
        }

        match ty {
            DataType::L => return Gen::Bool(bool_share(name)),
            DataType::G => return Gen::Base64,
            DataType::D | DataType::T => return self.date(name),
            _ => {}
        }
        if numeric {
            return number(name, ty);
        }

        // Character data from here on.
        if let Some(g) = self.person_text(name) {
            return g;
        }
        if let Some(g) = self.named(name) {
            return g;
        }
        if let Some(f) = word_list(name, &self.ctx) {
            return Gen::Names(f);
        }
        if let Some(g) = self.text_date(name, limit) {
            return g;
        }
        if let Some(g) = code(name, limit, &self.ctx) {
            return g;
        }
        if let Some(e) = enumeration(name) {
            return Gen::Enum(e);
        }
        if ends(name, &["地址", "住址", "住所", "经营场所", "坐落", "地点", "位置", "所在地"])
            || matches!(name, "起点" | "终点")
        {
            return Gen::Address;
        }
        if ends(name, &["电话"]) {
            return Gen::Phone;
        }
        let violation =
            ["违法", "案由", "处罚内容", "处罚情况", "决定内容", "列入事由", "列入原因", "案件性质", "事实"];
        if has(name, &violation) && limit.is_none_or(|l| l >= 40) {
            return Gen::Text(TextKind::Violation(self.ctx.domain(words::VIOLATION_SETS)));
        }
        if name.contains("依据") && limit.is_none_or(|l| l >= 40) {
            return Gen::Text(TextKind::Basis(self.ctx.domain(words::VIOLATION_SETS)));
        }
        if let Some(t) = text_kind(name)
            && (ty == DataType::M || limit.is_none_or(|l| l >= 40))
        {
            return Gen::Text(t);
        }
        if ends(
            name,
            &[
                "状态", "类型", "类别", "种类", "等级", "级别", "方式", "性质", "结论", "结果", "标识", "形式", "渠道",
                "来源", "原因",
            ],
        ) {
            return match limit {
                Some(l) if l <= 4 => Gen::SmallCode,
                _ => Gen::Enum(category_labels(name)),
            };
        }
        if ty == DataType::M {
            return Gen::Text(TextKind::Generic);
        }
        match limit {
            Some(l) if l <= 4 => Gen::SmallCode,
            _ => Gen::Label,
        }
    }

    /// 出生时间 of a 出生医学证明 belongs to the newborn.
    fn alias(&self, role: &str, what: &str) -> String {
        if role.is_empty() && what == "birth" && self.ctx.any(&["新生儿"]) {
            return "新生儿".to_string();
        }
        role.to_string()
    }

    fn region(&mut self, name: &str) -> Gen {
        let role = name.strip_suffix("行政区划代码").unwrap_or(name);
        if matches!(role, "户籍地" | "出生地") && self.ctx.any(&["身份号码"]) {
            return Gen::PersonRegion(self.main_person());
        }
        if has(role, &["迁出地", "迁入地", "出生地", "户籍地"]) {
            Gen::Region(RegionSet::Any)
        } else {
            Gen::Region(RegionSet::City)
        }
    }

    fn date(&mut self, name: &str) -> Gen {
        if matches!(name, "成立日期" | "注册日期") && !self.entities.is_empty() {
            let main = self.entities.iter().position(|e| e.role.is_empty()).unwrap_or(0);
            return Gen::EntityFounded(main);
        }
        Gen::Date(date_kind(name))
    }

    /// Dates, months and years written as text.
    fn text_date(&mut self, name: &str, limit: Option<usize>) -> Option<Gen> {
        let l = limit.unwrap_or(usize::MAX);
        if ends(name, &["首班时间"]) && l >= 5 {
            return Some(Gen::Clock { late: false });
        }
        if ends(name, &["末班时间"]) && l >= 5 {
            return Some(Gen::Clock { late: true });
        }
        if ends(name, &["开放时间"]) {
            return Some(Gen::Text(TextKind::Hours));
        }
        if (has(name, &["年月", "月份"]) || ends(name, &["期", "期间"])) && l >= 6 && !has(name, &["有效期", "日期"])
        {
            return Some(Gen::YearMonth);
        }
        if (ends(name, &["年度", "年份"]) || name == "建设年代") && l >= 4 {
            return Some(Gen::Year { built: name == "建设年代" });
        }
        if ends(name, &["批次"]) && l >= 14 {
            return Some(Gen::Batch);
        }
        if ends(name, &["日期", "时间"]) && l >= 8 {
            return Some(self.date(name));
        }
        None
    }

    /// Person attributes written as text.
    fn person_text(&mut self, name: &str) -> Option<Gen> {
        let attr = match name {
            "婚姻状况" => Attr::Marital,
            "文化程度" | "学历" => Attr::Education,
            "职业" => Attr::Occupation,
            "兵役状况" => Attr::Military,
            "与户主关系" | "户主关系" => Attr::Relation,
            "户籍地址" if self.ctx.any(&["身份号码"]) => return Some(Gen::PersonAddress(self.main_person())),
            "全国学籍号" => return Some(Gen::StudentNo(self.main_person())),
            "民族" => return Some(Gen::Enum(&words::NATION)),
            "宗教信仰" => return Some(Gen::Enum(&words::RELIGION)),
            "人员状态" => return Some(Gen::Enum(&words::PERSON_STATUS)),
            _ => return None,
        };
        Some(Gen::PersonAttr(self.main_person(), attr))
    }

    /// Names of entities and things (…名称, and a few other names).
    fn named(&mut self, name: &str) -> Option<Gen> {
        let role = match name.strip_suffix("名称") {
            Some(r) => r,
            None => match name {
                "所在河流" => return Some(Gen::Names(&names::RIVER)),
                "登记机关" | "发证机关" | "签发机关" => return Some(Gen::Names(self.ctx.government())),
                "监管银行" | "经办银行" | "资金存管银行" => return Some(Gen::Names(&names::BANK)),
                "主导产品" => return Some(Gen::Names(&names::FARM_PRODUCT)),
                "举办者" | "开放主体" | "机动车所有人" => return Some(Gen::Names(&names::COMPANY)),
                "变更事项" => return Some(Gen::Names(&names::CHANGE_ITEM)),
                "监测因子" => return Some(Gen::Names(&names::POLLUTANT)),
                "能源品种" => return Some(Gen::Names(&names::ENERGY_KIND)),
                "油气品种" => return Some(Gen::Names(&names::FUEL)),
                "职业（工种）名称" => return Some(Gen::Names(&names::OCCUPATION_NAME)),
                _ => return None,
            },
        };
        let object = |f: &'static Family| Some(Gen::Names(f));
        let medical = self.ctx.any(&["医学证明", "床位", "执业医师", "接种", "诊", "病"]);
        // Bodies of any department: who called, who supplied, who implements.
        if matches!(role, "调用部门" | "来源部门" | "实施主体" | "实施部门" | "数据来源单位" | "采购单位" | "修复部门")
        {
            return object(&names::GOVERNMENT);
        }
        if role == "承办机构" && self.ctx.any(&["法律援助"]) {
            return object(&names::LAW_FIRM);
        }
        if role.ends_with("机关")
            || role.ends_with("部门")
            || matches!(
                role,
                "受理单位"
                    | "审批单位"
                    | "执收单位"
                    | "承办单位"
                    | "承办机构"
                    | "列管单位"
                    | "发布单位"
                    | "注销单位"
                    | "业务主管单位"
                    | "审查机构"
                    | "认定机构"
                    | "发证机构"
                    | "责任单位"
                    | "管理单位"
                    | "所属单位"
                    | "权属单位"
            )
        {
            return object(self.ctx.government());
        }
        if role.contains("银行") {
            return object(&names::BANK);
        }
        if role.contains("学校") {
            return Some(Gen::EntityName(self.entity_for_name(role, &names::SCHOOL, "12")));
        }
        if has(role, &["医疗机构", "医院", "定点机构", "接种单位", "执业机构", "报告单位", "建档机构"])
            || (role == "签发机构" && medical)
            || (role == "机构" && medical)
        {
            return Some(Gen::EntityName(self.entity_for_name(role, &names::HOSPITAL, "12")));
        }
        let families: &[(&str, &'static Family)] = &[
            ("殡仪馆", &names::FUNERAL),
            ("景区", &names::SCENIC),
            ("文物保护单位", &names::HERITAGE),
            ("公证机构", &names::NOTARY),
            ("调解组织", &names::MEDIATION),
            ("停车场", &names::PARKING),
            ("场馆", &names::VENUE),
            ("桥梁", &names::BRIDGE),
            ("测站", &names::STATION),
            ("采价点", &names::PRICE_POINT),
            ("监测点", &names::MONITOR_POINT),
            ("断面", &names::SECTION),
            ("河湖", &names::RIVER),
            ("储备库", &names::DEPOT),
            ("窗口", &names::WINDOW),
            ("站点", &names::STOP),
            ("线路", &names::BUS_LINE),
            ("社区", &names::COMMUNITY),
            ("街道", &names::STREET),
            ("隐患点", &names::HAZARD),
            ("建筑物", &names::BUILDING),
            ("矿山", &names::MINE),
            ("处置设施", &names::FACILITY),
            ("收入项目", &names::FEE_ITEM),
            ("补贴项目", &names::SUBSIDY_ITEM),
            ("培训项目", &names::OCCUPATION_NAME),
            ("项目", &names::PROJECT),
            ("工程", &names::PROJECT),
            ("商品", &names::PRODUCT),
            ("产品", &names::FARM_PRODUCT),
            ("物资", &names::MATERIAL),
            ("指标", &names::INDICATOR),
            ("疫苗", &names::VACCINE),
            ("疾病", &names::DISEASE),
            ("病种", &names::DISEASE),
            ("诊断", &names::DISEASE),
            ("事项", &names::MATTER),
            ("证照类型", &names::LICENCE_TYPE),
            ("系统", &names::SYSTEM),
            ("数据集", &names::DATASET),
            ("资源", &names::DATASET),
            ("资产", &names::ASSET),
            ("器具", &names::INSTRUMENT),
            ("辅具", &names::AID),
            ("要素", &names::MAP_FEATURE),
            ("标准", &names::STANDARD),
        ];
        if let Some((_, f)) = families.iter().find(|(w, _)| role.contains(w)) {
            return object(f);
        }
        if role == "地类" {
            return Some(Gen::Enum(&LAND_TYPE));
        }
        let entities: &[(&str, &'static Family, &'static str)] = &[
            ("个体工商户", &names::INDIVIDUAL, "92"),
            ("合作社", &names::COOPERATIVE, "93"),
            ("社会组织", &names::SOCIAL_ORG, "51"),
            ("旅馆", &names::HOTEL, "91"),
            ("旅行社", &names::TRAVEL_AGENCY, "91"),
            ("场所", &names::NET_CAFE, "91"),
            ("供养机构", &names::NURSING_HOME, "52"),
            ("服务机构", &names::NURSING_HOME, "52"),
            ("培训机构", &names::TRAINING, "52"),
            ("家庭农场", &names::FAMILY_FARM, "92"),
            ("供餐单位", &names::CANTEEN, "91"),
        ];
        if role == "签发机构" {
            return object(self.ctx.government());
        }
        if let Some(&(_, f, p)) = entities.iter().find(|(w, _, _)| role.contains(w)) {
            return Some(Gen::EntityName(self.entity_for_name(role, f, p)));
        }
        let (family, prefix) = self.default_entity();
        Some(Gen::EntityName(self.entity_for_name(role, family, prefix)))
    }

    /// The kind of entity a resource is about, from its items.
    fn default_entity(&self) -> (&'static Family, &'static str) {
        if self.ctx.any(&["个体工商户", "经营者"]) {
            (&names::INDIVIDUAL, "92")
        } else if self.ctx.any(&["合作社"]) {
            (&names::COOPERATIVE, "93")
        } else if self.ctx.any(&["社会组织"]) {
            (&names::SOCIAL_ORG, "51")
        } else {
            (&names::COMPANY, "91")
        }
    }
}

static LAND_TYPE: Enumeration = Enumeration(words::LAND_TYPES);

/// Share of 是 for a 逻辑型 item.
fn bool_share(name: &str) -> u32 {
    match name {
        "死亡标识" => 3,
        "是否超标" | "价格异动标识" => 10,
        "是否独居" => 15,
        "特别扶助标识" => 20,
        "领取养老金标识" => 25,
        "医保定点标识" => 30,
        "是否免费开放" => 60,
        _ => 50,
    }
}

fn date_kind(name: &str) -> DateKind {
    if name.contains("更新") {
        DateKind::Updated
    } else if ends(name, &["有效期至", "有效期止", "期限止", "终止日期", "截止日期", "结束日期", "到期日期"])
    {
        DateKind::ValidTo
    } else if ends(name, &["有效期起", "期限起", "起始日期", "开始日期"]) {
        DateKind::ValidFrom
    } else if name.starts_with("下次") {
        DateKind::Future
    } else if has(name, &["死亡", "火化"]) {
        DateKind::Death
    } else if has(
        name,
        &[
            "建档", "开户", "首次", "初次", "入伍", "取得", "启用", "上线", "纳入", "划定", "命名", "定级", "退休",
            "退役",
        ],
    ) {
        DateKind::Past
    } else {
        DateKind::Event
    }
}

/// Numbers, by what the name says they measure.
fn number(name: &str, ty: DataType) -> Gen {
    if name == "站点序号" || name.ends_with("序号") {
        return Gen::Ordinal;
    }
    if name.ends_with("手机号码") {
        return Gen::Mobile;
    }
    let spec = |lo: f64, hi: f64, decimals: u32| {
        let scale = 10f64.powi(decimals as i32);
        Gen::Number(NumSpec { lo: (lo * scale) as i64, hi: (hi * scale) as i64, decimals, round: false })
    };
    let int = ty == DataType::I;
    if has(name, &["注册资本", "出资额", "出资总额"]) {
        return Gen::Number(NumSpec { lo: 0, hi: 0, decimals: if int { 0 } else { 2 }, round: true });
    }
    let table: &[(&[&str], f64, f64, u32)] = &[
        (&["经度"], 119.05, 119.65, 6),
        (&["纬度"], 25.75, 26.35, 6),
        (&["同比", "环比", "增长"], -15.0, 25.0, 2),
        (&["优良", "达标率", "好评率", "按时办结率"], 60.0, 100.0, 2),
        (&["比例", "率"], 0.0, 100.0, 2),
        (&["空气质量指数"], 20.0, 160.0, 0),
        (&["浓度"], 3.0, 120.0, 1),
        (&["最高气温"], 12.0, 38.0, 1),
        (&["最低气温"], 2.0, 28.0, 1),
        (&["警戒水位"], 6.0, 12.0, 2),
        (&["水位"], 2.0, 11.0, 2),
        (&["降水概率"], 0.0, 100.0, 0),
        (&["降雨量", "降水量"], 0.0, 80.0, 1),
        (&["床位数"], 20.0, 1500.0, 0),
        (&["在校生数"], 200.0, 3500.0, 0),
        (&["专任教师数", "执业医师数", "注册护士数"], 10.0, 600.0, 0),
        (&["从业人员", "成员人数", "缴存人数"], 1.0, 300.0, 0),
        (&["家庭人数", "家庭成员数", "保障人数"], 1.0, 6.0, 0),
        (&["死亡人数"], 0.0, 3.0, 0),
        (&["受伤人数"], 0.0, 12.0, 0),
        (&["威胁人数", "涉及人数"], 3.0, 400.0, 0),
        (&["累计缴费月数"], 1.0, 360.0, 0),
        (&["累积记分"], 0.0, 12.0, 0),
        (&["次数"], 0.0, 6.0, 0),
        (&["评价等级", "满意度"], 1.0, 5.0, 0),
        (&["时限", "用时"], 1.0, 20.0, 0),
        (&["贷款期限"], 12.0, 360.0, 0),
        (&["等候分钟"], 0.0, 60.0, 0),
        (&["排队人数"], 0.0, 40.0, 0),
        (&["人数", "人次", "人口"], 0.0, 5000.0, 0),
        (
            &[
                "数量",
                "台数",
                "泊位数",
                "套数",
                "户数",
                "间数",
                "单位数",
                "网格数",
                "记录数",
                "企业数",
                "关联事项数",
                "剂次",
            ],
            1.0,
            300.0,
            0,
        ),
        (&["受理量", "办结量"], 10.0, 5000.0, 0),
        (&["总投资", "计划投资", "累计完成投资", "投资总额"], 1_000_000.0, 800_000_000.0, 2),
        (&["缴费基数", "缴存基数", "薪酬"], 3_000.0, 30_000.0, 2),
        (&["月缴存额"], 300.0, 6_000.0, 2),
        (&["养老金"], 1_500.0, 8_000.0, 2),
        (&["成交价格", "合同价格", "合同总价", "合同金额", "原值", "被担保债权数额"], 200_000.0, 5_000_000.0, 2),
        (&["贷款金额"], 100_000.0, 1_200_000.0, 2),
        (&["罚款", "罚没"], 500.0, 200_000.0, 2),
        (&["医疗总费用"], 80.0, 60_000.0, 2),
        (&["票价"], 1.0, 30.0, 2),
        (&["租金"], 300.0, 6_000.0, 2),
        (&["价格"], 1.0, 120.0, 2),
        (&["能耗"], 0.1, 2.0, 3),
        (&["分值"], 60.0, 100.0, 1),
        (&["营业收入", "工业总产值", "旅游收入", "收入额", "产值"], 100_000.0, 900_000_000.0, 2),
        (&["税额", "欠税", "已缴"], 100.0, 500_000.0, 2),
        (
            &["补贴", "救助", "保障金", "补助", "抚恤", "扶助", "供养", "资助", "贴息", "支付", "自付", "负担", "发放"],
            100.0,
            5_000.0,
            2,
        ),
        (&["直接经济损失", "威胁财产"], 10_000.0, 20_000_000.0, 2),
        (&["金额", "标准"], 100.0, 100_000.0, 2),
        (&["面积"], 30.0, 50_000.0, 2),
        (&["长度", "管径", "埋深"], 1.0, 2_000.0, 2),
        (&["库容"], 100.0, 50_000.0, 2),
        (&["容积率"], 1.0, 4.5, 2),
        (&["密度", "绿地率"], 20.0, 45.0, 2),
        (&["限高"], 24.0, 150.0, 1),
        (&["天数"], 3.0, 60.0, 1),
        (&["量", "规模", "值"], 10.0, 100_000.0, 2),
    ];
    for &(words, lo, hi, decimals) in table {
        if has(name, words) {
            return spec(lo, hi, if int { 0 } else { decimals });
        }
    }
    match ty {
        DataType::I => spec(0.0, 1_000.0, 0),
        DataType::Y => spec(100.0, 100_000.0, 2),
        _ => spec(0.0, 10_000.0, 2),
    }
}

/// Codes and numbers written as text.
fn code(name: &str, limit: Option<usize>, ctx: &Context) -> Option<Gen> {
    let l = limit.unwrap_or(50);
    let g = |f| Some(Gen::Code(f));
    if name == "行业代码" {
        return Some(Gen::Enum(&words::INDUSTRY_CODE));
    }
    if name == "地类编码" || name == "用地性质代码" {
        return Some(Gen::Enum(&LAND_TYPE));
    }
    if ends(name, &["号牌号码", "车牌号码"]) && l >= 8 {
        return g(CodeFmt::Plate);
    }
    if name == "项目代码" && l >= 24 {
        return g(CodeFmt::Project);
    }
    if name.ends_with("车辆识别代号") && l >= 17 {
        return g(CodeFmt::Vin);
    }
    if name.ends_with("银行账号") && l >= 19 {
        return g(CodeFmt::BankCard);
    }
    if (name.ends_with("不动产权证书号") || name.ends_with("不动产登记证明号")) && l >= 44 {
        return g(CodeFmt::PropertyCert);
    }
    if name.ends_with("不动产单元号") && l >= 28 {
        return g(CodeFmt::PropertyUnit);
    }
    if name == "社区代码" && l >= 12 {
        return g(CodeFmt::Community);
    }
    if name == "学校标识码" && l >= 10 {
        return g(CodeFmt::SchoolId);
    }
    if name == "定点机构编码" && l >= 12 {
        return g(CodeFmt::MedicalInstitution);
    }
    if name == "资源代码" && l >= 13 {
        return g(CodeFmt::ResourceCode);
    }
    if name == "病种编码" && l >= 7 {
        return g(CodeFmt::Icd);
    }
    if name == "登记证字号" && l >= 19 {
        return g(CodeFmt::MarriageCert);
    }
    if has(name, &["许可证编号", "许可证号"]) && ctx.any(&["食品", "餐饮", "主体业态", "供餐"]) && l >= 16
    {
        return g(CodeFmt::FoodLicence);
    }
    if ends(name, &["文号", "决定书号", "决定文书号"]) && l >= 30 {
        let prefix = if has(name, &["处罚", "决定"]) {
            words::PENALTY_PREFIXES[ctx.domain(words::PENALTY_PREFIXES)].1
        } else if has(name, &["环评"]) {
            "示环评"
        } else if has(name, &["查封"]) {
            "示不动产查封"
        } else if has(name, &["命名"]) {
            "示民地名"
        } else {
            "示发改审批"
        };
        return g(CodeFmt::DocNo(prefix));
    }
    if name == "门楼牌号" {
        return Some(Gen::Text(TextKind::Address));
    }
    if name == "驾驶证档案编号" || name == "户号" {
        return g(CodeFmt::Digits(if name == "户号" { 9 } else { l.min(12) as u32 }));
    }
    let is_code = ends(
        name,
        &[
            "编号",
            "编码",
            "代码",
            "号码",
            "文号",
            "账号",
            "流水号",
            "批次号",
            "证号",
            "字号",
            "标识码",
            "批号",
            "追溯码",
            "识别代号",
            "许可证号",
            "分类码",
            "号",
        ],
    );
    if is_code {
        return if l <= 4 { Some(Gen::SmallCode) } else { g(CodeFmt::Generic) };
    }
    None
}

/// Code tables by item name.
fn enumeration(name: &str) -> Option<&'static Enumeration> {
    use words::*;
    let table: &[(&[&str], &'static Enumeration)] = &[
        (&["登记状态", "企业状态", "经营状态", "营业状态", "单位状态"], &ENTITY_STATUS),
        (&["企业类型"], &ENTERPRISE_TYPE),
        (&["险种类型"], &INSURANCE),
        (&["号牌种类"], &PLATE_KIND),
        (&["车辆类型"], &VEHICLE_TYPE),
        (&["证件种类", "证件类型"], &DOC_KIND),
        (&["残疾类别"], &DISABILITY),
        (&["残疾等级"], &DISABILITY_GRADE),
        (&["参保状态"], &INSURED_STATUS),
        (&["纳税人状态"], &TAXPAYER_STATUS),
        (&["登记注册类型"], &REGISTRATION_TYPE),
        (&["增值税纳税人类型"], &VAT_KIND),
        (&["景区等级"], &SCENIC_GRADE),
        (&["保护级别"], &HERITAGE_LEVEL),
        (&["预警级别"], &WARNING_LEVEL),
        (&["风险等级", "管控级别"], &RISK_LEVEL),
        (&["信用级别", "评价等级"], &CREDIT_GRADE),
        (&["执业类别"], &PRACTICE_CLASS),
        (&["学籍状态"], &SCHOOL_STATUS),
        (&["年级"], &GRADE),
        (&["迁移类型"], &MIGRATION_KIND),
        (&["迁移原因"], &MIGRATION_REASON),
        (&["注销原因"], &CANCELLATION_REASON),
        (&["注销方式"], &DEREGISTRATION),
        (&["组成形式"], &COMPOSITION),
        (&["死亡地点类别"], &DEATH_PLACE),
        (&["性别"], &SEX),
    ];
    table
        .iter()
        .find(|(names, _)| names.contains(&name))
        .map(|(_, e)| *e)
        .or_else(|| if name == "登记类型" { Some(&MARRIAGE_REGISTRATION) } else { None })
}

/// Labels of a category item long enough for words.
fn category_labels(name: &str) -> &'static Enumeration {
    if name.ends_with("状态") {
        &words::STATUS
    } else if ends(name, &["结论", "结果"]) {
        &words::RESULT
    } else if ends(name, &["等级", "级别"]) {
        &words::LEVEL
    } else {
        &GENERIC_CATEGORY
    }
}

static GENERIC_CATEGORY: Enumeration =
    Enumeration(&[("01", "一类", 40), ("02", "二类", 30), ("03", "三类", 20), ("09", "其他", 10)]);

/// Short words by item name.
fn word_list(name: &str, ctx: &Context) -> Option<&'static Family> {
    let table: &[(&str, &'static Family)] = &[
        ("天气现象", &WEATHER),
        ("天气情况", &WEATHER),
        ("风向", &WIND),
        ("计量单位", &UNIT),
        ("规格等级", &GRADE_WORDS),
        ("年代", &ERA),
        ("类别", &HERITAGE_TYPE),
        ("用途", &USE),
        ("土地用途", &USE),
        ("用地性质", &USE),
        ("材质", &MATERIAL_KIND),
        ("车辆品牌", &CAR_BRAND),
        ("准驾车型", &LICENCE_CLASS),
        ("欠税税种", &TAX),
        ("资格种类", &QUALIFICATION),
        ("所属街道名称", &names::STREET),
        ("行业类别", &INDUSTRY_WORDS),
        ("经营类别", if ctx.any(&["燃气"]) { &GAS } else { &INDUSTRY_WORDS }),
        ("主体业态", &CATERING),
        ("风力", &WIND_FORCE),
        ("根本死亡原因", &names::DISEASE),
        ("实施事项", &names::MATTER),
        ("培训项目", &names::OCCUPATION_NAME),
        ("经营方式", &BUSINESS_MODE),
        ("取水方式", &WATER_SOURCE),
        ("开采方式", &MINING_MODE),
        ("证照模板版本", &VERSION),
        ("比例尺", &SCALE),
        ("规格型号", &MODEL),
        ("动物种类", &ANIMAL),
        ("列入领域", &CREDIT_FIELD),
        ("综合评价", &AIR_QUALITY),
        ("型号规格", &MODEL),
    ];
    table.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

use names::Part::{L, N, W};

static WEATHER: Family = Family(&[(&[W(words::WEATHER)], 1)]);
static WIND: Family = Family(&[(&[W(words::WIND_DIRECTIONS)], 1)]);
static WIND_FORCE: Family = Family(&[(&[N(6), L("级")], 1)]);
static UNIT: Family = Family(&[(&[W(words::UNITS)], 1)]);
static GRADE_WORDS: Family = Family(&[(&[W(words::GRADES)], 1)]);
static ERA: Family = Family(&[(&[W(words::ERAS)], 1)]);
static HERITAGE_TYPE: Family = Family(&[(&[W(words::HERITAGE_TYPES)], 1)]);
static USE: Family = Family(&[(&[W(words::USES)], 1)]);
static MATERIAL_KIND: Family = Family(&[(&[W(words::MATERIAL_KINDS)], 1)]);
static CAR_BRAND: Family = Family(&[(&[W(words::CAR_BRANDS)], 1)]);
static LICENCE_CLASS: Family = Family(&[(&[W(words::LICENCE_CLASSES)], 1)]);
static TAX: Family = Family(&[(&[W(words::TAXES)], 1)]);
static QUALIFICATION: Family = Family(&[(&[W(words::QUALIFICATIONS)], 1)]);
static INDUSTRY_WORDS: Family = Family(&[(&[W(words::INDUSTRIES)], 1)]);
static BUSINESS_MODE: Family = Family(&[(&[W(&["批发", "零售", "批发兼零售", "网络销售"])], 1)]);
static WATER_SOURCE: Family = Family(&[(&[W(&["地表水", "地下水"])], 1)]);
static MINING_MODE: Family = Family(&[(&[W(&["露天开采", "地下开采"])], 1)]);
static VERSION: Family = Family(&[(&[L("V"), N(3), L(".0")], 3), (&[L("V"), N(3), L(".1")], 1)]);
static GAS: Family = Family(&[(&[W(&["管道燃气", "瓶装液化石油气", "车用燃气", "液化天然气"])], 1)]);
static ANIMAL: Family = Family(&[(&[W(words::ANIMALS)], 1)]);
static CREDIT_FIELD: Family = Family(&[(&[W(words::CREDIT_FIELDS)], 1)]);
static AIR_QUALITY: Family = Family(&[(&[W(words::AIR_QUALITY)], 1)]);
static MODEL: Family = Family(&[(&[W(&["XJ-200", "ZX-3000A", "HY-50", "GB-1200", "标准型", "DN100", "DN200"])], 1)]);
static SCALE: Family = Family(&[(&[W(&["1:500", "1:1000", "1:2000", "1:10000"])], 1)]);
static CATERING: Family = Family(&[(
    &[W(&["餐馆", "快餐店", "饮品店", "糕点店", "食品销售", "单位食堂", "中央厨房", "集体用餐配送单位"])],
    1,
)]);

/// Free text, by what the name says it holds.
fn text_kind(name: &str) -> Option<TextKind> {
    let table: &[(&[&str], TextKind)] = &[
        (&["经营范围", "业务范围", "许可范围", "执业范围", "诊疗科目", "服务范围", "经营项目"], TextKind::Scope),
        (&["享受政策记录"], TextKind::Policy),
        (&["诉求内容", "问题描述", "事件描述"], TextKind::Complaint),
        (&["处理结果", "处置结果", "整改情况", "形象进度", "核查结果", "核对结果", "移出原因"], TextKind::Handling),
        (&["措施", "建议", "指南"], TextKind::Measures),
        (&["建设内容", "建设规模"], TextKind::Construction),
        (&["保护范围"], TextKind::Protection),
        (&["影响区域", "流经区县", "执业区域", "经营区域"], TextKind::Districts),
        (&["责任河段"], TextKind::Reach),
        (&["医嘱"], TextKind::Medical),
        (&["变更前内容", "变更后内容"], TextKind::Address),
        (&["收费标准", "租金标准"], TextKind::Fee),
        (&["备注", "说明", "描述", "内容", "情况", "条件", "原因", "事由"], TextKind::Generic),
    ];
    table.iter().find(|(words, _)| has(name, words)).map(|(_, k)| *k)
}

/// Plans a resource's items. `rows` is how many rows are wanted, so that the key plan can
/// prefer an outer dimension that has room for them.
pub(super) fn plan(items: &[DataItem], rows: u64, resource: &str, provider: &str) -> Plan {
    let ctx = Context {
        names: items.iter().map(|i| i.name.trim().to_string()).collect(),
        resource: resource.to_string(),
        provider: provider.to_string(),
    };
    let mut b = Builder { items, ctx, persons: Vec::new(), entities: Vec::new() };
    // Slots of people and entities with codes first, so that names can find them.
    for item in b.items {
        if item.identifier == Some(IdentifierKind::CreditCode) || item.name.trim().ends_with("统一社会信用代码")
        {
            let role = item.name.trim().strip_suffix("统一社会信用代码").unwrap_or("");
            b.entity(role);
        }
    }
    let gens: Vec<Gen> = items
        .iter()
        .map(|item| {
            let source = b.classify(item);
            // A word list too long for a short item becomes a short code.
            match (source, item.data_type, item.length) {
                (Gen::Names(f), DataType::C, Some(l)) if l <= 4 && f.max_len() > l as usize => Gen::SmallCode,
                (Gen::Names(f), DataType::C | DataType::M, Some(l)) if f.max_len() > l as usize && l < 8 => {
                    Gen::Code(CodeFmt::Generic)
                }
                _ => source,
            }
        })
        .collect();
    let mut columns: Vec<Column> = items
        .iter()
        .zip(gens)
        .map(|(item, source)| {
            let text = matches!(item.data_type, DataType::C | DataType::M);
            let limit = if text { item.length.map(|l| l as usize) } else { None };
            let digits = match item.data_type {
                DataType::N | DataType::B | DataType::F | DataType::I => item.length,
                _ => None,
            };
            let labels = match source {
                Gen::Enum(e) => {
                    e.0.iter().all(|(_, label, _)| limit.is_none_or(|l| data::rows::storage_len(label) <= l))
                }
                Gen::PersonSex(_) => limit.is_none_or(|l| l >= 2),
                Gen::PersonAttr(_, attr) => {
                    let tables: &[&Enumeration] = match attr {
                        Attr::Marital => &[&words::MARITAL],
                        Attr::Education => &[&words::EDUCATION],
                        Attr::Occupation => &[&words::OCCUPATION, &words::OCCUPATION_STAGE],
                        Attr::Military => &[&words::MILITARY],
                        Attr::Relation => &[&words::RELATION],
                    };
                    tables.iter().all(|e| {
                        e.0.iter().all(|(_, label, _)| limit.is_none_or(|l| data::rows::storage_len(label) <= l))
                    })
                }
                _ => true,
            } && text;
            Column {
                name: item.name.clone(),
                source,
                ty: item.data_type,
                limit,
                digits,
                required: item.required || item.is_key,
                labels,
                any_hour: ["监测", "采集", "报警", "来电", "调用", "更新", "发布"]
                    .iter()
                    .any(|w| item.name.contains(w)),
                key: None,
            }
        })
        .collect();
    let default = b.default_entity();
    let mut entities = b.entities;
    for e in &mut entities {
        if e.family.is_none() {
            e.family = Some(default.0);
            e.prefix = default.1;
        }
    }
    let mut persons = b.persons;
    let keys = key_plan(items, &mut columns, &mut persons, &mut entities, rows);
    let main_person =
        persons.iter().position(|p| p.role.is_empty()).or(if persons.is_empty() { None } else { Some(0) });
    Plan { columns, persons, entities, main_person, keys }
}

/// Whether and how a column can be a key dimension: (preference class, capacity, kind).
/// Lower classes are preferred as the outer dimension.
fn key_dim(col: &Column, entities: &[EntitySlot]) -> Option<(u8, u64, DimKind)> {
    let limit = col.limit;
    Some(match col.source {
        Gen::PersonId(_) => (0, 1_000_000_000, DimKind::Identity),
        Gen::EntityCode(_) | Gen::EntityOrgCode(_) => (0, ORG_BODIES, DimKind::Identity),
        Gen::EntityName(slot) => {
            let cap = entities[slot].family.map_or(1, Family::cap);
            if cap >= 500 { (2, cap, DimKind::Identity) } else { (4, cap, DimKind::Category) }
        }
        Gen::Code(fmt) => (1, code_cap(fmt, limit), DimKind::Identity),
        Gen::Names(f) => {
            let cap = f.cap();
            if cap >= 500 { (2, cap, DimKind::Identity) } else { (4, cap, DimKind::Category) }
        }
        Gen::Date(_) if col.ty == DataType::T => (3, 200_000, DimKind::Sequence),
        Gen::Date(_) => (3, (REFERENCE_DAY - FIRST_RECORD_DAY) as u64, DimKind::Sequence),
        Gen::YearMonth => (3, ((2026 - FIRST_YEAR) * 12 + 6) as u64, DimKind::Sequence),
        Gen::Year { .. } => (3, (2026 - FIRST_YEAR + 1) as u64, DimKind::Sequence),
        Gen::Ordinal => (3, col.digits.map_or(9_999, |d| 10u64.pow(d.min(6)) - 1), DimKind::Sequence),
        Gen::Enum(e) => (4, e.0.len() as u64, DimKind::Category),
        Gen::Region(RegionSet::City) => (4, super::words::DISTRICTS.len() as u64, DimKind::Category),
        Gen::Region(RegionSet::Any) => (4, REGIONS as u64, DimKind::Category),
        Gen::Bool(_) => (4, 2, DimKind::Category),
        Gen::Base64 => (1, u64::MAX / 4, DimKind::Identity),
        Gen::SmallCode => (4, small_code_cap(limit), DimKind::Category),
        _ => return None,
    })
}

/// Distinct values of a short numeric code of `limit` characters.
pub(super) fn small_code_cap(limit: Option<usize>) -> u64 {
    match limit {
        Some(1) => 9,
        Some(0) => 1,
        _ => 20,
    }
}

/// Distinct values of a code layout.
pub(super) fn code_cap(fmt: CodeFmt, limit: Option<usize>) -> u64 {
    let l = limit.unwrap_or(50);
    match fmt {
        CodeFmt::Generic => 10u64.pow(generic_code_digits(l)),
        CodeFmt::Digits(n) => 10u64.pow(n.min(18)),
        CodeFmt::Plate => 34u64.pow(5),
        CodeFmt::Project => 1_000_000,
        CodeFmt::DocNo(_) => 100_000,
        CodeFmt::MarriageCert => 1_000_000,
        CodeFmt::Vin => 33_000_000,
        CodeFmt::BankCard => 1_000_000_000_000,
        CodeFmt::PropertyCert => 10_000_000,
        CodeFmt::PropertyUnit => 100_000_000,
        CodeFmt::Community => 12 * 15 * 30,
        CodeFmt::SchoolId => 10_000_000,
        CodeFmt::MedicalInstitution => 100_000,
        CodeFmt::FoodLicence => 10_000_000,
        CodeFmt::Icd => ICD_CODES.len() as u64,
        CodeFmt::ResourceCode => 1_000,
    }
}

/// ICD-10 codes (国家医保版) of common diseases.
pub(super) const ICD_CODES: &[&str] =
    &["I10.x00", "E11.900", "I25.103", "J44.900", "I63.900", "N18.900", "A15.000", "B08.401", "J10.100", "B19.900"];

/// The running-number digits of a generic code of `limit` characters.
pub(super) fn generic_code_digits(limit: usize) -> u32 {
    let digits = if limit >= 18 {
        limit - 10
    } else if limit >= 12 {
        limit - 4
    } else {
        limit
    };
    digits.clamp(1, 8) as u32
}

/// Chooses the outer key dimension and the inner ones.
fn key_plan(
    items: &[DataItem],
    columns: &mut [Column],
    persons: &mut [PersonSlot],
    entities: &mut [EntitySlot],
    rows: u64,
) -> KeyPlan {
    let mut dims: Vec<(usize, u8, u64, DimKind)> = Vec::new();
    for (c, item) in items.iter().enumerate() {
        if !item.is_key {
            continue;
        }
        if key_dim(&columns[c], entities).is_none() {
            // A key item whose natural values cannot be enumerated gets values that can.
            columns[c].source = fallback_key_gen(&columns[c]);
        }
        if let Some((class, cap, kind)) = key_dim(&columns[c], entities) {
            dims.push((c, class, cap.max(1), kind));
        }
    }
    if dims.is_empty() {
        return KeyPlan { capacity: u64::MAX, group: 1, ..KeyPlan::default() };
    }
    let evaluate = |outer: usize| -> (u64, Vec<Inner>) {
        let (_, oclass, ocap, _) = dims[outer];
        let mut inner = Vec::new();
        let mut group = 1u64;
        for (j, &(c, _, cap, kind)) in dims.iter().enumerate() {
            if j == outer {
                continue;
            }
            let identity_outer = oclass <= 2;
            let radix = match kind {
                DimKind::Sequence => {
                    if matches!(columns[c].source, Gen::Year { .. }) {
                        cap.min(5)
                    } else {
                        cap.min(12)
                    }
                }
                DimKind::Category | DimKind::Identity if identity_outer => 1,
                _ => cap.min(12),
            };
            group = group.saturating_mul(radix);
            inner.push(Inner { column: c, radix, cap, kind });
        }
        (ocap.saturating_mul(group), inner)
    };
    let mut best = 0;
    let mut best_score = (false, u8::MAX, 0u64);
    for (o, &(_, class, _, _)) in dims.iter().enumerate() {
        let (capacity, _) = evaluate(o);
        let fits = capacity >= rows;
        // Room for the rows first, then the preferred class, then capacity.
        let better = match (fits, best_score.0) {
            (true, false) => true,
            (false, true) => false,
            (true, true) => class < best_score.1,
            (false, false) => capacity > best_score.2,
        };
        if o == 0 || better {
            best = o;
            best_score = (fits, class, capacity);
        }
    }
    let (capacity, inner) = evaluate(best);
    let outer_col = dims[best].0;
    columns[outer_col].key = Some(KeyRole::Outer);
    for (j, d) in inner.iter().enumerate() {
        columns[d.column].key = Some(KeyRole::Inner(j));
    }
    // Slots identified by a key column.
    for c in std::iter::once(outer_col).chain(inner.iter().map(|d| d.column)) {
        match columns[c].source {
            Gen::PersonId(p) if persons[p].key.is_none() => persons[p].key = Some(c),
            Gen::EntityCode(e) | Gen::EntityOrgCode(e) if entities[e].key.is_none() => entities[e].key = Some(c),
            Gen::EntityName(e) if entities[e].key.is_none() => {
                entities[e].key = Some(c);
                entities[e].key_is_name = true;
            }
            _ => {}
        }
    }
    let group = inner.iter().fold(1u64, |g, d| g.saturating_mul(d.radix));
    KeyPlan { outer: Some(outer_col), inner, group, capacity }
}

/// Enumerable values for a key item, by data type.
fn fallback_key_gen(col: &Column) -> Gen {
    match col.ty {
        DataType::C | DataType::M => match col.limit {
            Some(l) if l <= 4 => Gen::SmallCode,
            _ => Gen::Code(CodeFmt::Generic),
        },
        DataType::N | DataType::B | DataType::F | DataType::I | DataType::Y => Gen::Ordinal,
        DataType::D | DataType::T => Gen::Date(DateKind::Event),
        DataType::L => Gen::Bool(50),
        DataType::G => Gen::Code(CodeFmt::Generic),
    }
}
