//! Registry intake of paper, in two steps that work without JavaScript:
//! `GET /desk/intake` chooses the document type, `GET /desk/intake?document_type=`
//! is that type's form, and `POST /desk/intake` (multipart: the scanned pages,
//! the petitioner's name, contact and language, the page count, the type's
//! form fields) registers it and shows the receipt. With JavaScript
//! (`static/desk-intake.js`) changing the type in the form swaps its fields.

use ghiseu_app::dossiers::{Intake, Registrant, Scan, register};
use ghiseu_core::dossier::{OriginalName, PageCount};
use ghiseu_core::{
    CitizenContact, CitizenName, ContactError, DocumentTypeCode, Email, InternalNote, Lang,
    MediaType, PhoneNumber,
};
use ghiseu_platform::Outbound;
use ghiseu_platform::http::{
    self as web, Form, Incoming, Response, form_field as field, parse_form, secure_html_with,
    see_other as redirect,
};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::multipart;
use ghiseu_platform::repo;
use http::{HeaderMap, StatusCode};

use crate::error::{DeskError, refuse_csrf};
use crate::pages;
use crate::session::{Signed, csrf_ok};

mod words;

/// Largest intake form accepted (several scanned pages).
const MAX_FORM_BYTES: usize = 42 * 1024 * 1024;

/// Largest scanned page accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The intake pages' CSP: the desk's, plus their own script
/// (`static/desk-intake.js`) and its fetch of the chosen type's fields.
const INTAKE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                          script-src 'self'; connect-src 'self'; form-action 'self'; \
                          frame-ancestors 'none'; base-uri 'none'";

fn page(status: StatusCode, html: String) -> Response {
    secure_html_with(status, html, INTAKE_CSP)
}

/// `GET /desk/intake`: step 1, the choice of the document type; with
/// `?document_type=` of one of the tenant's types, step 2, its form (an
/// unknown type goes back to step 1 with a message).
pub async fn intake_page(
    store: &Store,
    signed: &Signed,
    query: &str,
    request: &web::Request,
) -> Result<Response, DeskError> {
    let lang = crate::second_factor::lang(query, request.headers());
    let scope = TenantScope::new(&signed.tenant.slug);
    let types = repo::document_types(store, &scope).await?;
    let values: Form = parse_form(query.as_bytes())
        .into_iter()
        .filter(|(k, _)| k == "document_type")
        .collect();
    let chosen = field(&values, "document_type").map(str::trim);
    let html = match chosen {
        None | Some("") => pages::intake_choice(signed.viewer(), lang, &types, &[]),
        Some(code) if types.iter().any(|t| t.code.as_str() == code) => {
            pages::intake(signed.viewer(), lang, &types, &[], &values)
        }
        Some(_) => {
            let errors = vec![("document_type".to_owned(), words::unknown_type(lang))];
            return Ok(page(
                StatusCode::NOT_FOUND,
                pages::intake_choice(signed.viewer(), lang, &types, &errors),
            ));
        }
    };
    let mut r = page(StatusCode::OK, html);
    if let Some(c) = ghiseu_platform::chrome::remember_language(query) {
        web::set_cookie(&mut r, &c);
    }
    Ok(r)
}

/// The form data of the chosen type: on paper, what the registrar copies is
/// optional, but every value given is checked (input names `f_{field}`).
fn intake_form(
    types: &[ghiseu_core::DocumentType],
    values: &Form,
    lang: Lang,
) -> Result<ghiseu_core::form::FormData, Vec<(String, String)>> {
    let Some(t) = field(values, "document_type")
        .and_then(|c| types.iter().find(|t| t.code.as_str() == c.trim()))
    else {
        return Ok(Default::default());
    };
    ghiseu_core::form::validate(t, |n| field(values, &format!("f_{n}")), false).map_err(|errs| {
        errs.into_iter()
            .map(|(name, e)| {
                let label = t
                    .fields
                    .iter()
                    .find(|f| f.name == name)
                    .map_or(name.as_str(), |f| f.label.get(lang).as_str());
                (format!("f_{}", name.as_str()), format!("{label}: {e}"))
            })
            .collect()
    })
}

/// The petitioner as the registrar copied it: name, e-mail and phone each
/// optional (a request may come unsigned, without contact) but checked when
/// given; the language of their messages and receipt is Romanian, Hungarian or
/// English (none: Romanian).
fn petitioner(values: &Form, lang: Lang, errors: &mut Vec<(String, String)>) -> CitizenContact {
    let text = |name: &str| field(values, name).map(str::trim).filter(|v| !v.is_empty());
    let mut contact = CitizenContact::default();
    if let Some(v) = text("email") {
        match Email::parse(v) {
            Ok(e) => contact.email = Some(e),
            Err(_) => errors.push(("email".into(), words::contact(lang, ContactError::Email))),
        }
    }
    if let Some(v) = text("phone") {
        match PhoneNumber::parse(v) {
            Ok(p) => contact.phone = Some(p),
            Err(_) => errors.push(("phone".into(), words::contact(lang, ContactError::Phone))),
        }
    }
    match text("name").map(CitizenName::parse) {
        Some(Ok(n)) => contact.name = Some(n),
        Some(Err(_)) => errors.push(("name".into(), words::contact(lang, ContactError::Name))),
        None => {}
    }
    match text("lang").map(|l| (l, Lang::from_code(l))) {
        None => {}
        Some((_, Some(chosen))) => contact.lang = Some(chosen),
        Some((l, None)) => errors.push(("lang".into(), words::unknown_lang(lang, l))),
    }
    contact
}

/// The page count, if given: a whole number from 1 to 9999.
fn page_count(values: &Form, lang: Lang, errors: &mut Vec<(String, String)>) -> Option<PageCount> {
    match PageCount::parse(field(values, "pages")?) {
        Ok(n) => Some(n),
        Err(e) => {
            errors.push(("pages".into(), words::page_count(lang, e)));
            None
        }
    }
}

/// Parses the intake form; every problem is reported at once.
fn parse_intake(
    parts: Vec<multipart::Part>,
    lang: Lang,
) -> (Result<Intake, Vec<(String, String)>>, Form) {
    let mut values = Form::new();
    let mut scans = Vec::new();
    let mut errors = Vec::new();
    for part in parts {
        if part.name == "scan" {
            let Some(filename) = part.filename.filter(|f| !f.is_empty()) else {
                continue;
            };
            if part.data.is_empty() {
                continue;
            }
            let Ok(name) = OriginalName::parse(&filename) else {
                errors.push(("scan".into(), words::file_name(lang)));
                continue;
            };
            if part.data.len() > MAX_FILE_BYTES {
                errors.push(("scan".into(), words::too_large(lang, &filename)));
                continue;
            }
            match MediaType::sniff(&part.data) {
                Some(media_type) => scans.push(Scan {
                    name,
                    media_type,
                    data: part.data,
                }),
                None => errors.push(("scan".into(), words::file_kind(lang, &filename))),
            }
        } else if let Ok(v) = String::from_utf8(part.data) {
            values.push((part.name, v));
        } else {
            errors.push((part.name, words::not_utf8(lang)));
        }
    }
    let text = |name: &str| field(&values, name).map(str::trim);
    let doc_type = match text("document_type").map(DocumentTypeCode::parse) {
        Some(Ok(c)) => Some(c),
        _ => {
            errors.push(("document_type".into(), words::unknown_type(lang)));
            None
        }
    };
    let contact = petitioner(&values, lang, &mut errors);
    let pages = page_count(&values, lang, &mut errors);
    let note = match text("note").map(InternalNote::parse) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            errors.push(("note".into(), words::note(lang, &e)));
            None
        }
    };
    if scans.is_empty() && !errors.iter().any(|(f, _)| f == "scan") {
        errors.push(("scan".into(), words::no_scan(lang)));
    }
    let result = match doc_type {
        Some(document_type) if errors.is_empty() => Ok(Intake {
            channel: ghiseu_core::Channel::Paper,
            stored: Vec::new(),
            document_type,
            contact,
            scans,
            note,
            public_note: None,
            form: Default::default(),
            paper_pages: pages,
        }),
        _ => Err(errors),
    };
    (result, values)
}

/// The parts of a desk upload form (the intake, a response document), read
/// as the body arrives ([`web::read_multipart`]): the session was checked
/// before, and the CSRF token, which every desk form sends first, is
/// checked before any file is read. Anything else first is refused as a
/// forged form.
pub async fn read_form(
    signed: &Signed,
    headers: &HeaderMap,
    body: Incoming,
    limit: usize,
    max_parts: usize,
) -> Result<Vec<multipart::Part>, DeskError> {
    web::read_multipart(headers, body, limit, max_parts, "csrf", |token| {
        csrf_ok(signed, Some(token))
    })
    .await?
    .ok_or_else(refuse_csrf)
}

/// `POST /desk/intake`: the form read by [`read_form`] (at most 64 parts,
/// [`MAX_FORM_BYTES`] in all), then registered.
pub async fn post(
    store: &Store,
    signed: &Signed,
    query: &str,
    request: web::Request,
) -> Result<Response, DeskError> {
    let (parts, body) = request.into_parts();
    let form = read_form(signed, &parts.headers, body, MAX_FORM_BYTES, 64).await?;
    intake(store, signed, form, (query, &parts.headers)).await
}

/// Registers the intake form's `parts`.
async fn intake(
    store: &Store,
    signed: &Signed,
    parts: Vec<multipart::Part>,
    (query, headers): (&str, &HeaderMap),
) -> Result<Response, DeskError> {
    let lang = crate::second_factor::lang(query, headers);
    let (parsed, values) = parse_intake(parts, lang);
    let scope = TenantScope::new(&signed.tenant.slug);
    let types = repo::document_types(store, &scope).await?;
    let intake = match (parsed, intake_form(&types, &values, lang)) {
        (Ok(mut i), Ok(form)) => {
            i.form = form;
            i
        }
        (parsed, form) => {
            let mut errors = parsed.err().unwrap_or_default();
            errors.extend(form.err().unwrap_or_default());
            return Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                pages::intake(signed.viewer(), lang, &types, &errors, &values),
            ));
        }
    };
    let dossier = register(
        store,
        &Outbound::from_variables().await?,
        &signed.tenant,
        Registrant::Official(&signed.actor),
        intake,
        ghiseu_platform::config::now(),
    )
    .await?;
    Ok(redirect(&format!(
        "/desk/dossiers/{}/receipt",
        dossier.id()
    )))
}
