//! The provider's checkout of any order (the signature credential's or a
//! request's fee): one protocol ([`ghiseu_platform::payments`]), one return
//! page (`/portal/payments/{order}`) and one webhook
//! (`/api/v1/payments/webhook`) for both.

use ghiseu_app::citizen;
use ghiseu_core::Lang;
use ghiseu_core::payment::Order;
use ghiseu_platform::payments::{CheckoutRequest, Provider};

use crate::texts::pick;

/// Where the provider's webhook reaches the portal when `payment_webhook_url`
/// is not set: Spin service chaining to this component.
const DEFAULT_WEBHOOK_URL: &str = "http://portal.spin.internal/api/v1/payments/webhook";

/// Why paying cannot start now.
pub(crate) fn unavailable(lang: Lang) -> String {
    pick(
        lang,
        "Plata nu este disponibilă acum. Reîncercați mai târziu.",
        "A fizetés most nem érhető el. Próbálja újra később.",
        "Payment is not available now. Try again later.",
    )
}

/// Creates the provider's checkout of `order` (shown as `description`), with
/// the return page and the webhook of every order, and keeps it on the
/// order unless a parallel request kept one first; the hosted page the
/// order is paid on, or `None` when the provider did not create a checkout
/// (nothing was charged).
pub(crate) async fn checkout(
    provider: &Provider,
    order: &Order,
    description: &str,
) -> ghiseu_platform::Result<Option<String>> {
    let id = &order.id;
    // The return page's address is configured, never the request's `Host`.
    let Some(base) = ghiseu_platform::config::public_base_url() else {
        return Ok(None);
    };
    let webhook = Some(ghiseu_platform::config::variable_or_empty(
        "payment_webhook_url",
    ))
    .map(|u| u.trim().to_owned())
    .filter(|u| !u.is_empty())
    .unwrap_or_else(|| DEFAULT_WEBHOOK_URL.to_owned());
    let request = CheckoutRequest {
        order_id: id.clone(),
        amount_minor: order.amount_minor,
        currency: order.currency.clone(),
        description: description.to_owned(),
        return_url: format!("{}/portal/payments/{id}", base.as_str()),
        webhook_url: webhook,
    };
    let created = match provider.create_checkout(&request).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portal: checkout of order {id}: {e}");
            return Ok(None);
        }
    };
    let kept = citizen::keep_checkout(id, &created.checkout_id, &created.checkout_url)?;
    Ok(kept
        .and_then(|o| o.checkout_url)
        .or(Some(created.checkout_url)))
}
