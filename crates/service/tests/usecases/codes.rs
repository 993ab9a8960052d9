//! Resource codes (信息资源代码): generated per category, never reused, frozen once published.

use domain::catalog::{CategoryCode, ResourceStatus};
use service::ServiceError;
use service::catalog;

use crate::world::*;

#[tokio::test]
async fn moving_a_draft_gets_a_new_code_and_numbers_are_never_reused() {
    let w = World::new().await;
    let svc = &w.svc;
    let d1 = catalog::create(svc, &w.editor_a, None, spec("治安管理信息", CAT_A)).await.unwrap();
    assert_eq!(d1.code, "307001/000001");

    // Move the draft to another 目: a new code under the new prefix.
    let mut moved = d1.spec.clone();
    moved.category = CategoryCode::parse(CAT_B).unwrap();
    let d1b = catalog::update(svc, &w.editor_a, &d1.code, Some(1), moved).await.unwrap();
    assert_eq!(d1b.code, "307002/000001");
    assert_eq!((d1b.id, d1b.version, d1b.status), (d1.id, 2, ResourceStatus::Draft));
    // The old code no longer names anything; the new one does.
    let e = catalog::get(svc, &w.editor_a, "307001/000001").await.unwrap_err();
    assert!(matches!(e, ServiceError::NotFound(_)), "{e:?}");
    assert_eq!(catalog::get(svc, &w.editor_a, "307002/000001").await.unwrap().id, d1.id);
    // History keeps the code each version had.
    let h = w.history(d1.id).await;
    assert_eq!(h.iter().map(|v| v.code.as_str()).collect::<Vec<_>>(), ["307001/000001", "307002/000001"]);
    assert!(h[1].diff.iter().any(|c| c.field == "category"), "{:?}", h[1].diff);

    // The old number is not handed out again.
    let d2 = catalog::create(svc, &w.editor_a, None, spec("户籍迁移信息", CAT_A)).await.unwrap();
    assert_eq!(d2.code, "307001/000002");
    // Moving a draft back does not reclaim its first code either.
    let mut back = d1b.spec.clone();
    back.category = CategoryCode::parse(CAT_A).unwrap();
    let d1c = catalog::update(svc, &w.editor_a, &d1b.code, Some(2), back).await.unwrap();
    assert_eq!(d1c.code, "307001/000003");
    // Updating without moving keeps the code.
    let mut same = d1c.spec.clone();
    same.summary = "只改摘要".into();
    assert_eq!(catalog::update(svc, &w.editor_a, &d1c.code, Some(3), same).await.unwrap().code, "307001/000003");
}

#[tokio::test]
async fn a_published_code_is_frozen_and_a_withdrawn_code_is_never_reused() {
    let w = World::new().await;
    let svc = &w.svc;
    let p = w.published(&w.editor_a, &w.approver_a, spec("交通违法信息", CAT_A)).await;
    assert_eq!((p.code.as_str(), p.version), ("307001/000001", 3));

    let mut moved = p.spec.clone();
    moved.category = CategoryCode::parse(CAT_B).unwrap();
    moved.summary = "顺便改摘要".into();
    let e = catalog::update(svc, &w.editor_a, &p.code, Some(3), moved).await.unwrap_err();
    assert_eq!(fields(&e), ["category"]);
    let now = w.resource(p.id).await;
    assert_eq!((now.code.as_str(), now.version, now.spec.category.as_str()), ("307001/000001", 3, CAT_A));
    assert_eq!(now.spec.summary, p.spec.summary);
    // The refused move consumed no number in the other category.
    let other = catalog::create(svc, &w.editor_a, None, spec("其他资源", CAT_B)).await.unwrap();
    assert_eq!(other.code, "307002/000001");

    // Withdraw it: the code stays with the withdrawn entry and is never given to a new one.
    let gone = catalog::withdraw(svc, &w.approver_a, &p.code, Some("资源已停止采集".into())).await.unwrap();
    assert_eq!((gone.code.as_str(), gone.status), ("307001/000001", ResourceStatus::Withdrawn));
    let next = catalog::create(svc, &w.editor_a, None, spec("交通违法信息（新）", CAT_A)).await.unwrap();
    assert_eq!(next.code, "307001/000002");
    assert_eq!(catalog::get(svc, &w.editor_a, "307001/000001").await.unwrap().id, p.id);
    // A withdrawn draft's code is not reused either.
    let draft = catalog::create(svc, &w.editor_a, None, spec("草稿", CAT_A)).await.unwrap();
    assert_eq!(draft.code, "307001/000003");
    catalog::withdraw(svc, &w.approver_a, &draft.code, Some("重复编目".into())).await.unwrap();
    assert_eq!(catalog::create(svc, &w.editor_a, None, spec("再一条", CAT_A)).await.unwrap().code, "307001/000004");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_creates_get_forty_distinct_codes() {
    let w = World::new().await;
    let mut handles = Vec::new();
    for i in 0..40 {
        let svc = w.svc.clone();
        let editor = if i % 2 == 0 { w.editor_a.clone() } else { w.editor_b.clone() };
        handles.push(tokio::spawn(async move {
            catalog::create(&svc, &editor, None, spec(&format!("并发资源{i}"), CAT_A)).await
        }));
    }
    let mut codes = Vec::new();
    for h in handles {
        codes.push(h.await.unwrap().unwrap().code);
    }
    let mut seqs: Vec<u64> = codes
        .iter()
        .map(|c| {
            let (prefix, seq) = c.split_once('/').unwrap();
            assert_eq!(prefix, CAT_A);
            assert_eq!(seq.len(), 6, "{c}");
            seq.parse().unwrap()
        })
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>(), "every number exactly once");
    let stored = w.all_resources().await;
    assert_eq!(stored.len(), 40);
    let creates = w.audit().await.into_iter().filter(|e| e.action == "resource.create").count();
    assert_eq!(creates, 40);
    assert_eq!(catalog::create(&w.svc, &w.editor_a, None, spec("之后", CAT_A)).await.unwrap().code, "307001/000041");
}
