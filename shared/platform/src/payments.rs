//! The payment provider protocol (DESIGN §6): a hosted checkout and an
//! HMAC-signed webhook, standing for a real card processor. The sandbox
//! (`functions/sandbox`) implements the provider side; the portal the
//! merchant side.
//!
//! 1. The merchant creates a checkout: `POST {payment_url}/checkouts` with a
//!    JSON [`CheckoutRequest`] (`order_id`, `amount_minor`, `currency`,
//!    `description`, `return_url`, `webhook_url`) and the header
//!    `X-Ghiseu-Signature: sha256=<hex HMAC-SHA256 of the body under
//!    payment_secret>` ([`crate::hmac`]). The provider answers `201` with a
//!    [`CheckoutCreated`] (`checkout_id`, `checkout_url`); `checkout_url` is an
//!    absolute URL, or an absolute path on the merchant's own site (the
//!    sandbox is mounted beside the portal).
//! 2. The merchant redirects the citizen's browser (303) to `checkout_url`;
//!    the provider's hosted page takes the card.
//! 3. The provider POSTs a [`WebhookEvent`] (`payment.succeeded` with
//!    `receipt_no` and `paid_at`, or `payment.failed` with `reason`) to
//!    `webhook_url`, signed the same way, then redirects the browser (303) to
//!    `return_url`. A webhook may arrive more than once; the merchant applies
//!    it once (by checkout and order). A checkout is paid at most once.

use chrono::{DateTime, Utc};
use ghiseu_core::payment::{PaymentEvent, Receipt};
use serde::{Deserialize, Serialize};

/// `event` of a payment that succeeded.
pub const SUCCEEDED: &str = "payment.succeeded";
/// `event` of a payment that was refused.
pub const FAILED: &str = "payment.failed";

/// The merchant's request for a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutRequest {
    /// The merchant's order (echoed in the webhook).
    pub order_id: String,
    /// The amount in minor units (bani).
    pub amount_minor: u64,
    /// ISO 4217 (`RON`).
    pub currency: String,
    /// What is bought, shown on the hosted page.
    pub description: String,
    /// Where the browser goes after paying or giving up.
    pub return_url: String,
    /// Where the provider POSTs the signed [`WebhookEvent`].
    pub webhook_url: String,
}

/// The provider's answer to a [`CheckoutRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutCreated {
    /// The provider's id of the checkout.
    pub checkout_id: String,
    /// The hosted payment page.
    pub checkout_url: String,
}

/// What the provider tells the merchant about a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// [`SUCCEEDED`] or [`FAILED`].
    pub event: String,
    /// The checkout.
    pub checkout_id: String,
    /// The merchant's order.
    pub order_id: String,
    /// The amount, in minor units.
    pub amount_minor: u64,
    /// The currency.
    pub currency: String,
    /// The receipt number (succeeded only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_no: Option<String>,
    /// When the money was taken (succeeded only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<DateTime<Utc>>,
    /// Why it was refused (failed only), e.g. `card_declined`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl WebhookEvent {
    /// The domain's event, or `None` for an event this platform does not
    /// know or a success without its receipt.
    #[must_use]
    pub fn outcome(&self) -> Option<PaymentEvent> {
        match self.event.as_str() {
            SUCCEEDED => Some(PaymentEvent::Succeeded(Receipt {
                receipt_no: self
                    .receipt_no
                    .clone()
                    .filter(|r| !r.is_empty() && r.len() <= 100)?,
                paid_at: self.paid_at?,
                amount_minor: self.amount_minor,
                currency: self.currency.clone(),
            })),
            FAILED => Some(PaymentEvent::Failed {
                reason: self.reason.clone().unwrap_or_else(|| "refused".to_owned()),
            }),
            _ => None,
        }
    }
}

/// Whether `header` signs `body` under `secret`; an empty secret (the
/// provider not configured) verifies nothing, so nobody can forge a payment
/// with the empty key.
#[must_use]
pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    !secret.is_empty() && crate::hmac::verify(secret.as_bytes(), body, header)
}

/// The provider, from the `payment_url` and `payment_secret` variables.
#[derive(Debug, Clone)]
pub struct Provider {
    url: String,
    secret: String,
}

impl Provider {
    /// From the component's variables; `None` when `payment_url` or
    /// `payment_secret` is empty (payments not configured).
    pub async fn from_variables() -> Option<Self> {
        let url = crate::config::variable_or_empty("payment_url");
        let secret = crate::config::variable_or_empty("payment_secret");
        (!url.trim().is_empty() && !secret.is_empty()).then(|| Self {
            url: url.trim().trim_end_matches('/').to_owned(),
            secret,
        })
    }

    /// Creates a checkout; `Err` with a short reason when the provider did
    /// not (nothing was charged).
    pub async fn create_checkout(
        &self,
        request: &CheckoutRequest,
    ) -> std::result::Result<CheckoutCreated, String> {
        let body = serde_json::to_vec(request).map_err(|e| e.to_string())?;
        let url = format!("{}/checkouts", self.url);
        let (status, answer) =
            crate::hmac::post_signed(&url, self.secret.as_bytes(), body, 10).await?;
        if !status.is_success() {
            return Err(format!("the payment provider answered {status}"));
        }
        serde_json::from_slice(&answer)
            .map_err(|e| format!("the payment provider's answer is not a checkout: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_events_map_to_the_domain() {
        let ok: WebhookEvent = serde_json::from_str(
            r#"{"event":"payment.succeeded","checkout_id":"c","order_id":"o",
                "amount_minor":100,"currency":"RON","receipt_no":"SBX-000001",
                "paid_at":"2026-03-02T09:00:00Z"}"#,
        )
        .unwrap();
        assert!(
            matches!(ok.outcome(), Some(PaymentEvent::Succeeded(r)) if r.receipt_no == "SBX-000001")
        );
        let no_receipt = WebhookEvent {
            receipt_no: None,
            ..ok.clone()
        };
        assert_eq!(no_receipt.outcome(), None);
        let failed = WebhookEvent {
            event: FAILED.into(),
            reason: Some("card_declined".into()),
            ..ok.clone()
        };
        assert_eq!(
            failed.outcome(),
            Some(PaymentEvent::Failed {
                reason: "card_declined".into()
            })
        );
        let unknown = WebhookEvent {
            event: "payment.refunded".into(),
            ..ok
        };
        assert_eq!(unknown.outcome(), None);
    }

    #[test]
    fn an_empty_secret_verifies_nothing() {
        let body = b"{}";
        assert!(!verify("", body, &crate::hmac::signature(b"", body)));
        assert!(verify("k", body, &crate::hmac::signature(b"k", body)));
    }
}
