//! Key-value storage.
//!
//! Plain reads and writes go through `fermyon:spin/key-value@2.0.0` ([`Store`]);
//! [`increment`] and the batch calls go through `wasi:keyvalue@0.2.0-draft2`,
//! which Spin implements over the same stores, so both views see the same
//! data. Conditional writes ([`replace`], [`insert_new`], [`update`]) are
//! made under the key's [`lease`], which `increment` alone decides: the
//! store's own compare-and-swap is never called (DESIGN §2: real Spin's is
//! unreliable). Both interfaces are synchronous; [`Store`]'s methods stay `async` so
//! that callers need not change if an engine's store becomes asynchronous.
//!
//! # Who wins a race
//!
//! What must happen exactly once, with any number of instances on one store,
//! is decided in one of three ways, never by the store's compare-and-swap (on
//! Spin's Redis store every swap reports failure, its `UNWATCH` being
//! malformed; on its SQLite store create-if-absent is an upsert, so two racing
//! creators both win):
//!
//! - A counter, moved by [`increment`], which every Spin store makes atomic (a
//!   SQLite transaction, Redis `INCRBY`): registration numbers
//!   (`t/{slug}/regno/{year}`), rate limits and throttles
//!   ([`crate::rate_limit`]), the sandbox's outbox, receipt and TSA serials. The
//!   number a caller's increment returns is its own: no two callers get the
//!   same. A counter is read with `increment(key, 0)`, never `get` or `set`
//!   (see [`increment`]).
//! - A key written once by its one owner, which nobody else can name: the
//!   index entry of a registration number (`t/{slug}/index/{year}/{seq}`, by
//!   the request whose increment returned `seq`), content-addressed files, a
//!   document type's version `v{n}`, a verification record `verify/{TOKEN}` (by
//!   the request that issued the document), a citizen's message about a
//!   signed document (named by the route step the signing request recorded),
//!   the sandbox's outbox entry of a sequence number.
//! - The key's [`lease`], for a read-then-write that must see no other writer
//!   in between ([`update`], [`replace`]: write if the key holds what the
//!   caller read, [`insert_new`]: write if absent, one winner): a dossier (of
//!   two officials acting at once the second is refused with 409 and loses
//!   nothing), the inbox list `t/{slug}/open`, a tenant and its prefix claim,
//!   officials and invitations, a citizen's contacts, codes, orders, signing
//!   state and idempotency keys, a signing batch, the trust roots, the
//!   notification outbox, the sandbox's credentials, codes and checkouts.
//!
//! Reads of several keys go key by key ([`get_many`]): Spin's `get-many` is
//! broken on Redis and lossy on SQLite.
//!
//! Handles are opened once per instance and kept ([`Store::open`],
//! `open_bucket`): an engine may serve several requests with one instance,
//! a handle stays valid for the instance's life, and opening one per request
//! would be two host calls more on the hot tracking path.

use std::cell::RefCell;
use std::rc::Rc;

use spin_sdk::key_value;
use spin_sdk::wit::wasi::keyvalue::{atomics, batch, store as wasi_store};

use crate::{Error, Result};

/// Handles already opened by this instance, by label. Components are
/// single-threaded; concurrent requests of one instance share the handles
/// (each call only borrows one).
struct Opened<T> {
    handles: RefCell<Vec<(String, Rc<T>)>>,
}

impl<T> Opened<T> {
    const fn new() -> Self {
        Self {
            handles: RefCell::new(Vec::new()),
        }
    }

    fn find(&self, label: &str) -> Option<Rc<T>> {
        self.handles
            .borrow()
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, h)| h.clone())
    }

    /// Keeps `handle` for `label` unless one was kept meanwhile (another
    /// request of this instance may have opened it while this one waited).
    fn keep(&self, label: &str, handle: T) -> Rc<T> {
        if let Some(kept) = self.find(label) {
            return kept;
        }
        let handle = Rc::new(handle);
        self.handles
            .borrow_mut()
            .push((label.to_owned(), handle.clone()));
        handle
    }
}

thread_local! {
    static STORES: Opened<key_value::Store> = const { Opened::new() };
    static BUCKETS: Opened<wasi_store::Bucket> = const { Opened::new() };
}

/// An open key-value store (a `key_value_stores` label of `spin.toml`).
pub struct Store {
    inner: Rc<key_value::Store>,
    label: String,
}

impl Store {
    /// Opens the store named `label`; the component must be granted it in
    /// `spin.toml`. The handle is opened once per instance and shared.
    pub async fn open(label: &str) -> Result<Self> {
        Ok(Self {
            inner: store_handle(label)?,
            label: label.to_owned(),
        })
    }

    /// The label this store was opened with.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The value of `key`, or `None` if it is absent.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.inner.get(key).map_err(|e| self.error(&e))
    }

    /// Sets `key` to `value`, replacing any previous value.
    pub async fn set(&self, key: &str, value: &[u8]) -> Result<()> {
        self.inner.set(key, value).map_err(|e| self.error(&e))
    }

    /// Deletes `key`; deleting an absent key is not an error.
    pub async fn delete(&self, key: &str) -> Result<()> {
        self.inner.delete(key).map_err(|e| self.error(&e))
    }

    /// Whether `key` has a value.
    pub async fn exists(&self, key: &str) -> Result<bool> {
        self.inner.exists(key).map_err(|e| self.error(&e))
    }

    /// Every key of the store, in the store's order (unspecified).
    pub async fn get_keys(&self) -> Result<Vec<String>> {
        self.inner.get_keys().map_err(|e| self.error(&e))
    }

    fn error(&self, e: &key_value::Error) -> Error {
        spin_error(&self.label, e)
    }
}

/// The outcome of [`replace`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplaceOutcome {
    /// The key held the expected value and now holds the new one.
    Replaced,
    /// The key did not hold the expected value; nothing was written.
    Conflict {
        /// What the key held when the write was refused (`None`: absent).
        current: Option<Vec<u8>>,
    },
}

/// The outcome of [`insert_new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    /// The key was absent and now holds the value: this caller won.
    Inserted,
    /// The key already existed; its current value is returned.
    Exists(Vec<u8>),
}

/// Atomically adds `delta` to the signed 64-bit counter at `key` (absent
/// counts as 0) and returns the new value. Read a counter with a `delta` of
/// 0: stores keep counters in their own encoding (8 little-endian bytes in
/// Spin's SQLite store, decimal text in Redis), and a `set` on a counter
/// makes Spin's SQLite store fail every later call.
pub fn increment(label: &str, key: &str, delta: i64) -> Result<i64> {
    let bucket = open_bucket(label)?;
    atomics::increment(&bucket, key, delta).map_err(|e| wasi_error(label, &e))
}

/// Sets `key` to `new` if it currently holds `expected` (`None`: if it is
/// absent), under the key's [`lease`].
pub fn replace(
    label: &str,
    key: &str,
    expected: Option<&[u8]>,
    new: &[u8],
) -> Result<ReplaceOutcome> {
    locked(label, key, |current| {
        if current.as_deref() == expected {
            Ok(Step::Write(new.to_vec(), ReplaceOutcome::Replaced))
        } else {
            Ok(Step::Done(ReplaceOutcome::Conflict { current }))
        }
    })
}

/// Creates `key` with `value` unless it exists, under the key's [`lease`]:
/// of callers racing, exactly one gets [`InsertOutcome::Inserted`].
pub fn insert_new(label: &str, key: &str, value: &[u8]) -> Result<InsertOutcome> {
    locked(label, key, |current| match current {
        None => Ok(Step::Write(value.to_vec(), InsertOutcome::Inserted)),
        Some(current) => Ok(Step::Done(InsertOutcome::Exists(current))),
    })
}

/// What an [`update`] step decided.
pub enum Step<R> {
    /// Write these bytes, then return `R`.
    Write(Vec<u8>, R),
    /// Write nothing and return `R`.
    Done(R),
}

/// Reads `key`, lets `decide` compute the new value from the current bytes
/// (`None`: absent) and writes it, all under the key's [`lease`], so no
/// other writer of the key can come in between.
pub fn update<R>(
    label: &str,
    key: &str,
    mut decide: impl FnMut(Option<&[u8]>) -> Result<Step<R>>,
) -> Result<R> {
    locked(label, key, |current| decide(current.as_deref()))
}

/// [`update`] of a JSON document (absent: `T::default()`): `change` edits it
/// and says whether there is anything to write.
pub fn update_json<T: serde::Serialize + serde::de::DeserializeOwned + Default>(
    label: &str,
    key: &str,
    mut change: impl FnMut(&mut T) -> bool,
) -> Result<()> {
    let corrupt = |e: serde_json::Error| Error::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    };
    update(label, key, |current| {
        let mut value: T = match current {
            Some(b) => serde_json::from_slice(b).map_err(corrupt)?,
            None => T::default(),
        };
        if !change(&mut value) {
            return Ok(Step::Done(()));
        }
        Ok(Step::Write(
            serde_json::to_vec(&value).map_err(corrupt)?,
            (),
        ))
    })
}

/// Adds `item` to the JSON list at `key` unless it is there already; whether
/// it was added (of two instances adding the same item at once, one is told
/// `true`).
pub fn push_unique<T>(label: &str, key: &str, item: &T) -> Result<bool>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + Clone,
{
    let mut added = false;
    update_json(label, key, |list: &mut Vec<T>| {
        added = !list.contains(item);
        if added {
            list.push(item.clone());
        }
        added
    })?;
    Ok(added)
}

/// Runs `decide` on the current value of `key` and writes what it decides,
/// holding the key's lease throughout. A holder held up past its lease (a
/// busy machine) writes nothing and starts again with a new lease and a
/// fresh read.
fn locked<R>(
    label: &str,
    key: &str,
    mut decide: impl FnMut(Option<Vec<u8>>) -> Result<Step<R>>,
) -> Result<R> {
    const ATTEMPTS: usize = 3;
    let store = store_handle(label)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let held = lease::acquire(label, key)?;
        let outcome = (|| {
            let current = store.get(key).map_err(|e| spin_error(label, &e))?;
            match decide(current)? {
                Step::Done(r) => Ok(Some(r)),
                Step::Write(bytes, r) => {
                    // Another writer may hold the key's next lease by now.
                    if held.check().is_err() && attempt < ATTEMPTS {
                        return Ok(None);
                    }
                    held.check()?;
                    store.set(key, &bytes).map_err(|e| spin_error(label, &e))?;
                    Ok(Some(r))
                }
            }
        })();
        held.release();
        if let Some(r) = outcome? {
            return Ok(r);
        }
    }
}

pub mod lease {
    //! Exclusive, time-bounded leases on a key, decided by `increment` alone.
    //!
    //! Real Spin's compare-and-swap cannot decide a race (on Redis every swap
    //! reports failure; on SQLite create-if-absent is an upsert), so the
    //! platform never calls it. A writer that must read a value and write a
    //! new one without another writer in between takes the key's lease:
    //!
    //! - Time is cut into windows of [`WINDOW_SECS`]. In window `w`, the key
    //!   has two counters: `{key}#lease/{w}/ticket` and `{key}#lease/{w}/done`.
    //!   A writer takes a ticket (its increment's answer `t`) and holds the
    //!   lease when `done` reaches `t - 1`; it gives the lease back by
    //!   incrementing `done`. Only the holder moves `done`, so tickets are
    //!   served one at a time, in order (no writer starves, however many
    //!   wait).
    //! - With less than [`TAKE_MARGIN`] left in the window, a writer that
    //!   holds the window's lease takes the next window's as well. The holder
    //!   writes only while the current window is one it holds and, if it is
    //!   the last, at least [`WRITE_MARGIN`] of it is left ([`Held::check`]);
    //!   so any two writers at one instant would both hold that instant's
    //!   window, which its ticket order decides.
    //! - A holder that dies never moves `done`: the key is blocked until the
    //!   window ends (at most two windows), then the next window's counters
    //!   start afresh. A waiter whose window ends leaves its ticket and takes
    //!   one in the next window; a holder that is merely slow cannot write
    //!   once its windows are over.
    //!
    //! The assumption is that instances' clocks agree to well within
    //! [`WRITE_MARGIN`] (NTP keeps them within milliseconds) and that a write
    //! lands within that margin after its check.

    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    use crate::{Error, Result};

    /// Length of a lease window.
    pub const WINDOW_SECS: u64 = 10;
    /// With less than this left in the window, the next window's lease is
    /// taken too.
    pub const TAKE_MARGIN: Duration = Duration::from_secs(3);
    /// Time that must be left in the holder's last window for it to write.
    pub const WRITE_MARGIN: Duration = Duration::from_secs(1);
    /// How long a writer waits for a busy key before giving up (checked when
    /// a window ends: a waiter never leaves a window early, since the tickets
    /// after its own would wait for it).
    pub const WAIT_LIMIT: Duration = Duration::from_secs(25);

    /// The ticket counter of `key`'s lease in `window`.
    #[must_use]
    pub fn ticket_key(key: &str, window: u64) -> String {
        format!("{key}#lease/{window}/ticket")
    }

    /// The counter of tickets served (leases given back) of `key` in `window`.
    #[must_use]
    pub fn done_key(key: &str, window: u64) -> String {
        format!("{key}#lease/{window}/done")
    }

    /// The window of a lease counter ([`ticket_key`], [`done_key`]); `None`
    /// for a key that is not one. A window two before the current one is
    /// over: no holder or waiter uses its counters any more (a later
    /// holder's release deletes them too), so they may be deleted.
    #[must_use]
    pub fn counter_window(key: &str) -> Option<u64> {
        let (_, rest) = key.rsplit_once("#lease/")?;
        let (window, what) = rest.split_once('/')?;
        matches!(what, "ticket" | "done")
            .then(|| window.parse().ok())
            .flatten()
    }

    /// The window of `now` (time since the Unix epoch) and the time left in it.
    #[must_use]
    pub fn window_of(now: Duration) -> (u64, Duration) {
        let window = now.as_secs() / WINDOW_SECS;
        let end = Duration::from_secs((window + 1) * WINDOW_SECS);
        (window, end.saturating_sub(now))
    }

    /// Whether a holder of the lease of `window` taken at `now` must take the
    /// next window's too.
    #[must_use]
    pub fn needs_next(now: Duration) -> bool {
        window_of(now).1 < TAKE_MARGIN
    }

    /// Whether the holder of the windows `held` may write at `now`.
    #[must_use]
    pub fn may_write(held: &std::ops::RangeInclusive<u64>, now: Duration) -> bool {
        let (window, left) = window_of(now);
        held.contains(&window) && (window < *held.end() || left >= WRITE_MARGIN)
    }

    fn now() -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }

    /// The leases held on a key.
    #[must_use = "a lease is given back with `release`"]
    pub struct Held {
        label: String,
        key: String,
        windows: std::ops::RangeInclusive<u64>,
    }

    impl Held {
        /// `Ok` while the holder may still write.
        pub fn check(&self) -> Result<()> {
            if may_write(&self.windows, now()) {
                return Ok(());
            }
            Err(Error::KeyValue {
                label: self.label.clone(),
                message: format!("the lease on `{}` ran out before the write", self.key),
            })
        }

        /// Gives the leases back, and forgets the counters of an earlier
        /// window of the same key, so that a key's leases leave at most a few
        /// counters behind. A failure only blocks the key until the window
        /// ends.
        pub fn release(self) {
            for window in self.windows.clone() {
                give_back(&self.label, &self.key, window);
            }
            if let Some(old) = self.windows.start().checked_sub(2) {
                let stale = [ticket_key(&self.key, old), done_key(&self.key, old)];
                if let Err(e) = super::delete_many(&self.label, &stale) {
                    eprintln!("lease {}: cleanup: {e}", self.key);
                }
            }
        }
    }

    fn give_back(label: &str, key: &str, window: u64) {
        if let Err(e) = super::increment(label, &done_key(key, window), 1) {
            eprintln!("lease {key}/{window}: release: {e}");
        }
    }

    /// What waiting for a turn came to.
    enum Turn {
        Mine,
        /// The window ended first; the ticket is left behind.
        WindowOver,
    }

    /// Takes a ticket of `window` and waits for its turn.
    fn wait_turn(label: &str, key: &str, window: u64) -> Result<Turn> {
        let ticket = super::increment(label, &ticket_key(key, window), 1)?;
        let mut attempt: u32 = 0;
        loop {
            let done = super::increment(label, &done_key(key, window), 0)?;
            if done >= ticket - 1 {
                return Ok(Turn::Mine);
            }
            if window_of(now()).0 != window {
                return Ok(Turn::WindowOver);
            }
            attempt = attempt.saturating_add(1);
            std::thread::sleep(pause(ticket - 1 - done, attempt));
        }
    }

    /// Takes the lease on `key`, waiting while other writers hold it (at
    /// most about [`WAIT_LIMIT`]).
    pub fn acquire(label: &str, key: &str) -> Result<Held> {
        let started = Instant::now();
        loop {
            let (window, _) = window_of(now());
            if let Turn::Mine = wait_turn(label, key, window)? {
                if !needs_next(now()) {
                    return Ok(hold(label, key, window..=window));
                }
                // Late in the window: hold the next one too, taken in order
                // (never the next before this one), so no two writers wait
                // for each other.
                match wait_turn(label, key, window + 1)? {
                    Turn::Mine => return Ok(hold(label, key, window..=window + 1)),
                    Turn::WindowOver => {
                        give_back(label, key, window);
                        give_back(label, key, window + 1);
                    }
                }
            }
            if started.elapsed() >= WAIT_LIMIT {
                return Err(Error::KeyValue {
                    label: label.to_owned(),
                    message: format!("`{key}` stayed busy for {WAIT_LIMIT:?}"),
                });
            }
        }
    }

    fn hold(label: &str, key: &str, windows: std::ops::RangeInclusive<u64>) -> Held {
        Held {
            label: label.to_owned(),
            key: key.to_owned(),
            windows,
        }
    }

    /// How long to wait before looking again: about 1 ms for every writer
    /// ahead (a lease is held for a read and a write), with a little random
    /// spread, between 1 and 24 ms.
    fn pause(ahead: i64, attempt: u32) -> Duration {
        let base = u64::try_from(ahead).unwrap_or(1).clamp(1, 20);
        let mut byte = [0u8; 1];
        let jitter = match getrandom::fill(&mut byte) {
            Ok(()) => u64::from(byte[0] % 4),
            Err(_) => u64::from(attempt % 4),
        };
        Duration::from_millis(base + jitter)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn at(ms: u64) -> Duration {
            Duration::from_millis(ms)
        }

        #[test]
        fn windows_cut_time_into_fixed_lengths() {
            let cases = [
                (0, 0, 10_000),
                (9_999, 0, 1),
                (10_000, 1, 10_000),
                (1_766_000_004_500, 176_600_000, 5_500),
            ];
            for (ms, window, left_ms) in cases {
                let (w, left) = window_of(at(ms));
                assert_eq!((w, left.as_millis()), (window, left_ms), "{ms}");
            }
        }

        #[test]
        fn a_lease_counters_window_is_read_back() {
            assert_eq!(
                counter_window(&ticket_key("citizen/contact/a#b", 42)),
                Some(42)
            );
            assert_eq!(counter_window(&done_key("k", 7)), Some(7));
            for other in ["k", "k#lease/x/ticket", "k#lease/3/other", "k#lease/3"] {
                assert_eq!(counter_window(other), None, "{other}");
            }
        }

        #[test]
        fn late_in_a_window_the_next_one_is_taken_too() {
            assert!(!needs_next(at(12_000)));
            assert!(!needs_next(at(17_000)));
            assert!(needs_next(at(17_001)));
            assert!(needs_next(at(19_999)));
        }

        #[test]
        fn a_holder_writes_only_inside_its_windows_with_a_margin() {
            let cases = [
                (1..=1, 12_000, true),
                (1..=1, 18_999, true),
                (1..=1, 19_001, false), // too close to the end
                (1..=1, 20_500, false), // the window is over
                (1..=2, 19_500, true),  // the next window is held too
                (1..=2, 28_500, true),
                (1..=2, 29_500, false),
                (2..=2, 12_000, false), // before the window
            ];
            for (held, ms, ok) in cases {
                assert_eq!(may_write(&held, at(ms)), ok, "{held:?} at {ms}");
            }
        }

        #[test]
        fn a_key_has_its_own_counters_per_window() {
            assert_eq!(ticket_key("t/cj/open", 7), "t/cj/open#lease/7/ticket");
            assert_eq!(done_key("t/cj/open", 7), "t/cj/open#lease/7/done");
            assert_ne!(ticket_key("k", 7), ticket_key("k", 8));
        }

        #[test]
        fn waits_grow_with_the_queue_and_stay_short() {
            for attempt in 0..20 {
                assert!(pause(0, attempt) >= at(1));
                assert!(pause(1_000, attempt) <= at(24));
            }
            assert!(pause(10, 0) >= at(10));
        }
    }
}

/// Reads several keys; absent keys come back as `None`, in the order asked.
///
/// One `get` per key, not `wasi:keyvalue`'s batch `get-many`: on real Spin
/// (3.6.3 to main) the Redis store's `get-many` sends `KEYS` and panics the
/// request as soon as a key exists, and the SQLite store's leaves absent
/// keys out and answers in its own order.
pub fn get_many(label: &str, keys: &[String]) -> Result<Vec<(String, Option<Vec<u8>>)>> {
    let store = store_handle(label)?;
    keys.iter()
        .map(|key| {
            let value = store.get(key).map_err(|e| spin_error(label, &e))?;
            Ok((key.clone(), value))
        })
        .collect()
}

/// Writes several keys in one call.
pub fn set_many(label: &str, pairs: &[(String, Vec<u8>)]) -> Result<()> {
    let bucket = open_bucket(label)?;
    batch::set_many(&bucket, pairs).map_err(|e| wasi_error(label, &e))
}

/// Deletes several keys in one call; absent keys are not an error.
pub fn delete_many(label: &str, keys: &[String]) -> Result<()> {
    let bucket = open_bucket(label)?;
    batch::delete_many(&bucket, keys).map_err(|e| wasi_error(label, &e))
}

fn store_handle(label: &str) -> Result<Rc<key_value::Store>> {
    if let Some(store) = STORES.with(|s| s.find(label)) {
        return Ok(store);
    }
    let opened = key_value::Store::open(label).map_err(|e| spin_error(label, &e))?;
    Ok(STORES.with(|s| s.keep(label, opened)))
}

fn open_bucket(label: &str) -> Result<Rc<wasi_store::Bucket>> {
    if let Some(bucket) = BUCKETS.with(|b| b.find(label)) {
        return Ok(bucket);
    }
    let bucket = wasi_store::open(label).map_err(|e| wasi_error(label, &e))?;
    Ok(BUCKETS.with(|b| b.keep(label, bucket)))
}

fn spin_error(label: &str, e: &key_value::Error) -> Error {
    let message = match e {
        key_value::Error::StoreTableFull => "too many open stores".to_owned(),
        key_value::Error::NoSuchStore => "no such store".to_owned(),
        key_value::Error::AccessDenied => "access denied".to_owned(),
        key_value::Error::Other(m) => m.clone(),
    };
    Error::KeyValue {
        label: label.to_owned(),
        message,
    }
}

fn wasi_error(label: &str, e: &wasi_store::Error) -> Error {
    let message = match e {
        wasi_store::Error::NoSuchStore => "no such store".to_owned(),
        wasi_store::Error::AccessDenied => "access denied".to_owned(),
        wasi_store::Error::Other(m) => m.clone(),
    };
    Error::KeyValue {
        label: label.to_owned(),
        message,
    }
}
