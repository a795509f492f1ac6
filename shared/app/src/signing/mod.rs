//! Remote qualified signatures (DESIGN §5): one pipeline for the desk's
//! batches and the citizen's cerere.
//!
//! [`pipeline`] is the part both share: the signer's credential at the CSC
//! service, a PDF prepared for a PAdES signature and the hash the key signs,
//! and the signed PDF — baseline B-B, or B-T with an RFC 3161 timestamp
//! whenever [`Config::tsa_url`] is set, for the desk and the citizen alike.
//! The desk's batch is [`batch`] (create, sign with one code, resend, load),
//! [`issue`] (each document of a signed part, and the repair of what a dead
//! request issued) and [`callback`] (asynchronous signing); the citizen's
//! cerere is [`citizen`].

pub mod batch;
pub mod callback;
pub mod citizen;
pub mod issue;
pub mod pipeline;
pub mod service;
mod stamp;
mod stored;

pub use pipeline::{Credential, CredentialError, FinishError, ToSign, finish, store_pdf};

/// How a component signs, read from its variables by the component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The RFC 3161 timestamp authority: with one, every signature is B-T
    /// and a document whose timestamp fails is not signed; without, B-B.
    pub tsa_url: Option<String>,
    /// Where the service POSTs asynchronous results: with one, the desk's
    /// batches are signed asynchronously ([`callback`]).
    pub callback_url: Option<String>,
}

impl Config {
    /// The configuration from the raw `tsa_url` and `csc_callback_url`
    /// variables (empty: none).
    #[must_use]
    pub fn new(tsa_url: &str, callback_url: &str) -> Self {
        let set = |v: &str| {
            let v = v.trim();
            (!v.is_empty()).then(|| v.to_owned())
        };
        Self {
            tsa_url: set(tsa_url),
            callback_url: set(callback_url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_tsa_url_means_no_timestamp() {
        assert_eq!(Config::new("", ""), Config::default());
        assert_eq!(Config::new("  \n", " "), Config::default());
        let c = Config::new(" http://tsa.example/ts ", "http://x/cb");
        assert_eq!(c.tsa_url.as_deref(), Some("http://tsa.example/ts"));
        assert_eq!(c.callback_url.as_deref(), Some("http://x/cb"));
    }
}
