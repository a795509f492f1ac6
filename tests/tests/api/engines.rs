//! The same application on real Spin and on the own host: data written by one is read by
//! the other, and several Spin processes on one Redis behave as one platform.
//!
//! These tests need a Spin binary (`SPIN_BIN`, else `spin` on `PATH`); without one they
//! say so and check nothing else.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ghiseu_tests::{App, Backend, Engine, TestApp, regno_in, spin_binary};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::desk::{png, tenant, year};

fn spin() -> Option<Engine> {
    match spin_binary() {
        Some(bin) => Some(Engine::Spin(bin)),
        None => {
            eprintln!(
                "SKIPPED: no Spin binary (set SPIN_BIN or put `spin` on PATH); the checks \
                 against real Spin did not run"
            );
            None
        }
    }
}

async fn incr(app: &TestApp, key: &str, by: i64) -> i64 {
    let r = app.post(&format!("/probe/incr/{key}?by={by}"), "").await;
    assert_eq!(r.status(), 200, "{}", app.log());
    r.json::<Value>().await.unwrap()["value"].as_i64().unwrap()
}

async fn put(app: &TestApp, key: &str, value: &str) {
    let r = app.put(&format!("/probe/kv/{key}"), value.to_owned()).await;
    assert!(r.status().is_success(), "{}", r.status());
}

async fn get(app: &TestApp, key: &str) -> String {
    let r = app.get(&format!("/probe/kv/{key}")).await;
    assert_eq!(r.status(), 200, "{key}");
    r.text().await.unwrap()
}

async fn data_moves_between_the_engines(backend: Backend) {
    let Some(spin) = spin() else { return };
    // Arrange: the own host writes a value, a counter, an object and an insert.
    let mut app = App::probe(backend).engine(Engine::Ghiseu).spawn().await;
    put(&app, "written-by-host", "gazdă").await;
    assert_eq!(incr(&app, "counter", 5).await, 5);
    let r = app.put("/probe/s3/doc.txt", "obiect").await;
    assert!(r.status().is_success());
    let r = app.post("/probe/cas-create/once", "host").await;
    assert_eq!(r.status(), 200);

    // Act: Spin on the same stores reads and continues them.
    app.switch_engine(spin).await;

    // Assert
    assert_eq!(get(&app, "written-by-host").await, "gazdă");
    assert_eq!(incr(&app, "counter", 0).await, 5);
    assert_eq!(incr(&app, "counter", 1).await, 6);
    let r = app.get("/probe/s3/doc.txt").await;
    assert_eq!(r.text().await.unwrap(), "obiect");
    let r = app.post("/probe/cas-create/once", "spin").await;
    assert_eq!(r.status(), 409, "the insert made on the host holds on Spin");
    put(&app, "written-by-spin", "Spin").await;
    assert_eq!(incr(&app, "spin-counter", 7).await, 7);

    // And back: the own host reads what Spin wrote, counters included.
    app.switch_engine(Engine::Ghiseu).await;
    assert_eq!(get(&app, "written-by-spin").await, "Spin");
    assert_eq!(incr(&app, "spin-counter", 0).await, 7);
    assert_eq!(incr(&app, "counter", 1).await, 7);
}

#[tokio::test]
async fn data_written_by_the_own_host_is_read_by_spin_and_back_on_sqlite() {
    data_moves_between_the_engines(Backend::Sqlite).await;
}

#[tokio::test]
async fn data_written_by_the_own_host_is_read_by_spin_and_back_on_redis() {
    data_moves_between_the_engines(Backend::Redis).await;
}

/// 500 paper registrations sent at once to two Spin processes that share one Redis
/// and one object store: every acknowledged registration is there, numbered 1..=500
/// with no duplicate and no gap, and each instance shows what the other registered.
#[tokio::test]
async fn five_hundred_registrations_across_two_spin_processes_on_one_redis() {
    let Some(spin) = spin() else { return };
    // Arrange
    let first = App::desk(Backend::Redis).engine(spin).spawn().await;
    let seed = json!({"tenants": [tenant("alfa", "ALF")]});
    let r = first.seed(&seed).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let second = first.another_instance().await;
    let at_first = Arc::new(first.desk_sign_in("alfa", "reg", "parola-reg").await);
    // The session is in the shared store: the second instance accepts it.
    let mut at_second = (*at_first).clone();
    at_second.base.clone_from(&second.address);
    let at_second = Arc::new(at_second);

    // Act: 16 workers, alternating between the instances.
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for worker in 0..16 {
        let desk = if worker % 2 == 0 {
            at_first.clone()
        } else {
            at_second.clone()
        };
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut locations = Vec::new();
            while next.fetch_add(1, Ordering::SeqCst) < 500 {
                let r = desk.intake("petitie", &[("p.png", png())], &[]).await;
                assert_eq!(r.status(), StatusCode::SEE_OTHER);
                locations.push(r.headers()["location"].to_str().unwrap().to_owned());
            }
            locations
        }));
    }

    // Assert: every dossier, read through the other instance, has its own number.
    let mut numbers = BTreeSet::new();
    for (worker, w) in workers.into_iter().enumerate() {
        let reader = if worker % 2 == 0 {
            &at_second
        } else {
            &at_first
        };
        for location in w.await.unwrap() {
            let html = reader.get(&location).await.text().await.unwrap();
            assert!(numbers.insert(regno_in(&html)), "a number given twice");
        }
    }
    let want: BTreeSet<String> = (1..=500)
        .map(|n| format!("ALF-{}-{n:06}", year()))
        .collect();
    assert_eq!(numbers, want);
}

#[tokio::test]
async fn real_spin_serves_the_front_door_and_the_static_files_it_mounts() {
    let Some(spin) = spin() else { return };
    // Arrange
    let app = App::desk(Backend::Sqlite).engine(spin).spawn().await;
    let r = app.seed(&json!({"tenants": [tenant("alfa", "ALF")]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // Act
    let home = app.get("/?lang=hu").await.text().await.unwrap();
    let at = home.find("href=\"/static/ghiseu.").expect("the stylesheet") + 6;
    let href = home[at..].split('"').next().unwrap().to_owned();
    let css = app.get(&href).await;

    // Assert: the component reads `static/` through Spin's `files` mount.
    assert!(home.contains("<html lang=\"hu\"") && home.contains("/institutions/alfa"));
    assert_eq!(css.status(), 200);
    assert_eq!(
        css.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let on_disk = std::fs::read(ghiseu_tests::workspace_root().join("static/ghiseu.css")).unwrap();
    assert_eq!(css.bytes().await.unwrap().as_ref(), on_disk.as_slice());
}
