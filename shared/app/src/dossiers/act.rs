//! What an official does to a dossier: apply a workflow command with a leased
//! replace, then index, publish and tell the citizen.

use chrono::{DateTime, Utc};
use ghiseu_core::workflow::{self, Command, WorkflowError};
use ghiseu_core::{Actor, Dossier, DossierId, PublicStatus, Tenant};
use ghiseu_platform::Outbound;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, UpdateOutcome, Versioned};

use super::forward::complete_forwarding;
use super::notify::notify_citizen;
use super::publish::publish;
use crate::Error;

/// Applies `command` by `actor` to the dossier `id`, if its route head is still
/// `expected_head` (what the official saw): leased replace, then publish.
#[allow(clippy::too_many_arguments)] // what an action needs, each from its own place
pub async fn act(
    store: &Store,
    out: &Outbound,
    tenant: &Tenant,
    actor: &Actor,
    id: &DossierId,
    expected_head: Option<&str>,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Dossier, Error> {
    let scope = TenantScope::new(&actor.tenant);
    let Some(current) = repo::get_dossier(store, &scope, id).await? else {
        return Err(Error::NotFound);
    };
    act_on(
        store,
        out,
        tenant,
        actor,
        current,
        expected_head,
        command,
        now,
    )
    .await
}

/// Applies `command` by `actor` to `current` (read by the caller), if its
/// route head is still `expected_head`: leased replace, then index,
/// publish and tell the citizen.
#[allow(clippy::too_many_arguments)] // what an action needs, each from its own place
pub async fn act_on(
    store: &Store,
    out: &Outbound,
    tenant: &Tenant,
    actor: &Actor,
    current: Versioned,
    expected_head: Option<&str>,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Dossier, Error> {
    ghiseu_core::authorize(actor, ghiseu_core::Action::View, &current.dossier)
        .map_err(|d| Error::from(WorkflowError::Denied(d)))?;
    if let Some(head) = expected_head
        && head != current.dossier.route().head_hash_hex()
    {
        return Err(Error::Conflict);
    }
    let event = workflow::apply(&current.dossier, command, actor, now)?;
    let mut next = current.dossier.clone();
    next.record(event);
    let scope = TenantScope::new(&actor.tenant);
    match repo::update_dossier(&scope, &current, &next)? {
        UpdateOutcome::Updated => {
            repo::index_open(&scope, &next)?;
            complete_forwarding(store, out, &next, now).await?;
            publish(store, tenant, &next).await?;
            let before = PublicStatus::from(current.dossier.status());
            if PublicStatus::from(next.status()) != before {
                notify_citizen(store, out.notify.as_ref(), tenant, &next, Some(before), now).await;
            }
            Ok(next)
        }
        UpdateOutcome::Conflict => Err(Error::Conflict),
    }
}
