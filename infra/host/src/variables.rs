//! Application and component variables, resolved once at start.
//!
//! Application variables take their value from, in order: the host itself
//! (the embedded object store's endpoint and keys), `SPIN_VARIABLE_<NAME>`
//! in the environment, the runtime config's `[variables]`, the manifest
//! default. Component variables are `{{ name }}` templates over them, and so
//! are `allowed_outbound_hosts` entries. Secret values never reach a log:
//! errors name variables, never values.

use std::collections::BTreeMap;

use anyhow::{Context as _, bail};

use crate::manifest::VariableDef;

/// Resolved application variables.
#[derive(Debug, Default)]
pub struct AppVariables {
    values: BTreeMap<String, String>,
    /// Declared in the manifest, with or without a value.
    declared: std::collections::BTreeSet<String>,
}

impl AppVariables {
    /// Resolves every declared variable; a required one without a value is
    /// an error naming it.
    pub fn resolve(
        declared: &BTreeMap<String, VariableDef>,
        host_provided: &BTreeMap<String, String>,
        runtime_config: &BTreeMap<String, String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let mut values = BTreeMap::new();
        for (name, def) in declared {
            check_name(name)?;
            let value = host_provided
                .get(name)
                .cloned()
                .or_else(|| env(&format!("SPIN_VARIABLE_{}", name.to_uppercase())))
                .or_else(|| runtime_config.get(name).cloned())
                .or_else(|| def.default.clone());
            match value {
                Some(v) => {
                    values.insert(name.clone(), v);
                }
                None if def.required => bail!(
                    "application variable {name:?} is required: set it in the runtime config's \
                     [variables] or as SPIN_VARIABLE_{}",
                    name.to_uppercase()
                ),
                None => {}
            }
        }
        for name in runtime_config.keys() {
            if !declared.contains_key(name) {
                bail!("runtime config sets variable {name:?}, which spin.toml does not declare");
            }
        }
        Ok(Self {
            values,
            declared: declared.keys().cloned().collect(),
        })
    }

    /// Expands a component variable's template. As in Spin, a template over
    /// a declared but unset optional variable is not an error at start: the
    /// component variable is simply undefined (`Ok(None)`), and the guest's
    /// `get` says so. Templates naming undeclared variables are errors.
    pub fn expand_optional(&self, template: &str) -> anyhow::Result<Option<String>> {
        match self.expand(template) {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                let unset = referenced(template)
                    .iter()
                    .any(|n| self.declared.contains(n) && !self.values.contains_key(n));
                let undeclared = referenced(template)
                    .iter()
                    .any(|n| !self.declared.contains(n));
                if unset && !undeclared {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Expands every `{{ name }}` in `template`.
    pub fn expand(&self, template: &str) -> anyhow::Result<String> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .with_context(|| format!("unclosed '{{{{' in template {template:?}"))?;
            let name = after[..end].trim();
            let value = self.values.get(name).with_context(|| {
                format!("template {template:?} uses variable {name:?}, which has no value")
            })?;
            out.push_str(value);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The variable names a template refers to (well-formed `{{ name }}` only).
fn referenced(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        names.push(after[..end].trim().to_owned());
        rest = &after[end + 2..];
    }
    names
}

/// Spin's rule for variable names: lowercase ASCII letters, digits and
/// underscores, starting with a letter.
pub fn check_name(name: &str) -> anyhow::Result<()> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        bail!("invalid variable name {name:?}: use lowercase letters, digits and '_'");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs() -> BTreeMap<String, VariableDef> {
        let mut d = BTreeMap::new();
        d.insert(
            "a".into(),
            VariableDef {
                default: Some("da".into()),
                ..Default::default()
            },
        );
        d.insert(
            "b".into(),
            VariableDef {
                required: true,
                secret: true,
                ..Default::default()
            },
        );
        d.insert("c".into(), VariableDef::default());
        d
    }

    #[test]
    fn precedence_is_host_env_config_default() {
        let host = BTreeMap::from([("b".to_string(), "host".to_string())]);
        let cfg = BTreeMap::from([
            ("a".to_string(), "cfg".to_string()),
            ("b".to_string(), "cfg".to_string()),
        ]);
        let vars = AppVariables::resolve(&defs(), &host, &cfg, |k| {
            (k == "SPIN_VARIABLE_A").then(|| "env".into())
        })
        .unwrap();
        assert_eq!(vars.expand("{{a}}-{{ b }}").unwrap(), "env-host");
        let vars = AppVariables::resolve(&defs(), &host, &BTreeMap::new(), |_| None).unwrap();
        assert_eq!(vars.expand("x{{ a }}y").unwrap(), "xday");
    }

    #[test]
    fn missing_required_undeclared_and_unknown_are_errors_without_values() {
        let err = AppVariables::resolve(&defs(), &BTreeMap::new(), &BTreeMap::new(), |_| None)
            .unwrap_err();
        assert!(err.to_string().contains("\"b\""));
        let cfg = BTreeMap::from([
            ("b".to_string(), "s3cret".to_string()),
            ("zz".to_string(), "1".to_string()),
        ]);
        let err = AppVariables::resolve(&defs(), &BTreeMap::new(), &cfg, |_| None).unwrap_err();
        assert!(!err.to_string().contains("s3cret"));
        let cfg = BTreeMap::from([("b".to_string(), "s3cret".to_string())]);
        let vars = AppVariables::resolve(&defs(), &BTreeMap::new(), &cfg, |_| None).unwrap();
        assert!(vars.expand("{{ c }}").is_err());
        assert_eq!(vars.expand_optional("{{ c }}").unwrap(), None);
        assert_eq!(
            vars.expand_optional("x{{ a }}").unwrap().as_deref(),
            Some("xda")
        );
        assert!(vars.expand_optional("{{ nope }}").is_err());
        assert!(vars.expand("{{ a ").is_err());
        assert!(check_name("Bad").is_err());
    }
}
