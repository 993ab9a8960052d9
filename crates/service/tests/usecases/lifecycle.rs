//! The catalogue lifecycle through the service: draft → submitted → published → revised →
//! withdrawn, with returns and recalls, every step a kept version with its user and diff.

use domain::catalog::ResourceStatus;
use serde_json::json;
use service::ServiceError;
use service::catalog;

use crate::world::*;

#[tokio::test]
async fn full_lifecycle_keeps_every_version() {
    let w = World::new().await;
    let svc = &w.svc;

    // Create: a draft with a generated code; the provider comes from the department.
    let r = catalog::create(svc, &w.editor_a, None, spec("企业登记信息", CAT_A)).await.unwrap();
    assert_eq!(r.code, "307001/000001");
    assert_eq!(r.status, ResourceStatus::Draft);
    assert_eq!(r.version, 1);
    assert_eq!(r.department_id, w.a.id);
    assert_eq!(r.spec.provider_name, "示例市公安局");
    assert_eq!(Some(r.spec.provider_code.clone()), w.a.spec.credit_code);
    assert_eq!(r.spec.publish_date, None);
    assert_eq!(r.published_at, None);

    // Update the draft: the summary and one item's length.
    let mut s2 = r.spec.clone();
    s2.summary = "企业登记的基本信息，含名称和统一社会信用代码".into();
    s2.data_items[0].length = Some(200);
    let r2 = catalog::update(svc, &w.editor_a, &r.code, Some(1), s2.clone()).await.unwrap();
    assert_eq!((r2.version, r2.status, r2.code.as_str()), (2, ResourceStatus::Draft, "307001/000001"));
    assert_eq!(r2.spec.summary, s2.summary);

    // Submit.
    let r3 = catalog::submit(svc, &w.editor_a, &r.id.to_string()).await.unwrap();
    assert_eq!((r3.version, r3.status), (3, ResourceStatus::Submitted));

    // The editor cannot publish; nothing is written.
    let denied = catalog::publish(svc, &w.editor_a, &r.code).await;
    assert!(matches!(denied, Err(ServiceError::Forbidden(_))), "{denied:?}");
    assert_eq!(w.resource(r.id).await.version, 3);

    // The approver publishes one hour later; 发布日期 is today in Beijing (already 03-03 there).
    w.at(start() + chrono::Duration::hours(1));
    let r4 = catalog::publish(svc, &w.approver_a, &r.code).await.unwrap();
    assert_eq!((r4.version, r4.status), (4, ResourceStatus::Published));
    assert_eq!(r4.spec.publish_date, Some(date(2026, 3, 3)), "发布日期 is the date in UTC+8");
    assert_eq!(r4.published_at, Some(start() + chrono::Duration::hours(1)));

    // A revision a week later: a new published version, same code, same 发布日期.
    w.at(cst(2026, 3, 10, 9, 0));
    let mut s5 = r4.spec.clone();
    s5.summary = "企业登记的基本信息（按新规修订）".into();
    s5.publish_date = Some(date(2026, 3, 10)); // the platform's to set: ignored
    let r5 = catalog::update(svc, &w.editor_a, &r.code, Some(4), s5).await.unwrap();
    assert_eq!((r5.version, r5.status, r5.code.as_str()), (5, ResourceStatus::Published, "307001/000001"));
    assert_eq!(r5.spec.publish_date, Some(date(2026, 3, 3)));
    assert_eq!(r5.published_at, r4.published_at);

    // Withdrawing needs a reason, and an approver.
    for reason in [None, Some(String::new()), Some("   ".to_string())] {
        let e = catalog::withdraw(svc, &w.approver_a, &r.code, reason).await.unwrap_err();
        assert_eq!(fields(&e), ["reason"]);
    }
    let e = catalog::withdraw(svc, &w.editor_a, &r.code, Some("不再提供".into())).await;
    assert!(matches!(e, Err(ServiceError::Forbidden(_))), "{e:?}");
    assert_eq!(w.resource(r.id).await.version, 5);
    w.at(cst(2026, 3, 11, 9, 0));
    let r6 = catalog::withdraw(svc, &w.approver_a, &r.code, Some("职能划转，本部门不再提供".into())).await.unwrap();
    assert_eq!((r6.version, r6.status, r6.code.as_str()), (6, ResourceStatus::Withdrawn, "307001/000001"));

    // A withdrawn entry can no longer be changed.
    let e = catalog::update(svc, &w.editor_a, &r.code, None, r6.spec.clone()).await.unwrap_err();
    assert!(matches!(e, ServiceError::Lifecycle(_)), "{e:?}");
    let e = catalog::submit(svc, &w.editor_a, &r.code).await.unwrap_err();
    assert!(matches!(e, ServiceError::Lifecycle(_)), "{e:?}");
    assert_eq!(w.resource(r.id).await.version, 6);

    // The history: every version, its action, its user, its diff.
    let h = catalog::history(svc, &w.editor_a, &r.code).await.unwrap();
    let steps: Vec<(i64, &str, &str, ResourceStatus)> =
        h.iter().map(|v| (v.version, v.change.action.as_str(), v.change.username.as_str(), v.status)).collect();
    assert_eq!(
        steps,
        [
            (1, "create", "gaj_editor", ResourceStatus::Draft),
            (2, "update", "gaj_editor", ResourceStatus::Draft),
            (3, "submit", "gaj_editor", ResourceStatus::Submitted),
            (4, "publish", "gaj_approver", ResourceStatus::Published),
            (5, "update", "gaj_editor", ResourceStatus::Published),
            (6, "withdraw", "gaj_approver", ResourceStatus::Withdrawn),
        ]
    );
    assert!(h.iter().all(|v| v.resource_id == r.id && v.code == "307001/000001"));
    assert_eq!(h[0].change.user_id, w.editor_a.user_id);
    assert_eq!(h[3].change.user_id, w.approver_a.user_id);
    assert_eq!(h[0].change.at, start());
    assert_eq!(h[3].change.at, start() + chrono::Duration::hours(1));
    assert_eq!(h[4].change.at, cst(2026, 3, 10, 9, 0));
    assert_eq!(h[5].change.comment.as_deref(), Some("职能划转，本部门不再提供"));

    let diff_of =
        |v: usize| h[v].diff.iter().map(|c| (c.field.clone(), c.before.clone(), c.after.clone())).collect::<Vec<_>>();
    assert!(h[0].diff.iter().any(|c| c.field == "name" && c.after == json!("企业登记信息") && c.before.is_null()));
    assert_eq!(
        diff_of(1),
        [
            ("data_items[名称].length".to_string(), json!(100), json!(200)),
            ("summary".to_string(), json!("企业登记信息的摘要"), json!("企业登记的基本信息，含名称和统一社会信用代码")),
        ]
    );
    assert!(h[2].diff.is_empty(), "submitting changes no field: {:?}", h[2].diff);
    assert_eq!(diff_of(3), [("publish_date".to_string(), json!(null), json!("2026-03-03"))]);
    assert_eq!(
        diff_of(4),
        [(
            "summary".to_string(),
            json!("企业登记的基本信息，含名称和统一社会信用代码"),
            json!("企业登记的基本信息（按新规修订）")
        )]
    );
    assert!(h[5].diff.is_empty(), "withdrawing changes no field: {:?}", h[5].diff);
    // Each version keeps its own content.
    assert_eq!(h[0].spec.summary, "企业登记信息的摘要");
    assert_eq!(h[4].spec.summary, "企业登记的基本信息（按新规修订）");

    // Withdrawn entries stay readable, by code and by id, for every department.
    let seen = catalog::get(svc, &w.editor_b, &r.code).await.unwrap();
    assert_eq!(seen.status, ResourceStatus::Withdrawn);
    assert_eq!(catalog::get(svc, &w.consumer_a, &r.id.to_string()).await.unwrap().id, r.id);
}

#[tokio::test]
async fn returning_needs_a_reason_and_the_editor_can_recall() {
    let w = World::new().await;
    let svc = &w.svc;
    let r = catalog::create(svc, &w.editor_a, None, spec("出入境证件信息", CAT_A)).await.unwrap();
    let key = r.code.clone();

    // Nothing to return or recall while it is a draft.
    let e = catalog::recall(svc, &w.editor_a, &key).await.unwrap_err();
    assert!(matches!(e, ServiceError::Lifecycle(_)), "{e:?}");
    let e = catalog::return_to_draft(svc, &w.approver_a, &key, Some("不完整".into())).await.unwrap_err();
    assert!(matches!(e, ServiceError::Lifecycle(_)), "{e:?}");
    let e = catalog::publish(svc, &w.approver_a, &key).await.unwrap_err();
    assert!(matches!(e, ServiceError::Lifecycle(_)), "draft cannot be published directly: {e:?}");

    catalog::submit(svc, &w.editor_a, &key).await.unwrap();
    // A submitted entry cannot be edited.
    let e = catalog::update(svc, &w.editor_a, &key, None, r.spec.clone()).await.unwrap_err();
    assert!(matches!(e, ServiceError::Lifecycle(_)), "{e:?}");
    // Only a reviewer returns it, and only with a reason.
    let e = catalog::return_to_draft(svc, &w.editor_a, &key, Some("自己退回".into())).await.unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");
    for reason in [None, Some(" \n ".to_string())] {
        let e = catalog::return_to_draft(svc, &w.approver_a, &key, reason).await.unwrap_err();
        assert_eq!(fields(&e), ["reason"]);
    }
    let e = catalog::return_to_draft(svc, &w.approver_a, &key, Some("长".repeat(2001))).await.unwrap_err();
    assert_eq!(fields(&e), ["reason"]);
    assert_eq!(w.resource(r.id).await.status, ResourceStatus::Submitted);
    assert_eq!(w.history(r.id).await.len(), 2);

    let back = catalog::return_to_draft(svc, &w.approver_a, &key, Some("  摘要过于简略，请补充数据范围  ".into()))
        .await
        .unwrap();
    assert_eq!((back.status, back.version), (ResourceStatus::Draft, 3));

    // Submit again; this time the editor takes it back. The approver cannot recall for them.
    catalog::submit(svc, &w.editor_a, &key).await.unwrap();
    let e = catalog::recall(svc, &w.approver_a, &key).await.unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");
    let recalled = catalog::recall(svc, &w.editor_a, &key).await.unwrap();
    assert_eq!((recalled.status, recalled.version), (ResourceStatus::Draft, 5));

    let h = w.history(r.id).await;
    let steps: Vec<(&str, &str, Option<&str>)> =
        h.iter().map(|v| (v.change.action.as_str(), v.change.username.as_str(), v.change.comment.as_deref())).collect();
    assert_eq!(
        steps,
        [
            ("create", "gaj_editor", None),
            ("submit", "gaj_editor", None),
            ("return", "gaj_approver", Some("摘要过于简略，请补充数据范围")),
            ("submit", "gaj_editor", None),
            ("recall", "gaj_editor", None),
        ]
    );
    // Back in draft it can be edited again.
    let mut s = recalled.spec.clone();
    s.summary = "补充了数据范围".into();
    let r6 = catalog::update(svc, &w.editor_a, &key, Some(5), s).await.unwrap();
    assert_eq!((r6.version, r6.status), (6, ResourceStatus::Draft));
}

#[tokio::test]
async fn stale_writes_are_refused() {
    let w = World::new().await;
    let svc = &w.svc;
    let r = catalog::create(svc, &w.editor_a, None, spec("机动车登记信息", CAT_A)).await.unwrap();
    let mut mine = r.spec.clone();
    mine.summary = "第一位编目员的修改".into();
    let r2 = catalog::update(svc, &w.editor_a, &r.code, Some(1), mine).await.unwrap();
    assert_eq!(r2.version, 2);

    // A second writer still holding version 1.
    let mut theirs = r.spec.clone();
    theirs.summary = "第二位编目员基于旧版本的修改".into();
    let e = catalog::update(svc, &w.editor_a, &r.code, Some(1), theirs.clone()).await.unwrap_err();
    assert!(matches!(e, ServiceError::Stale { current: 2 }), "{e:?}");
    let now = w.resource(r.id).await;
    assert_eq!((now.version, now.spec.summary.as_str()), (2, "第一位编目员的修改"));
    assert_eq!(w.history(r.id).await.len(), 2);
    // A version from the future is just as stale.
    let e = catalog::update(svc, &w.editor_a, &r.code, Some(7), theirs.clone()).await.unwrap_err();
    assert!(matches!(e, ServiceError::Stale { current: 2 }), "{e:?}");
    assert_eq!(w.resource(r.id).await.version, 2);
    // With the current version the write goes through.
    let r3 = catalog::update(svc, &w.editor_a, &r.code, Some(2), theirs).await.unwrap();
    assert_eq!((r3.version, r3.spec.summary.as_str()), (3, "第二位编目员基于旧版本的修改"));
}

/// An entry of department a brought to `status` by its own editor and approver.
async fn entry_at(w: &World, status: ResourceStatus, name: &str) -> store::model::Resource {
    let r = catalog::create(&w.svc, &w.editor_a, None, spec(name, CAT_A)).await.unwrap();
    if status == ResourceStatus::Draft {
        return r;
    }
    if status == ResourceStatus::Withdrawn {
        return catalog::withdraw(&w.svc, &w.approver_a, &r.code, Some("职能调整".into())).await.unwrap();
    }
    let r = catalog::submit(&w.svc, &w.editor_a, &r.code).await.unwrap();
    if status == ResourceStatus::Submitted {
        return r;
    }
    catalog::publish(&w.svc, &w.approver_a, &r.code).await.unwrap()
}

/// What the pages offer (`available_steps`) is exactly what the service then lets each actor do,
/// for every status and every step: one rule, not a second copy in the pages.
#[tokio::test]
async fn available_steps_are_exactly_the_steps_that_succeed() {
    use domain::catalog::LifecycleAction as A;
    let w = World::new().await;
    let svc = &w.svc;
    let actors = [&w.editor_a, &w.approver_a, &w.consumer_a, &w.editor_b, &w.approver_b, &w.coordinator, &w.auditor];
    let (mut offered_n, mut refused_n, mut n) = (0, 0, 0);
    for status in
        [ResourceStatus::Draft, ResourceStatus::Submitted, ResourceStatus::Published, ResourceStatus::Withdrawn]
    {
        for actor in actors {
            for action in [A::Update, A::Submit, A::Recall, A::Return, A::Publish, A::Withdraw] {
                n += 1;
                let r = entry_at(&w, status, &format!("步骤检查资源{n}")).await;
                let offered = catalog::available_steps(actor, &r).contains(&action);
                let reason = Some("核对后处理".to_string());
                let done = match action {
                    A::Update => {
                        let mut s = r.spec.clone();
                        s.summary = format!("{}（修订）", s.summary);
                        catalog::update(svc, actor, &r.code, None, s).await
                    }
                    A::Submit => catalog::submit(svc, actor, &r.code).await,
                    A::Recall => catalog::recall(svc, actor, &r.code).await,
                    A::Return => catalog::return_to_draft(svc, actor, &r.code, reason).await,
                    A::Publish => catalog::publish(svc, actor, &r.code).await,
                    A::Withdraw => catalog::withdraw(svc, actor, &r.code, reason).await,
                };
                assert_eq!(offered, done.is_ok(), "{status:?} {action:?} by {}: {done:?}", actor.username);
                if offered {
                    offered_n += 1;
                } else {
                    refused_n += 1;
                }
            }
        }
    }
    // Both sides of the rule were exercised: the editor's, the approver's and the coordinator's
    // steps on their statuses, everyone else's refusals.
    assert_eq!((offered_n, refused_n), (14, 154));
}

/// The `_of` reads take an entry already read, and still refuse one the actor may not know of
/// (another department's draft) exactly like a missing entry.
#[tokio::test]
async fn reads_of_an_entry_already_read_check_its_visibility_again() {
    let w = World::new().await;
    let draft = entry_at(&w, ResourceStatus::Draft, "草稿资源").await;
    assert_eq!(catalog::history_of(&w.svc, &w.editor_a, &draft).await.unwrap().len(), 1);
    assert!(service::datasets::versions_of(&w.svc, &w.editor_a, &draft).await.unwrap().is_empty());
    assert_not_found(catalog::history_of(&w.svc, &w.editor_b, &draft).await, "history");
    assert_not_found(service::datasets::versions_of(&w.svc, &w.editor_b, &draft).await, "versions");
    assert_not_found(service::datasets::freshness_of(&w.svc, &w.editor_b, &draft).await, "freshness");
    let published = entry_at(&w, ResourceStatus::Published, "已发布资源").await;
    assert_eq!(catalog::history_of(&w.svc, &w.editor_b, &published).await.unwrap().len(), 3);
}
