use ghiseu_tests::{App, Backend, TestManifest};
use serde_json::{Value, json};

fn app() -> App {
    let manifest = TestManifest::probe()
        .variable("from_config", "{ required = true }")
        .variable("from_env", "{ required = true }")
        .variable("with_default", "{ default = \"the default\" }");
    App::with_manifest(manifest, Backend::Sqlite)
        .config_variable("from_config", "set in the runtime config")
        .env("SPIN_VARIABLE_FROM_ENV", "set in the environment")
}

#[tokio::test]
async fn a_runtime_config_variable_reaches_the_component() {
    let app = app().spawn().await;

    let response = app.get("/probe/var/from_config").await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"name": "from_config", "value": "set in the runtime config"})
    );
}

#[tokio::test]
async fn an_environment_variable_reaches_the_component() {
    let app = app().spawn().await;

    let response = app.get("/probe/var/from_env").await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"name": "from_env", "value": "set in the environment"})
    );
}

#[tokio::test]
async fn a_declared_default_applies_when_nothing_sets_the_variable() {
    let app = app().spawn().await;

    let response = app.get("/probe/var/with_default").await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["value"], "the default");
}

#[tokio::test]
async fn an_undefined_variable_is_not_found() {
    let app = app().spawn().await;

    let response = app.get("/probe/var/never_declared").await;

    assert_eq!(response.status(), 404);
}
