//! Tests of the whole crate: round trips through every format, hand-written files with errors,
//! broken files, and the mapping from field paths to cells.

use chrono::NaiveDate;
use domain::catalog::{
    CategoryCode, DataItem, DataType, Format, FormatClass, IdentifierKind, OpenType, ResourceCode, ResourceSpec,
    ShareMethod, ShareType, UpdateCycle, ValidationContext, validate_resource,
};
use domain::identifiers::credit_code_check_char;

use super::*;

fn credit_code(first17: &str) -> String {
    let check = credit_code_check_char(first17).map(String::from).unwrap_or_default();
    format!("{first17}{check}")
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn cat(s: &str) -> CategoryCode {
    CategoryCode::parse(s).expect("category in fixture")
}

fn rc(s: &str) -> ResourceCode {
    ResourceCode::parse(s).expect("code in fixture")
}

/// A database resource with several items, some overriding the resource's share and open
/// attributes.
fn population() -> Entry {
    let mut id = DataItem::new("公民身份号码", DataType::C, Some(18));
    id.is_key = true;
    id.required = true;
    id.base_item = true;
    id.identifier = Some(IdentifierKind::CitizenId);
    id.description = Some("18位公民身份号码，末位校验码可为X".into());
    let mut name = DataItem::new("姓名", DataType::C, Some(50));
    name.required = true;
    name.base_item = true;
    let birth = DataItem::new("出生日期", DataType::D, None);
    let mut address = DataItem::new("户籍地址", DataType::C, Some(200));
    address.share_type = Some(ShareType::Conditional);
    address.share_condition = Some("仅向公安、民政、人社部门共享，用于身份核验".into());
    address.open_type = Some(OpenType::NotOpen);
    let mut photo = DataItem::new("照片", DataType::G, None);
    photo.share_type = Some(ShareType::NotShared);
    photo.share_basis = Some("《中华人民共和国居民身份证法》第六条".into());
    let mut updated = DataItem::new("更新时间", DataType::T, None);
    updated.open_type = Some(OpenType::Conditional);
    updated.open_condition = Some("仅开放统计口径".into());
    Entry {
        code: Some("101001/000001".into()),
        status: Some("已发布".into()),
        spec: ResourceSpec {
            category: cat("101001"),
            name: "人口基本信息".into(),
            provider_name: "某市公安局".into(),
            provider_code: credit_code("11330100002482012"),
            provider_division: Some("户政管理处".into()),
            summary: "全市户籍人口的基本信息，包括公民身份号码、姓名、出生日期、户籍地址。\n按日更新。".into(),
            format: Format { class: FormatClass::Database, subtype: Some("Dm".into()), other_desc: None },
            data_items: vec![id, name, birth, address, photo, updated],
            share_type: ShareType::Unconditional,
            share_condition: None,
            share_basis: None,
            share_methods: vec![ShareMethod::Api, ShareMethod::Exchange, ShareMethod::Verification],
            open_type: OpenType::NotOpen,
            open_condition: None,
            update_cycle: UpdateCycle::Daily,
            publish_date: date(2024, 3, 15),
            related_codes: vec![rc("307001A1/000012"), rc("101002/000003")],
            classified: false,
            tags: vec!["人口".into(), "户籍".into()],
            collection_decisions: Vec::new(),
        },
    }
}

/// A resource that is not shared, with its legal basis; a spreadsheet with two items.
fn case_files() -> Entry {
    let mut no = DataItem::new("案件编号", DataType::C, Some(32));
    no.is_key = true;
    let amount = DataItem::new("涉案金额", DataType::Y, Some(19));
    Entry {
        code: Some("307001/000042".into()),
        status: Some("待审核".into()),
        spec: ResourceSpec {
            category: cat("307001"),
            name: "涉密案件线索台账".into(),
            provider_name: "某市公安局".into(),
            provider_code: credit_code("11330100002482012"),
            provider_division: None,
            summary: "案件线索登记台账，含\"线索来源\"、办理进度，逗号,分号;均为正文".into(),
            format: Format { class: FormatClass::Spreadsheet, subtype: Some("xlsx".into()), other_desc: None },
            data_items: vec![no, amount],
            share_type: ShareType::NotShared,
            share_condition: None,
            share_basis: Some("《中华人民共和国保守国家秘密法》第二十八条；《公安机关办理刑事案件程序规定》".into()),
            share_methods: vec![],
            open_type: OpenType::NotOpen,
            open_condition: None,
            update_cycle: UpdateCycle::Monthly,
            publish_date: None,
            related_codes: vec![],
            classified: true,
            tags: vec![],
            collection_decisions: Vec::new(),
        },
    }
}

/// A document resource with no items, shared and opened on conditions.
fn policy_documents() -> Entry {
    Entry {
        code: None,
        status: None,
        spec: ResourceSpec {
            category: cat("201001"),
            name: "公共服务政策文件汇编".into(),
            provider_name: "某市政务服务管理办公室".into(),
            provider_code: "ZWB-0571".into(),
            provider_division: Some("政策法规处".into()),
            summary: "本市公共服务领域现行有效的政策文件全文".into(),
            format: Format { class: FormatClass::ElectronicFile, subtype: Some("pdf".into()), other_desc: None },
            data_items: vec![],
            share_type: ShareType::Conditional,
            share_condition: Some("政务部门因履职需要可申请".into()),
            share_basis: None,
            share_methods: vec![ShareMethod::BulkDownload, ShareMethod::OnlineQuery],
            open_type: OpenType::Conditional,
            open_condition: Some("登记后下载".into()),
            update_cycle: UpdateCycle::Irregular,
            publish_date: date(2023, 12, 1),
            related_codes: vec![],
            classified: false,
            tags: vec!["政策".into()],
            collection_decisions: Vec::new(),
        },
    }
}

fn entries() -> Vec<Entry> {
    vec![population(), case_files(), policy_documents()]
}

fn is_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn assert_round_trip(outcome: &ImportOutcome, spreadsheet: bool) {
    assert!(outcome.is_clean(), "{:#?}", outcome.errors);
    let want = entries();
    assert_eq!(outcome.rows.len(), want.len());
    for (got, want) in outcome.rows.iter().zip(&want) {
        assert_eq!(got.spec.as_ref(), Some(&want.spec), "row {}", got.sheet_row);
        assert_eq!(got.code, want.code);
    }
    let first = if spreadsheet { 2 } else { 1 };
    assert_eq!(outcome.rows.iter().map(|r| r.sheet_row).collect::<Vec<_>>(), [first, first + 1, first + 2]);
    if spreadsheet {
        assert_eq!(outcome.rows[0].item_rows.as_deref(), Some(&[2, 3, 4, 5, 6, 7][..]));
        assert_eq!(outcome.rows[1].item_rows.as_deref(), Some(&[8, 9][..]));
        assert_eq!(outcome.rows[2].item_rows.as_deref(), Some(&[][..]));
    }
}

/// The errors as (sheet, row, column, field) for comparison.
fn places(o: &ImportOutcome) -> Vec<(String, usize, Option<String>, String)> {
    let mut v: Vec<_> = o.errors.iter().map(|e| (e.sheet.clone(), e.row, e.column.clone(), e.field.clone())).collect();
    v.sort();
    v
}

fn find<'a>(o: &'a ImportOutcome, sheet: &str, row: usize, column: &str) -> &'a CellError {
    o.errors
        .iter()
        .find(|e| e.sheet == sheet && e.row == row && e.column.as_deref() == Some(column))
        .unwrap_or_else(|| panic!("no error at {sheet} {row} {column}: {:#?}", o.errors))
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn xlsx_round_trip() {
    let bytes = export_xlsx(&entries()).expect("export");
    assert!(bytes.starts_with(b"PK"));
    assert_round_trip(&import_xlsx(&bytes), true);
}

#[test]
fn csv_round_trip() {
    let res = export_csv(&entries(), Sheet::Resources);
    let items = export_csv(&entries(), Sheet::Items);
    assert!(res.starts_with(b"\xEF\xBB\xBF") && items.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8_lossy(&res);
    assert!(text.starts_with("\u{feff}序号,信息资源代码,状态,信息资源分类,信息资源名称,"), "{text}");
    assert!(text.contains("接口；库表交换；核验"), "{text}");
    assert_round_trip(&import_csv(&res, Some(&items)), true);
    // Without the BOM too.
    assert_round_trip(&import_csv(&res[3..], Some(&items[3..])), true);
}

#[test]
fn json_round_trip() {
    let bytes = export_json(&entries());
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
    assert_eq!(v[0]["code"], "101001/000001");
    assert_eq!(v[0]["status"], "已发布");
    assert_eq!(v[0]["resource"]["share_type"], "unconditional");
    let outcome = import_json(&bytes);
    assert_round_trip(&outcome, false);
    assert!(outcome.rows.iter().all(|r| r.item_rows.is_none()));
}

#[test]
fn blank_template_exports_and_reports_no_data() {
    let bytes = export_xlsx(&[]).expect("export");
    let o = import_xlsx(&bytes);
    assert!(o.rows.is_empty());
    assert_eq!(o.errors.len(), 1);
    assert!(o.errors[0].message.contains("只有表头"), "{:?}", o.errors);
    let csv = export_csv(&[], Sheet::Items);
    assert_eq!(
        String::from_utf8_lossy(&csv).trim_start_matches('\u{feff}').trim_end(),
        Sheet::Items.headers().join(",")
    );
}

#[test]
fn csv_never_writes_a_formula() {
    let mut e = policy_documents();
    e.spec.tags = vec!["=HYPERLINK(\"http://x\")".into(), "@SUM(A1)".into()];
    e.spec.summary = "-1 号文件+附件".into();
    let res = export_csv(std::slice::from_ref(&e), Sheet::Resources);
    let text = String::from_utf8_lossy(&res);
    assert!(text.contains("'-1 号文件+附件"), "{text}");
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")；@SUM(A1)\""), "{text}");
    let o = import_csv(&res, None);
    assert!(o.is_clean(), "{:?}", o.errors);
    assert_eq!(o.rows[0].spec.as_ref(), Some(&e.spec));
}

// ---------------------------------------------------------------------------------------------
// A hand-written CSV with errors in several rows and cells

/// Columns in another order than the template, an unknown column, a title-free header with a
/// required-marker, a multi-line cell, an empty row; numbers like Excel writes them.
const BAD_RESOURCES: &str = "\
序号,信息资源名称,*信息资源分类 ,信息资源摘要,格式分类,格式类型,共享类型,共享条件,不予共享依据,共享方式,开放类型,更新周期,发布日期,关联资源代码,备注
1,企业登记信息,102001,\"企业登记基本信息，
含统一社会信用代码\",数据库,mysql,无条件共享,,,接口；核验,不予开放,每日,2024-01-10,,随便写
2,个体工商户信息,102001,个体户登记信息,数据库,mysql,部分共享,,,接口,不予开放,每日,2024-02-30,101001/000001；abc,
3,,4xx,无名资源,电子文件,pdf,无条件共享,,,接口,不予开放,每月,,,
,,,,,,,,,,,,,,
4,行政许可决定书,203001,许可决定书全文,电子文件,pdf,2,须注明用途,,批量下载,1,不定期,2023/12/01,,
5.0,社保缴费记录,203002,缴费明细,database,oracle,unconditional,,,api,not_open,monthly,20240105,,
";

const BAD_ITEMS: &str = "\
资源序号,信息项名称,数据类型,数据长度,是否主键
1,统一社会信用代码,字符型,18,是
1,企业名称,C,200.0,否
5,缴费金额,字符,-5,
9,孤儿项,字符型,10,否
5,缴费月份,D,,也许
";

#[test]
fn csv_with_errors_reports_every_cell() {
    let o = import_csv(BAD_RESOURCES.as_bytes(), Some(BAD_ITEMS.as_bytes()));
    let r = "信息资源".to_string();
    let i = "信息项".to_string();
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        places(&o),
        vec![
            (r.clone(), 3, s("共享类型"), "share_type".to_string()),
            (r.clone(), 3, s("关联资源代码"), "related_codes[1]".to_string()),
            (r.clone(), 3, s("发布日期"), "publish_date".to_string()),
            (r.clone(), 4, s("信息资源分类"), "category".to_string()),
            (r.clone(), 4, s("信息资源名称"), "name".to_string()),
            (i.clone(), 4, s("数据类型"), "data_items[0].data_type".to_string()),
            (i.clone(), 4, s("数据长度"), "data_items[0].length".to_string()),
            (i.clone(), 5, s("资源序号"), "seq".to_string()),
            (i.clone(), 6, s("是否主键"), "data_items[1].is_key".to_string()),
        ]
    );
    for e in &o.errors {
        assert!(is_chinese(&e.message), "{e}");
    }
    // Specific messages.
    let m = &find(&o, "信息资源", 3, "共享类型").message;
    assert!(m.contains("部分共享") && m.contains("无条件共享") && m.contains("不予共享"), "{m}");
    assert!(find(&o, "信息资源", 3, "发布日期").message.contains("2024-02-30"));
    let m = &find(&o, "信息资源", 3, "关联资源代码").message;
    assert!(m.contains("“abc”") && !m.contains("“101001/000001”"), "{m}");
    assert_eq!(find(&o, "信息资源", 4, "信息资源名称").message, "请填写信息资源名称");
    assert!(find(&o, "信息资源", 4, "信息资源分类").message.contains("4xx"));
    let m = &find(&o, "信息项", 4, "数据类型").message;
    assert!(m.contains("“字符”") && m.contains("字符型"), "{m}");
    assert!(find(&o, "信息项", 4, "数据长度").message.contains("大于0"));
    let m = &find(&o, "信息项", 5, "资源序号").message;
    assert!(m.contains("“9”") && m.contains("找不到"), "{m}");
    assert!(find(&o, "信息项", 6, "是否主键").message.contains("“也许”"));

    // Rows: the empty one (row 5) is skipped; the multi-line cell does not shift row numbers.
    assert_eq!(o.rows.iter().map(|r| r.sheet_row).collect::<Vec<_>>(), [2, 3, 4, 6, 7]);
    let ok: Vec<usize> = o.rows.iter().filter(|r| r.spec.is_some()).map(|r| r.sheet_row).collect();
    assert_eq!(ok, [2, 6], "rows 3 and 4 have cell errors, row 7 has item errors");

    let first = o.rows[0].spec.as_ref().expect("row 2 parsed");
    assert_eq!(first.summary, "企业登记基本信息，\n含统一社会信用代码");
    assert_eq!(first.share_methods, [ShareMethod::Api, ShareMethod::Verification]);
    assert_eq!(first.data_items.len(), 2);
    assert_eq!(first.data_items[0].length, Some(18));
    assert!(first.data_items[0].is_key);
    assert_eq!(first.data_items[1].length, Some(200));
    assert_eq!(first.data_items[1].data_type, DataType::C);
    assert_eq!(o.rows[0].item_rows.as_deref(), Some(&[2, 3][..]));
    // Numbers, English codes and other date spellings are accepted.
    let fourth = o.rows[3].spec.as_ref().expect("row 6 parsed");
    assert_eq!(fourth.share_type, ShareType::Conditional);
    assert_eq!(fourth.open_type, OpenType::Unconditional);
    assert_eq!(fourth.publish_date, date(2023, 12, 1));
    assert!(fourth.data_items.is_empty());
    assert_eq!(o.rows[4].item_rows.as_deref(), Some(&[4, 6][..]));
}

#[test]
fn duplicate_seq_is_reported_when_items_need_it() {
    let res = "序号,信息资源名称,信息资源分类,信息资源摘要,格式分类,共享类型,共享方式,开放类型,更新周期\n\
               1,甲,101001,摘要,数据库,无条件共享,接口,不予开放,每日\n\
               1,乙,101001,摘要,数据库,无条件共享,接口,不予开放,每日\n";
    let items = "资源序号,信息项名称,数据类型,数据长度\n1,字段,C,10\n";
    let o = import_csv(res.as_bytes(), Some(items.as_bytes()));
    assert_eq!(o.errors.len(), 1, "{:?}", o.errors);
    let e = find(&o, "信息资源", 3, "序号");
    assert!(e.message.contains("第2行重复"), "{}", e.message);
    assert!(o.rows[0].spec.is_some() && o.rows[1].spec.is_none());
    // Without an items file the 序号 does not matter.
    assert!(import_csv(res.as_bytes(), None).is_clean());
}

// ---------------------------------------------------------------------------------------------
// Missing columns, empty and broken files

#[test]
fn missing_required_column_is_one_error() {
    let res = "序号,信息资源名称,信息资源分类,信息资源摘要,格式分类,开放类型,更新周期\n\
               1,甲,101001,摘要,数据库,不予开放,每日\n\
               2,乙,101001,摘要,数据库,不予开放,每日\n";
    let o = import_csv(res.as_bytes(), None);
    assert!(o.rows.is_empty());
    assert_eq!(o.errors.len(), 1, "{:?}", o.errors);
    let e = &o.errors[0];
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_deref(), e.field.as_str()),
        ("信息资源", 1, Some("共享类型"), "share_type")
    );
    assert!(e.message.contains("缺少“共享类型”列"), "{}", e.message);

    // 序号 is needed once there are items; items need their own required columns.
    let res =
        "信息资源名称,信息资源分类,信息资源摘要,格式分类,共享类型,开放类型,更新周期\n甲,101001,摘要,数据库,1,3,每日\n";
    let items = "资源序号,信息项名称\n1,字段\n";
    let o = import_csv(res.as_bytes(), Some(items.as_bytes()));
    let got: Vec<_> = o.errors.iter().map(|e| (e.sheet.as_str(), e.column.as_deref())).collect();
    assert_eq!(got, [("信息资源", Some("序号")), ("信息项", Some("数据类型"))]);
    assert!(o.errors[0].message.contains("信息项靠它对应"), "{}", o.errors[0].message);
}

#[test]
fn duplicate_header_is_reported() {
    let res = "序号,信息资源名称,信息资源分类,信息资源摘要,格式分类,共享类型,开放类型,更新周期,共享类型\n\
               1,甲,101001,摘要,数据库,无条件共享,不予开放,每日,不予共享\n";
    let o = import_csv(res.as_bytes(), None);
    assert_eq!(o.errors.len(), 1);
    assert!(o.errors[0].message.contains("出现了2次"), "{:?}", o.errors);
}

#[test]
fn empty_files() {
    for o in [
        import_csv(b"", None),
        import_csv(b"\xEF\xBB\xBF", None),
        import_csv(b"  \r\n\r\n", None),
        import_xlsx(b""),
        import_json(b""),
        import_json(b"[]"),
    ] {
        assert!(o.rows.is_empty());
        assert_eq!(o.errors.len(), 1, "{:?}", o.errors);
        assert!(o.errors[0].message.contains("空"), "{}", o.errors[0].message);
        assert_eq!(o.errors[0].row, 0);
    }
    // An empty items file is no items at all.
    let res = export_csv(&[policy_documents()], Sheet::Resources);
    assert!(import_csv(&res, Some(b"")).errors[0].message.contains("空"));
    assert!(import_csv(&res, Some(b",,,\r\n")).is_clean());
}

/// Deterministic pseudo-random bytes.
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 56) as u8
        })
        .collect()
}

#[test]
fn garbage_bytes_give_clear_errors() {
    for seed in 1..20 {
        let g = garbage(4096, seed);
        for o in [import_csv(&g, None), import_xlsx(&g), import_json(&g)] {
            assert!(!o.errors.is_empty());
            assert!(o.rows.iter().all(|r| r.spec.is_none()));
            assert!(o.errors.iter().all(|e| is_chinese(&e.message)));
        }
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(garbage(2048, seed));
        let o = import_xlsx(&zip);
        assert!(o.errors[0].message.contains("损坏"), "{}", o.errors[0].message);
    }
    let o = import_xlsx(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 old xls");
    assert!(o.errors[0].message.contains(".xls"));
    let o = import_xlsx(b"a,b,c\n1,2,3\n");
    assert!(o.errors[0].message.contains("不是XLSX"));
    let o = import_csv(b"\x00\x01\x02PK\x03\x04", None);
    assert!(o.errors[0].message.contains("不是CSV"), "{:?}", o.errors);
}

#[test]
fn non_utf8_csv_says_save_as_utf8() {
    // "序号,信息资源名称" in GBK.
    let gbk: &[u8] = b"\xD0\xF2\xBA\xC5,\xD0\xC5\xCF\xA2\xD7\xCA\xD4\xB4\xC3\xFB\xB3\xC6\r\n1,\xB2\xE2\xCA\xD4\r\n";
    let o = import_csv(gbk, None);
    assert_eq!(o.errors.len(), 1);
    let e = &o.errors[0];
    assert_eq!((e.sheet.as_str(), e.row), ("信息资源", 0));
    assert!(e.message.contains("不是UTF-8编码") && e.message.contains("CSV UTF-8"), "{}", e.message);
    // The items file is checked too, and a later bad line is located.
    let res = export_csv(&entries(), Sheet::Resources);
    let o = import_csv(&res, Some(b"\xEF\xBB\xBF\xE8\xB5\x84\xE6\xBA\x90\xE5\xBA\x8F\xE5\x8F\xB7\n\xB2\xE2\n"));
    assert_eq!(o.errors[0].sheet, "信息项");
    assert!(o.errors[0].message.contains("第2行"), "{}", o.errors[0].message);
    // UTF-16 (Excel's "Unicode text") is refused the same way.
    let o = import_csv(b"\xFF\xFE\x8F\x5E", None);
    assert!(o.errors[0].message.contains("UTF-8"));
}

#[test]
fn truncated_or_damaged_xlsx_never_panics() {
    let bytes = export_xlsx(&entries()).expect("export");
    for cut in (0..bytes.len()).step_by(bytes.len() / 60 + 1) {
        let o = import_xlsx(&bytes[..cut]);
        assert!(!o.errors.is_empty(), "cut at {cut}");
        assert!(o.rows.iter().all(|r| r.spec.is_none()));
    }
    let o = import_xlsx(&bytes[..bytes.len() / 2]);
    assert!(o.errors[0].message.contains("损坏或不完整"), "{}", o.errors[0].message);
    // Flipped bytes in the middle: an error or (if only data changed) some result, never a panic.
    for k in (100..bytes.len()).step_by(bytes.len() / 40 + 1) {
        let mut damaged = bytes.clone();
        damaged[k] ^= 0x5A;
        let _ = import_xlsx(&damaged);
    }
}

#[test]
fn xlsx_without_template_sheet() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    s.set_name("Sheet1").expect("name");
    s.write_string(0, 0, "随便").expect("write");
    let bytes = wb.save_to_buffer().expect("save");
    let o = import_xlsx(&bytes);
    assert_eq!(o.errors.len(), 1);
    assert!(o.errors[0].message.contains("没有名为“信息资源”的工作表") && o.errors[0].message.contains("Sheet1"));
}

/// A workbook as a clerk might make it by hand: a title row, columns in another order, typed
/// cells (numbers as floats, a real date, a boolean), a decorated header, an unknown column.
#[test]
fn hand_made_xlsx_with_typed_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let res = wb.add_worksheet();
    res.set_name("信息资源").expect("name");
    res.write_string(0, 0, "某市公安局政务信息资源目录（2024年）").expect("w");
    let headers = [
        "备注",
        "序号",
        " 信息资源名称 ",
        "信息资源分类*",
        "信息资源摘要",
        "格式分类",
        "共享类型",
        "共享方式",
        "开放类型",
        "更新周期",
        "发布日期",
        "是否涉密",
    ];
    for (c, h) in headers.iter().enumerate() {
        res.write_string(2, c as u16, *h).expect("w");
    }
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    res.write_string(3, 0, "内部备注").expect("w");
    res.write_number(3, 1, 1.0).expect("w");
    res.write_string(3, 2, "机动车登记信息").expect("w");
    res.write_number(3, 3, 101001.0).expect("w");
    res.write_string(3, 4, "机动车登记").expect("w");
    res.write_string(3, 5, "数据库").expect("w");
    res.write_number(3, 6, 1.0).expect("w");
    res.write_string(3, 7, "接口,在线查询").expect("w");
    res.write_string(3, 8, "不予开放").expect("w");
    res.write_string(3, 9, "每日").expect("w");
    let d = ExcelDateTime::from_ymd(2024, 5, 20).expect("date");
    res.write_datetime_with_format(3, 10, &d, &date_fmt).expect("w");
    res.write_boolean(3, 11, true).expect("w");
    let items = wb.add_worksheet();
    items.set_name("信息项").expect("name");
    for (c, h) in ["数据长度", "信息项名称", "资源序号", "数据类型"].iter().enumerate() {
        items.write_string(0, c as u16, *h).expect("w");
    }
    items.write_number(1, 0, 17.0).expect("w");
    items.write_string(1, 1, "号牌号码").expect("w");
    items.write_number(1, 2, 1.0).expect("w");
    items.write_string(1, 3, "字符型").expect("w");
    let bytes = wb.save_to_buffer().expect("save");

    let o = import_xlsx(&bytes);
    assert!(o.is_clean(), "{:#?}", o.errors);
    assert_eq!(o.rows.len(), 1);
    assert_eq!(o.rows[0].sheet_row, 4);
    assert_eq!(o.rows[0].item_rows.as_deref(), Some(&[2][..]));
    let spec = o.rows[0].spec.as_ref().expect("parsed");
    assert_eq!(spec.name, "机动车登记信息");
    assert_eq!(spec.category.as_str(), "101001");
    assert_eq!(spec.share_type, ShareType::Unconditional);
    assert_eq!(spec.share_methods, [ShareMethod::Api, ShareMethod::OnlineQuery]);
    assert_eq!(spec.publish_date, date(2024, 5, 20));
    assert!(spec.classified);
    assert_eq!(spec.data_items, [DataItem::new("号牌号码", DataType::C, Some(17))]);
}

// ---------------------------------------------------------------------------------------------
// JSON errors

#[test]
fn json_syntax_errors_have_line_and_column() {
    let o = import_json(b"[\n  {\"code\": \"101001/000001\",\n   \"resource\": {,}\n]");
    assert_eq!(o.errors.len(), 1);
    let m = &o.errors[0].message;
    assert!(m.contains("JSON格式错误") && m.contains("第3行") && m.contains("列"), "{m}");
    let bytes = export_json(&entries());
    let o = import_json(&bytes[..bytes.len() / 2]);
    assert!(o.errors[0].message.contains("JSON文件不完整"), "{}", o.errors[0].message);
    let o = import_json(br#"{"code": "x"}"#);
    assert!(o.errors[0].message.contains("顶层应为数组"));
}

#[test]
fn json_element_errors_name_index_and_field() {
    let mut v: serde_json::Value = serde_json::from_slice(&export_json(&entries())).expect("json");
    v[0]["resource"]["share_type"] = "部分共享".into();
    v[0]["resource"]["data_items"][2]["length"] = "长".into();
    v[0]["resource"]["related_codes"][1] = "bad".into();
    if let Some(o) = v[2]["resource"].as_object_mut() {
        o.remove("name");
    }
    v[2]["resource"]["publish_date"] = "2023-02-30".into();
    let bytes = serde_json::to_vec(&v).expect("json");
    let o = import_json(&bytes);
    let got: Vec<(usize, Option<&str>, &str)> =
        o.errors.iter().map(|e| (e.row, e.column.as_deref(), e.field.as_str())).collect();
    assert_eq!(
        got,
        [
            (1, Some("共享类型"), "share_type"),
            (1, Some("关联资源代码"), "related_codes[1]"),
            (1, Some("数据长度"), "data_items[2].length"),
            (3, Some("信息资源名称"), "name"),
            (3, Some("发布日期"), "publish_date"),
        ]
    );
    assert!(o.errors.iter().all(|e| e.sheet == JSON_SHEET && is_chinese(&e.message)));
    assert!(o.errors[0].message.contains("部分共享") && o.errors[0].message.contains("有条件共享"));
    assert!(o.errors[3].message.contains("缺少必填字段"));
    let ok: Vec<bool> = o.rows.iter().map(|r| r.spec.is_some()).collect();
    assert_eq!(ok, [false, true, false]);
    assert_eq!(o.rows[0].code.as_deref(), Some("101001/000001"));

    let o = import_json(br#"[{"code": 5, "resource": {}}, 7, {"code": "bad"}]"#);
    let got: Vec<(usize, &str)> = o.errors.iter().map(|e| (e.row, e.field.as_str())).collect();
    assert!(got.contains(&(1, "code")) && got.contains(&(1, "category")) && got.contains(&(1, "format")));
    assert!(got.contains(&(2, "")) && got.contains(&(3, "code")) && got.contains(&(3, "resource")));
}

// ---------------------------------------------------------------------------------------------
// Field paths and cells

#[test]
fn locate_every_kind_of_path() {
    use Sheet::{Items, Resources};
    let cases: &[(&str, Sheet, Option<&str>)] = &[
        ("share_condition", Resources, Some("共享条件")),
        ("share_basis", Resources, Some("不予共享依据")),
        ("category", Resources, Some("信息资源分类")),
        ("code", Resources, Some("信息资源代码")),
        ("format", Resources, Some("格式分类")),
        ("format.subtype", Resources, Some("格式类型")),
        ("format.other_desc", Resources, Some("其他格式说明")),
        ("share_methods", Resources, Some("共享方式")),
        ("related_codes[1]", Resources, Some("关联资源代码")),
        ("tags", Resources, Some("标签")),
        ("resource.open_type", Resources, Some("开放类型")),
        ("data_items", Items, None),
        ("data_items[2]", Items, None),
        ("data_items[3].length", Items, Some("数据长度")),
        ("data_items[0].share_basis", Items, Some("不予共享依据")),
        ("data_items[12].base_item", Items, Some("是否基础信息项")),
        ("data_items[1].name", Items, Some("信息项名称")),
        ("provider_local_code", Resources, None),
        ("", Resources, None),
    ];
    for (path, sheet, column) in cases {
        assert_eq!(locate(path), (*sheet, *column), "{path}");
    }
    // Every column that holds a field is found by it.
    for c in &template::RESOURCE_COLUMNS {
        if c.field != "status" {
            assert_eq!(locate(c.field), (Resources, Some(c.header)), "{}", c.field);
        }
    }
    for c in template::ITEM_COLUMNS.iter().filter(|c| !c.field.is_empty() && c.field != "seq") {
        assert_eq!(locate(&format!("data_items[0].{}", c.field)), (Items, Some(c.header)));
    }
}

#[test]
fn domain_errors_attach_to_cells() {
    let mut e = population();
    e.spec.data_items[3].length = None;
    e.spec.share_methods.clear();
    let bytes = export_xlsx(&[policy_documents(), e]).expect("export");
    let o = import_xlsx(&bytes);
    assert!(o.is_clean(), "{:?}", o.errors);
    let row = &o.rows[1];
    let spec = row.spec.as_ref().expect("parsed");
    let ctx = ValidationContext {
        today: date(2025, 1, 1).unwrap_or_default(),
        category: None,
        existing_related: Default::default(),
        own_code: None,
    };
    let errors = validate_resource(spec, &ctx).expect_err("invalid");
    let cells: Vec<CellError> = errors.0.iter().map(|f| row.cell_error(f)).collect();
    let at = |field: &str| cells.iter().find(|c| c.field == field).unwrap_or_else(|| panic!("{field}: {cells:#?}"));
    let c = at("data_items[3].length");
    assert_eq!((c.sheet.as_str(), c.row, c.column.as_deref()), ("信息项", 5, Some("数据长度")));
    let c = at("share_methods");
    assert_eq!((c.sheet.as_str(), c.row, c.column.as_deref()), ("信息资源", 3, Some("共享方式")));
    let c = at("category");
    assert_eq!((c.sheet.as_str(), c.row, c.column.as_deref()), ("信息资源", 3, Some("信息资源分类")));

    // No item row to point at: the resource row.
    let f = domain::error::FieldError::new("data_items", "required", "格式为“数据库”的资源必须列出信息项");
    let c = o.rows[0].cell_error(&f);
    assert_eq!((c.sheet.as_str(), c.row, c.column), ("信息资源", 2, None));
    // JSON rows stay in JSON.
    let j = import_json(&export_json(&entries()));
    let c = j.rows[0].cell_error(&domain::error::FieldError::new("data_items[1].length", "x", "y"));
    assert_eq!((c.sheet.as_str(), c.row, c.column.as_deref()), (JSON_SHEET, 1, Some("数据长度")));
    assert_eq!(c.to_string(), "“JSON”第1行“数据长度”列：y");
}

#[test]
fn tab_separated_csv_is_read() {
    let res = String::from_utf8_lossy(&export_csv(&[policy_documents()], Sheet::Resources)).replace(',', "\t");
    let o = import_csv(res.as_bytes(), None);
    assert!(o.is_clean(), "{:?}", o.errors);
    assert_eq!(o.rows[0].spec.as_ref(), Some(&policy_documents().spec));
}

#[test]
fn xlsx_layout_is_the_template() {
    use calamine::{Reader, Xlsx};
    let bytes = export_xlsx(&entries()).expect("export");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
    assert_eq!(wb.sheet_names(), ["信息资源", "信息项"]);
    for sheet in [Sheet::Resources, Sheet::Items] {
        let range = wb.worksheet_range(sheet.name()).expect("sheet");
        let headers: Vec<String> =
            range.rows().next().map(|r| r.iter().map(|c| c.to_string()).collect()).unwrap_or_default();
        assert_eq!(headers, sheet.headers());
    }
    assert_eq!(Sheet::Resources.headers().len(), 23);
    assert_eq!(Sheet::Items.headers().len(), 15);
    let range = wb.worksheet_range("信息项").expect("sheet");
    // 资源序号, 信息资源名称 (informational), 信息项名称, 数据类型, 数据长度 …
    let row: Vec<String> = range.rows().nth(1).map(|r| r.iter().map(|c| c.to_string()).collect()).unwrap_or_default();
    assert_eq!(&row[..5], ["1", "人口基本信息", "公民身份号码", "字符型", "18"]);
}

#[test]
fn too_long_for_a_cell() {
    let mut e = policy_documents();
    e.spec.summary = "长".repeat(40_000);
    let err = export_xlsx(&[population(), e.clone()]).expect_err("too long");
    assert!(matches!(err, ExportError::CellTooLong { sheet: "信息资源", row: 3, column: "信息资源摘要" }), "{err:?}");
    assert!(err.to_string().contains("第3行“信息资源摘要”"), "{err}");
    // CSV and JSON have no such limit.
    let o = import_csv(&export_csv(std::slice::from_ref(&e), Sheet::Resources), None);
    assert_eq!(o.rows[0].spec.as_ref(), Some(&e.spec));
}

#[test]
fn csv_rows_are_numbered_as_excel_shows_them() {
    let res = "序号,信息资源名称,信息资源分类,信息资源摘要,格式分类,共享类型,共享方式,开放类型,更新周期\r\n\
               \r\n\
               1,甲,101001,\"第一行\r\n第二行\r\n第三行\",电子文件,无条件共享,接口,不予开放,每日\r\n\
               \r\n\
               2,乙,101001,摘要,电子文件,无条件共享,传真,不予开放,每日\r\n";
    let o = import_csv(res.as_bytes(), None);
    assert_eq!(o.rows.iter().map(|r| r.sheet_row).collect::<Vec<_>>(), [3, 5]);
    assert_eq!(o.errors.len(), 1);
    assert_eq!((o.errors[0].row, o.errors[0].field.as_str()), (5, "share_methods[0]"));
    assert_eq!(o.rows[0].spec.as_ref().map(|s| s.summary.as_str()), Some("第一行\r\n第二行\r\n第三行"));
}
