//! Validation errors: each names the field (a path such as `data_items[2].length`) and says,
//! in Chinese, what a clerk must do to fix it.

use std::fmt;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    /// Path of the field, e.g. `share_condition` or `data_items[3].length`.
    pub field: String,
    /// Stable machine code, e.g. `required`, `invalid_value`.
    pub code: String,
    /// Chinese message saying what is wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), code: code.to_string(), message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{}", self.field, self.message)
    }
}

/// All the problems found in one object. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn first(&self) -> Option<&FieldError> {
        self.0.first()
    }
    /// Ok when no problem was recorded.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
    /// Prefixes every field path, for nested objects.
    pub fn nest(self, prefix: &str) -> Self {
        ValidationErrors(
            self.0
                .into_iter()
                .map(|mut e| {
                    e.field = if e.field.is_empty() { prefix.to_string() } else { format!("{prefix}.{}", e.field) };
                    e
                })
                .collect(),
        )
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| e.to_string()).collect();
        f.write_str(&parts.join("；"))
    }
}

impl std::error::Error for ValidationErrors {}

impl From<FieldError> for ValidationErrors {
    fn from(e: FieldError) -> Self {
        ValidationErrors(vec![e])
    }
}

/// A value that is not one of an enumeration's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}“{value}”无法识别，可选值：{expected}")]
pub struct ParseEnumError {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}
