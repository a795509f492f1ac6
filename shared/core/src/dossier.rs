//! The dossier: the tracked document, and how events change it.
//!
//! A dossier's changing state (status, current department and official,
//! deadline, extension, last update) is derived from its route only:
//! [`Dossier::record`] appends an event and applies its effect, and
//! [`Dossier::from_parts`] replays a stored route. Nothing else mutates it.

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

// The attachment types lived here; their old paths (`dossier::OriginalName`, ...)
// still work.
pub use crate::attachment::{Attachment, FileNameError, MediaType, OriginalName};
use crate::calendar::local_date;
use crate::citizen_contact::CitizenContact;
use crate::deadline;
use crate::digest::Sha256Digest;
use crate::document_type::{DocumentType, TypeVersion};
use crate::form::FormData;
use crate::ids::{DepartmentCode, DocumentTypeCode, DossierId, TenantSlug, Username};
use crate::regno::RegistrationNumber;
use crate::route::{ChainedEvent, EventKind, Route, RouteActor, RouteError, RouteEvent};
use crate::text::{InternalNote, PublicNote, Reason};
use crate::token::TrackingToken;

/// How the request arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Submitted on the web.
    Online,
    /// Handed in on paper and registered by a registrar.
    Paper,
}

impl Channel {
    /// `online` or `paper`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Paper => "paper",
        }
    }

    /// The inverse of [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "online" => Some(Self::Online),
            "paper" => Some(Self::Paper),
            _ => None,
        }
    }
}

/// The internal status of a dossier. See [`crate::public_view::PublicStatus`]
/// for what the public sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DossierStatus {
    /// Registered, not yet taken up.
    Registered,
    /// Being worked on.
    InProgress,
    /// Waiting for the citizen's reply to an information request.
    AwaitingCitizen,
    /// In the signer's queue.
    AwaitingSignature,
    /// Resolved (document issued or answer given). Terminal.
    Resolved,
    /// Rejected. Terminal.
    Rejected,
    /// Withdrawn by the citizen. Terminal.
    Withdrawn,
    /// Forwarded to another institution, which continues it. Terminal here.
    ForwardedOut,
    /// Joined to an earlier dossier of the same request (a duplicate). Terminal.
    Joined,
}

impl DossierStatus {
    /// Every status.
    pub const ALL: [DossierStatus; 9] = [
        Self::Registered,
        Self::InProgress,
        Self::AwaitingCitizen,
        Self::AwaitingSignature,
        Self::Resolved,
        Self::Rejected,
        Self::Withdrawn,
        Self::ForwardedOut,
        Self::Joined,
    ];

    /// Whether no further action is possible in this tenant.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Resolved | Self::Rejected | Self::Withdrawn | Self::ForwardedOut | Self::Joined
        )
    }

    /// A stable code: `registered`, `in_progress`, `awaiting_citizen`,
    /// `awaiting_signature`, `resolved`, `rejected`, `withdrawn`, `forwarded_out`,
    /// `joined`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::InProgress => "in_progress",
            Self::AwaitingCitizen => "awaiting_citizen",
            Self::AwaitingSignature => "awaiting_signature",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::ForwardedOut => "forwarded_out",
            Self::Joined => "joined",
        }
    }
}

/// A granted deadline extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// Calendar days added.
    pub days: u16,
    /// Why (internal).
    pub reason: Reason,
}

/// What the registration step needs besides the document type.
#[derive(Debug, Clone)]
pub struct NewDossier {
    /// A fresh random id.
    pub id: DossierId,
    /// The registering tenant.
    pub tenant: TenantSlug,
    /// How it arrived.
    pub channel: Channel,
    /// The number from the tenant's counter.
    pub number: RegistrationNumber,
    /// A fresh random tracking token.
    pub token: TrackingToken,
    /// The files.
    pub attachments: Vec<Attachment>,
    /// The registrar's internal note.
    pub note: Option<InternalNote>,
    /// The citizen's private details.
    pub contact: CitizenContact,
    /// A note for the public on the registration event.
    pub public_note: Option<PublicNote>,
    /// The dossier of another institution this one continues, if forwarded.
    pub origin: Option<Origin>,
    /// The form data, validated against the document type (see
    /// [`crate::form::validate`]), in the type's field order.
    pub form: FormData,
}

/// How many pages the registry counted on a paper request (1 to 9,999), as
/// printed on its receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageCount(u16);

/// Why a page count was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PageCountError {
    /// Not a whole number (letters, a sign, a fraction, nothing).
    #[error("the page count is a whole number, e.g. 3")]
    NotANumber,
    /// Zero, or more than [`PageCount::MAX`].
    #[error("the page count is between 1 and 9999")]
    OutOfRange,
}

impl PageCount {
    /// The most pages a request can have.
    pub const MAX: u16 = 9999;

    /// `n` pages, if `n` is between 1 and [`Self::MAX`].
    pub fn new(n: u32) -> Result<Self, PageCountError> {
        u16::try_from(n)
            .ok()
            .filter(|n| (1..=Self::MAX).contains(n))
            .map(Self)
            .ok_or(PageCountError::OutOfRange)
    }

    /// Parses digits only (surrounding spaces allowed): "3", not "+3" or "3.0".
    pub fn parse(raw: &str) -> Result<Self, PageCountError> {
        let raw = raw.trim();
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PageCountError::NotANumber);
        }
        // More digits than a u32 holds is out of range, not "not a number".
        Self::new(raw.parse().unwrap_or(u32::MAX))
    }

    /// The number of pages.
    pub fn get(self) -> u16 {
        self.0
    }
}

/// Where a dossier forwarded between institutions came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The sending tenant.
    pub tenant: TenantSlug,
    /// The sending tenant's dossier.
    pub dossier: DossierId,
    /// Its registration number there.
    pub number: RegistrationNumber,
}

/// Why stored parts do not make a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DossierError {
    /// The route failed verification.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// The registration event's time differs from the dossier's.
    #[error("the registration event does not match the dossier")]
    RegistrationMismatch,
}

/// That a dossier's personal data was erased under retention, and what it
/// held (the rule and what is erased: [`crate::retention`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    /// When it was erased.
    pub at: DateTime<Utc>,
    /// The route's head hash before the route was re-chained.
    pub previous_head: Sha256Digest,
    /// How many distinct files the dossier had (attachments, replies' files,
    /// responses, signed documents).
    pub files: u32,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// The static parts of a dossier: what registration fixes once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierParts {
    /// The id.
    pub id: DossierId,
    /// The tenant.
    pub tenant: TenantSlug,
    /// The document type.
    pub document_type: DocumentTypeCode,
    /// The document type version it was registered under.
    pub document_type_version: TypeVersion,
    /// How it arrived.
    pub channel: Channel,
    /// Its registration number.
    pub number: RegistrationNumber,
    /// When it was registered.
    pub registered_at: DateTime<Utc>,
    /// Its tracking token.
    pub token: TrackingToken,
    /// The files.
    pub attachments: Vec<Attachment>,
    /// Internal note.
    pub note: Option<InternalNote>,
    /// The citizen's private details.
    pub contact: CitizenContact,
    /// The dossier of another institution this one continues, if forwarded.
    pub origin: Option<Origin>,
    /// The form data (private: never on the public tracking surface).
    pub form: FormData,
    /// The pages of a paper request, as the registry counted them (none
    /// online, and on dossiers registered before it was asked).
    pub paper_pages: Option<PageCount>,
    /// That its personal data was erased under retention
    /// ([`crate::retention`]); `None` while it is kept whole.
    pub erasure: Option<Erasure>,
}

/// A dossier: the static parts, its route, and the state derived from the route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dossier {
    parts: DossierParts,
    route: Route,
    status: DossierStatus,
    current_department: DepartmentCode,
    current_official: Option<Username>,
    deadline: NaiveDate,
    extension: Option<Extension>,
}

impl Dossier {
    /// Registers a new dossier of `document_type` at `now` by `actor`: the route
    /// starts with a `Registered` event placing it in the type's first department,
    /// with the deadline from the type's rule and the Romanian local date of `now`.
    /// The caller has checked the actor's right to register
    /// ([`crate::permissions::authorize_registration`]).
    pub fn register(
        new: NewDossier,
        document_type: &DocumentType,
        actor: RouteActor,
        now: DateTime<Utc>,
    ) -> Self {
        let deadline = document_type.deadline.due_date(local_date(now));
        let parts = DossierParts {
            id: new.id,
            tenant: new.tenant,
            document_type: document_type.code.clone(),
            document_type_version: document_type.version,
            channel: new.channel,
            number: new.number,
            registered_at: now,
            token: new.token,
            attachments: new.attachments,
            note: new.note,
            contact: new.contact,
            origin: new.origin,
            form: new.form,
            paper_pages: None,
            erasure: None,
        };
        let first = RouteEvent {
            at: now,
            actor,
            department: Some(document_type.first_department.clone()),
            official: None,
            note: new.public_note,
            kind: EventKind::Registered { deadline },
        };
        let mut route = Route::new();
        route.append(first);
        Self::replay(parts, route).expect("a fresh route is valid")
    }

    /// Rebuilds a dossier from stored parts and route: verifies the hash chain and
    /// replays every event.
    pub fn from_parts(parts: DossierParts, route: Route) -> Result<Self, DossierError> {
        route.verify()?;
        let first = &route.events()[0].event;
        if first.at != parts.registered_at {
            return Err(DossierError::RegistrationMismatch);
        }
        Self::replay(parts, route)
    }

    fn replay(parts: DossierParts, route: Route) -> Result<Self, DossierError> {
        let Some(ChainedEvent { event: first, .. }) = route.events().first() else {
            return Err(RouteError::NotRegisteredFirst.into());
        };
        let (EventKind::Registered { deadline }, Some(department)) =
            (&first.kind, &first.department)
        else {
            return Err(RouteError::NotRegisteredFirst.into());
        };
        let mut d = Self {
            status: DossierStatus::Registered,
            current_department: department.clone(),
            current_official: first.official.clone(),
            deadline: *deadline,
            extension: None,
            parts,
            route: Route::new(),
        };
        for e in route.events() {
            d.apply_effect(&e.event);
        }
        d.route = route;
        Ok(d)
    }

    /// Appends `event` to the route and applies its effect on the state. Events
    /// come from [`crate::workflow::apply`], which checks permissions and the
    /// transition table; this method trusts them.
    pub fn record(&mut self, event: RouteEvent) -> &ChainedEvent {
        self.apply_effect(&event);
        self.route.append(event)
    }

    fn apply_effect(&mut self, e: &RouteEvent) {
        use DossierStatus as S;
        match &e.kind {
            EventKind::Registered { deadline } => {
                self.status = S::Registered;
                self.deadline = *deadline;
            }
            EventKind::Assigned {
                department,
                official,
            } => {
                self.status = S::InProgress;
                self.current_department = department.clone();
                self.current_official = official.clone();
            }
            EventKind::Forwarded { to_department, .. } => {
                self.status = S::InProgress;
                self.current_department = to_department.clone();
                self.current_official = None;
            }
            EventKind::InfoRequested { .. } => self.status = S::AwaitingCitizen,
            EventKind::CitizenReplied { paused_days, .. } => {
                self.status = S::InProgress;
                if *paused_days > 0 {
                    self.deadline = deadline::extended(self.deadline, *paused_days);
                }
            }
            EventKind::ResponseDrafted { .. } => self.status = S::InProgress,
            // Always followed by `issued` in the same write (workflow::sign).
            EventKind::Signed { .. } => {}
            EventKind::SentForSignature => self.status = S::AwaitingSignature,
            EventKind::Issued { .. } | EventKind::Resolved => self.status = S::Resolved,
            EventKind::Joined { .. } => self.status = S::Joined,
            EventKind::Rejected { .. } => self.status = S::Rejected,
            EventKind::Withdrawn => self.status = S::Withdrawn,
            EventKind::ForwardedToInstitution { .. } => self.status = S::ForwardedOut,
            EventKind::DeadlineExtended { days, reason } => {
                // Validity (1–15 days, once) was checked when the event was made.
                self.deadline = deadline::extended(self.deadline, *days);
                self.extension = Some(Extension {
                    days: *days,
                    reason: reason.clone(),
                });
            }
        }
    }

    /// The static parts.
    pub fn parts(&self) -> &DossierParts {
        &self.parts
    }

    /// The id.
    pub fn id(&self) -> DossierId {
        self.parts.id
    }

    /// The tenant.
    pub fn tenant(&self) -> &TenantSlug {
        &self.parts.tenant
    }

    /// The document type code.
    pub fn document_type(&self) -> &DocumentTypeCode {
        &self.parts.document_type
    }

    /// The document type version.
    pub fn document_type_version(&self) -> TypeVersion {
        self.parts.document_type_version
    }

    /// How it arrived.
    pub fn channel(&self) -> Channel {
        self.parts.channel
    }

    /// The registration number.
    pub fn number(&self) -> &RegistrationNumber {
        &self.parts.number
    }

    /// When it was registered.
    pub fn registered_at(&self) -> DateTime<Utc> {
        self.parts.registered_at
    }

    /// The Romanian local date of registration (day 0 of the deadline).
    pub fn registered_on(&self) -> NaiveDate {
        local_date(self.parts.registered_at)
    }

    /// The tracking token.
    pub fn token(&self) -> &TrackingToken {
        &self.parts.token
    }

    /// The status.
    pub fn status(&self) -> DossierStatus {
        self.status
    }

    /// The department holding it.
    pub fn current_department(&self) -> &DepartmentCode {
        &self.current_department
    }

    /// The official holding it, if assigned.
    pub fn current_official(&self) -> Option<&Username> {
        self.current_official.as_ref()
    }

    /// The legal deadline, including any extension.
    pub fn deadline(&self) -> NaiveDate {
        self.deadline
    }

    /// The extension granted, if any.
    pub fn extension(&self) -> Option<&Extension> {
        self.extension.as_ref()
    }

    /// The attachments.
    pub fn attachments(&self) -> &[Attachment] {
        &self.parts.attachments
    }

    /// The internal note.
    pub fn note(&self) -> Option<&InternalNote> {
        self.parts.note.as_ref()
    }

    /// The citizen's private details (never on a public view).
    pub fn contact(&self) -> &CitizenContact {
        &self.parts.contact
    }

    /// That its personal data was erased under retention, and when.
    pub fn erasure(&self) -> Option<&Erasure> {
        self.parts.erasure.as_ref()
    }

    /// The pages the registry counted on a paper request.
    pub fn paper_pages(&self) -> Option<PageCount> {
        self.parts.paper_pages
    }

    /// This freshly registered dossier with the page count of its paper
    /// request (set once, at the registry, before the dossier is stored).
    #[must_use]
    pub fn with_paper_pages(mut self, pages: Option<PageCount>) -> Self {
        self.parts.paper_pages = pages;
        self
    }

    /// The route.
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// The dossier of another institution this one continues, if any.
    pub fn origin(&self) -> Option<&Origin> {
        self.parts.origin.as_ref()
    }

    /// The form data.
    pub fn form(&self) -> &FormData {
        &self.parts.form
    }

    /// The response documents drafted so far, oldest first.
    pub fn responses(&self) -> Vec<&Attachment> {
        self.route
            .events()
            .iter()
            .filter_map(|e| match &e.event.kind {
                EventKind::ResponseDrafted { document } => Some(document),
                _ => None,
            })
            .collect()
    }

    /// The signed documents (signed responses), oldest first.
    pub fn signed_documents(&self) -> Vec<&Attachment> {
        self.route
            .events()
            .iter()
            .filter_map(|e| match &e.event.kind {
                EventKind::Signed { document, .. } => Some(document),
                _ => None,
            })
            .collect()
    }

    /// A document of the dossier by its digest: an attachment, a file of a
    /// citizen's reply, a drafted response or a signed document.
    pub fn document(&self, sha256: &Sha256Digest) -> Option<&Attachment> {
        self.parts
            .attachments
            .iter()
            .chain(
                self.route
                    .events()
                    .iter()
                    .flat_map(|e| match &e.event.kind {
                        EventKind::CitizenReplied { documents, .. } => documents.iter().collect(),
                        EventKind::ResponseDrafted { document }
                        | EventKind::Signed { document, .. } => {
                            vec![document]
                        }
                        _ => Vec::new(),
                    }),
            )
            .find(|a| &a.sha256 == sha256)
    }

    /// The issued document's digest, once resolved by issuing one.
    pub fn issued(&self) -> Option<&Sha256Digest> {
        self.route
            .events()
            .iter()
            .rev()
            .find_map(|e| match &e.event.kind {
                EventKind::Issued { document } => Some(document),
                _ => None,
            })
    }

    /// Where the dossier continues, once forwarded to another institution.
    pub fn forwarded_to(&self) -> Option<(&TenantSlug, &DossierId)> {
        self.route
            .events()
            .iter()
            .rev()
            .find_map(|e| match &e.event.kind {
                EventKind::ForwardedToInstitution { tenant, dossier } => Some((tenant, dossier)),
                _ => None,
            })
    }

    /// The citizen's replies: (when, text, files), oldest first.
    pub fn replies(&self) -> Vec<(DateTime<Utc>, Option<&Reason>, &[Attachment])> {
        self.route
            .events()
            .iter()
            .filter_map(|e| match &e.event.kind {
                EventKind::CitizenReplied {
                    message, documents, ..
                } => Some((e.event.at, message.as_ref(), documents.as_slice())),
                _ => None,
            })
            .collect()
    }

    /// The question of the pending information request, while awaiting the
    /// citizen, and when it was asked.
    pub fn pending_question(&self) -> Option<(&Reason, DateTime<Utc>)> {
        if self.status != DossierStatus::AwaitingCitizen {
            return None;
        }
        self.route
            .events()
            .iter()
            .rev()
            .find_map(|e| match &e.event.kind {
                EventKind::InfoRequested { question } => Some((question, e.event.at)),
                _ => None,
            })
    }

    /// The time of the newest event.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.route
            .last()
            .map_or(self.parts.registered_at, |e| e.event.at)
    }

    /// The Romanian local date of the event that closed the dossier, if closed.
    pub fn closed_on(&self) -> Option<NaiveDate> {
        self.status
            .is_terminal()
            .then(|| local_date(self.updated_at()))
    }

    /// Calendar days in the institution on `today` (registration day = day 0),
    /// counted up to the closing day once closed.
    pub fn days_in_institution(&self, today: NaiveDate) -> i64 {
        let end = self.closed_on().map_or(today, |c| c.min(today));
        deadline::days_in_institution(self.registered_on(), end)
    }

    /// Days from `today` (or the closing day, once closed) to the deadline;
    /// negative when overdue.
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        let end = self.closed_on().map_or(today, |c| c.min(today));
        deadline::days_left(self.deadline, end)
    }

    /// While the dossier has not been taken up, from 3 days after registration
    /// on: the days left (negative: overdue) to forward it if it was sent to
    /// the wrong institution ([`deadline::FORWARDING_LIMIT_DAYS`], OG 27/2002).
    pub fn forwarding_reminder(&self, today: NaiveDate) -> Option<i64> {
        let left = deadline::forwarding_days_left(self.registered_on(), today);
        (self.status == DossierStatus::Registered && left <= FORWARDING_REMINDER_DAYS)
            .then_some(left)
    }
}

/// How close to the forwarding limit the desk starts reminding.
const FORWARDING_REMINDER_DAYS: i64 = 2;

#[cfg(test)]
pub(crate) mod tests;
