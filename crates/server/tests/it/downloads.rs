//! Downloads of a version or a query result in every format: each file read back (Parquet with
//! the data crate's Parquet reader, XLSX with calamine) carries exactly the rows the query API
//! returns; filters are scope-checked like queries; bad formats and filters are 400s.

use calamine::{Data, Reader, Xlsx};
use serde_json::{Map, Value, json};

use crate::app::{Resp, TestApp, both, resource};

both!(every_format_round_trips);
both!(filtered_downloads_and_refusals);

const CSV: &str = "公民身份号码,姓名,出生日期,家庭人口,月收入\n\
11010519491231002X,张三,1949-12-31,3,3500.50\n\
440524188001010014,李四,1880-01-01,1,\n\
110101199003071233,王五,1990-03-07,4,12000\n\
110108200001011237,赵六,2000-01-01,,800.25\n";

/// An unconditional resource of department A whose 姓名 item is conditional (outside department
/// B's scope), with a number and a decimal item, and version 1 published from [`CSV`].
async fn with_data(app: &TestApp) -> String {
    let mut body = resource("低保家庭成员信息", "307001");
    body["share_type"] = json!("unconditional");
    body["share_condition"] = Value::Null;
    body["data_items"][1]["share_type"] = json!("conditional");
    body["data_items"][1]["share_condition"] = json!("仅限户籍业务");
    let items = body["data_items"].as_array_mut().unwrap();
    items.push(json!({"name": "家庭人口", "data_type": "I"}));
    items.push(json!({"name": "月收入", "data_type": "Y"}));
    let r = app.json("POST", "/api/v1/resources", "a_editor", body).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let key = r.body["code"].as_str().unwrap().replace('/', "%2F");
    app.json("POST", &format!("/api/v1/resources/{key}/submit"), "a_editor", json!({})).await;
    let p = app.json("POST", &format!("/api/v1/resources/{key}/publish"), "a_approver", json!({})).await;
    assert_eq!(p.body["status"], "published", "{}", p.body);
    let r = app
        .upload(&format!("/api/v1/resources/{key}/versions"), "a_provider", &[("file", "p.csv", CSV.as_bytes())])
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    assert_eq!(r.body["version"]["row_count"], 4);
    key
}

fn purpose() -> Value {
    json!({"kind": "data_verification", "description": "核对低保申请人家庭信息"})
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The query API's answer: the columns and the rows.
async fn query(app: &TestApp, key: &str, who: &str, filters: Value) -> (Vec<String>, Vec<Map<String, Value>>) {
    let r = app
        .json(
            "POST",
            &format!("/api/v1/resources/{key}/query"),
            who,
            json!({"purpose": purpose(), "filters": filters, "limit": 1000}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let columns = r.body["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    let rows = r.body["rows"].as_array().unwrap().iter().map(|r| r.as_object().unwrap().clone()).collect();
    (columns, rows)
}

async fn download(app: &TestApp, key: &str, who: &str, params: &str) -> Resp {
    let purpose = enc("数据校核:核对低保申请人家庭信息");
    app.get(&format!("/api/v1/resources/{key}/download?purpose={purpose}&{params}"), who).await
}

/// A query API value as the text a file carries (numbers compared as numbers by the caller).
fn text(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

/// The same value, whatever its spelling: `3500.5` and `3500.5000` are equal.
fn same(file: Option<&str>, api: Option<&Value>) -> bool {
    match (file, text(api)) {
        (None, None) => true,
        (Some(f), Some(a)) => f == a || matches!((f.parse::<f64>(), a.parse::<f64>()), (Ok(x), Ok(y)) if x == y),
        _ => false,
    }
}

fn header(r: &Resp, content_type: &str, ext: &str) {
    assert_eq!(r.status.as_u16(), 200, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.headers["content-type"], content_type);
    let disposition = r.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=") && disposition.ends_with(&format!(".{ext}\"")));
}

/// The rows of a Parquet file, as text, read by the data crate's Parquet reader.
fn parquet_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"), "not a whole Parquet file");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let opts = data::input::InputOptions::new(data::input::InputFormat::Parquet);
    let reader = data::input::RowReader::open(file.path(), &opts).unwrap();
    let header = reader.header().to_vec();
    let rows = reader.map(|r| r.unwrap().cells).collect();
    (header, rows)
}

fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(book.sheet_names(), vec!["数据".to_string()]);
    let range = book.worksheet_range("数据").unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

/// An XLSX cell as the text the query API would give, and whether its type is the right one.
fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Float(f) => Some(f.to_string()),
        Data::Int(i) => Some(i.to_string()),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) => {
            // Serial days since 1899-12-30 (dates from 1900-03-01 on).
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
            Some((epoch + chrono::Days::new(d.as_f64().floor() as u64)).format("%Y-%m-%d").to_string())
        }
        other => panic!("unexpected cell {other:?}"),
    }
}

/// The query API's row with this key (the first column, 公民身份号码).
fn by_key<'a>(
    rows: &'a [serde_json::Map<String, serde_json::Value>],
    key: Option<&str>,
) -> &'a serde_json::Map<String, serde_json::Value> {
    rows.iter()
        .find(|r| r.get("公民身份号码").and_then(|v| v.as_str()) == key)
        .unwrap_or_else(|| panic!("no row with key {key:?} in {rows:?}"))
}

async fn every_format_round_trips(app: TestApp) {
    let key = with_data(&app).await;
    let (columns, rows) = query(&app, &key, "b_consumer", json!([])).await;
    assert_eq!(columns, ["公民身份号码", "出生日期", "家庭人口", "月收入"], "姓名 is outside B's scope");
    assert_eq!(rows.len(), 4);

    // Parquet: streamed, the same rows (downloads are not sorted, and each one's row order
    // carries its fingerprint: rows are matched by key).
    let r = download(&app, &key, "b_consumer", "format=parquet").await;
    header(&r, "application/vnd.apache.parquet", "parquet");
    let (head, got) = parquet_rows(&r.bytes);
    assert_eq!(head, columns);
    assert_eq!(got.len(), rows.len());
    for file_row in &got {
        let api_row = by_key(&rows, file_row[0].as_deref());
        for (cell, c) in file_row.iter().zip(&columns) {
            assert!(same(cell.as_deref(), api_row.get(c)), "{c}: {cell:?} vs {:?}", api_row.get(c));
        }
    }

    // XLSX: a bold frozen header, identifiers as text cells, dates as dates (before 1900, which
    // Excel cannot represent, as ISO text), numbers as numbers, nulls as empty cells.
    let r = download(&app, &key, "b_consumer", "format=xlsx").await;
    header(&r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx");
    let sheet = xlsx_rows(&r.bytes);
    assert_eq!(sheet[0].iter().map(|c| c.to_string()).collect::<Vec<_>>(), columns);
    assert_eq!(sheet.len(), rows.len() + 1);
    for file_row in &sheet[1..] {
        assert!(matches!(file_row[0], Data::String(_)), "the identifier is a text cell: {:?}", file_row[0]);
        let api_row = by_key(&rows, cell_text(&file_row[0]).as_deref());
        for (cell, c) in file_row.iter().zip(&columns) {
            assert!(same(cell_text(cell).as_deref(), api_row.get(c)), "{c}: {cell:?} vs {:?}", api_row.get(c));
        }
    }
    let by_id = |id: &str| sheet.iter().find(|r| r[0] == Data::String(id.into())).unwrap().clone();
    assert!(matches!(by_id("11010519491231002X")[1], Data::DateTime(_)));
    assert_eq!(by_id("440524188001010014")[1], Data::String("1880-01-01".into()));
    assert_eq!(by_id("11010519491231002X")[2], Data::Float(3.0));
    assert_eq!(by_id("11010519491231002X")[3], Data::Float(3500.5));
    assert_eq!(by_id("440524188001010014")[3], Data::Empty);

    // CSV and NDJSON carry the same rows.
    let r = download(&app, &key, "b_consumer", "format=csv").await;
    header(&r, "text/csv; charset=utf-8", "csv");
    let csv = String::from_utf8(r.bytes.clone()).unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next(), Some("公民身份号码,出生日期,家庭人口,月收入"));
    assert_eq!(lines.count(), rows.len());
    let r = download(&app, &key, "b_consumer", "format=ndjson").await;
    header(&r, "application/x-ndjson", "ndjson");
    let mut objs: Vec<Map<String, Value>> =
        String::from_utf8_lossy(&r.bytes).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let key_of = |m: &Map<String, Value>| m["公民身份号码"].as_str().unwrap_or_default().to_string();
    objs.sort_by_key(key_of);
    let mut sorted = rows.clone();
    sorted.sort_by_key(key_of);
    assert_eq!(objs, sorted);

    // The providing department downloads everything, the conditional item included.
    let r = download(&app, &key, "a_provider", "format=xlsx&fields=%E5%A7%93%E5%90%8D").await;
    header(&r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx");
    let mut names: Vec<String> = xlsx_rows(&r.bytes).iter().map(|r| r[0].to_string()).collect();
    names[1..].sort();
    assert_eq!(names, ["姓名", "张三", "李四", "王五", "赵六"]);
    let r = download(&app, &key, "a_provider", "format=parquet").await;
    let (head, got) = parquet_rows(&r.bytes);
    assert_eq!(head, ["公民身份号码", "姓名", "出生日期", "家庭人口", "月收入"]);
    assert_eq!(got.len(), 4);

    // An empty result is still a valid file with its header.
    let none = enc(r#"[{"field":"公民身份号码","op":"eq","value":"nobody"}]"#);
    let r = download(&app, &key, "b_consumer", &format!("format=parquet&filters={none}")).await;
    let (head, got) = parquet_rows(&r.bytes);
    assert_eq!((head, got.len()), (columns.clone(), 0));
    let r = download(&app, &key, "b_consumer", &format!("format=xlsx&filters={none}")).await;
    assert_eq!(xlsx_rows(&r.bytes).len(), 1);
}

async fn filtered_downloads_and_refusals(app: TestApp) {
    let key = with_data(&app).await;
    // A filtered CSV: the query result, as a file.
    let filters = json!([
        {"field": "出生日期", "op": "ge", "value": "1949-01-01"},
        {"field": "公民身份号码", "op": "prefix", "value": "1101"}
    ]);
    let (columns, rows) = query(&app, &key, "b_consumer", filters.clone()).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    let r = download(&app, &key, "b_consumer", &format!("format=csv&filters={}", enc(&filters.to_string()))).await;
    header(&r, "text/csv; charset=utf-8", "csv");
    let csv = String::from_utf8(r.bytes.clone()).unwrap();
    // No value here needs quoting, so a line is its cells joined by commas.
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next().unwrap().split(',').collect::<Vec<_>>(), columns);
    let got: Vec<&str> = lines.collect();
    assert_eq!(got.len(), rows.len());
    for line in &got {
        let api_row = by_key(&rows, line.split(',').next());
        for (cell, c) in line.split(',').zip(&columns) {
            let cell = Some(cell).filter(|c| !c.is_empty());
            assert!(same(cell, api_row.get(c)), "{c}: {cell:?} vs {:?}", api_row.get(c));
        }
    }
    // Filters and fields together, in a format with a row limit.
    let one = enc(r#"[{"field":"家庭人口","op":"gt","value":3}]"#);
    let r =
        download(&app, &key, "b_consumer", &format!("format=xlsx&fields={}&filters={one}", enc("公民身份号码"))).await;
    header(&r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx");
    assert_eq!(
        xlsx_rows(&r.bytes),
        vec![vec![Data::String("公民身份号码".into())], vec![Data::String("110101199003071233".into())]]
    );

    // A filter on an item outside the scope is refused in every format, before anything is read.
    let hidden = enc(r#"[{"field":"姓名","op":"eq","value":"张三"}]"#);
    for format in ["csv", "ndjson", "parquet", "xlsx"] {
        let r = download(&app, &key, "b_consumer", &format!("format={format}&filters={hidden}")).await;
        assert_eq!(r.status.as_u16(), 403, "{format}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "access_denied");
        assert!(r.body["error"]["message"].as_str().unwrap().contains("姓名"), "{}", r.body);
    }
    // Its own department may filter on it.
    let r = download(&app, &key, "a_provider", &format!("format=ndjson&filters={hidden}")).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(String::from_utf8_lossy(&r.bytes).lines().count(), 1);

    // An unknown format, and filters that are not a JSON array of filters, are 400s.
    let r = download(&app, &key, "b_consumer", "format=xls").await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.body);
    assert_eq!(
        (r.body["error"]["code"].as_str(), r.body["error"]["field"].as_str()),
        (Some("invalid_format"), Some("format"))
    );
    assert!(r.body["error"]["message"].as_str().unwrap().contains("parquet、xlsx"), "{}", r.body);
    for (bad, field) in [
        ("not json", "filters"),
        (r#"{"field":"出生日期"}"#, "filters"),
        (r#"[{"field":"出生日期","op":"like","value":"1"}]"#, "filters[0].op"),
        (r#"[{"field":"出生日期","op":"eq","value":"1","extra":1}]"#, "filters[0]"),
    ] {
        let r = download(&app, &key, "b_consumer", &format!("format=csv&filters={}", enc(bad))).await;
        assert_eq!(r.status.as_u16(), 400, "{bad}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "invalid_query", "{bad}: {}", r.body);
        assert!(r.body["error"]["field"].as_str().unwrap().starts_with(field), "{bad}: {}", r.body);
    }
    // A filter whose value does not fit its operator is the query API's 422.
    let r = download(
        &app,
        &key,
        "b_consumer",
        &format!("format=csv&filters={}", enc(r#"[{"field":"出生日期","op":"in","value":"x"}]"#)),
    )
    .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);

    // The audit trail names the format and the filtered fields of each download, and the refusals.
    let a = app.get("/api/v1/audit?action=data.&limit=500", "auditor").await;
    let events = a.body["items"].as_array().unwrap();
    assert!(
        events.iter().any(|e| e["action"] == "data.download"
            && e["detail"]["format"] == "xlsx"
            && e["detail"]["filters"] == json!(["家庭人口"])),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e["action"] == "data.read_denied" && e["username"] == "b_consumer"));
}
