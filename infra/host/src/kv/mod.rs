//! Key-value backends behind `spin:key-value` and `wasi:keyvalue`.
//!
//! Both backends give the same semantics, which the integration tests check
//! on each:
//! - `set` is durable before it returns (SQLite: WAL with `synchronous=FULL`;
//!   Redis: as durable as the server's own configuration);
//! - `increment` is atomic and stores the counter as decimal ASCII (what
//!   Redis `INCRBY` does), so a guest reads the same bytes on both;
//! - `compare_and_swap` compares the whole current value (or its absence)
//!   and either writes or hands back the value it found, so exactly one of
//!   many concurrent create-if-absent swaps wins.

mod redis;
mod sqlite;

use std::path::Path;

pub use self::redis::RedisKv;
pub use self::sqlite::SqliteKv;

/// One labelled key-value store, as configured in the runtime config.
#[derive(Clone)]
pub enum KvStore {
    /// `type = "spin"`: a table in a SQLite file.
    Sqlite(SqliteKv),
    /// `type = "redis"`.
    Redis(RedisKv),
}

/// The outcome of a compare-and-swap that did not fail for I/O reasons.
#[derive(Debug, PartialEq, Eq)]
pub enum CasOutcome {
    /// The expected value was current; the new value is stored.
    Swapped,
    /// Someone else changed the key first; this is what is there now.
    Conflict(Option<Vec<u8>>),
}

/// Opens the SQLite store `label` in the file at `path` (created if missing).
///
/// This is the same code the host uses; the native benchmark baseline calls
/// it so that both sides of the comparison do identical key-value work.
pub fn open_sqlite(path: &Path, label: &str) -> anyhow::Result<KvStore> {
    Ok(KvStore::Sqlite(SqliteKv::open(path, label)?))
}

impl KvStore {
    /// The value of `key`, if any.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self {
            KvStore::Sqlite(s) => s.get(key).await,
            KvStore::Redis(r) => r.get(key).await,
        }
    }

    /// Stores `value` under `key`, replacing any previous value.
    pub async fn set(&self, key: &str, value: &[u8]) -> anyhow::Result<()> {
        match self {
            KvStore::Sqlite(s) => s.set(key, value).await,
            KvStore::Redis(r) => r.set(key, value).await,
        }
    }

    /// Removes `key`; absent keys are not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self {
            KvStore::Sqlite(s) => s.delete(key).await,
            KvStore::Redis(r) => r.delete(key).await,
        }
    }

    /// Whether `key` has a value.
    pub async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        match self {
            KvStore::Sqlite(s) => s.exists(key).await,
            KvStore::Redis(r) => r.exists(key).await,
        }
    }

    /// Every key of the store, sorted.
    pub async fn keys(&self) -> anyhow::Result<Vec<String>> {
        match self {
            KvStore::Sqlite(s) => s.keys().await,
            KvStore::Redis(r) => r.keys().await,
        }
    }

    /// Atomically adds `delta` to the decimal counter at `key` (absent = 0)
    /// and returns the new value.
    pub async fn increment(&self, key: &str, delta: i64) -> anyhow::Result<i64> {
        match self {
            KvStore::Sqlite(s) => s.increment(key, delta).await,
            KvStore::Redis(r) => r.increment(key, delta).await,
        }
    }

    /// Writes `new` if the current value of `key` is `expected` (`None`:
    /// the key must be absent).
    pub async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> anyhow::Result<CasOutcome> {
        match self {
            KvStore::Sqlite(s) => s.compare_and_swap(key, expected, new).await,
            KvStore::Redis(r) => r.compare_and_swap(key, expected, new).await,
        }
    }
}

/// Parses a stored counter; a value that is not a decimal i64 is an error
/// rather than silently restarting the count.
fn parse_counter(raw: Option<&[u8]>) -> anyhow::Result<i64> {
    match raw {
        None => Ok(0),
        Some(bytes) => std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .ok_or_else(|| anyhow::anyhow!("the value is not a decimal counter")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exercise(store: KvStore) {
        assert_eq!(store.get("a").await.unwrap(), None);
        store.set("a", b"1").await.unwrap();
        assert_eq!(store.get("a").await.unwrap(), Some(b"1".to_vec()));
        assert!(store.exists("a").await.unwrap());
        assert_eq!(store.increment("n", 5).await.unwrap(), 5);
        assert_eq!(store.increment("n", -2).await.unwrap(), 3);
        assert_eq!(store.get("n").await.unwrap(), Some(b"3".to_vec()));
        assert_eq!(
            store.compare_and_swap("c", None, b"x").await.unwrap(),
            CasOutcome::Swapped
        );
        assert_eq!(
            store.compare_and_swap("c", None, b"y").await.unwrap(),
            CasOutcome::Conflict(Some(b"x".to_vec()))
        );
        assert_eq!(
            store.compare_and_swap("c", Some(b"x"), b"z").await.unwrap(),
            CasOutcome::Swapped
        );
        store.delete("a").await.unwrap();
        assert_eq!(
            store.keys().await.unwrap(),
            vec!["c".to_string(), "n".to_string()]
        );
    }

    #[tokio::test]
    async fn the_sqlite_file_store_keeps_spin_semantics() {
        let dir = std::env::temp_dir().join(format!("ghiseu-kv-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        exercise(open_sqlite(&dir.join("kv.db"), "default").unwrap()).await;
        // Labels share the file but not their keys.
        let other = open_sqlite(&dir.join("kv.db"), "other").unwrap();
        assert_eq!(other.keys().await.unwrap(), Vec::<String>::new());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn the_in_memory_store_has_the_same_semantics() {
        exercise(KvStore::Sqlite(SqliteKv::in_memory("ephemeral").unwrap())).await;
    }

    #[test]
    fn counters_parse_as_decimal_and_reject_garbage() {
        assert_eq!(parse_counter(None).unwrap(), 0);
        assert_eq!(parse_counter(Some(b"41")).unwrap(), 41);
        assert_eq!(parse_counter(Some(b"-7")).unwrap(), -7);
        assert!(parse_counter(Some(b"abc")).is_err());
        assert!(parse_counter(Some(&[0xff, 0x00])).is_err());
    }
}
