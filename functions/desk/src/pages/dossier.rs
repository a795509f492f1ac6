//! A dossier: a summary, the step the workflow expects next (one primary
//! action, decided by [`ghiseu_core::guide`]), the other actions behind a
//! disclosure, its documents and route. In the
//! reader's language (Romanian, Hungarian or English).

use ghiseu_core::calendar::local_datetime;
use ghiseu_core::guide::{Guide, NextBy, is_destructive};
use ghiseu_core::public_view::PublicNames;
use ghiseu_core::route::EventKind;
use ghiseu_core::{
    Action, Channel, Department, DepartmentCode, DocumentType, Dossier, DossierStatus, Lang,
    Official, Role, Username,
};
use ghiseu_platform::html::inline_error;
use maud::{Markup, html};

use super::{Viewer, layout_in, when};

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
    /// The reader's language.
    pub lang: Lang,
}

/// `[ro, hu, en]` in `lang`.
fn tr(lang: Lang, words: [&'static str; 3]) -> &'static str {
    lang.pick(words)
}

fn department_name(p: &DossierPage<'_>, d: &DepartmentCode) -> String {
    p.names
        .departments
        .get(d)
        .map_or(d.as_str().to_owned(), |n| n.get(p.lang).to_string())
}

/// The name of an official, else their username.
fn official_name(names: &PublicNames, u: &Username) -> String {
    names
        .officials
        .get(u)
        .cloned()
        .unwrap_or_else(|| u.to_string())
}

/// The dossier's status in the reader's words.
fn status_words(lang: Lang, s: DossierStatus) -> &'static str {
    use DossierStatus as S;
    tr(
        lang,
        match s {
            S::Registered => ["Înregistrat", "Iktatva", "Registered"],
            S::InProgress => ["În lucru", "Folyamatban", "In progress"],
            S::AwaitingCitizen => [
                "Așteaptă petentul",
                "A kérelmezőre vár",
                "Awaiting the petitioner",
            ],
            S::AwaitingSignature => ["La semnat", "Aláírásra vár", "Awaiting signature"],
            S::Resolved => ["Soluționat", "Elintézve", "Resolved"],
            S::Rejected => ["Respins", "Elutasítva", "Rejected"],
            S::Withdrawn => ["Retras", "Visszavonva", "Withdrawn"],
            S::ForwardedOut => [
                "Redirecționat la altă instituție",
                "Más intézményhez továbbítva",
                "Forwarded to another institution",
            ],
            S::Joined => ["Conexat", "Összevonva", "Joined"],
        },
    )
}

/// How the request came in, in the reader's words.
fn channel_words(lang: Lang, c: Channel) -> &'static str {
    match c {
        Channel::Paper => tr(
            lang,
            [
                "hârtie, la registratură",
                "papíron, az iktatóban",
                "on paper, at the registry",
            ],
        ),
        Channel::Online => tr(
            lang,
            [
                "online, din portal",
                "online, a portálon",
                "online, through the portal",
            ],
        ),
    }
}

/// An action's heading and button, in the reader's words.
fn action_words(lang: Lang, a: Action) -> (&'static str, &'static str) {
    let [legend, button] = match a {
        Action::Assign => [
            ["Repartizare", "Kiosztás", "Assignment"],
            ["Repartizează", "Kioszt", "Assign"],
        ],
        Action::Forward => [
            [
                "Trimite altui departament",
                "Másik osztálynak küld",
                "Send to another department",
            ],
            ["Trimite", "Küld", "Send"],
        ],
        Action::RequestInfo => [
            [
                "Cere informații petentului",
                "Információt kér a kérelmezőtől",
                "Ask the petitioner for information",
            ],
            ["Cere informații", "Információt kér", "Ask for information"],
        ],
        Action::RecordReply => [
            [
                "Răspunsul petentului a sosit",
                "Megérkezett a kérelmező válasza",
                "The petitioner's reply arrived",
            ],
            [
                "Înregistrează răspunsul",
                "Válasz rögzítése",
                "Record the reply",
            ],
        ],
        Action::AttachResponse => [
            [
                "Atașează documentul de răspuns",
                "Válaszdokumentum csatolása",
                "Attach the response document",
            ],
            ["Atașează", "Csatol", "Attach"],
        ],
        Action::SendForSignature => [
            [
                "Trimite la semnat",
                "Aláírásra küldés",
                "Send for signature",
            ],
            ["Trimite la semnat", "Aláírásra küld", "Send for signature"],
        ],
        Action::Resolve => [
            ["Soluționare", "Elintézés", "Resolution"],
            ["Soluționează", "Elintéz", "Resolve"],
        ],
        Action::Reject => [
            ["Respingere", "Elutasítás", "Rejection"],
            [
                "Respinge cererea",
                "Kérelem elutasítása",
                "Reject the request",
            ],
        ],
        Action::ExtendDeadline => [
            [
                "Prelungește termenul (o singură dată, cel mult 15 zile)",
                "Határidő meghosszabbítása (egyszer, legfeljebb 15 nap)",
                "Extend the deadline (once, at most 15 days)",
            ],
            ["Prelungește", "Meghosszabbít", "Extend"],
        ],
        Action::JoinDuplicate => [
            [
                "Conexează la un dosar anterior (aceeași cerere)",
                "Összevonás egy korábbi ügyirattal (azonos kérelem)",
                "Join to an earlier dossier (the same request)",
            ],
            ["Conexează", "Összevon", "Join"],
        ],
        Action::ForwardToInstitution => [
            [
                "Redirecționează către altă instituție",
                "Továbbítás másik intézményhez",
                "Forward to another institution",
            ],
            ["Redirecționează", "Továbbít", "Forward"],
        ],
        Action::View | Action::Register | Action::Sign => [["", "", ""], ["", "", ""]],
    };
    (tr(lang, legend), tr(lang, button))
}

/// Who takes the expected step, in the reader's words.
fn next_by_words(p: &DossierPage<'_>, by: &NextBy) -> String {
    let lang = p.lang;
    match by {
        NextBy::Dispatch { department } => {
            let dep = department_name(p, department);
            match lang {
                Lang::Ro => format!("Urmează repartizarea, de către registratură sau de șeful departamentului {dep}."),
                Lang::Hu => format!("Következik a kiosztás: az iktató vagy a(z) {dep} osztály vezetője végzi."),
                Lang::En => format!("Next: dispatching, by the registry or the head of {dep}."),
            }
        }
        NextBy::Assignee { official, department } => {
            let dep = department_name(p, department);
            match (lang, official) {
                (Lang::Ro, Some(u)) => format!("Urmează documentul de răspuns, pregătit de {} ({dep}).", official_name(p.names, u)),
                (Lang::Hu, Some(u)) => format!("Következik a válaszdokumentum, amelyet {} ({dep}) készít.", official_name(p.names, u)),
                (Lang::En, Some(u)) => format!("Next: the response document, drafted by {} ({dep}).", official_name(p.names, u)),
                (Lang::Ro, None) => format!("Urmează documentul de răspuns, pregătit de un funcționar al departamentului {dep}."),
                (Lang::Hu, None) => format!("Következik a válaszdokumentum, amelyet a(z) {dep} osztály egy ügyintézője készít."),
                (Lang::En, None) => format!("Next: the response document, drafted by an official of {dep}."),
            }
        }
        NextBy::Head { department } => {
            let dep = department_name(p, department);
            match lang {
                Lang::Ro => format!("Urmează decizia șefului departamentului {dep}: soluționare sau trimitere la semnat."),
                Lang::Hu => format!("Következik a(z) {dep} osztály vezetőjének döntése: elintézés vagy aláírásra küldés."),
                Lang::En => format!("Next: the head of {dep} decides: resolve, or send for signature."),
            }
        }
        NextBy::Citizen => tr(lang, [
            "Urmează răspunsul petentului; termenul este suspendat până atunci.",
            "Következik a kérelmező válasza; addig a határidő felfüggesztve.",
            "Next: the petitioner's reply; the deadline is paused until then.",
        ])
        .to_owned(),
        NextBy::Signer => tr(lang, [
            "Urmează semnătura: un semnatar al instituției (președintele sau primarul) semnează răspunsul din lista „De semnat”.",
            "Következik az aláírás: az intézmény aláírója (elnök vagy polgármester) írja alá a választ az „Aláírandó” listából.",
            "Next: the signature: a signer of the institution (the president or mayor) signs the response from the “To sign” list.",
        ])
        .to_owned(),
    }
}

fn file_link(d: &Dossier, a: &ghiseu_core::Attachment) -> Markup {
    html! {
        a href=(format!("/desk/dossiers/{}/files/{}", d.id(), a.sha256.to_hex())) target="_blank" rel="noopener" {
            (a.original_name.as_str())
        }
        " (" (a.size / 1024 + 1) " KB)"
    }
}

/// A labelled one-line text input with its error.
fn text_input(errors: &[(String, String)], name: &str, label: &str, required: bool) -> Markup {
    html! {
        label for=(name) { (label) }
        (inline_error(errors, name))
        input id=(name) name=(name) required[required] aria-describedby=[errors.iter().any(|(f, _)| f == name).then(|| format!("{name}-error"))];
    }
}

/// A dossier with the actions its reader may take.
pub fn dossier(signed: Viewer<'_>, p: &DossierPage<'_>, errors: &[(String, String)]) -> String {
    let d = p.d;
    let lang = p.lang;
    let guide = ghiseu_core::guide::guide(d, signed.actor);
    let heading = tr(lang, ["Dosar", "Ügyirat", "Dossier"]);
    layout_in(
        lang,
        &d.number().to_string(),
        Some(signed),
        html! {
            h1 { (heading) " " (d.number().to_string()) }
            @if let Some(e) = d.erasure() { p.notice role="note" { (tr(lang, ["Datele personale și fișierele dosarului au fost șterse la sfârșitul păstrării, la", "Az ügyirat személyes adatait és fájljait a megőrzési idő végén törölték:", "The dossier's personal data and files were erased when its retention ended, on"])) " " (local_datetime(e.at).format("%d.%m.%Y").to_string()) "." } }
            (ghiseu_platform::html::error_summary(tr(lang, ["Corectați următoarele:", "Javítsa a következőket:", "Please correct the following:"]), errors))
            (summary(p))
            (next_step(signed, p, &guide, errors))
            (reminders(p, &guide))
            (form_data(p))
            (route(p))
        },
    )
}

/// What the dossier is and where it stands, as a summary list.
fn summary(p: &DossierPage<'_>) -> Markup {
    let d = p.d;
    let lang = p.lang;
    let names = p.names;
    let contact = d.contact();
    let days_left = d.days_left(p.today);
    let type_title = p
        .doc_type
        .map_or(d.document_type().as_str().to_owned(), |t| {
            t.titles.get(lang).to_string()
        });
    let w = |words| tr(lang, words);
    html! {
        dl.summary-list {
            div { dt { (w(["Număr de înregistrare", "Iktatószám", "Registration number"])) } dd { strong { (d.number().to_string()) } } }
            div { dt { (w(["Înregistrat", "Iktatva", "Registered"])) } dd { (when(d)) } }
            div { dt { (w(["Tip", "Típus", "Type"])) } dd { (type_title) } }
            div { dt { (w(["Petent", "Kérelmező", "Petitioner"])) } dd {
                (contact.name.as_ref().map_or("—", |n| n.as_str()))
                @if let Some(e) = &contact.email { br; (e.as_str()) }
                @if let Some(ph) = &contact.phone { br; (ph.as_str()) }
            } }
            div { dt { (w(["Canal", "Csatorna", "Channel"])) } dd { (channel_words(lang, d.channel())) } }
            div { dt { (w(["Departament", "Osztály", "Department"])) } dd { (department_name(p, d.current_department())) } }
            div { dt { (w(["Funcționar", "Ügyintéző", "Official"])) } dd { (d.current_official().map_or("—".to_owned(), |u| official_name(names, u))) } }
            div { dt { (w(["Stare", "Állapot", "Status"])) } dd { strong.status { (status_words(lang, d.status())) } } }
            div { dt { (w(["Termen", "Határidő", "Deadline"])) } dd {
                (d.deadline().format("%d.%m.%Y").to_string())
                @if !d.status().is_terminal() {
                    @if days_left < 0 {
                        " — " strong.overdue { (w(["depășit cu", "túllépve", "overdue by"])) " " (-days_left) " " (w(["zile", "nappal", "days"])) }
                    } @else {
                        " — " (days_left) " " (w(["zile rămase", "nap van hátra", "days left"]))
                    }
                }
                @if let Some(x) = d.extension() { br; small { (w(["prelungit cu", "meghosszabbítva", "extended by"])) " " (x.days) " " (w(["zile", "nappal", "days"])) ": " (x.reason.as_str()) } }
            } }
            div { dt { (w(["Fișiere", "Fájlok", "Files"])) } dd { (files(p)) } }
            @if let Some(o) = d.origin() { div { dt { (w(["Primit de la", "Érkezett innen", "Received from"])) } dd { (o.tenant.as_str()) ", " (o.number.to_string()) } } }
            @if let Some((t, n)) = &p.forwarded { div { dt { (w(["Redirecționat la", "Továbbítva ide", "Forwarded to"])) } dd { (t) ", " (n) } } }
            @if let Some((q, at)) = d.pending_question() {
                div { dt { (w(["Informații cerute petentului", "A kérelmezőtől kért információ", "Information asked of the petitioner"])) } dd { (q.as_str()) " (" (local_datetime(at).format("%d.%m.%Y").to_string()) ")" } }
            }
            @if let Some(n) = d.note() { div { dt { (w(["Notă internă", "Belső megjegyzés", "Internal note"])) } dd { (n.as_str()) } } }
        }
    }
}

/// The dossier's files (filed, from the petitioner, responses, signed) and
/// its receipt.
fn files(p: &DossierPage<'_>) -> Markup {
    let d = p.d;
    let w = |words| tr(p.lang, words);
    html! {
        ul.files {
            @for a in d.attachments() { li { (w(["Depus", "Beadva", "Filed"])) ": " (file_link(d, a)) } }
            @for (_, _, docs) in d.replies() { @for a in docs.iter() { li { (w(["De la petent", "A kérelmezőtől", "From the petitioner"])) ": " (file_link(d, a)) } } }
            @for a in d.responses() { li { (w(["Răspuns", "Válasz", "Response"])) ": " (file_link(d, a))
                @if d.issued() == Some(&a.sha256) { " — " strong { (w(["emis", "kiadva", "issued"])) } } } }
            @for a in d.signed_documents() { li { (w(["Semnat", "Aláírva", "Signed"])) ": " (file_link(d, a))
                @if d.issued() == Some(&a.sha256) { " — " strong { (w(["emis", "kiadva", "issued"])) } } } }
        }
        a href=(format!("/desk/dossiers/{}/receipt", d.id())) { (w(["Recipisă (A4)", "Átvételi elismervény (A4)", "Receipt (A4)"])) } " · "
        a href=(format!("/desk/dossiers/{}/receipt?format=a6", d.id())) { (w(["Etichetă (A6)", "Címke (A6)", "Label (A6)"])) } " · "
        a href=(format!("/desk/dossiers/{}/bundle.asice", d.id())) download {
            (w(["Arhiva dosarului (ASiC-E, cu sigiliul instituției)", "Az ügyirat archív csomagja (ASiC-E, az intézmény bélyegzőjével)", "The file's archive bundle (ASiC-E, sealed by the institution)"]))
        }
    }
}

/// Warnings the reader must see: the forwarding deadline of a misdirected
/// petition, and the petitioner's written replies.
fn reminders(p: &DossierPage<'_>, guide: &Guide) -> Markup {
    let d = p.d;
    let lang = p.lang;
    let may_forward = guide.permitted.contains(&Action::ForwardToInstitution);
    html! {
        @if let Some(left) = d.forwarding_reminder(p.today).filter(|_| may_forward) {
            p.warning role="alert" {
                @match (lang, left >= 0) {
                    (Lang::Ro, true) => { "Dacă petiția nu este de competența instituției, trebuie redirecționată în " (left) " zile (5 zile de la înregistrare, art. 6^1 OG 27/2002)." }
                    (Lang::Ro, false) => { "Termenul de 5 zile pentru redirecționarea unei petiții greșit adresate (art. 6^1 OG 27/2002) a trecut de " (-left) " zile." }
                    (Lang::Hu, true) => { "Ha a petíció nem az intézmény hatáskörébe tartozik, " (left) " napon belül továbbítani kell (az iktatástól számított 5 nap, OG 27/2002, 6^1. cikk)." }
                    (Lang::Hu, false) => { "A tévesen címzett petíció továbbításának 5 napos határideje (OG 27/2002, 6^1. cikk) " (-left) " napja lejárt." }
                    (Lang::En, true) => { "If the petition is not for this institution, it must be forwarded within " (left) " days (5 days from registration, art. 6^1 OG 27/2002)." }
                    (Lang::En, false) => { "The 5 days for forwarding a misdirected petition (art. 6^1 OG 27/2002) ended " (-left) " days ago." }
                }
            }
        }
        @for (at, message, _) in d.replies() {
            @if let Some(m) = message {
                p.notice { strong { (tr(lang, ["Răspunsul petentului", "A kérelmező válasza", "The petitioner's reply"])) " (" (local_datetime(at).format("%d.%m.%Y %H:%M").to_string()) "): " } (m.as_str()) }
            }
        }
    }
}

/// The request's form, with the type's labels in the reader's language.
fn form_data(p: &DossierPage<'_>) -> Markup {
    let d = p.d;
    html! {
        @if !d.form().is_empty() {
            h2 { (tr(p.lang, ["Date din cerere", "A kérelem adatai", "The request's details"])) }
            dl.summary-list {
                @for (name, v) in d.form().pairs() {
                    div {
                        dt { (p.doc_type.and_then(|t| t.fields.iter().find(|f| &f.name == name)).map_or(name.as_str().to_owned(), |f| f.label.get(p.lang).to_string())) }
                        dd { (v) }
                    }
                }
            }
        }
    }
}

/// The dossier's route, oldest first; a rejection's internal note shows
/// here, to officials only, when it differs from what the citizen was told.
fn route(p: &DossierPage<'_>) -> Markup {
    let lang = p.lang;
    let events = p.d.route().events();
    html! {
        details.route {
            summary { (tr(lang, ["Traseu", "Útvonal", "Route"])) " (" (events.len()) ")" }
            ol.route { @for e in events {
                li {
                    time { (local_datetime(e.event.at).format("%d.%m.%Y %H:%M").to_string()) }
                    strong { (ghiseu_core::public_view::event_label(e.event.kind.code(), lang).unwrap_or(e.event.kind.code())) }
                    " — " (match &e.event.actor {
                        ghiseu_core::RouteActor::Official(u) => official_name(p.names, u),
                        ghiseu_core::RouteActor::Citizen => tr(lang, ["petentul", "a kérelmező", "the petitioner"]).to_owned(),
                        ghiseu_core::RouteActor::System => tr(lang, ["platforma", "a platform", "the platform"]).to_owned(),
                    })
                    @if let Some(dep) = &e.event.department { " — " (department_name(p, dep)) }
                    @if let Some(n) = &e.event.note { br; em { (n.as_str()) } }
                    @if let EventKind::Rejected { reason } = &e.event.kind {
                        @if e.event.note.as_ref().is_none_or(|n| n.as_str() != reason.as_str()) {
                            br; small { (tr(lang, ["Notă internă", "Belső megjegyzés", "Internal note"])) ": " (reason.as_str()) }
                        }
                    }
                    @if let EventKind::Joined { into } = &e.event.kind { " → " (into.to_string()) }
                }
            } }
        }
    }
}

/// The step the workflow expects next (who takes it, when not the reader),
/// the primary action, and the other permitted ones behind a disclosure.
fn next_step(
    signed: Viewer<'_>,
    p: &DossierPage<'_>,
    guide: &Guide,
    errors: &[(String, String)],
) -> Markup {
    let lang = p.lang;
    let offered = |a: &Action| *a != Action::ForwardToInstitution || !p.institutions.is_empty();
    let others: Vec<Action> = guide.others().into_iter().filter(offered).collect();
    // An error in a form behind the disclosure opens it.
    let open = others.iter().any(|a| {
        form_fields(*a)
            .iter()
            .any(|f| errors.iter().any(|(e, _)| e == f))
    });
    html! {
        section.next-step aria-labelledby="next-step" {
            h2 #next-step { (tr(lang, ["Pasul următor", "Következő lépés", "Next step"])) }
            @if let Some(by) = guide.next_by_someone_else() {
                p.panel.next-by { (next_by_words(p, by)) }
            }
            @if let Some(a) = guide.primary() {
                (action_form(signed, p, a, Style::Primary, errors))
            } @else if guide.permitted.is_empty() && guide.expected.is_none() {
                p { (tr(lang, ["Dosarul este închis.", "Az ügyirat lezárult.", "The dossier is closed."])) }
            }
            @if !others.is_empty() {
                details.more-actions open[open] {
                    summary { (tr(lang, ["Alte acțiuni", "További műveletek", "Other actions"])) " (" (others.len()) ")" }
                    @for a in &others {
                        (action_form(signed, p, *a, if is_destructive(*a) { Style::Destructive } else { Style::Secondary }, errors))
                    }
                }
            }
        }
    }
}

/// The names of an action's fields (an error in one opens its form).
fn form_fields(a: Action) -> &'static [&'static str] {
    match a {
        Action::Assign => &["department", "official"],
        Action::Forward => &["to_department", "forward_note"],
        Action::RequestInfo => &["question"],
        Action::RecordReply => &["reply_note"],
        Action::AttachResponse => &["document"],
        Action::Resolve => &["resolve_note"],
        Action::Reject => &["reason", "internal_note", "confirm-reject"],
        Action::ExtendDeadline => &["days", "extend_reason"],
        Action::JoinDuplicate => &["into", "confirm-join_duplicate"],
        Action::ForwardToInstitution => &["to_tenant", "institution_note"],
        _ => &[],
    }
}

/// How an action's button looks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// The expected step: the one primary button.
    Primary,
    /// Another permitted action.
    Secondary,
    /// An action that ends the request without an answer: red, confirmed.
    Destructive,
}

/// One action's form: posts `action` (its code) with the CSRF token and the
/// route head the official saw, its fields, and a button styled by `style`.
/// A destructive action needs a ticked confirmation (the server checks it
/// too, so it holds without JavaScript).
fn action_form(
    signed: Viewer<'_>,
    p: &DossierPage<'_>,
    a: Action,
    style: Style,
    errors: &[(String, String)],
) -> Markup {
    let d = p.d;
    let lang = p.lang;
    let (legend, button) = action_words(lang, a);
    let multipart = a == Action::AttachResponse;
    let url = if multipart {
        format!("/desk/dossiers/{}/response", d.id())
    } else {
        format!("/desk/dossiers/{}/actions", d.id())
    };
    let class = match style {
        Style::Primary => "action primary",
        Style::Secondary => "action",
        Style::Destructive => "action destructive",
    };
    html! {
        form class=(class) method="post" action=(url) enctype=[multipart.then_some("multipart/form-data")] {
            fieldset { legend { (legend) }
                input type="hidden" name="csrf" value=(signed.csrf);
                input type="hidden" name="route_head" value=(d.route().head_hash_hex());
                @if !multipart { input type="hidden" name="action" value=(a.code()); }
                (fields(p, a, errors))
                @if style == Style::Destructive {
                    (inline_error(errors, &format!("confirm-{}", a.code())))
                    div.checkbox {
                        input type="checkbox" id=(format!("confirm-{}", a.code())) name="confirm" value="yes" required;
                        label for=(format!("confirm-{}", a.code())) { (tr(lang, [
                            "Confirm: acțiunea închide cererea și nu poate fi anulată.",
                            "Megerősítem: a művelet lezárja a kérelmet, és nem vonható vissza.",
                            "I confirm: this closes the request and cannot be undone.",
                        ])) }
                    }
                }
                div {
                    @match style {
                        Style::Primary => button type="submit" { (button) },
                        Style::Secondary => button.secondary type="submit" { (button) },
                        Style::Destructive => button.destructive type="submit" { (button) },
                    }
                }
            }
        }
    }
}

/// Whether `o` may be assigned a dossier of `department`: an active official
/// or head of that department (never the president or the administrator,
/// who are no department's workers).
pub fn assignable(o: &Official, department: &DepartmentCode) -> bool {
    o.active
        && o.department.as_ref() == Some(department)
        && (o.roles.contains(&Role::Official) || o.roles.contains(&Role::HeadOfDepartment))
}

/// The fields of action `a`'s form.
fn fields(p: &DossierPage<'_>, a: Action, errors: &[(String, String)]) -> Markup {
    let d = p.d;
    let lang = p.lang;
    let w = |words| tr(lang, words);
    let public = w([
        "Notă publică (opțional; o vede petentul)",
        "Nyilvános megjegyzés (nem kötelező; a kérelmező látja)",
        "Public note (optional; the petitioner sees it)",
    ]);
    let here = d.current_department();
    match a {
        Action::Assign => html! {
            label for="department" { (w(["Departament", "Osztály", "Department"])) }
            (inline_error(errors, "department"))
            select id="department" name="department" { @for dep in p.departments.iter().filter(|x| x.active) { option value=(dep.code.as_str()) selected[&dep.code == here] { (dep.name.get(lang).as_str()) } } }
            @let people: Vec<&Official> = p.officials.iter().filter(|o| assignable(o, here)).collect();
            @if !people.is_empty() {
                label for="official" { (w(["Funcționar (opțional), din", "Ügyintéző (nem kötelező), innen:", "Official (optional), of"])) " " (department_name(p, here)) }
                (inline_error(errors, "official"))
                select id="official" name="official" { option value="" { "—" } @for o in people { option value=(o.username.as_str()) selected[d.current_official() == Some(&o.username)] { (o.display_name.as_str()) } } }
            }
        },
        Action::Forward => html! {
            label for="to_department" { (w(["Către departamentul", "Címzett osztály", "To the department"])) }
            (inline_error(errors, "to_department"))
            select id="to_department" name="to_department" { @for dep in p.departments.iter().filter(|x| x.active && &x.code != here) { option value=(dep.code.as_str()) { (dep.name.get(lang).as_str()) } } }
            (text_input(errors, "forward_note", public, false))
        },
        Action::RequestInfo => html! {
            p.hint { (w(["Termenul legal se suspendă de la data cererii până la data răspunsului.", "A törvényes határidő a kéréstől a válaszig szünetel.", "The legal deadline pauses from the request until the reply."])) }
            label for="question" { (w(["Ce informații sau documente lipsesc", "Milyen információ vagy dokumentum hiányzik", "What information or documents are missing"])) }
            (inline_error(errors, "question"))
            textarea id="question" name="question" rows="3" required {}
        },
        Action::RecordReply => text_input(errors, "reply_note", public, false),
        Action::AttachResponse => html! {
            label for="document" { (w(["Document (PDF, JPEG sau PNG, max. 10 MB)", "Dokumentum (PDF, JPEG vagy PNG, legfeljebb 10 MB)", "Document (PDF, JPEG or PNG, at most 10 MB)"])) }
            (inline_error(errors, "document"))
            input id="document" name="document" type="file" accept="application/pdf,image/jpeg,image/png" required;
            p.hint { (w(["Apoi: trimitere la semnat sau soluționare, de către șeful departamentului.", "Ezután: aláírásra küldés vagy elintézés, az osztályvezető által.", "Then: sending for signature or resolving, by the head of department."])) }
        },
        Action::SendForSignature => html! {
            @if let Some(last) = d.responses().last() {
                p { (w(["Documentul de răspuns intră în lista de semnat a conducerii:", "A válaszdokumentum a vezetés aláírandó listájára kerül:", "The response document goes to the signers' list:"])) " „" (last.original_name.as_str()) "”." }
            }
        },
        Action::Resolve => html! {
            @if let Some(last) = d.responses().last() {
                p { (w(["Se emite documentul de răspuns", "Kiadásra kerül a válaszdokumentum:", "The response document is issued:"])) " „" (last.original_name.as_str()) "”." }
            }
            (text_input(errors, "resolve_note", public, false))
        },
        Action::Reject => html! {
            label for="reason" { (w(["Motivul, pentru petent (obligatoriu; apare la urmărire și în mesajul trimis)", "Indoklás a kérelmezőnek (kötelező; megjelenik a követésnél és az üzenetben)", "The reason, for the petitioner (required; shown on tracking and in the message sent)"])) }
            (inline_error(errors, "reason"))
            textarea id="reason" name="reason" rows="3" required {}
            label for="internal_note" { (w(["Notă internă (opțional; doar pentru funcționari)", "Belső megjegyzés (nem kötelező; csak ügyintézőknek)", "Internal note (optional; officials only)"])) }
            (inline_error(errors, "internal_note"))
            textarea id="internal_note" name="internal_note" rows="2" {}
        },
        Action::ExtendDeadline => html! {
            label for="days" { (w(["Zile", "Napok", "Days"])) }
            (inline_error(errors, "days"))
            input.short-input id="days" name="days" type="number" min="1" max="15" inputmode="numeric" required;
            (text_input(errors, "extend_reason", w(["Motiv (intern)", "Indok (belső)", "Reason (internal)"]), true))
        },
        Action::JoinDuplicate => html! {
            label for="into" { (w(["Numărul dosarului anterior", "A korábbi ügyirat száma", "The earlier dossier's number"])) }
            (inline_error(errors, "into"))
            input id="into" name="into" placeholder="CJC-2026-000012" required;
        },
        Action::ForwardToInstitution => html! {
            label for="to_tenant" { (w(["Instituția competentă", "Az illetékes intézmény", "The competent institution"])) }
            (inline_error(errors, "to_tenant"))
            select id="to_tenant" name="to_tenant" { @for (slug, name) in p.institutions { option value=(slug) { (name) } } }
            (text_input(errors, "institution_note", public, false))
        },
        Action::View | Action::Register | Action::Sign => html! {},
    }
}
