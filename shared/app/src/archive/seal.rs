//! The institution's electronic seal over a container's manifest: a
//! detached CAdES signature (`signature.p7s`) by the tenant's seal
//! credential at the CSC service (user `seal:{tenant}`, authorized
//! implicitly: no person types a code), with a signature timestamp when a
//! timestamp authority is configured (CAdES-B-T), else CAdES-B-B.
//!
//! One [`Sealer`] finds the credential once and seals many manifests with one
//! authorization per `multisign` of them, so the archive of a year costs two
//! calls per few hundred dossiers, not four per dossier.

use chrono::{DateTime, Utc};
use ghiseu_core::{Sha256Digest, TenantSlug};
use ghiseu_platform::csc::{self, Client};

use crate::signing::{Config, Credential, CredentialError};

/// Why a manifest was not sealed.
#[derive(Debug, Clone)]
pub enum SealError {
    /// The service knows no seal credential for this institution (the
    /// operator has to enroll one at the provider).
    NoSeal,
    /// The service failed or refused.
    Service(csc::Error),
    /// The credential has no certificate.
    NoCertificate,
    /// The timestamp authority failed.
    Timestamp(String),
    /// The CMS could not be built from what the service returned.
    Signature(String),
}

impl std::fmt::Display for SealError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoSeal => f.write_str("the institution has no seal credential"),
            Self::Service(e) => write!(f, "the signing service: {e}"),
            Self::NoCertificate => f.write_str("the seal credential has no certificate"),
            Self::Timestamp(e) => write!(f, "the timestamp authority: {e}"),
            Self::Signature(e) => write!(f, "the seal's CMS: {e}"),
        }
    }
}

/// The CSC user whose credential is `tenant`'s seal. Usernames cannot hold
/// `:`, so no official's user is ever a seal's.
#[must_use]
pub fn seal_user(tenant: &TenantSlug) -> String {
    format!("seal:{tenant}")
}

/// A tenant's seal, ready to seal manifests (it keeps its own client, so it
/// can go on sealing in a body sent after the response's head).
pub struct Sealer {
    client: Client,
    config: Config,
    credential: Credential,
}

impl Sealer {
    /// Finds `tenant`'s seal credential and its certificates.
    pub async fn find(
        client: &Client,
        config: &Config,
        tenant: &TenantSlug,
    ) -> Result<Self, SealError> {
        let id = client
            .credentials_list(&seal_user(tenant))
            .await
            .map_err(SealError::Service)?
            .into_iter()
            .next()
            .ok_or(SealError::NoSeal)?;
        let credential = Credential::fetch(client, &id).await.map_err(|e| match e {
            CredentialError::Service(e) => SealError::Service(e),
            CredentialError::NoCertificate => SealError::NoCertificate,
        })?;
        Ok(Self {
            client: client.clone(),
            config: config.clone(),
            credential,
        })
    }

    /// The `.p7s` of each of `manifests`, in order, sealed at `now`.
    pub async fn seal(
        &self,
        manifests: &[&[u8]],
        now: DateTime<Utc>,
    ) -> Result<Vec<Vec<u8>>, SealError> {
        let signature_error = |e: ghiseu_pades::Error| SealError::Signature(e.to_string());
        let attrs = manifests
            .iter()
            .map(|m| {
                ghiseu_pades::cades_signed_attributes(
                    *Sha256Digest::of(m).as_bytes(),
                    self.credential.signer(),
                    now,
                )
                .map_err(signature_error)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hashes: Vec<[u8; 32]> = attrs.iter().map(|a| a.hash_to_sign()).collect();
        let mut signatures = Vec::with_capacity(hashes.len());
        for chunk in csc::chunks(&hashes, self.credential.multisign) {
            let id = &self.credential.id;
            let sad = self
                .client
                .authorize_implicit(id, chunk)
                .await
                .map_err(SealError::Service)?;
            let signed = self
                .client
                .sign_hash(id, &sad, chunk, self.credential.algorithm)
                .await
                .map_err(SealError::Service)?;
            signatures.extend(signed);
        }
        let algorithm = csc::signature_algorithm(self.credential.algorithm);
        let issuers = self.credential.issuers();
        let mut sealed = Vec::with_capacity(attrs.len());
        for (attrs, signature) in attrs.iter().zip(&signatures) {
            let token = match &self.config.tsa_url {
                None => None,
                Some(url) => {
                    let imprint = ghiseu_pades::signature_timestamp_imprint(signature, algorithm)
                        .map_err(signature_error)?;
                    let token = ghiseu_platform::tsa::timestamp(url, imprint)
                        .await
                        .map_err(|e| SealError::Timestamp(e.to_string()))?;
                    Some(token)
                }
            };
            let p7s = ghiseu_pades::cades_detached(
                attrs,
                signature,
                algorithm,
                &issuers,
                token.as_deref(),
            )
            .map_err(signature_error)?;
            sealed.push(p7s);
        }
        Ok(sealed)
    }
}
