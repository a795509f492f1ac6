//! The citizen's reply to an information request.

use chrono::{DateTime, Utc};
use ghiseu_core::{Dossier, DossierId, PublicStatus, Reason, Tenant};
use ghiseu_platform::Outbound;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;

use super::files::{Scan, store_files};
use super::notify::notify_citizen;
use super::publish::publish;
use crate::{Error, Result};

/// The citizen's reply to an information request on dossier `id` of `tenant`
/// (the caller has checked that the dossier is linked to the citizen's
/// account): stores the files, records the reply with a leased replace,
/// publishes and tells the citizen.
pub async fn reply_as_citizen(
    store: &Store,
    out: &Outbound,
    tenant: &Tenant,
    id: &DossierId,
    message: Option<Reason>,
    files: Vec<Scan>,
    now: DateTime<Utc>,
) -> Result<Dossier> {
    let scope = TenantScope::new(&tenant.slug);
    let Some(current) = repo::get_dossier(store, &scope, id).await? else {
        return Err(Error::NotFound);
    };
    // Refused before anything is stored.
    ghiseu_core::workflow::citizen_may_reply(&current.dossier)
        .map_err(|e| Error::NotAllowed(e.to_string()))?;
    let documents = store_files(&out.files, &scope, files).await?;
    let event = ghiseu_core::workflow::citizen_reply(&current.dossier, message, documents, now)
        .map_err(|e| Error::NotAllowed(e.to_string()))?;
    let mut next = current.dossier.clone();
    next.record(event);
    match repo::update_dossier(&scope, &current, &next)? {
        repo::UpdateOutcome::Updated => {}
        repo::UpdateOutcome::Conflict => {
            return Err(Error::NotAllowed(
                "the dossier changed meanwhile; reload the page".to_owned(),
            ));
        }
    }
    repo::index_open(&scope, &next)?;
    publish(store, tenant, &next).await?;
    let before = PublicStatus::from(current.dossier.status());
    notify_citizen(store, out.notify.as_ref(), tenant, &next, Some(before), now).await;
    Ok(next)
}
