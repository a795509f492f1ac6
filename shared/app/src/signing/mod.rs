//! Remote qualified signatures (DESIGN §5): one pipeline for the desk's
//! batches and the citizen's cerere.
//!
//! [`pipeline`] is the part both share: the signer's credential at the CSC
//! service, a PDF prepared for a PAdES signature and the hash the key signs,
//! and the signed PDF — baseline B-B, or B-T with an RFC 3161 timestamp
//! whenever [`Config::tsa_url`] is set, for the desk and the citizen alike.

pub mod pipeline;

pub use pipeline::{Credential, CredentialError, FinishError, ToSign, finish, store_pdf};

/// How a component signs, read from its variables by the component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The RFC 3161 timestamp authority: with one, every signature is B-T
    /// and a document whose timestamp fails is not signed; without, B-B.
    pub tsa_url: Option<String>,
}

impl Config {
    /// The configuration from the raw `tsa_url` variable (empty: none).
    #[must_use]
    pub fn new(tsa_url: &str) -> Self {
        let tsa_url = tsa_url.trim();
        Self {
            tsa_url: (!tsa_url.is_empty()).then(|| tsa_url.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_tsa_url_means_no_timestamp() {
        assert_eq!(Config::new("").tsa_url, None);
        assert_eq!(Config::new("  \n").tsa_url, None);
        assert_eq!(
            Config::new(" http://tsa.example/ts ").tsa_url.as_deref(),
            Some("http://tsa.example/ts")
        );
    }
}
