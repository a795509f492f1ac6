//! The desk's use cases: apply a workflow command with a leased replace and
//! publish the result; registration and publishing themselves live in
//! `ghiseu_platform::dossiers`, shared with the portal.

use chrono::{DateTime, Utc};
use ghiseu_core::workflow::{self, Command, WorkflowError};
use ghiseu_core::{Actor, Dossier, DossierId, PublicStatus, Tenant};
use ghiseu_platform::http::Response;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, UpdateOutcome, Versioned};
use http::StatusCode;

use crate::pages;

pub use ghiseu_platform::dossiers::{
    Intake, IntakeError, Registrant, Scan, complete_forwarding, dispatch_notifications,
    notify_citizen, publish, register, store_file,
};

/// Largest scanned page accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Everything that can go wrong in the desk: the use cases' one error,
/// mapped to HTTP in one place ([`IntoHtml::into_html`]).
pub use ghiseu_app::Error as DeskError;

/// The desk's error page of an error.
pub trait IntoHtml {
    /// The error page.
    fn into_html(self) -> Response;
}

impl IntoHtml for DeskError {
    fn into_html(self) -> Response {
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

/// Applies `command` by `actor` to the dossier `id`, if its route head is still
/// `expected_head` (what the official saw): leased replace, then publish.
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
    act_on(store, tenant, actor, current, expected_head, command, now).await
}

/// Applies `command` by `actor` to `current` (read by the caller), if its
/// route head is still `expected_head`: leased replace, then index,
/// publish and tell the citizen.
pub async fn act_on(
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
            repo::index_open(&scope, &next)?;
            complete_forwarding(store, &next).await?;
            publish(store, tenant, &next).await?;
            let before = PublicStatus::from(current.dossier.status());
            if PublicStatus::from(next.status()) != before {
                notify_citizen(store, tenant, &next, Some(before)).await;
            }
            Ok(next)
        }
        UpdateOutcome::Conflict => Err(DeskError::Conflict),
    }
}
