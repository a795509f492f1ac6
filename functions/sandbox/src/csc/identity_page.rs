//! The hosted identification page of the sandbox's signing provider, in the
//! language the relying party asked for (ro, hu, en): what was typed, the
//! form, and the pages of a decided, unknown or misdirected identification.
//! Plain values in, HTML out.

use ghiseu_core::Lang;
use ghiseu_core::identity::DocumentKind;
use ghiseu_platform::http::{self as web, Form, Response};
use http::StatusCode;
use maud::{DOCTYPE, Markup, html};

/// What the citizen typed.
#[derive(Debug, Default, Clone)]
pub(super) struct Typed {
    pub(super) kind: String,
    pub(super) series: String,
    pub(super) number: String,
    pub(super) cnp: String,
    pub(super) surname: String,
    pub(super) given_name: String,
}

impl Typed {
    pub(super) fn of(form: &Form) -> Self {
        let get = |name| web::form_raw(form, name).chars().take(200).collect();
        Self {
            kind: get("kind"),
            series: get("series"),
            number: get("number"),
            cnp: get("cnp"),
            surname: get("surname"),
            given_name: get("given_name"),
        }
    }

    /// Whether a required field is empty (a passport has no series).
    pub(super) fn missing(&self) -> bool {
        let series_needed = DocumentKind::from_code(&self.kind).is_none_or(|k| k.has_series());
        [
            &self.kind,
            &self.number,
            &self.cnp,
            &self.surname,
            &self.given_name,
        ]
        .iter()
        .any(|v| v.trim().is_empty())
            || (series_needed && self.series.trim().is_empty())
    }
}

fn pick(lang: Lang, ro: &'static str, hu: &'static str, en: &'static str) -> &'static str {
    lang.pick([ro, hu, en])
}

fn document_name(lang: Lang, kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::IdentityCard => pick(
            lang,
            "Carte de identitate (CI)",
            "Személyazonossági igazolvány (CI)",
            "Identity card (CI)",
        ),
        DocumentKind::ElectronicIdentityCard => pick(
            lang,
            "Carte electronică de identitate (CEI)",
            "Elektronikus személyazonossági igazolvány (CEI)",
            "Electronic identity card (CEI)",
        ),
        DocumentKind::Passport => pick(lang, "Pașaport", "Útlevél", "Passport"),
    }
}

fn shell(status: StatusCode, lang: Lang, body: Markup) -> Response {
    let title = pick(
        lang,
        "Verificarea identității",
        "Személyazonosság ellenőrzése",
        "Identity check",
    );
    let page = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Ghiseu Sandbox CSC" }
                link rel="stylesheet" href="/sandbox/pay/pay.css";
            }
            body {
                p.test { (pick(lang,
                    "Mediu de test (sandbox): furnizorul de semnătură de test, nu un prestator calificat.",
                    "Tesztkörnyezet (sandbox): teszt aláírás-szolgáltató, nem minősített szolgáltató.",
                    "Test environment (sandbox): a test signing provider, not a qualified one.")) }
                h1 { (title) }
                (body)
            }
        }
    };
    crate::hosted::page(status, page.into_string())
}

/// The form of the identification `id` (again, with `missing` when a
/// required field was empty).
pub(super) fn form(
    status: StatusCode,
    lang: Lang,
    id: &str,
    typed: &Typed,
    missing: bool,
) -> Response {
    let field = |name: &'static str, label: &'static str, value: &str, extra: Markup| {
        html! {
            label for=(name) { (label) }
            input id=(name) name=(name) value=(value) aria-invalid=[(missing && value.trim().is_empty()).then_some("true")];
            (extra)
        }
    };
    let body = html! {
        p { (pick(lang,
            "Înainte de a emite certificatul calificat, verificăm cine sunteți. Completați datele exact cum sunt scrise în actul de identitate.",
            "A minősített tanúsítvány kiadása előtt ellenőrizzük személyazonosságát. Az adatokat pontosan úgy adja meg, ahogy a személyi okmányban szerepelnek.",
            "Before the qualified certificate is issued, we check who you are. Enter the details exactly as written in your identity document.")) }
        @if missing {
            p.error role="alert" { (pick(lang,
                "Completați toate câmpurile (seria nu se cere pentru pașaport).",
                "Töltse ki az összes mezőt (útlevélnél a sorozat nem kell).",
                "Fill in every field (a passport has no series).")) }
        }
        form method="post" action={ "/sandbox/identity/" (id) } {
            label for="kind" { (pick(lang, "Actul de identitate", "Személyi okmány", "Identity document")) }
            select id="kind" name="kind" {
                @for k in DocumentKind::ALL {
                    option value=(k.code()) selected[typed.kind == k.code()] { (document_name(lang, k)) }
                }
            }
            (field("series", pick(lang, "Seria", "Sorozat", "Series"), &typed.series, html! {
                small { (pick(lang, "2 litere, de ex. CJ; nu se completează pentru pașaport.",
                    "2 betű, pl. CJ; útlevélnél üresen marad.",
                    "2 letters, e.g. CJ; empty for a passport.")) }
            }))
            (field("number", pick(lang, "Numărul", "Szám", "Number"), &typed.number, html! {}))
            (field("cnp", "CNP", &typed.cnp, html! {
                small { (pick(lang, "Codul numeric personal, 13 cifre.",
                    "Személyi szám (CNP), 13 számjegy.",
                    "Personal numeric code (CNP), 13 digits.")) }
            }))
            (field("surname", pick(lang, "Nume", "Vezetéknév", "Surname"), &typed.surname, html! {}))
            (field("given_name", pick(lang, "Prenume", "Utónév", "Given names"), &typed.given_name, html! {}))
            div {
                button type="submit" name="action" value="verify" { (pick(lang, "Continuă", "Tovább", "Continue")) }
                button type="submit" name="action" value="cancel" formnovalidate { (pick(lang, "Renunță", "Mégse", "Cancel")) }
            }
        }
    };
    shell(status, lang, body)
}

/// An identification already decided (or expired), with the way `back`.
pub(super) fn decided(lang: Lang, back: Option<&str>) -> Response {
    shell(
        StatusCode::OK,
        lang,
        html! {
            p role="status" { (pick(lang,
                "Această verificare s-a încheiat.",
                "Ez az ellenőrzés lezárult.",
                "This check is over.")) }
            @if let Some(back) = back {
                p { a href=(back) { (pick(lang, "Înapoi la ghișeul online", "Vissza az online ügyfélszolgálathoz", "Back to the online service")) } }
            }
        },
    )
}

/// No such identification.
pub(super) fn unknown() -> Response {
    shell(
        StatusCode::NOT_FOUND,
        Lang::Ro,
        html! {
            p.error role="alert" { "Verificarea nu există sau a expirat. · Az ellenőrzés nem létezik vagy lejárt. · This check does not exist or has expired." }
        },
    )
}

/// A return URL on another origin than the page's: no redirect there.
pub(super) fn foreign_return(lang: Lang) -> Response {
    shell(
        StatusCode::BAD_REQUEST,
        lang,
        html! {
            p.error role="alert" { (pick(lang,
                "Adresa de întoarcere nu aparține ghișeului online; nu vă trimitem acolo.",
                "A visszatérési cím nem az online ügyfélszolgálaté; nem irányítjuk oda.",
                "The return address is not the online service's; you are not sent there.")) }
        },
    )
}
