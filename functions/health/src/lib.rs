//! `GET /healthz`: 200 when this component can reach both of the platform's
//! stores (a key-value round trip on `default`, an S3 `HeadBucket`), 503 with
//! the failing part's error otherwise. Meant for load balancers, Kubernetes
//! probes and the operator; it reveals no data, only reachability.

use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::kv::Store;
use ghiseu_platform::s3::S3Client;
use http::{HeaderValue, Method, StatusCode, header};
use serde::Serialize;
use ghiseu_platform::http::Request;

/// The key the round trip writes; one key, overwritten, so probes add nothing.
const HEALTH_KEY: &str = "ghiseu:health";

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
    let (key_value, object_store) = futures::join!(check_key_value(), check_object_store());
    render(key_value, object_store)
}

/// Sets the health key to a fresh value and reads it back.
async fn check_key_value() -> Result<(), String> {
    let store = Store::open("default").await.map_err(|e| e.to_string())?;
    // A value that changes on every probe, so a stale read is caught.
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
        .to_string();
    store
        .set(HEALTH_KEY, nonce.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    match store.get(HEALTH_KEY).await.map_err(|e| e.to_string())? {
        Some(value) if value == nonce.as_bytes() => Ok(()),
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
