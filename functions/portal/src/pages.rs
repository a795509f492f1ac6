//! The portal's pages: mobile-first HTML, Romanian by default with Hungarian
//! and English, no JavaScript, an error summary that links to each field.

use ghiseu_core::{Lang, Tenant};
use ghiseu_platform::chrome;
use ghiseu_platform::tracking::TrackingView;
use maud::{DOCTYPE, Markup, html};

use crate::texts::t;

/// The form errors of a page: each field's name and its problem.
pub(crate) type Errors = Vec<(String, String)>;

/// The page frame: who is signed in, and the institution whose service the
/// page is (its name, logo and colour), if any.
pub fn layout(
    lang: Lang,
    title: &str,
    (signed_in, tenant): (Option<&str>, Option<&Tenant>),
    csrf: &str,
    body: Markup,
) -> String {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (chrome::head(&format!("{title} — {}", t(lang, "portal")), tenant.map(|t| t.slug.as_str()),
                html! { script src=(ghiseu_platform::assets::PORTAL_JS) defer {} }))
            body {
                (chrome::skip_link(lang))
                header.site-header {
                    a.service-name href={ "/?lang=" (lang.code()) } { (chrome::service_name(lang)) }
                    nav aria-label=(t(lang, "portal")) {
                        a href={ "/portal?lang=" (lang.code()) } { (t(lang, "portal")) }
                    }
                    (chrome::language_links(lang, ""))
                    @if let Some(name) = signed_in {
                        form method="post" action="/portal/logout" {
                            span { (name) }
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" { (t(lang, "logout")) }
                        }
                    }
                }
                @if let Some(t) = tenant {
                    div.institution {
                        a href={ "/institutions/" (t.slug) "?lang=" (lang.code()) } {
                            @if t.branding.logo.is_some() {
                                img src={ "/branding/" (t.slug) "/logo" } alt="";
                            }
                            (t.header_name().as_str())
                        }
                    }
                }
                main id="main" { (body) }
                (chrome::footer(lang))
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

/// The error summary: every problem under the name of its field, each
/// linking to the field's id (the fixed forms' fields are named by
/// [`field_label`]).
pub fn errors(lang: Lang, errors: &[(String, String)]) -> Markup {
    errors_named(lang, errors, |id| field_label(lang, id))
}

/// The error summary of a form whose fields `label` names by id (a document
/// type's form): "Subiect: Completați acest câmp.", linking to `#id`.
pub fn errors_named(
    lang: Lang,
    errors: &[(String, String)],
    label: impl Fn(&str) -> Option<String>,
) -> Markup {
    let named: Vec<(String, String)> = errors
        .iter()
        .map(|(id, message)| {
            let text = match label(id) {
                Some(l) => format!("{l}: {message}"),
                None => message.clone(),
            };
            (id.clone(), text)
        })
        .collect();
    ghiseu_platform::html::error_summary(t(lang, "errors"), &named)
}

/// The label of a fixed form's field, by its id.
fn field_label(lang: Lang, id: &str) -> Option<String> {
    let key = match id {
        "password" => "password_plain",
        "message" => "reply_text",
        "files" => "reply_documents",
        other => other,
    };
    Some(t(lang, key))
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
}

/// A page's title, after `Eroare: ` (`Hiba: `, `Error: `) when its form has
/// errors, so a screen reader says so first.
pub fn title(lang: Lang, title: &str, errors: &[(String, String)]) -> String {
    if errors.is_empty() {
        title.to_owned()
    } else {
        format!("{}{title}", t(lang, "error_prefix"))
    }
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

/// One of my documents (`more`: what else the citizen has of it, e.g. the
/// receipt of its fee; `dossier`: the dossier's own address, under which are who opened it
/// and its archive bundle).
pub fn document(
    lang: Lang,
    token: &str,
    v: &TrackingView,
    (reply, issued, dossier): (Option<&str>, Option<&str>, &str),
    more: Option<&Markup>,
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
                dt { (t(lang, "deadline")) } dd { (ghiseu_core::calendar::written_date(lang, v.deadline)) }
            }
            @if let Some(href) = reply { p { strong { a href=(href) { (t(lang, "reply")) } } } }
            @if let Some(href) = issued { p { strong { a href=(href) { (t(lang, "issued_document")) } } } }
            @if let Some(more) = more { (more) }
            p { a href={ "/track/" (token) "?lang=" (lang.code()) } { (t(lang, "details")) } }
            p { a href={ (dossier) "/access?lang=" (lang.code()) } { (t(lang, "who_opened")) } }
            p { a href={ (dossier) "/bundle.asice" } download { (t(lang, "bundle")) } }
        }
    }
}
