//! A document type's fee (issue 17, item 4): shown on the form and the
//! signing page, paid through the payment provider's checkout before the
//! request is registered, registered once whichever of the webhook and the
//! citizen's return comes first, with the receipt in "my documents" and on
//! the dossier; a refused or abandoned payment registers nothing and is
//! paid again once, never twice.

use ghiseu_tests::{TEST_PAYMENT_SECRET, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::payment::{
    DECLINED, GOOD_CARD, checkout_from, pay, succeeded, webhook, with_credential,
};
use crate::portal::{Browser, aviz, create_type, last_code, pdf, signed_up, spawn, submission};

const NAME: &str = "Ion Popescu";
const PHONE: &str = "+40745000444";

/// A type of the test tenant with a fee of 25 lei.
fn with_fee(code: &str, signature: &str) -> Value {
    let mut ty = aviz(code, signature);
    ty["fee_bani"] = json!(2500);
    ty
}

/// Submits a valid request of `code`; the path of its fee page.
async fn submit(b: &mut Browser, code: &str) -> String {
    let path = format!("/portal/new/alfa/{code}");
    let (status, html) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Taxă: 25 lei"),
        "the form shows the fee: {html}"
    );
    let csrf = b.csrf.clone();
    let fields = [("f_adresa", "Str. Horea 3"), ("f_motiv", "Schelă")];
    let (status, location, _) = b
        .post_multipart(
            &path,
            submission(&csrf, &fields, pdf("plan"), "plan.pdf"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let sha = location
        .strip_prefix("/portal/pay/")
        .unwrap_or_else(|| panic!("on to the fee's page: {location}"));
    assert_eq!(sha.len(), 64, "{location}");
    location
}

/// Where `path` sends the browser (303), or its status and HTML.
async fn answer_of(b: &Browser, path: &str) -> (StatusCode, String) {
    let r = b
        .client
        .get(format!("{}{path}", b.base))
        .header("cookie", b.cookie_header())
        .send()
        .await
        .unwrap();
    let status = r.status();
    match r.headers().get("location") {
        Some(l) => (status, l.to_str().unwrap().to_owned()),
        None => (status, r.text().await.unwrap()),
    }
}

/// The citizen's way back from the provider: the return page, which sends
/// the browser to the fee page; where that sends it (or its page).
async fn come_back(b: &Browser, back: &str, fee_page: &str) -> (StatusCode, String) {
    let to_fee_page = (StatusCode::SEE_OTHER, fee_page.to_owned());
    assert_eq!(answer_of(b, back).await, to_fee_page);
    answer_of(b, fee_page).await
}

/// A fresh platform with a fee type that needs no signature and a citizen
/// who submitted a request of it: the citizen and the request's fee page.
async fn submitted() -> (TestApp, Browser, String) {
    let app = spawn().await;
    create_type(&app, &with_fee("aviz-taxa", "none")).await;
    let mut b = signed_up(&app, NAME, PHONE).await;
    let fee_page = submit(&mut b, "aviz-taxa").await;
    (app, b, fee_page)
}

fn year() -> String {
    chrono::Utc::now().format("%Y").to_string()
}

/// The registration numbers of the test tenant's dossiers, as the registry's
/// inbox lists them.
async fn numbers(app: &TestApp) -> Vec<String> {
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let inbox = reg.inbox("view=all").await;
    let mut found: Vec<String> = inbox
        .match_indices("ALF-")
        .map(|(at, _)| inbox[at..at + 15].to_owned())
        .collect();
    found.sort();
    found.dedup();
    found
}

#[tokio::test]
async fn a_fee_is_paid_before_registration_and_its_receipt_is_on_the_dossier() {
    let app = spawn().await;
    create_type(&app, &with_fee("aviz-taxa", "simple")).await;
    let mut b = signed_up(&app, NAME, PHONE).await;
    for (lang, want) in [("hu", "Díj: 25 lei"), ("en", "Fee: 25 lei")] {
        let (_, html) = b
            .get(&format!("/portal/new/alfa/aviz-taxa?lang={lang}"))
            .await;
        assert!(html.contains(want), "{lang}: {html}");
    }
    b.get("/portal?lang=ro").await;
    let fee_page = submit(&mut b, "aviz-taxa").await;

    // Not registered while the fee is due: my documents offer the payment.
    let (_, html) = b.get("/portal").await;
    assert!(!html.contains("ALF-"), "{html}");
    assert!(html.contains("Cerere în așteptarea plății taxei"), "{html}");
    assert!(html.contains(&format!("action=\"{fee_page}\"")), "{html}");
    assert!(numbers(&app).await.is_empty());
    let (status, html) = b.get(&fee_page).await;
    assert_eq!(status, StatusCode::OK);
    for want in [
        "Taxă",
        "25 lei",
        "de plătit",
        "Plătește taxa (25 lei)",
        "se înregistrează imediat",
    ] {
        assert!(html.contains(want), "{want} missing: {html}");
    }
    // Another citizen cannot see or pay it.
    let mut other = signed_up(&app, "Maria Ionescu", "+40745000555").await;
    let (status, _) = other.get(&fee_page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Given up on the provider's page: still due, and the same checkout again.
    let checkout = checkout_from(&app, &mut b, &fee_page).await;
    let page = crate::payment::provider_page(&app, &checkout.url).await;
    assert!(
        page.contains("25,00 lei") && page.contains("Aviz de ocupare"),
        "{page}"
    );
    let back = format!("/portal/payments/{}", checkout.order);
    let (status, html) = come_back(&b, &back, &fee_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Așteptăm confirmarea plății") && html.contains("Continuă plata"),
        "{html}"
    );
    let (_, again, _) = b.post(&fee_page, &[]).await;
    assert_eq!(
        again, checkout.url,
        "an open checkout is resumed, not doubled"
    );
    assert!(numbers(&app).await.is_empty());

    // Paid: the webhook registered it; the citizen's return finds it registered.
    pay(&app, &checkout, GOOD_CARD).await;
    let number = format!("ALF-{}-000001", year());
    assert_eq!(
        come_back(&b, &back, &fee_page).await,
        (
            StatusCode::SEE_OTHER,
            format!("/portal?registered={number}")
        )
    );
    assert_eq!(numbers(&app).await, vec![number.clone()]);
    // Paying again charges nothing: the page and the button lead to the number.
    let (status, location, _) = b.post(&fee_page, &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/portal?registered={number}").as_str()
        )
    );
    pay(&app, &checkout, GOOD_CARD).await;

    // The receipt in my documents, on the document and among the payments.
    let (_, html) = b.get("/portal").await;
    assert!(!html.contains("plății taxei"), "no longer waiting: {html}");
    assert_eq!(html.matches("SBX-000001").count(), 2, "{html}");
    assert!(!html.contains("SBX-000002"), "{html}");
    for want in [
        "Număr chitanță",
        "25,00 lei",
        "Plătit",
        &format!("înregistrată cu nr. {number}"),
    ] {
        assert!(html.contains(want), "{want} missing: {html}");
    }
    // And on the dossier, for the registry.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=all").await;
    let page = reg.page(&id).await;
    assert!(
        page.contains("Taxă achitată online: 25,00 lei, chitanța nr. SBX-000001"),
        "{page}"
    );
    // A second request of the same type is a new fee.
    let second = submit(&mut b, "aviz-taxa").await;
    assert_ne!(second, fee_page);
    let (status, html) = b.get(&second).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Plătește taxa (25 lei)"), "{html}");
}

#[tokio::test]
async fn a_declined_card_registers_nothing_and_a_retry_pays_once_and_registers() {
    let (app, mut b, fee_page) = submitted().await;
    let declined = checkout_from(&app, &mut b, &fee_page).await;
    let back = pay(&app, &declined, DECLINED).await;
    let (status, html) = come_back(&b, &back, &fee_page).await;
    assert_eq!(status, StatusCode::OK);
    for want in [
        "Plata a fost refuzată",
        "Nu s-a încasat nimic",
        "Plătește taxa (25 lei)",
    ] {
        assert!(html.contains(want), "{want} missing: {html}");
    }
    assert!(numbers(&app).await.is_empty());
    // The declined checkout takes no other card.
    pay(&app, &declined, GOOD_CARD).await;
    assert!(numbers(&app).await.is_empty());

    // Trying again: a new checkout, paid once, registered once.
    let retry = checkout_from(&app, &mut b, &fee_page).await;
    assert_ne!(retry.id, declined.id);
    assert_ne!(retry.order, declined.order);
    let back = pay(&app, &retry, GOOD_CARD).await;
    let number = format!("ALF-{}-000001", year());
    assert_eq!(
        come_back(&b, &back, &fee_page).await,
        (
            StatusCode::SEE_OTHER,
            format!("/portal?registered={number}")
        )
    );
    assert_eq!(numbers(&app).await, vec![number]);
    let (_, html) = b.get("/portal").await;
    assert!(
        html.contains("Plata a fost refuzată"),
        "the declined payment is listed: {html}"
    );
    assert!(
        html.contains("SBX-000001") && !html.contains("SBX-000002"),
        "{html}"
    );
}

#[tokio::test]
async fn a_duplicated_webhook_registers_once_and_a_wrong_amount_is_refused() {
    let (app, mut b, fee_page) = submitted().await;
    let checkout = checkout_from(&app, &mut b, &fee_page).await;

    // The amount of the credential, not the fee's: refused, nothing changes.
    let r = webhook(&app, &succeeded(&checkout, "R-1", 100), TEST_PAYMENT_SECRET).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = webhook(&app, &succeeded(&checkout, "R-1", 2500), "not-the-secret").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(numbers(&app).await.is_empty());
    let (_, html) = b.get(&fee_page).await;
    assert!(
        html.contains("de plătit") && !html.contains("R-1"),
        "{html}"
    );

    // The right event, delivered twice at once while the citizen comes back.
    let event = succeeded(&checkout, "R-1", 2500);
    let back = format!("/portal/payments/{}", checkout.order);
    let mut returning = Browser {
        client: b.client.clone(),
        base: b.base.clone(),
        cookies: b.cookies.clone(),
        csrf: b.csrf.clone(),
    };
    let (first, second, _) = tokio::join!(
        webhook(&app, &event, TEST_PAYMENT_SECRET),
        webhook(&app, &event, TEST_PAYMENT_SECRET),
        returning.get(&back),
    );
    assert_eq!(
        (first.status(), second.status()),
        (StatusCode::OK, StatusCode::OK)
    );
    let answers = [
        first.json::<Value>().await.unwrap(),
        second.json::<Value>().await.unwrap(),
    ];
    assert_eq!(
        answers.iter().filter(|a| a["recorded"] == true).count(),
        1,
        "{answers:?}"
    );
    let number = format!("ALF-{}-000001", year());
    // Once more, later: recorded already, and the same number.
    let r = webhook(&app, &event, TEST_PAYMENT_SECRET).await;
    let later = r.json::<Value>().await.unwrap();
    assert_eq!(later["recorded"], false);
    assert_eq!(later["registered"], json!(number));
    assert_eq!(numbers(&app).await, vec![number.clone()]);
    let (status, location) = come_back(&b, &back, &fee_page).await;
    assert_eq!(
        (status, location),
        (
            StatusCode::SEE_OTHER,
            format!("/portal?registered={number}")
        )
    );
    let (_, html) = b.get("/portal").await;
    assert_eq!(
        html.matches(&number).count(),
        2,
        "the document and its payment: {html}"
    );
}

#[tokio::test]
async fn a_fee_is_paid_before_signing_and_the_signed_request_registers_with_its_receipt() {
    let app = spawn().await;
    create_type(&app, &with_fee("aviz-calificat", "qualified")).await;
    let mut b = with_credential(&app, NAME, PHONE).await;
    let fee_page = submit(&mut b, "aviz-calificat").await;
    let sign = fee_page.replace("/portal/pay/", "/portal/sign/");

    // The signing page shows the fee and offers to pay it, not a code.
    let (status, html) = b.get(&sign).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Taxă") && html.contains("25 lei — de plătit"),
        "{html}"
    );
    assert!(html.contains(&format!("action=\"{fee_page}\"")), "{html}");
    assert!(!html.contains("Trimite codul de semnare"), "{html}");
    let (_, html) = b.get(&format!("{sign}?lang=hu")).await;
    assert!(html.contains("Díj") && html.contains("fizetendő"), "{html}");
    b.get("/portal?lang=ro").await;
    let (status, location, _) = b.post(&sign, &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, fee_page.as_str())
    );
    let (_, html) = b.get(&fee_page).await;
    assert!(html.contains("apoi semnați cererea"), "{html}");

    // Paid: on to signing, still not registered.
    let checkout = checkout_from(&app, &mut b, &fee_page).await;
    let back = pay(&app, &checkout, GOOD_CARD).await;
    assert_eq!(
        come_back(&b, &back, &fee_page).await,
        (StatusCode::SEE_OTHER, sign.clone())
    );
    assert!(numbers(&app).await.is_empty());
    let (_, html) = b.get(&sign).await;
    assert!(
        html.contains("25 lei — achitată") && html.contains("SBX-000002"),
        "the fee's receipt (the credential's is SBX-000001): {html}"
    );
    let (status, _, html) = b.post(&sign, &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let code = last_code(&app, PHONE).await;
    let (status, location, _) = b.post(&format!("{sign}/confirm"), &[("code", &code)]).await;
    let number = format!("ALF-{}-000001", year());
    assert_eq!(
        (status, location),
        (
            StatusCode::SEE_OTHER,
            format!("/portal?registered={number}")
        )
    );
    assert_eq!(numbers(&app).await, vec![number.clone()]);
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=all").await;
    let page = reg.page(&id).await;
    assert!(page.contains("chitanța nr. SBX-000002"), "{page}");
    let (_, html) = b.get("/portal").await;
    assert!(
        html.contains(&format!("înregistrată cu nr. {number}")),
        "{html}"
    );
    // The credential's payment is still the credential's.
    let (_, html) = b.get("/portal/signature").await;
    assert!(
        html.contains("SBX-000001") && !html.contains("SBX-000002"),
        "{html}"
    );
}

#[tokio::test]
async fn a_type_without_a_fee_registers_at_once_as_before() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let mut b = signed_up(&app, NAME, PHONE).await;
    let (_, html) = b.get("/portal/new/alfa/aviz").await;
    assert!(!html.contains("Taxă"), "{html}");
    let csrf = b.csrf.clone();
    let fields = [("f_adresa", "Str. Horea 3"), ("f_motiv", "Schelă")];
    let (status, location, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(&csrf, &fields, pdf("p"), "p.pdf"),
            None,
        )
        .await;
    assert_eq!(
        (status, location),
        (
            StatusCode::SEE_OTHER,
            format!("/portal?registered=ALF-{}-000001", year())
        )
    );
    let (_, html) = b.get("/portal").await;
    assert!(!html.contains("Plățile mele"), "no payment: {html}");
}
