//! A `redis-server` of one test or one cluster.

use super::*;

/// A `redis-server` of one test: loopback, a free port, no persistence, its own dir.
pub struct RedisServer {
    port: u16,
    child: std::process::Child,
}

impl RedisServer {
    pub(crate) async fn start(dir: &Path) -> Self {
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
