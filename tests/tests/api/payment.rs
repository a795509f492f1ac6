//! Buying the qualified signature credential: the portal's order and
//! checkout, the sandbox payment provider's hosted page, the signed webhook,
//! the receipt, and the credential's enrollment.

use ghiseu_tests::{App, Backend, TEST_PAYMENT_SECRET, TEST_PUBLIC_BASE_URL, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::portal::{Browser, aviz, create_type, last_code, pdf, signed_up, spawn, submission};

const PHONE: &str = "+40745000222";
const NAME: &str = "Ion Popescu";
pub(crate) const DECLINED: &str = "4000 0000 0000 0002";
pub(crate) const GOOD_CARD: &str = "4111 1111 1111 1111";

/// The order a checkout belongs to, and the checkout: "Renunță" on the
/// hosted page leads back to the portal's return URL, which names the order.
pub(crate) struct Checkout {
    pub(crate) url: String,
    pub(crate) id: String,
    pub(crate) order: String,
}

/// "Cumpără" on the signature page: the checkout the browser is sent to.
pub(crate) async fn buy(app: &TestApp, b: &mut Browser) -> Checkout {
    let (status, html) = b.get("/portal/signature").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("1,00 lei") && html.contains("Cumpără"),
        "{html}"
    );
    checkout_from(app, b, "/portal/signature/buy").await
}

/// Posts the form of `path` that leads to the provider (the credential's
/// purchase, a request's fee): the checkout the browser is sent to.
pub(crate) async fn checkout_from(app: &TestApp, b: &mut Browser, path: &str) -> Checkout {
    let (status, location, html) = b.post(path, &[("lang", "ro")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let id = location
        .strip_prefix("/sandbox/pay/checkout/")
        .unwrap_or_else(|| panic!("a hosted checkout: {location}"))
        .to_owned();
    // The browser gives up once to learn the return URL (the checkout stays open).
    let r = hosted(app, &location, "", "cancel").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    // The return page is on the platform's configured address.
    assert!(
        back.starts_with(&format!("{TEST_PUBLIC_BASE_URL}/portal/payments/")),
        "{back}"
    );
    let order = back
        .rsplit_once("/portal/payments/")
        .expect("the portal's return URL")
        .1
        .to_owned();
    Checkout {
        url: location,
        id,
        order,
    }
}

/// A provider's hosted page (payment or identification): 200, its own
/// strict CSP, not framable; the HTML.
pub(crate) async fn provider_page(app: &TestApp, url: &str) -> String {
    let r = ghiseu_tests::no_redirects()
        .get(app.url(url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    r.text().await.unwrap()
}

/// POSTs the hosted page's form as a browser would.
pub(crate) async fn hosted(
    app: &TestApp,
    url: &str,
    card: &str,
    action: &str,
) -> reqwest::Response {
    ghiseu_tests::no_redirects()
        .post(app.url(url))
        .form(&[("card", card), ("action", action)])
        .send()
        .await
        .unwrap()
}

/// Pays `checkout` with `card`; the path the browser is sent back to.
pub(crate) async fn pay(app: &TestApp, checkout: &Checkout, card: &str) -> String {
    let r = hosted(app, &checkout.url, card, "pay").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    let path = back
        .find("/portal/")
        .map(|at| back[at..].to_owned())
        .unwrap();
    assert_eq!(path, format!("/portal/payments/{}", checkout.order));
    path
}

pub(crate) fn succeeded(c: &Checkout, receipt: &str, amount: u64) -> Value {
    json!({"event": "payment.succeeded", "checkout_id": c.id, "order_id": c.order,
        "amount_minor": amount, "currency": "RON", "receipt_no": receipt,
        "paid_at": "2026-03-02T09:00:00Z"})
}

pub(crate) async fn webhook(app: &TestApp, event: &Value, secret: &str) -> reqwest::Response {
    let body = serde_json::to_vec(event).unwrap();
    let signature = ghiseu_platform::hmac::signature(secret.as_bytes(), &body);
    reqwest::Client::new()
        .post(app.url("/api/v1/payments/webhook"))
        .header("content-type", "application/json")
        .header("x-ghiseu-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_citizen_pays_one_leu_on_the_hosted_page_and_sees_the_receipt() {
    let app = spawn().await;
    let mut b = signed_up(&app, NAME, PHONE).await;
    let checkout = buy(&app, &mut b).await;

    // The hosted page: merchant, what, how much, a test card, pay or give up.
    let page = provider_page(&app, &checkout.url).await;
    for want in [
        "Ghiseu",
        "Semnătură electronică calificată",
        "1,00 leu",
        "value=\"4111 1111 1111 1111\"",
        "Plătește",
        "Renunță",
        "width=device-width",
    ] {
        assert!(page.contains(want), "{want} missing: {page}");
    }
    // A card number that is not one is explained, nothing is paid.
    let r = hosted(&app, &checkout.url, "1234", "pay").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("role=\"alert\""));

    let back = pay(&app, &checkout, GOOD_CARD).await;
    // Paid: the return page sends the browser on to the identification; the
    // receipt is on the signature page.
    crate::identity::to_identification(&b, &back).await;
    let (status, html) = b.get("/portal/signature").await;
    assert_eq!(status, StatusCode::OK);
    for want in [
        "Plătit",
        "Număr chitanță",
        "SBX-000001",
        "Sumă",
        "1,00 lei",
        "Dată",
    ] {
        assert!(html.contains(want), "{want} missing: {html}");
    }
    // Paying the same checkout again charges nothing more.
    pay(&app, &checkout, GOOD_CARD).await;
    let (_, html) = b.get("/portal").await;
    assert!(
        html.contains("Plățile mele") && html.contains("SBX-000001"),
        "{html}"
    );
    assert!(!html.contains("SBX-000002"), "one payment: {html}");
    let (_, html) = b.get("/portal/signature").await;
    assert_eq!(html.matches("SBX-").count(), 1, "{html}");
    assert!(
        !html.contains("action=\"/portal/signature/buy\""),
        "bought once: {html}"
    );
    // Buying again is refused: the browser goes back to the page.
    let (status, location, _) = b.post("/portal/signature/buy", &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal/signature")
    );

    // Another citizen cannot read this receipt.
    let mut other = signed_up(&app, "Maria Ionescu", "+40745000333").await;
    let (status, _) = other.get(&back).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_forged_host_does_not_reach_the_payments_return_url() {
    let app = spawn().await;
    let mut b = signed_up(&app, NAME, PHONE).await;
    let (status, _) = b.get("/portal/signature").await;
    assert_eq!(status, StatusCode::OK);
    let r = b
        .client
        .post(format!("{}/portal/signature/buy", b.base))
        .header("cookie", b.cookie_header())
        .header("host", "ghiseu.attacker.example")
        .form(&[("csrf", b.csrf.as_str()), ("lang", "ro")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let r = hosted(&app, &location, "", "cancel").await;
    let back = r.headers()["location"].to_str().unwrap();
    assert!(
        back.starts_with(&format!("{TEST_PUBLIC_BASE_URL}/portal/payments/")),
        "the provider sends the citizen back to {back}"
    );
    assert!(!back.contains("attacker"), "{back}");
}

#[tokio::test]
async fn the_webhook_needs_the_signature_and_counts_a_payment_once() {
    let app = spawn().await;
    let mut b = signed_up(&app, NAME, PHONE).await;
    let checkout = buy(&app, &mut b).await;
    let back = format!("/portal/payments/{}", checkout.order);

    // A forged webhook: 401 problem, nothing recorded.
    let r = webhook(&app, &succeeded(&checkout, "FAKE-1", 100), "not-the-secret").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/payments/webhook"))
        .body(serde_json::to_vec(&succeeded(&checkout, "FAKE-2", 100)).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (_, html) = b.get(&back).await;
    assert!(
        html.contains("Așteptăm confirmarea plății") && !html.contains("FAKE-"),
        "{html}"
    );

    // Signed but for the wrong amount or another checkout: nothing changes.
    let r = webhook(&app, &succeeded(&checkout, "R-1", 1), TEST_PAYMENT_SECRET).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut other = succeeded(&checkout, "R-1", 100);
    other["checkout_id"] = json!("another-checkout");
    let r = webhook(&app, &other, TEST_PAYMENT_SECRET).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let (_, html) = b.get(&back).await;
    assert!(!html.contains("R-1"), "{html}");

    // The right one is recorded once; a replay or a second receipt changes nothing.
    let r = webhook(&app, &succeeded(&checkout, "R-1", 100), TEST_PAYMENT_SECRET).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["recorded"], true);
    for receipt in ["R-1", "R-2"] {
        let r = webhook(
            &app,
            &succeeded(&checkout, receipt, 100),
            TEST_PAYMENT_SECRET,
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["recorded"], false);
    }
    let (_, html) = b.get("/portal/signature").await;
    assert!(html.contains("R-1") && !html.contains("R-2"), "{html}");
    assert!(
        html.contains("02.03.2026 11:00"),
        "the time in Romania: {html}"
    );
    let (_, html) = b.get("/portal").await;
    assert_eq!(html.matches("Număr chitanță").count(), 1, "{html}");
}

#[tokio::test]
async fn a_declined_card_pays_nothing_and_gives_no_credential() {
    let app = spawn().await;
    let mut b = signed_up(&app, NAME, PHONE).await;
    let checkout = buy(&app, &mut b).await;
    let back = pay(&app, &checkout, DECLINED).await;
    let (_, html) = b.get(&back).await;
    assert!(html.contains("Plata a fost refuzată"), "{html}");
    assert!(!html.contains("Număr chitanță"), "{html}");
    let page = ghiseu_tests::no_redirects()
        .get(app.url(&checkout.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("refuzată") && !page.contains("Plătește"),
        "{page}"
    );
    // Trying the declined checkout with a good card does not pay it.
    pay(&app, &checkout, GOOD_CARD).await;
    let (_, html) = b.get("/portal/signature").await;
    assert!(
        !html.contains("este activă") && !html.contains("SBX-"),
        "{html}"
    );
    // A new purchase is offered.
    assert!(html.contains("action=\"/portal/signature/buy\""), "{html}");
}

#[tokio::test]
async fn a_paid_purchase_creates_the_citizens_signing_credential_once_identified() {
    let app = spawn().await;
    let mut b = signed_up(&app, NAME, PHONE).await;
    let checkout = buy(&app, &mut b).await;
    let back = pay(&app, &checkout, GOOD_CARD).await;
    // The signing provider knows the citizen by the account and issues the
    // certificate in the name it verified (tests/tests/api/identity.rs).
    let html = crate::identity::identify_after_payment(&app, &mut b, &back, "Ion", "Popescu").await;
    assert!(
        html.contains("Semnătura electronică este activă") && !html.contains("signature/buy"),
        "{html}"
    );
    let (_, html) = b.get(&back).await;
    assert!(
        html.contains("este activă") && html.contains("SBX-000001"),
        "{html}"
    );
}

// ------------------------------------------------------------------ signing

/// A citizen with a paid credential.
pub(crate) async fn with_credential(app: &TestApp, name: &str, phone: &str) -> Browser {
    let mut b = signed_up(app, name, phone).await;
    let checkout = buy(app, &mut b).await;
    let back = pay(app, &checkout, GOOD_CARD).await;
    // The certificate names the person the provider identified: here the
    // same as the sign-up name, which pdfsig reads back below.
    let (given_name, surname) = name.split_once(' ').unwrap();
    let html =
        crate::identity::identify_after_payment(app, &mut b, &back, given_name, surname).await;
    assert!(html.contains("este activă"), "{html}");
    b
}

/// Submits a request of the qualified type; the path of its signing page.
pub(crate) async fn submit_qualified(b: &mut Browser) -> String {
    b.get("/portal/new/alfa/aviz-calificat").await;
    let csrf = b.csrf.clone();
    let (status, location, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz-calificat",
            submission(
                &csrf,
                &[("f_adresa", "Str. Horea 3"), ("f_motiv", "Schelă")],
                pdf("plan"),
                "plan.pdf",
            ),
            None,
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal?awaiting=signature")
    );
    let (_, html) = b.get("/portal").await;
    let at = html.find("href=\"/portal/sign/").expect("a Semnează link") + 6;
    html[at..at + "/portal/sign/".len() + 64].to_owned()
}

async fn confirm(b: &mut Browser, sign: &str, code: &str) -> (StatusCode, String, String) {
    b.post(&format!("{sign}/confirm"), &[("code", code)]).await
}

fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| char::from(b'0' + (c.to_digit(10).unwrap() as u8 + 1) % 10))
        .collect()
}

/// The document of the newest dossier, as the registrar downloads it: the
/// signed cerere of `number`.
pub(crate) async fn registered_cerere(app: &TestApp, number: &str) -> Vec<u8> {
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=all").await;
    let page = reg.page(&id).await;
    assert!(page.contains(number) && page.contains("cerere.pdf"));
    let at = page.find("/files/").unwrap() + 7;
    reg.get(&format!("/desk/dossiers/{id}/files/{}", &page[at..at + 64]))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn the_citizen_signs_the_cerere_with_an_otp_and_it_is_registered() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz-calificat", "qualified")).await;

    // Without a credential, the page says why one is needed (see
    // `signing_page`) and signing starts nothing.
    let mut other = signed_up(&app, "Maria Ionescu", "+40745000333").await;
    let sign = submit_qualified(&mut other).await;
    let (status, location, _) = other.post(&sign, &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, sign.as_str())
    );

    let mut b = with_credential(&app, NAME, PHONE).await;
    let sign = submit_qualified(&mut b).await;
    // Not someone else's request.
    let (status, _) = b.get(&format!("/portal/sign/{}", "0".repeat(64))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = b.get(&sign).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Trimite codul de semnare"), "{html}");
    let (status, _, html) = b.post(&sign, &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("name=\"code\""), "{html}");
    assert!(
        !crate::signing_page::visible(&html).contains(&sign["/portal/sign/".len()..]),
        "no hash for the citizen to read: {html}"
    );
    let code = last_code(&app, PHONE).await;

    // A wrong code is explained and changes nothing.
    let (status, _, html) = confirm(&mut b, &sign, &wrong(&code)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Codul nu este corect (mai aveți 4 încercări)"),
        "{html}"
    );
    let (status, _, html) = confirm(&mut b, &sign, "12ab").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("6 cifre"), "{html}");
    let (_, html) = b.get("/portal").await;
    assert!(!html.contains("ALF-") && html.contains(&sign), "{html}");

    // The right code signs and registers, once.
    let (status, location, _) = confirm(&mut b, &sign, &code).await;
    let number = format!("ALF-{}-000001", chrono::Utc::now().format("%Y"));
    assert_eq!(
        (status, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/portal?registered={number}").as_str()
        )
    );
    let (status, again, _) = confirm(&mut b, &sign, &code).await;
    assert_eq!(
        (status, again.as_str()),
        (StatusCode::SEE_OTHER, location.as_str())
    );
    let (_, html) = b.get("/portal").await;
    assert_eq!(html.matches(&number).count(), 1, "{html}");
    assert!(!html.contains(&sign), "no longer waiting: {html}");

    // Tracking works.
    let at = html.find("href=\"/track/").unwrap() + 13;
    let token = &html[at..at + 26];
    let r = app.get(&format!("/api/v1/track/{token}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains(&number));

    // The dossier's document is the signed cerere, valid for pdfsig with the
    // citizen's name.
    let signed = registered_cerere(&app, &number).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cerere.pdf");
    std::fs::write(&path, &signed).unwrap();
    let out = std::process::Command::new("pdfsig")
        .arg(&path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        report.contains("Signature Validation: Signature is Valid."),
        "{report}"
    );
    assert!(
        report.contains(&format!("Signer Certificate Common Name: {NAME}")),
        "{report}"
    );
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("ETSI.CAdES.detached"), "{report}");
}

#[tokio::test]
async fn wrong_codes_register_nothing_and_a_new_code_signs() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz-calificat", "qualified")).await;
    let mut b = with_credential(&app, NAME, PHONE).await;
    let sign = submit_qualified(&mut b).await;
    b.post(&sign, &[]).await;
    let code = last_code(&app, PHONE).await;
    for left in (0..5).rev() {
        let (status, _, html) = confirm(&mut b, &sign, &wrong(&code)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains(&format!("mai aveți {left} încercări")),
            "{html}"
        );
    }
    // After five, even the right code is refused: a new one is offered.
    let (status, _, html) = confirm(&mut b, &sign, &code).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        html.contains("cereți un cod nou") && html.contains("Trimite un cod nou"),
        "{html}"
    );
    let (_, html) = b.get("/portal").await;
    assert!(!html.contains("ALF-"), "nothing registered: {html}");

    let (status, _, _) = b.post(&sign, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let fresh = last_code(&app, PHONE).await;
    let (status, location, _) = confirm(&mut b, &sign, &fresh).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with("/portal?registered=ALF-"),
        "{location}"
    );
}

#[tokio::test]
async fn a_failed_enrollment_keeps_the_payment_and_offers_a_retry_never_a_second_charge() {
    // The signing provider refuses the enrollment (no such endpoint).
    let app = ghiseu_tests::App::desk(ghiseu_tests::Backend::Sqlite)
        .config_variable(
            "csc_enroll_url",
            "http://sandbox.spin.internal/api/v1/sandbox/csc/nowhere",
        )
        .spawn()
        .await;
    assert_eq!(app.seed(&crate::portal::seed()).await.status(), 200);
    let mut b = signed_up(&app, NAME, PHONE).await;
    let checkout = buy(&app, &mut b).await;
    let back = pay(&app, &checkout, GOOD_CARD).await;
    let hosted = crate::identity::to_identification(&b, &back).await;
    let identified = crate::identity::verify_identity(&app, &hosted, "Ion", "Popescu").await;
    let (status, html) = b.get(&identified).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(html.contains("Plata rămâne înregistrată"), "{html}");
    let (_, html) = b.get(&back).await;
    assert!(
        html.contains("Plătit") && html.contains("SBX-000001"),
        "{html}"
    );
    assert!(
        html.contains("nu a fost creată încă") && html.contains("/portal/signature/enroll"),
        "{html}"
    );
    let (status, _, html) = b.post("/portal/signature/enroll", &[]).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(html.contains("Plata rămâne înregistrată"), "{html}");
    // Buying again is not offered and not possible: one payment.
    assert!(!html.contains("action=\"/portal/signature/buy\""), "{html}");
    let (status, location, _) = b.post("/portal/signature/buy", &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal/signature")
    );
    let (_, html) = b.get("/portal").await;
    assert_eq!(html.matches("Număr chitanță").count(), 1, "{html}");
}

#[tokio::test]
async fn with_a_tsa_the_citizens_signature_gets_a_timestamp_as_the_desks_does() {
    // One signing pipeline: the portal's signature is B-T under the same
    // `tsa_url` as the desk's.
    let app = App::desk(Backend::Sqlite)
        .config_variable("tsa_url", "http://sandbox.spin.internal/sandbox/tsa")
        .spawn()
        .await;
    let r = app.seed(&crate::portal::seed()).await;
    assert_eq!(r.status(), 200);
    create_type(&app, &aviz("aviz-calificat", "qualified")).await;
    let mut b = with_credential(&app, NAME, PHONE).await;
    let sign = submit_qualified(&mut b).await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let (status, _, html) = b.post(&sign, &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let code = last_code(&app, PHONE).await;
    let (status, location, _) = confirm(&mut b, &sign, &code).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let number = location
        .strip_prefix("/portal?registered=")
        .unwrap_or_else(|| panic!("registered: {location}"))
        .to_owned();

    let signed = registered_cerere(&app, &number).await;
    let ca_pem = crate::signing::sandbox_ca(&app).await;
    let (ok, out) = ghiseu_tests::openssl_cms_verify(&signed, &ca_pem);
    assert!(ok, "{out}");
    let ca_der = crate::signing::pem_der(&ca_pem);
    let verified = ghiseu_pades::verify(&signed, std::slice::from_ref(&ca_der)).unwrap();
    assert!(verified.valid(), "{verified:?}");
    let signature = &verified.signatures[0];
    let time = signature
        .timestamp
        .expect("the cerere's signature timestamp");
    assert!(
        time >= before && time <= chrono::Utc::now(),
        "{time} {:?}",
        signature.problems
    );
}
