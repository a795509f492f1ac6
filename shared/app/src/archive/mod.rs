//! The archive (DESIGN "records"): a dossier's sealed ASiC-E container
//! ([`bundle`]), sealed by the institution's electronic seal ([`seal`]), and
//! a year of the registry for the institution's archive ([`export`]).

pub mod bundle;
pub mod export;
pub mod seal;

use std::future::Future;

pub use bundle::{Bundle, Unsealed};
pub use ghiseu_asic::MIMETYPE;
pub use seal::{SealError, Sealer};

/// The container of `dossier` as it stands at `now`, sealed now with its
/// institution's seal.
pub async fn sealed_bundle(
    client: &ghiseu_platform::csc::Client,
    config: &crate::signing::Config,
    dossier: &ghiseu_core::Dossier,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Bundle, SealError> {
    let sealer = Sealer::find(client, config, dossier.tenant()).await?;
    let scope = ghiseu_platform::keys::TenantScope::new(dossier.tenant());
    let unsealed = Unsealed::of(dossier, &scope, now);
    let p7s = sealer
        .seal(&[unsealed.manifest()], now)
        .await?
        .pop()
        .ok_or_else(|| SealError::Signature("the service returned no signature".to_owned()))?;
    Ok(unsealed.sealed(p7s))
}

/// Sends the file stored at `key` as entry `path` of `zip` into `sink`:
/// read whole from `s3` (one file at a time is what a container or an
/// export holds in memory), checked against `sha256` (other bytes stop the
/// sending: nothing goes out under a digest it does not have), then its
/// header, its bytes and the end of its entry.
pub async fn send_stored(
    zip: &mut ghiseu_asic::Zip,
    sink: &mut impl ByteSink,
    s3: &ghiseu_platform::s3::S3Client,
    (key, path): (&str, &str),
    sha256: &ghiseu_core::Sha256Digest,
    at: chrono::NaiveDateTime,
) -> Result<(), String> {
    let bytes = s3
        .get_object(key)
        .await
        .map_err(|e| format!("{key}: {e}"))?
        .ok_or_else(|| format!("{key}: missing from the object store"))?;
    if ghiseu_core::Sha256Digest::of(&bytes) != *sha256 {
        return Err(format!(
            "{path}: the stored bytes are not {}",
            sha256.to_hex()
        ));
    }
    let fail = |e: ghiseu_asic::ZipError| e.to_string();
    let header = zip
        .start(path, at, Some(ghiseu_asic::Known::of(&bytes)))
        .map_err(fail)?;
    sink.send(&header).await?;
    zip.data(&bytes).map_err(fail)?;
    sink.send(&bytes).await?;
    sink.send(&zip.end().map_err(fail)?).await
}

/// Where a container's bytes go, in order (a streamed HTTP body, an
/// enclosing archive, a buffer in tests). An error stops the sending.
pub trait ByteSink {
    /// Sends `bytes` after what was sent before.
    fn send(&mut self, bytes: &[u8]) -> impl Future<Output = Result<(), String>>;
}

impl ByteSink for ghiseu_platform::http::BodySink {
    async fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        ghiseu_platform::http::BodySink::send(self, bytes).await
    }
}

impl ByteSink for Vec<u8> {
    async fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}
