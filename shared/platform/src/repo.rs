//! Repositories over the key-value store: tenants, departments, officials,
//! document types, dossiers, the token index, the inbox index and the
//! registration counters. Records are core's [`ghiseu_core::stored`] shapes as
//! JSON, re-validated on every load.
//!
//! Besides the keys of [`crate::keys`]:
//!
//! | key | value |
//! | --- | --- |
//! | `tenants` | the slugs of every tenant (JSON array) |
//! | `token/{TOKEN}` | `{tenant, dossier}`: which dossier a tracking token belongs to |
//! | `t/{slug}/departments` | the tenant's departments (JSON array) |
//! | `t/{slug}/document-types` | the tenant's document types (JSON array) |
//! | `t/{slug}/officials` | the usernames of the tenant's officials (JSON array) |
//! | `t/{slug}/official/{username}` | an official with their argon2id hash |
//! | `t/{slug}/index/{year}/{seq}` | the dossier id registered with that number |
//!
//! Tenant keys are built from a [`TenantScope`] only ([`ScopeKeys`]).
//! Dossier updates are compare-and-swap against the bytes that were read, so
//! of two concurrent writers exactly one wins.

use ghiseu_core::stored::{
    StoredDepartment, StoredDocumentType, StoredDossier, StoredOfficial, StoredTenant,
};
use ghiseu_core::{
    Department, DocumentType, DocumentTypeCode, Dossier, DossierId, Official, Tenant, TenantSlug,
    TrackingToken, Username,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::keys::TenantScope;
use crate::kv::{self, CasOutcome, CreateOutcome, Store};
use crate::{Error, Result};

/// The store label every repository uses.
pub const STORE: &str = "default";

/// The key of the global tenant list.
pub const TENANTS_KEY: &str = "tenants";

/// The keys this module adds to a [`TenantScope`].
pub trait ScopeKeys {
    /// `t/{slug}/departments`.
    fn departments(&self) -> String;
    /// `t/{slug}/document-types`.
    fn document_types(&self) -> String;
    /// `t/{slug}/officials`.
    fn officials(&self) -> String;
    /// `t/{slug}/official/{username}`.
    fn official(&self, username: &Username) -> String;
    /// `t/{slug}/index/{year}/{seq}`.
    fn index_entry(&self, year: u16, seq: u32) -> String;
    /// The summaries of the tenant's open dossiers (the desk's inboxes).
    fn open_dossiers(&self) -> String;
}

impl ScopeKeys for TenantScope {
    fn departments(&self) -> String {
        format!("{}departments", self.prefix())
    }
    fn document_types(&self) -> String {
        format!("{}document-types", self.prefix())
    }
    fn officials(&self) -> String {
        format!("{}officials", self.prefix())
    }
    fn official(&self, username: &Username) -> String {
        format!("{}official/{username}", self.prefix())
    }
    fn index_entry(&self, year: u16, seq: u32) -> String {
        format!("{}index/{year}/{seq:08}", self.prefix())
    }
    fn open_dossiers(&self) -> String {
        format!("{}open", self.prefix())
    }
}

/// `token/{TOKEN}`.
#[must_use]
pub fn token_key(token: &TrackingToken) -> String {
    format!("token/{token}")
}

fn corrupt(key: &str, detail: impl ToString) -> Error {
    Error::Corrupt {
        key: key.to_owned(),
        detail: detail.to_string(),
    }
}

async fn get_json<T: DeserializeOwned>(store: &Store, key: &str) -> Result<Option<T>> {
    match store.get(key).await? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| corrupt(key, e)),
    }
}

async fn set_json<T: Serialize>(store: &Store, key: &str, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| corrupt(key, e))?;
    store.set(key, &bytes).await
}

/// Adds `item` to the JSON string list at `key` unless present (CAS loop).
fn add_to_list(key: &str, item: &str) -> Result<()> {
    let mut current: Option<Vec<u8>> = None;
    for _ in 0..50 {
        let mut list: Vec<String> = match &current {
            Some(b) => serde_json::from_slice(b).map_err(|e| corrupt(key, e))?,
            None => Vec::new(),
        };
        if list.iter().any(|s| s == item) {
            return Ok(());
        }
        list.push(item.to_owned());
        let new = serde_json::to_vec(&list).map_err(|e| corrupt(key, e))?;
        match kv::compare_and_swap(STORE, key, current.as_deref(), &new)? {
            CasOutcome::Swapped => return Ok(()),
            CasOutcome::Conflict { current: c } => current = c,
        }
    }
    Err(corrupt(key, "list kept changing"))
}

// --- tenants -------------------------------------------------------------

/// Writes `tenant` and lists its slug.
pub async fn put_tenant(store: &Store, tenant: &Tenant) -> Result<()> {
    let scope = TenantScope::new(&tenant.slug);
    set_json(store, &scope.tenant(), &tenant.to_stored()).await?;
    add_to_list(TENANTS_KEY, tenant.slug.as_str())
}

/// The tenant `slug`, if it exists.
pub async fn get_tenant(store: &Store, slug: &TenantSlug) -> Result<Option<Tenant>> {
    let key = TenantScope::new(slug).tenant();
    let Some(s) = get_json::<StoredTenant>(store, &key).await? else {
        return Ok(None);
    };
    Tenant::from_stored(&s)
        .map(Some)
        .map_err(|e| corrupt(&key, e))
}

/// Every tenant slug.
pub async fn tenant_slugs(store: &Store) -> Result<Vec<String>> {
    Ok(get_json(store, TENANTS_KEY).await?.unwrap_or_default())
}

// --- departments and document types -----------------------------------------

/// Replaces the tenant's departments.
pub async fn put_departments(
    store: &Store,
    scope: &TenantScope,
    list: &[Department],
) -> Result<()> {
    let stored: Vec<StoredDepartment> = list.iter().map(Department::to_stored).collect();
    set_json(store, &scope.departments(), &stored).await
}

/// The tenant's departments.
pub async fn departments(store: &Store, scope: &TenantScope) -> Result<Vec<Department>> {
    let key = scope.departments();
    let stored: Vec<StoredDepartment> = get_json(store, &key).await?.unwrap_or_default();
    stored
        .iter()
        .map(|s| Department::from_stored(s).map_err(|e| corrupt(&key, e)))
        .collect()
}

/// Replaces the tenant's document types.
pub async fn put_document_types(
    store: &Store,
    scope: &TenantScope,
    list: &[DocumentType],
) -> Result<()> {
    let stored: Vec<StoredDocumentType> = list.iter().map(DocumentType::to_stored).collect();
    set_json(store, &scope.document_types(), &stored).await
}

/// The tenant's document types.
pub async fn document_types(store: &Store, scope: &TenantScope) -> Result<Vec<DocumentType>> {
    let key = scope.document_types();
    let stored: Vec<StoredDocumentType> = get_json(store, &key).await?.unwrap_or_default();
    stored
        .iter()
        .map(|s| DocumentType::from_stored(s).map_err(|e| corrupt(&key, e)))
        .collect()
}

/// The tenant's document type `code`.
pub async fn document_type(
    store: &Store,
    scope: &TenantScope,
    code: &DocumentTypeCode,
) -> Result<Option<DocumentType>> {
    Ok(document_types(store, scope)
        .await?
        .into_iter()
        .find(|t| &t.code == code))
}

// --- officials ------------------------------------------------------------------

/// An official with their password hash, as stored. The hash lives only here.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OfficialRecord {
    #[serde(flatten)]
    official: StoredOfficial,
    password_hash: String,
}

/// Writes `official` with the argon2id PHC string `password_hash`.
pub async fn put_official(
    store: &Store,
    scope: &TenantScope,
    official: &Official,
    password_hash: &str,
) -> Result<()> {
    let record = OfficialRecord {
        official: official.to_stored(),
        password_hash: password_hash.to_owned(),
    };
    set_json(store, &scope.official(&official.username), &record).await?;
    add_to_list(&scope.officials(), official.username.as_str())
}

/// The official `username` and their password hash.
pub async fn official_with_hash(
    store: &Store,
    scope: &TenantScope,
    username: &Username,
) -> Result<Option<(Official, String)>> {
    let key = scope.official(username);
    let Some(r) = get_json::<OfficialRecord>(store, &key).await? else {
        return Ok(None);
    };
    let official = Official::from_stored(&r.official).map_err(|e| corrupt(&key, e))?;
    Ok(Some((official, r.password_hash)))
}

/// The official `username`.
pub async fn official(
    store: &Store,
    scope: &TenantScope,
    username: &Username,
) -> Result<Option<Official>> {
    Ok(official_with_hash(store, scope, username)
        .await?
        .map(|(o, _)| o))
}

/// Every official of the tenant.
pub async fn officials(store: &Store, scope: &TenantScope) -> Result<Vec<Official>> {
    let names: Vec<String> = get_json(store, &scope.officials())
        .await?
        .unwrap_or_default();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        if let Ok(u) = Username::parse(&name)
            && let Some(o) = official(store, scope, &u).await?
        {
            out.push(o);
        }
    }
    Ok(out)
}

// --- dossiers ---------------------------------------------------------------------

/// A dossier with the exact bytes it was read from: the expected value of the
/// compare-and-swap that updates it.
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

/// The stored bytes of `dossier`.
pub fn stored_bytes(dossier: &Dossier) -> Result<Vec<u8>> {
    dossier_bytes(dossier)
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
    let key = scope.dossier(&dossier.id());
    match kv::create_if_absent(STORE, &key, &dossier_bytes(dossier)?)? {
        CreateOutcome::Created => Ok(()),
        CreateOutcome::Exists(_) => Err(corrupt(&key, "dossier id already used")),
    }
}

/// Replaces `previous` with `next`, unless the stored dossier changed.
pub fn update_dossier(
    scope: &TenantScope,
    previous: &Versioned,
    next: &Dossier,
) -> Result<UpdateOutcome> {
    let key = scope.dossier(&next.id());
    match kv::compare_and_swap(STORE, &key, Some(&previous.bytes), &dossier_bytes(next)?)? {
        CasOutcome::Swapped => Ok(UpdateOutcome::Updated),
        CasOutcome::Conflict { .. } => Ok(UpdateOutcome::Conflict),
    }
}

/// Where a tracking token points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenEntry {
    /// The tenant slug.
    pub tenant: String,
    /// The dossier id.
    pub dossier: String,
}

/// Records that `token` belongs to `dossier` of `tenant`.
pub async fn put_token(store: &Store, token: &TrackingToken, entry: &TokenEntry) -> Result<()> {
    set_json(store, &token_key(token), entry).await
}

/// The dossier `token` belongs to.
pub async fn token_entry(store: &Store, token: &TrackingToken) -> Result<Option<TokenEntry>> {
    get_json(store, &token_key(token)).await
}

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

/// The ids of the newest `limit` dossiers registered in `year`, newest first.
pub async fn recent_dossiers(
    store: &Store,
    scope: &TenantScope,
    year: u16,
    limit: u32,
) -> Result<Vec<DossierId>> {
    let counter = scope.registration_counter(year);
    let last: u32 = match store.get(&counter).await? {
        Some(b) => std::str::from_utf8(&b)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0),
        None => 0,
    };
    let first = last.saturating_sub(limit) + 1;
    let keys: Vec<String> = (first..=last)
        .rev()
        .map(|seq| scope.index_entry(year, seq))
        .collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    Ok(kv::get_many(STORE, &keys)?
        .into_iter()
        .filter_map(|(_, v)| v)
        .filter_map(|v| DossierId::parse(std::str::from_utf8(&v).ok()?).ok())
        .collect())
}

// ---------------------------------------------------------------- inbox index

/// What an inbox shows of an open dossier; kept in one list per tenant
/// (`t/{tenant}/open`), updated with compare-and-swap after every change of a
/// dossier, so the inboxes never read the dossiers themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The dossier id.
    pub id: String,
    /// Its registration number.
    pub number: String,
    /// Its document type code.
    pub document_type: String,
    /// Its internal status code.
    pub status: String,
    /// The department holding it.
    pub department: String,
    /// The official holding it.
    pub official: Option<String>,
    /// The legal deadline.
    pub deadline: chrono::NaiveDate,
    /// When it was registered.
    pub registered_at: chrono::DateTime<chrono::Utc>,
    /// How many route events it had: a summary never replaces a newer one.
    pub events: usize,
}

impl Summary {
    /// The summary of `d`.
    #[must_use]
    pub fn of(d: &Dossier) -> Self {
        Self {
            id: d.id().to_string(),
            number: d.number().to_string(),
            document_type: d.document_type().to_string(),
            status: d.status().code().to_owned(),
            department: d.current_department().to_string(),
            official: d.current_official().map(ToString::to_string),
            deadline: d.deadline(),
            registered_at: d.registered_at(),
            events: d.route().len(),
        }
    }
}

/// The stored open list: summaries of open dossiers, and the most recently
/// closed ones (id, event count) so that a late, older summary of a dossier
/// closed meanwhile cannot reopen it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct OpenList {
    open: Vec<Summary>,
    closed: Vec<(String, usize)>,
}

/// Closed dossiers remembered in the open list.
const CLOSED_MEMORY: usize = 512;

/// Puts `dossier`'s summary into the open list, or takes it out once the
/// dossier is closed. A summary older than the listed one changes nothing, so
/// concurrent writers converge on the newest state.
pub fn index_open(scope: &TenantScope, dossier: &Dossier) -> Result<()> {
    let key = scope.open_dossiers();
    let summary = Summary::of(dossier);
    let closed = dossier.status().is_terminal();
    let mut current: Option<Vec<u8>> = None;
    for _ in 0..100 {
        let mut list: OpenList = match &current {
            Some(b) => serde_json::from_slice(b).map_err(|e| corrupt(&key, e))?,
            None => OpenList::default(),
        };
        if list.closed.iter().any(|(id, _)| *id == summary.id) {
            return Ok(());
        }
        let at = list.open.iter().position(|s| s.id == summary.id);
        if let Some(i) = at
            && list.open[i].events >= summary.events
        {
            return Ok(());
        }
        if closed {
            if let Some(i) = at {
                list.open.remove(i);
            }
            list.closed.push((summary.id.clone(), summary.events));
            if list.closed.len() > CLOSED_MEMORY {
                list.closed.remove(0);
            }
        } else if let Some(i) = at {
            list.open[i] = summary.clone();
        } else {
            list.open.push(summary.clone());
        }
        let new = serde_json::to_vec(&list).map_err(|e| corrupt(&key, e))?;
        match kv::compare_and_swap(STORE, &key, current.as_deref(), &new)? {
            CasOutcome::Swapped => return Ok(()),
            CasOutcome::Conflict { current: c } => current = c,
        }
    }
    Err(corrupt(&key, "the open list kept changing"))
}

/// The summaries of the tenant's open dossiers.
pub async fn open_dossiers(store: &Store, scope: &TenantScope) -> Result<Vec<Summary>> {
    let list: Option<OpenList> = get_json(store, &scope.open_dossiers()).await?;
    Ok(list.map(|l| l.open).unwrap_or_default())
}
