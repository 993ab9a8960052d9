//! 一数一源 (one data, one source; 国发〔2016〕51号 第五条(三)): the register of data elements
//! (数据元), each with the one department responsible for collecting it, published as the
//! 信息采集责任公开目录 (seed 004 三(一)); and the detection of data items that another department
//! already collects (seed 004 三(三) 共享查询机制; 第十二条: what the platform can provide is not to
//! be asked for again).
//!
//! - [`element`]: a data element, its collection duty and their validation.
//! - [`synonyms`]: the built-in synonym groups (身份证号 = 公民身份号码 …) and the table matching uses.
//! - [`generic`]: item names that say nothing on their own (序号, 备注, 状态 …) and never match.
//! - [`matching`]: when an item is a register element, and when two items hold the same data.
//! - [`overlap`]: the overlaps of a draft with the register and with other departments' entries.
//! - [`decision`]: the decision recorded on a catalogue entry for each overlapping item, and the
//!   rule that refuses a submission with an undecided overlap.
//! - [`duplicates`]: the coordinator's report of data collected by several departments.

pub mod decision;
pub mod duplicates;
pub mod element;
pub mod generic;
pub mod matching;
pub mod overlap;
pub mod synonyms;

pub use decision::{CollectionChoice, CollectionDecision, check_undecided};
pub use duplicates::{DuplicatesReport, KeyCount, duplicates, duplicates_keyed, report_keys};
pub use element::{CollectionDuty, DataElementSpec, RegisteredElement, check_register};
pub use matching::{MatchBasis, MatchKeys, Register};
pub use overlap::{HeldResource, ItemOverlap, KnownKeys, find_overlaps, find_overlaps_keyed, overlap_keys};
pub use synonyms::SynonymTable;

#[cfg(test)]
mod tests;
