//! Officials' sign-in: argon2id password hashes, random secrets, constant-time
//! comparison, sessions in the key-value store and failed-login throttling.
//!
//! | key | value |
//! | --- | --- |
//! | `session/{ID}` | a [`Session`] (JSON): tenant, username, CSRF token, expiry |
//! | `ratelimit/login-{door}-pair/{account}@{address}/{window}` | sign-in attempts at one door ([`Door`]) of one account from one client address in a 15-minute window |
//! | `ratelimit/login-{door}-addr/{address}/{window}` | sign-in attempts at the door from one client address |
//! | `ratelimit/login-{door}-user/{account}/{window}` | sign-in attempts at the door of one account from anywhere |
//!
//! Every attempt is counted before its password is checked
//! ([`LoginThrottle::admit`], increment first: of any number of concurrent
//! attempts exactly the limit are checked) and a successful one is counted
//! back ([`LoginThrottle::forgive`]), so the counters hold failures. Why
//! three counters: ARCHITECTURE.md, "Throttles that a stranger cannot turn
//! against someone".
//!
//! | `session/ends/{hour}` and `/{n}` | the ids of the sessions that end during an hour, swept whole once it is over |
//! | `session/sweep/{hour}` | the first sign-in of each hour sweeps the hours before ([`sweep`]) |
//!
//! Expired sessions are removed without anyone coming back for them: each
//! session's id is also filed under the hour it ends in (a counter hands
//! out its place, the entry is written once), and the first session
//! started in each hour deletes every session filed under the
//! [`SWEEP_HOURS`] hours before it. An hour in which nobody started a
//! session sweeps nothing; the next sweep looks that far back.
//!
//! Session ids and CSRF tokens are 32 random bytes from the host's CSPRNG
//! (WASI random), hex-encoded.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::kv::{self, Store};
use crate::rate_limit::{self, FixedWindow};
use crate::{Error, Result, keys};

/// How long a session lives.
pub const SESSION_TTL: Duration = Duration::hours(8);

/// The throttling window of failed sign-ins, in seconds.
pub const LOGIN_WINDOW_SECS: i64 = 15 * 60;

/// Failed sign-ins allowed per account from one client address per window.
pub const MAX_FAILURES_PER_PAIR: i64 = 5;

/// Failed sign-ins allowed per client address (all accounts of a door) per window.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// Failed sign-ins allowed per account from all addresses together per
/// window: the ceiling on guessing one password, high enough that locking an
/// account out takes many addresses ([`MAX_FAILURES_PER_PAIR`] each).
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 50;

/// `n` bytes from the CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| Error::KeyValue {
        label: "random".to_owned(),
        message: e.to_string(),
    })?;
    Ok(buf)
}

/// Lowercase hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// A fresh 256-bit secret as 64 hex digits (session ids, CSRF tokens).
pub fn random_secret() -> Result<String> {
    Ok(hex(&random_bytes::<32>()?))
}

/// Compares two secrets in time that depends only on their lengths.
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A well-formed argon2id hash (default parameters) of no known password:
/// verified against when an account does not exist, so that a failed sign-in
/// costs the same time whether or not the username exists.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0c4Aqa2BSfTjp7yF4mPmvm+9/bXTfn/MPHBJbhGQN1A";

/// The argon2id PHC string of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = random_bytes::<16>()?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Corrupt {
        key: "salt".to_owned(),
        detail: e.to_string(),
    })?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Corrupt {
            key: "password".to_owned(),
            detail: e.to_string(),
        })
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
#[must_use]
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A signed-in official's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The session id (the cookie's value).
    #[serde(skip)]
    pub id: String,
    /// The official's tenant slug.
    pub tenant: String,
    /// The official's username.
    pub username: String,
    /// The CSRF token every form of this session carries.
    pub csrf: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// When it started; absent in sessions started before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
}

fn session_key(id: &str) -> String {
    crate::keys::session(id)
}

/// Whether `id` looks like one of our session ids (64 lowercase hex digits),
/// so a cookie never becomes an arbitrary key.
fn valid_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Starts a session for `username` of `tenant` at `now`.
pub async fn create(
    store: &Store,
    tenant: &str,
    username: &str,
    now: DateTime<Utc>,
) -> Result<Session> {
    let session = Session {
        id: random_secret()?,
        tenant: tenant.to_owned(),
        username: username.to_owned(),
        csrf: random_secret()?,
        expires_at: now + SESSION_TTL,
        issued_at: Some(now),
    };
    let json = serde_json::to_vec(&session).unwrap_or_default();
    store.set(&session_key(&session.id), &json).await?;
    let ends = HOURS.window(session.expires_at.timestamp());
    let n = kv::increment(store.label(), &keys::session_bucket(ends), 1)?;
    store
        .set(&keys::session_bucket_entry(ends, n), session.id.as_bytes())
        .await?;
    let hour = HOURS.window(now.timestamp());
    if rate_limit::hit(store.label(), &keys::session_sweep(hour), HOURS)?.first_in_window() {
        // A sweep that fails leaves expired sessions for the next hour's;
        // the sign-in goes on.
        if let Err(e) = sweep(store, now).await {
            eprintln!("session sweep: {e}");
        }
    }
    Ok(session)
}

/// Hours since the epoch (a session's bucket, a sweep's hour).
const HOURS: FixedWindow = FixedWindow::per_hour(1);

/// How many hours before the current one a sweep deletes.
pub const SWEEP_HOURS: u64 = 48;

/// Deletes every session filed under the [`SWEEP_HOURS`] hours before the
/// one of `now` (all ended: a session is filed under the hour it ends in),
/// their entries and counters, and the previous hour's sweep counter;
/// returns how many sessions were filed there.
pub async fn sweep(store: &Store, now: DateTime<Utc>) -> Result<i64> {
    let label = store.label().to_owned();
    let current = HOURS.window(now.timestamp());
    let mut swept = 0;
    for hour in current.saturating_sub(SWEEP_HOURS)..current {
        let counter = keys::session_bucket(hour);
        let filed = kv::increment(&label, &counter, 0)?;
        for n in 1..=filed {
            let entry = keys::session_bucket_entry(hour, n);
            if let Some(id) = store.get(&entry).await? {
                destroy(store, &String::from_utf8_lossy(&id)).await?;
            }
            store.delete(&entry).await?;
        }
        store.delete(&counter).await?;
        swept += filed;
    }
    store
        .delete(&keys::session_sweep(current.saturating_sub(1)))
        .await?;
    Ok(swept)
}

/// The live session `id`, if any (an expired one is deleted).
pub async fn load(store: &Store, id: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
    if !valid_id(id) {
        return Ok(None);
    }
    let key = session_key(id);
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    let Ok(mut session) = serde_json::from_slice::<Session>(&bytes) else {
        store.delete(&key).await?;
        return Ok(None);
    };
    if session.expires_at <= now {
        store.delete(&key).await?;
        return Ok(None);
    }
    session.id = id.to_owned();
    Ok(Some(session))
}

/// The `Set-Cookie` value that hands `session` to the browser as cookie
/// `name`: HttpOnly, Secure, SameSite=Lax, for the whole site, as long as the
/// session lives.
#[must_use]
pub fn cookie(name: &str, session: &Session) -> String {
    format!(
        "{name}={}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
        session.id,
        SESSION_TTL.num_seconds()
    )
}

/// The `Set-Cookie` value that removes the session cookie `name`.
#[must_use]
pub fn removed_cookie(name: &str) -> String {
    format!("{name}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0")
}

/// Ends session `id`.
pub async fn destroy(store: &Store, id: &str) -> Result<()> {
    if valid_id(id) {
        store.delete(&session_key(id)).await?;
    }
    Ok(())
}

/// Failed sign-ins allowed per account and client address in a window of
/// [`LOGIN_WINDOW_SECS`].
pub const PAIR_FAILURES: FixedWindow = FixedWindow::new(MAX_FAILURES_PER_PAIR, LOGIN_WINDOW_SECS);

/// Failed sign-ins allowed per client address in a window of [`LOGIN_WINDOW_SECS`].
pub const ADDRESS_FAILURES: FixedWindow =
    FixedWindow::new(MAX_FAILURES_PER_ADDRESS, LOGIN_WINDOW_SECS);

/// Failed sign-ins allowed per account from anywhere in a window of
/// [`LOGIN_WINDOW_SECS`].
pub const ACCOUNT_FAILURES: FixedWindow =
    FixedWindow::new(MAX_FAILURES_PER_ACCOUNT, LOGIN_WINDOW_SECS);

/// Where a sign-in happens: each door has its own counters, so failures at
/// one never lock the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// The officials' desk (`/desk/login`).
    Desk,
    /// The citizens' portal (`/portal/login`).
    Portal,
}

impl Door {
    fn scope(self, counter: &str) -> String {
        let door = match self {
            Self::Desk => "desk",
            Self::Portal => "portal",
        };
        format!("login-{door}-{counter}")
    }
}

/// The counters that throttle one sign-in attempt, narrowest first: the
/// account from this address, this address, the account from anywhere.
#[derive(Debug, Clone)]
pub struct LoginThrottle {
    counters: [(String, FixedWindow); 3],
}

impl LoginThrottle {
    /// The counters at `door` of `tenant`/`username` and `address` in the
    /// window of `now`.
    #[must_use]
    pub fn new(
        door: Door,
        tenant: &str,
        username: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Self {
        let window = PAIR_FAILURES.window(now.timestamp());
        let account = format!("{}:{}", tenant, username.to_lowercase());
        Self {
            counters: [
                (
                    keys::rate_limit(&door.scope("pair"), &format!("{account}@{address}"), window),
                    PAIR_FAILURES,
                ),
                (
                    keys::rate_limit(&door.scope("addr"), address, window),
                    ADDRESS_FAILURES,
                ),
                (
                    keys::rate_limit(&door.scope("user"), &account, window),
                    ACCOUNT_FAILURES,
                ),
            ],
        }
    }

    /// Counts this attempt, narrowest counter first, and says whether its
    /// password may be checked. A counter that refuses stops the count: an
    /// attempt refused for one address never reaches the account's ceiling,
    /// so one address cannot lock an account out for everyone.
    pub fn admit(&self, label: &str) -> Result<bool> {
        for (key, limit) in &self.counters {
            if !rate_limit::hit(label, key, *limit)?.admitted {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Counts back an admitted attempt whose password was right: the
    /// counters hold failures only.
    pub fn forgive(&self, label: &str) -> Result<()> {
        for (key, _) in &self.counters {
            rate_limit::take_back(label, key)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("parola-demo").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("parola-demo", &hash));
        assert!(!verify_password("parola-dem0", &hash));
        assert!(!verify_password("parola-demo", "not a hash"));
        assert_ne!(hash, hash_password("parola-demo").unwrap());
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert_eq!(parsed.hash.map(|h| h.len()), Some(32));
        assert!(!verify_password("", DUMMY_HASH));
    }

    #[test]
    fn login_throttle_keys_and_limits_are_today_s() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let keys_of = |door| {
            LoginThrottle::new(door, "cluj", "Ana.Pop", "10.0.0.1", now)
                .counters
                .map(|(key, limit)| (key, limit.limit()))
        };
        // 1_700_000_000 / 900 = 1_888_888.
        assert_eq!(
            keys_of(Door::Desk),
            [
                (
                    "ratelimit/login-desk-pair/cluj:ana.pop@10.0.0.1/1888888".to_owned(),
                    5
                ),
                ("ratelimit/login-desk-addr/10.0.0.1/1888888".to_owned(), 20),
                (
                    "ratelimit/login-desk-user/cluj:ana.pop/1888888".to_owned(),
                    50
                ),
            ]
        );
        // The portal's counters are others: its failures never lock the desk.
        let portal = keys_of(Door::Portal);
        let desk = keys_of(Door::Desk);
        assert!(portal.iter().all(|p| desk.iter().all(|d| d.0 != p.0)));
        assert!(portal[1].0.starts_with("ratelimit/login-portal-addr/"));
    }

    #[test]
    fn session_ids_are_validated_before_becoming_keys() {
        assert!(valid_id(&random_secret().unwrap()));
        assert!(!valid_id("../tenant"));
        assert!(!valid_id(&"A".repeat(64)));
    }
}
