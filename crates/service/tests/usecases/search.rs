//! Catalogue search through the use cases: the index follows every catalogue change in the same
//! flow, recovers after a crash between the store write and the index update, and shows nobody an
//! entry they may not see.

use service::Services;
use service::search::{self, SearchParams};

use crate::world::*;

fn q(text: &str) -> SearchParams {
    SearchParams { q: text.into(), ..SearchParams::default() }
}

async fn codes(svc: &Services, actor: &domain::account::Actor, params: SearchParams) -> Vec<String> {
    search::search(svc, actor, params).await.unwrap().items.into_iter().map(|h| h.entry.code).collect()
}

#[tokio::test]
async fn the_index_follows_every_catalogue_change() {
    let mut w = World::new().await;
    w.svc = w.svc.clone().with_search_dir(&w.dir.path().join("search"));
    assert!(codes(&w.svc, &w.editor_a, q("注册登记")).await.is_empty());

    let mut s = spec("企业注册登记信息", CAT_A);
    s.summary = "全市企业的注册地址、法定代表人等登记信息".into();
    let r = service::catalog::create(&w.svc, &w.editor_a, None, s.clone()).await.unwrap();
    // A draft: its own department finds it, another department does not.
    assert_eq!(codes(&w.svc, &w.editor_a, q("注册登记")).await, vec![r.code.clone()]);
    assert!(codes(&w.svc, &w.editor_b, q("注册登记")).await.is_empty());
    assert_eq!(codes(&w.svc, &w.coordinator, q("注册登记")).await, vec![r.code.clone()]);

    service::catalog::submit(&w.svc, &w.editor_a, &r.code).await.unwrap();
    service::catalog::publish(&w.svc, &w.approver_a, &r.code).await.unwrap();
    assert_eq!(codes(&w.svc, &w.editor_b, q("註冊地址")).await, vec![r.code.clone()], "published: everyone");

    s.name = "市场主体登记信息".into();
    s.summary = "市场主体的登记信息".into();
    service::catalog::update(&w.svc, &w.editor_a, &r.code, None, s).await.unwrap();
    assert!(codes(&w.svc, &w.editor_b, q("注册地址")).await.is_empty(), "the old text is gone");
    assert_eq!(codes(&w.svc, &w.editor_b, q("市场主体")).await, vec![r.code.clone()]);

    service::catalog::withdraw(&w.svc, &w.approver_a, &r.code, Some("职责调整".into())).await.unwrap();
    assert!(codes(&w.svc, &w.editor_b, q("市场主体")).await.is_empty(), "withdrawn entries only on request");
    let withdrawn = SearchParams { filters: vec![("status".into(), "withdrawn".into())], ..q("市场主体") };
    assert_eq!(codes(&w.svc, &w.editor_b, withdrawn).await, vec![r.code.clone()]);
    // Every step reached the index in its own flow: nothing was left to reconcile.
    assert_eq!(search::reconcile(&w.svc).await.unwrap().indexed, 0);
}

#[tokio::test]
async fn a_crash_between_store_and_index_is_caught_up() {
    let w = World::new().await;
    let dir = w.dir.path().join("search");
    let first = w.svc.clone().with_search_dir(&dir);
    let r = w.published(&w.editor_a, &w.approver_a, spec("低保对象名单", CAT_A)).await;
    assert_eq!(codes(&first, &w.editor_b, q("低保")).await, vec![r.code.clone()]);
    drop(first);

    // A process whose change reached the store and then died before its index update: its index
    // was never told (an index not yet opened in a process is exactly that).
    let crashed = w.svc.clone().with_search_dir(&dir);
    let mut s = spec("最低生活保障对象名单", CAT_A);
    s.summary = "低保改名后的名单".into();
    service::catalog::update(&crashed, &w.editor_a, &r.code, None, s).await.unwrap();
    let other = service::catalog::create(&crashed, &w.editor_b, None, spec("残疾人两项补贴台账", CAT_B)).await.unwrap();
    drop(crashed);

    // The restarted process catches up from the store before answering.
    let restarted = w.svc.clone().with_search_dir(&dir);
    assert_eq!(codes(&restarted, &w.editor_b, q("最低生活保障")).await, vec![r.code.clone()]);
    assert_eq!(codes(&restarted, &w.editor_b, q("残疾人")).await, vec![other.code.clone()]);
    assert!(codes(&restarted, &w.editor_a, q("残疾人")).await.is_empty(), "B's draft stays B's");
    let n = search::reconcile(&restarted).await.unwrap();
    assert_eq!((n.indexed, n.removed, n.total), (0, 0, 2));

    // A rebuild gives the same answers.
    assert_eq!(search::rebuild(&restarted).await.unwrap(), 2);
    assert_eq!(codes(&restarted, &w.editor_b, q("最低生活保障")).await, vec![r.code]);
}

#[tokio::test]
async fn classified_entries_stay_with_their_department() {
    let w = World::new().await;
    let mut s = spec("涉密档案目录", CAT_B);
    s.classified = true;
    s.share_type = domain::catalog::ShareType::NotShared;
    s.share_basis = Some("《中华人民共和国保守国家秘密法》".into());
    s.share_methods = vec![];
    let r = w.published(&w.editor_b, &w.approver_b, s).await;
    assert!(codes(&w.svc, &w.editor_a, q("档案")).await.is_empty());
    let all = search::search(&w.svc, &w.editor_a, q("")).await.unwrap();
    assert_eq!(all.total, 0, "not even counted");
    assert!(all.facets.iter().all(|f| f.values.is_empty()), "nor in facets: {:?}", all.facets);
    assert_forbidden_or_not_found(service::catalog::get(&w.svc, &w.editor_a, &r.code).await, "a classified entry");
    assert_eq!(codes(&w.svc, &w.editor_b, q("档案")).await, vec![r.code.clone()]);
    assert_eq!(codes(&w.svc, &w.auditor, q("档案")).await, vec![r.code]);
}

#[tokio::test]
async fn facets_name_departments_and_categories() {
    let w = World::new().await;
    w.published(&w.editor_a, &w.approver_a, spec("户籍人口信息", CAT_A)).await;
    w.published(&w.editor_b, &w.approver_b, spec("婚姻登记信息", CAT_B)).await;
    let page = search::search(&w.svc, &w.consumer_a, q("信息")).await.unwrap();
    assert_eq!(page.total, 2);
    let provider = page.facets.iter().find(|f| f.dimension == search::Dimension::Provider).unwrap();
    let mut labels: Vec<String> = provider.values.iter().map(|v| v.label.clone()).collect();
    labels.sort();
    assert_eq!(labels, vec!["示例市公安局".to_string(), "示例市民政局".to_string()]);
    let category = page.facets.iter().find(|f| f.dimension == search::Dimension::Category).unwrap();
    assert_eq!(category.values.len(), 1);
    assert_eq!((category.values[0].value.as_str(), category.values[0].count), ("307", 2));

    let only_b = SearchParams { filters: vec![("provider".into(), w.b.id.to_string())], ..q("信息") };
    assert_eq!(search::search(&w.svc, &w.consumer_a, only_b).await.unwrap().total, 1);
    // Paging.
    let first = search::search(&w.svc, &w.consumer_a, SearchParams { limit: Some(1), ..q("信息") }).await.unwrap();
    assert_eq!((first.items.len(), first.next.as_deref()), (1, Some("1")));
    let second =
        search::search(&w.svc, &w.consumer_a, SearchParams { limit: Some(1), cursor: first.next, ..q("信息") })
            .await
            .unwrap();
    assert_eq!((second.items.len(), second.next), (1, None));
    assert_ne!(first.items[0].entry.id, second.items[0].entry.id);
}

#[tokio::test]
async fn bad_searches_name_the_parameter() {
    let w = World::new().await;
    let bad = SearchParams { filters: vec![("share_type".into(), "随便".into())], ..q("") };
    assert_eq!(fields(&err(search::search(&w.svc, &w.consumer_a, bad).await)), vec!["share_type"]);
    let bad = SearchParams { filters: vec![("colour".into(), "red".into())], ..q("") };
    assert_eq!(fields(&err(search::search(&w.svc, &w.consumer_a, bad).await)), vec!["colour"]);
    let bad = SearchParams { cursor: Some("abc".into()), ..q("") };
    assert_eq!(fields(&err(search::search(&w.svc, &w.consumer_a, bad).await)), vec!["cursor"]);
    let bad = SearchParams { limit: Some(1000), ..q("") };
    assert_eq!(fields(&err(search::search(&w.svc, &w.consumer_a, bad).await)), vec!["limit"]);
}
