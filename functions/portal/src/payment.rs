//! Buying the qualified signature credential (DESIGN §5, signing): the
//! "Semnătura electronică" page, the order and its checkout at the payment
//! provider ([`ghiseu_platform::payments`]), the provider's webhook, the
//! receipt, then the identification at the signing provider and the
//! credential's enrollment in the verified name ([`crate::identity`]).
//!
//! - `GET /portal/signature`: what it is and costs, where the purchase is
//!   (core's `identity::stage`: buy; paid and identification to start or
//!   continue; failed and why, with "try again"; identified and the
//!   credential still to create; ready in the verified name), the payments.
//! - `POST /portal/signature/buy`: a new order, a checkout, 303 to the
//!   provider's hosted page. Refused while the account has a credential or a
//!   paid order (never charge twice), or has no proven phone (the signing
//!   codes come by SMS).
//! - `GET /portal/payments/{order}`: where the browser returns; the payment's
//!   status and receipt (număr chitanță, sumă, dată). A paid order whose
//!   identification is still to do sends the browser on (303) to the signing
//!   provider's identification page.
//! - `POST /portal/signature/identity`, `GET /portal/signature/identity`:
//!   the identification, see [`crate::identity`].
//! - `POST /portal/signature/enroll`: creates the credential again after a
//!   failed enrollment (identified already), never a second payment.
//! - `POST /api/v1/payments/webhook`: the provider's signed event. A bad
//!   signature is 401 and changes nothing; the order changes through core's
//!   [`Order::apply`] with a leased replace, so a repeated webhook records
//!   nothing twice. A paid order whose citizen is identified already gets
//!   its credential (`ghiseu_platform::identity`'s enrollment); otherwise
//!   the credential waits for the identification.
//!
//! The same checkout, return page and webhook pay a request's fee (an order
//! whose purpose is the fee, see [`crate::fees`]): its return page sends the
//! browser on to the request's fee page, and its webhook registers a paid
//! request that needs no signature.

use ghiseu_app::citizen;
use ghiseu_core::Lang;
use ghiseu_core::identity::CredentialStage;
use ghiseu_core::payment::{Applied, Order, OrderStatus, PaymentError, format_amount};
use ghiseu_platform::hmac;
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, see_other};
use ghiseu_platform::identity::Onboarding;
use ghiseu_platform::payments::{self, Provider, WebhookEvent};
use http::StatusCode;
use maud::{Markup, html};

use crate::checkout::{checkout, unavailable};
use crate::ctx::{Ctx, Res};
use crate::fees;
use crate::identity::{self, Next};
use crate::pages::form_state;
use crate::pending::page_path;
use crate::texts::t;

async fn variable(name: &str) -> String {
    ghiseu_platform::config::variable(name)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// An amount for people: `1,00 lei`.
fn lei(minor: u64) -> String {
    format!("{} lei", format_amount(minor))
}

/// The account's payments with their receipts (also on "my documents"),
/// each under what it paid for (`what`).
pub fn payments_list(lang: Lang, orders: &[Order], what: impl Fn(&Order) -> String) -> Markup {
    html! {
        @if orders.iter().any(|o| !matches!(o.status, OrderStatus::Open)) {
            section {
                h2 { (t(lang, "payments")) }
                @for o in orders.iter().filter(|o| !matches!(o.status, OrderStatus::Open)) {
                    article.document {
                        p { (what(o)) " · " (status_text(lang, &o.status)) }
                        (receipt(lang, o))
                    }
                }
            }
        }
    }
}

fn status_text(lang: Lang, status: &OrderStatus) -> &'static str {
    match status {
        OrderStatus::Open => t(lang, "pay_open"),
        OrderStatus::Paid(_) => t(lang, "pay_paid"),
        OrderStatus::Failed { .. } => t(lang, "pay_failed"),
    }
}

/// The receipt of a paid order: number, amount, date.
pub(crate) fn receipt(lang: Lang, o: &Order) -> Markup {
    html! {
        @if let Some(r) = o.receipt() {
            dl.receipt {
                dt { (t(lang, "receipt_no")) } dd { strong { (r.receipt_no) } }
                dt { (t(lang, "amount")) } dd { (lei(r.amount_minor)) }
                dt { (t(lang, "paid_at")) } dd { (ghiseu_core::calendar::written_local_time(lang, r.paid_at)) }
            }
        }
    }
}

/// `GET /portal/signature` (and the same page with a problem).
pub async fn page(ctx: &Ctx, status: StatusCode, problem: Option<String>) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let orders = citizen::credential_orders(&ctx.store, &account.id).await?;
    let paid = orders.iter().any(|o| o.receipt().is_some());
    let stage = identity::stage_of(ctx, account, paid).await?;
    let phone = account.phone_verified && account.phone.is_some();
    // With the credential ready, the way back to a request waiting for it.
    let waiting = match stage {
        CredentialStage::Ready(_) => citizen::awaiting_signature(&ctx.store, &account.id)
            .await?
            .first()
            .map(|r| r.rsplit('/').next().unwrap_or_default().to_owned()),
        _ => None,
    };
    Ok(ctx.page(status, t(lang, "signature"), |csrf| {
        html! {
            h1 { (t(lang, "signature")) }
            p { (t(lang, "signature_intro")) }
            @if let Some(p) = &problem { p.error role="alert" { (p) } }
            @if let Some(sha) = &waiting {
                p.notice { a.button href={ "/portal/sign/" (sha) "?lang=" (lang.code()) } { (t(lang, "sign_waiting")) } }
            }
            @if stage != CredentialStage::Buy {
                (identity::stage(csrf, lang, &stage))
            } @else if !phone {
                p.notice { (t(lang, "needs_phone")) }
            } @else {
                form method="post" action="/portal/signature/buy" {
                    (form_state(csrf, lang))
                    button type="submit" { (t(lang, "buy")) " (" (lei(ghiseu_core::payment::SIGNATURE_PRICE_MINOR)) ")" }
                }
            }
            (payments_list(lang, &orders, |_| t(lang, "credential_item").to_owned()))
        }
    }))
}

/// The redirect of `next`, or the signature page with its problem.
async fn or_page(ctx: &Ctx, next: Next) -> Res {
    match next? {
        Ok(response) => Ok(response),
        Err((status, problem)) => page(ctx, status, Some(problem)).await,
    }
}

/// `POST /portal/signature/identity`: on to the provider's identification.
pub async fn identify(ctx: &Ctx) -> Res {
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let next = identity::continue_identification(ctx, account).await;
    or_page(ctx, next).await
}

/// `GET /portal/signature/identity`: back from the provider's identification.
pub async fn identified(ctx: &Ctx) -> Res {
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let next = identity::returned(ctx, account).await;
    or_page(ctx, next).await
}

/// `POST /portal/signature/buy`.
pub async fn buy(ctx: &Ctx) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let credential = citizen::signing_credential(&ctx.store, &account.id).await?;
    let orders = citizen::credential_orders(&ctx.store, &account.id).await?;
    if credential.is_some() || orders.iter().any(|o| o.receipt().is_some()) {
        // Already bought: never a second charge.
        return Ok(see_other("/portal/signature"));
    }
    if !(account.phone_verified && account.phone.is_some()) {
        return page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(t(lang, "needs_phone").to_owned()),
        )
        .await;
    }
    let Some(provider) = Provider::from_variables().await else {
        return page(
            ctx,
            StatusCode::SERVICE_UNAVAILABLE,
            Some(unavailable(lang)),
        )
        .await;
    };
    let id = citizen::new_account_id()?;
    let order = Order::signature_credential(id.clone(), account.id.clone(), ctx.now);
    citizen::create_order(&order)?;
    match checkout(&provider, &order, t(lang, "credential_item")).await? {
        Some(url) => Ok(see_other(&url)),
        None => page(ctx, StatusCode::BAD_GATEWAY, Some(unavailable(lang))).await,
    }
}

/// `GET /portal/payments/{order}`: the return page.
pub async fn returned(ctx: &Ctx, order_id: &str) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let Some(order) = citizen::order(&ctx.store, order_id)
        .await?
        .filter(|o| o.account == account.id)
    else {
        return Ok(web::problem(StatusCode::NOT_FOUND, "No such payment."));
    };
    if let Some(fee) = order.fee_for() {
        // A request's fee: on to its page, which says what comes next.
        return Ok(see_other(&page_path(&fee.request.to_hex())));
    }
    let paid = order.receipt().is_some();
    let stage = identity::stage_of(ctx, account, paid).await?;
    if paid && matches!(stage, CredentialStage::Identify { .. }) {
        // Paid: on to the signing provider's identification.
        let next = identity::continue_identification(ctx, account).await;
        return or_page(ctx, next).await;
    }
    Ok(ctx.page(StatusCode::OK, t(lang, "payment"), |csrf| {
        html! {
            h1 { (t(lang, "payment")) }
            p { (t(lang, "credential_item")) " · " (lei(order.amount_minor)) }
            p.notice role="status" { strong { (status_text(lang, &order.status)) } }
            (receipt(lang, &order))
            @match &order.status {
                OrderStatus::Open => p { a href={ "/portal/payments/" (order.id) } { (t(lang, "refresh")) } },
                OrderStatus::Failed { .. } => p { a href="/portal/signature" { (t(lang, "try_again")) } },
                OrderStatus::Paid(_) => {
                    (identity::stage(csrf, lang, &stage))
                    p { a href="/portal" { (t(lang, "my_documents")) } }
                },
            }
        }
    }))
}

/// `POST /portal/signature/enroll`: the credential again, never a payment.
pub async fn retry(ctx: &Ctx) -> Res {
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let next = identity::enroll_if_verified(ctx, account).await;
    or_page(ctx, next).await
}

/// The credential of `account_id` if it is paid and identified (created now
/// if need be); `None` otherwise, or when the provider did not create it.
async fn enroll_identified(
    ctx: &Ctx,
    account_id: &str,
    order_id: &str,
) -> ghiseu_platform::Result<Option<String>> {
    let Some(account) = citizen::account(&ctx.store, account_id).await? else {
        return Ok(None);
    };
    match identity::stage_of(ctx, &account, true).await? {
        CredentialStage::Ready(_) => citizen::signing_credential(&ctx.store, account_id).await,
        CredentialStage::Enroll(_) => {
            let Some(onboarding) = Onboarding::from_variables() else {
                return Ok(None);
            };
            match citizen::ensure_credential(&ctx.store, &onboarding, &account).await? {
                Ok(c) => Ok(Some(c)),
                Err(e) => {
                    eprintln!("portal: enrollment after order {order_id}: {e}");
                    Ok(None)
                }
            }
        }
        _ => Ok(None),
    }
}

/// `POST /api/v1/payments/webhook`.
pub async fn webhook(ctx: &Ctx, request: Request) -> Res {
    let (parts, body) = web::read_request(request, 16 * 1024).await?;
    let signature = web::header_str(&parts.headers, hmac::SIGNATURE_HEADER).unwrap_or_default();
    if !payments::verify(&variable("payment_secret").await, &body, signature) {
        return Ok(web::problem(
            StatusCode::UNAUTHORIZED,
            "The webhook signature does not match.",
        ));
    }
    let event: WebhookEvent = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) => {
            return Ok(web::problem(
                StatusCode::BAD_REQUEST,
                format!("Not a payment event: {e}"),
            ));
        }
    };
    let Some(outcome) = event.outcome() else {
        return Ok(web::problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Unknown event, or a payment.succeeded without receipt_no and paid_at.",
        ));
    };
    let applied = citizen::update_order(&event.order_id, |order| {
        let result = order.apply(&event.checkout_id, outcome.clone());
        (
            matches!(result, Ok(Applied::Recorded)),
            result.map(|a| (a, order.clone())),
        )
    })?;
    let (applied, order) = match applied {
        None => return Ok(web::problem(StatusCode::NOT_FOUND, "No such order.")),
        Some(Err(e @ PaymentError::WrongCheckout)) => {
            return Ok(web::problem(StatusCode::CONFLICT, e.to_string()));
        }
        Some(Err(e)) => {
            return Ok(web::problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                e.to_string(),
            ));
        }
        Some(Ok(a)) => a,
    };
    let paid = order.receipt().is_some();
    // A paid order whose citizen is identified already gets its credential,
    // also when a repeated webhook finds the first enrollment failed; a
    // failure leaves the payment recorded. Otherwise the credential waits
    // for the identification (the return page leads there).
    let credential = if paid && order.is_credential() {
        enroll_identified(ctx, &order.account, &event.order_id).await?
    } else {
        None
    };
    // A paid fee registers its request when it needs no signature (once:
    // a repeated webhook or the citizen's return finds it registered).
    let registered = if paid {
        fees::register_paid(ctx, &order).await?
    } else {
        None
    };
    Ok(web::json(
        StatusCode::OK,
        &serde_json::json!({
            "order_id": event.order_id,
            "recorded": applied == Applied::Recorded,
            "paid": paid,
            "credential": credential.is_some(),
            "registered": registered,
        }),
    ))
}
