//! The SQL of the store, written once and expanded for each backend by `impl_store!`.
//!
//! Both SQLite and PostgreSQL accept every statement here: `$N` placeholders, `RETURNING`,
//! `ON CONFLICT … DO UPDATE`, text timestamps. Where the dialects differ (identity columns,
//! triggers) the difference lives in the migrations, not here.

/// Implements `Store` for `$ty` (which has a `pool: sqlx::Pool<$db>` field) on database `$db`.
/// `create_resource` and `update_resource` call `elements_impl::write_resource_items`, which
/// `impl_element_store!` defines in the same module.
macro_rules! impl_store {
    ($ty:ty, $db:ty, $name:literal) => {
        use std::collections::BTreeSet;

        use async_trait::async_trait;
        use chrono::{DateTime, NaiveDate, Utc};
        use domain::account::Role;
        use domain::catalog::{CategoryCode, CategoryNode, ResourceStatus};
        use domain::currency::ChangeKind;
        use domain::org::{DepartmentSpec, PlatformLevel, PlatformSpec, SystemSpec};
        use sqlx::{AssertSqlSafe, Row};

        use crate::model::*;
        use crate::store::Store;
        use crate::time;
        use crate::StoreError;

        type DbRow = <$db as sqlx::Database>::Row;
        type R<T> = Result<T, StoreError>;

        const RESOURCE_COLS: &str = "id, code, department_id, status, version, spec, created_at, updated_at, published_at";
        const USER_COLS: &str =
            "id, username, display_name, department_id, roles, password_hash, active, created_at, system_id";
        const SYSTEM_COLS: &str = "id, department_id, name, description, active, created_at, updated_at";
        const TOKEN_COLS: &str = "id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at";

        fn opt_time(s: Option<String>) -> R<Option<DateTime<Utc>>> {
            s.as_deref().map(time::parse).transpose()
        }

        fn corrupt(what: &str, v: &str) -> StoreError {
            StoreError::Corrupt(format!("bad {what}: {v:?}"))
        }

        fn platform_row(r: &DbRow) -> R<Platform> {
            let level: String = r.try_get("level")?;
            Ok(Platform {
                id: r.try_get("id")?,
                spec: PlatformSpec {
                    name: r.try_get("name")?,
                    level: PlatformLevel::parse(&level).ok_or_else(|| corrupt("platform level", &level))?,
                    region_code: r.try_get("region_code")?,
                    parent_id: r.try_get("parent_id")?,
                },
                created_at: time::parse(&r.try_get::<String, _>("created_at")?)?,
            })
        }

        fn department_row(r: &DbRow) -> R<Department> {
            Ok(Department {
                id: r.try_get("id")?,
                spec: DepartmentSpec {
                    name: r.try_get("name")?,
                    credit_code: r.try_get("credit_code")?,
                    local_code: r.try_get("local_code")?,
                    parent_id: r.try_get("parent_id")?,
                    platform_id: r.try_get("platform_id")?,
                },
                created_at: time::parse(&r.try_get::<String, _>("created_at")?)?,
            })
        }

        fn roles_to_text(roles: &[Role]) -> String {
            roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
        }

        fn user_row(r: &DbRow) -> R<User> {
            let roles: String = r.try_get("roles")?;
            let roles = roles
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| Role::parse(s).ok_or_else(|| corrupt("role", s)))
                .collect::<R<Vec<Role>>>()?;
            Ok(User {
                id: r.try_get("id")?,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                department_id: r.try_get("department_id")?,
                roles,
                password_hash: r.try_get("password_hash")?,
                active: r.try_get("active")?,
                created_at: time::parse(&r.try_get::<String, _>("created_at")?)?,
                system_id: r.try_get("system_id")?,
            })
        }

        fn system_row(r: &DbRow) -> R<System> {
            Ok(System {
                id: r.try_get("id")?,
                department_id: r.try_get("department_id")?,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                active: r.try_get("active")?,
                created_at: time::parse(&r.try_get::<String, _>("created_at")?)?,
                updated_at: time::parse(&r.try_get::<String, _>("updated_at")?)?,
            })
        }

        fn token_row(r: &DbRow) -> R<Token> {
            Ok(Token {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                prefix: r.try_get("prefix")?,
                created_at: time::parse(&r.try_get::<String, _>("created_at")?)?,
                expires_at: opt_time(r.try_get("expires_at")?)?,
                last_used_at: opt_time(r.try_get("last_used_at")?)?,
                revoked_at: opt_time(r.try_get("revoked_at")?)?,
            })
        }

        fn category_row(r: &DbRow) -> R<CategoryNode> {
            let code: String = r.try_get("code")?;
            let parent: Option<String> = r.try_get("parent")?;
            Ok(CategoryNode {
                code: CategoryCode::parse(&code).map_err(|_| corrupt("category code", &code))?,
                name: r.try_get("name")?,
                parent: parent
                    .map(|p| CategoryCode::parse(&p).map_err(|_| corrupt("category code", &p)))
                    .transpose()?,
            })
        }

        fn status_of(s: &str) -> R<ResourceStatus> {
            ResourceStatus::parse(s).ok_or_else(|| corrupt("resource status", s))
        }

        fn resource_row(r: &DbRow) -> R<Resource> {
            let spec: String = r.try_get("spec")?;
            Ok(Resource {
                id: r.try_get("id")?,
                code: r.try_get("code")?,
                department_id: r.try_get("department_id")?,
                status: status_of(&r.try_get::<String, _>("status")?)?,
                version: r.try_get("version")?,
                spec: serde_json::from_str(&spec)?,
                created_at: time::parse(&r.try_get::<String, _>("created_at")?)?,
                updated_at: time::parse(&r.try_get::<String, _>("updated_at")?)?,
                published_at: opt_time(r.try_get("published_at")?)?,
            })
        }

        fn version_row(r: &DbRow) -> R<ResourceVersion> {
            let spec: String = r.try_get("spec")?;
            let diff: String = r.try_get("diff")?;
            Ok(ResourceVersion {
                resource_id: r.try_get("resource_id")?,
                version: r.try_get("version")?,
                code: r.try_get("code")?,
                status: status_of(&r.try_get::<String, _>("status")?)?,
                spec: serde_json::from_str(&spec)?,
                diff: serde_json::from_str(&diff)?,
                change: Change {
                    user_id: r.try_get("user_id")?,
                    username: r.try_get("username")?,
                    action: r.try_get("action")?,
                    comment: r.try_get("comment")?,
                    at: time::parse(&r.try_get::<String, _>("changed_at")?)?,
                },
            })
        }

        const DATASET_COLS: &str = "resource_id, version, mode, files, row_count, byte_size, data_items, rejected_rows, published_by, published_at";

        fn dataset_row(r: &DbRow) -> R<DatasetVersion> {
            let files: String = r.try_get("files")?;
            let items: String = r.try_get("data_items")?;
            Ok(DatasetVersion {
                resource_id: r.try_get("resource_id")?,
                version: r.try_get("version")?,
                mode: r.try_get("mode")?,
                files: serde_json::from_str(&files)?,
                row_count: r.try_get("row_count")?,
                byte_size: r.try_get("byte_size")?,
                data_items: serde_json::from_str(&items)?,
                rejected_rows: r.try_get("rejected_rows")?,
                published_by: r.try_get("published_by")?,
                published_at: time::parse(&r.try_get::<String, _>("published_at")?)?,
            })
        }

        fn audit_row(r: &DbRow) -> R<AuditEvent> {
            let detail: String = r.try_get("detail")?;
            Ok(AuditEvent {
                id: r.try_get("id")?,
                at: time::parse(&r.try_get::<String, _>("at")?)?,
                user_id: r.try_get("user_id")?,
                username: r.try_get("username")?,
                department_id: r.try_get("department_id")?,
                action: r.try_get("action")?,
                object_type: r.try_get("object_type")?,
                object_id: r.try_get("object_id")?,
                detail: serde_json::from_str(&detail)?,
            })
        }

        const CHECKPOINT_COLS: &str = "tree_size, root, at, origin, key_id, signature, frontier";

        fn checkpoint_row(r: &DbRow) -> R<StoredCheckpoint> {
            Ok(StoredCheckpoint {
                tree_size: r.try_get("tree_size")?,
                root: r.try_get("root")?,
                at: r.try_get("at")?,
                origin: r.try_get("origin")?,
                key_id: r.try_get("key_id")?,
                signature: r.try_get("signature")?,
                frontier: r.try_get("frontier")?,
            })
        }

        /// The leaf of an audit event row (columns of `audit_events`) at position `seq`.
        fn leaf_of_row(seq: i64, r: &DbRow) -> R<ledger::Hash> {
            let at: String = r.try_get("at")?;
            let username: Option<String> = r.try_get("username")?;
            let action: String = r.try_get("action")?;
            let object_type: String = r.try_get("object_type")?;
            let object_id: Option<String> = r.try_get("object_id")?;
            let detail: String = r.try_get("detail")?;
            Ok(audit_leaf(
                seq,
                &at,
                r.try_get("user_id")?,
                username.as_deref(),
                r.try_get("department_id")?,
                &action,
                &object_type,
                object_id.as_deref(),
                &detail,
            ))
        }

        /// Builds a WHERE clause with numbered placeholders; values are bound, never spliced.
        #[derive(Default)]
        struct Where {
            clauses: Vec<String>,
            args: Vec<Arg>,
        }

        enum Arg {
            Int(i64),
            Text(String),
        }

        impl Where {
            fn push(&mut self, clause: &str, arg: Arg) {
                // `?` in the clause stands for the next placeholder.
                self.args.push(arg);
                self.clauses.push(clause.replace('?', &format!("${}", self.args.len())));
            }
            fn push_raw(&mut self, clause: String) {
                self.clauses.push(clause);
            }
            fn next_placeholder(&self) -> String {
                format!("${}", self.args.len() + 1)
            }
            fn sql(&self) -> String {
                if self.clauses.is_empty() { String::new() } else { format!(" WHERE {}", self.clauses.join(" AND ")) }
            }
            fn bind<'q>(
                &'q self,
                mut q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
                for a in &self.args {
                    q = match a {
                        Arg::Int(i) => q.bind(*i),
                        Arg::Text(s) => q.bind(s.as_str()),
                    };
                }
                q
            }
        }

        /// Escapes LIKE wildcards so user text matches literally.
        fn like_literal(s: &str) -> String {
            s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        }

        impl $ty {
            /// Runs a paged list, oldest first: `select` is `SELECT cols FROM table`, the filter
            /// adds the rest.
            async fn page<T>(
                &self,
                table_select: &str,
                table_count: &str,
                filter: Where,
                page: PageRequest,
                row: fn(&DbRow) -> R<T>,
                id_of: fn(&T) -> i64,
            ) -> R<Page<T>> {
                self.page_by_id(table_select, table_count, filter, page, row, id_of, false).await
            }

            /// A paged list in id order (newest first when `newest_first`): `page.after` is the
            /// last id seen; `total` counts the whole filter.
            #[allow(clippy::too_many_arguments)]
            async fn page_by_id<T>(
                &self,
                table_select: &str,
                table_count: &str,
                mut filter: Where,
                page: PageRequest,
                row: fn(&DbRow) -> R<T>,
                id_of: fn(&T) -> i64,
                newest_first: bool,
            ) -> R<Page<T>> {
                let count_sql = format!("{table_count}{}", filter.sql());
                let total: i64 = filter.bind(sqlx::query(AssertSqlSafe(count_sql))).fetch_one(&self.pool).await?.try_get(0)?;
                let (after, order) = if newest_first { ("id < ?", "DESC") } else { ("id > ?", "ASC") };
                if let Some(a) = page.after {
                    filter.push(after, Arg::Int(a));
                }
                let limit = page.limit.clamp(1, 500);
                let sql = format!("{table_select}{} ORDER BY id {order} LIMIT {}", filter.sql(), limit + 1);
                let rows = filter.bind(sqlx::query(AssertSqlSafe(sql))).fetch_all(&self.pool).await?;
                let mut items = rows.iter().map(row).collect::<R<Vec<T>>>()?;
                let next = if items.len() as i64 > limit {
                    items.truncate(limit as usize);
                    items.last().map(id_of)
                } else {
                    None
                };
                Ok(Page { items, total, next })
            }

            /// A transaction in which audit positions are assigned one writer at a time: SQLite
            /// takes the write lock at BEGIN IMMEDIATE; PostgreSQL locks `audit_leaves` against
            /// other appenders (readers are not blocked).
            async fn ledger_tx(&self) -> R<sqlx::Transaction<'static, $db>> {
                if $name == "sqlite" {
                    Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
                } else {
                    let mut tx = self.pool.begin().await?;
                    sqlx::query("LOCK TABLE audit_leaves IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
                    Ok(tx)
                }
            }

            async fn duty_change_items(&self, change_id: i64, recorded_at: &str) -> R<Vec<DutyChangeItem>> {
                let rows = sqlx::query(
                    "SELECT r.id, r.code, r.name, \
                       (SELECT MIN(v.changed_at) FROM resource_versions v \
                         WHERE v.resource_id = r.id AND v.action IN ('update', 'import') AND v.changed_at > $2) AS updated_at \
                     FROM duty_change_items i JOIN resources r ON r.id = i.resource_id \
                     WHERE i.change_id = $1 ORDER BY r.id",
                )
                .bind(change_id)
                .bind(recorded_at)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let updated: Option<String> = r.try_get("updated_at")?;
                        Ok(DutyChangeItem {
                            resource_id: r.try_get("id")?,
                            code: r.try_get("code")?,
                            name: r.try_get("name")?,
                            updated_on: opt_time(updated)?.map(time::cst_date),
                        })
                    })
                    .collect()
            }

            fn duty_change_row(r: &DbRow) -> R<(DutyChange, String)> {
                let kind: String = r.try_get("kind")?;
                let recorded_at: String = r.try_get("recorded_at")?;
                Ok((
                    DutyChange {
                        id: r.try_get("id")?,
                        department_id: r.try_get("department_id")?,
                        kind: ChangeKind::parse(&kind).ok_or_else(|| corrupt("change kind", &kind))?,
                        description: r.try_get("description")?,
                        effective_date: time::parse_date(&r.try_get::<String, _>("effective_date")?)?,
                        deadline: time::parse_date(&r.try_get::<String, _>("deadline")?)?,
                        deadline_provisional: r.try_get("deadline_provisional")?,
                        recorded_by: r.try_get("recorded_by")?,
                        recorded_at: time::parse(&recorded_at)?,
                        items: Vec::new(),
                    },
                    recorded_at,
                ))
            }
        }

        #[async_trait]
        impl Store for $ty {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn ping(&self) -> R<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_platform(&self, spec: &PlatformSpec, at: DateTime<Utc>) -> R<Platform> {
                let row = sqlx::query(
                    "INSERT INTO platforms (name, level, region_code, parent_id, created_at) VALUES ($1, $2, $3, $4, $5) \
                     RETURNING id, name, level, region_code, parent_id, created_at",
                )
                .bind(&spec.name)
                .bind(spec.level.code())
                .bind(&spec.region_code)
                .bind(spec.parent_id)
                .bind(time::fmt(at))
                .fetch_one(&self.pool)
                .await?;
                platform_row(&row)
            }

            async fn get_platform(&self, id: i64) -> R<Platform> {
                let row = sqlx::query("SELECT id, name, level, region_code, parent_id, created_at FROM platforms WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("平台 {id}")))?;
                platform_row(&row)
            }

            async fn list_platforms(&self) -> R<Vec<Platform>> {
                let rows = sqlx::query("SELECT id, name, level, region_code, parent_id, created_at FROM platforms ORDER BY id")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(platform_row).collect()
            }

            async fn create_department(&self, spec: &DepartmentSpec, at: DateTime<Utc>) -> R<Department> {
                let row = sqlx::query(
                    "INSERT INTO departments (name, credit_code, local_code, parent_id, platform_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     RETURNING id, name, credit_code, local_code, parent_id, platform_id, created_at",
                )
                .bind(&spec.name)
                .bind(&spec.credit_code)
                .bind(&spec.local_code)
                .bind(spec.parent_id)
                .bind(spec.platform_id)
                .bind(time::fmt(at))
                .fetch_one(&self.pool)
                .await?;
                department_row(&row)
            }

            async fn update_department(&self, id: i64, spec: &DepartmentSpec) -> R<Department> {
                let row = sqlx::query(
                    "UPDATE departments SET name = $1, credit_code = $2, local_code = $3, parent_id = $4, platform_id = $5 \
                     WHERE id = $6 RETURNING id, name, credit_code, local_code, parent_id, platform_id, created_at",
                )
                .bind(&spec.name)
                .bind(&spec.credit_code)
                .bind(&spec.local_code)
                .bind(spec.parent_id)
                .bind(spec.platform_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::not_found(format!("部门 {id}")))?;
                department_row(&row)
            }

            async fn get_department(&self, id: i64) -> R<Department> {
                let row = sqlx::query(
                    "SELECT id, name, credit_code, local_code, parent_id, platform_id, created_at FROM departments WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::not_found(format!("部门 {id}")))?;
                department_row(&row)
            }

            async fn find_department_by_code(&self, code: &str) -> R<Option<Department>> {
                let row = sqlx::query(
                    "SELECT id, name, credit_code, local_code, parent_id, platform_id, created_at FROM departments \
                     WHERE credit_code = $1 OR local_code = $1 ORDER BY id LIMIT 1",
                )
                .bind(code)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(department_row).transpose()
            }

            async fn list_departments(&self, page: PageRequest) -> R<Page<Department>> {
                self.page(
                    "SELECT id, name, credit_code, local_code, parent_id, platform_id, created_at FROM departments",
                    "SELECT COUNT(*) FROM departments",
                    Where::default(),
                    page,
                    department_row,
                    |d| d.id,
                )
                .await
            }

            async fn count_users(&self) -> R<i64> {
                Ok(sqlx::query("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?.try_get(0)?)
            }

            async fn create_user(&self, user: &NewUser, at: DateTime<Utc>) -> R<User> {
                let sql = format!(
                    "INSERT INTO users (username, display_name, department_id, roles, password_hash, active, created_at, system_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {USER_COLS}"
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(&user.username)
                    .bind(&user.display_name)
                    .bind(user.department_id)
                    .bind(roles_to_text(&user.roles))
                    .bind(&user.password_hash)
                    .bind(true)
                    .bind(time::fmt(at))
                    .bind(user.system_id)
                    .fetch_one(&self.pool)
                    .await?;
                user_row(&row)
            }

            async fn get_user(&self, id: i64) -> R<User> {
                let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("用户 {id}")))?;
                user_row(&row)
            }

            async fn find_user_by_username(&self, username: &str) -> R<Option<User>> {
                let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
                let row = sqlx::query(AssertSqlSafe(sql)).bind(username).fetch_optional(&self.pool).await?;
                row.as_ref().map(user_row).transpose()
            }

            async fn list_users(&self, department_id: Option<i64>, page: PageRequest) -> R<Page<User>> {
                let mut w = Where::default();
                if let Some(d) = department_id {
                    w.push("department_id = ?", Arg::Int(d));
                }
                self.page(
                    &format!("SELECT {USER_COLS} FROM users"),
                    "SELECT COUNT(*) FROM users",
                    w,
                    page,
                    user_row,
                    |u| u.id,
                )
                .await
            }

            async fn update_user(&self, id: i64, roles: &[Role], active: bool) -> R<User> {
                let sql = format!("UPDATE users SET roles = $1, active = $2 WHERE id = $3 RETURNING {USER_COLS}");
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(roles_to_text(roles))
                    .bind(active)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("用户 {id}")))?;
                user_row(&row)
            }

            async fn create_system(&self, spec: &SystemSpec, at: DateTime<Utc>) -> R<System> {
                let sql = format!(
                    "INSERT INTO systems (department_id, name, description, active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $5) RETURNING {SYSTEM_COLS}"
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(spec.department_id)
                    .bind(&spec.name)
                    .bind(&spec.description)
                    .bind(true)
                    .bind(time::fmt(at))
                    .fetch_one(&self.pool)
                    .await?;
                system_row(&row)
            }

            async fn get_system(&self, id: i64) -> R<System> {
                let sql = format!("SELECT {SYSTEM_COLS} FROM systems WHERE id = $1");
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("信息系统 {id}")))?;
                system_row(&row)
            }

            async fn list_systems(&self, department_id: Option<i64>) -> R<Vec<System>> {
                let rows = match department_id {
                    Some(d) => {
                        let sql = format!("SELECT {SYSTEM_COLS} FROM systems WHERE department_id = $1 ORDER BY id");
                        sqlx::query(AssertSqlSafe(sql)).bind(d).fetch_all(&self.pool).await?
                    }
                    None => {
                        let sql = format!("SELECT {SYSTEM_COLS} FROM systems ORDER BY department_id, id");
                        sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.pool).await?
                    }
                };
                rows.iter().map(system_row).collect()
            }

            async fn update_system(
                &self,
                id: i64,
                name: &str,
                description: Option<&str>,
                active: bool,
                at: DateTime<Utc>,
            ) -> R<System> {
                let sql = format!(
                    "UPDATE systems SET name = $1, description = $2, active = $3, updated_at = $4 WHERE id = $5 \
                     RETURNING {SYSTEM_COLS}"
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(name)
                    .bind(description)
                    .bind(active)
                    .bind(time::fmt(at))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("信息系统 {id}")))?;
                system_row(&row)
            }

            async fn set_password(&self, id: i64, password_hash: &str) -> R<()> {
                let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::not_found(format!("用户 {id}")));
                }
                Ok(())
            }

            async fn create_token(&self, token: &NewToken, at: DateTime<Utc>) -> R<Token> {
                let sql = format!(
                    "INSERT INTO tokens (user_id, name, prefix, hash, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TOKEN_COLS}"
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(token.user_id)
                    .bind(&token.name)
                    .bind(&token.prefix)
                    .bind(&token.hash)
                    .bind(time::fmt(at))
                    .bind(token.expires_at.map(time::fmt))
                    .fetch_one(&self.pool)
                    .await?;
                token_row(&row)
            }

            async fn list_tokens(&self, user_id: i64) -> R<Vec<Token>> {
                let sql = format!("SELECT {TOKEN_COLS} FROM tokens WHERE user_id = $1 ORDER BY id");
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(user_id).fetch_all(&self.pool).await?;
                rows.iter().map(token_row).collect()
            }

            async fn revoke_token(&self, user_id: i64, token_id: i64, at: DateTime<Utc>) -> R<Token> {
                let sql = format!(
                    "UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3 RETURNING {TOKEN_COLS}"
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(time::fmt(at))
                    .bind(token_id)
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("令牌 {token_id}")))?;
                token_row(&row)
            }

            async fn authenticate_token(&self, hash: &str, at: DateTime<Utc>) -> R<Option<(Token, User)>> {
                let now = time::fmt(at);
                let sql = format!(
                    "UPDATE tokens SET last_used_at = $1 WHERE hash = $2 AND revoked_at IS NULL \
                     AND (expires_at IS NULL OR expires_at > $1) RETURNING {TOKEN_COLS}"
                );
                let Some(row) = sqlx::query(AssertSqlSafe(sql)).bind(&now).bind(hash).fetch_optional(&self.pool).await? else {
                    return Ok(None);
                };
                let token = token_row(&row)?;
                let user = self.get_user(token.user_id).await?;
                if !user.active {
                    return Ok(None);
                }
                Ok(Some((token, user)))
            }

            async fn seed_categories(&self, nodes: &[CategoryNode]) -> R<usize> {
                let mut added = 0;
                for n in nodes {
                    let done = sqlx::query(
                        "INSERT INTO categories (code, name, parent) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING",
                    )
                    .bind(n.code.as_str())
                    .bind(&n.name)
                    .bind(n.parent.as_ref().map(|p| p.as_str().to_string()))
                    .execute(&self.pool)
                    .await?;
                    added += done.rows_affected() as usize;
                }
                Ok(added)
            }

            async fn create_category(&self, node: &CategoryNode) -> R<CategoryNode> {
                if let Some(parent) = &node.parent
                    && self.get_category(parent.as_str()).await?.is_none()
                {
                    return Err(StoreError::Conflict { message: format!("上级分类“{parent}”不存在，请先建立上级分类") });
                }
                let row = sqlx::query("INSERT INTO categories (code, name, parent) VALUES ($1, $2, $3) RETURNING code, name, parent")
                    .bind(node.code.as_str())
                    .bind(&node.name)
                    .bind(node.parent.as_ref().map(|p| p.as_str().to_string()))
                    .fetch_one(&self.pool)
                    .await?;
                category_row(&row)
            }

            async fn get_category(&self, code: &str) -> R<Option<CategoryNode>> {
                let row = sqlx::query("SELECT code, name, parent FROM categories WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(category_row).transpose()
            }

            async fn list_categories(&self) -> R<Vec<CategoryNode>> {
                let rows = sqlx::query("SELECT code, name, parent FROM categories ORDER BY code").fetch_all(&self.pool).await?;
                rows.iter().map(category_row).collect()
            }

            async fn next_code_sequence(&self, prefix: &str) -> R<u64> {
                // One atomic statement: concurrent callers each get a distinct number.
                let row = sqlx::query(
                    "INSERT INTO code_sequences (prefix, last_seq) VALUES ($1, 1) \
                     ON CONFLICT (prefix) DO UPDATE SET last_seq = code_sequences.last_seq + 1 RETURNING last_seq",
                )
                .bind(prefix)
                .fetch_one(&self.pool)
                .await?;
                let seq: i64 = row.try_get(0)?;
                Ok(seq as u64)
            }

            async fn create_resource(&self, new: &NewResource) -> R<Resource> {
                let spec = serde_json::to_string(&new.spec)?;
                let diff = serde_json::to_string(&new.diff)?;
                let at = time::fmt(new.change.at);
                let mut tx = self.pool.begin().await?;
                let sql = format!(
                    "INSERT INTO resources (code, department_id, status, version, category, name, summary, share_type, \
                       open_type, format_class, update_cycle, spec, created_at, updated_at, published_at, classified, \
                       provider_name, items_version) \
                     VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, NULL, $13, $14, 1) \
                     RETURNING {RESOURCE_COLS}"
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(&new.code)
                    .bind(new.department_id)
                    .bind(new.status.code())
                    .bind(new.spec.category.as_str())
                    .bind(&new.spec.name)
                    .bind(&new.spec.summary)
                    .bind(new.spec.share_type.code())
                    .bind(new.spec.open_type.code())
                    .bind(new.spec.format.class.code())
                    .bind(new.spec.update_cycle.code())
                    .bind(&spec)
                    .bind(&at)
                    .bind(i64::from(new.spec.classified))
                    .bind(&new.spec.provider_name)
                    .fetch_one(&mut *tx)
                    .await?;
                let resource = resource_row(&row)?;
                sqlx::query(
                    "INSERT INTO resource_versions (resource_id, version, code, status, spec, diff, user_id, username, action, comment, changed_at) \
                     VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(resource.id)
                .bind(&new.code)
                .bind(new.status.code())
                .bind(&spec)
                .bind(&diff)
                .bind(new.change.user_id)
                .bind(&new.change.username)
                .bind(&new.change.action)
                .bind(&new.change.comment)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
                // The derived items of 一数一源 matching (migration 0009), in the same transaction.
                elements_impl::write_resource_items(&mut tx, resource.id, new.department_id, new.status, &new.spec)
                    .await?;
                tx.commit().await?;
                Ok(resource)
            }

            async fn update_resource(&self, u: &ResourceUpdate) -> R<Resource> {
                let spec = serde_json::to_string(&u.spec)?;
                let diff = serde_json::to_string(&u.diff)?;
                let at = time::fmt(u.change.at);
                let mut tx = self.pool.begin().await?;
                // The write comes first so that SQLite takes its write lock at once.
                let sql = format!(
                    "UPDATE resources SET code = $1, status = $2, version = version + 1, category = $3, name = $4, \
                       summary = $5, share_type = $6, open_type = $7, format_class = $8, update_cycle = $9, spec = $10, \
                       updated_at = $11, published_at = $12, classified = $15, provider_name = $16, \
                       items_version = version + 1 \
                     WHERE id = $13 AND version = $14 RETURNING {RESOURCE_COLS}"
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(&u.code)
                    .bind(u.status.code())
                    .bind(u.spec.category.as_str())
                    .bind(&u.spec.name)
                    .bind(&u.spec.summary)
                    .bind(u.spec.share_type.code())
                    .bind(u.spec.open_type.code())
                    .bind(u.spec.format.class.code())
                    .bind(u.spec.update_cycle.code())
                    .bind(&spec)
                    .bind(&at)
                    .bind(u.published_at.map(time::fmt))
                    .bind(u.id)
                    .bind(u.expected_version)
                    .bind(i64::from(u.spec.classified))
                    .bind(&u.spec.provider_name)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(row) = row else {
                    drop(tx);
                    let current = self.get_resource(u.id).await?;
                    return Err(StoreError::StaleVersion { current: current.version });
                };
                let resource = resource_row(&row)?;
                sqlx::query(
                    "INSERT INTO resource_versions (resource_id, version, code, status, spec, diff, user_id, username, action, comment, changed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(resource.id)
                .bind(resource.version)
                .bind(&u.code)
                .bind(u.status.code())
                .bind(&spec)
                .bind(&diff)
                .bind(u.change.user_id)
                .bind(&u.change.username)
                .bind(&u.change.action)
                .bind(&u.change.comment)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
                // The derived items of 一数一源 matching (migration 0009), in the same transaction.
                elements_impl::write_resource_items(&mut tx, resource.id, resource.department_id, u.status, &u.spec)
                    .await?;
                tx.commit().await?;
                Ok(resource)
            }

            async fn get_resource(&self, id: i64) -> R<Resource> {
                let sql = format!("SELECT {RESOURCE_COLS} FROM resources WHERE id = $1");
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("信息资源 {id}")))?;
                resource_row(&row)
            }

            async fn get_resources(&self, ids: &[i64]) -> R<Vec<Resource>> {
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                ids.dedup();
                let mut out = Vec::with_capacity(ids.len());
                // Bounded IN lists: SQLite and PostgreSQL both cap the placeholders of a statement.
                for chunk in ids.chunks(500) {
                    let list = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                    let sql = format!("SELECT {RESOURCE_COLS} FROM resources WHERE id IN ({list}) ORDER BY id");
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    for row in q.fetch_all(&self.pool).await? {
                        out.push(resource_row(&row)?);
                    }
                }
                Ok(out)
            }

            async fn get_resource_by_code(&self, code: &str) -> R<Resource> {
                let sql = format!("SELECT {RESOURCE_COLS} FROM resources WHERE code = $1");
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(code)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("信息资源“{code}”")))?;
                resource_row(&row)
            }

            async fn list_resources(&self, f: &ResourceFilter, page: PageRequest) -> R<Page<Resource>> {
                let mut w = Where::default();
                if let Some(c) = &f.category {
                    w.push("category LIKE ? ESCAPE '\\'", Arg::Text(format!("{}%", like_literal(c))));
                }
                if let Some(d) = f.department_id {
                    w.push("department_id = ?", Arg::Int(d));
                }
                for (col, v) in [
                    ("share_type", &f.share_type),
                    ("open_type", &f.open_type),
                    ("format_class", &f.format_class),
                    ("update_cycle", &f.update_cycle),
                ] {
                    if let Some(v) = v {
                        w.push(&format!("{col} = ?"), Arg::Text(v.clone()));
                    }
                }
                if let Some(s) = f.status {
                    w.push("status = ?", Arg::Text(s.code().to_string()));
                }
                if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    let p = w.next_placeholder();
                    w.args.push(Arg::Text(format!("%{}%", like_literal(t))));
                    w.push_raw(format!("(name LIKE {p} ESCAPE '\\' OR summary LIKE {p} ESCAPE '\\')"));
                }
                if let Some(d) = f.visible_to_department {
                    w.push(
                        // domain::catalog::visible_to_all, or the department's own.
                        "((classified = 0 AND (status = 'published' OR (status = 'withdrawn' AND published_at IS NOT NULL))) \
                          OR department_id = ?)",
                        Arg::Int(d),
                    );
                }
                self.page(
                    &format!("SELECT {RESOURCE_COLS} FROM resources"),
                    "SELECT COUNT(*) FROM resources",
                    w,
                    page,
                    resource_row,
                    |r| r.id,
                )
                .await
            }

            async fn resource_history(&self, id: i64) -> R<Vec<ResourceVersion>> {
                self.get_resource(id).await?;
                let rows = sqlx::query(
                    "SELECT resource_id, version, code, status, spec, diff, user_id, username, action, comment, changed_at \
                     FROM resource_versions WHERE resource_id = $1 ORDER BY version",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(version_row).collect()
            }

            async fn resource_versions(&self) -> R<Vec<(i64, i64)>> {
                let rows = sqlx::query("SELECT id, version FROM resources ORDER BY id").fetch_all(&self.pool).await?;
                rows.iter().map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?))).collect()
            }

            async fn live_codes(&self, codes: &[String], visible_to: Option<i64>) -> R<BTreeSet<String>> {
                let mut out = BTreeSet::new();
                for c in codes {
                    let row = sqlx::query(
                        "SELECT code FROM resources WHERE code = $1 AND status <> 'withdrawn' \
                         AND ($2 = 0 OR (status = 'published' AND classified = 0) OR department_id = $2)",
                    )
                        .bind(c)
                        .bind(visible_to.unwrap_or(0))
                        .fetch_optional(&self.pool)
                        .await?;
                    if row.is_some() {
                        out.insert(c.clone());
                    }
                }
                Ok(out)
            }

            async fn department_resource_ids(&self, department_id: i64, status: Option<ResourceStatus>) -> R<Vec<i64>> {
                let rows = sqlx::query(
                    "SELECT id FROM resources WHERE department_id = $1 AND ($2 = '' OR status = $2) ORDER BY id",
                )
                .bind(department_id)
                .bind(status.map(|s| s.code()).unwrap_or(""))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|r| Ok(r.try_get::<i64, _>("id")?)).collect()
            }

            async fn create_dataset_version(&self, v: &DatasetVersion) -> R<()> {
                let sql = format!("INSERT INTO dataset_versions ({DATASET_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
                let done = sqlx::query(AssertSqlSafe(sql))
                    .bind(v.resource_id)
                    .bind(v.version)
                    .bind(&v.mode)
                    .bind(serde_json::to_string(&v.files)?)
                    .bind(v.row_count)
                    .bind(v.byte_size)
                    .bind(serde_json::to_string(&v.data_items)?)
                    .bind(v.rejected_rows)
                    .bind(v.published_by)
                    .bind(time::fmt(v.published_at))
                    .execute(&self.pool)
                    .await;
                match done {
                    Ok(_) => Ok(()),
                    Err(e) => match StoreError::from(e) {
                        StoreError::Conflict { .. } => Err(StoreError::Conflict {
                            message: format!("数据版本{}已由另一次发布占用，请重新发布", v.version),
                        }),
                        other => Err(other),
                    },
                }
            }

            async fn get_dataset_version(&self, resource_id: i64, version: i64) -> R<DatasetVersion> {
                let sql = format!("SELECT {DATASET_COLS} FROM dataset_versions WHERE resource_id = $1 AND version = $2");
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(resource_id)
                    .bind(version)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("数据版本{version}")))?;
                dataset_row(&row)
            }

            async fn latest_dataset_version(&self, resource_id: i64) -> R<Option<DatasetVersion>> {
                let sql = format!("SELECT {DATASET_COLS} FROM dataset_versions WHERE resource_id = $1 ORDER BY version DESC LIMIT 1");
                let row = sqlx::query(AssertSqlSafe(sql)).bind(resource_id).fetch_optional(&self.pool).await?;
                row.as_ref().map(dataset_row).transpose()
            }

            async fn list_dataset_versions(&self, resource_id: i64) -> R<Vec<DatasetVersion>> {
                let sql = format!("SELECT {DATASET_COLS} FROM dataset_versions WHERE resource_id = $1 ORDER BY version DESC");
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(resource_id).fetch_all(&self.pool).await?;
                rows.iter().map(dataset_row).collect()
            }

            async fn referenced_dataset_files(&self) -> R<BTreeSet<String>> {
                let rows = sqlx::query("SELECT files FROM dataset_versions").fetch_all(&self.pool).await?;
                let mut out = BTreeSet::new();
                for r in &rows {
                    let files: String = r.try_get("files")?;
                    out.extend(serde_json::from_str::<Vec<String>>(&files)?);
                }
                Ok(out)
            }

            async fn create_duty_change(&self, c: &NewDutyChange) -> R<DutyChange> {
                let recorded_at = time::fmt(c.recorded_at);
                let mut tx = self.pool.begin().await?;
                let row = sqlx::query(
                    "INSERT INTO duty_changes (department_id, kind, description, effective_date, deadline, \
                     deadline_provisional, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(c.department_id)
                .bind(c.kind.code())
                .bind(&c.description)
                .bind(c.effective_date.to_string())
                .bind(c.deadline.to_string())
                .bind(c.deadline_provisional)
                .bind(c.recorded_by)
                .bind(&recorded_at)
                .fetch_one(&mut *tx)
                .await?;
                let id: i64 = row.try_get("id")?;
                for rid in &c.resource_ids {
                    sqlx::query("INSERT INTO duty_change_items (change_id, resource_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(*rid)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                let items = self.duty_change_items(id, &recorded_at).await?;
                Ok(DutyChange {
                    id,
                    department_id: c.department_id,
                    kind: c.kind,
                    description: c.description.clone(),
                    effective_date: c.effective_date,
                    deadline: c.deadline,
                    deadline_provisional: c.deadline_provisional,
                    recorded_by: c.recorded_by,
                    recorded_at: time::parse(&recorded_at)?,
                    items,
                })
            }

            async fn list_duty_changes(&self, department_id: Option<i64>) -> R<Vec<DutyChange>> {
                let rows = sqlx::query(
                    "SELECT id, department_id, kind, description, effective_date, deadline, deadline_provisional, \
                     recorded_by, recorded_at FROM duty_changes WHERE ($1 = 0 OR department_id = $1) ORDER BY id",
                )
                .bind(department_id.unwrap_or(0))
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    let (mut change, recorded_at) = Self::duty_change_row(r)?;
                    change.items = self.duty_change_items(change.id, &recorded_at).await?;
                    out.push(change);
                }
                Ok(out)
            }

            async fn provisional_deadlines(&self) -> R<Vec<ProvisionalDeadline>> {
                let mut out = Vec::new();
                // Deadlines counted from a date.
                let from_dates = [
                    (
                        DeadlineOf::Application,
                        "SELECT id, received_on AS start, reply_due AS due FROM applications \
                         WHERE due_provisional ORDER BY id",
                    ),
                    (
                        DeadlineOf::DutyChange,
                        "SELECT id, effective_date AS start, deadline AS due FROM duty_changes \
                         WHERE deadline_provisional ORDER BY id",
                    ),
                ];
                for (of, sql) in from_dates {
                    for r in &sqlx::query(sql).fetch_all(&self.pool).await? {
                        out.push(ProvisionalDeadline {
                            of,
                            id: r.try_get("id")?,
                            start: time::parse_date(&r.try_get::<String, _>("start")?)?,
                            due: time::parse_date(&r.try_get::<String, _>("due")?)?,
                        });
                    }
                }
                let rows = sqlx::query(
                    "SELECT id, submitted_at, deadline FROM open_requests WHERE deadline_provisional ORDER BY id",
                )
                .fetch_all(&self.pool)
                .await?;
                for r in &rows {
                    out.push(ProvisionalDeadline {
                        of: DeadlineOf::OpenRequest,
                        id: r.try_get("id")?,
                        // Received on the day it was submitted, in China Standard Time.
                        start: time::cst_date(time::parse(&r.try_get::<String, _>("submitted_at")?)?),
                        due: time::parse_date(&r.try_get::<String, _>("deadline")?)?,
                    });
                }
                Ok(out)
            }

            async fn move_provisional_deadline(
                &self,
                of: DeadlineOf,
                id: i64,
                from: NaiveDate,
                to: domain::calendar::Deadline,
            ) -> R<bool> {
                // Compare and set: the row must still hold the provisional deadline read.
                let sql = match of {
                    DeadlineOf::Application => {
                        "UPDATE applications SET reply_due = $1, due_provisional = $2 \
                         WHERE id = $3 AND due_provisional AND reply_due = $4"
                    }
                    DeadlineOf::DutyChange => {
                        "UPDATE duty_changes SET deadline = $1, deadline_provisional = $2 \
                         WHERE id = $3 AND deadline_provisional AND deadline = $4"
                    }
                    DeadlineOf::OpenRequest => {
                        "UPDATE open_requests SET deadline = $1, deadline_provisional = $2 \
                         WHERE id = $3 AND deadline_provisional AND deadline = $4"
                    }
                };
                let done = sqlx::query(sql)
                    .bind(to.date.to_string())
                    .bind(to.provisional)
                    .bind(id)
                    .bind(from.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn append_audit(&self, e: &NewAuditEvent) -> R<i64> {
                let leaves = self.append_audit_batch(std::slice::from_ref(e)).await?;
                leaves.first().map(|l| l.event_id).ok_or_else(|| StoreError::Corrupt("no audit leaf".into()))
            }

            async fn append_audit_batch(&self, events: &[NewAuditEvent]) -> R<Vec<AuditLeaf>> {
                if events.is_empty() {
                    return Ok(Vec::new());
                }
                let mut tx = self.ledger_tx().await?;
                let mut last: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM audit_leaves")
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                let mut out = Vec::with_capacity(events.len());
                // Multi-row statements: two round trips per chunk instead of two per event.
                for chunk in events.chunks(256) {
                    let texts: Vec<(String, String)> = chunk
                        .iter()
                        .map(|e| Ok((time::fmt(e.at), serde_json::to_string(&e.detail)?)))
                        .collect::<R<_>>()?;
                    let values = (0..chunk.len())
                        .map(|i| {
                            let b = i * 8;
                            format!("(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8)
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "INSERT INTO audit_events (at, user_id, username, department_id, action, object_type, object_id, detail) \
                         VALUES {values} RETURNING id"
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for (e, (at, detail)) in chunk.iter().zip(&texts) {
                        q = q
                            .bind(at.as_str())
                            .bind(e.user_id)
                            .bind(e.username.as_deref())
                            .bind(e.department_id)
                            .bind(e.action.as_str())
                            .bind(e.object_type.as_str())
                            .bind(e.object_id.as_deref())
                            .bind(detail.as_str());
                    }
                    // Positions are assigned under the ledger lock, so the ids of one statement
                    // are consecutive in VALUES order: sorting them restores that order whatever
                    // order RETURNING uses.
                    let mut ids: Vec<i64> =
                        q.fetch_all(&mut *tx).await?.iter().map(|r| r.try_get::<i64, _>(0)).collect::<Result<_, _>>()?;
                    ids.sort_unstable();
                    if ids.len() != chunk.len() {
                        return Err(StoreError::Corrupt("audit insert returned a wrong number of ids".into()));
                    }
                    let mut leaves = Vec::with_capacity(chunk.len());
                    for ((e, (at, detail)), id) in chunk.iter().zip(&texts).zip(&ids) {
                        last += 1;
                        let leaf = audit_leaf(
                            last,
                            at,
                            e.user_id,
                            e.username.as_deref(),
                            e.department_id,
                            &e.action,
                            &e.object_type,
                            e.object_id.as_deref(),
                            detail,
                        );
                        leaves.push(AuditLeaf { seq: last, event_id: *id, leaf_hash: leaf });
                    }
                    let values = (0..leaves.len())
                        .map(|i| format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!("INSERT INTO audit_leaves (seq, event_id, leaf_hash) VALUES {values}");
                    let hashes: Vec<String> = leaves.iter().map(|l| l.leaf_hash.to_string()).collect();
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for (l, h) in leaves.iter().zip(&hashes) {
                        q = q.bind(l.seq).bind(l.event_id).bind(h.as_str());
                    }
                    q.execute(&mut *tx).await?;
                    out.extend(leaves);
                }
                tx.commit().await?;
                Ok(out)
            }

            async fn audit_leaves_after(&self, after_seq: i64, limit: i64) -> R<Vec<AuditLeaf>> {
                let rows = sqlx::query(
                    "SELECT seq, event_id, leaf_hash FROM audit_leaves WHERE seq > $1 ORDER BY seq LIMIT $2",
                )
                .bind(after_seq)
                .bind(limit.clamp(1, 100_000))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let h: String = r.try_get("leaf_hash")?;
                        Ok(AuditLeaf {
                            seq: r.try_get("seq")?,
                            event_id: r.try_get("event_id")?,
                            leaf_hash: h.parse().map_err(|_| corrupt("audit leaf hash", &h))?,
                        })
                    })
                    .collect()
            }

            async fn unlogged_audit_events(&self, limit: i64) -> R<Vec<i64>> {
                let rows = sqlx::query(
                    "SELECT e.id FROM audit_events e LEFT JOIN audit_leaves l ON l.event_id = e.id \
                     WHERE l.event_id IS NULL ORDER BY e.id LIMIT $1",
                )
                .bind(limit.clamp(1, 100_000))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
            }

            async fn log_audit_events(&self, event_ids: &[i64]) -> R<Vec<AuditLeaf>> {
                let mut tx = self.ledger_tx().await?;
                let mut seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM audit_leaves")
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                let mut out = Vec::with_capacity(event_ids.len());
                for id in event_ids {
                    let r = sqlx::query(
                        "SELECT e.id, e.at, e.user_id, e.username, e.department_id, e.action, e.object_type, e.object_id, e.detail, \
                           (SELECT COUNT(*) FROM audit_leaves l WHERE l.event_id = e.id) AS logged \
                         FROM audit_events e WHERE e.id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound { what: format!("审计记录 {id}") })?;
                    if r.try_get::<i64, _>("logged")? > 0 {
                        continue;
                    }
                    seq += 1;
                    let leaf = leaf_of_row(seq, &r)?;
                    sqlx::query("INSERT INTO audit_leaves (seq, event_id, leaf_hash) VALUES ($1, $2, $3)")
                        .bind(seq)
                        .bind(id)
                        .bind(leaf.to_string())
                        .execute(&mut *tx)
                        .await?;
                    out.push(AuditLeaf { seq, event_id: *id, leaf_hash: leaf });
                }
                tx.commit().await?;
                Ok(out)
            }

            async fn ledger_entries(&self, after_seq: i64, limit: i64) -> R<Vec<LedgerEntry>> {
                let rows = sqlx::query(
                    "SELECT l.seq, l.event_id, l.leaf_hash, e.id, e.at, e.user_id, e.username, e.department_id, e.action, \
                       e.object_type, e.object_id, e.detail \
                     FROM audit_leaves l LEFT JOIN audit_events e ON e.id = l.event_id \
                     WHERE l.seq > $1 ORDER BY l.seq LIMIT $2",
                )
                .bind(after_seq)
                .bind(limit.clamp(1, 100_000))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let seq: i64 = r.try_get("seq")?;
                        let present: Option<i64> = r.try_get("id")?;
                        Ok(LedgerEntry {
                            seq,
                            event_id: r.try_get("event_id")?,
                            stored_leaf: r.try_get("leaf_hash")?,
                            recomputed_leaf: match present {
                                Some(_) => Some(leaf_of_row(seq, r)?),
                                None => None,
                            },
                        })
                    })
                    .collect()
            }

            async fn append_audit_checkpoint(&self, c: &StoredCheckpoint) -> R<()> {
                sqlx::query(
                    "INSERT INTO audit_checkpoints (tree_size, root, at, origin, key_id, signature, frontier) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tree_size) DO NOTHING",
                )
                .bind(c.tree_size)
                .bind(&c.root)
                .bind(&c.at)
                .bind(&c.origin)
                .bind(&c.key_id)
                .bind(&c.signature)
                .bind(&c.frontier)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn audit_checkpoints(&self) -> R<Vec<StoredCheckpoint>> {
                let rows = sqlx::query(AssertSqlSafe(format!("SELECT {CHECKPOINT_COLS} FROM audit_checkpoints ORDER BY tree_size")))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(checkpoint_row).collect()
            }

            async fn latest_audit_checkpoint(&self) -> R<Option<StoredCheckpoint>> {
                let row = sqlx::query(AssertSqlSafe(format!(
                    "SELECT {CHECKPOINT_COLS} FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1"
                )))
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(checkpoint_row).transpose()
            }

            async fn latest_audit_event(&self, action: &str) -> R<Option<AuditEvent>> {
                // Read backwards from the newest event: the wanted one is usually recent.
                let row = sqlx::query(
                    "SELECT id, at, user_id, username, department_id, action, object_type, object_id, detail \
                     FROM audit_events WHERE action = $1 ORDER BY id DESC LIMIT 1",
                )
                .bind(action)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(audit_row).transpose()
            }

            async fn list_audit(&self, f: &AuditFilter, page: PageRequest) -> R<Page<AuditEvent>> {
                let mut w = Where::default();
                if let Some(u) = f.user_id {
                    w.push("user_id = ?", Arg::Int(u));
                }
                if let Some(a) = &f.action_prefix {
                    w.push("action LIKE ? ESCAPE '\\'", Arg::Text(format!("{}%", like_literal(a))));
                }
                if let Some(t) = &f.object_type {
                    w.push("object_type = ?", Arg::Text(t.clone()));
                }
                if let Some(o) = &f.object_id {
                    w.push("object_id = ?", Arg::Text(o.clone()));
                }
                if let Some(d) = f.department_id {
                    w.push("department_id = ?", Arg::Int(d));
                }
                if let Some(t) = f.from {
                    w.push("at >= ?", Arg::Text(time::fmt(t)));
                }
                if let Some(t) = f.until {
                    w.push("at < ?", Arg::Text(time::fmt(t)));
                }
                // Details are compact JSON written by serde_json: a key is followed by `:` and its
                // value, then `,` or `}`.
                if let Some(code) = &f.resource_code {
                    let a = w.next_placeholder();
                    w.args.push(Arg::Text(code.clone()));
                    let b = w.next_placeholder();
                    let quoted = serde_json::to_string(code)?;
                    w.args.push(Arg::Text(format!("%\"resource\":{}%", like_literal(&quoted))));
                    w.push_raw(format!(
                        "((object_type = 'resource' AND object_id = {a}) OR detail LIKE {b} ESCAPE '\\')"
                    ));
                }
                if let Some(g) = f.grant_id {
                    let a = w.next_placeholder();
                    w.args.push(Arg::Text(g.to_string()));
                    let b = w.next_placeholder();
                    w.args.push(Arg::Text(format!("%\"grant\":{g},%")));
                    let c = w.next_placeholder();
                    w.args.push(Arg::Text(format!("%\"grant\":{g}}}%")));
                    w.push_raw(format!(
                        "((object_type = 'grant' AND object_id = {a}) OR detail LIKE {b} OR detail LIKE {c})"
                    ));
                }
                self.page(
                    "SELECT id, at, user_id, username, department_id, action, object_type, object_id, detail FROM audit_events",
                    "SELECT COUNT(*) FROM audit_events",
                    w,
                    page,
                    audit_row,
                    |e| e.id,
                )
                .await
            }
        }
    };
}

pub(crate) use impl_store;
