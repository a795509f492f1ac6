//! The officials' desk and the platform admin API.
//!
//! - `GET|POST /desk/login`, `POST /desk/logout`: sign-in with argon2id
//!   passwords, sessions in the key-value store, throttled failures.
//! - `GET /desk`: the inboxes (mine, department, to sign, all open, registry)
//!   with filters, sorted by deadline.
//! - `GET|POST /desk/intake`: registry intake of paper (multipart).
//! - `GET /desk/dossiers/{id}`, `POST /desk/dossiers/{id}/actions`,
//!   `POST /desk/dossiers/{id}/response`, `GET /desk/dossiers/{id}/files/{sha256}`, and the
//!   printable receipt `GET /desk/dossiers/{id}/receipt[?format=a6]`.
//! - `GET /desk/sign`, `POST /desk/sign/batches`, `GET|POST
//!   /desk/sign/batches/{id}[.json]`, `POST /desk/sign/batches/{id}/code`: the
//!   signer's queue and batches ([`signing`]).
//! - `POST /api/v1/signing/callback`: the signing service's asynchronous
//!   results (HMAC-signed; see [`signing::callback`]).
//! - `POST /api/v1/platform/seed`: loads a seed document (bearer
//!   `platform_admin_token`).
//!
//! Handlers parse the request into typed values, call [`service`] (which calls
//! core through the platform repositories) and render with [`pages`].

pub(crate) use ghiseu_platform::http::{
    client_address as client, cookie, header_str, request_origin as origin, secure_html,
    see_other as redirect,
};

mod actions;
mod admin;
mod forms;
mod letter;
mod pages;
mod service;
mod signing;

use chrono::Utc;
use ghiseu_core::{Actor, DossierId, TenantSlug, Username};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo::{self, STORE};
use ghiseu_platform::session::{self, Session};
use http::{HeaderMap, Method};

use crate::service::{DeskError, IntoHtml};

/// The session cookie.
const SESSION_COOKIE: &str = "ghiseu_desk";
/// The double-submit cookie of the sign-in form.
const LOGIN_CSRF_COOKIE: &str = "ghiseu_login_csrf";
/// Largest accepted form (several scanned pages).
const MAX_FORM_BYTES: usize = 42 * 1024 * 1024;

/// A signed-in official on this request.
pub(crate) struct Signed {
    pub session: Session,
    pub actor: Actor,
    pub tenant: ghiseu_core::Tenant,
    pub display_name: String,
}

/// The signed-in official of this request, if the session is live and the
/// official still active.
async fn signed_in(store: &Store, headers: &HeaderMap) -> Result<Option<Signed>, DeskError> {
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = session::load(store, id, Utc::now()).await? else {
        return Ok(None);
    };
    let (Ok(slug), Ok(username)) = (
        TenantSlug::parse(&session.tenant),
        Username::parse(&session.username),
    ) else {
        return Ok(None);
    };
    let scope = TenantScope::new(&slug);
    let (Some(tenant), Some(official)) = (
        repo::get_tenant(store, &slug).await?,
        repo::official(store, &scope, &username).await?,
    ) else {
        return Ok(None);
    };
    let Some(actor) = official.actor() else {
        return Ok(None);
    };
    if !tenant.active {
        return Ok(None);
    }
    Ok(Some(Signed {
        session,
        actor,
        tenant,
        display_name: official.display_name.to_string(),
    }))
}

/// Whether the form's CSRF token is this session's.
pub(crate) fn csrf_ok(signed: &Signed, form: Option<&str>) -> bool {
    form.is_some_and(|f| session::constant_time_eq(f.as_bytes(), signed.session.csrf.as_bytes()))
}

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let store = match Store::open(STORE).await {
        Ok(s) => s,
        Err(e) => return DeskError::from(e).into_html(),
    };
    if path == "/api/v1/platform/seed" || path.starts_with("/api/v1/platform/") {
        return admin::handle(&store, request, &path).await;
    }
    if path == "/api/v1/signing/callback" {
        if method != Method::POST {
            return web::method_not_allowed("POST");
        }
        return match web::read_request(request, 4 * 1024 * 1024).await {
            Ok((parts, body)) => signing::callback(&store, &parts.headers, &body).await,
            Err(e) => web::Problem::from_error(&e).into_response(),
        };
    }
    let headers = request.headers().clone();
    let result: Result<Response, DeskError> = async {
        match (method.clone(), path.as_str()) {
            (Method::GET, "/desk/desk.css") => Ok(pages::stylesheet()),
            (Method::GET, "/desk/sign.js") => Ok(web::static_asset(
                "text/javascript; charset=utf-8",
                include_str!("sign.js"),
            )),
            (Method::GET, "/desk/login") => forms::login_page(&store).await,
            (Method::POST, "/desk/login") => {
                let (parts, body) = web::read_request(request, 64 * 1024).await?;
                forms::login(&store, &parts.headers, &body).await
            }
            _ => {
                let Some(signed) = signed_in(&store, &headers).await? else {
                    return Ok(redirect("/desk/login"));
                };
                route_signed(&store, signed, method, &path, &query, request).await
            }
        }
    }
    .await;
    result.unwrap_or_else(IntoHtml::into_html)
}

async fn route_signed(
    store: &Store,
    signed: Signed,
    method: Method,
    path: &str,
    query: &str,
    request: Request,
) -> Result<Response, DeskError> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(2).collect();
    match (method, segments.as_slice()) {
        (Method::GET, [] | [""]) => forms::inbox(store, &signed, query).await,
        (Method::POST, ["logout"]) => {
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            forms::logout(store, &signed, &body).await
        }
        (Method::GET, ["intake"]) => forms::intake_page(store, &signed, query).await,
        (Method::POST, ["intake"]) => {
            let (parts, body) = web::read_request(request, MAX_FORM_BYTES).await?;
            forms::intake(store, &signed, &parts.headers, &body).await
        }
        (Method::GET, ["dossiers", id]) => {
            forms::dossier_page(store, &signed, parse_id(id)?, None).await
        }
        (Method::GET, ["dossiers", id, "receipt"]) => {
            let origin = origin(request.headers());
            forms::receipt(
                store,
                &signed,
                parse_id(id)?,
                query.contains("format=a6"),
                &origin,
            )
            .await
        }
        (Method::POST, ["dossiers", id, "actions"]) => {
            let id = parse_id(id)?;
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            actions::action(store, &signed, id, &body).await
        }
        (Method::POST, ["dossiers", id, "response"]) => {
            let id = parse_id(id)?;
            let (parts, body) = web::read_request(request, MAX_FORM_BYTES).await?;
            actions::response(store, &signed, id, &parts.headers, &body).await
        }
        (Method::GET, ["sign"]) => signing::queue(store, &signed, query).await,
        (Method::POST, ["sign", "batches"]) => {
            let origin = origin(request.headers());
            let (_, body) = web::read_request(request, 256 * 1024).await?;
            signing::create(store, &signed, &origin, &body).await
        }
        (Method::GET, ["sign", "batches", id]) => match id.strip_suffix(".json") {
            Some(id) => signing::show(store, &signed, id, true).await,
            None => signing::show(store, &signed, id, false).await,
        },
        (Method::POST, ["sign", "batches", id]) => {
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            signing::sign(store, &signed, id, &body).await
        }
        (Method::POST, ["sign", "batches", id, "code"]) => {
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            signing::resend(store, &signed, id, &body).await
        }
        (Method::GET, ["dossiers", id, "files", sha]) => {
            actions::file(store, &signed, parse_id(id)?, sha).await
        }
        _ => Err(DeskError::NotFound),
    }
}

fn parse_id(raw: &str) -> Result<DossierId, DeskError> {
    DossierId::parse(raw).map_err(|_| DeskError::NotFound)
}
