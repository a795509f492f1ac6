//! Crockford base32 for 128-bit values: the codec behind [`crate::TrackingToken`]
//! and [`crate::DossierId`].
//!
//! 128 bits need 26 symbols of 5 bits (130 bits); the two top bits of the first
//! symbol are always zero, so the first symbol is one of `0`–`7`. Requiring that
//! gives every value exactly one spelling (up to letter case): parsing is strict,
//! with no hyphens, no `I/L/O` aliases and no check symbol.

use thiserror::Error;

/// The 32 symbols, in value order (no `I`, `L`, `O`, `U`).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Length of an encoded 128-bit value.
pub const ENCODED_LEN: usize = 26;

/// Why a string is not a canonical 26-symbol Crockford base32 value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Base32Error {
    /// Not exactly 26 characters.
    #[error("must be exactly 26 characters long")]
    Length,
    /// A character outside the Crockford alphabet.
    #[error("contains a character outside the Crockford base32 alphabet")]
    Character,
    /// The first symbol sets one of the two unused top bits.
    #[error("is not in canonical form")]
    NonCanonical,
}

/// Encodes 16 bytes as 26 uppercase Crockford base32 symbols.
pub(crate) fn encode(bytes: &[u8; 16]) -> String {
    let v = u128::from_be_bytes(*bytes);
    (0..ENCODED_LEN)
        .map(|i| {
            let shift = 5 * (ENCODED_LEN - 1 - i);
            char::from(ALPHABET[((v >> shift) & 31) as usize])
        })
        .collect()
}

/// The symbol of a 5-bit value (`v` below 32).
pub(crate) fn symbol(v: u64) -> u8 {
    ALPHABET[(v & 31) as usize]
}

/// Whether `c` is an uppercase symbol of the alphabet.
pub(crate) fn is_symbol(c: u8) -> bool {
    ALPHABET.contains(&c)
}

/// Decodes 26 Crockford base32 symbols (either case) into 16 bytes, strictly.
pub(crate) fn decode(s: &str) -> Result<[u8; 16], Base32Error> {
    let raw = s.as_bytes();
    if raw.len() != ENCODED_LEN {
        return Err(Base32Error::Length);
    }
    let mut v: u128 = 0;
    for (i, &c) in raw.iter().enumerate() {
        let d = symbol_value(c).ok_or(Base32Error::Character)?;
        if i == 0 && d > 7 {
            return Err(Base32Error::NonCanonical);
        }
        v = (v << 5) | u128::from(d);
    }
    Ok(v.to_be_bytes())
}

fn symbol_value(c: u8) -> Option<u8> {
    let upper = c.to_ascii_uppercase();
    ALPHABET.iter().position(|&a| a == upper).map(|p| p as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let cases: &[([u8; 16], &str)] = &[
            ([0; 16], "00000000000000000000000000"),
            ([0xff; 16], "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"),
            (
                {
                    let mut b = [0; 16];
                    b[15] = 1;
                    b
                },
                "00000000000000000000000001",
            ),
            (
                {
                    let mut b = [0; 16];
                    b[15] = 32;
                    b
                },
                "00000000000000000000000010",
            ),
        ];
        for (bytes, text) in cases {
            assert_eq!(encode(bytes), *text);
            assert_eq!(decode(text).unwrap(), *bytes);
        }
    }
}
