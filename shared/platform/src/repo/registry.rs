//! The registry: a tenant's registration numbers, year by year, and the
//! dossier registered under each.
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/regno/{year}` | the registration counter of a year (atomic increment) |
//! | `t/{slug}/index/{year}/{seq}` | the dossier id registered with that number (written once) |
//! | `t/{slug}/annulled/{year}/{seq}` | a number without a dossier, annulled (leased insert: written once) |
//! | `t/{slug}/registry/{year}/whole/{block}` | that every number of a block has its dossier (the same value by any writer) |
//!
//! A year's statistics read the dossiers (`t/{slug}/dossier/{ID}`) the index
//! names, and count the annulled numbers.
//!
//! Every number taken without a dossier is found by reading the year's
//! numbers against their dossiers ([`numbers_without_dossier`]), a block of
//! [`BLOCK`] numbers at a time; a block all of whose numbers have their
//! dossier stays so (a number is never reused and a dossier never removed),
//! so it is marked whole and not read again. Only the blocks still open (the
//! newest, and any holding a number without a dossier) are read each time.

use std::collections::HashMap;

use ghiseu_core::annulment::Annulment;
use ghiseu_core::stored::StoredDossier;
use ghiseu_core::{Dossier, DossierId};

use super::corrupt;
use crate::Result;
use crate::keys::{STORE, TenantScope};
use crate::kv::{self, InsertOutcome, Store};

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
pub async fn registrations_taken(store: &Store, scope: &TenantScope, year: u16) -> Result<u32> {
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

/// The dossier registered under each of `seqs` of `year`, in order; `None`
/// for a number without one recorded. Two batched reads.
pub fn registered(
    scope: &TenantScope,
    year: u16,
    seqs: &[u32],
) -> Result<Vec<(u32, Option<Dossier>)>> {
    let index: Vec<String> = seqs
        .iter()
        .map(|&seq| scope.index_entry(year, seq))
        .collect();
    let ids: Vec<Option<DossierId>> = kv::get_many(STORE, &index)?
        .into_iter()
        .map(|(_, v)| v.and_then(|v| DossierId::parse(std::str::from_utf8(&v).ok()?).ok()))
        .collect();
    let keys: Vec<String> = ids.iter().flatten().map(|id| scope.dossier(id)).collect();
    let mut found: HashMap<String, Dossier> = HashMap::with_capacity(keys.len());
    for (key, bytes) in kv::get_many(STORE, &keys)? {
        let Some(bytes) = bytes else { continue };
        let stored: StoredDossier = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
        let dossier = Dossier::from_stored(&stored).map_err(|e| corrupt(&key, e))?;
        found.insert(key, dossier);
    }
    Ok(seqs
        .iter()
        .zip(ids)
        .map(|(&seq, id)| (seq, id.and_then(|id| found.remove(&scope.dossier(&id)))))
        .collect())
}

/// What a year's statistics are made of.
#[derive(Debug, Default)]
pub struct YearFacts {
    /// The facts of every dossier registered in the year (in no particular
    /// order).
    pub facts: Vec<ghiseu_core::stats::Facts>,
    /// The numbers taken without a dossier and recorded as annulled.
    pub annulled: u32,
}

/// The statistics facts (`ghiseu_core::stats::Facts`) of every dossier
/// registered in `year`, and how many numbers of it were annulled. Dossiers
/// are read a batch at a time and reduced to their facts at once, so a large
/// year never holds its dossiers in memory together; a number without a
/// dossier (a registration that died after taking it) counts as annulled
/// once recorded so. One read of the counter, then two batched reads per
/// `FACTS_BATCH` numbers, and one per number without a dossier.
pub async fn year_facts(store: &Store, scope: &TenantScope, year: u16) -> Result<YearFacts> {
    let last = registrations_taken(store, scope, year).await?;
    let mut out = YearFacts {
        facts: Vec::with_capacity(last as usize),
        annulled: 0,
    };
    let seqs: Vec<u32> = (1..=last).collect();
    for chunk in seqs.chunks(FACTS_BATCH) {
        for (seq, dossier) in registered(scope, year, chunk)? {
            match dossier {
                Some(dossier) => out.facts.push(ghiseu_core::stats::Facts::of(&dossier)),
                None => {
                    if annulment(store, scope, year, seq).await?.is_some() {
                        out.annulled += 1;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// How late a number's registration may be recorded against a newer
/// number's: numbers are taken in time order, but two registrations at once
/// record their times a moment apart, in either order.
const REGISTRATION_SKEW: chrono::Duration = chrono::Duration::seconds(60);

/// The tenant's dossiers registered from `start` to `end` (both included),
/// newest first, at most `limit`: read from the newest number of `end`'s
/// year down, [`FACTS_BATCH`] at a time, until the registrations are older
/// than `start` (numbers are taken in time order), so a recent window reads
/// only its own dossiers and the newer ones.
pub async fn dossiers_between(
    store: &Store,
    scope: &TenantScope,
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
    limit: usize,
) -> Result<Vec<Dossier>> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let first_year = u16::try_from(start.year()).unwrap_or(0);
    let last_year = u16::try_from(end.year()).unwrap_or(0);
    for year in (first_year..=last_year).rev() {
        let last = registrations_taken(store, scope, year).await?;
        let seqs: Vec<u32> = (1..=last).rev().collect();
        for chunk in seqs.chunks(FACTS_BATCH) {
            let mut older = false;
            for (_, dossier) in registered(scope, year, chunk)? {
                let Some(dossier) = dossier else { continue };
                let at = dossier.registered_at();
                older |= at < start - REGISTRATION_SKEW;
                if at >= start && at <= end {
                    out.push(dossier);
                    if out.len() >= limit {
                        return Ok(out);
                    }
                }
            }
            if older {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// How many numbers [`numbers_without_dossier`] reads as one block.
pub const BLOCK: u32 = 500;

/// Whether number `seq` of `year` has its dossier written.
pub async fn has_dossier(store: &Store, scope: &TenantScope, year: u16, seq: u32) -> Result<bool> {
    let Some(v) = store.get(&scope.index_entry(year, seq)).await? else {
        return Ok(false);
    };
    let Some(id) = std::str::from_utf8(&v)
        .ok()
        .and_then(|v| DossierId::parse(v).ok())
    else {
        return Ok(false);
    };
    store.exists(&scope.dossier(&id)).await
}

/// The annulment of number `seq` of `year`, if one was recorded.
pub async fn annulment(
    store: &Store,
    scope: &TenantScope,
    year: u16,
    seq: u32,
) -> Result<Option<Annulment>> {
    let key = scope.annulment(year, seq);
    match store.get(&key).await? {
        None => Ok(None),
        Some(v) => std::str::from_utf8(&v)
            .ok()
            .and_then(Annulment::from_stored)
            .map(Some)
            .ok_or_else(|| corrupt(&key, "not an annulment")),
    }
}

/// Records the annulment of number `seq` of `year`, unless one was recorded
/// already (leased insert: of two at once, one is recorded); whether this
/// one was.
pub fn put_annulment(
    scope: &TenantScope,
    year: u16,
    seq: u32,
    annulment: &Annulment,
) -> Result<bool> {
    let stored = annulment.to_stored();
    Ok(matches!(
        kv::insert_new(STORE, &scope.annulment(year, seq), stored.as_bytes())?,
        InsertOutcome::Inserted
    ))
}

/// Every number of `year` taken without a dossier written (a registration
/// that died after taking it, or one finishing at this very moment), oldest
/// first, each with its annulment if recorded. Reads the blocks of
/// [`BLOCK`] numbers not yet known whole, and marks whole a full block whose
/// every number has its dossier.
pub async fn numbers_without_dossier(
    store: &Store,
    scope: &TenantScope,
    year: u16,
) -> Result<Vec<(u32, Option<Annulment>)>> {
    let last = registrations_taken(store, scope, year).await?;
    let mut found = Vec::new();
    for block in 0..last.div_ceil(BLOCK) {
        let whole_key = scope.registry_block_whole(year, block);
        if store.exists(&whole_key).await? {
            continue;
        }
        let end = ((block + 1) * BLOCK).min(last);
        let mut whole = end == (block + 1) * BLOCK;
        for seq in block * BLOCK + 1..=end {
            if !has_dossier(store, scope, year, seq).await? {
                whole = false;
                found.push((seq, annulment(store, scope, year, seq).await?));
            }
        }
        if whole {
            store.set(&whole_key, b"whole").await?;
        }
    }
    Ok(found)
}
