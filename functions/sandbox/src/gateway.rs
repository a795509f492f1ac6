//! The SMS and e-mail gateway stand-in: receives the platform's signed
//! messages ([`ghiseu_platform::notify`]'s protocol), keeps them in the
//! outbox, shows them, and fails deliveries on request (see the crate's
//! documentation for the routes).

use chrono::{DateTime, Utc};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, InsertOutcome, Store};
use ghiseu_platform::notify::{self, Message, SIGNATURE_HEADER};
use http::{HeaderValue, StatusCode, header};
use maud::{DOCTYPE, html};
use serde::{Deserialize, Serialize};

/// Messages the outbox pages show.
const SHOWN: u32 = 200;

/// A message as the outbox keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Sent {
    #[serde(flatten)]
    message: Message,
    received_at: DateTime<Utc>,
}

/// `POST /sandbox/gateway/messages`.
pub(crate) async fn receive(store: &Store, request: Request) -> ghiseu_platform::Result<Response> {
    let (parts, body) = web::read_request(request, 64 * 1024).await?;
    let secret = ghiseu_platform::config::variable_or_empty("notify_secret");
    let signature = parts
        .headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !notify::verify(secret.as_bytes(), &body, signature) {
        return Ok(web::problem(
            StatusCode::UNAUTHORIZED,
            "The message signature does not match.",
        ));
    }
    let message: Message = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return Ok(web::problem(
                StatusCode::BAD_REQUEST,
                format!("Not a message: {e}"),
            ));
        }
    };
    if message.id.is_empty() || message.id.len() > 200 || message.to.is_empty() {
        return Ok(web::problem(
            StatusCode::BAD_REQUEST,
            "A message needs an id (at most 200 characters) and a recipient.",
        ));
    }
    // Injected failures (for the retry tests) come before anything is kept.
    let failing = kv::increment(STORE, keys::GATEWAY_FAIL_NEXT, 0)?;
    if failing > 0 && kv::increment(STORE, keys::GATEWAY_FAIL_NEXT, -1)? >= 0 {
        return Ok(web::problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "The sandbox gateway was told to fail this delivery.",
        ));
    }
    if let InsertOutcome::Exists(_) = kv::insert_new(STORE, &keys::outbox_seen(&message.id), b"1")?
    {
        return Ok(accepted(&message.id, true));
    }
    let id = message.id.clone();
    append_outbox(store, message).await?;
    Ok(accepted(&id, false))
}

/// Appends `message` to the outbox as received now (the signing provider's
/// codes go there too).
pub(crate) async fn append_outbox(store: &Store, message: Message) -> ghiseu_platform::Result<()> {
    let sent = Sent {
        message,
        received_at: ghiseu_platform::config::now(),
    };
    let seq = u32::try_from(kv::increment(STORE, keys::OUTBOX_SEQ, 1)?).unwrap_or(u32::MAX);
    let bytes = serde_json::to_vec(&sent).map_err(|e| ghiseu_platform::Error::Corrupt {
        key: keys::outbox_entry(seq),
        detail: e.to_string(),
    })?;
    store.set(&keys::outbox_entry(seq), &bytes).await
}

fn accepted(id: &str, duplicate: bool) -> Response {
    web::json(
        StatusCode::ACCEPTED,
        &serde_json::json!({ "accepted": id, "duplicate": duplicate }),
    )
}

#[derive(Deserialize)]
struct Failures {
    count: u32,
}

/// `POST /api/v1/sandbox/gateway/failures`.
pub(crate) async fn failures(store: &Store, request: Request) -> ghiseu_platform::Result<Response> {
    let (_, body) = web::read_request(request, 1024).await?;
    let Ok(f) = serde_json::from_slice::<Failures>(&body) else {
        return Ok(web::problem(
            StatusCode::BAD_REQUEST,
            "Send {\"count\": N} with N between 0 and 100.",
        ));
    };
    if f.count > 100 {
        return Ok(web::problem(
            StatusCode::BAD_REQUEST,
            "At most 100 failures.",
        ));
    }
    // A counter is only ever incremented (Spin's SQLite store fails every
    // later call after a `set` on one): move it to `count` by the difference.
    let current = kv::increment(store.label(), keys::GATEWAY_FAIL_NEXT, 0)?;
    kv::increment(
        store.label(),
        keys::GATEWAY_FAIL_NEXT,
        i64::from(f.count) - current,
    )?;
    Ok(web::json(
        StatusCode::OK,
        &serde_json::json!({ "fail_next": f.count }),
    ))
}

/// The newest messages, optionally only those to `?to=`.
pub(crate) async fn outbox(store: &Store, query: &str) -> ghiseu_platform::Result<Vec<Sent>> {
    let to = web::query_param(query, "to");
    let last = u32::try_from(kv::increment(store.label(), keys::OUTBOX_SEQ, 0)?).unwrap_or(0);
    let entries: Vec<String> = (last.saturating_sub(SHOWN) + 1..=last)
        .rev()
        .map(keys::outbox_entry)
        .collect();
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    Ok(kv::get_many(STORE, &entries)?
        .into_iter()
        .filter_map(|(_, v)| serde_json::from_slice::<Sent>(&v?).ok())
        .filter(|s| to.as_deref().is_none_or(|t| s.message.to == t))
        .collect())
}

/// `GET /sandbox/outbox`.
pub(crate) fn page(sent: &[Sent]) -> Response {
    let body = html! {
        (DOCTYPE)
        html lang="ro" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Sandbox — mesaje trimise" }
            }
            body {
                h1 { "Mesaje trimise (sandbox)" }
                p { "SMS-urile și e-mailurile pe care platforma le-ar fi trimis, cele mai noi primele." }
                @if sent.is_empty() { p { "Niciun mesaj încă." } }
                @for s in sent {
                    article {
                        h2 { (format!("{:?}", s.message.channel).to_uppercase()) " către " (s.message.to) }
                        p { small { (s.received_at.to_rfc3339()) " · " (s.message.lang) " · " (s.message.id) } }
                        @if !s.message.subject.is_empty() { p { strong { (s.message.subject) } } }
                        pre { (s.message.text) }
                    }
                }
            }
        }
    };
    let mut r = web::bytes(
        StatusCode::OK,
        "text/html; charset=utf-8",
        body.into_string(),
    );
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
