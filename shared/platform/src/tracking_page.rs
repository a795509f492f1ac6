//! The server-rendered pages: the tracking page, "not found" and "too many
//! requests". Mobile-first (one column, system fonts, readable at 360 px), no
//! JavaScript, one inline stylesheet allowed by its hash in the CSP. maud
//! escapes every interpolated string.

use crate::tracking::TrackingView;
use base64::Engine as _;
use chrono::{DateTime, Datelike as _, NaiveDate, Timelike as _, Utc};
use ghiseu_core::calendar::local_datetime;
use ghiseu_core::{Lang, PublicStatus, event_label, status_label};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

/// The page's only stylesheet, inlined and allowed by [`style_hash`].
const CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#1b1b1b;background:#f6f6f4}\
main{max-width:40rem;margin:0 auto;padding:1rem}\
header{background:#003f7f;color:#fff;padding:.75rem 1rem}\
header p{margin:0;font-weight:600}\
nav{margin:.5rem 0;font-size:.95rem}\
nav a{color:#fff;margin-right:1rem}\
nav a[aria-current]{font-weight:700;text-decoration:none}\
h1{font-size:1.4rem;margin:.5rem 0 1rem}\
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}\
dl{margin:0;background:#fff;border:1px solid #d0d0cc;border-radius:.4rem;padding:.5rem 1rem}\
dt{font-size:.85rem;color:#505050;margin-top:.5rem}\
dd{margin:0 0 .25rem;font-weight:600;overflow-wrap:anywhere}\
.status{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;background:#e6f0fa;color:#003f7f}\
.overdue{color:#a4000f}\
ol{list-style:none;margin:0;padding:0}\
li{background:#fff;border-left:4px solid #003f7f;margin:0 0 .5rem;padding:.5rem .75rem}\
li time{display:block;font-size:.85rem;color:#505050}\
.hash{font-family:ui-monospace,monospace;font-size:.8rem;overflow-wrap:anywhere;font-weight:400}\
.qr{display:block;width:10rem;height:10rem;margin:1rem 0}\
.valid{background:#e3f4e6;color:#0b5a1c;border:1px solid #0b5a1c;border-radius:.4rem;padding:.5rem 1rem;font-weight:700}\
.invalid{background:#fbe9ea;color:#a4000f;border:1px solid #a4000f;border-radius:.4rem;padding:.5rem 1rem;font-weight:700}\
.scroll{overflow-x:auto;background:#fff;border:1px solid #d0d0cc;border-radius:.4rem}\
table{border-collapse:collapse;font-size:.85rem;white-space:nowrap}\
th,td{padding:.3rem .5rem;border-bottom:1px solid #e4e4e0;text-align:right}\
th[scope=row],thead th:first-child{text-align:left}\
.chart{display:block;width:100%;height:auto;margin:1rem 0}\
a{color:#003f7f}";

/// The CSP source of the inline stylesheet: `'sha256-…'`. The stylesheet is
/// a constant, so its hash is computed once per instance, not per page.
pub fn style_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let digest = Sha256::digest(CSS.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    })
}

/// A public page (tracking, verification) as a response, with the security
/// headers every one carries: a CSP that allows only the inline stylesheet and
/// same-origin images, no framing, no referrer, no sniffing, `cache` as
/// `Cache-Control`, and `Vary: Accept-Language` (the language follows it).
#[must_use]
pub fn response(status: http::StatusCode, body: String, cache: &str) -> crate::http::Response {
    let csp = format!(
        "default-src 'none'; style-src {}; img-src 'self'; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self'",
        style_hash()
    );
    let mut response = crate::http::html_page(status, body, &csp, cache);
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
    language: &'static str,
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
            language: "Limba",
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
            language: "Nyelv",
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
            language: "Language",
        },
    }
}

fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Ro => "Română",
        Lang::Hu => "Magyar",
        Lang::En => "English",
    }
}

// Written out rather than through chrono's `format`, which parses its
// pattern again on every call (several per page, every lookup).
fn local(at: DateTime<Utc>) -> String {
    let t = local_datetime(at);
    format!("{} {:02}:{:02}", day(t.date()), t.hour(), t.minute())
}

fn day(d: NaiveDate) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), d.month(), d.year())
}

/// The shell of every public page (tracking, verification): head with the
/// one inline stylesheet, header with the language switch (plain links to
/// `path`), and `content`.
pub fn layout(lang: Lang, title: &str, path: &str, content: Markup) -> Markup {
    let t = texts(lang);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · Ghiseu" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    p { "Ghiseu" }
                    nav aria-label=(t.language) {
                        @for l in Lang::ALL {
                            @if l == lang {
                                a href={ (path) "?lang=" (l.code()) } hreflang=(l.code()) lang=(l.code()) aria-current="true" { (language_name(l)) }
                            } @else {
                                a href={ (path) "?lang=" (l.code()) } hreflang=(l.code()) lang=(l.code()) { (language_name(l)) }
                            }
                        }
                    }
                }
                main { (content) }
            }
        }
    }
}

fn route_list(route: &[crate::tracking::RouteEntry], lang: Lang) -> Markup {
    html! {
        ol {
            @for e in route {
                li {
                    time datetime=(e.at.to_rfc3339()) { (local(e.at)) }
                    strong { (event_label(&e.event, lang).unwrap_or(e.event.as_str())) }
                    @if let Some(d) = &e.department { br; (d) }
                    @if let Some(o) = &e.official { " · " (o) }
                    @if let Some(n) = &e.note { br; em { (n) } }
                }
            }
        }
    }
}

/// The tracking page of `view` for `token`.
pub fn tracking(view: &TrackingView, token: &str, lang: Lang) -> String {
    let t = texts(lang);
    let status = PublicStatus::from_code(&view.status)
        .map_or(view.status.as_str(), |s| status_label(s, lang));
    let path = format!("/track/{token}");
    let content = html! {
        h1 { (t.title) }
        dl {
            dt { (t.institution) } dd { (view.institution.name) }
            dt { (t.document_type) } dd { (view.document_type.title) }
            dt { (t.number) } dd { (view.registration_number) }
            dt { (t.registered) } dd { time datetime=(view.registered_at.to_rfc3339()) { (local(view.registered_at)) } }
            dt { (t.status) } dd { span.status { (status) } }
            dt { (t.department) } dd { (view.current.department) }
            @if let Some(official) = &view.current.official {
                dt { (t.official) } dd { (official) }
            }
            dt { (t.days_in) } dd { (view.days_in_institution) }
            dt { (t.deadline) } dd { time datetime=(view.deadline.to_string()) { (day(view.deadline)) } }
            @if view.days_left >= 0 {
                dt { (t.days_left) } dd { (view.days_left) }
            } @else {
                dt { (t.overdue) } dd.overdue { (-view.days_left) }
            }
            dt { (t.updated) } dd { time datetime=(view.updated_at.to_rfc3339()) { (local(view.updated_at)) } }
        }
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
        h2 { (t.head) }
        p.hash { (view.route_head) }
        p { (t.head_help) }
        img.qr src={ "/q/" (token) ".svg" } alt=(t.qr_alt) width="160" height="160";
    };
    layout(lang, t.title, &path, content).into_string()
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
    fn dates_read_as_chrono_formats_them() {
        for at in [
            "2026-07-01T21:30:00Z",
            "2026-03-29T00:59:59Z",
            "2026-10-25T00:00:00Z",
            "0999-01-02T03:04:05Z",
        ] {
            let at: DateTime<Utc> = at.parse().unwrap();
            assert_eq!(
                local(at),
                local_datetime(at).format("%d.%m.%Y %H:%M").to_string()
            );
            assert_eq!(day(at.date_naive()), at.format("%d.%m.%Y").to_string());
        }
    }

    #[test]
    fn style_hash_is_a_csp_source() {
        let h = style_hash();
        assert!(h.starts_with("'sha256-") && h.ends_with('\''));
    }
}
