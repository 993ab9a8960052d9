//! JSON uploads: a top-level array of flat objects, or NDJSON (one flat object per line).
//!
//! Neither is ever held whole. NDJSON is read line by line. A JSON array is cut into its elements
//! by a small scanner that tracks strings and nesting depth, so only one element is in memory at a
//! time. Each element or line is then parsed by a strict parser of flat objects that keeps keys in
//! document order and numbers exactly as written (`1.50` stays `1.50`, a 20-digit number keeps all
//! its digits), and decodes strings with `serde_json`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::encoding::UTF8_BOM;
use super::{InputError, MAX_RECORD_BYTES, RawRow, RowError, RowUnit, check_header, non_empty};

const BUFFER_BYTES: usize = 64 * 1024;

/// One value of a flat object.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Null,
    /// A string (decoded), a number (as written) or `true`/`false`.
    Text(String),
    /// A nested object or array: "对象" or "数组".
    Nested(&'static str),
}

/// Why a piece of JSON is not a flat object.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ParseError {
    /// Valid start, but not an object (`[1]`, `"x"`, `42`).
    NotObject,
    Syntax(String),
}

impl ParseError {
    fn message(&self) -> String {
        match self {
            ParseError::NotObject => "不是 JSON 对象（{...}），每一行数据须是一个对象".into(),
            ParseError::Syntax(message) => message.clone(),
        }
    }
}

/// Maps header names to their columns and turns parsed objects into rows.
struct Columns {
    header: Vec<String>,
    index: HashMap<String, usize>,
    unit: RowUnit,
}

impl Columns {
    /// The header from the keys of the first object, checked like any header, followed by the
    /// known columns the first object left out.
    fn from_first(fields: &[(String, Value)], unit: RowUnit, known: &[String]) -> Result<Columns, InputError> {
        let mut header = check_header(fields.iter().enumerate().map(|(i, (key, _))| (i + 1, key.clone())).collect())?;
        for k in known {
            // Matched as the row checker matches names to items (ASCII case aside).
            if !header.iter().any(|h| h.eq_ignore_ascii_case(k.trim())) {
                header.push(k.trim().to_string());
            }
        }
        // Trailing empty keys are dropped by `check_header`; an object whose keys are all empty
        // fails there. A dropped trailing empty key is not a column.
        let index = header.iter().enumerate().map(|(i, name)| (name.clone(), i)).collect();
        Ok(Columns { header, index, unit })
    }

    fn row(&self, number: u64, fields: Vec<(String, Value)>) -> Result<RawRow, RowError> {
        let mut cells: Vec<Option<String>> = vec![None; self.header.len()];
        let mut seen = vec![false; self.header.len()];
        for (key, value) in fields {
            let name = key.trim();
            let Some(&column) = self.index.get(name) else {
                if name.is_empty() && matches!(value, Value::Null) {
                    continue;
                }
                let first = match self.unit {
                    RowUnit::Element => "第 1 个元素",
                    RowUnit::Row => "第一行",
                };
                return Err(RowError::new(
                    number,
                    self.unit,
                    format!("字段不在表头中（表头取自{first}的字段和该资源的信息项）"),
                )
                .in_column(name));
            };
            if std::mem::replace(&mut seen[column], true) {
                return Err(RowError::new(number, self.unit, "字段重复出现").in_column(name));
            }
            cells[column] = match value {
                Value::Null => None,
                Value::Text(text) => non_empty(text),
                Value::Nested(kind) => {
                    return Err(RowError::new(
                        number,
                        self.unit,
                        format!("值是嵌套的{kind}，每个字段须为单个值（文本、数字、true/false 或 null）"),
                    )
                    .in_column(name));
                }
            };
        }
        Ok(RawRow { number, cells })
    }
}

/// The rows of a JSON array.
pub(crate) struct ArraySource {
    splitter: ArraySplitter<BufReader<File>>,
    columns: Columns,
    /// The first element, parsed while reading the header.
    pending: Option<Result<RawRow, RowError>>,
}

impl ArraySource {
    pub(crate) fn open(path: &Path, known: &[String]) -> Result<(Vec<String>, ArraySource), InputError> {
        let file = File::open(path).map_err(|e| InputError::io(path, e))?;
        let mut reader = BufReader::with_capacity(BUFFER_BYTES, file);
        skip_bom(&mut reader).map_err(|e| InputError::io(path, e))?;
        let mut splitter = ArraySplitter::new(reader);
        match splitter.peek_non_ws().map_err(|e| InputError::io(path, e))? {
            None => return Err(InputError::Empty),
            Some(b'[') => splitter.reader.consume(1),
            Some(b'{') => {
                return Err(InputError::Json {
                    place: "开头".into(),
                    message: "顶层须是数组（[{...}, {...}]）；每行一个对象的文件请按 NDJSON 格式上传".into(),
                });
            }
            Some(_) => {
                return Err(InputError::Json {
                    place: "开头".into(),
                    message: "顶层须是对象组成的数组（[{...}, {...}]），文件可能不是 JSON".into(),
                });
            }
        }
        let first = splitter.next_element().map_err(|e| InputError::io(path, e))?;
        let place = || "第 1 个元素".to_owned();
        let fields = match first {
            Step::End => return Err(InputError::Empty),
            Step::Trailing => {
                return Err(InputError::Json {
                    place: "数组结束后".into(), message: "还有多余的内容".into()
                });
            }
            Step::Truncated => {
                return Err(InputError::Json { place: place(), message: truncated_message().into() });
            }
            Step::TooLarge => return Err(InputError::Json { place: place(), message: too_large_message() }),
            Step::Element => {
                parse_object(&splitter.buf).map_err(|e| InputError::Json { place: place(), message: e.message() })?
            }
        };
        let columns = Columns::from_first(&fields, RowUnit::Element, known)?;
        let pending = Some(columns.row(1, fields));
        let header = columns.header.clone();
        Ok((header, ArraySource { splitter, columns, pending }))
    }

    pub(crate) fn next_row(&mut self) -> Option<Result<RawRow, RowError>> {
        if let Some(first) = self.pending.take() {
            return Some(first);
        }
        let number = self.splitter.count + 1;
        let unit = RowUnit::Element;
        let step = match self.splitter.next_element() {
            Ok(step) => step,
            Err(e) => return Some(Err(RowError::new(number, unit, format!("读取失败：{e}")).fatal())),
        };
        Some(match step {
            Step::End => return None,
            Step::Element => match parse_object(&self.splitter.buf) {
                Ok(fields) => self.columns.row(number, fields),
                Err(e) => Err(RowError::new(number, unit, e.message())),
            },
            Step::TooLarge => Err(RowError::new(number, unit, too_large_message())),
            Step::Truncated => Err(RowError::new(number, unit, truncated_message()).fatal()),
            Step::Trailing => Err(RowError::new(number, unit, "数组结束（]）后还有多余的内容").fatal()),
        })
    }
}

fn truncated_message() -> &'static str {
    "JSON 数组没有结束（缺少 ]），文件可能不完整"
}

fn too_large_message() -> String {
    format!("超过 {} MiB，已跳过", MAX_RECORD_BYTES / (1024 * 1024))
}

/// What [`ArraySplitter::next_element`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// An element's bytes are in `buf`.
    Element,
    /// An element larger than [`MAX_RECORD_BYTES`] was skipped.
    TooLarge,
    /// The array ended (`]`), followed by nothing but whitespace.
    End,
    /// The array ended but something other than whitespace follows.
    Trailing,
    /// The file ended inside the array.
    Truncated,
}

/// Cuts a top-level JSON array into the bytes of its elements, one at a time.
struct ArraySplitter<R> {
    reader: R,
    /// The bytes of the last element.
    buf: Vec<u8>,
    /// Elements returned so far.
    count: u64,
    /// The closing `]` has been read.
    closed: bool,
    /// `End`/`Trailing` has been returned.
    finished: bool,
}

impl<R: BufRead> ArraySplitter<R> {
    fn new(reader: R) -> Self {
        ArraySplitter { reader, buf: Vec::new(), count: 0, closed: false, finished: false }
    }

    /// The next byte that is not JSON whitespace, not consumed; `None` at end of file.
    fn peek_non_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(None);
            }
            match chunk.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
                Some(i) => {
                    let b = chunk[i];
                    self.reader.consume(i);
                    return Ok(Some(b));
                }
                None => {
                    let n = chunk.len();
                    self.reader.consume(n);
                }
            }
        }
    }

    /// Reads the next element (after the opening `[` or a `,`) up to the `,` or `]` that ends it.
    fn next_element(&mut self) -> io::Result<Step> {
        self.buf.clear();
        if self.finished {
            return Ok(Step::End);
        }
        if self.closed {
            self.finished = true;
            return Ok(match self.peek_non_ws()? {
                None => Step::End,
                Some(_) => Step::Trailing,
            });
        }
        match self.peek_non_ws()? {
            None => {
                self.finished = true;
                return Ok(Step::Truncated);
            }
            // `[]`, or a trailing comma before `]`.
            Some(b']') => {
                self.reader.consume(1);
                self.closed = true;
                return self.next_element();
            }
            Some(_) => {}
        }
        let (mut depth, mut in_string, mut escaped, mut too_large) = (0usize, false, false, false);
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                self.finished = true;
                return Ok(Step::Truncated);
            }
            let mut i = 0;
            // (index of the terminating byte, whether it closes the array)
            let mut end: Option<(usize, bool)> = None;
            while i < chunk.len() {
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    // Jump to the next quote or backslash.
                    match chunk[i..].iter().position(|&c| c == b'"' || c == b'\\') {
                        Some(j) => {
                            i += j;
                            if chunk[i] == b'"' {
                                in_string = false;
                            } else {
                                escaped = true;
                            }
                        }
                        None => {
                            i = chunk.len();
                            continue;
                        }
                    }
                } else {
                    match chunk[i] {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' => depth = depth.saturating_sub(1),
                        b']' if depth == 0 => {
                            end = Some((i, true));
                            break;
                        }
                        b']' => depth -= 1,
                        b',' if depth == 0 => {
                            end = Some((i, false));
                            break;
                        }
                        _ => {}
                    }
                }
                i += 1;
            }
            if !too_large {
                if self.buf.len() + i > MAX_RECORD_BYTES {
                    too_large = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(&chunk[..i]);
                }
            }
            match end {
                Some((_, closes)) => {
                    self.reader.consume(i + 1);
                    self.closed = closes;
                    self.count += 1;
                    return Ok(if too_large { Step::TooLarge } else { Step::Element });
                }
                None => self.reader.consume(i),
            }
        }
    }
}

/// The rows of an NDJSON file.
pub(crate) struct NdjsonSource {
    reader: BufReader<File>,
    line: u64,
    buf: Vec<u8>,
    columns: Columns,
    pending: Option<Result<RawRow, RowError>>,
}

/// What [`NdjsonSource::read_line`] found.
enum Line {
    /// A line is in `buf` (without its line break).
    Text,
    /// A line longer than [`MAX_RECORD_BYTES`] was skipped.
    TooLarge,
    Eof,
}

impl NdjsonSource {
    pub(crate) fn open(path: &Path, known: &[String]) -> Result<(Vec<String>, NdjsonSource), InputError> {
        let file = File::open(path).map_err(|e| InputError::io(path, e))?;
        let mut reader = BufReader::with_capacity(BUFFER_BYTES, file);
        skip_bom(&mut reader).map_err(|e| InputError::io(path, e))?;
        let (mut line, mut buf) = (0u64, Vec::new());
        loop {
            match read_line(&mut reader, &mut line, &mut buf).map_err(|e| InputError::io(path, e))? {
                Line::Eof => return Err(InputError::Empty),
                Line::TooLarge => {
                    return Err(InputError::Json { place: format!("第 {line} 行"), message: too_large_message() });
                }
                Line::Text if is_blank(&buf) => continue,
                Line::Text => {
                    let fields = parse_object(&buf)
                        .map_err(|e| InputError::Json { place: format!("第 {line} 行"), message: e.message() })?;
                    let columns = Columns::from_first(&fields, RowUnit::Row, known)?;
                    let pending = Some(columns.row(line, fields));
                    let header = columns.header.clone();
                    return Ok((header, NdjsonSource { reader, line, buf, columns, pending }));
                }
            }
        }
    }

    pub(crate) fn next_row(&mut self) -> Option<Result<RawRow, RowError>> {
        if let Some(first) = self.pending.take() {
            return Some(first);
        }
        loop {
            let step = match read_line(&mut self.reader, &mut self.line, &mut self.buf) {
                Ok(step) => step,
                Err(e) => {
                    return Some(Err(RowError::new(self.line + 1, RowUnit::Row, format!("读取失败：{e}")).fatal()));
                }
            };
            let line = self.line;
            return Some(match step {
                Line::Eof => return None,
                Line::Text if is_blank(&self.buf) => continue,
                Line::Text => match parse_object(&self.buf) {
                    Ok(fields) => self.columns.row(line, fields),
                    Err(e) => Err(RowError::new(line, RowUnit::Row, e.message())),
                },
                Line::TooLarge => Err(RowError::new(line, RowUnit::Row, too_large_message())),
            });
        }
    }
}

/// Reads one line into `buf` (without `\n` / `\r\n`), counting it in `line`; a line longer than
/// [`MAX_RECORD_BYTES`] is skipped to its end without being buffered.
fn read_line(reader: &mut BufReader<File>, line: &mut u64, buf: &mut Vec<u8>) -> io::Result<Line> {
    buf.clear();
    let n = reader.by_ref().take(MAX_RECORD_BYTES as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(Line::Eof);
    }
    *line += 1;
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Line::Text);
    }
    if buf.len() <= MAX_RECORD_BYTES {
        // The last line, without a line break.
        return Ok(Line::Text);
    }
    buf.clear();
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                break;
            }
            None => {
                let n = chunk.len();
                reader.consume(n);
            }
        }
    }
    Ok(Line::TooLarge)
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Skips a UTF-8 byte-order mark at the start.
fn skip_bom<R: BufRead>(reader: &mut R) -> io::Result<()> {
    if reader.fill_buf()?.starts_with(UTF8_BOM) {
        reader.consume(UTF8_BOM.len());
    }
    Ok(())
}

/// Parses one flat JSON object: its keys in document order with their values. Strings are
/// decoded, numbers kept as written, nested objects and arrays only skipped (and marked).
fn parse_object(bytes: &[u8]) -> Result<Vec<(String, Value)>, ParseError> {
    let mut p = Parser { b: bytes, i: 0 };
    p.ws();
    match p.peek() {
        Some(b'{') => p.i += 1,
        None => return Err(p.error("是空的，缺少值")),
        Some(b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => return Err(ParseError::NotObject),
        Some(_) => return Err(p.error("不是有效的 JSON")),
    }
    let mut fields = Vec::new();
    p.ws();
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            p.ws();
            if p.peek() != Some(b'"') {
                return Err(p.error("此处应为用双引号括起的字段名"));
            }
            let key = p.string()?;
            p.ws();
            if p.peek() != Some(b':') {
                return Err(p.error("字段名后应为冒号"));
            }
            p.i += 1;
            p.ws();
            let value = p.value()?;
            fields.push((key, value));
            p.ws();
            match p.peek() {
                Some(b',') => p.i += 1,
                Some(b'}') => {
                    p.i += 1;
                    break;
                }
                _ => return Err(p.error("此处应为逗号或 }")),
            }
        }
    }
    p.ws();
    if p.i < p.b.len() {
        return Err(p.error("对象结束后还有多余的内容（是否缺少逗号？）"));
    }
    Ok(fields)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn error(&self, what: &str) -> ParseError {
        ParseError::Syntax(format!("不是有效的 JSON：{what}（第 {} 个字节处）", self.i + 1))
    }

    /// A string at `self.i` (which is `"`), decoded.
    fn string(&mut self) -> Result<String, ParseError> {
        let start = self.i;
        let mut j = start + 1;
        let mut simple = true;
        loop {
            match self.b.get(j) {
                None => {
                    self.i = start;
                    return Err(self.error("字符串没有结束引号"));
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    simple = false;
                    j += 2;
                }
                Some(&c) => {
                    if c < 0x20 {
                        simple = false;
                    }
                    j += 1;
                }
            }
        }
        let raw = &self.b[start..=j];
        self.i = j + 1;
        if simple {
            return match std::str::from_utf8(&raw[1..raw.len() - 1]) {
                Ok(s) => Ok(s.to_owned()),
                Err(_) => {
                    self.i = start;
                    Err(self.error("字符串不是有效的 UTF-8 文本（JSON 须为 UTF-8 编码）"))
                }
            };
        }
        serde_json::from_slice::<String>(raw)
            .map_err(|e| ParseError::Syntax(format!("不是有效的 JSON：字符串无效，{e}（第 {} 个字节起）", start + 1)))
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        match self.peek() {
            Some(b'"') => self.string().map(Value::Text),
            Some(b'{') => self.skip_nested().map(|()| Value::Nested("对象")),
            Some(b'[') => self.skip_nested().map(|()| Value::Nested("数组")),
            Some(b't') => self.literal("true").map(|()| Value::Text("true".into())),
            Some(b'f') => self.literal("false").map(|()| Value::Text("false".into())),
            Some(b'n') => self.literal("null").map(|()| Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Text),
            Some(_) => Err(self.error("此处应为值（文本须用双引号）")),
            None => Err(self.error("缺少值")),
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), ParseError> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.error("此处应为值（文本须用双引号）"))
        }
    }

    /// A number per RFC 8259, returned exactly as written.
    fn number(&mut self) -> Result<String, ParseError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            p.i - from
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = digits(self);
        if n == 0 || (n > 1 && self.b[int_start] == b'0') {
            self.i = start;
            return Err(self.error("数字格式不对"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.error("数字的小数点后缺少数字"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("数字的指数缺少数字"));
            }
        }
        // Only ASCII was consumed.
        Ok(String::from_utf8_lossy(&self.b[start..self.i]).into_owned())
    }

    /// Skips a nested object or array, balancing brackets outside strings.
    fn skip_nested(&mut self) -> Result<(), ParseError> {
        let start = self.i;
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        while let Some(c) = self.peek() {
            self.i += 1;
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        self.i = start;
        Err(self.error("嵌套的对象或数组没有结束"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn parses_flat_objects_in_document_order_with_numbers_as_written() {
        let fields = parse_object(
            br#" {"z": "\u5f20\u4e09", "a": 1.50, "big": 123456789012345678901, "t": true, "n": null, "e": -2E+3} "#,
        )
        .expect("valid");
        assert_eq!(
            fields,
            vec![
                ("z".into(), text("张三")),
                ("a".into(), text("1.50")),
                ("big".into(), text("123456789012345678901")),
                ("t".into(), text("true")),
                ("n".into(), Value::Null),
                ("e".into(), text("-2E+3")),
            ]
        );
        assert_eq!(parse_object(b"{}").expect("valid"), vec![]);
        assert_eq!(
            parse_object(br#"{"a": {"b": "]}"}, "c": [1, [2]]}"#).expect("valid"),
            vec![("a".into(), Value::Nested("对象")), ("c".into(), Value::Nested("数组"))]
        );
    }

    #[test]
    fn rejects_invalid_json_without_panicking() {
        for bad in [
            &b""[..],
            b"{",
            b"{\"a\"}",
            b"{\"a\":}",
            b"{\"a\":01}",
            b"{\"a\":1.}",
            b"{\"a\":tru}",
            b"{\"a\":\"x}",
            b"{\"a\":1}{\"b\":2}",
            b"{\"a\":1,}",
            b"{\"a\":\"\\x\"}",
            b"{\"a\":[1,2}",
            b"{a:1}",
            b"{\"a\":\"\xff\"}",
        ] {
            assert!(matches!(parse_object(bad), Err(ParseError::Syntax(_))), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_object(b"[1]"), Err(ParseError::NotObject));
        assert_eq!(parse_object(b"42"), Err(ParseError::NotObject));
    }

    #[test]
    fn splits_an_array_across_small_buffers() {
        let json = br#" [ {"a": "x,]}"}, {"a": [1, {"b": 2}]} ,{"a":"\"]"} ] "#;
        let reader = BufReader::with_capacity(3, &json[..]);
        let mut splitter = ArraySplitter::new(reader);
        assert_eq!(splitter.peek_non_ws().expect("reads"), Some(b'['));
        splitter.reader.consume(1);
        let mut elements = Vec::new();
        loop {
            match splitter.next_element().expect("reads") {
                Step::Element => elements.push(String::from_utf8_lossy(&splitter.buf).trim().to_owned()),
                Step::End => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(elements, vec![r#"{"a": "x,]}"}"#, r#"{"a": [1, {"b": 2}]}"#, r#"{"a":"\"]"}"#]);
    }
}
