//! The payment provider stand-in (DESIGN §6): the protocol of
//! [`ghiseu_platform::payments`], with a hosted checkout page and signed
//! webhooks, standing for a real card processor.
//!
//! - `POST /sandbox/pay/checkouts`: the merchant's signed
//!   [`CheckoutRequest`] (HMAC-SHA256 under `payment_secret` in
//!   `X-Ghiseu-Signature`; a bad signature is 401) → `201
//!   {"checkout_id","checkout_url"}`.
//! - `GET /sandbox/pay/checkout/{id}`: the hosted page (merchant,
//!   description, amount, a test card field, "Plătește" and "Renunță").
//! - `POST /sandbox/pay/checkout/{id}` (form `card`, `action=pay|cancel`):
//!   paying records the payment once (receipt number, time), POSTs the signed
//!   webhook to the merchant's `webhook_url`, then redirects (303) to its
//!   `return_url`. The card `4000 0000 0000 0002` is declined
//!   (`payment.failed`); any other 16-digit number passing the Luhn check is
//!   accepted. A settled checkout is never charged again: paying it again only
//!   re-sends its webhook if the first delivery failed, and redirects.
//!   "Renunță" redirects without paying (the checkout stays open).

use chrono::{DateTime, Utc};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::sandbox as keys;
use ghiseu_platform::kv::{self, Step, Store};
use ghiseu_platform::payments::{self, CheckoutCreated, CheckoutRequest, WebhookEvent};
use ghiseu_platform::{hmac, session};
use http::{Method, StatusCode};
use maud::{DOCTYPE, Markup, html};
use serde::{Deserialize, Serialize};

/// The test card that is always declined.
const DECLINED_CARD: &str = "4000000000000002";
/// The card the page suggests.
const TEST_CARD: &str = "4111 1111 1111 1111";
/// The one merchant the sandbox serves (the holder of `payment_secret`).
const MERCHANT: &str = "Ghiseu — ghișeul online";
const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:0 auto;padding:1rem;color:#111}\
h1{font-size:1.3rem}.amount{font-size:2rem;font-weight:700}label{display:block;margin-top:1rem;font-weight:600}\
input,select{font:inherit;padding:.6rem;width:100%;box-sizing:border-box;min-height:44px}\
button{font:inherit;padding:.7rem 1.2rem;margin:1rem .5rem 0 0;min-height:44px}.error{color:#b00}\
.test{background:#fff4d6;padding:.5rem}";

/// Whether `path` is the payment provider's.
pub fn serves(path: &str) -> bool {
    path.starts_with("/sandbox/pay/")
}

/// Where a checkout is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum State {
    Open,
    Paid,
    Declined,
}

/// A checkout as the sandbox keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Checkout {
    id: String,
    #[serde(flatten)]
    request: CheckoutRequest,
    created_at: DateTime<Utc>,
    state: State,
    receipt_no: Option<String>,
    paid_at: Option<DateTime<Utc>>,
    /// Whether the merchant accepted the webhook of the settled state.
    webhook_delivered: bool,
}

impl Checkout {
    fn event(&self) -> WebhookEvent {
        WebhookEvent {
            event: if self.state == State::Paid {
                payments::SUCCEEDED
            } else {
                payments::FAILED
            }
            .to_owned(),
            checkout_id: self.id.clone(),
            order_id: self.request.order_id.clone(),
            amount_minor: self.request.amount_minor,
            currency: self.request.currency.clone(),
            receipt_no: self.receipt_no.clone(),
            paid_at: self.paid_at,
            reason: (self.state == State::Declined).then(|| "card_declined".to_owned()),
        }
    }
}

/// Answers a request under `/sandbox/pay/`.
pub async fn handle(store: &Store, request: Request) -> ghiseu_platform::Result<Response> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    match (method, path.as_str()) {
        (Method::POST, "/sandbox/pay/checkouts") => create(request).await,
        (Method::GET, "/sandbox/pay/pay.css") => Ok(web::stylesheet(CSS)),
        (_, "/sandbox/pay/checkouts") => Ok(web::method_not_allowed("POST")),
        (method, p) => match p.strip_prefix("/sandbox/pay/checkout/") {
            Some(id) if !id.is_empty() && !id.contains('/') => match method {
                Method::GET => show(store, id).await,
                Method::POST => pay(store, id, request).await,
                _ => Ok(web::method_not_allowed("GET, POST")),
            },
            _ => Ok(web::problem(StatusCode::NOT_FOUND, "No such checkout.")),
        },
    }
}

async fn secret() -> String {
    ghiseu_platform::config::variable_or_empty("payment_secret")
}

fn is_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// `POST /sandbox/pay/checkouts`.
async fn create(request: Request) -> ghiseu_platform::Result<Response> {
    let (parts, body) = web::read_request(request, 16 * 1024).await?;
    let signature = web::header_str(&parts.headers, hmac::SIGNATURE_HEADER).unwrap_or_default();
    if !payments::verify(&secret().await, &body, signature) {
        return Ok(web::problem(
            StatusCode::UNAUTHORIZED,
            "The request signature does not match.",
        ));
    }
    let request: CheckoutRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return Ok(web::problem(
                StatusCode::BAD_REQUEST,
                format!("Not a checkout request: {e}"),
            ));
        }
    };
    let currency_ok =
        request.currency.len() == 3 && request.currency.bytes().all(|b| b.is_ascii_uppercase());
    let return_ok = is_url(&request.return_url)
        || (request.return_url.starts_with('/') && !request.return_url.starts_with("//"));
    if request.order_id.is_empty()
        || request.order_id.len() > 100
        || request.amount_minor == 0
        || request.amount_minor > 100_000_000
        || !currency_ok
        || request.description.chars().count() > 200
        || !return_ok
        || !is_url(&request.webhook_url)
    {
        return Ok(web::problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "A checkout needs an order_id (at most 100 characters), a positive amount_minor, \
             an ISO 4217 currency, a description of at most 200 characters, a return_url \
             (URL or absolute path) and a webhook_url (http or https).",
        ));
    }
    let id = session::hex(&session::random_bytes::<16>()?);
    let checkout = Checkout {
        id: id.clone(),
        request,
        created_at: ghiseu_platform::config::now(),
        state: State::Open,
        receipt_no: None,
        paid_at: None,
        webhook_delivered: false,
    };
    put(&checkout)?;
    Ok(web::json(
        StatusCode::CREATED,
        &CheckoutCreated {
            checkout_url: format!("/sandbox/pay/checkout/{id}"),
            checkout_id: id,
        },
    ))
}

fn put(checkout: &Checkout) -> ghiseu_platform::Result<()> {
    let bytes = serde_json::to_vec(checkout).map_err(|e| corrupt(&checkout.id, e))?;
    kv::set_many(STORE, &[(keys::pay_checkout(&checkout.id), bytes)])
}

fn corrupt(id: &str, e: impl ToString) -> ghiseu_platform::Error {
    ghiseu_platform::Error::Corrupt {
        key: keys::pay_checkout(id),
        detail: e.to_string(),
    }
}

async fn load(store: &Store, id: &str) -> ghiseu_platform::Result<Option<Checkout>> {
    match store.get(&keys::pay_checkout(id)).await? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| corrupt(id, e)),
        None => Ok(None),
    }
}

/// `GET /sandbox/pay/checkout/{id}`.
async fn show(store: &Store, id: &str) -> ghiseu_platform::Result<Response> {
    let Some(checkout) = load(store, id).await? else {
        return Ok(web::problem(StatusCode::NOT_FOUND, "No such checkout."));
    };
    Ok(page(StatusCode::OK, &checkout, TEST_CARD, None))
}

fn lei(minor: u64, currency: &str) -> String {
    let amount = ghiseu_core::payment::format_amount(minor);
    if currency == "RON" {
        format!("{amount} {}", if minor == 100 { "leu" } else { "lei" })
    } else {
        format!("{amount} {currency}")
    }
}

fn page(status: StatusCode, c: &Checkout, card: &str, error: Option<&str>) -> Response {
    let body: Markup = html! {
        (DOCTYPE)
        html lang="ro" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Plată — " (MERCHANT) }
                link rel="stylesheet" href="/sandbox/pay/pay.css";
            }
            body {
                p.test { "Mediu de test (sandbox): nu se încasează bani reali." }
                h1 { (MERCHANT) }
                p { (c.request.description) }
                p.amount { (lei(c.request.amount_minor, &c.request.currency)) }
                @match c.state {
                    State::Paid => {
                        p role="status" { "Plata a fost efectuată. Chitanța nr. " strong { (c.receipt_no.as_deref().unwrap_or("")) } }
                        p { a href=(c.request.return_url) { "Înapoi la comerciant" } }
                    }
                    State::Declined => {
                        p.error role="alert" { "Plata a fost refuzată de banca emitentă." }
                        p { a href=(c.request.return_url) { "Înapoi la comerciant" } }
                    }
                    State::Open => {
                        @if let Some(e) = error { p.error role="alert" id="card-error" { (e) } }
                        form method="post" action={ "/sandbox/pay/checkout/" (c.id) } {
                            label for="card" { "Numărul cardului" }
                            input id="card" name="card" inputmode="numeric" autocomplete="cc-number"
                                value=(card) aria-invalid=[error.map(|_| "true")]
                                aria-describedby=[error.map(|_| "card-error")];
                            small { "Card de test: 4111 1111 1111 1111 (acceptat), 4000 0000 0000 0002 (refuzat)." }
                            div {
                                button type="submit" name="action" value="pay" { "Plătește" }
                                button type="submit" name="action" value="cancel" { "Renunță" }
                            }
                        }
                    }
                }
            }
        }
    };
    crate::hosted::page(status, body.into_string())
}

/// Whether `digits` (16 of them) pass the Luhn check.
fn luhn(digits: &str) -> bool {
    digits.len() == 16
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let d = u32::from(b - b'0');
                if i % 2 == 1 {
                    if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
                } else {
                    d
                }
            })
            .sum::<u32>()
            % 10
            == 0
}

/// `POST /sandbox/pay/checkout/{id}`.
async fn pay(store: &Store, id: &str, request: Request) -> ghiseu_platform::Result<Response> {
    let (_, body) = web::read_request(request, 4 * 1024).await?;
    let form = web::parse_form(&body);
    let Some(checkout) = load(store, id).await? else {
        return Ok(web::problem(StatusCode::NOT_FOUND, "No such checkout."));
    };
    if web::form_field(&form, "action") == Some("cancel") {
        return Ok(web::see_other(&checkout.request.return_url));
    }
    let typed = web::form_raw(&form, "card");
    let card: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if checkout.state == State::Open && !luhn(&card) {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &checkout,
            typed,
            Some("Numărul cardului nu este valid (16 cifre)."),
        ));
    }
    let declined = card == DECLINED_CARD;
    let now = ghiseu_platform::config::now();
    // Settle once: the first payment wins, a second one changes nothing.
    let mut receipt: Option<String> = None;
    let settled = kv::update(STORE, &keys::pay_checkout(id), |current| {
        let Some(bytes) = current else {
            return Err(corrupt(id, "checkout vanished"));
        };
        let mut c: Checkout = serde_json::from_slice(bytes).map_err(|e| corrupt(id, e))?;
        if c.state != State::Open {
            return Ok(Step::Done(c));
        }
        if declined {
            c.state = State::Declined;
        } else {
            if receipt.is_none() {
                let n = kv::increment(STORE, keys::PAY_RECEIPT_SEQ, 1)?;
                receipt = Some(format!("SBX-{n:06}"));
            }
            c.state = State::Paid;
            c.receipt_no.clone_from(&receipt);
            c.paid_at = Some(now);
        }
        let bytes = serde_json::to_vec(&c).map_err(|e| corrupt(id, e))?;
        Ok(Step::Write(bytes, c))
    })?;
    if !settled.webhook_delivered {
        deliver(settled.clone()).await?;
    }
    Ok(web::see_other(&settled.request.return_url))
}

/// POSTs the settled checkout's webhook and records a delivery the merchant
/// accepted; a failed delivery is tried again when the checkout is paid again.
async fn deliver(mut checkout: Checkout) -> ghiseu_platform::Result<()> {
    let body = serde_json::to_vec(&checkout.event()).map_err(|e| corrupt(&checkout.id, e))?;
    let secret = secret().await;
    match hmac::post_signed(&checkout.request.webhook_url, secret.as_bytes(), body, 20).await {
        Ok((status, _)) if status.is_success() => {
            checkout.webhook_delivered = true;
            put(&checkout)
        }
        Ok((status, _)) => {
            eprintln!("sandbox pay: webhook of {} answered {status}", checkout.id);
            Ok(())
        }
        Err(e) => {
            eprintln!("sandbox pay: webhook of {} failed: {e}", checkout.id);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards() {
        assert!(luhn("4111111111111111"));
        assert!(luhn(DECLINED_CARD));
        assert!(!luhn("4111111111111112"));
        assert!(!luhn("411111111111111"));
        assert!(!luhn("abcd111111111111"));
    }
}
