//! RFC 3161 timestamps of signatures (PAdES baseline B-T): the request a client sends,
//! the checks of the response, the unsigned attribute that carries the token, and the
//! other side, a timestamp authority's token (for the sandbox and the tests).
//!
//! The timestamped data is the SignerInfo's signature value (RFC 3161 appendix A,
//! ETSI EN 319 122-1 `signature-time-stamp`): its SHA-256 is the messageImprint.

use chrono::{DateTime, Utc};
use cmpv2::status::{PkiFailureInfoValues, PkiStatus, PkiStatusInfo};
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280::{ID_CE_EXT_KEY_USAGE, ID_KP_TIME_STAMPING};
use der::asn1::{GeneralizedTime, Int, OctetString, SetOfVec, Utf8StringRef};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifier;
use x509_cert::attr::Attribute;
use x509_cert::ext::AsExtension;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

use crate::cms_der::{self, ID_SHA256, SignatureAlgorithm, SignedAttrs};
use crate::{Error, Prepared};

/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub(crate) const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-ct-TSTInfo, the content type of a timestamp token's SignedData.
pub(crate) const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// The messageImprint to timestamp for a signature: SHA-256 of the signature value as
/// the SignerInfo holds it (an ECDSA `r || s` is converted to DER first, as
/// [`crate::finish`] does).
pub fn signature_timestamp_imprint(
    signature: &[u8],
    algorithm: SignatureAlgorithm,
) -> Result<[u8; 32], Error> {
    let value = cms_der::signature_value(signature, algorithm)?;
    Ok(Sha256::digest(value).into())
}

/// The DER `TimeStampReq` for `imprint`: version 1, SHA-256, the caller's `nonce`
/// (drawn at random by the caller: this crate draws no randomness), `certReq` true
/// so that the token carries the TSA's certificate.
pub fn timestamp_request(imprint: [u8; 32], nonce: u64) -> Result<Vec<u8>, Error> {
    TimeStampReq {
        version: TspVersion::V1,
        message_imprint: sha256_imprint(&imprint)?,
        req_policy: None,
        nonce: Some(integer(nonce)?),
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .map_err(Error::Der)
}

/// Checks a DER `TimeStampResp` against the request made with [`timestamp_request`]:
/// the status is granted, a token is there, its TSTInfo's messageImprint is SHA-256
/// of `imprint` and its nonce is `nonce`. Returns the token (a DER `ContentInfo`) for
/// [`finish_with_timestamp`]. The token's own signature is not checked here
/// ([`crate::verify`] does).
pub fn timestamp_token(response: &[u8], imprint: [u8; 32], nonce: u64) -> Result<Vec<u8>, Error> {
    let bad = |e: der::Error| Error::Timestamp(format!("not a TimeStampResp: {e}"));
    let response = TimeStampResp::from_der(response).map_err(bad)?;
    match response.status.status {
        PkiStatus::Accepted | PkiStatus::GrantedWithMods => {}
        status => {
            let text: Vec<String> = response
                .status
                .status_string
                .iter()
                .flatten()
                .map(|s| s.as_str().to_owned())
                .collect();
            return Err(Error::Timestamp(format!(
                "the TSA refused ({status:?}): {}",
                text.join("; ")
            )));
        }
    }
    let token = response
        .time_stamp_token
        .ok_or_else(|| Error::Timestamp("the TSA granted but sent no token".into()))?;
    let tst = tst_info(&token)?;
    check_imprint(&tst, imprint)?;
    if tst.nonce.as_ref() != Some(&integer(nonce)?) {
        return Err(Error::Timestamp(
            "the token's nonce is not the request's".into(),
        ));
    }
    token.to_der().map_err(Error::Der)
}

/// [`crate::finish`] with a signature timestamp: the SignerInfo gets the unsigned
/// attribute id-aa-signatureTimeStampToken holding `timestamp_token_der` (a DER
/// `ContentInfo`, as [`timestamp_token`] returns it). A token whose messageImprint
/// is not [`signature_timestamp_imprint`] of `signature` is refused.
pub fn finish_with_timestamp(
    prepared: Prepared,
    signed_attrs: &SignedAttrs,
    signature: &[u8],
    signature_algorithm: SignatureAlgorithm,
    chain: &[&[u8]],
    timestamp_token_der: &[u8],
) -> Result<Vec<u8>, Error> {
    if signed_attrs.message_digest() != prepared.digest() {
        return Err(Error::DigestMismatch);
    }
    let unsigned = timestamp_attribute(timestamp_token_der, signature, signature_algorithm)?;
    let envelope = cms_der::Envelope {
        content: None,
        chain: Some(chain),
        unsigned_attrs: Some(unsigned),
    };
    let cms = cms_der::signed_data(signed_attrs, signature, signature_algorithm, envelope)?;
    prepared.embed(&cms)
}

/// The unsigned attributes holding `timestamp_token_der` as the
/// id-aa-signatureTimeStampToken of `signature`; a token of other data is refused.
pub(crate) fn timestamp_attribute(
    timestamp_token_der: &[u8],
    signature: &[u8],
    signature_algorithm: SignatureAlgorithm,
) -> Result<x509_cert::attr::Attributes, Error> {
    let token = ContentInfo::from_der(timestamp_token_der)
        .map_err(|e| Error::Timestamp(format!("the token is not a ContentInfo: {e}")))?;
    check_imprint(
        &tst_info(&token)?,
        signature_timestamp_imprint(signature, signature_algorithm)?,
    )?;
    SetOfVec::try_from(vec![Attribute {
        oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
        values: SetOfVec::try_from(vec![cms_der::any(&token)?]).map_err(Error::Der)?,
    }])
    .map_err(Error::Der)
}

/// The TSTInfo inside a token: a SignedData whose content is id-ct-TSTInfo.
pub(crate) fn tst_info(token: &ContentInfo) -> Result<TstInfo, Error> {
    let bad = |what: &str| Error::Timestamp(format!("the token is not a timestamp: {what}"));
    let signed: SignedData = token
        .content
        .decode_as()
        .map_err(|_| bad("no SignedData"))?;
    if signed.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(bad("its content is not a TSTInfo"));
    }
    let content = signed
        .encap_content_info
        .econtent
        .ok_or_else(|| bad("no content"))?;
    let octets: OctetString = content.decode_as().map_err(|_| bad("no content"))?;
    TstInfo::from_der(octets.as_bytes()).map_err(|_| bad("a malformed TSTInfo"))
}

fn check_imprint(tst: &TstInfo, imprint: [u8; 32]) -> Result<(), Error> {
    if tst.message_imprint.hash_algorithm.oid != ID_SHA256
        || tst.message_imprint.hashed_message.as_bytes() != imprint
    {
        return Err(Error::Timestamp(
            "the token timestamps other data: its messageImprint is not the signature's".into(),
        ));
    }
    Ok(())
}

/// The time a timestamp token (a DER `ContentInfo`, as [`timestamp_token`]
/// returns it) says it was made: its TSTInfo's genTime.
pub fn timestamp_token_time(token_der: &[u8]) -> Result<DateTime<Utc>, Error> {
    let token = ContentInfo::from_der(token_der)
        .map_err(|e| Error::Timestamp(format!("not a timestamp token: {e}")))?;
    gen_time(&tst_info(&token)?).ok_or_else(|| Error::Timestamp("a genTime out of range".into()))
}

/// genTime of a TSTInfo.
pub(crate) fn gen_time(tst: &TstInfo) -> Option<DateTime<Utc>> {
    let since = tst.gen_time.to_unix_duration();
    DateTime::from_timestamp(i64::try_from(since.as_secs()).ok()?, since.subsec_nanos())
}

fn sha256_imprint(imprint: &[u8; 32]) -> Result<MessageImprint, Error> {
    Ok(MessageImprint {
        hash_algorithm: AlgorithmIdentifier {
            oid: ID_SHA256,
            parameters: None,
        },
        hashed_message: cms_der::octets(imprint)?,
    })
}

/// A non-negative INTEGER: big-endian, no redundant leading zeros, a 0x00 before a
/// high first bit.
fn integer(n: u64) -> Result<Int, Error> {
    let bytes = n.to_be_bytes();
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    let mut v = Vec::with_capacity(9);
    if bytes[start] & 0x80 != 0 {
        v.push(0);
    }
    v.extend_from_slice(&bytes[start..]);
    Int::new(&v).map_err(Error::Der)
}

/// A timestamp request as a timestamp authority reads it.
#[derive(Debug, Clone)]
pub struct TimestampRequest {
    imprint: [u8; 32],
    nonce: Option<Int>,
    cert_req: bool,
}

/// Why a timestamp authority does not grant a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimestampRefusal {
    /// The body is not a DER `TimeStampReq` (an HTTP 400: nothing to answer in kind).
    NotDer,
    /// The messageImprint is not SHA-256 of 32 bytes (`badAlg`).
    BadAlgorithm,
    /// A policy or an extension was asked for that this TSA does not know
    /// (`unacceptedPolicy`, `unacceptedExtension`).
    Unaccepted,
}

impl TimestampRequest {
    /// Reads a DER `TimeStampReq`: SHA-256 imprints only, no requested policy and no
    /// extensions.
    pub fn parse(der: &[u8]) -> Result<Self, TimestampRefusal> {
        let req = TimeStampReq::from_der(der).map_err(|_| TimestampRefusal::NotDer)?;
        let imprint = &req.message_imprint;
        let params_ok = imprint
            .hash_algorithm
            .parameters
            .as_ref()
            .is_none_or(|p| der::Tagged::tag(p) == der::Tag::Null);
        let imprint: [u8; 32] = match imprint.hashed_message.as_bytes().try_into() {
            Ok(bytes) if imprint.hash_algorithm.oid == ID_SHA256 && params_ok => bytes,
            _ => return Err(TimestampRefusal::BadAlgorithm),
        };
        if req.req_policy.is_some() || req.extensions.is_some() {
            return Err(TimestampRefusal::Unaccepted);
        }
        Ok(Self {
            imprint,
            nonce: req.nonce,
            cert_req: req.cert_req,
        })
    }

    /// The SHA-256 imprint to timestamp.
    pub fn imprint(&self) -> [u8; 32] {
        self.imprint
    }

    /// Whether the client asked for the TSA's certificate in the token.
    pub fn cert_req(&self) -> bool {
        self.cert_req
    }

    /// The TSTInfo and its signed attributes for a token of this request: `serial`
    /// (unique per TSA), `gen_time` (seconds precision), `policy` (dotted OID of the
    /// TSA's policy), signed by the holder of `tsa_cert_der`.
    pub fn token_to_sign(
        &self,
        serial: u64,
        gen_time: DateTime<Utc>,
        policy: &str,
        tsa_cert_der: &[u8],
    ) -> Result<TokenToSign, Error> {
        let policy = ObjectIdentifier::new(policy).map_err(|_| Error::Options("policy OID"))?;
        let since = u64::try_from(gen_time.timestamp())
            .map_err(|_| Error::Options("a genTime before 1970"))?;
        let tst = TstInfo {
            version: TspVersion::V1,
            policy,
            message_imprint: sha256_imprint(&self.imprint)?,
            serial_number: integer(serial)?,
            gen_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(since))
                .map_err(Error::Der)?,
            accuracy: None,
            ordering: false,
            nonce: self.nonce.clone(),
            tsa: None,
            extensions: None,
        }
        .to_der()
        .map_err(Error::Der)?;
        let attrs = cms_der::signed_attributes_of(
            ID_CT_TST_INFO,
            Sha256::digest(&tst).into(),
            tsa_cert_der,
        )?;
        Ok(TokenToSign {
            tst,
            attrs,
            cert_req: self.cert_req,
        })
    }
}

/// A timestamp token waiting for the TSA's signature of [`Self::hash_to_sign`].
#[derive(Debug, Clone)]
pub struct TokenToSign {
    tst: Vec<u8>,
    attrs: SignedAttrs,
    cert_req: bool,
}

impl TokenToSign {
    /// SHA-256 of the token's signed attributes: what the TSA's key signs.
    pub fn hash_to_sign(&self) -> [u8; 32] {
        self.attrs.hash_to_sign()
    }

    /// The DER `TimeStampResp` (status granted) with the signed token; the TSA's
    /// certificate and `chain` are in it when the request asked (`certReq`).
    pub fn granted(
        &self,
        signature: &[u8],
        algorithm: SignatureAlgorithm,
        chain: &[&[u8]],
    ) -> Result<Vec<u8>, Error> {
        let envelope = cms_der::Envelope {
            content: Some((ID_CT_TST_INFO, &self.tst)),
            chain: self.cert_req.then_some(chain),
            unsigned_attrs: None,
        };
        let token = cms_der::signed_data(&self.attrs, signature, algorithm, envelope)?;
        TimeStampResp {
            status: PkiStatusInfo {
                status: PkiStatus::Accepted,
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: Some(ContentInfo::from_der(&token).map_err(Error::Der)?),
        }
        .to_der()
        .map_err(Error::Der)
    }
}

/// The DER `TimeStampResp` refusing a request (status rejection, the failure
/// information for `why`, and `text` for people).
pub fn timestamp_rejection(why: &TimestampRefusal, text: &str) -> Result<Vec<u8>, Error> {
    let fail = match why {
        TimestampRefusal::NotDer => PkiFailureInfoValues::BadDataFormat,
        TimestampRefusal::BadAlgorithm => PkiFailureInfoValues::BadAlg,
        TimestampRefusal::Unaccepted => PkiFailureInfoValues::UnacceptedPolicy,
    };
    TimeStampResp {
        status: PkiStatusInfo {
            status: PkiStatus::Rejection,
            status_string: Some(vec![Utf8StringRef::new(text).map_err(Error::Der)?]),
            fail_info: Some(fail.into()),
        },
        time_stamp_token: None,
    }
    .to_der()
    .map_err(Error::Der)
}

/// The extension a TSA certificate needs (RFC 3161 section 2.3): extended key usage
/// timeStamping alone, critical. For x509-cert's `CertificateBuilder::add_extension`
/// (its own `ExtendedKeyUsage` is never marked critical).
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeStampingUsage;

impl TimeStampingUsage {
    fn usage() -> ExtendedKeyUsage {
        ExtendedKeyUsage(vec![ID_KP_TIME_STAMPING])
    }
}

impl const_oid::AssociatedOid for TimeStampingUsage {
    const OID: ObjectIdentifier = ID_CE_EXT_KEY_USAGE;
}

impl Encode for TimeStampingUsage {
    fn encoded_len(&self) -> der::Result<der::Length> {
        Self::usage().encoded_len()
    }

    fn encode(&self, writer: &mut impl der::Writer) -> der::Result<()> {
        Self::usage().encode(writer)
    }
}

impl AsExtension for TimeStampingUsage {
    fn critical(&self, _: &x509_cert::name::Name, _: &[x509_cert::ext::Extension]) -> bool {
        true
    }
}
