//! Legal deadlines: how long an institution has to answer.
//!
//! * Calendar days by default: OG 27/2002 (petitions) gives 30 days, Law 544/2001
//!   (public information) 10 days. The deadline is the registration date (Romanian
//!   local date) plus N days.
//! * When that last day is a Saturday, Sunday or public holiday, the deadline
//!   moves to the next working day. This mirrors the civil-procedure rule for time
//!   limits (Codul de procedură civilă, art. 181 alin. (2)).
//! * [`DeadlineRule::WorkingDays`] counts only working days after the registration
//!   date instead; its result is always a working day.
//! * One extension per dossier, of 1 to [`MAX_EXTENSION_DAYS`] calendar days (OG
//!   27/2002 art. 9), with a reason: the new deadline is the current one plus the
//!   days, again moved to the next working day if needed.
//! * [`days_in_institution`] counts calendar days with the registration day as day
//!   0; [`days_left`] is negative once the deadline has passed.

use chrono::{Duration, NaiveDate};
use thiserror::Error;

use crate::calendar::{is_working_day, next_working_day_from};

/// OG 27/2002: petitions are answered within 30 days.
pub const PETITION_DAYS: u16 = 30;
/// Law 544/2001: public-information requests are answered within 10 days.
pub const PUBLIC_INFORMATION_DAYS: u16 = 10;
/// The longest single extension, in calendar days.
pub const MAX_EXTENSION_DAYS: u16 = 15;

/// How a document type's deadline is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadlineRule {
    /// N calendar days, the last one moved to the next working day if needed.
    CalendarDays(u16),
    /// N working days after the registration date.
    WorkingDays(u16),
}

impl Default for DeadlineRule {
    /// 30 calendar days (OG 27/2002).
    fn default() -> Self {
        Self::CalendarDays(PETITION_DAYS)
    }
}

impl DeadlineRule {
    /// Law 544/2001's 10 calendar days.
    pub const PUBLIC_INFORMATION: Self = Self::CalendarDays(PUBLIC_INFORMATION_DAYS);

    /// The deadline for a dossier registered on `registered_on` (a local date).
    pub fn due_date(self, registered_on: NaiveDate) -> NaiveDate {
        match self {
            Self::CalendarDays(n) => {
                next_working_day_from(registered_on + Duration::days(i64::from(n)))
            }
            Self::WorkingDays(n) => {
                let mut d = registered_on;
                let mut left = n;
                while left > 0 {
                    d = d.succ_opt().expect("dates far from chrono's limits");
                    if is_working_day(d) {
                        left -= 1;
                    }
                }
                next_working_day_from(d)
            }
        }
    }
}

/// Why a deadline extension was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DeadlineError {
    /// Zero days or more than [`MAX_EXTENSION_DAYS`].
    #[error("a deadline may be extended by 1 to 15 days")]
    ExtensionDays,
    /// The dossier's deadline was already extended once.
    #[error("the deadline of this dossier was already extended")]
    AlreadyExtended,
}

/// The deadline after extending `deadline` by `days` (1–15), moved to the next
/// working day if needed. `already_extended` refuses a second extension. The
/// reason is required by the type of [`crate::Command::ExtendDeadline`].
pub fn extend(
    deadline: NaiveDate,
    days: u16,
    already_extended: bool,
) -> Result<NaiveDate, DeadlineError> {
    if already_extended {
        return Err(DeadlineError::AlreadyExtended);
    }
    if !(1..=MAX_EXTENSION_DAYS).contains(&days) {
        return Err(DeadlineError::ExtensionDays);
    }
    Ok(extended(deadline, days))
}

/// `deadline` plus `days` calendar days, moved to the next working day if
/// needed, without the checks of [`extend`] (used when replaying a route).
pub fn extended(deadline: NaiveDate, days: u16) -> NaiveDate {
    next_working_day_from(deadline + Duration::days(i64::from(days)))
}

/// The pause rule while the institution waits for the citizen's reply to an
/// information request: the legal deadline stops running on the day of the
/// request and runs again on the day of the reply, so it moves by the calendar
/// days from the request to the reply (0 when the reply comes the same day).
/// The moved deadline is pushed to the next working day like any deadline.
/// A reply dated before its request (clock skew) pauses nothing.
pub fn paused_days(requested_on: NaiveDate, replied_on: NaiveDate) -> u16 {
    u16::try_from((replied_on - requested_on).num_days().max(0)).unwrap_or(u16::MAX)
}

/// OG 27/2002 art. 6^1: a petition sent to the wrong institution is forwarded
/// to the competent one within 5 days of its registration.
pub const FORWARDING_LIMIT_DAYS: i64 = 5;

/// How many days are left (negative: overdue) on `today` to forward a
/// misdirected petition registered on `registered_on`.
pub fn forwarding_days_left(registered_on: NaiveDate, today: NaiveDate) -> i64 {
    FORWARDING_LIMIT_DAYS - days_in_institution(registered_on, today)
}

/// Calendar days a dossier has spent in the institution on `today`; the
/// registration day is day 0. Never negative.
pub fn days_in_institution(registered_on: NaiveDate, today: NaiveDate) -> i64 {
    (today - registered_on).num_days().max(0)
}

/// Calendar days from `today` to `deadline`: 0 on the last day, negative when
/// overdue (−1 the day after the deadline).
pub fn days_left(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (deadline - today).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn pause_rule_table() {
        let cases = [
            ("2026-03-03", "2026-03-03", 0),
            ("2026-03-03", "2026-03-04", 1),
            ("2026-03-03", "2026-03-20", 17),
            ("2026-12-30", "2027-01-02", 3),
            ("2026-03-05", "2026-03-04", 0),
        ];
        for (asked, replied, want) in cases {
            assert_eq!(
                paused_days(d(asked), d(replied)),
                want,
                "{asked} → {replied}"
            );
        }
        // 30 calendar days from 2 March → 1 April; paused 17 days → 18 April
        // (a Saturday; 2026's Orthodox Easter is 12 April) → Monday 20 April.
        assert_eq!(extended(d("2026-04-01"), 17), d("2026-04-20"));
    }

    #[test]
    fn forwarding_limit_table() {
        let reg = d("2026-03-02");
        for (today, want) in [
            ("2026-03-02", 5),
            ("2026-03-05", 2),
            ("2026-03-07", 0),
            ("2026-03-09", -2),
        ] {
            assert_eq!(forwarding_days_left(reg, d(today)), want, "{today}");
        }
    }

    #[test]
    fn due_date_table() {
        use DeadlineRule::{CalendarDays as C, WorkingDays as W};
        let cases = [
            // Plain 30 days landing on a working day (Monday 2026-03-02 + 30 = Wed 04-01).
            (C(30), "2026-03-02", "2026-04-01"),
            // Lands on Saturday 2026-03-07 -> Monday 03-09.
            (C(30), "2026-02-05", "2026-03-09"),
            // Lands on Sunday -> Monday.
            (C(30), "2026-02-06", "2026-03-09"),
            // Lands on Good Friday 2026-04-10 -> over Easter weekend and Monday -> Tue 04-14.
            (C(30), "2026-03-11", "2026-04-14"),
            // Lands on Rusalii Sunday 2026-05-31, Monday 06-01 is holiday -> Tue 06-02.
            (C(30), "2026-05-01", "2026-06-02"),
            // Lands on 2026-12-25 (Fri) -> 26 (Sat, holiday), 27 Sun -> Mon 12-28.
            (C(30), "2026-11-25", "2026-12-28"),
            // Crosses year end; 2027-01-01 Fri holiday, weekend, 04 Monday.
            (C(30), "2026-12-02", "2027-01-04"),
            // Jan 6/7 2027 (Wed/Thu) holidays -> Fri 01-08.
            (C(10), "2026-12-27", "2027-01-08"),
            // Law 544: 10 days.
            (DeadlineRule::PUBLIC_INFORMATION, "2026-03-02", "2026-03-12"),
            // Nov 30 + Dec 1 2026 (Mon, Tue).
            (C(10), "2026-11-20", "2026-12-02"),
            // Working days: Friday + 1 -> Monday.
            (W(1), "2026-03-06", "2026-03-09"),
            // Working days across Easter 2026: Thu 04-09 + 2 -> skips Fri 10, weekend, Mon 13 -> Tue 14, Wed 15.
            (W(2), "2026-04-09", "2026-04-15"),
            // Registered on a Saturday: count from Monday.
            (W(5), "2026-03-07", "2026-03-13"),
            (W(10), "2026-03-02", "2026-03-16"),
            // Zero days on a holiday still lands on a working day.
            (C(0), "2026-01-01", "2026-01-05"),
        ];
        for (rule, registered, want) in cases {
            assert_eq!(
                rule.due_date(d(registered)),
                d(want),
                "{rule:?} from {registered}"
            );
        }
    }

    #[test]
    fn extension_table() {
        let cases = [
            ("2026-04-01", 15, false, Ok("2026-04-16")),
            ("2026-04-01", 1, false, Ok("2026-04-02")),
            // 2026-03-27 + 15 = 04-11 (Sat, Easter weekend) -> Tue 04-14.
            ("2026-03-27", 15, false, Ok("2026-04-14")),
            ("2026-04-01", 0, false, Err(DeadlineError::ExtensionDays)),
            ("2026-04-01", 16, false, Err(DeadlineError::ExtensionDays)),
            ("2026-04-01", 5, true, Err(DeadlineError::AlreadyExtended)),
        ];
        for (deadline, days, again, want) in cases {
            assert_eq!(
                extend(d(deadline), days, again),
                want.map(d),
                "{deadline} +{days}"
            );
        }
    }

    #[test]
    fn day_counts() {
        let cases = [
            ("2026-03-02", "2026-04-01", "2026-03-02", 0, 30),
            ("2026-03-02", "2026-04-01", "2026-03-03", 1, 29),
            ("2026-03-02", "2026-04-01", "2026-04-01", 30, 0),
            ("2026-03-02", "2026-04-01", "2026-04-03", 32, -2),
            ("2026-03-02", "2026-04-01", "2026-03-01", 0, 31),
        ];
        for (registered, deadline, today, inside, left) in cases {
            assert_eq!(
                days_in_institution(d(registered), d(today)),
                inside,
                "{today}"
            );
            assert_eq!(days_left(d(deadline), d(today)), left, "{today}");
        }
    }
}
