//! Notifications to citizens through the SMS and e-mail gateway (DESIGN §6).
//!
//! The gateway protocol: `POST {notify_url}` with a JSON [`Message`]
//! (`id`, `channel` `sms`|`email`, `to`, `lang`, `subject`, `text`) and the
//! header `X-Ghiseu-Signature: sha256=<hex HMAC-SHA256 of the body under
//! notify_secret>`. Any 2xx means accepted; the gateway de-duplicates by `id`,
//! so a message sent twice (two dispatchers, a retry after a lost answer)
//! reaches the citizen once.
//!
//! Delivery is an outbox: the workflow first records the change (durable),
//! then records the messages ([`enqueue`]) and tries to deliver them. This
//! module is the adapter: the gateway client ([`Gateway`]) and the outbox's
//! storage ([`enqueue`], [`item`], [`record_attempt`], [`update_pending`],
//! [`depth`]). When to attempt, the backoff and when to give up are decided by
//! `ghiseu_app::notify`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::keys::{NOTIFY_PENDING as PENDING_KEY, STORE, notify_item as item_key};
use crate::kv::{self, ReplaceOutcome, Store};
use crate::{Error, Result};

pub use crate::hmac::{SIGNATURE_HEADER, signature, verify};

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A text message to a phone number (E.164).
    Sms,
    /// An e-mail.
    Email,
}

/// One message, as sent to the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Unique id (the gateway de-duplicates by it).
    pub id: String,
    /// SMS or e-mail.
    pub channel: Channel,
    /// Phone number (E.164) or e-mail address.
    pub to: String,
    /// The language of the text (`ro`, `hu`, `en`).
    pub lang: String,
    /// The subject (e-mail; SMS gateways ignore it).
    pub subject: String,
    /// The text.
    pub text: String,
}

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Waiting for (another) attempt.
    Pending,
    /// Accepted by the gateway.
    Delivered,
    /// Given up after the last attempt.
    Failed,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The message.
    pub message: Message,
    /// The tenant and dossier it is about (for the desk and for support).
    pub tenant: String,
    /// The dossier id.
    pub dossier: String,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due (unix seconds).
    pub next_at: i64,
    /// Its state.
    pub state: State,
    /// The last failure, for the engineer on call.
    pub last_error: Option<String>,
}

/// The gateway, from the `notify_url` and `notify_secret` variables; `None`
/// when `notify_url` is empty (notifications switched off).
#[derive(Debug, Clone)]
pub struct Gateway {
    url: String,
    secret: String,
}

impl Gateway {
    /// From the component's variables.
    pub async fn from_variables() -> Result<Option<Self>> {
        let url = crate::config::variable_or_empty("notify_url");
        if url.trim().is_empty() {
            return Ok(None);
        }
        let secret = crate::config::variable_or_empty("notify_secret");
        Ok(Some(Self {
            url: url.trim().to_owned(),
            secret,
        }))
    }

    /// Sends one message; `Err` with a short reason when it was not accepted.
    pub async fn send(&self, message: &Message) -> std::result::Result<(), String> {
        let body = serde_json::to_vec(message).map_err(|e| e.to_string())?;
        // A gateway that hangs must not hold the desk: 5 s to the first byte.
        match crate::hmac::post_signed(&self.url, self.secret.as_bytes(), body, 5).await {
            Ok((status, _)) if status.is_success() => Ok(()),
            Ok((status, _)) => Err(format!("gateway answered {status}")),
            Err(e) => Err(format!("gateway unreachable: {e}")),
        }
    }
}

/// The outbox's message `id`, with the bytes read (for [`record_attempt`]).
pub async fn item(store: &Store, id: &str) -> Result<Option<(Item, Vec<u8>)>> {
    let key = item_key(id);
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    let item = serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
        key,
        detail: e.to_string(),
    })?;
    Ok(Some((item, bytes)))
}

/// Changes the pending list (message id, due at unix seconds) with a leased replace.
pub fn update_pending(change: impl Fn(&mut Vec<(String, i64)>)) -> Result<()> {
    kv::update_json(STORE, PENDING_KEY, |list: &mut Vec<(String, i64)>| {
        let before = list.clone();
        change(list);
        *list != before
    })
}

/// Records `messages` about `dossier` of `tenant` in the outbox, due now.
pub fn enqueue(
    tenant: &str,
    dossier: &str,
    messages: Vec<Message>,
    now: DateTime<Utc>,
) -> Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::with_capacity(messages.len());
    for message in messages {
        ids.push(message.id.clone());
        let (key, bytes) = new_item(tenant, dossier, message, now)?;
        // An id is used once: a second enqueue of the same message is a no-op.
        kv::insert_new(STORE, &key, &bytes)?;
    }
    list_pending(&ids, now)
}

/// Records the messages of many dossiers of `tenant` in the outbox, due
/// now, in two writes: every message in one `set_many`, the pending list in
/// one leased update; the ids queued, in order.
///
/// Only for messages nobody else can write: each id names a route step (the
/// dossier and its route's length) that the caller's own leased update of
/// the dossier recorded, so the key is written once by its one owner, and
/// no dispatcher can have attempted it before it is on the pending list.
pub fn enqueue_owned(
    tenant: &str,
    messages: Vec<(String, Vec<Message>)>,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let mut pairs = Vec::new();
    let mut ids = Vec::new();
    for (dossier, list) in messages {
        for message in list {
            ids.push(message.id.clone());
            pairs.push(new_item(tenant, &dossier, message, now)?);
        }
    }
    if pairs.is_empty() {
        return Ok(ids);
    }
    kv::set_many(STORE, &pairs)?;
    list_pending(&ids, now)?;
    Ok(ids)
}

/// Puts `ids` on the pending list, due at `now` (those already on it stay).
fn list_pending(ids: &[String], now: DateTime<Utc>) -> Result<()> {
    let at = now.timestamp();
    update_pending(|list| {
        for id in ids {
            if !list.iter().any(|(x, _)| x == id) {
                list.push((id.clone(), at));
            }
        }
    })
}

/// A message's outbox entry, pending and due at `now`: its key and bytes.
fn new_item(
    tenant: &str,
    dossier: &str,
    message: Message,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>)> {
    let key = item_key(&message.id);
    let item = Item {
        tenant: tenant.to_owned(),
        dossier: dossier.to_owned(),
        attempts: 0,
        next_at: now.timestamp(),
        state: State::Pending,
        last_error: None,
        message,
    };
    let bytes = serde_json::to_vec(&item).map_err(|e| Error::Corrupt {
        key: key.clone(),
        detail: e.to_string(),
    })?;
    Ok((key, bytes))
}

/// The outbox as the engineer on call sees it (`GET /api/v1/platform/metrics`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Depth {
    /// Messages not delivered yet (due now or waiting for a retry).
    pub pending: usize,
    /// Of those, the ones due now.
    pub due: usize,
    /// How long the oldest due message has been due, in seconds (0: none).
    pub oldest_due_seconds: i64,
}

/// The pending list: (message id, due at unix seconds).
pub async fn pending_list(store: &Store) -> Result<Vec<(String, i64)>> {
    Ok(match store.get(PENDING_KEY).await? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| Error::Corrupt {
            key: PENDING_KEY.to_owned(),
            detail: e.to_string(),
        })?,
        None => Vec::new(),
    })
}

/// How many messages wait, how many are due at `now`, and for how long.
pub async fn depth(store: &Store, now: DateTime<Utc>) -> Result<Depth> {
    let pending = pending_list(store).await?;
    let now = now.timestamp();
    let due: Vec<i64> = pending
        .iter()
        .map(|(_, at)| *at)
        .filter(|at| *at <= now)
        .collect();
    Ok(Depth {
        pending: pending.len(),
        due: due.len(),
        oldest_due_seconds: due.iter().min().map_or(0, |at| now - at),
    })
}

/// Records `item` as the outcome of an attempt on message `id`, if the item
/// is still as read (`read`); `false` when someone else attempted it meanwhile
/// (their record stands).
pub fn record_attempt(id: &str, read: &[u8], item: &Item) -> Result<bool> {
    let new = serde_json::to_vec(item).map_err(|e| Error::Corrupt {
        key: item_key(id),
        detail: e.to_string(),
    })?;
    Ok(matches!(
        kv::replace(STORE, &item_key(id), Some(read), &new)?,
        ReplaceOutcome::Replaced
    ))
}
