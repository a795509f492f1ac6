//! The signer's batch in a real browser (issue 6): headless Chromium, driven by
//! playwright-core (`tests/browser/signer.mjs`), signs in to the desk as the
//! signer, selects the 25 documents waiting for signature, checks each is
//! listed with its SHA-256, types the one code from the sandbox outbox and
//! sees 25 documents signed and issued, then opens one verification link.
//! Before typing the code it opens the batch's first and last documents from
//! the batch page ("sign what you see"): each a PDF with the SHA-256 shown.
//! Every desk page on the way passes axe-core and reflows at 320 px.
//! Screenshots land in `<target dir>/browser-artifacts/<test name>/`.
//!
//! Independently of the browser, the test then reads every dossier's public
//! tracking JSON (all resolved, the route ending signed then issued) and the
//! sandbox provider's call record (one code, one authorization).

use std::time::Duration;

use ghiseu_tests::{App, Backend, workspace_root};
use serde_json::{Value, json};

use crate::browser::{artifacts_dir, assert_inspected, require_toolchain, run_script};
use crate::signing::{SIGNER_PHONE, csc_calls, enroll, tenant};

const DOCUMENTS: usize = 25;
/// Browser start, 25 signatures and the checks; generous for a busy 2-core machine.
const SIGNER_TIMEOUT: Duration = Duration::from_secs(240);

/// The signing tests' tenant with `DOCUMENTS` dossiers waiting for signature,
/// each with its own one-page response letter.
fn seed() -> Value {
    let mut t = tenant();
    t["demo_dossiers"] = (0..DOCUMENTS)
        .map(|n| {
            json!({
                "key": format!("de-semnat-{n}"),
                "document_type": "certificat-urbanism",
                "registrar": "reg",
                "actions": [
                    {"by": "sef", "action": "assign", "department": "urbanism"},
                    {"by": "sef", "action": "attach_response",
                     "text": format!("Răspuns nr. {n}: se emite certificatul de urbanism.")},
                    {"by": "sef", "action": "send_for_signature"}
                ]
            })
        })
        .collect();
    json!({"tenants": [t]})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_signer_signs_25_documents_in_a_browser_with_one_code() {
    let test = "the_signer_signs_25_documents_in_a_browser_with_one_code";
    require_toolchain(&workspace_root().join("tests/browser"));
    let artifacts = artifacts_dir(test);
    println!("browser artifacts: {}", artifacts.display());

    // Arrange: 25 dossiers waiting for signature, the signer enrolled at the provider.
    let app = App::desk(Backend::Sqlite).spawn().await;
    let r = app.seed(&seed()).await;
    assert_eq!(r.status(), 200, "seeding: {}", r.text().await.unwrap());
    let seeded: Value = r.json().await.unwrap();
    let dossiers = seeded["dossiers"].as_array().expect("the seeded dossiers");
    assert_eq!(dossiers.len(), DOCUMENTS, "{seeded:#}");
    for d in dossiers {
        assert_eq!(d["status"], "awaiting_signature", "{d}");
    }
    let numbers: Vec<&str> = dossiers
        .iter()
        .map(|d| d["registration_number"].as_str().unwrap())
        .collect();
    let credential = enroll(&app, "alfa/semn", "Silviu Semnatar", SIGNER_PHONE).await;
    let config = json!({
        "institution": "alfa",
        "signer": {"username": "semn", "password": "parola-semn", "name": "Silviu Semnatar"},
        "phone": SIGNER_PHONE,
        "registration_numbers": numbers,
        // What the president must read as titles, never as codes.
        "raw_codes": ["certificat-urbanism", "(paper)"],
    });

    // Act: the signer, in the browser.
    let result = run_script(&app, "signer.mjs", &artifacts, &config, SIGNER_TIMEOUT).await;
    assert!(artifacts.join("05-batch-360x740.png").is_file());
    assert!(artifacts.join("07-verification.png").is_file());
    // Every desk page the president saw was inspected (axe-core, reflow at 320 px).
    assert_inspected(
        &artifacts,
        &[
            "inbox",
            "queue",
            "batch",
            "batch-signed",
            "queue-empty",
            "account",
        ],
    );

    // Assert, without the browser: every dossier is resolved, signed then issued.
    for d in dossiers {
        let url = d["tracking_url"].as_str().unwrap();
        let token = url.rsplit('/').next().unwrap();
        let r = app.get(&format!("/api/v1/track/{token}")).await;
        assert_eq!(r.status(), 200, "tracking {url}");
        let json: Value = r.json().await.unwrap();
        assert_eq!(json["registration_number"], d["registration_number"]);
        assert_eq!(json["status"], "resolved", "{json:#}");
        let events: Vec<&str> = json["route"]
            .as_array()
            .expect("a route")
            .iter()
            .map(|e| e["event"].as_str().unwrap_or_default())
            .collect();
        assert!(events.ends_with(&["signed", "issued"]), "{events:?}");
    }
    // One code, one authorization for the 25 hashes.
    assert_eq!(csc_calls(&app, &credential, "credentials/sendOTP").await, 1);
    assert_eq!(
        csc_calls(&app, &credential, "credentials/authorize").await,
        1
    );
    // Every verification link the page showed is a valid issued document.
    let verify = result["verify"].as_array().expect("verification tokens");
    assert_eq!(verify.len(), DOCUMENTS);
    for token in verify {
        let token = token.as_str().unwrap();
        let r = app.get(&format!("/api/v1/verify/{token}")).await;
        assert_eq!(r.status(), 200, "verify {token}");
        let json: Value = r.json().await.unwrap();
        assert_eq!(json["valid"], true, "{json}");
    }
}
