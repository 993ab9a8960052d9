//! The JSON contract of 一数一源: data elements (the 信息采集责任公开目录), the collection decisions
//! recorded on catalogue entries, the overlaps of a draft and the duplicates report.

use chrono::{DateTime, Utc};
use domain::catalog::{DataType, IdentifierKind};
use domain::elements::duplicates::{Candidate, DuplicateHolding, ElementDuplicates};
use domain::elements::overlap::{ElementRef, Holding, ResourceRef};
use domain::elements::{
    CollectionChoice, CollectionDecision, CollectionDuty, DataElementSpec, DuplicatesReport, ItemOverlap,
};
use serde::{Deserialize, Serialize};
use service::elements::{ElementEntry, OverlapReport};
use utoipa::{IntoParams, ToSchema};

use crate::error::ErrorDetail;

/// 采集决定: what the department does about one item another department already collects.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionDecisionBody {
    /// The data item's name, as in `data_items`.
    pub item: String,
    /// `use_shared` 申请共享, `reference_only` 仅作关联标识, `collect_own` 自行采集.
    #[schema(value_type = String, example = "use_shared")]
    pub choice: CollectionChoice,
    /// For `use_shared`: the code of the resource applied for (e.g. `101002/000001`) or the data
    /// element's name.
    #[serde(default)]
    pub source: Option<String>,
    /// For `collect_own` (required): the reason and its legal basis.
    #[serde(default)]
    pub reason: Option<String>,
}

impl From<CollectionDecisionBody> for CollectionDecision {
    fn from(b: CollectionDecisionBody) -> Self {
        let CollectionDecisionBody { item, choice, source, reason } = b;
        CollectionDecision { item, choice, source, reason }
    }
}

impl From<CollectionDecision> for CollectionDecisionBody {
    fn from(d: CollectionDecision) -> Self {
        let CollectionDecision { item, choice, source, reason } = d;
        CollectionDecisionBody { item, choice, source, reason }
    }
}

/// A data element (数据元) as a client states it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataElementInput {
    /// 数据元名称, e.g. `公民身份号码`.
    pub name: String,
    /// 定义: what the data is.
    pub definition: String,
    /// The guide's letters (`C`, `N`, `D` …); Chinese labels accepted.
    #[schema(value_type = String, example = "C")]
    pub data_type: DataType,
    /// Length in bytes; required for `C`.
    #[serde(default)]
    pub length: Option<u32>,
    /// `citizen_id`, `credit_code`, `org_code`, `region_code`, `mobile`: an item declaring the
    /// same identifier holds this element whatever it is called.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub identifier: Option<IdentifierKind>,
    /// Other names of the same data, beyond the built-in synonym table.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// 采集责任部门: the one department that collects it.
    pub department_id: i64,
    /// 采集依据: the law or assignment of duties that makes it responsible.
    #[serde(default)]
    pub basis: Option<String>,
    /// On `PUT`: the version you edited; a mismatch is refused with `stale_version`.
    #[serde(default)]
    pub expected_version: Option<i64>,
}

impl DataElementInput {
    /// The domain element and the expected version.
    pub fn split(self) -> (DataElementSpec, Option<i64>) {
        let DataElementInput {
            name,
            definition,
            data_type,
            length,
            identifier,
            synonyms,
            department_id,
            basis,
            expected_version,
        } = self;
        (
            DataElementSpec {
                name,
                definition,
                data_type,
                length,
                identifier,
                synonyms,
                duty: CollectionDuty { department_id, basis },
            },
            expected_version,
        )
    }
}

/// A data element of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataElementView {
    pub id: i64,
    pub name: String,
    /// The normalised name matching compares (width, case and script folded, punctuation dropped).
    pub name_key: String,
    pub definition: String,
    #[schema(value_type = String, example = "C")]
    pub data_type: DataType,
    pub length: Option<u32>,
    #[schema(value_type = Option<String>)]
    pub identifier: Option<IdentifierKind>,
    pub synonyms: Vec<String>,
    /// 采集责任部门.
    pub department_id: i64,
    pub department_name: String,
    /// 采集依据.
    pub basis: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set once the element is retired (停用); it then no longer counts for overlaps.
    pub retired_at: Option<DateTime<Utc>>,
    pub retired_reason: Option<String>,
}

impl From<ElementEntry> for DataElementView {
    fn from(e: ElementEntry) -> Self {
        let ElementEntry { element, department_name } = e;
        let store::model::DataElement {
            id,
            name_key,
            spec,
            version,
            created_at,
            updated_at,
            retired_at,
            retired_reason,
        } = element;
        let DataElementSpec { name, definition, data_type, length, identifier, synonyms, duty } = spec;
        let CollectionDuty { department_id, basis } = duty;
        DataElementView {
            id,
            name,
            name_key,
            definition,
            data_type,
            length,
            identifier,
            synonyms,
            department_id,
            department_name,
            basis,
            version,
            created_at,
            updated_at,
            retired_at,
            retired_reason,
        }
    }
}

/// Filters of the register.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DataElementQuery {
    /// Also list retired elements.
    #[serde(default)]
    pub include_retired: bool,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Why an element is retired.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RetireQuery {
    pub reason: Option<String>,
}

/// A register element and its responsible department.
#[derive(Debug, Serialize, ToSchema)]
pub struct ElementRefView {
    pub id: i64,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
}

impl From<ElementRef> for ElementRefView {
    fn from(e: ElementRef) -> Self {
        let ElementRef { id, name, department_id, department_name } = e;
        ElementRefView { id, name, department_id, department_name }
    }
}

/// A catalogue entry named by an overlap or the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceRefView {
    pub resource_id: i64,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub provider_name: String,
    /// `draft`, `submitted`, `published`.
    pub status: String,
}

impl From<ResourceRef> for ResourceRefView {
    fn from(r: ResourceRef) -> Self {
        let ResourceRef { resource_id, code, name, department_id, provider_name, status } = r;
        ResourceRefView { resource_id, code, name, department_id, provider_name, status: status.code().to_string() }
    }
}

/// Another department's entry holding the same data.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldingView {
    #[serde(flatten)]
    pub resource: ResourceRefView,
    /// The item of that entry that holds it.
    pub item: String,
    /// The entry belongs to the element's responsible department: the one to apply to.
    pub responsible: bool,
}

impl From<Holding> for HoldingView {
    fn from(h: Holding) -> Self {
        let Holding { resource, item, responsible } = h;
        HoldingView { resource: resource.into(), item, responsible }
    }
}

/// One overlapping data item of a draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemOverlapView {
    /// Position in `data_items`.
    pub index: usize,
    pub item: String,
    /// `name` (same name), `synonym`, `identifier` (same identifier kind).
    pub basis: String,
    /// The register element the item is, when another department is responsible for it.
    pub element: Option<ElementRefView>,
    /// A decision must be recorded before the entry is submitted (element of another department).
    pub needs_decision: bool,
    /// The decision the entry records for this item.
    pub decision: Option<CollectionDecisionBody>,
    /// Entries of other departments holding the same data; the responsible department's first.
    pub resources: Vec<HoldingView>,
    /// What to do, in Chinese.
    pub advice: String,
}

impl From<ItemOverlap> for ItemOverlapView {
    fn from(o: ItemOverlap) -> Self {
        let advice = o.advice();
        let needs_decision = o.needs_decision();
        let ItemOverlap { index, item, basis, element, resources, decision } = o;
        ItemOverlapView {
            index,
            item,
            basis: basis.code().to_string(),
            element: element.map(Into::into),
            needs_decision,
            decision: decision.map(Into::into),
            resources: resources.into_iter().map(Into::into).collect(),
            advice,
        }
    }
}

/// The overlaps of a draft or an entry with the register and with other departments' entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverlapReportView {
    /// The department whose draft it is.
    pub department_id: i64,
    pub items: Vec<ItemOverlapView>,
    /// Whether submitting would pass the 一数一源 rule now.
    pub submittable: bool,
    /// What submitting would be refused for (as in a `validation_failed` error).
    pub problems: Vec<ErrorDetail>,
}

impl From<OverlapReport> for OverlapReportView {
    fn from(r: OverlapReport) -> Self {
        let OverlapReport { department_id, overlaps, problems } = r;
        OverlapReportView {
            department_id,
            items: overlaps.into_iter().map(Into::into).collect(),
            submittable: problems.is_empty(),
            problems: problems
                .into_iter()
                .map(|f| ErrorDetail { field: f.field, code: f.code, message: f.message })
                .collect(),
        }
    }
}

/// One item of one entry in the duplicates report.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateHoldingView {
    #[serde(flatten)]
    pub resource: ResourceRefView,
    pub item: String,
    /// `name`, `synonym`, `identifier`.
    pub basis: String,
    /// The recorded decision (`use_shared`, `reference_only`, `collect_own`), or null: undecided.
    pub decision: Option<String>,
}

impl From<DuplicateHolding> for DuplicateHoldingView {
    fn from(h: DuplicateHolding) -> Self {
        let DuplicateHolding { resource, item, basis, decision } = h;
        DuplicateHoldingView {
            resource: resource.into(),
            item,
            basis: basis.code().to_string(),
            decision: decision.map(|d| d.code().to_string()),
        }
    }
}

/// A register element held outside its responsible department.
#[derive(Debug, Serialize, ToSchema)]
pub struct ElementDuplicatesView {
    pub element: ElementRefView,
    /// How many other departments hold it.
    pub departments: usize,
    /// Holdings without a recorded decision.
    pub undecided: usize,
    /// The responsible department's own entries holding it: where to apply.
    pub sources: Vec<ResourceRefView>,
    pub holdings: Vec<DuplicateHoldingView>,
}

impl From<ElementDuplicates> for ElementDuplicatesView {
    fn from(e: ElementDuplicates) -> Self {
        let (departments, undecided) = (e.departments(), e.undecided());
        let ElementDuplicates { element, sources, holdings } = e;
        ElementDuplicatesView {
            element: element.into(),
            departments,
            undecided,
            sources: sources.into_iter().map(Into::into).collect(),
            holdings: holdings.into_iter().map(Into::into).collect(),
        }
    }
}

/// Data not in the register that several departments collect: a candidate for the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateView {
    /// The name most entries use.
    pub name: String,
    #[schema(value_type = Option<String>)]
    pub identifier: Option<IdentifierKind>,
    pub departments: usize,
    pub holdings: Vec<DuplicateHoldingView>,
}

impl From<Candidate> for CandidateView {
    fn from(c: Candidate) -> Self {
        let departments = c.departments();
        let Candidate { name, identifier, holdings } = c;
        CandidateView { name, identifier, departments, holdings: holdings.into_iter().map(Into::into).collect() }
    }
}

/// The same data collected by several departments across the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicatesReportView {
    /// Register elements held outside their responsible department, most undecided first.
    pub elements: Vec<ElementDuplicatesView>,
    /// Unregistered data collected by two or more departments, most departments first.
    pub candidates: Vec<CandidateView>,
}

impl From<DuplicatesReport> for DuplicatesReportView {
    fn from(r: DuplicatesReport) -> Self {
        let DuplicatesReport { elements, candidates } = r;
        DuplicatesReportView {
            elements: elements.into_iter().map(Into::into).collect(),
            candidates: candidates.into_iter().map(Into::into).collect(),
        }
    }
}
