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

mod app;
pub mod cluster;
mod csc;
mod desk;
pub mod echo;
mod manifest;
mod pdf;
mod redis;
pub use app::*;
pub use csc::*;
pub use desk::*;
pub use manifest::*;
pub use pdf::*;
pub use redis::*;

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
            .args([
                "--listen",
                &format!("127.0.0.1:{}", spec.port.unwrap_or_else(free_port)),
            ])
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
            .args(["--listen", &format!("127.0.0.1:{}", spec.port.unwrap_or(0))])
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

/// The text a reader sees on `html`: the tags (and their attribute values)
/// removed, each replaced by a space; entities left as they are.
pub fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
