//! The portal's pages: mobile-first HTML, Romanian by default with Hungarian
//! and English, no JavaScript, an error summary that links to each field.

use ghiseu_core::Lang;
use ghiseu_platform::tracking::TrackingView;
use maud::{DOCTYPE, Markup, html};

use crate::texts::t;

/// The form errors of a page: each field's name and its problem.
pub(crate) type Errors = Vec<(String, String)>;

/// The page frame.
pub fn layout(
    lang: Lang,
    title: &str,
    signed_in: Option<&str>,
    csrf: &str,
    body: Markup,
) -> String {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (t(lang, "portal")) }
                link rel="stylesheet" href="/portal/portal.css";
                script src="/portal/portal.js" defer {}
            }
            body {
                header {
                    a href="/portal" { strong { (t(lang, "portal")) } }
                    nav aria-label=(t(lang, "language")) {
                        @for l in [Lang::Ro, Lang::Hu, Lang::En] {
                            " " a href={ "?lang=" (l.code()) } lang=(l.code()) { (l.code().to_uppercase()) }
                        }
                    }
                    @if let Some(name) = signed_in {
                        form method="post" action="/portal/logout" {
                            (name) " "
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" { (t(lang, "logout")) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
    .into_string()
}

/// The hidden fields of every portal form: the CSRF token and the language
/// the page is shown in (a form's action has no query string).
pub fn form_state(csrf: &str, lang: Lang) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(csrf);
        input type="hidden" name="lang" value=(lang.code());
    }
}

/// The error summary: every problem, each linking to its field.
pub fn errors(lang: Lang, errors: &[(String, String)]) -> Markup {
    ghiseu_platform::html::error_summary(t(lang, "errors"), errors)
}

/// A labelled input with its error.
pub fn input(
    lang: Lang,
    errors: &[(String, String)],
    name: &str,
    label_key: &str,
    kind: &str,
    value: &str,
    autocomplete: &str,
) -> Markup {
    let error = errors.iter().find(|(f, _)| f == name).map(|(_, m)| m);
    html! {
        label for=(name) { (t(lang, label_key)) }
        @if let Some(m) = error { p.error id={ (name) "-error" } { (m) } }
        input id=(name) name=(name) type=(kind) value=(value) autocomplete=(autocomplete)
            aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{name}-error"))];
    }
}

/// One of my documents.
pub fn document(
    lang: Lang,
    token: &str,
    v: &TrackingView,
    reply: Option<&str>,
    issued: Option<&str>,
) -> Markup {
    let status = ghiseu_core::PublicStatus::from_code(&v.status)
        .map_or(v.status.as_str(), |s| ghiseu_core::status_label(s, lang));
    html! {
        article.document {
            h2 { (v.document_type.title) }
            p { (v.institution.name) " · " strong { (v.registration_number) } }
            dl {
                dt { (t(lang, "status")) } dd { (status) }
                dt { (t(lang, "department")) } dd { (v.current.department) }
                @if let Some(o) = &v.current.official { dt { (t(lang, "official")) } dd { (o) } }
                dt { (t(lang, "days_in")) } dd { (v.days_in_institution) }
                dt { (t(lang, "deadline")) } dd { (v.deadline.format("%d.%m.%Y").to_string()) }
            }
            @if let Some(href) = reply { p { strong { a href=(href) { (t(lang, "reply")) } } } }
            @if let Some(href) = issued { p { strong { a href=(href) { (t(lang, "issued_document")) } } } }
            p { a href={ "/track/" (token) "?lang=" (lang.code()) } { (t(lang, "details")) } }
        }
    }
}

/// Upload progress for file forms; the pages work without it.
pub const SCRIPT: &str = include_str!("portal.js");

/// The stylesheet.
pub const CSS: &str = "\
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;color:#111;line-height:1.4}\
header{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;align-items:center;border-bottom:3px solid #0b4f9c;padding-bottom:.5rem}\
a{color:#0b4f9c}label{display:block;margin-top:1rem;font-weight:600}\
input,select,textarea{font:inherit;padding:.6rem;width:100%;box-sizing:border-box;min-height:44px}\
input[type=checkbox]{width:auto;min-height:auto}small{display:block;color:#444}\
button{font:inherit;padding:.7rem 1.2rem;margin-top:1rem;min-height:44px}\
.error-summary{border:4px solid #b00;padding:.5rem 1rem;margin:1rem 0}.error{color:#b00;margin:.2rem 0}\
article.document{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}\
progress{width:100%;height:1.2rem;margin-top:1rem}dt{font-weight:600}dd{margin:0 0 .4rem 0}.notice{background:#eef5ff;padding:.5rem 1rem}";
