//! A dossier at the desk: `GET /desk/dossiers/{id}` (the page and the forms
//! of what its viewer may do), `GET /desk/dossiers/{id}/receipt[?format=a6]`
//! (the printable receipt), `POST /desk/dossiers/{id}/actions` (one
//! form per action, urlencoded), `POST /desk/dossiers/{id}/response` (the
//! response document, multipart) and `GET /desk/dossiers/{id}/files/{sha256}`
//! (an attachment or response, shown in the browser).
//!
//! Each handler parses the form into a [`Command`], checks what only the
//! platform can check (the department exists, the official belongs to it, the
//! earlier dossier exists, the receiving institution exists), and calls
//! [`ghiseu_app::dossiers::act_on`], which applies it with a leased replace: of two officials
//! acting on the same version, one succeeds and the other is told (409).

use ghiseu_app::dossiers::{Scan, act_on, complete_forwarding, receiving_type, store_file};
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::workflow::Command;
use ghiseu_core::{
    Action, DepartmentCode, DossierId, MediaType, PublicNames, PublicNote, Reason,
    RegistrationNumber, Sha256Digest, TenantSlug, Username,
};
use ghiseu_platform::Outbound;
use ghiseu_platform::http::{
    self as web, Form, Response, form_field as field, parse_form, secure_html,
    see_other as redirect,
};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::multipart;
use ghiseu_platform::repo;
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::session::random_bytes;
use http::{HeaderValue, StatusCode, header};

use crate::error::{DeskError, refuse_csrf};
use crate::intake::MAX_FILE_BYTES;
use crate::pages;
use crate::session::{Signed, csrf_ok};

async fn load(
    store: &Store,
    signed: &Signed,
    id: DossierId,
) -> Result<ghiseu_core::Dossier, DeskError> {
    Ok(load_versioned(store, signed, id).await?.dossier)
}

/// The dossier `id` of the official's tenant as stored (for a
/// leased replace), if the official may see it.
async fn load_versioned(
    store: &Store,
    signed: &Signed,
    id: DossierId,
) -> Result<repo::Versioned, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let current = repo::get_dossier(store, &scope, &id)
        .await?
        .ok_or(DeskError::NotFound)?;
    ghiseu_core::authorize(&signed.actor, ghiseu_core::Action::View, &current.dossier)
        .map_err(|d| DeskError::from(ghiseu_core::WorkflowError::Denied(d)))?;
    Ok(current)
}

/// `GET /desk/dossiers/{id}`.
pub async fn dossier_page(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    errors: Option<&[(String, String)]>,
) -> Result<Response, DeskError> {
    let dossier = load(store, signed, id).await?;
    let scope = TenantScope::new(&signed.tenant.slug);
    let departments = repo::departments(store, &scope).await?;
    let officials = repo::officials(store, &scope).await?;
    let names = PublicNames::of(&departments, &officials);
    let institutions: Vec<(String, String)> = repo::tenants(store)
        .await?
        .into_iter()
        .filter(|t| t.active && t.slug != signed.tenant.slug)
        .map(|t| (t.slug.to_string(), t.name.to_string()))
        .collect();
    let forwarded = match dossier.forwarded_to() {
        Some((tenant, to)) => {
            let there = TenantScope::new(tenant);
            let mut receiving = repo::get_dossier(store, &there, to).await?;
            if receiving.is_none() {
                // A forwarding interrupted before the receiving dossier
                // existed is completed here (idempotent).
                complete_forwarding(
                    store,
                    &Outbound::from_variables().await?,
                    &dossier,
                    ghiseu_platform::config::now(),
                )
                .await?;
                receiving = repo::get_dossier(store, &there, to).await?;
            }
            receiving.map(|v| (tenant.to_string(), v.dossier.number().to_string()))
        }
        None => None,
    };
    let doc_type = repo::document_type_version(
        store,
        &scope,
        dossier.document_type(),
        dossier.document_type_version(),
    )
    .await?;
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let today = ghiseu_core::calendar::local_date(ghiseu_platform::config::now());
    Ok(secure_html(
        status,
        pages::dossier(
            signed.viewer(),
            &pages::DossierPage {
                d: &dossier,
                doc_type: doc_type.as_ref(),
                departments: &departments,
                officials: &officials,
                names: &names,
                institutions: &institutions,
                forwarded,
                today,
            },
            errors.unwrap_or(&[]),
        ),
    ))
}

/// `GET /desk/dossiers/{id}/receipt`.
pub async fn receipt(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    a6: bool,
) -> Result<Response, DeskError> {
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
    Ok(secure_html(
        StatusCode::OK,
        pages::receipt(&signed.tenant, &dossier, &doc_type, a6),
    ))
}

type Errors = Vec<(String, String)>;

fn err(field: &str, message: &str) -> Errors {
    vec![(field.to_owned(), message.to_owned())]
}

fn public_note(form: &Form, name: &str) -> Result<Option<PublicNote>, Errors> {
    match field(form, name) {
        None => Ok(None),
        Some(v) => PublicNote::parse(v)
            .map(Some)
            .map_err(|e| err(name, &format!("Notă: {e}"))),
    }
}

fn reason(form: &Form, name: &str, missing: &str) -> Result<Reason, Errors> {
    let v = field(form, name).ok_or_else(|| err(name, missing))?;
    Reason::parse(v).map_err(|e| err(name, &format!("{missing} ({e})")))
}

fn department(form: &Form, name: &str) -> Result<DepartmentCode, Errors> {
    field(form, name)
        .and_then(|v| DepartmentCode::parse(v).ok())
        .ok_or_else(|| err(name, "Alegeți departamentul."))
}

/// Parses the action form into a command (without the checks that need the
/// store).
fn parse_action(form: &Form) -> Result<Command, Errors> {
    match field(form, "action").and_then(Action::from_code) {
        Some(Action::Assign) => {
            let official = match field(form, "official") {
                None => None,
                Some(v) => Some(
                    Username::parse(v).map_err(|_| err("official", "Funcționar necunoscut."))?,
                ),
            };
            Ok(Command::Assign {
                department: department(form, "department")?,
                official,
            })
        }
        Some(Action::Forward) => Ok(Command::Forward {
            to_department: department(form, "to_department")?,
            note: public_note(form, "forward_note")?,
        }),
        Some(Action::RequestInfo) => Ok(Command::RequestInfo {
            question: reason(form, "question", "Scrieți ce informații cereți petentului.")?,
        }),
        Some(Action::RecordReply) => Ok(Command::RecordReply {
            note: public_note(form, "reply_note")?,
        }),
        Some(Action::SendForSignature) => Ok(Command::SendForSignature),
        Some(Action::Resolve) => Ok(Command::Resolve {
            note: public_note(form, "resolve_note")?,
        }),
        Some(Action::Reject) => Ok(Command::Reject {
            reason: reason(form, "reason", "Scrieți motivul respingerii.")?,
        }),
        Some(Action::ExtendDeadline) => {
            let days = field(form, "days")
                .and_then(|v| v.trim().parse::<u16>().ok())
                .filter(|d| (1..=ghiseu_core::deadline::MAX_EXTENSION_DAYS).contains(d))
                .ok_or_else(|| err("days", "Prelungirea este de 1 până la 15 zile."))?;
            Ok(Command::ExtendDeadline {
                days,
                reason: reason(form, "extend_reason", "Scrieți motivul prelungirii.")?,
            })
        }
        Some(Action::JoinDuplicate) => {
            let into = field(form, "into")
                .and_then(|v| v.trim().parse::<RegistrationNumber>().ok())
                .ok_or_else(|| {
                    err(
                        "into",
                        "Scrieți numărul de înregistrare al dosarului anterior (ex. CJC-2026-000012).",
                    )
                })?;
            Ok(Command::JoinDuplicate { into })
        }
        Some(Action::ForwardToInstitution) => {
            let tenant = field(form, "to_tenant")
                .and_then(|v| TenantSlug::parse(v).ok())
                .ok_or_else(|| err("to_tenant", "Alegeți instituția."))?;
            let id = random_bytes::<16>().map_err(|_| err("to_tenant", "Încercați din nou."))?;
            Ok(Command::ForwardToInstitution {
                tenant,
                dossier: DossierId::from_random(id),
                note: public_note(form, "institution_note")?,
            })
        }
        _ => Err(err("action", "Acțiune necunoscută.")),
    }
}

/// The checks a command needs from the store; `Err` holds form errors.
async fn check(
    store: &Store,
    signed: &Signed,
    current: &ghiseu_core::Dossier,
    command: &Command,
) -> Result<Errors, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let mut errors = Errors::new();
    let problem: Option<(&str, String)> = match command {
        Command::Assign {
            department,
            official: Some(user),
        } => {
            let ok = repo::official(store, &scope, user)
                .await?
                .is_some_and(|o| o.active && o.department.as_ref() == Some(department));
            (!ok).then(|| {
                (
                    "official",
                    "Funcționarul ales nu face parte din departament.".to_owned(),
                )
            })
        }
        Command::JoinDuplicate { into } => repo::dossier_by_number(store, &scope, into)
            .await?
            .is_none()
            .then(|| ("into", format!("Nu există dosarul {into} în instituție."))),
        Command::ForwardToInstitution { tenant, .. } => {
            let ok = repo::get_tenant(store, tenant)
                .await?
                .is_some_and(|t| t.active && t.slug != signed.tenant.slug);
            if !ok {
                Some(("to_tenant", "Instituție necunoscută.".to_owned()))
            } else {
                // The receiving institution must be able to register it (the
                // same document type, or a petition) before anything changes.
                let fits =
                    receiving_type(store, &TenantScope::new(tenant), current.document_type())
                        .await?
                        .is_some();
                (!fits).then(|| {
                    (
                        "to_tenant",
                        "Instituția aleasă nu are un tip de document potrivit (nici petiție)."
                            .to_owned(),
                    )
                })
            }
        }
        _ => None,
    };
    if let Some((field, message)) = problem {
        errors.push((field.to_owned(), message));
    }
    if let Command::Assign { department, .. }
    | Command::Forward {
        to_department: department,
        ..
    } = command
        && !repo::departments(store, &scope)
            .await?
            .iter()
            .any(|d| &d.code == department && d.active)
    {
        errors.push(("department".into(), "Departament necunoscut.".into()));
    }
    Ok(errors)
}

/// `POST /desk/dossiers/{id}/actions`.
pub async fn action(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    body: &[u8],
) -> Result<Response, DeskError> {
    let form = parse_form(body);
    if !csrf_ok(signed, field(&form, "csrf")) {
        return Err(refuse_csrf());
    }
    // Make sure the dossier is visible before saying anything about the form.
    let current = load_versioned(store, signed, id).await?;
    let command = match parse_action(&form) {
        Ok(c) => c,
        Err(errors) => return dossier_page(store, signed, id, Some(&errors)).await,
    };
    let errors = check(store, signed, &current.dossier, &command).await?;
    if !errors.is_empty() {
        return dossier_page(store, signed, id, Some(&errors)).await;
    }
    let out = Outbound::from_variables().await?;
    act_as(
        store,
        &out,
        signed,
        current,
        field(&form, "route_head"),
        command,
    )
    .await?;
    Ok(redirect(&format!("/desk/dossiers/{id}")))
}

/// `POST /desk/dossiers/{id}/response` (multipart: `csrf`, `route_head`,
/// `document`, read and its CSRF token checked by `intake::read_form`):
/// attaches a response document.
pub async fn response(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    parts: Vec<multipart::Part>,
) -> Result<Response, DeskError> {
    let text = |name: &str| multipart::text(&parts, name).map(str::to_owned);
    let current = load_versioned(store, signed, id).await?;
    let route_head = text("route_head");
    let file = parts
        .into_iter()
        .find(|p| p.name == "document" && p.filename.as_deref().is_some_and(|f| !f.is_empty()));
    let scan = match file {
        None => Err(err("document", "Alegeți documentul de răspuns.")),
        Some(p) if p.data.len() > MAX_FILE_BYTES => {
            Err(err("document", "Fișierul depășește 10 MB."))
        }
        Some(p) => match (
            OriginalName::parse(p.filename.as_deref().unwrap_or_default()),
            MediaType::sniff(&p.data),
        ) {
            (Err(_), _) => Err(err("document", "Numele fișierului nu este valid.")),
            (_, None) => Err(err("document", "Doar PDF, JPEG sau PNG sunt acceptate.")),
            (Ok(name), Some(media_type)) => Ok(Scan {
                name,
                media_type,
                data: p.data,
            }),
        },
    };
    let scan = match scan {
        Ok(s) => s,
        Err(errors) => return dossier_page(store, signed, id, Some(&errors)).await,
    };
    // Authorised and possible before anything is stored.
    ghiseu_core::workflow::permitted(&current.dossier, Action::AttachResponse, &signed.actor)?;
    let scope = TenantScope::new(&signed.tenant.slug);
    let out = Outbound::from_variables().await?;
    let document = store_file(&out.files, &scope, scan).await?;
    let command = Command::AttachResponse { document };
    act_as(store, &out, signed, current, route_head.as_deref(), command).await?;
    Ok(redirect(&format!("/desk/dossiers/{id}")))
}

/// Applies `command` as the signed-in official to `current` now, if its
/// route head is still `head` (what the official saw).
async fn act_as(
    store: &Store,
    out: &Outbound,
    signed: &Signed,
    current: ghiseu_platform::repo::Versioned,
    head: Option<&str>,
    command: Command,
) -> Result<(), DeskError> {
    let now = ghiseu_platform::config::now();
    act_on(
        store,
        out,
        &signed.tenant,
        &signed.actor,
        current,
        head,
        command,
        now,
    )
    .await?;
    Ok(())
}

/// `GET /desk/dossiers/{id}/files/{sha256}`: a file of the dossier (scan or
/// response), inline, with its checked content type and a sandboxing CSP.
pub async fn file(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    sha: &str,
) -> Result<Response, DeskError> {
    let dossier = load(store, signed, id).await?;
    let sha = Sha256Digest::parse(sha).map_err(|_| DeskError::NotFound)?;
    let Some(meta) = dossier.document(&sha) else {
        return Err(DeskError::NotFound);
    };
    let scope = TenantScope::new(&signed.tenant.slug);
    let s3 = S3Client::from_variables().await?;
    let bytes = s3
        .get_object(&scope.attachment_object(&sha))
        .await?
        .ok_or(DeskError::NotFound)?;
    let mut r = web::bytes(StatusCode::OK, meta.media_type.mime(), bytes);
    let h = r.headers_mut();
    let name: String = meta
        .original_name
        .as_str()
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
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(r)
}
