//! The page after intake: what was registered, in the official's language,
//! with a print button and the two PDFs (the A6 label for the paper, the A4
//! receipt for the petitioner, both in the petitioner's language).

use ghiseu_core::{DocumentType, Dossier, Lang};
use maud::html;

use super::{Viewer, layout_in};

/// What the receipt page shows.
pub struct ReceiptView<'a> {
    /// The registered dossier.
    pub dossier: &'a Dossier,
    /// Its document type (the version it was registered under).
    pub doc_type: &'a DocumentType,
    /// Who registered it.
    pub registrar: &'a str,
    /// The short tracking URL the QR code holds.
    pub short_url: &'a str,
}

/// `GET /desk/dossiers/{id}/receipt`.
pub fn receipt_page(signed: Viewer<'_>, lang: Lang, v: &ReceiptView<'_>) -> String {
    let d = v.dossier;
    let [title, registered, language, follow, print] = labels(lang);
    let ghiseu_cerere::ReceiptWords {
        petitioner,
        number,
        date,
        document,
        deadline,
        pages,
        registrar,
        ..
    } = ghiseu_cerere::receipt_words(lang);
    let [label_pdf, receipt_pdf, another, open] = links(lang);
    let petitioner_lang = d.contact().lang.unwrap_or(Lang::Ro);
    let name = d.contact().name.as_ref().map_or("—", |n| n.as_str());
    let pages_text = d
        .paper_pages()
        .map_or_else(|| "—".to_owned(), |p| p.get().to_string());
    let base = format!("/desk/dossiers/{}", d.id());
    layout_in(
        lang,
        title,
        Some(signed),
        html! {
            div.success-banner role="status" { (registered) ": " span.regno { (d.number().to_string()) } }
            div.receipt {
                h1 { (signed.tenant.name.as_str()) }
                dl.summary {
                    dt { (petitioner) } dd { (name) }
                    dt { (number) } dd { (d.number().to_string()) }
                    dt { (date) } dd { (super::when(d)) }
                    dt { (document) } dd { (v.doc_type.titles.get(lang).as_str()) }
                    dt { (deadline) } dd { (d.deadline().format("%d.%m.%Y").to_string()) }
                    dt { (pages) } dd { (pages_text) }
                    dt { (registrar) } dd { (v.registrar) }
                    dt { (language) } dd lang=(petitioner_lang.code()) { (ghiseu_platform::chrome::language_name(petitioner_lang)) }
                    dt { (follow) } dd { span.link { (v.short_url) } }
                    dt { (code_term(lang)) } dd { strong.short.receipt-code { (d.token().receipt_code().to_string()) } }
                }
                img.qr src=(format!("/q/{}.svg", d.token())) alt=(format!("QR: {}", v.short_url));
            }
            ul.noprint {
                li { a href=(format!("{base}/receipt.pdf?size=a6")) { (label_pdf) } }
                li { a href=(format!("{base}/receipt.pdf?size=a4")) { (receipt_pdf) } }
            }
            p.noprint { button type="button" data-print hidden { (print) } }
            p.noprint {
                a href="/desk/intake" { (another) } " · " a href=(base) { (open) }
            }
            script src=(ghiseu_platform::assets::DESK_INTAKE_JS) defer {}
        },
    )
}

/// The page's own labels (the summary's terms are the PDF's, `ghiseu_cerere::receipt_words`): title, banner, language, tracking, the print button.
fn labels(lang: Lang) -> [&'static str; 5] {
    lang.pick([
        [
            "Recipisă",
            "Documentul a fost înregistrat",
            "Limba recipisei",
            "Urmărire",
            "Tipărește pagina",
        ],
        [
            "Elismervény",
            "Az iratot iktatták",
            "Az elismervény nyelve",
            "Követés",
            "Oldal nyomtatása",
        ],
        [
            "Receipt",
            "The document is registered",
            "Receipt language",
            "Tracking",
            "Print this page",
        ],
    ])
}

/// The term of the receipt code, which the tracking page asks with the
/// number when the QR code cannot be read.
fn code_term(lang: Lang) -> &'static str {
    lang.pick([
        "Cod de urmărire (fără QR)",
        "Követési kód (QR nélkül)",
        "Tracking code (without the QR)",
    ])
}

/// The links under the receipt.
fn links(lang: Lang) -> [&'static str; 4] {
    lang.pick([
        [
            "Etichetă A6 (PDF), de lipit pe document",
            "Recipisă A4 (PDF), pentru petent",
            "Înregistrează alt document",
            "Deschide dosarul",
        ],
        [
            "A6-os címke (PDF), az iratra ragasztandó",
            "A4-es elismervény (PDF), a kérelmezőnek",
            "Másik irat iktatása",
            "Az ügyirat megnyitása",
        ],
        [
            "A6 label (PDF), to stick on the document",
            "A4 receipt (PDF), for the petitioner",
            "Register another document",
            "Open the dossier",
        ],
    ])
}
