//! A url-encoded form of a document type with one field of every kind, as a
//! citizen or a registrar sends it: every value accepted is the normal form
//! of itself (validating it again gives it back), every refusal names its
//! fields, and the same bytes as an upload are judged by their content.

use std::sync::OnceLock;

use ghiseu_core::DocumentType;
use ghiseu_core::document_type::{
    Draft, DraftField, DraftOption, DraftTitles, FieldKind, TypeVersion,
};
use ghiseu_core::form;
use ghiseu_platform::http;

fn titles(ro: &str) -> DraftTitles {
    DraftTitles {
        ro: ro.to_owned(),
        hu: Some(format!("{ro} (hu)")),
        en: None,
    }
}

fn field(kind: &str, required: bool) -> DraftField {
    DraftField {
        name: kind.to_owned(),
        label: titles(kind),
        required,
        kind: kind.to_owned(),
        ..DraftField::default()
    }
}

/// A type whose form has a field of every kind (required and optional).
pub fn every_kind() -> &'static DocumentType {
    static TYPE: OnceLock<DocumentType> = OnceLock::new();
    TYPE.get_or_init(|| {
        let mut fields: Vec<DraftField> = [
            "text",
            "multiline",
            "date",
            "checkbox",
            "cnp",
            "email",
            "phone",
            "address",
        ]
        .iter()
        .enumerate()
        .map(|(i, k)| field(k, i % 2 == 0))
        .collect();
        fields.push(DraftField {
            min: Some(-5),
            max: Some(1_000_000),
            ..field("number", true)
        });
        fields.push(DraftField {
            options: vec![
                DraftOption::from("Cluj-Napoca"),
                DraftOption {
                    value: "Dej".to_owned(),
                    label: Some(titles("Municipiul Dej")),
                },
            ],
            ..field("select", false)
        });
        fields.push(DraftField {
            types: vec!["pdf".to_owned(), "png".to_owned(), "jpeg".to_owned()],
            max_bytes: Some(4096),
            ..field("attachment", false)
        });
        let draft = Draft {
            titles: titles("Cerere"),
            deadline_days: 30,
            working_days: false,
            first_department: "registratura".to_owned(),
            signature: "none".to_owned(),
            fee_bani: 0,
            retention_years: 10,
            fields,
        };
        let s = crate::definitions::scope();
        let version = TypeVersion::new(1).expect("version 1");
        draft
            .validate(&s.tenant, &s.code, version, &s.departments)
            .expect("the fixture is a valid type")
    })
}

/// The target `form`.
pub fn form(data: &[u8]) {
    let t = every_kind();
    let sent = http::parse_form(data);
    for require in [true, false] {
        match form::validate(t, |name| http::form_field(&sent, name), require) {
            Ok(values) => {
                for (name, value) in values.pairs() {
                    let def = t.fields.iter().find(|f| &f.name == name).expect("a field");
                    let again = def.kind.validate(value);
                    assert_eq!(
                        again.as_ref(),
                        Ok(value),
                        "{name:?}: {value:?} is not normal"
                    );
                }
            }
            Err(errors) => assert!(!errors.is_empty(), "refused without a field"),
        }
    }
    let upload = t
        .fields
        .iter()
        .find(|f| matches!(f.kind, FieldKind::Attachment { .. }))
        .expect("an attachment field");
    if let Ok(Some(media)) = upload.validate_file(Some(data)) {
        assert_eq!(ghiseu_core::MediaType::sniff(data), Some(media));
    }
}
