//! The inbox: the filter, the list of open dossiers.

use ghiseu_app::dossiers::WithoutDossier;
use ghiseu_core::inbox::{InboxDue, InboxStatus, InboxView};
use ghiseu_core::public_view::PublicNames;
use ghiseu_core::{Department, DocumentType};
use ghiseu_platform::repo::Summary;
use maud::{Markup, html};

use super::{Viewer, layout, status_ro};

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

/// What an inbox view lists.
pub struct Listing<'a> {
    /// The dossiers shown.
    pub rows: &'a [Summary],
    /// Every registration number of the year taken without a dossier, with
    /// its annulment if recorded (the registry view only).
    pub unused: &'a [WithoutDossier],
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
                        option value=(d.code.as_str()) selected[filter.department == Some(d.code.as_str())] { (d.name.ro.as_str()) }
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
            @if !unused.is_empty() { (without_dossier(signed, unused)) }
            p { (rows.len()) " dosare" }
            // Stacked on a phone (static/ghiseu.css): each cell under its label.
            table.stack {
                thead { tr { th { "Nr. înregistrare" } th { "Tip" } th { "Stare" } th { "Departament" } th { "Funcționar" } th { "Termen" } } }
                tbody {
                    @for s in rows {
                        @let left = ghiseu_core::deadline::days_left(s.deadline, today);
                        tr class=(if left < 0 { "overdue" } else { "" }) {
                            td data-label="Nr." { a.regno href=(format!("/desk/dossiers/{}", s.id)) { (s.number) } }
                            td data-label="Tip" { (types.iter().find(|t| t.code.as_str() == s.document_type).map_or(s.document_type.as_str(), |t| t.titles.ro.as_str())) }
                            td data-label="Stare" { (status_ro(&s.status)) }
                            td data-label="Departament" { (ghiseu_core::DepartmentCode::parse(&s.department).ok().and_then(|c| names.departments.get(&c).map(|n| n.ro.to_string())).unwrap_or_else(|| s.department.clone())) }
                            td data-label="Funcționar" { (s.official.as_deref().and_then(|u| ghiseu_core::Username::parse(u).ok()).and_then(|u| names.officials.get(&u).cloned()).unwrap_or_default()) }
                            td data-label="Termen" {
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

/// The year's numbers taken without a dossier: those not yet annulled first
/// named in an alert, then each with its annulment or the form that records
/// one.
fn without_dossier(signed: Viewer<'_>, unused: &[WithoutDossier]) -> Markup {
    let open: Vec<String> = unused
        .iter()
        .filter(|u| u.annulment.is_none())
        .map(|u| u.number.to_string())
        .collect();
    html! {
        section aria-labelledby="without-dossier" {
            h2 id="without-dossier" { "Numere fără dosar" }
            @if !open.is_empty() {
                p.warning role="alert" {
                    "Numere de înregistrare luate fără dosar: "
                    (open.join(", "))
                    ". O înregistrare a fost întreruptă după ce a primit numărul (sau se încheie chiar acum); \
                     numărul nu se refolosește: înregistrați-l ca anulat, cu motivul."
                }
            }
            table.stack {
                thead { tr { th { "Nr. înregistrare" } th { "Anulare" } } }
                tbody {
                    @for u in unused {
                        tr {
                            td data-label="Nr." { (u.number.to_string()) }
                            td data-label="Anulare" {
                                @if let Some(a) = &u.annulment {
                                    "Anulat la " (a.at.format("%d.%m.%Y %H:%M UTC").to_string())
                                    " de " (a.by.as_str()) ": " (a.reason.as_str())
                                } @else {
                                    form method="post" action="/desk/registry/annul" {
                                        input type="hidden" name="csrf" value=(signed.csrf);
                                        input type="hidden" name="number" value=(u.number.to_string());
                                        label for=(format!("reason-{}", u.number)) { "Motivul anulării" }
                                        input id=(format!("reason-{}", u.number)) name="reason" required minlength="3" maxlength="300";
                                        button type="submit" { "Anulează numărul" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
