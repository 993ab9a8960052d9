//! Tests of the row checker as a whole: header mapping, every data type good and bad, lengths,
//! required items, identifiers, keys, the batches produced and the bounded report.

use chrono::NaiveDate;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{
    DataType as ArrowType, Date32Type, Decimal128Type, Float64Type, Int64Type, TimeUnit, TimestampMicrosecondType,
};
use datafusion::arrow::record_batch::RecordBatch;
use domain::catalog::{DataItem, DataType, IdentifierKind};

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}

fn opts() -> CheckOptions {
    CheckOptions::new(today())
}

fn item(name: &str, data_type: DataType, length: Option<u32>) -> DataItem {
    DataItem::new(name, data_type, length)
}

fn required(mut i: DataItem) -> DataItem {
    i.required = true;
    i
}

fn key(mut i: DataItem) -> DataItem {
    i.is_key = true;
    i.required = true;
    i
}

fn ident(mut i: DataItem, kind: IdentifierKind) -> DataItem {
    i.identifier = Some(kind);
    i
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn row<'a>(cells: &[&'a str]) -> Vec<&'a str> {
    cells.to_vec()
}

/// A checker whose header is the items' names, in order.
fn checker(items: &[DataItem]) -> RowChecker {
    let names: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
    RowChecker::new(items, &names, opts()).unwrap()
}

/// Checks a single cell of a single-item resource.
fn one(data_type: DataType, length: Option<u32>, value: &str) -> Vec<Rejection> {
    let mut c = checker(&[item("值", data_type, length)]);
    c.push(2, &row(&[value]))
}

fn batch(c: &mut RowChecker) -> RecordBatch {
    c.take_batch().unwrap().unwrap()
}

fn days(y: i32, m: u32, d: u32) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    i32::try_from((NaiveDate::from_ymd_opt(y, m, d).unwrap() - epoch).num_days()).unwrap()
}

fn micros(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, s).unwrap().and_utc().timestamp_micros()
}

// ---------------------------------------------------------------------------------------------
// Schema

#[test]
fn arrow_schema_maps_every_data_type_and_round_trips() {
    let items = vec![
        ident(key(item("身份证号", DataType::C, Some(18))), IdentifierKind::CitizenId),
        item("备注", DataType::M, None),
        item("数值", DataType::N, Some(10)),
        required(item("金额", DataType::Y, None)),
        item("日期", DataType::D, None),
        item("时间", DataType::T, None),
        item("标志", DataType::L, None),
        item("附件", DataType::G, None),
        item("双精度", DataType::B, None),
        item("整数", DataType::I, Some(5)),
        item("浮点", DataType::F, None),
    ];
    let schema = arrow_schema(&items);
    let types: Vec<ArrowType> = schema.fields().iter().map(|f| f.data_type().clone()).collect();
    assert_eq!(
        types,
        vec![
            ArrowType::Utf8,
            ArrowType::Utf8,
            ArrowType::Float64,
            ArrowType::Decimal128(19, 4),
            ArrowType::Date32,
            ArrowType::Timestamp(TimeUnit::Microsecond, None),
            ArrowType::Boolean,
            ArrowType::Binary,
            ArrowType::Float64,
            ArrowType::Int64,
            ArrowType::Float64,
        ]
    );
    let id = schema.field(0);
    assert_eq!(id.name(), "身份证号");
    assert!(!id.is_nullable());
    assert!(schema.field(1).is_nullable());
    assert!(!schema.field(3).is_nullable());
    assert_eq!(id.metadata().get("data_type").map(String::as_str), Some("C"));
    assert_eq!(id.metadata().get("length").map(String::as_str), Some("18"));
    assert_eq!(id.metadata().get("identifier").map(String::as_str), Some("citizen_id"));
    assert_eq!(schema.field(1).metadata().get("length"), None);

    let back = items_from_schema(&schema).unwrap();
    assert_eq!(back, items);

    // The checker's batches hold text as views, with the same fields otherwise.
    let batches = batch_schema(&items);
    for (stored, built) in schema.fields().iter().zip(batches.fields()) {
        let text = stored.data_type() == &ArrowType::Utf8;
        assert_eq!(built.data_type(), if text { &ArrowType::Utf8View } else { stored.data_type() });
        assert_eq!(
            (built.name(), built.is_nullable(), built.metadata()),
            (stored.name(), stored.is_nullable(), stored.metadata())
        );
    }
}

#[test]
fn items_from_schema_rejects_a_field_without_metadata() {
    use datafusion::arrow::datatypes::{Field, Schema};
    let schema = Schema::new(vec![Field::new("姓名", ArrowType::Utf8, true)]);
    let err = items_from_schema(&schema).unwrap_err();
    assert_eq!(err.field, "姓名");
    assert!(err.to_string().contains("数据类型"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Header

#[test]
fn header_missing_required_items_are_listed_in_chinese() {
    let items = [required(item("姓名", DataType::C, Some(20))), required(item("年龄", DataType::I, None))];
    let err = RowChecker::new(&items, &header(&["姓名"]), opts()).err().unwrap();
    assert_eq!(err.missing, vec!["年龄"]);
    assert!(err.to_string().contains("缺少必填信息项：年龄"), "{err}");
    // An optional item may be absent: its values are null.
    let items = [required(item("姓名", DataType::C, Some(20))), item("年龄", DataType::I, None)];
    let mut c = RowChecker::new(&items, &header(&["姓名"]), opts()).unwrap();
    assert!(c.push(2, &row(&["张三"])).is_empty());
    let b = batch(&mut c);
    assert_eq!(b.num_columns(), 2);
    assert!(b.column(1).is_null(0));
}

#[test]
fn header_extra_columns_are_an_error_unless_ignored() {
    let items = [item("姓名", DataType::C, Some(20))];
    let err = RowChecker::new(&items, &header(&["姓名", "籍贯", "民族"]), opts()).err().unwrap();
    assert_eq!(err.extra, vec!["籍贯", "民族"]);
    assert!(err.to_string().contains("籍贯、民族"), "{err}");

    let lenient = CheckOptions { ignore_extra: true, ..opts() };
    let mut c = RowChecker::new(&items, &header(&["籍贯", "姓名", "民族"]), lenient).unwrap();
    assert!(c.push(2, &row(&["北京", "张三", "汉"])).is_empty());
    let b = batch(&mut c);
    assert_eq!(b.column(0).as_string_view().value(0), "张三");
}

#[test]
fn header_matches_exactly_after_trimming_then_case_insensitively() {
    let items =
        [item("ID", DataType::I, None), item("Name", DataType::C, Some(10)), item("name", DataType::C, Some(10))];
    // " name " matches "name" exactly (after trimming), "NAME" then takes "Name" case-insensitively,
    // "id" matches "ID"; the BOM of the first column is ignored.
    let mut c = RowChecker::new(&items, &header(&["\u{feff}id", "NAME", " name "]), opts()).unwrap();
    assert!(c.push(2, &row(&["7", "upper", "lower"])).is_empty());
    let b = batch(&mut c);
    assert_eq!(b.column(0).as_primitive::<Int64Type>().value(0), 7);
    assert_eq!(b.column(1).as_string_view().value(0), "upper");
    assert_eq!(b.column(2).as_string_view().value(0), "lower");
}

#[test]
fn header_duplicate_and_unrelated_columns() {
    let items = [item("姓名", DataType::C, Some(20))];
    let err = RowChecker::new(&items, &header(&["姓名", "姓名"]), opts()).err().unwrap();
    assert_eq!(err.duplicate, vec!["姓名"]);
    assert!(err.to_string().contains("列重复"), "{err}");

    let lenient = CheckOptions { ignore_extra: true, ..opts() };
    let err = RowChecker::new(&items, &header(&["a", "b"]), lenient).err().unwrap();
    assert!(err.nothing_matched);
    assert!(err.to_string().contains("没有一列对应"), "{err}");
}

#[test]
fn values_outside_the_header_are_rejected() {
    let items = [item("姓名", DataType::C, Some(20))];
    // A column with an empty header is allowed while it stays empty.
    let mut c = RowChecker::new(&items, &header(&["姓名", ""]), opts()).unwrap();
    assert!(c.push(2, &row(&["张三", ""])).is_empty());
    let r = c.push(3, &row(&["李四", "多余"]));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].code, "columns");
    assert_eq!(r[0].column, None);
    assert!(r[0].reason.contains("第2列没有列名"), "{}", r[0].reason);
    let r = c.push(4, &row(&["王五", "", "又多一列"]));
    assert_eq!(r[0].code, "columns");
    assert!(r[0].reason.contains("第3列超出表头"), "{}", r[0].reason);
    assert_eq!(c.accepted(), 1);
    assert_eq!(c.rejected(), 2);
}

// ---------------------------------------------------------------------------------------------
// Data types

#[test]
fn every_data_type_accepts_good_values_and_stores_them_normalised() {
    let items = vec![
        item("C", DataType::C, Some(10)),
        item("M", DataType::M, None),
        item("N", DataType::N, None),
        item("Y", DataType::Y, None),
        item("D", DataType::D, None),
        item("T", DataType::T, None),
        item("L", DataType::L, None),
        item("G", DataType::G, None),
        item("B", DataType::B, None),
        item("I", DataType::I, None),
        item("F", DataType::F, None),
    ];
    let mut c = checker(&items);
    let cells = row(&[
        " 张三 ",
        "第一行\n第二行\r",
        "1.5E3",
        "1234.56",
        "2024/3/1",
        "2024-03-01T00:30:15Z",
        "是",
        "aGVsbG8=",
        "-0.125",
        " 42 ",
        "3.5",
    ]);
    assert_eq!(c.push(2, &cells), vec![]);
    assert!(c.push(3, &row(&["", "", "", "", "20240301", "2024-03-01 08:30:15", "f", "", "", "", ""])).is_empty());
    assert_eq!(c.pending(), 2);
    let b = batch(&mut c);
    assert_eq!(c.pending(), 0);
    assert_eq!(b.schema(), batch_schema(&items));
    assert_eq!(b.num_rows(), 2);

    // Text is kept as written (spaces included); only the trailing \r is cut.
    assert_eq!(b.column(0).as_string_view().value(0), " 张三 ");
    assert_eq!(b.column(1).as_string_view().value(0), "第一行\n第二行");
    assert_eq!(b.column(2).as_primitive::<Float64Type>().value(0), 1500.0);
    let money = b.column(3).as_primitive::<Decimal128Type>();
    assert_eq!(money.value(0), 12_345_600);
    assert_eq!(money.value_as_string(0), "1234.5600");
    let dates = b.column(4).as_primitive::<Date32Type>();
    assert_eq!(dates.value(0), days(2024, 3, 1));
    assert_eq!(dates.value(1), days(2024, 3, 1));
    // 00:30:15 UTC is 08:30:15 北京时间; a time without offset is stored as written.
    let times = b.column(5).as_primitive::<TimestampMicrosecondType>();
    assert_eq!(times.value(0), micros(2024, 3, 1, 8, 30, 15));
    assert_eq!(times.value(1), micros(2024, 3, 1, 8, 30, 15));
    let flags = b.column(6).as_boolean();
    assert!(flags.value(0));
    assert!(!flags.value(1));
    let blobs = b.column(7).as_binary::<i32>();
    assert_eq!(blobs.value(0), b"hello");
    assert!(blobs.is_null(1));
    assert_eq!(b.column(8).as_primitive::<Float64Type>().value(0), -0.125);
    assert_eq!(b.column(9).as_primitive::<Int64Type>().value(0), 42);
    assert_eq!(b.column(10).as_primitive::<Float64Type>().value(0), 3.5);
    // Empty optional cells are nulls.
    for col in [0, 1, 2, 3, 7, 8, 9, 10] {
        assert!(b.column(col).is_null(1), "column {col}");
    }
}

#[test]
fn every_data_type_rejects_bad_values_with_a_specific_reason() {
    let cases: &[(DataType, &str, &str)] = &[
        (DataType::N, "1,000", "千位分隔符"),
        (DataType::N, "abc", "不是有效的数值"),
        (DataType::B, "１２", "全角"),
        (DataType::F, "NaN", "不是有效的数值"),
        (DataType::Y, "1.23456", "货币型最多4位小数，实际为5位"),
        (DataType::Y, "¥100", "货币符号"),
        (DataType::I, "1.5", "整型不能有小数部分"),
        (DataType::I, "99999999999999999999", "超出整型范围"),
        (DataType::D, "2024-13-01", "不是真实存在的日期"),
        (DataType::D, "01/03/2024", "不是有效日期（应为YYYY-MM-DD）"),
        (DataType::T, "2024-03-01 25:00:00", "时间不存在"),
        (DataType::T, "yesterday", "不是有效日期时间"),
        (DataType::L, "可能", "不是有效的逻辑值"),
        (DataType::G, "aGVs*G8=", "不是有效的Base64编码"),
    ];
    for &(data_type, value, reason) in cases {
        let r = one(data_type, None, value);
        assert_eq!(r.len(), 1, "{data_type:?} {value}");
        assert_eq!(r[0].code, "type", "{data_type:?} {value}");
        assert_eq!(r[0].row, 2);
        assert_eq!(r[0].column.as_deref(), Some("值"));
        assert_eq!(r[0].value.as_deref(), Some(value));
        assert!(r[0].reason.contains(reason), "{data_type:?} {value}: {}", r[0].reason);
    }
}

#[test]
fn rejected_values_are_cut_to_64_characters() {
    let long = "字".repeat(100);
    let r = one(DataType::C, Some(10), &long);
    assert_eq!(r[0].code, "length");
    assert_eq!(r[0].value.as_ref().map(|v| v.chars().count()), Some(64));
}

// ---------------------------------------------------------------------------------------------
// Lengths

#[test]
fn character_length_counts_storage_bytes() {
    assert_eq!(storage_len("张三"), 4);
    assert!(one(DataType::C, Some(4), "张三").is_empty());
    assert!(one(DataType::C, Some(4), "ab张").is_empty());
    let r = one(DataType::C, Some(4), "张三丰");
    assert_eq!(r[0].code, "length");
    assert_eq!(r[0].reason, "数据长度超出：定义为4字节，实际为6字节（汉字按2字节计）");
    let r = one(DataType::C, Some(18), "12345678901234567890");
    assert!(r[0].reason.contains("数据长度超出：定义为18字节，实际为20字节"), "{}", r[0].reason);
    // M is checked only when a length is given.
    assert!(one(DataType::M, None, &"长".repeat(1000)).is_empty());
    assert_eq!(one(DataType::M, Some(10), &"长".repeat(6))[0].code, "length");
}

#[test]
fn numeric_length_counts_digits() {
    assert!(one(DataType::N, Some(3), "-12.5").is_empty());
    assert!(one(DataType::N, Some(3), "0.25").is_empty());
    let r = one(DataType::N, Some(3), "1234");
    assert_eq!(r[0].code, "length");
    assert_eq!(r[0].reason, "数字位数超出：定义为3位，实际为4位");
    assert!(one(DataType::I, Some(2), "-99").is_empty());
    assert_eq!(one(DataType::I, Some(2), "100")[0].code, "length");
    assert_eq!(one(DataType::F, Some(2), "1.25")[0].code, "length");
    assert_eq!(one(DataType::B, Some(2), "125")[0].code, "length");
}

// ---------------------------------------------------------------------------------------------
// Required items

#[test]
fn required_items_may_not_be_empty() {
    let items = [required(item("姓名", DataType::C, Some(20))), item("备注", DataType::C, Some(20))];
    let mut c = checker(&items);
    for (n, cells) in [
        (2, vec!["", "x"]),
        (3, vec!["   ", ""]),
        (4, vec![]), // a short row: the missing cells are null
    ] {
        let r = c.push(n, &cells);
        assert_eq!(r.len(), 1, "row {n}");
        assert_eq!(r[0].code, "required");
        assert_eq!(r[0].column.as_deref(), Some("姓名"));
        assert_eq!(r[0].value, None);
        assert_eq!(r[0].reason, "必填信息项不能为空");
    }
    assert!(c.push(5, &row(&["张三"])).is_empty());
    assert_eq!((c.accepted(), c.rejected()), (1, 3));
}

// ---------------------------------------------------------------------------------------------
// Identifiers

fn id_case(kind: IdentifierKind, value: &str) -> (Vec<Rejection>, Option<String>) {
    let mut c = checker(&[ident(item("号码", DataType::C, Some(18)), kind)]);
    let r = c.push(2, &row(&[value]));
    let stored = c.take_batch().unwrap().map(|b| b.column(0).as_string_view().value(0).to_string());
    (r, stored)
}

#[test]
fn identifiers_are_checked_and_normalised() {
    let valid = [
        (IdentifierKind::CitizenId, "11010519491231002x", "11010519491231002X"),
        (IdentifierKind::CitizenId, " 440524188001010014 ", "440524188001010014"),
        (IdentifierKind::CreditCode, "91350100m000100y43", "91350100M000100Y43"),
        (IdentifierKind::OrgCode, "D2143569-X", "D2143569X"),
        (IdentifierKind::RegionCode, "110105", "110105"),
        (IdentifierKind::Mobile, "13800138000", "13800138000"),
    ];
    for (kind, value, normalised) in valid {
        let (r, stored) = id_case(kind, value);
        assert!(r.is_empty(), "{kind:?} {value}: {r:?}");
        assert_eq!(stored.as_deref(), Some(normalised), "{kind:?}");
    }
}

#[test]
fn invalid_identifiers_are_rejected_with_the_domain_reason() {
    let invalid = [
        (IdentifierKind::CitizenId, "110105194912310021", "公民身份号码校验不通过：校验位应为“X”"),
        (IdentifierKind::CitizenId, "110105194902300020", "不是真实存在的日期"),
        (IdentifierKind::CitizenId, "110105202601010012", "晚于今天"),
        (IdentifierKind::CreditCode, "91350100M000100Y42", "校验位应为“3”"),
        (IdentifierKind::OrgCode, "D21435690", "校验位应为“X”"),
        (IdentifierKind::RegionCode, "990000", "省级行政区划代码"),
        (IdentifierKind::Mobile, "12800138000", "手机号码第2位"),
    ];
    for (kind, value, reason) in invalid {
        let (r, stored) = id_case(kind, value);
        assert_eq!(r.len(), 1, "{kind:?} {value}");
        assert_eq!(r[0].code, "identifier");
        assert_eq!(r[0].value.as_deref(), Some(value));
        assert!(r[0].reason.contains(reason), "{kind:?} {value}: {}", r[0].reason);
        assert_eq!(stored, None);
    }
}

#[test]
fn an_identifier_in_a_numeric_item_is_checked_then_parsed() {
    let mut c = checker(&[ident(item("区划", DataType::I, Some(6)), IdentifierKind::RegionCode)]);
    assert!(c.push(2, &row(&["440305"])).is_empty());
    assert_eq!(c.push(3, &row(&["440399x"]))[0].code, "identifier");
    assert_eq!(batch(&mut c).column(0).as_primitive::<Int64Type>().value(0), 440_305);
}

// ---------------------------------------------------------------------------------------------
// Keys

#[test]
fn duplicate_keys_name_the_earlier_row() {
    let items = [key(item("编号", DataType::C, Some(10))), item("名称", DataType::C, Some(20))];
    let mut c = checker(&items);
    assert!(c.push(2, &row(&["A1", "甲"])).is_empty());
    assert!(c.push(3, &row(&["A2", "乙"])).is_empty());
    let r = c.push(4, &row(&["A1", "丙"]));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].code, "duplicate_key");
    assert_eq!(r[0].column.as_deref(), Some("编号"));
    assert_eq!(r[0].value.as_deref(), Some("A1"));
    assert!(r[0].reason.contains("与第2行"), "{}", r[0].reason);
    assert_eq!(batch(&mut c).num_rows(), 2);
}

#[test]
fn composite_keys_compare_normalised_values() {
    let items = [
        key(item("统一社会信用代码", DataType::C, Some(18))),
        key(item("日期", DataType::D, None)),
        item("金额", DataType::Y, None),
    ];
    let items = [ident(items[0].clone(), IdentifierKind::CreditCode), items[1].clone(), items[2].clone()];
    let mut c = checker(&items);
    assert!(c.push(2, &row(&["91350100M000100Y43", "2024-01-01", "1"])).is_empty());
    // Same code, other date: a different key.
    assert!(c.push(3, &row(&["91350100M000100Y43", "2024-01-02", "1"])).is_empty());
    // Other code, same date: a different key.
    assert!(c.push(4, &row(&["91110108MA01ABCD5T", "2024-01-01", "1"])).is_empty());
    // Lower case and another date form normalise to row 2's key.
    let r = c.push(5, &row(&["91350100m000100y43", "20240101", "2"]));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].code, "duplicate_key");
    assert_eq!(r[0].column, None);
    assert!(r[0].reason.contains("主键（统一社会信用代码、日期）重复：与第2行相同"), "{}", r[0].reason);
    assert_eq!(r[0].value.as_deref(), Some("91350100m000100y43、20240101"));
}

#[test]
fn keys_of_rejected_rows_are_not_remembered_and_key_checks_can_be_off() {
    let mut k = item("编号", DataType::I, None);
    k.is_key = true; // not declared required: a null key part is still rejected
    let items = [k, item("数量", DataType::I, None)];
    let mut c = checker(&items);
    let r = c.push(2, &row(&["", "1"]));
    assert_eq!(r[0].code, "required");
    assert!(r[0].reason.contains("主键"), "{}", r[0].reason);
    // Row 3 is rejected for its other cell: its key is not taken.
    assert_eq!(c.push(3, &row(&["1", "x"]))[0].code, "type");
    assert!(c.push(4, &row(&["1", "2"])).is_empty());
    // "01" and "1" are the same integer key.
    assert_eq!(c.push(5, &row(&["01", "3"]))[0].code, "duplicate_key");

    let off = CheckOptions { check_keys: false, ..opts() };
    let mut c = RowChecker::new(&items, &header(&["编号", "数量"]), off).unwrap();
    assert!(c.push(2, &row(&["1", "1"])).is_empty());
    assert!(c.push(3, &row(&["1", "1"])).is_empty());
    assert!(c.push(4, &row(&["", "1"])).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Rows and batches

#[test]
fn a_row_with_two_bad_cells_gets_two_rejections_and_stays_out_of_the_batch() {
    let items = [
        required(item("姓名", DataType::C, Some(4))),
        item("出生日期", DataType::D, None),
        item("人数", DataType::I, None),
    ];
    let mut c = checker(&items);
    assert!(c.push(2, &row(&["张三", "1990-01-01", "1"])).is_empty());
    let r = c.push(3, &row(&["张三丰", "1990-02-30", "2"]));
    assert_eq!(r.len(), 2);
    assert_eq!((r[0].column.as_deref(), r[0].code), (Some("姓名"), "length"));
    assert_eq!((r[1].column.as_deref(), r[1].code), (Some("出生日期"), "type"));
    assert!(r.iter().all(|r| r.row == 3));
    assert!(c.push(4, &row(&["李四", "", "3"])).is_empty());
    let b = batch(&mut c);
    assert_eq!(b.num_rows(), 2);
    let names = b.column(0).as_string_view();
    assert_eq!((names.value(0), names.value(1)), ("张三", "李四"));
    assert_eq!(b.column(2).as_primitive::<Int64Type>().values().to_vec(), vec![1, 3]);
    assert_eq!((c.accepted(), c.rejected()), (2, 1));
}

#[test]
fn batches_hold_the_rows_accepted_since_the_last_take() {
    let items = [required(item("n", DataType::I, None)), item("s", DataType::C, Some(40))];
    let mut c = checker(&items);
    assert!(c.take_batch().unwrap().is_none());
    for n in 0..5 {
        assert!(c.push(n + 2, &row(&[&n.to_string(), "text"])).is_empty());
    }
    let b1 = batch(&mut c);
    assert_eq!(b1.num_rows(), 5);
    assert!(c.take_batch().unwrap().is_none());
    for n in 5..8 {
        assert!(c.push(n + 2, &row(&[&n.to_string(), "文字"])).is_empty());
    }
    let b2 = batch(&mut c);
    // The text of the first batch averaged 4 bytes: the second builds it as Utf8, nothing else
    // of the schema changes.
    let schema = c.schema();
    assert_eq!(b1.schema(), schema);
    assert_eq!(b2.schema().field(0), schema.field(0));
    assert_eq!(b2.schema().field(1), &schema.field(1).as_ref().clone().with_data_type(ArrowType::Utf8));
    assert_eq!(b2.column(0).as_primitive::<Int64Type>().values().to_vec(), vec![5, 6, 7]);
    assert_eq!(b2.column(1).as_string::<i32>().value(2), "文字");
    // Longer text goes back to views from the batch after.
    let long = "一段超过十二个字节的文字";
    assert!(c.push(10, &row(&["8", long])).is_empty());
    let b3 = batch(&mut c);
    assert_eq!(b3.column(1).as_string::<i32>().value(0), long);
    assert!(c.push(11, &row(&["9", long])).is_empty());
    let b4 = batch(&mut c);
    assert_eq!(b4.schema(), schema);
    assert_eq!(b4.column(1).as_string_view().value(0), long);
    assert_eq!(c.accepted(), 10);
}

// ---------------------------------------------------------------------------------------------
// Report

#[test]
fn rejection_report_keeps_the_first_n_and_counts_all() {
    let rejection = |row: u64| Rejection {
        row,
        column: Some("姓名".to_string()),
        code: "required",
        reason: "必填信息项不能为空".to_string(),
        value: None,
    };
    let mut report = RejectionReport::new(3);
    assert!(report.is_empty());
    report.add(vec![]);
    report.add(vec![rejection(2), rejection(2)]);
    report.add(vec![rejection(5), rejection(5)]);
    report.add(vec![rejection(9)]);
    assert_eq!(report.total_rejected_rows, 3);
    assert_eq!(report.total_rejections, 5);
    assert_eq!(report.first.iter().map(|r| r.row).collect::<Vec<_>>(), vec![2, 2, 5]);
    assert_eq!(report.omitted(), 2);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["first"][0]["code"], "required");
    assert_eq!(json["total_rejections"], 5);
}

#[test]
fn report_collects_a_checker_run() {
    let mut c = checker(&[required(item("日期", DataType::D, None))]);
    let mut report = RejectionReport::new(2);
    for (n, v) in ["2024-01-01", "bad", "", "2024-02-30", "2024-03-01"].iter().enumerate() {
        report.add(c.push(n as u64 + 2, &row(&[v])));
    }
    assert_eq!(report.total_rejected_rows, 3);
    assert_eq!(report.first.len(), 2);
    assert_eq!(report.first[1].code, "required");
    assert_eq!((c.accepted(), c.rejected()), (2, 3));
}

#[test]
fn a_reader_row_error_becomes_a_read_rejection() {
    let e = crate::input::RowError {
        number: 7,
        unit: crate::input::RowUnit::Row,
        column: Some("金额".to_string()),
        message: "单元格数与表头不符".to_string(),
        fatal: true,
    };
    let r = Rejection::from_row_error(&e);
    assert_eq!((r.row, r.code, r.column.as_deref(), r.value), (7, "read", Some("金额"), None));
    assert_eq!(r.reason, "单元格数与表头不符（读取已停止）");
}
