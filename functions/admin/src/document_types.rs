//! Document types: create, save a new version, deactivate; as pages (the
//! definition edited as JSON in a plain textarea, no JavaScript) and, through
//! [`crate::api`], as JSON. Both paths go through the same functions here.

use ghiseu_core::document_type::TypeStatus;
use ghiseu_core::{DepartmentCode, DocumentType, DocumentTypeCode, TypeVersion};
use ghiseu_platform::http::{
    Form, Response, form_field as field, secure_html, see_other as redirect,
};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, SaveType};
use http::StatusCode;

use crate::ctx::{Admin, check_csrf};
use crate::dto::{DefinitionDto, FieldDto, TitlesDto};
use crate::error::AdminError;
use crate::pages;

/// The codes of the tenant's active departments (a type's first department
/// must be one of them).
async fn active_departments(
    store: &Store,
    admin: &Admin,
) -> Result<Vec<DepartmentCode>, AdminError> {
    Ok(repo::departments(store, &admin.scope)
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| d.code)
        .collect())
}

pub(crate) fn no_such_type(code: &str) -> AdminError {
    AdminError::NotFound(format!("Tipul de document `{code}` nu există."))
}

/// `code` of the administrator's tenant, or 404.
pub fn parse_code(raw: &str) -> Result<DocumentTypeCode, AdminError> {
    DocumentTypeCode::parse(raw).map_err(|_| no_such_type(raw))
}

fn definition_errors(
    errors: Vec<ghiseu_core::document_type::DefinitionError>,
) -> Vec<(String, String)> {
    errors.into_iter().map(|e| (e.path, e.message)).collect()
}

/// Parses a JSON definition; a malformed document is one error at `body`.
pub fn parse_definition(json: &[u8]) -> Result<DefinitionDto, AdminError> {
    serde_json::from_slice(json).map_err(|e| AdminError::invalid("body", e.to_string()))
}

/// Creates the type `definition.code` as version 1.
pub async fn create(
    store: &Store,
    admin: &Admin,
    definition: &DefinitionDto,
) -> Result<DocumentType, AdminError> {
    let departments = active_departments(store, admin).await?;
    let mut errors = Vec::new();
    let code = match definition.code.as_deref().map(DocumentTypeCode::parse) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            errors.push(("code".to_owned(), e.to_string()));
            None
        }
        None => {
            errors.push(("code".to_owned(), "the code is required".to_owned()));
            None
        }
    };
    // Validate under a placeholder code when the code itself is bad, so every
    // problem is reported at once.
    let placeholder =
        DocumentTypeCode::parse("tip").map_err(|e| AdminError::invalid("code", e.to_string()))?;
    let checked = definition.to_draft().validate(
        &admin.tenant.slug,
        code.as_ref().unwrap_or(&placeholder),
        TypeVersion::FIRST,
        &departments,
    );
    let t = match checked {
        Ok(t) if errors.is_empty() => t,
        Ok(_) => return Err(AdminError::Invalid(errors)),
        Err(e) => {
            errors.extend(definition_errors(e));
            return Err(AdminError::Invalid(errors));
        }
    };
    match repo::save_document_type(store, &admin.scope, &t, true).await? {
        SaveType::Saved(t) => Ok(t),
        SaveType::Exists | SaveType::Unchanged(_) => Err(AdminError::Conflict(format!(
            "Codul `{}` este deja folosit; modificați tipul existent.",
            t.code
        ))),
        SaveType::Missing => Err(AdminError::NotFound(t.code.to_string())),
    }
}

/// Saves `definition` as the next version of `code` (nothing new when it is
/// unchanged). The definition's own `code`, if given, must be `code`.
pub async fn update(
    store: &Store,
    admin: &Admin,
    code: &str,
    definition: &DefinitionDto,
) -> Result<DocumentType, AdminError> {
    let code = parse_code(code)?;
    if repo::document_type_with_status(store, &admin.scope, &code)
        .await?
        .is_none()
    {
        return Err(no_such_type(code.as_str()));
    }
    if definition
        .code
        .as_deref()
        .is_some_and(|c| c != code.as_str())
    {
        return Err(AdminError::invalid(
            "code",
            "the code of a type cannot change; create a new type instead",
        ));
    }
    let departments = active_departments(store, admin).await?;
    let t = definition
        .to_draft()
        .validate(&admin.tenant.slug, &code, TypeVersion::FIRST, &departments)
        .map_err(|e| AdminError::Invalid(definition_errors(e)))?;
    match repo::save_document_type(store, &admin.scope, &t, false).await? {
        SaveType::Saved(t) | SaveType::Unchanged(t) => Ok(t),
        SaveType::Missing | SaveType::Exists => Err(no_such_type(code.as_str())),
    }
}

/// Withdraws `code` from intake; its versions stay readable.
pub fn deactivate(admin: &Admin, code: &str) -> Result<TypeStatus, AdminError> {
    let code = parse_code(code)?;
    repo::set_document_type_active(&admin.scope, &code, false)?
        .ok_or_else(|| no_such_type(code.as_str()))
}

/// `GET /admin/document-types`.
pub async fn list_page(store: &Store, admin: &Admin) -> Result<Response, AdminError> {
    let catalogue = repo::document_type_catalogue(store, &admin.scope).await?;
    Ok(secure_html(
        StatusCode::OK,
        pages::document_types(&admin.viewer(), &catalogue),
    ))
}

fn template(first_department: &str) -> String {
    let dto = DefinitionDto {
        code: Some("cod-nou".to_owned()),
        titles: TitlesDto {
            ro: "Titlul în română".to_owned(),
            hu: None,
            en: None,
        },
        deadline_days: 30,
        working_days: false,
        first_department: first_department.to_owned(),
        signature: "none".to_owned(),
        fee_bani: 0,
        retention_years: 10,
        fields: vec![FieldDto {
            name: "adresa".to_owned(),
            label: TitlesDto {
                ro: "Adresa imobilului".to_owned(),
                hu: None,
                en: None,
            },
            required: true,
            kind: "address".to_owned(),
            ..Default::default()
        }],
    };
    serde_json::to_string_pretty(&dto).unwrap_or_default()
}

/// `GET /admin/document-types/new`.
pub async fn new_page(store: &Store, admin: &Admin) -> Result<Response, AdminError> {
    let first = active_departments(store, admin)
        .await?
        .first()
        .map_or_else(String::new, ToString::to_string);
    Ok(secure_html(
        StatusCode::OK,
        pages::type_editor(&admin.viewer(), None, &template(&first), &[]),
    ))
}

/// `GET /admin/document-types/{code}`.
pub async fn edit_page(store: &Store, admin: &Admin, code: &str) -> Result<Response, AdminError> {
    let code = parse_code(code)?;
    let (status, t) = repo::document_type_with_status(store, &admin.scope, &code)
        .await?
        .ok_or_else(|| no_such_type(code.as_str()))?;
    let json = serde_json::to_string_pretty(&DefinitionDto::of(&t)).unwrap_or_default();
    Ok(secure_html(
        StatusCode::OK,
        pages::type_editor(&admin.viewer(), Some((&t, status)), &json, &[]),
    ))
}

async fn editor_errors(
    store: &Store,
    admin: &Admin,
    code: Option<&DocumentTypeCode>,
    json: &str,
    error: AdminError,
) -> Result<Response, AdminError> {
    let AdminError::Invalid(errors) = error else {
        return Err(error);
    };
    let existing = match code {
        Some(c) => repo::document_type_with_status(store, &admin.scope, c).await?,
        None => None,
    };
    Ok(secure_html(
        StatusCode::UNPROCESSABLE_ENTITY,
        pages::type_editor(
            &admin.viewer(),
            existing.as_ref().map(|(s, t)| (t, *s)),
            json,
            &errors,
        ),
    ))
}

/// `POST /admin/document-types`.
pub async fn create_form(
    store: &Store,
    admin: &Admin,
    form: &Form,
) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let json = field(form, "definition").unwrap_or("");
    let result = match parse_definition(json.as_bytes()) {
        Ok(d) => create(store, admin, &d).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => Ok(redirect(&format!("/admin/document-types/{}", t.code))),
        Err(e) => editor_errors(store, admin, None, json, e).await,
    }
}

/// `POST /admin/document-types/{code}`.
pub async fn update_form(
    store: &Store,
    admin: &Admin,
    code: &str,
    form: &Form,
) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let json = field(form, "definition").unwrap_or("");
    let result = match parse_definition(json.as_bytes()) {
        Ok(d) => update(store, admin, code, &d).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => Ok(redirect(&format!("/admin/document-types/{}", t.code))),
        Err(e) => editor_errors(store, admin, parse_code(code).ok().as_ref(), json, e).await,
    }
}

/// `POST /admin/document-types/{code}/deactivate`.
pub fn deactivate_form(admin: &Admin, code: &str, form: &Form) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    deactivate(admin, code)?;
    Ok(redirect("/admin/document-types"))
}
