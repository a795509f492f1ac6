//! The runtime-config file, in Spin's own format (`[key_value_store.<label>]`)
//! plus two ghiseu extensions: `[variables]` (static values for application
//! variables) and `[object_store]` (the embedded S3-compatible store).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;

/// A parsed runtime-config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    /// `[key_value_store.<label>]`.
    #[serde(default)]
    pub key_value_store: BTreeMap<String, KvConfig>,
    /// `[variables]`: application variable values (ghiseu extension).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// `[object_store]` (ghiseu extension).
    pub object_store: Option<ObjectStoreConfig>,
}

/// One `[key_value_store.<label>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum KvConfig {
    /// SQLite; as in Spin, a `path` (relative to the data directory) makes
    /// it a durable file and no `path` an in-memory store that is lost when
    /// the host stops (for counters such as rate limits).
    Spin {
        /// The database file.
        path: Option<PathBuf>,
    },
    /// A Redis/Valkey server.
    Redis {
        /// `redis://host:port[/db]`.
        url: String,
    },
}

/// `[object_store]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ObjectStoreConfig {
    /// The host serves an S3-compatible endpoint on loopback over
    /// `DATA/objects` and fills the `s3_*` application variables.
    Embedded {
        /// Bucket created at start; defaults to `ghiseu`.
        bucket: Option<String>,
    },
}

impl RuntimeConfig {
    /// Reads `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading runtime config {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("parsing runtime config {}", path.display()))
    }

    /// Parses the text of a runtime config (what [`RuntimeConfig::load`]
    /// reads; a fuzz target).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        Ok(toml::from_str(text)?)
    }

    /// The store config for `label`; Spin's default store is a SQLite file
    /// (`kv.db`) even when the runtime config does not mention it.
    pub fn kv(&self, label: &str) -> Option<KvConfig> {
        match self.key_value_store.get(label) {
            Some(c) => Some(c.clone()),
            None if label == "default" => Some(KvConfig::Spin {
                path: Some(PathBuf::from("kv.db")),
            }),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spin_format_with_the_extensions() {
        let c: RuntimeConfig = toml::from_str(
            r#"
            [key_value_store.default]
            type = "redis"
            url = "redis://127.0.0.1:6379"
            [key_value_store.cache]
            type = "spin"
            path = "cache.db"
            [variables]
            greeting = "salut"
            [object_store]
            type = "embedded"
            "#,
        )
        .unwrap();
        assert!(matches!(c.kv("default"), Some(KvConfig::Redis { .. })));
        assert!(matches!(
            c.kv("cache"),
            Some(KvConfig::Spin { path: Some(_) })
        ));
        assert!(c.kv("other").is_none());
        assert_eq!(c.variables["greeting"], "salut");
    }

    #[test]
    fn default_store_exists_without_config_and_typos_are_errors() {
        let c = RuntimeConfig::default();
        // The implicit default store is a file, as in `spin up`...
        assert!(matches!(
            c.kv("default"),
            Some(KvConfig::Spin { path: Some(p) }) if p == std::path::Path::new("kv.db")
        ));
        // ...while a declared `type = "spin"` without a path is Spin's in-memory store.
        let c: RuntimeConfig =
            toml::from_str("[key_value_store.ephemeral]\ntype = \"spin\"\n").unwrap();
        assert!(matches!(
            c.kv("ephemeral"),
            Some(KvConfig::Spin { path: None })
        ));
        assert!(
            toml::from_str::<RuntimeConfig>("[key_value_store.x]\ntype = \"mongo\"\n").is_err()
        );
        assert!(toml::from_str::<RuntimeConfig>("[variabels]\na = \"b\"\n").is_err());
    }
}
