//! The public tracking token printed in QR codes and tracking links.

use std::fmt;
use std::str::FromStr;

use crate::base32::{self, Base32Error};

/// A tracking token: 128 bits from a CSPRNG, written as 26 Crockford base32
/// symbols (`0-9 A-Z` without `I L O U`), uppercase in canonical form.
///
/// It reveals nothing about the dossier; holding it is the only credential for the
/// public tracking views. [`TrackingToken::parse`] accepts lowercase but is
/// otherwise strict (exactly 26 alphabet symbols, the two unused top bits zero),
/// so every token has one spelling and `parse(t.to_string()) == t`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingToken([u8; 16]);

impl TrackingToken {
    /// Builds a token from 16 bytes of a CSPRNG supplied by the caller.
    pub const fn from_random(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Parses a token from a URL path segment or a typed-in string.
    pub fn parse(s: &str) -> Result<Self, Base32Error> {
        base32::decode(s).map(Self)
    }

    /// The raw 128 bits.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for TrackingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&base32::encode(&self.0))
    }
}

// Debug shows the token: it is a bearer secret for tracking only, and logs need to
// correlate lookups. Components must still not log it at info level.
impl fmt::Debug for TrackingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrackingToken({self})")
    }
}

impl FromStr for TrackingToken {
    type Err = Base32Error;
    fn from_str(s: &str) -> Result<Self, Base32Error> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_many_inputs() {
        // A deterministic xorshift stream stands in for the CSPRNG.
        let mut x: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = TrackingToken::from_random(x.to_be_bytes());
            let s = t.to_string();
            assert_eq!(s.len(), 26);
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            );
            assert_eq!(TrackingToken::parse(&s), Ok(t));
            assert_eq!(TrackingToken::parse(&s.to_lowercase()), Ok(t));
        }
    }

    #[test]
    fn parse_table() {
        let cases: &[(&str, Result<(), Base32Error>)] = &[
            ("00000000000000000000000000", Ok(())),
            ("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", Ok(())),
            ("7zzzzzzzzzzzzzzzzzzzzzzzzz", Ok(())),
            ("", Err(Base32Error::Length)),
            ("0000000000000000000000000", Err(Base32Error::Length)),
            ("000000000000000000000000000", Err(Base32Error::Length)),
            ("8ZZZZZZZZZZZZZZZZZZZZZZZZZ", Err(Base32Error::NonCanonical)),
            ("ZZZZZZZZZZZZZZZZZZZZZZZZZZ", Err(Base32Error::NonCanonical)),
            ("0000000000000000000000000I", Err(Base32Error::Character)),
            ("0000000000000000000000000L", Err(Base32Error::Character)),
            ("0000000000000000000000000O", Err(Base32Error::Character)),
            ("0000000000000000000000000U", Err(Base32Error::Character)),
            ("000000000000-0000000000000", Err(Base32Error::Character)),
            ("0000000000000000000000000 ", Err(Base32Error::Character)),
            ("0000000000000000000000000é", Err(Base32Error::Length)),
        ];
        for (s, want) in cases {
            assert_eq!(TrackingToken::parse(s).map(|_| ()), *want, "{s:?}");
        }
    }

    #[test]
    fn display_is_canonical_uppercase() {
        let t = TrackingToken::parse("0abcdefghjkmnpqrstvwxyz012").unwrap();
        assert_eq!(t.to_string(), "0ABCDEFGHJKMNPQRSTVWXYZ012");
    }
}
