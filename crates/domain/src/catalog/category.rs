//! The classification tree (资源分类: 类/项/目/细目, STANDARDS.md §1.1–1.2) is data, not an enum:
//! the guide's base and theme categories are seeded, and an admin can extend the tree.

use crate::error::FieldError;

/// The 资源属性分类 axis, from the first digit of a category code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CategoryKind {
    /// 1 基础信息资源 (人口、法人、自然资源和空间地理、社会信用、电子证照).
    Base,
    /// 2 主题信息资源.
    Theme,
    /// 3 部门信息资源.
    Department,
}

impl CategoryKind {
    pub fn code(self) -> &'static str {
        match self {
            CategoryKind::Base => "base",
            CategoryKind::Theme => "theme",
            CategoryKind::Department => "department",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            CategoryKind::Base => "基础信息资源",
            CategoryKind::Theme => "主题信息资源",
            CategoryKind::Department => "部门信息资源",
        }
    }
}

/// A category code: 类 (1 digit 1–3), 项 (2 digits), 目 (3 digits), 细目 (any alphanumerics).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CategoryCode(String);

impl CategoryCode {
    /// Checks the shape only; whether the node exists is the tree's business.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let bad = |msg: &str| Err(FieldError::new("category", "invalid_category", msg.to_string()));
        let b = s.as_bytes();
        if b.is_empty() {
            return bad("请填写信息资源分类代码（类1位、项2位、目3位、细目不定长）");
        }
        if !matches!(b[0], b'1'..=b'3') {
            return bad(&format!("分类代码“{s}”的第1位（类）应为1（基础）、2（主题）或3（部门）"));
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return bad(&format!("分类代码“{s}”只能包含数字和字母"));
        }
        if !(b.len() == 1 || b.len() == 3 || b.len() >= 6) {
            return bad(&format!("分类代码“{s}”长度不对：类1位、项3位（类+项）、目6位（类+项+目），细目在目之后"));
        }
        if !b[..b.len().min(6)].iter().all(u8::is_ascii_digit) {
            return bad(&format!("分类代码“{s}”的类、项、目部分（前6位）只能是数字"));
        }
        Ok(CategoryCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> CategoryKind {
        match self.0.as_bytes()[0] {
            b'1' => CategoryKind::Base,
            b'2' => CategoryKind::Theme,
            _ => CategoryKind::Department,
        }
    }

    /// 1 = 类, 2 = 项, 3 = 目, 4 = 细目.
    pub fn level(&self) -> u8 {
        match self.0.len() {
            1 => 1,
            3 => 2,
            6 => 3,
            _ => 4,
        }
    }

    /// The code of the parent node, if any. A 细目 hangs under its 目 (or a shorter 细目 the tree holds;
    /// the tree decides).
    pub fn parent(&self) -> Option<CategoryCode> {
        match self.0.len() {
            1 => None,
            3 => Some(CategoryCode(self.0[..1].to_string())),
            6 => Some(CategoryCode(self.0[..3].to_string())),
            _ => Some(CategoryCode(self.0[..6].to_string())),
        }
    }

    /// Whether a resource may be filed directly under this node: it needs at least the 目 level,
    /// because the resource code's prefix is 类+项+目(+细目).
    pub fn can_hold_resources(&self) -> bool {
        self.level() >= 3
    }
}

impl TryFrom<String> for CategoryCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        CategoryCode::parse(&s).map_err(|e| e.message)
    }
}

impl From<CategoryCode> for String {
    fn from(c: CategoryCode) -> String {
        c.0
    }
}

impl std::fmt::Display for CategoryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One node of the classification tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CategoryNode {
    pub code: CategoryCode,
    pub name: String,
    pub parent: Option<CategoryCode>,
}

impl CategoryNode {
    /// Checks a new node: its name, and that it sits under the parent its code implies.
    pub fn new(code: &str, name: &str) -> Result<CategoryNode, FieldError> {
        let code = CategoryCode::parse(code)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(FieldError::new("name", "invalid_name", "请填写分类名称（不超过100字）"));
        }
        let parent = code.parent();
        Ok(CategoryNode { code, name: name.to_string(), parent })
    }

    pub fn kind(&self) -> CategoryKind {
        self.code.kind()
    }
}

/// The tree the guide defines (STANDARDS.md §1.1): the three 类, the five base 项, the twelve theme
/// 项 and the department 项. The numeric 项 codes follow list order, which the guide does not fix
/// (STANDARDS.md §1.2 [?]); a platform can rename or extend them.
pub fn guide_categories() -> Vec<CategoryNode> {
    const TREE: &[(&str, &str)] = &[
        ("1", "基础信息资源"),
        ("101", "人口基础信息资源"),
        ("102", "法人单位基础信息资源"),
        ("103", "自然资源和空间地理基础信息资源"),
        ("104", "社会信用基础信息资源"),
        ("105", "电子证照基础信息资源"),
        ("2", "主题信息资源"),
        ("201", "公共服务"),
        ("202", "健康保障"),
        ("203", "社会保障"),
        ("204", "食品药品安全"),
        ("205", "安全生产"),
        ("206", "价格监管"),
        ("207", "能源安全"),
        ("208", "信用体系"),
        ("209", "城乡建设"),
        ("210", "社区治理"),
        ("211", "生态环保"),
        ("212", "应急维稳"),
        ("3", "部门信息资源"),
        ("301", "党中央"),
        ("302", "全国人大常委会"),
        ("303", "国务院"),
        ("304", "全国政协"),
        ("305", "最高人民法院"),
        ("306", "最高人民检察院"),
        ("307", "省（自治区、直辖市）及其下各级政务部门"),
        ("308", "计划单列市及其下各级政务部门"),
    ];
    TREE.iter().filter_map(|(c, n)| CategoryNode::new(c, n).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for ok in ["1", "101", "101001", "307001A1", "2120019"] {
            assert!(CategoryCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "4", "10", "1010", "10100", "1x1001", "101-01", "0"] {
            assert!(CategoryCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parents_and_levels() {
        let c = CategoryCode::parse("307001A1").unwrap();
        assert_eq!(c.level(), 4);
        assert_eq!(c.parent().unwrap().as_str(), "307001");
        assert_eq!(c.kind(), CategoryKind::Department);
        let c = CategoryCode::parse("101").unwrap();
        assert_eq!(c.parent().unwrap().as_str(), "1");
        assert!(!c.can_hold_resources());
    }

    #[test]
    fn guide_tree_is_complete() {
        let tree = guide_categories();
        assert_eq!(tree.len(), 28);
        for n in &tree {
            if let Some(p) = &n.parent {
                assert!(tree.iter().any(|m| &m.code == p), "{} has no parent", n.code);
            }
        }
    }
}
