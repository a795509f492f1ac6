//! Public statistics of an institution (DESIGN §5 "Statistics"): per year and
//! month of registration, how many requests came in (online, on paper), how
//! they ended, how long answering took, and how many were or are late.
//!
//! A dossier counts in the month it was registered (a cohort): a month's row
//! says what became of the requests registered in it, so once all of them are
//! closed the row no longer changes. Only counts leave this module; nothing
//! that could name a citizen is kept in [`Facts`].
//!
//! Definitions (the open-data page says them in words):
//! - *answered*: resolved or rejected; withdrawn, forwarded to another
//!   institution and joined duplicates are *closed otherwise* and count in no
//!   timeliness figure;
//! - *on time*: answered on or before the legal deadline (extensions and the
//!   pause while waiting for the citizen included);
//! - *overdue*: answered after the deadline, or still open after it on `today`;
//! - *median days*: of the answered, calendar days from registration (day 0)
//!   to the answer.

use chrono::{Datelike, NaiveDate};

use crate::deadline;
use crate::dossier::{Channel, Dossier, DossierStatus};

/// What statistics need of one dossier, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The Romanian local date of registration.
    pub registered_on: NaiveDate,
    /// How the request arrived.
    pub channel: Channel,
    /// Its internal status now.
    pub status: DossierStatus,
    /// The local date it was closed, if it is.
    pub closed_on: Option<NaiveDate>,
    /// Its legal deadline (as extended or paused).
    pub deadline: NaiveDate,
}

impl Facts {
    /// The facts of `dossier`.
    #[must_use]
    pub fn of(dossier: &Dossier) -> Self {
        Self {
            registered_on: dossier.registered_on(),
            channel: dossier.channel(),
            status: dossier.status(),
            closed_on: dossier.closed_on(),
            deadline: dossier.deadline(),
        }
    }

    fn answered(&self) -> bool {
        matches!(
            self.status,
            DossierStatus::Resolved | DossierStatus::Rejected
        )
    }
}

/// The figures of one period (a month, or the whole year).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Period {
    /// Registered in the period.
    pub submitted: u32,
    /// Of those, submitted online.
    pub online: u32,
    /// Of those, handed in on paper.
    pub paper: u32,
    /// Resolved (answer given or document issued).
    pub resolved: u32,
    /// Rejected.
    pub rejected: u32,
    /// Closed otherwise: withdrawn, forwarded to another institution, joined
    /// to an earlier dossier.
    pub closed_otherwise: u32,
    /// Still open.
    pub open: u32,
    /// Answered on or before the deadline.
    pub on_time: u32,
    /// Answered after the deadline, or open past it.
    pub overdue: u32,
    /// The median of the answered ones' days in the institution; `None` when
    /// none was answered. A half day when the count is even.
    pub median_days: Option<f64>,
}

/// One year's statistics: a row per month (January first), up to the last
/// month that has begun on `today` (all twelve for a past year), and the
/// year's total.
#[derive(Debug, Clone, PartialEq)]
pub struct YearStats {
    /// The year.
    pub year: i32,
    /// `(month 1..=12, figures)`.
    pub months: Vec<(u32, Period)>,
    /// The whole year.
    pub total: Period,
}

/// The statistics of `year` from the facts of the dossiers registered in it
/// (facts of other years are ignored), on `today` (a Romanian local date).
#[must_use]
pub fn year_stats(year: i32, facts: &[Facts], today: NaiveDate) -> YearStats {
    let last_month = if year < today.year() {
        12
    } else if year == today.year() {
        today.month()
    } else {
        0
    };
    let mut months: Vec<(u32, Period)> = (1..=last_month).map(|m| (m, Period::default())).collect();
    let mut month_days: Vec<Vec<i64>> = vec![Vec::new(); months.len()];
    let mut total = Period::default();
    let mut total_days = Vec::new();
    for f in facts.iter().filter(|f| f.registered_on.year() == year) {
        let index = f.registered_on.month0() as usize;
        let days = count(&mut total, f, today);
        total_days.extend(days);
        if let (Some((_, period)), Some(list)) = (months.get_mut(index), month_days.get_mut(index))
        {
            list.extend(count(period, f, today));
        }
    }
    for ((_, period), mut days) in months.iter_mut().zip(month_days) {
        period.median_days = median(&mut days);
    }
    total.median_days = median(&mut total_days);
    YearStats {
        year,
        months,
        total,
    }
}

/// Adds `f` to `p`; the answered one's days in the institution, if answered.
fn count(p: &mut Period, f: &Facts, today: NaiveDate) -> Option<i64> {
    p.submitted += 1;
    match f.channel {
        Channel::Online => p.online += 1,
        Channel::Paper => p.paper += 1,
    }
    match f.status {
        DossierStatus::Resolved => p.resolved += 1,
        DossierStatus::Rejected => p.rejected += 1,
        s if s.is_terminal() => p.closed_otherwise += 1,
        _ => p.open += 1,
    }
    if f.answered() {
        let closed = f.closed_on.unwrap_or(today);
        if closed <= f.deadline {
            p.on_time += 1;
        } else {
            p.overdue += 1;
        }
        Some(deadline::days_in_institution(f.registered_on, closed))
    } else {
        if !f.status.is_terminal() && today > f.deadline {
            p.overdue += 1;
        }
        None
    }
}

#[allow(clippy::cast_precision_loss, reason = "day counts are small")]
fn median(days: &mut [i64]) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let mid = days.len() / 2;
    Some(if days.len() % 2 == 1 {
        days[mid] as f64
    } else {
        (days[mid - 1] + days[mid]) as f64 / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(
        registered: &str,
        channel: Channel,
        status: DossierStatus,
        closed: Option<&str>,
        deadline: &str,
    ) -> Facts {
        Facts {
            registered_on: d(registered),
            channel,
            status,
            closed_on: closed.map(d),
            deadline: d(deadline),
        }
    }

    use Channel::{Online, Paper};
    use DossierStatus::{AwaitingCitizen, InProgress, Registered, Rejected, Resolved, Withdrawn};

    #[test]
    fn a_month_counts_channels_outcomes_timeliness_and_the_median() {
        let f = [
            // Answered on the deadline day: on time, 30 days.
            facts(
                "2026-03-02",
                Paper,
                Resolved,
                Some("2026-04-01"),
                "2026-04-01",
            ),
            // Answered a day late: overdue, 31 days.
            facts(
                "2026-03-02",
                Online,
                Rejected,
                Some("2026-04-02"),
                "2026-04-01",
            ),
            // Answered the same day: on time, 0 days.
            facts(
                "2026-03-10",
                Online,
                Resolved,
                Some("2026-03-10"),
                "2026-04-09",
            ),
            // Open, past its deadline on "today": overdue.
            facts("2026-03-11", Paper, InProgress, None, "2026-04-10"),
            // Open, not yet due (paused while waiting for the citizen).
            facts("2026-03-12", Paper, AwaitingCitizen, None, "2026-06-01"),
            // Withdrawn: closed otherwise, late or not it counts in no timeliness.
            facts(
                "2026-03-13",
                Online,
                Withdrawn,
                Some("2026-05-20"),
                "2026-04-12",
            ),
        ];
        let s = year_stats(2026, &f, d("2026-05-31"));
        assert_eq!(s.months.len(), 5, "January to May");
        let (month, march) = &s.months[2];
        assert_eq!(*month, 3);
        assert_eq!(
            *march,
            Period {
                submitted: 6,
                online: 3,
                paper: 3,
                resolved: 2,
                rejected: 1,
                closed_otherwise: 1,
                open: 2,
                on_time: 2,
                overdue: 2,
                median_days: Some(30.0),
            }
        );
        assert_eq!(s.total, *march, "nothing else was registered that year");
        assert_eq!(s.months[0].1, Period::default(), "January is empty");
        assert_eq!(s.months[0].1.median_days, None);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let f = [
            facts(
                "2026-01-05",
                Paper,
                Resolved,
                Some("2026-01-06"),
                "2026-02-04",
            ),
            facts(
                "2026-01-05",
                Paper,
                Resolved,
                Some("2026-01-09"),
                "2026-02-04",
            ),
            facts(
                "2026-02-02",
                Paper,
                Resolved,
                Some("2026-02-12"),
                "2026-03-04",
            ),
            facts(
                "2026-02-02",
                Paper,
                Resolved,
                Some("2026-02-22"),
                "2026-03-04",
            ),
        ];
        let s = year_stats(2026, &f, d("2026-12-31"));
        assert_eq!(s.months[0].1.median_days, Some(2.5));
        assert_eq!(s.months[1].1.median_days, Some(15.0));
        // Days 1, 4, 10, 20: the year's median is (4 + 10) / 2.
        assert_eq!(s.total.median_days, Some(7.0));
        assert_eq!(s.months.len(), 12);
    }

    #[test]
    fn other_years_and_future_years_are_left_out() {
        let f = [
            facts("2025-12-31", Paper, Registered, None, "2026-01-30"),
            facts("2026-01-01", Paper, Registered, None, "2026-01-31"),
        ];
        let s = year_stats(2026, &f, d("2026-01-15"));
        assert_eq!(s.total.submitted, 1);
        assert_eq!(s.total.overdue, 0, "due on the 31st, today is the 15th");
        assert_eq!(s.months.len(), 1);
        let past = year_stats(2025, &f, d("2026-01-15"));
        assert_eq!(past.total.submitted, 1);
        assert_eq!(past.months.len(), 12);
        assert_eq!(past.months[11].1.submitted, 1);
        assert!(year_stats(2027, &f, d("2026-01-15")).months.is_empty());
        assert_eq!(
            year_stats(2027, &f, d("2026-01-15")).total,
            Period::default()
        );
    }

    #[test]
    fn an_open_dossier_becomes_overdue_the_day_after_its_deadline() {
        let f = [facts("2026-01-01", Online, InProgress, None, "2026-01-31")];
        assert_eq!(year_stats(2026, &f, d("2026-01-31")).total.overdue, 0);
        assert_eq!(year_stats(2026, &f, d("2026-02-01")).total.overdue, 1);
    }
}
