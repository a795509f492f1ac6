//! The citizen signs a waiting cerere with an OTP (DESIGN §5, signing), then
//! the dossier is registered through the one registration path with the
//! signed cerere as its document. The use case is
//! `ghiseu_app::signing::citizen` (the desk's pipeline); this file reads the
//! session, the configuration and the clock, and words and renders the
//! outcome.
//!
//! - `GET /portal/sign/{sha256}`: the request waiting for its qualified
//!   signature (by its cerere's hash), shown by its institution's name, its
//!   document type's title in the reader's language and its date, with a
//!   link to the PDF that will be signed; no key and no hash (they stay in
//!   the PDF and on the verification page). Without a signing certificate
//!   the page says why one is needed, what it costs and that it is bought
//!   once, and links to `/portal/signature`. A request whose type has a fee
//!   shows it ("Taxă: 25 lei", paid with its receipt number, or due); a due
//!   fee is paid first (pay, then sign: see `ghiseu_app::signing::citizen`),
//!   so the page offers the payment ([`crate::fees`]) instead of a code.
//! - `GET /portal/sign/{sha256}/cerere.pdf`: that PDF, inline, to its owner
//!   only (404 to anyone else): the stored cerere whose SHA-256 is the path's,
//!   the bytes the signed PDF begins with.
//! - `POST /portal/sign/{sha256}`: prepares the PAdES signature of the stored
//!   cerere (`ghiseu_pades::prepare`, the prepared PDF kept in the tenant's
//!   files), computes the hash the provider will sign (`signed_attributes` of
//!   the signer's certificate), asks the provider to send a code
//!   (`credentials/sendOTP`), and shows a code field. Posting again sends a
//!   new code for the same prepared document.
//! - `POST /portal/sign/{sha256}/confirm` (`code`): `credentials/authorize`
//!   of that one hash with the code, `signatures/signHash`,
//!   `ghiseu_pades::finish`, the signed PDF stored content-addressed, then the
//!   registration and the request off the waiting list. A wrong code is
//!   explained and may be typed again; after 5 the provider refuses and the
//!   page offers a new code. A second submit registers nothing twice: the
//!   move from prepared to signed is one leased replace, and only its
//!   winner registers.

use ghiseu_app::citizen::fees::Fee;
use ghiseu_app::citizen::{self, AwaitingRequest, Described};
use ghiseu_app::signing::Config;
use ghiseu_app::signing::citizen::{self as signing, Outcome, Service};
use ghiseu_core::Lang;
use ghiseu_core::citizen::Account;
use ghiseu_core::payment::{SIGNATURE_PRICE_MINOR, format_amount};
use ghiseu_platform::Outbound;
use ghiseu_platform::csc::{self, Client, Refusal};
use ghiseu_platform::http::{self as web, Form, form_field as field, see_other};
use http::{HeaderValue, StatusCode, header};
use maud::{Markup, html};

use crate::ctx::{Ctx, Res};
use crate::pages::form_state;
use crate::pending::{Shown, failure, fee_row, page_path, pay_form, request_rows, shown};
use crate::texts::{pick, t};

/// What a page about signing shows besides the request.
enum View {
    /// The first page: send a code.
    Start,
    /// No signing certificate yet: why one is needed, and where to get it.
    NoCredential,
    /// The fee is not paid yet: it is paid first.
    FeeDue,
    /// A code was sent: the code field (with a problem).
    Code { problem: Option<String> },
    /// The code can no longer work: only "send a new code".
    NewCode(String),
    /// Something the citizen cannot fix now.
    Problem(String),
}

/// The signed-in account, if any.
fn account(ctx: &Ctx) -> Option<&Account> {
    ctx.signed.as_ref().map(|(_, account)| account)
}

/// The request as the citizen reads it: the institution, the document
/// type's title in the reader's language, the day it was filled in, its fee
/// (`fee`), and the PDF that will be signed (no key, no hash: they stay in
/// the PDF and on the verification page).
fn summary(
    lang: Lang,
    sha: &str,
    (request, described): (&AwaitingRequest, &Described),
    fee: &Fee,
) -> Markup {
    html! {
        (request_rows(lang, request, described, fee_row(lang, fee)))
        p {
            a href={ "/portal/sign/" (sha) "/cerere.pdf" } type="application/pdf" {
                (pick(lang, "Citiți cererea (PDF)", "A kérelem elolvasása (PDF)", "Read the request (PDF)"))
            }
            br;
            small { (pick(
                lang,
                "Este documentul exact pe care îl semnați.",
                "Pontosan ezt a dokumentumot írja alá.",
                "It is exactly the document you sign.",
            )) }
        }
    }
}

/// Why signing needs a certificate, what it costs, and where to get it.
fn no_credential(lang: Lang) -> Markup {
    let price = format_amount(SIGNATURE_PRICE_MINOR);
    html! {
        h2 { (pick(lang, "Aveți nevoie de un certificat de semnătură", "Aláírási tanúsítványra van szüksége", "You need a signing certificate")) }
        p { (pick(
            lang,
            "Această cerere se depune cu semnătură electronică calificată, care are aceeași valoare ca semnătura de mână. Pentru ea aveți nevoie de un certificat de semnătură pe numele dumneavoastră.",
            "Ezt a kérelmet minősített elektronikus aláírással kell benyújtani, amely egyenértékű a saját kezű aláírással. Ehhez egy az Ön nevére szóló aláírási tanúsítvány kell.",
            "This request must carry a qualified electronic signature, which has the same value as a handwritten one. For it you need a signing certificate in your name.",
        )) }
        p { (match lang {
            Lang::Ro => format!("Certificatul costă {price} lei, se plătește o singură dată cu cardul și vă servește pentru toate cererile următoare. Codurile de semnare vă vin prin SMS."),
            Lang::Hu => format!("A tanúsítvány ára {price} lej, egyszer kell kártyával kifizetni, és minden további kérelméhez használható. Az aláíró kódokat SMS-ben kapja."),
            Lang::En => format!("The certificate costs {price} lei, is paid once by card and serves for all your later requests. Signing codes come by SMS."),
        }) }
        p { (pick(
            lang,
            "Cererea rămâne aici, nesemnată și neînregistrată, până reveniți.",
            "A kérelem itt marad aláíratlanul és iktatás nélkül, amíg vissza nem tér.",
            "The request stays here, unsigned and not registered, until you come back.",
        )) }
        p { a.button href="/portal/signature" { (pick(lang, "Obțineți certificatul de semnătură", "Aláírási tanúsítvány beszerzése", "Get a signing certificate")) } }
    }
}

fn page(ctx: &Ctx, status: StatusCode, shown: &Shown<'_>, view: &View) -> Res {
    let lang = ctx.lang;
    let sha = shown.waiting.sha.as_str();
    let request = (&shown.waiting.request, &shown.described);
    Ok(ctx.page(status, t(lang, "sign"), |csrf| {
        html! {
            h1 { (t(lang, "sign")) }
            @if !matches!(view, View::NoCredential | View::FeeDue) { p { (t(lang, "sign_intro")) } }
            (summary(lang, sha, request, &shown.fee))
            @match view {
                View::FeeDue => {
                    p { (t(lang, "fee_then_sign")) }
                    (pay_form(csrf, lang, sha, t(lang, "pay_fee")))
                }
                View::Start => {
                    form method="post" action={ "/portal/sign/" (sha) } {
                        (form_state(csrf, lang))
                        button type="submit" { (t(lang, "send_sign_code")) }
                    }
                }
                View::NoCredential => { (no_credential(lang)) }
                View::Code { problem } => {
                    p.notice role="status" { (t(lang, "sign_code_sent")) }
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
fn unavailable_page(ctx: &Ctx, status: StatusCode, shown: &Shown<'_>) -> Res {
    page(ctx, status, shown, &View::Problem(unavailable(ctx.lang)))
}

/// Where a finished signing sends the citizen.
fn registered(number: &str) -> Res {
    Ok(see_other(&format!("/portal?registered={number}")))
}

/// The account's signing credential, if it has one.
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

/// `GET /portal/sign/{sha}`: the request and "send the signing code", or,
/// without a signing certificate, why one is needed and where to get it.
pub async fn show(ctx: &Ctx, sha: &str) -> Res {
    let Some(shown) = shown(ctx, sha).await? else {
        return not_found();
    };
    let account = shown.waiting.account;
    if let Some(number) = signing::registered(&ctx.store, account, sha).await? {
        return registered(&number);
    }
    let view = match credential(ctx, account).await? {
        _ if matches!(shown.fee, Fee::Due(_)) => View::FeeDue,
        Some(_) => View::Start,
        None => View::NoCredential,
    };
    page(ctx, StatusCode::OK, &shown, &view)
}

/// `GET /portal/sign/{sha}/cerere.pdf`: the cerere exactly as it will be
/// signed (its SHA-256 is `sha`), shown in the browser, to its owner only.
pub async fn cerere(ctx: &Ctx, sha: &str) -> Res {
    let Some(account) = account(ctx) else {
        return not_found();
    };
    let Some(waiting) = signing::waiting(&ctx.store, account, sha).await? else {
        return not_found();
    };
    let files = ghiseu_platform::s3::S3Client::from_variables().await?;
    let bytes = signing::cerere(&files, &waiting)
        .await
        .map_err(|e| failure(sha, e))?;
    let mut r = web::bytes(StatusCode::OK, "application/pdf", bytes);
    let headers = r.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_DISPOSITION,
            "inline; filename=\"cerere.pdf\"",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "private, no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    Ok(r)
}

/// `POST /portal/sign/{sha}`: prepare (once) and send a code; without a
/// certificate, back to the page that says why one is needed.
pub async fn start(ctx: &Ctx, sha: &str) -> Res {
    let Some(shown) = shown(ctx, sha).await? else {
        return not_found();
    };
    let Some(credential_id) = credential(ctx, shown.waiting.account).await? else {
        return Ok(see_other(&format!("/portal/sign/{sha}")));
    };
    let Some(setup) = Setup::new().await? else {
        return unavailable_page(ctx, StatusCode::SERVICE_UNAVAILABLE, &shown);
    };
    let outcome =
        signing::start(&setup.service(ctx), &shown.waiting, &credential_id, ctx.now).await;
    answer(ctx, &shown, outcome)
}

/// `POST /portal/sign/{sha}/confirm`.
pub async fn confirm(ctx: &Ctx, sha: &str, form: &Form) -> Res {
    let Some(shown) = shown(ctx, sha).await? else {
        // Registered meanwhile (a double submit): where the first one went.
        if let Some(account) = account(ctx)
            && let Some(number) = signing::registered(&ctx.store, account, sha).await?
        {
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
        return unavailable_page(ctx, StatusCode::SERVICE_UNAVAILABLE, &shown);
    };
    let outcome = signing::confirm(
        &setup.service(ctx),
        &shown.waiting,
        code.as_deref(),
        ctx.now,
    )
    .await;
    answer(ctx, &shown, outcome)
}

/// The page (or the redirect) of where a signing step ended. The hash a
/// code authorizes is not shown: it is in the signed PDF and on the
/// verification page.
fn answer(ctx: &Ctx, shown: &Shown<'_>, outcome: ghiseu_app::Result<Outcome>) -> Res {
    let (lang, sha) = (ctx.lang, shown.waiting.sha.as_str());
    let code_view = |problem: Option<String>| View::Code { problem };
    let outcome = outcome.map_err(|e| failure(sha, e))?;
    let (status, view) = match outcome {
        Outcome::Registered(number) => return registered(&number),
        Outcome::Moved => return Ok(see_other("/portal")),
        Outcome::FeeDue => return Ok(see_other(&page_path(sha))),
        Outcome::CodeSent(_) => (StatusCode::OK, code_view(None)),
        Outcome::NotStarted => (StatusCode::CONFLICT, View::Start),
        Outcome::Busy => (
            StatusCode::CONFLICT,
            View::Problem(t(lang, "sign_in_progress").to_owned()),
        ),
        Outcome::Malformed(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            code_view(Some(t(lang, "code_format").to_owned())),
        ),
        Outcome::Refused(refusal, _) => match refused(lang, refusal) {
            Some((p, true)) => (StatusCode::UNPROCESSABLE_ENTITY, code_view(Some(p))),
            Some((p, false)) => (StatusCode::GONE, View::NewCode(p)),
            None => (StatusCode::BAD_GATEWAY, View::Problem(unavailable(lang))),
        },
        Outcome::Unavailable => (StatusCode::BAD_GATEWAY, View::Problem(unavailable(lang))),
        Outcome::Spent => (StatusCode::BAD_GATEWAY, View::NewCode(unavailable(lang))),
    };
    page(ctx, status, shown, &view)
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
