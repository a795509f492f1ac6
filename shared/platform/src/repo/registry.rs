//! The registry: a tenant's registration numbers, year by year, and the
//! dossier registered under each.
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/regno/{year}` | the registration counter of a year (atomic increment) |
//! | `t/{slug}/index/{year}/{seq}` | the dossier id registered with that number (written once) |
//!
//! A year's statistics read the dossiers (`t/{slug}/dossier/{ID}`) the index
//! names.

use std::collections::HashMap;

use ghiseu_core::stored::StoredDossier;
use ghiseu_core::{Dossier, DossierId};

use super::corrupt;
use crate::Result;
use crate::keys::{STORE, TenantScope};
use crate::kv::{self, Store};

/// The next registration sequence number of `year` (atomic, gap-free: 1, 2, ...).
pub fn next_sequence(scope: &TenantScope, year: u16) -> Result<u32> {
    let n = kv::increment(STORE, &scope.registration_counter(year), 1)?;
    u32::try_from(n).map_err(|_| corrupt(&scope.registration_counter(year), n))
}

/// Records that `seq` of `year` is dossier `id` (the inbox index).
pub async fn put_index_entry(
    store: &Store,
    scope: &TenantScope,
    year: u16,
    seq: u32,
    id: &DossierId,
) -> Result<()> {
    store
        .set(&scope.index_entry(year, seq), id.to_string().as_bytes())
        .await
}

/// How many registration numbers `year` has given out (the counter's value).
async fn registrations_taken(store: &Store, scope: &TenantScope, year: u16) -> Result<u32> {
    // A counter is read by adding 0: stores keep counters in their own
    // encoding (8 little-endian bytes in Spin's SQLite, text in Redis).
    let key = scope.registration_counter(year);
    let n = kv::increment(store.label(), &key, 0)?;
    u32::try_from(n).map_err(|_| corrupt(&key, n))
}

/// The newest `limit` registration numbers taken in `year`, newest first,
/// each with the dossier recorded under it: `None` is a number taken without
/// a dossier recorded (a registration that failed after taking it, or one
/// that is finishing at this very moment). A registry must account for every
/// number, so callers show these rather than skip them.
pub async fn recent_registrations(
    store: &Store,
    scope: &TenantScope,
    year: u16,
    limit: u32,
) -> Result<Vec<(u32, Option<DossierId>)>> {
    let last = registrations_taken(store, scope, year).await?;
    let first = last.saturating_sub(limit) + 1;
    let seqs: Vec<u32> = (first..=last).rev().collect();
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = seqs
        .iter()
        .map(|&seq| scope.index_entry(year, seq))
        .collect();
    let found: HashMap<String, DossierId> = kv::get_many(STORE, &keys)?
        .into_iter()
        .filter_map(|(k, v)| Some((k, DossierId::parse(std::str::from_utf8(&v?).ok()?).ok()?)))
        .collect();
    Ok(seqs
        .into_iter()
        .zip(keys)
        .map(|(seq, key)| (seq, found.get(&key).copied()))
        .collect())
}

/// How many dossiers [`year_facts`] reads per key-value call.
const FACTS_BATCH: usize = 200;

/// The statistics facts (`ghiseu_core::stats::Facts`) of every dossier
/// registered in `year` (in no particular order). Dossiers are read a batch at a
/// time and reduced to their facts at once, so a large year never holds its
/// dossiers in memory together; a number without a dossier (a registration
/// that died after taking it) is skipped. One read of the counter, then two
/// batched reads per `FACTS_BATCH` numbers.
pub async fn year_facts(
    store: &Store,
    scope: &TenantScope,
    year: u16,
) -> Result<Vec<ghiseu_core::stats::Facts>> {
    let last = registrations_taken(store, scope, year).await?;
    let mut facts = Vec::with_capacity(last as usize);
    let seqs: Vec<u32> = (1..=last).collect();
    for chunk in seqs.chunks(FACTS_BATCH) {
        let index: Vec<String> = chunk
            .iter()
            .map(|&seq| scope.index_entry(year, seq))
            .collect();
        let keys: Vec<String> = kv::get_many(STORE, &index)?
            .into_iter()
            .filter_map(|(_, v)| DossierId::parse(std::str::from_utf8(&v?).ok()?).ok())
            .map(|id| scope.dossier(&id))
            .collect();
        if keys.is_empty() {
            continue;
        }
        for (key, bytes) in kv::get_many(STORE, &keys)? {
            let Some(bytes) = bytes else { continue };
            let stored: StoredDossier =
                serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
            let dossier = Dossier::from_stored(&stored).map_err(|e| corrupt(&key, e))?;
            facts.push(ghiseu_core::stats::Facts::of(&dossier));
        }
    }
    Ok(facts)
}
