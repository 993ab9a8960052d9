//! The working-day calendar (工作日历) used for every "N个工作日内" time limit.
//!
//! A day is a working day when it is a 调休上班日 (makeup working day), or when it is Monday to
//! Friday and not a statutory holiday. Holidays and makeup days change every year with the
//! 国务院办公厅 notice, so they are data, not code: one CSV row per date
//! (`date,kind,name,source`, kinds `holiday` / `makeup_workday`). A [`WorkCalendar`] knows an
//! inclusive range of years and refuses — with [`CalendarError::BeyondKnownYears`] /
//! [`CalendarError::BeforeKnownYears`] — to say anything about a date outside it, so that a
//! deadline is never silently computed from an unknown holiday schedule. Each year's notice is
//! added with [`WorkCalendar::extend`].
//!
//! Counting follows 民法典 第二百零一条: the start day is not counted; the n-th working day
//! strictly after it is the deadline.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate, Weekday};

/// The embedded schedule (2025 and 2026 notices), see [`WorkCalendar::builtin`].
pub const BUILTIN_CSV: &str = include_str!("../data/holidays-cn.csv");

/// The header line the CSV format requires.
pub const CSV_HEADER: &str = "date,kind,name,source";

/// What the notice says about a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 放假: a day off, even if it is Monday to Friday.
    Holiday,
    /// 调休上班: a working day, even though it is a Saturday or Sunday.
    MakeupWorkday,
}

impl DayKind {
    /// The code used in the CSV file: `holiday` or `makeup_workday`.
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::MakeupWorkday => "makeup_workday",
        }
    }

    /// Parses the CSV code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "holiday" => Some(DayKind::Holiday),
            "makeup_workday" => Some(DayKind::MakeupWorkday),
            _ => None,
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DayKind::Holiday => "放假",
            DayKind::MakeupWorkday => "调休上班",
        })
    }
}

/// One row of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// Holiday name as in the notice, e.g. `春节` or `春节调休`.
    pub name: String,
    /// The notice the row comes from (document number or date).
    pub source: String,
}

/// What is wrong with one line of a holiday CSV file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvReason {
    #[error("应为表头“date,kind,name,source”，实际为“{found}”")]
    BadHeader { found: String },

    #[error("应有4列（date,kind,name,source），实际为{found}列")]
    FieldCount { found: usize },

    #[error("日期“{value}”不正确，应为YYYY-MM-DD格式的真实日期，例如2025-01-01")]
    BadDate { value: String },

    #[error("类型“{value}”不正确，应为holiday（放假）或makeup_workday（调休上班）")]
    BadKind { value: String },

    #[error("名称不能为空，请填写节日名称，例如“春节”")]
    EmptyName,

    #[error("来源不能为空，请填写国务院办公厅通知的文号或发布日期")]
    EmptySource,

    #[error("{date}是{}，调休上班日只能是周六或周日，请核对日期或类型", weekday_cn(.date))]
    MakeupOnWeekday { date: NaiveDate },

    #[error("{date}已在第{first_line}行登记为“{first_kind}”，本行却为“{kind}”，请核对通知后只保留正确的一行")]
    ConflictingKind { date: NaiveDate, first_line: usize, first_kind: DayKind, kind: DayKind },
}

/// One bad line of a holiday CSV file (line numbers start at 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第{line}行：{reason}")]
pub struct CsvProblem {
    pub line: usize,
    pub reason: CsvReason,
}

/// Why the calendar could not be built or could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The date is after the last year whose notice has been loaded.
    #[error("{}", beyond_message(.date, *.last_year))]
    BeyondKnownYears { date: NaiveDate, last_year: i32 },

    /// The date is before the first year whose notice has been loaded.
    #[error("工作日历只包含自{first_year}年起的节假日安排，无法计算{date}：请先导入{}年的国务院办公厅节假日安排通知", .date.year())]
    BeforeKnownYears { date: NaiveDate, first_year: i32 },

    /// Bad lines in a CSV file; all of them are listed.
    #[error("节假日文件有{}处错误：{}", .problems.len(), join_problems(.problems))]
    Csv { problems: Vec<CsvProblem> },

    #[error("节假日安排中没有任何日期：至少应包含一整年的国务院办公厅节假日安排")]
    Empty,

    /// Known years must be contiguous, otherwise a missing year would look like a year
    /// without holidays.
    #[error("节假日安排缺少{year}年的数据（年份必须连续）：请先导入{year}年的国务院办公厅节假日安排通知")]
    MissingYear { year: i32 },

    #[error("{date}已登记为“{existing}”，新导入的数据却为“{incoming}”，请核对国务院办公厅通知")]
    Conflict { date: NaiveDate, existing: DayKind, incoming: DayKind },

    #[error("{date}是{}，调休上班日只能是周六或周日，请核对数据", weekday_cn(.date))]
    MakeupOnWeekday { date: NaiveDate },
}

fn beyond_message(date: &NaiveDate, last_year: i32) -> String {
    let year = date.year();
    let needed = if year > last_year + 1 { format!("{}—{year}", last_year + 1) } else { year.to_string() };
    format!(
        "工作日历只包含截至{last_year}年的节假日安排，无法计算{date}：请先导入{needed}年的国务院办公厅节假日安排通知"
    )
}

fn join_problems(problems: &[CsvProblem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("；")
}

fn weekday_cn(date: &NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Strict `YYYY-MM-DD` with a real calendar date.
fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year = s[..4].parse().ok()?;
    let month = s[5..7].parse().ok()?;
    let day = s[8..].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Parses one data line (already stripped of the line ending).
fn parse_row(line: &str) -> Result<SpecialDay, CsvReason> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [date, kind, name, source] = fields[..] else {
        return Err(CsvReason::FieldCount { found: fields.len() });
    };
    let date = parse_iso_date(date).ok_or_else(|| CsvReason::BadDate { value: date.into() })?;
    let kind = DayKind::from_code(kind).ok_or_else(|| CsvReason::BadKind { value: kind.into() })?;
    if name.is_empty() {
        return Err(CsvReason::EmptyName);
    }
    if source.is_empty() {
        return Err(CsvReason::EmptySource);
    }
    if kind == DayKind::MakeupWorkday && !is_weekend(date) {
        return Err(CsvReason::MakeupOnWeekday { date });
    }
    Ok(SpecialDay { date, kind, name: name.into(), source: source.into() })
}

/// A deadline counted in working days ([`WorkCalendar::deadline_after`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub date: NaiveDate,
    /// Counted partly past the calendar's known years, Monday to Friday: the date moves when the
    /// calendar is extended.
    pub provisional: bool,
}

impl std::fmt::Display for Deadline {
    /// `2027-01-04`, or `2027-01-04（暂定）` when provisional: how pages and notes show it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.date, if self.provisional { "（暂定）" } else { "" })
    }
}

/// Holidays and makeup working days for a contiguous, inclusive range of years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    days: BTreeMap<NaiveDate, SpecialDay>,
    first_year: i32,
    last_year: i32,
}

impl WorkCalendar {
    /// The schedule embedded in the binary (`data/holidays-cn.csv`: the 2025 and 2026
    /// notices). Add later years with [`WorkCalendar::extend`].
    pub fn builtin() -> Self {
        // The embedded file is constant and checked by the unit tests.
        Self::from_csv(BUILTIN_CSV).expect("embedded data/holidays-cn.csv must be valid")
    }

    /// Parses the CSV format of `holidays-cn.csv`: header `date,kind,name,source`, one row per
    /// date. Blank lines, a trailing CR and a UTF-8 BOM are tolerated. A date listed twice
    /// with the same kind is accepted (the first row wins); with conflicting kinds it is an
    /// error. Every bad line is reported with its line number.
    ///
    /// The known years are the years from the first to the last date in the file; every year
    /// in between must have at least one row.
    pub fn from_csv(text: &str) -> Result<Self, CalendarError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut problems = Vec::new();
        let mut seen_header = false;
        let mut rows: BTreeMap<NaiveDate, (usize, SpecialDay)> = BTreeMap::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line_no = index + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() {
                continue;
            }
            if !seen_header {
                seen_header = true;
                let header: Vec<&str> = line.split(',').map(str::trim).collect();
                if header != ["date", "kind", "name", "source"] {
                    problems
                        .push(CsvProblem { line: line_no, reason: CsvReason::BadHeader { found: line.trim().into() } });
                }
                continue;
            }
            match parse_row(line) {
                Err(reason) => problems.push(CsvProblem { line: line_no, reason }),
                Ok(day) => match rows.get(&day.date) {
                    Some((first_line, first)) if first.kind != day.kind => {
                        problems.push(CsvProblem {
                            line: line_no,
                            reason: CsvReason::ConflictingKind {
                                date: day.date,
                                first_line: *first_line,
                                first_kind: first.kind,
                                kind: day.kind,
                            },
                        });
                    }
                    Some(_) => {}
                    None => {
                        rows.insert(day.date, (line_no, day));
                    }
                },
            }
        }
        if !problems.is_empty() {
            return Err(CalendarError::Csv { problems });
        }
        Self::from_map(rows.into_values().map(|(_, day)| (day.date, day)).collect())
    }

    /// Builds a calendar from rows that come from elsewhere (e.g. a database table). Same rules
    /// as [`WorkCalendar::from_csv`], without line numbers.
    pub fn from_days(days: impl IntoIterator<Item = SpecialDay>) -> Result<Self, CalendarError> {
        let mut map = BTreeMap::new();
        for day in days {
            Self::insert_checked(&mut map, day)?;
        }
        Self::from_map(map)
    }

    fn insert_checked(map: &mut BTreeMap<NaiveDate, SpecialDay>, day: SpecialDay) -> Result<(), CalendarError> {
        if day.kind == DayKind::MakeupWorkday && !is_weekend(day.date) {
            return Err(CalendarError::MakeupOnWeekday { date: day.date });
        }
        match map.get(&day.date) {
            Some(existing) if existing.kind != day.kind => {
                Err(CalendarError::Conflict { date: day.date, existing: existing.kind, incoming: day.kind })
            }
            Some(_) => Ok(()),
            None => {
                map.insert(day.date, day);
                Ok(())
            }
        }
    }

    /// Derives the known years from the rows and checks that they are contiguous.
    fn from_map(days: BTreeMap<NaiveDate, SpecialDay>) -> Result<Self, CalendarError> {
        let years: BTreeSet<i32> = days.keys().map(Datelike::year).collect();
        let (Some(&first_year), Some(&last_year)) = (years.first(), years.last()) else {
            return Err(CalendarError::Empty);
        };
        if let Some(year) = (first_year..=last_year).find(|y| !years.contains(y)) {
            return Err(CalendarError::MissingYear { year });
        }
        Ok(WorkCalendar { days, first_year, last_year })
    }

    /// Adds the rows of `other` (typically next year's notice). Rows for dates already known
    /// must agree on the kind; the resulting years must stay contiguous. On error `self` is
    /// unchanged.
    pub fn extend(&mut self, other: WorkCalendar) -> Result<(), CalendarError> {
        let mut merged = self.days.clone();
        for day in other.days.into_values() {
            Self::insert_checked(&mut merged, day)?;
        }
        *self = Self::from_map(merged)?;
        Ok(())
    }

    /// The inclusive range of years this calendar can answer for.
    pub fn known_years(&self) -> RangeInclusive<i32> {
        self.first_year..=self.last_year
    }

    /// First known year.
    pub fn first_year(&self) -> i32 {
        self.first_year
    }

    /// Last known year.
    pub fn last_year(&self) -> i32 {
        self.last_year
    }

    /// The row for `date`, if the notice mentions it.
    pub fn special_day(&self, date: NaiveDate) -> Option<&SpecialDay> {
        self.days.get(&date)
    }

    /// All rows in date order.
    pub fn special_days(&self) -> impl Iterator<Item = &SpecialDay> {
        self.days.values()
    }

    /// The calendar in the CSV format accepted by [`WorkCalendar::from_csv`].
    pub fn to_csv(&self) -> String {
        let mut out = String::from(CSV_HEADER);
        out.push('\n');
        for day in self.days.values() {
            out.push_str(&format!("{},{},{},{}\n", day.date.format("%Y-%m-%d"), day.kind.code(), day.name, day.source));
        }
        out
    }

    fn check_known(&self, date: NaiveDate) -> Result<(), CalendarError> {
        let year = date.year();
        if year > self.last_year {
            Err(CalendarError::BeyondKnownYears { date, last_year: self.last_year })
        } else if year < self.first_year {
            Err(CalendarError::BeforeKnownYears { date, first_year: self.first_year })
        } else {
            Ok(())
        }
    }

    /// Whether `date` is a working day: makeup day → yes; holiday → no; otherwise Monday to
    /// Friday. Errors for a date outside the known years.
    pub fn is_workday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.check_known(date)?;
        Ok(match self.days.get(&date).map(|d| d.kind) {
            Some(DayKind::MakeupWorkday) => true,
            Some(DayKind::Holiday) => false,
            None => !is_weekend(date),
        })
    }

    /// The n-th working day strictly after `start` (the start day is not counted, 民法典
    /// 第二百零一条); `n = 0` returns `start`. Errors as soon as the walk leaves the known years.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut date = start;
        let mut remaining = n;
        while remaining > 0 {
            date = date.succ_opt().ok_or(CalendarError::BeyondKnownYears { date, last_year: self.last_year })?;
            if self.is_workday(date)? {
                remaining -= 1;
            }
        }
        Ok(date)
    }

    /// The n-th working day strictly after `start`, like [`WorkCalendar::add_working_days`], for a
    /// deadline that must be set today whatever the calendar knows: days after the last known year
    /// are counted Monday to Friday and the deadline is marked provisional, to be recomputed once
    /// next year's 放假安排 is loaded (the State Council publishes it in November or December, so
    /// a deadline set in December often runs past it). A day before the first known year is
    /// still an error: that is a wrong date, not a missing notice.
    pub fn deadline_after(&self, start: NaiveDate, n: u32) -> Result<Deadline, CalendarError> {
        let mut date = start;
        let mut remaining = n;
        let mut provisional = false;
        while remaining > 0 {
            date = date.succ_opt().ok_or(CalendarError::BeyondKnownYears { date, last_year: self.last_year })?;
            let working = match self.is_workday(date) {
                Ok(w) => w,
                Err(CalendarError::BeyondKnownYears { .. }) => {
                    provisional = true;
                    !is_weekend(date)
                }
                Err(e) => return Err(e),
            };
            if working {
                remaining -= 1;
            }
        }
        Ok(Deadline { date, provisional })
    }

    /// Number of working days `d` with `from < d <= to`; negative (minus the count of
    /// `to < d <= from`) when `to` is before `from`. Used for "剩余N个工作日".
    /// Errors when any counted day is outside the known years.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        let (low, high, sign) = match from.cmp(&to) {
            std::cmp::Ordering::Equal => return Ok(0),
            std::cmp::Ordering::Less => (from, to, 1),
            std::cmp::Ordering::Greater => (to, from, -1),
        };
        // `low < high`, so the successor exists.
        let first = low.succ_opt().unwrap_or(high);
        self.check_known(first)?;
        self.check_known(high)?;
        let mut count = 0i64;
        for date in first.iter_days().take_while(|d| *d <= high) {
            if self.is_workday(date)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn cal() -> WorkCalendar {
        WorkCalendar::builtin()
    }

    fn workdays_in_year(c: &WorkCalendar, year: i32) -> i64 {
        c.working_days_between(ymd(year - 1, 12, 31), ymd(year, 12, 31)).unwrap()
    }

    /// A synthetic 2027 schedule (not the real notice, which is not published yet).
    const SYNTHETIC_2027: &str = "date,kind,name,source\n\
        2027-01-01,holiday,元旦,测试数据\n\
        2027-02-05,holiday,春节,测试数据\n\
        2027-02-08,holiday,春节,测试数据\n\
        2027-02-20,makeup_workday,春节调休,测试数据\n";

    #[test]
    fn builtin_loads_both_years() {
        let c = cal();
        assert_eq!(c.known_years(), 2025..=2026);
        assert_eq!(c.first_year(), 2025);
        assert_eq!(c.last_year(), 2026);
        assert_eq!(c.special_days().count(), 72);
        let day = c.special_day(ymd(2025, 1, 28)).unwrap();
        assert_eq!(day.kind, DayKind::Holiday);
        assert_eq!(day.name, "春节");
        assert_eq!(day.source, "国办发明电〔2024〕12号");
    }

    #[test]
    fn standard_deadline_vectors() {
        let c = cal();
        for (received, expected) in [
            (ymd(2025, 1, 20), ymd(2025, 2, 8)),
            (ymd(2025, 9, 26), ymd(2025, 10, 16)),
            (ymd(2026, 2, 10), ymd(2026, 3, 2)),
            (ymd(2026, 9, 30), ymd(2026, 10, 20)),
        ] {
            assert_eq!(c.add_working_days(received, 10).unwrap(), expected, "from {received}");
            assert_eq!(c.working_days_between(received, expected).unwrap(), 10);
            assert_eq!(c.working_days_between(expected, received).unwrap(), -10);
        }
    }

    #[test]
    fn yearly_working_day_counts() {
        let c = cal();
        assert_eq!(workdays_in_year(&c, 2025), 248);
        assert_eq!(workdays_in_year(&c, 2026), 248);
    }

    #[test]
    fn makeup_days_are_working_days() {
        let c = cal();
        for date in [
            ymd(2025, 1, 26),
            ymd(2025, 2, 8),
            ymd(2025, 4, 27),
            ymd(2025, 9, 28),
            ymd(2025, 10, 11),
            ymd(2026, 1, 4),
            ymd(2026, 2, 14),
            ymd(2026, 2, 28),
            ymd(2026, 5, 9),
            ymd(2026, 9, 20),
            ymd(2026, 10, 10),
        ] {
            assert!(is_weekend(date), "{date}");
            assert!(c.is_workday(date).unwrap(), "{date}");
        }
        // A makeup Saturday counts towards a deadline.
        assert_eq!(c.add_working_days(ymd(2025, 2, 7), 1).unwrap(), ymd(2025, 2, 8));
        assert_eq!(c.add_working_days(ymd(2025, 1, 24), 1).unwrap(), ymd(2025, 1, 26));
    }

    #[test]
    fn holidays_and_plain_days() {
        let c = cal();
        assert!(!c.is_workday(ymd(2025, 1, 1)).unwrap()); // Wednesday, 元旦
        assert!(!c.is_workday(ymd(2025, 10, 8)).unwrap()); // Wednesday, 国庆
        assert!(!c.is_workday(ymd(2026, 2, 23)).unwrap()); // Monday, 春节
        assert!(!c.is_workday(ymd(2025, 3, 1)).unwrap()); // ordinary Saturday
        assert!(!c.is_workday(ymd(2025, 3, 2)).unwrap()); // ordinary Sunday
        assert!(c.is_workday(ymd(2025, 3, 3)).unwrap()); // ordinary Monday
    }

    #[test]
    fn start_day_is_not_counted() {
        let c = cal();
        // Monday → next working day is Tuesday.
        assert_eq!(c.add_working_days(ymd(2025, 3, 3), 1).unwrap(), ymd(2025, 3, 4));
        // Received on a holiday: counting starts the next day anyway.
        assert_eq!(c.add_working_days(ymd(2025, 10, 1), 1).unwrap(), ymd(2025, 10, 9));
        assert_eq!(c.add_working_days(ymd(2025, 3, 3), 0).unwrap(), ymd(2025, 3, 3));
        assert_eq!(c.working_days_between(ymd(2025, 3, 3), ymd(2025, 3, 3)).unwrap(), 0);
        // Friday → Monday: 1 working day (the Monday), none over the weekend.
        assert_eq!(c.working_days_between(ymd(2025, 3, 7), ymd(2025, 3, 10)).unwrap(), 1);
        assert_eq!(c.working_days_between(ymd(2025, 3, 7), ymd(2025, 3, 9)).unwrap(), 0);
    }

    #[test]
    fn refuses_beyond_last_year() {
        let c = cal();
        let err = c.is_workday(ymd(2027, 1, 5)).unwrap_err();
        assert_eq!(err, CalendarError::BeyondKnownYears { date: ymd(2027, 1, 5), last_year: 2026 });
        let msg = err.to_string();
        assert!(msg.contains("无法计算2027-01-05"), "{msg}");
        assert!(msg.contains("请先导入2027年的国务院办公厅节假日安排通知"), "{msg}");

        let msg = c.is_workday(ymd(2028, 3, 1)).unwrap_err().to_string();
        assert!(msg.contains("请先导入2027—2028年"), "{msg}");

        // A deadline that walks over the year end is refused, not guessed.
        // From Sunday 2026-12-20 there are 9 working days left in 2026.
        assert_eq!(c.add_working_days(ymd(2026, 12, 20), 9).unwrap(), ymd(2026, 12, 31));
        assert_eq!(
            c.add_working_days(ymd(2026, 12, 20), 10).unwrap_err(),
            CalendarError::BeyondKnownYears { date: ymd(2027, 1, 1), last_year: 2026 }
        );
        assert!(matches!(
            c.working_days_between(ymd(2026, 12, 1), ymd(2027, 1, 10)),
            Err(CalendarError::BeyondKnownYears { last_year: 2026, .. })
        ));
        assert!(matches!(
            c.working_days_between(ymd(2027, 1, 10), ymd(2026, 12, 1)),
            Err(CalendarError::BeyondKnownYears { last_year: 2026, .. })
        ));
        // Starting on the last known day: the first counted day is already unknown.
        assert!(c.add_working_days(ymd(2026, 12, 31), 1).is_err());
    }

    #[test]
    fn refuses_before_first_year() {
        let c = cal();
        let err = c.is_workday(ymd(2024, 12, 31)).unwrap_err();
        assert_eq!(err, CalendarError::BeforeKnownYears { date: ymd(2024, 12, 31), first_year: 2025 });
        assert!(err.to_string().contains("自2025年起"), "{err}");
        // The start day itself is not looked at.
        assert_eq!(c.add_working_days(ymd(2024, 12, 31), 1).unwrap(), ymd(2025, 1, 2));
        assert!(matches!(
            c.working_days_between(ymd(2024, 12, 1), ymd(2025, 1, 10)),
            Err(CalendarError::BeforeKnownYears { .. })
        ));
    }

    #[test]
    fn deadline_after_counts_weekdays_past_the_calendar_and_says_so() {
        let mut c = cal();
        let exact = |date| Deadline { date, provisional: false };
        // Within the known years it is add_working_days.
        assert_eq!(c.deadline_after(ymd(2026, 12, 20), 9).unwrap(), exact(ymd(2026, 12, 31)));
        // Past them: 2027-01-01 (Friday) counts as a working day, provisionally.
        assert_eq!(
            c.deadline_after(ymd(2026, 12, 20), 10).unwrap(),
            Deadline { date: ymd(2027, 1, 1), provisional: true }
        );
        // 15 working days from Friday 2026-12-11 (第八条): 14..18, 21..25, 28..31 (14), 2027-01-01.
        assert_eq!(c.deadline_after(ymd(2026, 12, 11), 15).unwrap().date, ymd(2027, 1, 1));
        // Weekends are still skipped: from Thursday 2026-12-31, the 2nd day is Monday 2027-01-04.
        assert_eq!(
            c.deadline_after(ymd(2026, 12, 31), 2).unwrap(),
            Deadline { date: ymd(2027, 1, 4), provisional: true }
        );
        // Before the first known year it is an error, not a guess.
        assert!(c.deadline_after(ymd(2024, 12, 20), 10).is_err());
        assert_eq!(c.deadline_after(ymd(2026, 12, 31), 2).unwrap().to_string(), "2027-01-04（暂定）");
        assert_eq!(c.deadline_after(ymd(2026, 12, 20), 9).unwrap().to_string(), "2026-12-31");
        // Once next year's notice is loaded the same count is exact (2027-01-01 is a holiday).
        c.extend(WorkCalendar::from_csv(SYNTHETIC_2027).unwrap()).unwrap();
        assert_eq!(c.deadline_after(ymd(2026, 12, 20), 10).unwrap(), exact(ymd(2027, 1, 4)));
    }

    #[test]
    fn extend_with_next_year() {
        let mut c = cal();
        let next = WorkCalendar::from_csv(SYNTHETIC_2027).unwrap();
        assert_eq!(next.known_years(), 2027..=2027);
        c.extend(next).unwrap();
        assert_eq!(c.known_years(), 2025..=2027);
        assert!(!c.is_workday(ymd(2027, 1, 1)).unwrap());
        assert!(c.is_workday(ymd(2027, 2, 20)).unwrap());
        assert!(c.is_workday(ymd(2027, 1, 5)).unwrap());
        // The year-end walk that was refused now succeeds: 2026-12-21..25, 28..31 (9),
        // 2027-01-01 holiday, 2027-01-04 Monday is the 10th.
        assert_eq!(c.add_working_days(ymd(2026, 12, 20), 10).unwrap(), ymd(2027, 1, 4));
        // The old years are untouched.
        assert_eq!(workdays_in_year(&c, 2025), 248);
        assert!(c.is_workday(ymd(2028, 1, 3)).is_err());
    }

    #[test]
    fn extend_is_idempotent_for_identical_rows() {
        let mut c = cal();
        c.extend(WorkCalendar::builtin()).unwrap();
        assert_eq!(c, cal());
    }

    #[test]
    fn extend_rejects_gaps_and_conflicts_and_leaves_self_unchanged() {
        let mut c = cal();
        let y2028 = WorkCalendar::from_csv("date,kind,name,source\n2028-01-01,holiday,元旦,测试数据\n").unwrap();
        let err = c.extend(y2028).unwrap_err();
        assert_eq!(err, CalendarError::MissingYear { year: 2027 });
        assert!(err.to_string().contains("请先导入2027年"), "{err}");
        assert_eq!(c, cal());

        let conflicting = WorkCalendar::from_csv(
            "date,kind,name,source\n2026-10-10,holiday,国庆节,更正通知\n2027-01-01,holiday,元旦,测试\n",
        )
        .unwrap();
        let err = c.extend(conflicting).unwrap_err();
        assert_eq!(
            err,
            CalendarError::Conflict {
                date: ymd(2026, 10, 10),
                existing: DayKind::MakeupWorkday,
                incoming: DayKind::Holiday
            }
        );
        assert_eq!(c, cal());
    }

    #[test]
    fn csv_tolerates_crlf_blank_lines_bom_and_same_kind_duplicates() {
        let text = "\u{feff}date,kind,name,source\r\n\r\n2027-01-01,holiday,元旦,测试\r\n\
                    2027-01-01,holiday,元旦,测试（重复）\r\n   \n2027-02-20 , makeup_workday ,春节调休, 测试\r\n";
        let c = WorkCalendar::from_csv(text).unwrap();
        assert_eq!(c.special_days().count(), 2);
        assert_eq!(c.special_day(ymd(2027, 1, 1)).unwrap().source, "测试");
        assert_eq!(c.special_day(ymd(2027, 2, 20)).unwrap().kind, DayKind::MakeupWorkday);
    }

    #[test]
    fn csv_reports_every_bad_line() {
        let text = "date,kind,name,source\n\
                    2027-01-02,holiday,元旦,测试\n\
                    2027-13-01,holiday,元旦,测试\n\
                    2027/01/02,holiday,元旦,测试\n\
                    2027-01-03,vacation,元旦,测试\n\
                    2027-01-04,holiday,元旦\n\
                    \n\
                    2027-01-05,holiday,,测试\n\
                    2027-01-06,holiday,元旦,\n\
                    2027-01-07,makeup_workday,元旦调休,测试\n\
                    2027-01-02,makeup_workday,元旦调休,测试\n";
        let err = WorkCalendar::from_csv(text).unwrap_err();
        let CalendarError::Csv { problems } = &err else { panic!("{err:?}") };
        let expected = vec![
            CsvProblem { line: 3, reason: CsvReason::BadDate { value: "2027-13-01".into() } },
            CsvProblem { line: 4, reason: CsvReason::BadDate { value: "2027/01/02".into() } },
            CsvProblem { line: 5, reason: CsvReason::BadKind { value: "vacation".into() } },
            CsvProblem { line: 6, reason: CsvReason::FieldCount { found: 3 } },
            CsvProblem { line: 8, reason: CsvReason::EmptyName },
            CsvProblem { line: 9, reason: CsvReason::EmptySource },
            CsvProblem { line: 10, reason: CsvReason::MakeupOnWeekday { date: ymd(2027, 1, 7) } },
            CsvProblem {
                line: 11,
                reason: CsvReason::ConflictingKind {
                    date: ymd(2027, 1, 2),
                    first_line: 2,
                    first_kind: DayKind::Holiday,
                    kind: DayKind::MakeupWorkday,
                },
            },
        ];
        assert_eq!(problems, &expected);
        let msg = err.to_string();
        assert!(msg.starts_with("节假日文件有8处错误："), "{msg}");
        assert!(msg.contains("第3行：日期“2027-13-01”不正确"), "{msg}");
        assert!(msg.contains("第5行：类型“vacation”不正确"), "{msg}");
        assert!(msg.contains("第6行：应有4列"), "{msg}");
        assert!(msg.contains("第10行：2027-01-07是星期四，调休上班日只能是周六或周日"), "{msg}");
        assert!(msg.contains("第11行：2027-01-02已在第2行登记为“放假”，本行却为“调休上班”"), "{msg}");
    }

    #[test]
    fn csv_header_and_empty_file() {
        let err = WorkCalendar::from_csv("2027-01-01,holiday,元旦,测试\n").unwrap_err();
        assert_eq!(
            err,
            CalendarError::Csv {
                problems: vec![CsvProblem {
                    line: 1,
                    reason: CsvReason::BadHeader { found: "2027-01-01,holiday,元旦,测试".into() }
                }]
            }
        );
        assert!(err.to_string().contains("第1行：应为表头“date,kind,name,source”"), "{err}");
        assert_eq!(WorkCalendar::from_csv("").unwrap_err(), CalendarError::Empty);
        assert_eq!(WorkCalendar::from_csv("date,kind,name,source\n\n").unwrap_err(), CalendarError::Empty);
    }

    #[test]
    fn csv_with_missing_middle_year_is_rejected() {
        let text = "date,kind,name,source\n2025-01-01,holiday,元旦,测试\n2027-01-01,holiday,元旦,测试\n";
        assert_eq!(WorkCalendar::from_csv(text).unwrap_err(), CalendarError::MissingYear { year: 2026 });
    }

    #[test]
    fn csv_round_trip() {
        let c = cal();
        assert_eq!(WorkCalendar::from_csv(&c.to_csv()).unwrap(), c);
    }

    #[test]
    fn from_days_checks_rows() {
        let day = |date, kind| SpecialDay { date, kind, name: "测试".into(), source: "测试".into() };
        let c = WorkCalendar::from_days([day(ymd(2027, 1, 1), DayKind::Holiday)]).unwrap();
        assert_eq!(c.known_years(), 2027..=2027);
        assert_eq!(
            WorkCalendar::from_days([day(ymd(2027, 1, 7), DayKind::MakeupWorkday)]).unwrap_err(),
            CalendarError::MakeupOnWeekday { date: ymd(2027, 1, 7) }
        );
        assert!(matches!(
            WorkCalendar::from_days([
                day(ymd(2027, 1, 2), DayKind::MakeupWorkday),
                day(ymd(2027, 1, 2), DayKind::Holiday)
            ]),
            Err(CalendarError::Conflict { .. })
        ));
        assert_eq!(WorkCalendar::from_days([]).unwrap_err(), CalendarError::Empty);
    }

    #[test]
    fn day_kind_serde_uses_csv_codes() {
        assert_eq!(serde_json::to_string(&DayKind::MakeupWorkday).unwrap(), "\"makeup_workday\"");
        assert_eq!(DayKind::from_code("holiday"), Some(DayKind::Holiday));
        assert_eq!(DayKind::Holiday.code(), "holiday");
        assert_eq!(DayKind::from_code("Holiday"), None);
    }
}
