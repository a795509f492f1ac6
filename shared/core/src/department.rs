//! Departments: where dossiers sit inside a tenant (registratura, urbanism…).

use crate::document_type::Titles;
use crate::ids::{DepartmentCode, TenantSlug};

/// A department of a tenant. Its name is public (it is shown on tracking pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// The owning tenant.
    pub tenant: TenantSlug,
    /// The code, unique within the tenant.
    pub code: DepartmentCode,
    /// The public name in Romanian, e.g. "Direcția Urbanism", and, if the
    /// administrator gave them, in Hungarian and English (shown to a reader of
    /// that language; Romanian otherwise).
    pub name: Titles,
    /// Inactive departments receive no new dossiers but keep their history.
    pub active: bool,
}

/// The name of department `code` among `departments` in `lang` (Romanian
/// when it has none in that language); its code when it is not among them
/// (a department renamed or removed since, still named on old records).
pub fn name_of(departments: &[Department], code: &DepartmentCode, lang: crate::Lang) -> String {
    departments
        .iter()
        .find(|d| &d.code == code)
        .map_or_else(|| code.to_string(), |d| d.name.get(lang).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use crate::text::DisplayName;

    #[test]
    fn a_department_is_named_in_the_readers_language_else_romanian_else_by_code() {
        let name = |s: &str| DisplayName::parse(s).unwrap();
        let dept = |code: &str, titles: Titles| Department {
            tenant: TenantSlug::parse("alfa").unwrap(),
            code: DepartmentCode::parse(code).unwrap(),
            name: titles,
            active: true,
        };
        let departments = [
            dept(
                "urbanism",
                Titles {
                    ro: name("Direcția Urbanism"),
                    hu: Some(name("Városrendezési Igazgatóság")),
                    en: None,
                },
            ),
            dept("juridic", Titles::ro(name("Serviciul Juridic"))),
        ];
        let code = |c: &str| DepartmentCode::parse(c).unwrap();
        assert_eq!(
            name_of(&departments, &code("urbanism"), Lang::Hu),
            "Városrendezési Igazgatóság"
        );
        assert_eq!(
            name_of(&departments, &code("urbanism"), Lang::En),
            "Direcția Urbanism"
        );
        assert_eq!(
            name_of(&departments, &code("juridic"), Lang::Ro),
            "Serviciul Juridic"
        );
        assert_eq!(name_of(&departments, &code("arhiva"), Lang::Ro), "arhiva");
    }
}
