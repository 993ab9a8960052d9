//! Reading real files of every format, written into a temporary directory.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tempfile::TempDir;

use super::*;

fn write(dir: &TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

fn open(path: &Path, format: InputFormat) -> Result<RowReader, InputError> {
    RowReader::open(path, &InputOptions::new(format))
}

fn cells(values: &[Option<&str>]) -> Vec<Option<String>> {
    values.iter().map(|v| v.map(str::to_owned)).collect()
}

fn row(number: u64, values: &[Option<&str>]) -> Result<RawRow, RowError> {
    Ok(RawRow { number, cells: cells(values) })
}

fn gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn formats_by_name_and_extension() {
    assert_eq!(InputFormat::from_name("人口信息.CSV"), Some(InputFormat::Csv));
    assert_eq!(InputFormat::from_name("a.b.tsv"), Some(InputFormat::Csv));
    assert_eq!(InputFormat::from_name("企业.xlsx"), Some(InputFormat::Xlsx));
    assert_eq!(InputFormat::from_name("x.jsonl"), Some(InputFormat::Ndjson));
    assert_eq!(InputFormat::from_name("parquet"), Some(InputFormat::Parquet));
    assert_eq!(InputFormat::from_name("旧表.xls"), None);
    assert_eq!(InputFormat::from_name("README"), None);
    assert_eq!(InputFormat::parse(" NDJSON "), Some(InputFormat::Ndjson));
    assert_eq!(InputFormat::parse("json"), Some(InputFormat::Json));
    assert_eq!(Encoding::parse("GBK"), Some(Encoding::Gb18030));
    assert_eq!(Encoding::parse("utf-8"), Some(Encoding::Utf8));
}

#[test]
fn utf8_csv_with_bom_and_quoted_newlines() {
    let dir = TempDir::new().expect("tempdir");
    let text = "\u{FEFF} 姓名 ,地址,备注\r\n张三,\"北京市\r\n东城区\",\"他说：\"\"好\"\"\"\r\n\r\n李四,,\r\n,,\r\n王五,上海市,最后一行";
    let path = write(&dir, "a.csv", text.as_bytes());
    let mut reader = open(&path, InputFormat::Csv).expect("opens");
    assert_eq!(reader.header(), ["姓名", "地址", "备注"]);
    assert_eq!(reader.encoding(), Some(Encoding::Utf8));
    assert_eq!(reader.next(), Some(row(2, &[Some("张三"), Some("北京市\r\n东城区"), Some("他说：\"好\"")])));
    // The quoted line break makes the record span lines 2–3; the blank line 4 and the row of
    // empty cells on line 6 are skipped.
    assert_eq!(reader.next(), Some(row(5, &[Some("李四"), None, None])));
    assert_eq!(reader.next(), Some(row(7, &[Some("王五"), Some("上海市"), Some("最后一行")])));
    assert_eq!(reader.next(), None);
    assert_eq!(reader.next(), None);
}

#[test]
fn csv_line_numbers_with_every_line_ending() {
    let dir = TempDir::new().expect("tempdir");
    let numbers = |name: &str, text: &str| -> Vec<u64> {
        let path = write(&dir, name, text.as_bytes());
        open(&path, InputFormat::Csv).expect("opens").map(|r| r.expect("valid").number).collect()
    };
    assert_eq!(numbers("lf.csv", "\na,b\n1,2\n\n\n3,\"x\ny\"\n4,5"), vec![3, 6, 8]);
    assert_eq!(numbers("crlf.csv", "a,b\r\n\r\n1,\"x\r\n\r\ny\"\r\n2,3\r\n"), vec![3, 6]);
    assert_eq!(numbers("quoted-end.csv", "a,b\r\n1,\"2\"\r\n3,\"4\""), vec![2, 3]);
    assert_eq!(numbers("cr.csv", "a,b\r1,2\r3,4\r"), vec![2, 3]);
    // Values are unaffected by the line ending.
    let path = write(&dir, "v.csv", "a,b\r\n1,\"2\"\r\n".as_bytes());
    assert_eq!(open(&path, InputFormat::Csv).expect("opens").next(), Some(row(2, &[Some("1"), Some("2")])));
}

#[test]
fn gb18030_csv_is_detected() {
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "gb.csv", &gb18030("统一社会信用代码,单位名称\n91110000MA01ABCD1X,北京某某科技有限公司\n"));
    let mut reader = open(&path, InputFormat::Csv).expect("opens");
    assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
    assert_eq!(reader.header(), ["统一社会信用代码", "单位名称"]);
    assert_eq!(reader.next(), Some(row(2, &[Some("91110000MA01ABCD1X"), Some("北京某某科技有限公司")])));
    assert_eq!(reader.next(), None);
}

#[test]
fn gb18030_csv_as_declared_and_a_wrong_declaration() {
    let dir = TempDir::new().expect("tempdir");
    // Long enough that a character straddles the decoder's read boundaries.
    let mut text = String::from("序号,名称\n");
    for i in 0..5000 {
        text.push_str(&format!("{i},第{i}号𠀀龘\n"));
    }
    let path = write(&dir, "gb.csv", &gb18030(&text));
    let opts = InputOptions { encoding: Some(Encoding::Gb18030), ..InputOptions::new(InputFormat::Csv) };
    let reader = RowReader::open(&path, &opts).expect("opens");
    assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
    let rows: Vec<RawRow> = reader.collect::<Result<_, _>>().expect("all rows valid");
    assert_eq!(rows.len(), 5000);
    assert_eq!(rows[4999], RawRow { number: 5001, cells: cells(&[Some("4999"), Some("第4999号𠀀龘")]) });

    // Declared UTF-8: the header already fails, with a hint at the encoding.
    let opts = InputOptions { encoding: Some(Encoding::Utf8), ..InputOptions::new(InputFormat::Csv) };
    let err = RowReader::open(&path, &opts).expect_err("not UTF-8");
    assert!(matches!(err, InputError::Encoding(_)), "{err:?}");
    assert!(err.to_string().contains("GB18030"), "{err}");
}

/// A GB 18030 file whose row 3 (data row 2) holds bytes that are not GB 18030.
fn undecodable_gb18030() -> Vec<u8> {
    let mut bytes = gb18030("编号,名称\n1,甲\n");
    bytes.extend_from_slice(b"2,\x81\x20\n");
    bytes.extend_from_slice(&gb18030("3,丙\n"));
    bytes
}

#[test]
fn undecodable_gb18030_bytes_are_a_row_error() {
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "bad.csv", &undecodable_gb18030());
    let items: Vec<_> = open(&path, InputFormat::Csv).expect("opens").collect();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0], row(2, &[Some("1"), Some("甲")]));
    let bad = items[1].clone().expect_err("undecodable");
    assert_eq!((bad.number, bad.column.as_deref()), (3, Some("名称")));
    assert!(bad.message.contains("GB18030"), "{bad}");
    assert_eq!(items[2], row(4, &[Some("3"), Some("丙")]));
}

#[test]
fn tab_delimited_is_detected_and_a_declared_delimiter_wins() {
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "t.tsv", "名称\t金额,元\t备注\n甲\t1,000\t\n".as_bytes());
    let mut reader = open(&path, InputFormat::Csv).expect("opens");
    assert_eq!(reader.header(), ["名称", "金额,元", "备注"]);
    assert_eq!(reader.next(), Some(row(2, &[Some("甲"), Some("1,000"), None])));

    let path = write(&dir, "s.csv", "a;b\n1;2\n".as_bytes());
    let opts = InputOptions { delimiter: Some(b';'), ..InputOptions::new(InputFormat::Csv) };
    let mut reader = RowReader::open(&path, &opts).expect("opens");
    assert_eq!(reader.header(), ["a", "b"]);
    assert_eq!(reader.next(), Some(row(2, &[Some("1"), Some("2")])));
}

#[test]
fn ragged_csv_rows_are_row_errors_and_reading_continues() {
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "r.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,,\n13,14,15\n");
    let items: Vec<_> = open(&path, InputFormat::Csv).expect("opens").collect();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0], row(2, &[Some("1"), Some("2"), Some("3")]));
    let short = items[1].clone().expect_err("short row");
    assert_eq!((short.number, short.fatal), (3, false));
    assert!(short.to_string().starts_with("第 3 行："), "{short}");
    assert!(short.message.contains("有 2 个单元格，但表头有 3 列"), "{short}");
    assert_eq!(items[2].clone().expect_err("long row").number, 4);
    // Trailing empty cells past the header are no data.
    assert_eq!(items[3], row(5, &[Some("10"), Some("11"), Some("12")]));
    assert_eq!(items[4], row(6, &[Some("13"), Some("14"), Some("15")]));
}

#[test]
fn csv_header_rules() {
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "d.csv", "姓名,年龄, 姓名 \n".as_bytes());
    match open(&path, InputFormat::Csv) {
        Err(InputError::DuplicateHeader { name, first, second }) => {
            assert_eq!((name.as_str(), first, second), ("姓名", 1, 3));
        }
        other => panic!("expected a duplicate header, got {other:?}"),
    }
    let path = write(&dir, "e.csv", b"a,,c\n1,2,3\n");
    assert!(matches!(open(&path, InputFormat::Csv), Err(InputError::EmptyHeader { column: 2 })));
    let path = write(&dir, "n.csv", b" , ,\n1,2,3\n");
    let err = open(&path, InputFormat::Csv).expect_err("no header");
    assert!(matches!(err, InputError::NoHeader));
    assert!(err.to_string().contains("文件没有表头"));
    // Trailing unnamed columns (an export's trailing delimiter) are dropped.
    let path = write(&dir, "t.csv", b"a,b,\n1,2,\n");
    let mut reader = open(&path, InputFormat::Csv).expect("opens");
    assert_eq!(reader.header(), ["a", "b"]);
    assert_eq!(reader.next(), Some(row(2, &[Some("1"), Some("2")])));
}

#[test]
fn empty_files_of_every_format() {
    let dir = TempDir::new().expect("tempdir");
    let empty = write(&dir, "empty", b"");
    for format in [InputFormat::Csv, InputFormat::Json, InputFormat::Ndjson] {
        assert!(matches!(open(&empty, format), Err(InputError::Empty)), "{format}");
    }
    let bom_only = write(&dir, "bom.csv", b"\xEF\xBB\xBF");
    assert!(matches!(open(&bom_only, InputFormat::Csv), Err(InputError::Empty)));
    let empty_array = write(&dir, "a.json", b" [ ] ");
    assert!(matches!(open(&empty_array, InputFormat::Json), Err(InputError::Empty)));
    let blank_lines = write(&dir, "b.ndjson", b"\n  \n\r\n");
    assert!(matches!(open(&blank_lines, InputFormat::Ndjson), Err(InputError::Empty)));
    assert!(matches!(open(&empty, InputFormat::Xlsx), Err(InputError::Xlsx(_))));
    assert!(matches!(open(&empty, InputFormat::Parquet), Err(InputError::Parquet(_))));
    let missing = dir.path().join("missing.csv");
    assert!(matches!(open(&missing, InputFormat::Csv), Err(InputError::Io { .. })));
}

#[test]
fn binary_garbage_as_csv_does_not_panic() {
    let dir = TempDir::new().expect("tempdir");
    // Pseudo-random bytes without NUL, so the text checks pass and GB 18030 decoding runs.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let garbage: Vec<u8> = (0..300_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .map(|b| if b == 0 { 1 } else { b })
        .collect();
    let path = write(&dir, "garbage.csv", &garbage);
    match open(&path, InputFormat::Csv) {
        Err(e) => assert!(!e.to_string().is_empty()),
        Ok(reader) => {
            assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
            let items: Vec<_> = reader.collect();
            assert!(items.iter().any(Result::is_err));
        }
    }
    // With NUL bytes it is refused outright.
    let path = write(&dir, "nul.csv", b"a,b\n\x00\x01\x02\n");
    assert!(matches!(open(&path, InputFormat::Csv), Err(InputError::Encoding(_))));
    // UTF-16 (Excel's "Unicode text") is named as such.
    let path = write(&dir, "u16.csv", b"\xFF\xFEa\x00,\x00b\x00");
    let err = open(&path, InputFormat::Csv).expect_err("UTF-16");
    assert!(err.to_string().contains("UTF-16"), "{err}");
}

#[test]
fn an_unclosed_quote_stops_with_a_fatal_error_instead_of_buffering_the_file() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("q.csv");
    let mut out = BufWriter::new(std::fs::File::create(&path).expect("create"));
    out.write_all(b"a,b\n1,2\n3,\"oops\n").expect("write");
    let line = [b'x'; 1023];
    for _ in 0..(MAX_RECORD_BYTES / 1024 + 200) {
        out.write_all(&line).expect("write");
        out.write_all(b"\n").expect("write");
    }
    out.flush().expect("flush");
    drop(out);
    let items: Vec<_> = open(&path, InputFormat::Csv).expect("opens").collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0], row(2, &[Some("1"), Some("2")]));
    let err = items[1].clone().expect_err("too large");
    assert!(err.fatal);
    assert!(err.message.contains("引号不成对"), "{err}");
}

#[test]
fn ndjson_with_a_bad_line_continues() {
    let dir = TempDir::new().expect("tempdir");
    let text = concat!(
        "\u{FEFF}{\"身份证号\": \"110101199003071234\", \"年龄\": 34, \"在职\": true, \"备注\": null}\r\n",
        "\n",
        "{\"身份证号\": \"11010119900307123X\", \"年龄\": 35.0\n",
        "{\"年龄\": 1.50, \"身份证号\": \"\"}\n",
        "{\"身份证号\": \"1\", \"电话\": \"123\"}\n",
        "[1, 2]\n",
        "{\"身份证号\": \"2\", \"备注\": {\"a\": 1}}\n",
        "{\"身份证号\": \"3\"}",
    );
    let path = write(&dir, "p.ndjson", text.as_bytes());
    let reader = open(&path, InputFormat::Ndjson).expect("opens");
    assert_eq!(reader.header(), ["身份证号", "年龄", "在职", "备注"]);
    assert_eq!(reader.encoding(), None);
    let items: Vec<_> = reader.collect();
    assert_eq!(items.len(), 7);
    assert_eq!(items[0], row(1, &[Some("110101199003071234"), Some("34"), Some("true"), None]));
    let bad = items[1].clone().expect_err("invalid JSON");
    assert_eq!((bad.number, bad.fatal), (3, false));
    assert!(bad.message.contains("不是有效的 JSON"), "{bad}");
    assert_eq!(items[2], row(4, &[None, Some("1.50"), None, None]));
    let unknown = items[3].clone().expect_err("unknown key");
    assert_eq!((unknown.number, unknown.column.as_deref()), (5, Some("电话")));
    assert!(items[4].clone().expect_err("not an object").message.contains("不是 JSON 对象"));
    let nested = items[5].clone().expect_err("nested");
    assert_eq!(nested.column.as_deref(), Some("备注"));
    assert!(nested.message.contains("嵌套的对象"), "{nested}");
    assert_eq!(items[6], row(8, &[Some("3"), None, None, None]));
}

#[test]
fn ndjson_first_line_must_be_an_object() {
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "p.ndjson", b"{\"a\": 1,}\n{\"a\": 2}\n");
    let err = open(&path, InputFormat::Ndjson).expect_err("bad first line");
    assert!(matches!(&err, InputError::Json { place, .. } if place == "第 1 行"), "{err:?}");
    let path = write(&dir, "d.ndjson", b"{\"a\": 1, \"a\": 2}\n");
    assert!(matches!(open(&path, InputFormat::Ndjson), Err(InputError::DuplicateHeader { .. })));
}

#[test]
fn json_array_with_a_nested_value_and_other_bad_elements() {
    let dir = TempDir::new().expect("tempdir");
    let text = r#"[
        {"名称": "甲", "数量": 12345678901234567890, "标签": null},
        {"名称": "乙", "数量": 2, "标签": ["a", "b"]},
        {"名称": "丙", "数量": -0.5e3},
        "文本",
        {"名称": "丁" "数量": 4},
        {"名称": "戊", "数量": 5, "数量": 6},
        {"标签": "x", "名称": "己"}
    ]"#;
    let path = write(&dir, "a.json", text.as_bytes());
    let reader = open(&path, InputFormat::Json).expect("opens");
    assert_eq!(reader.header(), ["名称", "数量", "标签"]);
    let items: Vec<_> = reader.collect();
    assert_eq!(items.len(), 7);
    assert_eq!(items[0], row(1, &[Some("甲"), Some("12345678901234567890"), None]));
    let nested = items[1].clone().expect_err("nested array");
    assert_eq!((nested.number, nested.unit, nested.column.as_deref()), (2, RowUnit::Element, Some("标签")));
    assert!(nested.to_string().starts_with("第 2 个元素「标签」列："), "{nested}");
    assert!(nested.message.contains("嵌套的数组"), "{nested}");
    assert_eq!(items[2], row(3, &[Some("丙"), Some("-0.5e3"), None]));
    assert_eq!(items[3].clone().expect_err("not an object").number, 4);
    assert_eq!(items[4].clone().expect_err("missing comma").number, 5);
    assert!(items[5].clone().expect_err("duplicate key").message.contains("重复"));
    assert_eq!(items[6], row(7, &[Some("己"), None, Some("x")]));
}

#[test]
fn json_array_truncated_or_not_an_array() {
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "t.json", br#"[{"a": 1}, {"a": 2}, {"a": "#);
    let items: Vec<_> = open(&path, InputFormat::Json).expect("opens").collect();
    assert_eq!(items.len(), 3);
    let last = items[2].clone().expect_err("truncated");
    assert!(last.fatal && last.message.contains("缺少 ]"), "{last}");

    let path = write(&dir, "x.json", br#"[{"a": 1}] {"#);
    let items: Vec<_> = open(&path, InputFormat::Json).expect("opens").collect();
    assert_eq!(items.len(), 2);
    assert!(items[1].clone().expect_err("trailing").fatal);

    let path = write(&dir, "o.json", br#"{"a": 1}"#);
    let err = open(&path, InputFormat::Json).expect_err("an object");
    assert!(err.to_string().contains("NDJSON"), "{err}");
}

#[test]
fn json_array_of_50_mb_is_streamed() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("big.json");
    let mut out = BufWriter::new(std::fs::File::create(&path).expect("create"));
    const ROWS: u64 = 300_000;
    let padding = "某".repeat(40);
    out.write_all(b"[\n").expect("write");
    for i in 0..ROWS {
        let sep = if i + 1 < ROWS { "," } else { "" };
        writeln!(out, r#"{{"id": {i}, "name": "name \"{i}\"", "note": "{padding}", "ok": true}}{sep}"#).expect("write");
    }
    out.write_all(b"]\n").expect("write");
    out.flush().expect("flush");
    drop(out);
    assert!(std::fs::metadata(&path).expect("stat").len() > 50_000_000);

    let reader = open(&path, InputFormat::Json).expect("opens");
    assert_eq!(reader.header(), ["id", "name", "note", "ok"]);
    let mut count = 0u64;
    for item in reader {
        let row = item.expect("valid row");
        count += 1;
        assert_eq!(row.number, count);
        if count == ROWS {
            assert_eq!(row.cells[0].as_deref(), Some("299999"));
            assert_eq!(row.cells[1].as_deref(), Some("name \"299999\""));
        }
    }
    assert_eq!(count, ROWS);
}

#[test]
fn xlsx_cells_as_text_with_the_long_number_error() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("a.xlsx");
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    {
        let sheet = workbook.add_worksheet().set_name("说明").expect("name");
        sheet.write_string(0, 0, "本表为示例").expect("write");
    }
    let sheet = workbook.add_worksheet().set_name("数据").expect("name");
    // A title-free sheet whose table starts at B2.
    for (c, name) in ["姓名", "年龄", "出生日期", "登记时间", "在职", "身份证号"].iter().enumerate() {
        sheet.write_string(1, c as u16 + 1, *name).expect("write");
    }
    sheet.write_string(2, 1, "张三").expect("write");
    sheet.write_number(2, 2, 18.0).expect("write");
    sheet.write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(1990, 3, 7).expect("date"), &date).expect("write");
    let at = ExcelDateTime::from_ymd(2024, 5, 6).expect("date").and_hms(8, 30, 15).expect("time");
    sheet.write_datetime_with_format(2, 4, at, &datetime).expect("write");
    sheet.write_boolean(2, 5, true).expect("write");
    sheet.write_string(2, 6, "110101199003071234").expect("write");
    // Row 4: the ID typed as a number.
    sheet.write_string(3, 1, "李四").expect("write");
    sheet.write_number(3, 2, 2.5).expect("write");
    sheet.write_number(3, 6, 110_101_199_003_071_234.0).expect("write");
    // Row 5 is empty but formatted; row 6 has data outside the header.
    sheet.write_blank(4, 1, &date).expect("write");
    sheet.write_string(5, 1, "王五").expect("write");
    sheet.write_string(5, 8, "多余").expect("write");
    sheet.write_string(6, 1, "赵六").expect("write");
    workbook.save(&path).expect("save");

    let opts = InputOptions { sheet: Some("数据".into()), ..InputOptions::new(InputFormat::Xlsx) };
    let reader = RowReader::open(&path, &opts).expect("opens");
    assert_eq!(reader.header(), ["姓名", "年龄", "出生日期", "登记时间", "在职", "身份证号"]);
    let items: Vec<_> = reader.collect();
    assert_eq!(items.len(), 4, "{items:?}");
    assert_eq!(
        items[0],
        row(
            3,
            &[
                Some("张三"),
                Some("18"),
                Some("1990-03-07"),
                Some("2024-05-06 08:30:15"),
                Some("true"),
                Some("110101199003071234")
            ]
        )
    );
    let long = items[1].clone().expect_err("18-digit number");
    assert_eq!((long.number, long.column.as_deref()), (4, Some("身份证号")));
    assert!(long.message.contains("身份证号等长数字须以文本格式保存"), "{long}");
    let outside = items[2].clone().expect_err("outside the header");
    assert_eq!((outside.number, outside.column.as_deref()), (6, Some("I 列")));
    assert_eq!(items[3], row(7, &[Some("赵六"), None, None, None, None, None]));

    // The first sheet by default; a missing sheet is named.
    let reader = open(&path, InputFormat::Xlsx).expect("opens");
    assert_eq!(reader.header(), ["本表为示例"]);
    assert_eq!(reader.count(), 0);
    let opts = InputOptions { sheet: Some("汇总".into()), ..InputOptions::new(InputFormat::Xlsx) };
    let err = RowReader::open(&path, &opts).expect_err("no such sheet");
    assert!(err.to_string().contains("说明、数据"), "{err}");
}

#[test]
fn xlsx_header_rules_and_a_non_xlsx_file() {
    use rust_xlsxwriter::Workbook;

    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("d.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "编号").expect("write");
    sheet.write_string(0, 2, "名称").expect("write");
    workbook.save(&path).expect("save");
    assert!(matches!(open(&path, InputFormat::Xlsx), Err(InputError::EmptyHeader { column: 2 })));

    let path = dir.path().join("e.xlsx");
    let mut workbook = Workbook::new();
    workbook.add_worksheet();
    workbook.save(&path).expect("save");
    assert!(matches!(open(&path, InputFormat::Xlsx), Err(InputError::Empty)));

    let path = write(&dir, "x.xlsx", b"a,b\n1,2\n");
    let err = open(&path, InputFormat::Xlsx).expect_err("not a workbook");
    assert!(err.to_string().contains(".xlsx"), "{err}");
}

#[test]
fn parquet_columns_as_text() {
    use datafusion::arrow::array::TimestampSecondArray;
    use datafusion::arrow::array::{ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::file::properties::WriterProperties;

    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("p.parquet");
    let schema = Arc::new(Schema::new(vec![
        Field::new("名称", DataType::Utf8, true),
        Field::new("数量", DataType::Int64, true),
        Field::new("金额", DataType::Float64, true),
        Field::new("日期", DataType::Date32, true),
        Field::new("时间", DataType::Timestamp(TimeUnit::Second, None), true),
        Field::new("有效", DataType::Boolean, true),
    ]));
    const ROWS: usize = 20_000;
    let names: Vec<Option<String>> = (0..ROWS).map(|i| if i == 1 { None } else { Some(format!("单位{i}")) }).collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(names)),
        Arc::new(Int64Array::from((0..ROWS as i64).collect::<Vec<_>>())),
        Arc::new(Float64Array::from(vec![12.5; ROWS])),
        Arc::new(Date32Array::from(vec![19_723; ROWS])),
        Arc::new(TimestampSecondArray::from(vec![1_704_164_645; ROWS])),
        Arc::new(BooleanArray::from(vec![Some(true); ROWS])),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("batch");
    let file = std::fs::File::create(&path).expect("create");
    // Small row groups, so the reader crosses several.
    let props = WriterProperties::builder().set_max_row_group_row_count(Some(3000)).build();
    let mut writer = ArrowWriter::try_new(file, schema, Some(props)).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");

    let reader = open(&path, InputFormat::Parquet).expect("opens");
    assert_eq!(reader.header(), ["名称", "数量", "金额", "日期", "时间", "有效"]);
    let rows: Vec<RawRow> = reader.collect::<Result<_, _>>().expect("all rows");
    assert_eq!(rows.len(), ROWS);
    assert_eq!(
        rows[0],
        RawRow {
            number: 1,
            cells: cells(&[
                Some("单位0"),
                Some("0"),
                Some("12.5"),
                Some("2024-01-01"),
                Some("2024-01-02T03:04:05"),
                Some("true")
            ])
        }
    );
    assert_eq!(rows[1].cells[0], None);
    assert_eq!(rows[ROWS - 1].number, ROWS as u64);
    assert_eq!(rows[ROWS - 1].cells[1].as_deref(), Some("19999"));
}

#[test]
fn parquet_nested_columns_are_refused() {
    use datafusion::arrow::array::{Array, ArrayRef, Int32Array, ListArray};
    use datafusion::arrow::datatypes::{Field, Int32Type, Schema};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::parquet::arrow::ArrowWriter;

    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("n.parquet");
    let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), Some(2)])]);
    let ids: ArrayRef = Arc::new(Int32Array::from(vec![1]));
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", ids.data_type().clone(), true),
        Field::new("标签", list.data_type().clone(), true),
    ]));
    let batch = RecordBatch::try_new(schema.clone(), vec![ids, Arc::new(list)]).expect("batch");
    let mut writer = ArrowWriter::try_new(std::fs::File::create(&path).expect("create"), schema, None).expect("w");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
    match open(&path, InputFormat::Parquet) {
        Err(InputError::Parquet(message)) => assert!(message.contains("第 2 列「标签」"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_reader_can_move_to_a_blocking_thread() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<RowReader>();
    assert_send::<InputError>();
    assert_send::<RowError>();
}

#[test]
fn json_objects_may_leave_out_known_keys() {
    let dir = TempDir::new().expect("tempdir");
    // The first object has no 备注; a later one has it; an unknown key is still refused.
    let text = r#"[{"名称": "甲"}, {"名称": "乙", "备注": "补充"}, {"名称": "丙", "颜色": "红"}]"#;
    let path = write(&dir, "k.json", text.as_bytes());
    let known = vec!["名称".to_string(), "备注".to_string()];
    let opts = InputOptions { known_columns: known.clone(), ..InputOptions::new(InputFormat::Json) };
    let reader = RowReader::open(&path, &opts).expect("opens");
    assert_eq!(reader.header(), ["名称", "备注"]);
    let items: Vec<_> = reader.collect();
    assert_eq!(items[0], row(1, &[Some("甲"), None]));
    assert_eq!(items[1], row(2, &[Some("乙"), Some("补充")]));
    let unknown = items[2].clone().expect_err("unknown key");
    assert_eq!(unknown.column.as_deref(), Some("颜色"));
    // The same for NDJSON.
    let path = write(&dir, "k.ndjson", "{\"名称\": \"甲\"}\n{\"备注\": \"补\", \"名称\": \"乙\"}\n".as_bytes());
    let opts = InputOptions { known_columns: known, ..InputOptions::new(InputFormat::Ndjson) };
    let items: Vec<_> = RowReader::open(&path, &opts).expect("opens").collect();
    assert_eq!(items[1], row(2, &[Some("乙"), Some("补")]));
    // A known column differing only in ASCII case is the same column.
    let path = write(&dir, "c.json", r#"[{"id": "1"}]"#.as_bytes());
    let opts = InputOptions { known_columns: vec!["ID".into()], ..InputOptions::new(InputFormat::Json) };
    assert_eq!(RowReader::open(&path, &opts).expect("opens").header(), ["id"]);
    // Without known columns the first object decides, as before.
    let items: Vec<_> = open(&dir.path().join("k.json"), InputFormat::Json).expect("opens").collect();
    assert_eq!(items[1].clone().expect_err("not in the header").column.as_deref(), Some("备注"));
}

/// What reading by blocks of `rows` records gives, decoded and in row order: the rows the
/// iterator gives, with the same numbers, cells and errors.
fn by_blocks(path: &Path, opts: &InputOptions, rows: usize) -> Vec<Result<RawRow, RowError>> {
    let mut reader = RowReader::open(path, opts).expect("opens");
    let header = reader.header().to_vec();
    let mut out = Vec::new();
    loop {
        let mut cells = Vec::new();
        let mut block = RecordBlock::new();
        let more = reader.read_block(&mut block, rows);
        assert!(block.len() <= rows);
        let mut errors = block.errors().iter().cloned().peekable();
        for (i, &number) in block.numbers().iter().enumerate() {
            while let Some(e) = errors.next_if(|e| e.number < number) {
                out.push(Err(e));
            }
            out.push(match block.cells(i, &header, &mut cells) {
                Ok(()) => Ok(RawRow { number, cells: cells.iter().map(|c| non_empty(c.to_string())).collect() }),
                Err(e) => Err(e),
            });
        }
        out.extend(errors.map(Err));
        match more {
            Ok(true) => {}
            Ok(false) => return out,
            Err(e) => {
                out.push(Err(e));
                return out;
            }
        }
    }
}

#[test]
fn reading_by_blocks_gives_what_reading_row_by_row_gives() {
    let dir = TempDir::new().expect("tempdir");
    let undecodable = undecodable_gb18030();
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "bom.csv",
            "\u{FEFF} 姓名 ,地址,备注\r\n张三,\"北京市\r\n东城区\",\"他说：\"\"好\"\"\"\r\n\r\n李四,,\r\n,,\r\n王五,上海市,最后一行"
                .as_bytes()
                .to_vec(),
        ),
        ("lf.csv", b"\na,b\n1,2\n\n\n3,\"x\ny\"\n4,5".to_vec()),
        ("crlf.csv", b"a,b\r\n\r\n1,\"x\r\n\r\ny\"\r\n2,3\r\n".to_vec()),
        ("cr.csv", b"a,b\r1,2\r3,4\r".to_vec()),
        ("ragged.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,,\n13,14,15\n".to_vec()),
        ("not-utf8.csv", b"a,b\n1,\xff\n2,ok\n3,\xc3\n".to_vec()),
        ("gb.csv", undecodable),
        ("json.json", "[{\"a\":1,\"b\":\"甲\"},{\"a\":[1]},{\"a\":2,\"b\":null}]".as_bytes().to_vec()),
        ("nd.ndjson", "{\"a\":1}\nnot json\n{\"a\":\"二\"}\n".as_bytes().to_vec()),
    ];
    for (name, bytes) in files {
        let path = write(&dir, name, &bytes);
        let opts = InputOptions::new(InputFormat::from_name(name).expect("a format"));
        let alone: Vec<_> = RowReader::open(&path, &opts).expect("opens").collect();
        assert!(!alone.is_empty(), "{name}");
        for rows in [1, 2, 1000] {
            assert_eq!(by_blocks(&path, &opts, rows), alone, "{name} in blocks of {rows}");
        }
    }
}

#[test]
fn a_fatal_error_ends_reading_by_blocks_too() {
    let dir = TempDir::new().expect("tempdir");
    let mut text = b"a,b\n1,2\n3,\"oops\n".to_vec();
    text.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + 300 * 1024));
    let path = write(&dir, "q.csv", &text);
    let got = by_blocks(&path, &InputOptions::new(InputFormat::Csv), 10);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], row(2, &[Some("1"), Some("2")]));
    let err = got[1].clone().expect_err("too large");
    assert!(err.fatal && err.message.contains("引号不成对"), "{err}");
}
