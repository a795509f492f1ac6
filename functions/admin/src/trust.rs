//! `/api/v1/platform/trust/roots[/{sha256}]`: the platform administrator lists,
//! adds and removes the trust anchors that signatures are verified against (the
//! issuing CAs of qualified providers such as certSIGN, DigiSign or Trans Sped,
//! taken from the EU trusted list). Bearer `platform_admin_token`.
//!
//! A certificate is accepted only if it is exactly one CA certificate
//! (`ghiseu_pades::describe_anchor`): an unreadable anchor would make every
//! verification fail. Adding one that is listed already changes nothing.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ghiseu_pades::Anchor;
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::kv::Store;
use ghiseu_platform::session::hex;
use ghiseu_platform::trust;
use http::{Method, StatusCode};
use serde::Serialize;

use crate::error::AdminError;

/// The route's prefix.
pub const PREFIX: &str = "/api/v1/platform/trust/roots";

/// A certificate (PEM or DER) is a few kilobytes.
const BODY_LIMIT: usize = 64 * 1024;

#[derive(Serialize)]
struct AnchorDto {
    sha256: String,
    subject: String,
    issuer: String,
    not_before: Option<chrono::DateTime<chrono::Utc>>,
    not_after: Option<chrono::DateTime<chrono::Utc>>,
}

impl AnchorDto {
    fn of(a: &Anchor) -> Self {
        Self {
            sha256: hex(&a.sha256),
            subject: a.subject.clone(),
            issuer: a.issuer.clone(),
            not_before: a.not_before,
            not_after: a.not_after,
        }
    }
}

/// Handles `/api/v1/platform/trust/roots[/{sha256}]`.
pub async fn handle(store: &Store, request: Request, path: &str) -> Response {
    if let Err(refused) = web::require_platform_admin(request.headers()).await {
        return refused;
    }
    let method = request.method().clone();
    let rest = path.trim_end_matches('/').trim_start_matches(PREFIX);
    let result = match (method, rest) {
        (Method::GET, "") => list(store).await,
        (Method::POST, "") => add(store, request).await,
        (_, "") => Ok(web::method_not_allowed("GET, POST")),
        (Method::DELETE, one) => remove(store, one.trim_start_matches('/')),
        (_, _) => Ok(web::method_not_allowed("DELETE")),
    };
    result.unwrap_or_else(AdminError::into_problem)
}

async fn list(store: &Store) -> Result<Response, AdminError> {
    let anchors: Vec<AnchorDto> = trust::roots(store)
        .await?
        .iter()
        .filter_map(|der| ghiseu_pades::describe_anchor(der).ok())
        .map(|a| AnchorDto::of(&a))
        .collect();
    Ok(web::json(StatusCode::OK, &anchors))
}

async fn add(store: &Store, request: Request) -> Result<Response, AdminError> {
    let (_, body) = web::read_request(request, BODY_LIMIT).await?;
    let der = certificate_der(&body).map_err(|m| AdminError::invalid("certificate", m))?;
    let anchor =
        ghiseu_pades::describe_anchor(&der).map_err(|m| AdminError::invalid("certificate", m))?;
    let status = if trust::add_root(store, &der).await? {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(web::json(status, &AnchorDto::of(&anchor)))
}

fn remove(store: &Store, sha256: &str) -> Result<Response, AdminError> {
    let missing = || AdminError::NotFound(format!("No trust anchor with SHA-256 `{sha256}`."));
    let digest = ghiseu_core::Sha256Digest::parse(sha256).map_err(|_| missing())?;
    if trust::remove_root(store, digest.as_bytes())? {
        Ok(web::empty(StatusCode::NO_CONTENT))
    } else {
        Err(missing())
    }
}

/// The DER of one certificate given as DER or as PEM (`CERTIFICATE` block).
fn certificate_der(body: &[u8]) -> Result<Vec<u8>, String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    if body.first() == Some(&0x30) {
        return Ok(body.to_vec());
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| "send one certificate, as DER or as PEM".to_owned())?
        .trim();
    let inner = text
        .strip_prefix(BEGIN)
        .and_then(|t| t.strip_suffix(END))
        .ok_or_else(|| format!("send one certificate, as DER or as a PEM `{BEGIN}` block"))?;
    if inner.contains("-----") {
        return Err("send one certificate at a time".to_owned());
    }
    let encoded: String = inner.split_whitespace().collect();
    B64.decode(encoded)
        .map_err(|e| format!("the PEM block is not base64: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_and_pem_give_the_same_bytes_and_anything_else_is_refused() {
        let der = vec![0x30, 0x03, 0x02, 0x01, 0x05];
        assert_eq!(certificate_der(&der).unwrap(), der);
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            B64.encode(&der)
        );
        assert_eq!(certificate_der(pem.as_bytes()).unwrap(), der);
        let two = format!("{pem}{pem}");
        assert!(certificate_der(two.as_bytes()).is_err());
        assert!(certificate_der(b"hello").is_err());
        assert!(
            certificate_der(b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----").is_err()
        );
    }
}
