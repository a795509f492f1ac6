//! The registry's receipt of a dossier: `GET /desk/dossiers/{id}/receipt` (the
//! page shown after intake: what was registered, a print button, the two PDFs)
//! and `GET /desk/dossiers/{id}/receipt.pdf?size=a6|a4` (the A6 label and the
//! A4 receipt as PDFs of that page size, rendered by `ghiseu_cerere`, in the
//! petitioner's language). Only officials of the dossier's tenant who may see
//! the dossier get either.

use ghiseu_cerere::{PaperSize, Receipt, render_receipt};
use ghiseu_core::route::RouteActor;
use ghiseu_core::{Action, Dossier, DossierId, Lang};
use ghiseu_platform::http::{self as web, Response, parse_form, secure_html_with};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use http::{HeaderValue, StatusCode, header};

use crate::error::DeskError;
use crate::pages::{self, ReceiptView};
use crate::session::Signed;

/// The receipt page's CSP: the desk's, plus `static/desk-intake.js` (the
/// print button).
const RECEIPT_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                           script-src 'self'; form-action 'self'; \
                           frame-ancestors 'none'; base-uri 'none'";

fn parse_id(raw: &str) -> Result<DossierId, DeskError> {
    DossierId::parse(raw).map_err(|_| DeskError::NotFound)
}

/// The dossier `id` of the official's tenant, if they may see it.
async fn load(store: &Store, signed: &Signed, id: DossierId) -> Result<Dossier, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let current = repo::get_dossier(store, &scope, &id)
        .await?
        .ok_or(DeskError::NotFound)?;
    ghiseu_core::authorize(&signed.actor, Action::View, &current.dossier)
        .map_err(|d| DeskError::from(ghiseu_core::WorkflowError::Denied(d)))?;
    Ok(current.dossier)
}

/// What a receipt shows besides the dossier: its type's titles and the
/// registrar's name.
struct Facts {
    dossier: Dossier,
    doc_type: ghiseu_core::DocumentType,
    registrar: String,
}

async fn facts(store: &Store, signed: &Signed, id: DossierId) -> Result<Facts, DeskError> {
    let dossier = load(store, signed, id).await?;
    let scope = TenantScope::new(&signed.tenant.slug);
    let doc_type = repo::document_type_version(
        store,
        &scope,
        dossier.document_type(),
        dossier.document_type_version(),
    )
    .await?
    .ok_or(DeskError::NotFound)?;
    let registrar = match dossier.route().events().first().map(|e| &e.event.actor) {
        Some(RouteActor::Official(username)) => {
            repo::official(store, &scope, username).await?.map_or_else(
                || username.as_str().to_owned(),
                |o| o.display_name.as_str().to_owned(),
            )
        }
        // Registered online: no one at the registry.
        _ => "—".to_owned(),
    };
    Ok(Facts {
        dossier,
        doc_type,
        registrar,
    })
}

/// `GET /desk/dossiers/{id}/{file}`: `receipt` (the page) or `receipt.pdf`.
pub async fn get(
    store: &Store,
    signed: &Signed,
    id: &str,
    file: &str,
    request: &web::Request,
) -> Result<Response, DeskError> {
    let id = parse_id(id)?;
    let query = request.uri().query().unwrap_or_default();
    if file == "receipt.pdf" {
        return pdf(store, signed, id, query).await;
    }
    let lang = crate::second_factor::lang(query, request.headers());
    page(store, signed, id, lang).await
}

/// `GET /desk/dossiers/{id}/receipt`, in the official's page language.
async fn page(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    lang: Lang,
) -> Result<Response, DeskError> {
    let f = facts(store, signed, id).await?;
    let html = pages::receipt_page(
        signed.viewer(),
        lang,
        &ReceiptView {
            dossier: &f.dossier,
            doc_type: &f.doc_type,
            registrar: &f.registrar,
            short_url: &signed.tenant.public_base_url.qr_url(f.dossier.token()),
        },
    );
    Ok(secure_html_with(StatusCode::OK, html, RECEIPT_CSP))
}

/// `GET /desk/dossiers/{id}/receipt.pdf?size=a6|a4` (no size: A4).
async fn pdf(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    query: &str,
) -> Result<Response, DeskError> {
    let size = match parse_form(query.as_bytes())
        .into_iter()
        .find(|(k, _)| k == "size")
    {
        None => PaperSize::A4,
        Some((_, v)) => PaperSize::from_code(&v).ok_or_else(|| {
            DeskError::Invalid(vec![(
                "size".to_owned(),
                "Formatul recipisei este a6 (eticheta) sau a4. / \
                 Az elismervény formátuma a6 vagy a4. / The receipt's size is a6 or a4."
                    .to_owned(),
            )])
        })?,
    };
    let f = facts(store, signed, id).await?;
    let d = &f.dossier;
    let lang = d.contact().lang.unwrap_or(Lang::Ro);
    let tenant = &signed.tenant;
    let number = d.number().to_string();
    let short_url = tenant.public_base_url.qr_url(d.token());
    let track_page = format!("{}/track", tenant.public_base_url.as_str());
    let code = d.token().receipt_code().to_string();
    let bytes = render_receipt(
        &Receipt {
            lang,
            institution: tenant.name.as_str(),
            petitioner: d.contact().name.as_ref().map_or("—", |n| n.as_str()),
            registration_number: &number,
            registered_at: d.registered_at(),
            document_type: f.doc_type.titles.get(lang).as_str(),
            deadline: d.deadline(),
            pages: d.paper_pages().map(|p| p.get()),
            registrar: &f.registrar,
            short_url: &short_url,
            track_page: &track_page,
            receipt_code: &code,
        },
        size,
    )
    .map_err(|e| DeskError::NotAllowed(e.to_string()))?;
    let mut r = web::bytes(StatusCode::OK, "application/pdf", bytes);
    let h = r.headers_mut();
    let kind = match size {
        PaperSize::A6 => "a6",
        PaperSize::A4 => "a4",
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename=\"recipisa-{number}-{kind}.pdf\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}
