//! Paying for a citizen's qualified signature credential (DESIGN §5, signing):
//! an order of a fixed price, paid once through the payment provider.
//!
//! [`Order::apply`] is the one rule for what a provider's event does to an
//! order: a success for the right checkout, amount and currency records the
//! receipt once; anything that arrives after the order is settled changes
//! nothing (providers repeat webhooks), and money taken after a decline is
//! still recorded, because it was taken.

use chrono::{DateTime, Utc};
use thiserror::Error;

/// The price of a qualified signature credential: 1,00 leu, in bani.
pub const SIGNATURE_PRICE_MINOR: u64 = 100;
/// The currency of every order.
pub const CURRENCY: &str = "RON";

/// A payment the provider confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The provider's receipt number (număr chitanță).
    pub receipt_no: String,
    /// When the provider took the money.
    pub paid_at: DateTime<Utc>,
    /// The amount paid, in minor units.
    pub amount_minor: u64,
    /// The currency (ISO 4217).
    pub currency: String,
}

/// Where an order is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderStatus {
    /// Created, waiting for the citizen to pay.
    Open,
    /// Paid: the receipt.
    Paid(Receipt),
    /// The provider refused the payment (e.g. a declined card).
    Failed {
        /// The provider's reason, for the citizen.
        reason: String,
    },
}

/// An order of one credential by one citizen account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// A random id (also the provider's `order_id`).
    pub id: String,
    /// The citizen account that buys.
    pub account: String,
    /// The price, in minor units.
    pub amount_minor: u64,
    /// The currency.
    pub currency: String,
    /// The provider's checkout, once created.
    pub checkout_id: Option<String>,
    /// Where it is.
    pub status: OrderStatus,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// What the provider says happened to a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    /// The money was taken.
    Succeeded(Receipt),
    /// The payment was refused.
    Failed {
        /// The provider's reason.
        reason: String,
    },
}

/// What [`Order::apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The order changed: store it.
    Recorded,
    /// The order already settled this way or another: nothing changes.
    Unchanged,
}

/// Why an event does not belong to an order; nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaymentError {
    /// The event is about another checkout than the order's.
    #[error("the event is about another checkout")]
    WrongCheckout,
    /// The amount or currency paid is not the order's.
    #[error("paid {paid} {currency}, the order is {expected} {expected_currency}")]
    WrongAmount {
        /// The amount in the event.
        paid: u64,
        /// The currency in the event.
        currency: String,
        /// The order's amount.
        expected: u64,
        /// The order's currency.
        expected_currency: String,
    },
}

impl Order {
    /// A new open order of the credential at its price.
    #[must_use]
    pub fn signature_credential(id: String, account: String, now: DateTime<Utc>) -> Self {
        Self {
            id,
            account,
            amount_minor: SIGNATURE_PRICE_MINOR,
            currency: CURRENCY.to_owned(),
            checkout_id: None,
            status: OrderStatus::Open,
            created_at: now,
        }
    }

    /// The receipt, when paid.
    #[must_use]
    pub fn receipt(&self) -> Option<&Receipt> {
        match &self.status {
            OrderStatus::Paid(r) => Some(r),
            _ => None,
        }
    }

    /// Applies the provider's `event` about `checkout_id`.
    pub fn apply(
        &mut self,
        checkout_id: &str,
        event: PaymentEvent,
    ) -> Result<Applied, PaymentError> {
        if self.checkout_id.as_deref() != Some(checkout_id) {
            return Err(PaymentError::WrongCheckout);
        }
        match (&self.status, event) {
            (OrderStatus::Paid(_), _) => Ok(Applied::Unchanged),
            (_, PaymentEvent::Succeeded(r))
                if r.amount_minor != self.amount_minor || r.currency != self.currency =>
            {
                Err(PaymentError::WrongAmount {
                    paid: r.amount_minor,
                    currency: r.currency,
                    expected: self.amount_minor,
                    expected_currency: self.currency.clone(),
                })
            }
            (_, PaymentEvent::Succeeded(r)) => {
                self.status = OrderStatus::Paid(r);
                Ok(Applied::Recorded)
            }
            (OrderStatus::Failed { .. }, PaymentEvent::Failed { .. }) => Ok(Applied::Unchanged),
            (OrderStatus::Open, PaymentEvent::Failed { reason }) => {
                self.status = OrderStatus::Failed { reason };
                Ok(Applied::Recorded)
            }
        }
    }
}

/// An amount in minor units as Romanians write it: `1,00`.
#[must_use]
pub fn format_amount(minor: u64) -> String {
    format!("{},{:02}", minor / 100, minor % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    fn order(status: OrderStatus) -> Order {
        Order {
            checkout_id: Some("co1".into()),
            status,
            ..Order::signature_credential("o1".into(), "a1".into(), at())
        }
    }

    fn receipt(no: &str, amount: u64, currency: &str) -> Receipt {
        Receipt {
            receipt_no: no.into(),
            paid_at: at(),
            amount_minor: amount,
            currency: currency.into(),
        }
    }

    fn paid(no: &str) -> PaymentEvent {
        PaymentEvent::Succeeded(receipt(no, 100, "RON"))
    }

    fn failed() -> PaymentEvent {
        PaymentEvent::Failed {
            reason: "card_declined".into(),
        }
    }

    /// Status before, checkout of the event, the event, the answer, status after.
    type Case = (
        OrderStatus,
        &'static str,
        PaymentEvent,
        Result<Applied, PaymentError>,
        OrderStatus,
    );

    #[test]
    fn what_an_event_does_to_an_order() {
        let open = OrderStatus::Open;
        let is_paid = OrderStatus::Paid(receipt("R1", 100, "RON"));
        let is_failed = OrderStatus::Failed {
            reason: "card_declined".into(),
        };
        let wrong_amount = |paid, currency: &str| {
            Err(PaymentError::WrongAmount {
                paid,
                currency: currency.into(),
                expected: 100,
                expected_currency: "RON".into(),
            })
        };
        let cases: Vec<Case> = vec![
            (
                open.clone(),
                "co1",
                paid("R1"),
                Ok(Applied::Recorded),
                is_paid.clone(),
            ),
            (
                open.clone(),
                "co1",
                failed(),
                Ok(Applied::Recorded),
                is_failed.clone(),
            ),
            // A repeated webhook, or a second receipt for a paid order: nothing changes.
            (
                is_paid.clone(),
                "co1",
                paid("R1"),
                Ok(Applied::Unchanged),
                is_paid.clone(),
            ),
            (
                is_paid.clone(),
                "co1",
                paid("R2"),
                Ok(Applied::Unchanged),
                is_paid.clone(),
            ),
            (
                is_paid.clone(),
                "co1",
                failed(),
                Ok(Applied::Unchanged),
                is_paid.clone(),
            ),
            (
                is_failed.clone(),
                "co1",
                failed(),
                Ok(Applied::Unchanged),
                is_failed.clone(),
            ),
            // Money taken after a decline was taken: recorded.
            (
                is_failed.clone(),
                "co1",
                paid("R1"),
                Ok(Applied::Recorded),
                is_paid.clone(),
            ),
            (
                open.clone(),
                "co2",
                paid("R1"),
                Err(PaymentError::WrongCheckout),
                open.clone(),
            ),
            (
                open.clone(),
                "co1",
                PaymentEvent::Succeeded(receipt("R1", 1, "RON")),
                wrong_amount(1, "RON"),
                open.clone(),
            ),
            (
                open.clone(),
                "co1",
                PaymentEvent::Succeeded(receipt("R1", 100, "EUR")),
                wrong_amount(100, "EUR"),
                open.clone(),
            ),
        ];
        for (i, (before, checkout, event, want, after)) in cases.into_iter().enumerate() {
            let mut o = order(before);
            assert_eq!(o.apply(checkout, event), want, "case {i}");
            assert_eq!(o.status, after, "case {i}");
        }
    }

    #[test]
    fn an_order_without_checkout_takes_no_event() {
        let mut o = Order::signature_credential("o1".into(), "a1".into(), at());
        assert_eq!(o.apply("co1", paid("R1")), Err(PaymentError::WrongCheckout));
    }

    #[test]
    fn amounts_in_lei() {
        assert_eq!(format_amount(100), "1,00");
        assert_eq!(format_amount(5), "0,05");
        assert_eq!(format_amount(12345), "123,45");
    }
}
