//! Document types: a tenant's types, versioned, with their status.
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/doctypes` | the codes of the tenant's document types (JSON array) |
//! | `t/{slug}/doctype/{code}` | the type's status: latest version, active (leased replace) |
//! | `t/{slug}/doctype/{code}/v{n}` | version `n` of the type, written once, never changed |
//!
//! A version is written once with leased insert and never changed; the type's
//! status record (latest version, active) is moved with a leased replace after
//! the version is written, so a reader never sees a latest version that is not
//! there.

use ghiseu_core::document_type::TypeStatus;
use ghiseu_core::stored::{StoredDocumentType, StoredTypeStatus};
use ghiseu_core::{DocumentType, DocumentTypeCode, TypeVersion};

use super::{add_to_list, cas_update, corrupt, get_json, parse, to_bytes};
use crate::Result;
use crate::keys::{STORE, TenantScope};
use crate::kv::{self, InsertOutcome, ReplaceOutcome, Step, Store};

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
