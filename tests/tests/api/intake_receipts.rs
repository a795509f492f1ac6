//! Intake in two steps and receipts that print: step 1 lists the types, step 2
//! is the chosen type's form (its fields, optional at the registry as its
//! legend says); a bad page count or contact is refused with a clear message
//! and registers nothing; the receipt page offers printing and two PDFs of
//! the right page size (A6 label, A4 receipt) in the petitioner's language,
//! with the petitioner, number, page count, registrar, a QR code that decodes
//! to the short tracking URL and that URL inside the label's width.

use std::path::Path;
use std::process::Command;

use ghiseu_tests::{App, Backend, Official, TestApp, regno_in, sample_pdf};
use reqwest::StatusCode;
use serde_json::json;

/// A public address long enough that the short URL is wider than the A6
/// label's line at the body size (it is printed smaller, or wrapped).
const BASE: &str = "https://ghiseu.campia-turzii.ro";

/// One tenant whose types have form fields of their own.
async fn spawn() -> TestApp {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let mut tenant = crate::desk::tenant("alfa", "ALF");
    tenant["public_base_url"] = json!(BASE);
    tenant["document_types"] = json!([
        {"code": "petitie", "titles": {"ro": "Petiție", "hu": "Petíció", "en": "Petition"},
         "deadline": {"count": "calendar_days", "days": 30}, "first_department": "registratura",
         "fields": [{"name": "subiect", "label": {"ro": "Subiectul petiției", "hu": "A petíció tárgya", "en": "Subject"},
                     "required": true, "type": "text", "max_chars": 200}]},
        {"code": "certificat-urbanism",
         "titles": {"ro": "Certificat de urbanism", "hu": "Településrendezési bizonyítvány", "en": "Urban planning certificate"},
         "deadline": {"count": "working_days", "days": 15}, "first_department": "urbanism",
         "fields": [{"name": "adresa_imobil", "label": {"ro": "Adresa imobilului", "hu": "Az ingatlan címe", "en": "Property address"},
                     "required": true, "type": "text", "max_chars": 200}]}
    ]);
    let r = app.seed(&json!({"tenants": [tenant]})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

#[tokio::test]
async fn step_one_lists_the_types_and_step_two_is_the_chosen_types_form() {
    // Arrange
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;

    // Act: step 1
    let step1 = reg.html("/desk/intake").await;

    // Assert: a choice of every type by its title, sent by GET to step 2
    assert!(
        step1.contains("method=\"get\" action=\"/desk/intake\""),
        "{step1}"
    );
    for (code, title) in [
        ("petitie", "Petiție"),
        ("certificat-urbanism", "Certificat de urbanism"),
    ] {
        assert!(
            step1.contains(&format!(
                "type=\"radio\" name=\"document_type\" value=\"{code}\""
            )) || step1.contains(&format!("name=\"document_type\" value=\"{code}\"")),
            "{code} is not offered: {step1}"
        );
        assert!(step1.contains(title), "{title}");
    }
    assert!(!step1.contains("f_subiect") && !step1.contains("f_adresa_imobil"));

    // Act: step 2 of each type
    let petition = reg.html("/desk/intake?document_type=petitie").await;
    let certificate = reg
        .html("/desk/intake?document_type=certificat-urbanism&lang=en")
        .await;

    // Assert: each shows its own fields, none of the other's, with the legend
    // saying what is required (nothing of the form at the registry) and no
    // required marks or attributes on the form's fields
    assert!(petition.contains("name=\"f_subiect\"") && !petition.contains("f_adresa_imobil"));
    assert!(petition.contains("Subiectul petiției"));
    assert!(petition.contains("la registratură fiecare câmp este opțional"));
    assert!(!petition.contains("Subiectul petiției *"));
    let field = petition.split("name=\"f_subiect\"").nth(1).unwrap();
    assert!(!field.split('>').next().unwrap().contains("required"));
    assert!(certificate.contains("name=\"f_adresa_imobil\"") && !certificate.contains("f_subiect"));
    assert!(
        certificate.contains("Property address"),
        "the page in English"
    );
    assert!(certificate.contains("Number of pages"));
    // The script that swaps the fields when the type changes, and the
    // selected type
    assert!(petition.contains("/static/desk-intake."));
    assert!(petition.contains("<option value=\"petitie\" selected>"));

    // An unknown type goes back to step 1 with a message
    let r = reg.get("/desk/intake?document_type=nu-exista").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\"") && html.contains("Alegeți unul dintre tipurile"));
}

#[tokio::test]
async fn a_bad_page_count_or_contact_is_refused_clearly_and_registers_nothing() {
    // Arrange
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;

    for (extra, field, message) in [
        (
            vec![("pages", "0")],
            "pages",
            "Numărul de pagini este între 1 și 9999.",
        ),
        (
            vec![("pages", "trei")],
            "pages",
            "Scrieți numărul de pagini ca număr întreg, ex. 3.",
        ),
        (
            vec![("pages", "2.5")],
            "pages",
            "Scrieți numărul de pagini ca număr întreg, ex. 3.",
        ),
        (
            vec![("pages", "2"), ("phone", "12345")],
            "phone",
            "Scrieți un număr de telefon din România, ex. 0722 123 456.",
        ),
        (
            vec![("pages", "2"), ("email", "nu-e-adresa")],
            "email",
            "Adresa de e-mail nu este validă (ex. nume@exemplu.ro).",
        ),
    ] {
        // Act
        let mut fields = vec![("name", "Ion Pop"), ("f_subiect", "Iluminat public")];
        fields.extend(extra.iter().copied());
        let r = reg
            .intake("petitie", &[("cerere.pdf", sample_pdf())], &fields)
            .await;

        // Assert: the form again, the message in the summary and at the
        // field, what was typed kept
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{extra:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("role=\"alert\""), "{extra:?}");
        assert_eq!(html.matches(message).count(), 2, "{extra:?}: {html}");
        assert!(html.contains(&format!("href=\"#{field}\"")), "{extra:?}");
        assert!(html.contains("value=\"Iluminat public\""), "{extra:?}");
    }
    // In the official's language
    let r = reg
        .client
        .post(format!("{}/desk/intake", reg.base))
        .header("cookie", format!("{}; lang=hu", reg.cookie))
        .multipart(
            reqwest::multipart::Form::new()
                .text("csrf", reg.csrf.clone())
                .text("document_type", "petitie")
                .text("pages", "-1")
                .part(
                    "scan",
                    reqwest::multipart::Part::bytes(sample_pdf()).file_name("a.pdf"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Az oldalak számát egész számmal adja meg, pl. 3.")
    );

    // Nothing was registered: the next intake takes the year's first number
    let (_, number) = register(&reg, "ro", "1").await;
    assert_eq!(number, format!("ALF-{}-000001", crate::desk::year()));
}

/// Registers a petition of `pages` pages by "Szőke Ildikó" who reads
/// `lang`; returns (receipt path, registration number).
async fn register(reg: &Official, lang: &str, pages: &str) -> (String, String) {
    let r = reg
        .intake(
            "petitie",
            &[("cerere.pdf", sample_pdf())],
            &[
                ("name", "Szőke Ildikó"),
                ("phone", "0745 123 456"),
                ("lang", lang),
                ("pages", pages),
                ("f_subiect", "Iluminat public"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("/receipt"), "{location}");
    let html = reg.html(&location).await;
    (location, regno_in(&html))
}

/// `pdftotext -layout` of `pdf`, and the words with their boxes
/// (`-bbox`): (word, xMax, page width).
fn pdf_text(dir: &Path, pdf: &[u8]) -> (String, Vec<(String, f64, f64)>) {
    let path = dir.join("receipt.pdf");
    std::fs::write(&path, pdf).unwrap();
    let text = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(text.status.success());
    let bbox = Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let bbox = String::from_utf8(bbox.stdout).unwrap();
    let attr = |tag: &str, name: &str| -> f64 {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let page_tag = bbox.split("<page ").nth(1).unwrap();
    let width = attr(page_tag, "width");
    let words = bbox
        .split("<word ")
        .skip(1)
        .map(|w| {
            let word = w.split('>').nth(1).unwrap().split('<').next().unwrap();
            (word.to_owned(), attr(w, "xMax"), width)
        })
        .collect();
    (String::from_utf8(text.stdout).unwrap(), words)
}

/// The MediaBox of the PDF's one page, as pdfinfo reads it.
fn page_size(dir: &Path, pdf: &[u8]) -> String {
    let path = dir.join("size.pdf");
    std::fs::write(&path, pdf).unwrap();
    let info = Command::new("pdfinfo").arg(&path).output().unwrap();
    let info = String::from_utf8(info.stdout).unwrap();
    assert!(info.contains("Pages:           1"), "{info}");
    info.lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap()
        .to_owned()
}

/// The QR codes on the PDF's page, rendered at 200 dpi in grey.
fn qr_codes(dir: &Path, pdf: &[u8]) -> Vec<String> {
    let path = dir.join("qr.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = dir.join("qr");
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", "200", "-singlefile"])
        .arg(&path)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let pgm = std::fs::read(dir.join("qr.pgm")).unwrap();
    // P5, width, height, maxval, one byte a pixel.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8(pgm[start..at].to_vec()).unwrap());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &pgm[at + 1..];
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    img.detect_grids()
        .into_iter()
        .map(|g| g.decode().unwrap().1)
        .collect()
}

#[tokio::test]
async fn the_receipt_prints_as_an_a6_label_and_an_a4_receipt_in_the_petitioners_language() {
    // Arrange
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let dir = tempfile::tempdir().unwrap();
    let (receipt, number) = register(&reg, "hu", "7").await;

    // The receipt page: what was registered, a print button (shown by the
    // script) and the two PDFs
    let html = reg.html(&receipt).await;
    assert!(html.contains("Szőke Ildikó") && html.contains("Rita Registru"));
    assert!(html.contains("<dd>7</dd>"), "the page count");
    assert!(html.contains("data-print"));
    let pdf_path = receipt.replace("/receipt", "/receipt.pdf");
    assert!(html.contains(&format!("href=\"{pdf_path}?size=a6\"")));
    assert!(html.contains(&format!("href=\"{pdf_path}?size=a4\"")));
    let token = ghiseu_tests::token_in(&html);
    let short_url = format!("{BASE}/q/{token}");

    for (size, media_box) in [
        ("a6", "297.638 x 419.528 pts"),
        ("a4", "595.276 x 841.89 pts"),
    ] {
        // Act
        let r = reg.get(&format!("{pdf_path}?size={size}")).await;

        // Assert
        assert_eq!(r.status(), StatusCode::OK, "{size}");
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let pdf = r.bytes().await.unwrap().to_vec();
        let page = page_size(dir.path(), &pdf);
        assert!(page.contains(media_box), "{size}: {page}");
        let (text, words) = pdf_text(dir.path(), &pdf);
        for expected in [
            "Szőke Ildikó",
            number.as_str(),
            "Iktatószám",
            "Oldalak száma",
            "Iktató",
            "Rita Registru",
            "Petíció",
            "Kérelmező",
        ] {
            assert!(text.contains(expected), "{size}: {expected} in\n{text}");
        }
        let pages_line = text.lines().find(|l| l.contains("Oldalak száma")).unwrap();
        assert!(pages_line.trim_end().ends_with('7'), "{size}: {pages_line}");
        assert!(
            !text.contains("Petent") && !text.contains("Nr. înregistrare"),
            "{size}: Romanian leaks"
        );
        // The short URL is printed whole (smaller, or wrapped if even the
        // smallest size is too wide), every piece inside the right margin
        let start = words
            .iter()
            .position(|(w, _, _)| w.starts_with(BASE) && short_url.starts_with(w.as_str()))
            .unwrap_or_else(|| panic!("{size}: {short_url} in {words:?}"));
        let mut printed = String::new();
        for (piece, right, width) in &words[start..] {
            if printed.len() >= short_url.len() {
                break;
            }
            printed.push_str(piece);
            assert!(
                *right <= width - 14.0,
                "{size}: the URL ends at {right} of {width}"
            );
        }
        assert_eq!(printed, short_url, "{size}");
        assert!(
            words.iter().all(|(_, right, width)| right <= width),
            "{size}"
        );
        // The QR code holds the short URL
        assert_eq!(
            qr_codes(dir.path(), &pdf),
            vec![short_url.clone()],
            "{size}"
        );
    }

    // Without a size: A4; a bad size is refused
    let r = reg.get(&pdf_path).await;
    assert_eq!(r.status(), StatusCode::OK);
    let a4 = r.bytes().await.unwrap().to_vec();
    assert!(page_size(dir.path(), &a4).contains("595.276 x 841.89 pts"));
    let r = reg.get(&format!("{pdf_path}?size=a5")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_receipt_is_in_romanian_or_english_as_the_petitioner_chose() {
    let app = spawn().await;
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let dir = tempfile::tempdir().unwrap();
    for (lang, words) in [
        (
            "ro",
            [
                "Petent",
                "Nr. înregistrare",
                "Pagini",
                "Registrator",
                "Petiție",
            ],
        ),
        (
            "en",
            [
                "Petitioner",
                "Registration no.",
                "Pages",
                "Registrar",
                "Petition",
            ],
        ),
    ] {
        let (receipt, number) = register(&reg, lang, "12").await;
        let pdf = reg
            .get(&format!(
                "{}?size=a6",
                receipt.replace("/receipt", "/receipt.pdf")
            ))
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec();
        let (text, _) = pdf_text(dir.path(), &pdf);
        for w in words
            .iter()
            .chain([&number.as_str(), &"Szőke Ildikó", &"Rita Registru"])
        {
            assert!(text.contains(w), "{lang}: {w} in\n{text}");
        }
    }
}

#[tokio::test]
async fn only_officials_of_the_tenant_get_the_receipt_pdfs() {
    // Arrange: two institutions
    let app = App::desk(Backend::Sqlite).spawn().await;
    let seed = json!({"tenants": [crate::desk::tenant("alfa", "ALF"), crate::desk::tenant("beta", "BTA")]});
    let r = app.seed(&seed).await;
    assert_eq!(r.status(), 200);
    let alfa = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let beta = app.desk_sign_in("beta", "reg", "parola-reg").await;
    let (id, _, _) = alfa.register("petitie").await;
    let path = format!("/desk/dossiers/{id}/receipt.pdf?size=a6");

    // Act / Assert: the other institution's registrar and a stranger
    assert_eq!(beta.get(&path).await.status(), StatusCode::NOT_FOUND);
    let anonymous = ghiseu_tests::no_redirects()
        .get(app.url(&path))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers()["location"], "/desk/login");
    // The institution's own registrar gets it
    let own = alfa.get(&path).await;
    assert_eq!(own.status(), StatusCode::OK);
}
