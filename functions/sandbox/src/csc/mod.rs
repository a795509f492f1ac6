//! The sandbox's signing provider: the Cloud Signature Consortium API v2 with
//! real cryptography (DESIGN §6), for local runs and tests.
//!
//! Not CSC (a real provider does it in its own onboarding):
//! - remote identification before enrollment, the provider side of
//!   `ghiseu_platform::identity`: `/api/v1/sandbox/csc/identifications` and
//!   the hosted page `/sandbox/identity/{id}`, see `identity.rs`;
//! - `POST /api/v1/sandbox/csc/credentials` (bearer `csc_client_secret`)
//!   enrolls a user: a P-256 key and a certificate issued by the development
//!   CA; 201 with the `credential_id`, or 200 with the existing one
//!   (idempotent per user). With `{"user_id", "identification_id", "phone",
//!   "email"?}` (a citizen, through the portal) the certificate names the
//!   identity that identification verified: CN, givenName, surname and
//!   `serialNumber` `PNORO-{CNP}` (ETSI EN 319 412-1 semantics); an
//!   identification that is not verified, or another user's, is refused
//!   (409). With `{"user_id", "name", "phone", "email"?}` (an institution's
//!   signer, identified in person by the institution acting as registration
//!   authority: the demo and the tests) the certificate's CN is the name.
//!   With `{"user_id", "name", "seal": true}` (an institution's electronic
//!   seal, `user_id` `seal:{tenant}`) the certificate names the institution
//!   (CN and O); a seal has no phone and no code: `credentials/info` says
//!   `authMode` `implicit`, SCAL1, `credentials/authorize` needs no OTP
//!   (the bearer token is the institution's system) and still binds the
//!   SAD to the hashes it names, and `sendOTP` is refused.
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

mod aids;
mod authorize;
mod credentials;
mod identity;
mod identity_page;
mod sign;
pub(crate) mod signers;

use ghiseu_platform::csc::wire;
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::kv::Store;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde::{Deserialize, Serialize};

use crate::csc_pki::Sealer;
use aids::{calls, sink_list, sink_receive};
use authorize::{authorize, send_otp};
use credentials::{credential_info, enroll, list};
use sign::sign_hash;
use signers::ca_pem;

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
    path.starts_with("/sandbox/csc/")
        || path.starts_with("/api/v1/sandbox/csc/")
        || identity::serves(path)
}

/// Serves every route of [`owns`].
pub(crate) async fn handle(store: &Store, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    if identity::serves(&path) {
        return identity::handle(store, request)
            .await
            .unwrap_or_else(Failure::into_response);
    }
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
