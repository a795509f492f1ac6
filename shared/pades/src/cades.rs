//! CAdES baseline detached signatures of any data (ETSI EN 319 122-1), e.g.
//! an ASiC-E container's manifest: the same two phases as a PDF's signature,
//! with the digest of the data instead of a prepared PDF's, and the signing
//! time in a signing-time attribute (CAdES-B requires it; PAdES keeps it in
//! the PDF instead).

use chrono::{DateTime, Utc};
use const_oid::db::rfc5911::ID_DATA;
use x509_cert::time::Time;

use crate::cms_der::{self, SignatureAlgorithm, SignedAttrs};
use crate::{Error, tsp};

/// The signed attributes of a detached signature of data whose SHA-256 is
/// `content_digest`, by the certificate `signer_cert_der`, at `signing_time`:
/// content type (id-data), message digest, signing-certificate-v2 and
/// signing time. [`SignedAttrs::hash_to_sign`] is what the signing service
/// signs. Deterministic, like [`crate::signed_attributes`].
pub fn cades_signed_attributes(
    content_digest: [u8; 32],
    signer_cert_der: &[u8],
    signing_time: DateTime<Utc>,
) -> Result<SignedAttrs, Error> {
    let since_epoch = std::time::Duration::from_secs(
        u64::try_from(signing_time.timestamp())
            .map_err(|_| Error::Options("signing time before 1970"))?,
    );
    // UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
    let time = match der::asn1::UtcTime::from_unix_duration(since_epoch) {
        Ok(t) => Time::UtcTime(t),
        Err(_) => Time::GeneralTime(
            der::asn1::GeneralizedTime::from_unix_duration(since_epoch).map_err(Error::Der)?,
        ),
    };
    cms_der::signed_attributes_with(ID_DATA, content_digest, signer_cert_der, Some(time))
}

/// The DER `ContentInfo` of a detached CAdES signature (a `.p7s`): the
/// SignedData without its content, one SignerInfo with `signed_attrs` and
/// `signature` (as the signing service returned it, see [`crate::finish`]),
/// the signer's certificate followed by `chain`, and with a timestamp token
/// of the signature (CAdES-B-T) when one is given (see
/// [`crate::signature_timestamp_imprint`]; a token of other data is refused).
pub fn cades_detached(
    signed_attrs: &SignedAttrs,
    signature: &[u8],
    signature_algorithm: SignatureAlgorithm,
    chain: &[&[u8]],
    timestamp_token_der: Option<&[u8]>,
) -> Result<Vec<u8>, Error> {
    let unsigned_attrs = match timestamp_token_der {
        Some(token) => Some(tsp::timestamp_attribute(
            token,
            signature,
            signature_algorithm,
        )?),
        None => None,
    };
    let envelope = cms_der::Envelope {
        content: None,
        chain: Some(chain),
        unsigned_attrs,
    };
    cms_der::signed_data(signed_attrs, signature, signature_algorithm, envelope)
}
