//! The registry's receipt for a paper request, as a PDF of the page it is printed
//! on: an A6 label (105 × 148 mm) to stick on the paper, or an A4 sheet to hand to
//! the petitioner. Browsers ignore CSS page sizes, so the size is the PDF's own
//! MediaBox, not a print style.
//!
//! Both show the institution, the petitioner, the registration number, date, the
//! document type, the response deadline, the page count, the registrar, the QR
//! code of the short tracking URL and that URL, in the petitioner's language. The
//! URL is sized to its line (and wrapped only if even the smallest legible size
//! is too wide), so it never runs off the label.
//!
//! Same font, encoding and font objects as the cerere ([`crate::pdf`]); no PDF/A
//! claims: a receipt is printed, not archived.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use ghiseu_core::Lang;
use ghiseu_core::calendar::local_datetime;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, TextStr};
use qrcode::{Color, EcLevel, QrCode};

use crate::RenderError;
use crate::font::{self, Encoding, Font, subset_tag};
use crate::labels::Labels;
use crate::layout::{Page, Rule, TextLine, wrap};
use crate::pdf::{
    FONT_RESOURCE, Ids, deflate, page_content, write_font_descriptor, write_font_streams,
    write_fonts,
};

/// The paper a receipt is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperSize {
    /// 105 × 148 mm: the label stuck on the paper request.
    A6,
    /// 210 × 297 mm: the receipt handed to the petitioner.
    A4,
}

impl PaperSize {
    /// `a6` or `a4`.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "a6" => Some(Self::A6),
            "a4" => Some(Self::A4),
            _ => None,
        }
    }

    /// Width and height in points (1/72 inch).
    pub fn points(self) -> (f32, f32) {
        match self {
            Self::A6 => (297.638, 419.528),
            Self::A4 => (595.276, 841.89),
        }
    }

    fn geometry(self) -> Geometry {
        let (width, height) = self.points();
        match self {
            Self::A6 => Geometry {
                width,
                height,
                margin: 17.0,
                heading: 11.0,
                body: 9.0,
                small: 7.0,
                label_width: 82.0,
                qr: 104.0,
            },
            Self::A4 => Geometry {
                width,
                height,
                margin: 56.693,
                heading: 16.0,
                body: 12.0,
                small: 9.5,
                label_width: 160.0,
                qr: 156.0,
            },
        }
    }
}

/// Sizes of one paper's layout, in points.
struct Geometry {
    width: f32,
    height: f32,
    margin: f32,
    heading: f32,
    body: f32,
    small: f32,
    label_width: f32,
    qr: f32,
}

/// The smallest size the short URL is printed at before it wraps: still read
/// easily from a label held in the hand.
const MIN_URL_SIZE: f32 = 6.5;
const LEADING: f32 = 1.3;
const MUTED: f32 = 0.35;

/// What a receipt shows. Strings are shown as given.
#[derive(Debug, Clone)]
pub struct Receipt<'a> {
    /// The petitioner's language: every fixed word and the dates.
    pub lang: Lang,
    /// The institution, e.g. "Consiliul Județean Cluj".
    pub institution: &'a str,
    /// The petitioner's name.
    pub petitioner: &'a str,
    /// The registration number, e.g. `CJC-2026-000123`.
    pub registration_number: &'a str,
    /// When it was registered (shown as the time in Romania).
    pub registered_at: DateTime<Utc>,
    /// The document type's title in `lang`.
    pub document_type: &'a str,
    /// The legal deadline of the answer.
    pub deadline: NaiveDate,
    /// The pages counted at the registry, if counted.
    pub pages: Option<u16>,
    /// The registrar's name.
    pub registrar: &'a str,
    /// The short tracking URL: what the QR code holds and the label prints.
    pub short_url: &'a str,
    /// The public tracking page, for reading without the QR code.
    pub track_page: &'a str,
    /// The receipt code that the tracking page asks with the number.
    pub receipt_code: &'a str,
}

/// A receipt's words in one language, the same on the PDF and on the desk's
/// receipt page.
pub struct ReceiptWords {
    /// The PDF's title.
    pub title: &'static str,
    /// The petitioner's label.
    pub petitioner: &'static str,
    /// The registration number's.
    pub number: &'static str,
    /// The registration date's.
    pub date: &'static str,
    /// The document type's.
    pub document: &'static str,
    /// The response deadline's.
    pub deadline: &'static str,
    /// The page count's.
    pub pages: &'static str,
    /// The registrar's.
    pub registrar: &'static str,
    /// The sentence before the tracking link, on the PDF.
    pub follow: &'static str,
}

/// The receipt's words in `lang`.
#[must_use]
pub fn words(lang: Lang) -> ReceiptWords {
    let [
        title,
        petitioner,
        number,
        date,
        document,
        deadline,
        pages,
        registrar,
        follow,
    ] = lang.pick([
        [
            "Recipisă de înregistrare",
            "Petent",
            "Nr. înregistrare",
            "Data",
            "Document",
            "Termen de răspuns",
            "Pagini",
            "Registrator",
            "Urmăriți documentul: scanați codul sau deschideți",
        ],
        [
            "Iktatási elismervény",
            "Kérelmező",
            "Iktatószám",
            "Dátum",
            "Dokumentum",
            "Válaszadási határidő",
            "Oldalak száma",
            "Iktató",
            "Kövesse az ügyiratot: olvassa be a kódot, vagy nyissa meg:",
        ],
        [
            "Registration receipt",
            "Petitioner",
            "Registration no.",
            "Date",
            "Document",
            "Response deadline",
            "Pages",
            "Registrar",
            "Follow your document: scan the code or open",
        ],
    ]);
    ReceiptWords {
        title,
        petitioner,
        number,
        date,
        document,
        deadline,
        pages,
        registrar,
        follow,
    }
}

/// "Without the QR code: ..." in `lang`.
fn manual(lang: Lang, track_page: &str, code: &str) -> String {
    match lang {
        Lang::Ro => format!(
            "Fără cod QR: deschideți {track_page} și scrieți numărul de înregistrare și codul {code}."
        ),
        Lang::Hu => format!(
            "QR-kód nélkül: nyissa meg a {track_page} oldalt, és írja be az iktatószámot és a(z) {code} kódot."
        ),
        Lang::En => format!(
            "Without the QR code: open {track_page} and enter the registration number and the code {code}."
        ),
    }
}

/// A date as `lang` writes it: 02.03.2026, 2026.03.02., 02/03/2026.
fn date(lang: Lang, d: NaiveDate) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match lang {
        Lang::Ro => format!("{day:02}.{m:02}.{y}"),
        Lang::Hu => format!("{y}.{m:02}.{day:02}."),
        Lang::En => format!("{day:02}/{m:02}/{y}"),
    }
}

/// Renders `receipt` on one page of `size`. Deterministic.
pub fn render_receipt(receipt: &Receipt<'_>, size: PaperSize) -> Result<Vec<u8>, RenderError> {
    let font = Font::embedded();
    let g = size.geometry();
    let (page, qr_origin) = lay_out(receipt, &g, &font);
    let qr = qr_content(receipt.short_url, qr_origin, g.qr)?;

    let mut encoding = Encoding::default();
    let mut content = page_content(&page, &font, &mut encoding);
    content.push(b'\n');
    content.extend(qr);
    let (program, cid_to_gid) = font::subset(&font, &encoding)?;

    let ids = Ids::allocate(1);
    let (page_id, content_id) = ids.pages[0];
    let mut pdf = Pdf::new();
    let mut catalog = pdf.catalog(ids.catalog);
    catalog.pages(ids.page_tree);
    catalog.lang(TextStr(receipt.lang.code()));
    catalog.finish();
    let title = format!(
        "{} {}",
        words(receipt.lang).title,
        receipt.registration_number
    );
    pdf.document_info(ids.info)
        .title(TextStr(&title))
        .creator(TextStr("Ghiseu"))
        .producer(TextStr("ghiseu-cerere"));
    pdf.pages(ids.page_tree).kids([page_id]).count(1);
    let mut p = pdf.page(page_id);
    p.parent(ids.page_tree)
        .media_box(Rect::new(0.0, 0.0, g.width, g.height))
        .contents(content_id);
    p.resources().fonts().pair(FONT_RESOURCE, ids.type0);
    p.finish();
    pdf.stream(content_id, &deflate(&content))
        .filter(Filter::FlateDecode);

    let base_font = format!("{}+DejaVuSans", subset_tag(&cid_to_gid));
    let base_font = Name(base_font.as_bytes());
    write_fonts(&mut pdf, &ids, base_font, &font, &encoding);
    write_font_descriptor(&mut pdf, &ids, base_font, &font);
    write_font_streams(&mut pdf, &ids, &program, &cid_to_gid, &encoding);
    Ok(pdf.finish())
}

/// Writes lines downwards from the top margin.
struct Cursor<'f> {
    font: &'f Font,
    page: Page,
    y: f32,
}

impl Cursor<'_> {
    /// `text` wrapped to `width` at `x`; returns the lines' count.
    fn text(&mut self, text: &str, x: f32, width: f32, size: f32, gray: f32) -> usize {
        let lines = wrap(self.font, text, width, size);
        let n = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            let y = self.y - size - (i as f32) * size * LEADING;
            self.page.lines.push(TextLine {
                x,
                y,
                size,
                gray,
                text: line,
            });
        }
        n
    }

    fn advance(&mut self, lines: usize, size: f32) {
        self.y -= lines as f32 * size * LEADING;
    }
}

/// The page's text and rules, and where the QR code's top-left corner goes.
fn lay_out(r: &Receipt<'_>, g: &Geometry, font: &Font) -> (Page, (f32, f32)) {
    let w = words(r.lang);
    let labels = Labels::of(r.lang);
    let width = g.width - 2.0 * g.margin;
    let mut c = Cursor {
        font,
        page: Page::default(),
        y: g.height - g.margin,
    };
    let n = c.text(r.institution, g.margin, width, g.heading, 0.0);
    c.advance(n, g.heading);
    let n = c.text(w.title, g.margin, width, g.small, MUTED);
    c.advance(n, g.small);
    c.y -= g.small * 0.5;
    c.page.rules.push(Rule {
        x1: g.margin,
        x2: g.width - g.margin,
        y: c.y,
    });
    c.y -= g.small * 0.5;

    let pages = r.pages.map_or_else(|| "—".to_owned(), |n| n.to_string());
    let when = labels.date_time(local_datetime(r.registered_at));
    let deadline = date(r.lang, r.deadline);
    let value_x = g.margin + g.label_width;
    let value_width = width - g.label_width;
    for (label, value) in [
        (w.petitioner, r.petitioner),
        (w.number, r.registration_number),
        (w.date, when.as_str()),
        (w.document, r.document_type),
        (w.deadline, deadline.as_str()),
        (w.pages, pages.as_str()),
        (w.registrar, r.registrar),
    ] {
        // The label sits on the value's first baseline.
        let top = c.y;
        c.y = top - (g.body - g.small);
        let label_lines = c.text(label, g.margin, g.label_width - 4.0, g.small, MUTED);
        c.y = top;
        let value_lines = c.text(value, value_x, value_width, g.body, 0.0);
        let used = (value_lines as f32 * g.body * LEADING)
            .max((g.body - g.small) + label_lines as f32 * g.small * LEADING);
        c.y = top - used - g.small * 0.3;
    }

    c.y -= g.small;
    let qr_origin = (g.margin, c.y);
    c.y -= g.qr + g.small * 0.6;
    let n = c.text(w.follow, g.margin, width, g.small, MUTED);
    c.advance(n, g.small);
    // The short URL on one line, as large as fits up to the body size; wrapped
    // only if even the smallest size does not fit.
    let natural = font.width(r.short_url, g.body);
    let url_size = if natural <= width {
        g.body
    } else {
        (g.body * width / natural).max(MIN_URL_SIZE)
    };
    let n = c.text(r.short_url, g.margin, width, url_size, 0.0);
    c.advance(n, url_size);
    c.y -= g.small * 0.4;
    c.text(
        &manual(r.lang, r.track_page, r.receipt_code),
        g.margin,
        width,
        g.small,
        MUTED,
    );
    (c.page, qr_origin)
}

/// The QR code of `url` as filled squares, `size` points wide, its top-left
/// corner at `origin` (medium error correction; the page's white is the quiet
/// zone).
fn qr_content(url: &str, origin: (f32, f32), size: f32) -> Result<Vec<u8>, RenderError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| RenderError::Qr(e.to_string()))?;
    let n = code.width();
    let module = size / n as f32;
    let colors = code.to_colors();
    let mut content = Content::new();
    content.set_fill_gray(0.0);
    for row in 0..n {
        let y = origin.1 - (row + 1) as f32 * module;
        let mut col = 0;
        while col < n {
            if colors[row * n + col] != Color::Dark {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && colors[row * n + col] == Color::Dark {
                col += 1;
            }
            content.rect(
                origin.0 + start as f32 * module,
                y,
                (col - start) as f32 * module,
                module,
            );
        }
    }
    content.fill_nonzero();
    Ok(content.finish().into_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lang: Lang, url: &str) -> Receipt<'_> {
        Receipt {
            lang,
            institution: "Consiliul Județean Cluj",
            petitioner: "Szőke Ildikó",
            registration_number: "CJC-2026-000123",
            registered_at: "2026-03-02T08:00:00Z".parse().unwrap(),
            document_type: "Petiție",
            deadline: "2026-04-01".parse().unwrap(),
            pages: Some(3),
            registrar: "Ana Pop",
            short_url: url,
            track_page: "https://ghiseu.cjcluj.ro/track",
            receipt_code: "ABCD-EFGH",
        }
    }

    #[test]
    fn every_line_fits_between_the_margins_of_each_paper() {
        let font = Font::embedded();
        let long = "https://ghiseu.primaria-comunei-sannicoara.cluj.example.ro/q/0123456789abcdef0123456789abcdef";
        for size in [PaperSize::A6, PaperSize::A4] {
            let g = size.geometry();
            for lang in [Lang::Ro, Lang::Hu, Lang::En] {
                for url in ["https://cjc.ro/q/abc", long] {
                    let (page, (_, qr_top)) = lay_out(&sample(lang, url), &g, &font);
                    for line in &page.lines {
                        let right = line.x + font.width(&line.text, line.size);
                        assert!(
                            right <= g.width - g.margin + 0.01,
                            "{size:?} {lang:?} {:?}",
                            line.text
                        );
                        assert!(
                            line.y >= g.margin * 0.5,
                            "{size:?} {lang:?} {:?} below the page",
                            line.text
                        );
                        assert!(line.size >= MIN_URL_SIZE, "{:?}", line.text);
                    }
                    assert!(qr_top - g.qr > g.margin, "{size:?}: the QR code fits");
                }
            }
        }
    }

    #[test]
    fn a_long_short_url_shrinks_before_it_wraps() {
        let font = Font::embedded();
        let g = PaperSize::A6.geometry();
        let url = "https://ghiseu.cjcluj.ro/q/0123456789abcdef0123456789abcdef";
        let (page, _) = lay_out(&sample(Lang::Ro, url), &g, &font);
        let line = page.lines.iter().find(|l| l.text == url).expect("one line");
        assert!(line.size < g.body && line.size >= MIN_URL_SIZE);
    }

    #[test]
    fn the_media_box_is_the_paper() {
        for (size, expected) in [
            (PaperSize::A6, "/MediaBox [0 0 297.638 419.528]"),
            (PaperSize::A4, "/MediaBox [0 0 595.276 841.89]"),
        ] {
            let pdf = render_receipt(&sample(Lang::En, "https://cjc.ro/q/abc"), size).unwrap();
            let text = String::from_utf8_lossy(&pdf);
            assert!(text.contains(expected), "{size:?}");
            assert_eq!(
                pdf,
                render_receipt(&sample(Lang::En, "https://cjc.ro/q/abc"), size).unwrap()
            );
        }
    }
}
