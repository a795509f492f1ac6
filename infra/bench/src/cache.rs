//! A QR-scan burst on one popular dossier: `GET /track/{token}` straight to
//! one instance of the platform, and the same through nginx with the
//! reference configuration's tracking cache (`infra/nginx`), in the same run
//! and the same alternating rounds. Both sides are the one cluster of
//! `cargo xtask cluster` with a single instance (tests/src/cluster.rs).

use std::net::SocketAddr;

use anyhow::{Context as _, Result};
use ghiseu_tests::cluster::{Cluster, ClusterSpec, Engine};

use super::{Options, SEED_PATH, Side, Stats, compare, get_once, post_json, random_hex, tracking};

/// The connection counts of the burst.
const CONNECTIONS: [usize; 3] = [1, 16, 64];

/// One line of the cache table: (connections, straight, through the cache).
pub type CacheRow = (usize, Stats, Stats);

/// Runs the burst at each connection count.
pub async fn rows(root: &std::path::Path, opts: &Options) -> Result<Vec<CacheRow>> {
    let admin = random_hex()?;
    let mut spec = ClusterSpec::three()
        .variable("platform_admin_token", &admin)
        .variable("track_rate_limit", "1000000000")
        .variable("sandbox_enabled", "true");
    spec.instances = vec![Engine::Ghiseu];
    spec.isolate = false;
    let cluster = Cluster::start(spec)
        .await
        .context("starting the one-instance cluster")?;
    let seed = std::fs::read(root.join("infra/seed/demo.json"))?;
    let instance: SocketAddr = cluster.instance_addr(0);
    let answer = post_json(instance, SEED_PATH, &admin, seed).await?;
    let token = tracking::pick_token(&answer)?;
    let path = format!("/track/{token}");
    let balancer: SocketAddr = cluster
        .url
        .trim_start_matches("http://")
        .parse()
        .context("the balancer's address")?;
    // Both answer the same page before anything is measured.
    let straight = get_once(instance, &path).await?;
    let cached = get_once(balancer, &path).await?;
    anyhow::ensure!(
        straight == cached,
        "the cache answers another page than the platform"
    );
    let mut rows = Vec::new();
    for conns in CONNECTIONS {
        let stats = compare(
            &[
                Side::new(instance, &path, &[]),
                Side::new(balancer, &path, &[]),
            ],
            conns,
            opts,
        )
        .await?;
        rows.push((conns, stats[0], stats[1]));
    }
    cluster.stop().await;
    Ok(rows)
}

/// Prints the cache table.
pub fn print_table(rows: &[CacheRow]) {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {:<34} | {:>5} | {:>8} | {:>8} | {:>8} | {:>6} |",
        "QR-scan burst, GET /track/{token}", "conns", "req/s", "p50 ms", "p99 ms", "errors"
    );
    println!(
        "|{:-<36}|{:->7}|{:->10}|{:->10}|{:->10}|{:->8}|",
        "", "", "", "", "", ""
    );
    for (conns, straight, cached) in rows {
        for (side, s) in [
            ("straight to the platform", straight),
            ("through nginx's cache", cached),
        ] {
            println!(
                "| {:<34} | {:>5} | {:>8.0} | {:>8.2} | {:>8.2} | {:>6} |",
                side,
                conns,
                s.rps,
                ms(s.p50),
                ms(s.p99),
                s.errors
            );
        }
    }
}
