//! `/api/v1/admin/...`: tenant administration as JSON. Authenticated by the
//! desk's session cookie; unsafe methods also need the header `X-CSRF-Token`
//! equal to the session's CSRF token (`GET /api/v1/admin/session` tells it).
//! Errors are problem+json; validation errors list `errors: [{path, message}]`.

use ghiseu_core::TypeVersion;
use ghiseu_platform::http::{self as web, Request, Response, header_str};
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use http::{HeaderValue, Method, StatusCode, header};
use serde::Serialize;

use crate::ctx::{Admin, admin};
use crate::dto::TypeDto;
use crate::error::AdminError;
use crate::forms::read_body;
use crate::{departments, document_types, officials, retention};

/// The CSRF header of unsafe API calls.
const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Serialize)]
struct SessionDto<'a> {
    tenant: &'a str,
    username: &'a str,
    display_name: &'a str,
    roles: Vec<&'static str>,
    csrf_token: &'a str,
}

fn created(location: &str, body: Response) -> Response {
    let mut r = body;
    *r.status_mut() = StatusCode::CREATED;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn method_not_allowed(allow: &'static str) -> Result<Response, AdminError> {
    Ok(web::method_not_allowed(allow))
}

/// Handles `/api/v1/admin/...`.
pub async fn handle(store: &Store, request: Request, path: &str) -> Result<Response, AdminError> {
    let method = request.method().clone();
    let headers = request.headers().clone();
    let admin = admin(store, &headers).await?;
    let safe = matches!(method, Method::GET | Method::HEAD);
    if !safe && !admin.csrf_ok(header_str(&headers, CSRF_HEADER)) {
        return Err(AdminError::Forbidden(
            "The X-CSRF-Token header must hold this session's CSRF token.".to_owned(),
        ));
    }
    let segments: Vec<String> = path
        .trim_end_matches('/')
        .split('/')
        .skip(4)
        .map(str::to_owned)
        .collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segs.as_slice() {
        ["session"] => match method {
            Method::GET => Ok(session(&admin)),
            _ => method_not_allowed("GET"),
        },
        ["document-types"] => type_collection(store, &admin, method, request).await,
        ["document-types", code] => one_type(store, &admin, method, code, request).await,
        ["document-types", code, "versions", n] => match method {
            Method::GET => type_version(store, &admin, code, n).await,
            _ => method_not_allowed("GET"),
        },
        ["departments"] => department_collection(store, &admin, method, request).await,
        ["departments", code] => match method {
            Method::PUT => {
                let names = departments::parse_names_json(&read_body(request).await?)?;
                let d = departments::rename(&admin, code, &names)?;
                Ok(web::json(StatusCode::OK, &departments::dtos(&[d])[0]))
            }
            _ => method_not_allowed("PUT"),
        },
        ["officials"] => match method {
            Method::GET => {
                let list = repo::officials(store, &admin.scope).await?;
                Ok(web::json(StatusCode::OK, &officials::dtos(&list)))
            }
            _ => method_not_allowed("GET"),
        },
        ["retention"] => match method {
            Method::GET => {
                let query = request.uri().query().unwrap_or("").to_owned();
                retention::log_json(store, &admin, &query).await
            }
            _ => method_not_allowed("GET"),
        },
        ["officials", "invites"] => match method {
            Method::POST => {
                let input = officials::parse_invite_json(&read_body(request).await?)?;
                let issued = officials::invite(store, &admin, &input).await?;
                Ok(created(
                    "/api/v1/admin/officials",
                    web::json(StatusCode::OK, &issued),
                ))
            }
            _ => method_not_allowed("POST"),
        },
        _ => Err(AdminError::NotFound("No such admin resource.".to_owned())),
    }
}

/// `GET|POST /api/v1/admin/document-types`: the catalogue, or a new type.
async fn type_collection(
    store: &Store,
    admin: &Admin,
    method: Method,
    request: Request,
) -> Result<Response, AdminError> {
    match method {
        Method::GET => {
            let list: Vec<TypeDto> = repo::document_type_catalogue(store, &admin.scope)
                .await?
                .iter()
                .map(|(s, t)| TypeDto::of(t, *s))
                .collect();
            Ok(web::json(StatusCode::OK, &list))
        }
        Method::POST => {
            let d = document_types::parse_definition(&read_body(request).await?)?;
            let t = document_types::create(store, admin, &d).await?;
            let status = ghiseu_core::document_type::TypeStatus::NEW;
            Ok(created(
                &format!("/api/v1/admin/document-types/{}", t.code),
                web::json(StatusCode::OK, &TypeDto::of(&t, status)),
            ))
        }
        _ => method_not_allowed("GET, POST"),
    }
}

/// `GET|PUT|DELETE /api/v1/admin/document-types/{code}`: the latest version,
/// a new version, or the type withdrawn from intake.
async fn one_type(
    store: &Store,
    admin: &Admin,
    method: Method,
    code: &str,
    request: Request,
) -> Result<Response, AdminError> {
    match method {
        Method::GET => latest(store, admin, code).await,
        Method::PUT => {
            let d = document_types::parse_definition(&read_body(request).await?)?;
            let t = document_types::update(store, admin, code, &d).await?;
            type_answer(store, admin, &t).await
        }
        Method::DELETE => {
            document_types::deactivate(admin, code)?;
            latest(store, admin, code).await
        }
        _ => method_not_allowed("GET, PUT, DELETE"),
    }
}

/// `GET /api/v1/admin/document-types/{code}/versions/{n}`.
async fn type_version(
    store: &Store,
    admin: &Admin,
    code: &str,
    n: &str,
) -> Result<Response, AdminError> {
    let c = document_types::parse_code(code)?;
    let missing = || AdminError::NotFound(format!("`{code}` has no version {n}."));
    let v = n
        .parse::<u32>()
        .ok()
        .and_then(TypeVersion::new)
        .ok_or_else(missing)?;
    let (s, _) = repo::document_type_with_status(store, &admin.scope, &c)
        .await?
        .ok_or_else(missing)?;
    let t = repo::document_type_version(store, &admin.scope, &c, v)
        .await?
        .ok_or_else(missing)?;
    Ok(web::json(StatusCode::OK, &TypeDto::of(&t, s)))
}

/// `GET|POST /api/v1/admin/departments`: the list, or a new department.
async fn department_collection(
    store: &Store,
    admin: &Admin,
    method: Method,
    request: Request,
) -> Result<Response, AdminError> {
    match method {
        Method::GET => {
            let list = repo::departments(store, &admin.scope).await?;
            Ok(web::json(StatusCode::OK, &departments::dtos(&list)))
        }
        Method::POST => {
            let input = departments::parse_json(&read_body(request).await?)?;
            let (code, names) = input.into_parts();
            let d = departments::create(admin, &code, &names)?;
            Ok(created(
                "/api/v1/admin/departments",
                web::json(StatusCode::OK, &departments::dtos(&[d])[0]),
            ))
        }
        _ => method_not_allowed("GET, POST"),
    }
}

/// The latest version of `code` with its status.
async fn latest(store: &Store, admin: &Admin, code: &str) -> Result<Response, AdminError> {
    let c = document_types::parse_code(code)?;
    let (s, t) = repo::document_type_with_status(store, &admin.scope, &c)
        .await?
        .ok_or_else(|| document_types::no_such_type(code))?;
    Ok(web::json(StatusCode::OK, &TypeDto::of(&t, s)))
}

async fn type_answer(
    store: &Store,
    admin: &Admin,
    t: &ghiseu_core::DocumentType,
) -> Result<Response, AdminError> {
    let (s, _) = repo::document_type_with_status(store, &admin.scope, &t.code)
        .await?
        .ok_or_else(|| AdminError::NotFound(t.code.to_string()))?;
    Ok(web::json(StatusCode::OK, &TypeDto::of(t, s)))
}

fn session(admin: &Admin) -> Response {
    web::json(
        StatusCode::OK,
        &SessionDto {
            tenant: admin.tenant.slug.as_str(),
            username: admin.official.username.as_str(),
            display_name: admin.official.display_name.as_str(),
            roles: admin.official.roles.iter().map(|r| r.code()).collect(),
            csrf_token: &admin.session.csrf,
        },
    )
}
