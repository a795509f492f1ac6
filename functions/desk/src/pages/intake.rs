//! The registry's intake form, its fields generated from the document type.

use ghiseu_core::DocumentType;
use ghiseu_platform::html::inline_error;
use maud::{Markup, html};

use super::{Viewer, error_summary, layout};

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
                    label for="lang" { "Limba notificărilor" }
                    (inline_error(errors, "lang"))
                    select id="lang" name="lang" {
                        @for (code, name) in [("ro", "Română"), ("hu", "Magyar"), ("en", "English")] {
                            option value=(code) lang=(code) selected[value(values, "lang") == code] { (name) }
                        }
                    }
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
                @for o in options { option value=(o.value.as_str()) selected[o.value.as_str() == v] { (o.label.ro.as_str()) } }
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
