//! The tracking benchmark (issue 3): the public lookups a QR scan makes,
//! `GET /api/v1/track/{token}` (JSON) and `GET /track/{token}` (HTML), on the
//! host running the production `spin.toml`, against a native hyper server doing
//! the same work in the same run: count the lookup in an in-memory counter
//! store, read the snapshot `track/{TOKEN}` from the same SQLite file with the
//! host's key-value code, and render it with the track component's own code
//! (`ghiseu_platform::tracking_page`, which the component uses) into the same bytes.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use ghiseu_core::calendar::local_date;
use ghiseu_core::lang::Lang;
use ghiseu_core::token::TrackingToken;
use ghiseu_host::kv::{KvStore, SqliteKv};
use ghiseu_platform::tracking::Snapshot;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The demo dossier the benchmark looks up: the seed's first resolved one
/// (three route events), read from the seed API's answer.
pub fn pick_token(seed_answer: &serde_json::Value) -> Result<String> {
    let dossiers = seed_answer["dossiers"]
        .as_array()
        .context("the seed answer has no `dossiers` list")?;
    let chosen = dossiers
        .iter()
        .find(|d| d["status"] == "resolved")
        .or_else(|| dossiers.first())
        .context("the seed registered no dossier")?;
    let url = chosen["tracking_url"]
        .as_str()
        .context("a seeded dossier has no tracking_url")?;
    Ok(url.rsplit('/').next().unwrap_or_default().to_owned())
}

/// Starts the native baseline over the host's `kv.db`.
pub async fn start_native(db: &Path) -> Result<SocketAddr> {
    let store = ghiseu_host::kv::open_sqlite(db, "default")
        .with_context(|| format!("opening {}", db.display()))?;
    let counters = KvStore::Sqlite(SqliteKv::in_memory("ephemeral")?);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, client)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let (store, counters) = (store.clone(), counters.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let (store, counters) = (store.clone(), counters.clone());
                    async move {
                        Ok::<_, Infallible>(
                            answer(&store, &counters, req.uri().path(), client).await,
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = code;
    r
}

async fn answer(
    store: &KvStore,
    counters: &KvStore,
    path: &str,
    client: SocketAddr,
) -> Response<Full<Bytes>> {
    let (api, raw) = match (
        path.strip_prefix("/api/v1/track/"),
        path.strip_prefix("/track/"),
    ) {
        (Some(t), _) => (true, t),
        (None, Some(t)) => (false, t),
        _ => return status(StatusCode::NOT_FOUND),
    };
    let Ok(token) = TrackingToken::parse(raw) else {
        return status(StatusCode::NOT_FOUND);
    };
    let now = ghiseu_platform::config::now();
    // The same per-client, per-minute counter the component keeps.
    let window = now.timestamp() / 60;
    if counters
        .increment(
            &ghiseu_platform::keys::rate_limit("track", &client.ip().to_string(), window as u64),
            1,
        )
        .await
        .is_err()
    {
        return status(StatusCode::INTERNAL_SERVER_ERROR);
    }
    let Ok(Some(bytes)) = store.get(&format!("track/{token}")).await else {
        return status(StatusCode::NOT_FOUND);
    };
    let Ok(snapshot) = Snapshot::from_json(&bytes) else {
        return status(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let view = snapshot.view(local_date(now), Lang::Ro);
    let (body, content_type, etag) = if api {
        let body = serde_json::to_vec(&view).unwrap_or_default();
        let etag = ghiseu_platform::http::strong_etag(&body);
        (body, "application/json", Some(etag))
    } else {
        let page = ghiseu_platform::tracking_page::tracking(&view, &token.to_string(), Lang::Ro);
        (page.into_bytes(), "text/html; charset=utf-8", None)
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    let headers = response.headers_mut();
    headers.insert("content-type", content_type.parse().expect("static"));
    headers.insert("cache-control", "no-cache".parse().expect("static"));
    headers.insert("vary", "Accept-Language".parse().expect("static"));
    if let Some(etag) = etag {
        headers.insert("etag", etag.parse().expect("hex"));
    } else {
        headers.insert(
            "content-security-policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; \
             base-uri 'none'; form-action 'self'"
                .parse()
                .expect("static"),
        );
        for (k, v) in [
            ("referrer-policy", "no-referrer"),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
        ] {
            headers.insert(k, v.parse().expect("static"));
        }
    }
    response
}

/// Checks that both sides answer `path` with the same body, so the comparison
/// is of equal work.
pub fn same_body(host: &[u8], native: &[u8], path: &str) -> Result<()> {
    if host != native {
        bail!(
            "host and native answer {path} differently ({} vs {} bytes)",
            host.len(),
            native.len()
        );
    }
    Ok(())
}

/// Compares the host's and Spin's answers for their own seeds' dossier: each
/// seed draws its own token and was registered at its own moment (and the
/// route's hash covers the times), so the token is replaced, hex strings of 16
/// or more characters and then every digit masked first. `None` when they are
/// then the same, else what differs.
pub fn same_but_token(
    host: &[u8],
    host_token: &str,
    spin: &[u8],
    spin_token: &str,
) -> Option<String> {
    let mask = |body: &[u8], token: &str| -> String {
        let text = String::from_utf8_lossy(body).replace(token, "TOKEN");
        let mut out = String::with_capacity(text.len());
        let mut run = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if matches!(c, '0'..='9' | 'a'..='f') {
                run.push(c);
                continue;
            }
            if run.len() >= 16 {
                out.push_str("HASH");
            } else {
                out.extend(
                    run.chars()
                        .map(|c| if c.is_ascii_digit() { '0' } else { c }),
                );
            }
            run.clear();
            out.push(c);
        }
        out.pop();
        out
    };
    let (host, spin) = (mask(host, host_token), mask(spin, spin_token));
    if host == spin {
        return None;
    }
    let at = host
        .bytes()
        .zip(spin.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(host.len().min(spin.len()));
    let around = |s: &str| {
        let start = s.floor_char_boundary(at.saturating_sub(40));
        let end = s.ceil_char_boundary((at + 40).min(s.len()));
        s[start..end].to_owned()
    };
    Some(format!(
        "{} bytes against the host's {} (token, hashes and digits masked); first difference \
         at byte {at}: host {:?}, Spin {:?}",
        spin.len(),
        host.len(),
        around(&host),
        around(&spin)
    ))
}
