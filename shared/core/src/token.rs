//! The public tracking token printed in QR codes and tracking links.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

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

    /// The short code printed on a receipt beside the registration number,
    /// for following a document whose QR code is damaged: 8 Crockford base32
    /// symbols (40 bits) of a SHA-256 of the token, shown as `ABCD-EFGH`. It
    /// reveals nothing of the token; with the number it finds the dossier,
    /// and lookups by it are rate-limited like lookups by token.
    pub fn receipt_code(&self) -> ReceiptCode {
        let digest = Sha256::new()
            .chain_update(b"ghiseu receipt code\0")
            .chain_update(self.0)
            .finalize();
        let mut v: u64 = 0;
        for b in &digest[..5] {
            v = (v << 8) | u64::from(*b);
        }
        let mut code = [0u8; 8];
        for (i, c) in code.iter_mut().enumerate() {
            *c = base32::symbol((v >> (5 * (7 - i))) & 31);
        }
        ReceiptCode(code)
    }
}

/// A receipt's short code ([`TrackingToken::receipt_code`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ReceiptCode([u8; 8]);

impl ReceiptCode {
    /// Reads a code as a person types it: either case, spaces and hyphens
    /// ignored, and Crockford's aliases (`I`, `L` for 1, `O` for 0).
    pub fn parse(typed: &str) -> Option<Self> {
        let mut code = [0u8; 8];
        let mut n = 0;
        for c in typed.bytes().filter(|c| !matches!(c, b' ' | b'-' | b'\t')) {
            let c = match c.to_ascii_uppercase() {
                b'I' | b'L' => b'1',
                b'O' => b'0',
                other => other,
            };
            if n == 8 || !base32::is_symbol(c) {
                return None;
            }
            code[n] = c;
            n += 1;
        }
        (n == 8).then_some(Self(code))
    }
}

impl fmt::Display for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = std::str::from_utf8(&self.0).map_err(|_| fmt::Error)?;
        write!(f, "{}-{}", &s[..4], &s[4..])
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
    fn receipt_codes_are_short_stable_and_typed_forgivingly() {
        let t = TrackingToken::from_random([7; 16]);
        let code = t.receipt_code();
        let shown = code.to_string();
        assert_eq!(shown.len(), 9);
        assert_eq!(&shown[4..5], "-");
        assert_eq!(code, TrackingToken::from_random([7; 16]).receipt_code());
        assert_ne!(code, TrackingToken::from_random([8; 16]).receipt_code());
        assert_eq!(ReceiptCode::parse(&shown), Some(code));
        let typed = shown
            .replace('-', " ")
            .to_lowercase()
            .replace('1', "l")
            .replace('0', "o");
        assert_eq!(ReceiptCode::parse(&typed), Some(code));
        assert_eq!(ReceiptCode::parse("ABCD-EFG"), None);
        assert_eq!(ReceiptCode::parse("ABCD-EFGHJ"), None);
        assert_eq!(ReceiptCode::parse("ABCD-EFGU"), None);
    }

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
