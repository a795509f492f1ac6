//! The development CA and the users' keys, sealed at rest.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, InsertOutcome, Store};
use http::StatusCode;
use p256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};

use crate::csc_pki::{self as pki, Sealer};

use super::{Failure, Outcome, from_json, sealer, to_json};

// ---------------------------------------------------------------------------
// The development CA.

/// A key of the sandbox's (sealed) and its certificate, stored under one key.
#[derive(Serialize, Deserialize)]
pub(super) struct KeyRecord {
    /// Base64 DER.
    pub(super) cert: String,
    /// Base64 sealed private key.
    pub(super) key: String,
}

/// The key and certificate stored under `name`, made by `make` on first use; two
/// racing instances agree through leased insert. `created` runs once, for the
/// instance whose record won.
pub(super) async fn key_record(
    store: &Store,
    sealer: &Sealer,
    name: &str,
    make: impl FnOnce() -> pki::PkiResult<(SigningKey, Vec<u8>)>,
) -> Outcome<(SigningKey, Vec<u8>, bool)> {
    let bytes = match store.get(name).await? {
        Some(b) => b,
        None => {
            let (key, cert) = make().map_err(Failure::Internal)?;
            let record = KeyRecord {
                cert: B64.encode(&cert),
                key: B64.encode(sealer.seal(name, &key).map_err(Failure::Internal)?),
            };
            match kv::insert_new(STORE, name, &to_json(name, &record)?)? {
                InsertOutcome::Inserted => return Ok((key, cert, true)),
                InsertOutcome::Exists(winner) => winner,
            }
        }
    };
    let record: KeyRecord = from_json(name, &bytes)?;
    let decode = |text: &str| {
        B64.decode(text)
            .map_err(|e| Failure::Internal(e.to_string()))
    };
    let key = sealer
        .open(name, &decode(&record.key)?)
        .map_err(Failure::Internal)?;
    Ok((key, decode(&record.cert)?, false))
}

/// The CA (created on first use and then added to the trust roots) and its
/// certificate.
pub(super) async fn ca(store: &Store, sealer: &Sealer) -> Outcome<(SigningKey, Vec<u8>)> {
    let (key, cert, created) = key_record(store, sealer, keys::CSC_CA, || {
        let key = pki::new_key()?;
        let cert = pki::self_signed_ca(&key)?;
        Ok((key, cert))
    })
    .await?;
    if created {
        ghiseu_platform::trust::add_root(store, &cert).await?;
    }
    Ok((key, cert))
}

/// The sandbox TSA's key and certificate (issued by the CA for timeStamping on
/// first use), and the CA's certificate.
pub(crate) async fn tsa_signer(store: &Store) -> Result<(SigningKey, Vec<u8>, Vec<u8>), String> {
    let failed = |f: Failure| match f {
        Failure::Internal(e) | Failure::Refused(_, _, e) => e,
    };
    let sealer = sealer().await.map_err(failed)?;
    let (ca_key, ca_cert) = ca(store, &sealer).await.map_err(failed)?;
    let (key, cert, _) = key_record(store, &sealer, keys::TSA_SIGNER, || {
        let key = pki::new_key()?;
        let cert = pki::issue(
            &ca_key,
            &pki::Subject::named("Ghiseu Sandbox TSA"),
            &key,
            pki::Usage::TimeStamping,
        )?;
        Ok((key, cert))
    })
    .await
    .map_err(failed)?;
    Ok((key, cert, ca_cert))
}

/// `GET /api/v1/sandbox/csc/ca.pem`.
pub(super) async fn ca_pem(store: &Store) -> Outcome<Response> {
    let (_, cert) = ca(store, &sealer().await?).await?;
    // Repairs a trust list that missed the CA (e.g. a failure right after
    // the CA was created); a no-op when it is listed.
    ghiseu_platform::trust::add_root(store, &cert).await?;
    let pem = pki::pem(&cert).map_err(Failure::Internal)?;
    Ok(web::bytes(StatusCode::OK, "application/x-pem-file", pem))
}
