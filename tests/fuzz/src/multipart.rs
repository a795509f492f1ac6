//! `multipart/form-data` as every form with files arrives: the first line of
//! the input is the Content-Type, the rest the body.

use ghiseu_platform::multipart;

/// The most parts a form may have in the target (the components' limits are
/// of the same order).
const MAX_PARTS: usize = 16;

/// The target `multipart`.
pub fn multipart(data: &[u8]) {
    let (head, body) = crate::first_line(data);
    let content_type = String::from_utf8_lossy(head);
    let boundary = multipart::boundary(&content_type).unwrap_or_else(|| "b".to_owned());
    assert!(!boundary.is_empty() && boundary.len() <= 70);
    let Ok(parts) = multipart::parse(body, &boundary, MAX_PARTS) else {
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
