//! `GET /healthz` and `GET /readyz`, for load balancers, Kubernetes probes
//! and the operator; they reveal no data, only reachability.
//!
//! - `/healthz` (liveness): 200 when this component can read the key-value
//!   store and reach the object store (an S3 `HeadBucket`), 503 with the
//!   failing part's error otherwise. It writes nothing.
//! - `/readyz` (readiness): the same, but the key-value check is a round trip
//!   (write, read back, delete) on a key of its own request, so a store that
//!   takes no writes is caught too.
//!
//! Neither touches a key that another probe touches: probes in parallel
//! never see each other's values (a shared key made about half of 200
//! concurrent probes fail).

use ghiseu_platform::http::{self as web, Request, Response};
use ghiseu_platform::kv::Store;
use ghiseu_platform::s3::S3Client;
use http::{HeaderValue, Method, StatusCode, header};
use serde::Serialize;

/// The key the liveness check reads: never written, so the read only proves
/// the store answers.
const LIVENESS_KEY: &str = "health/never-written";

/// The public shape of the answer (200 and 503 alike).
#[derive(Serialize)]
struct Health {
    status: &'static str,
    key_value: String,
    object_store: String,
}

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return web::method_not_allowed("GET, HEAD");
    }
    let key_value = match request.uri().path() {
        "/readyz" => check_key_value_round_trip().await,
        _ => check_key_value_read().await,
    };
    render(key_value, check_object_store().await)
}

async fn check_key_value_read() -> Result<(), String> {
    let store = Store::open("default").await.map_err(|e| e.to_string())?;
    store
        .get(LIVENESS_KEY)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Writes a random value under a key of this request only, reads it back
/// and deletes it.
async fn check_key_value_round_trip() -> Result<(), String> {
    let store = Store::open("default").await.map_err(|e| e.to_string())?;
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| format!("no randomness: {e}"))?;
    let nonce = ghiseu_platform::session::hex(&nonce);
    let key = format!("health/ready/{nonce}");
    store
        .set(&key, nonce.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let read = store.get(&key).await.map_err(|e| e.to_string());
    // Deleted whatever the read said, so failed probes leave nothing behind.
    let deleted = store.delete(&key).await.map_err(|e| e.to_string());
    match read? {
        Some(value) if value == nonce.as_bytes() => deleted,
        Some(_) => Err("read back a different value than written".to_owned()),
        None => Err("read back nothing after a write".to_owned()),
    }
}

async fn check_object_store() -> Result<(), String> {
    let client = S3Client::from_variables()
        .await
        .map_err(|e| e.to_string())?;
    client.head_bucket().await.map_err(|e| e.to_string())
}

fn render(key_value: Result<(), String>, object_store: Result<(), String>) -> Response {
    let healthy = key_value.is_ok() && object_store.is_ok();
    let part = |r: Result<(), String>| r.err().unwrap_or_else(|| "ok".to_owned());
    let body = Health {
        status: if healthy { "ok" } else { "unavailable" },
        key_value: part(key_value),
        object_store: part(object_store),
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut response = web::json(status, &body);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
