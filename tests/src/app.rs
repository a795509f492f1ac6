//! What to start ([`App`]), and `ghiseu s3` for apps under real Spin.

use super::*;

/// What to start: manifest, backend, variables, limits. Build it, then [`App::spawn`].
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) manifest: ManifestSource,
    pub(crate) backend: Backend,
    pub(crate) config_variables: Vec<(String, String)>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) memory_limit_mb: Option<u64>,
    pub(crate) request_timeout_ms: Option<u64>,
    pub(crate) max_body_bytes: Option<u64>,
    pub(crate) object_store: bool,
    pub(crate) engine: Option<Engine>,
    pub(crate) host_args: Vec<String>,
    pub(crate) wrapper: Vec<String>,
    pub(crate) port: Option<u16>,
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
            port: None,
        }
    }

    /// Listens on a port chosen now, and configures the platform's public
    /// address (`public_base_url`) as `http://127.0.0.1:{port}`, for a real
    /// browser that follows the absolute URLs the platform writes (another
    /// process may take the port in between: then the start fails loudly).
    pub fn public_at_own_address(mut self) -> Self {
        let port = crate::free_port();
        self.port = Some(port);
        self.config_variable("public_base_url", &format!("http://127.0.0.1:{port}"))
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

    pub(crate) fn runtime_config(&self, redis_url: Option<String>) -> String {
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
pub(crate) fn spin_runtime_config(data_dir: &Path, redis_url: Option<String>) -> String {
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
    pub(crate) async fn start(root: &Path) -> Self {
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
