//! The desk's use cases over the repositories: register a dossier (the one
//! intake path, used by the registry form and by the seed), apply a workflow
//! command with compare-and-swap, publish the tracking snapshot.

use chrono::{DateTime, Utc};
use ghiseu_core::dossier::{NewDossier, OriginalName};
use ghiseu_core::permissions::authorize_registration;
use ghiseu_core::public_view::PublicNames;
use ghiseu_core::regno::registration_year;
use ghiseu_core::workflow::{self, Command, WorkflowError};
use ghiseu_core::{
    Actor, Attachment, Channel, CitizenContact, Denied, DocumentTypeCode, Dossier, DossierId,
    InternalNote, MediaType, PublicNote, RegistrationNumber, Sha256Digest, Tenant, TrackingToken,
};
use ghiseu_platform::http::Response;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, TokenEntry, UpdateOutcome, Versioned};
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::session::random_bytes;
use ghiseu_platform::tracking::{put_snapshot, snapshot_of};
use http::StatusCode;

use crate::pages;

/// Largest scanned page accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Everything that can go wrong in the desk, mapped to HTTP in one place
/// ([`DeskError::into_html`]).
#[derive(Debug)]
pub enum DeskError {
    /// No such dossier in the official's tenant (also: another tenant's).
    NotFound,
    /// The official's role does not allow the action.
    Forbidden(String),
    /// Someone else changed the dossier since it was shown.
    Conflict,
    /// The action is not possible in the dossier's state.
    NotAllowed(String),
    /// A form field is invalid: (field id, message).
    Invalid(Vec<(String, String)>),
    /// A store failed.
    Platform(ghiseu_platform::Error),
}

impl From<ghiseu_platform::Error> for DeskError {
    fn from(e: ghiseu_platform::Error) -> Self {
        Self::Platform(e)
    }
}

impl From<WorkflowError> for DeskError {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::Denied(Denied::OtherTenant) => Self::NotFound,
            WorkflowError::Denied(d) => Self::Forbidden(d.to_string()),
            other => Self::NotAllowed(other.to_string()),
        }
    }
}

impl DeskError {
    /// The error page.
    pub fn into_html(self) -> Response {
        let (status, title, detail) = match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Negăsit",
                "Dosarul sau pagina nu există în instituția dumneavoastră.".to_owned(),
            ),
            Self::Forbidden(d) => (StatusCode::FORBIDDEN, "Acțiune nepermisă", d),
            Self::Conflict => (
                StatusCode::CONFLICT,
                "Dosarul a fost modificat",
                "Altcineva a modificat acest dosar între timp. Reîncărcați pagina și \
                 reluați acțiunea; nimic nu a fost pierdut."
                    .to_owned(),
            ),
            Self::NotAllowed(d) => (StatusCode::CONFLICT, "Acțiune imposibilă", d),
            Self::Invalid(errors) => {
                let detail = errors
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join(" ");
                (StatusCode::UNPROCESSABLE_ENTITY, "Date invalide", detail)
            }
            Self::Platform(e) => {
                eprintln!("desk: {e}");
                match e {
                    ghiseu_platform::Error::BodyTooLarge { .. } => (
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "Fișiere prea mari",
                        "Cererea depășește dimensiunea permisă.".to_owned(),
                    ),
                    _ => (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Eroare",
                        "Serviciul nu a putut finaliza cererea. Încercați din nou.".to_owned(),
                    ),
                }
            }
        };
        crate::secure_html(status, pages::error_page(title, &detail))
    }
}

/// A scanned page, already checked by content.
pub struct Scan {
    /// The uploader's file name.
    pub name: OriginalName,
    /// What the content is.
    pub media_type: MediaType,
    /// The bytes.
    pub data: Vec<u8>,
}

/// A paper submission at the registry, parsed and validated.
pub struct Intake {
    /// The document type.
    pub document_type: DocumentTypeCode,
    /// The citizen's private contact.
    pub contact: CitizenContact,
    /// The scanned pages.
    pub scans: Vec<Scan>,
    /// An internal note.
    pub note: Option<InternalNote>,
    /// A public note on the first route event.
    pub public_note: Option<PublicNote>,
}

fn random16() -> Result<[u8; 16], DeskError> {
    Ok(random_bytes::<16>()?)
}

/// Registers `intake` in `tenant` as `actor` at `now`: stores the scans, takes
/// the next number, writes the dossier, the token and inbox indexes and the
/// tracking snapshot. The one intake path (desk form and seed).
pub async fn register(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    intake: Intake,
    now: DateTime<Utc>,
) -> Result<Dossier, DeskError> {
    authorize_registration(actor, &tenant.slug).map_err(|d| match d {
        Denied::OtherTenant => DeskError::NotFound,
        Denied::NotPermitted => DeskError::Forbidden(d.to_string()),
    })?;
    let scope = TenantScope::new(&tenant.slug);
    let Some(doc_type) = repo::document_type(store, &scope, &intake.document_type).await? else {
        return Err(DeskError::Invalid(vec![(
            "document_type".into(),
            "Alegeți un tip de document al instituției.".into(),
        )]));
    };
    // Content-addressed, so storing the same page twice is harmless; stored
    // before the number is taken, so a failed upload wastes no number.
    let mut attachments = Vec::with_capacity(intake.scans.len());
    if !intake.scans.is_empty() {
        let s3 = S3Client::from_variables().await?;
        for scan in intake.scans {
            let sha = Sha256Digest::of(&scan.data);
            let key = format!("{}attachments/{}", scope.prefix(), sha.to_hex());
            let size = scan.data.len() as u64;
            s3.put_object(&key, scan.data, scan.media_type.mime())
                .await?;
            attachments.push(Attachment {
                sha256: sha,
                media_type: scan.media_type,
                size,
                original_name: scan.name,
            });
        }
    }
    let year = registration_year(now);
    let seq = repo::next_sequence(&scope, year)?;
    let number = RegistrationNumber::new(tenant.registration_prefix.clone(), year, seq)
        .map_err(|e| DeskError::NotAllowed(e.to_string()))?;
    let id = DossierId::from_random(random16()?);
    let token = TrackingToken::from_random(random16()?);
    let new = NewDossier {
        id,
        tenant: tenant.slug.clone(),
        channel: Channel::Paper,
        number,
        token,
        attachments,
        note: intake.note,
        contact: intake.contact,
        public_note: intake.public_note,
        origin: None,
    };
    let dossier = Dossier::register(new, &doc_type, actor.route_actor(), now);
    repo::create_dossier(&scope, &dossier)?;
    repo::put_index_entry(store, &scope, year, seq, &id).await?;
    repo::put_token(
        store,
        &token,
        &TokenEntry {
            tenant: tenant.slug.to_string(),
            dossier: id.to_string(),
        },
    )
    .await?;
    publish(store, tenant, &dossier).await?;
    Ok(dossier)
}

/// Display names of the tenant's departments and officials.
pub async fn names(store: &Store, scope: &TenantScope) -> Result<PublicNames, DeskError> {
    Ok(PublicNames {
        departments: repo::departments(store, scope)
            .await?
            .into_iter()
            .map(|d| (d.code, d.name.to_string()))
            .collect(),
        officials: repo::officials(store, scope)
            .await?
            .into_iter()
            .map(|o| (o.username, o.display_name.to_string()))
            .collect(),
    })
}

/// Writes the public tracking snapshot of `dossier`.
pub async fn publish(store: &Store, tenant: &Tenant, dossier: &Dossier) -> Result<(), DeskError> {
    let scope = TenantScope::new(&tenant.slug);
    let names = names(store, &scope).await?;
    let titles = repo::document_type(store, &scope, dossier.document_type())
        .await?
        .map(|t| t.titles)
        .ok_or(DeskError::NotFound)?;
    let snapshot = snapshot_of(
        dossier,
        tenant.name.as_str(),
        Some(&tenant.public_base_url),
        &titles,
        &names,
    );
    put_snapshot(store, dossier.token(), &snapshot).await?;
    Ok(())
}

/// Applies `command` by `actor` to the dossier `id`, if its route head is still
/// `expected_head` (what the official saw): compare-and-swap, then publish.
pub async fn act(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: &DossierId,
    expected_head: Option<&str>,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Dossier, DeskError> {
    let scope = TenantScope::new(&actor.tenant);
    let Some(current) = repo::get_dossier(store, &scope, id).await? else {
        return Err(DeskError::NotFound);
    };
    apply_versioned(store, tenant, actor, current, expected_head, command, now).await
}

async fn apply_versioned(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    current: Versioned,
    expected_head: Option<&str>,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Dossier, DeskError> {
    ghiseu_core::authorize(actor, ghiseu_core::Action::View, &current.dossier)
        .map_err(|d| DeskError::from(WorkflowError::Denied(d)))?;
    if let Some(head) = expected_head
        && head != current.dossier.route().head_hash_hex()
    {
        return Err(DeskError::Conflict);
    }
    let event = workflow::apply(&current.dossier, command, actor, now)?;
    let mut next = current.dossier.clone();
    next.record(event);
    let scope = TenantScope::new(&actor.tenant);
    match repo::update_dossier(&scope, &current, &next)? {
        UpdateOutcome::Updated => {
            publish(store, tenant, &next).await?;
            Ok(next)
        }
        UpdateOutcome::Conflict => Err(DeskError::Conflict),
    }
}
