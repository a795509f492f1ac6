//! Identity before a qualified credential (issue 17, item 8): after paying,
//! the citizen is sent to the signing provider's hosted identification page
//! (the sandbox's), and only a verified identity gets a credential, whose
//! certificate names the verified person (givenName, surname, CN) with the
//! ETSI EN 319 412-1 `serialNumber` `PNORO-{CNP}` — not the sign-up name.
//! A failed check says why and can be tried again, an abandoned one is
//! resumed, neither pays twice, and nothing the browser brings back is
//! believed.

use ghiseu_tests::{TEST_CSC_CLIENT_SECRET, TEST_PUBLIC_BASE_URL, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use x509_cert::Certificate;
use x509_cert::der::Decode;
use x509_cert::der::asn1::{PrintableStringRef, Utf8StringRef};

use crate::payment::{buy, pay, provider_page};
use crate::portal::{Browser, signed_up, spawn};

const PHONE: &str = "+40745000444";
/// The name typed at sign-up: the certificate must not carry it.
const TYPED_NAME: &str = "Nume Tastat La Inscriere";
const GOOD_CARD: &str = "4111 1111 1111 1111";
const IDENTIFICATIONS: &str = "/api/v1/sandbox/csc/identifications";

/// A valid CNP (born 1996-05-29, Cluj) whose control digit is checked here.
fn cnp() -> String {
    let cnp = "1960529120011";
    assert!(ghiseu_core::Cnp::parse(cnp).is_ok());
    cnp.to_owned()
}

/// What the citizen types on the hosted page.
struct Document<'a> {
    kind: &'a str,
    series: &'a str,
    number: &'a str,
    cnp: &'a str,
    surname: &'a str,
    given_name: &'a str,
}

fn good(cnp: &str) -> Document<'_> {
    Document {
        kind: "ci",
        series: "cj",
        number: "123456",
        cnp,
        surname: "Popescu",
        given_name: "Ion Andrei",
    }
}

/// GET `path` with the browser's cookies, without following: status and Location.
async fn get_location(b: &Browser, path: &str) -> (StatusCode, String) {
    let cookies = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let r = b
        .client
        .get(format!("{}{path}", b.base))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status(), location)
}

/// The path of an URL the portal or the provider redirected to.
fn path_of(url: &str) -> String {
    match url.find("://") {
        Some(at) => {
            let rest = &url[at + 3..];
            rest[rest.find('/').unwrap_or(rest.len())..].to_owned()
        }
        None => url.to_owned(),
    }
}

/// A signed-up citizen who has paid: their browser and the hosted
/// identification page the payment's return page sent them to.
async fn paid(app: &TestApp) -> (Browser, String) {
    let mut b = signed_up(app, TYPED_NAME, PHONE).await;
    let checkout = buy(app, &mut b).await;
    let back = pay(app, &checkout, GOOD_CARD).await;
    let hosted = to_identification(&b, &back).await;
    (b, hosted)
}

/// POSTs the hosted page's form; the status and where the browser is sent.
async fn hosted_post(
    app: &TestApp,
    hosted: &str,
    action: &str,
    d: &Document<'_>,
) -> (StatusCode, String) {
    let r = ghiseu_tests::no_redirects()
        .post(app.url(hosted))
        .form(&[
            ("action", action),
            ("kind", d.kind),
            ("series", d.series),
            ("number", d.number),
            ("cnp", d.cnp),
            ("surname", d.surname),
            ("given_name", d.given_name),
        ])
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location)
}

/// Fills the hosted page with `d`, follows the provider's redirect back to
/// the portal, and returns the signature page as it then is.
async fn identify(app: &TestApp, b: &mut Browser, hosted: &str, d: &Document<'_>) -> String {
    let back = submit_identity(app, hosted, d).await;
    let (status, location) = get_location(b, &back).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal/signature")
    );
    b.get("/portal/signature").await.1
}

/// Verifies `d` on the hosted page: the portal's path the provider sends
/// the browser back to.
async fn submit_identity(app: &TestApp, hosted: &str, d: &Document<'_>) -> String {
    let (status, back) = hosted_post(app, hosted, "verify", d).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The return page is on the platform's configured address.
    assert!(back.starts_with(TEST_PUBLIC_BASE_URL), "{back}");
    let back = path_of(&back);
    assert_eq!(back, "/portal/signature/identity");
    back
}

/// After paying (the payment's return page `back`): the hosted
/// identification page the portal sends the browser to.
pub(crate) async fn to_identification(b: &Browser, back: &str) -> String {
    let (status, hosted) = get_location(b, back).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "paid: on to identification");
    assert!(hosted.starts_with("/sandbox/identity/"), "{hosted}");
    hosted
}

/// Verifies a good identity document in the name `given_name surname` on
/// the hosted page: the portal's path the browser is sent back to.
pub(crate) async fn verify_identity(
    app: &TestApp,
    hosted: &str,
    given_name: &str,
    surname: &str,
) -> String {
    let cnp = cnp();
    let d = Document {
        given_name,
        surname,
        ..good(&cnp)
    };
    submit_identity(app, hosted, &d).await
}

/// After paying (`back`): identified as `given_name surname`; the signature page.
pub(crate) async fn identify_after_payment(
    app: &TestApp,
    b: &mut Browser,
    back: &str,
    given_name: &str,
    surname: &str,
) -> String {
    let hosted = to_identification(b, back).await;
    let cnp = cnp();
    let d = Document {
        given_name,
        surname,
        ..good(&cnp)
    };
    identify(app, b, &hosted, &d).await
}

/// A call to the provider's onboarding API, with its client secret or without.
async fn provider(
    app: &TestApp,
    path: &str,
    body: Option<Value>,
    authorized: bool,
) -> reqwest::Response {
    let url = app.url(path);
    let mut request = match &body {
        Some(body) => app.client.post(url).json(body),
        None => app.client.get(url),
    };
    if authorized {
        request = request.bearer_auth(TEST_CSC_CLIENT_SECRET);
    }
    request.send().await.unwrap()
}

/// The provider's answer to an enrollment of `user` on the identification `id`.
async fn enroll_on(app: &TestApp, user: &str, id: &str) -> StatusCode {
    let enrollment = json!({"user_id": user, "identification_id": id, "phone": PHONE});
    provider(
        app,
        "/api/v1/sandbox/csc/credentials",
        Some(enrollment),
        true,
    )
    .await
    .status()
}

/// The provider's record of an identification (bearer-authenticated test aid).
async fn evidence(app: &TestApp, hosted: &str) -> Value {
    let id = hosted.trim_start_matches("/sandbox/identity/");
    let path = format!("/api/v1/sandbox/csc/identifications/{id}/evidence");
    let r = provider(app, &path, None, true).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The subject's attributes of a DER certificate: (OID, text).
fn subject(der: &[u8]) -> Vec<(String, String)> {
    let cert = Certificate::from_der(der).unwrap();
    cert.tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .map(|atv| {
            let text = Utf8StringRef::try_from(&atv.value)
                .map(|s| s.as_str().to_owned())
                .or_else(|_| {
                    PrintableStringRef::try_from(&atv.value).map(|s| s.as_str().to_owned())
                })
                .unwrap_or_else(|e| panic!("{}: {e}", atv.oid));
            (atv.oid.to_string(), text)
        })
        .collect()
}

#[tokio::test]
async fn the_certificate_names_the_verified_person_with_pnoro_and_the_cnp() {
    let app = spawn().await;
    let (mut b, hosted) = paid(&app).await;

    // The provider's hosted page asks for the document, the CNP and the name.
    let page = provider_page(&app, &hosted).await;
    for want in [
        "lang=\"ro\"",
        "Carte de identitate",
        "Pașaport",
        "name=\"series\"",
        "name=\"number\"",
        "name=\"cnp\"",
        "name=\"surname\"",
        "name=\"given_name\"",
        "Renunță",
    ] {
        assert!(page.contains(want), "{want} missing: {page}");
    }
    // Nothing is issued before the identification: no credential yet.
    let (_, html) = b.get("/portal/signature").await;
    assert!(
        html.contains("Continuă identificarea") && !html.contains("este activă"),
        "{html}"
    );

    // An empty field is asked again and decides nothing.
    let cnp = cnp();
    let empty = Document {
        surname: " ",
        ..good(&cnp)
    };
    let (status, _) = hosted_post(&app, &hosted, "verify", &empty).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(evidence(&app, &hosted).await["status"], "pending");

    let html = identify(&app, &mut b, &hosted, &good(&cnp)).await;
    assert!(
        html.contains("este activă") && html.contains("Ion Andrei Popescu"),
        "{html}"
    );
    // (The header still shows the account's own name; the certificate does not.)

    // The evidence: what was checked, that it passed, when; and the credential.
    let record = evidence(&app, &hosted).await;
    assert_eq!(record["status"], "verified");
    let e = &record["evidence"];
    assert_eq!(e["document_kind"], "ci");
    assert_eq!(e["document_series"], "CJ");
    assert_eq!(e["document_number"], "123456");
    assert_eq!(e["cnp"], cnp.as_str());
    let checks: Vec<(&str, bool)> = e["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["check"].as_str().unwrap(), c["passed"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        checks,
        [
            ("document", true),
            ("cnp", true),
            ("surname", true),
            ("given_name", true)
        ]
    );
    let checked_at: chrono::DateTime<chrono::Utc> =
        e["checked_at"].as_str().unwrap().parse().unwrap();
    assert!((chrono::Utc::now() - checked_at).num_seconds().abs() < 120);

    // The certificate: the verified name and PNORO-{CNP}, not the sign-up name.
    let credential = record["credential_id"]
        .as_str()
        .expect("a credential")
        .to_owned();
    let (info, chain) = crate::csc::chain(&app, &credential).await;
    let attributes = subject(&chain[0]);
    let want = |oid: &str, value: &str| {
        assert!(
            attributes.contains(&(oid.to_owned(), value.to_owned())),
            "{oid}={value} not in {attributes:?}"
        );
    };
    want("2.5.4.3", "Ion Andrei Popescu");
    want("2.5.4.4", "Popescu");
    want("2.5.4.42", "Ion Andrei");
    want("2.5.4.5", &format!("PNORO-{cnp}"));
    want("2.5.4.6", "RO");
    assert!(!attributes.iter().any(|(_, v)| v.contains("Tastat")));
    assert_eq!(
        info["cert"]["subjectDN"],
        format!("CN=Ion Andrei Popescu,SN=Popescu,GN=Ion Andrei,serialNumber=PNORO-{cnp},C=RO")
    );
    // Submitting the decided identification again changes nothing.
    let other = Document {
        given_name: "Alt",
        ..good(&cnp)
    };
    let (status, _) = hosted_post(&app, &hosted, "verify", &other).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        evidence(&app, &hosted).await["evidence"]["given_name"],
        "Ion Andrei"
    );
}

#[tokio::test]
async fn a_bad_cnp_is_refused_with_its_reason_issues_nothing_and_can_be_retried() {
    let app = spawn().await;
    let (mut b, hosted) = paid(&app).await;
    let cnp = cnp();
    let mut bad_cnp = cnp.clone();
    bad_cnp.replace_range(12..13, if cnp.ends_with('1') { "2" } else { "1" });
    let html = identify(&app, &mut b, &hosted, &good(&bad_cnp)).await;
    assert!(
        html.contains("Identitatea nu a fost confirmată") && html.contains("cifra de control"),
        "{html}"
    );
    assert!(
        !html.contains("este activă") && html.contains("Încercați din nou"),
        "{html}"
    );
    for (lang, why) in [("hu", "ellenőrző számjegy"), ("en", "check digit")] {
        let (_, html) = b.get(&format!("/portal/signature?lang={lang}")).await;
        assert!(html.contains(why), "{lang}: {html}");
    }
    // Back to Romanian (the choice is kept).
    b.get("/portal/signature?lang=ro").await;
    let record = evidence(&app, &hosted).await;
    assert_eq!(record["status"], "failed");
    assert!(record["credential_id"].is_null(), "{record}");
    let failed: Vec<&str> = record["evidence"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["reason"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["cnp_checksum"]);
    // The provider enrolls nobody on a failed identification.
    let id = hosted.trim_start_matches("/sandbox/identity/");
    assert_eq!(enroll_on(&app, "anyone", id).await, StatusCode::CONFLICT);
    // Under 18 (born 2010) is refused for its own reason.
    b.get("/portal/signature").await;
    let (status, again, _) = b.post("/portal/signature/identity", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        again.starts_with("/sandbox/identity/") && again != hosted,
        "a new identification: {again}"
    );
    let minor = (0..10)
        .map(|d| format!("510052912001{d}"))
        .find(|c| ghiseu_core::Cnp::parse(c).is_ok())
        .unwrap();
    let html = identify(&app, &mut b, &again, &good(&minor)).await;
    assert!(html.contains("cel puțin 18 ani"), "{html}");

    // Trying again with the right CNP: a new identification, the credential, one payment.
    b.get("/portal/signature").await;
    let (_, third, _) = b.post("/portal/signature/identity", &[]).await;
    assert!(
        third.starts_with("/sandbox/identity/") && third != again,
        "{third}"
    );
    let html = identify(&app, &mut b, &third, &good(&cnp)).await;
    assert!(
        html.contains("este activă") && html.contains("Ion Andrei Popescu"),
        "{html}"
    );
    assert_eq!(html.matches("SBX-").count(), 1, "one payment: {html}");
}

#[tokio::test]
async fn an_abandoned_identification_is_resumed_without_paying_again() {
    let app = spawn().await;
    let (mut b, hosted) = paid(&app).await;
    let cnp = cnp();
    // "Renunță": back to the portal, nothing decided.
    let (status, back) = hosted_post(&app, &hosted, "cancel", &good("")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, location) = get_location(&b, &path_of(&back)).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal/signature")
    );
    let (_, html) = b.get("/portal/signature").await;
    assert!(
        html.contains("Continuă identificarea") && html.contains("SBX-000001"),
        "{html}"
    );
    assert!(!html.contains("action=\"/portal/signature/buy\""), "{html}");
    // Buying again is refused; the payment's return page resumes the same one.
    let (status, location, _) = b.post("/portal/signature/buy", &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal/signature")
    );
    b.get("/portal/signature").await;
    let (status, resumed, _) = b.post("/portal/signature/identity", &[]).await;
    assert_eq!(
        (status, resumed.as_str()),
        (StatusCode::SEE_OTHER, hosted.as_str())
    );
    let html = identify(&app, &mut b, &resumed, &good(&cnp)).await;
    assert!(html.contains("este activă"), "{html}");
    let (_, html) = b.get("/portal").await;
    assert_eq!(html.matches("Număr chitanță").count(), 1, "{html}");
    assert!(!html.contains("SBX-000002"), "{html}");
}

#[tokio::test]
async fn a_forged_return_is_refused_and_nothing_the_browser_brings_is_believed() {
    let app = spawn().await;
    let (mut b, hosted) = paid(&app).await;
    let id = hosted.trim_start_matches("/sandbox/identity/").to_owned();
    // The browser comes back claiming success, without any identification done.
    let forged = format!(
        "/portal/signature/identity?identification_id={id}&status=verified&given_name=Fals&surname=Falsescu"
    );
    let (status, location) = get_location(&b, &forged).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal/signature")
    );
    let (_, html) = b.get("/portal/signature").await;
    assert!(
        html.contains("Continuă identificarea")
            && !html.contains("este activă")
            && !html.contains("Fals"),
        "{html}"
    );
    assert_eq!(evidence(&app, &hosted).await["status"], "pending");

    // The provider's side is closed to anyone without the client secret.
    let path = format!("/api/v1/sandbox/csc/identifications/{id}");
    let r = provider(&app, &path, None, false).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let request = json!({"user_id": "u", "return_url": "/portal/x", "lang": "ro"});
    let r = provider(&app, IDENTIFICATIONS, Some(request), false).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A pending identification enrolls nobody.
    assert_eq!(enroll_on(&app, "u", &id).await, StatusCode::CONFLICT);

    // The provider returns only to the portal: another path is refused when
    // the identification is created, another origin when the browser leaves.
    let create = |return_url: &'static str| {
        let request = json!({"user_id": "u", "return_url": return_url, "lang": "en"});
        provider(&app, IDENTIFICATIONS, Some(request), true)
    };
    assert_eq!(create("/desk/x").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        create("//evil.example/portal/x").await.status(),
        StatusCode::BAD_REQUEST
    );
    let r = create("https://evil.example/portal/signature/identity").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let elsewhere: Value = r.json().await.unwrap();
    let url = elsewhere["url"].as_str().unwrap().to_owned();
    let cnp = cnp();
    let (status, location) = hosted_post(&app, &url, "verify", &good(&cnp)).await;
    assert_eq!((status, location.as_str()), (StatusCode::BAD_REQUEST, ""));
    let page = reqwest::get(app.url(&url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("lang=\"en\"") && page.contains("Identity document"),
        "{page}"
    );

    // The real identification still works afterwards.
    let html = identify(&app, &mut b, &hosted, &good(&cnp)).await;
    assert!(
        html.contains("este activă") && html.contains("Ion Andrei Popescu"),
        "{html}"
    );
}
