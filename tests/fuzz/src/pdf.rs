//! The PDF signature verifier's input: any bytes uploaded to the public
//! verification page or stored as a signed act.

use sha2::{Digest, Sha256};

/// The target `pdf_verify`: a report of the file as given, or an error,
/// never a panic; nothing verifies without a trusted root.
pub fn pdf_verify(data: &[u8]) {
    if let Ok(report) = ghiseu_pades::verify(data, &[]) {
        assert_eq!(
            report.document_sha256,
            <[u8; 32]>::from(Sha256::digest(data))
        );
        assert!(!report.valid(), "verified without a trust anchor");
        for s in &report.signatures {
            assert!(!s.chain_trusted, "a chain trusted without anchors");
        }
    }
}
