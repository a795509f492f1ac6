//! Writes the laid-out pages as a PDF/A-2b file with pdf-writer.
//!
//! What PDF/A-2b asks of this document, and where it is met: the font program is
//! embedded (`FontFile2`) with widths taken from its own `hmtx` and an explicit
//! CID-to-GID map; an output intent carries an sRGB ICC profile (the pages use
//! DeviceGray only); the XMP metadata stream is uncompressed and agrees with the
//! document information dictionary; the trailer has a file identifier; nothing is
//! encrypted, transparent, interactive or external.

use chrono::{DateTime, Datelike, Timelike, Utc};
use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, OutputIntentSubtype, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};

use crate::font::{self, Encoding, Font, subset_tag};
use crate::labels::Labels;
use crate::layout::{PAGE_HEIGHT, PAGE_WIDTH, Page};
use crate::{Cerere, Reference, RenderError};

/// Bumped whenever the layout or the PDF structure changes, so that a new rendering
/// of the same request gets a new file identifier.
const RENDER_VERSION: &[u8] = b"ghiseu-cerere/1";
/// sRGB IEC61966-2.1 (Debian icc-profiles-free, see `icc/LICENSE.txt`).
const SRGB_ICC: &[u8] = include_bytes!("../icc/sRGB.icc");
pub(crate) const FONT_RESOURCE: Name<'static> = Name(b"F1");
const PRODUCER: &str = "ghiseu-cerere";
const CREATOR: &str = "Ghiseu";

fn system_info() -> SystemInfo<'static> {
    SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    }
}

/// The indirect objects of the document, numbered in the order the file
/// lists them.
pub(crate) struct Ids {
    pub(crate) catalog: Ref,
    pub(crate) page_tree: Ref,
    pub(crate) type0: Ref,
    pub(crate) cid_font: Ref,
    pub(crate) descriptor: Ref,
    pub(crate) program: Ref,
    pub(crate) cid_to_gid: Ref,
    pub(crate) to_unicode: Ref,
    pub(crate) icc: Ref,
    pub(crate) metadata: Ref,
    pub(crate) info: Ref,
    /// Each page and its content stream.
    pub(crate) pages: Vec<(Ref, Ref)>,
}

impl Ids {
    /// Numbers the document's objects from 1: the fixed ones first, then a
    /// page and its content stream for each of `page_count` pages.
    pub(crate) fn allocate(page_count: usize) -> Self {
        let mut next = Ref::new(1);
        let mut alloc = || next.bump();
        Self {
            catalog: alloc(),
            page_tree: alloc(),
            type0: alloc(),
            cid_font: alloc(),
            descriptor: alloc(),
            program: alloc(),
            cid_to_gid: alloc(),
            to_unicode: alloc(),
            icc: alloc(),
            metadata: alloc(),
            info: alloc(),
            pages: (0..page_count).map(|_| (alloc(), alloc())).collect(),
        }
    }
}

/// Writes the PDF/A-2b file of `cerere` from its laid-out `pages`, with the
/// subset of `font` that the pages use embedded.
pub(crate) fn write(
    cerere: &Cerere<'_>,
    labels: &Labels,
    font: &Font,
    pages: Vec<Page>,
) -> Result<Vec<u8>, RenderError> {
    // The page contents decide which characters the document uses, so they come
    // first; the font subset follows from them.
    let mut encoding = Encoding::default();
    let contents: Vec<Vec<u8>> = pages
        .iter()
        .map(|page| deflate(&page_content(page, font, &mut encoding)))
        .collect();
    let (program, cid_to_gid) = font::subset(font, &encoding)?;
    let ids = Ids::allocate(pages.len());

    let mut pdf = Pdf::new();
    let id = document_id(cerere);
    pdf.set_file_id((id[..16].to_vec(), id[..16].to_vec()));
    write_catalog(&mut pdf, &ids, cerere.lang.code());
    write_description(&mut pdf, &ids, cerere, labels, &id);
    write_pages(&mut pdf, &ids, &contents);

    // The subset's name: a tag derived from the glyphs it holds, as the PDF
    // specification asks, so that equal subsets share a name.
    let base_font = format!("{}+DejaVuSans", subset_tag(&cid_to_gid));
    let base_font = Name(base_font.as_bytes());
    write_fonts(&mut pdf, &ids, base_font, font, &encoding);
    write_font_descriptor(&mut pdf, &ids, base_font, font);
    write_font_streams(&mut pdf, &ids, &program, &cid_to_gid, &encoding);
    Ok(pdf.finish())
}

/// The catalog: the page tree, the metadata, the language and the sRGB
/// output intent that PDF/A asks for.
fn write_catalog(pdf: &mut Pdf, ids: &Ids, lang: &str) {
    let mut catalog = pdf.catalog(ids.catalog);
    catalog.pages(ids.page_tree);
    catalog.metadata(ids.metadata);
    catalog.lang(TextStr(lang));
    catalog
        .output_intents()
        .push()
        .subtype(OutputIntentSubtype::PDFA)
        .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
        .info(TextStr("sRGB IEC61966-2.1"))
        .dest_output_profile(ids.icc);
    catalog.finish();
}

/// The document information dictionary, the XMP metadata that repeats it
/// (with the document identifier `id`) and the output intent's ICC profile.
fn write_description(
    pdf: &mut Pdf,
    ids: &Ids,
    cerere: &Cerere<'_>,
    labels: &Labels,
    id: &[u8; 32],
) {
    let title = metadata_text(&format!("{} – {}", labels.title, cerere.document_type));
    let date = pdf_date(cerere.submitted_at);
    pdf.document_info(ids.info)
        .title(TextStr(&title))
        .creator(TextStr(CREATOR))
        .producer(TextStr(PRODUCER))
        .creation_date(date)
        .modified_date(date);

    let xmp = xmp(cerere, &title, id);
    pdf.metadata(ids.metadata, xmp.as_bytes());

    pdf.icc_profile(ids.icc, &deflate(SRGB_ICC))
        .n(3)
        .range([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
        .filter(Filter::FlateDecode);
}

/// The page tree, then each page with its (compressed) content stream.
fn write_pages(pdf: &mut Pdf, ids: &Ids, contents: &[Vec<u8>]) {
    pdf.pages(ids.page_tree)
        .kids(ids.pages.iter().map(|(page, _)| *page))
        .count(i32::try_from(ids.pages.len()).expect("fewer than 2^31 pages"));
    for (content, (page_id, content_id)) in contents.iter().zip(&ids.pages) {
        let mut page = pdf.page(*page_id);
        page.parent(ids.page_tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .contents(*content_id);
        page.resources().fonts().pair(FONT_RESOURCE, ids.type0);
        page.finish();
        pdf.stream(*content_id, content).filter(Filter::FlateDecode);
    }
}

/// The Type 0 font the pages name and its CID font, with the width of each
/// character of `encoding` in the order of its CIDs.
pub(crate) fn write_fonts(
    pdf: &mut Pdf,
    ids: &Ids,
    base_font: Name<'_>,
    font: &Font,
    encoding: &Encoding,
) {
    pdf.type0_font(ids.type0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(ids.cid_font)
        .to_unicode(ids.to_unicode);

    let mut cid_font = pdf.cid_font(ids.cid_font);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(system_info())
        .font_descriptor(ids.descriptor)
        .default_width(0.0)
        .cid_to_gid_map_stream(ids.cid_to_gid);
    let widths: Vec<f32> = encoding.chars().iter().map(|&c| font.advance(c)).collect();
    cid_font.widths().consecutive(1, widths);
    cid_font.finish();
}

/// The font descriptor: the face's metrics in thousandths of an em.
pub(crate) fn write_font_descriptor(pdf: &mut Pdf, ids: &Ids, base_font: Name<'_>, font: &Font) {
    let face = font.face();
    let bbox = face.global_bounding_box();
    let em = |units: i16| font.to_thousandths(f32::from(units));
    pdf.font_descriptor(ids.descriptor)
        .name(base_font)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            em(bbox.x_min),
            em(bbox.y_min),
            em(bbox.x_max),
            em(bbox.y_max),
        ))
        .italic_angle(face.italic_angle())
        .ascent(em(face.ascender()))
        .descent(em(face.descender()))
        .cap_height(em(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(80.0)
        .font_file2(ids.program);
}

/// The embedded subset `program`, its CID-to-GID map and the ToUnicode CMap
/// that maps each CID of `encoding` back to its character.
pub(crate) fn write_font_streams(
    pdf: &mut Pdf,
    ids: &Ids,
    program: &[u8],
    cid_to_gid: &[u8],
    encoding: &Encoding,
) {
    pdf.stream(ids.program, &deflate(program))
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(program.len()).expect("a small font"),
        );
    pdf.stream(ids.cid_to_gid, &deflate(cid_to_gid))
        .filter(Filter::FlateDecode);

    let mut cmap = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), system_info());
    for (i, &c) in encoding.chars().iter().enumerate() {
        cmap.pair(u16::try_from(i + 1).expect("CIDs fit in u16"), c);
    }
    pdf.cmap(ids.to_unicode, &deflate(&cmap.finish()))
        .name(Name(b"Adobe-Identity-UCS"))
        .system_info(system_info())
        .filter(Filter::FlateDecode);
}

pub(crate) fn page_content(page: &Page, font: &Font, encoding: &mut Encoding) -> Vec<u8> {
    let mut content = Content::new();
    content.set_stroke_gray(0.6).set_line_width(0.5);
    for rule in &page.rules {
        content
            .move_to(rule.x1, rule.y)
            .line_to(rule.x2, rule.y)
            .stroke();
    }
    content.begin_text();
    for line in page.lines.iter().filter(|l| !l.text.is_empty()) {
        content
            .set_fill_gray(line.gray)
            .set_font(FONT_RESOURCE, line.size)
            .set_text_matrix([1.0, 0.0, 0.0, 1.0, line.x, line.y])
            .show(Str(&encoding.encode(font, &line.text)));
    }
    content.end_text();
    content.finish().into_vec()
}

pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    compress_to_vec_zlib(data, 6)
}

/// SHA-256 over every input the page shows, each part length-prefixed, and the
/// renderer's version: the same request always gets the same identifier.
fn document_id(cerere: &Cerere<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    part(RENDER_VERSION);
    part(cerere.lang.code().as_bytes());
    part(cerere.institution.as_bytes());
    part(cerere.document_type.as_bytes());
    let a = &cerere.applicant;
    part(a.name.as_bytes());
    for contact in [a.email, a.phone, a.address] {
        match contact {
            Some(value) => {
                part(b"some");
                part(value.as_bytes());
            }
            None => part(b"none"),
        }
    }
    part(&(cerere.fields.len() as u64).to_be_bytes());
    for field in cerere.fields {
        part(field.label.as_bytes());
        part(field.value.as_bytes());
    }
    part(&(cerere.attachments.len() as u64).to_be_bytes());
    for file in cerere.attachments {
        part(file.file_name.as_bytes());
        part(file.media_type.as_bytes());
        part(&file.size.to_be_bytes());
        part(file.sha256.as_bytes());
    }
    part(&cerere.submitted_at.timestamp_micros().to_be_bytes());
    match cerere.reference {
        Some(Reference::RegistrationNumber(n)) => {
            part(b"registration");
            part(n.as_bytes());
        }
        Some(Reference::Submission(r)) => {
            part(b"submission");
            part(r.as_bytes());
        }
        None => part(b"none"),
    }
    h.finalize().into()
}

/// Metadata text: control characters (not allowed in XMP) become spaces.
fn metadata_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn pdf_date(t: DateTime<Utc>) -> pdf_writer::Date {
    pdf_writer::Date::new(year(t))
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn xmp_date(t: DateTime<Utc>) -> xmp_writer::DateTime {
    xmp_writer::DateTime::new(
        year(t),
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
        xmp_writer::Timezone::Utc,
    )
}

/// PDF and XMP dates have four-digit years.
fn year(t: DateTime<Utc>) -> u16 {
    u16::try_from(t.year().clamp(0, 9999)).expect("clamped")
}

/// The XMP packet; it repeats the information dictionary (PDF/A asks both to agree).
fn xmp(cerere: &Cerere<'_>, title: &str, id: &[u8; 32]) -> String {
    let uuid = uuid_urn(id);
    let mut xmp = xmp_writer::XmpWriter::new();
    xmp.title([(None, title)]);
    xmp.language([xmp_writer::LangId(cerere.lang.code())]);
    xmp.format("application/pdf");
    xmp.creator_tool(CREATOR);
    xmp.producer(PRODUCER);
    xmp.create_date(xmp_date(cerere.submitted_at));
    xmp.modify_date(xmp_date(cerere.submitted_at));
    xmp.document_id(&uuid);
    xmp.instance_id(&uuid);
    xmp.pdfa_part(2);
    xmp.pdfa_conformance("B");
    xmp.finish(None)
}

/// `uuid:` and the first 16 bytes of `id` as a version-4-shaped UUID.
fn uuid_urn(id: &[u8; 32]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&id[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
