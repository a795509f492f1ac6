//! The citizen's forms as GOV.UK builds them (issue 17, items 3, 5 and 6):
//! the seeded catalogue refuses empty requests, the error summary names each
//! field and links to its id, a file sent with an error elsewhere is kept and
//! sent again by reference, options and messages come in the reader's
//! language.

use ghiseu_tests::{App, Backend, TestApp, workspace_root};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::portal::{Browser, create_type, registered};

/// The demo seed (`infra/seed/demo.json`), loaded.
async fn demo() -> TestApp {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let seed: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("infra/seed/demo.json")).unwrap(),
    )
    .unwrap();
    let r = app.seed(&seed).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

/// The multipart form of `fields` and `files` (field, file name, bytes),
/// with the page's CSRF token.
fn multipart(csrf: &str, fields: &[(&str, &str)], files: Vec<(&str, &str, Vec<u8>)>) -> Form {
    let mut form = Form::new().text("csrf", csrf.to_owned());
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    for (field, name, data) in files {
        form = form.part(
            field.to_owned(),
            Part::bytes(data).file_name(name.to_owned()),
        );
    }
    form
}

/// A petition whose attachment is named by the `reference` of a kept file.
fn by_reference(csrf: &str, subject: &str, text: &str, reference: &str) -> Form {
    multipart(
        csrf,
        &[
            ("f_subiect", subject),
            ("f_continut", text),
            ("kept_f_anexe", reference),
        ],
        vec![],
    )
}

/// Posts the form at `path` with nothing filled in; the page refusing it.
async fn post_empty(b: &mut Browser, path: &str) -> String {
    let form = multipart(&b.csrf.clone(), &[], vec![]);
    let (status, location, html) = b.post_multipart(path, form, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{location}");
    html
}

/// Posts a petition with its text and `file` as its attachment but no
/// subject; the page refusing it.
async fn without_subject(
    b: &mut Browser,
    path: &str,
    text: &str,
    (name, data): (&str, Vec<u8>),
) -> String {
    let form = multipart(
        &b.csrf.clone(),
        &[("f_continut", text)],
        vec![("f_anexe", name, data)],
    );
    let (status, _, html) = b.post_multipart(path, form, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    html
}

/// The error summary of a page (empty when there is none).
fn summary(html: &str) -> &str {
    let Some(at) = html.find("class=\"error-summary\"") else {
        return "";
    };
    let end = html[at..].find("</div>").map_or(html.len(), |e| at + e);
    &html[at..end]
}

/// Every text a page shows as a validation message: its summary and each
/// field's repeated error.
fn validation_texts(html: &str) -> String {
    let mut out = summary(html).to_owned();
    let mut rest = html;
    while let Some(at) = rest.find("class=\"error\"") {
        let end = rest[at..].find("</p>").map_or(rest.len(), |e| at + e);
        out.push_str(&rest[at..end]);
        rest = &rest[end..];
    }
    out
}

/// The value of the hidden input `name` on `html`.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + name.len()
        + 15;
    let end = html[at..].find('"').unwrap();
    html[at..at + end].to_owned()
}

/// A JPEG of `len` bytes, as a phone's camera would send one (only its
/// start is a picture: the server checks files by their first bytes).
fn photo(len: usize) -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    v.resize(len, 0x42);
    v
}

#[tokio::test]
async fn the_seeded_catalogue_refuses_empty_requests_naming_and_linking_each_field() {
    let app = demo().await;
    let mut b = registered(&app).await;
    let reg = app
        .desk_sign_in("cjcluj", "maria.pop", "demo-registratura-2026")
        .await;
    let registered_before = reg.inbox("view=registry").await.matches("CJC-").count();

    let (status, html) = b.get("/portal/new/cjcluj/petitie").await;
    assert_eq!(status, 200);
    for id in ["f_subiect", "f_continut", "f_anexe"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(!html.contains("<title>Eroare"), "no error yet");
    let html = post_empty(&mut b, "/portal/new/cjcluj/petitie").await;
    assert!(html.contains("<title>Eroare: "), "{html}");
    let s = summary(&html);
    for (id, label) in [
        ("f_subiect", "Subiectul petiției"),
        ("f_continut", "Conținutul petiției"),
    ] {
        assert!(
            s.contains(&format!(
                "<a href=\"#{id}\">{label}: Completați acest câmp.</a>"
            )),
            "{id}: {s}"
        );
        // The field repeats its error and is described by it.
        assert!(html.contains(&format!("id=\"{id}-error\"")), "{id}");
        assert!(
            html.contains(&format!("aria-describedby=\"{id}-error\"")),
            "{id}"
        );
    }
    assert!(!s.contains("#f_anexe"), "the attachment is optional: {s}");
    // Nothing was registered: the registry and the citizen's documents are
    // as they were.
    let registered_after = reg.inbox("view=registry").await.matches("CJC-").count();
    assert_eq!(registered_after, registered_before);
    let (_, home) = b.get("/portal").await;
    assert!(!home.contains("CJC-"), "{home}");

    // Every kind of field is linked by its id: a select, files, a checkbox.
    b.get("/portal/new/cjcluj/certificat-urbanism").await;
    let html = post_empty(&mut b, "/portal/new/cjcluj/certificat-urbanism").await;
    let s = summary(&html);
    for id in [
        "f_adresa_imobil",
        "f_nr_cadastral",
        "f_nr_carte_funciara",
        "f_scop",
        "f_plan_situatie",
        "f_plan_incadrare",
        "f_extras_cf",
        "f_declaratie",
    ] {
        assert!(s.contains(&format!("href=\"#{id}\"")), "{id}: {s}");
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "{id} has no element"
        );
        assert!(
            html.contains(&format!("aria-describedby=\"{id}-error\""))
                || html.contains(&format!("{id}-hint {id}-error\"")),
            "{id} is not described by its error"
        );
    }
    assert!(!s.contains("#f_descriere"), "optional: {s}");
    // The summary lists the problems in the form's order.
    assert!(s.find("#f_adresa_imobil").unwrap() < s.find("#f_plan_situatie").unwrap());
    assert!(s.find("#f_plan_situatie").unwrap() < s.find("#f_declaratie").unwrap());
    // A checkbox comes before its label, both in one row.
    let input = html
        .find("<input id=\"f_declaratie\"")
        .expect("the checkbox");
    let label = html.find("<label for=\"f_declaratie\"").expect("its label");
    assert!(input < label);
    assert!(
        html[..input].ends_with("<div class=\"checkbox\">"),
        "{html}"
    );
}

#[tokio::test]
async fn a_valid_file_sent_with_an_error_elsewhere_is_kept_and_registered_without_resending() {
    let app = demo().await;
    let mut b = registered(&app).await;
    let path = "/portal/new/cjcluj/petitie";
    b.get(path).await;
    let csrf = b.csrf.clone();
    let text = "Vă rog să reparați podețul de pe DJ107M.";

    // A refused file is named in its error.
    let letter = ("scrisoare.html", b"<html></html>".to_vec());
    let html = without_subject(&mut b, path, text, letter).await;
    assert!(
        summary(&html).contains("„scrisoare.html”: Fișierul nu este de tipul cerut"),
        "{}",
        summary(&html)
    );

    // A 6.8 MB photo with the subject missing: kept, shown as attached.
    let picture = photo(6_800_000);
    let sha = ghiseu_core::Sha256Digest::of(&picture).to_hex();
    let html = without_subject(&mut b, path, text, ("poza.jpg", picture.clone())).await;
    assert!(summary(&html).contains("href=\"#f_subiect\""));
    assert!(!summary(&html).contains("#f_anexe"), "the photo was fine");
    let attached = &html[html.find("class=\"attached\"").expect("shown as attached")..];
    assert!(attached.contains("poza.jpg") && attached.contains("6,4 MB"));
    let reference = hidden(&html, "kept_f_anexe");
    assert_eq!(reference, format!("{sha}:poza.jpg"));
    assert!(html.contains(text), "the text typed is kept too");

    // Another citizen cannot use the reference.
    let mut other = crate::portal::signed_up(&app, "Alt Cetățean", "+40745000222").await;
    other.get(path).await;
    let (status, _, html) = other
        .post_multipart(
            path,
            by_reference(&other.csrf.clone(), "Pod", text, &reference),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(summary(&html).contains("atașați-l din nou"), "{html}");

    // Corrected, without sending the photo again: registered with it.
    let (status, location, _) = b
        .post_multipart(
            path,
            by_reference(&csrf, "Podețul de pe DJ107M", text, &reference),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with("/portal?registered=CJC-"),
        "{location}"
    );
    let number = &location["/portal?registered=".len()..];
    let reg = app
        .desk_sign_in("cjcluj", "maria.pop", "demo-registratura-2026")
        .await;
    let id = reg.first_in_inbox("view=registry").await;
    let page = reg.page(&id).await;
    assert!(page.contains(number), "the newest registration is ours");
    assert!(page.contains(&format!("/files/{sha}")), "{page}");
    assert!(page.contains("poza.jpg") && page.contains("Podețul de pe DJ107M"));
    let file = reg.get(&format!("/desk/dossiers/{id}/files/{sha}")).await;
    assert_eq!(file.bytes().await.unwrap().len(), picture.len());
}

/// English that a validation message would give away.
const ENGLISH: [&str; 12] = [
    "Fill in",
    "the field",
    "must",
    "characters",
    "Choose",
    "not valid",
    "The password",
    "e-mail address",
    "phone number",
    "required",
    "Please correct",
    "option",
];

/// The validation messages of `html` hold each of `wanted` and no English.
fn worded_without_english(html: &str, wanted: &[&str]) {
    let texts = validation_texts(html);
    for w in wanted {
        assert!(texts.contains(w), "{w} missing: {texts}");
    }
    for en in ENGLISH {
        assert!(!texts.contains(en), "English `{en}`: {texts}");
    }
}

#[tokio::test]
async fn a_hungarian_reader_meets_no_english_validation_text() {
    let app = demo().await;
    let mut b = registered(&app).await;
    let path = "/portal/new/cjcluj/informatii-interes-public?lang=hu";
    let (_, html) = b.get(path).await;
    // Labels and options in Hungarian; the stored values stay the same.
    assert!(html.contains("A kért közérdekű információk"), "{html}");
    assert!(
        html.contains("<option value=\"electronic\">E-mailben, elektronikus formában</option>")
    );
    let (status, _, html) = b
        .post_multipart(
            path,
            multipart(
                &b.csrf.clone(),
                &[
                    ("lang", "hu"),
                    ("f_format_raspuns", "telegraf"),
                    ("f_adresa_postala", "12"),
                ],
                vec![],
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<title>Hiba: "), "{html}");
    worded_without_english(
        &html,
        &[
            "A kért közérdekű információk: Töltse ki ezt a mezőt.",
            "Hogyan kéri a választ: Válasszon a lehetőségek közül.",
            "Írja be a címet",
        ],
    );

    // The account's forms too: the password rule, contacts.
    let mut anon = Browser::new(&app);
    anon.get("/portal/register?lang=hu").await;
    let (status, _, html) = anon
        .post(
            "/portal/register?lang=hu",
            &[
                ("lang", "hu"),
                ("name", "Kovács Anna"),
                ("email", "anna@"),
                ("phone", "12345"),
                ("password", "rövid"),
                ("password2", "rövid"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    worded_without_english(
        &html,
        &[
            "A jelszó legalább 12 karakter.",
            "Az e-mail-cím nem érvényes",
            "Romániai telefonszámot adjon meg",
        ],
    );
}

#[tokio::test]
async fn select_options_carry_titles_and_old_plain_ones_still_work() {
    let app = crate::portal::spawn().await;
    let options = json!([
        "Pe hârtie",
        {"value": "email", "label": {"ro": "Pe e-mail", "hu": "E-mailben", "en": "By e-mail"}}
    ]);
    create_type(
        &app,
        &json!({
            "code": "copie", "titles": {"ro": "Copie după un act", "hu": "Irat másolata"},
            "first_department": "registratura",
            "fields": [{"name": "format", "label": {"ro": "Format", "hu": "Formátum"},
                "required": true, "kind": "select", "options": options}]
        }),
    )
    .await;
    // The API answers the options as they were given: plain or titled.
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let r = adm
        .api(
            reqwest::Method::GET,
            "/api/v1/admin/document-types/copie",
            None,
        )
        .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["options"], options);

    let mut b = registered(&app).await;
    let (_, html) = b.get("/portal/new/alfa/copie?lang=hu").await;
    assert!(
        html.contains("<option value=\"email\">E-mailben</option>"),
        "{html}"
    );
    assert!(html.contains("<option value=\"Pe hârtie\">Pe hârtie</option>"));
    let (status, location, _) = b
        .post_multipart(
            "/portal/new/alfa/copie",
            multipart(&b.csrf.clone(), &[("f_format", "email")], vec![]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=registry").await;
    assert!(
        reg.page(&id).await.contains(">email<"),
        "the value is stored"
    );
}
