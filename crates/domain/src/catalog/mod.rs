//! The catalogue (政务信息资源目录) per 《政务信息资源目录编制指南（试行）》 (发改高技〔2017〕1272号),
//! as laid out in STANDARDS.md §1.
//!
//! - [`enums`]: the guide's enumerations (share type, share method, open type, format, data type, update cycle).
//! - [`category`]: the classification tree (类/项/目/细目) as data.
//! - [`code`]: resource codes `prefix/NNNNNN` and the pluggable code scheme.
//! - [`resource`]: a catalogue entry and its data items.
//! - [`validate`]: every rule of STANDARDS.md §1.6.
//! - [`lifecycle`]: draft → submitted → published → revised → withdrawn.
//! - [`diff`]: field-level differences between two versions.

pub mod category;
pub mod code;
pub mod diff;
pub mod enums;
pub mod lifecycle;
pub mod resource;
pub mod validate;

pub use category::{CategoryCode, CategoryKind, CategoryNode};
pub use code::{Gbt21063_5, Guide2017, ResourceCode, ResourceCodeScheme};
pub use enums::{DataType, FormatClass, IdentifierKind, OpenType, ShareMethod, ShareType, UpdateCycle};
pub use lifecycle::{LifecycleAction, ResourceStatus, visible_to_all};
pub use resource::{DataItem, Format, ResourceSpec};
pub use validate::{ValidationContext, validate_resource};
