//! Detached CAdES signatures of any data (an ASiC-E manifest): `openssl cms
//! -verify` with the data as the detached content.

use std::path::Path;

use ghiseu_pades::{
    SignatureAlgorithm, cades_detached, cades_signed_attributes, signature_timestamp_imprint,
    timestamp_request, timestamp_token,
};
use p256::ecdsa::DerSignature;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use sha2::{Digest, Sha256};

use super::timestamp::{answer, tsa};
use super::{Pki, pki, signing_time, tool};

const MANIFEST: &[u8] = b"<asic:ASiCManifest>...</asic:ASiCManifest>\n";

/// The `.p7s` of `data` by `pki`'s signer, the signature value with it.
fn p7s(data: &[u8], pki: &Pki, token: Option<&[u8]>) -> (Vec<u8>, Vec<u8>) {
    let attrs =
        cades_signed_attributes(Sha256::digest(data).into(), &pki.signer_der, signing_time())
            .unwrap();
    let signature: DerSignature = pki.signer_key.sign_prehash(&attrs.hash_to_sign()).unwrap();
    let cms = cades_detached(
        &attrs,
        signature.as_bytes(),
        SignatureAlgorithm::EcdsaP256Sha256,
        &[&pki.ca_der],
        token,
    )
    .unwrap();
    (cms, signature.as_bytes().to_vec())
}

/// `openssl cms -verify` of `cms` over the detached `content`.
fn verify(dir: &Path, cms: &[u8], content: &[u8], ca_pem: &str) -> (bool, String) {
    std::fs::write(dir.join("s.p7s"), cms).unwrap();
    std::fs::write(dir.join("m.xml"), content).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_pem).unwrap();
    let out = tool("openssl", "openssl")
        .current_dir(dir)
        .args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "s.p7s",
            "-content",
            "m.xml",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn print(dir: &Path, cms: &[u8]) -> String {
    std::fs::write(dir.join("p.p7s"), cms).unwrap();
    let out = tool("openssl", "openssl")
        .current_dir(dir)
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in", "p.p7s"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_detached_signature_of_a_manifest_verifies_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki("Consiliul Judetean Cluj");
    let (cms, _) = p7s(MANIFEST, &pki, None);
    let (ok, out) = verify(dir.path(), &cms, MANIFEST, &pki.ca_pem);
    assert!(ok, "{out}");
    assert!(out.contains("Verification successful"), "{out}");
    let printed = print(dir.path(), &cms);
    // Detached: no content inside; CAdES-B: a signing time and the signer's
    // certificate digest among the signed attributes.
    assert!(printed.contains("eContent: <ABSENT>"), "{printed}");
    assert!(printed.contains("signingTime"), "{printed}");
    assert!(printed.contains("Mar  2 09:30:00 2026 GMT"), "{printed}");
    assert!(
        printed.contains("id-smime-aa-signingCertificateV2"),
        "{printed}"
    );
    // Another manifest (one digest changed) does not verify.
    let (ok, out) = verify(
        dir.path(),
        &cms,
        b"<asic:ASiCManifest>..,</asic:ASiCManifest>\n",
        &pki.ca_pem,
    );
    assert!(!ok, "{out}");
    // Nor does it against another CA.
    let (ok, _) = verify(
        dir.path(),
        &cms,
        MANIFEST,
        &super::pki_under(0x44, "x").ca_pem,
    );
    assert!(!ok);
}

#[test]
fn a_timestamped_detached_signature_carries_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, tsa) = (pki("Consiliul Judetean Cluj"), tsa());
    let (_, signature) = p7s(MANIFEST, &pki, None);
    let imprint =
        signature_timestamp_imprint(&signature, SignatureAlgorithm::EcdsaP256Sha256).unwrap();
    let response = answer(&tsa, &pki.ca_der, &timestamp_request(imprint, 9).unwrap());
    let token = timestamp_token(&response, imprint, 9).unwrap();
    let (cms, again) = p7s(MANIFEST, &pki, Some(&token));
    // ECDSA draws no randomness here (RFC 6979): the same signature.
    assert_eq!(again, signature);
    let (ok, out) = verify(dir.path(), &cms, MANIFEST, &pki.ca_pem);
    assert!(ok, "{out}");
    assert!(print(dir.path(), &cms).contains("id-smime-aa-timeStampToken"));
    // A token of another signature is refused.
    let other = p7s(b"other", &pki, None).1;
    let imprint = signature_timestamp_imprint(&other, SignatureAlgorithm::EcdsaP256Sha256).unwrap();
    let response = answer(&tsa, &pki.ca_der, &timestamp_request(imprint, 9).unwrap());
    let wrong = timestamp_token(&response, imprint, 9).unwrap();
    let attrs = cades_signed_attributes(
        Sha256::digest(MANIFEST).into(),
        &pki.signer_der,
        signing_time(),
    )
    .unwrap();
    assert!(
        cades_detached(
            &attrs,
            &signature,
            SignatureAlgorithm::EcdsaP256Sha256,
            &[],
            Some(&wrong)
        )
        .is_err()
    );
}
