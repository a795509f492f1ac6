//! The route: a dossier's append-only, hash-chained history.
//!
//! # Canonical encoding (version 1, stable)
//!
//! Each event is hashed as `hash = SHA-256(prev_hash || canonical_bytes(event))`,
//! where `prev_hash` is the previous event's hash, or 32 zero bytes for the first
//! event. `canonical_bytes` is a concatenation of fields, never JSON:
//!
//! * `str(x)`: the UTF-8 bytes of `x` preceded by their length as a big-endian u32;
//! * `opt(x)`: byte `0x00` when absent, or byte `0x01` followed by `str(x)`;
//! * `u32(n)`, `i64(n)`: big-endian, fixed width.
//!
//! In order:
//!
//! 1. `str("ghiseu/route-event/v1")` (domain separation and format version);
//! 2. `str(kind)`, the event code (`registered`, `assigned`, … see [`EventKind::code`]);
//! 3. `i64(unix seconds of at)`, `u32(nanoseconds of at)`;
//! 4. `str(actor)`: the username, `citizen` or `system` (usernames cannot be
//!    `citizen` or `system`, so this is unambiguous);
//! 5. `opt(department)`, `opt(official)`, `opt(public note)`;
//! 6. the kind's payload in declaration order: `Registered`: `str(deadline as
//!    YYYY-MM-DD)`; `Assigned`: `str(department)`, `opt(official)`; `Forwarded`:
//!    `str(from)`, `str(to)`; `Rejected`: `str(reason)`;
//!    `ForwardedToInstitution`: `str(tenant)`; `DeadlineExtended`: `u32(days)`,
//!    `str(reason)`; the other kinds have none.
//!
//! A new event kind or field means a new code or a `v2` tag; existing bytes never
//! change meaning, so old routes keep verifying.
//!
//! The chain detects an edited, inserted, removed or reordered event. Cutting off
//! the last events leaves a valid shorter chain: that is caught by comparing the
//! head with a head published earlier ([`Route::verify_head`]); the tracking page
//! shows the head for this reason.

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::attachment::Attachment;
use crate::digest::Sha256Digest;
use crate::ids::{DepartmentCode, DossierId, TenantSlug, Username};
use crate::regno::RegistrationNumber;
use crate::text::{PublicNote, Reason};

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteActor {
    /// An official, by username.
    Official(Username),
    /// The citizen (online submission, reply, withdrawal).
    Citizen,
    /// The platform itself (e.g. automatic registration, callbacks).
    System,
}

impl RouteActor {
    /// `citizen`, `system` or the username.
    pub fn code(&self) -> &str {
        match self {
            Self::Official(u) => u.as_str(),
            Self::Citizen => "citizen",
            Self::System => "system",
        }
    }

    /// The inverse of [`code`](Self::code).
    pub fn from_code(code: &str) -> Result<Self, crate::ids::IdError> {
        Ok(match code {
            "citizen" => Self::Citizen,
            "system" => Self::System,
            u => Self::Official(Username::parse(u)?),
        })
    }
}

/// What happened. Closed: every kind the workflow knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The dossier was registered; `deadline` is the legal deadline it got, so the
    /// route alone determines the deadline.
    Registered {
        /// The deadline computed at registration.
        deadline: NaiveDate,
    },
    /// Assigned to a department and possibly an official.
    Assigned {
        /// The department.
        department: DepartmentCode,
        /// The official, if one was chosen.
        official: Option<Username>,
    },
    /// Forwarded to another department of the same tenant.
    Forwarded {
        /// Where it was.
        from_department: DepartmentCode,
        /// Where it goes.
        to_department: DepartmentCode,
    },
    /// Information was requested from the citizen; the legal deadline pauses
    /// until the reply (see [`crate::deadline::paused_days`]).
    InfoRequested {
        /// What the citizen is asked for (shown to the citizen, not publicly).
        question: Reason,
    },
    /// The citizen replied; the deadline moved by `paused_days`.
    CitizenReplied {
        /// Calendar days the deadline was paused while waiting for the reply.
        paused_days: u16,
        /// The reply's text (for the institution; never public).
        message: Option<Reason>,
        /// Files the citizen sent with the reply.
        documents: Vec<Attachment>,
    },
    /// A response document was attached (content-addressed).
    ResponseDrafted {
        /// The document.
        document: Attachment,
    },
    /// The response was sent to the signer's queue.
    SentForSignature,
    /// The response `response` was signed; `document` is the signed PDF (its
    /// bytes start with the response's: the signature is an incremental update).
    Signed {
        /// The signed document (content-addressed).
        document: Attachment,
        /// The SHA-256 of the drafted response that was signed.
        response: Sha256Digest,
    },
    /// The dossier was resolved by issuing a response document.
    Issued {
        /// The SHA-256 of the issued document (one of the drafted responses).
        document: Sha256Digest,
    },
    /// The dossier was resolved.
    Resolved,
    /// The request was rejected; the reason is internal.
    Rejected {
        /// Why (internal; may quote the citizen).
        reason: Reason,
    },
    /// The citizen withdrew the request.
    Withdrawn,
    /// Forwarded to another institution on the platform, where it continues
    /// as the dossier `dossier` (with its own registration number).
    ForwardedToInstitution {
        /// The receiving tenant.
        tenant: TenantSlug,
        /// The receiving tenant's dossier (its id is chosen before it exists, so
        /// an interrupted forwarding can be completed idempotently).
        dossier: DossierId,
    },
    /// Joined to an earlier dossier of the same request (a duplicate): closed
    /// here, answered there.
    Joined {
        /// The earlier dossier's registration number.
        into: RegistrationNumber,
    },
    /// The deadline was extended.
    DeadlineExtended {
        /// By how many calendar days.
        days: u16,
        /// Why (internal).
        reason: Reason,
    },
}

impl EventKind {
    /// The stable event code, used in the canonical encoding and on the public
    /// views: `registered`, `assigned`, `forwarded`, `info_requested`,
    /// `citizen_replied`, `response_drafted`, `sent_for_signature`, `signed`,
    /// `issued`, `resolved`, `rejected`, `withdrawn`, `forwarded_to_institution`,
    /// `deadline_extended`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "registered",
            Self::Assigned { .. } => "assigned",
            Self::Forwarded { .. } => "forwarded",
            Self::InfoRequested { .. } => "info_requested",
            Self::CitizenReplied { .. } => "citizen_replied",
            Self::ResponseDrafted { .. } => "response_drafted",
            Self::SentForSignature => "sent_for_signature",
            Self::Signed { .. } => "signed",
            Self::Issued { .. } => "issued",
            Self::Resolved => "resolved",
            Self::Rejected { .. } => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::ForwardedToInstitution { .. } => "forwarded_to_institution",
            Self::Joined { .. } => "joined",
            Self::DeadlineExtended { .. } => "deadline_extended",
        }
    }
}

/// One step of the route, before chaining.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEvent {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: RouteActor,
    /// The department holding the dossier after the event.
    pub department: Option<DepartmentCode>,
    /// The official holding the dossier after the event.
    pub official: Option<Username>,
    /// Text the public may see on the tracking page.
    pub note: Option<PublicNote>,
    /// What happened.
    pub kind: EventKind,
}

/// A route event with its chain hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent {
    /// The event.
    pub event: RouteEvent,
    /// `SHA-256(prev_hash || canonical_bytes(event))`.
    pub hash: Sha256Digest,
}

/// Why a route failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RouteError {
    /// The stored hash of the event at `index` does not match its recomputation:
    /// that event, or one before it, was edited, inserted, removed or reordered.
    #[error("route event {index} does not match its hash")]
    HashMismatch {
        /// The first failing position.
        index: usize,
    },
    /// The chain is intact but ends at a different head than expected
    /// (events were cut off or added).
    #[error("the route does not end at the expected head")]
    HeadMismatch,
    /// The route is empty or does not start with a registration.
    #[error("a route starts with exactly one registration event")]
    NotRegisteredFirst,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    let len = u32::try_from(s.len()).expect("fields are far below 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn put_attachment(out: &mut Vec<u8>, a: &Attachment) {
    put_str(out, &a.sha256.to_hex());
    put_str(out, a.media_type.mime());
    out.extend_from_slice(&a.size.to_be_bytes());
    put_str(out, a.original_name.as_str());
}

/// The canonical bytes of an event (see the module doc).
pub fn canonical_bytes(e: &RouteEvent) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    put_str(&mut out, "ghiseu/route-event/v1");
    put_str(&mut out, e.kind.code());
    out.extend_from_slice(&e.at.timestamp().to_be_bytes());
    out.extend_from_slice(&e.at.timestamp_subsec_nanos().to_be_bytes());
    put_str(&mut out, e.actor.code());
    put_opt(&mut out, e.department.as_ref().map(DepartmentCode::as_str));
    put_opt(&mut out, e.official.as_ref().map(Username::as_str));
    put_opt(&mut out, e.note.as_ref().map(PublicNote::as_str));
    match &e.kind {
        EventKind::Registered { deadline } => {
            put_str(&mut out, &deadline.format("%Y-%m-%d").to_string())
        }
        EventKind::Assigned {
            department,
            official,
        } => {
            put_str(&mut out, department.as_str());
            put_opt(&mut out, official.as_ref().map(Username::as_str));
        }
        EventKind::Forwarded {
            from_department,
            to_department,
        } => {
            put_str(&mut out, from_department.as_str());
            put_str(&mut out, to_department.as_str());
        }
        EventKind::Rejected { reason } => put_str(&mut out, reason.as_str()),
        EventKind::ForwardedToInstitution { tenant, dossier } => {
            put_str(&mut out, tenant.as_str());
            put_str(&mut out, &dossier.to_string());
        }
        EventKind::Joined { into } => put_str(&mut out, &into.to_string()),
        EventKind::InfoRequested { question } => put_str(&mut out, question.as_str()),
        EventKind::CitizenReplied {
            paused_days,
            message,
            documents,
        } => {
            out.extend_from_slice(&u32::from(*paused_days).to_be_bytes());
            put_opt(&mut out, message.as_ref().map(Reason::as_str));
            out.extend_from_slice(&(documents.len() as u32).to_be_bytes());
            for d in documents {
                put_attachment(&mut out, d);
            }
        }
        EventKind::ResponseDrafted { document } => put_attachment(&mut out, document),
        EventKind::Issued { document } => put_str(&mut out, &document.to_hex()),
        EventKind::Signed { document, response } => {
            put_attachment(&mut out, document);
            put_str(&mut out, &response.to_hex());
        }
        EventKind::DeadlineExtended { days, reason } => {
            out.extend_from_slice(&u32::from(*days).to_be_bytes());
            put_str(&mut out, reason.as_str());
        }
        EventKind::SentForSignature | EventKind::Resolved | EventKind::Withdrawn => {}
    }
    out
}

/// `SHA-256(prev || canonical_bytes(event))`.
pub fn chain_hash(prev: &Sha256Digest, event: &RouteEvent) -> Sha256Digest {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(canonical_bytes(event));
    Sha256Digest::from_bytes(h.finalize().into())
}

/// A dossier's route: events in order, each chained to the one before.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    events: Vec<ChainedEvent>,
}

impl Route {
    /// An empty route.
    pub fn new() -> Self {
        Self::default()
    }

    /// A route from stored events, as they are: call [`verify`](Self::verify)
    /// before trusting it.
    pub fn from_chain(events: Vec<ChainedEvent>) -> Self {
        Self { events }
    }

    /// Appends `event`, chaining it to the head, and returns the chained event.
    pub fn append(&mut self, event: RouteEvent) -> &ChainedEvent {
        let hash = chain_hash(&self.head_hash(), &event);
        self.events.push(ChainedEvent { event, hash });
        self.events.last().expect("just pushed")
    }

    /// The events, oldest first.
    pub fn events(&self) -> &[ChainedEvent] {
        &self.events
    }

    /// The newest event.
    pub fn last(&self) -> Option<&ChainedEvent> {
        self.events.last()
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The hash of the newest event (32 zero bytes for an empty route).
    pub fn head_hash(&self) -> Sha256Digest {
        self.events.last().map_or(Sha256Digest::ZERO, |e| e.hash)
    }

    /// The head hash as 64 lowercase hex digits (the tracking page's `route_head`).
    pub fn head_hash_hex(&self) -> String {
        self.head_hash().to_hex()
    }

    /// Recomputes every hash from the genesis value; also checks that the route
    /// starts with its only registration event.
    pub fn verify(&self) -> Result<(), RouteError> {
        let mut prev = Sha256Digest::ZERO;
        for (index, e) in self.events.iter().enumerate() {
            if chain_hash(&prev, &e.event) != e.hash {
                return Err(RouteError::HashMismatch { index });
            }
            let is_registration = matches!(e.event.kind, EventKind::Registered { .. });
            if is_registration != (index == 0) {
                return Err(RouteError::NotRegisteredFirst);
            }
            prev = e.hash;
        }
        if self.events.is_empty() {
            return Err(RouteError::NotRegisteredFirst);
        }
        Ok(())
    }

    /// [`verify`](Self::verify), then checks that the route ends at `expected`
    /// (a head published or stored separately earlier).
    pub fn verify_head(&self, expected: &Sha256Digest) -> Result<(), RouteError> {
        self.verify()?;
        if &self.head_hash() == expected {
            Ok(())
        } else {
            Err(RouteError::HeadMismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn ev(at_s: &str, kind: EventKind) -> RouteEvent {
        RouteEvent {
            at: at(at_s),
            actor: RouteActor::Official(Username::parse("ana.pop").unwrap()),
            department: Some(DepartmentCode::parse("urbanism").unwrap()),
            official: None,
            note: None,
            kind,
        }
    }

    fn sample() -> Route {
        let mut r = Route::new();
        r.append(ev(
            "2026-03-02T08:00:00Z",
            EventKind::Registered {
                deadline: "2026-04-01".parse().unwrap(),
            },
        ));
        r.append(ev(
            "2026-03-02T09:00:00Z",
            EventKind::Assigned {
                department: DepartmentCode::parse("urbanism").unwrap(),
                official: Some(Username::parse("ion.ionescu").unwrap()),
            },
        ));
        r.append(RouteEvent {
            note: Some(PublicNote::parse("Documentația este în analiză.").unwrap()),
            ..ev(
                "2026-03-03T10:00:00Z",
                EventKind::InfoRequested {
                    question: Reason::parse("Planul de situație lipsește.").unwrap(),
                },
            )
        });
        r.append(ev("2026-03-05T10:00:00Z", EventKind::Resolved));
        r
    }

    #[test]
    fn intact_route_verifies() {
        let r = sample();
        assert_eq!(r.verify(), Ok(()));
        assert_eq!(r.verify_head(&r.head_hash()), Ok(()));
        assert_eq!(r.head_hash_hex().len(), 64);
    }

    #[test]
    fn tampering_table() {
        type Tamper = fn(&mut Vec<ChainedEvent>);
        let cases: &[(&str, Tamper, RouteError)] = &[
            (
                "edited note",
                |v| v[2].event.note = Some(PublicNote::parse("altceva").unwrap()),
                RouteError::HashMismatch { index: 2 },
            ),
            (
                "edited time",
                |v| v[1].event.at = at("2026-03-02T09:00:01Z"),
                RouteError::HashMismatch { index: 1 },
            ),
            (
                "edited actor",
                |v| v[3].event.actor = RouteActor::System,
                RouteError::HashMismatch { index: 3 },
            ),
            (
                "edited and rehashed alone",
                |v| {
                    v[1].event.note = Some(PublicNote::parse("inserat").unwrap());
                    v[1].hash = chain_hash(&v[0].hash, &v[1].event);
                },
                RouteError::HashMismatch { index: 2 },
            ),
            (
                "removed",
                |v| {
                    v.remove(1);
                },
                RouteError::HashMismatch { index: 1 },
            ),
            (
                "inserted",
                |v| {
                    let mut extra = v[1].clone();
                    extra.event.kind = EventKind::SentForSignature;
                    v.insert(2, extra);
                },
                RouteError::HashMismatch { index: 2 },
            ),
            (
                "reordered",
                |v| v.swap(1, 2),
                RouteError::HashMismatch { index: 1 },
            ),
            ("emptied", |v| v.clear(), RouteError::NotRegisteredFirst),
        ];
        for (name, tamper, want) in cases {
            let mut events = sample().events().to_vec();
            tamper(&mut events);
            assert_eq!(Route::from_chain(events).verify(), Err(*want), "{name}");
        }
    }

    #[test]
    fn cut_off_tail_is_caught_by_the_published_head() {
        let full = sample();
        let mut events = full.events().to_vec();
        events.pop();
        let cut = Route::from_chain(events);
        assert_eq!(cut.verify(), Ok(()));
        assert_eq!(
            cut.verify_head(&full.head_hash()),
            Err(RouteError::HeadMismatch)
        );
    }

    #[test]
    fn canonical_bytes_are_stable() {
        // Golden value: changing the encoding breaks every stored route.
        let e = ev(
            "2026-03-02T08:00:00Z",
            EventKind::Registered {
                deadline: "2026-04-01".parse().unwrap(),
            },
        );
        let bytes = canonical_bytes(&e);
        let mut want = Vec::new();
        for s in ["ghiseu/route-event/v1", "registered"] {
            want.extend_from_slice(&(s.len() as u32).to_be_bytes());
            want.extend_from_slice(s.as_bytes());
        }
        want.extend_from_slice(&1_772_438_400i64.to_be_bytes());
        want.extend_from_slice(&0u32.to_be_bytes());
        want.extend_from_slice(&7u32.to_be_bytes());
        want.extend_from_slice(b"ana.pop");
        want.push(1);
        want.extend_from_slice(&8u32.to_be_bytes());
        want.extend_from_slice(b"urbanism");
        want.push(0);
        want.push(0);
        want.extend_from_slice(&10u32.to_be_bytes());
        want.extend_from_slice(b"2026-04-01");
        assert_eq!(bytes, want);
        // Absent and empty-looking values differ.
        let other = RouteEvent {
            department: None,
            ..e.clone()
        };
        assert_ne!(canonical_bytes(&other), bytes);
    }
}
