//! The platform administrator manages the trust anchors signed documents are
//! verified against (/api/v1/platform/trust/roots).

use ghiseu_tests::{App, Backend, TEST_ADMIN_TOKEN, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The platform administrator's trust anchors: GET, POST (PEM or DER), DELETE.
async fn roots_request(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .bearer_auth(TEST_ADMIN_TOKEN);
    if let Some(body) = body {
        req = req.body(body);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The SHA-256 of each listed anchor.
async fn anchors(app: &TestApp) -> Vec<String> {
    let (status, list) = roots_request(app, Method::GET, ROOTS, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["sha256"].as_str().unwrap().to_owned())
        .collect()
}

const ROOTS: &str = "/api/v1/platform/trust/roots";

#[tokio::test]
async fn the_platform_administrator_manages_the_trust_anchors() {
    let app = App::desk(Backend::Sqlite).spawn().await;
    // The sandbox provider creates its CA (and lists it) on first use.
    let credential =
        crate::signing::enroll(&app, "alfa/semn", "Silviu Semnatar", "+40722000999").await;
    let ca_pem = crate::signing::sandbox_ca(&app).await;
    let (_, chain) = crate::csc::chain(&app, &credential).await;
    let (signer, ca) = (chain[0].clone(), chain[1].clone());
    let ca_sha = ghiseu_tests::sha256_hex(&ca);

    // Only the platform administrator.
    assert_eq!(app.get(ROOTS).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anchors(&app).await, std::slice::from_ref(&ca_sha));

    // Removed, it is gone; removing it again finds nothing.
    let one = format!("{ROOTS}/{ca_sha}");
    let (status, _) = roots_request(&app, Method::DELETE, &one, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(anchors(&app).await.is_empty());
    let (status, _) = roots_request(&app, Method::DELETE, &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Added back as PEM it is described; as DER again it is not listed twice.
    let (status, added) = roots_request(&app, Method::POST, ROOTS, Some(ca_pem.into_bytes())).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["sha256"], ca_sha);
    assert_eq!(
        added["subject"], added["issuer"],
        "a self-signed root: {added}"
    );
    assert!(added["not_after"].as_str().is_some(), "{added}");
    let (status, _) = roots_request(&app, Method::POST, ROOTS, Some(ca.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(anchors(&app).await, std::slice::from_ref(&ca_sha));

    // A signer's certificate or anything else is refused and changes nothing.
    let (status, refused) = roots_request(&app, Method::POST, ROOTS, Some(signer)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a certification authority"),
        "{refused}"
    );
    let (status, _) = roots_request(
        &app,
        Method::POST,
        ROOTS,
        Some(b"-----BEGIN CERTIFICATE-----\nxyz".to_vec()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(anchors(&app).await, [ca_sha]);
}
