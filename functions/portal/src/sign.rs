//! The citizen signs a waiting cerere with an OTP (DESIGN §5, signing), then
//! the dossier is registered through the one registration path with the
//! signed cerere as its document. The use case is
//! `ghiseu_app::signing::citizen` (the desk's pipeline); this file reads the
//! session, the configuration and the clock, and words and renders the
//! outcome.
//!
//! - `GET /portal/sign/{sha256}`: the request waiting for its qualified
//!   signature (by its cerere's hash); without a credential, the purchase.
//! - `POST /portal/sign/{sha256}`: prepares the PAdES signature of the stored
//!   cerere (`ghiseu_pades::prepare`, the prepared PDF kept in the tenant's
//!   files), computes the hash the provider will sign (`signed_attributes` of
//!   the signer's certificate), asks the provider to send a code
//!   (`credentials/sendOTP`), and shows the hash and a code field. Posting
//!   again sends a new code for the same prepared document.
//! - `POST /portal/sign/{sha256}/confirm` (`code`): `credentials/authorize`
//!   of that one hash with the code, `signatures/signHash`,
//!   `ghiseu_pades::finish`, the signed PDF stored content-addressed, then the
//!   registration and the request off the waiting list. A wrong code is
//!   explained and may be typed again; after 5 the provider refuses and the
//!   page offers a new code. A second submit registers nothing twice: the
//!   move from prepared to signed is one leased replace, and only its
//!   winner registers.

use ghiseu_app::citizen::{self, AwaitingRequest};
use ghiseu_app::signing::Config;
use ghiseu_app::signing::citizen::{self as signing, Outcome, Service, Waiting};
use ghiseu_core::Lang;
use ghiseu_core::citizen::Account;
use ghiseu_platform::Outbound;
use ghiseu_platform::csc::{self, Client, Refusal};
use ghiseu_platform::http::{Form, form_field as field, see_other};
use http::StatusCode;
use maud::html;

use crate::ctx::{Ctx, Res};
use crate::pages::form_state;
use crate::texts::{pick, t};

/// What a page about signing shows besides the request.
enum View {
    /// The first page: send a code.
    Start,
    /// A code was sent: the hash and the code field (with a problem).
    Code {
        hash: String,
        problem: Option<String>,
    },
    /// The code can no longer work: only "send a new code".
    NewCode(String),
    /// Something the citizen cannot fix now.
    Problem(String),
}

/// The signed-in account, if any.
fn account(ctx: &Ctx) -> Option<&Account> {
    ctx.signed.as_ref().map(|(_, account)| account)
}

fn page(ctx: &Ctx, status: StatusCode, sha: &str, request: &AwaitingRequest, view: &View) -> Res {
    let lang = ctx.lang;
    Ok(ctx.page(status, t(lang, "sign"), |csrf| {
        html! {
            h1 { (t(lang, "sign")) }
            p { (t(lang, "sign_intro")) }
            p { small { (request.tenant) " · " (request.document_type) " · cerere.pdf" } }
            @match view {
                View::Start => {
                    form method="post" action={ "/portal/sign/" (sha) } {
                        (form_state(csrf, lang))
                        button type="submit" { (t(lang, "send_sign_code")) }
                    }
                }
                View::Code { hash, problem } => {
                    p.notice role="status" { (t(lang, "sign_code_sent")) }
                    dl {
                        dt { (t(lang, "sign_document")) } dd { code { (sha) } }
                        dt { (t(lang, "sign_hash")) } dd { code { (hash) } }
                    }
                    @if let Some(p) = problem {
                        div.error-summary role="alert" { p.error { a href="#code" { (p) } } }
                    }
                    form method="post" action={ "/portal/sign/" (sha) "/confirm" } novalidate {
                        (form_state(csrf, lang))
                        label for="code" { (t(lang, "code")) }
                        @if let Some(p) = problem { p.error id="code-error" { (p) } }
                        input id="code" name="code" inputmode="numeric" autocomplete="one-time-code"
                            aria-invalid=[problem.as_ref().map(|_| "true")]
                            aria-describedby=[problem.as_ref().map(|_| "code-error")];
                        button type="submit" { (t(lang, "sign")) }
                    }
                    form method="post" action={ "/portal/sign/" (sha) } {
                        (form_state(csrf, lang))
                        button type="submit" { (t(lang, "send_new_code")) }
                    }
                }
                View::NewCode(p) => {
                    p.error role="alert" { (p) }
                    form method="post" action={ "/portal/sign/" (sha) } {
                        (form_state(csrf, lang))
                        button type="submit" { (t(lang, "send_new_code")) }
                    }
                }
                View::Problem(p) => { p.error role="alert" { (p) } }
            }
        }
    }))
}

fn not_found() -> Res {
    Ok(ghiseu_platform::http::problem(
        StatusCode::NOT_FOUND,
        "No such request waiting for a signature.",
    ))
}

fn unavailable(lang: Lang) -> String {
    pick(
        lang,
        "Serviciul de semnare nu răspunde acum. Reîncercați peste câteva minute.",
        "Az aláírási szolgáltatás most nem válaszol. Próbálja újra néhány perc múlva.",
        "The signing service does not answer now. Try again in a few minutes.",
    )
}

/// The page saying the signing service does not answer now.
fn unavailable_page(ctx: &Ctx, status: StatusCode, sha: &str, request: &AwaitingRequest) -> Res {
    page(
        ctx,
        status,
        sha,
        request,
        &View::Problem(unavailable(ctx.lang)),
    )
}

/// Where a finished signing sends the citizen.
fn registered(number: &str) -> Res {
    Ok(see_other(&format!("/portal?registered={number}")))
}

/// The account's credential, or the purchase page.
async fn credential(ctx: &Ctx, account: &Account) -> ghiseu_platform::Result<Option<String>> {
    citizen::signing_credential(&ctx.store, &account.id).await
}

/// What the citizen's signing needs: the object store, the signing service
/// and the timestamp authority (`tsa_url`, as the desk's: one pipeline).
struct Setup {
    out: Outbound,
    client: Client,
    config: Config,
}

impl Setup {
    /// `None` when remote signing is not configured (`csc_url`).
    async fn new() -> ghiseu_platform::Result<Option<Self>> {
        let Some(client) = csc::Config::from_variables().await.ok().flatten() else {
            return Ok(None);
        };
        Ok(Some(Self {
            out: Outbound::from_variables().await?,
            client: Client::new(client),
            config: Config::new(&ghiseu_platform::config::variable_or_empty("tsa_url"), ""),
        }))
    }

    fn service<'a>(&'a self, ctx: &'a Ctx) -> Service<'a> {
        Service {
            store: &ctx.store,
            out: &self.out,
            client: &self.client,
            config: &self.config,
        }
    }
}

/// `GET /portal/sign/{sha}`.
pub async fn show(ctx: &Ctx, sha: &str) -> Res {
    let Some(account) = account(ctx) else {
        return not_found();
    };
    let Some(waiting) = signing::waiting(&ctx.store, account, sha).await? else {
        return not_found();
    };
    if credential(ctx, account).await?.is_none() {
        return Ok(see_other("/portal/signature"));
    }
    if let Some(number) = signing::registered(&ctx.store, account, sha).await? {
        return registered(&number);
    }
    page(ctx, StatusCode::OK, sha, &waiting.request, &View::Start)
}

/// `POST /portal/sign/{sha}`: prepare (once) and send a code.
pub async fn start(ctx: &Ctx, sha: &str) -> Res {
    let Some(account) = account(ctx) else {
        return not_found();
    };
    let Some(waiting) = signing::waiting(&ctx.store, account, sha).await? else {
        return not_found();
    };
    let Some(credential_id) = credential(ctx, account).await? else {
        return Ok(see_other("/portal/signature"));
    };
    let Some(setup) = Setup::new().await? else {
        return unavailable_page(ctx, StatusCode::SERVICE_UNAVAILABLE, sha, &waiting.request);
    };
    let outcome = signing::start(&setup.service(ctx), &waiting, &credential_id, ctx.now).await;
    answer(ctx, &waiting, outcome)
}

/// `POST /portal/sign/{sha}/confirm`.
pub async fn confirm(ctx: &Ctx, sha: &str, form: &Form) -> Res {
    let Some(account) = account(ctx) else {
        return not_found();
    };
    let Some(waiting) = signing::waiting(&ctx.store, account, sha).await? else {
        // Registered meanwhile (a double submit): where the first one went.
        if let Some(number) = signing::registered(&ctx.store, account, sha).await? {
            return registered(&number);
        }
        return not_found();
    };
    let code: String = field(form, "code")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let code = (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())).then_some(code);
    let Some(setup) = Setup::new().await? else {
        return unavailable_page(ctx, StatusCode::SERVICE_UNAVAILABLE, sha, &waiting.request);
    };
    let outcome = signing::confirm(&setup.service(ctx), &waiting, code.as_deref(), ctx.now).await;
    answer(ctx, &waiting, outcome)
}

/// The page (or the redirect) of where a signing step ended.
fn answer(ctx: &Ctx, waiting: &Waiting<'_>, outcome: ghiseu_app::Result<Outcome>) -> Res {
    let (lang, sha, request) = (ctx.lang, waiting.sha.as_str(), &waiting.request);
    let code_view = |hash: String, problem: Option<String>| View::Code { hash, problem };
    let outcome = match outcome {
        Ok(o) => o,
        Err(ghiseu_app::Error::Platform(e)) => return Err(e),
        Err(e) => {
            return Err(ghiseu_platform::Error::Corrupt {
                key: format!("signing/{sha}"),
                detail: format!("{e:?}"),
            });
        }
    };
    let (status, view) = match outcome {
        Outcome::Registered(number) => return registered(&number),
        Outcome::Moved => return Ok(see_other("/portal")),
        Outcome::CodeSent(hash) => (StatusCode::OK, code_view(hash, None)),
        Outcome::NotStarted => (StatusCode::CONFLICT, View::Start),
        Outcome::Busy => (
            StatusCode::CONFLICT,
            View::Problem(t(lang, "sign_in_progress").to_owned()),
        ),
        Outcome::Malformed(hash) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            code_view(hash, Some(t(lang, "code_format").to_owned())),
        ),
        Outcome::Refused(refusal, hash) => match refused(lang, refusal) {
            Some((p, true)) => (StatusCode::UNPROCESSABLE_ENTITY, code_view(hash, Some(p))),
            Some((p, false)) => (StatusCode::GONE, View::NewCode(p)),
            None => (StatusCode::BAD_GATEWAY, View::Problem(unavailable(lang))),
        },
        Outcome::Unavailable => (StatusCode::BAD_GATEWAY, View::Problem(unavailable(lang))),
        Outcome::Spent => (StatusCode::BAD_GATEWAY, View::NewCode(unavailable(lang))),
    };
    page(ctx, status, sha, request, &view)
}

/// The citizen's words for the provider's refusal of a code, and whether
/// the same code field may be tried again.
fn refused(lang: Lang, refusal: Refusal) -> Option<(String, bool)> {
    let words = match refusal {
        Refusal::WrongCode {
            attempts_left: Some(n),
        } => match lang {
            Lang::Ro => format!("Codul nu este corect (mai aveți {n} încercări)."),
            Lang::Hu => format!("A kód nem helyes (még {n} próbálkozás)."),
            Lang::En => format!("The code is not right ({n} attempts left)."),
        },
        Refusal::WrongCode {
            attempts_left: None,
        } => t(lang, "code_wrong").to_owned(),
        Refusal::Spent => t(lang, "code_spent").to_owned(),
        Refusal::Locked => t(lang, "code_locked").to_owned(),
        Refusal::Expired => t(lang, "code_expired").to_owned(),
        Refusal::Other => return None,
    };
    Some((words, refusal.may_retry()))
}
