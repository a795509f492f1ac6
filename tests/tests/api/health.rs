use ghiseu_tests::App;
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
