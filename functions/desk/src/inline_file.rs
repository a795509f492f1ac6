//! A stored file answered for reading in the browser: its name made safe for
//! a header, and a sandboxing policy so a file can never run as the desk.

use http::{HeaderValue, StatusCode, header};

use ghiseu_platform::http::{self as web, Response};

/// `bytes` as `media_type`, shown inline under `name` (anything but printable
/// ASCII and `"` becomes `_`), sandboxed, with `cache` as `Cache-Control`.
pub fn inline_file(media_type: &str, name: &str, bytes: Vec<u8>, cache: &'static str) -> Response {
    let mut r = web::bytes(StatusCode::OK, media_type, bytes);
    let h = r.headers_mut();
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; object-src 'self'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}
