//! The official's second factor (TOTP): after a right password, a pending
//! sign-in (not a session, started by [`crate::pending`]) asks for the
//! code, or leads an official the tenant requires it of to enrol (`GET|POST /desk/login/code`,
//! `GET|POST /desk/login/enrol`); the account page enables it with a QR
//! code and a confirming code and disables it with a current one
//! (`GET /desk/account`, `POST /desk/account/second-factor`,
//! `POST /desk/account/second-factor/disable`). The language is `?lang=`,
//! then the `lang` cookie, then `Accept-Language`.

use chrono::{DateTime, Utc};
use ghiseu_app::second_factor::{self as app, Checked, Enabled, Holder};
use ghiseu_core::second_factor::applies_to;
use ghiseu_core::{Lang, Official, Sha256Digest, TenantSlug, Username};
use ghiseu_platform::chrome;
use ghiseu_platform::http::{
    Form, Response, cookie, form_field as field, parse_form, secure_html, see_other as redirect,
    set_cookie,
};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::second_factor::{self as sf, Pending};
use http::{HeaderMap, StatusCode};

use crate::error::{DeskError, refuse_csrf};
use crate::pages::{self, Refusal};
use crate::pending::{PENDING_COOKIE, removed_pending};
use crate::session::{Signed, csrf_ok, open_session};

/// The language of a second-factor page.
pub fn lang(query: &str, headers: &HeaderMap) -> Lang {
    chrome::language(query, headers, None)
}

/// `r`, remembering a language chosen with `?lang=` (the forms post
/// without it).
fn remembering(query: &str, mut r: Response) -> Response {
    if let Some(c) = chrome::remember_language(query) {
        set_cookie(&mut r, &c);
    }
    r
}

fn now() -> DateTime<Utc> {
    ghiseu_platform::config::now()
}

/// A live pending sign-in of this request, with its official (still
/// active, tenant active).
struct Step {
    pending: Pending,
    official: Official,
    scope: TenantScope,
    /// The institution's name: the issuer in the authenticator app.
    issuer: String,
    /// The CSRF token of its forms: derived from its id, which only its
    /// cookie carries.
    csrf: String,
}

impl Step {
    fn holder(&self) -> Holder<'_> {
        Holder {
            tenant: self.official.tenant.as_str(),
            scope: &self.scope,
            username: &self.official.username,
        }
    }
}

/// The live pending sign-in of this request, if any.
async fn pending(store: &Store, headers: &HeaderMap) -> Result<Option<Step>, DeskError> {
    let Some(id) = cookie(headers, PENDING_COOKIE) else {
        return Ok(None);
    };
    let Some(p) = sf::pending(store, id, now()).await? else {
        return Ok(None);
    };
    let (Ok(slug), Ok(user)) = (TenantSlug::parse(&p.tenant), Username::parse(&p.username)) else {
        return Ok(None);
    };
    let scope = TenantScope::new(&slug);
    let (Some(tenant), Some(official)) = (
        repo::get_tenant(store, &slug).await?,
        repo::official(store, &scope, &user).await?,
    ) else {
        return Ok(None);
    };
    if !tenant.active || official.actor().is_none() {
        return Ok(None);
    }
    let csrf = Sha256Digest::of(format!("csrf:{}", p.id).as_bytes()).to_hex();
    Ok(Some(Step {
        pending: p,
        official,
        scope,
        issuer: tenant.name.to_string(),
        csrf,
    }))
}

/// The live pending sign-in of a posted form, with the form, once its CSRF
/// token is checked.
async fn posted(
    store: &Store,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<(Step, Form)>, DeskError> {
    let Some(step) = pending(store, headers).await? else {
        return Ok(None);
    };
    let form = parse_form(body);
    let given = field(&form, "csrf").unwrap_or("");
    if !ghiseu_platform::session::constant_time_eq(given.as_bytes(), step.csrf.as_bytes()) {
        return Err(refuse_csrf());
    }
    Ok(Some((step, form)))
}

fn status_of(refused: Refusal) -> StatusCode {
    match refused {
        Refusal::Wrong => StatusCode::UNAUTHORIZED,
        Refusal::TooMany => StatusCode::TOO_MANY_REQUESTS,
        Refusal::Required => StatusCode::FORBIDDEN,
    }
}

/// `GET /desk/login/code`.
pub async fn code_page(
    store: &Store,
    headers: &HeaderMap,
    query: &str,
) -> Result<Response, DeskError> {
    let Some(step) = pending(store, headers).await? else {
        return Ok(redirect("/desk/login"));
    };
    if step.pending.enrol {
        return Ok(redirect("/desk/login/enrol"));
    }
    let html = pages::ask_code(lang(query, headers), &step.csrf, None);
    Ok(remembering(query, secure_html(StatusCode::OK, html)))
}

/// `POST /desk/login/code`: a right code (or recovery code) ends the
/// pending sign-in and starts the session.
pub async fn code(
    store: &Store,
    headers: &HeaderMap,
    query: &str,
    body: &[u8],
) -> Result<Response, DeskError> {
    let Some((step, form)) = posted(store, headers, body).await? else {
        return Ok(redirect("/desk/login"));
    };
    let (p, official) = (&step.pending, &step.official);
    let Some(enrolment) = sf::enabled(store, &step.scope, &official.username).await? else {
        // Reset meanwhile: sign in again.
        sf::end_pending(store, &p.id).await?;
        return Ok(redirect("/desk/login"));
    };
    let holder = step.holder();
    let now = now();
    let refused = match app::check(&holder, &enrolment, field(&form, "code").unwrap_or(""), now)? {
        Checked::Accepted => return signed_in(store, &step, redirect("/desk"), now).await,
        Checked::Wrong => Refusal::Wrong,
        Checked::TooMany => Refusal::TooMany,
    };
    let html = pages::ask_code(lang(query, headers), &step.csrf, Some(refused));
    Ok(secure_html(status_of(refused), html))
}

/// The pending sign-in of `step` ends and the official's session starts,
/// with `response` (which forgets the pending sign-in's cookie).
async fn signed_in(
    store: &Store,
    step: &Step,
    mut response: Response,
    now: DateTime<Utc>,
) -> Result<Response, DeskError> {
    sf::end_pending(store, &step.pending.id).await?;
    removed_pending(&mut response);
    open_session(
        store,
        step.official.tenant.as_str(),
        step.official.username.as_str(),
        now,
        response,
    )
    .await
}

/// A fresh secret and its QR code for `official` of the institution `issuer`.
fn fresh(issuer: &str, official: &Official) -> Result<(String, String), DeskError> {
    let secret = sf::new_secret()?;
    let qr = qr_svg(&secret, issuer, official)?;
    Ok((secret, qr))
}

fn qr_svg(secret: &str, issuer: &str, official: &Official) -> Result<String, DeskError> {
    let uri = sf::otpauth_uri(secret, issuer, official.username.as_str())?;
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| DeskError::NotAllowed(format!("QR: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .build())
}

/// `GET /desk/login/enrol`: an official the tenant requires it of enrols
/// before any session.
pub async fn enrol_page(
    store: &Store,
    headers: &HeaderMap,
    query: &str,
) -> Result<Response, DeskError> {
    let Some(step) = pending(store, headers).await? else {
        return Ok(redirect("/desk/login"));
    };
    let (secret, qr) = fresh(&step.issuer, &step.official)?;
    let page = pages::Enrol {
        lang: lang(query, headers),
        viewer: None,
        action: "/desk/login/enrol",
        csrf: &step.csrf,
        secret: &secret,
        qr_svg: &qr,
        refused: None,
        required: true,
    };
    Ok(remembering(
        query,
        secure_html(StatusCode::OK, pages::enrol(&page)),
    ))
}

/// `POST /desk/login/enrol`: the confirming code enables the second factor,
/// shows the recovery codes once and starts the session.
pub async fn enrol(
    store: &Store,
    headers: &HeaderMap,
    query: &str,
    body: &[u8],
) -> Result<Response, DeskError> {
    let Some((step, form)) = posted(store, headers, body).await? else {
        return Ok(redirect("/desk/login"));
    };
    let (p, official, issuer) = (&step.pending, &step.official, &step.issuer);
    let holder = step.holder();
    let secret = field(&form, "secret").unwrap_or("");
    let now = now();
    let lang = lang(query, headers);
    let refused = match app::enable(&holder, secret, field(&form, "code").unwrap_or(""), now)? {
        Enabled::Done(codes) => {
            let page = secure_html(StatusCode::OK, pages::recovery_codes(lang, None, &codes));
            return signed_in(store, &step, page, now).await;
        }
        Enabled::AlreadyEnabled => {
            // Enabled meanwhile (another tab): sign in again, with a code.
            sf::end_pending(store, &p.id).await?;
            return Ok(redirect("/desk/login"));
        }
        Enabled::Wrong => Refusal::Wrong,
        Enabled::TooMany => Refusal::TooMany,
    };
    let (secret, qr) = if sf::valid_secret(secret) {
        (secret.to_owned(), qr_svg(secret, issuer, official)?)
    } else {
        fresh(issuer, official)?
    };
    let page = pages::Enrol {
        lang,
        viewer: None,
        action: "/desk/login/enrol",
        csrf: &step.csrf,
        secret: &secret,
        qr_svg: &qr,
        refused: Some(refused),
        required: true,
    };
    Ok(secure_html(status_of(refused), pages::enrol(&page)))
}

fn holder<'a>(signed: &'a Signed, scope: &'a TenantScope) -> Holder<'a> {
    Holder {
        tenant: signed.actor.tenant.as_str(),
        scope,
        username: &signed.actor.username,
    }
}

async fn official_of(
    store: &Store,
    signed: &Signed,
    scope: &TenantScope,
) -> Result<Official, DeskError> {
    repo::official(store, scope, &signed.actor.username)
        .await?
        .ok_or(DeskError::NotFound)
}

/// The account page: enrolment (a fresh secret) when off, else since when
/// it is on and the form that turns it off.
async fn account_with(
    store: &Store,
    signed: &Signed,
    lang: Lang,
    refused: Option<Refusal>,
    typed_secret: Option<&str>,
) -> Result<Response, DeskError> {
    let scope = TenantScope::new(&signed.tenant.slug);
    let status = refused.map_or(StatusCode::OK, status_of);
    if let Some(e) = sf::enabled(store, &scope, &signed.actor.username).await? {
        let html = pages::enabled(lang, signed.viewer(), e.enabled_at, refused);
        return Ok(secure_html(status, html));
    }
    let official = official_of(store, signed, &scope).await?;
    let issuer = signed.tenant.name.as_str();
    let (secret, qr) = match typed_secret.filter(|s| sf::valid_secret(s)) {
        Some(s) => (s.to_owned(), qr_svg(s, issuer, &official)?),
        None => fresh(issuer, &official)?,
    };
    let page = pages::Enrol {
        lang,
        viewer: Some(signed.viewer()),
        action: "/desk/account/second-factor",
        csrf: &signed.session.csrf,
        secret: &secret,
        qr_svg: &qr,
        refused,
        required: false,
    };
    Ok(secure_html(status, pages::enrol(&page)))
}

/// The account's posted form, once its CSRF token is checked, and the
/// official's tenant keys.
fn signed_form(signed: &Signed, body: &[u8]) -> Result<(Form, TenantScope), DeskError> {
    let form = parse_form(body);
    if !csrf_ok(signed, field(&form, "csrf")) {
        return Err(refuse_csrf());
    }
    Ok((form, TenantScope::new(&signed.tenant.slug)))
}

/// `GET /desk/account`.
pub async fn account(
    store: &Store,
    signed: &Signed,
    lang: Lang,
    query: &str,
) -> Result<Response, DeskError> {
    Ok(remembering(
        query,
        account_with(store, signed, lang, None, None).await?,
    ))
}

/// `POST /desk/account/second-factor`: enables it with a current code of
/// the new secret; the recovery codes are shown once.
pub async fn enable(
    store: &Store,
    signed: &Signed,
    lang: Lang,
    body: &[u8],
) -> Result<Response, DeskError> {
    let (form, scope) = signed_form(signed, body)?;
    let secret = field(&form, "secret").unwrap_or("");
    let code = field(&form, "code").unwrap_or("");
    let refused = match app::enable(&holder(signed, &scope), secret, code, now())? {
        Enabled::Done(codes) => {
            let html = pages::recovery_codes(lang, Some(signed.viewer()), &codes);
            return Ok(secure_html(StatusCode::OK, html));
        }
        Enabled::AlreadyEnabled => return Ok(redirect("/desk/account")),
        Enabled::Wrong => Refusal::Wrong,
        Enabled::TooMany => Refusal::TooMany,
    };
    account_with(store, signed, lang, Some(refused), Some(secret)).await
}

/// `POST /desk/account/second-factor/disable`: a current code (or a
/// recovery code) turns it off, unless the tenant requires it of this
/// official.
pub async fn disable(
    store: &Store,
    signed: &Signed,
    lang: Lang,
    body: &[u8],
) -> Result<Response, DeskError> {
    let (form, scope) = signed_form(signed, body)?;
    let Some(enrolment) = sf::enabled(store, &scope, &signed.actor.username).await? else {
        return Ok(redirect("/desk/account"));
    };
    if applies_to(&signed.actor.roles) && sf::required(store, &scope).await? {
        return account_with(store, signed, lang, Some(Refusal::Required), None).await;
    }
    let code = field(&form, "code").unwrap_or("");
    match app::disable(&holder(signed, &scope), &enrolment, code, now())? {
        Checked::Accepted => Ok(redirect("/desk/account")),
        Checked::Wrong => account_with(store, signed, lang, Some(Refusal::Wrong), None).await,
        Checked::TooMany => account_with(store, signed, lang, Some(Refusal::TooMany), None).await,
    }
}
