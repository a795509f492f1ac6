//! The administration's pages: departments, invitations and branding.

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::admin::*;
use crate::officials::accept;

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
