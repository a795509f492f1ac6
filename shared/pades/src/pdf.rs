//! The PDF side: reading the original with `lopdf`, writing the incremental update
//! (new objects, a classic cross-reference section, a trailer with `/Prev`) by hand
//! so that the offsets of `/ByteRange` and `/Contents` are known exactly. A visible
//! stamp adds its appearance stream and font to the same update.

use std::io::Write as _;

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId, Writer};
use sha2::{Digest, Sha256};

use crate::{Error, PrepareOptions};

/// Width of each `/ByteRange` number in the placeholder: files up to 10 GB.
const BYTE_RANGE_DIGITS: usize = 10;
const BYTE_RANGE_KEY: &[u8] = b"/ByteRange ";

/// A PDF with a signature dictionary waiting for its CMS.
#[derive(Debug, Clone)]
pub struct Prepared {
    bytes: Vec<u8>,
    byte_range: [usize; 4],
    digest: [u8; 32],
}

impl Prepared {
    /// SHA-256 of the signed bytes (both parts of [`Self::byte_range`]): the CMS
    /// message digest, to pass to [`crate::signed_attributes`].
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// `[0, a, b, c]`: the signature covers bytes `0..a` and `b..b + c`; between
    /// them is `/Contents`' hexadecimal string, delimiters included.
    pub fn byte_range(&self) -> [usize; 4] {
        self.byte_range
    }

    /// The prepared PDF (with the zero-filled placeholder), e.g. to store it while
    /// the signing service works.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Room for the DER-encoded CMS, in bytes.
    pub fn capacity(&self) -> usize {
        (self.byte_range[2] - self.byte_range[1] - 2) / 2
    }

    /// Takes back the bytes of [`Self::bytes`] (e.g. read from storage): finds the
    /// last signature dictionary's `/ByteRange`, checks that it spans the whole file
    /// around an unfilled `/Contents`, and recomputes the digest.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, Error> {
        let key = rfind(&bytes, BYTE_RANGE_KEY).ok_or(Error::NotPrepared("no /ByteRange"))?;
        let start = key + BYTE_RANGE_KEY.len();
        let end = start
            + bytes[start..]
                .iter()
                .position(|&b| b == b']')
                .ok_or(Error::NotPrepared("unterminated /ByteRange"))?;
        let inner = bytes[start..end]
            .strip_prefix(b"[")
            .ok_or(Error::NotPrepared("/ByteRange is not an array"))?;
        let numbers: Vec<usize> = std::str::from_utf8(inner)
            .map_err(|_| Error::NotPrepared("/ByteRange is not ASCII"))?
            .split_ascii_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| Error::NotPrepared("/ByteRange holds a non-number"))?;
        let byte_range: [usize; 4] = numbers
            .try_into()
            .map_err(|_| Error::NotPrepared("/ByteRange needs four numbers"))?;
        let [zero, a, b, c] = byte_range;
        let well_formed = zero == 0
            && a < b
            && b - a >= 2
            && b.checked_add(c) == Some(bytes.len())
            && bytes[a] == b'<'
            && bytes[b - 1] == b'>'
            && bytes[a + 1..b - 1].iter().all(|&d| d == b'0');
        if !well_formed {
            return Err(Error::NotPrepared(
                "/ByteRange does not surround an empty /Contents",
            ));
        }
        let digest = digest(&bytes, byte_range);
        Ok(Self {
            bytes,
            byte_range,
            digest,
        })
    }

    /// Writes `cms` hex-encoded into the placeholder, zero-padded.
    pub(crate) fn embed(mut self, cms: &[u8]) -> Result<Vec<u8>, Error> {
        let available = self.capacity();
        if cms.len() > available {
            return Err(Error::TooBig {
                needed: cms.len(),
                available,
            });
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let start = self.byte_range[1] + 1;
        for (i, byte) in cms.iter().enumerate() {
            self.bytes[start + 2 * i] = HEX[usize::from(byte >> 4)];
            self.bytes[start + 2 * i + 1] = HEX[usize::from(byte & 0x0f)];
        }
        Ok(self.bytes)
    }
}

/// Prepares `pdf` for signing: appends an incremental update that adds a
/// signature field (invisible, or a stamp when `opts` asks for one) and a
/// signature dictionary whose `/Contents` is a zero-filled placeholder.
pub(crate) fn prepare(pdf: &[u8], opts: &PrepareOptions<'_>) -> Result<Prepared, Error> {
    check_options(opts)?;
    let doc = load(pdf)?;
    let update = plan_update(&doc, opts)?;

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    for (id, object) in &update.objects {
        offsets.push((*id, out.len()));
        write_object(&mut out, *id, object)?;
    }
    offsets.push((update.sig_id, out.len()));
    let placeholder = write_signature(&mut out, update.sig_id, opts)?;

    let xref_at = out.len();
    write_xref(&mut out, &mut offsets);
    write_trailer(&mut out, &doc, &update, xref_at)?;
    placeholder.fill(out)
}

/// Refuses a field name that is empty or has a '.', and a signature size
/// outside 1 byte to 1 MB.
fn check_options(opts: &PrepareOptions<'_>) -> Result<(), Error> {
    if opts.field_name.is_empty() {
        return Err(Error::Options("the field name is empty"));
    }
    if opts.field_name.contains('.') {
        return Err(Error::Options("a field name cannot contain '.'"));
    }
    if opts.signature_size_bytes == 0 || opts.signature_size_bytes > 1 << 20 {
        return Err(Error::Options("the signature size must be 1 byte to 1 MB"));
    }
    Ok(())
}

/// Reads the original, refusing one that is (or was) encrypted or whose
/// `startxref` an update could not chain to.
fn load(pdf: &[u8]) -> Result<Document, Error> {
    let doc = Document::load_mem(pdf).map_err(|e| Error::Pdf(e.to_string()))?;
    // lopdf decrypts documents with an empty user password and drops /Encrypt.
    if doc.is_encrypted() || doc.was_encrypted() {
        return Err(Error::Encrypted);
    }
    // The update's /Prev must point at the original's last cross-reference section
    // (a table or a stream object); lopdf can read a damaged file by rebuilding it,
    // but an update cannot chain to a section that is not there.
    let prev_section = pdf.get(doc.xref_start..).unwrap_or_default();
    if !(prev_section.starts_with(b"xref") || prev_section.first().is_some_and(u8::is_ascii_digit))
    {
        return Err(Error::Pdf(
            "startxref does not point at a cross-reference section".into(),
        ));
    }
    Ok(doc)
}

/// What the incremental update writes besides the signature dictionary.
struct Update {
    /// The catalog, for the trailer.
    root_id: ObjectId,
    /// The signature dictionary, written after [`Self::objects`].
    sig_id: ObjectId,
    /// The trailer's `/Size`.
    new_size: u32,
    /// Objects to write, in order: the AcroForm (or the catalog holding it),
    /// the page, the widget and, with a stamp, its appearance and font.
    objects: Vec<(ObjectId, Object)>,
}

/// Object numbers of the update: the widget (merged with its field), the
/// signature dictionary and, with a stamp, its appearance stream and the
/// font it uses.
#[derive(Clone, Copy)]
struct NewIds {
    widget: ObjectId,
    sig: ObjectId,
    appearance: ObjectId,
    font: ObjectId,
}

/// Decides the update's objects: the field registered in the AcroForm, the
/// widget added to the signed page's `/Annots`, and the widget itself.
fn plan_update(doc: &Document, opts: &PrepareOptions<'_>) -> Result<Update, Error> {
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| Error::Pdf("the trailer has no /Root".into()))?;
    let catalog = dict(doc, root_id)?.clone();
    let page_id = signed_page(doc, opts)?;
    let mut page = dict(doc, page_id)?.clone();

    let size = next_object_number(doc);
    let ids = NewIds {
        widget: (size, 0),
        sig: (size + 1, 0),
        appearance: (size + 2, 0),
        font: (size + 3, 0),
    };
    let new_size = if opts.stamp.is_some() {
        size + 3 + crate::stamp::FONT_OBJECTS
    } else {
        size + 2
    };

    let field = register_field(doc, root_id, catalog, opts.field_name, ids.widget)?;
    // The widget on the page's /Annots (inline or referenced: written inline).
    let rect = opts.stamp.map(|_| stamp_rect(doc, page_id));
    let mut annots = array(doc, page.get(b"Annots").ok())?;
    annots.push(Object::Reference(ids.widget));
    page.set("Annots", Object::Array(annots));
    let mut objects = vec![field, (page_id, Object::Dictionary(page))];
    push_widget(&mut objects, opts, page_id, rect, ids)?;
    Ok(Update {
        root_id,
        sig_id: ids.sig,
        new_size,
        objects,
    })
}

/// The page that gets the widget: the first for an invisible signature; the
/// last for a stamp, where a reader looks for signatures.
fn signed_page(doc: &Document, opts: &PrepareOptions<'_>) -> Result<ObjectId, Error> {
    let pages = doc.get_pages();
    match opts.stamp {
        None => pages.values().next(),
        Some(_) => pages.values().next_back(),
    }
    .copied()
    .ok_or(Error::NoPages)
}

/// The first object number the update may use: the trailer's `/Size`, or
/// past the highest number in use if that is larger.
fn next_object_number(doc: &Document) -> u32 {
    doc.trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0)
        .max(doc.max_id + 1)
}

/// Adds the widget `widget_id` to the AcroForm's `/Fields` (refusing a field
/// already named `field_name`) and sets `/SigFlags`; the object to write is
/// the AcroForm when the catalog refers to it, else the catalog holding it.
fn register_field(
    doc: &Document,
    root_id: ObjectId,
    mut catalog: Dictionary,
    field_name: &str,
    widget_id: ObjectId,
) -> Result<(ObjectId, Object), Error> {
    // The AcroForm: in the catalog, referenced from it, or new.
    let acro_form_ref = catalog
        .get(b"AcroForm")
        .ok()
        .and_then(|o| o.as_reference().ok());
    let mut acro_form = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => dict(doc, *id)?.clone(),
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    let mut fields = array(doc, acro_form.get(b"Fields").ok())?;
    for field in &fields {
        let name = field
            .as_reference()
            .ok()
            .and_then(|id| doc.get_dictionary(id).ok())
            .and_then(|d| d.get(b"T").ok())
            .and_then(|t| lopdf::decode_text_string(t).ok());
        if name.as_deref() == Some(field_name) {
            return Err(Error::FieldNameTaken(field_name.to_owned()));
        }
    }
    fields.push(Object::Reference(widget_id));
    acro_form.set("Fields", Object::Array(fields));
    // SignaturesExist | AppendOnly: viewers must keep later changes incremental.
    acro_form.set("SigFlags", Object::Integer(3));
    Ok(match acro_form_ref {
        Some(id) => (id, Object::Dictionary(acro_form)),
        None => {
            catalog.set("AcroForm", Object::Dictionary(acro_form));
            (root_id, Object::Dictionary(catalog))
        }
    })
}

/// Appends the signature widget on `page_id` to `objects`: with a stamp, a
/// printable one at `rect` followed by its appearance stream and font;
/// without, an invisible one.
fn push_widget(
    objects: &mut Vec<(ObjectId, Object)>,
    opts: &PrepareOptions<'_>,
    page_id: ObjectId,
    rect: Option<[f32; 4]>,
    ids: NewIds,
) -> Result<(), Error> {
    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set("T", text(opts.field_name));
    widget.set("V", Object::Reference(ids.sig));
    widget.set("P", Object::Reference(page_id));
    match (opts.stamp, rect) {
        (Some(stamp), Some([x0, y0, x1, y1])) => {
            // Print: shown on screen and printed.
            widget.set("F", Object::Integer(4));
            widget.set(
                "Rect",
                Object::Array([x0, y0, x1, y1].map(Object::Real).to_vec()),
            );
            let mut ap = Dictionary::new();
            ap.set("N", Object::Reference(ids.appearance));
            widget.set("AP", Object::Dictionary(ap));
            objects.push((ids.widget, Object::Dictionary(widget)));
            let (width, height) = (x1 - x0, y1 - y0);
            let (content, encoding) = crate::stamp::content(&stamp, width, height)?;
            objects.push((ids.appearance, appearance(content, width, height, ids.font)));
            objects.extend(crate::stamp::font_objects(&encoding, ids.font.0)?);
        }
        _ => {
            // Print | Locked: invisible (zero rectangle) yet printed as PDF/A requires.
            widget.set("F", Object::Integer(132));
            widget.set(
                "Rect",
                Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
            );
            objects.push((ids.widget, Object::Dictionary(widget)));
        }
    }
    Ok(())
}

/// Where the signature dictionary's placeholders stand in the update.
struct Placeholder {
    /// The first byte of the blank `/ByteRange` value.
    byte_range_at: usize,
    /// Its length in bytes.
    byte_range_len: usize,
    /// The `<` of the zero-filled `/Contents`.
    contents_at: usize,
    /// Just past its `>`.
    contents_end: usize,
}

/// Appends the signature dictionary `sig_id`: a blank `/ByteRange`, a
/// zero-filled `/Contents` of room for the CMS, the signing time, the
/// signer's name and any reason and location.
fn write_signature(
    out: &mut Vec<u8>,
    sig_id: ObjectId,
    opts: &PrepareOptions<'_>,
) -> Result<Placeholder, Error> {
    let _ = write!(
        out,
        "{} {} obj\n<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n",
        sig_id.0, sig_id.1
    );
    let byte_range_at = out.len() + BYTE_RANGE_KEY.len();
    out.extend_from_slice(BYTE_RANGE_KEY);
    let byte_range_len = "[0 ]".len() + 3 * BYTE_RANGE_DIGITS + 2;
    out.extend(std::iter::repeat_n(b' ', byte_range_len));
    out.extend_from_slice(b"\n/Contents ");
    let contents_at = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', 2 * opts.signature_size_bytes));
    out.push(b'>');
    let contents_end = out.len();
    out.extend_from_slice(b"\n/M ");
    write_plain(out, &Object::string_literal(pdf_date(opts.signing_time)))?;
    out.extend_from_slice(b"\n/Name ");
    write_plain(out, &text(opts.signer_name))?;
    if let Some(reason) = opts.reason {
        out.extend_from_slice(b"\n/Reason ");
        write_plain(out, &text(reason))?;
    }
    if let Some(location) = opts.location {
        out.extend_from_slice(b"\n/Location ");
        write_plain(out, &text(location))?;
    }
    out.extend_from_slice(b"\n>>\nendobj\n");
    Ok(Placeholder {
        byte_range_at,
        byte_range_len,
        contents_at,
        contents_end,
    })
}

impl Placeholder {
    /// Writes the final `/ByteRange` of the finished update `out` into its
    /// blank and digests the bytes it covers.
    fn fill(self, mut out: Vec<u8>) -> Result<Prepared, Error> {
        let byte_range = [
            0,
            self.contents_at,
            self.contents_end,
            out.len() - self.contents_end,
        ];
        let numbers = format!("[0 {} {} {}]", byte_range[1], byte_range[2], byte_range[3]);
        if numbers.len() > self.byte_range_len {
            return Err(Error::Options("the PDF is too large to sign"));
        }
        let at = self.byte_range_at;
        out[at..at + numbers.len()].copy_from_slice(numbers.as_bytes());
        let digest = digest(&out, byte_range);
        Ok(Prepared {
            bytes: out,
            byte_range,
            digest,
        })
    }
}

/// Appends a classic cross-reference section for the objects at `offsets`
/// (sorted here by number), one subsection per run of numbers.
fn write_xref(out: &mut Vec<u8>, offsets: &mut [(ObjectId, usize)]) {
    offsets.sort_by_key(|(id, _)| id.0);
    out.extend_from_slice(b"xref\n");
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i + 1;
        while j < offsets.len() && offsets[j].0.0 == offsets[j - 1].0.0 + 1 {
            j += 1;
        }
        let _ = writeln!(out, "{} {}", offsets[i].0.0, j - i);
        for ((_, generation), offset) in &offsets[i..j] {
            let _ = write!(out, "{offset:010} {generation:05} n\r\n");
        }
        i = j;
    }
}

/// Appends the update's trailer (`/Size`, `/Root`, the original's `/Info`
/// and `/ID`, `/Prev` to the original's section) and `startxref` pointing
/// at `xref_at`.
fn write_trailer(
    out: &mut Vec<u8>,
    doc: &Document,
    update: &Update,
    xref_at: usize,
) -> Result<(), Error> {
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(update.new_size)));
    trailer.set("Root", Object::Reference(update.root_id));
    for key in [b"Info".as_slice(), b"ID"] {
        if let Ok(value) = doc.trailer.get(key) {
            trailer.set(key, value.clone());
        }
    }
    trailer.set("Prev", Object::Integer(doc.xref_start as i64));
    out.extend_from_slice(b"trailer\n");
    write_plain(out, &Object::Dictionary(trailer))?;
    let _ = write!(out, "\nstartxref\n{xref_at}\n%%EOF\n");
    Ok(())
}

/// The stamp's rectangle: [`crate::stamp::WIDTH`] × [`crate::stamp::HEIGHT`] at
/// [`crate::stamp::MARGIN`] from the left and bottom of the visible area (crop box
/// within media box), smaller on a page too small for it.
fn stamp_rect(doc: &Document, page_id: ObjectId) -> [f32; 4] {
    use crate::stamp::{HEIGHT, MARGIN, WIDTH};
    // A4 when the page tree names no size, which a valid PDF always does.
    let media = inherited_box(doc, page_id, b"MediaBox").unwrap_or([0.0, 0.0, 595.28, 841.89]);
    let [x0, y0, x1, y1] = match inherited_box(doc, page_id, b"CropBox") {
        Some(crop) => [
            crop[0].max(media[0]),
            crop[1].max(media[1]),
            crop[2].min(media[2]),
            crop[3].min(media[3]),
        ],
        None => media,
    };
    let (room_x, room_y) = ((x1 - x0).max(0.0), (y1 - y0).max(0.0));
    let (width, height) = (WIDTH.min(room_x * 0.9), HEIGHT.min(room_y * 0.9));
    let x = x0 + MARGIN.min((room_x - width) / 2.0);
    let y = y0 + MARGIN.min((room_y - height) / 2.0);
    [x, y, x + width, y + height]
}

/// A page box (`MediaBox`, `CropBox`), from the page or the nearest ancestor that
/// has it, normalised to lower-left and upper-right corners.
fn inherited_box(doc: &Document, page_id: ObjectId, key: &[u8]) -> Option<[f32; 4]> {
    let mut node = doc.get_dictionary(page_id).ok()?;
    // The page tree's depth is bounded, a cycle of /Parent links is not.
    for _ in 0..32 {
        if let Ok(object) = node.get(key) {
            let (_, object) = doc.dereference(object).ok()?;
            let numbers: Vec<f32> = object
                .as_array()
                .ok()?
                .iter()
                .map(|n| match doc.dereference(n).map(|(_, n)| n) {
                    Ok(Object::Integer(i)) => Some(*i as f32),
                    Ok(Object::Real(r)) => Some(*r),
                    _ => None,
                })
                .collect::<Option<_>>()?;
            let &[a, b, c, d] = numbers.as_slice() else {
                return None;
            };
            return Some([a.min(c), b.min(d), a.max(c), b.max(d)]);
        }
        node = node
            .get(b"Parent")
            .and_then(Object::as_reference)
            .and_then(|id| doc.get_dictionary(id))
            .ok()?;
    }
    None
}

/// The stamp's appearance: a form XObject drawing `content` with the embedded font.
fn appearance(content: Vec<u8>, width: f32, height: f32, font_id: ObjectId) -> Object {
    let mut fonts = Dictionary::new();
    fonts.set(crate::stamp::FONT, Object::Reference(font_id));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let mut form = Dictionary::new();
    form.set("Type", Object::Name(b"XObject".to_vec()));
    form.set("Subtype", Object::Name(b"Form".to_vec()));
    form.set(
        "BBox",
        Object::Array(vec![0.into(), 0.into(), width.into(), height.into()]),
    );
    form.set("Resources", Object::Dictionary(resources));
    Object::Stream(lopdf::Stream::new(form, content))
}

fn dict(doc: &Document, id: ObjectId) -> Result<&Dictionary, Error> {
    doc.get_dictionary(id)
        .map_err(|e| Error::Pdf(format!("object {} {}: {e}", id.0, id.1)))
}

/// An array given inline or by reference (written back inline), or none.
fn array(doc: &Document, object: Option<&Object>) -> Result<Vec<Object>, Error> {
    match object {
        Some(Object::Reference(id)) => doc
            .get_object(*id)
            .and_then(Object::as_array)
            .cloned()
            .map_err(|e| Error::Pdf(format!("object {} {}: {e}", id.0, id.1))),
        Some(Object::Array(a)) => Ok(a.clone()),
        _ => Ok(Vec::new()),
    }
}

fn write_object(out: &mut Vec<u8>, id: ObjectId, object: &Object) -> Result<(), Error> {
    let _ = writeln!(out, "{} {} obj", id.0, id.1);
    write_plain(out, object)?;
    out.extend_from_slice(b"\nendobj\n");
    Ok(())
}

fn write_plain(out: &mut Vec<u8>, object: &Object) -> Result<(), Error> {
    Writer::write_object(out, object).map_err(|e| Error::Pdf(e.to_string()))
}

/// A text string: PDFDocEncoding-safe ASCII as is, anything else as UTF-16BE.
fn text(s: &str) -> Object {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::string_literal(s)
    } else {
        let mut bytes = vec![0xfe, 0xff];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, lopdf::StringFormat::Hexadecimal)
    }
}

fn pdf_date(time: DateTime<Utc>) -> String {
    time.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

fn digest(bytes: &[u8], [_, a, b, c]: [usize; 4]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(&bytes[..a]);
    hasher.update(&bytes[b..b + c]);
    hasher.finalize().into()
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
