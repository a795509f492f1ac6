//! Officials and tenants administered over real HTTP: a municipality created by
//! the platform administrator and run end to end by the people it invites; only a
//! tenant's own administrator manages it; deactivating an official.

use ghiseu_tests::{App, Backend, TEST_ADMIN_TOKEN, TestApp, no_redirects, sample_pdf as pdf};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::admin::*;

pub(crate) async fn accept(app: &TestApp, url: &str, password: &str) -> reqwest::Response {
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

pub(crate) async fn create_tenant(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/platform/tenants"))
        .bearer_auth(TEST_ADMIN_TOKEN)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
pub(crate) async fn a_new_municipality_runs_at_once_from_invitation_to_tracking() {
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
pub(crate) async fn only_the_tenants_own_administrator_manages_it() {
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
pub(crate) async fn a_deactivated_official_cannot_sign_in_and_loses_their_session() {
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
