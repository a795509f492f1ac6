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
mod memory;
mod signing;
mod spin;
mod tracking;

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

/// What the production part measured: its rows, the engines' memory, and
/// what is worth saying about Spin.
struct Production {
    rows: Vec<Row>,
    memory: Vec<MemoryRow>,
    notes: Vec<String>,
    spin_version: String,
}

/// The resident memory of one process (or set of processes), in kB.
struct MemoryRow {
    what: &'static str,
    /// After seeding, before any load.
    idle: Option<u64>,
    /// The most sampled during the measured tracking lookups.
    tracking: Option<u64>,
    /// The most sampled during the measured intakes.
    intake: Option<u64>,
    /// VmHWM at the end: the most ever resident (startup included), or the
    /// most sampled if more (the kernel updates VmHWM lazily).
    peak: Option<u64>,
}

impl MemoryRow {
    fn new(
        what: &'static str,
        idle: Option<u64>,
        tracking: Option<u64>,
        intake: Option<u64>,
        hwm: Option<u64>,
    ) -> Self {
        Self {
            what,
            idle,
            tracking,
            intake,
            peak: [idle, tracking, intake, hwm].into_iter().flatten().max(),
        }
    }
}

const SEED_PATH: &str = "/api/v1/platform/seed";

/// The tracking and intake parts: the production manifest on the host and, if
/// there is a Spin binary, on Spin, both seeded through the platform API with
/// the demo seed; then the JSON and HTML lookups of one demo dossier at 1, 16
/// and 64 connections against the native baseline, and the desk's intake of a
/// 1 MB scan on both engines.
async fn production_rows(
    root: &Path,
    host_bin: &Path,
    spin_bin: &std::result::Result<PathBuf, String>,
    opts: &Options,
) -> Result<Production> {
    let dirs = ProductionDirs::new("ghiseu-bench-track-")?;
    let data = &dirs.data;
    let admin = random_hex()?;
    // The same variables for both engines (the host reads them from the
    // environment as Spin does).
    let env = [
        ("SPIN_VARIABLE_PLATFORM_ADMIN_TOKEN", admin.as_str()),
        // The benchmark is one client on purpose; the limit would stop it.
        ("SPIN_VARIABLE_TRACK_RATE_LIMIT", "1000000000"),
        ("SPIN_VARIABLE_SANDBOX_ENABLED", "true"),
    ];
    let manifest = root.join("spin.toml");
    let (mut child, host_addr) =
        start_host(host_bin, &manifest, &dirs.runtime_config, data, &env, &[]).await?;
    let host_pids: Vec<u32> = child.id().into_iter().collect();
    let result = async {
        let mut notes = Vec::new();
        let (spin, spin_version) = match spin_bin {
            Ok(bin) => {
                let version = spin::version(bin).await;
                println!(
                    "starting {version} ({}) on the same spin.toml ...",
                    bin.display()
                );
                let started = Instant::now();
                let spin = spin::Spin::start(bin, host_bin, &manifest, &env).await?;
                println!(
                    "Spin serving on http://{} after {:.1} s",
                    spin.addr,
                    started.elapsed().as_secs_f64()
                );
                let version = format!(
                    "Spin: {version}, `spin up` on the production spin.toml, SQLite key-value \
                     store, objects in `ghiseu s3`"
                );
                (Some(spin), version)
            }
            Err(_) => (None, String::new()),
        };
        let seed = std::fs::read(root.join("infra/seed/demo.json"))?;
        let registrar = intake::Registrar::of_seed(&serde_json::from_slice(&seed)?)?;
        let answer = post_json(host_addr, SEED_PATH, &admin, seed.clone()).await?;
        let host_token = tracking::pick_token(&answer)?;
        let spin_token = match &spin {
            Some(spin) => {
                let answer = post_json(spin.addr, SEED_PATH, &admin, seed.clone())
                    .await
                    .context("seeding the demo on Spin")?;
                Some(tracking::pick_token(&answer)?)
            }
            None => None,
        };
        let (native, native_addr) = spawn_native("tracking", &data.join("kv.db")).await?;
        let native_pids: Vec<u32> = native.id().into_iter().collect();
        let api = |token: &str| format!("/api/v1/track/{token}");
        let page = |token: &str| format!("/track/{token}");
        for path in [api(&host_token), page(&host_token)] {
            let host = get_once(host_addr, &path).await?;
            let native = get_once(native_addr, &path).await?;
            tracking::same_body(&host, &native, &path)?;
        }
        if let (Some(spin), Some(token)) = (&spin, &spin_token) {
            for (host_path, spin_path) in [
                (api(&host_token), api(token)),
                (page(&host_token), page(token)),
            ] {
                let host = get_once(host_addr, &host_path).await?;
                let on_spin = get_once(spin.addr, &spin_path)
                    .await
                    .with_context(|| format!("Spin: GET {spin_path}"))?;
                if let Some(note) = tracking::same_but_token(&host, &host_token, &on_spin, token) {
                    notes.push(format!("note: GET {spin_path} on Spin: {note}"));
                }
            }
        }
        let spin_pids = spin.as_ref().map(|s| s.pids.clone()).unwrap_or_default();
        let s3_pids = spin.as_ref().map(|s| s.s3_pid.clone()).unwrap_or_default();
        let idle = [
            memory::rss_kb(&native_pids),
            memory::rss_kb(&host_pids),
            memory::rss_kb(&spin_pids),
            memory::rss_kb(&s3_pids),
        ];

        let mut rows = Vec::new();
        if opts.runs("tracking") {
            println!(
                "\nGET {} and GET {}{}, 1, 16 and 64 connections, {:.1} s measured per side \
                 and row in {ROUNDS} alternating rounds (each after {:.1} s of warm-up)",
                api(&host_token),
                page(&host_token),
                if spin.is_some() {
                    " (on Spin the same of its own seed)"
                } else {
                    ""
                },
                opts.duration.as_secs_f64(),
                opts.warmup.as_secs_f64()
            );
            for (scenario, path) in [
                ("tracking JSON", &api as &dyn Fn(&str) -> String),
                ("tracking HTML", &page),
            ] {
                for conns in CONNECTIONS {
                    let host_path = path(&host_token);
                    let spin_path = spin_token.as_deref().map(path);
                    let mut sides = vec![
                        Side::new(native_addr, &host_path, &native_pids),
                        Side::new(host_addr, &host_path, &host_pids),
                    ];
                    if let (Some(spin), Some(spin_path)) = (&spin, &spin_path) {
                        sides.push(Side::new(spin.addr, spin_path, &spin.pids));
                    }
                    let mut stats = compare(&sides, conns, opts).await?.into_iter();
                    let native = stats.next();
                    rows.push(Row {
                        scenario,
                        conns,
                        native,
                        host: stats.next().context("the host's measurement")?,
                        spin: stats.next(),
                    });
                }
            }
        }
        if opts.runs("intake") {
            let scan = intake::scan()?;
            println!(
                "\nPOST /desk/intake as {} with one {} byte PDF, {} intakes per side and \
                 row in {ROUNDS} alternating rounds (after a few unmeasured ones)",
                registrar.describe(),
                scan.len(),
                intake::REQUESTS
            );
            let mut desks = vec![
                intake::Desk::sign_in("the host", host_addr, host_pids.clone(), &registrar, &scan)
                    .await?,
            ];
            if let Some(spin) = &spin {
                desks.push(
                    intake::Desk::sign_in("Spin", spin.addr, spin.pids.clone(), &registrar, &scan)
                        .await?,
                );
            }
            for (conns, stats) in intake::measure(&desks).await? {
                let mut stats = stats.into_iter();
                rows.push(Row {
                    scenario: INTAKE_ROW,
                    conns,
                    native: None,
                    host: stats.next().context("the host's measurement")?,
                    spin: stats.next(),
                });
            }
        }

        let most = |pick: fn(&Row) -> Option<&Stats>, intake: bool| {
            rows.iter()
                .filter(|r| (r.scenario == INTAKE_ROW) == intake)
                .filter_map(|r| pick(r)?.rss_kb)
                .max()
        };
        let mut memory = vec![
            MemoryRow::new(
                "native baseline (tracking)",
                idle[0],
                most(|r| r.native.as_ref(), false),
                None,
                memory::hwm_kb(&native_pids),
            ),
            MemoryRow::new(
                "host: ghiseu up",
                idle[1],
                most(|r| Some(&r.host), false),
                most(|r| Some(&r.host), true),
                memory::hwm_kb(&host_pids),
            ),
        ];
        if spin.is_some() {
            memory.push(MemoryRow::new(
                "Spin: spin up + trigger",
                idle[2],
                most(|r| r.spin.as_ref(), false),
                most(|r| r.spin.as_ref(), true),
                memory::hwm_kb(&spin_pids),
            ));
            memory.push(MemoryRow::new(
                "Spin's objects: ghiseu s3",
                idle[3],
                None,
                None,
                memory::hwm_kb(&s3_pids),
            ));
            if spin_pids.len() > 1 {
                notes.push(format!(
                    "Spin's memory is that of `spin up` (pid {}) and the `spin trigger http` it \
                     runs the application in: {} MB and {} MB at the end",
                    spin_pids[0],
                    memory::mb(memory::rss_kb(&spin_pids[..1])),
                    memory::mb(memory::rss_kb(&spin_pids[1..]))
                ));
            }
        }
        drop(spin);
        Ok(Production {
            rows,
            memory,
            notes,
            spin_version,
        })
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

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn get_with(sender: &mut Sender, addr: SocketAddr, path: &str) -> Result<Vec<u8>> {
    sender.ready().await?;
    let req = Request::get(path)
        .header("host", addr.to_string())
        .body(Empty::new())?;
    let response = sender.send_request(req).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!("GET {path} answered {status}");
    }
    Ok(body.to_vec())
}

async fn get_once(addr: SocketAddr, path: &str) -> Result<Vec<u8>> {
    let mut sender = connect(addr).await?;
    get_with(&mut sender, addr, path).await
}

async fn put(addr: SocketAddr, path: &str, body: Vec<u8>) -> Result<StatusCode> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let req = Request::put(path)
        .header("host", addr.to_string())
        .body(Full::new(Bytes::from(body)))?;
    let response = sender.send_request(req).await?;
    let status = response.status();
    response.into_body().collect().await?;
    Ok(status)
}

/// One side's measurement of one row.
#[derive(Clone, Copy)]
struct Stats {
    requests: usize,
    errors: usize,
    rps: f64,
    p50: Duration,
    p99: Duration,
    /// The most resident memory sampled while it was measured, in kB.
    rss_kb: Option<u64>,
}

/// One row of the table: a scenario at a number of connections on each side.
#[derive(Clone)]
struct Row {
    scenario: &'static str,
    conns: usize,
    native: Option<Stats>,
    host: Stats,
    spin: Option<Stats>,
}

/// One side of a comparison: where it listens, what it is asked, and the
/// processes whose memory is sampled while it is.
struct Side<'a> {
    addr: SocketAddr,
    path: &'a str,
    pids: &'a [u32],
}

impl<'a> Side<'a> {
    fn new(addr: SocketAddr, path: &'a str, pids: &'a [u32]) -> Self {
        Self { addr, path, pids }
    }
}

/// Measures every side in alternating rounds (native, host, Spin, native,
/// ...), `opts.duration` in all per side, so that a slow spell of a shared
/// machine falls on every side rather than on whichever ran during it.
async fn compare(sides: &[Side<'_>], conns: usize, opts: &Options) -> Result<Vec<Stats>> {
    let round = opts.duration / ROUNDS;
    let mut samples: Vec<Sample> = sides.iter().map(|_| Sample::default()).collect();
    for _ in 0..ROUNDS {
        for (side, sample) in sides.iter().zip(&mut samples) {
            sample.add(load(side, conns, opts.warmup, round).await?);
        }
    }
    Ok(samples.into_iter().map(Sample::stats).collect())
}

/// Rounds per side in [`compare`].
const ROUNDS: u32 = 3;

/// Latencies of successful requests, failed requests, time measured and the
/// most resident memory sampled meanwhile.
#[derive(Default)]
struct Sample {
    latencies: Vec<Duration>,
    errors: usize,
    measured: Duration,
    rss_kb: Option<u64>,
}

impl Sample {
    fn add(&mut self, other: Sample) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.measured += other.measured;
        self.rss_kb = self.rss_kb.max(other.rss_kb);
    }

    fn stats(mut self) -> Stats {
        self.latencies.sort_unstable();
        let latencies = &self.latencies;
        let pct = |p: f64| -> Duration {
            if latencies.is_empty() {
                return Duration::ZERO;
            }
            let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
            latencies[i]
        };
        Stats {
            requests: latencies.len(),
            errors: self.errors,
            rps: latencies.len() as f64 / self.measured.as_secs_f64().max(1e-9),
            p50: pct(0.50),
            p99: pct(0.99),
            rss_kb: self.rss_kb,
        }
    }
}

/// `conns` keep-alive connections, each issuing GETs back to back: a warm-up, then a
/// measured window of `duration` in which every latency is recorded (and the
/// side's resident memory sampled).
async fn load(
    side: &Side<'_>,
    conns: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Sample> {
    let (addr, path) = (side.addr, side.path);
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let mut tasks = Vec::with_capacity(conns);
    for _ in 0..conns {
        let mut sender = connect(addr).await?;
        let path = path.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(64 * 1024);
            let mut errors = 0usize;
            loop {
                let t = Instant::now();
                if t >= end {
                    break;
                }
                let ok = get_with(&mut sender, addr, &path).await.is_ok();
                if t >= measure_from {
                    if ok {
                        latencies.push(t.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                if !ok {
                    // A broken connection: reconnect rather than spin on errors.
                    match connect(addr).await {
                        Ok(s) => sender = s,
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep_until(measure_from.into()).await;
    let sampler = memory::Sampler::start(side.pids);
    let mut sample = Sample {
        measured: duration,
        ..Sample::default()
    };
    for task in tasks {
        let (l, e) = task.await?;
        sample.latencies.extend(l);
        sample.errors += e;
    }
    sample.rss_kb = sampler.stop().await;
    Ok(sample)
}

/// What the floor means for the tracking rows. Time per request at a row's
/// concurrency is 1 / rate. Native tracking work is what a native lookup
/// takes beyond a native empty request; a host lookup takes at least the
/// host's empty request plus that work (a component is not faster than native
/// code), so its best possible ratio is native lookup time ÷ (host empty time +
/// native work time), however lean the component. The empty request is
/// measured at [`TRACKING_CONNECTIONS`], so only those tracking rows.
fn print_bound(rows: &[Row]) {
    let Some(empty) = rows.iter().find(|r| r.scenario == EMPTY_ROW) else {
        return;
    };
    let Some(native_empty) = &empty.native else {
        return;
    };
    if empty.host.rps <= 0.0 || native_empty.rps <= 0.0 {
        return;
    }
    for row in rows
        .iter()
        .filter(|r| r.scenario.starts_with("tracking") && r.conns == TRACKING_CONNECTIONS)
    {
        let Some(native) = row.native.as_ref().filter(|n| n.rps > 0.0) else {
            continue;
        };
        let lookup = 1e6 / native.rps;
        let work = (lookup - 1e6 / native_empty.rps).max(0.0);
        let best = lookup / (1e6 / empty.host.rps + work);
        println!(
            "best case for {} at {} connections: host empty request {:.1} µs + native work \
             {work:.1} µs against native {lookup:.1} µs per request = ratio {best:.2} at most",
            row.scenario,
            row.conns,
            1e6 / empty.host.rps
        );
    }
}

/// Points out Spin rows whose slow requests take Linux's delayed-acknowledgement
/// time (about 40 ms) where the host's take far less: small answers held back
/// by Nagle's algorithm until the client's delayed ACK, the mark of a server
/// socket without `TCP_NODELAY` (the load generator sets it on its own end).
/// That is how Spin answers a keep-alive client, not the components' work; with
/// many connections the other requests fill the wait.
fn print_stalls(rows: &[Row]) {
    let stalled: Vec<String> = rows
        .iter()
        .filter(|r| {
            r.spin.as_ref().is_some_and(|s| {
                (38.0..50.0).contains(&(s.p99.as_secs_f64() * 1e3))
                    && r.host.p99 < Duration::from_millis(30)
            })
        })
        .map(|r| format!("{} at {}", r.scenario, r.conns))
        .collect();
    if !stalled.is_empty() {
        println!(
            "note: Spin's p99 of about 40 ms ({}) is the delayed-ACK stall of small answers \
             on a keep-alive connection whose server end has no TCP_NODELAY (Nagle's \
             algorithm), not the components' work; at 1 connection it sets the rate",
            stalled.join(", ")
        );
    }
}

/// Throughput ratio `a / b`, or `-`.
fn ratio(a: &Stats, b: Option<&Stats>) -> String {
    match b {
        Some(b) if b.rps > 0.0 => format!("{:.2}", a.rps / b.rps),
        _ => "-".to_owned(),
    }
}

fn print_table(rows: &[Row]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {:<24} | {:>5} | {:>8} | {:>8} | {:>8} | {:>7} | {:>11} | {:>9} |",
        "scenario", "conns", "req/s", "p50 ms", "p99 ms", "RSS MB", "host/native", "host/Spin"
    );
    println!(
        "|{:-<26}|{:->7}|{:->10}|{:->10}|{:->10}|{:->9}|{:->13}|{:->11}|",
        "", "", "", "", "", "", "", ""
    );
    for row in rows {
        let sides = [
            ("native", row.native.as_ref(), String::new(), String::new()),
            (
                "host",
                Some(&row.host),
                ratio(&row.host, row.native.as_ref()),
                ratio(&row.host, row.spin.as_ref()),
            ),
            ("Spin", row.spin.as_ref(), String::new(), String::new()),
        ];
        for (side, stats, to_native, to_spin) in sides {
            let Some(s) = stats else { continue };
            let name = format!("{}: {side}", row.scenario);
            println!(
                "| {:<24} | {:>5} | {:>8.0} | {:>8.2} | {:>8.2} | {:>7} | {:>11} | {:>9} |",
                name,
                row.conns,
                s.rps,
                ms(s.p50),
                ms(s.p99),
                memory::mb(s.rss_kb),
                to_native,
                to_spin
            );
        }
    }
    let all = || {
        rows.iter()
            .flat_map(|r| [r.native.as_ref(), Some(&r.host), r.spin.as_ref()])
            .flatten()
    };
    let errors: usize = all().map(|s| s.errors).sum();
    let requests: usize = all().map(|s| s.requests).sum();
    println!(
        "\n{requests} requests measured, {errors} errors; RSS MB: the most resident memory \
         (VmRSS) of the side's process(es) sampled every 20 ms while it was measured; ratios \
         are of requests/s"
    );
}

/// The engines' resident memory in the tracking and intake parts.
fn print_memory(rows: &[MemoryRow]) {
    if rows.is_empty() {
        return;
    }
    println!(
        "\nresident memory in MB (VmRSS and VmHWM of /proc/<pid>/status; loaded = the most \
         VmRSS sampled every 20 ms during the measured rows; peak = VmHWM, startup included)\n"
    );
    println!(
        "| {:<26} | {:>7} | {:>15} | {:>13} | {:>7} |",
        "process", "idle", "tracking loaded", "intake loaded", "peak"
    );
    println!(
        "|{:-<28}|{:->9}|{:->17}|{:->15}|{:->9}|",
        "", "", "", "", ""
    );
    for r in rows {
        println!(
            "| {:<26} | {:>7} | {:>15} | {:>13} | {:>7} |",
            r.what,
            memory::mb(r.idle),
            memory::mb(r.tracking),
            memory::mb(r.intake),
            memory::mb(r.peak)
        );
    }
}
