use ghiseu_tests::{App, Backend, random_bytes, sha256_hex};
use serde_json::{Value, json};

const FIVE_MB: usize = 5 * 1024 * 1024;

#[tokio::test]
async fn a_5_mb_object_round_trips_byte_identical_and_can_be_deleted() {
    // Arrange
    let app = App::probe(Backend::Sqlite).spawn().await;
    let scan = random_bytes(FIVE_MB);
    let key = "attachments/scan-0001.pdf";

    // Act + Assert, step by step as a component would use the store.
    let put = app.put(&format!("/probe/s3/{key}"), scan.clone()).await;
    assert_eq!(
        put.status(),
        204,
        "put: {}",
        put.text().await.unwrap_or_default()
    );

    let get = app.get(&format!("/probe/s3/{key}")).await;
    assert_eq!(get.status(), 200);
    let fetched = get.bytes().await.unwrap();
    assert_eq!(fetched.len(), FIVE_MB);
    assert_eq!(sha256_hex(&fetched), sha256_hex(&scan));

    let listed: Value = app
        .get("/probe/s3?prefix=attachments/")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([{"key": key, "size": FIVE_MB}]));

    let delete = app.delete(&format!("/probe/s3/{key}")).await;
    assert_eq!(delete.status(), 204);
    assert_eq!(app.get(&format!("/probe/s3/{key}")).await.status(), 404);
    let listed: Value = app
        .get("/probe/s3?prefix=attachments/")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn a_missing_object_is_not_found() {
    let app = App::probe(Backend::Sqlite).spawn().await;

    let response = app.get("/probe/s3/never/uploaded.png").await;

    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn listing_filters_by_prefix() {
    // Arrange
    let app = App::probe(Backend::Sqlite).spawn().await;
    for (key, len) in [("a/1", 3usize), ("a/2", 5), ("b/1", 7)] {
        let put = app.put(&format!("/probe/s3/{key}"), vec![b'x'; len]).await;
        assert_eq!(put.status(), 204);
    }

    // Act
    let listed: Value = app.get("/probe/s3?prefix=a/").await.json().await.unwrap();

    // Assert
    assert_eq!(
        listed,
        json!([{"key": "a/1", "size": 3}, {"key": "a/2", "size": 5}])
    );
}
