//! Online submission (`/portal/new/...`): the web form generated from the
//! document type, validated on the server with every problem at once; the
//! cerere rendered as a PDF with the form data and each attachment's
//! SHA-256; registration at once when the type has no fee and needs no
//! qualified signature; a type with a fee goes on to its payment
//! ([`crate::fees`]) before signing or registration.
//! An `Idempotency-Key` (header, or the form's hidden field) makes a retried
//! submission answer the first result instead of a second dossier. A valid
//! file sent with a form refused for another field is kept among the
//! citizen's pending uploads and shown as attached; the form sends its
//! reference back, so the file need not travel twice.

use ghiseu_app::Error as AppError;
use ghiseu_app::citizen::submit::{self, Online, Submitted, active_type, submit_online};
use ghiseu_app::citizen::uploads::{self, Kept};
use ghiseu_app::dossiers::Scan;
use ghiseu_cerere::{Applicant, AttachedFile, Cerere, Field, Reference};
use ghiseu_core::citizen::Account;
use ghiseu_core::document_type::{FieldDef, FieldKind, SignatureRequirement};
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::idempotency::{IdempotencyKey, Outcome};
use ghiseu_core::quota::Limit;
use ghiseu_core::{Attachment, DocumentType, Lang};
use ghiseu_platform::Outbound;
use ghiseu_platform::http::{Response, see_other};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::{multipart, repo, session};
use http::StatusCode;
use maud::html;

use crate::ctx::{Ctx, Res};
use crate::form::{self, Filled};
use crate::pages::Errors;
use crate::pending::page_path;
use crate::texts::{pick, t};
use crate::wording::field_error;

/// The largest submission (all files together).
pub const MAX_SUBMISSION_BYTES: usize = 40 * 1024 * 1024;

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

/// The answer when the tenant or the type does not exist or is not offered.
fn no_such_type() -> Response {
    ghiseu_platform::http::problem(StatusCode::NOT_FOUND, "No such document type.")
}

/// `GET /portal/new/{tenant}/{type}`.
pub async fn form(ctx: &Ctx, slug: &str, code: &str) -> Res {
    let Some((tenant, ty)) = active_type(&ctx.store, slug, code).await? else {
        return Ok(no_such_type());
    };
    let key = session::random_secret()?;
    let filled = Filled {
        errors: &Errors::new(),
        values: &[],
        kept: &[],
        key: &key,
    };
    Ok(form::page(ctx, StatusCode::OK, (&tenant, &ty), &filled))
}

/// `POST /portal/new/{tenant}/{type}` (multipart, its CSRF token checked
/// as it was read).
pub async fn submit(ctx: &Ctx, slug: &str, code: &str, parts: Vec<multipart::Part>) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let Some((tenant, ty)) = active_type(&ctx.store, slug, code).await? else {
        return Ok(no_such_type());
    };
    let text_of = |name: &str| multipart::text(&parts, name);
    let header = ctx
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok());
    let key = IdempotencyKey::from_request(header, text_of("idempotency_key"));
    let mut read = read(lang, &ty, parts);
    let s3 = S3Client::from_variables().await?;
    take_kept(lang, &s3, account, &ty, &mut read).await?;
    read.errors.sort_by_key(|(id, _)| {
        ty.fields
            .iter()
            .position(|f| form::field_id(f) == *id)
            .unwrap_or(usize::MAX)
    });
    let (Some(data), true) = (read.form.take(), read.errors.is_empty()) else {
        let kept = keep_files(&s3, account, read.files).await?;
        let key = key.map_or_else(
            || session::random_secret().unwrap_or_default(),
            |k| k.as_str().to_owned(),
        );
        let filled = Filled {
            errors: &read.errors,
            values: &read.values,
            kept: &kept,
            key: &key,
        };
        return Ok(form::page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            (&tenant, &ty),
            &filled,
        ));
    };
    let files = read.files.into_iter().map(|f| (f.label, f.scan)).collect();
    register_once(ctx, account, key, (&tenant, &ty), data, files).await
}

/// A file of a submission, checked against its field.
struct FileIn {
    /// The field's id.
    id: String,
    /// The field's label, in the citizen's language.
    label: String,
    scan: Scan,
    /// Where it is kept when it came from the citizen's pending uploads.
    kept: Option<Kept>,
}

/// What a submission's multipart form holds.
struct Read {
    /// Every value as typed, to show the form again.
    values: Vec<(String, String)>,
    errors: Errors,
    /// The form data, when it is valid.
    form: Option<ghiseu_core::form::FormData>,
    /// The files checked so far.
    files: Vec<FileIn>,
    /// The attachment fields sent without a file but with the reference of
    /// one kept earlier: (field id, reference).
    references: Vec<(String, String)>,
}

/// Reads and checks the fields and files of a submission of `ty`; a file's
/// bytes move from its part, never copied.
fn read(lang: Lang, ty: &DocumentType, mut parts: Vec<multipart::Part>) -> Read {
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
            errors.push((p.name.clone(), t(lang, "text_invalid").to_owned()));
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
    let mut read = Read {
        values,
        errors,
        form,
        files: Vec::new(),
        references: Vec::new(),
    };
    for f in &ty.fields {
        read_file(lang, f, &mut parts, &mut read);
    }
    read
}

/// Reads the file of attachment field `f` (any other field: nothing), or
/// the reference to the one kept for it, into `read`. A refused file is named
/// in its error.
fn read_file(lang: Lang, f: &FieldDef, parts: &mut [multipart::Part], read: &mut Read) {
    if !matches!(f.kind, FieldKind::Attachment { .. }) {
        return;
    }
    let id = form::field_id(f);
    let reference = multipart::text(parts, &form::kept_name(&id))
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let part = parts.iter_mut().find(|p| {
        p.name == id && p.filename.as_deref().is_some_and(|n| !n.is_empty()) && !p.data.is_empty()
    });
    let Some(part) = part else {
        match (reference, f.validate_file(None)) {
            (Some(r), _) => read.references.push((id, r)),
            (None, Err(e)) => read.errors.push((id, field_error(lang, &e))),
            (None, Ok(_)) => {}
        }
        return;
    };
    let file_name = part.filename.as_deref().unwrap_or_default();
    let checked = f.validate_file(Some(&part.data));
    match (checked, OriginalName::parse(file_name)) {
        (Ok(Some(media_type)), Ok(name)) => read.files.push(FileIn {
            id,
            label: f.label.get(lang).as_str().to_owned(),
            scan: Scan {
                name,
                media_type,
                data: std::mem::take(&mut part.data),
            },
            kept: None,
        }),
        (Ok(Some(_)), Err(_)) => read
            .errors
            .push((id, t(lang, "file_name_invalid").to_owned())),
        // An empty file is no file.
        (Ok(None), _) => {}
        (Err(e), _) => read
            .errors
            .push((id, format!("„{file_name}”: {}", field_error(lang, &e)))),
    }
}

/// Takes the files that `read`'s references name from the citizen's pending
/// uploads, checked against their fields again; one that is gone is to be
/// attached again.
async fn take_kept(
    lang: Lang,
    s3: &S3Client,
    account: &Account,
    ty: &DocumentType,
    read: &mut Read,
) -> ghiseu_platform::Result<()> {
    for (id, reference) in std::mem::take(&mut read.references) {
        let Some(f) = ty.fields.iter().find(|f| form::field_id(f) == id) else {
            continue;
        };
        let Some((kept, data)) = uploads::kept(s3, &account.id, &reference).await? else {
            read.errors.push((id, t(lang, "attach_again").to_owned()));
            continue;
        };
        match f.validate_file(Some(&data)) {
            Ok(Some(media_type)) => read.files.push(FileIn {
                id,
                label: f.label.get(lang).as_str().to_owned(),
                scan: Scan {
                    name: kept.name.clone(),
                    media_type,
                    data,
                },
                kept: Some(kept),
            }),
            Ok(None) => {}
            Err(e) => read.errors.push((
                id,
                format!("„{}”: {}", kept.name.as_str(), field_error(lang, &e)),
            )),
        }
    }
    Ok(())
}

/// Keeps every file of a refused submission among the citizen's pending
/// uploads (those taken from there already are); the kept files by field id.
async fn keep_files(
    s3: &S3Client,
    account: &Account,
    files: Vec<FileIn>,
) -> ghiseu_platform::Result<Vec<(String, Kept)>> {
    let mut kept = Vec::with_capacity(files.len());
    for f in files {
        let k = match f.kept {
            Some(k) => k,
            None => {
                uploads::keep(
                    s3,
                    &account.id,
                    &f.scan.name,
                    f.scan.media_type,
                    f.scan.data,
                )
                .await?
            }
        };
        kept.push((f.id, k));
    }
    Ok(kept)
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
    let address = ctx.client();
    let request = submit::Request {
        account,
        tenant,
        address: &address,
        key: key.as_ref(),
        now: ctx.now,
    };
    let work = |attempt| {
        submit_online(
            &ctx.store,
            &out,
            (account, attempt),
            online,
            |form, stored| render_cerere(ctx, account, (tenant, ty), form, stored),
            (ctx.now, ghiseu_platform::config::now),
        )
    };
    match submit::once(&ctx.store, request, work).await {
        Ok(Submitted::Done(Outcome::Registered { number })) => {
            Ok(see_other(&format!("/portal?registered={number}")))
        }
        Ok(Submitted::Done(Outcome::AwaitingSignature { .. })) => {
            Ok(see_other("/portal?awaiting=signature"))
        }
        // The fee is paid first: its page, with the button to the checkout.
        Ok(Submitted::Done(Outcome::AwaitingPayment { cerere })) => {
            Ok(see_other(&page_path(&cerere.to_hex())))
        }
        Ok(Submitted::InProgress) => {
            let lang = ctx.lang;
            Ok(ctx.page(StatusCode::CONFLICT, t(lang, "new_request"), |_| {
                html! { p.notice { (pick(lang, "Cererea este în curs de înregistrare. Reîncărcați pagina peste câteva secunde.", "A kérelem iktatása folyamatban. Frissítse az oldalt néhány másodperc múlva.", "The request is being registered. Reload the page in a few seconds.")) } }
            }))
        }
        Ok(Submitted::OverQuota { limit, retry_after }) => {
            Ok(over_quota(ctx, tenant, limit, retry_after))
        }
        Err(AppError::Platform(p)) => Err(p),
        Err(other) => Err(ghiseu_platform::Error::Corrupt {
            key: "submission".into(),
            detail: format!("{other:?}"),
        }),
    }
}

/// 429: the submission is past one of the institution's quotas; nothing
/// was registered; when the citizen may submit again (`Retry-After`).
fn over_quota(ctx: &Ctx, tenant: &ghiseu_core::Tenant, limit: Limit, retry_after: u64) -> Response {
    let lang = ctx.lang;
    let minutes = retry_after.div_ceil(60).to_string();
    let name = tenant.header_name().as_str();
    let text = over_quota_text(limit).map(|s| s.replace("{name}", name).replace("{n}", &minutes));
    let mut r = ctx.page(
        StatusCode::TOO_MANY_REQUESTS,
        t(lang, "new_request"),
        |_| {
            html! { p.notice role="alert" { (lang.pick([&text[0], &text[1], &text[2]])) } }
        },
    );
    if let Ok(v) = http::HeaderValue::from_str(&retry_after.to_string()) {
        r.headers_mut().insert(http::header::RETRY_AFTER, v);
    }
    r
}

/// What a citizen past `limit` reads, in Romanian, Hungarian and English
/// (`{name}`: the institution, `{n}`: minutes to wait).
fn over_quota_text(limit: Limit) -> [&'static str; 3] {
    match limit {
        Limit::AccountHour => [
            "Ați trimis din contul dumneavoastră numărul maxim de cereri online pe care {name} le primește într-o oră. Această cerere nu a fost înregistrată. Puteți trimite din nou peste {n} minute.",
            "Fiókjából elküldte a legtöbb online kérelmet, amelyet {name} egy óra alatt fogad. Ezt a kérelmet nem iktatták. {n} perc múlva újra beküldheti.",
            "You have sent from your account the most online requests {name} accepts in an hour. This request was not registered. You can submit again in {n} minutes.",
        ],
        Limit::AccountDay => [
            "Ați trimis din contul dumneavoastră numărul maxim de cereri online pe care {name} le primește într-o zi. Această cerere nu a fost înregistrată. Puteți trimite din nou peste {n} minute.",
            "Fiókjából elküldte a legtöbb online kérelmet, amelyet {name} egy nap alatt fogad. Ezt a kérelmet nem iktatták. {n} perc múlva újra beküldheti.",
            "You have sent from your account the most online requests {name} accepts in a day. This request was not registered. You can submit again in {n} minutes.",
        ],
        Limit::AddressHour => [
            "De la această adresă de internet s-a trimis numărul maxim de cereri online pe care {name} le primește într-o oră. Această cerere nu a fost înregistrată. Puteți trimite din nou peste {n} minute.",
            "Erről az internetcímről elküldték a legtöbb online kérelmet, amelyet {name} egy óra alatt fogad. Ezt a kérelmet nem iktatták. {n} perc múlva újra beküldheti.",
            "This internet address has sent the most online requests {name} accepts in an hour. This request was not registered. You can submit again in {n} minutes.",
        ],
        Limit::AddressDay => [
            "De la această adresă de internet s-a trimis numărul maxim de cereri online pe care {name} le primește într-o zi. Această cerere nu a fost înregistrată. Puteți trimite din nou peste {n} minute.",
            "Erről az internetcímről elküldték a legtöbb online kérelmet, amelyet {name} egy nap alatt fogad. Ezt a kérelmet nem iktatták. {n} perc múlva újra beküldheti.",
            "This internet address has sent the most online requests {name} accepts in a day. This request was not registered. You can submit again in {n} minutes.",
        ],
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
