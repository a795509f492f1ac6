//! The problems of a definition in words an administrator understands: core
//! reports each problem at a path (`fields[2].options`) with a short English
//! sentence meant for the API; here the path becomes the editor's field
//! ([`form_id`]) and its name ([`label`]), and the sentence a Romanian,
//! Hungarian or English one ([`message`]). A JSON import that does not read
//! is explained the same way ([`json_error`]), never with the parser's words.

use ghiseu_core::Lang;

use crate::texts::t;

/// `fields[3].label.ro` → `Some((3, "label.ro"))`.
fn field_part(path: &str) -> Option<(usize, &str)> {
    let rest = path.strip_prefix("fields[")?;
    let (index, rest) = rest.split_once(']')?;
    Some((index.parse().ok()?, rest.trim_start_matches('.')))
}

/// The id of the editor's input that `path` is about.
pub fn form_id(path: &str) -> String {
    if let Some((i, part)) = field_part(path) {
        let part = part.split(['[', '.']).collect::<Vec<_>>();
        let tail = match part.as_slice() {
            ["label", lang, ..] => format!("label_{lang}"),
            ["options", ..] => "options".to_owned(),
            ["types", ..] => "types".to_owned(),
            ["max_bytes", ..] => "max_mb".to_owned(),
            [name, ..] if !name.is_empty() => (*name).to_owned(),
            _ => "name".to_owned(),
        };
        return format!("f{i}_{tail}");
    }
    match path {
        "titles.ro" | "titles.hu" | "titles.en" => path.replace("titles.", "title_"),
        "fee_bani" => "fee_lei".to_owned(),
        "working_days" => "deadline_days".to_owned(),
        "body" | "definition" => "definition".to_owned(),
        other => other.to_owned(),
    }
}

/// What `path` is called on the editor ("Câmpul 2: Eticheta în română").
pub fn label(lang: Lang, path: &str) -> String {
    label_of_input(lang, &form_id(path))
}

/// The name of the editor's input `id`, without its hint in parentheses.
pub fn label_of_input(lang: Lang, id: &str) -> String {
    let short = |key: &str| {
        let what = t(lang, key);
        what.split(" (").next().unwrap_or(what).to_owned()
    };
    let field = id
        .strip_prefix('f')
        .and_then(|rest| rest.split_once('_'))
        .and_then(|(i, key)| Some((i.parse::<usize>().ok()?, key)));
    if let Some((i, key)) = field {
        let key = match key {
            "name" => "field_name",
            "kind" => "field_kind",
            "types" => "file_types",
            other => other,
        };
        return format!("{} {}: {}", t(lang, "field_n"), i + 1, short(key));
    }
    short(match id {
        "code" => "code_label",
        "title_ro" | "title_hu" | "title_en" | "deadline_days" | "first_department"
        | "signature" | "fee_lei" | "retention_years" => id,
        "fields" => "sec_fields",
        _ => "json_label",
    })
}

/// The text between the first pair of backticks of `s`.
fn quoted(s: &str) -> Option<&str> {
    let (_, rest) = s.split_once('`')?;
    rest.split_once('`').map(|(q, _)| q)
}

/// The two numbers of "… between A and B".
fn between(s: &str) -> Option<(i64, i64)> {
    let rest = s.split("between ").nth(1)?;
    let (a, b) = rest.split_once(" and ")?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// The first whole number in `s`.
fn number_in(s: &str) -> Option<i64> {
    s.split(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .and_then(|w| w.parse().ok())
}

/// Core's sentence `msg` about `path`, in `lang`.
pub fn message(lang: Lang, path: &str, msg: &str) -> String {
    let pick = |ro: String, hu: String, en: String| lang.pick([ro, hu, en]);
    if let Some((a, b)) = between(msg) {
        let (a, b, unit) = match path {
            "fee_bani" => (a / 100, b / 100, lang.pick([" lei", " lej", " lei"])),
            "deadline_days" => (a, b, lang.pick([" zile", " nap", " days"])),
            "retention_years" => (a, b, lang.pick([" ani", " év", " years"])),
            p if p.ends_with("max_bytes") => ((a + 1_048_575) / 1_048_576, b / 1_048_576, " MB"),
            _ => (a, b, ""),
        };
        return pick(
            format!("Trebuie să fie între {a} și {b}{unit}."),
            format!("{a} és {b}{unit} között kell lennie."),
            format!("Must be between {a} and {b}{unit}."),
        );
    }
    if msg.ends_with("must not be empty") || msg == "the code is required" {
        return t(lang, "err_required").to_owned();
    }
    if let Some((left, right)) = msg
        .split_once(" to ")
        .filter(|_| msg.contains("characters"))
    {
        let a = left.rsplit(' ').next().and_then(number_in).unwrap_or(1);
        let b = number_in(right).unwrap_or(a);
        return pick(
            format!("Între {a} și {b} caractere."),
            format!("{a}–{b} karakter."),
            format!("Between {a} and {b} characters."),
        );
    }
    if msg.contains("characters")
        && let Some(n) = msg.rsplit("at most ").next().and_then(number_in)
    {
        return pick(
            format!("Cel mult {n} caractere."),
            format!("Legfeljebb {n} karakter."),
            format!("At most {n} characters."),
        );
    }
    let known = [
        ("control character", "err_control"),
        ("none, simple or qualified", "err_signature"),
        ("not an active department", "err_department"),
        ("needs options", "err_no_options"),
        ("needs its accepted types", "err_no_types"),
        ("`min` must not exceed", "err_min_max"),
        ("a field name is", "err_field_name"),
        ("may contain only", "err_code_chars"),
        ("must start with", "err_code_start"),
        ("is reserved", "err_reserved"),
        ("cannot change", "err_code_change"),
        ("is not a field kind", "err_kind"),
        ("is not one of pdf", "err_file_type"),
        ("applies only to", "err_not_applicable"),
        ("already", "err_taken"),
        ("deja folosit", "err_taken"),
    ];
    if let Some((_, key)) = known.iter().find(|(k, _)| msg.contains(k)) {
        return t(lang, key).to_owned();
    }
    if msg.contains("used twice") || msg.contains("listed twice") {
        let what = quoted(msg).unwrap_or_default();
        return pick(
            format!("„{what}” apare de două ori."),
            format!("A(z) „{what}” kétszer szerepel."),
            format!("“{what}” appears twice."),
        );
    }
    if let Some(n) = msg.strip_prefix("at most ").and_then(number_in) {
        return pick(
            format!("Cel mult {n}."),
            format!("Legfeljebb {n}."),
            format!("At most {n}."),
        );
    }
    t(lang, "err_invalid").to_owned()
}

/// A JSON definition that does not read, explained: where, and what kind of
/// mistake, in `lang`.
pub fn json_error(lang: Lang, e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let (line, column) = (e.line(), e.column());
    let at = lang.pick([
        format!(" (rândul {line}, coloana {column})"),
        format!(" ({line}. sor, {column}. oszlop)"),
        format!(" (line {line}, column {column})"),
    ]);
    let text = e.to_string();
    let what = match e.classify() {
        Category::Eof => t(lang, "json_eof").to_owned(),
        Category::Syntax | Category::Io => t(lang, "json_syntax").to_owned(),
        Category::Data
            if text.starts_with("unknown field") || text.starts_with("unknown variant") =>
        {
            let name = quoted(&text).unwrap_or_default();
            format!("{} „{name}”", t(lang, "json_unknown"))
        }
        Category::Data if text.starts_with("missing field") => {
            let name = quoted(&text).unwrap_or_default();
            format!("{} „{name}”", t(lang, "json_missing"))
        }
        Category::Data => t(lang, "json_type").to_owned(),
    };
    format!("{what}{at}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_the_editors_inputs_and_names() {
        let cases = [
            ("titles.ro", "title_ro"),
            ("fee_bani", "fee_lei"),
            ("fields[2].label.hu", "f2_label_hu"),
            ("fields[0].options[3]", "f0_options"),
            ("fields[1].types[0]", "f1_types"),
            ("fields[1].max_bytes", "f1_max_mb"),
            ("fields[4].name", "f4_name"),
            ("deadline_days", "deadline_days"),
        ];
        for (path, id) in cases {
            assert_eq!(form_id(path), id, "{path}");
        }
        assert_eq!(label(Lang::Ro, "titles.ro"), "Titlul în română");
        assert_eq!(
            label(Lang::Ro, "fields[2].label.ro"),
            "Câmpul 3: Eticheta în română"
        );
    }

    #[test]
    fn core_sentences_become_words_in_each_language() {
        let cases = [
            (
                "deadline_days",
                "must be between 1 and 365",
                "Trebuie să fie între 1 și 365 zile.",
            ),
            (
                "fee_bani",
                "must be between 0 and 10000000",
                "Trebuie să fie între 0 și 100000 lei.",
            ),
            (
                "titles.ro",
                "a display name must not be empty",
                "Completați acest câmp.",
            ),
            (
                "fields[0].options",
                "a select field needs options",
                "Scrieți cel puțin o opțiune, câte una pe rând.",
            ),
            (
                "fields[1].name",
                "the field name `nume` is used twice",
                "„nume” apare de două ori.",
            ),
            (
                "code",
                "code must be 2 to 40 characters long",
                "Între 2 și 40 caractere.",
            ),
            (
                "titles.en",
                "a display name must be at most 200 characters long",
                "Cel mult 200 caractere.",
            ),
            ("x", "something new", "Valoarea nu este acceptată."),
        ];
        for (path, msg, ro) in cases {
            assert_eq!(message(Lang::Ro, path, msg), ro, "{msg}");
            for lang in [Lang::Hu, Lang::En] {
                let m = message(lang, path, msg);
                assert!(!m.is_empty() && m != ro, "{msg} in {lang:?}");
            }
        }
    }

    #[test]
    fn json_mistakes_are_explained_without_the_parsers_words() {
        let cases = [
            ("{\"titles\": {\"ro\": \"A\"},}", "nu este JSON valid"),
            ("{\"titles\": ", "se termină"),
            ("{\"titlu\": 1}", "„titlu”"),
        ];
        for (json, want) in cases {
            let e = serde_json::from_str::<crate::dto::DefinitionDto>(json).unwrap_err();
            let m = json_error(Lang::Ro, &e);
            assert!(m.contains(want) && m.contains("rândul 1"), "{m}");
            assert!(!m.contains("trailing") && !m.contains("EOF"), "{m}");
        }
    }
}
