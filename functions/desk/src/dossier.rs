//! A dossier at the desk: `GET /desk/dossiers/{id}` (the page and the forms
//! of what its viewer may do), `POST /desk/dossiers/{id}/actions` (one
//! form per action, urlencoded), `POST /desk/dossiers/{id}/response` (the
//! response document, multipart) and `GET /desk/dossiers/{id}/files/{sha256}`
//! (an attachment or response, shown in the browser).
//!
//! The page and its messages are in the official's language: `?lang=`, then
//! the `lang` cookie, then `Accept-Language` ([`lang`]).
//!
//! Each handler parses the form into a [`Command`], checks what only the
//! platform can check (the department exists, the official belongs to it, the
//! earlier dossier exists, the receiving institution exists), and calls
//! [`ghiseu_app::dossiers::act_on`], which applies it with a leased replace: of two officials
//! acting on the same version, one succeeds and the other is told (409).

use ghiseu_app::dossiers::{Scan, act_on, complete_forwarding, receiving_type, store_file};
use ghiseu_core::access::Opened;

use crate::access;
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::workflow::Command;
use ghiseu_core::{
    Action, DepartmentCode, DossierId, Lang, MediaType, PublicNames, PublicNote, Reason,
    RegistrationNumber, Sha256Digest, TenantSlug, Username,
};
use ghiseu_platform::Outbound;
use ghiseu_platform::http::{
    Form, Response, form_field as field, parse_form, secure_html, see_other as redirect,
};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::multipart;
use ghiseu_platform::repo;
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::session::random_bytes;
use http::{HeaderMap, StatusCode};

use crate::error::{DeskError, refuse_csrf};
use crate::intake::MAX_FILE_BYTES;
use crate::pages;
use crate::session::{Signed, csrf_ok};

/// The language of the dossier page: `?lang=`, the `lang` cookie, then
/// `Accept-Language`.
pub fn lang(query: &str, headers: &HeaderMap) -> Lang {
    ghiseu_platform::chrome::language(query, headers, None)
}

/// `[ro, hu, en]` in `lang`.
fn tr(lang: Lang, words: [&str; 3]) -> &str {
    lang.pick(words)
}

pub(crate) async fn load(
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
    lang: Lang,
) -> Result<Response, DeskError> {
    let dossier = load(store, signed, id).await?;
    let scope = TenantScope::new(&signed.tenant.slug);
    if errors.is_none() {
        access::opened(store, signed, &dossier, Opened::Dossier).await?;
    }
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
                lang,
            },
            errors.unwrap_or(&[]),
        ),
    ))
}

type Errors = Vec<(String, String)>;

fn err(field: &str, message: &str) -> Errors {
    vec![(field.to_owned(), message.to_owned())]
}

/// What is wrong with a text field, in `lang`: `missing` when empty, else
/// too long or with control characters.
fn text_error(lang: Lang, missing: &str, max: usize) -> String {
    match lang {
        Lang::Ro => format!("{missing} (cel mult {max} de caractere, fără caractere de control)"),
        Lang::Hu => format!("{missing} (legfeljebb {max} karakter, vezérlőkarakterek nélkül)"),
        Lang::En => format!("{missing} (at most {max} characters, no control characters)"),
    }
}

fn public_note(form: &Form, name: &str, lang: Lang) -> Result<Option<PublicNote>, Errors> {
    match field(form, name) {
        None => Ok(None),
        Some(v) => PublicNote::parse(v).map(Some).map_err(|_| {
            let what = tr(
                lang,
                [
                    "Nota publică nu este validă.",
                    "A nyilvános megjegyzés érvénytelen.",
                    "The public note is not valid.",
                ],
            );
            err(name, &text_error(lang, what, PublicNote::MAX_CHARS))
        }),
    }
}

/// A required text: `missing` when absent or blank.
fn reason(form: &Form, name: &str, missing: &str, lang: Lang) -> Result<Reason, Errors> {
    let v = field(form, name).ok_or_else(|| err(name, missing))?;
    Reason::parse(v).map_err(|_| err(name, &text_error(lang, missing, Reason::MAX_CHARS)))
}

fn department(form: &Form, name: &str, lang: Lang) -> Result<DepartmentCode, Errors> {
    field(form, name)
        .and_then(|v| DepartmentCode::parse(v).ok())
        .ok_or_else(|| {
            err(
                name,
                tr(
                    lang,
                    [
                        "Alegeți departamentul.",
                        "Válassza ki az osztályt.",
                        "Choose the department.",
                    ],
                ),
            )
        })
}

/// A destructive action needs its confirmation ticked (the error names the
/// action's checkbox, `confirm-{code}`).
fn confirmed(form: &Form, action: Action, lang: Lang) -> Result<(), Errors> {
    if field(form, "confirm") == Some("yes") {
        Ok(())
    } else {
        Err(err(
            &format!("confirm-{}", action.code()),
            tr(
                lang,
                [
                    "Bifați confirmarea: acțiunea închide cererea și nu poate fi anulată.",
                    "Jelölje be a megerősítést: a művelet lezárja a kérelmet, és nem vonható vissza.",
                    "Tick the confirmation: this closes the request and cannot be undone.",
                ],
            ),
        ))
    }
}

/// [`Command::Reject`]: the reason for the citizen (required) and an
/// optional internal note.
fn rejection(form: &Form, lang: Lang) -> Result<Command, Errors> {
    let missing = tr(
        lang,
        [
            "Scrieți motivul respingerii, pentru petent.",
            "Írja meg az elutasítás indokát a kérelmezőnek.",
            "Write the reason for the rejection, for the petitioner.",
        ],
    );
    let to_citizen = field(form, "reason")
        .ok_or_else(|| err("reason", missing))
        .and_then(|v| {
            PublicNote::parse(v)
                .map_err(|_| err("reason", &text_error(lang, missing, PublicNote::MAX_CHARS)))
        });
    let internal = match field(form, "internal_note") {
        None => Ok(None),
        Some(v) => Reason::parse(v).map(Some).map_err(|_| {
            let what = tr(
                lang,
                [
                    "Nota internă nu este validă.",
                    "A belső megjegyzés érvénytelen.",
                    "The internal note is not valid.",
                ],
            );
            err("internal_note", &text_error(lang, what, Reason::MAX_CHARS))
        }),
    };
    let mut errors = Errors::new();
    for e in [
        to_citizen.as_ref().err(),
        internal.as_ref().err(),
        confirmed(form, Action::Reject, lang).err().as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        errors.extend(e.iter().cloned());
    }
    match (to_citizen, internal) {
        (Ok(to_citizen), Ok(internal)) if errors.is_empty() => Ok(Command::Reject {
            to_citizen,
            internal,
        }),
        _ => Err(errors),
    }
}

/// Parses the action form into a command (without the checks that need the
/// store), with its errors in `lang`.
fn parse_action(form: &Form, lang: Lang) -> Result<Command, Errors> {
    let w = |words| tr(lang, words);
    match field(form, "action").and_then(Action::from_code) {
        Some(Action::Assign) => {
            let official = match field(form, "official") {
                None => None,
                Some(v) => Some(Username::parse(v).map_err(|_| {
                    err(
                        "official",
                        w([
                            "Funcționar necunoscut.",
                            "Ismeretlen ügyintéző.",
                            "Unknown official.",
                        ]),
                    )
                })?),
            };
            Ok(Command::Assign {
                department: department(form, "department", lang)?,
                official,
            })
        }
        Some(Action::Forward) => Ok(Command::Forward {
            to_department: department(form, "to_department", lang)?,
            note: public_note(form, "forward_note", lang)?,
        }),
        Some(Action::RequestInfo) => Ok(Command::RequestInfo {
            question: reason(
                form,
                "question",
                w([
                    "Scrieți ce informații cereți petentului.",
                    "Írja meg, milyen információt kér a kérelmezőtől.",
                    "Write what you ask the petitioner for.",
                ]),
                lang,
            )?,
        }),
        Some(Action::RecordReply) => Ok(Command::RecordReply {
            note: public_note(form, "reply_note", lang)?,
        }),
        Some(Action::SendForSignature) => Ok(Command::SendForSignature),
        Some(Action::Resolve) => Ok(Command::Resolve {
            note: public_note(form, "resolve_note", lang)?,
        }),
        Some(Action::Reject) => rejection(form, lang),
        Some(Action::ExtendDeadline) => extension(form, lang),
        Some(Action::JoinDuplicate) => joining(form, lang),
        Some(Action::ForwardToInstitution) => forwarding(form, lang),
        _ => Err(err(
            "action",
            w([
                "Acțiune necunoscută.",
                "Ismeretlen művelet.",
                "Unknown action.",
            ]),
        )),
    }
}

/// [`Command::ExtendDeadline`]: 1 to 15 days and a reason.
fn extension(form: &Form, lang: Lang) -> Result<Command, Errors> {
    let w = |words| tr(lang, words);
    let days = field(form, "days")
        .and_then(|v| v.trim().parse::<u16>().ok())
        .filter(|d| (1..=ghiseu_core::deadline::MAX_EXTENSION_DAYS).contains(d))
        .ok_or_else(|| {
            err(
                "days",
                w([
                    "Prelungirea este de 1 până la 15 zile.",
                    "A meghosszabbítás 1–15 nap.",
                    "An extension is 1 to 15 days.",
                ]),
            )
        })?;
    Ok(Command::ExtendDeadline {
        days,
        reason: reason(
            form,
            "extend_reason",
            w([
                "Scrieți motivul prelungirii.",
                "Írja meg a meghosszabbítás indokát.",
                "Write why the deadline is extended.",
            ]),
            lang,
        )?,
    })
}

/// [`Command::JoinDuplicate`]: the earlier number, confirmed.
fn joining(form: &Form, lang: Lang) -> Result<Command, Errors> {
    let w = |words| tr(lang, words);
    let into = field(form, "into")
        .and_then(|v| v.trim().parse::<RegistrationNumber>().ok())
        .ok_or_else(|| {
            err(
                "into",
                w([
                    "Scrieți numărul de înregistrare al dosarului anterior (ex. CJC-2026-000012).",
                    "Írja be a korábbi ügyirat iktatószámát (pl. CJC-2026-000012).",
                    "Write the earlier dossier's registration number (e.g. CJC-2026-000012).",
                ]),
            )
        });
    match (into, confirmed(form, Action::JoinDuplicate, lang)) {
        (Ok(into), Ok(())) => Ok(Command::JoinDuplicate { into }),
        (a, b) => Err([a.err(), b.err()].into_iter().flatten().flatten().collect()),
    }
}

/// [`Command::ForwardToInstitution`]: the receiving institution and a note.
fn forwarding(form: &Form, lang: Lang) -> Result<Command, Errors> {
    let w = |words| tr(lang, words);
    let tenant = field(form, "to_tenant")
        .and_then(|v| TenantSlug::parse(v).ok())
        .ok_or_else(|| {
            err(
                "to_tenant",
                w([
                    "Alegeți instituția.",
                    "Válassza ki az intézményt.",
                    "Choose the institution.",
                ]),
            )
        })?;
    let id = random_bytes::<16>().map_err(|_| {
        err(
            "to_tenant",
            w(["Încercați din nou.", "Próbálja újra.", "Please try again."]),
        )
    })?;
    Ok(Command::ForwardToInstitution {
        tenant,
        dossier: DossierId::from_random(id),
        note: public_note(form, "institution_note", lang)?,
    })
}

/// The checks a command needs from the store; `Err` holds form errors.
async fn check(
    store: &Store,
    signed: &Signed,
    current: &ghiseu_core::Dossier,
    command: &Command,
    lang: Lang,
) -> Result<Errors, DeskError> {
    let w = |words| tr(lang, words).to_owned();
    let scope = TenantScope::new(&signed.tenant.slug);
    let mut errors = Errors::new();
    let problem: Option<(&str, String)> = match command {
        Command::Assign {
            department,
            official: Some(user),
        } => {
            let ok = repo::official(store, &scope, user)
                .await?
                .is_some_and(|o| pages::assignable(&o, department));
            (!ok).then(|| {
                (
                    "official",
                    w([
                        "Funcționarul ales nu lucrează în departament.",
                        "A választott ügyintéző nem az osztály munkatársa.",
                        "The chosen official does not work in the department.",
                    ]),
                )
            })
        }
        Command::JoinDuplicate { into } => repo::dossier_by_number(store, &scope, into)
            .await?
            .is_none()
            .then(|| {
                let message = match lang {
                    Lang::Ro => format!("Nu există dosarul {into} în instituție."),
                    Lang::Hu => format!("Az intézményben nincs {into} számú ügyirat."),
                    Lang::En => format!("There is no dossier {into} in the institution."),
                };
                ("into", message)
            }),
        Command::ForwardToInstitution { tenant, .. } => {
            let ok = repo::get_tenant(store, tenant)
                .await?
                .is_some_and(|t| t.active && t.slug != signed.tenant.slug);
            if !ok {
                Some((
                    "to_tenant",
                    w([
                        "Instituție necunoscută.",
                        "Ismeretlen intézmény.",
                        "Unknown institution.",
                    ]),
                ))
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
                        w([
                            "Instituția aleasă nu are un tip de document potrivit (nici petiție).",
                            "A választott intézménynek nincs megfelelő dokumentumtípusa (petíció sem).",
                            "The chosen institution has no fitting document type (not even a petition).",
                        ]),
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
        errors.push((
            "department".into(),
            w([
                "Departament necunoscut.",
                "Ismeretlen osztály.",
                "Unknown department.",
            ]),
        ));
    }
    Ok(errors)
}

/// `POST /desk/dossiers/{id}/actions`.
pub async fn action(
    store: &Store,
    signed: &Signed,
    id: DossierId,
    body: &[u8],
    lang: Lang,
) -> Result<Response, DeskError> {
    let form = parse_form(body);
    if !csrf_ok(signed, field(&form, "csrf")) {
        return Err(refuse_csrf());
    }
    // Make sure the dossier is visible before saying anything about the form.
    let current = load_versioned(store, signed, id).await?;
    let command = match parse_action(&form, lang) {
        Ok(c) => c,
        Err(errors) => return dossier_page(store, signed, id, Some(&errors), lang).await,
    };
    let errors = check(store, signed, &current.dossier, &command, lang).await?;
    if !errors.is_empty() {
        return dossier_page(store, signed, id, Some(&errors), lang).await;
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
    lang: Lang,
) -> Result<Response, DeskError> {
    let w = |words| tr(lang, words);
    let text = |name: &str| multipart::text(&parts, name).map(str::to_owned);
    let current = load_versioned(store, signed, id).await?;
    let route_head = text("route_head");
    let file = parts
        .into_iter()
        .find(|p| p.name == "document" && p.filename.as_deref().is_some_and(|f| !f.is_empty()));
    let scan = match file {
        None => Err(err(
            "document",
            w([
                "Alegeți documentul de răspuns.",
                "Válassza ki a válaszdokumentumot.",
                "Choose the response document.",
            ]),
        )),
        Some(p) if p.data.len() > MAX_FILE_BYTES => Err(err(
            "document",
            w([
                "Fișierul depășește 10 MB.",
                "A fájl nagyobb 10 MB-nál.",
                "The file is larger than 10 MB.",
            ]),
        )),
        Some(p) => match (
            OriginalName::parse(p.filename.as_deref().unwrap_or_default()),
            MediaType::sniff(&p.data),
        ) {
            (Err(_), _) => Err(err(
                "document",
                w([
                    "Numele fișierului nu este valid.",
                    "A fájl neve érvénytelen.",
                    "The file's name is not valid.",
                ]),
            )),
            (_, None) => Err(err(
                "document",
                w([
                    "Doar PDF, JPEG sau PNG sunt acceptate.",
                    "Csak PDF, JPEG vagy PNG fogadható el.",
                    "Only PDF, JPEG or PNG are accepted.",
                ]),
            )),
            (Ok(name), Some(media_type)) => Ok(Scan {
                name,
                media_type,
                data: p.data,
            }),
        },
    };
    let scan = match scan {
        Ok(s) => s,
        Err(errors) => return dossier_page(store, signed, id, Some(&errors), lang).await,
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
    let file = Opened::File {
        sha256: sha,
        name: meta.original_name.as_str().to_owned(),
    };
    access::opened(store, signed, &dossier, file).await?;
    let scope = TenantScope::new(&signed.tenant.slug);
    let s3 = S3Client::from_variables().await?;
    let bytes = s3
        .get_object(&scope.attachment_object(&sha))
        .await?
        .ok_or(DeskError::NotFound)?;
    Ok(crate::inline_file::inline_file(
        meta.media_type.mime(),
        meta.original_name.as_str(),
        bytes,
        "private, max-age=3600",
    ))
}
