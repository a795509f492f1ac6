//! Validated free-text newtypes: what a field may hold, decided once at the edge.
//!
//! Every text is trimmed, non-empty, bounded in characters and free of control
//! characters (line breaks are allowed only where noted).

use std::fmt;

use thiserror::Error;

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// Empty or only whitespace.
    #[error("{what} must not be empty")]
    Empty {
        /// The kind of text.
        what: &'static str,
    },
    /// Longer than allowed (in characters).
    #[error("{what} must be at most {max} characters long")]
    TooLong {
        /// The kind of text.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// Contains a control character.
    #[error("{what} contains a control character")]
    Control {
        /// The kind of text.
        what: &'static str,
    },
}

fn check(raw: &str, what: &'static str, max: usize, multiline: bool) -> Result<String, TextError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(TextError::Empty { what });
    }
    if t.chars().count() > max {
        return Err(TextError::TooLong { what, max });
    }
    let bad = |c: char| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t'));
    if t.chars().any(bad) {
        return Err(TextError::Control { what });
    }
    Ok(t.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal, $multiline:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Maximum length in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims and validates `raw`.
            pub fn parse(raw: &str) -> Result<Self, TextError> {
                check(raw, $what, $max, $multiline).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A public display name (institution, department, official, document type
    /// title): one line, up to 200 characters. Officials' display names are public.
    DisplayName, "name", 200, false
);
text_type!(
    /// A note written for the public: shown on the tracking page as is. Up to
    /// 1,000 characters, line breaks allowed. The desk labels the field as public.
    PublicNote, "public note", 1000, true
);
text_type!(
    /// An internal reason (rejection, deadline extension): never on public views,
    /// since it may quote the citizen. Up to 2,000 characters, line breaks allowed.
    Reason, "reason", 2000, true
);
text_type!(
    /// An internal note on a dossier (e.g. the registrar's remark at intake): never
    /// on public views. Up to 4,000 characters, line breaks allowed.
    InternalNote, "note", 4000, true
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        let long = "a".repeat(201);
        let cases: &[(&str, Result<&str, TextError>)] = &[
            ("  Primăria Turda ", Ok("Primăria Turda")),
            ("", Err(TextError::Empty { what: "name" })),
            ("   ", Err(TextError::Empty { what: "name" })),
            (
                &long,
                Err(TextError::TooLong {
                    what: "name",
                    max: 200,
                }),
            ),
            ("a\nb", Err(TextError::Control { what: "name" })),
        ];
        for (raw, want) in cases {
            let got = DisplayName::parse(raw);
            assert_eq!(
                got.as_ref().map(|n| n.as_str()),
                want.as_ref().map(|s| *s),
                "{raw:?}"
            );
        }
        assert_eq!(PublicNote::parse("a\nb").unwrap().as_str(), "a\nb");
        assert!(Reason::parse(" \t").is_err());
    }
}
