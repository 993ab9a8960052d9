//! The reply deadline of a share application: 国发〔2016〕51号 第十二条 "提供部门应在10个工作日内予以答复".
//! The day of receipt is not counted (民法典 第二百零一条); the number of days is configuration
//! (newer national rules and some provinces set other limits).

use chrono::NaiveDate;

use crate::calendar::{CalendarError, Deadline, WorkCalendar};

/// 第十二条: ten working days.
pub const DEFAULT_REPLY_DAYS: u32 = 10;

/// The last day on which the provider may answer an application received on `received`.
///
/// An application received in late December, before next year's 放假安排 is loaded, gets a
/// provisional deadline ([`WorkCalendar::deadline_after`]): filing must never be blocked by a
/// missing calendar. `service::deadlines` recomputes it once the calendar is extended.
pub fn reply_deadline(cal: &WorkCalendar, received: NaiveDate, days: u32) -> Result<Deadline, CalendarError> {
    cal.deadline_after(received, days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn deadline(received: &str) -> (NaiveDate, bool) {
        let dl = reply_deadline(&WorkCalendar::builtin(), d(received), DEFAULT_REPLY_DAYS).unwrap();
        (dl.date, dl.provisional)
    }

    #[test]
    fn ordinary_weeks() {
        // Monday 2026-11-23 → two weeks later, Monday 2026-12-07.
        assert_eq!(deadline("2026-11-23"), (d("2026-12-07"), false));
        // Received on a Saturday: the day is not counted, counting starts on Monday.
        assert_eq!(deadline("2026-11-21"), (d("2026-12-04"), false));
    }

    #[test]
    fn around_spring_festival_2026() {
        // Holidays 02-15..02-23; 02-14 (Sat) and 02-28 (Sat) are make-up working days.
        // Received Tue 02-10: 11,12,13,14(Sat, make-up),24,25,26,27,28(Sat, make-up),03-02.
        assert_eq!(deadline("2026-02-10"), (d("2026-03-02"), false));
        // Received Fri 02-13: 14, 24, 25, 26, 27, 28, 03-02, 03, 04, 05.
        assert_eq!(deadline("2026-02-13"), (d("2026-03-05"), false));
        // Received during the holiday: counting starts on the first working day after it.
        assert_eq!(deadline("2026-02-17"), (d("2026-03-06"), false));
    }

    #[test]
    fn around_national_day_2026() {
        // 09-20 (Sun) make-up; 09-25..27 中秋; 10-01..07 国庆; 10-10 (Sat) make-up.
        // Received Fri 09-18: 20(Sun, make-up),21,22,23,24,28,29,30,10-08,09.
        assert_eq!(deadline("2026-09-18"), (d("2026-10-09"), false));
        // Received Wed 09-30: 10-08, 09, 10 (Sat, make-up), 12, 13, 14, 15, 16, 19, 20.
        assert_eq!(deadline("2026-09-30"), (d("2026-10-20"), false));
    }

    #[test]
    fn around_national_day_2025() {
        // 09-28 (Sun) make-up; 10-01..08 holiday; 10-11 (Sat) make-up.
        // Received Fri 09-26: 28, 29, 30, 10-09, 10, 11, 13, 14, 15, 16.
        assert_eq!(deadline("2025-09-26"), (d("2025-10-16"), false));
    }

    #[test]
    fn the_number_of_days_is_configuration() {
        let cal = WorkCalendar::builtin();
        let plain = |date| Deadline { date, provisional: false };
        assert_eq!(reply_deadline(&cal, d("2026-11-23"), 5).unwrap(), plain(d("2026-11-30")));
        assert_eq!(reply_deadline(&cal, d("2026-11-23"), 0).unwrap(), plain(d("2026-11-23")));
    }

    #[test]
    fn beyond_the_calendar_counts_weekdays_and_says_so() {
        // Received Mon 2026-12-21: 22, 23, 24, 25, 28, 29, 30, 31 are known; 2027-01-01 (Fri)
        // and 01-04 (Mon) are counted as plain weekdays.
        assert_eq!(deadline("2026-12-21"), (d("2027-01-04"), true));
        // Before the calendar's first year is an error, not a guess.
        assert!(reply_deadline(&WorkCalendar::builtin(), d("2020-01-06"), 10).is_err());
    }
}
