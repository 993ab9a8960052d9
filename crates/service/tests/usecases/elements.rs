//! 一数一源 through the use cases: the register kept by the coordinator and read by everyone, the
//! overlap check of a draft, the refusal to submit an undecided overlap (国发〔2016〕51号 第五条、
//! 第十二条), the decisions surviving a spreadsheet revision, and the duplicates report.

use domain::catalog::{DataItem, DataType, IdentifierKind, ResourceSpec, ResourceStatus, visible_to_all};
use domain::elements::{
    CollectionChoice, CollectionDecision, CollectionDuty, DataElementSpec, HeldResource, Register, RegisteredElement,
    duplicates, find_overlaps,
};
use domain::org::DepartmentSpec;
use service::elements::{self, OverlapReport};
use service::interchange_io::{self, ImportMode};
use service::{ServiceError, catalog};
use store::model::{NewResource, Resource, ResourceFilter};

use crate::world::*;

fn element(name: &str, t: DataType, len: Option<u32>, id: Option<IdentifierKind>, dept: i64) -> DataElementSpec {
    DataElementSpec {
        name: name.into(),
        definition: format!("{name}（登记于信息采集责任公开目录）"),
        data_type: t,
        length: len,
        identifier: id,
        synonyms: Vec::new(),
        duty: CollectionDuty {
            department_id: dept, basis: Some("《中华人民共和国居民身份证法》".into())
        },
    }
}

fn item(name: &str, t: DataType, len: Option<u32>, id: Option<IdentifierKind>) -> DataItem {
    let mut i = DataItem::new(name, t, len);
    i.identifier = id;
    i
}

/// 公安局's population register.
fn population() -> ResourceSpec {
    let mut s = spec("常住人口信息", CAT_A);
    s.data_items = vec![
        item("公民身份号码", DataType::C, Some(18), Some(IdentifierKind::CitizenId)),
        item("姓名", DataType::C, Some(50), None),
        item("户籍地址", DataType::C, Some(200), None),
    ];
    s
}

/// 民政局's register of minimum-income households.
fn dibao() -> ResourceSpec {
    let mut s = spec("最低生活保障对象信息", CAT_B);
    s.data_items = vec![
        item("身份证号", DataType::C, Some(18), Some(IdentifierKind::CitizenId)),
        item("姓名", DataType::C, Some(50), None),
        item("户籍地址", DataType::C, Some(200), None),
        item("保障金额", DataType::Y, None, None),
        item("备注", DataType::C, Some(500), None),
    ];
    s
}

fn decide(item: &str, choice: CollectionChoice, source: Option<&str>) -> CollectionDecision {
    CollectionDecision { item: item.into(), choice, source: source.map(Into::into), reason: None }
}

/// `item -> element@department: codes (* = responsible)`.
fn summary(r: &OverlapReport) -> Vec<String> {
    r.overlaps
        .iter()
        .map(|o| {
            let e = o.element.as_ref().map(|e| format!(" {}@{}", e.name, e.department_name)).unwrap_or_default();
            let codes: Vec<String> = o
                .resources
                .iter()
                .map(|h| format!("{}{}", h.resource.code, if h.responsible { "*" } else { "" }))
                .collect();
            format!("{}{e}: {}", o.item, codes.join(" "))
        })
        .collect()
}

fn codes(e: &ServiceError) -> Vec<(String, String)> {
    match e {
        ServiceError::Invalid(errs) => errs.0.iter().map(|f| (f.field.clone(), f.code.clone())).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_register_is_kept_by_coordinators_and_read_by_everyone() {
    let w = World::new().await;
    let id = element("公民身份号码", DataType::C, Some(18), Some(IdentifierKind::CitizenId), w.a.id);
    assert_forbidden(elements::register(&w.svc, &w.editor_a, id.clone()).await, "an editor");
    assert_forbidden(elements::register(&w.svc, &w.auditor, id.clone()).await, "the auditor");
    let citizen = elements::register(&w.svc, &w.coordinator, id.clone()).await.unwrap();
    assert_eq!((citizen.element.version, citizen.department_name.as_str()), (1, "示例市公安局"));
    let name =
        elements::register(&w.svc, &w.admin, element("姓名", DataType::C, Some(50), None, w.a.id)).await.unwrap();

    // Every user reads the register (the 信息采集责任公开目录).
    let listed: Vec<(String, String)> = elements::list(&w.svc, &w.editor_b, false)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.element.spec.name, e.department_name))
        .collect();
    assert_eq!(
        listed,
        [("公民身份号码".to_string(), "示例市公安局".to_string()), ("姓名".to_string(), "示例市公安局".to_string())]
    );

    // What the clerk must fix, field by field.
    let mut bad = element("  ", DataType::C, None, None, 9999);
    bad.definition = String::new();
    assert_eq!(
        codes(&elements::register(&w.svc, &w.coordinator, bad).await.unwrap_err()),
        [
            ("name".to_string(), "required".to_string()),
            ("definition".to_string(), "required".to_string()),
            ("length".to_string(), "required".to_string()),
        ]
    );
    let unknown = element("居住证编号", DataType::C, Some(30), None, 9999);
    assert_eq!(
        codes(&elements::register(&w.svc, &w.coordinator, unknown).await.unwrap_err()),
        [("department_id".to_string(), "unknown_department".to_string())]
    );
    // 民政局 cannot become a second source of citizen IDs under another name (一数一源).
    let again = element("居民身份证号码", DataType::C, Some(18), None, w.b.id);
    assert_eq!(
        codes(&elements::register(&w.svc, &w.coordinator, again).await.unwrap_err()),
        [("name".to_string(), "duplicate_element".to_string())]
    );

    // Revise with the version read; a stale one is refused.
    let mut revised = id.clone();
    revised.synonyms = vec!["身份证明号码".into()];
    let r = elements::revise(&w.svc, &w.coordinator, citizen.element.id, Some(1), revised.clone()).await.unwrap();
    assert_eq!(r.element.version, 2);
    assert!(matches!(
        elements::revise(&w.svc, &w.coordinator, citizen.element.id, Some(1), revised).await,
        Err(ServiceError::Stale { current: 2 })
    ));
    assert_not_found(elements::revise(&w.svc, &w.coordinator, 4242, None, id).await, "a missing element");

    // Retire: out of the live register, still readable.
    let retired =
        elements::retire(&w.svc, &w.coordinator, name.element.id, Some("并入人口基础数据元".into())).await.unwrap();
    assert!(retired.element.retired_at.is_some());
    assert_eq!(elements::list(&w.svc, &w.editor_b, false).await.unwrap().len(), 1);
    assert_eq!(elements::list(&w.svc, &w.editor_b, true).await.unwrap().len(), 2);
    assert!(matches!(
        elements::retire(&w.svc, &w.coordinator, name.element.id, None).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(elements::get(&w.svc, &w.editor_b, name.element.id).await.unwrap().element.spec.name, "姓名");
    assert_not_found(elements::get(&w.svc, &w.editor_b, 4242).await, "a missing element");

    let trail: Vec<(String, Option<String>)> = w
        .audit()
        .await
        .into_iter()
        .filter(|e| e.object_type == "data_element")
        .map(|e| (e.action, e.object_id))
        .collect();
    let (c, n) = (Some(citizen.element.id.to_string()), Some(name.element.id.to_string()));
    assert_eq!(
        trail,
        [
            ("data_element.register".to_string(), c.clone()),
            ("data_element.register".to_string(), n.clone()),
            ("data_element.revise".to_string(), c),
            ("data_element.retire".to_string(), n),
        ]
    );
    let revise = w.audit().await.into_iter().find(|e| e.action == "data_element.revise").unwrap();
    assert_eq!(revise.detail["changed_fields"], serde_json::json!(["synonyms"]));
}

#[tokio::test]
async fn an_undecided_overlap_is_not_submitted_and_the_coordinator_sees_duplicates() {
    let w = World::new().await;
    let ids = element("公民身份号码", DataType::C, Some(18), Some(IdentifierKind::CitizenId), w.a.id);
    elements::register(&w.svc, &w.coordinator, ids).await.unwrap();
    elements::register(&w.svc, &w.coordinator, element("姓名", DataType::C, Some(50), None, w.a.id)).await.unwrap();

    // 公安局 is the source of both: its own entry needs no decision.
    let pop = w.published(&w.editor_a, &w.approver_a, population()).await;
    assert_eq!(pop.code, "307001/000001");

    // 民政局 drafts its 低保 register: told who is responsible and where to apply.
    let preview = elements::overlaps_for(&w.svc, &w.editor_b, None, &dibao()).await.unwrap();
    assert_eq!(
        summary(&preview),
        [
            "身份证号 公民身份号码@示例市公安局: 307001/000001*",
            "姓名 姓名@示例市公安局: 307001/000001*",
            "户籍地址: 307001/000001",
        ]
    );
    assert_eq!(preview.problems.len(), 2);
    // Asking as another department would tell which of its drafts exist: refused.
    assert_forbidden(elements::overlaps_for(&w.svc, &w.editor_a, Some(w.b.id), &dibao()).await, "another department");
    let draft = catalog::create(&w.svc, &w.editor_b, None, dibao()).await.unwrap();
    let of = elements::overlaps_of(&w.svc, &w.editor_b, &draft.code).await.unwrap();
    assert_eq!(summary(&of), summary(&preview));

    // Submitting is refused, naming each item and the responsible department; nothing changes.
    let e = catalog::submit(&w.svc, &w.editor_b, &draft.code).await.unwrap_err();
    assert_eq!(
        codes(&e),
        [
            ("collection_decisions".to_string(), "undecided_overlap".to_string()),
            ("collection_decisions".to_string(), "undecided_overlap".to_string()),
        ]
    );
    let ServiceError::Invalid(errs) = &e else { unreachable!() };
    assert_eq!(
        errs.0[1].message,
        "信息项“姓名”即数据元“姓名”，采集责任部门为示例市公安局（一数一源，国发〔2016〕51号第五条）：提交前请在采集决定中选择申请共享、仅作关联标识或自行采集（须写明理由）"
    );
    assert_eq!(w.resource(draft.id).await.status, ResourceStatus::Draft);
    assert_eq!(w.history(draft.id).await.len(), 1);

    // A source that does not exist is refused too.
    let mut decided = dibao();
    decided.collection_decisions = vec![
        decide("身份证号", CollectionChoice::ReferenceOnly, None),
        decide("姓名", CollectionChoice::UseShared, Some("307001/999999")),
    ];
    let draft = catalog::update(&w.svc, &w.editor_b, &draft.code, None, decided.clone()).await.unwrap();
    let e = catalog::submit(&w.svc, &w.editor_b, &draft.code).await.unwrap_err();
    assert_eq!(codes(&e), [("collection_decisions".to_string(), "unknown_source".to_string())]);
    // Naming 公安局's entry: submitted and published. 户籍地址 is advisory and needs nothing.
    decided.collection_decisions[1].source = Some(pop.code.clone());
    let draft = catalog::update(&w.svc, &w.editor_b, &draft.code, None, decided).await.unwrap();
    catalog::submit(&w.svc, &w.editor_b, &draft.code).await.unwrap();
    let dibao = catalog::publish(&w.svc, &w.approver_b, &draft.code).await.unwrap();
    let of = elements::overlaps_of(&w.svc, &w.editor_a, &dibao.code).await.unwrap();
    assert!(of.problems.is_empty(), "{:?}", of.problems);
    assert_eq!(of.overlaps[1].decision.as_ref().map(|d| d.choice), Some(CollectionChoice::UseShared));

    // 公安局 sees 民政局's published 户籍地址 now (drafts of other departments stay invisible).
    let own = elements::overlaps_for(&w.svc, &w.editor_a, None, &population()).await.unwrap();
    assert_eq!(summary(&own), ["户籍地址: 307002/000001"]);

    // A spreadsheet revision keeps the decisions (the template has no column for them).
    let exported = interchange_io::export_entries(
        &w.svc,
        &w.editor_b,
        ResourceFilter { department_id: Some(w.b.id), ..Default::default() },
    )
    .await
    .unwrap();
    let xlsx = interchange::export_xlsx(&exported).unwrap();
    let report =
        interchange_io::import(&w.svc, &w.editor_b, None, interchange::import_xlsx(&xlsx), ImportMode::AllOrNothing)
            .await
            .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let after = w.resource(dibao.id).await;
    assert_eq!(after.version, dibao.version + 1);
    assert_eq!(after.spec.collection_decisions, dibao.spec.collection_decisions);

    // The coordinator's report: 民政局 holds both of 公安局's elements, decided; 户籍地址 is a
    // candidate for the register until it is registered, then an undecided duplicate.
    assert_forbidden(elements::duplicates_report(&w.svc, &w.editor_a).await, "an editor");
    let report = elements::duplicates_report(&w.svc, &w.coordinator).await.unwrap();
    let lines: Vec<String> = report
        .elements
        .iter()
        .map(|e| {
            let h: Vec<String> = e
                .holdings
                .iter()
                .map(|h| format!("{}/{}/{}", h.resource.code, h.item, h.decision.map(|d| d.code()).unwrap_or("-")))
                .collect();
            format!("{} {}", e.element.name, h.join(" "))
        })
        .collect();
    assert_eq!(lines, ["公民身份号码 307002/000001/身份证号/reference_only", "姓名 307002/000001/姓名/use_shared"]);
    let candidates: Vec<(String, usize)> =
        report.candidates.iter().map(|c| (c.name.clone(), c.departments())).collect();
    assert_eq!(candidates, [("户籍地址".to_string(), 2)]);

    let address = element("户籍地址", DataType::C, Some(200), None, w.a.id);
    elements::register(&w.svc, &w.coordinator, address).await.unwrap();
    let report = elements::duplicates_report(&w.svc, &w.coordinator).await.unwrap();
    let first = &report.elements[0];
    assert_eq!((first.element.name.as_str(), first.undecided()), ("户籍地址", 1));
    assert!(report.candidates.is_empty());

    // Revising the published entry now needs that decision too (the rule is not only at first
    // submission); with it, the revision goes through.
    let mut revised = after.spec.clone();
    revised.summary = "低保对象名单（修订）".into();
    let e = catalog::update(&w.svc, &w.editor_b, &after.code, None, revised.clone()).await.unwrap_err();
    assert_eq!(codes(&e), [("collection_decisions".to_string(), "undecided_overlap".to_string())]);
    assert_eq!(w.resource(after.id).await.version, after.version, "nothing changed");
    revised.collection_decisions.push(decide("户籍地址", CollectionChoice::UseShared, Some(&pop.code)));
    let done = catalog::update(&w.svc, &w.editor_b, &after.code, None, revised).await.unwrap();
    assert_eq!(done.version, after.version + 1);
}

/// A small deterministic generator (xorshift64*), so that a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Item names departments use: synonyms in both scripts, identifiers declared or not, generic
/// names, and types that do not fit.
const NAMES: &[(&str, DataType, Option<IdentifierKind>)] = {
    use DataType::*;
    use IdentifierKind::*;
    &[
        ("公民身份号码", C, Some(CitizenId)),
        ("身份证号", C, Some(CitizenId)),
        ("身份證號碼", C, None),
        ("社会保障号码", C, None),
        ("身份证明号码", C, None),
        ("母亲身份号码", C, Some(CitizenId)),
        ("证件号码", C, Some(CitizenId)),
        ("姓名", C, None),
        ("公民姓名", C, None),
        ("新生儿姓名", C, None),
        ("户籍地址", C, None),
        ("戶籍所在地", C, None),
        ("户籍地址（详址）", C, None),
        ("出生日期", D, None),
        ("出生年月日", C, None),
        ("生日", T, None),
        ("手机号码", C, Some(Mobile)),
        ("移动电话", C, None),
        ("签约居民手机号码", C, Some(Mobile)),
        ("联系电话", C, None),
        ("统一社会信用代码", C, Some(CreditCode)),
        ("信用代码", C, None),
        ("企业名称", C, None),
        ("市场主体名称", C, None),
        ("法定代表人", C, None),
        ("注册资本", Y, None),
        ("注册资金", N, None),
        ("行政区划代码", C, Some(RegionCode)),
        ("区划代码", C, None),
        ("组织机构代码", C, Some(OrgCode)),
        ("婚姻状况", C, None),
        ("婚姻状态", C, None),
        ("照片", G, None),
        ("是否残疾", L, None),
        ("备注", M, None),
        ("状态", C, None),
        ("处罚决定日期", D, None),
        ("序号", I, None),
        ("残疾人证号", C, None),
        ("不动产单元号", C, None),
    ]
};

fn generated_spec(rng: &mut Rng, n: usize) -> ResourceSpec {
    let mut s = spec(&format!("生成资源{n}"), CAT_A);
    let count = 3 + rng.below(8);
    s.data_items = Vec::new();
    while s.data_items.len() < count {
        let it = if rng.chance(30) {
            // Names of one or a few departments, a long tail.
            let t = [DataType::C, DataType::N, DataType::D][rng.below(3)];
            item(&format!("监测指标{}", rng.below(2500)), t, Some(20).filter(|_| t == DataType::C), None)
        } else {
            let (name, mut t, mut id) = NAMES[rng.below(NAMES.len())];
            if rng.chance(10) {
                t = [DataType::C, DataType::N, DataType::D, DataType::L, DataType::G][rng.below(5)];
            }
            if rng.chance(10) {
                id = if id.is_some() { None } else { Some(IdentifierKind::ALL[rng.below(IdentifierKind::ALL.len())]) };
            }
            item(name, t, Some(20).filter(|_| t == DataType::C), id)
        };
        if s.data_items.iter().all(|i| i.name != it.name) {
            s.data_items.push(it);
        }
    }
    if rng.chance(20) {
        let choice = CollectionChoice::ALL[rng.below(CollectionChoice::ALL.len())];
        let on = s.data_items[rng.below(s.data_items.len())].name.clone();
        s.collection_decisions =
            vec![CollectionDecision { item: on, choice, source: None, reason: Some("生成".into()) }];
    }
    s.classified = rng.chance(10);
    s
}

/// How overlap detection read the catalogue before it had an index of data items: every entry
/// that is not withdrawn, other than `except`, visible to `visible_to`, with all its items.
fn whole_catalogue(live: &[Resource], visible_to: Option<i64>, except: Option<i64>) -> Vec<HeldResource> {
    let visible = |r: &Resource| {
        visible_to.is_none_or(|d| {
            r.department_id == d || visible_to_all(r.status, r.published_at.is_some(), r.spec.classified)
        })
    };
    live.iter()
        .filter(|r| Some(r.id) != except && visible(r))
        .map(|r| HeldResource {
            resource_id: r.id,
            code: r.code.clone(),
            name: r.spec.name.clone(),
            department_id: r.department_id,
            provider_name: r.spec.provider_name.clone(),
            status: r.status,
            items: r.spec.data_items.clone(),
            decisions: r.spec.collection_decisions.clone(),
        })
        .collect()
}

#[tokio::test]
async fn a_large_catalogue_gives_the_same_answers_as_reading_it_whole() {
    let w = World::new().await;
    let mut depts = vec![w.a.id, w.b.id];
    for i in 0..6 {
        let d = w
            .svc
            .store
            .create_department(
                &DepartmentSpec {
                    name: format!("示例市第{i}局"),
                    credit_code: None,
                    local_code: Some(format!("SLS-G{i}")),
                    parent_id: None,
                    platform_id: w.a.spec.platform_id,
                },
                start(),
            )
            .await
            .unwrap();
        depts.push(d.id);
    }
    let mut citizen = element("公民身份号码", DataType::C, Some(18), Some(IdentifierKind::CitizenId), w.a.id);
    citizen.synonyms = vec!["身份证明号码".into()];
    for e in [
        citizen,
        element("姓名", DataType::C, Some(50), None, w.a.id),
        element("出生日期", DataType::D, None, None, w.a.id),
        element("统一社会信用代码", DataType::C, Some(18), Some(IdentifierKind::CreditCode), w.b.id),
        element("户籍地址", DataType::C, Some(200), None, depts[2]),
        element("残疾人证号", DataType::C, Some(20), None, depts[3]),
    ] {
        elements::register(&w.svc, &w.coordinator, e).await.unwrap();
    }

    // 5,000 entries of eight departments in every state, written straight to the store.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let statuses = [
        (ResourceStatus::Published, 60),
        (ResourceStatus::Draft, 15),
        (ResourceStatus::Submitted, 10),
        (ResourceStatus::Withdrawn, 15),
    ];
    for n in 1..=5000 {
        let dept = depts[rng.below(depts.len())];
        let mut roll = rng.below(100);
        let status = statuses
            .iter()
            .find(|(_, p)| {
                let hit = roll < *p;
                roll = roll.saturating_sub(*p);
                hit
            })
            .map(|(s, _)| *s)
            .unwrap();
        let mut sp = generated_spec(&mut rng, n);
        sp.provider_name = format!("部门{dept}");
        w.svc
            .store
            .create_resource(&NewResource {
                code: format!("{CAT_A}/{n:06}"),
                department_id: dept,
                status,
                spec: sp,
                change: store::model::Change {
                    user_id: 1,
                    username: "generator".into(),
                    action: "create".into(),
                    comment: None,
                    at: start(),
                },
                diff: vec![],
            })
            .await
            .unwrap();
    }
    let live = w.svc.store.live_resources().await.unwrap();
    assert!(live.len() > 4000, "{}", live.len());
    let register = Register::new(
        elements::list(&w.svc, &w.coordinator, false)
            .await
            .unwrap()
            .into_iter()
            .map(|e| RegisteredElement { id: e.element.id, spec: e.element.spec, department_name: e.department_name })
            .collect(),
    );

    // Drafts of every department, and existing entries as their department sees them.
    let (mut with_element, mut advisory) = (0, 0);
    let mut checks: Vec<(i64, ResourceSpec, Option<i64>)> = Vec::new();
    for &d in &depts {
        for n in 0..3 {
            checks.push((d, generated_spec(&mut rng, 10_000 + n), None));
        }
    }
    for _ in 0..12 {
        let r = &live[rng.below(live.len())];
        checks.push((r.department_id, r.spec.clone(), Some(r.id)));
    }
    for (dept, spec, own) in &checks {
        let got = elements::overlaps_for(&w.svc, &w.coordinator, Some(*dept), spec).await.unwrap();
        let before = find_overlaps(spec, *dept, &register, &whole_catalogue(&live, Some(*dept), *own));
        assert_eq!(got.overlaps, before, "{} of department {dept}", spec.name);
        with_element += got.overlaps.iter().filter(|o| o.element.is_some()).count();
        advisory += got.overlaps.iter().filter(|o| o.element.is_none() && !o.resources.is_empty()).count();
    }
    assert!(with_element > 20 && advisory > 20, "{with_element} {advisory}");

    // The coordinator's report.
    let got = elements::duplicates_report(&w.svc, &w.coordinator).await.unwrap();
    assert_eq!(got, duplicates(&register, &whole_catalogue(&live, None, None)));
    assert_eq!(got.elements.len(), 6);
    assert!(got.candidates.len() > 10, "{}", got.candidates.len());
}
