//! `signatures/signHash`, synchronous or asynchronous (the result POSTed to
//! `response_uri` after the response).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ghiseu_platform::csc::{self, wire};
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, ReplaceOutcome, Store};
use http::{Method, StatusCode, header};
use p256::ecdsa::SigningKey;

use crate::csc_pki::{self as pki};

use super::aids::record_call;
use super::authorize::{SadRecord, check_hash_algorithm, decode_hashes};
use super::credentials::{CredentialRecord, credential};
use super::{Failure, Outcome, bad_request, from_json, now_ms, refused, sealer, to_json, variable};

pub(super) async fn sign_hash(store: &Store, r: wire::SignHashRequest) -> Outcome<Response> {
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

pub(super) async fn sign_hash_checked(
    c: &CredentialRecord,
    r: &wire::SignHashRequest,
) -> Outcome<Response> {
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
pub(super) fn callback_target(r: &wire::SignHashRequest) -> Outcome<(String, String)> {
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

pub(super) fn sign_all(key: &SigningKey, hashes: &[[u8; 32]]) -> Result<Vec<String>, String> {
    hashes
        .iter()
        .map(|h| pki::sign(key, h).map(|s| B64.encode(s)))
        .collect()
}

/// Marks the SAD used if it is valid for `credential_id` and every one of
/// `hashes` was authorized; a refusal consumes nothing.
pub(super) fn consume_sad(key: &str, credential_id: &str, hashes: &[String]) -> Outcome<()> {
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
pub(super) async fn deliver(
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

pub(super) async fn post_callback(
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
