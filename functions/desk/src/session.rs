//! Who is at the desk: `GET|POST /desk/login` (argon2id passwords, sessions
//! in the key-value store, throttled failures), `POST /desk/logout`, and the
//! signed-in official of a request ([`Signed`]) with its CSRF check.

use ghiseu_core::{Actor, Official, Tenant, TenantSlug, Username};
use ghiseu_platform::http::{
    Response, client_address, cookie, form_field as field, form_raw, parse_form, secure_html,
    see_other as redirect, set_cookie,
};
use ghiseu_platform::keys::STORE;
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::session::{self, Door, LoginThrottle, Session};
use http::{HeaderMap, StatusCode};

use crate::error::{DeskError, refuse_csrf};
use crate::pages::{self, Viewer};

/// The session cookie.
const SESSION_COOKIE: &str = "ghiseu_desk";
/// The double-submit cookie of the sign-in form.
const LOGIN_CSRF_COOKIE: &str = "ghiseu_login_csrf";

type Errors = Vec<(String, String)>;

/// A signed-in official on this request.
pub struct Signed {
    /// The live session.
    pub session: Session,
    /// The official as the workflow sees them.
    pub actor: Actor,
    /// Their tenant (active).
    pub tenant: Tenant,
    /// Their name, for the page header.
    pub display_name: String,
}

impl Signed {
    /// What the pages show of the official.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            actor: &self.actor,
            tenant: &self.tenant,
            display_name: &self.display_name,
            csrf: &self.session.csrf,
        }
    }
}

impl<'a> From<&'a Signed> for Viewer<'a> {
    fn from(signed: &'a Signed) -> Self {
        signed.viewer()
    }
}

/// The signed-in official of this request, if the session is live and the
/// official still active.
pub async fn signed_in(store: &Store, headers: &HeaderMap) -> Result<Option<Signed>, DeskError> {
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = session::load(store, id, ghiseu_platform::config::now()).await? else {
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
    if !official.accepts_session(session.issued_at) {
        return Ok(None);
    }
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
pub fn csrf_ok(signed: &Signed, form: Option<&str>) -> bool {
    form.is_some_and(|f| session::constant_time_eq(f.as_bytes(), signed.session.csrf.as_bytes()))
}

async fn tenants(store: &Store) -> Result<Vec<(String, String)>, DeskError> {
    Ok(repo::tenants(store)
        .await?
        .into_iter()
        .map(|t| (t.slug.to_string(), t.name.to_string()))
        .collect())
}

/// The sign-in form as typed so far.
struct Typed {
    institution: String,
    username: String,
}

async fn login_form(
    store: &Store,
    status: StatusCode,
    errors: &[(String, String)],
    typed: &Typed,
) -> Result<Response, DeskError> {
    let csrf = session::random_secret()?;
    let html = pages::login(
        &tenants(store).await?,
        &csrf,
        errors,
        &typed.institution,
        &typed.username,
    );
    let mut r = secure_html(status, html);
    set_cookie(
        &mut r,
        &format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/desk; HttpOnly; Secure; SameSite=Strict"),
    );
    Ok(r)
}

/// `GET /desk/login`.
pub async fn login_page(store: &Store) -> Result<Response, DeskError> {
    let typed = Typed {
        institution: String::new(),
        username: String::new(),
    };
    login_form(store, StatusCode::OK, &[], &typed).await
}

fn one_error(field: &str, message: &str) -> Errors {
    vec![(field.to_owned(), message.to_owned())]
}

/// The fields left empty.
fn missing(typed: &Typed, password: &str) -> Errors {
    let mut errors = Vec::new();
    if typed.institution.is_empty() {
        errors.push(("institution".into(), "Alegeți instituția.".into()));
    }
    if typed.username.is_empty() {
        errors.push((
            "username".into(),
            "Introduceți numele de utilizator.".into(),
        ));
    }
    if password.is_empty() {
        errors.push(("password".into(), "Introduceți parola.".into()));
    }
    errors
}

/// The active official whose password this is, if any.
async fn authenticate(
    store: &Store,
    typed: &Typed,
    password: &str,
) -> Result<Option<Official>, DeskError> {
    let found = match (
        TenantSlug::parse(&typed.institution),
        Username::parse(&typed.username),
    ) {
        (Ok(slug), Ok(user)) => {
            repo::official_with_hash(store, &TenantScope::new(&slug), &user).await?
        }
        _ => None,
    };
    let ok = match &found {
        Some((official, hash)) => {
            session::verify_password(password, hash) && official.actor().is_some()
        }
        // Spend the same argon2 work for an unknown account, so the answer's
        // timing does not tell which usernames exist.
        None => {
            let _ = session::verify_password(password, session::DUMMY_HASH);
            false
        }
    };
    Ok(found.filter(|_| ok).map(|(official, _)| official))
}

/// `POST /desk/login`.
pub async fn login(store: &Store, headers: &HeaderMap, body: &[u8]) -> Result<Response, DeskError> {
    let form = parse_form(body);
    let typed = Typed {
        institution: field(&form, "institution").unwrap_or("").to_owned(),
        username: field(&form, "username").unwrap_or("").trim().to_owned(),
    };
    let password = form_raw(&form, "password");
    let csrf_valid = match (cookie(headers, LOGIN_CSRF_COOKIE), field(&form, "csrf")) {
        (Some(c), Some(f)) => session::constant_time_eq(c.as_bytes(), f.as_bytes()),
        _ => false,
    };
    if !csrf_valid {
        let expired = one_error(
            "username",
            "Formularul a expirat. Reîncercați autentificarea.",
        );
        return login_form(store, StatusCode::FORBIDDEN, &expired, &typed).await;
    }
    let errors = missing(&typed, password);
    if !errors.is_empty() {
        return login_form(store, StatusCode::UNPROCESSABLE_ENTITY, &errors, &typed).await;
    }
    let now = ghiseu_platform::config::now();
    let throttle = LoginThrottle::new(
        Door::Desk,
        &typed.institution,
        &typed.username,
        &client_address(headers),
        now,
    );
    if !throttle.admit(STORE)? {
        let errors = one_error(
            "username",
            "Prea multe încercări eșuate. Reîncercați peste 15 minute.",
        );
        return login_form(store, StatusCode::TOO_MANY_REQUESTS, &errors, &typed).await;
    }
    let Some(official) = authenticate(store, &typed, password).await? else {
        let failed = one_error(
            "username",
            "Instituția, numele de utilizator sau parola nu sunt corecte.",
        );
        return login_form(store, StatusCode::UNAUTHORIZED, &failed, &typed).await;
    };
    throttle.forgive(STORE)?;
    // The second factor, when the official has one or the tenant requires it.
    if let Some(r) = crate::pending::after_password(store, &official, now).await? {
        return Ok(r);
    }
    let (tenant, username) = (official.tenant.as_str(), official.username.as_str());
    open_session(store, tenant, username, now, redirect("/desk")).await
}

/// Starts a session of `username` of `tenant` at `now`, handed to the
/// browser with `r`; the sign-in form's cookie ends.
pub async fn open_session(
    store: &Store,
    tenant: &str,
    username: &str,
    now: chrono::DateTime<chrono::Utc>,
    mut r: Response,
) -> Result<Response, DeskError> {
    let s = session::create(store, tenant, username, now).await?;
    set_cookie(&mut r, &session::cookie(SESSION_COOKIE, &s));
    set_cookie(
        &mut r,
        &format!("{LOGIN_CSRF_COOKIE}=; Path=/desk; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
    );
    Ok(r)
}

/// `POST /desk/logout`.
pub async fn logout(store: &Store, signed: &Signed, body: &[u8]) -> Result<Response, DeskError> {
    let form = parse_form(body);
    if !csrf_ok(signed, field(&form, "csrf")) {
        return Err(refuse_csrf());
    }
    session::destroy(store, &signed.session.id).await?;
    let mut r = redirect("/desk/login");
    set_cookie(&mut r, &session::removed_cookie(SESSION_COOKIE));
    Ok(r)
}

/// `POST /desk/logout/everywhere`: ends every session of the official,
/// this one included (sessions started before now are refused).
pub async fn logout_everywhere(
    store: &Store,
    signed: &Signed,
    body: &[u8],
) -> Result<Response, DeskError> {
    let form = parse_form(body);
    if !csrf_ok(signed, field(&form, "csrf")) {
        return Err(refuse_csrf());
    }
    let now = ghiseu_platform::config::now();
    let scope = TenantScope::new(&signed.tenant.slug);
    repo::update_official(&scope, &signed.actor.username, |o| {
        o.sessions_from = Some(now);
    })?;
    session::destroy(store, &signed.session.id).await?;
    let mut r = redirect("/desk/login");
    set_cookie(&mut r, &session::removed_cookie(SESSION_COOKIE));
    Ok(r)
}
