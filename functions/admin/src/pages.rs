//! The administration's HTML, rendered with maud (escaped by default). No
//! JavaScript: every journey is a plain form; errors come as a summary with
//! `role="alert"` linking to each field, and the same words inline.

use chrono::{DateTime, Utc};
use ghiseu_core::calendar::local_datetime;
use ghiseu_core::document_type::TypeStatus;
use ghiseu_core::official::Invite;
use ghiseu_core::quota::Limit;
use ghiseu_core::{Department, DocumentType, Official, Role, Tenant, Titles};
use ghiseu_platform::chrome;
use maud::{DOCTYPE, Markup, html};

/// Who is looking at an administration page: what the header shows of the
/// signed-in administrator, and the CSRF token of their forms.
pub struct Viewer<'a> {
    /// Their tenant (branding, name).
    pub tenant: &'a Tenant,
    /// Their name, for the page header.
    pub display_name: &'a str,
    /// The session's CSRF token.
    pub csrf: &'a str,
}

fn brand(tenant: &Tenant) -> Markup {
    html! {
        span.brand-name {
            @if tenant.branding.logo.is_some() {
                img src=(format!("/branding/{}/logo", tenant.slug)) alt="" ;
                " "
            }
            strong { (tenant.header_name().as_str()) }
        }
    }
}

fn layout(title: &str, tenant: Option<&Tenant>, viewer: Option<&Viewer>, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="ro" {
            (chrome::head(&format!("{title} — Ghișeul unic, administrare"), tenant.map(|t| t.slug.as_str()), html! {}))
            body.wide {
                (chrome::skip_link(ghiseu_core::Lang::Ro))
                @if let Some(t) = tenant {
                    header.site-header {
                        (brand(t))
                        @if let Some(v) = viewer {
                            nav {
                                a href="/admin" { "Administrare" }
                                a href="/admin/document-types" { "Tipuri de documente" }
                                a href="/admin/departments" { "Departamente" }
                                a href="/admin/officials" { "Funcționari" }
                                a href="/admin/branding" { "Identitate vizuală" }
                                a href="/desk" { "Birou" }
                            }
                            form.inline method="post" action="/desk/logout" {
                                (v.display_name) " "
                                input type="hidden" name="csrf" value=(v.csrf);
                                button type="submit" { "Ieșire" }
                            }
                        }
                    }
                }
                main id="main" { (body) }
            }
        }
    }
    .into_string()
}

fn page(viewer: &Viewer, title: &str, body: Markup) -> String {
    layout(title, Some(viewer.tenant), Some(viewer), body)
}

fn error_summary(errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { "Corectați următoarele:" }
                ul { @for (f, m) in errors { li { a href=(format!("#{}", anchor(f))) { (f) ": " (m) } } } }
            }
        }
    }
}

/// A field path (`fields[0].name`) as an element id.
fn anchor(path: &str) -> String {
    path.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn inline_error(errors: &[(String, String)], name: &str) -> Markup {
    html! { @for (f, m) in errors { @if f == name { p.error id=(format!("{}-error", anchor(name))) { (m) } } } }
}

fn csrf(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(viewer.csrf); }
}

/// An error page.
pub fn error_page(title: &str, detail: &str) -> String {
    layout(
        title,
        None,
        None,
        html! { h1 { (title) } p role="alert" { (detail) } p { a href="/admin" { "Înapoi la administrare" } } },
    )
}

/// `GET /admin`.
pub fn home(viewer: &Viewer) -> String {
    page(
        viewer,
        "Administrare",
        html! {
            h1 { "Administrare — " (viewer.tenant.name.as_str()) }
            ul {
                li { a href="/admin/document-types" { "Tipuri de documente" } ": formulare, termene, taxe, versiuni" }
                li { a href="/admin/departments" { "Departamente" } }
                li { a href="/admin/officials" { "Funcționari" } ": invitații, roluri, dezactivare" }
                li { a href="/admin/branding" { "Identitate vizuală" } ": denumire afișată, culoare, siglă" }
                li { a href="/admin/quotas" { "Limite de cereri online" } ": câte cereri primește instituția de la un cont și de la o adresă" }
            }
        },
    )
}

/// `GET /admin/document-types`.
pub fn document_types(viewer: &Viewer, catalogue: &[(TypeStatus, DocumentType)]) -> String {
    page(
        viewer,
        "Tipuri de documente",
        html! {
            h1 { "Tipuri de documente" }
            p { a href="/admin/document-types/new" { "Adaugă un tip de document" } }
            table {
                thead { tr { th { "Cod" } th { "Titlu" } th { "Versiune" } th { "Termen" } th { "Stare" } th {} } }
                tbody {
                    @for (status, t) in catalogue {
                        tr {
                            td { a href=(format!("/admin/document-types/{}", t.code)) { (t.code.as_str()) } }
                            td { (t.titles.ro.as_str()) }
                            td { (t.version.get()) }
                            td { (deadline(t)) }
                            td { @if status.active { "oferit" } @else { "dezactivat" } }
                            td {
                                @if status.active {
                                    form.inline method="post" action=(format!("/admin/document-types/{}/deactivate", t.code)) {
                                        (csrf(viewer))
                                        button type="submit" { "Dezactivează" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn deadline(t: &DocumentType) -> String {
    match t.deadline {
        ghiseu_core::DeadlineRule::CalendarDays(n) => format!("{n} zile calendaristice"),
        ghiseu_core::DeadlineRule::WorkingDays(n) => format!("{n} zile lucrătoare"),
    }
}

/// The definition editor: new (`existing` = None) or a new version.
pub fn type_editor(
    viewer: &Viewer,
    existing: Option<(&DocumentType, TypeStatus)>,
    json: &str,
    errors: &[(String, String)],
) -> String {
    let (title, action) = match existing {
        Some((t, _)) => (
            format!("Tipul {}", t.code),
            format!("/admin/document-types/{}", t.code),
        ),
        None => (
            "Tip nou de document".to_owned(),
            "/admin/document-types".to_owned(),
        ),
    };
    page(
        viewer,
        &title,
        html! {
            h1 { (title) }
            @if let Some((t, status)) = existing {
                p { "Versiunea " strong { (t.version.get()) } " (cea mai nouă), "
                    @if status.active { "oferită la înregistrare." } @else { "dezactivată." }
                    " Salvarea unei modificări creează versiunea " (t.version.next().get())
                    "; dosarele existente își păstrează versiunea." }
                p { "Versiuni anterioare (JSON): "
                    @for v in 1..=t.version.get() {
                        a href=(format!("/api/v1/admin/document-types/{}/versions/{v}", t.code)) { "v" (v) } " "
                    }
                }
            }
            (error_summary(errors))
            form method="post" action=(action) {
                (csrf(viewer))
                label for="definition" { "Definiția (JSON)" }
                p { "Câmpuri: text, multiline, number, date, select, checkbox, cnp, email, phone, address, attachment. "
                    "Termen 1–365 zile (" code { "working_days" } " pentru zile lucrătoare), semnătură none/simple/qualified, taxa în bani." }
                @for (f, m) in errors { p.error id=(anchor(f)) { (f) ": " (m) } }
                textarea id="definition" name="definition" rows="24" spellcheck="false" { (json) }
                div { button type="submit" { "Salvează" } }
            }
        },
    )
}

/// `GET /admin/departments`.
pub fn departments(viewer: &Viewer, list: &[Department], errors: &[(String, String)]) -> String {
    page(
        viewer,
        "Departamente",
        html! {
            h1 { "Departamente" }
            (error_summary(errors))
            p { "Cetățenii care citesc în maghiară sau engleză văd denumirea în limba lor; fără ea, pe cea în română." }
            table {
                thead { tr { th { "Cod" } th { "Denumire" } } }
                tbody {
                    @for d in list {
                        tr {
                            td { (d.code.as_str()) }
                            td {
                                form method="post" action=(format!("/admin/departments/{}", d.code)) {
                                    (csrf(viewer))
                                    (department_names(errors, &format!("-{}", d.code), Some(&d.name)))
                                    button type="submit" { "Redenumește" }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Departament nou" }
            form method="post" action="/admin/departments" {
                (csrf(viewer))
                label for="code" { "Cod (litere mici, cifre, cratimă)" }
                (inline_error(errors, "code"))
                input id="code" name="code" required;
                (department_names(errors, "", None))
                div { button type="submit" { "Adaugă" } }
            }
        },
    )
}

/// The inputs of a department's names (ids `name{suffix}`, `name_hu{suffix}`,
/// `name_en{suffix}`), filled with `current`.
fn department_names(errors: &[(String, String)], suffix: &str, current: Option<&Titles>) -> Markup {
    let fields = [
        ("name", "Denumire", current.map(|t| &t.ro)),
        (
            "name_hu",
            "Denumire în maghiară (opțional)",
            current.and_then(|t| t.hu.as_ref()),
        ),
        (
            "name_en",
            "Denumire în engleză (opțional)",
            current.and_then(|t| t.en.as_ref()),
        ),
    ];
    html! {
        @for (name, label, value) in fields {
            @let id = format!("{name}{suffix}");
            label for=(id) { (label) }
            (inline_error(errors, &id))
            input id=(id) name=(name) value=[value.map(|v| v.as_str())] required[name == "name"];
        }
    }
}

fn department_select(id: &str, departments: &[Department], chosen: Option<&str>) -> Markup {
    html! {
        select id=(id) name="department" {
            option value="" { "—" }
            @for d in departments.iter().filter(|d| d.active) {
                option value=(d.code.as_str()) selected[chosen == Some(d.code.as_str())] { (d.name.ro.as_str()) }
            }
        }
    }
}

fn role_checks(prefix: &str, chosen: &[Role]) -> Markup {
    html! {
        span.checks {
            @for r in Role::ALL {
                @let id = format!("{prefix}-{}", r.code());
                input type="checkbox" id=(id) name="role" value=(r.code()) checked[chosen.contains(&r)];
                label for=(id) { (r.code()) }
            }
        }
    }
}

/// `GET /admin/officials`.
pub fn officials(
    viewer: &Viewer,
    officials: &[Official],
    departments: &[Department],
    errors: &[(String, String)],
    second_factor: Markup,
) -> String {
    page(
        viewer,
        "Funcționari",
        html! {
            h1 { "Funcționari" }
            (error_summary(errors))
            table {
                thead { tr { th { "Utilizator" } th { "Nume" } th { "Roluri, departament, stare" } } }
                tbody {
                    @for o in officials {
                        @let anchor_id = format!("roles-{}", o.username);
                        @let roles: Vec<Role> = o.roles.iter().copied().collect();
                        tr {
                            td { (o.username.as_str()) }
                            td { (o.display_name.as_str()) }
                            td {
                                form method="post" action=(format!("/admin/officials/{}", o.username)) {
                                    (csrf(viewer))
                                    fieldset id=(anchor_id) {
                                        legend { "Roluri" }
                                        (inline_error(errors, &anchor_id))
                                        (role_checks(&format!("r-{}", o.username), &roles))
                                    }
                                    label for=(format!("d-{}", o.username)) { "Departament" }
                                    (department_select(&format!("d-{}", o.username), departments, o.department.as_ref().map(|d| d.as_str())))
                                    span.checks {
                                        input type="checkbox" id=(format!("a-{}", o.username)) name="active" value="on" checked[o.active];
                                        label for=(format!("a-{}", o.username)) { "activ" }
                                    }
                                    button type="submit" { "Salvează" }
                                }
                            }
                        }
                    }
                }
            }
            (second_factor)
            h2 { "Invită un funcționar" }
            form method="post" action="/admin/officials/invite" {
                (csrf(viewer))
                label for="username" { "Utilizator" }
                (inline_error(errors, "username"))
                input id="username" name="username" required;
                label for="display_name" { "Nume afișat (public)" }
                (inline_error(errors, "display_name"))
                input id="display_name" name="display_name" required;
                label for="department" { "Departament" }
                (inline_error(errors, "department"))
                (department_select("department", departments, None))
                fieldset id="roles" {
                    legend { "Roluri" }
                    (inline_error(errors, "roles"))
                    (role_checks("invite", &[Role::Registrar]))
                }
                div { button type="submit" { "Creează invitația" } }
            }
        },
    )
}

fn when(t: DateTime<Utc>) -> String {
    local_datetime(t).format("%d.%m.%Y %H:%M").to_string()
}

/// The invitation link, shown once.
pub fn invite_issued(viewer: &Viewer, username: &str, url: &str, expires: DateTime<Utc>) -> String {
    page(
        viewer,
        "Invitație creată",
        html! {
            h1 { "Invitație pentru " (username) }
            p { "Trimiteți acest link persoanei invitate. Funcționează o singură dată, până la " (when(expires)) "." }
            p.link { a href=(url) { (url) } }
            p { "Linkul nu mai poate fi afișat ulterior." }
            p { a href="/admin/officials" { "Înapoi la funcționari" } }
        },
    )
}

/// `GET /admin/branding`.
pub fn branding(viewer: &Viewer, errors: &[(String, String)]) -> String {
    let b = &viewer.tenant.branding;
    page(
        viewer,
        "Identitate vizuală",
        html! {
            h1 { "Identitate vizuală" }
            (error_summary(errors))
            form method="post" action="/admin/branding" enctype="multipart/form-data" {
                (csrf(viewer))
                label for="display_name" { "Denumire afișată (implicit: " (viewer.tenant.name.as_str()) ")" }
                (inline_error(errors, "display_name"))
                input id="display_name" name="display_name" value=(b.display_name.as_ref().map_or("", |n| n.as_str()));
                label for="accent" { "Culoare de accent (#rrggbb)" }
                (inline_error(errors, "accent"))
                input id="accent" name="accent" value=(b.accent.as_ref().map_or("", |a| a.as_str())) pattern="#[0-9a-fA-F]{6}";
                label for="logo" { "Sigla (PNG sau JPEG, max. 256 KiB)" }
                (inline_error(errors, "logo"))
                input id="logo" name="logo" type="file" accept="image/png,image/jpeg";
                @if b.logo.is_some() {
                    p { img src=(format!("/branding/{}/logo", viewer.tenant.slug)) alt="Sigla actuală"; }
                    span.checks { input type="checkbox" id="remove_logo" name="remove_logo" value="on"; label for="remove_logo" { "Elimină sigla" } }
                }
                div { button type="submit" { "Salvează" } }
            }
        },
    )
}

/// `GET /admin/quotas`: the institution's submission quotas; `values` are
/// the form's values as shown (the saved ones, or those of a refused form).
pub fn quotas(viewer: &Viewer, values: &[(Limit, String)], errors: &[(String, String)]) -> String {
    let label = |l: Limit| match l {
        Limit::AccountHour => "Dintr-un cont, pe oră",
        Limit::AccountDay => "Dintr-un cont, pe zi",
        Limit::AddressHour => "De la o adresă de internet, pe oră",
        Limit::AddressDay => "De la o adresă de internet, pe zi",
    };
    page(
        viewer,
        "Limite de cereri online",
        html! {
            h1 { "Limite de cereri online" }
            p { "Câte cereri online primește instituția. Peste limită, cererea nu este înregistrată și cetățeanul află când poate trimite din nou. Un cetățean poate depune multe cereri legitime: limitele opresc un program automat, nu un solicitant harnic. Implicit: 30 pe oră și 100 pe zi dintr-un cont, 100 pe oră și 500 pe zi de la o adresă." }
            (error_summary(errors))
            form method="post" action="/admin/quotas" {
                (csrf(viewer))
                @for (limit, value) in values {
                    label for=(limit.code()) { (label(*limit)) }
                    (inline_error(errors, limit.code()))
                    input id=(limit.code()) name=(limit.code()) value=(value) inputmode="numeric" required;
                }
                div { button type="submit" { "Salvează" } }
            }
        },
    )
}

/// The invitee's page: choose a password.
pub fn accept_invite(
    tenant: &Tenant,
    invite: &Invite,
    token: &str,
    errors: &[(String, String)],
) -> String {
    layout(
        "Activare cont",
        Some(tenant),
        None,
        html! {
            h1 { "Activați-vă contul" }
            p { "Ați fost invitat(ă) ca " strong { (invite.official.display_name.as_str()) }
                " (utilizator " strong { (invite.official.username.as_str()) } ") la " (tenant.name.as_str())
                ". Invitația expiră la " (when(invite.expires_at)) "." }
            (error_summary(errors))
            form method="post" action=(format!("/admin/invite/{token}")) {
                label for="password" { "Parola (cel puțin 12 caractere)" }
                (inline_error(errors, "password"))
                input id="password" name="password" type="password" autocomplete="new-password" required minlength="12";
                label for="confirmation" { "Repetați parola" }
                input id="confirmation" name="confirmation" type="password" autocomplete="new-password" required;
                div { button type="submit" { "Activează contul" } }
            }
        },
    )
}

/// After an invitation was accepted.
pub fn invite_accepted(tenant: &Tenant, official: &Official) -> String {
    layout(
        "Cont activat",
        Some(tenant),
        None,
        html! {
            h1 { "Contul este activ" }
            p { "Vă puteți autentifica la " a href="/desk/login" { "birou" } " cu instituția "
                strong { (tenant.name.as_str()) } " și utilizatorul " strong { (official.username.as_str()) } "." }
        },
    )
}
