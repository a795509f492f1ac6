//! The rendered cerere read back as a person's PDF tools read it: poppler's
//! `pdfinfo`, `pdffonts` and `pdftotext` (Debian `poppler-utils`, installed by
//! `cargo xtask test`).

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use ghiseu_cerere::{
    Applicant, AttachedFile, Cerere, Field, Lang, Reference, RenderedPdf, Sha256Digest, render,
};

fn submitted() -> DateTime<Utc> {
    // 14:05 in Cluj (UTC+3, summer time).
    Utc.with_ymd_and_hms(2025, 6, 12, 11, 5, 0).unwrap()
}

fn applicant() -> Applicant<'static> {
    Applicant {
        name: "Ștefan Țăranu-Bíró Ödön",
        email: Some("stefan.taranu@example.ro"),
        phone: Some("+40 712 345 678"),
        address: Some("Str. Avram Iancu nr. 5, Florești, jud. Cluj"),
    }
}

const FIELDS: &[Field<'static>] = &[
    Field {
        label: "Adresa imobilului",
        value: "Strada Eroilor nr. 17, sat Luna de Sus, comuna Florești",
    },
    Field {
        label: "Scopul certificatului",
        value: "Construire locuință unifamilială P+1E și împrejmuire",
    },
    Field {
        label: "Număr cadastral",
        value: "54321-C1",
    },
    Field {
        label: "Hungarian letters",
        value: "Árvíztűrő tükörfúrógép ŐŰ őű áéíóöúü ÁÉÍÓÖÚÜ",
    },
    Field {
        label: "Litere mari",
        value: "ĂÂÎȘȚ ăâîșț şţ",
    },
];

fn attachments() -> Vec<AttachedFile<'static>> {
    vec![
        AttachedFile {
            file_name: "plan-de-situație.pdf",
            media_type: "application/pdf",
            size: 1_234_567,
            sha256: Sha256Digest::of(b"plan"),
        },
        AttachedFile {
            file_name: "extras_carte_funciară.jpg",
            media_type: "image/jpeg",
            size: 98_765,
            sha256: Sha256Digest::of(b"extras"),
        },
    ]
}

fn cerere<'a>(fields: &'a [Field<'a>], files: &'a [AttachedFile<'a>]) -> Cerere<'a> {
    Cerere {
        lang: Lang::Ro,
        institution: "Primăria Comunei Florești",
        document_type: "Certificat de urbanism",
        applicant: applicant(),
        fields,
        attachments: files,
        submitted_at: submitted(),
        reference: Some(Reference::RegistrationNumber("FLO-2025-000042")),
    }
}

/// Runs a poppler tool on the PDF and answers its standard output; fails the test,
/// with the way to get the tool, when it is missing.
fn poppler(tool: &str, args: &[&str], pdf: &RenderedPdf) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cerere.pdf");
    std::fs::write(&path, &pdf.bytes).unwrap();
    let output = Command::new(tool)
        .args(args)
        .arg(Path::new(&path))
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "`{tool}` could not run ({e}): these tests need poppler's tools; \
                 install them with `apt-get install poppler-utils` (cargo xtask test does)"
            )
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.trim().is_empty(),
        "{tool} failed on the PDF: {stderr}"
    );
    String::from_utf8(output.stdout).expect("poppler writes UTF-8")
}

/// The document's text with every run of whitespace made one space, so that a
/// value wrapped over several lines reads back as one.
fn text(pdf: &RenderedPdf) -> String {
    let raw = poppler("pdftotext", &["-enc", "UTF-8"], pdf);
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_text_reads_back_exactly_with_every_diacritic() {
    let files = attachments();
    let pdf = render(&cerere(FIELDS, &files)).unwrap();
    let text = text(&pdf);

    for expected in [
        "Către: Primăria Comunei Florești",
        "Cerere",
        "Certificat de urbanism",
        "Data depunerii 12.06.2025, 14:05 (ora României)",
        "Număr de înregistrare FLO-2025-000042",
        "Solicitant",
        "Nume Ștefan Țăranu-Bíró Ödön",
        "E-mail stefan.taranu@example.ro",
        "Telefon +40 712 345 678",
        "Adresă Str. Avram Iancu nr. 5, Florești, jud. Cluj",
        "Date din formular",
        "Anexe",
        "1. plan-de-situație.pdf",
        "Tip: application/pdf · Mărime: 1.234.567 octeți",
        "2. extras_carte_funciară.jpg",
        "Pagina 1 din 1",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from {text:?}"
        );
    }
    for field in FIELDS {
        let row = one_line(&format!("{} {}", field.label, field.value));
        assert!(text.contains(&row), "{row:?} missing from {text:?}");
    }
    for file in &files {
        let digest = format!("SHA-256: {}", file.sha256);
        assert!(text.contains(&digest), "{digest} missing from {text:?}");
    }
}

#[test]
fn the_font_is_embedded_subsetted_and_extractable() {
    let files = attachments();
    let pdf = render(&cerere(FIELDS, &files)).unwrap();
    let fonts = poppler("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "one font: {fonts}");
    let columns: Vec<&str> = rows[0].split_whitespace().collect();
    // name, type (2 words), encoding, emb, sub, uni, object ID (2 words)
    assert!(columns[0].ends_with("+DejaVuSans"), "{fonts}");
    assert_eq!(&columns[1..4], ["CID", "TrueType", "Identity-H"], "{fonts}");
    assert_eq!(
        &columns[4..7],
        ["yes", "yes", "yes"],
        "emb, sub, uni: {fonts}"
    );
}

#[test]
fn the_same_request_renders_to_the_same_bytes() {
    let files = attachments();
    let first = render(&cerere(FIELDS, &files)).unwrap();
    let second = render(&cerere(FIELDS, &files)).unwrap();
    assert!(first.bytes == second.bytes, "two renderings differ");
    assert_eq!(first.sha256, second.sha256);
    assert_eq!(first.sha256, Sha256Digest::of(&first.bytes));

    let mut later = cerere(FIELDS, &files);
    later.submitted_at = submitted() + chrono::Duration::seconds(1);
    assert_ne!(render(&later).unwrap().sha256, first.sha256);
}

#[test]
fn sixty_fields_flow_onto_numbered_pages() {
    let owned: Vec<(String, String)> = (1..=60)
        .map(|i| {
            (
                format!("Câmpul {i}"),
                format!("Valoarea {i}: șir lung de text care se întinde pe mai multe rânduri, cu diacritice ăâîșț și încă ceva ca să treacă de lățimea coloanei"),
            )
        })
        .collect();
    let fields: Vec<Field<'_>> = owned
        .iter()
        .map(|(label, value)| Field { label, value })
        .collect();
    let files = attachments();
    let pdf = render(&cerere(&fields, &files)).unwrap();

    assert!(pdf.pages >= 3, "60 wrapped fields on {} pages", pdf.pages);
    let info = one_line(&poppler("pdfinfo", &[], &pdf));
    assert!(info.contains(&format!("Pages: {} ", pdf.pages)), "{info}");
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");

    let mut text = text(&pdf);
    for n in 1..=pdf.pages {
        let footer = format!("Pagina {n} din {}", pdf.pages);
        assert!(text.contains(&footer), "{footer:?} missing");
        // A value that goes on over a page break reads on after the footer.
        text = text.replace(&format!("{footer} "), "");
    }
    for (label, value) in &owned {
        assert!(text.contains(label.as_str()), "{label:?} missing");
        assert!(text.contains(value.as_str()), "{value:?} missing");
    }
    for file in &files {
        assert!(text.contains(&file.sha256.to_string()));
    }
}

#[test]
fn markup_and_pdf_syntax_in_values_are_shown_literally() {
    let hostile = [
        "<script>alert('x')</script>",
        ") Tj ET BT /F1 99 Tf (pwned",
        r"back\slash \\ \) \( (unbalanced",
        "endstream endobj %%EOF trailer << /Root 1 0 R >>",
        "tab\there",
    ];
    let fields: Vec<Field<'_>> = hostile
        .iter()
        .map(|value| Field {
            label: "<b>Etichetă</b>",
            value,
        })
        .collect();
    let files = attachments();
    let mut request = cerere(&fields, &files);
    request.applicant.name = "</Name> (Ion) \\ Pop";
    request.document_type = "Adeverință <i>) /Type /Catalog";
    let pdf = render(&request).unwrap();
    let info = poppler("pdfinfo", &[], &pdf);
    assert!(info.contains("Pages:"), "{info}");
    let text = text(&pdf);
    for value in hostile {
        let row = one_line(&format!("<b>Etichetă</b> {value}"));
        assert!(text.contains(&row), "{row:?} missing from {text:?}");
    }
    assert!(text.contains("Nume </Name> (Ion) \\ Pop"), "{text}");
    assert!(text.contains("Adeverință <i>) /Type /Catalog"), "{text}");
}

#[test]
fn hungarian_and_english_pages_use_their_own_labels() {
    let files = attachments();
    let cases = [
        (
            Lang::Hu,
            [
                "Címzett: Primăria Comunei Florești",
                "Kérelem",
                "Benyújtás időpontja 2025.06.12. 14:05 (romániai idő szerint)",
                "Iktatószám FLO-2025-000042",
                "Kérelmező",
                "Űrlapadatok",
                "Mellékletek",
                "1. oldal, összesen 1",
            ],
        ),
        (
            Lang::En,
            [
                "To: Primăria Comunei Florești",
                "Request",
                "Submitted 12/06/2025, 14:05 (Romanian time)",
                "Registration number FLO-2025-000042",
                "Applicant",
                "Form data",
                "Attachments",
                "Page 1 of 1",
            ],
        ),
    ];
    for (lang, expected) in cases {
        let mut request = cerere(FIELDS, &files);
        request.lang = lang;
        let text = text(&render(&request).unwrap());
        for e in expected {
            assert!(text.contains(e), "{lang:?}: {e:?} missing from {text:?}");
        }
    }
}

#[test]
fn an_empty_request_still_renders_with_a_submission_reference() {
    let mut request = cerere(&[], &[]);
    request.applicant = Applicant {
        name: "Ion Pop",
        ..Applicant::default()
    };
    request.reference = Some(Reference::Submission("idem-7f3a"));
    let text = text(&render(&request).unwrap());
    for e in [
        "Referința depunerii idem-7f3a",
        "Formularul nu are câmpuri.",
        "Nicio anexă.",
    ] {
        assert!(text.contains(e), "{e:?} missing from {text:?}");
    }
    assert!(!text.contains("Telefon"), "no phone was given: {text}");
}

#[test]
fn characters_outside_the_font_become_the_replacement_character() {
    let fields = [Field {
        label: "Nume",
        value: "李 control\u{7}char",
    }];
    let text = text(&render(&cerere(&fields, &[])).unwrap());
    assert!(text.contains("Nume \u{FFFD} control\u{FFFD}char"), "{text}");
}

#[test]
fn pdfa_2b_identification_and_output_intent_are_present() {
    let files = attachments();
    let pdf = render(&cerere(FIELDS, &files)).unwrap();
    let meta = poppler("pdfinfo", &["-meta"], &pdf);
    assert!(meta.contains("<pdfaid:part>2</pdfaid:part>"), "{meta}");
    assert!(
        meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "{meta}"
    );
    let info = one_line(&poppler("pdfinfo", &[], &pdf));
    assert!(
        info.contains("Title: Cerere – Certificat de urbanism"),
        "{info}"
    );
    assert!(info.contains("Encrypted: no"), "{info}");
    let raw = String::from_utf8_lossy(&pdf.bytes);
    assert!(raw.contains("/GTS_PDFA1"), "PDF/A output intent");
    assert!(raw.contains("/ID ["), "file identifier");
}
