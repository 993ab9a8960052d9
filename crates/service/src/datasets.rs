//! Shared data (共享平台, 国发〔2016〕51号 第十一至十四条): a provider publishes versions of a
//! resource's data; departments read it through the one access check in `data`, each read naming
//! its purpose and leaving an audit event.

use std::path::PathBuf;

use domain::account::{Action, Actor};
use domain::catalog::ResourceStatus;
use domain::purpose::Purpose;
use rand::RngCore;
use serde_json::json;
use store::model::{DatasetVersion, Download, NewDownload, Resource};

use crate::{Result, ServiceError, Services, audit, catalog};
use data::access::{Denied, GrantFacts, ReadContext, ReadKind, ResourceFacts, Scope};
use data::input::InputOptions;
use data::publish::{Previous, PublishInput, PublishMode};
use data::query::{QueryResult, QuerySpec};
use data::rows::RejectionReport;

/// An upload to publish.
pub struct Upload {
    /// The file, spooled to disk.
    pub path: PathBuf,
    pub options: InputOptions,
    pub mode: PublishMode,
    pub accept_valid: bool,
}

/// The outcome of a publish: the new version, or why none was made; the row report either way.
pub struct PublishOutcome {
    pub version: Option<DatasetVersion>,
    pub refused: Option<String>,
    pub accepted_rows: u64,
    pub report: RejectionReport,
}

/// Whether the actor may publish data for the entry: its own department's data providers, for a
/// structured (database or spreadsheet) entry that is not withdrawn (国发〔2016〕51号 第十三条: the
/// provider publishes and keeps its data current). The pages ask the same before offering an upload.
pub fn check_publishable(actor: &Actor, r: &Resource) -> Result<()> {
    actor.authorize(Action::PublishData, Some(r.department_id))?;
    if r.status == ResourceStatus::Withdrawn {
        return Err(ServiceError::Conflict(format!("目录“{}”已注销，不能再发布数据", r.code)));
    }
    if !r.spec.format.class.is_structured() {
        return Err(ServiceError::Conflict(format!(
            "目录“{}”的资源格式为{}，不是电子表格或数据库类，没有可发布的数据项",
            r.code,
            r.spec.format.class.label()
        )));
    }
    Ok(())
}

/// Publishes an upload as the next version of a resource's data.
pub async fn publish(svc: &Services, actor: &Actor, key: &str, upload: Upload) -> Result<PublishOutcome> {
    let r = catalog::get(svc, actor, key).await?;
    check_publishable(actor, &r)?;
    let previous = svc.store.latest_dataset_version(r.id).await?;
    let next = previous.as_ref().map_or(1, |p| p.version + 1);
    let input = PublishInput {
        resource_id: r.id,
        items: r.spec.data_items.clone(),
        path: upload.path,
        options: upload.options,
        mode: upload.mode,
        accept_valid: upload.accept_valid,
        today: svc.clock.today(),
        keep_rejections: svc.settings.report_rejections,
        previous: previous.as_ref().map(|p| Previous {
            files: p.files.clone(),
            row_count: p.row_count,
            byte_size: p.byte_size,
            items: p.data_items.clone(),
        }),
    };
    let prepared = data::publish::prepare(&svc.datasets, input).await?;
    let prepared = match prepared {
        Ok(p) => p,
        Err(refused) => {
            audit::record(
                svc,
                Some(actor),
                "data.publish_refused",
                "resource",
                Some(r.code.clone()),
                json!({"id": r.id, "rejected_rows": refused.report.total_rejected_rows, "reason": refused.reason}),
            )
            .await?;
            return Ok(PublishOutcome {
                version: None,
                refused: Some(refused.reason),
                accepted_rows: 0,
                report: refused.report,
            });
        }
    };
    let version = DatasetVersion {
        resource_id: r.id,
        version: next,
        mode: upload.mode.code().to_string(),
        files: prepared.files.clone(),
        row_count: prepared.row_count,
        byte_size: prepared.byte_size,
        data_items: r.spec.data_items.clone(),
        rejected_rows: prepared.report.total_rejected_rows as i64,
        published_by: actor.user_id,
        published_at: svc.clock.now(),
    };
    // The commit point: until this row exists, the new files are invisible.
    if let Err(e) = svc.store.create_dataset_version(&version).await {
        svc.datasets.remove(&prepared.new_files).await;
        return Err(e.into());
    }
    audit::record(
        svc,
        Some(actor),
        "data.publish",
        "resource",
        Some(r.code.clone()),
        json!({"id": r.id, "version": next, "mode": version.mode, "rows": version.row_count, "accepted_rows": prepared.accepted, "rejected_rows": version.rejected_rows}),
    )
    .await?;
    Ok(PublishOutcome {
        version: Some(version),
        refused: None,
        accepted_rows: prepared.accepted,
        report: prepared.report,
    })
}

/// A version of a resource's data as the caller may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionListing {
    pub version: i64,
    pub mode: String,
    pub published_by: i64,
    pub published_at: chrono::DateTime<chrono::Utc>,
    /// The data items the version was checked against.
    pub fields: Vec<String>,
    /// Only for callers who could count every row themselves (`data::access::sees_whole_version`)
    /// and the supervisors (coordinator, auditor); None for anyone else, e.g. the holder of a
    /// grant limited to some rows, who must not learn how many rows lie outside them (a count
    /// inside the scope is a query with `count`).
    pub totals: Option<VersionTotals>,
}

/// A version's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionTotals {
    pub row_count: i64,
    pub byte_size: i64,
    /// Rows of the upload that were rejected.
    pub rejected_rows: i64,
}

impl VersionListing {
    /// A version with its totals (for its provider, e.g. in a publish report).
    pub fn whole(v: DatasetVersion) -> VersionListing {
        let DatasetVersion {
            resource_id: _,
            version,
            mode,
            files: _,
            row_count,
            byte_size,
            data_items,
            rejected_rows,
            published_by,
            published_at,
        } = v;
        VersionListing {
            version,
            mode,
            published_by,
            published_at,
            fields: data_items.into_iter().map(|i| i.name).collect(),
            totals: Some(VersionTotals { row_count, byte_size, rejected_rows }),
        }
    }
}

/// The versions of a resource's data, newest first, with their totals where the caller may
/// see them.
pub async fn versions(svc: &Services, actor: &Actor, key: &str) -> Result<(Resource, Vec<VersionListing>)> {
    let r = catalog::get(svc, actor, key).await?;
    let listed = versions_of(svc, actor, &r).await?;
    Ok((r, listed))
}

/// [`versions`] of an entry already read (a page that shows the entry with its versions); the
/// entry's visibility is checked again, without a read.
pub async fn versions_of(svc: &Services, actor: &Actor, r: &Resource) -> Result<Vec<VersionListing>> {
    if !catalog::visible(actor, r) {
        return Err(catalog::not_found(&r.code));
    }
    let versions = svc.store.list_dataset_versions(r.id).await?;
    let supervisor = actor.has(domain::account::Role::Coordinator) || actor.has(domain::account::Role::Auditor);
    let grants = if supervisor || actor.department_id == r.department_id {
        Vec::new()
    } else {
        svc.store.grants_for(r.id, actor.department_id).await?
    };
    let facts = grant_facts(&grants);
    let today = svc.clock.today();
    let listed = versions
        .into_iter()
        .map(|v| {
            let resource =
                ResourceFacts { department_id: r.department_id, status: r.status, spec: &r.spec, items: &v.data_items };
            let visible = supervisor || data::access::sees_whole_version(actor, r.id, &resource, &facts, today);
            let mut l = VersionListing::whole(v);
            if !visible {
                l.totals = None;
            }
            l
        })
        .collect();
    Ok(listed)
}

fn grant_facts(grants: &[store::model::Grant]) -> Vec<GrantFacts<'_>> {
    grants
        .iter()
        .map(|g| GrantFacts {
            id: g.id,
            resource_id: g.resource_id,
            consumer_department_id: g.consumer_department_id,
            status: g.status,
            terms: &g.terms,
        })
        .collect()
}

/// A read request: which version, for what purpose, through which grant (optional: without one,
/// the access check finds the grant that fits, if any).
pub struct ReadRequest {
    pub version: Option<i64>,
    pub purpose: Purpose,
    pub grant_id: Option<i64>,
}

impl ReadRequest {
    pub fn new(purpose: Purpose) -> ReadRequest {
        ReadRequest { version: None, purpose, grant_id: None }
    }
}

/// A read that passed the access check.
struct Allowed {
    resource: Resource,
    version: DatasetVersion,
    scope: Scope,
    /// Rows the grant's daily quota still allows today (None: no quota).
    remaining: Option<u64>,
}

/// Runs the access check for a read; a refusal is audited before it is returned.
async fn scope_for(svc: &Services, actor: &Actor, key: &str, req: &ReadRequest, kind: ReadKind) -> Result<Allowed> {
    let r = catalog::get(svc, actor, key).await?;
    actor.authorize(Action::ReadData, None)?;
    let version = match req.version {
        Some(v) => svc.store.get_dataset_version(r.id, v).await?,
        None => svc
            .store
            .latest_dataset_version(r.id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("信息资源“{}”的数据", r.code)))?,
    };
    let grants = svc.store.grants_for(r.id, actor.department_id).await?;
    let facts = grant_facts(&grants);
    let resource =
        ResourceFacts { department_id: r.department_id, status: r.status, spec: &r.spec, items: &version.data_items };
    let today = svc.clock.today();
    let read = ReadContext { actor, purpose: req.purpose.clone(), kind, grant_id: req.grant_id, today };
    let scope = match data::access::decide(read, r.id, &resource, &facts) {
        Ok(scope) => scope,
        Err(denied) => return Err(refuse(svc, actor, &r, &version, &req.purpose, denied).await),
    };
    let remaining = match (scope.basis().grant_id(), scope.daily_row_quota()) {
        (Some(g), Some(quota)) => {
            let used = svc.store.grant_usage(g, today).await?.max(0) as u64;
            if used >= quota {
                let denied = Denied::QuotaExhausted { id: g, quota };
                return Err(refuse(svc, actor, &r, &version, &req.purpose, denied).await);
            }
            Some(quota - used)
        }
        _ => None,
    };
    Ok(Allowed { resource: r, version, scope, remaining })
}

/// Counts rows read through a grant against its daily quota.
async fn charge(svc: &Services, scope: &Scope, rows: u64) -> Result<()> {
    if let (Some(g), Some(_)) = (scope.basis().grant_id(), scope.daily_row_quota())
        && rows > 0
    {
        svc.store.add_grant_usage(g, svc.clock.today(), rows as i64).await?;
    }
    Ok(())
}

/// What every read's audit event says about the access decision.
fn scope_json(scope: &Scope, req: &ReadRequest) -> serde_json::Value {
    json!({
        "basis": scope.basis().code(),
        "grant": scope.basis().grant_id(),
        "purpose": purpose_json(&req.purpose),
        "row_scope": scope.row_conditions().iter().map(|f| f.describe()).collect::<Vec<_>>(),
        "masks": scope.mask_ids().into_iter().map(|(f, r)| json!({"field": f, "rule": r})).collect::<Vec<_>>(),
    })
}

fn merge(mut a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    if let (Some(a), serde_json::Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

/// Records a refused read (every refused access is audited) and returns the refusal.
async fn refuse(
    svc: &Services,
    actor: &Actor,
    r: &Resource,
    version: &DatasetVersion,
    purpose: &Purpose,
    denied: Denied,
) -> ServiceError {
    let detail =
        json!({"id": r.id, "version": version.version, "purpose": purpose_json(purpose), "reason": denied.to_string()});
    if let Err(e) = audit::record(svc, Some(actor), "data.read_denied", "resource", Some(r.code.clone()), detail).await
    {
        return e;
    }
    ServiceError::AccessDenied(denied)
}

fn purpose_json(p: &Purpose) -> serde_json::Value {
    json!({"kind": p.kind.code(), "description": p.description})
}

/// Queries a version inside the caller's scope; audited with purpose, grant, fields and row count.
pub async fn query(
    svc: &Services,
    actor: &Actor,
    key: &str,
    req: ReadRequest,
    mut spec: QuerySpec,
) -> Result<(DatasetVersion, QueryResult)> {
    let Allowed { resource: r, version, scope, remaining } = scope_for(svc, actor, key, &req, ReadKind::Query).await?;
    if let Some(rem) = remaining {
        // A page never exceeds what the quota still allows today.
        let limit = spec.limit.unwrap_or(data::query::DEFAULT_LIMIT) as u64;
        spec.limit = Some(limit.min(rem) as usize);
    }
    let result = match data::query::run(&svc.datasets, &version.files, &scope, &spec).await {
        Ok(res) => res,
        Err(data::DataError::Denied(d)) => return Err(refuse(svc, actor, &r, &version, &req.purpose, d).await),
        Err(e) => return Err(e.into()),
    };
    charge(svc, &scope, result.rows.len() as u64).await?;
    audit::record(
        svc,
        Some(actor),
        "data.query",
        "resource",
        Some(r.code.clone()),
        merge(
            json!({
                "id": r.id, "version": version.version, "fields": result.columns, "rows": result.rows.len(),
                "filters": spec.filters.iter().map(|f| f.field.clone()).collect::<Vec<_>>(),
            }),
            scope_json(&scope, &req),
        ),
    )
    .await?;
    Ok((version, result))
}

/// Streams a version (or a query over it) for download, fingerprinted for its recipient and
/// recorded; audited before the first byte leaves. Through a grant with a daily quota, the rows
/// are counted first and the download refused if they exceed what is left today.
pub async fn download(
    svc: &Services,
    actor: &Actor,
    key: &str,
    req: ReadRequest,
    spec: QuerySpec,
    format: &str,
) -> Result<(Resource, DatasetVersion, datafusion_stream::Stream, Vec<String>)> {
    let Allowed { resource: r, version, scope, remaining } =
        scope_for(svc, actor, key, &req, ReadKind::Download).await?;
    // A format with a row limit (XLSX): a whole version's size is known, so refuse at once what
    // the format cannot carry, before anything is recorded. Only when the read covers every row:
    // under a row scope the version's count is not the caller's to learn, and the writer refuses
    // past the limit as it streams.
    let limited = data::download::DownloadFormat::parse(format).and_then(|f| Some((f, f.max_rows()?)));
    if let Some((f, max)) = limited
        && spec.filters.is_empty()
        && scope.row_conditions().is_empty()
        && version.row_count as u64 > max
    {
        return Err(data::download::too_many_rows(f, Some(version.row_count as u64)).into());
    }
    let mut counted = None;
    if let Some(rem) = remaining {
        let probe = QuerySpec { count: true, limit: Some(1), cursor: None, ..spec.clone() };
        let total = match data::query::run(&svc.datasets, &version.files, &scope, &probe).await {
            Ok(res) => res.total.unwrap_or(0),
            Err(data::DataError::Denied(d)) => return Err(refuse(svc, actor, &r, &version, &req.purpose, d).await),
            Err(e) => return Err(e.into()),
        };
        if total > rem {
            let (id, quota) =
                (scope.basis().grant_id().unwrap_or_default(), scope.daily_row_quota().unwrap_or_default());
            let denied = Denied::QuotaWouldExceed { id, rows: total, remaining: rem, quota };
            return Err(refuse(svc, actor, &r, &version, &req.purpose, denied).await);
        }
        // Counted inside the scope: the caller may know this number.
        if let Some((f, max)) = limited
            && total > max
        {
            return Err(data::download::too_many_rows(f, Some(total)).into());
        }
        counted = Some(total);
    }
    let (stream, columns) = match data::query::stream(&svc.datasets, &version.files, &scope, &spec).await {
        Ok(v) => v,
        Err(data::DataError::Denied(d)) => return Err(refuse(svc, actor, &r, &version, &req.purpose, d).await),
        Err(e) => return Err(e.into()),
    };
    if let Some(total) = counted {
        charge(svc, &scope, total).await?;
    }
    // The recipient's fingerprint (第十四条): a fresh seed orders the rows of each block.
    let key_fields = data::fingerprint::key_columns(&version.data_items, &columns);
    let (download, seed) = record_download(svc, actor, &version, &scope, format, counted, &key_fields).await?;
    let stream = data::fingerprint::download_order(stream, seed, &version.data_items, &scope, &key_fields)?;
    audit::record(
        svc,
        Some(actor),
        "data.download",
        "resource",
        Some(r.code.clone()),
        merge(
            json!({"id": r.id, "version": version.version, "download": download.id, "fields": columns, "format": format, "filters": spec.filters.iter().map(|f| f.field.clone()).collect::<Vec<_>>()}),
            scope_json(&scope, &req),
        ),
    )
    .await?;
    Ok((r, version, stream, columns))
}

/// Records a download with a fresh random seed for its fingerprint (`data::fingerprint`) and the
/// key columns the fingerprint hashes, before its first byte leaves, so that [`crate::trace`] can
/// name its recipient from a leaked copy.
async fn record_download(
    svc: &Services,
    actor: &Actor,
    version: &DatasetVersion,
    scope: &Scope,
    format: &str,
    rows: Option<u64>,
    key_fields: &[String],
) -> Result<(Download, data::fingerprint::Seed)> {
    let mut seed: data::fingerprint::Seed = [0; 16];
    rand::rng().fill_bytes(&mut seed);
    let download = svc
        .store
        .record_download(&NewDownload {
            resource_id: version.resource_id,
            version: version.version,
            user_id: actor.user_id,
            department_id: actor.department_id,
            grant_id: scope.basis().grant_id(),
            seed: hex::encode(seed),
            key_fields: key_fields.to_vec(),
            format: format.to_string(),
            row_count: rows.map(|n| n as i64),
            at: svc.clock.now(),
        })
        .await?;
    Ok((download, seed))
}

/// The answer to a verification.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyAnswer {
    /// The version checked against.
    pub version: i64,
    /// Whether a record with that key exists inside the caller's scope.
    pub found: bool,
    /// Per claimed field: match, no match or no record.
    pub fields: std::collections::BTreeMap<String, data::verify::Outcome>,
}

/// 核验: per claimed field, match / no match / no record — never a stored value. Audited with the
/// fields checked and the outcomes; counts one row against a grant's quota and is rate-limited
/// per user.
pub async fn verify(
    svc: &Services,
    actor: &Actor,
    key: &str,
    req: ReadRequest,
    record_key: &std::collections::BTreeMap<String, serde_json::Value>,
    claims: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Result<VerifyAnswer> {
    svc.limits.verify.check(actor.user_id, svc.clock.now())?;
    let Allowed { resource: r, version, scope, .. } = scope_for(svc, actor, key, &req, ReadKind::Verify).await?;
    let outcomes = match data::verify::verify(
        &svc.datasets,
        &version.files,
        &version.data_items,
        &scope,
        record_key,
        claims,
    )
    .await
    {
        Ok(o) => o,
        Err(data::DataError::Denied(d)) => return Err(refuse(svc, actor, &r, &version, &req.purpose, d).await),
        Err(e) => return Err(e.into()),
    };
    charge(svc, &scope, 1).await?;
    let count = |o: data::verify::Outcome| outcomes.values().filter(|v| **v == o).count();
    audit::record(
        svc,
        Some(actor),
        "data.verify",
        "resource",
        Some(r.code.clone()),
        merge(
            json!({
                "id": r.id, "version": version.version,
                "key_fields": record_key.keys().collect::<Vec<_>>(), "fields": claims.keys().collect::<Vec<_>>(),
                "matched": count(data::verify::Outcome::Match), "not_matched": count(data::verify::Outcome::NoMatch),
                "no_record": !data::verify::found(&outcomes),
            }),
            scope_json(&scope, &req),
        ),
    )
    .await?;
    Ok(VerifyAnswer { version: version.version, found: data::verify::found(&outcomes), fields: outcomes })
}

/// The stream type of downloads, re-exported so callers need not depend on DataFusion.
pub mod datafusion_stream {
    pub type Stream = data::query::BatchStream;
}

/// The changes between version `since` and the latest (or `until`) version, by key, inside the
/// caller's scope: for departments that keep their own copy in sync (库表交换/前置机).
pub async fn changes(
    svc: &Services,
    actor: &Actor,
    key: &str,
    req: ReadRequest,
    since: i64,
    limit: usize,
    cursor: Option<&str>,
) -> Result<(i64, i64, data::versions::Changes)> {
    if limit == 0 || limit > data::query::MAX_LIMIT {
        return Err(ServiceError::invalid(
            "limit",
            "invalid_value",
            format!("limit 应在1到{}之间", data::query::MAX_LIMIT),
        ));
    }
    let Allowed { resource: r, version, scope, remaining } =
        scope_for(svc, actor, key, &req, ReadKind::Changes).await?;
    let limit = remaining.map_or(limit, |rem| (limit as u64).min(rem) as usize);
    if since >= version.version || since < 1 {
        return Err(ServiceError::invalid(
            "since",
            "invalid_value",
            format!("起始版本应在1到{}之间（当前版本为{}）", version.version - 1, version.version),
        ));
    }
    let old = svc.store.get_dataset_version(r.id, since).await?;
    let changes = match data::versions::changes(
        &svc.datasets,
        &old.files,
        &version.files,
        &version.data_items,
        &scope,
        limit,
        cursor,
    )
    .await
    {
        Ok(c) => c,
        Err(data::DataError::Denied(d)) => return Err(refuse(svc, actor, &r, &version, &req.purpose, d).await),
        Err(e) => return Err(e.into()),
    };
    charge(svc, &scope, changes.rows.len() as u64).await?;
    audit::record(
        svc,
        Some(actor),
        "data.changes",
        "resource",
        Some(r.code.clone()),
        merge(
            json!({"id": r.id, "since": since, "version": version.version, "fields": scope.fields(), "rows": changes.rows.len()}),
            scope_json(&scope, &req),
        ),
    )
    .await?;
    Ok((since, version.version, changes))
}

/// The freshness of a resource's data against its update cycle.
pub async fn freshness(
    svc: &Services,
    actor: &Actor,
    key: &str,
) -> Result<(Resource, Option<DatasetVersion>, domain::freshness::Freshness)> {
    let r = catalog::get(svc, actor, key).await?;
    let (latest, f) = freshness_of(svc, actor, &r).await?;
    Ok((r, latest, f))
}

/// [`freshness`] of an entry already read; its visibility is checked again, without a read.
pub async fn freshness_of(
    svc: &Services,
    actor: &Actor,
    r: &Resource,
) -> Result<(Option<DatasetVersion>, domain::freshness::Freshness)> {
    if !catalog::visible(actor, r) {
        return Err(catalog::not_found(&r.code));
    }
    let latest = svc.store.latest_dataset_version(r.id).await?;
    let f = assess(svc, r, latest.as_ref());
    Ok((latest, f))
}

fn assess(svc: &Services, r: &Resource, latest: Option<&DatasetVersion>) -> domain::freshness::Freshness {
    let since = r.published_at.map(store::time::cst_date).unwrap_or_else(|| svc.clock.today());
    domain::freshness::assess(
        r.spec.update_cycle,
        latest.map(|v| store::time::cst_date(v.published_at)),
        since,
        svc.clock.today(),
    )
}

/// A published structured resource with its latest version and its freshness.
pub type ResourceFreshness = (Resource, Option<DatasetVersion>, domain::freshness::Freshness);

/// Published structured resources whose data is overdue: a department's own (or every
/// department's, for coordinators and auditors).
pub async fn overdue(svc: &Services, actor: &Actor) -> Result<Vec<ResourceFreshness>> {
    let department = (!supervises(actor)).then_some(actor.department_id);
    let mut out = published_freshness(svc, department).await?;
    out.retain(|(_, _, f)| f.status == domain::freshness::FreshnessStatus::Overdue);
    Ok(out)
}

/// The freshness of every published structured resource of the actor's department (国发〔2016〕51号
/// 第十三条: the provider keeps its data current), overdue ones first, then by due date: what a
/// data provider works through. Only the department's own data providers (and supervisors) ask.
pub async fn department_freshness(svc: &Services, actor: &Actor) -> Result<Vec<ResourceFreshness>> {
    if !supervises(actor) {
        actor.authorize(Action::PublishData, Some(actor.department_id))?;
    }
    let mut out = published_freshness(svc, Some(actor.department_id)).await?;
    let on_time = |f: &domain::freshness::Freshness| f.status != domain::freshness::FreshnessStatus::Overdue;
    out.sort_by(|a, b| {
        on_time(&a.2)
            .cmp(&on_time(&b.2))
            .then_with(|| {
                a.2.due_by.unwrap_or(chrono::NaiveDate::MAX).cmp(&b.2.due_by.unwrap_or(chrono::NaiveDate::MAX))
            })
            .then_with(|| a.0.code.cmp(&b.0.code))
    });
    Ok(out)
}

/// Coordinators and auditors watch every department's freshness.
fn supervises(actor: &Actor) -> bool {
    actor.has(domain::account::Role::Coordinator) || actor.has(domain::account::Role::Auditor)
}

/// Every published structured resource (of one department, or all), with its latest version and
/// freshness, in catalogue order.
async fn published_freshness(svc: &Services, department_id: Option<i64>) -> Result<Vec<ResourceFreshness>> {
    let filter =
        store::model::ResourceFilter { status: Some(ResourceStatus::Published), department_id, ..Default::default() };
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = svc.store.list_resources(&filter, store::model::PageRequest { after, limit: 500 }).await?;
        for r in page.items {
            if !r.spec.format.class.is_structured() {
                continue;
            }
            let latest = svc.store.latest_dataset_version(r.id).await?;
            let f = assess(svc, &r, latest.as_ref());
            out.push((r, latest, f));
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok(out)
}

/// Removes dataset files that no version references (left by killed or failed publishes) and
/// that are older than `min_age`. Run at start-up and by `govshare data gc`.
pub async fn sweep_orphans(svc: &Services, min_age: std::time::Duration) -> Result<Vec<String>> {
    let referenced = svc.store.referenced_dataset_files().await?;
    let removed = svc.datasets.sweep_orphans(&referenced, min_age).await?;
    if !removed.is_empty() {
        audit::record(svc, None, "data.sweep", "dataset_files", None, json!({"removed": removed})).await?;
    }
    Ok(removed)
}
