//! The citizens' portal (`/portal/...`): accounts, sign-in, my documents.
//!
//! This file is the router: a request's method and path to its handler, one
//! module a resource. Every handler gets the request's [`ctx::Ctx`]; texts
//! come from [`texts`].
//!
//! - `GET|POST /portal/register`: name, e-mail and/or phone, password; the
//!   contacts are proven by a code before the account is used.
//! - `GET|POST /portal/verify`: the code sent to a contact; signs in.
//! - `GET|POST /portal/login`: e-mail or phone and password.
//! - `GET|POST /portal/login/sms`, `POST /portal/login/sms/code`: phone and an
//!   SMS code, no password.
//! - `GET|POST /portal/reset`, `POST /portal/reset/confirm`: a new password
//!   after a code.
//! - `GET /portal/documents/{tenant}/{dossier}/access`: who opened the
//!   dossier ([`access`]).
//! - `GET /portal/documents/{tenant}/{dossier}/bundle.asice`: the dossier's
//!   archive container, sealed by the institution ([`bundle`]).
//! - `GET /portal`: my documents; `GET|POST /portal/claim`,
//!   `POST /portal/claim/confirm`: claim a dossier filed on paper with a code
//!   sent to the contact recorded on it.
//! - `POST /portal/logout`; `POST /portal/logout/everywhere`: every session
//!   of the account ends, this one included.
//! - `GET /portal/my-data`, `GET /portal/my-data.zip`,
//!   `POST /portal/my-data/close`: what the platform holds about the
//!   account, its download, and closing the account ([`my_data`]).
//! - `GET /portal/signature`, `POST /portal/signature/buy|enroll`,
//!   `GET /portal/payments/{order}`, `POST /api/v1/payments/webhook`: buying
//!   the qualified signature credential, see [`payment`];
//!   `POST|GET /portal/signature/identity`: the identification at the signing
//!   provider before it, see [`identity`].
//! - `GET|POST /portal/pay/{sha256}`: the fee of a waiting request, paid
//!   before it is signed or registered through the same checkout, return
//!   page and webhook; see [`fees`].
//! - `GET|POST /portal/sign/{sha256}`, `POST /portal/sign/{sha256}/confirm`:
//!   signing a waiting request with an OTP, then its registration;
//!   `GET /portal/sign/{sha256}/cerere.pdf`: the PDF that will be signed; see
//!   [`sign`].
//!
//! Codes follow DESIGN §9 (core's `citizen` module: CSPRNG, single use, 10
//! minutes, 5 attempts) and their sending is throttled per contact and per
//! client address. Answers never tell whether an account or a contact exists.
//! Anonymous forms carry a double-submit CSRF token, signed-in forms the
//! session's.

mod access;
mod accounts;
mod bundle;
mod checkout;
mod claim;
mod codes;
mod ctx;
mod fees;
mod form;
mod home;
mod identity;
mod my_data;
mod pages;
mod payment;
mod pending;
mod reply;
mod sign;
mod submit;
mod texts;
mod wording;

use ghiseu_core::Lang;
use ghiseu_platform::http::{
    self as web, Form, Request, Response, form_field as field, parse_form, see_other,
};
use ghiseu_platform::kv::Store;
use http::{Method, StatusCode};

use crate::codes::Step;
use crate::ctx::failed;
use ghiseu_platform::keys::STORE;

use crate::ctx::{Ctx, Res};

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    let now = ghiseu_platform::config::now();
    let store = match Store::open(STORE).await {
        Ok(s) => s,
        Err(e) => return web::Problem::from_error(&e).into_response(),
    };
    let method = request.method().clone();
    let path = request.uri().path().trim_end_matches('/').to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let headers = request.headers().clone();
    let mut ctx = match Ctx::new(store, headers, query, now).await {
        Ok(c) => c,
        Err(e) => return web::Problem::from_error(&e).into_response(),
    };
    // The payment provider's webhook: JSON, signed, no session.
    if path == "/api/v1/payments/webhook" {
        return match method {
            Method::POST => payment::webhook(&ctx, request).await,
            _ => Ok(web::method_not_allowed("POST")),
        }
        .unwrap_or_else(failed);
    }
    if let Some(upload) = upload_of(&path) {
        return handle_upload(&ctx, method, request, upload).await;
    }
    let form = if method == Method::POST {
        match web::read_request(request, 16 * 1024).await {
            Ok((_, body)) => parse_form(&body),
            Err(e) => return ctx.body_refused(e),
        }
    } else {
        Form::new()
    };
    // A form carries the language it was shown in (its action has no query).
    if let Some(l) = field(&form, "lang").and_then(Lang::from_code) {
        ctx.lang = l;
    }
    // The closing form checks its own token (a retry comes after the
    // account is closed).
    if method == Method::POST && path != my_data::CLOSE_PATH && !ctx.csrf_ok(field(&form, "csrf")) {
        return ctx.expired_form();
    }
    route(&ctx, method, &path, &form)
        .await
        .unwrap_or_else(failed)
}

/// The form resources: `method` and `path` to their handler.
async fn route(ctx: &Ctx, method: Method, path: &str, form: &Form) -> Res {
    match (method, path) {
        (Method::GET, "/portal") => home::home(ctx).await,
        (Method::GET, "/portal/new") if ctx.signed.is_some() => submit::catalogue(ctx).await,
        (Method::GET, "/portal/new") => Ok(see_other("/portal/login")),
        (Method::GET, "/portal/register") => Ok(accounts::register_page(
            ctx,
            StatusCode::OK,
            &[],
            &Form::new(),
        )),
        (Method::POST, "/portal/register") => accounts::register(ctx, form).await,
        (Method::GET, "/portal/verify") => Ok(codes::code_page(
            ctx,
            Step::Verify,
            StatusCode::OK,
            &[],
            web::query_param(&ctx.query, "contact").as_deref(),
            false,
        )),
        (Method::POST, "/portal/verify") => accounts::verify(ctx, form).await,
        (Method::GET, "/portal/login") => Ok(accounts::login_page(ctx, StatusCode::OK, &[], "")),
        (Method::POST, "/portal/login") => accounts::login(ctx, form).await,
        (Method::GET, "/portal/login/sms") => Ok(codes::contact_page(
            ctx,
            Step::SignIn,
            StatusCode::OK,
            &[],
            "",
        )),
        (Method::POST, "/portal/login/sms") => codes::request_code(ctx, form, Step::SignIn).await,
        (Method::POST, "/portal/login/sms/code") => accounts::sms_login(ctx, form).await,
        (Method::GET, "/portal/reset") => Ok(codes::contact_page(
            ctx,
            Step::Reset,
            StatusCode::OK,
            &[],
            "",
        )),
        (Method::POST, "/portal/reset") => codes::request_code(ctx, form, Step::Reset).await,
        (Method::POST, "/portal/reset/confirm") => accounts::reset(ctx, form).await,
        (Method::GET, "/portal/claim") if ctx.signed.is_some() => {
            claim::claim_form(ctx, StatusCode::OK, &[], &Form::new(), false).await
        }
        (Method::GET, "/portal/claim") => Ok(see_other("/portal/login")),
        (Method::POST, "/portal/claim") => claim::claim(ctx, form).await,
        (Method::POST, "/portal/claim/confirm") => claim::claim_confirm(ctx, form).await,
        (Method::POST, "/portal/logout") => accounts::logout(ctx).await,
        (Method::POST, "/portal/logout/everywhere") => accounts::logout_everywhere(ctx).await,
        (Method::GET, "/portal/my-data") => my_data::page(ctx).await,
        (Method::GET, "/portal/my-data.zip") => my_data::download(ctx).await,
        (Method::POST, my_data::CLOSE_PATH) => my_data::close(ctx, form).await,
        (Method::GET, "/portal/signature") => payment::page(ctx, StatusCode::OK, None).await,
        (Method::POST, "/portal/signature/buy") => payment::buy(ctx).await,
        (Method::POST, "/portal/signature/enroll") => payment::retry(ctx).await,
        (Method::POST, identity::RETURN_PATH) => payment::identify(ctx).await,
        (Method::GET, identity::RETURN_PATH) => payment::identified(ctx).await,
        (method, p) if p.starts_with("/portal/sign/") => {
            let rest = &p["/portal/sign/".len()..];
            if let Some(sha) = rest.strip_suffix("/cerere.pdf") {
                return match method {
                    Method::GET => sign::cerere(ctx, sha).await,
                    _ => Ok(web::method_not_allowed("GET")),
                };
            }
            match (method, rest.strip_suffix("/confirm")) {
                (Method::POST, Some(sha)) => sign::confirm(ctx, sha, form).await,
                (Method::GET, None) => sign::show(ctx, rest).await,
                (Method::POST, None) => sign::start(ctx, rest).await,
                _ => Ok(web::method_not_allowed("GET, POST")),
            }
        }
        (method, p) if let Some(sha) = p.strip_prefix("/portal/pay/") => match method {
            Method::GET => fees::show(ctx, sha).await,
            Method::POST => fees::pay(ctx, sha).await,
            _ => Ok(web::method_not_allowed("GET, POST")),
        },
        (Method::GET, p) if p.starts_with("/portal/payments/") => {
            payment::returned(ctx, &p["/portal/payments/".len()..]).await
        }
        (Method::GET, p)
            if let Some(rest) = p.strip_prefix("/portal/documents/")
                && let Some((slug, tail)) = rest.split_once('/') =>
        {
            document_resource(ctx, slug, tail).await
        }
        (_, p) if KNOWN.contains(&p) => Ok(web::method_not_allowed("GET, POST")),
        _ => Ok(web::problem(StatusCode::NOT_FOUND, "No such page.")),
    }
}

/// `GET /portal/documents/{tenant}/{tail}`: what one of the citizen's own
/// dossiers offers (`tail` is `{id}/issued.pdf`, `{id}/access` or
/// `{id}/bundle.asice`).
async fn document_resource(ctx: &Ctx, slug: &str, tail: &str) -> Res {
    if let Some(id) = tail.strip_suffix("/issued.pdf") {
        home::issued_document(ctx, slug, id).await
    } else if let Some(id) = tail.strip_suffix("/access") {
        access::page(ctx, slug, id).await
    } else if let Some(id) = tail.strip_suffix("/bundle.asice") {
        bundle::get(ctx, slug, id).await
    } else {
        Ok(web::problem(StatusCode::NOT_FOUND, "No such page."))
    }
}

/// The multipart resources.
#[derive(Clone, Copy)]
enum Upload {
    Reply,
    Submission,
}

/// The multipart resource `path` names: what it is, the tenant's slug, and
/// the dossier's id (a reply) or the document type's code (a submission).
fn upload_of(path: &str) -> Option<(Upload, String, String)> {
    if let Some(rest) = path.strip_prefix("/portal/documents/")
        && let Some((slug, tail)) = rest.split_once('/')
        && let Some(id) = tail.strip_suffix("/reply")
    {
        Some((Upload::Reply, slug.to_owned(), id.to_owned()))
    } else if let Some(rest) = path.strip_prefix("/portal/new/")
        && let Some((slug, code)) = rest.split_once('/')
    {
        Some((Upload::Submission, slug.to_owned(), code.to_owned()))
    } else {
        None
    }
}

/// `GET` shows the form of a multipart resource, `POST` takes it.
async fn handle_upload(
    ctx: &Ctx,
    method: Method,
    request: Request,
    (kind, slug, item): (Upload, String, String),
) -> Response {
    if ctx.signed.is_none() {
        // A service's form, opened before signing in: the citizen comes back
        // to it once signed in (or signed up and confirmed).
        let path = format!("/portal/new/{slug}/{item}");
        return match (method, kind) {
            (Method::GET, Upload::Submission) => ctx::come_back_to(
                see_other(&format!("/portal/login?lang={}", ctx.lang.code())),
                &path,
            ),
            _ => see_other("/portal/login"),
        };
    }
    let result = match method {
        Method::GET => match kind {
            Upload::Reply => reply::form(ctx, &slug, &item, &[]).await,
            Upload::Submission => submit::form(ctx, &slug, &item).await,
        },
        Method::POST => {
            // Read as it arrives; the CSRF token, first in every form, is
            // checked before any file is read.
            let (parts, body) = request.into_parts();
            let limit = submit::MAX_SUBMISSION_BYTES;
            let max_parts = match kind {
                Upload::Reply => 32,
                Upload::Submission => 64,
            };
            let csrf = |token: &str| ctx.csrf_ok(Some(token));
            match web::read_multipart(&parts.headers, body, limit, max_parts, "csrf", csrf).await {
                Ok(Some(form)) => match kind {
                    Upload::Reply => reply::submit(ctx, &slug, &item, form).await,
                    Upload::Submission => submit::submit(ctx, &slug, &item, form).await,
                },
                Ok(None) => Ok(web::problem(
                    StatusCode::FORBIDDEN,
                    "The form expired: reload the page.",
                )),
                Err(e) => return ctx.body_refused(e),
            }
        }
        _ => Ok(web::method_not_allowed("GET, POST")),
    };
    result.unwrap_or_else(failed)
}

/// The paths of the form resources, for a 405 on another method.
const KNOWN: [&str; 19] = [
    identity::RETURN_PATH,
    my_data::CLOSE_PATH,
    "/portal/my-data",
    "/portal/my-data.zip",
    "/portal/signature",
    "/portal/signature/buy",
    "/portal/signature/enroll",
    "/portal/new",
    "/portal",
    "/portal/register",
    "/portal/verify",
    "/portal/login",
    "/portal/login/sms",
    "/portal/login/sms/code",
    "/portal/reset",
    "/portal/reset/confirm",
    "/portal/claim",
    "/portal/logout",
    "/portal/logout/everywhere",
];
