//! Remote identification (not CSC): the provider side of
//! [`ghiseu_platform::identity`], standing for a qualified trust service
//! provider's remote identity proofing before it issues a certificate.
//!
//! - `POST /api/v1/sandbox/csc/identifications` (bearer `csc_client_secret`)
//!   `{"user_id", "return_url", "lang"}` → `201 {"identification_id", "url"}`.
//!   `return_url` must be a path under `/portal/` (absolute, or an http(s)
//!   URL with such a path); anything else is 400.
//! - `GET /api/v1/sandbox/csc/identifications/{id}` (bearer) → the
//!   [`IdentificationResult`]; a pending identification older than
//!   [`TTL_HOURS`] is `failed` with reason `expired`.
//! - `GET /api/v1/sandbox/csc/identifications/{id}/evidence` (bearer, a test
//!   aid): `{"status", "evidence", "credential_id"}`: what was checked, with
//!   what result, when, and the credential enrolled on it.
//! - `GET /sandbox/identity/{id}`: the hosted page, in the request's `lang`:
//!   the kind of identity document, its series and number, the CNP, the
//!   surname and given names as written in the document; "Continuă" and
//!   "Renunță".
//! - `POST /sandbox/identity/{id}` (form `action=verify|cancel` and the
//!   fields): a missing field is shown again on the page (422) and decides
//!   nothing; otherwise every check of [`ghiseu_core::identity`] runs (the
//!   document's shape, the CNP with a plausible birth date, the names), the
//!   evidence is kept, the identification becomes `verified` or `failed`
//!   (the first failed check's reason) once — a leased update, so a second
//!   submission changes nothing — and the browser is redirected (303) to
//!   `return_url`. "Renunță" redirects there and decides nothing, so the
//!   citizen can come back. An absolute `return_url` is followed only when
//!   its origin is the hosted page's own (the portal's, beside which the
//!   sandbox is mounted).
//!
//! A real provider also compares a photo of the document with the holder's
//! face (liveness); the sandbox checks the data only and says so in the
//! evidence's `method`.

use chrono::{DateTime, Duration, Utc};
use ghiseu_core::identity::{self as rules, DocumentKind, IdentityFailure, VerifiedName};
use ghiseu_platform::http::{self as web, Request, Response};
use ghiseu_platform::identity::{
    FAILED, IdentificationCreated, IdentificationRequest, IdentificationResult, PENDING, VERIFIED,
};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, Step, Store};
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::identity_page::{self as page, Typed};
use super::{Failure, Outcome, authenticate, bad_request, parse, read, refused, to_json};
use crate::csc_pki as pki;

/// Hours a pending identification stays usable.
pub(super) const TTL_HOURS: i64 = 24;
/// What the sandbox's evidence says it checked.
const METHOD: &str = "sandbox remote form: document kind, series and number, CNP (control digit, \
     date, county, serial, plausible birth date) and names as written in the document; \
     no document image, no liveness check";
const API: &str = "/api/v1/sandbox/csc/identifications";
const HOSTED: &str = "/sandbox/identity/";

/// An identification as the sandbox keeps it.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Identification {
    pub(super) id: String,
    pub(super) user_id: String,
    pub(super) return_url: String,
    pub(super) lang: String,
    pub(super) created_at: DateTime<Utc>,
    /// `pending`, `verified` or `failed`.
    pub(super) status: String,
    pub(super) reason: Option<String>,
    pub(super) evidence: Option<Evidence>,
    /// The credential enrolled on this identification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) credential_id: Option<String>,
}

/// What was checked, with what result, when.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Evidence {
    pub(super) document_kind: String,
    pub(super) document_series: String,
    pub(super) document_number: String,
    pub(super) cnp: String,
    pub(super) surname: String,
    pub(super) given_name: String,
    pub(super) checks: Vec<Check>,
    pub(super) checked_at: DateTime<Utc>,
    pub(super) method: String,
}

/// One check and its result.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Check {
    pub(super) check: String,
    pub(super) passed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) reason: Option<String>,
}

impl Identification {
    /// The status as of `now`: a pending one past its time is failed, expired.
    fn current(&self, now: DateTime<Utc>) -> (String, Option<String>) {
        if self.status == PENDING && now - self.created_at > Duration::hours(TTL_HOURS) {
            return (
                FAILED.to_owned(),
                Some(IdentityFailure::Expired.code().to_owned()),
            );
        }
        (self.status.clone(), self.reason.clone())
    }

    /// The language of its pages.
    fn lang(&self) -> ghiseu_core::Lang {
        ghiseu_core::Lang::from_code(&self.lang).unwrap_or_default()
    }

    /// The verified name, once verified.
    pub(super) fn verified(&self) -> Option<VerifiedName> {
        let e = self.evidence.as_ref().filter(|_| self.status == VERIFIED)?;
        Some(VerifiedName {
            given_name: e.given_name.clone(),
            surname: e.surname.clone(),
        })
    }
}

/// Whether `path` is this module's.
pub(super) fn serves(path: &str) -> bool {
    path == API
        || path.starts_with("/api/v1/sandbox/csc/identifications/")
        || path.starts_with(HOSTED)
}

/// Serves every path of [`serves`].
pub(super) async fn handle(store: &Store, request: Request) -> Outcome<Response> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if let Some(id) = path.strip_prefix(HOSTED) {
        return match method {
            Method::GET => show(store, id, request.headers()).await,
            Method::POST => submit(store, id, request).await,
            _ => Ok(web::method_not_allowed("GET, POST")),
        };
    }
    if path == API {
        return match method {
            Method::POST => create(request).await,
            _ => Ok(web::method_not_allowed("POST")),
        };
    }
    authenticate(request.headers()).await?;
    let rest = &path[API.len() + 1..];
    match (method, rest.strip_suffix("/evidence")) {
        (Method::GET, Some(id)) => {
            let ident = load(store, id).await?.ok_or_else(not_found)?;
            Ok(web::json(
                StatusCode::OK,
                &serde_json::json!({
                    "status": ident.status,
                    "evidence": ident.evidence,
                    "credential_id": ident.credential_id,
                }),
            ))
        }
        (Method::GET, None) => result(store, rest).await,
        _ => Ok(web::method_not_allowed("GET")),
    }
}

fn not_found() -> Failure {
    refused(
        StatusCode::NOT_FOUND,
        "invalid_request",
        "No such identification.",
    )
}

/// Whether `url` may be a return URL: a path under `/portal/`, bare or in
/// an http(s) URL.
fn allowed_return(url: &str) -> bool {
    let path_ok = |p: &str| p.starts_with("/portal/") && !p.contains("..");
    if url.starts_with('/') {
        return !url.starts_with("//") && !url.contains('\\') && path_ok(url);
    }
    url::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.username().is_empty()
            && u.password().is_none()
            && path_ok(u.path())
    })
}

/// Where the browser goes back from the hosted page seen at `headers`:
/// `None` when the return URL is on another origin than the page's own or
/// the platform's configured public address (`public_base_url`).
fn return_to(ident: &Identification, headers: &HeaderMap) -> Option<String> {
    if ident.return_url.starts_with('/') {
        return Some(ident.return_url.clone());
    }
    let url = url::Url::parse(&ident.return_url).ok()?;
    let origin = url.origin().ascii_serialization();
    let platform = ghiseu_platform::config::public_base_url();
    (origin == web::request_origin(headers) || platform.is_some_and(|p| p.as_str() == origin))
        .then(|| ident.return_url.clone())
}

/// `POST /api/v1/sandbox/csc/identifications`.
async fn create(request: Request) -> Outcome<Response> {
    let (parts, body) = read(request).await?;
    authenticate(&parts.headers).await?;
    let r: IdentificationRequest = parse(&body)?;
    let user_ok = !r.user_id.trim().is_empty()
        && r.user_id.len() <= 200
        && !r.user_id.chars().any(char::is_control);
    if !user_ok || r.return_url.len() > 1000 || !allowed_return(&r.return_url) {
        return Err(bad_request(
            "user_id (1 to 200 characters) and a return_url under /portal/ are required.",
        ));
    }
    let id = pki::hex(&pki::random::<16>().map_err(Failure::Internal)?);
    let ident = Identification {
        id: id.clone(),
        user_id: r.user_id,
        return_url: r.return_url,
        lang: ghiseu_core::Lang::from_code(&r.lang)
            .unwrap_or_default()
            .code()
            .to_owned(),
        created_at: ghiseu_platform::config::now(),
        status: PENDING.to_owned(),
        reason: None,
        evidence: None,
        credential_id: None,
    };
    let key = keys::csc_identification(&id);
    kv::set_many(STORE, &[(key.clone(), to_json(&key, &ident)?)])?;
    Ok(web::json(
        StatusCode::CREATED,
        &IdentificationCreated {
            identification_id: id.clone(),
            url: format!("{HOSTED}{id}"),
        },
    ))
}

/// The identification `id`, if any.
pub(super) async fn load(store: &Store, id: &str) -> Outcome<Option<Identification>> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let key = keys::csc_identification(id);
    match store.get(&key).await? {
        Some(b) => super::from_json(&key, &b).map(Some),
        None => Ok(None),
    }
}

/// `GET /api/v1/sandbox/csc/identifications/{id}`.
async fn result(store: &Store, id: &str) -> Outcome<Response> {
    let ident = load(store, id).await?.ok_or_else(not_found)?;
    let (status, reason) = ident.current(ghiseu_platform::config::now());
    let name = ident.verified();
    Ok(web::json(
        StatusCode::OK,
        &IdentificationResult {
            identification_id: ident.id.clone(),
            user_id: ident.user_id.clone(),
            status,
            reason,
            given_name: name.as_ref().map(|n| n.given_name.clone()),
            surname: name.map(|n| n.surname),
            checked_at: ident.evidence.as_ref().map(|e| e.checked_at),
        },
    ))
}

/// `GET /sandbox/identity/{id}`.
async fn show(store: &Store, id: &str, headers: &HeaderMap) -> Outcome<Response> {
    let Some(ident) = load(store, id).await? else {
        return Ok(page::unknown());
    };
    let (status, _) = ident.current(ghiseu_platform::config::now());
    if status != PENDING {
        return Ok(page::decided(
            ident.lang(),
            return_to(&ident, headers).as_deref(),
        ));
    }
    Ok(page::form(
        StatusCode::OK,
        ident.lang(),
        &ident.id,
        &Typed::default(),
        false,
    ))
}

/// Every check on what was typed, as of `now`: the evidence, and the verified
/// name or the first failed check's reason.
fn check(typed: &Typed, now: DateTime<Utc>) -> (Evidence, Result<VerifiedName, IdentityFailure>) {
    let today = ghiseu_core::calendar::local_date(now);
    let document = DocumentKind::from_code(&typed.kind)
        .ok_or(IdentityFailure::Document)
        .and_then(|k| rules::check_document(k, &typed.series, &typed.number));
    let cnp = rules::check_cnp(&typed.cnp, today);
    let surname = rules::check_name(&typed.surname);
    let given = rules::check_name(&typed.given_name);
    let outcome = |name: &str, r: Result<(), IdentityFailure>| Check {
        check: name.to_owned(),
        passed: r.is_ok(),
        reason: r.err().map(|f| f.code().to_owned()),
    };
    let checks = vec![
        outcome("document", document.as_ref().map(drop).map_err(|f| *f)),
        outcome("cnp", cnp.as_ref().map(drop).map_err(|f| *f)),
        outcome("surname", surname.as_ref().map(drop).map_err(|f| *f)),
        outcome("given_name", given.as_ref().map(drop).map_err(|f| *f)),
    ];
    let clip = |s: &str| s.trim().chars().take(100).collect::<String>();
    let evidence = Evidence {
        document_kind: clip(&typed.kind),
        document_series: document
            .as_ref()
            .map_or_else(|_| clip(&typed.series), |d| d.series.clone()),
        document_number: document
            .as_ref()
            .map_or_else(|_| clip(&typed.number), |d| d.number.clone()),
        cnp: cnp
            .as_ref()
            .map_or_else(|_| clip(&typed.cnp), |c| c.as_str().to_owned()),
        surname: surname.clone().unwrap_or_else(|_| clip(&typed.surname)),
        given_name: given.clone().unwrap_or_else(|_| clip(&typed.given_name)),
        checks,
        checked_at: now,
        method: METHOD.to_owned(),
    };
    let verdict = document.and(cnp).and(surname).and_then(|surname| {
        given.map(|given_name| VerifiedName {
            given_name,
            surname,
        })
    });
    (evidence, verdict)
}

/// `POST /sandbox/identity/{id}`.
async fn submit(store: &Store, id: &str, request: Request) -> Outcome<Response> {
    let (parts, body) = web::read_request(request, 8 * 1024)
        .await
        .map_err(|e| bad_request(e.to_string()))?;
    let Some(ident) = load(store, id).await? else {
        return Ok(page::unknown());
    };
    let Some(back) = return_to(&ident, &parts.headers) else {
        return Ok(page::foreign_return(ident.lang()));
    };
    let form = web::parse_form(&body);
    let now = ghiseu_platform::config::now();
    if web::form_field(&form, "action") == Some("cancel") || ident.current(now).0 != PENDING {
        return Ok(web::see_other(&back));
    }
    let typed = Typed::of(&form);
    if typed.missing() {
        return Ok(page::form(
            StatusCode::UNPROCESSABLE_ENTITY,
            ident.lang(),
            &ident.id,
            &typed,
            true,
        ));
    }
    let (evidence, verdict) = check(&typed, now);
    change(id, |stored| {
        if stored.status != PENDING {
            return false;
        }
        (stored.status, stored.reason) = match &verdict {
            Ok(_) => (VERIFIED.to_owned(), None),
            Err(f) => (FAILED.to_owned(), Some(f.code().to_owned())),
        };
        stored.evidence = Some(evidence.clone());
        true
    })?;
    Ok(web::see_other(&back))
}

/// Changes the identification `id` with a leased update; `change` says
/// whether to write.
fn change(id: &str, mut change: impl FnMut(&mut Identification) -> bool) -> Outcome<()> {
    let key = keys::csc_identification(id);
    let corrupt = |e: serde_json::Error| ghiseu_platform::Error::Corrupt {
        key: key.clone(),
        detail: e.to_string(),
    };
    kv::update(STORE, &key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(()));
        };
        let mut stored: Identification = serde_json::from_slice(bytes).map_err(corrupt)?;
        if !change(&mut stored) {
            return Ok(Step::Done(()));
        }
        Ok(Step::Write(
            serde_json::to_vec(&stored).map_err(corrupt)?,
            (),
        ))
    })?;
    Ok(())
}

/// Records that `credential_id` was enrolled on the identification `id`.
pub(super) fn record_credential(id: &str, credential_id: &str) -> Outcome<()> {
    change(id, |stored| {
        let fresh = stored.credential_id.is_none();
        if fresh {
            stored.credential_id = Some(credential_id.to_owned());
        }
        fresh
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_urls_stay_under_the_portal() {
        for ok in [
            "/portal/signature/identity",
            "http://127.0.0.1:3000/portal/signature/identity",
            "https://ghiseu.example.ro/portal/x",
        ] {
            assert!(allowed_return(ok), "{ok}");
        }
        for bad in [
            "//evil.example/portal/x",
            "/desk/x",
            "/portal/../desk",
            "javascript:alert(1)",
            "https://user:pw@evil.example/portal/x",
            "ftp://host/portal/x",
            "/portal\\x",
            "",
        ] {
            assert!(!allowed_return(bad), "{bad}");
        }
    }

    #[test]
    fn a_pending_identification_expires_after_its_time() {
        let created = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ident = Identification {
            id: "ab".into(),
            user_id: "citizen/A".into(),
            return_url: "/portal/signature/identity".into(),
            lang: "ro".into(),
            created_at: created,
            status: PENDING.into(),
            reason: None,
            evidence: None,
            credential_id: None,
        };
        let later = |hours| created + Duration::hours(hours);
        assert_eq!(ident.current(later(TTL_HOURS)), (PENDING.to_owned(), None));
        assert_eq!(
            ident.current(later(TTL_HOURS + 1)),
            (FAILED.to_owned(), Some("expired".to_owned()))
        );
        let verified = Identification {
            status: VERIFIED.into(),
            ..ident
        };
        assert_eq!(verified.current(later(1000)).0, VERIFIED);
    }

    #[test]
    fn every_check_is_recorded_and_the_first_failure_decides() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let typed = Typed {
            kind: "ci".into(),
            series: "cj".into(),
            number: "123456".into(),
            cnp: "1960529120011".into(),
            surname: "Popescu".into(),
            given_name: "Ion".into(),
        };
        let (evidence, verdict) = check(&typed, now);
        assert_eq!(
            verdict,
            Ok(VerifiedName {
                given_name: "Ion".into(),
                surname: "Popescu".into()
            })
        );
        assert_eq!(evidence.document_series, "CJ");
        assert!(evidence.checks.iter().all(|c| c.passed));
        assert_eq!(evidence.checks.len(), 4);
        let bad = Typed {
            cnp: "1960529120012".into(),
            surname: "P0pescu".into(),
            ..typed
        };
        let (evidence, verdict) = check(&bad, now);
        assert_eq!(verdict, Err(IdentityFailure::CnpChecksum));
        let failed: Vec<_> = evidence
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| (c.check.as_str(), c.reason.as_deref()))
            .collect();
        assert_eq!(
            failed,
            [("cnp", Some("cnp_checksum")), ("surname", Some("name"))]
        );
    }
}
