//! The front door, the first page a citizen meets (`cargo xtask up` prints
//! its address first):
//!
//! - `GET /`: what the service is, "follow a document" (by the QR code, or
//!   by the registration number and the short code printed on the receipt),
//!   signing in (citizens, officials), and every institution on the platform.
//! - `GET /institutions/{slug}`: one institution: its contact and opening
//!   hours, and its services (active document types) with fee, deadline,
//!   signature and what to bring, each with a link to submit it online.
//! - `GET /accessibility`: the accessibility statement (OUG 112/2018).
//! - `GET /privacy`: the privacy notice (GDPR art. 13).
//!
//! Every page exists in Romanian, Hungarian and English; a `?lang=` choice
//! is remembered in a cookie ([`ghiseu_platform::chrome::LANG_COOKIE`]) that
//! the portal and the tracking pages read too. The pages are read-only.

mod catalogue;
mod pages;
mod statements;

use ghiseu_core::TenantSlug;
use ghiseu_platform::chrome;
use ghiseu_platform::http::{self as web, Request, Response};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::kv::Store;
use http::{Method, StatusCode};

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return web::method_not_allowed("GET, HEAD");
    }
    let query = request.uri().query().unwrap_or_default();
    let lang = chrome::language(query, request.headers(), None);
    let path = request.uri().path().trim_end_matches('/');
    let store = match Store::open(STORE).await {
        Ok(s) => s,
        Err(e) => return web::Problem::from_error(&e).into_response(),
    };
    let (status, html) = match path {
        "" => match catalogue::institutions(&store).await {
            Ok(list) => (StatusCode::OK, pages::front_door(lang, &list)),
            Err(e) => return web::Problem::from_error(&e).into_response(),
        },
        "/accessibility" => (StatusCode::OK, statements::accessibility(lang)),
        "/privacy" => (StatusCode::OK, statements::privacy(lang)),
        p => match p.strip_prefix("/institutions/").map(TenantSlug::parse) {
            Some(Ok(slug)) => match catalogue::institution(&store, &slug).await {
                Ok(Some(found)) => (StatusCode::OK, pages::institution(lang, &found)),
                Ok(None) => (StatusCode::NOT_FOUND, pages::not_found(lang, path)),
                Err(e) => return web::Problem::from_error(&e).into_response(),
            },
            _ => (StatusCode::NOT_FOUND, pages::not_found(lang, path)),
        },
    };
    let mut response = web::html_page(status, html, web::PAGE_CSP, "no-cache");
    if let Some(cookie) = chrome::remember_language(query) {
        web::set_cookie(&mut response, &cookie);
    }
    response
}
