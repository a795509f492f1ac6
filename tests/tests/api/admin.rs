//! Tenant administration over real HTTP: document types through the JSON API
//! (versions, validation, deactivation) used at once by the desk's intake and
//! shown on public tracking; a municipality created by the platform
//! administrator, run end to end by the people it invites; role and tenant
//! checks; deactivating an official; the admin pages (departments, branding).

use ghiseu_tests::{
    App, Backend, Official, TEST_ADMIN_TOKEN, TestApp, no_redirects, sample_pdf as pdf,
};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn tenant(slug: &str, prefix: &str) -> Value {
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

async fn spawn() -> TestApp {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let seed = json!({"tenants": [tenant("alfa", "ALF"), tenant("beta", "BTA")]});
    let r = app.seed(&seed).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

fn aviz(title: &str, days: u16) -> Value {
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

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

async fn tracking(app: &TestApp, token: &str) -> Value {
    let r = app.get(&format!("/api/v1/track/{token}")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_type_made_through_the_api_is_used_at_once_and_its_versions_are_kept() {
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
async fn bad_definitions_are_refused_with_every_problem_and_nothing_is_stored() {
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

async fn accept(app: &TestApp, url: &str, password: &str) -> reqwest::Response {
    let path = url
        .split_once("/admin/")
        .map(|(_, p)| format!("/admin/{p}"))
        .unwrap();
    app.client
        .post(app.url(&path))
        .form(&[("password", password), ("confirmation", password)])
        .send()
        .await
        .unwrap()
}

async fn create_tenant(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/platform/tenants"))
        .bearer_auth(TEST_ADMIN_TOKEN)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_municipality_runs_at_once_from_invitation_to_tracking() {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let body = json!({
        "slug": "campia-turzii", "name": "Primăria Câmpia Turzii", "kind": "municipality",
        "registration_prefix": "CTZ", "languages": ["ro", "hu"],
        "admin": {"username": "maria.pop", "display_name": "Maria Pop"}
    });
    let r = app.post("/api/v1/platform/tenants", body.to_string()).await;
    assert_eq!(r.status(), 401);
    let r = create_tenant(&app, &body).await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.headers()["location"],
        "/api/v1/platform/tenants/campia-turzii"
    );
    let created = json_of(r).await;
    assert_eq!(created["languages"], json!(["ro", "hu"]));
    let invite = created["admin_invite_url"].as_str().unwrap().to_owned();
    assert!(
        invite.starts_with(&format!("{}/admin/invite/", app.address)),
        "{invite}"
    );

    // Taken slug or prefix: 409; bad input: 400 with every problem; nothing created.
    let mut other = body.clone();
    other["registration_prefix"] = json!("CTX");
    assert_eq!(create_tenant(&app, &other).await.status(), 409);
    other["slug"] = json!("turda");
    other["registration_prefix"] = json!("CTZ");
    assert_eq!(create_tenant(&app, &other).await.status(), 409);
    let bad = json!({
        "slug": "Turda!", "name": "", "kind": "village", "registration_prefix": "T",
        "admin": {"username": "", "display_name": "X"}
    });
    let r = create_tenant(&app, &bad).await;
    assert_eq!(r.status(), 400);
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
            "slug",
            "name",
            "kind",
            "registration_prefix",
            "admin.username"
        ]
    );
    let list = json_of(
        app.client
            .get(app.url("/api/v1/platform/tenants"))
            .bearer_auth(TEST_ADMIN_TOKEN)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["slug"], "campia-turzii");

    // The administrator accepts the invitation, once.
    let path = invite.split_once(&app.address).unwrap().1.to_owned();
    let page = app.get(&path).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("maria.pop"));
    let r = accept(&app, &invite, "scurt").await;
    assert_eq!(r.status(), 422);
    let r = accept(&app, &invite, "o parolă bună și lungă").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        accept(&app, &invite, "altă parolă lungă!!").await.status(),
        410
    );
    assert_eq!(app.get(&path).await.status(), 410);
    assert_eq!(
        app.desk_sign_in_attempt("campia-turzii", "maria.pop", "altă parolă lungă!!")
            .await
            .status(),
        401
    );
    let adm = app
        .desk_sign_in("campia-turzii", "maria.pop", "o parolă bună și lungă")
        .await;
    assert_eq!(adm.get("/admin").await.status(), 200);

    // The administrator defines a type and invites a registrar.
    let def = json!({
        "code": "adeverinta-rol", "titles": {"ro": "Adeverință de rol fiscal"},
        "deadline_days": 10, "first_department": "registratura"
    });
    let r = adm
        .api(Method::POST, "/api/v1/admin/document-types", Some(&def))
        .await;
    assert_eq!(r.status(), 201);
    // A forged Host does not reach the invitation link: it is on the
    // institution's configured address.
    let r = adm
        .client
        .post(format!("{}/api/v1/admin/officials/invites", adm.base))
        .header("cookie", &adm.cookie)
        .header("x-csrf-token", &adm.csrf)
        .header("host", "ghiseu.attacker.example")
        .json(
            &json!({"username": "ion.reg", "display_name": "Ion Registru",
                      "department": "registratura", "roles": ["registrar"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let reg_invite = json_of(r).await["invite_url"].as_str().unwrap().to_owned();
    assert!(
        reg_invite.starts_with(&format!("{}/admin/invite/", app.address)),
        "{reg_invite}"
    );
    assert_eq!(
        accept(&app, &reg_invite, "registratura e deschisă")
            .await
            .status(),
        200
    );

    // The registrar registers a dossier, and it is tracked.
    let reg = app
        .desk_sign_in("campia-turzii", "ion.reg", "registratura e deschisă")
        .await;
    let (receipt, token) = register(&reg, "adeverinta-rol").await;
    use chrono::Datelike;
    let year = chrono::Utc::now().year();
    assert!(receipt.contains(&format!("CTZ-{year}-000001")), "{receipt}");
    let t = tracking(&app, &token).await;
    assert_eq!(t["institution"]["slug"], "campia-turzii");
    assert_eq!(t["institution"]["name"], "Primăria Câmpia Turzii");
    assert_eq!(t["document_type"]["title"], "Adeverință de rol fiscal");
    assert_eq!(t["current"]["department"], "Registratura");
    // The registrar is no administrator.
    assert_eq!(reg.get("/admin").await.status(), 403);
}

#[tokio::test]
async fn only_the_tenants_own_administrator_manages_it() {
    let app = spawn().await;
    let alfa = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let beta = app.desk_sign_in("beta", "adm", "parola-adm").await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let r = alfa
        .api(
            Method::POST,
            "/api/v1/admin/document-types",
            Some(&aviz("Aviz", 15)),
        )
        .await;
    assert_eq!(r.status(), 201);

    // Without a session: the pages send to sign-in, the API answers 401.
    let r = no_redirects()
        .get(app.url("/admin/officials"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/desk/login");
    let r = app.get("/api/v1/admin/document-types").await;
    assert_eq!(r.status(), 401);

    // A registrar manages nothing.
    for path in [
        "/admin",
        "/admin/document-types",
        "/admin/officials",
        "/admin/departments",
    ] {
        assert_eq!(reg.get(path).await.status(), 403, "{path}");
    }
    for (method, path, body) in [
        (Method::GET, "/api/v1/admin/document-types", None),
        (
            Method::POST,
            "/api/v1/admin/document-types",
            Some(aviz("Altul", 10)),
        ),
        (
            Method::DELETE,
            "/api/v1/admin/document-types/aviz-stradal",
            None,
        ),
        (
            Method::POST,
            "/api/v1/admin/departments",
            Some(json!({"code": "x1", "name": "X"})),
        ),
        (
            Method::POST,
            "/api/v1/admin/officials/invites",
            Some(json!({"username": "x", "display_name": "X", "roles": ["tenant_admin"]})),
        ),
    ] {
        let r = reg.api(method.clone(), path, body.as_ref()).await;
        assert_eq!(r.status(), 403, "{method} {path}");
    }
    let r = reg
        .form(
            "/admin/officials/reg",
            &[("role", "tenant_admin"), ("active", "on")],
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = reg
        .form("/admin/departments", &[("code", "x1"), ("name", "X")])
        .await;
    assert_eq!(r.status(), 403);

    // Another tenant's administrator finds nothing of alfa's.
    let path = "/api/v1/admin/document-types/aviz-stradal";
    assert_eq!(beta.get(path).await.status(), 404);
    assert_eq!(
        beta.api(Method::PUT, path, Some(&aviz("Furat", 5)))
            .await
            .status(),
        404
    );
    assert_eq!(beta.api(Method::DELETE, path, None).await.status(), 404);
    assert_eq!(beta.get(&format!("{path}/versions/1")).await.status(), 404);
    // Beta's administrator changing "reg" changes beta's own registrar only.
    let r = beta
        .form(
            "/admin/officials/reg",
            &[("role", "official"), ("active", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let beta_types = json_of(beta.get("/api/v1/admin/document-types").await).await;
    assert_eq!(beta_types.as_array().unwrap().len(), 1);
    let beta_officials = json_of(beta.get("/api/v1/admin/officials").await).await;
    let beta_reg = beta_officials
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["username"] == "reg")
        .unwrap();
    assert_eq!(beta_reg["roles"], json!(["official"]));

    // Alfa's type and registrar are unchanged.
    let t = json_of(alfa.get(path).await).await;
    assert_eq!(
        (t["version"].clone(), t["active"].clone()),
        (json!(1), json!(true))
    );
    assert_eq!(t["titles"]["ro"], "Aviz");
    let officials = json_of(alfa.get("/api/v1/admin/officials").await).await;
    let rita = officials
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["username"] == "reg")
        .unwrap();
    assert_eq!(rita["roles"], json!(["registrar"]));
    assert_eq!(rita["active"], true);
    // The CSRF token of one session is no good for another.
    let r = alfa
        .client
        .delete(app.url(path))
        .header("cookie", &alfa.cookie)
        .header("x-csrf-token", &beta.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_deactivated_official_cannot_sign_in_and_loses_their_session() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    assert_eq!(reg.get("/desk").await.status(), 200);

    // Without the CSRF token nothing changes.
    let r = adm
        .client
        .post(app.url("/admin/officials/reg"))
        .header("cookie", &adm.cookie)
        .form(&[("role", "registrar"), ("department", "registratura")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(reg.get("/desk").await.status(), 200);

    // An administrator cannot lock themselves out.
    let r = adm
        .form(
            "/admin/officials/adm",
            &[("role", "registrar"), ("active", "on")],
        )
        .await;
    assert_eq!(r.status(), 422);

    let r = adm
        .form(
            "/admin/officials/reg",
            &[
                ("role", "registrar"),
                ("role", "official"),
                ("department", "urbanism"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let officials = json_of(adm.get("/api/v1/admin/officials").await).await;
    let rita = officials
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["username"] == "reg")
        .unwrap()
        .clone();
    assert_eq!(rita["active"], false);
    assert_eq!(rita["roles"], json!(["registrar", "official"]));
    assert_eq!(rita["department"], "urbanism");

    // The open session stops working, and signing in again is refused.
    let r = reg.get("/desk").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        reg.intake("petitie", &[("cerere.pdf", pdf())], &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.desk_sign_in_attempt("alfa", "reg", "parola-reg")
            .await
            .status(),
        401
    );
    // Reactivated, the same password works again.
    let r = adm
        .form(
            "/admin/officials/reg",
            &[
                ("role", "registrar"),
                ("department", "registratura"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // ... but the session open before the deactivation stays ended.
    assert_eq!(reg.get("/desk").await.status(), StatusCode::SEE_OTHER);
    app.desk_sign_in("alfa", "reg", "parola-reg").await;
}

#[tokio::test]
async fn the_admin_pages_manage_departments_invitations_and_branding() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    let page = adm.get("/admin/departments").await;
    assert_eq!(page.status(), 200);
    let h = page.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");

    // Departments: create, refuse a taken code or a bad one, rename.
    let r = adm
        .form(
            "/admin/departments",
            &[("code", "juridic"), ("name", "Serviciul Juridic")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = adm
        .form(
            "/admin/departments",
            &[("code", "juridic"), ("name", "Altul")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = adm
        .form("/admin/departments", &[("code", "Juridic 2"), ("name", "")])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#code\"") && html.contains("href=\"#name\""),
        "{html}"
    );
    // The names in Hungarian and English are optional; a bad one is named
    // on the page and changes nothing.
    let long = "x".repeat(201);
    let r = adm
        .form(
            "/admin/departments/juridic",
            &[("name", "Direcția Juridică"), ("name_hu", &long)],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#name_hu-juridic\"") && html.contains("id=\"name_hu-juridic\""),
        "{html}"
    );
    let r = adm
        .form(
            "/admin/departments/juridic",
            &[
                ("name", "Direcția Juridică"),
                ("name_hu", "Jogi Igazgatóság"),
                ("name_en", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let deps = json_of(adm.get("/api/v1/admin/departments").await).await;
    assert_eq!(deps.as_array().unwrap().len(), 3);
    assert_eq!(
        deps[2],
        json!({"code": "juridic", "name": "Direcția Juridică",
               "name_hu": "Jogi Igazgatóság", "active": true})
    );
    let page = adm.html("/admin/departments").await;
    assert!(page.contains("value=\"Jogi Igazgatóság\""), "{page}");
    let r = adm
        .api(
            Method::POST,
            "/api/v1/admin/departments",
            Some(&json!({"code": "taxe", "name": "Taxe locale", "name_en": "Local taxes"})),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        json_of(r).await,
        json!({"code": "taxe", "name": "Taxe locale", "name_en": "Local taxes", "active": true})
    );
    // A type can now start in the new department.
    let mut def = aviz("Aviz juridic", 30);
    def["first_department"] = json!("juridic");
    let r = adm
        .api(Method::POST, "/api/v1/admin/document-types", Some(&def))
        .await;
    assert_eq!(r.status(), 201);

    // An invitation through the page: the link is shown once and works.
    let r = adm
        .form(
            "/admin/officials/invite",
            &[
                ("username", "jurist"),
                ("display_name", "Julia Jurist"),
                ("department", "juridic"),
                ("role", "official"),
            ],
        )
        .await;
    assert_eq!(r.status(), 201);
    let html = r.text().await.unwrap();
    let at = html.find("/admin/invite/").unwrap();
    let link = format!("{}{}", app.address, &html[at..at + 14 + 64]);
    assert_eq!(
        accept(&app, &link, "o parolă de juristă").await.status(),
        200
    );
    app.desk_sign_in("alfa", "jurist", "o parolă de juristă")
        .await;
    // An existing username cannot be invited again.
    let r = adm
        .form(
            "/admin/officials/invite",
            &[
                ("username", "reg"),
                ("display_name", "R"),
                ("role", "official"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);

    // Branding: a bad colour and an SVG logo are refused, nothing changes.
    let branding = |fields: Vec<(&'static str, String)>, logo: Option<Vec<u8>>| {
        let mut form = Form::new().text("csrf", adm.csrf.clone());
        for (k, v) in fields {
            form = form.text(k, v);
        }
        if let Some(l) = logo {
            form = form.part("logo", Part::bytes(l).file_name("sigla"));
        }
        adm.client
            .post(app.url("/admin/branding"))
            .header("cookie", &adm.cookie)
            .multipart(form)
            .send()
    };
    let r = branding(
        vec![("accent", "red".into())],
        Some(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#accent\"") && html.contains("href=\"#logo\""));
    assert_eq!(app.get("/branding/alfa/logo").await.status(), 404);

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(ghiseu_tests::random_bytes(300));
    let r = branding(
        vec![
            ("display_name", "Turda".into()),
            ("accent", "#1A7F37".into()),
        ],
        Some(png.clone()),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let logo = app.get("/branding/alfa/logo").await;
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.unwrap().as_ref(), png.as_slice());
    let css = app
        .get("/branding/alfa/theme.css")
        .await
        .text()
        .await
        .unwrap();
    assert!(css.contains("#1a7f37"), "{css}");
    let home = adm.get("/admin").await.text().await.unwrap();
    assert!(
        home.contains("/branding/alfa/logo")
            && home.contains("Turda")
            && home.contains("/branding/alfa/theme.css"),
        "{home}"
    );
    // Beta's branding is untouched.
    assert_eq!(app.get("/branding/beta/logo").await.status(), 404);
    assert!(
        !app.get("/branding/beta/theme.css")
            .await
            .text()
            .await
            .unwrap()
            .contains("#1a7f37")
    );
}

/// A paper dossier of a type with form fields: what the registrar copies is
/// checked (every problem at once, nothing registered), kept on the dossier,
/// shown at the desk and never on the public tracking surface.
#[tokio::test]
async fn paper_intake_checks_and_keeps_the_form_data_privately() {
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
async fn register(official: &Official, doc_type: &str) -> (String, String) {
    let (id, _, token) = official.register(doc_type).await;
    let receipt = official.html(&format!("/desk/dossiers/{id}/receipt")).await;
    (receipt, token)
}

/// The platform administrator's trust anchors: GET, POST (PEM or DER), DELETE.
async fn roots_request(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .bearer_auth(TEST_ADMIN_TOKEN);
    if let Some(body) = body {
        req = req.body(body);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The SHA-256 of each listed anchor.
async fn anchors(app: &TestApp) -> Vec<String> {
    let (status, list) = roots_request(app, Method::GET, ROOTS, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["sha256"].as_str().unwrap().to_owned())
        .collect()
}

const ROOTS: &str = "/api/v1/platform/trust/roots";

#[tokio::test]
async fn the_platform_administrator_manages_the_trust_anchors() {
    let app = App::desk(Backend::Sqlite).spawn().await;
    // The sandbox provider creates its CA (and lists it) on first use.
    let credential =
        crate::signing::enroll(&app, "alfa/semn", "Silviu Semnatar", "+40722000999").await;
    let ca_pem = crate::signing::sandbox_ca(&app).await;
    let (_, chain) = crate::csc::chain(&app, &credential).await;
    let (signer, ca) = (chain[0].clone(), chain[1].clone());
    let ca_sha = ghiseu_tests::sha256_hex(&ca);

    // Only the platform administrator.
    assert_eq!(app.get(ROOTS).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anchors(&app).await, std::slice::from_ref(&ca_sha));

    // Removed, it is gone; removing it again finds nothing.
    let one = format!("{ROOTS}/{ca_sha}");
    let (status, _) = roots_request(&app, Method::DELETE, &one, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(anchors(&app).await.is_empty());
    let (status, _) = roots_request(&app, Method::DELETE, &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Added back as PEM it is described; as DER again it is not listed twice.
    let (status, added) = roots_request(&app, Method::POST, ROOTS, Some(ca_pem.into_bytes())).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["sha256"], ca_sha);
    assert_eq!(
        added["subject"], added["issuer"],
        "a self-signed root: {added}"
    );
    assert!(added["not_after"].as_str().is_some(), "{added}");
    let (status, _) = roots_request(&app, Method::POST, ROOTS, Some(ca.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(anchors(&app).await, std::slice::from_ref(&ca_sha));

    // A signer's certificate or anything else is refused and changes nothing.
    let (status, refused) = roots_request(&app, Method::POST, ROOTS, Some(signer)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a certification authority"),
        "{refused}"
    );
    let (status, _) = roots_request(
        &app,
        Method::POST,
        ROOTS,
        Some(b"-----BEGIN CERTIFICATE-----\nxyz".to_vec()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(anchors(&app).await, [ca_sha]);
}
