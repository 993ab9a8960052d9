//! Catalogue currency (国发〔2016〕51号 第八条): a department updates its catalogue within 15 working
//! days from the day a law is revised or its duties change. When a department records such a change
//! the platform opens a window over the affected entries and tracks whether each was updated in time.

use chrono::NaiveDate;

use crate::calendar::{CalendarError, Deadline, WorkCalendar};
use crate::error::ValidationErrors;
use crate::labels::labelled_enum;

/// 第八条: "自……之日起15个工作日内更新本部门政务信息资源目录".
pub const UPDATE_WINDOW_WORKING_DAYS: u32 = 15;

labelled_enum! {
    /// What changed.
    pub enum ChangeKind: "变化类型" {
        DutyChange = ("duty_change", "行政管理职能变化", "职能变化"),
        LawRevision = ("law_revision", "法律法规修订", "法规修订"),
    }
}

labelled_enum! {
    /// Where one affected entry stands.
    pub enum CurrencyStatus: "更新状态" {
        /// The window is open and the entry has not been updated yet.
        Pending = ("pending", "待更新"),
        /// Updated within the window.
        Met = ("met", "已按期更新"),
        /// Updated, but after the deadline.
        Late = ("late", "逾期后更新"),
        /// Not updated and the deadline has passed.
        Overdue = ("overdue", "已逾期"),
    }
}

/// What a department records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyChangeSpec {
    pub kind: ChangeKind,
    pub description: String,
    /// The day the law was revised or the duties changed (之日起).
    pub effective_date: NaiveDate,
}

impl DutyChangeSpec {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let n = self.description.trim().chars().count();
        if n == 0 || n > 2000 {
            e.push("description", "required", "请说明发生了什么变化（法规名称和条款，或职能调整文件），不超过2000字");
        }
        e.into_result()
    }

    /// The last day by which the affected entries must be updated: provisional when the window
    /// runs past the calendar's known years (a change recorded in December, before next year's
    /// 放假安排 is loaded), since a department must be able to record it on the day.
    pub fn deadline(&self, cal: &WorkCalendar, window_days: u32) -> Result<Deadline, CalendarError> {
        cal.deadline_after(self.effective_date, window_days)
    }
}

/// The status of one affected entry: `updated_on` is the date of its first revision recorded after
/// the change.
pub fn status(deadline: NaiveDate, updated_on: Option<NaiveDate>, today: NaiveDate) -> CurrencyStatus {
    match updated_on {
        Some(d) if d <= deadline => CurrencyStatus::Met,
        Some(_) => CurrencyStatus::Late,
        None if today > deadline => CurrencyStatus::Overdue,
        None => CurrencyStatus::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn window_spans_the_national_day_holiday() {
        let cal = WorkCalendar::builtin();
        let change = DutyChangeSpec {
            kind: ChangeKind::LawRevision,
            description: "《某条例》修订".into(),
            effective_date: d(2026, 9, 25), // a holiday (中秋节)
        };
        // Working days after 09-25: 09-28, 09-29, 09-30, [10-01..10-07 off], 10-08, 10-09, 10-10 (调休),
        // 10-12 .. 10-16, 10-19 .. 10-22 → the 15th is 2026-10-22.
        let deadline = change.deadline(&cal, UPDATE_WINDOW_WORKING_DAYS).unwrap();
        assert_eq!(deadline, Deadline { date: d(2026, 10, 22), provisional: false });
    }

    #[test]
    fn statuses() {
        let dl = d(2026, 3, 20);
        assert_eq!(status(dl, None, d(2026, 3, 20)), CurrencyStatus::Pending);
        assert_eq!(status(dl, None, d(2026, 3, 21)), CurrencyStatus::Overdue);
        assert_eq!(status(dl, Some(d(2026, 3, 20)), d(2026, 4, 1)), CurrencyStatus::Met);
        assert_eq!(status(dl, Some(d(2026, 3, 23)), d(2026, 4, 1)), CurrencyStatus::Late);
    }

    #[test]
    fn past_the_calendar_the_deadline_is_provisional() {
        let cal = WorkCalendar::builtin();
        let change = DutyChangeSpec {
            kind: ChangeKind::DutyChange,
            description: "机构改革".into(),
            effective_date: d(2026, 12, 20),
        };
        // 2026-12-21..25, 28..31 (9), then Monday to Friday in 2027: 01-01, 04..08 (15).
        let deadline = change.deadline(&cal, UPDATE_WINDOW_WORKING_DAYS).unwrap();
        assert_eq!(deadline, Deadline { date: d(2027, 1, 8), provisional: true });
        // Before the calendar's first year it is still refused.
        let old = DutyChangeSpec { effective_date: d(2024, 6, 3), ..change };
        assert!(old.deadline(&cal, UPDATE_WINDOW_WORKING_DAYS).is_err());
    }
}
