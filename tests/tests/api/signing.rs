//! The signer's batch end to end (issue 6): a signer selects documents waiting
//! for signature, receives one code from the sandbox signing provider (CSC API
//! v2), enters it, and every document is signed (PAdES), issued, and
//! verifiable on its public page; a document changed after selection fails
//! alone.

use ghiseu_tests::{App, Backend, Official, TestApp, csrf_in};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// The phone the sandbox sends the signer's codes to.
pub(crate) const SIGNER_PHONE: &str = "+40700000101";

/// A county council with a registrar, a head of the first department and two signers.
pub(crate) fn tenant() -> Value {
    json!({
        "slug": "alfa", "name": "Consiliul Județean Alfa", "kind": "county_council",
        "registration_prefix": "ALF", "languages": ["ro"],
        "departments": [
            {"code": "registratura", "name": "Registratura"},
            {"code": "urbanism", "name": "Direcția Urbanism"}
        ],
        "officials": [
            {"username": "reg", "display_name": "Rita Registru", "department": "registratura",
             "roles": ["registrar"], "password": "parola-reg"},
            {"username": "sef", "display_name": "Sorin Șef", "department": "urbanism",
             "roles": ["head_of_department"], "password": "parola-sef"},
            {"username": "semn", "display_name": "Silviu Semnatar", "department": null,
             "roles": ["signer"], "password": "parola-semn"},
            {"username": "semn2", "display_name": "Sanda Semnatar", "department": null,
             "roles": ["signer"], "password": "parola-semn2"}
        ],
        "document_types": [
            {"code": "certificat-urbanism", "titles": {"ro": "Certificat de urbanism"},
             "deadline": {"count": "calendar_days", "days": 30}, "first_department": "urbanism"}
        ]
    })
}

pub(crate) struct Setup {
    pub(crate) app: TestApp,
    /// The signer's credential at the sandbox provider.
    pub(crate) credential: String,
    pub(crate) reg: Official,
    pub(crate) sef: Official,
    pub(crate) semn: Official,
}

/// The desk and the sandbox with `variables` set in the runtime config.
pub(crate) async fn setup(variables: &[(&str, &str)]) -> Setup {
    let mut app = App::desk(Backend::Sqlite);
    for (name, value) in variables {
        app = app.config_variable(name, value);
    }
    let app = app.spawn().await;
    let r = app.seed(&json!({"tenants": [tenant()]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let credential = enroll(&app, "alfa/semn", "Silviu Semnatar", SIGNER_PHONE).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let semn = app.desk_sign_in("alfa", "semn", "parola-semn").await;
    Setup {
        app,
        credential,
        reg,
        sef,
        semn,
    }
}

/// Enrolls a signing credential at the sandbox provider; its id.
pub(crate) async fn enroll(app: &TestApp, user: &str, name: &str, phone: &str) -> String {
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/sandbox/csc/credentials"))
        .bearer_auth(ghiseu_tests::TEST_CSC_CLIENT_SECRET)
        .json(&json!({"user_id": user, "name": name, "phone": phone}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "enrollment: {}", r.status());
    let answer: Value = r.json().await.unwrap();
    answer["credential_id"].as_str().unwrap().to_owned()
}

/// A real PDF (the cerere renderer's), different for every `n`.
pub(crate) fn response_pdf(n: usize) -> Vec<u8> {
    ghiseu_tests::real_pdf(&format!(
        "Răspuns nr. {n}: se emite certificatul de urbanism."
    ))
}

/// Registers a dossier, attaches response `n` and sends it for signature;
/// returns (id, registration number, tracking token).
pub(crate) async fn awaiting_signature(s: &Setup, n: usize) -> (String, String, String) {
    awaiting_signature_with(s, n, &[]).await
}

/// [`awaiting_signature`], registered with `extra` intake fields.
pub(crate) async fn awaiting_signature_with(
    s: &Setup,
    n: usize,
    extra: &[(&str, &str)],
) -> (String, String, String) {
    let (id, regno, token) = s.reg.register_with("certificat-urbanism", extra).await;
    attach(&s.sef, &id, n).await;
    let r = s
        .sef
        .act_now(&id, &[("action", "send_for_signature")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    (id, regno, token)
}

pub(crate) async fn attach(sef: &Official, id: &str, n: usize) {
    let head = sef.route_head(id).await;
    let form = Form::new()
        .text("csrf", sef.csrf.clone())
        .text("route_head", head)
        .part(
            "document",
            Part::bytes(response_pdf(n)).file_name(format!("raspuns-{n}.pdf")),
        );
    let r = sef
        .multipart(&format!("/desk/dossiers/{id}/response"), form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "attaching response {n}");
}

/// The `Host` an attacker puts on the request that selects the batch: the
/// verification link in the signed acts must not follow it.
pub(crate) const FORGED_HOST: &str = "ghiseu.attacker.example";

/// Selects `ids` in the signer's queue (with a forged `Host`); returns the
/// batch's path.
pub(crate) async fn select(semn: &Official, ids: &[String]) -> String {
    let queue = semn.html("/desk/sign").await;
    let mut fields: Vec<(&str, &str)> = vec![("csrf", semn.csrf.as_str())];
    for id in ids {
        assert!(queue.contains(id.as_str()), "{id} is in the queue");
        fields.push(("d", id));
    }
    let r = semn
        .client
        .post(format!("{}/desk/sign/batches", semn.base))
        .header("cookie", &semn.cookie)
        .header("host", FORGED_HOST)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    r.headers()["location"].to_str().unwrap().to_owned()
}

pub(crate) async fn outbox_codes(app: &TestApp, phone: &str) -> Vec<String> {
    let r = app
        .get(&format!(
            "/api/v1/sandbox/outbox?to={}",
            ghiseu_tests::percent_encode(phone)
        ))
        .await;
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| {
            let text = m["text"].as_str()?;
            text.split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 6)
                .map(str::to_owned)
        })
        .collect()
}

/// Enters the signing code on the batch page; the desk answers with the batch again.
pub(crate) async fn enter_code(semn: &Official, batch: &str, code: &str) {
    let r = semn.form(batch, &[("otp", code)]).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
}

pub(crate) async fn batch_json(semn: &Official, path: &str) -> Value {
    let r = semn.get(&format!("{path}.json")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// A file of dossier `id` as the desk serves it.
pub(crate) async fn signed_file(official: &Official, id: &str, sha256: &str) -> Vec<u8> {
    let r = official
        .get(&format!("/desk/dossiers/{id}/files/{sha256}"))
        .await;
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap().to_vec()
}

/// The sandbox signing provider's development CA (PEM).
pub(crate) async fn sandbox_ca(app: &TestApp) -> String {
    let r = app.get("/api/v1/sandbox/csc/ca.pem").await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// The DER of a one-certificate PEM.
pub(crate) fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

pub(crate) fn states(batch: &Value) -> Vec<String> {
    batch["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap().to_owned())
        .collect()
}

/// How many successful `method` calls (e.g. `credentials/authorize`) the
/// sandbox provider recorded for `credential`.
pub(crate) async fn csc_calls(app: &TestApp, credential: &str, method: &str) -> usize {
    let r = app
        .get(&format!(
            "/api/v1/sandbox/csc/calls?credential={}",
            ghiseu_tests::percent_encode(credential)
        ))
        .await;
    assert_eq!(r.status(), 200);
    let calls: Value = r.json().await.unwrap();
    calls["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["method"] == method && c["result"] == "ok")
        .count()
}

#[tokio::test(flavor = "multi_thread")]
pub(crate) async fn a_batch_of_25_is_signed_with_one_code_and_a_changed_document_fails_alone() {
    let s = setup(&[]).await;
    let mut dossiers = Vec::new();
    for n in 0..25 {
        dossiers.push(awaiting_signature(&s, n).await);
    }
    let ids: Vec<String> = dossiers.iter().map(|d| d.0.clone()).collect();
    let batch = select(&s.semn, &ids).await;

    // "Sign what you see": every document is listed with its SHA-256.
    let page = s.semn.html(&batch).await;
    for n in 0..25 {
        assert!(
            page.contains(&ghiseu_tests::sha256_hex(&response_pdf(n))),
            "the hash of response {n} is shown"
        );
    }
    assert_eq!(outbox_codes(&s.app, SIGNER_PHONE).await.len(), 1);

    // Document 7 changes after selection: taken back, a new response, sent again.
    let changed = &dossiers[7].0;
    let r = s
        .sef
        .act_now(changed, &[("action", "assign"), ("department", "urbanism")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    attach(&s.sef, changed, 1000).await;
    let r = s
        .sef
        .act_now(changed, &[("action", "send_for_signature")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A wrong code signs nothing, and says how many tries are left.
    let r = s.semn.form(&batch, &[("otp", "000000")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text().await.unwrap();
    assert!(text.contains("mai aveți 4 încercări"), "{text}");
    assert!(
        states(&batch_json(&s.semn, &batch).await)
            .iter()
            .all(|st| st == "pending")
    );

    let code = outbox_codes(&s.app, SIGNER_PHONE).await.remove(0);
    enter_code(&s.semn, &batch, &code).await;
    let result = batch_json(&s.semn, &batch).await;
    let st = states(&result);
    assert_eq!(st.iter().filter(|x| *x == "signed").count(), 24, "{result}");
    assert_eq!(st[7], "failed");
    assert!(
        result["items"][7]["reason"]
            .as_str()
            .unwrap()
            .contains("changed")
    );
    // One code, one authorization for the 25 hashes (the wrong code was refused).
    assert_eq!(
        csc_calls(&s.app, &s.credential, "credentials/sendOTP").await,
        1
    );
    assert_eq!(
        csc_calls(&s.app, &s.credential, "credentials/authorize").await,
        1
    );
    assert_eq!(outbox_codes(&s.app, SIGNER_PHONE).await.len(), 1);

    // The changed document still waits for signature; the others are issued.
    let t = |token: &str| format!("/api/v1/track/{token}");
    let changed_json: Value = s.app.get(&t(&dossiers[7].2)).await.json().await.unwrap();
    assert_eq!(changed_json["status"], "awaiting_signature");
    let first: Value = s.app.get(&t(&dossiers[0].2)).await.json().await.unwrap();
    assert_eq!(first["status"], "resolved");
    let events: Vec<&str> = first["route"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events[events.len() - 2..], ["signed", "issued"]);

    // The signed PDF: valid for poppler with the signer's name, verifiable
    // with openssl against the sandbox's CA, and on its public page.
    let item = &result["items"][0];
    let document = item["document"].as_str().unwrap();
    let signed = signed_file(&s.semn, &ids[0], document).await;
    assert!(signed.starts_with(&response_pdf(0)));
    let report = ghiseu_tests::pdfsig(&signed);
    assert!(report.contains("Signature is Valid"), "{report}");
    assert!(report.contains("Silviu Semnatar"), "{report}");
    let ca = sandbox_ca(&s.app).await;
    let (ok, out) = ghiseu_tests::openssl_cms_verify(&signed, &ca);
    assert!(ok, "{out}");
    let verify = item["verify"].as_str().unwrap();
    let text = ghiseu_tests::pdftotext(&signed);
    // The stamp: the signer, and the verification link (on two lines).
    assert!(
        text.contains("Semnat electronic de Silviu Semnatar"),
        "{text}"
    );
    assert!(text.contains("/verify/") && text.contains(verify), "{text}");
    // ... on the institution's configured address, whatever Host the
    // selecting request carried.
    assert!(
        text.contains(&format!("{}/verify/", s.app.address)),
        "{text}"
    );
    assert!(!text.contains(FORGED_HOST), "{text}");

    let page = s.app.get(&format!("/verify/{verify}")).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Semnătură validă"), "{page}");
    assert!(page.contains("Silviu Semnatar"));
    assert!(page.contains(&dossiers[0].1));
    let json: Value = s
        .app
        .get(&format!("/api/v1/verify/{verify}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["valid"], true, "{json}");
    assert_eq!(json["sha256"], document);
    let pdf = s
        .app
        .get(&format!("/verify/{verify}/document.pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(pdf.as_ref(), signed.as_slice());
    assert_eq!(
        s.app
            .get("/verify/0000000000000000000000000Z")
            .await
            .status(),
        404
    );
    assert_eq!(s.app.get("/api/v1/verify/nonsense").await.status(), 404);

    // The code was used: posting it again signs nothing more.
    let r = s.semn.form(&batch, &[("otp", &code)]).await;
    assert!(r.status() == StatusCode::SEE_OTHER || r.status() == 422);
    assert_eq!(
        csc_calls(&s.app, &s.credential, "signatures/signHash").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
pub(crate) async fn with_a_tsa_every_signature_gets_a_timestamp_b_t() {
    let s = setup(&[("tsa_url", "http://sandbox.spin.internal/sandbox/tsa")]).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(awaiting_signature(&s, n).await.0);
    }
    let batch = select(&s.semn, &ids).await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);

    let code = outbox_codes(&s.app, SIGNER_PHONE).await.remove(0);
    enter_code(&s.semn, &batch, &code).await;

    let result = batch_json(&s.semn, &batch).await;
    assert_eq!(states(&result), ["signed", "signed", "signed"], "{result}");
    let ca_pem = sandbox_ca(&s.app).await;
    let ca_der = pem_der(&ca_pem);
    for (n, id) in ids.iter().enumerate() {
        let document = result["items"][n]["document"].as_str().unwrap();
        let signed = signed_file(&s.semn, id, document).await;
        let report = ghiseu_tests::pdfsig(&signed);
        assert!(report.contains("Signature is Valid"), "{report}");
        let (ok, out) = ghiseu_tests::openssl_cms_verify(&signed, &ca_pem);
        assert!(ok, "{out}");
        // The timestamp of the sandbox TSA, under the sandbox CA, taken now.
        let verified = ghiseu_pades::verify(&signed, std::slice::from_ref(&ca_der)).unwrap();
        assert!(verified.valid(), "{verified:?}");
        let signature = &verified.signatures[0];
        let time = signature.timestamp.expect("a signature timestamp");
        assert!(
            time >= before && time <= chrono::Utc::now(),
            "{time} {:?}",
            signature.problems
        );
    }
    // The public verification shows the attested time too.
    let verify = result["items"][0]["verify"].as_str().unwrap();
    let json: Value = s
        .app
        .get(&format!("/api/v1/verify/{verify}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["valid"], true, "{json}");
    assert!(json["timestamp"].is_string(), "{json}");
    let page = s
        .app
        .get(&format!("/verify/{verify}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Marcă temporală"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
pub(crate) async fn a_tsa_that_fails_fails_each_document_with_its_reason() {
    // Nothing answers there: no document is issued without its timestamp.
    let s = setup(&[("tsa_url", "http://sandbox.spin.internal/sandbox/no-tsa")]).await;
    let id = awaiting_signature(&s, 0).await.0;
    let batch = select(&s.semn, std::slice::from_ref(&id)).await;

    let code = outbox_codes(&s.app, SIGNER_PHONE).await.remove(0);
    enter_code(&s.semn, &batch, &code).await;

    let result = batch_json(&s.semn, &batch).await;
    assert_eq!(states(&result), ["failed"], "{result}");
    let reason = result["items"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("Marca temporală"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
pub(crate) async fn only_the_signer_signs_and_only_their_own_batch() {
    let s = setup(&[]).await;
    let (id, _, _) = awaiting_signature(&s, 1).await;
    // A head of department cannot start a batch.
    let r = s.sef.form("/desk/sign/batches", &[("d", &id)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "{:?}", r.headers());
    // Nothing selected, or a bad CSRF token: refused.
    let r = s.semn.form("/desk/sign/batches", &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = s
        .semn
        .client
        .post(s.app.url("/desk/sign/batches"))
        .header("cookie", &s.semn.cookie)
        .form(&[("csrf", "forged"), ("d", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Another signer of the tenant cannot see or complete this signer's batch.
    let batch = select(&s.semn, std::slice::from_ref(&id)).await;
    let other = s.app.desk_sign_in("alfa", "semn2", "parola-semn2").await;
    assert_eq!(other.get(&batch).await.status(), 404);
    let code = outbox_codes(&s.app, SIGNER_PHONE).await.remove(0);
    let r = other.form(&batch, &[("otp", &code)]).await;
    assert_eq!(r.status(), 404);
    // A signer without a credential is told so.
    let r = other.form("/desk/sign/batches", &[("d", &id)]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(csrf_in(&s.semn.html("/desk/sign").await).len() > 10);
}

#[tokio::test(flavor = "multi_thread")]
pub(crate) async fn a_batch_larger_than_multisign_takes_one_code_per_part() {
    let s = setup(&[("csc_multisign", "10")]).await;
    let mut ids = Vec::new();
    for n in 0..25 {
        ids.push(awaiting_signature(&s, n).await.0);
    }
    let batch = select(&s.semn, &ids).await;
    for (part, signed_after) in [(1, 10), (2, 20), (3, 25)] {
        let codes = outbox_codes(&s.app, SIGNER_PHONE).await;
        assert_eq!(codes.len(), part, "one code per part");
        // The outbox lists the newest first.
        enter_code(&s.semn, &batch, &codes[0]).await;
        let st = states(&batch_json(&s.semn, &batch).await);
        assert_eq!(st.iter().filter(|x| *x == "signed").count(), signed_after);
    }
    assert_eq!(
        csc_calls(&s.app, &s.credential, "credentials/authorize").await,
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
pub(crate) async fn asynchronous_results_complete_the_batch_and_replays_change_nothing() {
    let s = setup(&[(
        "csc_callback_url",
        "http://desk.spin.internal/api/v1/signing/callback",
    )])
    .await;
    let mut dossiers = Vec::new();
    for n in 0..3 {
        dossiers.push(awaiting_signature(&s, n).await);
    }
    let ids: Vec<String> = dossiers.iter().map(|d| d.0.clone()).collect();
    let batch = select(&s.semn, &ids).await;
    let code = outbox_codes(&s.app, SIGNER_PHONE).await.remove(0);
    enter_code(&s.semn, &batch, &code).await;
    // The service answers at once and delivers the signatures to the callback.
    let mut result = batch_json(&s.semn, &batch).await;
    for _ in 0..100 {
        if result["in_flight"].is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        result = batch_json(&s.semn, &batch).await;
    }
    assert!(result["in_flight"].is_null(), "no result arrived: {result}");
    if states(&result).iter().any(|x| x != "signed") {
        panic!("host log:\n{}", s.app.log());
    }
    assert_eq!(states(&result), ["signed", "signed", "signed"], "{result}");
    // `{part}/{responseID}`: the replay below repeats the very result.
    let (part, response_id) = result["answered"][0]
        .as_str()
        .unwrap()
        .split_once('/')
        .map(|(p, r)| (p.to_owned(), r.to_owned()))
        .unwrap();
    let route_len = |j: &Value| j["route"].as_array().unwrap().len();
    let track = format!("/api/v1/track/{}", dossiers[0].2);
    let before: Value = s.app.get(&track).await.json().await.unwrap();
    assert_eq!(before["status"], "resolved");

    let post = |body: Vec<u8>, signature: String| {
        reqwest::Client::new()
            .post(s.app.url("/api/v1/signing/callback"))
            .header("content-type", "application/json")
            .header(ghiseu_platform::csc::CALLBACK_SIGNATURE_HEADER, signature)
            .body(body)
            .send()
    };
    let client_data = format!("alfa/{}/{part}", batch.rsplit('/').next().unwrap());
    let body = serde_json::to_vec(&json!({
        "responseID": response_id,
        "clientData": client_data,
        "signatures": ["AAAA", "AAAA", "AAAA"],
    }))
    .unwrap();
    // A bad HMAC: 401, nothing read.
    let r = post(body.clone(), format!("sha256={}", "0".repeat(64)))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A replay with a valid HMAC: accepted as already applied, nothing changes.
    let signature =
        ghiseu_platform::csc::callback_signature(ghiseu_tests::TEST_CSC_CALLBACK_SECRET, &body);
    let r = post(body, signature).await.unwrap();
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["applied"], false);
    let after: Value = s.app.get(&track).await.json().await.unwrap();
    assert_eq!(route_len(&after), route_len(&before));
    assert_eq!(after["route_head"], before["route_head"]);
    assert_eq!(
        states(&batch_json(&s.semn, &batch).await),
        ["signed", "signed", "signed"]
    );
}

/// The citizens of a signed batch hear of their issued acts: the messages of
/// each part of the issuing loop (20 documents) are queued in the outbox
/// before the response and delivered once it is out; each citizen gets one
/// message naming their number, and the outbox drains.
#[tokio::test(flavor = "multi_thread")]
async fn every_citizen_of_a_signed_batch_is_told_once_after_the_response() {
    let s = setup(&[]).await;
    // 21 documents: two parts of the issuing loop, each queued on its own.
    let mut dossiers = Vec::new();
    for n in 0..21 {
        let phone = format!("+4074520{n:04}");
        let (id, number, _) = awaiting_signature_with(&s, n, &[("phone", phone.as_str())]).await;
        dossiers.push((id, number, phone));
    }
    let messages = |phone: String| {
        let app = &s.app;
        async move {
            let r = app
                .get(&format!(
                    "/api/v1/sandbox/outbox?to={}",
                    ghiseu_tests::percent_encode(&phone)
                ))
                .await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["messages"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let mut before = Vec::new();
    for (_, _, phone) in &dossiers {
        before.push(messages(phone.clone()).await.len());
    }
    let ids: Vec<String> = dossiers.iter().map(|d| d.0.clone()).collect();
    let batch = select(&s.semn, &ids).await;
    let code = outbox_codes(&s.app, SIGNER_PHONE).await.remove(0);
    enter_code(&s.semn, &batch, &code).await;
    let st = states(&batch_json(&s.semn, &batch).await);
    assert!(st.iter().all(|x| x == "signed"), "{st:?}");

    // Delivered after the response: wait for it, within bounds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    for ((_, number, phone), before) in dossiers.iter().zip(before) {
        let got = loop {
            let got = messages(phone.clone()).await;
            if got.len() > before || std::time::Instant::now() > deadline {
                break got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        assert_eq!(got.len(), before + 1, "one message to {phone}: {got:?}");
        // The outbox lists the newest first.
        let text = got[0]["text"].as_str().unwrap();
        assert!(text.contains(number.as_str()), "{text}");
    }
    let r = reqwest::Client::new()
        .get(s.app.url("/api/v1/platform/metrics"))
        .bearer_auth(ghiseu_tests::TEST_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let metrics = r.text().await.unwrap();
    assert!(
        metrics.lines().any(|l| l == "ghiseu_outbox_pending 0"),
        "the outbox drained: {metrics}"
    );
}
