//! Idempotent submissions: a citizen's retried submission (same key) registers
//! once and answers what the first one produced (after zero-to-production's
//! `src/idempotency/`).
//!
//! The protocol, as the portal runs it:
//!
//! 1. [`IdempotencyKey::from_request`] reads the key (the `Idempotency-Key`
//!    header, else the form's `idempotency_key` field). Without a valid key the
//!    submission is processed without idempotency.
//! 2. The key is claimed by storing [`IdempotencyState::Pending`] create-if-absent
//!    under the account and [`IdempotencyKey::digest`]. If a marker was already
//!    there, [`IdempotencyState::read`] it and follow [`next_action`]; if the
//!    claim succeeded, that is [`NextAction::StartProcessing`].
//! 3. On success the marker is overwritten with [`IdempotencyState::Finished`];
//!    on failure it is deleted (nothing was registered: the key may be used
//!    again).
//!
//! Stored markers are plain text, read and written exactly as before this
//! module existed: `pending`, `registered:{number}` and
//! `awaiting-signature:{sha256 hex}`.
//!
//! A `pending` marker carries no time, so a pending key cannot be told stale
//! from running: [`next_action`] answers [`NextAction::InProgress`] for it, as
//! the portal always has. Releasing a stale claim (issue 18's leases) needs a
//! time in the marker, for example `pending:{rfc3339}`; today's reader already
//! reads any marker it does not know as pending, so that format could be
//! introduced without breaking instances that still run this one.

use thiserror::Error;

use crate::digest::Sha256Digest;
use crate::regno::RegistrationNumber;

/// Why a raw idempotency key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("an idempotency key is 1 to 200 bytes, not counting surrounding white space")]
pub struct IdempotencyKeyError;

/// A client's idempotency key: trimmed, 1 to [`IdempotencyKey::MAX_BYTES`]
/// bytes, otherwise any text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The longest key accepted, in bytes (after trimming).
    pub const MAX_BYTES: usize = 200;

    /// Validates `raw`: surrounding white space removed, then 1 to
    /// [`MAX_BYTES`](Self::MAX_BYTES) bytes.
    pub fn parse(raw: &str) -> Result<Self, IdempotencyKeyError> {
        let k = raw.trim();
        if k.is_empty() || k.len() > Self::MAX_BYTES {
            Err(IdempotencyKeyError)
        } else {
            Ok(Self(k.to_owned()))
        }
    }

    /// The key of a request: the header's value when the request has one
    /// (`header` is `None` when it is absent or not visible ASCII), else the
    /// form field's; `None` when the chosen value is not a valid key. A blank
    /// header does not fall back to the field.
    pub fn from_request(header: Option<&str>, field: Option<&str>) -> Option<Self> {
        header.or(field).and_then(|k| Self::parse(k).ok())
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the key: what the storage key is built from, so that a
    /// client's text never becomes part of a key.
    pub fn digest(&self) -> Sha256Digest {
        Sha256Digest::of(self.0.as_bytes())
    }
}

/// What a finished submission produced, and what a retry answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Registered under this number.
    Registered {
        /// The dossier's registration number.
        number: RegistrationNumber,
    },
    /// Kept for the citizen's qualified signature before registration.
    AwaitingSignature {
        /// The digest of the cerere waiting to be signed.
        cerere: Sha256Digest,
    },
    /// Kept until its fee is paid (then signed, when its type asks for a
    /// qualified signature) before registration.
    AwaitingPayment {
        /// The digest of the cerere whose fee is due.
        cerere: Sha256Digest,
    },
}

/// The state of a claimed idempotency key, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyState {
    /// Claimed by a submission that has not finished (or that crashed; see
    /// the module's note on leases). Stored as `pending`.
    Pending,
    /// Finished: stored as `registered:{number}`,
    /// `awaiting-signature:{sha256 hex}` or `awaiting-payment:{sha256 hex}`.
    Finished(Outcome),
}

/// Why a stored marker was not understood.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not an idempotency marker: {0:?}")]
pub struct MarkerError(pub String);

const PENDING: &str = "pending";
const REGISTERED: &str = "registered:";
const AWAITING_SIGNATURE: &str = "awaiting-signature:";
const AWAITING_PAYMENT: &str = "awaiting-payment:";

impl IdempotencyState {
    /// The stored text: `pending`, `registered:{number}`,
    /// `awaiting-signature:{sha256 hex}` or `awaiting-payment:{sha256 hex}`.
    pub fn to_stored(&self) -> String {
        match self {
            Self::Pending => PENDING.to_owned(),
            Self::Finished(Outcome::Registered { number }) => format!("{REGISTERED}{number}"),
            Self::Finished(Outcome::AwaitingSignature { cerere }) => {
                format!("{AWAITING_SIGNATURE}{}", cerere.to_hex())
            }
            Self::Finished(Outcome::AwaitingPayment { cerere }) => {
                format!("{AWAITING_PAYMENT}{}", cerere.to_hex())
            }
        }
    }

    /// Reads a stored marker strictly: the inverse of
    /// [`to_stored`](Self::to_stored).
    pub fn parse(stored: &[u8]) -> Result<Self, MarkerError> {
        let text = String::from_utf8_lossy(stored);
        let unknown = || MarkerError(text.clone().into_owned());
        if text == PENDING {
            return Ok(Self::Pending);
        }
        if let Some(n) = text.strip_prefix(REGISTERED) {
            let number = n.parse().map_err(|_| unknown())?;
            return Ok(Self::Finished(Outcome::Registered { number }));
        }
        if let Some(h) = text.strip_prefix(AWAITING_SIGNATURE) {
            let cerere = Sha256Digest::parse(h).map_err(|_| unknown())?;
            return Ok(Self::Finished(Outcome::AwaitingSignature { cerere }));
        }
        if let Some(h) = text.strip_prefix(AWAITING_PAYMENT) {
            let cerere = Sha256Digest::parse(h).map_err(|_| unknown())?;
            return Ok(Self::Finished(Outcome::AwaitingPayment { cerere }));
        }
        Err(unknown())
    }

    /// Reads a stored marker as the portal always has: a marker that is not
    /// understood is taken for [`Pending`](Self::Pending) (the request answers
    /// "being registered" and changes nothing).
    pub fn read(stored: &[u8]) -> Self {
        Self::parse(stored).unwrap_or(Self::Pending)
    }
}

/// What a request with an idempotency key does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAction {
    /// The key is new (the caller's claim succeeded): process the submission.
    StartProcessing,
    /// Another request holds the key and has not finished: change nothing and
    /// answer that the submission is being registered (409).
    InProgress,
    /// The key's submission finished: answer what it produced, again.
    ReturnSavedResponse(Outcome),
}

/// Decides what a request does from its key's stored state (`None`: no marker,
/// the key is free).
pub fn next_action(stored: Option<&IdempotencyState>) -> NextAction {
    match stored {
        None => NextAction::StartProcessing,
        Some(IdempotencyState::Pending) => NextAction::InProgress,
        Some(IdempotencyState::Finished(outcome)) => {
            NextAction::ReturnSavedResponse(outcome.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn number(s: &str) -> RegistrationNumber {
        s.parse().unwrap()
    }

    #[test]
    fn keys_as_the_portal_accepts_them() {
        let long = "k".repeat(200);
        let too_long = "k".repeat(201);
        let cases: Vec<(&str, Option<&str>)> = vec![
            ("abc", Some("abc")),
            ("  abc \t", Some("abc")),
            ("a b", Some("a b")),
            ("", None),
            ("   ", None),
            (&long, Some(&long)),
            (&too_long, None),
            // 200 bytes is the limit, not 200 characters.
            ("ă", Some("ă")),
        ];
        for (raw, want) in cases {
            assert_eq!(
                IdempotencyKey::parse(raw)
                    .ok()
                    .as_ref()
                    .map(IdempotencyKey::as_str),
                want,
                "{raw:?}"
            );
        }
        let hundred_a_breve = "ă".repeat(100);
        assert!(IdempotencyKey::parse(&hundred_a_breve).is_ok());
        assert!(IdempotencyKey::parse(&format!("{hundred_a_breve}x")).is_err());
    }

    #[test]
    fn the_header_wins_over_the_field() {
        let key = |h, f| IdempotencyKey::from_request(h, f).map(|k| k.as_str().to_owned());
        let cases = [
            (Some("h"), Some("f"), Some("h")),
            (None, Some(" f "), Some("f")),
            (Some("h"), None, Some("h")),
            (None, None, None),
            // A blank header is chosen, then refused: no fallback to the field.
            (Some("  "), Some("f"), None),
            (None, Some(""), None),
        ];
        for (header, field, want) in cases {
            assert_eq!(key(header, field).as_deref(), want, "{header:?} {field:?}");
        }
    }

    #[test]
    fn the_digest_is_of_the_trimmed_key() {
        let k = IdempotencyKey::parse(" test ").unwrap();
        assert_eq!(k.digest(), Sha256Digest::of(b"test"));
        assert_eq!(k.digest().to_hex(), HEX);
    }

    #[test]
    fn todays_stored_markers_read_and_write_the_same() {
        let cases = [
            ("pending", IdempotencyState::Pending),
            (
                "registered:CJC-2026-000042",
                IdempotencyState::Finished(Outcome::Registered {
                    number: number("CJC-2026-000042"),
                }),
            ),
            (
                "registered:PMCN-2027-1234567",
                IdempotencyState::Finished(Outcome::Registered {
                    number: number("PMCN-2027-1234567"),
                }),
            ),
            (
                "awaiting-signature:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                IdempotencyState::Finished(Outcome::AwaitingSignature {
                    cerere: Sha256Digest::parse(HEX).unwrap(),
                }),
            ),
            (
                "awaiting-payment:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                IdempotencyState::Finished(Outcome::AwaitingPayment {
                    cerere: Sha256Digest::parse(HEX).unwrap(),
                }),
            ),
        ];
        for (stored, state) in cases {
            assert_eq!(
                IdempotencyState::parse(stored.as_bytes()),
                Ok(state.clone())
            );
            assert_eq!(IdempotencyState::read(stored.as_bytes()), state);
            assert_eq!(state.to_stored(), stored);
        }
    }

    #[test]
    fn unknown_markers_read_as_pending() {
        let cases: [&[u8]; 9] = [
            b"",
            b"Pending",
            b"pending ",
            b"registered:",
            b"registered:CJC-2026-42",
            b"awaiting-signature:",
            b"awaiting-payment:",
            b"awaiting-signature:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
            b"\xff\xfe",
        ];
        for stored in cases {
            assert!(IdempotencyState::parse(stored).is_err(), "{stored:?}");
            assert_eq!(IdempotencyState::read(stored), IdempotencyState::Pending);
        }
    }

    #[test]
    fn next_action_table() {
        let registered = Outcome::Registered {
            number: number("CJC-2026-000042"),
        };
        let awaiting = Outcome::AwaitingSignature {
            cerere: Sha256Digest::parse(HEX).unwrap(),
        };
        let cases = [
            (None, NextAction::StartProcessing),
            (Some(IdempotencyState::Pending), NextAction::InProgress),
            (
                Some(IdempotencyState::Finished(registered.clone())),
                NextAction::ReturnSavedResponse(registered),
            ),
            (
                Some(IdempotencyState::Finished(awaiting.clone())),
                NextAction::ReturnSavedResponse(awaiting),
            ),
        ];
        for (stored, want) in cases {
            assert_eq!(next_action(stored.as_ref()), want, "{stored:?}");
        }
    }
}
