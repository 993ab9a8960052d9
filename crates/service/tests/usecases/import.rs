//! Catalogue import through the service: parsed rows (from `interchange`) meet the domain rules
//! and the store. A file with errors imports nothing unless the caller asks for the valid rows.

use domain::catalog::{ResourceStatus, ShareType};
use interchange::{Entry, ImportOutcome};
use service::interchange_io::{self, ImportMode, ImportReport};
use service::{ServiceError, catalog};
use store::model::ResourceFilter;

use crate::world::*;

fn new_entry(spec: domain::catalog::ResourceSpec) -> Entry {
    Entry { code: None, status: None, spec }
}

fn json(entries: &[Entry]) -> ImportOutcome {
    let parsed = interchange::import_json(&interchange::export_json(entries));
    assert!(parsed.is_clean(), "{:?}", parsed.errors);
    parsed
}

/// Three rows; the second declares 不予共享 without its legal basis.
fn one_bad_row() -> Vec<Entry> {
    let mut bad = spec("不予共享但无依据", CAT_A);
    bad.share_type = ShareType::NotShared;
    bad.share_methods = vec![];
    vec![new_entry(spec("导入资源一", CAT_A)), new_entry(bad), new_entry(spec("导入资源三", CAT_A))]
}

fn error_rows(r: &ImportReport) -> Vec<(usize, String)> {
    r.errors.iter().map(|e| (e.row, e.field.clone())).collect()
}

#[tokio::test]
async fn all_or_nothing_writes_nothing_when_a_row_is_bad() {
    let w = World::new().await;
    let before = w.snapshot().await;
    let report = interchange_io::import(&w.svc, &w.editor_a, None, json(&one_bad_row()), ImportMode::AllOrNothing)
        .await
        .unwrap();
    assert_eq!(report.rows, 3);
    assert!(!report.committed);
    assert!(report.imported.is_empty());
    assert_eq!(error_rows(&report), [(2, "share_basis".to_string())]);
    assert_eq!(report.errors[0].sheet, "JSON");
    assert_eq!(w.snapshot().await, before);
    // Nor did it use up code numbers.
    assert_eq!(catalog::create(&w.svc, &w.editor_a, None, spec("之后", CAT_A)).await.unwrap().code, "307001/000001");
}

#[tokio::test]
async fn valid_rows_only_writes_the_good_rows() {
    let w = World::new().await;
    let report = interchange_io::import(&w.svc, &w.editor_a, None, json(&one_bad_row()), ImportMode::ValidRowsOnly)
        .await
        .unwrap();
    assert!(report.committed);
    assert_eq!(error_rows(&report), [(2, "share_basis".to_string())]);
    let done: Vec<(usize, &str, &str)> = report.imported.iter().map(|i| (i.row, i.code.as_str(), i.action)).collect();
    assert_eq!(done, [(1, "307001/000001", "created"), (3, "307001/000002", "created")]);
    for i in &report.imported {
        let r = w.resource(i.id).await;
        assert_eq!((r.department_id, r.status, r.version), (w.a.id, ResourceStatus::Draft, 1));
        assert_eq!(r.spec.provider_name, "示例市公安局");
        let h = w.history(i.id).await;
        assert_eq!((h[0].change.action.as_str(), h[0].change.user_id), ("import", w.editor_a.user_id));
    }
    assert_eq!(w.all_resources().await.len(), 2);
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    let w = World::new().await;
    let before = w.snapshot().await;
    let entries = vec![new_entry(spec("试导入一", CAT_A)), new_entry(spec("试导入二", CAT_B))];
    let report = interchange_io::import(&w.svc, &w.editor_a, None, json(&entries), ImportMode::DryRun).await.unwrap();
    assert_eq!((report.rows, report.committed), (2, false));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.imported.is_empty());
    assert_eq!(w.snapshot().await, before);
    // A dry run still reports every problem.
    let report =
        interchange_io::import(&w.svc, &w.editor_a, None, json(&one_bad_row()), ImportMode::DryRun).await.unwrap();
    assert_eq!(error_rows(&report), [(2, "share_basis".to_string())]);
    assert_eq!(w.snapshot().await, before);
}

#[tokio::test]
async fn rows_of_another_department_are_refused() {
    let w = World::new().await;
    let svc = &w.svc;
    let b_published = w.published(&w.editor_b, &w.approver_b, spec("民政资源", CAT_B)).await;
    let before = w.snapshot().await;

    // Rows naming B as the provider, by credit code or by local code.
    let mut by_credit = spec("冒名一", CAT_A);
    by_credit.provider_code = w.b.spec.credit_code.clone().unwrap();
    let mut by_local = spec("冒名二", CAT_A);
    by_local.provider_code = w.b.spec.local_code.clone().unwrap();
    // A row carrying B's code, as if to overwrite B's entry.
    let mut theirs = b_published.spec.clone();
    theirs.summary = "被A导入覆盖".into();
    theirs.provider_code = String::new();
    let overwrite = Entry { code: Some(b_published.code.clone()), status: None, spec: theirs };
    // A row with a code that does not exist.
    let ghost = Entry { code: Some("307001/999999".into()), status: None, spec: spec("幽灵", CAT_A) };
    let parsed = json(&[new_entry(by_credit), new_entry(by_local), overwrite, ghost]);
    for mode in [ImportMode::AllOrNothing, ImportMode::ValidRowsOnly] {
        let report = interchange_io::import(svc, &w.editor_a, None, parsed.clone(), mode).await.unwrap();
        assert_eq!(
            error_rows(&report),
            [(1, "provider_code".into()), (2, "provider_code".into()), (3, "code".into()), (4, "code".into())],
            "{mode:?}"
        );
        assert!(report.imported.is_empty());
        assert_eq!(w.snapshot().await, before, "{mode:?}");
    }
    // A's own local code is A's.
    let mut by_own_local = spec("本部门本地代码", CAT_A);
    by_own_local.provider_code = w.a.spec.local_code.clone().unwrap();
    let report =
        interchange_io::import(svc, &w.editor_a, None, json(&[new_entry(by_own_local)]), ImportMode::AllOrNothing)
            .await
            .unwrap();
    assert!(report.committed && report.errors.is_empty(), "{:?}", report.errors);
    let r = w.resource(report.imported[0].id).await;
    assert_eq!(Some(r.spec.provider_code), w.a.spec.credit_code);

    // Importing into B's catalogue, or without an editor role, is forbidden outright.
    let e = interchange_io::import(
        svc,
        &w.editor_a,
        Some(w.b.id),
        json(&[new_entry(spec("x", CAT_B))]),
        ImportMode::ValidRowsOnly,
    )
    .await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "{e:?}");
    let e = interchange_io::import(
        svc,
        &w.consumer_a,
        None,
        json(&[new_entry(spec("x", CAT_A))]),
        ImportMode::ValidRowsOnly,
    )
    .await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "{e:?}");
}

#[tokio::test]
async fn a_row_with_an_existing_code_revises_that_entry() {
    let w = World::new().await;
    let svc = &w.svc;
    let p = w.published(&w.editor_a, &w.approver_a, spec("出租房屋信息", CAT_A)).await;
    let d = catalog::create(svc, &w.editor_a, None, spec("流动人口信息", CAT_A)).await.unwrap();
    w.published(&w.editor_b, &w.approver_b, spec("B的资源", CAT_B)).await;

    // Export what A has, change it, import it back.
    let mut entries = interchange_io::export_entries(
        svc,
        &w.editor_a,
        ResourceFilter { department_id: Some(w.a.id), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(entries.iter().map(|e| e.code.clone().unwrap()).collect::<Vec<_>>(), [p.code.clone(), d.code.clone()]);
    assert_eq!(entries[0].status.as_deref(), Some("已发布"));
    entries[0].spec.summary = "出租房屋信息（导入修订）".into();
    entries[0].spec.data_items[0].length = Some(150);
    entries[1].spec.summary = "流动人口信息（导入修订）".into();
    w.at(cst(2026, 3, 5, 10, 0));
    let report =
        interchange_io::import(svc, &w.editor_a, None, json(&entries), ImportMode::AllOrNothing).await.unwrap();
    assert!(report.committed && report.errors.is_empty(), "{:?}", report.errors);
    let done: Vec<(usize, i64, &str, &str)> =
        report.imported.iter().map(|i| (i.row, i.id, i.code.as_str(), i.action)).collect();
    assert_eq!(done, [(1, p.id, p.code.as_str(), "updated"), (2, d.id, d.code.as_str(), "updated")]);

    let p2 = w.resource(p.id).await;
    assert_eq!((p2.version, p2.status, p2.code.as_str()), (4, ResourceStatus::Published, p.code.as_str()));
    assert_eq!(p2.spec.summary, "出租房屋信息（导入修订）");
    assert_eq!(p2.spec.publish_date, p.spec.publish_date, "发布日期 kept through the revision");
    let last = w.history(p.id).await.pop().unwrap();
    assert_eq!((last.change.action.as_str(), last.change.user_id), ("import", w.editor_a.user_id));
    let changed: Vec<&str> = last.diff.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(changed, ["data_items[名称].length", "summary"]);
    let d2 = w.resource(d.id).await;
    assert_eq!((d2.version, d2.status), (2, ResourceStatus::Draft));
    assert_eq!(w.all_resources().await.len(), 3, "no new entry");

    // An entry waiting for review cannot be overwritten by an import.
    catalog::submit(svc, &w.editor_a, &d.code).await.unwrap();
    let mut again = entries[1].clone();
    again.spec.summary = "审核中被导入覆盖".into();
    let report =
        interchange_io::import(svc, &w.editor_a, None, json(&[again]), ImportMode::ValidRowsOnly).await.unwrap();
    assert_eq!(error_rows(&report), [(1, "status".to_string())]);
    assert_eq!(w.resource(d.id).await.version, 3);
}

#[tokio::test]
async fn a_hand_written_csv_imports_with_sheet_rows() {
    let w = World::new().await;
    let a_code = w.a.spec.credit_code.clone().unwrap();
    let b_code = w.b.spec.credit_code.clone().unwrap();
    let csv = format!(
        "序号,信息资源分类,信息资源名称,信息资源提供方代码,信息资源摘要,格式分类,共享类型,共享方式,开放类型,更新周期\r\n\
         1,307001,户籍人口统计表,{a_code},按季度统计的户籍人口数,电子文件,无条件共享,批量下载,不予开放,每季度\r\n\
         2,307001,冒名资源,{b_code},其他部门的资源,电子文件,无条件共享,接口,不予开放,每月\r\n"
    );
    let parsed = interchange::import_csv(csv.as_bytes(), None);
    assert!(parsed.is_clean(), "{:?}", parsed.errors);
    let report =
        interchange_io::import(&w.svc, &w.editor_a, None, parsed.clone(), ImportMode::AllOrNothing).await.unwrap();
    assert!(!report.committed);
    assert_eq!(error_rows(&report), [(3, "provider_code".to_string())]);
    assert_eq!(report.errors[0].sheet, "信息资源");
    assert!(w.all_resources().await.is_empty());

    let report = interchange_io::import(&w.svc, &w.editor_a, None, parsed, ImportMode::ValidRowsOnly).await.unwrap();
    assert_eq!(report.imported.len(), 1);
    assert_eq!((report.imported[0].row, report.imported[0].code.as_str()), (2, "307001/000001"));
    let r = w.resource(report.imported[0].id).await;
    assert_eq!(r.spec.name, "户籍人口统计表");
    assert_eq!(r.spec.provider_code, a_code);
    assert_eq!(r.spec.provider_name, "示例市公安局", "the provider name is filled in from the department");
}

/// "A file with errors imports nothing unless the caller asks for the valid rows only": two rows
/// revising the same entry must not leave the first written and the second failed.
#[tokio::test]
async fn all_or_nothing_is_all_or_nothing_when_two_rows_name_the_same_entry() {
    let w = World::new().await;
    let svc = &w.svc;
    let d = catalog::create(svc, &w.editor_a, None, spec("重复行资源", CAT_A)).await.unwrap();
    let mut first = d.spec.clone();
    first.summary = "第一行的摘要".into();
    let mut second = d.spec.clone();
    second.summary = "第二行的摘要".into();
    let rows = [
        Entry { code: Some(d.code.clone()), status: None, spec: first },
        Entry { code: Some(d.code.clone()), status: None, spec: second },
    ];
    let report = interchange_io::import(svc, &w.editor_a, None, json(&rows), ImportMode::AllOrNothing).await.unwrap();
    let now = w.resource(d.id).await;
    if report.errors.is_empty() {
        assert!(report.committed);
        assert_eq!(now.spec.summary, "第二行的摘要");
    } else {
        assert!(
            !report.committed && now.version == 1,
            "errors {:?} reported, yet committed = {} and the entry went from version 1 to {} (summary “{}”)",
            report.errors.iter().map(|e| (e.row, e.message.clone())).collect::<Vec<_>>(),
            report.committed,
            now.version,
            now.spec.summary
        );
    }
}
