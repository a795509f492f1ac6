//! The citizens' portal (`/portal/...`): accounts, sign-in, my documents.
//!
//! - `GET|POST /portal/register`: name, e-mail and/or phone, password; the
//!   contacts are proven by a code before the account is used.
//! - `GET|POST /portal/verify`: the code sent to a contact; signs in.
//! - `GET|POST /portal/login`: e-mail or phone and password.
//! - `GET|POST /portal/login/sms`, `POST /portal/login/sms/code`: phone and an
//!   SMS code, no password.
//! - `GET|POST /portal/reset`, `POST /portal/reset/confirm`: a new password
//!   after a code.
//! - `GET /portal`: my documents; `GET|POST /portal/claim`,
//!   `POST /portal/claim/confirm`: claim a dossier filed on paper with a code
//!   sent to the contact recorded on it.
//! - `POST /portal/logout`.
//! - `GET /portal/signature`, `POST /portal/signature/buy|enroll`,
//!   `GET /portal/payments/{order}`, `POST /api/v1/payments/webhook`: buying
//!   the qualified signature credential, see [`payment`].
//! - `GET|POST /portal/sign/{sha256}`, `POST /portal/sign/{sha256}/confirm`:
//!   signing a waiting request with an OTP, then its registration, see [`sign`].
//!
//! Codes follow DESIGN §9 (core's `citizen` module: CSPRNG, single use, 10
//! minutes, 5 attempts) and their sending is throttled per contact and per
//! client address. Answers never tell whether an account or a contact exists.
//! Anonymous forms carry a double-submit CSRF token, signed-in forms the
//! session's.

mod pages;
mod payment;
mod reply;
mod sign;
mod submit;

use chrono::{DateTime, Utc};
use ghiseu_core::citizen::{Account, CodeError, CodePurpose, Contact};
use ghiseu_core::{CitizenName, Lang, RegistrationNumber, TenantSlug};
use ghiseu_platform::citizens::{self, CreateError, Linked};
use ghiseu_platform::http::Request;
use ghiseu_platform::http::{
    self as web, Form, Response, cookie, form_field as field, form_raw, parse_form,
    secure_html_with, see_other, set_cookie,
};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::notify::{self, Message};
use ghiseu_platform::session::{self, Session};
use ghiseu_platform::{repo, tracking};
use http::{HeaderMap, Method, StatusCode, header};
use maud::html;

use crate::pages::{errors as error_summary, input, layout, t};

const STORE: &str = "default";
/// Upload progress for file forms; the pages work without it.
const SCRIPT: &str = include_str!("portal.js");
/// The portal's pages may run their own script (upload progress), nothing else.
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; \
                   img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const SESSION_COOKIE: &str = "ghiseu_citizen";
const FORM_COOKIE: &str = "ghiseu_portal_form";
/// The `tenant` of a citizen's session: not a valid tenant slug, so a citizen
/// session can never pass for an official's.
const CITIZEN: &str = "~citizen";

/// Codes sent to one contact per hour, and to all contacts from one client.
const CODES_PER_CONTACT_HOUR: i64 = 5;
const CODES_PER_CLIENT_HOUR: i64 = 20;

type Errors = Vec<(String, String)>;

pub(crate) struct Ctx {
    pub(crate) store: Store,
    pub(crate) lang: Lang,
    pub(crate) headers: HeaderMap,
    pub(crate) query: String,
    pub(crate) now: DateTime<Utc>,
    pub(crate) signed: Option<(Session, Account)>,
}

impl Ctx {
    fn client(&self) -> String {
        web::client_address(&self.headers)
    }

    /// A page; anonymous pages get a fresh form token (cookie + hidden field).
    pub(crate) fn page(
        &self,
        status: StatusCode,
        title: &str,
        body: impl Fn(&str) -> maud::Markup,
    ) -> Response {
        let (csrf, fresh) = match &self.signed {
            Some((s, _)) => (s.csrf.clone(), None),
            None => {
                let token = session::random_secret().unwrap_or_default();
                (token.clone(), Some(token))
            }
        };
        let name = self.signed.as_ref().map(|(_, a)| a.name.as_str());
        let mut r = secure_html_with(
            status,
            layout(self.lang, title, name, &csrf, body(&csrf)),
            CSP,
        );
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
}

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
    Ok(citizens::account(store, &s.username)
        .await?
        .filter(Account::is_verified)
        .map(|a| (s, a)))
}

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    let now = Utc::now();
    let store = match Store::open(STORE).await {
        Ok(s) => s,
        Err(e) => return web::Problem::from_error(&e).into_response(),
    };
    let method = request.method().clone();
    let path = request.uri().path().trim_end_matches('/').to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let headers = request.headers().clone();
    if path == "/portal/portal.css" {
        return web::stylesheet(pages::CSS);
    }
    if path == "/portal/portal.js" {
        return web::static_asset("text/javascript; charset=utf-8", SCRIPT);
    }
    let signed = match signed_in(&store, &headers, now).await {
        Ok(s) => s,
        Err(e) => return web::Problem::from_error(&e).into_response(),
    };
    let lang = web::language(&query, &headers, signed.as_ref().map(|(_, a)| a.lang));
    let mut ctx = Ctx {
        store,
        lang,
        headers,
        query,
        now,
        signed,
    };
    // The payment provider's webhook: JSON, signed, no session.
    if path == "/api/v1/payments/webhook" {
        return match method {
            Method::POST => payment::webhook(&ctx, request).await,
            _ => Ok(web::method_not_allowed("POST")),
        }
        .unwrap_or_else(failed);
    }
    // The multipart resources (a reply to an information request, an online
    // submission): their own size limit and CSRF check.
    let multipart = if let Some(rest) = path.strip_prefix("/portal/documents/")
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
    };
    if let Some((kind, slug, item)) = multipart {
        if ctx.signed.is_none() {
            return see_other("/portal/login");
        }
        let result = match method {
            Method::GET => match kind {
                Upload::Reply => reply::form(&ctx, &slug, &item, &[]).await,
                Upload::Submission => submit::form(&ctx, &slug, &item).await,
            },
            Method::POST => match web::read_request(request, submit::MAX_SUBMISSION_BYTES).await {
                Ok((parts, body)) => {
                    let content_type =
                        web::header_str(&parts.headers, header::CONTENT_TYPE.as_str())
                            .unwrap_or_default()
                            .to_owned();
                    match kind {
                        Upload::Reply => {
                            reply::submit(&ctx, &slug, &item, &content_type, &body).await
                        }
                        Upload::Submission => {
                            submit::submit(&ctx, &slug, &item, &content_type, &body).await
                        }
                    }
                }
                Err(e) => return web::Problem::from_error(&e).into_response(),
            },
            _ => Ok(web::method_not_allowed("GET, POST")),
        };
        return result.unwrap_or_else(failed);
    }
    let form = if method == Method::POST {
        match web::read_request(request, 16 * 1024).await {
            Ok((_, body)) => parse_form(&body),
            Err(e) => return web::Problem::from_error(&e).into_response(),
        }
    } else {
        Form::new()
    };
    // A form carries the language it was shown in (its action has no query).
    if let Some(l) = field(&form, "lang").and_then(Lang::from_code) {
        ctx.lang = l;
    }
    if method == Method::POST && !ctx.csrf_ok(field(&form, "csrf")) {
        let r = ctx.page(StatusCode::FORBIDDEN, t(ctx.lang, "portal"), |_| {
            html! { p.error { "Formularul a expirat. Reîncărcați pagina. / The form expired: reload the page." } }
        });
        return r;
    }
    let result = match (method, path.as_str()) {
        (Method::GET, "/portal") => home(&ctx).await,
        (Method::GET, "/portal/new") if ctx.signed.is_some() => submit::catalogue(&ctx).await,
        (Method::GET, "/portal/new") => Ok(see_other("/portal/login")),
        (Method::GET, "/portal/register") => {
            Ok(register_page(&ctx, StatusCode::OK, &[], &Form::new()))
        }
        (Method::POST, "/portal/register") => register(&ctx, &form).await,
        (Method::GET, "/portal/verify") => Ok(code_page(
            &ctx,
            Step::Verify,
            StatusCode::OK,
            &[],
            web::query_param(&ctx.query, "contact").as_deref(),
            false,
        )),
        (Method::POST, "/portal/verify") => verify(&ctx, &form).await,
        (Method::GET, "/portal/login") => Ok(login_page(&ctx, StatusCode::OK, &[], "")),
        (Method::POST, "/portal/login") => login(&ctx, &form).await,
        (Method::GET, "/portal/login/sms") => {
            Ok(contact_page(&ctx, Step::SignIn, StatusCode::OK, &[], ""))
        }
        (Method::POST, "/portal/login/sms") => request_code(&ctx, &form, Step::SignIn).await,
        (Method::POST, "/portal/login/sms/code") => sms_login(&ctx, &form).await,
        (Method::GET, "/portal/reset") => {
            Ok(contact_page(&ctx, Step::Reset, StatusCode::OK, &[], ""))
        }
        (Method::POST, "/portal/reset") => request_code(&ctx, &form, Step::Reset).await,
        (Method::POST, "/portal/reset/confirm") => reset(&ctx, &form).await,
        (Method::GET, "/portal/claim") if ctx.signed.is_some() => {
            claim_form(&ctx, StatusCode::OK, &[], &Form::new(), false).await
        }
        (Method::GET, "/portal/claim") => Ok(see_other("/portal/login")),
        (Method::POST, "/portal/claim") => claim(&ctx, &form).await,
        (Method::POST, "/portal/claim/confirm") => claim_confirm(&ctx, &form).await,
        (Method::POST, "/portal/logout") => logout(&ctx).await,
        (Method::GET, "/portal/signature") => payment::page(&ctx, StatusCode::OK, None).await,
        (Method::POST, "/portal/signature/buy") => payment::buy(&ctx).await,
        (Method::POST, "/portal/signature/enroll") => payment::retry(&ctx).await,
        (method, p) if p.starts_with("/portal/sign/") => {
            let rest = &p["/portal/sign/".len()..];
            match (method, rest.strip_suffix("/confirm")) {
                (Method::POST, Some(sha)) => sign::confirm(&ctx, sha, &form).await,
                (Method::GET, None) => sign::show(&ctx, rest).await,
                (Method::POST, None) => sign::start(&ctx, rest).await,
                _ => Ok(web::method_not_allowed("GET, POST")),
            }
        }
        (Method::GET, p) if p.starts_with("/portal/payments/") => {
            payment::returned(&ctx, &p["/portal/payments/".len()..]).await
        }
        (Method::GET, p)
            if let Some(rest) = p.strip_prefix("/portal/documents/")
                && let Some((slug, tail)) = rest.split_once('/')
                && let Some(id) = tail.strip_suffix("/issued.pdf") =>
        {
            issued_document(&ctx, slug, id).await
        }
        (_, p) if KNOWN.contains(&p) => Ok(web::method_not_allowed("GET, POST")),
        _ => Ok(web::problem(StatusCode::NOT_FOUND, "No such page.")),
    };
    result.unwrap_or_else(failed)
}

/// The multipart resources.
#[derive(Clone, Copy)]
enum Upload {
    Reply,
    Submission,
}

/// An unexpected failure: logged, answered without details.
fn failed(e: ghiseu_platform::Error) -> Response {
    eprintln!("portal: {e}");
    web::problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The service could not finish the request. Try again.",
    )
}

const KNOWN: [&str; 14] = [
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
];

pub(crate) type Res = ghiseu_platform::Result<Response>;

/// Starts a session for `account` and goes to `to`.
async fn start_session(ctx: &Ctx, account: &Account, to: &str) -> Res {
    let s = session::create(&ctx.store, CITIZEN, &account.id, ctx.now).await?;
    let mut r = see_other(to);
    set_cookie(&mut r, &session::cookie(SESSION_COOKIE, &s));
    Ok(r)
}

async fn logout(ctx: &Ctx) -> Res {
    if let Some((s, _)) = &ctx.signed {
        session::destroy(&ctx.store, &s.id).await?;
    }
    let mut r = see_other("/portal/login");
    set_cookie(&mut r, &session::removed_cookie(SESSION_COOKIE));
    Ok(r)
}

// ------------------------------------------------------------------ codes

/// Sends `code` to `contact`; `false` when the gateway is not configured or
/// did not take it now (it stays queued and is retried).
async fn send_code(
    ctx: &Ctx,
    contact: &Contact,
    code: &str,
    purpose: CodePurpose,
) -> ghiseu_platform::Result<bool> {
    let Some(gateway) = notify::Gateway::from_variables().await? else {
        return Ok(false);
    };
    let what = match (ctx.lang, purpose) {
        (Lang::Hu, _) => "Ghiseu kód",
        (Lang::En, _) => "Ghiseu code",
        (Lang::Ro, _) => "Cod Ghiseu",
    };
    let text = match ctx.lang {
        Lang::Ro => format!("{what}: {code}. Valabil 10 minute. Nu îl comunicați nimănui."),
        Lang::Hu => format!("{what}: {code}. 10 percig érvényes. Ne adja ki senkinek."),
        Lang::En => format!("{what}: {code}. Valid for 10 minutes. Do not share it."),
    };
    let message = Message {
        id: format!("code-{}", session::hex(&session::random_bytes::<12>()?)),
        channel: match contact {
            Contact::Phone(_) => notify::Channel::Sms,
            Contact::Email(_) => notify::Channel::Email,
        },
        to: contact.as_str().to_owned(),
        lang: ctx.lang.code().to_owned(),
        subject: what.to_owned(),
        text,
    };
    let report = notify::send_now(
        &ctx.store,
        &gateway,
        "-",
        purpose.code(),
        vec![message],
        ctx.now,
    )
    .await?;
    Ok(report.delivered == 1)
}

/// Whether another code may be sent to `contact` from this client now.
fn may_send_code(ctx: &Ctx, contact: &Contact) -> ghiseu_platform::Result<bool> {
    Ok(citizens::within_limit(
        "code-contact",
        contact.as_str(),
        3600,
        CODES_PER_CONTACT_HOUR,
        ctx.now,
    )? && citizens::within_limit(
        "code-client",
        &ctx.client(),
        3600,
        CODES_PER_CLIENT_HOUR,
        ctx.now,
    )?)
}

/// 422 for a wrong guess (the form may be tried again), 410 for a code that
/// can no longer work (used, expired, dead).
fn code_status(e: CodeError) -> StatusCode {
    if matches!(e, CodeError::Wrong { .. }) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::GONE
    }
}

fn code_error(lang: Lang, e: CodeError) -> String {
    match (lang, e) {
        (Lang::Ro, CodeError::Wrong { left }) => {
            format!("Codul nu este corect (mai aveți {left} încercări).")
        }
        (Lang::Hu, CodeError::Wrong { left }) => {
            format!("A kód nem helyes (még {left} próbálkozás).")
        }
        (Lang::En, CodeError::Wrong { left }) => {
            format!("The code is not right ({left} attempts left).")
        }
        (Lang::Ro, _) => "Codul nu mai este valabil. Cereți un cod nou.".to_owned(),
        (Lang::Hu, _) => "A kód már nem érvényes. Kérjen új kódot.".to_owned(),
        (Lang::En, _) => "The code is no longer valid. Ask for a new one.".to_owned(),
    }
}

/// The optional field `name` parsed by `parse`; a value that does not parse
/// is reported in `errors` under the field's label.
fn optional<T, E: std::fmt::Display>(
    lang: Lang,
    form: &Form,
    name: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    errors: &mut Errors,
) -> Option<T> {
    match parse(field(form, name)?) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push((name.to_owned(), format!("{}: {e}", t(lang, name))));
            None
        }
    }
}

/// The new password of `form` (`password`, repeated in `password2`) if it
/// follows core's rule, else the error for the form.
fn new_password(lang: Lang, form: &Form) -> Result<&str, (String, String)> {
    let password = form_raw(form, "password");
    ghiseu_core::official::check_new_password(password, form_raw(form, "password2"))
        .map(|()| password)
        .map_err(|e| {
            (
                "password".to_owned(),
                format!("{}: {e}", t(lang, "password_plain")),
            )
        })
}

pub(crate) fn msg(lang: Lang, ro: &str, hu: &str, en: &str) -> String {
    match lang {
        Lang::Ro => ro,
        Lang::Hu => hu,
        Lang::En => en,
    }
    .to_owned()
}

// ------------------------------------------------------------------ register

fn register_page(
    ctx: &Ctx,
    status: StatusCode,
    errors: &[(String, String)],
    values: &Form,
) -> Response {
    let lang = ctx.lang;
    let v = |k: &str| field(values, k).unwrap_or("").to_owned();
    ctx.page(status, t(lang, "register"), |csrf| {
        html! {
            h1 { (t(lang, "register")) }
            (error_summary(lang, errors))
            form method="post" action="/portal/register" novalidate {
                (pages::form_state(csrf, lang))
                (input(lang, errors, "name", "name", "text", &v("name"), "name"))
                (input(lang, errors, "email", "email", "email", &v("email"), "email"))
                (input(lang, errors, "phone", "phone", "tel", &v("phone"), "tel"))
                (input(lang, errors, "password", "password", "password", "", "new-password"))
                (input(lang, errors, "password2", "password2", "password", "", "new-password"))
                button type="submit" { (t(lang, "register")) }
            }
            p { (t(lang, "have_account")) " " a href="/portal/login" { (t(lang, "login")) } }
        }
    })
}

async fn register(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let mut errors = Errors::new();
    let name = match field(form, "name").map(CitizenName::parse) {
        Some(Ok(n)) => Some(n),
        _ => {
            errors.push((
                "name".into(),
                msg(
                    lang,
                    "Scrieți numele și prenumele.",
                    "Adja meg a nevét.",
                    "Enter your full name.",
                ),
            ));
            None
        }
    };
    let email = optional(lang, form, "email", ghiseu_core::Email::parse, &mut errors);
    let phone = optional(
        lang,
        form,
        "phone",
        ghiseu_core::PhoneNumber::parse,
        &mut errors,
    );
    if email.is_none()
        && phone.is_none()
        && !errors.iter().any(|(f, _)| f == "email" || f == "phone")
    {
        errors.push((
            "email".into(),
            msg(
                lang,
                "Dați un e-mail sau un telefon mobil.",
                "Adjon meg e-mailt vagy mobilszámot.",
                "Give an e-mail or a mobile phone.",
            ),
        ));
    }
    let password = match new_password(lang, form) {
        Ok(p) => p,
        Err(e) => {
            errors.push(e);
            ""
        }
    };
    if !errors.is_empty() {
        return Ok(register_page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors,
            form,
        ));
    }
    if !citizens::within_limit("register-client", &ctx.client(), 3600, 10, ctx.now)? {
        let errors = vec![(
            "name".to_owned(),
            msg(
                lang,
                "Prea multe conturi create de aici. Reîncercați peste o oră.",
                "Túl sok fiók innen. Próbálja újra egy óra múlva.",
                "Too many accounts from here. Try again in an hour.",
            ),
        )];
        return Ok(register_page(
            ctx,
            StatusCode::TOO_MANY_REQUESTS,
            &errors,
            form,
        ));
    }
    let account = Account {
        id: citizens::new_account_id()?,
        name: name.expect("checked above"),
        email,
        email_verified: false,
        phone,
        phone_verified: false,
        password_hash: Some(session::hash_password(password)?),
        lang,
        created_at: ctx.now,
    };
    if let Err(CreateError::ContactTaken(c)) =
        citizens::create_account(&ctx.store, &account, ctx.now).await?
    {
        let field_name = match c {
            Contact::Phone(_) => "phone",
            Contact::Email(_) => "email",
        };
        let errors = vec![(
            field_name.to_owned(),
            msg(
                lang,
                "Există deja un cont cu acest contact. Autentificați-vă sau resetați parola.",
                "Ehhez az elérhetőséghez már van fiók. Jelentkezzen be vagy állítson be új jelszót.",
                "An account with this contact exists. Sign in or reset the password.",
            ),
        )];
        return Ok(register_page(ctx, StatusCode::CONFLICT, &errors, form));
    }
    let contacts: Vec<Contact> = account
        .phone
        .clone()
        .map(Contact::Phone)
        .into_iter()
        .chain(account.email.clone().map(Contact::Email))
        .collect();
    for c in &contacts {
        if may_send_code(ctx, c)? {
            let code =
                citizens::issue_code(&ctx.store, CodePurpose::Verify, c, "", ctx.now).await?;
            send_code(ctx, c, &code, CodePurpose::Verify).await?;
        }
    }
    let first = contacts
        .first()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_default();
    Ok(see_other(&format!(
        "/portal/verify?contact={}&lang={}",
        url::form_urlencoded::byte_serialize(first.as_bytes()).collect::<String>(),
        lang.code()
    )))
}

// ------------------------------------------------------------------ codes pages

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Verify,
    SignIn,
    Reset,
}

impl Step {
    fn purpose(self) -> CodePurpose {
        match self {
            Self::Verify => CodePurpose::Verify,
            Self::SignIn => CodePurpose::SignIn,
            Self::Reset => CodePurpose::Reset,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::SignIn => "login_sms",
            Self::Reset => "reset",
        }
    }

    fn request_action(self) -> &'static str {
        match self {
            Self::Verify => "/portal/verify",
            Self::SignIn => "/portal/login/sms",
            Self::Reset => "/portal/reset",
        }
    }

    fn confirm_action(self) -> &'static str {
        match self {
            Self::Verify => "/portal/verify",
            Self::SignIn => "/portal/login/sms/code",
            Self::Reset => "/portal/reset/confirm",
        }
    }
}

/// The first step of SMS sign-in and reset: the contact.
fn contact_page(
    ctx: &Ctx,
    step: Step,
    status: StatusCode,
    errors: &[(String, String)],
    contact: &str,
) -> Response {
    let lang = ctx.lang;
    let (label, kind) = if step == Step::SignIn {
        ("phone", "tel")
    } else {
        ("contact", "text")
    };
    ctx.page(status, t(lang, step.title()), |csrf| {
        html! {
            h1 { (t(lang, step.title())) }
            (error_summary(lang, errors))
            form method="post" action=(step.request_action()) novalidate {
                (pages::form_state(csrf, lang))
                (input(lang, errors, "contact", label, kind, contact, "username"))
                button type="submit" { (t(lang, "send_code")) }
            }
        }
    })
}

/// The code form (with a new password for a reset).
fn code_page(
    ctx: &Ctx,
    step: Step,
    status: StatusCode,
    errors: &[(String, String)],
    contact: Option<&str>,
    sent: bool,
) -> Response {
    let lang = ctx.lang;
    ctx.page(status, t(lang, step.title()), |csrf| {
        html! {
            h1 { (t(lang, step.title())) }
            @if sent || step == Step::Verify { p.notice role="status" { (t(lang, "code_sent")) } }
            (error_summary(lang, errors))
            form method="post" action=(step.confirm_action()) novalidate {
                (pages::form_state(csrf, lang))
                (input(lang, errors, "contact", "contact", "text", contact.unwrap_or(""), "username"))
                (input(lang, errors, "code", "code", "text", "", "one-time-code"))
                @if step == Step::Reset {
                    (input(lang, errors, "password", "password", "password", "", "new-password"))
                    (input(lang, errors, "password2", "password2", "password", "", "new-password"))
                }
                button type="submit" { (t(lang, "continue")) }
            }
        }
    })
}

fn contact_of(form: &Form) -> Option<Contact> {
    field(form, "contact").and_then(|c| Contact::parse(c).ok())
}

/// `POST /portal/login/sms` and `/portal/reset`: sends a code if the contact
/// belongs to a proven account, and answers the same either way.
async fn request_code(ctx: &Ctx, form: &Form, step: Step) -> Res {
    let lang = ctx.lang;
    let Some(contact) = contact_of(form) else {
        let errors = vec![(
            "contact".to_owned(),
            msg(
                lang,
                "Scrieți un telefon mobil sau un e-mail valid.",
                "Adjon meg érvényes mobilszámot vagy e-mailt.",
                "Enter a valid mobile phone or e-mail.",
            ),
        )];
        return Ok(contact_page(
            ctx,
            step,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors,
            field(form, "contact").unwrap_or(""),
        ));
    };
    if step == Step::SignIn && !matches!(contact, Contact::Phone(_)) {
        let errors = vec![(
            "contact".to_owned(),
            msg(
                lang,
                "Codul prin SMS merge doar la un telefon mobil.",
                "SMS-kód csak mobilszámra küldhető.",
                "SMS codes go to a mobile phone only.",
            ),
        )];
        return Ok(contact_page(
            ctx,
            step,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors,
            contact.as_str(),
        ));
    }
    if !may_send_code(ctx, &contact)? {
        let errors = vec![(
            "contact".to_owned(),
            msg(
                lang,
                "Prea multe coduri cerute. Reîncercați peste o oră.",
                "Túl sok kódkérés. Próbálja újra egy óra múlva.",
                "Too many codes asked for. Try again in an hour.",
            ),
        )];
        return Ok(contact_page(
            ctx,
            step,
            StatusCode::TOO_MANY_REQUESTS,
            &errors,
            contact.as_str(),
        ));
    }
    if let Some(account) = citizens::account_by_contact(&ctx.store, &contact).await?
        && (account.has_verified(&contact) || step == Step::Reset && !account.is_verified())
    {
        let code = citizens::issue_code(&ctx.store, step.purpose(), &contact, "", ctx.now).await?;
        send_code(ctx, &contact, &code, step.purpose()).await?;
    }
    Ok(code_page(
        ctx,
        step,
        StatusCode::OK,
        &[],
        Some(contact.as_str()),
        true,
    ))
}

/// Checks the code of `form` for `step`; the account it proves, or the page to answer.
async fn checked(
    ctx: &Ctx,
    form: &Form,
    step: Step,
) -> ghiseu_platform::Result<Result<(Account, Contact), Box<Response>>> {
    let lang = ctx.lang;
    let contact = contact_of(form);
    let refuse = |errors: Errors, status| {
        Err(Box::new(code_page(
            ctx,
            step,
            status,
            &errors,
            field(form, "contact"),
            false,
        )))
    };
    let Some(contact) = contact else {
        return Ok(refuse(
            vec![(
                "contact".into(),
                msg(
                    lang,
                    "Scrieți telefonul sau e-mailul.",
                    "Adja meg a telefonszámot vagy az e-mailt.",
                    "Enter the phone or e-mail.",
                ),
            )],
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let Some(code) = field(form, "code") else {
        return Ok(refuse(
            vec![(
                "code".into(),
                msg(
                    lang,
                    "Scrieți codul primit.",
                    "Írja be a kapott kódot.",
                    "Enter the code you received.",
                ),
            )],
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    match citizens::check_code(step.purpose(), &contact, "", code, ctx.now)? {
        Ok(()) => {}
        Err(e) => {
            let status = code_status(e);
            return Ok(refuse(vec![("code".into(), code_error(lang, e))], status));
        }
    }
    match citizens::account_by_contact(&ctx.store, &contact).await? {
        Some(a) => Ok(Ok((a, contact))),
        None => Ok(refuse(
            vec![("code".into(), code_error(lang, CodeError::Expired))],
            StatusCode::GONE,
        )),
    }
}

async fn verify(ctx: &Ctx, form: &Form) -> Res {
    match checked(ctx, form, Step::Verify).await? {
        Err(page) => Ok(*page),
        Ok((mut account, contact)) => {
            account.mark_verified(&contact);
            citizens::put_account(&ctx.store, &account).await?;
            start_session(ctx, &account, "/portal").await
        }
    }
}

async fn sms_login(ctx: &Ctx, form: &Form) -> Res {
    match checked(ctx, form, Step::SignIn).await? {
        Err(page) => Ok(*page),
        Ok((account, _)) => start_session(ctx, &account, "/portal").await,
    }
}

async fn reset(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let password = match new_password(lang, form) {
        Ok(p) => p,
        Err(e) => {
            return Ok(code_page(
                ctx,
                Step::Reset,
                StatusCode::UNPROCESSABLE_ENTITY,
                &[e],
                field(form, "contact"),
                false,
            ));
        }
    };
    match checked(ctx, form, Step::Reset).await? {
        Err(page) => Ok(*page),
        Ok((mut account, contact)) => {
            // The code reached this contact: it is proven too.
            account.mark_verified(&contact);
            account.password_hash = Some(session::hash_password(password)?);
            citizens::put_account(&ctx.store, &account).await?;
            start_session(ctx, &account, "/portal").await
        }
    }
}

// ------------------------------------------------------------------ login

fn login_page(
    ctx: &Ctx,
    status: StatusCode,
    errors: &[(String, String)],
    contact: &str,
) -> Response {
    let lang = ctx.lang;
    ctx.page(status, t(lang, "login"), |csrf| {
        html! {
            h1 { (t(lang, "login")) }
            (error_summary(lang, errors))
            form method="post" action="/portal/login" novalidate {
                (pages::form_state(csrf, lang))
                (input(lang, errors, "contact", "contact", "text", contact, "username"))
                (input(lang, errors, "password", "password_plain", "password", "", "current-password"))
                button type="submit" { (t(lang, "login")) }
            }
            ul {
                li { a href="/portal/login/sms" { (t(lang, "login_sms")) } }
                li { a href="/portal/reset" { (t(lang, "reset")) } }
                li { a href="/portal/register" { (t(lang, "register")) } }
            }
        }
    })
}

async fn login(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let raw = field(form, "contact").unwrap_or("");
    let password = form_raw(form, "password");
    let wrong = || {
        vec![(
            "contact".to_owned(),
            msg(
                lang,
                "Contactul sau parola nu sunt corecte.",
                "Az elérhetőség vagy a jelszó nem helyes.",
                "The contact or the password is not right.",
            ),
        )]
    };
    let Ok(contact) = Contact::parse(raw) else {
        return Ok(login_page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &wrong(),
            raw,
        ));
    };
    // The desk's throttle: failures per account (the contact) and per address.
    let throttle = session::LoginThrottle::new(CITIZEN, contact.as_str(), &ctx.client(), ctx.now);
    if throttle.is_blocked(&ctx.store).await? {
        let errors = vec![(
            "contact".to_owned(),
            msg(
                lang,
                "Prea multe încercări eșuate. Reîncercați peste 15 minute sau intrați cu un cod prin SMS.",
                "Túl sok sikertelen próbálkozás. Próbálja újra 15 perc múlva.",
                "Too many failed attempts. Try again in 15 minutes or sign in with an SMS code.",
            ),
        )];
        return Ok(login_page(ctx, StatusCode::TOO_MANY_REQUESTS, &errors, raw));
    }
    let account = citizens::account_by_contact(&ctx.store, &contact).await?;
    let ok = match account.as_ref().and_then(|a| a.password_hash.as_deref()) {
        Some(hash) => session::verify_password(password, hash),
        None => {
            // The same argon2 work for an unknown account: timing tells nothing.
            let _ = session::verify_password(password, session::DUMMY_HASH);
            false
        }
    };
    let Some(account) = account.filter(|_| ok) else {
        throttle.record_failure(STORE)?;
        return Ok(login_page(ctx, StatusCode::UNAUTHORIZED, &wrong(), raw));
    };
    if !account.has_verified(&contact) {
        // Right password, contact not proven yet: send a code and ask for it.
        if may_send_code(ctx, &contact)? {
            let code = citizens::issue_code(&ctx.store, CodePurpose::Verify, &contact, "", ctx.now)
                .await?;
            send_code(ctx, &contact, &code, CodePurpose::Verify).await?;
        }
        return Ok(code_page(
            ctx,
            Step::Verify,
            StatusCode::OK,
            &[],
            Some(contact.as_str()),
            true,
        ));
    }
    start_session(ctx, &account, "/portal").await
}

// ------------------------------------------------------------------ my documents

async fn home(ctx: &Ctx) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(login_page(ctx, StatusCode::OK, &[], ""));
    };
    let today = ghiseu_core::calendar::local_date(ctx.now);
    let mut docs = Vec::new();
    for l in citizens::linked_dossiers(&ctx.store, &account.id).await? {
        let (Ok(slug), Ok(id)) = (
            TenantSlug::parse(&l.tenant),
            ghiseu_core::DossierId::parse(&l.dossier),
        ) else {
            continue;
        };
        let Some(v) = repo::get_dossier(&ctx.store, &TenantScope::new(&slug), &id).await? else {
            continue;
        };
        let token = *v.dossier.token();
        if let Some(snap) = tracking::get_snapshot(&ctx.store, &token).await? {
            let reply = (v.dossier.status() == ghiseu_core::DossierStatus::AwaitingCitizen)
                .then(|| format!("/portal/documents/{}/{}/reply", l.tenant, l.dossier));
            let issued = v
                .dossier
                .issued()
                .map(|_| format!("/portal/documents/{}/{}/issued.pdf", l.tenant, l.dossier));
            docs.push((token.to_string(), snap.view(today, lang), reply, issued));
        }
    }
    docs.sort_by_key(|d| std::cmp::Reverse(d.1.registered_at));
    let awaiting = citizens::awaiting_signature(&ctx.store, &account.id).await?;
    let orders = citizens::orders(&ctx.store, &account.id).await?;
    let registered = web::query_param(&ctx.query, "registered");
    Ok(ctx.page(StatusCode::OK, t(lang, "my_documents"), |_| {
        html! {
            h1 { (t(lang, "my_documents")) }
            @if let Some(n) = &registered { p.notice role="status" { (t(lang, "registered")) " " strong { (n) } } }
            p { a href="/portal/new" { (t(lang, "new_request")) } }
            @if docs.is_empty() && awaiting.is_empty() { p { (t(lang, "no_documents")) } }
            @for record in &awaiting {
                article.document {
                    p { (t(lang, "awaiting")) }
                    p { small { (record) } }
                    p { strong { a href={ "/portal/sign/" (record.rsplit('/').next().unwrap_or_default()) } { (t(lang, "sign")) } } }
                }
            }
            @for (token, v, reply, issued) in &docs { (pages::document(lang, token, v, reply.as_deref(), issued.as_deref())) }
            p { a href="/portal/claim" { (t(lang, "claim")) } }
            p { a href="/portal/signature" { (t(lang, "signature")) } }
            (payment::payments_list(lang, &orders))
        }
    }))
}

/// `GET /portal/documents/{tenant}/{id}/issued.pdf`: the document issued on
/// one of the citizen's own dossiers (the signed PDF when it was signed).
async fn issued_document(ctx: &Ctx, slug: &str, id: &str) -> Res {
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let not_found = || web::problem(StatusCode::NOT_FOUND, "No such document.");
    let mine = citizens::linked_dossiers(&ctx.store, &account.id)
        .await?
        .iter()
        .any(|l| l.tenant == slug && l.dossier == id);
    let (true, Ok(slug), Ok(id)) = (
        mine,
        TenantSlug::parse(slug),
        ghiseu_core::DossierId::parse(id),
    ) else {
        return Ok(not_found());
    };
    let scope = TenantScope::new(&slug);
    let Some(v) = repo::get_dossier(&ctx.store, &scope, &id).await? else {
        return Ok(not_found());
    };
    let Some(doc) = v.dossier.issued().and_then(|sha| v.dossier.document(sha)) else {
        return Ok(not_found());
    };
    let (sha, mime) = (doc.sha256, doc.media_type.mime());
    let s3 = ghiseu_platform::s3::S3Client::from_variables().await?;
    let Some(bytes) = s3.get_object(&scope.attachment_object(&sha)).await? else {
        return Ok(not_found());
    };
    let mut r = web::bytes(StatusCode::OK, mime, bytes);
    let name = format!(
        "attachment; filename=\"{}.{}\"",
        v.dossier.number(),
        doc.media_type.extension()
    );
    if let Ok(value) = http::HeaderValue::from_str(&name) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        http::HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}

// ------------------------------------------------------------------ claim

async fn institutions(store: &Store) -> ghiseu_platform::Result<Vec<(String, String)>> {
    Ok(repo::tenants(store)
        .await?
        .into_iter()
        .filter(|t| t.active)
        .map(|t| (t.slug.to_string(), t.name.to_string()))
        .collect())
}

/// The dossier a claim form names, if it exists, with the contact on it.
async fn claimed_dossier(
    ctx: &Ctx,
    form: &Form,
) -> ghiseu_platform::Result<Option<(ghiseu_core::Dossier, Option<Contact>)>> {
    let (Some(Ok(slug)), Some(Ok(number))) = (
        field(form, "institution").map(TenantSlug::parse),
        field(form, "number").map(|n| n.trim().parse::<RegistrationNumber>()),
    ) else {
        return Ok(None);
    };
    let Some(d) = repo::dossier_by_number(&ctx.store, &TenantScope::new(&slug), &number).await?
    else {
        return Ok(None);
    };
    let contact = d
        .contact()
        .phone
        .clone()
        .map(Contact::Phone)
        .or_else(|| d.contact().email.clone().map(Contact::Email));
    Ok(Some((d, contact)))
}

async fn claim(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    if field(form, "number").is_none_or(|n| n.trim().parse::<RegistrationNumber>().is_err()) {
        let errors = vec![(
            "number".to_owned(),
            msg(
                lang,
                "Scrieți numărul de pe recipisă (ex. CJC-2026-000012).",
                "Írja be az átvételi elismervényen lévő számot.",
                "Enter the number on your receipt (e.g. CJC-2026-000012).",
            ),
        )];
        return claim_form(ctx, StatusCode::UNPROCESSABLE_ENTITY, &errors, form, false).await;
    }
    if !citizens::within_limit("claim-account", &account.id, 3600, 10, ctx.now)? {
        let errors = vec![(
            "number".to_owned(),
            msg(
                lang,
                "Prea multe cereri. Reîncercați peste o oră.",
                "Túl sok kérés. Próbálja újra egy óra múlva.",
                "Too many requests. Try again in an hour.",
            ),
        )];
        return claim_form(ctx, StatusCode::TOO_MANY_REQUESTS, &errors, form, false).await;
    }
    if let Some((d, Some(contact))) = claimed_dossier(ctx, form).await?
        && may_send_code(ctx, &contact)?
    {
        let subject = format!("{}/{}", d.tenant(), d.id());
        let code =
            citizens::issue_code(&ctx.store, CodePurpose::Claim, &contact, &subject, ctx.now)
                .await?;
        send_code(ctx, &contact, &code, CodePurpose::Claim).await?;
    }
    // The same answer whether or not the dossier exists or has a contact.
    claim_form(ctx, StatusCode::OK, &[], form, true).await
}

async fn claim_form(
    ctx: &Ctx,
    status: StatusCode,
    errors: &[(String, String)],
    values: &Form,
    sent: bool,
) -> Res {
    let list = institutions(&ctx.store).await?;
    let lang = ctx.lang;
    let v = |k: &str| field(values, k).unwrap_or("").to_owned();
    Ok(ctx.page(status, t(lang, "claim"), |csrf| {
        html! {
            h1 { (t(lang, "claim")) }
            @if sent { p.notice role="status" { (t(lang, "claim_sent")) } }
            (error_summary(lang, errors))
            form method="post" action=(if sent { "/portal/claim/confirm" } else { "/portal/claim" }) novalidate {
                (pages::form_state(csrf, lang))
                label for="institution" { (t(lang, "institution")) }
                select id="institution" name="institution" {
                    @for (slug, name) in &list { option value=(slug) selected[v("institution") == *slug] { (name) } }
                }
                (input(lang, errors, "number", "number", "text", &v("number"), "off"))
                @if sent { (input(lang, errors, "code", "code", "text", "", "one-time-code")) }
                button type="submit" { (t(lang, if sent { "continue" } else { "send_code" })) }
            }
        }
    }))
}

async fn claim_confirm(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let refused = |e: CodeError| vec![("code".to_owned(), code_error(lang, e))];
    let Some((d, Some(contact))) = claimed_dossier(ctx, form).await? else {
        return claim_form(
            ctx,
            StatusCode::GONE,
            &refused(CodeError::Expired),
            form,
            true,
        )
        .await;
    };
    let Some(code) = field(form, "code") else {
        let errors = vec![(
            "code".to_owned(),
            msg(
                lang,
                "Scrieți codul primit.",
                "Írja be a kapott kódot.",
                "Enter the code you received.",
            ),
        )];
        return claim_form(ctx, StatusCode::UNPROCESSABLE_ENTITY, &errors, form, true).await;
    };
    let subject = format!("{}/{}", d.tenant(), d.id());
    if let Err(e) = citizens::check_code(CodePurpose::Claim, &contact, &subject, code, ctx.now)? {
        let status = code_status(e);
        return claim_form(ctx, status, &refused(e), form, true).await;
    }
    citizens::link_dossier(
        &account.id,
        &Linked {
            tenant: d.tenant().to_string(),
            dossier: d.id().to_string(),
        },
    )?;
    Ok(see_other("/portal"))
}
