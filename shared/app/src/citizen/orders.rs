//! A citizen's orders (the domain's [`Order`]): the signature credential's
//! and requests' fees, changed with a leased replace; the record names the
//! account. A record kept before fees existed names no purpose and reads as
//! the credential's.

use chrono::{DateTime, Utc};
use ghiseu_core::payment::{FeeFor, Order, OrderStatus, Purpose, Receipt};
use ghiseu_core::{DocumentTypeCode, Sha256Digest, TenantSlug};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{self, CitizenKeys, STORE};
use ghiseu_platform::kv::{self, InsertOutcome, Step, Store};
use serde::{Deserialize, Serialize};

use super::{StdResult, corrupt};

/// The request whose fee an order pays, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredFee {
    tenant: String,
    document_type: String,
    /// The cerere's SHA-256 (hex).
    request: String,
}

impl StoredFee {
    fn of(f: &FeeFor) -> Self {
        Self {
            tenant: f.tenant.to_string(),
            document_type: f.document_type.as_str().to_owned(),
            request: f.request.to_hex(),
        }
    }

    fn fee(self) -> StdResult<FeeFor, String> {
        Ok(FeeFor {
            tenant: TenantSlug::parse(&self.tenant).map_err(|e| e.to_string())?,
            document_type: DocumentTypeCode::parse(&self.document_type)
                .map_err(|e| e.to_string())?,
            request: Sha256Digest::parse(&self.request).map_err(|e| e.to_string())?,
        })
    }
}

/// An order as stored (the domain's [`Order`] derives no serde).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredOrder {
    id: String,
    account: String,
    /// The request whose fee it pays; absent: the credential (every record
    /// written before fees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fee: Option<StoredFee>,
    amount_minor: u64,
    currency: String,
    checkout_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    checkout_url: Option<String>,
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
            fee: o.fee_for().map(StoredFee::of),
            amount_minor: o.amount_minor,
            currency: o.currency.clone(),
            checkout_id: o.checkout_id.clone(),
            checkout_url: o.checkout_url.clone(),
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
        let purpose = match self.fee {
            Some(f) => Purpose::Fee(f.fee()?),
            None => Purpose::Credential,
        };
        Ok(Order {
            id: self.id,
            account: self.account,
            purpose,
            amount_minor: self.amount_minor,
            currency: self.currency,
            checkout_id: self.checkout_id,
            checkout_url: self.checkout_url,
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

/// Keeps the fee `order` unless its id is kept already (a request that
/// retried at the same moment made it: the id is the same for both); the
/// order kept, listed under its account either way.
pub fn create_fee_order(order: &Order) -> Result<Order> {
    let key = keys::citizen::order(&order.id);
    let kept = match kv::insert_new(STORE, &key, &order_bytes(order)?)? {
        InsertOutcome::Inserted => order.clone(),
        InsertOutcome::Exists(b) => order_of(&key, &b)?,
    };
    if kept.account != order.account {
        return Err(corrupt(&key, "order id of another account"));
    }
    kv::push_unique(STORE, &CitizenKeys::new(&order.account).orders(), &order.id)?;
    Ok(kept)
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

/// Records the provider's checkout of order `id` unless one is recorded
/// already (a parallel request's: both then send the citizen to that one);
/// the order as kept, `None` when there is no such order.
pub fn keep_checkout(id: &str, checkout_id: &str, checkout_url: &str) -> Result<Option<Order>> {
    update_order(id, |o| {
        let fresh = o.checkout_id.is_none();
        if fresh {
            o.checkout_id = Some(checkout_id.to_owned());
            o.checkout_url = Some(checkout_url.to_owned());
        }
        (fresh, o.clone())
    })
}

/// The account's orders of the signature credential, newest first.
pub async fn credential_orders(store: &Store, account_id: &str) -> Result<Vec<Order>> {
    let mut all = orders(store, account_id).await?;
    all.retain(Order::is_credential);
    Ok(all)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_kept_before_fees_reads_as_the_credentials_and_writes_back_the_same() {
        // A record as the portal wrote it before orders had a purpose.
        let old = r#"{"id":"o1","account":"a1","amount_minor":100,"currency":"RON","checkout_id":"co1","status":"paid","receipt_no":"SBX-000001","paid_at":"2026-03-02T09:00:00Z","paid_amount_minor":100,"paid_currency":"RON","failure":null,"created_at":"2026-03-02T08:59:00Z"}"#;
        let order = order_of("citizen/order/o1", old.as_bytes()).unwrap();
        assert_eq!(order.purpose, Purpose::Credential);
        assert!(order.is_credential() && order.fee_for().is_none());
        assert_eq!(order.checkout_url, None);
        assert_eq!(order.receipt().unwrap().receipt_no, "SBX-000001");
        assert_eq!(
            String::from_utf8(order_bytes(&order).unwrap()).unwrap(),
            old
        );
    }

    #[test]
    fn a_fee_order_keeps_its_request_and_checkout() {
        let fee = FeeFor {
            tenant: TenantSlug::parse("alfa").unwrap(),
            document_type: DocumentTypeCode::parse("aviz").unwrap(),
            request: Sha256Digest::from_bytes([3; 32]),
        };
        let at = "2026-03-02T09:00:00Z".parse().unwrap();
        let mut order = Order::fee("a1".into(), fee, 2500, 1, at);
        order.checkout_id = Some("co".into());
        order.checkout_url = Some("/sandbox/pay/checkout/co".into());
        let back = order_of("k", &order_bytes(&order).unwrap()).unwrap();
        assert_eq!(back, order);
        let bad = String::from_utf8(order_bytes(&order).unwrap())
            .unwrap()
            .replace("\"alfa\"", "\"Not A Slug\"");
        assert!(order_of("k", bad.as_bytes()).is_err());
    }
}
