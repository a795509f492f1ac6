//! Claiming a dossier filed on paper (`/portal/claim`,
//! `/portal/claim/confirm`): the institution and the registration number,
//! then a code sent to the contact recorded on the dossier; the same answer
//! whether or not the dossier exists or has a contact.

use ghiseu_app::citizen::{self, Linked};
use ghiseu_core::RegistrationNumber;
use ghiseu_core::TenantSlug;
use ghiseu_core::citizen::{CodeError, CodePurpose, Contact};
use ghiseu_core::notice::CodeFor;
use ghiseu_platform::http::{Form, form_field as field, see_other};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::pace::{ANSWER_FLOOR, Pace};
use ghiseu_platform::rate_limit::FixedWindow;
use ghiseu_platform::repo;
use http::StatusCode;
use maud::html;

use crate::codes::{Recipient, code_error, code_status, may_send_code, send_code};
use crate::ctx::{Ctx, Res};
use crate::pages::{errors as error_summary, form_state, input, title};
use crate::texts::{pick, t};

async fn institutions(store: &Store) -> ghiseu_platform::Result<Vec<(String, String)>> {
    Ok(repo::tenants(store)
        .await?
        .into_iter()
        .filter(|t| t.active)
        .map(|t| (t.slug.to_string(), t.name.to_string()))
        .collect())
}

/// The dossier a claim form names, if it exists, with the contact on it.
async fn claimed_dossier(
    ctx: &Ctx,
    form: &Form,
) -> ghiseu_platform::Result<Option<(ghiseu_core::Dossier, Option<Contact>)>> {
    let (Some(Ok(slug)), Some(Ok(number))) = (
        field(form, "institution").map(TenantSlug::parse),
        field(form, "number").map(|n| n.trim().parse::<RegistrationNumber>()),
    ) else {
        return Ok(None);
    };
    let Some(d) = repo::dossier_by_number(&ctx.store, &TenantScope::new(&slug), &number).await?
    else {
        return Ok(None);
    };
    let contact = d
        .contact()
        .phone
        .clone()
        .map(Contact::Phone)
        .or_else(|| d.contact().email.clone().map(Contact::Email));
    Ok(Some((d, contact)))
}

pub(crate) async fn claim(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    if field(form, "number").is_none_or(|n| n.trim().parse::<RegistrationNumber>().is_err()) {
        let errors = vec![(
            "number".to_owned(),
            pick(
                lang,
                "Scrieți numărul de pe recipisă (ex. CJC-2026-000012).",
                "Írja be az átvételi elismervényen lévő számot.",
                "Enter the number on your receipt (e.g. CJC-2026-000012).",
            ),
        )];
        return claim_form(ctx, StatusCode::UNPROCESSABLE_ENTITY, &errors, form, false).await;
    }
    if !citizen::within_limit(
        "claim-account",
        &account.id,
        FixedWindow::per_hour(10),
        ctx.now,
    )? {
        let errors = vec![(
            "number".to_owned(),
            pick(
                lang,
                "Prea multe cereri. Reîncercați peste o oră.",
                "Túl sok kérés. Próbálja újra egy óra múlva.",
                "Too many requests. Try again in an hour.",
            ),
        )];
        return claim_form(ctx, StatusCode::TOO_MANY_REQUESTS, &errors, form, false).await;
    }
    // The same answer after the same time whether or not the dossier exists
    // or has a contact.
    let pace = Pace::start();
    if let Some((d, Some(contact))) = claimed_dossier(ctx, form).await?
        && may_send_code(ctx, &contact)?
    {
        let subject = format!("{}/{}", d.tenant(), d.id());
        let code = citizen::issue_code(&ctx.store, CodePurpose::Claim, &contact, &subject, ctx.now)
            .await?;
        // To the dossier's contact, in the language recorded for it (else
        // the account's), naming the account it would be added to.
        let to = Recipient {
            contact: &contact,
            lang: d.contact().lang.unwrap_or(account.lang),
            name: account.name.as_str(),
        };
        let number = d.number().to_string();
        send_code(ctx, &to, &code, CodeFor::Claim(&number)).await?;
    }
    pace.hold(ANSWER_FLOOR);
    claim_form(ctx, StatusCode::OK, &[], form, true).await
}

pub(crate) async fn claim_form(
    ctx: &Ctx,
    status: StatusCode,
    errors: &[(String, String)],
    values: &Form,
    sent: bool,
) -> Res {
    let list = institutions(&ctx.store).await?;
    let lang = ctx.lang;
    let v = |k: &str| field(values, k).unwrap_or("").to_owned();
    Ok(ctx.page(status, &title(lang, t(lang, "claim"), errors), |csrf| {
        html! {
            h1 { (t(lang, "claim")) }
            @if sent { p.notice role="status" { (t(lang, "claim_sent")) } }
            (error_summary(lang, errors))
            form method="post" action=(if sent { "/portal/claim/confirm" } else { "/portal/claim" }) novalidate {
                (form_state(csrf, lang))
                label for="institution" { (t(lang, "institution")) }
                select id="institution" name="institution" {
                    @for (slug, name) in &list { option value=(slug) selected[v("institution") == *slug] { (name) } }
                }
                (input(lang, errors, "number", "number", "text", &v("number"), "off"))
                @if sent { (input(lang, errors, "code", "code", "text", "", "one-time-code")) }
                button type="submit" { (t(lang, if sent { "continue" } else { "send_code" })) }
            }
        }
    }))
}

pub(crate) async fn claim_confirm(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let refused = |e: CodeError| vec![("code".to_owned(), code_error(lang, e))];
    let Some((d, Some(contact))) = claimed_dossier(ctx, form).await? else {
        return claim_form(
            ctx,
            StatusCode::GONE,
            &refused(CodeError::Expired),
            form,
            true,
        )
        .await;
    };
    let Some(code) = field(form, "code") else {
        let errors = vec![(
            "code".to_owned(),
            pick(
                lang,
                "Scrieți codul primit.",
                "Írja be a kapott kódot.",
                "Enter the code you received.",
            ),
        )];
        return claim_form(ctx, StatusCode::UNPROCESSABLE_ENTITY, &errors, form, true).await;
    };
    let subject = format!("{}/{}", d.tenant(), d.id());
    if let Err(e) = citizen::check_code(CodePurpose::Claim, &contact, &subject, code, ctx.now)? {
        let status = code_status(e);
        return claim_form(ctx, status, &refused(e), form, true).await;
    }
    citizen::link_dossier(
        &account.id,
        &Linked {
            tenant: d.tenant().to_string(),
            dossier: d.id().to_string(),
        },
    )?;
    Ok(see_other("/portal"))
}
