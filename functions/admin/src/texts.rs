//! Every word the administration's pages show, in Romanian, Hungarian and
//! English ([`t`]); the roles in words ([`role_name`]); and the confirmation
//! shown after a save ([`Flash`]): a known key in the redirect's query,
//! never text from the request, so a link cannot make the page say anything.

use ghiseu_core::{Lang, Role};
use ghiseu_platform::http::query_param;

mod common;
mod people;
mod types;

/// Every table of texts, by the pages they serve.
const TABLES: [&[(&str, [&str; 3])]; 3] = [common::TEXTS, types::TEXTS, people::TEXTS];

/// Every text by key: Romanian, Hungarian, English.
fn all() -> impl Iterator<Item = &'static (&'static str, [&'static str; 3])> {
    TABLES.into_iter().flatten()
}

/// The text `key` in `lang` (the key itself if it is missing, which a test
/// of this module rules out for every key the pages use).
pub fn t(lang: Lang, key: &str) -> &'static str {
    all()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, texts)| lang.pick(*texts))
}

/// A role in words.
pub fn role_name(lang: Lang, role: Role) -> &'static str {
    role.name(lang)
}

/// The confirmation shown after a save: the redirect's `?saved=` names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    TypeCreated,
    TypeSaved,
    TypeDeactivated,
    Department,
    Official,
    Quotas,
    Branding,
    SecondFactor,
}

impl Flash {
    const ALL: [Flash; 8] = [
        Flash::TypeCreated,
        Flash::TypeSaved,
        Flash::TypeDeactivated,
        Flash::Department,
        Flash::Official,
        Flash::Quotas,
        Flash::Branding,
        Flash::SecondFactor,
    ];

    /// Its value in `?saved=`.
    pub fn key(self) -> &'static str {
        match self {
            Flash::TypeCreated => "type_created",
            Flash::TypeSaved => "type_saved",
            Flash::TypeDeactivated => "type_deactivated",
            Flash::Department => "department",
            Flash::Official => "official",
            Flash::Quotas => "quotas",
            Flash::Branding => "branding",
            Flash::SecondFactor => "second_factor",
        }
    }

    /// The confirmation a query names, if it names a known one.
    pub fn from_query(query: &str) -> Option<Flash> {
        let given = query_param(query, "saved")?;
        Flash::ALL.into_iter().find(|f| f.key() == given)
    }

    /// `path` with this confirmation in its query.
    pub fn after(self, path: &str) -> String {
        format!("{path}?saved={}", self.key())
    }

    /// The sentence, in `lang`.
    pub fn message(self, lang: Lang) -> &'static str {
        t(lang, &format!("saved_{}", self.key()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_three_languages_and_every_key_is_unique() {
        let texts: Vec<_> = all().collect();
        for (i, (key, words)) in texts.iter().enumerate() {
            assert!(words.iter().all(|s| !s.is_empty()), "{key}");
            assert!(texts[..i].iter().all(|(k, _)| k != key), "{key} twice");
        }
    }

    #[test]
    fn roles_and_confirmations_are_words_in_each_language() {
        for lang in Lang::ALL {
            for role in Role::ALL {
                let name = role_name(lang, role);
                assert!(!name.is_empty() && !name.contains('_'), "{role:?}");
            }
            for f in Flash::ALL {
                assert!(!f.message(lang).is_empty(), "{f:?}");
                assert_eq!(Flash::from_query(&format!("saved={}", f.key())), Some(f));
            }
        }
        assert_eq!(
            role_name(Lang::Ro, Role::HeadOfDepartment),
            "Șef de serviciu"
        );
        assert_eq!(Flash::from_query("saved=%3Cscript%3E"), None);
        assert_eq!(Flash::from_query("saved=Orice+text"), None);
    }

    /// The keys the pages name literally (`t(lang, "key")`), and those they
    /// build (`quota_{limit}`), are all in the tables: a misspelt key would
    /// show an empty label.
    #[test]
    fn every_key_the_pages_name_has_its_texts() {
        let sources = [
            include_str!("pages.rs"),
            include_str!("second_factor.rs"),
            include_str!("quotas.rs"),
            include_str!("branding.rs"),
            include_str!("officials.rs"),
            include_str!("editor_page.rs"),
            include_str!("forms.rs"),
        ];
        let mut seen = 0;
        for source in sources {
            for call in ["t(lang, \"", "t(admin.lang, \""] {
                for (_, rest) in source
                    .match_indices(call)
                    .map(|(i, _)| source.split_at(i + call.len()))
                {
                    let key = &rest[..rest.find('"').unwrap()];
                    assert!(all().any(|(k, _)| *k == key), "no texts for {key:?}");
                    seen += 1;
                }
            }
        }
        assert!(seen > 80, "only {seen} keys found: is the pattern stale?");
        for limit in ghiseu_core::quota::Limit::ALL {
            for lang in Lang::ALL {
                assert!(!t(lang, &format!("quota_{}", limit.code())).is_empty());
            }
        }
    }
}
