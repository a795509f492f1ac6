//! `ghiseu_pades::verify` on documents signed here, then damaged in the ways a
//! forger or a careless tool would.

use super::*;

/// A signed cerere of Ion Popescu and the development CA that certified him.
fn signed() -> (Vec<u8>, Pki) {
    let pki = pki("Ion Popescu");
    (sign(&cerere_pdf("Ion Popescu"), &pki, "Ion Popescu"), pki)
}

#[test]
fn a_signed_cerere_verifies_with_its_signer_and_time() {
    let (signed, pki) = signed();

    let report = verify(&signed, std::slice::from_ref(&pki.ca_der)).unwrap();

    assert!(report.valid(), "{report:?}");
    let [signature] = report.signatures.as_slice() else {
        panic!("one signature: {report:?}");
    };
    assert_eq!(signature.field_name, "Semnatura1");
    assert_eq!(signature.signer, "Ion Popescu");
    assert_eq!(signature.signer_certificate, pki.signer_der);
    assert_eq!(signature.signing_time, Some(signing_time()));
    assert!(signature.covers_whole_document && signature.valid());
    assert!(signature.problems.is_empty(), "{:?}", signature.problems);
    let sha256: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&signed).into();
    assert_eq!(report.document_sha256, sha256);
}

#[test]
fn a_byte_changed_in_the_signed_range_breaks_the_digest() {
    let (mut signed, pki) = signed();
    // The binary comment on the second line, as in the pdfsig test.
    let at = signed.iter().position(|&b| b == b'\n').unwrap() + 2;
    signed[at] ^= 0x01;

    let report = verify(&signed, &[pki.ca_der]).unwrap();

    let signature = &report.signatures[0];
    assert!(!signature.digest_ok, "{signature:?}");
    assert!(signature.signature_ok && signature.chain_trusted);
    assert!(!report.valid());
    assert!(!signature.problems.is_empty());
}

#[test]
fn a_signature_by_another_key_than_the_certificates_is_refused() {
    let pki = pki("Ion Popescu");
    let impostor = SigningKey::from_slice(&[0x33; 32]).unwrap();
    let signed = sign_with(
        &cerere_pdf("Ion Popescu"),
        &pki,
        &options("Ion Popescu"),
        &impostor,
    );

    let report = verify(&signed, &[pki.ca_der]).unwrap();

    let signature = &report.signatures[0];
    assert!(
        signature.digest_ok && !signature.signature_ok,
        "{signature:?}"
    );
    assert!(!report.valid());
}

#[test]
fn a_signer_certified_by_an_untrusted_root_is_not_trusted() {
    let (signed, _) = signed();
    // Same name, another key: only the signature on the certificate tells them apart.
    let impostor_ca = pki_under(0x44, "Altcineva").ca_der;

    let report = verify(&signed, &[impostor_ca]).unwrap();
    let signature = &report.signatures[0];
    assert!(signature.digest_ok && signature.signature_ok);
    assert!(!signature.chain_trusted, "{signature:?}");
    assert!(!report.valid());

    let report = verify(&signed, &[]).unwrap();
    assert!(!report.signatures[0].chain_trusted);
}

#[test]
fn a_signing_time_outside_the_certificates_validity_is_not_trusted() {
    let pki = pki("Ion Popescu");
    // The development certificates are valid from 2020 to 2049.
    let opts = PrepareOptions::new(
        "Ion Popescu",
        Utc.with_ymd_and_hms(2019, 6, 1, 0, 0, 0).unwrap(),
    );
    let signed = sign_with(&cerere_pdf("Ion Popescu"), &pki, &opts, &pki.signer_key);

    let report = verify(&signed, &[pki.ca_der]).unwrap();

    let signature = &report.signatures[0];
    assert!(signature.digest_ok && signature.signature_ok);
    assert!(!signature.chain_trusted, "{signature:?}");
}

#[test]
fn bytes_appended_after_signing_leave_the_signature_but_not_the_document_valid() {
    let (mut signed, pki) = signed();
    signed.extend_from_slice(b"% added later\n");

    let report = verify(&signed, &[pki.ca_der]).unwrap();

    let signature = &report.signatures[0];
    assert!(signature.valid(), "{signature:?}");
    assert!(!signature.covers_whole_document);
    assert!(!report.valid());
}

#[test]
fn an_unsigned_pdf_has_no_signature_and_is_not_valid() {
    let pki = pki("Ion Popescu");

    let report = verify(&cerere_pdf("Ion Popescu"), &[pki.ca_der]).unwrap();

    assert!(report.signatures.is_empty());
    assert!(!report.valid());
}

#[test]
fn garbage_is_an_error() {
    let pki = pki("Ion Popescu");
    for input in [&b""[..], b"%PDF-1.7", b"not a pdf at all", &[0xff; 4096]] {
        assert!(
            verify(input, std::slice::from_ref(&pki.ca_der)).is_err(),
            "{input:?}"
        );
    }
    // A scrap that a lenient reader may still take for a PDF is at least not valid.
    let scrap = b"%PDF-1.4\n1 0 obj\n<< /Type /Sig /ByteRange [0 99999999999999999999 -1 5] \
                  /Contents <3000> >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
    if let Ok(report) = verify(scrap, std::slice::from_ref(&pki.ca_der)) {
        assert!(!report.valid(), "{report:?}");
    }
    assert!(matches!(
        verify(&cerere_pdf("Ion Popescu"), &[b"not a certificate".to_vec()]),
        Err(Error::Certificate(_))
    ));
}

#[test]
fn a_truncated_or_damaged_signed_pdf_never_panics() {
    let (signed, pki) = signed();
    let roots = [pki.ca_der];
    let original = cerere_pdf("Ion Popescu").len();
    // Every offset around the update's dictionaries (before the signature's
    // /Contents, and from its end to the trailer), spread-out ones elsewhere.
    let dictionaries = (original..original + 700).chain(signed.len() - 700..signed.len());
    let cuts = (0..signed.len()).step_by(97).chain(dictionaries.clone());
    for cut in cuts {
        if let Ok(report) = verify(&signed[..cut], &roots) {
            assert!(!report.valid(), "cut at {cut}");
        }
    }
    for at in dictionaries.step_by(3) {
        let mut damaged = signed.clone();
        damaged[at] = damaged[at].wrapping_add(0x35);
        let _ = verify(&damaged, &roots);
    }
}

#[test]
fn a_trust_anchor_must_be_one_ca_certificate() {
    let pki = pki("Ion Semnatar");
    let anchor = ghiseu_pades::describe_anchor(&pki.ca_der).unwrap();
    assert_eq!(anchor.subject, "Ghiseu Dev CA");
    assert_eq!(anchor.issuer, "Ghiseu Dev CA");
    assert_eq!(
        anchor.not_after.unwrap().to_rfc3339(),
        "2049-12-31T00:00:00+00:00"
    );
    assert_eq!(
        anchor.sha256.to_vec(),
        <sha2::Sha256 as sha2::Digest>::digest(&pki.ca_der).to_vec()
    );

    // A signer's certificate is no anchor, nor garbage, nor a CA with bytes after it.
    let leaf = ghiseu_pades::describe_anchor(&pki.signer_der).unwrap_err();
    assert!(
        leaf.contains("Ion Semnatar") && leaf.contains("not a certification"),
        "{leaf}"
    );
    assert!(ghiseu_pades::describe_anchor(b"not a certificate").is_err());
    let mut trailing = pki.ca_der.clone();
    trailing.push(0);
    assert!(ghiseu_pades::describe_anchor(&trailing).is_err());
}
