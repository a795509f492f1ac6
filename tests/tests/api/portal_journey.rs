//! The citizen's journeys: from account to resolution over HTTP, and the same in
//! a browser (tests/browser/citizen.mjs).

use ghiseu_tests::{App, Backend, TestApp};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::portal::*;

/// The whole journey of issue 5 through HTTP: register → verify → submit with
/// two attachments → my documents → the institution asks for information →
/// the citizen answers with text and a file → resolved → the messages.
#[tokio::test]
async fn the_citizen_journey_from_account_to_resolution() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let mut b = registered(&app).await;
    b.get("/portal/new/alfa/aviz").await;
    let csrf = b.csrf.clone();
    let (status, location, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(
                &csrf,
                &[("f_adresa", "Piața Unirii 1"), ("f_motiv", "Eveniment")],
                pdf("plan"),
                "plan.pdf",
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let number = location.rsplit('=').next().unwrap().to_owned();

    // The registry asks for information.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=all").await;
    // The registrar routes it; a tenant admin asks and decides (roles).
    let r = reg
        .act_now(&id, &[("action", "assign"), ("department", "registratura")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let admin = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let r = admin
        .act_now(
            &id,
            &[
                ("action", "request_info"),
                ("question", "Trimiteți avizul poliției locale"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The citizen sees the question and answers with text and a file.
    let (_, html) = b.get("/portal").await;
    let reply_path = format!("/portal/documents/alfa/{id}/reply");
    assert!(html.contains(&reply_path), "{html}");
    let (status, html) = b.get(&reply_path).await;
    assert_eq!(status, 200);
    assert!(html.contains("avizul poliției locale"));
    let csrf = b.csrf.clone();
    let form = Form::new()
        .text("csrf", csrf)
        .text("message", "Atașez avizul cerut.")
        .part(
            "files",
            Part::bytes(pdf("aviz politie")).file_name("aviz-politie.pdf"),
        );
    let (status, location, _) = b.post_multipart(&reply_path, form, None).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal")
    );
    // Another citizen cannot reach that reply form.
    let mut other = signed_up(&app, "Alt Om", "+40745000444").await;
    assert_eq!(other.get(&reply_path).await.0, StatusCode::NOT_FOUND);

    // The desk sees the reply and its file; then resolves.
    let page = reg.page(&id).await;
    assert!(page.contains("Atașez avizul cerut.") && page.contains("aviz-politie.pdf"));
    // A response is attached and issued by the resolution.
    let answer = pdf("aviz emis");
    let form = Form::new()
        .text("csrf", admin.csrf.clone())
        .text("route_head", admin.route_head(&id).await)
        .part(
            "document",
            Part::bytes(answer.clone()).file_name("aviz.pdf"),
        );
    let r = admin
        .multipart(&format!("/desk/dossiers/{id}/response"), form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let issued = format!("/portal/documents/alfa/{id}/issued.pdf");
    assert_eq!(
        b.get_bytes(&issued).await.0,
        StatusCode::NOT_FOUND,
        "not issued yet"
    );
    let r = admin
        .act_now(&id, &[("action", "resolve"), ("resolve_note", "Aviz emis")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.get("/portal").await;
    assert!(
        html.contains(&number) && html.contains("Soluționat"),
        "{html}"
    );
    // The citizen downloads the issued document; another citizen cannot.
    assert!(html.contains(&issued), "{html}");
    let (status, kind, bytes) = b.get_bytes(&issued).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert_eq!(bytes, answer);
    assert_eq!(other.get_bytes(&issued).await.0, StatusCode::NOT_FOUND);

    // The messages: registration, in progress, awaiting reply, in progress, resolved.
    let sms = outbox(&app, PHONE).await;
    // Within two segments an SMS may be written in GSM-7 letters.
    let about: Vec<String> = sms
        .iter()
        .map(|m| ghiseu_core::sms::to_gsm7(m["text"].as_str().unwrap()))
        .filter(|t| t.contains(&number))
        .collect();
    assert_eq!(about.len(), 5, "{about:#?}");
    assert!(about[0].contains("Solutionat"));
    assert!(about.iter().any(|t| t.contains("avizul politiei locale")));
}

/// Runs `tests/browser/citizen.mjs` in `mode`; its RESULT line.
async fn citizen_browser(
    app: &TestApp,
    artifacts: &std::path::Path,
    config: &std::path::Path,
    mode: &str,
) -> Value {
    let browser_dir = ghiseu_tests::workspace_root().join("tests/browser");
    let child = tokio::process::Command::new("node")
        .arg(browser_dir.join("citizen.mjs"))
        .arg(&app.address)
        .arg(artifacts)
        .arg(config)
        .arg(mode)
        .current_dir(&browser_dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawning node");
    let output = tokio::time::timeout(
        std::time::Duration::from_secs(180),
        child.wait_with_output(),
    )
    .await
    .unwrap_or_else(|_| panic!("the citizen browser ({mode}) did not finish in 180 s"))
    .expect("waiting for node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the citizen browser ({mode}) failed; screenshots in {}\n{stdout}\n{stderr}\n--- host log\n{}",
        artifacts.display(),
        app.log()
    );
    stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RESULT "))
        .map(|l| serde_json::from_str(l).expect("RESULT is JSON"))
        .expect("no RESULT line")
}

/// Acts on the only open dossier of alfa as the tenant administrator.
async fn admin_acts(app: &TestApp, fields: &[(&str, &str)]) {
    let admin = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let id = admin.first_in_inbox("view=all").await;
    let r = admin.act_now(&id, fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{fields:?}");
}

/// Issue 5's journey in headless Chromium on a phone-sized screen: account,
/// SMS code, submission with two attachments, the institution's question, the
/// citizen's reply, resolution; the messages are in the outbox.
#[tokio::test]
async fn the_citizen_journey_in_a_browser() {
    let test = "the_citizen_journey_in_a_browser";
    let browser_dir = ghiseu_tests::workspace_root().join("tests/browser");
    crate::browser::require_toolchain(&browser_dir);
    let artifacts = crate::browser::artifacts_dir(test);
    println!("browser artifacts: {}", artifacts.display());
    // The browser follows the payment's and identification's return pages,
    // which are on the platform's configured address: this platform's own.
    let app = App::desk(Backend::Sqlite)
        .public_at_own_address()
        .spawn()
        .await;
    assert_eq!(app.seed(&seed()).await.status(), 200);
    create_type(&app, &aviz("aviz", "simple")).await;
    let config = artifacts.join("citizen.json");
    std::fs::write(
        &config,
        serde_json::to_vec_pretty(&json!({
            "name": "Ioana Ungur-Kovács", "phone": "0745 000 555", "phone_e164": "+40745000555",
            "password": "parola mea de test 2026", "form_path": "/portal/new/alfa/aviz",
            "fields": {"f_adresa": "Str. Fabricii 7, Cluj-Napoca", "f_motiv": "Schelă pentru fațadă"},
            "files": ["f_plan", "f_act"], "pages": "f_act",
            "reply": "Am atașat avizul poliției locale.",
            "state": artifacts.join("state.json"),
            "identity": {"kind": "ci", "series": "CJ", "number": "654321",
                "cnp": "2850612120016", "surname": "Ungur-Kovács", "given_name": "Ioana"}
        }))
        .unwrap(),
    )
    .unwrap();
    let submitted = citizen_browser(&app, &artifacts, &config, "submit").await;
    let number = submitted["regno"]
        .as_str()
        .expect("a registration number")
        .to_owned();
    admin_acts(
        &app,
        &[
            ("action", "request_info"),
            ("question", "Avizul poliției locale"),
        ],
    )
    .await;
    citizen_browser(&app, &artifacts, &config, "reply").await;
    admin_acts(
        &app,
        &[("action", "resolve"), ("resolve_note", "Aviz emis")],
    )
    .await;
    citizen_browser(&app, &artifacts, &config, "final").await;
    // Then the qualified signature credential: payment, identification, active.
    citizen_browser(&app, &artifacts, &config, "credential").await;
    for name in [
        "01-register",
        "02-form-filled",
        "03-registered",
        "04-reply",
        "05-replied",
        "06-resolved",
        "07-tracking",
        "08-payment",
        "09-identity",
        "10-credential",
    ] {
        let len = std::fs::metadata(artifacts.join(format!("{name}.png"))).map_or(0, |m| m.len());
        assert!(len > 1000, "screenshot {name} missing");
    }
    // The messages the citizen got: the code, then one per public status change.
    let about: Vec<String> = outbox(&app, "+40745000555")
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .filter(|t| t.contains(&number))
        .collect();
    assert_eq!(
        about.len(),
        4,
        "registered, awaiting reply, in progress, resolved: {about:#?}"
    );
}
