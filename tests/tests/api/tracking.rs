//! Public tracking (DESIGN §4): the track component mounted beside the probe on one
//! "default" store. Each test registers a real dossier with `ghiseu-core`, writes its
//! public snapshot under `track/{TOKEN}` through the probe with the platform function
//! the desk uses, and looks it up over HTTP as a phone would.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use ghiseu_core::calendar::local_date;
use ghiseu_core::citizen_contact::{CitizenContact, CitizenName, Cnp, Email, PhoneNumber};
use ghiseu_core::dossier::NewDossier;
use ghiseu_core::public_view::PublicNames;
use ghiseu_core::tenant::PublicBaseUrl;
use ghiseu_core::workflow::{Command, execute};
use ghiseu_core::{
    Actor, Channel, DeadlineRule, DepartmentCode, DisplayName, DocumentType, DocumentTypeCode,
    Dossier, DossierId, Lang, PublicNote, RegistrationNumber, RegistrationPrefix, Role, RouteActor,
    SignatureRequirement, TenantSlug, Titles, TrackingToken, TypeVersion, Username,
};
use ghiseu_platform::tracking::{Snapshot, snapshot_of};
use ghiseu_tests::{App, Backend, ExtraComponent, TestApp, TestManifest, track_wasm};
use serde_json::Value;

const NAME: &str = "Zamfira Ungureanu-Pătrășcanu";
const CNP: &str = "1800101221144";
const PHONE: &str = "0745 123 456";
const EMAIL: &str = "zamfira.ungureanu@example.ro";

/// Every trace of the citizen that must never appear publicly.
const PERSONAL: [&str; 8] = [
    "Zamfira",
    "Ungureanu",
    "Pătrășcanu",
    CNP,
    "745123456",
    "745 123 456",
    EMAIL,
    "zamfira.ungureanu",
];

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn dept(s: &str) -> DepartmentCode {
    DepartmentCode::parse(s).unwrap()
}

fn titles() -> Titles {
    Titles {
        ro: DisplayName::parse("Certificat de urbanism").unwrap(),
        hu: Some(DisplayName::parse("Településrendezési bizonyítvány").unwrap()),
        en: Some(DisplayName::parse("Urban planning certificate").unwrap()),
    }
}

fn names() -> PublicNames {
    PublicNames {
        departments: [
            (
                dept("registratura"),
                Titles::ro(DisplayName::parse("Registratura").unwrap()),
            ),
            (
                dept("urbanism"),
                Titles {
                    hu: DisplayName::parse("Városrendezési Igazgatóság").ok(),
                    ..Titles::ro(DisplayName::parse("Direcția Urbanism").unwrap())
                },
            ),
        ]
        .into(),
        officials: [(Username::parse("ion.pop").unwrap(), "Ion Pop".to_owned())].into(),
    }
}

/// A paper dossier of the county council with the citizen's full contact, assigned
/// to an official with a public note.
fn dossier() -> Dossier {
    let tenant = TenantSlug::parse("cj-cluj").unwrap();
    let doc_type = DocumentType {
        tenant: tenant.clone(),
        code: DocumentTypeCode::parse("certificat-urbanism").unwrap(),
        version: TypeVersion::FIRST,
        titles: titles(),
        deadline: DeadlineRule::default(),
        first_department: dept("registratura"),
        signature: SignatureRequirement::None,
        fee_bani: 0,
        retention_years: 10,
        fields: vec![],
    };
    let mut token = [0u8; 16];
    getrandom::fill(&mut token).unwrap();
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).unwrap();
    let new = NewDossier {
        id: DossierId::from_random(id),
        tenant: tenant.clone(),
        channel: Channel::Paper,
        number: RegistrationNumber::new(RegistrationPrefix::parse("CJC").unwrap(), 2026, 42)
            .unwrap(),
        token: TrackingToken::from_random(token),
        attachments: vec![],
        note: None,
        contact: CitizenContact {
            name: Some(CitizenName::parse(NAME).unwrap()),
            email: Some(Email::parse(EMAIL).unwrap()),
            phone: Some(PhoneNumber::parse(PHONE).unwrap()),
            cnp: Some(Cnp::parse(CNP).unwrap()),
            lang: None,
        },
        public_note: Some(PublicNote::parse("Depus la registratură <b>pe hârtie</b>").unwrap()),
        origin: None,
        form: Default::default(),
    };
    let mut d = Dossier::register(
        new,
        &doc_type,
        RouteActor::Official(Username::parse("reg.maria").unwrap()),
        at("2026-03-02T08:00:00Z"),
    );
    let admin = Actor {
        username: Username::parse("sef.urbanism").unwrap(),
        tenant,
        roles: BTreeSet::from([Role::TenantAdmin]),
        department: None,
    };
    execute(
        &mut d,
        Command::Assign {
            department: dept("urbanism"),
            official: Some(Username::parse("ion.pop").unwrap()),
        },
        &admin,
        at("2026-03-03T09:00:00Z"),
    )
    .unwrap();
    d
}

fn track_component(rate_limit: u32) -> ExtraComponent {
    ExtraComponent {
        id: "track".to_owned(),
        source: track_wasm(),
        routes: vec![
            "/q/...".to_owned(),
            "/track/...".to_owned(),
            "/api/v1/track/...".to_owned(),
        ],
        variables: vec![
            ("rate_limit".to_owned(), rate_limit.to_string()),
            (
                "public_base_url".to_owned(),
                ghiseu_tests::TEST_PUBLIC_BASE_URL.to_owned(),
            ),
        ],
    }
}

async fn spawn(rate_limit: u32) -> TestApp {
    spawn_on(rate_limit, Backend::Sqlite).await
}

async fn spawn_on(rate_limit: u32, backend: Backend) -> TestApp {
    App::with_manifest(
        TestManifest::probe().component(track_component(rate_limit)),
        backend,
    )
    .spawn()
    .await
}

/// Writes the dossier's snapshot as the desk does and returns it with its token.
async fn publish(app: &TestApp, d: &Dossier, base: Option<&PublicBaseUrl>) -> (String, Snapshot) {
    let snapshot = snapshot_of(d, "Consiliul Județean Cluj", base, &titles(), &names());
    let token = d.token().to_string();
    let response = app
        .put(&format!("/probe/kv/track/{token}"), snapshot.to_json())
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    (token, snapshot)
}

fn today() -> NaiveDate {
    local_date(Utc::now())
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_owned()
}

fn assert_security_headers(response: &reqwest::Response) {
    let csp = header(response, "content-security-policy");
    for part in [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    assert_eq!(header(response, "referrer-policy"), "no-referrer");
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert!(header(response, "content-type").starts_with("text/html"));
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn json_has_the_contract_fields_etag_and_304() {
    // Arrange
    let app = spawn(1000).await;
    let d = dossier();
    let (token, snapshot) = publish(&app, &d, None).await;
    let path = format!("/api/v1/track/{token}");

    // Act
    let before = today();
    let response = app.get(&path).await;
    let after = today();

    // Assert
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("application/json"));
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=0, s-maxage=10"
    );
    assert_eq!(header(&response, "vary"), "Accept-Language");
    let etag = header(&response, "etag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"),
        "{etag}"
    );
    let body: Value = response.json().await.unwrap();
    let expected =
        [before, after].map(|t| serde_json::to_value(snapshot.view(t, Lang::Ro)).unwrap());
    assert!(expected.contains(&body), "{body:#}");
    let object = body.as_object().unwrap();
    let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "current",
            "days_in_institution",
            "days_left",
            "deadline",
            "document_type",
            "institution",
            "registered_at",
            "registration_number",
            "route",
            "route_head",
            "status",
            "updated_at"
        ]
    );
    assert_eq!(body["registration_number"], "CJC-2026-000042");
    assert_eq!(body["registered_at"], "2026-03-02T08:00:00Z");
    assert!(DateTime::parse_from_rfc3339(body["registered_at"].as_str().unwrap()).is_ok());
    assert!(DateTime::parse_from_rfc3339(body["updated_at"].as_str().unwrap()).is_ok());
    assert_eq!(
        body["institution"],
        serde_json::json!({"slug": "cj-cluj", "name": "Consiliul Județean Cluj"})
    );
    assert_eq!(
        body["document_type"],
        serde_json::json!({"code": "certificat-urbanism", "title": "Certificat de urbanism"})
    );
    assert_eq!(body["status"], "in_progress");
    assert_eq!(
        body["current"],
        serde_json::json!({"department": "Direcția Urbanism", "official": "Ion Pop"})
    );
    assert_eq!(body["deadline"], "2026-04-01");
    assert!(body["days_in_institution"].is_i64() && body["days_left"].is_i64());
    assert_eq!(body["route_head"], d.route().head_hash_hex());
    let route = body["route"].as_array().unwrap();
    assert_eq!(route.len(), 2);
    for entry in route {
        let mut k: Vec<_> = entry
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        k.sort_unstable();
        assert_eq!(k, ["at", "department", "event", "note", "official"]);
    }
    assert_eq!(route[0]["event"], "registered");
    assert_eq!(route[1]["event"], "assigned");
    assert_eq!(route[1]["official"], "Ion Pop");

    // 304 for the same ETag, alone, in a list, weak, or `*`; 200 otherwise.
    for value in [
        etag.clone(),
        format!("\"other\", {etag}"),
        format!("W/{etag}"),
        "*".to_owned(),
    ] {
        let response = app
            .client
            .get(app.url(&path))
            .header("if-none-match", &value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 304, "{value}");
        assert_eq!(header(&response, "etag"), etag);
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let response = app
        .client
        .get(app.url(&path))
        .header("if-none-match", "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn unknown_and_malformed_tokens_are_404_on_every_route() {
    // Arrange
    let app = spawn(1000).await;
    let unknown = TrackingToken::from_random([0x11; 16]).to_string();
    let client = no_redirects();

    for token in [
        unknown.as_str(),
        "not-a-token",
        "ZZZZZZZZZZZZZZZZZZZZZZZZZZ",
        "%3Cscript%3E",
    ] {
        for path in [
            format!("/q/{token}"),
            format!("/q/{token}.svg"),
            format!("/q/{token}.png"),
            format!("/track/{token}"),
            format!("/api/v1/track/{token}"),
        ] {
            // Act
            let response = client.get(app.url(&path)).send().await.unwrap();

            // Assert
            assert_eq!(response.status(), 404, "{path}");
            if path.starts_with("/api/") {
                assert_eq!(
                    header(&response, "content-type"),
                    "application/problem+json"
                );
                let body: Value = response.json().await.unwrap();
                assert_eq!(body["status"], 404);
            } else {
                assert_security_headers(&response);
                let text = response.text().await.unwrap();
                assert!(text.contains("Document negăsit"), "{text}");
                assert!(!text.contains("<script"), "{text}");
            }
        }
    }
}

#[tokio::test]
async fn a_shared_cache_may_keep_the_page_briefly_and_revalidate_it() {
    // Arrange
    let app = spawn(1000).await;
    let (token, _) = publish(&app, &dossier(), None).await;
    let page = format!("/track/{token}");

    // Act
    let first = app.get(&page).await;
    let etag = header(&first, "etag");
    let again = app
        .client
        .get(app.url(&page))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    let other_language = app
        .client
        .get(app.url(&format!("{page}?lang=hu")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    let redirect = no_redirects()
        .get(app.url(&format!("/q/{token}")))
        .send()
        .await
        .unwrap();
    let unknown = app.get("/track/0000000000000000000000000Z").await;

    // Assert: public for a few seconds in a shared cache, revalidated by
    // ETag per language; never for an unknown code.
    assert_eq!(first.status(), 200);
    assert_eq!(
        header(&first, "cache-control"),
        "public, max-age=0, s-maxage=10"
    );
    assert_eq!(header(&first, "vary"), "Accept-Language");
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag"), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    assert_eq!(
        other_language.status(),
        200,
        "the Hungarian page is another"
    );
    assert_eq!(header(&redirect, "cache-control"), "public, max-age=3600");
    assert_eq!(unknown.status(), 404);
    assert_eq!(header(&unknown, "cache-control"), "no-store");
}

#[tokio::test]
async fn qr_resolution_redirects_to_the_tracking_page() {
    // Arrange
    let app = spawn(1000).await;
    let (token, _) = publish(&app, &dossier(), None).await;
    let client = no_redirects();

    for spelling in [token.clone(), token.to_lowercase()] {
        // Act
        let response = client
            .get(app.url(&format!("/q/{spelling}")))
            .send()
            .await
            .unwrap();

        // Assert
        assert_eq!(response.status(), 303);
        assert_eq!(header(&response, "location"), format!("/track/{token}"));
    }

    // HEAD answers the page's headers without its body.
    let head = app
        .client
        .head(app.url(&format!("/track/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_security_headers(&head);
    assert!(head.bytes().await.unwrap().is_empty());
}

/// The PNG's module grid (from module centres), given the SVG's side in modules.
fn png_grid(png_bytes: &[u8], modules: usize) -> (Vec<Vec<bool>>, String) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let (w, h) = (info.width as usize, info.height as usize);
    assert_eq!(w, h);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    let scale = w / modules;
    assert_eq!(scale * modules, w);
    let grid = (0..modules)
        .map(|y| {
            (0..modules)
                .map(|x| buf[(y * scale + scale / 2) * w + x * scale + scale / 2] < 128)
                .collect()
        })
        .collect();
    (grid, content)
}

/// Parses our SVG: `viewBox="0 0 N N"` and runs `M{x} {y}h{n}v1h-{n}z`.
fn svg_grid(svg: &str) -> Vec<Vec<bool>> {
    let view_box = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
    let n: usize = view_box.split(' ').next().unwrap().parse().unwrap();
    let mut grid = vec![vec![false; n]; n];
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    for run in d.split('M').filter(|s| !s.is_empty()) {
        let run = run.strip_suffix('z').unwrap();
        let (xy, rest) = run.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let len: usize = rest.split_once('v').unwrap().0.parse().unwrap();
        for cell in &mut grid[y][x..x + len] {
            *cell = true;
        }
    }
    grid
}

async fn qr_images(app: &TestApp, token: &str) -> (String, Vec<Vec<bool>>) {
    let svg = app.get(&format!("/q/{token}.svg")).await;
    assert_eq!(svg.status(), 200);
    assert_eq!(header(&svg, "content-type"), "image/svg+xml");
    assert!(header(&svg, "cache-control").contains("max-age="));
    assert!(header(&svg, "cache-control").contains("public"));
    let svg = svg.text().await.unwrap();
    let svg_grid = svg_grid(&svg);

    let png = app.get(&format!("/q/{token}.png")).await;
    assert_eq!(png.status(), 200);
    assert_eq!(header(&png, "content-type"), "image/png");
    assert!(header(&png, "cache-control").contains("public"));
    let (png_grid, content) = png_grid(&png.bytes().await.unwrap(), svg_grid.len());
    assert_eq!(svg_grid, png_grid, "the SVG and the PNG draw the same code");
    (content, svg_grid)
}

#[tokio::test]
async fn qr_images_hold_the_short_absolute_qr_url() {
    // Arrange: one dossier of a tenant without a public base URL (the
    // platform's configured one is used), one with.
    let app = spawn(1000).await;
    let (plain, _) = publish(&app, &dossier(), None).await;
    let base = PublicBaseUrl::parse("https://ghiseu.cjcluj.ro").unwrap();
    let (branded, _) = publish(&app, &dossier(), Some(&base)).await;

    // Act
    let (plain_target, _) = qr_images(&app, &plain).await;
    let (branded_target, _) = qr_images(&app, &branded).await;

    // A forged Host draws the same code (and a cache could keep it).
    let forged = reqwest::Client::new()
        .get(app.url(&format!("/q/{plain}.svg")))
        .header("host", "ghiseu.attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 200);
    let svg = app
        .get(&format!("/q/{plain}.svg"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(forged.text().await.unwrap(), svg);

    // Assert
    assert_eq!(
        plain_target,
        format!("{}/q/{plain}", ghiseu_tests::TEST_PUBLIC_BASE_URL)
    );
    assert_eq!(
        branded_target,
        format!("https://ghiseu.cjcluj.ro/q/{branded}")
    );
}

#[tokio::test]
async fn tracking_page_shows_the_route_in_the_chosen_language() {
    // Arrange
    let app = spawn(1000).await;
    let d = dossier();
    let (token, _) = publish(&app, &d, None).await;
    let path = format!("/track/{token}");

    // Act
    let romanian = app.get(&path).await;
    let hungarian = app
        .client
        .get(app.url(&path))
        .header("accept-language", "hu-HU,hu;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let english = app
        .client
        .get(app.url(&format!("{path}?lang=en")))
        .header("accept-language", "hu")
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(romanian.status(), 200);
    assert_security_headers(&romanian);
    assert!(header(&romanian, "vary").contains("Accept-Language"));
    let ro = romanian.text().await.unwrap();
    for expected in [
        "<html lang=\"ro\"",
        "Consiliul Județean Cluj",
        "Certificat de urbanism",
        "CJC-2026-000042",
        "02.03.2026 10:00",
        "În lucru",
        "Direcția Urbanism",
        "Ion Pop",
        "Repartizat",
        "01.04.2026",
        &d.route().head_hash_hex(),
        "?lang=hu",
        "?lang=en",
        // The public note is escaped, not markup.
        "Depus la registratură &lt;b&gt;pe hârtie&lt;/b&gt;",
    ] {
        assert!(ro.contains(expected), "{expected} missing from {ro}");
    }
    assert!(!ro.contains("<script"));

    assert_eq!(hungarian.status(), 200);
    let hu = hungarian.text().await.unwrap();
    assert!(hu.contains("<html lang=\"hu\""));
    assert!(hu.contains("Ügyintézés alatt"), "{hu}");
    assert!(hu.contains("Településrendezési bizonyítvány"));
    // The department in Hungarian; one without a Hungarian name in Romanian.
    assert!(hu.contains("Városrendezési Igazgatóság"), "{hu}");
    assert!(!hu.contains("Direcția Urbanism"), "{hu}");
    assert!(hu.contains("Registratura"), "{hu}");

    let en = english.text().await.unwrap();
    assert!(en.contains("<html lang=\"en\""));
    assert!(en.contains("In progress"), "{en}");
    assert!(en.contains("Urban planning certificate"));
    assert!(en.contains("Direcția Urbanism"), "{en}");
}

#[tokio::test]
async fn a_snapshot_written_before_department_names_is_shown_in_every_language() {
    // Arrange: a snapshot exactly as the desk wrote them before departments
    // had names in other languages.
    let app = spawn(1000).await;
    let token = TrackingToken::from_random([9; 16]).to_string();
    let old = format!(
        r#"{{"v":1,"token":"{token}","registration_number":"CJC-2026-000009",
        "registered_at":"2026-03-02T08:00:00Z","registered_on":"2026-03-02",
        "institution":{{"slug":"cj-cluj","name":"Consiliul Județean Cluj"}},"public_base_url":null,
        "document_type_code":"certificat-urbanism",
        "document_type_titles":{{"ro":"Certificat de urbanism","hu":"Településrendezési bizonyítvány","en":null}},
        "status":"in_progress","current":{{"department":"Direcția Juridică","official":null}},
        "route":[{{"at":"2026-03-02T08:00:00Z","event":"registered","department":"Registratura","official":null,"note":null}},
                 {{"at":"2026-03-03T09:00:00Z","event":"assigned","department":"Direcția Juridică","official":null,"note":null}}],
        "deadline":"2026-04-01","closed_on":null,"updated_at":"2026-03-03T09:00:00Z",
        "route_head":"{}"}}"#,
        "ab".repeat(32)
    );
    let r = app.put(&format!("/probe/kv/track/{token}"), old).await;
    assert!(r.status().is_success(), "{}", r.status());

    for lang in ["ro", "hu", "en"] {
        // Act
        let json = app.get(&format!("/api/v1/track/{token}?lang={lang}")).await;
        let page = app.get(&format!("/track/{token}?lang={lang}")).await;

        // Assert: the Romanian names, as stored.
        assert_eq!(json.status(), 200, "{lang}");
        let json: Value = json.json().await.unwrap();
        assert_eq!(json["current"]["department"], "Direcția Juridică", "{lang}");
        assert_eq!(json["route"][0]["department"], "Registratura", "{lang}");
        assert_eq!(page.status(), 200, "{lang}");
        assert!(
            page.text().await.unwrap().contains("Direcția Juridică"),
            "{lang}"
        );
    }
}

#[tokio::test]
async fn no_personal_data_on_any_public_route() {
    // Arrange
    let app = spawn(1000).await;
    let d = dossier();
    let (token, _) = publish(&app, &d, None).await;

    // Act
    let mut seen = Vec::new();
    for lang in ["ro", "hu", "en"] {
        seen.push(
            app.get(&format!("/track/{token}?lang={lang}"))
                .await
                .text()
                .await
                .unwrap(),
        );
    }
    seen.push(
        app.get(&format!("/api/v1/track/{token}"))
            .await
            .text()
            .await
            .unwrap(),
    );
    let (qr_target, _) = qr_images(&app, &token).await;
    seen.push(qr_target);
    seen.push(
        app.get(&format!("/q/{token}.svg"))
            .await
            .text()
            .await
            .unwrap(),
    );

    // Assert
    for text in &seen {
        for secret in PERSONAL {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
        assert!(!text.contains("reg.maria") && !text.contains("sef.urbanism"));
    }
}

#[tokio::test]
async fn lookups_are_rate_limited_per_client() {
    rate_limit_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn lookups_are_rate_limited_per_client_on_redis() {
    rate_limit_on(Backend::Redis).await;
}

#[tokio::test]
async fn the_production_manifest_routes_tracking_to_the_track_component() {
    // Arrange
    let app = App::production().spawn().await;
    let unknown = TrackingToken::from_random([0x22; 16]).to_string();

    // Act
    let api = app.get(&format!("/api/v1/track/{unknown}")).await;
    let page = app.get(&format!("/track/{unknown}")).await;
    let qr = app.get(&format!("/q/{unknown}.png")).await;

    // Assert: the component answers (its 404s, not the host's).
    assert_eq!(api.status(), 404);
    assert_eq!(header(&api, "content-type"), "application/problem+json");
    for response in [page, qr] {
        assert_eq!(response.status(), 404);
        assert_security_headers(&response);
    }
}

async fn rate_limit_on(backend: Backend) {
    // Arrange: a limit of 3 lookups a minute; the lookups must fall in one
    // fixed window, so keep clear of the end of a minute.
    let app = spawn_on(3, backend).await;
    let second = Utc::now().timestamp().rem_euclid(60);
    if second > 50 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - second) as u64)).await;
    }
    let (token, _) = publish(&app, &dossier(), None).await;
    let api = format!("/api/v1/track/{token}");

    // Act
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(app.get(&api).await.status().as_u16());
    }
    let limited_api = app.get(&api).await;
    let limited_page = app.get(&format!("/track/{token}")).await;

    // Assert
    assert_eq!(statuses, [200, 200, 200]);
    assert_eq!(limited_api.status(), 429);
    assert_eq!(
        header(&limited_api, "content-type"),
        "application/problem+json"
    );
    let retry: u64 = header(&limited_api, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(limited_page.status(), 429);
    assert_security_headers(&limited_page);
    assert!(header(&limited_page, "retry-after").parse::<u64>().is_ok());
}

/// One lookup of an unknown code with `X-Forwarded-For: forwarded_for`.
async fn lookup_from(app: &TestApp, forwarded_for: &str) -> reqwest::StatusCode {
    app.client
        .get(app.url("/api/v1/track/0000000000000000000000000Z"))
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .unwrap()
        .status()
}

/// Three lookups from `forwarded_for`; the status of a fourth.
async fn fourth_lookup_from(app: &TestApp, forwarded_for: &str) -> reqwest::StatusCode {
    for _ in 0..3 {
        assert_eq!(lookup_from(app, forwarded_for).await, 404);
    }
    lookup_from(app, forwarded_for).await
}

#[tokio::test]
async fn behind_a_trusted_balancer_each_client_has_its_own_limit_and_no_one_else_can_claim_one() {
    // Arrange: the test client stands for the balancer (127.0.0.1) when trusted.
    let behind = App::production()
        .config_variable("track_rate_limit", "3")
        .config_variable("trusted_proxies", "127.0.0.1, 10.0.0.0/8")
        .spawn()
        .await;
    let direct = App::production()
        .config_variable("track_rate_limit", "3")
        .spawn()
        .await;

    // Act and assert: counted per forwarded client behind the balancer ...
    assert_eq!(fourth_lookup_from(&behind, "81.2.3.4").await, 429);
    assert_eq!(
        lookup_from(&behind, "83.9.9.9").await,
        404,
        "another citizen is not limited by the first"
    );
    // ... and a client that is not a trusted proxy cannot pick its address.
    assert_eq!(fourth_lookup_from(&direct, "81.2.3.4").await, 429);
    assert_eq!(
        lookup_from(&direct, "83.9.9.9").await,
        429,
        "X-Forwarded-For from a client was believed"
    );
}
