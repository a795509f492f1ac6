//! Retention (issue 20, item 3): when a dossier's personal data and files
//! are erased, and what the erased dossier keeps.
//!
//! A closed dossier is kept for its document type's `retention_years` (the
//! version it was registered under: what the institution promised then),
//! counted from the Romanian local date it was closed
//! ([`Dossier::closed_on`]); from the day after that period ends it is due
//! ([`is_due`]). An open dossier is never due.
//!
//! # What is erased and what is kept
//!
//! Erased ([`erase`]): the citizen's contact (name, e-mail, phone, CNP), the
//! form's answers, the internal note, every public note of the route, the
//! free texts of the route that may name or quote people (an information
//! request's question, the citizen's reply, a rejection's reason, an
//! extension's reason) and every file name; the files themselves are deleted
//! from the object store by the caller (`ghiseu_app::retention`), which also
//! removes the citizen account's link to the dossier. A text that the route
//! requires is replaced by [`ERASED_TEXT`] (so the desk shows that something
//! was there and was erased); an optional one becomes absent.
//!
//! Kept: the id, registration number, tracking token, type and its version,
//! channel, registration time, the page count, the institution it came from,
//! and the whole shape of the route: every event's kind, time, actor,
//! department and official, the deadline and its extensions and pauses, and
//! each file's SHA-256, type and size (not its name). So the state replayed
//! from the route (status, department, deadline, closing date) and therefore
//! every statistic are the same before and after, and tracking still shows
//! the public route. Keeping the digests is deliberate: they say which objects
//! the erasure deleted (a run that died halfway deletes them again), and a
//! digest alone does not give the file back.
//!
//! # The hash chain after erasure
//!
//! The route's chain covers the texts, so erasing them breaks the old hashes.
//! The erased route is re-chained from the genesis value with the same
//! canonical encoding (`route.rs`, v1), and the head before erasure is kept in
//! the dossier's [`Erasure`] (`previous_head`): the erased route verifies like
//! any other ([`Dossier::from_parts`]), an edit of an erased event is detected
//! as before, and a head published earlier (a tracking page's `route_head`)
//! can be matched to the erasure record that replaced it. No event is
//! appended: an "erased" event would move the dossier's last change, which is
//! its closing date, and so the statistics.
//!
//! Erasing is idempotent: an erased dossier erased again is returned
//! unchanged (its first erasure's time and previous head stay).

use std::collections::HashSet;

use chrono::{DateTime, Months, NaiveDate, Utc};

use crate::attachment::{Attachment, OriginalName};
use crate::citizen_contact::CitizenContact;
use crate::dossier::Dossier;
pub use crate::dossier::Erasure;
use crate::form::FormData;
use crate::route::{EventKind, Route, RouteEvent};
use crate::text::Reason;

/// The text that replaces an erased required text and every file name, in
/// the three languages of the platform (it is data, shown as is wherever the
/// text was shown).
pub const ERASED_TEXT: &str =
    "șters la expirarea păstrării · törölve a megőrzési idő lejártával · erased after retention";

/// The last day a dossier closed on `closed_on` is kept under a retention of
/// `years` (the same day and month `years` later; 29 February becomes
/// 28 February). `None` past the calendar's end.
#[must_use]
pub fn last_day(closed_on: NaiveDate, years: u16) -> Option<NaiveDate> {
    closed_on.checked_add_months(Months::new(u32::from(years) * 12))
}

/// Whether `dossier` is due for erasure on `today` (a Romanian local date)
/// under a retention of `retention_years`: closed, not yet erased, and its
/// retention ended before `today`.
#[must_use]
pub fn is_due(dossier: &Dossier, retention_years: u16, today: NaiveDate) -> bool {
    if dossier.erasure().is_some() {
        return false;
    }
    dossier
        .closed_on()
        .and_then(|closed| last_day(closed, retention_years))
        .is_some_and(|last| today > last)
}

/// Every distinct file of `dossier` (by digest), in the order they appear:
/// the attachments, then the route's files (replies, responses, signed
/// documents).
#[must_use]
pub fn files(dossier: &Dossier) -> Vec<&Attachment> {
    let route_files = dossier
        .route()
        .events()
        .iter()
        .flat_map(|e| match &e.event.kind {
            EventKind::CitizenReplied { documents, .. } => documents.iter().collect(),
            EventKind::ResponseDrafted { document } | EventKind::Signed { document, .. } => {
                vec![document]
            }
            _ => Vec::new(),
        });
    let mut seen = HashSet::new();
    dossier
        .attachments()
        .iter()
        .chain(route_files)
        .filter(|a| seen.insert(a.sha256))
        .collect()
}

fn erased_reason() -> Reason {
    Reason::parse(ERASED_TEXT).expect("the marker is a valid text")
}

fn erased_file(a: &Attachment) -> Attachment {
    Attachment {
        original_name: OriginalName::parse(ERASED_TEXT).expect("the marker is a valid file name"),
        ..a.clone()
    }
}

fn erased_event(e: &RouteEvent) -> RouteEvent {
    let kind = match &e.kind {
        EventKind::InfoRequested { .. } => EventKind::InfoRequested {
            question: erased_reason(),
        },
        EventKind::CitizenReplied {
            paused_days,
            message,
            documents,
        } => EventKind::CitizenReplied {
            paused_days: *paused_days,
            message: message.as_ref().map(|_| erased_reason()),
            documents: documents.iter().map(erased_file).collect(),
        },
        EventKind::ResponseDrafted { document } => EventKind::ResponseDrafted {
            document: erased_file(document),
        },
        EventKind::Signed { document, response } => EventKind::Signed {
            document: erased_file(document),
            response: *response,
        },
        EventKind::Rejected { .. } => EventKind::Rejected {
            reason: erased_reason(),
        },
        EventKind::DeadlineExtended { days, .. } => EventKind::DeadlineExtended {
            days: *days,
            reason: erased_reason(),
        },
        other => other.clone(),
    };
    RouteEvent {
        note: None,
        kind,
        ..e.clone()
    }
}

/// `dossier` with its personal data erased at `at` (see the module doc), its
/// route re-chained, and the [`Erasure`] that says so; an erased dossier is
/// returned unchanged. The caller decided it is due ([`is_due`]).
#[must_use]
pub fn erase(dossier: &Dossier, at: DateTime<Utc>) -> Dossier {
    if dossier.erasure().is_some() {
        return dossier.clone();
    }
    let all = files(dossier);
    let erasure = Erasure {
        at,
        previous_head: dossier.route().head_hash(),
        files: u32::try_from(all.len()).unwrap_or(u32::MAX),
        bytes: all.iter().map(|a| a.size).sum(),
    };
    let mut parts = dossier.parts().clone();
    parts.contact = CitizenContact::default();
    parts.form = FormData::default();
    parts.note = None;
    parts.attachments = parts.attachments.iter().map(erased_file).collect();
    parts.erasure = Some(erasure);
    let mut route = Route::new();
    for e in dossier.route().events() {
        route.append(erased_event(&e.event));
    }
    Dossier::from_parts(parts, route)
        .expect("an erased route is re-chained from the same registration")
}

#[cfg(test)]
mod tests;
