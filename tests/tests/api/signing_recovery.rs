//! Signing batches that meet failures: documents issued by a request that died
//! are shown signed and never signed twice; a batch stops waiting for an
//! asynchronous result that never comes.

use ghiseu_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::signing::*;

/// The stored batch behind `path` (`/desk/sign/batches/{id}`), read through the probe.
async fn stored_batch(app: &TestApp, path: &str) -> (String, Value) {
    let id = path.rsplit('/').next().unwrap();
    let key = format!("/probe/kv/t/alfa/signing/{id}");
    let r = app.get(&key).await;
    assert_eq!(r.status(), 200, "reading {key}");
    (key, r.json().await.unwrap())
}

/// Writes back `items` of the stored batch as pending: the state a signing
/// request leaves when it dies after issuing them, before it saves their results.
async fn forget_results(app: &TestApp, path: &str, items: &[usize]) {
    let (key, mut batch) = stored_batch(app, path).await;
    for &i in items {
        let item = batch["items"][i].as_object_mut().unwrap();
        assert_eq!(item["state"], "signed", "item {i} was signed");
        item.remove("document");
        item.insert("state".to_owned(), json!("pending"));
    }
    write_batch(app, &key, &batch).await;
}

/// Replaces the stored batch at `key` (a `/probe/kv/...` path) with `batch`.
async fn write_batch(app: &TestApp, key: &str, batch: &Value) {
    let r = app.put(key, serde_json::to_vec(batch).unwrap()).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT, "writing {key}");
}

#[tokio::test(flavor = "multi_thread")]
async fn documents_issued_by_a_request_that_died_are_shown_signed_and_not_signed_again() {
    let s = setup(&[("csc_multisign", "5")]).await;
    let mut ids = Vec::new();
    let mut tokens = Vec::new();
    for n in 0..10 {
        let (id, _, token) = awaiting_signature(&s, n).await;
        ids.push(id);
        tokens.push(token);
    }
    let batch = select(&s.semn, &ids).await;
    let code = outbox_codes(&s.app, SIGNER_PHONE).await[0].clone();
    enter_code(&s.semn, &batch, &code).await;
    let first = batch_json(&s.semn, &batch).await;
    assert_eq!(states(&first)[..5], ["signed"; 5]);

    // Items 1 and 3 were issued, but the request died before saving them.
    forget_results(&s.app, &batch, &[1, 3]).await;
    assert_eq!(states(&batch_json(&s.semn, &batch).await)[1], "pending");
    // The batch page shows the truth: signed, with the documents issued then.
    let page = s.semn.get(&batch).await;
    assert_eq!(page.status(), 200);
    let repaired = batch_json(&s.semn, &batch).await;
    for i in [1, 3] {
        assert_eq!(repaired["items"][i]["state"], "signed", "item {i}");
        assert_eq!(
            repaired["items"][i]["document"], first["items"][i]["document"],
            "item {i} keeps the document issued the first time"
        );
    }

    // Again for item 4, and this time the signer goes straight on with the
    // next code: it covers the five documents still to sign, not item 4.
    forget_results(&s.app, &batch, &[4]).await;
    let codes = outbox_codes(&s.app, SIGNER_PHONE).await;
    assert_eq!(codes.len(), 2, "the first part asked for the second code");
    enter_code(&s.semn, &batch, &codes[0]).await;
    let done = batch_json(&s.semn, &batch).await;
    assert_eq!(states(&done), ["signed"; 10], "{done}");
    assert_eq!(done["items"][4]["document"], first["items"][4]["document"]);
    assert_eq!(
        csc_calls(&s.app, &s.credential, "credentials/authorize").await,
        2,
        "one code per part of five; item 4 was not signed again"
    );
    assert_eq!(
        csc_calls(&s.app, &s.credential, "signatures/signHash").await,
        2
    );
    // Each dossier was signed and issued once, and its verification record
    // answers for the document the batch shows.
    for (i, token) in tokens.iter().enumerate() {
        let tracking: Value = s
            .app
            .get(&format!("/api/v1/track/{token}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(tracking["status"], "resolved", "dossier {i}");
        let signed = tracking["route"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == "signed")
            .count();
        assert_eq!(signed, 1, "dossier {i} is signed once");
        let item = &done["items"][i];
        let verify: Value = s
            .app
            .get(&format!(
                "/api/v1/verify/{}",
                item["verify"].as_str().unwrap()
            ))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(verify["sha256"], item["document"], "dossier {i}");
    }
}

/// An asynchronous result that never arrives (here the callback URL answers
/// 404, and the provider delivers once) leaves the batch waiting; after
/// fifteen minutes without it the batch stops waiting, says so, and offers a
/// new code for the documents still to sign.
#[tokio::test(flavor = "multi_thread")]
async fn a_batch_stops_waiting_for_an_asynchronous_result_that_never_comes() {
    let s = setup(&[(
        "csc_callback_url",
        "http://desk.spin.internal/api/v1/signing/nowhere",
    )])
    .await;
    let ids = vec![
        awaiting_signature(&s, 0).await.0,
        awaiting_signature(&s, 1).await.0,
    ];
    let batch = select(&s.semn, &ids).await;
    let code = outbox_codes(&s.app, SIGNER_PHONE).await.remove(0);
    enter_code(&s.semn, &batch, &code).await;
    let waiting = batch_json(&s.semn, &batch).await;
    assert!(!waiting["in_flight"].is_null(), "{waiting}");
    let page = s.semn.html(&batch).await;
    assert!(page.contains("Furnizorul de semnare semnează"), "{page}");

    // Fourteen minutes on, it still waits; sixteen, and it gives up.
    for (minutes, waits) in [(14, true), (16, false)] {
        let (key, mut stored) = stored_batch(&s.app, &batch).await;
        let since = chrono::Utc::now() - chrono::TimeDelta::minutes(minutes);
        stored["in_flight"]["since"] = json!(since.to_rfc3339());
        write_batch(&s.app, &key, &stored).await;
        let now = batch_json(&s.semn, &batch).await;
        assert_eq!(
            !now["in_flight"].is_null(),
            waits,
            "after {minutes} minutes: {now}"
        );
    }
    let page = s.semn.html(&batch).await;
    assert!(page.contains("nu a trimis la timp rezultatul"), "{page}");
    assert!(page.contains("Trimite un cod nou"), "{page}");
    assert_eq!(
        states(&batch_json(&s.semn, &batch).await),
        ["pending", "pending"]
    );
    let r = s.semn.form(&format!("{batch}/code"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(outbox_codes(&s.app, SIGNER_PHONE).await.len(), 2);
}
