//! What an SMS costs: its encoding and the number of segments it travels in
//! (3GPP TS 23.038 and 23.040), and fitting a text into a budget of segments.
//!
//! A text whose every character is in the GSM 7-bit default alphabet travels
//! as GSM-7: 160 septets in a single message, 153 in each part of a
//! concatenated one; a character of the extension table (`{ } [ ] ~ \ | ^ €`
//! and form feed) takes two septets, and an escape pair is never split
//! between parts. Any other character (Romanian `ă â î ș ț`, Hungarian
//! `á í ó ő ú ű`, typographic quotes) makes the whole text UCS-2: 70 UTF-16
//! units in a single message, 67 in each part, a surrogate pair never split.
//!
//! [`fit`] keeps a message within its budget: the full text if it fits; else
//! the same words in GSM-7 letters (`ș` → `s`, `ő` → `ö`, as Romanian and
//! Hungarian SMS are commonly written), which more than doubles the room;
//! else the long values (a title, a name) shortened, each with an ellipsis
//! and never below its floor.

use std::borrow::Cow;

/// How an SMS is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The GSM 7-bit default alphabet (with its extension table).
    Gsm7,
    /// UCS-2 (UTF-16 units).
    Ucs2,
}

/// The basic GSM 7-bit alphabet (one septet each; escape excluded).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                          ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table (two septets each: escape and the character).
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets `c` takes in GSM-7, or `None` when it is not in the alphabet.
fn septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding `text` travels in.
#[must_use]
pub fn encoding(text: &str) -> Encoding {
    if text.chars().all(|c| septets(c).is_some()) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}

/// Parts needed for `units` (the size of each character) when one message
/// holds `single` and each part of a concatenated one `part`; a character
/// is never split between parts.
fn parts(units: impl Iterator<Item = usize> + Clone, single: usize, part: usize) -> usize {
    if units.clone().sum::<usize>() <= single {
        return 1;
    }
    let (mut count, mut used) = (1, 0);
    for u in units {
        if used + u > part {
            count += 1;
            used = 0;
        }
        used += u;
    }
    count
}

/// The encoding of `text` and the segments it travels in (an empty text is
/// one segment).
#[must_use]
pub fn segments(text: &str) -> (Encoding, usize) {
    match encoding(text) {
        Encoding::Gsm7 => (
            Encoding::Gsm7,
            parts(text.chars().map(|c| septets(c).unwrap_or(2)), 160, 153),
        ),
        Encoding::Ucs2 => (
            Encoding::Ucs2,
            parts(text.chars().map(char::len_utf16), 70, 67),
        ),
    }
}

/// `text` in GSM-7 letters: Romanian and Hungarian diacritics lose their
/// marks (`ő` → `ö`, `ű` → `ü`, which GSM-7 has), typographic quotes and
/// dashes become plain ones, and any other character outside the alphabet
/// becomes `?`.
#[must_use]
pub fn to_gsm7(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let plain = match c {
            'ă' | 'â' | 'á' => "a",
            'Ă' | 'Â' | 'Á' => "A",
            'î' | 'í' => "i",
            'Î' | 'Í' => "I",
            'ș' | 'ş' => "s",
            'Ș' | 'Ş' => "S",
            'ț' | 'ţ' => "t",
            'Ț' | 'Ţ' => "T",
            'ó' => "o",
            'Ó' => "O",
            'ő' => "ö",
            'Ő' => "Ö",
            'ú' => "u",
            'Ú' => "U",
            'ű' => "ü",
            'Ű' => "Ü",
            '„' | '”' | '“' | '«' | '»' => "\"",
            '‘' | '’' => "'",
            '–' | '—' => "-",
            '…' => "...",
            '\u{a0}' => " ",
            '¹' => "1",
            '²' => "2",
            '³' => "3",
            c if septets(c).is_some() => {
                out.push(c);
                continue;
            }
            _ => "?",
        };
        out.push_str(plain);
    }
    out
}

/// A value of a message that may be shortened to fit, down to `floor`
/// characters (the ellipsis included).
#[derive(Debug, Clone, Copy)]
pub struct Value<'a> {
    /// The value in full.
    pub text: &'a str,
    /// The fewest characters it may be shortened to.
    pub floor: usize,
}

impl<'a> Value<'a> {
    /// A value that is never shortened (a code, a number, a link).
    #[must_use]
    pub fn fixed(text: &'a str) -> Self {
        Self {
            text,
            floor: usize::MAX,
        }
    }

    /// A value that may be shortened down to `floor` characters.
    #[must_use]
    pub fn shortened_to(text: &'a str, floor: usize) -> Self {
        Self { text, floor }
    }
}

/// `text` cut to at most `max` characters, ending with `ellipsis`, at a
/// word's end when one is near.
fn shorten(text: &str, max: usize, ellipsis: &str) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let keep = max.saturating_sub(ellipsis.chars().count()).max(1);
    let cut: String = text.chars().take(keep).collect();
    let at_word = match cut.rfind(' ') {
        Some(space) if cut[..space].chars().count() * 4 >= keep * 3 => &cut[..space],
        _ => cut.as_str(),
    };
    let trimmed = at_word.trim_end_matches([' ', ',', ';', ':', '.', '-', '(']);
    format!("{trimmed}{ellipsis}")
}

/// The text `render` makes of `values` within `max_segments` SMS segments:
/// as written if it fits; else in GSM-7 letters ([`to_gsm7`]); else with the
/// longest value that is above its floor shortened, again and again. When
/// every value is at its floor the text is returned as it is (its fixed
/// words are too long: a test of the template finds it).
pub fn fit(
    max_segments: usize,
    values: &[Value<'_>],
    render: impl Fn(&[Cow<'_, str>]) -> String,
) -> String {
    let mut current: Vec<Cow<'_, str>> = values.iter().map(|v| Cow::Borrowed(v.text)).collect();
    let full = render(&current);
    if segments(&full).1 <= max_segments {
        return full;
    }
    current = values.iter().map(|v| Cow::Owned(to_gsm7(v.text))).collect();
    loop {
        let text = to_gsm7(&render(&current));
        let (_, count) = segments(&text);
        if count <= max_segments {
            return text;
        }
        let longest = current
            .iter()
            .zip(values)
            .enumerate()
            .map(|(i, (c, v))| (i, c.chars().count(), v.floor))
            .filter(|(_, len, floor)| len > floor)
            .max_by_key(|(_, len, floor)| len - floor);
        let Some((i, len, floor)) = longest else {
            return text;
        };
        let shorter = shorten(&current[i], len.saturating_sub(1).max(floor), "...");
        if shorter.chars().count() >= len {
            return text;
        }
        current[i] = Cow::Owned(shorter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_table() {
        let a = |n: usize| "a".repeat(n);
        let s = |n: usize| "ș".repeat(n);
        let cases: Vec<(String, Encoding, usize)> = vec![
            (String::new(), Encoding::Gsm7, 1),
            (a(160), Encoding::Gsm7, 1),
            (a(161), Encoding::Gsm7, 2),
            (a(306), Encoding::Gsm7, 2),
            (a(307), Encoding::Gsm7, 3),
            // The extension table counts two septets.
            (format!("{}€", a(158)), Encoding::Gsm7, 1),
            (format!("{}€", a(159)), Encoding::Gsm7, 2),
            // An escape pair is not split: 152 + € does not fit in part one.
            (format!("{}€{}", a(152), a(153)), Encoding::Gsm7, 3),
            (format!("{}€{}", a(151), a(153)), Encoding::Gsm7, 2),
            ("Ärvíztűrő".to_owned(), Encoding::Ucs2, 1),
            ("Ärvízturö".to_owned(), Encoding::Ucs2, 1),
            ("Ärvizturö tükörfúrógép".to_owned(), Encoding::Ucs2, 1),
            ("Arvizturo tukorfurogep é ö ü".to_owned(), Encoding::Gsm7, 1),
            (s(70), Encoding::Ucs2, 1),
            (s(71), Encoding::Ucs2, 2),
            (s(134), Encoding::Ucs2, 2),
            (s(135), Encoding::Ucs2, 3),
            (format!("{}ă", a(69)), Encoding::Ucs2, 1),
            (format!("„{}”", a(68)), Encoding::Ucs2, 1),
            // A character outside the BMP is two units and not split.
            (format!("{}😀", a(68)), Encoding::Ucs2, 1),
            (format!("{}😀{}", a(66), a(66)), Encoding::Ucs2, 3),
            (format!("{}😀{}", a(65), a(65)), Encoding::Ucs2, 2),
        ];
        for (text, encoding, count) in cases {
            assert_eq!(segments(&text), (encoding, count), "{text}");
        }
    }

    #[test]
    fn gsm7_letters_keep_the_words() {
        assert_eq!(
            to_gsm7("Ghișeul „Țară” — Înregistrată…"),
            "Ghiseul \"Tara\" - Inregistrata..."
        );
        assert_eq!(
            to_gsm7("Településrendezési bizonyítvány, kérelmét, ő, ű"),
            "Településrendezési bizonyitvany, kérelmét, ö, ü"
        );
        assert_eq!(
            encoding(&to_gsm7("Árvíztűrő tükörfúrógép ✓")),
            Encoding::Gsm7
        );
    }

    #[test]
    fn fit_keeps_what_fits_and_shortens_the_longest_value_above_its_floor() {
        let render = |v: &[Cow<'_, str>]| format!("Cererea „{}” ({}): nr. {}", v[0], v[1], v[2]);
        let short = fit(
            2,
            &[
                Value::shortened_to("Petiție", 10),
                Value::shortened_to("Ana Pop", 8),
                Value::fixed("ALF-2026-000001"),
            ],
            render,
        );
        assert_eq!(short, "Cererea „Petiție” (Ana Pop): nr. ALF-2026-000001");
        // Too long in UCS-2, fits in GSM-7 letters.
        let title = "Autorizație de construire pentru o clădire de locuit și anexele ei";
        let text = fit(
            2,
            &[
                Value::shortened_to(title, 10),
                Value::shortened_to("Ana Cetățean", 8),
                Value::fixed("ALF-2026-000001"),
            ],
            |v| format!("{} {}", render(v), "ă".repeat(40)),
        );
        assert!(
            text.contains("Autorizatie de construire pentru o cladire de locuit si anexele ei")
        );
        assert_eq!(segments(&text), (Encoding::Gsm7, 1));
        // Too long even so: the longest value loses words, the number none.
        let long_name = "Maria-Magdalena Ionescu-Popescu ".repeat(8);
        let text = fit(
            2,
            &[
                Value::shortened_to(title, 20),
                Value::shortened_to(&long_name, 12),
                Value::fixed("ALF-2026-000001"),
            ],
            render,
        );
        assert!(segments(&text).1 <= 2, "{text}");
        assert!(text.contains("Autorizatie de construire pentru"), "{text}");
        assert!(
            text.contains("Maria-Magdalena") && text.contains("...)"),
            "{text}"
        );
        assert!(text.ends_with("nr. ALF-2026-000001"), "{text}");
        // Fixed words too long for the budget: returned as they are.
        let text = fit(1, &[Value::fixed("x")], |_| "b".repeat(400));
        assert_eq!(text.len(), 400);
    }

    #[test]
    fn shortening_prefers_a_words_end() {
        assert_eq!(
            shorten("Certificat de urbanism", 30, "…"),
            "Certificat de urbanism"
        );
        assert_eq!(shorten("Certificat de urbanism", 17, "…"), "Certificat de…");
        assert_eq!(shorten("Certificatdeurbanism", 10, "..."), "Certifi...");
    }
}
