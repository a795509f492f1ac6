//! The document-type editor's page: the definition as a form ([`crate::editor`]
//! reads it back), a preview of the form as the portal shows it to a citizen,
//! and the JSON for power users behind a disclosure. Everything works without
//! JavaScript: each action is a submit button of the one form.

use ghiseu_core::document_type::TypeStatus;
use ghiseu_core::{Department, DocumentType, Lang};
use maud::{Markup, html};

use crate::dto::{FieldDto, OptionDto};
use crate::editor::{Editor, FILE_TYPES, KINDS, bani_to_lei, bytes_to_mb};
use crate::explain::label_of_input;
use crate::pages::{Viewer, anchor, csrf, page};
use crate::texts::t;

/// A refused JSON import: its text, and its problems as (path, what, message).
pub type Import<'a> = (&'a str, &'a [(String, String, String)]);

/// What the page shows besides the editor: the saved type (none for a new
/// one), the tenant's departments, and a JSON import that was refused (its
/// text and its problems as (path, label, message)).
pub struct Context<'a> {
    /// The saved type and its status.
    pub existing: Option<(&'a DocumentType, TypeStatus)>,
    /// The tenant's departments.
    pub departments: &'a [Department],
    /// A refused import: its text and problems.
    pub import: Option<Import<'a>>,
}

/// The error shown at input `id`, if any.
fn error_at<'e>(editor: &'e Editor, id: &str) -> Option<&'e str> {
    editor
        .errors
        .iter()
        .find(|(k, _)| k == id)
        .map(|(_, m)| m.as_str())
}

/// A labelled text input `id`, with its error.
fn input(
    editor: &Editor,
    lang: Lang,
    id: &str,
    key: &str,
    value: String,
    extra: Option<&str>,
) -> Markup {
    let error = error_at(editor, id);
    let value = editor.shown(id, || value);
    html! {
        div.field.field-error[error.is_some()] {
            label for=(id) { (t(lang, key)) }
            @if let Some(m) = error { p.error id=(format!("{id}-error")) { (m) } }
            input id=(id) name=(id) value=(value) inputmode=[extra]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))];
        }
    }
}

fn summary(lang: Lang, editor: &Editor, import: Option<&[(String, String, String)]>) -> Markup {
    html! {
        @if !editor.errors.is_empty() || import.is_some_and(|i| !i.is_empty()) {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (t(lang, "fix_these")) }
                ul {
                    @for (id, m) in &editor.errors {
                        li { a href=(format!("#{id}")) { (label_of_input(lang, id)) ": " (m) } }
                    }
                    @for (path, what, m) in import.unwrap_or_default() {
                        li { a href=(format!("#{}", anchor(path))) { (what) ": " (m) } }
                    }
                }
            }
        }
    }
}

fn general(editor: &Editor, lang: Lang, ctx: &Context<'_>) -> Markup {
    let d = &editor.def;
    let e = |id: &str| error_at(editor, id);
    html! {
        fieldset {
            legend { (t(lang, "sec_general")) }
            @if ctx.existing.is_none() {
                (input(editor, lang, "code", "code_label", d.code.clone().unwrap_or_default(), None))
            }
            (input(editor, lang, "title_ro", "title_ro", d.titles.ro.clone(), None))
            (input(editor, lang, "title_hu", "title_hu", d.titles.hu.clone().unwrap_or_default(), None))
            (input(editor, lang, "title_en", "title_en", d.titles.en.clone().unwrap_or_default(), None))
            (input(editor, lang, "deadline_days", "deadline_days", d.deadline_days.to_string(), Some("numeric")))
            fieldset {
                legend { (t(lang, "deadline_kind")) }
                @for (value, key, on) in [("calendar", "calendar_days", !d.working_days), ("working", "working_days", d.working_days)] {
                    div.checkbox {
                        input type="radio" id=(format!("deadline_{value}")) name="deadline_kind" value=(value) checked[on];
                        label for=(format!("deadline_{value}")) { (t(lang, key)) }
                    }
                }
            }
            div.field.field-error[e("first_department").is_some()] {
                label for="first_department" { (t(lang, "first_department")) }
                @if let Some(m) = e("first_department") { p.error id="first_department-error" { (m) } }
                select id="first_department" name="first_department" {
                    @for dep in ctx.departments.iter().filter(|x| x.active) {
                        option value=(dep.code.as_str()) selected[dep.code.as_str() == d.first_department] { (dep.name.get(lang).as_str()) }
                    }
                }
            }
            fieldset id="signature" {
                legend { (t(lang, "signature")) }
                @if let Some(m) = e("signature") { p.error id="signature-error" { (m) } }
                @for (value, key) in [("none", "sig_none"), ("simple", "sig_simple"), ("qualified", "sig_qualified")] {
                    div.checkbox {
                        input type="radio" id=(format!("signature_{value}")) name="signature" value=(value) checked[d.signature == value];
                        label for=(format!("signature_{value}")) { (t(lang, key)) }
                    }
                }
            }
            (input(editor, lang, "fee_lei", "fee_lei", bani_to_lei(d.fee_bani), Some("decimal")))
            (input(editor, lang, "retention_years", "retention_years", d.retention_years.to_string(), Some("numeric")))
        }
    }
}

fn lines(options: &[OptionDto], pick: impl Fn(&OptionDto) -> Option<String>) -> String {
    options
        .iter()
        .map(|o| pick(o).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn textarea(editor: &Editor, lang: Lang, id: &str, key: &str, value: &str) -> Markup {
    let error = error_at(editor, id);
    html! {
        div.field.field-error[error.is_some()] {
            label for=(id) { (t(lang, key)) }
            @if let Some(m) = error { p.error id=(format!("{id}-error")) { (m) } }
            textarea id=(id) name=(id) rows="4" aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))] { (value) }
        }
    }
}

/// The inputs of a field's kind.
fn params(editor: &Editor, lang: Lang, i: usize, f: &FieldDto) -> Markup {
    let id = |s: &str| format!("f{i}_{s}");
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    match f.kind.as_str() {
        "text" | "multiline" => input(
            editor,
            lang,
            &id("max_chars"),
            "max_chars",
            num(f.max_chars),
            Some("numeric"),
        ),
        "number" => html! {
            (input(editor, lang, &id("min"), "min", num(f.min), Some("numeric")))
            (input(editor, lang, &id("max"), "max", num(f.max), Some("numeric")))
        },
        "select" => {
            let label = |o: &OptionDto, hu: bool| match o {
                OptionDto::Plain(_) => None,
                OptionDto::Titled(t) => {
                    if hu {
                        t.label.hu.clone()
                    } else {
                        t.label.en.clone()
                    }
                }
            };
            html! {
                (textarea(editor, lang, &id("options"), "options", &lines(&f.options, |o| Some(match o {
                    OptionDto::Plain(v) => v.clone(),
                    OptionDto::Titled(t) => t.value.clone(),
                }))))
                details open[f.options.iter().any(|o| label(o, true).is_some() || label(o, false).is_some())] {
                    summary { (t(lang, "option_translations")) }
                    (textarea(editor, lang, &id("options_hu"), "options_hu", &lines(&f.options, |o| label(o, true))))
                    (textarea(editor, lang, &id("options_en"), "options_en", &lines(&f.options, |o| label(o, false))))
                }
            }
        }
        "attachment" => {
            let shown = f.max_bytes.map(bytes_to_mb).unwrap_or_default();
            let error = error_at(editor, &id("types"));
            html! {
                fieldset id=(id("types")) {
                    legend { (t(lang, "file_types")) }
                    @if let Some(m) = error { p.error id=(format!("{}-error", id("types"))) { (m) } }
                    @for ty in FILE_TYPES {
                        div.checkbox {
                            input type="checkbox" id=(id(&format!("type_{ty}"))) name=(id(&format!("type_{ty}"))) value="on" checked[f.types.iter().any(|x| x == ty)];
                            label for=(id(&format!("type_{ty}"))) { (ty.to_uppercase()) }
                        }
                    }
                }
                (input(editor, lang, &id("max_mb"), "max_mb", shown.clone(), Some("decimal")))
                input type="hidden" name=(id("max_mb_shown")) value=(shown);
                input type="hidden" name=(id("max_bytes")) value=(num(f.max_bytes));
            }
        }
        _ => html! {},
    }
}

/// A field's label in Hungarian and English, behind a disclosure that is
/// open when either is given or wrong.
fn translations(editor: &Editor, lang: Lang, i: usize, f: &FieldDto) -> Markup {
    let id = |s: &str| format!("f{i}_{s}");
    let open = f.label.hu.is_some()
        || f.label.en.is_some()
        || error_at(editor, &id("label_hu")).is_some()
        || error_at(editor, &id("label_en")).is_some();
    html! {
        details open[open] {
            summary { (t(lang, "label_translations")) }
            (input(editor, lang, &id("label_hu"), "label_hu", f.label.hu.clone().unwrap_or_default(), None))
            (input(editor, lang, &id("label_en"), "label_en", f.label.en.clone().unwrap_or_default(), None))
        }
    }
}

fn field_card(editor: &Editor, lang: Lang, i: usize, n: usize, f: &FieldDto) -> Markup {
    let id = |s: &str| format!("f{i}_{s}");
    let title = if f.label.ro.is_empty() {
        f.name.as_str()
    } else {
        f.label.ro.as_str()
    };
    html! {
        fieldset.card id=(format!("f{i}")) {
            legend { (t(lang, "field_n")) " " (i + 1) ": " (title) }
            (input(editor, lang, &id("name"), "field_name", f.name.clone(), None))
            div.field.field-error[error_at(editor, &id("kind")).is_some()] {
                label for=(id("kind")) { (t(lang, "field_kind")) }
                @if let Some(m) = error_at(editor, &id("kind")) { p.error id=(format!("{}-error", id("kind"))) { (m) } }
                select id=(id("kind")) name=(id("kind")) {
                    @for k in KINDS { option value=(k) selected[f.kind == k] { (t(lang, &format!("kind_{k}"))) } }
                }
            }
            (input(editor, lang, &id("label_ro"), "label_ro", f.label.ro.clone(), None))
            (translations(editor, lang, i, f))
            div.checkbox {
                input type="checkbox" id=(id("required")) name=(id("required")) value="on" checked[f.required];
                label for=(id("required")) { (t(lang, "required")) }
            }
            (params(editor, lang, i, f))
            div.actions {
                @if i > 0 { button.secondary type="submit" name="op" value=(format!("up-{i}")) aria-label=(format!("{} ({} {})", t(lang, "move_up"), t(lang, "field_n"), i + 1)) { "↑ " (t(lang, "move_up")) } }
                @if i + 1 < n { button.secondary type="submit" name="op" value=(format!("down-{i}")) aria-label=(format!("{} ({} {})", t(lang, "move_down"), t(lang, "field_n"), i + 1)) { "↓ " (t(lang, "move_down")) } }
                button.link type="submit" name="op" value=(format!("remove-{i}")) aria-label=(format!("{} ({} {})", t(lang, "remove"), t(lang, "field_n"), i + 1)) { (t(lang, "remove")) }
            }
        }
    }
}

/// One field as the portal shows it, inert.
fn preview_field(lang: Lang, i: usize, f: &FieldDto) -> Markup {
    let id = format!("preview_{i}");
    let label = f.label_in(lang);
    let star = if f.required { " *" } else { "" };
    if f.kind == "checkbox" {
        return html! { div.checkbox { input id=(id) type="checkbox" disabled; label for=(id) { (label) (star) } } };
    }
    html! {
        label for=(id) { (label) (star) }
        @match f.kind.as_str() {
            "multiline" => { textarea id=(id) rows="5" disabled {} }
            "address" => { textarea id=(id) rows="2" disabled {} }
            "number" => { input id=(id) type="number" disabled; }
            "date" => { input id=(id) type="date" disabled; }
            "email" => { input id=(id) type="email" disabled; }
            "phone" => { input id=(id) type="tel" disabled; }
            "select" => {
                select id=(id) disabled {
                    option { "—" }
                    @for o in &f.options { option { (match o { OptionDto::Plain(v) => v.clone(), OptionDto::Titled(t) => t.label.get_in(lang) }) } }
                }
            }
            "attachment" => {
                p.hint { (f.types.iter().map(|x| x.to_uppercase()).collect::<Vec<_>>().join(", ")) ", max. " (f.max_bytes.map_or_else(|| "10".to_owned(), bytes_to_mb)) " MB" }
                input id=(id) type="file" disabled;
            }
            _ => { input id=(id) disabled; }
        }
    }
}

fn preview(editor: &Editor, lang: Lang) -> Markup {
    let d = &editor.def;
    html! {
        section.card aria-labelledby="preview" {
            h2 id="preview" { (t(lang, "preview")) }
            p.hint { (t(lang, "preview_note")) }
            h3 { (d.titles.get_in(lang)) }
            @if d.fee_bani > 0 { p.notice { strong { (t(lang, "preview_fee")) ": " (bani_to_lei(d.fee_bani)) " lei" } } }
            @for (i, f) in d.fields.iter().enumerate() { (preview_field(lang, i, f)) }
            p { button type="button" disabled { (t(lang, "preview_submit")) } }
        }
    }
}

fn json_box(viewer: &Viewer, action: &str, json: &str, ctx: &Context<'_>) -> Markup {
    let lang = viewer.lang;
    let (text, problems) = ctx.import.unwrap_or((json, &[]));
    html! {
        details open[ctx.import.is_some()] {
            summary { (t(lang, "json_summary")) }
            form method="post" action=(action) {
                (csrf(viewer))
                label for="definition" { (t(lang, "json_label")) }
                p.hint id="definition-hint" { (t(lang, "json_hint")) }
                @for (path, what, m) in problems { p.error id=(anchor(path)) { (what) ": " (m) } }
                textarea id="definition" name="definition" rows="16" spellcheck="false" aria-describedby="definition-hint" { (text) }
                div { button.secondary type="submit" name="op" value="import" { (t(lang, "json_import")) } }
            }
        }
    }
}

/// The editor page of a new type (`ctx.existing` none) or of a new version.
pub fn page_of(viewer: &Viewer, editor: &Editor, ctx: &Context<'_>) -> String {
    let lang = viewer.lang;
    let (title, action) = match ctx.existing {
        Some((ty, _)) => (
            format!("{} {}", t(lang, "type_named"), ty.titles.get(lang).as_str()),
            format!("/admin/document-types/{}", ty.code),
        ),
        None => (
            t(lang, "new_type").to_owned(),
            "/admin/document-types".to_owned(),
        ),
    };
    let n = editor.def.fields.len();
    let json = serde_json::to_string_pretty(&editor.def).unwrap_or_default();
    page(
        viewer,
        &title,
        html! {
            h1 { (title) }
            @if let Some((ty, status)) = ctx.existing {
                p { (t(lang, "version_note")) " " strong { (ty.version.get()) } " — "
                    @if status.active { (t(lang, "offered")) } @else { (t(lang, "deactivated")) } "." }
            }
            (summary(lang, editor, ctx.import.map(|(_, p)| p)))
            form method="post" action=(action) novalidate {
                // Enter in a text box presses the form's first button: let it
                // refresh the preview rather than move or remove a field.
                button.visually-hidden type="submit" name="op" value="refresh" tabindex="-1" aria-hidden="true" { (t(lang, "refresh")) }
                (csrf(viewer))
                (general(editor, lang, ctx))
                h2 id="fields" { (t(lang, "sec_fields")) }
                input type="hidden" name="field_count" value=(n);
                @if n == 0 { p { (t(lang, "no_fields")) } }
                @for (i, f) in editor.def.fields.iter().enumerate() { (field_card(editor, lang, i, n, f)) }
                div.card {
                    label for="new_kind" { (t(lang, "new_field_kind")) }
                    select id="new_kind" name="new_kind" {
                        @for k in KINDS { option value=(k) { (t(lang, &format!("kind_{k}"))) } }
                    }
                    div { button.secondary type="submit" name="op" value="add" { "+ " (t(lang, "add_field")) } }
                }
                div.actions {
                    button type="submit" name="op" value="save" { (t(lang, "save")) }
                    button.secondary type="submit" name="op" value="refresh" { (t(lang, "refresh")) }
                }
            }
            (preview(editor, lang))
            (json_box(viewer, &action, &json, ctx))
            @if let Some((ty, _)) = ctx.existing {
                p { (t(lang, "versions")) " "
                    @for v in 1..=ty.version.get() {
                        a href=(format!("/api/v1/admin/document-types/{}/versions/{v}", ty.code)) { "v" (v) } " "
                    }
                }
            }
        },
    )
}
