//! The one registration path: a paper request at the registry, the seed's
//! demo dossiers and an online submission all go through [`register`].
//!
//! In order: the files are stored (content-addressed, so before a number is
//! spent); the next number of the tenant's year is taken with the atomic
//! increment (the number is the caller's alone); the number's index entry
//! `t/{slug}/index/{year}/{seq}` is written by its one holder; then the
//! dossier (leased insert), the inbox list, the token index and the public
//! snapshot; then the citizen is told. A number is never reused: one whose
//! registration died after taking it has no dossier, and the registry view
//! (`/desk?view=registry`) names such numbers above its list (the registrar
//! records them as annulled) instead of skipping them.

use chrono::{DateTime, Utc};
use ghiseu_core::dossier::NewDossier;
use ghiseu_core::permissions::authorize_registration;
use ghiseu_core::regno::registration_year;
use ghiseu_core::{
    Actor, Attachment, Channel, CitizenContact, Denied, DocumentTypeCode, Dossier, DossierId,
    InternalNote, PublicNote, RegistrationNumber, RouteActor, Tenant, TrackingToken,
};
use ghiseu_platform::Outbound;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, TokenEntry};
use ghiseu_platform::session::random_bytes;

use super::files::{Scan, store_files};
use super::notify::notify_citizen;
use super::publish::publish;
use crate::{Error, Result};

/// A submission, parsed and validated: paper at the registry or online.
pub struct Intake {
    /// The document type.
    pub document_type: DocumentTypeCode,
    /// How it arrived.
    pub channel: Channel,
    /// Files already stored (e.g. the rendered cerere), listed first.
    pub stored: Vec<Attachment>,
    /// The citizen's private contact.
    pub contact: CitizenContact,
    /// The scanned pages.
    pub scans: Vec<Scan>,
    /// An internal note.
    pub note: Option<InternalNote>,
    /// A public note on the first route event.
    pub public_note: Option<PublicNote>,
    /// The form data (validated by the caller against the document type).
    pub form: ghiseu_core::form::FormData,
    /// The pages the registry counted on a paper request (none online).
    pub paper_pages: Option<ghiseu_core::dossier::PageCount>,
}

/// Who registers a dossier.
#[derive(Debug, Clone, Copy)]
pub enum Registrant<'a> {
    /// An official at the registry (checked: the role must allow it).
    Official(&'a Actor),
    /// The citizen, submitting online (the caller has authenticated them).
    Citizen,
}

/// 16 random bytes, for an id or a token.
pub(super) fn random16() -> Result<[u8; 16]> {
    Ok(random_bytes::<16>()?)
}

/// Registers `intake` in `tenant` by `by` at `now`: stores the files, takes
/// the next number, writes the dossier, the token and inbox indexes and the
/// tracking snapshot, and tells the citizen. The one intake path (desk form,
/// seed, online submission).
pub async fn register(
    store: &Store,
    out: &Outbound,
    tenant: &Tenant,
    by: Registrant<'_>,
    intake: Intake,
    now: DateTime<Utc>,
) -> Result<Dossier> {
    let id = DossierId::from_random(random16()?);
    register_as(store, out, (tenant, id), by, intake, now).await
}

/// [`register`] under the dossier id `id`, chosen beforehand (an idempotent
/// submission names it in its claim, so that a later request finds the
/// dossier of a request that died before answering).
pub async fn register_as(
    store: &Store,
    out: &Outbound,
    (tenant, id): (&Tenant, DossierId),
    by: Registrant<'_>,
    intake: Intake,
    now: DateTime<Utc>,
) -> Result<Dossier> {
    let route_actor = match by {
        Registrant::Official(actor) => {
            authorize_registration(actor, &tenant.slug).map_err(|d| match d {
                Denied::OtherTenant => Error::NotFound,
                Denied::NotPermitted => Error::Forbidden(d.to_string()),
            })?;
            actor.route_actor()
        }
        Registrant::Citizen => RouteActor::Citizen,
    };
    let scope = TenantScope::new(&tenant.slug);
    let Some(doc_type) = repo::document_type(store, &scope, &intake.document_type).await? else {
        return Err(Error::Invalid(vec![(
            "document_type".into(),
            "Alegeți un tip de document al instituției.".into(),
        )]));
    };
    // Content-addressed, so storing the same page twice is harmless; stored
    // before the number is taken, so a failed upload wastes no number.
    let mut attachments = intake.stored;
    attachments.extend(store_files(&out.files, &scope, intake.scans).await?);
    let year = registration_year(now);
    let seq = repo::next_sequence(&scope, year)?;
    let number = RegistrationNumber::new(tenant.registration_prefix.clone(), year, seq)
        .map_err(|e| Error::NotAllowed(e.to_string()))?;
    let token = TrackingToken::from_random(random16()?);
    let new = NewDossier {
        id,
        tenant: tenant.slug.clone(),
        channel: intake.channel,
        number,
        token,
        attachments,
        note: intake.note,
        contact: intake.contact,
        public_note: intake.public_note,
        origin: None,
        form: intake.form,
    };
    let dossier =
        Dossier::register(new, &doc_type, route_actor, now).with_paper_pages(intake.paper_pages);
    // The number's index entry first: the registry view then finds every
    // dossier that was written, and shows a number whose dossier never was.
    repo::put_index_entry(store, &scope, year, seq, &id).await?;
    repo::create_dossier(&scope, &dossier)?;
    index_written(store, tenant, &dossier).await?;
    notify_citizen(store, out.notify.as_ref(), tenant, &dossier, None, now).await;
    Ok(dossier)
}

/// Writes what makes a written dossier found: the inbox list, the token
/// index and the public snapshot. Each write is idempotent, so a request
/// that finds the dossier of one that died after writing it (an idempotent
/// submission's recovery) writes them again.
pub async fn index_written(store: &Store, tenant: &Tenant, dossier: &Dossier) -> Result<()> {
    repo::index_open(&TenantScope::new(&tenant.slug), dossier)?;
    repo::put_token(
        store,
        dossier.token(),
        &TokenEntry {
            tenant: tenant.slug.to_string(),
            dossier: dossier.id().to_string(),
        },
    )
    .await?;
    publish(store, tenant, dossier).await?;
    Ok(())
}
