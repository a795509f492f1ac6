//! A plain one-page letter as a PDF, for the seed's response documents (real
//! responses are drafted by officials and uploaded). Helvetica with
//! WinAnsiEncoding: Romanian letters outside it are written without their
//! diacritics.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// Folds `text` to what Helvetica's WinAnsi encoding can show.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'ă' | 'â' => b'a',
            'Ă' | 'Â' => b'A',
            'î' => b'i',
            'Î' => b'I',
            'ș' | 'ş' => b's',
            'Ș' | 'Ş' => b'S',
            'ț' | 'ţ' => b't',
            'Ț' | 'Ţ' => b'T',
            c if c.is_ascii() && !c.is_ascii_control() => c as u8,
            _ => b'?',
        })
        .collect()
}

/// Wraps `text` at `width` characters on spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// An A4 letter: `heading` lines in bold, then `body` wrapped.
pub fn render(heading: &[&str], body: &str) -> Vec<u8> {
    let (catalog, tree, page, content, bold, regular) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
        .parent(tree)
        .contents(content);
    {
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), bold);
        fonts.pair(Name(b"F2"), regular);
    }
    p.finish();
    for (id, name) in [(bold, "Helvetica-Bold"), (regular, "Helvetica")] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let mut c = Content::new();
    let mut y = 780.0;
    c.begin_text();
    for line in heading {
        c.set_font(Name(b"F1"), 13.0);
        c.set_text_matrix([1.0, 0.0, 0.0, 1.0, 56.0, y]);
        c.show(Str(&win_ansi(line)));
        y -= 20.0;
    }
    y -= 14.0;
    c.set_font(Name(b"F2"), 11.0);
    for line in wrap(body, 90) {
        c.set_text_matrix([1.0, 0.0, 0.0, 1.0, 56.0, y]);
        c.show(Str(&win_ansi(&line)));
        y -= 15.0;
        if y < 60.0 {
            break;
        }
    }
    c.end_text();
    pdf.stream(content, &c.finish());
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_wraps() {
        assert_eq!(win_ansi("Ștefan Țară în"), b"Stefan Tara in");
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        let pdf = render(&["Consiliul Județean"], "Se emite certificatul.");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.windows(9).any(|w| w == b"Helvetica"));
    }
}
