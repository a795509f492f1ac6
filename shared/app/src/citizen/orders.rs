//! Orders of a signature credential (the domain's [`Order`]), changed with a
//! leased replace; the order id is random and names the account inside.

use chrono::{DateTime, Utc};
use ghiseu_core::payment::{Order, OrderStatus, Receipt};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{self, CitizenKeys, STORE};
use ghiseu_platform::kv::{self, InsertOutcome, Step, Store};
use serde::{Deserialize, Serialize};

use super::{StdResult, corrupt};

/// An order as stored (the domain's [`Order`] derives no serde).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredOrder {
    id: String,
    account: String,
    amount_minor: u64,
    currency: String,
    checkout_id: Option<String>,
    /// `open`, `paid` or `failed`.
    status: String,
    receipt_no: Option<String>,
    paid_at: Option<DateTime<Utc>>,
    paid_amount_minor: Option<u64>,
    paid_currency: Option<String>,
    failure: Option<String>,
    created_at: DateTime<Utc>,
}

impl StoredOrder {
    fn of(o: &Order) -> Self {
        let receipt = o.receipt();
        Self {
            id: o.id.clone(),
            account: o.account.clone(),
            amount_minor: o.amount_minor,
            currency: o.currency.clone(),
            checkout_id: o.checkout_id.clone(),
            status: match o.status {
                OrderStatus::Open => "open",
                OrderStatus::Paid(_) => "paid",
                OrderStatus::Failed { .. } => "failed",
            }
            .to_owned(),
            receipt_no: receipt.map(|r| r.receipt_no.clone()),
            paid_at: receipt.map(|r| r.paid_at),
            paid_amount_minor: receipt.map(|r| r.amount_minor),
            paid_currency: receipt.map(|r| r.currency.clone()),
            failure: match &o.status {
                OrderStatus::Failed { reason } => Some(reason.clone()),
                _ => None,
            },
            created_at: o.created_at,
        }
    }

    fn order(self) -> StdResult<Order, String> {
        let status = match self.status.as_str() {
            "open" => OrderStatus::Open,
            "paid" => OrderStatus::Paid(Receipt {
                receipt_no: self.receipt_no.ok_or("a paid order without receipt")?,
                paid_at: self.paid_at.ok_or("a paid order without time")?,
                amount_minor: self
                    .paid_amount_minor
                    .ok_or("a paid order without amount")?,
                currency: self.paid_currency.ok_or("a paid order without currency")?,
            }),
            "failed" => OrderStatus::Failed {
                reason: self.failure.unwrap_or_default(),
            },
            other => return Err(format!("unknown order status {other:?}")),
        };
        Ok(Order {
            id: self.id,
            account: self.account,
            amount_minor: self.amount_minor,
            currency: self.currency,
            checkout_id: self.checkout_id,
            status,
            created_at: self.created_at,
        })
    }
}

fn order_bytes(order: &Order) -> Result<Vec<u8>> {
    serde_json::to_vec(&StoredOrder::of(order))
        .map_err(|e| corrupt(&keys::citizen::order(&order.id), e))
}

fn order_of(key: &str, bytes: &[u8]) -> Result<Order> {
    serde_json::from_slice::<StoredOrder>(bytes)
        .map_err(|e| e.to_string())
        .and_then(StoredOrder::order)
        .map_err(|e| corrupt(key, e))
}

/// Keeps a new `order` (leased insert) and lists it under its account.
pub fn create_order(order: &Order) -> Result<()> {
    let key = keys::citizen::order(&order.id);
    match kv::insert_new(STORE, &key, &order_bytes(order)?)? {
        InsertOutcome::Inserted => {
            kv::push_unique(STORE, &CitizenKeys::new(&order.account).orders(), &order.id).map(drop)
        }
        InsertOutcome::Exists(_) => Err(corrupt(&key, "order id reused")),
    }
}

/// The order `id`.
pub async fn order(store: &Store, id: &str) -> Result<Option<Order>> {
    let key = keys::citizen::order(id);
    match store.get(&key).await? {
        Some(b) => order_of(&key, &b).map(Some),
        None => Ok(None),
    }
}

/// Changes the order `id` with a leased replace: `change` edits it and says
/// whether to write and what to answer; `None` when there is no such order.
pub fn update_order<R>(
    id: &str,
    mut change: impl FnMut(&mut Order) -> (bool, R),
) -> Result<Option<R>> {
    let key = keys::citizen::order(id);
    kv::update(STORE, &key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(None));
        };
        let mut order = order_of(&key, bytes)?;
        let (write, answer) = change(&mut order);
        if write {
            Ok(Step::Write(order_bytes(&order)?, Some(answer)))
        } else {
            Ok(Step::Done(Some(answer)))
        }
    })
}

/// The account's orders, newest first.
pub async fn orders(store: &Store, account_id: &str) -> Result<Vec<Order>> {
    let key = CitizenKeys::new(account_id).orders();
    let ids: Vec<String> = match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| corrupt(&key, e))?,
        None => return Ok(Vec::new()),
    };
    let keys: Vec<String> = ids
        .iter()
        .rev()
        .map(|id| keys::citizen::order(id))
        .collect();
    kv::get_many(STORE, &keys)?
        .into_iter()
        .filter_map(|(k, v)| v.map(|b| order_of(&k, &b)))
        .collect()
}
