//! The citizens' notifications outbox (DESIGN §6): when a message is
//! attempted, how long a failed one waits, when it is given up.
//!
//! The change that causes a message is recorded first (durable); then the
//! messages are queued and those just queued are tried at once ([`send_now`],
//! with short timeouts). A failed attempt is retried later with backoff (30 s,
//! 2 min, 10 min, 1 h, 6 h, then given up and kept as failed); a gateway that
//! is down never fails or blocks the action that caused the message. Retries
//! are dispatched by `POST /api/v1/platform/notifications/dispatch`
//! ([`dispatch_due`], for a scheduler; `?retry=now` retries every pending
//! message at once). The gateway and the outbox's storage are
//! [`ghiseu_platform::notify`]'s.

use chrono::{DateTime, Utc};
use ghiseu_platform::Result;
use ghiseu_platform::kv::Store;
use ghiseu_platform::notify::{self, Gateway, Message, State};
use serde::Serialize;

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: u32 = 6;

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
    let pending = notify::pending_list(store).await?;
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
    notify::enqueue(tenant, dossier, messages, now)?;
    deliver(store, gateway, &ids, now).await
}

/// Tries to deliver the queued messages `ids` at once, whatever their
/// schedule (they were just queued); what fails stays queued. The pending
/// list is updated once for all of them.
pub async fn deliver(
    store: &Store,
    gateway: &Gateway,
    ids: &[String],
    now: DateTime<Utc>,
) -> Result<Report> {
    let mut report = Report::default();
    let mut changes = Vec::with_capacity(ids.len());
    for id in ids {
        let (outcome, change) = try_once(store, gateway, id, now, true).await?;
        report.count(outcome);
        changes.push((id.as_str(), change));
    }
    apply(&changes)?;
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
    let (outcome, change) = try_once(store, gateway, id, now, retry_now).await?;
    apply(&[(id, change)])?;
    Ok(outcome)
}

/// What an attempt changes in the pending list.
enum Listed {
    /// Nothing.
    Same,
    /// The message leaves it (delivered, given up, or not pending).
    Remove,
    /// The message is due again at this unix time.
    DueAt(i64),
}

/// Applies the `changes` of attempts to the pending list, in one leased
/// update (none when nothing changes).
fn apply(changes: &[(&str, Listed)]) -> Result<()> {
    if changes.iter().all(|(_, c)| matches!(c, Listed::Same)) {
        return Ok(());
    }
    notify::update_pending(|list| {
        for (id, change) in changes {
            match change {
                Listed::Same => {}
                Listed::Remove => list.retain(|(x, _)| x != id),
                Listed::DueAt(at) => {
                    for entry in list.iter_mut().filter(|(x, _)| x == id) {
                        entry.1 = *at;
                    }
                }
            }
        }
    })
}

/// One delivery attempt of message `id`, recorded on the message; what it
/// means for the pending list.
async fn try_once(
    store: &Store,
    gateway: &Gateway,
    id: &str,
    now: DateTime<Utc>,
    retry_now: bool,
) -> Result<(Option<State>, Listed)> {
    let Some((mut item, bytes)) = notify::item(store, id).await? else {
        return Ok((None, Listed::Remove));
    };
    if item.state != State::Pending {
        return Ok((None, Listed::Remove));
    }
    if !retry_now && item.next_at > now.timestamp() {
        return Ok((None, Listed::Same));
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
    if !notify::record_attempt(id, &bytes, &item)? {
        // Someone else attempted it meanwhile; their record stands.
        return Ok((None, Listed::Same));
    }
    let change = if item.state == State::Pending {
        Listed::DueAt(item.next_at)
    } else {
        Listed::Remove
    };
    Ok((Some(item.state), change))
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
