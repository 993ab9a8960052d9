//! Synonym groups: names under which departments record the same data. The built-in table holds
//! the groups that recur across Chinese government systems; register elements add their own
//! synonyms on top (see `matching::Register`). Names are compared by `domain::text::name_key`, so
//! 身份证号码, 身份證號碼 and “身份证号码（18位）” without the bracket all land in the same group.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::name_key;

/// The built-in groups. Each is one datum under several names; a name belongs to one group only.
/// Only names that mean the same thing wherever they appear belong here: 证件号码 does not (it may
/// be a passport number), nor does 电话 (a landline or a mobile).
pub const BUILTIN_GROUPS: &[&[&str]] = &[
    // GB 11643; 社会保障号码 is the citizen's ID number (《社会保险法》第五十八条).
    &[
        "公民身份号码",
        "身份证号",
        "身份证号码",
        "居民身份证号码",
        "居民身份证号",
        "公民身份证号码",
        "身份证件号码",
        "身份号码",
        "社会保障号码",
    ],
    // GB 32100.
    &["统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "统一代码"],
    // GB 11714.
    &["组织机构代码", "机构代码", "组织机构代码证号"],
    // GB/T 2260.
    &["行政区划代码", "区划代码", "行政区代码", "行政区域代码"],
    &["手机号", "手机号码", "移动电话", "移动电话号码", "手机"],
    &["法定代表人", "法人代表", "法定代表人姓名", "法人代表姓名"],
    &["出生日期", "出生年月日", "生日"],
    &["姓名", "公民姓名"],
    &["性别", "性别代码"],
    &["民族", "民族代码"],
    &["户籍地址", "户籍所在地", "户籍地详址", "户口所在地", "户籍住址", "户籍所在地址"],
    &["婚姻状况", "婚姻状态"],
    &["文化程度", "学历"],
    &["企业名称", "市场主体名称", "企业字号名称"],
    &["住所", "企业住所", "注册地址", "企业注册地址", "住所地址"],
    &["注册资本", "注册资金"],
    &["成立日期", "企业成立日期", "设立日期"],
    &["经营范围", "企业经营范围"],
    &["死亡日期", "死亡时间"],
    &["不动产单元号", "不动产单元代码"],
    &["残疾人证号", "残疾人证编号", "残疾证号"],
];

/// Groups of normalised names. Cheap to clone for the small register of a platform.
#[derive(Debug, Clone, Default)]
pub struct SynonymTable {
    group_of: HashMap<String, usize>,
    groups: Vec<Vec<String>>,
}

impl SynonymTable {
    /// The built-in groups ([`BUILTIN_GROUPS`]), normalised once per process.
    pub fn builtin() -> &'static SynonymTable {
        static TABLE: OnceLock<SynonymTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let mut t = SynonymTable::default();
            for g in BUILTIN_GROUPS {
                t.add_group(g.iter().copied());
            }
            t
        })
    }

    /// Puts `names` in one group. Groups they already belong to are merged into it, so that a
    /// register element naming 身份证号 as a synonym joins the built-in citizen-ID group.
    pub fn add_group<S: AsRef<str>>(&mut self, names: impl IntoIterator<Item = S>) {
        let keys: Vec<String> = names.into_iter().map(|n| name_key(n.as_ref())).filter(|k| !k.is_empty()).collect();
        if keys.is_empty() {
            return;
        }
        let mut existing: Vec<usize> = keys.iter().filter_map(|k| self.group_of.get(k).copied()).collect();
        existing.sort_unstable();
        existing.dedup();
        let target = match existing.first() {
            Some(&g) => g,
            None => {
                self.groups.push(Vec::new());
                self.groups.len() - 1
            }
        };
        for &g in existing.iter().skip(1) {
            let moved = std::mem::take(&mut self.groups[g]);
            for k in &moved {
                self.group_of.insert(k.clone(), target);
            }
            self.groups[target].extend(moved);
        }
        for k in keys {
            if self.group_of.insert(k.clone(), target).is_none() {
                self.groups[target].push(k);
            }
        }
    }

    /// The group of a normalised name, as an opaque number.
    pub fn group(&self, key: &str) -> Option<usize> {
        self.group_of.get(key).copied()
    }

    /// Whether two normalised names are the same or synonyms.
    pub fn same(&self, a: &str, b: &str) -> bool {
        a == b || self.group(a).is_some_and(|g| self.group(b) == Some(g))
    }

    /// A normalised name and its synonyms (the name itself first).
    pub fn expand(&self, key: &str) -> Vec<String> {
        let mut out = vec![key.to_string()];
        if let Some(g) = self.group(key) {
            out.extend(self.groups[g].iter().filter(|k| k.as_str() != key).cloned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_groups_are_disjoint() {
        let mut seen = std::collections::HashSet::new();
        for g in BUILTIN_GROUPS {
            for n in *g {
                assert!(seen.insert(name_key(n)), "{n} is in two groups");
            }
        }
    }

    #[test]
    fn synonyms_in_both_scripts_and_widths() {
        let t = SynonymTable::builtin();
        assert!(t.same(&name_key("身份证号"), &name_key("公民身份号码")));
        assert!(t.same(&name_key("居民身份證號碼"), &name_key("身份证件号码")));
        assert!(t.same(&name_key("法人代表"), &name_key("法定代表人")));
        assert!(t.same(&name_key("手机号"), &name_key("移动电话号码")));
        assert!(!t.same(&name_key("身份证号"), &name_key("统一社会信用代码")));
        assert!(!t.same(&name_key("出生日期"), &name_key("死亡日期")));
        assert!(!t.same(&name_key("证件号码"), &name_key("身份证号")), "证件号码 may be a passport number");
    }

    #[test]
    fn added_groups_merge_with_builtin_ones() {
        let mut t = SynonymTable::builtin().clone();
        t.add_group(["公民身份号码", "身份证明号码"]);
        assert!(t.same(&name_key("身份证明号码"), &name_key("身份证号")));
        t.add_group(["门牌地址", "标准地址"]);
        assert!(t.same(&name_key("标准地址"), &name_key("门牌地址")));
        assert!(!t.same(&name_key("标准地址"), &name_key("户籍地址")));
        assert_eq!(t.expand(&name_key("门牌地址")), vec!["门牌地址".to_string(), "标准地址".to_string()]);
    }
}
