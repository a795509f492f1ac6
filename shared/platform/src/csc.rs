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
pub mod wire {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    use serde::{Deserialize, Serialize};

    /// `info` answer.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct InfoResponse {
        #[serde(default)]
        pub specs: String,
        pub name: String,
        #[serde(default)]
        pub logo: String,
        #[serde(default)]
        pub region: String,
        #[serde(default)]
        pub lang: String,
        #[serde(default)]
        pub description: String,
        #[serde(rename = "authType", default)]
        pub auth_type: Vec<String>,
        #[serde(default)]
        pub methods: Vec<String>,
    }

    /// `credentials/list` request.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct ListRequest {
        #[serde(rename = "userID")]
        pub user_id: String,
        #[serde(rename = "credentialInfo", default)]
        pub credential_info: bool,
    }

    impl ListRequest {
        #[must_use]
        pub fn new(user_id: &str) -> Self {
            Self {
                user_id: user_id.to_owned(),
                credential_info: false,
            }
        }
    }

    /// `credentials/list` answer.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct ListResponse {
        #[serde(rename = "credentialIDs")]
        pub credential_ids: Vec<String>,
    }

    /// `credentials/info` request.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct InfoRequest {
        #[serde(rename = "credentialID")]
        pub credential_id: String,
        /// `none`, `single` or `chain`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub certificates: Option<String>,
        #[serde(rename = "certInfo", default)]
        pub cert_info: bool,
        #[serde(rename = "authInfo", default)]
        pub auth_info: bool,
    }

    impl InfoRequest {
        /// Everything, with the whole chain.
        #[must_use]
        pub fn chain(credential_id: &str) -> Self {
            Self {
                credential_id: credential_id.to_owned(),
                certificates: Some("chain".to_owned()),
                cert_info: true,
                auth_info: true,
            }
        }
    }

    /// `key` of `credentials/info`.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct KeyInfo {
        pub status: String,
        pub algo: Vec<String>,
        pub len: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub curve: Option<String>,
    }

    /// `cert` of `credentials/info`.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct CertInfo {
        #[serde(default)]
        pub status: String,
        /// Base64 DER, signer first.
        #[serde(default)]
        pub certificates: Vec<String>,
        #[serde(rename = "issuerDN", default, skip_serializing_if = "Option::is_none")]
        pub issuer_dn: Option<String>,
        #[serde(
            rename = "serialNumber",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub serial_number: Option<String>,
        #[serde(rename = "subjectDN", default, skip_serializing_if = "Option::is_none")]
        pub subject_dn: Option<String>,
        #[serde(rename = "validFrom", default, skip_serializing_if = "Option::is_none")]
        pub valid_from: Option<String>,
        #[serde(rename = "validTo", default, skip_serializing_if = "Option::is_none")]
        pub valid_to: Option<String>,
    }

    /// One authentication object of `auth`.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct AuthObject {
        #[serde(rename = "type")]
        pub kind: String,
        pub id: String,
        #[serde(default)]
        pub format: String,
        #[serde(default)]
        pub label: String,
        #[serde(default)]
        pub description: String,
    }

    /// `auth` of `credentials/info`.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct AuthInfo {
        pub mode: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expression: Option<String>,
        #[serde(default)]
        pub objects: Vec<AuthObject>,
    }

    /// `credentials/info` answer.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct CredentialInfoResponse {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        pub key: KeyInfo,
        pub cert: CertInfo,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub auth: Option<AuthInfo>,
        /// The v1 spelling of `auth.mode`, still sent for older clients.
        #[serde(rename = "authMode", default, skip_serializing_if = "Option::is_none")]
        pub auth_mode: Option<String>,
        #[serde(rename = "SCAL", default, skip_serializing_if = "Option::is_none")]
        pub scal: Option<String>,
        pub multisign: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lang: Option<String>,
    }

    /// `credentials/sendOTP` request.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct SendOtpRequest {
        #[serde(rename = "credentialID")]
        pub credential_id: String,
        /// How many signatures the code will authorize (as `authorize` takes
        /// it), for the provider's message; not in CSC's sendOTP.
        #[serde(
            rename = "numSignatures",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub num_signatures: Option<u32>,
        /// For whom (CSC's authorization `description`, at most 500 characters).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        /// The language of the provider's message (`ro`, `hu`, `en`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lang: Option<String>,
    }

    /// One `authData` entry of `credentials/authorize`.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct AuthDatum {
        pub id: String,
        pub value: String,
    }

    /// `credentials/authorize` request.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct AuthorizeRequest {
        #[serde(rename = "credentialID")]
        pub credential_id: String,
        #[serde(rename = "numSignatures")]
        pub num_signatures: u32,
        #[serde(default)]
        pub hashes: Vec<String>,
        #[serde(rename = "hashAlgorithmOID", default)]
        pub hash_algorithm_oid: String,
        #[serde(rename = "authData", default)]
        pub auth_data: Vec<AuthDatum>,
        /// The v1 spelling of the OTP, accepted by the sandbox.
        #[serde(rename = "OTP", default, skip_serializing_if = "Option::is_none")]
        pub otp: Option<String>,
    }

    impl AuthorizeRequest {
        #[must_use]
        pub fn new(credential_id: &str, hashes: &[[u8; 32]], otp: &str) -> Self {
            Self {
                credential_id: credential_id.to_owned(),
                num_signatures: u32::try_from(hashes.len()).unwrap_or(u32::MAX),
                hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
                hash_algorithm_oid: super::SHA256_OID.to_owned(),
                auth_data: vec![AuthDatum {
                    id: "OTP".to_owned(),
                    value: otp.to_owned(),
                }],
                otp: None,
            }
        }

        /// The OTP, from `authData` (v2) or `OTP` (v1).
        #[must_use]
        pub fn otp(&self) -> Option<&str> {
            self.auth_data
                .iter()
                .find(|d| d.id == "OTP")
                .map(|d| d.value.as_str())
                .or(self.otp.as_deref())
        }
    }

    /// `credentials/authorize` answer.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct AuthorizeResponse {
        #[serde(rename = "SAD")]
        pub sad: String,
        #[serde(rename = "expiresIn", default, skip_serializing_if = "Option::is_none")]
        pub expires_in: Option<u32>,
    }

    /// `signatures/signHash` request.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct SignHashRequest {
        #[serde(rename = "credentialID")]
        pub credential_id: String,
        #[serde(rename = "SAD")]
        pub sad: String,
        #[serde(default)]
        pub hashes: Vec<String>,
        #[serde(rename = "hashAlgorithmOID", default)]
        pub hash_algorithm_oid: String,
        #[serde(rename = "signAlgo", default)]
        pub sign_algo: String,
        /// `S` (synchronous, the default) or `A`.
        #[serde(
            rename = "operationMode",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub operation_mode: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub response_uri: Option<String>,
        #[serde(
            rename = "clientData",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub client_data: Option<String>,
    }

    impl SignHashRequest {
        #[must_use]
        pub fn new(
            credential_id: &str,
            sad: &super::Sad,
            hashes: &[[u8; 32]],
            algo: super::KeyAlgorithm,
        ) -> Self {
            Self {
                credential_id: credential_id.to_owned(),
                sad: sad.sad.clone(),
                hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
                hash_algorithm_oid: super::SHA256_OID.to_owned(),
                sign_algo: super::sign_algo_oid(algo).to_owned(),
                operation_mode: None,
                response_uri: None,
                client_data: None,
            }
        }
    }

    /// `signatures/signHash` answer: `signatures` (synchronous) or
    /// `responseID` (asynchronous).
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct SignHashResponse {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub signatures: Option<Vec<String>>,
        #[serde(
            rename = "responseID",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub response_id: Option<String>,
    }

    /// A CSC error.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct ErrorResponse {
        pub error: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub error_description: Option<String>,
    }

    /// An asynchronous result POSTed to `response_uri`.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct CallbackBody {
        #[serde(rename = "responseID")]
        pub response_id: String,
        #[serde(
            rename = "clientData",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub client_data: Option<String>,
        #[serde(default)]
        pub signatures: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub error: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub error_description: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(n: u8) -> Vec<[u8; 32]> {
        (0..n).map(|i| [i; 32]).collect()
    }

    #[test]
    fn authorize_request_uses_csc_v2_names() {
        let v = serde_json::to_value(wire::AuthorizeRequest::new("cred-1", &hashes(2), "123456"))
            .unwrap();
        assert_eq!(v["credentialID"], "cred-1");
        assert_eq!(v["numSignatures"], 2);
        assert_eq!(v["hashAlgorithmOID"], SHA256_OID);
        assert_eq!(v["hashes"][1], B64.encode([1u8; 32]));
        assert_eq!(v["authData"][0]["id"], "OTP");
        assert_eq!(v["authData"][0]["value"], "123456");
        assert!(v.get("OTP").is_none());
        let back: wire::AuthorizeRequest = serde_json::from_value(serde_json::json!({
            "credentialID": "c", "numSignatures": 1, "hashes": [], "OTP": "654321"
        }))
        .unwrap();
        assert_eq!(back.otp(), Some("654321"));
    }

    #[test]
    fn sign_hash_request_names_algorithm_and_mode() {
        let sad = Sad {
            sad: "s".into(),
            expires_in: 300,
        };
        let mut r = wire::SignHashRequest::new("c", &sad, &hashes(1), KeyAlgorithm::EcdsaP256);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["SAD"], "s");
        assert_eq!(v["signAlgo"], ECDSA_SHA256_OID);
        assert!(v.get("operationMode").is_none() && v.get("response_uri").is_none());
        r.operation_mode = Some("A".into());
        r.response_uri = Some("http://desk.spin.internal/x".into());
        r.client_data = Some("batch-7".into());
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["operationMode"], "A");
        assert_eq!(v["response_uri"], "http://desk.spin.internal/x");
        assert_eq!(v["clientData"], "batch-7");
    }

    #[test]
    fn credential_info_is_read_from_csc_json() {
        let r: wire::CredentialInfoResponse = serde_json::from_value(serde_json::json!({
            "key": {"status": "enabled", "algo": [EC_PUBLIC_KEY_OID, ECDSA_SHA256_OID],
                    "len": 256, "curve": P256_CURVE_OID},
            "cert": {"status": "valid", "certificates": [B64.encode(b"leaf"), B64.encode(b"root")],
                     "subjectDN": "CN=Ion Popescu"},
            "auth": {"mode": "explicit", "objects": []},
            "SCAL": "2", "multisign": 500
        }))
        .unwrap();
        let info = credential_info_from("c1", r).unwrap();
        assert_eq!(info.certificates, vec![b"leaf".to_vec(), b"root".to_vec()]);
        assert_eq!(info.key_algorithm, KeyAlgorithm::EcdsaP256);
        assert_eq!(
            signature_algorithm(info.key_algorithm),
            ghiseu_pades::SignatureAlgorithm::EcdsaP256Sha256
        );
        assert_eq!((info.multisign, info.scal), (500, Scal::Two));
        assert_eq!(info.subject, "CN=Ion Popescu");

        let rsa = wire::KeyInfo {
            status: "enabled".into(),
            algo: vec![RSA_ENCRYPTION_OID.into()],
            len: 3072,
            curve: None,
        };
        assert_eq!(key_algorithm_of(&rsa).unwrap(), KeyAlgorithm::Rsa);
        let other = wire::KeyInfo {
            algo: vec!["1.3.101.112".into()],
            ..rsa
        };
        assert!(matches!(key_algorithm_of(&other), Err(Error::Protocol(_))));
    }

    #[test]
    fn errors_become_refusals_with_their_code() {
        let body = br#"{"error":"invalid_otp","error_description":"Codul nu este corect."}"#;
        let e = answer(400, body.to_vec()).unwrap_err();
        assert_eq!(
            e,
            Error::Refused {
                status: 400,
                code: "invalid_otp".into(),
                description: "Codul nu este corect.".into()
            }
        );
        assert_eq!(e.code(), Some("invalid_otp"));
        assert!(matches!(
            answer(502, b"bad gateway".to_vec()),
            Err(Error::Unavailable(_))
        ));
        assert!(matches!(
            answer(404, b"<html>".to_vec()),
            Err(Error::Protocol(_))
        ));
        assert_eq!(answer(204, Vec::new()).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn refusals_are_classified_for_the_person_typing_the_code() {
        let refused = |code: &str, description: &str| Error::Refused {
            status: 400,
            code: code.into(),
            description: description.into(),
        };
        for (code, description, expected) in [
            (
                "invalid_otp",
                "The code is not right (4 attempts left).",
                Refusal::WrongCode {
                    attempts_left: Some(4),
                },
            ),
            (
                "invalid_otp",
                "Wrong OTP (try 2 of 5)",
                Refusal::WrongCode {
                    attempts_left: None,
                },
            ),
            (
                "invalid_otp",
                "This code was already used: ask for a new one.",
                Refusal::Spent,
            ),
            (
                "invalid_otp",
                "No code was sent for this credential: ask for one (sendOTP).",
                Refusal::Spent,
            ),
            ("expired_otp", "", Refusal::Expired),
            ("otp_locked", "Too many wrong codes", Refusal::Locked),
            ("invalid_sad", "", Refusal::Spent),
            ("invalid_request", "2 attempts left", Refusal::Other),
        ] {
            let e = refused(code, description);
            assert_eq!(e.refusal(), Some(expected), "{code}: {description}");
        }
        assert_eq!(Error::Unavailable("down".into()).refusal(), None);
        // Only a wrong code may be typed again; everything else needs a new one.
        assert!(
            Refusal::WrongCode {
                attempts_left: None
            }
            .may_retry()
        );
        for needs_new in [
            Refusal::Spent,
            Refusal::Expired,
            Refusal::Locked,
            Refusal::Other,
        ] {
            assert!(!needs_new.may_retry(), "{needs_new:?}");
        }
    }

    #[test]
    fn signatures_must_match_the_hashes() {
        let two = Some(vec![B64.encode(b"a"), B64.encode(b"b")]);
        assert_eq!(
            signatures_from(two.clone(), 2).unwrap(),
            vec![b"a".to_vec(), b"b".to_vec()]
        );
        assert!(signatures_from(two, 3).is_err());
        assert!(signatures_from(None, 0).is_err());
    }

    #[test]
    fn chunks_split_by_multisign() {
        let h = hashes(25);
        let sizes: Vec<usize> = chunks(&h, 10).map(<[_]>::len).collect();
        assert_eq!(sizes, [10, 10, 5]);
        assert_eq!(chunks(&h, 500).count(), 1);
        assert_eq!(chunks(&h, 0).count(), 25, "multisign 0 is taken as 1");
        let rejoined: Vec<[u8; 32]> = chunks(&h, 7).flatten().copied().collect();
        assert_eq!(rejoined, h);
        assert_eq!(chunks(&[], 10).count(), 0);
    }

    #[test]
    fn callbacks_verify_only_with_the_right_signature() {
        let body = serde_json::to_vec(&wire::CallbackBody {
            response_id: "r1".into(),
            client_data: Some("batch".into()),
            signatures: vec![B64.encode(b"sig")],
            error: None,
            error_description: None,
        })
        .unwrap();
        let mut headers = http::HeaderMap::new();
        headers.insert(
            CALLBACK_SIGNATURE_HEADER,
            callback_signature("k", &body).parse().unwrap(),
        );
        let cb = verify_callback("k", &headers, &body).unwrap();
        assert_eq!(cb.response_id, "r1");
        assert_eq!(cb.client_data, "batch");
        assert_eq!(cb.signatures, vec![b"sig".to_vec()]);
        assert_eq!(cb.error, None);

        // Another key, an empty key, a tampered body, no header.
        assert!(verify_callback("other", &headers, &body).is_err());
        assert!(verify_callback("", &headers, &body).is_err());
        let mut tampered = body.clone();
        tampered[10] ^= 1;
        assert!(matches!(
            verify_callback("k", &headers, &tampered),
            Err(Error::BadCallback(_))
        ));
        assert!(verify_callback("k", &http::HeaderMap::new(), &body).is_err());
        // Signed but not a result.
        let junk = b"{}";
        let mut h = http::HeaderMap::new();
        h.insert(
            CALLBACK_SIGNATURE_HEADER,
            callback_signature("k", junk).parse().unwrap(),
        );
        assert!(verify_callback("k", &h, junk).is_err());
    }
}
