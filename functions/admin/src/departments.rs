//! Departments: list, create, rename (pages and JSON).

use ghiseu_core::{Department, DepartmentCode, DisplayName};
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

/// A department as the API answers it.
#[derive(Serialize)]
pub struct DepartmentDto {
    code: String,
    name: String,
    active: bool,
}

/// The API's view of `list`.
pub fn dtos(list: &[Department]) -> Vec<DepartmentDto> {
    list.iter()
        .map(|d| DepartmentDto {
            code: d.code.to_string(),
            name: d.name.to_string(),
            active: d.active,
        })
        .collect()
}

/// A new department as submitted.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    code: String,
    name: String,
}

/// Parses a JSON `{code, name}`.
pub fn parse_json(body: &[u8]) -> Result<NewDepartment, AdminError> {
    serde_json::from_slice(body).map_err(|e| AdminError::invalid("body", e.to_string()))
}

/// Creates a department of the administrator's tenant.
pub fn create(admin: &Admin, input: &NewDepartment) -> Result<Department, AdminError> {
    let code = DepartmentCode::parse(input.code.trim());
    let name = DisplayName::parse(&input.name);
    let (code, name) = match (code, name) {
        (Ok(c), Ok(n)) => (c, n),
        (c, n) => {
            let mut errors = Vec::new();
            if let Err(e) = c {
                errors.push(("code".to_owned(), e.to_string()));
            }
            if let Err(e) = n {
                errors.push(("name".to_owned(), e.to_string()));
            }
            return Err(AdminError::Invalid(errors));
        }
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
    let input = NewDepartment {
        code: field(form, "code").unwrap_or("").to_owned(),
        name: field(form, "name").unwrap_or("").to_owned(),
    };
    match create(admin, &input) {
        Ok(_) => Ok(redirect("/admin/departments")),
        Err(e) => page(store, admin, &form_errors(e, "code")?).await,
    }
}

/// `POST /admin/departments/{code}`: rename.
pub async fn rename_form(
    store: &Store,
    admin: &Admin,
    code: &str,
    form: &Form,
) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let missing = || AdminError::NotFound(format!("Departamentul `{code}` nu există."));
    let code = DepartmentCode::parse(code).map_err(|_| missing())?;
    let name = match DisplayName::parse(field(form, "name").unwrap_or("")) {
        Ok(n) => n,
        Err(e) => {
            let id = format!("name-{code}");
            return page(store, admin, &[(id, format!("Denumire: {e}"))]).await;
        }
    };
    if repo::rename_department(&admin.scope, &code, &name)? {
        Ok(redirect("/admin/departments"))
    } else {
        Err(missing())
    }
}
