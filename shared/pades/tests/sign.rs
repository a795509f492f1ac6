//! Signed cereri checked by the validators a recipient would use: poppler's `pdfsig`
//! (Debian `poppler-utils`, installed by `cargo xtask test`) and `openssl cms
//! -verify` against the development CA. The signing service is stood in for by a
//! local P-256 key that signs the hash exactly as `signatures/signHash` would.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use ghiseu_cerere::{Applicant, Cerere, Field, Lang, Reference, render};
use ghiseu_pades::{
    Error, PrepareOptions, Prepared, SignatureAlgorithm, finish, prepare, signed_attributes,
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
    let ca_key = SigningKey::from_slice(&[0x11; 32]).unwrap();
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
    let prepared = prepare(pdf, &options(signer_name)).unwrap();
    let attrs = signed_attributes(prepared.digest(), &pki.signer_der).unwrap();
    let signature: DerSignature = pki.signer_key.sign_prehash(&attrs.hash_to_sign()).unwrap();
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

#[test]
fn a_signed_cerere_is_valid_for_pdfsig_and_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki("Ion Popescu");
    let original = cerere_pdf("Ion Popescu");

    let signed = sign(&original, &pki, "Ion Popescu");

    assert!(signed.starts_with(&original), "the update only appends");
    let report = pdfsig(dir.path(), &signed);
    assert_valid(&report, "Ion Popescu");
    assert!(
        report.contains("Signature Field Name: Semnatura1"),
        "{report}"
    );
    assert!(
        report.contains("Signing Hash Algorithm: SHA-256"),
        "{report}"
    );
    // The claimed time comes from /M: the CMS has no signing-time attribute.
    assert!(
        report.contains("Signing Time: Mar 02 2026 09:30:00"),
        "{report}"
    );
    let (ok, out) = openssl_verify(dir.path(), &signed, &pki.ca_pem);
    assert!(ok, "{out}");
    assert!(out.contains("Verification successful"), "{out}");

    // The signed attributes PAdES baseline B-B asks for, and no signing-time.
    let (_, cms) = split_signed(&signed);
    std::fs::write(dir.path().join("cms.der"), cms).unwrap();
    let out = tool("openssl", "openssl")
        .current_dir(dir.path())
        .args([
            "cms", "-cmsout", "-print", "-inform", "DER", "-in", "cms.der",
        ])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    for attribute in [
        "contentType (1.2.840.113549.1.9.3)",
        "messageDigest (1.2.840.113549.1.9.4)",
        "signingCertificateV2 (1.2.840.113549.1.9.16.2.47)",
    ] {
        assert!(printed.contains(attribute), "{attribute}: {printed}");
    }
    assert!(!printed.contains("signingTime"), "{printed}");
}

#[test]
fn a_romanian_name_with_diacritics_is_shown_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let name = "Ștefan Țăranu";
    let pki = pki(name);

    let signed = sign(&cerere_pdf(name), &pki, name);

    assert_valid(&pdfsig(dir.path(), &signed), name);
    let (ok, out) = openssl_verify(dir.path(), &signed, &pki.ca_pem);
    assert!(ok, "{out}");
}

#[test]
fn a_byte_changed_after_signing_invalidates_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki("Ion Popescu");
    let original = cerere_pdf("Ion Popescu");
    let mut signed = sign(&original, &pki, "Ion Popescu");

    // A byte of the binary comment on the second line: the file stays readable, so
    // the validator gets as far as comparing the digest.
    let at = original.iter().position(|&b| b == b'\n').unwrap() + 2;
    signed[at] ^= 0x01;

    let report = pdfsig(dir.path(), &signed);
    assert!(!report.contains("Signature is Valid"), "{report}");
    assert!(
        report.contains("Signature Validation: Digest Mismatch."),
        "{report}"
    );
    let (ok, out) = openssl_verify(dir.path(), &signed, &pki.ca_pem);
    assert!(!ok, "{out}");
}

#[test]
fn twenty_five_documents_are_prepared_then_signed_with_one_batch_of_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki("Primar Ion Popescu");
    let originals: Vec<Vec<u8>> = (1..=25)
        .map(|i| cerere_pdf(&format!("Solicitant {i}")))
        .collect();

    // Phase 1 for every document, then one list of hashes for the signing service.
    let prepared: Vec<Prepared> = originals
        .iter()
        .map(|pdf| prepare(pdf, &options("Primar Ion Popescu")).unwrap())
        .collect();
    let attrs: Vec<_> = prepared
        .iter()
        .map(|p| signed_attributes(p.digest(), &pki.signer_der).unwrap())
        .collect();
    let hashes: Vec<[u8; 32]> = attrs.iter().map(|a| a.hash_to_sign()).collect();
    // The service answers with the raw r || s form; `finish` takes that too.
    let signatures: Vec<Signature> = hashes
        .iter()
        .map(|h| pki.signer_key.sign_prehash(h).unwrap())
        .collect();

    for (i, ((prepared, attrs), signature)) in prepared
        .into_iter()
        .zip(&attrs)
        .zip(&signatures)
        .enumerate()
    {
        let signed = finish(
            prepared,
            attrs,
            &signature.to_bytes(),
            SignatureAlgorithm::EcdsaP256Sha256,
            &[&pki.ca_der],
        )
        .unwrap();
        assert!(signed.starts_with(&originals[i]));
        assert_valid(&pdfsig(dir.path(), &signed), "Primar Ion Popescu");
        if i == 0 {
            let (ok, out) = openssl_verify(dir.path(), &signed, &pki.ca_pem);
            assert!(ok, "{out}");
        }
    }
}

#[test]
fn a_prepared_pdf_taken_back_from_storage_has_the_same_digest() {
    let original = cerere_pdf("Ion Popescu");
    let prepared = prepare(&original, &options("Ion Popescu")).unwrap();

    let again = Prepared::from_bytes(prepared.bytes().to_vec()).unwrap();

    assert_eq!(again.digest(), prepared.digest());
    assert_eq!(again.byte_range(), prepared.byte_range());
    assert!(matches!(
        Prepared::from_bytes(original),
        Err(Error::NotPrepared(_))
    ));
}

#[test]
fn a_pdf_with_cross_reference_streams_is_signed_too() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki("Ion Popescu");
    let mut doc = lopdf::Document::load_mem(&cerere_pdf("Ion Popescu")).unwrap();
    let mut modern = Vec::new();
    doc.save_modern(&mut modern).unwrap();
    assert!(
        modern
            .windows(10)
            .any(|w| w == b"/Type/XRef" || w == b"/Type /XRe"),
        "the input really uses a cross-reference stream"
    );

    let signed = sign(&modern, &pki, "Ion Popescu");

    assert!(signed.starts_with(&modern));
    assert_valid(&pdfsig(dir.path(), &signed), "Ion Popescu");
}

#[test]
fn mismatches_and_oversized_signatures_are_refused() {
    let pki = pki("Ion Popescu");
    let pdf = cerere_pdf("Ion Popescu");
    let small = PrepareOptions {
        signature_size_bytes: 64,
        ..options("Ion Popescu")
    };
    let prepared = prepare(&pdf, &small).unwrap();
    let attrs = signed_attributes(prepared.digest(), &pki.signer_der).unwrap();
    let signature: DerSignature = pki.signer_key.sign_prehash(&attrs.hash_to_sign()).unwrap();
    assert!(matches!(
        finish(
            prepared.clone(),
            &attrs,
            signature.as_bytes(),
            SignatureAlgorithm::EcdsaP256Sha256,
            &[]
        ),
        Err(Error::TooBig { available: 64, .. })
    ));

    let other = prepare(&cerere_pdf("Altcineva"), &options("Ion Popescu")).unwrap();
    assert!(matches!(
        finish(
            other,
            &attrs,
            signature.as_bytes(),
            SignatureAlgorithm::EcdsaP256Sha256,
            &[]
        ),
        Err(Error::DigestMismatch)
    ));

    let twice = sign(&pdf, &pki, "Ion Popescu");
    assert!(matches!(
        prepare(&twice, &options("Ion Popescu")),
        Err(Error::FieldNameTaken(_))
    ));
}

#[test]
fn a_second_signature_keeps_the_first_valid() {
    let dir = tempfile::tempdir().unwrap();
    let citizen = pki("Ion Popescu");
    let mayor = pki("Primar Maria Pop");
    let once = sign(&cerere_pdf("Ion Popescu"), &citizen, "Ion Popescu");

    let prepared = prepare(
        &once,
        &PrepareOptions {
            field_name: "Semnatura2",
            ..options("Primar Maria Pop")
        },
    )
    .unwrap();
    let attrs = signed_attributes(prepared.digest(), &mayor.signer_der).unwrap();
    let signature: DerSignature = mayor
        .signer_key
        .sign_prehash(&attrs.hash_to_sign())
        .unwrap();
    let twice = finish(
        prepared,
        &attrs,
        signature.as_bytes(),
        SignatureAlgorithm::EcdsaP256Sha256,
        &[&mayor.ca_der],
    )
    .unwrap();

    assert!(twice.starts_with(&once));
    let report = pdfsig(dir.path(), &twice);
    let (first, second) = report.split_once("Signature #2:").expect(&report);
    assert!(first.contains("Common Name: Ion Popescu"), "{report}");
    assert!(first.contains("Signature is Valid."), "{report}");
    assert!(first.contains("Not total document signed"), "{report}");
    assert_valid(second, "Primar Maria Pop");
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

#[test]
fn an_rsa_signature_of_the_hash_is_embedded_as_well() {
    // An RSA CA and signer made by openssl, and the hash signed as an RSA signing
    // service does: PKCS#1 v1.5 over the SHA-256 DigestInfo of the given hash.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ca = "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj";
    openssl(d, ca, &["/CN=Ghiseu Dev RSA CA"]);
    let csr = "req -newkey rsa:2048 -nodes -keyout signer.key -out signer.csr -subj";
    openssl(d, csr, &["/CN=Ion Popescu"]);
    let issue = "x509 -req -in signer.csr -CA ca.pem -CAkey ca.key -set_serial 7 -days 3650 \
                 -outform DER -out signer.der";
    openssl(d, issue, &[]);
    openssl(d, "x509 -in ca.pem -outform DER -out ca.der", &[]);
    let signer_der = std::fs::read(d.join("signer.der")).unwrap();
    let ca_der = std::fs::read(d.join("ca.der")).unwrap();
    let original = cerere_pdf("Ion Popescu");

    let prepared = prepare(&original, &options("Ion Popescu")).unwrap();
    let attrs = signed_attributes(prepared.digest(), &signer_der).unwrap();
    std::fs::write(d.join("hash.bin"), attrs.hash_to_sign()).unwrap();
    let sign = "pkeyutl -sign -inkey signer.key -pkeyopt digest:sha256 -in hash.bin \
                -out signature.bin";
    openssl(d, sign, &[]);
    let signature = std::fs::read(d.join("signature.bin")).unwrap();
    let rsa = SignatureAlgorithm::RsaPkcs1Sha256;
    let signed = finish(prepared, &attrs, &signature, rsa, &[&ca_der]).unwrap();

    assert!(signed.starts_with(&original));
    assert_valid(&pdfsig(d, &signed), "Ion Popescu");
    let ca_pem = std::fs::read_to_string(d.join("ca.pem")).unwrap();
    let (ok, out) = openssl_verify(d, &signed, &ca_pem);
    assert!(ok && out.contains("Verification successful"), "{out}");
}
