//! The sandbox timestamp authority (RFC 3161 over HTTP, section 3.4):
//! `POST /sandbox/tsa` with a DER `TimeStampReq` (`application/timestamp-query`)
//! answers a DER `TimeStampResp` (`application/timestamp-reply`) whose token is
//! signed by a key certified by the development CA for timeStamping. genTime is the
//! clock of this request, serial numbers come from a counter in the store, the
//! nonce is echoed and `certReq` is honoured. A request this TSA does not grant is
//! answered with status rejection (HTTP 200, as RFC 3161 wants); a body that is not
//! DER at all is a 400.

use ghiseu_pades::{SignatureAlgorithm, TimestampRefusal, TimestampRequest, timestamp_rejection};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, Store};
use http::{Method, StatusCode, header};

use crate::csc::signers::tsa_signer;
use crate::csc_pki as pki;

pub(crate) const PATH: &str = "/sandbox/tsa";
/// The sandbox TSA's policy (a private arc: no real policy is claimed).
const POLICY: &str = "1.3.6.1.4.1.99999.3161.1";
const QUERY: &str = "application/timestamp-query";
const REPLY: &str = "application/timestamp-reply";
/// A TimeStampReq is a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;

/// Serves [`PATH`].
pub(crate) async fn handle(store: &Store, request: Request) -> Response {
    if request.method() != Method::POST {
        return web::method_not_allowed("POST");
    }
    let (parts, body) = match web::read_request(request, MAX_BODY).await {
        Ok(read) => read,
        Err(e) => return web::problem(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let content_type = web::header_str(&parts.headers, header::CONTENT_TYPE.as_str());
    if content_type.map(str::trim) != Some(QUERY) {
        return web::problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("A timestamp request is sent as {QUERY}."),
        );
    }
    let result = match TimestampRequest::parse(&body) {
        Err(TimestampRefusal::NotDer) => {
            return web::problem(
                StatusCode::BAD_REQUEST,
                "The body is not a DER TimeStampReq.",
            );
        }
        Err(why) => timestamp_rejection(
            &why,
            "Only SHA-256 imprints, with no policy or extensions, are timestamped.",
        )
        .map_err(|e| e.to_string()),
        Ok(request) => grant(store, &request).await,
    };
    match result {
        Ok(reply) => web::bytes(StatusCode::OK, REPLY, reply),
        Err(e) => {
            eprintln!("sandbox tsa: {e}");
            web::problem(StatusCode::INTERNAL_SERVER_ERROR, "The sandbox TSA failed.")
        }
    }
}

/// The granted `TimeStampResp` for `request`.
async fn grant(store: &Store, request: &TimestampRequest) -> Result<Vec<u8>, String> {
    let (key, cert, ca_cert) = tsa_signer(store).await?;
    let serial = next_serial()?;
    let to_sign = request
        .token_to_sign(serial, ghiseu_platform::config::now(), POLICY, &cert)
        .map_err(|e| e.to_string())?;
    let signature = pki::sign(&key, &to_sign.hash_to_sign())?;
    to_sign
        .granted(&signature, SignatureAlgorithm::EcdsaP256Sha256, &[&ca_cert])
        .map_err(|e| e.to_string())
}

/// The next serial number: 1, 2, ... (the counter's increment decides).
fn next_serial() -> Result<u64, String> {
    kv::increment(STORE, keys::TSA_SERIAL, 1)
        .map(|n| u64::try_from(n).unwrap_or(0))
        .map_err(|e| e.to_string())
}
