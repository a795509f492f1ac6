//! A client of the Cloud Signature Consortium API v2 (remote signing of
//! hashes, DESIGN §5 "Signing"), over the component's outbound HTTP.
//!
//! The flow for N documents: [`Client::credentials_list`] finds the user's
//! credential, [`Client::credential_info`] gives its certificate chain, key
//! algorithm and `multisign`; the caller computes the N hashes to sign (e.g.
//! `ghiseu_pades`'s `hash_to_sign`), splits them with [`chunks`] when N is
//! larger than `multisign`, and for each chunk asks for a code
//! ([`Client::send_otp`]), authorizes exactly those hashes with the code the
//! user typed ([`Client::authorize`], SCAL2: the SAD is bound to the hashes),
//! and signs them ([`Client::sign_hash`], or [`Client::sign_hash_async`]
//! whose result arrives later as a [`Callback`] on the caller's route).
//!
//! Authentication is service-level: every call carries
//! `Authorization: Bearer {csc_client_secret}`; the user is named by the
//! `userID` of `credentials/list` and proves their presence with the OTP.
//!
//! Errors are this module's own [`Error`] (and [`Result`]): a refusal of the
//! service (`{"error": "invalid_otp", "error_description": "..."}`) is
//! [`Error::Refused`] with the CSC error code, which the caller can show or
//! map (a wrong code is the user's to fix; an unreachable service is not).
//! `From<Error> for crate::Error` is deliberately absent: a refusal is not a
//! storage failure, and callers decide what the user sees.
//!
//! Wire shapes (CSC v2 field names: `credentialID`, `numSignatures`,
//! `hashes` in base64, `hashAlgorithmOID`, `signAlgo`, `SAD`, `SCAL`,
//! `multisign`, `authData`...) live in [`wire`], shared with the sandbox's
//! provider so both sides of the tests speak the same JSON.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// OID of SHA-256, the only hash algorithm this client sends.
pub const SHA256_OID: &str = "2.16.840.1.101.3.4.2.1";
/// `ecdsa-with-SHA256`.
pub const ECDSA_SHA256_OID: &str = "1.2.840.10045.4.3.2";
/// `sha256WithRSAEncryption`.
pub const RSA_SHA256_OID: &str = "1.2.840.113549.1.1.11";
/// `id-ecPublicKey` (a key algorithm as `credentials/info` lists it).
pub const EC_PUBLIC_KEY_OID: &str = "1.2.840.10045.2.1";
/// `rsaEncryption` (a key algorithm as `credentials/info` lists it).
pub const RSA_ENCRYPTION_OID: &str = "1.2.840.113549.1.1.1";
/// The named curve P-256 (`prime256v1`).
pub const P256_CURVE_OID: &str = "1.2.840.10045.3.1.7";

/// Header carrying the HMAC of an asynchronous result POSTed to the
/// caller's `response_uri`: `sha256=<hex HMAC-SHA256 of the body>` under
/// `csc_callback_secret`, the scheme of [`crate::notify::signature`].
pub const CALLBACK_SIGNATURE_HEADER: &str = "X-Ghiseu-Signature";

/// Largest answer read from the service (a `signHash` of 500 signatures in
/// base64 is about 50 KB; a certificate chain a few KB).
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// What went wrong talking to the signing service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The service answered with a CSC error (`error`, `error_description`):
    /// e.g. `invalid_otp`, `expired_otp`, `otp_locked`, `invalid_sad`,
    /// `invalid_request`, `invalid_token`.
    #[error("the signing service refused ({code}): {description}")]
    Refused {
        /// The HTTP status (400, 401, ...).
        status: u16,
        /// The CSC `error` code.
        code: String,
        /// The service's `error_description` (may be empty).
        description: String,
    },
    /// The service could not be reached, or failed (5xx without a CSC error).
    #[error("the signing service is unavailable: {0}")]
    Unavailable(String),
    /// The service answered something this client cannot use.
    #[error("the signing service answered unexpectedly: {0}")]
    Protocol(String),
    /// The configuration (variables) is unusable.
    #[error("signing service configuration: {0}")]
    Config(String),
    /// An asynchronous result whose signature does not verify, or that is
    /// not a result at all: the route that received it answers 401.
    #[error("callback refused: {0}")]
    BadCallback(String),
}

impl Error {
    /// The CSC error code of a refusal.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Refused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// What a refusal means for the person who typed the code (`None` when
    /// the service did not refuse but failed): the one reading of the CSC
    /// error codes that the desk and the portal share.
    #[must_use]
    pub fn refusal(&self) -> Option<Refusal> {
        let Error::Refused {
            code, description, ..
        } = self
        else {
            return None;
        };
        Some(match code.as_str() {
            // CSC v2 has one code for every unusable OTP; what kind it was is
            // only in the description (the sandbox's words, read best-effort:
            // anything not recognised is a wrong code).
            "invalid_otp"
                if description.contains("already used") || description.contains("No code") =>
            {
                Refusal::Spent
            }
            "invalid_otp" => Refusal::WrongCode {
                attempts_left: attempts_left(description),
            },
            "expired_otp" => Refusal::Expired,
            "otp_locked" | "too_many_attempts" => Refusal::Locked,
            "otp_used" | "invalid_sad" => Refusal::Spent,
            _ => Refusal::Other,
        })
    }
}

/// What a refused code means for whoever typed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The code is wrong and may be typed again; how many tries are left
    /// when the service says.
    WrongCode {
        /// Tries left before the code is blocked, if the service said.
        attempts_left: Option<u32>,
    },
    /// The code (or the authorization it gave) was used already, or none
    /// was sent: a new code is needed.
    Spent,
    /// The code expired: a new code is needed.
    Expired,
    /// Too many wrong codes: this one is blocked, a new code is needed.
    Locked,
    /// Any other refusal (a request the service would not take).
    Other,
}

impl Refusal {
    /// Whether the same code field may be tried again (else a new code).
    #[must_use]
    pub fn may_retry(self) -> bool {
        matches!(self, Refusal::WrongCode { .. })
    }
}

/// `n` of "... (n attempts left)" in a refusal's description.
fn attempts_left(description: &str) -> Option<u32> {
    let mut rest = description;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let digits = &rest[start..];
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        if digits[end..].starts_with(" attempt") {
            return digits[..end].parse().ok();
        }
        rest = &digits[end..];
    }
    None
}

/// A `Result` whose error defaults to this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where the service is and how this platform authenticates to it.
#[derive(Clone)]
pub struct Config {
    /// Base URL of the API, e.g. `http://sandbox.spin.internal/sandbox/csc/v2`
    /// (method paths such as `credentials/list` are appended).
    pub base_url: String,
    /// The bearer token of the service-level authentication.
    pub client_secret: String,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// From the component variables `csc_url` and `csc_client_secret`;
    /// `None` when `csc_url` is empty (signing switched off).
    pub async fn from_variables() -> Result<Option<Config>> {
        let url = crate::config::variable("csc_url")
            .map_err(|e| Error::Config(format!("csc_url: {e}")))?;
        if url.trim().is_empty() {
            return Ok(None);
        }
        let client_secret = crate::config::variable("csc_client_secret")
            .map_err(|e| Error::Config(format!("csc_client_secret: {e}")))?;
        Ok(Some(Config {
            base_url: url.trim().trim_end_matches('/').to_owned(),
            client_secret,
        }))
    }
}

/// The service's `info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// The service's name.
    pub name: String,
    /// The API methods it implements (`credentials/list`, ...).
    pub methods: Vec<String>,
    /// The CSC version it implements (e.g. `2.0.0.2`).
    pub specs: String,
}

/// Sole Control Assurance Level of a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scal {
    /// The SAD is not bound to the hashes.
    One,
    /// The SAD is bound to the exact hashes authorized.
    Two,
}

/// The kind of key a credential holds: the domain's, as the batch records it.
pub use ghiseu_core::signing::KeyAlgorithm;

/// The PAdES signature algorithm of a key's signatures.
#[must_use]
pub fn signature_algorithm(key: KeyAlgorithm) -> ghiseu_pades::SignatureAlgorithm {
    match key {
        KeyAlgorithm::EcdsaP256 => ghiseu_pades::SignatureAlgorithm::EcdsaP256Sha256,
        KeyAlgorithm::Rsa => ghiseu_pades::SignatureAlgorithm::RsaPkcs1Sha256,
    }
}

/// The `signAlgo` OID sent to `signatures/signHash`.
#[must_use]
fn sign_algo_oid(key: KeyAlgorithm) -> &'static str {
    match key {
        KeyAlgorithm::EcdsaP256 => ECDSA_SHA256_OID,
        KeyAlgorithm::Rsa => RSA_SHA256_OID,
    }
}

/// The algorithm of a `credentials/info` `key` (`algo` OIDs, `curve`).
fn key_algorithm_of(key: &wire::KeyInfo) -> Result<KeyAlgorithm> {
    let has = |oids: &[&str]| key.algo.iter().any(|a| oids.contains(&a.as_str()));
    if has(&[EC_PUBLIC_KEY_OID, ECDSA_SHA256_OID]) {
        match key.curve.as_deref() {
            None | Some(P256_CURVE_OID) => Ok(KeyAlgorithm::EcdsaP256),
            Some(other) => Err(Error::Protocol(format!("unsupported curve {other}"))),
        }
    } else if has(&[RSA_ENCRYPTION_OID, RSA_SHA256_OID]) {
        Ok(KeyAlgorithm::Rsa)
    } else {
        Err(Error::Protocol(format!(
            "unsupported key algorithms {:?}",
            key.algo
        )))
    }
}

/// A credential as `credentials/info` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialInfo {
    /// The `credentialID`.
    pub id: String,
    /// DER certificates: the signer first, then its chain up to and including
    /// the root.
    pub certificates: Vec<Vec<u8>>,
    /// The signer certificate's subject DN, as the service states it.
    pub subject: String,
    /// The key's algorithm.
    pub key_algorithm: KeyAlgorithm,
    /// The most hashes one authorization may cover.
    pub multisign: u32,
    /// Whether the SAD is bound to the hashes.
    pub scal: Scal,
}

/// Signature Activation Data: the single-use permission to sign the hashes
/// it was issued for.
#[derive(Clone, PartialEq, Eq)]
pub struct Sad {
    /// The opaque `SAD`.
    pub sad: String,
    /// Its lifetime in seconds from issue.
    pub expires_in: u32,
}

impl std::fmt::Debug for Sad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sad")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// A client of one CSC service.
#[derive(Debug, Clone)]
pub struct Client {
    config: Config,
}

impl Client {
    /// A client of the service `config` names.
    #[must_use]
    pub fn new(config: Config) -> Self {
        Self { config }
    }

    /// `info`.
    pub async fn info(&self) -> Result<Info> {
        let r: wire::InfoResponse = self.call("info", &serde_json::json!({})).await?;
        Ok(Info {
            name: r.name,
            methods: r.methods,
            specs: r.specs,
        })
    }

    /// `credentials/list`: the credential ids of `user_id`.
    pub async fn credentials_list(&self, user_id: &str) -> Result<Vec<String>> {
        let r: wire::ListResponse = self
            .call("credentials/list", &wire::ListRequest::new(user_id))
            .await?;
        Ok(r.credential_ids)
    }

    /// `credentials/info` with the whole chain.
    pub async fn credential_info(&self, credential_id: &str) -> Result<CredentialInfo> {
        let r: wire::CredentialInfoResponse = self
            .call("credentials/info", &wire::InfoRequest::chain(credential_id))
            .await?;
        credential_info_from(credential_id, r)
    }

    /// `credentials/sendOTP`: the service sends the user a code.
    pub async fn send_otp(&self, credential_id: &str) -> Result<()> {
        let body = wire::SendOtpRequest {
            credential_id: credential_id.to_owned(),
            num_signatures: None,
            description: None,
            lang: None,
        };
        self.send("credentials/sendOTP", &body).await.map(|_| ())
    }

    /// `credentials/sendOTP` for a code that authorizes `count` signatures,
    /// `description` saying for whom (CSC's `description` of the
    /// authorization), so the provider's message names them, worded in `lang`
    /// (`ro`, `hu`, `en`). Providers that do not know these fields send their
    /// usual message.
    pub async fn send_otp_for(
        &self,
        credential_id: &str,
        count: u32,
        description: &str,
        lang: &str,
    ) -> Result<()> {
        let body = wire::SendOtpRequest {
            credential_id: credential_id.to_owned(),
            num_signatures: Some(count),
            description: Some(description.to_owned()),
            lang: Some(lang.to_owned()),
        };
        self.send("credentials/sendOTP", &body).await.map(|_| ())
    }

    /// `credentials/authorize` of exactly `hashes` (SHA-256, SCAL2) with the
    /// code the user typed.
    pub async fn authorize(
        &self,
        credential_id: &str,
        hashes: &[[u8; 32]],
        otp: &str,
    ) -> Result<Sad> {
        let r: wire::AuthorizeResponse = self
            .call(
                "credentials/authorize",
                &wire::AuthorizeRequest::new(credential_id, hashes, otp),
            )
            .await?;
        Ok(Sad {
            sad: r.sad,
            expires_in: r.expires_in.unwrap_or(3600),
        })
    }

    /// `credentials/authorize` of exactly `hashes` for a credential whose
    /// `authMode` is `implicit` (an institution's electronic seal: the
    /// service trusts this client's own credentials, no person types a code).
    pub async fn authorize_implicit(
        &self,
        credential_id: &str,
        hashes: &[[u8; 32]],
    ) -> Result<Sad> {
        let r: wire::AuthorizeResponse = self
            .call(
                "credentials/authorize",
                &wire::AuthorizeRequest::implicit(credential_id, hashes),
            )
            .await?;
        Ok(Sad {
            sad: r.sad,
            expires_in: r.expires_in.unwrap_or(3600),
        })
    }

    /// `signatures/signHash` (synchronous): one signature per hash, in the
    /// order of `hashes` (ECDSA: DER `ECDSA-Sig-Value`).
    pub async fn sign_hash(
        &self,
        credential_id: &str,
        sad: &Sad,
        hashes: &[[u8; 32]],
        algo: KeyAlgorithm,
    ) -> Result<Vec<Vec<u8>>> {
        let request = wire::SignHashRequest::new(credential_id, sad, hashes, algo);
        let r: wire::SignHashResponse = self.call("signatures/signHash", &request).await?;
        signatures_from(r.signatures, hashes.len())
    }

    /// `signatures/signHash` with `operationMode` `A`: the service answers a
    /// `responseID` at once and POSTs the signatures later to `response_uri`
    /// (see [`verify_callback`]), with `client_data` echoed.
    pub async fn sign_hash_async(
        &self,
        credential_id: &str,
        sad: &Sad,
        hashes: &[[u8; 32]],
        algo: KeyAlgorithm,
        response_uri: &str,
        client_data: &str,
    ) -> Result<String> {
        let mut request = wire::SignHashRequest::new(credential_id, sad, hashes, algo);
        request.operation_mode = Some("A".to_owned());
        request.response_uri = Some(response_uri.to_owned());
        request.client_data = Some(client_data.to_owned());
        let r: wire::SignHashResponse = self.call("signatures/signHash", &request).await?;
        r.response_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::Protocol("an asynchronous signHash without responseID".into()))
    }

    async fn call<T: DeserializeOwned>(&self, method: &str, body: &impl Serialize) -> Result<T> {
        let bytes = self.send(method, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Protocol(format!("{method}: {e}")))
    }

    /// POSTs `body` to `method`; the body of a 2xx answer, or the refusal.
    async fn send(&self, method: &str, body: &impl Serialize) -> Result<Vec<u8>> {
        let body = serde_json::to_vec(body).map_err(|e| Error::Protocol(e.to_string()))?;
        // A hanging service must not hold the desk forever; signing 500
        // hashes takes a moment, hence the generous first-byte timeout.
        let timeouts = crate::wasi_http::Timeouts::new(
            std::time::Duration::from_secs(5),
            std::time::Duration::from_secs(60),
        );
        let request = http::Request::builder()
            .method(http::Method::POST)
            .uri(format!("{}/{method}", self.config.base_url))
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", self.config.client_secret),
            )
            .body(bytes::Bytes::from(body))
            .map_err(|e| Error::Config(e.to_string()))?;
        let response = crate::wasi_http::send(request, timeouts)
            .await
            .map_err(|e| Error::Unavailable(format!("{method}: {e}")))?;
        let (parts, body) = response.into_parts();
        let bytes = crate::http::read_body(&parts.headers, body, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| Error::Unavailable(format!("{method}: {e}")))?;
        answer(parts.status.as_u16(), bytes)
    }
}

/// The body of a 2xx answer, or the error it carries.
fn answer(status: u16, body: Vec<u8>) -> Result<Vec<u8>> {
    if (200..300).contains(&status) {
        return Ok(body);
    }
    match serde_json::from_slice::<wire::ErrorResponse>(&body) {
        Ok(e) => Err(Error::Refused {
            status,
            code: e.error,
            description: e.error_description.unwrap_or_default(),
        }),
        Err(_) if status >= 500 => Err(Error::Unavailable(format!("answered {status}"))),
        Err(_) => Err(Error::Protocol(format!(
            "answered {status} without a CSC error"
        ))),
    }
}

fn credential_info_from(id: &str, r: wire::CredentialInfoResponse) -> Result<CredentialInfo> {
    let certificates = r
        .cert
        .certificates
        .iter()
        .map(|c| B64.decode(c.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Protocol(format!("a certificate is not base64: {e}")))?;
    if certificates.is_empty() {
        return Err(Error::Protocol("a credential without certificate".into()));
    }
    Ok(CredentialInfo {
        id: id.to_owned(),
        certificates,
        subject: r.cert.subject_dn.unwrap_or_default(),
        key_algorithm: key_algorithm_of(&r.key)?,
        multisign: r.multisign.max(1),
        scal: if r.scal.as_deref() == Some("2") {
            Scal::Two
        } else {
            Scal::One
        },
    })
}

fn signatures_from(signatures: Option<Vec<String>>, expected: usize) -> Result<Vec<Vec<u8>>> {
    let signatures =
        signatures.ok_or_else(|| Error::Protocol("a signHash answer without signatures".into()))?;
    if signatures.len() != expected {
        return Err(Error::Protocol(format!(
            "{} signatures for {expected} hashes",
            signatures.len()
        )));
    }
    signatures
        .iter()
        .map(|s| B64.decode(s.trim()))
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Protocol(format!("a signature is not base64: {e}")))
}

/// `hashes` in batches of at most `multisign` (at least 1): one
/// authorization (and one OTP, which the caller asks the user for) each.
pub fn chunks(hashes: &[[u8; 32]], multisign: u32) -> impl Iterator<Item = &[[u8; 32]]> {
    hashes.chunks(usize::try_from(multisign.max(1)).unwrap_or(usize::MAX))
}

/// An asynchronous `signHash` result, as POSTed to the `response_uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// The `responseID` the asynchronous call answered.
    pub response_id: String,
    /// The caller's `clientData`, echoed.
    pub client_data: String,
    /// The signatures in the order of the hashes (empty on error).
    pub signatures: Vec<Vec<u8>>,
    /// The CSC error code when the signing failed.
    pub error: Option<String>,
}

/// The value of [`CALLBACK_SIGNATURE_HEADER`] for `body` under `secret`.
#[must_use]
pub fn callback_signature(secret: &str, body: &[u8]) -> String {
    crate::notify::signature(secret.as_bytes(), body)
}

/// Checks the HMAC of an asynchronous result (constant time) and parses it.
/// `Err` (the route answers 401): no or empty secret configured, no or wrong
/// signature, or a body that is not a result.
pub fn verify_callback(secret: &str, headers: &http::HeaderMap, body: &[u8]) -> Result<Callback> {
    if secret.is_empty() {
        return Err(Error::BadCallback("no callback secret configured".into()));
    }
    let header = headers
        .get(CALLBACK_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Error::BadCallback("no signature".into()))?;
    if !crate::notify::verify(secret.as_bytes(), body, header) {
        return Err(Error::BadCallback("the signature does not match".into()));
    }
    let r: wire::CallbackBody =
        serde_json::from_slice(body).map_err(|e| Error::BadCallback(e.to_string()))?;
    let signatures = r
        .signatures
        .iter()
        .map(|s| B64.decode(s.trim()))
        .collect::<Result<_, _>>()
        .map_err(|e| Error::BadCallback(format!("a signature is not base64: {e}")))?;
    Ok(Callback {
        response_id: r.response_id,
        client_data: r.client_data.unwrap_or_default(),
        signatures,
        error: r.error,
    })
}

/// The JSON of CSC API v2, field names as the specification spells them.
/// Shared by this client and the sandbox's provider.
#[allow(missing_docs)]
pub mod wire;

#[cfg(test)]
mod tests;
