//! The ASiC-E container of a dossier (ETSI EN 319 162-1, "Associated Signature
//! Containers", extended form with a CAdES signature over an ASiCManifest) and
//! the ZIP writer it is sent with.
//!
//! A container is a ZIP whose first entry is `mimetype` (stored, no extra
//! field, holding [`MIMETYPE`]), then `META-INF/ASiCManifest.xml` ([`manifest`]:
//! every data object with its media type and SHA-256) and
//! `META-INF/signature.p7s` (a detached CAdES signature whose signed data is
//! the manifest's bytes, built by `ghiseu_pades::cades_detached`), then the data
//! objects themselves. Since every document of a dossier is stored under its
//! SHA-256, the manifest and its signature are made before any file is read,
//! and the files are then sent one after another ([`zip`]).
//!
//! Architecture invariant: no I/O, no clock, no randomness: the same inputs
//! give the same bytes.

#![deny(missing_docs)]

pub mod zip;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

pub use zip::{Known, Zip, ZipError};

/// The content of the `mimetype` entry of an ASiC-E container.
pub const MIMETYPE: &str = "application/vnd.etsi.asic-e+zip";
/// Where the manifest is.
pub const MANIFEST: &str = "META-INF/ASiCManifest.xml";
/// Where the signature of the manifest is.
pub const SIGNATURE: &str = "META-INF/signature.p7s";

/// A file of the container, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataObject {
    /// Its entry name (see [`entry_name`]).
    pub name: String,
    /// Its media type, e.g. `application/pdf`.
    pub media_type: String,
    /// SHA-256 of its bytes.
    pub sha256: [u8; 32],
}

/// `META-INF/ASiCManifest.xml` for `objects` (ETSI EN 319 162-1 §A.4): the
/// signature it is signed by ([`SIGNATURE`]) and each data object's URI,
/// media type and SHA-256 digest.
#[must_use]
pub fn manifest(objects: &[DataObject]) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <asic:ASiCManifest xmlns:asic=\"http://uri.etsi.org/02918/v1.2.1#\" \
         xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n",
    );
    xml.push_str(&format!(
        "  <asic:SigReference URI=\"{SIGNATURE}\" MimeType=\"application/pkcs7-signature\"/>\n"
    ));
    for o in objects {
        xml.push_str(&format!(
            "  <asic:DataObjectReference URI=\"{}\" MimeType=\"{}\">\n    \
             <ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\n    \
             <ds:DigestValue>{}</ds:DigestValue>\n  </asic:DataObjectReference>\n",
            escape(&uri(&o.name)),
            escape(&o.media_type),
            B64.encode(o.sha256),
        ));
    }
    xml.push_str("</asic:ASiCManifest>\n");
    xml.into_bytes()
}

/// A safe, unique entry name for the `index`-th document (from 1) named
/// `original` by whoever uploaded it: `{index:02}-{name}` with the name
/// folded to ASCII letters, digits, `.`, `-` and `_` (diacritics dropped,
/// anything else a `-`), at most 80 characters, keeping its extension.
#[must_use]
pub fn entry_name(index: usize, original: &str) -> String {
    let folded: String = original
        .chars()
        .map(|c| match fold(c) {
            Some(c) if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') => c,
            _ => '-',
        })
        .collect();
    let trimmed = folded.trim_matches(|c| c == '.' || c == '-');
    let name = if trimmed.is_empty() {
        "document"
    } else {
        trimmed
    };
    let name = if name.len() > 80 {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| e.len() <= 8);
        match ext {
            Some(ext) => format!("{}.{ext}", &name[..79 - ext.len()]),
            None => name[..80].to_owned(),
        }
    } else {
        name.to_owned()
    };
    format!("{index:02}-{name}")
}

/// The base letter of a Romanian or Hungarian letter with diacritics.
fn fold(c: char) -> Option<char> {
    Some(match c {
        'ă' | 'â' | 'á' => 'a',
        'Ă' | 'Â' | 'Á' => 'A',
        'î' | 'í' => 'i',
        'Î' | 'Í' => 'I',
        'ș' | 'ş' => 's',
        'Ș' | 'Ş' => 'S',
        'ț' | 'ţ' => 't',
        'Ț' | 'Ţ' => 'T',
        'é' => 'e',
        'É' => 'E',
        'ó' | 'ö' | 'ő' => 'o',
        'Ó' | 'Ö' | 'Ő' => 'O',
        'ú' | 'ü' | 'ű' => 'u',
        'Ú' | 'Ü' | 'Ű' => 'U',
        c if c.is_ascii() => c,
        _ => return None,
    })
}

/// A relative URI reference for an entry name: every byte outside RFC 3986's
/// unreserved characters and `/` percent-encoded.
fn uri(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests;
