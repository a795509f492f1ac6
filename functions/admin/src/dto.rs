//! The JSON of document type definitions (the `/api/v1/admin/document-types`
//! contract, also what the admin page's editor holds): wire shapes kept apart
//! from core's types, mapped to core's [`Draft`] on the way in.

use ghiseu_core::DocumentType;
use ghiseu_core::document_type::{Draft, DraftField, DraftOption, DraftTitles, TypeStatus};
use serde::{Deserialize, Serialize};

/// Titles in the three languages.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitlesDto {
    pub ro: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl TitlesDto {
    /// The text in `lang`, or the Romanian one.
    pub fn get_in(&self, lang: ghiseu_core::Lang) -> String {
        let other = match lang {
            ghiseu_core::Lang::Ro => None,
            ghiseu_core::Lang::Hu => self.hu.as_ref(),
            ghiseu_core::Lang::En => self.en.as_ref(),
        };
        other.filter(|s| !s.is_empty()).unwrap_or(&self.ro).clone()
    }
}

impl FieldDto {
    /// The label in `lang`, or the field's name while it has none.
    pub fn label_in(&self, lang: ghiseu_core::Lang) -> String {
        let l = self.label.get_in(lang);
        if l.is_empty() { self.name.clone() } else { l }
    }
}

/// A select option: a plain string (the value, shown as is), or the value
/// with its titles in the three languages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OptionDto {
    Plain(String),
    Titled(TitledOptionDto),
}

/// A select option with its titles.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitledOptionDto {
    pub value: String,
    pub label: TitlesDto,
}

impl OptionDto {
    fn to_draft(&self) -> DraftOption {
        match self {
            Self::Plain(v) => DraftOption::from(v.as_str()),
            Self::Titled(t) => DraftOption {
                value: t.value.clone(),
                label: Some(titles_in(&t.label)),
            },
        }
    }

    fn of(o: DraftOption) -> Self {
        match o.label {
            None => Self::Plain(o.value),
            Some(t) => Self::Titled(TitledOptionDto {
                value: o.value,
                label: TitlesDto {
                    ro: t.ro,
                    hu: t.hu,
                    en: t.en,
                },
            }),
        }
    }
}

/// A form field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDto {
    pub name: String,
    pub label: TitlesDto,
    #[serde(default)]
    pub required: bool,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<i64>,
}

const fn thirty() -> i64 {
    30
}

const fn ten() -> i64 {
    10
}

fn none() -> String {
    "none".to_owned()
}

/// A definition as submitted (`POST` also carries `code`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefinitionDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub titles: TitlesDto,
    /// Days; 30 (OG 27/2002) when absent.
    #[serde(default = "thirty")]
    pub deadline_days: i64,
    /// Count working days instead of calendar days.
    #[serde(default)]
    pub working_days: bool,
    pub first_department: String,
    #[serde(default = "none")]
    pub signature: String,
    #[serde(default)]
    pub fee_bani: i64,
    #[serde(default = "ten")]
    pub retention_years: i64,
    #[serde(default)]
    pub fields: Vec<FieldDto>,
}

fn titles_in(t: &TitlesDto) -> DraftTitles {
    DraftTitles {
        ro: t.ro.clone(),
        hu: t.hu.clone(),
        en: t.en.clone(),
    }
}

impl DefinitionDto {
    /// Core's draft of this definition.
    pub fn to_draft(&self) -> Draft {
        Draft {
            titles: titles_in(&self.titles),
            deadline_days: self.deadline_days,
            working_days: self.working_days,
            first_department: self.first_department.clone(),
            signature: self.signature.clone(),
            fee_bani: self.fee_bani,
            retention_years: self.retention_years,
            fields: self
                .fields
                .iter()
                .map(|f| DraftField {
                    name: f.name.clone(),
                    label: titles_in(&f.label),
                    required: f.required,
                    kind: f.kind.clone(),
                    max_chars: f.max_chars,
                    min: f.min,
                    max: f.max,
                    options: f.options.iter().map(OptionDto::to_draft).collect(),
                    types: f.types.clone(),
                    max_bytes: f.max_bytes,
                })
                .collect(),
        }
    }

    /// The definition of an existing type (to prefill an editor).
    pub fn of(t: &DocumentType) -> Self {
        let d = t.to_draft();
        let titles = |t: DraftTitles| TitlesDto {
            ro: t.ro,
            hu: t.hu,
            en: t.en,
        };
        Self {
            code: Some(t.code.to_string()),
            titles: titles(d.titles),
            deadline_days: d.deadline_days,
            working_days: d.working_days,
            first_department: d.first_department,
            signature: d.signature,
            fee_bani: d.fee_bani,
            retention_years: d.retention_years,
            fields: d
                .fields
                .into_iter()
                .map(|f| FieldDto {
                    name: f.name,
                    label: titles(f.label),
                    required: f.required,
                    kind: f.kind,
                    max_chars: f.max_chars,
                    min: f.min,
                    max: f.max,
                    options: f.options.into_iter().map(OptionDto::of).collect(),
                    types: f.types,
                    max_bytes: f.max_bytes,
                })
                .collect(),
        }
    }
}

/// A stored version as answered by the API.
#[derive(Debug, Serialize)]
pub struct TypeDto {
    pub code: String,
    pub version: u32,
    /// The type's latest version.
    pub latest_version: u32,
    /// Whether the type is offered for intake.
    pub active: bool,
    #[serde(flatten)]
    pub definition: DefinitionDto,
}

impl TypeDto {
    /// `t` (one version) with the type's status.
    pub fn of(t: &DocumentType, status: TypeStatus) -> Self {
        let mut definition = DefinitionDto::of(t);
        definition.code = None;
        Self {
            code: t.code.to_string(),
            version: t.version.get(),
            latest_version: status.latest.get(),
            active: status.active,
            definition,
        }
    }
}
