use ghiseu_tests::{App, Backend};

#[tokio::test]
async fn acknowledged_writes_survive_sigkill_and_restart() {
    // Arrange: writes acknowledged with a 2xx, then the host dies without warning.
    let mut app = App::probe(Backend::Sqlite).spawn().await;
    for i in 0..50 {
        let response = app
            .put(&format!("/probe/kv/doc-{i}"), format!("value {i}"))
            .await;
        assert!(
            response.status().is_success(),
            "PUT doc-{i}: {}",
            response.status()
        );
    }
    let response = app.post("/probe/incr/counter?by=7", "").await;
    assert!(response.status().is_success());

    // Act
    app.kill9().await;
    app.restart().await;

    // Assert
    for i in 0..50 {
        let response = app.get(&format!("/probe/kv/doc-{i}")).await;
        assert_eq!(response.status(), 200, "doc-{i} was lost");
        assert_eq!(response.text().await.unwrap(), format!("value {i}"));
    }
    let response = app.post("/probe/incr/counter", "").await;
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["value"], 8, "the counter lost its acknowledged value");
}

#[tokio::test]
async fn writes_acknowledged_under_concurrent_load_survive_sigkill() {
    // Arrange: 8 writers keep writing; the host is killed while they do.
    let mut app = App::probe(Backend::Sqlite).spawn().await;
    let writers = app.keep_writing(8);
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;

    // Act
    app.kill9().await;
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    app.restart().await;

    // Assert
    assert!(
        !acknowledged.is_empty(),
        "no write was acknowledged before the kill"
    );
    for key in &acknowledged {
        let response = app.get(&format!("/probe/kv/{key}")).await;
        assert_eq!(response.status(), 200, "acknowledged {key} was lost");
        assert_eq!(&response.text().await.unwrap(), key);
    }
}
