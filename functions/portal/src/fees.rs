//! A document type's fee, paid before the request is registered (issue 17,
//! item 4), through the payment provider's checkout, return page and webhook
//! of [`crate::payment`] (one protocol, one webhook, one order model; the
//! use case is `ghiseu_app::citizen::fees`).
//!
//! A valid submission of a type with a fee is kept, not registered, and the
//! browser comes here. The order is pay, then sign, then registered (see
//! `ghiseu_app::signing::citizen`): a type that needs no signature is
//! registered as soon as the fee is paid, one that needs a qualified
//! signature is signed next and registered when signed.
//!
//! - `GET /portal/pay/{sha256}`: the request waiting for its fee (by its
//!   cerere's hash, as the signing page): institution, request, date, "Taxă:
//!   25 lei", what happens after paying, where the last payment is (waiting
//!   for the provider, or refused), and one button to the provider's
//!   checkout. Once paid: on (303) to the signing page, or registered (303 to
//!   my documents; a registration left unfinished is finished here).
//! - `POST /portal/pay/{sha256}`: to the provider's checkout (303): the open
//!   order's checkout again when the citizen left it, a new order only when
//!   the last one failed; never a second charge of a paid fee.

use ghiseu_app::citizen::fees::{self, Fee, Paying};
use ghiseu_app::citizen::{self, AwaitingRequest};
use ghiseu_app::signing::citizen::{self as signing, Outcome};
use ghiseu_core::citizen::Account;
use ghiseu_core::payment::{FeeStep, Order, next_fee_step};
use ghiseu_core::{Lang, Sha256Digest};
use ghiseu_platform::Outbound;
use ghiseu_platform::http::{self as web, see_other};
use ghiseu_platform::payments::Provider;
use http::StatusCode;
use maud::html;

use crate::checkout::{checkout, unavailable};
use crate::ctx::{Ctx, Res};
use crate::pending::{Shown, failure, fee_line, fee_row, lei, pay_form, request_rows, shown};
use crate::texts::t;

/// What each of `account`'s `orders` paid for, by order id: the credential,
/// or the fee of a request (its type's title in the reader's language, and
/// the number it was registered under, once registered).
pub(crate) async fn what_was_paid(
    ctx: &Ctx,
    account: &Account,
    orders: &[Order],
) -> ghiseu_platform::Result<Vec<(String, String)>> {
    let account_id = account.id.as_str();
    let lang = ctx.lang;
    let mut named = Vec::with_capacity(orders.len());
    for o in orders {
        let Some(fee) = o.fee_for() else {
            named.push((o.id.clone(), t(lang, "credential_item").to_owned()));
            continue;
        };
        let sha = fee.request.to_hex();
        let mut what = t(lang, "fee").to_owned();
        if let Some(request) = citizen::awaiting_request(&ctx.store, account_id, &sha).await? {
            let d = citizen::describe(&ctx.store, &request).await?;
            if let Some(title) = d.titles {
                what = format!("{what}: {}", title.get(lang).as_str());
            }
        }
        if let Some(number) = signing::registered(&ctx.store, account, &sha).await? {
            what = format!("{what} ({} {number})", t(lang, "registered_as"));
        }
        named.push((o.id.clone(), what));
    }
    Ok(named)
}

/// The receipts of the signed-in citizen's paid fees, by the id of the
/// dossier each request was registered as.
pub(crate) async fn receipts_by_dossier(
    ctx: &Ctx,
    account_id: &str,
    orders: &[Order],
) -> ghiseu_platform::Result<Vec<(String, Order)>> {
    let mut by_dossier = Vec::new();
    for o in orders.iter().filter(|o| o.receipt().is_some()) {
        let Some(fee) = o.fee_for() else { continue };
        if let Some((citizen::Signing::Registered { dossier, .. }, _)) =
            citizen::signing(&ctx.store, account_id, &fee.request.to_hex()).await?
        {
            by_dossier.push((dossier, o.clone()));
        }
    }
    Ok(by_dossier)
}

/// A paid fee's order registers its request when the request needs no
/// signature (the webhook's part); the number, or `None` when there is
/// nothing to register now (a credential, a request to sign, or one another
/// request is registering). A failure is logged and left to the citizen's
/// return, which tries again: the payment stays recorded.
pub(crate) async fn register_paid(
    ctx: &Ctx,
    order: &Order,
) -> ghiseu_platform::Result<Option<String>> {
    let (Some(fee), Some(_)) = (order.fee_for(), order.receipt()) else {
        return Ok(None);
    };
    let Some(account) = citizen::account(&ctx.store, &order.account).await? else {
        return Ok(None);
    };
    let sha = fee.request.to_hex();
    let Some(waiting) = signing::waiting(&ctx.store, &account, &sha).await? else {
        return Ok(None);
    };
    if waiting.request.qualified {
        return Ok(None);
    }
    let out = Outbound::from_variables().await?;
    match signing::register_paid(&ctx.store, &out, &waiting, ctx.now).await {
        Ok(Outcome::Registered(number)) => Ok(Some(number)),
        Ok(_) => Ok(None),
        Err(e) => {
            eprintln!(
                "portal: registering the paid request of order {}: {e:?}",
                order.id
            );
            Ok(None)
        }
    }
}

/// The signed-in citizen's request with cerere `sha`, waiting before its
/// registration, with its names, its fee and where paying it is.
struct Pending<'a> {
    shown: Shown<'a>,
    attempt: Attempt,
}

async fn pending<'a>(ctx: &'a Ctx, sha: &str) -> ghiseu_platform::Result<Option<Pending<'a>>> {
    let Some(shown) = shown(ctx, sha).await? else {
        return Ok(None);
    };
    let orders = citizen::orders(&ctx.store, &shown.waiting.account.id).await?;
    let attempt = Sha256Digest::parse(sha).map_or(Attempt::None, |r| Attempt::of(&orders, &r));
    Ok(Some(Pending { shown, attempt }))
}

fn not_found() -> Res {
    Ok(web::problem(
        StatusCode::NOT_FOUND,
        "No such request waiting for its fee.",
    ))
}

/// Where a request whose fee is paid (or that has none) goes on: signing,
/// or its registration (finished here if the webhook did not).
async fn onwards(ctx: &Ctx, p: &Pending<'_>) -> Res {
    let sha = &p.shown.waiting.sha;
    if let Some(number) = signing::registered(&ctx.store, p.shown.waiting.account, sha).await? {
        return Ok(see_other(&format!("/portal?registered={number}")));
    }
    if p.shown.waiting.request.qualified {
        return Ok(see_other(&format!("/portal/sign/{sha}")));
    }
    let out = Outbound::from_variables().await?;
    let outcome = signing::register_paid(&ctx.store, &out, &p.shown.waiting, ctx.now).await;
    match outcome.map_err(|e| failure(sha, e))? {
        Outcome::Registered(number) => Ok(see_other(&format!("/portal?registered={number}"))),
        Outcome::Moved => Ok(see_other("/portal")),
        _ => page(
            ctx,
            StatusCode::CONFLICT,
            p,
            Some(t(ctx.lang, "fee_registering")),
        ),
    }
}

/// `GET /portal/pay/{sha}`.
pub(crate) async fn show(ctx: &Ctx, sha: &str) -> Res {
    if ctx.signed.is_none() {
        return Ok(see_other("/portal/login"));
    }
    let Some(p) = pending(ctx, sha).await? else {
        return not_found();
    };
    match p.shown.fee {
        Fee::Due(_) => page(ctx, StatusCode::OK, &p, None),
        Fee::Free | Fee::Paid(_) => onwards(ctx, &p).await,
    }
}

/// `POST /portal/pay/{sha}`: to the provider's checkout of the fee.
pub(crate) async fn pay(ctx: &Ctx, sha: &str) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let Some(p) = pending(ctx, sha).await? else {
        return not_found();
    };
    if !matches!(p.shown.fee, Fee::Due(_)) {
        return onwards(ctx, &p).await;
    }
    let Some(provider) = Provider::from_variables().await else {
        return page(
            ctx,
            StatusCode::SERVICE_UNAVAILABLE,
            &p,
            Some(&unavailable(lang)),
        );
    };
    let request = &p.shown.waiting.request;
    let order = match fees::paying(&ctx.store, &account.id, sha, request, ctx.now).await? {
        // Paid meanwhile (another tab): never a second charge.
        Paying::Paid(_) => return onwards(ctx, &p).await,
        Paying::Resume(o) => match o.checkout_url {
            Some(url) => return Ok(see_other(&url)),
            None => o,
        },
        Paying::Checkout(o) => o,
    };
    let description = match &p.shown.described.titles {
        Some(titles) => fee_line(lang, order.amount_minor) + " — " + titles.get(lang).as_str(),
        None => fee_line(lang, order.amount_minor),
    };
    let description: String = description.chars().take(200).collect();
    match checkout(&provider, &order, &description).await? {
        Some(url) => Ok(see_other(&url)),
        None => page(ctx, StatusCode::BAD_GATEWAY, &p, Some(&unavailable(lang))),
    }
}

/// The fee page of a request (with a `problem`): the button to pay only
/// while the fee is due.
fn page(ctx: &Ctx, status: StatusCode, p: &Pending<'_>, problem: Option<&str>) -> Res {
    let lang = ctx.lang;
    let sha = p.shown.waiting.sha.as_str();
    let request: &AwaitingRequest = &p.shown.waiting.request;
    Ok(ctx.page(status, t(lang, "fee_title"), |csrf| {
        html! {
            h1 { (t(lang, "fee_title")) }
            @if let Some(problem) = problem { p.error role="alert" { (problem) } }
            (request_rows(lang, request, &p.shown.described, fee_row(lang, &p.shown.fee)))
            p { (if request.qualified { t(lang, "fee_then_sign") } else { t(lang, "fee_then_register") }) }
            @match &p.attempt {
                _ if !matches!(p.shown.fee, Fee::Due(_)) => {}
                Attempt::Waiting => {
                    p.notice role="status" { (t(lang, "pay_open")) " " a href={ "/portal/pay/" (sha) } { (t(lang, "refresh")) } }
                    (pay_form(csrf, lang, sha, t(lang, "continue_payment")))
                }
                Attempt::Refused => {
                    p.error role="alert" { (t(lang, "pay_failed")) " " (t(lang, "fee_retry")) }
                    (pay_form(csrf, lang, sha, &pay_label(lang, &p.shown.fee)))
                }
                Attempt::None => { (pay_form(csrf, lang, sha, &pay_label(lang, &p.shown.fee))) }
            }
            p { a href="/portal" { (t(lang, "my_documents")) } }
        }
    }))
}

/// "Plătește taxa (25 lei)".
fn pay_label(lang: Lang, fee: &Fee) -> String {
    match fee {
        Fee::Due(bani) => format!("{} ({})", t(lang, "pay_fee"), lei(*bani)),
        Fee::Free | Fee::Paid(_) => t(lang, "pay_fee").to_owned(),
    }
}

/// Where the last attempt at paying a fee is.
enum Attempt {
    /// None yet, or its checkout was never created.
    None,
    /// Its checkout is open: the citizen left it or the provider has not
    /// confirmed it yet.
    Waiting,
    /// Refused: a new payment may be made.
    Refused,
}

impl Attempt {
    /// Where the last attempt at paying the fee of `request` is, among
    /// `orders`.
    fn of(orders: &[Order], request: &Sha256Digest) -> Self {
        match next_fee_step(orders, request) {
            FeeStep::Resume(_) => Self::Waiting,
            FeeStep::New { attempt } if attempt > 1 => Self::Refused,
            FeeStep::New { .. } | FeeStep::Checkout(_) | FeeStep::Paid(_) => Self::None,
        }
    }
}
