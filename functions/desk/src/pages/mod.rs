//! The desk's HTML, rendered with maud (escaped by default). No JavaScript:
//! every journey is a plain form. The pages take plain values and import no
//! handler; one file a page family: [`inbox`](mod@inbox), [`intake`](mod@intake),
//! [`dossier`](mod@dossier), [`signing`]. This module holds the layout, the
//! sign-in and error pages, and what they share.

mod dossier;
mod inbox;
mod intake;
mod signing;

pub use dossier::{DossierPage, dossier, receipt};
pub use inbox::{InboxForm, Listing, inbox};
pub use intake::intake;
pub use signing::{BatchPage, BatchRow, ItemView, signing_batch, signing_queue};

use ghiseu_core::calendar::local_datetime;
use ghiseu_core::{Actor, Dossier, Tenant};
use ghiseu_platform::html::inline_error;
use ghiseu_platform::http::{self as web, Response};
use maud::{DOCTYPE, Markup, html};

const CSS: &str = "\
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#111}\
a{color:#0b4f9c}label{display:block;margin-top:.8rem;font-weight:600}\
input,select,textarea{font:inherit;padding:.4rem;max-width:100%}\
button{font:inherit;padding:.5rem 1rem;margin-top:.8rem}\
.error-summary{border:3px solid #b00;padding:.5rem 1rem;margin:1rem 0}\
.error{color:#b00}.warning{border:3px solid #b60;padding:.5rem 1rem}\
tr.overdue td{background:#fde8e8}.filters label{display:inline;margin:0 .3rem 0 .8rem}table{border-collapse:collapse;width:100%}\
td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}\
fieldset{margin:1rem 0}header{display:flex;justify-content:space-between;align-items:center}\
.receipt{border:1px solid #000;padding:1rem}.receipt img{width:40mm;height:40mm}\
@media(max-width:40rem){#items thead{display:none}#items tr{display:block;border-bottom:1px solid #ccc;\
padding:.4rem 0}#items td{display:block;border:none;padding:.1rem 0}code.hash{word-break:break-all}\
#items td[data-label]::before{content:attr(data-label) \": \";font-weight:600}}\
.a6{width:95mm}.a6 img{width:30mm;height:30mm}.short{font-family:monospace;font-size:1.1rem}\
@media print{header,.noprint{display:none}body{max-width:none;padding:0}\
.receipt{border:none}}\
@page{size:A4;margin:15mm}\
@page label{size:A6;margin:5mm}.a6{page:label}";

/// What the pages show of the signed-in official: the header, the menu, the
/// CSRF token of their forms, and what they may do.
#[derive(Clone, Copy)]
pub struct Viewer<'a> {
    /// The official as the workflow sees them.
    pub actor: &'a Actor,
    /// Their tenant.
    pub tenant: &'a Tenant,
    /// Their name.
    pub display_name: &'a str,
    /// The session's CSRF token.
    pub csrf: &'a str,
}

/// `GET /desk/desk.css`.
pub fn stylesheet() -> Response {
    web::stylesheet(CSS)
}

fn layout(title: &str, signed: Option<Viewer<'_>>, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="ro" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Ghiseu, birou" }
                link rel="stylesheet" href="/desk/desk.css";
                @if let Some(s) = signed {
                    link rel="stylesheet" href=(format!("/branding/{}/theme.css", s.tenant.slug));
                }
            }
            body {
                @if let Some(s) = signed {
                    header.brand {
                        nav {
                            a href="/desk" { "Dosare" } " · " a href="/desk/intake" { "Înregistrare" }
                            @if s.actor.roles.contains(&ghiseu_core::Role::Signer) {
                                " · " a href="/desk/sign" { "De semnat" }
                            }
                            @if s.actor.roles.contains(&ghiseu_core::Role::TenantAdmin) {
                                " · " a href="/admin" { "Administrare" }
                            }
                        }
                        form method="post" action="/desk/logout" {
                            (s.display_name) " (" (s.tenant.header_name().as_str()) ") "
                            input type="hidden" name="csrf" value=(s.csrf);
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
    ghiseu_platform::html::error_summary("Corectați următoarele:", errors)
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

fn status_ro(code: &str) -> &str {
    match code {
        "registered" => "Înregistrat",
        "in_progress" => "În lucru",
        "awaiting_citizen" => "Așteaptă petentul",
        "awaiting_signature" => "La semnat",
        "resolved" => "Soluționat",
        "rejected" => "Respins",
        "withdrawn" => "Retras",
        "forwarded_out" => "Redirecționat la altă instituție",
        "joined" => "Conexat",
        other => other,
    }
}
