//! The officials' desk over real HTTP: sign-in (throttled, CSRF), registry intake
//! (multipart, files checked by content), receipts, actions with compare-and-swap,
//! tenant isolation, and what public tracking shows afterwards. Each test seeds two
//! small tenants through `POST /api/v1/platform/seed`.

use std::collections::BTreeSet;

use ghiseu_tests::{App, Backend, TestApp};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const NAME: &str = "Zamfira Ungureanu-Pătrășcanu";
const CNP: &str = "1800101221144";
const PHONE: &str = "0745 123 456";
const EMAIL: &str = "zamfira.ungureanu@example.ro";

fn tenant(slug: &str, prefix: &str) -> Value {
    json!({
        "slug": slug, "name": format!("Instituția {slug}"), "kind": "county_council",
        "registration_prefix": prefix, "languages": ["ro"],
        "departments": [
            {"code": "registratura", "name": "Registratura"},
            {"code": "urbanism", "name": "Direcția Urbanism"}
        ],
        "officials": [
            {"username": "reg", "display_name": "Rita Registru", "department": "registratura",
             "roles": ["registrar"], "password": "parola-reg"},
            {"username": "sef", "display_name": "Sorin Șef", "department": "urbanism",
             "roles": ["head_of_department"], "password": "parola-sef"}
        ],
        "document_types": [
            {"code": "petitie", "titles": {"ro": "Petiție"},
             "deadline": {"count": "calendar_days", "days": 30}, "first_department": "registratura"},
            {"code": "certificat-urbanism", "titles": {"ro": "Certificat de urbanism"},
             "deadline": {"count": "working_days", "days": 15}, "first_department": "urbanism"}
        ]
    })
}

async fn spawn(backend: Backend) -> TestApp {
    let app = App::desk(backend).spawn().await;
    let seed = json!({"tenants": [tenant("alfa", "ALF"), tenant("beta", "BTA")]});
    let r = app.seed(&seed).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let first = v.split(';').next()?;
            let (k, val) = first.split_once('=')?;
            (k == name).then(|| val.to_owned())
        })
}

/// The value of the first `name="csrf" value="..."` in `html`.
fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..at + 64].to_owned()
}

/// A signed-in official.
struct Desk {
    client: reqwest::Client,
    base: String,
    session: String,
    csrf: String,
}

async fn login_attempt(app: &TestApp, tenant: &str, user: &str, pw: &str) -> reqwest::Response {
    let client = no_redirects();
    let page = client.get(app.url("/desk/login")).send().await.unwrap();
    let cookie = set_cookie(&page, "ghiseu_login_csrf").unwrap();
    let csrf = csrf_in(&page.text().await.unwrap());
    client
        .post(app.url("/desk/login"))
        .header("cookie", format!("ghiseu_login_csrf={cookie}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("institution", tenant),
            ("username", user),
            ("password", pw),
        ])
        .send()
        .await
        .unwrap()
}

async fn login(app: &TestApp, tenant: &str, user: &str, pw: &str) -> Desk {
    let r = login_attempt(app, tenant, user, pw).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&r, "ghiseu_desk").expect("a session cookie");
    let cookie_line = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("ghiseu_desk="))
        .unwrap();
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie_line.contains(attr), "{cookie_line}");
    }
    let client = no_redirects();
    let inbox = client
        .get(app.url("/desk"))
        .header("cookie", format!("ghiseu_desk={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);
    let csrf = csrf_in(&inbox.text().await.unwrap());
    Desk {
        client,
        base: app.address.clone(),
        session,
        csrf,
    }
}

impl Desk {
    fn cookie(&self) -> String {
        format!("ghiseu_desk={}", self.session)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie())
            .send()
            .await
            .unwrap()
    }

    async fn intake(
        &self,
        doc_type: &str,
        files: &[(&str, Vec<u8>)],
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = Form::new()
            .text("csrf", self.csrf.clone())
            .text("document_type", doc_type.to_owned());
        for (k, v) in extra {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        for (name, data) in files {
            form = form.part(
                "scan",
                Part::bytes(data.clone()).file_name((*name).to_owned()),
            );
        }
        self.client
            .post(format!("{}/desk/intake", self.base))
            .header("cookie", self.cookie())
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// Registers a petition and returns (dossier id, registration number, token).
    async fn register(&self, doc_type: &str) -> (String, String, String) {
        let r = self.intake(doc_type, &[("p.pdf", pdf())], &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let id = location.split('/').nth(3).unwrap().to_owned();
        let receipt = self.get(&location).await.text().await.unwrap();
        (id, regno_in(&receipt), token_in(&receipt))
    }

    async fn act(&self, id: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(format!("{}/desk/dossiers/{id}/actions", self.base))
            .header("cookie", self.cookie())
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    async fn route_head(&self, id: &str) -> String {
        let html = self
            .get(&format!("/desk/dossiers/{id}"))
            .await
            .text()
            .await
            .unwrap();
        let at = html
            .find("name=\"route_head\" value=\"")
            .expect("an action form")
            + 25;
        html[at..at + 64].to_owned()
    }
}

fn pdf() -> Vec<u8> {
    let mut v = b"%PDF-1.4\n1 0 obj<<>>endobj\n".to_vec();
    v.extend(ghiseu_tests::random_bytes(64));
    v.extend(b"\n%%EOF\n");
    v
}

fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend(ghiseu_tests::random_bytes(128));
    v
}

fn regno_in(html: &str) -> String {
    let at = html
        .find("class=\"regno\">")
        .expect("a registration number")
        + 14;
    html[at..].split('<').next().unwrap().to_owned()
}

fn token_in(html: &str) -> String {
    let at = html.find("/q/").expect("a QR link") + 3;
    html[at..at + 26].to_owned()
}

fn year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year()
}

async fn tracking_json(app: &TestApp, token: &str) -> Value {
    let r = app.get(&format!("/api/v1/track/{token}")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn platform_api_needs_the_admin_token() {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let r = app.post("/api/v1/platform/seed", "{}").await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = app
        .client
        .post(app.url("/api/v1/platform/seed"))
        .bearer_auth("wrong")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = app.seed(&json!({"tenants": [{"slug": "X"}]})).await;
    assert_eq!(r.status(), 422);
    // The seed is idempotent.
    let seed = json!({"tenants": [tenant("alfa", "ALF")]});
    let first: Value = app.seed(&seed).await.json().await.unwrap();
    let second: Value = app.seed(&seed).await.json().await.unwrap();
    assert_eq!(first["logins"], second["logins"]);
    assert_eq!(first["logins"][0]["username"], "reg");
}

#[tokio::test]
async fn sign_in_succeeds_fails_and_is_throttled() {
    let app = spawn(Backend::Sqlite).await;
    let page = app.get("/desk/login").await;
    assert_eq!(page.status(), 200);
    let h = page.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-content-type-options"], "nosniff");

    // Unauthenticated desk pages send to the sign-in form.
    let r = no_redirects()
        .get(app.url("/desk/intake"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let r = login_attempt(&app, "alfa", "reg", "wrong").await;
    assert_eq!(r.status(), 401);
    let body = r.text().await.unwrap();
    assert!(body.contains("role=\"alert\""), "{body}");
    // The same password in another tenant is refused too.
    assert_eq!(
        login_attempt(&app, "beta", "nobody", "parola-reg")
            .await
            .status(),
        401
    );

    // Without the double-submit cookie the form is refused.
    let r = no_redirects()
        .post(app.url("/desk/login"))
        .form(&[
            ("csrf", "x"),
            ("institution", "alfa"),
            ("username", "reg"),
            ("password", "parola-reg"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(set_cookie(&r, "ghiseu_desk").is_none());

    let desk = login(&app, "alfa", "reg", "parola-reg").await;
    // Four more failures make five for alfa/reg: the right password is refused now.
    for _ in 0..4 {
        assert_eq!(
            login_attempt(&app, "alfa", "reg", "wrong").await.status(),
            401
        );
    }
    let r = login_attempt(&app, "alfa", "reg", "parola-reg").await;
    assert_eq!(r.status(), 429);
    assert!(set_cookie(&r, "ghiseu_desk").is_none());
    // Another account is not blocked.
    login(&app, "alfa", "sef", "parola-sef").await;

    // Logout needs the CSRF token, then ends the session.
    let r = desk
        .client
        .post(app.url("/desk/logout"))
        .header("cookie", desk.cookie())
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = desk
        .client
        .post(app.url("/desk/logout"))
        .header("cookie", desk.cookie())
        .form(&[("csrf", desk.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(desk.get("/desk").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn intake_registers_prints_a_receipt_and_keeps_personal_data_private() {
    let app = spawn(Backend::Sqlite).await;
    let desk = login(&app, "alfa", "reg", "parola-reg").await;

    // Without the CSRF token nothing is registered.
    let form = Form::new()
        .text("document_type", "petitie")
        .part("scan", Part::bytes(pdf()).file_name("a.pdf"));
    let r = desk
        .client
        .post(app.url("/desk/intake"))
        .header("cookie", desk.cookie())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // A fake PDF is refused with an error summary, and nothing is stored.
    let r = desk
        .intake(
            "petitie",
            &[("scan.pdf", b"<html>not a pdf</html>".to_vec())],
            &[],
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("role=\"alert\"") && body.contains("href=\"#scan\""),
        "{body}"
    );
    // A bad e-mail is refused the same way.
    let r = desk
        .intake("petitie", &[("a.pdf", pdf())], &[("email", "not-an-email")])
        .await;
    assert_eq!(r.status(), 422);

    let r = desk
        .intake(
            "certificat-urbanism",
            &[("pagina1.pdf", pdf()), ("pagina2.png", png())],
            &[
                ("name", NAME),
                ("email", EMAIL),
                ("phone", PHONE),
                ("note", &format!("CNP {CNP}")),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let receipt_path = r.headers()["location"].to_str().unwrap().to_owned();
    let receipt = desk.get(&receipt_path).await;
    assert_eq!(receipt.status(), 200);
    assert!(
        receipt.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src")
    );
    let html = receipt.text().await.unwrap();
    // The first number of the year: the refused attempts used none.
    assert_eq!(regno_in(&html), format!("ALF-{}-000001", year()));
    assert!(html.contains("Certificat de urbanism") && html.contains("Instituția alfa"));
    let token = token_in(&html);
    assert!(
        html.contains(&format!("{}/q/{token}", app.address)),
        "{html}"
    );
    let a6 = desk
        .get(&format!("{receipt_path}?format=a6"))
        .await
        .text()
        .await
        .unwrap();
    assert!(a6.contains("receipt a6"));
    // The label prints on its own A6 page size, the receipt on A4.
    let css = desk.get("/desk/desk.css").await.text().await.unwrap();
    assert!(css.contains("@page{size:A4") && css.contains("@page label{size:A6"));

    // The desk shows the contact; public tracking shows none of it.
    let id = receipt_path.split('/').nth(3).unwrap();
    let inside = desk
        .get(&format!("/desk/dossiers/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(inside.contains(EMAIL));
    let json = tracking_json(&app, &token).await;
    assert_eq!(
        json["registration_number"],
        format!("ALF-{}-000001", year())
    );
    assert_eq!(json["status"], "registered");
    assert_eq!(json["current"]["department"], "Direcția Urbanism");
    let page = app
        .get(&format!("/track/{token}"))
        .await
        .text()
        .await
        .unwrap();
    let q = no_redirects()
        .get(app.url(&format!("/q/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(q.status(), StatusCode::SEE_OTHER);
    let public = format!("{json}{page}{:?}", q.headers());
    for secret in [
        "Zamfira",
        "Ungureanu",
        "Pătrășcanu",
        CNP,
        "745123456",
        "745 123 456",
        EMAIL,
        "pagina1",
    ] {
        assert!(!public.contains(secret), "{secret} leaked");
    }
}

async fn concurrent_intakes(backend: Backend) {
    let app = spawn(backend).await;
    let desk = std::sync::Arc::new(login(&app, "alfa", "reg", "parola-reg").await);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..8 {
        let desk = desk.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut locations = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 200 {
                let r = desk.intake("petitie", &[("p.png", png())], &[]).await;
                assert_eq!(r.status(), StatusCode::SEE_OTHER);
                locations.push(r.headers()["location"].to_str().unwrap().to_owned());
            }
            locations
        }));
    }
    let mut numbers = BTreeSet::new();
    for w in workers {
        for location in w.await.unwrap() {
            let html = desk.get(&location).await.text().await.unwrap();
            assert!(numbers.insert(regno_in(&html)));
        }
    }
    let want: BTreeSet<String> = (1..=200)
        .map(|n| format!("ALF-{}-{n:06}", year()))
        .collect();
    assert_eq!(numbers, want);
}

#[tokio::test]
async fn two_hundred_concurrent_intakes_get_consecutive_numbers_on_sqlite() {
    concurrent_intakes(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_hundred_concurrent_intakes_get_consecutive_numbers_on_redis() {
    concurrent_intakes(Backend::Redis).await;
}

#[tokio::test]
async fn officials_cannot_reach_another_tenants_dossiers() {
    let app = spawn(Backend::Sqlite).await;
    let alfa = login(&app, "alfa", "reg", "parola-reg").await;
    let beta = login(&app, "beta", "reg", "parola-reg").await;
    let (id, regno, _) = alfa.register("petitie").await;
    assert!(regno.starts_with("ALF-"));
    // Beta registers into beta, whatever it tries.
    let (_, beta_regno, _) = beta.register("petitie").await;
    assert_eq!(beta_regno, format!("BTA-{}-000001", year()));
    assert_eq!(
        beta.get(&format!("/desk/dossiers/{id}")).await.status(),
        404
    );
    assert_eq!(
        beta.get(&format!("/desk/dossiers/{id}/receipt"))
            .await
            .status(),
        404
    );
    let r = beta
        .act(&id, &[("action", "assign"), ("department", "urbanism")])
        .await;
    assert_eq!(r.status(), 404);
    // Alfa's dossier is unchanged.
    let html = alfa
        .get(&format!("/desk/dossiers/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("assigned"));
}

#[tokio::test]
async fn actions_show_on_tracking_at_once_and_concurrent_ones_conflict() {
    let app = spawn(Backend::Sqlite).await;
    let reg = login(&app, "alfa", "reg", "parola-reg").await;
    let sef = login(&app, "alfa", "sef", "parola-sef").await;
    let (id, _, token) = reg.register("petitie").await;

    // A registrar may not resolve: 403 and nothing changes.
    let head = reg.route_head(&id).await;
    let r = reg
        .act(&id, &[("action", "resolve"), ("route_head", &head)])
        .await;
    assert_eq!(r.status(), 403);

    let r = reg
        .act(
            &id,
            &[
                ("action", "assign"),
                ("department", "urbanism"),
                ("official", "sef"),
                ("route_head", &head),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let json = tracking_json(&app, &token).await;
    assert_eq!(json["status"], "in_progress");
    assert_eq!(json["route"][1]["event"], "assigned");
    assert_eq!(json["current"]["official"], "Sorin Șef");

    // Two actions on the same version: one applies, the other gets 409.
    let head = sef.route_head(&id).await;
    let forward = [
        ("action", "forward"),
        ("to_department", "registratura"),
        ("forward_note", "Pentru completare"),
        ("route_head", head.as_str()),
    ];
    let resolve = [
        ("action", "resolve"),
        ("resolve_note", "Rezolvat"),
        ("route_head", head.as_str()),
    ];
    let (a, b) = tokio::join!(sef.act(&id, &forward), sef.act(&id, &resolve));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 409]);
    let loser = if a.status() == 409 { a } else { b };
    assert!(loser.text().await.unwrap().contains("Reîncărcați"));
    let json = tracking_json(&app, &token).await;
    assert_eq!(json["route"].as_array().unwrap().len(), 3);
    let event = json["route"][2]["event"].as_str().unwrap().to_owned();
    assert!(event == "forwarded" || event == "resolved", "{event}");

    // Rejecting needs a reason: an error summary, nothing changes.
    if event == "forwarded" {
        let admin_head = reg.route_head(&id).await;
        let r = reg
            .act(
                &id,
                &[
                    ("action", "assign"),
                    ("department", "urbanism"),
                    ("route_head", &admin_head),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    if json["status"] != "resolved" {
        let head = sef.route_head(&id).await;
        let r = sef
            .act(&id, &[("action", "reject"), ("route_head", &head)])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#reason\""));
        let r = sef
            .act(
                &id,
                &[
                    ("action", "reject"),
                    ("reason", "Incomplet"),
                    ("route_head", &head),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(tracking_json(&app, &token).await["status"], "rejected");
    }
}
