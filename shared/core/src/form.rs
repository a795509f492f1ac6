//! Form data of a dossier: the values of its document type's fields, validated
//! field by field with every problem reported at once.

use crate::document_type::{DocumentType, FieldError, FieldName};

/// Validated form values, in the document type's field order; empty optional
/// fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormData(Vec<(FieldName, String)>);

impl FormData {
    /// Form data from already validated pairs (e.g. read back from storage).
    pub fn from_pairs(pairs: Vec<(FieldName, String)>) -> Self {
        Self(pairs)
    }

    /// The values, in order.
    pub fn pairs(&self) -> &[(FieldName, String)] {
        &self.0
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether no field has a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Validates `value_of(field name)` for every field of `doc_type` except the
/// attachment fields (files are checked where they are uploaded). With
/// `require`, required fields must be filled (online submission); without it
/// (a registrar copying what is legible on paper) missing values are allowed,
/// but every value given must be valid.
pub fn validate<'a>(
    doc_type: &DocumentType,
    value_of: impl Fn(&str) -> Option<&'a str>,
    require: bool,
) -> Result<FormData, Vec<(FieldName, FieldError)>> {
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for field in &doc_type.fields {
        // Files are checked with the uploads, not as form values.
        if matches!(
            field.kind,
            crate::document_type::FieldKind::Attachment { .. }
        ) {
            continue;
        }
        let raw = value_of(field.name.as_str());
        let checked = if require {
            field.validate(raw)
        } else {
            match raw.map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => field.kind.validate(v).map(Some),
            }
        };
        match checked {
            Ok(Some(v)) => values.push((field.name.clone(), v)),
            Ok(None) => {}
            Err(e) => errors.push((field.name.clone(), e)),
        }
    }
    if errors.is_empty() {
        Ok(FormData(values))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document_type::tests::petition_type;
    use crate::document_type::{FieldDef, FieldKind, Titles};
    use crate::text::DisplayName;

    fn field(name: &str, required: bool, kind: FieldKind) -> FieldDef {
        FieldDef {
            name: FieldName::parse(name).unwrap(),
            label: Titles::ro(DisplayName::parse(name).unwrap()),
            required,
            kind,
        }
    }

    #[test]
    fn every_problem_at_once_and_optional_fields_left_out() {
        let mut t = petition_type();
        t.fields = vec![
            field("adresa", true, FieldKind::Text { max_chars: 20 }),
            field("cnp", true, FieldKind::Cnp),
            field("etaje", false, FieldKind::Number { min: 0, max: 50 }),
            field("telefon", false, FieldKind::Phone),
        ];
        let bad = [("cnp", "1960529120012"), ("etaje", "99")];
        let got = validate(
            &t,
            |n| bad.iter().find(|(k, _)| *k == n).map(|(_, v)| *v),
            true,
        );
        let errors = got.unwrap_err();
        let names: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["adresa", "cnp", "etaje"]);
        // On paper the required ones may be missing, but what is given is checked.
        let got = validate(
            &t,
            |n| bad.iter().find(|(k, _)| *k == n).map(|(_, v)| *v),
            false,
        );
        assert_eq!(got.unwrap_err().len(), 2);
        let good = [
            ("adresa", " Str. Horea 3 "),
            ("cnp", "1960529120011"),
            ("telefon", ""),
        ];
        let form = validate(
            &t,
            |n| good.iter().find(|(k, _)| *k == n).map(|(_, v)| *v),
            true,
        )
        .unwrap();
        assert_eq!(form.get("adresa"), Some("Str. Horea 3"));
        assert_eq!(form.get("telefon"), None);
        assert_eq!(form.pairs().len(), 2);
    }
}
