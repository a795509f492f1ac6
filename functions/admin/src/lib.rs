//! Tenant administration and the platform's tenant API.
//!
//! - `/admin/...`: server-rendered pages for a tenant's administrator (role
//!   `tenant_admin`): document types, departments, officials and invitations
//!   (and their second factor: the requirement, a reset, [`second_factor`]),
//!   branding, submission quotas, the access log ([`access_log`]), the
//!   retention log ([`retention`]). Signed in with the desk's session (cookie `ghiseu_desk`, one
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
//!   ([`platform_ops`]; the seed in [`seed`]);
//!   `POST /api/v1/platform/retention/run`: retention ([`retention`]). Every `/api/v1/platform/...`
//!   route is this component's.
//!
//! This file is the router. Handlers parse the request into core's types
//! (the administrator of the request in [`ctx`], bodies and refused forms in
//! [`forms`]), call the platform's repositories, render with [`pages`] and
//! answer errors through [`error`]; every rule lives in `ghiseu-core`.

mod access_log;
mod api;
mod archive;
mod branding;
mod ctx;
mod departments;
mod document_types;
mod dto;
mod editor;
mod editor_page;
mod error;
mod explain;
mod forms;
mod letter;
mod officials;
mod pages;
mod platform;
mod platform_ops;
mod quotas;
mod retention;
mod second_factor;
mod seed;
mod texts;
mod trust;

use ghiseu_platform::chrome;
use ghiseu_platform::http::{self as web, Request, Response, secure_html};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::kv::Store;
use http::{Method, StatusCode};

use crate::ctx::admin;
use crate::error::AdminError;
use crate::forms::{MAX_BODY_BYTES, read_form};

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
    let query = request.uri().query().unwrap_or("").to_owned();
    let mut response = html(&store, request, &path)
        .await
        .unwrap_or_else(AdminError::into_html);
    // A language chosen with `?lang=` is remembered, as on every page.
    if let Some(cookie) = chrome::remember_language(&query)
        && let Ok(v) = http::HeaderValue::from_str(&cookie)
    {
        response.headers_mut().append(http::header::SET_COOKIE, v);
    }
    response
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
    if let ["invite", token] = segs.as_slice() {
        let token = (*token).to_owned();
        return officials::invite_page(store, method, &token, request).await;
    }
    let headers = request.headers().clone();
    let query = request.uri().query().unwrap_or("").to_owned();
    let mut admin = admin(store, &headers).await?;
    // Romanian unless the administrator chose another language (`?lang=`,
    // remembered): a browser's own language does not switch the pages.
    admin.lang = web::query_param(&query, "lang")
        .and_then(|l| ghiseu_core::Lang::from_code(&l))
        .or_else(|| chrome::remembered(&headers))
        .unwrap_or_default();
    admin.flash = texts::Flash::from_query(&query);
    admin.path = path.to_owned();
    match (method, segs.as_slice()) {
        (Method::GET, [] | [""]) => Ok(secure_html(StatusCode::OK, pages::home(&admin.viewer()))),
        (Method::GET, ["document-types"]) => document_types::list_page(store, &admin).await,
        (Method::GET, ["document-types", "new"]) => document_types::new_page(store, &admin).await,
        (Method::POST, ["document-types"]) => {
            let form = read_form(request).await?;
            document_types::editor_form(store, &admin, None, &form).await
        }
        (Method::GET, ["document-types", code]) => {
            document_types::edit_page(store, &admin, code).await
        }
        (Method::POST, ["document-types", code]) => {
            let code = (*code).to_owned();
            let form = read_form(request).await?;
            document_types::editor_form(store, &admin, Some(&code), &form).await
        }
        (Method::POST, ["document-types", code, "deactivate"]) => {
            let code = (*code).to_owned();
            let form = read_form(request).await?;
            document_types::deactivate_form(store, &admin, &code, &form).await
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
            officials::invite_form(store, &admin, &form).await
        }
        (Method::POST, ["officials", username, "second-factor", "reset"]) => {
            let username = (*username).to_owned();
            let form = read_form(request).await?;
            second_factor::reset_form(&admin, &username, &form)
        }
        (Method::POST, ["second-factor"]) => {
            let form = read_form(request).await?;
            second_factor::require_form(&admin, &form)
        }
        (Method::POST, ["officials", username]) => {
            let username = (*username).to_owned();
            let form = read_form(request).await?;
            officials::update_form(store, &admin, &username, &form).await
        }
        (Method::GET, ["quotas"]) => quotas::page(store, &admin).await,
        (Method::GET, ["access"]) => access_log::page(store, &admin, &query).await,
        (Method::GET, ["archive"]) => archive::page(store, &admin, &query).await,
        (Method::GET, ["archive", "export.zip"]) => archive::export(store, &admin, &query).await,
        (Method::GET, ["retention"]) => retention::page(store, &admin, &query).await,
        (Method::POST, ["quotas"]) => {
            let form = read_form(request).await?;
            quotas::save_form(store, &admin, &form).await
        }
        (Method::GET, ["branding"]) => Ok(branding::page(&admin, &[])),
        (Method::POST, ["branding"]) => {
            let (parts, body) = web::read_request(request, MAX_BODY_BYTES).await?;
            branding::save_form(&admin, &parts.headers, &body).await
        }
        _ => Err(AdminError::NotFound("Pagina nu există.".to_owned())),
    }
}
