//! The apps showcase (应用汇聚, seed 002 三(三)): anyone may submit an app built on open data; it
//! is shown on the portal only after the platform's coordinator approved it (a rejection says
//! why). Every submission and decision is audited.

use domain::account::{Action, Actor};
use domain::portal::{AppStatus, AppSubmission, check_decision_reason, non_empty};
use store::model::{Page, PageRequest};
use store::portal_store::{NewPortalApp, PortalApp, PortalDecision};

use crate::open::OpenDataset;
use crate::{Result, ServiceError, Services};

/// The dataset with this code if the portal lists it (`service::open::dataset`: published, not
/// 涉密, 有条件开放 or opened 无条件开放); `NotFound` otherwise, so that nothing hidden is revealed.
pub async fn public_dataset(svc: &Services, code: &str) -> Result<OpenDataset> {
    crate::open::dataset(svc, code).await
}

/// The datasets an app may name: every dataset the portal lists (at most `max`), by name.
pub async fn pickable_datasets(svc: &Services, max: usize) -> Result<Vec<crate::search::Hit>> {
    let mut out = Vec::new();
    let mut cursor = None;
    while out.len() < max {
        let params = crate::search::SearchParams { limit: Some(100), cursor, ..Default::default() };
        let page = crate::open::list(svc, params).await?;
        out.extend(page.items);
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    out.truncate(max);
    out.sort_by(|a, b| a.entry.name.cmp(&b.entry.name));
    Ok(out)
}

/// Submits an app for review. Every dataset it names must be open to the public.
pub async fn submit(svc: &Services, sub: &AppSubmission, client: &str) -> Result<PortalApp> {
    sub.validate()?;
    let mut codes: Vec<String> = Vec::new();
    for (i, code) in sub.datasets.iter().enumerate() {
        let code = code.trim().to_string();
        if public_dataset(svc, &code).await.is_err() {
            return Err(ServiceError::invalid(
                &format!("datasets[{i}]"),
                "not_open",
                format!("数据集“{code}”不是开放数据，请从开放数据目录中选择"),
            ));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    svc.portal_limits.submission(client, svc.clock.now())?;
    let new = NewPortalApp {
        name: sub.name.trim().to_string(),
        description: sub.description.trim().to_string(),
        url: sub.url.trim().to_string(),
        developer: sub.developer.trim().to_string(),
        contact: sub.contact.trim().to_string(),
        datasets: codes,
        submitted_at: svc.clock.now(),
    };
    let app = svc.store.create_portal_app(&new).await?;
    crate::audit::record(
        svc,
        None,
        "app.submit",
        "app",
        Some(app.id.to_string()),
        serde_json::json!({"name": app.name, "url": app.url, "datasets": app.datasets, "client": client}),
    )
    .await?;
    Ok(app)
}

/// The approved apps, for everyone.
pub async fn list_public(svc: &Services, page: PageRequest) -> Result<Page<PortalApp>> {
    Ok(svc.store.list_portal_apps(Some(AppStatus::Approved), page).await?)
}

/// An approved app, for everyone (`NotFound` for apps waiting for review or rejected).
pub async fn get_public(svc: &Services, id: i64) -> Result<PortalApp> {
    match svc.store.get_portal_app(id).await {
        Ok(app) if app.status == AppStatus::Approved => Ok(app),
        Ok(_) | Err(store::StoreError::NotFound { .. }) => Err(ServiceError::NotFound(format!("应用 {id}"))),
        Err(e) => Err(e.into()),
    }
}

/// The apps with a status (all when `None`), for the coordinator.
pub async fn list_for_review(
    svc: &Services,
    actor: &Actor,
    status: Option<AppStatus>,
    page: PageRequest,
) -> Result<Page<PortalApp>> {
    actor.authorize(Action::Coordinate, None)?;
    Ok(svc.store.list_portal_apps(status, page).await?)
}

/// Any app, for the coordinator.
pub async fn get_for_review(svc: &Services, actor: &Actor, id: i64) -> Result<PortalApp> {
    actor.authorize(Action::Coordinate, None)?;
    Ok(svc.store.get_portal_app(id).await?)
}

/// The coordinator's decision on a waiting app; a rejection needs a reason.
pub async fn review(svc: &Services, actor: &Actor, id: i64, approve: bool, reason: &str) -> Result<PortalApp> {
    actor.authorize(Action::Coordinate, None)?;
    check_decision_reason(approve, reason)?;
    let current = svc.store.get_portal_app(id).await?;
    if current.status != AppStatus::Pending {
        return Err(ServiceError::Conflict(format!("该应用已审核（{}），不能再次审核", current.status.label())));
    }
    let decision = PortalDecision {
        status: if approve { AppStatus::Approved } else { AppStatus::Rejected },
        reason: non_empty(reason),
        by: actor.user_id,
        at: svc.clock.now(),
    };
    let Some(app) = svc.store.decide_portal_app(id, &decision).await? else {
        return Err(ServiceError::Conflict("该应用已被他人审核，请刷新后查看".into()));
    };
    crate::audit::record(
        svc,
        Some(actor),
        if approve { "app.approve" } else { "app.reject" },
        "app",
        Some(app.id.to_string()),
        serde_json::json!({"name": app.name, "reason": app.reason}),
    )
    .await?;
    Ok(app)
}
