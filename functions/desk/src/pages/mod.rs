//! The desk's HTML, rendered with maud (escaped by default). No JavaScript:
//! every journey is a plain form. The pages take plain values and import no
//! handler; one file a page family: [`inbox`](mod@inbox), [`intake`](mod@intake),
//! [`dossier`](mod@dossier), [`signing`]. This module holds the layout, the
//! sign-in and error pages, and what they share.

mod account;
mod dossier;
mod inbox;
mod intake;
mod receipt;
mod signing;

pub use account::{Enrol, Refusal, ask_code, enabled, enrol, recovery_codes};
pub use dossier::{DossierPage, assignable, dossier};
pub use inbox::{InboxForm, Listing, inbox};
pub use intake::{intake, intake_choice};
pub use receipt::{ReceiptView, receipt_page};
pub use signing::{
    BatchPage, BatchRow, ItemView, Queue, QueueFilter, QueueRow, signing_batch, signing_queue,
};

use ghiseu_core::calendar::local_datetime;
use ghiseu_core::{Actor, Dossier, Lang, Tenant};
use ghiseu_platform::chrome;
use ghiseu_platform::html::inline_error;
use maud::{DOCTYPE, Markup, html};

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

fn layout(title: &str, signed: Option<Viewer<'_>>, body: Markup) -> String {
    layout_in(Lang::Ro, title, signed, body)
}

/// The desk's frame in `lang` (the account's pages are in three languages).
fn layout_in(lang: Lang, title: &str, signed: Option<Viewer<'_>>, body: Markup) -> String {
    let [files, intake, to_sign, admin, account, exit, desk] = lang.pick([
        [
            "Dosare",
            "Înregistrare",
            "De semnat",
            "Administrare",
            "Contul meu",
            "Ieșire",
            "birou",
        ],
        [
            "Ügyiratok",
            "Iktatás",
            "Aláírandó",
            "Adminisztráció",
            "Fiókom",
            "Kilépés",
            "hivatal",
        ],
        [
            "Files",
            "Intake",
            "To sign",
            "Administration",
            "My account",
            "Sign out",
            "desk",
        ],
    ]);
    let everywhere = lang.pick([
        "Ieșire de pe toate dispozitivele",
        "Kijelentkezés minden eszközről",
        "Sign out everywhere",
    ]);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (chrome::head(&format!("{title} — {}, {desk}", chrome::service_name(lang)), signed.map(|s| s.tenant.slug.as_str()), html! {}))
            body.wide {
                (chrome::skip_link(lang))
                @if let Some(s) = signed {
                    header.site-header {
                        nav {
                            a href="/desk" { (files) } " · " a href="/desk/intake" { (intake) }
                            @if s.actor.roles.contains(&ghiseu_core::Role::Signer) {
                                " · " a href="/desk/sign" { (to_sign) }
                            }
                            @if s.actor.roles.contains(&ghiseu_core::Role::TenantAdmin) {
                                " · " a href="/admin" { (admin) }
                            }
                            " · " a href="/desk/account" { (account) }
                        }
                        form method="post" action="/desk/logout" {
                            (s.display_name) " (" (s.tenant.header_name().as_str()) ") "
                            input type="hidden" name="csrf" value=(s.csrf);
                            button type="submit" { (exit) }
                        }
                        form method="post" action="/desk/logout/everywhere" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            button.secondary type="submit" { (everywhere) }
                        }
                    }
                }
                main id="main" { (body) }
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
