//! Issued documents' public verification records (`verify/{TOKEN}`).
//!
//! When a signer signs a response, the desk puts the verification link
//! (`/verify/{TOKEN}`) into the document itself, as a QR code in the visible
//! signature, before the signature is computed; once the signed PDF is stored
//! it writes this record, which the public verification page reads to find the
//! file. The record holds no personal data of the citizen: the page shows the
//! institution, the document type, the registration number, the signer and
//! the document's hash, and verifies the signature on the file itself.

use chrono::{DateTime, Utc};
use ghiseu_core::{Sha256Digest, TrackingToken};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::keys;
use crate::kv::{self, Store};

/// What the verification page needs to find and describe an issued document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    /// The issuing tenant's slug.
    pub tenant: String,
    /// The dossier's id.
    pub dossier: String,
    /// Its registration number.
    pub number: String,
    /// The document type's code.
    pub document_type: String,
    /// The SHA-256 (hex) of the signed PDF: its object is the tenant's
    /// attachment with this digest.
    pub sha256: String,
    /// The signer's display name at signing time.
    pub signer: String,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
}

impl Issued {
    /// The signed PDF's digest.
    pub fn digest(&self) -> Option<Sha256Digest> {
        Sha256Digest::parse(&self.sha256).ok()
    }
}

/// Records `issued` under `token`, with a plain write: the key is written
/// once by its one owner (the token is drawn at random for one document of
/// one batch, and only the request whose leased update recorded that
/// document's `signed` + `issued` writes it; a completion that comes again
/// finds the dossier signed and writes nothing).
pub async fn put(store: &Store, token: &TrackingToken, issued: &Issued) -> Result<()> {
    let key = keys::verification(token);
    let bytes = serde_json::to_vec(issued).map_err(|e| crate::Error::Corrupt {
        key: key.clone(),
        detail: e.to_string(),
    })?;
    store.set(&key, &bytes).await
}

/// The record under `token`, if any.
pub async fn get(store: &Store, token: &TrackingToken) -> Result<Option<Issued>> {
    let key = keys::verification(token);
    let bytes = store.get(&key).await?;
    decode(key, bytes)
}

/// The records under `tokens`, in their order, in one key-value call.
pub fn get_many(tokens: &[TrackingToken]) -> Result<Vec<Option<Issued>>> {
    let keys: Vec<String> = tokens.iter().map(keys::verification).collect();
    kv::get_many(crate::keys::STORE, &keys)?
        .into_iter()
        .map(|(key, bytes)| decode(key, bytes))
        .collect()
}

fn decode(key: String, bytes: Option<Vec<u8>>) -> Result<Option<Issued>> {
    bytes
        .map(|b| {
            serde_json::from_slice(&b).map_err(|e| crate::Error::Corrupt {
                key,
                detail: e.to_string(),
            })
        })
        .transpose()
}
