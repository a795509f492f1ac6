//! The document-type editor as a plain form (no JavaScript): the form's
//! inputs read into the same [`DefinitionDto`] the JSON API takes, and the
//! editor's own actions (add a field, move one up or down, remove one) applied
//! to it before the page is shown again. Saving goes through the same
//! `create`/`update` as the API, so versioning is the same.
//!
//! Inputs: `code` (a new type), `title_{ro,hu,en}`, `deadline_days`,
//! `deadline_kind` (`calendar`/`working`), `first_department`, `signature`,
//! `fee_lei`, `retention_years`, `field_count`, and for field `i`:
//! `f{i}_name`, `f{i}_kind`, `f{i}_required`, `f{i}_label_{ro,hu,en}` and the
//! parameters of its kind (`f{i}_max_chars`, `f{i}_min`, `f{i}_max`,
//! `f{i}_options[_hu|_en]` one a line, `f{i}_type_{pdf,jpeg,png}`,
//! `f{i}_max_mb` with the size it showed, so an unchanged size keeps its
//! exact bytes). The button pressed is `op`.

use ghiseu_core::Lang;
use ghiseu_core::document_type::{MAX_FIELDS, TypeStatus};
use ghiseu_platform::http::{Form, form_field as field};

use crate::dto::{DefinitionDto, FieldDto, OptionDto, TitledOptionDto, TitlesDto};
use crate::texts::t;

/// Every field kind, in the order the editor offers them.
pub const KINDS: [&str; 11] = [
    "text",
    "multiline",
    "number",
    "date",
    "select",
    "checkbox",
    "cnp",
    "email",
    "phone",
    "address",
    "attachment",
];

/// The attachment types, as core names them.
pub const FILE_TYPES: [&str; 3] = ["pdf", "jpeg", "png"];

/// What the administrator pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Save the definition.
    Save,
    /// Show the page again (the preview follows the inputs).
    Refresh,
    /// Add a field of the kind chosen in `new_kind`.
    Add,
    /// Move field `i` up.
    Up(usize),
    /// Move field `i` down.
    Down(usize),
    /// Remove field `i`.
    Remove(usize),
    /// Import the JSON of `definition` and save it.
    Import,
}

impl Op {
    /// The button of `form`; a form with only a `definition` is an import
    /// (the editor before it was a form took exactly that).
    pub fn of(form: &Form) -> Op {
        let op = field(form, "op").unwrap_or("");
        let index = |prefix: &str| op.strip_prefix(prefix).and_then(|i| i.parse().ok());
        match op {
            "save" => Op::Save,
            "add" => Op::Add,
            "import" => Op::Import,
            "" if field(form, "definition").is_some() => Op::Import,
            "" => Op::Save,
            _ => index("up-")
                .map(Op::Up)
                .or_else(|| index("down-").map(Op::Down))
                .or_else(|| index("remove-").map(Op::Remove))
                .unwrap_or(Op::Refresh),
        }
    }
}

/// The editor's state: the definition, the numbers as typed where they did
/// not read (shown again as typed), and the problems found reading the form.
#[derive(Debug, Clone)]
pub struct Editor {
    /// The definition (with `code` for a new type).
    pub def: DefinitionDto,
    /// Inputs shown as typed: (input id, text).
    pub raw: Vec<(String, String)>,
    /// Problems: (input id, message).
    pub errors: Vec<(String, String)>,
    /// The saved type's status, when editing one.
    pub status: Option<TypeStatus>,
}

/// A money amount in lei ("25", "25,50", "25.5") in bani.
pub fn lei_to_bani(s: &str) -> Option<i64> {
    let s = s.trim().replace(' ', "");
    let (whole, frac) = s.split_once([',', '.']).unwrap_or((&s, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !(whole.chars().chain(frac.chars())).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac = format!("{frac:0<2}");
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(frac.parse().ok()?)
}

/// Bani shown in lei: `2500` → "25", `2550` → "25,50".
pub fn bani_to_lei(bani: i64) -> String {
    if bani % 100 == 0 {
        format!("{}", bani / 100)
    } else {
        format!("{},{:02}", bani / 100, (bani % 100).abs())
    }
}

/// Bytes shown in MB (1 MB = 1,048,576 bytes), at most two decimals.
pub fn bytes_to_mb(bytes: i64) -> String {
    let hundredths = (bytes * 100 + 524_288) / 1_048_576;
    bani_to_lei(hundredths)
}

/// The text of a language that may be left empty.
fn optional(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

struct Reader<'a> {
    form: &'a Form,
    raw: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    lang: Lang,
}

impl Reader<'_> {
    fn text(&self, name: &str) -> String {
        field(self.form, name).unwrap_or("").trim().to_owned()
    }

    /// A whole number; empty is `None`; anything else is an error at `name`.
    fn number(&mut self, name: &str) -> Option<i64> {
        let s = self.text(name);
        if s.is_empty() {
            return None;
        }
        let n = s.parse::<i64>().ok();
        if n.is_none() {
            self.errors
                .push((name.to_owned(), t(self.lang, "err_number").to_owned()));
            self.raw.push((name.to_owned(), s));
        }
        n
    }

    fn required_number(&mut self, name: &str, default: i64) -> i64 {
        let typed = !self.text(name).is_empty();
        match self.number(name) {
            Some(n) => n,
            None if typed => default,
            None => {
                self.errors
                    .push((name.to_owned(), t(self.lang, "err_required").to_owned()));
                0
            }
        }
    }

    fn titles(&self, prefix: &str) -> TitlesDto {
        TitlesDto {
            ro: self.text(&format!("{prefix}_ro")),
            hu: optional(field(self.form, &format!("{prefix}_hu"))),
            en: optional(field(self.form, &format!("{prefix}_en"))),
        }
    }

    fn lines(&self, name: &str) -> Vec<String> {
        self.text(name)
            .lines()
            .map(|l| l.trim().to_owned())
            .collect()
    }

    fn options(&self, i: usize) -> Vec<OptionDto> {
        let ro = self.lines(&format!("f{i}_options"));
        let hu = self.lines(&format!("f{i}_options_hu"));
        let en = self.lines(&format!("f{i}_options_en"));
        let at = |v: &[String], j: usize| v.get(j).filter(|s| !s.is_empty()).cloned();
        ro.iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(j, v)| match (at(&hu, j), at(&en, j)) {
                (None, None) => OptionDto::Plain(v.clone()),
                (hu, en) => OptionDto::Titled(TitledOptionDto {
                    value: v.clone(),
                    label: TitlesDto {
                        ro: v.clone(),
                        hu,
                        en,
                    },
                }),
            })
            .collect()
    }

    fn max_bytes(&mut self, i: usize) -> Option<i64> {
        let name = format!("f{i}_max_mb");
        let typed = self.text(&name);
        if typed.is_empty() {
            return None;
        }
        if typed == self.text(&format!("f{i}_max_mb_shown"))
            && let Ok(b) = self.text(&format!("f{i}_max_bytes")).parse()
        {
            return Some(b);
        }
        // Hundredths of a MB, read like lei and bani.
        let bytes = lei_to_bani(&typed)
            .and_then(|h| h.checked_mul(1_048_576))
            .map(|b| b / 100);
        if bytes.is_none() {
            self.errors
                .push((name.clone(), t(self.lang, "err_mb").to_owned()));
            self.raw.push((name, typed));
        }
        bytes
    }

    fn field(&mut self, i: usize) -> FieldDto {
        let kind = self.text(&format!("f{i}_kind"));
        let mut f = FieldDto {
            name: self.text(&format!("f{i}_name")),
            label: self.titles(&format!("f{i}_label")),
            required: field(self.form, &format!("f{i}_required")).is_some(),
            kind: kind.clone(),
            ..FieldDto::default()
        };
        match kind.as_str() {
            "text" | "multiline" => f.max_chars = self.number(&format!("f{i}_max_chars")),
            "number" => {
                f.min = self.number(&format!("f{i}_min"));
                f.max = self.number(&format!("f{i}_max"));
            }
            "select" => f.options = self.options(i),
            "attachment" => {
                f.types = FILE_TYPES
                    .iter()
                    .filter(|ty| field(self.form, &format!("f{i}_type_{ty}")).is_some())
                    .map(|ty| (*ty).to_owned())
                    .collect();
                f.max_bytes = self.max_bytes(i);
            }
            _ => {}
        }
        f
    }
}

impl Editor {
    /// The editor showing `def`.
    pub fn of(def: DefinitionDto, status: Option<TypeStatus>) -> Self {
        Self {
            def,
            raw: Vec::new(),
            errors: Vec::new(),
            status,
        }
    }

    /// The editor's inputs read from `form` (`new`: the form has a code).
    pub fn read(form: &Form, new: bool, lang: Lang) -> Self {
        let mut r = Reader {
            form,
            raw: Vec::new(),
            errors: Vec::new(),
            lang,
        };
        let fee_text = r.text("fee_lei");
        let fee_bani = if fee_text.is_empty() {
            0
        } else {
            lei_to_bani(&fee_text).unwrap_or_else(|| {
                r.errors
                    .push(("fee_lei".to_owned(), t(lang, "err_lei").to_owned()));
                r.raw.push(("fee_lei".to_owned(), fee_text.clone()));
                0
            })
        };
        let count = r
            .text("field_count")
            .parse::<usize>()
            .unwrap_or(0)
            .min(MAX_FIELDS + 1);
        let def = DefinitionDto {
            code: new.then(|| r.text("code")),
            titles: r.titles("title"),
            deadline_days: r.required_number("deadline_days", 0),
            working_days: r.text("deadline_kind") == "working",
            first_department: r.text("first_department"),
            signature: r.text("signature"),
            fee_bani,
            retention_years: r.required_number("retention_years", 0),
            fields: (0..count).map(|i| r.field(i)).collect(),
        };
        Self {
            def,
            raw: r.raw,
            errors: r.errors,
            status: None,
        }
    }

    /// Applies a field action; positions outside the list change nothing.
    /// After a move, what was typed wrong is shown at its new place as the
    /// number it read as, so the problems found are forgotten too.
    pub fn apply(&mut self, op: Op, new_kind: &str) {
        let fields = &mut self.def.fields;
        let n = fields.len();
        match op {
            Op::Add if n < MAX_FIELDS => {
                let kind = KINDS
                    .iter()
                    .find(|k| **k == new_kind)
                    .copied()
                    .unwrap_or("text");
                let name = (n + 1..)
                    .map(|k| format!("camp_{k}"))
                    .find(|c| fields.iter().all(|f| f.name != *c))
                    .unwrap_or_default();
                fields.push(FieldDto {
                    name,
                    kind: kind.to_owned(),
                    types: if kind == "attachment" {
                        FILE_TYPES.iter().map(|s| (*s).to_owned()).collect()
                    } else {
                        Vec::new()
                    },
                    ..FieldDto::default()
                });
            }
            Op::Up(i) if i > 0 && i < n => fields.swap(i - 1, i),
            Op::Down(i) if i + 1 < n => fields.swap(i, i + 1),
            Op::Remove(i) if i < n => {
                fields.remove(i);
            }
            _ => return,
        }
        self.raw.clear();
        self.errors.clear();
    }

    /// The value an input shows: as typed when it did not read, else `value`.
    pub fn shown(&self, id: &str, value: impl FnOnce() -> String) -> String {
        self.raw
            .iter()
            .find(|(k, _)| k == id)
            .map_or_else(value, |(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn money_and_sizes_read_as_people_write_them() {
        let cases = [
            ("25", Some(2500)),
            ("25,50", Some(2550)),
            ("0.5", Some(50)),
            ("2,555", None),
            ("-3", None),
            ("abc", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(lei_to_bani(s), want, "{s}");
        }
        assert_eq!(bani_to_lei(2550), "25,50");
        assert_eq!(bani_to_lei(2500), "25");
        assert_eq!(bytes_to_mb(10 * 1_048_576), "10");
        assert_eq!(bytes_to_mb(2_621_440), "2,50");
    }

    #[test]
    fn the_form_reads_into_the_apis_definition_and_actions_reorder_it() {
        let f = form(&[
            ("code", "aviz"),
            ("title_ro", "Aviz"),
            ("title_hu", " "),
            ("deadline_days", "15"),
            ("deadline_kind", "working"),
            ("first_department", "registratura"),
            ("signature", "simple"),
            ("fee_lei", "12,5"),
            ("retention_years", "5"),
            ("field_count", "3"),
            ("f0_name", "a"),
            ("f0_kind", "text"),
            ("f0_label_ro", "A"),
            ("f0_max_chars", "50"),
            ("f0_min", "3"),
            ("f1_name", "b"),
            ("f1_kind", "select"),
            ("f1_label_ro", "B"),
            ("f1_options", "da\n\nnu"),
            ("f1_options_en", "yes"),
            ("f2_name", "c"),
            ("f2_kind", "attachment"),
            ("f2_label_ro", "C"),
            ("f2_type_pdf", "on"),
            ("f2_max_mb", "5"),
            ("f2_max_mb_shown", "5"),
            ("f2_max_bytes", "5000000"),
        ]);
        let mut e = Editor::read(&f, true, Lang::Ro);
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        let d = &e.def;
        assert_eq!(
            (d.code.as_deref(), d.titles.hu.as_deref()),
            (Some("aviz"), None)
        );
        assert_eq!(
            (d.deadline_days, d.working_days, d.fee_bani),
            (15, true, 1250)
        );
        // Only the parameters of a field's kind are read.
        assert_eq!((d.fields[0].max_chars, d.fields[0].min), (Some(50), None));
        assert_eq!(d.fields[1].options.len(), 2);
        assert!(
            matches!(&d.fields[1].options[0], OptionDto::Titled(o) if o.label.en.as_deref() == Some("yes"))
        );
        assert_eq!(
            (d.fields[2].types.clone(), d.fields[2].max_bytes),
            (vec!["pdf".to_owned()], Some(5_000_000))
        );
        e.apply(Op::Up(2), "");
        e.apply(Op::Remove(0), "");
        e.apply(Op::Add, "date");
        e.apply(Op::Down(7), "");
        let names: Vec<&str> = e.def.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["c", "b", "camp_3"]);
        assert_eq!(e.def.fields[2].kind, "date");
    }

    #[test]
    fn what_does_not_read_is_an_error_shown_as_typed() {
        let f = form(&[
            ("deadline_days", "treizeci"),
            ("fee_lei", "25 lei"),
            ("field_count", "0"),
        ]);
        let e = Editor::read(&f, false, Lang::Ro);
        let ids: Vec<&str> = e.errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(ids, ["fee_lei", "deadline_days", "retention_years"]);
        assert_eq!(e.shown("fee_lei", String::new), "25 lei");
        assert_eq!(Op::of(&form(&[("op", "down-2")])), Op::Down(2));
        assert_eq!(Op::of(&form(&[("definition", "{}")])), Op::Import);
        assert_eq!(Op::of(&form(&[("op", "zzz")])), Op::Refresh);
    }
}
