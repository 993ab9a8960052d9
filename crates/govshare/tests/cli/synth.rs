//! `govshare synth` writes synthetic data: the population table without any data directory,
//! deterministic from the seed, every 公民身份号码 valid.

use chrono::NaiveDate;
use domain::identifiers::check_citizen_id;

use super::bin;

#[test]
fn synth_writes_the_population_table() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, seed: &str| {
        let out = dir.path().join(name);
        let done = bin()
            .args(["synth", "--table", "population", "--rows", "1000", "--seed", seed, "--out"])
            .arg(&out)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        assert!(
            String::from_utf8_lossy(&done.stdout).contains("已生成1000行"),
            "{}",
            String::from_utf8_lossy(&done.stdout)
        );
        std::fs::read(out).unwrap()
    };
    let bytes = run("a.csv", "5");
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert_eq!(text.lines().count(), 1001, "a header and 1000 rows");

    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header.len(), 20);
    assert_eq!(header[0], "公民身份号码");
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(record.len(), 20);
        check_citizen_id(&record[0], today).unwrap_or_else(|e| panic!("{}: {e}", &record[0]));
        rows += 1;
    }
    assert_eq!(rows, 1000);
    // No data directory was needed for the population table.
    assert!(!dir.path().join("govshare-data").exists());

    assert_eq!(run("b.csv", "5"), bytes, "the same seed gives the same file");
    assert_ne!(run("c.csv", "6"), bytes, "another seed gives another file");
}

#[test]
fn synth_needs_a_catalogue_for_a_resource_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["synth", "--table", "101002/000001", "--rows", "10", "--out"])
        .arg(dir.path().join("x.csv"))
        .arg("--data")
        .arg(dir.path().join("empty"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("101002/000001"), "{}", String::from_utf8_lossy(&out.stderr));
}
