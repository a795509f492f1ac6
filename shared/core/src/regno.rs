//! Registration numbers: `{prefix}-{year}-{seq:06}`, e.g. `CJC-2026-000042`.
//!
//! Numbering rule (enforced by the platform, stated here because it is domain):
//! one counter per tenant per calendar year (the year of the registration date in
//! Romanian local time), advanced with the key-value store's atomic increment, so
//! numbers are gap-free under concurrency and a number once handed out is never
//! reused, not even when a registration fails after the increment (the number is
//! then recorded as void rather than handed out again). The counter's key name is
//! the platform's business, not this crate's.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};
use thiserror::Error;

use crate::calendar::local_date;

/// The numbering year of a registration at `now`: the year of the Romanian local
/// date, so a paper handed in at 00:30 on 1 January in Cluj (22:30 UTC on 31
/// December) gets the new year's number.
pub fn registration_year(now: DateTime<Utc>) -> u16 {
    u16::try_from(local_date(now).year()).unwrap_or(0)
}

/// Why a registration number or prefix was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegNoError {
    /// The prefix is not 2–8 uppercase ASCII letters or digits.
    #[error("a registration prefix is 2 to 8 uppercase letters or digits")]
    Prefix,
    /// The year is outside 2000–9999.
    #[error("the year of a registration number must be between 2000 and 9999")]
    Year,
    /// The sequence number is zero or not canonically written.
    #[error("the sequence of a registration number is a positive number of at least 6 digits")]
    Seq,
    /// Not of the form `PREFIX-YYYY-NNNNNN`.
    #[error("a registration number looks like CJC-2026-000042")]
    Shape,
}

/// A tenant's registration number prefix: 2–8 uppercase ASCII letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationPrefix(String);

impl RegistrationPrefix {
    /// Validates `s`.
    pub fn parse(s: &str) -> Result<Self, RegNoError> {
        let ok = (2..=8).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(RegNoError::Prefix)
        }
    }

    /// The prefix.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegistrationPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A dossier's registration number. `Display` and `FromStr` use the canonical
/// form `{prefix}-{year}-{seq:06}`; parsing accepts only that form (sequences
/// beyond 999,999 are written without padding and without leading zeros).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationNumber {
    prefix: RegistrationPrefix,
    year: u16,
    seq: u32,
}

impl RegistrationNumber {
    /// Builds a number from the tenant's prefix, the registration year and the
    /// value returned by the atomic increment (starting at 1).
    pub fn new(prefix: RegistrationPrefix, year: u16, seq: u32) -> Result<Self, RegNoError> {
        if !(2000..=9999).contains(&year) {
            return Err(RegNoError::Year);
        }
        if seq == 0 {
            return Err(RegNoError::Seq);
        }
        Ok(Self { prefix, year, seq })
    }

    /// The tenant's prefix.
    pub fn prefix(&self) -> &RegistrationPrefix {
        &self.prefix
    }

    /// The registration year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The sequence number within the tenant and year.
    pub fn seq(&self) -> u32 {
        self.seq
    }
}

impl fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:06}", self.prefix, self.year, self.seq)
    }
}

impl FromStr for RegistrationNumber {
    type Err = RegNoError;

    fn from_str(s: &str) -> Result<Self, RegNoError> {
        let mut parts = s.split('-');
        let (Some(p), Some(y), Some(n), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(RegNoError::Shape);
        };
        let prefix = RegistrationPrefix::parse(p)?;
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegNoError::Year);
        }
        let year: u16 = y.parse().map_err(|_| RegNoError::Year)?;
        if n.len() < 6 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegNoError::Seq);
        }
        let seq: u32 = n.parse().map_err(|_| RegNoError::Seq)?;
        let number = Self::new(prefix, year, seq)?;
        // One spelling per number: `CJC-2026-0000042` is not `CJC-2026-000042`.
        if number.to_string() != s {
            return Err(RegNoError::Seq);
        }
        Ok(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_table() {
        type Case<'a> = (&'a str, Result<(&'a str, u16, u32), RegNoError>);
        let cases: &[Case] = &[
            ("CJC-2026-000042", Ok(("CJC", 2026, 42))),
            ("CJC-2026-000001", Ok(("CJC", 2026, 1))),
            ("PMT1-2027-999999", Ok(("PMT1", 2027, 999_999))),
            ("CJC-2026-1000000", Ok(("CJC", 2026, 1_000_000))),
            ("CJC-2026-0000042", Err(RegNoError::Seq)),
            ("CJC-2026-000000", Err(RegNoError::Seq)),
            ("CJC-2026-42", Err(RegNoError::Seq)),
            ("CJC-2026-00004a", Err(RegNoError::Seq)),
            ("cjc-2026-000042", Err(RegNoError::Prefix)),
            ("C-2026-000042", Err(RegNoError::Prefix)),
            ("CJCLUJNAP-2026-000042", Err(RegNoError::Prefix)),
            ("CJC-26-000042", Err(RegNoError::Year)),
            ("CJC-1999-000042", Err(RegNoError::Year)),
            ("CJC-2026", Err(RegNoError::Shape)),
            ("CJC-2026-000042-1", Err(RegNoError::Shape)),
            ("", Err(RegNoError::Shape)),
        ];
        for (s, want) in cases {
            let got = s.parse::<RegistrationNumber>();
            match (got, want) {
                (Ok(n), Ok((p, y, q))) => {
                    assert_eq!(
                        (n.prefix().as_str(), n.year(), n.seq()),
                        (*p, *y, *q),
                        "{s}"
                    );
                    assert_eq!(n.to_string(), *s);
                }
                (Err(e), Err(w)) => assert_eq!(&e, w, "{s}"),
                (got, want) => panic!("{s}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn numbering_year_is_local() {
        let cases = [
            ("2026-12-31T21:59:59Z", 2026),
            ("2026-12-31T22:00:00Z", 2027),
            ("2027-06-30T12:00:00Z", 2027),
        ];
        for (at, want) in cases {
            assert_eq!(registration_year(at.parse().unwrap()), want, "{at}");
        }
    }

    #[test]
    fn new_pads_to_six_digits() {
        let p = RegistrationPrefix::parse("CJC").unwrap();
        let n = RegistrationNumber::new(p.clone(), 2026, 42).unwrap();
        assert_eq!(n.to_string(), "CJC-2026-000042");
        assert_eq!(RegistrationNumber::new(p, 2026, 0), Err(RegNoError::Seq));
    }
}
