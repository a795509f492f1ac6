//! The request context every handler gets ([`Ctx`]: the store, the language,
//! the request's headers and query, the time, the signed-in citizen), the page
//! frame and the CSRF check that depend on it, and the answer to a failure.

use chrono::{DateTime, Utc};
use ghiseu_app::citizen;
use ghiseu_core::citizen::Account;
use ghiseu_core::{DossierId, Lang, TenantSlug};
use ghiseu_platform::http::{self as web, Response, cookie, secure_html_with, set_cookie};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::session::{self, Session};
use http::{HeaderMap, StatusCode};
use maud::html;

use crate::pages::layout;
use crate::texts::t;

/// The portal's pages may run their own script (upload progress), nothing else.
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; \
                   img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// The cookie of a citizen's session.
pub(crate) const SESSION_COOKIE: &str = "ghiseu_citizen";
/// The cookie of an anonymous form's CSRF token (double submit).
const FORM_COOKIE: &str = "ghiseu_portal_form";
/// The `tenant` of a citizen's session: not a valid tenant slug, so a citizen
/// session can never pass for an official's.
pub(crate) const CITIZEN: &str = "~citizen";

/// The cookie that remembers the service form an anonymous citizen opened,
/// to come back to it after signing in or signing up.
const NEXT_COOKIE: &str = "ghiseu_next";

/// Whether `path` is a service form's path (`/portal/new/{slug}/{code}`),
/// the only place a citizen is sent back to.
fn is_service_form(path: &str) -> bool {
    path.strip_prefix("/portal/new/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(slug, code)| {
            [slug, code].iter().all(|s| {
                !s.is_empty()
                    && s.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                    })
            })
        })
}

/// `response`, remembering `path` (a service form) for an hour.
pub(crate) fn come_back_to(mut response: Response, path: &str) -> Response {
    if is_service_form(path) {
        set_cookie(
            &mut response,
            &format!(
                "{NEXT_COOKIE}={path}; Path=/portal; Max-Age=3600; HttpOnly; Secure; SameSite=Lax"
            ),
        );
    }
    response
}

/// Where a citizen who just signed in goes: the service form they opened
/// before (the cookie is then cleared), else `default`.
pub(crate) fn after_sign_in(headers: &HeaderMap, default: &str) -> (String, Option<String>) {
    match cookie(headers, NEXT_COOKIE).filter(|p| is_service_form(p)) {
        Some(path) => (
            path.to_owned(),
            Some(format!(
                "{NEXT_COOKIE}=; Path=/portal; Max-Age=0; HttpOnly; Secure; SameSite=Lax"
            )),
        ),
        None => (default.to_owned(), None),
    }
}

/// What a handler answers; an `Err` is an unexpected failure ([`failed`]).
pub(crate) type Res = ghiseu_platform::Result<Response>;

/// One request as the handlers see it.
pub(crate) struct Ctx {
    pub(crate) store: Store,
    pub(crate) lang: Lang,
    pub(crate) headers: HeaderMap,
    pub(crate) query: String,
    pub(crate) now: DateTime<Utc>,
    pub(crate) signed: Option<(Session, Account)>,
}

impl Ctx {
    /// The context of a request: who is signed in, and the language (the
    /// query's, the browser's or the account's).
    pub(crate) async fn new(
        store: Store,
        headers: HeaderMap,
        query: String,
        now: DateTime<Utc>,
    ) -> ghiseu_platform::Result<Self> {
        let mut signed = signed_in(&store, &headers, now).await?;
        // The account's language, else the browser's last choice (cookie).
        let preferred = signed
            .as_ref()
            .map(|(_, a)| a.lang)
            .or_else(|| ghiseu_platform::chrome::remembered(&headers));
        let lang = web::language(&query, &headers, preferred);
        // A signed-in citizen who chooses a language (`?lang=`) makes it the
        // account's: its SMS and e-mails follow.
        if let Some((_, account)) = signed.as_mut()
            && web::query_param(&query, "lang").is_some_and(|l| Lang::from_code(&l) == Some(lang))
            && account.lang != lang
        {
            citizen::set_language(&account.id, lang)?;
            account.lang = lang;
        }
        Ok(Self {
            store,
            lang,
            headers,
            query,
            now,
            signed,
        })
    }

    /// The client's address, for the limits per client.
    pub(crate) fn client(&self) -> String {
        web::client_address(&self.headers)
    }

    /// A page; anonymous pages get a fresh form token (cookie + hidden field).
    pub(crate) fn page(
        &self,
        status: StatusCode,
        title: &str,
        body: impl Fn(&str) -> maud::Markup,
    ) -> Response {
        self.page_of(None, status, title, body)
    }

    /// A page of one institution's service: its name, logo and colour in the
    /// header.
    pub(crate) fn branded_page(
        &self,
        tenant: &ghiseu_core::Tenant,
        status: StatusCode,
        title: &str,
        body: impl Fn(&str) -> maud::Markup,
    ) -> Response {
        self.page_of(Some(tenant), status, title, body)
    }

    /// A page shown as to nobody, though the request came signed in (the
    /// answer to closing the account).
    pub(crate) fn signed_out_page(
        &self,
        status: StatusCode,
        title: &str,
        body: impl Fn(&str) -> maud::Markup,
    ) -> Response {
        self.page_as(None, None, status, title, body)
    }

    fn page_of(
        &self,
        tenant: Option<&ghiseu_core::Tenant>,
        status: StatusCode,
        title: &str,
        body: impl Fn(&str) -> maud::Markup,
    ) -> Response {
        self.page_as(self.signed.as_ref(), tenant, status, title, body)
    }

    fn page_as(
        &self,
        signed: Option<&(Session, Account)>,
        tenant: Option<&ghiseu_core::Tenant>,
        status: StatusCode,
        title: &str,
        body: impl Fn(&str) -> maud::Markup,
    ) -> Response {
        let (csrf, fresh) = match signed {
            Some((s, _)) => (s.csrf.clone(), None),
            None => {
                let token = session::random_secret().unwrap_or_default();
                (token.clone(), Some(token))
            }
        };
        let name = signed.map(|(_, a)| a.name.as_str());
        let mut r = secure_html_with(
            status,
            layout(self.lang, title, (name, tenant), &csrf, body(&csrf)),
            CSP,
        );
        if let Some(cookie) = ghiseu_platform::chrome::remember_language(&self.query) {
            set_cookie(&mut r, &cookie);
        }
        if let Some(token) = fresh {
            set_cookie(
                &mut r,
                &format!("{FORM_COOKIE}={token}; Path=/portal; HttpOnly; Secure; SameSite=Strict"),
            );
        }
        r
    }

    /// Whether `given` is this request's CSRF token (the session's, or the
    /// anonymous form cookie's).
    pub(crate) fn csrf_ok(&self, given: Option<&str>) -> bool {
        let given = given.unwrap_or_default();
        let expected = match &self.signed {
            Some((s, _)) => Some(s.csrf.as_str()),
            None => cookie(&self.headers, FORM_COOKIE),
        };
        expected.is_some_and(|e| {
            !given.is_empty() && session::constant_time_eq(e.as_bytes(), given.as_bytes())
        })
    }

    /// The answer to a form posted without its CSRF token.
    /// The page for a form whose body was refused: too large (413) or not
    /// arrived whole (400); an unexpected failure otherwise.
    pub(crate) fn body_refused(&self, e: ghiseu_platform::Error) -> Response {
        let (status, key) = match e {
            ghiseu_platform::Error::BodyTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
            }
            ghiseu_platform::Error::BodyRead(_) => (StatusCode::BAD_REQUEST, "body_incomplete"),
            other => return failed(other),
        };
        self.page(status, t(self.lang, "portal"), |_| {
            html! { p.error role="alert" { (t(self.lang, key)) } }
        })
    }

    pub(crate) fn expired_form(&self) -> Response {
        self.page(StatusCode::FORBIDDEN, t(self.lang, "portal"), |_| {
            html! { p.error { "Formularul a expirat. Reîncărcați pagina. / The form expired: reload the page." } }
        })
    }
}

/// The citizen signed in by the session cookie of `headers`, if any (an
/// official's session or an unverified account is nobody).
async fn signed_in(
    store: &Store,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> ghiseu_platform::Result<Option<(Session, Account)>> {
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(s) = session::load(store, id, now).await? else {
        return Ok(None);
    };
    if s.tenant != CITIZEN {
        return Ok(None);
    }
    Ok(citizen::account(store, &s.username)
        .await?
        .filter(|a| a.is_verified() && a.accepts_session(s.issued_at))
        .map(|a| (s, a)))
}

/// An unexpected failure: logged, answered without details.
pub(crate) fn failed(e: ghiseu_platform::Error) -> Response {
    eprintln!("portal: {e}");
    // A body too large or badly framed is the client's: 413 or 400.
    if e.is_client_error() {
        return web::Problem::from_error(&e).into_response();
    }
    web::problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The service could not finish the request. Try again.",
    )
}

impl Ctx {
    /// Dossier `id` of tenant `slug` when it is one of the signed-in
    /// citizen's own, with its tenant's scope; else the answer to give
    /// instead: the sign-in page for nobody, 404 for anyone else's (or no
    /// such dossier: the two are not told apart).
    pub(crate) async fn own_dossier(
        &self,
        slug: &str,
        id: &str,
    ) -> ghiseu_platform::Result<Result<(TenantScope, ghiseu_core::Dossier), Response>> {
        let Some((_, account)) = &self.signed else {
            return Ok(Err(web::see_other("/portal/login")));
        };
        let not_found = || web::problem(StatusCode::NOT_FOUND, "No such document.");
        let mine = citizen::linked_dossiers(&self.store, &account.id)
            .await?
            .iter()
            .any(|l| l.tenant == slug && l.dossier == id);
        let (true, Ok(slug), Ok(id)) = (mine, TenantSlug::parse(slug), DossierId::parse(id)) else {
            return Ok(Err(not_found()));
        };
        let scope = TenantScope::new(&slug);
        Ok(match repo::get_dossier(&self.store, &scope, &id).await? {
            Some(v) => Ok((scope, v.dossier)),
            None => Err(not_found()),
        })
    }
}
