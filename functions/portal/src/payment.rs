//! Buying the qualified signature credential (DESIGN §5, signing): the
//! "Semnătura electronică" page, the order and its checkout at the payment
//! provider ([`ghiseu_platform::payments`]), the provider's webhook, the
//! receipt, and the credential's enrollment at the signing provider.
//!
//! - `GET /portal/signature`: what it is and costs, the credential's state,
//!   "Cumpără" (or "Reîncearcă" when paid but not enrolled), the payments.
//! - `POST /portal/signature/buy`: a new order, a checkout, 303 to the
//!   provider's hosted page. Refused while the account has a credential or a
//!   paid order (never charge twice), or has no proven phone (the signing
//!   codes come by SMS).
//! - `GET /portal/payments/{order}`: where the browser returns; the payment's
//!   status and receipt (număr chitanță, sumă, dată).
//! - `POST /portal/signature/enroll`: creates the credential again after a
//!   failed enrollment, never a second payment.
//! - `POST /api/v1/payments/webhook`: the provider's signed event. A bad
//!   signature is 401 and changes nothing; the order changes through core's
//!   [`Order::apply`] with a leased replace, so a repeated webhook records
//!   nothing twice; a paid order gets its credential (`POST {csc_enroll_url}`
//!   with `Authorization: Bearer {csc_client_secret}` and `{"user_id",
//!   "name", "phone", "email"}` → `{"credential_id"}`). A failed enrollment
//!   leaves the payment recorded and is retried from the pages.

use ghiseu_app::citizen;
use ghiseu_core::Lang;
use ghiseu_core::citizen::Account;
use ghiseu_core::payment::{Applied, Order, OrderStatus, PaymentError, format_amount};
use ghiseu_platform::hmac;
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, see_other};
use ghiseu_platform::keys::CitizenKeys;
use ghiseu_platform::payments::{self, CheckoutRequest, Provider, WebhookEvent};
use http::StatusCode;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::ctx::{Ctx, Res};
use crate::pages::form_state;
use crate::texts::{pick, t};

/// Where the provider's webhook reaches the portal when `payment_webhook_url`
/// is not set: Spin service chaining to this component.
const DEFAULT_WEBHOOK_URL: &str = "http://portal.spin.internal/api/v1/payments/webhook";

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

fn when(lang: Lang, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = ghiseu_core::calendar::local_datetime(at);
    match lang {
        Lang::En => local.format("%d/%m/%Y %H:%M").to_string(),
        _ => local.format("%d.%m.%Y %H:%M").to_string(),
    }
}

/// The account's payments with their receipts (also on "my documents").
pub fn payments_list(lang: Lang, orders: &[Order]) -> Markup {
    html! {
        @if orders.iter().any(|o| !matches!(o.status, OrderStatus::Open)) {
            section {
                h2 { (t(lang, "payments")) }
                @for o in orders.iter().filter(|o| !matches!(o.status, OrderStatus::Open)) {
                    article.document {
                        p { (t(lang, "credential_item")) " · " (status_text(lang, &o.status)) }
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

fn receipt(lang: Lang, o: &Order) -> Markup {
    html! {
        @if let Some(r) = o.receipt() {
            dl.receipt {
                dt { (t(lang, "receipt_no")) } dd { strong { (r.receipt_no) } }
                dt { (t(lang, "amount")) } dd { (lei(r.amount_minor)) }
                dt { (t(lang, "paid_at")) } dd { (when(lang, r.paid_at)) }
            }
        }
    }
}

/// The account's credential, and its newest paid order.
async fn state(
    ctx: &Ctx,
    account: &Account,
) -> ghiseu_platform::Result<(Option<String>, Vec<Order>)> {
    Ok((
        citizen::signing_credential(&ctx.store, &account.id).await?,
        citizen::orders(&ctx.store, &account.id).await?,
    ))
}

/// `GET /portal/signature` (and the same page with a problem).
pub async fn page(ctx: &Ctx, status: StatusCode, problem: Option<String>) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let (credential, orders) = state(ctx, account).await?;
    let paid = orders.iter().any(|o| o.receipt().is_some());
    let phone = account.phone_verified && account.phone.is_some();
    Ok(ctx.page(status, t(lang, "signature"), |csrf| {
        html! {
            h1 { (t(lang, "signature")) }
            p { (t(lang, "signature_intro")) }
            @if let Some(p) = &problem { p.error role="alert" { (p) } }
            @if credential.is_some() {
                p.notice role="status" { (t(lang, "credential_active")) }
            } @else if paid {
                p.notice { (t(lang, "credential_pending")) }
                form method="post" action="/portal/signature/enroll" {
                    (form_state(csrf, lang))
                    button type="submit" { (t(lang, "retry")) }
                }
            } @else if !phone {
                p.notice { (t(lang, "needs_phone")) }
            } @else {
                form method="post" action="/portal/signature/buy" {
                    (form_state(csrf, lang))
                    button type="submit" { (t(lang, "buy")) " (" (lei(ghiseu_core::payment::SIGNATURE_PRICE_MINOR)) ")" }
                }
            }
            (payments_list(lang, &orders))
        }
    }))
}

/// `POST /portal/signature/buy`.
pub async fn buy(ctx: &Ctx) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let (credential, orders) = state(ctx, account).await?;
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
    let unavailable = || {
        pick(
            lang,
            "Plata nu este disponibilă acum. Reîncercați mai târziu.",
            "A fizetés most nem érhető el. Próbálja újra később.",
            "Payment is not available now. Try again later.",
        )
    };
    let Some(provider) = Provider::from_variables().await else {
        return page(ctx, StatusCode::SERVICE_UNAVAILABLE, Some(unavailable())).await;
    };
    let id = citizen::new_account_id()?;
    let order = Order::signature_credential(id.clone(), account.id.clone(), ctx.now);
    citizen::create_order(&order)?;
    let webhook = Some(variable("payment_webhook_url").await)
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_WEBHOOK_URL.to_owned());
    let request = CheckoutRequest {
        order_id: id.clone(),
        amount_minor: order.amount_minor,
        currency: order.currency.clone(),
        description: t(lang, "credential_item").to_owned(),
        return_url: format!("{}/portal/payments/{id}", web::request_origin(&ctx.headers)),
        webhook_url: webhook,
    };
    let created = match provider.create_checkout(&request).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portal: checkout of order {id}: {e}");
            return page(ctx, StatusCode::BAD_GATEWAY, Some(unavailable())).await;
        }
    };
    let checkout_id = created.checkout_id.clone();
    citizen::update_order(&id, |o| {
        let fresh = o.checkout_id.is_none();
        if fresh {
            o.checkout_id = Some(checkout_id.clone());
        }
        (fresh, ())
    })?;
    Ok(see_other(&created.checkout_url))
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
    let credential = citizen::signing_credential(&ctx.store, &account.id).await?;
    Ok(ctx.page(StatusCode::OK, t(lang, "payment"), |csrf| {
        html! {
            h1 { (t(lang, "payment")) }
            p { (t(lang, "credential_item")) " · " (lei(order.amount_minor)) }
            p.notice role="status" { strong { (status_text(lang, &order.status)) } }
            (receipt(lang, &order))
            @match (&order.status, &credential) {
                (OrderStatus::Open, _) => p { a href={ "/portal/payments/" (order.id) } { (t(lang, "refresh")) } },
                (OrderStatus::Failed { .. }, _) => p { a href="/portal/signature" { (t(lang, "try_again")) } },
                (OrderStatus::Paid(_), Some(_)) => p { (t(lang, "credential_active")) " " a href="/portal" { (t(lang, "my_documents")) } },
                (OrderStatus::Paid(_), None) => {
                    p { (t(lang, "credential_pending")) }
                    form method="post" action="/portal/signature/enroll" {
                        (form_state(csrf, lang))
                        button type="submit" { (t(lang, "retry")) }
                    }
                },
            }
        }
    }))
}

/// `POST /portal/signature/enroll`: the credential again, never a payment.
pub async fn retry(ctx: &Ctx) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let (credential, orders) = state(ctx, account).await?;
    if credential.is_some() || !orders.iter().any(|o| o.receipt().is_some()) {
        return Ok(see_other("/portal/signature"));
    }
    match ensure_credential(ctx, &account.id).await? {
        Ok(_) => Ok(see_other("/portal/signature")),
        Err(e) => {
            eprintln!("portal: enrollment of {}: {e}", account.id);
            page(
                ctx,
                StatusCode::BAD_GATEWAY,
                Some(pick(
                    lang,
                    "Semnătura nu a putut fi creată acum. Plata rămâne înregistrată; reîncercați mai târziu.",
                    "Az aláírást most nem sikerült létrehozni. A fizetés rögzítve marad; próbálja újra később.",
                    "The signature could not be created now. Your payment stays recorded; try again later.",
                )),
            )
            .await
        }
    }
}

#[derive(Serialize)]
struct Enrollment<'a> {
    user_id: String,
    name: &'a str,
    phone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

#[derive(Deserialize)]
struct Enrolled {
    credential_id: String,
}

/// The account's credential, created at the signing provider if it has none:
/// `Ok(Err(reason))` when the provider did not create it.
async fn ensure_credential(
    ctx: &Ctx,
    account_id: &str,
) -> ghiseu_platform::Result<Result<String, String>> {
    if let Some(c) = citizen::signing_credential(&ctx.store, account_id).await? {
        return Ok(Ok(c));
    }
    let Some(account) = citizen::account(&ctx.store, account_id).await? else {
        return Ok(Err("no such account".into()));
    };
    let Some(phone) = account.phone.as_ref().filter(|_| account.phone_verified) else {
        return Ok(Err("the account has no proven phone".into()));
    };
    let url = variable("csc_enroll_url").await;
    if url.is_empty() {
        return Ok(Err("csc_enroll_url is not set".into()));
    }
    let secret = variable("csc_client_secret").await;
    let body = serde_json::to_vec(&Enrollment {
        user_id: CitizenKeys::new(&account.id).signing_user(),
        name: account.name.as_str(),
        phone: phone.as_str(),
        email: account
            .email
            .as_ref()
            .filter(|_| account.email_verified)
            .map(|e| e.as_str()),
    })
    .map_err(|e| ghiseu_platform::Error::Corrupt {
        key: "enrollment".into(),
        detail: e.to_string(),
    })?;
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(&url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(bytes::Bytes::from(body));
    let Ok(request) = request else {
        return Ok(Err(format!("bad csc_enroll_url {url:?}")));
    };
    let timeouts = web::Timeouts::new(
        std::time::Duration::from_secs(5),
        std::time::Duration::from_secs(30),
    );
    let response = match ghiseu_platform::wasi_http::send(request, timeouts).await {
        Ok(r) => r,
        Err(e) => return Ok(Err(format!("signing provider unreachable: {e}"))),
    };
    let (parts, body) = response.into_parts();
    if !parts.status.is_success() {
        return Ok(Err(format!("signing provider answered {}", parts.status)));
    }
    let bytes = web::read_body(&parts.headers, body, 64 * 1024).await?;
    match serde_json::from_slice::<Enrolled>(&bytes) {
        Ok(e) if !e.credential_id.is_empty() && e.credential_id.len() <= 200 => Ok(Ok(
            citizen::keep_signing_credential(&account.id, &e.credential_id)?,
        )),
        _ => Ok(Err(
            "the signing provider's answer has no credential_id".into()
        )),
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
        let account = order.account.clone();
        let paid = order.receipt().is_some();
        (
            matches!(result, Ok(Applied::Recorded)),
            result.map(|a| (a, account, paid)),
        )
    })?;
    let (applied, account, paid) = match applied {
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
    // A paid order gets its credential, also when a repeated webhook finds
    // the first enrollment failed; a failure leaves the payment recorded.
    let credential = if paid {
        match ensure_credential(ctx, &account).await? {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("portal: enrollment after order {}: {e}", event.order_id);
                None
            }
        }
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
        }),
    ))
}
