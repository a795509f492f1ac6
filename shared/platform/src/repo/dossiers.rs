//! Dossiers: a tenant's dossier records, read with the bytes they were read
//! from and updated with a leased replace against them.
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/dossier/{ID}` | a dossier record (leased insert, then leased replace) |

use ghiseu_core::stored::StoredDossier;
use ghiseu_core::{Dossier, DossierId};

use super::corrupt;
use crate::Result;
use crate::keys::{STORE, TenantScope};
use crate::kv::{self, InsertOutcome, ReplaceOutcome, Store};

/// A dossier with the exact bytes it was read from: the expected value of the
/// leased replace that updates it.
#[derive(Debug, Clone)]
pub struct Versioned {
    /// The dossier.
    pub dossier: Dossier,
    bytes: Vec<u8>,
}

/// The outcome of [`update_dossier`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// Written.
    Updated,
    /// Someone else changed the dossier since it was read; nothing was written.
    Conflict,
}

fn dossier_bytes(dossier: &Dossier) -> Result<Vec<u8>> {
    serde_json::to_vec(&dossier.to_stored()).map_err(|e| corrupt("dossier", e))
}

/// The dossier `id` of the tenant.
pub async fn get_dossier(
    store: &Store,
    scope: &TenantScope,
    id: &DossierId,
) -> Result<Option<Versioned>> {
    let key = scope.dossier(id);
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    let stored: StoredDossier = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
    let dossier = Dossier::from_stored(&stored).map_err(|e| corrupt(&key, e))?;
    Ok(Some(Versioned { dossier, bytes }))
}

/// Writes a new dossier; its id must be fresh.
pub fn create_dossier(scope: &TenantScope, dossier: &Dossier) -> Result<()> {
    if create_dossier_once(scope, dossier)? {
        Ok(())
    } else {
        Err(corrupt(
            &scope.dossier(&dossier.id()),
            "dossier id already used",
        ))
    }
}

/// Writes `dossier` unless a dossier with its id exists (a repeated,
/// idempotent creation); `false` when it existed.
pub fn create_dossier_once(scope: &TenantScope, dossier: &Dossier) -> Result<bool> {
    let key = scope.dossier(&dossier.id());
    Ok(matches!(
        kv::insert_new(STORE, &key, &dossier_bytes(dossier)?)?,
        InsertOutcome::Inserted
    ))
}

/// Replaces `previous` with `next`, unless the stored dossier changed.
pub fn update_dossier(
    scope: &TenantScope,
    previous: &Versioned,
    next: &Dossier,
) -> Result<UpdateOutcome> {
    let key = scope.dossier(&next.id());
    match kv::replace(STORE, &key, Some(&previous.bytes), &dossier_bytes(next)?)? {
        ReplaceOutcome::Replaced => Ok(UpdateOutcome::Updated),
        ReplaceOutcome::Conflict { .. } => Ok(UpdateOutcome::Conflict),
    }
}
