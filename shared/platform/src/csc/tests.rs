use super::*;

fn hashes(n: u8) -> Vec<[u8; 32]> {
    (0..n).map(|i| [i; 32]).collect()
}

#[test]
fn authorize_request_uses_csc_v2_names() {
    let v =
        serde_json::to_value(wire::AuthorizeRequest::new("cred-1", &hashes(2), "123456")).unwrap();
    assert_eq!(v["credentialID"], "cred-1");
    assert_eq!(v["numSignatures"], 2);
    assert_eq!(v["hashAlgorithmOID"], SHA256_OID);
    assert_eq!(v["hashes"][1], B64.encode([1u8; 32]));
    assert_eq!(v["authData"][0]["id"], "OTP");
    assert_eq!(v["authData"][0]["value"], "123456");
    assert!(v.get("OTP").is_none());
    let back: wire::AuthorizeRequest = serde_json::from_value(serde_json::json!({
        "credentialID": "c", "numSignatures": 1, "hashes": [], "OTP": "654321"
    }))
    .unwrap();
    assert_eq!(back.otp(), Some("654321"));
}

#[test]
fn sign_hash_request_names_algorithm_and_mode() {
    let sad = Sad {
        sad: "s".into(),
        expires_in: 300,
    };
    let mut r = wire::SignHashRequest::new("c", &sad, &hashes(1), KeyAlgorithm::EcdsaP256);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["SAD"], "s");
    assert_eq!(v["signAlgo"], ECDSA_SHA256_OID);
    assert!(v.get("operationMode").is_none() && v.get("response_uri").is_none());
    r.operation_mode = Some("A".into());
    r.response_uri = Some("http://desk.spin.internal/x".into());
    r.client_data = Some("batch-7".into());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["operationMode"], "A");
    assert_eq!(v["response_uri"], "http://desk.spin.internal/x");
    assert_eq!(v["clientData"], "batch-7");
}

#[test]
fn credential_info_is_read_from_csc_json() {
    let r: wire::CredentialInfoResponse = serde_json::from_value(serde_json::json!({
        "key": {"status": "enabled", "algo": [EC_PUBLIC_KEY_OID, ECDSA_SHA256_OID],
                "len": 256, "curve": P256_CURVE_OID},
        "cert": {"status": "valid", "certificates": [B64.encode(b"leaf"), B64.encode(b"root")],
                 "subjectDN": "CN=Ion Popescu"},
        "auth": {"mode": "explicit", "objects": []},
        "SCAL": "2", "multisign": 500
    }))
    .unwrap();
    let info = credential_info_from("c1", r).unwrap();
    assert_eq!(info.certificates, vec![b"leaf".to_vec(), b"root".to_vec()]);
    assert_eq!(info.key_algorithm, KeyAlgorithm::EcdsaP256);
    assert_eq!(
        signature_algorithm(info.key_algorithm),
        ghiseu_pades::SignatureAlgorithm::EcdsaP256Sha256
    );
    assert_eq!((info.multisign, info.scal), (500, Scal::Two));
    assert_eq!(info.subject, "CN=Ion Popescu");

    let rsa = wire::KeyInfo {
        status: "enabled".into(),
        algo: vec![RSA_ENCRYPTION_OID.into()],
        len: 3072,
        curve: None,
    };
    assert_eq!(key_algorithm_of(&rsa).unwrap(), KeyAlgorithm::Rsa);
    let other = wire::KeyInfo {
        algo: vec!["1.3.101.112".into()],
        ..rsa
    };
    assert!(matches!(key_algorithm_of(&other), Err(Error::Protocol(_))));
}

#[test]
fn errors_become_refusals_with_their_code() {
    let body = br#"{"error":"invalid_otp","error_description":"Codul nu este corect."}"#;
    let e = answer(400, body.to_vec()).unwrap_err();
    assert_eq!(
        e,
        Error::Refused {
            status: 400,
            code: "invalid_otp".into(),
            description: "Codul nu este corect.".into()
        }
    );
    assert_eq!(e.code(), Some("invalid_otp"));
    assert!(matches!(
        answer(502, b"bad gateway".to_vec()),
        Err(Error::Unavailable(_))
    ));
    assert!(matches!(
        answer(404, b"<html>".to_vec()),
        Err(Error::Protocol(_))
    ));
    assert_eq!(answer(204, Vec::new()).unwrap(), Vec::<u8>::new());
}

#[test]
fn refusals_are_classified_for_the_person_typing_the_code() {
    let refused = |code: &str, description: &str| Error::Refused {
        status: 400,
        code: code.into(),
        description: description.into(),
    };
    for (code, description, expected) in [
        (
            "invalid_otp",
            "The code is not right (4 attempts left).",
            Refusal::WrongCode {
                attempts_left: Some(4),
            },
        ),
        (
            "invalid_otp",
            "Wrong OTP (try 2 of 5)",
            Refusal::WrongCode {
                attempts_left: None,
            },
        ),
        (
            "invalid_otp",
            "This code was already used: ask for a new one.",
            Refusal::Spent,
        ),
        (
            "invalid_otp",
            "No code was sent for this credential: ask for one (sendOTP).",
            Refusal::Spent,
        ),
        ("expired_otp", "", Refusal::Expired),
        ("otp_locked", "Too many wrong codes", Refusal::Locked),
        ("invalid_sad", "", Refusal::Spent),
        ("invalid_request", "2 attempts left", Refusal::Other),
    ] {
        let e = refused(code, description);
        assert_eq!(e.refusal(), Some(expected), "{code}: {description}");
    }
    assert_eq!(Error::Unavailable("down".into()).refusal(), None);
    // Only a wrong code may be typed again; everything else needs a new one.
    assert!(
        Refusal::WrongCode {
            attempts_left: None
        }
        .may_retry()
    );
    for needs_new in [
        Refusal::Spent,
        Refusal::Expired,
        Refusal::Locked,
        Refusal::Other,
    ] {
        assert!(!needs_new.may_retry(), "{needs_new:?}");
    }
}

#[test]
fn signatures_must_match_the_hashes() {
    let two = Some(vec![B64.encode(b"a"), B64.encode(b"b")]);
    assert_eq!(
        signatures_from(two.clone(), 2).unwrap(),
        vec![b"a".to_vec(), b"b".to_vec()]
    );
    assert!(signatures_from(two, 3).is_err());
    assert!(signatures_from(None, 0).is_err());
}

#[test]
fn chunks_split_by_multisign() {
    let h = hashes(25);
    let sizes: Vec<usize> = chunks(&h, 10).map(<[_]>::len).collect();
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(chunks(&h, 500).count(), 1);
    assert_eq!(chunks(&h, 0).count(), 25, "multisign 0 is taken as 1");
    let rejoined: Vec<[u8; 32]> = chunks(&h, 7).flatten().copied().collect();
    assert_eq!(rejoined, h);
    assert_eq!(chunks(&[], 10).count(), 0);
}

#[test]
fn callbacks_verify_only_with_the_right_signature() {
    let body = serde_json::to_vec(&wire::CallbackBody {
        response_id: "r1".into(),
        client_data: Some("batch".into()),
        signatures: vec![B64.encode(b"sig")],
        error: None,
        error_description: None,
    })
    .unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert(
        CALLBACK_SIGNATURE_HEADER,
        callback_signature("k", &body).parse().unwrap(),
    );
    let cb = verify_callback("k", &headers, &body).unwrap();
    assert_eq!(cb.response_id, "r1");
    assert_eq!(cb.client_data, "batch");
    assert_eq!(cb.signatures, vec![b"sig".to_vec()]);
    assert_eq!(cb.error, None);

    // Another key, an empty key, a tampered body, no header.
    assert!(verify_callback("other", &headers, &body).is_err());
    assert!(verify_callback("", &headers, &body).is_err());
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert!(matches!(
        verify_callback("k", &headers, &tampered),
        Err(Error::BadCallback(_))
    ));
    assert!(verify_callback("k", &http::HeaderMap::new(), &body).is_err());
    // Signed but not a result.
    let junk = b"{}";
    let mut h = http::HeaderMap::new();
    h.insert(
        CALLBACK_SIGNATURE_HEADER,
        callback_signature("k", junk).parse().unwrap(),
    );
    assert!(verify_callback("k", &h, junk).is_err());
}
