//! Chinese queries with their expected results written down.

use domain::catalog::{ResourceSpec, ResourceStatus};
use serde_json::json;

use crate::{CatalogIndex, Dimension, Entry, SearchRequest, Viewer};

struct E {
    id: i64,
    dept: i64,
    status: ResourceStatus,
    classified: bool,
    category: &'static str,
    name: &'static str,
    summary: &'static str,
    items: &'static [&'static str],
    share: &'static str,
    tags: &'static [&'static str],
}

fn entry(e: &E) -> Entry {
    let spec: ResourceSpec = serde_json::from_value(json!({
        "category": e.category,
        "name": e.name,
        "provider_name": format!("部门{}", e.dept),
        "provider_code": format!("D{}", e.dept),
        "summary": e.summary,
        "format": {"class": "database"},
        "data_items": e.items.iter().map(|n| json!({"name": n, "data_type": "C", "length": 50})).collect::<Vec<_>>(),
        "share_type": e.share,
        "open_type": "not_open",
        "update_cycle": "monthly",
        "classified": e.classified,
        "tags": e.tags,
    }))
    .expect("a valid spec");
    let public = domain::catalog::visible_to_all(e.status, e.status != ResourceStatus::Draft, e.classified);
    // As if the confidentiality review had removed every identifier column.
    let public_items = e.items.iter().filter(|n| !n.contains("身份号码")).map(|n| n.to_string()).collect();
    Entry {
        id: e.id,
        version: 1,
        code: format!("{}/{:06}", e.category, e.id),
        department_id: e.dept,
        status: e.status,
        public,
        open: public && e.tags.contains(&"低保"),
        category_names: vec![],
        public_items,
        spec,
    }
}

fn city() -> CatalogIndex {
    use ResourceStatus::*;
    let entries = [
        E {
            id: 1,
            dept: 1,
            status: Published,
            classified: false,
            category: "102001",
            name: "企业注册登记信息",
            summary: "全市企业的注册地址、法定代表人、注册资本等登记信息",
            items: &["统一社会信用代码", "企业名称", "注册地址", "法定代表人"],
            share: "conditional",
            tags: &[],
        },
        E {
            id: 2,
            dept: 2,
            status: Published,
            classified: false,
            category: "201003",
            name: "城乡最低生活保障对象名单",
            summary: "享受城乡最低生活保障待遇的家庭和人员信息",
            items: &["公民身份号码", "姓名", "保障金额"],
            share: "conditional",
            tags: &["低保"],
        },
        E {
            id: 3,
            dept: 3,
            status: Published,
            classified: false,
            category: "101001",
            name: "人口基础信息",
            summary: "户籍人口的基本信息",
            items: &["公民身份号码", "姓名", "性别", "出生日期", "户籍地址"],
            share: "unconditional",
            tags: &[],
        },
        E {
            id: 4,
            dept: 4,
            status: Draft,
            classified: false,
            category: "301001",
            name: "住房公积金缴存信息",
            summary: "职工住房公积金缴存明细",
            items: &["公民身份号码", "缴存金额"],
            share: "conditional",
            tags: &[],
        },
        E {
            id: 5,
            dept: 5,
            status: Published,
            classified: true,
            category: "301002",
            name: "涉密档案目录",
            summary: "档案馆涉密档案的目录",
            items: &["档号"],
            share: "not_shared",
            tags: &[],
        },
        E {
            id: 6,
            dept: 6,
            status: Published,
            classified: false,
            category: "301003",
            name: "公交线路实时查询接口",
            summary: "提供ＡＰＩ方式的公交线路与到站实时查询",
            items: &["线路编号"],
            share: "unconditional",
            tags: &[],
        },
        E {
            id: 7,
            dept: 6,
            status: Published,
            classified: false,
            category: "301004",
            name: "政務資訊資源共享目錄",
            summary: "以繁體字登記的資源",
            items: &["資源代碼"],
            share: "unconditional",
            tags: &[],
        },
        E {
            id: 8,
            dept: 1,
            status: Withdrawn,
            classified: false,
            category: "102002",
            name: "旧版企业年报",
            summary: "已停止更新的企业年度报告",
            items: &["年报年度"],
            share: "unconditional",
            tags: &[],
        },
    ];
    let index = CatalogIndex::in_memory().unwrap();
    index.replace_all(entries.iter().map(entry)).unwrap();
    index
}

fn ids(index: &CatalogIndex, q: &str, viewer: Viewer) -> Vec<i64> {
    index.search(&SearchRequest::new(q, viewer)).unwrap().hits.iter().map(|h| h.entry.id).collect()
}

const CLERK: Viewer = Viewer::Department(9);

#[test]
fn words_partial_words_and_scripts() {
    let index = city();
    assert_eq!(ids(&index, "企业注册地址", CLERK), vec![1]);
    assert_eq!(ids(&index, "注册地", CLERK), vec![1], "a partial word");
    assert_eq!(ids(&index, "企业地址", CLERK), vec![1], "words apart in the text");
    assert_eq!(ids(&index, "低保", CLERK), vec![2]);
    assert_eq!(ids(&index, "最低生活", CLERK), vec![2]);
    assert_eq!(ids(&index, "企業註冊", CLERK), vec![1], "traditional query, simplified text");
    assert_eq!(ids(&index, "政务资讯", CLERK), vec![7], "simplified query, traditional text");
    assert_eq!(ids(&index, "政務資訊", CLERK), vec![7]);
    assert_eq!(ids(&index, "ａｐｉ", CLERK), vec![6], "full-width query");
    assert_eq!(ids(&index, "API 公交", CLERK), vec![6], "mixed ASCII and Chinese");
    assert_eq!(ids(&index, "公交API", CLERK), vec![6], "mixed in one word");
    assert_eq!(ids(&index, "低保 企业", CLERK), Vec::<i64>::new(), "every term must match");
    assert_eq!(ids(&index, "火箭发射", CLERK), Vec::<i64>::new());
    assert_eq!(ids(&index, "101001", CLERK), vec![3], "by code");
}

#[test]
fn name_matches_rank_first() {
    let index = city();
    let got = ids(&index, "人口", CLERK);
    assert_eq!(got.first(), Some(&3), "{got:?}");
    let both = ids(&index, "公民身份号码", CLERK);
    assert_eq!(both.len(), 2);
    assert!(both.contains(&2) && both.contains(&3), "{both:?}");
}

#[test]
fn highlights_the_original_text() {
    let index = city();
    let r = index.search(&SearchRequest::new("资讯", CLERK)).unwrap();
    assert_eq!(r.hits[0].name_html, "政務<mark>資訊</mark>資源共享目錄");
    let r = index.search(&SearchRequest::new("注册地址", CLERK)).unwrap();
    assert!(r.hits[0].summary_html.contains("<mark>注册地址</mark>"), "{}", r.hits[0].summary_html);
}

#[test]
fn visibility() {
    let index = city();
    assert_eq!(ids(&index, "公积金", CLERK), Vec::<i64>::new(), "another department's draft");
    assert_eq!(ids(&index, "公积金", Viewer::Department(4)), vec![4], "its own draft");
    assert_eq!(ids(&index, "公积金", Viewer::Everything), vec![4]);
    assert_eq!(ids(&index, "档案", CLERK), Vec::<i64>::new(), "a classified entry");
    assert_eq!(ids(&index, "档案", Viewer::Department(5)), vec![5]);
    // Counts and facets do not betray hidden entries either.
    let r = index.search(&SearchRequest::new("", CLERK)).unwrap();
    assert_eq!(r.total, 5);
    let providers = &r.facets.iter().find(|(d, _)| *d == Dimension::Provider).unwrap().1;
    assert_eq!(providers.keys().copied().collect::<Vec<_>>(), vec![1, 2, 3, 6]);
    let shares = &r.facets.iter().find(|(d, _)| *d == Dimension::ShareType).unwrap().1;
    assert_eq!(shares.get(&2), None, "the classified NotShared entry is not counted");
}

#[test]
fn withdrawn_only_when_asked() {
    let index = city();
    assert_eq!(ids(&index, "年报", CLERK), Vec::<i64>::new());
    let mut req = SearchRequest::new("年报", CLERK);
    req.filter("status", "已注销").unwrap();
    assert_eq!(index.search(&req).unwrap().hits.iter().map(|h| h.entry.id).collect::<Vec<_>>(), vec![8]);
}

#[test]
fn facets_and_filters() {
    let index = city();
    let r = index.search(&SearchRequest::new("", CLERK)).unwrap();
    // Browsing: newest first.
    assert_eq!(r.hits.iter().map(|h| h.entry.id).collect::<Vec<_>>(), vec![7, 6, 3, 2, 1]);
    let count = |d: Dimension, v: &str| {
        let key = d.parse_value(v).unwrap();
        r.facets.iter().find(|(x, _)| *x == d).unwrap().1.get(&key).copied().unwrap_or(0)
    };
    assert_eq!(count(Dimension::ShareType, "conditional"), 2);
    assert_eq!(count(Dimension::ShareType, "unconditional"), 3);
    assert_eq!(count(Dimension::Category, "301"), 2);
    assert_eq!(count(Dimension::Category, "101"), 1);
    assert_eq!(count(Dimension::Status, "published"), 5);

    let mut req = SearchRequest::new("", CLERK);
    req.filter("share_type", "无条件共享").unwrap();
    req.filter("category", "3").unwrap();
    let got: Vec<i64> = index.search(&req).unwrap().hits.iter().map(|h| h.entry.id).collect();
    assert_eq!(got, vec![7, 6]);
    let mut req = SearchRequest::new("信息", CLERK);
    req.filter("provider", "1").unwrap();
    req.filter("provider", "3").unwrap();
    let mut got: Vec<i64> = index.search(&req).unwrap().hits.iter().map(|h| h.entry.id).collect();
    got.sort();
    assert_eq!(got, vec![1, 3]);
}

#[test]
fn bad_requests_are_named() {
    let mut req = SearchRequest::new("", CLERK);
    assert_eq!(req.filter("colour", "red").unwrap_err().field().as_deref(), Some("colour"));
    assert_eq!(req.filter("share_type", "随便").unwrap_err().to_string(), "共享类型筛选值“随便”无效");
    assert!(req.filter("category", "10").is_err());
    req.filter("category", "101").unwrap();
    req.filter("category", "101").unwrap();
    let two = req.filter("category", "102").unwrap_err();
    assert_eq!(
        (two.field().as_deref(), two.to_string().as_str()),
        (Some("category"), "资源分类只能选一个（选上一级分类即包含其下各类）")
    );
    let index = city();
    let long = SearchRequest::new(&"数".repeat(201), CLERK);
    assert_eq!(index.search(&long).unwrap_err().field().as_deref(), Some("q"));
}

#[test]
fn upsert_replaces_and_versions_are_kept() {
    let index = city();
    let mut e = entry(&E {
        id: 2,
        dept: 2,
        status: ResourceStatus::Published,
        classified: false,
        category: "201003",
        name: "低收入家庭认定",
        summary: "低收入家庭",
        items: &["姓名"],
        share: "conditional",
        tags: &[],
    });
    e.version = 2;
    index.apply(&[e], &[6]).unwrap();
    assert_eq!(ids(&index, "最低生活", CLERK), Vec::<i64>::new());
    assert_eq!(ids(&index, "低收入", CLERK), vec![2]);
    assert_eq!(ids(&index, "公交", CLERK), Vec::<i64>::new());
    let v = index.versions().unwrap();
    assert_eq!(v.get(&2), Some(&2));
    assert_eq!(v.get(&1), Some(&1));
    assert_eq!(v.get(&6), None);
}

#[test]
fn reopens_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = CatalogIndex::open(dir.path()).unwrap();
        let e = entry(&E {
            id: 1,
            dept: 1,
            status: ResourceStatus::Published,
            classified: false,
            category: "102001",
            name: "企业注册登记信息",
            summary: "",
            items: &[],
            share: "conditional",
            tags: &[],
        });
        index.apply(&[e], &[]).unwrap();
    }
    let index = CatalogIndex::open(dir.path()).unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(ids(&index, "注册", CLERK), vec![1]);
}

#[test]
fn hidden_entries_do_not_move_scores() {
    let index = city();
    let before = index.search(&SearchRequest::new("低保 名单", CLERK)).unwrap();
    // Another department's drafts full of the same words: not visible, and no trace in the scores.
    let drafts: Vec<Entry> = (100..140)
        .map(|id| {
            entry(&E {
                id,
                dept: 4,
                status: ResourceStatus::Draft,
                classified: false,
                category: "301001",
                name: "低保名单低保名单",
                summary: "低保 名单 低保",
                items: &["低保"],
                share: "conditional",
                tags: &["低保"],
            })
        })
        .collect();
    index.apply(&drafts, &[]).unwrap();
    let after = index.search(&SearchRequest::new("低保 名单", CLERK)).unwrap();
    assert_eq!(after.total, before.total);
    let scores = |r: &crate::Results| r.hits.iter().map(|h| (h.entry.id, h.score)).collect::<Vec<_>>();
    assert_eq!(scores(&after), scores(&before));
}

#[test]
fn substrings_of_every_length_match_exactly() {
    let index = city();
    for (q, want) in [
        ("城乡最低", vec![2]),
        ("城乡最低生", vec![2]),
        ("城乡最低生活保障对象名单", vec![2]),
        ("乡最低生活保", vec![2]),
        ("城乡最高", vec![]),
        ("城乡低", vec![]),
    ] {
        assert_eq!(ids(&index, q, CLERK), want, "{q}");
    }
}

#[test]
fn the_public_sees_only_open_entries() {
    let index = city();
    // Only entry 2 is listed as open data (see `entry`): the rest, published or not, is hidden,
    // from results, totals and facets alike.
    let r = index.search(&SearchRequest::new("", Viewer::Public)).unwrap();
    assert_eq!(r.hits.iter().map(|h| h.entry.id).collect::<Vec<_>>(), vec![2]);
    assert_eq!(r.total, 1);
    let providers = &r.facets.iter().find(|(d, _)| *d == Dimension::Provider).unwrap().1;
    assert_eq!(providers.len(), 1);
    assert_eq!(ids(&index, "企业注册地址", Viewer::Public), Vec::<i64>::new());
}

#[test]
fn the_public_searches_only_what_the_portal_shows_of_an_entry() {
    let mut low_income = entry(&E {
        id: 2,
        dept: 2,
        status: ResourceStatus::Published,
        classified: false,
        category: "201003",
        name: "城乡最低生活保障对象名单",
        summary: "享受城乡最低生活保障待遇的家庭和人员信息",
        items: &["公民身份号码", "姓名", "保障金额"],
        share: "conditional",
        tags: &["低保"],
    });
    low_income.spec.share_condition = Some("仅限民政部门办理救助审核时使用".into());
    low_income.spec.open_condition = Some("仅向科研机构开放用于统计研究".into());
    let index = CatalogIndex::in_memory().unwrap();
    index.replace_all([low_income]).unwrap();
    // Departments find it by any item and by its share conditions.
    for q in ["公民身份号码", "身份号码", "保障金额", "救助审核"] {
        assert_eq!(ids(&index, q, CLERK), vec![2], "{q}");
    }
    // The public: not by the column the review removed (whole or in part), nor by the share
    // conditions meant for departments; by the items it reads and the open conditions it is shown.
    for q in ["公民身份号码", "身份号码", "救助审核", "民政部门"] {
        assert_eq!(ids(&index, q, Viewer::Public), Vec::<i64>::new(), "{q}");
    }
    for q in ["保障金额", "姓名", "科研机构", "低保"] {
        assert_eq!(ids(&index, q, Viewer::Public), vec![2], "{q}");
    }
    // The public's row lists only the items it may know of; a department's lists them all, and
    // neither carries the stored public list itself.
    let public = index.search(&SearchRequest::new("低保", Viewer::Public)).unwrap();
    assert_eq!(public.hits[0].entry.data_items, vec!["姓名".to_string(), "保障金额".to_string()]);
    let clerk = index.search(&SearchRequest::new("低保", CLERK)).unwrap();
    assert_eq!(clerk.hits[0].entry.data_items.len(), 3);
    let row = serde_json::to_value(&public.hits[0]).unwrap();
    assert!(row.get("public_items").is_none(), "{row}");
    assert!(!row.to_string().contains("公民身份号码"), "{row}");
}
