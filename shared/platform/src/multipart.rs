//! `multipart/form-data` (RFC 7578) as a push parser: bytes go in as they
//! arrive ([`Parser::push`]), events come out ([`Parser::next_event`]) — a
//! part's head, its data in bounded pieces, its end — so a form is read from
//! the body's stream without the body ever being held whole. [`parse`] runs
//! it over bytes already in memory (the fuzzing target, and small forms).
//!
//! `Content-Disposition` follows RFC 6266's grammar: parameters are split
//! only outside quoted strings (`filename="x;y=1.pdf"` is one file name, and
//! cannot re-label its part), a quoted string's `\` escapes the next
//! character, `filename*` (RFC 8187, formerly 5987: `UTF-8''%C8%98...` or
//! `ISO-8859-1'...`) is preferred over `filename`, and a parameter given
//! twice makes the part malformed (RFC 6266 §4.1 calls such a value invalid;
//! taking either one would let a client and the platform read different
//! names).

use std::collections::VecDeque;

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The field name.
    pub name: String,
    /// The file name, for file fields.
    pub filename: Option<String>,
    /// The part's bytes.
    pub data: Vec<u8>,
}

/// A part's head: its field name and, for a file, the file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartHead {
    /// The field name.
    pub name: String,
    /// The file name, for file fields (possibly empty: a file input left empty).
    pub filename: Option<String>,
}

/// What the parser found next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A part begins.
    Head(PartHead),
    /// Bytes of the current part, in order.
    Data(Vec<u8>),
    /// The current part is complete.
    PartEnd,
    /// The closing delimiter: the form is complete (what follows is ignored).
    End,
}

/// Why a body is not a well-formed form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed multipart/form-data: {0}")]
pub struct MultipartError(pub &'static str);

/// The boundary of a `multipart/form-data` Content-Type.
#[must_use]
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let params = parameters(params).ok()?;
    params
        .into_iter()
        .find(|(k, _)| k == "boundary")
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty() && b.len() <= 70)
}

/// The text of the first part named `name` that is not a file, if it is
/// valid UTF-8.
#[must_use]
pub fn text<'a>(parts: &'a [Part], name: &str) -> Option<&'a str> {
    parts
        .iter()
        .find(|p| p.name == name && p.filename.is_none())
        .and_then(|p| std::str::from_utf8(&p.data).ok())
}

/// Splits `body` into its parts, at most `max_parts`.
pub fn parse(body: &[u8], boundary: &str, max_parts: usize) -> Result<Vec<Part>, MultipartError> {
    let mut parser = Parser::new(boundary, max_parts);
    parser.push(body);
    parser.finish();
    let mut parts = Vec::new();
    while let Some(event) = parser.next_event()? {
        match event {
            Event::Head(head) => parts.push(Part {
                name: head.name,
                filename: head.filename,
                data: Vec::new(),
            }),
            Event::Data(bytes) => {
                if let Some(p) = parts.last_mut() {
                    p.data.extend_from_slice(&bytes);
                }
            }
            Event::PartEnd => {}
            Event::End => return Ok(parts),
        }
    }
    Err(MultipartError("unterminated form"))
}

/// Largest head of one part (its header lines).
const MAX_HEAD_BYTES: usize = 8 * 1024;

/// Most transport padding (RFC 2046 §5.1.1: spaces and tabs) after a
/// delimiter, whether it arrives with its CRLF or before it.
const MAX_PADDING: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first delimiter.
    Preamble,
    /// Just after a delimiter: `--` ends the form, else CRLF opens a part.
    AfterDelimiter,
    /// Reading a part's header lines.
    Head,
    /// Reading a part's data.
    Data,
    /// After the closing delimiter.
    Done,
}

/// A push parser of one form (see the module documentation).
#[derive(Debug)]
pub struct Parser {
    /// `\r\n--{boundary}`; the first delimiter may lack the CRLF.
    delimiter: Vec<u8>,
    buf: VecDeque<u8>,
    state: State,
    parts: usize,
    max_parts: usize,
    finished: bool,
    /// No byte of the body has been dropped yet: the buffer begins where
    /// the body begins, so a delimiter there needs no CRLF before it.
    at_start: bool,
}

impl Parser {
    /// A parser of a form with `boundary`, refusing more than `max_parts` parts.
    #[must_use]
    pub fn new(boundary: &str, max_parts: usize) -> Self {
        Self {
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            buf: VecDeque::new(),
            state: State::Preamble,
            parts: 0,
            max_parts,
            finished: false,
            at_start: true,
        }
    }

    /// Gives the parser the body's next bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend(bytes);
    }

    /// Says the body has no more bytes.
    pub fn finish(&mut self) {
        self.finished = true;
    }

    /// Bytes given but not yet turned into events (at most a piece of data
    /// the size of the delimiter, or one part's head, once events are taken).
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next event, `None` when more bytes are needed, or why the form
    /// is malformed. After [`Parser::finish`], running out of bytes before
    /// [`Event::End`] is an error.
    pub fn next_event(&mut self) -> Result<Option<Event>, MultipartError> {
        let event = match self.state {
            State::Preamble => self.preamble()?,
            State::AfterDelimiter => self.after_delimiter()?,
            State::Head => self.head()?,
            State::Data => self.data(),
            State::Done => return Ok(None),
        };
        if event.is_none() && self.finished {
            return Err(MultipartError(match self.state {
                State::Preamble => "no boundary",
                State::Head => "unterminated headers",
                _ => "unterminated part",
            }));
        }
        Ok(event)
    }

    fn find(&mut self, needle: &[u8]) -> Option<usize> {
        self.buf
            .make_contiguous()
            .windows(needle.len())
            .position(|w| w == needle)
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        self.buf.drain(..n).collect()
    }

    fn preamble(&mut self) -> Result<Option<Event>, MultipartError> {
        let delimiter = self.delimiter.clone();
        let first = &delimiter[2..];
        // Only the body's very first bytes may be a delimiter without the
        // CRLF; anywhere else it must start a line (RFC 2046 §5.1.1), or a
        // preamble's tail would read as a delimiter once its head is dropped.
        if self.at_start {
            let held = self.buf.len().min(first.len());
            if !self.buf.iter().take(held).eq(first[..held].iter()) {
                self.at_start = false;
            } else if held < first.len() {
                return Ok(None);
            }
        }
        let at = if self.at_start {
            Some(0)
        } else {
            self.find(&delimiter).map(|i| i + 2)
        };
        match at {
            Some(at) => {
                self.buf.drain(..at + first.len());
                self.state = State::AfterDelimiter;
                self.next_event()
            }
            None => {
                // Keep only what may still begin the delimiter.
                let keep = self.delimiter.len() - 1;
                if self.buf.len() > keep {
                    self.buf.drain(..self.buf.len() - keep);
                }
                Ok(None)
            }
        }
    }

    fn after_delimiter(&mut self) -> Result<Option<Event>, MultipartError> {
        if self.buf.len() < 2 {
            return Ok(None);
        }
        if self.buf.iter().take(2).eq(b"--".iter()) {
            self.state = State::Done;
            self.buf.clear();
            return Ok(Some(Event::End));
        }
        // Transport padding (RFC 2046 §5.1.1) before the CRLF.
        let padding = self
            .buf
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        if padding > MAX_PADDING {
            return Err(MultipartError("too much padding after a boundary"));
        }
        if self.buf.len() < padding + 2 {
            return Ok(None);
        }
        if self.buf[padding] != b'\r' || self.buf[padding + 1] != b'\n' {
            return Err(MultipartError("boundary not followed by CRLF"));
        }
        self.buf.drain(..padding + 2);
        if self.parts == self.max_parts {
            return Err(MultipartError("too many parts"));
        }
        self.state = State::Head;
        self.next_event()
    }

    fn head(&mut self) -> Result<Option<Event>, MultipartError> {
        // A part without header lines has no name.
        if self.buf.len() >= 2 && self.buf[0] == b'\r' && self.buf[1] == b'\n' {
            return Err(MultipartError("part without a name"));
        }
        let Some(end) = self.find(b"\r\n\r\n") else {
            if self.buf.len() > MAX_HEAD_BYTES {
                return Err(MultipartError("headers too long"));
            }
            return Ok(None);
        };
        if end > MAX_HEAD_BYTES {
            return Err(MultipartError("headers too long"));
        }
        let raw = self.take(end);
        self.buf.drain(..4);
        let head = part_head(&raw)?;
        self.parts += 1;
        self.state = State::Data;
        Ok(Some(Event::Head(head)))
    }

    fn data(&mut self) -> Option<Event> {
        let delimiter = std::mem::take(&mut self.delimiter);
        let found = self.find(&delimiter);
        self.delimiter = delimiter;
        if let Some(at) = found {
            if at > 0 {
                return Some(Event::Data(self.take(at)));
            }
            self.buf.drain(..self.delimiter.len());
            self.state = State::AfterDelimiter;
            return Some(Event::PartEnd);
        }
        // All but what may still begin the delimiter is the part's.
        let safe = self.buf.len().saturating_sub(self.delimiter.len() - 1);
        (safe > 0).then(|| Event::Data(self.take(safe)))
    }
}

/// The name and file name of a part from its header lines.
fn part_head(raw: &[u8]) -> Result<PartHead, MultipartError> {
    let head = std::str::from_utf8(raw).map_err(|_| MultipartError("headers not UTF-8"))?;
    let mut disposition = None;
    for line in head.split("\r\n") {
        let Some((k, v)) = line.split_once(':') else {
            return Err(MultipartError("malformed header"));
        };
        if k.trim().eq_ignore_ascii_case("content-disposition") {
            if disposition.is_some() {
                return Err(MultipartError("two Content-Disposition headers"));
            }
            disposition = Some(v);
        }
    }
    let value = disposition.ok_or(MultipartError("part without a name"))?;
    let (kind, params) = value.split_once(';').unwrap_or((value, ""));
    if !kind.trim().eq_ignore_ascii_case("form-data") {
        return Err(MultipartError("part is not form-data"));
    }
    let params = parameters(params)?;
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let name = get("name")
        .cloned()
        .ok_or(MultipartError("part without a name"))?;
    let filename = match get("filename*") {
        Some(ext) => Some(ext_value(ext)?),
        None => get("filename").cloned(),
    };
    Ok(PartHead { name, filename })
}

/// The `; name=value` parameters of a header value (after its first
/// item), names lowercased, values unquoted; a name given twice, or a
/// parameter that is not `token=value`, is malformed.
fn parameters(mut rest: &str) -> Result<Vec<(String, String)>, MultipartError> {
    let bad = MultipartError("malformed parameter");
    let mut out: Vec<(String, String)> = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        if rest.is_empty() {
            return Ok(out);
        }
        let (name, after) = rest.split_once('=').ok_or(bad.clone())?;
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || !name.bytes().all(is_token) {
            return Err(bad);
        }
        let after = after.trim_start_matches([' ', '\t']);
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            quoted_string(quoted)?
        } else {
            let end = after.find(';').unwrap_or(after.len());
            let value = after[..end].trim_end_matches([' ', '\t']);
            if value.is_empty() || !value.bytes().all(|b| is_token(b) || b >= 0x80) {
                return Err(bad);
            }
            (value.to_owned(), &after[end..])
        };
        let tail = tail.trim_start_matches([' ', '\t']);
        if !(tail.is_empty() || tail.starts_with(';')) {
            return Err(bad);
        }
        if out.iter().any(|(k, _)| *k == name) {
            return Err(MultipartError("parameter given twice"));
        }
        out.push((name, value));
        rest = tail;
    }
}

/// The content of a quoted string whose opening quote is already read, and
/// what follows its closing quote.
fn quoted_string(s: &str) -> Result<(String, &str), MultipartError> {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &s[i + 1..])),
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => break,
            },
            '\r' | '\n' => return Err(MultipartError("line break in a quoted value")),
            c => value.push(c),
        }
    }
    Err(MultipartError("unterminated quoted value"))
}

/// `token` characters of RFC 9110 §5.6.2 (`*` included: `filename*`).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// An RFC 8187 `ext-value`: `charset'[language]'pct-encoded`, in UTF-8 or
/// ISO-8859-1.
fn ext_value(v: &str) -> Result<String, MultipartError> {
    let bad = MultipartError("malformed filename*");
    let mut pieces = v.splitn(3, '\'');
    let (Some(charset), Some(_language), Some(encoded)) =
        (pieces.next(), pieces.next(), pieces.next())
    else {
        return Err(bad);
    };
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut it = encoded.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex = [it.next().ok_or(bad.clone())?, it.next().ok_or(bad.clone())?];
            let hex = std::str::from_utf8(&hex).map_err(|_| bad.clone())?;
            bytes.push(u8::from_str_radix(hex, 16).map_err(|_| bad.clone())?);
        } else if is_token(b) && b != b'*' && b != b'\'' && b != b'%' {
            bytes.push(b);
        } else {
            return Err(bad);
        }
    }
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).map_err(|_| MultipartError("filename* not UTF-8"))
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Ok(bytes.into_iter().map(char::from).collect())
    } else {
        Err(MultipartError("filename* in an unknown charset"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(disposition: &str) -> Vec<u8> {
        format!(
            "--b\r\nContent-Disposition: {disposition}\r\nContent-Type: application/pdf\r\n\r\n\
             %PDF\r\n--b--\r\n"
        )
        .into_bytes()
    }

    fn head(disposition: &str) -> Result<(String, Option<String>), MultipartError> {
        let parts = parse(&form(disposition), "b", 4)?;
        Ok((parts[0].name.clone(), parts[0].filename.clone()))
    }

    #[test]
    fn parses_fields_and_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue 1\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\n\
Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n\x00\xff\r\n--XyZ--\r\n";
        let parts = parse(body, "XyZ", 10).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "a");
        assert_eq!(parts[0].data, b"value 1");
        assert_eq!(parts[1].filename.as_deref(), Some("scan.pdf"));
        assert_eq!(parts[1].data, b"%PDF-1.4\r\n\x00\xff");
    }

    #[test]
    fn refuses_malformed_bodies() {
        for body in [
            &b""[..],
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
            b"--XyZ\r\nno colon\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",
            b"--XyZxx",
            b"--XyZ\r\n\r\nx\r\n--XyZ--",
        ] {
            assert!(parse(body, "XyZ", 10).is_err(), "{body:?}");
        }
        let two = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\n\
Content-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n--b--";
        assert!(parse(two, "b", 1).is_err());
        assert_eq!(parse(two, "b", 2).unwrap().len(), 2);
    }

    #[test]
    fn a_quoted_semicolon_or_quote_cannot_relabel_a_part() {
        let cases = [
            // The old parser split here and took `y=1.pdf"` as a parameter.
            (
                "form-data; name=\"scan\"; filename=\"x;y=1.pdf\"",
                ("scan", Some("x;y=1.pdf")),
            ),
            // A file name that spells another parameter stays a file name.
            (
                "form-data; name=\"scan\"; filename=\"a.pdf; name=csrf\"",
                ("scan", Some("a.pdf; name=csrf")),
            ),
            (
                "form-data; name=\"scan\"; filename=\"a\\\"; name=\\\"csrf.pdf\"",
                ("scan", Some("a\"; name=\"csrf.pdf")),
            ),
            ("form-data; name=\"a;b\"", ("a;b", None)),
            ("form-data;name=plain", ("plain", None)),
            ("FORM-DATA; NAME=\"x\"; FileName=\"\"", ("x", Some(""))),
            (
                "form-data; name=\"scan\"; filename=\"C:\\\\dir\\\\a.pdf\"",
                ("scan", Some("C:\\dir\\a.pdf")),
            ),
        ];
        for (disposition, (name, filename)) in cases {
            let want = (name.to_owned(), filename.map(str::to_owned));
            assert_eq!(head(disposition), Ok(want), "{disposition}");
        }
    }

    #[test]
    fn filename_star_carries_romanian_and_hungarian_names() {
        let cases = [
            (
                "form-data; name=\"scan\"; filename*=UTF-8''%C8%98coal%C4%83%20%C8%9Aar%C4%83.pdf",
                "Școală Țară.pdf",
            ),
            (
                "form-data; name=\"scan\"; filename*=utf-8'hu'%C5%90sz%20%C3%BCr%C5%B1lap.pdf",
                "Ősz ürűlap.pdf",
            ),
            // Preferred over `filename` whichever comes first (RFC 6266 §4.3).
            (
                "form-data; name=\"scan\"; filename=\"Scoala.pdf\"; filename*=UTF-8''%C8%98coala.pdf",
                "Școala.pdf",
            ),
            (
                "form-data; name=\"scan\"; filename*=UTF-8''%C8%98coala.pdf; filename=\"Scoala.pdf\"",
                "Școala.pdf",
            ),
            (
                "form-data; name=\"scan\"; filename*=ISO-8859-1''%E9t%E9.pdf",
                "été.pdf",
            ),
            // Browsers send UTF-8 file names raw in the quoted form.
            (
                "form-data; name=\"scan\"; filename=\"Școală ő.pdf\"",
                "Școală ő.pdf",
            ),
        ];
        for (disposition, filename) in cases {
            assert_eq!(
                head(disposition),
                Ok(("scan".to_owned(), Some(filename.to_owned()))),
                "{disposition}"
            );
        }
        for bad in [
            "form-data; name=\"scan\"; filename*=UTF-8''%C8",
            "form-data; name=\"scan\"; filename*=UTF-8''%ZZ.pdf",
            "form-data; name=\"scan\"; filename*=UTF-8''a b.pdf",
            "form-data; name=\"scan\"; filename*=KOI8-R''a.pdf",
            "form-data; name=\"scan\"; filename*=a.pdf",
        ] {
            assert!(head(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_parameter_given_twice_is_refused() {
        for bad in [
            "form-data; name=\"scan\"; name=\"csrf\"",
            "form-data; name=\"scan\"; filename=\"a.pdf\"; filename=\"b.pdf\"",
            "form-data; name=\"scan\"; FILENAME=\"a.pdf\"; filename=\"b.pdf\"",
            "form-data; name=\"a\"; filename*=UTF-8''a; filename*=UTF-8''b",
        ] {
            assert_eq!(
                head(bad),
                Err(MultipartError("parameter given twice")),
                "{bad}"
            );
        }
        let two_headers = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\
Content-Disposition: form-data; name=\"csrf\"\r\n\r\nx\r\n--b--";
        assert!(parse(two_headers, "b", 4).is_err());
    }

    #[test]
    fn malformed_parameters_are_refused() {
        for bad in [
            "form-data; name=\"unterminated",
            "form-data; name=\"a\"junk",
            "form-data; name",
            "form-data; =x",
            "form-data; name=a b",
            "attachment; name=\"a\"",
        ] {
            assert!(head(bad).is_err(), "{bad}");
        }
    }

    /// Fed one byte at a time, the parser finds what it finds in one piece,
    /// and never keeps more than a delimiter's worth of a part's data.
    #[test]
    fn streaming_in_any_pieces_gives_the_same_parts() {
        let mut body =
            b"preamble\r\n--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nt0k\r\n\
--b  \r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.pdf\"\r\n\r\n"
                .to_vec();
        let mut data: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        data.extend(b"\r\n--c\r\n-\r\n");
        body.extend(&data);
        body.extend(b"\r\n--b--\r\nepilogue");
        let whole = parse(&body, "b", 8).unwrap();
        assert_eq!(whole[1].data, data);
        assert_eq!(whole.len(), 2, "{whole:?}");
        for piece in [1, 2, 3, 7, 64, 4096] {
            let (parts, most) = streamed(&body, piece).unwrap();
            assert_eq!(parts, whole, "pieces of {piece}");
            assert!(most < piece + 8, "kept {most} bytes in pieces of {piece}");
        }
    }

    /// The form `body` reads as when its bytes arrive `piece` at a time.
    fn in_pieces(body: &[u8], piece: usize) -> Result<Vec<Part>, MultipartError> {
        streamed(body, piece).map(|(parts, _)| parts)
    }

    /// [`in_pieces`], and the most bytes the parser held within a part's data.
    fn streamed(body: &[u8], piece: usize) -> Result<(Vec<Part>, usize), MultipartError> {
        let mut p = Parser::new("b", 8);
        let mut parts: Vec<Part> = Vec::new();
        let mut events = Vec::new();
        let mut most = 0;
        for chunk in body.chunks(piece) {
            p.push(chunk);
            while let Some(e) = p.next_event()? {
                events.push(e);
                if p.state == State::Data {
                    most = most.max(p.buffered());
                }
            }
        }
        p.finish();
        while let Some(e) = p.next_event()? {
            events.push(e);
        }
        for e in events {
            match e {
                Event::Head(h) => parts.push(Part {
                    name: h.name,
                    filename: h.filename,
                    data: Vec::new(),
                }),
                Event::Data(d) => parts.last_mut().unwrap().data.extend(d),
                Event::PartEnd => {}
                Event::End => return Ok((parts, most)),
            }
        }
        Err(MultipartError("unterminated form"))
    }

    /// A delimiter opens the body or starts a line: `x--b` is preamble,
    /// however the bytes arrive (the fuzzer's first divergence).
    #[test]
    fn a_delimiter_inside_the_preamble_is_preamble_in_any_pieces() {
        let body = b"x--b\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--b--";
        assert_eq!(parse(body, "b", 8), Ok(Vec::new()));
        for piece in 1..=body.len() {
            assert_eq!(in_pieces(body, piece), Ok(Vec::new()), "pieces of {piece}");
        }
        let opening = b"--b\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--b--";
        for piece in 1..=opening.len() {
            let parts = in_pieces(opening, piece).unwrap();
            assert_eq!(parts, parse(opening, "b", 8).unwrap(), "pieces of {piece}");
            assert_eq!(parts[0].data, b"v");
        }
    }

    /// Transport padding after a delimiter is bounded the same whether its
    /// CRLF comes with it or later (the fuzzer's second divergence).
    #[test]
    fn padding_after_a_delimiter_is_bounded_in_any_pieces() {
        let body = |spaces: usize| {
            format!(
                "--b{}\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--b--",
                " ".repeat(spaces)
            )
            .into_bytes()
        };
        let allowed = body(MAX_PADDING);
        assert_eq!(parse(&allowed, "b", 8).unwrap()[0].data, b"v");
        let too_much = body(MAX_PADDING + 1);
        assert!(parse(&too_much, "b", 8).is_err());
        for piece in [1, 2, 3, 7, 32, 64, 65, 66, 200] {
            assert_eq!(
                in_pieces(&allowed, piece),
                parse(&allowed, "b", 8),
                "pieces of {piece}"
            );
            assert!(in_pieces(&too_much, piece).is_err(), "pieces of {piece}");
        }
    }

    #[test]
    fn boundary_from_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\"").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("multipart/form-data;boundary=x1").as_deref(),
            Some("x1")
        );
        assert_eq!(
            boundary("multipart/form-data; charset=utf-8; boundary=----WebKitFormBoundaryAbC")
                .as_deref(),
            Some("----WebKitFormBoundaryAbC")
        );
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
