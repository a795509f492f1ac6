//! The administration's HTML, rendered with maud (escaped by default). No
//! JavaScript: every journey is a plain form; errors come as a summary with
//! `role="alert"` linking to each field, and the same words inline.

use chrono::{DateTime, Utc};
use ghiseu_core::calendar::local_datetime;
use ghiseu_core::document_type::TypeStatus;
use ghiseu_core::official::Invite;
use ghiseu_core::quota::Limit;
use ghiseu_core::{Department, DocumentType, Lang, Official, Role, Tenant, Titles};
use ghiseu_platform::chrome;
use maud::{DOCTYPE, Markup, html};

use crate::texts::{Flash, role_name, t};

/// Who is looking at an administration page: what the header shows of the
/// signed-in administrator, and the CSRF token of their forms.
pub struct Viewer<'a> {
    /// Their tenant (branding, name).
    pub tenant: &'a Tenant,
    /// Their name, for the page header.
    pub display_name: &'a str,
    /// The session's CSRF token.
    pub csrf: &'a str,
    /// The pages' language.
    pub lang: Lang,
    /// The confirmation of a save, shown at the top of the page.
    pub flash: Option<Flash>,
    /// The page's path (for the language links).
    pub path: &'a str,
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
    let lang = viewer.map_or(Lang::Ro, |v| v.lang);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (chrome::head(&format!("{title} — {}, {}", chrome::service_name(lang), t(lang, "admin").to_lowercase()), tenant.map(|tn| tn.slug.as_str()), html! {}))
            body.wide {
                (chrome::skip_link(lang))
                @if let Some(tn) = tenant {
                    header.site-header {
                        (brand(tn))
                        @if let Some(v) = viewer {
                            nav aria-label=(t(lang, "admin")) {
                                a href="/admin" { (t(lang, "admin")) }
                                a href="/admin/document-types" { (t(lang, "nav_types")) }
                                a href="/admin/departments" { (t(lang, "nav_departments")) }
                                a href="/admin/officials" { (t(lang, "nav_officials")) }
                                a href="/admin/branding" { (t(lang, "nav_branding")) }
                                a href="/admin/quotas" { (t(lang, "nav_quotas")) }
                                a href="/admin/access" { (t(lang, "nav_access")) }
                                a href="/admin/archive" { (lang.pick(["Arhivă", "Archívum", "Archive"])) }
                                a href="/admin/retention" { (lang.pick(["Păstrare", "Megőrzés", "Retention"])) }
                                a href="/desk" { (t(lang, "nav_desk")) }
                            }
                            (chrome::language_links(lang, v.path))
                            form.inline method="post" action="/desk/logout" {
                                (v.display_name) " "
                                input type="hidden" name="csrf" value=(v.csrf);
                                button.secondary type="submit" { (t(lang, "logout")) }
                            }
                        }
                    }
                }
                main id="main" {
                    @if let Some(f) = viewer.and_then(|v| v.flash) {
                        div.success-banner role="status" id="saved" { (f.message(lang)) }
                    }
                    (body)
                }
            }
        }
    }
    .into_string()
}

pub(crate) fn page(viewer: &Viewer, title: &str, body: Markup) -> String {
    layout(title, Some(viewer.tenant), Some(viewer), body)
}

pub(crate) fn error_summary(lang: Lang, errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (t(lang, "fix_these")) }
                ul { @for (f, m) in errors { li { a href=(format!("#{}", anchor(f))) { (field_label(lang, f)) (m) } } } }
            }
        }
    }
}

/// What the summary calls the input `id` of the departments, officials,
/// branding or quotas forms, with the row it is in (`name_hu-juridic`,
/// `roles-reg`), followed by ": "; nothing for an input it does not know.
fn field_label(lang: Lang, id: &str) -> String {
    let (input, row) = id.split_once('-').map_or((id, None), |(i, r)| (i, Some(r)));
    let quota = format!("quota_{input}");
    let key = match input {
        "code" => "col_code",
        "name" => "col_name",
        "name_hu" => "dep_name_hu",
        "name_en" => "dep_name_en",
        "username" => "col_user",
        "display_name" => "display_name_public",
        "department" => "department",
        "email" | "lang" => "reminders",
        "roles" => "roles",
        "accent" => "brand_accent",
        "logo" => "brand_logo",
        _ if !t(lang, &quota).is_empty() => &quota,
        _ => return String::new(),
    };
    let label = t(lang, key);
    let label = label.split(" (").next().unwrap_or(label);
    match row {
        Some(r) => format!("{label} ({r}): "),
        None => format!("{label}: "),
    }
}

/// A field path (`fields[0].name`) as an element id.
pub(crate) fn anchor(path: &str) -> String {
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

pub(crate) fn inline_error(errors: &[(String, String)], name: &str) -> Markup {
    html! { @for (f, m) in errors { @if f == name { p.error id=(format!("{}-error", anchor(name))) { (m) } } } }
}

pub(crate) fn csrf(viewer: &Viewer) -> Markup {
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
    let lang = viewer.lang;
    page(
        viewer,
        t(lang, "admin"),
        html! {
            h1 { (t(lang, "admin")) " — " (viewer.tenant.name.as_str()) }
            ul {
                li { a href="/admin/document-types" { (t(lang, "nav_types")) } ": " (t(lang, "home_types")) }
                li { a href="/admin/departments" { (t(lang, "nav_departments")) } }
                li { a href="/admin/officials" { (t(lang, "nav_officials")) } ": " (t(lang, "home_officials")) }
                li { a href="/admin/branding" { (t(lang, "nav_branding")) } ": " (t(lang, "home_branding")) }
                li { a href="/admin/quotas" { (t(lang, "nav_quotas")) } ": " (t(lang, "home_quotas")) }
                li { a href="/admin/access" { (t(lang, "nav_access")) } ": " (t(lang, "home_access")) }
                li { a href="/admin/archive" { (lang.pick(["Arhivă", "Archívum", "Archive"])) } ": " (lang.pick([
                    "un an al registrului pentru arhiva instituției, fiecare dosar sigilat",
                    "a nyilvántartás egy éve az intézmény archívuma számára, minden ügyirat lepecsételve",
                    "a year of the registry for the institution's archive, every dossier sealed",
                ])) }
                li { a href="/admin/retention" { (lang.pick(["Păstrare", "Megőrzés", "Retention"])) } ": " (lang.pick([
                    "dosarele șterse la sfârșitul păstrării",
                    "a megőrzési idő végén törölt ügyiratok",
                    "the dossiers erased when their retention ended",
                ])) }
            }
        },
    )
}

/// `GET /admin/document-types`: the types, the way to add one first; each
/// active type's deactivation is a quiet link to a confirmation.
pub fn document_types(viewer: &Viewer, catalogue: &[(TypeStatus, DocumentType)]) -> String {
    let lang = viewer.lang;
    page(
        viewer,
        t(lang, "types_title"),
        html! {
            h1 { (t(lang, "types_title")) }
            p { a.button href="/admin/document-types/new" { (t(lang, "add_type")) } }
            ul.cards {
                @for (status, ty) in catalogue {
                    li.card {
                        h2 { a href=(format!("/admin/document-types/{}", ty.code)) { (ty.titles.get(lang).as_str()) } }
                        p {
                            (t(lang, "col_code")) ": " (ty.code.as_str()) " · "
                            (t(lang, "col_version")) " " (ty.version.get()) " · "
                            (t(lang, "col_deadline")) ": " (deadline(lang, ty)) " · "
                            @if status.active { span.tag.done { (t(lang, "offered")) } } @else { span.tag.stopped { (t(lang, "deactivated")) } }
                        }
                        @if status.active {
                            form method="post" action=(format!("/admin/document-types/{}/deactivate", ty.code)) {
                                (csrf(viewer))
                                button.link type="submit" aria-label=(format!("{} {}", t(lang, "deactivate"), ty.titles.get(lang).as_str())) { (t(lang, "deactivate")) "…" }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A type's deadline in words.
pub(crate) fn deadline(lang: Lang, ty: &DocumentType) -> String {
    match ty.deadline {
        ghiseu_core::DeadlineRule::CalendarDays(n) => format!("{n} {}", t(lang, "calendar_days")),
        ghiseu_core::DeadlineRule::WorkingDays(n) => format!("{n} {}", t(lang, "working_days")),
    }
}

/// The confirmation before a type is deactivated.
pub fn deactivate_confirm(viewer: &Viewer, ty: &DocumentType) -> String {
    let lang = viewer.lang;
    let title = ty.titles.get(lang).as_str();
    page(
        viewer,
        t(lang, "deactivate_title"),
        html! {
            h1 { (t(lang, "deactivate_title")) }
            p.lead { strong { (title) } " (" (ty.code.as_str()) ")" }
            p { (t(lang, "deactivate_explain")) }
            form method="post" action=(format!("/admin/document-types/{}/deactivate", ty.code)) {
                (csrf(viewer))
                input type="hidden" name="confirm" value="yes";
                div.actions {
                    // Not `button.warning`: static/ghiseu.css's `.warning` panel
                    // rule gives it dark text on red, which fails contrast.
                    button.secondary type="submit" { (t(lang, "deactivate_yes")) }
                    a href="/admin/document-types" { (t(lang, "cancel")) }
                }
            }
        },
    )
}

/// `GET /admin/departments`.
pub fn departments(viewer: &Viewer, list: &[Department], errors: &[(String, String)]) -> String {
    let lang = viewer.lang;
    page(
        viewer,
        t(lang, "nav_departments"),
        html! {
            h1 { (t(lang, "nav_departments")) }
            (error_summary(lang, errors))
            p { (t(lang, "dep_intro")) }
            // Stacked on a phone: each department's code above its form.
            table.stack {
                thead { tr { th { (t(lang, "col_code")) } th { (t(lang, "col_name")) } } }
                tbody {
                    @for d in list {
                        tr {
                            td data-label=(t(lang, "col_code")) { (d.code.as_str()) }
                            td {
                                form method="post" action=(format!("/admin/departments/{}", d.code)) {
                                    (csrf(viewer))
                                    (department_names(lang, errors, &format!("-{}", d.code), Some(&d.name)))
                                    button type="submit" aria-label=(format!("{} {}", t(lang, "rename"), d.code)) { (t(lang, "rename")) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (t(lang, "new_department")) }
            form method="post" action="/admin/departments" {
                (csrf(viewer))
                label for="code" { (t(lang, "dep_code")) }
                (inline_error(errors, "code"))
                input id="code" name="code" required;
                (department_names(lang, errors, "", None))
                div { button type="submit" { (t(lang, "add")) } }
            }
        },
    )
}

/// The inputs of a department's names (ids `name{suffix}`, `name_hu{suffix}`,
/// `name_en{suffix}`), filled with `current`.
fn department_names(
    lang: Lang,
    errors: &[(String, String)],
    suffix: &str,
    current: Option<&Titles>,
) -> Markup {
    let fields = [
        ("name", t(lang, "col_name"), current.map(|n| &n.ro)),
        (
            "name_hu",
            t(lang, "dep_name_hu"),
            current.and_then(|n| n.hu.as_ref()),
        ),
        (
            "name_en",
            t(lang, "dep_name_en"),
            current.and_then(|n| n.en.as_ref()),
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

fn department_select(
    lang: Lang,
    id: &str,
    departments: &[Department],
    chosen: Option<&str>,
) -> Markup {
    html! {
        select id=(id) name="department" {
            option value="" { "—" }
            @for d in departments.iter().filter(|d| d.active) {
                option value=(d.code.as_str()) selected[chosen == Some(d.code.as_str())] { (d.name.get(lang).as_str()) }
            }
        }
    }
}

/// Each box beside its label (`.checkbox`), as in the editor: a box above
/// its label would read as the box of the label before it.
fn role_checks(lang: Lang, prefix: &str, chosen: &[Role]) -> Markup {
    html! {
        @for r in Role::ALL {
            @let id = format!("{prefix}-{}", r.code());
            div.checkbox {
                input type="checkbox" id=(id) name="role" value=(r.code()) checked[chosen.contains(&r)];
                label for=(id) { (role_name(lang, r)) }
            }
        }
    }
}

/// An official's deadline reminders: the e-mail address and its language
/// (`user` empty: the invitation's form, ids `email` and `lang`).
fn reminder_fields(lang: Lang, user: &str, email: Option<&str>, chosen: Option<Lang>) -> Markup {
    let id = |what: &str| {
        if user.is_empty() {
            what.to_owned()
        } else {
            format!("{what}-{user}")
        }
    };
    html! {
        label for=(id("email")) {
            (lang.pick(["E-mail pentru mementourile termenelor (opțional)", "E-mail a határidő-emlékeztetőkhöz (nem kötelező)", "E-mail for deadline reminders (optional)"]))
        }
        input type="email" id=(id("email")) name="email" autocomplete="off" value=(email.unwrap_or(""));
        label for=(id("lang")) { (lang.pick(["Limba mementourilor", "Az emlékeztetők nyelve", "Language of the reminders"])) }
        select id=(id("lang")) name="lang" {
            @for (l, name) in [(Lang::Ro, "română"), (Lang::Hu, "magyar"), (Lang::En, "English")] {
                option value=(l.code()) lang=(l.code()) selected[chosen.unwrap_or_default() == l] { (name) }
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
    let lang = viewer.lang;
    page(
        viewer,
        t(lang, "nav_officials"),
        html! {
            h1 { (t(lang, "nav_officials")) }
            (error_summary(lang, errors))
            // Stacked on a phone (static/ghiseu.css): each official's
            // username and name above their form, nothing scrolls sideways.
            table.stack {
                thead { tr { th { (t(lang, "col_user")) } th { (t(lang, "col_person")) } th { (t(lang, "col_roles")) } } }
                tbody {
                    @for o in officials {
                        @let anchor_id = format!("roles-{}", o.username);
                        @let roles: Vec<Role> = o.roles.iter().copied().collect();
                        tr {
                            td data-label=(t(lang, "col_user")) { (o.username.as_str()) }
                            td data-label=(t(lang, "col_person")) { (o.display_name.as_str()) }
                            td {
                                form method="post" action=(format!("/admin/officials/{}", o.username)) {
                                    (csrf(viewer))
                                    fieldset id=(anchor_id) {
                                        legend { (t(lang, "roles")) }
                                        (inline_error(errors, &anchor_id))
                                        (role_checks(lang, &format!("r-{}", o.username), &roles))
                                    }
                                    label for=(format!("d-{}", o.username)) { (t(lang, "department")) }
                                    (department_select(lang, &format!("d-{}", o.username), departments, o.department.as_ref().map(|d| d.as_str())))
                                    (reminder_fields(lang, &o.username.to_string(), o.email.as_ref().map(|e| e.as_str()), o.lang))
                                    div.checkbox {
                                        input type="checkbox" id=(format!("a-{}", o.username)) name="active" value="on" checked[o.active];
                                        label for=(format!("a-{}", o.username)) { (t(lang, "active")) }
                                    }
                                    button type="submit" aria-label=(format!("{} ({})", t(lang, "save"), o.username)) { (t(lang, "save")) }
                                }
                            }
                        }
                    }
                }
            }
            (second_factor)
            h2 { (t(lang, "invite_title")) }
            form method="post" action="/admin/officials/invite" {
                (csrf(viewer))
                label for="username" { (t(lang, "col_user")) }
                (inline_error(errors, "username"))
                input id="username" name="username" required;
                label for="display_name" { (t(lang, "display_name_public")) }
                (inline_error(errors, "display_name"))
                input id="display_name" name="display_name" required;
                label for="department" { (t(lang, "department")) }
                (inline_error(errors, "department"))
                (department_select(lang, "department", departments, None))
                (inline_error(errors, "email"))
                (inline_error(errors, "lang"))
                (reminder_fields(lang, "", None, None))
                fieldset id="roles" {
                    legend { (t(lang, "roles")) }
                    (inline_error(errors, "roles"))
                    (role_checks(lang, "invite", &[Role::Registrar]))
                }
                div { button type="submit" { (t(lang, "create_invite")) } }
            }
        },
    )
}

fn when(t: DateTime<Utc>) -> String {
    local_datetime(t).format("%d.%m.%Y %H:%M").to_string()
}

/// The invitation link, shown once.
pub fn invite_issued(viewer: &Viewer, username: &str, url: &str, expires: DateTime<Utc>) -> String {
    let lang = viewer.lang;
    page(
        viewer,
        t(lang, "invite_created"),
        html! {
            h1 { (t(lang, "invite_for")) " " (username) }
            p { (t(lang, "invite_send")) " " (when(expires)) "." }
            p.link { a href=(url) { (url) } }
            p { (t(lang, "invite_once")) }
            p { a href="/admin/officials" { (t(lang, "back_officials")) } }
        },
    )
}

/// `GET /admin/branding`.
pub fn branding(viewer: &Viewer, errors: &[(String, String)]) -> String {
    let b = &viewer.tenant.branding;
    let lang = viewer.lang;
    page(
        viewer,
        t(lang, "nav_branding"),
        html! {
            h1 { (t(lang, "nav_branding")) }
            (error_summary(lang, errors))
            form method="post" action="/admin/branding" enctype="multipart/form-data" {
                (csrf(viewer))
                label for="display_name" { (t(lang, "brand_display_name").replace("{}", viewer.tenant.name.as_str())) }
                (inline_error(errors, "display_name"))
                input id="display_name" name="display_name" value=(b.display_name.as_ref().map_or("", |n| n.as_str()));
                label for="accent" { (t(lang, "brand_accent")) }
                (inline_error(errors, "accent"))
                input id="accent" name="accent" value=(b.accent.as_ref().map_or("", |a| a.as_str())) pattern="#[0-9a-fA-F]{6}";
                label for="logo" { (t(lang, "brand_logo")) }
                (inline_error(errors, "logo"))
                input id="logo" name="logo" type="file" accept="image/png,image/jpeg";
                @if b.logo.is_some() {
                    p { img src=(format!("/branding/{}/logo", viewer.tenant.slug)) alt=(t(lang, "brand_logo_now")); }
                    div.checkbox { input type="checkbox" id="remove_logo" name="remove_logo" value="on"; label for="remove_logo" { (t(lang, "brand_logo_remove")) } }
                }
                div { button type="submit" { (t(lang, "save")) } }
            }
        },
    )
}

/// `GET /admin/quotas`: the institution's submission quotas; `values` are
/// the form's values as shown (the saved ones, or those of a refused form).
pub fn quotas(viewer: &Viewer, values: &[(Limit, String)], errors: &[(String, String)]) -> String {
    let lang = viewer.lang;
    let label = |l: Limit| t(lang, &format!("quota_{}", l.code()));
    page(
        viewer,
        t(lang, "nav_quotas"),
        html! {
            h1 { (t(lang, "nav_quotas")) }
            p { (t(lang, "quotas_intro")) }
            (error_summary(lang, errors))
            form method="post" action="/admin/quotas" {
                (csrf(viewer))
                @for (limit, value) in values {
                    label for=(limit.code()) { (label(*limit)) }
                    (inline_error(errors, limit.code()))
                    input.short-input id=(limit.code()) name=(limit.code()) value=(value) inputmode="numeric" required;
                }
                div { button type="submit" { (t(lang, "save")) } }
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
            (error_summary(Lang::Ro, errors))
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
