//! Many instances as one platform (tests/src/cluster.rs): three instances on
//! one Redis and one object store behind nginx. What one instance registers,
//! every instance and the balancer track; sessions hold on every instance;
//! concurrent submissions get unique, gapless numbers; and an instance killed
//! or cut off in the middle of a mixed load loses nothing acknowledged while
//! the balancer keeps answering, then rejoins.
//!
//! Clusters run one at a time (each is three engines and nginx on a 2-core
//! machine). With a Spin binary (`SPIN_BIN`) one more cluster puts real Spin
//! beside the own host.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt as _;
use ghiseu_tests::cluster::{Cluster, ClusterSpec, Engine};
use ghiseu_tests::{
    Official, TEST_ADMIN_TOKEN, TEST_PAYMENT_SECRET, desk_sign_in_at, spin_binary, workspace_root,
};

/// One cluster at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const TENANT: &str = "cjcluj";
const REGISTRAR: (&str, &str) = ("maria.pop", "demo-registratura-2026");

/// The development variables of `cargo xtask up`, with the tests' admin token.
fn spec(instances: Vec<Engine>) -> ClusterSpec {
    let mut spec = ClusterSpec::three()
        .dev_variables()
        .variable("platform_admin_token", TEST_ADMIN_TOKEN)
        .variable("payment_secret", TEST_PAYMENT_SECRET)
        // The whole load comes from one client (this test).
        .variable("track_rate_limit", "1000000");
    spec.instances = instances;
    spec
}

/// Starts a cluster and loads the demo seed through the balancer.
async fn seeded(instances: Vec<Engine>) -> Cluster {
    let cluster = Cluster::start(spec(instances))
        .await
        .unwrap_or_else(|e| panic!("the cluster did not start: {e:#}"));
    let seed = std::fs::read(workspace_root().join("infra/seed/demo.json")).unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/platform/seed", cluster.url))
        .bearer_auth(TEST_ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body(seed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "seed: {}", r.text().await.unwrap());
    cluster
}

/// The sequence number of `CJC-2026-000042`.
fn seq(regno: &str) -> u64 {
    regno.rsplit('-').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn three_instances_serve_as_one_platform() {
    let _one = ONE_AT_A_TIME.lock().await;
    let cluster = seeded(vec![Engine::Ghiseu; 3]).await;
    one_platform(&cluster).await;
}

/// Registered on one, tracked on all; a session on one holds on all; 300
/// concurrent submissions over all instances are numbered without gaps.
async fn one_platform(cluster: &Cluster) {
    // A dossier registered through instance 0 ...
    let desk = desk_sign_in_at(&cluster.instance_url(0), TENANT, REGISTRAR.0, REGISTRAR.1).await;
    let (id, regno, token) = desk.register("petitie").await;

    // ... is tracked through every instance and through the balancer.
    let mut bases: Vec<String> = (0..cluster.len())
        .map(|i| cluster.instance_url(i))
        .collect();
    bases.push(cluster.url.clone());
    for base in &bases {
        let r = reqwest::get(format!("{base}/api/v1/track/{token}"))
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "tracking through {base}");
        let json: serde_json::Value = r.json().await.unwrap();
        assert_eq!(
            json["registration_number"],
            regno.as_str(),
            "through {base}"
        );
        // The session opened on instance 0 works here too.
        let page = desk.at(base).get(&format!("/desk/dossiers/{id}")).await;
        assert_eq!(page.status(), 200, "the session through {base}");
        assert!(page.text().await.unwrap().contains(&regno));
    }

    // The balancer's cache keeps the public tracking answer: a burst of QR
    // scans is served from it.
    let scan = format!("{}/track/{token}", cluster.url);
    let first = reqwest::get(&scan).await.unwrap();
    assert_eq!(first.status(), 200);
    let second = reqwest::get(&scan).await.unwrap();
    assert_eq!(
        second.headers()["x-cache"],
        "HIT",
        "the second scan through the balancer"
    );
    let desk_page = desk.at(&cluster.url).get("/desk").await;
    assert!(
        desk_page.headers().get("x-cache").is_none(),
        "the signed-in desk went through the cache"
    );

    // 300 concurrent submissions spread over the instances.
    let desks: Vec<Official> = (0..cluster.len())
        .map(|i| desk.at(&cluster.instance_url(i)))
        .collect();
    let numbers: Vec<String> = futures::future::join_all((0..300).map(|n| {
        let desk = desks[n % desks.len()].clone();
        async move { desk.register("petitie").await.1 }
    }))
    .await;
    let unique: BTreeSet<u64> = numbers.iter().map(|n| seq(n)).collect();
    assert_eq!(unique.len(), 300, "duplicate registration numbers");
    let (first, last) = (*unique.first().unwrap(), *unique.last().unwrap());
    assert_eq!(
        last - first + 1,
        300,
        "numbers {first}..={last} have gaps for 300 submissions"
    );
    assert!(first > seq(&regno), "numbered before the earlier dossier");
    eprintln!(
        "cluster: 300 concurrent submissions over {} instances: 300 unique numbers, \
         {first}..={last}, no gap",
        cluster.len()
    );
}

/// What happens to an instance in the middle of the load.
#[derive(Clone, Copy, Debug)]
enum Fault {
    Kill,
    Cut,
}

/// Figures of one mixed load.
#[derive(Debug, Default)]
struct LoadReport {
    requests: usize,
    submissions_acknowledged: usize,
    errors: usize,
    errors_after_recovery: usize,
}

/// 1,000 requests through the balancer, 16 at a time: a quarter registry
/// submissions, the rest tracking lookups, desk pages and health checks.
/// Instance `victim` suffers `fault` after a third of them and comes back
/// after two thirds. Then every acknowledged submission must be there, the
/// errors must be at most what was in flight on the victim, and the victim
/// must serve through the balancer again.
async fn mixed_load_with_a_fault(cluster: &mut Cluster, victim: usize, fault: Fault) -> LoadReport {
    const TOTAL: usize = 1000;
    const AT_ONCE: usize = 16;
    let desk = desk_sign_in_at(&cluster.url, TENANT, REGISTRAR.0, REGISTRAR.1).await;
    let (_, _, token) = desk.register("petitie").await;
    let done = Arc::new(AtomicUsize::new(0));
    let recovered = Arc::new(AtomicUsize::new(usize::MAX));
    let plain = reqwest::Client::builder()
        .timeout(Duration::from_secs(90))
        .build()
        .unwrap();
    let url = cluster.url.clone();

    let load = {
        let (done, recovered) = (done.clone(), recovered.clone());
        futures::stream::iter(0..TOTAL)
            .map(move |n| {
                let (desk, plain, url, token) =
                    (desk.clone(), plain.clone(), url.clone(), token.clone());
                let (done, recovered) = (done.clone(), recovered.clone());
                async move {
                    let outcome: Result<Option<String>, String> = match n % 4 {
                        0 => {
                            let scan = [("cerere.pdf", ghiseu_tests::sample_pdf())];
                            match desk.try_intake("petitie", &scan, &[]).await {
                                Ok(r) if r.status() == 303 => {
                                    let location = r.headers()["location"].to_str().unwrap();
                                    Ok(Some(location.split('/').nth(3).unwrap().to_owned()))
                                }
                                Ok(r) => Err(format!("intake: {}", r.status())),
                                Err(e) => Err(format!("intake: {e}")),
                            }
                        }
                        1 => match plain
                            .get(format!("{url}/api/v1/track/{token}"))
                            .send()
                            .await
                        {
                            Ok(r) if r.status() == 200 => Ok(None),
                            Ok(r) => Err(format!("track: {}", r.status())),
                            Err(e) => Err(format!("track: {e}")),
                        },
                        2 => match desk.try_get("/desk").await {
                            Ok(r) if r.status() == 200 => Ok(None),
                            Ok(r) => Err(format!("desk: {}", r.status())),
                            Err(e) => Err(format!("desk: {e}")),
                        },
                        _ => match plain.get(format!("{url}/healthz")).send().await {
                            Ok(r) if r.status() == 200 => Ok(None),
                            Ok(r) => Err(format!("healthz: {}", r.status())),
                            Err(e) => Err(format!("healthz: {e}")),
                        },
                    };
                    let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                    (outcome, finished > recovered.load(Ordering::SeqCst))
                }
            })
            .buffer_unordered(AT_ONCE)
            .collect::<Vec<_>>()
    };
    let chaos = async {
        while done.load(Ordering::SeqCst) < TOTAL / 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        match fault {
            Fault::Kill => cluster.kill(victim).await,
            Fault::Cut => cluster.cut(victim).unwrap(),
        }
        eprintln!(
            "cluster: {fault:?} instance {victim} after {} requests",
            done.load(Ordering::SeqCst)
        );
        while done.load(Ordering::SeqCst) < 2 * TOTAL / 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let log_before = cluster.instance_log(victim).len();
        match fault {
            Fault::Kill => cluster.restart(victim).await.unwrap(),
            Fault::Cut => cluster.reconnect(victim).unwrap(),
        }
        // Requests that finish from now on came after the recovery plus the
        // balancer's 2 s pause on a failed instance.
        tokio::time::sleep(Duration::from_secs(3)).await;
        recovered.store(done.load(Ordering::SeqCst) + AT_ONCE, Ordering::SeqCst);
        log_before
    };
    let (outcomes, log_before) = futures::join!(load, chaos);

    let mut report = LoadReport {
        requests: outcomes.len(),
        ..LoadReport::default()
    };
    let mut acknowledged = Vec::new();
    for (outcome, after_recovery) in &outcomes {
        match outcome {
            Ok(Some(id)) => acknowledged.push(id.clone()),
            Ok(None) => {}
            Err(why) => {
                eprintln!("cluster: failed during the {fault:?}: {why}");
                report.errors += 1;
                report.errors_after_recovery += usize::from(*after_recovery);
            }
        }
    }
    report.submissions_acknowledged = acknowledged.len();

    // Nothing acknowledged is lost, and every number is unique.
    let desk = desk_sign_in_at(&cluster.url, TENANT, REGISTRAR.0, REGISTRAR.1).await;
    let mut numbers = BTreeSet::new();
    for id in &acknowledged {
        let r = desk.get(&format!("/desk/dossiers/{id}")).await;
        assert_eq!(r.status(), 200, "acknowledged dossier {id} is lost");
        let page = r.text().await.unwrap();
        let regno = page
            .find("CJC-")
            .map(|at| page[at..at + 15].to_owned())
            .unwrap_or_else(|| panic!("no number on the page of {id}"));
        assert!(numbers.insert(regno.clone()), "{regno} given twice");
    }
    // At most the requests in flight on the victim failed, none after it came back.
    assert!(
        report.errors <= AT_ONCE,
        "{} requests failed; at most {AT_ONCE} were in flight on instance {victim}",
        report.errors
    );
    assert_eq!(
        report.errors_after_recovery, 0,
        "failures after the recovery"
    );
    // The victim serves again, directly and through the balancer.
    let health = reqwest::get(format!("{}/healthz", cluster.instance_url(victim)))
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        200,
        "instance {victim} after the recovery: {}",
        health.text().await.unwrap_or_default()
    );
    if *cluster.engine(victim) == Engine::Ghiseu {
        let mut served = false;
        for _ in 0..40 {
            let _ = reqwest::get(format!("{}/healthz", cluster.url)).await;
            if cluster.instance_log(victim)[log_before..].contains("route=\"/healthz\"") {
                served = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            served,
            "the balancer never sent instance {victim} a request again"
        );
    }
    eprintln!("cluster: {fault:?} of instance {victim}: {report:?}");
    report
}

#[tokio::test]
async fn an_instance_killed_mid_load_loses_nothing_acknowledged() {
    let _one = ONE_AT_A_TIME.lock().await;
    let mut cluster = seeded(vec![Engine::Ghiseu; 3]).await;
    let report = mixed_load_with_a_fault(&mut cluster, 1, Fault::Kill).await;
    assert!(report.submissions_acknowledged > 200, "{report:?}");
    assert_eq!(report.requests, 1000);
}

#[tokio::test]
async fn an_instance_cut_off_mid_load_loses_nothing_acknowledged() {
    let _one = ONE_AT_A_TIME.lock().await;
    let mut cluster = seeded(vec![Engine::Ghiseu; 3]).await;
    if !cluster.can_cut() {
        eprintln!("SKIPPED: no network namespaces here (root and `ip netns` are needed)");
        return;
    }
    let report = mixed_load_with_a_fault(&mut cluster, 2, Fault::Cut).await;
    assert!(report.submissions_acknowledged > 200, "{report:?}");
}

#[tokio::test]
async fn real_spin_and_the_own_host_serve_as_one_platform() {
    let Some(spin) = spin_binary() else {
        eprintln!("SKIPPED: no Spin binary (SPIN_BIN)");
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let mut cluster = seeded(vec![Engine::Ghiseu, Engine::Spin(spin), Engine::Ghiseu]).await;
    one_platform(&cluster).await;
    let report = mixed_load_with_a_fault(&mut cluster, 1, Fault::Kill).await;
    assert!(report.submissions_acknowledged > 200, "{report:?}");
}
