//! An official's daily deadline reminder (DESIGN §6, issue 19): which of the
//! dossiers assigned to them are overdue or due within [`DUE_SOON_DAYS`]
//! calendar days, and the e-mail that tells them, in their language.
//!
//! An official is reminded only when at least one dossier of theirs is due
//! soon or overdue; the digest then lists those first (the most overdue
//! first), then the other dossiers assigned to them, each with its number,
//! its type's title, its deadline, the days left or overdue, and the link to
//! it on the desk. Days are calendar days on Romania's date
//! ([`crate::calendar::local_date`]), as the inboxes count them.

use chrono::NaiveDate;

use crate::calendar::written_date;
use crate::deadline::days_left;
use crate::dossier::DossierStatus;
use crate::lang::Lang;

/// A dossier whose deadline is at most this many calendar days away (today
/// included) is due soon.
pub const DUE_SOON_DAYS: i64 = 3;

/// The most "other" dossiers a digest lists one by one (the rest are counted).
pub const MAX_OTHERS_LISTED: usize = 20;

/// How near a dossier's deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// The deadline passed `days` days ago (at least 1).
    Overdue {
        /// Days since the deadline.
        days: i64,
    },
    /// The deadline is today (0) or within [`DUE_SOON_DAYS`] days.
    DueSoon {
        /// Days left; 0 on the last day.
        days_left: i64,
    },
    /// The deadline is further away.
    Later {
        /// Days left.
        days_left: i64,
    },
}

impl Urgency {
    /// How near `deadline` is on `today`.
    #[must_use]
    pub fn of(deadline: NaiveDate, today: NaiveDate) -> Self {
        match days_left(deadline, today) {
            d if d < 0 => Urgency::Overdue { days: -d },
            d if d <= DUE_SOON_DAYS => Urgency::DueSoon { days_left: d },
            d => Urgency::Later { days_left: d },
        }
    }

    /// Whether it calls for a reminder (overdue or due soon).
    #[must_use]
    pub fn is_pressing(self) -> bool {
        !matches!(self, Urgency::Later { .. })
    }
}

/// Whether a dossier in `status` counts in its official's digest: it is
/// open and waits for the institution, not for the citizen's reply.
#[must_use]
pub fn awaits_the_institution(status: DossierStatus) -> bool {
    !status.is_terminal() && status != DossierStatus::AwaitingCitizen
}

/// One dossier assigned to the official, as the digest names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned<'a> {
    /// The registration number.
    pub number: &'a str,
    /// The type's title in the official's language.
    pub title: &'a str,
    /// The legal deadline.
    pub deadline: NaiveDate,
    /// The absolute link to the dossier on the desk.
    pub link: &'a str,
}

/// The reminder e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// The subject.
    pub subject: String,
    /// The text.
    pub text: String,
    /// How many dossiers are overdue.
    pub overdue: usize,
    /// How many are due within [`DUE_SOON_DAYS`] days.
    pub due_soon: usize,
}

/// Who is reminded, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addressee<'a> {
    /// The official's display name.
    pub name: &'a str,
    /// The institution's name.
    pub institution: &'a str,
    /// The desk's inbox of the official's own dossiers (absolute link).
    pub inbox: &'a str,
}

/// The digest of `assigned` on `today` in `lang`, or `None` when nothing is
/// overdue or due soon (the official gets nothing).
#[must_use]
pub fn digest(
    lang: Lang,
    to: &Addressee<'_>,
    assigned: &[Assigned<'_>],
    today: NaiveDate,
) -> Option<Digest> {
    let mut rated: Vec<(Urgency, &Assigned<'_>)> = assigned
        .iter()
        .map(|a| (Urgency::of(a.deadline, today), a))
        .collect();
    // The most overdue first, then the nearest deadline; by number on a tie.
    rated.sort_by(|(_, a), (_, b)| {
        a.deadline
            .cmp(&b.deadline)
            .then_with(|| a.number.cmp(b.number))
    });
    let overdue: Vec<_> = rated
        .iter()
        .filter(|(u, _)| matches!(u, Urgency::Overdue { .. }))
        .collect();
    let soon: Vec<_> = rated
        .iter()
        .filter(|(u, _)| matches!(u, Urgency::DueSoon { .. }))
        .collect();
    let later: Vec<_> = rated.iter().filter(|(u, _)| !u.is_pressing()).collect();
    if overdue.is_empty() && soon.is_empty() {
        return None;
    }
    let w = Words::of(lang);
    let mut text = format!(
        "{}\n\n{}\n",
        (w.greeting)(to.name),
        (w.intro)(to.institution, &written_date(lang, today)),
    );
    for (heading, list) in [(w.overdue, &overdue), (w.due_soon, &soon)] {
        if list.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{heading}\n"));
        for (u, a) in list.iter() {
            text.push_str(&line(lang, &w, *u, a));
        }
    }
    if !later.is_empty() {
        text.push_str(&format!("\n{}\n", w.others));
        for (u, a) in later.iter().take(MAX_OTHERS_LISTED) {
            text.push_str(&line(lang, &w, *u, a));
        }
        if later.len() > MAX_OTHERS_LISTED {
            text.push_str(&format!("{}\n", (w.more)(later.len() - MAX_OTHERS_LISTED)));
        }
    }
    text.push_str(&format!("\n{}\n{}\n\n{}\n", w.inbox, to.inbox, w.footer));
    Some(Digest {
        subject: (w.subject)(overdue.len(), soon.len(), to.institution),
        text,
        overdue: overdue.len(),
        due_soon: soon.len(),
    })
}

/// One dossier's lines: number, title, deadline and days, then its link.
fn line(lang: Lang, w: &Words, u: Urgency, a: &Assigned<'_>) -> String {
    format!(
        "- {} — {} — {} {} ({})\n  {}\n",
        a.number,
        a.title,
        w.deadline,
        written_date(lang, a.deadline),
        (w.days)(u),
        a.link
    )
}

/// A count of days in Romanian: `1 zi`, `2 zile`, `20 de zile`.
fn zile(n: i64) -> String {
    match n {
        1 => "1 zi".to_owned(),
        n if n % 100 == 0 || n % 100 >= 20 => format!("{n} de zile"),
        n => format!("{n} zile"),
    }
}

/// A count of dossiers in Romanian: `1 dosar`, `2 dosare`, `20 de dosare`.
fn dosare(n: usize) -> String {
    match n {
        1 => "1 dosar".to_owned(),
        n if n % 100 == 0 || n % 100 >= 20 => format!("{n} de dosare"),
        n => format!("{n} dosare"),
    }
}

fn plural_en(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The words of a digest in one language.
struct Words {
    greeting: fn(&str) -> String,
    intro: fn(&str, &str) -> String,
    overdue: &'static str,
    due_soon: &'static str,
    others: &'static str,
    deadline: &'static str,
    days: fn(Urgency) -> String,
    more: fn(usize) -> String,
    inbox: &'static str,
    footer: &'static str,
    subject: fn(usize, usize, &str) -> String,
}

impl Words {
    fn of(lang: Lang) -> Self {
        match lang {
            Lang::Ro => Self::ro(),
            Lang::Hu => Self::hu(),
            Lang::En => Self::en(),
        }
    }

    fn ro() -> Self {
        Self {
            greeting: |n| format!("Bună ziua, {n},"),
            intro: |i, d| format!("Dosarele repartizate dumneavoastră la {i}, la data de {d}:"),
            overdue: "Termen depășit:",
            due_soon: "Termen în următoarele 3 zile:",
            others: "Alte dosare repartizate dumneavoastră:",
            deadline: "termen",
            days: |u| match u {
                Urgency::Overdue { days } => format!("depășit cu {}", zile(days)),
                Urgency::DueSoon { days_left: 0 } => "expiră astăzi".to_owned(),
                Urgency::DueSoon { days_left } | Urgency::Later { days_left } => {
                    format!("mai sunt {}", zile(days_left))
                }
            },
            more: |n| format!("… și încă {}.", dosare(n)),
            inbox: "Toate dosarele dumneavoastră:",
            footer: "Mesaj trimis automat de Ghiseu, o dată pe zi, când aveți termene apropiate sau depășite.",
            subject: |o, s, i| match (o, s) {
                (0, s) => format!("Termene: {} în următoarele 3 zile — {i}", dosare(s)),
                (o, 0) => format!("Termene: {} cu termen depășit — {i}", dosare(o)),
                (o, s) => format!(
                    "Termene: {} cu termen depășit, {} în următoarele 3 zile — {i}",
                    dosare(o),
                    dosare(s)
                ),
            },
        }
    }

    fn hu() -> Self {
        Self {
            greeting: |n| format!("Tisztelt {n}!"),
            intro: |i, d| format!("Az Önre szignált ügyiratok ({i}), {d}:"),
            overdue: "Lejárt határidő:",
            due_soon: "A következő 3 napban lejáró határidő:",
            others: "További Önre szignált ügyiratok:",
            deadline: "határidő",
            days: |u| match u {
                Urgency::Overdue { days } => format!("{days} napja lejárt"),
                Urgency::DueSoon { days_left: 0 } => "ma jár le".to_owned(),
                Urgency::DueSoon { days_left } | Urgency::Later { days_left } => {
                    format!("még {days_left} nap")
                }
            },
            more: |n| format!("… és még {n} ügyirat."),
            inbox: "Az összes ügyirata:",
            footer: "A Ghiseu automatikus üzenete, naponta egyszer, ha közeli vagy lejárt határideje van.",
            subject: |o, s, i| match (o, s) {
                (0, s) => format!("Határidők: {s} ügyirat a következő 3 napban — {i}"),
                (o, 0) => format!("Határidők: {o} ügyirat lejárt határidővel — {i}"),
                (o, s) => format!(
                    "Határidők: {o} ügyirat lejárt határidővel, {s} a következő 3 napban — {i}"
                ),
            },
        }
    }

    fn en() -> Self {
        Self {
            greeting: |n| format!("Hello {n},"),
            intro: |i, d| format!("The dossiers assigned to you at {i}, on {d}:"),
            overdue: "Overdue:",
            due_soon: "Due in the next 3 days:",
            others: "Other dossiers assigned to you:",
            deadline: "deadline",
            days: |u| match u {
                Urgency::Overdue { days } => {
                    format!("{} overdue", plural_en(days, "day", "days"))
                }
                Urgency::DueSoon { days_left: 0 } => "due today".to_owned(),
                Urgency::DueSoon { days_left } | Urgency::Later { days_left } => {
                    format!("{} left", plural_en(days_left, "day", "days"))
                }
            },
            more: |n| format!("… and {} more.", plural_en(n as i64, "dossier", "dossiers")),
            inbox: "All your dossiers:",
            footer: "Sent automatically by Ghiseu, once a day, when you have deadlines near or past.",
            subject: |o, s, i| match (o, s) {
                (0, s) => format!(
                    "Deadlines: {} due in the next 3 days — {i}",
                    plural_en(s as i64, "dossier", "dossiers")
                ),
                (o, 0) => format!(
                    "Deadlines: {} overdue — {i}",
                    plural_en(o as i64, "dossier", "dossiers")
                ),
                (o, s) => format!(
                    "Deadlines: {} overdue, {s} due in the next 3 days — {i}",
                    plural_en(o as i64, "dossier", "dossiers")
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn urgency_table() {
        let today = d("2026-12-05");
        let table = [
            ("2026-11-05", Urgency::Overdue { days: 30 }),
            ("2026-12-04", Urgency::Overdue { days: 1 }),
            ("2026-12-05", Urgency::DueSoon { days_left: 0 }),
            ("2026-12-06", Urgency::DueSoon { days_left: 1 }),
            ("2026-12-08", Urgency::DueSoon { days_left: 3 }),
            ("2026-12-09", Urgency::Later { days_left: 4 }),
            ("2027-01-04", Urgency::Later { days_left: 30 }),
        ];
        for (deadline, want) in table {
            let got = Urgency::of(d(deadline), today);
            assert_eq!(got, want, "{deadline}");
            assert_eq!(got.is_pressing(), !matches!(want, Urgency::Later { .. }));
        }
    }

    #[test]
    fn only_dossiers_waiting_for_the_institution_count() {
        for status in DossierStatus::ALL {
            let want = matches!(
                status,
                DossierStatus::Registered
                    | DossierStatus::InProgress
                    | DossierStatus::AwaitingSignature
            );
            assert_eq!(awaits_the_institution(status), want, "{status:?}");
        }
    }

    #[test]
    fn romanian_counts_agree() {
        let table = [
            (1, "1 zi"),
            (2, "2 zile"),
            (19, "19 zile"),
            (20, "20 de zile"),
            (101, "101 zile"),
            (120, "120 de zile"),
        ];
        for (n, want) in table {
            assert_eq!(zile(n), want);
        }
        assert_eq!(dosare(1), "1 dosar");
        assert_eq!(dosare(3), "3 dosare");
        assert_eq!(dosare(25), "25 de dosare");
    }

    const TO: Addressee<'static> = Addressee {
        name: "Olga Funcționar",
        institution: "Primăria Turda",
        inbox: "https://turda.example.ro/desk?view=mine",
    };

    fn item(number: &'static str, deadline: &str) -> Assigned<'static> {
        Assigned {
            number,
            title: "Petiție",
            deadline: d(deadline),
            link: "https://turda.example.ro/desk/dossiers/x",
        }
    }

    #[test]
    fn nothing_pressing_sends_nothing() {
        let today = d("2026-12-05");
        assert_eq!(digest(Lang::Ro, &TO, &[], today), None);
        let later = [item("TRD-2026-000001", "2026-12-09")];
        assert_eq!(digest(Lang::Ro, &TO, &later, today), None);
    }

    #[test]
    fn the_digest_lists_overdue_then_due_soon_then_the_rest() {
        let today = d("2026-12-05");
        let list = [
            item("TRD-2026-000003", "2026-12-20"),
            item("TRD-2026-000002", "2026-12-07"),
            item("TRD-2026-000001", "2026-12-03"),
        ];
        let ro = digest(Lang::Ro, &TO, &list, today).unwrap();
        assert_eq!((ro.overdue, ro.due_soon), (1, 1));
        assert_eq!(
            ro.subject,
            "Termene: 1 dosar cu termen depășit, 1 dosar în următoarele 3 zile — Primăria Turda"
        );
        let at = |n: &str| ro.text.find(n).unwrap();
        assert!(at("TRD-2026-000001") < at("TRD-2026-000002"));
        assert!(at("TRD-2026-000002") < at("TRD-2026-000003"));
        assert!(
            ro.text.contains("termen 03.12.2026 (depășit cu 2 zile)"),
            "{}",
            ro.text
        );
        assert!(ro.text.contains("termen 07.12.2026 (mai sunt 2 zile)"));
        assert!(ro.text.contains("Alte dosare repartizate dumneavoastră:"));
        assert!(ro.text.contains("https://turda.example.ro/desk?view=mine"));

        let hu = digest(Lang::Hu, &TO, &list, today).unwrap();
        assert!(
            hu.text.contains("határidő 2026.12.03. (2 napja lejárt)"),
            "{}",
            hu.text
        );
        assert!(hu.text.contains("határidő 2026.12.07. (még 2 nap)"));
        assert!(hu.subject.starts_with("Határidők: 1 ügyirat lejárt"));

        let en = digest(
            Lang::En,
            &TO,
            &[item("TRD-2026-000009", "2026-12-05")],
            today,
        )
        .unwrap();
        assert_eq!(
            en.subject,
            "Deadlines: 1 dossier due in the next 3 days — Primăria Turda"
        );
        assert!(
            en.text.contains("deadline 05.12.2026 (due today)"),
            "{}",
            en.text
        );
        assert!(!en.text.contains("Other dossiers"));
    }

    #[test]
    fn a_long_tail_of_other_dossiers_is_counted_not_listed() {
        let today = d("2026-12-05");
        let numbers: Vec<String> = (0..25).map(|i| format!("TRD-2026-{i:06}")).collect();
        let mut list: Vec<Assigned<'_>> = numbers
            .iter()
            .map(|n| Assigned {
                number: n,
                title: "Petiție",
                deadline: d("2026-12-30"),
                link: "https://turda.example.ro/desk/dossiers/x",
            })
            .collect();
        list.push(item("TRD-2026-999999", "2026-12-01"));
        let ro = digest(Lang::Ro, &TO, &list, today).unwrap();
        assert_eq!(
            ro.text.matches("termen 30.12.2026").count(),
            MAX_OTHERS_LISTED
        );
        assert!(ro.text.contains("… și încă 5 dosare."), "{}", ro.text);
    }
}
