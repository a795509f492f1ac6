//! Every validation message a citizen can see, in Romanian, Hungarian and
//! English. Core carries its refusals as enums (codes); this is where they
//! become words. Each match names every variant, so a new one cannot reach a
//! page unworded, and no message comes from an error's `Display` (core's are
//! English, for logs and the API).

use ghiseu_core::citizen::CodeError;
use ghiseu_core::document_type::FieldError;
use ghiseu_core::official::PasswordError;
use ghiseu_core::text::TextError;
use ghiseu_core::{ContactError, Lang};

use crate::texts::pick;

/// A size for people: `10 MB`, `977 KB`.
pub(crate) fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        let tenths = bytes * 10 / (1024 * 1024);
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{},{} MB", tenths / 10, tenths % 10)
        }
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A field's value or file refused.
pub(crate) fn field_error(lang: Lang, e: &FieldError) -> String {
    match e {
        FieldError::Name => pick(
            lang,
            "Câmpul nu poate fi citit. Reîncărcați pagina.",
            "A mező nem olvasható. Töltse újra az oldalt.",
            "The field cannot be read. Reload the page.",
        ),
        FieldError::Required => pick(
            lang,
            "Completați acest câmp.",
            "Töltse ki ezt a mezőt.",
            "Fill in this field.",
        ),
        FieldError::TooLong { max } => match lang {
            Lang::Ro => format!("Cel mult {max} caractere."),
            Lang::Hu => format!("Legfeljebb {max} karakter."),
            Lang::En => format!("At most {max} characters."),
        },
        FieldError::Control => pick(
            lang,
            "Textul conține un caracter care nu se poate scrie.",
            "A szöveg nem írható karaktert tartalmaz.",
            "The text holds a character that cannot be written.",
        ),
        FieldError::Number { min, max } => match lang {
            Lang::Ro => format!("Un număr întreg între {min} și {max}."),
            Lang::Hu => format!("Egész szám {min} és {max} között."),
            Lang::En => format!("A whole number from {min} to {max}."),
        },
        FieldError::Date => pick(
            lang,
            "O dată de forma AAAA-LL-ZZ.",
            "Dátum ÉÉÉÉ-HH-NN formában.",
            "Enter a date as YYYY-MM-DD.",
        ),
        FieldError::Option => pick(
            lang,
            "Alegeți una dintre opțiuni.",
            "Válasszon a lehetőségek közül.",
            "Choose one of the options.",
        ),
        FieldError::Checkbox => pick(
            lang,
            "Bifați căsuța sau lăsați-o goală.",
            "Jelölje be a négyzetet, vagy hagyja üresen.",
            "Tick the box or leave it empty.",
        ),
        FieldError::Contact(c) => contact_error(lang, *c),
        FieldError::Address => pick(
            lang,
            "Scrieți adresa: strada, numărul, localitatea.",
            "Írja be a címet: utca, házszám, település.",
            "Write the address: street, number, locality.",
        ),
        FieldError::File => pick(
            lang,
            "Aici se atașează un fișier.",
            "Ide fájlt kell csatolni.",
            "Attach a file here.",
        ),
        FieldError::FileType { allowed } => match lang {
            Lang::Ro => {
                format!("Fișierul nu este de tipul cerut ({allowed}), verificat după conținut.")
            }
            Lang::Hu => format!("A fájl tartalma alapján nem a kért típusú ({allowed})."),
            Lang::En => {
                format!("The file is not of the accepted types ({allowed}), checked by content.")
            }
        },
        FieldError::FileTooLarge { max_bytes } => {
            let max = size(u64::from(*max_bytes));
            match lang {
                Lang::Ro => format!("Fișierul depășește {max}."),
                Lang::Hu => format!("A fájl nagyobb, mint {max}."),
                Lang::En => format!("The file is larger than {max}."),
            }
        }
    }
}

/// A CNP, e-mail, phone number or name refused.
pub(crate) fn contact_error(lang: Lang, e: ContactError) -> String {
    match e {
        ContactError::Email => pick(
            lang,
            "Adresa de e-mail nu este validă (ex. nume@exemplu.ro).",
            "Az e-mail-cím nem érvényes (pl. nev@pelda.hu).",
            "The e-mail address is not valid (e.g. name@example.com).",
        ),
        ContactError::Phone => pick(
            lang,
            "Scrieți un număr de telefon din România, ex. 0722 123 456.",
            "Romániai telefonszámot adjon meg, pl. 0722 123 456.",
            "Enter a Romanian phone number, e.g. 0722 123 456.",
        ),
        ContactError::CnpShape => pick(
            lang,
            "CNP-ul are 13 cifre.",
            "A személyi szám 13 számjegyből áll.",
            "A CNP has 13 digits.",
        ),
        ContactError::CnpChecksum => pick(
            lang,
            "CNP-ul nu este valid (cifra de control).",
            "A személyi szám nem érvényes (ellenőrző számjegy).",
            "The CNP is not valid (its control digit).",
        ),
        ContactError::CnpContent => pick(
            lang,
            "CNP-ul are o dată de naștere, un județ sau un număr de ordine imposibil.",
            "A személyi számban lehetetlen születési dátum, megye vagy sorszám áll.",
            "The CNP holds an impossible birth date, county or serial number.",
        ),
        ContactError::Name => pick(
            lang,
            "Numele are între 1 și 200 de caractere, pe un rând.",
            "A név 1–200 karakter, egy sorban.",
            "The name has 1 to 200 characters, on one line.",
        ),
    }
}

/// A new password refused.
pub(crate) fn password_error(lang: Lang, e: PasswordError) -> String {
    match e {
        PasswordError::TooShort => pick(
            lang,
            "Parola are cel puțin 12 caractere.",
            "A jelszó legalább 12 karakter.",
            "The password must be at least 12 characters long.",
        ),
        PasswordError::TooLong => pick(
            lang,
            "Parola are cel mult 128 de caractere.",
            "A jelszó legfeljebb 128 karakter.",
            "The password must be at most 128 characters long.",
        ),
        PasswordError::Mismatch => pick(
            lang,
            "Cele două parole diferă.",
            "A két jelszó eltér.",
            "The two passwords differ.",
        ),
    }
}

/// A one-time code refused. A code that can no longer work is one answer
/// whatever the reason, so a guess tells nothing about someone else's code.
pub(crate) fn code_error(lang: Lang, e: CodeError) -> String {
    match e {
        CodeError::Wrong { left } => match lang {
            Lang::Ro => format!("Codul nu este corect (mai aveți {left} încercări)."),
            Lang::Hu => format!("A kód nem helyes (még {left} próbálkozás)."),
            Lang::En => format!("The code is not right ({left} attempts left)."),
        },
        CodeError::TooManyAttempts | CodeError::Expired | CodeError::Used => pick(
            lang,
            "Codul nu mai este valabil. Cereți un cod nou.",
            "A kód már nem érvényes. Kérjen új kódot.",
            "The code is no longer valid. Ask for a new one.",
        ),
    }
}

/// A free text refused (the field's label names what it is): worded as the
/// same refusal of a form field.
pub(crate) fn text_error(lang: Lang, e: &TextError) -> String {
    let as_field = match e {
        TextError::Empty { .. } => FieldError::Required,
        TextError::TooLong { max, .. } => FieldError::TooLong {
            max: u16::try_from(*max).unwrap_or(u16::MAX),
        },
        TextError::Control { .. } => FieldError::Control,
    };
    field_error(lang, &as_field)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words that give an English sentence away; none is Romanian or
    /// Hungarian.
    const ENGLISH: [&str; 16] = [
        "the ",
        "must",
        "field",
        " file",
        "characters",
        "number",
        "required",
        "at most",
        "digits",
        "password",
        "attempts",
        "option",
        "valid for",
        "enter ",
        "choose",
        "between",
    ];

    /// Every variant of every refusal the portal words, with the `Display`
    /// core gives it.
    fn every_message(lang: Lang) -> Vec<(String, String)> {
        let contacts = [
            ContactError::Email,
            ContactError::Phone,
            ContactError::CnpShape,
            ContactError::CnpChecksum,
            ContactError::CnpContent,
            ContactError::Name,
        ];
        let mut fields = vec![
            FieldError::Name,
            FieldError::Required,
            FieldError::TooLong { max: 200 },
            FieldError::Control,
            FieldError::Number { min: 1, max: 9 },
            FieldError::Date,
            FieldError::Option,
            FieldError::Checkbox,
            FieldError::Address,
            FieldError::File,
            FieldError::FileType {
                allowed: "PDF, JPEG".into(),
            },
            FieldError::FileTooLarge {
                max_bytes: 10 * 1024 * 1024,
            },
        ];
        fields.extend(contacts.map(FieldError::Contact));
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|e| (field_error(lang, e), e.to_string()))
            .collect();
        all.extend(
            contacts
                .iter()
                .map(|e| (contact_error(lang, *e), e.to_string())),
        );
        all.extend(
            [
                PasswordError::TooShort,
                PasswordError::TooLong,
                PasswordError::Mismatch,
            ]
            .iter()
            .map(|e| (password_error(lang, *e), e.to_string())),
        );
        all.extend(
            [
                CodeError::Wrong { left: 3 },
                CodeError::TooManyAttempts,
                CodeError::Expired,
                CodeError::Used,
            ]
            .iter()
            .map(|e| (code_error(lang, *e), e.to_string())),
        );
        all.extend(
            [
                TextError::Empty { what: "reply" },
                TextError::TooLong {
                    what: "reply",
                    max: 2000,
                },
                TextError::Control { what: "reply" },
            ]
            .iter()
            .map(|e| (text_error(lang, e), e.to_string())),
        );
        all
    }

    /// The list above has every variant: these matches name each one, so
    /// a variant added to core fails to compile here until it is listed.
    #[test]
    fn every_variant_is_listed() {
        let _ = |e: &FieldError| match e {
            FieldError::Name
            | FieldError::Required
            | FieldError::TooLong { .. }
            | FieldError::Control
            | FieldError::Number { .. }
            | FieldError::Date
            | FieldError::Option
            | FieldError::Checkbox
            | FieldError::Contact(_)
            | FieldError::Address
            | FieldError::File
            | FieldError::FileType { .. }
            | FieldError::FileTooLarge { .. } => (),
        };
        let _ = |e: ContactError| match e {
            ContactError::Email
            | ContactError::Phone
            | ContactError::CnpShape
            | ContactError::CnpChecksum
            | ContactError::CnpContent
            | ContactError::Name => (),
        };
        let _ = |e: PasswordError| match e {
            PasswordError::TooShort | PasswordError::TooLong | PasswordError::Mismatch => (),
        };
        let _ = |e: CodeError| match e {
            CodeError::Wrong { .. }
            | CodeError::TooManyAttempts
            | CodeError::Expired
            | CodeError::Used => (),
        };
        let _ = |e: &TextError| match e {
            TextError::Empty { .. } | TextError::TooLong { .. } | TextError::Control { .. } => (),
        };
        // 12 field errors besides the 6 contact errors they wrap; then the
        // contact, password, code and text errors on their own.
        assert_eq!(every_message(Lang::Ro).len(), 12 + 6 + 6 + 3 + 4 + 3);
    }

    #[test]
    fn no_english_in_romanian_or_hungarian_messages() {
        let english: Vec<String> = every_message(Lang::En)
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        for lang in [Lang::Ro, Lang::Hu] {
            for (i, (message, display)) in every_message(lang).into_iter().enumerate() {
                let lower = message.to_lowercase();
                assert!(!message.is_empty(), "{lang:?} #{i} is empty");
                assert_ne!(message, english[i], "{lang:?} #{i} is the English one");
                assert!(
                    !message.contains(&display),
                    "{lang:?} #{i} holds core's English: {message}"
                );
                for word in ENGLISH {
                    assert!(
                        !lower.contains(word),
                        "{lang:?} #{i} has the English `{word}`: {message}"
                    );
                }
            }
        }
        // The check itself catches English: every English message trips it.
        for message in &english {
            let lower = message.to_lowercase();
            assert!(
                ENGLISH.iter().any(|w| lower.contains(w)),
                "the list of English words misses: {message}"
            );
        }
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(10 * 1024 * 1024), "10 MB");
        assert_eq!(size(6_800_000), "6,4 MB");
        assert_eq!(size(1000), "1 KB");
    }
}
