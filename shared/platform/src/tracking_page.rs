//! The server-rendered pages: the tracking page, "not found" and "too many
//! requests". Mobile-first (one column, system fonts, readable at 360 px), no
//! JavaScript, one inline stylesheet allowed by its hash in the CSP. maud
//! escapes every interpolated string.

use crate::tracking::TrackingView;
use ghiseu_core::calendar::{written_date, written_local_time};
use ghiseu_core::{Lang, PublicStatus, event_label, status_label};
use maud::{DOCTYPE, Markup, html};

use crate::chrome;

/// A public page (tracking, verification) as a response, with the security
/// headers every one carries: a CSP that allows only the platform's stylesheet and
/// same-origin images, no framing, no referrer, no sniffing, `cache` as
/// `Cache-Control`, and `Vary: Accept-Language` (the language follows it).
#[must_use]
pub fn response(status: http::StatusCode, body: String, cache: &str) -> crate::http::Response {
    let csp = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; \
               base-uri 'none'; form-action 'self'";
    let mut response = crate::http::html_page(status, body, csp, cache);
    response.headers_mut().insert(
        http::header::VARY,
        http::HeaderValue::from_static("Accept-Language"),
    );
    response
}

/// The words of the pages in one language.
struct Texts {
    title: &'static str,
    institution: &'static str,
    document_type: &'static str,
    number: &'static str,
    registered: &'static str,
    status: &'static str,
    department: &'static str,
    official: &'static str,
    days_in: &'static str,
    deadline: &'static str,
    days_left: &'static str,
    overdue: &'static str,
    route: &'static str,
    journey: &'static str,
    this_leg: &'static str,
    head: &'static str,
    head_help: &'static str,
    updated: &'static str,
    not_found_title: &'static str,
    not_found: &'static str,
    too_many_title: &'static str,
    too_many: &'static str,
    qr_alt: &'static str,
    rejected_because: &'static str,
    contact: &'static str,
    share: &'static str,
    share_help: &'static str,
}

fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Ro => &Texts {
            title: "Urmărirea documentului",
            institution: "Instituția",
            document_type: "Tipul documentului",
            number: "Număr de înregistrare",
            registered: "Data înregistrării",
            status: "Stare",
            department: "Compartiment",
            official: "Funcționar",
            days_in: "Zile în instituție",
            deadline: "Termen legal",
            days_left: "Zile rămase",
            overdue: "Termen depășit cu (zile)",
            route: "Traseul documentului",
            journey: "Parcursul între instituții",
            this_leg: "(această înregistrare)",
            head: "Amprenta traseului (SHA-256)",
            head_help: "Orice modificare a traseului schimbă această amprentă.",
            updated: "Actualizat",
            not_found_title: "Document negăsit",
            not_found: "Nu există niciun document cu acest cod de urmărire. Verificați codul de pe recipisă.",
            too_many_title: "Prea multe cereri",
            too_many: "Ați făcut prea multe căutări într-un timp scurt. Încercați din nou peste un minut.",
            qr_alt: "Codul QR al acestei pagini",
            rejected_because: "Motivul respingerii:",
            contact: "Întrebări despre document? Contactați",
            share: "Trimiteți sau tipăriți linkul de urmărire",
            share_help: "Oricine are acest link sau acest cod QR vede unde este documentul (fără datele dumneavoastră personale).",
        },
        Lang::Hu => &Texts {
            title: "Dokumentum követése",
            institution: "Intézmény",
            document_type: "Dokumentum típusa",
            number: "Iktatószám",
            registered: "Iktatás dátuma",
            status: "Állapot",
            department: "Osztály",
            official: "Ügyintéző",
            days_in: "Napok az intézményben",
            deadline: "Törvényes határidő",
            days_left: "Hátralévő napok",
            overdue: "Határidő túllépve (nap)",
            route: "A dokumentum útja",
            journey: "Útja az intézmények között",
            this_leg: "(ez az iktatás)",
            head: "Az út ujjlenyomata (SHA-256)",
            head_help: "Az út bármilyen módosítása megváltoztatja ezt az ujjlenyomatot.",
            updated: "Frissítve",
            not_found_title: "A dokumentum nem található",
            not_found: "Ezzel a követési kóddal nincs dokumentum. Ellenőrizze az átvételi elismervényen szereplő kódot.",
            too_many_title: "Túl sok kérés",
            too_many: "Rövid idő alatt túl sok keresést indított. Próbálja újra egy perc múlva.",
            qr_alt: "Az oldal QR-kódja",
            rejected_because: "Az elutasítás indoka:",
            contact: "Kérdése van a dokumentumról? Forduljon ehhez:",
            share: "A követési hivatkozás küldése vagy nyomtatása",
            share_help: "Aki ismeri ezt a hivatkozást vagy QR-kódot, látja, hol tart a dokumentum (személyes adatai nélkül).",
        },
        Lang::En => &Texts {
            title: "Document tracking",
            institution: "Institution",
            document_type: "Document type",
            number: "Registration number",
            registered: "Registered on",
            status: "Status",
            department: "Department",
            official: "Official",
            days_in: "Days in the institution",
            deadline: "Legal deadline",
            days_left: "Days left",
            overdue: "Overdue by (days)",
            route: "Route of the document",
            journey: "Journey between institutions",
            this_leg: "(this registration)",
            head: "Route fingerprint (SHA-256)",
            head_help: "Any change to the route changes this fingerprint.",
            updated: "Updated",
            not_found_title: "Document not found",
            not_found: "There is no document with this tracking code. Check the code on your receipt.",
            too_many_title: "Too many requests",
            too_many: "You made too many lookups in a short time. Try again in a minute.",
            qr_alt: "QR code of this page",
            rejected_because: "Why the request was rejected:",
            contact: "Questions about the document? Contact",
            share: "Share or print the tracking link",
            share_help: "Anyone with this link or QR code sees where the document is (without your personal data).",
        },
    }
}

/// The shell of every public page (tracking, verification, statistics): the
/// shared head and header ([`crate::chrome`]), the language switch (plain
/// links to `path`), `content`, and the footer.
pub fn layout(lang: Lang, title: &str, path: &str, content: Markup) -> Markup {
    branded_layout(lang, title, path, None, content)
}

/// [`layout`] in the colour of the institution `tenant` (its slug).
pub fn branded_layout(
    lang: Lang,
    title: &str,
    path: &str,
    tenant: Option<&str>,
    content: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (chrome::head(&format!("{title} · {}", chrome::service_name(lang)), tenant,
                html! { meta name="robots" content="noindex"; }))
            body {
                (chrome::skip_link(lang))
                header.site-header {
                    a.service-name href={ "/?lang=" (lang.code()) } { (chrome::service_name(lang)) }
                    (chrome::language_links(lang, path))
                }
                main id="main" { (content) }
                (chrome::footer(lang))
            }
        }
    }
}

fn route_list(route: &[crate::tracking::RouteEntry], lang: Lang) -> Markup {
    html! {
        ol {
            @for e in route {
                li {
                    time datetime=(e.at.to_rfc3339()) { (written_local_time(lang, e.at)) }
                    strong { (event_label(&e.event, lang).unwrap_or(e.event.as_str())) }
                    @if let Some(d) = &e.department { br; (d) }
                    @if let Some(o) = &e.official { " · " (o) }
                    @if let Some(n) = &e.note { br; em { (n) } }
                }
            }
        }
    }
}

/// What a status means for the person following the document, and what
/// happens next.
fn explain(status: PublicStatus, lang: Lang) -> &'static str {
    use PublicStatus as S;
    match (lang, status) {
        (Lang::Ro, S::Registered) => {
            "Documentul a fost înregistrat și urmează să fie repartizat unui compartiment. Nu trebuie să faceți nimic."
        }
        (Lang::Ro, S::InProgress) => {
            "Un compartiment lucrează la document. Veți primi răspunsul în termenul legal; dacă e nevoie de ceva de la dumneavoastră, vă anunțăm."
        }
        (Lang::Ro, S::AwaitingReply) => {
            "Instituția așteaptă un răspuns sau o completare de la dumneavoastră. Răspundeți din contul dumneavoastră sau la registratură."
        }
        (Lang::Ro, S::AwaitingSignature) => {
            "Răspunsul este gata și așteaptă semnătura conducerii instituției. Urmează emiterea lui."
        }
        (Lang::Ro, S::Resolved) => {
            "Documentul a fost soluționat: răspunsul a fost emis. Îl găsiți în contul dumneavoastră sau vi s-a trimis."
        }
        (Lang::Ro, S::Rejected) => {
            "Cererea a fost respinsă; motivul este în traseul de mai jos. Puteți contesta potrivit legii sau cere lămuriri instituției."
        }
        (Lang::Ro, S::Forwarded) => {
            "Documentul a fost trimis instituției competente, care continuă soluționarea. Traseul de mai jos arată unde se află."
        }
        (Lang::Ro, S::Withdrawn) => "Cererea a fost retrasă. Instituția nu mai lucrează la ea.",
        (Lang::Ro, S::Joined) => {
            "Documentul a fost conexat la o cerere anterioară cu același obiect; primiți un singur răspuns pentru amândouă."
        }
        (Lang::Hu, S::Registered) => {
            "A dokumentumot iktatták, és hamarosan egy osztályra kerül. Önnek nincs teendője."
        }
        (Lang::Hu, S::InProgress) => {
            "Egy osztály foglalkozik a dokumentummal. A választ a törvényes határidőn belül megkapja; ha valamire szükség van Öntől, értesítjük."
        }
        (Lang::Hu, S::AwaitingReply) => {
            "Az intézmény választ vagy kiegészítést vár Öntől. Válaszoljon a fiókjából vagy az iktatóban."
        }
        (Lang::Hu, S::AwaitingSignature) => {
            "A válasz elkészült, és az intézmény vezetőjének aláírására vár. Ezután kiadják."
        }
        (Lang::Hu, S::Resolved) => {
            "A dokumentumot elintézték: a választ kiadták. Megtalálja a fiókjában, vagy elküldték Önnek."
        }
        (Lang::Hu, S::Rejected) => {
            "A kérelmet elutasították; az indoklás az alábbi útvonalon látható. A törvény szerint megtámadhatja, vagy magyarázatot kérhet az intézménytől."
        }
        (Lang::Hu, S::Forwarded) => {
            "A dokumentumot továbbították az illetékes intézménynek, amely folytatja az ügyintézést. Az alábbi útvonal mutatja, hol tart."
        }
        (Lang::Hu, S::Withdrawn) => {
            "A kérelmet visszavonták. Az intézmény már nem foglalkozik vele."
        }
        (Lang::Hu, S::Joined) => {
            "A dokumentumot egy korábbi, azonos tárgyú kérelemhez csatolták; egyetlen választ kap mindkettőre."
        }
        (Lang::En, S::Registered) => {
            "The document has been registered and will be assigned to a department. You need to do nothing."
        }
        (Lang::En, S::InProgress) => {
            "A department is working on the document. You will get the answer within the legal deadline; if anything is needed from you, we will tell you."
        }
        (Lang::En, S::AwaitingReply) => {
            "The institution is waiting for an answer or more information from you. Reply from your account or at the registry office."
        }
        (Lang::En, S::AwaitingSignature) => {
            "The answer is ready and waiting for the head of the institution to sign it. It will be issued next."
        }
        (Lang::En, S::Resolved) => {
            "The document has been dealt with: the answer was issued. You will find it in your account, or it was sent to you."
        }
        (Lang::En, S::Rejected) => {
            "The request was rejected; the reason is in the route below. You may challenge it as the law provides, or ask the institution to explain."
        }
        (Lang::En, S::Forwarded) => {
            "The document was sent to the institution responsible, which continues with it. The route below shows where it is."
        }
        (Lang::En, S::Withdrawn) => {
            "The request was withdrawn. The institution no longer works on it."
        }
        (Lang::En, S::Joined) => {
            "The document was joined to an earlier request about the same matter; you get one answer for both."
        }
    }
}

/// The tracking page of `view` for `token`.
pub fn tracking(view: &TrackingView, token: &str, lang: Lang) -> String {
    let t = texts(lang);
    let public = PublicStatus::from_code(&view.status);
    let status = public.map_or(view.status.as_str(), |s| status_label(s, lang));
    let path = format!("/track/{token}");
    let content = html! {
        h1 { (t.title) }
        p { span.status { (status) } }
        @if let Some(s) = public { p.lead { (explain(s, lang)) } }
        @if let Some(reason) = rejection_reason(view).filter(|_| public == Some(PublicStatus::Rejected)) {
            p.rejection { strong { (t.rejected_because) } " " (reason) }
        }
        dl.summary {
            dt { (t.institution) } dd { a href={ "/institutions/" (view.institution.slug) "?lang=" (lang.code()) } { (view.institution.name) } }
            dt { (t.document_type) } dd { (view.document_type.title) }
            dt { (t.number) } dd { (view.registration_number) }
            dt { (t.registered) } dd { time datetime=(view.registered_at.to_rfc3339()) { (written_local_time(lang, view.registered_at)) } }
            @if public.is_none_or(PublicStatus::answer_owed) {
                dt { (t.department) } dd { (view.current.department) }
                @if let Some(official) = &view.current.official {
                    dt { (t.official) } dd { (official) }
                }
            }
            dt { (t.days_in) } dd { (view.days_in_institution) }
            dt { (t.deadline) } dd { time datetime=(view.deadline.to_string()) { (written_date(lang, view.deadline)) } }
            @if public.is_none_or(PublicStatus::answer_owed) {
                @if view.days_left >= 0 {
                    dt { (t.days_left) } dd { (view.days_left) }
                } @else {
                    dt { (t.overdue) } dd.overdue { (-view.days_left) }
                }
            }
            dt { (t.updated) } dd { time datetime=(view.updated_at.to_rfc3339()) { (written_local_time(lang, view.updated_at)) } }
        }
        p { (t.contact) " " a href={ "/institutions/" (view.institution.slug) "?lang=" (lang.code()) } { (view.institution.name) } "." }
        @if view.journey.is_empty() {
            h2 { (t.route) }
            (route_list(&view.route, lang))
        } @else {
            h2 { (t.journey) }
            @for leg in &view.journey {
                @let leg_status = PublicStatus::from_code(&leg.status)
                    .map_or(leg.status.as_str(), |s| status_label(s, lang));
                section.leg {
                    h3 {
                        (leg.institution.name) " · " (leg.registration_number)
                        @if leg.registration_number == view.registration_number { " " (t.this_leg) }
                    }
                    p { (t.status) ": " span.status { (leg_status) } }
                    (route_list(&leg.route, lang))
                }
            }
        }
        details {
            summary { (t.share) }
            p { (t.share_help) }
            p.link { "/q/" (token) }
            img.qr src={ "/q/" (token) ".svg" } alt=(t.qr_alt) width="160" height="160";
        }
        details {
            summary { (t.head) }
            p.hash { (view.route_head) }
            p { (t.head_help) }
        }
    };
    branded_layout(lang, t.title, &path, Some(&view.institution.slug), content).into_string()
}

/// The reason the institution gave the citizen for rejecting the request:
/// the public note of the route's last `rejected` event (rejections recorded
/// before the desk asked for one have none; the internal reason is never in
/// the view).
fn rejection_reason(view: &TrackingView) -> Option<&str> {
    view.route
        .iter()
        .rev()
        .find(|e| e.event == "rejected")
        .and_then(|e| e.note.as_deref())
}

/// The words of the follow-by-number form.
#[derive(Debug)]
pub struct FollowText {
    /// The page's title.
    pub title: &'static str,
    /// A registration number that is not one.
    pub bad_number: &'static str,
    /// A code that is not 8 symbols.
    pub bad_code: &'static str,
    /// No document with this number and this code.
    pub not_found: &'static str,
    intro: &'static str,
    number: &'static str,
    number_hint: &'static str,
    code: &'static str,
    code_hint: &'static str,
    submit: &'static str,
    errors: &'static str,
}

/// The follow form's words in `lang`.
pub fn follow_text(lang: Lang) -> &'static FollowText {
    match lang {
        Lang::Ro => &FollowText {
            title: "Urmăriți un document",
            bad_number: "Numărul de înregistrare are forma CJC-2026-000123.",
            bad_code: "Codul de urmărire are 8 caractere, de exemplu 7KQ2-M9XD.",
            not_found: "Nu am găsit niciun document cu acest număr și acest cod. Verificați-le pe recipisă.",
            intro: "Dacă codul QR de pe recipisă nu se poate citi, scrieți numărul de înregistrare și codul de sub el.",
            number: "Numărul de înregistrare",
            number_hint: "De pe recipisă, de exemplu CJC-2026-000123.",
            code: "Codul de urmărire",
            code_hint: "Cele 8 caractere de sub codul QR, de exemplu 7KQ2-M9XD.",
            submit: "Vedeți unde este documentul",
            errors: "Corectați următoarele:",
        },
        Lang::Hu => &FollowText {
            title: "Dokumentum követése",
            bad_number: "Az iktatószám formája CJC-2026-000123.",
            bad_code: "A követési kód 8 karakter, például 7KQ2-M9XD.",
            not_found: "Ezzel az iktatószámmal és kóddal nem találtunk dokumentumot. Ellenőrizze őket az átvételi elismervényen.",
            intro: "Ha az átvételi elismervényen lévő QR-kód nem olvasható, írja be az iktatószámot és az alatta lévő kódot.",
            number: "Iktatószám",
            number_hint: "Az átvételi elismervényről, például CJC-2026-000123.",
            code: "Követési kód",
            code_hint: "A QR-kód alatti 8 karakter, például 7KQ2-M9XD.",
            submit: "Hol tart a dokumentum?",
            errors: "Javítsa a következőket:",
        },
        Lang::En => &FollowText {
            title: "Follow a document",
            bad_number: "A registration number looks like CJC-2026-000123.",
            bad_code: "The tracking code has 8 characters, for example 7KQ2-M9XD.",
            not_found: "We found no document with this number and this code. Check them on your receipt.",
            intro: "If the QR code on your receipt cannot be read, type the registration number and the code under it.",
            number: "Registration number",
            number_hint: "From the receipt, for example CJC-2026-000123.",
            code: "Tracking code",
            code_hint: "The 8 characters under the QR code, for example 7KQ2-M9XD.",
            submit: "See where it is",
            errors: "Correct the following:",
        },
    }
}

/// The follow-by-number form with what was typed and its errors (field ids
/// `number` and `code`).
pub fn follow(lang: Lang, number: &str, code: &str, errors: &[(String, String)]) -> String {
    let t = follow_text(lang);
    let field = |name: &str| {
        errors
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    };
    let content = html! {
        h1 { (t.title) }
        (crate::html::error_summary(t.errors, errors))
        p { (t.intro) }
        form method="get" action="/track" {
            input type="hidden" name="lang" value=(lang.code());
            div.field.invalid[field("number").is_some()] {
                label for="number" { (t.number) }
                span.hint id="number-hint" { (t.number_hint) }
                @if let Some(m) = field("number") { p.error id="number-error" { (m) } }
                input.short-input id="number" name="number" value=(number) autocomplete="off" spellcheck="false"
                    aria-describedby={ "number-hint" @if field("number").is_some() { " number-error" } };
            }
            div.field.invalid[field("code").is_some()] {
                label for="code" { (t.code) }
                span.hint id="code-hint" { (t.code_hint) }
                @if let Some(m) = field("code") { p.error id="code-error" { (m) } }
                input.short-input id="code" name="code" value=(code) autocomplete="off" spellcheck="false" autocapitalize="characters"
                    aria-describedby={ "code-hint" @if field("code").is_some() { " code-error" } };
            }
            button type="submit" { (t.submit) }
        }
    };
    let title = if errors.is_empty() {
        t.title.to_owned()
    } else {
        format!("{} {}", chrome::error_prefix(lang), t.title)
    };
    layout(lang, &title, "/track", content).into_string()
}

/// The "not found" page.
pub fn not_found(lang: Lang, path: &str) -> String {
    let t = texts(lang);
    layout(
        lang,
        t.not_found_title,
        path,
        html! { h1 { (t.not_found_title) } p { (t.not_found) } },
    )
    .into_string()
}

/// The "too many requests" page.
pub fn too_many(lang: Lang, path: &str) -> String {
    let t = texts(lang);
    layout(
        lang,
        t.too_many_title,
        path,
        html! { h1 { (t.too_many_title) } p { (t.too_many) } },
    )
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracking::{Current, DocumentTypeRef, Institution, RouteEntry};
    use chrono::{DateTime, Utc};

    fn view(days_left: i64, note: &str) -> TrackingView {
        let at: DateTime<Utc> = "2026-07-01T21:30:00Z".parse().unwrap();
        TrackingView {
            registration_number: "CJC-2026-000001".into(),
            registered_at: at,
            institution: Institution {
                slug: "cj-cluj".into(),
                name: "Consiliul Județean Cluj".into(),
            },
            document_type: DocumentTypeRef {
                code: "petitie".into(),
                title: "Petiție".into(),
            },
            status: "in_progress".into(),
            current: Current {
                department: "Registratura".into(),
                official: None,
            },
            route: vec![RouteEntry {
                at,
                event: "registered".into(),
                department: Some("Registratura".into()),
                official: None,
                note: Some(note.into()),
            }],
            days_in_institution: 3,
            deadline: "2026-07-31".parse().unwrap(),
            days_left,
            updated_at: at,
            route_head: "ab".repeat(32),
            journey: Vec::new(),
        }
    }

    #[test]
    fn a_rejection_states_its_reason_in_the_readers_language() {
        let mut v = view(3, "Depus la ghișeu");
        v.status = "rejected".into();
        v.route.push(RouteEntry {
            event: "rejected".into(),
            note: Some("Cererea privește <primăria>".into()),
            ..v.route[0].clone()
        });
        for (lang, words) in [
            (Lang::Ro, "Motivul respingerii:"),
            (Lang::Hu, "Az elutasítás indoka:"),
            (Lang::En, "Why the request was rejected:"),
        ] {
            let page = tracking(&v, "T", lang);
            assert!(
                page.contains(&format!(
                    "<p class=\"rejection\"><strong>{words}</strong> Cererea privește &lt;primăria&gt;</p>"
                )),
                "{page}"
            );
        }
        // Not while the request is open, nor for an old rejection without one.
        v.status = "in_progress".into();
        assert!(!tracking(&v, "T", Lang::Ro).contains("Motivul respingerii"));
        v.status = "rejected".into();
        v.route.pop();
        assert!(!tracking(&v, "T", Lang::Ro).contains("Motivul respingerii"));
    }

    #[test]
    fn escapes_notes_and_shows_local_time() {
        let html = tracking(&view(5, "<script>alert(1)</script>"), "TOKEN", Lang::Ro);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        // 21:30 UTC in July is 00:30 the next day in Bucharest.
        assert!(html.contains("02.07.2026 00:30"), "{html}");
        assert!(html.contains("Zile rămase"));
        assert!(html.contains("href=\"/track/TOKEN?lang=hu\""));
    }

    #[test]
    fn overdue_dossiers_say_so_in_each_language() {
        for (lang, word) in [
            (Lang::Ro, "Termen depășit"),
            (Lang::Hu, "Határidő túllépve"),
            (Lang::En, "Overdue"),
        ] {
            let html = tracking(&view(-4, "x"), "T", lang);
            assert!(html.contains(word), "{lang:?}");
            assert!(html.contains(&format!("<html lang=\"{}\"", lang.code())));
        }
    }

    #[test]
    fn a_finished_dossier_has_no_days_left_and_every_status_is_explained() {
        let mut resolved = view(12, "x");
        resolved.status = "resolved".into();
        let html = tracking(&resolved, "T", Lang::Ro);
        assert!(
            !html.contains("Zile rămase") && !html.contains("Termen depășit"),
            "{html}"
        );
        assert!(html.contains(explain(PublicStatus::Resolved, Lang::Ro)));
        let open = tracking(&view(12, "x"), "T", Lang::Hu);
        assert!(
            open.contains("Hátralévő napok")
                && open.contains(explain(PublicStatus::InProgress, Lang::Hu))
        );
        // The QR code is only inside the share disclosure.
        let (before, after) = open.split_once("<details>").unwrap();
        assert!(!before.contains("/q/T.svg") && after.contains("/q/T.svg"));
        assert!(open.contains("href=\"/institutions/cj-cluj?lang=hu\""));
    }

    #[test]
    fn the_follow_form_names_its_errors_and_keeps_what_was_typed() {
        let errors = vec![("code".to_owned(), follow_text(Lang::En).bad_code.to_owned())];
        let html = follow(Lang::En, "CJC-2026-000001", "12<3", &errors);
        assert!(html.contains("href=\"#code\"") && html.contains("id=\"code-error\""));
        assert!(html.contains("value=\"CJC-2026-000001\"") && html.contains("12&lt;3"));
        assert!(html.contains("<title>Error: Follow a document"));
    }
}
