//! The Romanian calendar: public holidays, Orthodox Easter and local dates.
//!
//! Holidays are computed, not listed per year (Codul muncii, art. 139, as in force
//! since 2024): 1 and 2 January, 6 and 7 January (from 2024), 24 January, Orthodox
//! Good Friday, Easter Sunday and Monday, 1 May, 1 June, Orthodox Pentecost
//! (Rusalii) Sunday and Monday, 15 August, 30 November, 1 December, 25 and 26
//! December. Earlier changes to the list (other than 6/7 January) are not modelled.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc, Weekday,
};

/// Orthodox Easter Sunday of `year` as a Gregorian date, by Meeus' Julian
/// algorithm plus the 13-day Julian→Gregorian offset, which holds for 1900–2099.
/// `None` outside that range.
pub fn orthodox_easter(year: i32) -> Option<NaiveDate> {
    if !(1900..=2099).contains(&year) {
        return None;
    }
    let a = year % 4;
    let b = year % 7;
    let c = year % 19;
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    let julian_as_gregorian = NaiveDate::from_ymd_opt(year, month as u32, day as u32)?;
    Some(julian_as_gregorian + Duration::days(13))
}

/// Whether `date` is a Romanian public holiday (see the module doc).
/// Years outside 1900–2099 get the fixed-date holidays only.
pub fn is_public_holiday(date: NaiveDate) -> bool {
    let fixed = match (date.month(), date.day()) {
        (1, 1 | 2 | 24) | (5, 1) | (6, 1) | (8, 15) | (11, 30) | (12, 1 | 25 | 26) => true,
        (1, 6 | 7) => date.year() >= 2024,
        _ => false,
    };
    if fixed {
        return true;
    }
    let Some(easter) = orthodox_easter(date.year()) else {
        return false;
    };
    matches!((date - easter).num_days(), -2 | 0 | 1 | 49 | 50)
}

/// Whether `date` is a working day: not a Saturday, Sunday or public holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(date)
}

/// `date` itself if it is a working day, otherwise the next working day.
pub fn next_working_day_from(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    while !is_working_day(d) {
        d = d.succ_opt().expect("dates far from chrono's limits");
    }
    d
}

/// A date as the reader's language writes it: `04.12.2026` in Romanian and
/// English, `2026.12.04.` in Hungarian. Written out rather than through
/// chrono's `format`, which parses its pattern again on every call (the
/// tracking page writes several per lookup).
pub fn written_date(lang: crate::Lang, d: NaiveDate) -> String {
    match lang {
        crate::Lang::Hu => format!("{:04}.{:02}.{:02}.", d.year(), d.month(), d.day()),
        crate::Lang::Ro | crate::Lang::En => {
            format!("{:02}.{:02}.{:04}", d.day(), d.month(), d.year())
        }
    }
}

/// The wall-clock time in Romania at `at`, as the reader's language writes
/// it: [`written_date`] and `HH:MM`.
pub fn written_local_time(lang: crate::Lang, at: DateTime<Utc>) -> String {
    let t = local_datetime(at);
    format!(
        "{} {:02}:{:02}",
        written_date(lang, t.date()),
        t.hour(),
        t.minute()
    )
}

/// The date in Romania (Europe/Bucharest) at instant `at`: UTC+2, or UTC+3 in
/// summer time, which runs (EU rule) from 01:00 UTC on the last Sunday of March to
/// 01:00 UTC on the last Sunday of October. Deadlines and day counts use this date.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    local_datetime(at).date()
}

/// The wall-clock time in Romania (Europe/Bucharest) at instant `at`, by the
/// rule of [`local_date`]; what the public pages show.
pub fn local_datetime(at: DateTime<Utc>) -> NaiveDateTime {
    let year = at.year();
    let one_am = NaiveTime::from_hms_opt(1, 0, 0).expect("valid time");
    let summer_start = last_sunday(year, 3).and_time(one_am).and_utc();
    let summer_end = last_sunday(year, 10).and_time(one_am).and_utc();
    let offset = if at >= summer_start && at < summer_end {
        3
    } else {
        2
    };
    (at + Duration::hours(offset)).naive_utc()
}

/// The instant of the wall-clock time `naive` in Romania, the inverse of
/// [`local_datetime`] (an hour that does not exist, skipped in spring, is
/// read as winter time; an hour that happens twice, in autumn, as its first).
pub fn from_local_datetime(naive: NaiveDateTime) -> DateTime<Utc> {
    let summer = (naive - Duration::hours(3)).and_utc();
    if local_datetime(summer) == naive {
        summer
    } else {
        (naive - Duration::hours(2)).and_utc()
    }
}

/// The first instant of `date` in Romania (its local midnight).
pub fn start_of_local_day(date: NaiveDate) -> DateTime<Utc> {
    from_local_datetime(date.and_time(NaiveTime::MIN))
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let last =
        NaiveDate::from_ymd_opt(year, month + 1, 1).expect("month 3 or 10") - Duration::days(1);
    last - Duration::days(i64::from(last.weekday().num_days_from_sunday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_time_goes_back_to_its_instant_in_summer_and_winter() {
        let naive = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        for (local, instant) in [
            ("2026-01-15 00:00", "2026-01-14T22:00:00Z"),
            ("2026-07-01 23:59", "2026-07-01T20:59:00Z"),
            // The hour skipped in spring is read as winter time.
            ("2026-03-29 03:30", "2026-03-29T01:30:00Z"),
            // The hour that happens twice in autumn: its first time.
            ("2026-10-25 03:30", "2026-10-25T00:30:00Z"),
        ] {
            assert_eq!(from_local_datetime(naive(local)), utc(instant), "{local}");
        }
        let d = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(start_of_local_day(d), utc("2026-10-31T22:00:00Z"));
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_read_as_chrono_formats_them() {
        for at in [
            "2026-07-01T21:30:00Z",
            "2026-03-29T00:59:59Z",
            "2026-10-25T00:00:00Z",
            "0999-01-02T03:04:05Z",
        ] {
            let at: DateTime<Utc> = at.parse().unwrap();
            assert_eq!(
                written_local_time(crate::Lang::Ro, at),
                local_datetime(at).format("%d.%m.%Y %H:%M").to_string()
            );
            assert_eq!(
                written_date(crate::Lang::En, at.date_naive()),
                at.format("%d.%m.%Y").to_string()
            );
            assert_eq!(
                written_date(crate::Lang::Hu, at.date_naive()),
                at.format("%Y.%m.%d.").to_string()
            );
        }
    }

    #[test]
    fn orthodox_easter_known_dates() {
        let cases = [
            (2000, "2000-04-30"),
            (2019, "2019-04-28"),
            (2021, "2021-05-02"),
            (2022, "2022-04-24"),
            (2023, "2023-04-16"),
            (2024, "2024-05-05"),
            (2025, "2025-04-20"),
            (2026, "2026-04-12"),
            (2027, "2027-05-02"),
            (2028, "2028-04-16"),
        ];
        for (year, want) in cases {
            assert_eq!(orthodox_easter(year), Some(d(want)), "{year}");
        }
        assert_eq!(orthodox_easter(1899), None);
        assert_eq!(orthodox_easter(2100), None);
    }

    #[test]
    fn holiday_table() {
        let cases = [
            ("2026-01-01", true),
            ("2026-01-02", true),
            ("2026-01-06", true),
            ("2026-01-07", true),
            ("2023-01-06", false),
            ("2026-01-24", true),
            ("2026-04-10", true), // Good Friday
            ("2026-04-12", true), // Easter
            ("2026-04-13", true), // Easter Monday
            ("2026-04-14", false),
            ("2026-05-01", true),
            ("2026-05-31", true), // Rusalii
            ("2026-06-01", true), // Rusalii Monday and Children's Day
            ("2025-06-08", true), // Rusalii 2025
            ("2025-06-09", true),
            ("2026-08-15", true),
            ("2026-11-30", true),
            ("2026-12-01", true),
            ("2026-12-25", true),
            ("2026-12-26", true),
            ("2026-12-27", false),
            ("2026-03-02", false),
        ];
        for (date, want) in cases {
            assert_eq!(is_public_holiday(d(date)), want, "{date}");
        }
    }

    #[test]
    fn local_date_follows_bucharest_time() {
        let cases = [
            ("2026-01-15T21:59:59Z", "2026-01-15"),
            ("2026-01-15T22:00:00Z", "2026-01-16"),
            ("2026-07-15T20:59:59Z", "2026-07-15"),
            ("2026-07-15T21:00:00Z", "2026-07-16"),
            // Summer time 2026: 29 March 01:00 UTC to 25 October 01:00 UTC.
            ("2026-03-29T00:59:59Z", "2026-03-29"),
            ("2026-03-28T21:30:00Z", "2026-03-28"),
            ("2026-10-24T21:30:00Z", "2026-10-25"),
            ("2026-12-31T22:30:00Z", "2027-01-01"),
        ];
        for (at, want) in cases {
            let at: DateTime<Utc> = at.parse().unwrap();
            assert_eq!(local_date(at), d(want), "{at}");
        }
    }
}
