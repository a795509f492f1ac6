//! Persisted record shapes and their explicit mappings to and from the domain.
//!
//! These structs are what the platform writes to the key-value store (as JSON):
//! plain strings and numbers, serde-derived. Domain types derive no serde; each
//! has `to_stored` and `from_stored`, and `from_stored` re-validates every field
//! through the domain constructors (and, for a dossier, verifies the route's hash
//! chain and replays it), so a corrupted or hand-edited record is refused at load.
//!
//! Times are RFC 3339 in UTC with as many fractional digits as needed, so they
//! round-trip exactly (route hashes cover nanoseconds). Dates are `YYYY-MM-DD`.
//! Each top-level record carries `v`, the format version (1).

use std::collections::BTreeSet;
use std::fmt::Display;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::attachment::{Attachment, MediaType, OriginalName};
use crate::citizen_contact::{CitizenContact, CitizenName, Cnp, Email, PhoneNumber};
use crate::deadline::DeadlineRule;
use crate::department::Department;
use crate::digest::Sha256Digest;
use crate::document_type::{
    DocumentType, FieldDef, FieldKind, FieldName, SignatureRequirement, Titles, TypeStatus,
    TypeVersion,
};
use crate::dossier::{Channel, Dossier, DossierError, DossierParts, Origin};
use crate::form::FormData;
use crate::ids::{DepartmentCode, DocumentTypeCode, DossierId, TenantSlug, Username};
use crate::lang::Lang;
use crate::official::{Invite, Official};
use crate::regno::{RegistrationNumber, RegistrationPrefix};
use crate::role::Role;
use crate::route::{ChainedEvent, EventKind, Route, RouteActor, RouteEvent};
use crate::signing::{Batch, InFlight, Item, ItemState, KeyAlgorithm};
use crate::tenant::{AccentColour, Branding, Logo, PublicBaseUrl, Tenant, TenantKind};
use crate::text::{DisplayName, InternalNote, PublicNote, Reason};
use crate::token::TrackingToken;

/// The current format version of every record.
pub const FORMAT_VERSION: u32 = 1;

/// Why a stored record does not map back to the domain.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoredError {
    /// A field failed validation.
    #[error("stored field `{field}` is invalid: {message}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// An unknown format version.
    #[error("unknown stored format version {0}")]
    Version(u32),
    /// The dossier's route does not verify or replay.
    #[error(transparent)]
    Dossier(#[from] DossierError),
}

fn f<T, E: Display>(field: &'static str, r: Result<T, E>) -> Result<T, StoredError> {
    r.map_err(|e| StoredError::Field {
        field,
        message: e.to_string(),
    })
}

fn some<T>(field: &'static str, v: Option<T>) -> Result<T, StoredError> {
    v.ok_or_else(|| StoredError::Field {
        field,
        message: "unknown value".into(),
    })
}

fn opt<T, E: Display>(
    field: &'static str,
    v: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoredError> {
    v.map(|s| f(field, parse(s))).transpose()
}

fn check_version(v: u32) -> Result<(), StoredError> {
    if v == FORMAT_VERSION {
        Ok(())
    } else {
        Err(StoredError::Version(v))
    }
}

fn time_to_stored(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn time_from_stored(field: &'static str, s: &str) -> Result<DateTime<Utc>, StoredError> {
    f(field, DateTime::parse_from_rfc3339(s)).map(|t| t.with_timezone(&Utc))
}

fn date_from_stored(field: &'static str, s: &str) -> Result<NaiveDate, StoredError> {
    f(field, NaiveDate::parse_from_str(s, "%Y-%m-%d"))
}

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
        };
        let events = s
            .route
            .iter()
            .map(RouteEvent::from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Dossier::from_parts(parts, Route::from_chain(events))?)
    }
}

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTenant {
    /// Format version.
    pub v: u32,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// [`TenantKind::code`].
    pub kind: String,
    /// Registration prefix.
    pub registration_prefix: String,
    /// Language codes.
    pub languages: Vec<String>,
    /// Public base URL.
    pub public_base_url: String,
    /// Accepts new dossiers.
    pub active: bool,
    /// Branding; absent in records written before branding existed.
    #[serde(default)]
    pub branding: StoredBranding,
}

/// A tenant's branding as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBranding {
    /// Header name.
    pub display_name: Option<String>,
    /// `#rrggbb`.
    pub accent: Option<String>,
    /// The logo's SHA-256 (hex).
    pub logo_sha256: Option<String>,
    /// The logo's MIME type.
    pub logo_media_type: Option<String>,
}

impl Tenant {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredTenant {
        StoredTenant {
            v: FORMAT_VERSION,
            slug: self.slug.to_string(),
            name: self.name.to_string(),
            kind: self.kind.code().to_owned(),
            registration_prefix: self.registration_prefix.to_string(),
            languages: self.languages.iter().map(|l| l.code().to_owned()).collect(),
            public_base_url: self.public_base_url.as_str().to_owned(),
            active: self.active,
            branding: StoredBranding {
                display_name: self.branding.display_name.as_ref().map(ToString::to_string),
                accent: self.branding.accent.as_ref().map(|a| a.as_str().to_owned()),
                logo_sha256: self.branding.logo.as_ref().map(|l| l.sha256.to_hex()),
                logo_media_type: self
                    .branding
                    .logo
                    .as_ref()
                    .map(|l| l.media_type.mime().to_owned()),
            },
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredTenant) -> Result<Tenant, StoredError> {
        check_version(s.v)?;
        let langs = s
            .languages
            .iter()
            .map(|l| some("languages", Lang::from_code(l)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Tenant {
            slug: f("slug", TenantSlug::parse(&s.slug))?,
            name: f("name", DisplayName::parse(&s.name))?,
            kind: some("kind", TenantKind::from_code(&s.kind))?,
            registration_prefix: f(
                "registration_prefix",
                RegistrationPrefix::parse(&s.registration_prefix),
            )?,
            languages: Tenant::normalise_languages(&langs),
            public_base_url: f("public_base_url", PublicBaseUrl::parse(&s.public_base_url))?,
            active: s.active,
            branding: Branding {
                display_name: opt(
                    "branding.display_name",
                    s.branding.display_name.as_deref(),
                    DisplayName::parse,
                )?,
                accent: opt(
                    "branding.accent",
                    s.branding.accent.as_deref(),
                    AccentColour::parse,
                )?,
                logo: match (&s.branding.logo_sha256, &s.branding.logo_media_type) {
                    (Some(sha), Some(mime)) => Some(Logo {
                        sha256: f("branding.logo_sha256", Sha256Digest::parse(sha))?,
                        media_type: some("branding.logo_media_type", MediaType::from_mime(mime))?,
                    }),
                    _ => None,
                },
            },
        })
    }
}

/// A department as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDepartment {
    /// Format version.
    pub v: u32,
    /// Tenant slug.
    pub tenant: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Active.
    pub active: bool,
}

impl Department {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredDepartment {
        StoredDepartment {
            v: FORMAT_VERSION,
            tenant: self.tenant.to_string(),
            code: self.code.to_string(),
            name: self.name.to_string(),
            active: self.active,
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredDepartment) -> Result<Department, StoredError> {
        check_version(s.v)?;
        Ok(Department {
            tenant: f("tenant", TenantSlug::parse(&s.tenant))?,
            code: f("code", DepartmentCode::parse(&s.code))?,
            name: f("name", DisplayName::parse(&s.name))?,
            active: s.active,
        })
    }
}

/// An official as stored (credentials live elsewhere, with the accounts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOfficial {
    /// Format version.
    pub v: u32,
    /// Tenant slug.
    pub tenant: String,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Department code.
    pub department: Option<String>,
    /// [`Role::code`]s.
    pub roles: Vec<String>,
    /// Active.
    pub active: bool,
}

impl Official {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredOfficial {
        StoredOfficial {
            v: FORMAT_VERSION,
            tenant: self.tenant.to_string(),
            username: self.username.to_string(),
            display_name: self.display_name.to_string(),
            department: self.department.as_ref().map(ToString::to_string),
            roles: self.roles.iter().map(|r| r.code().to_owned()).collect(),
            active: self.active,
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredOfficial) -> Result<Official, StoredError> {
        check_version(s.v)?;
        Ok(Official {
            tenant: f("tenant", TenantSlug::parse(&s.tenant))?,
            username: f("username", Username::parse(&s.username))?,
            display_name: f("display_name", DisplayName::parse(&s.display_name))?,
            department: opt("department", s.department.as_deref(), DepartmentCode::parse)?,
            roles: s
                .roles
                .iter()
                .map(|r| some("roles", Role::from_code(r)))
                .collect::<Result<BTreeSet<_>, _>>()?,
            active: s.active,
        })
    }
}

/// Titles as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTitles {
    /// Romanian.
    pub ro: String,
    /// Hungarian.
    pub hu: Option<String>,
    /// English.
    pub en: Option<String>,
}

impl StoredTitles {
    fn from_domain(t: &Titles) -> Self {
        Self {
            ro: t.ro.to_string(),
            hu: t.hu.as_ref().map(ToString::to_string),
            en: t.en.as_ref().map(ToString::to_string),
        }
    }

    fn to_domain(&self, field: &'static str) -> Result<Titles, StoredError> {
        Ok(Titles {
            ro: f(field, DisplayName::parse(&self.ro))?,
            hu: opt(field, self.hu.as_deref(), DisplayName::parse)?,
            en: opt(field, self.en.as_deref(), DisplayName::parse)?,
        })
    }
}

/// A deadline rule as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "count", content = "days", rename_all = "snake_case")]
pub enum StoredDeadlineRule {
    /// [`DeadlineRule::CalendarDays`].
    CalendarDays(u16),
    /// [`DeadlineRule::WorkingDays`].
    WorkingDays(u16),
}

/// A form field kind as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum StoredFieldKind {
    /// [`FieldKind::Text`].
    Text { max_chars: u16 },
    /// [`FieldKind::Multiline`].
    Multiline { max_chars: u16 },
    /// [`FieldKind::Number`].
    Number { min: i64, max: i64 },
    /// [`FieldKind::Date`].
    Date,
    /// [`FieldKind::Select`].
    Select { options: Vec<String> },
    /// [`FieldKind::Checkbox`].
    Checkbox,
    /// [`FieldKind::Cnp`].
    Cnp,
    /// [`FieldKind::Email`].
    Email,
    /// [`FieldKind::Phone`].
    Phone,
    /// [`FieldKind::Address`].
    Address,
    /// [`FieldKind::Attachment`]: MIME types and the size limit.
    Attachment { types: Vec<String>, max_bytes: u32 },
}

/// A form field as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredField {
    /// Name.
    pub name: String,
    /// Label.
    pub label: StoredTitles,
    /// Required.
    pub required: bool,
    /// Kind.
    #[serde(flatten)]
    pub kind: StoredFieldKind,
}

/// A document type version as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDocumentType {
    /// Format version.
    pub v: u32,
    /// Tenant slug.
    pub tenant: String,
    /// Code.
    pub code: String,
    /// Type version.
    pub version: u32,
    /// Titles.
    pub titles: StoredTitles,
    /// Deadline rule.
    pub deadline: StoredDeadlineRule,
    /// First department.
    pub first_department: String,
    /// `none`, `simple` or `qualified`.
    pub signature: String,
    /// Fee in bani.
    pub fee_bani: u64,
    /// Retention in years.
    pub retention_years: u16,
    /// Form fields.
    pub fields: Vec<StoredField>,
}

impl DocumentType {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredDocumentType {
        StoredDocumentType {
            v: FORMAT_VERSION,
            tenant: self.tenant.to_string(),
            code: self.code.to_string(),
            version: self.version.get(),
            titles: StoredTitles::from_domain(&self.titles),
            deadline: match self.deadline {
                DeadlineRule::CalendarDays(n) => StoredDeadlineRule::CalendarDays(n),
                DeadlineRule::WorkingDays(n) => StoredDeadlineRule::WorkingDays(n),
            },
            first_department: self.first_department.to_string(),
            signature: match self.signature {
                SignatureRequirement::None => "none",
                SignatureRequirement::Simple => "simple",
                SignatureRequirement::Qualified => "qualified",
            }
            .to_owned(),
            fee_bani: self.fee_bani,
            retention_years: self.retention_years,
            fields: self
                .fields
                .iter()
                .map(|fd| StoredField {
                    name: fd.name.as_str().to_owned(),
                    label: StoredTitles::from_domain(&fd.label),
                    required: fd.required,
                    kind: match &fd.kind {
                        FieldKind::Text { max_chars } => StoredFieldKind::Text {
                            max_chars: *max_chars,
                        },
                        FieldKind::Multiline { max_chars } => StoredFieldKind::Multiline {
                            max_chars: *max_chars,
                        },
                        FieldKind::Number { min, max } => StoredFieldKind::Number {
                            min: *min,
                            max: *max,
                        },
                        FieldKind::Date => StoredFieldKind::Date,
                        FieldKind::Select { options } => StoredFieldKind::Select {
                            options: options.clone(),
                        },
                        FieldKind::Checkbox => StoredFieldKind::Checkbox,
                        FieldKind::Cnp => StoredFieldKind::Cnp,
                        FieldKind::Email => StoredFieldKind::Email,
                        FieldKind::Phone => StoredFieldKind::Phone,
                        FieldKind::Address => StoredFieldKind::Address,
                        FieldKind::Attachment { types, max_bytes } => StoredFieldKind::Attachment {
                            types: types.iter().map(|m| m.mime().to_owned()).collect(),
                            max_bytes: *max_bytes,
                        },
                    },
                })
                .collect(),
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredDocumentType) -> Result<DocumentType, StoredError> {
        check_version(s.v)?;
        let fields = s
            .fields
            .iter()
            .map(|fd| {
                Ok(FieldDef {
                    name: f("fields.name", FieldName::parse(&fd.name))?,
                    label: fd.label.to_domain("fields.label")?,
                    required: fd.required,
                    kind: match &fd.kind {
                        StoredFieldKind::Text { max_chars } => FieldKind::Text {
                            max_chars: *max_chars,
                        },
                        StoredFieldKind::Multiline { max_chars } => FieldKind::Multiline {
                            max_chars: *max_chars,
                        },
                        StoredFieldKind::Number { min, max } => FieldKind::Number {
                            min: *min,
                            max: *max,
                        },
                        StoredFieldKind::Date => FieldKind::Date,
                        StoredFieldKind::Select { options } => FieldKind::Select {
                            options: options.clone(),
                        },
                        StoredFieldKind::Checkbox => FieldKind::Checkbox,
                        StoredFieldKind::Cnp => FieldKind::Cnp,
                        StoredFieldKind::Email => FieldKind::Email,
                        StoredFieldKind::Phone => FieldKind::Phone,
                        StoredFieldKind::Address => FieldKind::Address,
                        StoredFieldKind::Attachment { types, max_bytes } => FieldKind::Attachment {
                            types: types
                                .iter()
                                .map(|t| some("fields.types", MediaType::from_mime(t)))
                                .collect::<Result<_, _>>()?,
                            max_bytes: *max_bytes,
                        },
                    },
                })
            })
            .collect::<Result<Vec<_>, StoredError>>()?;
        Ok(DocumentType {
            tenant: f("tenant", TenantSlug::parse(&s.tenant))?,
            code: f("code", DocumentTypeCode::parse(&s.code))?,
            version: some("version", TypeVersion::new(s.version))?,
            titles: s.titles.to_domain("titles")?,
            deadline: match s.deadline {
                StoredDeadlineRule::CalendarDays(n) => DeadlineRule::CalendarDays(n),
                StoredDeadlineRule::WorkingDays(n) => DeadlineRule::WorkingDays(n),
            },
            first_department: f(
                "first_department",
                DepartmentCode::parse(&s.first_department),
            )?,
            signature: match s.signature.as_str() {
                "none" => SignatureRequirement::None,
                "simple" => SignatureRequirement::Simple,
                "qualified" => SignatureRequirement::Qualified,
                _ => {
                    return Err(StoredError::Field {
                        field: "signature",
                        message: "unknown value".into(),
                    });
                }
            },
            fee_bani: s.fee_bani,
            retention_years: s.retention_years,
            fields,
        })
    }
}

/// Which version of a document type is the latest and whether it is offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTypeStatus {
    /// Format version.
    pub v: u32,
    /// The latest version.
    pub latest: u32,
    /// Offered for intake.
    pub active: bool,
}

impl TypeStatus {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredTypeStatus {
        StoredTypeStatus {
            v: FORMAT_VERSION,
            latest: self.latest.get(),
            active: self.active,
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredTypeStatus) -> Result<TypeStatus, StoredError> {
        check_version(s.v)?;
        Ok(TypeStatus {
            latest: some("latest", TypeVersion::new(s.latest))?,
            active: s.active,
        })
    }
}

/// An invitation as stored (under the hash of its token, never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredInvite {
    /// Format version.
    pub v: u32,
    /// The official to create.
    pub official: StoredOfficial,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// Accepted already.
    pub used: bool,
}

impl Invite {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredInvite {
        StoredInvite {
            v: FORMAT_VERSION,
            official: self.official.to_stored(),
            created_at: time_to_stored(self.created_at),
            expires_at: time_to_stored(self.expires_at),
            used: self.used,
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredInvite) -> Result<Invite, StoredError> {
        check_version(s.v)?;
        Ok(Invite {
            official: Official::from_stored(&s.official)?,
            created_at: time_from_stored("created_at", &s.created_at)?,
            expires_at: time_from_stored("expires_at", &s.expires_at)?,
            used: s.used,
        })
    }
}

/// A signer's batch as stored (`t/{slug}/signing/{id}`), and as the desk's
/// progress poll reads it. Digests, certificates and the hash to sign are
/// lowercase hex; an item not prepared has them empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBatch {
    /// Its id.
    pub id: String,
    /// The signer's username.
    pub signer: String,
    /// The signer's name, as shown on the stamp.
    pub signer_name: String,
    /// The signing service's credential.
    pub credential: String,
    /// The certificate chain (hex DER), signer first.
    pub certificates: Vec<String>,
    /// The key's algorithm: `ecdsa-p256` or `rsa`.
    pub algorithm: String,
    /// How many signatures one authorization may cover.
    pub multisign: u32,
    /// The signing time written into every document.
    pub signing_time: String,
    /// The public origin of the verification links.
    pub origin: String,
    /// The documents, in the order shown.
    pub items: Vec<StoredItem>,
    /// Codes requested so far.
    pub codes_sent: u32,
    /// The part signed asynchronously whose result is awaited.
    #[serde(default)]
    pub in_flight: Option<StoredInFlight>,
    /// The results applied: `{part}/{responseID}`.
    #[serde(default)]
    pub answered: Vec<String>,
    /// Parts whose documents began to be issued.
    #[serde(default)]
    pub parts_started: u32,
    /// Asynchronous parts given up as lost.
    #[serde(default)]
    pub lost_parts: u32,
}

/// A batch's document as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredItem {
    /// The dossier's id.
    pub dossier: String,
    /// Its registration number.
    pub number: String,
    /// The response signed (hex; empty when the item failed before).
    pub response: String,
    /// The response's file name.
    pub name: String,
    /// The verification token.
    pub verify: String,
    /// The prepared PDF's digest (hex; empty until prepared).
    pub digest: String,
    /// The hash to sign (hex; empty until prepared).
    pub hash: String,
    /// What happened.
    #[serde(flatten)]
    pub state: StoredItemState,
}

/// A batch document's result as stored: `"state"` and its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StoredItemState {
    /// Waiting for the code.
    Pending,
    /// Signed: the signed PDF's SHA-256 (hex).
    Signed {
        /// The signed PDF's digest.
        document: String,
    },
    /// Not signed, and why.
    Failed {
        /// Why.
        reason: String,
    },
}

/// An asynchronous part as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredInFlight {
    /// Our name for the part.
    pub part: String,
    /// The service's `responseID`, once it answered.
    pub response_id: Option<String>,
    /// The items it covers.
    pub items: Vec<usize>,
    /// When the part was sent.
    #[serde(default)]
    pub since: Option<String>,
    /// When its result was claimed.
    #[serde(default)]
    pub claimed: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(field: &'static str, s: &str) -> Result<Vec<u8>, StoredError> {
    let bad = || StoredError::Field {
        field,
        message: "not hex".into(),
    };
    if !s.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn digest_or_empty(d: Option<&Sha256Digest>) -> String {
    d.map(Sha256Digest::to_hex).unwrap_or_default()
}

fn digest_from_stored(field: &'static str, s: &str) -> Result<Option<Sha256Digest>, StoredError> {
    if s.is_empty() {
        Ok(None)
    } else {
        f(field, Sha256Digest::parse(s)).map(Some)
    }
}

impl Batch {
    /// The stored shape.
    #[must_use]
    pub fn to_stored(&self) -> StoredBatch {
        StoredBatch {
            id: self.id.to_string(),
            signer: self.signer.to_string(),
            signer_name: self.signer_name.clone(),
            credential: self.credential.clone(),
            certificates: self.certificates.iter().map(|c| hex(c)).collect(),
            algorithm: self.algorithm.as_str().to_owned(),
            multisign: self.multisign,
            signing_time: time_to_stored(self.signing_time),
            origin: self.origin.clone(),
            items: self.items.iter().map(Item::to_stored).collect(),
            codes_sent: self.codes_sent,
            in_flight: self.in_flight.as_ref().map(|f| StoredInFlight {
                part: f.part.clone(),
                response_id: f.response_id.clone(),
                items: f.items.clone(),
                since: f.since.map(time_to_stored),
                claimed: f.claimed.map(time_to_stored),
            }),
            answered: self.answered.clone(),
            parts_started: self.parts_started,
            lost_parts: self.lost_parts,
        }
    }

    /// Back from the stored shape, every field re-validated.
    pub fn from_stored(s: &StoredBatch) -> Result<Self, StoredError> {
        let in_flight = match &s.in_flight {
            None => None,
            Some(f) => Some(InFlight {
                part: f.part.clone(),
                response_id: f.response_id.clone(),
                items: f.items.clone(),
                since: opt("in_flight.since", f.since.as_deref(), |t| {
                    time_from_stored("in_flight.since", t)
                })?,
                claimed: opt("in_flight.claimed", f.claimed.as_deref(), |t| {
                    time_from_stored("in_flight.claimed", t)
                })?,
            }),
        };
        Ok(Self {
            id: f("id", TrackingToken::parse(&s.id))?,
            signer: f("signer", Username::parse(&s.signer))?,
            signer_name: s.signer_name.clone(),
            credential: s.credential.clone(),
            certificates: s
                .certificates
                .iter()
                .map(|c| unhex("certificates", c))
                .collect::<Result<_, _>>()?,
            algorithm: some("algorithm", KeyAlgorithm::parse(&s.algorithm))?,
            multisign: s.multisign,
            signing_time: time_from_stored("signing_time", &s.signing_time)?,
            origin: s.origin.clone(),
            items: s
                .items
                .iter()
                .map(Item::from_stored)
                .collect::<Result<_, _>>()?,
            codes_sent: s.codes_sent,
            in_flight,
            answered: s.answered.clone(),
            parts_started: s.parts_started,
            lost_parts: s.lost_parts,
        })
    }
}

impl Item {
    fn to_stored(&self) -> StoredItem {
        StoredItem {
            dossier: self.dossier.to_string(),
            number: self.number.clone(),
            response: digest_or_empty(self.response.as_ref()),
            name: self.name.clone(),
            verify: self.verify.to_string(),
            digest: digest_or_empty(self.digest.as_ref()),
            hash: digest_or_empty(self.hash.as_ref()),
            state: match &self.state {
                ItemState::Pending => StoredItemState::Pending,
                ItemState::Signed { document } => StoredItemState::Signed {
                    document: document.to_hex(),
                },
                ItemState::Failed { reason } => StoredItemState::Failed {
                    reason: reason.clone(),
                },
            },
        }
    }

    fn from_stored(s: &StoredItem) -> Result<Self, StoredError> {
        Ok(Self {
            dossier: f("items.dossier", DossierId::parse(&s.dossier))?,
            number: s.number.clone(),
            response: digest_from_stored("items.response", &s.response)?,
            name: s.name.clone(),
            verify: f("items.verify", TrackingToken::parse(&s.verify))?,
            digest: digest_from_stored("items.digest", &s.digest)?,
            hash: digest_from_stored("items.hash", &s.hash)?,
            state: match &s.state {
                StoredItemState::Pending => ItemState::Pending,
                StoredItemState::Signed { document } => ItemState::Signed {
                    document: f("items.document", Sha256Digest::parse(document))?,
                },
                StoredItemState::Failed { reason } => ItemState::Failed {
                    reason: reason.clone(),
                },
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document_type::tests::petition_type;
    use crate::dossier::tests::{at, dept, sample_dossier, user};
    use crate::permissions::Actor;
    use crate::role::Role;
    use crate::route::RouteError;
    use crate::workflow::{Command, execute};

    fn busy_dossier() -> Dossier {
        let mut d = sample_dossier();
        let mut parts = d.parts().clone();
        parts.contact = CitizenContact {
            name: Some(CitizenName::parse("Ana Pop").unwrap()),
            email: Some(Email::parse("ana@example.ro").unwrap()),
            phone: Some(PhoneNumber::parse("0722123456").unwrap()),
            cnp: Some(Cnp::parse("1960529120011").unwrap()),
            lang: None,
        };
        d = Dossier::from_parts(parts, d.route().clone()).unwrap();
        let a = Actor {
            username: user("admin"),
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            roles: [Role::TenantAdmin].into(),
            department: None,
        };
        let r = Reason::parse("motiv").unwrap();
        execute(
            &mut d,
            Command::Assign {
                department: dept("urbanism"),
                official: Some(user("ion.pop")),
            },
            &a,
            at("2026-03-03T08:00:00.123456789Z"),
        )
        .unwrap();
        execute(
            &mut d,
            Command::Forward {
                to_department: dept("juridic"),
                note: Some(PublicNote::parse("la juridic").unwrap()),
            },
            &a,
            at("2026-03-04T08:00:00Z"),
        )
        .unwrap();
        execute(
            &mut d,
            Command::ExtendDeadline {
                days: 3,
                reason: r.clone(),
            },
            &a,
            at("2026-03-05T08:00:00Z"),
        )
        .unwrap();
        execute(
            &mut d,
            Command::Reject { reason: r },
            &a,
            at("2026-03-06T08:00:00Z"),
        )
        .unwrap();
        d
    }

    #[test]
    fn dossier_round_trips_through_json() {
        let d = busy_dossier();
        let json = serde_json::to_string(&d.to_stored()).unwrap();
        let back: StoredDossier = serde_json::from_str(&json).unwrap();
        assert_eq!(Dossier::from_stored(&back), Ok(d));
        assert!(
            json.contains(r#""kind":"forwarded","from_department":"urbanism""#),
            "{json}"
        );
    }

    #[test]
    fn corrupted_records_are_refused() {
        type Corrupt = fn(&mut StoredDossier);
        let cases: &[(&str, Corrupt, &str)] = &[
            ("version", |s| s.v = 2, "version"),
            (
                "token",
                |s| s.token = "8ZZZZZZZZZZZZZZZZZZZZZZZZZ".into(),
                "token",
            ),
            (
                "cnp",
                |s| s.contact.cnp = Some("1960529120012".into()),
                "contact.cnp",
            ),
            (
                "media",
                |s| s.attachments[0].media_type = "text/html".into(),
                "attachments.media_type",
            ),
            (
                "note edited",
                |s| s.route[2].note = Some("altceva".into()),
                "route",
            ),
            (
                "event removed",
                |s| {
                    s.route.remove(1);
                },
                "route",
            ),
            ("time", |s| s.route[1].at = "yesterday".into(), "route.at"),
        ];
        for (name, corrupt, want) in cases {
            let mut s = busy_dossier().to_stored();
            corrupt(&mut s);
            let err = Dossier::from_stored(&s).unwrap_err();
            let got = match &err {
                StoredError::Field { field, .. } => *field,
                StoredError::Version(_) => "version",
                StoredError::Dossier(DossierError::Route(RouteError::HashMismatch { .. })) => {
                    "route"
                }
                StoredError::Dossier(_) => "dossier",
            };
            assert_eq!(got, *want, "{name}: {err}");
        }
    }

    #[test]
    fn other_records_round_trip() {
        let mut ty = petition_type();
        ty.fields.push(FieldDef {
            name: FieldName::parse("cnp").unwrap(),
            label: Titles::ro(DisplayName::parse("CNP").unwrap()),
            required: false,
            kind: FieldKind::Select {
                options: vec!["a".into()],
            },
        });
        ty.deadline = DeadlineRule::WorkingDays(5);
        let json = serde_json::to_string(&ty.to_stored()).unwrap();
        assert_eq!(
            DocumentType::from_stored(&serde_json::from_str(&json).unwrap()),
            Ok(ty)
        );

        let tenant = Tenant {
            slug: TenantSlug::parse("cj-cluj").unwrap(),
            name: DisplayName::parse("Consiliul Județean Cluj").unwrap(),
            kind: TenantKind::CountyCouncil,
            registration_prefix: RegistrationPrefix::parse("CJC").unwrap(),
            languages: vec![Lang::Ro, Lang::Hu, Lang::En],
            public_base_url: PublicBaseUrl::parse("https://ghiseu.cjcluj.ro").unwrap(),
            active: true,
            branding: Branding::default(),
        };
        assert_eq!(Tenant::from_stored(&tenant.to_stored()), Ok(tenant.clone()));
        let branded = Tenant {
            branding: Branding {
                display_name: Some(DisplayName::parse("CJ Cluj").unwrap()),
                accent: Some(AccentColour::parse("#0B4F9C").unwrap()),
                logo: Some(Logo::check(b"\x89PNG\r\n\x1a\n..").unwrap()),
            },
            ..tenant
        };
        let json = serde_json::to_string(&branded.to_stored()).unwrap();
        assert_eq!(
            Tenant::from_stored(&serde_json::from_str(&json).unwrap()),
            Ok(branded)
        );
        // A record written before branding existed still loads.
        let old = r#"{"v":1,"slug":"turda","name":"Primăria Turda","kind":"municipality",
            "registration_prefix":"TRD","languages":["ro"],
            "public_base_url":"https://t.ro","active":true}"#;
        let t = Tenant::from_stored(&serde_json::from_str(old).unwrap()).unwrap();
        assert_eq!(t.branding, Branding::default());
        assert_eq!(t.header_name().as_str(), "Primăria Turda");

        let status = TypeStatus::NEW.after_save();
        assert_eq!(TypeStatus::from_stored(&status.to_stored()), Ok(status));

        let mut ty2 = petition_type();
        ty2.fields.push(FieldDef {
            name: FieldName::parse("plan").unwrap(),
            label: Titles::ro(DisplayName::parse("Plan").unwrap()),
            required: true,
            kind: FieldKind::Attachment {
                types: vec![MediaType::Pdf, MediaType::Png],
                max_bytes: 1000,
            },
        });
        ty2.fields.push(FieldDef {
            name: FieldName::parse("adresa").unwrap(),
            label: Titles::ro(DisplayName::parse("Adresa").unwrap()),
            required: true,
            kind: FieldKind::Address,
        });
        let json = serde_json::to_string(&ty2.to_stored()).unwrap();
        assert_eq!(
            DocumentType::from_stored(&serde_json::from_str(&json).unwrap()),
            Ok(ty2)
        );

        let dep = Department {
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            code: dept("urbanism"),
            name: DisplayName::parse("Direcția Urbanism").unwrap(),
            active: true,
        };
        assert_eq!(Department::from_stored(&dep.to_stored()), Ok(dep));

        let off = Official {
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            username: user("ion.pop"),
            display_name: DisplayName::parse("Ion Pop").unwrap(),
            department: Some(dept("urbanism")),
            roles: [Role::Official, Role::Signer].into(),
            active: true,
        };
        assert_eq!(Official::from_stored(&off.to_stored()), Ok(off.clone()));

        let invite = Invite::new(off, at("2026-03-01T10:00:00.5Z"));
        let json = serde_json::to_string(&invite.to_stored()).unwrap();
        assert_eq!(
            Invite::from_stored(&serde_json::from_str(&json).unwrap()),
            Ok(invite)
        );
    }

    #[test]
    fn a_signing_batch_as_the_desk_stored_it_reads_and_writes_back_the_same() {
        let id = TrackingToken::from_random([7; 16]);
        let verify = TrackingToken::from_random([8; 16]);
        let dossier = DossierId::from_random([9; 16]);
        let sha = Sha256Digest::of(b"raspuns").to_hex();
        let json = format!(
            r#"{{"id":"{id}","signer":"semn","signer_name":"Silviu Semnatar","credential":"c1","certificates":["0a0b","ff"],"algorithm":"rsa","multisign":25,"signing_time":"2026-11-23T10:00:00.123456789Z","origin":"https://ghiseu.example","items":[{{"dossier":"{dossier}","number":"ALF-2026-000001","response":"{sha}","name":"r.pdf","verify":"{verify}","digest":"{sha}","hash":"{sha}","state":"signed","document":"{sha}"}},{{"dossier":"{dossier}","number":"ALF-2026-000002","response":"","name":"","verify":"{verify}","digest":"","hash":"","state":"failed","reason":"Nu există răspuns."}}],"codes_sent":1,"in_flight":{{"part":"p1","response_id":null,"items":[0],"since":"2026-11-23T10:00:01Z","claimed":null}},"answered":["p0/r0"],"parts_started":1,"lost_parts":0}}"#
        );
        let stored: StoredBatch = serde_json::from_str(&json).unwrap();
        let batch = Batch::from_stored(&stored).unwrap();
        assert_eq!(batch.certificates, [vec![0x0a, 0x0b], vec![0xff]]);
        assert_eq!(batch.items[1].response, None);
        assert_eq!(
            batch.items[0].state,
            ItemState::Signed {
                document: Sha256Digest::of(b"raspuns")
            }
        );
        assert_eq!(serde_json::to_string(&batch.to_stored()).unwrap(), json);
        // Stored before the asynchronous fields were kept.
        let old = json.split(r#","in_flight""#).next().unwrap().to_owned() + "}";
        let batch = Batch::from_stored(&serde_json::from_str(&old).unwrap()).unwrap();
        assert_eq!((batch.in_flight, batch.parts_started), (None, 0));
        let bad = json.replace(r#""algorithm":"rsa""#, r#""algorithm":"dsa""#);
        assert!(Batch::from_stored(&serde_json::from_str(&bad).unwrap()).is_err());
    }
}
