//! 政府数据开放 (seed 002): the confidentiality review and public reads through the service, on
//! what the web pages do not show: the API channel's counting and audit, a newer version staying
//! private until reviewed, and the rule that only the providing department reviews.

use domain::account::Role;
use domain::catalog::{DataItem, DataType, OpenType};
use domain::masking::MaskRule;
use domain::open::ColumnDecision;
use service::open::{self, Channel, ReviewState};

use crate::sharing::{publish, user};
use crate::world::{World, assert_forbidden_or_not_found, err, spec};

const ROWS: &str = "名称,统一社会信用代码,联系人,手机号码\n示例市甲公司,91350100MA2XXXXX0X,张三,13812345678\n示例市乙公司,91110000100000000J,李四,13987654321\n";

#[tokio::test]
async fn review_open_and_read_as_the_public() {
    let w = World::new().await;
    let mut s = spec("开放企业联系信息", "307001");
    s.open_type = OpenType::Unconditional;
    s.data_items[1].is_key = false;
    s.data_items.push(DataItem::new("联系人", DataType::C, Some(50)));
    s.data_items.push(DataItem::new("手机号码", DataType::C, Some(11)));
    let r = w.published(&w.editor_a, &w.approver_a, s).await;
    let provider = user(&w, "gaj_provider", w.a.id, Role::DataProvider).await;
    publish(&w, &provider, &r, ROWS).await;

    // Not public before the review; only department A's approver reviews it.
    assert!(matches!(open::dataset(&w.svc, &r.code).await, Err(service::ServiceError::NotFound(_))));
    assert_forbidden_or_not_found(open::review(&w.svc, &w.approver_b, &r.code).await, "another department");
    assert_forbidden_or_not_found(open::review(&w.svc, &w.coordinator, &r.code).await, "the coordinator");
    let review = open::review(&w.svc, &w.approver_a, &r.code).await.unwrap();
    let flagged: Vec<&str> = review.columns.iter().map(|c| c.finding.column.as_str()).collect();
    assert_eq!(flagged, vec!["联系人", "手机号码"]);
    assert_eq!(review.state, ReviewState::Pending);
    let e = err(open::open(&w.svc, &w.approver_a, &r.code, 1).await);
    assert!(e.to_string().contains("联系人、手机号码"), "{e}");

    let scans = |events: &[store::model::AuditEvent]| events.iter().filter(|e| e.action == "open.scan").count();
    let scans_before = scans(&w.audit().await);
    let after = open::decide(&w.svc, &w.approver_a, &r.code, 1, "联系人", ColumnDecision::Remove).await.unwrap();
    // What a decision returns is the review with that column decided, as a fresh review reads it.
    let decided = |rv: &open::Review| -> Vec<(String, Option<ColumnDecision>)> {
        rv.columns.iter().map(|c| (c.finding.column.clone(), c.decision.as_ref().map(|d| d.decision.clone()))).collect()
    };
    assert_eq!(decided(&after), vec![("联系人".into(), Some(ColumnDecision::Remove)), ("手机号码".into(), None)]);
    assert_eq!(after.state, ReviewState::Pending);
    let fresh = open::review(&w.svc, &w.approver_a, &r.code).await.unwrap();
    assert_eq!(decided(&fresh), decided(&after));
    let after =
        open::decide(&w.svc, &w.approver_a, &r.code, 1, "手机号码", ColumnDecision::Mask { rule: MaskRule::Mobile })
            .await
            .unwrap();
    assert_eq!(after.state, ReviewState::Ready);
    assert_eq!(decided(&after), decided(&open::review(&w.svc, &w.approver_a, &r.code).await.unwrap()));
    // Each decision scanned the data once (to check the column is a flagged one), the two reviews
    // once each.
    assert_eq!(scans(&w.audit().await) - scans_before, 4);
    let opening = open::open(&w.svc, &w.approver_a, &r.code, 1).await.unwrap();
    assert_eq!(opening.fields, vec!["名称", "统一社会信用代码", "手机号码"]);

    // Through the API channel: the public scope, counted as API calls, audited without an actor.
    let (d, rows) = open::public_query(&w.svc, &r.code, Default::default(), Channel::Api { key_id: 7 }).await.unwrap();
    assert!(d.data_open());
    assert_eq!(rows.columns, vec!["名称", "统一社会信用代码", "手机号码"]);
    let mut phones: Vec<&str> = rows.rows.iter().map(|r| r["手机号码"].as_str().unwrap()).collect();
    phones.sort();
    assert_eq!(phones, vec!["138****5678", "139****4321"]);
    open::record_view(&w.svc, d.resource.id, Channel::Portal).await.unwrap();
    let d = open::dataset(&w.svc, &r.code).await.unwrap();
    assert_eq!((d.usage.views, d.usage.downloads, d.usage.api_calls), (1, 0, 1));
    let events = w.audit().await;
    let q = events.iter().find(|e| e.action == "open.query").expect("audited");
    assert_eq!(q.user_id, None);
    assert_eq!(q.detail["channel"], "api");
    assert_eq!(q.detail["key"], 7);
    for action in ["open.scan", "open.review", "open.refused", "open.open"] {
        assert!(events.iter().any(|e| e.action == action), "{action} audited");
    }
    // Filtering on a masked column could probe its cleartext: refused.
    let probe = data::query::QuerySpec {
        filters: vec![domain::filter::Filter::new(
            "手机号码",
            domain::filter::Op::Eq,
            serde_json::json!("13812345678"),
        )],
        ..Default::default()
    };
    assert!(open::public_query(&w.svc, &r.code, probe, Channel::Portal).await.is_err());

    // A newer version is not public until it is reviewed and opened.
    publish(
        &w,
        &provider,
        &r,
        "名称,统一社会信用代码,联系人,手机号码\n示例市丙公司,91110000100000000J,王五,13700000000\n",
    )
    .await;
    let (_, rows) = open::public_query(&w.svc, &r.code, Default::default(), Channel::Portal).await.unwrap();
    assert_eq!(rows.rows.len(), 2, "still version 1");
    assert_eq!(open::review(&w.svc, &w.approver_a, &r.code).await.unwrap().state, ReviewState::OlderOpen);
    let e = err(open::open(&w.svc, &w.approver_a, &r.code, 1).await);
    assert!(e.to_string().contains("不是最新版本"), "{e}");
}

/// What the review cannot override and what it must not outlive: an item the catalogue marks
/// 不予开放 never opens; the order of public rows never follows the hidden part of a masked column;
/// a catalogue change that takes the entry out of 无条件开放 closes its opening for good (changing
/// it back needs a new review).
#[tokio::test]
async fn item_open_types_masked_order_and_catalogue_changes() {
    let w = World::new().await;
    let mut s = spec("开放企业联系信息二", "307001");
    s.open_type = OpenType::Unconditional;
    s.data_items[1].is_key = false;
    s.data_items.push(DataItem::new("手机号码", DataType::C, Some(11)));
    let mut note = DataItem::new("内部备注", DataType::C, Some(50));
    note.open_type = Some(OpenType::NotOpen);
    s.data_items.push(note);
    let r = w.published(&w.editor_a, &w.approver_a, s).await;
    let provider = user(&w, "gaj_provider2", w.a.id, Role::DataProvider).await;
    // Stored order of the phone numbers (13800000003 < 13811110002) is the reverse of their
    // masked order (138****0002 < 138****0003).
    let rows = "名称,统一社会信用代码,手机号码,内部备注\n示例市甲公司,91350100MA2XXXXX0X,13811110002,重点关注\n示例市乙公司,91110000100000000J,13800000003,一般\n";
    publish(&w, &provider, &r, rows).await;
    open::decide(&w.svc, &w.approver_a, &r.code, 1, "手机号码", ColumnDecision::Mask { rule: MaskRule::Mobile })
        .await
        .unwrap();
    let opening = open::open(&w.svc, &w.approver_a, &r.code, 1).await.unwrap();
    assert_eq!(opening.fields, vec!["名称", "统一社会信用代码", "手机号码"], "内部备注 is 不予开放");

    let only_phones = data::query::QuerySpec { fields: Some(vec!["手机号码".into()]), ..Default::default() };
    let (_, res) = open::public_query(&w.svc, &r.code, only_phones, Channel::Portal).await.unwrap();
    let phones: Vec<&str> = res.rows.iter().map(|r| r["手机号码"].as_str().unwrap()).collect();
    assert_eq!(phones, vec!["138****0002", "138****0003"], "ordered by what the public sees");
    let hidden = data::query::QuerySpec { fields: Some(vec!["内部备注".into()]), ..Default::default() };
    assert!(open::public_query(&w.svc, &r.code, hidden, Channel::Portal).await.is_err());

    // The catalogue later marks the phone number 有条件开放: it leaves the public scope at once.
    let mut revised = service::catalog::get(&w.svc, &w.editor_a, &r.code).await.unwrap();
    let phone = revised.spec.data_items.iter_mut().find(|i| i.name == "手机号码").unwrap();
    phone.open_type = Some(OpenType::Conditional);
    phone.open_condition = Some("仅向核验机构开放".into());
    let r2 = service::catalog::update(&w.svc, &w.editor_a, &r.code, Some(revised.version), revised.spec.clone())
        .await
        .unwrap();
    let (_, res) = open::public_query(&w.svc, &r.code, Default::default(), Channel::Portal).await.unwrap();
    assert_eq!(res.columns, vec!["名称", "统一社会信用代码"]);

    // The entry becomes 有条件开放: the opening is closed; back to 无条件开放, it stays closed.
    revised = r2;
    revised.spec.open_type = OpenType::Conditional;
    revised.spec.open_condition = Some("须签订数据使用协议".into());
    let r3 = service::catalog::update(&w.svc, &w.editor_a, &r.code, Some(revised.version), revised.spec.clone())
        .await
        .unwrap();
    let mut back = r3.spec.clone();
    back.open_type = OpenType::Unconditional;
    back.open_condition = None;
    service::catalog::update(&w.svc, &w.editor_a, &r.code, Some(r3.version), back).await.unwrap();
    assert!(
        open::dataset(&w.svc, &r.code).await.is_ok_and(|d| !d.data_open())
            || matches!(open::dataset(&w.svc, &r.code).await, Err(service::ServiceError::NotFound(_))),
        "a new review is needed"
    );
    // The decisions stay on record; opening again is a new, audited act of the reviewer.
    assert_eq!(open::review(&w.svc, &w.approver_a, &r.code).await.unwrap().state, ReviewState::Ready);
    assert!(open::public_query(&w.svc, &r.code, Default::default(), Channel::Portal).await.is_err());
    assert!(w.audit().await.iter().any(|e| e.action == "open.close"), "the closing is audited");
}
