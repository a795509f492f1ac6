//! Accounts (`/portal/register`, `/portal/verify`, `/portal/login`,
//! `/portal/login/sms/code`, `/portal/reset/confirm`, `/portal/logout`): a
//! name, an e-mail and/or a phone proven by a code, a password; signing in by
//! password or by an SMS code; a new password after a code; signing out.

use ghiseu_app::citizen::{self, CreateError};
use ghiseu_core::citizen::{Account, CodePurpose, Contact};
use ghiseu_core::notice::{self, CodeFor};
use ghiseu_core::{CitizenName, ContactError, Lang};
use ghiseu_platform::http::{Form, Response, form_field as field, form_raw, see_other, set_cookie};
use ghiseu_platform::pace::{ANSWER_FLOOR, Pace};
use ghiseu_platform::rate_limit::FixedWindow;
use ghiseu_platform::session;
use http::StatusCode;
use maud::html;

use crate::codes::{Recipient, Step, checked, code_page, may_send_code, send_code, send_notice};
use crate::ctx::{CITIZEN, Ctx, Res, SESSION_COOKIE};
use crate::pages::{Errors, errors as error_summary, form_state, input, title};
use crate::texts::{pick, t};
use crate::wording::{contact_error, password_error};
use ghiseu_platform::keys::STORE;

/// Starts a session for `account` and goes to `to`.
async fn start_session(ctx: &Ctx, account: &Account, to: &str) -> Res {
    let s = session::create(&ctx.store, CITIZEN, &account.id, ctx.now).await?;
    let (to, clear) = crate::ctx::after_sign_in(&ctx.headers, to);
    let mut r = see_other(&to);
    set_cookie(&mut r, &session::cookie(SESSION_COOKIE, &s));
    if let Some(clear) = clear {
        set_cookie(&mut r, &clear);
    }
    Ok(r)
}

pub(crate) async fn logout(ctx: &Ctx) -> Res {
    if let Some((s, _)) = &ctx.signed {
        session::destroy(&ctx.store, &s.id).await?;
    }
    let mut r = see_other("/portal/login");
    set_cookie(&mut r, &session::removed_cookie(SESSION_COOKIE));
    Ok(r)
}

/// `POST /portal/logout/everywhere`: ends every session of the account,
/// this one included (sessions started before now are refused).
pub(crate) async fn logout_everywhere(ctx: &Ctx) -> Res {
    let Some((s, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    citizen::end_sessions(&account.id, ctx.now)?;
    session::destroy(&ctx.store, &s.id).await?;
    let mut r = see_other("/portal/login");
    set_cookie(&mut r, &session::removed_cookie(SESSION_COOKIE));
    Ok(r)
}

/// The optional contact field `name` parsed by `parse`; a value that does
/// not parse is reported in `errors` (the summary names the field).
fn optional<T>(
    lang: Lang,
    form: &Form,
    name: &str,
    parse: impl Fn(&str) -> Result<T, ContactError>,
    errors: &mut Errors,
) -> Option<T> {
    match parse(field(form, name)?) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push((name.to_owned(), contact_error(lang, e)));
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
        .map_err(|e| ("password".to_owned(), password_error(lang, e)))
}

pub(crate) fn register_page(
    ctx: &Ctx,
    status: StatusCode,
    errors: &[(String, String)],
    values: &Form,
) -> Response {
    let lang = ctx.lang;
    let v = |k: &str| field(values, k).unwrap_or("").to_owned();
    ctx.page(status, &title(lang, t(lang, "register"), errors), |csrf| {
        html! {
            h1 { (t(lang, "register")) }
            (error_summary(lang, errors))
            form method="post" action="/portal/register" novalidate {
                (form_state(csrf, lang))
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

/// What a valid registration form gives: the account's name, contacts and
/// password.
struct Registration<'a> {
    name: CitizenName,
    email: Option<ghiseu_core::Email>,
    phone: Option<ghiseu_core::PhoneNumber>,
    password: &'a str,
}

/// The registration `form` asks for, or every problem with it.
fn registration(lang: Lang, form: &Form) -> Result<Registration<'_>, Errors> {
    let mut errors = Errors::new();
    let name = match field(form, "name").map(CitizenName::parse) {
        Some(Ok(n)) => Some(n),
        _ => {
            errors.push((
                "name".into(),
                pick(
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
            pick(
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
    match name {
        Some(name) if errors.is_empty() => Ok(Registration {
            name,
            email,
            phone,
            password,
        }),
        _ => Err(errors),
    }
}

pub(crate) async fn register(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let registration = match registration(lang, form) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(register_page(
                ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                form,
            ));
        }
    };
    if !citizen::within_limit(
        "register-client",
        &ctx.client(),
        FixedWindow::per_hour(10),
        ctx.now,
    )? {
        let errors = vec![(
            "name".to_owned(),
            pick(
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
    // From here the answer must not tell whether a contact has an account:
    // the same redirect, after the same time.
    let pace = Pace::start();
    let account = Account {
        id: citizen::new_account_id()?,
        name: registration.name,
        email: registration.email,
        email_verified: false,
        phone: registration.phone,
        phone_verified: false,
        password_hash: Some(session::hash_password(registration.password)?),
        lang,
        created_at: ctx.now,
        sessions_from: None,
    };
    let contacts: Vec<Contact> = account
        .phone
        .clone()
        .map(Contact::Phone)
        .into_iter()
        .chain(account.email.clone().map(Contact::Email))
        .collect();
    // A contact of an account whose closing stopped halfway is freed first.
    for c in &contacts {
        crate::my_data::finish_stopped_closing(ctx, c).await?;
    }
    match citizen::create_account(&ctx.store, &account, ctx.now).await? {
        Ok(()) => {
            for c in &contacts {
                if may_send_code(ctx, c)? {
                    let code = citizen::issue_code(&ctx.store, CodePurpose::Verify, c, "", ctx.now)
                        .await?;
                    send_code(ctx, &Recipient::of(&account, c), &code, CodeFor::Verify).await?;
                }
            }
        }
        Err(CreateError::ContactTaken(c)) => tell_owner(ctx, &c).await?,
    }
    pace.hold(ANSWER_FLOOR);
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

/// Tells the owner of `contact`, which someone just tried to register a new
/// account with, that it is already theirs (the registrant is told nothing).
async fn tell_owner(ctx: &Ctx, contact: &Contact) -> ghiseu_platform::Result<()> {
    let Some(owner) = citizen::account_by_contact(&ctx.store, contact).await? else {
        return Ok(());
    };
    // To the contact as its owner wrote it (an e-mail address may have been
    // typed in other letter cases).
    let own = match contact {
        Contact::Email(_) => owner.email.clone().map(Contact::Email),
        Contact::Phone(_) => owner.phone.clone().map(Contact::Phone),
    };
    let own = own.unwrap_or_else(|| contact.clone());
    if may_send_code(ctx, &own)? {
        let lang = owner.lang;
        let words = notice::account_exists(lang, t(lang, "portal"), owner.name.as_str());
        let to = Recipient::of(&owner, &own);
        send_notice(ctx, &to, "account-exists", words).await?;
    }
    Ok(())
}

pub(crate) async fn verify(ctx: &Ctx, form: &Form) -> Res {
    match checked(ctx, form, Step::Verify).await? {
        Err(page) => Ok(*page),
        Ok((mut account, contact)) => {
            account.mark_verified(&contact);
            citizen::put_account(&ctx.store, &account).await?;
            start_session(ctx, &account, "/portal").await
        }
    }
}

pub(crate) async fn sms_login(ctx: &Ctx, form: &Form) -> Res {
    match checked(ctx, form, Step::SignIn).await? {
        Err(page) => Ok(*page),
        Ok((account, _)) => start_session(ctx, &account, "/portal").await,
    }
}

pub(crate) async fn reset(ctx: &Ctx, form: &Form) -> Res {
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
            // Whoever was signed in with the old password is signed out.
            account.sessions_from = Some(ctx.now);
            citizen::put_account(&ctx.store, &account).await?;
            start_session(ctx, &account, "/portal").await
        }
    }
}

pub(crate) fn login_page(
    ctx: &Ctx,
    status: StatusCode,
    errors: &[(String, String)],
    contact: &str,
) -> Response {
    let lang = ctx.lang;
    ctx.page(status, &title(lang, t(lang, "login"), errors), |csrf| {
        html! {
            h1 { (t(lang, "login")) }
            (error_summary(lang, errors))
            form method="post" action="/portal/login" novalidate {
                (form_state(csrf, lang))
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

pub(crate) async fn login(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let raw = field(form, "contact").unwrap_or("");
    let password = form_raw(form, "password");
    let wrong = || {
        vec![(
            "contact".to_owned(),
            pick(
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
    // Counted before the password is checked, apart from the desk's.
    let throttle = session::LoginThrottle::new(
        session::Door::Portal,
        CITIZEN,
        &contact.identity(),
        &ctx.client(),
        ctx.now,
    );
    if !throttle.admit(STORE)? {
        let errors = vec![(
            "contact".to_owned(),
            pick(
                lang,
                "Prea multe încercări eșuate. Reîncercați peste 15 minute sau intrați cu un cod prin SMS.",
                "Túl sok sikertelen próbálkozás. Próbálja újra 15 perc múlva, vagy lépjen be SMS-kóddal.",
                "Too many failed attempts. Try again in 15 minutes or sign in with an SMS code.",
            ),
        )];
        return Ok(login_page(ctx, StatusCode::TOO_MANY_REQUESTS, &errors, raw));
    }
    // A closing of the contact's account that stopped halfway is finished
    // first: its account is nobody's.
    crate::my_data::finish_stopped_closing(ctx, &contact).await?;
    let account = citizen::account_by_contact(&ctx.store, &contact).await?;
    let ok = match account.as_ref().and_then(|a| a.password_hash.as_deref()) {
        Some(hash) => session::verify_password(password, hash),
        None => {
            // The same argon2 work for an unknown account: timing tells nothing.
            let _ = session::verify_password(password, session::DUMMY_HASH);
            false
        }
    };
    let Some(account) = account.filter(|_| ok) else {
        return Ok(login_page(ctx, StatusCode::UNAUTHORIZED, &wrong(), raw));
    };
    throttle.forgive(STORE)?;
    if !account.has_verified(&contact) {
        // Right password, contact not proven yet: send a code and ask for it.
        if may_send_code(ctx, &contact)? {
            let code =
                citizen::issue_code(&ctx.store, CodePurpose::Verify, &contact, "", ctx.now).await?;
            send_code(
                ctx,
                &Recipient::of(&account, &contact),
                &code,
                CodeFor::Verify,
            )
            .await?;
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
