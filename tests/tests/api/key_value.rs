//! The key-value store as a component sees it, on both backends: every scenario runs
//! once on SQLite and once on a redis-server of its own.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::join_all;
use ghiseu_tests::{App, Backend, TestApp};
use serde_json::{Value, json};

/// Runs each scenario as a test on every backend.
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(ghiseu_tests::Backend::Sqlite).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(ghiseu_tests::Backend::Redis).await;
                }
            )*
        }
    };
}

on_both_backends!(
    set_then_get_returns_the_bytes,
    get_of_a_missing_key_is_not_found,
    delete_removes_the_key,
    exists_tells_whether_a_key_is_there,
    get_keys_lists_every_key,
    batch_operations_set_get_and_delete_many_keys,
    concurrent_create_if_absent_has_exactly_one_winner,
    a_failed_swap_returns_the_current_value,
    parallel_increments_hand_out_each_value_once,
);

async fn spawn(backend: Backend) -> TestApp {
    App::probe(backend).spawn().await
}

async fn set_then_get_returns_the_bytes(backend: Backend) {
    // Arrange
    let app = spawn(backend).await;
    let value: Vec<u8> = (0..=255u8).chain("Ghișeu – ăâîșț".bytes()).collect();

    // Act
    let put = app.put("/probe/kv/greeting", value.clone()).await;
    let get = app.get("/probe/kv/greeting").await;

    // Assert
    assert_eq!(put.status(), 204);
    assert_eq!(get.status(), 200);
    // A small body the guest streams is gathered by the host and sent with a
    // length in one piece, not chunked.
    assert_eq!(
        get.headers()
            .get("content-length")
            .map(|v| v.to_str().unwrap().to_owned()),
        Some(value.len().to_string())
    );
    assert!(get.headers().get("transfer-encoding").is_none());
    assert_eq!(get.bytes().await.unwrap().to_vec(), value);
}

async fn get_of_a_missing_key_is_not_found(backend: Backend) {
    let app = spawn(backend).await;

    let response = app.get("/probe/kv/never-set").await;

    assert_eq!(response.status(), 404);
}

async fn delete_removes_the_key(backend: Backend) {
    // Arrange
    let app = spawn(backend).await;
    app.put("/probe/kv/doomed", "x").await;

    // Act
    let delete = app.delete("/probe/kv/doomed").await;

    // Assert
    assert_eq!(delete.status(), 204);
    assert_eq!(app.get("/probe/kv/doomed").await.status(), 404);
    // Deleting what is not there is not an error.
    assert_eq!(app.delete("/probe/kv/doomed").await.status(), 204);
}

async fn exists_tells_whether_a_key_is_there(backend: Backend) {
    // Arrange
    let app = spawn(backend).await;
    app.put("/probe/kv/present", "").await;

    // Act
    let present: Value = app.get("/probe/exists/present").await.json().await.unwrap();
    let absent: Value = app.get("/probe/exists/absent").await.json().await.unwrap();

    // Assert: an empty value still exists.
    assert_eq!(present, json!({"exists": true}));
    assert_eq!(absent, json!({"exists": false}));
}

async fn get_keys_lists_every_key(backend: Backend) {
    // Arrange
    let app = spawn(backend).await;
    let empty: Value = app.get("/probe/keys").await.json().await.unwrap();
    for key in ["b", "a", "c/d", "dossier:CJC-2026-1"] {
        assert_eq!(
            app.put(&format!("/probe/kv/{key}"), key).await.status(),
            204
        );
    }
    app.delete("/probe/kv/b").await;

    // Act
    let keys: Value = app.get("/probe/keys").await.json().await.unwrap();

    // Assert
    assert_eq!(empty, json!([]));
    assert_eq!(keys, json!(["a", "c/d", "dossier:CJC-2026-1"]));
}

async fn batch_operations_set_get_and_delete_many_keys(backend: Backend) {
    // Arrange
    let app = spawn(backend).await;
    app.put("/probe/kv/kept", "old").await;

    // Act: wasi:keyvalue/batch set-many, get-many, delete-many.
    let set = app
        .put(
            "/probe/batch",
            json!({"a": "1", "b": "2", "kept": "new"}).to_string(),
        )
        .await;
    let got: Value = app
        .get("/probe/batch?keys=a,b,kept,missing")
        .await
        .json()
        .await
        .unwrap();
    let deleted = app.delete("/probe/batch?keys=a,missing").await;
    let after: Value = app.get("/probe/keys").await.json().await.unwrap();

    // Assert
    assert_eq!(set.status(), 204);
    assert_eq!(
        got,
        json!({"a": "1", "b": "2", "kept": "new", "missing": null})
    );
    assert_eq!(deleted.status(), 204);
    assert_eq!(after, json!(["b", "kept"]));
}

async fn concurrent_create_if_absent_has_exactly_one_winner(backend: Backend) {
    // Arrange
    let app = spawn(backend).await;

    // Act: 64 clients race to create the same key, each with its own value.
    let attempts = (0..64).map(|i| {
        let request = app
            .client
            .post(app.url("/probe/cas-create/registration-seq"))
            .body(format!("claimed by {i}"));
        async move {
            let response = request.send().await.expect("cas-create request");
            let status = response.status().as_u16();
            let body: Value = response.json().await.expect("cas-create JSON");
            (i, status, body)
        }
    });
    let results = join_all(attempts).await;

    // Assert
    let winners: Vec<_> = results.iter().filter(|(_, s, _)| *s == 200).collect();
    let losers: Vec<_> = results.iter().filter(|(_, s, _)| *s == 409).collect();
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_eq!(losers.len(), 63, "all results: {results:?}");
    let (winner, _, body) = winners[0];
    assert_eq!(body, &json!({"won": true}));
    let stored = format!("claimed by {winner}");
    for (_, _, body) in &losers {
        assert_eq!(body["won"], false);
        assert_eq!(body["current"], stored.as_str(), "a loser saw {body}");
    }
    let get = app.get("/probe/kv/registration-seq").await;
    assert_eq!(get.text().await.unwrap(), stored);
}

async fn a_failed_swap_returns_the_current_value(backend: Backend) {
    // Arrange
    let app = spawn(backend).await;
    app.put("/probe/kv/status", "registered").await;

    // Act
    let stale = app.post("/probe/cas/status?expected=draft", "signed").await;
    let stale_status = stale.status();
    let stale_body: Value = stale.json().await.unwrap();
    let fresh = app
        .post("/probe/cas/status?expected=registered", "in-progress")
        .await;
    let fresh_status = fresh.status();
    let fresh_body: Value = fresh.json().await.unwrap();

    // Assert
    assert_eq!(stale_status, 409);
    assert_eq!(
        stale_body,
        json!({"swapped": false, "current": "registered"})
    );
    assert_eq!(fresh_status, 200);
    assert_eq!(fresh_body, json!({"swapped": true}));
    let now = app.get("/probe/kv/status").await.text().await.unwrap();
    assert_eq!(now, "in-progress");
}

async fn parallel_increments_hand_out_each_value_once(backend: Backend) {
    // Arrange
    let app = spawn(backend).await;
    let remaining = Arc::new(AtomicUsize::new(1000));

    // Act: 16 clients share 1,000 increments of one counter.
    let clients = (0..16).map(|_| {
        let remaining = remaining.clone();
        let client = app.client.clone();
        let url = app.url("/probe/incr/number");
        async move {
            let mut seen = Vec::new();
            while remaining
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                let response = client.post(&url).send().await.expect("incr request");
                assert_eq!(response.status(), 200);
                let body: Value = response.json().await.expect("incr JSON");
                seen.push(body["value"].as_i64().expect("numeric value"));
            }
            seen
        }
    });
    let values: Vec<i64> = join_all(clients).await.into_iter().flatten().collect();

    // Assert
    assert_eq!(values.len(), 1000);
    let distinct: BTreeSet<i64> = values.iter().copied().collect();
    assert_eq!(distinct.len(), 1000, "some value was handed out twice");
    assert_eq!(distinct, (1..=1000).collect::<BTreeSet<i64>>());
}
