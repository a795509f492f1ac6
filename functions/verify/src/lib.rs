//! Public verification of issued documents (DESIGN §5: "issued acts carry a
//! verification QR that opens a public verification page").
//!
//! - `GET /verify/{token}`: the page the QR code in the signed PDF opens:
//!   whether the signature is valid, the signer, the signing time, the
//!   document's SHA-256, and a link to the PDF. Romanian by default, Hungarian
//!   and English by `Accept-Language` or `?lang=`; no JavaScript.
//! - `GET /verify/{token}/document.pdf`: the signed PDF itself.
//! - `GET /api/v1/verify/{token}`: the same verdict as JSON.
//!
//! The verdict is computed on every request from the stored file
//! (`ghiseu_pades::verify`: byte ranges, message digest, the CMS signature, the
//! certificate chain up to a trust anchor of `ghiseu_platform::trust`), not
//! copied from what the desk believed when it signed. Lookups are
//! rate-limited per client like tracking. Unknown or malformed token → 404.
//! Nothing about the citizen is shown.

use chrono::{DateTime, Utc};
use ghiseu_core::calendar::local_datetime;
use ghiseu_core::{Lang, TenantSlug, TrackingToken};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::issued::{self, Issued};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::tracking_page as page;
use ghiseu_platform::{repo, trust};
use http::{HeaderValue, Method, StatusCode, header};
use maud::{Markup, html};
use serde::Serialize;

const STORE: &str = "default";
const COUNTERS: &str = "ephemeral";
/// Verifications per client address per minute (each one checks a signature).
const RATE_LIMIT: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resource {
    Page,
    Pdf,
    Api,
}

fn route(path: &str) -> Option<(Resource, &str)> {
    if let Some(rest) = path.strip_prefix("/api/v1/verify/") {
        Some((Resource::Api, rest))
    } else if let Some(rest) = path.strip_prefix("/verify/") {
        match rest.strip_suffix("/document.pdf") {
            Some(t) => Some((Resource::Pdf, t)),
            None => Some((Resource::Page, rest)),
        }
    } else {
        None
    }
}

/// The verdict, as the page and the JSON show it.
#[derive(Debug, Serialize)]
struct Verdict {
    valid: bool,
    institution: Institution,
    document_type: DocumentType,
    registration_number: String,
    signer: Option<String>,
    signed_at: Option<DateTime<Utc>>,
    /// The time a trusted timestamping authority attests (PAdES B-T), if any.
    timestamp: Option<DateTime<Utc>>,
    sha256: String,
    covers_whole_document: bool,
    problems: Vec<String>,
    document_url: String,
}

#[derive(Debug, Serialize)]
struct Institution {
    slug: String,
    name: String,
}

#[derive(Debug, Serialize)]
struct DocumentType {
    code: String,
    title: String,
}

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let headers = request.headers().clone();
    let lang = web::language(&query, &headers, None);
    let Some((resource, raw)) = route(&path) else {
        return not_found(Resource::Api, lang, &path);
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return web::method_not_allowed("GET, HEAD");
    }
    let Ok(token) = TrackingToken::parse(raw) else {
        return not_found(resource, lang, &path);
    };
    if web::over_rate_limit(
        COUNTERS,
        "verify",
        &headers,
        ghiseu_platform::config::now().timestamp(),
        RATE_LIMIT,
    ) {
        return web::too_many_requests();
    }
    match lookup(&token).await {
        Ok(Some((record, pdf, verdict))) => match resource {
            Resource::Pdf => {
                let mut r = web::bytes(StatusCode::OK, "application/pdf", pdf);
                let name = format!(
                    "attachment; filename=\"{}.pdf\"",
                    record
                        .number
                        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
                );
                if let Ok(v) = HeaderValue::from_str(&name) {
                    r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
                }
                r.headers_mut().insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
                r
            }
            Resource::Api => web::json(StatusCode::OK, &verdict),
            Resource::Page => html_page(StatusCode::OK, render(&verdict, &token, lang)),
        },
        Ok(None) => not_found(resource, lang, &path),
        Err(e) => {
            eprintln!("verify: {e}");
            web::Problem::from_error(&e).into_response()
        }
    }
}

/// The record, the signed PDF and the verdict on it.
async fn lookup(
    token: &TrackingToken,
) -> ghiseu_platform::Result<Option<(Issued, Vec<u8>, Verdict)>> {
    let store = Store::open(STORE).await?;
    let Some(record) = issued::get(&store, token).await? else {
        return Ok(None);
    };
    let (Ok(slug), Some(sha)) = (TenantSlug::parse(&record.tenant), record.digest()) else {
        return Ok(None);
    };
    let scope = TenantScope::new(&slug);
    let s3 = S3Client::from_variables().await?;
    let Some(pdf) = s3.get_object(&scope.attachment_object(&sha)).await? else {
        return Ok(None);
    };
    let tenant = repo::get_tenant(&store, &slug).await?;
    let title = match ghiseu_core::DocumentTypeCode::parse(&record.document_type) {
        Ok(code) => repo::document_type(&store, &scope, &code)
            .await?
            .map(|t| t.titles.ro.to_string()),
        Err(_) => None,
    };
    let roots = trust::roots(&store).await?;
    let verdict = judge(&record, &pdf, &roots, tenant.as_ref(), title, token);
    Ok(Some((record, pdf, verdict)))
}

fn judge(
    record: &Issued,
    pdf: &[u8],
    roots: &[Vec<u8>],
    tenant: Option<&ghiseu_core::Tenant>,
    title: Option<String>,
    token: &TrackingToken,
) -> Verdict {
    let (valid, signer, signed_at, timestamp, whole, problems, sha256) =
        match ghiseu_pades::verify(pdf, roots) {
            Ok(report) => {
                let last = report.signatures.last();
                let mut problems: Vec<String> = report
                    .signatures
                    .iter()
                    .flat_map(|s| s.problems.iter().cloned())
                    .collect();
                if report.signatures.is_empty() {
                    problems.push("The document carries no signature.".to_owned());
                }
                (
                    report.valid(),
                    last.map(|s| s.signer.clone()),
                    last.and_then(|s| s.signing_time),
                    last.and_then(|s| s.timestamp),
                    last.is_some_and(|s| s.covers_whole_document),
                    problems,
                    ghiseu_platform::session::hex(&report.document_sha256),
                )
            }
            Err(e) => (
                false,
                None,
                None,
                None,
                false,
                vec![format!("The file could not be read as a signed PDF: {e}")],
                ghiseu_core::Sha256Digest::of(pdf).to_hex(),
            ),
        };
    let valid = valid && sha256 == record.sha256;
    Verdict {
        valid,
        institution: Institution {
            slug: record.tenant.clone(),
            name: tenant.map_or_else(|| record.tenant.clone(), |t| t.name.to_string()),
        },
        document_type: DocumentType {
            code: record.document_type.clone(),
            title: title.unwrap_or_else(|| record.document_type.clone()),
        },
        registration_number: record.number.clone(),
        signer,
        signed_at,
        timestamp,
        sha256,
        covers_whole_document: whole,
        problems,
        document_url: format!("/verify/{token}/document.pdf"),
    }
}

struct Texts {
    title: &'static str,
    valid: &'static str,
    invalid: &'static str,
    institution: &'static str,
    document_type: &'static str,
    number: &'static str,
    signer: &'static str,
    signed_at: &'static str,
    timestamp: &'static str,
    sha256: &'static str,
    download: &'static str,
    scope: &'static str,
    not_found: &'static str,
    not_found_detail: &'static str,
}

fn texts(lang: Lang) -> Texts {
    match lang {
        Lang::Ro => Texts {
            title: "Verificarea unui act emis",
            valid: "Semnătură validă: documentul nu a fost modificat de la semnare.",
            invalid: "Semnătura NU este validă pentru acest document.",
            institution: "Instituția",
            document_type: "Tipul documentului",
            number: "Număr de înregistrare",
            signer: "Semnat de",
            signed_at: "Data semnării",
            timestamp: "Marcă temporală (atestată de o autoritate)",
            sha256: "Amprenta documentului (SHA-256)",
            download: "Descarcă documentul semnat (PDF)",
            scope: "Se verifică integritatea documentului, semnătura și lanțul certificatului până la o autoritate de încredere a platformei. Revocarea certificatului nu este verificată aici.",
            not_found: "Document negăsit",
            not_found_detail: "Nu există un act emis cu acest cod de verificare.",
        },
        Lang::Hu => Texts {
            title: "Kiadott irat ellenőrzése",
            valid: "Érvényes aláírás: a dokumentum az aláírás óta nem változott.",
            invalid: "Az aláírás NEM érvényes erre a dokumentumra.",
            institution: "Intézmény",
            document_type: "Irattípus",
            number: "Iktatószám",
            signer: "Aláíró",
            signed_at: "Aláírás ideje",
            timestamp: "Időbélyeg (hitelesítő által igazolt)",
            sha256: "A dokumentum lenyomata (SHA-256)",
            download: "Az aláírt dokumentum letöltése (PDF)",
            scope: "Ellenőrizzük a dokumentum sértetlenségét, az aláírást és a tanúsítványláncot a platform megbízható hitelesítőjéig. A visszavonást itt nem ellenőrizzük.",
            not_found: "A dokumentum nem található",
            not_found_detail: "Ezzel az ellenőrző kóddal nincs kiadott irat.",
        },
        Lang::En => Texts {
            title: "Verification of an issued document",
            valid: "Valid signature: the document has not changed since it was signed.",
            invalid: "The signature is NOT valid for this document.",
            institution: "Institution",
            document_type: "Document type",
            number: "Registration number",
            signer: "Signed by",
            signed_at: "Signed at",
            timestamp: "Timestamp (attested by an authority)",
            sha256: "Document fingerprint (SHA-256)",
            download: "Download the signed document (PDF)",
            scope: "This checks the document's integrity, the signature and the certificate chain up to an authority the platform trusts. Revocation is not checked here.",
            not_found: "Document not found",
            not_found_detail: "No issued document has this verification code.",
        },
    }
}

fn render(v: &Verdict, token: &TrackingToken, lang: Lang) -> String {
    let t = texts(lang);
    let content: Markup = html! {
        h1 { (t.title) }
        @if v.valid { p.valid role="status" { (t.valid) } } @else { p.invalid role="alert" { (t.invalid) } }
        @if !v.valid && !v.problems.is_empty() {
            ul { @for p in &v.problems { li { (p) } } }
        }
        dl {
            dt { (t.institution) } dd { (v.institution.name) }
            dt { (t.document_type) } dd { (v.document_type.title) }
            dt { (t.number) } dd { (v.registration_number) }
            @if let Some(s) = &v.signer { dt { (t.signer) } dd { (s) } }
            @if let Some(at) = v.signed_at {
                dt { (t.signed_at) } dd { time datetime=(at.to_rfc3339()) { (local_datetime(at).format("%d.%m.%Y %H:%M").to_string()) } }
            }
            @if let Some(at) = v.timestamp {
                dt { (t.timestamp) } dd { time datetime=(at.to_rfc3339()) { (local_datetime(at).format("%d.%m.%Y %H:%M:%S").to_string()) } }
            }
            dt { (t.sha256) } dd.hash { (v.sha256) }
        }
        p { a href=(v.document_url) { (t.download) } }
        p { small { (t.scope) } }
    };
    page::layout(lang, t.title, &format!("/verify/{token}"), content).into_string()
}

fn not_found(resource: Resource, lang: Lang, path: &str) -> Response {
    if resource == Resource::Api {
        return web::problem(StatusCode::NOT_FOUND, "No issued document has this code.");
    }
    let t = texts(lang);
    let content = html! { h1 { (t.not_found) } p { (t.not_found_detail) } };
    html_page(
        StatusCode::NOT_FOUND,
        page::layout(lang, t.not_found, path, content).into_string(),
    )
}

fn html_page(status: StatusCode, body: String) -> Response {
    page::response(status, body, "no-store")
}
