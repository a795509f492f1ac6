//! The front door (`/`, `/institutions/{slug}`, `/accessibility`,
//! `/privacy`), the static assets (`/static/...`), following a document by
//! its number and receipt code (`/track`), and the remembered language.

use ghiseu_tests::{App, Backend, TestApp, no_redirects, workspace_root};
use serde_json::{Value, json};

use crate::desk::tenant;

/// A county council with its contact and a paid service with an attachment.
fn council() -> Value {
    let mut t = tenant("alfa", "ALF");
    t["name"] = json!("Consiliul Județean Alfa");
    t["contact"] = json!({
        "address": "Calea Dorobanților 106, Cluj-Napoca",
        "phone": "0264 503 100",
        "email": "registratura@alfa.example.ro",
        "hours": "Luni–Joi 8:30–16:30, Vineri 8:30–14:00"
    });
    t["document_types"][1] = json!({
        "code": "certificat-urbanism",
        "titles": {"ro": "Certificat de urbanism", "hu": "Településrendezési bizonyítvány", "en": "Urban planning certificate"},
        "deadline": {"count": "working_days", "days": 15},
        "first_department": "urbanism", "signature": "qualified", "fee_bani": 2500,
        "fields": [
            {"name": "adresa", "label": {"ro": "Adresa imobilului", "hu": "Az ingatlan címe", "en": "Property address"},
             "required": true, "type": "address"},
            {"name": "plan", "label": {"ro": "Plan de situație", "hu": "Helyszínrajz", "en": "Site plan"},
             "required": true, "type": "attachment",
             "types": ["application/pdf", "image/jpeg", "image/png"], "max_bytes": 10485760}
        ]
    });
    t
}

async fn spawn() -> TestApp {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let r = app
        .seed(&json!({"tenants": [council(), tenant("beta", "BTA")]}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn text(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.get(path).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_front_door_leads_to_each_institution_and_its_services() {
    // Arrange
    let app = spawn().await;

    // Act
    let (home, html) = text(&app, "/").await;
    let institution = app.get("/institutions/alfa?lang=hu").await;
    let cookie = institution
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    let page = institution.text().await.unwrap();
    let (missing, missing_html) = text(&app, "/institutions/nimeni").await;

    // Assert: the front door names the service, both ways in, the follow form
    // and every institution.
    assert_eq!(home, 200);
    assert!(html.contains("<html lang=\"ro\""));
    for needle in [
        "href=\"/portal/register?lang=ro\"",
        "href=\"/desk/login\"",
        "action=\"/track\"",
        "href=\"/institutions/alfa?lang=ro\"",
        "href=\"/institutions/beta?lang=ro\"",
        "href=\"/accessibility?lang=ro\"",
        "href=\"/privacy?lang=ro\"",
        "Consiliul Județean Alfa",
    ] {
        assert!(html.contains(needle), "front door lacks {needle}");
    }
    // The institution's page, in Hungarian: contact, hours, the service with
    // its fee, deadline and what to bring, the link to apply, its colour.
    assert_eq!(
        cookie.as_deref(),
        Some("lang=hu; Path=/; Max-Age=31536000; SameSite=Lax")
    );
    for needle in [
        "<html lang=\"hu\"",
        "Calea Dorobanților 106",
        "Luni–Joi 8:30–16:30",
        "href=\"tel:0264503100\"",
        "Településrendezési bizonyítvány",
        "25 lei",
        "15 munkanap",
        "Helyszínrajz",
        "Az ingatlan címe",
        "href=\"/portal/new/alfa/certificat-urbanism?lang=hu\"",
        "href=\"/branding/alfa/theme.css\"",
        "ingyenes",
    ] {
        assert!(page.contains(needle), "institution page lacks {needle}");
    }
    assert_eq!(missing, 404);
    assert!(missing_html.contains("Pagina nu există"));
}

#[tokio::test]
async fn the_accessibility_statement_and_the_privacy_notice_exist_in_each_language() {
    let app = spawn().await;
    for (lang, accessibility, privacy) in [
        (
            "ro",
            "Declarația de accesibilitate",
            "Protecția datelor personale",
        ),
        (
            "hu",
            "Akadálymentességi nyilatkozat",
            "Személyes adatok védelme",
        ),
        ("en", "Accessibility statement", "Privacy notice"),
    ] {
        let (status, a) = text(&app, &format!("/accessibility?lang={lang}")).await;
        assert_eq!(status, 200);
        assert!(
            a.contains(accessibility) && a.contains("112/2018"),
            "{lang}"
        );
        let (status, p) = text(&app, &format!("/privacy?lang={lang}")).await;
        assert_eq!(status, 200);
        assert!(
            p.contains(privacy) && p.contains("dataprotection.ro") && p.contains("28"),
            "{lang}"
        );
    }
}

/// The stylesheet's address as a page links it.
fn stylesheet_href(html: &str) -> String {
    let at = html
        .find("href=\"/static/ghiseu.")
        .expect("a stylesheet link")
        + 6;
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn static_assets_are_served_under_their_content_hash_for_ever() {
    // Arrange
    let app = spawn().await;
    let (_, html) = text(&app, "/").await;
    let href = stylesheet_href(&html);
    let on_disk = std::fs::read(workspace_root().join("static/ghiseu.css")).unwrap();

    // Act
    let css = app.get(&href).await;
    let etag = css.headers()["etag"].to_str().unwrap().to_owned();
    let cache = css.headers()["cache-control"].to_str().unwrap().to_owned();
    let content_type = css.headers()["content-type"].to_str().unwrap().to_owned();
    let body = css.bytes().await.unwrap();
    let again = app
        .client
        .get(app.url(&href))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    let unhashed = app.get("/static/ghiseu.css").await;
    let stale = app.get("/static/ghiseu.0000000000.css").await;
    let outside = app.get("/static/../Cargo.toml").await;
    let post = app.post(&href, "").await;

    // Assert
    assert_eq!(body.as_ref(), on_disk.as_slice());
    assert_eq!(cache, "public, max-age=31536000, immutable");
    assert_eq!(content_type, "text/css; charset=utf-8");
    assert_eq!(again.status(), 304);
    assert_eq!(unhashed.status(), 200);
    assert_eq!(unhashed.headers()["cache-control"], "public, max-age=300");
    assert_eq!(stale.status(), 404);
    assert_eq!(outside.status(), 404);
    assert_eq!(post.status(), 405);
    // The portal's enhancements are static files too.
    let (_, login) = text(&app, "/portal/login").await;
    let at = login
        .find("src=\"/static/portal.")
        .expect("the portal's script")
        + 5;
    let script = app.get(login[at..].split('"').next().unwrap()).await;
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        script.bytes().await.unwrap().as_ref(),
        std::fs::read(workspace_root().join("static/portal.js"))
            .unwrap()
            .as_slice()
    );
    // Every part of the service links the same stylesheet.
    for path in ["/portal/login", "/desk/login", "/track", "/accessibility"] {
        let (_, page) = text(&app, path).await;
        assert_eq!(stylesheet_href(&page), href, "{path}");
    }
}

/// The receipt code printed on the receipt at `html`.
fn receipt_code_in(html: &str) -> String {
    let at = html.find("receipt-code\">").expect("a receipt code") + 14;
    html[at..at + 9].to_owned()
}

#[tokio::test]
async fn a_damaged_qr_code_is_replaced_by_the_number_and_the_receipt_code() {
    // Arrange: a paper dossier and its receipt.
    let app = spawn().await;
    let desk = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let (id, number, token) = desk.register("petitie").await;
    let receipt = desk.html(&format!("/desk/dossiers/{id}/receipt")).await;
    let code = receipt_code_in(&receipt);
    let client = no_redirects();
    let follow = |number: &str, code: &str| {
        let url = app.url(&format!(
            "/track?lang=hu&number={number}&code={}",
            code.replace(' ', "+")
        ));
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    };

    // Act
    let form = app.get("/track?lang=en").await;
    let found = follow(&number, &code).await;
    let typed_loosely = follow(
        &number.to_lowercase(),
        &code.to_lowercase().replace('-', " "),
    )
    .await;
    let wrong_code = follow(&number, "0000-0000").await;
    let unknown_number = follow("ALF-2026-999999", &code).await;
    let malformed = follow("not a number", "x").await;

    // Assert
    assert_eq!(form.status(), 200);
    assert!(form.text().await.unwrap().contains("Follow a document"));
    for r in [&found, &typed_loosely] {
        assert_eq!(r.status(), 303);
        assert_eq!(
            r.headers()["location"],
            format!("/track/{token}?lang=hu").as_str()
        );
    }
    let wrong = wrong_code.text().await.unwrap();
    let unknown = unknown_number.text().await.unwrap();
    assert!(wrong.contains("nem találtunk dokumentumot"), "{wrong}");
    assert!(unknown.contains("nem találtunk dokumentumot"));
    assert!(!wrong.contains(&token) && !unknown.contains(&token));
    assert_eq!(malformed.status(), 422);
    let malformed = malformed.text().await.unwrap();
    assert!(malformed.contains("href=\"#number\"") && malformed.contains("href=\"#code\""));
}

#[tokio::test]
async fn a_language_chosen_once_is_kept_on_the_next_pages() {
    // Arrange
    let app = spawn().await;
    let chosen = app.get("/?lang=hu").await;
    let cookie = chosen.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // Act: later pages, without ?lang=, carrying the cookie as a browser would.
    let mut pages = Vec::new();
    for path in ["/", "/portal/login", "/track", "/privacy"] {
        let r = app
            .client
            .get(app.url(path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        pages.push((path, r.text().await.unwrap()));
    }

    // Assert
    for (path, html) in pages {
        assert!(
            html.contains("<html lang=\"hu\""),
            "{path} is not in Hungarian"
        );
    }
}

#[tokio::test]
async fn a_service_form_carries_its_institutions_name_and_colour() {
    // Arrange
    let app = spawn().await;
    let mut citizen = crate::portal::registered(&app).await;

    // Act
    let (status, form) = citizen
        .get("/portal/new/alfa/certificat-urbanism?lang=hu")
        .await;
    let (_, documents) = citizen.get("/portal").await;

    // Assert: the institution's band and colour on its service, not elsewhere.
    assert_eq!(status, 200);
    assert!(form.contains("class=\"institution\""), "{form}");
    assert!(form.contains("href=\"/institutions/alfa?lang=hu\""));
    assert!(form.contains("Consiliul Județean Alfa"));
    assert!(form.contains("href=\"/branding/alfa/theme.css\""));
    assert!(!documents.contains("/branding/"));
}

#[tokio::test]
async fn a_citizen_who_signs_up_from_a_service_comes_back_to_its_form() {
    // Arrange: someone opens a service's form from the front door, not signed in.
    let app = spawn().await;
    let form = "/portal/new/alfa/certificat-urbanism";
    let mut b = crate::portal::Browser::new(&app);
    let (status, _) = b.get(form).await;
    assert_eq!(status, 303);

    // Act: they create an account and confirm it.
    b.get("/portal/register").await;
    let phone = "+40745000999";
    let pw = "o parolă destul de lungă";
    let (status, location, _) = b
        .post(
            "/portal/register",
            &[
                ("name", "Ilona Kiss"),
                ("phone", phone),
                ("password", pw),
                ("password2", pw),
            ],
        )
        .await;
    assert_eq!(status, 303, "{location}");
    b.get(&location).await;
    let code = crate::portal::last_code(&app, phone).await;
    let (status, landed, _) = b
        .post("/portal/verify", &[("contact", phone), ("code", &code)])
        .await;

    // Assert: they land on the form they opened, once.
    assert_eq!(status, 303);
    assert_eq!(landed, form);
    let (status, page) = b.get(&landed).await;
    assert_eq!(status, 200);
    assert!(page.contains("Certificat de urbanism"));
    // The next sign-in goes to "my documents": the form was remembered once.
    b.post("/portal/logout", &[]).await;
    b.get("/portal/login").await;
    let (status, next, _) = b
        .post("/portal/login", &[("contact", phone), ("password", pw)])
        .await;
    assert_eq!((status.as_u16(), next.as_str()), (303, "/portal"));
}
