//! The SQL of 政府数据开放 (reviews, openings, public use), written once and expanded for each
//! backend by `impl_open_store!`, in the portable dialect of `backend.rs`.

/// Implements `OpenStore` for `$ty` (which has a `pool: sqlx::Pool<$db>` field) on database `$db`.
macro_rules! impl_open_store {
    ($ty:ident, $db:ty) => {
        mod open_impl {
            use super::$ty;

            use async_trait::async_trait;
            use chrono::{DateTime, NaiveDate, Utc};
            use sqlx::{AssertSqlSafe, Row};

            use crate::StoreError;
            use crate::open_store::*;
            use crate::time;

            type DbRow = <$db as sqlx::Database>::Row;
            type R<T> = Result<T, StoreError>;

            const OPENING_COLS: &str =
                "id, resource_id, version, fields, masks, opened_by, opened_at, closed_by, closed_at";

            fn json<T: serde::de::DeserializeOwned>(s: &str) -> R<T> {
                serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("open data JSON: {e}")))
            }

            fn to_json<T: serde::Serialize>(v: &T) -> String {
                serde_json::to_string(v).unwrap_or_default()
            }

            fn opening_row(r: &DbRow) -> R<Opening> {
                let closed: Option<String> = r.try_get("closed_at")?;
                Ok(Opening {
                    id: r.try_get("id")?,
                    resource_id: r.try_get("resource_id")?,
                    version: r.try_get("version")?,
                    fields: json(&r.try_get::<String, _>("fields")?)?,
                    masks: json(&r.try_get::<String, _>("masks")?)?,
                    opened_by: r.try_get("opened_by")?,
                    opened_at: time::parse(&r.try_get::<String, _>("opened_at")?)?,
                    closed_by: r.try_get("closed_by")?,
                    closed_at: closed.as_deref().map(time::parse).transpose()?,
                })
            }

            #[async_trait]
            impl OpenStore for $ty {
                async fn column_reviews(&self, resource_id: i64, version: i64) -> R<Vec<ColumnReview>> {
                    let rows = sqlx::query(
                        "SELECT column_name, decision, decided_by, decided_at FROM open_column_decisions \
                         WHERE resource_id = $1 AND version = $2 ORDER BY column_name",
                    )
                    .bind(resource_id)
                    .bind(version)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(ColumnReview {
                                resource_id,
                                version,
                                column: r.try_get("column_name")?,
                                decision: json(&r.try_get::<String, _>("decision")?)?,
                                decided_by: r.try_get("decided_by")?,
                                decided_at: time::parse(&r.try_get::<String, _>("decided_at")?)?,
                            })
                        })
                        .collect()
                }

                async fn put_column_review(&self, c: &ColumnReview) -> R<()> {
                    sqlx::query(
                        "INSERT INTO open_column_decisions (resource_id, version, column_name, decision, decided_by, decided_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (resource_id, version, column_name) DO UPDATE SET \
                           decision = $4, decided_by = $5, decided_at = $6",
                    )
                    .bind(c.resource_id)
                    .bind(c.version)
                    .bind(&c.column)
                    .bind(to_json(&c.decision))
                    .bind(c.decided_by)
                    .bind(time::fmt(c.decided_at))
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                }

                async fn current_opening(&self, resource_id: i64) -> R<Option<Opening>> {
                    let sql = format!("SELECT {OPENING_COLS} FROM openings WHERE resource_id = $1 AND closed_at IS NULL");
                    let row = sqlx::query(AssertSqlSafe(sql)).bind(resource_id).fetch_optional(&self.pool).await?;
                    row.as_ref().map(opening_row).transpose()
                }

                async fn current_openings(&self) -> R<Vec<Opening>> {
                    let sql = format!("SELECT {OPENING_COLS} FROM openings WHERE closed_at IS NULL ORDER BY id");
                    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                    rows.iter().map(opening_row).collect()
                }

                async fn create_opening(&self, o: &NewOpening) -> R<Opening> {
                    let mut tx = self.pool.begin().await?;
                    sqlx::query(
                        "UPDATE openings SET closed_by = $1, closed_at = $2 WHERE resource_id = $3 AND closed_at IS NULL",
                    )
                    .bind(o.opened_by)
                    .bind(time::fmt(o.opened_at))
                    .bind(o.resource_id)
                    .execute(&mut *tx)
                    .await?;
                    let sql = format!(
                        "INSERT INTO openings (resource_id, version, fields, masks, opened_by, opened_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {OPENING_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(o.resource_id)
                        .bind(o.version)
                        .bind(to_json(&o.fields))
                        .bind(to_json(&o.masks))
                        .bind(o.opened_by)
                        .bind(time::fmt(o.opened_at))
                        .fetch_one(&mut *tx)
                        .await?;
                    let opening = opening_row(&row)?;
                    tx.commit().await?;
                    Ok(opening)
                }

                async fn close_opening(&self, resource_id: i64, by: i64, at: DateTime<Utc>) -> R<Option<Opening>> {
                    let sql = format!(
                        "UPDATE openings SET closed_by = $1, closed_at = $2 WHERE resource_id = $3 AND closed_at IS NULL \
                         RETURNING {OPENING_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(by)
                        .bind(time::fmt(at))
                        .bind(resource_id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.as_ref().map(opening_row).transpose()
                }

                async fn add_open_usage(&self, resource_id: i64, day: NaiveDate, kind: UsageKind, n: i64) -> R<()> {
                    sqlx::query(
                        "INSERT INTO open_usage (resource_id, day, kind, count) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (resource_id, day, kind) DO UPDATE SET count = open_usage.count + $4",
                    )
                    .bind(resource_id)
                    .bind(day.format("%Y-%m-%d").to_string())
                    .bind(kind.code())
                    .bind(n)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                }

                async fn open_usage_totals(&self, resource_id: Option<i64>) -> R<Vec<(i64, UsageTotals)>> {
                    const SUMS: &str = "SELECT resource_id, kind, CAST(SUM(count) AS BIGINT) AS total FROM open_usage";
                    const GROUPS: &str = "GROUP BY resource_id, kind ORDER BY resource_id";
                    let rows = match resource_id {
                        Some(id) => {
                            let sql = format!("{SUMS} WHERE resource_id = $1 {GROUPS}");
                            sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_all(&self.pool).await?
                        }
                        None => sqlx::query(AssertSqlSafe(format!("{SUMS} {GROUPS}"))).fetch_all(&self.pool).await?,
                    };
                    let mut out: Vec<(i64, UsageTotals)> = Vec::new();
                    for r in &rows {
                        let id: i64 = r.try_get("resource_id")?;
                        let kind: String = r.try_get("kind")?;
                        let total: i64 = r.try_get("total")?;
                        if out.last().is_none_or(|(last, _)| *last != id) {
                            out.push((id, UsageTotals::default()));
                        }
                        let t = &mut out.last_mut().expect("pushed above").1;
                        match UsageKind::parse(&kind) {
                            Some(UsageKind::View) => t.views += total,
                            Some(UsageKind::Download) => t.downloads += total,
                            Some(UsageKind::Api) => t.api_calls += total,
                            None => {}
                        }
                    }
                    Ok(out)
                }
            }
        }
    };
}

pub(crate) use impl_open_store;
