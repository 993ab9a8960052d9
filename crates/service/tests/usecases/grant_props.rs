//! Property: whatever a grant says, no read path lets out a field, a row or a cleartext value it
//! does not allow. One world per test (a conditional resource of 30 rows in version 1 and 35 in
//! version 2, five columns: a key, a region code, a name, a mobile and a citizen ID); each case
//! issues a random grant (fields, row conditions on the region, masks, methods) and reads through
//! it by every path — query (plain, projected, filtered, sorted, paged), group-by aggregates,
//! download as CSV and NDJSON, the changes feed and verification — comparing each answer with an
//! oracle computed here from the raw rows.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use data::access::{Denied, ReadKind};
use data::download::DownloadFormat;
use data::query::{AggFunc, Aggregate, QuerySpec, Sort};
use data::verify::Outcome;
use domain::account::{Actor, Role};
use domain::catalog::{DataItem, DataType, IdentifierKind, ResourceSpec, ShareMethod, ShareType};
use domain::filter::{Filter, Op};
use domain::masking::MaskRule;
use domain::purpose::{Purpose, PurposeKind};
use domain::sharing::{FieldMask, GrantStatus, GrantTerms, Period};
use futures::StreamExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};
use service::accounts::{self, UserInput};
use service::datasets::{self, ReadRequest, Upload};
use service::{ServiceError, Settings};
use store::model::{GrantTransition, NewGrant, Resource};

use crate::world::*;

/// Cases per run: enough to meet every combination of method, mask and row scope several times,
/// few enough to run in seconds in a debug build.
const CASES: u32 = 64;

const KEY: &str = "编号";
const REGION: &str = "区划代码";
const NAME: &str = "姓名";
const MOBILE: &str = "手机号码";
const ID: &str = "公民身份号码";
/// In item order.
const FIELDS: [&str; 5] = [KEY, REGION, NAME, MOBILE, ID];
const REGIONS: [&str; 6] = ["350102", "350103", "350104", "350111", "350121", "350203"];
const PREFIXES: [&str; 6] = ["35", "3501", "35010", "350102", "35011", "3502"];
const METHODS: [ShareMethod; 5] = [
    ShareMethod::Api,
    ShareMethod::OnlineQuery,
    ShareMethod::BulkDownload,
    ShareMethod::Exchange,
    ShareMethod::Verification,
];
const NAMES: [&str; 10] = ["张三", "李四", "王五", "欧阳娜娜", "赵", "司马相如", "钱七七", "孙八", "周九", "吴十一"];

/// One raw row, a value per field of [`FIELDS`] (None: empty).
type Row = [Option<String>; 5];
/// Rows as a read shows them: a value per output column, in order.
type Table = Vec<Vec<Option<String>>>;

fn idx(field: &str) -> usize {
    FIELDS.iter().position(|f| *f == field).expect("a field of the table")
}

fn citizen_id(first17: &str) -> String {
    let c = domain::identifiers::citizen_id_check_char(first17).expect("check char");
    format!("{first17}{c}")
}

fn make_row(i: usize) -> Row {
    let region = (i % 11 != 5).then(|| REGIONS[(i * 7 + 3) % REGIONS.len()].to_string());
    let name = (i % 9 != 4).then(|| NAMES[(i * 3) % NAMES.len()].to_string());
    let mobile = (i % 13 != 7).then(|| format!("1{}{:09}", 3 + i % 7, (i * 7_919 * 13) % 1_000_000_000));
    let id = citizen_id(&format!("350102{}{:02}{:02}{:03}", 1950 + i, 1 + i % 12, 1 + i % 28, i));
    [Some(format!("R{i:03}")), region, name, mobile, Some(id)]
}

/// Version 1: rows 1..=30.
fn version1() -> Vec<Row> {
    (1..=30).map(make_row).collect()
}

/// Version 2: some rows move region (in or out of a row scope), some mobiles change in the last
/// four digits (visible through the mobile mask) or in the middle (hidden by it), some names keep
/// their surname (hidden by the name mask), some rows are removed and five are new.
fn version2() -> Vec<Row> {
    let mut out = Vec::new();
    for (n, mut row) in version1().into_iter().enumerate() {
        let i = n + 1;
        if i % 10 == 9 {
            continue;
        }
        if i % 5 == 0 {
            let next = row[1].as_deref().and_then(|r| REGIONS.iter().position(|x| *x == r)).map_or(0, |p| p + 1);
            row[1] = Some(REGIONS[next % REGIONS.len()].to_string());
        }
        if let Some(m) = row[3].clone() {
            if i % 6 == 1 {
                row[3] = Some(format!("{}{}", &m[..7], if &m[7..] == "0000" { "1111" } else { "0000" }));
            } else if i % 7 == 2 {
                row[3] = Some(format!("{}{}{}", &m[..3], if &m[3..7] == "9999" { "8888" } else { "9999" }, &m[7..]));
            }
        }
        if i % 8 == 3
            && let Some(name) = row[2].clone()
        {
            let surname: String = name.chars().take(1).collect();
            row[2] = Some(format!("{surname}小明"));
        }
        out.push(row);
    }
    out.extend((31..=35).map(make_row));
    out
}

fn to_csv(rows: &[Row]) -> String {
    let mut s = FIELDS.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(&r.iter().map(|v| v.clone().unwrap_or_default()).collect::<Vec<_>>().join(","));
        s.push('\n');
    }
    s
}

fn table_spec() -> ResourceSpec {
    let mut s = spec("流动人口登记信息", CAT_A);
    let mut key = DataItem::new(KEY, DataType::C, Some(10));
    key.is_key = true;
    let mut id = DataItem::new(ID, DataType::C, Some(18));
    id.identifier = Some(IdentifierKind::CitizenId);
    s.data_items = vec![
        key,
        DataItem::new(REGION, DataType::C, Some(6)),
        DataItem::new(NAME, DataType::C, Some(50)),
        DataItem::new(MOBILE, DataType::C, Some(11)),
        id,
    ];
    s.share_type = ShareType::Conditional;
    s.share_condition = Some("仅限民政部门办理社会救助审核时使用".into());
    s.share_methods = METHODS.to_vec();
    s
}

fn purpose() -> Purpose {
    Purpose::new(PurposeKind::DataVerification, "核对社会救助申请人信息").unwrap()
}

struct Fixture {
    w: World,
    r: Resource,
    consumer: Actor,
    v1: Vec<Row>,
    v2: Vec<Row>,
    /// How often each outcome was met, so that the run can show it tested something.
    seen: Mutex<BTreeMap<&'static str, usize>>,
}

impl Fixture {
    fn saw(&self, what: &'static str) {
        *self.seen.lock().unwrap().entry(what).or_default() += 1;
    }

    /// Tallies a refusal by kind.
    fn saw_refusal(&self, d: &Denied) {
        self.saw(match d {
            Denied::FieldOutOfScope(_) => "refused: field out of scope",
            Denied::FieldMasked(_) => "refused: field masked",
            Denied::MethodNotGranted { .. } => "refused: method not granted",
            Denied::PurposeMismatch { .. } => "refused: purpose",
            _ => "refused: other",
        });
    }
}

async fn user(w: &World, name: &str, dept: i64, role: Role) -> Actor {
    let u = accounts::create_user_unchecked(
        &w.svc,
        UserInput {
            username: name.into(),
            display_name: name.into(),
            department_id: dept,
            roles: vec![role],
            password: None,
        },
    )
    .await
    .unwrap();
    actor(&u)
}

async fn publish(w: &World, provider: &Actor, r: &Resource, rows: &[Row], n: usize) {
    let path = w.dir.path().join(format!("v{n}.csv"));
    std::fs::write(&path, to_csv(rows)).unwrap();
    let up = Upload {
        path,
        options: data::input::InputOptions::new(data::input::InputFormat::Csv),
        mode: data::publish::PublishMode::Replace,
        accept_valid: false,
    };
    let out = datasets::publish(&w.svc, provider, &r.code, up).await.unwrap();
    let v = out.version.unwrap_or_else(|| panic!("version {n} refused: {:?} {:?}", out.refused, out.report));
    assert_eq!((v.version, v.row_count), (n as i64, rows.len() as i64));
}

/// Rows as the query API returns them, normalised to a value per column (nulls may be omitted).
fn normalise(columns: &[String], rows: &[Map<String, Value>]) -> Table {
    rows.iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| match r.get(c) {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(other) => Some(other.to_string()),
                })
                .collect()
        })
        .collect()
}

async fn fixture() -> Fixture {
    let mut w = World::new().await;
    // Verification is rate-limited per user and minute; the fixed clock never moves here.
    w.svc = w.svc.clone().with_settings(Settings { verify_per_minute: u32::MAX, ..Settings::default() });
    let r = w.published(&w.editor_a, &w.approver_a, table_spec()).await;
    let provider = user(&w, "gaj_provider", w.a.id, Role::DataProvider).await;
    let consumer = user(&w, "mzj_consumer", w.b.id, Role::DataConsumer).await;
    let (v1, v2) = (version1(), version2());
    publish(&w, &provider, &r, &v1, 1).await;
    publish(&w, &provider, &r, &v2, 2).await;
    // The oracle's view of the data is the provider's: every field in clear, empty cells null.
    let columns: Vec<String> = FIELDS.iter().map(|f| f.to_string()).collect();
    for (version, raw) in [(1, &v1), (2, &v2)] {
        let req = ReadRequest { version: Some(version), purpose: purpose(), grant_id: None };
        let spec =
            QuerySpec { limit: Some(1000), sort: vec![Sort { field: KEY.into(), desc: false }], ..Default::default() };
        let (_, got) = datasets::query(&w.svc, &provider, &r.code, req, spec).await.unwrap();
        assert_eq!(got.columns, columns);
        let want: Table = raw.iter().map(|r| r.to_vec()).collect();
        assert_eq!(normalise(&got.columns, &got.rows), want, "version {version} as stored");
    }
    Fixture { w, r, consumer, v1, v2, seen: Mutex::default() }
}

// ---------------------------------------------------------------------------------------------
// What a case is made of

#[derive(Debug, Clone)]
enum RowCond {
    Eq(usize),
    In(Vec<usize>),
    Prefix(usize),
}

impl RowCond {
    fn filter(&self) -> Filter {
        match self {
            RowCond::Eq(i) => Filter::new(REGION, Op::Eq, json!(REGIONS[*i])),
            RowCond::In(is) => Filter::new(REGION, Op::In, json!(is.iter().map(|i| REGIONS[*i]).collect::<Vec<_>>())),
            RowCond::Prefix(i) => Filter::new(REGION, Op::Prefix, json!(PREFIXES[*i])),
        }
    }

    fn holds(&self, row: &Row) -> bool {
        let Some(region) = row[1].as_deref() else { return false };
        match self {
            RowCond::Eq(i) => region == REGIONS[*i],
            RowCond::In(is) => is.iter().any(|i| region == REGIONS[*i]),
            RowCond::Prefix(i) => region.starts_with(PREFIXES[*i]),
        }
    }
}

#[derive(Debug, Clone)]
struct GrantCase {
    /// Indices into [`FIELDS`].
    fields: Vec<usize>,
    rows: Vec<RowCond>,
    /// A mask per field of [`FIELDS`]; only granted fields' masks are used.
    masks: Vec<Option<MaskRule>>,
    methods: Vec<ShareMethod>,
    /// Read naming the grant, or let the access check find it.
    named: bool,
}

/// A field a read names: usually one the grant allows, sometimes any field.
#[derive(Debug, Clone, Copy)]
struct Pick {
    granted: bool,
    n: usize,
}

#[derive(Debug, Clone, Copy)]
enum FilterOp {
    Eq,
    Ne,
    Prefix,
    In,
    Contains,
    IsNull,
    NotNull,
}

#[derive(Debug, Clone)]
struct QueryCase {
    fields: Option<Vec<Pick>>,
    /// The field, the operator and a row whose value seeds the operand.
    filter: Option<(Pick, FilterOp, usize)>,
    sort: Option<(Pick, bool)>,
    limit: usize,
}

#[derive(Debug, Clone)]
struct GroupCase {
    group: Option<Pick>,
    count: Option<Pick>,
    min: Option<Pick>,
}

#[derive(Debug, Clone)]
struct VerifyCase {
    /// A row of version 2, or None for a key that does not exist.
    row: Option<usize>,
    /// Claimed fields, each with the stored value (true) or another one.
    claims: Vec<(Pick, bool)>,
}

#[derive(Debug, Clone)]
struct Case {
    grant: GrantCase,
    query: QueryCase,
    group: GroupCase,
    download: QueryCase,
    verify: Vec<VerifyCase>,
    /// Also read once with another purpose (refused, 第十四条).
    other_purpose: bool,
}

fn mask_rule() -> impl Strategy<Value = MaskRule> {
    prop_oneof![
        Just(MaskRule::CitizenId),
        Just(MaskRule::Mobile),
        Just(MaskRule::Name),
        Just(MaskRule::Address),
        Just(MaskRule::BankCard),
        Just(MaskRule::Email),
        (0u8..4, 0u8..4).prop_map(|(keep_start, keep_end)| MaskRule::Custom { keep_start, keep_end }),
    ]
}

fn row_cond() -> impl Strategy<Value = RowCond> {
    prop_oneof![
        (0..REGIONS.len()).prop_map(RowCond::Eq),
        proptest::sample::subsequence((0..REGIONS.len()).collect::<Vec<_>>(), 1..=3).prop_map(RowCond::In),
        (0..PREFIXES.len()).prop_map(RowCond::Prefix),
    ]
}

fn grant_case() -> impl Strategy<Value = GrantCase> {
    (
        proptest::sample::subsequence((0..FIELDS.len()).collect::<Vec<_>>(), 1..=FIELDS.len()),
        proptest::collection::vec(row_cond(), 0..=2),
        proptest::collection::vec(proptest::option::weighted(0.3, mask_rule()), FIELDS.len()),
        proptest::collection::vec(proptest::bool::weighted(0.7), METHODS.len()),
        any::<bool>(),
    )
        .prop_map(|(fields, rows, masks, with, named)| {
            let mut methods: Vec<ShareMethod> = METHODS.iter().zip(with).filter(|(_, w)| *w).map(|(m, _)| *m).collect();
            if methods.is_empty() {
                methods.push(METHODS[0]);
            }
            GrantCase { fields, rows, masks, methods, named }
        })
}

fn pick() -> impl Strategy<Value = Pick> {
    (proptest::bool::weighted(0.9), 0..FIELDS.len()).prop_map(|(granted, n)| Pick { granted, n })
}

fn filter_op() -> impl Strategy<Value = FilterOp> {
    prop_oneof![
        Just(FilterOp::Eq),
        Just(FilterOp::Ne),
        Just(FilterOp::Prefix),
        Just(FilterOp::In),
        Just(FilterOp::Contains),
        Just(FilterOp::IsNull),
        Just(FilterOp::NotNull),
    ]
}

fn query_case() -> impl Strategy<Value = QueryCase> {
    (
        proptest::option::of(proptest::collection::vec(pick(), 1..=3)),
        proptest::option::of((pick(), filter_op(), 0..40usize)),
        proptest::option::of((pick(), any::<bool>())),
        3..=12usize,
    )
        .prop_map(|(fields, filter, sort, limit)| QueryCase { fields, filter, sort, limit })
}

fn group_case() -> impl Strategy<Value = GroupCase> {
    (proptest::option::of(pick()), proptest::option::of(pick()), proptest::option::of(pick()))
        .prop_map(|(group, count, min)| GroupCase { group, count, min })
}

fn verify_case() -> impl Strategy<Value = VerifyCase> {
    (proptest::option::weighted(0.85, 0..40usize), proptest::collection::vec((pick(), any::<bool>()), 1..=3))
        .prop_map(|(row, claims)| VerifyCase { row, claims })
}

fn case() -> impl Strategy<Value = Case> {
    (
        grant_case(),
        query_case(),
        group_case(),
        query_case(),
        proptest::collection::vec(verify_case(), 1..=3),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(grant, query, group, download, verify, other_purpose)| Case {
            grant,
            query,
            group,
            download,
            verify,
            other_purpose,
        })
}

// ---------------------------------------------------------------------------------------------
// The oracle

/// The grant as the oracle sees it.
struct Model<'a> {
    g: &'a GrantCase,
    id: i64,
}

impl Model<'_> {
    fn granted(&self) -> Vec<&'static str> {
        (0..FIELDS.len()).filter(|i| self.g.fields.contains(i)).map(|i| FIELDS[i]).collect()
    }

    fn allows(&self, field: &str) -> bool {
        self.g.fields.contains(&idx(field))
    }

    fn mask(&self, field: &str) -> Option<MaskRule> {
        if self.allows(field) { self.g.masks[idx(field)] } else { None }
    }

    fn resolve(&self, p: Pick) -> &'static str {
        let granted = self.granted();
        if p.granted { granted[p.n % granted.len()] } else { FIELDS[p.n] }
    }

    fn in_scope(&self, row: &Row) -> bool {
        self.g.rows.iter().all(|c| c.holds(row))
    }

    /// A field's value as a read through the grant shows it.
    fn shown(&self, field: &str, row: &Row) -> Option<String> {
        let raw = row[idx(field)].clone();
        match self.mask(field) {
            Some(rule) => raw.map(|v| rule.apply(&v)),
            None => raw,
        }
    }

    /// The refusal of a read of this kind when the grant lacks its method.
    fn method(&self, kind: ReadKind) -> Result<(), Denied> {
        if kind.methods().iter().any(|m| self.g.methods.contains(m)) {
            Ok(())
        } else {
            Err(Denied::MethodNotGranted {
                id: self.id,
                kind: kind.label().to_string(),
                granted: self.g.methods.iter().map(|m| m.label()).collect::<Vec<_>>().join("、"),
            })
        }
    }

    /// `display_only`: shown (or counted) only; otherwise filtered, sorted, grouped or aggregated.
    fn usable(&self, field: &str, display_only: bool) -> Result<(), Denied> {
        if !self.allows(field) {
            Err(Denied::FieldOutOfScope(field.to_string()))
        } else if !display_only && self.mask(field).is_some() {
            Err(Denied::FieldMasked(field.to_string()))
        } else {
            Ok(())
        }
    }
}

fn dedup(fields: Vec<&'static str>) -> Vec<&'static str> {
    let mut seen = BTreeSet::new();
    fields.into_iter().filter(|f| seen.insert(*f)).collect()
}

/// The operand of a filter, from the stored values of version 2.
fn filter_of(field: &'static str, op: FilterOp, seed: usize, v2: &[Row]) -> Filter {
    let value = |k: usize| v2[(seed + k) % v2.len()][idx(field)].clone().unwrap_or_else(|| "无此值".into());
    let chars = |s: String, from: usize, n: usize| s.chars().skip(from).take(n).collect::<String>();
    match op {
        FilterOp::Eq => Filter::new(field, Op::Eq, json!(value(0))),
        FilterOp::Ne => Filter::new(field, Op::Ne, json!(value(0))),
        FilterOp::Prefix => Filter::new(field, Op::Prefix, json!(chars(value(0), 0, 1 + seed % 3))),
        FilterOp::In => Filter::new(field, Op::In, json!([value(0), value(7), "无此值"])),
        FilterOp::Contains => Filter::new(field, Op::Contains, json!(chars(value(0), 1, 2))),
        FilterOp::IsNull => Filter::new(field, Op::IsNull, Value::Null),
        FilterOp::NotNull => Filter::new(field, Op::NotNull, Value::Null),
    }
}

/// Whether a stored value passes a filter (SQL semantics: null fails every comparison).
fn passes(f: &Filter, v: Option<&str>) -> bool {
    let s = |x: &Value| x.as_str().unwrap_or_default().to_string();
    match (f.op, v) {
        (Op::IsNull, v) => v.is_none(),
        (Op::NotNull, v) => v.is_some(),
        (_, None) => false,
        (Op::Eq, Some(v)) => v == s(&f.value),
        (Op::Ne, Some(v)) => v != s(&f.value),
        (Op::Prefix, Some(v)) => v.starts_with(&s(&f.value)),
        (Op::Contains, Some(v)) => v.contains(&s(&f.value)),
        (Op::In, Some(v)) => f.value.as_array().unwrap().iter().any(|x| v == s(x)),
        (op, _) => panic!("the oracle does not model {op:?}"),
    }
}

/// Ascending with nulls first, or descending with nulls first (the plan's `sort(asc, true)`).
fn cmp_nulls_first(a: &Option<String>, b: &Option<String>, desc: bool) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) if desc => y.as_bytes().cmp(x.as_bytes()),
        (Some(x), Some(y)) => x.as_bytes().cmp(y.as_bytes()),
    }
}

/// What a query (or download) through the grant must return: the columns and every row, in
/// order (the requested sort, then every output column ascending: its stored value, or its masked
/// text when masked), or the refusal.
fn expected_query(
    m: &Model<'_>,
    kind: ReadKind,
    fields: Option<&[&'static str]>,
    filter: Option<&Filter>,
    sort: Option<(&'static str, bool)>,
    rows: &[Row],
) -> Result<(Vec<String>, Table), Denied> {
    m.method(kind)?;
    for f in fields.into_iter().flatten() {
        m.usable(f, true)?;
    }
    for f in filter.map(|f| f.field.as_str()).into_iter().chain(sort.map(|s| s.0)) {
        m.usable(f, false)?;
    }
    let columns: Vec<&str> = match fields {
        Some(f) => f.to_vec(),
        None => m.granted(),
    };
    let mut kept: Vec<&Row> = rows
        .iter()
        .filter(|r| m.in_scope(r) && filter.is_none_or(|f| passes(f, r[idx(&f.field)].as_deref())))
        .collect();
    kept.sort_by(|a, b| {
        let mut o = Ordering::Equal;
        if let Some((f, desc)) = sort {
            // Sorting is only allowed on unmasked fields: the stored value is what is shown.
            o = cmp_nulls_first(&a[idx(f)], &b[idx(f)], desc);
        }
        for c in &columns {
            if o != Ordering::Equal {
                break;
            }
            if sort.is_some_and(|(f, _)| f == *c) {
                continue;
            }
            // The tie-break orders by stored values, but a masked column by its masked text
            // (the order of its stored values would tell the hidden part).
            o = match m.mask(c) {
                Some(_) => cmp_nulls_first(&m.shown(c, a), &m.shown(c, b), false),
                None => cmp_nulls_first(&a[idx(c)], &b[idx(c)], false),
            };
        }
        o
    });
    let out = kept.iter().map(|r| columns.iter().map(|c| m.shown(c, r)).collect()).collect();
    Ok((columns.iter().map(|c| c.to_string()).collect(), out))
}

/// Checks rows keyed by their key (when the key is shown in clear) against the raw data: inside
/// the row scope, masked fields masked and never in clear (unless the rule leaves the value as
/// it is), nothing outside the grant.
fn check_rows_by_key(
    m: &Model<'_>,
    columns: &[String],
    rows: &[Vec<Option<String>>],
    raw: &[Row],
    what: &str,
) -> Result<(), TestCaseError> {
    for c in columns {
        prop_assert!(m.allows(c), "{what}: column {c} is not granted");
    }
    let Some(k) = columns.iter().position(|c| c == KEY) else { return Ok(()) };
    if m.mask(KEY).is_some() {
        return Ok(());
    }
    for row in rows {
        let key = row[k].as_deref().unwrap();
        let stored = raw.iter().find(|r| r[0].as_deref() == Some(key));
        let stored = match stored {
            Some(s) => s,
            None => return Err(TestCaseError::fail(format!("{what}: no stored row {key}"))),
        };
        prop_assert!(m.in_scope(stored), "{what}: row {key} is outside the grant's rows {:?}", m.g.rows);
        for (c, v) in columns.iter().zip(row) {
            let raw_value = &stored[idx(c)];
            match (m.mask(c), raw_value) {
                (Some(rule), Some(clear)) => {
                    let masked = rule.apply(clear);
                    prop_assert_eq!(v.as_deref(), Some(masked.as_str()), "{}: {} of {}", what, c, key);
                    prop_assert!(
                        v.as_deref() != Some(clear.as_str()) || masked == *clear,
                        "{what}: {c} of {key} shown in clear"
                    );
                }
                _ => prop_assert_eq!(v, raw_value, "{}: {} of {}", what, c, key),
            }
        }
    }
    Ok(())
}

fn denied_of(e: ServiceError, what: &str) -> Result<Denied, TestCaseError> {
    match e {
        ServiceError::AccessDenied(d) => Ok(d),
        other => Err(TestCaseError::fail(format!("{what}: expected a refusal, got {other:?}"))),
    }
}

// ---------------------------------------------------------------------------------------------
// The reads

struct Ctx<'a> {
    fx: &'a Fixture,
    m: Model<'a>,
}

impl Ctx<'_> {
    fn read(&self) -> ReadRequest {
        ReadRequest { version: None, purpose: purpose(), grant_id: self.m.g.named.then_some(self.m.id) }
    }

    async fn query(&self, spec: QuerySpec) -> Result<data::query::QueryResult, ServiceError> {
        let fx = self.fx;
        datasets::query(&fx.w.svc, &fx.consumer, &fx.r.code, self.read(), spec).await.map(|(_, r)| r)
    }

    fn pick_fields(&self, picks: &Option<Vec<Pick>>) -> Option<Vec<&'static str>> {
        picks.as_ref().map(|p| dedup(p.iter().map(|p| self.m.resolve(*p)).collect()))
    }

    /// A plain query: every field in scope, every row in scope, with the count.
    async fn plain(&self) -> Result<(), TestCaseError> {
        let want = expected_query(&self.m, ReadKind::Query, None, None, None, &self.fx.v2);
        let got = self.query(QuerySpec { limit: Some(1000), count: true, ..Default::default() }).await;
        match (got, want) {
            (Ok(got), Ok((columns, rows))) => {
                prop_assert_eq!(&got.columns, &columns, "plain query: columns");
                let rows_got = normalise(&got.columns, &got.rows);
                for r in &got.rows {
                    prop_assert!(r.keys().all(|k| columns.contains(k)), "plain query: a row with extra keys {:?}", r);
                }
                check_rows_by_key(&self.m, &got.columns, &rows_got, &self.fx.v2, "plain query")?;
                prop_assert_eq!(got.total, Some(rows.len() as u64), "plain query: count");
                self.fx.saw(if rows.is_empty() { "plain query: no row in scope" } else { "plain query: rows" });
                if got.columns.iter().any(|c| self.m.mask(c).is_some()) && !rows.is_empty() {
                    self.fx.saw("plain query: masked values");
                }
                prop_assert_eq!(rows_got, rows, "plain query: rows");
            }
            (Err(e), Err(d)) => {
                self.fx.saw_refusal(&d);
                prop_assert_eq!(denied_of(e, "plain query")?, d);
            }
            (got, want) => {
                return Err(TestCaseError::fail(format!(
                    "plain query: got {:?}, want {:?}",
                    got.map(|r| r.rows.len()),
                    want.map(|w| w.1.len())
                )));
            }
        }
        Ok(())
    }

    /// A projected, filtered, sorted query read page by page.
    async fn paged(&self, q: &QueryCase) -> Result<(), TestCaseError> {
        let fields = self.pick_fields(&q.fields);
        let filter = q.filter.map(|(p, op, seed)| filter_of(self.m.resolve(p), op, seed, &self.fx.v2));
        let sort = q.sort.map(|(p, desc)| (self.m.resolve(p), desc));
        let want = expected_query(&self.m, ReadKind::Query, fields.as_deref(), filter.as_ref(), sort, &self.fx.v2);
        let spec = QuerySpec {
            fields: fields.as_ref().map(|f| f.iter().map(|s| s.to_string()).collect()),
            filters: filter.clone().into_iter().collect(),
            sort: sort.map(|(f, desc)| Sort { field: f.into(), desc }).into_iter().collect(),
            limit: Some(q.limit),
            ..Default::default()
        };
        let what = format!("paged query {fields:?} {filter:?} {sort:?} limit {}", q.limit);
        let mut all = Vec::new();
        let mut cursor = None;
        for page in 0.. {
            prop_assert!(page < 40, "{}: too many pages", what);
            let got = self.query(QuerySpec { cursor: cursor.clone(), ..spec.clone() }).await;
            let got = match (got, &want) {
                (Ok(got), Ok((columns, _))) => {
                    prop_assert_eq!(&got.columns, columns, "{}: columns", what);
                    prop_assert!(got.rows.len() <= q.limit, "{}: page too long", what);
                    got
                }
                (Err(e), Err(d)) => {
                    self.fx.saw_refusal(d);
                    prop_assert_eq!(&denied_of(e, &what)?, d, "{}", what);
                    return Ok(());
                }
                (Err(e), Ok(_)) => return Err(TestCaseError::fail(format!("{what}: refused: {e:?}"))),
                (Ok(_), Err(d)) => return Err(TestCaseError::fail(format!("{what}: allowed, want {d:?}"))),
            };
            let rows = normalise(&got.columns, &got.rows);
            check_rows_by_key(&self.m, &got.columns, &rows, &self.fx.v2, &what)?;
            all.extend(rows);
            match got.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        let (_, want_rows) = want.unwrap();
        self.fx.saw(if cursor.is_some() { "paged query: several pages" } else { "paged query: one page" });
        if filter.is_some() && !want_rows.is_empty() {
            self.fx.saw("paged query: filtered rows");
        }
        if let Some((f, _)) = sort.filter(|_| want_rows.len() > 1) {
            self.fx.saw("paged query: sorted rows");
            if fields.as_ref().is_some_and(|shown| !shown.contains(&f)) {
                self.fx.saw("paged query: sorted on a field not shown");
            }
        }
        prop_assert_eq!(all, want_rows, "{}: rows", what);
        Ok(())
    }

    /// Group-by aggregates: refused on hidden or masked fields (a count may name a masked field),
    /// computed over the rows in scope only.
    async fn grouped(&self, g: &GroupCase) -> Result<(), TestCaseError> {
        let group = g.group.map(|p| self.m.resolve(p));
        let count = g.count.map(|p| self.m.resolve(p));
        let min = g.min.map(|p| self.m.resolve(p));
        let what = format!("group by {group:?} count {count:?} min {min:?}");
        let mut aggregates = vec![Aggregate { func: AggFunc::Count, field: None }];
        aggregates.extend(count.map(|f| Aggregate { func: AggFunc::Count, field: Some(f.into()) }));
        aggregates.extend(min.map(|f| Aggregate { func: AggFunc::Min, field: Some(f.into()) }));
        let spec = QuerySpec {
            group_by: group.map(String::from).into_iter().collect(),
            aggregates,
            limit: Some(1000),
            ..Default::default()
        };
        let want = (|| {
            self.m.method(ReadKind::Query)?;
            if let Some(f) = group {
                self.m.usable(f, false)?;
            }
            if let Some(f) = count {
                self.m.usable(f, true)?;
            }
            if let Some(f) = min {
                self.m.usable(f, false)?;
            }
            Ok::<_, Denied>(())
        })();
        let got = self.query(spec).await;
        let got = match (got, want) {
            (Ok(got), Ok(())) => got,
            (Err(e), Err(d)) => {
                self.fx.saw_refusal(&d);
                prop_assert_eq!(denied_of(e, &what)?, d, "{}", what);
                return Ok(());
            }
            (got, want) => {
                return Err(TestCaseError::fail(format!("{what}: got {:?}, want {want:?}", got.map(|r| r.rows))));
            }
        };
        let mut columns: Vec<String> = group.map(String::from).into_iter().collect();
        columns.push("count".into());
        columns.extend(count.map(|f| format!("count_{f}")));
        columns.extend(min.map(|f| format!("min_{f}")));
        prop_assert_eq!(&got.columns, &columns, "{}: columns", what);
        let scoped: Vec<&Row> = self.fx.v2.iter().filter(|r| self.m.in_scope(r)).collect();
        let mut groups: BTreeMap<Option<String>, Vec<&Row>> = BTreeMap::new();
        if let Some(f) = group {
            for r in &scoped {
                groups.entry(r[idx(f)].clone()).or_default().push(r);
            }
        } else {
            groups.insert(None, scoped.clone());
        }
        let want: Table = groups
            .into_iter()
            .map(|(k, rows)| {
                let mut out: Vec<Option<String>> = Vec::new();
                if group.is_some() {
                    out.push(k);
                }
                out.push(Some(rows.len().to_string()));
                if let Some(f) = count {
                    out.push(Some(rows.iter().filter(|r| r[idx(f)].is_some()).count().to_string()));
                }
                if let Some(f) = min {
                    out.push(
                        rows.iter().filter_map(|r| r[idx(f)].clone()).min_by(|a, b| a.as_bytes().cmp(b.as_bytes())),
                    );
                }
                out
            })
            .collect();
        self.fx.saw(if group.is_some() { "aggregates: grouped" } else { "aggregates: whole scope" });
        prop_assert_eq!(normalise(&got.columns, &got.rows), want, "{}: rows", what);
        Ok(())
    }

    /// Downloads the query as CSV and as NDJSON: the same rows as the query, in an order of their
    /// own.
    async fn downloads(&self, q: &QueryCase) -> Result<(), TestCaseError> {
        let fx = self.fx;
        let fields = self.pick_fields(&q.fields);
        let filter = q.filter.map(|(p, op, seed)| filter_of(self.m.resolve(p), op, seed, &fx.v2));
        let want = expected_query(&self.m, ReadKind::Download, fields.as_deref(), filter.as_ref(), None, &fx.v2);
        let spec = QuerySpec {
            fields: fields.as_ref().map(|f| f.iter().map(|s| s.to_string()).collect()),
            filters: filter.clone().into_iter().collect(),
            ..Default::default()
        };
        for format in [DownloadFormat::Csv, DownloadFormat::Ndjson] {
            let what = format!("{format:?} download {fields:?} {filter:?}");
            let got =
                datasets::download(&fx.w.svc, &fx.consumer, &fx.r.code, self.read(), spec.clone(), format.extension())
                    .await;
            let (stream, columns) = match (got, &want) {
                (Ok((_, _, stream, columns)), Ok((want_columns, _))) => {
                    prop_assert_eq!(&columns, want_columns, "{}: columns", what);
                    (stream, columns)
                }
                (Err(e), Err(d)) => {
                    self.fx.saw_refusal(d);
                    prop_assert_eq!(&denied_of(e, &what)?, d, "{}", what);
                    continue;
                }
                (Err(e), Ok(_)) => return Err(TestCaseError::fail(format!("{what}: refused: {e:?}"))),
                (Ok(_), Err(d)) => return Err(TestCaseError::fail(format!("{what}: allowed, want {d:?}"))),
            };
            let mut bytes = Vec::new();
            let mut body = data::download::encode(stream, format).await.unwrap();
            while let Some(chunk) = body.next().await {
                bytes.extend_from_slice(&chunk.unwrap());
            }
            let text = String::from_utf8(bytes).unwrap();
            let rows: Table = match format {
                DownloadFormat::Csv => {
                    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
                    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
                    prop_assert_eq!(&header, &columns, "{}: header", what);
                    r.records()
                        .map(|rec| rec.unwrap().iter().map(|v| (!v.is_empty()).then(|| v.to_string())).collect())
                        .collect()
                }
                _ => {
                    let maps: Vec<Map<String, Value>> =
                        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
                    for m in &maps {
                        prop_assert!(m.keys().all(|k| columns.contains(k)), "{}: extra keys {:?}", what, m);
                    }
                    normalise(&columns, &maps)
                }
            };
            check_rows_by_key(&self.m, &columns, &rows, &fx.v2, &what)?;
            // A download's rows are reordered per recipient (its fingerprint): compare as sets.
            let (mut rows, mut want_rows) = (rows, want.as_ref().unwrap().1.clone());
            rows.sort();
            want_rows.sort();
            self.fx.saw(if rows.is_empty() { "download: no row" } else { "download: rows" });
            prop_assert_eq!(rows, want_rows, "{}: rows", what);
        }
        Ok(())
    }

    /// The changes from version 1 to 2, as the grant sees them: rows entering the row scope are
    /// added, rows leaving it removed, and a row changed only if a shown value changed.
    async fn changes(&self) -> Result<(), TestCaseError> {
        let fx = self.fx;
        let m = &self.m;
        let got = datasets::changes(&fx.w.svc, &fx.consumer, &fx.r.code, self.read(), 1, 10_000, None).await;
        let want = m.method(ReadKind::Changes).and_then(|()| m.usable(KEY, false));
        let (_, _, got) = match (got, want) {
            (Ok(got), Ok(())) => got,
            (Err(e), Err(d)) => {
                self.fx.saw_refusal(&d);
                prop_assert_eq!(denied_of(e, "changes")?, d, "changes");
                return Ok(());
            }
            (got, want) => {
                return Err(TestCaseError::fail(format!(
                    "changes: got {:?}, want {want:?}",
                    got.map(|c| c.2.rows.len())
                )));
            }
        };
        let visible = m.granted();
        let by_key = |rows: &[Row]| -> BTreeMap<String, Row> {
            rows.iter().filter(|r| m.in_scope(r)).map(|r| (r[0].clone().unwrap(), r.clone())).collect()
        };
        let (old, new) = (by_key(&fx.v1), by_key(&fx.v2));
        let shown = |r: &Row| -> Vec<Option<String>> { visible.iter().map(|c| m.shown(c, r)).collect() };
        let mut want: Vec<(&str, String, Vec<Option<String>>)> = Vec::new();
        for (k, r) in &new {
            match old.get(k) {
                None => want.push(("added", k.clone(), shown(r))),
                Some(o) if shown(o) != shown(r) => want.push(("changed", k.clone(), shown(r))),
                Some(_) => {}
            }
        }
        for (k, r) in &old {
            if !new.contains_key(k) {
                want.push(("removed", k.clone(), shown(r)));
            }
        }
        want.sort_by(|a, b| (a.0, a.1.as_bytes()).cmp(&(b.0, b.1.as_bytes())));
        let count = |kind: &str| want.iter().filter(|w| w.0 == kind).count() as i64;
        for kind in ["added", "changed", "removed"] {
            if count(kind) > 0 {
                fx.saw(match kind {
                    "added" => "changes: added",
                    "changed" => "changes: changed",
                    _ => "changes: removed",
                });
            }
        }
        prop_assert_eq!(
            (got.added, got.changed, got.removed),
            (count("added"), count("changed"), count("removed")),
            "changes: counts"
        );
        prop_assert!(got.next.is_none());
        let mut columns = vec!["_change".to_string()];
        columns.extend(visible.iter().map(|c| c.to_string()));
        for r in &got.rows {
            prop_assert!(r.keys().all(|k| columns.contains(k)), "changes: extra keys {:?}", r);
        }
        let rows = normalise(&columns, &got.rows);
        let want_rows: Table = want
            .into_iter()
            .map(|(kind, _, values)| std::iter::once(Some(kind.to_string())).chain(values).collect())
            .collect();
        prop_assert_eq!(rows, want_rows, "changes: rows");
        Ok(())
    }

    /// Verification: per claimed field match / no match / no record, against the stored value
    /// (masked fields too: their cleartext is compared, never returned), only inside the row scope.
    async fn verify(&self, v: &VerifyCase) -> Result<(), TestCaseError> {
        let fx = self.fx;
        let m = &self.m;
        let record = v.row.map(|i| &fx.v2[i % fx.v2.len()]);
        let key_value = record.map_or("R999".to_string(), |r| r[0].clone().unwrap());
        let key = BTreeMap::from([(KEY.to_string(), json!(key_value))]);
        let mut claims = BTreeMap::new();
        for (p, truthful) in &v.claims {
            let f = m.resolve(*p);
            let value = match (truthful, record) {
                (true, Some(r)) => r[idx(f)].clone().map_or(Value::Null, Value::String),
                _ => json!("不是这个值"),
            };
            claims.insert(f.to_string(), value);
        }
        let what = format!("verify {key:?} {claims:?}");
        let want = (|| {
            m.method(ReadKind::Verify)?;
            // Masked fields can be neither key nor claim (guessing would undo the mask).
            m.usable(KEY, false)?;
            for f in claims.keys() {
                m.usable(f, false)?;
            }
            let found = record.filter(|r| m.in_scope(r));
            Ok::<_, Denied>(
                claims
                    .iter()
                    .map(|(f, claimed)| {
                        let outcome = match found {
                            None => Outcome::NoRecord,
                            Some(r) => {
                                let stored = r[idx(f)].as_deref();
                                let same = match (stored, claimed) {
                                    (None, Value::Null) => true,
                                    (Some(s), Value::String(c)) => s == c,
                                    _ => false,
                                };
                                if same { Outcome::Match } else { Outcome::NoMatch }
                            }
                        };
                        (f.clone(), outcome)
                    })
                    .collect::<BTreeMap<_, _>>(),
            )
        })();
        let got = datasets::verify(&fx.w.svc, &fx.consumer, &fx.r.code, self.read(), &key, &claims).await;
        match (got, want) {
            (Ok(got), Ok(want)) => {
                for o in want.values() {
                    fx.saw(match o {
                        Outcome::Match => "verify: match",
                        Outcome::NoMatch => "verify: no match",
                        Outcome::NoRecord => "verify: no record",
                    });
                }
                if want.keys().any(|f| m.mask(f).is_some()) {
                    fx.saw("verify: masked field");
                }
                prop_assert_eq!(got.found, want.values().all(|o| *o != Outcome::NoRecord), "{}", what);
                prop_assert_eq!(got.fields, want, "{}", what);
            }
            (Err(e), Err(d)) => {
                fx.saw_refusal(&d);
                prop_assert_eq!(denied_of(e, &what)?, d, "{}", what);
            }
            (got, want) => {
                return Err(TestCaseError::fail(format!("{what}: got {:?}, want {want:?}", got.map(|g| g.fields))));
            }
        }
        Ok(())
    }

    /// A read declaring another purpose is refused whatever the grant allows (第十四条).
    async fn other_purpose(&self) -> Result<(), TestCaseError> {
        let fx = self.fx;
        let req = ReadRequest {
            version: None,
            purpose: Purpose::new(PurposeKind::BusinessCollaboration, "另一项业务").unwrap(),
            grant_id: self.read().grant_id,
        };
        let e = datasets::query(&fx.w.svc, &fx.consumer, &fx.r.code, req, QuerySpec::default()).await.err();
        let d = denied_of(e.expect("another purpose must be refused"), "another purpose")?;
        fx.saw_refusal(&d);
        prop_assert!(matches!(d, Denied::PurposeMismatch { id, .. } if id == self.m.id), "{:?}", d);
        Ok(())
    }
}

/// Revokes every grant still active for the consumer department (so that exactly one grant, the
/// case's, is in force, even after a failed case).
async fn revoke_all(fx: &Fixture) {
    let svc = &fx.w.svc;
    for g in svc.store.grants_for(fx.r.id, fx.w.b.id).await.unwrap() {
        if g.status != GrantStatus::Active {
            continue;
        }
        let t = GrantTransition {
            id: g.id,
            expected_revision: g.revision,
            to: GrantStatus::Revoked,
            action: "revoke".into(),
            actor_id: Some(fx.w.approver_a.user_id),
            actor_name: Some(fx.w.approver_a.username.clone()),
            reason: Some("下一个用例".into()),
            at: svc.clock.now(),
        };
        svc.store.transition_grant(&t).await.unwrap();
    }
}

async fn run_case(fx: &Fixture, c: &Case) -> Result<(), TestCaseError> {
    revoke_all(fx).await;
    let svc = &fx.w.svc;
    let g = &c.grant;
    let fields: Vec<String> =
        (0..FIELDS.len()).filter(|i| g.fields.contains(i)).map(|i| FIELDS[i].to_string()).collect();
    let terms = GrantTerms {
        purpose: purpose(),
        fields: fields.clone(),
        rows: g.rows.iter().map(RowCond::filter).collect(),
        masks: g
            .masks
            .iter()
            .enumerate()
            .filter(|(i, _)| g.fields.contains(i))
            .filter_map(|(i, m)| m.map(|rule| FieldMask { field: FIELDS[i].to_string(), rule }))
            .collect(),
        methods: g.methods.clone(),
        period: Period { from: date(2026, 3, 3), until: date(2026, 12, 31) },
        daily_row_quota: None,
        user_ids: vec![],
        system_ids: vec![],
    };
    terms.validate(&fx.r.spec, svc.clock.today()).expect("the generated terms are valid");
    let new = NewGrant {
        resource_id: fx.r.id,
        provider_department_id: fx.w.a.id,
        consumer_department_id: fx.w.b.id,
        application_id: None,
        terms,
        issued_by: fx.w.approver_a.user_id,
        note: None,
        at: svc.clock.now(),
    };
    let grant = svc.store.create_grant(&new, Some(&fx.w.approver_a.username)).await.unwrap();
    let ctx = Ctx { fx, m: Model { g, id: grant.id } };
    ctx.plain().await?;
    ctx.paged(&c.query).await?;
    ctx.grouped(&c.group).await?;
    ctx.downloads(&c.download).await?;
    ctx.changes().await?;
    for v in &c.verify {
        ctx.verify(v).await?;
    }
    if c.other_purpose {
        ctx.other_purpose().await?;
    }
    Ok(())
}

/// Random grants never let out a field, a row or a cleartext value they do not allow, through
/// any read path.
#[test]
fn random_grants_never_leak() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let fx = rt.block_on(fixture());
    // The table meets every branch of the oracle: nulls, rows in and out of each region.
    assert!(fx.v2.iter().any(|r| r[1].is_none()) && fx.v2.iter().any(|r| r[2].is_none()));
    assert_eq!((fx.v1.len(), fx.v2.len()), (30, 32));
    let config = Config { cases: CASES, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |c| rt.block_on(run_case(&fx, &c)));
    if let Err(e) = result {
        panic!("{e}");
    }
    // The run must have met every outcome, or it proved little.
    let seen = fx.seen.lock().unwrap();
    eprintln!("{seen:#?}");
    for what in [
        "plain query: rows",
        "plain query: masked values",
        "paged query: several pages",
        "paged query: filtered rows",
        "paged query: sorted rows",
        "aggregates: grouped",
        "download: rows",
        "changes: added",
        "changes: changed",
        "changes: removed",
        "verify: match",
        "verify: no match",
        "verify: no record",
        "refused: field out of scope",
        "refused: field masked",
        "refused: method not granted",
    ] {
        assert!(seen.get(what).copied().unwrap_or(0) > 0, "no case met “{what}”: {seen:#?}");
    }
}
