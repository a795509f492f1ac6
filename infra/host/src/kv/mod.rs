//! Key-value backends behind `fermyon:spin/key-value` and `wasi:keyvalue`.
//!
//! Each backend holds its data exactly as real Spin's backend of the same
//! kind does (spinframework/spin v3.6.3, `crates/key-value-spin` and
//! `crates/key-value-redis`), so a data file or a Redis written by one host is
//! served by the other:
//! - SQLite: Spin's table `spin_key_value(store, key, value)`, the store
//!   label in `store`; a counter is 8 little-endian bytes
//!   (`i64::to_le_bytes`). `increment` on a value of any other length is an
//!   error for that call (Spin panics there and poisons its lock; here the
//!   store keeps working);
//! - Redis: plain strings with GET/SET/DEL/EXISTS/KEYS, batches as
//!   MGET/MSET/DEL, `increment` is `INCRBY`, so a counter reads back as
//!   decimal text (and `INCRBY` on anything else is Redis's own error).
//!
//! Beyond Spin: `set` is durable before it returns (SQLite: WAL with
//! `synchronous=FULL`; Redis: as durable as the server's own configuration),
//! and `compare_and_swap` compares the whole current value (or its absence)
//! and either writes or hands back the value it found, so exactly one of many
//! concurrent create-if-absent swaps wins (Spin's own swap is not reliable on
//! either backend; see DESIGN.md §2).

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

/// An open store, as held in a guest's resource table (the resource type of
/// `fermyon:spin/key-value.store` and `wasi:keyvalue/store.bucket` in
/// `bindings`; `kv_host` creates and reads it).
pub struct StoreHandle {
    pub(crate) store: KvStore,
}

/// A compare-and-swap in progress (`wasi:keyvalue/atomics.cas`): the value
/// seen when it was created.
pub struct CasHandle {
    pub(crate) store: KvStore,
    pub(crate) key: String,
    pub(crate) current: Option<Vec<u8>>,
}

/// Opens the SQLite store `label` in the file at `path` (created if missing).
///
/// This is the same code the host uses; the native benchmark baseline calls
/// it so that both sides of the comparison do identical key-value work.
pub fn open_sqlite(path: &Path, label: &str) -> anyhow::Result<KvStore> {
    Ok(KvStore::Sqlite(SqliteKv::open(path, label)?))
}

impl KvStore {
    /// Records one call in the process's metrics.
    fn observe(&self, op: &'static str, started: std::time::Instant, ok: bool) {
        let backend = match self {
            KvStore::Sqlite(_) => "sqlite",
            KvStore::Redis(_) => "redis",
        };
        crate::metrics::metrics().kv_call(backend, op, started.elapsed(), ok);
    }

    /// The value of `key`, if any.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.get(key).await,
            KvStore::Redis(r) => r.get(key).await,
        };
        self.observe("get", started, result.is_ok());
        result
    }

    /// Stores `value` under `key`, replacing any previous value.
    pub async fn set(&self, key: &str, value: &[u8]) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.set(key, value).await,
            KvStore::Redis(r) => r.set(key, value).await,
        };
        self.observe("set", started, result.is_ok());
        result
    }

    /// Removes `key`; absent keys are not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.delete(key).await,
            KvStore::Redis(r) => r.delete(key).await,
        };
        self.observe("delete", started, result.is_ok());
        result
    }

    /// Whether `key` has a value.
    pub async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.exists(key).await,
            KvStore::Redis(r) => r.exists(key).await,
        };
        self.observe("exists", started, result.is_ok());
        result
    }

    /// Every key of the store, sorted.
    pub async fn keys(&self) -> anyhow::Result<Vec<String>> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.keys().await,
            KvStore::Redis(r) => r.keys().await,
        };
        self.observe("keys", started, result.is_ok());
        result
    }

    /// Atomically adds `delta` to the counter at `key` (absent = 0) and
    /// returns the new value. The counter is stored in the backend's own
    /// encoding (see the module docs); a value that is not a counter is an
    /// error and is left as it is.
    pub async fn increment(&self, key: &str, delta: i64) -> anyhow::Result<i64> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.increment(key, delta).await,
            KvStore::Redis(r) => r.increment(key, delta).await,
        };
        self.observe("increment", started, result.is_ok());
        result
    }

    /// The values of `keys`, in order (`None` for absent keys).
    pub async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.get_many(keys).await,
            KvStore::Redis(r) => r.get_many(keys).await,
        };
        self.observe("get_many", started, result.is_ok());
        result
    }

    /// Stores every pair (SQLite: in one transaction; Redis: one `MSET`).
    pub async fn set_many(&self, pairs: Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.set_many(pairs).await,
            KvStore::Redis(r) => r.set_many(pairs).await,
        };
        self.observe("set_many", started, result.is_ok());
        result
    }

    /// Removes every key (SQLite: in one transaction; Redis: one `DEL`).
    pub async fn delete_many(&self, keys: Vec<String>) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.delete_many(keys).await,
            KvStore::Redis(r) => r.delete_many(keys).await,
        };
        self.observe("delete_many", started, result.is_ok());
        result
    }

    /// Writes `new` if the current value of `key` is `expected` (`None`:
    /// the key must be absent).
    pub async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> anyhow::Result<CasOutcome> {
        let started = std::time::Instant::now();
        let result = match self {
            KvStore::Sqlite(s) => s.compare_and_swap(key, expected, new).await,
            KvStore::Redis(r) => r.compare_and_swap(key, expected, new).await,
        };
        self.observe("compare_and_swap", started, result.is_ok());
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What both backends do the same way.
    async fn exercise(store: KvStore) {
        assert_eq!(store.get("a").await.unwrap(), None);
        store.set("a", b"1").await.unwrap();
        assert_eq!(store.get("a").await.unwrap(), Some(b"1".to_vec()));
        assert!(store.exists("a").await.unwrap());
        assert_eq!(store.increment("n", 5).await.unwrap(), 5);
        assert_eq!(store.increment("n", -2).await.unwrap(), 3);
        assert_eq!(store.increment("n", 0).await.unwrap(), 3);
        assert_eq!(
            store.compare_and_swap("c", None, b"x").await.unwrap(),
            CasOutcome::Swapped
        );
        assert_eq!(
            store.compare_and_swap("c", None, b"y").await.unwrap(),
            CasOutcome::Conflict(Some(b"x".to_vec()))
        );
        assert_eq!(
            store.compare_and_swap("c", Some(b"y"), b"z").await.unwrap(),
            CasOutcome::Conflict(Some(b"x".to_vec()))
        );
        assert_eq!(
            store.compare_and_swap("c", Some(b"x"), b"z").await.unwrap(),
            CasOutcome::Swapped
        );
        assert_eq!(store.get("c").await.unwrap(), Some(b"z".to_vec()));
        assert_eq!(
            store
                .compare_and_swap("gone", Some(b"x"), b"z")
                .await
                .unwrap(),
            CasOutcome::Conflict(None)
        );
        store.delete("a").await.unwrap();
        assert_eq!(
            store.keys().await.unwrap(),
            vec!["c".to_string(), "n".to_string()]
        );

        store
            .set_many(vec![("b1".into(), b"one".to_vec()), ("b2".into(), vec![])])
            .await
            .unwrap();
        assert_eq!(
            store
                .get_many(&["b1".into(), "missing".into(), "b2".into()])
                .await
                .unwrap(),
            vec![Some(b"one".to_vec()), None, Some(vec![])]
        );
        store
            .delete_many(vec!["b1".into(), "b2".into(), "missing".into()])
            .await
            .unwrap();
        assert!(!store.exists("b1").await.unwrap());
        assert!(!store.exists("b2").await.unwrap());
        store.set_many(Vec::new()).await.unwrap();
        store.delete_many(Vec::new()).await.unwrap();
        assert_eq!(store.get_many(&[]).await.unwrap(), Vec::new());
    }

    /// `increment` on a value that is not a counter fails for that call only.
    async fn a_non_counter_is_an_error_and_the_store_keeps_working(store: &KvStore) {
        store.set("text", b"hello").await.unwrap();
        assert!(store.increment("text", 1).await.is_err());
        assert_eq!(store.get("text").await.unwrap(), Some(b"hello".to_vec()));
        // And again: nothing was poisoned by the first failure.
        assert!(store.increment("text", 1).await.is_err());
        assert_eq!(store.increment("fresh", 2).await.unwrap(), 2);
        store.set("after", b"ok").await.unwrap();
        assert_eq!(store.get("after").await.unwrap(), Some(b"ok".to_vec()));
    }

    #[tokio::test]
    async fn the_sqlite_file_store_keeps_spin_semantics() {
        let dir = tempfile::tempdir().unwrap();
        exercise(open_sqlite(&dir.path().join("kv.db"), "default").unwrap()).await;
        // Labels share the file but not their keys.
        let other = open_sqlite(&dir.path().join("kv.db"), "other").unwrap();
        assert_eq!(other.keys().await.unwrap(), Vec::<String>::new());
    }

    #[tokio::test]
    async fn the_in_memory_store_has_the_same_semantics() {
        exercise(KvStore::Sqlite(SqliteKv::in_memory("ephemeral").unwrap())).await;
    }

    #[tokio::test]
    async fn sqlite_stores_a_counter_as_spin_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kv.db");
        let store = open_sqlite(&path, "default").unwrap();
        assert_eq!(store.increment("n", 41).await.unwrap(), 41);
        assert_eq!(store.increment("n", 1).await.unwrap(), 42);
        assert_eq!(store.increment("neg", -7).await.unwrap(), -7);

        // Spin's table, Spin's encoding: 8 little-endian bytes.
        let raw = rusqlite::Connection::open(&path).unwrap();
        let value: Vec<u8> = raw
            .query_row(
                "SELECT value FROM spin_key_value WHERE store = 'default' AND key = 'n'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(value, 42i64.to_le_bytes());
        assert_eq!(
            store.get("neg").await.unwrap(),
            Some((-7i64).to_le_bytes().to_vec())
        );
        // A counter Spin wrote (or any 8 bytes) counts on from where it is.
        raw.execute(
            "INSERT INTO spin_key_value (store, key, value) VALUES ('default', 'spin', ?1)",
            [100i64.to_le_bytes()],
        )
        .unwrap();
        assert_eq!(store.increment("spin", 1).await.unwrap(), 101);
        // Overflow is an error, not a wrap.
        store.set("max", &i64::MAX.to_le_bytes()).await.unwrap();
        assert!(store.increment("max", 1).await.is_err());

        a_non_counter_is_an_error_and_the_store_keeps_working(&store).await;
        // As in Spin, any 8 bytes are a counter, even text that happens to be
        // 8 bytes long; other lengths are not.
        store.set("decimal", b"12345678").await.unwrap();
        assert_eq!(
            store.increment("decimal", 0).await.unwrap(),
            i64::from_le_bytes(*b"12345678")
        );
        store.set("short", b"12").await.unwrap();
        assert!(store.increment("short", 1).await.is_err());

        let memory = KvStore::Sqlite(SqliteKv::in_memory("ephemeral").unwrap());
        assert_eq!(memory.increment("n", 3).await.unwrap(), 3);
        assert_eq!(
            memory.get("n").await.unwrap(),
            Some(3i64.to_le_bytes().to_vec())
        );
        a_non_counter_is_an_error_and_the_store_keeps_working(&memory).await;
    }

    /// A throwaway `redis-server` on a free loopback port, or `None` (and the
    /// test is skipped) when none is installed.
    struct Redis(std::process::Child, u16);

    impl Redis {
        async fn start() -> Option<Self> {
            for _ in 0..5 {
                let port = std::net::TcpListener::bind("127.0.0.1:0")
                    .ok()?
                    .local_addr()
                    .ok()?
                    .port();
                let child = match std::process::Command::new("redis-server")
                    .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                    .args(["--save", "", "--appendonly", "no"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                {
                    Ok(child) => child,
                    Err(_) => {
                        eprintln!("redis-server is not installed; skipping");
                        return None;
                    }
                };
                let mut server = Redis(child, port);
                for _ in 0..100 {
                    if RedisKv::connect(&server.url()).await.is_ok() {
                        return Some(server);
                    }
                    if let Ok(Some(_)) = server.0.try_wait() {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                let _ = server.0.kill();
            }
            panic!("redis-server did not start");
        }

        fn url(&self) -> String {
            format!("redis://127.0.0.1:{}", self.1)
        }
    }

    impl Drop for Redis {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[tokio::test]
    async fn redis_has_the_same_semantics_and_stores_a_counter_as_spin_does() {
        let Some(server) = Redis::start().await else {
            return;
        };
        let store = KvStore::Redis(RedisKv::connect(&server.url()).await.unwrap());
        exercise(store.clone()).await;

        // `INCRBY`: the counter is decimal text.
        assert_eq!(store.increment("counter", 41).await.unwrap(), 41);
        assert_eq!(store.increment("counter", 1).await.unwrap(), 42);
        assert_eq!(store.get("counter").await.unwrap(), Some(b"42".to_vec()));
        assert_eq!(store.increment("n", 0).await.unwrap(), 3);
        assert_eq!(store.get("n").await.unwrap(), Some(b"3".to_vec()));
        a_non_counter_is_an_error_and_the_store_keeps_working(&store).await;
    }
}
