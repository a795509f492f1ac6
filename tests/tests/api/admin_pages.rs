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

/// The words of `text` that look like a code, not a word (`head_of_department`).
fn raw_codes(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.contains('_') && w.chars().any(char::is_alphabetic))
        .collect()
}

#[tokio::test]
async fn a_hungarian_administrator_reads_the_admin_pages_in_hungarian() {
    let app = spawn().await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm").await;
    // The administrator chooses Hungarian once; the choice is remembered.
    let r = adm.get("/admin?lang=hu").await;
    assert_eq!(r.status(), 200);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("lang=hu;"), "{set_cookie}");
    let cookie = format!("{}; lang=hu", adm.cookie);
    let get = |path: &'static str| {
        let (client, url, cookie) = (adm.client.clone(), app.url(path), cookie.clone());
        async move {
            let r = client
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.text().await.unwrap()
        }
    };

    // Each page: in Hungarian, none of its Romanian sentences, roles and
    // limits in words, no code where a word belongs.
    let pages: [(&str, &[&str], &[&str]); 5] = [
        (
            "/admin",
            &[
                "Online kérelmek korlátai",
                "űrlapok, határidők, díjak, verziók",
            ],
            &["formulare, termene", "Limite de cereri online"],
        ),
        (
            "/admin/departments",
            &[
                "Új osztály",
                "Átnevezés",
                "Megnevezés magyarul (nem kötelező)",
            ],
            &[
                "Departament nou",
                "Redenumește",
                "Cetățenii care citesc",
                "Denumire în maghiară",
            ],
        ),
        (
            "/admin/officials",
            &[
                "Tisztviselő meghívása",
                "Meghívó létrehozása",
                "Kétlépcsős azonosítás",
                ">Osztályvezető</label>",
                ">Adminisztrátor</label>",
            ],
            &[
                "Invită un funcționar",
                "Creează invitația",
                "Nume afișat",
                "Verificare în doi pași",
                "Niciun funcționar",
                "Roluri",
                "Salvează",
            ],
        ),
        (
            "/admin/branding",
            &[
                "Kiemelőszín (#rrggbb)",
                "Megjelenített név (alapértelmezés: Primăria alfa)",
            ],
            &["Culoare de accent", "Denumire afișată", "Sigla (PNG"],
        ),
        (
            "/admin/quotas",
            &[
                "Egy fiókból, óránként",
                "Egy internetcímről, naponta",
                "nem egy szorgalmas kérelmezőt",
            ],
            &[
                "Dintr-un cont",
                "De la o adresă",
                "Câte cereri online",
                "Salvează",
            ],
        ),
    ];
    for (path, hungarian, romanian) in pages {
        let html = get(path).await;
        assert!(html.contains("<html lang=\"hu\""), "{path}: {html}");
        let text = ghiseu_tests::visible_text(&html);
        for h in hungarian {
            assert!(html.contains(h), "{path} lacks {h:?}: {text}");
        }
        for r in romanian {
            assert!(!text.contains(r), "{path} still says {r:?}: {text}");
        }
        assert_eq!(raw_codes(&text), Vec::<&str>::new(), "{path}: {text}");
    }

    // A refused form answers in Hungarian too, and saves nothing.
    let post = |path: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let (client, url, cookie) = (adm.client.clone(), app.url(path), cookie.clone());
        let mut all = vec![("csrf", adm.csrf.clone())];
        all.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
        async move {
            let r = client
                .post(url)
                .header("cookie", cookie)
                .form(&all)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, html) = post(
        "/admin/quotas",
        vec![
            ("account_hour", "0"),
            ("account_day", "100"),
            ("address_hour", "100"),
            ("address_day", "500"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Javítsa a következőket:")
            && html.contains("A korlát 1 és 100000 közötti egész szám."),
        "{html}"
    );
    assert!(!html.contains("Limita este"), "{html}");
    let quotas = get("/admin/quotas").await;
    assert!(
        quotas.contains("id=\"account_hour\" name=\"account_hour\" value=\"30\""),
        "{quotas}"
    );
    let (status, html) = post(
        "/admin/officials/reg",
        vec![("department", "registratura"), ("active", "on")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Válasszon legalább egy szerepkört a listából."),
        "{html}"
    );
    let (status, html) = post(
        "/admin/officials/adm",
        vec![("role", "registrar"), ("active", "on")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Saját magát nem kapcsolhatja ki"), "{html}");
    let officials = json_of(adm.get("/api/v1/admin/officials").await).await;
    let roles = |who: &str| {
        officials
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["username"] == who)
            .unwrap()["roles"]
            .clone()
    };
    assert_eq!(
        (roles("reg"), roles("adm")),
        (json!(["registrar"]), json!(["tenant_admin"]))
    );

    // Core's refusals (written for the API, in English) in words, each
    // named by its label, not its input's code.
    let (status, html) = post(
        "/admin/departments",
        vec![("code", "juridic 2"), ("name", "")],
    )
    .await;
    assert_eq!(status, 422);
    let summary = ghiseu_tests::visible_text(
        &html[html.find("error-summary").unwrap()..html.find("</ul>").unwrap()],
    );
    assert!(
        summary.contains("Kód: Csak ékezet nélküli kisbetűk")
            && summary.contains("Megnevezés: Töltse ki ezt a mezőt."),
        "{summary}"
    );
    for english in ["must", "characters", "code:", "name:"] {
        assert!(!summary.contains(english), "{english}: {summary}");
    }
    let (status, html) = post(
        "/admin/departments",
        vec![("code", "urbanism"), ("name", "Alta")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Kód: Ezt a kódot már egy osztály használja."),
        "{html}"
    );
    let (status, html) = post(
        "/admin/officials/invite",
        vec![
            ("username", "reg"),
            ("display_name", "R"),
            ("role", "official"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Felhasználónév: Ez a felhasználónév már foglalt."),
        "{html}"
    );
    let form = Form::new()
        .text("csrf", adm.csrf.clone())
        .text("accent", "red")
        .part("logo", Part::bytes(b"<svg/>".to_vec()).file_name("sigla"));
    let r = adm
        .client
        .post(app.url("/admin/branding"))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Kiemelőszín: Adja meg a színt #rrggbb alakban")
            && html.contains("A logónak PNG vagy JPEG képnek kell lennie."),
        "{html}"
    );
    let departments = json_of(adm.get("/api/v1/admin/departments").await).await;
    assert_eq!(departments.as_array().unwrap().len(), 2, "{departments}");

    // Without the choice the pages stay Romanian.
    let ro = adm.html("/admin/officials").await;
    assert!(
        ro.contains("Invită un funcționar") && ro.contains("<html lang=\"ro\""),
        "{ro}"
    );
}
