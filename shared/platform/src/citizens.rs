//! Citizens' accounts, one-time codes, throttles and the dossiers linked to an
//! account, in the key-value store.
//!
//! Keys (none is under a tenant: a citizen may deal with every institution):
//! - `citizen/account/{id}`: the account;
//! - `citizen/contact/{contact}`: the account id owning a phone number or an
//!   e-mail address, claimed with leased insert so two accounts never share one;
//! - `citizen/code/{purpose}/{contact}[/{subject}]`: the current code (salted
//!   hash), changed with a leased replace so parallel guesses cannot pass the limit;
//! - `citizen/throttle/{what}/{who}/{window}`: counters of codes sent and of
//!   failed sign-ins;
//! - `citizen/dossiers/{id}`: the dossiers of the account (tenant, id);
//! - `citizen/order/{order}`: an order of a signature credential (the order id
//!   is random and names the account inside), changed with a leased replace;
//! - `citizen/orders/{id}`: the account's order ids, oldest first;
//! - `citizen/credential/{id}`: the account's signing credential id at the
//!   signing provider (created once paid);
//! - `citizen/awaiting/{id}`: the account's requests waiting for a qualified
//!   signature (`tenant/type/sha256 of the cerere`), and
//!   `citizen/awaiting-item/{id}/{sha256}` what registering each needs;
//! - `citizen/signing/{id}/{sha256}`: where signing that request is
//!   (prepared, signed, registered), changed with a leased replace.

use chrono::{DateTime, Utc};
use ghiseu_core::citizen::{Account, CodeError, CodePurpose, Contact, IssuedCode};
use ghiseu_core::payment::{Order, OrderStatus, Receipt};
use ghiseu_core::{CitizenName, Email, Lang, PhoneNumber};
use serde::{Deserialize, Serialize};

use crate::kv::{self, InsertOutcome, ReplaceOutcome, Step, Store};
use crate::session::{hex, random_bytes};
use crate::{Error, Result};

const STORE: &str = "default";

fn account_key(id: &str) -> String {
    format!("citizen/account/{id}")
}

fn contact_key(contact: &Contact) -> String {
    format!("citizen/contact/{}", contact.as_str())
}

fn code_key(purpose: CodePurpose, contact: &Contact, subject: &str) -> String {
    if subject.is_empty() {
        format!("citizen/code/{}/{}", purpose.code(), contact.as_str())
    } else {
        format!(
            "citizen/code/{}/{}/{subject}",
            purpose.code(),
            contact.as_str()
        )
    }
}

fn awaiting_key(id: &str) -> String {
    format!("citizen/awaiting/{id}")
}

fn order_key(order: &str) -> String {
    format!("citizen/order/{order}")
}

fn orders_key(account: &str) -> String {
    format!("citizen/orders/{account}")
}

fn credential_key(account: &str) -> String {
    format!("citizen/credential/{account}")
}

fn awaiting_item_key(account: &str, cerere_sha256: &str) -> String {
    format!("citizen/awaiting-item/{account}/{cerere_sha256}")
}

fn signing_key(account: &str, cerere_sha256: &str) -> String {
    format!("citizen/signing/{account}/{cerere_sha256}")
}

fn dossiers_key(id: &str) -> String {
    format!("citizen/dossiers/{id}")
}

fn corrupt(key: &str, e: impl ToString) -> Error {
    Error::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredAccount {
    id: String,
    name: String,
    email: Option<String>,
    email_verified: bool,
    phone: Option<String>,
    phone_verified: bool,
    password_hash: Option<String>,
    lang: String,
    created_at: DateTime<Utc>,
}

impl StoredAccount {
    fn of(a: &Account) -> Self {
        Self {
            id: a.id.clone(),
            name: a.name.as_str().to_owned(),
            email: a.email.as_ref().map(|e| e.as_str().to_owned()),
            email_verified: a.email_verified,
            phone: a.phone.as_ref().map(|p| p.as_str().to_owned()),
            phone_verified: a.phone_verified,
            password_hash: a.password_hash.clone(),
            lang: a.lang.code().to_owned(),
            created_at: a.created_at,
        }
    }

    fn account(&self) -> std::result::Result<Account, String> {
        Ok(Account {
            id: self.id.clone(),
            name: CitizenName::parse(&self.name).map_err(|e| e.to_string())?,
            email: self
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|e| e.to_string())?,
            email_verified: self.email_verified,
            phone: self
                .phone
                .as_deref()
                .map(PhoneNumber::parse)
                .transpose()
                .map_err(|e| e.to_string())?,
            phone_verified: self.phone_verified,
            password_hash: self.password_hash.clone(),
            lang: Lang::from_code(&self.lang).unwrap_or(Lang::Ro),
            created_at: self.created_at,
        })
    }
}

/// A fresh random account id (26 base32 characters).
pub fn new_account_id() -> Result<String> {
    Ok(ghiseu_core::DossierId::from_random(random_bytes::<16>()?).to_string())
}

/// Why an account could not be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateError {
    /// The contact belongs to another account.
    ContactTaken(Contact),
}

/// Creates `account` at `now`, claiming its contacts; nothing is kept when
/// one of them belongs to another account. A contact held by an account that
/// never proved it, for longer than a code lives, is taken over: nobody can
/// squat someone else's phone number by registering it first.
pub async fn create_account(
    store: &Store,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), CreateError>> {
    let contacts: Vec<Contact> = account
        .email
        .clone()
        .map(Contact::Email)
        .into_iter()
        .chain(account.phone.clone().map(Contact::Phone))
        .collect();
    let mut claimed = Vec::new();
    for c in &contacts {
        match kv::insert_new(STORE, &contact_key(c), account.id.as_bytes())? {
            InsertOutcome::Inserted => claimed.push(contact_key(c)),
            InsertOutcome::Exists(owner)
                if stale_claim(store, c, &owner, now).await?
                    && matches!(
                        kv::replace(STORE, &contact_key(c), Some(&owner), account.id.as_bytes())?,
                        ReplaceOutcome::Replaced
                    ) =>
            {
                claimed.push(contact_key(c));
            }
            InsertOutcome::Exists(_) => {
                if !claimed.is_empty() {
                    kv::delete_many(STORE, &claimed)?;
                }
                return Ok(Err(CreateError::ContactTaken(c.clone())));
            }
        }
    }
    let bytes = serde_json::to_vec(&StoredAccount::of(account))
        .map_err(|e| corrupt(&account_key(&account.id), e))?;
    match kv::insert_new(STORE, &account_key(&account.id), &bytes)? {
        InsertOutcome::Inserted => Ok(Ok(())),
        InsertOutcome::Exists(_) => Err(corrupt(&account_key(&account.id), "account id reused")),
    }
}

/// Whether the account `owner` holds `contact` without having proven it,
/// for longer than a code lives.
async fn stale_claim(
    store: &Store,
    contact: &Contact,
    owner: &[u8],
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some(old) = account(store, &String::from_utf8_lossy(owner)).await? else {
        return Ok(true);
    };
    let grace = chrono::Duration::minutes(ghiseu_core::citizen::CODE_TTL_MINUTES);
    Ok(!old.has_verified(contact) && old.created_at + grace < now)
}

/// Stores a changed account (contacts unchanged).
pub async fn put_account(store: &Store, account: &Account) -> Result<()> {
    let key = account_key(&account.id);
    let bytes = serde_json::to_vec(&StoredAccount::of(account)).map_err(|e| corrupt(&key, e))?;
    store.set(&key, &bytes).await
}

/// The account `id`.
pub async fn account(store: &Store, id: &str) -> Result<Option<Account>> {
    let key = account_key(id);
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    let stored: StoredAccount = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
    stored.account().map(Some).map_err(|e| corrupt(&key, e))
}

/// The account owning `contact`.
pub async fn account_by_contact(store: &Store, contact: &Contact) -> Result<Option<Account>> {
    let Some(id) = store.get(&contact_key(contact)).await? else {
        return Ok(None);
    };
    account(store, &String::from_utf8_lossy(&id)).await
}

/// Issues a new code for `purpose` at `contact` (about `subject`, e.g. the
/// dossier being claimed; empty otherwise), replacing any earlier one, and
/// returns it to be sent. Only its salted hash is kept.
pub async fn issue_code(
    store: &Store,
    purpose: CodePurpose,
    contact: &Contact,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let code = ghiseu_core::citizen::code_from_random(random_bytes::<8>()?);
    let issued = IssuedCode::new(&code, hex(&random_bytes::<16>()?), now);
    let key = code_key(purpose, contact, subject);
    store.set(&key, &stored_code(&issued)).await?;
    Ok(code)
}

#[derive(Serialize, Deserialize)]
struct StoredCode {
    salt: String,
    hash: String,
    expires_at: DateTime<Utc>,
    attempts: u8,
    used: bool,
}

fn stored_code(c: &IssuedCode) -> Vec<u8> {
    serde_json::to_vec(&StoredCode {
        salt: c.salt.clone(),
        hash: c.hash.clone(),
        expires_at: c.expires_at,
        attempts: c.attempts,
        used: c.used,
    })
    .unwrap_or_default()
}

/// Checks `given` against the current code for `purpose` at `contact`
/// (about `subject`). `Ok(Err(..))` is the citizen's mistake; the attempt is
/// recorded with a leased replace before the answer is given.
pub fn check_code(
    purpose: CodePurpose,
    contact: &Contact,
    subject: &str,
    given: &str,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), CodeError>> {
    let key = code_key(purpose, contact, subject);
    kv::update(STORE, &key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(Err(CodeError::Expired)));
        };
        let s: StoredCode = serde_json::from_slice(bytes).map_err(|e| corrupt(&key, e))?;
        let before = (s.attempts, s.used);
        let mut code = IssuedCode {
            salt: s.salt,
            hash: s.hash,
            expires_at: s.expires_at,
            attempts: s.attempts,
            used: s.used,
        };
        let outcome = code.check(given, now);
        // A refusal that changed nothing (used, expired, dead) needs no write.
        if (code.attempts, code.used) == before {
            return Ok(Step::Done(outcome));
        }
        Ok(Step::Write(stored_code(&code), outcome))
    })
}

/// Counts one event for `who` in the current window of `window_secs` and says
/// whether it is still within `limit`.
pub fn within_limit(
    what: &str,
    who: &str,
    window_secs: i64,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let window = now.timestamp().div_euclid(window_secs);
    let n = kv::increment(STORE, &format!("citizen/throttle/{what}/{who}/{window}"), 1)?;
    Ok(n <= limit)
}

/// A dossier linked to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linked {
    /// The tenant slug.
    pub tenant: String,
    /// The dossier id.
    pub dossier: String,
}

/// Links a dossier to the account (once).
pub fn link_dossier(account_id: &str, linked: &Linked) -> Result<()> {
    kv::push_unique(STORE, &dossiers_key(account_id), linked).map(drop)
}

/// The dossiers linked to the account, oldest first.
pub async fn linked_dossiers(store: &Store, account_id: &str) -> Result<Vec<Linked>> {
    let key = dossiers_key(account_id);
    match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| corrupt(&key, e)),
        None => Ok(Vec::new()),
    }
}

/// Keeps `record` (tenant/type/sha256 of the rendered cerere) among the
/// account's requests waiting for a qualified signature.
pub fn keep_awaiting_signature(account_id: &str, record: &str) -> Result<()> {
    kv::push_unique(STORE, &awaiting_key(account_id), &record.to_owned()).map(drop)
}

/// The account's requests waiting for a qualified signature
/// (`tenant/type/sha256`).
pub async fn awaiting_signature(store: &Store, account_id: &str) -> Result<Vec<String>> {
    let key = awaiting_key(account_id);
    match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| corrupt(&key, e)),
        None => Ok(Vec::new()),
    }
}

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

    fn order(self) -> std::result::Result<Order, String> {
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
    serde_json::to_vec(&StoredOrder::of(order)).map_err(|e| corrupt(&order_key(&order.id), e))
}

fn order_of(key: &str, bytes: &[u8]) -> Result<Order> {
    serde_json::from_slice::<StoredOrder>(bytes)
        .map_err(|e| e.to_string())
        .and_then(StoredOrder::order)
        .map_err(|e| corrupt(key, e))
}

/// Keeps a new `order` (leased insert) and lists it under its account.
pub fn create_order(order: &Order) -> Result<()> {
    let key = order_key(&order.id);
    match kv::insert_new(STORE, &key, &order_bytes(order)?)? {
        InsertOutcome::Inserted => {
            kv::push_unique(STORE, &orders_key(&order.account), &order.id).map(drop)
        }
        InsertOutcome::Exists(_) => Err(corrupt(&key, "order id reused")),
    }
}

/// The order `id`.
pub async fn order(store: &Store, id: &str) -> Result<Option<Order>> {
    let key = order_key(id);
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
    let key = order_key(id);
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
    let key = orders_key(account_id);
    let ids: Vec<String> = match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| corrupt(&key, e))?,
        None => return Ok(Vec::new()),
    };
    let keys: Vec<String> = ids.iter().rev().map(|id| order_key(id)).collect();
    kv::get_many(STORE, &keys)?
        .into_iter()
        .filter_map(|(k, v)| v.map(|b| order_of(&k, &b)))
        .collect()
}

/// The account's signing credential at the signing provider, if created.
pub async fn signing_credential(store: &Store, account_id: &str) -> Result<Option<String>> {
    Ok(store
        .get(&credential_key(account_id))
        .await?
        .map(|b| String::from_utf8_lossy(&b).into_owned()))
}

/// Records the account's signing credential; the first one stays (a retried
/// enrollment that got another id changes nothing). The credential kept.
pub fn keep_signing_credential(account_id: &str, credential_id: &str) -> Result<String> {
    match kv::insert_new(STORE, &credential_key(account_id), credential_id.as_bytes())? {
        InsertOutcome::Inserted => Ok(credential_id.to_owned()),
        InsertOutcome::Exists(b) => Ok(String::from_utf8_lossy(&b).into_owned()),
    }
}

/// A request waiting for its qualified signature: what registering it needs
/// once signed (the cerere and the files are already in the object store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingRequest {
    /// The tenant slug.
    pub tenant: String,
    /// The document type's code.
    pub document_type: String,
    /// The validated form values (field name, value), in the type's order.
    pub form: Vec<(String, String)>,
    /// The rendered, unsigned cerere.
    pub cerere: ghiseu_core::stored::StoredAttachment,
    /// The citizen's files.
    pub attachments: Vec<ghiseu_core::stored::StoredAttachment>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
}

/// Keeps what registering the request with this cerere needs (once: the
/// cerere's hash names it).
pub fn keep_awaiting_request(account_id: &str, request: &AwaitingRequest) -> Result<()> {
    let key = awaiting_item_key(account_id, &request.cerere.sha256);
    let bytes = serde_json::to_vec(request).map_err(|e| corrupt(&key, e))?;
    kv::insert_new(STORE, &key, &bytes).map(drop)
}

/// The request waiting with the cerere `cerere_sha256`, if it is the account's.
pub async fn awaiting_request(
    store: &Store,
    account_id: &str,
    cerere_sha256: &str,
) -> Result<Option<AwaitingRequest>> {
    let key = awaiting_item_key(account_id, cerere_sha256);
    match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| corrupt(&key, e)),
        None => Ok(None),
    }
}

/// Takes `record` off the account's requests waiting for a signature.
pub fn remove_awaiting(account_id: &str, record: &str) -> Result<()> {
    kv::update_json(
        STORE,
        &awaiting_key(account_id),
        |list: &mut Vec<String>| {
            let before = list.len();
            list.retain(|r| r != record);
            list.len() != before
        },
    )
}

/// Where signing a waiting request is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Signing {
    /// The PDF is prepared and a code was sent; the hash the code will authorize.
    Prepared {
        /// The prepared PDF in the tenant's files.
        prepared_sha256: String,
        /// The SHA-256 of the signed attributes (hex): what the provider signs.
        hash_to_sign: String,
        /// The credential the code was sent for.
        credential_id: String,
    },
    /// Signed; the signed PDF is stored and the dossier is being registered
    /// by whoever wrote this state (at `at`: a registration that never
    /// finished may be taken over once the requests that could still be
    /// running have timed out).
    Signed {
        /// The signed PDF in the tenant's files.
        signed: ghiseu_core::stored::StoredAttachment,
        /// When the registration was claimed.
        at: DateTime<Utc>,
    },
    /// Registered.
    Registered {
        /// The dossier id.
        dossier: String,
        /// Its registration number.
        number: String,
    },
}

/// Where signing the request with the cerere `cerere_sha256` is, with the
/// bytes read (for [`move_signing`]).
pub async fn signing(
    store: &Store,
    account_id: &str,
    cerere_sha256: &str,
) -> Result<Option<(Signing, Vec<u8>)>> {
    let key = signing_key(account_id, cerere_sha256);
    match store.get(&key).await? {
        Some(b) => serde_json::from_slice(&b)
            .map(|s| Some((s, b)))
            .map_err(|e| corrupt(&key, e)),
        None => Ok(None),
    }
}

/// Moves signing from the state read as `read` (`None`: none yet) to `next`
/// with a leased replace; `false` when someone else moved it first.
pub fn move_signing(
    account_id: &str,
    cerere_sha256: &str,
    read: Option<&[u8]>,
    next: &Signing,
) -> Result<bool> {
    let key = signing_key(account_id, cerere_sha256);
    let bytes = serde_json::to_vec(next).map_err(|e| corrupt(&key, e))?;
    Ok(matches!(
        kv::replace(STORE, &key, read, &bytes)?,
        ReplaceOutcome::Replaced
    ))
}
