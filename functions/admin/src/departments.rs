//! Departments: list, create, rename (pages and JSON). A department's name is
//! given in Romanian and, optionally, in Hungarian and English (`name_hu`,
//! `name_en`; blank is none), which citizens reading those languages see.

use ghiseu_core::{Department, DepartmentCode, DisplayName, Titles};
use ghiseu_platform::http::{
    Form, Response, form_field as field, secure_html, see_other as redirect,
};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use serde::{Deserialize, Serialize};

use crate::ctx::{Admin, check_csrf};
use crate::error::AdminError;
use crate::forms::{form_errors, page_status};
use crate::pages;
use crate::texts::Flash;

/// A department as the API answers it.
#[derive(Serialize)]
pub struct DepartmentDto {
    code: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_hu: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_en: Option<String>,
    active: bool,
}

/// The API's view of `list`.
pub fn dtos(list: &[Department]) -> Vec<DepartmentDto> {
    list.iter()
        .map(|d| DepartmentDto {
            code: d.code.to_string(),
            name: d.name.ro.to_string(),
            name_hu: d.name.hu.as_ref().map(ToString::to_string),
            name_en: d.name.en.as_ref().map(ToString::to_string),
            active: d.active,
        })
        .collect()
}

/// A department's names as submitted: Romanian, and optionally Hungarian and
/// English.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    name: String,
    #[serde(default)]
    name_hu: Option<String>,
    #[serde(default)]
    name_en: Option<String>,
}

impl Names {
    /// The names of a submitted form.
    fn of_form(form: &Form) -> Self {
        let text = |k| field(form, k).map(str::to_owned);
        Self {
            name: text("name").unwrap_or_default(),
            name_hu: text("name_hu"),
            name_en: text("name_en"),
        }
    }

    /// The validated names; each refusal is added to `errors` under its field.
    fn validate(&self, errors: &mut Vec<(String, String)>) -> Option<Titles> {
        let ro = name("name", &self.name, errors);
        let hu = translation("name_hu", self.name_hu.as_deref(), errors);
        let en = translation("name_en", self.name_en.as_deref(), errors);
        Some(Titles {
            ro: ro?,
            hu: hu?,
            en: en?,
        })
    }
}

/// `text` as a name, or `None` with its error added under `field`.
fn name(field: &str, text: &str, errors: &mut Vec<(String, String)>) -> Option<DisplayName> {
    DisplayName::parse(text)
        .map_err(|e| errors.push((field.to_owned(), e.to_string())))
        .ok()
}

/// An optional name: `Some(None)` when absent or blank, `None` when refused.
fn translation(
    field: &str,
    text: Option<&str>,
    errors: &mut Vec<(String, String)>,
) -> Option<Option<DisplayName>> {
    match text {
        Some(t) if !t.trim().is_empty() => name(field, t, errors).map(Some),
        _ => Some(None),
    }
}

/// A new department as submitted.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    code: String,
    name: String,
    #[serde(default)]
    name_hu: Option<String>,
    #[serde(default)]
    name_en: Option<String>,
}

impl NewDepartment {
    /// Its code and its names.
    pub fn into_parts(self) -> (String, Names) {
        let names = Names {
            name: self.name,
            name_hu: self.name_hu,
            name_en: self.name_en,
        };
        (self.code, names)
    }
}

/// Parses a JSON `{code, name, name_hu?, name_en?}`.
pub fn parse_json(body: &[u8]) -> Result<NewDepartment, AdminError> {
    serde_json::from_slice(body).map_err(|e| AdminError::invalid("body", e.to_string()))
}

/// Parses a JSON `{name, name_hu?, name_en?}`.
pub fn parse_names_json(body: &[u8]) -> Result<Names, AdminError> {
    serde_json::from_slice(body).map_err(|e| AdminError::invalid("body", e.to_string()))
}

/// Creates the department `code` of the administrator's tenant.
pub fn create(admin: &Admin, code: &str, names: &Names) -> Result<Department, AdminError> {
    let mut errors = Vec::new();
    let code = DepartmentCode::parse(code.trim())
        .map_err(|e| errors.push(("code".to_owned(), e.to_string())))
        .ok();
    let name = names.validate(&mut errors);
    let (Some(code), Some(name)) = (code, name) else {
        return Err(AdminError::Invalid(errors));
    };
    let department = Department {
        tenant: admin.tenant.slug.clone(),
        code,
        name,
        active: true,
    };
    if repo::create_department(&admin.scope, &department)? {
        Ok(department)
    } else {
        Err(AdminError::Conflict(format!(
            "Codul `{}` este deja folosit de un departament.",
            department.code
        )))
    }
}

/// `GET /admin/departments` (with the errors of a refused form).
pub async fn page(
    store: &Store,
    admin: &Admin,
    errors: &[(String, String)],
) -> Result<Response, AdminError> {
    let list = repo::departments(store, &admin.scope).await?;
    let status = page_status(errors);
    Ok(secure_html(
        status,
        pages::departments(&admin.viewer(), &list, errors),
    ))
}

/// `POST /admin/departments`.
pub async fn create_form(
    store: &Store,
    admin: &Admin,
    form: &Form,
) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let code = field(form, "code").unwrap_or("");
    match create(admin, code, &Names::of_form(form)) {
        Ok(_) => Ok(redirect(&Flash::Department.after("/admin/departments"))),
        Err(e) => {
            let errors = form_errors(admin.lang, e, ("code", "err_dep_taken"))?;
            page(store, admin, &errors).await
        }
    }
}

/// Gives the department `code` the names `names` (those not given are
/// removed): the department as it is now, or why not.
pub fn rename(admin: &Admin, code: &str, names: &Names) -> Result<Department, AdminError> {
    let missing = || AdminError::NotFound(format!("Departamentul `{code}` nu există."));
    let code = DepartmentCode::parse(code).map_err(|_| missing())?;
    let mut errors = Vec::new();
    let Some(name) = names.validate(&mut errors) else {
        return Err(AdminError::Invalid(errors));
    };
    repo::rename_department(&admin.scope, &code, &name)?.ok_or_else(missing)
}

/// `POST /admin/departments/{code}`: rename.
pub async fn rename_form(
    store: &Store,
    admin: &Admin,
    code: &str,
    form: &Form,
) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    match rename(admin, code, &Names::of_form(form)) {
        Ok(_) => Ok(redirect(&Flash::Department.after("/admin/departments"))),
        Err(e) => {
            // Each row's inputs are told apart by the department's code.
            let errors: Vec<_> = form_errors(admin.lang, e, ("name", "err_invalid"))?
                .into_iter()
                .map(|(field, message)| (format!("{field}-{code}"), message))
                .collect();
            page(store, admin, &errors).await
        }
    }
}
