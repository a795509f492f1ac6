//! Repositories over the key-value store, one file a record kind. Records
//! are core's [`ghiseu_core::stored`] shapes as JSON, re-validated on every
//! load; every key is one of [`crate::keys`] (the table there) or, for the
//! keys it leaves to this module, named in the file that writes it:
//!
//! | file | record kind | keys |
//! | --- | --- | --- |
//! | `tenants.rs` | tenants, slugs, registration prefixes | `tenants`, `t/{slug}/tenant`, `regprefix/{PREFIX}` |
//! | `departments.rs` | a tenant's departments | `t/{slug}/departments` |
//! | `document_types.rs` | document types, versions and status | `t/{slug}/doctypes`, `t/{slug}/doctype/{code}`, `t/{slug}/doctype/{code}/v{n}` |
//! | `officials.rs` | officials and invitations | `t/{slug}/officials`, `t/{slug}/official/{username}`, `invite/{sha256}` |
//! | `dossiers.rs` | dossiers | `t/{slug}/dossier/{ID}` |
//! | `tokens.rs` | the tracking-token index | `token/{TOKEN}` |
//! | `registry.rs` | registration counters, the number index, annulled numbers | `t/{slug}/regno/{year}`, `t/{slug}/index/{year}/{seq}`, `t/{slug}/annulled/{year}/{seq}`, `t/{slug}/registry/{year}/whole/{block}` |
//! | `inbox.rs` | the inbox index of open dossiers | `t/{slug}/open` |
//! | `quotas.rs` | an institution's submission quotas | `t/{slug}/quotas` |
//! | `retention.rs` | the retention log; every dossier of a tenant, year by year | `t/{slug}/erased/{year}` |
//!
//! Every item is re-exported here: callers name `repo::X`, never a file.
//! This file holds the JSON helpers the repositories share; they import it and
//! one another (tenants imports departments and officials, inbox imports
//! dossiers), never in a circle.
//!
//! Tenant keys are built from a [`TenantScope`](crate::keys::TenantScope) only.
//! Dossier, department-list, official, invitation and type-status updates are
//! leased replace against the bytes that were read, so of two concurrent
//! writers exactly one wins and the other retries on fresh data.

mod access;
mod departments;
mod document_types;
mod dossiers;
mod inbox;
mod officials;
mod quotas;
mod registry;
mod retention;
mod tenants;
mod tokens;

pub use access::{LogEntry, Opener, access_log, access_records, record_access};
pub use departments::{create_department, departments, put_departments, rename_department};
pub use document_types::{
    SaveType, document_type, document_type_catalogue, document_type_codes, document_type_version,
    document_type_with_status, document_types, put_document_types, save_document_type,
    set_document_type_active,
};
pub use dossiers::{
    UpdateOutcome, Versioned, create_dossier, create_dossier_once, get_dossier, update_dossier,
};
pub use inbox::{Summary, dossier_by_number, index_open, index_open_many, open_dossiers};
pub use officials::{
    create_official, invite, official, official_with_hash, officials, put_invite, put_official,
    swap_invite, update_official,
};
pub use quotas::{put_submission_quota, submission_quota};
pub use registry::{
    BLOCK, YearFacts, annulment, dossiers_between, has_dossier, next_sequence,
    numbers_without_dossier, put_annulment, put_index_entry, recent_registrations, registered,
    registrations_taken, year_facts,
};
pub use retention::{ErasureEntry, erasure_log, for_each_dossier, log_erasure, log_year};
pub use tenants::{
    CreateTenant, TENANTS_KEY, create_tenant, get_tenant, put_tenant, tenant_page, tenant_slugs,
    tenants, update_tenant,
};
pub use tokens::{TokenEntry, put_token, token_entry, token_key};

use serde::{Serialize, de::DeserializeOwned};

use crate::keys::STORE;
use crate::kv::{self, Step, Store};
use crate::{Error, Result};

/// The error of a record at `key` that cannot be read or written as JSON.
fn corrupt(key: &str, detail: impl ToString) -> Error {
    Error::Corrupt {
        key: key.to_owned(),
        detail: detail.to_string(),
    }
}

/// The JSON record at `key`, if any.
async fn get_json<T: DeserializeOwned>(store: &Store, key: &str) -> Result<Option<T>> {
    match store.get(key).await? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| corrupt(key, e)),
    }
}

/// Writes `value` as JSON at `key` (unconditionally).
async fn set_json<T: Serialize>(store: &Store, key: &str, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| corrupt(key, e))?;
    store.set(key, &bytes).await
}

/// [`kv::update`] on the default store.
fn cas_update<R>(key: &str, decide: impl FnMut(Option<&[u8]>) -> Result<Step<R>>) -> Result<R> {
    kv::update(STORE, key, decide)
}

/// `bytes` read from `key` as a JSON record.
fn parse<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| corrupt(key, e))
}

/// `value` as the JSON bytes of the record at `key`.
fn to_bytes<T: Serialize>(key: &str, value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| corrupt(key, e))
}

/// Adds `item` to the JSON string list at `key` unless present.
fn add_to_list(key: &str, item: &str) -> Result<()> {
    kv::push_unique(STORE, key, &item.to_owned()).map(drop)
}
