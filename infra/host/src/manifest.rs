//! The subset of Spin's application manifest (spin_manifest_version = 2) that
//! the host understands. Unknown fields are ignored, as `spin up` does for
//! fields of triggers it does not run; a field we rely on with the wrong
//! shape is an error at start, never at request time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::Deserialize;

/// A parsed `spin.toml`.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Must be 2.
    pub spin_manifest_version: u32,
    /// `[application]`.
    pub application: Application,
    /// Application variables: `[variables]`.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDef>,
    /// `[[trigger.http]]` and friends.
    #[serde(default)]
    pub trigger: Triggers,
    /// `[component.<id>]`.
    #[serde(default)]
    pub component: BTreeMap<String, ComponentDef>,
}

/// `[application]`.
#[derive(Debug, Deserialize)]
pub struct Application {
    /// The application name.
    pub name: String,
}

/// One application variable declaration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableDef {
    /// Value used when no provider has one.
    pub default: Option<String>,
    /// Start fails when no provider has a value.
    #[serde(default)]
    pub required: bool,
    /// Never logged.
    #[serde(default)]
    pub secret: bool,
}

/// `[trigger]`.
#[derive(Debug, Default, Deserialize)]
pub struct Triggers {
    /// `[[trigger.http]]`.
    #[serde(default)]
    pub http: Vec<HttpTrigger>,
}

/// One `[[trigger.http]]`.
#[derive(Debug, Deserialize)]
pub struct HttpTrigger {
    /// `/exact` or `/prefix/...`.
    pub route: String,
    /// The component id.
    pub component: String,
}

/// One `[component.<id>]`.
#[derive(Debug, Deserialize)]
pub struct ComponentDef {
    /// Path of the `.wasm`, relative to the manifest's directory.
    pub source: Source,
    /// Files mounted into the guest.
    #[serde(default)]
    pub files: Vec<FileMount>,
    /// Key-value store labels this component may open.
    #[serde(default)]
    pub key_value_stores: Vec<String>,
    /// `scheme://host:port` patterns, possibly with `{{ variable }}`.
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    /// Component variables: templates over application variables.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

/// A component source: a local path. (Spin also allows a URL with a digest;
/// the host only runs local builds.)
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Source {
    /// `source = "path/to.wasm"`.
    Path(String),
    /// `source = { url = ..., digest = ... }`: not supported here.
    Remote {
        /// The remote URL.
        url: String,
    },
}

/// One entry of `files`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FileMount {
    /// A pattern such as `"static/**/*"`: matched files keep their relative
    /// path under `/`.
    Pattern(String),
    /// `{ source = "dir", destination = "/dir" }`.
    Placement {
        /// Directory (relative to the manifest).
        source: String,
        /// Absolute guest path.
        destination: String,
    },
}

impl Manifest {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading manifest {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("parsing manifest {}", path.display()))
    }

    /// Parses and checks the text of a manifest (what [`Manifest::load`]
    /// reads; a fuzz target).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let manifest: Manifest = toml::from_str(text)?;
        manifest.validate()?;
        Ok(manifest)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.spin_manifest_version != 2 {
            bail!(
                "spin_manifest_version must be 2, found {}",
                self.spin_manifest_version
            );
        }
        for trigger in &self.trigger.http {
            if !self.component.contains_key(&trigger.component) {
                bail!(
                    "route {} names component {:?}, which the manifest does not define",
                    trigger.route,
                    trigger.component
                );
            }
        }
        for (id, component) in &self.component {
            if let Source::Remote { url } = &component.source {
                bail!(
                    "component {id}: remote sources ({url}) are not supported by ghiseu; build it locally"
                );
            }
        }
        Ok(())
    }
}

impl ComponentDef {
    /// The `.wasm` path resolved against the manifest directory.
    pub fn wasm_path(&self, manifest_dir: &Path) -> PathBuf {
        match &self.source {
            Source::Path(p) => manifest_dir.join(p),
            Source::Remote { url } => PathBuf::from(url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shape_spin_uses() {
        let m: Manifest = toml::from_str(
            r#"
            spin_manifest_version = 2
            [application]
            name = "x"
            [variables]
            a = { default = "1" }
            b = { required = true, secret = true }
            [[trigger.http]]
            route = "/..."
            component = "web"
            [component.web]
            source = "web.wasm"
            files = ["static/**/*", { source = "assets", destination = "/assets" }]
            key_value_stores = ["default"]
            allowed_outbound_hosts = ["{{ api }}"]
            [component.web.variables]
            api = "{{ b }}"
            [component.web.build]
            command = "cargo build"
            "#,
        )
        .unwrap();
        m.validate().unwrap();
        assert_eq!(m.trigger.http[0].route, "/...");
        assert!(m.variables["b"].secret);
        assert_eq!(m.component["web"].files.len(), 2);
    }

    #[test]
    fn rejects_routes_to_unknown_components_and_other_versions() {
        let m: Manifest = toml::from_str(
            r#"
            spin_manifest_version = 2
            [application]
            name = "x"
            [[trigger.http]]
            route = "/"
            component = "missing"
            "#,
        )
        .unwrap();
        assert!(m.validate().is_err());
        let m: Manifest =
            toml::from_str("spin_manifest_version = 1\n[application]\nname = \"x\"\n").unwrap();
        assert!(m.validate().is_err());
    }
}
