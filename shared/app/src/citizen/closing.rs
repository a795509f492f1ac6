//! Closing an account at its owner's request (GDPR art. 17): its sessions
//! end and its personal data is erased, except what the law makes the
//! institutions keep.
//!
//! Kept: every registered dossier, with the contact and the form the citizen
//! gave in it and its documents, stays with its institution (Legea 16/1996
//! of the national archives: the registry and the dossiers are kept for the
//! type's retention, then erased by retention); orders and their receipts
//! stay (Legea 82/1991 of accounting), as they are: they name no person,
//! only the account's random id, the amount, what it paid and the receipt.
//!
//! Erased: the account's name, contacts, password hash and language (the
//! record becomes a tombstone: its id and when it was created and closed),
//! every other key of the account (linked dossiers, requests waiting, their
//! signing, the signing credential's id, the identification with the
//! verified name, idempotency records), its pending uploads and the
//! unsigned cereri of requests never registered, the contact indexes (so
//! the address can sign up again, as a new, empty account), the codes and
//! throttles that name a contact, and the outbox's messages to its contacts.
//!
//! The order makes a retry finish what a crash left: the record is first
//! marked closed (nobody can sign in or act as the account from then on,
//! and its contacts are not taken over by a new account), then everything
//! else is erased, the contact indexes are freed (a plain delete is safe:
//! while the account is closing, no one else writes them), and the
//! tombstone is left last. Every step is idempotent; a retry (the same form
//! posted again with the old session cookie, or signing in with one of its
//! contacts, [`stopped_by_contact`]) runs them again from the start.
//!
//! What is found by listing the store's keys (the throttles that name a
//! contact, from any address; the outbox's messages) needs one listing of
//! the store: closing an account is rare and the listing is done once.

use chrono::{DateTime, Utc};
use ghiseu_core::citizen::{Account, Contact};
use ghiseu_core::{Sha256Digest, TenantSlug};
use ghiseu_platform::Result;
use ghiseu_platform::keys::{self, CitizenKeys, STORE, TenantScope};
use ghiseu_platform::kv::{self, Store};
use ghiseu_platform::notify::Item;
use ghiseu_platform::s3::S3Client;

use super::accounts::{self, Standing};
use super::{Signing, awaiting_request, awaiting_signature, signing};

/// What closing found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The account is closed (now or before), at this instant.
    At(DateTime<Utc>),
    /// There is no such account.
    NoAccount,
}

/// Closes the account `id` at `now` (see the module's documentation), or
/// finishes a closing that stopped halfway. The caller has checked that its
/// owner asks for it.
pub async fn close(store: &Store, s3: &S3Client, id: &str, now: DateTime<Utc>) -> Result<Closed> {
    match accounts::mark_closing(id, now)? {
        None => Ok(Closed::NoAccount),
        Some(Standing::Closed { closed_at, .. }) => Ok(Closed::At(closed_at)),
        Some(Standing::Closing(account, at)) => {
            erase(store, s3, &account, now).await?;
            Ok(Closed::At(at))
        }
        Some(Standing::Open(_)) => Err(ghiseu_platform::Error::Corrupt {
            key: CitizenKeys::new(id).account(),
            detail: "still open after it was marked closed".to_owned(),
        }),
    }
}

/// The account the `contact`'s index names, if its closing stopped halfway
/// (for the caller to finish it with [`close`] before a sign-in or a
/// sign-up with the contact); `None` otherwise.
pub async fn stopped_by_contact(store: &Store, contact: &Contact) -> Result<Option<String>> {
    let Some(owner) = store.get(&keys::citizen::contact(contact)).await? else {
        return Ok(None);
    };
    let owner = String::from_utf8_lossy(&owner).into_owned();
    Ok(match accounts::standing(store, &owner).await? {
        Some(Standing::Closing(..)) => Some(owner),
        _ => None,
    })
}

/// Whether the account `id` is being or has been closed.
pub async fn is_closed(store: &Store, id: &str) -> Result<bool> {
    Ok(matches!(
        accounts::standing(store, id).await?,
        Some(Standing::Closing(..) | Standing::Closed { .. })
    ))
}

/// Every step after the mark, in order; each may run again.
async fn erase(store: &Store, s3: &S3Client, account: &Account, now: DateTime<Utc>) -> Result<()> {
    erase_unregistered_cereri(store, s3, &account.id).await?;
    let own = CitizenKeys::new(&account.id);
    for object in s3.list_objects(&own.pending_uploads()).await? {
        s3.delete_object(&object.key).await?;
    }
    let identities: Vec<String> = contacts(account).iter().map(Contact::identity).collect();
    let indexes: Vec<String> = contacts(account)
        .iter()
        .flat_map(|c| {
            [
                keys::citizen::contact(c),
                keys::citizen::contact_as_typed(c),
            ]
        })
        .collect();
    let window = kv::lease::window_of(std::time::Duration::from_secs(
        u64::try_from(now.timestamp()).unwrap_or_default(),
    ))
    .0;
    let mut doomed = Vec::new();
    let mut messages = Vec::new();
    for key in store.get_keys().await? {
        if key == own.account() || indexes.contains(&key) {
            continue;
        }
        let mine = own.owns(&key)
            || identities
                .iter()
                .any(|i| keys::citizen::names_contact(&key, i));
        match kv::lease::counter_window(&key) {
            // A lease in use (this window or the one before) is left to end.
            Some(w) if mine && w + 2 <= window => doomed.push(key),
            Some(_) => {}
            None if mine => doomed.push(key),
            None => {
                if keys::notify_item_id(&key).is_some() {
                    messages.push(key);
                }
            }
        }
    }
    for chunk in messages.chunks(100) {
        for (key, value) in kv::get_many(STORE, chunk)? {
            let to_them = value
                .and_then(|v| serde_json::from_slice::<Item>(&v).ok())
                .is_some_and(|item| is_to(&item, &identities));
            if to_them {
                doomed.push(key);
            }
        }
    }
    for chunk in doomed.chunks(100) {
        kv::delete_many(STORE, chunk)?;
    }
    // While the account is closing nobody else writes its contacts'
    // indexes (a sign-up does not take them over), so a plain read and
    // delete frees exactly the ones that are still its own.
    for key in &indexes {
        if store.get(key).await?.as_deref() == Some(account.id.as_bytes()) {
            store.delete(key).await?;
        }
    }
    accounts::leave_tombstone(&account.id)
}

/// The account's contacts.
fn contacts(account: &Account) -> Vec<Contact> {
    account
        .email
        .clone()
        .map(Contact::Email)
        .into_iter()
        .chain(account.phone.clone().map(Contact::Phone))
        .collect()
}

/// Whether the outbox's `item` went (or goes) to one of `identities`.
fn is_to(item: &Item, identities: &[String]) -> bool {
    Contact::parse(&item.message.to).is_ok_and(|c| identities.contains(&c.identity()))
}

/// Deletes the unsigned cerere (and the prepared PDF) of every request of
/// `account_id` that waits and was never registered: they hold the name and
/// the form, and no dossier names them. The citizen's attached files are
/// left: stored by their content in the institution's files, the same bytes
/// may belong to someone's registered dossier.
async fn erase_unregistered_cereri(store: &Store, s3: &S3Client, account_id: &str) -> Result<()> {
    for record in awaiting_signature(store, account_id).await? {
        let sha = record.rsplit('/').next().unwrap_or_default();
        let Some(request) = awaiting_request(store, account_id, sha).await? else {
            continue;
        };
        let Ok(slug) = TenantSlug::parse(&request.tenant) else {
            continue;
        };
        let state = signing(store, account_id, sha).await?.map(|(s, _)| s);
        let mut unregistered = vec![request.cerere.sha256.clone()];
        match state {
            Some(Signing::Registered { .. } | Signing::Signed { .. }) => continue,
            Some(Signing::Prepared {
                prepared_sha256, ..
            }) => unregistered.push(prepared_sha256),
            None => {}
        }
        let scope = TenantScope::new(&slug);
        for sha in unregistered {
            if let Ok(digest) = Sha256Digest::parse(&sha) {
                s3.delete_object(&scope.attachment_object(&digest)).await?;
            }
        }
    }
    Ok(())
}
