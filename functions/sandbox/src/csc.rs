//! The sandbox's signing provider: the Cloud Signature Consortium API v2 with
//! real cryptography (DESIGN §6), for local runs and tests.
//!
//! Not CSC (a real provider does it in its own onboarding):
//! - `POST /api/v1/sandbox/csc/credentials` (bearer `csc_client_secret`)
//!   `{"user_id", "name", "phone", "email"?}` enrolls a user: a P-256 key and
//!   a certificate (CN = name) issued by the development CA; 201 with the
//!   `credential_id`, or 200 with the existing one (idempotent per user).
//! - `GET /api/v1/sandbox/csc/ca.pem`: the development CA.
//! - `GET /api/v1/sandbox/csc/calls?credential=`: the record of `sendOTP`,
//!   `authorize` and `signHash` calls, for tests.
//! - `POST|GET /api/v1/sandbox/csc/callback-sink`: a receiver of
//!   asynchronous results that checks their HMAC with
//!   `ghiseu_platform::csc::verify_callback` (401 otherwise) and keeps them.
//!
//! CSC v2 under `/sandbox/csc/v2/` (bearer `csc_client_secret`, except `info`):
//! `info`, `credentials/list`, `credentials/info`, `credentials/sendOTP`,
//! `credentials/authorize`, `signatures/signHash`. Errors are CSC JSON
//! (`{"error", "error_description"}`).
//!
//! The rules: a 6-digit OTP from the CSPRNG, kept only as a salted hash,
//! delivered to the enrolled phone through the outbox, valid
//! `csc_otp_ttl_seconds` (300), single use, 5 wrong attempts and then refused
//! even when right (a new `sendOTP` starts over with a new code). An
//! authorization covers exactly `numSignatures` hashes, at most `multisign`;
//! its SAD is single use, valid 5 minutes, and signs only those hashes (a
//! request with any other hash is refused and signs nothing, leaving the SAD
//! usable). Every consumption (OTP attempts, OTP use, SAD use) is a
//! leased replace on the bytes read, so two racing requests cannot both
//! win.
//!
//! Asynchronous mode (`operationMode` `A`): the SAD is consumed at once, the
//! answer is 202 `{"responseID"}`, and the signing and the POST of
//! `{"responseID", "clientData", "signatures"}` to `response_uri` (HMAC
//! `X-Ghiseu-Signature` under `csc_callback_secret`) run after the response
//! has been sent (`web::after_response`): a WASI 0.2 handler may go on after
//! it has set its response, and the engine keeps the instance until the
//! handler returns or the request deadline passes.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use ghiseu_platform::csc::{self, wire};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, InsertOutcome, ReplaceOutcome, Step, Store};
use ghiseu_platform::notify::{Channel, Message};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use p256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};

use crate::csc_pki::{self as pki, Sealer};
use crate::gateway;

/// Wrong codes allowed per OTP.
const MAX_ATTEMPTS: u32 = 5;
/// Lifetime of a SAD.
const SAD_TTL_SECS: i64 = 300;
/// Entries kept in a credential's call record and in the sink.
const KEPT: usize = 500;
/// Largest request body.
const MAX_BODY: usize = 1024 * 1024;

/// Why a request is not served.
enum Failure {
    /// A CSC refusal: status, `error`, `error_description`.
    Refused(StatusCode, &'static str, String),
    /// The sandbox failed (logged, answered 500).
    Internal(String),
}

type Outcome<T> = Result<T, Failure>;

impl From<ghiseu_platform::Error> for Failure {
    fn from(e: ghiseu_platform::Error) -> Self {
        Failure::Internal(e.to_string())
    }
}

fn refused(status: StatusCode, code: &'static str, description: impl Into<String>) -> Failure {
    Failure::Refused(status, code, description.into())
}

fn bad_request(description: impl Into<String>) -> Failure {
    refused(StatusCode::BAD_REQUEST, "invalid_request", description)
}

impl Failure {
    fn into_response(self) -> Response {
        let (status, code, description) = match self {
            Failure::Refused(s, c, d) => (s, c, d),
            Failure::Internal(detail) => {
                eprintln!("sandbox csc: {detail}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "The sandbox signing service failed.".to_owned(),
                )
            }
        };
        let mut r = web::json(
            status,
            &wire::ErrorResponse {
                error: code.to_owned(),
                error_description: Some(description),
            },
        );
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

/// Whether `path` belongs to this module.
pub(crate) fn owns(path: &str) -> bool {
    path.starts_with("/sandbox/csc/") || path.starts_with("/api/v1/sandbox/csc/")
}

/// Serves every route of [`owns`].
pub(crate) async fn handle(store: &Store, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let result = match (method, path.as_str()) {
        (Method::GET, "/api/v1/sandbox/csc/ca.pem") => ca_pem(store).await,
        (Method::GET, "/api/v1/sandbox/csc/calls") => calls(store, &query).await,
        (Method::GET, "/api/v1/sandbox/csc/callback-sink") => sink_list(store).await,
        (Method::POST, "/api/v1/sandbox/csc/callback-sink") => sink_receive(request).await,
        (Method::POST, "/api/v1/sandbox/csc/credentials") => enroll(store, request).await,
        (Method::POST, "/sandbox/csc/v2/info") => Ok(info()),
        (Method::POST, p) if p.starts_with("/sandbox/csc/v2/") => {
            let method = p.trim_start_matches("/sandbox/csc/v2/").to_owned();
            csc_call(store, &method, request).await
        }
        (_, "/api/v1/sandbox/csc/ca.pem" | "/api/v1/sandbox/csc/calls") => {
            Ok(web::method_not_allowed("GET"))
        }
        (_, "/api/v1/sandbox/csc/callback-sink") => Ok(web::method_not_allowed("GET, POST")),
        (_, p) if p.starts_with("/sandbox/csc/v2/") || p == "/api/v1/sandbox/csc/credentials" => {
            Ok(web::method_not_allowed("POST"))
        }
        _ => Err(refused(
            StatusCode::NOT_FOUND,
            "invalid_request",
            "No such method of the sandbox signing service.",
        )),
    };
    result.unwrap_or_else(Failure::into_response)
}

async fn variable(name: &str) -> String {
    ghiseu_platform::config::variable_or_empty(name)
}

/// Service-level authentication: `Authorization: Bearer {csc_client_secret}`
/// (refused entirely while the secret is empty).
async fn authenticate(headers: &HeaderMap) -> Outcome<()> {
    let expected = variable("csc_client_secret").await;
    let given = web::header_str(headers, header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !expected.is_empty()
        && ghiseu_platform::session::constant_time_eq(expected.as_bytes(), given.trim().as_bytes())
    {
        return Ok(());
    }
    Err(refused(
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "A valid bearer token is required.",
    ))
}

async fn sealer() -> Outcome<Sealer> {
    Sealer::new(&variable("sandbox_key_secret").await)
        .ok_or_else(|| Failure::Internal("sandbox_key_secret is empty".to_owned()))
}

fn now_ms() -> i64 {
    ghiseu_platform::config::now().timestamp_millis()
}

fn to_json<T: Serialize>(key: &str, value: &T) -> Outcome<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Failure::Internal(format!("{key}: {e}")))
}

fn from_json<T: for<'de> Deserialize<'de>>(key: &str, bytes: &[u8]) -> Outcome<T> {
    serde_json::from_slice(bytes).map_err(|e| Failure::Internal(format!("{key}: {e}")))
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Outcome<T> {
    serde_json::from_slice(body).map_err(|e| bad_request(format!("Malformed request: {e}")))
}

async fn read(request: Request) -> Outcome<(http::request::Parts, Vec<u8>)> {
    web::read_request(request, MAX_BODY)
        .await
        .map_err(|e| bad_request(e.to_string()))
}

// ---------------------------------------------------------------------------
// The development CA.

/// A key of the sandbox's (sealed) and its certificate, stored under one key.
#[derive(Serialize, Deserialize)]
struct KeyRecord {
    /// Base64 DER.
    cert: String,
    /// Base64 sealed private key.
    key: String,
}

/// The key and certificate stored under `name`, made by `make` on first use; two
/// racing instances agree through leased insert. `created` runs once, for the
/// instance whose record won.
async fn key_record(
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
async fn ca(store: &Store, sealer: &Sealer) -> Outcome<(SigningKey, Vec<u8>)> {
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
            "Ghiseu Sandbox TSA",
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
async fn ca_pem(store: &Store) -> Outcome<Response> {
    let (_, cert) = ca(store, &sealer().await?).await?;
    // Repairs a trust list that missed the CA (e.g. a failure right after
    // the CA was created); a no-op when it is listed.
    ghiseu_platform::trust::add_root(store, &cert).await?;
    let pem = pki::pem(&cert).map_err(Failure::Internal)?;
    Ok(web::bytes(StatusCode::OK, "application/x-pem-file", pem))
}

// ---------------------------------------------------------------------------
// Enrollment.

#[derive(Serialize, Deserialize)]
struct CredentialRecord {
    id: String,
    user_id: String,
    name: String,
    phone: String,
    email: Option<String>,
    /// Base64 DER of the signer certificate.
    cert: String,
    /// Base64 DER of the CA certificate that issued it.
    ca: String,
    /// Base64 sealed private key.
    key: String,
    created_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct Enrollment {
    user_id: String,
    name: String,
    phone: String,
    #[serde(default)]
    email: Option<String>,
}

/// `POST /api/v1/sandbox/csc/credentials`.
async fn enroll(store: &Store, request: Request) -> Outcome<Response> {
    let (parts, body) = read(request).await?;
    authenticate(&parts.headers).await?;
    let e: Enrollment = parse(&body)?;
    let fits = |s: &str| !s.trim().is_empty() && s.len() <= 200 && !s.chars().any(char::is_control);
    if !fits(&e.user_id) || !fits(&e.name) || !fits(&e.phone) {
        return Err(bad_request(
            "user_id, name and phone are required (at most 200 characters each).",
        ));
    }
    let answer = |status, id: &str| web::json(status, &serde_json::json!({ "credential_id": id }));
    if let Some(id) = store.get(&keys::csc_user(&e.user_id)).await? {
        return Ok(answer(StatusCode::OK, &String::from_utf8_lossy(&id)));
    }
    let sealer = sealer().await?;
    let (ca_key, ca_cert) = ca(store, &sealer).await?;
    let id = format!(
        "cred-{}",
        pki::hex(&pki::random::<16>().map_err(Failure::Internal)?)
    );
    let key = pki::new_key().map_err(Failure::Internal)?;
    let cert =
        pki::issue(&ca_key, e.name.trim(), &key, pki::Usage::Signing).map_err(Failure::Internal)?;
    let record = CredentialRecord {
        id: id.clone(),
        user_id: e.user_id.clone(),
        name: e.name.trim().to_owned(),
        phone: e.phone.trim().to_owned(),
        email: e.email.filter(|m| !m.trim().is_empty()),
        cert: B64.encode(&cert),
        ca: B64.encode(&ca_cert),
        key: B64.encode(sealer.seal(&id, &key).map_err(Failure::Internal)?),
        created_at: ghiseu_platform::config::now(),
    };
    // The credential first, then the claim of the user: a loser of the race
    // leaves an unreachable record behind (deleted below), never a claim
    // without its credential.
    store
        .set(&keys::csc_credential(&id), &to_json(&id, &record)?)
        .await?;
    match kv::insert_new(STORE, &keys::csc_user(&e.user_id), id.as_bytes())? {
        InsertOutcome::Inserted => Ok(answer(StatusCode::CREATED, &id)),
        InsertOutcome::Exists(existing) => {
            store.delete(&keys::csc_credential(&id)).await?;
            Ok(answer(StatusCode::OK, &String::from_utf8_lossy(&existing)))
        }
    }
}

async fn credential(store: &Store, id: &str) -> Outcome<CredentialRecord> {
    match store.get(&keys::csc_credential(id)).await? {
        Some(b) => from_json(&keys::csc_credential(id), &b),
        None => Err(bad_request("Invalid parameter credentialID")),
    }
}

// ---------------------------------------------------------------------------
// CSC v2.

fn info() -> Response {
    web::json(
        StatusCode::OK,
        &wire::InfoResponse {
            specs: "2.0.0.2".to_owned(),
            name: "Ghiseu Sandbox CSC".to_owned(),
            logo: String::new(),
            region: "RO".to_owned(),
            lang: "ro".to_owned(),
            description:
                "A development signing service: its certificates are not trusted anywhere else."
                    .to_owned(),
            auth_type: vec!["external".to_owned()],
            methods: [
                "credentials/list",
                "credentials/info",
                "credentials/sendOTP",
                "credentials/authorize",
                "signatures/signHash",
            ]
            .map(str::to_owned)
            .to_vec(),
        },
    )
}

async fn csc_call(store: &Store, method: &str, request: Request) -> Outcome<Response> {
    let (parts, body) = read(request).await?;
    authenticate(&parts.headers).await?;
    match method {
        "credentials/list" => list(store, parse(&body)?).await,
        "credentials/info" => credential_info(store, parse(&body)?).await,
        "credentials/sendOTP" => send_otp(store, parse(&body)?).await,
        "credentials/authorize" => authorize(store, parse(&body)?).await,
        "signatures/signHash" => sign_hash(store, parse(&body)?).await,
        _ => Err(refused(
            StatusCode::NOT_FOUND,
            "invalid_request",
            format!("The method {method} is not implemented."),
        )),
    }
}

async fn list(store: &Store, r: wire::ListRequest) -> Outcome<Response> {
    let ids: Vec<String> = store
        .get(&keys::csc_user(&r.user_id))
        .await?
        .map(|id| String::from_utf8_lossy(&id).into_owned())
        .into_iter()
        .collect();
    Ok(web::json(
        StatusCode::OK,
        &wire::ListResponse {
            credential_ids: ids,
        },
    ))
}

async fn multisign() -> u32 {
    variable("csc_multisign")
        .await
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(500)
}

async fn credential_info(store: &Store, r: wire::InfoRequest) -> Outcome<Response> {
    let c = credential(store, &r.credential_id).await?;
    let cert = B64
        .decode(&c.cert)
        .map_err(|e| Failure::Internal(e.to_string()))?;
    let facts = pki::facts(&cert).map_err(Failure::Internal)?;
    let certificates = match r.certificates.as_deref().unwrap_or("single") {
        "none" => Vec::new(),
        "single" => vec![c.cert.clone()],
        "chain" => vec![c.cert.clone(), c.ca.clone()],
        _ => return Err(bad_request("Invalid parameter certificates")),
    };
    Ok(web::json(
        StatusCode::OK,
        &wire::CredentialInfoResponse {
            description: Some("Sandbox signing credential".to_owned()),
            key: wire::KeyInfo {
                status: "enabled".to_owned(),
                algo: vec![
                    csc::EC_PUBLIC_KEY_OID.to_owned(),
                    csc::ECDSA_SHA256_OID.to_owned(),
                ],
                len: 256,
                curve: Some(csc::P256_CURVE_OID.to_owned()),
            },
            cert: wire::CertInfo {
                status: "valid".to_owned(),
                certificates,
                issuer_dn: Some(pki::CA_DN.to_owned()),
                serial_number: Some(facts.serial_hex),
                subject_dn: Some(format!("CN={},C=RO", c.name)),
                valid_from: Some(facts.valid_from),
                valid_to: Some(facts.valid_to),
            },
            auth: Some(wire::AuthInfo {
                mode: "explicit".to_owned(),
                expression: Some("OTP".to_owned()),
                objects: vec![wire::AuthObject {
                    kind: "OTP".to_owned(),
                    id: "OTP".to_owned(),
                    format: "N".to_owned(),
                    label: "Codul de semnare".to_owned(),
                    description: "Codul de 6 cifre primit prin SMS".to_owned(),
                }],
            }),
            auth_mode: Some("explicit".to_owned()),
            scal: Some("2".to_owned()),
            multisign: multisign().await,
            lang: Some("ro".to_owned()),
        },
    ))
}

/// A code as the store keeps it: only its salted hash.
#[derive(Clone, Serialize, Deserialize)]
struct OtpRecord {
    salt: String,
    hash: String,
    expires_at_ms: i64,
    attempts: u32,
    used: bool,
}

async fn otp_ttl_ms() -> i64 {
    let secs = variable("csc_otp_ttl_seconds")
        .await
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && *s <= 3600.0)
        .unwrap_or(300.0);
    // Whole milliseconds of a bounded positive number: the cast is exact.
    (secs * 1000.0).round() as i64
}

fn otp_hash(salt: &str, code: &str) -> String {
    pki::sha256_hex(&[salt.as_bytes(), b"\0", code.as_bytes()])
}

async fn send_otp(store: &Store, r: wire::SendOtpRequest) -> Outcome<Response> {
    let c = credential(store, &r.credential_id).await?;
    // Uniform over 0..=999_999: draw again above the largest multiple.
    let code = loop {
        let n = u32::from_le_bytes(pki::random::<4>().map_err(Failure::Internal)?);
        if n < 4_294_000_000 {
            break format!("{:06}", n % 1_000_000);
        }
    };
    let salt = pki::hex(&pki::random::<16>().map_err(Failure::Internal)?);
    let record = OtpRecord {
        hash: otp_hash(&salt, &code),
        salt,
        expires_at_ms: now_ms() + otp_ttl_ms().await,
        attempts: 0,
        used: false,
    };
    // A new code replaces the previous one (and its attempts): a plain write,
    // since nothing of the old record is kept.
    let key = keys::csc_otp(&c.id);
    store.set(&key, &to_json(&key, &record)?).await?;
    let message = Message {
        id: format!(
            "csc-otp-{}",
            pki::hex(&pki::random::<12>().map_err(Failure::Internal)?)
        ),
        channel: Channel::Sms,
        to: c.phone.clone(),
        lang: "ro".to_owned(),
        subject: String::new(),
        text: format!("Codul de semnare: {code}"),
    };
    gateway::append_outbox(store, message).await?;
    record_call(&c.id, "credentials/sendOTP", 0, &[], "ok")?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

fn decode_hashes(hashes: &[String]) -> Outcome<Vec<[u8; 32]>> {
    hashes
        .iter()
        .map(|h| {
            B64.decode(h.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| {
                    bad_request("Invalid parameter hashes: each must be a base64 SHA-256 digest")
                })
        })
        .collect()
}

fn check_hash_algorithm(oid: &str) -> Outcome<()> {
    if oid.is_empty() || oid == csc::SHA256_OID {
        Ok(())
    } else {
        Err(bad_request(
            "Invalid parameter hashAlgorithmOID: only SHA-256",
        ))
    }
}

/// The SAD as the store keeps it (under the SHA-256 of the SAD).
#[derive(Serialize, Deserialize)]
struct SadRecord {
    credential_id: String,
    /// Base64 of the authorized hashes.
    hashes: Vec<String>,
    expires_at_ms: i64,
    used: bool,
}

async fn authorize(store: &Store, r: wire::AuthorizeRequest) -> Outcome<Response> {
    let c = credential(store, &r.credential_id).await?;
    let outcome = authorize_checked(store, &c, &r).await;
    let label = match &outcome {
        Ok(_) => "ok",
        Err(Failure::Refused(_, code, _)) => code,
        Err(Failure::Internal(_)) => "server_error",
    };
    record_call(
        &c.id,
        "credentials/authorize",
        r.num_signatures,
        &r.hashes,
        label,
    )?;
    outcome
}

async fn authorize_checked(
    store: &Store,
    c: &CredentialRecord,
    r: &wire::AuthorizeRequest,
) -> Outcome<Response> {
    check_hash_algorithm(&r.hash_algorithm_oid)?;
    let hashes = decode_hashes(&r.hashes)?;
    if hashes.is_empty() {
        return Err(bad_request("Missing parameter hashes (SCAL2)"));
    }
    if usize::try_from(r.num_signatures).ok() != Some(hashes.len()) {
        return Err(bad_request(
            "numSignatures does not match the number of hashes",
        ));
    }
    let limit = multisign().await;
    if r.num_signatures > limit {
        return Err(bad_request(format!(
            "Invalid parameter numSignatures: at most {limit} per authorization (multisign)"
        )));
    }
    let Some(code) = r.otp().map(str::trim).filter(|c| !c.is_empty()) else {
        return Err(bad_request("Missing parameter OTP (authData)"));
    };
    check_otp(&keys::csc_otp(&c.id), code)?;
    let sad = URL_SAFE_NO_PAD.encode(pki::random::<32>().map_err(Failure::Internal)?);
    let record = SadRecord {
        credential_id: c.id.clone(),
        hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
        expires_at_ms: now_ms() + SAD_TTL_SECS * 1000,
        used: false,
    };
    let key = keys::csc_sad(&sad);
    store.set(&key, &to_json(&key, &record)?).await?;
    Ok(web::json(
        StatusCode::OK,
        &wire::AuthorizeResponse {
            sad,
            expires_in: Some(u32::try_from(SAD_TTL_SECS).unwrap_or(300)),
        },
    ))
}

/// Spends the OTP at `key` if `code` is right; counts a wrong attempt
/// otherwise. One leased replace on the bytes read decides, so of two
/// requests with the right code only one wins.
fn check_otp(key: &str, code: &str) -> Outcome<()> {
    let now = now_ms();
    kv::update(STORE, key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(Err(refused(
                StatusCode::BAD_REQUEST,
                "invalid_otp",
                "No code was sent for this credential: ask for one (sendOTP).",
            ))));
        };
        let mut otp: OtpRecord = match serde_json::from_slice(bytes) {
            Ok(o) => o,
            Err(e) => return Ok(Step::Done(Err(Failure::Internal(format!("{key}: {e}"))))),
        };
        if otp.used {
            return Ok(Step::Done(Err(refused(
                StatusCode::BAD_REQUEST,
                "invalid_otp",
                "This code was already used: ask for a new one.",
            ))));
        }
        if otp.attempts >= MAX_ATTEMPTS {
            return Ok(Step::Done(Err(refused(
                StatusCode::BAD_REQUEST,
                "otp_locked",
                "Too many wrong codes: ask for a new one.",
            ))));
        }
        if now > otp.expires_at_ms {
            return Ok(Step::Done(Err(refused(
                StatusCode::BAD_REQUEST,
                "expired_otp",
                "The code has expired: ask for a new one.",
            ))));
        }
        let right = ghiseu_platform::session::constant_time_eq(
            otp_hash(&otp.salt, code).as_bytes(),
            otp.hash.as_bytes(),
        );
        let verdict = if right {
            otp.used = true;
            Ok(())
        } else {
            otp.attempts += 1;
            Err(refused(
                StatusCode::BAD_REQUEST,
                "invalid_otp",
                format!(
                    "The code is not right ({} attempts left).",
                    MAX_ATTEMPTS - otp.attempts
                ),
            ))
        };
        let new = serde_json::to_vec(&otp).map_err(|e| ghiseu_platform::Error::Corrupt {
            key: key.to_owned(),
            detail: e.to_string(),
        })?;
        Ok(Step::Write(new, verdict))
    })?
}

async fn sign_hash(store: &Store, r: wire::SignHashRequest) -> Outcome<Response> {
    let c = credential(store, &r.credential_id).await?;
    let outcome = sign_hash_checked(&c, &r).await;
    let label = match &outcome {
        Ok(_) => "ok",
        Err(Failure::Refused(_, code, _)) => code,
        Err(Failure::Internal(_)) => "server_error",
    };
    let n = u32::try_from(r.hashes.len()).unwrap_or(u32::MAX);
    record_call(&c.id, "signatures/signHash", n, &r.hashes, label)?;
    outcome
}

async fn sign_hash_checked(c: &CredentialRecord, r: &wire::SignHashRequest) -> Outcome<Response> {
    check_hash_algorithm(&r.hash_algorithm_oid)?;
    if !(r.sign_algo.is_empty() || r.sign_algo == csc::ECDSA_SHA256_OID) {
        return Err(bad_request(
            "Invalid parameter signAlgo: this credential signs with ecdsa-with-SHA256",
        ));
    }
    let hashes = decode_hashes(&r.hashes)?;
    if hashes.is_empty() {
        return Err(bad_request("Missing parameter hashes"));
    }
    let asynchronous = match r.operation_mode.as_deref() {
        None | Some("S") => None,
        Some("A") => Some(callback_target(r)?),
        Some(_) => return Err(bad_request("Invalid parameter operationMode")),
    };
    let callback_secret = variable("csc_callback_secret").await;
    if asynchronous.is_some() && callback_secret.is_empty() {
        return Err(bad_request(
            "Asynchronous mode needs csc_callback_secret, which is not configured",
        ));
    }
    consume_sad(&keys::csc_sad(&r.sad), &c.id, &r.hashes)?;
    let key = B64
        .decode(&c.key)
        .map_err(|e| Failure::Internal(e.to_string()))?;
    let key = sealer()
        .await?
        .open(&c.id, &key)
        .map_err(Failure::Internal)?;
    let Some((response_uri, client_data)) = asynchronous else {
        let signatures = sign_all(&key, &hashes).map_err(Failure::Internal)?;
        return Ok(web::json(
            StatusCode::OK,
            &wire::SignHashResponse {
                signatures: Some(signatures),
                response_id: None,
            },
        ));
    };
    let response_id = format!(
        "resp-{}",
        pki::hex(&pki::random::<16>().map_err(Failure::Internal)?)
    );
    let id = response_id.clone();
    web::after_response(async move {
        deliver(key, hashes, id, client_data, response_uri, callback_secret).await;
    });
    Ok(web::json(
        StatusCode::ACCEPTED,
        &wire::SignHashResponse {
            signatures: None,
            response_id: Some(response_id),
        },
    ))
}

/// `response_uri` (absolute http(s)) and `clientData` of an asynchronous call.
fn callback_target(r: &wire::SignHashRequest) -> Outcome<(String, String)> {
    let uri = r.response_uri.as_deref().unwrap_or_default();
    match url::Url::parse(uri) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            Ok((uri.to_owned(), r.client_data.clone().unwrap_or_default()))
        }
        _ => Err(bad_request(
            "Invalid parameter response_uri: an absolute http(s) URL is required",
        )),
    }
}

fn sign_all(key: &SigningKey, hashes: &[[u8; 32]]) -> Result<Vec<String>, String> {
    hashes
        .iter()
        .map(|h| pki::sign(key, h).map(|s| B64.encode(s)))
        .collect()
}

/// Marks the SAD used if it is valid for `credential_id` and every one of
/// `hashes` was authorized; a refusal consumes nothing.
fn consume_sad(key: &str, credential_id: &str, hashes: &[String]) -> Outcome<()> {
    let invalid = |d: &str| refused(StatusCode::BAD_REQUEST, "invalid_sad", d);
    let Some(bytes) = kv::get_many(STORE, &[key.to_owned()])?
        .pop()
        .and_then(|(_, v)| v)
    else {
        return Err(invalid("Invalid SAD"));
    };
    let mut sad: SadRecord = from_json(key, &bytes)?;
    if sad.credential_id != credential_id {
        return Err(invalid("The SAD was issued for another credential"));
    }
    if sad.used {
        return Err(invalid("The SAD was already used"));
    }
    if now_ms() > sad.expires_at_ms {
        return Err(invalid("The SAD has expired"));
    }
    let authorized = |h: &String| {
        let h = h.trim();
        sad.hashes.iter().any(|a| a == h)
    };
    if !hashes.iter().all(authorized) {
        return Err(bad_request(
            "A hash was not authorized by this SAD; nothing was signed",
        ));
    }
    sad.used = true;
    match kv::replace(STORE, key, Some(&bytes), &to_json(key, &sad)?)? {
        ReplaceOutcome::Replaced => Ok(()),
        ReplaceOutcome::Conflict { .. } => Err(invalid("The SAD was already used")),
    }
}

/// The background half of an asynchronous `signHash`: signs and POSTs the
/// result to `response_uri`. What happened is logged and kept in the sink
/// record of the call (`sandbox/csc/async/{responseID}`).
async fn deliver(
    key: SigningKey,
    hashes: Vec<[u8; 32]>,
    response_id: String,
    client_data: String,
    response_uri: String,
    secret: String,
) {
    let body = match sign_all(&key, &hashes) {
        Ok(signatures) => wire::CallbackBody {
            response_id: response_id.clone(),
            client_data: Some(client_data),
            signatures,
            error: None,
            error_description: None,
        },
        Err(e) => wire::CallbackBody {
            response_id: response_id.clone(),
            client_data: Some(client_data),
            signatures: Vec::new(),
            error: Some("server_error".to_owned()),
            error_description: Some(e),
        },
    };
    let outcome = post_callback(&response_uri, &secret, &body).await;
    let status = match &outcome {
        Ok(s) => format!("delivered: {s}"),
        Err(e) => format!("failed: {e}"),
    };
    if outcome.is_err() {
        eprintln!("sandbox csc: callback {response_id} to {response_uri} {status}");
    }
    if let Ok(store) = Store::open(STORE).await {
        let record = serde_json::json!({
            "response_uri": response_uri,
            "status": status,
            "at": ghiseu_platform::config::now(),
        });
        let _ = store
            .set(
                &keys::csc_async(&response_id),
                record.to_string().as_bytes(),
            )
            .await;
    }
}

async fn post_callback(
    uri: &str,
    secret: &str,
    body: &wire::CallbackBody,
) -> Result<StatusCode, String> {
    let body = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    let request = http::Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            csc::CALLBACK_SIGNATURE_HEADER,
            csc::callback_signature(secret, &body),
        )
        .body(bytes::Bytes::from(body))
        .map_err(|e| e.to_string())?;
    let timeouts = web::Timeouts::new(
        std::time::Duration::from_secs(5),
        std::time::Duration::from_secs(30),
    );
    match ghiseu_platform::wasi_http::send(request, timeouts).await {
        Ok(r) if r.status().is_success() => Ok(r.status()),
        Ok(r) => Err(format!("answered {}", r.status())),
        Err(e) => Err(e.to_string()),
    }
}

// ---------------------------------------------------------------------------
// The record of calls, and the callback sink.

#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct Call {
    method: String,
    credential_id: String,
    num_signatures: u32,
    hashes: Vec<String>,
    result: String,
    at: DateTime<Utc>,
}

fn record_call(
    credential_id: &str,
    method: &str,
    num_signatures: u32,
    hashes: &[String],
    result: &str,
) -> Outcome<()> {
    let call = Call {
        method: method.to_owned(),
        credential_id: credential_id.to_owned(),
        num_signatures,
        hashes: hashes.to_vec(),
        result: result.to_owned(),
        at: ghiseu_platform::config::now(),
    };
    append_kept(&keys::csc_calls(credential_id), call)?;
    Ok(())
}

/// Appends `entry` to the JSON list at `key`, keeping the newest [`KEPT`].
fn append_kept<T>(key: &str, entry: T) -> ghiseu_platform::Result<()>
where
    T: Serialize + for<'de> Deserialize<'de> + Clone,
{
    kv::update_json(STORE, key, |list: &mut Vec<T>| {
        list.push(entry.clone());
        let excess = list.len().saturating_sub(KEPT);
        list.drain(..excess);
        true
    })
}

/// `GET /api/v1/sandbox/csc/calls?credential=`.
async fn calls(store: &Store, query: &str) -> Outcome<Response> {
    let Some(id) = web::query_param(query, "credential") else {
        return Err(bad_request("Give ?credential=ID"));
    };
    let list: Vec<Call> = match store.get(&keys::csc_calls(&id)).await? {
        Some(b) => from_json(&keys::csc_calls(&id), &b)?,
        None => Vec::new(),
    };
    Ok(web::json(
        StatusCode::OK,
        &serde_json::json!({ "calls": list }),
    ))
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct Received {
    response_id: String,
    client_data: String,
    /// Base64.
    signatures: Vec<String>,
    error: Option<String>,
    received_at: DateTime<Utc>,
}

/// `POST /api/v1/sandbox/csc/callback-sink`: what a caller's callback route
/// does, checked with the platform's own `verify_callback`.
async fn sink_receive(request: Request) -> Outcome<Response> {
    let (parts, body) = read(request).await?;
    let secret = variable("csc_callback_secret").await;
    let callback = match csc::verify_callback(&secret, &parts.headers, &body) {
        Ok(c) => c,
        Err(e) => {
            return Ok(web::problem(StatusCode::UNAUTHORIZED, e.to_string()));
        }
    };
    let received = Received {
        response_id: callback.response_id,
        client_data: callback.client_data,
        signatures: callback.signatures.iter().map(|s| B64.encode(s)).collect(),
        error: callback.error,
        received_at: ghiseu_platform::config::now(),
    };
    append_kept(keys::CSC_CALLBACK_SINK, received)?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

/// `GET /api/v1/sandbox/csc/callback-sink`.
async fn sink_list(store: &Store) -> Outcome<Response> {
    let list: Vec<Received> = match store.get(keys::CSC_CALLBACK_SINK).await? {
        Some(b) => from_json(keys::CSC_CALLBACK_SINK, &b)?,
        None => Vec::new(),
    };
    Ok(web::json(
        StatusCode::OK,
        &serde_json::json!({ "received": list }),
    ))
}
