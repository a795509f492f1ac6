//! Spin manifests the tests run: the probe alone or with product components.

use super::*;

/// One component of a test manifest: the probe wasm mounted at one route, with a `name`
/// variable so a response tells which component answered.
#[derive(Debug, Clone)]
pub struct ProbeComponent {
    /// Component id in the manifest.
    pub id: String,
    /// The `[[trigger.http]] route`.
    pub route: String,
    /// The `name` component variable, echoed by the probe as `component`.
    pub name: String,
}

/// A Spin manifest built for a test, always mounting the probe wasm (by absolute path, so
/// every test shares the host's cache of the compiled component).
#[derive(Debug, Clone)]
pub struct TestManifest {
    components: Vec<ProbeComponent>,
    /// Extra `allowed_outbound_hosts` entries (templates allowed), for every component.
    outbound: Vec<String>,
    /// Extra application variables: name → inline TOML declaration.
    app_variables: Vec<(String, String)>,
    /// Product components mounted beside the probe.
    extra: Vec<ExtraComponent>,
}

/// A real component of the application (e.g. `functions/track`) in a test manifest,
/// sharing the probe's "default" key-value store.
#[derive(Debug, Clone)]
pub struct ExtraComponent {
    /// Component id in the manifest.
    pub id: String,
    /// The wasm file.
    pub source: PathBuf,
    /// Its `[[trigger.http]]` routes.
    pub routes: Vec<String>,
    /// Component variables with literal values.
    pub variables: Vec<(String, String)>,
}

impl TestManifest {
    /// The probe alone at `/probe/...`.
    pub fn probe() -> Self {
        Self::routes(&[("/probe/...", "probe")])
    }

    /// One probe component per `(route, name)`.
    pub fn routes(routes: &[(&str, &str)]) -> Self {
        let components = routes
            .iter()
            .enumerate()
            .map(|(i, (route, name))| ProbeComponent {
                id: format!("c{i}"),
                route: (*route).to_owned(),
                name: (*name).to_owned(),
            })
            .collect();
        Self {
            components,
            outbound: Vec::new(),
            app_variables: Vec::new(),
            extra: Vec::new(),
        }
    }

    /// Mounts a product component beside the probe, on the same "default" store.
    pub fn component(mut self, component: ExtraComponent) -> Self {
        self.extra.push(component);
        self
    }

    /// Adds an `allowed_outbound_hosts` entry to every component.
    pub fn allow_outbound(mut self, host: &str) -> Self {
        self.outbound.push(host.to_owned());
        self
    }

    /// Declares an application variable (e.g. `("echo_url", "{ required = true }")`) and
    /// passes it to every component as a component variable of the same name.
    pub fn variable(mut self, name: &str, declaration: &str) -> Self {
        self.app_variables
            .push((name.to_owned(), declaration.to_owned()));
        self
    }

    /// The manifest as TOML.
    pub fn render(&self) -> String {
        let wasm = probe_wasm();
        let mut out = String::from(
            "spin_manifest_version = 2\n\n[application]\nname = \"ghiseu-test\"\n\
             version = \"0.0.0\"\n\n[variables]\n\
             s3_endpoint = { required = true }\n\
             s3_bucket = { default = \"ghiseu\" }\n\
             s3_region = { default = \"us-east-1\" }\n\
             s3_access_key = { required = true }\n\
             s3_secret_key = { required = true, secret = true }\n",
        );
        for (name, decl) in &self.app_variables {
            writeln!(out, "{name} = {decl}").unwrap();
        }
        for c in &self.components {
            write!(
                out,
                "\n[[trigger.http]]\nroute = {route:?}\ncomponent = {id:?}\n",
                route = c.route,
                id = c.id
            )
            .unwrap();
        }
        for c in &self.components {
            let mut outbound = vec!["{{ s3_endpoint }}".to_owned()];
            outbound.extend(self.outbound.iter().cloned());
            let outbound = outbound
                .iter()
                .map(|h| format!("{h:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            write!(
                out,
                "\n[component.{id}]\nsource = {source:?}\nkey_value_stores = [\"default\"]\n\
                 allowed_outbound_hosts = [{outbound}]\n[component.{id}.variables]\n\
                 name = {name:?}\n",
                id = c.id,
                source = wasm.display().to_string(),
                name = c.name,
            )
            .unwrap();
            for var in ["s3_endpoint", "s3_bucket", "s3_region", "s3_access_key"]
                .into_iter()
                .chain(["s3_secret_key"])
                .map(str::to_owned)
                .chain(self.app_variables.iter().map(|(n, _)| n.clone()))
            {
                writeln!(out, "{var} = \"{{{{ {var} }}}}\"").unwrap();
            }
        }
        for c in &self.extra {
            for route in &c.routes {
                write!(
                    out,
                    "\n[[trigger.http]]\nroute = {route:?}\ncomponent = {id:?}\n",
                    id = c.id
                )
                .unwrap();
            }
            write!(
                out,
                "\n[component.{id}]\nsource = {source:?}\nkey_value_stores = [\"default\", \"ephemeral\"]\n\
                 [component.{id}.variables]\n",
                id = c.id,
                source = c.source.display().to_string(),
            )
            .unwrap();
            for (name, value) in &c.variables {
                writeln!(out, "{name} = {value:?}").unwrap();
            }
        }
        out
    }
}

/// Where the manifest comes from.
#[derive(Debug, Clone)]
pub(crate) enum ManifestSource {
    /// Written into the test's temp dir.
    Test(TestManifest),
    /// An existing file (the production spin.toml), used unchanged.
    File(PathBuf),
}
