//! Officials and invitations: who may sign in to a tenant's desk, with their
//! password hash, and the one-time invitations that make new officials.
//!
//! | key | value |
//! | --- | --- |
//! | `t/{slug}/officials` | the usernames of the tenant's officials (JSON array) |
//! | `t/{slug}/official/{username}` | an official with their argon2id hash (leased replace) |
//! | `invite/{sha256 of the token}` | a one-time invitation (leased insert, then leased replace; the token itself is never stored) |

use ghiseu_core::official::Invite;
use ghiseu_core::stored::{StoredInvite, StoredOfficial};
use ghiseu_core::{Official, Sha256Digest, Username};
use serde::{Deserialize, Serialize};

use super::{add_to_list, cas_update, corrupt, get_json, parse, set_json, to_bytes};
use crate::Result;
use crate::keys::{self, STORE, TenantScope};
use crate::kv::{self, InsertOutcome, ReplaceOutcome, Step, Store};

/// An official with their password hash, as stored. The hash lives only here.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OfficialRecord {
    #[serde(flatten)]
    official: StoredOfficial,
    password_hash: String,
}

/// Writes `official` with the argon2id PHC string `password_hash`.
pub async fn put_official(
    store: &Store,
    scope: &TenantScope,
    official: &Official,
    password_hash: &str,
) -> Result<()> {
    let record = OfficialRecord {
        official: official.to_stored(),
        password_hash: password_hash.to_owned(),
    };
    set_json(store, &scope.official(&official.username), &record).await?;
    add_to_list(&scope.officials(), official.username.as_str())
}

/// Creates `official` unless the username is taken in the tenant (`false`).
pub fn create_official(
    scope: &TenantScope,
    official: &Official,
    password_hash: &str,
) -> Result<bool> {
    let key = scope.official(&official.username);
    let record = OfficialRecord {
        official: official.to_stored(),
        password_hash: password_hash.to_owned(),
    };
    match kv::insert_new(STORE, &key, &to_bytes(&key, &record)?)? {
        InsertOutcome::Inserted => {
            add_to_list(&scope.officials(), official.username.as_str())?;
            Ok(true)
        }
        InsertOutcome::Exists(_) => Ok(false),
    }
}

/// Changes the official `username` with `change`, keeping their password
/// (leased replace); `None` if there is no such official.
pub fn update_official(
    scope: &TenantScope,
    username: &Username,
    mut change: impl FnMut(&mut Official),
) -> Result<Option<Official>> {
    let key = scope.official(username);
    cas_update(&key, |current| {
        let Some(bytes) = current else {
            return Ok(Step::Done(None));
        };
        let mut record: OfficialRecord = parse(&key, bytes)?;
        let mut official = Official::from_stored(&record.official).map_err(|e| corrupt(&key, e))?;
        change(&mut official);
        record.official = official.to_stored();
        Ok(Step::Write(to_bytes(&key, &record)?, Some(official)))
    })
}

/// The official `username` and their password hash.
pub async fn official_with_hash(
    store: &Store,
    scope: &TenantScope,
    username: &Username,
) -> Result<Option<(Official, String)>> {
    let key = scope.official(username);
    let Some(r) = get_json::<OfficialRecord>(store, &key).await? else {
        return Ok(None);
    };
    let official = Official::from_stored(&r.official).map_err(|e| corrupt(&key, e))?;
    Ok(Some((official, r.password_hash)))
}

/// The official `username`.
pub async fn official(
    store: &Store,
    scope: &TenantScope,
    username: &Username,
) -> Result<Option<Official>> {
    Ok(official_with_hash(store, scope, username)
        .await?
        .map(|(o, _)| o))
}

/// Every official of the tenant.
pub async fn officials(store: &Store, scope: &TenantScope) -> Result<Vec<Official>> {
    let names: Vec<String> = get_json(store, &scope.officials())
        .await?
        .unwrap_or_default();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        if let Ok(u) = Username::parse(&name)
            && let Some(o) = official(store, scope, &u).await?
        {
            out.push(o);
        }
    }
    Ok(out)
}

// --- invitations ------------------------------------------------------------------

/// Stores an invitation under the hash of its token (leased insert: a
/// token is never reused).
pub fn put_invite(token_hash: &Sha256Digest, invite: &Invite) -> Result<()> {
    let key = keys::invite(token_hash);
    match kv::insert_new(STORE, &key, &to_bytes(&key, &invite.to_stored())?)? {
        InsertOutcome::Inserted => Ok(()),
        InsertOutcome::Exists(_) => Err(corrupt(&key, "invitation token reused")),
    }
}

/// The invitation whose token hashes to `token_hash`.
pub async fn invite(store: &Store, token_hash: &Sha256Digest) -> Result<Option<Invite>> {
    let key = keys::invite(token_hash);
    let Some(s) = get_json::<StoredInvite>(store, &key).await? else {
        return Ok(None);
    };
    Invite::from_stored(&s)
        .map(Some)
        .map_err(|e| corrupt(&key, e))
}

/// Replaces the invitation `previous` with `next` if it is unchanged
/// (leased replace): of two concurrent acceptances exactly one gets `true`.
pub fn swap_invite(token_hash: &Sha256Digest, previous: &Invite, next: &Invite) -> Result<bool> {
    let key = keys::invite(token_hash);
    let old = to_bytes(&key, &previous.to_stored())?;
    let new = to_bytes(&key, &next.to_stored())?;
    Ok(matches!(
        kv::replace(STORE, &key, Some(&old), &new)?,
        ReplaceOutcome::Replaced
    ))
}
