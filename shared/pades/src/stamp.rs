//! The visible stamp's appearance: a QR code of the verification URL and lines of
//! text beside it, drawn in Helvetica (one of the standard fonts every viewer has,
//! so nothing is embedded) with WinAnsiEncoding.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

use crate::{Error, Stamp};

/// Points in a millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;
/// The stamp's size and its distance from the page's left and bottom edges.
pub(crate) const WIDTH: f32 = 60.0 * MM;
pub(crate) const HEIGHT: f32 = 25.0 * MM;
pub(crate) const MARGIN: f32 = 15.0 * MM;

/// Modules of white around the code, as the QR specification asks.
const QUIET_ZONE: usize = 4;
/// Largest font size of the text, in points, and the line height in font sizes.
const MAX_FONT_SIZE: f32 = 8.0;
const LEADING: f32 = 1.25;
/// Room between the text and the stamp's edges, in points.
const PADDING: f32 = 2.0;
/// The font's name in the appearance's resources.
pub(crate) const FONT: &str = "Helv";

/// The content stream of a `width` × `height` appearance: a white background, the
/// QR code as a square at the left, the text lines to its right, each line as large
/// as the longest one allows.
pub(crate) fn content(stamp: &Stamp<'_>, width: f32, height: f32) -> Result<Vec<u8>, Error> {
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

    let lines: Vec<Vec<u8>> = stamp.lines.iter().map(|l| win_ansi(l)).collect();
    let text_x = side;
    let room = width - text_x - PADDING;
    let widest = lines.iter().map(|l| text_width(l)).max().unwrap_or(0);
    if lines.is_empty() || room <= 0.0 {
        return Ok(out.into_bytes());
    }
    let by_height = (height - 2.0 * PADDING) / (lines.len() as f32 * LEADING);
    let by_width = if widest == 0 {
        MAX_FONT_SIZE
    } else {
        room * 1000.0 / widest as f32
    };
    let size = MAX_FONT_SIZE.min(by_height).min(by_width);
    let block = lines.len() as f32 * size * LEADING;
    // The first baseline: the block centred vertically.
    let top = (height + block) / 2.0 - size;
    let mut bytes = out.into_bytes();
    write_str(
        &mut bytes,
        &format!(
            "BT /{FONT} {} Tf {} TL {} {} Td\n",
            num(size),
            num(size * LEADING),
            num(text_x),
            num(top)
        ),
    );
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            bytes.extend_from_slice(b"T* ");
        }
        literal(&mut bytes, line);
        bytes.extend_from_slice(b" Tj\n");
    }
    bytes.extend_from_slice(b"ET\n");
    Ok(bytes)
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
}

/// A number with at most three decimals, as PDF content streams take them.
pub(crate) fn num(value: f32) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// `text` in WinAnsiEncoding. Romanian letters lose their diacritics (ș ț ă â î to
/// s t a a i: â and î too, so a word is never half stripped), other characters
/// outside WinAnsi become '?', control characters a space.
pub(crate) fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'ș' | 'ş' => b's',
            'Ș' | 'Ş' => b'S',
            'ț' | 'ţ' => b't',
            'Ț' | 'Ţ' => b'T',
            'ă' | 'â' => b'a',
            'Ă' | 'Â' => b'A',
            'î' => b'i',
            'Î' => b'I',
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => u8::try_from(u32::from(c)).unwrap_or(b'?'),
            c if c.is_control() => b' ',
            c => windows_1252_high(c).unwrap_or(b'?'),
        })
        .collect()
}

/// The characters WinAnsiEncoding puts at 0x80 to 0x9f.
fn windows_1252_high(c: char) -> Option<u8> {
    const TABLE: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8a),
        ('‹', 0x8b),
        ('Œ', 0x8c),
        ('Ž', 0x8e),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9a),
        ('›', 0x9b),
        ('œ', 0x9c),
        ('ž', 0x9e),
        ('Ÿ', 0x9f),
    ];
    TABLE.iter().find(|(k, _)| *k == c).map(|&(_, b)| b)
}

/// A PDF literal string: parentheses and backslashes escaped, anything outside
/// printable ASCII as an octal escape, so the content stream stays ASCII.
fn literal(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b')');
}

/// Width of a WinAnsi line in Helvetica, in thousandths of the font size.
fn text_width(line: &[u8]) -> u32 {
    line.iter().map(|&b| u32::from(helvetica_width(b))).sum()
}

/// Helvetica's advance widths (Adobe's AFM) for printable ASCII; the widest
/// letter's width (1000, as Æ and Œ) beyond, so long lines shrink rather than spill.
fn helvetica_width(byte: u8) -> u16 {
    const ASCII: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
        278, // ' '..'/'
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
        556, // '0'..'?'
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
        778, // '@'..'O'
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
        556, // 'P'..'_'
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
        556, // '`'..'o'
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 'p'..'~'
    ];
    match byte {
        0x20..=0x7e => ASCII[usize::from(byte - 0x20)],
        _ => 1000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romanian_and_other_text_in_win_ansi() {
        let cases: [(&str, &[u8]); 6] = [
            ("Semnat de Alin Tise", b"Semnat de Alin Tise"),
            ("Ștefan Țăranu, Brâncuși", b"Stefan Taranu, Brancusi"),
            ("Înșelăciune îți ŞŢ", b"Inselaciune iti ST"),
            ("café – 5 €", b"caf\xe9 \x96 5 \x80"),
            ("Łódź 漢", b"?\xf3d? ?"),
            ("a\tb", b"a b"),
        ];
        for (text, expected) in cases {
            assert_eq!(win_ansi(text), expected, "{text}");
        }
    }

    #[test]
    fn literal_strings_escape_what_pdf_syntax_needs() {
        let mut out = Vec::new();
        literal(&mut out, b"a(b)c\\d\xe9\n");
        assert_eq!(out, b"(a\\(b\\)c\\\\d\\351\\012)");
    }

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        for (value, text) in [(1.0, "1"), (2.5, "2.5"), (0.12345, "0.123"), (-0.0001, "0")] {
            assert_eq!(num(value), text);
        }
    }
}
