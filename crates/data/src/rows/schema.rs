//! The Arrow schema of a resource's data, derived from its data items (信息项), and back.
//!
//! Each field carries the item's catalogue attributes as field metadata, so a Parquet file
//! written with this schema still says which 数据类型, 数据长度 and identifier each column has.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType as ArrowType, Field, Schema, SchemaRef, TimeUnit};
use domain::catalog::{DataItem, DataType, IdentifierKind};

/// Field metadata key: the 数据类型 letter (`C`, `N`, …).
pub const META_DATA_TYPE: &str = "data_type";
/// Field metadata key: the 数据长度 in bytes (digits for numbers), when declared.
pub const META_LENGTH: &str = "length";
/// Field metadata key: the identifier code (`citizen_id`, `credit_code`, …), when declared.
pub const META_IDENTIFIER: &str = "identifier";
/// Field metadata key: `"true"` when the item is part of the record's key (absent otherwise).
pub const META_KEY: &str = "is_key";

/// Precision and scale of 货币型 (Y): `NUMERIC(19,4)`, as the guide's FoxPro currency type.
pub const CURRENCY_PRECISION: u8 = 19;
pub const CURRENCY_SCALE: i8 = 4;

/// The Arrow type that stores values of a 数据类型.
pub fn arrow_type(data_type: DataType) -> ArrowType {
    match data_type {
        DataType::C | DataType::M => ArrowType::Utf8,
        DataType::N | DataType::B | DataType::F => ArrowType::Float64,
        DataType::Y => ArrowType::Decimal128(CURRENCY_PRECISION, CURRENCY_SCALE),
        DataType::I => ArrowType::Int64,
        DataType::D => ArrowType::Date32,
        DataType::T => ArrowType::Timestamp(TimeUnit::Microsecond, None),
        DataType::L => ArrowType::Boolean,
        DataType::G => ArrowType::Binary,
    }
}

/// The Arrow field of one data item: its name, type, nullability (`!required`) and metadata.
pub fn arrow_field(item: &DataItem) -> Field {
    let mut metadata = HashMap::with_capacity(4);
    metadata.insert(META_DATA_TYPE.to_string(), item.data_type.code().to_string());
    if let Some(length) = item.length {
        metadata.insert(META_LENGTH.to_string(), length.to_string());
    }
    if let Some(identifier) = item.identifier {
        metadata.insert(META_IDENTIFIER.to_string(), identifier.code().to_string());
    }
    if item.is_key {
        metadata.insert(META_KEY.to_string(), "true".to_string());
    }
    Field::new(item.name.clone(), arrow_type(item.data_type), !item.required).with_metadata(metadata)
}

/// The Arrow schema of a resource's data: one field per data item, in item order.
///
/// C, M → Utf8; N, B, F → Float64; Y → Decimal128(19, 4); I → Int64; D → Date32;
/// T → Timestamp(Microsecond, None) (local time as written); L → Boolean; G → Binary (cells are
/// Base64). Field nullability is `!required`. Field metadata holds `data_type`, `length`,
/// `identifier` and `is_key` (the last three only when set), e.g.
/// `{"data_type": "C", "length": "18", "identifier": "citizen_id"}`, so that
/// [`items_from_schema`] gives the items back.
pub fn arrow_schema(items: &[DataItem]) -> SchemaRef {
    Arc::new(Schema::new(items.iter().map(arrow_field).collect::<Vec<_>>()))
}

/// The schema of the batches the row checker builds: [`arrow_schema`] with text as `Utf8View`
/// (after the first batch, short text may be `Utf8`: [`super::RowChecker::take_batch`]).
///
/// A view is 16 bytes, short text (up to 12 bytes: most codes, names, dates written as text)
/// inside it, longer text pointing into shared buffers; so sorting a batch by the cluster key
/// moves views, not text. The Parquet writer takes views for a `Utf8` column as they are: the
/// stored file is the same as when written from `Utf8`, in the schema of [`arrow_schema`].
pub fn batch_schema(items: &[DataItem]) -> SchemaRef {
    let fields = items.iter().map(|item| arrow_field(item).with_data_type(batch_type(item.data_type)));
    Arc::new(Schema::new(fields.collect::<Vec<_>>()))
}

/// The Arrow type of a 数据类型 in [`batch_schema`].
pub fn batch_type(data_type: DataType) -> ArrowType {
    match data_type {
        DataType::C | DataType::M => ArrowType::Utf8View,
        other => arrow_type(other),
    }
}

/// Why a schema's field metadata does not describe data items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaMetadataError {
    /// The field (信息项) concerned.
    pub field: String,
    /// What is wrong, in Chinese.
    pub reason: String,
}

impl fmt::Display for SchemaMetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "数据文件的列“{}”缺少信息项说明：{}", self.field, self.reason)
    }
}

impl std::error::Error for SchemaMetadataError {}

/// The data items a schema made by [`arrow_schema`] describes: name, data type, length,
/// identifier, key flag and `required` (= not nullable). Other item attributes (description,
/// share and open overrides) are not kept in the schema and come back empty.
pub fn items_from_schema(schema: &Schema) -> Result<Vec<DataItem>, SchemaMetadataError> {
    schema
        .fields()
        .iter()
        .map(|field| {
            let meta = field.metadata();
            let fail = |reason: String| SchemaMetadataError { field: field.name().clone(), reason };
            let code = meta.get(META_DATA_TYPE).ok_or_else(|| fail("没有数据类型（data_type）".to_string()))?;
            let data_type = DataType::parse(code).ok_or_else(|| fail(format!("数据类型“{code}”无法识别")))?;
            if arrow_type(data_type) != *field.data_type() {
                return Err(fail(format!("数据类型{code}与列的存储类型{}不一致", field.data_type())));
            }
            let length = match meta.get(META_LENGTH) {
                Some(l) => Some(l.parse::<u32>().map_err(|_| fail(format!("数据长度“{l}”不是整数")))?),
                None => None,
            };
            let identifier = match meta.get(META_IDENTIFIER) {
                Some(i) => Some(IdentifierKind::parse(i).ok_or_else(|| fail(format!("标识类型“{i}”无法识别")))?),
                None => None,
            };
            let mut item = DataItem::new(field.name(), data_type, length);
            item.identifier = identifier;
            item.is_key = meta.get(META_KEY).is_some_and(|v| v == "true");
            item.required = !field.is_nullable();
            Ok(item)
        })
        .collect()
}
