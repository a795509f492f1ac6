//! My documents (`GET /portal`): the dossiers linked to the account (with
//! the receipt of a fee paid for one), the requests waiting for their fee
//! (with the button to pay it) or their signature, the payments, each under
//! what it paid for; and the document issued on one of them
//! (`GET /portal/documents/{tenant}/{id}/issued.pdf`).

use ghiseu_app::citizen;
use ghiseu_app::citizen::fees::{self, Fee};
use ghiseu_core::TenantSlug;
use ghiseu_platform::http as web;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::{repo, tracking};
use http::{StatusCode, header};
use maud::html;

use crate::accounts::login_page;
use crate::ctx::{Ctx, Res};
use crate::fees::{receipts_by_dossier, what_was_paid};
use crate::pages::document;
use crate::payment::{payments_list, receipt};
use crate::pending::{fee_line, pay_form};
use crate::texts::t;

/// `GET /portal`: my documents (the sign-in page for nobody).
pub(crate) async fn home(ctx: &Ctx) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(login_page(ctx, StatusCode::OK, &[], ""));
    };
    let today = ghiseu_core::calendar::local_date(ctx.now);
    let orders = citizen::orders(&ctx.store, &account.id).await?;
    let receipts = receipts_by_dossier(ctx, &account.id, &orders).await?;
    let mut docs = Vec::new();
    for l in citizen::linked_dossiers(&ctx.store, &account.id).await? {
        let (Ok(slug), Ok(id)) = (
            TenantSlug::parse(&l.tenant),
            ghiseu_core::DossierId::parse(&l.dossier),
        ) else {
            continue;
        };
        let Some(v) = repo::get_dossier(&ctx.store, &TenantScope::new(&slug), &id).await? else {
            continue;
        };
        let token = *v.dossier.token();
        if let Some(snap) = tracking::get_snapshot(&ctx.store, &token).await? {
            let own = format!("/portal/documents/{}/{}", l.tenant, l.dossier);
            let reply = (v.dossier.status() == ghiseu_core::DossierStatus::AwaitingCitizen)
                .then(|| format!("{own}/reply"));
            let issued = v.dossier.issued().map(|_| format!("{own}/issued.pdf"));
            let paid = receipts
                .iter()
                .find(|(d, _)| *d == l.dossier)
                .map(|(_, o)| html! { p { (t(lang, "fee")) } (receipt(lang, o)) });
            let links = (reply, issued, own);
            docs.push((token.to_string(), snap.view(today, lang), links, paid));
        }
    }
    docs.sort_by_key(|d| std::cmp::Reverse(d.1.registered_at));
    // Each request waiting for a signature, by its names (not its key).
    let mut awaiting = Vec::new();
    for record in citizen::awaiting_signature(&ctx.store, &account.id).await? {
        let sha = record.rsplit('/').next().unwrap_or_default().to_owned();
        let Some(request) = citizen::awaiting_request(&ctx.store, &account.id, &sha).await? else {
            continue;
        };
        let d = citizen::describe(&ctx.store, &request).await?;
        let title = d.titles.map(|t| t.get(lang).as_str().to_owned());
        let fee = fees::fee(&ctx.store, &account.id, &sha, &request).await?;
        let next = (fee, request.qualified);
        awaiting.push((sha, d.institution.unwrap_or_default(), title, next));
    }
    let paid_for = what_was_paid(ctx, account, &orders).await?;
    let registered = web::query_param(&ctx.query, "registered");
    Ok(ctx.page(StatusCode::OK, t(lang, "my_documents"), |csrf| {
        html! {
            h1 { (t(lang, "my_documents")) }
            @if let Some(n) = &registered { p.notice role="status" { (t(lang, "registered")) " " strong { (n) } } }
            p { a href="/portal/new" { (t(lang, "new_request")) } }
            @if docs.is_empty() && awaiting.is_empty() { p { (t(lang, "no_documents")) } }
            @for (sha, institution, title, (fee, qualified)) in &awaiting {
                article.document {
                    @if let Some(title) = title { h2 { (title) } }
                    p { (institution) }
                    @match fee {
                        Fee::Due(bani) => {
                            p { (t(lang, "awaiting_fee")) }
                            p { strong { (fee_line(lang, *bani)) } }
                            (pay_form(csrf, lang, sha, t(lang, "pay_fee")))
                        }
                        _ if *qualified => {
                            p { (t(lang, "awaiting")) }
                            p { strong { a href={ "/portal/sign/" (sha) } { (t(lang, "sign")) } } }
                        }
                        _ => {
                            p { (t(lang, "fee_registering")) }
                            p { a href={ "/portal/pay/" (sha) } { (t(lang, "continue")) } }
                        }
                    }
                }
            }
            @for (token, v, (reply, issued, opened), paid) in &docs {
                (document(lang, token, v, (reply.as_deref(), issued.as_deref(), opened.as_str()), paid.as_ref()))
            }
            p { a href="/portal/claim" { (t(lang, "claim")) } }
            p { a href="/portal/signature" { (t(lang, "signature")) } }
            p { a href="/portal/my-data" { (t(lang, "my_data")) } }
            (payments_list(lang, &orders, |o| paid_for
                .iter()
                .find(|(id, _)| *id == o.id)
                .map_or_else(|| t(lang, "credential_item").to_owned(), |(_, w)| w.clone())))
            form method="post" action="/portal/logout/everywhere" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="lang" value=(lang.code());
                p { (t(lang, "logout_everywhere_why")) }
                button.secondary type="submit" { (t(lang, "logout_everywhere")) }
            }
        }
    }))
}

/// `GET /portal/documents/{tenant}/{id}/issued.pdf`: the document issued on
/// one of the citizen's own dossiers (the signed PDF when it was signed).
pub(crate) async fn issued_document(ctx: &Ctx, slug: &str, id: &str) -> Res {
    let not_found = || web::problem(StatusCode::NOT_FOUND, "No such document.");
    let (scope, dossier) = match ctx.own_dossier(slug, id).await? {
        Ok(own) => own,
        Err(answer) => return Ok(answer),
    };
    let Some(doc) = dossier.issued().and_then(|sha| dossier.document(sha)) else {
        return Ok(not_found());
    };
    let (sha, mime) = (doc.sha256, doc.media_type.mime());
    let s3 = ghiseu_platform::s3::S3Client::from_variables().await?;
    let Some(bytes) = s3.get_object(&scope.attachment_object(&sha)).await? else {
        return Ok(not_found());
    };
    let mut r = web::bytes(StatusCode::OK, mime, bytes);
    let name = format!(
        "attachment; filename=\"{}.{}\"",
        dossier.number(),
        doc.media_type.extension()
    );
    if let Ok(value) = http::HeaderValue::from_str(&name) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        http::HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}
