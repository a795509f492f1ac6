//! The intake's refusals in Romanian, Hungarian and English, in the
//! registrar's page language. Core's errors are codes (their `Display` is
//! English, for logs); here they become words.

use ghiseu_core::dossier::PageCountError;
use ghiseu_core::text::TextError;
use ghiseu_core::{ContactError, Lang};

pub(super) fn unknown_type(lang: Lang) -> String {
    lang.pick([
        "Alegeți unul dintre tipurile de document din listă.",
        "Válasszon egy dokumentumtípust a listából.",
        "Choose one of the document types in the list.",
    ])
    .to_owned()
}

pub(super) fn contact(lang: Lang, e: ContactError) -> String {
    match e {
        ContactError::Email => lang.pick([
            "Adresa de e-mail nu este validă (ex. nume@exemplu.ro).",
            "Az e-mail-cím nem érvényes (pl. nev@pelda.hu).",
            "The e-mail address is not valid (e.g. name@example.com).",
        ]),
        ContactError::Phone => lang.pick([
            "Scrieți un număr de telefon din România, ex. 0722 123 456.",
            "Romániai telefonszámot adjon meg, pl. 0722 123 456.",
            "Enter a Romanian phone number, e.g. 0722 123 456.",
        ]),
        ContactError::Name => lang.pick([
            "Numele are între 1 și 200 de caractere, pe un rând.",
            "A név 1–200 karakter, egy sorban.",
            "The name has 1 to 200 characters, on one line.",
        ]),
        ContactError::CnpShape | ContactError::CnpChecksum | ContactError::CnpContent => {
            lang.pick([
                "CNP-ul nu este valid.",
                "A személyi szám nem érvényes.",
                "The CNP is not valid.",
            ])
        }
    }
    .to_owned()
}

pub(super) fn unknown_lang(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Ro => format!("Limba „{code}” nu este oferită: română, maghiară sau engleză."),
        Lang::Hu => format!("A(z) „{code}” nyelv nem választható: román, magyar vagy angol."),
        Lang::En => {
            format!("The language “{code}” is not offered: Romanian, Hungarian or English.")
        }
    }
}

pub(super) fn page_count(lang: Lang, e: PageCountError) -> String {
    match e {
        PageCountError::NotANumber => lang.pick([
            "Scrieți numărul de pagini ca număr întreg, ex. 3.",
            "Az oldalak számát egész számmal adja meg, pl. 3.",
            "Enter the number of pages as a whole number, e.g. 3.",
        ]),
        PageCountError::OutOfRange => lang.pick([
            "Numărul de pagini este între 1 și 9999.",
            "Az oldalak száma 1 és 9999 között van.",
            "The number of pages is between 1 and 9999.",
        ]),
    }
    .to_owned()
}

pub(super) fn file_name(lang: Lang) -> String {
    lang.pick([
        "Numele fișierului nu este valid.",
        "A fájl neve nem érvényes.",
        "The file name is not valid.",
    ])
    .to_owned()
}

pub(super) fn too_large(lang: Lang, file: &str) -> String {
    match lang {
        Lang::Ro => format!("{file}: fișierul depășește 10 MB."),
        Lang::Hu => format!("{file}: a fájl nagyobb 10 MB-nál."),
        Lang::En => format!("{file}: the file is larger than 10 MB."),
    }
}

pub(super) fn file_kind(lang: Lang, file: &str) -> String {
    match lang {
        Lang::Ro => format!("{file}: doar PDF, JPEG sau PNG sunt acceptate."),
        Lang::Hu => format!("{file}: csak PDF, JPEG vagy PNG fogadható el."),
        Lang::En => format!("{file}: only PDF, JPEG or PNG are accepted."),
    }
}

pub(super) fn not_utf8(lang: Lang) -> String {
    lang.pick([
        "Textul nu este valid (UTF-8).",
        "A szöveg nem érvényes (UTF-8).",
        "The text is not valid (UTF-8).",
    ])
    .to_owned()
}

pub(super) fn no_scan(lang: Lang) -> String {
    lang.pick([
        "Atașați cel puțin o pagină scanată (PDF, JPEG sau PNG).",
        "Csatoljon legalább egy beszkennelt oldalt (PDF, JPEG vagy PNG).",
        "Attach at least one scanned page (PDF, JPEG or PNG).",
    ])
    .to_owned()
}

pub(super) fn note(lang: Lang, e: &TextError) -> String {
    match (lang, e) {
        (Lang::Ro, TextError::TooLong { max, .. }) => {
            format!("Nota are cel mult {max} de caractere.")
        }
        (Lang::Hu, TextError::TooLong { max, .. }) => {
            format!("A megjegyzés legfeljebb {max} karakter.")
        }
        (Lang::En, TextError::TooLong { max, .. }) => {
            format!("The note has at most {max} characters.")
        }
        _ => lang
            .pick([
                "Nota nu poate conține caractere de control.",
                "A megjegyzés nem tartalmazhat vezérlőkaraktert.",
                "The note cannot contain control characters.",
            ])
            .to_owned(),
    }
}
