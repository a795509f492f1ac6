//! Document types: what a citizen can ask for, configurable per tenant.
//!
//! A type is versioned: editing it creates a new version and a dossier keeps the
//! version it was registered under. Form fields are a closed list of kinds, each
//! with its own validation ([`FieldKind::validate`]); richer kinds (address,
//! attachment rules, conditional fields) will extend the enum.

use std::fmt;

use chrono::NaiveDate;
use thiserror::Error;

use crate::citizen_contact::{Cnp, Email, PhoneNumber};
use crate::deadline::DeadlineRule;
use crate::ids::{DepartmentCode, DocumentTypeCode, TenantSlug};
use crate::lang::Lang;
use crate::text::DisplayName;

/// A text in the three page languages; Romanian is required, the others fall
/// back to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Titles {
    /// Romanian.
    pub ro: DisplayName,
    /// Hungarian.
    pub hu: Option<DisplayName>,
    /// English.
    pub en: Option<DisplayName>,
}

impl Titles {
    /// A Romanian-only title.
    pub fn ro(ro: DisplayName) -> Self {
        Self {
            ro,
            hu: None,
            en: None,
        }
    }

    /// The text in `lang`, or the Romanian one.
    pub fn get(&self, lang: Lang) -> &DisplayName {
        match lang {
            Lang::Ro => &self.ro,
            Lang::Hu => self.hu.as_ref().unwrap_or(&self.ro),
            Lang::En => self.en.as_ref().unwrap_or(&self.ro),
        }
    }
}

/// Which electronic signature the citizen's request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureRequirement {
    /// No signature.
    None,
    /// A simple electronic signature.
    Simple,
    /// A qualified electronic signature.
    Qualified,
}

/// The version of a document type, starting at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeVersion(u32);

impl TypeVersion {
    /// The first version.
    pub const FIRST: Self = Self(1);

    /// `Some` for 1 and above.
    pub fn new(v: u32) -> Option<Self> {
        (v >= 1).then_some(Self(v))
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }

    /// The version after this one.
    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl fmt::Display for TypeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A form field's name: 1–40 of `a-z 0-9 _`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldName(String);

impl FieldName {
    /// Validates `s`.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let ok = (1..=40).contains(&s.len())
            && s.as_bytes()[0].is_ascii_lowercase()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::Name)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a field definition or a field value was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldError {
    /// A malformed field name.
    #[error("a field name is 1 to 40 lowercase letters, digits or underscores")]
    Name,
    /// A required field left empty.
    #[error("this field is required")]
    Required,
    /// Text longer than allowed.
    #[error("at most {max} characters")]
    TooLong {
        /// The limit.
        max: u16,
    },
    /// A control character in a one-line text.
    #[error("contains a control character")]
    Control,
    /// Not a whole number in range.
    #[error("a whole number between {min} and {max}")]
    Number {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// Not a date written `YYYY-MM-DD`.
    #[error("a date written YYYY-MM-DD")]
    Date,
    /// Not one of the options.
    #[error("not one of the options")]
    Option,
    /// A checkbox value other than `on`/`true`/`false`.
    #[error("not a checkbox value")]
    Checkbox,
    /// An invalid CNP, e-mail or phone number.
    #[error("{0}")]
    Contact(#[from] crate::citizen_contact::ContactError),
}

/// The kind of a form field, with its validation parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    Text {
        /// Maximum characters.
        max_chars: u16,
    },
    /// Several lines of text.
    Multiline {
        /// Maximum characters.
        max_chars: u16,
    },
    /// A whole number.
    Number {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// One of fixed options (their values).
    Select {
        /// The allowed values.
        options: Vec<String>,
    },
    /// A yes/no box.
    Checkbox,
    /// A CNP, checked as [`Cnp`].
    Cnp,
    /// An e-mail address, checked as [`Email`].
    Email,
    /// A Romanian phone number, checked as [`PhoneNumber`].
    Phone,
}

impl FieldKind {
    /// A stable code for the kind: `text`, `multiline`, `number`, `date`,
    /// `select`, `checkbox`, `cnp`, `email`, `phone`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Multiline { .. } => "multiline",
            Self::Number { .. } => "number",
            Self::Date => "date",
            Self::Select { .. } => "select",
            Self::Checkbox => "checkbox",
            Self::Cnp => "cnp",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    /// Validates a non-empty submitted value and returns its normalised form.
    pub fn validate(&self, value: &str) -> Result<String, FieldError> {
        let v = value.trim();
        match self {
            Self::Text { max_chars } | Self::Multiline { max_chars } => {
                if v.chars().count() > usize::from(*max_chars) {
                    return Err(FieldError::TooLong { max: *max_chars });
                }
                let multiline = matches!(self, Self::Multiline { .. });
                if v.chars()
                    .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
                {
                    return Err(FieldError::Control);
                }
                Ok(v.to_owned())
            }
            Self::Number { min, max } => match v.parse::<i64>() {
                Ok(n) if (*min..=*max).contains(&n) => Ok(n.to_string()),
                _ => Err(FieldError::Number {
                    min: *min,
                    max: *max,
                }),
            },
            Self::Date => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(|d| d.to_string())
                .map_err(|_| FieldError::Date),
            Self::Select { options } => options
                .iter()
                .find(|o| o.as_str() == v)
                .cloned()
                .ok_or(FieldError::Option),
            Self::Checkbox => match v {
                "on" | "true" | "1" => Ok("true".into()),
                "false" | "0" => Ok("false".into()),
                _ => Err(FieldError::Checkbox),
            },
            Self::Cnp => Ok(Cnp::parse(v)?.as_str().to_owned()),
            Self::Email => Ok(Email::parse(v)?.as_str().to_owned()),
            Self::Phone => Ok(PhoneNumber::parse(v)?.as_str().to_owned()),
        }
    }
}

/// One field of a document type's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    /// The name (form key).
    pub name: FieldName,
    /// The label shown to the citizen.
    pub label: Titles,
    /// Whether a value is required.
    pub required: bool,
    /// The kind and its validation.
    pub kind: FieldKind,
}

impl FieldDef {
    /// Validates a submitted value (`None` or blank means absent) and returns the
    /// normalised value to store. An unchecked checkbox is absent, i.e. `false`.
    pub fn validate(&self, value: Option<&str>) -> Result<Option<String>, FieldError> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None if self.required => Err(FieldError::Required),
            None => Ok(None),
            Some(v) => self.kind.validate(v).map(Some),
        }
    }
}

/// A kind of document the institution handles, in one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentType {
    /// The tenant that offers it.
    pub tenant: TenantSlug,
    /// The code, unique within the tenant (stable across versions).
    pub code: DocumentTypeCode,
    /// This version.
    pub version: TypeVersion,
    /// Public titles.
    pub titles: Titles,
    /// How the legal deadline is counted.
    pub deadline: DeadlineRule,
    /// Where new dossiers of this type go first.
    pub first_department: DepartmentCode,
    /// The signature the citizen's request needs.
    pub signature: SignatureRequirement,
    /// The fee in bani (1 leu = 100 bani); 0 when free.
    pub fee_bani: u64,
    /// How long dossiers of this type are archived, in years.
    pub retention_years: u16,
    /// The form.
    pub fields: Vec<FieldDef>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_kind_table() {
        let sel = FieldKind::Select {
            options: vec!["da".into(), "nu".into()],
        };
        let cases: Vec<(FieldKind, &str, Result<&str, FieldError>)> = vec![
            (FieldKind::Text { max_chars: 5 }, " abc ", Ok("abc")),
            (
                FieldKind::Text { max_chars: 5 },
                "abcdef",
                Err(FieldError::TooLong { max: 5 }),
            ),
            (
                FieldKind::Text { max_chars: 5 },
                "a\nb",
                Err(FieldError::Control),
            ),
            (FieldKind::Multiline { max_chars: 5 }, "a\nb", Ok("a\nb")),
            (FieldKind::Number { min: 1, max: 10 }, "7", Ok("7")),
            (
                FieldKind::Number { min: 1, max: 10 },
                "11",
                Err(FieldError::Number { min: 1, max: 10 }),
            ),
            (
                FieldKind::Number { min: 1, max: 10 },
                "x",
                Err(FieldError::Number { min: 1, max: 10 }),
            ),
            (FieldKind::Date, "2026-02-28", Ok("2026-02-28")),
            (FieldKind::Date, "2026-02-30", Err(FieldError::Date)),
            (sel.clone(), "da", Ok("da")),
            (sel, "poate", Err(FieldError::Option)),
            (FieldKind::Checkbox, "on", Ok("true")),
            (FieldKind::Checkbox, "maybe", Err(FieldError::Checkbox)),
            (FieldKind::Cnp, "1960529120011", Ok("1960529120011")),
            (
                FieldKind::Cnp,
                "1960529120012",
                Err(crate::citizen_contact::ContactError::CnpChecksum.into()),
            ),
            (FieldKind::Email, "a@b.ro", Ok("a@b.ro")),
            (FieldKind::Phone, "0722 123 456", Ok("+40722123456")),
        ];
        for (kind, value, want) in cases {
            assert_eq!(
                kind.validate(value),
                want.map(str::to_owned),
                "{} {value:?}",
                kind.code()
            );
        }
    }

    #[test]
    fn required_and_optional_fields() {
        let f = FieldDef {
            name: FieldName::parse("adresa_imobil").unwrap(),
            label: Titles::ro(DisplayName::parse("Adresa imobilului").unwrap()),
            required: true,
            kind: FieldKind::Text { max_chars: 200 },
        };
        assert_eq!(f.validate(None), Err(FieldError::Required));
        assert_eq!(f.validate(Some("  ")), Err(FieldError::Required));
        assert_eq!(
            f.validate(Some("Str. Horea 3")),
            Ok(Some("Str. Horea 3".into()))
        );
        let optional = FieldDef {
            required: false,
            ..f
        };
        assert_eq!(optional.validate(None), Ok(None));
        assert!(FieldName::parse("Adresa").is_err());
        assert!(FieldName::parse("1a").is_err());
    }

    #[test]
    fn titles_fall_back_to_romanian() {
        let t = Titles {
            ro: DisplayName::parse("Petiție").unwrap(),
            hu: Some(DisplayName::parse("Petíció").unwrap()),
            en: None,
        };
        assert_eq!(t.get(Lang::Hu).as_str(), "Petíció");
        assert_eq!(t.get(Lang::En).as_str(), "Petiție");
    }
}
