//! Operations across versions, run by DataFusion over the versions' Parquet files: duplicate keys
//! after an append, the merge of an upsert, and the changes between two versions (rows added,
//! changed, removed, by key) for departments that keep their own copy in sync (库表交换).
//!
//! The SQL here is generated from the data items (identifiers quoted), never taken from clients.

use datafusion::arrow::array::RecordBatch;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use domain::catalog::DataItem;
use object_store::ObjectStoreExt;
use object_store::path::Path as ObjectPath;

use crate::DataError;
use crate::access::Scope;
use crate::query::batches_to_json;
use crate::storage::DatasetStorage;

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn key_items(items: &[DataItem]) -> Vec<&DataItem> {
    items.iter().filter(|i| i.is_key).collect()
}

async fn register(ctx: &SessionContext, name: &str, files: &[String]) -> Result<(), DataError> {
    let urls: Vec<String> = files.iter().map(|f| DatasetStorage::file_url(f)).collect();
    let df = ctx.read_parquet(urls, ParquetReadOptions::default()).await?;
    ctx.register_table(name, df.into_view())?;
    Ok(())
}

async fn sql(ctx: &SessionContext, q: &str) -> Result<Vec<RecordBatch>, DataError> {
    Ok(ctx.sql(q).await?.collect().await?)
}

fn first_i64(batches: &[RecordBatch]) -> i64 {
    use datafusion::arrow::array::{Array, Int64Array};
    batches
        .first()
        .and_then(|b| b.column(0).as_any().downcast_ref::<Int64Array>().filter(|a| !a.is_empty()).map(|a| a.value(0)))
        .unwrap_or(0)
}

/// Keys that occur more than once across `files`: how many, and up to `limit` of them.
pub async fn duplicate_keys(
    storage: &DatasetStorage,
    files: &[String],
    items: &[DataItem],
    limit: usize,
) -> Result<(i64, Vec<serde_json::Map<String, serde_json::Value>>), DataError> {
    let keys = key_items(items);
    if keys.is_empty() || files.is_empty() {
        return Ok((0, Vec::new()));
    }
    let ctx = storage.session()?;
    register(&ctx, "v", files).await?;
    let cols = keys.iter().map(|k| quote(&k.name)).collect::<Vec<_>>().join(", ");
    let dup = format!("SELECT {cols}, COUNT(*) AS n FROM v GROUP BY {cols} HAVING COUNT(*) > 1");
    let total = first_i64(&sql(&ctx, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM ({dup})")).await?);
    let sample = if total > 0 {
        batches_to_json(&sql(&ctx, &format!("{dup} ORDER BY {cols} LIMIT {limit}")).await?)?
    } else {
        Vec::new()
    };
    Ok((total, sample))
}

/// The merge of an upsert: the rows of `previous` whose key is not in `upload`, plus `upload`.
/// Written as one new file under `dir`; returns its path and row count.
pub async fn merge_upsert(
    storage: &DatasetStorage,
    previous: &[String],
    upload: &str,
    items: &[DataItem],
    dir: &str,
) -> Result<(String, i64), DataError> {
    let keys = key_items(items);
    if keys.is_empty() {
        return Err(DataError::invalid(
            Some("mode"),
            "该资源没有主键信息项，不能按主键更新（upsert）：请在目录中标明主键，或使用整体替换",
        ));
    }
    let ctx = storage.session()?;
    register(&ctx, "old", previous).await?;
    register(&ctx, "new", std::slice::from_ref(&upload.to_string())).await?;
    let on = keys.iter().map(|k| format!("o.{c} = n.{c}", c = quote(&k.name))).collect::<Vec<_>>().join(" AND ");
    let cols = items.iter().map(|i| format!("o.{}", quote(&i.name))).collect::<Vec<_>>().join(", ");
    let q = format!("SELECT {cols} FROM old o LEFT ANTI JOIN new n ON {on} UNION ALL SELECT * FROM new");
    let df = ctx.sql(&q).await?;
    let path = format!("{dir}/merged-00000.parquet");
    // DataFusion writes to the registered store; a single output file.
    df.write_parquet(
        &DatasetStorage::file_url(&path),
        DataFrameWriteOptions::new().with_single_file_output(true),
        None,
    )
    .await?;
    let rows = first_i64(&sql(&ctx, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM ({q})")).await?);
    // Make sure the file is really there before it is committed.
    storage.store().head(&ObjectPath::from(path.as_str())).await?;
    Ok((path, rows))
}

/// One page of changes between two versions.
#[derive(Debug, Clone)]
pub struct Changes {
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    /// Rows with a `_change` column (`added`, `changed`, `removed`): new values for added and
    /// changed rows, the old values for removed ones. Only fields in scope.
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    pub next: Option<String>,
}

/// The changes from the version in `old` to the one in `new`, inside `scope`.
pub async fn changes(
    storage: &DatasetStorage,
    old: &[String],
    new: &[String],
    items: &[DataItem],
    scope: &Scope,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Changes, DataError> {
    let keys = key_items(items);
    if keys.is_empty() {
        return Err(DataError::invalid(None, "该资源没有主键信息项，无法按主键比较版本差异"));
    }
    // Rows are matched by key: the key must be visible in clear.
    for k in &keys {
        scope.check_usable(&k.name, false)?;
    }
    let offset = match cursor.filter(|c| !c.is_empty()) {
        None => 0usize,
        Some(c) => c.parse().map_err(|_| DataError::invalid(Some("cursor"), "分页游标 cursor 无效"))?,
    };
    let ctx = storage.session()?;
    // Both sides are read through the scope: only rows inside the grant's row conditions, masked
    // fields masked. A row that moves out of the row scope shows as removed, one that moves in
    // as added.
    for (name, files) in [("old", old), ("new", new)] {
        let urls: Vec<String> = files.iter().map(|f| DatasetStorage::file_url(f)).collect();
        let df = crate::query::scoped_frame(&ctx, urls, scope).await?;
        ctx.register_table(name, df.into_view())?;
    }
    let on = keys.iter().map(|k| format!("o.{c} = n.{c}", c = quote(&k.name))).collect::<Vec<_>>().join(" AND ");
    // Only the fields in scope are compared and returned: a hidden field's change is not
    // visible, not even as the fact that a row changed.
    let visible: Vec<&DataItem> = items.iter().filter(|i| scope.allows(&i.name)).collect();
    let differs = visible
        .iter()
        .filter(|i| !i.is_key)
        .map(|i| format!("(o.{c} IS DISTINCT FROM n.{c})", c = quote(&i.name)))
        .collect::<Vec<_>>();
    let differs = if differs.is_empty() { "FALSE".to_string() } else { differs.join(" OR ") };
    let sel = |alias: &str| {
        visible.iter().map(|i| format!("{alias}.{c} AS {c}", c = quote(&i.name))).collect::<Vec<_>>().join(", ")
    };
    let added = format!("SELECT 'added' AS \"_change\", {} FROM new n LEFT ANTI JOIN old o ON {on}", sel("n"));
    let removed = format!("SELECT 'removed' AS \"_change\", {} FROM old o LEFT ANTI JOIN new n ON {on}", sel("o"));
    let changed =
        format!("SELECT 'changed' AS \"_change\", {} FROM new n JOIN old o ON {on} WHERE {differs}", sel("n"));
    let count = |q: &str| format!("SELECT CAST(COUNT(*) AS BIGINT) FROM ({q})");
    let added_n = first_i64(&sql(&ctx, &count(&added)).await?);
    let changed_n = first_i64(&sql(&ctx, &count(&changed)).await?);
    let removed_n = first_i64(&sql(&ctx, &count(&removed)).await?);
    let order = keys.iter().map(|k| quote(&k.name)).collect::<Vec<_>>().join(", ");
    let page = format!(
        "SELECT * FROM ({added} UNION ALL {changed} UNION ALL {removed}) ORDER BY \"_change\", {order} LIMIT {} OFFSET {offset}",
        limit + 1
    );
    let mut rows = batches_to_json(&sql(&ctx, &page).await?)?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        Some((offset + limit).to_string())
    } else {
        None
    };
    Ok(Changes { added: added_n, changed: changed_n, removed: removed_n, rows, next })
}
