//! `type = "spin"`: the key-value store in a SQLite file, with Spin's schema
//! and encodings (spinframework/spin v3.6.3, `crates/key-value-spin`).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use anyhow::Context as _;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::CasOutcome;

/// Readers are cheap point lookups; a few connections let them proceed in
/// parallel with each other and with the (single) writer under WAL.
const READERS: usize = 4;

/// One store label inside a SQLite file.
#[derive(Clone)]
pub struct SqliteKv {
    inner: Arc<Inner>,
}

struct Inner {
    label: String,
    writer: Mutex<Connection>,
    /// Empty for an in-memory store: its one connection serves everything.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    /// A file store commits with fsync, so writes go to a blocking thread; an
    /// in-memory store writes in microseconds, inline.
    durable: bool,
}

/// Spin's table, column for column.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS spin_key_value (
    store TEXT NOT NULL,
    key   TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (store, key)
)";

/// Locks a connection. A panic while one was held (there should be none:
/// every failure is an error) rolls its transaction back as it unwinds, so
/// the connection is still usable and the store is never poisoned for good.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Decodes a stored counter as Spin does: absent is 0, otherwise exactly 8
/// little-endian bytes. Anything else is an error for this call (Spin
/// panics here).
fn decode_counter(key: &str, raw: Option<&[u8]>) -> anyhow::Result<i64> {
    match raw {
        None => Ok(0),
        Some(bytes) => {
            let bytes: [u8; 8] = bytes.try_into().map_err(|_| {
                anyhow::anyhow!(
                    "the value of {key:?} is not a counter ({} bytes, a counter is 8)",
                    bytes.len()
                )
            })?;
            Ok(i64::from_le_bytes(bytes))
        }
    }
}

fn connect(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path)
        .with_context(|| format!("opening key-value file {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // WAL + FULL: a committed write is on disk before `set` returns, which is
    // what lets the host promise that a 2xx survives a SIGKILL.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

impl SqliteKv {
    /// Opens (and creates if needed) the store `label` in the file `path`.
    pub fn open(path: &Path, label: &str) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let writer = connect(path)?;
        writer.execute_batch(SCHEMA)?;
        let readers = (0..READERS)
            .map(|_| connect(path).map(Mutex::new))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self::with(label, writer, readers, true))
    }

    /// An in-memory store (Spin's `type = "spin"` without a `path`): fast,
    /// not durable, gone when the host stops.
    pub fn in_memory(label: &str) -> anyhow::Result<Self> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self::with(label, conn, Vec::new(), false))
    }

    fn with(
        label: &str,
        writer: Connection,
        readers: Vec<Mutex<Connection>>,
        durable: bool,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                label: label.to_owned(),
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
                durable,
            }),
        }
    }

    /// Runs a short read on one of the reader connections, on this thread:
    /// a point lookup takes microseconds, less than handing it to a thread.
    fn read<R>(
        &self,
        f: impl FnOnce(&Connection, &str) -> rusqlite::Result<R>,
    ) -> anyhow::Result<R> {
        let n = self.inner.readers.len();
        if n == 0 {
            let conn = lock(&self.inner.writer);
            return Ok(f(&conn, &self.inner.label)?);
        }
        let start = self.inner.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            match self.inner.readers[(start + i) % n].try_lock() {
                Ok(conn) => return Ok(f(&conn, &self.inner.label)?),
                Err(std::sync::TryLockError::Poisoned(p)) => {
                    return Ok(f(&p.into_inner(), &self.inner.label)?);
                }
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        let conn = lock(&self.inner.readers[start % n]);
        Ok(f(&conn, &self.inner.label)?)
    }

    /// Runs a write on the writer connection on a blocking thread: a durable
    /// commit waits for fsync, which must not stall the async workers.
    async fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection, &str) -> anyhow::Result<R> + Send + 'static,
    ) -> anyhow::Result<R> {
        let inner = self.inner.clone();
        if !inner.durable {
            let mut conn = lock(&inner.writer);
            return f(&mut conn, &inner.label);
        }
        tokio::task::spawn_blocking(move || {
            let mut conn = lock(&inner.writer);
            f(&mut conn, &inner.label)
        })
        .await?
    }

    pub(super) async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        self.read(|c, store| current_value(c, store, key))
    }

    pub(super) async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        self.read(|c, store| {
            c.prepare_cached("SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .exists(params![store, key])
        })
    }

    pub(super) async fn keys(&self) -> anyhow::Result<Vec<String>> {
        self.read(|c, store| {
            c.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1 ORDER BY key")?
                .query_map(params![store], |row| row.get(0))?
                .collect()
        })
    }

    pub(super) async fn set(&self, key: &str, value: &[u8]) -> anyhow::Result<()> {
        let (key, value) = (key.to_owned(), value.to_vec());
        self.write(move |c, store| Ok(put(c, store, &key, &value)?))
            .await
    }

    pub(super) async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let key = key.to_owned();
        self.write(move |c, store| {
            c.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .execute(params![store, key])?;
            Ok(())
        })
        .await
    }

    pub(super) async fn increment(&self, key: &str, delta: i64) -> anyhow::Result<i64> {
        let key = key.to_owned();
        self.write(move |c, store| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current = current_value(&tx, store, &key)?;
            let next = decode_counter(&key, current.as_deref())?
                .checked_add(delta)
                .ok_or_else(|| anyhow::anyhow!("counter {key:?} overflows"))?;
            put(&tx, store, &key, &next.to_le_bytes())?;
            tx.commit()?;
            Ok(next)
        })
        .await
    }

    pub(super) async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
        self.read(|c, store| {
            keys.iter()
                .map(|key| current_value(c, store, key))
                .collect()
        })
    }

    pub(super) async fn set_many(&self, pairs: Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        self.write(move |c, store| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for (key, value) in &pairs {
                put(&tx, store, key, value)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(super) async fn delete_many(&self, keys: Vec<String>) -> anyhow::Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        self.write(move |c, store| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for key in &keys {
                tx.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                    .execute(params![store, key])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(super) async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> anyhow::Result<CasOutcome> {
        let (key, expected, new) = (key.to_owned(), expected.map(<[u8]>::to_vec), new.to_vec());
        self.write(move |c, store| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current = current_value(&tx, store, &key)?;
            if current != expected {
                return Ok(CasOutcome::Conflict(current));
            }
            put(&tx, store, &key, &new)?;
            tx.commit()?;
            Ok(CasOutcome::Swapped)
        })
        .await
    }
}

fn current_value(c: &Connection, store: &str, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    c.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
        .query_row(params![store, key], |row| row.get(0))
        .optional()
}

fn put(c: &Connection, store: &str, key: &str, value: &[u8]) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![store, key, value])?;
    Ok(())
}
