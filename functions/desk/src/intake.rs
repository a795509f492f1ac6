//! Registry intake of paper: `GET|POST /desk/intake` (multipart: the scanned
//! pages, the citizen's contact and the language of their messages, the
//! document type and its form fields).

use ghiseu_app::dossiers::{Intake, Registrant, Scan, register};
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::{
    CitizenContact, CitizenName, DocumentTypeCode, Email, InternalNote, Lang, MediaType,
    PhoneNumber,
};
use ghiseu_platform::Outbound;
use ghiseu_platform::http::{
    self as web, Form, Incoming, Response, form_field as field, parse_form, secure_html,
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

/// Largest scanned page accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// `GET /desk/intake`.
/// `?document_type=` preselects a type and shows its form fields.
pub async fn intake_page(
    store: &Store,
    signed: &Signed,
    query: &str,
) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let types = repo::document_types(store, &scope).await?;
    let values: Form = parse_form(query.as_bytes())
        .into_iter()
        .filter(|(k, _)| k == "document_type")
        .collect();
    Ok(secure_html(
        StatusCode::OK,
        pages::intake(signed.viewer(), &types, &[], &values),
    ))
}

/// The form data of the chosen type: on paper, what the registrar copies is
/// optional, but every value given is checked (input names `f_{field}`).
fn intake_form(
    types: &[ghiseu_core::DocumentType],
    values: &Form,
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
                    .map_or(name.as_str(), |f| f.label.ro.as_str());
                (format!("f_{}", name.as_str()), format!("{label}: {e}"))
            })
            .collect()
    })
}

/// The petitioner's contact as the registrar copied it (every part
/// optional, every part given checked), with the language of their messages
/// (none: Romanian).
fn petitioner(values: &Form, errors: &mut Vec<(String, String)>) -> CitizenContact {
    let text = |name: &str| field(values, name).map(str::trim);
    let mut contact = CitizenContact::default();
    if let Some(v) = text("email") {
        match Email::parse(v) {
            Ok(e) => contact.email = Some(e),
            Err(e) => errors.push(("email".into(), format!("E-mail: {e}"))),
        }
    }
    if let Some(v) = text("phone") {
        match PhoneNumber::parse(v) {
            Ok(p) => contact.phone = Some(p),
            Err(e) => errors.push(("phone".into(), format!("Telefon: {e}"))),
        }
    }
    if let Some(v) = text("name") {
        match CitizenName::parse(v) {
            Ok(n) => contact.name = Some(n),
            Err(e) => errors.push(("name".into(), format!("Nume: {e}"))),
        }
    }
    match text("lang").map(|l| (l, Lang::from_code(l))) {
        None => {}
        Some((_, Some(lang))) => contact.lang = Some(lang),
        Some((l, None)) => errors.push((
            "lang".into(),
            format!("Limba „{l}” nu este oferită: română, maghiară sau engleză."),
        )),
    }
    contact
}

/// Parses the intake form; every problem is reported at once.
fn parse_intake(parts: Vec<multipart::Part>) -> (Result<Intake, Vec<(String, String)>>, Form) {
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
                errors.push(("scan".into(), "Numele fișierului nu este valid.".into()));
                continue;
            };
            if part.data.len() > MAX_FILE_BYTES {
                errors.push((
                    "scan".into(),
                    format!("{filename}: fișierul depășește 10 MB."),
                ));
                continue;
            }
            match MediaType::sniff(&part.data) {
                Some(media_type) => scans.push(Scan {
                    name,
                    media_type,
                    data: part.data,
                }),
                None => errors.push((
                    "scan".into(),
                    format!("{filename}: doar PDF, JPEG sau PNG sunt acceptate."),
                )),
            }
        } else if let Ok(v) = String::from_utf8(part.data) {
            values.push((part.name, v));
        } else {
            errors.push((part.name, "Textul nu este valid (UTF-8).".into()));
        }
    }
    let text = |name: &str| field(&values, name).map(str::trim);
    let doc_type = match text("document_type").map(DocumentTypeCode::parse) {
        Some(Ok(c)) => Some(c),
        _ => {
            errors.push(("document_type".into(), "Alegeți tipul documentului.".into()));
            None
        }
    };
    let contact = petitioner(&values, &mut errors);
    let note = match text("note").map(InternalNote::parse) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            errors.push(("note".into(), format!("Notă: {e}")));
            None
        }
    };
    if scans.is_empty() && !errors.iter().any(|(f, _)| f == "scan") {
        errors.push((
            "scan".into(),
            "Atașați cel puțin o pagină scanată (PDF, JPEG sau PNG).".into(),
        ));
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

/// `POST /desk/intake` (multipart, read by [`read_form`]).
pub async fn intake(
    store: &Store,
    signed: &Signed,
    parts: Vec<multipart::Part>,
) -> Result<Response, DeskError> {
    let (parsed, values) = parse_intake(parts);
    let scope = TenantScope::new(&signed.tenant.slug);
    let types = repo::document_types(store, &scope).await?;
    let intake = match (parsed, intake_form(&types, &values)) {
        (Ok(mut i), Ok(form)) => {
            i.form = form;
            i
        }
        (parsed, form) => {
            let mut errors = parsed.err().unwrap_or_default();
            errors.extend(form.err().unwrap_or_default());
            return Ok(secure_html(
                StatusCode::UNPROCESSABLE_ENTITY,
                pages::intake(signed.viewer(), &types, &errors, &values),
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
