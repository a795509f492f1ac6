//! The PDF side: reading the original with `lopdf`, writing the incremental update
//! (new objects, a classic cross-reference section, a trailer with `/Prev`) by hand
//! so that the offsets of `/ByteRange` and `/Contents` are known exactly.

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

pub(crate) fn prepare(pdf: &[u8], opts: &PrepareOptions<'_>) -> Result<Prepared, Error> {
    if opts.field_name.is_empty() {
        return Err(Error::Options("the field name is empty"));
    }
    if opts.field_name.contains('.') {
        return Err(Error::Options("a field name cannot contain '.'"));
    }
    if opts.signature_size_bytes == 0 || opts.signature_size_bytes > 1 << 20 {
        return Err(Error::Options("the signature size must be 1 byte to 1 MB"));
    }
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
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| Error::Pdf("the trailer has no /Root".into()))?;
    let mut catalog = dict(&doc, root_id)?.clone();
    let page_id = *doc.get_pages().values().next().ok_or(Error::NoPages)?;
    let mut page = dict(&doc, page_id)?.clone();

    // Object numbers of the update: the widget (merged with its field) and the
    // signature dictionary.
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0)
        .max(doc.max_id + 1);
    let widget_id: ObjectId = (size, 0);
    let sig_id: ObjectId = (size + 1, 0);
    let new_size = size + 2;

    // Objects to write, in order, besides the signature dictionary.
    let mut updated: Vec<(ObjectId, Object)> = Vec::new();

    // The AcroForm: in the catalog, referenced from it, or new.
    let acro_form_ref = catalog
        .get(b"AcroForm")
        .ok()
        .and_then(|o| o.as_reference().ok());
    let mut acro_form = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => dict(&doc, *id)?.clone(),
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    let mut fields = array(&doc, acro_form.get(b"Fields").ok())?;
    for field in &fields {
        let name = field
            .as_reference()
            .ok()
            .and_then(|id| doc.get_dictionary(id).ok())
            .and_then(|d| d.get(b"T").ok())
            .and_then(|t| lopdf::decode_text_string(t).ok());
        if name.as_deref() == Some(opts.field_name) {
            return Err(Error::FieldNameTaken(opts.field_name.to_owned()));
        }
    }
    fields.push(Object::Reference(widget_id));
    acro_form.set("Fields", Object::Array(fields));
    // SignaturesExist | AppendOnly: viewers must keep later changes incremental.
    acro_form.set("SigFlags", Object::Integer(3));
    match acro_form_ref {
        Some(id) => updated.push((id, Object::Dictionary(acro_form))),
        None => {
            catalog.set("AcroForm", Object::Dictionary(acro_form));
            updated.push((root_id, Object::Dictionary(catalog)));
        }
    }

    // The widget on the first page's /Annots (inline or referenced: written inline).
    let mut annots = array(&doc, page.get(b"Annots").ok())?;
    annots.push(Object::Reference(widget_id));
    page.set("Annots", Object::Array(annots));
    updated.push((page_id, Object::Dictionary(page)));

    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set("T", text(opts.field_name));
    widget.set("V", Object::Reference(sig_id));
    // Print | Locked: invisible (zero rectangle) yet printed as PDF/A requires.
    widget.set("F", Object::Integer(132));
    widget.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    widget.set("P", Object::Reference(page_id));
    updated.push((widget_id, Object::Dictionary(widget)));

    // Write the update.
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    for (id, object) in &updated {
        offsets.push((*id, out.len()));
        write_object(&mut out, *id, object)?;
    }

    offsets.push((sig_id, out.len()));
    let _ = write!(
        out,
        "{} {} obj\n<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n",
        sig_id.0, sig_id.1
    );
    let byte_range_at = out.len() + BYTE_RANGE_KEY.len();
    out.extend_from_slice(BYTE_RANGE_KEY);
    let placeholder_len = "[0 ]".len() + 3 * BYTE_RANGE_DIGITS + 2;
    out.extend(std::iter::repeat_n(b' ', placeholder_len));
    out.extend_from_slice(b"\n/Contents ");
    let contents_at = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', 2 * opts.signature_size_bytes));
    out.push(b'>');
    let contents_end = out.len();
    out.extend_from_slice(b"\n/M ");
    write_plain(
        &mut out,
        &Object::string_literal(pdf_date(opts.signing_time)),
    )?;
    out.extend_from_slice(b"\n/Name ");
    write_plain(&mut out, &text(opts.signer_name))?;
    if let Some(reason) = opts.reason {
        out.extend_from_slice(b"\n/Reason ");
        write_plain(&mut out, &text(reason))?;
    }
    if let Some(location) = opts.location {
        out.extend_from_slice(b"\n/Location ");
        write_plain(&mut out, &text(location))?;
    }
    out.extend_from_slice(b"\n>>\nendobj\n");

    // A classic cross-reference section, one subsection per run of numbers.
    let xref_at = out.len();
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
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(new_size)));
    trailer.set("Root", Object::Reference(root_id));
    for key in [b"Info".as_slice(), b"ID"] {
        if let Ok(value) = doc.trailer.get(key) {
            trailer.set(key, value.clone());
        }
    }
    trailer.set("Prev", Object::Integer(doc.xref_start as i64));
    out.extend_from_slice(b"trailer\n");
    write_plain(&mut out, &Object::Dictionary(trailer))?;
    let _ = write!(out, "\nstartxref\n{xref_at}\n%%EOF\n");

    let byte_range = [0, contents_at, contents_end, out.len() - contents_end];
    let numbers = format!("[0 {} {} {}]", byte_range[1], byte_range[2], byte_range[3]);
    if numbers.len() > placeholder_len {
        return Err(Error::Options("the PDF is too large to sign"));
    }
    out[byte_range_at..byte_range_at + numbers.len()].copy_from_slice(numbers.as_bytes());
    let digest = digest(&out, byte_range);
    Ok(Prepared {
        bytes: out,
        byte_range,
        digest,
    })
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
