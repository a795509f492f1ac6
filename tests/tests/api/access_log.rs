//! "Who opened my file" (issue 20): every time an official opens a dossier or
//! one of its files, an access record is written, hash-chained; the citizen
//! whose dossier it is reads them on "my documents", nobody else does, and
//! an edited record shows.

use reqwest::StatusCode;

use crate::portal::*;

/// Claims the paper dossier `number` (registered with `phone`) for a new
/// citizen; the citizen's browser.
async fn claimed(app: &ghiseu_tests::TestApp, number: &str, phone: &str) -> Browser {
    let mut b = registered(app).await;
    b.get("/portal/claim").await;
    let (status, _, _) = b
        .post(
            "/portal/claim",
            &[("institution", "alfa"), ("number", number)],
        )
        .await;
    assert_eq!(status, 200);
    let code = last_code(app, phone).await;
    let (status, _, _) = b
        .post(
            "/portal/claim/confirm",
            &[("institution", "alfa"), ("number", number), ("code", &code)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    b
}

/// The rows of the access page's table: (who, department, what), newest first.
fn rows(html: &str) -> Vec<(String, String, String)> {
    let Some(body) = html
        .split("<tbody>")
        .nth(1)
        .and_then(|b| b.split("</tbody>").next())
    else {
        return Vec::new();
    };
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("<td")
                .skip(1)
                .map(|c| {
                    let text = ghiseu_tests::visible_text(&format!("<td{c}"));
                    text.split_whitespace().collect::<Vec<_>>().join(" ")
                })
                .collect();
            (cells[1].clone(), cells[2].clone(), cells[3].clone())
        })
        .collect()
}

#[tokio::test]
async fn officials_views_are_listed_for_their_citizen_only_and_an_edit_shows() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let r = reg
        .intake(
            "petitie",
            &[("cerere.pdf", b"%PDF-1.4 hartie".to_vec())],
            &[("phone", "0745 000 444")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let id = location.split('/').nth(3).unwrap().to_owned();
    let number = ghiseu_tests::regno_in(&reg.html(&location).await);

    // The registrar opens the dossier, then its file; the administrator
    // opens it after.
    let page = reg.page(&id).await;
    let at = page.find("/files/").unwrap() + 7;
    let sha = page[at..at + 64].to_owned();
    let file = reg.get(&format!("/desk/dossiers/{id}/files/{sha}")).await;
    assert_eq!(file.status(), 200);
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    adm.page(&id).await;

    let mut citizen = claimed(&app, &number, "+40745000444").await;
    let (_, home) = citizen.get("/portal").await;
    let link = format!("/portal/documents/alfa/{id}/access?lang=ro");
    assert!(home.contains(&link), "{home}");
    let (status, html) = citizen.get(&link).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        rows(&html),
        [
            (
                "Ada Admin (Administrator)".to_owned(),
                String::new(),
                "dosarul".to_owned()
            ),
            (
                "Rita Registru (Registratură)".to_owned(),
                "Registratura".to_owned(),
                "fișierul cerere.pdf".to_owned()
            ),
            (
                "Rita Registru (Registratură)".to_owned(),
                "Registratura".to_owned(),
                "dosarul".to_owned()
            ),
        ],
        "{html}"
    );
    assert!(!html.contains("role=\"alert\""), "{html}");
    let (_, hu) = citizen
        .get(&format!("/portal/documents/alfa/{id}/access?lang=hu"))
        .await;
    assert!(
        hu.contains("Iktató") && hu.contains("Ki nyitotta meg"),
        "{hu}"
    );

    // Another citizen, and someone not signed in, see nothing of it.
    let mut other = signed_up(&app, "Alt Om", "+40745000555").await;
    let (status, _) = other.get(&link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Not signed in: the sign-in page, nothing of the records.
    let page = app.get(&link).await.text().await.unwrap();
    assert!(!page.contains("Rita Registru"), "{page}");

    // A record edited in the store (a name changed) is shown as tampering.
    let key = format!("t/alfa/access/{id}/00000002");
    let stored = app
        .get(&format!("/probe/kv/{}", ghiseu_tests::percent_encode(&key)))
        .await
        .text()
        .await
        .unwrap();
    assert!(stored.contains("Rita Registru"), "{stored}");
    let edited = stored.replace("Rita Registru", "Altcineva");
    let r = app
        .put(
            &format!("/probe/kv/{}", ghiseu_tests::percent_encode(&key)),
            edited,
        )
        .await;
    assert!(r.status().is_success());
    let (_, html) = citizen.get(&link).await;
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("lista a fost modificată"), "{html}");
}

#[tokio::test]
async fn the_administrator_searches_the_access_log_by_official_and_period() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let (first, first_no, _) = reg.register("petitie").await;
    let (second, second_no, _) = reg.register("petitie").await;
    reg.page(&first).await;
    reg.page(&second).await;
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    adm.page(&first).await;

    let search = |query: &'static str| {
        let adm = &adm;
        async move {
            let r = adm.get(&format!("/admin/access{query}")).await;
            let status = r.status();
            (status, r.text().await.unwrap())
        }
    };
    // Everyone, the last 30 days: three openings, newest first.
    let (status, html) = search("").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let numbers: Vec<&str> = html
        .split("class=\"regno\"")
        .skip(1)
        .map(|s| s.split('>').nth(1).unwrap().split('<').next().unwrap())
        .collect();
    assert_eq!(numbers, [&first_no, &second_no, &first_no], "{html}");
    assert!(html.contains("Ada Admin (Administrator)"), "{html}");

    // One official only.
    let (_, html) = search("?official=reg").await;
    assert_eq!(html.matches("class=\"regno\"").count(), 2, "{html}");
    assert!(!html.contains("Ada Admin (Administrator)"), "{html}");
    // A period before any of it.
    let (_, html) = search("?from=2025-01-01&to=2025-01-31").await;
    assert_eq!(html.matches("class=\"regno\"").count(), 0, "{html}");
    assert!(html.contains("Nicio deschidere"), "{html}");
    // Bad input is refused with words, and lists nothing.
    for query in [
        "?from=ieri",
        "?from=2026-02-01&to=2026-01-01",
        "?from=2024-01-01&to=2025-06-01",
        "?official=nimeni",
    ] {
        let (status, html) = search(query).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {html}");
        assert_eq!(html.matches("class=\"regno\"").count(), 0, "{query}");
    }
    // Only an administrator reads it.
    let r = reg.get("/admin/access").await;
    assert_ne!(r.status(), StatusCode::OK);
}
