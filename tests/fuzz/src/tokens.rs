//! Tracking tokens, receipt codes and registration numbers, as typed into a
//! URL or the follow-by-number form: whatever parses has one spelling and
//! reads back as itself.

use ghiseu_core::{ReceiptCode, RegistrationNumber, RegistrationPrefix, TrackingToken};

/// The target `tokens`.
pub fn tokens(data: &[u8]) {
    let typed = String::from_utf8_lossy(data);
    if let Ok(token) = TrackingToken::parse(&typed) {
        let canonical = token.to_string();
        assert_eq!(canonical.len(), 26, "a token is 26 symbols");
        assert!(
            canonical.eq_ignore_ascii_case(&typed),
            "{typed:?} is {canonical}"
        );
        assert!(TrackingToken::parse(&canonical).ok() == Some(token));
        let code = token.receipt_code();
        assert_eq!(ReceiptCode::parse(&code.to_string()), Some(code));
    }
    if let Some(code) = ReceiptCode::parse(&typed) {
        assert_eq!(ReceiptCode::parse(&code.to_string()), Some(code));
    }
    if let Ok(number) = typed.parse::<RegistrationNumber>() {
        assert_eq!(number.to_string(), typed, "one spelling per number");
        let again = RegistrationNumber::new(number.prefix().clone(), number.year(), number.seq());
        assert_eq!(again.ok().as_ref(), Some(&number));
    }
    if let Ok(prefix) = RegistrationPrefix::parse(&typed) {
        assert!(RegistrationPrefix::parse(prefix.as_str()).ok() == Some(prefix.clone()));
    }
}
