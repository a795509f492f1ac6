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

mod draft;
mod field;

pub use draft::*;
pub use field::*;

use std::fmt;

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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::attachment::MediaType;

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
            options: ["da", "nu"]
                .map(|o| SelectOption::plain(DisplayName::parse(o).unwrap()))
                .to_vec(),
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
                    options: vec![
                        DraftOption {
                            value: "da".into(),
                            label: Some(DraftTitles {
                                ro: "Da, ocup domeniul public".into(),
                                hu: Some("Igen, közterületet foglalok".into()),
                                en: Some("Yes, I occupy public land".into()),
                            }),
                        },
                        "nu".into(),
                    ],
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
        let FieldKind::Select { options } = &ty.fields[0].kind else {
            panic!("a select field")
        };
        assert_eq!(options[0].value.as_str(), "da");
        assert_eq!(
            options[0].label.get(Lang::Hu).as_str(),
            "Igen, közterületet foglalok"
        );
        assert!(!options[0].is_plain() && options[1].is_plain());
        assert_eq!(options[1].label.get(Lang::En).as_str(), "nu");
        assert_eq!(ty.fields[0].kind.validate("da"), Ok("da".into()));
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
