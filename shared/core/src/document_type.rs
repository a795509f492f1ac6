//! Document types: what a citizen can ask for, configurable per tenant.
//!
//! A type is versioned: editing it creates a new version and a dossier keeps the
//! version it was registered under. Versions are immutable once saved; a
//! [`TypeStatus`] says which version is the latest and whether the type is still
//! offered. Form fields are a closed list of kinds, each with its own validation
//! ([`FieldKind::validate`], [`FieldDef::validate_file`] for attachments).
//!
//! A tenant administrator writes a definition as a [`Draft`] (raw values, as
//! typed); [`Draft::validate`] turns it into a [`DocumentType`] or reports every
//! problem at once with the path of the offending part ([`DefinitionError`]).

use std::fmt;

use chrono::NaiveDate;
use thiserror::Error;

use crate::attachment::MediaType;
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

impl DocumentType {
    /// Whether `other` defines the same thing, whatever its version: saving an
    /// unchanged definition creates no new version.
    pub fn same_definition(&self, other: &DocumentType) -> bool {
        let mut o = other.clone();
        o.version = self.version;
        *self == o
    }
}

/// Which version of a type is the latest and whether the type is offered for
/// new dossiers. Older versions stay readable whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeStatus {
    /// The newest saved version.
    pub latest: TypeVersion,
    /// Offered for intake; a deactivated type keeps its versions and dossiers.
    pub active: bool,
}

impl TypeStatus {
    /// A type just created: version 1, active.
    pub const NEW: Self = Self {
        latest: TypeVersion::FIRST,
        active: true,
    };

    /// The status after saving a new version: the next version, offered again
    /// (an administrator who saves a definition means it to be used).
    pub fn after_save(self) -> Self {
        Self {
            latest: self.latest.next(),
            active: true,
        }
    }
}

/// One problem of a definition: where (`titles.ro`, `fields[2].options`...) and
/// what, in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// The path of the offending part of the definition.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The most form fields a type may have.
pub const MAX_FIELDS: usize = 50;
/// The most options a select field may have.
pub const MAX_OPTIONS: usize = 50;
/// The longest legal deadline, in days.
pub const MAX_DEADLINE_DAYS: i64 = 365;
/// The highest fee, in bani (100,000 lei).
pub const MAX_FEE_BANI: i64 = 10_000_000;
/// The longest retention, in years.
pub const MAX_RETENTION_YEARS: i64 = 100;

/// Titles as typed: Romanian required, the others optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftTitles {
    /// Romanian.
    pub ro: String,
    /// Hungarian.
    pub hu: Option<String>,
    /// English.
    pub en: Option<String>,
}

/// A form field as typed. Which of the parameters apply depends on `kind`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftField {
    /// The name.
    pub name: String,
    /// The label.
    pub label: DraftTitles,
    /// Whether a value is required.
    pub required: bool,
    /// A [`FieldKind::code`].
    pub kind: String,
    /// Text kinds: the limit (default 200 for text, 2000 for multiline).
    pub max_chars: Option<i64>,
    /// Number: the smallest value.
    pub min: Option<i64>,
    /// Number: the largest value.
    pub max: Option<i64>,
    /// Select: the options.
    pub options: Vec<String>,
    /// Attachment: accepted types ([`media_code`]s).
    pub types: Vec<String>,
    /// Attachment: the largest file, in bytes.
    pub max_bytes: Option<i64>,
}

/// A document type definition as an administrator typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// Public titles.
    pub titles: DraftTitles,
    /// The legal deadline in days.
    pub deadline_days: i64,
    /// Count working days rather than calendar days.
    pub working_days: bool,
    /// The first department's code.
    pub first_department: String,
    /// `none`, `simple` or `qualified`.
    pub signature: String,
    /// The fee in bani.
    pub fee_bani: i64,
    /// Retention in years.
    pub retention_years: i64,
    /// The form.
    pub fields: Vec<DraftField>,
}

/// The code of a signature requirement: `none`, `simple`, `qualified`.
pub fn signature_code(s: SignatureRequirement) -> &'static str {
    match s {
        SignatureRequirement::None => "none",
        SignatureRequirement::Simple => "simple",
        SignatureRequirement::Qualified => "qualified",
    }
}

/// The signature requirement with this [`signature_code`].
pub fn signature_from_code(code: &str) -> Option<SignatureRequirement> {
    [
        SignatureRequirement::None,
        SignatureRequirement::Simple,
        SignatureRequirement::Qualified,
    ]
    .into_iter()
    .find(|s| signature_code(*s) == code)
}

struct Errors(Vec<DefinitionError>);

impl Errors {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(DefinitionError {
            path: path.into(),
            message: message.into(),
        });
    }

    fn check<T, E: fmt::Display>(&mut self, path: &str, r: Result<T, E>) -> Option<T> {
        r.map_err(|e| self.push(path, e.to_string())).ok()
    }

    fn range(&mut self, path: &str, v: i64, min: i64, max: i64) -> Option<i64> {
        if (min..=max).contains(&v) {
            Some(v)
        } else {
            self.push(path, format!("must be between {min} and {max}"));
            None
        }
    }

    fn titles(&mut self, path: &str, t: &DraftTitles) -> Option<Titles> {
        let ro = self.check(&format!("{path}.ro"), DisplayName::parse(&t.ro));
        let mut other = |lang: &str, v: &Option<String>| match v.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => self
                .check(&format!("{path}.{lang}"), DisplayName::parse(s))
                .map(Some),
        };
        let hu = other("hu", &t.hu);
        let en = other("en", &t.en);
        Some(Titles {
            ro: ro?,
            hu: hu?,
            en: en?,
        })
    }
}

impl DraftField {
    /// The field's kind with its parameters checked, or `None` once every
    /// problem found under `path` has been reported to `errors`.
    fn kind(&self, path: &str, errors: &mut Errors) -> Option<FieldKind> {
        self.check_params_apply(path, errors);
        Some(match self.kind.as_str() {
            "text" => FieldKind::Text {
                max_chars: self.checked_max_chars(path, errors, 200)?,
            },
            "multiline" => FieldKind::Multiline {
                max_chars: self.checked_max_chars(path, errors, 2000)?,
            },
            "number" => self.number(path, errors)?,
            "date" => FieldKind::Date,
            "select" => self.select(path, errors)?,
            "checkbox" => FieldKind::Checkbox,
            "cnp" => FieldKind::Cnp,
            "email" => FieldKind::Email,
            "phone" => FieldKind::Phone,
            "address" => FieldKind::Address,
            "attachment" => self.attachment(path, errors)?,
            other => {
                errors.push(
                    format!("{path}.kind"),
                    format!(
                        "`{other}` is not a field kind (text, multiline, number, date, select, \
                         checkbox, cnp, email, phone, address, attachment)"
                    ),
                );
                return None;
            }
        })
    }

    /// Reports every parameter that is given although the field's kind does
    /// not take it (`max_chars` on a number, `options` on a text, …).
    fn check_params_apply(&self, path: &str, errors: &mut Errors) {
        let params = [
            (
                "max_chars",
                self.max_chars.is_some(),
                ["text", "multiline"].as_slice(),
            ),
            ("min", self.min.is_some(), ["number"].as_slice()),
            ("max", self.max.is_some(), ["number"].as_slice()),
            ("options", !self.options.is_empty(), ["select"].as_slice()),
            ("types", !self.types.is_empty(), ["attachment"].as_slice()),
            (
                "max_bytes",
                self.max_bytes.is_some(),
                ["attachment"].as_slice(),
            ),
        ];
        for (name, given, kinds) in params {
            if given && !kinds.contains(&self.kind.as_str()) {
                errors.push(
                    format!("{path}.{name}"),
                    format!(
                        "`{name}` applies only to fields of kind {}",
                        kinds.join(" or ")
                    ),
                );
            }
        }
    }

    /// The `max_chars` of a text or multiline field (`default` when not
    /// given), checked to lie between 1 and 10,000.
    fn checked_max_chars(&self, path: &str, errors: &mut Errors, default: i64) -> Option<u16> {
        errors
            .range(
                &format!("{path}.max_chars"),
                self.max_chars.unwrap_or(default),
                1,
                10_000,
            )
            .and_then(|n| u16::try_from(n).ok())
    }

    /// A number field: `min` (default 0) must not exceed `max` (default
    /// 1,000,000,000).
    fn number(&self, path: &str, errors: &mut Errors) -> Option<FieldKind> {
        let (min, max) = (self.min.unwrap_or(0), self.max.unwrap_or(1_000_000_000));
        if min > max {
            errors.push(format!("{path}.min"), "`min` must not exceed `max`");
            return None;
        }
        Some(FieldKind::Number { min, max })
    }

    /// A select field: between one and [`MAX_OPTIONS`] options, each a valid
    /// display name, none listed twice; the options keep their order.
    fn select(&self, path: &str, errors: &mut Errors) -> Option<FieldKind> {
        let mut options: Vec<String> = Vec::new();
        if self.options.is_empty() {
            errors.push(format!("{path}.options"), "a select field needs options");
        } else if self.options.len() > MAX_OPTIONS {
            errors.push(
                format!("{path}.options"),
                format!("at most {MAX_OPTIONS} options"),
            );
        }
        for (i, o) in self.options.iter().enumerate() {
            let at = format!("{path}.options[{i}]");
            match DisplayName::parse(o) {
                Err(e) => errors.push(at, e.to_string()),
                Ok(o) if options.iter().any(|x| x == o.as_str()) => {
                    errors.push(at, format!("`{o}` is listed twice"));
                }
                Ok(o) => options.push(o.as_str().to_owned()),
            }
        }
        if options.len() != self.options.len() || options.len() > MAX_OPTIONS {
            return None;
        }
        Some(FieldKind::Select { options })
    }

    /// An attachment field: at least one accepted type among pdf, jpeg and
    /// png, none listed twice (stored sorted by code), and a `max_bytes`
    /// between 1 and [`MAX_ATTACHMENT_BYTES`] (the latter by default).
    fn attachment(&self, path: &str, errors: &mut Errors) -> Option<FieldKind> {
        let mut types = Vec::new();
        if self.types.is_empty() {
            errors.push(
                format!("{path}.types"),
                "an attachment field needs its accepted types (pdf, jpeg, png)",
            );
        }
        for (i, t) in self.types.iter().enumerate() {
            match media_from_code(t.trim()) {
                Some(m) if !types.contains(&m) => types.push(m),
                Some(_) => errors.push(format!("{path}.types[{i}]"), "listed twice"),
                None => errors.push(
                    format!("{path}.types[{i}]"),
                    format!("`{t}` is not one of pdf, jpeg, png"),
                ),
            }
        }
        let max_bytes = errors.range(
            &format!("{path}.max_bytes"),
            self.max_bytes.unwrap_or(i64::from(MAX_ATTACHMENT_BYTES)),
            1,
            i64::from(MAX_ATTACHMENT_BYTES),
        );
        if types.len() != self.types.len() || types.is_empty() {
            return None;
        }
        types.sort_by_key(|m| media_code(*m));
        Some(FieldKind::Attachment {
            types,
            max_bytes: u32::try_from(max_bytes?).ok()?,
        })
    }
}

impl Draft {
    /// Validates the definition of type `code` of `tenant` as `version`, against
    /// the tenant's active departments. Every problem is reported at once; on
    /// success the result is the exact version to store.
    pub fn validate(
        &self,
        tenant: &TenantSlug,
        code: &DocumentTypeCode,
        version: TypeVersion,
        active_departments: &[DepartmentCode],
    ) -> Result<DocumentType, Vec<DefinitionError>> {
        let mut e = Errors(Vec::new());
        let titles = e.titles("titles", &self.titles);
        let days = e
            .range("deadline_days", self.deadline_days, 1, MAX_DEADLINE_DAYS)
            .and_then(|d| u16::try_from(d).ok());
        let first_department = match DepartmentCode::parse(self.first_department.trim()) {
            Ok(d) if active_departments.contains(&d) => Some(d),
            Ok(d) => {
                e.push(
                    "first_department",
                    format!("`{d}` is not an active department of this institution"),
                );
                None
            }
            Err(err) => {
                e.push("first_department", err.to_string());
                None
            }
        };
        let signature = signature_from_code(self.signature.trim());
        if signature.is_none() {
            e.push("signature", "must be none, simple or qualified");
        }
        let fee = e
            .range("fee_bani", self.fee_bani, 0, MAX_FEE_BANI)
            .and_then(|f| u64::try_from(f).ok());
        let retention = e
            .range(
                "retention_years",
                self.retention_years,
                1,
                MAX_RETENTION_YEARS,
            )
            .and_then(|r| u16::try_from(r).ok());
        if self.fields.len() > MAX_FIELDS {
            e.push("fields", format!("at most {MAX_FIELDS} fields"));
        }
        let mut fields = Vec::with_capacity(self.fields.len());
        for (i, f) in self.fields.iter().enumerate() {
            let path = format!("fields[{i}]");
            let name = e.check(&format!("{path}.name"), FieldName::parse(f.name.trim()));
            if let Some(n) = &name
                && self.fields[..i].iter().any(|g| g.name.trim() == n.as_str())
            {
                e.push(
                    format!("{path}.name"),
                    format!("the field name `{}` is used twice", n.as_str()),
                );
            }
            let label = e.titles(&format!("{path}.label"), &f.label);
            let kind = f.kind(&path, &mut e);
            if let (Some(name), Some(label), Some(kind)) = (name, label, kind) {
                fields.push(FieldDef {
                    name,
                    label,
                    required: f.required,
                    kind,
                });
            }
        }
        match (titles, days, first_department, signature, fee, retention) {
            (
                Some(titles),
                Some(days),
                Some(first_department),
                Some(signature),
                Some(fee_bani),
                Some(retention_years),
            ) if e.0.is_empty() => Ok(DocumentType {
                tenant: tenant.clone(),
                code: code.clone(),
                version,
                titles,
                deadline: if self.working_days {
                    DeadlineRule::WorkingDays(days)
                } else {
                    DeadlineRule::CalendarDays(days)
                },
                first_department,
                signature,
                fee_bani,
                retention_years,
                fields,
            }),
            _ => Err(e.0),
        }
    }
}

impl DocumentType {
    /// The definition as a [`Draft`], e.g. to prefill an edit form.
    pub fn to_draft(&self) -> Draft {
        let titles = |t: &Titles| DraftTitles {
            ro: t.ro.to_string(),
            hu: t.hu.as_ref().map(ToString::to_string),
            en: t.en.as_ref().map(ToString::to_string),
        };
        let (deadline_days, working_days) = match self.deadline {
            DeadlineRule::CalendarDays(n) => (n, false),
            DeadlineRule::WorkingDays(n) => (n, true),
        };
        Draft {
            titles: titles(&self.titles),
            deadline_days: i64::from(deadline_days),
            working_days,
            first_department: self.first_department.to_string(),
            signature: signature_code(self.signature).to_owned(),
            fee_bani: i64::try_from(self.fee_bani).unwrap_or(i64::MAX),
            retention_years: i64::from(self.retention_years),
            fields: self
                .fields
                .iter()
                .map(|f| {
                    let mut d = DraftField {
                        name: f.name.as_str().to_owned(),
                        label: titles(&f.label),
                        required: f.required,
                        kind: f.kind.code().to_owned(),
                        ..DraftField::default()
                    };
                    match &f.kind {
                        FieldKind::Text { max_chars } | FieldKind::Multiline { max_chars } => {
                            d.max_chars = Some(i64::from(*max_chars));
                        }
                        FieldKind::Number { min, max } => {
                            d.min = Some(*min);
                            d.max = Some(*max);
                        }
                        FieldKind::Select { options } => d.options = options.clone(),
                        FieldKind::Attachment { types, max_bytes } => {
                            d.types = types.iter().map(|m| media_code(*m).to_owned()).collect();
                            d.max_bytes = Some(i64::from(*max_bytes));
                        }
                        FieldKind::Date
                        | FieldKind::Checkbox
                        | FieldKind::Cnp
                        | FieldKind::Email
                        | FieldKind::Phone
                        | FieldKind::Address => {}
                    }
                    d
                })
                .collect(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A petition type of `cj-cluj`, first department `registratura`, no fields.
    pub(crate) fn petition_type() -> DocumentType {
        DocumentType {
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            code: DocumentTypeCode::parse("petitie").unwrap(),
            version: TypeVersion::FIRST,
            titles: Titles::ro(DisplayName::parse("Petiție").unwrap()),
            deadline: DeadlineRule::default(),
            first_department: DepartmentCode::parse("registratura").unwrap(),
            signature: SignatureRequirement::None,
            fee_bani: 0,
            retention_years: 10,
            fields: vec![],
        }
    }

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

    fn ids() -> (TenantSlug, DocumentTypeCode, Vec<DepartmentCode>) {
        (
            TenantSlug::parse("turda").unwrap(),
            DocumentTypeCode::parse("aviz-stradal").unwrap(),
            vec![
                DepartmentCode::parse("registratura").unwrap(),
                DepartmentCode::parse("urbanism").unwrap(),
            ],
        )
    }

    fn field(name: &str, kind: &str) -> DraftField {
        DraftField {
            name: name.into(),
            label: DraftTitles {
                ro: format!("Eticheta {name}"),
                ..DraftTitles::default()
            },
            required: true,
            kind: kind.into(),
            ..DraftField::default()
        }
    }

    fn good_draft() -> Draft {
        Draft {
            titles: DraftTitles {
                ro: "Aviz stradal".into(),
                hu: Some("Utcai engedély".into()),
                en: None,
            },
            deadline_days: 15,
            working_days: true,
            first_department: "urbanism".into(),
            signature: "simple".into(),
            fee_bani: 2500,
            retention_years: 10,
            fields: vec![
                DraftField {
                    options: vec!["da".into(), "nu".into()],
                    ..field("ocupare", "select")
                },
                field("adresa", "address"),
                DraftField {
                    types: vec!["png".into(), "pdf".into()],
                    max_bytes: Some(2_000_000),
                    ..field("plan", "attachment")
                },
                field("cnp", "cnp"),
            ],
        }
    }

    #[test]
    fn a_good_draft_becomes_a_type_and_round_trips() {
        let (t, c, deps) = ids();
        let ty = good_draft()
            .validate(&t, &c, TypeVersion::FIRST, &deps)
            .unwrap();
        assert_eq!(ty.deadline, DeadlineRule::WorkingDays(15));
        assert_eq!(ty.signature, SignatureRequirement::Simple);
        assert_eq!(ty.titles.get(Lang::Hu).as_str(), "Utcai engedély");
        assert_eq!(
            ty.fields[2].kind,
            FieldKind::Attachment {
                types: vec![MediaType::Pdf, MediaType::Png],
                max_bytes: 2_000_000
            }
        );
        // The draft of a type validates back to the same type.
        let again = ty.to_draft().validate(&t, &c, TypeVersion::FIRST, &deps);
        assert_eq!(again.as_ref(), Ok(&ty));
        let mut v2 = ty.clone();
        v2.version = TypeVersion::FIRST.next();
        assert!(ty.same_definition(&v2));
        v2.fee_bani = 0;
        assert!(!ty.same_definition(&v2));
    }

    #[test]
    fn bad_drafts_report_every_problem_with_its_path() {
        type Break = fn(&mut Draft);
        let cases: &[(&str, Break, &[&str])] = &[
            (
                "duplicate names",
                |d| d.fields[1].name = "ocupare".into(),
                &["fields[1].name"],
            ),
            (
                "select without options",
                |d| d.fields[0].options.clear(),
                &["fields[0].options"],
            ),
            (
                "repeated option",
                |d| d.fields[0].options = vec!["da".into(), "da".into()],
                &["fields[0].options[1]"],
            ),
            (
                "unknown department",
                |d| d.first_department = "juridic".into(),
                &["first_department"],
            ),
            ("deadline 0", |d| d.deadline_days = 0, &["deadline_days"]),
            (
                "deadline 366",
                |d| d.deadline_days = 366,
                &["deadline_days"],
            ),
            ("no title", |d| d.titles.ro = " ".into(), &["titles.ro"]),
            (
                "signature",
                |d| d.signature = "maybe".into(),
                &["signature"],
            ),
            ("fee", |d| d.fee_bani = -1, &["fee_bani"]),
            ("retention", |d| d.retention_years = 0, &["retention_years"]),
            (
                "kind",
                |d| d.fields[3].kind = "colour".into(),
                &["fields[3].kind"],
            ),
            (
                "attachment type",
                |d| d.fields[2].types = vec!["gif".into()],
                &["fields[2].types[0]"],
            ),
            (
                "attachment size",
                |d| d.fields[2].max_bytes = Some(50 * 1024 * 1024),
                &["fields[2].max_bytes"],
            ),
            (
                "options on a text",
                |d| d.fields[1].options = vec!["x".into()],
                &["fields[1].options"],
            ),
            (
                "number bounds",
                |d| {
                    d.fields[3] = DraftField {
                        min: Some(5),
                        max: Some(1),
                        ..field("n", "number")
                    }
                },
                &["fields[3].min"],
            ),
            (
                "bad name and two problems",
                |d| {
                    d.fields[3].name = "Nume Mare".into();
                    d.deadline_days = 0;
                },
                &["deadline_days", "fields[3].name"],
            ),
        ];
        let (t, c, deps) = ids();
        for (name, break_it, want) in cases {
            let mut d = good_draft();
            break_it(&mut d);
            let errors = d
                .validate(&t, &c, TypeVersion::FIRST, &deps)
                .expect_err(name);
            let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
            assert_eq!(paths, *want, "{name}: {errors:?}");
            assert!(errors.iter().all(|e| !e.message.is_empty()));
        }
    }

    #[test]
    fn address_and_attachment_fields() {
        assert_eq!(
            FieldKind::Address.validate("Str. Horea 3,\nTurda"),
            Ok("Str. Horea 3,\nTurda".into())
        );
        assert_eq!(
            FieldKind::Address.validate("12 34"),
            Err(FieldError::Address)
        );
        assert_eq!(
            FieldKind::Address.validate(&"a".repeat(301)),
            Err(FieldError::TooLong { max: 300 })
        );
        let f = FieldDef {
            name: FieldName::parse("plan").unwrap(),
            label: Titles::ro(DisplayName::parse("Plan").unwrap()),
            required: true,
            kind: FieldKind::Attachment {
                types: vec![MediaType::Pdf],
                max_bytes: 20,
            },
        };
        assert_eq!(
            f.validate_file(Some(b"%PDF-1.7 x")),
            Ok(Some(MediaType::Pdf))
        );
        assert_eq!(f.validate_file(None), Err(FieldError::Required));
        assert_eq!(
            f.validate_file(Some(b"\x89PNG\r\n\x1a\n")),
            Err(FieldError::FileType {
                allowed: "PDF".into()
            })
        );
        assert_eq!(
            f.validate_file(Some(b"%PDF-1.7 much too long a file")),
            Err(FieldError::FileTooLarge { max_bytes: 20 })
        );
        assert_eq!(f.validate(Some("text")), Err(FieldError::File));
    }

    #[test]
    fn saving_moves_to_the_next_version_and_reactivates() {
        let s = TypeStatus {
            latest: TypeVersion::new(3).unwrap(),
            active: false,
        };
        assert_eq!(
            s.after_save(),
            TypeStatus {
                latest: TypeVersion::new(4).unwrap(),
                active: true
            }
        );
        assert_eq!(TypeStatus::NEW.latest, TypeVersion::FIRST);
        assert_eq!(TypeVersion::new(0), None);
    }
}
