use ghiseu_tests::{App, TestApp};
use serde_json::{Value, json};

#[tokio::test]
async fn healthz_reports_both_stores_ok_on_the_production_manifest() {
    // Arrange
    let app = App::production().spawn().await;

    // Act
    let response = app.get("/healthz").await;

    // Assert
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "ok", "key_value": "ok", "object_store": "ok"})
    );
}

#[tokio::test]
async fn the_production_manifest_has_no_catch_all() {
    // Arrange
    let app = App::production().spawn().await;

    // Act
    let response = app.get("/probe/kv/anything").await;

    // Assert: the test probe is never part of the production application.
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn healthz_only_reads() {
    let app = App::production().spawn().await;

    let response = app.post("/healthz", "").await;

    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
}

#[tokio::test]
async fn two_hundred_concurrent_liveness_probes_all_answer_200() {
    // Arrange
    let app = App::production().spawn().await;

    // Act: probes share no key, so none can see another's value.
    let answers = probe_at_once(&app, "/healthz", 200).await;

    // Assert
    let failed: Vec<_> = answers.iter().filter(|(s, _)| *s != 200).collect();
    assert!(
        failed.is_empty(),
        "{} of 200 failed: {failed:?}",
        failed.len()
    );
}

#[tokio::test]
async fn readyz_round_trips_a_key_of_its_own_and_reaches_the_object_store() {
    // Arrange
    let app = App::production().spawn().await;

    // Act
    let answers = probe_at_once(&app, "/readyz", 50).await;

    // Assert
    for (status, body) in answers {
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body,
            json!({"status": "ok", "key_value": "ok", "object_store": "ok"})
        );
    }
}

#[tokio::test]
async fn readiness_says_which_store_is_missing() {
    // Arrange: an object store that refuses connections.
    let app = App::production()
        .without_object_store()
        .config_variable("s3_endpoint", "http://127.0.0.1:9")
        .config_variable("s3_access_key", "nobody")
        .config_variable("s3_secret_key", "nothing")
        .spawn()
        .await;

    // Act
    let live = app.get("/healthz").await;
    let ready = app.get("/readyz").await;

    // Assert: the key-value store answers, the object store does not.
    for response in [live, ready] {
        assert_eq!(response.status(), 503);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "unavailable");
        assert_eq!(body["key_value"], "ok");
        assert_ne!(body["object_store"], "ok");
    }
}

/// `n` GETs of `path` sent at once: each answer's status and JSON body.
async fn probe_at_once(app: &TestApp, path: &str, n: usize) -> Vec<(u16, Value)> {
    let probes = (0..n).map(|_| {
        let client = app.client.clone();
        let url = app.url(path);
        tokio::spawn(async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        })
    });
    futures::future::join_all(probes)
        .await
        .into_iter()
        .map(|answer| answer.unwrap())
        .collect()
}
