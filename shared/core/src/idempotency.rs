//! Idempotent submissions: a citizen's retried submission (same key) registers
//! once and answers what the first one produced (after zero-to-production's
//! `src/idempotency/`), and a key whose request died is not stuck for ever
//! (issue 18, item 6).
//!
//! The protocol, as the portal runs it:
//!
//! 1. [`IdempotencyKey::from_request`] reads the key (the `Idempotency-Key`
//!    header, else the form's `idempotency_key` field). Without a valid key the
//!    submission is processed without idempotency.
//! 2. The key's marker (under the account and [`IdempotencyKey::digest`]) is
//!    read and [`next_action`] decides at `now`. To start, the request moves
//!    the marker from what it read to a [`Claim`] (a leased replace: of
//!    racing requests one wins): when it claimed, the tenant, and the id its
//!    dossier will have if it registers.
//! 3. A claim is a lease of [`LEASE_SECS`]: the claimant registers only if it
//!    is still before [`Claim::register_by`] (the lease's end less a margin
//!    that a registration, number to dossier, fits in many times over).
//!    On success the marker becomes [`IdempotencyState::Finished`]; on
//!    failure [`IdempotencyState::Released`] (nothing was registered: the key
//!    may be used again), each only if the marker still holds its own claim.
//! 4. A claim past its lease ([`NextAction::Recover`]) belongs to a request
//!    that died or gave up: the next request looks for the claim's dossier.
//!    Found, the key is completed with its number (the registration happened,
//!    only its answer was lost); not found, nothing was registered under the
//!    key and the next request claims it afresh. The claimant cannot register
//!    after its lease, so a key never has two dossiers.
//!
//! Stored markers are plain text: `pending:{unix seconds}:{tenant}:{dossier id}`
//! (a claim), `released`, `registered:{number}`, `awaiting-signature:{sha256 hex}`
//! and `awaiting-payment:{sha256 hex}`. A bare `pending`, written before claims
//! carried a time, cannot be told stale from running: the first request that
//! sees it gives it a lease from then ([`NextAction::Adopt`]), so a request of
//! an older instance still running has a lease's time to finish, and after it
//! the key is free (nothing says where such a request's dossier would be).
//! Instances that still run the reader before leases read any marker they do
//! not know as pending, so the formats mix safely.

use chrono::{DateTime, TimeDelta, Utc};
use thiserror::Error;

use crate::digest::Sha256Digest;
use crate::ids::{DossierId, TenantSlug};
use crate::regno::RegistrationNumber;

/// How long a claim holds its key: past it, the next request with the key
/// completes or releases it.
pub const LEASE_SECS: i64 = 60;

/// How long before its lease ends a claim stops registering: the time a
/// registration (number, index entry, dossier) is given to finish.
pub const REGISTER_MARGIN_SECS: i64 = 20;

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

/// A request's claim of a key: when, and where its dossier will be if it
/// registers one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// When the key was claimed.
    pub at: DateTime<Utc>,
    /// The institution the submission is for.
    pub tenant: TenantSlug,
    /// The id the dossier is registered under, if it is.
    pub dossier: DossierId,
}

impl Claim {
    /// When the lease ends: from then on another request may complete or
    /// release the key.
    pub fn expires(&self) -> DateTime<Utc> {
        self.at + TimeDelta::seconds(LEASE_SECS)
    }

    /// The last moment the claimant may start its registration.
    pub fn register_by(&self) -> DateTime<Utc> {
        self.expires() - TimeDelta::seconds(REGISTER_MARGIN_SECS)
    }
}

/// The state of a claimed idempotency key, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyState {
    /// Claimed before claims carried a time (stored as `pending`): its
    /// request cannot be told running from dead, nor found.
    Pending,
    /// Claimed by a request, under a lease.
    Claimed(Claim),
    /// Given back by a request that failed before registering: free.
    Released,
    /// Finished: stored as `registered:{number}`,
    /// `awaiting-signature:{sha256 hex}` or `awaiting-payment:{sha256 hex}`.
    Finished(Outcome),
}

/// Why a stored marker was not understood.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not an idempotency marker: {0:?}")]
pub struct MarkerError(pub String);

const PENDING: &str = "pending";
const CLAIMED: &str = "pending:";
const RELEASED: &str = "released";
const REGISTERED: &str = "registered:";
const AWAITING_SIGNATURE: &str = "awaiting-signature:";
const AWAITING_PAYMENT: &str = "awaiting-payment:";

impl IdempotencyState {
    /// The stored text: `pending`, `pending:{unix seconds}:{tenant}:{dossier}`,
    /// `released`, `registered:{number}`, `awaiting-signature:{sha256 hex}` or
    /// `awaiting-payment:{sha256 hex}`.
    pub fn to_stored(&self) -> String {
        match self {
            Self::Pending => PENDING.to_owned(),
            Self::Claimed(c) => {
                format!("{CLAIMED}{}:{}:{}", c.at.timestamp(), c.tenant, c.dossier)
            }
            Self::Released => RELEASED.to_owned(),
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
        if text == RELEASED {
            return Ok(Self::Released);
        }
        if let Some(c) = text.strip_prefix(CLAIMED) {
            return parse_claim(c).map(Self::Claimed).ok_or_else(unknown);
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
    /// understood is taken for [`Pending`](Self::Pending).
    pub fn read(stored: &[u8]) -> Self {
        Self::parse(stored).unwrap_or(Self::Pending)
    }
}

/// `{unix seconds}:{tenant}:{dossier}`, each part canonical.
fn parse_claim(text: &str) -> Option<Claim> {
    let mut parts = text.split(':');
    let (Some(at), Some(tenant), Some(dossier), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let secs: i64 = at.parse().ok()?;
    let claim = Claim {
        at: DateTime::from_timestamp(secs, 0)?,
        tenant: TenantSlug::parse(tenant).ok()?,
        dossier: DossierId::parse(dossier).ok()?,
    };
    let canonical = IdempotencyState::Claimed(claim.clone()).to_stored();
    (canonical[CLAIMED.len()..] == *text).then_some(claim)
}

/// What a request with an idempotency key does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAction {
    /// The key is free: claim it and process the submission.
    StartProcessing,
    /// A claim without a time (written before leases): give it a lease from
    /// now (a claim whose dossier nobody registers) and answer as
    /// [`NextAction::InProgress`].
    Adopt,
    /// Another request holds the key under its lease: change nothing and
    /// answer that the submission is being registered (409).
    InProgress,
    /// The claim's lease is over: its request died or gave up. If its
    /// dossier exists, the key is completed with it; otherwise nothing was
    /// registered and the key is claimed afresh.
    Recover(Claim),
    /// The key's submission finished: answer what it produced, again.
    ReturnSavedResponse(Outcome),
}

/// Decides what a request does at `now` from its key's stored state
/// (`None`: no marker, the key is free).
pub fn next_action(stored: Option<&IdempotencyState>, now: DateTime<Utc>) -> NextAction {
    match stored {
        None | Some(IdempotencyState::Released) => NextAction::StartProcessing,
        Some(IdempotencyState::Pending) => NextAction::Adopt,
        Some(IdempotencyState::Claimed(c)) if now < c.expires() => NextAction::InProgress,
        Some(IdempotencyState::Claimed(c)) => NextAction::Recover(c.clone()),
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

    fn claim_at(secs: i64) -> Claim {
        Claim {
            at: DateTime::from_timestamp(secs, 0).unwrap(),
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            dossier: DossierId::from_random([7; 16]),
        }
    }

    #[test]
    fn claims_and_releases_read_and_write_the_same() {
        let claim = claim_at(1_766_000_000);
        let stored = format!("pending:1766000000:cj-cluj:{}", claim.dossier);
        let state = IdempotencyState::Claimed(claim.clone());
        assert_eq!(state.to_stored(), stored);
        assert_eq!(IdempotencyState::parse(stored.as_bytes()), Ok(state));
        assert_eq!(
            IdempotencyState::parse(b"released"),
            Ok(IdempotencyState::Released)
        );
        assert_eq!(IdempotencyState::Released.to_stored(), "released");
        let bad = [
            "pending:".to_owned(),
            "pending:1766000000:cj-cluj".to_owned(),
            format!("pending:01766000000:cj-cluj:{}", claim.dossier),
            format!("pending:1766000000:CJ:{}", claim.dossier),
            "pending:1766000000:cj-cluj:xyz".to_owned(),
            format!("pending:1766000000:cj-cluj:{}:x", claim.dossier),
        ];
        for b in bad {
            assert!(IdempotencyState::parse(b.as_bytes()).is_err(), "{b}");
        }
    }

    #[test]
    fn a_claim_registers_well_before_its_lease_ends() {
        let c = claim_at(1_000);
        assert_eq!(c.expires().timestamp(), 1_000 + LEASE_SECS);
        assert_eq!(
            c.register_by().timestamp(),
            1_000 + LEASE_SECS - REGISTER_MARGIN_SECS
        );
        assert!(c.register_by() > c.at && c.register_by() < c.expires());
    }

    #[test]
    fn next_action_table() {
        let registered = Outcome::Registered {
            number: number("CJC-2026-000042"),
        };
        let awaiting = Outcome::AwaitingSignature {
            cerere: Sha256Digest::parse(HEX).unwrap(),
        };
        let claim = claim_at(1_000);
        let at = |secs: i64| DateTime::from_timestamp(secs, 0).unwrap();
        let cases = [
            (None, at(5_000), NextAction::StartProcessing),
            (
                Some(IdempotencyState::Released),
                at(5_000),
                NextAction::StartProcessing,
            ),
            (
                Some(IdempotencyState::Pending),
                at(5_000),
                NextAction::Adopt,
            ),
            (
                Some(IdempotencyState::Claimed(claim.clone())),
                at(1_000),
                NextAction::InProgress,
            ),
            (
                Some(IdempotencyState::Claimed(claim.clone())),
                at(1_000 + LEASE_SECS - 1),
                NextAction::InProgress,
            ),
            (
                Some(IdempotencyState::Claimed(claim.clone())),
                at(1_000 + LEASE_SECS),
                NextAction::Recover(claim.clone()),
            ),
            (
                Some(IdempotencyState::Finished(registered.clone())),
                at(5_000),
                NextAction::ReturnSavedResponse(registered),
            ),
            (
                Some(IdempotencyState::Finished(awaiting.clone())),
                at(5_000),
                NextAction::ReturnSavedResponse(awaiting),
            ),
        ];
        for (stored, now, want) in cases {
            assert_eq!(next_action(stored.as_ref(), now), want, "{stored:?} {now}");
        }
    }
}
