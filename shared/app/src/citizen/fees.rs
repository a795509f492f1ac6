//! The fee of a pending request (issue 17, item 4): a document type's fee is
//! paid through the payment provider before the request is registered.
//!
//! A request's fee is an [`Order`] whose purpose names the request (its
//! cerere's SHA-256), at the amount kept with the request when it was
//! submitted. Paying again follows core's [`next_fee_step`]: a paid order is
//! never charged again, an open one is resumed at its checkout, and a new one
//! is made only when every earlier one failed. Two retries at the same
//! moment make one order: its id ([`ghiseu_core::payment::fee_order_id`]) is
//! the same for both and its key is written once ([`create_fee_order`]); of
//! two checkouts created for it, the first one kept is the one both go to.

use chrono::{DateTime, Utc};
use ghiseu_core::payment::{FeeFor, FeeStep, Order, Receipt, next_fee_step};
use ghiseu_core::{DocumentTypeCode, Sha256Digest, TenantSlug};
use ghiseu_platform::Result;
use ghiseu_platform::kv::Store;

use super::{AwaitingRequest, corrupt, create_fee_order, orders};

/// Where the fee of a pending request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fee {
    /// The request has no fee.
    Free,
    /// Not paid yet: this amount, in bani.
    Due(u64),
    /// Paid: the provider's receipt.
    Paid(Receipt),
}

/// What the fee's order of `request` (cerere `sha`) is for.
pub fn fee_for(sha: &str, request: &AwaitingRequest) -> Result<FeeFor> {
    let bad = |e: String| corrupt(sha, e);
    Ok(FeeFor {
        tenant: TenantSlug::parse(&request.tenant).map_err(|e| bad(e.to_string()))?,
        document_type: DocumentTypeCode::parse(&request.document_type)
            .map_err(|e| bad(e.to_string()))?,
        request: Sha256Digest::parse(sha).map_err(|e| bad(e.to_string()))?,
    })
}

/// Where the fee of `account_id`'s `request` (cerere `sha`) is.
pub async fn fee(
    store: &Store,
    account_id: &str,
    sha: &str,
    request: &AwaitingRequest,
) -> Result<Fee> {
    if request.fee_bani == 0 {
        return Ok(Fee::Free);
    }
    let fee = fee_for(sha, request)?;
    let orders = orders(store, account_id).await?;
    Ok(match next_fee_step(&orders, &fee.request) {
        FeeStep::Paid(o) => o
            .receipt()
            .cloned()
            .map_or(Fee::Due(request.fee_bani), Fee::Paid),
        _ => Fee::Due(request.fee_bani),
    })
}

/// The order that paying the fee of `request` (cerere `sha`) of `account_id`
/// goes on with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paying {
    /// Paid already: nothing to charge.
    Paid(Order),
    /// Open with a checkout the citizen left: back to it.
    Resume(Order),
    /// Open without a checkout: create one for it ([`super::keep_checkout`]).
    Checkout(Order),
}

/// The order to pay the fee of `request` with: the paid one, the open one,
/// or a new one when none is open (none yet, or every one failed).
pub async fn paying(
    store: &Store,
    account_id: &str,
    sha: &str,
    request: &AwaitingRequest,
    now: DateTime<Utc>,
) -> Result<Paying> {
    let fee = fee_for(sha, request)?;
    let all = orders(store, account_id).await?;
    Ok(match next_fee_step(&all, &fee.request) {
        FeeStep::Paid(o) => Paying::Paid(o.clone()),
        FeeStep::Resume(o) => Paying::Resume(o.clone()),
        FeeStep::Checkout(o) => Paying::Checkout(o.clone()),
        FeeStep::New { attempt } => {
            let order = Order::fee(account_id.to_owned(), fee, request.fee_bani, attempt, now);
            match create_fee_order(&order)? {
                kept if kept.receipt().is_some() => Paying::Paid(kept),
                kept if kept.checkout_url.is_some() => Paying::Resume(kept),
                kept => Paying::Checkout(kept),
            }
        }
    })
}
