//! The steps every remote signature goes through, whoever signs:
//!
//! 1. [`Credential::fetch`]: the signer's certificate chain and key algorithm
//!    (`credentials/info`).
//! 2. [`ToSign::new`]: a PDF prepared by `ghiseu_pades::prepare` and the
//!    CMS signed attributes over it; [`ToSign::hash`] is what the signing
//!    service signs (`signatures/signHash`).
//! 3. [`finish`]: the service's signature embedded as a detached CMS, with an
//!    RFC 3161 signature timestamp when the component has a timestamp
//!    authority ([`super::Config`]).
//! 4. [`store_pdf`]: the signed PDF kept content-addressed in the tenant's
//!    files.

use chrono::{DateTime, Utc};

use crate::dossiers::{self, Scan};
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::{Attachment, MediaType, Sha256Digest};
use ghiseu_platform::csc::{self, Client, KeyAlgorithm};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::s3::S3Client;

use super::Config;
use crate::error::corrupt;

/// A signer's credential at the signing service.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The service's credential id.
    pub id: String,
    /// The certificate chain (DER), signer first: never empty.
    pub certificates: Vec<Vec<u8>>,
    /// The key's algorithm.
    pub algorithm: KeyAlgorithm,
    /// How many hashes one authorization may cover (at least 1).
    pub multisign: u32,
}

/// Why a credential cannot sign.
#[derive(Debug, Clone)]
pub enum CredentialError {
    /// The service failed or refused.
    Service(csc::Error),
    /// The service knows the credential but gave no certificate for it.
    NoCertificate,
}

impl Credential {
    /// The credential `id` as the service describes it now.
    pub async fn fetch(client: &Client, id: &str) -> Result<Self, CredentialError> {
        let info = client
            .credential_info(id)
            .await
            .map_err(CredentialError::Service)?;
        if info.certificates.is_empty() {
            return Err(CredentialError::NoCertificate);
        }
        Ok(Self {
            id: id.to_owned(),
            certificates: info.certificates,
            algorithm: info.key_algorithm,
            multisign: info.multisign.max(1),
        })
    }

    /// The signer's own certificate.
    #[must_use]
    pub fn signer(&self) -> &[u8] {
        &self.certificates[0]
    }

    /// The certificates above the signer's, for the CMS.
    #[must_use]
    pub fn issuers(&self) -> Vec<&[u8]> {
        self.certificates[1..].iter().map(Vec::as_slice).collect()
    }
}

/// A PDF prepared for one signature, and what the signer's key must sign.
pub struct ToSign {
    prepared: ghiseu_pades::Prepared,
    attrs: ghiseu_pades::SignedAttrs,
}

impl ToSign {
    /// The signed attributes of `prepared` for the signer's `certificate`.
    pub fn new(
        prepared: ghiseu_pades::Prepared,
        certificate: &[u8],
    ) -> Result<Self, ghiseu_pades::Error> {
        let attrs = ghiseu_pades::signed_attributes(prepared.digest(), certificate)?;
        Ok(Self { prepared, attrs })
    }

    /// The digest of the prepared PDF's signed byte ranges.
    #[must_use]
    pub fn digest(&self) -> Sha256Digest {
        Sha256Digest::from_bytes(self.prepared.digest())
    }

    /// The hash the signing service signs (of the signed attributes).
    #[must_use]
    pub fn hash(&self) -> Sha256Digest {
        Sha256Digest::from_bytes(self.attrs.hash_to_sign())
    }

    /// The prepared PDF.
    #[must_use]
    pub fn prepared(&self) -> &ghiseu_pades::Prepared {
        &self.prepared
    }
}

/// Why a signature could not be embedded.
#[derive(Debug)]
pub enum FinishError {
    /// The signature or the certificates do not fit the prepared PDF.
    Signature(ghiseu_pades::Error),
    /// A timestamp authority is configured and gave no usable token: the
    /// document is not signed rather than signed without it.
    Timestamp(String),
}

impl std::fmt::Display for FinishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Signature(e) => write!(f, "{e}"),
            Self::Timestamp(e) => write!(f, "{e}"),
        }
    }
}

/// The signed PDF: the service's `signature` over `to_sign` embedded with
/// the credential's chain, as B-T when `config` names a timestamp authority
/// and as B-B otherwise.
pub async fn finish(
    to_sign: ToSign,
    signature: &[u8],
    credential: &Credential,
    config: &Config,
) -> Result<Vec<u8>, FinishError> {
    finish_timed(to_sign, signature, credential, config)
        .await
        .map(|(pdf, _)| pdf)
}

/// [`finish`], and the time of the signature timestamp when there is one
/// (the token's genTime: when the signature is proven to have existed).
pub async fn finish_timed(
    to_sign: ToSign,
    signature: &[u8],
    credential: &Credential,
    config: &Config,
) -> Result<(Vec<u8>, Option<DateTime<Utc>>), FinishError> {
    let algorithm = csc::signature_algorithm(credential.algorithm);
    let issuers = credential.issuers();
    let ToSign { prepared, attrs } = to_sign;
    match &config.tsa_url {
        None => ghiseu_pades::finish(prepared, &attrs, signature, algorithm, &issuers)
            .map(|pdf| (pdf, None))
            .map_err(FinishError::Signature),
        Some(url) => {
            let imprint = ghiseu_pades::signature_timestamp_imprint(signature, algorithm)
                .map_err(FinishError::Signature)?;
            let token = ghiseu_platform::tsa::timestamp(url, imprint)
                .await
                .map_err(|e| FinishError::Timestamp(e.to_string()))?;
            let time = ghiseu_pades::timestamp_token_time(&token)
                .map_err(|e| FinishError::Timestamp(e.to_string()))?;
            ghiseu_pades::finish_with_timestamp(
                prepared, &attrs, signature, algorithm, &issuers, &token,
            )
            .map(|pdf| (pdf, Some(time)))
            .map_err(FinishError::Signature)
        }
    }
}

/// Stores a PDF content-addressed in the tenant's files under `name` (or
/// `fallback` when `name` is not a valid file name).
pub async fn store_pdf(
    s3: &S3Client,
    scope: &TenantScope,
    name: &str,
    fallback: &str,
    data: Vec<u8>,
) -> crate::Result<Attachment> {
    let name = OriginalName::parse(name)
        .or_else(|_| OriginalName::parse(fallback))
        .map_err(|e| corrupt(name, e))?;
    let scan = Scan {
        name,
        media_type: MediaType::Pdf,
        data,
    };
    dossiers::store_file(s3, scope, scan).await
}
