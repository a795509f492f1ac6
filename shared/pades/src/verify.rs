//! Verification of the signatures in a PDF: every signature dictionary, its byte
//! ranges, its CMS SignedData (message digest, signature over the signed attributes)
//! and its signer's chain to trusted roots.
//!
//! The input comes from the public: nothing here indexes without checking, and a
//! malformed signature becomes a [`SignatureReport`] with problems, not an error.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME};
use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1};
use der::asn1::OctetString;
use der::{Decode, Encode, Reader as _, SliceReader, Tag, Tagged as _};
use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use x509_cert::name::Name;

use crate::Error;
use crate::cms_der::{ECDSA_WITH_SHA256, ID_SHA256, SHA256_WITH_RSA, SigningCertificateV2};
use crate::tsp::{self, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};

/// Longest chain from the signer to a trusted root that is followed.
const MAX_CHAIN: usize = 8;
/// Deepest `/Parent` nesting followed for a field's full name.
const MAX_FIELD_DEPTH: usize = 32;

/// What [`verify`](crate::verify()) found in a PDF.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every signature, in the order they were added (by the position of their
    /// `/Contents`): the last one is the newest.
    pub signatures: Vec<SignatureReport>,
    /// SHA-256 of the whole file as given.
    pub document_sha256: [u8; 32],
}

impl Report {
    /// At least one signature, every one [`SignatureReport::valid`], and the last one
    /// covers the whole document (nothing was appended after it).
    pub fn valid(&self) -> bool {
        self.signatures
            .last()
            .is_some_and(|s| s.covers_whole_document)
            && self.signatures.iter().all(SignatureReport::valid)
    }
}

/// The checks of one signature.
#[derive(Debug, Clone)]
pub struct SignatureReport {
    /// The signature field's full name (`/T` of it and its parents joined by `.`),
    /// empty for a signature dictionary that no field holds.
    pub field_name: String,
    /// The signer certificate's subject common name, or the whole subject when it
    /// has none; empty when the signer certificate is not in the CMS.
    pub signer: String,
    /// The signer certificate (DER), empty when it is not in the CMS.
    pub signer_certificate: Vec<u8>,
    /// The claimed signing time: a signing-time signed attribute if there is one,
    /// otherwise the signature dictionary's `/M` (where PAdES baseline puts it).
    /// Only claimed: no timestamp authority vouches for it.
    pub signing_time: Option<DateTime<Utc>>,
    /// genTime of the signature timestamp (unsigned attribute
    /// id-aa-signatureTimeStampToken, baseline B-T), when there is one that checks
    /// out: its messageImprint is SHA-256 of this signature value, its messageDigest
    /// covers its TSTInfo, its signature verifies with the TSA certificate it
    /// carries, and that certificate chains to a trusted root at genTime. A token
    /// that fails a check is left out with a problem; it does not make the signature
    /// invalid (it is then a B-B signature). The TSA certificate's extended key usage
    /// and revocation are not checked.
    pub timestamp: Option<DateTime<Utc>>,
    /// `/ByteRange` is `[0 a b c]` with `a..b` exactly this signature's `/Contents`
    /// string and `b + c` the end of the file.
    pub covers_whole_document: bool,
    /// The messageDigest attribute is the SHA-256 of the bytes `/ByteRange` names.
    pub digest_ok: bool,
    /// The SignerInfo's signature over the DER `SET OF` signed attributes verifies
    /// with the signer certificate's key (ECDSA P-256 or RSA PKCS#1 v1.5, SHA-256),
    /// and a signing-certificate-v2 attribute, if any, names that certificate.
    pub signature_ok: bool,
    /// The signer certificate chains, through certificates in the CMS, to one of the
    /// trusted roots: each certificate's signature verified, each issuer a CA, each
    /// validity period containing the signing time when it is known.
    pub chain_trusted: bool,
    /// Why a check failed, in words for the person who asked.
    pub problems: Vec<String>,
}

impl SignatureReport {
    /// The digest, the signature and the chain are all right. Whether the signature
    /// covers the whole document is not part of this: in a document signed twice the
    /// first signature never does; [`Report::valid`] asks it of the last one.
    pub fn valid(&self) -> bool {
        self.digest_ok && self.signature_ok && self.chain_trusted
    }
}

pub(crate) fn verify(pdf: &[u8], trusted_roots: &[Vec<u8>]) -> Result<Report, Error> {
    let roots = trusted_roots
        .iter()
        .map(|der| Certificate::from_der(der).map_err(Error::Certificate))
        .collect::<Result<Vec<_>, _>>()?;
    let document_sha256 = Sha256::digest(pdf).into();
    let doc = Document::load_mem(pdf).map_err(|e| Error::Pdf(e.to_string()))?;
    // An encrypted document's strings, /Contents aside, are encrypted: lopdf would
    // decrypt the signature's hexadecimal bytes too.
    if doc.is_encrypted() || doc.was_encrypted() {
        return Err(Error::Encrypted);
    }
    let mut found: Vec<(usize, SignatureReport)> = signature_dictionaries(&doc)
        .into_iter()
        .map(|(field_name, sig)| {
            let order = byte_range(&doc, sig)
                .ok()
                .and_then(|r| r.get(1).copied())
                .unwrap_or(0);
            (order, check(&doc, pdf, field_name, sig, &roots))
        })
        .collect();
    found.sort_by_key(|(order, _)| *order);
    Ok(Report {
        signatures: found.into_iter().map(|(_, s)| s).collect(),
        document_sha256,
    })
}

/// Every signature dictionary: the values of signature fields first (with the
/// field's name), then any other `/Type /Sig` dictionary (with an empty name).
fn signature_dictionaries(doc: &Document) -> Vec<(String, &Dictionary)> {
    let mut seen: BTreeSet<ObjectId> = BTreeSet::new();
    let mut out = Vec::new();
    for object in doc.objects.values() {
        let Ok(field) = object.as_dict() else {
            continue;
        };
        if !is_name(field.get(b"FT").ok(), b"Sig") {
            continue;
        }
        let value = match field.get(b"V") {
            Ok(Object::Reference(id)) => match doc.get_dictionary(*id) {
                Ok(d) => {
                    if !seen.insert(*id) {
                        continue;
                    }
                    d
                }
                Err(_) => continue,
            },
            Ok(Object::Dictionary(d)) => d,
            _ => continue,
        };
        out.push((field_name(doc, field), value));
    }
    for (id, object) in &doc.objects {
        if let Ok(d) = object.as_dict()
            && is_name(d.get(b"Type").ok(), b"Sig")
            && !seen.contains(id)
        {
            out.push((String::new(), d));
        }
    }
    out
}

fn is_name(object: Option<&Object>, name: &[u8]) -> bool {
    matches!(object, Some(Object::Name(n)) if n == name)
}

/// The field's `/T` preceded by its parents' names.
fn field_name(doc: &Document, field: &Dictionary) -> String {
    let mut parts = Vec::new();
    let mut current = Some(field);
    for _ in 0..MAX_FIELD_DEPTH {
        let Some(d) = current else { break };
        if let Ok(t) = d.get(b"T")
            && let Ok(name) = lopdf::decode_text_string(t)
        {
            parts.push(name);
        }
        current = d
            .get(b"Parent")
            .and_then(Object::as_reference)
            .and_then(|id| doc.get_dictionary(id))
            .ok();
    }
    parts.reverse();
    parts.join(".")
}

/// The numbers of `/ByteRange`, each a non-negative integer.
fn byte_range(doc: &Document, sig: &Dictionary) -> Result<Vec<usize>, String> {
    let object = sig
        .get(b"ByteRange")
        .map_err(|_| "the signature has no /ByteRange".to_owned())?;
    let (_, object) = doc
        .dereference(object)
        .map_err(|_| "the /ByteRange cannot be read".to_owned())?;
    let array = object
        .as_array()
        .map_err(|_| "the /ByteRange is not an array".to_owned())?;
    array
        .iter()
        .map(|n| {
            n.as_i64()
                .ok()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| "the /ByteRange holds something else than offsets".to_owned())
        })
        .collect()
}

fn check(
    doc: &Document,
    pdf: &[u8],
    field_name: String,
    sig: &Dictionary,
    roots: &[Certificate],
) -> SignatureReport {
    let mut report = SignatureReport {
        field_name,
        signer: String::new(),
        signer_certificate: Vec::new(),
        signing_time: sig
            .get(b"M")
            .ok()
            .and_then(|m| lopdf::decode_text_string(m).ok())
            .and_then(|m| parse_pdf_date(&m)),
        timestamp: None,
        covers_whole_document: false,
        digest_ok: false,
        signature_ok: false,
        chain_trusted: false,
        problems: Vec::new(),
    };
    let contents = match sig.get(b"Contents") {
        Ok(Object::String(bytes, _)) => bytes.as_slice(),
        _ => {
            report
                .problems
                .push("the signature has no /Contents string".into());
            return report;
        }
    };
    let range = match byte_range(doc, sig) {
        Ok(range) => range,
        Err(problem) => {
            report.problems.push(problem);
            return report;
        }
    };
    report.covers_whole_document = covers_whole_document(pdf, &range, contents);
    if !report.covers_whole_document {
        report.problems.push(
            "the signature does not cover the whole file: bytes were added after it (changes or a later signature)"
                .into(),
        );
    }
    let signed_digest = match ranges_digest(pdf, &range) {
        Ok(digest) => digest,
        Err(problem) => {
            report.problems.push(problem);
            return report;
        }
    };
    if let Err(problem) = check_cms(&mut report, contents, signed_digest, roots) {
        report.problems.push(problem);
    }
    report
}

/// `[0 a b c]` with `a..b` the `<...>` string that decodes to `contents` and
/// `b + c` the file's length.
fn covers_whole_document(pdf: &[u8], range: &[usize], contents: &[u8]) -> bool {
    let &[0, a, b, c] = range else {
        return false;
    };
    if a >= b || b.checked_add(c) != Some(pdf.len()) || b - a < 2 {
        return false;
    }
    let gap = &pdf[a..b];
    if gap.first() != Some(&b'<') || gap.last() != Some(&b'>') {
        return false;
    }
    let digits: Vec<u8> = gap[1..gap.len() - 1]
        .iter()
        .copied()
        .filter(|d| !d.is_ascii_whitespace())
        .collect();
    digits.len().is_multiple_of(2)
        && digits.len() / 2 == contents.len()
        && digits
            .chunks(2)
            .zip(contents)
            .all(|(pair, &byte)| hex_byte(pair) == Some(byte))
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    let [hi, lo] = pair else { return None };
    let digit = |d: &u8| char::from(*d).to_digit(16);
    u8::try_from(digit(hi)? << 4 | digit(lo)?).ok()
}

/// SHA-256 of the ranges `(offset, length)` of `/ByteRange`.
fn ranges_digest(pdf: &[u8], range: &[usize]) -> Result<[u8; 32], String> {
    if range.is_empty() || !range.len().is_multiple_of(2) {
        return Err("the /ByteRange is not a list of offset and length pairs".into());
    }
    let mut hasher = Sha256::new();
    for pair in range.chunks(2) {
        let bytes = pair[0]
            .checked_add(pair[1])
            .and_then(|end| pdf.get(pair[0]..end))
            .ok_or("the /ByteRange points outside the file")?;
        hasher.update(bytes);
    }
    Ok(hasher.finalize().into())
}

/// The CMS checks, filling `report`; an `Err` is the problem that stopped them.
fn check_cms(
    report: &mut SignatureReport,
    contents: &[u8],
    signed_digest: [u8; 32],
    roots: &[Certificate],
) -> Result<(), String> {
    let not_cms = |e: der::Error| format!("the signature is not a CMS SignedData: {e}");
    // The CMS is followed by the placeholder's zero padding.
    let mut reader = SliceReader::new(contents).map_err(not_cms)?;
    let info = ContentInfo::decode(&mut reader).map_err(not_cms)?;
    let rest = contents
        .get(usize::try_from(reader.position()).unwrap_or(usize::MAX)..)
        .unwrap_or_default();
    if rest.iter().any(|&b| b != 0) {
        return Err("the signature has bytes after its CMS".into());
    }
    if info.content_type != ID_SIGNED_DATA {
        return Err("the signature is not a CMS SignedData".into());
    }
    let signed_data: SignedData = info.content.decode_as().map_err(not_cms)?;
    let signer_info = match signed_data.signer_infos.0.as_slice() {
        [one] => one,
        other => return Err(format!("the CMS has {} signers, not one", other.len())),
    };
    let certificates = certificates(&signed_data);
    let signer = certificates
        .iter()
        .find(|cert| identifies(&signer_info.sid, cert))
        .ok_or("the signer's certificate is not in the CMS")?;
    report.signer = common_name(&signer.tbs_certificate.subject)
        .unwrap_or_else(|| signer.tbs_certificate.subject.to_string());
    report.signer_certificate = signer.to_der().map_err(|e| e.to_string())?;

    if signer_info.digest_alg.oid != ID_SHA256 {
        return Err(format!(
            "the digest algorithm {} is not supported (only SHA-256)",
            signer_info.digest_alg.oid
        ));
    }
    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .ok_or("the CMS has no signed attributes")?;
    if let Some(time) = attribute(signer_info, ID_SIGNING_TIME)
        // A CHOICE of UTCTime and GeneralizedTime: decoded from the whole TLV.
        .and_then(|v| v.to_der().ok())
        .and_then(|der| x509_cert::time::Time::from_der(&der).ok())
    {
        report.signing_time = from_unix(time.to_unix_duration());
    }
    let message_digest = attribute(signer_info, ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or("the CMS has no messageDigest attribute")?;
    report.digest_ok = message_digest.as_bytes() == signed_digest;
    if !report.digest_ok {
        report
            .problems
            .push("the signed bytes were changed: their digest is not the signed one".into());
    }

    let to_be_signed = attrs.to_der().map_err(|e| e.to_string())?;
    match verify_signature(
        &signer.tbs_certificate.subject_public_key_info,
        signer_info.signature_algorithm.oid,
        &to_be_signed,
        signer_info.signature.as_bytes(),
    ) {
        Ok(()) => report.signature_ok = true,
        Err(problem) => report.problems.push(format!(
            "the signature does not verify with the signer's certificate: {problem}"
        )),
    }
    if let Some(ess) = attribute(
        signer_info,
        const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
    )
    .and_then(|v| v.decode_as::<SigningCertificateV2>().ok())
        && ess.certs.first().map(|id| id.cert_hash.as_bytes())
            != Some(Sha256::digest(&report.signer_certificate).as_slice())
    {
        report.signature_ok = false;
        report
            .problems
            .push("the signed attributes name another signer certificate".into());
    }

    match chain(signer, &certificates, roots, report.signing_time) {
        Ok(()) => report.chain_trusted = true,
        Err(problem) => report.problems.push(problem),
    }
    if let Some(token) = unsigned_attribute(signer_info, ID_AA_SIGNATURE_TIME_STAMP_TOKEN) {
        match check_timestamp(token, signer_info.signature.as_bytes(), roots) {
            Ok(time) => report.timestamp = Some(time),
            Err(problem) => report.problems.push(format!(
                "the signature timestamp is not accepted: {problem}"
            )),
        }
    }
    Ok(())
}

/// The X.509 certificates a SignedData carries.
fn certificates(signed_data: &SignedData) -> Vec<Certificate> {
    signed_data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(cert) => Some(cert.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect()
}

/// The single value of the unsigned attribute `oid`.
fn unsigned_attribute(signer_info: &SignerInfo, oid: ObjectIdentifier) -> Option<&der::Any> {
    let attr = signer_info
        .unsigned_attrs
        .as_ref()?
        .iter()
        .find(|a| a.oid == oid)?;
    match attr.values.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The genTime of a signature timestamp token over `signature`; see
/// [`SignatureReport::timestamp`] for what is checked.
fn check_timestamp(
    token: &der::Any,
    signature: &[u8],
    roots: &[Certificate],
) -> Result<DateTime<Utc>, String> {
    let token: ContentInfo = token.decode_as().map_err(|e| e.to_string())?;
    let tst = tsp::tst_info(&token).map_err(|e| e.to_string())?;
    let imprint: [u8; 32] = Sha256::digest(signature).into();
    if tst.message_imprint.hash_algorithm.oid != ID_SHA256
        || tst.message_imprint.hashed_message.as_bytes() != imprint
    {
        return Err("it timestamps other data than this signature".into());
    }
    let time = tsp::gen_time(&tst).ok_or("its genTime is out of range")?;
    let signed: SignedData = token.content.decode_as().map_err(|e| e.to_string())?;
    let [signer_info] = signed.signer_infos.0.as_slice() else {
        return Err("it has not one signer".into());
    };
    let certificates = certificates(&signed);
    let tsa = certificates
        .iter()
        .find(|cert| identifies(&signer_info.sid, cert))
        .ok_or("the TSA's certificate is not in it")?;
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|c| c.decode_as::<OctetString>().ok())
        .ok_or("it has no TSTInfo")?;
    let digest = attribute(signer_info, ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or("it has no messageDigest")?;
    if digest.as_bytes() != Sha256::digest(content.as_bytes()).as_slice() {
        return Err("its TSTInfo was changed".into());
    }
    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .ok_or("it has no signed attributes")?
        .to_der()
        .map_err(|e| e.to_string())?;
    verify_signature(
        &tsa.tbs_certificate.subject_public_key_info,
        signer_info.signature_algorithm.oid,
        &attrs,
        signer_info.signature.as_bytes(),
    )?;
    chain(tsa, &certificates, roots, Some(time))?;
    Ok(time)
}

/// The single value of the signed attribute `oid`.
fn attribute(signer_info: &SignerInfo, oid: ObjectIdentifier) -> Option<&der::Any> {
    let attrs = signer_info.signed_attrs.as_ref()?;
    let attr = attrs.iter().find(|a| a.oid == oid)?;
    match attr.values.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = &cert.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            id.issuer == tbs.issuer && id.serial_number == tbs.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
            .extensions
            .iter()
            .flatten()
            .filter(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
            .filter_map(|e| SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
            .any(|own| own == *ski),
    }
}

/// The subject's first common name, if it is a string.
fn common_name(name: &Name) -> Option<String> {
    let value = name
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == const_oid::db::rfc4519::CN)?
        .value
        .clone();
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => {
            String::from_utf8(bytes.to_vec()).ok()
        }
        // UCS-2: two bytes a character.
        Tag::BmpString => char::decode_utf16(
            bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]])),
        )
        .collect::<Result<String, _>>()
        .ok(),
        // Latin-1 in practice.
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        _ => None,
    }
}

/// Checks `signature` over `message` with the key of `spki` and the algorithm
/// `algorithm` (the SignerInfo's or the certificate's).
fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let key_bytes = spki.subject_public_key.raw_bytes();
    match spki.algorithm.oid {
        ID_EC_PUBLIC_KEY => {
            use p256::ecdsa::signature::Verifier as _;
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            if curve != Some(SECP_256_R_1) {
                return Err("only the elliptic curve P-256 is supported".into());
            }
            // Some signers name the key's algorithm instead of the signature's.
            if algorithm != ECDSA_WITH_SHA256 && algorithm != ID_EC_PUBLIC_KEY {
                return Err(format!(
                    "the algorithm {algorithm} is not ECDSA with SHA-256"
                ));
            }
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                .map_err(|_| "the certificate's P-256 key is malformed".to_owned())?;
            let signature = p256::ecdsa::Signature::from_der(signature)
                .map_err(|_| "the ECDSA signature is malformed".to_owned())?;
            key.verify(message, &signature)
                .map_err(|_| "the ECDSA signature is wrong".into())
        }
        RSA_ENCRYPTION => {
            use rsa::pkcs1::DecodeRsaPublicKey as _;
            use rsa::signature::Verifier as _;
            use rsa::traits::PublicKeyParts as _;
            if algorithm != SHA256_WITH_RSA && algorithm != RSA_ENCRYPTION {
                return Err(format!(
                    "the algorithm {algorithm} is not RSA PKCS#1 v1.5 with SHA-256"
                ));
            }
            let key = rsa::RsaPublicKey::from_pkcs1_der(key_bytes)
                .map_err(|_| "the certificate's RSA key is malformed or too large".to_owned())?;
            if key.size() < 2048 / 8 {
                return Err("the RSA key is shorter than 2048 bits".into());
            }
            let signature = rsa::pkcs1v15::Signature::try_from(signature)
                .map_err(|_| "the RSA signature is malformed".to_owned())?;
            rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key)
                .verify(message, &signature)
                .map_err(|_| "the RSA signature is wrong".into())
        }
        other => Err(format!("the key algorithm {other} is not supported")),
    }
}

/// `issuer` signed `cert`.
fn issued(issuer: &Certificate, cert: &Certificate) -> bool {
    cert.tbs_certificate.issuer == issuer.tbs_certificate.subject
        && cert.tbs_certificate.to_der().is_ok_and(|tbs| {
            verify_signature(
                &issuer.tbs_certificate.subject_public_key_info,
                cert.signature_algorithm.oid,
                &tbs,
                cert.signature.raw_bytes(),
            )
            .is_ok()
        })
}

/// A basicConstraints extension with `cA` set, and no key usage that leaves out
/// certificate signing.
fn is_ca(cert: &Certificate) -> bool {
    let extensions = cert.tbs_certificate.extensions.iter().flatten();
    let mut ca = false;
    for e in extensions {
        if e.extn_id == const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS {
            ca = BasicConstraints::from_der(e.extn_value.as_bytes()).is_ok_and(|b| b.ca);
        } else if e.extn_id == const_oid::db::rfc5280::ID_CE_KEY_USAGE
            && !KeyUsage::from_der(e.extn_value.as_bytes()).is_ok_and(|k| k.key_cert_sign())
        {
            return false;
        }
    }
    ca
}

fn valid_at(cert: &Certificate, at: Option<DateTime<Utc>>) -> Result<(), String> {
    let Some(at) = at else { return Ok(()) };
    let validity = &cert.tbs_certificate.validity;
    let from = from_unix(validity.not_before.to_unix_duration());
    let until = from_unix(validity.not_after.to_unix_duration());
    if from.is_some_and(|from| at >= from) && until.is_some_and(|until| at <= until) {
        Ok(())
    } else {
        Err(format!(
            "the certificate of {} was not valid at the signing time",
            describe(cert)
        ))
    }
}

/// What a trust anchor is, as an administrator adding one needs to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The subject's common name, or the whole subject when it has none.
    pub subject: String,
    /// The issuer, the same way (the subject again for a self-signed root).
    pub issuer: String,
    /// Start of validity.
    pub not_before: Option<DateTime<Utc>>,
    /// End of validity.
    pub not_after: Option<DateTime<Utc>>,
    /// SHA-256 of the DER certificate.
    pub sha256: [u8; 32],
}

/// Checks that `der` can serve as a trust anchor for [`crate::verify`]: one
/// X.509 certificate, exactly (no trailing bytes), of a certification
/// authority (basicConstraints `cA`, and no key usage that leaves out
/// certificate signing); describes it. A root that [`crate::verify`] could
/// not read would make every verification fail, so nothing else is accepted.
pub fn describe_anchor(der: &[u8]) -> Result<Anchor, String> {
    let cert =
        Certificate::from_der(der).map_err(|e| format!("not a DER X.509 certificate: {e}"))?;
    if !is_ca(&cert) {
        return Err(format!(
            "{} is not a certification authority's certificate (no basicConstraints cA, or a \
             key usage without keyCertSign)",
            describe(&cert)
        ));
    }
    let validity = &cert.tbs_certificate.validity;
    Ok(Anchor {
        subject: describe(&cert),
        issuer: common_name(&cert.tbs_certificate.issuer)
            .unwrap_or_else(|| cert.tbs_certificate.issuer.to_string()),
        not_before: from_unix(validity.not_before.to_unix_duration()),
        not_after: from_unix(validity.not_after.to_unix_duration()),
        sha256: Sha256::digest(der).into(),
    })
}

fn describe(cert: &Certificate) -> String {
    common_name(&cert.tbs_certificate.subject)
        .unwrap_or_else(|| cert.tbs_certificate.subject.to_string())
}

/// Follows issuers from `signer` through `pool` (the CMS's certificates) to one of
/// `roots`.
fn chain(
    signer: &Certificate,
    pool: &[Certificate],
    roots: &[Certificate],
    at: Option<DateTime<Utc>>,
) -> Result<(), String> {
    let mut current = signer;
    for _ in 0..MAX_CHAIN {
        valid_at(current, at)?;
        if roots.contains(current) {
            return Ok(());
        }
        if let Some(root) = roots.iter().find(|root| issued(root, current)) {
            return valid_at(root, at);
        }
        current = pool
            .iter()
            .find(|c| *c != current && issued(c, current) && is_ca(c))
            .ok_or_else(|| {
                format!(
                    "the certificate of {} is not issued by a trusted root or a CA in the signature",
                    describe(current)
                )
            })?;
    }
    Err("the certificate chain is too long".into())
}

fn from_unix(since_epoch: std::time::Duration) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::try_from(since_epoch.as_secs()).ok()?, 0)
}

/// A PDF date, `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional.
fn parse_pdf_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (numbers, zone) = text.split_at(digits);
    if numbers.len() < 4 || !numbers.len().is_multiple_of(2) || numbers.len() > 14 {
        return None;
    }
    let part = |from: usize, default: u32| -> Option<u32> {
        numbers
            .get(from..from + 2)
            .map_or(Some(default), |s| s.parse().ok())
    };
    let year: i32 = numbers[..4].parse().ok()?;
    let local = NaiveDate::from_ymd_opt(year, part(4, 1)?, part(6, 1)?)?.and_hms_opt(
        part(8, 0)?,
        part(10, 0)?,
        part(12, 0)?,
    )?;
    let offset_minutes = match zone.as_bytes().first() {
        None | Some(b'Z') => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let rest: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            let hours: i64 = rest.get(..2)?.parse().ok()?;
            let minutes: i64 = rest.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            let total = hours * 60 + minutes;
            if sign == b'-' { -total } else { total }
        }
        Some(_) => return None,
    };
    let utc = Utc.from_utc_datetime(&local) - chrono::Duration::minutes(offset_minutes);
    Some(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_in_their_several_forms() {
        let at = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
        let cases = [
            ("D:20260302093000+00'00'", Some(at(2026, 3, 2, 9, 30, 0))),
            ("D:20260302093000Z", Some(at(2026, 3, 2, 9, 30, 0))),
            ("D:20260302113000+02'00'", Some(at(2026, 3, 2, 9, 30, 0))),
            ("D:20260302053000-04'00", Some(at(2026, 3, 2, 9, 30, 0))),
            ("20260302093000", Some(at(2026, 3, 2, 9, 30, 0))),
            ("D:2026", Some(at(2026, 1, 1, 0, 0, 0))),
            ("D:202613", None),
            ("D:20260302093000+0", None),
            ("D:", None),
            ("", None),
            ("D:2026030209300", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_pdf_date(text), expected, "{text}");
        }
    }
}
