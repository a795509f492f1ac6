//! `ghiseu up`: run a Spin application locally.

use std::net::SocketAddr;
use std::path::PathBuf;
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
    /// Deadline per request, in milliseconds: how long its instance may run,
    /// including work after the response was sent (504 if none was).
    #[arg(long, default_value_t = 30_000)]
    request_timeout_ms: u64,
    /// Largest request body, in bytes (413 above it).
    #[arg(long, default_value_t = 10 << 20)]
    max_body_bytes: u64,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GHISEU_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Up(args) => runtime.block_on(up(args)),
        Command::S3(args) => runtime.block_on(s3(args)),
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
    tokio::signal::ctrl_c().await?;
    Ok(())
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
    let limits = Limits {
        memory_bytes: args.memory_limit_mb << 20,
        request_timeout: Duration::from_millis(args.request_timeout_ms),
        max_body_bytes: args.max_body_bytes,
    };
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
    tokio::select! {
        r = ghiseu_host::server::serve(app, listener) => r,
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("shutting down");
            Ok(())
        }
    }
}
