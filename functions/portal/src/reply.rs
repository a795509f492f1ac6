//! The citizen's reply to an information request
//! (`/portal/documents/{tenant}/{id}/reply`): text and files, on a dossier
//! linked to the citizen's account only (another citizen's gets 404).

use ghiseu_app::Error as AppError;
use ghiseu_app::citizen;
use ghiseu_app::dossiers::{self, Scan};
use ghiseu_core::document_type::FieldError;
use ghiseu_core::dossier::OriginalName;
use ghiseu_core::{DossierId, DossierStatus, MediaType, Reason, TenantSlug};
use ghiseu_platform::Outbound;
use ghiseu_platform::html::inline_error;
use ghiseu_platform::http::{problem, see_other};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::{multipart, repo};
use http::StatusCode;
use maud::html;

use crate::ctx::{Ctx, Res};
use crate::pages::{errors as error_summary, title};
use crate::texts::t;
use crate::wording::{field_error, text_error};

/// Largest file of a reply.
const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The dossier and its tenant, if the dossier is the signed-in citizen's.
async fn own_dossier(
    ctx: &Ctx,
    slug: &str,
    id: &str,
) -> ghiseu_platform::Result<Option<(ghiseu_core::Tenant, ghiseu_core::Dossier)>> {
    let Some((_, account)) = &ctx.signed else {
        return Ok(None);
    };
    let (Ok(s), Ok(dossier_id)) = (TenantSlug::parse(slug), DossierId::parse(id)) else {
        return Ok(None);
    };
    let linked = citizen::linked_dossiers(&ctx.store, &account.id).await?;
    if !linked
        .iter()
        .any(|l| l.tenant == s.as_str() && l.dossier == dossier_id.to_string())
    {
        return Ok(None);
    }
    let Some(tenant) = repo::get_tenant(&ctx.store, &s).await? else {
        return Ok(None);
    };
    Ok(
        repo::get_dossier(&ctx.store, &TenantScope::new(&s), &dossier_id)
            .await?
            .map(|v| (tenant, v.dossier)),
    )
}

/// `GET /portal/documents/{tenant}/{id}/reply`.
pub async fn form(ctx: &Ctx, slug: &str, id: &str, errors: &[(String, String)]) -> Res {
    let lang = ctx.lang;
    let Some((tenant, d)) = own_dossier(ctx, slug, id).await? else {
        return Ok(problem(
            StatusCode::NOT_FOUND,
            "No such dossier in your account.",
        ));
    };
    if d.status() != DossierStatus::AwaitingCitizen {
        return Ok(see_other("/portal"));
    }
    let question = d.pending_question().map(|(q, _)| q.as_str().to_owned());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let described = |id: &str| {
        errors
            .iter()
            .any(|(f, _)| f == id)
            .then(|| format!("{id}-error"))
    };
    Ok(ctx.page(status, &title(lang, t(lang, "reply"), errors), |csrf| {
        html! {
            h1 { (t(lang, "reply")) }
            p { (tenant.header_name().as_str()) " · " strong { (d.number().to_string()) } }
            @if let Some(q) = &question { p.notice { (t(lang, "question")) " " (q) } }
            (error_summary(lang, errors))
            form method="post" enctype="multipart/form-data" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                label for="message" { (t(lang, "reply_text")) }
                (inline_error(errors, "message"))
                textarea id="message" name="message" rows="5" maxlength="1000" aria-describedby=[described("message")] {}
                label for="files" { (t(lang, "reply_files")) }
                (inline_error(errors, "files"))
                input id="files" name="files" type="file" multiple accept="application/pdf,image/jpeg,image/png"
                    data-max-bytes=(MAX_FILE_BYTES) aria-describedby=[described("files")];
                button type="submit" { (t(lang, "reply")) }
            }
        }
    }))
}

/// `POST /portal/documents/{tenant}/{id}/reply` (multipart: `csrf`,
/// `message`, `files`; its CSRF token checked as it was read).
pub async fn submit(ctx: &Ctx, slug: &str, id: &str, parts: Vec<multipart::Part>) -> Res {
    let lang = ctx.lang;
    let Some((tenant, d)) = own_dossier(ctx, slug, id).await? else {
        return Ok(problem(
            StatusCode::NOT_FOUND,
            "No such dossier in your account.",
        ));
    };
    let text = |name: &str| multipart::text(&parts, name);
    let mut errors = Vec::new();
    let message = match text("message").map(str::trim).filter(|m| !m.is_empty()) {
        None => None,
        Some(m) => match Reason::parse(m) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(("message".to_owned(), text_error(lang, &e)));
                None
            }
        },
    };
    let mut files = Vec::new();
    for p in parts
        .iter()
        .filter(|p| p.name == "files" && p.filename.as_deref().is_some_and(|f| !f.is_empty()))
    {
        let name = p.filename.as_deref().unwrap_or_default();
        if p.data.len() > MAX_FILE_BYTES {
            let too_large = FieldError::FileTooLarge {
                max_bytes: MAX_FILE_BYTES as u32,
            };
            errors.push((
                "files".to_owned(),
                format!("„{name}”: {}", field_error(lang, &too_large)),
            ));
            continue;
        }
        match (OriginalName::parse(name), MediaType::sniff(&p.data)) {
            (Ok(n), Some(media_type)) => files.push(Scan {
                name: n,
                media_type,
                data: p.data.clone(),
            }),
            _ => errors.push((
                "files".to_owned(),
                format!("„{name}”: {}", t(lang, "reply_files")),
            )),
        }
    }
    if message.is_none() && files.is_empty() && errors.is_empty() {
        errors.push(("message".to_owned(), t(lang, "reply_text").to_owned()));
    }
    if !errors.is_empty() {
        return form(ctx, slug, id, &errors).await;
    }
    match dossiers::reply_as_citizen(
        &ctx.store,
        &Outbound::from_variables().await?,
        &tenant,
        &d.id(),
        message,
        files,
        ctx.now,
    )
    .await
    {
        Ok(_) => Ok(see_other("/portal")),
        Err(AppError::Platform(e)) => Err(e),
        Err(_) => Ok(see_other("/portal")),
    }
}
