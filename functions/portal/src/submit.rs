//! Online submission (`/portal/new/...`): the web form generated from the
//! document type, validated on the server with every problem at once; the
//! cerere rendered as a PDF with the form data and each attachment's
//! SHA-256; registration at once when the type needs no qualified signature.
//! An `Idempotency-Key` (header, or the form's hidden field) makes a retried
//! submission answer the first result instead of a second dossier.

use ghiseu_app::Error as AppError;
use ghiseu_app::citizen::submit::{self, Online, Submitted, active_type, submit_online};
use ghiseu_app::dossiers::Scan;
use ghiseu_cerere::{Applicant, AttachedFile, Cerere, Field, Reference};
use ghiseu_core::citizen::Account;
use ghiseu_core::document_type::{FieldDef, FieldError, FieldKind, SignatureRequirement};
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::idempotency::{IdempotencyKey, Outcome};
use ghiseu_core::{Attachment, DocumentType, Lang};
use ghiseu_platform::Outbound;
use ghiseu_platform::http::{Response, see_other};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::{multipart, repo, session};
use http::StatusCode;
use maud::{Markup, html};

use crate::ctx::{Ctx, Res};
use crate::pages::{Errors, errors as error_summary};
use crate::texts::{pick, t};

/// The largest submission (all files together).
pub const MAX_SUBMISSION_BYTES: usize = 40 * 1024 * 1024;

/// A field problem in the citizen's language.
fn field_error(lang: Lang, e: &FieldError) -> String {
    match e {
        FieldError::Required => pick(
            lang,
            "Completați acest câmp.",
            "Töltse ki ezt a mezőt.",
            "Fill in this field.",
        ),
        FieldError::TooLong { max } => match lang {
            Lang::Ro => format!("Cel mult {max} caractere."),
            Lang::Hu => format!("Legfeljebb {max} karakter."),
            Lang::En => format!("At most {max} characters."),
        },
        FieldError::Number { min, max } => match lang {
            Lang::Ro => format!("Un număr întreg între {min} și {max}."),
            Lang::Hu => format!("Egész szám {min} és {max} között."),
            Lang::En => format!("A whole number from {min} to {max}."),
        },
        FieldError::Date => pick(
            lang,
            "O dată de forma AAAA-LL-ZZ.",
            "Dátum ÉÉÉÉ-HH-NN formában.",
            "A date as YYYY-MM-DD.",
        ),
        FieldError::Option => pick(
            lang,
            "Alegeți una dintre opțiuni.",
            "Válasszon a lehetőségek közül.",
            "Choose one of the options.",
        ),
        FieldError::Contact(c) => match (lang, c) {
            (Lang::Ro, ghiseu_core::ContactError::CnpChecksum) => {
                "CNP-ul nu este valid (cifra de control).".to_owned()
            }
            (Lang::Hu, ghiseu_core::ContactError::CnpChecksum) => {
                "A személyi szám nem érvényes (ellenőrző számjegy).".to_owned()
            }
            (_, c) => c.to_string(),
        },
        FieldError::FileTooLarge { max_bytes } => match lang {
            Lang::Ro => format!("Fișierul depășește {}.", size(*max_bytes)),
            Lang::Hu => format!("A fájl nagyobb, mint {}.", size(*max_bytes)),
            Lang::En => format!("The file is larger than {}.", size(*max_bytes)),
        },
        FieldError::FileType { allowed } => match lang {
            Lang::Ro => {
                format!("Fișierul nu este de tipul cerut ({allowed}), verificat după conținut.")
            }
            Lang::Hu => format!("A fájl nem a kért típusú ({allowed})."),
            Lang::En => {
                format!("The file is not of the accepted types ({allowed}), checked by content.")
            }
        },
        other => other.to_string(),
    }
}

/// `GET /portal/new`: every institution's document types.
pub async fn catalogue(ctx: &Ctx) -> Res {
    let lang = ctx.lang;
    let mut list = Vec::new();
    for tenant in repo::tenants(&ctx.store)
        .await?
        .into_iter()
        .filter(|t| t.active)
    {
        let types = repo::document_types(&ctx.store, &TenantScope::new(&tenant.slug)).await?;
        list.push((tenant, types));
    }
    Ok(ctx.page(StatusCode::OK, t(lang, "new_request"), |_| {
        html! {
            h1 { (t(lang, "new_request")) }
            @for (tenant, types) in &list {
                section {
                    h2 { (tenant.header_name().as_str()) }
                    ul { @for ty in types {
                        li {
                            a href={ "/portal/new/" (tenant.slug) "/" (ty.code.as_str()) } { (ty.titles.get(lang).as_str()) }
                            @if ty.signature == SignatureRequirement::Qualified { " — " small { (t(lang, "needs_qualified")) } }
                        }
                    } }
                }
            }
        }
    }))
}

/// A size for people: `10 MB`, `977 KB`.
fn size(bytes: u32) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes / 1024)
    }
}

fn input_for(lang: Lang, f: &FieldDef, errors: &Errors, values: &[(String, String)]) -> Markup {
    let id = format!("f_{}", f.name.as_str());
    let v = values
        .iter()
        .find(|(k, _)| *k == id)
        .map_or("", |(_, v)| v.as_str());
    let error = errors.iter().find(|(k, _)| *k == id).map(|(_, m)| m);
    let described = error.map(|_| format!("{id}-error"));
    let invalid = error.map(|_| "true");
    html! {
        label for=(id) { (f.label.get(lang).as_str()) @if f.required { " *" } }
        @if let Some(m) = error { p.error id={ (id) "-error" } { (m) } }
        @match &f.kind {
            FieldKind::Multiline { max_chars } => textarea id=(id) name=(id) rows="4" maxlength=(max_chars) aria-invalid=[invalid] aria-describedby=[described.clone()] { (v) },
            FieldKind::Address => textarea id=(id) name=(id) rows="2" autocomplete="street-address" aria-invalid=[invalid] aria-describedby=[described.clone()] { (v) },
            FieldKind::Text { max_chars } => input id=(id) name=(id) maxlength=(max_chars) value=(v) aria-invalid=[invalid] aria-describedby=[described.clone()];,
            FieldKind::Number { min, max } => input id=(id) name=(id) type="number" min=(min) max=(max) inputmode="numeric" value=(v) aria-invalid=[invalid];,
            FieldKind::Date => input id=(id) name=(id) type="date" value=(v) aria-invalid=[invalid];,
            FieldKind::Select { options } => select id=(id) name=(id) aria-invalid=[invalid] {
                option value="" { "—" }
                @for o in options { option value=(o.value.as_str()) selected[o.value.as_str() == v] { (o.label.get(lang).as_str()) } }
            },
            FieldKind::Checkbox => input id=(id) name=(id) type="checkbox" checked[v == "on" || v == "true"];,
            FieldKind::Cnp => input id=(id) name=(id) inputmode="numeric" maxlength="13" autocomplete="off" value=(v) aria-invalid=[invalid];,
            FieldKind::Email => input id=(id) name=(id) type="email" autocomplete="email" value=(v) aria-invalid=[invalid];,
            FieldKind::Phone => input id=(id) name=(id) type="tel" autocomplete="tel" value=(v) aria-invalid=[invalid];,
            FieldKind::Attachment { types, max_bytes } => {
                input id=(id) name=(id) type="file" aria-invalid=[invalid]
                    accept=(types.iter().map(|m| m.mime()).collect::<Vec<_>>().join(","));
                small { (types.iter().map(|m| ghiseu_core::document_type::media_code(*m).to_uppercase()).collect::<Vec<_>>().join(", ")) ", max. " (size(*max_bytes)) }
            },
        }
    }
}

fn form_page(
    ctx: &Ctx,
    status: StatusCode,
    tenant: &ghiseu_core::Tenant,
    ty: &DocumentType,
    errors: &Errors,
    values: &[(String, String)],
    key: &str,
) -> Response {
    let lang = ctx.lang;
    let title = ty.titles.get(lang).as_str().to_owned();
    ctx.page(status, &title, |csrf| {
        html! {
            h1 { (title) }
            p { (tenant.header_name().as_str()) }
            @if ty.signature == SignatureRequirement::Qualified { p.notice { (t(lang, "needs_qualified")) } }
            (error_summary(lang, errors))
            form method="post" enctype="multipart/form-data" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="idempotency_key" value=(key);
                @for f in &ty.fields { (input_for(lang, f, errors, values)) }
                button type="submit" { (t(lang, "submit")) }
            }
        }
    })
}

/// `GET /portal/new/{tenant}/{type}`.
pub async fn form(ctx: &Ctx, slug: &str, code: &str) -> Res {
    let Some((tenant, ty)) = active_type(&ctx.store, slug, code).await? else {
        return Ok(ghiseu_platform::http::problem(
            StatusCode::NOT_FOUND,
            "No such document type.",
        ));
    };
    let key = session::random_secret()?;
    Ok(form_page(
        ctx,
        StatusCode::OK,
        &tenant,
        &ty,
        &Errors::new(),
        &[],
        &key,
    ))
}

/// `POST /portal/new/{tenant}/{type}` (multipart).
pub async fn submit(ctx: &Ctx, slug: &str, code: &str, content_type: &str, body: &[u8]) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let Some((tenant, ty)) = active_type(&ctx.store, slug, code).await? else {
        return Ok(ghiseu_platform::http::problem(
            StatusCode::NOT_FOUND,
            "No such document type.",
        ));
    };
    let Some(parts) =
        multipart::boundary(content_type).and_then(|b| multipart::parse(body, &b, 64).ok())
    else {
        return Ok(ghiseu_platform::http::problem(
            StatusCode::BAD_REQUEST,
            "A multipart form was expected.",
        ));
    };
    let text_of = |name: &str| multipart::text(&parts, name);
    if !ctx.csrf_ok(text_of("csrf")) {
        return Ok(ghiseu_platform::http::problem(
            StatusCode::FORBIDDEN,
            "The form expired: reload the page.",
        ));
    }
    let header = ctx
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok());
    let key = IdempotencyKey::from_request(header, text_of("idempotency_key"));
    let Read {
        values,
        errors,
        form,
        files,
    } = read(lang, &ty, &parts);
    let (Some(form), true) = (form, errors.is_empty()) else {
        let key = key.map_or_else(
            || session::random_secret().unwrap_or_default(),
            |k| k.as_str().to_owned(),
        );
        return Ok(form_page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &tenant,
            &ty,
            &errors,
            &values,
            &key,
        ));
    };
    register_once(ctx, account, key, (&tenant, &ty), form, files).await
}

/// What a submission's multipart form holds.
struct Read {
    /// Every value as typed, to show the form again.
    values: Vec<(String, String)>,
    errors: Errors,
    /// The form data, when it is valid.
    form: Option<ghiseu_core::form::FormData>,
    /// The files, each with its field's label.
    files: Vec<(String, Scan)>,
}

/// Reads and checks the fields and files of a submission of `ty`.
fn read(lang: Lang, ty: &DocumentType, parts: &[multipart::Part]) -> Read {
    let values: Vec<(String, String)> = parts
        .iter()
        .filter(|p| p.filename.is_none() && p.name.starts_with("f_"))
        .filter_map(|p| Some((p.name.clone(), String::from_utf8(p.data.clone()).ok()?)))
        .collect();
    let mut errors = Errors::new();
    for p in parts
        .iter()
        .filter(|p| p.filename.is_none() && p.name.starts_with("f_"))
    {
        if std::str::from_utf8(&p.data).is_err() {
            errors.push((
                p.name.clone(),
                pick(
                    lang,
                    "Textul nu este valid.",
                    "A szöveg nem érvényes.",
                    "The text is not valid.",
                ),
            ));
        }
    }
    let form = match ghiseu_core::form::validate(
        ty,
        |n| {
            values
                .iter()
                .find(|(k, _)| *k == format!("f_{n}"))
                .map(|(_, v)| v.as_str())
        },
        true,
    ) {
        Ok(f) => Some(f),
        Err(errs) => {
            for (name, e) in errs {
                errors.push((format!("f_{}", name.as_str()), field_error(lang, &e)));
            }
            None
        }
    };
    let mut files: Vec<(String, Scan)> = Vec::new();
    for f in ty
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Attachment { .. }))
    {
        let id = format!("f_{}", f.name.as_str());
        let part = parts
            .iter()
            .find(|p| p.name == id && p.filename.as_deref().is_some_and(|n| !n.is_empty()));
        match f.validate_file(part.map(|p| p.data.as_slice())) {
            Ok(Some(media_type)) => {
                let p = part.expect("validated content comes from a part");
                match OriginalName::parse(p.filename.as_deref().unwrap_or_default()) {
                    Ok(name) => files.push((
                        f.label.get(lang).as_str().to_owned(),
                        Scan {
                            name,
                            media_type,
                            data: p.data.clone(),
                        },
                    )),
                    Err(_) => errors.push((
                        id,
                        pick(
                            lang,
                            "Numele fișierului nu este valid.",
                            "A fájlnév nem érvényes.",
                            "The file name is not valid.",
                        ),
                    )),
                }
            }
            Ok(None) => {}
            Err(e) => errors.push((id, field_error(lang, &e))),
        }
    }
    Read {
        values,
        errors,
        form,
        files,
    }
}

/// Registers a valid submission once per idempotency `key`: the first one
/// with a key claims it, a retry answers what the first one produced.
async fn register_once(
    ctx: &Ctx,
    account: &Account,
    key: Option<IdempotencyKey>,
    (tenant, ty): (&ghiseu_core::Tenant, &DocumentType),
    form: ghiseu_core::form::FormData,
    files: Vec<(String, Scan)>,
) -> Res {
    let out = Outbound::from_variables().await?;
    let online = Online {
        tenant,
        document_type: ty,
        form,
        files,
    };
    let work = submit_online(
        &ctx.store,
        &out,
        account,
        online,
        |form, stored| render_cerere(ctx, account, (tenant, ty), form, stored),
        ctx.now,
    );
    match submit::once(&ctx.store, account, key.as_ref(), work).await {
        Ok(Submitted::Done(Outcome::Registered { number })) => {
            Ok(see_other(&format!("/portal?registered={number}")))
        }
        Ok(Submitted::Done(Outcome::AwaitingSignature { .. })) => {
            Ok(see_other("/portal?awaiting=signature"))
        }
        Ok(Submitted::InProgress) => {
            let lang = ctx.lang;
            Ok(ctx.page(StatusCode::CONFLICT, t(lang, "new_request"), |_| {
                html! { p.notice { (pick(lang, "Cererea este în curs de înregistrare. Reîncărcați pagina peste câteva secunde.", "A kérelem iktatása folyamatban. Frissítse az oldalt néhány másodperc múlva.", "The request is being registered. Reload the page in a few seconds.")) } }
            }))
        }
        Err(AppError::Platform(p)) => Err(p),
        Err(other) => Err(ghiseu_platform::Error::Corrupt {
            key: "submission".into(),
            detail: format!("{other:?}"),
        }),
    }
}

/// The cerere's PDF: the form's values under their labels, each stored file
/// with its SHA-256, the applicant's proven contacts.
fn render_cerere(
    ctx: &Ctx,
    account: &Account,
    (tenant, ty): (&ghiseu_core::Tenant, &DocumentType),
    form: &ghiseu_core::form::FormData,
    stored: &[(String, Attachment)],
) -> Result<Vec<u8>, AppError> {
    let lang = ctx.lang;
    let labels: Vec<(String, String)> = form
        .pairs()
        .iter()
        .map(|(name, v)| {
            let label = ty
                .fields
                .iter()
                .find(|f| &f.name == name)
                .map_or(name.as_str(), |f| f.label.get(lang).as_str());
            (label.to_owned(), v.clone())
        })
        .collect();
    let fields: Vec<Field<'_>> = labels
        .iter()
        .map(|(l, v)| Field { label: l, value: v })
        .collect();
    let attached: Vec<AttachedFile<'_>> = stored
        .iter()
        .map(|(_, a)| AttachedFile {
            file_name: a.original_name.as_str(),
            media_type: a.media_type.mime(),
            size: a.size,
            sha256: a.sha256,
        })
        .collect();
    let reference = session::hex(&session::random_bytes::<8>()?);
    let cerere = ghiseu_cerere::render(&Cerere {
        lang,
        institution: tenant.name.as_str(),
        document_type: ty.titles.get(lang).as_str(),
        applicant: Applicant {
            name: account.name.as_str(),
            email: account
                .email
                .as_ref()
                .filter(|_| account.email_verified)
                .map(|e| e.as_str()),
            phone: account
                .phone
                .as_ref()
                .filter(|_| account.phone_verified)
                .map(|p| p.as_str()),
            address: None,
        },
        fields: &fields,
        attachments: &attached,
        submitted_at: ctx.now,
        reference: Some(Reference::Submission(&reference)),
    })
    .map_err(|e| AppError::NotAllowed(e.to_string()))?;
    Ok(cerere.bytes)
}
