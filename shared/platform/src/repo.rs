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
//! | `t/{slug}/officials` | the usernames of the tenant's officials (JSON array) |
//! | `t/{slug}/official/{username}` | an official with their argon2id hash |
//! | `t/{slug}/index/{year}/{seq}` | the dossier id registered with that number |
//!
//! Document types are versioned (see [`crate::keys`]): a version is written
//! once with leased insert and never changed; the type's status record
//! (latest version, active) is moved with a leased replace after the version is
//! written, so a reader never sees a latest version that is not there.
//!
//! Tenant keys are built from a [`TenantScope`] only.
//! Dossier, department-list, official, invitation and type-status updates are
//! leased replace against the bytes that were read, so of two concurrent
//! writers exactly one wins and the other retries on fresh data.

use std::collections::HashMap;

use ghiseu_core::document_type::TypeStatus;
use ghiseu_core::official::Invite;
use ghiseu_core::stored::{
    StoredDepartment, StoredDocumentType, StoredDossier, StoredInvite, StoredOfficial,
    StoredTenant, StoredTypeStatus,
};
use ghiseu_core::{
    Department, DepartmentCode, DisplayName, DocumentType, DocumentTypeCode, Dossier, DossierId,
    Official, RegistrationNumber, Sha256Digest, Tenant, TenantSlug, TrackingToken, TypeVersion,
    Username,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::keys::{self, STORE, TenantScope};
use crate::kv::{self, InsertOutcome, ReplaceOutcome, Step, Store};
use crate::{Error, Result};

/// The key of the global tenant list.
pub const TENANTS_KEY: &str = "tenants";

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

/// [`kv::update`] on the default store.
fn cas_update<R>(key: &str, decide: impl FnMut(Option<&[u8]>) -> Result<Step<R>>) -> Result<R> {
    kv::update(STORE, key, decide)
}

fn parse<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| corrupt(key, e))
}

fn to_bytes<T: Serialize>(key: &str, value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| corrupt(key, e))
}

/// Adds `item` to the JSON string list at `key` unless present.
fn add_to_list(key: &str, item: &str) -> Result<()> {
    kv::push_unique(STORE, key, &item.to_owned()).map(drop)
}

// --- tenants -------------------------------------------------------------

/// Writes `tenant` and lists its slug; reserves its registration prefix if no
/// tenant holds it yet (the seed's path; new municipalities use [`create_tenant`]).
pub async fn put_tenant(store: &Store, tenant: &Tenant) -> Result<()> {
    let scope = TenantScope::new(&tenant.slug);
    set_json(store, &scope.tenant(), &tenant.to_stored()).await?;
    kv::insert_new(
        STORE,
        &keys::registration_prefix(&tenant.registration_prefix),
        tenant.slug.as_str().as_bytes(),
    )?;
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

/// Every listed tenant.
pub async fn tenants(store: &Store) -> Result<Vec<Tenant>> {
    let mut out = Vec::new();
    for slug in tenant_slugs(store).await? {
        if let Ok(s) = TenantSlug::parse(&slug)
            && let Some(t) = get_tenant(store, &s).await?
        {
            out.push(t);
        }
    }
    Ok(out)
}

/// The outcome of [`create_tenant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateTenant {
    /// Created and listed, with its departments and the invitation.
    Created,
    /// The slug is taken; nothing was written.
    SlugTaken,
    /// Another tenant uses the registration prefix; nothing was written.
    PrefixTaken,
}

/// Creates a new tenant with its departments and its first administrator's
/// invitation (`invite` under the hash of its token).
///
/// Order: the tenant record is created inactive with leased insert (the
/// slug's one winner), the prefix reserved with leased insert (undone if
/// taken), departments and invitation written, and only then is the record
/// switched to active and the slug listed. Until that last step nobody can
/// sign in to it or see it; a crash in between leaves an unlisted, inactive
/// record that blocks the slug and nothing else.
pub async fn create_tenant(
    store: &Store,
    tenant: &Tenant,
    departments: &[Department],
    invite_hash: &Sha256Digest,
    invite: &Invite,
) -> Result<CreateTenant> {
    for t in tenants(store).await? {
        if t.slug == tenant.slug {
            return Ok(CreateTenant::SlugTaken);
        }
        if t.registration_prefix == tenant.registration_prefix {
            return Ok(CreateTenant::PrefixTaken);
        }
    }
    let scope = TenantScope::new(&tenant.slug);
    let key = scope.tenant();
    let inactive = Tenant {
        active: false,
        ..tenant.clone()
    };
    let inactive_bytes = to_bytes(&key, &inactive.to_stored())?;
    if let InsertOutcome::Exists(_) = kv::insert_new(STORE, &key, &inactive_bytes)? {
        return Ok(CreateTenant::SlugTaken);
    }
    let prefix_key = keys::registration_prefix(&tenant.registration_prefix);
    match kv::insert_new(STORE, &prefix_key, tenant.slug.as_str().as_bytes())? {
        InsertOutcome::Inserted => {}
        InsertOutcome::Exists(holder) if holder == tenant.slug.as_str().as_bytes() => {}
        InsertOutcome::Exists(_) => {
            store.delete(&key).await?;
            return Ok(CreateTenant::PrefixTaken);
        }
    }
    put_departments(store, &scope, departments).await?;
    put_invite(invite_hash, invite)?;
    let active = to_bytes(&key, &tenant.to_stored())?;
    match kv::replace(STORE, &key, Some(&inactive_bytes), &active)? {
        ReplaceOutcome::Replaced => {}
        ReplaceOutcome::Conflict { .. } => {
            return Err(corrupt(&key, "changed while being created"));
        }
    }
    add_to_list(TENANTS_KEY, tenant.slug.as_str())?;
    Ok(CreateTenant::Created)
}

/// Changes the tenant `slug` with `change` (leased replace); `None` if it
/// does not exist.
pub fn update_tenant(
    slug: &TenantSlug,
    mut change: impl FnMut(&mut Tenant),
) -> Result<Option<Tenant>> {
    let key = TenantScope::new(slug).tenant();
    cas_update(&key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(None));
        };
        let mut tenant = Tenant::from_stored(&parse::<StoredTenant>(&key, bytes)?)
            .map_err(|e| corrupt(&key, e))?;
        change(&mut tenant);
        Ok(Step::Write(
            to_bytes(&key, &tenant.to_stored())?,
            Some(tenant),
        ))
    })
}

// --- departments ------------------------------------------------------------------

/// Replaces the tenant's departments.
pub async fn put_departments(
    store: &Store,
    scope: &TenantScope,
    list: &[Department],
) -> Result<()> {
    let stored: Vec<StoredDepartment> = list.iter().map(Department::to_stored).collect();
    set_json(store, &scope.departments(), &stored).await
}

fn departments_from(key: &str, bytes: Option<&[u8]>) -> Result<Vec<Department>> {
    let stored: Vec<StoredDepartment> = match bytes {
        Some(b) => parse(key, b)?,
        None => Vec::new(),
    };
    stored
        .iter()
        .map(|s| Department::from_stored(s).map_err(|e| corrupt(key, e)))
        .collect()
}

fn departments_bytes(key: &str, list: &[Department]) -> Result<Vec<u8>> {
    let stored: Vec<StoredDepartment> = list.iter().map(Department::to_stored).collect();
    to_bytes(key, &stored)
}

/// The tenant's departments.
pub async fn departments(store: &Store, scope: &TenantScope) -> Result<Vec<Department>> {
    let key = scope.departments();
    departments_from(&key, store.get(&key).await?.as_deref())
}

/// Adds `department` unless its code is taken; `false` when it is.
pub fn create_department(scope: &TenantScope, department: &Department) -> Result<bool> {
    let key = scope.departments();
    cas_update(&key, |current| {
        let mut list = departments_from(&key, current)?;
        if list.iter().any(|d| d.code == department.code) {
            return Ok(Step::Done(false));
        }
        list.push(department.clone());
        Ok(Step::Write(departments_bytes(&key, &list)?, true))
    })
}

/// Renames the department `code`; `false` when there is none.
pub fn rename_department(
    scope: &TenantScope,
    code: &DepartmentCode,
    name: &DisplayName,
) -> Result<bool> {
    let key = scope.departments();
    cas_update(&key, |current| {
        let mut list = departments_from(&key, current)?;
        let Some(d) = list.iter_mut().find(|d| &d.code == code) else {
            return Ok(Step::Done(false));
        };
        d.name = name.clone();
        Ok(Step::Write(departments_bytes(&key, &list)?, true))
    })
}

// --- document types ------------------------------------------------------------------

async fn type_status(
    store: &Store,
    scope: &TenantScope,
    code: &DocumentTypeCode,
) -> Result<Option<TypeStatus>> {
    let key = scope.document_type_status(code);
    let Some(s) = get_json::<StoredTypeStatus>(store, &key).await? else {
        return Ok(None);
    };
    TypeStatus::from_stored(&s)
        .map(Some)
        .map_err(|e| corrupt(&key, e))
}

async fn stored_version(
    store: &Store,
    scope: &TenantScope,
    code: &DocumentTypeCode,
    version: TypeVersion,
) -> Result<Option<DocumentType>> {
    let key = scope.document_type_version(code, version);
    let Some(s) = get_json::<StoredDocumentType>(store, &key).await? else {
        return Ok(None);
    };
    DocumentType::from_stored(&s)
        .map(Some)
        .map_err(|e| corrupt(&key, e))
}

/// Version `version` of the tenant's type `code`, active or not; `None` for a
/// version that was never the type's (also a later one).
pub async fn document_type_version(
    store: &Store,
    scope: &TenantScope,
    code: &DocumentTypeCode,
    version: TypeVersion,
) -> Result<Option<DocumentType>> {
    match type_status(store, scope, code).await? {
        Some(s) if version <= s.latest => stored_version(store, scope, code, version).await,
        _ => Ok(None),
    }
}

/// The codes of every document type of the tenant, active or not.
pub async fn document_type_codes(
    store: &Store,
    scope: &TenantScope,
) -> Result<Vec<DocumentTypeCode>> {
    let names: Vec<String> = get_json(store, &scope.document_type_codes())
        .await?
        .unwrap_or_default();
    Ok(names
        .iter()
        .filter_map(|n| DocumentTypeCode::parse(n).ok())
        .collect())
}

/// Every type of the tenant, active or not, in its latest version with its status.
pub async fn document_type_catalogue(
    store: &Store,
    scope: &TenantScope,
) -> Result<Vec<(TypeStatus, DocumentType)>> {
    let mut out = Vec::new();
    for code in document_type_codes(store, scope).await? {
        if let Some(status) = type_status(store, scope, &code).await?
            && let Some(t) = stored_version(store, scope, &code, status.latest).await?
        {
            out.push((status, t));
        }
    }
    Ok(out)
}

/// The tenant's active document types, each in its latest version.
pub async fn document_types(store: &Store, scope: &TenantScope) -> Result<Vec<DocumentType>> {
    Ok(document_type_catalogue(store, scope)
        .await?
        .into_iter()
        .filter(|(s, _)| s.active)
        .map(|(_, t)| t)
        .collect())
}

/// The tenant's document type `code` in its latest version, if it is active.
pub async fn document_type(
    store: &Store,
    scope: &TenantScope,
    code: &DocumentTypeCode,
) -> Result<Option<DocumentType>> {
    match type_status(store, scope, code).await? {
        Some(s) if s.active => stored_version(store, scope, code, s.latest).await,
        _ => Ok(None),
    }
}

/// The type `code` with its status, active or not.
pub async fn document_type_with_status(
    store: &Store,
    scope: &TenantScope,
    code: &DocumentTypeCode,
) -> Result<Option<(TypeStatus, DocumentType)>> {
    let Some(status) = type_status(store, scope, code).await? else {
        return Ok(None);
    };
    Ok(stored_version(store, scope, code, status.latest)
        .await?
        .map(|t| (status, t)))
}

/// The outcome of [`save_document_type`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveType {
    /// A new version was stored (version 1 for a new type).
    Saved(DocumentType),
    /// The definition equals the latest version; nothing new was stored (an
    /// inactive type was offered again).
    Unchanged(DocumentType),
    /// `create` was asked and the code is taken; nothing was written.
    Exists,
    /// A new version was asked for a type that does not exist.
    Missing,
}

/// Stores `definition` (its `version` is ignored) as the next version of its
/// type: version 1 when `create` (refused if the code exists), else the next
/// version of an existing type. The status moves only after the version is
/// written (leased insert); a version found written by a writer that lost a
/// race is skipped, never overwritten.
pub async fn save_document_type(
    store: &Store,
    scope: &TenantScope,
    definition: &DocumentType,
    create: bool,
) -> Result<SaveType> {
    let code = &definition.code;
    let status_key = scope.document_type_status(code);
    for _ in 0..20 {
        let current = store.get(&status_key).await?;
        let status = match &current {
            None if !create => return Ok(SaveType::Missing),
            None => None,
            Some(_) if create => return Ok(SaveType::Exists),
            Some(b) => Some(
                TypeStatus::from_stored(&parse::<StoredTypeStatus>(&status_key, b)?)
                    .map_err(|e| corrupt(&status_key, e))?,
            ),
        };
        if let Some(s) = status
            && let Some(latest) = stored_version(store, scope, code, s.latest).await?
            && latest.same_definition(definition)
        {
            if s.active {
                return Ok(SaveType::Unchanged(latest));
            }
            let next = TypeStatus { active: true, ..s };
            let bytes = to_bytes(&status_key, &next.to_stored())?;
            match kv::replace(STORE, &status_key, current.as_deref(), &bytes)? {
                ReplaceOutcome::Replaced => return Ok(SaveType::Unchanged(latest)),
                ReplaceOutcome::Conflict { .. } => continue,
            }
        }
        let next = status.map_or(TypeStatus::NEW, TypeStatus::after_save);
        let mut candidate = next.latest;
        let saved = loop {
            let mut version = definition.clone();
            version.version = candidate;
            let key = scope.document_type_version(code, candidate);
            let bytes = to_bytes(&key, &version.to_stored())?;
            match kv::insert_new(STORE, &key, &bytes)? {
                InsertOutcome::Inserted => break version,
                InsertOutcome::Exists(b) if b == bytes => break version,
                InsertOutcome::Exists(_) => candidate = candidate.next(),
            }
        };
        let next = TypeStatus {
            latest: candidate,
            ..next
        };
        let bytes = to_bytes(&status_key, &next.to_stored())?;
        match kv::replace(STORE, &status_key, current.as_deref(), &bytes)? {
            ReplaceOutcome::Replaced => {
                add_to_list(&scope.document_type_codes(), code.as_str())?;
                return Ok(SaveType::Saved(saved));
            }
            ReplaceOutcome::Conflict { .. } if create => return Ok(SaveType::Exists),
            ReplaceOutcome::Conflict { .. } => {}
        }
    }
    Err(corrupt(
        &status_key,
        "kept changing under concurrent writers",
    ))
}

/// Offers (`active`) or withdraws the type `code` for intake; its versions stay.
/// `None` if there is no such type.
pub fn set_document_type_active(
    scope: &TenantScope,
    code: &DocumentTypeCode,
    active: bool,
) -> Result<Option<TypeStatus>> {
    let key = scope.document_type_status(code);
    cas_update(&key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(None));
        };
        let status = TypeStatus::from_stored(&parse::<StoredTypeStatus>(&key, bytes)?)
            .map_err(|e| corrupt(&key, e))?;
        let next = TypeStatus { active, ..status };
        if next == status {
            return Ok(Step::Done(Some(status)));
        }
        Ok(Step::Write(to_bytes(&key, &next.to_stored())?, Some(next)))
    })
}

/// Saves each type of `list` (the seed's path): a new type gets version 1, a
/// changed one a new version, an unchanged one nothing.
pub async fn put_document_types(
    store: &Store,
    scope: &TenantScope,
    list: &[DocumentType],
) -> Result<()> {
    for t in list {
        if let SaveType::Missing = save_document_type(store, scope, t, false).await? {
            save_document_type(store, scope, t, true).await?;
        }
    }
    Ok(())
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

/// Creates `official` unless the username is taken in the tenant (`false`).
pub fn create_official(
    scope: &TenantScope,
    official: &Official,
    password_hash: &str,
) -> Result<bool> {
    let key = scope.official(&official.username);
    let record = OfficialRecord {
        official: official.to_stored(),
        password_hash: password_hash.to_owned(),
    };
    match kv::insert_new(STORE, &key, &to_bytes(&key, &record)?)? {
        InsertOutcome::Inserted => {
            add_to_list(&scope.officials(), official.username.as_str())?;
            Ok(true)
        }
        InsertOutcome::Exists(_) => Ok(false),
    }
}

/// Changes the official `username` with `change`, keeping their password
/// (leased replace); `None` if there is no such official.
pub fn update_official(
    scope: &TenantScope,
    username: &Username,
    mut change: impl FnMut(&mut Official),
) -> Result<Option<Official>> {
    let key = scope.official(username);
    cas_update(&key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(None));
        };
        let mut record: OfficialRecord = parse(&key, bytes)?;
        let mut official = Official::from_stored(&record.official).map_err(|e| corrupt(&key, e))?;
        change(&mut official);
        record.official = official.to_stored();
        Ok(Step::Write(to_bytes(&key, &record)?, Some(official)))
    })
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

// --- invitations ------------------------------------------------------------------

/// Stores an invitation under the hash of its token (leased insert: a
/// token is never reused).
pub fn put_invite(token_hash: &Sha256Digest, invite: &Invite) -> Result<()> {
    let key = keys::invite(token_hash);
    match kv::insert_new(STORE, &key, &to_bytes(&key, &invite.to_stored())?)? {
        InsertOutcome::Inserted => Ok(()),
        InsertOutcome::Exists(_) => Err(corrupt(&key, "invitation token reused")),
    }
}

/// The invitation whose token hashes to `token_hash`.
pub async fn invite(store: &Store, token_hash: &Sha256Digest) -> Result<Option<Invite>> {
    let key = keys::invite(token_hash);
    let Some(s) = get_json::<StoredInvite>(store, &key).await? else {
        return Ok(None);
    };
    Invite::from_stored(&s)
        .map(Some)
        .map_err(|e| corrupt(&key, e))
}

/// Replaces the invitation `previous` with `next` if it is unchanged
/// (leased replace): of two concurrent acceptances exactly one gets `true`.
pub fn swap_invite(token_hash: &Sha256Digest, previous: &Invite, next: &Invite) -> Result<bool> {
    let key = keys::invite(token_hash);
    let old = to_bytes(&key, &previous.to_stored())?;
    let new = to_bytes(&key, &next.to_stored())?;
    Ok(matches!(
        kv::replace(STORE, &key, Some(&old), &new)?,
        ReplaceOutcome::Replaced
    ))
}

// --- dossiers ---------------------------------------------------------------------

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
/// batched reads per [`FACTS_BATCH`] numbers.
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

// ---------------------------------------------------------------- inbox index

/// What an inbox shows of an open dossier; kept in one list per tenant
/// (`t/{tenant}/open`), updated with a leased replace after every change of a
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
    index_open_many(scope, std::slice::from_ref(dossier))
}

/// [`index_open`] of several dossiers in one leased replace of the list (a
/// signing batch settles many at once).
pub fn index_open_many(scope: &TenantScope, dossiers: &[Dossier]) -> Result<()> {
    if dossiers.is_empty() {
        return Ok(());
    }
    let changes: Vec<(Summary, bool)> = dossiers
        .iter()
        .map(|d| (Summary::of(d), d.status().is_terminal()))
        .collect();
    kv::update_json(STORE, &scope.open_dossiers(), |list: &mut OpenList| {
        let mut changed = false;
        for (summary, closed) in &changes {
            changed |= apply_summary(list, summary, *closed);
        }
        changed
    })
}

/// Puts one dossier's summary into the open list; whether anything changed.
fn apply_summary(list: &mut OpenList, summary: &Summary, closed: bool) -> bool {
    if list.closed.iter().any(|(id, _)| *id == summary.id) {
        return false;
    }
    let at = list.open.iter().position(|s| s.id == summary.id);
    if let Some(i) = at
        && list.open[i].events >= summary.events
    {
        return false;
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
    true
}

/// The dossier of the tenant registered as `number`, if any.
pub async fn dossier_by_number(
    store: &Store,
    scope: &TenantScope,
    number: &RegistrationNumber,
) -> Result<Option<Dossier>> {
    let Some(bytes) = store
        .get(&scope.index_entry(number.year(), number.seq()))
        .await?
    else {
        return Ok(None);
    };
    let Some(id) = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|s| DossierId::parse(s).ok())
    else {
        return Ok(None);
    };
    Ok(get_dossier(store, scope, &id)
        .await?
        .map(|v| v.dossier)
        .filter(|d| d.number() == number))
}

/// The summaries of the tenant's open dossiers.
pub async fn open_dossiers(store: &Store, scope: &TenantScope) -> Result<Vec<Summary>> {
    let list: Option<OpenList> = get_json(store, &scope.open_dossiers()).await?;
    Ok(list.map(|l| l.open).unwrap_or_default())
}
