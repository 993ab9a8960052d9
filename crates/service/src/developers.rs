//! Developers of the open-data portal (seed 002 三(三): 数据服务): anyone may register for an API
//! key, shown once and kept only as its SHA-256 (like console tokens, `auth.rs`), and revoke it
//! by presenting it. Every call of the open-data API is counted against its key, with a limit per
//! minute; public submissions (registrations, apps, applications) are limited per client address.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::portal::{API_KEY_PREFIX, API_KEY_VISIBLE, DeveloperRegistration, looks_like_api_key, non_empty};
use rand::RngCore;
use store::portal_store::{DeveloperKey, NewDeveloperKey};

use crate::limits::FixedWindow;
use crate::{Result, ServiceError, Services, Settings};

/// The rate limits of the portal's public side, per server process (a fixed window; a cluster of
/// servers multiplies the allowance by its size).
#[derive(Clone)]
pub struct PortalLimits {
    api: Arc<FixedWindow<i64>>,
    submissions: Arc<FixedWindow<String>>,
    portal_reads: Arc<FixedWindow<String>>,
    rejected_keys: Arc<FixedWindow<String>>,
}

impl PortalLimits {
    pub fn new(settings: &Settings) -> PortalLimits {
        PortalLimits {
            api: Arc::new(FixedWindow::new(60, settings.open_api_per_minute)),
            submissions: Arc::new(FixedWindow::new(3600, settings.public_submissions_per_hour)),
            portal_reads: Arc::new(FixedWindow::new(60, settings.portal_reads_per_minute)),
            rejected_keys: Arc::new(FixedWindow::new(60, settings.rejected_api_keys_per_minute)),
        }
    }

    /// Counts a read of open data through the portal (a dataset page's preview, a download) from
    /// a client address, or refuses it when the address's minute is used up.
    pub fn portal_read(&self, client: &str, now: DateTime<Utc>) -> Result<()> {
        if self.portal_reads.hit(client, now) {
            Ok(())
        } else {
            Err(ServiceError::RateLimited(format!(
                "访问过于频繁：同一网络地址每分钟最多浏览或下载开放数据{}次，请稍后再试；批量获取数据请申请开放数据接口密钥",
                self.portal_reads.max()
            )))
        }
    }

    /// Counts an API call of a key, or refuses it when the key's minute is used up.
    pub fn api_call(&self, key_id: i64, now: DateTime<Utc>) -> Result<()> {
        if self.api.hit(&key_id, now) {
            Ok(())
        } else {
            Err(ServiceError::RateLimited(format!(
                "调用过于频繁：每个开放数据接口密钥每分钟最多调用{}次，请稍后再试",
                self.api.max()
            )))
        }
    }

    /// Counts a call with a refused API key from a client address, or refuses it when the
    /// address's minute is used up.
    pub fn rejected_key(&self, client: &str, now: DateTime<Utc>) -> Result<()> {
        if self.rejected_keys.hit(client, now) {
            Ok(())
        } else {
            Err(ServiceError::RateLimited(format!(
                "无效接口密钥的调用过于频繁：同一网络地址每分钟最多{}次，请稍后再试，并核对密钥是否正确",
                self.rejected_keys.max()
            )))
        }
    }

    /// Counts a public submission from a client address, or refuses it when the address's hour is
    /// used up.
    pub fn submission(&self, client: &str, now: DateTime<Utc>) -> Result<()> {
        if self.submissions.hit(client, now) {
            Ok(())
        } else {
            Err(ServiceError::RateLimited(format!(
                "提交过于频繁：同一网络地址每小时最多提交{}次，请稍后再试",
                self.submissions.max()
            )))
        }
    }
}

/// A key just issued: the secret is in this value and nowhere else.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub key: DeveloperKey,
    pub secret: String,
}

/// A new random key secret: `gso_` and 64 hex digits (256 bits).
fn new_key_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{API_KEY_PREFIX}{}", hex::encode(bytes))
}

/// Registers a developer and issues an API key, shown once.
pub async fn register(svc: &Services, reg: &DeveloperRegistration, client: &str) -> Result<IssuedKey> {
    reg.validate()?;
    svc.portal_limits.submission(client, svc.clock.now())?;
    let secret = new_key_secret();
    let prefix: String = secret.chars().take(API_KEY_VISIBLE).collect();
    let new = NewDeveloperKey {
        key_hash: crate::auth::token_hash(&secret),
        prefix: prefix.clone(),
        name: reg.name.trim().to_string(),
        organisation: reg.organisation.as_deref().and_then(non_empty),
        email: reg.email.trim().to_string(),
        intended_use: reg.intended_use.trim().to_string(),
        created_at: svc.clock.now(),
    };
    let key = svc.store.create_developer_key(&new).await?;
    crate::audit::record(
        svc,
        None,
        "developer_key.issue",
        "developer_key",
        Some(key.id.to_string()),
        serde_json::json!({"prefix": prefix, "name": key.name, "organisation": key.organisation, "client": client}),
    )
    .await?;
    Ok(IssuedKey { key, secret })
}

/// Revokes a key by its secret (whoever holds the key may end it).
pub async fn revoke(svc: &Services, secret: &str, client: &str) -> Result<DeveloperKey> {
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(ServiceError::invalid("key", "required", "请填写要注销的接口密钥"));
    }
    if !looks_like_api_key(secret) {
        return Err(ServiceError::invalid(
            "key",
            "invalid_key",
            format!("接口密钥格式不正确：应以 {API_KEY_PREFIX} 开头，后接64位十六进制字符"),
        ));
    }
    let Some(key) = svc.store.revoke_developer_key(&crate::auth::token_hash(secret), svc.clock.now()).await? else {
        return Err(ServiceError::invalid("key", "unknown_key", "没有找到这个接口密钥，或它已经注销"));
    };
    crate::audit::record(
        svc,
        None,
        "developer_key.revoke",
        "developer_key",
        Some(key.id.to_string()),
        serde_json::json!({"prefix": key.prefix, "client": client}),
    )
    .await?;
    Ok(key)
}

/// Why a key was not accepted (the open-data API says which, in its own words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefusal {
    Missing,
    Malformed,
    UnknownOrRevoked,
}

impl KeyRefusal {
    pub fn message(self) -> &'static str {
        match self {
            KeyRefusal::Missing => {
                "缺少接口密钥：请在请求头 X-API-Key 中提供密钥（或使用查询参数 api_key），密钥可在“开发者”页面免费申请"
            }
            KeyRefusal::Malformed => "接口密钥格式不正确：应以 gso_ 开头，后接64位十六进制字符",
            KeyRefusal::UnknownOrRevoked => "接口密钥无效或已注销，请在“开发者”页面重新申请",
        }
    }
}

/// The live key behind a secret, with this call counted (and refused past the per-minute limit).
/// `KeyCheck::Refused` when the key is missing, malformed, unknown or revoked; calls with a
/// malformed, unknown or revoked key are also counted against the client address, and past
/// its limit answered `RateLimited` instead (and no longer audited one by one).
pub async fn authenticate(
    svc: &Services,
    secret: Option<&str>,
    client: &str,
) -> std::result::Result<DeveloperKey, KeyCheck> {
    let Some(secret) = secret.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(KeyCheck::Refused(KeyRefusal::Missing));
    };
    if !looks_like_api_key(secret) {
        svc.portal_limits.rejected_key(client, svc.clock.now()).map_err(KeyCheck::Failed)?;
        return Err(KeyCheck::Refused(KeyRefusal::Malformed));
    }
    let found = svc
        .store
        .developer_key_by_hash(&crate::auth::token_hash(secret))
        .await
        .map_err(|e| KeyCheck::Failed(e.into()))?;
    let Some(key) = found.filter(|k| k.revoked_at.is_none()) else {
        svc.portal_limits.rejected_key(client, svc.clock.now()).map_err(KeyCheck::Failed)?;
        let prefix: String = secret.chars().take(API_KEY_VISIBLE).collect();
        crate::audit::record(
            svc,
            None,
            "developer_key.rejected",
            "developer_key",
            None,
            serde_json::json!({"prefix": prefix, "client": client}),
        )
        .await
        .map_err(KeyCheck::Failed)?;
        return Err(KeyCheck::Refused(KeyRefusal::UnknownOrRevoked));
    };
    let now = svc.clock.now();
    svc.portal_limits.api_call(key.id, now).map_err(KeyCheck::Failed)?;
    svc.store.record_developer_key_use(key.id, now).await.map_err(|e| KeyCheck::Failed(e.into()))?;
    Ok(key)
}

/// The outcome of a refused key check.
#[derive(Debug)]
pub enum KeyCheck {
    Refused(KeyRefusal),
    Failed(ServiceError),
}

/// The open-data API's list of datasets, for a key (audited per call).
pub async fn api_datasets(
    svc: &Services,
    key: &DeveloperKey,
    params: crate::search::SearchParams,
) -> Result<crate::search::SearchPage> {
    let page = crate::open::list(svc, params.clone()).await?;
    crate::audit::record(
        svc,
        None,
        "open_api.list",
        "developer_key",
        Some(key.id.to_string()),
        serde_json::json!({"channel": "api", "key": key.id, "q": params.q.chars().take(100).collect::<String>(), "results": page.items.len()}),
    )
    .await?;
    Ok(page)
}

/// The open-data API's metadata of one dataset, for a key: counted as an API call of the dataset
/// and audited.
pub async fn api_dataset(svc: &Services, key: &DeveloperKey, code: &str) -> Result<crate::open::OpenDataset> {
    let dataset = crate::open::dataset(svc, code).await?;
    crate::open::record_view(svc, dataset.resource.id, crate::open::Channel::Api { key_id: key.id }).await?;
    crate::audit::record(
        svc,
        None,
        "open_api.metadata",
        "resource",
        Some(dataset.resource.code.clone()),
        serde_json::json!({"channel": "api", "key": key.id}),
    )
    .await?;
    Ok(dataset)
}

/// The open-data API's rows of one dataset, for a key: through the public scope
/// (`service::open::public_query`), which counts and audits the read.
pub async fn api_rows(
    svc: &Services,
    key: &DeveloperKey,
    code: &str,
    spec: data::query::QuerySpec,
) -> Result<(crate::open::OpenDataset, data::query::QueryResult)> {
    crate::open::public_query(svc, code, spec, crate::open::Channel::Api { key_id: key.id }).await
}
