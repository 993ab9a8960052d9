//! Synthetic data for the demo city's resources: rows that look like the real thing and pass the
//! platform's row checks (`data::rows::RowChecker`), deterministic from a seed.
//!
//! For a resource's data items the generator writes CSV whose values fit each item:
//!
//! - by identifier kind: valid 18-character 公民身份号码 (GB 11643) with real birth dates, the
//!   region codes of 示例市's districts (350102 … 350128) and of a few other regions, and a sex
//!   digit that agrees with 性别; valid 统一社会信用代码 (GB 32100) with valid embedded
//!   组织机构代码 (GB 11714); region codes; mobile numbers;
//! - else by the item's name: 姓名 from common surnames and given names, 性别, 出生日期 and
//!   户籍地 that agree with the 公民身份号码, 民族 and other code tables of the national
//!   standards, addresses in 示例市, company and other names, amounts, dates in plausible ranges
//!   (发证日期 before 有效期至), statuses from small code tables …;
//! - else by data type, within its length (character lengths are storage bytes: a 汉字 counts
//!   2, as `data::rows::storage_len` counts them) and digit count.
//!
//! Key items are unique by construction (see `plan`), required items are never empty, optional
//! ones are empty about one time in twenty. The same items, row count and seed always give the
//! same bytes: the only randomness is a hand-written SplitMix64 ([`rng`]).
//!
//! [`write_csv`] streams any number of rows through one reused buffer per column (ten million
//! population rows, 3 GB, take about 16 s in a release build, 10 s of it generating);
//! [`write_resource_csv`] does the same for a catalogue entry, whose name and provider make the
//! values fit better; [`population_items`] is the twenty-column population table of the
//! benchmarks. `govshare synth` and the demo seeder call them.

mod names;
mod plan;
mod rng;
mod values;
mod words;

#[cfg(test)]
mod tests;

use std::io;

use domain::catalog::{DataItem, DataType, IdentifierKind, ResourceSpec};

use plan::{
    Attr, CodeFmt, Column, DateKind, DimKind, EntitySlot, Gen, KeyRole, NumSpec, PersonSlot, Plan, RegionSet, TextKind,
};
use rng::{Permutation, Rng, mix};
use values::{
    ORG_BODIES, REGIONS, civil_from_days, days_from_civil, digit_count, fit, push_base64, push_clock,
    push_compact_date, push_date, push_fixed, push_int, push_uint, region_code,
};
use words::{DISTRICTS, Enumeration, OTHER_REGIONS};

use plan::REFERENCE_DAY;

/// Writes a header and `rows` rows of synthetic data for `items` as CSV (UTF-8, comma-separated,
/// quoted where needed) to `out`, through a 1 MiB buffer of its own.
///
/// Fails with `InvalidInput` when the items have no column, or when their key cannot take
/// `rows` distinct values (see [`resource_capacity`] and [`Synth::capacity`]).
pub fn write_csv(items: &[DataItem], rows: u64, seed: u64, out: impl io::Write) -> io::Result<()> {
    write(Synth::new(items, seed, rows), items, rows, out)
}

/// [`write_csv`] for a catalogue entry's data items; the entry's name and provider make the
/// values fit better (the issuing bodies of its department, the violations of its domain …).
pub fn write_resource_csv(spec: &ResourceSpec, rows: u64, seed: u64, out: impl io::Write) -> io::Result<()> {
    write(Synth::for_resource(spec, seed, rows), &spec.data_items, rows, out)
}

/// How many rows with distinct keys a catalogue entry's data can have (`u64::MAX` without a key),
/// planned as [`write_resource_csv`] plans it: `rows`, the number wanted, decides the key layout.
pub fn resource_capacity(spec: &ResourceSpec, rows: u64) -> u64 {
    plan::plan(&spec.data_items, rows, &spec.name, &spec.provider_name).keys.capacity
}

fn write(mut synth: Synth, items: &[DataItem], rows: u64, out: impl io::Write) -> io::Result<()> {
    if items.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "该资源没有信息项，无法生成数据"));
    }
    if rows > synth.capacity() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("该资源的主键最多只能生成{}行互不重复的数据，少于要求的{rows}行", synth.capacity()),
        ));
    }
    let mut w = csv::WriterBuilder::new().buffer_capacity(1 << 20).from_writer(out);
    w.write_record(items.iter().map(|i| i.name.as_str()))?;
    for _ in 0..rows {
        w.write_record(synth.next_row())?;
    }
    w.flush()?;
    Ok(())
}

/// The population table of the benchmarks (常住人口基础信息, twenty columns): one row per person,
/// keyed by 公民身份号码.
pub fn population_items() -> Vec<DataItem> {
    use DataType::*;
    let item = |name: &str, ty: DataType, len: Option<u32>, required: bool| {
        let mut i = DataItem::new(name, ty, len);
        i.required = required;
        i
    };
    let mut id = item("公民身份号码", C, Some(18), true);
    id.is_key = true;
    id.base_item = true;
    id.identifier = Some(IdentifierKind::CitizenId);
    let mut region = item("户籍地行政区划代码", C, Some(6), true);
    region.identifier = Some(IdentifierKind::RegionCode);
    let mut mobile = item("手机号码", C, Some(11), false);
    mobile.identifier = Some(IdentifierKind::Mobile);
    vec![
        id,
        item("姓名", C, Some(50), true),
        item("性别", C, Some(2), true),
        item("民族", C, Some(20), true),
        item("出生日期", D, None, true),
        region,
        item("户籍地址", C, Some(200), true),
        item("现住址", C, Some(200), false),
        item("婚姻状况", C, Some(10), false),
        item("文化程度", C, Some(20), false),
        item("职业", C, Some(100), false),
        mobile,
        item("户主关系", C, Some(10), false),
        item("户号", C, Some(20), false),
        item("登记日期", D, None, true),
        item("迁入日期", D, None, false),
        item("人员状态", C, Some(10), true),
        item("兵役状况", C, Some(20), false),
        item("宗教信仰", C, Some(20), false),
        item("更新时间", T, None, true),
    ]
}

/// 户主关系 of minors: 子, 女, 孙子, 孙女 (indexes into [`words::RELATION`]).
const MINOR_RELATIONS: [(usize, usize); 2] = [(2, 6), (3, 7)];

/// A person of the current row.
#[derive(Debug, Clone, Default)]
struct Person {
    id: [u8; 18],
    region: usize,
    birth: i32,
    male: bool,
    name: String,
    mobile: [u8; 11],
}

/// A legal entity of the current row.
#[derive(Debug, Clone, Default)]
struct Entity {
    code: [u8; 18],
    name: String,
    founded: i32,
    district: usize,
}

/// Days between the first and the last possible birth date, inclusive.
const BIRTH_DAYS: usize = (plan::LAST_BIRTH_DAY - plan::FIRST_BIRTH_DAY + 1) as usize;
/// Sequence numbers per (region, birth date, sex): 000–999, half of them for each sex.
const SEQUENCES: u16 = 500;

/// An index into `weights`, with probability proportional to its weight.
fn pick_weighted(weights: &[u32], rng: &mut Rng) -> usize {
    let total: u32 = weights.iter().sum();
    let mut r = rng.below(u64::from(total.max(1))) as u32;
    for (i, &w) in weights.iter().enumerate() {
        if r < w {
            return i;
        }
        r -= w;
    }
    0
}

/// Cumulative weights of a weighted list.
#[derive(Debug, Clone)]
struct Weights(Vec<u32>);

impl Weights {
    fn new(weights: impl Iterator<Item = u32>) -> Weights {
        let mut sum = 0;
        Weights(
            weights
                .map(|w| {
                    sum += w;
                    sum
                })
                .collect(),
        )
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let total = self.0.last().copied().unwrap_or(1);
        let r = rng.below(u64::from(total)) as u32;
        self.0.partition_point(|&c| c <= r)
    }
}

/// Weighted tables used for every row.
#[derive(Debug, Clone)]
struct Tables {
    surnames: Weights,
    districts: Weights,
    others: Weights,
}

/// A row generator for one resource: plan once, then [`Synth::next_row`] as often as needed.
#[derive(Debug)]
pub struct Synth {
    plan: Plan,
    seed: u64,
    rng: Rng,
    tables: Tables,
    persons: Vec<Person>,
    person_keys: Vec<Option<u64>>,
    entities: Vec<Entity>,
    entity_keys: Vec<Option<u64>>,
    /// Sequence numbers handed out per (region, birth date, sex), for persons that are keys.
    counters: Vec<u16>,
    /// Per inner key dimension: the offset of the current outer value.
    offsets: Vec<u64>,
    last_outer: Option<u64>,
    /// Per column: the key index of the current row.
    col_keys: Vec<Option<u64>>,
    /// Per column: the bijection that turns key indexes into codes.
    perms: Vec<Permutation>,
    entity_perm: Permutation,
    next: u64,
    row: Vec<String>,
    /// The district of the row (its entity's, or its main person's), for addresses and regions.
    district: usize,
    /// The latest event date of the row so far: events follow the columns' order.
    cursor: i32,
    /// Choices shared by the columns of one row (a code table's entry, a violation), by table.
    picks: Vec<(usize, usize)>,
}

impl Synth {
    /// Plans the items; `rows` is how many rows will be asked for (it decides the key layout).
    pub fn new(items: &[DataItem], seed: u64, rows: u64) -> Synth {
        Synth::with_plan(plan::plan(items, rows, "", ""), seed)
    }

    /// Plans a catalogue entry's data items, knowing its name and provider.
    pub fn for_resource(spec: &ResourceSpec, seed: u64, rows: u64) -> Synth {
        Synth::with_plan(plan::plan(&spec.data_items, rows, &spec.name, &spec.provider_name), seed)
    }

    fn with_plan(plan: Plan, seed: u64) -> Synth {
        let perms = plan
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                let cap = match col.source {
                    Gen::Code(fmt) => plan::code_cap(fmt, col.limit),
                    _ => 1,
                };
                Permutation::new(cap, mix(seed, c as u64 + 1))
            })
            .collect();
        let unique_people = plan.persons.iter().any(|p| p.key.is_some());
        let tables = Tables {
            surnames: Weights::new(words::SURNAMES.iter().map(|s| s.1)),
            districts: Weights::new(DISTRICTS.iter().map(|d| d.2)),
            others: Weights::new(OTHER_REGIONS.iter().map(|d| d.2)),
        };
        Synth {
            seed,
            rng: Rng::new(seed),
            tables,
            persons: vec![Person::default(); plan.persons.len()],
            person_keys: vec![None; plan.persons.len()],
            entities: vec![Entity::default(); plan.entities.len()],
            entity_keys: vec![None; plan.entities.len()],
            counters: if unique_people { vec![0; REGIONS * BIRTH_DAYS * 2] } else { Vec::new() },
            offsets: vec![0; plan.keys.inner.len()],
            last_outer: None,
            col_keys: vec![None; plan.columns.len()],
            perms,
            entity_perm: Permutation::new(ORG_BODIES, mix(seed, 0xE117)),
            next: 0,
            row: vec![String::new(); plan.columns.len()],
            district: 0,
            cursor: 0,
            picks: Vec::new(),
            plan,
        }
    }

    /// How many rows with distinct keys can be generated.
    pub fn capacity(&self) -> u64 {
        self.plan.keys.capacity
    }

    /// The next row, one string per item (an empty string is an empty cell).
    pub fn next_row(&mut self) -> &[String] {
        let i = self.next;
        self.next += 1;
        self.key_indexes(i);
        self.people();
        self.legal_entities();
        let anchor = self.anchor();
        self.cursor = anchor;
        self.picks.clear();
        self.district = match (self.entities.first(), self.plan.main_person) {
            (Some(e), _) => e.district,
            (None, Some(p)) if self.persons[p].region < DISTRICTS.len() && self.rng.chance(70) => {
                self.persons[p].region
            }
            _ => self.tables.districts.pick(&mut self.rng),
        };
        for c in 0..self.plan.columns.len() {
            let mut buf = std::mem::take(&mut self.row[c]);
            buf.clear();
            let col = &self.plan.columns[c];
            let skip = !col.required && col.key.is_none() && self.rng.chance(5);
            if !skip {
                self.write(c, anchor, &mut buf);
                let col = &self.plan.columns[c];
                if let Some(limit) = col.limit {
                    fit(&mut buf, limit);
                }
                if buf.is_empty() && col.required {
                    buf.push('1');
                }
            }
            self.row[c] = buf;
        }
        &self.row
    }

    /// Decomposes row `i` into the key indexes of the key columns.
    fn key_indexes(&mut self, i: u64) {
        let keys = &self.plan.keys;
        let Some(outer) = keys.outer else { return };
        let o = i / keys.group;
        let mut rest = i % keys.group;
        if self.last_outer != Some(o) {
            for (j, d) in keys.inner.iter().enumerate() {
                let h = mix(self.seed ^ (j as u64 + 1).wrapping_mul(0x1234_5678_9ABC), o);
                let col = &self.plan.columns[d.column];
                self.offsets[j] = match (d.kind, col.source) {
                    // Hours within the last two years, or months within the last eight.
                    (DimKind::Sequence, Gen::Date(_)) if col.ty == DataType::T => h % 17_000,
                    (DimKind::Sequence, Gen::Date(_)) => h % 90,
                    (DimKind::Sequence, _) => 0,
                    _ => h % d.cap,
                };
            }
            self.last_outer = Some(o);
        }
        self.col_keys[outer] = Some(o);
        for (j, d) in keys.inner.iter().enumerate() {
            let digit = rest % d.radix;
            rest /= d.radix;
            let k = match d.kind {
                DimKind::Sequence => self.offsets[j] + digit,
                _ => (self.offsets[j] + digit) % d.cap,
            };
            self.col_keys[d.column] = Some(k);
        }
    }

    /// Regenerates the people of the row: a person identified by a key keeps its data while the
    /// key index stays the same, and gets the same data for the same index.
    fn people(&mut self) {
        for p in 0..self.persons.len() {
            let slot = &self.plan.persons[p];
            let k = slot.key.and_then(|c| self.col_keys[c]);
            match k {
                Some(k) if self.person_keys[p] == Some(k) => continue,
                Some(k) => {
                    let mut rng = Rng::new(mix(self.seed ^ 0x9E50_0000 ^ p as u64, k));
                    new_person(slot, &self.tables, &mut rng, Some(&mut self.counters), &mut self.persons[p]);
                }
                None => new_person(slot, &self.tables, &mut self.rng, None, &mut self.persons[p]),
            }
            self.person_keys[p] = k;
        }
    }

    fn legal_entities(&mut self) {
        for e in 0..self.entities.len() {
            let slot = &self.plan.entities[e];
            let k = slot.key.and_then(|c| self.col_keys[c]);
            match k {
                Some(k) if self.entity_keys[e] == Some(k) => continue,
                Some(k) => {
                    let mut rng = Rng::new(mix(self.seed ^ 0xE000_0000 ^ e as u64, k));
                    let body = self.entity_perm.apply(k);
                    new_entity(slot, Some(k), body, &self.tables, &mut rng, &mut self.entities[e]);
                }
                None => {
                    let body = self.rng.below(ORG_BODIES);
                    new_entity(slot, None, body, &self.tables, &mut self.rng, &mut self.entities[e]);
                }
            }
            self.entity_keys[e] = k;
        }
    }

    /// The row's anchor date: the day most of its events happened, after the main person's birth
    /// and the first entity's founding.
    fn anchor(&mut self) -> i32 {
        let mut lower = days_from_civil(2012, 1, 1);
        if let Some(p) = self.plan.main_person {
            lower = lower.max(self.persons[p].birth);
        }
        if let Some(e) = self.entities.first() {
            lower = lower.max(e.founded);
        }
        self.rng.range(i64::from(lower), i64::from(REFERENCE_DAY)) as i32
    }

    /// Writes column `c`'s value.
    fn write(&mut self, c: usize, anchor: i32, out: &mut String) {
        let col = &self.plan.columns[c];
        let k = self.col_keys[c].filter(|_| col.key.is_some());
        let rng = &mut self.rng;
        match col.source {
            Gen::PersonId(p) => out.push_str(ascii(&self.persons[p].id)),
            Gen::PersonName(p) => out.push_str(&self.persons[p].name),
            Gen::PersonSex(p) => {
                let male = self.persons[p].male;
                out.push_str(match (col.labels, male) {
                    (true, true) => "男",
                    (true, false) => "女",
                    (false, true) => "1",
                    (false, false) => "2",
                });
            }
            Gen::PersonBirth(p) => {
                let birth = self.persons[p].birth;
                let second = if col.ty == DataType::T { rng.below(86_400) as u32 } else { 0 };
                push_day(col, birth, second, out);
            }
            Gen::PersonMobile(p) => out.push_str(ascii(&self.persons[p].mobile)),
            Gen::PersonRegion(p) => out.push_str(region_code(self.persons[p].region)),
            Gen::PersonAddress(p) => values::push_region_address(rng, self.persons[p].region, out),
            Gen::PersonAttr(p, attr) => {
                let (table, index) = person_attr(attr, &self.persons[p], rng);
                push_enum(table, index, col.labels, out);
            }
            Gen::StudentNo(p) => {
                out.push('G');
                out.push_str(ascii(&self.persons[p].id));
            }
            Gen::EntityCode(e) => out.push_str(ascii(&self.entities[e].code)),
            Gen::EntityOrgCode(e) => out.push_str(&ascii(&self.entities[e].code)[8..17]),
            Gen::EntityName(e) => out.push_str(&self.entities[e].name),
            Gen::EntityFounded(e) => {
                let day = self.entities[e].founded;
                push_day(col, day, office_second(rng), out);
            }
            Gen::Enum(table) => {
                let index = match k {
                    Some(k) => (k % table.0.len() as u64) as usize,
                    None => {
                        // 地类编码 and 地类名称 of one row name the same entry.
                        let id = std::ptr::from_ref(table) as usize;
                        match self.picks.iter().find(|p| p.0 == id) {
                            Some(&(_, i)) => i,
                            None => {
                                let i = pick_enum(table, rng);
                                self.picks.push((id, i));
                                i
                            }
                        }
                    }
                };
                push_enum(table, index, col.labels, out);
            }
            Gen::Names(f) => match k {
                Some(k) => {
                    f.write_at(k % f.cap(), out);
                }
                None => f.write_random(rng, self.district, out),
            },
            Gen::Region(set) => {
                let region = match (k, set) {
                    (Some(k), RegionSet::City) => (k % DISTRICTS.len() as u64) as usize,
                    (Some(k), RegionSet::Any) => (k % REGIONS as u64) as usize,
                    (None, RegionSet::Any) if rng.chance(20) => DISTRICTS.len() + self.tables.others.pick(rng),
                    (None, _) if rng.chance(80) => self.district,
                    (None, _) => self.tables.districts.pick(rng),
                };
                out.push_str(region_code(region));
            }
            Gen::Address => {
                let district = if rng.chance(85) { self.district } else { self.tables.districts.pick(rng) };
                values::push_city_address(rng, district, out);
            }
            Gen::Phone => values::push_phone(rng, out),
            Gen::Mobile => {
                let mut m = [0u8; 11];
                values::mobile(rng, &mut m);
                out.push_str(ascii(&m));
            }
            Gen::Code(fmt) => {
                let cap = plan::code_cap(fmt, col.limit);
                let u = match k {
                    Some(k) => self.perms[c].apply(k),
                    None => rng.below(cap),
                };
                push_code(fmt, u, col.limit, self.district, rng, out);
            }
            Gen::Date(kind) => {
                let birth = self.plan.main_person.map(|p| self.persons[p].birth);
                if col.ty == DataType::T {
                    let seconds = match (k, col.key) {
                        (Some(k), _) => i64::from(REFERENCE_DAY) * 86_400 + 82_800 - k as i64 * 3_600,
                        (None, _) => {
                            let day = event_day(kind, anchor, birth, &mut self.cursor, rng);
                            let second = if col.any_hour { rng.below(86_400) as u32 } else { office_second(rng) };
                            i64::from(day) * 86_400 + i64::from(second)
                        }
                    };
                    push_day(col, seconds.div_euclid(86_400) as i32, seconds.rem_euclid(86_400) as u32, out);
                } else {
                    let day = match (k, col.key) {
                        (Some(k), Some(KeyRole::Inner(_))) => REFERENCE_DAY - (k as i32) * 30,
                        (Some(k), _) => REFERENCE_DAY - k as i32,
                        (None, _) => event_day(kind, anchor, birth, &mut self.cursor, rng),
                    };
                    push_day(col, day, office_second(rng), out);
                }
            }
            Gen::YearMonth => {
                let back = k.unwrap_or_else(|| rng.below(36)) as i32;
                let months = 2026 * 12 + 5 - back;
                push_uint(out, (months / 12) as u64, 4);
                push_uint(out, (months % 12 + 1) as u64, 2);
            }
            Gen::Year { built } => {
                let year = match (k, built) {
                    (Some(k), _) => 2026 - k as i64,
                    (None, true) => rng.range(1978, 2022),
                    (None, false) => 2026 - rng.range(0, 4),
                };
                push_uint(out, year as u64, 4);
            }
            Gen::Clock { late } => {
                let minutes = if late { rng.range(21 * 60, 23 * 60 + 30) } else { rng.range(5 * 60 + 30, 7 * 60) };
                let minutes = minutes / 5 * 5;
                push_uint(out, (minutes / 60) as u64, 2);
                out.push(':');
                push_uint(out, (minutes % 60) as u64, 2);
            }
            Gen::Batch => {
                push_uint(out, rng.range(2015, 2026) as u64, 4);
                out.push_str("年第");
                push_uint(out, rng.range(1, 6) as u64, 1);
                out.push('批');
            }
            Gen::Number(spec) => push_number(col, spec, rng, out),
            Gen::Ordinal => {
                let n = match k {
                    Some(k) => k + 1,
                    None => rng.range(1, 30) as u64,
                };
                push_uint(out, n, 1);
            }
            Gen::Bool(share) => {
                let yes = match k {
                    Some(k) => k % 2 == 0,
                    None => rng.chance(share),
                };
                out.push_str(if yes { "是" } else { "否" });
            }
            Gen::Base64 => {
                let mut bytes = [0u8; 18];
                bytes[..9].copy_from_slice(b"%PDF-1.7\n");
                let tail = k.unwrap_or_else(|| rng.next_u64());
                bytes[10..].copy_from_slice(&tail.to_be_bytes());
                push_base64(out, &bytes);
            }
            Gen::Text(kind) => {
                // The basis goes with the row's violation.
                let case = match kind {
                    TextKind::Violation(set) | TextKind::Basis(set) => {
                        let id = 1 + set;
                        match self.picks.iter().find(|p| p.0 == id) {
                            Some(&(_, i)) => i,
                            None => {
                                let i = rng.index(words::VIOLATION_SETS[set].1.len());
                                self.picks.push((id, i));
                                i
                            }
                        }
                    }
                    _ => 0,
                };
                push_text(kind, case, self.district, rng, out);
            }
            Gen::SmallCode => {
                let n = match k {
                    Some(k) => k + 1,
                    None => [1, 1, 1, 2, 2, 3, 3, 4, 5][rng.index(9)],
                };
                push_uint(out, n, if col.limit == Some(1) { 1 } else { 2 });
            }
            Gen::Label => {
                out.push_str(col.name.trim());
                push_uint(out, rng.range(1, 99) as u64, 2);
            }
        }
    }
}

fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// A second of the working day (08:30–17:30), for office events.
fn office_second(rng: &mut Rng) -> u32 {
    rng.range(8 * 3600 + 1800, 17 * 3600 + 1800) as u32
}

/// Writes a date (and, for 日期时间型, a time) in the form the column's type takes.
fn push_day(col: &Column, day: i32, second: u32, out: &mut String) {
    match col.ty {
        DataType::T => {
            push_date(out, day);
            out.push(' ');
            push_clock(out, second);
        }
        DataType::C | DataType::M => match col.limit.unwrap_or(usize::MAX) {
            l if l >= 19 && col.name.ends_with("时间") => {
                push_date(out, day);
                out.push(' ');
                push_clock(out, second);
            }
            l if l >= 10 => push_date(out, day),
            l if l >= 8 => push_compact_date(out, day),
            l if l >= 6 => {
                let (y, m, _) = civil_from_days(day);
                push_uint(out, y as u64, 4);
                push_uint(out, u64::from(m), 2);
            }
            _ => push_uint(out, civil_from_days(day).0 as u64, 4),
        },
        _ => push_date(out, day),
    }
}

/// The day of a date item that is not a key. Events follow one another in column order: each is
/// on or after the `cursor`, the row's latest event so far.
fn event_day(kind: DateKind, anchor: i32, birth: Option<i32>, cursor: &mut i32, rng: &mut Rng) -> i32 {
    match kind {
        DateKind::Event => {
            *cursor = (*cursor + rng.range(0, 20) as i32).min(REFERENCE_DAY);
            *cursor
        }
        DateKind::Updated => {
            let recent = REFERENCE_DAY - rng.range(0, 400) as i32;
            recent.max(*cursor)
        }
        DateKind::ValidFrom => anchor,
        DateKind::ValidTo => {
            let years = [1, 2, 3, 5, 5, 5, 6, 10, 10, 20][rng.index(10)];
            anchor + years * 365 + years / 4 - 1
        }
        DateKind::Future => REFERENCE_DAY + rng.range(1, 800) as i32,
        DateKind::Death => {
            let lower = birth.map_or(days_from_civil(2016, 1, 1), |b| b.max(days_from_civil(2016, 1, 1)));
            let day = rng.range(i64::from(lower.max(*cursor)), i64::from(REFERENCE_DAY)) as i32;
            *cursor = day;
            day
        }
        DateKind::Past => {
            let lower = birth.map_or(days_from_civil(1995, 1, 1), |b| (b + 18 * 365).max(days_from_civil(1995, 1, 1)));
            rng.range(i64::from(lower.min(anchor)), i64::from(anchor)) as i32
        }
    }
}

fn pick_enum(table: &Enumeration, rng: &mut Rng) -> usize {
    let total: u64 = table.0.iter().map(|e| u64::from(e.2)).sum();
    let mut r = rng.below(total.max(1));
    for (i, e) in table.0.iter().enumerate() {
        if r < u64::from(e.2) {
            return i;
        }
        r -= u64::from(e.2);
    }
    0
}

fn push_enum(table: &Enumeration, index: usize, labels: bool, out: &mut String) {
    let (code, label, _) = table.0[index];
    out.push_str(if labels { label } else { code });
}

/// Marital status, education, occupation and military service by age and sex.
fn person_attr(attr: Attr, p: &Person, rng: &mut Rng) -> (&'static Enumeration, usize) {
    let age = 2026 - civil_from_days(p.birth).0;
    let weighted = pick_weighted;
    match attr {
        Attr::Marital => {
            let index = match age {
                ..20 => 0,
                20..=29 => weighted(&[55, 40, 0, 5], rng),
                30..=60 => weighted(&[5, 85, 2, 8], rng),
                _ => weighted(&[2, 75, 20, 3], rng),
            };
            (&words::MARITAL, index)
        }
        Attr::Education => {
            let index = match age {
                ..6 => 7,
                6..=12 => 6,
                13..=15 => 5,
                16..=18 => weighted(&[0, 0, 0, 30, 70, 0, 0, 0], rng),
                19..=22 => weighted(&[0, 40, 30, 0, 30, 0, 0, 0], rng),
                23..=60 => pick_enum(&words::EDUCATION, rng),
                _ => weighted(&[1, 3, 4, 4, 10, 35, 40, 3], rng),
            };
            (&words::EDUCATION, index)
        }
        Attr::Occupation => match age {
            ..6 => (&words::OCCUPATION_STAGE, 0),
            6..=18 => (&words::OCCUPATION_STAGE, 1),
            19..=22 if rng.chance(60) => (&words::OCCUPATION_STAGE, 1),
            60.. if rng.chance(75) => (&words::OCCUPATION_STAGE, 2),
            _ => (&words::OCCUPATION, pick_enum(&words::OCCUPATION, rng)),
        },
        Attr::Relation => {
            let sex = usize::from(!p.male);
            let index = if age < 18 {
                let (child, grandchild) = MINOR_RELATIONS[sex];
                if rng.chance(85) { child } else { grandchild }
            } else {
                // 户主, 配偶, 子/女, 父亲/母亲, 其他.
                let parent = if age >= 50 { 6 } else { 0 };
                match weighted(&[40, 32, 18, parent, 4], rng) {
                    0 => 0,
                    1 => 1,
                    2 => 2 + sex,
                    3 => 4 + sex,
                    _ => 8,
                }
            };
            (&words::RELATION, index)
        }
        Attr::Military => {
            let index = if !p.male || age < 18 {
                usize::from(p.male && rng.chance(2))
            } else {
                pick_enum(&words::MILITARY, rng)
            };
            (&words::MILITARY, index)
        }
    }
}

/// Makes a person for a slot. With `counters`, the 公民身份号码 is unique among the persons
/// made with the same counters.
fn new_person(slot: &PersonSlot, tables: &Tables, rng: &mut Rng, counters: Option<&mut Vec<u16>>, p: &mut Person) {
    let male = slot.male.unwrap_or_else(|| rng.chance(51));
    let segments = slot.profile.segments();
    let mut counters = counters;
    let mut seq = 0u32;
    let (mut birth, mut region) = (0, 0);
    for attempt in 0..1000 {
        let (y0, y1, _) = segments[pick_segment(segments, rng)];
        let first = days_from_civil(y0, 1, 1).max(plan::FIRST_BIRTH_DAY);
        let last = days_from_civil(y1, 12, 31).min(plan::LAST_BIRTH_DAY);
        birth = rng.range(i64::from(first), i64::from(last)) as i32;
        region = if rng.chance(85) { tables.districts.pick(rng) } else { DISTRICTS.len() + tables.others.pick(rng) };
        match counters.as_deref_mut() {
            Some(counters) if !counters.is_empty() => {
                let bucket = (region * BIRTH_DAYS + (birth - plan::FIRST_BIRTH_DAY) as usize) * 2 + usize::from(male);
                let used = counters[bucket];
                if used >= SEQUENCES && attempt < 999 {
                    continue;
                }
                counters[bucket] = used.saturating_add(1);
                let salt = (bucket as u64 * 131) % u64::from(SEQUENCES);
                seq = ((u64::from(used) * 7 + salt) % u64::from(SEQUENCES)) as u32;
            }
            _ => seq = rng.below(u64::from(SEQUENCES)) as u32,
        }
        break;
    }
    p.male = male;
    p.birth = birth;
    p.region = region;
    values::citizen_id(region_code(region), birth, seq * 2 + u32::from(male), &mut p.id);
    p.name.clear();
    p.name.push_str(words::SURNAMES[tables.surnames.pick(rng)].0);
    let given = if male { words::GIVEN_MALE } else { words::GIVEN_FEMALE };
    if rng.chance(25) {
        p.name.push_str(rng.pick(given));
    } else {
        p.name.push_str(if rng.chance(50) { rng.pick(words::GIVEN_FIRST) } else { rng.pick(given) });
        p.name.push_str(rng.pick(given));
    }
    values::mobile(rng, &mut p.mobile);
}

fn pick_segment(segments: &[(i32, i32, u32)], rng: &mut Rng) -> usize {
    let total: u32 = segments.iter().map(|s| s.2).sum();
    let mut r = rng.below(u64::from(total.max(1))) as u32;
    for (i, s) in segments.iter().enumerate() {
        if r < s.2 {
            return i;
        }
        r -= s.2;
    }
    0
}

/// Makes an entity for a slot: `body` indexes the organisation codes, `k` (for an entity whose
/// name is a key) the family's names.
fn new_entity(slot: &EntitySlot, k: Option<u64>, body: u64, tables: &Tables, rng: &mut Rng, e: &mut Entity) {
    let mut district = tables.districts.pick(rng);
    e.name.clear();
    let family = slot.family.unwrap_or(&names::COMPANY);
    match k {
        Some(k) if slot.key_is_name => {
            if let Some(d) = family.write_at(k % family.cap(), &mut e.name) {
                district = d;
            }
        }
        _ => family.write_random(rng, district, &mut e.name),
    }
    e.district = district;
    let region = if rng.chance(50) { "350100" } else { DISTRICTS[district].0 };
    let mut org = [0u8; 8];
    values::org_body(body, &mut org);
    values::credit_code(slot.prefix, region, &org, &mut e.code);
    // More young companies than old ones.
    let span = i64::from(REFERENCE_DAY - days_from_civil(1993, 1, 1));
    let back = span * (rng.below(1000) as i64).pow(2) / 1_000_000;
    e.founded = REFERENCE_DAY - back as i32;
}

/// Writes a number within its range and the item's digit limit.
/// 注册资本 and the like, in yuan: 10万 to 1亿, mostly round.
const ROUND_AMOUNTS: [i64; 12] = [
    100_000, 300_000, 500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000, 5_000_000, 10_000_000, 10_000_000,
    20_000_000, 50_000_000,
];

fn push_number(col: &Column, spec: NumSpec, rng: &mut Rng, out: &mut String) {
    let mut value = if spec.round {
        ROUND_AMOUNTS[rng.index(ROUND_AMOUNTS.len())] * 10i64.pow(spec.decimals)
    } else {
        rng.range(spec.lo, spec.hi)
    };
    let mut decimals = match col.ty {
        DataType::I => 0,
        DataType::Y => spec.decimals.min(4),
        _ => spec.decimals,
    };
    if col.ty == DataType::I && spec.decimals > 0 {
        value /= 10i64.pow(spec.decimals);
    }
    if let Some(limit) = col.digits {
        let limit = limit.max(1);
        while decimals > 0 && digit_count(value.unsigned_abs() / 10u64.pow(decimals)) + decimals > limit {
            value /= 10;
            decimals -= 1;
        }
        let max = 10i64.saturating_pow(limit.min(18)) - 1;
        if decimals == 0 && value.abs() > max {
            value = value.signum() * max;
        }
    }
    if decimals == 0 {
        push_int(out, value);
    } else {
        push_fixed(out, value, decimals);
    }
}

const PLATE_CHARS: &[u8; 34] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
const VIN_CHARS: &[u8; 33] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

/// Writes a code of the given layout; `u` is its running number (unique for keys).
fn push_code(fmt: CodeFmt, u: u64, limit: Option<usize>, district: usize, rng: &mut Rng, out: &mut String) {
    let l = limit.unwrap_or(50);
    let year = |rng: &mut Rng| rng.range(2016, 2026) as u64;
    let region = DISTRICTS[district].0;
    match fmt {
        CodeFmt::Generic => {
            let digits = plan::generic_code_digits(l) as usize;
            if l >= 18 {
                out.push_str(region);
                push_uint(out, year(rng), 4);
            } else if l >= 12 {
                push_uint(out, year(rng), 4);
            }
            push_uint(out, u, digits);
        }
        CodeFmt::Digits(n) => push_uint(out, u, n as usize),
        CodeFmt::Plate => {
            out.push_str("闽A");
            let mut n = u;
            let mut chars = [0u8; 5];
            for c in chars.iter_mut().rev() {
                *c = PLATE_CHARS[(n % 34) as usize];
                n /= 34;
            }
            out.push_str(ascii(&chars));
        }
        CodeFmt::Project => {
            push_uint(out, year(rng), 4);
            out.push('-');
            out.push_str(region);
            out.push('-');
            out.push_str(["47", "48", "70", "78", "54", "44"][rng.index(6)]);
            out.push('-');
            push_uint(out, rng.range(1, 3) as u64, 2);
            out.push('-');
            push_uint(out, u, 6);
        }
        CodeFmt::DocNo(prefix) => {
            out.push_str(prefix);
            out.push('〔');
            push_uint(out, year(rng), 4);
            out.push('〕');
            push_uint(out, u + 1, 1);
            out.push('号');
        }
        CodeFmt::MarriageCert => {
            out.push('J');
            out.push_str(region);
            out.push('-');
            push_uint(out, year(rng), 4);
            out.push('-');
            push_uint(out, u, 6);
        }
        CodeFmt::Vin => {
            let mut vin = [0u8; 17];
            let wmi = ["LGB", "LFV", "LSV", "LVS", "LHG", "LBV", "LGX"][rng.index(7)];
            vin[..3].copy_from_slice(wmi.as_bytes());
            for c in &mut vin[3..8] {
                *c = VIN_CHARS[rng.index(33)];
            }
            vin[9] = b"GHJKLMNPRS"[rng.index(10)];
            vin[10] = VIN_CHARS[(u / 1_000_000 % 33) as usize];
            let mut serial = u % 1_000_000;
            for c in vin[11..].iter_mut().rev() {
                *c = b'0' + (serial % 10) as u8;
                serial /= 10;
            }
            vin[8] = vin_check(&vin);
            out.push_str(ascii(&vin));
        }
        CodeFmt::BankCard => {
            let start = out.len();
            out.push_str(["622202", "621700", "622848", "622588", "621483", "622908"][rng.index(6)]);
            push_uint(out, u % 1_000_000_000_000, 12);
            let check = luhn_digit(&out[start..]);
            out.push(check);
        }
        CodeFmt::PropertyCert => {
            out.push_str("闽（");
            push_uint(out, year(rng), 4);
            out.push_str("）示例市不动产权第");
            push_uint(out, u, 7);
            out.push('号');
        }
        CodeFmt::PropertyUnit => {
            out.push_str(region);
            push_uint(out, rng.range(1, 20) as u64, 3);
            push_uint(out, rng.range(1, 30) as u64, 3);
            out.push_str("GB");
            push_uint(out, u % 100_000, 5);
            out.push('F');
            push_uint(out, 1, 4);
            push_uint(out, u / 100_000 % 10_000, 4);
        }
        CodeFmt::Community => {
            let district = (u % DISTRICTS.len() as u64) as usize;
            out.push_str(DISTRICTS[district].0);
            push_uint(out, u / 12 % 15 + 1, 3);
            push_uint(out, u / 180 % 30 + 1, 3);
        }
        CodeFmt::SchoolId => {
            out.push_str("113");
            push_uint(out, u, 7);
        }
        CodeFmt::MedicalInstitution => {
            out.push('H');
            out.push_str(region);
            push_uint(out, u, 5);
        }
        CodeFmt::FoodLicence => {
            out.push_str("JY1");
            out.push_str(region);
            push_uint(out, u, 7);
        }
        CodeFmt::Icd => out.push_str(plan::ICD_CODES[(u % plan::ICD_CODES.len() as u64) as usize]),
        CodeFmt::ResourceCode => {
            out.push_str(
                ["101001", "101002", "102001", "103001", "104001", "201001", "205002", "307001", "307003"]
                    [rng.index(9)],
            );
            out.push('/');
            push_uint(out, u % 1_000 + 1, 6);
        }
    }
}

/// The check digit (position 9) of a vehicle identification number (GB 16735).
fn vin_check(vin: &[u8; 17]) -> u8 {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let value = |c: u8| -> u32 {
        match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'H' => u32::from(c - b'A') + 1,
            b'J'..=b'N' => u32::from(c - b'J') + 1,
            b'P' => 7,
            b'R' => 9,
            b'S'..=b'Z' => u32::from(c - b'S') + 2,
            _ => 0,
        }
    };
    let sum: u32 = vin.iter().zip(WEIGHTS).map(|(&c, w)| value(c) * w).sum();
    match sum % 11 {
        10 => b'X',
        d => b'0' + d as u8,
    }
}

/// The Luhn check digit to append to `digits`.
fn luhn_digit(digits: &str) -> char {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// Writes free text of a kind; `case` is the row's violation, `district` the row's district.
fn push_text(kind: TextKind, case: usize, district: usize, rng: &mut Rng, out: &mut String) {
    use words::*;
    match kind {
        TextKind::Scope => {
            let n = rng.range(2, 4) as usize;
            let start = rng.index(BUSINESS_SCOPES.len());
            for j in 0..n {
                if j > 0 {
                    out.push('；');
                }
                out.push_str(BUSINESS_SCOPES[(start + j * 3) % BUSINESS_SCOPES.len()]);
            }
            if rng.chance(50) {
                out.push_str(SCOPE_NOTE);
            }
        }
        TextKind::Violation(set) => out.push_str(VIOLATION_SETS[set].1[case].0),
        TextKind::Basis(set) => {
            out.push_str("依据");
            out.push_str(VIOLATION_SETS[set].1[case].1);
            out.push_str("的规定");
        }
        TextKind::Policy => {
            push_uint(out, rng.range(2019, 2026) as u64, 4);
            out.push_str("年享受");
            out.push_str(rng.pick(SUBSIDY_ITEMS));
            if rng.chance(40) {
                out.push('；');
                push_uint(out, rng.range(2019, 2026) as u64, 4);
                out.push_str("年享受");
                out.push_str(rng.pick(SUBSIDY_ITEMS));
            }
        }
        TextKind::Complaint => {
            out.push_str(DISTRICTS[district].1);
            out.push_str(rng.pick(ROADS));
            out.push_str(rng.pick(COMPLAINTS));
        }
        TextKind::Handling => out.push_str(rng.pick(HANDLING)),
        TextKind::Measures => {
            out.push_str(rng.pick(MEASURES));
            if rng.chance(50) {
                out.push('；');
                out.push_str(rng.pick(MEASURES));
            }
        }
        TextKind::Construction => {
            out.push_str("总用地面积约");
            push_uint(out, rng.range(2, 300) as u64 * 100, 1);
            out.push_str("平方米，总建筑面积约");
            push_uint(out, rng.range(5, 900) as u64 * 100, 1);
            out.push_str("平方米，主要建设主体工程及道路、绿化、给排水等配套设施");
        }
        TextKind::Protection => {
            for (i, side) in ["东至", "南至", "西至", "北至"].iter().enumerate() {
                if i > 0 {
                    out.push('，');
                }
                out.push_str(side);
                out.push_str(rng.pick(ROADS));
            }
        }
        TextKind::Medical => out.push_str(
            ["低盐低脂饮食，规律服药，定期复查", "注意休息，多饮水，如有不适及时就诊", "遵医嘱按时服药，一周后复诊"]
                [rng.index(3)],
        ),
        TextKind::Address => values::push_city_address(rng, district, out),
        TextKind::Fee => out.push_str(
            ["首小时5元，之后每小时2元", "每平方米每月25元", "按政府指导价执行", "免费", "每次10元"][rng.index(5)],
        ),
        TextKind::Hours => {
            out.push_str(["09:00—17:00（周一闭馆）", "08:30—17:30", "全天开放", "09:00—21:00"][rng.index(4)])
        }
        TextKind::Districts => {
            let first = rng.index(DISTRICTS.len());
            let n = rng.range(1, 3) as usize;
            for j in 0..n {
                if j > 0 {
                    out.push('、');
                }
                out.push_str(DISTRICTS[(first + j * 5) % DISTRICTS.len()].1);
            }
        }
        TextKind::Reach => {
            out.push_str(rng.pick(RIVERS));
            out.push_str(rng.pick(PLACES));
            out.push('至');
            out.push_str(rng.pick(PLACES));
            out.push('段');
        }
        TextKind::Generic => out.push_str(["无", "详见附件", "按规定办理", "情况属实", "已核实"][rng.index(5)]),
    }
}
