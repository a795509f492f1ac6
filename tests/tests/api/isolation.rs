//! One bad request never hurts the next: traps, runaway memory, runaway CPU and
//! oversized bodies are each stopped for that request only.

use std::time::{Duration, Instant};

use ghiseu_tests::{App, Backend, TestApp, random_bytes, sha256_hex};
use serde_json::Value;

use crate::raw::{Framing, post_status};

/// The next ordinary request is served normally.
async fn assert_still_serving(app: &TestApp) {
    let response = app.get("/probe/after").await;
    assert_eq!(response.status(), 200, "the host stopped serving");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["component"], "probe");
}

#[tokio::test]
async fn a_trap_is_a_500_for_that_request_only() {
    // Arrange
    let app = App::probe(Backend::Sqlite).spawn().await;

    // Act
    let trapped = app.get("/probe/trap").await;

    // Assert
    assert_eq!(trapped.status(), 500);
    assert_still_serving(&app).await;
    // And again, so a poisoned instance would show.
    assert_eq!(app.get("/probe/trap").await.status(), 500);
    assert_still_serving(&app).await;
}

#[tokio::test]
async fn the_memory_limit_stops_a_runaway_allocation() {
    // Arrange
    let app = App::probe(Backend::Sqlite)
        .memory_limit_mb(16)
        .spawn()
        .await;

    // Act
    let response = app.get("/probe/oom").await;

    // Assert
    assert!(
        response.status().is_server_error(),
        "expected 5xx, got {}",
        response.status()
    );
    assert_still_serving(&app).await;
}

#[tokio::test]
async fn the_deadline_stops_an_endless_loop() {
    // Arrange
    let app = App::probe(Backend::Sqlite)
        .request_timeout_ms(500)
        .spawn()
        .await;
    let started = Instant::now();

    // Act
    let response = app.get("/probe/spin").await;

    // Assert
    let status = response.status();
    assert!(
        status == 500 || status == 504,
        "expected 500 or 504, got {status}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the loop ran for {:?}",
        started.elapsed()
    );
    assert_still_serving(&app).await;
}

const LIMIT: usize = 1024 * 1024;

async fn spawn_with_body_limit() -> TestApp {
    App::probe(Backend::Sqlite)
        .max_body_bytes(LIMIT as u64)
        .spawn()
        .await
}

#[tokio::test]
async fn a_body_under_the_limit_is_served() {
    // Arrange
    let app = spawn_with_body_limit().await;
    let body = random_bytes(LIMIT - 1024);

    // Act
    let response = app.post("/probe/echo", body.clone()).await;

    // Assert
    assert_eq!(response.status(), 200);
    let echoed: Value = response.json().await.unwrap();
    assert_eq!(echoed["bytes"], body.len());
    assert_eq!(echoed["sha256"], sha256_hex(&body));
}

#[tokio::test]
async fn a_declared_body_over_the_limit_gets_413() {
    // Arrange
    let app = spawn_with_body_limit().await;

    // Act
    let status = post_status(
        app.socket_addr(),
        "/probe/echo",
        random_bytes(3 * LIMIT),
        Framing::ContentLength,
    )
    .await;

    // Assert
    assert_eq!(status, 413);
    assert_still_serving(&app).await;
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_gets_413() {
    // Arrange
    let app = spawn_with_body_limit().await;

    // Act
    let status = post_status(
        app.socket_addr(),
        "/probe/echo",
        random_bytes(3 * LIMIT),
        Framing::Chunked,
    )
    .await;

    // Assert
    assert_eq!(status, 413);
    assert_still_serving(&app).await;
}

#[tokio::test]
async fn a_chunked_body_under_the_limit_is_served() {
    // Arrange
    let app = spawn_with_body_limit().await;

    // Act
    let status = post_status(
        app.socket_addr(),
        "/probe/echo",
        random_bytes(LIMIT / 2),
        Framing::Chunked,
    )
    .await;

    // Assert
    assert_eq!(status, 200);
}
