//! The administrator's side of a type: a [`Draft`] as typed, validated into a
//! [`DocumentType`] with every problem at once, and back.

use std::fmt;

use crate::deadline::DeadlineRule;
use crate::ids::{DepartmentCode, DocumentTypeCode, TenantSlug};
use crate::text::DisplayName;

use super::field::{
    FieldDef, FieldKind, FieldName, MAX_ATTACHMENT_BYTES, SelectOption, media_code, media_from_code,
};
use super::{DocumentType, SignatureRequirement, Titles, TypeVersion};

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

/// A select option as typed: the value to store and, optionally, its titles
/// (without them the reader sees the value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftOption {
    /// The stored value.
    pub value: String,
    /// The titles in the three languages.
    pub label: Option<DraftTitles>,
}

impl From<&str> for DraftOption {
    fn from(value: &str) -> Self {
        Self {
            value: value.to_owned(),
            label: None,
        }
    }
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
    pub options: Vec<DraftOption>,
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

    /// A select field: between one and [`MAX_OPTIONS`] options, each value a
    /// valid display name, none listed twice, each with valid titles when
    /// given; the options keep their order.
    fn select(&self, path: &str, errors: &mut Errors) -> Option<FieldKind> {
        let mut options: Vec<SelectOption> = Vec::new();
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
            let label = match &o.label {
                None => Some(None),
                Some(t) => errors.titles(&format!("{at}.label"), t).map(Some),
            };
            match DisplayName::parse(&o.value) {
                Err(e) => errors.push(at, e.to_string()),
                Ok(v) if options.iter().any(|x| x.value == v) => {
                    errors.push(at, format!("`{v}` is listed twice"));
                }
                Ok(value) => {
                    if let Some(label) = label {
                        options.push(SelectOption {
                            label: label.unwrap_or_else(|| Titles::ro(value.clone())),
                            value,
                        });
                    }
                }
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
                        FieldKind::Select { options } => {
                            d.options = options
                                .iter()
                                .map(|o| DraftOption {
                                    value: o.value.to_string(),
                                    label: (!o.is_plain()).then(|| titles(&o.label)),
                                })
                                .collect();
                        }
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
