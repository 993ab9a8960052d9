//! Masking (脱敏) inside the query plan: a masked field is replaced, in the scope's projection, by
//! a DataFusion function that applies the grant's rule (`domain::masking::MaskRule`) to each value.
//! The cleartext never leaves the plan (STANDARDS §5: mask at the output layer).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::{ColumnarValue, Expr, Volatility, create_udf};
use datafusion::prelude::{cast, ident};
use domain::masking::MaskRule;

/// `rule(field) AS field`: the field's values, cast to text and masked.
pub(crate) fn masked_column(field: &str, rule: &MaskRule) -> Expr {
    let name: String =
        format!("mask_{}", rule.id()).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let rule = *rule;
    let udf = create_udf(
        &name,
        vec![DataType::Utf8],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| -> DfResult<ColumnarValue> { apply(&rule, args) }),
    );
    udf.call(vec![cast(ident(field), DataType::Utf8)]).alias(field)
}

fn apply(rule: &MaskRule, args: &[ColumnarValue]) -> DfResult<ColumnarValue> {
    let Some(arg) = args.first() else {
        return Ok(ColumnarValue::Scalar(ScalarValue::Utf8(None)));
    };
    match arg {
        ColumnarValue::Scalar(ScalarValue::Utf8(v)) => {
            Ok(ColumnarValue::Scalar(ScalarValue::Utf8(v.as_deref().map(|s| rule.apply(s)))))
        }
        ColumnarValue::Scalar(other) => {
            let text = if other.is_null() { None } else { Some(rule.apply(&other.to_string())) };
            Ok(ColumnarValue::Scalar(ScalarValue::Utf8(text)))
        }
        ColumnarValue::Array(array) => {
            let strings = array.as_any().downcast_ref::<StringArray>().ok_or_else(|| {
                datafusion::error::DataFusionError::Internal(format!("mask expects Utf8, got {}", array.data_type()))
            })?;
            let out: StringArray = strings.iter().map(|v| v.map(|s| rule.apply(s))).collect();
            Ok(ColumnarValue::Array(Arc::new(out) as ArrayRef))
        }
    }
}
