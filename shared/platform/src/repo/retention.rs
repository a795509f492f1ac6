//! What retention reads and writes: every dossier of a tenant, year by year,
//! and the retention log (`ghiseu_core::retention`, `ghiseu_app::retention`).
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/erased/{year}` | the retention log of `year` (the year of erasure): a JSON list, one [`ErasureEntry`] per dossier, appended under the key's lease and never changed |
//!
//! An entry is made from the erased dossier record only (its number, type
//! and [`ghiseu_core::dossier::Erasure`]), so two runs finishing the same
//! erasure at once write the same entry, and the lease keeps one: the list
//! holds a dossier once, whoever appended it. The entry is appended last,
//! after the files are deleted and the tracking snapshot rewritten, so an
//! entry present means the erasure is complete; an erased dossier without
//! one is finished by the next run.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use ghiseu_core::stored::StoredDossier;
use ghiseu_core::{Dossier, DossierId};
use serde::{Deserialize, Serialize};

use super::{corrupt, registrations_taken};
use crate::Result;
use crate::keys::{STORE, TenantScope};
use crate::kv::{self, Store};

/// How many dossiers [`for_each_dossier`] reads per key-value call.
const BATCH: usize = 200;

/// The first year whose dossiers are read (the statistics' first year).
pub const FIRST_YEAR: u16 = 2000;

/// One dossier erased under retention, as the log keeps it: nothing
/// personal, only what an archivist counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureEntry {
    /// The dossier's id.
    pub dossier: String,
    /// Its registration number.
    pub number: String,
    /// Its document type's code.
    pub document_type: String,
    /// The Romanian local date it was closed.
    pub closed_on: NaiveDate,
    /// When it was erased.
    pub erased_at: DateTime<Utc>,
    /// How many distinct files it had (deleted from the object store unless
    /// another dossier of the tenant still holds the same file).
    pub files: u32,
    /// Their total size in bytes.
    pub bytes: u64,
}

impl ErasureEntry {
    /// The entry of an erased dossier; `None` when it is not erased (or
    /// not closed, which an erased dossier always is).
    #[must_use]
    pub fn of(dossier: &Dossier) -> Option<Self> {
        let erasure = dossier.erasure()?;
        Some(Self {
            dossier: dossier.id().to_string(),
            number: dossier.number().to_string(),
            document_type: dossier.document_type().to_string(),
            closed_on: dossier.closed_on()?,
            erased_at: erasure.at,
            files: erasure.files,
            bytes: erasure.bytes,
        })
    }
}

/// The year of the retention log an erasure at `at` goes to: Romania's
/// year then (as the administrator's page shows the time).
#[must_use]
pub fn log_year(at: DateTime<Utc>) -> i32 {
    ghiseu_core::calendar::local_date(at).year()
}

/// Appends `entry` to the retention log of its year of erasure unless the
/// log holds its dossier already; whether it was appended.
pub fn log_erasure(scope: &TenantScope, entry: &ErasureEntry) -> Result<bool> {
    let mut added = false;
    kv::update_json(
        STORE,
        &scope.retention_log(log_year(entry.erased_at)),
        |list: &mut Vec<ErasureEntry>| {
            added = !list.iter().any(|e| e.dossier == entry.dossier);
            if added {
                list.push(entry.clone());
            }
            added
        },
    )?;
    Ok(added)
}

/// The retention log of `year`, in the order the entries were appended.
pub async fn erasure_log(
    store: &Store,
    scope: &TenantScope,
    year: i32,
) -> Result<Vec<ErasureEntry>> {
    let key = scope.retention_log(year);
    match store.get(&key).await? {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e)),
        None => Ok(Vec::new()),
    }
}

/// Calls `visit` with every dossier registered in the tenant's years from
/// [`FIRST_YEAR`] to `last_year`, a batch of [`BATCH`] at a time (never a
/// whole year in memory). Years without a registration counter are not
/// read (checked with `exists`, so no counter is created); numbers without
/// a dossier are passed over.
pub async fn for_each_dossier(
    store: &Store,
    scope: &TenantScope,
    last_year: u16,
    mut visit: impl FnMut(Dossier),
) -> Result<()> {
    for year in FIRST_YEAR..=last_year {
        if !store.exists(&scope.registration_counter(year)).await? {
            continue;
        }
        let last = registrations_taken(store, scope, year).await?;
        let seqs: Vec<u32> = (1..=last).collect();
        for chunk in seqs.chunks(BATCH) {
            let index: Vec<String> = chunk
                .iter()
                .map(|&seq| scope.index_entry(year, seq))
                .collect();
            let names: Vec<String> = kv::get_many(STORE, &index)?
                .into_iter()
                .filter_map(|(_, v)| DossierId::parse(std::str::from_utf8(&v?).ok()?).ok())
                .map(|id| scope.dossier(&id))
                .collect();
            for (key, bytes) in kv::get_many(STORE, &names)? {
                let Some(bytes) = bytes else { continue };
                let stored: StoredDossier =
                    serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
                visit(Dossier::from_stored(&stored).map_err(|e| corrupt(&key, e))?);
            }
        }
    }
    Ok(())
}
