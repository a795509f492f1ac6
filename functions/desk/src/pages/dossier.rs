//! A dossier: its facts, documents, route, the actions its reader may take;
//! and the paper receipt.

use ghiseu_core::calendar::local_datetime;
use ghiseu_core::public_view::PublicNames;
use ghiseu_core::{Action, Department, DocumentType, Dossier, Official, Tenant};
use ghiseu_platform::html::inline_error;
use maud::{Markup, html};

use super::{Viewer, error_summary, layout, status_ro, when};

fn name_of<'a>(names: &'a PublicNames, d: &'a ghiseu_core::DepartmentCode) -> &'a str {
    names
        .departments
        .get(d)
        .map_or(d.as_str(), |n| n.ro.as_str())
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
                select id="department" name="department" { @for dep in p.departments { option value=(dep.code.as_str()) selected[&dep.code == d.current_department()] { (dep.name.ro.as_str()) } } }
                label for="official" { "Funcționar (opțional)" }
                (inline_error(errors, "official"))
                select id="official" name="official" { option value="" { "—" } @for o in p.officials.iter().filter(|o| o.active) { option value=(o.username.as_str()) { (o.display_name.as_str()) } } }
            }))
        }
        @if may(Action::Forward) {
            (form(Action::Forward, "Trimite altui departament", "Trimite", html! {
                label for="to_department" { "Către departamentul" }
                select id="to_department" name="to_department" { @for dep in p.departments.iter().filter(|x| &x.code != d.current_department()) { option value=(dep.code.as_str()) { (dep.name.ro.as_str()) } } }
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
                p {
                    "Dacă nu puteți scana codul, deschideți " span.short { (tenant.public_base_url.as_str()) "/track" }
                    " și scrieți numărul de înregistrare și codul de urmărire: "
                    strong.short.receipt-code { (d.token().receipt_code().to_string()) }
                }
            }
            p.noprint { a href="/desk" { "Înapoi la registru" } }
        },
    )
}
