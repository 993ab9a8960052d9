//! 一数一源 on a small city: a register of eight elements, four published entries of four
//! departments, and drafts of other departments whose overlaps (and non-overlaps) are written
//! down item by item.

use std::collections::BTreeSet;

use super::decision::{CollectionChoice, CollectionDecision, check_undecided};
use super::duplicates::{KeyCount, duplicates, report_keys};
use super::element::{CollectionDuty, DataElementSpec, RegisteredElement, check_register};
use super::matching::{MatchBasis, MatchKeys, Register};
use super::overlap::{HeldResource, ItemOverlap, find_overlaps, overlap_keys};
use crate::catalog::{
    CategoryCode, DataItem, DataType, Format, FormatClass, IdentifierKind, OpenType, ResourceSpec, ResourceStatus,
    ShareMethod, ShareType, UpdateCycle,
};

const GAJ: i64 = 1; // 示例市公安局
const SCJGJ: i64 = 2; // 示例市市场监督管理局
const MZJ: i64 = 3; // 示例市民政局
const RSJ: i64 = 4; // 示例市人力资源和社会保障局
const CL: i64 = 5; // 示例市残疾人联合会
const WJW: i64 = 6; // 示例市卫生健康委员会
const STHJJ: i64 = 7; // 示例市生态环境局

fn dept_name(id: i64) -> &'static str {
    match id {
        GAJ => "示例市公安局",
        SCJGJ => "示例市市场监督管理局",
        MZJ => "示例市民政局",
        RSJ => "示例市人力资源和社会保障局",
        CL => "示例市残疾人联合会",
        WJW => "示例市卫生健康委员会",
        _ => "示例市生态环境局",
    }
}

/// An item: `name`, type letter, length, identifier.
fn item(name: &str, t: DataType, len: Option<u32>, id: Option<IdentifierKind>) -> DataItem {
    let mut i = DataItem::new(name, t, len);
    i.identifier = id;
    i
}

fn c(name: &str, len: u32) -> DataItem {
    item(name, DataType::C, Some(len), None)
}

fn typed(name: &str, t: DataType) -> DataItem {
    item(name, t, None, None)
}

fn element(
    id: i64,
    name: &str,
    t: DataType,
    len: Option<u32>,
    ident: Option<IdentifierKind>,
    dept: i64,
) -> RegisteredElement {
    RegisteredElement {
        id,
        spec: DataElementSpec {
            name: name.into(),
            definition: format!("{name}的定义"),
            data_type: t,
            length: len,
            identifier: ident,
            synonyms: Vec::new(),
            duty: CollectionDuty { department_id: dept, basis: None },
        },
        department_name: dept_name(dept).into(),
    }
}

fn register() -> Register {
    use DataType::*;
    let mut disability = element(8, "残疾人证号", C, Some(20), None, CL);
    disability.spec.synonyms = vec!["残疾人证件号".into()];
    Register::new(vec![
        element(1, "公民身份号码", C, Some(18), Some(IdentifierKind::CitizenId), GAJ),
        element(2, "姓名", C, Some(50), None, GAJ),
        element(3, "出生日期", D, None, None, GAJ),
        element(4, "统一社会信用代码", C, Some(18), Some(IdentifierKind::CreditCode), SCJGJ),
        element(5, "企业名称", C, Some(200), None, SCJGJ),
        element(6, "法定代表人", C, Some(50), None, SCJGJ),
        element(7, "行政区划代码", C, Some(6), Some(IdentifierKind::RegionCode), MZJ),
        disability,
    ])
}

fn held(id: i64, code: &str, name: &str, dept: i64, items: Vec<DataItem>) -> HeldResource {
    HeldResource {
        resource_id: id,
        code: code.into(),
        name: name.into(),
        department_id: dept,
        provider_name: dept_name(dept).into(),
        status: ResourceStatus::Published,
        items,
        decisions: Vec::new(),
    }
}

/// The published catalogue of four departments.
fn catalogue() -> Vec<HeldResource> {
    use DataType::*;
    vec![
        held(
            1,
            "101002/000001",
            "常住人口户籍信息",
            GAJ,
            vec![
                item("公民身份号码", C, Some(18), Some(IdentifierKind::CitizenId)),
                c("姓名", 50),
                c("性别", 1),
                typed("出生日期", D),
                c("户籍地址", 200),
                c("照片", 100),
                c("备注", 500),
            ],
        ),
        held(
            2,
            "102001/000001",
            "市场主体登记信息",
            SCJGJ,
            vec![
                item("统一社会信用代码", C, Some(18), Some(IdentifierKind::CreditCode)),
                c("企业名称", 200),
                c("法定代表人", 50),
                typed("注册资本", Y),
                c("住所", 200),
                typed("成立日期", D),
                c("状态", 2),
            ],
        ),
        held(
            3,
            "307003/000001",
            "社会保险参保信息",
            RSJ,
            vec![
                // No identifier declared: found through the synonym table (社会保障号码 = 公民身份号码).
                c("社会保障号码", 18),
                c("姓名", 50),
                c("参保单位名称", 200),
                c("参保险种", 2),
                typed("缴费基数", Y),
                typed("参保日期", D),
                c("联系电话", 30),
                item("手机号码", C, Some(11), Some(IdentifierKind::Mobile)),
            ],
        ),
        held(
            4,
            "203001/000001",
            "最低生活保障对象信息",
            MZJ,
            vec![
                item("身份证号", C, Some(18), Some(IdentifierKind::CitizenId)),
                c("姓名", 50),
                typed("家庭人口数", I),
                typed("保障金额", Y),
                item("所在行政区划代码", C, Some(6), Some(IdentifierKind::RegionCode)),
                c("残疾人证号", 20),
                c("备注", 500),
            ],
        ),
    ]
}

fn draft(name: &str, items: Vec<DataItem>) -> ResourceSpec {
    ResourceSpec {
        category: CategoryCode::parse("307004").unwrap(),
        name: name.into(),
        provider_name: String::new(),
        provider_code: String::new(),
        provider_division: None,
        summary: "测试".into(),
        format: Format { class: FormatClass::Database, subtype: None, other_desc: None },
        data_items: items,
        share_type: ShareType::Unconditional,
        share_condition: None,
        share_basis: None,
        share_methods: vec![ShareMethod::Api],
        open_type: OpenType::NotOpen,
        open_condition: None,
        update_cycle: UpdateCycle::Daily,
        publish_date: None,
        related_codes: Vec::new(),
        classified: false,
        tags: Vec::new(),
        collection_decisions: Vec::new(),
    }
}

/// An overlap as a line: `index item basis element@dept -> code(item)*, …` (`*` marks the
/// responsible department's entry).
fn line(o: &ItemOverlap) -> String {
    let element = o.element.as_ref().map(|e| format!(" {}@{}", e.name, e.department_id)).unwrap_or_default();
    let resources: Vec<String> = o
        .resources
        .iter()
        .map(|h| format!("{}({}){}", h.resource.code, h.item, if h.responsible { "*" } else { "" }))
        .collect();
    format!("{} {} {}{element} -> {}", o.index, o.item, o.basis.code(), resources.join(", "))
}

fn lines(spec: &ResourceSpec, dept: i64) -> Vec<String> {
    find_overlaps(spec, dept, &register(), &catalogue()).iter().map(line).collect()
}

/// 卫健委 drafts a maternal-health register: the mother's ID, name and birth date are 公安局's
/// elements; the mobile number is already collected by 人社局 (advisory); the rest is its own.
fn maternal_health() -> ResourceSpec {
    use DataType::*;
    draft(
        "母婴保健服务信息",
        vec![
            typed("序号", I),
            item("母亲身份证号码", C, Some(18), Some(IdentifierKind::CitizenId)),
            c("姓名", 50),
            c("出生年月日", 8),
            c("手机号", 11),
            c("联系电话", 30),
            typed("建档日期", D),
            typed("照片", G),
            c("新生儿姓名", 50),
            c("备注", 500),
        ],
    )
}

#[test]
fn realistic_overlaps_of_a_health_register() {
    assert_eq!(
        lines(&maternal_health(), WJW),
        [
            // Declares the citizen-ID identifier: 公安局's element, whatever the item is called;
            // 人社局's 社会保障号码 and 民政局's 身份证号 hold it too.
            "1 母亲身份证号码 identifier 公民身份号码@1 -> 101002/000001(公民身份号码)*, 203001/000001(身份证号), 307003/000001(社会保障号码)",
            "2 姓名 name 姓名@1 -> 101002/000001(姓名)*, 203001/000001(姓名), 307003/000001(姓名)",
            // A date kept as text YYYYMMDD is still the birth date.
            "3 出生年月日 synonym 出生日期@1 -> 101002/000001(出生日期)*",
            // Not a register element: shown, not blocking.
            "4 手机号 synonym -> 307003/000001(手机号码)",
        ]
    );
}

#[test]
fn no_false_alarms() {
    use DataType::*;
    let overlaps = find_overlaps(&maternal_health(), WJW, &register(), &catalogue());
    let flagged: BTreeSet<&str> = overlaps.iter().map(|o| o.item.as_str()).collect();
    // Generic names (序号, 联系电话, 备注) never match; 建档日期 is nobody else's; a photograph
    // (通用型) is not 公安局's 照片 path (字符型); 新生儿姓名 is not 姓名 (a newborn has no
    // household record yet).
    for name in ["序号", "联系电话", "建档日期", "照片", "新生儿姓名", "备注"] {
        assert!(!flagged.contains(name), "{name} flagged: {overlaps:?}");
    }

    // 生态环境局's discharge permits share nothing with the others but the credit code.
    let permits = draft(
        "排污许可信息",
        vec![
            c("许可证编号", 50),
            item("统一社会信用代码", C, Some(18), Some(IdentifierKind::CreditCode)),
            c("排污单位名称", 200),
            c("排放口编号", 20),
            c("污染物种类", 100),
            typed("经度", B),
            typed("纬度", B),
            typed("有效期至", D),
            typed("发证日期", D),
            c("状态", 2),
            c("单位名称", 200),
        ],
    );
    assert_eq!(
        lines(&permits, STHJJ),
        ["1 统一社会信用代码 name 统一社会信用代码@2 -> 102001/000001(统一社会信用代码)*"]
    );

    // Close names are not the same data.
    let near = draft(
        "名称相近的信息项",
        vec![
            typed("死亡日期", D),
            c("学校名称", 200),
            c("户籍地址代码", 12),
            c("法定代表人身份证件类型", 2),
            typed("注册资本金额", N),
            c("身份证件类型", 2),
        ],
    );
    assert_eq!(lines(&near, STHJJ), Vec::<String>::new());
}

#[test]
fn a_department_is_not_warned_about_its_own_elements() {
    use DataType::*;
    // 公安局 drafts a residence-permit register: ID, name and birth date are its own elements;
    // 户籍地址 is only in its own entries.
    let permits = draft(
        "居住证信息",
        vec![
            item("公民身份号码", C, Some(18), Some(IdentifierKind::CitizenId)),
            c("姓名", 50),
            typed("出生日期", D),
            c("户籍地址", 200),
            c("居住地址", 200),
        ],
    );
    assert_eq!(lines(&permits, GAJ), Vec::<String>::new());
    // 民政局's 低保 register holds 公安局's elements and 残联's disability card number; its own
    // region code is not an overlap.
    let lines = lines(&draft("低保复核", catalogue()[3].items.clone()), MZJ);
    assert_eq!(
        lines,
        [
            "0 身份证号 synonym 公民身份号码@1 -> 101002/000001(公民身份号码)*, 307003/000001(社会保障号码)",
            "1 姓名 name 姓名@1 -> 101002/000001(姓名)*, 307003/000001(姓名)",
            "5 残疾人证号 name 残疾人证号@5 -> ",
        ]
    );
}

#[test]
fn register_synonyms_and_identifiers_match() {
    use DataType::*;
    let spec = draft(
        "就业援助对象",
        vec![
            // The element's own synonym.
            c("残疾人证件号", 20),
            // The built-in table, in traditional characters and with a full-width bracket.
            c("法人代表（姓名）", 50),
            c("市場主體名稱", 200),
            // Wrong type: a logical flag called 姓名 is not a name.
            typed("姓名", L),
        ],
    );
    assert_eq!(
        lines(&spec, RSJ),
        [
            "0 残疾人证件号 synonym 残疾人证号@5 -> 203001/000001(残疾人证号)",
            "1 法人代表（姓名） synonym 法定代表人@2 -> 102001/000001(法定代表人)*",
            "2 市場主體名稱 synonym 企业名称@2 -> 102001/000001(企业名称)*",
        ]
    );
}

fn decide(item: &str, choice: CollectionChoice, source: Option<&str>, reason: Option<&str>) -> CollectionDecision {
    CollectionDecision { item: item.into(), choice, source: source.map(Into::into), reason: reason.map(Into::into) }
}

#[test]
fn submission_waits_for_a_decision_on_every_element_of_another_department() {
    let mut spec = maternal_health();
    let overlaps = find_overlaps(&spec, WJW, &register(), &catalogue());
    assert_eq!(overlaps.iter().filter(|o| o.needs_decision()).count(), 3);
    let errs = check_undecided(&overlaps, &BTreeSet::new()).unwrap_err();
    let messages: Vec<(&str, &str, &str)> =
        errs.0.iter().map(|e| (e.field.as_str(), e.code.as_str(), e.message.as_str())).collect();
    assert_eq!(
        messages,
        [
            (
                "collection_decisions",
                "undecided_overlap",
                "信息项“母亲身份证号码”即数据元“公民身份号码”，采集责任部门为示例市公安局（一数一源，国发〔2016〕51号第五条）：提交前请在采集决定中选择申请共享、仅作关联标识或自行采集（须写明理由）"
            ),
            (
                "collection_decisions",
                "undecided_overlap",
                "信息项“姓名”即数据元“姓名”，采集责任部门为示例市公安局（一数一源，国发〔2016〕51号第五条）：提交前请在采集决定中选择申请共享、仅作关联标识或自行采集（须写明理由）"
            ),
            (
                "collection_decisions",
                "undecided_overlap",
                "信息项“出生年月日”即数据元“出生日期”，采集责任部门为示例市公安局（一数一源，国发〔2016〕51号第五条）：提交前请在采集决定中选择申请共享、仅作关联标识或自行采集（须写明理由）"
            ),
        ]
    );

    // Decided: the ID is only a key, the name comes from 公安局's entry, the birth date from the
    // element; 手机号 (advisory) needs nothing.
    spec.collection_decisions = vec![
        decide("母亲身份证号码", CollectionChoice::ReferenceOnly, None, None),
        decide("姓名", CollectionChoice::UseShared, Some("101002/000001"), None),
        decide("出生年月日", CollectionChoice::UseShared, Some("出生日期"), None),
    ];
    let overlaps = find_overlaps(&spec, WJW, &register(), &catalogue());
    assert_eq!(check_undecided(&overlaps, &BTreeSet::new()), Ok(()));

    // A source that is neither the element nor a live entry is refused, with a hint.
    spec.collection_decisions[1].source = Some("户籍系统".into());
    let overlaps = find_overlaps(&spec, WJW, &register(), &catalogue());
    let errs = check_undecided(&overlaps, &BTreeSet::new()).unwrap_err();
    assert_eq!(errs.0.len(), 1);
    assert_eq!(errs.0[0].code, "unknown_source");
    assert_eq!(
        errs.0[0].message,
        "信息项“姓名”申请共享的来源“户籍系统”既不是数据元“姓名”，也不是现有的信息资源代码，请填写所申请的资源代码，如示例市公安局的“常住人口户籍信息”（101002/000001）或数据元名称"
    );
    // … unless the store says it is a live entry the department can see.
    assert_eq!(check_undecided(&overlaps, &BTreeSet::from(["户籍系统".to_string()])), Ok(()));

    // Collecting one's own copy is a decision too (its reason is checked with the entry).
    spec.collection_decisions[1] = decide("姓名", CollectionChoice::CollectOwn, None, Some("孕产妇建档时据实登记"));
    let overlaps = find_overlaps(&spec, WJW, &register(), &catalogue());
    assert_eq!(check_undecided(&overlaps, &BTreeSet::new()), Ok(()));
}

#[test]
fn advice_names_the_source() {
    let overlaps = find_overlaps(&maternal_health(), WJW, &register(), &catalogue());
    assert_eq!(
        overlaps[1].advice(),
        "信息项“姓名”即数据元“姓名”，采集责任部门为示例市公安局（一数一源，国发〔2016〕51号第五条）。建议向示例市公安局申请共享“常住人口户籍信息”（101002/000001），不再重复采集；如仅作关联标识或确需自行采集，请在采集决定中写明。"
    );
    assert_eq!(
        overlaps[3].advice(),
        "1个其他部门的目录已有信息项“手机号”，如示例市人力资源和社会保障局“社会保险参保信息”（307003/000001）。请先查询共享目录，可以通过共享获取的信息不要重复采集（国发〔2016〕51号第十二条）。"
    );
}

#[test]
fn duplicates_across_the_catalogue() {
    use DataType::*;
    let mut catalogue = catalogue();
    // 民政局 has decided on the ID (a key) but not on the name or the disability card number.
    catalogue[3].decisions = vec![decide("身份证号", CollectionChoice::ReferenceOnly, None, None)];
    // 卫健委 also records 手机号码 and 参保单位名称 … 卫健委's own spelling.
    catalogue.push(held(
        5,
        "202001/000001",
        "家庭医生签约信息",
        WJW,
        vec![
            item("签约居民手机号码", C, Some(11), Some(IdentifierKind::Mobile)),
            c("参保单位名称", 200),
            typed("签约日期", D),
            c("备注", 500),
        ],
    ));
    catalogue.push(held(6, "307002/000009", "食品经营许可", SCJGJ, vec![typed("成立日期", D), c("住所", 200)]));
    let report = duplicates(&register(), &catalogue);
    let elements: Vec<String> = report
        .elements
        .iter()
        .map(|e| {
            let holdings: Vec<String> = e
                .holdings
                .iter()
                .map(|h| {
                    format!("{}({}):{}", h.resource.code, h.item, h.decision.map(|d| d.code()).unwrap_or("undecided"))
                })
                .collect();
            let sources: Vec<&str> = e.sources.iter().map(|r| r.code.as_str()).collect();
            format!(
                "{}@{} undecided={} from={} {}",
                e.element.name,
                e.element.department_id,
                e.undecided(),
                sources.join("+"),
                holdings.join(", ")
            )
        })
        .collect();
    assert_eq!(
        elements,
        [
            "姓名@1 undecided=2 from=101002/000001 203001/000001(姓名):undecided, 307003/000001(姓名):undecided",
            "公民身份号码@1 undecided=1 from=101002/000001 203001/000001(身份证号):reference_only, 307003/000001(社会保障号码):undecided",
            "残疾人证号@5 undecided=1 from= 203001/000001(残疾人证号):undecided",
        ]
    );
    // Not in the register but collected by two departments: the mobile number (人社局, 卫健委) and
    // 参保单位名称. 住所 and 成立日期 are 市场监管局's alone; 备注 is generic.
    let candidates: Vec<String> = report
        .candidates
        .iter()
        .map(|c| {
            let items: Vec<String> = c.holdings.iter().map(|h| format!("{}({})", h.resource.code, h.item)).collect();
            format!("{} {:?} {} departments: {}", c.name, c.identifier, c.departments(), items.join(", "))
        })
        .collect();
    assert_eq!(
        candidates,
        [
            "参保单位名称 None 2 departments: 202001/000001(参保单位名称), 307003/000001(参保单位名称)",
            "手机号码 Some(Mobile) 2 departments: 202001/000001(签约居民手机号码), 307003/000001(手机号码)",
        ]
    );
}

#[test]
fn element_validation_names_each_field() {
    let mut e = element(1, "公民身份号码", DataType::C, None, Some(IdentifierKind::CitizenId), GAJ).spec;
    e.definition = " ".into();
    e.synonyms = vec!["身份证号".into(), "身份證號".into(), "公民身份号码".into(), "——".into()];
    e.duty.department_id = 0;
    let errs = e.validate().unwrap_err();
    let got: Vec<(&str, &str)> = errs.0.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect();
    assert_eq!(
        got,
        [
            ("definition", "required"),
            ("length", "required"),
            ("department_id", "required"),
            ("synonyms[1]", "duplicate"),
            ("synonyms[2]", "duplicate"),
            ("synonyms[3]", "required"),
        ]
    );
    assert_eq!(errs.0[1].message, "数据元“公民身份号码”为字符型，请填写数据长度（字节数）");
    let mut typed_id = element(1, "公民身份号码", DataType::N, None, Some(IdentifierKind::CitizenId), GAJ).spec;
    typed_id.length = Some(18);
    assert_eq!(typed_id.validate().unwrap_err().0[0].field, "data_type");
}

#[test]
fn one_source_per_datum_in_the_register() {
    let existing = register().elements().to_vec();
    // 人社局 may not register 身份证号码 again: it is 公安局's 公民身份号码 under another name.
    let mut dup = element(0, "身份证号码", DataType::C, Some(18), None, RSJ).spec;
    let errs = check_register(&dup, None, &existing).unwrap_err();
    assert_eq!(
        (errs.0[0].field.as_str(), errs.0[0].message.as_str()),
        (
            "name",
            "“身份证号码”与已登记的数据元“公民身份号码”（采集责任部门：示例市公安局）是同一数据；一个数据只能有一个采集责任部门（一数一源），请修订该数据元而不要重复登记"
        )
    );
    // Nor reach an element through its own synonym or an identifier already taken.
    dup.name = "参保人员编号".into();
    dup.synonyms = vec!["残疾人证件号".into()];
    dup.identifier = Some(IdentifierKind::CitizenId);
    let errs = check_register(&dup, None, &existing).unwrap_err();
    let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["synonyms[0]", "identifier"]);
    // Revising an element does not collide with itself; a new datum is fine.
    let own = existing[0].spec.clone();
    assert_eq!(check_register(&own, Some(1), &existing), Ok(()));
    let fresh = element(0, "不动产单元号", DataType::C, Some(28), None, 9).spec;
    assert_eq!(check_register(&fresh, None, &existing), Ok(()));
    assert_eq!(MatchBasis::parse("synonym"), Some(MatchBasis::Synonym));
}

/// The catalogue as a store reads it for a check: only the items `keys` selects, entries without
/// any left out.
fn only(catalogue: &[HeldResource], keys: &MatchKeys) -> Vec<HeldResource> {
    catalogue
        .iter()
        .filter_map(|r| {
            let items: Vec<DataItem> = r
                .items
                .iter()
                .filter(|i| keys.selects(&crate::text::name_key(&i.name), i.identifier))
                .cloned()
                .collect();
            (!items.is_empty()).then(|| HeldResource { items, ..r.clone() })
        })
        .collect()
}

fn item_count(catalogue: &[HeldResource]) -> usize {
    catalogue.iter().map(|r| r.items.len()).sum()
}

#[test]
fn the_items_overlap_keys_select_give_the_same_overlaps() {
    use DataType::*;
    let catalogue = catalogue();
    // Every entry of the catalogue as another department's draft, the health register, and a
    // draft whose only link is an identifier declared on generic names.
    let mut drafts: Vec<ResourceSpec> = catalogue.iter().map(|r| draft(&r.name, r.items.clone())).collect();
    drafts.push(maternal_health());
    drafts.push(draft(
        "证件核验记录",
        vec![
            item("证件号码", C, Some(18), Some(IdentifierKind::CitizenId)),
            item("号码", C, Some(11), Some(IdentifierKind::Mobile)),
            item("编号", C, Some(6), Some(IdentifierKind::RegionCode)),
            c("备注", 500),
        ],
    ));
    let register = register();
    for spec in &drafts {
        for dept in [GAJ, SCJGJ, MZJ, RSJ, CL, WJW, STHJJ] {
            let keys = overlap_keys(spec, dept, &register);
            let read = only(&catalogue, &keys);
            assert!(item_count(&read) < item_count(&catalogue), "{} for {dept} reads everything", spec.name);
            assert_eq!(
                find_overlaps(spec, dept, &register, &read),
                find_overlaps(spec, dept, &register, &catalogue),
                "{} for {dept}",
                spec.name
            );
        }
    }
    // Generic names are not looked up; their identifier kinds are.
    let keys = overlap_keys(drafts.last().unwrap(), WJW, &register);
    assert!(!keys.keys.contains("备注") && !keys.keys.contains("编号"));
    assert!(keys.identifiers.contains(&IdentifierKind::Mobile));
    assert!(overlap_keys(&draft("空", vec![c("备注", 10)]), WJW, &register).is_empty());
}

/// What a store's `GROUP BY name_key, data_type, identifier` gives for a catalogue.
fn counts(catalogue: &[HeldResource]) -> Vec<KeyCount> {
    let mut m: std::collections::BTreeMap<(String, DataType, Option<IdentifierKind>), BTreeSet<i64>> =
        Default::default();
    for r in catalogue {
        for i in &r.items {
            m.entry((crate::text::name_key(&i.name), i.data_type, i.identifier)).or_default().insert(r.department_id);
        }
    }
    m.into_iter()
        .map(|((key, data_type, identifier), d)| KeyCount {
            key,
            data_type,
            identifier,
            departments: d.len() as u64,
            department_id: *d.last().unwrap(),
        })
        .collect()
}

#[test]
fn the_items_report_keys_select_give_the_same_report() {
    use DataType::*;
    let mut catalogue = catalogue();
    catalogue[3].decisions = vec![decide("身份证号", CollectionChoice::ReferenceOnly, None, None)];
    // Two spellings of a synonym group, each in one department only: together a candidate.
    catalogue.push(held(5, "202001/000001", "婚姻登记信息", MZJ, vec![c("婚姻状况", 2), typed("登记日期", D)]));
    catalogue.push(held(6, "202001/000002", "职工信息", STHJJ, vec![c("婚姻状态", 2), c("职工编号", 20)]));
    // The same unregistered name in one department twice: no candidate.
    catalogue.push(held(7, "202001/000003", "环境监测点", STHJJ, vec![c("监测点名称", 100)]));
    catalogue.push(held(8, "202001/000004", "环境监测数据", STHJJ, vec![c("监测点名称", 100)]));
    // An identifier no element has, declared by two departments under different names.
    catalogue.push(held(
        9,
        "202001/000005",
        "组织机构",
        WJW,
        vec![item("机构代码", C, Some(9), Some(IdentifierKind::OrgCode))],
    ));
    catalogue.push(held(
        10,
        "202001/000006",
        "医疗机构",
        GAJ,
        vec![item("单位代码", C, Some(9), Some(IdentifierKind::OrgCode))],
    ));
    let register = register();
    let keys = report_keys(&register, &counts(&catalogue));
    let read = only(&catalogue, &keys);
    assert!(item_count(&read) < item_count(&catalogue));
    let report = duplicates(&register, &read);
    assert_eq!(report, duplicates(&register, &catalogue));
    let names: Vec<&str> = report.candidates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["婚姻状况", "机构代码"]);
    assert!(!keys.keys.contains("监测点名称") && !keys.keys.contains("备注"));
    // Without the register's elements nothing but the candidates is read.
    let bare = Register::new(Vec::new());
    let keys = report_keys(&bare, &counts(&catalogue));
    assert_eq!(duplicates(&bare, &only(&catalogue, &keys)), duplicates(&bare, &catalogue));
}
