//! The bodies the outside world POSTs to the platform: the signing
//! provider's asynchronous results (`/api/v1/signing/callback`) and the
//! payment provider's events (`/api/v1/payments/webhook`). The bodies are
//! signed here with the target's secret so the parsers behind the
//! signature check are reached; the check itself is given the raw input as
//! a signature too.

use ghiseu_platform::{csc, hmac, payments};

const SECRET: &str = "fuzz-secret";

/// The target `csc_callback`: a result read from a signed body echoes what
/// the body says; an unsigned or wrongly signed body is refused.
pub fn csc_callback(data: &[u8]) {
    let mut headers = http::HeaderMap::new();
    if let Ok(v) = http::HeaderValue::from_bytes(data) {
        headers.insert(csc::CALLBACK_SIGNATURE_HEADER, v);
        if csc::verify_callback(SECRET, &headers, data).is_ok() {
            panic!("a body signed by itself was accepted");
        }
    }
    let signature = csc::callback_signature(SECRET, data);
    headers.insert(
        csc::CALLBACK_SIGNATURE_HEADER,
        http::HeaderValue::from_str(&signature).expect("hex is a header value"),
    );
    assert!(
        csc::verify_callback("", &headers, data).is_err(),
        "no secret, no result"
    );
    if let Ok(result) = csc::verify_callback(SECRET, &headers, data) {
        // What the result says is what the body says, read by the wire
        // shape alone (serde also takes a struct as a JSON array, and skips
        // unknown fields unread: both found by this target).
        let said: csc::wire::CallbackBody = serde_json::from_slice(data).expect("a result");
        assert_eq!(said.response_id, result.response_id);
        assert_eq!(said.client_data.unwrap_or_default(), result.client_data);
        assert_eq!(said.signatures.len(), result.signatures.len());
        assert_eq!(said.error, result.error);
    }
}

/// The target `payment_webhook`: the route's steps, in its order (the
/// signature, the event, its outcome).
pub fn payment_webhook(data: &[u8]) {
    let forged = String::from_utf8_lossy(data);
    assert!(
        !payments::verify(SECRET, data, &forged),
        "a body signed by itself"
    );
    let signature = hmac::signature(SECRET.as_bytes(), data);
    assert!(payments::verify(SECRET, data, &signature));
    assert!(
        !payments::verify("", data, &signature),
        "the empty key verifies nothing"
    );
    let Ok(event) = serde_json::from_slice::<payments::WebhookEvent>(data) else {
        return;
    };
    match event.outcome() {
        Some(ghiseu_core::payment::PaymentEvent::Succeeded(receipt)) => {
            assert_eq!(event.event, payments::SUCCEEDED);
            assert!(!receipt.receipt_no.is_empty() && receipt.receipt_no.len() <= 100);
            assert_eq!(receipt.amount_minor, event.amount_minor);
        }
        Some(ghiseu_core::payment::PaymentEvent::Failed { .. }) => {
            assert_eq!(event.event, payments::FAILED);
        }
        None => assert!(event.event != payments::FAILED),
    }
}
