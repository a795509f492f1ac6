//! Tenant administration and the platform's tenant API.
//!
//! - `/admin/...`: server-rendered pages for a tenant's administrator (role
//!   `tenant_admin`): document types, departments, officials and invitations,
//!   branding. Signed in with the desk's session (cookie `ghiseu_desk`, one
//!   sign-in at `/desk/login`), CSRF token on every form.
//! - `/admin/invite/{token}`: an invitee chooses a password (no session).
//! - `/branding/{slug}/logo` and `/branding/{slug}/theme.css`: public.
//! - `/api/v1/admin/...`: the same administration as JSON (session cookie, and
//!   `X-CSRF-Token` on unsafe methods).
//! - `/api/v1/platform/tenants[/{slug}]`: the platform administrator creates
//!   and lists municipalities (bearer `platform_admin_token`).
//! - `/api/v1/platform/trust/roots[/{sha256}]`: the platform administrator
//!   lists, adds and removes the trust anchors of signature verification.
//! - `POST /api/v1/platform/seed`, `POST /api/v1/platform/notifications/dispatch`,
//!   `GET /api/v1/platform/metrics`: the platform's operations
//!   ([`platform_ops`]; the seed in [`seed`]). Every `/api/v1/platform/...`
//!   route is this component's.
//!
//! Handlers parse the request into core's types, call the platform's
//! repositories and render; every rule lives in `ghiseu-core`.

pub(crate) use ghiseu_platform::http::{
    cookie, header_str, request_origin as origin, secure_html, see_other as redirect,
};

mod api;
mod branding;
mod departments;
mod document_types;
mod dto;
mod error;
mod letter;
mod officials;
mod pages;
mod platform;
mod platform_ops;
mod seed;
mod trust;

use chrono::Utc;
use ghiseu_core::{Official, Role, Tenant, TenantSlug, Username};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::session::{self, Session};
use http::{HeaderMap, Method, StatusCode};

use crate::error::AdminError;

/// The desk's session cookie: one sign-in serves the desk and the admin pages.
const SESSION_COOKIE: &str = "ghiseu_desk";
/// Largest form or JSON body (a logo is at most 256 KiB).
const MAX_BODY_BYTES: usize = 512 * 1024;

/// A signed-in tenant administrator on this request.
pub(crate) struct Admin {
    pub session: Session,
    pub official: Official,
    pub tenant: Tenant,
    pub scope: TenantScope,
}

impl Admin {
    /// Whether `given` is this session's CSRF token.
    pub fn csrf_ok(&self, given: Option<&str>) -> bool {
        given.is_some_and(|g| session::constant_time_eq(g.as_bytes(), self.session.csrf.as_bytes()))
    }
}

/// The administrator of this request: a live session of an active official
/// of an active tenant, with the role `tenant_admin` in that tenant. Everything
/// an administrator touches is in [`Admin::scope`], their own tenant's keys.
async fn admin(store: &Store, headers: &HeaderMap) -> Result<Admin, AdminError> {
    let id = cookie(headers, SESSION_COOKIE).ok_or(AdminError::Unauthenticated)?;
    let session = session::load(store, id, Utc::now())
        .await?
        .ok_or(AdminError::Unauthenticated)?;
    let (Ok(slug), Ok(username)) = (
        TenantSlug::parse(&session.tenant),
        Username::parse(&session.username),
    ) else {
        return Err(AdminError::Unauthenticated);
    };
    let scope = TenantScope::new(&slug);
    let (Some(tenant), Some(official)) = (
        repo::get_tenant(store, &slug).await?,
        repo::official(store, &scope, &username).await?,
    ) else {
        return Err(AdminError::Unauthenticated);
    };
    let Some(actor) = official.actor().filter(|_| tenant.active) else {
        return Err(AdminError::Unauthenticated);
    };
    if !actor.roles.contains(&Role::TenantAdmin) {
        return Err(AdminError::Forbidden(
            "Doar administratorul instituției are acces aici.".to_owned(),
        ));
    }
    Ok(Admin {
        session,
        official,
        tenant,
        scope,
    })
}

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let store = match Store::open(STORE).await {
        Ok(s) => s,
        Err(e) => return AdminError::from(e).into_problem(),
    };
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if under(trust::PREFIX) {
        return trust::handle(&store, request, &path).await;
    }
    if under("/api/v1/platform/tenants") {
        return platform::handle(&store, request, &path).await;
    }
    if path.starts_with("/api/v1/platform/") {
        return platform_ops::handle(&store, request, &path).await;
    }
    if path.starts_with("/api/v1/admin") {
        return api::handle(&store, request, &path)
            .await
            .unwrap_or_else(AdminError::into_problem);
    }
    if path.starts_with("/branding/") {
        return branding::public(&store, request.method(), &path)
            .await
            .unwrap_or_else(AdminError::into_problem);
    }
    html(&store, request, &path)
        .await
        .unwrap_or_else(AdminError::into_html)
}

/// The `/admin/...` pages.
async fn html(store: &Store, request: Request, path: &str) -> Result<Response, AdminError> {
    let method = request.method().clone();
    let segments: Vec<String> = path
        .trim_end_matches('/')
        .split('/')
        .skip(2)
        .map(str::to_owned)
        .collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (&method, segs.as_slice()) {
        (&Method::GET, ["admin.css"]) => return Ok(pages::stylesheet()),
        (_, ["invite", token]) => {
            let token = (*token).to_owned();
            return officials::invite_page(store, method, &token, request).await;
        }
        _ => {}
    }
    let headers = request.headers().clone();
    let admin = admin(store, &headers).await?;
    let origin = origin(&headers);
    match (method, segs.as_slice()) {
        (Method::GET, [] | [""]) => Ok(pages::home(&admin)),
        (Method::GET, ["document-types"]) => document_types::list_page(store, &admin).await,
        (Method::GET, ["document-types", "new"]) => document_types::new_page(store, &admin).await,
        (Method::POST, ["document-types"]) => {
            let form = read_form(request).await?;
            document_types::create_form(store, &admin, &form).await
        }
        (Method::GET, ["document-types", code]) => {
            document_types::edit_page(store, &admin, code).await
        }
        (Method::POST, ["document-types", code]) => {
            let code = (*code).to_owned();
            let form = read_form(request).await?;
            document_types::update_form(store, &admin, &code, &form).await
        }
        (Method::POST, ["document-types", code, "deactivate"]) => {
            let code = (*code).to_owned();
            let form = read_form(request).await?;
            document_types::deactivate_form(&admin, &code, &form)
        }
        (Method::GET, ["departments"]) => departments::page(store, &admin, &[]).await,
        (Method::POST, ["departments"]) => {
            let form = read_form(request).await?;
            departments::create_form(store, &admin, &form).await
        }
        (Method::POST, ["departments", code]) => {
            let code = (*code).to_owned();
            let form = read_form(request).await?;
            departments::rename_form(store, &admin, &code, &form).await
        }
        (Method::GET, ["officials"]) => officials::page(store, &admin, &[]).await,
        (Method::POST, ["officials", "invite"]) => {
            let form = read_form(request).await?;
            officials::invite_form(store, &admin, &form, &origin).await
        }
        (Method::POST, ["officials", username]) => {
            let username = (*username).to_owned();
            let form = read_form(request).await?;
            officials::update_form(store, &admin, &username, &form).await
        }
        (Method::GET, ["branding"]) => Ok(branding::page(&admin, &[])),
        (Method::POST, ["branding"]) => {
            let (parts, body) = web::read_request(request, MAX_BODY_BYTES).await?;
            branding::save_form(&admin, &parts.headers, &body).await
        }
        _ => Err(AdminError::NotFound("Pagina nu există.".to_owned())),
    }
}

pub(crate) use ghiseu_platform::http::{Form, form_field as field, form_raw, parse_form};

async fn read_form(request: Request) -> Result<Form, AdminError> {
    let (_, body) = web::read_request(request, MAX_BODY_BYTES).await?;
    Ok(parse_form(&body))
}

/// Refuses a form whose CSRF token is not the session's.
pub(crate) fn check_csrf(admin: &Admin, form: &Form) -> Result<(), AdminError> {
    if admin.csrf_ok(field(form, "csrf")) {
        Ok(())
    } else {
        Err(AdminError::Forbidden(
            "Formularul nu este valid (CSRF). Reîncărcați pagina.".to_owned(),
        ))
    }
}

/// The errors a refused form shows on its page: the validation errors, or a
/// conflict reported at `conflict_field`. Other errors are answered as such.
pub(crate) fn form_errors(
    error: AdminError,
    conflict_field: &str,
) -> Result<Vec<(String, String)>, AdminError> {
    match error {
        AdminError::Invalid(errors) => Ok(errors),
        AdminError::Conflict(m) => Ok(vec![(conflict_field.to_owned(), m)]),
        other => Err(other),
    }
}

/// 422 for a page shown again with errors, else 200.
pub(crate) fn page_status(errors: &[(String, String)]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
