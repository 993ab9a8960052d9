//! The one access check every read of shared data passes through. It receives the caller, the
//! declared purpose, the kind of read, the resource and the caller's grants on it, and returns the
//! scope the read is allowed (which fields, which rows, which masking) or why it is refused.
//! Queries, downloads, the changes feed and verification are built from the scope, inside the
//! query plan.
//!
//! Rules (国发〔2016〕51号 第十二条、第十四条):
//! - the providing department reads everything of its own;
//! - an unconditionally shared resource is readable by every department with a declared purpose,
//!   except items that are themselves conditional or not shared;
//! - anything else needs a grant that is active and in its period today, whose purpose kind is
//!   the declared one and whose methods include the kind of read. The grant's fields, row
//!   conditions and masking shape the read; naming a grant uses that grant (and only it).
//! - a grant that names users or information systems works only for those users and for the
//!   accounts bound to those systems (第十一条、第十二条: departments' business systems call the
//!   platform); anyone else of the department is refused.

use chrono::NaiveDate;
use domain::account::Actor;
use domain::catalog::{DataItem, ResourceSpec, ResourceStatus, ShareMethod, ShareType};
use domain::filter::Filter;
use domain::masking::MaskRule;
use domain::purpose::Purpose;
use domain::sharing::{GrantStatus, GrantTerms};

/// Why a read is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The caller's department provides the resource.
    OwnDepartment,
    /// 无条件共享.
    Unconditional,
    /// A grant (授权) of the provider or the coordinator.
    Grant(i64),
    /// 无条件开放 to the public, through the opening with this id (seed 002): the opened version
    /// only, without the removed columns, with the masked ones masked.
    Open(i64),
}

impl Basis {
    pub fn code(&self) -> &'static str {
        match self {
            Basis::OwnDepartment => "own_department",
            Basis::Unconditional => "unconditional",
            Basis::Grant(_) => "grant",
            Basis::Open(_) => "open",
        }
    }

    pub fn grant_id(&self) -> Option<i64> {
        match self {
            Basis::Grant(id) => Some(*id),
            _ => None,
        }
    }
}

/// The kind of read, matched against a grant's share methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// The query API: allowed by 接口 or 在线查询.
    Query,
    /// A bulk download: 批量下载.
    Download,
    /// The changes feed: 库表交换/前置机 (or 接口).
    Changes,
    /// 核验: match / no match, never values.
    Verify,
}

impl ReadKind {
    pub fn methods(self) -> &'static [ShareMethod] {
        match self {
            ReadKind::Query => &[ShareMethod::Api, ShareMethod::OnlineQuery],
            ReadKind::Download => &[ShareMethod::BulkDownload],
            ReadKind::Changes => &[ShareMethod::Exchange, ShareMethod::Api],
            ReadKind::Verify => &[ShareMethod::Verification],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReadKind::Query => "查询",
            ReadKind::Download => "批量下载",
            ReadKind::Changes => "增量同步",
            ReadKind::Verify => "核验",
        }
    }
}

/// What one read may see. Only [`decide`] makes one (its fields are private to this crate), so
/// every read in `query`, `download`, `versions` and `verify` is shaped by the access check.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub(crate) basis: Basis,
    pub(crate) purpose: Purpose,
    /// The data items the caller may see, in item order.
    pub(crate) fields: Vec<String>,
    /// Conditions every row read must meet (a grant's row scope), applied to stored values.
    pub(crate) rows: Vec<Filter>,
    /// Fields shown masked, with their rule.
    pub(crate) masks: Vec<(String, MaskRule)>,
    /// At most this many rows a day (the grant's quota), if any.
    pub(crate) daily_row_quota: Option<u64>,
}

impl Scope {
    pub fn basis(&self) -> &Basis {
        &self.basis
    }

    pub fn purpose(&self) -> &Purpose {
        &self.purpose
    }

    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    pub fn allows(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }

    pub fn mask_of(&self, field: &str) -> Option<&MaskRule> {
        self.masks.iter().find(|(f, _)| f == field).map(|(_, r)| r)
    }

    /// The masking applied, as `field → rule id`, for the audit record (STANDARDS §5: record the
    /// masking rule id).
    pub fn mask_ids(&self) -> Vec<(String, String)> {
        self.masks.iter().map(|(f, r)| (f.clone(), r.id())).collect()
    }

    pub fn row_conditions(&self) -> &[Filter] {
        &self.rows
    }

    pub fn daily_row_quota(&self) -> Option<u64> {
        self.daily_row_quota
    }

    /// Refuses a field outside the scope, or a masked field used other than for display.
    pub(crate) fn check_usable(&self, field: &str, display_only: bool) -> Result<(), Denied> {
        if !self.allows(field) {
            return Err(Denied::FieldOutOfScope(field.to_string()));
        }
        if !display_only && self.mask_of(field).is_some() {
            return Err(Denied::FieldMasked(field.to_string()));
        }
        Ok(())
    }
}

/// A refused read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("该资源为有条件共享，请先通过共享平台向提供部门提出共享申请（国发〔2016〕51号第十二条）")]
    NeedsApplication,
    #[error("该资源为不予共享类（依据：{basis}）；确需使用的，请与提供部门协商，协商未果可申请共享主管部门协调")]
    NotShared { basis: String },
    #[error("该资源尚未发布，不能读取其数据")]
    NotPublished,
    #[error("该资源的信息项均不可直接共享，请先提出共享申请")]
    NoSharedFields,
    #[error("该数据未向社会开放（或该版本尚未经保密审查开放）")]
    NotOpened,
    #[error("信息项“{0}”不在您的授权范围内，不能读取、筛选、排序或分组")]
    FieldOutOfScope(String),
    #[error("信息项“{0}”按授权脱敏显示，只能查看，不能用于筛选、排序、分组或聚合")]
    FieldMasked(String),
    #[error("授权{id}不能使用：{why}")]
    GrantUnusable { id: i64, why: String },
    #[error("授权{id}不属于您所在部门或该资源，或不允许您本人使用")]
    NotYourGrant { id: i64 },
    #[error("授权{id}只允许指定的信息系统或人员使用，本次调用方（{caller}）不在其中")]
    CallerNotNamed { id: i64, caller: String },
    #[error(
        "授权{id}的使用用途为“{granted}”，与本次声明的用途“{declared}”不符：共享数据只能用于授权的用途（国发〔2016〕51号第十四条）"
    )]
    PurposeMismatch { id: i64, granted: String, declared: String },
    #[error("授权{id}不允许以“{kind}”方式使用数据（授权的共享方式：{granted}）")]
    MethodNotGranted { id: i64, kind: String, granted: String },
    #[error("授权{id}今日可读取的行数已用完（每日上限{quota}行），请明日再试")]
    QuotaExhausted { id: i64, quota: u64 },
    #[error("本次将读取{rows}行，超过授权{id}今日剩余的{remaining}行（每日上限{quota}行），请缩小范围或明日再试")]
    QuotaWouldExceed { id: i64, rows: u64, remaining: u64, quota: u64 },
}

/// The facts about a resource the decision needs.
pub struct ResourceFacts<'a> {
    pub department_id: i64,
    pub status: ResourceStatus,
    pub spec: &'a ResourceSpec,
    /// The data items of the version being read (they may differ from the current entry's).
    pub items: &'a [DataItem],
}

/// A grant of the caller's department on the resource, as the decision needs it.
pub struct GrantFacts<'a> {
    pub id: i64,
    pub resource_id: i64,
    pub consumer_department_id: i64,
    pub status: GrantStatus,
    pub terms: &'a GrantTerms,
}

/// One read: who, for what, how, and optionally through which grant.
pub struct ReadContext<'a> {
    pub actor: &'a Actor,
    pub purpose: Purpose,
    pub kind: ReadKind,
    /// The grant the caller names, if any.
    pub grant_id: Option<i64>,
    /// Today in the platform's time zone (grant periods are dates).
    pub today: NaiveDate,
}

/// Decides what the caller may read of a resource. `grants` are the caller's department's grants
/// on this resource, any status.
pub fn decide(
    read: ReadContext<'_>,
    resource_id: i64,
    resource: &ResourceFacts<'_>,
    grants: &[GrantFacts<'_>],
) -> Result<Scope, Denied> {
    let all: Vec<String> = resource.items.iter().map(|i| i.name.clone()).collect();
    let ReadContext { actor, purpose, kind, grant_id, today } = read;
    if actor.department_id == resource.department_id && grant_id.is_none() {
        return Ok(plain(Basis::OwnDepartment, purpose, all));
    }
    if resource.status != ResourceStatus::Published {
        return Err(Denied::NotPublished);
    }
    if let Some(id) = grant_id {
        let g = grants
            .iter()
            .find(|g| g.id == id && g.resource_id == resource_id && g.consumer_department_id == actor.department_id)
            .ok_or(Denied::NotYourGrant { id })?;
        return through_grant(g, actor, purpose, kind, today, resource.items);
    }
    if resource.spec.share_type == ShareType::Unconditional {
        // Item-level overrides: an item the current entry marks conditional or not shared
        // (or that the entry no longer lists) is outside the unconditional scope.
        let fields: Vec<String> = resource
            .items
            .iter()
            .filter(|i| {
                resource.spec.item(&i.name).map(|cur| cur.effective_share_type(resource.spec))
                    == Some(ShareType::Unconditional)
            })
            .map(|i| i.name.clone())
            .collect();
        if fields.is_empty() {
            return Err(Denied::NoSharedFields);
        }
        return Ok(plain(Basis::Unconditional, purpose, fields));
    }
    // Conditional or not shared: the newest grant that works for this read; if none works, the
    // most telling reason (a grant that exists but cannot be used says more than "apply").
    let mine: Vec<&GrantFacts<'_>> = grants
        .iter()
        .filter(|g| g.resource_id == resource_id && g.consumer_department_id == actor.department_id)
        .collect();
    let mut first_refusal = None;
    for g in &mine {
        match through_grant(g, actor, purpose.clone(), kind, today, resource.items) {
            Ok(scope) => return Ok(scope),
            Err(e) => {
                first_refusal.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_refusal {
        return Err(e);
    }
    match resource.spec.share_type {
        ShareType::NotShared => Err(Denied::NotShared { basis: resource.spec.share_basis.clone().unwrap_or_default() }),
        _ => Err(Denied::NeedsApplication),
    }
}

/// An opening of a version to the public (seed 002), as the public decision needs it.
pub struct OpeningFacts<'a> {
    pub id: i64,
    /// The version the opening names.
    pub version: i64,
    /// The fields the reviewer left public, in item order.
    pub fields: &'a [String],
    /// Fields shown masked, with their rule.
    pub masks: &'a [(String, MaskRule)],
}

/// Decides what the public (no account) may read of a version: only a published, not classified
/// 无条件开放 resource with a current opening, only the version the opening names (a newer
/// version needs its own review), only the opened fields the version has, masked as decided.
/// Public reads are queries and downloads; the changes feed and verification are not offered.
pub fn decide_public(
    purpose: Purpose,
    kind: ReadKind,
    version: i64,
    resource: &ResourceFacts<'_>,
    opening: Option<&OpeningFacts<'_>>,
) -> Result<Scope, Denied> {
    if resource.status != ResourceStatus::Published {
        return Err(Denied::NotPublished);
    }
    let open = !resource.spec.classified && resource.spec.open_type == domain::catalog::OpenType::Unconditional;
    let Some(o) = opening.filter(|o| open && o.version == version) else {
        return Err(Denied::NotOpened);
    };
    if !matches!(kind, ReadKind::Query | ReadKind::Download) {
        return Err(Denied::NotOpened);
    }
    // The opened fields the version has and the current entry still opens: an item later marked
    // 有条件开放 or 不予开放 (or dropped from the entry) leaves the public scope at once.
    let fields: Vec<String> = resource
        .items
        .iter()
        .filter(|i| o.fields.contains(&i.name) && domain::open::item_openable(resource.spec, &i.name))
        .map(|i| i.name.clone())
        .collect();
    if fields.is_empty() {
        return Err(Denied::NoSharedFields);
    }
    let masks = o.masks.iter().filter(|(f, _)| fields.contains(f)).cloned().collect();
    Ok(Scope { basis: Basis::Open(o.id), purpose, fields, rows: Vec::new(), masks, daily_row_quota: None })
}

/// How a refusal names the caller: the system it calls for, or the user.
fn caller_label(actor: &Actor) -> String {
    match &actor.system {
        Some(s) => format!("信息系统“{}”", s.name),
        None => format!("用户{}", actor.username),
    }
}

/// Whether the caller could read, and so count, every row of a version themselves: then its
/// totals (row count, size) tell them nothing new. True for the providing department, for an
/// unconditionally shared resource with items to read, and through a grant the caller may use
/// today that has no row conditions and allows reading rows (not verification alone). A holder
/// of a grant limited to some rows must not learn how many rows lie outside them.
pub fn sees_whole_version(
    actor: &Actor,
    resource_id: i64,
    resource: &ResourceFacts<'_>,
    grants: &[GrantFacts<'_>],
    today: NaiveDate,
) -> bool {
    if actor.department_id == resource.department_id {
        return true;
    }
    if resource.status != ResourceStatus::Published {
        return false;
    }
    if resource.spec.share_type == ShareType::Unconditional
        && resource.items.iter().any(|i| {
            resource.spec.item(&i.name).map(|cur| cur.effective_share_type(resource.spec))
                == Some(ShareType::Unconditional)
        })
    {
        return true;
    }
    let reads_rows = [ReadKind::Query, ReadKind::Download, ReadKind::Changes];
    grants.iter().any(|g| {
        let t = g.terms;
        g.resource_id == resource_id
            && g.consumer_department_id == actor.department_id
            && g.status.usable(&t.period, today).is_ok()
            && t.admits(actor.user_id, actor.system.as_ref().map(|s| s.id))
            && t.rows.is_empty()
            && reads_rows.iter().any(|k| k.methods().iter().any(|m| t.methods.contains(m)))
            && resource.items.iter().any(|i| t.fields.contains(&i.name))
    })
}

fn plain(basis: Basis, purpose: Purpose, fields: Vec<String>) -> Scope {
    Scope { basis, purpose, fields, rows: Vec::new(), masks: Vec::new(), daily_row_quota: None }
}

fn through_grant(
    g: &GrantFacts<'_>,
    actor: &Actor,
    purpose: Purpose,
    kind: ReadKind,
    today: NaiveDate,
    items: &[DataItem],
) -> Result<Scope, Denied> {
    let t = g.terms;
    g.status.usable(&t.period, today).map_err(|e| Denied::GrantUnusable { id: g.id, why: e.to_string() })?;
    if !t.admits(actor.user_id, actor.system.as_ref().map(|s| s.id)) {
        return Err(Denied::CallerNotNamed { id: g.id, caller: caller_label(actor) });
    }
    if t.purpose.kind != purpose.kind {
        return Err(Denied::PurposeMismatch {
            id: g.id,
            granted: format!("{}：{}", t.purpose.kind.label(), t.purpose.description),
            declared: format!("{}：{}", purpose.kind.label(), purpose.description),
        });
    }
    if !kind.methods().iter().any(|m| t.methods.contains(m)) {
        return Err(Denied::MethodNotGranted {
            id: g.id,
            kind: kind.label().to_string(),
            granted: t.methods.iter().map(|m| m.label()).collect::<Vec<_>>().join("、"),
        });
    }
    // A row condition on an item the version being read does not have cannot be applied: refuse
    // rather than read unfiltered rows.
    if let Some(r) = t.rows.iter().find(|r| !items.iter().any(|i| i.name == r.field)) {
        return Err(Denied::GrantUnusable {
            id: g.id,
            why: format!("数据范围条件所用的信息项“{}”在该数据版本中不存在", r.field),
        });
    }
    // Only granted fields that the version being read actually has, in item order.
    let fields: Vec<String> = items.iter().filter(|i| t.fields.contains(&i.name)).map(|i| i.name.clone()).collect();
    if fields.is_empty() {
        return Err(Denied::NoSharedFields);
    }
    let masks = t.masks.iter().filter(|m| fields.contains(&m.field)).map(|m| (m.field.clone(), m.rule)).collect();
    Ok(Scope {
        basis: Basis::Grant(g.id),
        purpose,
        fields,
        rows: t.rows.clone(),
        masks,
        daily_row_quota: t.daily_row_quota,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::catalog::{CategoryCode, DataType, Format, FormatClass, OpenType, UpdateCycle};
    use domain::filter::Op;
    use domain::purpose::PurposeKind;
    use domain::sharing::{FieldMask, Period};

    fn spec(share: ShareType) -> ResourceSpec {
        let mut secret = DataItem::new("联系电话", DataType::C, Some(11));
        secret.share_type = Some(ShareType::Conditional);
        ResourceSpec {
            category: CategoryCode::parse("307001").unwrap(),
            name: "测试".into(),
            provider_name: "p".into(),
            provider_code: "c".into(),
            provider_division: None,
            summary: "s".into(),
            format: Format { class: FormatClass::Database, subtype: None, other_desc: None },
            data_items: vec![
                DataItem::new("姓名", DataType::C, Some(50)),
                secret,
                DataItem::new("区划", DataType::C, Some(6)),
            ],
            share_type: share,
            share_condition: Some("条件".into()),
            share_basis: Some("《某法》".into()),
            share_methods: vec![],
            open_type: OpenType::NotOpen,
            open_condition: None,
            update_cycle: UpdateCycle::Daily,
            publish_date: None,
            related_codes: vec![],
            classified: false,
            tags: vec![],
            collection_decisions: Vec::new(),
        }
    }

    fn actor(dept: i64) -> Actor {
        Actor { user_id: 7, username: "u".into(), department_id: dept, roles: vec![], system: None }
    }

    fn purpose() -> Purpose {
        Purpose::new(PurposeKind::WorkReference, "核对").unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn read(a: &Actor, kind: ReadKind, grant_id: Option<i64>) -> ReadContext<'_> {
        ReadContext { actor: a, purpose: purpose(), kind, grant_id, today: day("2026-06-01") }
    }

    fn terms() -> GrantTerms {
        GrantTerms {
            purpose: Purpose::new(PurposeKind::WorkReference, "低保资格核对").unwrap(),
            fields: vec!["联系电话".into(), "姓名".into()],
            rows: vec![Filter::new("区划", Op::Eq, serde_json::json!("350102"))],
            masks: vec![FieldMask { field: "联系电话".into(), rule: MaskRule::Mobile }],
            methods: vec![ShareMethod::Api],
            period: Period { from: day("2026-01-01"), until: day("2026-12-31") },
            daily_row_quota: Some(500),
            user_ids: vec![],
            system_ids: vec![],
        }
    }

    #[test]
    fn the_public_reads_only_the_opened_version_and_fields() {
        let mut s = spec(ShareType::Unconditional);
        s.open_type = OpenType::Unconditional;
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &s, items: &s.data_items };
        let fields = vec!["姓名".to_string(), "区划".to_string(), "不在版本中".to_string()];
        let masks = vec![("姓名".to_string(), MaskRule::Name)];
        let o = OpeningFacts { id: 3, version: 2, fields: &fields, masks: &masks };
        let scope = decide_public(purpose(), ReadKind::Query, 2, &facts, Some(&o)).unwrap();
        assert_eq!(scope.basis, Basis::Open(3));
        assert_eq!(scope.fields, vec!["姓名".to_string(), "区划".to_string()], "the removed item is left out");
        assert_eq!(scope.mask_of("姓名"), Some(&MaskRule::Name));
        assert!(scope.rows.is_empty() && scope.daily_row_quota.is_none());
        // Another version, no opening, a read the public is not offered.
        assert_eq!(decide_public(purpose(), ReadKind::Query, 3, &facts, Some(&o)), Err(Denied::NotOpened));
        assert_eq!(decide_public(purpose(), ReadKind::Query, 2, &facts, None), Err(Denied::NotOpened));
        assert_eq!(decide_public(purpose(), ReadKind::Verify, 2, &facts, Some(&o)), Err(Denied::NotOpened));
        assert_eq!(decide_public(purpose(), ReadKind::Changes, 2, &facts, Some(&o)), Err(Denied::NotOpened));
        // Not 无条件开放 (any more), classified, or not published: nothing, whatever the opening says.
        for change in [
            |s: &mut ResourceSpec| s.open_type = OpenType::Conditional,
            |s: &mut ResourceSpec| s.open_type = OpenType::NotOpen,
            |s: &mut ResourceSpec| s.classified = true,
        ] {
            let mut t = s.clone();
            change(&mut t);
            let f = ResourceFacts { spec: &t, items: &t.data_items, ..facts };
            assert_eq!(decide_public(purpose(), ReadKind::Download, 2, &f, Some(&o)), Err(Denied::NotOpened));
        }
        let withdrawn = ResourceFacts { status: ResourceStatus::Withdrawn, ..facts };
        assert_eq!(decide_public(purpose(), ReadKind::Query, 2, &withdrawn, Some(&o)), Err(Denied::NotPublished));
    }

    #[test]
    fn without_grants() {
        let s = spec(ShareType::Unconditional);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &s, items: &s.data_items };
        let own = decide(read(&actor(1), ReadKind::Query, None), 9, &facts, &[]).unwrap();
        assert_eq!((own.basis, own.fields.len()), (Basis::OwnDepartment, 3));
        let other = decide(read(&actor(2), ReadKind::Query, None), 9, &facts, &[]).unwrap();
        assert_eq!(other.fields, vec!["姓名".to_string(), "区划".to_string()], "the conditional item is left out");
        let c = spec(ShareType::Conditional);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &c, items: &c.data_items };
        assert_eq!(decide(read(&actor(2), ReadKind::Query, None), 9, &facts, &[]), Err(Denied::NeedsApplication));
        let n = spec(ShareType::NotShared);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &n, items: &n.data_items };
        assert!(matches!(
            decide(read(&actor(2), ReadKind::Query, None), 9, &facts, &[]),
            Err(Denied::NotShared { .. })
        ));
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Withdrawn, spec: &s, items: &s.data_items };
        assert_eq!(decide(read(&actor(2), ReadKind::Query, None), 9, &facts, &[]), Err(Denied::NotPublished));
    }

    #[test]
    fn through_a_grant() {
        let c = spec(ShareType::Conditional);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &c, items: &c.data_items };
        let t = terms();
        let g = |status| GrantFacts { id: 5, resource_id: 9, consumer_department_id: 2, status, terms: &t };
        let scope = decide(read(&actor(2), ReadKind::Query, None), 9, &facts, &[g(GrantStatus::Active)]).unwrap();
        assert_eq!(scope.basis, Basis::Grant(5));
        assert_eq!(scope.fields, vec!["姓名".to_string(), "联系电话".to_string()], "item order, granted only");
        assert_eq!(scope.rows, t.rows);
        assert_eq!(scope.mask_of("联系电话"), Some(&MaskRule::Mobile));
        assert_eq!(scope.daily_row_quota, Some(500));
        assert_eq!(scope.check_usable("联系电话", true), Ok(()));
        assert_eq!(scope.check_usable("联系电话", false), Err(Denied::FieldMasked("联系电话".into())));
        assert_eq!(scope.check_usable("区划", true), Err(Denied::FieldOutOfScope("区划".into())));

        // Each way a grant stops working.
        for status in [GrantStatus::Suspended, GrantStatus::Revoked, GrantStatus::Expired] {
            assert!(matches!(
                decide(read(&actor(2), ReadKind::Query, None), 9, &facts, &[g(status)]),
                Err(Denied::GrantUnusable { id: 5, .. })
            ));
        }
        let b = actor(2);
        let late = ReadContext { today: day("2027-01-01"), ..read(&b, ReadKind::Query, None) };
        assert!(matches!(decide(late, 9, &facts, &[g(GrantStatus::Active)]), Err(Denied::GrantUnusable { .. })));
        assert!(matches!(
            decide(read(&actor(2), ReadKind::Download, None), 9, &facts, &[g(GrantStatus::Active)]),
            Err(Denied::MethodNotGranted { .. })
        ));
        let other_purpose = ReadContext {
            purpose: Purpose::new(PurposeKind::BusinessCollaboration, "别的事").unwrap(),
            ..read(&b, ReadKind::Query, None)
        };
        assert!(matches!(
            decide(other_purpose, 9, &facts, &[g(GrantStatus::Active)]),
            Err(Denied::PurposeMismatch { .. })
        ));
        // Another department, another resource, or a grant for named users only.
        assert_eq!(
            decide(read(&actor(3), ReadKind::Query, Some(5)), 9, &facts, &[g(GrantStatus::Active)]),
            Err(Denied::NotYourGrant { id: 5 })
        );
        assert_eq!(
            decide(read(&actor(2), ReadKind::Query, Some(5)), 10, &facts, &[g(GrantStatus::Active)]),
            Err(Denied::NotYourGrant { id: 5 })
        );
        let mut named = terms();
        named.user_ids = vec![99];
        let gn =
            GrantFacts { id: 6, resource_id: 9, consumer_department_id: 2, status: GrantStatus::Active, terms: &named };
        assert_eq!(
            decide(read(&actor(2), ReadKind::Query, Some(6)), 9, &facts, &[gn]),
            Err(Denied::CallerNotNamed { id: 6, caller: "用户u".into() })
        );
        // A row condition on an item the version lacks refuses instead of reading every row.
        let old_items =
            vec![DataItem::new("姓名", DataType::C, Some(50)), DataItem::new("联系电话", DataType::C, Some(11))];
        let old = ResourceFacts { items: &old_items, ..facts };
        assert!(matches!(
            decide(read(&actor(2), ReadKind::Query, None), 9, &old, &[g(GrantStatus::Active)]),
            Err(Denied::GrantUnusable { .. })
        ));
    }

    fn system_actor(dept: i64, user_id: i64, system: i64, name: &str) -> Actor {
        Actor {
            user_id,
            username: format!("sys{user_id}"),
            department_id: dept,
            roles: vec![],
            system: Some(domain::account::SystemRef { id: system, name: name.into() }),
        }
    }

    #[test]
    fn a_grant_naming_a_system_admits_only_that_systems_accounts() {
        let c = spec(ShareType::Conditional);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &c, items: &c.data_items };
        let t = GrantTerms { system_ids: vec![40], ..terms() };
        let g = GrantFacts { id: 5, resource_id: 9, consumer_department_id: 2, status: GrantStatus::Active, terms: &t };
        let grants = std::slice::from_ref(&g);
        let registry = system_actor(2, 11, 40, "不动产登记系统");
        for named in [None, Some(5)] {
            let scope = decide(read(&registry, ReadKind::Query, named), 9, &facts, grants).unwrap();
            assert_eq!(scope.basis, Basis::Grant(5));
        }
        // Another system of the same department, and a person of it, with or without naming it.
        let other = system_actor(2, 12, 41, "婚姻登记系统");
        for named in [None, Some(5)] {
            assert_eq!(
                decide(read(&other, ReadKind::Query, named), 9, &facts, grants),
                Err(Denied::CallerNotNamed { id: 5, caller: "信息系统“婚姻登记系统”".into() })
            );
            assert_eq!(
                decide(read(&actor(2), ReadKind::Query, named), 9, &facts, grants),
                Err(Denied::CallerNotNamed { id: 5, caller: "用户u".into() })
            );
        }
        // An account of another department bound to a system with the same id is not the consumer.
        let stranger = system_actor(3, 13, 40, "不动产登记系统");
        assert_eq!(
            decide(read(&stranger, ReadKind::Query, Some(5)), 9, &facts, grants),
            Err(Denied::NotYourGrant { id: 5 })
        );
        assert_eq!(decide(read(&stranger, ReadKind::Query, None), 9, &facts, grants), Err(Denied::NeedsApplication));
        // A named user is admitted beside the named system.
        let t2 = GrantTerms { system_ids: vec![40], user_ids: vec![7], ..terms() };
        let g2 = GrantFacts { terms: &t2, ..g };
        assert!(decide(read(&actor(2), ReadKind::Query, None), 9, &facts, &[g2]).is_ok());
    }

    #[test]
    fn who_sees_a_versions_totals() {
        let c = spec(ShareType::Conditional);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &c, items: &c.data_items };
        let today = day("2026-06-01");
        let sees = |a: &Actor, facts: &ResourceFacts<'_>, grants: &[GrantFacts<'_>]| {
            sees_whole_version(a, 9, facts, grants, today)
        };
        assert!(sees(&actor(1), &facts, &[]), "the provider");
        assert!(!sees(&actor(2), &facts, &[]), "no grant");
        // terms() limits rows to one district: the holder must not learn the whole count.
        let rows = terms();
        let g =
            GrantFacts { id: 5, resource_id: 9, consumer_department_id: 2, status: GrantStatus::Active, terms: &rows };
        assert!(!sees(&actor(2), &facts, std::slice::from_ref(&g)));
        let all_rows = GrantTerms { rows: vec![], ..terms() };
        let whole = GrantFacts { terms: &all_rows, ..g };
        assert!(sees(&actor(2), &facts, std::slice::from_ref(&whole)));
        assert!(!sees(&actor(3), &facts, std::slice::from_ref(&whole)), "another department");
        let suspended = GrantFacts { status: GrantStatus::Suspended, terms: &all_rows, ..g };
        assert!(!sees(&actor(2), &facts, &[suspended]));
        let verify_only = GrantTerms { methods: vec![ShareMethod::Verification], ..all_rows.clone() };
        assert!(!sees(&actor(2), &facts, &[GrantFacts { terms: &verify_only, ..g }]), "verification reads no rows");
        let for_a_system = GrantTerms { system_ids: vec![40], ..all_rows.clone() };
        let sys = GrantFacts { terms: &for_a_system, ..g };
        assert!(!sees(&actor(2), &facts, std::slice::from_ref(&sys)), "not the named system");
        assert!(sees(&system_actor(2, 11, 40, "不动产登记系统"), &facts, &[sys]));
        // Unconditional: everyone reads every row; an unpublished entry: nobody else.
        let u = spec(ShareType::Unconditional);
        let open = ResourceFacts { spec: &u, items: &u.data_items, ..facts };
        assert!(sees(&actor(3), &open, &[]));
        let withdrawn = ResourceFacts { status: ResourceStatus::Withdrawn, ..open };
        assert!(!sees(&actor(3), &withdrawn, &[]));
    }

    #[test]
    fn a_grant_can_widen_an_unconditional_resource_only_when_named() {
        let s = spec(ShareType::Unconditional);
        let facts =
            ResourceFacts { department_id: 1, status: ResourceStatus::Published, spec: &s, items: &s.data_items };
        let t = terms();
        let g = GrantFacts { id: 5, resource_id: 9, consumer_department_id: 2, status: GrantStatus::Active, terms: &t };
        let plain = decide(read(&actor(2), ReadKind::Query, None), 9, &facts, std::slice::from_ref(&g)).unwrap();
        assert_eq!(plain.basis, Basis::Unconditional);
        let named = decide(read(&actor(2), ReadKind::Query, Some(5)), 9, &facts, &[g]).unwrap();
        assert_eq!(named.basis, Basis::Grant(5));
        assert!(named.allows("联系电话"));
    }
}
