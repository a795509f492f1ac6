//! Document types: create, save a new version, deactivate; as pages (the
//! editor as a plain form, [`crate::editor`], with its JSON for power users)
//! and, through [`crate::api`], as JSON. Both paths save through the same
//! functions here, so a form's save is versioned like an API call.

use ghiseu_core::document_type::TypeStatus;
use ghiseu_core::{DepartmentCode, DocumentType, DocumentTypeCode, TypeVersion};
use ghiseu_platform::http::{
    Form, Response, form_field as field, secure_html, see_other as redirect,
};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, SaveType};
use http::StatusCode;

use crate::ctx::{Admin, check_csrf};
use crate::dto::{DefinitionDto, TitlesDto};
use crate::editor::{Editor, Op};
use crate::editor_page::{self, Context};
use crate::error::AdminError;
use crate::explain;
use crate::pages;
use crate::texts::{Flash, t};

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

/// A new type's starting point: a title and fields to fill in.
fn blank(first_department: &str) -> DefinitionDto {
    DefinitionDto {
        code: Some(String::new()),
        titles: TitlesDto::default(),
        deadline_days: 30,
        working_days: false,
        first_department: first_department.to_owned(),
        signature: "none".to_owned(),
        fee_bani: 0,
        retention_years: 10,
        fields: Vec::new(),
    }
}

/// The editor's page of a new type (`code` none) or of type `code`.
async fn render(
    store: &Store,
    admin: &Admin,
    status: StatusCode,
    existing: Option<&(TypeStatus, DocumentType)>,
    editor: &Editor,
    import: Option<editor_page::Import<'_>>,
) -> Result<Response, AdminError> {
    let departments = repo::departments(store, &admin.scope).await?;
    let ctx = Context {
        existing: existing.map(|(s, t)| (t, *s)),
        departments: &departments,
        import,
    };
    Ok(secure_html(
        status,
        editor_page::page_of(&admin.viewer(), editor, &ctx),
    ))
}

/// The saved type `code`, or 404.
async fn existing(
    store: &Store,
    admin: &Admin,
    code: &str,
) -> Result<(TypeStatus, DocumentType), AdminError> {
    let code = parse_code(code)?;
    repo::document_type_with_status(store, &admin.scope, &code)
        .await?
        .ok_or_else(|| no_such_type(code.as_str()))
}

/// `GET /admin/document-types/new`.
pub async fn new_page(store: &Store, admin: &Admin) -> Result<Response, AdminError> {
    let first = active_departments(store, admin)
        .await?
        .first()
        .map_or_else(String::new, ToString::to_string);
    let editor = Editor::of(blank(&first), None);
    render(store, admin, StatusCode::OK, None, &editor, None).await
}

/// `GET /admin/document-types/{code}`.
pub async fn edit_page(store: &Store, admin: &Admin, code: &str) -> Result<Response, AdminError> {
    let saved = existing(store, admin, code).await?;
    let mut def = DefinitionDto::of(&saved.1);
    def.code = None;
    let editor = Editor::of(def, Some(saved.0));
    render(store, admin, StatusCode::OK, Some(&saved), &editor, None).await
}

/// Saves `def` as type `code` (a new one when none): the saved type, or the
/// problems as (path, message) from core.
async fn save(
    store: &Store,
    admin: &Admin,
    code: Option<&str>,
    def: &DefinitionDto,
) -> Result<Result<Response, Vec<(String, String)>>, AdminError> {
    let saved = match code {
        None => create(store, admin, def).await,
        Some(c) => update(store, admin, c, def).await,
    };
    let flash = if code.is_none() {
        Flash::TypeCreated
    } else {
        Flash::TypeSaved
    };
    match saved {
        Ok(t) => Ok(Ok(redirect(
            &flash.after(&format!("/admin/document-types/{}", t.code)),
        ))),
        Err(AdminError::Invalid(errors)) => Ok(Err(errors)),
        Err(AdminError::Conflict(m)) => Ok(Err(vec![("code".to_owned(), m)])),
        Err(e) => Err(e),
    }
}

/// `POST /admin/document-types` (`code` none) and
/// `POST /admin/document-types/{code}`: an action of the editor, a save, or
/// a JSON import.
pub async fn editor_form(
    store: &Store,
    admin: &Admin,
    code: Option<&str>,
    form: &Form,
) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let saved = match code {
        Some(c) => Some(existing(store, admin, c).await?),
        None => None,
    };
    let lang = admin.lang;
    let op = Op::of(form);
    if op == Op::Import {
        return import(store, admin, code, saved.as_ref(), form).await;
    }
    let mut editor = Editor::read(form, code.is_none(), lang);
    editor.status = saved.as_ref().map(|(s, _)| *s);
    if op != Op::Save {
        editor.apply(op, field(form, "new_kind").unwrap_or(""));
        return render(store, admin, StatusCode::OK, saved.as_ref(), &editor, None).await;
    }
    if editor.errors.is_empty() {
        match save(store, admin, code, &editor.def).await? {
            Ok(done) => return Ok(done),
            Err(errors) => {
                let no_code = editor.def.code.as_deref() == Some("");
                editor.errors = errors
                    .iter()
                    .map(|(p, m)| match p.as_str() {
                        "code" if no_code => (p.clone(), t(lang, "err_required").to_owned()),
                        _ => (explain::form_id(p), explain::message(lang, p, m)),
                    })
                    .collect();
            }
        }
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render(store, admin, status, saved.as_ref(), &editor, None).await
}

/// A JSON definition imported and saved; refused, the editor shows it again
/// with its problems in words.
async fn import(
    store: &Store,
    admin: &Admin,
    code: Option<&str>,
    saved: Option<&(TypeStatus, DocumentType)>,
    form: &Form,
) -> Result<Response, AdminError> {
    let lang = admin.lang;
    let json = field(form, "definition").unwrap_or("");
    let current = || match saved {
        Some((_, t)) => {
            let mut d = DefinitionDto::of(t);
            d.code = None;
            d
        }
        None => blank(""),
    };
    let (def, problems) = match serde_json::from_str::<DefinitionDto>(json) {
        Err(e) => {
            let what = explain::label(lang, "body");
            (
                current(),
                vec![("body".to_owned(), what, explain::json_error(lang, &e))],
            )
        }
        Ok(def) => match save(store, admin, code, &def).await? {
            Ok(done) => return Ok(done),
            Err(errors) => {
                let problems = errors
                    .iter()
                    .map(|(p, m)| {
                        (
                            p.clone(),
                            explain::label(lang, p),
                            explain::message(lang, p, m),
                        )
                    })
                    .collect();
                (def, problems)
            }
        },
    };
    let editor = Editor::of(def, saved.map(|(s, _)| *s));
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render(
        store,
        admin,
        status,
        saved,
        &editor,
        Some((json, &problems)),
    )
    .await
}

/// `POST /admin/document-types/{code}/deactivate`: without `confirm=yes`,
/// the confirmation page (nothing changes); with it, the type is withdrawn.
pub async fn deactivate_form(
    store: &Store,
    admin: &Admin,
    code: &str,
    form: &Form,
) -> Result<Response, AdminError> {
    check_csrf(admin, form)?;
    let (_, ty) = existing(store, admin, code).await?;
    if field(form, "confirm") != Some("yes") {
        return Ok(secure_html(
            StatusCode::OK,
            pages::deactivate_confirm(&admin.viewer(), &ty),
        ));
    }
    deactivate(admin, code)?;
    Ok(redirect(
        &Flash::TypeDeactivated.after("/admin/document-types"),
    ))
}
