//! Queries on a dataset version, executed by DataFusion over the version's Parquet files with
//! projection and predicate pushdown. Clients never send SQL: they send a [`QuerySpec`], and every
//! field it names must be inside the access scope (filtering, sorting or grouping on a hidden
//! field would leak its values through counts and order).

use datafusion::arrow::array::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::functions_aggregate::expr_fn::{avg, count, max, min, sum};
use datafusion::logical_expr::{Expr, SortExpr};
use datafusion::prelude::{ParquetReadOptions, ident, lit};
use serde::Deserialize;
use serde_json::Value;

use crate::DataError;
use crate::access::{Denied, Scope};
use crate::storage::DatasetStorage;

/// Largest page a query returns.
pub const MAX_LIMIT: usize = 10_000;
pub const DEFAULT_LIMIT: usize = 100;

pub use domain::filter::{Filter, Op};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sort {
    pub field: String,
    #[serde(default)]
    pub desc: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggFunc {
    Count,
    Sum,
    Min,
    Max,
    Avg,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    pub func: AggFunc,
    /// The field; omitted for `count` means count rows.
    pub field: Option<String>,
}

/// What a client asks of a version.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySpec {
    /// Fields to return (default: every field in scope).
    pub fields: Option<Vec<String>>,
    #[serde(default)]
    pub filters: Vec<Filter>,
    #[serde(default)]
    pub sort: Vec<Sort>,
    pub limit: Option<usize>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
    /// Also return the number of matching rows.
    #[serde(default)]
    pub count: bool,
    #[serde(default)]
    pub group_by: Vec<String>,
    #[serde(default)]
    pub aggregates: Vec<Aggregate>,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<serde_json::Map<String, Value>>,
    pub next: Option<String>,
    pub total: Option<u64>,
}

impl QuerySpec {
    /// Every field the query names, in any role.
    pub fn referenced_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if let Some(f) = &self.fields {
            out.extend(f.iter().map(String::as_str));
        }
        out.extend(self.filters.iter().map(|f| f.field.as_str()));
        out.extend(self.sort.iter().map(|s| s.field.as_str()));
        out.extend(self.group_by.iter().map(String::as_str));
        out.extend(self.aggregates.iter().filter_map(|a| a.field.as_deref()));
        out
    }

    /// Whether `name` is the result column of one of the aggregates (`count`, `sum_金额` …) rather
    /// than a group key.
    pub fn is_aggregate_output(&self, name: &str) -> bool {
        !self.group_by.iter().any(|g| g == name) && self.aggregates.iter().any(|a| a.output_name() == name)
    }

    /// Refuses any field outside the scope, before anything is read; a masked field may only be
    /// shown (and counted), never filtered, sorted, grouped or aggregated on, so that its
    /// cleartext cannot be probed through the answers.
    pub fn check_scope(&self, scope: &Scope) -> Result<(), Denied> {
        for f in self.fields.iter().flatten() {
            scope.check_usable(f, true)?;
        }
        // Sorting on an aggregate's result names no stored field: the aggregate's own field is
        // checked below.
        let sorted = self.sort.iter().map(|s| &s.field).filter(|f| !self.is_aggregate_output(f));
        for f in self.filters.iter().map(|f| &f.field).chain(sorted).chain(&self.group_by) {
            scope.check_usable(f, false)?;
        }
        for a in &self.aggregates {
            if let Some(f) = &a.field {
                scope.check_usable(f, a.func == AggFunc::Count)?;
            }
        }
        Ok(())
    }
}

fn literal(field: &str, v: &Value) -> Result<Expr, DataError> {
    match v {
        Value::String(s) => Ok(lit(s.clone())),
        Value::Bool(b) => Ok(lit(*b)),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(lit(i)),
            (None, Some(f)) => Ok(lit(f)),
            _ => Err(DataError::invalid(Some("filters"), format!("筛选字段“{field}”的值无法识别"))),
        },
        _ => Err(DataError::invalid(Some("filters"), format!("筛选字段“{field}”的值应为字符串、数字或布尔值"))),
    }
}

/// The filter with its value(s) made to fit the column's type, or a clear refusal: a number
/// compared with a text column is compared as text; text compared with a number column must be a
/// number; `prefix` and `contains` only apply to text. Without this the engine would fail on a
/// mismatch the client caused.
pub(crate) fn typed(f: &Filter, schema: &datafusion::common::DFSchema) -> Result<Filter, DataError> {
    use datafusion::arrow::datatypes::DataType as T;
    let Ok(field) = schema.field_with_unqualified_name(&f.field) else {
        return Err(DataError::invalid(Some("filters"), format!("没有信息项“{}”", f.field)));
    };
    let ty = field.data_type();
    let text = matches!(ty, T::Utf8 | T::LargeUtf8 | T::Utf8View);
    let numeric = ty.is_numeric();
    let bad = |why: &str| DataError::invalid(Some("filters"), format!("信息项“{}”{why}", f.field));
    if matches!(f.op, Op::Prefix | Op::Contains) && !text {
        return Err(bad("不是文本型，不能用“开头是”或“包含”筛选"));
    }
    let fit = |v: &Value| -> Result<Value, DataError> {
        Ok(match v {
            Value::Null => Value::Null,
            Value::Number(_) | Value::Bool(_) if text => Value::String(v.to_string()),
            Value::String(s) if numeric => match (s.trim().parse::<i64>(), s.trim().parse::<f64>()) {
                (Ok(i), _) => Value::from(i),
                (_, Ok(x)) if x.is_finite() => Value::from(x),
                _ => return Err(bad("是数值型，筛选值应为数字")),
            },
            Value::Bool(_) if numeric => return Err(bad("是数值型，筛选值应为数字")),
            Value::Number(_) | Value::Bool(_) if !text && !numeric && !matches!(ty, T::Boolean) => {
                return Err(bad("是日期或时间型，筛选值应为“YYYY-MM-DD”形式的文本"));
            }
            other => other.clone(),
        })
    };
    let value = match &f.value {
        Value::Array(items) => Value::Array(items.iter().map(fit).collect::<Result<_, _>>()?),
        v => fit(v)?,
    };
    Ok(Filter { field: f.field.clone(), op: f.op, value })
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub(crate) fn filter_expr(f: &Filter) -> Result<Expr, DataError> {
    let c = ident(&f.field);
    let need_string = |what: &str| match &f.value {
        Value::String(s) => Ok(s.clone()),
        _ => Err(DataError::invalid(Some("filters"), format!("“{what}”筛选的值应为字符串（字段“{}”）", f.field))),
    };
    Ok(match f.op {
        Op::Eq => c.eq(literal(&f.field, &f.value)?),
        Op::Ne => c.not_eq(literal(&f.field, &f.value)?),
        Op::Lt => c.lt(literal(&f.field, &f.value)?),
        Op::Le => c.lt_eq(literal(&f.field, &f.value)?),
        Op::Gt => c.gt(literal(&f.field, &f.value)?),
        Op::Ge => c.gt_eq(literal(&f.field, &f.value)?),
        Op::In => {
            let Value::Array(vals) = &f.value else {
                return Err(DataError::invalid(Some("filters"), format!("“in”筛选的值应为数组（字段“{}”）", f.field)));
            };
            if vals.is_empty() || vals.len() > 1000 {
                return Err(DataError::invalid(Some("filters"), "“in”筛选的取值应为1至1000个"));
            }
            let list = vals.iter().map(|v| literal(&f.field, v)).collect::<Result<Vec<_>, _>>()?;
            c.in_list(list, false)
        }
        Op::Prefix => c.like(lit(format!("{}%", like_escape(&need_string("prefix")?)))),
        Op::Contains => c.like(lit(format!("%{}%", like_escape(&need_string("contains")?)))),
        Op::IsNull => c.is_null(),
        Op::NotNull => c.is_not_null(),
    })
}

impl Aggregate {
    /// The result column: `count`, or the function and the field (`sum_金额`).
    pub fn output_name(&self) -> String {
        match &self.field {
            Some(f) => format!("{}_{f}", func_name(self.func)),
            None => func_name(self.func).to_string(),
        }
    }
}

fn agg_expr(a: &Aggregate) -> Result<(Expr, String), DataError> {
    let name = a.output_name();
    let e = match (a.func, &a.field) {
        (AggFunc::Count, None) => count(lit(1i64)),
        (AggFunc::Count, Some(f)) => count(ident(f)),
        (AggFunc::Sum, Some(f)) => sum(ident(f)),
        (AggFunc::Min, Some(f)) => min(ident(f)),
        (AggFunc::Max, Some(f)) => max(ident(f)),
        (AggFunc::Avg, Some(f)) => avg(ident(f)),
        (func, None) => {
            return Err(DataError::invalid(Some("aggregates"), format!("聚合函数“{}”须指定字段", func_name(func))));
        }
    };
    Ok((e.alias(&name), name))
}

fn func_name(f: AggFunc) -> &'static str {
    match f {
        AggFunc::Count => "count",
        AggFunc::Sum => "sum",
        AggFunc::Min => "min",
        AggFunc::Max => "max",
        AggFunc::Avg => "avg",
    }
}

/// The rows and columns a scope allows: the grant's row conditions on the stored values, then
/// the projection to the scope's fields with masked fields replaced by their masked text. Every
/// read that returns rows as they are (the changes feed) starts from this frame; queries and
/// downloads start from [`scoped_raw`] and mask their output last (after sorting and paging, so
/// that only the rows returned are masked).
pub(crate) async fn scoped_frame(
    ctx: &datafusion::prelude::SessionContext,
    urls: Vec<String>,
    scope: &Scope,
) -> Result<DataFrame, DataError> {
    let df = scoped_raw(ctx, urls, scope).await?;
    Ok(df.select(masked_output(scope, &scope.fields))?)
}

/// The scope's rows (its row conditions applied to the stored values) and fields, unmasked: for
/// plans that never let a masked field be filtered, sorted or grouped on by the client, and
/// that end with [`masked_output`].
async fn scoped_raw(
    ctx: &datafusion::prelude::SessionContext,
    urls: Vec<String>,
    scope: &Scope,
) -> Result<DataFrame, DataError> {
    let mut df = ctx.read_parquet(urls, ParquetReadOptions::default()).await?;
    for r in &scope.rows {
        let r = typed(r, df.schema())?;
        df = df.filter(filter_expr(&r)?)?;
    }
    Ok(df.select(scope.fields.iter().map(ident).collect::<Vec<_>>())?)
}

/// The output columns with the scope's masks applied.
fn masked_output(scope: &Scope, columns: &[String]) -> Vec<Expr> {
    columns
        .iter()
        .map(|f| match scope.mask_of(f) {
            Some(rule) => crate::masking::masked_column(f, rule),
            None => ident(f),
        })
        .collect()
}

/// Builds the plan: the scope's projection and the client's filters, grouping and order.
/// Returns the frame before paging, and the output columns. `paged` adds a total order (the
/// output columns after the requested keys) so that offset cursors are stable; a download, read
/// once from start to end, does not pay for that sort (it would hold the whole result).
pub async fn plan(
    storage: &DatasetStorage,
    files: &[String],
    scope: &Scope,
    spec: &QuerySpec,
    paged: bool,
) -> Result<(DataFrame, Vec<String>), DataError> {
    spec.check_scope(scope)?;
    if files.is_empty() {
        return Err(DataError::invalid(None, "该资源尚未发布数据"));
    }
    let ctx = storage.session()?;
    if !spec.group_by.is_empty() || !spec.aggregates.is_empty() {
        // A page of groups is a TopK over the aggregate, and DataFusion pushes the TopK's dynamic
        // filter through the aggregate into the scan. It can prune nothing until more groups than
        // the page have been seen (a group-by seldom has that many), yet from the start the scan
        // runs every row through it: the grouped columns are decoded for the filter, cached, and
        // read again from the cache.
        ctx.state_ref().write().config_mut().options_mut().optimizer.enable_topk_dynamic_filter_pushdown = false;
    }
    let urls: Vec<String> = files.iter().map(|f| DatasetStorage::file_url(f)).collect();
    // Unmasked until the output: the client cannot filter, sort or group on a masked field
    // (`check_scope`), and a masked field's count is the same either way. The implicit
    // tie-break order of paged queries orders a masked column by its masked text, never by its
    // stored value: the order of rows would otherwise tell the hidden part (say, the birth dates
    // inside masked citizen IDs).
    let mut df = scoped_raw(&ctx, urls, scope).await?;
    for f in &spec.filters {
        let f = typed(f, df.schema())?;
        df = df.filter(filter_expr(&f)?)?;
    }
    if let Some(fields) = &spec.fields
        && let Some(dup) = fields.iter().enumerate().find(|(i, f)| fields[..*i].contains(f)).map(|(_, f)| f)
    {
        return Err(DataError::invalid(Some("fields"), format!("fields 中信息项“{dup}”重复")));
    }
    for (i, a) in spec.aggregates.iter().enumerate() {
        if spec.aggregates[..i].iter().any(|b| b.func == a.func && b.field == a.field) {
            return Err(DataError::invalid(Some("aggregates"), "aggregates 中有重复的聚合"));
        }
        if let (AggFunc::Sum | AggFunc::Avg, Some(field)) = (a.func, &a.field) {
            let numeric =
                df.schema().field_with_unqualified_name(field).map(|f| f.data_type().is_numeric()).unwrap_or(false);
            if !numeric {
                return Err(DataError::invalid(
                    Some("aggregates"),
                    format!("求和与平均只能用于数值型信息项，“{field}”不是数值型"),
                ));
            }
        }
    }
    let columns: Vec<String>;
    if !spec.group_by.is_empty() || !spec.aggregates.is_empty() {
        if spec.fields.is_some() {
            return Err(DataError::invalid(
                Some("fields"),
                "分组聚合查询的结果列由 group_by 和 aggregates 决定，请不要同时指定 fields",
            ));
        }
        if let Some(bad) =
            spec.sort.iter().find(|s| !spec.group_by.contains(&s.field) && !spec.is_aggregate_output(&s.field))
        {
            return Err(DataError::invalid(
                Some("sort"),
                format!("分组聚合查询只能按分组字段或聚合结果（如 count、sum_金额）排序，“{}”两者都不是", bad.field),
            ));
        }
        let aggs = spec.aggregates.iter().map(agg_expr).collect::<Result<Vec<_>, _>>()?;
        let groups: Vec<Expr> = spec.group_by.iter().map(ident).collect();
        columns = spec.group_by.iter().cloned().chain(aggs.iter().map(|(_, n)| n.clone())).collect();
        df = df.aggregate(groups, aggs.into_iter().map(|(e, _)| e).collect())?;
    } else {
        columns = spec.fields.clone().unwrap_or_else(|| scope.fields.clone());
        if columns.is_empty() {
            return Err(DataError::invalid(Some("fields"), "请至少选择一个字段"));
        }
    }
    // Sort on the requested keys, then on the group keys (or, without grouping, the output
    // columns) so that pages are deterministic. A bare aggregate has one row: nothing to order.
    let mut sort: Vec<SortExpr> = spec.sort.iter().map(|s| ident(&s.field).sort(!s.desc, true)).collect();
    let tiebreak: &[String] = if !spec.group_by.is_empty() {
        &spec.group_by
    } else if spec.aggregates.is_empty() && paged {
        &columns
    } else {
        &[]
    };
    for c in tiebreak {
        if !spec.sort.iter().any(|s| &s.field == c) {
            let key = match scope.mask_of(c) {
                Some(rule) => crate::masking::masked_column(c, rule).unalias(),
                None => ident(c),
            };
            sort.push(key.sort(true, true));
        }
    }
    if spec.group_by.is_empty() && spec.aggregates.is_empty() {
        df = df.select(columns.iter().map(ident).collect::<Vec<_>>())?;
    }
    if !sort.is_empty() {
        df = df.sort(sort)?;
    }
    Ok((df, columns))
}

/// Runs a query and returns one page.
pub async fn run(
    storage: &DatasetStorage,
    files: &[String],
    scope: &Scope,
    spec: &QuerySpec,
) -> Result<QueryResult, DataError> {
    let limit = spec.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(DataError::invalid(Some("limit"), format!("limit 应在1到{MAX_LIMIT}之间")));
    }
    let offset =
        match spec.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => 0,
            Some(c) => c.parse::<usize>().ok().filter(|o| *o <= (i64::MAX / 4) as usize).ok_or_else(|| {
                DataError::invalid(Some("cursor"), "分页游标 cursor 无效，请使用上一页返回的 next 值")
            })?,
        };
    let (df, columns) = plan(storage, files, scope, spec, true).await?;
    let total = if spec.count { Some(df.clone().count().await? as u64) } else { None };
    let mut page = df.limit(offset, Some(limit + 1))?;
    if spec.group_by.is_empty() && spec.aggregates.is_empty() {
        page = page.select(masked_output(scope, &columns))?;
    }
    let batches = page.collect().await?;
    let mut rows = batches_to_json(&batches)?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        Some((offset + limit).to_string())
    } else {
        None
    };
    Ok(QueryResult { columns, rows, next, total })
}

/// The whole result as a stream of batches (downloads).
pub async fn stream(
    storage: &DatasetStorage,
    files: &[String],
    scope: &Scope,
    spec: &QuerySpec,
) -> Result<(SendableRecordBatchStream, Vec<String>), DataError> {
    let (mut df, columns) = plan(storage, files, scope, spec, false).await?;
    if spec.group_by.is_empty() && spec.aggregates.is_empty() {
        df = df.select(masked_output(scope, &columns))?;
    }
    Ok((df.execute_stream().await?, columns))
}

/// Batches as JSON objects (dates as ISO strings, decimals as numbers).
pub fn batches_to_json(batches: &[RecordBatch]) -> Result<Vec<serde_json::Map<String, Value>>, DataError> {
    let mut buf = Vec::new();
    {
        let mut w = datafusion::arrow::json::ArrayWriter::new(&mut buf);
        let refs: Vec<&RecordBatch> = batches.iter().collect();
        w.write_batches(&refs).map_err(|e| DataError::Engine(e.to_string()))?;
        w.finish().map_err(|e| DataError::Engine(e.to_string()))?;
    }
    if buf.is_empty() {
        return Ok(Vec::new());
    }
    let v: Vec<serde_json::Map<String, Value>> =
        serde_json::from_slice(&buf).map_err(|e| DataError::Engine(e.to_string()))?;
    Ok(v)
}

/// A stream of result batches.
pub type BatchStream = SendableRecordBatchStream;
