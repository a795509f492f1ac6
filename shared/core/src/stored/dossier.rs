//! A dossier as stored: its static parts, its files and contact, and the chained
//! route, replayed and checked on the way in.

use serde::{Deserialize, Serialize};

use crate::attachment::{Attachment, MediaType, OriginalName};
use crate::citizen_contact::{CitizenContact, CitizenName, Cnp, Email, PhoneNumber};
use crate::digest::Sha256Digest;
use crate::document_type::{FieldName, TypeVersion};
use crate::dossier::{Channel, Dossier, DossierParts, Erasure, Origin};
use crate::form::FormData;
use crate::ids::{DepartmentCode, DocumentTypeCode, DossierId, TenantSlug, Username};
use crate::lang::Lang;
use crate::regno::RegistrationNumber;
use crate::route::{ChainedEvent, EventKind, Route, RouteActor, RouteEvent};
use crate::text::{InternalNote, PublicNote, Reason};
use crate::token::TrackingToken;

use super::{
    FORMAT_VERSION, StoredError, check_version, date_from_stored, f, opt, some, time_from_stored,
    time_to_stored,
};

/// A dossier as stored: static parts plus the chained route. Status, current
/// department and official, deadline and extension are not stored: they are
/// replayed from the route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDossier {
    /// Format version.
    pub v: u32,
    /// [`DossierId`].
    pub id: String,
    /// [`TenantSlug`].
    pub tenant: String,
    /// [`DocumentTypeCode`].
    pub document_type: String,
    /// [`TypeVersion`].
    pub document_type_version: u32,
    /// `online` or `paper`.
    pub channel: String,
    /// [`RegistrationNumber`].
    pub number: String,
    /// RFC 3339.
    pub registered_at: String,
    /// [`TrackingToken`].
    pub token: String,
    /// Attachments.
    pub attachments: Vec<StoredAttachment>,
    /// Internal note.
    pub note: Option<String>,
    /// Private contact details.
    pub contact: StoredContact,
    /// The route, oldest first.
    pub route: Vec<StoredEvent>,
    /// Where a dossier forwarded between institutions came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<StoredOrigin>,
    /// The form data: (field name, value) in the type's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub form: Vec<(String, String)>,
    /// [`crate::dossier::PageCount`] of a paper request (absent on records
    /// written before the registry counted pages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper_pages: Option<u32>,
    /// [`crate::dossier::Erasure`]: absent until the dossier is erased under
    /// retention (and on every record written before retention existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased: Option<StoredErasure>,
}

/// [`crate::dossier::Erasure`] as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredErasure {
    /// RFC 3339.
    pub at: String,
    /// 64 hex digits: the route's head before it was re-chained.
    pub previous_head: String,
    /// How many distinct files the dossier had.
    pub files: u32,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// [`Origin`] as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct StoredOrigin {
    pub tenant: String,
    pub dossier: String,
    pub number: String,
}

/// An attachment as stored (also kept with a request waiting for its
/// signature, before it is a dossier).
pub fn attachment_to_stored(a: &Attachment) -> StoredAttachment {
    StoredAttachment {
        sha256: a.sha256.to_hex(),
        media_type: a.media_type.mime().to_owned(),
        size: a.size,
        original_name: a.original_name.as_str().to_owned(),
    }
}

/// A stored attachment back, every field re-validated.
pub fn attachment_from_stored(a: &StoredAttachment) -> Result<Attachment, StoredError> {
    Ok(Attachment {
        sha256: f("attachments.sha256", Sha256Digest::parse(&a.sha256))?,
        media_type: some(
            "attachments.media_type",
            MediaType::from_mime(&a.media_type),
        )?,
        size: a.size,
        original_name: f(
            "attachments.original_name",
            OriginalName::parse(&a.original_name),
        )?,
    })
}

/// An attachment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAttachment {
    /// 64 hex digits.
    pub sha256: String,
    /// MIME type.
    pub media_type: String,
    /// Bytes.
    pub size: u64,
    /// The uploader's file name.
    pub original_name: String,
}

/// The citizen's private details as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StoredContact {
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// CNP.
    pub cnp: Option<String>,
    /// The language of messages (`ro`, `hu`, `en`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// A route event as stored, with its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// RFC 3339.
    pub at: String,
    /// Username, `citizen` or `system`.
    pub actor: String,
    /// Department after the event.
    pub department: Option<String>,
    /// Official after the event.
    pub official: Option<String>,
    /// Public note.
    pub note: Option<String>,
    /// The kind and its payload.
    #[serde(flatten)]
    pub kind: StoredEventKind,
    /// 64 hex digits.
    pub hash: String,
}

/// An event kind as stored, tagged by its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum StoredEventKind {
    /// See [`EventKind::Registered`].
    Registered { deadline: String },
    /// See [`EventKind::Assigned`].
    Assigned {
        to_department: String,
        to_official: Option<String>,
    },
    /// See [`EventKind::Forwarded`].
    Forwarded {
        from_department: String,
        to_department: String,
    },
    /// See [`EventKind::InfoRequested`].
    InfoRequested { question: String },
    /// See [`EventKind::CitizenReplied`].
    CitizenReplied {
        paused_days: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documents: Vec<StoredAttachment>,
    },
    /// See [`EventKind::ResponseDrafted`].
    ResponseDrafted { document: StoredAttachment },
    /// See [`EventKind::SentForSignature`].
    SentForSignature,
    /// See [`EventKind::Signed`].
    Signed {
        document: StoredAttachment,
        response: String,
    },
    /// See [`EventKind::Issued`].
    Issued { document: String },
    /// See [`EventKind::Resolved`].
    Resolved,
    /// See [`EventKind::Rejected`].
    Rejected { reason: String },
    /// See [`EventKind::Withdrawn`].
    Withdrawn,
    /// See [`EventKind::ForwardedToInstitution`].
    ForwardedToInstitution { tenant: String, dossier: String },
    /// See [`EventKind::Joined`].
    Joined { into: String },
    /// See [`EventKind::DeadlineExtended`].
    DeadlineExtended { days: u16, reason: String },
}

impl RouteEvent {
    fn to_stored(&self, hash: &Sha256Digest) -> StoredEvent {
        let kind = match &self.kind {
            EventKind::Registered { deadline } => StoredEventKind::Registered {
                deadline: deadline.to_string(),
            },
            EventKind::Assigned {
                department,
                official,
            } => StoredEventKind::Assigned {
                to_department: department.to_string(),
                to_official: official.as_ref().map(ToString::to_string),
            },
            EventKind::Forwarded {
                from_department,
                to_department,
            } => StoredEventKind::Forwarded {
                from_department: from_department.to_string(),
                to_department: to_department.to_string(),
            },
            EventKind::InfoRequested { question } => StoredEventKind::InfoRequested {
                question: question.to_string(),
            },
            EventKind::CitizenReplied {
                paused_days,
                message,
                documents,
            } => StoredEventKind::CitizenReplied {
                paused_days: *paused_days,
                message: message.as_ref().map(ToString::to_string),
                documents: documents.iter().map(attachment_to_stored).collect(),
            },
            EventKind::ResponseDrafted { document } => StoredEventKind::ResponseDrafted {
                document: attachment_to_stored(document),
            },
            EventKind::SentForSignature => StoredEventKind::SentForSignature,
            EventKind::Signed { document, response } => StoredEventKind::Signed {
                document: attachment_to_stored(document),
                response: response.to_hex(),
            },
            EventKind::Issued { document } => StoredEventKind::Issued {
                document: document.to_hex(),
            },
            EventKind::Joined { into } => StoredEventKind::Joined {
                into: into.to_string(),
            },
            EventKind::Resolved => StoredEventKind::Resolved,
            EventKind::Rejected { reason } => StoredEventKind::Rejected {
                reason: reason.to_string(),
            },
            EventKind::Withdrawn => StoredEventKind::Withdrawn,
            EventKind::ForwardedToInstitution { tenant, dossier } => {
                StoredEventKind::ForwardedToInstitution {
                    tenant: tenant.to_string(),
                    dossier: dossier.to_string(),
                }
            }
            EventKind::DeadlineExtended { days, reason } => StoredEventKind::DeadlineExtended {
                days: *days,
                reason: reason.to_string(),
            },
        };
        StoredEvent {
            at: time_to_stored(self.at),
            actor: self.actor.code().to_owned(),
            department: self.department.as_ref().map(ToString::to_string),
            official: self.official.as_ref().map(ToString::to_string),
            note: self.note.as_ref().map(ToString::to_string),
            kind,
            hash: hash.to_hex(),
        }
    }

    fn from_stored(s: &StoredEvent) -> Result<ChainedEvent, StoredError> {
        let kind = match &s.kind {
            StoredEventKind::Registered { deadline } => EventKind::Registered {
                deadline: date_from_stored("route.deadline", deadline)?,
            },
            StoredEventKind::Assigned {
                to_department,
                to_official,
            } => EventKind::Assigned {
                department: f("route.to_department", DepartmentCode::parse(to_department))?,
                official: opt("route.to_official", to_official.as_deref(), Username::parse)?,
            },
            StoredEventKind::Forwarded {
                from_department,
                to_department,
            } => EventKind::Forwarded {
                from_department: f(
                    "route.from_department",
                    DepartmentCode::parse(from_department),
                )?,
                to_department: f("route.to_department", DepartmentCode::parse(to_department))?,
            },
            StoredEventKind::InfoRequested { question } => EventKind::InfoRequested {
                question: f("route.question", Reason::parse(question))?,
            },
            StoredEventKind::CitizenReplied {
                paused_days,
                message,
                documents,
            } => EventKind::CitizenReplied {
                paused_days: *paused_days,
                message: opt("route.message", message.as_deref(), Reason::parse)?,
                documents: documents
                    .iter()
                    .map(attachment_from_stored)
                    .collect::<Result<_, _>>()?,
            },
            StoredEventKind::ResponseDrafted { document } => EventKind::ResponseDrafted {
                document: attachment_from_stored(document)?,
            },
            StoredEventKind::SentForSignature => EventKind::SentForSignature,
            StoredEventKind::Signed { document, response } => EventKind::Signed {
                document: attachment_from_stored(document)?,
                response: f("route.response", Sha256Digest::parse(response))?,
            },
            StoredEventKind::Issued { document } => EventKind::Issued {
                document: f("route.document", Sha256Digest::parse(document))?,
            },
            StoredEventKind::Joined { into } => EventKind::Joined {
                into: f("route.into", into.parse::<RegistrationNumber>())?,
            },
            StoredEventKind::Resolved => EventKind::Resolved,
            StoredEventKind::Rejected { reason } => EventKind::Rejected {
                reason: f("route.reason", Reason::parse(reason))?,
            },
            StoredEventKind::Withdrawn => EventKind::Withdrawn,
            StoredEventKind::ForwardedToInstitution { tenant, dossier } => {
                EventKind::ForwardedToInstitution {
                    tenant: f("route.tenant", TenantSlug::parse(tenant))?,
                    dossier: f("route.dossier", DossierId::parse(dossier))?,
                }
            }
            StoredEventKind::DeadlineExtended { days, reason } => EventKind::DeadlineExtended {
                days: *days,
                reason: f("route.reason", Reason::parse(reason))?,
            },
        };
        let event = RouteEvent {
            at: time_from_stored("route.at", &s.at)?,
            actor: f("route.actor", RouteActor::from_code(&s.actor))?,
            department: opt(
                "route.department",
                s.department.as_deref(),
                DepartmentCode::parse,
            )?,
            official: opt("route.official", s.official.as_deref(), Username::parse)?,
            note: opt("route.note", s.note.as_deref(), PublicNote::parse)?,
            kind,
        };
        Ok(ChainedEvent {
            event,
            hash: f("route.hash", Sha256Digest::parse(&s.hash))?,
        })
    }
}

impl Dossier {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredDossier {
        let p = self.parts();
        StoredDossier {
            v: FORMAT_VERSION,
            id: p.id.to_string(),
            tenant: p.tenant.to_string(),
            document_type: p.document_type.to_string(),
            document_type_version: p.document_type_version.get(),
            channel: p.channel.code().to_owned(),
            number: p.number.to_string(),
            registered_at: time_to_stored(p.registered_at),
            token: p.token.to_string(),
            attachments: p.attachments.iter().map(attachment_to_stored).collect(),
            note: p.note.as_ref().map(ToString::to_string),
            contact: StoredContact {
                name: p.contact.name.as_ref().map(|x| x.as_str().to_owned()),
                email: p.contact.email.as_ref().map(|x| x.as_str().to_owned()),
                phone: p.contact.phone.as_ref().map(|x| x.as_str().to_owned()),
                cnp: p.contact.cnp.as_ref().map(|x| x.as_str().to_owned()),
                lang: p.contact.lang.map(|l| l.code().to_owned()),
            },
            origin: p.origin.as_ref().map(|o| StoredOrigin {
                tenant: o.tenant.to_string(),
                dossier: o.dossier.to_string(),
                number: o.number.to_string(),
            }),
            form: p
                .form
                .pairs()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                .collect(),
            paper_pages: p.paper_pages.map(|n| u32::from(n.get())),
            erased: p.erasure.as_ref().map(|e| StoredErasure {
                at: time_to_stored(e.at),
                previous_head: e.previous_head.to_hex(),
                files: e.files,
                bytes: e.bytes,
            }),
            route: self
                .route()
                .events()
                .iter()
                .map(|c| c.event.to_stored(&c.hash))
                .collect(),
        }
    }

    /// Validates a stored record, verifies its route and replays it.
    pub fn from_stored(s: &StoredDossier) -> Result<Dossier, StoredError> {
        check_version(s.v)?;
        let attachments = s
            .attachments
            .iter()
            .map(attachment_from_stored)
            .collect::<Result<Vec<_>, StoredError>>()?;
        let origin = match &s.origin {
            None => None,
            Some(o) => Some(Origin {
                tenant: f("origin.tenant", TenantSlug::parse(&o.tenant))?,
                dossier: f("origin.dossier", DossierId::parse(&o.dossier))?,
                number: f("origin.number", o.number.parse::<RegistrationNumber>())?,
            }),
        };
        let parts = DossierParts {
            id: f("id", DossierId::parse(&s.id))?,
            tenant: f("tenant", TenantSlug::parse(&s.tenant))?,
            document_type: f("document_type", DocumentTypeCode::parse(&s.document_type))?,
            document_type_version: some(
                "document_type_version",
                TypeVersion::new(s.document_type_version),
            )?,
            channel: some("channel", Channel::from_code(&s.channel))?,
            number: f("number", s.number.parse::<RegistrationNumber>())?,
            registered_at: time_from_stored("registered_at", &s.registered_at)?,
            token: f("token", TrackingToken::parse(&s.token))?,
            attachments,
            note: opt("note", s.note.as_deref(), InternalNote::parse)?,
            contact: CitizenContact {
                name: opt(
                    "contact.name",
                    s.contact.name.as_deref(),
                    CitizenName::parse,
                )?,
                email: opt("contact.email", s.contact.email.as_deref(), Email::parse)?,
                phone: opt(
                    "contact.phone",
                    s.contact.phone.as_deref(),
                    PhoneNumber::parse,
                )?,
                cnp: opt("contact.cnp", s.contact.cnp.as_deref(), Cnp::parse)?,
                lang: s.contact.lang.as_deref().and_then(Lang::from_code),
            },
            origin,
            form: FormData::from_pairs(
                s.form
                    .iter()
                    .map(|(k, v)| Ok((f("form", FieldName::parse(k))?, v.clone())))
                    .collect::<Result<Vec<_>, StoredError>>()?,
            ),
            paper_pages: s
                .paper_pages
                .map(|n| f("paper_pages", crate::dossier::PageCount::new(n)))
                .transpose()?,
            erasure: match &s.erased {
                None => None,
                Some(e) => Some(Erasure {
                    at: time_from_stored("erased.at", &e.at)?,
                    previous_head: f(
                        "erased.previous_head",
                        Sha256Digest::parse(&e.previous_head),
                    )?,
                    files: e.files,
                    bytes: e.bytes,
                }),
            },
        };
        let events = s
            .route
            .iter()
            .map(RouteEvent::from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Dossier::from_parts(parts, Route::from_chain(events))?)
    }
}
