//! `cargo xtask bench`: a key-value read on the ghiseu host against a native hyper
//! server doing the same work, in one run, on loopback.
//!
//! The host runs the test probe (`GET /probe/kv/{key}` reads the key from the SQLite
//! store and returns its bytes). The native baseline, a process of its own like the host
//! (this binary started again with a hidden argument), opens the very same SQLite file
//! with the host's own key-value code (`ghiseu_host::kv`) and answers the same path with
//! the same bytes, so the difference is the cost of the WebAssembly sandbox and its
//! plumbing. The load generator is this process, the same for both sides.
//! Every request's latency is recorded; the table shows requests/s, p50, p99 and the
//! host/native throughput ratio. The two sides are measured in alternating rounds, so
//! a noisy spell of the machine lands on both. Nothing is asserted: timings are for
//! people, not tests. `--only kv|tracking|intake|signing` runs one part.
//!
//! A second part measures the public tracking lookups (see `tracking.rs`) and
//! a third the desk's registry intake of a 1 MB scan (see `intake.rs`), both
//! on the production `spin.toml`, on the host and, when there is a Spin binary
//! (`SPIN_BIN`, else `spin` on `PATH`), on real Spin in the same run (see
//! `spin.rs`), with the engines' resident memory (see `memory.rs`); a fourth
//! the signer's bulk signing on the sandbox provider (see `signing.rs`).

mod cache;
mod intake;
mod load;
mod memory;
mod production;
mod signing;
mod spin;
mod table;
mod tracking;

use load::*;
use production::*;
use table::*;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

const PATH: &str = "/probe/kv/bench-key";
/// The probe's request that does nothing: the host's cost per request before
/// any work (the floor under every other row).
const EMPTY_PATH: &str = "/probe/empty";
/// What both sides answer to [`EMPTY_PATH`].
const EMPTY_BODY: &[u8] = b"ok\n";
const CONNECTIONS: [usize; 3] = [1, 16, 64];
/// The tracking target of DESIGN §8 is stated at 64 connections (and the
/// empty request, the floor under it, is measured there).
const TRACKING_CONNECTIONS: usize = 64;
/// The scenario name of the [`EMPTY_PATH`] row.
const EMPTY_ROW: &str = "empty request";

struct Options {
    warmup: Duration,
    duration: Duration,
    /// The parts to run (`kv`, `tracking`, `intake`, `signing`, `cache`); all when empty.
    only: Vec<String>,
}

impl Options {
    fn runs(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == part)
    }
}

const PARTS: [&str; 5] = ["kv", "tracking", "intake", "signing", "cache"];

fn options() -> Result<Options> {
    let mut opts = Options {
        warmup: Duration::from_secs(1),
        duration: Duration::from_secs(5),
        only: Vec::new(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut secs = |name: &str| -> Result<Duration> {
            let v = it.next().with_context(|| format!("{name} needs seconds"))?;
            Ok(Duration::from_secs_f64(v.parse().with_context(|| {
                format!("{name}: `{v}` is not a number of seconds")
            })?))
        };
        match arg.as_str() {
            "--warmup" => opts.warmup = secs("--warmup")?,
            "--duration" => opts.duration = secs("--duration")?,
            "--only" => {
                let part = it.next().context("--only needs a part")?;
                if !PARTS.contains(&part.as_str()) {
                    bail!(
                        "--only: `{part}` is not a part (known: {})",
                        PARTS.join(", ")
                    );
                }
                opts.only.push(part.clone());
            }
            other => bail!(
                "unknown option `{other}` (known: --warmup SECS, --duration SECS, --only PART)"
            ),
        }
    }
    Ok(opts)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let [first, kind, db] = args.as_slice()
        && first == NATIVE
    {
        return runtime.block_on(serve_native(kind, Path::new(db)));
    }
    let opts = options()?;
    runtime.block_on(run(opts))
}

/// The hidden first argument that makes this binary a native baseline server.
const NATIVE: &str = "native-baseline";

/// The native baseline as a process of its own, as the host is one: an
/// in-process server would share the load generator's runtime and skip the
/// cross-process wake-ups the host pays for, which is not the sandbox's cost.
async fn serve_native(kind: &str, db: &Path) -> Result<()> {
    let addr = match kind {
        "kv" => start_native(db).await?,
        "tracking" => tracking::start_native(db).await?,
        other => bail!("unknown native baseline `{other}`"),
    };
    println!("native listening on {addr}");
    std::future::pending::<()>().await;
    Ok(())
}

/// Starts this binary as the native baseline `kind` over the SQLite file `db`.
async fn spawn_native(kind: &str, db: &Path) -> Result<(Child, SocketAddr)> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg(NATIVE)
        .arg(kind)
        .arg(db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("starting the native baseline")?;
    let addr = listening_address(
        &mut child,
        "native listening on ",
        "the native baseline",
        30,
    )
    .await?;
    Ok((child, addr))
}

async fn run(opts: Options) -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    };
    let host_bin = target.join("release/ghiseu");
    let probe = target.join("wasm32-wasip2/release/ghiseu_probe.wasm");
    for path in [&host_bin, &probe] {
        if !path.is_file() {
            bail!(
                "{} is missing: run `cargo xtask bench` (it builds everything first)",
                path.display()
            );
        }
    }

    let mut rows = Vec::new();
    if opts.runs("kv") {
        rows.extend(kv_rows(&host_bin, &probe, &opts).await?);
    }
    let spin_bin = spin::binary();
    let production = if opts.runs("tracking") || opts.runs("intake") {
        println!(
            "\nstarting the host with the production spin.toml for the tracking lookups \
             and the intake ..."
        );
        if let Err(why) = &spin_bin {
            println!("Spin rows skipped: {why}");
        }
        Some(production_rows(&root, &host_bin, &spin_bin, &opts).await?)
    } else {
        None
    };
    if let Some(p) = &production {
        rows.extend(p.rows.iter().cloned());
    }
    let signing = if opts.runs("signing") {
        println!("\nstarting the host with the production spin.toml for bulk signing ...");
        Some(signing::rows(&root, &host_bin).await?)
    } else {
        None
    };
    let cache = if opts.runs("cache") {
        println!("\nstarting one instance behind nginx for the QR-scan burst ...");
        Some(cache::rows(&root, &opts).await?)
    } else {
        None
    };
    println!();
    if !rows.is_empty() {
        print_table(&rows);
        print_bound(&rows);
        print_stalls(&rows);
    }
    if let Some(p) = &production {
        match &spin_bin {
            Ok(_) => println!("\n{}", p.spin_version),
            Err(why) => println!("\nSpin rows skipped: {why}"),
        }
        for note in &p.notes {
            println!("{note}");
        }
        print_memory(&p.memory);
    }
    if let Some(cache) = cache {
        println!(
            "\na QR-scan burst on one dossier, straight to one instance and through nginx with \
             infra/nginx's tracking cache (public, s-maxage=10, revalidated by ETag), same run\n"
        );
        cache::print_table(&cache);
    }
    if let Some(signing) = signing {
        println!(
            "\nbulk signing on the sandbox provider, one batch per size (select = \
             POST /desk/sign/batches, sign = POST /desk/sign/batches/{{id}} with the code)\n"
        );
        signing::print_table(&signing);
    }
    Ok(())
}

/// The key-value part: the test probe's `GET /probe/kv/{key}` on the host against
/// the native baseline, at 1, 16 and 64 connections.
async fn kv_rows(host_bin: &Path, probe: &Path, opts: &Options) -> Result<Vec<Row>> {
    let dir = tempfile::Builder::new().prefix("ghiseu-bench-").tempdir()?;
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data)?;
    let manifest = dir.path().join("spin.toml");
    std::fs::write(&manifest, probe_manifest(probe))?;
    let runtime_config = dir.path().join("runtime-config.toml");
    std::fs::write(
        &runtime_config,
        "[key_value_store.default]\ntype = \"spin\"\npath = \"kv.db\"\n\n\
         [object_store]\ntype = \"embedded\"\n",
    )?;

    println!("starting the host ...");
    let started = Instant::now();
    let (mut child, host_addr) =
        start_host(host_bin, &manifest, &runtime_config, &data, &[], &[]).await?;
    println!(
        "host listening on http://{host_addr} after {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let result = async {
        let value = seed_value();
        let status = put(host_addr, PATH, value.clone()).await?;
        if !status.is_success() {
            bail!("seeding {PATH} through the host answered {status}");
        }
        let (native, native_addr) = spawn_native("kv", &data.join("kv.db")).await?;
        let native_pids: Vec<u32> = native.id().into_iter().collect();
        let host_pids: Vec<u32> = child.id().into_iter().collect();

        // Both sides must serve identical bytes, or the comparison means nothing.
        for (name, addr) in [("host", host_addr), ("native", native_addr)] {
            let body = get_once(addr, PATH).await?;
            if body != value {
                bail!(
                    "{name} answered {} bytes, expected the seeded value",
                    body.len()
                );
            }
            if get_once(addr, EMPTY_PATH).await? != EMPTY_BODY {
                bail!("{name} does not answer {EMPTY_PATH} as expected");
            }
        }

        println!(
            "GET {PATH} ({} byte value), {:.1} s measured per side and row in {ROUNDS} \
             alternating rounds (each after {:.1} s of warm-up), loopback\n",
            value.len(),
            opts.duration.as_secs_f64(),
            opts.warmup.as_secs_f64()
        );
        let mut rows = Vec::new();
        for (scenario, path, conns) in
            std::iter::once((EMPTY_ROW, EMPTY_PATH, TRACKING_CONNECTIONS))
                .chain(CONNECTIONS.map(|c| ("kv read", PATH, c)))
        {
            let sides = [
                Side::new(native_addr, path, &native_pids),
                Side::new(host_addr, path, &host_pids),
            ];
            let [native, host]: [Stats; 2] = compare(&sides, conns, opts)
                .await?
                .try_into()
                .map_err(|_| anyhow::anyhow!("two sides, two measurements"))?;
            rows.push(Row {
                scenario,
                conns,
                native: Some(native),
                host,
                spin: None,
            });
        }
        Ok(rows)
    }
    .await;
    let _ = child.kill().await;
    result
}

/// The scenario name of the intake rows.
const INTAKE_ROW: &str = "desk intake 1 MB";

/// POSTs a JSON body with a bearer token and returns the JSON answer.
async fn post_json(
    addr: SocketAddr,
    path: &str,
    bearer: &str,
    body: Vec<u8>,
) -> Result<serde_json::Value> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let req = Request::post(path)
        .header("host", addr.to_string())
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {bearer}"))
        .body(Full::new(Bytes::from(body)))?;
    let response = sender.send_request(req).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!(
            "POST {path} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(serde_json::from_slice(&body)?)
}

/// A fresh data directory and the runtime config the production manifest
/// needs: the SQLite `default` store, the `ephemeral` one, the embedded object
/// store. Removed when dropped.
struct ProductionDirs {
    _dir: tempfile::TempDir,
    data: PathBuf,
    runtime_config: PathBuf,
}

impl ProductionDirs {
    fn new(prefix: &str) -> Result<Self> {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data)?;
        let runtime_config = dir.path().join("runtime-config.toml");
        std::fs::write(
            &runtime_config,
            "[key_value_store.default]\ntype = \"spin\"\npath = \"kv.db\"\n\n\
             [key_value_store.ephemeral]\ntype = \"spin\"\n\n\
             [object_store]\ntype = \"embedded\"\n",
        )?;
        Ok(Self {
            _dir: dir,
            data,
            runtime_config,
        })
    }
}

/// 32 random hex digits, for the secrets a run gives the host.
fn random_hex() -> Result<String> {
    let mut secret = [0u8; 16];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("random: {e}"))?;
    Ok(secret.iter().map(|b| format!("{b:02x}")).collect())
}

/// The probe at `/probe/...`, like the integration tests' manifest.
fn probe_manifest(probe: &Path) -> String {
    let vars = [
        "s3_endpoint",
        "s3_bucket",
        "s3_region",
        "s3_access_key",
        "s3_secret_key",
    ]
    .map(|v| format!("{v} = \"{{{{ {v} }}}}\"\n"))
    .concat();
    format!(
        "spin_manifest_version = 2\n\n[application]\nname = \"ghiseu-bench\"\n\n\
         [variables]\ns3_endpoint = {{ required = true }}\ns3_bucket = {{ default = \"ghiseu\" }}\n\
         s3_region = {{ default = \"us-east-1\" }}\ns3_access_key = {{ required = true }}\n\
         s3_secret_key = {{ required = true, secret = true }}\n\n\
         [[trigger.http]]\nroute = \"/probe/...\"\ncomponent = \"probe\"\n\n\
         [component.probe]\nsource = {source:?}\nkey_value_stores = [\"default\"]\n\
         allowed_outbound_hosts = [\"{{{{ s3_endpoint }}}}\"]\n[component.probe.variables]\n{vars}",
        source = probe.display().to_string(),
    )
}

/// About 200 bytes, shaped like a tracking record.
fn seed_value() -> Vec<u8> {
    let mut v = br#"{"registration_number":"CJC-2026-000123","status":"in_progress","department":"Urbanism","official":"I. Popescu","registered_at":"2026-03-02T09:15:00Z","days_in_institution":12,"route_head":"9f2c"}"#.to_vec();
    v.resize(200, b' ');
    v
}

async fn start_host(
    bin: &Path,
    manifest: &Path,
    runtime_config: &Path,
    data: &Path,
    env: &[(&str, &str)],
    extra_args: &[&str],
) -> Result<(Child, SocketAddr)> {
    let mut child = Command::new(bin)
        .envs(env.iter().copied())
        .arg("up")
        .args(extra_args)
        .arg("--manifest")
        .arg(manifest)
        .arg("--runtime-config")
        .arg(runtime_config)
        .args(["--listen", "127.0.0.1:0"])
        .arg("--data")
        .arg(data)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        // The host's per-request logs would drown the table; warnings still show.
        .env(
            "GHISEU_LOG",
            std::env::var("GHISEU_LOG").unwrap_or_else(|_| "warn".to_owned()),
        )
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let addr = listening_address(&mut child, "ghiseu listening on ", "the host", 120).await?;
    Ok((child, addr))
}

/// Reads `child`'s stdout until the line `{prefix}{address}` (an `http://`
/// URL or a bare address), within `secs` seconds; then keeps draining it so
/// the child never blocks on a full pipe.
async fn listening_address(
    child: &mut Child,
    prefix: &'static str,
    what: &'static str,
    secs: u64,
) -> Result<SocketAddr> {
    let mut lines = BufReader::new(child.stdout.take().context("stdout is not piped")?).lines();
    let addr = tokio::time::timeout(Duration::from_secs(secs), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(url) = line.trim().strip_prefix(prefix) {
                let addr = url
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("http://")
                    .trim_end_matches('/');
                return addr
                    .parse::<SocketAddr>()
                    .with_context(|| format!("{what}: bad listening address {url}"));
            }
        }
        bail!("{what} exited before listening")
    })
    .await
    .with_context(|| format!("{what} did not start within {secs} s"))??;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(addr)
}

/// The native baseline: hyper answering `GET /probe/kv/{key}` from the same SQLite file,
/// through the host's own key-value code.
async fn start_native(db: &Path) -> Result<SocketAddr> {
    let store = ghiseu_host::kv::open_sqlite(db, "default")
        .with_context(|| format!("opening {}", db.display()))?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let store = store.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let store = store.clone();
                    async move {
                        if req.uri().path() == EMPTY_PATH {
                            return Ok(Response::new(Full::new(Bytes::from_static(EMPTY_BODY))));
                        }
                        let key = req
                            .uri()
                            .path()
                            .strip_prefix("/probe/kv/")
                            .map(str::to_owned);
                        let found = match key {
                            Some(key) => store.get(&key).await.ok().flatten(),
                            None => None,
                        };
                        let response = match found {
                            Some(bytes) => Response::new(Full::new(Bytes::from(bytes))),
                            None => {
                                let mut r = Response::new(Full::new(Bytes::new()));
                                *r.status_mut() = StatusCode::NOT_FOUND;
                                r
                            }
                        };
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}
