//! The visible stamp's appearance: a QR code of the verification URL and lines of
//! text beside it, drawn in the embedded DejaVu Sans (`ghiseu-font`, subset to the
//! characters the stamp uses, with a ToUnicode map), so Romanian and Hungarian
//! diacritics are drawn and extracted as written, at no less than [`MIN_FONT_SIZE`].
//! A line wider than the room is wrapped at spaces (a word wider than the room,
//! such as a long link, at any character).

use std::fmt::Write as _;

use ghiseu_font::{Encoding, Font};
use lopdf::{Dictionary, Object, ObjectId};
use qrcode::{Color, EcLevel, QrCode};

use crate::{Error, Stamp};

/// Points in a millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;
/// The stamp's size and its distance from the page's left and bottom edges.
pub(crate) const WIDTH: f32 = 90.0 * MM;
pub(crate) const HEIGHT: f32 = 30.0 * MM;
pub(crate) const MARGIN: f32 = 15.0 * MM;

/// Modules of white around the code, as the QR specification asks.
const QUIET_ZONE: usize = 4;
/// Largest and smallest font size of the text, in points, and the line height in
/// font sizes. Below 7 pt a printed stamp is hard to read.
const MAX_FONT_SIZE: f32 = 8.0;
/// The smallest size the text is drawn at.
pub const MIN_FONT_SIZE: f32 = 7.0;
const LEADING: f32 = 1.2;
/// Room between the text and the stamp's edges, in points.
const PADDING: f32 = 2.0;
/// The font's name in the appearance's resources.
pub(crate) const FONT: &str = "F1";

/// The objects the stamp's font takes: the Type 0 font (named by the appearance),
/// its CID font, descriptor, font program, CID-to-GID map and ToUnicode map.
pub(crate) const FONT_OBJECTS: u32 = 6;

/// The content stream of a `width` × `height` appearance: a white background, the
/// QR code as a square at the left, the text lines to its right; and the
/// characters the text uses, for the font's objects ([`font_objects`]).
pub(crate) fn content(
    stamp: &Stamp<'_>,
    width: f32,
    height: f32,
) -> Result<(Vec<u8>, Encoding), Error> {
    let code = QrCode::with_error_correction_level(stamp.verify_url, EcLevel::M)
        .map_err(|_| Error::Options("the verification URL does not fit in a QR code"))?;
    let modules = code.width();
    let side = height.min(width);
    let module = side / (modules + 2 * QUIET_ZONE) as f32;
    let mut out = String::new();
    let _ = writeln!(out, "q 1 g 0 0 {} {} re f 0 g", num(width), num(height));
    // Runs of dark modules in a row become one rectangle.
    let colors = code.to_colors();
    for (row, line) in colors.chunks(modules).enumerate() {
        let y = height - (row + QUIET_ZONE + 1) as f32 * module;
        let mut column = 0;
        while column < modules {
            if line[column] == Color::Light {
                column += 1;
                continue;
            }
            let start = column;
            while column < modules && line[column] == Color::Dark {
                column += 1;
            }
            let x = (start + QUIET_ZONE) as f32 * module;
            let run = (column - start) as f32 * module;
            let _ = writeln!(out, "{} {} {} {} re", num(x), num(y), num(run), num(module));
        }
    }
    out.push_str("f Q\n");

    let font = Font::embedded();
    let mut encoding = Encoding::default();
    let text_x = side;
    let room = width - text_x - PADDING;
    if stamp.lines.is_empty() {
        return Ok((out.into_bytes(), encoding));
    }
    let (size, lines) = fit(&font, stamp.lines, room, height - 2.0 * PADDING)?;
    let block = lines.len() as f32 * size * LEADING;
    // The first baseline: the block centred vertically.
    let top = (height + block) / 2.0 - size;
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(
        format!(
            "BT /{FONT} {} Tf {} TL {} {} Td\n",
            num(size),
            num(size * LEADING),
            num(text_x),
            num(top)
        )
        .as_bytes(),
    );
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            bytes.extend_from_slice(b"T* ");
        }
        hex_string(&mut bytes, &encoding.encode(&font, line));
        bytes.extend_from_slice(b" Tj\n");
    }
    bytes.extend_from_slice(b"ET\n");
    Ok((bytes, encoding))
}

/// The largest size from [`MAX_FONT_SIZE`] down to [`MIN_FONT_SIZE`] (by half
/// points) at which `lines`, wrapped to `room` points, fit in `height`; and the
/// wrapped lines.
fn fit(font: &Font, lines: &[&str], room: f32, height: f32) -> Result<(f32, Vec<String>), Error> {
    if room <= 0.0 {
        return Err(Error::Options("the page has no room for the stamp's text"));
    }
    let mut size = MAX_FONT_SIZE;
    loop {
        let wrapped: Vec<String> = lines
            .iter()
            .flat_map(|l| wrap(font, l, room, size))
            .collect();
        if wrapped.len() as f32 * size * LEADING <= height {
            return Ok((size, wrapped));
        }
        if size <= MIN_FONT_SIZE {
            return Err(Error::Options(
                "the stamp's text does not fit at the smallest legible size",
            ));
        }
        size = (size - 0.5).max(MIN_FONT_SIZE);
    }
}

/// `line` broken into lines no wider than `room` at `size`: at spaces, and a
/// word wider than the room at any character.
fn wrap(font: &Font, line: &str, room: f32, size: f32) -> Vec<String> {
    let fits = |s: &str| font.width(s, size) <= room;
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if fits(&candidate) {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        // The word alone: split where it overflows.
        for c in word.chars() {
            current.push(c);
            if !fits(&current) && current.chars().count() > 1 {
                current.pop();
                out.push(std::mem::replace(&mut current, c.to_string()));
            }
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

/// The font's objects for the characters `encoding` holds, at ids `first`,
/// `first + 1`, ... ([`FONT_OBJECTS`] of them); the first is the Type 0 font.
pub(crate) fn font_objects(
    encoding: &Encoding,
    first: u32,
) -> Result<Vec<(ObjectId, Object)>, Error> {
    let font = Font::embedded();
    let id = |i: u32| (first + i, 0);
    let (program, cid_to_gid) = ghiseu_font::subset(&font, encoding)
        .map_err(|_| Error::Options("the stamp's font could not be subset"))?;
    let base = format!(
        "{}+{}",
        ghiseu_font::subset_tag(&cid_to_gid),
        ghiseu_font::FAMILY
    );
    let name = |s: &str| Object::Name(s.as_bytes().to_vec());

    let mut type0 = Dictionary::new();
    type0.set("Type", name("Font"));
    type0.set("Subtype", name("Type0"));
    type0.set("BaseFont", name(&base));
    type0.set("Encoding", name("Identity-H"));
    type0.set(
        "DescendantFonts",
        Object::Array(vec![Object::Reference(id(1))]),
    );
    type0.set("ToUnicode", Object::Reference(id(5)));

    let mut system = Dictionary::new();
    system.set("Registry", Object::string_literal("Adobe"));
    system.set("Ordering", Object::string_literal("Identity"));
    system.set("Supplement", Object::Integer(0));
    let mut cid = Dictionary::new();
    cid.set("Type", name("Font"));
    cid.set("Subtype", name("CIDFontType2"));
    cid.set("BaseFont", name(&base));
    cid.set("CIDSystemInfo", Object::Dictionary(system));
    cid.set("FontDescriptor", Object::Reference(id(2)));
    cid.set("CIDToGIDMap", Object::Reference(id(4)));
    let widths = encoding
        .widths(&font)
        .into_iter()
        .map(|w| Object::Real(w.round()))
        .collect();
    cid.set(
        "W",
        Object::Array(vec![Object::Integer(1), Object::Array(widths)]),
    );

    let face = font.face();
    let em = |units: i16| Object::Real(font.to_thousandths(f32::from(units)).round());
    let bbox = face.global_bounding_box();
    let mut descriptor = Dictionary::new();
    descriptor.set("Type", name("FontDescriptor"));
    descriptor.set("FontName", name(&base));
    // Non-symbolic.
    descriptor.set("Flags", Object::Integer(32));
    descriptor.set(
        "FontBBox",
        Object::Array(vec![
            em(bbox.x_min),
            em(bbox.y_min),
            em(bbox.x_max),
            em(bbox.y_max),
        ]),
    );
    descriptor.set("ItalicAngle", Object::Integer(0));
    descriptor.set("Ascent", em(face.ascender()));
    descriptor.set("Descent", em(face.descender()));
    descriptor.set(
        "CapHeight",
        em(face.capital_height().unwrap_or(face.ascender())),
    );
    descriptor.set("StemV", Object::Integer(80));
    descriptor.set("FontFile2", Object::Reference(id(3)));

    let mut file = Dictionary::new();
    file.set("Length1", Object::Integer(program.len() as i64));
    Ok(vec![
        (id(0), Object::Dictionary(type0)),
        (id(1), Object::Dictionary(cid)),
        (id(2), Object::Dictionary(descriptor)),
        (id(3), Object::Stream(lopdf::Stream::new(file, program))),
        (
            id(4),
            Object::Stream(lopdf::Stream::new(Dictionary::new(), cid_to_gid)),
        ),
        (
            id(5),
            Object::Stream(lopdf::Stream::new(
                Dictionary::new(),
                encoding.to_unicode_cmap(),
            )),
        ),
    ])
}

/// A number with at most three decimals, as PDF content streams take them
/// (written without float formatting, which is most of a stamp's cost).
pub(crate) fn num(value: f32) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let thousandths = (f64::from(value) * 1000.0).round() as i64;
    let sign = if thousandths < 0 { "-" } else { "" };
    let abs = thousandths.unsigned_abs();
    let (whole, fraction) = (abs / 1000, abs % 1000);
    if abs == 0 {
        "0".into()
    } else if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{fraction:03}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// Two-byte codes as a PDF hexadecimal string.
fn hex_string(out: &mut Vec<u8>, codes: &[u8]) {
    out.push(b'<');
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in codes {
        out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
    }
    out.push(b'>');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_and_long_words_anywhere() {
        let font = Font::embedded();
        let room = font.width("Semnat electronic de", 7.0) + 0.1;
        let lines = wrap(
            &font,
            "Semnat electronic de Președintele Consiliului",
            room,
            7.0,
        );
        assert_eq!(lines[0], "Semnat electronic de");
        assert!(
            lines.iter().all(|l| font.width(l, 7.0) <= room),
            "{lines:?}"
        );
        assert_eq!(
            lines.join(" "),
            "Semnat electronic de Președintele Consiliului"
        );
        let link = "https://exemplu.ro/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let parts = wrap(&font, link, room, 7.0);
        assert!(parts.len() > 1, "{parts:?}");
        assert_eq!(parts.concat(), link);
        assert!(
            parts.iter().all(|l| font.width(l, 7.0) <= room),
            "{parts:?}"
        );
    }

    #[test]
    fn text_shrinks_to_seven_points_and_no_further() {
        let font = Font::embedded();
        let lines = ["a"; 5];
        let (size, _) = fit(&font, &lines, 100.0, 5.0 * 8.0 * LEADING).unwrap();
        assert_eq!(size, MAX_FONT_SIZE);
        let (size, _) = fit(&font, &lines, 100.0, 5.0 * 7.2 * LEADING).unwrap();
        assert_eq!(size, MIN_FONT_SIZE);
        assert!(fit(&font, &lines, 100.0, 5.0 * 6.9 * LEADING).is_err());
    }

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        for (value, text) in [
            (1.0, "1"),
            (2.5, "2.5"),
            (0.12345, "0.123"),
            (-0.0001, "0"),
            (-1.25, "-1.25"),
            (255.1, "255.1"),
            (0.0005, "0.001"),
        ] {
            assert_eq!(num(value), text);
        }
    }
}
