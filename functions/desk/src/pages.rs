//! The desk's HTML, rendered with maud (escaped by default). No JavaScript:
//! every journey is a plain form.

use ghiseu_core::calendar::local_datetime;
use ghiseu_core::public_view::PublicNames;
use ghiseu_core::{Department, DocumentType, Dossier, Official, Tenant};
use ghiseu_platform::http::{self as web, Response};
use http::{HeaderValue, StatusCode, header};
use maud::{DOCTYPE, Markup, html};

use crate::Signed;

const CSS: &str = "\
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#111}\
a{color:#0b4f9c}label{display:block;margin-top:.8rem;font-weight:600}\
input,select,textarea{font:inherit;padding:.4rem;max-width:100%}\
button{font:inherit;padding:.5rem 1rem;margin-top:.8rem}\
.error-summary{border:3px solid #b00;padding:.5rem 1rem;margin:1rem 0}\
.error{color:#b00}table{border-collapse:collapse;width:100%}\
td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}\
fieldset{margin:1rem 0}header{display:flex;justify-content:space-between;align-items:center}\
.receipt{border:1px solid #000;padding:1rem}.receipt img{width:40mm;height:40mm}\
.a6{width:95mm}.a6 img{width:30mm;height:30mm}.short{font-family:monospace;font-size:1.1rem}\
@media print{header,.noprint{display:none}body{max-width:none;padding:0}\
.receipt{border:none}}\
@page{size:A4;margin:15mm}\
@page label{size:A6;margin:5mm}.a6{page:label}";

/// `GET /desk/desk.css`.
pub fn stylesheet() -> Response {
    let mut r = web::bytes(StatusCode::OK, "text/css; charset=utf-8", CSS);
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn layout(title: &str, signed: Option<&Signed>, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="ro" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Ghiseu, birou" }
                link rel="stylesheet" href="/desk/desk.css";
            }
            body {
                @if let Some(s) = signed {
                    header {
                        nav { a href="/desk" { "Registru" } " · " a href="/desk/intake" { "Înregistrare" } }
                        form method="post" action="/desk/logout" {
                            (s.display_name) " (" (s.tenant.name.as_str()) ") "
                            input type="hidden" name="csrf" value=(s.session.csrf);
                            button type="submit" { "Ieșire" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
    .into_string()
}

fn error_summary(errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { "Corectați următoarele:" }
                ul { @for (f, m) in errors { li { a href=(format!("#{f}")) { (m) } } } }
            }
        }
    }
}

fn inline_error(errors: &[(String, String)], name: &str) -> Markup {
    html! { @for (f, m) in errors { @if f == name { p.error id=(format!("{name}-error")) { (m) } } } }
}

/// An error page.
pub fn error_page(title: &str, detail: &str) -> String {
    layout(
        title,
        None,
        html! { h1 { (title) } p role="alert" { (detail) } p { a href="/desk" { "Înapoi la registru" } } },
    )
}

/// The sign-in form.
pub fn login(
    tenants: &[(String, String)],
    csrf: &str,
    errors: &[(String, String)],
    institution: &str,
    username: &str,
) -> String {
    layout(
        "Autentificare",
        None,
        html! {
            h1 { "Autentificare funcționari" }
            (error_summary(errors))
            form method="post" action="/desk/login" {
                input type="hidden" name="csrf" value=(csrf);
                label for="institution" { "Instituția" }
                (inline_error(errors, "institution"))
                select id="institution" name="institution" required {
                    @for (slug, name) in tenants {
                        option value=(slug) selected[slug == institution] { (name) }
                    }
                }
                label for="username" { "Utilizator" }
                (inline_error(errors, "username"))
                input id="username" name="username" autocomplete="username" value=(username) required;
                label for="password" { "Parola" }
                (inline_error(errors, "password"))
                input id="password" name="password" type="password" autocomplete="current-password" required;
                div { button type="submit" { "Intră" } }
            }
        },
    )
}

fn when(d: &Dossier) -> String {
    local_datetime(d.registered_at())
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// The inbox.
pub fn inbox(signed: &Signed, rows: &[Dossier]) -> String {
    layout(
        "Registru",
        Some(signed),
        html! {
            h1 { "Registru — " (signed.tenant.name.as_str()) }
            p { a href="/desk/intake" { "Înregistrează un document depus pe hârtie" } }
            table {
                thead { tr { th { "Nr. înregistrare" } th { "Data" } th { "Tip" } th { "Stare" } th { "Departament" } th { "Termen" } } }
                tbody {
                    @for d in rows {
                        tr {
                            td { a href=(format!("/desk/dossiers/{}", d.id())) { (d.number().to_string()) } }
                            td { (when(d)) }
                            td { (d.document_type().as_str()) }
                            td { (d.status().code()) }
                            td { (d.current_department().as_str()) }
                            td { (d.deadline().format("%d.%m.%Y").to_string()) }
                        }
                    }
                }
            }
        },
    )
}

fn value<'a>(values: &'a [(String, String)], name: &str) -> &'a str {
    values
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The intake form.
pub fn intake(
    signed: &Signed,
    types: &[DocumentType],
    errors: &[(String, String)],
    values: &[(String, String)],
) -> String {
    let chosen = value(values, "document_type");
    layout(
        "Înregistrare",
        Some(signed),
        html! {
            h1 { "Înregistrare document depus la registratură" }
            (error_summary(errors))
            form method="post" action="/desk/intake" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(signed.session.csrf);
                label for="document_type" { "Tipul documentului" }
                (inline_error(errors, "document_type"))
                select id="document_type" name="document_type" required {
                    @for t in types {
                        option value=(t.code.as_str()) selected[t.code.as_str() == chosen] { (t.titles.ro.as_str()) }
                    }
                }
                fieldset {
                    legend { "Petent (opțional, nu apare public)" }
                    label for="name" { "Nume" }
                    (inline_error(errors, "name"))
                    input id="name" name="name" value=(value(values, "name"));
                    label for="email" { "E-mail (pentru notificări)" }
                    (inline_error(errors, "email"))
                    input id="email" name="email" type="email" value=(value(values, "email"));
                    label for="phone" { "Telefon (pentru notificări)" }
                    (inline_error(errors, "phone"))
                    input id="phone" name="phone" type="tel" value=(value(values, "phone"));
                }
                label for="scan" { "Pagini scanate (PDF, JPEG sau PNG, max. 10 MB fiecare)" }
                (inline_error(errors, "scan"))
                input id="scan" name="scan" type="file" multiple accept="application/pdf,image/jpeg,image/png" required;
                label for="note" { "Notă internă" }
                (inline_error(errors, "note"))
                textarea id="note" name="note" rows="3" { (value(values, "note")) }
                div { button type="submit" { "Înregistrează" } }
            }
        },
    )
}

fn name_of<'a>(names: &'a PublicNames, d: &'a ghiseu_core::DepartmentCode) -> &'a str {
    names.departments.get(d).map_or(d.as_str(), String::as_str)
}

/// A dossier with the forms its viewer may use.
pub fn dossier(
    signed: &Signed,
    d: &Dossier,
    departments: &[Department],
    officials: &[Official],
    names: &PublicNames,
    errors: &[(String, String)],
) -> String {
    use ghiseu_core::Action;
    let may = |a: Action| {
        ghiseu_core::authorize(&signed.actor, a, d).is_ok()
            && ghiseu_core::workflow::allowed_in(a, d.status())
    };
    let head = d.route().head_hash_hex();
    let hidden = html! {
        input type="hidden" name="csrf" value=(signed.session.csrf);
        input type="hidden" name="route_head" value=(head);
    };
    let contact = d.contact();
    layout(
        &d.number().to_string(),
        Some(signed),
        html! {
            h1 { "Dosar " (d.number().to_string()) }
            (error_summary(errors))
            dl {
                dt { "Înregistrat" } dd { (when(d)) }
                dt { "Tip" } dd { (d.document_type().as_str()) }
                dt { "Stare" } dd { (d.status().code()) }
                dt { "Departament" } dd { (name_of(names, d.current_department())) }
                dt { "Funcționar" } dd { (d.current_official().map_or("—", |u| u.as_str())) }
                dt { "Termen" } dd { (d.deadline().format("%d.%m.%Y").to_string()) }
                @if let Some(n) = &contact.name { dt { "Petent" } dd { (n.as_str()) } }
                @if let Some(e) = &contact.email { dt { "E-mail" } dd { (e.as_str()) } }
                @if let Some(p) = &contact.phone { dt { "Telefon" } dd { (p.as_str()) } }
                @if let Some(n) = d.note() { dt { "Notă internă" } dd { (n.as_str()) } }
                dt { "Pagini" } dd { (d.attachments().len()) }
            }
            p { a href=(format!("/desk/dossiers/{}/receipt", d.id())) { "Recipisă (A4)" } " · "
                a href=(format!("/desk/dossiers/{}/receipt?format=a6", d.id())) { "Etichetă (A6)" } }
            h2 { "Traseu" }
            ol { @for e in d.route().events() {
                li { (local_datetime(e.event.at).format("%d.%m.%Y %H:%M").to_string()) " — " (e.event.kind.code())
                    " — " (e.event.actor.code())
                    @if let Some(dep) = &e.event.department { " — " (name_of(names, dep)) } }
            } }
            @let action_url = format!("/desk/dossiers/{}/actions", d.id());
            @if may(Action::Assign) {
                form method="post" action=(action_url) {
                    fieldset { legend { "Repartizare" }
                        (hidden) input type="hidden" name="action" value="assign";
                        label for="department" { "Departament" }
                        (inline_error(errors, "department"))
                        select id="department" name="department" { @for dep in departments { option value=(dep.code.as_str()) { (dep.name.as_str()) } } }
                        label for="official" { "Funcționar (opțional)" }
                        (inline_error(errors, "official"))
                        select id="official" name="official" { option value="" { "—" } @for o in officials { option value=(o.username.as_str()) { (o.display_name.as_str()) } } }
                        div { button type="submit" { "Repartizează" } }
                    }
                }
            }
            @if may(Action::Forward) {
                form method="post" action=(action_url) {
                    fieldset { legend { "Redirecționare" }
                        (hidden) input type="hidden" name="action" value="forward";
                        label for="to_department" { "Către departamentul" }
                        select id="to_department" name="to_department" { @for dep in departments { option value=(dep.code.as_str()) { (dep.name.as_str()) } } }
                        label for="forward_note" { "Notă publică" }
                        (inline_error(errors, "forward_note"))
                        input id="forward_note" name="forward_note";
                        div { button type="submit" { "Redirecționează" } }
                    }
                }
            }
            @if may(Action::Resolve) {
                form method="post" action=(action_url) {
                    fieldset { legend { "Soluționare" }
                        (hidden) input type="hidden" name="action" value="resolve";
                        label for="resolve_note" { "Notă publică" }
                        input id="resolve_note" name="resolve_note";
                        div { button type="submit" { "Soluționează" } }
                    }
                }
            }
            @if may(Action::Reject) {
                form method="post" action=(action_url) {
                    fieldset { legend { "Respingere" }
                        (hidden) input type="hidden" name="action" value="reject";
                        label for="reason" { "Motiv (intern)" }
                        (inline_error(errors, "reason"))
                        input id="reason" name="reason";
                        div { button type="submit" { "Respinge" } }
                    }
                }
            }
        },
    )
}

/// The printable receipt (A4, or an A6 label).
pub fn receipt(tenant: &Tenant, d: &Dossier, doc_type: &DocumentType, a6: bool) -> String {
    let short = tenant.public_base_url.qr_url(d.token());
    layout(
        "Recipisă",
        None,
        html! {
            div class=(if a6 { "receipt a6" } else { "receipt" }) {
                h1 { (tenant.name.as_str()) }
                p { "Nr. înregistrare: " strong.regno { (d.number().to_string()) } }
                p { "Data: " (when(d)) }
                p { "Document: " (doc_type.titles.ro.as_str()) }
                p { "Termen legal de răspuns: " (d.deadline().format("%d.%m.%Y").to_string()) }
                img src=(format!("/q/{}.svg", d.token())) alt=(format!("Cod QR pentru {short}"));
                p { "Urmăriți documentul: " span.short { (short) } }
            }
            p.noprint { a href="/desk" { "Înapoi la registru" } }
        },
    )
}
