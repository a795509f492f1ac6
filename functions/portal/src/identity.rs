//! Identity before a qualified credential (issue 17, item 8): the portal's
//! side of the signing provider's remote identification
//! ([`ghiseu_platform::identity`], use cases in `ghiseu_app::citizen::identity`).
//!
//! The routes (rendered by `payment.rs`, which shows the signature page with
//! a problem this module reports):
//! - `POST /portal/signature/identity`: continue the identification — the
//!   pending one's hosted page, or a new identification when there is none
//!   or the last one failed — by a 303 to the provider's page. Only after a
//!   payment; never a second payment.
//! - `GET /portal/signature/identity`: where the provider sends the browser
//!   back. The portal believes nothing the browser brings (its query is
//!   ignored): it asks the provider server-to-server where the account's
//!   identification is, keeps the answer, enrolls the credential once it is
//!   verified, and shows `/portal/signature` (303).
//!
//! [`stage`] renders where the purchase is on the signature page: paid and
//! identification pending ("Continuă identificarea"), failed and why, or the
//! credential ready in the verified name.

use ghiseu_app::citizen;
use ghiseu_core::Lang;
use ghiseu_core::citizen::Account;
use ghiseu_core::identity::{CredentialStage, IdentityFailure};
use ghiseu_platform::http::{self as web, see_other};
use ghiseu_platform::identity::Onboarding;
use http::StatusCode;
use maud::{Markup, html};

use crate::ctx::Ctx;
use crate::pages::form_state;
use crate::texts::{pick, t};

/// A redirect, or a problem the signature page shows (status, text).
pub type Next = ghiseu_platform::Result<Result<web::Response, (StatusCode, String)>>;

/// The path the provider returns the browser to.
pub const RETURN_PATH: &str = "/portal/signature/identity";

/// Why the identification failed, for the citizen.
pub fn failure_text(lang: Lang, failure: IdentityFailure) -> String {
    match failure {
        IdentityFailure::CnpFormat => pick(
            lang,
            "CNP-ul trebuie să aibă exact 13 cifre.",
            "A személyi számnak (CNP) pontosan 13 számjegyből kell állnia.",
            "The CNP must have exactly 13 digits.",
        ),
        IdentityFailure::CnpChecksum => pick(
            lang,
            "CNP-ul nu este corect: cifra de control nu se potrivește. Verificați-l în actul de identitate.",
            "A személyi szám (CNP) hibás: az ellenőrző számjegy nem egyezik. Ellenőrizze a személyi okmányban.",
            "The CNP is not correct: its check digit does not match. Check it in your identity document.",
        ),
        IdentityFailure::CnpContent => pick(
            lang,
            "CNP-ul conține o dată, un județ sau un număr de ordine care nu există.",
            "A személyi szám (CNP) nem létező dátumot, megyét vagy sorszámot tartalmaz.",
            "The CNP holds a date, county or serial number that does not exist.",
        ),
        IdentityFailure::BirthDate => pick(
            lang,
            "Data nașterii din CNP nu permite eliberarea semnăturii: titularul trebuie să aibă cel puțin 18 ani.",
            "A személyi számban (CNP) szereplő születési dátum alapján az aláírás nem adható ki: a tulajdonosnak legalább 18 évesnek kell lennie.",
            "The birth date in the CNP does not allow the signature: its holder must be at least 18 years old.",
        ),
        IdentityFailure::Document => pick(
            lang,
            "Seria sau numărul actului nu au forma corectă (cartea de identitate: 2 litere și 6 cifre; pașaportul: 8 sau 9 cifre).",
            "Az okmány sorozata vagy száma nem megfelelő formájú (személyi igazolvány: 2 betű és 6 számjegy; útlevél: 8 vagy 9 számjegy).",
            "The document's series or number is not in the right form (identity card: 2 letters and 6 digits; passport: 8 or 9 digits).",
        ),
        IdentityFailure::Name => pick(
            lang,
            "Numele și prenumele trebuie scrise ca în act, doar cu litere, spații, cratime și apostrofuri.",
            "A vezeték- és utónevet úgy kell írni, mint az okmányban: csak betűk, szóközök, kötőjelek és aposztrófok.",
            "Surname and given names must be written as in the document: letters, spaces, hyphens and apostrophes only.",
        ),
        IdentityFailure::Expired => pick(
            lang,
            "Verificarea identității nu a fost terminată la timp.",
            "A személyazonosság ellenőrzése nem fejeződött be időben.",
            "The identity check was not finished in time.",
        ),
        IdentityFailure::Other => pick(
            lang,
            "Furnizorul de semnătură nu a putut confirma identitatea.",
            "Az aláírás-szolgáltató nem tudta megerősíteni a személyazonosságot.",
            "The signing provider could not confirm the identity.",
        ),
    }
}

fn identify_button(csrf: &str, lang: Lang, label: &str) -> Markup {
    html! {
        form method="post" action=(RETURN_PATH) {
            (form_state(csrf, lang))
            button type="submit" { (label) }
        }
    }
}

/// Where the purchase is, with what the citizen can do next (not for
/// [`CredentialStage::Buy`], which the payment page renders).
pub fn stage(csrf: &str, lang: Lang, stage: &CredentialStage) -> Markup {
    let why = pick(
        lang,
        "Plata a fost primită. Înainte de a emite semnătura calificată, furnizorul de semnătură vă verifică identitatea: actul de identitate, CNP-ul și numele, ca în act. Durează un minut.",
        "A fizetés megérkezett. A minősített aláírás kiadása előtt az aláírás-szolgáltató ellenőrzi személyazonosságát: a személyi okmányt, a személyi számot (CNP) és a nevet, ahogy az okmányban szerepel. Egy percig tart.",
        "Your payment was received. Before the qualified signature is issued, the signing provider checks your identity: your identity document, CNP and name as written in it. It takes a minute.",
    );
    html! {
        @match stage {
            CredentialStage::Buy => {},
            CredentialStage::Identify { started } => {
                p.notice role="status" { (why) }
                (identify_button(csrf, lang, &if *started {
                    pick(lang, "Continuă identificarea", "Az azonosítás folytatása", "Continue identification")
                } else {
                    pick(lang, "Începe identificarea", "Az azonosítás megkezdése", "Start identification")
                }))
            },
            CredentialStage::Retry(failure) => {
                p.error role="alert" {
                    (pick(lang, "Identitatea nu a fost confirmată: ", "A személyazonosság nincs megerősítve: ", "Your identity was not confirmed: "))
                    (failure_text(lang, *failure))
                }
                p { (pick(lang, "Plata rămâne înregistrată; încercați din nou, fără să plătiți încă o dată.",
                    "A fizetés rögzítve marad; próbálja újra, újabb fizetés nélkül.",
                    "Your payment stays recorded; try again, without paying again.")) }
                (identify_button(csrf, lang, t(lang, "try_again")))
            },
            CredentialStage::Enroll(name) => {
                p.notice { (t(lang, "credential_pending")) " "
                    (pick(lang, "Identitate verificată: ", "Ellenőrzött személyazonosság: ", "Identity verified: "))
                    strong { (name.full()) } }
                form method="post" action="/portal/signature/enroll" {
                    (form_state(csrf, lang))
                    button type="submit" { (t(lang, "retry")) }
                }
            },
            CredentialStage::Ready(name) => {
                p.notice role="status" {
                    (t(lang, "credential_active"))
                    @if let Some(name) = name {
                        " " (pick(lang, "Certificatul este pe numele ", "A tanúsítvány neve: ", "The certificate is in the name of "))
                        strong { (name.full()) } "."
                    }
                }
            },
        }
    }
}

/// The citizen's stage: paid or not, their identification, their credential.
pub async fn stage_of(
    ctx: &Ctx,
    account: &Account,
    paid: bool,
) -> ghiseu_platform::Result<CredentialStage> {
    let credential = citizen::signing_credential(&ctx.store, &account.id).await?;
    let identification = citizen::identification(&ctx.store, &account.id).await?;
    Ok(ghiseu_core::identity::stage(
        paid,
        identification.as_ref().map(|i| &i.status),
        credential.is_some(),
    ))
}

fn unavailable(lang: Lang) -> String {
    pick(
        lang,
        "Verificarea identității nu este disponibilă acum. Plata rămâne înregistrată; reîncercați mai târziu.",
        "A személyazonosság ellenőrzése most nem érhető el. A fizetés rögzítve marad; próbálja újra később.",
        "The identity check is not available now. Your payment stays recorded; try again later.",
    )
}

fn onboarding(lang: Lang) -> Result<Onboarding, (StatusCode, String)> {
    Onboarding::from_variables().ok_or((StatusCode::SERVICE_UNAVAILABLE, unavailable(lang)))
}

/// Whether the account has a paid order.
async fn paid(ctx: &Ctx, account: &Account) -> ghiseu_platform::Result<bool> {
    Ok(citizen::credential_orders(&ctx.store, &account.id)
        .await?
        .iter()
        .any(|o| o.receipt().is_some()))
}

/// The provider's hosted page where a paid account continues its
/// identification (303); the signature page when there is nothing to
/// identify.
pub async fn continue_identification(ctx: &Ctx, account: &Account) -> Next {
    let lang = ctx.lang;
    let stage = stage_of(ctx, account, paid(ctx, account).await?).await?;
    if !matches!(
        stage,
        CredentialStage::Identify { .. } | CredentialStage::Retry(_)
    ) {
        return Ok(Ok(see_other("/portal/signature")));
    }
    let onboarding = match onboarding(lang) {
        Ok(o) => o,
        Err(problem) => return Ok(Err(problem)),
    };
    // The return page's address is configured, never the request's `Host`.
    let Some(base) = ghiseu_platform::config::public_base_url() else {
        return Ok(Err((StatusCode::SERVICE_UNAVAILABLE, unavailable(lang))));
    };
    let back = format!("{}{RETURN_PATH}", base.as_str());
    match citizen::continue_at(&ctx.store, &onboarding, &account.id, &back, lang, ctx.now).await? {
        Ok(Some(url)) => Ok(Ok(see_other(&url))),
        Ok(None) => Ok(Ok(see_other("/portal/signature"))),
        Err(e) => {
            eprintln!("portal: identification of {}: {e}", account.id);
            Ok(Err((StatusCode::BAD_GATEWAY, unavailable(lang))))
        }
    }
}

/// `GET /portal/signature/identity`: back from the provider. Asks the
/// provider, then enrolls a verified account.
pub async fn returned(ctx: &Ctx, account: &Account) -> Next {
    let onboarding = match onboarding(ctx.lang) {
        Ok(o) => o,
        Err(problem) => return Ok(Err(problem)),
    };
    if let Err(e) = citizen::refresh(&ctx.store, &onboarding, &account.id, ctx.now).await? {
        eprintln!("portal: identification result of {}: {e}", account.id);
        return Ok(Err((StatusCode::BAD_GATEWAY, unavailable(ctx.lang))));
    }
    enroll_if_verified(ctx, account).await
}

/// Enrolls the credential of a paid, verified account that has none, then
/// the signature page (with why, when the provider did not enroll).
pub async fn enroll_if_verified(ctx: &Ctx, account: &Account) -> Next {
    let stage = stage_of(ctx, account, paid(ctx, account).await?).await?;
    if !matches!(stage, CredentialStage::Enroll(_)) {
        return Ok(Ok(see_other("/portal/signature")));
    }
    let onboarding = match onboarding(ctx.lang) {
        Ok(o) => o,
        Err(problem) => return Ok(Err(problem)),
    };
    match citizen::ensure_credential(&ctx.store, &onboarding, account).await? {
        Ok(_) => Ok(Ok(see_other("/portal/signature"))),
        Err(e) => {
            eprintln!("portal: enrollment of {}: {e}", account.id);
            Ok(Err((
                StatusCode::BAD_GATEWAY,
                pick(
                    ctx.lang,
                    "Semnătura nu a putut fi creată acum. Plata rămâne înregistrată; reîncercați mai târziu.",
                    "Az aláírást most nem sikerült létrehozni. A fizetés rögzítve marad; próbálja újra később.",
                    "The signature could not be created now. Your payment stays recorded; try again later.",
                ),
            )))
        }
    }
}
