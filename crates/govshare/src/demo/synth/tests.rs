//! The generated rows pass the platform's own row checks, for every structured resource of the
//! demo city, and the generator is deterministic.

use std::collections::HashSet;

use chrono::NaiveDate;
use data::input::{InputFormat, InputOptions, RowReader};
use data::rows::{CheckOptions, RowChecker};
use domain::catalog::{DataItem, FormatClass, ResourceSpec};
use domain::identifiers::check_citizen_id;

use super::*;
use crate::demo::city;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// Writes `rows` rows to a temporary CSV file (planned for the whole entry when `spec` is given),
/// reads them back with the upload reader and checks them; returns (accepted rows, the first
/// rejections as text).
fn check_with(items: &[DataItem], spec: Option<&ResourceSpec>, rows: u64, seed: u64) -> (u64, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.csv");
    let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    match spec {
        Some(spec) => write_resource_csv(spec, rows, seed, file).unwrap(),
        None => write_csv(items, rows, seed, file).unwrap(),
    }
    let reader = RowReader::open(&path, &InputOptions::new(InputFormat::Csv)).unwrap();
    let mut checker = RowChecker::new(items, reader.header(), CheckOptions::new(today())).unwrap();
    let mut problems = Vec::new();
    for row in reader {
        let row = row.unwrap_or_else(|e| panic!("unreadable row: {e}"));
        let cells: Vec<&str> = row.cells.iter().map(|c| c.as_deref().unwrap_or_default()).collect();
        for r in checker.push(row.number, &cells) {
            if problems.len() < 10 {
                problems.push(format!("row {} {:?} {}: {} ({:?})", r.row, r.column, r.code, r.reason, r.value));
            }
        }
    }
    (checker.accepted(), problems)
}

fn check(items: &[DataItem], rows: u64, seed: u64) -> (u64, Vec<String>) {
    check_with(items, None, rows, seed)
}

fn structured() -> Vec<city::DemoResource> {
    city::resources()
        .into_iter()
        .filter(|r| matches!(r.spec.format.class, FormatClass::Database | FormatClass::Spreadsheet))
        .collect()
}

#[test]
fn every_structured_demo_resource_passes_the_row_checks() {
    let resources = structured();
    assert!(resources.len() > 100, "{}", resources.len());
    let mut failures = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        let items = &r.spec.data_items;
        // As the demo publishes it (knowing the entry), and from the items alone.
        for spec in [Some(&r.spec), None] {
            let cap = match spec {
                Some(spec) => resource_capacity(spec, 2_000),
                None => Synth::new(items, 0, 2_000).capacity(),
            };
            if cap < 2_000 {
                failures.push(format!("{}: the key has room for {cap} rows only", r.spec.name));
                continue;
            }
            let (accepted, problems) = check_with(items, spec, 2_000, i as u64);
            if accepted != 2_000 || !problems.is_empty() {
                failures.push(format!("{}: {accepted} accepted\n    {}", r.spec.name, problems.join("\n    ")));
            }
        }
    }
    assert!(failures.is_empty(), "{} resources fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn population_rows_pass_and_agree_with_the_citizen_id() {
    let items = population_items();
    assert_eq!(items.len(), 20);
    let (accepted, problems) = check(&items, 5_000, 11);
    assert_eq!(accepted, 5_000, "{problems:#?}");

    let mut synth = Synth::new(&items, 11, 20_000);
    let col = |name: &str| items.iter().position(|i| i.name == name).unwrap();
    let (id_c, sex_c, birth_c, region_c, nation_c) =
        (col("公民身份号码"), col("性别"), col("出生日期"), col("户籍地行政区划代码"), col("民族"));
    let mut ids = HashSet::new();
    let mut han = 0;
    let mut city_born = 0;
    for _ in 0..20_000 {
        let row = synth.next_row();
        let id = check_citizen_id(&row[id_c], today()).unwrap();
        assert!(ids.insert(row[id_c].clone()), "duplicate {}", row[id_c]);
        assert_eq!(row[sex_c], if id.is_male() { "男" } else { "女" });
        assert_eq!(row[birth_c], id.birth_date().format("%Y-%m-%d").to_string());
        assert_eq!(row[region_c], id.region_code());
        han += usize::from(row[nation_c] == "汉族");
        city_born += usize::from(id.region_code().starts_with("3501"));
    }
    assert!(han > 18_000, "{han}");
    assert!((15_000..19_500).contains(&city_born), "{city_born}");
}

#[test]
fn optional_items_are_sometimes_empty_and_required_ones_never() {
    let items = population_items();
    let mut synth = Synth::new(&items, 3, 10_000);
    let mut empty = vec![0u32; items.len()];
    for _ in 0..10_000 {
        for (c, v) in synth.next_row().iter().enumerate() {
            empty[c] += u32::from(v.is_empty());
        }
    }
    for (item, n) in items.iter().zip(empty) {
        if item.required {
            assert_eq!(n, 0, "{}", item.name);
        } else {
            assert!((300..800).contains(&n), "{}: {n} empty of 10000", item.name);
        }
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let bytes = |items: &[DataItem], seed| {
        let mut out = Vec::new();
        write_csv(items, 1_000, seed, &mut out).unwrap();
        out
    };
    let population = population_items();
    assert_eq!(bytes(&population, 7), bytes(&population, 7));
    assert_ne!(bytes(&population, 7), bytes(&population, 8));
    for r in structured().iter().take(20) {
        let items = &r.spec.data_items;
        assert_eq!(bytes(items, 1), bytes(items, 1), "{}", r.spec.name);
        assert_ne!(bytes(items, 1), bytes(items, 2), "{}", r.spec.name);
    }
}

#[test]
fn composite_keys_are_unique_and_grouped() {
    // A person's monthly records: persons repeat, each with twelve distinct months.
    let r = structured()
        .into_iter()
        .find(|r| {
            let keys: Vec<&str> = r.spec.data_items.iter().filter(|i| i.is_key).map(|i| i.name.as_str()).collect();
            keys == ["公民身份号码", "发放年月"]
        })
        .expect("a resource keyed by person and month");
    let items = &r.spec.data_items;
    let mut synth = Synth::new(items, 5, 1_200);
    let id = items.iter().position(|i| i.name == "公民身份号码").unwrap();
    let month = items.iter().position(|i| i.name == "发放年月").unwrap();
    let mut keys = HashSet::new();
    let mut people = HashSet::new();
    for _ in 0..1_200 {
        let row = synth.next_row();
        assert!(keys.insert((row[id].clone(), row[month].clone())));
        people.insert(row[id].clone());
    }
    assert_eq!(people.len(), 100);
}

#[test]
fn too_many_rows_for_a_key_is_an_error() {
    let mut item = DataItem::new("性别", domain::catalog::DataType::C, Some(1));
    item.is_key = true;
    item.required = true;
    let err = write_csv(&[item], 100, 1, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}
