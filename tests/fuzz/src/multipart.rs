//! `multipart/form-data` as every form with files arrives: the first line of
//! the input is the Content-Type, the next byte how the body is cut into
//! pieces as the network would deliver it, the rest the body. The push
//! parser fed piece by piece reads the same form as [`multipart::parse`] over
//! the whole body, holds little between pieces, and never panics.

use ghiseu_platform::multipart::{self, Event, MultipartError, Parser, Part};

/// The most parts a form may have in the target (the components' limits are
/// of the same order).
const MAX_PARTS: usize = 16;

/// What the parser may hold once it asks for more bytes: one part's head
/// (8 KiB, its limit) and what may still begin a delimiter.
const MAX_HELD: usize = 8 * 1024 + 4 + 70;

/// The target `multipart`.
pub fn multipart(data: &[u8]) {
    let (head, rest) = crate::first_line(data);
    let Some((&cut, body)) = rest.split_first() else {
        return;
    };
    let content_type = String::from_utf8_lossy(head);
    let boundary = multipart::boundary(&content_type).unwrap_or_else(|| "b".to_owned());
    assert!(!boundary.is_empty() && boundary.len() <= 70);
    let whole = multipart::parse(body, &boundary, MAX_PARTS);
    let pieces = streamed(body, &boundary, usize::from(cut % 64) + 1);
    match (&whole, &pieces) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "read whole and piece by piece differ"),
        (Err(_), Err(_)) => {}
        _ => panic!("whole: {whole:?}, piece by piece: {pieces:?}"),
    }
    let Ok(parts) = whole else {
        return;
    };
    assert!(parts.len() <= MAX_PARTS);
    let held: usize = parts.iter().map(|p| p.data.len()).sum();
    assert!(held <= body.len(), "the parts hold more than the body");
    for part in &parts {
        if let Some(text) = multipart::text(&parts, &part.name) {
            assert!(body.len() >= text.len());
        }
    }
}

/// The form read by the push parser from `body` cut into pieces of `size`.
fn streamed(body: &[u8], boundary: &str, size: usize) -> Result<Vec<Part>, MultipartError> {
    let mut parser = Parser::new(boundary, MAX_PARTS);
    let mut pieces = body.chunks(size);
    let mut parts: Vec<Part> = Vec::new();
    loop {
        match parser.next_event()? {
            Some(Event::Head(head)) => parts.push(Part {
                name: head.name,
                filename: head.filename,
                data: Vec::new(),
            }),
            Some(Event::Data(bytes)) => {
                let part = parts.last_mut().expect("data comes after a head");
                part.data.extend_from_slice(&bytes);
            }
            Some(Event::PartEnd) => {}
            Some(Event::End) => return Ok(parts),
            None => {
                assert!(
                    parser.buffered() <= MAX_HELD + size,
                    "holds {}",
                    parser.buffered()
                );
                match pieces.next() {
                    Some(piece) => parser.push(piece),
                    None => parser.finish(),
                }
            }
        }
    }
}
