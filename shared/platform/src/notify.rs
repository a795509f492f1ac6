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
//! then records the messages and tries to deliver those at once ([`send_now`],
//! with short timeouts). A failed attempt is retried later with backoff (30 s,
//! 2 min, 10 min, 1 h, 6 h, then given up and kept as failed); a gateway that
//! is down never fails or blocks the action that caused the message. Retries
//! are dispatched by `POST /api/v1/platform/notifications/dispatch`
//! ([`dispatch_due`], for a scheduler; `?retry=now` retries every pending
//! message at once).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kv::{self, ReplaceOutcome, Store};
use crate::{Error, Result};

/// The store holding the outbox.
const STORE: &str = "default";
/// The ids of messages not yet delivered, with when each is due.
const PENDING_KEY: &str = "notify/pending";
/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: u32 = 6;
pub use crate::hmac::{SIGNATURE_HEADER, signature, verify};

fn item_key(id: &str) -> String {
    format!("notify/item/{id}")
}

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
    /// Given up after [`MAX_ATTEMPTS`].
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

/// The delay before attempt `attempts + 1`, after `attempts` failures.
#[must_use]
pub fn backoff_secs(attempts: u32) -> i64 {
    match attempts {
        0 => 0,
        1 => 30,
        2 => 120,
        3 => 600,
        4 => 3600,
        _ => 6 * 3600,
    }
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
        let url = spin_sdk::variables::get("notify_url").unwrap_or_default();
        if url.trim().is_empty() {
            return Ok(None);
        }
        let secret = spin_sdk::variables::get("notify_secret").unwrap_or_default();
        Ok(Some(Self {
            url: url.trim().to_owned(),
            secret,
        }))
    }

    /// Sends one message; `Err` with a short reason when it was not accepted.
    async fn send(&self, message: &Message) -> std::result::Result<(), String> {
        let body = serde_json::to_vec(message).map_err(|e| e.to_string())?;
        // A gateway that hangs must not hold the desk: 5 s to the first byte.
        match crate::hmac::post_signed(&self.url, self.secret.as_bytes(), body, 5).await {
            Ok((status, _)) if status.is_success() => Ok(()),
            Ok((status, _)) => Err(format!("gateway answered {status}")),
            Err(e) => Err(format!("gateway unreachable: {e}")),
        }
    }
}

async fn get_item(store: &Store, id: &str) -> Result<Option<(Item, Vec<u8>)>> {
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

/// Changes the pending list with a leased replace.
fn update_pending(change: impl Fn(&mut Vec<(String, i64)>)) -> Result<()> {
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
    let ids: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();
    for message in messages {
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
            key: item_key(&item.message.id),
            detail: e.to_string(),
        })?;
        // An id is used once: a second enqueue of the same message is a no-op.
        kv::insert_new(STORE, &item_key(&item.message.id), &bytes)?;
    }
    let at = now.timestamp();
    update_pending(|list| {
        for id in &ids {
            if !list.iter().any(|(x, _)| x == id) {
                list.push((id.clone(), at));
            }
        }
    })
}

/// What one dispatch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Accepted by the gateway.
    pub delivered: u32,
    /// Failed and scheduled again.
    pub retried: u32,
    /// Failed for the last time.
    pub failed: u32,
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
async fn pending_list(store: &Store) -> Result<Vec<(String, i64)>> {
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

/// Tries to deliver up to `max` messages that are due at `now`; with
/// `retry_now`, every pending message whatever its schedule (after an outage
/// of the gateway, the engineer on call flushes the queue).
pub async fn dispatch_due(
    store: &Store,
    gateway: &Gateway,
    now: DateTime<Utc>,
    max: usize,
    retry_now: bool,
) -> Result<Report> {
    let pending = pending_list(store).await?;
    let mut report = Report::default();
    let due: Vec<String> = pending
        .iter()
        .filter(|(_, at)| retry_now || *at <= now.timestamp())
        .take(max)
        .map(|(id, _)| id.clone())
        .collect();
    for id in due {
        report.count(attempt(store, gateway, &id, now, retry_now).await?);
    }
    Ok(report)
}

impl Report {
    fn count(&mut self, outcome: Option<State>) {
        match outcome {
            Some(State::Delivered) => self.delivered += 1,
            Some(State::Pending) => self.retried += 1,
            Some(State::Failed) => self.failed += 1,
            None => {}
        }
    }
}

/// Records `messages` about `dossier` of `tenant` in the outbox and tries to
/// deliver these (and only these) at once: a code the citizen is waiting for,
/// or the news of the change just made, never waits behind older messages, and
/// the caller never waits for the backlog. What fails stays queued and is
/// retried with backoff by [`dispatch_due`].
pub async fn send_now(
    store: &Store,
    gateway: &Gateway,
    tenant: &str,
    dossier: &str,
    messages: Vec<Message>,
    now: DateTime<Utc>,
) -> Result<Report> {
    let ids: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();
    enqueue(tenant, dossier, messages, now)?;
    let mut report = Report::default();
    for id in ids {
        report.count(attempt(store, gateway, &id, now, true).await?);
    }
    Ok(report)
}

/// One delivery attempt of message `id` (if it is pending and due, or
/// `retry_now`); the state it ends in, `None` when nothing was attempted.
async fn attempt(
    store: &Store,
    gateway: &Gateway,
    id: &str,
    now: DateTime<Utc>,
    retry_now: bool,
) -> Result<Option<State>> {
    let Some((mut item, bytes)) = get_item(store, id).await? else {
        update_pending(|list| list.retain(|(x, _)| x != id))?;
        return Ok(None);
    };
    if item.state != State::Pending {
        update_pending(|list| list.retain(|(x, _)| x != id))?;
        return Ok(None);
    }
    if !retry_now && item.next_at > now.timestamp() {
        return Ok(None);
    }
    // Two dispatchers may both send a due message; the gateway keeps one
    // (by id), and only one of them records the outcome (leased replace).
    let outcome = gateway.send(&item.message).await;
    item.attempts += 1;
    match outcome {
        Ok(()) => {
            item.state = State::Delivered;
            item.last_error = None;
        }
        Err(e) if item.attempts >= MAX_ATTEMPTS => {
            item.state = State::Failed;
            item.last_error = Some(e);
        }
        Err(e) => {
            item.next_at = now.timestamp() + backoff_secs(item.attempts);
            item.last_error = Some(e);
        }
    }
    let new = serde_json::to_vec(&item).map_err(|e| Error::Corrupt {
        key: item_key(id),
        detail: e.to_string(),
    })?;
    if let ReplaceOutcome::Conflict { .. } = kv::replace(STORE, &item_key(id), Some(&bytes), &new)?
    {
        // Someone else attempted it meanwhile; their record stands.
        return Ok(None);
    }
    let (state, next_at) = (item.state, item.next_at);
    update_pending(|list| {
        if state == State::Pending {
            for entry in list.iter_mut().filter(|(x, _)| x == id) {
                entry.1 = next_at;
            }
        } else {
            list.retain(|(x, _)| x != id);
        }
    })?;
    Ok(Some(state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_bounded() {
        let delays: Vec<i64> = (0..8).map(backoff_secs).collect();
        assert_eq!(delays, [0, 30, 120, 600, 3600, 21600, 21600, 21600]);
    }
}
