//! `ghiseu-cluster`: the cluster of `cargo xtask cluster` (tests/src/cluster.rs)
//! in the foreground until Ctrl-C or SIGTERM. The platform's variables come
//! from the environment (`SPIN_VARIABLE_*`), with the development values of
//! [`ClusterSpec::dev_variables`] for the ones not set.

use std::net::SocketAddr;
use std::path::PathBuf;

use ghiseu_tests::cluster::{Cluster, ClusterSpec, Engine};

const USAGE: &str =
    "usage: ghiseu-cluster [--listen ADDR] [--data DIR] [--instances N] [--spin BIN]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut spec = ClusterSpec::three();
    spec.listen = "127.0.0.1:3000".parse()?;
    spec.dir = Some(PathBuf::from(".ghiseu-cluster"));
    let mut spin = None;
    let mut count = 3;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--listen" => spec.listen = value()?.parse::<SocketAddr>()?,
            "--data" => spec.dir = Some(PathBuf::from(value()?)),
            "--instances" => count = value()?.parse::<usize>()?.clamp(1, 9),
            "--spin" => spin = Some(PathBuf::from(value()?)),
            _ => anyhow::bail!("unknown option {flag}\n{USAGE}"),
        }
    }
    // With a Spin binary, the middle instance is real Spin.
    spec.instances = (0..count)
        .map(|i| match &spin {
            Some(bin) if i == count / 2 => Engine::Spin(bin.clone()),
            _ => Engine::Ghiseu,
        })
        .collect();
    spec = spec.dev_variables();
    let cluster = Cluster::start(spec).await?;
    for i in 0..cluster.len() {
        println!(
            "  instance {i}: {:<40} {:?}",
            cluster.instance_url(i),
            cluster.engine(i)
        );
    }
    println!(
        "  stores: redis on port {}, objects at {}, files in {}",
        cluster.redis_port(),
        cluster.s3().endpoint,
        cluster.dir().display()
    );
    if cluster.can_cut() {
        println!("  each instance has a network namespace of its own (`ip netns list`)");
    }
    // The one line xtask waits for.
    println!("ghiseu cluster listening on {}", cluster.url);
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    println!("stopping the cluster");
    cluster.stop().await;
    Ok(())
}
