//! Identifiers: parse-once newtypes for slugs, codes, usernames and dossier ids.
//!
//! | type               | characters                          | length | first char      |
//! |--------------------|-------------------------------------|--------|-----------------|
//! | [`TenantSlug`]     | `a-z 0-9 -`                         | 2–40   | letter          |
//! | [`DepartmentCode`] | `a-z 0-9 -`                         | 2–40   | letter          |
//! | [`DocumentTypeCode`] | `a-z 0-9 -`                       | 2–40   | letter          |
//! | [`Username`]       | `a-z 0-9 . - _`                     | 2–64   | letter or digit |
//! | [`DossierId`]      | 26 Crockford base32 symbols (128 bits) | 26  | `0`–`7`         |
//!
//! The usernames `citizen` and `system` are reserved: they name the non-official
//! actors of route events.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::base32::{self, Base32Error};

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    /// Too short or too long.
    #[error("{what} must be {min} to {max} characters long")]
    Length {
        /// The kind of identifier.
        what: &'static str,
        /// Minimum length.
        min: usize,
        /// Maximum length.
        max: usize,
    },
    /// The first character is not allowed there.
    #[error("{what} must start with {rule}")]
    Start {
        /// The kind of identifier.
        what: &'static str,
        /// What it must start with.
        rule: &'static str,
    },
    /// A character outside the allowed set.
    #[error("{what} may contain only {rule}")]
    Character {
        /// The kind of identifier.
        what: &'static str,
        /// The allowed set.
        rule: &'static str,
    },
    /// A reserved word.
    #[error("{what} `{value}` is reserved")]
    Reserved {
        /// The kind of identifier.
        what: &'static str,
        /// The reserved value.
        value: String,
    },
    /// A malformed dossier id.
    #[error("dossier id {0}")]
    DossierId(#[from] Base32Error),
}

fn check_slug(s: &str, what: &'static str, max: usize) -> Result<(), IdError> {
    if !(2..=max).contains(&s.len()) {
        return Err(IdError::Length { what, min: 2, max });
    }
    if !s.as_bytes()[0].is_ascii_lowercase() {
        return Err(IdError::Start {
            what,
            rule: "a lowercase letter",
        });
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(IdError::Character {
            what,
            rule: "lowercase letters, digits and hyphens",
        });
    }
    Ok(())
}

macro_rules! slug_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Validates `s` (see the module table).
            pub fn parse(s: &str) -> Result<Self, IdError> {
                check_slug(s, $what, 40).map(|()| Self(s.to_owned()))
            }

            /// The identifier.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
    };
}

slug_type!(
    /// An institution's slug, e.g. `cj-cluj` or `primaria-turda`.
    TenantSlug, "tenant slug"
);
slug_type!(
    /// A department's code within its tenant, e.g. `registratura`, `urbanism`.
    DepartmentCode, "department code"
);
slug_type!(
    /// A document type's code within its tenant, e.g. `certificat-urbanism`.
    DocumentTypeCode, "document type code"
);

/// An official's login name, e.g. `ana.pop`. Never `citizen` or `system`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    /// Validates `s` (see the module table).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        const WHAT: &str = "username";
        if !(2..=64).contains(&s.len()) {
            return Err(IdError::Length {
                what: WHAT,
                min: 2,
                max: 64,
            });
        }
        let first = s.as_bytes()[0];
        if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
            return Err(IdError::Start {
                what: WHAT,
                rule: "a lowercase letter or a digit",
            });
        }
        if !s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        }) {
            return Err(IdError::Character {
                what: WHAT,
                rule: "lowercase letters, digits, '.', '-' and '_'",
            });
        }
        if s == "citizen" || s == "system" {
            return Err(IdError::Reserved {
                what: WHAT,
                value: s.to_owned(),
            });
        }
        Ok(Self(s.to_owned()))
    }

    /// The username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Username {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

/// A dossier's internal id: 128 random bits, 26 Crockford base32 symbols (the
/// codec of [`crate::TrackingToken`]). Distinct from the tracking token so the
/// token can be rotated without touching storage keys; it is never shown publicly.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DossierId([u8; 16]);

impl DossierId {
    /// Builds an id from 16 bytes of a CSPRNG supplied by the caller.
    pub const fn from_random(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Parses the 26-symbol form (case-insensitive, otherwise strict).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        Ok(Self(base32::decode(s)?))
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for DossierId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&base32::encode(&self.0))
    }
}

impl fmt::Debug for DossierId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DossierId({self})")
    }
}

impl FromStr for DossierId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rules() {
        let long = format!("a{}", "b".repeat(40));
        let cases: &[(&str, bool)] = &[
            ("cj-cluj", true),
            ("primaria-turda", true),
            ("a1", true),
            (&long[..40], true),
            (&long, false),
            ("a", false),
            ("", false),
            ("1abc", false),
            ("-abc", false),
            ("Cluj", false),
            ("cluj_napoca", false),
            ("cluj napoca", false),
            ("cluj.napoca", false),
            ("clujă", false),
        ];
        for (s, ok) in cases {
            assert_eq!(TenantSlug::parse(s).is_ok(), *ok, "tenant {s:?}");
            assert_eq!(DepartmentCode::parse(s).is_ok(), *ok, "department {s:?}");
            assert_eq!(DocumentTypeCode::parse(s).is_ok(), *ok, "type {s:?}");
        }
    }

    #[test]
    fn username_rules() {
        let long = "a".repeat(65);
        let cases: &[(&str, bool)] = &[
            ("ana.pop", true),
            ("ion_ionescu-2", true),
            ("2ana", true),
            (&long[..64], true),
            (&long, false),
            ("a", false),
            (".ana", false),
            ("Ana", false),
            ("ana pop", false),
            ("ana@pop", false),
            ("citizen", false),
            ("system", false),
        ];
        for (s, ok) in cases {
            assert_eq!(Username::parse(s).is_ok(), *ok, "{s:?}");
        }
    }

    #[test]
    fn dossier_id_round_trip() {
        let id = DossierId::from_random([0xa5; 16]);
        let text = id.to_string();
        assert_eq!(text.len(), 26);
        assert_eq!(DossierId::parse(&text), Ok(id));
        assert_eq!(DossierId::parse(&text.to_lowercase()), Ok(id));
        assert!(DossierId::parse("8ZZZZZZZZZZZZZZZZZZZZZZZZZ").is_err());
    }
}
