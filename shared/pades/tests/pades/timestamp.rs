//! Baseline B-T: a signature timestamp from a test TSA (a key certified by the
//! development CA for timeStamping, signing TSTInfos with `ghiseu_pades`'s TSA side),
//! checked by `pdfsig`, `openssl cms -verify`, `openssl ts` and `verify`.

use ghiseu_pades::{
    TimeStampingUsage, TimestampRefusal, TimestampRequest, finish_with_timestamp,
    signature_timestamp_imprint, timestamp_rejection, timestamp_request, timestamp_token,
};

use super::*;

/// The test TSA: its certificate (issued by the CA of key `[0x11; 32]`) and key.
pub(crate) struct Tsa {
    cert_der: Vec<u8>,
    key: SigningKey,
}

pub(crate) fn tsa() -> Tsa {
    let ca_key = SigningKey::from_slice(&[0x11; 32]).unwrap();
    let key = SigningKey::from_slice(&[0x33; 32]).unwrap();
    let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).unwrap();
    let mut builder = CertificateBuilder::new(
        Profile::Leaf {
            issuer: Name::from_str("CN=Ghiseu Dev CA,O=Ghiseu,C=RO").unwrap(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::from(0x7501u32),
        validity(),
        Name::from_str("CN=Ghiseu Dev TSA,O=Ghiseu,C=RO").unwrap(),
        spki,
        &ca_key,
    )
    .unwrap();
    builder.add_extension(&TimeStampingUsage).unwrap();
    Tsa {
        cert_der: builder.build::<DerSignature>().unwrap().to_der().unwrap(),
        key,
    }
}

fn gen_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 7).unwrap()
}

/// What the TSA answers to a DER `TimeStampReq`.
pub(crate) fn answer(tsa: &Tsa, ca_der: &[u8], request: &[u8]) -> Vec<u8> {
    let request = match TimestampRequest::parse(request) {
        Ok(request) => request,
        Err(why) => return timestamp_rejection(&why, "refused").unwrap(),
    };
    let to_sign = request
        .token_to_sign(42, gen_time(), "1.3.6.1.4.1.99999.1", &tsa.cert_der)
        .unwrap();
    let signature: DerSignature = tsa.key.sign_prehash(&to_sign.hash_to_sign()).unwrap();
    to_sign
        .granted(
            signature.as_bytes(),
            SignatureAlgorithm::EcdsaP256Sha256,
            &[ca_der],
        )
        .unwrap()
}

const NONCE: u64 = 0x8000_0000_0000_0001;

/// Signs with a timestamp; also gives the token.
fn sign_bt(pdf: &[u8], pki: &Pki, tsa: &Tsa) -> (Vec<u8>, Vec<u8>) {
    let prepared = prepare(pdf, &options("Ion Popescu")).unwrap();
    let attrs = signed_attributes(prepared.digest(), &pki.signer_der).unwrap();
    let signature: Signature = pki.signer_key.sign_prehash(&attrs.hash_to_sign()).unwrap();
    // The r || s form: the imprint is of the DER the SignerInfo will hold.
    let signature = signature.to_bytes();
    let imprint =
        signature_timestamp_imprint(&signature, SignatureAlgorithm::EcdsaP256Sha256).unwrap();
    let response = answer(
        tsa,
        &pki.ca_der,
        &timestamp_request(imprint, NONCE).unwrap(),
    );
    let token = timestamp_token(&response, imprint, NONCE).unwrap();
    let signed = finish_with_timestamp(
        prepared,
        &attrs,
        &signature,
        SignatureAlgorithm::EcdsaP256Sha256,
        &[&pki.ca_der],
        &token,
    )
    .unwrap();
    (signed, token)
}

#[test]
fn a_timestamped_signature_is_valid_for_pdfsig_openssl_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, tsa) = (pki("Ion Popescu"), tsa());

    let (signed, token) = sign_bt(&cerere_pdf("Ion Popescu"), &pki, &tsa);

    assert_valid(&pdfsig(dir.path(), &signed), "Ion Popescu");
    let (ok, out) = openssl_verify(dir.path(), &signed, &pki.ca_pem);
    assert!(ok, "{out}");
    let report = verify(&signed, std::slice::from_ref(&pki.ca_der)).unwrap();
    assert!(report.valid(), "{report:?}");
    assert_eq!(report.signatures[0].timestamp, Some(gen_time()));
    assert!(report.signatures[0].problems.is_empty(), "{report:?}");

    // The CMS carries the token as id-aa-signatureTimeStampToken.
    let printed = cms_print(dir.path(), &signed);
    assert!(printed.contains("id-smime-aa-timeStampToken"), "{printed}");

    // openssl reads the token, and verifies it for the signature's imprint against
    // the CA (its ESS certificate identifier, the critical timeStamping usage).
    std::fs::write(dir.path().join("token.der"), &token).unwrap();
    std::fs::write(dir.path().join("ca.pem"), &pki.ca_pem).unwrap();
    let out = tool("openssl", "openssl")
        .current_dir(dir.path())
        .args(["ts", "-reply", "-in", "token.der", "-token_in", "-text"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Time stamp: Mar  2 09:30:07 2026 GMT"),
        "{text}"
    );
    assert!(text.contains("Nonce: 0x8000000000000001"), "{text}");
    assert!(text.contains("Serial number: 0x2A"), "{text}");
    let signer_info_signature = {
        let report = &report.signatures[0];
        assert!(report.timestamp.is_some());
        // The imprint is SHA-256 of the SignerInfo's (DER) signature value.
        let (_, cms) = split_signed(&signed);
        use x509_cert::der::Decode as _;
        let info = cms::content_info::ContentInfo::from_der(&cms).unwrap();
        let sd: cms::signed_data::SignedData = info.content.decode_as().unwrap();
        sd.signer_infos.0.as_slice()[0]
            .signature
            .as_bytes()
            .to_vec()
    };
    let imprint: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&signer_info_signature).into();
    let hex: String = imprint.iter().map(|b| format!("{b:02x}")).collect();
    let out = tool("openssl", "openssl")
        .current_dir(dir.path())
        .args([
            "ts",
            "-verify",
            "-in",
            "token.der",
            "-token_in",
            "-CAfile",
            "ca.pem",
        ])
        .args(["-digest", &hex])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("Verification: OK"), "{text}");
}

#[test]
fn a_token_for_another_signature_is_refused() {
    let (pki, tsa) = (pki("Ion Popescu"), tsa());
    let pdf = cerere_pdf("Ion Popescu");
    let (_, token_of_another) = sign_bt(&pdf, &pki, &tsa);
    let prepared = prepare(&pdf, &options("Ion Popescu")).unwrap();
    let attrs = signed_attributes(prepared.digest(), &pki.signer_der).unwrap();
    // Another key: another signature value (ECDSA here is deterministic, RFC 6979).
    let other: DerSignature = SigningKey::from_slice(&[0x44; 32])
        .unwrap()
        .sign_prehash(&attrs.hash_to_sign())
        .unwrap();

    let result = finish_with_timestamp(
        prepared,
        &attrs,
        other.as_bytes(),
        SignatureAlgorithm::EcdsaP256Sha256,
        &[&pki.ca_der],
        &token_of_another,
    );

    assert!(
        matches!(result, Err(Error::Timestamp(_))),
        "{:?}",
        result.err()
    );
}

#[test]
fn a_response_is_checked_for_imprint_nonce_and_status() {
    let (pki, tsa) = (pki("Ion Popescu"), tsa());
    let imprint = [7; 32];
    let response = answer(&tsa, &pki.ca_der, &timestamp_request(imprint, 5).unwrap());

    assert!(timestamp_token(&response, imprint, 5).is_ok());
    for (imprint, nonce) in [([8; 32], 5), (imprint, 6)] {
        let err = timestamp_token(&response, imprint, nonce).unwrap_err();
        assert!(matches!(err, Error::Timestamp(_)), "{err}");
    }
    let rejection = answer(&tsa, &pki.ca_der, b"not DER");
    let err = timestamp_token(&rejection, imprint, 5).unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");
    assert!(timestamp_token(b"garbage", imprint, 5).is_err());
}

#[test]
fn the_tsa_side_reads_requests_and_honours_cert_req() {
    assert_eq!(
        TimestampRequest::parse(b"\x30\x00").unwrap_err(),
        TimestampRefusal::NotDer
    );
    let request = TimestampRequest::parse(&timestamp_request([1; 32], 9).unwrap()).unwrap();
    assert_eq!(request.imprint(), [1; 32]);
    assert!(request.cert_req());
}

#[test]
fn verify_leaves_out_a_timestamp_that_does_not_chain_to_a_trusted_root() {
    let (pki, tsa) = (pki("Ion Popescu"), tsa());
    let (signed, _) = sign_bt(&cerere_pdf("Ion Popescu"), &pki, &tsa);
    // Another CA of the same name: the signer and the TSA are both untrusted.
    let other = pki_under(0x55, "Ion Popescu");

    let report = verify(&signed, &[other.ca_der]).unwrap();

    assert_eq!(report.signatures[0].timestamp, None);
    assert!(
        report.signatures[0]
            .problems
            .iter()
            .any(|p| p.contains("timestamp")),
        "{report:?}"
    );
}
