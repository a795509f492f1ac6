//! The requests of an account waiting before registration — for their fee
//! (`fee_bani`, paid through the payment provider, [`super::fees`]) and/or
//! the citizen's qualified signature — and what registering each needs.

use chrono::{DateTime, Utc};
use ghiseu_core::{DocumentTypeCode, TenantSlug};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{CitizenKeys, STORE, TenantScope};
use ghiseu_platform::kv::{self, Store};
use ghiseu_platform::repo;
use serde::{Deserialize, Serialize};

use super::corrupt;

/// Keeps `record` (tenant/type/sha256 of the rendered cerere) among the
/// account's requests waiting for a qualified signature.
pub fn keep_awaiting_signature(account_id: &str, record: &str) -> Result<()> {
    kv::push_unique(
        STORE,
        &CitizenKeys::new(account_id).awaiting(),
        &record.to_owned(),
    )
    .map(drop)
}

/// The account's requests waiting for a qualified signature
/// (`tenant/type/sha256`).
pub async fn awaiting_signature(store: &Store, account_id: &str) -> Result<Vec<String>> {
    let key = CitizenKeys::new(account_id).awaiting();
    match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| corrupt(&key, e)),
        None => Ok(Vec::new()),
    }
}

/// A request waiting for its qualified signature: what registering it needs
/// once signed (the cerere and the files are already in the object store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingRequest {
    /// The tenant slug.
    pub tenant: String,
    /// The document type's code.
    pub document_type: String,
    /// The validated form values (field name, value), in the type's order.
    pub form: Vec<(String, String)>,
    /// The rendered, unsigned cerere.
    pub cerere: ghiseu_core::stored::StoredAttachment,
    /// The citizen's files.
    pub attachments: Vec<ghiseu_core::stored::StoredAttachment>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// The type's fee when it was submitted, in bani: paid before it is
    /// registered (0: none; every request kept before fees).
    #[serde(default)]
    pub fee_bani: u64,
    /// Whether it is registered only once signed with a qualified signature
    /// (every request kept before fees was).
    #[serde(default = "signed_before_fees")]
    pub qualified: bool,
}

/// Every request kept before fees waited for a qualified signature.
const fn signed_before_fees() -> bool {
    true
}

/// Keeps what registering the request with this cerere needs (once: the
/// cerere's hash names it).
pub fn keep_awaiting_request(account_id: &str, request: &AwaitingRequest) -> Result<()> {
    let key = CitizenKeys::new(account_id).awaiting_item(&request.cerere.sha256);
    let bytes = serde_json::to_vec(request).map_err(|e| corrupt(&key, e))?;
    kv::insert_new(STORE, &key, &bytes).map(drop)
}

/// The request waiting with the cerere `cerere_sha256`, if it is the account's.
pub async fn awaiting_request(
    store: &Store,
    account_id: &str,
    cerere_sha256: &str,
) -> Result<Option<AwaitingRequest>> {
    let key = CitizenKeys::new(account_id).awaiting_item(cerere_sha256);
    match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| corrupt(&key, e)),
        None => Ok(None),
    }
}

/// What a citizen reads about a waiting request: the names of its
/// institution and document type, never their keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// The institution's name (`None`: it no longer exists).
    pub institution: Option<String>,
    /// The document type's titles (`None`: it is no longer offered).
    pub titles: Option<ghiseu_core::Titles>,
}

/// The names of `request`'s institution and document type.
pub async fn describe(store: &Store, request: &AwaitingRequest) -> Result<Described> {
    let Ok(slug) = TenantSlug::parse(&request.tenant) else {
        return Err(corrupt(&request.tenant, "not a tenant slug"));
    };
    let institution = repo::get_tenant(store, &slug)
        .await?
        .map(|t| t.name.as_str().to_owned());
    let titles = match DocumentTypeCode::parse(&request.document_type) {
        Ok(code) => repo::document_type(store, &TenantScope::new(&slug), &code)
            .await?
            .map(|t| t.titles),
        Err(_) => None,
    };
    Ok(Described {
        institution,
        titles,
    })
}

/// Takes `record` off the account's requests waiting for a signature.
pub fn remove_awaiting(account_id: &str, record: &str) -> Result<()> {
    kv::update_json(
        STORE,
        &CitizenKeys::new(account_id).awaiting(),
        |list: &mut Vec<String>| {
            let before = list.len();
            list.retain(|r| r != record);
            list.len() != before
        },
    )
}
