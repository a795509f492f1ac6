//! `type = "redis"`: the key-value store in a Redis or Valkey server, for
//! several host instances sharing one state. Plain string values, as Spin's
//! Redis store keeps them (spinframework/spin v3.6.3,
//! `crates/key-value-redis`): GET/SET/DEL/EXISTS/KEYS, MSET and multi-key DEL
//! for batches, `INCRBY` for counters (decimal text). Batch reads are one
//! `MGET`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use redis::AsyncCommands as _;
use redis::aio::MultiplexedConnection;

use super::CasOutcome;

/// Compare-and-swap as one server-side script: Redis runs scripts atomically,
/// so the comparison and the write cannot interleave with another client.
/// ARGV[1] is "1" when a current value is expected (ARGV[2]), "0" when the
/// key must be absent; ARGV[3] is the new value.
const CAS_SCRIPT: &str = r#"
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if cur then return {0, cur} end
else
  if not cur then return {0} end
  if cur ~= ARGV[2] then return {0, cur} end
end
redis.call('SET', KEYS[1], ARGV[3])
return {1}
"#;

/// A store label backed by one Redis server.
#[derive(Clone)]
pub struct RedisKv {
    link: Arc<Link>,
    cas: redis::Script,
}

/// The connection in use, and how to make a new one. A multiplexed
/// connection never heals by itself: after Redis restarts, or a network cut
/// long enough for commands to time out, every command on it fails or times
/// out for as long as the kernel keeps the dead socket. So a connection or
/// timeout error replaces it (in the background, once per connection), and
/// the commands after that use the new one.
struct Link {
    client: redis::Client,
    /// (generation, connection).
    current: Mutex<(u64, MultiplexedConnection)>,
    reconnecting: AtomicBool,
}

/// Pause between attempts to reach a Redis that is not answering.
const RECONNECT_PAUSE: Duration = Duration::from_millis(200);

impl RedisKv {
    /// Connects to the server at `url` (e.g. `redis://127.0.0.1:6379`).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).with_context(|| format!("bad redis url {url}"))?;
        let conn = client
            .get_multiplexed_async_connection()
            .await
            .with_context(|| format!("connecting to redis at {url}"))?;
        Ok(Self {
            link: Arc::new(Link {
                client,
                current: Mutex::new((0, conn)),
                reconnecting: AtomicBool::new(false),
            }),
            cas: redis::Script::new(CAS_SCRIPT),
        })
    }

    /// The connection to use now, with its generation.
    fn conn(&self) -> (u64, MultiplexedConnection) {
        self.link
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Passes `result` on; a connection or timeout error on generation `generation`
    /// starts replacing that connection.
    fn check<T>(&self, generation: u64, result: redis::RedisResult<T>) -> anyhow::Result<T> {
        if let Err(e) = &result
            && (e.is_timeout()
                || e.is_io_error()
                || e.is_connection_dropped()
                || e.is_connection_refusal())
            && !self.link.reconnecting.swap(true, Ordering::SeqCst)
        {
            tracing::warn!("redis: {e}; opening a new connection");
            let link = self.link.clone();
            tokio::spawn(async move {
                loop {
                    match link.client.get_multiplexed_async_connection().await {
                        Ok(conn) => {
                            let mut current =
                                link.current.lock().unwrap_or_else(|p| p.into_inner());
                            if current.0 == generation {
                                *current = (generation + 1, conn);
                            }
                            break;
                        }
                        Err(e) => {
                            tracing::debug!("redis: reconnecting: {e}");
                            tokio::time::sleep(RECONNECT_PAUSE).await;
                        }
                    }
                }
                link.reconnecting.store(false, Ordering::SeqCst);
                tracing::info!("redis: connected again");
            });
        }
        Ok(result?)
    }

    pub(super) async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let (generation, mut conn) = self.conn();
        self.check(generation, conn.get(key).await)
    }

    pub(super) async fn set(&self, key: &str, value: &[u8]) -> anyhow::Result<()> {
        let (generation, mut conn) = self.conn();
        self.check(generation, conn.set::<_, _, ()>(key, value).await)
    }

    pub(super) async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let (generation, mut conn) = self.conn();
        self.check(generation, conn.del::<_, i64>(key).await)?;
        Ok(())
    }

    pub(super) async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        let (generation, mut conn) = self.conn();
        self.check(generation, conn.exists(key).await)
    }

    pub(super) async fn keys(&self) -> anyhow::Result<Vec<String>> {
        let (generation, mut conn) = self.conn();
        let mut keys: Vec<String> = self.check(generation, conn.keys("*").await)?;
        keys.sort();
        Ok(keys)
    }

    /// `INCRBY`: atomic on the server, and Redis's own error ("value is not
    /// an integer or out of range") for anything that is not a decimal i64.
    pub(super) async fn increment(&self, key: &str, delta: i64) -> anyhow::Result<i64> {
        let (generation, mut conn) = self.conn();
        self.check(generation, conn.incr(key, delta).await)
    }

    pub(super) async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // `MGET` answers one value per key, in order, nil for absent keys.
        let (generation, mut conn) = self.conn();
        let values: Vec<Option<Vec<u8>>> = self.check(
            generation,
            redis::cmd("MGET").arg(keys).query_async(&mut conn).await,
        )?;
        anyhow::ensure!(
            values.len() == keys.len(),
            "MGET answered {} values for {} keys",
            values.len(),
            keys.len()
        );
        Ok(values)
    }

    pub(super) async fn set_many(&self, pairs: Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        let (generation, mut conn) = self.conn();
        self.check(generation, conn.mset::<_, _, ()>(&pairs).await)
    }

    pub(super) async fn delete_many(&self, keys: Vec<String>) -> anyhow::Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let (generation, mut conn) = self.conn();
        self.check(generation, conn.del::<_, i64>(keys).await)?;
        Ok(())
    }

    pub(super) async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> anyhow::Result<CasOutcome> {
        let mut invocation = self.cas.key(key);
        match expected {
            Some(value) => invocation.arg("1").arg(value),
            None => invocation.arg("0").arg(""),
        };
        let (generation, mut conn) = self.conn();
        let reply: Vec<redis::Value> = self.check(
            generation,
            invocation.arg(new).invoke_async(&mut conn).await,
        )?;
        match reply.as_slice() {
            [redis::Value::Int(1)] => Ok(CasOutcome::Swapped),
            [redis::Value::Int(0)] => Ok(CasOutcome::Conflict(None)),
            [redis::Value::Int(0), redis::Value::BulkString(current)] => {
                Ok(CasOutcome::Conflict(Some(current.clone())))
            }
            other => anyhow::bail!("unexpected compare-and-swap reply {other:?}"),
        }
    }
}
