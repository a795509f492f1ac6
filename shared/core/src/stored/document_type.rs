//! A document type version and its status as stored.

use serde::{Deserialize, Serialize};

use crate::attachment::MediaType;
use crate::deadline::DeadlineRule;
use crate::document_type::{
    DocumentType, FieldDef, FieldKind, FieldName, SelectOption, SignatureRequirement, Titles,
    TypeStatus, TypeVersion,
};
use crate::ids::{DepartmentCode, DocumentTypeCode, TenantSlug};
use crate::text::DisplayName;

use super::{FORMAT_VERSION, StoredError, check_version, f, opt, some};

/// Titles as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTitles {
    /// Romanian.
    pub ro: String,
    /// Hungarian.
    pub hu: Option<String>,
    /// English.
    pub en: Option<String>,
}

impl StoredTitles {
    fn from_domain(t: &Titles) -> Self {
        Self {
            ro: t.ro.to_string(),
            hu: t.hu.as_ref().map(ToString::to_string),
            en: t.en.as_ref().map(ToString::to_string),
        }
    }

    fn to_domain(&self, field: &'static str) -> Result<Titles, StoredError> {
        Ok(Titles {
            ro: f(field, DisplayName::parse(&self.ro))?,
            hu: opt(field, self.hu.as_deref(), DisplayName::parse)?,
            en: opt(field, self.en.as_deref(), DisplayName::parse)?,
        })
    }
}

/// A deadline rule as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "count", content = "days", rename_all = "snake_case")]
pub enum StoredDeadlineRule {
    /// [`DeadlineRule::CalendarDays`].
    CalendarDays(u16),
    /// [`DeadlineRule::WorkingDays`].
    WorkingDays(u16),
}

/// A form field kind as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum StoredFieldKind {
    /// [`FieldKind::Text`].
    Text { max_chars: u16 },
    /// [`FieldKind::Multiline`].
    Multiline { max_chars: u16 },
    /// [`FieldKind::Number`].
    Number { min: i64, max: i64 },
    /// [`FieldKind::Date`].
    Date,
    /// [`FieldKind::Select`].
    Select { options: Vec<StoredOption> },
    /// [`FieldKind::Checkbox`].
    Checkbox,
    /// [`FieldKind::Cnp`].
    Cnp,
    /// [`FieldKind::Email`].
    Email,
    /// [`FieldKind::Phone`].
    Phone,
    /// [`FieldKind::Address`].
    Address,
    /// [`FieldKind::Attachment`]: MIME types and the size limit.
    Attachment { types: Vec<String>, max_bytes: u32 },
}

/// A select option as stored: a plain string when the value is its only
/// title (as every record written before translated options holds), else the
/// value with its titles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StoredOption {
    /// [`SelectOption::plain`].
    Plain(String),
    /// A value with its titles.
    Titled {
        /// The stored value.
        value: String,
        /// Its titles.
        label: StoredTitles,
    },
}

impl StoredOption {
    fn from_domain(o: &SelectOption) -> Self {
        if o.is_plain() {
            Self::Plain(o.value.to_string())
        } else {
            Self::Titled {
                value: o.value.to_string(),
                label: StoredTitles::from_domain(&o.label),
            }
        }
    }

    fn to_domain(&self) -> Result<SelectOption, StoredError> {
        match self {
            Self::Plain(v) => Ok(SelectOption::plain(f(
                "fields.options",
                DisplayName::parse(v),
            )?)),
            Self::Titled { value, label } => Ok(SelectOption {
                value: f("fields.options", DisplayName::parse(value))?,
                label: label.to_domain("fields.options.label")?,
            }),
        }
    }
}

/// A form field as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredField {
    /// Name.
    pub name: String,
    /// Label.
    pub label: StoredTitles,
    /// Required.
    pub required: bool,
    /// Kind.
    #[serde(flatten)]
    pub kind: StoredFieldKind,
}

/// A document type version as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDocumentType {
    /// Format version.
    pub v: u32,
    /// Tenant slug.
    pub tenant: String,
    /// Code.
    pub code: String,
    /// Type version.
    pub version: u32,
    /// Titles.
    pub titles: StoredTitles,
    /// Deadline rule.
    pub deadline: StoredDeadlineRule,
    /// First department.
    pub first_department: String,
    /// `none`, `simple` or `qualified`.
    pub signature: String,
    /// Fee in bani.
    pub fee_bani: u64,
    /// Retention in years.
    pub retention_years: u16,
    /// Form fields.
    pub fields: Vec<StoredField>,
}

impl DocumentType {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredDocumentType {
        StoredDocumentType {
            v: FORMAT_VERSION,
            tenant: self.tenant.to_string(),
            code: self.code.to_string(),
            version: self.version.get(),
            titles: StoredTitles::from_domain(&self.titles),
            deadline: match self.deadline {
                DeadlineRule::CalendarDays(n) => StoredDeadlineRule::CalendarDays(n),
                DeadlineRule::WorkingDays(n) => StoredDeadlineRule::WorkingDays(n),
            },
            first_department: self.first_department.to_string(),
            signature: match self.signature {
                SignatureRequirement::None => "none",
                SignatureRequirement::Simple => "simple",
                SignatureRequirement::Qualified => "qualified",
            }
            .to_owned(),
            fee_bani: self.fee_bani,
            retention_years: self.retention_years,
            fields: self
                .fields
                .iter()
                .map(|fd| StoredField {
                    name: fd.name.as_str().to_owned(),
                    label: StoredTitles::from_domain(&fd.label),
                    required: fd.required,
                    kind: match &fd.kind {
                        FieldKind::Text { max_chars } => StoredFieldKind::Text {
                            max_chars: *max_chars,
                        },
                        FieldKind::Multiline { max_chars } => StoredFieldKind::Multiline {
                            max_chars: *max_chars,
                        },
                        FieldKind::Number { min, max } => StoredFieldKind::Number {
                            min: *min,
                            max: *max,
                        },
                        FieldKind::Date => StoredFieldKind::Date,
                        FieldKind::Select { options } => StoredFieldKind::Select {
                            options: options.iter().map(StoredOption::from_domain).collect(),
                        },
                        FieldKind::Checkbox => StoredFieldKind::Checkbox,
                        FieldKind::Cnp => StoredFieldKind::Cnp,
                        FieldKind::Email => StoredFieldKind::Email,
                        FieldKind::Phone => StoredFieldKind::Phone,
                        FieldKind::Address => StoredFieldKind::Address,
                        FieldKind::Attachment { types, max_bytes } => StoredFieldKind::Attachment {
                            types: types.iter().map(|m| m.mime().to_owned()).collect(),
                            max_bytes: *max_bytes,
                        },
                    },
                })
                .collect(),
        }
    }

    /// Validates a stored record: each field, then the whole as a definition
    /// by the rules an administrator's draft meets ([`crate::document_type::Draft::validate`]), so
    /// a record the rules refuse (a text limit of 0 or 60,000, a number
    /// field whose `min` exceeds its `max`, …) is never served and every
    /// stored version can be edited again.
    pub fn from_stored(s: &StoredDocumentType) -> Result<DocumentType, StoredError> {
        let t = Self::fields_from_stored(s)?;
        let first = std::slice::from_ref(&t.first_department);
        match t.to_draft().validate(&t.tenant, &t.code, t.version, first) {
            Ok(_) => Ok(t),
            Err(errors) => Err(StoredError::Field {
                field: "definition",
                message: errors
                    .iter()
                    .map(|e| format!("{}: {}", e.path, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
        }
    }

    fn fields_from_stored(s: &StoredDocumentType) -> Result<DocumentType, StoredError> {
        check_version(s.v)?;
        let fields = s
            .fields
            .iter()
            .map(|fd| {
                Ok(FieldDef {
                    name: f("fields.name", FieldName::parse(&fd.name))?,
                    label: fd.label.to_domain("fields.label")?,
                    required: fd.required,
                    kind: match &fd.kind {
                        StoredFieldKind::Text { max_chars } => FieldKind::Text {
                            max_chars: *max_chars,
                        },
                        StoredFieldKind::Multiline { max_chars } => FieldKind::Multiline {
                            max_chars: *max_chars,
                        },
                        StoredFieldKind::Number { min, max } => FieldKind::Number {
                            min: *min,
                            max: *max,
                        },
                        StoredFieldKind::Date => FieldKind::Date,
                        StoredFieldKind::Select { options } => FieldKind::Select {
                            options: options
                                .iter()
                                .map(StoredOption::to_domain)
                                .collect::<Result<_, _>>()?,
                        },
                        StoredFieldKind::Checkbox => FieldKind::Checkbox,
                        StoredFieldKind::Cnp => FieldKind::Cnp,
                        StoredFieldKind::Email => FieldKind::Email,
                        StoredFieldKind::Phone => FieldKind::Phone,
                        StoredFieldKind::Address => FieldKind::Address,
                        StoredFieldKind::Attachment { types, max_bytes } => FieldKind::Attachment {
                            types: types
                                .iter()
                                .map(|t| some("fields.types", MediaType::from_mime(t)))
                                .collect::<Result<_, _>>()?,
                            max_bytes: *max_bytes,
                        },
                    },
                })
            })
            .collect::<Result<Vec<_>, StoredError>>()?;
        Ok(DocumentType {
            tenant: f("tenant", TenantSlug::parse(&s.tenant))?,
            code: f("code", DocumentTypeCode::parse(&s.code))?,
            version: some("version", TypeVersion::new(s.version))?,
            titles: s.titles.to_domain("titles")?,
            deadline: match s.deadline {
                StoredDeadlineRule::CalendarDays(n) => DeadlineRule::CalendarDays(n),
                StoredDeadlineRule::WorkingDays(n) => DeadlineRule::WorkingDays(n),
            },
            first_department: f(
                "first_department",
                DepartmentCode::parse(&s.first_department),
            )?,
            signature: match s.signature.as_str() {
                "none" => SignatureRequirement::None,
                "simple" => SignatureRequirement::Simple,
                "qualified" => SignatureRequirement::Qualified,
                _ => {
                    return Err(StoredError::Field {
                        field: "signature",
                        message: "unknown value".into(),
                    });
                }
            },
            fee_bani: s.fee_bani,
            retention_years: s.retention_years,
            fields,
        })
    }
}

/// Which version of a document type is the latest and whether it is offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTypeStatus {
    /// Format version.
    pub v: u32,
    /// The latest version.
    pub latest: u32,
    /// Offered for intake.
    pub active: bool,
}

impl TypeStatus {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredTypeStatus {
        StoredTypeStatus {
            v: FORMAT_VERSION,
            latest: self.latest.get(),
            active: self.active,
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredTypeStatus) -> Result<TypeStatus, StoredError> {
        check_version(s.v)?;
        Ok(TypeStatus {
            latest: some("latest", TypeVersion::new(s.latest))?,
            active: s.active,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document_type::tests::petition_type;

    fn with_kind(kind: FieldKind) -> StoredDocumentType {
        let mut ty = petition_type();
        ty.fields.push(FieldDef {
            name: FieldName::parse("detalii").unwrap(),
            label: Titles::ro(DisplayName::parse("Detalii").unwrap()),
            required: false,
            kind,
        });
        ty.to_stored()
    }

    /// Found by the `document_type` fuzz target: a stored text limit the
    /// rules refuse was served, and its type could not be saved again.
    #[test]
    fn a_stored_type_the_rules_refuse_is_not_served() {
        let ok = with_kind(FieldKind::Multiline { max_chars: 2000 });
        assert!(DocumentType::from_stored(&ok).is_ok());
        for kind in [
            FieldKind::Multiline { max_chars: 20_000 },
            FieldKind::Text { max_chars: 0 },
            FieldKind::Number { min: 5, max: 1 },
            FieldKind::Select { options: vec![] },
        ] {
            let err = DocumentType::from_stored(&with_kind(kind.clone())).unwrap_err();
            assert!(
                matches!(&err, StoredError::Field { field: "definition", message } if message.contains("fields[0]")),
                "{kind:?}: {err}"
            );
        }
        let mut zero_days = ok.clone();
        zero_days.deadline = StoredDeadlineRule::CalendarDays(0);
        assert!(DocumentType::from_stored(&zero_days).is_err());
    }
}
