//! The page's fixed wording in Romanian, Hungarian and English.

use chrono::{Datelike, NaiveDateTime, Timelike};
use ghiseu_core::Lang;

pub(crate) struct Labels {
    pub(crate) lang: Lang,
    pub(crate) title: &'static str,
    pub(crate) submitted_at: &'static str,
    pub(crate) romanian_time: &'static str,
    pub(crate) registration_number: &'static str,
    pub(crate) submission_reference: &'static str,
    pub(crate) applicant: &'static str,
    pub(crate) name: &'static str,
    pub(crate) email: &'static str,
    pub(crate) phone: &'static str,
    pub(crate) address: &'static str,
    pub(crate) form_data: &'static str,
    pub(crate) no_fields: &'static str,
    pub(crate) attachments: &'static str,
    pub(crate) no_attachments: &'static str,
    pub(crate) media_type: &'static str,
    pub(crate) size: &'static str,
    pub(crate) bytes: &'static str,
    pub(crate) addressed_to: &'static str,
}

impl Labels {
    pub(crate) fn of(lang: Lang) -> Self {
        match lang {
            Lang::Ro => Self {
                lang,
                title: "Cerere",
                submitted_at: "Data depunerii",
                romanian_time: "ora României",
                registration_number: "Număr de înregistrare",
                submission_reference: "Referința depunerii",
                applicant: "Solicitant",
                name: "Nume",
                email: "E-mail",
                phone: "Telefon",
                address: "Adresă",
                form_data: "Date din formular",
                no_fields: "Formularul nu are câmpuri.",
                attachments: "Anexe",
                no_attachments: "Nicio anexă.",
                media_type: "Tip",
                size: "Mărime",
                bytes: "octeți",
                addressed_to: "Către",
            },
            Lang::Hu => Self {
                lang,
                title: "Kérelem",
                submitted_at: "Benyújtás időpontja",
                romanian_time: "romániai idő szerint",
                registration_number: "Iktatószám",
                submission_reference: "Benyújtási azonosító",
                applicant: "Kérelmező",
                name: "Név",
                email: "E-mail",
                phone: "Telefon",
                address: "Cím",
                form_data: "Űrlapadatok",
                no_fields: "Az űrlapnak nincsenek mezői.",
                attachments: "Mellékletek",
                no_attachments: "Nincs melléklet.",
                media_type: "Típus",
                size: "Méret",
                bytes: "bájt",
                addressed_to: "Címzett",
            },
            Lang::En => Self {
                lang,
                title: "Request",
                submitted_at: "Submitted",
                romanian_time: "Romanian time",
                registration_number: "Registration number",
                submission_reference: "Submission reference",
                applicant: "Applicant",
                name: "Name",
                email: "E-mail",
                phone: "Phone",
                address: "Address",
                form_data: "Form data",
                no_fields: "The form has no fields.",
                attachments: "Attachments",
                no_attachments: "No attachments.",
                media_type: "Type",
                size: "Size",
                bytes: "bytes",
                addressed_to: "To",
            },
        }
    }

    /// "Pagina 1 din 2", "1. oldal, összesen 2", "Page 1 of 2".
    pub(crate) fn page(&self, n: usize, total: usize) -> String {
        match self.lang {
            Lang::Ro => format!("Pagina {n} din {total}"),
            Lang::Hu => format!("{n}. oldal, összesen {total}"),
            Lang::En => format!("Page {n} of {total}"),
        }
    }

    /// The local wall-clock time, as each language writes it.
    pub(crate) fn date_time(&self, t: NaiveDateTime) -> String {
        let (y, mo, d, h, mi) = (t.year(), t.month(), t.day(), t.hour(), t.minute());
        match self.lang {
            Lang::Ro => format!(
                "{d:02}.{mo:02}.{y}, {h:02}:{mi:02} ({})",
                self.romanian_time
            ),
            Lang::Hu => format!(
                "{y}.{mo:02}.{d:02}. {h:02}:{mi:02} ({})",
                self.romanian_time
            ),
            Lang::En => format!(
                "{d:02}/{mo:02}/{y}, {h:02}:{mi:02} ({})",
                self.romanian_time
            ),
        }
    }

    /// A byte count with the language's digit grouping: "1.234.567 octeți".
    pub(crate) fn byte_count(&self, n: u64) -> String {
        let separator = match self.lang {
            Lang::Ro => '.',
            Lang::Hu => '\u{a0}',
            Lang::En => ',',
        };
        let digits = n.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(separator);
            }
            grouped.push(c);
        }
        format!("{grouped} {}", self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn pages_dates_and_sizes_read_naturally_in_each_language() {
        let t = NaiveDate::from_ymd_opt(2025, 3, 7)
            .unwrap()
            .and_hms_opt(9, 5, 0)
            .unwrap();
        let cases = [
            (
                Lang::Ro,
                "Pagina 1 din 2",
                "07.03.2025, 09:05 (ora României)",
                "1.234.567 octeți",
            ),
            (
                Lang::Hu,
                "1. oldal, összesen 2",
                "2025.03.07. 09:05 (romániai idő szerint)",
                "1\u{a0}234\u{a0}567 bájt",
            ),
            (
                Lang::En,
                "Page 1 of 2",
                "07/03/2025, 09:05 (Romanian time)",
                "1,234,567 bytes",
            ),
        ];
        for (lang, page, date, size) in cases {
            let l = Labels::of(lang);
            assert_eq!(l.page(1, 2), page);
            assert_eq!(l.date_time(t), date);
            assert_eq!(l.byte_count(1_234_567), size);
            assert_eq!(l.byte_count(999), format!("999 {}", l.bytes));
        }
    }
}
