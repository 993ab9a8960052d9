//! A data element (数据元) of the register: what the data is, how it is typed, the names it goes
//! by, and the one department responsible for collecting it (采集责任部门). The register is the
//! 信息采集责任公开目录 of seed 004 三(一): 数据名称、责任单位、数据存在形态.

use std::collections::HashSet;

use crate::catalog::{DataType, IdentifierKind};
use crate::error::ValidationErrors;
use crate::text::name_key;

use super::synonyms::SynonymTable;

/// Limits on the free text of an element, in characters.
pub const MAX_ELEMENT_NAME: usize = 100;
pub const MAX_DEFINITION: usize = 2000;
pub const MAX_SYNONYMS: usize = 30;

/// 采集责任: the one department that collects an element (一数一源), and why it is that one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CollectionDuty {
    /// The responsible department (采集责任部门).
    pub department_id: i64,
    /// 采集依据: the law, regulation or assignment of duties that makes it responsible, e.g.
    /// 《中华人民共和国居民身份证法》.
    #[serde(default)]
    pub basis: Option<String>,
}

/// One data element as the register states it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DataElementSpec {
    /// 数据元名称, e.g. 公民身份号码.
    pub name: String,
    /// 定义: what the data is.
    pub definition: String,
    /// 数据类型 (the guide's letters).
    pub data_type: DataType,
    /// 数据长度 in bytes; required for character data.
    #[serde(default)]
    pub length: Option<u32>,
    /// The identifier the values follow, if any: an item declaring the same identifier holds this
    /// element whatever it is called.
    #[serde(default)]
    pub identifier: Option<IdentifierKind>,
    /// Other names of the same data (同义名称), beyond the built-in synonym table.
    #[serde(default)]
    pub synonyms: Vec<String>,
    pub duty: CollectionDuty,
}

impl DataElementSpec {
    /// The normalised name (`domain::text::name_key`): width, case and script folded,
    /// punctuation and spaces dropped.
    pub fn key(&self) -> String {
        name_key(&self.name)
    }

    /// Checks the element on its own. All problems at once, each naming its field.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = self.name.trim();
        if name.is_empty() {
            e.push("name", "required", "请填写数据元名称，如“公民身份号码”");
        } else if name.chars().count() > MAX_ELEMENT_NAME {
            e.push("name", "too_long", format!("数据元名称不能超过{MAX_ELEMENT_NAME}字"));
        } else if self.key().is_empty() {
            e.push("name", "invalid_value", "数据元名称须包含汉字、字母或数字");
        }
        let definition = self.definition.trim();
        if definition.is_empty() {
            e.push("definition", "required", "请填写数据元的定义：说明该数据是什么、描述哪个对象");
        } else if definition.chars().count() > MAX_DEFINITION {
            e.push("definition", "too_long", format!("定义不能超过{MAX_DEFINITION}字"));
        }
        match self.length {
            None if self.data_type.needs_length() => {
                e.push("length", "required", format!("数据元“{name}”为字符型，请填写数据长度（字节数）"))
            }
            Some(0) => e.push("length", "invalid_value", "数据长度必须大于0"),
            _ => {}
        }
        if self.identifier.is_some() && self.data_type != DataType::C {
            e.push(
                "data_type",
                "invalid_value",
                "标识类数据元（身份号码、信用代码、区划代码等）的数据类型应为字符型（C）",
            );
        }
        if self.duty.department_id <= 0 {
            e.push("department_id", "required", "请选择采集责任部门");
        }
        if self.duty.basis.as_deref().is_some_and(|b| b.chars().count() > MAX_DEFINITION) {
            e.push("basis", "too_long", format!("采集依据不能超过{MAX_DEFINITION}字"));
        }
        if self.synonyms.len() > MAX_SYNONYMS {
            e.push("synonyms", "too_many", format!("同义名称不能超过{MAX_SYNONYMS}个"));
        }
        let own = self.key();
        let mut seen = HashSet::new();
        for (i, s) in self.synonyms.iter().enumerate() {
            let field = format!("synonyms[{i}]");
            let key = name_key(s);
            if s.trim().is_empty() || key.is_empty() {
                e.push(field, "required", "同义名称不能为空，须包含汉字、字母或数字");
            } else if s.trim().chars().count() > MAX_ELEMENT_NAME {
                e.push(field, "too_long", format!("同义名称不能超过{MAX_ELEMENT_NAME}字"));
            } else if key == own {
                e.push(field, "duplicate", format!("同义名称“{}”与数据元名称相同，无需重复填写", s.trim()));
            } else if !seen.insert(key) {
                e.push(field, "duplicate", format!("同义名称“{}”重复", s.trim()));
            }
        }
        e.into_result()
    }
}

/// An element of the register as matching needs it: its id, what it states and the name of its
/// responsible department (for the messages a clerk reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredElement {
    pub id: i64,
    pub spec: DataElementSpec,
    pub department_name: String,
}

/// Checks a new or revised element against the rest of the register: one data has one source, so
/// no name or synonym of it may name another element (directly or through the built-in synonym
/// table), and no two elements may follow the same identifier. `own_id` is the element's own id
/// when it is revised.
pub fn check_register(
    candidate: &DataElementSpec,
    own_id: Option<i64>,
    register: &[RegisteredElement],
) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();
    let others: Vec<&RegisteredElement> = register.iter().filter(|r| Some(r.id) != own_id).collect();
    // Each other element's names, widened by the built-in table.
    let builtin = SynonymTable::builtin();
    let mut owner_of: Vec<(String, &RegisteredElement)> = Vec::new();
    for other in &others {
        let mut keys: Vec<String> =
            std::iter::once(other.spec.key()).chain(other.spec.synonyms.iter().map(|s| name_key(s))).collect();
        let widened: Vec<String> = keys.iter().flat_map(|k| builtin.expand(k)).collect();
        keys.extend(widened);
        owner_of.extend(keys.into_iter().map(|k| (k, *other)));
    }
    let names = std::iter::once(("name".to_string(), candidate.name.as_str()))
        .chain(candidate.synonyms.iter().enumerate().map(|(i, s)| (format!("synonyms[{i}]"), s.as_str())));
    for (field, name) in names {
        let key = name_key(name);
        if key.is_empty() {
            continue;
        }
        let widened = builtin.expand(&key);
        if let Some((_, other)) = owner_of.iter().find(|(k, _)| widened.contains(k)) {
            e.push(
                field,
                "duplicate_element",
                format!(
                    "“{}”与已登记的数据元“{}”（采集责任部门：{}）是同一数据；一个数据只能有一个采集责任部门（一数一源），请修订该数据元而不要重复登记",
                    name.trim(),
                    other.spec.name,
                    other.department_name
                ),
            );
        }
    }
    if let Some(kind) = candidate.identifier
        && let Some(other) = others.iter().find(|o| o.spec.identifier == Some(kind))
    {
        e.push(
            "identifier",
            "duplicate_element",
            format!(
                "已登记的数据元“{}”（采集责任部门：{}）的标识类型已是“{}”，同一标识只能对应一个数据元",
                other.spec.name,
                other.department_name,
                kind.label()
            ),
        );
    }
    e.into_result()
}
