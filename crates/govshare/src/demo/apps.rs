//! The open-data portal's public side in 示例市 (seed 002 三(三) 应用汇聚): a few apps built on the
//! opened data, approved by the coordinator and shown on `/apps`, one waiting for review in the
//! console, and one application for 有条件开放 data waiting for the providing department's answer.
//! Everything goes through the same use cases as the portal's forms.

use domain::account::Actor;
use domain::portal::{AppSubmission, OpenApplication};
use service::Services;

const CLIENT: &str = "demo";

/// Seeds the apps and the application. Returns (apps approved, apps waiting).
pub async fn seed(svc: &Services, coordinator: &Actor) -> anyhow::Result<(usize, usize)> {
    let page =
        service::open::list(svc, service::search::SearchParams { limit: Some(100), ..Default::default() }).await?;
    let open: Vec<_> = page.items.iter().filter(|h| h.entry.open_type == "unconditional").collect();
    let conditional: Vec<_> = page.items.iter().filter(|h| h.entry.open_type == "conditional").collect();
    if open.is_empty() && conditional.is_empty() {
        return Ok((0, 0));
    }
    let apps = [
        (
            "示例市民生活通",
            "汇集本市公共服务机构、便民网点和办事指南，按位置查找附近的服务网点，一站式查询常用政务信息。",
            "https://life.example.cn",
            "示例市智慧城市科技有限公司",
            "service@life.example.cn",
            &["公共文化场馆", "养老机构", "A级旅游景区"][..],
            true,
        ),
        (
            "企业信用查一查",
            "基于开放的市场主体登记等数据，为中小企业和个人提供企业基本信息查询、经营状态提醒服务。",
            "https://credit.example.cn",
            "某某信息技术有限公司",
            "0591-87650001",
            &["企业登记", "企业注销"][..],
            true,
        ),
        (
            "城市数据观察",
            "高校研究团队开发的数据可视化网站，用图表展示本市人口、民生和经济社会发展变化。",
            "https://data-insight.example.edu.cn",
            "示例大学数据科学研究中心",
            "insight@example.edu.cn",
            &["医疗卫生资源", "生态环境质量", "国民经济"][..],
            true,
        ),
        (
            "办事随手拍",
            "收集市民对办事网点的评价和建议，结合开放数据展示网点分布（待平台审核）。",
            "https://paishou.example.cn",
            "个人开发者 林某",
            "13800138000",
            &["公交线路"][..],
            false,
        ),
    ];
    let (mut approved, mut waiting) = (0, 0);
    for (i, (name, description, url, developer, contact, words, approve)) in apps.into_iter().enumerate() {
        let mut datasets = Vec::new();
        for w in words {
            let params = service::search::SearchParams { q: w.to_string(), limit: Some(1), ..Default::default() };
            if let Some(h) = service::open::list(svc, params).await?.items.into_iter().next()
                && !datasets.contains(&h.entry.code)
            {
                datasets.push(h.entry.code);
            }
        }
        if datasets.is_empty() {
            // Whatever is open, so that every app names a dataset.
            let all: Vec<&&service::search::Hit> = open.iter().chain(conditional.iter()).collect();
            datasets.push(all[i % all.len()].entry.code.clone());
        }
        let sub = AppSubmission {
            name: name.into(),
            description: description.into(),
            url: url.into(),
            developer: developer.into(),
            contact: contact.into(),
            datasets,
        };
        let app = service::apps::submit(svc, &sub, CLIENT).await?;
        if approve {
            service::apps::review(svc, coordinator, app.id, true, "").await?;
            approved += 1;
        } else {
            waiting += 1;
        }
    }
    if let Some(c) = conditional.first() {
        let today = store::time::cst_date(svc.clock.now());
        let application = OpenApplication {
            applicant: "陈研究".into(),
            organisation: "示例大学公共管理学院".into(),
            contact: "chen@example.edu.cn".into(),
            purpose: "研究本市公共服务供给情况，形成政策研究报告".into(),
            intended_use: "仅用于课题组内部统计分析，成果以汇总数据发表，不对外提供原始数据".into(),
            period_from: today,
            period_to: today + chrono::Duration::days(180),
        };
        service::open_requests::apply(svc, &c.entry.code, &application, CLIENT).await?;
    }
    Ok((approved, waiting))
}
