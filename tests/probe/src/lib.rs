//! A test-only component for the host's integration tests: each operation
//! exercises one interface the host implements (key-value, atomics, outbound
//! HTTP, variables, S3 through outbound HTTP) or one failure the host must
//! contain (trap, out of memory, runaway CPU); `empty` does nothing at all, for
//! the benchmark's floor (what the host costs per request before any work). It
//! is never in the production `spin.toml`.
//!
//! Operations dispatch on the first segment of `spin-path-info`, so the probe
//! works under any route prefix (`/probe/...`). Anything unrecognised answers
//! what the host told the component about routing.

use std::hint::black_box;

use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Problem, Response};
use ghiseu_platform::kv::{self, InsertOutcome, ReplaceOutcome, Store};
use ghiseu_platform::s3::S3Client;
use http::{HeaderMap, Method, StatusCode, header};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The only store the probe uses.
const STORE: &str = "default";

/// Large enough for the 5 MB uploads the tests push through.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

const OCTETS: &str = "application/octet-stream";

const TEXT: &str = "text/plain; charset=utf-8";

/// What `GET empty` answers (the benchmark's native baseline answers the same).
const EMPTY_BODY: &[u8] = b"ok\n";

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    let path_info = header_str(request.headers(), "spin-path-info")
        .unwrap_or_default()
        .to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let trimmed = path_info.trim_start_matches('/');
    let (op, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let key = percent_decode(rest);
    let method = request.method().clone();

    let result = match (op, &method) {
        ("kv", m) if !key.is_empty() => match *m {
            Method::GET => kv_get(&key).await,
            Method::PUT => kv_put(&key, request).await,
            Method::DELETE => kv_delete(&key).await,
            _ => Ok(not_allowed("GET, PUT, DELETE")),
        },
        ("exists", &Method::GET) if !key.is_empty() => kv_exists(&key).await,
        ("keys", &Method::GET) => kv_keys().await,
        ("batch", &Method::GET) => batch_get(&query),
        ("batch", &Method::PUT) => batch_put(request).await,
        ("batch", &Method::DELETE) => batch_delete(&query),
        ("cas-create", &Method::POST) if !key.is_empty() => cas_create(&key, request).await,
        ("cas", &Method::POST) if !key.is_empty() => cas(&key, &query, request).await,
        ("incr", &Method::POST) if !key.is_empty() => incr(&key, &query),
        ("s3", m) if key.is_empty() => match *m {
            Method::GET => s3_list(&query).await,
            _ => Ok(not_allowed("GET")),
        },
        ("s3", m) => match *m {
            Method::GET => s3_get(&key).await,
            Method::PUT => s3_put(&key, request).await,
            Method::DELETE => s3_delete(&key).await,
            _ => Ok(not_allowed("GET, PUT, DELETE")),
        },
        ("outbound", &Method::GET) => Ok(outbound(&query).await),
        ("var", &Method::GET) if !key.is_empty() => Ok(var(&key).await),
        ("trap", &Method::GET) => trap(),
        ("oom", &Method::GET) => oom(),
        ("spin", &Method::GET) => spin(),
        ("echo", &Method::POST) => echo(request).await,
        // The least a request can cost: the benchmark's floor.
        ("empty", &Method::GET) => Ok(web::bytes(StatusCode::OK, TEXT, EMPTY_BODY)),
        _ => Ok(info(request.headers()).await),
    };
    result.unwrap_or_else(|e| {
        eprintln!("probe: {method} {path_info}: {e}");
        // Test-only component: the detail helps a failing test explain itself.
        Problem::from_error(&e)
            .with_detail(e.to_string())
            .into_response()
    })
}

type Result<T> = ghiseu_platform::Result<T>;

async fn kv_get(key: &str) -> Result<Response> {
    let store = Store::open(STORE).await?;
    Ok(match store.get(key).await? {
        Some(value) => web::bytes(StatusCode::OK, OCTETS, value),
        None => web::problem(StatusCode::NOT_FOUND, format!("no key `{key}`")),
    })
}

async fn kv_put(key: &str, request: Request) -> Result<Response> {
    let (_, body) = web::read_request(request, BODY_LIMIT).await?;
    Store::open(STORE).await?.set(key, &body).await?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

async fn kv_delete(key: &str) -> Result<Response> {
    Store::open(STORE).await?.delete(key).await?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

async fn kv_exists(key: &str) -> Result<Response> {
    let exists = Store::open(STORE).await?.exists(key).await?;
    Ok(web::json(StatusCode::OK, &json!({ "exists": exists })))
}

async fn kv_keys() -> Result<Response> {
    let mut keys = Store::open(STORE).await?.get_keys().await?;
    keys.sort();
    Ok(web::json(StatusCode::OK, &keys))
}

/// `?keys=a,b` of the batch operations.
fn batch_keys(query: &str) -> Vec<String> {
    query_param(query, "keys")
        .unwrap_or_default()
        .split(',')
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `GET /batch?keys=a,b`: `{"a": "value" | null, ...}` through wasi:keyvalue/batch.
fn batch_get(query: &str) -> Result<Response> {
    let values = kv::get_many(STORE, &batch_keys(query))?;
    let object: serde_json::Map<String, serde_json::Value> = values
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                v.map_or(serde_json::Value::Null, |v| {
                    String::from_utf8_lossy(&v).into()
                }),
            )
        })
        .collect();
    Ok(web::json(StatusCode::OK, &object))
}

/// `PUT /batch` with a JSON object of strings: sets every pair in one call.
async fn batch_put(request: Request) -> Result<Response> {
    let (_, body) = web::read_request(request, BODY_LIMIT).await?;
    let Ok(pairs) = serde_json::from_slice::<std::collections::BTreeMap<String, String>>(&body)
    else {
        return Ok(web::problem(
            StatusCode::BAD_REQUEST,
            "expected a JSON object of strings",
        ));
    };
    let pairs: Vec<(String, Vec<u8>)> = pairs
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect();
    kv::set_many(STORE, &pairs)?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

/// `DELETE /batch?keys=a,b`.
fn batch_delete(query: &str) -> Result<Response> {
    kv::delete_many(STORE, &batch_keys(query))?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

async fn cas_create(key: &str, request: Request) -> Result<Response> {
    let (_, value) = web::read_request(request, BODY_LIMIT).await?;
    Ok(match kv::insert_new(STORE, key, &value)? {
        InsertOutcome::Inserted => web::json(StatusCode::OK, &json!({ "won": true })),
        InsertOutcome::Exists(current) => web::json(
            StatusCode::CONFLICT,
            &json!({ "won": false, "current": String::from_utf8_lossy(&current) }),
        ),
    })
}

async fn cas(key: &str, query: &str, request: Request) -> Result<Response> {
    let expected = query_param(query, "expected");
    let (_, new) = web::read_request(request, BODY_LIMIT).await?;
    Ok(
        match kv::replace(STORE, key, expected.as_deref().map(str::as_bytes), &new)? {
            ReplaceOutcome::Replaced => web::json(StatusCode::OK, &json!({ "swapped": true })),
            ReplaceOutcome::Conflict { current } => web::json(
                StatusCode::CONFLICT,
                &json!({
                    "swapped": false,
                    "current": current.map(|c| String::from_utf8_lossy(&c).into_owned()),
                }),
            ),
        },
    )
}

fn incr(key: &str, query: &str) -> Result<Response> {
    let by = match query_param(query, "by") {
        None => 1,
        Some(by) => match by.parse::<i64>() {
            Ok(by) => by,
            Err(_) => {
                return Ok(web::problem(
                    StatusCode::BAD_REQUEST,
                    "`by` must be a signed 64-bit integer",
                ));
            }
        },
    };
    let value = kv::increment(STORE, key, by)?;
    Ok(web::json(StatusCode::OK, &json!({ "value": value })))
}

async fn s3_put(key: &str, request: Request) -> Result<Response> {
    let content_type = header_str(request.headers(), header::CONTENT_TYPE.as_str())
        .unwrap_or(OCTETS)
        .to_owned();
    let (_, body) = web::read_request(request, BODY_LIMIT).await?;
    S3Client::from_variables()
        .await?
        .put_object(key, body, &content_type)
        .await?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

async fn s3_get(key: &str) -> Result<Response> {
    Ok(
        match S3Client::from_variables().await?.get_object(key).await? {
            Some(bytes) => web::bytes(StatusCode::OK, OCTETS, bytes),
            None => web::problem(StatusCode::NOT_FOUND, format!("no object `{key}`")),
        },
    )
}

async fn s3_delete(key: &str) -> Result<Response> {
    S3Client::from_variables().await?.delete_object(key).await?;
    Ok(web::empty(StatusCode::NO_CONTENT))
}

async fn s3_list(query: &str) -> Result<Response> {
    let prefix = query_param(query, "prefix").unwrap_or_default();
    let objects = S3Client::from_variables()
        .await?
        .list_objects(&prefix)
        .await?;
    let listing: Vec<_> = objects
        .into_iter()
        .map(|o| json!({ "key": o.key, "size": o.size }))
        .collect();
    Ok(web::json(StatusCode::OK, &listing))
}

async fn outbound(query: &str) -> Response {
    let Some(url) = query_param(query, "url") else {
        return web::problem(StatusCode::BAD_REQUEST, "`url` is required");
    };
    let failed = |error: String| web::json(StatusCode::BAD_GATEWAY, &json!({ "error": error }));
    let request = match http::Request::get(&url).body(bytes::Bytes::new()) {
        Ok(request) => request,
        Err(e) => return failed(e.to_string()),
    };
    let response = match web::send(request, web::Timeouts::default()).await {
        Ok(response) => response,
        Err(e) => return failed(e.to_string()),
    };
    let (parts, body) = response.into_parts();
    match web::read_body(&parts.headers, body, BODY_LIMIT).await {
        Ok(body) => web::json(
            StatusCode::OK,
            &json!({ "status": parts.status.as_u16(), "body": String::from_utf8_lossy(&body) }),
        ),
        Err(e) => failed(e.to_string()),
    }
}

async fn var(name: &str) -> Response {
    use spin_sdk::variables::Error as E;
    match ghiseu_platform::config::variable(name) {
        Ok(value) => web::json(StatusCode::OK, &json!({ "name": name, "value": value })),
        Err(E::Undefined(m) | E::InvalidName(m)) => web::problem(StatusCode::NOT_FOUND, m),
        Err(E::Provider(m) | E::Other(m)) => web::problem(StatusCode::INTERNAL_SERVER_ERROR, m),
    }
}

fn trap() -> Result<Response> {
    panic!("probe: deliberate trap");
}

/// Grows memory until the host's per-instance limit makes allocation fail
/// (which aborts, i.e. traps).
fn oom() -> Result<Response> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        // Non-zero fill so every page is really written.
        hoard.push(black_box(vec![0xA5; 1024 * 1024]));
        black_box(&hoard);
    }
}

/// Burns CPU until the host's time limit (epoch interruption) stops it.
fn spin() -> Result<Response> {
    let mut n: u64 = 0;
    loop {
        n = black_box(n.wrapping_add(1));
    }
}

async fn echo(request: Request) -> Result<Response> {
    let (_, body) = web::read_request(request, BODY_LIMIT).await?;
    let digest = Sha256::digest(&body);
    Ok(web::json(
        StatusCode::OK,
        &json!({ "bytes": body.len(), "sha256": hex(&digest) }),
    ))
}

/// What the host told this component about routing.
async fn info(headers: &HeaderMap) -> Response {
    let component =
        ghiseu_platform::config::variable("name").unwrap_or_else(|_| "probe".to_owned());
    web::json(
        StatusCode::OK,
        &json!({
            "component": component,
            "matched_route": header_str(headers, "spin-matched-route"),
            "path_info": header_str(headers, "spin-path-info"),
            "full_url": header_str(headers, "spin-full-url"),
            "component_route": header_str(headers, "spin-component-route"),
        }),
    )
}

fn not_allowed(allow: &'static str) -> Response {
    let mut response = Problem::new(StatusCode::METHOD_NOT_ALLOWED).into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, http::HeaderValue::from_static(allow));
    response
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn query_param(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Decodes `%XX` escapes of a path; anything malformed is kept as is.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex_pair = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex_pair) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
