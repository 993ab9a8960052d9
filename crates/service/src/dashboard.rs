//! The numbers on a console user's home page: what is waiting for them, by role. Each number is
//! counted by the same use case that lists the items behind it.

use domain::account::{Action, Actor};
use domain::catalog::ResourceStatus;
use domain::sharing::{ApplicationStatus, GrantStatus};
use store::model::{ApplicationFilter, GrantFilter, PageRequest, ResourceFilter};

use crate::{Result, Services};

/// One number of the home page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeTile {
    pub label: &'static str,
    pub value: i64,
    /// Where the items behind the number are listed.
    pub href: &'static str,
    /// Something is overdue or needs action now.
    pub alert: bool,
}

const OPEN_STATUSES: [ApplicationStatus; 2] = [ApplicationStatus::Submitted, ApplicationStatus::UnderReview];

/// The home page's numbers for this user's roles.
pub async fn home_tiles(svc: &Services, actor: &Actor) -> Result<Vec<HomeTile>> {
    let can = |a: Action| actor.authorize(a, None).is_ok();
    let one = PageRequest { after: None, limit: 1 };
    let today = svc.clock.today();
    let mut tiles = Vec::new();
    if can(Action::EditCatalog) {
        let filter = ResourceFilter {
            department_id: Some(actor.department_id),
            status: Some(ResourceStatus::Draft),
            ..Default::default()
        };
        let drafts = svc.store.list_resources(&filter, one).await?.total;
        tiles.push(HomeTile {
            label: "本部门草稿目录",
            value: drafts,
            href: "/console/catalog?status=draft",
            alert: false,
        });
    }
    if can(Action::AnswerApplication) {
        let filter = ApplicationFilter {
            provider_department_id: Some(actor.department_id),
            statuses: OPEN_STATUSES.to_vec(),
            ..Default::default()
        };
        let waiting = svc.store.list_applications(&filter, one).await?.total;
        let overdue =
            svc.store.list_applications(&ApplicationFilter { due_before: Some(today), ..filter }, one).await?.total;
        tiles
            .push(HomeTile { label: "待答复的共享申请", value: waiting, href: "/console/inbox", alert: false });
        tiles
            .push(HomeTile { label: "已超期未答复", value: overdue, href: "/console/inbox", alert: overdue > 0 });
    }
    if can(Action::ApplyForData) {
        let filter = ApplicationFilter {
            consumer_department_id: Some(actor.department_id),
            statuses: OPEN_STATUSES.to_vec(),
            ..Default::default()
        };
        let pending = svc.store.list_applications(&filter, one).await?.total;
        tiles.push(HomeTile {
            label: "本部门审核中的申请",
            value: pending,
            href: "/console/applications",
            alert: false,
        });
        let grants = GrantFilter {
            consumer_department_id: Some(actor.department_id),
            statuses: vec![GrantStatus::Active],
            ..Default::default()
        };
        let active = svc.store.list_grants(&grants, one).await?.total;
        tiles.push(HomeTile { label: "本部门有效授权", value: active, href: "/console/grants", alert: false });
    }
    if can(Action::PublishData) {
        let overdue = crate::datasets::overdue(svc, actor).await?.len() as i64;
        tiles.push(HomeTile { label: "数据更新超期", value: overdue, href: "/console/data", alert: overdue > 0 });
    }
    if can(Action::Coordinate) {
        let filter = ApplicationFilter {
            statuses: vec![ApplicationStatus::Escalated, ApplicationStatus::Disputed],
            ..Default::default()
        };
        let disputes = svc.store.list_applications(&filter, one).await?.total;
        tiles.push(HomeTile {
            label: "待协调的争议", value: disputes, href: "/console/disputes", alert: disputes > 0
        });
    }
    Ok(tiles)
}
