//! Public tracking (DESIGN §4): `/q/{token}` (303 to the tracking page),
//! `/q/{token}.svg` and `/q/{token}.png` (the QR code of the absolute tracking
//! URL), `/track/{token}` (the HTML page) and `/api/v1/track/{token}` (JSON with
//! a strong ETag). Every lookup reads one key, `track/{TOKEN}`, written by
//! whoever changes the dossier; lookups are rate-limited per client address.
//!
//! The handler only reads the request (method, path, a few headers, the clock)
//! and the store; [`respond`] and the renderers are pure.

use ghiseu_platform::tracking_page as page;
mod follow;
mod qr;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use ghiseu_core::calendar::local_date;
use ghiseu_core::{Lang, TrackingToken};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Problem, Response, client_address as client};
use ghiseu_platform::keys::{self, STORE};
use ghiseu_platform::kv::Store;
use ghiseu_platform::rate_limit::{self, FixedWindow};
use ghiseu_platform::tracking::{Snapshot, get_snapshot};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

/// Rate-limit counters: a store that may forget them on restart (in memory
/// locally, Redis in production), so a lookup never waits for a disk flush.
const COUNTERS: &str = "ephemeral";

/// Lookups per client address per minute when the `rate_limit` variable is
/// absent or unreadable.
const DEFAULT_RATE_LIMIT: i64 = 120;

/// QR images never change for a token.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A tracking page or its JSON: what anyone holding the token sees, so a
/// shared cache (nginx, a CDN) may keep it for a few seconds and then must
/// revalidate it with the ETag; a browser revalidates every time (max-age=0)
/// so that the person following the dossier sees a change at once. A QR scan
/// burst on one dossier costs the platform one lookup per `s-maxage`.
const SHARED_BRIEFLY: &str = "public, max-age=0, s-maxage=10";

/// `/q/{token}` always redirects to the same page.
const REDIRECT: &str = "public, max-age=3600";

/// What was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resource {
    /// `/q/{token}`.
    Resolve,
    /// `/q/{token}.svg`.
    QrSvg,
    /// `/q/{token}.png`.
    QrPng,
    /// `/track/{token}`.
    Page,
    /// `/api/v1/track/{token}`.
    Api,
}

/// Splits a path into the resource and the raw token; `None` for anything else.
fn route(path: &str) -> Option<(Resource, &str)> {
    let (resource, raw) = if let Some(rest) = path.strip_prefix("/api/v1/track/") {
        (Resource::Api, rest)
    } else if let Some(rest) = path.strip_prefix("/track/") {
        (Resource::Page, rest)
    } else if let Some(rest) = path.strip_prefix("/q/") {
        if let Some(t) = rest.strip_suffix(".svg") {
            (Resource::QrSvg, t)
        } else if let Some(t) = rest.strip_suffix(".png") {
            (Resource::QrPng, t)
        } else {
            (Resource::Resolve, rest)
        }
    } else {
        return None;
    };
    Some((resource, raw))
}

/// Everything [`respond`] needs from the request, read once at the edge.
struct Lookup<'a> {
    resource: Resource,
    token: Option<TrackingToken>,
    path: &'a str,
    lang: Lang,
    if_none_match: Option<&'a str>,
    today: NaiveDate,
}

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    // The body of a lookup is never read; the parts are taken, not copied.
    let (
        http::request::Parts {
            method,
            headers,
            uri,
            ..
        },
        _body,
    ) = request.into_parts();
    let path = uri.path();
    let query = uri.query().unwrap_or_default();
    let lang = ghiseu_platform::chrome::language(query, &headers, None);
    if path.trim_end_matches('/') == "/track" {
        return follow_by_number(&method, &headers, query, lang).await;
    }
    let Some((resource, raw)) = route(path) else {
        return html_page(
            StatusCode::NOT_FOUND,
            page::not_found(lang, path),
            "no-store",
        );
    };
    if method != Method::GET && method != Method::HEAD {
        return web::method_not_allowed("GET, HEAD");
    }
    let now = ghiseu_platform::config::now();
    if let Some(retry_after) = over_limit(&headers, now).await {
        return too_many(resource, lang, path, retry_after);
    }
    let token = TrackingToken::parse(raw).ok();
    let snapshot = match token {
        None => None,
        Some(token) => match load(&token).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("track: reading a snapshot: {e}");
                return Problem::from_error(&e).into_response();
            }
        },
    };
    let lookup = Lookup {
        resource,
        token,
        path,
        lang,
        if_none_match: web::header_str(&headers, header::IF_NONE_MATCH.as_str()),
        today: local_date(now),
    };
    let mut response = respond(&lookup, snapshot.as_ref());
    if method == Method::HEAD {
        *response.body_mut() = Bytes::new();
    }
    response
}

async fn load(token: &TrackingToken) -> ghiseu_platform::Result<Option<Snapshot>> {
    let store = Store::open(STORE).await?;
    get_snapshot(&store, token).await
}

/// `GET /track`: the follow-by-number form, or a lookup by number and code
/// (counted against the client's limit like a lookup by token).
async fn follow_by_number(
    method: &Method,
    headers: &HeaderMap,
    query: &str,
    lang: Lang,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return web::method_not_allowed("GET, HEAD");
    }
    if !follow::is_lookup(query) {
        return follow::form(lang);
    }
    if let Some(retry_after) = over_limit(headers, ghiseu_platform::config::now()).await {
        return too_many(Resource::Page, lang, "/track", retry_after);
    }
    follow::lookup(query, lang).await
}

/// Counts this lookup in the client's fixed one-minute window
/// ([`rate_limit::hit`]); `Some(seconds until the window ends)` when the
/// client is over the limit. A failing counter lets the lookup through
/// (availability over strictness) and logs.
async fn over_limit(headers: &HeaderMap, now: DateTime<Utc>) -> Option<u64> {
    let limit = FixedWindow::per_minute(rate_limit().await);
    let secs = now.timestamp();
    let window = limit.window(secs);
    let key = keys::rate_limit("track", &client(headers), window);
    match rate_limit::hit(COUNTERS, &key, limit) {
        Ok(hit) if !hit.admitted => Some(limit.retry_after(secs)),
        Ok(hit) if hit.first_in_window() => {
            // The client's first lookup of this window: its previous window's
            // counter is finished, so drop it and keep the store from growing.
            let previous = keys::rate_limit("track", &client(headers), window.saturating_sub(1));
            if let Ok(store) = Store::open(COUNTERS).await
                && let Err(e) = store.delete(&previous).await
            {
                eprintln!("track: dropping an old rate-limit counter: {e}");
            }
            None
        }
        Ok(_) => None,
        Err(e) => {
            eprintln!("track: rate-limit counter: {e}");
            None
        }
    }
}

/// The `rate_limit` variable, read once per instance: variables do not
/// change while an instance lives, and the lookup is the hot path.
async fn rate_limit() -> i64 {
    static LIMIT: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    if let Some(limit) = LIMIT.get() {
        return *limit;
    }
    let limit = match ghiseu_platform::config::variable("rate_limit") {
        Ok(v) => v.trim().parse().unwrap_or(DEFAULT_RATE_LIMIT),
        Err(_) => DEFAULT_RATE_LIMIT,
    };
    *LIMIT.get_or_init(|| limit)
}

/// The answer to a lookup, given the stored snapshot (if the token is valid
/// and known).
fn respond(lookup: &Lookup<'_>, snapshot: Option<&Snapshot>) -> Response {
    let (Some(token), Some(snapshot)) = (lookup.token, snapshot) else {
        return not_found(lookup);
    };
    match lookup.resource {
        Resource::Resolve => {
            let mut response = web::empty(StatusCode::SEE_OTHER);
            set(&mut response, header::LOCATION, &format!("/track/{token}"));
            set(&mut response, header::CACHE_CONTROL, REDIRECT);
            response
        }
        Resource::QrSvg | Resource::QrPng => {
            // The institution's public base URL, else the platform's
            // configured one: never the request's `Host`.
            let target = match snapshot
                .base_url()
                .or_else(ghiseu_platform::config::public_base_url)
            {
                Some(base) => base.qr_url(&token),
                None => format!("/q/{token}"),
            };
            let Some(matrix) = qr::Matrix::encode(&target) else {
                return Problem::new(StatusCode::INTERNAL_SERVER_ERROR).into_response();
            };
            let mut response = if lookup.resource == Resource::QrSvg {
                web::bytes(StatusCode::OK, "image/svg+xml", matrix.svg())
            } else {
                match matrix.png() {
                    Ok(png) => web::bytes(StatusCode::OK, "image/png", png),
                    Err(e) => {
                        eprintln!("track: PNG encoding: {e}");
                        return Problem::new(StatusCode::INTERNAL_SERVER_ERROR).into_response();
                    }
                }
            };
            set(&mut response, header::CACHE_CONTROL, IMMUTABLE);
            set(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
            response
        }
        Resource::Page => {
            let view = snapshot.view(lookup.today, lookup.lang);
            let page = html_page(
                StatusCode::OK,
                page::tracking(&view, &token.to_string(), lookup.lang),
                SHARED_BRIEFLY,
            );
            revalidated(lookup, page)
        }
        Resource::Api => {
            let view = snapshot.view(lookup.today, lookup.lang);
            let body = serde_json::to_vec(&view).unwrap_or_default();
            let mut response = web::bytes(StatusCode::OK, web::JSON, body);
            set(&mut response, header::CACHE_CONTROL, SHARED_BRIEFLY);
            revalidated(lookup, response)
        }
    }
}

/// Gives a 200 answer its ETag and `Vary`, or turns it into a 304 when the
/// client (or a cache revalidating) already holds it.
fn revalidated(lookup: &Lookup<'_>, response: Response) -> Response {
    let etag = etag(response.body());
    let mut response = if lookup
        .if_none_match
        .is_some_and(|h| web::matches_etag(h, &etag))
    {
        let (mut parts, _) = response.into_parts();
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_LENGTH);
        Response::from_parts(parts, Default::default())
    } else {
        response
    };
    set(&mut response, header::ETAG, &etag);
    set(&mut response, header::VARY, "Accept-Language");
    response
}

fn not_found(lookup: &Lookup<'_>) -> Response {
    let mut response = if lookup.resource == Resource::Api {
        Problem::new(StatusCode::NOT_FOUND)
            .with_title("Unknown tracking code")
            .with_detail("No document has this tracking code. Check the code on the receipt.")
            .into_response()
    } else {
        html_page(
            StatusCode::NOT_FOUND,
            page::not_found(lookup.lang, lookup.path),
            "no-store",
        )
    };
    set(&mut response, header::CACHE_CONTROL, "no-store");
    response
}

fn too_many(resource: Resource, lang: Lang, path: &str, retry_after: u64) -> Response {
    let mut response = if resource == Resource::Api {
        Problem::new(StatusCode::TOO_MANY_REQUESTS)
            .with_detail("Too many lookups from this address; try again in a minute.")
            .into_response()
    } else {
        html_page(
            StatusCode::TOO_MANY_REQUESTS,
            page::too_many(lang, path),
            "no-store",
        )
    };
    set(&mut response, header::RETRY_AFTER, &retry_after.to_string());
    set(&mut response, header::CACHE_CONTROL, "no-store");
    response
}

/// An HTML response with the security headers every public page carries.
fn html_page(status: StatusCode, body: String, cache: &str) -> Response {
    page::response(status, body, cache)
}

fn set(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// A strong ETag of the exact body.
fn etag(body: &[u8]) -> String {
    web::strong_etag(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_table() {
        let cases = [
            ("/q/ABC", Some((Resource::Resolve, "ABC"))),
            ("/q/ABC.svg", Some((Resource::QrSvg, "ABC"))),
            ("/q/ABC.png", Some((Resource::QrPng, "ABC"))),
            ("/track/ABC", Some((Resource::Page, "ABC"))),
            ("/api/v1/track/ABC", Some((Resource::Api, "ABC"))),
            ("/api/v1/track/ABC/x", Some((Resource::Api, "ABC/x"))),
            ("/other", None),
        ];
        for (path, want) in cases {
            assert_eq!(route(path), want, "{path}");
        }
    }

    #[test]
    fn etags_follow_the_body() {
        assert_eq!(etag(b"a"), etag(b"a"));
        assert_ne!(etag(b"a"), etag(b"b"));
    }

    #[test]
    fn language_prefers_the_query() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("hu"));
        let language = |q: &str, h: &HeaderMap| web::language(q, h, None);
        assert_eq!(language("", &headers), Lang::Hu);
        assert_eq!(language("lang=en", &headers), Lang::En);
        assert_eq!(language("lang=xx", &headers), Lang::Hu);
        assert_eq!(language("", &HeaderMap::new()), Lang::Ro);
        // A signed-in citizen's preference comes after the query only.
        assert_eq!(web::language("", &headers, Some(Lang::En)), Lang::En);
        assert_eq!(web::language("lang=ro", &headers, Some(Lang::En)), Lang::Ro);
    }

    #[test]
    fn client_drops_the_port() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "spin-client-addr",
            HeaderValue::from_static("10.1.2.3:5555"),
        );
        assert_eq!(client(&headers), "10.1.2.3");
        headers.insert("spin-client-addr", HeaderValue::from_static("[::1]:80"));
        assert_eq!(client(&headers), "::1");
    }
}
