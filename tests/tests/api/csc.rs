//! The sandbox's signing provider (CSC API v2), spoken to over HTTP as a
//! signing client would: enrollment, the certificate chain (checked by
//! `openssl verify`), OTPs through the outbox, one authorization for many
//! hashes, real ECDSA signatures, every refusal of the rules, `multisign`
//! splitting, and asynchronous results delivered to a callback with an HMAC.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ghiseu_platform::csc;
use ghiseu_tests::{App, TEST_CSC_CALLBACK_SECRET, TEST_CSC_CLIENT_SECRET, TestApp, random_bytes};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use reqwest::StatusCode;
use serde_json::{Value, json};
use x509_cert::Certificate;
use x509_cert::der::Decode;

const PHONE: &str = "+40722000111";

async fn app() -> TestApp {
    App::csc("300", 500).spawn().await
}

/// POST `/sandbox/csc/v2/{method}` with the service's bearer token.
async fn call(app: &TestApp, method: &str, body: Value) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url(&format!("/sandbox/csc/v2/{method}")))
        .bearer_auth(TEST_CSC_CLIENT_SECRET)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method}: {e}"));
    let status = r.status();
    let text = r.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method}: not JSON: {text}"))
    };
    (status, value)
}

async fn enroll_as(app: &TestApp, user: &str, name: &str, phone: &str) -> (StatusCode, String) {
    let r = app
        .client
        .post(app.url("/api/v1/sandbox/csc/credentials"))
        .bearer_auth(TEST_CSC_CLIENT_SECRET)
        .json(&json!({ "user_id": user, "name": name, "phone": phone }))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    (
        status,
        body["credential_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

async fn enroll(app: &TestApp) -> String {
    let (status, id) = enroll_as(app, "citizen-1", "Ion Popescu", PHONE).await;
    assert_eq!(status, StatusCode::CREATED);
    id
}

/// The newest signing code sent to `phone`.
async fn latest_code(app: &TestApp, phone: &str) -> String {
    let r: Value = app
        .get(&format!(
            "/api/v1/sandbox/outbox?to={}",
            ghiseu_tests::percent_encode(phone)
        ))
        .await
        .json()
        .await
        .unwrap();
    let text = r["messages"][0]["text"]
        .as_str()
        .expect("an SMS")
        .to_owned();
    // The provider's text says what the code is for and whose certificate
    // signs, within two SMS segments; the code is its one 6-digit word.
    assert!(
        text.contains("autorizează semnătura electronică calificată a titularului Ion Popescu"),
        "not a signing code: {text}"
    );
    assert!(ghiseu_core::sms::segments(&text).1 <= 2, "{text}");
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_owned()
}

async fn send_otp(app: &TestApp, credential: &str) -> String {
    let (status, _) = call(
        app,
        "credentials/sendOTP",
        json!({ "credentialID": credential }),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    latest_code(app, PHONE).await
}

fn hashes(n: usize) -> Vec<[u8; 32]> {
    (0..n)
        .map(|_| random_bytes(32).try_into().unwrap())
        .collect()
}

fn b64(hashes: &[[u8; 32]]) -> Vec<String> {
    hashes.iter().map(|h| B64.encode(h)).collect()
}

async fn authorize(
    app: &TestApp,
    credential: &str,
    hashes: &[[u8; 32]],
    otp: &str,
) -> (StatusCode, Value) {
    call(
        app,
        "credentials/authorize",
        json!({
            "credentialID": credential,
            "numSignatures": hashes.len(),
            "hashes": b64(hashes),
            "hashAlgorithmOID": csc::SHA256_OID,
            "authData": [{ "id": "OTP", "value": otp }],
        }),
    )
    .await
}

async fn sign_hash(
    app: &TestApp,
    credential: &str,
    sad: &str,
    hashes: &[[u8; 32]],
) -> (StatusCode, Value) {
    call(
        app,
        "signatures/signHash",
        json!({
            "credentialID": credential,
            "SAD": sad,
            "hashes": b64(hashes),
            "hashAlgorithmOID": csc::SHA256_OID,
            "signAlgo": csc::ECDSA_SHA256_OID,
        }),
    )
    .await
}

/// The chain of `credentials/info` (DER, signer first).
pub(crate) async fn chain(app: &TestApp, credential: &str) -> (Value, Vec<Vec<u8>>) {
    let (status, info) = call(
        app,
        "credentials/info",
        json!({ "credentialID": credential, "certificates": "chain", "certInfo": true, "authInfo": true }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{info}");
    let certs = info["cert"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| B64.decode(c.as_str().unwrap()).unwrap())
        .collect();
    (info, certs)
}

fn public_key(cert_der: &[u8]) -> VerifyingKey {
    let cert = Certificate::from_der(cert_der).unwrap();
    let spki = cert.tbs_certificate.subject_public_key_info;
    VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes()).unwrap()
}

/// Every signature (base64 DER) verifies for its hash under `key`.
fn assert_signed(key: &VerifyingKey, hashes: &[[u8; 32]], signatures: &Value) {
    let signatures = signatures.as_array().expect("signatures");
    assert_eq!(signatures.len(), hashes.len());
    for (hash, sig) in hashes.iter().zip(signatures) {
        let der = B64.decode(sig.as_str().unwrap()).unwrap();
        let sig = Signature::from_der(&der).expect("a DER ECDSA signature");
        key.verify_prehash(hash, &sig)
            .expect("the signature verifies with the certificate's key");
    }
}

async fn calls(app: &TestApp, credential: &str) -> Vec<Value> {
    let r: Value = app
        .get(&format!(
            "/api/v1/sandbox/csc/calls?credential={credential}"
        ))
        .await
        .json()
        .await
        .unwrap();
    r["calls"].as_array().unwrap().clone()
}

fn count(calls: &[Value], method: &str) -> usize {
    calls.iter().filter(|c| c["method"] == method).count()
}

#[tokio::test]
async fn enrollment_gives_a_credential_whose_chain_openssl_verifies() {
    let app = app().await;
    let id = enroll(&app).await;
    assert!(!id.is_empty());

    // Idempotent per user; refused without the service's token.
    assert_eq!(
        enroll_as(&app, "citizen-1", "Ion Popescu", PHONE).await,
        (StatusCode::OK, id.clone())
    );
    let anonymous = app
        .client
        .post(app.url("/api/v1/sandbox/csc/credentials"))
        .json(&json!({ "user_id": "x", "name": "X", "phone": "+40700000000" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = call(&app, "info", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["methods"]
            .as_array()
            .unwrap()
            .contains(&json!("signatures/signHash"))
    );
    let wrong = app
        .client
        .post(app.url("/sandbox/csc/v2/credentials/list"))
        .bearer_auth("not-the-secret")
        .json(&json!({ "userID": "citizen-1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"],
        "invalid_token"
    );

    let (status, list) = call(&app, "credentials/list", json!({ "userID": "citizen-1" })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["credentialIDs"], json!([id]));
    let (_, none) = call(&app, "credentials/list", json!({ "userID": "nobody" })).await;
    assert_eq!(none["credentialIDs"], json!([]));

    let (info, certs) = chain(&app, &id).await;
    assert_eq!(certs.len(), 2, "signer and root");
    assert_eq!(info["SCAL"], "2");
    assert_eq!(info["multisign"], 500);
    assert_eq!(info["auth"]["mode"], "explicit");
    assert_eq!(info["key"]["curve"], csc::P256_CURVE_OID);
    assert_eq!(info["cert"]["subjectDN"], "CN=Ion Popescu,C=RO");

    let ca_pem = crate::signing::sandbox_ca(&app).await;
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), &ca_pem).unwrap();
    std::fs::write(dir.path().join("signer.der"), &certs[0]).unwrap();
    std::fs::write(dir.path().join("root.der"), &certs[1]).unwrap();
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("openssl is installed");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &*String::from_utf8_lossy(&out.stderr),
        )
    };
    // The chain's root is the published CA.
    let (ok, root_pem) = openssl(&["x509", "-inform", "DER", "-in", "root.der"]);
    assert!(ok, "{root_pem}");
    assert_eq!(root_pem.trim(), ca_pem.trim());
    let (ok, _) = openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        "signer.der",
        "-out",
        "signer.pem",
    ]);
    assert!(ok);
    let (ok, out) = openssl(&["verify", "-CAfile", "ca.pem", "signer.pem"]);
    assert!(ok && out.contains("signer.pem: OK"), "{out}");
    let (_, text) = openssl(&["x509", "-in", "signer.pem", "-noout", "-text"]);
    assert!(
        text.contains("Digital Signature, Non Repudiation"),
        "{text}"
    );
    assert!(text.contains("Ghiseu Sandbox CA"), "{text}");
}

#[tokio::test]
async fn one_code_authorizes_and_signs_25_hashes() {
    let app = app().await;
    let id = enroll(&app).await;
    let (_, certs) = chain(&app, &id).await;

    let code = send_otp(&app, &id).await;
    let batch = hashes(25);
    let (status, auth) = authorize(&app, &id, &batch, &code).await;
    assert_eq!(status, StatusCode::OK, "{auth}");
    assert!(auth["expiresIn"].as_u64().unwrap() <= 300);
    let (status, signed) = sign_hash(&app, &id, auth["SAD"].as_str().unwrap(), &batch).await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_signed(&public_key(&certs[0]), &batch, &signed["signatures"]);

    let record = calls(&app, &id).await;
    assert_eq!(count(&record, "credentials/sendOTP"), 1);
    assert_eq!(count(&record, "credentials/authorize"), 1);
    assert_eq!(count(&record, "signatures/signHash"), 1);
    let authorized = record
        .iter()
        .find(|c| c["method"] == "credentials/authorize")
        .unwrap();
    assert_eq!(authorized["num_signatures"], 25);
    assert_eq!(authorized["hashes"], json!(b64(&batch)));
    assert_eq!(authorized["credential_id"], id.as_str());
    assert!(authorized["at"].is_string());
}

#[tokio::test]
async fn codes_and_sads_are_single_use_and_bound_to_their_hashes() {
    let app = app().await;
    let id = enroll(&app).await;

    // A code works once.
    let code = send_otp(&app, &id).await;
    let batch = hashes(2);
    let (status, auth) = authorize(&app, &id, &batch, &code).await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = authorize(&app, &id, &batch, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error"], "invalid_otp", "{again}");

    // A hash outside the authorization signs nothing and spends nothing...
    let sad = auth["SAD"].as_str().unwrap();
    let outsider = [batch[0], hashes(1)[0]];
    let (status, refused) = sign_hash(&app, &id, sad, &outsider).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused.get("signatures").is_none());
    // ...so the SAD still signs what it was issued for, once.
    let (status, _) = sign_hash(&app, &id, sad, &batch).await;
    assert_eq!(status, StatusCode::OK);
    let (status, reused) = sign_hash(&app, &id, sad, &batch).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(reused["error"], "invalid_sad");
    let (status, forged) = sign_hash(&app, &id, "not-a-sad", &batch).await;
    assert_eq!(
        (status, forged["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_sad"))
    );

    // numSignatures must be the number of hashes.
    let code = send_otp(&app, &id).await;
    let (status, mismatch) = call(
        &app,
        "credentials/authorize",
        json!({ "credentialID": id, "numSignatures": 3, "hashes": b64(&batch),
                "hashAlgorithmOID": csc::SHA256_OID, "authData": [{ "id": "OTP", "value": code }] }),
    )
    .await;
    assert_eq!(
        (status, mismatch["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );

    // Five wrong codes, and then the right one is refused too.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let (status, e) = authorize(&app, &id, &batch, wrong).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(e["error"], "invalid_otp");
        assert!(
            e["error_description"]
                .as_str()
                .unwrap()
                .contains(&format!("{left} attempts"))
        );
    }
    let (status, locked) = authorize(&app, &id, &batch, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(locked["error"], "otp_locked");
    // A new code starts over.
    let code = send_otp(&app, &id).await;
    let (status, _) = authorize(&app, &id, &batch, &code).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let app = App::csc("1", 500).spawn().await;
    let id = enroll(&app).await;
    let code = send_otp(&app, &id).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, e) = authorize(&app, &id, &hashes(1), &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"], "expired_otp", "{e}");
}

#[tokio::test]
async fn batches_larger_than_multisign_take_one_authorization_per_chunk() {
    let app = App::csc("300", 10).spawn().await;
    let id = enroll(&app).await;
    let (info, certs) = chain(&app, &id).await;
    assert_eq!(info["multisign"], 10);

    let too_many = hashes(11);
    let code = send_otp(&app, &id).await;
    let (status, e) = authorize(&app, &id, &too_many, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"], "invalid_request");

    // The client splits 25 hashes into 10 + 10 + 5, each with its own code.
    let batch = hashes(25);
    let key = public_key(&certs[0]);
    let mut sizes = Vec::new();
    for chunk in csc::chunks(&batch, 10) {
        let code = send_otp(&app, &id).await;
        let (status, auth) = authorize(&app, &id, chunk, &code).await;
        assert_eq!(status, StatusCode::OK, "{auth}");
        let (status, signed) = sign_hash(&app, &id, auth["SAD"].as_str().unwrap(), chunk).await;
        assert_eq!(status, StatusCode::OK);
        assert_signed(&key, chunk, &signed["signatures"]);
        sizes.push(chunk.len());
    }
    assert_eq!(sizes, [10, 10, 5]);
    let record = calls(&app, &id).await;
    let granted = record
        .iter()
        .filter(|c| c["method"] == "credentials/authorize" && c["result"] == "ok")
        .count();
    assert_eq!(granted, 3);
}

#[tokio::test]
async fn asynchronous_results_arrive_at_the_callback_with_a_valid_hmac() {
    let app = app().await;
    let id = enroll(&app).await;
    let (_, certs) = chain(&app, &id).await;
    let code = send_otp(&app, &id).await;
    let batch = hashes(3);
    let (_, auth) = authorize(&app, &id, &batch, &code).await;

    let (status, accepted) = call(
        &app,
        "signatures/signHash",
        json!({
            "credentialID": id,
            "SAD": auth["SAD"],
            "hashes": b64(&batch),
            "hashAlgorithmOID": csc::SHA256_OID,
            "signAlgo": csc::ECDSA_SHA256_OID,
            "operationMode": "A",
            "response_uri": "http://sandbox.spin.internal/api/v1/sandbox/csc/callback-sink",
            "clientData": "batch-1",
        }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    let response_id = accepted["responseID"].as_str().unwrap().to_owned();
    assert!(accepted.get("signatures").is_none());

    // The sink verified the HMAC with csc::verify_callback before keeping it.
    let mut received = None;
    for _ in 0..100 {
        let sink: Value = app
            .get("/api/v1/sandbox/csc/callback-sink")
            .await
            .json()
            .await
            .unwrap();
        received = sink["received"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["response_id"] == response_id.as_str())
            .cloned();
        if received.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let received = received.expect("the callback arrived within 5 s");
    assert_eq!(received["client_data"], "batch-1");
    assert!(received["error"].is_null());
    assert_signed(&public_key(&certs[0]), &batch, &received["signatures"]);

    // The sink refuses a result without the right HMAC, and takes one with it.
    let body = serde_json::to_vec(&json!({
        "responseID": "forged", "clientData": "x", "signatures": []
    }))
    .unwrap();
    for signature in [
        "sha256=00",
        &csc::callback_signature("another-secret", &body),
    ] {
        let r = app
            .client
            .post(app.url("/api/v1/sandbox/csc/callback-sink"))
            .header(csc::CALLBACK_SIGNATURE_HEADER, signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app
        .client
        .post(app.url("/api/v1/sandbox/csc/callback-sink"))
        .header(
            csc::CALLBACK_SIGNATURE_HEADER,
            csc::callback_signature(TEST_CSC_CALLBACK_SECRET, &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_seal_is_authorized_without_a_code_and_bound_to_its_hashes() {
    let app = app().await;
    let r = app
        .client
        .post(app.url("/api/v1/sandbox/csc/credentials"))
        .bearer_auth(TEST_CSC_CLIENT_SECRET)
        .json(&json!({"user_id": "seal:alfa", "name": "Primăria Alfa", "seal": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let seal = r.json::<Value>().await.unwrap()["credential_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A seal with an identification is refused: it names an institution.
    let r = app
        .client
        .post(app.url("/api/v1/sandbox/csc/credentials"))
        .bearer_auth(TEST_CSC_CLIENT_SECRET)
        .json(&json!({"user_id": "seal:beta", "name": "B", "seal": true, "identification_id": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // credentials/info: implicit, SCAL1, the institution in CN and O.
    let (info, _) = chain(&app, &seal).await;
    assert_eq!(info["authMode"], "implicit", "{info}");
    assert_eq!(info["SCAL"], "1", "{info}");
    let subject = info["cert"]["subjectDN"].as_str().unwrap();
    assert!(
        subject.contains("CN=Primăria Alfa") && subject.contains("O=Primăria Alfa"),
        "{subject}"
    );

    // No code to send; authorize without one; the SAD signs only its hashes.
    let (status, _) = call(&app, "credentials/sendOTP", json!({ "credentialID": seal })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let h = hashes(2);
    let (status, answer) = call(
        &app,
        "credentials/authorize",
        json!({"credentialID": seal, "numSignatures": 2, "hashes": b64(&h),
               "hashAlgorithmOID": csc::SHA256_OID}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let sad = answer["SAD"].as_str().unwrap().to_owned();
    let (status, _) = sign_hash(&app, &seal, &sad, &hashes(1)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "another hash is refused");
    let (status, signed) = sign_hash(&app, &seal, &sad, &h).await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["signatures"].as_array().unwrap().len(), 2);

    // A person's credential still needs their code.
    let person = enroll(&app).await;
    let (status, answer) = call(
        &app,
        "credentials/authorize",
        json!({"credentialID": person, "numSignatures": 1, "hashes": b64(&hashes(1)),
               "hashAlgorithmOID": csc::SHA256_OID}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
}
