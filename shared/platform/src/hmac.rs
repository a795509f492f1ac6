//! HMAC-SHA256 signatures of HTTP bodies, shared by every signed protocol the
//! platform speaks: the SMS and e-mail gateway ([`crate::notify`]) and the
//! payment provider ([`crate::payments`]).
//!
//! The header [`SIGNATURE_HEADER`] carries `sha256=<hex HMAC-SHA256 of the
//! exact body bytes under the shared secret>`; the receiver recomputes it over
//! the bytes it received and compares in constant time.

use ::hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header carrying the body's HMAC.
pub const SIGNATURE_HEADER: &str = "x-ghiseu-signature";

/// `sha256=<hex>` of `body` under `secret`.
#[must_use]
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    format!("sha256={}", crate::session::hex(&tag))
}

/// Whether `header` is the signature of `body` under `secret` (constant time).
#[must_use]
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    crate::session::constant_time_eq(signature(secret, body).as_bytes(), header.trim().as_bytes())
}

/// POSTs `body` (JSON) to `url`, signed with `secret`, with short timeouts
/// (2 s to connect, `first_byte_secs` to the first byte): the status and at
/// most 64 KiB of the answer, or a short reason when nothing came back.
pub async fn post_signed(
    url: &str,
    secret: &[u8],
    body: Vec<u8>,
    first_byte_secs: u64,
) -> std::result::Result<(http::StatusCode, Vec<u8>), String> {
    // A peer that hangs must not hold the caller (the hosts accept these or
    // ignore them).
    let timeouts = crate::wasi_http::Timeouts::new(
        std::time::Duration::from_secs(2),
        std::time::Duration::from_secs(first_byte_secs),
    );
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature(secret, &body))
        .body(bytes::Bytes::from(body))
        .map_err(|e| e.to_string())?;
    let response = crate::wasi_http::send(request, timeouts)
        .await
        .map_err(|e| format!("{url} unreachable: {e}"))?;
    let (parts, body) = response.into_parts();
    let bytes = crate::http::read_body(&parts.headers, body, 64 * 1024)
        .await
        .map_err(|e| e.to_string())?;
    Ok((parts.status, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_detect_changes() {
        let body = br#"{"id":"x","text":"Dosarul CJC-2026-000001"}"#;
        let sig = signature(b"secret", body);
        assert!(sig.starts_with("sha256=") && sig.len() == 71);
        assert!(verify(b"secret", body, &sig));
        assert!(!verify(b"other", body, &sig));
        assert!(!verify(b"secret", b"{}", &sig));
        assert!(!verify(b"secret", body, "sha256=00"));
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
