//! A type's form fields: their names, their closed list of kinds, and each
//! kind's validation of a value or a file.

use chrono::NaiveDate;
use thiserror::Error;

use crate::attachment::MediaType;
use crate::citizen_contact::{Cnp, Email, PhoneNumber};
use crate::text::DisplayName;

use super::Titles;

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
    /// An address too short to find anyone by (no letter, or under 5 characters).
    #[error("a postal address: street, number, locality")]
    Address,
    /// A text value given for an attachment field, or a file for a text field.
    #[error("this field takes a file")]
    File,
    /// An attachment of a type the field does not accept.
    #[error("the file must be one of: {allowed}")]
    FileType {
        /// The accepted types, e.g. `PDF, PNG`.
        allowed: String,
    },
    /// An attachment over the field's size limit.
    #[error("the file must be at most {max_bytes} bytes")]
    FileTooLarge {
        /// The limit.
        max_bytes: u32,
    },
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
    /// One of fixed options: each a stored value with its titles.
    Select {
        /// The allowed options, in the order they are offered.
        options: Vec<SelectOption>,
    },
    /// A yes/no box.
    Checkbox,
    /// A CNP, checked as [`Cnp`].
    Cnp,
    /// An e-mail address, checked as [`Email`].
    Email,
    /// A Romanian phone number, checked as [`PhoneNumber`].
    Phone,
    /// A postal address: several lines, at least one letter, 5 to 300 characters.
    Address,
    /// A file (checked by content), of the given types and at most `max_bytes`.
    Attachment {
        /// The accepted types, in a fixed order, without repeats.
        types: Vec<MediaType>,
        /// The largest accepted file.
        max_bytes: u32,
    },
}

/// One option of a select field: the value stored when it is chosen, and
/// what the reader sees in each language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    /// The stored value (a display name; stable across translations).
    pub value: DisplayName,
    /// The titles; Romanian is the value itself unless given.
    pub label: Titles,
}

impl SelectOption {
    /// An option whose only title is its value (what older records hold).
    pub fn plain(value: DisplayName) -> Self {
        Self {
            label: Titles::ro(value.clone()),
            value,
        }
    }

    /// Whether this option is just its value, untranslated.
    pub fn is_plain(&self) -> bool {
        self.label.hu.is_none() && self.label.en.is_none() && self.label.ro == self.value
    }
}

/// The longest address accepted by [`FieldKind::Address`].
pub const MAX_ADDRESS_CHARS: usize = 300;

/// The largest attachment a document type may accept (the desk's scan limit).
pub const MAX_ATTACHMENT_BYTES: u32 = 10 * 1024 * 1024;

/// The short name of a media type in messages and definitions: `pdf`, `jpeg`, `png`.
pub fn media_code(m: MediaType) -> &'static str {
    match m {
        MediaType::Pdf => "pdf",
        MediaType::Jpeg => "jpeg",
        MediaType::Png => "png",
    }
}

/// The media type with this [`media_code`].
pub fn media_from_code(code: &str) -> Option<MediaType> {
    [MediaType::Pdf, MediaType::Jpeg, MediaType::Png]
        .into_iter()
        .find(|m| media_code(*m) == code)
}

impl FieldKind {
    /// A stable code for the kind: `text`, `multiline`, `number`, `date`,
    /// `select`, `checkbox`, `cnp`, `email`, `phone`, `address`, `attachment`.
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
            Self::Address => "address",
            Self::Attachment { .. } => "attachment",
        }
    }

    /// Validates a non-empty submitted value and returns its normalised form.
    /// An attachment field takes no text ([`FieldError::File`]).
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
                .find(|o| o.value.as_str() == v)
                .map(|o| o.value.as_str().to_owned())
                .ok_or(FieldError::Option),
            Self::Checkbox => match v {
                "on" | "true" | "1" => Ok("true".into()),
                "false" | "0" => Ok("false".into()),
                _ => Err(FieldError::Checkbox),
            },
            Self::Cnp => Ok(Cnp::parse(v)?.as_str().to_owned()),
            Self::Email => Ok(Email::parse(v)?.as_str().to_owned()),
            Self::Phone => Ok(PhoneNumber::parse(v)?.as_str().to_owned()),
            Self::Address => {
                let len = v.chars().count();
                if len > MAX_ADDRESS_CHARS {
                    return Err(FieldError::TooLong { max: 300 });
                }
                if v.chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                {
                    return Err(FieldError::Control);
                }
                if len < 5 || !v.chars().any(char::is_alphabetic) {
                    return Err(FieldError::Address);
                }
                Ok(v.to_owned())
            }
            Self::Attachment { .. } => Err(FieldError::File),
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

    /// Validates an uploaded file (`None` or empty means absent) by its content
    /// and size, for an attachment field; returns its type.
    pub fn validate_file(&self, content: Option<&[u8]>) -> Result<Option<MediaType>, FieldError> {
        let FieldKind::Attachment { types, max_bytes } = &self.kind else {
            return Err(FieldError::File);
        };
        let Some(data) = content.filter(|d| !d.is_empty()) else {
            return if self.required {
                Err(FieldError::Required)
            } else {
                Ok(None)
            };
        };
        if data.len() > *max_bytes as usize {
            return Err(FieldError::FileTooLarge {
                max_bytes: *max_bytes,
            });
        }
        match MediaType::sniff(data) {
            Some(m) if types.contains(&m) => Ok(Some(m)),
            _ => Err(FieldError::FileType {
                allowed: types
                    .iter()
                    .map(|m| media_code(*m).to_uppercase())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}
