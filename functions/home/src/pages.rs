//! The front door's pages: the frame, the list of institutions, one
//! institution with its services, and "not found".

use ghiseu_core::deadline::DeadlineRule;
use ghiseu_core::document_type::{FieldDef, FieldKind, SignatureRequirement};
use ghiseu_core::{DocumentType, Lang, Tenant, TenantKind};
use ghiseu_platform::chrome;
use maud::{DOCTYPE, Markup, html};

use crate::catalogue::Institution;

/// The text in the reader's language.
pub fn pick(lang: Lang, ro: &'static str, hu: &'static str, en: &'static str) -> &'static str {
    lang.pick([ro, hu, en])
}

/// The frame of every front-door page: head, header with the service's
/// name, language links and the two ways in, `body`, footer.
pub fn layout(lang: Lang, title: &str, path: &str, tenant: Option<&str>, body: Markup) -> String {
    let l = lang.code();
    html! {
        (DOCTYPE)
        html lang=(l) {
            (chrome::head(&format!("{title} · {}", chrome::service_name(lang)), tenant, html! {}))
            body {
                (chrome::skip_link(lang))
                header.site-header {
                    a.service-name href={ "/?lang=" (l) } { (chrome::service_name(lang)) }
                    nav aria-label=(pick(lang, "Intrare", "Belépés", "Sign in")) {
                        a href={ "/portal?lang=" (l) } { (pick(lang, "Contul meu", "Fiókom", "My account")) }
                        a href="/desk/login" { (pick(lang, "Pentru funcționari", "Ügyintézőknek", "For officials")) }
                    }
                    (chrome::language_links(lang, if path.is_empty() { "/" } else { path }))
                }
                main id="main" { (body) }
                (chrome::footer(lang))
            }
        }
    }
    .into_string()
}

/// The follow-a-document form: registration number and receipt code, sent
/// to the tracking component (`GET /track`).
fn follow_form(lang: Lang) -> Markup {
    html! {
        form method="get" action="/track" {
            input type="hidden" name="lang" value=(lang.code());
            label for="number" { (pick(lang, "Numărul de înregistrare", "Iktatószám", "Registration number")) }
            span.hint id="number-hint" { (pick(lang, "De pe recipisă, de exemplu CJC-2026-000123.", "A átvételi elismervényről, például CJC-2026-000123.", "From the receipt, for example CJC-2026-000123.")) }
            input.short-input id="number" name="number" autocomplete="off" spellcheck="false" aria-describedby="number-hint";
            label for="code" { (pick(lang, "Codul de urmărire", "Követési kód", "Tracking code")) }
            span.hint id="code-hint" { (pick(lang, "Cele 8 caractere de sub codul QR, de exemplu 7KQ2-M9XD.", "A QR-kód alatti 8 karakter, például 7KQ2-M9XD.", "The 8 characters under the QR code, for example 7KQ2-M9XD.")) }
            input.short-input id="code" name="code" autocomplete="off" spellcheck="false" autocapitalize="characters" aria-describedby="code-hint";
            div { button type="submit" { (pick(lang, "Vedeți unde este documentul", "Hol tart a dokumentum?", "See where it is")) } }
        }
    }
}

/// `GET /`.
pub fn front_door(lang: Lang, list: &[Institution]) -> String {
    let l = lang.code();
    let body = html! {
        h1 { (pick(lang, "Ghișeul unic al județului Cluj", "Kolozs megye egyablakos ügyintézése", "The one-stop shop of Cluj County")) }
        p.lead { (pick(lang,
            "Depuneți cereri la Consiliul Județean și la primării de pe telefon, semnați-le electronic și urmăriți-le pas cu pas: la ce compartiment sunt, cine lucrează la ele și câte zile mai are instituția.",
            "Nyújtson be kérelmet a megyei tanácshoz és a polgármesteri hivatalokhoz telefonról, írja alá elektronikusan, és kövesse lépésről lépésre: melyik osztályon van, ki foglalkozik vele, és hány napja van még az intézménynek.",
            "Submit requests to the County Council and the town halls from your phone, sign them electronically, and follow them step by step: which department has them, who is working on them, and how many days the institution has left.")) }
        div.actions {
            a.button href={ "/portal/register?lang=" (l) } { (pick(lang, "Creați un cont", "Fiók létrehozása", "Create an account")) }
            a.button.secondary href={ "/portal/login?lang=" (l) } { (pick(lang, "Intrați în cont", "Bejelentkezés", "Sign in")) }
        }
        section.panel aria-labelledby="follow" {
            h2 id="follow" { (pick(lang, "Urmăriți un document", "Dokumentum követése", "Follow a document")) }
            p { (pick(lang,
                "Scanați codul QR de pe recipisă. Dacă nu se poate citi, scrieți numărul de înregistrare și codul de sub el.",
                "Olvassa be az átvételi elismervényen lévő QR-kódot. Ha nem olvasható, írja be az iktatószámot és az alatta lévő kódot.",
                "Scan the QR code on your receipt. If it cannot be read, type the registration number and the code under it.")) }
            (follow_form(lang))
        }
        h2 { (pick(lang, "Instituții și servicii", "Intézmények és szolgáltatások", "Institutions and services")) }
        @if list.is_empty() {
            p { (pick(lang, "Nicio instituție nu primește încă cereri aici.", "Még egyetlen intézmény sem fogad itt kérelmeket.", "No institution accepts requests here yet.")) }
        }
        ul.cards {
            @for i in list {
                li.card {
                    h3 { a href={ "/institutions/" (i.tenant.slug) "?lang=" (l) } { (i.tenant.name.as_str()) } }
                    p.hint { (kind(lang, i.tenant.kind)) " · " (services_count(lang, i.services.len())) }
                    @if let Some(hours) = &i.tenant.contact.hours { p { (hours) } }
                }
            }
        }
    };
    layout(lang, chrome::service_name(lang), "/", None, body)
}

fn kind(lang: Lang, k: TenantKind) -> &'static str {
    match k {
        TenantKind::CountyCouncil => {
            pick(lang, "Consiliu județean", "Megyei tanács", "County council")
        }
        TenantKind::Municipality => pick(
            lang,
            "Primărie de municipiu",
            "Municípiumi polgármesteri hivatal",
            "City hall",
        ),
        TenantKind::Town => pick(
            lang,
            "Primărie de oraș",
            "Városi polgármesteri hivatal",
            "Town hall",
        ),
        TenantKind::Commune => pick(
            lang,
            "Primărie de comună",
            "Községi polgármesteri hivatal",
            "Commune hall",
        ),
    }
}

fn services_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::Ro, 1) => "1 serviciu online".into(),
        (Lang::Ro, n) => format!("{n} {}servicii online", de(n)),
        (Lang::Hu, n) => format!("{n} online szolgáltatás"),
        (Lang::En, 1) => "1 online service".into(),
        (Lang::En, n) => format!("{n} online services"),
    }
}

/// Romanian puts "de" between a number and its noun from 20 on, except
/// after 101–119, 201–219, ... ("20 de zile", "15 zile", "105 zile").
fn de(n: usize) -> &'static str {
    if n >= 20 && !(1..20).contains(&(n % 100)) {
        "de "
    } else {
        ""
    }
}

/// A fee for people: `gratuit`, `25 lei`, `12,50 lei`.
pub fn fee(lang: Lang, bani: u64) -> String {
    if bani == 0 {
        return pick(lang, "gratuit", "ingyenes", "free").to_owned();
    }
    let (lei, rest) = (bani / 100, bani % 100);
    if rest == 0 {
        format!("{lei} lei")
    } else {
        format!("{lei},{rest:02} lei")
    }
}

/// A legal deadline for people.
pub fn deadline(lang: Lang, rule: DeadlineRule) -> String {
    match (lang, rule) {
        (Lang::Ro, DeadlineRule::CalendarDays(n)) => {
            format!("{n} {}zile calendaristice", de(n.into()))
        }
        (Lang::Ro, DeadlineRule::WorkingDays(n)) => format!("{n} {}zile lucrătoare", de(n.into())),
        (Lang::Hu, DeadlineRule::CalendarDays(n)) => format!("{n} naptári nap"),
        (Lang::Hu, DeadlineRule::WorkingDays(n)) => format!("{n} munkanap"),
        (Lang::En, DeadlineRule::CalendarDays(n)) => format!("{n} calendar days"),
        (Lang::En, DeadlineRule::WorkingDays(n)) => format!("{n} working days"),
    }
}

fn signature(lang: Lang, s: SignatureRequirement) -> &'static str {
    match s {
        SignatureRequirement::None => pick(lang, "nu este nevoie", "nem szükséges", "not needed"),
        SignatureRequirement::Simple => pick(
            lang,
            "semnătură electronică simplă (din cont)",
            "egyszerű elektronikus aláírás (a fiókból)",
            "simple electronic signature (from your account)",
        ),
        SignatureRequirement::Qualified => pick(
            lang,
            "semnătură electronică calificată (o obțineți din cont)",
            "minősített elektronikus aláírás (a fiókból igényelhető)",
            "qualified electronic signature (you can get one from your account)",
        ),
    }
}

/// What to bring: the attachments, then the other required information.
fn to_bring(lang: Lang, fields: &[FieldDef]) -> Markup {
    let (files, other): (Vec<&FieldDef>, Vec<&FieldDef>) = fields
        .iter()
        .partition(|f| matches!(f.kind, FieldKind::Attachment { .. }));
    let required: Vec<&&FieldDef> = other.iter().filter(|f| f.required).collect();
    html! {
        @if files.is_empty() && required.is_empty() {
            (pick(lang, "Doar cererea completată online.", "Csak az online kitöltött kérelem.", "Only the request, filled in online."))
        } @else {
            ul {
                @for f in &files {
                    li { (f.label.get(lang).as_str())
                        @if !f.required { " " span.hint.inline { (pick(lang, "(opțional)", "(nem kötelező)", "(optional)")) } } }
                }
                @if !required.is_empty() {
                    li { (pick(lang, "Date de completat: ", "Kitöltendő adatok: ", "Details to fill in: "))
                        @for (i, f) in required.iter().enumerate() {
                            @if i > 0 { ", " } (f.label.get(lang).as_str())
                        }
                    }
                }
            }
        }
    }
}

fn service(lang: Lang, tenant: &Tenant, ty: &DocumentType) -> Markup {
    let l = lang.code();
    html! {
        li.card id=(ty.code.as_str()) {
            h3 { (ty.titles.get(lang).as_str()) }
            dl.summary {
                dt { (pick(lang, "Taxă", "Díj", "Fee")) }
                dd { (fee(lang, ty.fee_bani)) }
                dt { (pick(lang, "Termen legal de răspuns", "Törvényes válaszadási határidő", "Legal time to answer")) }
                dd { (deadline(lang, ty.deadline)) }
                dt { (pick(lang, "Semnătura", "Aláírás", "Signature")) }
                dd { (signature(lang, ty.signature)) }
                dt { (pick(lang, "Ce pregătiți", "Mit készítsen elő", "What to bring")) }
                dd { (to_bring(lang, &ty.fields)) }
                dt { (pick(lang, "Cât se păstrează dosarul", "Megőrzési idő", "Kept for")) }
                dd { (ty.retention_years) " " (pick(lang, "ani", "év", "years")) }
            }
            a.button href={ "/portal/new/" (tenant.slug) "/" (ty.code.as_str()) "?lang=" (l) } {
                (pick(lang, "Depuneți online", "Online benyújtás", "Apply online"))
                span.visually-hidden { ": " (ty.titles.get(lang).as_str()) }
            }
        }
    }
}

/// `GET /institutions/{slug}`.
pub fn institution(lang: Lang, i: &Institution) -> String {
    let t = &i.tenant;
    let c = &t.contact;
    let body = html! {
        @if t.branding.logo.is_some() {
            img.logo src={ "/branding/" (t.slug) "/logo" } alt="";
        }
        h1 { (t.name.as_str()) }
        p.hint { (kind(lang, t.kind)) }
        h2 { (pick(lang, "Contact și program", "Elérhetőség és nyitvatartás", "Contact and opening hours")) }
        @if c.address.is_none() && c.phone.is_none() && c.email.is_none() && c.hours.is_none() {
            p { (pick(lang, "Instituția nu și-a publicat încă datele de contact.", "Az intézmény még nem tette közzé elérhetőségét.", "The institution has not published its contact details yet.")) }
        } @else {
            dl.summary {
                @if let Some(a) = &c.address { dt { (pick(lang, "Adresa registraturii", "Iktató címe", "Registry office")) } dd { (a) } }
                @if let Some(h) = &c.hours { dt { (pick(lang, "Program cu publicul", "Ügyfélfogadás", "Opening hours")) } dd { (h) } }
                @if let Some(p) = &c.phone { dt { (pick(lang, "Telefon", "Telefon", "Telephone")) } dd { a href={ "tel:" (p.replace(' ', "")) } { (p) } } }
                @if let Some(e) = &c.email { dt { (pick(lang, "E-mail", "E-mail", "E-mail")) } dd { a href={ "mailto:" (e) } { (e) } } }
            }
        }
        h2 id="services" { (pick(lang, "Servicii", "Szolgáltatások", "Services")) }
        @if i.services.len() > 1 {
            nav aria-labelledby="services" {
                ul { @for ty in &i.services { li { a href={ "#" (ty.code.as_str()) } { (ty.titles.get(lang).as_str()) } } } }
            }
        }
        @if i.services.is_empty() {
            p { (pick(lang, "Instituția nu primește încă cereri online.", "Az intézmény még nem fogad online kérelmeket.", "The institution does not accept online requests yet.")) }
        }
        ul.cards { @for ty in &i.services { (service(lang, t, ty)) } }
    };
    let path = format!("/institutions/{}", t.slug);
    layout(lang, t.name.as_str(), &path, Some(t.slug.as_str()), body)
}

/// Any other path.
pub fn not_found(lang: Lang, path: &str) -> String {
    let body = html! {
        h1 { (pick(lang, "Pagina nu există", "Az oldal nem létezik", "Page not found")) }
        p { (pick(lang, "Verificați adresa sau porniți de la pagina principală.", "Ellenőrizze a címet, vagy induljon a főoldalról.", "Check the address, or start from the home page.")) }
        p { a href={ "/?lang=" (lang.code()) } { (chrome::service_name(lang)) } }
    };
    layout(
        lang,
        pick(
            lang,
            "Pagina nu există",
            "Az oldal nem létezik",
            "Page not found",
        ),
        path,
        None,
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_and_deadlines_read_naturally() {
        assert_eq!(fee(Lang::Ro, 0), "gratuit");
        assert_eq!(fee(Lang::Hu, 2500), "25 lei");
        assert_eq!(fee(Lang::En, 1250), "12,50 lei");
        assert_eq!(
            deadline(Lang::Ro, DeadlineRule::CalendarDays(30)),
            "30 de zile calendaristice"
        );
        assert_eq!(
            deadline(Lang::Ro, DeadlineRule::CalendarDays(10)),
            "10 zile calendaristice"
        );
        assert_eq!(
            deadline(Lang::Ro, DeadlineRule::WorkingDays(15)),
            "15 zile lucrătoare"
        );
        assert_eq!(
            deadline(Lang::Hu, DeadlineRule::WorkingDays(15)),
            "15 munkanap"
        );
        assert_eq!(services_count(Lang::Ro, 9), "9 servicii online");
        assert_eq!(services_count(Lang::Ro, 21), "21 de servicii online");
    }
}
