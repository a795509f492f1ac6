//! The embedded S3-compatible object store: s3s over a directory, served on a
//! loopback port. Components reach it through the same S3 client (and the same
//! `s3_*` variables) they use against Garage, MinIO or AWS in production.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;

/// Where and how components reach the embedded store.
#[derive(Debug, Clone)]
pub struct EmbeddedS3 {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bucket created at start.
    pub bucket: String,
    /// Generated for this run; never logged.
    pub access_key: String,
    /// Generated for this run; never logged.
    pub secret_key: String,
}

fn random_hex(bytes: usize) -> anyhow::Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| anyhow::anyhow!("random: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Starts the store over `root` (one sub-directory per bucket) on a free
/// loopback port with fresh credentials and returns its coordinates. The
/// server runs on the current tokio runtime.
pub async fn start(root: &Path, bucket: &str) -> anyhow::Result<EmbeddedS3> {
    let credentials = (
        format!("GHISEU{}", random_hex(7)?.to_uppercase()),
        random_hex(20)?,
    );
    start_on(
        root,
        bucket,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        credentials,
    )
    .await
}

/// Starts the store over `root` on `listen` with the given access and secret
/// key: `ghiseu s3`, the object store on its own, for real Spin (which has no
/// object store) or any S3 client.
pub async fn start_on(
    root: &Path,
    bucket: &str,
    listen: SocketAddr,
    (access_key, secret_key): (String, String),
) -> anyhow::Result<EmbeddedS3> {
    std::fs::create_dir_all(root.join(bucket))
        .with_context(|| format!("creating object store under {}", root.display()))?;
    let fs = s3s_fs::FileSystem::new(root).map_err(|e| anyhow::anyhow!("object store: {e:?}"))?;
    let service = {
        let mut b = S3ServiceBuilder::new(fs);
        b.set_auth(SimpleAuth::from_single(
            access_key.clone(),
            secret_key.clone(),
        ));
        b.build()
    };
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let http = ConnBuilder::new(TokioExecutor::new());
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let _ = socket.set_nodelay(true);
            let conn = http
                .serve_connection(TokioIo::new(socket), service.clone())
                .into_owned();
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!("object store connection: {e}");
                }
            });
        }
    });
    Ok(EmbeddedS3 {
        endpoint,
        bucket: bucket.to_owned(),
        access_key,
        secret_key,
    })
}
