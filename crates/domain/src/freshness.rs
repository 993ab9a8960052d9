//! Data freshness: whether a resource's data was updated as often as its catalogue entry promises
//! (更新周期; 国发〔2016〕51号 第十三条: 提供部门应及时维护和更新信息，保障数据的……时效性).

use chrono::NaiveDate;

use crate::catalog::UpdateCycle;
use crate::labels::labelled_enum;

labelled_enum! {
    /// Where a resource's data stands against its update cycle.
    pub enum FreshnessStatus: "更新状态" {
        /// Updated within its cycle.
        Fresh = ("fresh", "按期更新"),
        /// No version yet, and the first one is not due yet.
        AwaitingData = ("awaiting_data", "待发布数据"),
        /// Past due: the cycle has elapsed since the last update (or since the entry was published).
        Overdue = ("overdue", "更新逾期"),
        /// 不定期: no due date.
        Irregular = ("irregular", "不定期更新"),
    }
}

/// The assessment of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    pub status: FreshnessStatus,
    /// The day by which the next update is due, if the cycle sets one.
    pub due_by: Option<NaiveDate>,
}

/// Assesses freshness: `last_update` is the date of the latest data version (if any), `since`
/// the day the catalogue entry was published (the clock starts there for a first version).
pub fn assess(cycle: UpdateCycle, last_update: Option<NaiveDate>, since: NaiveDate, today: NaiveDate) -> Freshness {
    let Some(days) = cycle.max_age_days() else {
        return Freshness { status: FreshnessStatus::Irregular, due_by: None };
    };
    let base = last_update.unwrap_or(since);
    let due_by = base + chrono::Days::new(u64::from(days));
    let status = match (last_update, today > due_by) {
        (_, true) => FreshnessStatus::Overdue,
        (Some(_), false) => FreshnessStatus::Fresh,
        (None, false) => FreshnessStatus::AwaitingData,
    };
    Freshness { status, due_by: Some(due_by) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn cycles() {
        let f = assess(UpdateCycle::Monthly, Some(d(3, 1)), d(1, 1), d(3, 20));
        assert_eq!((f.status, f.due_by), (FreshnessStatus::Fresh, Some(d(4, 1))));
        assert_eq!(assess(UpdateCycle::Monthly, Some(d(3, 1)), d(1, 1), d(4, 2)).status, FreshnessStatus::Overdue);
        assert_eq!(assess(UpdateCycle::Daily, Some(d(3, 1)), d(1, 1), d(3, 2)).status, FreshnessStatus::Fresh);
        assert_eq!(assess(UpdateCycle::Daily, Some(d(3, 1)), d(1, 1), d(3, 3)).status, FreshnessStatus::Overdue);
        assert_eq!(assess(UpdateCycle::Quarterly, None, d(3, 1), d(3, 20)).status, FreshnessStatus::AwaitingData);
        assert_eq!(assess(UpdateCycle::Weekly, None, d(3, 1), d(3, 20)).status, FreshnessStatus::Overdue);
        assert_eq!(assess(UpdateCycle::Irregular, None, d(1, 1), d(12, 1)).status, FreshnessStatus::Irregular);
    }
}
