//! The SQL of the register of data elements, written once and expanded for each backend by
//! `impl_element_store!`, in the portable dialect of `backend.rs`: `$N` placeholders, `RETURNING`,
//! timestamps as RFC 3339 text, the element as JSON text. Revisions are optimistic
//! (`WHERE version = $`), like catalogue entries.
//!
//! It also keeps the derived table `resource_items` (migration 0009): `write_resource_items`,
//! called by `impl_store!`'s `create_resource` and `update_resource` inside their transaction, and
//! `catch_up_resource_items`, run when the store opens.

/// Implements `ElementStore` for `$ty` (which has a `pool: sqlx::Pool<$db>` field) on database
/// `$db`. Invoke it next to `impl_store!`, in the same module: it reuses that macro's
/// `resource_row`, `status_of`, `corrupt` and `RESOURCE_COLS`, and `impl_store!` calls its
/// `elements_impl::write_resource_items`. Its items live in a private child module.
macro_rules! impl_element_store {
    ($ty:ident, $db:ty) => {
        mod elements_impl {
            use std::collections::{BTreeMap, BTreeSet};

            use super::{$ty, RESOURCE_COLS, corrupt, resource_row, status_of};

            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use domain::catalog::{DataType, IdentifierKind, ResourceSpec, ResourceStatus};
            use domain::elements::{CollectionChoice, DataElementSpec, KeyCount, MatchKeys};
            use domain::text::name_key;
            use sqlx::{AssertSqlSafe, Row};

            use crate::StoreError;
            use crate::elements_store::ElementStore;
            use crate::model::*;
            use crate::time;

            type DbRow = <$db as sqlx::Database>::Row;
            type R<T> = Result<T, StoreError>;

            const ELEMENT_COLS: &str =
                "id, name_key, spec, version, created_at, updated_at, retired_at, retired_reason";
            /// Values per `IN (…)` list.
            const IN_LIST: usize = 500;
            /// Rows per `INSERT` into `resource_items` (10 values each: far below both backends'
            /// limits on bound values).
            const ITEM_ROWS_PER_INSERT: usize = 200;
            /// Entries per transaction when deriving items at open.
            const CATCH_UP_BATCH: i64 = 100;

            /// Replaces the derived items of entry `id` (migration 0009) by those of `spec`, inside
            /// the caller's transaction: none while the entry is withdrawn. The caller has already
            /// written (and so locked) the entry's row, which serialises writers of one entry.
            pub(super) async fn write_resource_items(
                tx: &mut sqlx::Transaction<'_, $db>,
                id: i64,
                department_id: i64,
                status: ResourceStatus,
                spec: &ResourceSpec,
            ) -> R<()> {
                sqlx::query("DELETE FROM resource_items WHERE resource_id = $1").bind(id).execute(&mut **tx).await?;
                if status == ResourceStatus::Withdrawn {
                    return Ok(());
                }
                for (c, chunk) in spec.data_items.chunks(ITEM_ROWS_PER_INSERT).enumerate() {
                    let values: Vec<String> = (0..chunk.len())
                        .map(|i| {
                            let p: Vec<String> = (1..=10).map(|j| format!("${}", i * 10 + j)).collect();
                            format!("({})", p.join(", "))
                        })
                        .collect();
                    let sql = format!(
                        "INSERT INTO resource_items (resource_id, position, department_id, status, classified, name, \
                           name_key, identifier, data_type, decision) VALUES {}",
                        values.join(", ")
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for (i, item) in chunk.iter().enumerate() {
                        q = q
                            .bind(id)
                            .bind((c * ITEM_ROWS_PER_INSERT + i) as i64)
                            .bind(department_id)
                            .bind(status.code())
                            .bind(i64::from(spec.classified))
                            .bind(item.name.as_str())
                            .bind(name_key(&item.name))
                            .bind(item.identifier.map(|k| k.code()))
                            .bind(item.data_type.code())
                            .bind(spec.decision(&item.name).map(|d| d.choice.code()));
                    }
                    q.execute(&mut **tx).await?;
                }
                Ok(())
            }

            fn held_item_row(r: &DbRow) -> R<(i64, HeldItem)> {
                let data_type: String = r.try_get("data_type")?;
                let identifier: Option<String> = r.try_get("identifier")?;
                let decision: Option<String> = r.try_get("decision")?;
                let item = HeldItem {
                    position: r.try_get("position")?,
                    name: r.try_get("name")?,
                    name_key: r.try_get("name_key")?,
                    data_type: DataType::parse(&data_type).ok_or_else(|| corrupt("data type", &data_type))?,
                    identifier: identifier
                        .map(|k| IdentifierKind::parse(&k).ok_or_else(|| corrupt("identifier kind", &k)))
                        .transpose()?,
                    decision: decision
                        .map(|d| CollectionChoice::parse(&d).ok_or_else(|| corrupt("collection choice", &d)))
                        .transpose()?,
                };
                Ok((r.try_get("resource_id")?, item))
            }

            fn element_row(r: &DbRow) -> R<DataElement> {
                let spec: String = r.try_get("spec")?;
                let retired: Option<String> = r.try_get("retired_at")?;
                Ok(DataElement {
                    id: r.try_get("id")?,
                    name_key: r.try_get("name_key")?,
                    spec: serde_json::from_str(&spec)?,
                    version: r.try_get("version")?,
                    created_at: time::parse(&r.try_get::<String, _>("created_at")?)?,
                    updated_at: time::parse(&r.try_get::<String, _>("updated_at")?)?,
                    retired_at: retired.as_deref().map(time::parse).transpose()?,
                    retired_reason: r.try_get("retired_reason")?,
                })
            }

            /// `$1, $2, …, $n`.
            fn placeholders(n: usize) -> String {
                (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
            }

            impl $ty {
                /// Why a conditional write to element `id` matched nothing.
                async fn element_miss(&self, id: i64) -> StoreError {
                    match self.get_data_element(id).await {
                        Ok(e) if !e.is_live() => {
                            StoreError::Conflict { message: format!("数据元“{}”已停用，不能再修订或停用", e.spec.name) }
                        }
                        Ok(e) => StoreError::StaleVersion { current: e.version },
                        Err(err) => err,
                    }
                }

                /// Derives `resource_items` again for every entry whose rows are behind its version:
                /// all entries after migration 0009, and any written meanwhile by a node that
                /// predates it (a rolling upgrade). Run when the store opens; returns how many
                /// entries it brought up to date. Each entry is claimed at the version read
                /// (`WHERE version = $`, which also locks its row), so a concurrent update or another
                /// node catching up at the same time leaves it alone.
                pub(crate) async fn catch_up_resource_items(&self) -> R<u64> {
                    let mut after = 0_i64;
                    let mut done = 0_u64;
                    loop {
                        let rows = sqlx::query(
                            "SELECT id, department_id, status, version, spec FROM resources \
                             WHERE (items_version IS NULL OR items_version <> version) AND id > $1 \
                             ORDER BY id LIMIT $2",
                        )
                        .bind(after)
                        .bind(CATCH_UP_BATCH)
                        .fetch_all(&self.pool)
                        .await?;
                        let Some(last) = rows.last() else { break };
                        after = last.try_get("id")?;
                        let mut tx = self.pool.begin().await?;
                        for r in &rows {
                            let id: i64 = r.try_get("id")?;
                            let spec: ResourceSpec = serde_json::from_str(&r.try_get::<String, _>("spec")?)?;
                            let claimed = sqlx::query(
                                "UPDATE resources SET items_version = version, provider_name = $1 \
                                 WHERE id = $2 AND version = $3 \
                                   AND (items_version IS NULL OR items_version <> version)",
                            )
                            .bind(&spec.provider_name)
                            .bind(id)
                            .bind(r.try_get::<i64, _>("version")?)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                            if claimed == 1 {
                                let status = status_of(&r.try_get::<String, _>("status")?)?;
                                write_resource_items(&mut tx, id, r.try_get("department_id")?, status, &spec).await?;
                                done += 1;
                            }
                        }
                        tx.commit().await?;
                    }
                    if done > 0 {
                        tracing::info!(entries = done, "derived the data items of catalogue entries (resource_items)");
                    }
                    Ok(done)
                }

                async fn department_exists(&self, id: i64) -> R<()> {
                    sqlx::query("SELECT id FROM departments WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .map(|_| ())
                        .ok_or_else(|| StoreError::not_found(format!("部门 {id}")))
                }
            }

            #[async_trait]
            impl ElementStore for $ty {
                async fn create_data_element(&self, spec: &DataElementSpec, at: DateTime<Utc>) -> R<DataElement> {
                    self.department_exists(spec.duty.department_id).await?;
                    let at = time::fmt(at);
                    let sql = format!(
                        "INSERT INTO data_elements (name_key, name, department_id, spec, version, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING {ELEMENT_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(spec.key())
                        .bind(spec.name.trim())
                        .bind(spec.duty.department_id)
                        .bind(serde_json::to_string(spec)?)
                        .bind(&at)
                        .fetch_one(&self.pool)
                        .await?;
                    element_row(&row)
                }

                async fn update_data_element(
                    &self,
                    id: i64,
                    expected_version: Option<i64>,
                    spec: &DataElementSpec,
                    at: DateTime<Utc>,
                ) -> R<DataElement> {
                    self.department_exists(spec.duty.department_id).await?;
                    let current = match expected_version {
                        Some(v) => v,
                        None => self.get_data_element(id).await?.version,
                    };
                    let sql = format!(
                        "UPDATE data_elements SET name_key = $1, name = $2, department_id = $3, spec = $4, \
                           version = version + 1, updated_at = $5 \
                         WHERE id = $6 AND version = $7 AND retired_at IS NULL RETURNING {ELEMENT_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(spec.key())
                        .bind(spec.name.trim())
                        .bind(spec.duty.department_id)
                        .bind(serde_json::to_string(spec)?)
                        .bind(time::fmt(at))
                        .bind(id)
                        .bind(current)
                        .fetch_optional(&self.pool)
                        .await?;
                    match row {
                        Some(row) => element_row(&row),
                        None => Err(self.element_miss(id).await),
                    }
                }

                async fn retire_data_element(&self, id: i64, reason: Option<&str>, at: DateTime<Utc>) -> R<DataElement> {
                    let sql = format!(
                        "UPDATE data_elements SET retired_at = $1, retired_reason = $2, version = version + 1, \
                           updated_at = $1 \
                         WHERE id = $3 AND retired_at IS NULL RETURNING {ELEMENT_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(time::fmt(at))
                        .bind(reason)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    match row {
                        Some(row) => element_row(&row),
                        None => Err(self.element_miss(id).await),
                    }
                }

                async fn get_data_element(&self, id: i64) -> R<DataElement> {
                    let sql = format!("SELECT {ELEMENT_COLS} FROM data_elements WHERE id = $1");
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or_else(|| StoreError::not_found(format!("数据元 {id}")))?;
                    element_row(&row)
                }

                async fn list_data_elements(&self, include_retired: bool) -> R<Vec<DataElement>> {
                    let filter = if include_retired { "" } else { " WHERE retired_at IS NULL" };
                    let sql = format!("SELECT {ELEMENT_COLS} FROM data_elements{filter} ORDER BY id");
                    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                    rows.iter().map(element_row).collect()
                }

                async fn live_resources(&self) -> R<Vec<Resource>> {
                    let sql = format!("SELECT {RESOURCE_COLS} FROM resources WHERE status <> 'withdrawn' ORDER BY id");
                    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                    rows.iter().map(resource_row).collect()
                }

                async fn held_items(&self, keys: &MatchKeys, seen_by: Option<i64>) -> R<Vec<HeldEntry>> {
                    let names: Vec<&str> = keys.keys.iter().map(String::as_str).collect();
                    let kinds: Vec<&str> = keys.identifiers.iter().map(|k| k.code()).collect();
                    // An item may come up by name and by identifier: keep it once, in order.
                    let mut found: BTreeMap<(i64, i64), HeldItem> = BTreeMap::new();
                    for (column, values) in [("name_key", names), ("identifier", kinds)] {
                        for chunk in values.chunks(IN_LIST) {
                            let seen = match seen_by {
                                // domain::catalog::visible_to_all, of another department.
                                Some(_) => format!(
                                    " AND department_id <> ${} AND status = 'published' AND classified = 0",
                                    chunk.len() + 1
                                ),
                                None => String::new(),
                            };
                            let sql = format!(
                                "SELECT resource_id, position, name, name_key, identifier, data_type, decision \
                                 FROM resource_items WHERE {column} IN ({}){seen}",
                                placeholders(chunk.len())
                            );
                            let mut q = sqlx::query(AssertSqlSafe(sql));
                            for v in chunk {
                                q = q.bind(*v);
                            }
                            if let Some(d) = seen_by {
                                q = q.bind(d);
                            }
                            for row in q.fetch_all(&self.pool).await? {
                                let (resource_id, item) = held_item_row(&row)?;
                                found.insert((resource_id, item.position), item);
                            }
                        }
                    }
                    // Then each entry once.
                    let ids: Vec<i64> = found.keys().map(|(id, _)| *id).collect::<BTreeSet<_>>().into_iter().collect();
                    let mut entries: BTreeMap<i64, HeldEntry> = BTreeMap::new();
                    for chunk in ids.chunks(IN_LIST) {
                        let sql = format!(
                            "SELECT id, code, name, department_id, COALESCE(provider_name, '') AS provider_name, \
                               status FROM resources WHERE id IN ({})",
                            placeholders(chunk.len())
                        );
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for id in chunk {
                            q = q.bind(*id);
                        }
                        for r in q.fetch_all(&self.pool).await? {
                            let e = HeldEntry {
                                resource_id: r.try_get("id")?,
                                code: r.try_get("code")?,
                                name: r.try_get("name")?,
                                department_id: r.try_get("department_id")?,
                                provider_name: r.try_get("provider_name")?,
                                status: status_of(&r.try_get::<String, _>("status")?)?,
                                items: Vec::new(),
                            };
                            entries.insert(e.resource_id, e);
                        }
                    }
                    for ((id, _), item) in found {
                        // The FOREIGN KEY keeps every row's entry.
                        if let Some(e) = entries.get_mut(&id) {
                            e.items.push(item);
                        }
                    }
                    Ok(entries.into_values().collect())
                }

                async fn item_key_counts(&self) -> R<Vec<KeyCount>> {
                    let rows = sqlx::query(
                        "SELECT name_key, data_type, identifier, COUNT(DISTINCT department_id) AS departments, \
                           MIN(department_id) AS department_id \
                         FROM resource_items GROUP BY name_key, data_type, identifier",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let data_type: String = r.try_get("data_type")?;
                            let identifier: Option<String> = r.try_get("identifier")?;
                            Ok(KeyCount {
                                key: r.try_get("name_key")?,
                                data_type: DataType::parse(&data_type).ok_or_else(|| corrupt("data type", &data_type))?,
                                identifier: identifier
                                    .map(|k| IdentifierKind::parse(&k).ok_or_else(|| corrupt("identifier kind", &k)))
                                    .transpose()?,
                                departments: r.try_get::<i64, _>("departments")?.max(0) as u64,
                                department_id: r.try_get("department_id")?,
                            })
                        })
                        .collect()
                }
            }
        }
    };
}

pub(crate) use impl_element_store;
