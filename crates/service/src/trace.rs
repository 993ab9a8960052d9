//! 追溯: which download a leaked file came from (国发〔2016〕51号 第十四条: shared data must not
//! be passed on). Every bulk download is recorded with the seed of its fingerprint (the order of
//! its rows, see `data::fingerprint`); [`trace`] reads a file, scores it against every recorded
//! download whose key columns the file has, and names the download, hence the grant, the user and
//! the department, when the order fits one beyond chance.

use std::collections::HashMap;
use std::path::Path;

use data::fingerprint::{Score, Seed};
use data::input::{InputFormat, InputOptions};
use domain::account::{Action, Actor, Forbidden, Role};
use serde_json::json;
use store::model::Download;

use crate::{Result, ServiceError, Services, audit, catalog};

/// Rows of the file compared: the first ones. A few hundred rows are decisive already; the bound
/// keeps the work (rows × downloads compared) and the memory small.
pub const TRACE_MAX_ROWS: usize = 10_000;

/// One recorded download compared with the file.
#[derive(Debug, Clone)]
pub struct TraceMatch {
    pub download: Download,
    pub resource_code: String,
    pub resource_name: String,
    pub username: String,
    pub user_display_name: String,
    pub department: String,
    /// How well the file's order fits the download's seed.
    pub score: Score,
    /// The attribution rule of `data::fingerprint` holds: at least 50 rows and p ≤ 10⁻⁹.
    pub attributed: bool,
}

/// Who may trace a file: an auditor (`Action::ReadAudit`: the download records are evidence, like
/// the audit trail) or a coordinator (`Action::Supervise`: the 共享主管部门 supervises the use of
/// shared data platform-wide). Neither action alone names both roles.
fn authorize(actor: &Actor) -> Result<()> {
    if actor.authorize(Action::ReadAudit, None).is_ok() || actor.authorize(Action::Supervise, None).is_ok() {
        return Ok(());
    }
    Err(Forbidden {
        action: "追溯泄露数据的来源",
        reason: format!("（需要角色：{}或{}）", Role::Auditor.label(), Role::Coordinator.label()),
    }
    .into())
}

/// Compares a file (CSV in UTF-8 or GB18030, XLSX, JSON, NDJSON or Parquet, by its extension)
/// with the recorded downloads of `resource` (a code or an id), or of every resource. Returns
/// every download whose key columns are all in the file's header, strongest fit first; those
/// with `attributed` set are where the file came from. Audited as `data.trace`.
pub async fn trace(svc: &Services, actor: &Actor, file: &Path, resource: Option<&str>) -> Result<Vec<TraceMatch>> {
    authorize(actor)?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    let format = InputFormat::from_name(&name).ok_or_else(|| {
        ServiceError::invalid(
            "file",
            "invalid_value",
            "无法从文件名判断格式，可追溯 csv、xlsx、json、ndjson、parquet 文件",
        )
    })?;
    let resource = match resource {
        Some(key) => Some(catalog::get(svc, actor, key).await?),
        None => None,
    };
    let downloads = svc.store.list_downloads(resource.as_ref().map(|r| r.id)).await?;
    let sample = data::fingerprint::read_sample(file, InputOptions::new(format), TRACE_MAX_ROWS).await?;

    // The key texts depend only on the key columns: computed once per set of them.
    let mut texts: HashMap<Vec<String>, Option<Vec<String>>> = HashMap::new();
    let mut scored: Vec<(Download, Score)> = Vec::new();
    for d in downloads {
        let rows = texts.entry(d.key_fields.clone()).or_insert_with(|| sample.key_texts(&d.key_fields));
        let Some(rows) = rows else { continue };
        let score = data::fingerprint::score(&seed_of(&d)?, rows);
        scored.push((d, score));
    }
    scored.sort_by(|(a, x), (b, y)| x.log10_p.total_cmp(&y.log10_p).then(b.id.cmp(&a.id)));

    let mut names = Names::default();
    let mut matches = Vec::with_capacity(scored.len());
    for (d, score) in scored {
        let (resource_code, resource_name) = names.resource(svc, d.resource_id).await?;
        let (username, user_display_name) = names.user(svc, d.user_id).await?;
        let department = names.department(svc, d.department_id).await?;
        let attributed = score.attributed();
        matches.push(TraceMatch {
            download: d,
            resource_code,
            resource_name,
            username,
            user_display_name,
            department,
            score,
            attributed,
        });
    }
    let attributed: Vec<i64> = matches.iter().filter(|m| m.attributed).map(|m| m.download.id).collect();
    audit::record(
        svc,
        Some(actor),
        "data.trace",
        "download",
        attributed.first().map(|id| id.to_string()),
        json!({
            "file": name, "format": format.name(), "resource": resource.as_ref().map(|r| r.code.clone()),
            "rows": sample.rows.len(), "compared": matches.len(), "attributed": attributed,
        }),
    )
    .await?;
    Ok(matches)
}

fn seed_of(d: &Download) -> Result<Seed> {
    let mut seed: Seed = [0; 16];
    hex::decode_to_slice(&d.seed, &mut seed)
        .map_err(|e| ServiceError::Internal(format!("download {} has a corrupt fingerprint seed: {e}", d.id).into()))?;
    Ok(seed)
}

/// Names looked up once each.
#[derive(Default)]
struct Names {
    resources: HashMap<i64, (String, String)>,
    users: HashMap<i64, (String, String)>,
    departments: HashMap<i64, String>,
}

impl Names {
    async fn resource(&mut self, svc: &Services, id: i64) -> Result<(String, String)> {
        if let Some(v) = self.resources.get(&id) {
            return Ok(v.clone());
        }
        let r = svc.store.get_resource(id).await?;
        let v = (r.code, r.spec.name);
        self.resources.insert(id, v.clone());
        Ok(v)
    }

    async fn user(&mut self, svc: &Services, id: i64) -> Result<(String, String)> {
        if let Some(v) = self.users.get(&id) {
            return Ok(v.clone());
        }
        let u = svc.store.get_user(id).await?;
        let v = (u.username, u.display_name);
        self.users.insert(id, v.clone());
        Ok(v)
    }

    async fn department(&mut self, svc: &Services, id: i64) -> Result<String> {
        if let Some(v) = self.departments.get(&id) {
            return Ok(v.clone());
        }
        let d = svc.store.get_department(id).await?;
        self.departments.insert(id, d.spec.name.clone());
        Ok(d.spec.name)
    }
}
