//! Signing: the signed PDFs pass `pdfsig` and `openssl cms -verify`.

use super::*;

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
    let printed = cms_print(dir.path(), &signed);
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
    let report = verify(&twice, &[citizen.ca_der]).unwrap();
    assert!(report.valid(), "{report:?}");
    let names: Vec<&str> = report
        .signatures
        .iter()
        .map(|s| s.signer.as_str())
        .collect();
    assert_eq!(names, ["Ion Popescu", "Primar Maria Pop"]);
    let fields: Vec<&str> = report
        .signatures
        .iter()
        .map(|s| s.field_name.as_str())
        .collect();
    assert_eq!(fields, ["Semnatura1", "Semnatura2"]);
    assert!(!report.signatures[0].covers_whole_document);
    assert!(report.signatures[1].covers_whole_document);
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
    // openssl 3.0 cannot backdate a certificate: the signing time is taken within
    // its validity so that `verify` can trust the chain.
    let cert = <x509_cert::Certificate as x509_cert::der::Decode>::from_der(&signer_der).unwrap();
    let not_before = cert.tbs_certificate.validity.not_before.to_unix_duration();
    let signed_at = DateTime::from_timestamp(not_before.as_secs() as i64 + 60, 0).unwrap();

    let options = PrepareOptions::new("Ion Popescu", signed_at);
    let prepared = prepare(&original, &options).unwrap();
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
    let report = verify(&signed, &[ca_der]).unwrap();
    assert!(report.valid(), "{report:?}");
    assert_eq!(report.signatures[0].signer, "Ion Popescu");
    assert_eq!(report.signatures[0].signing_time, Some(signed_at));
}
