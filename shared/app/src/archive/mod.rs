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
