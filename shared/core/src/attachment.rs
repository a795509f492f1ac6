//! Files attached to a dossier: the content type checked by content, the
//! uploader's file name, and the content-addressed [`Attachment`].

use thiserror::Error;

use crate::digest::Sha256Digest;

/// The content type of an attachment, checked by content at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// `application/pdf`.
    Pdf,
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
}

impl MediaType {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The usual file name extension (`pdf`, `jpg`, `png`).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    /// The type with this MIME string.
    pub fn from_mime(mime: &str) -> Option<Self> {
        [Self::Pdf, Self::Jpeg, Self::Png]
            .into_iter()
            .find(|m| m.mime() == mime)
    }

    /// Recognises the three allowed formats by their magic bytes.
    pub fn sniff(content: &[u8]) -> Option<Self> {
        if content.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if content.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Self::Jpeg)
        } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else {
            None
        }
    }
}

/// Why a file name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a file name is 1 to 255 characters without path separators or control characters")]
pub struct FileNameError;

/// The name a file had on the uploader's machine; shown in the desk only (it may
/// contain personal data). Storage names are content hashes, never this.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OriginalName(String);

impl OriginalName {
    /// Validates `raw`: trimmed, 1–255 characters, no `/`, `\` or control characters.
    pub fn parse(raw: &str) -> Result<Self, FileNameError> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.chars().count() <= 255
            && !s.chars().any(|c| c == '/' || c == '\\' || c.is_control());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(FileNameError)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A file attached to a dossier, content-addressed by SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The SHA-256 of the content (its storage address).
    pub sha256: Sha256Digest,
    /// The content type.
    pub media_type: MediaType,
    /// Size in bytes.
    pub size: u64,
    /// The uploader's file name (private).
    pub original_name: OriginalName,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_by_content() {
        let cases: [(&[u8], Option<MediaType>); 4] = [
            (b"%PDF-1.7", Some(MediaType::Pdf)),
            (&[0xff, 0xd8, 0xff, 0xe0], Some(MediaType::Jpeg)),
            (b"\x89PNG\r\n\x1a\n....", Some(MediaType::Png)),
            (b"<html>", None),
        ];
        for (bytes, want) in cases {
            assert_eq!(MediaType::sniff(bytes), want);
        }
        assert!(OriginalName::parse("../etc/passwd").is_err());
    }
}
