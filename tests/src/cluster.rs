//! Many instances as one platform: N engine processes (the own host, or real
//! Spin for some of them) on one Redis with an append-only file and one
//! `ghiseu s3`, behind nginx from the distribution's packages. `cargo xtask
//! cluster` runs one for people; `tests/tests/cluster` tests one.
//!
//! As root with `ip netns` available, every instance runs in a network
//! namespace of its own, joined to the stores and the balancer by a veth pair
//! on a bridge, so that an instance can be cut off from the network (its link
//! set down) as well as killed. Elsewhere the instances listen on loopback
//! ports and only killing is possible ([`Cluster::can_cut`]).

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::process::{Child, Command};

pub use crate::Engine;
use crate::{
    RedisServer, S3Server, STARTUP_TIMEOUT, drain, free_port, host_binary, kill_group,
    workspace_root,
};

/// How to build a cluster.
#[derive(Debug, Clone)]
pub struct ClusterSpec {
    /// One engine per instance.
    pub instances: Vec<Engine>,
    /// Where the balancer listens (port 0: a free one).
    pub listen: SocketAddr,
    /// The cluster's files (stores, logs, nginx); a temporary directory when `None`.
    pub dir: Option<PathBuf>,
    /// `SPIN_VARIABLE_*` values every instance gets (beside the S3 ones).
    pub variables: Vec<(String, String)>,
    /// Try network namespaces (root only); loopback when they cannot be made.
    pub isolate: bool,
}

impl ClusterSpec {
    /// Three own-host instances, isolated when possible, balancer on a free port.
    pub fn three() -> Self {
        Self {
            instances: vec![Engine::Ghiseu; 3],
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            dir: None,
            variables: Vec::new(),
            isolate: true,
        }
    }

    /// The development values of `infra/runtime-config/local.toml`'s
    /// `[variables]` (the sandbox standing in for the gateways and the signing
    /// provider), for every one the environment does not set already.
    pub fn dev_variables(mut self) -> Self {
        const DEV: [(&str, &str); 7] = [
            ("sandbox_enabled", "true"),
            ("notify_secret", "local-dev-gateway-secret"),
            ("csc_client_secret", "local-dev-csc-client-secret"),
            ("csc_callback_secret", "local-dev-csc-callback-secret"),
            ("sandbox_key_secret", "local-dev-sandbox-key-secret"),
            ("tsa_url", "http://sandbox.spin.internal/sandbox/tsa"),
            ("payment_secret", "local-dev-payment-secret"),
        ];
        for (name, value) in DEV {
            let env = format!("SPIN_VARIABLE_{}", name.to_uppercase());
            if std::env::var_os(&env).is_none() {
                self = self.variable(name, value);
            }
        }
        self
    }

    /// Adds a `SPIN_VARIABLE_<NAME>` for every instance.
    pub fn variable(mut self, name: &str, value: &str) -> Self {
        self.variables.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// The namespaces and links of an isolated cluster; removed on drop.
struct Net {
    /// Bridge name; its address is the stores' address.
    bridge: String,
    gateway: Ipv4Addr,
    /// Per instance: (namespace, host-side veth, instance address).
    legs: Vec<(String, String, Ipv4Addr)>,
}

fn ip(args: &[&str]) -> anyhow::Result<()> {
    let out = std::process::Command::new("ip").args(args).output()?;
    anyhow::ensure!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}

impl Net {
    /// A bridge on 10.213.X.1/24 and one namespace per instance at 10.213.X.(10+i).
    fn create(instances: usize) -> anyhow::Result<Self> {
        let mut seed = [0u8; 2];
        getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("random bytes: {e}"))?;
        let x = seed[0];
        let tag = format!("{:03}", u16::from(x));
        let bridge = format!("gcb{tag}{:02x}", seed[1]);
        let gateway = Ipv4Addr::new(10, 213, x, 1);
        ip(&["link", "add", &bridge, "type", "bridge"])?;
        let mut net = Self {
            bridge: bridge.clone(),
            gateway,
            legs: Vec::new(),
        };
        ip(&["addr", "add", &format!("{gateway}/24"), "dev", &bridge])?;
        ip(&["link", "set", &bridge, "up"])?;
        for i in 0..instances {
            let ns = format!("{bridge}-n{i}");
            let host_side = format!("{bridge}h{i}");
            let inner = format!("{bridge}i{i}");
            let addr = Ipv4Addr::new(10, 213, x, 10 + i as u8);
            ip(&["netns", "add", &ns])?;
            net.legs.push((ns.clone(), host_side.clone(), addr));
            ip(&[
                "link", "add", &host_side, "type", "veth", "peer", "name", &inner,
            ])?;
            ip(&["link", "set", &inner, "netns", &ns])?;
            ip(&["link", "set", &host_side, "master", &bridge, "up"])?;
            ip(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("{addr}/24"),
                "dev",
                &inner,
            ])?;
            ip(&["-n", &ns, "link", "set", &inner, "up"])?;
            ip(&["-n", &ns, "link", "set", "lo", "up"])?;
        }
        Ok(net)
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        // The host side first: that removes the pair even while a process
        // (an instance being killed) still holds its namespace.
        for (ns, host_side, _) in &self.legs {
            let _ = ip(&["link", "del", host_side]);
            let _ = ip(&["netns", "del", ns]);
        }
        let _ = ip(&["link", "del", &self.bridge]);
    }
}

/// One instance of the platform.
struct Instance {
    engine: Engine,
    addr: SocketAddr,
    namespace: Option<String>,
    data: PathBuf,
    child: Option<Child>,
    log: Arc<Mutex<String>>,
}

/// A running cluster. Everything it started is stopped, and its namespaces
/// removed, when it is dropped.
pub struct Cluster {
    /// `http://ADDR:PORT` of the balancer.
    pub url: String,
    instances: Vec<Instance>,
    runtime_config: PathBuf,
    env: Vec<(String, String)>,
    nginx: Option<Child>,
    nginx_log: PathBuf,
    s3: S3Server,
    redis: RedisServer,
    net: Option<Net>,
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

/// The nginx binary: on PATH or in /usr/sbin.
fn nginx_binary() -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|d| d.join("nginx"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "nginx is not installed: `cargo xtask test` and `cargo xtask cluster` install \
                 it with apt-get, or run `apt-get install nginx`"
            )
        })
}

/// The balancer's whole configuration: the instances as `upstream ghiseu`,
/// the tracking cache's zone, and the reference server body
/// `infra/nginx/ghiseu-locations.conf`.
fn nginx_config(dir: &Path, listen: SocketAddr, upstreams: &[SocketAddr]) -> String {
    let servers: String = upstreams
        .iter()
        .map(|u| format!("        server {u} max_fails=1 fail_timeout=2s;\n"))
        .collect();
    let d = dir.display();
    format!(
        "# Generated by the cluster (tests/src/cluster.rs).\n\
         daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 8192; }}\n\
         http {{\n\
         \x20   access_log {d}/access.log;\n\
         \x20   keepalive_requests 100000;\n\
         \x20   client_body_temp_path {d}/tmp/body;\n\
         \x20   proxy_temp_path {d}/tmp/proxy;\n\
         \x20   fastcgi_temp_path {d}/tmp/fastcgi;\n\
         \x20   uwsgi_temp_path {d}/tmp/uwsgi;\n\
         \x20   scgi_temp_path {d}/tmp/scgi;\n\
         \x20   proxy_cache_path {d}/cache levels=1:2 keys_zone=tracking:10m max_size=256m inactive=10m use_temp_path=off;\n\
         \x20   upstream ghiseu {{\n{servers}        keepalive 64;\n    }}\n\
         \x20   server {{\n\
         \x20       listen {listen};\n\
         \x20       include {root}/infra/nginx/ghiseu-locations.conf;\n\
         \x20   }}\n\
         }}\n",
        root = workspace_root().display(),
    )
}

impl Cluster {
    /// Starts the stores, the instances and the balancer; returns once the
    /// balancer and every instance answer `/healthz`.
    pub async fn start(spec: ClusterSpec) -> anyhow::Result<Self> {
        let (dir, tmp) = match &spec.dir {
            Some(d) => (d.clone(), None),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("ghiseu-cluster-")
                    .tempdir()?;
                (t.path().to_owned(), Some(t))
            }
        };
        std::fs::create_dir_all(&dir)?;
        let net = if spec.isolate && is_root() {
            match Net::create(spec.instances.len()) {
                Ok(net) => Some(net),
                Err(e) => {
                    eprintln!("cluster: no network namespaces ({e:#}); instances on loopback");
                    None
                }
            }
        } else {
            None
        };
        let gateway = net
            .as_ref()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |n| IpAddr::V4(n.gateway));
        let extra: Vec<IpAddr> = net.iter().map(|n| IpAddr::V4(n.gateway)).collect();
        let redis = RedisServer::start_on(&dir, &extra, true).await;
        let s3 = S3Server::start_on(&dir.join("objects"), gateway).await;
        let redis_url = format!("redis://{gateway}:{}", redis.port());
        let runtime_config = dir.join("runtime-config.toml");
        std::fs::write(
            &runtime_config,
            format!(
                "# The cluster's stores: one Redis for every instance (Spin's format).\n\
                 [key_value_store.default]\ntype = \"redis\"\nurl = {redis_url:?}\n\n\
                 [key_value_store.ephemeral]\ntype = \"redis\"\nurl = {redis_url:?}\n"
            ),
        )?;
        let mut env = vec![
            ("SPIN_VARIABLE_S3_ENDPOINT".to_owned(), s3.endpoint.clone()),
            (
                "SPIN_VARIABLE_S3_ACCESS_KEY".to_owned(),
                s3.access_key.clone(),
            ),
            (
                "SPIN_VARIABLE_S3_SECRET_KEY".to_owned(),
                s3.secret_key.clone(),
            ),
        ];
        // nginx reaches the instances from the bridge (or loopback): trust its
        // X-Forwarded-For, so limits count per client, not per balancer.
        env.push((
            "SPIN_VARIABLE_TRUSTED_PROXIES".to_owned(),
            format!("127.0.0.1,{gateway}"),
        ));
        env.extend(spec.variables.iter().map(|(name, value)| {
            (
                format!("SPIN_VARIABLE_{}", name.to_uppercase()),
                value.clone(),
            )
        }));
        let instances = spec
            .instances
            .iter()
            .enumerate()
            .map(|(i, engine)| {
                let (namespace, addr) = match &net {
                    Some(n) => (
                        Some(n.legs[i].0.clone()),
                        SocketAddr::from((n.legs[i].2, 3000)),
                    ),
                    None => (None, SocketAddr::from(([127, 0, 0, 1], free_port()))),
                };
                Instance {
                    engine: engine.clone(),
                    addr,
                    namespace,
                    data: dir.join(format!("instance-{i}")),
                    child: None,
                    log: Arc::new(Mutex::new(String::new())),
                }
            })
            .collect();
        let mut cluster = Self {
            url: String::new(),
            instances,
            runtime_config,
            env,
            nginx: None,
            nginx_log: dir.join("nginx/error.log"),
            s3,
            redis,
            net,
            dir,
            _tmp: tmp,
        };
        for i in 0..cluster.instances.len() {
            cluster.start_instance(i).await?;
        }
        cluster.start_balancer(spec.listen).await?;
        Ok(cluster)
    }

    /// Whether instances can be cut off from the network ([`Cluster::cut`]).
    pub fn can_cut(&self) -> bool {
        self.net.is_some()
    }

    /// How many instances there are.
    pub fn len(&self) -> usize {
        self.instances.len()
    }

    /// Never: a cluster has at least one instance.
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }

    /// `http://ADDR:PORT` of instance `i`, bypassing the balancer.
    pub fn instance_url(&self, i: usize) -> String {
        format!("http://{}", self.instances[i].addr)
    }

    /// The upstream address of instance `i` as the balancer names it.
    pub fn instance_addr(&self, i: usize) -> SocketAddr {
        self.instances[i].addr
    }

    /// What runs instance `i`.
    pub fn engine(&self, i: usize) -> &Engine {
        &self.instances[i].engine
    }

    /// The cluster's directory (stores, logs, nginx).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What instance `i` printed so far (all its runs).
    pub fn instance_log(&self, i: usize) -> String {
        self.instances[i]
            .log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    /// Every instance's output and the balancer's error log.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for (i, inst) in self.instances.iter().enumerate() {
            let log = inst.log.lock().map(|l| l.clone()).unwrap_or_default();
            let _ = writeln!(out, "---- instance {i} ({:?}) ----\n{log}", inst.engine);
            if let Ok(entries) = std::fs::read_dir(inst.data.join("spin-logs")) {
                for entry in entries.flatten() {
                    if let Ok(text) = std::fs::read_to_string(entry.path()) {
                        let _ = writeln!(out, "-- {} --\n{text}", entry.file_name().display());
                    }
                }
            }
        }
        let nginx = std::fs::read_to_string(&self.nginx_log).unwrap_or_default();
        let _ = writeln!(out, "---- nginx error.log ----\n{nginx}");
        out
    }

    fn instance_command(&self, i: usize) -> Command {
        let inst = &self.instances[i];
        let mut cmd = match &inst.namespace {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]);
                c
            }
            None => Command::new("env"),
        };
        match &inst.engine {
            Engine::Ghiseu => {
                cmd.arg(host_binary())
                    .args(["up", "--manifest", "spin.toml", "--runtime-config"])
                    .arg(&self.runtime_config)
                    .args(["--listen", &inst.addr.to_string()])
                    .arg("--data")
                    .arg(&inst.data);
            }
            Engine::Spin(bin) => {
                cmd.arg(bin)
                    .args(["up", "--from", "spin.toml", "--runtime-config-file"])
                    .arg(&self.runtime_config)
                    .args(["--listen", &inst.addr.to_string()])
                    .arg("--state-dir")
                    .arg(inst.data.join("spin-state"))
                    .arg("--log-dir")
                    .arg(inst.data.join("spin-logs"));
            }
        }
        cmd.current_dir(workspace_root())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        cmd
    }

    async fn start_instance(&mut self, i: usize) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.instances[i].data)?;
        let mut child = self.instance_command(i).spawn()?;
        let log = self.instances[i].log.clone();
        drain(child.stderr.take().expect("piped"), log.clone(), None);
        let (tx, listening) = tokio::sync::oneshot::channel();
        drain(child.stdout.take().expect("piped"), log, Some(tx));
        self.instances[i].child = Some(child);
        match tokio::time::timeout(STARTUP_TIMEOUT, listening).await {
            Ok(Ok(_)) => {}
            _ => anyhow::bail!("instance {i} did not start:\n{}", self.logs()),
        }
        let url = format!("{}/healthz", self.instance_url(i));
        wait_healthy(&url)
            .await
            .map_err(|e| anyhow::anyhow!("instance {i}: {e}\n{}", self.logs()))
    }

    async fn start_balancer(&mut self, listen: SocketAddr) -> anyhow::Result<()> {
        let nginx = nginx_binary()?;
        let dir = self.dir.join("nginx");
        for sub in [
            "tmp/body",
            "tmp/proxy",
            "tmp/fastcgi",
            "tmp/uwsgi",
            "tmp/scgi",
            "cache",
        ] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        let upstreams: Vec<SocketAddr> = self.instances.iter().map(|i| i.addr).collect();
        for _ in 0..5 {
            let at = if listen.port() == 0 {
                SocketAddr::new(listen.ip(), free_port())
            } else {
                listen
            };
            let conf = dir.join("nginx.conf");
            std::fs::write(&conf, nginx_config(&dir, at, &upstreams))?;
            let mut child = Command::new(&nginx)
                // Its own group: killing the master alone leaves the workers.
                .process_group(0)
                .arg("-p")
                .arg(&dir)
                .arg("-c")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()?;
            let url = format!("http://{at}");
            if wait_healthy(&format!("{url}/healthz")).await.is_ok() {
                drain(
                    child.stderr.take().expect("piped"),
                    Arc::new(Mutex::new(String::new())),
                    None,
                );
                self.url = url;
                self.nginx = Some(child);
                return Ok(());
            }
            kill_group(&child);
            let _ = child.kill().await;
            if listen.port() != 0 {
                break;
            }
        }
        anyhow::bail!("nginx did not start:\n{}", self.logs())
    }

    /// Kills instance `i` with SIGKILL (its whole process group).
    pub async fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.instances[i].child.take() {
            kill_group(&child);
            let _ = child.kill().await;
        }
    }

    /// Starts instance `i` again on the same stores and address.
    pub async fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        self.kill(i).await;
        self.start_instance(i).await
    }

    /// Cuts instance `i` off the network: its link goes down, so nothing
    /// reaches it and it reaches nothing (the stores included).
    pub fn cut(&self, i: usize) -> anyhow::Result<()> {
        let net = self
            .net
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("not isolated"))?;
        ip(&["link", "set", &net.legs[i].1, "down"])
    }

    /// Joins instance `i` to the network again.
    pub fn reconnect(&self, i: usize) -> anyhow::Result<()> {
        let net = self
            .net
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("not isolated"))?;
        ip(&["link", "set", &net.legs[i].1, "up"])
    }

    /// The Redis server's port (on loopback and on the bridge).
    pub fn redis_port(&self) -> u16 {
        self.redis.port()
    }

    /// The object store (for checks).
    pub fn s3(&self) -> &S3Server {
        &self.s3
    }

    /// Stops everything (as dropping does) and waits for the processes.
    pub async fn stop(mut self) {
        for i in 0..self.instances.len() {
            self.kill(i).await;
        }
        if let Some(mut nginx) = self.nginx.take() {
            kill_group(&nginx);
            let _ = nginx.kill().await;
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let logs = self.logs();
        crate::keep_log(&logs);
        if std::thread::panicking() {
            eprintln!("{logs}");
        }
        for inst in &mut self.instances {
            if let Some(child) = inst.child.as_mut() {
                kill_group(child);
                let _ = child.start_kill();
            }
        }
        if let Some(nginx) = self.nginx.as_mut() {
            kill_group(nginx);
            let _ = nginx.start_kill();
        }
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Polls `url` until it answers 200 (60 s at most).
async fn wait_healthy(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let mut last = String::new();
    for _ in 0..300 {
        match client.get(url).send().await {
            Ok(r) if r.status() == 200 => return Ok(()),
            Ok(r) => last = format!("{}", r.status()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("{url} never answered 200 (last: {last})")
}
