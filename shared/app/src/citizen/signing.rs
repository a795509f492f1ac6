//! The citizen's signing credential at the signing provider, and where
//! signing each waiting request is (prepared, signed, registered), moved with
//! a leased replace.

use chrono::{DateTime, Utc};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{CitizenKeys, STORE};
use ghiseu_platform::kv::{self, InsertOutcome, ReplaceOutcome, Store};
use serde::{Deserialize, Serialize};

use super::corrupt;

/// The account's signing credential at the signing provider, if created.
pub async fn signing_credential(store: &Store, account_id: &str) -> Result<Option<String>> {
    Ok(store
        .get(&CitizenKeys::new(account_id).credential())
        .await?
        .map(|b| String::from_utf8_lossy(&b).into_owned()))
}

/// Records the account's signing credential; the first one stays (a retried
/// enrollment that got another id changes nothing). The credential kept.
pub fn keep_signing_credential(account_id: &str, credential_id: &str) -> Result<String> {
    match kv::insert_new(
        STORE,
        &CitizenKeys::new(account_id).credential(),
        credential_id.as_bytes(),
    )? {
        InsertOutcome::Inserted => Ok(credential_id.to_owned()),
        InsertOutcome::Exists(b) => Ok(String::from_utf8_lossy(&b).into_owned()),
    }
}

/// Where signing a waiting request is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Signing {
    /// The PDF is prepared and a code was sent; the hash the code will authorize.
    Prepared {
        /// The prepared PDF in the tenant's files.
        prepared_sha256: String,
        /// The SHA-256 of the signed attributes (hex): what the provider signs.
        hash_to_sign: String,
        /// The credential the code was sent for.
        credential_id: String,
    },
    /// Signed; the signed PDF is stored and the dossier is being registered
    /// by whoever wrote this state (at `at`: a registration that never
    /// finished may be taken over once the requests that could still be
    /// running have timed out).
    Signed {
        /// The signed PDF in the tenant's files.
        signed: ghiseu_core::stored::StoredAttachment,
        /// When the registration was claimed.
        at: DateTime<Utc>,
    },
    /// Registered.
    Registered {
        /// The dossier id.
        dossier: String,
        /// Its registration number.
        number: String,
    },
}

/// Where signing the request with the cerere `cerere_sha256` is, with the
/// bytes read (for [`move_signing`]).
pub async fn signing(
    store: &Store,
    account_id: &str,
    cerere_sha256: &str,
) -> Result<Option<(Signing, Vec<u8>)>> {
    let key = CitizenKeys::new(account_id).signing(cerere_sha256);
    match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b)
            .map(|s| Some((s, b)))
            .map_err(|e| corrupt(&key, e)),
        None => Ok(None),
    }
}

/// Moves signing from the state read as `read` (`None`: none yet) to `next`
/// with a leased replace; `false` when someone else moved it first.
pub fn move_signing(
    account_id: &str,
    cerere_sha256: &str,
    read: Option<&[u8]>,
    next: &Signing,
) -> Result<bool> {
    let key = CitizenKeys::new(account_id).signing(cerere_sha256);
    let bytes = serde_json::to_vec(next).map_err(|e| corrupt(&key, e))?;
    Ok(matches!(
        kv::replace(STORE, &key, read, &bytes)?,
        ReplaceOutcome::Replaced
    ))
}
