//! Lays a request out on A4 pages: wraps text with the font's advance widths and
//! moves to a new page whenever the next line does not fit.

use ghiseu_core::calendar::local_datetime;

use crate::font::Font;
use crate::labels::Labels;
use crate::{Cerere, Field};

/// A4 in points.
pub(crate) const PAGE_WIDTH: f32 = 595.276;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// 20 mm on every side; the footer sits in the bottom margin.
const MARGIN: f32 = 56.693;
const BOTTOM: f32 = 70.0;
const FOOTER_BASELINE: f32 = 36.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Form rows: the label in a column of its own, the value beside it.
const LABEL_WIDTH: f32 = 150.0;
const COLUMN_GAP: f32 = 12.0;
const VALUE_X: f32 = MARGIN + LABEL_WIDTH + COLUMN_GAP;
const VALUE_WIDTH: f32 = TEXT_WIDTH - LABEL_WIDTH - COLUMN_GAP;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.35;
const BODY: f32 = 10.0;
const SMALL: f32 = 9.0;
/// Gray levels (0 is black).
const INK: f32 = 0.0;
const MUTED: f32 = 0.35;

/// One line of text at a baseline position.
pub(crate) struct TextLine {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) size: f32,
    pub(crate) gray: f32,
    pub(crate) text: String,
}

/// A horizontal hairline.
pub(crate) struct Rule {
    pub(crate) x1: f32,
    pub(crate) x2: f32,
    pub(crate) y: f32,
}

#[derive(Default)]
pub(crate) struct Page {
    pub(crate) lines: Vec<TextLine>,
    pub(crate) rules: Vec<Rule>,
}

pub(crate) fn lay_out(cerere: &Cerere<'_>, labels: &Labels, font: &Font) -> Vec<Page> {
    let mut flow = Flow::new(font);

    flow.paragraph(
        &format!("{}: {}", labels.addressed_to, cerere.institution),
        MARGIN,
        TEXT_WIDTH,
        11.0,
        INK,
    );
    flow.gap(14.0);
    flow.paragraph(labels.title, MARGIN, TEXT_WIDTH, 22.0, INK);
    flow.paragraph(cerere.document_type, MARGIN, TEXT_WIDTH, 14.0, INK);
    flow.gap(6.0);
    let when = labels.date_time(local_datetime(cerere.submitted_at));
    flow.row(labels.submitted_at, &when);
    match cerere.reference {
        Some(crate::Reference::RegistrationNumber(n)) => flow.row(labels.registration_number, n),
        Some(crate::Reference::Submission(r)) => flow.row(labels.submission_reference, r),
        None => {}
    }

    flow.heading(labels.applicant);
    let a = &cerere.applicant;
    flow.row(labels.name, a.name);
    let contact = [
        (labels.email, a.email),
        (labels.phone, a.phone),
        (labels.address, a.address),
    ];
    for (label, value) in contact {
        if let Some(value) = value {
            flow.row(label, value);
        }
    }

    flow.heading(labels.form_data);
    if cerere.fields.is_empty() {
        flow.paragraph(labels.no_fields, MARGIN, TEXT_WIDTH, BODY, MUTED);
    }
    for Field { label, value } in cerere.fields {
        flow.row(label, value);
    }

    flow.heading(labels.attachments);
    if cerere.attachments.is_empty() {
        flow.paragraph(labels.no_attachments, MARGIN, TEXT_WIDTH, BODY, MUTED);
    }
    for (i, file) in cerere.attachments.iter().enumerate() {
        // The name, its details and the digest stay together unless the name alone
        // is longer than a page.
        flow.keep(4.0 * BODY * LEADING);
        flow.paragraph(
            &format!("{}. {}", i + 1, file.file_name),
            MARGIN,
            TEXT_WIDTH,
            BODY,
            INK,
        );
        let indent = MARGIN + 14.0;
        let details = format!(
            "{}: {} · {}: {}",
            labels.media_type,
            file.media_type,
            labels.size,
            labels.byte_count(file.size)
        );
        flow.paragraph(&details, indent, TEXT_WIDTH - 14.0, SMALL, MUTED);
        // 64 hex digits fit on one line at this size, so the digest extracts whole.
        flow.paragraph(
            &format!("SHA-256: {}", file.sha256),
            indent,
            TEXT_WIDTH - 14.0,
            SMALL,
            MUTED,
        );
        flow.gap(4.0);
    }

    let mut pages = flow.pages;
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let text = labels.page(i + 1, total);
        let x = PAGE_WIDTH - MARGIN - font.width(&text, SMALL);
        page.rules.push(Rule {
            x1: MARGIN,
            x2: PAGE_WIDTH - MARGIN,
            y: FOOTER_BASELINE + 14.0,
        });
        page.lines.push(TextLine {
            x,
            y: FOOTER_BASELINE,
            size: SMALL,
            gray: MUTED,
            text,
        });
    }
    pages
}

/// The text flow: a cursor (the top of the next line) on the last page.
struct Flow<'f> {
    font: &'f Font,
    pages: Vec<Page>,
    y: f32,
}

impl<'f> Flow<'f> {
    fn new(font: &'f Font) -> Self {
        let mut flow = Self {
            font,
            pages: Vec::new(),
            y: 0.0,
        };
        flow.new_page();
        flow
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn keep(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    fn gap(&mut self, height: f32) {
        self.y -= height;
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("the flow starts with a page")
    }

    fn paragraph(&mut self, text: &str, x: f32, width: f32, size: f32, gray: f32) {
        for text in wrap(self.font, text, width, size) {
            self.keep(size * LEADING);
            self.put(x, size, gray, text);
            self.y -= size * LEADING;
        }
    }

    /// Places `text` on the line whose top is the cursor, without moving it.
    fn put(&mut self, x: f32, size: f32, gray: f32, text: String) {
        let y = self.y - size;
        self.page().lines.push(TextLine {
            x,
            y,
            size,
            gray,
            text,
        });
    }

    /// A section heading with a rule under it, kept with the first line after it.
    fn heading(&mut self, text: &str) {
        let size = 13.0;
        self.gap(12.0);
        self.keep(size * LEADING + 6.0 + 2.0 * BODY * LEADING);
        self.paragraph(text, MARGIN, TEXT_WIDTH, size, INK);
        let y = self.y + 2.0;
        self.page().rules.push(Rule {
            x1: MARGIN,
            x2: PAGE_WIDTH - MARGIN,
            y,
        });
        self.gap(6.0);
    }

    /// A label and its value side by side, line by line, so a long value can
    /// continue on the next page.
    fn row(&mut self, label: &str, value: &str) {
        let value = if value.trim().is_empty() {
            "—"
        } else {
            value
        };
        let labels = wrap(self.font, label, LABEL_WIDTH, BODY);
        let values = wrap(self.font, value, VALUE_WIDTH, BODY);
        let height = BODY * LEADING;
        let mut labels = labels.into_iter();
        let mut values = values.into_iter();
        loop {
            let (label, value) = (labels.next(), values.next());
            if label.is_none() && value.is_none() {
                break;
            }
            self.keep(height);
            if let Some(text) = label {
                self.put(MARGIN, BODY, MUTED, text);
            }
            if let Some(text) = value {
                self.put(VALUE_X, BODY, INK, text);
            }
            self.y -= height;
        }
        self.gap(3.0);
    }
}

/// Breaks `text` into lines no wider than `width` at `size`: at `\n`, then between
/// words, and inside a word only when the word alone is too wide.
pub(crate) fn wrap(font: &Font, text: &str, width: f32, size: f32) -> Vec<String> {
    let space = font.width(" ", size);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.strip_suffix('\r').unwrap_or(paragraph);
        let mut line = String::new();
        let mut line_width = 0.0;
        let mut fresh = true;
        for word in paragraph.split(' ') {
            let word_width = font.width(word, size);
            let joined = if fresh {
                word_width
            } else {
                line_width + space + word_width
            };
            if joined <= width {
                if !fresh {
                    line.push(' ');
                }
                line.push_str(word);
                line_width = joined;
                fresh = false;
                continue;
            }
            if !fresh {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word;
            loop {
                let (head, tail) = split_to_fit(font, rest, width, size);
                if tail.is_empty() {
                    line = head.to_owned();
                    line_width = font.width(head, size);
                    break;
                }
                lines.push(head.to_owned());
                rest = tail;
            }
            fresh = false;
        }
        lines.push(line);
    }
    lines
}

/// The longest prefix of `word` that fits in `width` (at least one character), and
/// the rest.
fn split_to_fit<'w>(font: &Font, word: &'w str, width: f32, size: f32) -> (&'w str, &'w str) {
    let mut used = 0.0;
    for (i, c) in word.char_indices() {
        used += font.advance(c) * size / 1000.0;
        if used > width && i > 0 {
            return word.split_at(i);
        }
    }
    (word, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, width: f32) -> Vec<String> {
        wrap(&Font::embedded(), text, width, BODY)
    }

    #[test]
    fn wraps_between_words_and_at_newlines() {
        let font = Font::embedded();
        let width = font.width("Strada Mihai ", BODY);
        assert_eq!(
            lines("Strada Mihai Viteazul nr. 2\nap. 3", width),
            ["Strada Mihai", "Viteazul nr.", "2", "ap. 3"]
        );
        assert_eq!(lines("a\r\n\r\nb", 100.0), ["a", "", "b"]);
    }

    #[test]
    fn breaks_a_word_wider_than_the_line() {
        let word = "x".repeat(200);
        let broken = lines(&word, 100.0);
        assert!(broken.len() > 1);
        assert_eq!(broken.concat(), word);
        let font = Font::embedded();
        assert!(broken.iter().all(|l| font.width(l, BODY) <= 100.0));
    }

    #[test]
    fn every_line_fits_its_column() {
        let font = Font::embedded();
        let text = "Solicit eliberarea certificatului de urbanism pentru imobilul situat în \
                    comuna Florești, județul Cluj, în vederea întocmirii documentației.";
        for line in lines(text, VALUE_WIDTH) {
            assert!(font.width(&line, BODY) <= VALUE_WIDTH, "{line}");
        }
    }
}
