//! PAdES signatures of PDFs (baseline B-B, or B-T with a timestamp; `ETSI.CAdES.detached`) in two phases, for a
//! signing service that only signs hashes (the CSC API's `signatures/signHash`), and
//! their verification.
//!
//! 1. [`prepare`] appends an incremental update to the PDF: a signature field (an
//!    invisible widget on the first page, or with [`PrepareOptions::stamp`] a visible
//!    [`Stamp`] with a QR code on the last page) and a signature dictionary whose
//!    `/Contents` is a zero-filled placeholder of fixed size. [`Prepared::digest`] is
//!    the SHA-256 of every byte of the result except that placeholder (the
//!    `/ByteRange`).
//! 2. [`signed_attributes`] builds the CMS signed attributes (content type, message
//!    digest, signing-certificate-v2) for that digest and the signer's certificate; the SHA-256 of [`SignedAttrs::to_be_signed`] is the hash the
//!    signing service signs ([`SignedAttrs::hash_to_sign`]).
//! 3. [`finish`] wraps the returned signature in a CMS SignedData with the
//!    certificates and writes it into the placeholder. For baseline B-T, a timestamp
//!    of the signature comes first: [`signature_timestamp_imprint`] is what to
//!    timestamp, [`timestamp_request`] the RFC 3161 request, [`timestamp_token`] checks
//!    the response, and [`finish_with_timestamp`] embeds the token as the SignerInfo's
//!    unsigned attribute id-aa-signatureTimeStampToken. The I/O (the POST to the TSA)
//!    is the caller's; [`TimestampRequest`] is the TSA's side, for the sandbox.
//!
//! Many documents can be prepared first and their hashes sent in one authorization,
//! then each finished on its own: nothing ties one document's phases to another's.
//!
//! The same CMS, detached, signs any data: [`cades_signed_attributes`] and
//! [`cades_detached`] make the CAdES signature (`.p7s`) of an ASiC-E
//! container's manifest.
//!
//! [`verify`] checks every signature of a PDF, ours or anyone's: the bytes it covers,
//! its digest, its signature and its chain to trusted roots ([`Report`]).
//!
//! Architecture invariant: this crate does no I/O, never reads the clock and draws no
//! randomness; the signing time is an input, so the same inputs give the same bytes.
//! It never rewrites the original bytes: they are a prefix of the signed PDF.

#![deny(missing_docs)]

mod cades;
mod cms_der;
mod pdf;
mod stamp;
mod tsp;
mod verify;

use chrono::{DateTime, Utc};
use thiserror::Error;

pub use cades::{cades_detached, cades_signed_attributes};
pub use cms_der::{SignatureAlgorithm, SignedAttrs, signed_attributes};
pub use pdf::Prepared;
pub use stamp::MIN_FONT_SIZE;
pub use tsp::{
    TimeStampingUsage, TimestampRefusal, TimestampRequest, TokenToSign, finish_with_timestamp,
    signature_timestamp_imprint, timestamp_rejection, timestamp_request, timestamp_token,
    timestamp_token_time,
};
pub use verify::{Anchor, Report, SignatureReport, describe_anchor};

/// What the signature dictionary says and how much room it leaves for the CMS.
#[derive(Debug, Clone, Copy)]
pub struct PrepareOptions<'a> {
    /// The signer's name as shown by viewers (`/Name`); validators show the
    /// certificate's subject instead.
    pub signer_name: &'a str,
    /// Why the document is signed (`/Reason`), e.g. "Semnătura solicitantului".
    pub reason: Option<&'a str>,
    /// Where it is signed (`/Location`), e.g. "Florești".
    pub location: Option<&'a str>,
    /// The claimed signing time (`/M`). PAdES baseline keeps it there only: the CMS
    /// has no signing-time attribute.
    pub signing_time: DateTime<Utc>,
    /// Room for the DER-encoded CMS in bytes (the placeholder holds twice as many
    /// hexadecimal digits). [`DEFAULT_SIGNATURE_SIZE`] fits a chain of a few
    /// certificates.
    pub signature_size_bytes: usize,
    /// The signature field's name (`/T`), unique among the document's fields.
    pub field_name: &'a str,
    /// A visible stamp on the last page; `None` (the default) signs with an
    /// invisible widget on the first page.
    pub stamp: Option<Stamp<'a>>,
}

/// A visible signature: a widget of about 90 mm × 30 mm at the bottom left of the
/// last page (15 mm from the edges of its crop box) showing the QR code of
/// `verify_url` and `lines` of text beside it.
///
/// The text is drawn in the embedded DejaVu Sans (`ghiseu-font`, only the glyphs
/// used), so Romanian and Hungarian letters keep their diacritics and extract as
/// written; a character the font lacks is U+FFFD. Lines wider than the room wrap;
/// the text is 8 pt, smaller when it needs to, never below 7 pt (too much text is
/// refused). The appearance is part of the signed update, so it cannot be changed
/// without breaking the signature.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    /// The address the QR code holds, where anyone can check the document.
    pub verify_url: &'a str,
    /// Lines beside the code, e.g. `["Semnat electronic de Alin Tise",
    /// "Verificare: https://..."]`.
    pub lines: &'a [&'a str],
}

/// Room for the CMS that fits a signer certificate and a chain of two or three
/// RSA-4096 or ECDSA certificates with room to spare.
pub const DEFAULT_SIGNATURE_SIZE: usize = 16 * 1024;

impl<'a> PrepareOptions<'a> {
    /// Options with no reason or location, [`DEFAULT_SIGNATURE_SIZE`], the field
    /// name `Semnatura1` and no visible stamp.
    pub fn new(signer_name: &'a str, signing_time: DateTime<Utc>) -> Self {
        Self {
            signer_name,
            reason: None,
            location: None,
            signing_time,
            signature_size_bytes: DEFAULT_SIGNATURE_SIZE,
            field_name: "Semnatura1",
            stamp: None,
        }
    }
}

/// Why a PDF could not be prepared or a signature not embedded.
#[derive(Debug, Error)]
pub enum Error {
    /// The input is not a PDF this crate can read.
    #[error("not a readable PDF: {0}")]
    Pdf(String),
    /// The PDF is encrypted; signing it would need its password.
    #[error("the PDF is encrypted")]
    Encrypted,
    /// The PDF has no page to put the signature widget on.
    #[error("the PDF has no pages")]
    NoPages,
    /// A field with this name already exists.
    #[error("the PDF already has a field named {0:?}")]
    FieldNameTaken(String),
    /// The options are unusable (empty field name, zero size, ...).
    #[error("invalid options: {0}")]
    Options(&'static str),
    /// The bytes given back are not a PDF prepared by [`prepare`].
    #[error("not a prepared PDF: {0}")]
    NotPrepared(&'static str),
    /// A certificate could not be decoded as DER X.509.
    #[error("invalid certificate: {0}")]
    Certificate(der::Error),
    /// The signature value is not of the declared algorithm's form.
    #[error("invalid signature value: {0}")]
    Signature(&'static str),
    /// The signed attributes were built for another document.
    #[error("the signed attributes do not cover this document's digest")]
    DigestMismatch,
    /// The CMS does not fit the placeholder; prepare with a larger size.
    #[error("the CMS needs {needed} bytes but the placeholder holds {available}")]
    TooBig {
        /// Size of the DER-encoded CMS.
        needed: usize,
        /// Room reserved by [`prepare`].
        available: usize,
    },
    /// A timestamp response or token is refused or does not fit this signature.
    #[error("timestamp: {0}")]
    Timestamp(String),
    /// DER encoding failed (a bug, or an absurd input such as a huge certificate).
    #[error("DER encoding failed: {0}")]
    Der(der::Error),
}

/// Appends a signature field and a signature dictionary with placeholders to `pdf`
/// as an incremental update. See [`Prepared`].
pub fn prepare(pdf: &[u8], opts: &PrepareOptions<'_>) -> Result<Prepared, Error> {
    pdf::prepare(pdf, opts)
}

/// Embeds the signature: builds the CMS SignedData (detached, one SignerInfo
/// identified by the certificate's issuer and serial number, SHA-256, the signed
/// attributes, `signature` as returned by the signing service, and the signer's
/// certificate followed by `chain`) and writes it into the placeholder.
///
/// `signature` is the raw RSA PKCS#1 v1.5 signature, or for ECDSA either the DER
/// `ECDSA-Sig-Value` or the 64-byte `r || s` form (converted to DER). The signature
/// is not verified here: the signing service is trusted to have signed
/// [`SignedAttrs::hash_to_sign`] with the certificate's key.
pub fn finish(
    prepared: Prepared,
    signed_attrs: &SignedAttrs,
    signature: &[u8],
    signature_algorithm: SignatureAlgorithm,
    chain: &[&[u8]],
) -> Result<Vec<u8>, Error> {
    if signed_attrs.message_digest() != prepared.digest() {
        return Err(Error::DigestMismatch);
    }
    let envelope = cms_der::Envelope {
        content: None,
        chain: Some(chain),
        unsigned_attrs: None,
    };
    let cms = cms_der::signed_data(signed_attrs, signature, signature_algorithm, envelope)?;
    prepared.embed(&cms)
}

/// Verifies every signature in `pdf` (DER certificates in `trusted_roots`): which
/// bytes each one covers, its message digest, its signature over the signed
/// attributes and its signer's chain to a trusted root. See [`Report::valid`].
///
/// An unreadable PDF or trusted root is an `Err`; a malformed or wrong signature is a
/// [`SignatureReport`] with `problems`. A signature timestamp is reported in
/// [`SignatureReport::timestamp`] when it checks out. Revocation (CRL, OCSP) and what
/// later incremental updates changed are not checked.
pub fn verify(pdf: &[u8], trusted_roots: &[Vec<u8>]) -> Result<Report, Error> {
    verify::verify(pdf, trusted_roots)
}
