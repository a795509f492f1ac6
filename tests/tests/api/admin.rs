//! Document types administered over real HTTP: through the JSON API
//! (versions, validation, deactivation), used at once by the desk's intake and
//! shown on public tracking; the helpers of the administration's tests
//! (`officials.rs`, `admin_pages.rs`, `trust.rs`).

use ghiseu_tests::{App, Backend, Official, TestApp, sample_pdf as pdf};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) fn tenant(slug: &str, prefix: &str) -> Value {
    json!({
        "slug": slug, "name": format!("Primăria {slug}"), "kind": "municipality",
        "registration_prefix": prefix, "languages": ["ro"],
        "departments": [
            {"code": "registratura", "name": "Registratura"},
            {"code": "urbanism", "name": "Direcția Urbanism"}
        ],
        "officials": [
            {"username": "reg", "display_name": "Rita Registru", "department": "registratura",
             "roles": ["registrar"], "password": "parola-reg"},
            {"username": "adm", "display_name": "Adi Admin", "department": null,
             "roles": ["tenant_admin"], "password": "parola-adm"}
        ],
        "document_types": [
            {"code": "petitie", "titles": {"ro": "Petiție"},
             "deadline": {"count": "calendar_days", "days": 30}, "first_department": "registratura"}
        ]
    })
}

pub(crate) async fn spawn() -> TestApp {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let seed = json!({"tenants": [tenant("alfa", "ALF"), tenant("beta", "BTA")]});
    let r = app.seed(&seed).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

pub(crate) fn aviz(title: &str, days: u16) -> Value {
    json!({
        "code": "aviz-stradal",
        "titles": {"ro": title, "hu": "Közterület-foglalási engedély"},
        "deadline_days": days,
        "working_days": true,
        "first_department": "urbanism",
        "signature": "simple",
        "fee_bani": 2500,
        "retention_years": 10,
        "fields": [
            {"name": "ocupare", "label": {"ro": "Tipul ocupării"}, "required": true,
             "kind": "select", "options": ["terasă", "schelă"]},
            {"name": "adresa", "label": {"ro": "Adresa"}, "required": true, "kind": "address"},
            {"name": "cnp", "label": {"ro": "CNP"}, "required": false, "kind": "cnp"},
            {"name": "plan", "label": {"ro": "Plan de situație"}, "required": true,
             "kind": "attachment", "types": ["pdf", "png"], "max_bytes": 5000000}
        ]
    })
}

pub(crate) async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

pub(crate) async fn tracking(app: &TestApp, token: &str) -> Value {
    let r = app.get(&format!("/api/v1/track/{token}")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
pub(crate) async fn a_type_made_through_the_api_is_used_at_once_and_its_versions_are_kept() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let v1_title = "Aviz de ocupare a domeniului public";

    // Without the CSRF header nothing is created.
    let r = adm
        .client
        .post(app.url("/api/v1/admin/document-types"))
        .header("cookie", &adm.cookie)
        .json(&aviz(v1_title, 15))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    let r = adm
        .api(
            Method::POST,
            "/api/v1/admin/document-types",
            Some(&aviz(v1_title, 15)),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.headers()["location"],
        "/api/v1/admin/document-types/aviz-stradal"
    );
    let created = json_of(r).await;
    assert_eq!(created["version"], 1);
    assert_eq!(created["active"], true);
    assert_eq!(created["fields"][3]["types"], json!(["pdf", "png"]));
    // The same code again is a conflict.
    let r = adm
        .api(
            Method::POST,
            "/api/v1/admin/document-types",
            Some(&aviz("Altul", 10)),
        )
        .await;
    assert_eq!(r.status(), 409);

    // The registrar registers a dossier of the new type at once.
    let (receipt, token) = register(&reg, "aviz-stradal").await;
    assert!(receipt.contains(v1_title), "{receipt}");
    let before = tracking(&app, &token).await;
    assert_eq!(before["document_type"]["code"], "aviz-stradal");
    assert_eq!(before["document_type"]["title"], v1_title);
    assert_eq!(before["current"]["department"], "Direcția Urbanism");
    let page = app
        .get(&format!("/track/{token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(v1_title));

    // Saving a change makes version 2; saving it again changes nothing.
    let v2_title = "Aviz de ocupare temporară";
    let mut v2 = aviz(v2_title, 20);
    v2.as_object_mut().unwrap().remove("code");
    let r = adm
        .api(
            Method::PUT,
            "/api/v1/admin/document-types/aviz-stradal",
            Some(&v2),
        )
        .await;
    assert_eq!(r.status(), 200);
    let saved = json_of(r).await;
    assert_eq!(
        (saved["version"].clone(), saved["deadline_days"].clone()),
        (json!(2), json!(20))
    );
    let again = json_of(
        adm.api(
            Method::PUT,
            "/api/v1/admin/document-types/aviz-stradal",
            Some(&v2),
        )
        .await,
    )
    .await;
    assert_eq!(again["version"], 2);
    let latest = json_of(adm.get("/api/v1/admin/document-types/aviz-stradal").await).await;
    assert_eq!(
        (latest["version"].clone(), latest["title"].clone()),
        (json!(2), Value::Null)
    );
    assert_eq!(latest["titles"]["ro"], v2_title);

    // Version 1 is kept as it was, and the earlier dossier keeps its terms.
    let v1 = json_of(
        adm.get("/api/v1/admin/document-types/aviz-stradal/versions/1")
            .await,
    )
    .await;
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["latest_version"], 2);
    assert_eq!(v1["titles"]["ro"], v1_title);
    assert_eq!(v1["deadline_days"], 15);
    let after = tracking(&app, &token).await;
    assert_eq!(after["deadline"], before["deadline"]);
    assert_eq!(after["document_type"]["title"], v1_title);
    assert_eq!(
        adm.get("/api/v1/admin/document-types/aviz-stradal/versions/3")
            .await
            .status(),
        404
    );

    // A new dossier is registered under version 2.
    let (receipt, _) = register(&reg, "aviz-stradal").await;
    assert!(receipt.contains(v2_title), "{receipt}");

    // Deactivated: no longer offered for intake, versions still readable.
    let r = adm
        .api(
            Method::DELETE,
            "/api/v1/admin/document-types/aviz-stradal",
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["active"], false);
    assert_eq!(
        reg.intake("aviz-stradal", &[("cerere.pdf", pdf())], &[])
            .await
            .status(),
        422
    );
    let form = reg.get("/desk/intake").await.text().await.unwrap();
    assert!(!form.contains("aviz-stradal") && form.contains("petitie"));
    assert_eq!(
        adm.get("/api/v1/admin/document-types/aviz-stradal/versions/1")
            .await
            .status(),
        200
    );
    let list = json_of(adm.get("/api/v1/admin/document-types").await).await;
    let codes: Vec<(&str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["code"].as_str().unwrap(), t["active"].as_bool().unwrap()))
        .collect();
    assert_eq!(codes, [("petitie", true), ("aviz-stradal", false)]);
    // Saving a definition offers the type again.
    let r = adm
        .api(
            Method::PUT,
            "/api/v1/admin/document-types/aviz-stradal",
            Some(&v2),
        )
        .await;
    assert_eq!(json_of(r).await["active"], true);
    assert_eq!(
        reg.intake("aviz-stradal", &[("cerere.pdf", pdf())], &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
pub(crate) async fn bad_definitions_are_refused_with_every_problem_and_nothing_is_stored() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let mut bad = aviz("Aviz", 15);
    bad["fields"][1]["name"] = json!("ocupare");
    bad["fields"][0]["options"] = json!([]);
    bad["first_department"] = json!("juridic");
    bad["deadline_days"] = json!(0);
    let r = adm
        .api(Method::POST, "/api/v1/admin/document-types", Some(&bad))
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let problem = json_of(r).await;
    let paths: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "deadline_days",
            "first_department",
            "fields[0].options",
            "fields[1].name"
        ],
        "{problem}"
    );
    assert!(
        problem["errors"][3]["message"]
            .as_str()
            .unwrap()
            .contains("used twice")
    );

    let cases = [
        json!({"deadline_days": 366}),
        json!({"code": "Cod Rău"}),
        json!({"signature": "poate"}),
        json!({"fields": [{"name": "x", "label": {"ro": "X"}, "kind": "colour"}]}),
    ];
    for change in cases {
        let mut d = aviz("Aviz", 15);
        for (k, v) in change.as_object().unwrap() {
            d[k] = v.clone();
        }
        let r = adm
            .api(Method::POST, "/api/v1/admin/document-types", Some(&d))
            .await;
        assert_eq!(r.status(), 400, "{change}");
        assert!(!json_of(r).await["errors"].as_array().unwrap().is_empty());
    }
    let r = adm
        .client
        .post(app.url("/api/v1/admin/document-types"))
        .header("cookie", &adm.cookie)
        .header("x-csrf-token", &adm.csrf)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        adm.get("/api/v1/admin/document-types/aviz-stradal")
            .await
            .status(),
        404
    );

    // A bad new version changes nothing either.
    let mut v = aviz("Petiție", 30);
    v["code"] = json!("petitie");
    v["first_department"] = json!("nicaieri");
    let r = adm
        .api(
            Method::PUT,
            "/api/v1/admin/document-types/petitie",
            Some(&v),
        )
        .await;
    assert_eq!(r.status(), 400);
    let petitie = json_of(adm.get("/api/v1/admin/document-types/petitie").await).await;
    assert_eq!(petitie["version"], 1);
    let list = json_of(adm.get("/api/v1/admin/document-types").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // The page editor reports the same problems in an error summary.
    let r = adm
        .form("/admin/document-types", &[("definition", &bad.to_string())])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("role=\"alert\"") && html.contains("href=\"#fields-1--name\""),
        "{html}"
    );
}

/// A paper dossier of a type with form fields: what the registrar copies is
/// checked (every problem at once, nothing registered), kept on the dossier,
/// shown at the desk and never on the public tracking surface.
#[tokio::test]
pub(crate) async fn paper_intake_checks_and_keeps_the_form_data_privately() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let r = adm
        .api(
            Method::POST,
            "/api/v1/admin/document-types",
            Some(&aviz("Aviz de ocupare", 15)),
        )
        .await;
    assert_eq!(r.status(), 201);
    // The intake form shows the type's fields when the type is chosen.
    let page = reg
        .get("/desk/intake?document_type=aviz-stradal")
        .await
        .text()
        .await
        .unwrap();
    for name in ["f_ocupare", "f_adresa", "f_cnp"] {
        assert!(page.contains(&format!("name=\"{name}\"")), "{name}");
    }
    let intake = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = Form::new()
            .text("csrf", reg.csrf.clone())
            .text("document_type", "aviz-stradal")
            .part("scan", Part::bytes(pdf()).file_name("cerere.pdf"));
        for (k, v) in fields {
            form = form.text(k, v);
        }
        reg.client
            .post(format!("{}/desk/intake", reg.base))
            .header("cookie", &reg.cookie)
            .multipart(form)
            .send()
    };
    // A wrong CNP checksum and an unknown option: both reported, nothing registered.
    let r = intake(vec![("f_cnp", "1960529120012"), ("f_ocupare", "balcon")])
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#f_cnp\"") && html.contains("href=\"#f_ocupare\""),
        "{html}"
    );
    let secret_address = "Strada Memorandumului 21, ap. 7";
    let r = intake(vec![
        ("f_cnp", "1960529120011"),
        ("f_ocupare", "terasă"),
        ("f_adresa", secret_address),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    // The first dossier of the year: the refused intake took no number.
    let receipt = reg.get(&location).await.text().await.unwrap();
    assert!(receipt.contains("-000001"), "{receipt}");
    let id = location.split('/').nth(3).unwrap();
    let page = reg
        .get(&format!("/desk/dossiers/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(secret_address) && page.contains("1960529120011"));
    let at = receipt.find("/q/").unwrap() + 3;
    let token = &receipt[at..at + 26];
    let public = tracking(&app, token).await.to_string();
    let html = app
        .get(&format!("/track/{token}"))
        .await
        .text()
        .await
        .unwrap();
    for secret in [secret_address, "1960529120011"] {
        assert!(
            !public.contains(secret) && !html.contains(secret),
            "{secret} leaked"
        );
    }
}

/// Registers a paper dossier of `doc_type`; returns (receipt HTML, token).
pub(crate) async fn register(official: &Official, doc_type: &str) -> (String, String) {
    let (id, _, token) = official.register(doc_type).await;
    let receipt = official.html(&format!("/desk/dossiers/{id}/receipt")).await;
    (receipt, token)
}
