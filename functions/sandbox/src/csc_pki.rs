//! The cryptography of the sandbox's signing provider: P-256 keys, the
//! development CA and the signer certificates it issues (X.509 v3, RustCrypto's
//! builder), ECDSA signatures of hashes, and private keys sealed with
//! ChaCha20-Poly1305 under a key derived from `sandbox_key_secret`.

use std::time::Duration;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit, Nonce};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::ecdsa::{DerSignature, Signature, SigningKey};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::asn1::{Any, SetOfVec};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Decode, Encode, EncodePem, Tag, pem::LineEnding};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

/// What went wrong (always the sandbox's fault: a 500).
pub(crate) type PkiResult<T> = Result<T, String>;

const CN: &str = "2.5.4.3";
const SURNAME: &str = "2.5.4.4";
const SERIAL_NUMBER: &str = "2.5.4.5";
const GIVEN_NAME: &str = "2.5.4.42";
const O: &str = "2.5.4.10";
const C: &str = "2.5.4.6";

/// The CA's distinguished name, as `credentials/info` states it.
pub(crate) const CA_DN: &str = "CN=Ghiseu Sandbox CA,O=Ghiseu,C=RO";

/// `n` random bytes from the CSPRNG (WASI random on wasm32-wasip2).
pub(crate) fn random<const N: usize>() -> PkiResult<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness: {e}"))?;
    Ok(buf)
}

pub(crate) use ghiseu_platform::session::hex;

/// SHA-256, hex.
pub(crate) fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex(&h.finalize())
}

/// A fresh P-256 key.
pub(crate) fn new_key() -> PkiResult<SigningKey> {
    // A random 32-byte string is a valid scalar but with probability ~2^-32.
    for _ in 0..8 {
        if let Ok(key) = SigningKey::from_slice(&random::<32>()?) {
            return Ok(key);
        }
    }
    Err("could not draw a P-256 key".to_owned())
}

/// The ECDSA signature (DER `ECDSA-Sig-Value`) of a SHA-256 hash.
pub(crate) fn sign(key: &SigningKey, hash: &[u8; 32]) -> PkiResult<Vec<u8>> {
    let signature: Signature = key.sign_prehash(hash).map_err(|e| e.to_string())?;
    Ok(signature.to_der().as_bytes().to_vec())
}

fn name(parts: &[(&str, &str)]) -> PkiResult<Name> {
    let rdns = parts
        .iter()
        .map(|(oid, value)| {
            let tag = if *oid == C || *oid == SERIAL_NUMBER {
                Tag::PrintableString
            } else {
                Tag::Utf8String
            };
            let atv = AttributeTypeAndValue {
                oid: ObjectIdentifier::new_unwrap(oid),
                value: Any::new(tag, value.as_bytes()).map_err(|e| e.to_string())?,
            };
            let set = SetOfVec::try_from(vec![atv]).map_err(|e| e.to_string())?;
            Ok(RelativeDistinguishedName(set))
        })
        .collect::<PkiResult<Vec<_>>>()?;
    Ok(RdnSequence(rdns))
}

fn ca_name() -> PkiResult<Name> {
    name(&[(CN, "Ghiseu Sandbox CA"), (O, "Ghiseu"), (C, "RO")])
}

/// A positive random serial number of 16 bytes.
fn serial() -> PkiResult<SerialNumber> {
    let mut bytes = random::<16>()?;
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    SerialNumber::new(&bytes).map_err(|e| e.to_string())
}

/// The self-signed root "Ghiseu Sandbox CA" of `key`, valid 20 years (DER).
pub(crate) fn self_signed_ca(key: &SigningKey) -> PkiResult<Vec<u8>> {
    let spki =
        SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(|e| e.to_string())?;
    let validity =
        Validity::from_now(Duration::from_secs(20 * 365 * 86_400)).map_err(|e| e.to_string())?;
    CertificateBuilder::new(Profile::Root, serial()?, validity, ca_name()?, spki, key)
        .map_err(|e| e.to_string())?
        .build::<DerSignature>()
        .map_err(|e| e.to_string())?
        .to_der()
        .map_err(|e| e.to_string())
}

/// What a certificate the CA issues is for.
#[derive(Clone, Copy)]
pub(crate) enum Usage {
    /// A signer's: key usage digitalSignature and nonRepudiation.
    Signing,
    /// The TSA's: extendedKeyUsage timeStamping alone, critical (RFC 3161 2.3).
    TimeStamping,
}

/// Whom a certificate names: a common name and, for a natural person whose
/// identity was verified, the names and the ETSI EN 319 412-1 identifier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Subject {
    /// commonName.
    pub(crate) common_name: String,
    /// givenName.
    pub(crate) given_name: Option<String>,
    /// surname.
    pub(crate) surname: Option<String>,
    /// serialNumber, e.g. `PNORO-{CNP}` (PrintableString).
    pub(crate) serial_number: Option<String>,
    /// organizationName: a legal person's seal names the institution.
    pub(crate) organization: Option<String>,
}

impl Subject {
    /// A subject named by its common name alone.
    pub(crate) fn named(common_name: &str) -> Self {
        Self {
            common_name: common_name.to_owned(),
            ..Self::default()
        }
    }

    /// The attributes, in the certificate's order (C last).
    fn attributes(&self) -> Vec<(&'static str, &str)> {
        let mut parts = vec![(CN, self.common_name.as_str())];
        let optional = [
            (SURNAME, &self.surname),
            (GIVEN_NAME, &self.given_name),
            (SERIAL_NUMBER, &self.serial_number),
            (O, &self.organization),
        ];
        parts.extend(
            optional
                .into_iter()
                .filter_map(|(oid, v)| v.as_deref().map(|v| (oid, v))),
        );
        parts.push((C, "RO"));
        parts
    }

    /// The distinguished name as `credentials/info` states it (RFC 4514
    /// short names, in the certificate's order).
    pub(crate) fn dn(&self) -> String {
        let short = |oid: &str| match oid {
            CN => "CN",
            SURNAME => "SN",
            GIVEN_NAME => "GN",
            SERIAL_NUMBER => "serialNumber",
            O => "O",
            _ => "C",
        };
        let escape = |v: &str| {
            v.chars().fold(String::new(), |mut out, c| {
                if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
                    out.push('\\');
                }
                out.push(c);
                out
            })
        };
        self.attributes()
            .iter()
            .map(|(oid, v)| format!("{}={}", short(oid), escape(v)))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A certificate (the `subject`, key usage digitalSignature and
/// nonRepudiation, and what `usage` adds; valid two years) for `subject_key`,
/// issued by the CA.
pub(crate) fn issue(
    ca_key: &SigningKey,
    subject: &Subject,
    subject_key: &SigningKey,
    usage: Usage,
) -> PkiResult<Vec<u8>> {
    let spki = SubjectPublicKeyInfoOwned::from_key(*subject_key.verifying_key())
        .map_err(|e| e.to_string())?;
    let validity =
        Validity::from_now(Duration::from_secs(2 * 365 * 86_400)).map_err(|e| e.to_string())?;
    let profile = Profile::Leaf {
        issuer: ca_name()?,
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let subject = name(&subject.attributes())?;
    let mut builder = CertificateBuilder::new(profile, serial()?, validity, subject, spki, ca_key)
        .map_err(|e| e.to_string())?;
    if let Usage::TimeStamping = usage {
        builder
            .add_extension(&ghiseu_pades::TimeStampingUsage)
            .map_err(|e| e.to_string())?;
    }
    builder
        .build::<DerSignature>()
        .map_err(|e| e.to_string())?
        .to_der()
        .map_err(|e| e.to_string())
}

/// What `credentials/info` says of a certificate.
pub(crate) struct CertFacts {
    pub(crate) serial_hex: String,
    pub(crate) valid_from: String,
    pub(crate) valid_to: String,
}

/// Serial number and validity of a DER certificate (GeneralizedTime text,
/// as CSC's `validFrom`/`validTo`).
pub(crate) fn facts(der: &[u8]) -> PkiResult<CertFacts> {
    let cert = Certificate::from_der(der).map_err(|e| e.to_string())?;
    let tbs = &cert.tbs_certificate;
    let when = |t: x509_cert::time::Time| {
        chrono::DateTime::<chrono::Utc>::from(t.to_system_time())
            .format("%Y%m%d%H%M%SZ")
            .to_string()
    };
    Ok(CertFacts {
        serial_hex: hex(tbs.serial_number.as_bytes()),
        valid_from: when(tbs.validity.not_before),
        valid_to: when(tbs.validity.not_after),
    })
}

/// PEM of a DER certificate.
pub(crate) fn pem(der: &[u8]) -> PkiResult<String> {
    Certificate::from_der(der)
        .and_then(|c| c.to_pem(LineEnding::LF))
        .map_err(|e| e.to_string())
}

/// Seals private keys under a key derived from `sandbox_key_secret`.
pub(crate) struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl Sealer {
    /// `None` when the secret is empty: the provider refuses to keep keys
    /// in the clear.
    pub(crate) fn new(secret: &str) -> Option<Self> {
        if secret.is_empty() {
            return None;
        }
        let key = Sha256::new()
            .chain_update(b"ghiseu sandbox csc key sealing\0")
            .chain_update(secret.as_bytes())
            .finalize();
        Some(Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
        })
    }

    /// nonce ‖ ciphertext of `key`, bound to `context` (the record it lives in).
    pub(crate) fn seal(&self, context: &str, key: &SigningKey) -> PkiResult<Vec<u8>> {
        let nonce = random::<12>()?;
        let secret = key.to_bytes();
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_slice(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|e| e.to_string())?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// The key sealed by [`Sealer::seal`] for `context`.
    pub(crate) fn open(&self, context: &str, sealed: &[u8]) -> PkiResult<SigningKey> {
        if sealed.len() < 12 {
            return Err("sealed key too short".to_owned());
        }
        let (nonce, ciphertext) = sealed.split_at(12);
        let secret = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| {
                "a sealed key does not open (was sandbox_key_secret changed?)".to_owned()
            })?;
        SigningKey::from_slice(&secret).map_err(|e| e.to_string())
    }
}
