//! Grants that name a consumer department's information systems (业务信息系统, 国发〔2016〕51号
//! 第十一条、第十二条: departments' business systems call the platform): systems registered by the
//! admin, accounts bound to them that authenticate as the system, applications asking for
//! systems, approvals that may only narrow them, and the access check refusing every other
//! caller — another system of the same department, a person of it, a system of another
//! department — while the audit trail names the system of every read.

use domain::account::{Actor, Role, SystemRef};
use domain::org::SystemSpec;
use domain::sharing::{Decision, GrantTerms};
use serde_json::json;
use service::ServiceError;
use service::accounts::{self, SystemAccountInput};
use service::sharing::{self, Act};
use store::model::System;

use crate::sharing::{Setup, denied, query_names, setup, terms};
use crate::world::*;

async fn system(s: &Setup, department_id: i64, name: &str) -> System {
    let spec = SystemSpec { department_id, name: name.into(), description: Some(format!("{name}（测试）")) };
    accounts::create_system(&s.w.svc, &s.w.admin, spec).await.unwrap()
}

/// A system account, signed in with its token as the API would: the actor the token stands for.
async fn account(s: &Setup, sys: &System, username: &str) -> (Actor, String) {
    let input = SystemAccountInput {
        username: username.into(),
        display_name: format!("{}接口账号", sys.name),
        roles: vec![Role::DataConsumer],
    };
    let (user, token) = accounts::create_system_account(&s.w.svc, &s.w.admin, sys.id, input).await.unwrap();
    assert_eq!((user.system_id, user.department_id), (Some(sys.id), sys.department_id));
    let actor = service::auth::authenticate(&s.w.svc, &token.secret).await.unwrap();
    (actor, token.secret)
}

#[tokio::test]
async fn systems_are_registered_by_the_admin_and_their_accounts_call_as_the_system() {
    let s = setup().await;
    let w = &s.w;
    let spec = |name: &str| SystemSpec { department_id: w.b.id, name: name.into(), description: None };
    // Only the admin registers systems; names are checked and unique in the department.
    assert_forbidden(accounts::create_system(&w.svc, &w.approver_b, spec("社会救助管理系统")).await, "approver");
    assert_eq!(fields(&accounts::create_system(&w.svc, &w.admin, spec(" 甲 ")).await.unwrap_err()), ["name"]);
    let unknown = SystemSpec { department_id: 9999, ..spec("社会救助管理系统") };
    assert_eq!(fields(&accounts::create_system(&w.svc, &w.admin, unknown).await.unwrap_err()), ["department_id"]);
    let relief = system(&s, w.b.id, "社会救助管理系统").await;
    assert!(matches!(
        accounts::create_system(&w.svc, &w.admin, spec("社会救助管理系统")).await,
        Err(ServiceError::Conflict(m)) if m == "本部门已登记同名的信息系统"
    ));
    assert_eq!(accounts::list_systems(&w.svc, Some(w.b.id)).await.unwrap(), vec![relief.clone()]);
    assert_eq!(accounts::list_systems(&w.svc, Some(w.a.id)).await.unwrap(), vec![]);

    // A system account only reads or provides data, and only the admin creates one.
    let input = |username: &str, roles: Vec<Role>| SystemAccountInput {
        username: username.into(),
        display_name: "社会救助管理系统接口".into(),
        roles,
    };
    let e =
        err(accounts::create_system_account(&w.svc, &w.admin, relief.id, input("mzj_relief", vec![Role::Approver]))
            .await);
    assert_eq!(fields(&e), ["roles"]);
    assert_forbidden(
        accounts::create_system_account(
            &w.svc,
            &w.approver_b,
            relief.id,
            input("mzj_relief", vec![Role::DataConsumer]),
        )
        .await,
        "approver",
    );
    let (actor, secret) = account(&s, &relief, "mzj_relief").await;
    assert_eq!(
        (actor.department_id, actor.system.clone()),
        (w.b.id, Some(SystemRef { id: relief.id, name: "社会救助管理系统".into() }))
    );
    // Nor can it be given a deciding role afterwards.
    let e = err(accounts::update_user(&w.svc, &w.admin, actor.user_id, vec![Role::Approver], true).await);
    assert_eq!(fields(&e), ["roles"]);
    accounts::update_user(&w.svc, &w.admin, actor.user_id, vec![Role::DataConsumer, Role::DataProvider], true)
        .await
        .unwrap();
    accounts::update_user(&w.svc, &w.admin, actor.user_id, vec![Role::DataConsumer], true).await.unwrap();
    let created = w.audit().await.into_iter().rfind(|e| e.action == "user.create").unwrap();
    assert_eq!(created.detail["for_system"], json!({"id": relief.id, "name": "社会救助管理系统"}));

    // Retiring the system stops its accounts at once, and the rejection is audited.
    let retired =
        accounts::update_system(&w.svc, &w.admin, relief.id, "社会救助管理系统".into(), None, false).await.unwrap();
    assert!(!retired.active);
    assert!(matches!(service::auth::authenticate(&w.svc, &secret).await, Err(ServiceError::Unauthenticated)));
    let last = w.audit().await.pop().unwrap();
    assert_eq!((last.action.as_str(), last.detail["reason"].as_str()), ("auth.token_rejected", Some("system_retired")));
    assert!(matches!(
        accounts::create_system_account(&w.svc, &w.admin, relief.id, input("mzj_relief2", vec![Role::DataConsumer]))
            .await,
        Err(ServiceError::Conflict(m)) if m.contains("已停用")
    ));
    accounts::update_system(&w.svc, &w.admin, relief.id, "社会救助管理系统".into(), None, true).await.unwrap();
    assert_eq!(service::auth::authenticate(&w.svc, &secret).await.unwrap(), actor);
}

#[tokio::test]
async fn a_grant_for_a_system_serves_only_that_systems_calls() {
    let s = setup().await;
    let w = &s.w;
    let relief = system(&s, w.b.id, "社会救助管理系统").await;
    let marriage = system(&s, w.b.id, "婚姻登记系统").await;
    // A system of department a, i.e. not of the consumer.
    let police = system(&s, w.a.id, "户籍管理系统").await;
    let (relief_acct, _) = account(&s, &relief, "mzj_relief").await;
    let (marriage_acct, _) = account(&s, &marriage, "mzj_marriage").await;

    // The application names the consumer's systems only, and systems in service.
    let ask = |system_ids: Vec<i64>| domain::sharing::ApplicationTerms { system_ids, ..terms() };
    let e = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, ask(vec![relief.id, police.id])).await.unwrap_err();
    assert_eq!(fields(&e), ["system_ids[1]"]);
    let e = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, ask(vec![relief.id, relief.id])).await.unwrap_err();
    assert_eq!(fields(&e), ["system_ids[1]"]);
    let app = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, ask(vec![relief.id])).await.unwrap();
    assert_eq!(app.terms.system_ids, vec![relief.id]);

    // The approver may not widen it to the whole department, another system or a person.
    for (widened, field) in [
        (GrantTerms { system_ids: vec![], ..GrantTerms::from_application(&app.terms) }, "system_ids"),
        (
            GrantTerms { system_ids: vec![relief.id, marriage.id], ..GrantTerms::from_application(&app.terms) },
            "system_ids[1]",
        ),
        (GrantTerms { user_ids: vec![s.consumer_b.user_id], ..GrantTerms::from_application(&app.terms) }, "user_ids"),
    ] {
        let decision = Decision::ApprovePartially { terms: widened, reason: "扩大范围".into() };
        let e = sharing::act(&w.svc, &w.approver_a, app.id, app.revision, Act::Decide(decision)).await.unwrap_err();
        assert_eq!(fields(&e), [field]);
    }
    let (_, grant) =
        sharing::act(&w.svc, &w.approver_a, app.id, app.revision, Act::Decide(Decision::Approve { comment: None }))
            .await
            .unwrap();
    let grant = grant.unwrap();
    assert_eq!(grant.terms.system_ids, vec![relief.id]);
    let issued = w.audit().await.into_iter().rfind(|e| e.action == "grant.issue").unwrap();
    assert_eq!(issued.detail["systems"], json!([relief.id]));

    // The named system reads, and the audit trail names it.
    assert_eq!(query_names(&s, &relief_acct).await.unwrap().len(), 3);
    let read = w.audit().await.into_iter().rfind(|e| e.action == "data.query").unwrap();
    assert_eq!((read.user_id, read.detail["grant"].as_i64()), (Some(relief_acct.user_id), Some(grant.id)));
    assert_eq!(read.detail["system"], json!({"id": relief.id, "name": "社会救助管理系统"}));

    // Another system of the same department, and a person of it, are refused, naming the grant.
    let want = |caller: &str| format!("授权{}只允许指定的信息系统或人员使用，本次调用方（{caller}）不在其中", grant.id);
    assert_eq!(denied(query_names(&s, &marriage_acct).await.unwrap_err()), want("信息系统“婚姻登记系统”"));
    assert_eq!(denied(query_names(&s, &s.consumer_b).await.unwrap_err()), want("用户mzj_consumer"));
    // Naming the grant does not help.
    let named = service::datasets::ReadRequest { grant_id: Some(grant.id), ..crate::sharing::read() };
    let e = service::datasets::query(&w.svc, &marriage_acct, &s.r.code, named, Default::default()).await.unwrap_err();
    assert_eq!(denied(e), want("信息系统“婚姻登记系统”"));
    let refused = w.audit().await.into_iter().rfind(|e| e.action == "data.read_denied").unwrap();
    assert_eq!(refused.detail["system"], json!({"id": marriage.id, "name": "婚姻登记系统"}));

    // A system of another department, even one of the same name, holds no grant here.
    let namesake = system(&s, w.ops_id, "社会救助管理系统").await;
    let (stranger, _) = account(&s, &namesake, "ops_relief").await;
    assert_eq!(
        denied(query_names(&s, &stranger).await.unwrap_err()),
        "该资源为有条件共享，请先通过共享平台向提供部门提出共享申请（国发〔2016〕51号第十二条）"
    );
    let named = service::datasets::ReadRequest { grant_id: Some(grant.id), ..crate::sharing::read() };
    let e = service::datasets::query(&w.svc, &stranger, &s.r.code, named, Default::default()).await.unwrap_err();
    assert_eq!(denied(e), format!("授权{}不属于您所在部门或该资源，或不允许您本人使用", grant.id));

    // Retiring the named system: its accounts stop, and it cannot be granted again.
    accounts::update_system(&w.svc, &w.admin, relief.id, "社会救助管理系统".into(), None, false).await.unwrap();
    let again = sharing::apply(&w.svc, &s.consumer_b, &s.r.code, ask(vec![relief.id])).await.unwrap_err();
    assert_eq!(fields(&again), ["system_ids[0]"]);
}
