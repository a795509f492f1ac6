//! The codes sent to a contact (DESIGN §9: core's `citizen` module decides
//! their form, life and attempts): sending them, throttled per contact and
//! per client; the pages that ask for a contact and for a code; checking a
//! code for a step (`/portal/verify`, `/portal/login/sms`, `/portal/reset`).
//! Answers never tell whether an account or a contact exists.

use ghiseu_app::citizen;
use ghiseu_core::Lang;
use ghiseu_core::citizen::{Account, CodeError, CodePurpose, Contact};
use ghiseu_core::notice::{self, CodeFor};
use ghiseu_platform::http::{Form, Response, form_field as field};
use ghiseu_platform::notify::{self, Message};
use ghiseu_platform::pace::{ANSWER_FLOOR, Pace};
use ghiseu_platform::rate_limit::FixedWindow;
use ghiseu_platform::session;
use http::StatusCode;
use maud::html;

use crate::ctx::{Ctx, Res};
use crate::pages::{Errors, errors as error_summary, form_state, input, title};
use crate::texts::{pick, t};

/// Codes sent to one contact per hour, and to all contacts from one client.
const CODES_PER_CONTACT_HOUR: i64 = 5;
const CODES_PER_CLIENT_HOUR: i64 = 20;

/// Who a code goes to: the contact, the language it is written in and the
/// name of the account it is for.
pub(crate) struct Recipient<'a> {
    pub(crate) contact: &'a Contact,
    pub(crate) lang: Lang,
    pub(crate) name: &'a str,
}

impl<'a> Recipient<'a> {
    /// `contact` of `account`, in the account's language.
    pub(crate) fn of(account: &'a Account, contact: &'a Contact) -> Self {
        Self {
            contact,
            lang: account.lang,
            name: account.name.as_str(),
        }
    }
}

/// Sends `code` for `what` to `to` (worded by [`ghiseu_core::notice::code`]:
/// what it is for and for whom, in the recipient's language); `false` when
/// the gateway is not configured or did not take it now (it stays queued and
/// is retried).
pub(crate) async fn send_code(
    ctx: &Ctx,
    to: &Recipient<'_>,
    code: &str,
    what: CodeFor<'_>,
) -> ghiseu_platform::Result<bool> {
    let purpose = match what {
        CodeFor::Verify => CodePurpose::Verify,
        CodeFor::SignIn => CodePurpose::SignIn,
        CodeFor::Reset => CodePurpose::Reset,
        CodeFor::Claim(_) => CodePurpose::Claim,
    };
    let words = notice::code(to.lang, t(to.lang, "portal"), what, code, to.name);
    send_notice(ctx, to, purpose.code(), words).await
}

/// Sends `words` (a notice of `kind`) to `to` by SMS or e-mail, as its
/// contact is; `false` when the gateway is not configured or did not take it
/// now (it stays queued and is retried).
pub(crate) async fn send_notice(
    ctx: &Ctx,
    to: &Recipient<'_>,
    kind: &str,
    words: notice::Notice,
) -> ghiseu_platform::Result<bool> {
    let Some(gateway) = notify::Gateway::from_variables().await? else {
        return Ok(false);
    };
    let (channel, text) = match to.contact {
        Contact::Phone(_) => (notify::Channel::Sms, words.sms),
        Contact::Email(_) => (notify::Channel::Email, words.email),
    };
    let message = Message {
        id: format!("code-{}", session::hex(&session::random_bytes::<12>()?)),
        channel,
        to: to.contact.as_str().to_owned(),
        lang: to.lang.code().to_owned(),
        subject: words.subject,
        text,
    };
    let report =
        ghiseu_app::notify::send_now(&ctx.store, &gateway, "-", kind, vec![message], ctx.now)
            .await?;
    Ok(report.delivered == 1)
}

/// Whether another code may be sent to `contact` from this client now:
/// [`client_may_ask`], then [`contact_may_receive`].
pub(crate) fn may_send_code(ctx: &Ctx, contact: &Contact) -> ghiseu_platform::Result<bool> {
    Ok(client_may_ask(ctx)? && contact_may_receive(ctx, contact)?)
}

/// Counts a code asked for by this client and says whether it is within the
/// client's hourly limit (the same for every contact, known or not).
pub(crate) fn client_may_ask(ctx: &Ctx) -> ghiseu_platform::Result<bool> {
    citizen::within_limit(
        "code-client",
        &ctx.client(),
        FixedWindow::per_hour(CODES_PER_CLIENT_HOUR),
        ctx.now,
    )
}

/// Counts a message about to go to `contact` (a code or a notice) and says
/// whether it is within the contact's hourly limit. Called only for a
/// contact that belongs to an account or a dossier: asking for codes for an
/// unknown number never uses up the messages of its future owner.
pub(crate) fn contact_may_receive(ctx: &Ctx, contact: &Contact) -> ghiseu_platform::Result<bool> {
    citizen::within_limit(
        "code-contact",
        &contact.identity(),
        FixedWindow::per_hour(CODES_PER_CONTACT_HOUR),
        ctx.now,
    )
}

/// 422 for a wrong guess (the form may be tried again), 410 for a code that
/// can no longer work (used, expired, dead).
pub(crate) fn code_status(e: CodeError) -> StatusCode {
    if matches!(e, CodeError::Wrong { .. }) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::GONE
    }
}

/// A refused code in words (see [`crate::wording`]).
pub(crate) use crate::wording::code_error;

/// What a code is asked for: proving a contact, signing in by SMS, or a new
/// password.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
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

    fn code_for(self) -> CodeFor<'static> {
        match self {
            Self::Verify => CodeFor::Verify,
            Self::SignIn => CodeFor::SignIn,
            Self::Reset => CodeFor::Reset,
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
pub(crate) fn contact_page(
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
    ctx.page(
        status,
        &title(lang, t(lang, step.title()), errors),
        |csrf| {
            html! {
                h1 { (t(lang, step.title())) }
                (error_summary(lang, errors))
                form method="post" action=(step.request_action()) novalidate {
                    (form_state(csrf, lang))
                    (input(lang, errors, "contact", label, kind, contact, "username"))
                    button type="submit" { (t(lang, "send_code")) }
                }
            }
        },
    )
}

/// The code form (with a new password for a reset).
pub(crate) fn code_page(
    ctx: &Ctx,
    step: Step,
    status: StatusCode,
    errors: &[(String, String)],
    contact: Option<&str>,
    sent: bool,
) -> Response {
    let lang = ctx.lang;
    ctx.page(status, &title(lang, t(lang, step.title()), errors), |csrf| {
        html! {
            h1 { (t(lang, step.title())) }
            @if sent || step == Step::Verify { p.notice role="status" { (t(lang, "code_sent")) } }
            (error_summary(lang, errors))
            form method="post" action=(step.confirm_action()) novalidate {
                (form_state(csrf, lang))
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
pub(crate) async fn request_code(ctx: &Ctx, form: &Form, step: Step) -> Res {
    let lang = ctx.lang;
    let Some(contact) = contact_of(form) else {
        let errors = vec![(
            "contact".to_owned(),
            pick(
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
            pick(
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
    if !client_may_ask(ctx)? {
        let errors = vec![(
            "contact".to_owned(),
            pick(
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
    // Past the contact's own limit the answer stays the same, after the
    // same time: it must not tell that the contact has an account.
    let pace = Pace::start();
    if let Some(account) = citizen::account_by_contact(&ctx.store, &contact).await?
        && (account.has_verified(&contact) || step == Step::Reset && !account.is_verified())
        && contact_may_receive(ctx, &contact)?
    {
        let code = citizen::issue_code(&ctx.store, step.purpose(), &contact, "", ctx.now).await?;
        send_code(
            ctx,
            &Recipient::of(&account, &contact),
            &code,
            step.code_for(),
        )
        .await?;
    }
    pace.hold(ANSWER_FLOOR);
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
pub(crate) async fn checked(
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
                pick(
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
                pick(
                    lang,
                    "Scrieți codul primit.",
                    "Írja be a kapott kódot.",
                    "Enter the code you received.",
                ),
            )],
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    match citizen::check_code(step.purpose(), &contact, "", code, ctx.now)? {
        Ok(()) => {}
        Err(e) => {
            let status = code_status(e);
            return Ok(refuse(vec![("code".into(), code_error(lang, e))], status));
        }
    }
    match citizen::account_by_contact(&ctx.store, &contact).await? {
        Some(a) => Ok(Ok((a, contact))),
        None => Ok(refuse(
            vec![("code".into(), code_error(lang, CodeError::Expired))],
            StatusCode::GONE,
        )),
    }
}
