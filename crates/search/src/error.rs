//! What can go wrong in a search, in words a clerk can act on.

use crate::facets::Dimension;
use crate::request::{MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, MAX_TERMS};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(
        "不支持按“{0}”筛选；可用的筛选项：资源分类(category)、提供部门(provider)、共享类型(share_type)、开放类型(open_type)、资源格式(format)、更新周期(update_cycle)、目录状态(status)"
    )]
    UnknownFilter(String),
    #[error("{}筛选值“{value}”无效", .dimension.label())]
    BadFilterValue { dimension: Dimension, value: String },
    #[error("资源分类只能选一个（选上一级分类即包含其下各类）")]
    OneCategory,
    #[error("检索词不能超过{MAX_QUERY_CHARS}个字")]
    QueryTooLong,
    #[error("检索词不能超过{MAX_TERMS}个")]
    TooManyTerms,
    #[error("每页条数应在1到{MAX_LIMIT}之间")]
    BadLimit,
    #[error("结果只能翻到前{MAX_OFFSET}条，请增加检索词或筛选条件")]
    TooDeep,
    #[error("翻页标记无效，请从第一页重新检索")]
    BadCursor,
    #[error("目录索引正被另一个进程写入（{0}）")]
    Locked(String),
    #[error("目录索引出错：{0}")]
    Index(#[from] tantivy::TantivyError),
}

impl SearchError {
    /// The request parameter at fault, if the caller's input is.
    pub fn field(&self) -> Option<String> {
        match self {
            SearchError::UnknownFilter(name) => Some(name.clone()),
            SearchError::BadFilterValue { dimension, .. } => Some(dimension.field_name().to_string()),
            SearchError::OneCategory => Some("category".to_string()),
            SearchError::QueryTooLong | SearchError::TooManyTerms => Some("q".to_string()),
            SearchError::BadLimit => Some("limit".to_string()),
            SearchError::TooDeep | SearchError::BadCursor => Some("cursor".to_string()),
            SearchError::Locked(_) | SearchError::Index(_) => None,
        }
    }

    /// Whether the caller's input is at fault (as opposed to the index).
    pub fn is_bad_input(&self) -> bool {
        self.field().is_some()
    }
}
