//! `ghiseu up`: run a Spin application locally.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use ghiseu_host::app::{self, EPOCH_TICK, Limits};
use ghiseu_host::runtime_config::{ObjectStoreConfig, RuntimeConfig};

/// mimalloc rather than the system allocator: every request allocates (hyper,
/// wasmtime's component-model bookkeeping, SQLite), and glibc's malloc was
/// about a tenth of the host's time under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "ghiseu",
    version,
    about = "Runs the Ghiseu Spin application on wasmtime"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the application described by a Spin manifest.
    Up(UpArgs),
    /// Serve only the embedded S3-compatible object store (for real Spin,
    /// which has no object store of its own, or any S3 client).
    S3(S3Args),
    /// Copy the embedded default's state (key-value files and objects under
    /// --data) into a new directory, consistently, while the platform runs.
    Backup(BackupArgs),
    /// Put a backup into a new, empty data directory.
    Restore(RestoreArgs),
}

#[derive(clap::Args)]
struct BackupArgs {
    /// The data directory of `ghiseu up`.
    #[arg(long, default_value = ".ghiseu")]
    data: PathBuf,
    /// Where the backup goes: a new or empty directory.
    #[arg(long)]
    to: PathBuf,
}

#[derive(clap::Args)]
struct RestoreArgs {
    /// The backup (a directory made by `ghiseu backup`).
    #[arg(long)]
    from: PathBuf,
    /// The new data directory: missing or empty.
    #[arg(long)]
    data: PathBuf,
}

#[derive(clap::Args)]
struct S3Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:9000")]
    listen: SocketAddr,
    /// Directory of the objects (one sub-directory per bucket).
    #[arg(long, default_value = ".ghiseu/objects")]
    data: PathBuf,
    /// The bucket created at start.
    #[arg(long, default_value = "ghiseu")]
    bucket: String,
    /// The access key clients sign with.
    #[arg(long, env = "GHISEU_S3_ACCESS_KEY")]
    access_key: String,
    /// The secret key clients sign with (from the environment, so that it
    /// does not show in the process list).
    #[arg(long, env = "GHISEU_S3_SECRET_KEY", hide_env_values = true)]
    secret_key: String,
}

#[derive(clap::Args)]
struct UpArgs {
    /// The Spin manifest.
    #[arg(long, default_value = "spin.toml")]
    manifest: PathBuf,
    /// Runtime config (Spin format plus [variables] and [object_store]).
    #[arg(long)]
    runtime_config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Directory for the key-value file and the embedded object store.
    #[arg(long, default_value = ".ghiseu")]
    data: PathBuf,
    /// Linear memory limit per instance, in MiB.
    #[arg(long, default_value_t = 64)]
    memory_limit_mb: usize,
    /// Guest memory the host may hold in all, in MiB: instances run at once
    /// only as many as fit (at most 256) at `--memory-limit-mb` each, and a
    /// request beyond waits for a free one. Default: half the memory the
    /// host may use (its cgroup's limit, else the machine's).
    #[arg(long)]
    memory_budget_mb: Option<u64>,
    /// Deadline per request, in milliseconds: how long its instance may run,
    /// including work after the response was sent (504 if none was).
    #[arg(long, default_value_t = 30_000)]
    request_timeout_ms: u64,
    /// Largest request body, in bytes (413 above it).
    #[arg(long, default_value_t = 10 << 20)]
    max_body_bytes: u64,
    /// Longest wait for a request's headers, in milliseconds; also how long
    /// a kept-alive connection may wait idle for its next request.
    #[arg(long, default_value_t = 10_000)]
    header_read_timeout_ms: u64,
    /// Connections open at once; beyond it the longest-idle connection is
    /// closed, or the new one answered 503 when all are busy.
    #[arg(long, default_value_t = 4096)]
    max_connections: usize,
    /// On SIGTERM or Ctrl-C, how long requests in flight (and guests still
    /// working after their response) may take to finish, in milliseconds.
    #[arg(long, default_value_t = 25_000)]
    shutdown_grace_ms: u64,
    /// Address of the Prometheus metrics listener (GET /metrics); none when
    /// not given. Keep it off the public network.
    #[arg(long)]
    metrics_listen: Option<SocketAddr>,
}

fn main() -> anyhow::Result<()> {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("GHISEU_LOG").unwrap_or_else(|_| "info".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // GHISEU_LOG_FORMAT=json: one JSON object per line, for a log shipper.
    if std::env::var("GHISEU_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
    // Every connection is a file descriptor: take the hard limit, not the
    // (often 1,024) soft one.
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => tracing::debug!("file descriptor limit {n}"),
        Err(e) => tracing::warn!("could not raise the file descriptor limit: {e}"),
    }
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Up(args) => runtime.block_on(up(args)),
        Command::S3(args) => runtime.block_on(s3(args)),
        Command::Backup(args) => {
            let m = ghiseu_host::backup::backup(&args.data, &args.to)?;
            report("backed up", &args.data, &args.to, &m);
            Ok(())
        }
        Command::Restore(args) => {
            let m = ghiseu_host::backup::restore(&args.from, &args.data)?;
            report("restored", &args.from, &args.data, &m);
            Ok(())
        }
    }
}

async fn s3(args: S3Args) -> anyhow::Result<()> {
    let s3 = ghiseu_host::objects::start_on(
        &args.data,
        &args.bucket,
        args.listen,
        (args.access_key, args.secret_key),
    )
    .await?;
    // The one line scripts and tests wait for.
    println!(
        "ghiseu s3 listening on {} (bucket {})",
        s3.endpoint, s3.bucket
    );
    stop_signal().await;
    Ok(())
}

/// The one line `ghiseu backup` and `restore` print when they are done.
fn report(done: &str, from: &Path, into: &Path, m: &ghiseu_host::backup::Manifest) {
    let keys: u64 = m.key_value.iter().map(|k| k.keys).sum();
    println!(
        "{done} {} into {}: {keys} keys as of {}, {} objects ({} bytes)",
        from.display(),
        into.display(),
        m.taken_at,
        m.objects,
        m.object_bytes
    );
}

/// Completes on SIGTERM (what Kubernetes, systemd and `kill` send) or
/// SIGINT (Ctrl-C).
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM: stopping"),
                _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: stopping"),
            }
        }
        Err(e) => {
            tracing::warn!("no SIGTERM handler ({e}); stopping on Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

async fn up(args: UpArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let runtime_config = match &args.runtime_config {
        Some(path) => RuntimeConfig::load(path)?,
        None => RuntimeConfig::default(),
    };
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("creating {}", args.data.display()))?;
    let s3 = match &runtime_config.object_store {
        Some(ObjectStoreConfig::Embedded { bucket }) => Some(
            ghiseu_host::objects::start(
                &args.data.join("objects"),
                bucket.as_deref().unwrap_or("ghiseu"),
            )
            .await?,
        ),
        None => None,
    };
    let memory_bytes = args.memory_limit_mb << 20;
    let budget_bytes = match args.memory_budget_mb {
        Some(mb) => mb << 20,
        None => ghiseu_host::app::usable_memory_bytes().unwrap_or(8 << 30) / 2,
    };
    let limits = Limits {
        memory_bytes,
        request_timeout: Duration::from_millis(args.request_timeout_ms),
        max_body_bytes: args.max_body_bytes,
        instances: Limits::instances_within(budget_bytes, memory_bytes),
    };
    tracing::info!(
        "{} instances at most, {} MiB each ({} MiB of guest memory)",
        limits.instances,
        args.memory_limit_mb,
        u64::from(limits.instances) * (args.memory_limit_mb as u64)
    );
    let app = app::load(
        &args.manifest,
        &runtime_config,
        &args.data,
        s3.as_ref(),
        limits,
    )
    .await?;

    // One ticker thread for the whole engine, never one per request.
    let engine = app.engine.clone();
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || {
            loop {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })?;

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    if let Some(s3) = &s3 {
        tracing::info!("object store at {} (bucket {})", s3.endpoint, s3.bucket);
    }
    tracing::info!(
        "{} component(s) ready in {} ms",
        app.components.len(),
        started.elapsed().as_millis()
    );
    // The one line scripts and tests wait for.
    println!("ghiseu listening on http://{addr}");
    let app = Arc::new(app);
    let weak = Arc::downgrade(&app);
    ghiseu_host::outbound::set_chain_target(addr, move |component, path| {
        weak.upgrade().is_some_and(|app| {
            app.router
                .route(path)
                .is_some_and(|m| app.components[m.component].id == component)
        })
    });
    if let Some(at) = args.metrics_listen {
        let metrics = tokio::net::TcpListener::bind(at)
            .await
            .with_context(|| format!("metrics listener on {at}"))?;
        tracing::info!("metrics at http://{}/metrics", metrics.local_addr()?);
        let weak = Arc::downgrade(&app);
        let limit = app.limits.instances as usize;
        tokio::spawn(ghiseu_host::metrics::serve(metrics, move || {
            ghiseu_host::metrics::Instances {
                in_use: weak.upgrade().map_or(0, |a| a.instances_in_use()),
                limit,
            }
        }));
    }
    let limits = ghiseu_host::server::ConnLimits {
        header_read_timeout: Duration::from_millis(args.header_read_timeout_ms),
        max_connections: args.max_connections.max(1),
        shutdown_grace: Duration::from_millis(args.shutdown_grace_ms),
    };
    ghiseu_host::server::serve(app, listener, limits, stop_signal()).await
}
