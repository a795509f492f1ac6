//! The citizen's request (cerere) as a PDF: what the institution receives, signs and
//! archives when a request is submitted online.
//!
//! [`render`] lays out the institution, the document type, the applicant, the form
//! fields in their order, every attachment with its SHA-256 and the submission time
//! (shown in Romanian local time) on A4 pages numbered "Pagina 1 din 2", with the
//! page's fixed labels in Romanian, Hungarian or English.
//!
//! The output aims at PDF/A-2b: one embedded, subsetted TrueType font (DejaVu Sans,
//! with every Romanian and Hungarian letter) with a ToUnicode map so that the text
//! extracts exactly as given, an sRGB output intent, XMP metadata, no encryption.
//!
//! Architecture invariant: this crate does no I/O and never reads the clock. The
//! submission time is an input and the file identifier is derived from the content,
//! so the same [`Cerere`] always renders to the same bytes (and the same SHA-256).
//!
//! User text is never written into the PDF as bytes: it becomes glyph codes of the
//! embedded font, so markup, parentheses or backslashes are shown literally and cannot
//! change the document's structure.

#![deny(missing_docs)]

mod font;
mod labels;
mod layout;
mod pdf;
mod receipt;

use chrono::{DateTime, Utc};
pub use ghiseu_core::{Lang, Sha256Digest};
pub use receipt::{PaperSize, Receipt, ReceiptWords, render_receipt, words as receipt_words};
use thiserror::Error;

/// A request as submitted: everything its PDF shows. Strings are shown exactly as
/// given (a `\n` starts a new line); characters the embedded font lacks (outside
/// Latin, Greek and Cyrillic) are shown and extracted as U+FFFD.
#[derive(Debug, Clone)]
pub struct Cerere<'a> {
    /// The language of the page's fixed labels ("Cerere", "Date din formular", ...).
    pub lang: Lang,
    /// The institution the request is addressed to, e.g. "Primăria Florești".
    pub institution: &'a str,
    /// The document type's title in `lang`, e.g. "Certificat de urbanism".
    pub document_type: &'a str,
    /// Who submits it.
    pub applicant: Applicant<'a>,
    /// The form's fields, in the form's order.
    pub fields: &'a [Field<'a>],
    /// The attached files, in the order the citizen attached them.
    pub attachments: &'a [AttachedFile<'a>],
    /// When it was submitted; shown as the wall-clock time in Romania.
    pub submitted_at: DateTime<Utc>,
    /// The registration number, or a reference to the submission before it has one.
    pub reference: Option<Reference<'a>>,
}

/// The applicant and the contact details they gave. This PDF goes to the
/// institution, never to the public.
#[derive(Debug, Clone, Copy, Default)]
pub struct Applicant<'a> {
    /// Full name as given.
    pub name: &'a str,
    /// E-mail address, if given.
    pub email: Option<&'a str>,
    /// Phone number, if given.
    pub phone: Option<&'a str>,
    /// Postal address, if given.
    pub address: Option<&'a str>,
}

/// One form field: its label in the request's language and the value entered.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// The field's label, e.g. "Adresa imobilului".
    pub label: &'a str,
    /// The value as entered; long values wrap, `\n` breaks the line.
    pub value: &'a str,
}

/// A file attached to the request.
#[derive(Debug, Clone, Copy)]
pub struct AttachedFile<'a> {
    /// The file name as uploaded.
    pub file_name: &'a str,
    /// The media type checked by content, e.g. `application/pdf`.
    pub media_type: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the file's bytes.
    pub sha256: Sha256Digest,
}

/// The reference line under the title.
#[derive(Debug, Clone, Copy)]
pub enum Reference<'a> {
    /// The dossier's registration number, e.g. `CJC-2025-000123`.
    RegistrationNumber(&'a str),
    /// A reference to the submission before registration (e.g. its idempotency key).
    Submission(&'a str),
}

/// A rendered request.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`: what a signature or the object store's key covers.
    pub sha256: Sha256Digest,
    /// Number of pages.
    pub pages: usize,
}

/// Why a request could not be rendered.
#[derive(Debug, Error)]
pub enum RenderError {
    /// The embedded font could not be subset. The font is fixed, so this is a bug
    /// (and the tests would catch it), not a problem of the input.
    #[error("the embedded font could not be subset: {0}")]
    Font(String),
    /// The receipt's URL does not fit in a QR code (it is far longer than any
    /// tracking URL).
    #[error("the URL does not fit in a QR code: {0}")]
    Qr(String),
}

/// Renders `cerere` as a PDF. Deterministic: the same input gives the same bytes.
pub fn render(cerere: &Cerere<'_>) -> Result<RenderedPdf, RenderError> {
    let font = font::Font::embedded();
    let labels = labels::Labels::of(cerere.lang);
    let pages = layout::lay_out(cerere, &labels, &font);
    let page_count = pages.len();
    let bytes = pdf::write(cerere, &labels, &font, pages)?;
    let sha256 = Sha256Digest::of(&bytes);
    Ok(RenderedPdf {
        bytes,
        sha256,
        pages: page_count,
    })
}
