//! Key-value storage.
//!
//! Plain reads and writes go through `fermyon:spin/key-value@2.0.0` ([`Store`]);
//! the atomic operations ([`increment`], [`compare_and_swap`],
//! [`create_if_absent`]) go through `wasi:keyvalue@0.2.0-draft2` atomics,
//! which Spin implements over the same stores, so both views see the same
//! data. Both interfaces are synchronous; [`Store`]'s methods stay `async` so
//! that callers need not change if an engine's store becomes asynchronous.
//!
//! Handles are opened once per instance and kept ([`Store::open`],
//! `open_bucket`): an engine may serve several requests with one instance,
//! a handle stays valid for the instance's life, and opening one per request
//! would be two host calls more on the hot tracking path.

use std::cell::RefCell;
use std::rc::Rc;

use spin_sdk::wit::wasi::keyvalue::{atomics, batch, store as wasi_store};
use spin_sdk::key_value;

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
        let inner = match STORES.with(|s| s.find(label)) {
            Some(inner) => inner,
            None => {
                let opened = key_value::Store::open(label).map_err(|e| spin_error(label, &e))?;
                STORES.with(|s| s.keep(label, opened))
            }
        };
        Ok(Self {
            inner,
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

/// The outcome of [`compare_and_swap`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CasOutcome {
    /// The key held the expected value and now holds the new one.
    Swapped,
    /// The key did not hold the expected value; nothing was written.
    Conflict {
        /// What the key held when the swap was refused (`None`: absent).
        current: Option<Vec<u8>>,
    },
}

/// The outcome of [`create_if_absent`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// The key was absent and now holds the value: this caller won.
    Created,
    /// The key already existed; its current value is returned.
    Exists(Vec<u8>),
}

/// Atomically adds `delta` to the signed 64-bit counter at `key` (absent
/// counts as 0) and returns the new value.
pub fn increment(label: &str, key: &str, delta: i64) -> Result<i64> {
    let bucket = open_bucket(label)?;
    atomics::increment(&bucket, key, delta).map_err(|e| wasi_error(label, &e))
}

/// Atomically sets `key` to `new` if it currently holds `expected`
/// (`None`: if it is absent).
pub fn compare_and_swap(
    label: &str,
    key: &str,
    expected: Option<&[u8]>,
    new: &[u8],
) -> Result<CasOutcome> {
    let bucket = open_bucket(label)?;
    let cas = atomics::Cas::new(&bucket, key).map_err(|e| wasi_error(label, &e))?;
    let current = cas.current().map_err(|e| wasi_error(label, &e))?;
    if current.as_deref() != expected {
        return Ok(CasOutcome::Conflict { current });
    }
    match atomics::swap(cas, new) {
        Ok(()) => Ok(CasOutcome::Swapped),
        // Someone wrote between our read and our swap; the host hands back a
        // fresh handle whose `current` is what they wrote.
        Err(atomics::CasError::CasFailed(fresh)) => Ok(CasOutcome::Conflict {
            current: fresh.current().map_err(|e| wasi_error(label, &e))?,
        }),
        Err(atomics::CasError::StoreError(e)) => Err(wasi_error(label, &e)),
    }
}

/// Atomically creates `key` with `value` unless it exists: under concurrency
/// exactly one caller gets [`CreateOutcome::Created`].
pub fn create_if_absent(label: &str, key: &str, value: &[u8]) -> Result<CreateOutcome> {
    // A conflict that reports an absent key means the key was created and
    // deleted again between our attempt and the report: try again.
    const ATTEMPTS: usize = 5;
    for _ in 0..ATTEMPTS {
        match compare_and_swap(label, key, None, value)? {
            CasOutcome::Swapped => return Ok(CreateOutcome::Created),
            CasOutcome::Conflict {
                current: Some(current),
            } => return Ok(CreateOutcome::Exists(current)),
            CasOutcome::Conflict { current: None } => {}
        }
    }
    Err(Error::KeyValue {
        label: label.to_owned(),
        message: format!("create-if-absent of `{key}` kept conflicting with an absent key"),
    })
}

/// What an [`update`] step decided.
pub enum Step<R> {
    /// Write these bytes (if the key still holds what was read), then return `R`.
    Write(Vec<u8>, R),
    /// Write nothing and return `R`.
    Done(R),
}

/// Reads `key`, lets `decide` compute the new value from the current bytes
/// (`None`: absent), and writes it with compare-and-swap, deciding again on
/// the fresh bytes when someone else wrote in between.
pub fn update<R>(
    label: &str,
    key: &str,
    mut decide: impl FnMut(Option<&[u8]>) -> Result<Step<R>>,
) -> Result<R> {
    let mut current = get_many(label, &[key.to_owned()])?
        .pop()
        .and_then(|(_, v)| v);
    for _ in 0..100 {
        match decide(current.as_deref())? {
            Step::Done(r) => return Ok(r),
            Step::Write(new, r) => match compare_and_swap(label, key, current.as_deref(), &new)? {
                CasOutcome::Swapped => return Ok(r),
                CasOutcome::Conflict { current: c } => current = c,
            },
        }
    }
    Err(Error::Corrupt {
        key: key.to_owned(),
        detail: "kept changing under concurrent writers".to_owned(),
    })
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

/// Reads several keys in one call; absent keys come back as `None`, in the
/// order asked.
pub fn get_many(label: &str, keys: &[String]) -> Result<Vec<(String, Option<Vec<u8>>)>> {
    let bucket = open_bucket(label)?;
    batch::get_many(&bucket, keys).map_err(|e| wasi_error(label, &e))
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
