//! What a citizen pays through the payment provider: the qualified signature
//! credential (DESIGN §5, signing), an order of a fixed price, or the fee of a
//! document type for one pending request (issue 17, item 4), an order of the
//! type's fee at submission time. Both are one [`Order`] with its
//! [`Purpose`], paid once.
//!
//! [`next_fee_step`] is the rule for paying a request's fee again: a paid
//! order is never charged again, an open one is resumed, and only after every
//! earlier order failed is a new one made (its id, [`fee_order_id`], is the
//! same for every request that computes it, so two racing retries make one).
//!
//! [`Order::apply`] is the one rule for what a provider's event does to an
//! order: a success for the right checkout, amount and currency records the
//! receipt once; anything that arrives after the order is settled changes
//! nothing (providers repeat webhooks), and money taken after a decline is
//! still recorded, because it was taken.

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::{DocumentTypeCode, Sha256Digest, TenantSlug};

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

/// The fee of one pending request: what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeFor {
    /// The institution the request is for.
    pub tenant: TenantSlug,
    /// The request's document type.
    pub document_type: DocumentTypeCode,
    /// The request: the SHA-256 of its cerere, which names it.
    pub request: Sha256Digest,
}

/// What an order pays for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// The qualified signature credential (every order stored before fees
    /// existed, which names no purpose).
    Credential,
    /// A document type's fee for one pending request.
    Fee(FeeFor),
}

/// An order of one citizen account: a credential or a request's fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The id (also the provider's `order_id`): random for a credential,
    /// [`fee_order_id`] for a fee.
    pub id: String,
    /// The citizen account that buys.
    pub account: String,
    /// What it pays for.
    pub purpose: Purpose,
    /// The price, in minor units.
    pub amount_minor: u64,
    /// The currency.
    pub currency: String,
    /// The provider's checkout, once created.
    pub checkout_id: Option<String>,
    /// The provider's hosted page of that checkout, where a citizen who left
    /// it goes back to (`None` for orders kept before it was recorded).
    pub checkout_url: Option<String>,
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
            purpose: Purpose::Credential,
            amount_minor: SIGNATURE_PRICE_MINOR,
            currency: CURRENCY.to_owned(),
            checkout_id: None,
            checkout_url: None,
            status: OrderStatus::Open,
            created_at: now,
        }
    }

    /// A new open order of `fee`'s `amount_minor` (the type's fee when the
    /// request was submitted), attempt `attempt` (from 1) for the request.
    #[must_use]
    pub fn fee(
        account: String,
        fee: FeeFor,
        amount_minor: u64,
        attempt: u32,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: fee_order_id(&account, &fee.request, attempt),
            account,
            purpose: Purpose::Fee(fee),
            amount_minor,
            currency: CURRENCY.to_owned(),
            checkout_id: None,
            checkout_url: None,
            status: OrderStatus::Open,
            created_at: now,
        }
    }

    /// Whether it pays for the signature credential.
    #[must_use]
    pub fn is_credential(&self) -> bool {
        self.purpose == Purpose::Credential
    }

    /// The request whose fee it pays, if it pays one.
    #[must_use]
    pub fn fee_for(&self) -> Option<&FeeFor> {
        match &self.purpose {
            Purpose::Fee(f) => Some(f),
            Purpose::Credential => None,
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

/// The id of attempt `attempt` at paying the fee of `request` by `account`:
/// the same for every caller, so two requests that retry at once make one
/// order (its key is written once), and unguessable without the request's
/// hash. 32 hex digits.
#[must_use]
pub fn fee_order_id(account: &str, request: &Sha256Digest, attempt: u32) -> String {
    let seed = format!("ghiseu fee\n{account}\n{}\n{attempt}", request.to_hex());
    Sha256Digest::of(seed.as_bytes()).to_hex()[..32].to_owned()
}

/// What paying a request's fee does next, given its orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeeStep<'a> {
    /// Paid: never charged again.
    Paid(&'a Order),
    /// An open order whose checkout the citizen left: back to that checkout.
    Resume(&'a Order),
    /// An open order without a checkout (the provider did not create one):
    /// create its checkout.
    Checkout(&'a Order),
    /// Nothing open and nothing paid (none yet, or every one failed): a new
    /// order, attempt number `attempt`.
    New {
        /// One more than the orders made so far.
        attempt: u32,
    },
}

/// The next step of paying the fee of `request`, from `orders` (any orders of
/// the account: those of other requests and the credential's are ignored).
#[must_use]
pub fn next_fee_step<'a>(orders: &'a [Order], request: &Sha256Digest) -> FeeStep<'a> {
    let mine: Vec<&Order> = orders
        .iter()
        .filter(|o| o.fee_for().is_some_and(|f| f.request == *request))
        .collect();
    if let Some(paid) = mine.iter().find(|o| o.receipt().is_some()) {
        return FeeStep::Paid(paid);
    }
    let open = mine
        .iter()
        .filter(|o| o.status == OrderStatus::Open)
        .max_by_key(|o| o.created_at);
    match open {
        Some(o) if o.checkout_id.is_some() && o.checkout_url.is_some() => FeeStep::Resume(o),
        Some(o) => FeeStep::Checkout(o),
        None => FeeStep::New {
            attempt: u32::try_from(mine.len()).unwrap_or(u32::MAX - 1) + 1,
        },
    }
}

/// The registration's internal note of a fee paid online, for the desk
/// (Romanian, the registry's language): amount, receipt number and the
/// provider's time, in Romania.
#[must_use]
pub fn fee_note(receipt: &Receipt) -> String {
    let at = crate::calendar::local_datetime(receipt.paid_at);
    format!(
        "Taxă achitată online: {} lei, chitanța nr. {} din {}.",
        format_amount(receipt.amount_minor),
        receipt.receipt_no,
        at.format("%d.%m.%Y %H:%M")
    )
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

    fn fee_order(request: u8, attempt: u32, status: OrderStatus, checkout: bool) -> Order {
        let fee = FeeFor {
            tenant: TenantSlug::parse("alfa").unwrap(),
            document_type: DocumentTypeCode::parse("aviz").unwrap(),
            request: Sha256Digest::from_bytes([request; 32]),
        };
        let created = at() + chrono::Duration::minutes(i64::from(attempt));
        Order {
            checkout_id: checkout.then(|| format!("co{attempt}")),
            checkout_url: checkout.then(|| format!("/pay/co{attempt}")),
            status,
            ..Order::fee("a1".into(), fee, 2500, attempt, created)
        }
    }

    #[test]
    fn paying_a_fee_again_never_charges_twice() {
        let failed = || OrderStatus::Failed {
            reason: "card_declined".into(),
        };
        let is_paid = || OrderStatus::Paid(receipt("R1", 2500, "RON"));
        let credential = Order {
            status: is_paid(),
            ..Order::signature_credential("c".into(), "a1".into(), at())
        };
        let request = Sha256Digest::from_bytes([1; 32]);
        // (the orders, what comes next: P paid, R resume, C checkout, N new
        // with its attempt, and which order it names by attempt)
        let cases: Vec<(Vec<Order>, char, u32)> = vec![
            (vec![], 'N', 1),
            // The credential and another request's fee are not this fee.
            (
                vec![credential.clone(), fee_order(2, 1, is_paid(), true)],
                'N',
                1,
            ),
            (vec![fee_order(1, 1, OrderStatus::Open, true)], 'R', 1),
            (vec![fee_order(1, 1, OrderStatus::Open, false)], 'C', 1),
            (vec![fee_order(1, 1, failed(), true)], 'N', 2),
            (
                vec![
                    fee_order(1, 1, failed(), true),
                    fee_order(1, 2, OrderStatus::Open, true),
                ],
                'R',
                2,
            ),
            (
                vec![
                    fee_order(1, 1, failed(), true),
                    fee_order(1, 2, is_paid(), true),
                ],
                'P',
                2,
            ),
            // Paid wins over an open one (money taken after a decline too).
            (
                vec![
                    fee_order(1, 1, is_paid(), true),
                    fee_order(1, 2, OrderStatus::Open, true),
                ],
                'P',
                1,
            ),
        ];
        for (i, (orders, want, attempt)) in cases.iter().enumerate() {
            let id = fee_order_id("a1", &request, *attempt);
            let got = next_fee_step(orders, &request);
            match (want, &got) {
                ('P', FeeStep::Paid(o))
                | ('R', FeeStep::Resume(o))
                | ('C', FeeStep::Checkout(o)) => {
                    assert_eq!(o.id, id, "case {i}");
                }
                ('N', FeeStep::New { attempt: a }) => assert_eq!(a, attempt, "case {i}"),
                _ => panic!("case {i}: want {want}, got {got:?}"),
            }
        }
    }

    #[test]
    fn a_fee_order_id_is_the_same_for_every_caller_and_differs_by_attempt() {
        let r = Sha256Digest::from_bytes([7; 32]);
        let id = fee_order_id("a1", &r, 1);
        assert_eq!(id, fee_order_id("a1", &r, 1));
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(id, fee_order_id("a1", &r, 2));
        assert_ne!(id, fee_order_id("a2", &r, 1));
        assert_ne!(
            id,
            fee_order_id("a1", &Sha256Digest::from_bytes([8; 32]), 1)
        );
    }

    #[test]
    fn the_fee_note_names_amount_receipt_and_romanian_time() {
        assert_eq!(
            fee_note(&receipt("SBX-000007", 2500, "RON")),
            "Taxă achitată online: 25,00 lei, chitanța nr. SBX-000007 din 02.03.2026 11:00."
        );
    }

    #[test]
    fn amounts_in_lei() {
        assert_eq!(format_amount(100), "1,00");
        assert_eq!(format_amount(5), "0,05");
        assert_eq!(format_amount(12345), "123,45");
    }
}
