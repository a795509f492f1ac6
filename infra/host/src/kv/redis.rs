//! `type = "redis"`: the key-value store in a Redis or Valkey server, for
//! several host instances sharing one state. Plain string values, as Spin's
//! Redis store keeps them (spinframework/spin v3.6.3,
//! `crates/key-value-redis`): GET/SET/DEL/EXISTS/KEYS, MSET and multi-key DEL
//! for batches, `INCRBY` for counters (decimal text). Batch reads are one
//! `MGET`.

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
    conn: MultiplexedConnection,
    cas: redis::Script,
}

impl RedisKv {
    /// Connects to the server at `url` (e.g. `redis://127.0.0.1:6379`).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).with_context(|| format!("bad redis url {url}"))?;
        let conn = client
            .get_multiplexed_async_connection()
            .await
            .with_context(|| format!("connecting to redis at {url}"))?;
        Ok(Self {
            conn,
            cas: redis::Script::new(CAS_SCRIPT),
        })
    }

    pub(super) async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.conn.clone().get(key).await?)
    }

    pub(super) async fn set(&self, key: &str, value: &[u8]) -> anyhow::Result<()> {
        let () = self.conn.clone().set(key, value).await?;
        Ok(())
    }

    pub(super) async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let _: i64 = self.conn.clone().del(key).await?;
        Ok(())
    }

    pub(super) async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        Ok(self.conn.clone().exists(key).await?)
    }

    pub(super) async fn keys(&self) -> anyhow::Result<Vec<String>> {
        let mut keys: Vec<String> = self.conn.clone().keys("*").await?;
        keys.sort();
        Ok(keys)
    }

    /// `INCRBY`: atomic on the server, and Redis's own error ("value is not
    /// an integer or out of range") for anything that is not a decimal i64.
    pub(super) async fn increment(&self, key: &str, delta: i64) -> anyhow::Result<i64> {
        Ok(self.conn.clone().incr(key, delta).await?)
    }

    pub(super) async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // `MGET` answers one value per key, in order, nil for absent keys.
        let values: Vec<Option<Vec<u8>>> = redis::cmd("MGET")
            .arg(keys)
            .query_async(&mut self.conn.clone())
            .await?;
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
        let () = self.conn.clone().mset(&pairs).await?;
        Ok(())
    }

    pub(super) async fn delete_many(&self, keys: Vec<String>) -> anyhow::Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let _: i64 = self.conn.clone().del(keys).await?;
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
        let reply: Vec<redis::Value> = invocation
            .arg(new)
            .invoke_async(&mut self.conn.clone())
            .await?;
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
