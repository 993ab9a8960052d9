//! Deadlines counted in working days on the platform's calendar: the reply to a share application
//! (国发〔2016〕51号 第十二条, 10 working days), the update of the catalogue after a change of
//! duties or of a law (第八条, 15 working days) and the answer to an application for
//! conditionally open data.
//!
//! The calendar knows the years whose 放假安排 the State Council has published (it publishes the
//! next year's in November or December). A deadline that runs past them is still set on the day,
//! counting the unknown days Monday to Friday, and is marked provisional
//! ([`domain::calendar::WorkCalendar::deadline_after`]); the pages show it as "（暂定）". Once the
//! calendar is extended (`--calendar FILE`, `GOVSHARE_CALENDAR`), [`recompute_provisional`] sets
//! every provisional deadline to its exact date. It runs with the platform's watch, at start and
//! every ten minutes, before overdue applications are escalated.

use chrono::{Datelike, NaiveDate};
use domain::calendar::Deadline;
use serde_json::json;
use store::model::{DeadlineOf, ProvisionalDeadline};

use crate::{Result, Services, audit};

/// How far ahead of today the calendar should reach before the platform warns that deadlines
/// are about to turn provisional (the longest window, 15 working days, is about three weeks).
const HORIZON_DAYS: u64 = 31;

/// The working days each kind of deadline counts, from the settings.
fn window(svc: &Services, of: DeadlineOf) -> u32 {
    match of {
        DeadlineOf::Application | DeadlineOf::OpenRequest => svc.settings.reply_days,
        DeadlineOf::DutyChange => svc.settings.currency_window_days,
    }
}

fn object_type(of: DeadlineOf) -> &'static str {
    match of {
        DeadlineOf::Application => "application",
        DeadlineOf::DutyChange => "duty_change",
        DeadlineOf::OpenRequest => "open_request",
    }
}

/// One deadline moved by [`recompute_provisional`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedDeadline {
    pub of: DeadlineOf,
    pub id: i64,
    pub from: NaiveDate,
    pub to: Deadline,
}

/// Recomputes every provisional deadline on the current calendar. A deadline the calendar now
/// covers becomes exact; one that still runs past it keeps its date and its mark. Each move is
/// recorded as a `deadline.recompute` audit event, since it changes when a department is late.
///
/// The window is the one configured now (`Settings::reply_days`, `currency_window_days`); a
/// deadline keeps no record of the setting it was counted with.
pub async fn recompute_provisional(svc: &Services) -> Result<Vec<MovedDeadline>> {
    let pending = svc.store.provisional_deadlines().await?;
    let mut moved = Vec::new();
    for ProvisionalDeadline { of, id, start, due } in pending {
        // The same count as when it was set (domain::sharing::reply_deadline, DutyChangeSpec::deadline).
        let now = svc.calendar.deadline_after(start, window(svc, of))?;
        if now.provisional && now.date == due {
            continue;
        }
        if !svc.store.move_provisional_deadline(of, id, due, now).await? {
            continue; // another node's watch moved it first (and audited it)
        }
        audit::record(
            svc,
            None,
            "deadline.recompute",
            object_type(of),
            Some(id.to_string()),
            json!({"from": due.to_string(), "to": now.date.to_string(), "provisional": now.provisional,
                   "calendar_last_year": svc.calendar.last_year()}),
        )
        .await?;
        moved.push(MovedDeadline { of, id, from: due, to: now });
    }
    Ok(moved)
}

/// A warning for the operators when the calendar ends within a month of today: from then on new
/// deadlines are provisional until next year's 放假安排 is loaded. `None` while it reaches far
/// enough.
pub fn calendar_warning(svc: &Services) -> Option<String> {
    let today = svc.clock.today();
    let horizon = today.checked_add_days(chrono::Days::new(HORIZON_DAYS)).unwrap_or(today);
    let last = svc.calendar.last_year();
    (horizon.year() > last).then(|| {
        format!(
            "工作日历只到{last}年：{next}年的期限暂按周一至周五计算并标注“暂定”。请在国务院办公厅公布{next}年节假日安排后，以 --calendar 文件（或环境变量 GOVSHARE_CALENDAR，格式同内置日历：date,kind,name,source）导入后重启，平台将自动重算暂定期限",
            next = last + 1
        )
    })
}
