//! The officials' desk over real HTTP: sign-in (throttled, CSRF), registry intake
//! (multipart, files checked by content), receipts, actions with compare-and-swap,
//! tenant isolation, and what public tracking shows afterwards. Each test seeds two
//! small tenants through `POST /api/v1/platform/seed`.

use std::collections::BTreeSet;

use ghiseu_tests::{
    App, Backend, Official, TestApp, cookie_set_by, no_redirects, regno_in, sample_pdf as pdf,
    token_in,
};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const NAME: &str = "Zamfira Ungureanu-Pătrășcanu";
const CNP: &str = "1800101221144";
const PHONE: &str = "0745 123 456";
const EMAIL: &str = "zamfira.ungureanu@example.ro";

pub(crate) fn tenant(slug: &str, prefix: &str) -> Value {
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
             "roles": ["head_of_department"], "password": "parola-sef"},
            {"username": "ofi", "display_name": "Olga Funcționar", "department": "urbanism",
             "roles": ["official"], "password": "parola-ofi"},
            {"username": "semn", "display_name": "Silviu Semnatar", "department": null,
             "roles": ["signer"], "password": "parola-semn"}
        ],
        "document_types": [
            {"code": "petitie", "titles": {"ro": "Petiție"},
             "deadline": {"count": "calendar_days", "days": 30}, "first_department": "registratura"},
            {"code": "certificat-urbanism", "titles": {"ro": "Certificat de urbanism"},
             "deadline": {"count": "working_days", "days": 15}, "first_department": "urbanism"}
        ]
    })
}

pub(crate) async fn spawn(backend: Backend) -> TestApp {
    let app = App::desk(backend).spawn().await;
    let seed = json!({"tenants": [tenant("alfa", "ALF"), tenant("beta", "BTA")]});
    let r = app.seed(&seed).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

pub(crate) fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend(ghiseu_tests::random_bytes(128));
    v
}

pub(crate) fn year() -> i32 {
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

    let r = app.desk_sign_in_attempt("alfa", "reg", "wrong").await;
    assert_eq!(r.status(), 401);
    let body = r.text().await.unwrap();
    assert!(body.contains("role=\"alert\""), "{body}");
    // The same password in another tenant is refused too.
    assert_eq!(
        app.desk_sign_in_attempt("beta", "nobody", "parola-reg")
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
    assert!(cookie_set_by(&r, "ghiseu_desk").is_none());

    let desk = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    // Four more failures make five for alfa/reg: the right password is refused now.
    for _ in 0..4 {
        assert_eq!(
            app.desk_sign_in_attempt("alfa", "reg", "wrong")
                .await
                .status(),
            401
        );
    }
    let r = app.desk_sign_in_attempt("alfa", "reg", "parola-reg").await;
    assert_eq!(r.status(), 429);
    assert!(cookie_set_by(&r, "ghiseu_desk").is_none());
    // Another account is not blocked.
    app.desk_sign_in("alfa", "sef", "parola-sef").await;

    // Logout needs the CSRF token, then ends the session.
    let r = desk
        .client
        .post(app.url("/desk/logout"))
        .header("cookie", &desk.cookie)
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = desk
        .client
        .post(app.url("/desk/logout"))
        .header("cookie", &desk.cookie)
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
    let desk = app.desk_sign_in("alfa", "reg", "parola-reg").await;

    // Without the CSRF token nothing is registered.
    let form = Form::new()
        .text("document_type", "petitie")
        .part("scan", Part::bytes(pdf()).file_name("a.pdf"));
    let r = desk
        .client
        .post(app.url("/desk/intake"))
        .header("cookie", &desk.cookie)
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
    // The label and the receipt print as PDFs of their own page size
    // (their sizes and text: intake_receipts).
    assert!(
        html.contains(&format!("{receipt_path}.pdf?size=a6")),
        "{html}"
    );
    let a6 = desk.get(&format!("{receipt_path}.pdf?size=a6")).await;
    assert_eq!(a6.status(), 200);
    assert_eq!(a6.headers()["content-type"], "application/pdf");
    assert!(a6.bytes().await.unwrap().starts_with(b"%PDF-"));

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
    let desk = std::sync::Arc::new(app.desk_sign_in("alfa", "reg", "parola-reg").await);
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
    let alfa = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let beta = app.desk_sign_in("beta", "reg", "parola-reg").await;
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
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
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
                    ("confirm", "yes"),
                    ("route_head", &head),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(tracking_json(&app, &token).await["status"], "rejected");
    }
}

async fn upload_response(
    desk: &Official,
    id: &str,
    name: &str,
    data: Vec<u8>,
) -> reqwest::Response {
    let head = desk.route_head(id).await;
    let form = Form::new()
        .text("csrf", desk.csrf.clone())
        .text("route_head", head)
        .part("document", Part::bytes(data).file_name(name.to_owned()));
    desk.multipart(&format!("/desk/dossiers/{id}/response"), form)
        .await
}

fn events(json: &Value) -> Vec<String> {
    json["route"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn information_request_response_signature_and_issue() {
    let app = spawn(Backend::Sqlite).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let semn = app.desk_sign_in("alfa", "semn", "parola-semn").await;
    let (id, regno, token) = reg.register("petitie").await;
    let r = reg
        .act_now(&id, &[("action", "assign"), ("department", "urbanism")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let deadline = tracking_json(&app, &token).await["deadline"].clone();

    // Information request: the public sees "awaiting your reply", never the question.
    let question = "Lipsește planul de situație semnat";
    let r = sef
        .act_now(&id, &[("action", "request_info"), ("question", question)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let json = tracking_json(&app, &token).await;
    assert_eq!(json["status"], "awaiting_reply");
    assert!(!json.to_string().contains("planul de situație"));
    assert!(sef.page(&id).await.contains(question));
    // While waiting, the dossier cannot be resolved (409) and nothing changes.
    let r = sef.act_now(&id, &[("action", "resolve")]).await;
    assert_eq!(r.status(), 409);
    // The reply arrives at the registry the same day: paused 0 days.
    let r = reg.act_now(&id, &[("action", "record_reply")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let json = tracking_json(&app, &token).await;
    assert_eq!(json["status"], "in_progress");
    assert_eq!(json["deadline"], deadline);

    // Extension: at most 15 days, with a reason, once.
    let r = sef
        .act_now(
            &id,
            &[
                ("action", "extend_deadline"),
                ("days", "16"),
                ("extend_reason", "Analiză"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = sef
        .act_now(
            &id,
            &[
                ("action", "extend_deadline"),
                ("days", "10"),
                ("extend_reason", "Analiză"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let json = tracking_json(&app, &token).await;
    assert_ne!(json["deadline"], deadline);
    assert!(!sef.page(&id).await.contains("value=\"extend_deadline\""));

    // A response document: checked by content, stored, viewable in the browser.
    let r = upload_response(&sef, &id, "raspuns.pdf", b"<html>".to_vec()).await;
    assert_eq!(r.status(), 422);
    assert_eq!(events(&tracking_json(&app, &token).await).len(), 5);
    let doc = pdf();
    let r = upload_response(&sef, &id, "raspuns.pdf", doc.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sha = ghiseu_tests::sha256_hex(&doc);
    let file = sef.get(&format!("/desk/dossiers/{id}/files/{sha}")).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert!(
        file.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(file.bytes().await.unwrap().as_ref(), doc.as_slice());
    let other = app.desk_sign_in("beta", "reg", "parola-reg").await;
    assert_eq!(
        other
            .get(&format!("/desk/dossiers/{id}/files/{sha}"))
            .await
            .status(),
        404
    );

    // Sent for signature: it is in the signer's queue, and nowhere else closes it.
    let r = sef.act_now(&id, &[("action", "send_for_signature")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        tracking_json(&app, &token).await["status"],
        "awaiting_signature"
    );
    assert!(semn.inbox("").await.contains(&regno));
    // The inbox's "to sign" view is the one signing queue.
    assert!(semn.html("/desk/sign").await.contains(&regno));
    // Taken back by the head and resolved: the response is issued.
    let r = sef
        .act_now(&id, &[("action", "assign"), ("department", "urbanism")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sef
        .act_now(
            &id,
            &[("action", "resolve"), ("resolve_note", "Răspuns emis")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let json = tracking_json(&app, &token).await;
    assert_eq!(json["status"], "resolved");
    assert_eq!(
        events(&json),
        [
            "registered",
            "assigned",
            "info_requested",
            "citizen_replied",
            "deadline_extended",
            "response_drafted",
            "sent_for_signature",
            "assigned",
            "issued"
        ]
    );
    // Closed dossiers leave the open inboxes but stay in the registry.
    assert!(!reg.inbox("view=all").await.contains(&regno));
    assert!(reg.inbox("view=registry").await.contains(&regno));
}

/// A registration that dies after taking its number leaves the number without
/// a dossier; the registry names it rather than skip it (a registry accounts
/// for every number), and the next registration does not reuse it.
#[tokio::test]
async fn the_registry_names_a_number_taken_without_a_dossier() {
    let app = spawn(Backend::Sqlite).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let y = year();
    let first = reg.register("petitie").await.1;
    assert_eq!(first, format!("ALF-{y}-000001"));
    // What a request that died right after taking its number leaves behind.
    let r = app.post(&format!("/probe/incr/t/alfa/regno/{y}"), "").await;
    assert_eq!(r.status(), 200);
    let third = reg.register("petitie").await.1;
    assert_eq!(third, format!("ALF-{y}-000003"));

    let registry = reg.inbox("view=registry").await;
    assert!(registry.contains(&first) && registry.contains(&third));
    assert!(
        registry.contains(&format!(
            "Numere de înregistrare luate fără dosar: ALF-{y}-000002."
        )),
        "{registry}"
    );
    // The open inboxes list dossiers; another tenant's registry has no gap.
    assert!(!reg.inbox("view=all").await.contains("fără dosar"));
    let other = app.desk_sign_in("beta", "reg", "parola-reg").await;
    assert!(!other.inbox("view=registry").await.contains("fără dosar"));
}

#[tokio::test]
async fn inboxes_filter_by_department_official_status_type_and_deadline() {
    let app = spawn(Backend::Sqlite).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let ofi = app.desk_sign_in("alfa", "ofi", "parola-ofi").await;
    let (a, a_no, _) = reg.register("petitie").await;
    let (_, b_no, _) = reg.register("petitie").await;
    let (_, c_no, _) = reg.register("certificat-urbanism").await;
    let r = reg
        .act_now(
            &a,
            &[
                ("action", "assign"),
                ("department", "urbanism"),
                ("official", "ofi"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let has = |html: &str, want: &[&str], not: &[&str]| {
        for n in want {
            assert!(html.contains(n), "{n} missing");
        }
        for n in not {
            assert!(!html.contains(n), "{n} should not be listed");
        }
    };
    // The official's own inbox and their department's.
    has(&ofi.inbox("view=mine").await, &[&a_no], &[&b_no, &c_no]);
    has(&ofi.inbox("").await, &[&a_no, &c_no], &[&b_no]);
    // Filters: department, status, document type, deadline.
    has(
        &reg.inbox("view=all&department=registratura").await,
        &[&b_no],
        &[&a_no, &c_no],
    );
    has(
        &reg.inbox("view=all&status=in_progress").await,
        &[&a_no],
        &[&b_no, &c_no],
    );
    has(
        &reg.inbox("view=all&document_type=certificat-urbanism")
            .await,
        &[&c_no],
        &[&a_no, &b_no],
    );
    has(
        &reg.inbox("view=all&due=overdue").await,
        &[],
        &[&a_no, &b_no, &c_no],
    );
    // Sorted by deadline: the 15-working-day certificate comes before the
    // 30-day petitions.
    let all = reg.inbox("view=all").await;
    assert!(all.find(&c_no).unwrap() < all.find(&b_no).unwrap());
}

#[tokio::test]
async fn duplicates_are_joined_to_an_earlier_dossier() {
    let app = spawn(Backend::Sqlite).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let (_, first, _) = reg.register("petitie").await;
    let (id, second, token) = reg.register("petitie").await;
    for bad in ["ALF-2020-000099", "nimic", second.as_str()] {
        let r = reg
            .act_now(
                &id,
                &[
                    ("action", "join_duplicate"),
                    ("into", bad),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert!(
            r.status() == 422 || r.status() == 409,
            "{bad}: {}",
            r.status()
        );
    }
    assert_eq!(tracking_json(&app, &token).await["status"], "registered");
    let r = reg
        .act_now(
            &id,
            &[
                ("action", "join_duplicate"),
                ("into", &first),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let json = tracking_json(&app, &token).await;
    assert_eq!(json["status"], "joined");
    assert!(reg.page(&id).await.contains(&first));
}

#[tokio::test]
async fn forwarding_between_institutions_shows_both_legs() {
    let app = spawn(Backend::Sqlite).await;
    let alfa = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let beta = app.desk_sign_in("beta", "reg", "parola-reg").await;
    let (id, alfa_no, token) = alfa.register("petitie").await;
    // Misdirected petitions: the page reminds of the 5-day limit once it nears.
    let page = alfa.page(&id).await;
    assert!(page.contains("value=\"forward_to_institution\""));
    let r = alfa
        .act_now(
            &id,
            &[
                ("action", "forward_to_institution"),
                ("to_tenant", "nu-exista"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    // An institution without a fitting document type (nor a petition) cannot
    // receive it: refused before anything changes.
    let mut gama = tenant("gama", "GAM");
    gama["document_types"] = json!([{"code": "adeverinta", "titles": {"ro": "Adeverință"},
        "deadline": {"count": "calendar_days", "days": 30}, "first_department": "registratura"}]);
    assert_eq!(app.seed(&json!({"tenants": [gama]})).await.status(), 200);
    let r = alfa
        .act_now(
            &id,
            &[("action", "forward_to_institution"), ("to_tenant", "gama")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(tracking_json(&app, &token).await["status"], "registered");
    let r = alfa
        .act_now(
            &id,
            &[
                ("action", "forward_to_institution"),
                ("to_tenant", "beta"),
                ("institution_note", "Competența aparține instituției beta"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The first token shows both legs, with beta's own number.
    let json = tracking_json(&app, &token).await;
    assert_eq!(json["status"], "forwarded");
    let journey = json["journey"].as_array().expect("a journey");
    assert_eq!(journey.len(), 2);
    assert_eq!(journey[0]["registration_number"], alfa_no.as_str());
    assert_eq!(journey[1]["institution"]["slug"], "beta");
    let beta_no = journey[1]["registration_number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(beta_no, format!("BTA-{}-000001", year()));
    assert_eq!(journey[1]["status"], "registered");

    // Beta works it; alfa's token follows at once.
    let inbox = beta.inbox("view=all").await;
    assert!(inbox.contains(&beta_no));
    let at = inbox.find("/desk/dossiers/").unwrap() + 15;
    let beta_id = inbox[at..at + 26].to_owned();
    assert!(beta.page(&beta_id).await.contains(&alfa_no));
    let r = beta
        .act_now(
            &beta_id,
            &[("action", "assign"), ("department", "urbanism")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let json = tracking_json(&app, &token).await;
    let leg = &json["journey"][1];
    assert_eq!(leg["status"], "in_progress");
    assert_eq!(leg["route"][1]["event"], "assigned");
    // The scanned pages went along.
    let page = beta.page(&beta_id).await;
    let at = page.find("/files/").unwrap() + 7;
    let sha = &page[at..at + 64];
    assert_eq!(
        beta.get(&format!("/desk/dossiers/{beta_id}/files/{sha}"))
            .await
            .status(),
        200
    );
    // The HTML tracking page shows both institutions and both numbers.
    let html = app
        .get(&format!("/track/{token}"))
        .await
        .text()
        .await
        .unwrap();
    for want in [
        "Instituția alfa",
        "Instituția beta",
        alfa_no.as_str(),
        beta_no.as_str(),
    ] {
        assert!(html.contains(want), "{want} missing from the tracking page");
    }
    // Alfa can do nothing more with it.
    assert!(!alfa.page(&id).await.contains("name=\"action\""));
}

/// The desk enforces the role × action table over HTTP: allowed actions
/// answer 303, denied ones 403 (404 across tenants), and change nothing.
#[tokio::test]
async fn role_action_table_over_http() {
    let app = spawn(Backend::Sqlite).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let ofi = app.desk_sign_in("alfa", "ofi", "parola-ofi").await;
    let semn = app.desk_sign_in("alfa", "semn", "parola-semn").await;
    let stranger = app.desk_sign_in("beta", "sef", "parola-sef").await;
    let users: [(&str, &Official); 5] = [
        ("reg", &reg),
        ("ofi", &ofi),
        ("sef", &sef),
        ("semn", &semn),
        ("stranger", &stranger),
    ];
    let actions: [(&str, &[(&str, &str)]); 6] = [
        (
            "forward",
            &[("action", "forward"), ("to_department", "registratura")],
        ),
        (
            "request_info",
            &[("action", "request_info"), ("question", "Acte")],
        ),
        ("resolve", &[("action", "resolve")]),
        (
            "reject",
            &[
                ("action", "reject"),
                ("reason", "Nefondat"),
                ("confirm", "yes"),
            ],
        ),
        (
            "extend",
            &[
                ("action", "extend_deadline"),
                ("days", "5"),
                ("extend_reason", "Volum"),
            ],
        ),
        (
            "assign",
            &[
                ("action", "assign"),
                ("department", "urbanism"),
                ("official", "ofi"),
            ],
        ),
    ];
    // Rows: users; columns: actions, on a dossier held by urbanism.
    let table: [[u16; 6]; 5] = [
        [403, 403, 403, 403, 403, 303],
        [303, 303, 403, 403, 403, 303],
        [303, 303, 303, 303, 303, 303],
        [403, 403, 403, 403, 403, 403],
        [404, 404, 404, 404, 404, 404],
    ];
    for (row, (user, desk)) in table.iter().zip(users) {
        for (want, (action, fields)) in row.iter().zip(actions) {
            let (id, _, token) = reg.register("petitie").await;
            let r = reg
                .act_now(&id, &[("action", "assign"), ("department", "urbanism")])
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            let before = tracking_json(&app, &token).await;
            let head = reg.route_head(&id).await;
            let mut all = fields.to_vec();
            all.push(("route_head", head.as_str()));
            let r = desk.act(&id, &all).await;
            assert_eq!(r.status().as_u16(), *want, "{user} doing {action}");
            if *want != 303 {
                assert_eq!(
                    tracking_json(&app, &token).await["route_head"],
                    before["route_head"],
                    "{user} doing {action} changed the dossier"
                );
            }
        }
    }
}

async fn outbox(app: &TestApp, to: &str) -> Vec<Value> {
    let r = app
        .get(&format!(
            "/api/v1/sandbox/outbox?to={}",
            ghiseu_tests::percent_encode(to)
        ))
        .await;
    assert_eq!(r.status(), 200);
    let json: Value = r.json().await.unwrap();
    json["messages"].as_array().unwrap().clone()
}

async fn dispatch(app: &TestApp, query: &str) -> Value {
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/platform/notifications/dispatch{query}")))
        .bearer_auth(ghiseu_tests::TEST_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The outbox gauges of `GET /api/v1/platform/metrics`: (pending, due).
async fn outbox_depth(app: &TestApp) -> (u64, u64) {
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/platform/metrics"))
        .bearer_auth(ghiseu_tests::TEST_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let gauge = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .parse()
            .unwrap()
    };
    (gauge("ghiseu_outbox_pending"), gauge("ghiseu_outbox_due"))
}

#[tokio::test]
async fn the_citizen_is_told_by_sms_and_email_of_every_status_change() {
    let app = spawn(Backend::Sqlite).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let sef = app.desk_sign_in("alfa", "sef", "parola-sef").await;
    let r = reg
        .intake(
            "petitie",
            &[("p.pdf", pdf())],
            &[("phone", PHONE), ("email", EMAIL)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let id = location.split('/').nth(3).unwrap().to_owned();
    let receipt = reg.get(&location).await.text().await.unwrap();
    let (regno, token) = (regno_in(&receipt), token_in(&receipt));

    let sms = outbox(&app, "+40745123456").await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0]["channel"], "sms");
    let text = sms[0]["text"].as_str().unwrap();
    assert!(
        text.contains(&regno) && text.contains(&format!("/q/{token}")),
        "{text}"
    );
    let mail = outbox(&app, EMAIL).await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0]["subject"].as_str().unwrap().contains(&regno));

    // Assigned (in progress), then asked for information: each is a message;
    // the question goes to the citizen only.
    reg.act_now(&id, &[("action", "assign"), ("department", "urbanism")])
        .await;
    sef.act_now(
        &id,
        &[
            ("action", "request_info"),
            ("question", "Copia actului de proprietate"),
        ],
    )
    .await;
    let sms = outbox(&app, "+40745123456").await;
    assert_eq!(sms.len(), 3, "{sms:?}");
    // Within two segments the SMS may be written in GSM-7 letters.
    let newest = ghiseu_core::sms::to_gsm7(sms[0]["text"].as_str().unwrap());
    assert!(newest.contains("Copia actului de proprietate"), "{newest}");
    assert!(newest.contains("Asteapta raspunsul"), "{newest}");
    // An extension changes no public status: no message.
    reg.act_now(&id, &[("action", "record_reply")]).await;
    sef.act_now(
        &id,
        &[
            ("action", "extend_deadline"),
            ("days", "3"),
            ("extend_reason", "Volum"),
        ],
    )
    .await;
    assert_eq!(outbox(&app, "+40745123456").await.len(), 4);
    // A dossier without contact sends nothing.
    let before = app
        .get("/api/v1/sandbox/outbox")
        .await
        .json::<Value>()
        .await
        .unwrap()["messages"]
        .as_array()
        .unwrap()
        .len();
    reg.register("petitie").await;
    let after = app
        .get("/api/v1/sandbox/outbox")
        .await
        .json::<Value>()
        .await
        .unwrap()["messages"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_failing_gateway_never_blocks_the_desk_and_messages_are_retried_once() {
    let app = spawn(Backend::Sqlite).await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    // The gateway fails the next 5 deliveries.
    let r = app
        .post("/api/v1/sandbox/gateway/failures", r#"{"count": 5}"#)
        .await;
    assert_eq!(r.status(), 200);
    let r = reg
        .intake("petitie", &[("p.pdf", pdf())], &[("phone", PHONE)])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the intake is not blocked"
    );
    assert!(outbox(&app, "+40745123456").await.is_empty());
    assert_eq!(
        outbox_depth(&app).await,
        (1, 0),
        "queued, waiting for its retry"
    );
    // Not due again yet (backoff): a plain dispatch delivers nothing.
    let report = dispatch(&app, "").await;
    assert_eq!(report["delivered"], 0);
    // Retried at once by the engineer on call, while the gateway still fails
    // four more times, then for real.
    for _ in 0..4 {
        let report = dispatch(&app, "?retry=now").await;
        assert_eq!(report["retried"], 1, "{report}");
    }
    let report = dispatch(&app, "?retry=now").await;
    assert_eq!(report["delivered"], 1, "{report}");
    assert_eq!(outbox(&app, "+40745123456").await.len(), 1);
    // Nothing left to send.
    let report = dispatch(&app, "?retry=now").await;
    assert_eq!(report, json!({"delivered": 0, "retried": 0, "failed": 0}));
    assert_eq!(outbox_depth(&app).await, (0, 0));
}

#[tokio::test]
async fn the_sandbox_gateway_checks_signatures_and_keeps_one_copy_per_id() {
    let app = spawn(Backend::Sqlite).await;
    let body = json!({"id": "m-1", "channel": "sms", "to": "+40700000001", "lang": "ro",
                      "subject": "", "text": "Test"})
    .to_string();
    let send = |sig: String| {
        let body = body.clone();
        let url = app.url("/sandbox/gateway/messages");
        async move {
            reqwest::Client::new()
                .post(url)
                .header("x-ghiseu-signature", sig)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(send("sha256=00".into()).await.status(), 401);
    let good = ghiseu_platform::notify::signature(
        ghiseu_tests::TEST_NOTIFY_SECRET.as_bytes(),
        body.as_bytes(),
    );
    assert_eq!(send(good.clone()).await.status(), 202);
    let again = send(good).await;
    assert_eq!(again.status(), 202);
    assert_eq!(again.json::<Value>().await.unwrap()["duplicate"], true);
    assert_eq!(outbox(&app, "+40700000001").await.len(), 1);
}

#[tokio::test]
async fn the_sandbox_is_off_unless_enabled() {
    let app = App::production().spawn().await;
    for path in ["/sandbox/outbox", "/api/v1/sandbox/outbox"] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
}

/// The demo seed of `cargo xtask up` includes a petition forwarded from a town
/// hall to the county council; its tracking link shows both institutions.
#[tokio::test]
async fn the_demo_seed_has_a_dossier_forwarded_between_institutions() {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let seed: Value = serde_json::from_str(
        &std::fs::read_to_string(ghiseu_tests::workspace_root().join("infra/seed/demo.json"))
            .unwrap(),
    )
    .unwrap();
    let r = app.seed(&seed).await;
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    let forwarded = answer["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "petitie-forwarded-1")
        .expect("the forwarded demo dossier")
        .clone();
    assert_eq!(forwarded["institution"], "floresti");
    assert_eq!(forwarded["status"], "forwarded_out");
    let url = forwarded["tracking_url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap();
    let json = tracking_json(&app, token).await;
    let journey = json["journey"].as_array().expect("a journey");
    let slugs: Vec<&str> = journey
        .iter()
        .map(|l| l["institution"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["floresti", "cjcluj"]);
    // The demo's departments have Hungarian names, on every leg.
    let hu = tracking_in(&app, token, "hu").await;
    for leg in hu["journey"].as_array().unwrap() {
        assert_eq!(leg["route"][0]["department"], "Iktató", "{leg}");
    }
    assert!(
        journey[1]["registration_number"]
            .as_str()
            .unwrap()
            .starts_with("CJC-")
    );
    // Seeding again changes nothing.
    let again: Value = app.seed(&seed).await.json().await.unwrap();
    assert_eq!(again["dossiers"], answer["dossiers"]);
}

/// The tracking JSON of `token` in `lang`.
async fn tracking_in(app: &TestApp, token: &str, lang: &str) -> Value {
    let r = app.get(&format!("/api/v1/track/{token}?lang={lang}")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// `(current department, [route departments])` of a tracking JSON.
fn departments_of(json: &Value) -> (String, Vec<String>) {
    let route = json["route"].as_array().unwrap().iter();
    (
        json["current"]["department"].as_str().unwrap().to_owned(),
        route
            .map(|e| e["department"].as_str().unwrap().to_owned())
            .collect(),
    )
}

/// `PUT /api/v1/admin/departments/{code}` with `names`, as `who`.
async fn rename(who: &Official, code: &str, names: Value) -> reqwest::Response {
    let path = format!("/api/v1/admin/departments/{code}");
    who.api(reqwest::Method::PUT, &path, Some(&names)).await
}

#[tokio::test]
async fn department_names_are_shown_in_the_readers_language() {
    const URB_RO: &str = "Direcția Urbanism";
    const URB_HU: &str = "Városrendezési Igazgatóság";
    const URB_EN: &str = "Urban Planning Directorate";
    let app = App::desk(Backend::Sqlite).spawn().await;
    let mut alfa = tenant("alfa", "ALF");
    alfa["departments"][1] =
        json!({"code": "urbanism", "name": URB_RO, "name_hu": URB_HU, "name_en": URB_EN});
    alfa["officials"].as_array_mut().unwrap().push(json!(
        {"username": "adm", "display_name": "Ada Admin", "department": null,
         "roles": ["tenant_admin"], "password": "parola-adm"}));
    let r = app.seed(&json!({"tenants": [alfa]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let (id, _, token) = reg.register("certificat-urbanism").await;

    // The JSON and the page name the department in the reader's language.
    for (lang, name) in [("ro", URB_RO), ("hu", URB_HU), ("en", URB_EN)] {
        let json = tracking_in(&app, &token, lang).await;
        assert_eq!(departments_of(&json), (name.into(), vec![name.into()]));
        let page = app.get(&format!("/track/{token}?lang={lang}")).await;
        let html = page.text().await.unwrap();
        assert!(html.contains(name), "{lang}: {html}");
        assert!(lang == "ro" || !html.contains(URB_RO), "{lang}: {html}");
    }

    // The administrator names the registry in Hungarian only; a bad name or
    // an unknown department changes nothing.
    let r = rename(
        &adm,
        "registratura",
        json!({"name": "Registratura", "name_hu": "x".repeat(201)}),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("name_hu"));
    let list: Value = adm
        .get("/api/v1/admin/departments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["name_hu"], Value::Null);
    let r = rename(&adm, "nicaieri", json!({"name": "Nicăieri"})).await;
    assert_eq!(r.status(), 404);
    let r = rename(
        &reg,
        "registratura",
        json!({"name": "Registratura", "name_hu": "Iktató"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = rename(
        &adm,
        "registratura",
        json!({"name": "Registratura", "name_hu": "Iktató", "name_en": " "}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let registry = json!({"code": "registratura", "name": "Registratura",
        "name_hu": "Iktató", "active": true});
    assert_eq!(r.json::<Value>().await.unwrap(), registry);
    let list: Value = adm
        .get("/api/v1/admin/departments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0], registry);
    assert_eq!(list[1]["name_hu"], URB_HU);

    // The next change shows it: Hungarian where there is a name, Romanian
    // where there is none.
    let assign = [("action", "assign"), ("department", "registratura")];
    let r = reg.act_now(&id, &assign).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let hu = tracking_in(&app, &token, "hu").await;
    let want = ("Iktató".into(), vec![URB_HU.into(), "Iktató".into()]);
    assert_eq!(departments_of(&hu), want);
    let en = tracking_in(&app, &token, "en").await;
    let want = (
        "Registratura".into(),
        vec![URB_EN.into(), "Registratura".into()],
    );
    assert_eq!(departments_of(&en), want);
    let ro = tracking_in(&app, &token, "ro").await;
    let want = (
        "Registratura".into(),
        vec![URB_RO.into(), "Registratura".into()],
    );
    assert_eq!(departments_of(&ro), want);
}

#[tokio::test]
async fn my_documents_name_the_department_in_the_readers_language() {
    use crate::portal::{last_code, registered};
    let app = crate::portal::spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let r = rename(
        &adm,
        "registratura",
        json!({"name": "Registratura", "name_hu": "Iktató", "name_en": "Registry"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    // A paper petition, claimed by the citizen whose phone is on it.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let r = reg
        .intake("petitie", &[("p.pdf", pdf())], &[("phone", "0745 000 333")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let number = format!("ALF-{}-000001", year());
    let mut b = registered(&app).await;
    b.get("/portal/claim").await;
    let claim = [("institution", "alfa"), ("number", number.as_str())];
    let (status, _, _) = b.post("/portal/claim", &claim).await;
    assert_eq!(status, 200);
    let code = last_code(&app, "+40745000333").await;
    let confirm = [claim[0], claim[1], ("code", code.as_str())];
    let (status, _, _) = b.post("/portal/claim/confirm", &confirm).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    for (lang, name) in [("hu", "Iktató"), ("en", "Registry"), ("ro", "Registratura")] {
        let (status, html) = b.get(&format!("/portal?lang={lang}")).await;
        assert_eq!(status, 200);
        assert!(
            html.contains(&number) && html.contains(&format!("<dd>{name}</dd>")),
            "{lang}: {html}"
        );
    }
}
