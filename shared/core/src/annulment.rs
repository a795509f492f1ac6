//! Annulled registration numbers (issue 18, item 7): a number is never
//! reused, so one taken by a registration that died before its dossier was
//! written stays in the registry without a dossier. Whoever may register
//! (a registrar, the tenant's administrator: core's
//! [`crate::permissions::authorize_registration`]) records it as annulled,
//! once, with a reason; the statistics count such numbers.
//!
//! Stored as plain text, written once: `{unix seconds}\n{username}\n{reason}`.

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::ids::Username;

/// The longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 300;

/// Why a reason was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the reason is 3 to 300 characters on one line")]
pub struct ReasonError;

/// Why a number was annulled: 3 to [`MAX_REASON_CHARS`] characters, one
/// line, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnulmentReason(String);

impl AnnulmentReason {
    /// Validates `raw`.
    pub fn parse(raw: &str) -> Result<Self, ReasonError> {
        let r = raw.trim();
        let chars = r.chars().count();
        if (3..=MAX_REASON_CHARS).contains(&chars) && !r.chars().any(char::is_control) {
            Ok(Self(r.to_owned()))
        } else {
            Err(ReasonError)
        }
    }

    /// The reason.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A number's annulment: when, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annulment {
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The official who recorded it.
    pub by: Username,
    /// Why.
    pub reason: AnnulmentReason,
}

impl Annulment {
    /// The stored text.
    pub fn to_stored(&self) -> String {
        format!(
            "{}\n{}\n{}",
            self.at.timestamp(),
            self.by.as_str(),
            self.reason.as_str()
        )
    }

    /// Reads [`to_stored`](Self::to_stored)'s text back, strictly.
    pub fn from_stored(stored: &str) -> Option<Self> {
        let mut lines = stored.splitn(3, '\n');
        let (Some(at), Some(by), Some(reason)) = (lines.next(), lines.next(), lines.next()) else {
            return None;
        };
        let annulment = Self {
            at: DateTime::from_timestamp(at.parse().ok()?, 0)?,
            by: Username::parse(by).ok()?,
            reason: AnnulmentReason::parse(reason).ok()?,
        };
        (annulment.to_stored() == stored).then_some(annulment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_table() {
        let long = "x".repeat(300);
        let too_long = "x".repeat(301);
        let cases = [
            ("Înregistrare întreruptă", true),
            ("  cu spații  ", true),
            ("ab", false),
            ("   ", false),
            ("două\nrânduri", false),
            (long.as_str(), true),
            (too_long.as_str(), false),
        ];
        for (raw, ok) in cases {
            assert_eq!(AnnulmentReason::parse(raw).is_ok(), ok, "{raw:?}");
        }
        assert_eq!(AnnulmentReason::parse(" abc ").unwrap().as_str(), "abc");
    }

    #[test]
    fn an_annulment_reads_back_strictly() {
        let a = Annulment {
            at: DateTime::from_timestamp(1_766_000_000, 0).unwrap(),
            by: Username::parse("reg").unwrap(),
            reason: AnnulmentReason::parse("Căderea serverului la înregistrare").unwrap(),
        };
        let stored = a.to_stored();
        assert_eq!(
            stored,
            "1766000000\nreg\nCăderea serverului la înregistrare"
        );
        assert_eq!(Annulment::from_stored(&stored), Some(a));
        for bad in [
            "",
            "1766000000\nreg",
            "x\nreg\nmotiv",
            "1766000000\nReg Mare\nmotiv",
            "1766000000\nreg\nab",
            "01766000000\nreg\nmotiv bun",
        ] {
            assert_eq!(Annulment::from_stored(bad), None, "{bad:?}");
        }
    }
}
