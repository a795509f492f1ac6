//! The registry's intake in two steps: the choice of the document type
//! ([`intake_choice`]), then that type's form ([`intake`]), its fields
//! generated from the type. Plain forms; `static/desk-intake.js` only swaps
//! the type's fields when the type changes in the form.

use ghiseu_core::{DocumentType, Lang};
use ghiseu_platform::chrome;
use ghiseu_platform::html::inline_error;
use maud::{Markup, html};

use super::{Viewer, layout_in};

fn value<'a>(values: &'a [(String, String)], name: &str) -> &'a str {
    values
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn summary(lang: Lang, errors: &[(String, String)]) -> Markup {
    ghiseu_platform::html::error_summary(
        lang.pick([
            "Corectați următoarele:",
            "Javítsa a következőket:",
            "Please correct the following:",
        ]),
        errors,
    )
}

fn heading(lang: Lang) -> &'static str {
    lang.pick([
        "Înregistrare document depus la registratură",
        "Papíron benyújtott irat iktatása",
        "Registering a paper request",
    ])
}

fn type_label(lang: Lang) -> &'static str {
    lang.pick(["Tipul documentului", "Dokumentumtípus", "Document type"])
}

/// Step 1: the document types as a list of choices; the form goes (GET) to
/// step 2 with the chosen type.
pub fn intake_choice(
    signed: Viewer<'_>,
    lang: Lang,
    types: &[DocumentType],
    errors: &[(String, String)],
) -> String {
    let [step, choose, next] = lang.pick([
        [
            "Pasul 1 din 2: tipul documentului",
            "Alegeți tipul documentului depus. Formularul lui urmează la pasul 2.",
            "Continuă",
        ],
        [
            "1. lépés (2-ből): a dokumentum típusa",
            "Válassza ki a benyújtott irat típusát. Az űrlapja a 2. lépésben következik.",
            "Tovább",
        ],
        [
            "Step 1 of 2: document type",
            "Choose the type of the document handed in. Its form follows in step 2.",
            "Continue",
        ],
    ]);
    layout_in(
        lang,
        lang.pick(["Înregistrare", "Iktatás", "Intake"]),
        Some(signed),
        html! {
            h1 { (heading(lang)) }
            (chrome::language_links(lang, "/desk/intake"))
            (summary(lang, errors))
            form.intake-choice method="get" action="/desk/intake" {
                input type="hidden" name="lang" value=(lang.code());
                fieldset {
                    legend { (step) }
                    p.hint { (choose) }
                    (inline_error(errors, "document_type"))
                    @for (i, t) in types.iter().enumerate() {
                        div.checkbox {
                            input type="radio" id=(format!("type-{i}")) name="document_type"
                                value=(t.code.as_str()) required checked[i == 0];
                            label for=(format!("type-{i}")) { (t.titles.get(lang).as_str()) }
                        }
                    }
                }
                div { button type="submit" { (next) } }
            }
        },
    )
}

/// Step 2: the chosen type's form, the petitioner, the page count and the
/// scanned pages. `values` holds `document_type` (one of `types`) and what
/// was sent before.
pub fn intake(
    signed: Viewer<'_>,
    lang: Lang,
    types: &[DocumentType],
    errors: &[(String, String)],
    values: &[(String, String)],
) -> String {
    let chosen = value(values, "document_type");
    let chosen_type = types.iter().find(|t| t.code.as_str() == chosen);
    let t = Texts::of(lang);
    layout_in(
        lang,
        lang.pick(["Înregistrare", "Iktatás", "Intake"]),
        Some(signed),
        html! {
            h1 { (heading(lang)) }
            (summary(lang, errors))
            form #intake-form method="post" action="/desk/intake" enctype="multipart/form-data"
                data-fields=(format!("/desk/intake?lang={}&document_type=", lang.code())) {
                input type="hidden" name="csrf" value=(signed.csrf);
                p.hint { (t.step) " " a.noprint href=(format!("/desk/intake?lang={}", lang.code())) { (t.change) } }
                label for="document_type" { (type_label(lang)) }
                (inline_error(errors, "document_type"))
                select id="document_type" name="document_type" required {
                    @for ty in types {
                        option value=(ty.code.as_str()) selected[ty.code.as_str() == chosen] { (ty.titles.get(lang).as_str()) }
                    }
                }
                div #type-fields aria-live="polite" {
                    @if let Some(ty) = chosen_type.filter(|ty| !ty.fields.is_empty()) {
                        fieldset {
                            legend { (t.form_data) " — " (ty.titles.get(lang).as_str()) }
                            p.hint { (t.optional) }
                            @for f in &ty.fields { (form_field(lang, f, errors, values)) }
                        }
                    }
                }
                fieldset {
                    legend { (t.petitioner) }
                    p.hint { (t.private) }
                    label for="name" { (t.name) }
                    (inline_error(errors, "name"))
                    input id="name" name="name" autocomplete="off" value=(value(values, "name"));
                    label for="email" { (t.email) }
                    (inline_error(errors, "email"))
                    input id="email" name="email" type="email" autocomplete="off" value=(value(values, "email"));
                    label for="phone" { (t.phone) }
                    (inline_error(errors, "phone"))
                    input id="phone" name="phone" type="tel" autocomplete="off" value=(value(values, "phone"));
                    label for="lang" { (t.lang) }
                    (inline_error(errors, "lang"))
                    select id="lang" name="lang" {
                        @for l in Lang::ALL {
                            option value=(l.code()) lang=(l.code()) selected[value(values, "lang") == l.code()] { (chrome::language_name(l)) }
                        }
                    }
                }
                label for="pages" { (t.pages) }
                (inline_error(errors, "pages"))
                input id="pages" name="pages" type="number" inputmode="numeric" min="1" max="9999" step="1" value=(value(values, "pages"));
                label for="scan" { (t.scans) }
                (inline_error(errors, "scan"))
                input id="scan" name="scan" type="file" multiple accept="application/pdf,image/jpeg,image/png" required;
                label for="note" { (t.note) }
                (inline_error(errors, "note"))
                textarea id="note" name="note" rows="3" { (value(values, "note")) }
                div { button type="submit" { (t.register) } }
            }
            script src=(ghiseu_platform::assets::DESK_INTAKE_JS) defer {}
        },
    )
}

/// The fixed words of step 2.
struct Texts {
    step: &'static str,
    change: &'static str,
    form_data: &'static str,
    optional: &'static str,
    petitioner: &'static str,
    private: &'static str,
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    lang: &'static str,
    pages: &'static str,
    scans: &'static str,
    note: &'static str,
    register: &'static str,
}

impl Texts {
    fn of(lang: Lang) -> Self {
        let [step, change, form_data, optional, petitioner, private, name, email, phone, lang_label, pages, scans, note, register] =
            lang.pick([
                [
                    "Pasul 2 din 2: datele documentului. Obligatorii sunt doar tipul și paginile scanate.",
                    "Alt tip de document",
                    "Date din cerere",
                    "Copiați ce se poate citi pe hârtie: la registratură fiecare câmp este opțional, dar ce scrieți este verificat. Nu apar public.",
                    "Petent",
                    "Toate opționale, dar verificate: numele apare pe recipisă, e-mailul și telefonul primesc notificările. Nu apar public.",
                    "Nume și prenume",
                    "E-mail",
                    "Telefon",
                    "Limba notificărilor și a recipisei",
                    "Număr de pagini ale documentului (apare pe recipisă)",
                    "Pagini scanate (PDF, JPEG sau PNG, max. 10 MB fiecare)",
                    "Notă internă (opțional)",
                    "Înregistrează",
                ],
                [
                    "2. lépés (2-ből): az irat adatai. Csak a típus és a beszkennelt oldalak kötelezők.",
                    "Másik dokumentumtípus",
                    "A kérelem adatai",
                    "Másolja át, ami a papíron olvasható: az iktatóban minden mező nem kötelező, de amit beír, az ellenőrzésre kerül. Nem nyilvánosak.",
                    "Kérelmező",
                    "Egyik sem kötelező, de ellenőrizzük: a név az elismervényen szerepel, az e-mail és a telefon kapja az értesítéseket. Nem nyilvánosak.",
                    "Családnév és utónév",
                    "E-mail",
                    "Telefon",
                    "Az értesítések és az elismervény nyelve",
                    "Az irat oldalainak száma (az elismervényen szerepel)",
                    "Beszkennelt oldalak (PDF, JPEG vagy PNG, egyenként legfeljebb 10 MB)",
                    "Belső megjegyzés (nem kötelező)",
                    "Iktatás",
                ],
                [
                    "Step 2 of 2: the document's details. Only the type and the scanned pages are required.",
                    "Another document type",
                    "Details from the request",
                    "Copy what is legible on paper: at the registry every field is optional, but what you enter is checked. Not public.",
                    "Petitioner",
                    "All optional, but checked: the name is printed on the receipt, the e-mail and phone get the notifications. Not public.",
                    "Full name",
                    "E-mail",
                    "Phone",
                    "Language of notifications and receipt",
                    "Number of pages of the document (printed on the receipt)",
                    "Scanned pages (PDF, JPEG or PNG, at most 10 MB each)",
                    "Internal note (optional)",
                    "Register",
                ],
            ]);
        Self {
            step,
            change,
            form_data,
            optional,
            petitioner,
            private,
            name,
            email,
            phone,
            lang: lang_label,
            pages,
            scans,
            note,
            register,
        }
    }
}

/// One input of a document type's form, named `f_{field}`. Never `required`
/// here: at the registry the form's fields are optional (see the legend).
fn form_field(
    lang: Lang,
    f: &ghiseu_core::document_type::FieldDef,
    errors: &[(String, String)],
    values: &[(String, String)],
) -> Markup {
    use ghiseu_core::document_type::FieldKind as K;
    let id = format!("f_{}", f.name.as_str());
    let v = value(values, &id);
    html! {
        label for=(id) { (f.label.get(lang).as_str()) }
        (inline_error(errors, &id))
        @match &f.kind {
            K::Multiline { max_chars } => textarea id=(id) name=(id) rows="3" maxlength=(max_chars) { (v) },
            K::Text { max_chars } => input id=(id) name=(id) maxlength=(max_chars) value=(v);,
            K::Number { min, max } => input id=(id) name=(id) type="number" min=(min) max=(max) value=(v);,
            K::Date => input id=(id) name=(id) type="date" value=(v);,
            K::Select { options } => select id=(id) name=(id) {
                option value="" { "—" }
                @for o in options { option value=(o.value.as_str()) selected[o.value.as_str() == v] { (o.label.get(lang).as_str()) } }
            },
            K::Checkbox => input id=(id) name=(id) type="checkbox" checked[v == "on" || v == "true"];,
            K::Cnp => input id=(id) name=(id) inputmode="numeric" maxlength="13" autocomplete="off" value=(v);,
            K::Email => input id=(id) name=(id) type="email" value=(v);,
            K::Phone => input id=(id) name=(id) type="tel" value=(v);,
            K::Address => textarea id=(id) name=(id) rows="2" autocomplete="off" { (v) },
            K::Attachment { .. } => p.hint { (lang.pick([
                "Se atașează ca pagină scanată, mai jos.",
                "Beszkennelt oldalként csatolandó, lent.",
                "Attached as a scanned page, below.",
            ])) },
        }
    }
}
