//! HTTP helpers for the components: buffered responses (JSON, bytes,
//! `application/problem+json`) and bounded reading of bodies.

use bytes::Bytes;

pub use crate::client_addr::{IpNet, client_address, client_address_behind};
use ghiseu_core::Lang;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Serialize;

pub use crate::problem::{PROBLEM_JSON, Problem, problem};
use crate::rate_limit::{self, FixedWindow};
pub use crate::wasi_http::{
    BodySink, Incoming, Request, Response, Timeouts, after_response, send, serve, streamed,
};
use crate::{Error, Result};

/// The media type of JSON.
pub const JSON: &str = "application/json";

/// The value of header `name`, if it is text.
#[must_use]
pub fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `scheme://authority` of the request: from Spin's `spin-full-url` (http or
/// https only), else `http://{Host}`; `None` without either.
#[must_use]
pub fn origin_of(headers: &HeaderMap) -> Option<String> {
    if let Some(full) = header_str(headers, "spin-full-url")
        && let Ok(url) = url::Url::parse(full)
        && matches!(url.scheme(), "http" | "https")
    {
        let o = url.origin().ascii_serialization();
        if o != "null" {
            return Some(o);
        }
    }
    header_str(headers, header::HOST.as_str()).map(|h| format!("http://{h}"))
}

/// [`origin_of`], or `http://localhost` when the request says nothing.
#[must_use]
pub fn request_origin(headers: &HeaderMap) -> String {
    origin_of(headers).unwrap_or_else(|| "http://localhost".to_owned())
}

/// The public base URL an institution gets when the platform administrator
/// names none (creating it, or in a seed): the platform's configured one,
/// else the origin of the administrator's own request (`headers`, of the
/// bearer-authenticated platform API: the operator's call, never a
/// citizen's).
#[must_use]
pub fn default_base_url(headers: &HeaderMap) -> String {
    crate::config::public_base_url()
        .map_or_else(|| request_origin(headers), |url| url.as_str().to_owned())
}

/// The value of `name` in a query string, if present.
#[must_use]
pub fn query_param(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The language of a page: `?lang=` first, then `preferred` (e.g. a signed-in
/// citizen's), then `Accept-Language`, else Romanian.
#[must_use]
pub fn language(query: &str, headers: &HeaderMap, preferred: Option<Lang>) -> Lang {
    query_param(query, "lang")
        .and_then(|v| Lang::from_code(&v))
        .or(preferred)
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                header_str(headers, header::ACCEPT_LANGUAGE.as_str()).unwrap_or(""),
            )
        })
}

/// A url-encoded form, as (name, value) pairs in order.
pub type Form = Vec<(String, String)>;

/// Parses an `application/x-www-form-urlencoded` body.
#[must_use]
pub fn parse_form(body: &[u8]) -> Form {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The first non-blank value of `name`.
#[must_use]
pub fn form_field<'a>(form: &'a Form, name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// The value of `name` exactly as sent (passwords: blanks are significant),
/// empty when absent.
#[must_use]
pub fn form_raw<'a>(form: &'a Form, name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Appends a `Set-Cookie` header (a value that is not a valid header is dropped).
pub fn set_cookie(r: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Whether the client of `headers` has made more than `per_minute` requests
/// to `scope` in the current minute of `unix_seconds`, counted with
/// [`crate::rate_limit::hit`] in the key-value store `label`. A counter that
/// cannot be reached lets the request through (logged): a limit is no reason
/// to fail.
#[must_use]
pub fn over_rate_limit(
    label: &str,
    scope: &str,
    headers: &HeaderMap,
    unix_seconds: i64,
    per_minute: i64,
) -> bool {
    let limit = FixedWindow::per_minute(per_minute);
    let key = crate::keys::rate_limit(scope, &client_address(headers), limit.window(unix_seconds));
    match rate_limit::hit(label, &key, limit) {
        Ok(hit) => !hit.admitted,
        Err(e) => {
            eprintln!("{scope}: rate-limit counter: {e}");
            false
        }
    }
}

/// 429 with `Retry-After: 60`, for [`over_rate_limit`].
#[must_use]
pub fn too_many_requests() -> Response {
    let mut r = problem(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests from this address; try again in a minute.",
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    r
}

/// A stylesheet, cached for an hour.
#[must_use]
pub fn stylesheet(css: &'static str) -> Response {
    static_asset("text/css; charset=utf-8", css)
}

/// A static text asset (stylesheet, script) of `content_type`, cached for an hour.
#[must_use]
pub fn static_asset(content_type: &str, body: &'static str) -> Response {
    let mut r = bytes(StatusCode::OK, content_type, body);
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// `Ok` when the request carries `Authorization: Bearer {platform_admin_token}`
/// (compared in constant time; refused entirely while the variable is unset),
/// else the 401 problem to answer.
pub async fn require_platform_admin(headers: &HeaderMap) -> std::result::Result<(), Response> {
    let expected = crate::config::variable("platform_admin_token")
        .ok()
        .filter(|t| !t.is_empty());
    let given =
        header_str(headers, header::AUTHORIZATION.as_str()).and_then(|v| v.strip_prefix("Bearer "));
    let ok = match (&expected, given) {
        (Some(e), Some(g)) => crate::session::constant_time_eq(e.as_bytes(), g.trim().as_bytes()),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let mut r = Problem::new(StatusCode::UNAUTHORIZED)
        .with_detail("A valid platform admin bearer token is required.")
        .into_response();
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    Err(r)
}

/// The value of cookie `name`, if the request carries it.
#[must_use]
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// An HTML page of the signed-in side (desk, admin) with the security headers
/// every such page carries: a strict CSP (no scripts, styles and forms from
/// this origin only), no framing, no referrer, no sniffing, no caching.
#[must_use]
pub fn secure_html(status: StatusCode, html: String) -> Response {
    secure_html_with(status, html, PAGE_CSP)
}

/// The CSP of the signed-in side's pages: no script at all.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                            form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// [`secure_html`] with another content security policy (e.g. one that lets
/// the page run its own script).
#[must_use]
pub fn secure_html_with(status: StatusCode, html: String, csp: &'static str) -> Response {
    html_page(status, html, csp, "no-store")
}

/// An HTML page with the security headers every page carries: `csp`, no
/// framing, no referrer, no sniffing, and `cache` as `Cache-Control`.
#[must_use]
pub fn html_page(status: StatusCode, html: String, csp: &str, cache: &str) -> Response {
    let mut r = bytes(status, "text/html; charset=utf-8", html);
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(cache) {
        h.insert(header::CACHE_CONTROL, v);
    }
    r
}

/// `303 See Other` to `location`, not cached.
#[must_use]
pub fn see_other(location: &str) -> Response {
    let mut r = empty(StatusCode::SEE_OTHER);
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A response with `status`, `content_type` and `body`.
pub fn bytes(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response {
    let mut response = http::Response::new(body.into());
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// A download named `file_name` (ASCII: quotes and controls are replaced)
/// of type `content_type`, private and never cached, whose body `produce`
/// writes as it goes ([`streamed`]).
pub fn streamed_download<F, Fut>(content_type: &str, file_name: &str, produce: F) -> Response
where
    F: FnOnce(BodySink) -> Fut + 'static,
    Fut: std::future::Future<Output = std::result::Result<(), String>> + 'static,
{
    let mut head = bytes(StatusCode::OK, content_type, Bytes::new());
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let h = head.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    streamed(head, produce)
}

/// A response with `status` and no body.
#[must_use]
pub fn empty(status: StatusCode) -> Response {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = status;
    response
}

/// Open data's headers on a successful answer `r`: cacheable by browsers and
/// proxies as `cache_control` says, readable from any origin.
#[must_use]
pub fn open_data(mut r: Response, cache_control: &'static str) -> Response {
    if r.status() == StatusCode::OK {
        r.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static(cache_control),
        );
        r.headers_mut().insert(
            http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
            http::HeaderValue::from_static("*"),
        );
    }
    r
}

/// A `application/json` response of `value`.
///
/// Serialising plain DTOs cannot fail; if it ever does, the answer is a 500
/// problem rather than a panic.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => bytes(status, JSON, body),
        Err(e) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR)
            .with_detail(format!("response could not be serialised: {e}"))
            .into_response(),
    }
}

/// 405 problem+json with the `Allow` header, for a resource that only reads.
pub fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = Problem::new(StatusCode::METHOD_NOT_ALLOWED)
        .with_detail(format!("Use {allow}."))
        .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// The declared `Content-Length` of a message, if present and valid.
#[must_use]
pub fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Reads a whole incoming body (of a request, or of an outbound call's
/// response) into memory, refusing more than `limit` bytes.
///
/// A declared `Content-Length` above `limit` is refused before anything is
/// read; the buffer is sized from it, so an upload is not copied as it grows.
pub async fn read_body(headers: &HeaderMap, mut body: Incoming, limit: usize) -> Result<Vec<u8>> {
    use futures::StreamExt as _;
    let declared = content_length(headers);
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Error::BodyTooLarge { limit: Some(limit) });
    }
    let Some(mut stream) = body.take_stream() else {
        // Someone already started reading it: nothing sensible is left.
        return Err(Error::BodyRead("body already consumed".to_owned()));
    };
    const GROW: usize = 64 * 1024;
    let initial = declared.map_or(GROW, |n| usize::try_from(n).unwrap_or(limit));
    let mut buf = Vec::with_capacity(initial.min(limit));
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                if buf.len() + chunk.len() > limit {
                    return Err(Error::BodyTooLarge { limit: Some(limit) });
                }
                buf.extend_from_slice(&chunk);
            }
            // The host enforces its own body limit by cutting the stream off;
            // it then answers 413 itself, whatever the component says.
            Err(e) => return Err(Error::BodyRead(e)),
        }
    }
    Ok(buf)
}

/// Reads the body of an incoming request with [`read_body`], keeping the
/// request's head.
pub async fn read_request(
    request: Request,
    limit: usize,
) -> Result<(http::request::Parts, Vec<u8>)> {
    let (parts, body) = request.into_parts();
    let bytes = read_body(&parts.headers, body, limit).await?;
    Ok((parts, bytes))
}

/// Reads a `multipart/form-data` body as it arrives, never holding it whole:
/// the stream is parsed as it comes ([`crate::multipart::Parser`]) and each
/// part's bytes are kept once, a file's buffer sized from what the declared
/// `Content-Length` leaves, so a 10 MiB upload costs about 10 MiB, not the
/// body plus a copy of every part.
///
/// The first part must be the text field `gate`, and `admit` must accept
/// its value (a CSRF token: browsers send fields in document order and
/// every form of ours has it first) before anything else is read: `Ok(None)`
/// then, and the rest of the body is never read. A body over `limit` is
/// [`Error::BodyTooLarge`]; one whose framing or form is malformed is
/// [`Error::BodyRead`] (a 400).
pub async fn read_multipart(
    headers: &HeaderMap,
    mut body: Incoming,
    limit: usize,
    max_parts: usize,
    gate: &str,
    admit: impl Fn(&str) -> bool,
) -> Result<Option<Vec<crate::multipart::Part>>> {
    use crate::multipart::{Event, Parser, Part};
    use futures::StreamExt as _;
    let declared = content_length(headers);
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Error::BodyTooLarge { limit: Some(limit) });
    }
    let boundary = header_str(headers, header::CONTENT_TYPE.as_str())
        .and_then(crate::multipart::boundary)
        .ok_or_else(|| Error::BodyRead("not a multipart/form-data body".to_owned()))?;
    let Some(mut stream) = body.take_stream() else {
        return Err(Error::BodyRead("body already consumed".to_owned()));
    };
    let malformed = |e: crate::multipart::MultipartError| Error::BodyRead(e.to_string());
    let mut parser = Parser::new(&boundary, max_parts);
    let mut parts: Vec<Part> = Vec::new();
    let mut received = 0usize;
    let mut gated = false;
    loop {
        while let Some(event) = parser.next_event().map_err(malformed)? {
            match event {
                Event::Head(head) => {
                    if !gated && (head.name != gate || head.filename.is_some()) {
                        return Ok(None);
                    }
                    // What is left of the declared body (the bytes the
                    // parser holds still to come) bounds a file: its buffer
                    // never grows by copying.
                    let consumed = received - parser.buffered();
                    let room = match (&head.filename, declared) {
                        (Some(_), Some(n)) => {
                            usize::try_from(n).unwrap_or(limit).saturating_sub(consumed)
                        }
                        _ => 0,
                    };
                    parts.push(Part {
                        name: head.name,
                        filename: head.filename,
                        data: Vec::with_capacity(room),
                    });
                }
                Event::Data(bytes) => {
                    if let Some(part) = parts.last_mut() {
                        part.data.extend_from_slice(&bytes);
                    }
                }
                Event::PartEnd => {
                    if !gated {
                        gated = true;
                        let value = parts
                            .first()
                            .and_then(|p| std::str::from_utf8(&p.data).ok())
                            .unwrap_or_default();
                        if !admit(value) {
                            return Ok(None);
                        }
                        parts.clear();
                        parts.shrink_to_fit();
                    }
                    // Give back what the other parts will need (a shrink
                    // in place, not a copy).
                    if let Some(part) = parts.last_mut()
                        && part.data.capacity() - part.data.len() > 64 * 1024
                    {
                        part.data.shrink_to_fit();
                    }
                }
                Event::End => return Ok(Some(parts)),
            }
        }
        match stream.next().await {
            Some(Ok(chunk)) => {
                received += chunk.len();
                if received > limit {
                    return Err(Error::BodyTooLarge { limit: Some(limit) });
                }
                parser.push(&chunk);
            }
            Some(Err(e)) => return Err(Error::BodyRead(e)),
            None => parser.finish(),
        }
    }
}

/// A strong ETag: the quoted XXH3-128 (hex) of the exact body. A tag only
/// has to tell two representations of one resource apart, which a 128-bit
/// non-cryptographic hash does, at a fraction of SHA-256's cost in
/// WebAssembly (no SHA instructions there), where it runs on every tracking
/// lookup.
pub fn strong_etag(body: &[u8]) -> String {
    let digest = xxhash_rust::xxh3::xxh3_128(body).to_be_bytes();
    format!("\"{}\"", crate::session::hex(&digest))
}

/// Whether an `If-None-Match` header matches `etag` (RFC 9110 §13.1.2: `*`,
/// or a list compared weakly, so `W/"x"` matches `"x"`).
#[must_use]
pub fn matches_etag(header: &str, etag: &str) -> bool {
    header.trim() == "*"
        || header
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_table() {
        let tag = "\"abc\"";
        let cases = [
            ("\"abc\"", true),
            ("*", true),
            ("W/\"abc\"", true),
            ("\"x\", \"abc\"", true),
            ("\"x\"", false),
            ("abc", false),
            ("", false),
        ];
        for (header, want) in cases {
            assert_eq!(matches_etag(header, tag), want, "{header}");
        }
    }

    #[test]
    fn json_sets_content_type() {
        let response = json(StatusCode::OK, &serde_json::json!({"a": 1}));
        assert_eq!(response.headers()[header::CONTENT_TYPE], JSON);
    }

    #[test]
    fn content_length_parses_valid_values_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(content_length(&headers), None);
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("42"));
        assert_eq!(content_length(&headers), Some(42));
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("x"));
        assert_eq!(content_length(&headers), None);
    }
}
