//! The official's account and second factor, in Romanian, Hungarian or
//! English: enrolling (QR code, the secret as text, the confirming code),
//! the recovery codes shown once, the code asked after the password, and
//! turning the second factor off.

use chrono::{DateTime, Utc};
use ghiseu_core::Lang;
use ghiseu_core::calendar::local_datetime;
use ghiseu_platform::chrome;
use ghiseu_platform::html::inline_error;
use maud::{Markup, PreEscaped, html};

use super::{Viewer, layout_in};

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a current code, or one used already.
    Wrong,
    /// Too many codes tried lately.
    TooMany,
    /// The tenant requires the second factor of this official.
    Required,
}

/// The message of `refusal` in `lang`.
fn refusal(lang: Lang, refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::Wrong => lang.pick([
            "Codul nu este corect sau a fost deja folosit.",
            "A kód hibás, vagy már felhasználták.",
            "The code is wrong or was already used.",
        ]),
        Refusal::TooMany => lang.pick([
            "Prea multe coduri încercate. Reîncercați peste 15 minute.",
            "Túl sok kódot próbált. Próbálja újra 15 perc múlva.",
            "Too many codes tried. Try again in 15 minutes.",
        ]),
        Refusal::Required => lang.pick([
            "Instituția dumneavoastră cere verificarea în doi pași pentru rolul dumneavoastră; nu o puteți dezactiva.",
            "Intézménye az Ön szerepköréhez megköveteli a kétlépcsős azonosítást; nem kapcsolhatja ki.",
            "Your institution requires two-step verification for your role; you cannot turn it off.",
        ]),
    }
}

fn title(lang: Lang) -> &'static str {
    lang.pick([
        "Verificare în doi pași",
        "Kétlépcsős azonosítás",
        "Two-step verification",
    ])
}

fn errors_of(lang: Lang, refused: Option<Refusal>) -> Vec<(String, String)> {
    refused
        .map(|r| vec![("code".to_owned(), refusal(lang, r).to_owned())])
        .unwrap_or_default()
}

fn summary(lang: Lang, errors: &[(String, String)]) -> Markup {
    let heading = lang.pick([
        "Corectați următoarele:",
        "Javítsa a következőket:",
        "Correct the following:",
    ]);
    ghiseu_platform::html::error_summary(heading, errors)
}

fn code_field(errors: &[(String, String)], label: &str) -> Markup {
    html! {
        label for="code" { (label) }
        (inline_error(errors, "code"))
        input id="code" name="code" autocomplete="one-time-code" required;
    }
}

/// What an enrolment page needs.
pub struct Enrol<'a> {
    /// The page's language.
    pub lang: Lang,
    /// The signed-in official (the account page), or none (sign-in).
    pub viewer: Option<Viewer<'a>>,
    /// Where the form posts.
    pub action: &'a str,
    /// The form's CSRF token.
    pub csrf: &'a str,
    /// The new secret, base32.
    pub secret: &'a str,
    /// The QR code of its `otpauth://` URI, as SVG.
    pub qr_svg: &'a str,
    /// Why the last code was refused.
    pub refused: Option<Refusal>,
    /// Whether the tenant requires it (the sign-in's enrolment).
    pub required: bool,
}

/// Enrolling: the QR code, the secret as text, and the confirming code.
pub fn enrol(p: &Enrol<'_>) -> String {
    let lang = p.lang;
    let errors = errors_of(lang, p.refused);
    let [intro, manual, confirm, button] = lang.pick([
        [
            "Scanați codul QR cu o aplicație de autentificare (de exemplu FreeOTP, Aegis, Google Authenticator sau Microsoft Authenticator).",
            "Sau introduceți în aplicație această cheie:",
            "Codul de 6 cifre afișat de aplicație",
            "Activează",
        ],
        [
            "Olvassa be a QR-kódot egy hitelesítő alkalmazással (például FreeOTP, Aegis, Google Authenticator vagy Microsoft Authenticator).",
            "Vagy írja be az alkalmazásba ezt a kulcsot:",
            "Az alkalmazás által mutatott 6 jegyű kód",
            "Bekapcsolás",
        ],
        [
            "Scan the QR code with an authenticator app (for example FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator).",
            "Or enter this key in the app:",
            "The 6-digit code the app shows",
            "Turn on",
        ],
    ]);
    let required = lang.pick([
        "Instituția dumneavoastră cere verificarea în doi pași pentru rolul dumneavoastră. Activați-o pentru a intra.",
        "Intézménye az Ön szerepköréhez megköveteli a kétlépcsős azonosítást. Kapcsolja be a belépéshez.",
        "Your institution requires two-step verification for your role. Turn it on to sign in.",
    ]);
    layout_in(
        lang,
        title(lang),
        p.viewer,
        html! {
            (chrome::language_links(lang, p.action))
            h1 { (title(lang)) }
            (summary(lang, &errors))
            @if p.required { p { (required) } }
            p { (intro) }
            div.qr { (PreEscaped(p.qr_svg)) }
            p { (manual) " " code id="secret" { (p.secret) } }
            form method="post" action=(p.action) {
                input type="hidden" name="csrf" value=(p.csrf);
                input type="hidden" name="secret" value=(p.secret);
                (code_field(&errors, confirm))
                div { button type="submit" { (button) } }
            }
        },
    )
}

/// The recovery codes, shown once, and where to go on.
pub fn recovery_codes(lang: Lang, viewer: Option<Viewer<'_>>, codes: &[String]) -> String {
    let [heading, keep, go] = lang.pick([
        [
            "Verificarea în doi pași este activă",
            "Păstrați aceste coduri de recuperare într-un loc sigur. Fiecare poate înlocui o singură dată codul din aplicație (de exemplu dacă pierdeți telefonul). Nu vor mai fi afișate.",
            "Continuați la registru",
        ],
        [
            "A kétlépcsős azonosítás be van kapcsolva",
            "Őrizze meg ezeket a helyreállító kódokat biztonságos helyen. Mindegyik egyszer helyettesítheti az alkalmazás kódját (például ha elveszíti a telefonját). Többé nem jelennek meg.",
            "Tovább az iktatóhoz",
        ],
        [
            "Two-step verification is on",
            "Keep these recovery codes somewhere safe. Each can stand in once for the app's code (if you lose your phone, for example). They will not be shown again.",
            "Continue to the desk",
        ],
    ]);
    layout_in(
        lang,
        heading,
        viewer,
        html! {
            h1 { (heading) }
            p { (keep) }
            ul.recovery-codes { @for c in codes { li { code { (ghiseu_core::second_factor::shown_recovery(c)) } } } }
            p { a href="/desk" { (go) } }
        },
    )
}

/// The code asked after the password.
pub fn ask_code(lang: Lang, csrf: &str, refused: Option<Refusal>) -> String {
    let errors = errors_of(lang, refused);
    let [label, hint, button] = lang.pick([
        [
            "Codul din aplicația de autentificare",
            "Ați pierdut telefonul? Introduceți unul dintre codurile de recuperare.",
            "Continuă",
        ],
        [
            "A hitelesítő alkalmazás kódja",
            "Elveszítette a telefonját? Írja be az egyik helyreállító kódot.",
            "Tovább",
        ],
        [
            "The code from your authenticator app",
            "Lost your phone? Enter one of your recovery codes.",
            "Continue",
        ],
    ]);
    layout_in(
        lang,
        title(lang),
        None,
        html! {
            (chrome::language_links(lang, "/desk/login/code"))
            h1 { (title(lang)) }
            (summary(lang, &errors))
            form method="post" action="/desk/login/code" {
                input type="hidden" name="csrf" value=(csrf);
                (code_field(&errors, label))
                p { (hint) }
                div { button type="submit" { (button) } }
            }
        },
    )
}

/// The account page with the second factor on: since when, and turning it
/// off with a current code.
pub fn enabled(
    lang: Lang,
    viewer: Viewer<'_>,
    since: DateTime<Utc>,
    refused: Option<Refusal>,
) -> String {
    let errors = errors_of(lang, refused);
    let [on, label, button] = lang.pick([
        [
            "Verificarea în doi pași este activă din",
            "Pentru a o dezactiva, introduceți codul curent din aplicație",
            "Dezactivează",
        ],
        [
            "A kétlépcsős azonosítás be van kapcsolva ekkortól:",
            "A kikapcsoláshoz írja be az alkalmazás aktuális kódját",
            "Kikapcsolás",
        ],
        [
            "Two-step verification has been on since",
            "To turn it off, enter the app's current code",
            "Turn off",
        ],
    ]);
    let since = local_datetime(since).format("%d.%m.%Y %H:%M").to_string();
    layout_in(
        lang,
        title(lang),
        Some(viewer),
        html! {
            (chrome::language_links(lang, "/desk/account"))
            h1 { (title(lang)) }
            (summary(lang, &errors))
            p id="status" { (on) " " (since) "." }
            form method="post" action="/desk/account/second-factor/disable" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                (code_field(&errors, label))
                div { button type="submit" { (button) } }
            }
        },
    )
}
