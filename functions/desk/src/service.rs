//! The desk's use case until the use-case move lands it in `ghiseu_app`:
//! apply a workflow command with a leased replace and publish the result
//! (registration and publishing live in `ghiseu_platform::dossiers`).

use chrono::{DateTime, Utc};
use ghiseu_core::workflow::{self, Command, WorkflowError};
use ghiseu_core::{Actor, Dossier, PublicStatus, Tenant};
use ghiseu_platform::dossiers::complete_forwarding;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, UpdateOutcome, Versioned};

// signing.rs: until its move lands
pub(crate) use crate::error::{DeskError, IntoHtml};
// signing.rs: until its move lands
pub(crate) use ghiseu_platform::dossiers::{IntakeError, notify_citizen, publish};

/// Applies `command` by `actor` to `current` (read by the caller), if its
/// route head is still `expected_head` (what the official saw): leased
/// replace, then index, publish and tell the citizen.
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
