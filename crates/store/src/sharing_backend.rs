//! The SQL of the sharing store, written once and expanded for each backend by
//! `impl_sharing_store!`, in the same portable dialect as `backend.rs`: `$N` placeholders,
//! `RETURNING`, `ON CONFLICT … DO UPDATE`, timestamps as RFC 3339 text, dates as `YYYY-MM-DD` text,
//! JSON documents as text, enumerations as their English code.
//!
//! Transitions use optimistic locking: the caller names the revision it saw, the `UPDATE` matches
//! only that revision, and the step (and an issued grant) is written in the same transaction, so a
//! stale writer changes nothing.

/// Implements `SharingStore` for `$ty` (which has a `pool: sqlx::Pool<$db>` field) on database
/// `$db`. Invoke it next to `impl_store!`, in the same module: it reuses that macro's `Where` and
/// `Arg` for the list filters. Its items live in a private child module so that its imports and
/// helpers do not collide with those of `impl_store!`.
macro_rules! impl_sharing_store {
    ($ty:ident, $db:ty) => {
        mod sharing_impl {
            use super::{$ty, Arg, Where};

            use async_trait::async_trait;
            use chrono::{DateTime, NaiveDate, Utc};
            use domain::sharing::{ApplicationStatus, GrantStatus};
            use sqlx::{AssertSqlSafe, Row};

            use crate::StoreError;
            use crate::model::*;
            use crate::sharing_store::SharingStore;
            use crate::time;

            type DbRow = <$db as sqlx::Database>::Row;
            type Conn = <$db as sqlx::Database>::Connection;
            type R<T> = Result<T, StoreError>;

            const APPLICATION_COLS: &str = "id, resource_id, provider_department_id, consumer_department_id, applicant_id, \
                status, terms, received_on, reply_due, due_provisional, decision, grant_id, created_at, updated_at, revision";
            const APPLICATION_STEP_COLS: &str =
                "application_id, seq, action, from_status, to_status, actor_id, actor_name, party, note, at";
            const GRANT_COLS: &str = "id, resource_id, provider_department_id, consumer_department_id, application_id, \
                status, terms, issued_by, issued_at, updated_at, revision";
            const GRANT_STEP_COLS: &str = "grant_id, seq, action, from_status, to_status, actor_id, actor_name, reason, at";
            const AGREEMENT_COLS: &str =
                "id, grant_id, kind, title, file_name, content_type, byte_size, sha256, object_path, filed_by, filed_at";
            const FEEDBACK_COLS: &str = "id, grant_id, resource_id, department_id, author_id, rating, effect, at";
            const DOWNLOAD_COLS: &str = "id, resource_id, version, user_id, department_id, grant_id, seed, key_fields, \
                format, row_count, at";

            fn application_conflict() -> StoreError {
                StoreError::Conflict { message: "该申请已被他人处理，请刷新后重试".to_string() }
            }

            fn grant_conflict() -> StoreError {
                StoreError::Conflict { message: "该授权已被他人修改，请刷新后重试".to_string() }
            }

            fn bad(what: &str, v: &str) -> StoreError {
                StoreError::Corrupt(format!("bad {what}: {v:?}"))
            }

            fn ts(r: &DbRow, col: &str) -> R<DateTime<Utc>> {
                time::parse(&r.try_get::<String, _>(col)?)
            }

            fn date(r: &DbRow, col: &str) -> R<NaiveDate> {
                time::parse_date(&r.try_get::<String, _>(col)?)
            }

            fn day(d: NaiveDate) -> String {
                d.format("%Y-%m-%d").to_string()
            }

            fn application_status(s: &str) -> R<ApplicationStatus> {
                ApplicationStatus::parse(s).ok_or_else(|| bad("application status", s))
            }

            fn grant_status(s: &str) -> R<GrantStatus> {
                GrantStatus::parse(s).ok_or_else(|| bad("grant status", s))
            }

            fn application_row(r: &DbRow) -> R<Application> {
                let terms: String = r.try_get("terms")?;
                let decision: Option<String> = r.try_get("decision")?;
                Ok(Application {
                    id: r.try_get("id")?,
                    resource_id: r.try_get("resource_id")?,
                    provider_department_id: r.try_get("provider_department_id")?,
                    consumer_department_id: r.try_get("consumer_department_id")?,
                    applicant_id: r.try_get("applicant_id")?,
                    status: application_status(&r.try_get::<String, _>("status")?)?,
                    terms: serde_json::from_str(&terms)?,
                    received_on: date(r, "received_on")?,
                    reply_due: date(r, "reply_due")?,
                    due_provisional: r.try_get("due_provisional")?,
                    decision: decision.as_deref().map(serde_json::from_str).transpose()?,
                    grant_id: r.try_get("grant_id")?,
                    created_at: ts(r, "created_at")?,
                    updated_at: ts(r, "updated_at")?,
                    revision: r.try_get("revision")?,
                })
            }

            fn application_step_row(r: &DbRow) -> R<ApplicationStep> {
                let from: Option<String> = r.try_get("from_status")?;
                Ok(ApplicationStep {
                    application_id: r.try_get("application_id")?,
                    seq: r.try_get("seq")?,
                    action: r.try_get("action")?,
                    from_status: from.as_deref().map(application_status).transpose()?,
                    to_status: application_status(&r.try_get::<String, _>("to_status")?)?,
                    actor_id: r.try_get("actor_id")?,
                    actor_name: r.try_get("actor_name")?,
                    party: r.try_get("party")?,
                    note: r.try_get("note")?,
                    at: ts(r, "at")?,
                })
            }

            fn grant_row(r: &DbRow) -> R<Grant> {
                let terms: String = r.try_get("terms")?;
                Ok(Grant {
                    id: r.try_get("id")?,
                    resource_id: r.try_get("resource_id")?,
                    provider_department_id: r.try_get("provider_department_id")?,
                    consumer_department_id: r.try_get("consumer_department_id")?,
                    application_id: r.try_get("application_id")?,
                    status: grant_status(&r.try_get::<String, _>("status")?)?,
                    terms: serde_json::from_str(&terms)?,
                    issued_by: r.try_get("issued_by")?,
                    issued_at: ts(r, "issued_at")?,
                    updated_at: ts(r, "updated_at")?,
                    revision: r.try_get("revision")?,
                })
            }

            fn grant_step_row(r: &DbRow) -> R<GrantStep> {
                let from: Option<String> = r.try_get("from_status")?;
                Ok(GrantStep {
                    grant_id: r.try_get("grant_id")?,
                    seq: r.try_get("seq")?,
                    action: r.try_get("action")?,
                    from_status: from.as_deref().map(grant_status).transpose()?,
                    to_status: grant_status(&r.try_get::<String, _>("to_status")?)?,
                    actor_id: r.try_get("actor_id")?,
                    actor_name: r.try_get("actor_name")?,
                    reason: r.try_get("reason")?,
                    at: ts(r, "at")?,
                })
            }

            fn agreement_row(r: &DbRow) -> R<Agreement> {
                Ok(Agreement {
                    id: r.try_get("id")?,
                    grant_id: r.try_get("grant_id")?,
                    kind: r.try_get("kind")?,
                    title: r.try_get("title")?,
                    file_name: r.try_get("file_name")?,
                    content_type: r.try_get("content_type")?,
                    byte_size: r.try_get("byte_size")?,
                    sha256: r.try_get("sha256")?,
                    object_path: r.try_get("object_path")?,
                    filed_by: r.try_get("filed_by")?,
                    filed_at: ts(r, "filed_at")?,
                })
            }

            fn feedback_row(r: &DbRow) -> R<Feedback> {
                Ok(Feedback {
                    id: r.try_get("id")?,
                    grant_id: r.try_get("grant_id")?,
                    resource_id: r.try_get("resource_id")?,
                    department_id: r.try_get("department_id")?,
                    author_id: r.try_get("author_id")?,
                    rating: r.try_get("rating")?,
                    effect: r.try_get("effect")?,
                    at: ts(r, "at")?,
                })
            }

            fn download_row(r: &DbRow) -> R<Download> {
                let key_fields: String = r.try_get("key_fields")?;
                Ok(Download {
                    id: r.try_get("id")?,
                    resource_id: r.try_get("resource_id")?,
                    version: r.try_get("version")?,
                    user_id: r.try_get("user_id")?,
                    department_id: r.try_get("department_id")?,
                    grant_id: r.try_get("grant_id")?,
                    seed: r.try_get("seed")?,
                    key_fields: serde_json::from_str(&key_fields)?,
                    format: r.try_get("format")?,
                    row_count: r.try_get("row_count")?,
                    at: ts(r, "at")?,
                })
            }

            /// `col IN ($a, $b, …)` with every value bound; nothing when `values` is empty.
            fn push_in(w: &mut Where, col: &str, values: &[&str]) {
                if values.is_empty() {
                    return;
                }
                let mut placeholders = Vec::with_capacity(values.len());
                for v in values {
                    placeholders.push(w.next_placeholder());
                    w.args.push(Arg::Text((*v).to_string()));
                }
                w.push_raw(format!("{col} IN ({})", placeholders.join(", ")));
            }

            /// The filters both lists share: resource, provider, consumer, either department.
            fn party_filter(
                resource_id: Option<i64>,
                provider: Option<i64>,
                consumer: Option<i64>,
                either: Option<i64>,
            ) -> Where {
                let mut w = Where::default();
                if let Some(r) = resource_id {
                    w.push("resource_id = ?", Arg::Int(r));
                }
                if let Some(d) = provider {
                    w.push("provider_department_id = ?", Arg::Int(d));
                }
                if let Some(d) = consumer {
                    w.push("consumer_department_id = ?", Arg::Int(d));
                }
                if let Some(d) = either {
                    w.push("(provider_department_id = ? OR consumer_department_id = ?)", Arg::Int(d));
                }
                w
            }

            /// Records the next step of an application (seq = last + 1).
            async fn insert_application_step(
                conn: &mut Conn,
                application_id: i64,
                from: Option<ApplicationStatus>,
                to: ApplicationStatus,
                step: &NewStep,
                at: &str,
            ) -> R<()> {
                sqlx::query(
                    "INSERT INTO application_steps (application_id, seq, action, from_status, to_status, actor_id, \
                       actor_name, party, note, at) \
                     VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM application_steps WHERE application_id = $1), \
                       $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(application_id)
                .bind(&step.action)
                .bind(from.map(|s| s.code()))
                .bind(to.code())
                .bind(step.actor_id)
                .bind(&step.actor_name)
                .bind(&step.party)
                .bind(&step.note)
                .bind(at)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            /// Records the next step of a grant (seq = last + 1): `t` names the action, the new
            /// status, who and why.
            async fn insert_grant_step(
                conn: &mut Conn,
                grant_id: i64,
                from: Option<GrantStatus>,
                t: &GrantTransition,
            ) -> R<()> {
                sqlx::query(
                    "INSERT INTO grant_steps (grant_id, seq, action, from_status, to_status, actor_id, actor_name, reason, at) \
                     VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM grant_steps WHERE grant_id = $1), \
                       $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(grant_id)
                .bind(&t.action)
                .bind(from.map(|s| s.code()))
                .bind(t.to.code())
                .bind(t.actor_id)
                .bind(&t.actor_name)
                .bind(&t.reason)
                .bind(time::fmt(t.at))
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            /// Inserts an active grant, revision 1, with its `issue` step (seq 1).
            async fn insert_grant(
                conn: &mut Conn,
                g: &NewGrant,
                application_id: Option<i64>,
                actor_name: Option<&str>,
            ) -> R<Grant> {
                let sql = format!(
                    "INSERT INTO grants (resource_id, provider_department_id, consumer_department_id, application_id, \
                       status, terms, valid_from, valid_until, issued_by, issued_at, updated_at, revision) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1) RETURNING {GRANT_COLS}"
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(g.resource_id)
                    .bind(g.provider_department_id)
                    .bind(g.consumer_department_id)
                    .bind(application_id)
                    .bind(GrantStatus::Active.code())
                    .bind(serde_json::to_string(&g.terms)?)
                    .bind(day(g.terms.period.from))
                    .bind(day(g.terms.period.until))
                    .bind(g.issued_by)
                    .bind(time::fmt(g.at))
                    .fetch_one(&mut *conn)
                    .await?;
                let grant = grant_row(&row)?;
                let issue = GrantTransition {
                    id: grant.id,
                    expected_revision: 0,
                    to: GrantStatus::Active,
                    action: "issue".to_string(),
                    actor_id: Some(g.issued_by),
                    actor_name: actor_name.map(str::to_string),
                    reason: g.note.clone(),
                    at: g.at,
                };
                insert_grant_step(conn, grant.id, None, &issue).await?;
                Ok(grant)
            }

            #[async_trait]
            impl SharingStore for $ty {
                async fn create_application(&self, new: &NewApplication, step: &NewStep) -> R<Application> {
                    let at = time::fmt(new.at);
                    let terms = serde_json::to_string(&new.terms)?;
                    let mut tx = self.pool.begin().await?;
                    let sql = format!(
                        "INSERT INTO applications (resource_id, provider_department_id, consumer_department_id, \
                           applicant_id, status, terms, received_on, reply_due, due_provisional, decision, grant_id, \
                           created_at, updated_at, revision) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, $10, $10, 1) RETURNING {APPLICATION_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(new.resource_id)
                        .bind(new.provider_department_id)
                        .bind(new.consumer_department_id)
                        .bind(new.applicant_id)
                        .bind(new.status.code())
                        .bind(&terms)
                        .bind(day(new.received_on))
                        .bind(day(new.reply_due))
                        .bind(new.due_provisional)
                        .bind(&at)
                        .fetch_one(&mut *tx)
                        .await?;
                    let application = application_row(&row)?;
                    insert_application_step(&mut tx, application.id, None, new.status, step, &at).await?;
                    tx.commit().await?;
                    Ok(application)
                }

                async fn get_application(&self, id: i64) -> R<Application> {
                    let sql = format!("SELECT {APPLICATION_COLS} FROM applications WHERE id = $1");
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or_else(|| StoreError::not_found(format!("共享申请 {id}")))?;
                    application_row(&row)
                }

                async fn list_applications(&self, f: &ApplicationFilter, page: PageRequest) -> R<Page<Application>> {
                    let mut w = party_filter(
                        f.resource_id,
                        f.provider_department_id,
                        f.consumer_department_id,
                        f.department_id,
                    );
                    let statuses: Vec<&str> = f.statuses.iter().map(|s| s.code()).collect();
                    push_in(&mut w, "status", &statuses);
                    if let Some(d) = f.due_before {
                        w.push("reply_due < ?", Arg::Text(day(d)));
                    }
                    self.page_by_id(
                        &format!("SELECT {APPLICATION_COLS} FROM applications"),
                        "SELECT COUNT(*) FROM applications",
                        w,
                        page,
                        application_row,
                        |a| a.id,
                        true,
                    )
                    .await
                }

                async fn application_steps(&self, id: i64) -> R<Vec<ApplicationStep>> {
                    self.get_application(id).await?;
                    let sql = format!(
                        "SELECT {APPLICATION_STEP_COLS} FROM application_steps WHERE application_id = $1 ORDER BY seq"
                    );
                    let rows = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_all(&self.pool).await?;
                    rows.iter().map(application_step_row).collect()
                }

                async fn transition_application(&self, t: &ApplicationTransition) -> R<(Application, Option<Grant>)> {
                    // The status the step moves from: the revision identifies the state, so the
                    // status read at the expected revision is the one the UPDATE below replaces.
                    let current = self.get_application(t.id).await?;
                    if current.revision != t.expected_revision {
                        return Err(application_conflict());
                    }
                    let at = time::fmt(t.at);
                    let decision = t.decision.as_ref().map(serde_json::to_string).transpose()?;
                    let mut tx = self.pool.begin().await?;
                    // The write comes first so that SQLite takes its write lock at once.
                    let sql = format!(
                        "UPDATE applications SET status = $1, revision = revision + 1, \
                           decision = COALESCE($2, decision), updated_at = $3 \
                         WHERE id = $4 AND revision = $5 RETURNING {APPLICATION_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(t.to.code())
                        .bind(&decision)
                        .bind(&at)
                        .bind(t.id)
                        .bind(t.expected_revision)
                        .fetch_optional(&mut *tx)
                        .await?;
                    // Someone else moved it between the read and the write (the row was there).
                    let Some(row) = row else {
                        return Err(application_conflict());
                    };
                    let mut application = application_row(&row)?;
                    insert_application_step(&mut tx, t.id, Some(current.status), t.to, &t.step, &at).await?;
                    let grant = match &t.grant {
                        None => None,
                        Some(g) => {
                            // The grant answers this application, whatever the caller filled in.
                            let grant = insert_grant(&mut tx, g, Some(t.id), t.step.actor_name.as_deref()).await?;
                            let sql = format!(
                                "UPDATE applications SET grant_id = $1 WHERE id = $2 RETURNING {APPLICATION_COLS}"
                            );
                            let row = sqlx::query(AssertSqlSafe(sql)).bind(grant.id).bind(t.id).fetch_one(&mut *tx).await?;
                            application = application_row(&row)?;
                            Some(grant)
                        }
                    };
                    tx.commit().await?;
                    Ok((application, grant))
                }

                async fn create_grant(&self, new: &NewGrant, actor_name: Option<&str>) -> R<Grant> {
                    let mut tx = self.pool.begin().await?;
                    let grant = insert_grant(&mut tx, new, new.application_id, actor_name).await?;
                    tx.commit().await?;
                    Ok(grant)
                }

                async fn get_grant(&self, id: i64) -> R<Grant> {
                    let sql = format!("SELECT {GRANT_COLS} FROM grants WHERE id = $1");
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or_else(|| StoreError::not_found(format!("授权 {id}")))?;
                    grant_row(&row)
                }

                async fn list_grants(&self, f: &GrantFilter, page: PageRequest) -> R<Page<Grant>> {
                    let mut w = party_filter(
                        f.resource_id,
                        f.provider_department_id,
                        f.consumer_department_id,
                        f.department_id,
                    );
                    let statuses: Vec<&str> = f.statuses.iter().map(|s| s.code()).collect();
                    push_in(&mut w, "status", &statuses);
                    self.page_by_id(
                        &format!("SELECT {GRANT_COLS} FROM grants"),
                        "SELECT COUNT(*) FROM grants",
                        w,
                        page,
                        grant_row,
                        |g| g.id,
                        true,
                    )
                    .await
                }

                async fn grants_for(&self, resource_id: i64, consumer_department_id: i64) -> R<Vec<Grant>> {
                    let sql = format!(
                        "SELECT {GRANT_COLS} FROM grants WHERE resource_id = $1 AND consumer_department_id = $2 \
                         ORDER BY id DESC"
                    );
                    let rows = sqlx::query(AssertSqlSafe(sql))
                        .bind(resource_id)
                        .bind(consumer_department_id)
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter().map(grant_row).collect()
                }

                async fn grant_steps(&self, id: i64) -> R<Vec<GrantStep>> {
                    self.get_grant(id).await?;
                    let sql = format!("SELECT {GRANT_STEP_COLS} FROM grant_steps WHERE grant_id = $1 ORDER BY seq");
                    let rows = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_all(&self.pool).await?;
                    rows.iter().map(grant_step_row).collect()
                }

                async fn transition_grant(&self, t: &GrantTransition) -> R<Grant> {
                    let current = self.get_grant(t.id).await?;
                    if current.revision != t.expected_revision {
                        return Err(grant_conflict());
                    }
                    let mut tx = self.pool.begin().await?;
                    let sql = format!(
                        "UPDATE grants SET status = $1, revision = revision + 1, updated_at = $2 \
                         WHERE id = $3 AND revision = $4 RETURNING {GRANT_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(t.to.code())
                        .bind(time::fmt(t.at))
                        .bind(t.id)
                        .bind(t.expected_revision)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(row) = row else {
                        return Err(grant_conflict());
                    };
                    let grant = grant_row(&row)?;
                    insert_grant_step(&mut tx, t.id, Some(current.status), t).await?;
                    tx.commit().await?;
                    Ok(grant)
                }

                async fn grants_past_period(&self, today: NaiveDate) -> R<Vec<Grant>> {
                    let sql =
                        format!("SELECT {GRANT_COLS} FROM grants WHERE status IN ($1, $2) AND valid_until < $3 ORDER BY id");
                    let rows = sqlx::query(AssertSqlSafe(sql))
                        .bind(GrantStatus::Active.code())
                        .bind(GrantStatus::Suspended.code())
                        .bind(day(today))
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter().map(grant_row).collect()
                }

                async fn grant_usage(&self, grant_id: i64, on: NaiveDate) -> R<i64> {
                    let row = sqlx::query("SELECT rows FROM grant_usage WHERE grant_id = $1 AND day = $2")
                        .bind(grant_id)
                        .bind(day(on))
                        .fetch_optional(&self.pool)
                        .await?;
                    match row {
                        Some(r) => Ok(r.try_get("rows")?),
                        None => Ok(0),
                    }
                }

                async fn add_grant_usage(&self, grant_id: i64, on: NaiveDate, rows: i64) -> R<i64> {
                    // One atomic statement: concurrent readers each add their rows.
                    let row = sqlx::query(
                        "INSERT INTO grant_usage (grant_id, day, rows) VALUES ($1, $2, $3) \
                         ON CONFLICT (grant_id, day) DO UPDATE SET rows = grant_usage.rows + excluded.rows \
                         RETURNING rows",
                    )
                    .bind(grant_id)
                    .bind(day(on))
                    .bind(rows)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(|e| match &e {
                        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                            StoreError::not_found(format!("授权 {grant_id}"))
                        }
                        _ => StoreError::from(e),
                    })?;
                    Ok(row.try_get("rows")?)
                }

                async fn create_agreement(&self, new: &NewAgreement) -> R<Agreement> {
                    let sql = format!(
                        "INSERT INTO agreements (grant_id, kind, title, file_name, content_type, byte_size, sha256, \
                           object_path, filed_by, filed_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {AGREEMENT_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(new.grant_id)
                        .bind(&new.kind)
                        .bind(&new.title)
                        .bind(&new.file_name)
                        .bind(&new.content_type)
                        .bind(new.byte_size)
                        .bind(&new.sha256)
                        .bind(&new.object_path)
                        .bind(new.filed_by)
                        .bind(time::fmt(new.at))
                        .fetch_one(&self.pool)
                        .await?;
                    agreement_row(&row)
                }

                async fn list_agreements(&self, grant_id: i64) -> R<Vec<Agreement>> {
                    let sql = format!("SELECT {AGREEMENT_COLS} FROM agreements WHERE grant_id = $1 ORDER BY id");
                    let rows = sqlx::query(AssertSqlSafe(sql)).bind(grant_id).fetch_all(&self.pool).await?;
                    rows.iter().map(agreement_row).collect()
                }

                async fn get_agreement(&self, id: i64) -> R<Agreement> {
                    let sql = format!("SELECT {AGREEMENT_COLS} FROM agreements WHERE id = $1");
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or_else(|| StoreError::not_found(format!("协议 {id}")))?;
                    agreement_row(&row)
                }

                async fn create_feedback(&self, new: &NewFeedback) -> R<Feedback> {
                    let sql = format!(
                        "INSERT INTO feedback (grant_id, resource_id, department_id, author_id, rating, effect, at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {FEEDBACK_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(new.grant_id)
                        .bind(new.resource_id)
                        .bind(new.department_id)
                        .bind(new.author_id)
                        .bind(new.rating)
                        .bind(&new.effect)
                        .bind(time::fmt(new.at))
                        .fetch_one(&self.pool)
                        .await?;
                    feedback_row(&row)
                }

                async fn list_feedback(&self, resource_id: Option<i64>, grant_id: Option<i64>) -> R<Vec<Feedback>> {
                    let mut w = Where::default();
                    if let Some(r) = resource_id {
                        w.push("resource_id = ?", Arg::Int(r));
                    }
                    if let Some(g) = grant_id {
                        w.push("grant_id = ?", Arg::Int(g));
                    }
                    let sql = format!("SELECT {FEEDBACK_COLS} FROM feedback{} ORDER BY id DESC", w.sql());
                    let rows = w.bind(sqlx::query(AssertSqlSafe(sql))).fetch_all(&self.pool).await?;
                    rows.iter().map(feedback_row).collect()
                }

                async fn record_download(&self, new: &NewDownload) -> R<Download> {
                    let sql = format!(
                        "INSERT INTO downloads (resource_id, version, user_id, department_id, grant_id, seed, key_fields, \
                           format, row_count, at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {DOWNLOAD_COLS}"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .bind(new.resource_id)
                        .bind(new.version)
                        .bind(new.user_id)
                        .bind(new.department_id)
                        .bind(new.grant_id)
                        .bind(&new.seed)
                        .bind(serde_json::to_string(&new.key_fields)?)
                        .bind(&new.format)
                        .bind(new.row_count)
                        .bind(time::fmt(new.at))
                        .fetch_one(&self.pool)
                        .await
                        .map_err(|e| match &e {
                            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                                StoreError::not_found("下载所指的数据版本、用户、部门或授权")
                            }
                            _ => StoreError::from(e),
                        })?;
                    download_row(&row)
                }

                async fn list_downloads(&self, resource_id: Option<i64>) -> R<Vec<Download>> {
                    let mut w = Where::default();
                    if let Some(r) = resource_id {
                        w.push("resource_id = ?", Arg::Int(r));
                    }
                    let sql = format!("SELECT {DOWNLOAD_COLS} FROM downloads{} ORDER BY id", w.sql());
                    let rows = w.bind(sqlx::query(AssertSqlSafe(sql))).fetch_all(&self.pool).await?;
                    rows.iter().map(download_row).collect()
                }
            }
        }
    };
}

pub(crate) use impl_sharing_store;
