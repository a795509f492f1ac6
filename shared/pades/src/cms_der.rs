//! The CMS side: signed attributes (RFC 5652, RFC 5035) and the SignedData, built
//! from RustCrypto's types and DER-encoded by them.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
    ID_SIGNING_TIME,
};
use der::asn1::{Any, IntRef, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::Error;

pub(crate) const ID_SHA256: ObjectIdentifier = const_oid::db::rfc5912::ID_SHA_256;
pub(crate) const ECDSA_WITH_SHA256: ObjectIdentifier = const_oid::db::rfc5912::ECDSA_WITH_SHA_256;
pub(crate) const SHA256_WITH_RSA: ObjectIdentifier =
    const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION;

/// The algorithm the signing service used on [`SignedAttrs::hash_to_sign`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// ECDSA on P-256 with SHA-256 (`ecdsa-with-SHA256`).
    EcdsaP256Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (`sha256WithRSAEncryption`).
    RsaPkcs1Sha256,
}

impl SignatureAlgorithm {
    fn identifier(self) -> AlgorithmIdentifierOwned {
        match self {
            Self::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA256,
                parameters: None,
            },
            Self::RsaPkcs1Sha256 => AlgorithmIdentifierOwned {
                oid: SHA256_WITH_RSA,
                parameters: Some(Any::null()),
            },
        }
    }
}

/// The CMS signed attributes of one document and one signer certificate.
#[derive(Debug, Clone)]
pub struct SignedAttrs {
    attrs: Attributes,
    der: Vec<u8>,
    message_digest: [u8; 32],
    signer: Certificate,
}

impl SignedAttrs {
    /// The DER encoding of the attributes as a `SET OF Attribute`: what the
    /// signature covers (RFC 5652 section 5.4).
    pub fn to_be_signed(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of [`Self::to_be_signed`]: the hash to send to `signatures/signHash`.
    pub fn hash_to_sign(&self) -> [u8; 32] {
        Sha256::digest(&self.der).into()
    }

    /// The document digest these attributes cover.
    pub fn message_digest(&self) -> [u8; 32] {
        self.message_digest
    }
}

/// ESSCertIDv2 (RFC 5035) with the default hash algorithm (SHA-256), so
/// `hashAlgorithm` is absent as DER requires.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    pub(crate) cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// IssuerSerial (RFC 5035): the issuer as GeneralNames and the serial number.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// SigningCertificateV2 (RFC 5035) without policies.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub(crate) certs: Vec<EssCertIdV2>,
}

/// Builds the signed attributes for a document whose [`crate::Prepared::digest`] is
/// `prepared_digest`, signed by the certificate `signer_cert_der`: content type
/// (id-data), message digest and signing-certificate-v2 (SHA-256 of the certificate,
/// its issuer and serial number).
///
/// There is no signing-time attribute: PAdES baseline (ETSI EN 319 142-1) forbids it
/// and puts the claimed signing time in the signature dictionary's `/M` instead,
/// which [`crate::prepare`] writes.
///
/// Deterministic: calling it again with the same inputs gives the same bytes, so only
/// the inputs need to be kept while the signing service works.
pub fn signed_attributes(
    prepared_digest: [u8; 32],
    signer_cert_der: &[u8],
) -> Result<SignedAttrs, Error> {
    signed_attributes_of(ID_DATA, prepared_digest, signer_cert_der)
}

/// [`signed_attributes`] for content of the type `content_type` (id-data for a PDF,
/// id-ct-TSTInfo for a timestamp token).
pub(crate) fn signed_attributes_of(
    content_type: ObjectIdentifier,
    prepared_digest: [u8; 32],
    signer_cert_der: &[u8],
) -> Result<SignedAttrs, Error> {
    signed_attributes_with(content_type, prepared_digest, signer_cert_der, None)
}

/// [`signed_attributes_of`] with a signing-time attribute when `signing_time`
/// is given (CAdES baseline requires one; PAdES forbids it).
pub(crate) fn signed_attributes_with(
    content_type: ObjectIdentifier,
    prepared_digest: [u8; 32],
    signer_cert_der: &[u8],
    signing_time: Option<x509_cert::time::Time>,
) -> Result<SignedAttrs, Error> {
    let signer = Certificate::from_der(signer_cert_der).map_err(Error::Certificate)?;
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: octets(&Sha256::digest(signer_cert_der))?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    signer.tbs_certificate.issuer.clone(),
                )],
                serial_number: signer.tbs_certificate.serial_number.clone(),
            },
        }],
    };
    let mut attrs = vec![
        attribute(ID_CONTENT_TYPE, &content_type)?,
        attribute(ID_MESSAGE_DIGEST, &octets(&prepared_digest)?)?,
        attribute(ID_AA_SIGNING_CERTIFICATE_V_2, &ess)?,
    ];
    if let Some(time) = signing_time {
        attrs.push(attribute(ID_SIGNING_TIME, &time)?);
    }
    let attrs = SetOfVec::try_from(attrs).map_err(Error::Der)?;
    let der = attrs.to_der().map_err(Error::Der)?;
    Ok(SignedAttrs {
        attrs,
        der,
        message_digest: prepared_digest,
        signer,
    })
}

/// What a SignedData holds besides its one SignerInfo.
pub(crate) struct Envelope<'a> {
    /// The encapsulated content (type, DER) or `None` for a detached signature of data.
    pub(crate) content: Option<(ObjectIdentifier, &'a [u8])>,
    /// The certificates after the signer's; `None` leaves out the signer's too.
    pub(crate) chain: Option<&'a [&'a [u8]]>,
    /// The SignerInfo's unsigned attributes (a signature timestamp).
    pub(crate) unsigned_attrs: Option<Attributes>,
}

/// The signature value as the SignerInfo holds it: ECDSA always as DER.
pub(crate) fn signature_value(
    signature: &[u8],
    algorithm: SignatureAlgorithm,
) -> Result<Vec<u8>, Error> {
    match algorithm {
        SignatureAlgorithm::EcdsaP256Sha256 => ecdsa_der(signature),
        SignatureAlgorithm::RsaPkcs1Sha256 => {
            if signature.is_empty() {
                return Err(Error::Signature("empty RSA signature"));
            }
            Ok(signature.to_vec())
        }
    }
}

/// The DER `ContentInfo` holding the SignedData.
pub(crate) fn signed_data(
    signed_attrs: &SignedAttrs,
    signature: &[u8],
    algorithm: SignatureAlgorithm,
    envelope: Envelope<'_>,
) -> Result<Vec<u8>, Error> {
    let signature = signature_value(signature, algorithm)?;
    let signer = &signed_attrs.signer;
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: signer.tbs_certificate.issuer.clone(),
            serial_number: signer.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(signed_attrs.attrs.clone()),
        signature_algorithm: algorithm.identifier(),
        signature: octets(&signature)?,
        unsigned_attrs: envelope.unsigned_attrs,
    };
    let mut certificates = vec![CertificateChoices::Certificate(signer.clone())];
    for der in envelope.chain.unwrap_or_default() {
        let cert = Certificate::from_der(der).map_err(Error::Certificate)?;
        if !certificates
            .iter()
            .any(|c| matches!(c, CertificateChoices::Certificate(c) if *c == cert))
        {
            certificates.push(CertificateChoices::Certificate(cert));
        }
    }
    let certificates = match envelope.chain {
        Some(_) => Some(CertificateSet(
            SetOfVec::try_from(certificates).map_err(Error::Der)?,
        )),
        None => None,
    };
    let (econtent_type, econtent) = match envelope.content {
        Some((oid, der)) => (oid, Some(any(&octets(der)?)?)),
        None => (ID_DATA, None),
    };
    let signed_data = SignedData {
        // RFC 5652 section 5.1: version 3 when the content is not id-data.
        version: if econtent_type == ID_DATA {
            CmsVersion::V1
        } else {
            CmsVersion::V3
        },
        digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(Error::Der)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type,
            econtent,
        },
        certificates,
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(Error::Der)?),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: any(&signed_data)?,
    }
    .to_der()
    .map_err(Error::Der)
}

/// The `ECDSA-Sig-Value` DER, from either DER or the fixed-size `r || s` form that
/// some signing services return.
fn ecdsa_der(signature: &[u8]) -> Result<Vec<u8>, Error> {
    #[derive(Sequence)]
    struct EcdsaSigValue<'a> {
        r: IntRef<'a>,
        s: IntRef<'a>,
    }
    if EcdsaSigValue::from_der(signature).is_ok() {
        return Ok(signature.to_vec());
    }
    if signature.len() != 64 {
        return Err(Error::Signature(
            "an ECDSA P-256 signature is DER or 64 bytes r || s",
        ));
    }
    let (r, s) = signature.split_at(32);
    // INTEGERs are signed: a leading 0x00 keeps a high first bit positive, and
    // redundant leading zeros are not allowed.
    fn integer(bytes: &[u8]) -> Vec<u8> {
        let start = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        let mut v = Vec::with_capacity(33);
        if bytes[start] & 0x80 != 0 {
            v.push(0);
        }
        v.extend_from_slice(&bytes[start..]);
        v
    }
    let (r, s) = (integer(r), integer(s));
    EcdsaSigValue {
        r: IntRef::new(&r).map_err(Error::Der)?,
        s: IntRef::new(&s).map_err(Error::Der)?,
    }
    .to_der()
    .map_err(Error::Der)
}

pub(crate) fn octets(bytes: &[u8]) -> Result<OctetString, Error> {
    OctetString::new(bytes).map_err(Error::Der)
}

pub(crate) fn attribute(oid: ObjectIdentifier, value: &impl Encode) -> Result<Attribute, Error> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![any(value)?]).map_err(Error::Der)?,
    })
}

pub(crate) fn any(value: &impl Encode) -> Result<Any, Error> {
    Any::from_der(&value.to_der().map_err(Error::Der)?).map_err(Error::Der)
}
