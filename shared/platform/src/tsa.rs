//! A client of an RFC 3161 timestamp authority (HTTP transport, RFC 3161 section
//! 3.4): [`timestamp`] POSTs a `TimeStampReq` for an imprint with a random nonce and
//! gives back the checked token. The DER and the checks are `ghiseu_pades`'s; this
//! module adds the I/O and the randomness the pure crate refuses.

use thiserror::Error;

/// Why no timestamp token came back.
#[derive(Debug, Error)]
pub enum Error {
    /// The TSA could not be reached, or answered with an HTTP error.
    #[error("the timestamp authority is unavailable: {0}")]
    Unavailable(String),
    /// The TSA refused, or its answer does not fit the request (imprint, nonce).
    #[error("the timestamp authority's answer is unusable: {0}")]
    Refused(String),
}

/// Largest answer read: a token with a short chain is a few kilobytes.
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// The timestamp token (a DER `ContentInfo`) of `imprint` from the TSA at `url`,
/// for `ghiseu_pades::finish_with_timestamp`.
pub async fn timestamp(url: &str, imprint: [u8; 32]) -> Result<Vec<u8>, Error> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| Error::Unavailable(format!("no randomness: {e}")))?;
    let nonce = u64::from_be_bytes(nonce);
    let query = ghiseu_pades::timestamp_request(imprint, nonce)
        .map_err(|e| Error::Refused(e.to_string()))?;
    let timeouts = crate::wasi_http::Timeouts::new(
        std::time::Duration::from_secs(5),
        std::time::Duration::from_secs(20),
    );
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(url)
        .header(http::header::CONTENT_TYPE, "application/timestamp-query")
        .body(bytes::Bytes::from(query))
        .map_err(|e| Error::Unavailable(format!("tsa_url: {e}")))?;
    let response = crate::wasi_http::send(request, timeouts)
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    let (parts, body) = response.into_parts();
    if !parts.status.is_success() {
        return Err(Error::Unavailable(format!("answered {}", parts.status)));
    }
    let answer = crate::http::read_body(&parts.headers, body, MAX_ANSWER_BYTES)
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    ghiseu_pades::timestamp_token(&answer, imprint, nonce)
        .map_err(|e| Error::Refused(e.to_string()))
}
