//! Real Spin beside the own host, on the same production `spin.toml`, as the
//! integration tests run it (`tests/src/lib.rs`, `GHISEU_TEST_ENGINE=spin`):
//! `spin up --from spin.toml --runtime-config-file F --listen 127.0.0.1:PORT
//! --find-free-port --state-dir D --log-dir L`, variables as
//! `SPIN_VARIABLE_<NAME>`, and the object store of `ghiseu s3` (the host
//! binary's object-store-only mode), since Spin has none of its own.
//!
//! `spin up` runs the application in a child process (`spin trigger http`);
//! both are measured and both are killed when the bench is done with them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result};
use tokio::process::{Child, Command};

/// The Spin binary: `SPIN_BIN` if set, else `spin` on `PATH`; or why there is none.
pub fn binary() -> std::result::Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("SPIN_BIN").filter(|b| !b.is_empty()) {
        let bin = PathBuf::from(bin);
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(format!("SPIN_BIN={} is not a file", bin.display()))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("spin"))
        .find(|p| p.is_file())
        .ok_or_else(|| "no Spin binary: SPIN_BIN is not set and there is no `spin` on PATH".into())
}

/// `spin --version`'s first line, for the output.
pub async fn version(bin: &Path) -> String {
    match Command::new(bin).arg("--version").output().await {
        Ok(out) => String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("spin (version unknown)")
            .trim()
            .to_owned(),
        Err(e) => format!("spin (--version failed: {e})"),
    }
}

/// Running Spin and its object store. Killed, with `spin up`'s children, when dropped.
pub struct Spin {
    pub addr: SocketAddr,
    /// `spin up` and its descendants (the engine, `spin trigger http`).
    pub pids: Vec<u32>,
    /// `ghiseu s3`.
    pub s3_pid: Vec<u32>,
    child: Child,
    _s3: Child,
    _dir: tempfile::TempDir,
}

impl Spin {
    /// Starts `ghiseu s3` and `spin up` on `manifest` with the variables `env`
    /// (`SPIN_VARIABLE_...`), stores in a fresh temporary directory.
    pub async fn start(
        bin: &Path,
        host_bin: &Path,
        manifest: &Path,
        env: &[(&str, &str)],
    ) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("ghiseu-bench-spin-")
            .tempdir()?;
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data)?;
        let (access_key, secret_key) = (
            format!("BENCH{}", &crate::random_hex()?[..12]).to_uppercase(),
            crate::random_hex()?,
        );
        let mut s3 = Command::new(host_bin)
            .arg("s3")
            .args(["--listen", "127.0.0.1:0"])
            .arg("--data")
            .arg(data.join("objects"))
            .env("GHISEU_S3_ACCESS_KEY", &access_key)
            .env("GHISEU_S3_SECRET_KEY", &secret_key)
            .env(
                "GHISEU_LOG",
                std::env::var("GHISEU_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting `ghiseu s3`")?;
        let s3_addr =
            crate::listening_address(&mut s3, "ghiseu s3 listening on ", "ghiseu s3", 30).await?;
        let s3_pid = s3.id().into_iter().collect();

        // Spin's own format: the stores only. "ephemeral" in memory, as the
        // host keeps it (and as the native baseline keeps its counters).
        let runtime_config = dir.path().join("runtime-config.toml");
        std::fs::write(
            &runtime_config,
            format!(
                "[key_value_store.default]\ntype = \"spin\"\npath = {:?}\n\n\
                 [key_value_store.ephemeral]\ntype = \"spin\"\n",
                data.join("kv.db").display().to_string()
            ),
        )?;
        let endpoint = format!("http://{s3_addr}");
        let mut last_error = None;
        // Spin may fail to start on a busy machine while it prepares the
        // modules; one more attempt is a fresh process.
        for _ in 0..2 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            let mut child = Command::new(bin)
                .arg("up")
                .arg("--from")
                .arg(manifest)
                .arg("--runtime-config-file")
                .arg(&runtime_config)
                .args(["--listen", &format!("127.0.0.1:{port}")])
                .arg("--find-free-port")
                .arg("--state-dir")
                .arg(data.join("spin-state"))
                .arg("--log-dir")
                .arg(data.join("spin-logs"))
                .current_dir(manifest.parent().unwrap_or(Path::new(".")))
                .envs(env.iter().copied())
                .env("SPIN_VARIABLE_S3_ENDPOINT", &endpoint)
                .env("SPIN_VARIABLE_S3_ACCESS_KEY", &access_key)
                .env("SPIN_VARIABLE_S3_SECRET_KEY", &secret_key)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .kill_on_drop(true)
                .spawn()
                .with_context(|| format!("starting {}", bin.display()))?;
            match crate::listening_address(&mut child, "Serving ", "Spin", 300).await {
                Ok(addr) => {
                    let mut pids: Vec<u32> = child.id().into_iter().collect();
                    if let Some(&up) = pids.first() {
                        pids.extend(crate::memory::descendants(up));
                    }
                    return Ok(Self {
                        addr,
                        pids,
                        s3_pid,
                        child,
                        _s3: s3,
                        _dir: dir,
                    });
                }
                Err(e) => {
                    kill_tree(&mut child, &[]);
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.expect("an attempt failed"))
    }
}

impl Drop for Spin {
    fn drop(&mut self) {
        // The first is `spin up` itself, which `kill_tree` kills as `child`.
        kill_tree(&mut self.child, self.pids.get(1..).unwrap_or_default());
    }
}

/// Kills `child`'s descendants (those alive now and `known`), then `child`:
/// killing `spin up` alone leaves its `spin trigger http` running.
fn kill_tree(child: &mut Child, known: &[u32]) {
    let mut pids: Vec<u32> = known.to_vec();
    if let Some(pid) = child.id() {
        pids.extend(crate::memory::descendants(pid));
        pids.retain(|&p| p != pid);
    }
    pids.sort_unstable();
    pids.dedup();
    if !pids.is_empty() {
        let _ = std::process::Command::new("kill")
            .arg("-KILL")
            .args(pids.iter().map(u32::to_string))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.start_kill();
}
