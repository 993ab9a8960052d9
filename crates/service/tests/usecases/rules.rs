//! What the platform owns (the provider fields) and the domain's validation as the service
//! reports it: every problem with its field path, nothing written.

use domain::catalog::{CategoryCode, DataItem, DataType, ResourceCode, ShareMethod, ShareType};
use service::catalog;

use crate::world::*;

#[tokio::test]
async fn provider_fields_cannot_be_forged() {
    let w = World::new().await;
    let svc = &w.svc;
    let b_code = w.b.spec.credit_code.clone().unwrap();
    let a_code = w.a.spec.credit_code.clone().unwrap();
    let mut forged = spec("冒名资源", CAT_A);
    forged.provider_name = w.b.spec.name.clone();
    forged.provider_code = b_code.clone();
    let r = catalog::create(svc, &w.editor_a, None, forged).await.unwrap();
    assert_eq!((r.spec.provider_name.as_str(), r.spec.provider_code.as_str()), ("示例市公安局", a_code.as_str()));
    let stored = w.resource(r.id).await;
    assert_eq!(
        (stored.spec.provider_name.as_str(), stored.spec.provider_code.as_str()),
        ("示例市公安局", a_code.as_str())
    );
    assert_eq!(stored.department_id, w.a.id);

    // Nor on a revision, draft or published.
    let mut again = stored.spec.clone();
    again.provider_name = "示例市民政局".into();
    again.provider_code = w.b.spec.local_code.clone().unwrap();
    let r2 = catalog::update(svc, &w.editor_a, &r.code, Some(1), again.clone()).await.unwrap();
    assert_eq!((r2.spec.provider_name.as_str(), r2.spec.provider_code.as_str()), ("示例市公安局", a_code.as_str()));
    catalog::submit(svc, &w.editor_a, &r.code).await.unwrap();
    catalog::publish(svc, &w.approver_a, &r.code).await.unwrap();
    let r5 = catalog::update(svc, &w.editor_a, &r.code, None, again).await.unwrap();
    assert_eq!((r5.spec.provider_name.as_str(), r5.spec.provider_code.as_str()), ("示例市公安局", a_code.as_str()));
    // No version ever carried B's name or code.
    for v in w.history(r.id).await {
        assert_eq!((v.spec.provider_name.as_str(), v.spec.provider_code.as_str()), ("示例市公安局", a_code.as_str()));
    }
    // The division (处室) is the department's own statement and is kept.
    assert_eq!(r5.spec.provider_division.as_deref(), Some("科技信息化处"));
}

#[tokio::test]
async fn validation_errors_name_their_fields_and_write_nothing() {
    let w = World::new().await;
    let svc = &w.svc;
    let before = w.snapshot().await;
    let create = |s| catalog::create(svc, &w.editor_a, None, s);

    let mut not_shared = spec("不予共享资源", CAT_A);
    not_shared.share_type = ShareType::NotShared;
    not_shared.share_methods = vec![];
    assert_eq!(fields(&create(not_shared.clone()).await.unwrap_err()), ["share_basis"]);

    let mut conditional = spec("有条件共享资源", CAT_A);
    conditional.share_type = ShareType::Conditional;
    assert_eq!(fields(&create(conditional).await.unwrap_err()), ["share_condition"]);

    let mut related = spec("关联资源", CAT_A);
    related.related_codes = vec![ResourceCode::parse("307001/999999").unwrap()];
    let e = create(related).await.unwrap_err();
    assert_eq!(fields(&e), ["related_codes[0]"]);
    assert!(e.to_string().contains("307001/999999"), "{e}");

    let mut unknown = spec("未知分类", CAT_A);
    unknown.category = CategoryCode::parse("307999").unwrap();
    assert_eq!(fields(&create(unknown).await.unwrap_err()), ["category"]);
    let mut coarse = spec("分类过粗", CAT_A);
    coarse.category = CategoryCode::parse("307").unwrap();
    assert_eq!(fields(&create(coarse).await.unwrap_err()), ["category"]);

    let mut no_length = spec("缺长度", CAT_A);
    no_length.data_items.push(DataItem::new("住所", DataType::C, None));
    assert_eq!(fields(&create(no_length).await.unwrap_err()), ["data_items[2].length"]);

    let mut theme = spec("主题资源", CAT_THEME);
    theme.share_type = ShareType::NotShared;
    theme.share_basis = Some("《保守国家秘密法》".into());
    theme.share_methods = vec![];
    assert_eq!(fields(&create(theme).await.unwrap_err()), ["share_type"]);

    // Every problem at once.
    let mut many = spec("", CAT_A);
    many.summary = "  ".into();
    many.share_methods = vec![];
    many.data_items.clear();
    let f = fields(&create(many).await.unwrap_err());
    for want in ["name", "summary", "share_methods", "data_items"] {
        assert!(f.iter().any(|x| x == want), "{want} missing from {f:?}");
    }

    assert_eq!(w.snapshot().await, before, "refused entries write nothing");
    // No code number was consumed by the refusals.
    let first = create(spec("第一条有效资源", CAT_A)).await.unwrap();
    assert_eq!(first.code, "307001/000001");

    // An invalid revision leaves the entry as it was.
    let mut bad = first.spec.clone();
    bad.share_type = ShareType::NotShared;
    bad.share_methods = vec![];
    assert_eq!(
        fields(&catalog::update(svc, &w.editor_a, &first.code, Some(1), bad).await.unwrap_err()),
        ["share_basis"]
    );
    let mut self_ref = first.spec.clone();
    self_ref.related_codes = vec![ResourceCode::parse(&first.code).unwrap()];
    assert_eq!(
        fields(&catalog::update(svc, &w.editor_a, &first.code, Some(1), self_ref).await.unwrap_err()),
        ["related_codes[0]"]
    );
    assert_eq!(w.resource(first.id).await.version, 1);
    assert_eq!(w.history(first.id).await.len(), 1);

    // With a basis the not-shared entry is fine; a related code that exists is fine.
    let mut fixed = not_shared;
    fixed.share_basis = Some("《中华人民共和国保守国家秘密法》第二条".into());
    let ok = create(fixed).await.unwrap();
    let mut rel = spec("关联已有资源", CAT_A);
    rel.related_codes = vec![ResourceCode::parse(&ok.code).unwrap()];
    rel.share_methods = vec![ShareMethod::Api, ShareMethod::OnlineQuery];
    create(rel).await.unwrap();

    // A withdrawn entry can no longer be related to.
    catalog::withdraw(svc, &w.approver_a, &ok.code, Some("停止".into())).await.unwrap();
    let mut stale = spec("关联已注销资源", CAT_A);
    stale.related_codes = vec![ResourceCode::parse(&ok.code).unwrap()];
    assert_eq!(fields(&create(stale).await.unwrap_err()), ["related_codes[0]"]);
}
