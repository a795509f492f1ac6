//! The host's start-up parsers: a `spin.toml` and a runtime-config file, and
//! what the host makes of a manifest at start (variables, `{{ name }}`
//! templates, routes, the outbound allow-list). An operator's file is refused
//! with an error, never a panic.

use std::collections::BTreeMap;

use ghiseu_host::manifest::Manifest;
use ghiseu_host::outbound::AllowedHosts;
use ghiseu_host::router::Router;
use ghiseu_host::runtime_config::RuntimeConfig;
use ghiseu_host::variables::AppVariables;

/// The target `host_manifest`.
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(manifest) = Manifest::parse(text) else {
        return;
    };
    let none = BTreeMap::new();
    let Ok(vars) = AppVariables::resolve(&manifest.variables, &none, &none, |_| None) else {
        return;
    };
    let mut router = Router::default();
    for component in manifest.component.values() {
        for template in component.variables.values() {
            let _ = vars.expand_optional(template);
        }
        let hosts: Result<Vec<String>, _> = component
            .allowed_outbound_hosts
            .iter()
            .map(|h| vars.expand(h))
            .collect();
        if let Ok(hosts) = hosts {
            let _ = AllowedHosts::parse(hosts.iter().map(String::as_str));
        }
    }
    let index_of: BTreeMap<&str, usize> = manifest
        .component
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    for trigger in &manifest.trigger.http {
        let component = index_of[trigger.component.as_str()];
        if router.add(&trigger.route, component).is_ok() {
            let path = trigger.route.trim_end_matches("/...");
            let found = router.route(if path.is_empty() { "/" } else { path });
            assert!(
                found.is_some(),
                "route {:?} does not match itself",
                trigger.route
            );
        }
    }
}

/// The target `host_runtime_config`.
pub fn runtime_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = RuntimeConfig::parse(text) {
        for label in config.key_value_store.keys() {
            assert!(
                config.kv(label).is_some(),
                "store {label:?} declared but not found"
            );
        }
        assert!(
            config.kv("default").is_some(),
            "the default store always exists"
        );
    }
}
