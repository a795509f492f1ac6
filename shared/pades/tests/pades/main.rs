//! Signed cereri checked by the validators a recipient would use: poppler's `pdfsig`
//! (Debian `poppler-utils`, installed by `cargo xtask test`) and `openssl cms
//! -verify` against the development CA. The signing service is stood in for by a
//! local P-256 key that signs the hash exactly as `signatures/signHash` would.
//! `ghiseu_pades::verify` is checked against the same documents.

mod cades;
mod sign;
mod stamp;
mod timestamp;
mod verify;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use ghiseu_cerere::{Applicant, Cerere, Field, Lang, Reference, render};
use ghiseu_pades::{
    Error, PrepareOptions, Prepared, SignatureAlgorithm, finish, prepare, signed_attributes, verify,
};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::ecdsa::{DerSignature, Signature, SigningKey};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::asn1::UtcTime;
use x509_cert::der::{Encode, EncodePem, pem::LineEnding};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

/// The development CA and one signer it certified.
struct Pki {
    ca_der: Vec<u8>,
    ca_pem: String,
    signer_der: Vec<u8>,
    signer_key: SigningKey,
}

fn utc(secs: u64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(secs)).unwrap())
}

fn validity() -> Validity {
    // 2020-01-01 to 2049-12-31.
    Validity {
        not_before: utc(1_577_836_800),
        not_after: utc(2_524_521_600),
    }
}

fn pki(signer_cn: &str) -> Pki {
    pki_under(0x11, signer_cn)
}

/// A development CA whose key is `[ca_key_byte; 32]` (always named "Ghiseu Dev
/// CA": another byte is an impostor of the same name) and one signer it certified.
fn pki_under(ca_key_byte: u8, signer_cn: &str) -> Pki {
    let ca_key = SigningKey::from_slice(&[ca_key_byte; 32]).unwrap();
    let ca_name = Name::from_str("CN=Ghiseu Dev CA,O=Ghiseu,C=RO").unwrap();
    let ca_spki = SubjectPublicKeyInfoOwned::from_key(*ca_key.verifying_key()).unwrap();
    let ca = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(1u32),
        validity(),
        ca_name.clone(),
        ca_spki,
        &ca_key,
    )
    .unwrap()
    .build::<DerSignature>()
    .unwrap();

    let signer_key = SigningKey::from_slice(&[0x22; 32]).unwrap();
    let signer_spki = SubjectPublicKeyInfoOwned::from_key(*signer_key.verifying_key()).unwrap();
    let signer = CertificateBuilder::new(
        Profile::Leaf {
            issuer: ca_name,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::from(0x1234_5678u32),
        validity(),
        Name::from_str(&format!("CN={signer_cn},C=RO")).unwrap(),
        signer_spki,
        &ca_key,
    )
    .unwrap()
    .build::<DerSignature>()
    .unwrap();
    Pki {
        ca_der: ca.to_der().unwrap(),
        ca_pem: ca.to_pem(LineEnding::LF).unwrap(),
        signer_der: signer.to_der().unwrap(),
        signer_key,
    }
}

fn signing_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap()
}

fn cerere_pdf(applicant: &str) -> Vec<u8> {
    let fields = [Field {
        label: "Adresa imobilului",
        value: "Strada Eroilor nr. 17, Florești",
    }];
    render(&Cerere {
        lang: Lang::Ro,
        institution: "Primăria Florești",
        document_type: "Certificat de urbanism",
        applicant: Applicant {
            name: applicant,
            ..Applicant::default()
        },
        fields: &fields,
        attachments: &[],
        submitted_at: signing_time(),
        reference: Some(Reference::RegistrationNumber("FLR-2026-000042")),
    })
    .unwrap()
    .bytes
}

fn options(signer_name: &str) -> PrepareOptions<'_> {
    PrepareOptions {
        reason: Some("Semnătura solicitantului"),
        location: Some("Florești"),
        ..PrepareOptions::new(signer_name, signing_time())
    }
}

/// Prepare, sign the hash with the signer's key as the signing service would, finish.
fn sign(pdf: &[u8], pki: &Pki, signer_name: &str) -> Vec<u8> {
    sign_with(pdf, pki, &options(signer_name), &pki.signer_key)
}

/// [`sign`] with other options, and a key that may not be the certificate's.
fn sign_with(pdf: &[u8], pki: &Pki, options: &PrepareOptions<'_>, key: &SigningKey) -> Vec<u8> {
    let prepared = prepare(pdf, options).unwrap();
    let attrs = signed_attributes(prepared.digest(), &pki.signer_der).unwrap();
    let signature: DerSignature = key.sign_prehash(&attrs.hash_to_sign()).unwrap();
    finish(
        prepared,
        &attrs,
        signature.as_bytes(),
        SignatureAlgorithm::EcdsaP256Sha256,
        &[&pki.ca_der],
    )
    .unwrap()
}

fn tool(name: &str, package: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{name}` is not installed: these tests need Debian `{package}` (apt-get install {package})"
    );
    Command::new(name)
}

/// `pdfsig`'s report on `pdf`.
fn pdfsig(dir: &Path, pdf: &[u8]) -> String {
    let path = dir.join("signed.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdfsig", "poppler-utils")
        .arg(&path)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text + &String::from_utf8_lossy(&out.stderr)
}

/// The signed bytes and the DER CMS (without its zero padding) of a signed PDF.
fn split_signed(pdf: &[u8]) -> (Vec<u8>, Vec<u8>) {
    // The last /ByteRange, read the way a validator does.
    let key = b"/ByteRange [";
    let at = pdf.windows(key.len()).rposition(|w| w == key).unwrap() + key.len();
    let end = at + pdf[at..].iter().position(|&b| b == b']').unwrap();
    let range: Vec<usize> = std::str::from_utf8(&pdf[at..end])
        .unwrap()
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let (a, b) = (range[1], range[2]);
    assert_eq!(b + range[3], pdf.len(), "the ByteRange ends the file");
    let mut signed = pdf[..a].to_vec();
    signed.extend_from_slice(&pdf[b..]);
    let hex = &pdf[a + 1..b - 1];
    let bytes: Vec<u8> = hex
        .chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect();
    // DER length of the outer SEQUENCE: 0x30, then short or long form.
    assert_eq!(bytes[0], 0x30);
    let len = if bytes[1] < 0x80 {
        2 + usize::from(bytes[1])
    } else {
        let n = usize::from(bytes[1] & 0x7f);
        2 + n
            + bytes[2..2 + n]
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b))
    };
    assert!(
        bytes[len..].iter().all(|&b| b == 0),
        "only zero padding follows the CMS"
    );
    (signed, bytes[..len].to_vec())
}

/// `openssl cms -cmsout -print` of a signed PDF's CMS.
fn cms_print(dir: &Path, pdf: &[u8]) -> String {
    let (_, cms) = split_signed(pdf);
    std::fs::write(dir.join("cms.der"), cms).unwrap();
    let out = tool("openssl", "openssl")
        .current_dir(dir)
        .args([
            "cms", "-cmsout", "-print", "-inform", "DER", "-in", "cms.der",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn openssl_verify(dir: &Path, pdf: &[u8], ca_pem: &str) -> (bool, String) {
    let (signed, cms) = split_signed(pdf);
    let paths: [PathBuf; 3] = ["signed.bin", "cms.der", "ca.pem"].map(|n| dir.join(n));
    std::fs::write(&paths[0], signed).unwrap();
    std::fs::write(&paths[1], cms).unwrap();
    std::fs::write(&paths[2], ca_pem).unwrap();
    let out = tool("openssl", "openssl")
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any",
        ])
        .arg("-in")
        .arg(&paths[1])
        .arg("-content")
        .arg(&paths[0])
        .arg("-CAfile")
        .arg(&paths[2])
        .args(["-out", "/dev/null"])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn assert_valid(report: &str, common_name: &str) {
    assert!(
        report.contains(&format!("Signer Certificate Common Name: {common_name}")),
        "{report}"
    );
    assert!(
        report.contains("Signature Validation: Signature is Valid."),
        "{report}"
    );
    assert!(report.contains("Total document signed"), "{report}");
    assert!(
        report.contains("Signature Type: ETSI.CAdES.detached"),
        "{report}"
    );
}

/// Runs `openssl` in `dir` with the words of `command` and then `more` (for
/// arguments with spaces), panicking with its output if it fails.
fn openssl(dir: &Path, command: &str, more: &[&str]) {
    let out = tool("openssl", "openssl")
        .current_dir(dir)
        .args(command.split_whitespace())
        .args(more)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
