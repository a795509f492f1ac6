//! The signing provider's onboarding protocol (DESIGN §6; issue 17, item 8):
//! remote identification of a citizen, then enrollment of their credential
//! in the name the provider verified. The sandbox (`functions/sandbox`,
//! `csc/identity.rs`) implements the provider side; the portal
//! (`functions/portal/src/identity.rs`) the relying party's.
//!
//! Every server-to-server call carries `Authorization: Bearer
//! {csc_client_secret}` (the signing service's client secret); nothing the
//! browser carries is trusted.
//!
//! 1. The portal creates an identification: `POST {csc_identity_url}` with an
//!    [`IdentificationRequest`] (`user_id`: the user at the provider,
//!    `return_url`: where the browser goes back, a path under `/portal/` on
//!    the portal's own origin, `lang`: `ro`, `hu` or `en`). The provider
//!    answers `201` with an [`IdentificationCreated`] (`identification_id`,
//!    unguessable, and `url`: its hosted page, an absolute URL or an absolute
//!    path on the portal's site as the sandbox is mounted beside it).
//! 2. The portal redirects the browser (303) to `url`. The provider's page
//!    asks for the identity document (kind, series and number), the CNP and
//!    the name as written in the document, checks them, keeps the evidence
//!    (what was checked, with what result, when), and redirects (303) to
//!    `return_url` — with nothing added: giving up redirects there too.
//! 3. The portal asks for the result: `GET {csc_identity_url}/{id}` →
//!    [`IdentificationResult`] (`status` `pending`, `verified` with the
//!    verified `given_name` and `surname`, or `failed` with a `reason`, one
//!    of [`ghiseu_core::identity::IdentityFailure`]'s codes). A pending
//!    identification can be resumed at its `url`; a failed one is final, and
//!    the portal starts another.
//! 4. The portal enrolls the credential: `POST {csc_enroll_url}` with an
//!    [`Enrollment`] naming the verified `identification_id` →
//!    [`Enrolled`] (`credential_id`). The provider issues the certificate in
//!    the identity it verified (CN, givenName, surname, and `serialNumber`
//!    `PNORO-{CNP}` per ETSI EN 319 412-1), refuses an identification that
//!    is not verified or is another user's (`409`), and answers the same
//!    credential again for a user enrolled before.

use chrono::{DateTime, Utc};
use ghiseu_core::identity::{IdentityFailure, IdentityStatus, VerifiedName};
use serde::{Deserialize, Serialize};

/// `status` of an identification not finished.
pub const PENDING: &str = "pending";
/// `status` of a verified identification.
pub const VERIFIED: &str = "verified";
/// `status` of a refused identification.
pub const FAILED: &str = "failed";

/// The relying party's request for an identification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentificationRequest {
    /// The user at the provider (the enrollment's `user_id`).
    pub user_id: String,
    /// Where the browser goes back (a path under `/portal/`).
    pub return_url: String,
    /// The language of the hosted page: `ro`, `hu` or `en`.
    pub lang: String,
}

/// The provider's answer to an [`IdentificationRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentificationCreated {
    /// The provider's id of the identification.
    pub identification_id: String,
    /// The hosted identification page.
    pub url: String,
}

/// Where an identification is, as the provider tells the relying party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentificationResult {
    /// The identification.
    pub identification_id: String,
    /// The user it was created for.
    pub user_id: String,
    /// [`PENDING`], [`VERIFIED`] or [`FAILED`].
    pub status: String,
    /// Why it failed (failed only): an [`IdentityFailure`] code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The verified given names (verified only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// The verified surname (verified only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// When the document and CNP were checked (verified or failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<DateTime<Utc>>,
}

impl IdentificationResult {
    /// The domain's status; `None` for an unknown status or a verified one
    /// without its name.
    #[must_use]
    pub fn status(&self) -> Option<IdentityStatus> {
        match self.status.as_str() {
            PENDING => Some(IdentityStatus::Pending),
            VERIFIED => Some(IdentityStatus::Verified(VerifiedName {
                given_name: self.given_name.clone().filter(|n| !n.is_empty())?,
                surname: self.surname.clone().filter(|n| !n.is_empty())?,
            })),
            FAILED => Some(IdentityStatus::Failed(IdentityFailure::from_code(
                self.reason.as_deref().unwrap_or_default(),
            ))),
            _ => None,
        }
    }
}

/// The relying party's request for a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// The user at the provider.
    pub user_id: String,
    /// The verified identification whose identity the certificate names.
    pub identification_id: String,
    /// Where the signing codes go (E.164).
    pub phone: String,
    /// A proven e-mail address, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The provider's answer to an [`Enrollment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    /// The credential (CSC `credentialID`).
    pub credential_id: String,
}

/// The provider's onboarding endpoints, from the `csc_identity_url`,
/// `csc_enroll_url` and `csc_client_secret` variables.
#[derive(Debug, Clone)]
pub struct Onboarding {
    identity_url: String,
    enroll_url: String,
    secret: String,
}

/// Largest answer read from the provider.
const MAX_ANSWER: usize = 64 * 1024;

impl Onboarding {
    /// From the component's variables; `None` when an URL or the secret is
    /// empty (onboarding not configured).
    #[must_use]
    pub fn from_variables() -> Option<Self> {
        let get = |name| crate::config::variable_or_empty(name).trim().to_owned();
        let (identity_url, enroll_url) = (get("csc_identity_url"), get("csc_enroll_url"));
        let secret = crate::config::variable_or_empty("csc_client_secret");
        (!identity_url.is_empty() && !enroll_url.is_empty() && !secret.is_empty()).then(|| Self {
            identity_url: identity_url.trim_end_matches('/').to_owned(),
            enroll_url,
            secret,
        })
    }

    /// Creates an identification; `Err` with a short reason when the
    /// provider did not.
    pub async fn create(
        &self,
        request: &IdentificationRequest,
    ) -> Result<IdentificationCreated, String> {
        let body = serde_json::to_vec(request).map_err(|e| e.to_string())?;
        self.call(http::Method::POST, &self.identity_url, Some(body))
            .await
    }

    /// The identification `id` as the provider has it.
    pub async fn result(&self, id: &str) -> Result<IdentificationResult, String> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err("not an identification id".to_owned());
        }
        let url = format!("{}/{id}", self.identity_url);
        self.call(http::Method::GET, &url, None).await
    }

    /// Enrolls a credential in the identity of a verified identification.
    pub async fn enroll(&self, enrollment: &Enrollment) -> Result<Enrolled, String> {
        let body = serde_json::to_vec(enrollment).map_err(|e| e.to_string())?;
        let enrolled: Enrolled = self
            .call(http::Method::POST, &self.enroll_url, Some(body))
            .await?;
        if enrolled.credential_id.is_empty() || enrolled.credential_id.len() > 200 {
            return Err("the provider's credential_id is empty or too long".to_owned());
        }
        Ok(enrolled)
    }

    /// One authenticated call: the JSON answer of a 2xx, or a short reason.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: http::Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, String> {
        let mut request = http::Request::builder().method(method).uri(url).header(
            http::header::AUTHORIZATION,
            format!("Bearer {}", self.secret),
        );
        if body.is_some() {
            request = request.header(http::header::CONTENT_TYPE, crate::http::JSON);
        }
        let request = request
            .body(bytes::Bytes::from(body.unwrap_or_default()))
            .map_err(|e| format!("bad provider URL {url:?}: {e}"))?;
        let timeouts = crate::wasi_http::Timeouts::new(
            std::time::Duration::from_secs(5),
            std::time::Duration::from_secs(30),
        );
        let response = crate::wasi_http::send(request, timeouts)
            .await
            .map_err(|e| format!("the signing provider is unreachable: {e}"))?;
        let (parts, body) = response.into_parts();
        let bytes = crate::http::read_body(&parts.headers, body, MAX_ANSWER)
            .await
            .map_err(|e| e.to_string())?;
        if !parts.status.is_success() {
            return Err(format!(
                "the signing provider answered {}: {}",
                parts.status,
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            ));
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| format!("the signing provider's answer is unexpected: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(status: &str) -> IdentificationResult {
        IdentificationResult {
            identification_id: "i".into(),
            user_id: "u".into(),
            status: status.into(),
            reason: None,
            given_name: None,
            surname: None,
            checked_at: None,
        }
    }

    #[test]
    fn results_map_to_the_domain() {
        assert_eq!(result(PENDING).status(), Some(IdentityStatus::Pending));
        assert_eq!(result(VERIFIED).status(), None, "a verified result names");
        let verified = IdentificationResult {
            given_name: Some("Ion".into()),
            surname: Some("Popescu".into()),
            ..result(VERIFIED)
        };
        assert_eq!(
            verified.status(),
            Some(IdentityStatus::Verified(VerifiedName {
                given_name: "Ion".into(),
                surname: "Popescu".into()
            }))
        );
        let failed = IdentificationResult {
            reason: Some("cnp_checksum".into()),
            ..result(FAILED)
        };
        assert_eq!(
            failed.status(),
            Some(IdentityStatus::Failed(IdentityFailure::CnpChecksum))
        );
        assert_eq!(
            result(FAILED).status(),
            Some(IdentityStatus::Failed(IdentityFailure::Other))
        );
        assert_eq!(result("approved").status(), None);
        let json = serde_json::to_value(result(PENDING)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"identification_id": "i", "user_id": "u", "status": "pending"})
        );
    }
}
