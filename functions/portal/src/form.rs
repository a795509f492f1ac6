//! The web form of a document type (`/portal/new/...`), built as GOV.UK
//! builds one: every field labelled in the reader's language, its error
//! repeated beside it and tied to it (`aria-describedby`), a summary on top
//! naming each field and linking to its id, the page title starting with
//! "Eroare: " while there are errors, a checkbox before its label on one line,
//! and the files already uploaded shown as attached (name, size, how to
//! replace them) with the hidden reference that sends them again
//! ([`kept_name`]). A type with a fee says so above the form ("Taxă: 25
//! lei", paid by card after sending, before registration).

use ghiseu_app::citizen::uploads::Kept;
use ghiseu_core::document_type::{FieldDef, FieldKind, SignatureRequirement, media_code};
use ghiseu_core::{DocumentType, Lang, Tenant};
use ghiseu_platform::http::Response;
use http::StatusCode;
use maud::{Markup, html};

use crate::ctx::Ctx;
use crate::pages::{Errors, errors_named, title};
use crate::pending::fee_line;
use crate::texts::t;
use crate::wording::size;

/// The id and form name of field `f`: `f_{name}`.
pub(crate) fn field_id(f: &FieldDef) -> String {
    format!("f_{}", f.name.as_str())
}

/// The form name of the hidden reference to the file kept for field `id`.
pub(crate) fn kept_name(id: &str) -> String {
    format!("kept_{id}")
}

/// What the form shows besides its type: the problems, the values as typed,
/// the files kept for their fields (by field id), and the idempotency key.
pub(crate) struct Filled<'a> {
    pub(crate) errors: &'a Errors,
    pub(crate) values: &'a [(String, String)],
    pub(crate) kept: &'a [(String, Kept)],
    pub(crate) key: &'a str,
}

/// The form page of `ty` at `tenant`.
pub(crate) fn page(
    ctx: &Ctx,
    status: StatusCode,
    (tenant, ty): (&Tenant, &DocumentType),
    filled: &Filled<'_>,
) -> Response {
    let lang = ctx.lang;
    let heading = ty.titles.get(lang).as_str().to_owned();
    let label_of = |id: &str| {
        ty.fields
            .iter()
            .find(|f| field_id(f) == id)
            .map(|f| f.label.get(lang).as_str().to_owned())
    };
    ctx.branded_page(tenant, status, &title(lang, &heading, filled.errors), |csrf| {
        html! {
            h1 { (heading) }
            @if ty.fee_bani > 0 {
                p.notice { strong { (fee_line(lang, ty.fee_bani)) } br; (t(lang, "fee_form")) }
            }
            @if ty.signature == SignatureRequirement::Qualified { p.notice { (t(lang, "needs_qualified")) } }
            (errors_named(lang, filled.errors, label_of))
            form method="post" enctype="multipart/form-data" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="idempotency_key" value=(filled.key);
                @for f in &ty.fields { (field(lang, f, filled)) }
                button type="submit" { (t(lang, "submit")) }
            }
        }
    })
}

/// The ids a field's `aria-describedby` names: its hint and its error.
fn described_by(hint: Option<String>, error: Option<String>) -> Option<String> {
    let ids: Vec<String> = hint.into_iter().chain(error).collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// One field: its label, its error (`{id}-error`) and its control.
fn field(lang: Lang, f: &FieldDef, filled: &Filled<'_>) -> Markup {
    let id = field_id(f);
    let value = filled
        .values
        .iter()
        .find(|(k, _)| *k == id)
        .map_or("", |(_, v)| v.as_str());
    let error = filled
        .errors
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, m)| m.as_str());
    let label = f.label.get(lang).as_str();
    let error_line = html! { @if let Some(m) = error { p.error id={ (id) "-error" } { (m) } } };
    if f.kind == FieldKind::Checkbox {
        let described = described_by(None, error.map(|_| format!("{id}-error")));
        return html! {
            (error_line)
            div.checkbox {
                input id=(id) name=(id) type="checkbox" value="on"
                    checked[value == "on" || value == "true"]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
                label for=(id) { (label) @if f.required { " *" } }
            }
        };
    }
    let kept = filled
        .kept
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, kept)| kept);
    html! {
        label for=(id) { (label) @if f.required { " *" } }
        (error_line)
        (control(lang, f, &id, value, error.is_some(), kept))
    }
}

/// The input of a field of any kind but a checkbox.
fn control(
    lang: Lang,
    f: &FieldDef,
    id: &str,
    v: &str,
    invalid: bool,
    kept: Option<&Kept>,
) -> Markup {
    let error_id = invalid.then(|| format!("{id}-error"));
    let invalid = invalid.then_some("true");
    let described = described_by(None, error_id.clone());
    match &f.kind {
        FieldKind::Multiline { max_chars } => {
            html! { textarea id=(id) name=(id) rows="5" maxlength=(max_chars) aria-invalid=[invalid] aria-describedby=[described] { (v) } }
        }
        FieldKind::Address => {
            html! { textarea id=(id) name=(id) rows="2" autocomplete="street-address" aria-invalid=[invalid] aria-describedby=[described] { (v) } }
        }
        FieldKind::Text { max_chars } => {
            html! { input id=(id) name=(id) maxlength=(max_chars) value=(v) aria-invalid=[invalid] aria-describedby=[described]; }
        }
        FieldKind::Number { min, max } => {
            html! { input id=(id) name=(id) type="number" min=(min) max=(max) inputmode="numeric" value=(v) aria-invalid=[invalid] aria-describedby=[described]; }
        }
        FieldKind::Date => {
            html! { input id=(id) name=(id) type="date" value=(v) aria-invalid=[invalid] aria-describedby=[described]; }
        }
        FieldKind::Select { options } => html! {
            select id=(id) name=(id) aria-invalid=[invalid] aria-describedby=[described] {
                option value="" { "—" }
                @for o in options { option value=(o.value.as_str()) selected[o.value.as_str() == v] { (o.label.get(lang).as_str()) } }
            }
        },
        FieldKind::Cnp => {
            html! { input id=(id) name=(id) inputmode="numeric" maxlength="13" autocomplete="off" value=(v) aria-invalid=[invalid] aria-describedby=[described]; }
        }
        FieldKind::Email => {
            html! { input id=(id) name=(id) type="email" autocomplete="email" value=(v) aria-invalid=[invalid] aria-describedby=[described]; }
        }
        FieldKind::Phone => {
            html! { input id=(id) name=(id) type="tel" autocomplete="tel" value=(v) aria-invalid=[invalid] aria-describedby=[described]; }
        }
        FieldKind::Attachment { types, max_bytes } => {
            let hint = format!("{id}-hint");
            let kept_id = kept.map(|_| format!("{id}-kept"));
            let described = described_by(Some(hint.clone()), error_id);
            let described = match (&kept_id, described) {
                (Some(k), Some(d)) => Some(format!("{k} {d}")),
                (k, d) => k.clone().or(d),
            };
            html! {
                @if let Some(k) = kept {
                    p.attached id=[kept_id] {
                        (t(lang, "attached")) " " strong { (k.name.as_str()) } " (" (size(k.size)) ") "
                        span.hint { (t(lang, "replace_file")) }
                    }
                    input type="hidden" name=(kept_name(id)) value=(k.reference());
                }
                p.hint id=(hint) {
                    (types.iter().map(|m| media_code(*m).to_uppercase()).collect::<Vec<_>>().join(", "))
                    ", max. " (size(u64::from(*max_bytes)))
                }
                input id=(id) name=(id) type="file" aria-invalid=[invalid] aria-describedby=[described]
                    data-max-bytes=(max_bytes)
                    accept=(types.iter().map(|m| m.mime()).collect::<Vec<_>>().join(","));
            }
        }
        FieldKind::Checkbox => html! {},
    }
}
