//! The desk's HTML, rendered with maud (escaped by default). No JavaScript:
//! every journey is a plain form.

use ghiseu_core::calendar::local_datetime;
use ghiseu_core::inbox::{InboxDue, InboxStatus, InboxView};
use ghiseu_core::public_view::PublicNames;
use ghiseu_core::{Action, Actor, Department, DocumentType, Dossier, Official, Tenant};
use ghiseu_platform::html::inline_error;
use ghiseu_platform::http::{self as web, Response};
use ghiseu_platform::repo::Summary;
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

/// The inbox's filter as its form shows it.
pub struct InboxForm<'a> {
    /// Whose dossiers.
    pub view: InboxView,
    /// The department chosen, if any.
    pub department: Option<&'a str>,
    /// The status chosen, if any.
    pub status: Option<InboxStatus>,
    /// The document type chosen, if any.
    pub document_type: Option<&'a str>,
    /// The deadline filter, if any.
    pub due: Option<InboxDue>,
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

/// What an inbox view lists.
pub struct Listing<'a> {
    /// The dossiers shown.
    pub rows: &'a [Summary],
    /// Registration numbers taken without a dossier (the registry view only).
    pub unused: &'a [String],
}

/// The inbox: open dossiers sorted by deadline, with filters (plain GET form);
/// the registry view also names numbers taken without a dossier.
pub fn inbox(
    signed: Viewer<'_>,
    filter: &InboxForm<'_>,
    Listing { rows, unused }: Listing<'_>,
    departments: &[Department],
    types: &[DocumentType],
    names: &PublicNames,
    today: chrono::NaiveDate,
) -> String {
    let view_label = |v: InboxView| match v {
        InboxView::Mine => "Ale mele",
        InboxView::Department => "Departamentul",
        InboxView::Signature => "De semnat",
        InboxView::All => "Toate deschise",
        InboxView::Registry => "Registru (ultimele înregistrări)",
    };
    layout(
        "Registru",
        Some(signed),
        html! {
            h1 { "Dosare — " (signed.tenant.name.as_str()) }
            p { a href="/desk/intake" { "Înregistrează un document depus pe hârtie" } }
            nav.tabs aria-label="Vederi" {
                @for v in InboxView::ALL {
                    @if filter.view == v { strong { (view_label(v)) } } @else { a href=(format!("/desk?view={}", v.as_str())) { (view_label(v)) } }
                    " "
                }
            }
            form method="get" action="/desk" class="filters" {
                input type="hidden" name="view" value=(filter.view.as_str());
                label for="f-department" { "Departament" }
                select id="f-department" name="department" {
                    option value="" { "—" }
                    @for d in departments {
                        option value=(d.code.as_str()) selected[filter.department == Some(d.code.as_str())] { (d.name.as_str()) }
                    }
                }
                label for="f-status" { "Stare" }
                select id="f-status" name="status" {
                    option value="" { "—" }
                    @for st in InboxStatus::OFFERED {
                        option value=(st.code()) selected[filter.status == Some(InboxStatus::Is(st))] { (status_ro(st.code())) }
                    }
                }
                label for="f-type" { "Tip document" }
                select id="f-type" name="document_type" {
                    option value="" { "—" }
                    @for t in types {
                        option value=(t.code.as_str()) selected[filter.document_type == Some(t.code.as_str())] { (t.titles.ro.as_str()) }
                    }
                }
                label for="f-due" { "Termen" }
                select id="f-due" name="due" {
                    option value="" { "—" }
                    option value=(InboxDue::Overdue.as_str()) selected[filter.due == Some(InboxDue::Overdue)] { "Depășit" }
                    option value=(InboxDue::Week.as_str()) selected[filter.due == Some(InboxDue::Week)] { "În următoarele 7 zile" }
                }
                button type="submit" { "Filtrează" }
            }
            @if !unused.is_empty() {
                p.warning role="alert" {
                    "Numere de înregistrare luate fără dosar: "
                    (unused.join(", "))
                    ". O înregistrare a fost întreruptă după ce a primit numărul (sau se încheie chiar acum); \
                     numărul nu se refolosește, menționați-l în registru ca anulat."
                }
            }
            p { (rows.len()) " dosare" }
            table {
                thead { tr { th { "Nr. înregistrare" } th { "Tip" } th { "Stare" } th { "Departament" } th { "Funcționar" } th { "Termen" } } }
                tbody {
                    @for s in rows {
                        @let left = ghiseu_core::deadline::days_left(s.deadline, today);
                        tr class=(if left < 0 { "overdue" } else { "" }) {
                            td { a href=(format!("/desk/dossiers/{}", s.id)) { (s.number) } }
                            td { (types.iter().find(|t| t.code.as_str() == s.document_type).map_or(s.document_type.as_str(), |t| t.titles.ro.as_str())) }
                            td { (status_ro(&s.status)) }
                            td { (ghiseu_core::DepartmentCode::parse(&s.department).ok().and_then(|c| names.departments.get(&c).cloned()).unwrap_or_else(|| s.department.clone())) }
                            td { (s.official.as_deref().and_then(|u| ghiseu_core::Username::parse(u).ok()).and_then(|u| names.officials.get(&u).cloned()).unwrap_or_default()) }
                            td {
                                (s.deadline.format("%d.%m.%Y").to_string())
                                @if left < 0 { " (depășit cu " (-left) " zile)" } @else if left < 7 { " (" (left) " zile)" }
                            }
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
    signed: Viewer<'_>,
    types: &[DocumentType],
    errors: &[(String, String)],
    values: &[(String, String)],
) -> String {
    let chosen = value(values, "document_type");
    let chosen_type = types.iter().find(|t| t.code.as_str() == chosen);
    layout(
        "Înregistrare",
        Some(signed),
        html! {
            h1 { "Înregistrare document depus la registratură" }
            (error_summary(errors))
            @if types.len() > 1 {
                p.noprint { "Câmpurile cererii pentru: "
                    @for t in types {
                        a href=(format!("/desk/intake?document_type={}", t.code.as_str())) { (t.titles.ro.as_str()) } " · "
                    }
                }
            }
            form method="post" action="/desk/intake" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(signed.csrf);
                label for="document_type" { "Tipul documentului" }
                (inline_error(errors, "document_type"))
                select id="document_type" name="document_type" required {
                    @for t in types {
                        option value=(t.code.as_str()) selected[t.code.as_str() == chosen] { (t.titles.ro.as_str()) }
                    }
                }
                @if let Some(t) = chosen_type.filter(|t| !t.fields.is_empty()) {
                    fieldset {
                        legend { "Date din cerere — " (t.titles.ro.as_str()) " (opțional la registratură, nu apar public)" }
                        @for f in &t.fields { (form_field(f, errors, values)) }
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

/// One input of a document type's form, named `f_{field}`.
fn form_field(
    f: &ghiseu_core::document_type::FieldDef,
    errors: &[(String, String)],
    values: &[(String, String)],
) -> Markup {
    use ghiseu_core::document_type::FieldKind as K;
    let id = format!("f_{}", f.name.as_str());
    let v = value(values, &id);
    html! {
        label for=(id) { (f.label.ro.as_str()) @if f.required { " *" } }
        (inline_error(errors, &id))
        @match &f.kind {
            K::Multiline { max_chars } => textarea id=(id) name=(id) rows="3" maxlength=(max_chars) { (v) },
            K::Text { max_chars } => input id=(id) name=(id) maxlength=(max_chars) value=(v);,
            K::Number { min, max } => input id=(id) name=(id) type="number" min=(min) max=(max) value=(v);,
            K::Date => input id=(id) name=(id) type="date" value=(v);,
            K::Select { options } => select id=(id) name=(id) {
                option value="" { "—" }
                @for o in options { option value=(o) selected[o == v] { (o) } }
            },
            K::Checkbox => input id=(id) name=(id) type="checkbox" checked[v == "on" || v == "true"];,
            K::Cnp => input id=(id) name=(id) inputmode="numeric" maxlength="13" autocomplete="off" value=(v);,
            K::Email => input id=(id) name=(id) type="email" value=(v);,
            K::Phone => input id=(id) name=(id) type="tel" value=(v);,
            K::Address => textarea id=(id) name=(id) rows="2" autocomplete="street-address" { (v) },
            K::Attachment { .. } => p { small { "Se atașează ca pagină scanată, mai jos." } },
        }
    }
}

fn name_of<'a>(names: &'a PublicNames, d: &'a ghiseu_core::DepartmentCode) -> &'a str {
    names.departments.get(d).map_or(d.as_str(), String::as_str)
}

/// Everything the dossier page shows.
pub struct DossierPage<'a> {
    /// The dossier.
    pub d: &'a Dossier,
    /// Its document type (latest version), if it still exists.
    pub doc_type: Option<&'a DocumentType>,
    /// The tenant's departments.
    pub departments: &'a [Department],
    /// The tenant's officials.
    pub officials: &'a [Official],
    /// Display names.
    pub names: &'a PublicNames,
    /// Other institutions on the platform: (slug, name).
    pub institutions: &'a [(String, String)],
    /// Where it was forwarded: (tenant, registration number there).
    pub forwarded: Option<(String, String)>,
    /// Today in Romania.
    pub today: chrono::NaiveDate,
}

fn file_link(d: &Dossier, a: &ghiseu_core::Attachment) -> Markup {
    html! {
        a href=(format!("/desk/dossiers/{}/files/{}", d.id(), a.sha256.to_hex())) target="_blank" rel="noopener" {
            (a.original_name.as_str())
        }
        " (" (a.media_type.mime()) ", " (a.size / 1024 + 1) " KB, SHA-256 " code { (a.sha256.to_hex()[..12].to_owned()) "…" } ")"
    }
}

/// One action's form: posts `action` (its code) with the CSRF token and the
/// route head the official saw (`hidden`), the fields of `body`, and a button.
fn action_form(
    url: &str,
    hidden: &Markup,
    action: Action,
    legend: &str,
    button: &str,
    body: Markup,
) -> Markup {
    html! {
        form method="post" action=(url) {
            fieldset { legend { (legend) }
                (hidden) input type="hidden" name="action" value=(action.code());
                (body)
                div { button type="submit" { (button) } }
            }
        }
    }
}

/// A labelled one-line text input with its error.
fn text_input(errors: &[(String, String)], name: &str, label: &str) -> Markup {
    html! {
        label for=(name) { (label) }
        (inline_error(errors, name))
        input id=(name) name=(name);
    }
}

/// A dossier with the forms its viewer may use.
pub fn dossier(signed: Viewer<'_>, p: &DossierPage<'_>, errors: &[(String, String)]) -> String {
    let d = p.d;
    let may = |a: Action| {
        ghiseu_core::authorize(signed.actor, a, d).is_ok()
            && ghiseu_core::workflow::allowed_in(a, d.status())
    };
    layout(
        &d.number().to_string(),
        Some(signed),
        html! {
            h1 { "Dosar " (d.number().to_string()) }
            (error_summary(errors))
            (facts(p))
            @if !d.form().is_empty() {
                h2 { "Date din cerere" }
                dl.form {
                    @for (name, v) in d.form().pairs() {
                        dt { (p.doc_type.and_then(|t| t.fields.iter().find(|f| &f.name == name)).map_or(name.as_str(), |f| f.label.ro.as_str())) }
                        dd { (v) }
                    }
                }
            }
            @if let Some(forwarding_left) = d.forwarding_reminder(p.today).filter(|_| may(Action::ForwardToInstitution)) {
                p.warning role="alert" {
                    @if forwarding_left >= 0 {
                        "Dacă petiția nu este de competența instituției, trebuie redirecționată în "
                        (forwarding_left) " zile (5 zile de la înregistrare, art. 6^1 OG 27/2002)."
                    } @else {
                        "Termenul de 5 zile pentru redirecționarea unei petiții greșit adresate (art. 6^1 OG 27/2002) a trecut de "
                        (-forwarding_left) " zile."
                    }
                }
            }
            @for (at, message, _) in d.replies() {
                @if let Some(m) = message {
                    p.notice { strong { "Răspunsul petentului (" (local_datetime(at).format("%d.%m.%Y %H:%M").to_string()) "): " } (m.as_str()) }
                }
            }
            (documents(d))
            (route(p))
            (action_forms(signed, p, errors, &may))
        },
    )
}

/// The name of an official, else their username.
fn official_name(names: &PublicNames, u: &ghiseu_core::Username) -> String {
    names
        .officials
        .get(u)
        .cloned()
        .unwrap_or_else(|| u.to_string())
}

/// What the dossier is and where it stands.
fn facts(p: &DossierPage<'_>) -> Markup {
    let d = p.d;
    let names = p.names;
    let contact = d.contact();
    let days_left = d.days_left(p.today);
    let type_title = p
        .doc_type
        .map_or(d.document_type().as_str(), |t| t.titles.ro.as_str());
    html! {
        dl {
            dt { "Înregistrat" } dd { (when(d)) " (" (d.channel().code()) ")" }
            dt { "Tip" } dd { (type_title) " (versiunea " (d.document_type_version()) ")" }
            dt { "Stare" } dd { strong.status { (status_ro(d.status().code())) } }
            dt { "Departament" } dd { (name_of(names, d.current_department())) }
            dt { "Funcționar" } dd { (d.current_official().map_or("—".to_owned(), |u| official_name(names, u))) }
            dt { "Termen" } dd {
                (d.deadline().format("%d.%m.%Y").to_string())
                @if !d.status().is_terminal() {
                    @if days_left < 0 { strong.error { " — depășit cu " (-days_left) " zile" } } @else { " — " (days_left) " zile rămase" }
                }
                @if let Some(x) = d.extension() { " (prelungit cu " (x.days) " zile: " (x.reason.as_str()) ")" }
            }
            dt { "Zile în instituție" } dd { (d.days_in_institution(p.today)) }
            @if let Some(o) = d.origin() { dt { "Primit de la" } dd { (o.tenant.as_str()) ", nr. " (o.number.to_string()) } }
            @if let Some((t, n)) = &p.forwarded { dt { "Redirecționat la" } dd { (t) ", nr. " (n) } }
            @for e in d.route().events() {
                @if let ghiseu_core::route::EventKind::Joined { into } = &e.event.kind {
                    dt { "Conexat la" } dd { (into.to_string()) }
                }
            }
            @if let Some((q, at)) = d.pending_question() {
                dt { "Informații cerute petentului" } dd { (q.as_str()) " (" (local_datetime(at).format("%d.%m.%Y").to_string()) "; termenul este suspendat până la răspuns)" }
            }
            @if let Some(n) = &contact.name { dt { "Petent" } dd { (n.as_str()) } }
            @if let Some(e) = &contact.email { dt { "E-mail" } dd { (e.as_str()) } }
            @if let Some(ph) = &contact.phone { dt { "Telefon" } dd { (ph.as_str()) } }
            @if let Some(n) = d.note() { dt { "Notă internă" } dd { (n.as_str()) } }
        }
    }
}

/// The dossier's files, and its receipt.
fn documents(d: &Dossier) -> Markup {
    html! {
        h2 { "Documente" }
        ul {
            @for a in d.attachments() { li { "Depus: " (file_link(d, a)) } }
            @for (_, _, docs) in d.replies() { @for a in docs.iter() { li { "De la petent: " (file_link(d, a)) } } }
            @for a in d.responses() { li { "Răspuns: " (file_link(d, a))
                @if d.issued() == Some(&a.sha256) { " — " strong { "emis" } } } }
            @for a in d.signed_documents() { li { "Semnat: " (file_link(d, a))
                @if d.issued() == Some(&a.sha256) { " — " strong { "emis" } } } }
        }
        p { a href=(format!("/desk/dossiers/{}/receipt", d.id())) { "Recipisă (A4)" } " · "
            a href=(format!("/desk/dossiers/{}/receipt?format=a6", d.id())) { "Etichetă (A6)" } }
    }
}

/// The dossier's route, oldest first.
fn route(p: &DossierPage<'_>) -> Markup {
    let names = p.names;
    html! {
        h2 { "Traseu" }
        ol.route { @for e in p.d.route().events() {
            li {
                (local_datetime(e.event.at).format("%d.%m.%Y %H:%M").to_string()) " — "
                strong { (ghiseu_core::public_view::event_label(e.event.kind.code(), ghiseu_core::Lang::Ro).unwrap_or(e.event.kind.code())) }
                " — " (match &e.event.actor { ghiseu_core::RouteActor::Official(u) => official_name(names, u), other => other.code().to_owned() })
                @if let Some(dep) = &e.event.department { " — " (name_of(names, dep)) }
                @if let Some(n) = &e.event.note { br; em { (n.as_str()) } }
            }
        } }
    }
}

/// The forms of the actions the viewer may take now.
fn action_forms(
    signed: Viewer<'_>,
    p: &DossierPage<'_>,
    errors: &[(String, String)],
    may: &dyn Fn(Action) -> bool,
) -> Markup {
    let d = p.d;
    let hidden = html! {
        input type="hidden" name="csrf" value=(signed.csrf);
        input type="hidden" name="route_head" value=(d.route().head_hash_hex());
    };
    let form = |action: Action, legend: &str, button: &str, body: Markup| {
        action_form(
            &format!("/desk/dossiers/{}/actions", d.id()),
            &hidden,
            action,
            legend,
            button,
            body,
        )
    };
    html! {
        @if may(Action::Assign) {
            (form(Action::Assign, "Repartizare", "Repartizează", html! {
                label for="department" { "Departament" }
                (inline_error(errors, "department"))
                select id="department" name="department" { @for dep in p.departments { option value=(dep.code.as_str()) selected[&dep.code == d.current_department()] { (dep.name.as_str()) } } }
                label for="official" { "Funcționar (opțional)" }
                (inline_error(errors, "official"))
                select id="official" name="official" { option value="" { "—" } @for o in p.officials.iter().filter(|o| o.active) { option value=(o.username.as_str()) { (o.display_name.as_str()) } } }
            }))
        }
        @if may(Action::Forward) {
            (form(Action::Forward, "Trimite altui departament", "Trimite", html! {
                label for="to_department" { "Către departamentul" }
                select id="to_department" name="to_department" { @for dep in p.departments.iter().filter(|x| &x.code != d.current_department()) { option value=(dep.code.as_str()) { (dep.name.as_str()) } } }
                (text_input(errors, "forward_note", "Notă publică"))
            }))
        }
        @if may(Action::RequestInfo) {
            (form(Action::RequestInfo, "Cere informații petentului", "Cere informații", html! {
                p { "Termenul legal se suspendă de la data cererii până la data răspunsului." }
                label for="question" { "Ce informații sau documente lipsesc" }
                (inline_error(errors, "question"))
                textarea id="question" name="question" rows="3" {}
            }))
        }
        @if may(Action::RecordReply) {
            (form(Action::RecordReply, "Răspunsul petentului a sosit", "Înregistrează răspunsul",
                text_input(errors, "reply_note", "Notă publică (opțional)")))
        }
        @if may(Action::AttachResponse) {
            form method="post" action=(format!("/desk/dossiers/{}/response", d.id())) enctype="multipart/form-data" {
                fieldset { legend { "Atașează documentul de răspuns" }
                    (hidden)
                    label for="document" { "Document (PDF, JPEG sau PNG, max. 10 MB)" }
                    (inline_error(errors, "document"))
                    input id="document" name="document" type="file" accept="application/pdf,image/jpeg,image/png" required;
                    div { button type="submit" { "Atașează" } }
                }
            }
        }
        (closing_forms(p, errors, may, &form))
    }
}

/// The forms that bring the dossier towards its end (signature, resolution,
/// rejection) or change its course (extension, joining, forwarding).
fn closing_forms(
    p: &DossierPage<'_>,
    errors: &[(String, String)],
    may: &dyn Fn(Action) -> bool,
    form: &dyn Fn(Action, &str, &str, Markup) -> Markup,
) -> Markup {
    let d = p.d;
    html! {
        @if may(Action::SendForSignature) && !d.responses().is_empty() {
            (form(Action::SendForSignature, "Trimite la semnat", "Trimite la semnat", html! {
                p { "Ultimul document de răspuns intră în lista de semnat a conducerii." }
            }))
        }
        @if may(Action::Resolve) {
            (form(Action::Resolve, "Soluționare", "Soluționează", html! {
                @if let Some(last) = d.responses().last() {
                    p { "Se emite documentul de răspuns „" (last.original_name.as_str()) "”." }
                }
                (text_input(errors, "resolve_note", "Notă publică"))
            }))
        }
        @if may(Action::Reject) {
            (form(Action::Reject, "Respingere", "Respinge", text_input(errors, "reason", "Motiv (intern)")))
        }
        @if may(Action::ExtendDeadline) && d.extension().is_none() {
            (form(Action::ExtendDeadline, "Prelungește termenul (o singură dată, cel mult 15 zile)", "Prelungește", html! {
                label for="days" { "Zile" }
                (inline_error(errors, "days"))
                input id="days" name="days" type="number" min="1" max="15" inputmode="numeric";
                (text_input(errors, "extend_reason", "Motiv (intern)"))
            }))
        }
        @if may(Action::JoinDuplicate) {
            (form(Action::JoinDuplicate, "Conexează la un dosar anterior (aceeași cerere)", "Conexează", html! {
                label for="into" { "Numărul dosarului anterior" }
                (inline_error(errors, "into"))
                input id="into" name="into" placeholder="CJC-2026-000012";
            }))
        }
        @if may(Action::ForwardToInstitution) && !p.institutions.is_empty() {
            (form(Action::ForwardToInstitution, "Redirecționează către altă instituție", "Redirecționează", html! {
                label for="to_tenant" { "Instituția competentă" }
                (inline_error(errors, "to_tenant"))
                select id="to_tenant" name="to_tenant" { @for (slug, name) in p.institutions { option value=(slug) { (name) } } }
                (text_input(errors, "institution_note", "Notă publică"))
            }))
        }
    }
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

/// The signer's queue: documents waiting for signature, each with a checkbox;
/// `all` pre-checks every box (the "select all" link works without JavaScript).
pub fn signing_queue<'a>(signed: impl Into<Viewer<'a>>, rows: &[Summary], all: bool) -> String {
    let signed = signed.into();
    layout(
        "De semnat",
        Some(signed),
        html! {
            h1 { "Documente de semnat" }
            @if rows.is_empty() {
                p { "Nu aveți documente de semnat." }
            } @else {
                p {
                    (count(rows.len(), "document", "documente")) " așteaptă semnătura. "
                    @if all { a href="/desk/sign" { "Deselectează tot" } } @else { a href="/desk/sign?all=1" { "Selectează tot" } }
                }
                form method="post" action="/desk/sign/batches" {
                    input type="hidden" name="csrf" value=(signed.csrf);
                    table {
                        thead { tr { th { "Semnează" } th { "Nr. înregistrare" } th { "Tip" } th { "Termen" } } }
                        tbody {
                            @for s in rows {
                                tr {
                                    td { input type="checkbox" name="d" value=(s.id) id={ "d-" (s.id) } checked[all] aria-label={ "Selectează " (s.number) }; }
                                    td { label for={ "d-" (s.id) } { a href=(format!("/desk/dossiers/{}", s.id)) { (s.number) } } }
                                    td { (s.document_type) }
                                    td { (s.deadline.format("%d.%m.%Y").to_string()) }
                                }
                            }
                        }
                    }
                    p { button type="submit" { "Semnează documentele selectate" } }
                    p.hint { "Veți vedea lista documentelor și amprentele lor, apoi introduceți un singur cod primit prin SMS." }
                }
            }
        },
    )
}

/// A signing batch as its page shows it.
pub struct BatchPage<'a> {
    /// The batch's id.
    pub id: &'a str,
    /// The documents, in the order shown.
    pub items: Vec<BatchRow<'a>>,
    /// How many documents are signed, failed, pending.
    pub counts: (usize, usize, usize),
    /// The pending documents the next code covers.
    pub part: usize,
    /// How many signatures one code covers.
    pub multisign: u32,
    /// Whether a part is being signed asynchronously (the page polls).
    pub in_flight: bool,
    /// Asynchronous parts given up as lost.
    pub lost_parts: u32,
}

/// One document of a signing batch.
pub struct BatchRow<'a> {
    /// The dossier's id.
    pub dossier: &'a str,
    /// Its registration number.
    pub number: &'a str,
    /// The response that is signed (SHA-256, hex), empty if none.
    pub response: &'a str,
    /// The response's file name.
    pub name: &'a str,
    /// The verification token.
    pub verify: &'a str,
    /// What became of it.
    pub state: ItemView<'a>,
}

/// What became of a document of a batch.
pub enum ItemView<'a> {
    /// Waiting for the code.
    Pending,
    /// Signed and issued: the signed PDF's SHA-256 (hex).
    Signed {
        /// The signed PDF's digest.
        document: &'a str,
    },
    /// Not signed, and why.
    Failed {
        /// Why.
        reason: &'a str,
    },
}

/// `n` things in Romanian: "1 document", "2 documente", "20 de documente"
/// (from 20 on, and after whole hundreds, the noun takes "de").
fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        _ if n % 100 >= 20 || (n >= 100 && n.is_multiple_of(100)) => format!("{n} de {many}"),
        _ => format!("{n} {many}"),
    }
}

/// A signing batch: the documents and their SHA-256 ("sign what you see"),
/// the code form while documents are pending, and each document's result.
pub fn signing_batch<'a, 'b>(
    signed: impl Into<Viewer<'a>>,
    batch: impl Into<BatchPage<'b>>,
    errors: &[(String, String)],
) -> String {
    let (signed, batch) = (signed.into(), batch.into());
    let (ok, failed, pending) = batch.counts;
    let part = batch.part;
    layout(
        "Semnare",
        Some(signed),
        html! {
            h1 { "Semnare: " (count(batch.items.len(), "document", "documente")) }
            (error_summary(errors))
            p #progress role="status" aria-live="polite" data-poll=[batch.in_flight.then(|| format!("/desk/sign/batches/{}.json", batch.id))] {
                (ok) " semnate, " (failed) " eșuate, " (pending) " de semnat."
            }
            @if batch.in_flight {
                p { "Furnizorul de semnare semnează documentele; rezultatele apar aici. "
                    a href=(format!("/desk/sign/batches/{}", batch.id)) { "Reîncarcă" } }
            } @else if pending > 0 {
                @if batch.lost_parts > 0 {
                    p.warning role="alert" {
                        "Furnizorul de semnare nu a trimis la timp rezultatul unei părți a lotului. "
                        "Documentele rămase nesemnate se pot semna din nou: cereți un cod nou."
                    }
                }
                form #sign-form method="post" action=(format!("/desk/sign/batches/{}", batch.id)) data-status=(format!("/desk/sign/batches/{}.json", batch.id)) {
                    input type="hidden" name="csrf" value=(signed.csrf);
                    @if part < pending {
                        p { "Certificatul dumneavoastră permite " (count(batch.multisign as usize, "semnătură", "semnături")) " pe cod: acest cod semnează următoarele " (count(part, "document", "documente")) "." }
                    }
                    label for="otp" { "Codul primit prin SMS" }
                    (inline_error(errors, "otp"))
                    input #otp name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required;
                    button type="submit" { "Semnează " (count(part, "document", "documente")) }
                }
                form method="post" action=(format!("/desk/sign/batches/{}/code", batch.id)) {
                    input type="hidden" name="csrf" value=(signed.csrf);
                    button type="submit" class="secondary" { "Trimite un cod nou" }
                }
            } @else {
                p { a href="/desk/sign" { "Înapoi la documentele de semnat" } }
            }
            table #items {
                thead { tr { th { "Nr. înregistrare" } th { "Document" } th { "SHA-256" } th { "Rezultat" } } }
                tbody {
                    @for it in &batch.items {
                        tr {
                            td { a href=(format!("/desk/dossiers/{}", it.dossier)) { (it.number) } }
                            td {
                                @if it.response.is_empty() { "—" } @else {
                                    a href=(format!("/desk/dossiers/{}/files/{}", it.dossier, it.response)) { (it.name) }
                                }
                            }
                            td data-label="SHA-256" { code.hash { (it.response) } }
                            td {
                                @match &it.state {
                                    ItemView::Pending => { "De semnat" }
                                    ItemView::Signed { document } => {
                                        strong.ok { "Semnat și emis" } " "
                                        a href=(format!("/desk/dossiers/{}/files/{document}", it.dossier)) { "PDF semnat" } " · "
                                        a href=(format!("/verify/{}", it.verify)) { "verificare" }
                                    }
                                    ItemView::Failed { reason } => { strong.error { "Nesemnat: " } (reason) }
                                }
                            }
                        }
                    }
                }
            }
            script src="/desk/sign.js" defer {}
        },
    )
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_take_de_from_twenty() {
        for (n, want) in [
            (0, "0 documente"),
            (1, "1 document"),
            (2, "2 documente"),
            (19, "19 documente"),
            (20, "20 de documente"),
            (25, "25 de documente"),
            (101, "101 documente"),
            (119, "119 documente"),
            (120, "120 de documente"),
            (200, "200 de documente"),
            (500, "500 de documente"),
        ] {
            assert_eq!(count(n, "document", "documente"), want, "{n}");
        }
    }
}
