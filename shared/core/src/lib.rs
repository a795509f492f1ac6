//! The Ghiseu domain: tenants, officials, document types, dossiers, routes,
//! deadlines, numbering, tokens, permissions and the public view.
//!
//! Architecture invariant: this crate does no I/O and depends on no runtime (no
//! spin-sdk, no wasmtime). It has no clock and no randomness source: callers pass
//! `now`/`today` and random bytes in. Built alone (`cargo build -p ghiseu-core`)
//! chrono has no `clock` feature, so a `Utc::now()` here does not compile.
//!
//! Parse once: identifiers, tokens, numbers, contact details and texts are
//! newtypes with validating constructors; the rest of the code never re-checks a
//! string. The workflow is closed enums ([`DossierStatus`], [`EventKind`],
//! [`Command`]) and one pure [`workflow::apply`].
//!
//! Persistence: domain types derive no serde. The [`stored`] module holds the
//! persisted record shapes (plain strings and numbers, serde-derived) with
//! explicit `to_stored`/`from_stored` mappings that re-validate everything on the
//! way in (and re-verify a dossier's route hash chain). So a storage format
//! change is a visible, reviewable mapping, and invalid data in the store is
//! caught at load rather than deep in a handler. Public JSON is not this: wire
//! DTOs live in the components, built from [`PublicView`].
//!
//! Dependencies: chrono (dates, no `clock`), sha2 (route hashes, content
//! addresses), thiserror (error enums), and serde with `derive`, used only in
//! [`stored`] for the persisted records (the platform stores them as JSON in the
//! key-value store).
//!
//! Codemap, one file per concept: [`ids`], [`token`], [`regno`] (and
//! [`annulment`]: a number recorded as annulled), [`calendar`]
//! and [`deadline`], [`text`], [`lang`], [`tenant`], [`department`], [`role`],
//! [`official`], [`payment`], [`identity`], [`document_type`], [`citizen_contact`], [`digest`],
//! [`attachment`], [`route`], [`dossier`], [`workflow`], [`permissions`],
//! [`public_view`], [`quota`] (submission quotas), [`inbox`], [`idempotency`], [`signing`], [`stats`], [`stored`],
//! [`sms`] (encodings and segments) and [`notice`] (what a citizen is told by SMS
//! and e-mail).
//!
//! Architecture invariant: the modules import each other in no circle (a type
//! that two modules need lives in a third, as [`attachment`] and [`role`] do).

#![deny(missing_docs)]

pub mod access;
pub mod annulment;
pub mod attachment;
pub mod base32;
pub mod calendar;
pub mod citizen;
pub mod citizen_contact;
pub mod deadline;
pub mod department;
pub mod digest;
pub mod document_type;
pub mod dossier;
pub mod form;
pub mod guide;
pub mod idempotency;
pub mod identity;
pub mod ids;
pub mod inbox;
pub mod lang;
pub mod notice;
pub mod official;
pub mod open311;
pub mod payment;
pub mod permissions;
pub mod public_view;
pub mod quota;
pub mod regno;
pub mod reminder;
pub mod retention;
pub mod role;
pub mod route;
pub mod second_factor;
pub mod signing;
pub mod sms;
pub mod stats;
pub mod stored;
pub mod tenant;
pub mod text;
pub mod token;
pub mod workflow;

pub use attachment::{Attachment, MediaType};
pub use citizen_contact::{CitizenContact, CitizenName, Cnp, ContactError, Email, PhoneNumber};
pub use deadline::{DeadlineError, DeadlineRule};
pub use department::Department;
pub use digest::Sha256Digest;
pub use document_type::{
    DocumentType, FieldDef, FieldKind, SignatureRequirement, Titles, TypeVersion,
};
pub use dossier::{Channel, Dossier, DossierStatus, NewDossier};
pub use ids::{DepartmentCode, DocumentTypeCode, DossierId, IdError, TenantSlug, Username};
pub use lang::Lang;
pub use official::Official;
pub use permissions::{
    Action, Actor, Denied, authorize, authorize_registration, authorize_signing,
};
pub use public_view::{PublicNames, PublicStatus, PublicView, event_label, status_label};
pub use regno::{RegistrationNumber, RegistrationPrefix};
pub use role::Role;
pub use route::{ChainedEvent, EventKind, Route, RouteActor, RouteEvent};
pub use tenant::{PublicContact, Tenant, TenantKind};
pub use text::{DisplayName, InternalNote, PublicNote, Reason};
pub use token::{ReceiptCode, TrackingToken};
pub use workflow::{Command, WorkflowError};
