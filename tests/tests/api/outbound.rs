use ghiseu_tests::echo::EchoServer;
use ghiseu_tests::{App, Backend, TestApp, TestManifest, percent_encode};
use serde_json::Value;

/// The probe may call `{{ echo_url }}` (an application variable set in the runtime
/// config, so the allow-list goes through Spin's template expansion) and nothing else
/// beyond the object store.
async fn app_allowing(allowed: &EchoServer) -> TestApp {
    let manifest = TestManifest::probe()
        .variable("echo_url", "{ required = true }")
        .allow_outbound("{{ echo_url }}");
    App::with_manifest(manifest, Backend::Sqlite)
        .config_variable("echo_url", &allowed.url())
        .spawn()
        .await
}

#[tokio::test]
async fn a_request_to_an_allowed_host_goes_through() {
    // Arrange
    let allowed = EchoServer::start().await;
    let app = app_allowing(&allowed).await;
    let target = format!("{}/hello", allowed.url());

    // Act
    let response = app
        .get(&format!("/probe/outbound?url={}", percent_encode(&target)))
        .await;

    // Assert
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 200);
    assert_eq!(body["body"], "echo GET /hello");
    assert_eq!(allowed.hits(), 1);
}

#[tokio::test]
async fn a_request_to_a_host_not_allowed_is_refused_before_leaving_the_host() {
    // Arrange: same address, another port: not in allowed_outbound_hosts.
    let allowed = EchoServer::start().await;
    let forbidden = EchoServer::start().await;
    let app = app_allowing(&allowed).await;
    let target = format!("{}/secret", forbidden.url());

    // Act
    let response = app
        .get(&format!("/probe/outbound?url={}", percent_encode(&target)))
        .await;

    // Assert
    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
    assert_eq!(forbidden.hits(), 0, "the forbidden server saw a request");
    assert_eq!(allowed.hits(), 0);
}

#[tokio::test]
async fn a_component_without_allowed_hosts_cannot_call_out() {
    // Arrange: the plain probe manifest allows only the object store.
    let server = EchoServer::start().await;
    let app = App::probe(Backend::Sqlite).spawn().await;

    // Act
    let response = app
        .get(&format!(
            "/probe/outbound?url={}",
            percent_encode(&format!("{}/x", server.url()))
        ))
        .await;

    // Assert
    assert_eq!(response.status(), 502);
    assert_eq!(server.hits(), 0);
}
