//! The officials' desk.
//!
//! - `GET|POST /desk/login`, `POST /desk/logout`, `POST /desk/logout/everywhere`
//!   (every session of the official ends): [`session`].
//! - `GET|POST /desk/login/code`, `GET|POST /desk/login/enrol` (the second
//!   factor after the password), `GET /desk/account`,
//!   `POST /desk/account/second-factor[/disable]`: [`second_factor`].
//! - `GET /desk`: the inboxes with filters, sorted by deadline, and the
//!   registry's numbers without a dossier; `POST /desk/registry/annul`
//!   records one as annulled ([`inbox`]).
//! - `GET|POST /desk/intake`: registry intake of paper in two steps ([`intake`]).
//! - `GET /desk/dossiers/{id}`, `POST /desk/dossiers/{id}/actions`,
//!   `POST /desk/dossiers/{id}/response`, `GET /desk/dossiers/{id}/files/{sha256}`, and the
//!   ([`dossier`]); the receipt after intake `GET /desk/dossiers/{id}/receipt` and
//!   its PDFs `GET /desk/dossiers/{id}/receipt.pdf?size=a6|a4` ([`receipt`]);
//!   the dossier's sealed archive container `GET /desk/dossiers/{id}/bundle.asice`
//!   ([`bundle`]).
//! - `GET /desk/sign`, `POST /desk/sign/batches`, `GET|POST
//!   /desk/sign/batches/{id}[.json]`, `GET /desk/sign/batches/{id}/documents/{n}`,
//!   `POST /desk/sign/batches/{id}/code`: the signer's queue and batches
//!   ([`signing`]).
//! - `POST /api/v1/signing/callback`: the signing service's asynchronous
//!   results (HMAC-signed; see [`signing::callback`]).
//!
//! This file is the router. Handlers parse the request into typed values,
//! call the use cases (`ghiseu_app`, `ghiseu_platform::dossiers`), render with
//! [`pages`] and answer errors through [`error`].

mod access;
mod batch_view;
mod bundle;
mod dossier;
mod error;
mod inbox;
mod inline_file;
mod intake;
mod pages;
mod pending;
mod receipt;
mod second_factor;
mod session;
mod signing;

use ghiseu_core::DossierId;
use ghiseu_platform::http::{self as web, Request, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::kv::Store;
use http::Method;

use crate::error::{DeskError, IntoHtml};

/// Largest accepted form (several scanned pages).
const MAX_FORM_BYTES: usize = 42 * 1024 * 1024;

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let store = match Store::open(STORE).await {
        Ok(s) => s,
        Err(e) => return DeskError::from(e).into_html(),
    };
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
            (Method::GET, "/desk/login") => session::login_page(&store).await,
            (Method::POST, "/desk/login") => {
                let (parts, body) = web::read_request(request, 64 * 1024).await?;
                session::login(&store, &parts.headers, &body).await
            }
            (Method::GET, "/desk/login/code") => {
                second_factor::code_page(&store, &headers, &query).await
            }
            (Method::POST, "/desk/login/code") => {
                let (_, body) = web::read_request(request, 64 * 1024).await?;
                second_factor::code(&store, &headers, &query, &body).await
            }
            (Method::GET, "/desk/login/enrol") => {
                second_factor::enrol_page(&store, &headers, &query).await
            }
            (Method::POST, "/desk/login/enrol") => {
                let (_, body) = web::read_request(request, 64 * 1024).await?;
                second_factor::enrol(&store, &headers, &query, &body).await
            }
            _ => {
                let Some(signed) = session::signed_in(&store, &headers).await? else {
                    return Ok(web::see_other("/desk/login"));
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
    signed: session::Signed,
    method: Method,
    path: &str,
    query: &str,
    request: Request,
) -> Result<Response, DeskError> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(2).collect();
    match (method, segments.as_slice()) {
        (Method::GET, [] | [""]) => inbox::inbox(store, &signed, query).await,
        (Method::POST, ["logout"]) => {
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            session::logout(store, &signed, &body).await
        }
        (Method::POST, ["logout", "everywhere"]) => {
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            session::logout_everywhere(store, &signed, &body).await
        }
        (Method::GET, ["account"]) => {
            let lang = second_factor::lang(query, request.headers());
            second_factor::account(store, &signed, lang, query).await
        }
        (Method::POST, ["account", "second-factor", rest @ ..]) => {
            let lang = second_factor::lang(query, request.headers());
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            match rest {
                [] => second_factor::enable(store, &signed, lang, &body).await,
                ["disable"] => second_factor::disable(store, &signed, lang, &body).await,
                _ => Err(DeskError::NotFound),
            }
        }
        (Method::POST, ["registry", "annul"]) => {
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            inbox::annul(store, &signed, &body).await
        }
        (Method::GET, ["intake"]) => intake::intake_page(store, &signed, query, &request).await,
        (Method::POST, ["intake"]) => intake::post(store, &signed, query, request).await,
        (Method::GET, ["dossiers", id]) => {
            let lang = dossier::lang(query, request.headers());
            dossier::dossier_page(store, &signed, parse_id(id)?, None, lang).await
        }
        (Method::GET, ["dossiers", id, file @ ("receipt" | "receipt.pdf")]) => {
            receipt::get(store, &signed, id, file, &request).await
        }
        (Method::POST, ["dossiers", id, "actions"]) => {
            let id = parse_id(id)?;
            let lang = dossier::lang(query, request.headers());
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            dossier::action(store, &signed, id, &body, lang).await
        }
        (Method::POST, ["dossiers", id, "response"]) => {
            let id = parse_id(id)?;
            let lang = dossier::lang(query, request.headers());
            let (parts, body) = request.into_parts();
            let form = intake::read_form(&signed, &parts.headers, body, MAX_FORM_BYTES, 8).await?;
            dossier::response(store, &signed, id, form, lang).await
        }
        (Method::GET, ["dossiers", id, "bundle.asice"]) => {
            bundle::get(store, &signed, parse_id(id)?).await
        }
        (Method::GET, ["dossiers", id, "files", sha]) => {
            dossier::file(store, &signed, parse_id(id)?, sha).await
        }
        (Method::GET, ["sign"]) => {
            let lang = second_factor::lang(query, request.headers());
            signing::queue(store, &signed, lang, query).await
        }
        (Method::POST, ["sign", "batches"]) => {
            // The verification link printed in the signed acts is the
            // institution's configured public address, never the request's
            // Host (which anyone can forge).
            let origin = signed.tenant.public_base_url.as_str().to_owned();
            let lang = second_factor::lang(query, request.headers());
            let (_, body) = web::read_request(request, 256 * 1024).await?;
            signing::create(store, &signed, lang, &origin, &body).await
        }
        (Method::GET, ["sign", "batches", id]) => {
            let lang = second_factor::lang(query, request.headers());
            match id.strip_suffix(".json") {
                Some(id) => signing::show(store, &signed, lang, id, true).await,
                None => signing::show(store, &signed, lang, id, false).await,
            }
        }
        (Method::GET, ["sign", "batches", id, "documents", n]) => {
            signing::document(store, &signed, id, n).await
        }
        (Method::POST, ["sign", "batches", id]) => {
            let lang = second_factor::lang(query, request.headers());
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            signing::sign(store, &signed, lang, id, &body).await
        }
        (Method::POST, ["sign", "batches", id, "code"]) => {
            let lang = second_factor::lang(query, request.headers());
            let (_, body) = web::read_request(request, 64 * 1024).await?;
            signing::resend(store, &signed, lang, id, &body).await
        }
        _ => Err(DeskError::NotFound),
    }
}

fn parse_id(raw: &str) -> Result<DossierId, DeskError> {
    DossierId::parse(raw).map_err(|_| DeskError::NotFound)
}
