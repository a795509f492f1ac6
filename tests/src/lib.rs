//! Test harness: every integration test gets its own `ghiseu` host, spawned from the
//! release build on a free loopback port, with fresh stores (a new `--data` directory
//! and, for the Redis backend, a `redis-server` of its own).
//!
//! ```no_run
//! # async fn example() {
//! use ghiseu_tests::{App, Backend};
//! let app = App::probe(Backend::Sqlite).spawn().await;
//! let response = app.get("/probe/kv/missing").await;
//! assert_eq!(response.status(), 404);
//! # }
//! ```
//!
//! The engine is the own host unless `GHISEU_TEST_ENGINE=spin`: then every app runs
//! under real Spin (`SPIN_BIN`, else `spin` on `PATH`) with the same manifest, a Spin
//! runtime-config file and the object store served by `ghiseu s3` on its own; and
//! `GHISEU_TEST_BACKEND=redis` (or `sqlite`) puts every app on that key-value backend,
//! whatever the test asked. `cargo xtask test` runs the suites that way too.
//!
//! The artifacts come from `cargo xtask test` (or `cargo build --release -p ghiseu-host`
//! and `cargo build --release --target wasm32-wasip2 -p ghiseu-probe -p ghiseu-health -p ghiseu-track`):
//! the harness only finds them, it never builds.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

pub mod cluster;
pub mod echo;

/// How long a host may take from spawn to its "listening" line. Generous: the first start
/// after a build compiles the components, and the machine may be busy compiling too.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// The key-value backend behind the store labelled "default".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `type = "spin"`: a SQLite file under the host's `--data` directory.
    Sqlite,
    /// `type = "redis"`: a `redis-server` started for this test alone.
    Redis,
}

/// What runs the applications of this test run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// The own host, `target/release/ghiseu`.
    Ghiseu,
    /// Real Spin, the binary at this path.
    Spin(PathBuf),
}

impl Engine {
    /// `GHISEU_TEST_ENGINE=spin`: Spin (panics if there is no Spin binary); anything
    /// else: the own host.
    pub fn of_this_run() -> Self {
        match std::env::var("GHISEU_TEST_ENGINE").as_deref() {
            Ok("spin") => Self::Spin(spin_binary().expect(
                "GHISEU_TEST_ENGINE=spin but there is no Spin binary: set SPIN_BIN or put                  `spin` on PATH",
            )),
            _ => Self::Ghiseu,
        }
    }

    /// Whether this is real Spin (tests of the own host's own limits skip themselves).
    pub fn is_spin(&self) -> bool {
        matches!(self, Self::Spin(_))
    }
}

/// The Spin binary: `SPIN_BIN` if it names a file, else `spin` on `PATH`.
pub fn spin_binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("SPIN_BIN").filter(|b| !b.is_empty()) {
        let bin = PathBuf::from(bin);
        return bin.is_file().then_some(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("spin"))
        .find(|p| p.is_file())
}

/// `GHISEU_TEST_BACKEND`: the backend every app of this run uses, if set.
fn backend_of_this_run() -> Option<Backend> {
    match std::env::var("GHISEU_TEST_BACKEND").as_deref() {
        Ok("redis") => Some(Backend::Redis),
        Ok("sqlite") => Some(Backend::Sqlite),
        _ => None,
    }
}

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (as cargo itself honours it),
/// else `<root>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace_root().join(dir),
        _ => workspace_root().join("target"),
    }
}

fn artifact(relative: &str) -> PathBuf {
    let path = target_dir().join(relative);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo xtask test` (it builds the host and the components \
         before the integration tests)",
        path.display()
    );
    path
}

/// `target/release/ghiseu`.
pub fn host_binary() -> PathBuf {
    artifact("release/ghiseu")
}

/// The test-only probe component.
pub fn probe_wasm() -> PathBuf {
    artifact("wasm32-wasip2/release/ghiseu_probe.wasm")
}

/// The public tracking component (`functions/track`).
pub fn track_wasm() -> PathBuf {
    artifact("wasm32-wasip2/release/ghiseu_track.wasm")
}

/// The production manifest at the workspace root.
pub fn production_manifest() -> PathBuf {
    workspace_root().join("spin.toml")
}

// ---------------------------------------------------------------------------------------
// Manifests.

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
enum ManifestSource {
    /// Written into the test's temp dir.
    Test(TestManifest),
    /// An existing file (the production spin.toml), used unchanged.
    File(PathBuf),
}

// ---------------------------------------------------------------------------------------
// Spawning.

/// What to start: manifest, backend, variables, limits. Build it, then [`App::spawn`].
#[derive(Debug, Clone)]
pub struct App {
    manifest: ManifestSource,
    backend: Backend,
    config_variables: Vec<(String, String)>,
    env: Vec<(String, String)>,
    memory_limit_mb: Option<u64>,
    request_timeout_ms: Option<u64>,
    max_body_bytes: Option<u64>,
    object_store: bool,
    engine: Option<Engine>,
    host_args: Vec<String>,
    wrapper: Vec<String>,
}

impl App {
    /// The probe at `/probe/...` on the given backend.
    pub fn probe(backend: Backend) -> Self {
        Self::with_manifest(TestManifest::probe(), backend)
    }

    /// A test manifest on the given backend.
    pub fn with_manifest(manifest: TestManifest, backend: Backend) -> Self {
        Self {
            manifest: ManifestSource::Test(manifest),
            backend,
            config_variables: Vec::new(),
            env: Vec::new(),
            memory_limit_mb: None,
            request_timeout_ms: None,
            max_body_bytes: None,
            object_store: true,
            engine: None,
            host_args: Vec::new(),
            wrapper: Vec::new(),
        }
    }

    /// More `ghiseu up` flags (own host only), e.g. `--max-connections 4`.
    pub fn host_args(mut self, args: &[&str]) -> Self {
        self.host_args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Runs the own host under a wrapper command, e.g. `prlimit --nofile=200 --`.
    pub fn wrapper(mut self, command: &[&str]) -> Self {
        self.wrapper = command.iter().map(|a| a.to_string()).collect();
        self
    }

    /// Runs this app on `engine`, whatever `GHISEU_TEST_ENGINE` says.
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = Some(engine);
        self
    }

    /// No object store is started: the `s3_*` variables must come from
    /// [`App::config_variable`] (e.g. an endpoint nobody listens on).
    pub fn without_object_store(mut self) -> Self {
        self.object_store = false;
        self
    }

    /// The production spin.toml, unchanged, on SQLite with the embedded object store.
    pub fn production() -> Self {
        Self {
            manifest: ManifestSource::File(production_manifest()),
            ..Self::probe(Backend::Sqlite)
        }
    }

    /// A `[variables]` entry of the runtime config.
    pub fn config_variable(mut self, name: &str, value: &str) -> Self {
        self.config_variables
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// An environment variable of the host process (e.g. `SPIN_VARIABLE_X`).
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `--memory-limit-mb`.
    pub fn memory_limit_mb(mut self, mb: u64) -> Self {
        self.memory_limit_mb = Some(mb);
        self
    }

    /// `--request-timeout-ms`.
    pub fn request_timeout_ms(mut self, ms: u64) -> Self {
        self.request_timeout_ms = Some(ms);
        self
    }

    /// `--max-body-bytes`.
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = Some(bytes);
        self
    }

    /// Writes the manifest and runtime config into a fresh temp dir, starts the backend
    /// and the host, and returns once the host says it is listening.
    pub async fn spawn(mut self) -> TestApp {
        let dir = tempfile::Builder::new()
            .prefix("ghiseu-test-")
            .tempdir()
            .expect("creating a temp dir");
        if let Some(backend) = backend_of_this_run() {
            self.backend = backend;
        }
        let engine = self.engine.clone().unwrap_or_else(Engine::of_this_run);
        let redis = match self.backend {
            Backend::Sqlite => None,
            Backend::Redis => Some(RedisServer::start(dir.path()).await),
        };
        let manifest_path = match &self.manifest {
            ManifestSource::Test(m) => {
                let path = dir.path().join("spin.toml");
                std::fs::write(&path, m.render()).expect("writing the test manifest");
                path
            }
            ManifestSource::File(path) => path.clone(),
        };
        let data_dir = dir.path().join("data");
        std::fs::create_dir_all(&data_dir).expect("creating the data dir");
        let runtime_config = dir.path().join("runtime-config.toml");
        let (config, s3) = match &engine {
            Engine::Ghiseu => (self.runtime_config(redis.as_ref().map(|r| r.url())), None),
            Engine::Spin(_) if !self.object_store => (
                spin_runtime_config(&data_dir, redis.as_ref().map(|r| r.url())),
                None,
            ),
            Engine::Spin(_) => {
                let s3 = S3Server::start(&data_dir.join("objects")).await;
                let config = spin_runtime_config(&data_dir, redis.as_ref().map(|r| r.url()));
                (config, Some(s3))
            }
        };
        std::fs::write(&runtime_config, config).expect("writing the runtime config");

        let mut app = TestApp {
            spec: self,
            engine,
            s3,
            manifest_path,
            runtime_config,
            data_dir,
            address: String::new(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("building the HTTP client"),
            child: None,
            log: Arc::new(Mutex::new(String::new())),
            _redis: redis.map(Arc::new),
            _dir: dir,
        };
        app.start().await;
        app
    }

    fn runtime_config(&self, redis_url: Option<String>) -> String {
        let mut out = String::new();
        match redis_url {
            // "ephemeral" is Spin's in-memory store (no path) beside the file.
            None => out.push_str(
                "[key_value_store.default]\ntype = \"spin\"\npath = \"kv.db\"\n\n\
                 [key_value_store.ephemeral]\ntype = \"spin\"\n",
            ),
            Some(url) => write!(
                out,
                "[key_value_store.default]\ntype = \"redis\"\nurl = {url:?}\n\n\
                 [key_value_store.ephemeral]\ntype = \"redis\"\nurl = {url:?}\n"
            )
            .unwrap(),
        }
        if self.object_store {
            out.push_str("\n[object_store]\ntype = \"embedded\"\n");
        }
        out.push_str("\n[variables]\n");
        for (name, value) in &self.config_variables {
            writeln!(out, "{name} = {value:?}").unwrap();
        }
        out
    }
}

/// A runtime-config file in Spin's own format: the stores only (Spin takes variables
/// from the environment and has no object store).
fn spin_runtime_config(data_dir: &Path, redis_url: Option<String>) -> String {
    match redis_url {
        None => format!(
            "[key_value_store.default]\ntype = \"spin\"\npath = {:?}\n\n\
             [key_value_store.ephemeral]\ntype = \"spin\"\npath = {:?}\n",
            data_dir.join("kv.db").display().to_string(),
            data_dir.join("ephemeral.db").display().to_string(),
        ),
        Some(url) => format!(
            "[key_value_store.default]\ntype = \"redis\"\nurl = {url:?}\n\n\
             [key_value_store.ephemeral]\ntype = \"redis\"\nurl = {url:?}\n"
        ),
    }
}

/// `ghiseu s3`: the object store on its own, for apps under real Spin. Killed when the
/// last app using it is dropped.
#[derive(Clone)]
pub struct S3Server {
    /// `http://ADDR:PORT`.
    pub endpoint: String,
    /// The access key clients sign with.
    pub access_key: String,
    /// The secret key clients sign with.
    pub secret_key: String,
    _child: Arc<Child>,
}

impl S3Server {
    async fn start(root: &Path) -> Self {
        Self::start_on(root, "127.0.0.1".parse().unwrap()).await
    }

    /// `ghiseu s3` on a free port of `ip`, over the objects under `root`.
    pub async fn start_on(root: &Path, ip: std::net::IpAddr) -> Self {
        let access_key = format!("TEST{}", &sha256_hex(&random_bytes(8))[..12]).to_uppercase();
        let secret_key = sha256_hex(&random_bytes(16));
        let mut child = Command::new(host_binary())
            .arg("s3")
            .args(["--listen", &SocketAddr::new(ip, 0).to_string()])
            .arg("--data")
            .arg(root)
            .env("GHISEU_S3_ACCESS_KEY", &access_key)
            .env("GHISEU_S3_SECRET_KEY", &secret_key)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("spawning `ghiseu s3`");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let endpoint = loop {
            match tokio::time::timeout(STARTUP_TIMEOUT, lines.next_line()).await {
                Ok(Ok(Some(line))) => {
                    if let Some(rest) = line.strip_prefix("ghiseu s3 listening on ") {
                        break rest
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                    }
                }
                other => panic!("`ghiseu s3` did not start: {other:?}"),
            }
        };
        Self {
            endpoint,
            access_key,
            secret_key,
            _child: Arc::new(child),
        }
    }
}

/// Starts the probe at `/probe/...` on SQLite: the zero-to-production `spawn_app()`.
pub async fn spawn_app() -> TestApp {
    App::probe(Backend::Sqlite).spawn().await
}

/// A running host. Killed (and its stores deleted) on drop; its output is printed when
/// the test that owns it fails.
pub struct TestApp {
    spec: App,
    engine: Engine,
    s3: Option<S3Server>,
    manifest_path: PathBuf,
    runtime_config: PathBuf,
    data_dir: PathBuf,
    /// `http://127.0.0.1:PORT`, as the host announced it.
    pub address: String,
    /// A client with a connection pool, for tests that issue many requests.
    pub client: reqwest::Client,
    child: Option<Child>,
    log: Arc<Mutex<String>>,
    _redis: Option<Arc<RedisServer>>,
    // Last: removed after the host and Redis are gone.
    _dir: TempDir,
}

impl TestApp {
    async fn start(&mut self) {
        assert!(self.child.is_none(), "the host is already running");
        // Spin can fail to start when many instances prepare their modules at
        // once on a busy machine; a new attempt is a fresh process.
        let attempts = if self.engine.is_spin() { 3 } else { 1 };
        let mut rx = None;
        for attempt in 1..=attempts {
            let mut cmd = match &self.engine {
                Engine::Ghiseu => self.host_command(),
                Engine::Spin(bin) => self.spin_command(bin),
            };
            let mut child = cmd.spawn().expect("spawning the engine");
            let stdout = child.stdout.take().expect("piped stdout");
            let stderr = child.stderr.take().expect("piped stderr");
            drain(stderr, self.log.clone(), None);
            let (tx, listening) = tokio::sync::oneshot::channel();
            drain(stdout, self.log.clone(), Some(tx));
            match tokio::time::timeout(STARTUP_TIMEOUT, listening).await {
                Ok(Err(_)) if attempt < attempts => {
                    let status = child.wait().await;
                    if let Ok(mut log) = self.log.lock() {
                        let _ = writeln!(log, "(exited before listening: {status:?}; again)");
                    }
                }
                outcome => {
                    self.child = Some(child);
                    rx = Some(outcome);
                    break;
                }
            }
        }
        let address = match rx.expect("at least one attempt") {
            Ok(Ok(address)) => address,
            Ok(Err(_)) => panic!(
                "the engine exited before listening; its output:\n{}",
                self.log()
            ),
            Err(_) => panic!(
                "the engine did not say it listens within {STARTUP_TIMEOUT:?}; its \
                 output:\n{}",
                self.log()
            ),
        };
        self.address = address.trim_end_matches('/').to_owned();
        self.wait_until_ready().await;
    }

    /// Which engine runs this app.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// `spin up` on the same manifest, with the Spin runtime config, variables from the
    /// environment and the object store of `ghiseu s3`.
    fn spin_command(&self, bin: &Path) -> Command {
        let spec = &self.spec;
        let mut cmd = Command::new(bin);
        cmd.arg("up")
            .arg("--from")
            .arg(&self.manifest_path)
            .arg("--runtime-config-file")
            .arg(&self.runtime_config)
            .args(["--listen", &format!("127.0.0.1:{}", free_port())])
            .arg("--find-free-port")
            .arg("--state-dir")
            .arg(self.data_dir.join("spin-state"))
            .arg("--log-dir")
            .arg(self.data_dir.join("spin-logs"))
            .current_dir(workspace_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // `spin up` runs the trigger as a child process: a group of their own lets
            // `stop` kill both (killing `spin up` alone leaves the trigger serving).
            .process_group(0)
            .kill_on_drop(true);
        if let Some(s3) = &self.s3 {
            cmd.env("SPIN_VARIABLE_S3_ENDPOINT", &s3.endpoint)
                .env("SPIN_VARIABLE_S3_ACCESS_KEY", &s3.access_key)
                .env("SPIN_VARIABLE_S3_SECRET_KEY", &s3.secret_key);
        }
        if let Some(mb) = spec.memory_limit_mb {
            cmd.args(["--max-instance-memory", &(mb << 20).to_string()]);
        }
        for (name, value) in &spec.config_variables {
            cmd.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
        }
        for (name, value) in &spec.env {
            cmd.env(name, value);
        }
        cmd
    }

    fn host_command(&self) -> Command {
        let spec = &self.spec;
        let mut cmd = match spec.wrapper.split_first() {
            Some((program, args)) => {
                let mut cmd = Command::new(program);
                cmd.args(args).arg(host_binary());
                cmd
            }
            None => Command::new(host_binary()),
        };
        cmd.arg("up")
            .arg("--manifest")
            .arg(&self.manifest_path)
            .arg("--runtime-config")
            .arg(&self.runtime_config)
            .args(["--listen", "127.0.0.1:0"])
            .arg("--data")
            .arg(&self.data_dir)
            .current_dir(workspace_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(mb) = spec.memory_limit_mb {
            cmd.args(["--memory-limit-mb", &mb.to_string()]);
        }
        if let Some(ms) = spec.request_timeout_ms {
            cmd.args(["--request-timeout-ms", &ms.to_string()]);
        }
        if let Some(bytes) = spec.max_body_bytes {
            cmd.args(["--max-body-bytes", &bytes.to_string()]);
        }
        cmd.args(&spec.host_args);
        for (name, value) in &spec.env {
            cmd.env(name, value);
        }
        cmd
    }

    /// The listening line is the readiness signal; a TCP connect confirms it.
    async fn wait_until_ready(&self) {
        let addr: SocketAddr = self
            .address
            .trim_start_matches("http://")
            .parse()
            .unwrap_or_else(|_| panic!("unexpected listening address {}", self.address));
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the host announced {} but refuses connections; output:\n{}",
            self.address,
            self.log()
        );
    }

    /// Everything the engine printed so far (stdout and stderr), and under Spin the
    /// components' output, which Spin writes to files.
    pub fn log(&self) -> String {
        let mut log = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        if let Ok(entries) = std::fs::read_dir(self.data_dir.join("spin-logs")) {
            for entry in entries.flatten() {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    let _ = write!(log, "\n-- {} --\n{text}", entry.file_name().display());
                }
            }
        }
        log
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `127.0.0.1:PORT`.
    pub fn socket_addr(&self) -> SocketAddr {
        self.address.trim_start_matches("http://").parse().unwrap()
    }

    /// The host's `--data` directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// GET `path`; transport errors fail the test.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// PUT `path` with a body.
    pub async fn put(&self, path: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("PUT {path}: {e}"))
    }

    /// POST `path` with a body.
    pub async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// DELETE `path`.
    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("DELETE {path}: {e}"))
    }

    /// Kills the host with SIGKILL (no chance to flush anything) and waits for it.
    pub async fn kill9(&mut self) {
        let mut child = self.child.take().expect("the host is not running");
        kill_group(&child);
        // tokio's Child::kill sends SIGKILL on Unix.
        child.kill().await.expect("SIGKILL the host");
    }

    /// `writers` clients that each PUT `/probe/kv/w{writer}-{i}` (value: the key) one
    /// after another until a write fails; each task returns the keys acknowledged
    /// with a 2xx.
    pub fn keep_writing(&self, writers: usize) -> Vec<tokio::task::JoinHandle<Vec<String>>> {
        (0..writers)
            .map(|w| {
                let client = self.client.clone();
                let base = self.address.clone();
                tokio::spawn(async move {
                    let mut acknowledged = Vec::new();
                    for i in 0.. {
                        let key = format!("w{w}-{i}");
                        match client
                            .put(format!("{base}/probe/kv/{key}"))
                            .body(key.clone())
                            .send()
                            .await
                        {
                            Ok(r) if r.status().is_success() => acknowledged.push(key),
                            _ => break,
                        }
                    }
                    acknowledged
                })
            })
            .collect()
    }

    /// Sends SIGTERM and waits (up to a minute) for the engine to exit; its status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the host is not running");
        let pid = child.id().expect("a running host has a pid");
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("running kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        match tokio::time::timeout(Duration::from_secs(60), child.wait()).await {
            Ok(status) => status.expect("waiting for the host"),
            Err(_) => {
                kill_group(&child);
                let _ = child.kill().await;
                panic!(
                    "the host did not exit within 60 s of SIGTERM:\n{}",
                    self.log()
                );
            }
        }
    }

    /// Stops the host and starts it again on `data` (e.g. a restored backup).
    pub async fn restart_on(&mut self, data: &Path) {
        if let Some(mut child) = self.child.take() {
            kill_group(&child);
            child.kill().await.expect("stopping the host");
        }
        self.data_dir = data.to_owned();
        self.restart().await;
    }

    /// Starts the host again on the same manifest, config and data directory.
    pub async fn restart(&mut self) {
        self.address.clear();
        self.start().await;
    }

    /// Stops this app's engine and starts `engine` on the same stores: the same
    /// SQLite file or Redis server and the same object store directory.
    pub async fn switch_engine(&mut self, engine: Engine) {
        if let Some(mut child) = self.child.take() {
            kill_group(&child);
            child.kill().await.expect("stopping the engine");
        }
        let redis_url = self._redis.as_ref().map(|r| r.url());
        let config = match &engine {
            Engine::Ghiseu => {
                self.s3 = None;
                self.spec.runtime_config(redis_url)
            }
            Engine::Spin(_) => {
                if self.s3.is_none() && self.spec.object_store {
                    self.s3 = Some(S3Server::start(&self.data_dir.join("objects")).await);
                }
                spin_runtime_config(&self.data_dir, redis_url)
            }
        };
        std::fs::write(&self.runtime_config, config).expect("writing the runtime config");
        self.engine = engine;
        self.restart().await;
    }

    /// A second engine process of the same kind serving the same application on the
    /// same key-value store and object store (Redis, or SQLite, and under Spin the
    /// same `ghiseu s3`), as a cluster's instances do.
    pub async fn another_instance(&self) -> TestApp {
        let dir = tempfile::Builder::new()
            .prefix("ghiseu-test-")
            .tempdir()
            .expect("creating a temp dir");
        let data_dir = dir.path().join("data");
        std::fs::create_dir_all(&data_dir).expect("creating the data dir");
        let mut app = TestApp {
            spec: self.spec.clone(),
            engine: self.engine.clone(),
            s3: self.s3.clone(),
            manifest_path: self.manifest_path.clone(),
            runtime_config: self.runtime_config.clone(),
            data_dir,
            address: String::new(),
            client: self.client.clone(),
            child: None,
            log: Arc::new(Mutex::new(String::new())),
            _redis: self._redis.clone(),
            _dir: dir,
        };
        app.start().await;
        app
    }
}

/// Keeps an engine's output under `target/test-logs/` for the check that no
/// log line holds personal data (`cargo xtask test`, xtask/src/privacy.rs).
pub(crate) fn keep_log(text: &str) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = target_dir().join("test-logs");
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(format!("{}-{n}.log", std::process::id())), text);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let log = self.log();
        keep_log(&log);
        if std::thread::panicking() {
            // Shown by the test runner next to the failing assertion.
            eprintln!("---- ghiseu host output ----\n{log}");
        }
        if let Some(child) = self.child.as_mut() {
            kill_group(child);
            let _ = child.start_kill();
        }
    }
}

/// SIGKILLs the process group an engine was started in (under Spin: `spin up` and
/// the trigger process it runs); nothing for the own host, which has no children.
pub(crate) fn kill_group(child: &Child) {
    if let Some(pid) = child.id() {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Copies a child's output into `log`; with `listening`, sends the URL of the first
/// `ghiseu listening on URL` line.
pub(crate) fn drain(
    stream: impl AsyncRead + Unpin + Send + 'static,
    log: Arc<Mutex<String>>,
    mut listening: Option<tokio::sync::oneshot::Sender<String>>,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            // The own host's line, or Spin's ("Serving http://127.0.0.1:PORT").
            let url = line
                .trim()
                .strip_prefix("ghiseu listening on ")
                .or_else(|| line.trim().strip_prefix("Serving "));
            if let Some(url) = url
                && let Some(tx) = listening.take()
            {
                let _ = tx.send(url.trim().to_owned());
            }
            if let Ok(mut log) = log.lock() {
                log.push_str(&line);
                log.push('\n');
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// Redis.

/// A `redis-server` of one test: loopback, a free port, no persistence, its own dir.
pub struct RedisServer {
    port: u16,
    child: std::process::Child,
}

impl RedisServer {
    async fn start(dir: &Path) -> Self {
        Self::start_on(dir, &[], false).await
    }

    /// A `redis-server` on loopback and on `more` addresses; `durable`: append-only
    /// file fsynced on every write (as a cluster's shared store runs), else nothing
    /// is persisted.
    pub async fn start_on(dir: &Path, more: &[std::net::IpAddr], durable: bool) -> Self {
        let binary = find_redis_server();
        let redis_dir = dir.join("redis");
        std::fs::create_dir_all(&redis_dir).expect("creating the redis dir");
        let mut bind = vec!["127.0.0.1".to_owned()];
        bind.extend(more.iter().map(|ip| ip.to_string()));
        // The port may be taken between probing and binding: retry on another one.
        for _ in 0..5 {
            let port = free_port();
            let mut cmd = std::process::Command::new(&binary);
            cmd.args(["--port", &port.to_string()])
                .arg("--bind")
                .args(&bind)
                .args(["--save", ""]);
            if !more.is_empty() {
                // Clients from the cluster's private bridge, which protected
                // mode (no password, a non-loopback address) would refuse.
                cmd.args(["--protected-mode", "no"]);
            }
            if durable {
                cmd.args(["--appendonly", "yes", "--appendfsync", "always"]);
            } else {
                cmd.args(["--appendonly", "no"]);
            }
            let child = cmd
                .arg("--dir")
                .arg(&redis_dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawning redis-server");
            let mut server = Self { port, child };
            for _ in 0..100 {
                if server.ping() {
                    return server;
                }
                if let Ok(Some(_)) = server.child.try_wait() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let _ = server.child.kill();
        }
        panic!("redis-server did not start on a loopback port");
    }

    /// Its port (on every address it listens on).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn ping(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_redis_server() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|d| d.join("redis-server"))
        .find(|p| p.is_file())
        .expect(
            "redis-server is not installed: run `cargo xtask test` (it installs it with \
             apt-get) or `apt-get install redis-server`",
        )
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("binding 127.0.0.1:0")
}

// ---------------------------------------------------------------------------------------
// Small helpers for assertions.

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// `n` random bytes.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("getrandom");
    buf
}

/// Percent-encodes a string for a query parameter value.
pub fn percent_encode(s: &str) -> String {
    s.bytes().fold(String::new(), |mut out, b| {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        out
    })
}

// ---------------------------------------------------------------------------------------
// The desk (functions/desk) beside public tracking, seeded through the platform API.

/// The platform admin token the desk tests configure.
pub const TEST_ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef";

/// The HMAC key the desk test manifest gives the desk and the sandbox gateway.
pub const TEST_NOTIFY_SECRET: &str = "test-gateway-secret";

/// The HMAC key of the payment provider (the sandbox) and the portal, set in
/// the runtime config of [`App::desk`].
pub const TEST_PAYMENT_SECRET: &str = "test-payment-secret";

/// The sandbox component (`functions/sandbox`).
pub fn sandbox_wasm() -> PathBuf {
    artifact("wasm32-wasip2/release/ghiseu_sandbox.wasm")
}

/// The desk component (`functions/desk`).
pub fn desk_wasm() -> PathBuf {
    artifact("wasm32-wasip2/release/ghiseu_desk.wasm")
}

/// The administration component (`functions/admin`).
pub fn admin_wasm() -> PathBuf {
    artifact("wasm32-wasip2/release/ghiseu_admin.wasm")
}

/// A manifest with the desk, the administration and the track component on one "default" store, written
/// once per test process (it is the same for every test). The probe is mounted at `/probe/...`
/// on the same store, so a test can write a stored state directly (what a request that died
/// midway leaves behind, for example).
fn desk_manifest() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let dir = target_dir().join("desk-test");
        std::fs::create_dir_all(&dir).expect("creating target/desk-test");
        let path = dir.join(format!("spin-{}.toml", std::process::id()));
        let s3 = [
            "s3_endpoint",
            "s3_bucket",
            "s3_region",
            "s3_access_key",
            "s3_secret_key",
        ];
        let mut s3vars = String::new();
        for v in s3 {
            writeln!(s3vars, "{v} = \"{{{{ {v} }}}}\"").unwrap();
        }
        let vars = format!("{s3vars}platform_admin_token = \"{{{{ platform_admin_token }}}}\"\n");
        let manifest = format!(
            "spin_manifest_version = 2\n[application]\nname = \"ghiseu-desk-test\"\n\
             version = \"0.0.0\"\n[variables]\ns3_endpoint = {{ required = true }}\n\
             s3_bucket = {{ default = \"ghiseu\" }}\ns3_region = {{ default = \"us-east-1\" }}\n\
             s3_access_key = {{ required = true }}\n\
             s3_secret_key = {{ required = true, secret = true }}\n\
             platform_admin_token = {{ default = \"\", secret = true }}\n\
             csc_multisign = {{ default = \"500\" }}\n\
             csc_callback_url = {{ default = \"\" }}\n\
             tsa_url = {{ default = \"\" }}\n\
             payment_secret = {{ default = \"\", secret = true }}\n\
             csc_enroll_url = {{ default = \"http://sandbox.spin.internal/api/v1/sandbox/csc/credentials\" }}\n\
             [[trigger.http]]\nroute = \"/api/v1/signing/callback\"\ncomponent = \"desk\"\n\
             [[trigger.http]]\nroute = \"/api/v1/payments/webhook\"\ncomponent = \"portal\"\n\
             [[trigger.http]]\nroute = \"/desk/...\"\ncomponent = \"desk\"\n\
             [[trigger.http]]\nroute = \"/verify/...\"\ncomponent = \"verify\"\n\
             [[trigger.http]]\nroute = \"/api/v1/verify/...\"\ncomponent = \"verify\"\n\
             [[trigger.http]]\nroute = \"/api/v1/platform/...\"\ncomponent = \"desk\"\n\
             [[trigger.http]]\nroute = \"/admin/...\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/branding/...\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/api/v1/admin/...\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/api/v1/platform/tenants\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/api/v1/platform/tenants/...\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/api/v1/platform/trust/roots/...\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/q/...\"\ncomponent = \"track\"\n\
             [[trigger.http]]\nroute = \"/track/...\"\ncomponent = \"track\"\n\
             [[trigger.http]]\nroute = \"/api/v1/track/...\"\ncomponent = \"track\"\n\
             [[trigger.http]]\nroute = \"/sandbox/...\"\ncomponent = \"sandbox\"\n\
             [[trigger.http]]\nroute = \"/portal/...\"\ncomponent = \"portal\"\n\
             [[trigger.http]]\nroute = \"/api/v1/sandbox/...\"\ncomponent = \"sandbox\"\n\
             [[trigger.http]]\nroute = \"/probe/...\"\ncomponent = \"probe\"\n\
             [[trigger.http]]\nroute = \"/stats/...\"\ncomponent = \"opendata\"\n\
             [[trigger.http]]\nroute = \"/api/v1/stats/...\"\ncomponent = \"opendata\"\n\
             [component.opendata]\nsource = {opendata:?}\nkey_value_stores = [\"default\", \"ephemeral\"]\n\
             [component.probe]\nsource = {probe:?}\nkey_value_stores = [\"default\"]\n\
             [component.desk]\nsource = {desk:?}\nkey_value_stores = [\"default\"]\n\
             allowed_outbound_hosts = [\"{{{{ s3_endpoint }}}}\", \"http://sandbox.spin.internal\"]\n\
             [component.desk.variables]\n{vars}\
             notify_url = \"http://sandbox.spin.internal/sandbox/gateway/messages\"\n\
             notify_secret = \"{TEST_NOTIFY_SECRET}\"\n{csc_client}\
             csc_callback_url = \"{{{{ csc_callback_url }}}}\"\n\
             tsa_url = \"{{{{ tsa_url }}}}\"\n\
             [component.verify]\nsource = {verify:?}\nkey_value_stores = [\"default\", \"ephemeral\"]\n\
             allowed_outbound_hosts = [\"{{{{ s3_endpoint }}}}\"]\n\
             [component.verify.variables]\n{s3vars}\
             [component.admin]\nsource = {admin:?}\nkey_value_stores = [\"default\"]\n\
             allowed_outbound_hosts = [\"{{{{ s3_endpoint }}}}\"]\n\
             [component.admin.variables]\n{vars}\
             [component.track]\nsource = {track:?}\nkey_value_stores = [\"default\", \"ephemeral\"]\n\
             [component.track.variables]\nrate_limit = \"100000\"\n\
             [component.portal]\nsource = {portal:?}\nkey_value_stores = [\"default\"]\n\
             allowed_outbound_hosts = [\"{{{{ s3_endpoint }}}}\", \"http://sandbox.spin.internal\"]\n\
             [component.portal.variables]\n{vars}\
             notify_url = \"http://sandbox.spin.internal/sandbox/gateway/messages\"\n\
             notify_secret = \"{TEST_NOTIFY_SECRET}\"\n{csc_client}\
             payment_url = \"http://sandbox.spin.internal/sandbox/pay\"\n\
             payment_secret = \"{{{{ payment_secret }}}}\"\n\
             payment_webhook_url = \"http://portal.spin.internal/api/v1/payments/webhook\"\n\
             csc_enroll_url = \"{{{{ csc_enroll_url }}}}\"\n\
             [component.sandbox]\nsource = {sandbox:?}\nkey_value_stores = [\"default\"]\n\
             allowed_outbound_hosts = [\"http://desk.spin.internal\", \"http://portal.spin.internal\", \"http://sandbox.spin.internal\"]\n\
             [component.sandbox.variables]\nenabled = \"true\"\nnotify_secret = \"{TEST_NOTIFY_SECRET}\"\n\
             payment_secret = \"{{{{ payment_secret }}}}\"\n\
             {csc_provider}",
            verify = artifact("wasm32-wasip2/release/ghiseu_verify.wasm")
                .display()
                .to_string(),
            s3vars = s3vars,
            desk = desk_wasm().display().to_string(),
            probe = probe_wasm().display().to_string(),
            opendata = artifact("wasm32-wasip2/release/ghiseu_opendata.wasm")
                .display()
                .to_string(),
            admin = admin_wasm().display().to_string(),
            track = track_wasm().display().to_string(),
            sandbox = sandbox_wasm().display().to_string(),
            portal = artifact("wasm32-wasip2/release/ghiseu_portal.wasm")
                .display()
                .to_string(),
            csc_client = csc_client_variables(),
            csc_provider = csc_provider_variables("300", "{{ csc_multisign }}"),
        );
        std::fs::write(&path, manifest).expect("writing the desk test manifest");
        path
    })
    .clone()
}

impl App {
    /// The desk, administration and public tracking on `backend`, with
    /// [`TEST_ADMIN_TOKEN`] configured.
    pub fn desk(backend: Backend) -> Self {
        Self {
            manifest: ManifestSource::File(desk_manifest()),
            ..Self::probe(backend)
        }
        .config_variable("platform_admin_token", TEST_ADMIN_TOKEN)
        .config_variable("payment_secret", TEST_PAYMENT_SECRET)
    }
}

impl TestApp {
    /// POSTs a seed document to `/api/v1/platform/seed` with the test admin token.
    pub async fn seed(&self, seed: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/platform/seed"))
            .bearer_auth(TEST_ADMIN_TOKEN)
            .json(seed)
            .send()
            .await
            .expect("POST /api/v1/platform/seed")
    }
}

// ---------------------------------------------------------------------------------------
// The desk, signed in.

/// A reqwest client that does not follow redirects (the desk answers 303s the
/// tests look at).
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of cookie `name` set by `r`, if any.
pub fn cookie_set_by(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (k, val) = v.split(';').next()?.split_once('=')?;
            (k == name).then(|| val.to_owned())
        })
}

/// The value of the first `name="csrf" value="..."` in `html`.
pub fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..at + 64].to_owned()
}

/// The registration number on a receipt.
pub fn regno_in(html: &str) -> String {
    let at = html
        .find("class=\"regno\">")
        .expect("a registration number")
        + 14;
    html[at..].split('<').next().unwrap().to_owned()
}

/// The tracking token of the first QR link in `html`.
pub fn token_in(html: &str) -> String {
    let at = html.find("/q/").expect("a QR link") + 3;
    html[at..at + 26].to_owned()
}

/// A small valid-looking PDF, different every time.
pub fn sample_pdf() -> Vec<u8> {
    let mut v = b"%PDF-1.4\n1 0 obj<<>>endobj\n".to_vec();
    v.extend(random_bytes(64));
    v.extend(b"\n%%EOF\n");
    v
}

/// An official signed in at `/desk/login` (the same session serves `/admin`).
#[derive(Clone)]
pub struct Official {
    /// The client (no redirects).
    pub client: reqwest::Client,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The `Cookie` header value: `ghiseu_desk=...`.
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl TestApp {
    /// Posts the desk's sign-in form (with its CSRF cookie and token).
    pub async fn desk_sign_in_attempt(
        &self,
        tenant: &str,
        user: &str,
        password: &str,
    ) -> reqwest::Response {
        desk_sign_in_attempt_at(&self.address, tenant, user, password).await
    }

    /// Signs in at the desk; checks the session cookie's attributes.
    pub async fn desk_sign_in(&self, tenant: &str, user: &str, password: &str) -> Official {
        desk_sign_in_at(&self.address, tenant, user, password).await
    }
}

/// Posts the desk's sign-in form at `base` (with its CSRF cookie and token).
pub async fn desk_sign_in_attempt_at(
    base: &str,
    tenant: &str,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let client = no_redirects();
    let page = client
        .get(format!("{base}/desk/login"))
        .send()
        .await
        .unwrap();
    let login_cookie = cookie_set_by(&page, "ghiseu_login_csrf").expect("a login cookie");
    let csrf = csrf_in(&page.text().await.unwrap());
    client
        .post(format!("{base}/desk/login"))
        .header("cookie", format!("ghiseu_login_csrf={login_cookie}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("institution", tenant),
            ("username", user),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// Signs in at the desk at `base`; checks the session cookie's attributes.
pub async fn desk_sign_in_at(base: &str, tenant: &str, user: &str, password: &str) -> Official {
    let r = desk_sign_in_attempt_at(base, tenant, user, password).await;
    assert_eq!(r.status(), 303, "sign-in of {user}@{tenant}");
    let cookie_line = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("ghiseu_desk="))
        .expect("a session cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie_line.contains(attr), "{cookie_line}");
    }
    let cookie = format!(
        "ghiseu_desk={}",
        cookie_set_by(&r, "ghiseu_desk").expect("a session cookie")
    );
    let client = no_redirects();
    let inbox = client
        .get(format!("{base}/desk"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);
    let csrf = csrf_in(&inbox.text().await.unwrap());
    Official {
        client,
        base: base.to_owned(),
        cookie,
        csrf,
    }
}

impl Official {
    /// The same session, talking to `base` (another instance, or the balancer).
    pub fn at(&self, base: &str) -> Official {
        Official {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    /// `GET path` with the session.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    /// The HTML of `path`.
    pub async fn html(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// Posts a url-encoded form with the session's CSRF token.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// Posts a multipart form (the caller puts the CSRF token in it).
    pub async fn multipart(&self, path: &str, form: reqwest::multipart::Form) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// A JSON API call with the session cookie and the CSRF header.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> reqwest::Response {
        let mut rb = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        rb.send().await.unwrap()
    }

    /// Registry intake: `files` as scanned pages, `extra` text fields.
    pub async fn intake(
        &self,
        doc_type: &str,
        files: &[(&str, Vec<u8>)],
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf", self.csrf.clone())
            .text("document_type", doc_type.to_owned());
        for (k, v) in extra {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        for (name, data) in files {
            form = form.part(
                "scan",
                reqwest::multipart::Part::bytes(data.clone()).file_name((*name).to_owned()),
            );
        }
        self.multipart("/desk/intake", form).await
    }

    /// Registers a paper dossier of `doc_type` (one scanned PDF); returns
    /// (dossier id, registration number, tracking token).
    pub async fn register(&self, doc_type: &str) -> (String, String, String) {
        let r = self
            .intake(doc_type, &[("cerere.pdf", sample_pdf())], &[])
            .await;
        assert_eq!(r.status(), 303, "intake of {doc_type}");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let id = location.split('/').nth(3).unwrap().to_owned();
        let receipt = self.html(&location).await;
        (id, regno_in(&receipt), token_in(&receipt))
    }

    /// The dossier page's HTML.
    pub async fn page(&self, id: &str) -> String {
        self.html(&format!("/desk/dossiers/{id}")).await
    }

    /// The route head of the dossier as its page shows it.
    pub async fn route_head(&self, id: &str) -> String {
        let html = self.page(id).await;
        let at = html
            .find("name=\"route_head\" value=\"")
            .expect("an action form")
            + 25;
        html[at..at + 64].to_owned()
    }

    /// Posts an action form on dossier `id` (the caller gives `route_head`).
    pub async fn act(&self, id: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.form(&format!("/desk/dossiers/{id}/actions"), fields)
            .await
    }

    /// Acts on the current version of the dossier.
    pub async fn act_now(&self, id: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let head = self.route_head(id).await;
        let mut all = fields.to_vec();
        all.push(("route_head", head.as_str()));
        self.act(id, &all).await
    }

    /// The inbox's HTML for `query`.
    pub async fn inbox(&self, query: &str) -> String {
        self.html(&format!("/desk?{query}")).await
    }

    /// The id of the first dossier listed in the inbox `query`.
    pub async fn first_in_inbox(&self, query: &str) -> String {
        let inbox = self.inbox(query).await;
        let at = inbox
            .find("/desk/dossiers/")
            .expect("a dossier in the inbox")
            + 15;
        inbox[at..at + 26].to_owned()
    }
}

// ---------------------------------------------------------------------------------------
// Signed PDFs: real documents to sign and the outside tools that judge them.

/// A real PDF (the cerere renderer's, one page) whose only field says `text`:
/// different texts give different documents.
pub fn real_pdf(text: &str) -> Vec<u8> {
    use chrono::TimeZone;
    let fields = [ghiseu_cerere::Field {
        label: "Conținut",
        value: text,
    }];
    ghiseu_cerere::render(&ghiseu_cerere::Cerere {
        lang: ghiseu_cerere::Lang::Ro,
        institution: "Consiliul Județean Alfa",
        document_type: "Răspuns",
        applicant: ghiseu_cerere::Applicant {
            name: "Instituția",
            ..ghiseu_cerere::Applicant::default()
        },
        fields: &fields,
        attachments: &[],
        submitted_at: chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap(),
        reference: None,
    })
    .expect("rendering a test PDF")
    .bytes
}

/// An installed command-line tool (poppler-utils, openssl), or a clear failure.
fn tool(name: &str, package: &str) -> std::process::Command {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{name}` is not installed: these tests need Debian `{package}` \
         (`cargo xtask test` installs it)"
    );
    std::process::Command::new(name)
}

/// Poppler's `pdfsig` report on `pdf` (stdout and stderr).
pub fn pdfsig(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdfsig", "poppler-utils")
        .arg(&path)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Poppler's `pdftotext` of every page of `pdf`.
pub fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdftotext", "poppler-utils")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `openssl cms -verify` of the last signature of `pdf` (its CMS, over its
/// byte ranges) against the CA certificate `ca_pem`: (verified, output).
pub fn openssl_cms_verify(pdf: &[u8], ca_pem: &str) -> (bool, String) {
    let (signed, cms) = split_signed(pdf);
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("content"), signed).unwrap();
    std::fs::write(p("sig.der"), cms).unwrap();
    std::fs::write(p("ca.pem"), ca_pem).unwrap();
    let out = tool("openssl", "openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(p("sig.der"))
        .arg("-content")
        .arg(p("content"))
        .arg("-CAfile")
        .arg(p("ca.pem"))
        .args(["-purpose", "any", "-out", "/dev/null"])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The bytes a PDF's last signature covers and its DER CMS (without the zero
/// padding), read from the last `/ByteRange` the way a validator does.
pub fn split_signed(pdf: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let key = b"/ByteRange [";
    let at = pdf
        .windows(key.len())
        .rposition(|w| w == key)
        .expect("a /ByteRange")
        + key.len();
    let end = at + pdf[at..].iter().position(|&b| b == b']').unwrap();
    let range: Vec<usize> = std::str::from_utf8(&pdf[at..end])
        .unwrap()
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let (a, b) = (range[1], range[2]);
    let mut signed = pdf[..a].to_vec();
    signed.extend_from_slice(&pdf[b..b + range[3]]);
    let bytes: Vec<u8> = pdf[a + 1..b - 1]
        .chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect();
    assert_eq!(bytes[0], 0x30, "a DER SEQUENCE");
    let len = if bytes[1] < 0x80 {
        2 + usize::from(bytes[1])
    } else {
        let n = usize::from(bytes[1] & 0x7f);
        2 + n
            + bytes[2..2 + n]
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b))
    };
    (signed, bytes[..len].to_vec())
}

// The sandbox's signing provider (CSC API v2) alone.

/// The bearer token of the CSC service-level authentication in the CSC tests.
pub const TEST_CSC_CLIENT_SECRET: &str = "test-csc-client-secret";

/// The HMAC key of asynchronous signing results in the CSC tests.
pub const TEST_CSC_CALLBACK_SECRET: &str = "test-csc-callback-secret";

/// The desk's and the portal's signing client variables (`csc_*`), pointing
/// at the sandbox's provider.
fn csc_client_variables() -> String {
    format!(
        "csc_url = \"http://sandbox.spin.internal/sandbox/csc/v2\"\n\
         csc_client_secret = \"{TEST_CSC_CLIENT_SECRET}\"\n\
         csc_callback_secret = \"{TEST_CSC_CALLBACK_SECRET}\"\n"
    )
}

/// The sandbox provider's variables.
fn csc_provider_variables(otp_ttl_seconds: &str, multisign: &str) -> String {
    format!(
        "csc_client_secret = \"{TEST_CSC_CLIENT_SECRET}\"\n\
         csc_callback_secret = \"{TEST_CSC_CALLBACK_SECRET}\"\n\
         csc_multisign = \"{multisign}\"\ncsc_otp_ttl_seconds = \"{otp_ttl_seconds}\"\n\
         sandbox_key_secret = \"test-sandbox-key-secret\"\n"
    )
}

/// The sandbox, alone on a "default" store, as the CSC tests configure it:
/// `otp_ttl_seconds` and `multisign` as given (written once per process and
/// configuration).
fn csc_manifest(otp_ttl_seconds: &str, multisign: u32) -> PathBuf {
    let dir = target_dir().join("desk-test");
    std::fs::create_dir_all(&dir).expect("creating target/desk-test");
    let path = dir.join(format!(
        "spin-csc-{}-{}-{multisign}.toml",
        std::process::id(),
        otp_ttl_seconds.replace('.', "_")
    ));
    let manifest = format!(
        "spin_manifest_version = 2\n[application]\nname = \"ghiseu-csc-test\"\n\
         version = \"0.0.0\"\n[variables]\ns3_endpoint = {{ required = true }}\n\
         s3_bucket = {{ default = \"ghiseu\" }}\ns3_region = {{ default = \"us-east-1\" }}\n\
         s3_access_key = {{ required = true }}\n\
         s3_secret_key = {{ required = true, secret = true }}\n\
         [[trigger.http]]\nroute = \"/sandbox/...\"\ncomponent = \"sandbox\"\n\
         [[trigger.http]]\nroute = \"/api/v1/sandbox/...\"\ncomponent = \"sandbox\"\n\
         [component.sandbox]\nsource = {sandbox:?}\nkey_value_stores = [\"default\"]\n\
         allowed_outbound_hosts = [\"http://sandbox.spin.internal\"]\n\
         [component.sandbox.variables]\nenabled = \"true\"\nnotify_secret = \"{TEST_NOTIFY_SECRET}\"\n\
         {provider}",
        sandbox = sandbox_wasm().display().to_string(),
        provider = csc_provider_variables(otp_ttl_seconds, &multisign.to_string()),
    );
    std::fs::write(&path, manifest).expect("writing the CSC test manifest");
    path
}

impl App {
    /// The sandbox's signing provider on SQLite, with OTPs living
    /// `otp_ttl_seconds` and `multisign` hashes per authorization.
    pub fn csc(otp_ttl_seconds: &str, multisign: u32) -> Self {
        Self {
            manifest: ManifestSource::File(csc_manifest(otp_ttl_seconds, multisign)),
            ..Self::probe(Backend::Sqlite)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(
            percent_encode("http://127.0.0.1:80/a?b=c"),
            "http%3A%2F%2F127.0.0.1%3A80%2Fa%3Fb%3Dc"
        );
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
