//! Access records of a dossier ("who opened my file", `ghiseu_core::access`).
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/access/{ID}/n` | how many numbers were taken (atomic increment) |
//! | `t/{slug}/access/{ID}/{seq}` | record `seq` as JSON (written once, by the taker of `seq`) |
//! | `t/{slug}/access-log/n` | how many entries the tenant's access log has (atomic increment) |
//! | `t/{slug}/access-log/{n}` | entry `n`: a copy of a record with its dossier's id and number (written once) |
//!
//! The tenant's log is what its administrator searches by official and
//! period ([`access_log`]): entries are numbered in the order they are
//! taken, so a period is read from the newest entry down.
//!
//! A record follows the newest record written before it: found by reading
//! down from the number before its own, at most [`LOOK_BACK`] numbers.

use chrono::{DateTime, Utc};
use ghiseu_core::access::{Access, Opened};
use ghiseu_core::{DepartmentCode, DossierId, Role, Sha256Digest, Username};
use serde::{Deserialize, Serialize};

use super::corrupt;
use crate::Result;
use crate::keys::{STORE, TenantScope};
use crate::kv::{self, Store};

/// How many numbers below its own a new record looks at for the one it
/// follows (numbers whose request died are skipped).
const LOOK_BACK: u32 = 32;

/// An access record as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    seq: u32,
    at: DateTime<Utc>,
    official: String,
    name: String,
    roles: Vec<String>,
    department: Option<String>,
    /// `None`: the dossier's page; else the file's digest and name.
    file: Option<(String, String)>,
    /// The dossier's archive container (with no `file`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    bundle: bool,
    prev_seq: u32,
    prev_hash: String,
    hash: String,
}

impl Stored {
    fn of(a: &Access) -> Self {
        Self {
            seq: a.seq,
            at: a.at,
            official: a.official.to_string(),
            name: a.name.clone(),
            roles: a.roles.iter().map(|r| r.code().to_owned()).collect(),
            department: a.department.as_ref().map(ToString::to_string),
            file: match &a.opened {
                Opened::Dossier | Opened::Bundle => None,
                Opened::File { sha256, name } => Some((sha256.to_hex(), name.clone())),
            },
            bundle: a.opened == Opened::Bundle,
            prev_seq: a.prev_seq,
            prev_hash: a.prev_hash.to_hex(),
            hash: a.hash.to_hex(),
        }
    }

    fn access(self) -> Option<Access> {
        Some(Access {
            seq: self.seq,
            at: self.at,
            official: Username::parse(&self.official).ok()?,
            name: self.name,
            roles: self
                .roles
                .iter()
                .map(|r| Role::from_code(r))
                .collect::<Option<_>>()?,
            department: match self.department {
                Some(d) => Some(DepartmentCode::parse(&d).ok()?),
                None => None,
            },
            opened: match self.file {
                None if self.bundle => Opened::Bundle,
                None => Opened::Dossier,
                Some((sha, name)) => Opened::File {
                    sha256: Sha256Digest::parse(&sha).ok()?,
                    name,
                },
            },
            prev_seq: self.prev_seq,
            prev_hash: Sha256Digest::parse(&self.prev_hash).ok()?,
            hash: Sha256Digest::parse(&self.hash).ok()?,
        })
    }
}

/// Who opened a dossier, and what.
pub struct Opener<'a> {
    /// The official's login name.
    pub official: &'a Username,
    /// Their name as shown.
    pub name: &'a str,
    /// Their roles.
    pub roles: Vec<Role>,
    /// Their department.
    pub department: Option<&'a DepartmentCode>,
}

/// Records that `who` opened `opened` of dossier `id` (registered as
/// `number`) at `at`, on the dossier and in the tenant's log; the record.
pub async fn record_access(
    store: &Store,
    scope: &TenantScope,
    (id, number): (&DossierId, &str),
    who: Opener<'_>,
    opened: Opened,
    at: DateTime<Utc>,
) -> Result<Access> {
    let counter = scope.access_counter(id);
    let n = kv::increment(STORE, &counter, 1)?;
    let seq = u32::try_from(n).map_err(|_| corrupt(&counter, n))?;
    let mut prev = None;
    for earlier in (seq.saturating_sub(LOOK_BACK).max(1)..seq).rev() {
        if let Some(p) = read(store, scope, id, earlier).await? {
            prev = Some(p);
            break;
        }
    }
    let record = Access::new(
        seq,
        at,
        who.official.clone(),
        who.name.to_owned(),
        who.roles,
        who.department.cloned(),
        opened,
        prev.as_ref(),
    );
    let key = scope.access_record(id, seq);
    let stored = Stored::of(&record);
    let bytes = serde_json::to_vec(&stored).map_err(|e| corrupt(&key, e))?;
    store.set(&key, &bytes).await?;
    let counter = scope.access_log_counter();
    let n = u64::try_from(kv::increment(STORE, &counter, 1)?).map_err(|e| corrupt(&counter, e))?;
    let entry = scope.access_log_entry(n);
    let logged = Logged {
        dossier: id.to_string(),
        number: number.to_owned(),
        record: stored,
    };
    let bytes = serde_json::to_vec(&logged).map_err(|e| corrupt(&entry, e))?;
    store.set(&entry, &bytes).await?;
    Ok(record)
}

/// An entry of the tenant's access log as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Logged {
    dossier: String,
    number: String,
    record: Stored,
}

/// An entry of the tenant's access log: a record and its dossier.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The dossier's id.
    pub dossier: DossierId,
    /// Its registration number.
    pub number: String,
    /// The record.
    pub access: Access,
}

/// How late an entry may be taken after a newer one's time: two openings at
/// once take their numbers a moment apart, in either order.
const LOG_SKEW: chrono::Duration = chrono::Duration::seconds(60);

/// The tenant's access log from `from` to `to` (both included), newest
/// first, of `official` only when given, at most `limit` entries: read from
/// the newest entry down until the entries are older than `from`.
pub async fn access_log(
    store: &Store,
    scope: &TenantScope,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    official: Option<&Username>,
    limit: usize,
) -> Result<Vec<LogEntry>> {
    let counter = scope.access_log_counter();
    let last =
        u64::try_from(kv::increment(STORE, &counter, 0)?).map_err(|e| corrupt(&counter, e))?;
    let mut out = Vec::new();
    for n in (1..=last).rev() {
        let key = scope.access_log_entry(n);
        let Some(bytes) = store.get(&key).await? else {
            continue;
        };
        let logged: Logged = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
        let at = logged.record.at;
        if at < from - LOG_SKEW {
            break;
        }
        if at < from || at > to || official.is_some_and(|o| o.as_str() != logged.record.official) {
            continue;
        }
        let entry = LogEntry {
            dossier: DossierId::parse(&logged.dossier).map_err(|e| corrupt(&key, e))?,
            number: logged.number,
            access: logged
                .record
                .access()
                .ok_or_else(|| corrupt(&key, "an access record that does not parse"))?,
        };
        out.push(entry);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

async fn read(
    store: &Store,
    scope: &TenantScope,
    id: &DossierId,
    seq: u32,
) -> Result<Option<Access>> {
    let key = scope.access_record(id, seq);
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
    stored
        .access()
        .map(Some)
        .ok_or_else(|| corrupt(&key, "an access record that does not parse"))
}

/// Every access record of dossier `id`, in the order of their numbers, and
/// how many numbers were taken.
pub async fn access_records(
    store: &Store,
    scope: &TenantScope,
    id: &DossierId,
) -> Result<(Vec<Access>, u32)> {
    let counter = scope.access_counter(id);
    let n = kv::increment(STORE, &counter, 0)?;
    let taken = u32::try_from(n).map_err(|_| corrupt(&counter, n))?;
    let mut out = Vec::new();
    for seq in 1..=taken {
        if let Some(a) = read(store, scope, id, seq).await? {
            out.push(a);
        }
    }
    Ok((out, taken))
}
