//! What the platform tells a citizen by SMS and e-mail, in the citizen's
//! language: the codes it sends (a contact to confirm, a sign-in, a new
//! password, a paper dossier to add to an account) and the news of a dossier
//! (registered, its public status changed).
//!
//! Every message says who sends it and what it is for (the code's purpose,
//! the request's title and number) and for whom (the account's or the
//! petitioner's name). The SMS stays within [`SMS_SEGMENTS`] segments
//! ([`crate::sms::fit`]: as written when it fits, else in GSM-7 letters, else
//! with the title, the name or the question shortened); the e-mail says the
//! same in full.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::lang::Lang;
use crate::public_view::{PublicStatus, status_label};
use crate::sms::{self, Value};

/// The most segments an SMS of the platform may take.
pub const SMS_SEGMENTS: usize = 2;

/// One message in its two forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The e-mail's subject.
    pub subject: String,
    /// The SMS (within [`SMS_SEGMENTS`] segments).
    pub sms: String,
    /// The e-mail's text (in full).
    pub email: String,
}

/// What a code sent to a citizen is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeFor<'a> {
    /// Confirming the contact of a new account.
    Verify,
    /// Signing in with an SMS code.
    SignIn,
    /// Setting a new password.
    Reset,
    /// Adding the paper dossier with this registration number to an account.
    Claim(&'a str),
}

/// The fewest characters a name keeps in an SMS.
const NAME_FLOOR: usize = 12;
/// The fewest characters a title keeps in an SMS.
const TITLE_FLOOR: usize = 18;
/// The fewest characters an institution's name keeps in an SMS.
const INSTITUTION_FLOOR: usize = 20;
/// The fewest characters an official's question keeps in an SMS.
const QUESTION_FLOOR: usize = 24;

/// A code `code` for `what`, sent by `sender` (the service's name) to the
/// account of `name`.
#[must_use]
pub fn code(lang: Lang, sender: &str, what: CodeFor<'_>, code: &str, name: &str) -> Notice {
    let number = match what {
        CodeFor::Claim(number) => number,
        _ => "",
    };
    let purpose = |number: &str| -> String {
        match (lang, what) {
            (Lang::Ro, CodeFor::Verify) => "confirmarea contului".to_owned(),
            (Lang::Ro, CodeFor::SignIn) => "intrarea în cont".to_owned(),
            (Lang::Ro, CodeFor::Reset) => "schimbarea parolei".to_owned(),
            (Lang::Ro, CodeFor::Claim(_)) => format!("adăugarea dosarului {number} în cont"),
            (Lang::Hu, CodeFor::Verify) => "a fiók megerősítéséhez".to_owned(),
            (Lang::Hu, CodeFor::SignIn) => "a belépéshez".to_owned(),
            (Lang::Hu, CodeFor::Reset) => "az új jelszóhoz".to_owned(),
            (Lang::Hu, CodeFor::Claim(_)) => {
                format!("a(z) {number} ügyirat fiókhoz adásához")
            }
            (Lang::En, CodeFor::Verify) => "confirm your account".to_owned(),
            (Lang::En, CodeFor::SignIn) => "sign in".to_owned(),
            (Lang::En, CodeFor::Reset) => "set a new password".to_owned(),
            (Lang::En, CodeFor::Claim(_)) => format!("add dossier {number} to your account"),
        }
    };
    // The code comes before any other number, so it is the first a phone
    // offers to copy.
    let render = |v: &[Cow<'_, str>]| -> String {
        let (sender, name, what) = (&v[0], &v[1], purpose(&v[2]));
        match lang {
            Lang::Ro => format!(
                "{sender}: codul {code} pentru {what} ({name}). Valabil 10 minute. \
                 Nu îl dați nimănui."
            ),
            Lang::Hu => format!(
                "{sender}: {code} a kódja {what} ({name}). 10 percig érvényes. \
                 Ne adja ki senkinek."
            ),
            Lang::En => format!(
                "{sender}: code {code} to {what} ({name}). Valid for 10 minutes. \
                 Do not share it."
            ),
        }
    };
    let values = [
        Value::shortened_to(sender, INSTITUTION_FLOOR),
        Value::shortened_to(name, NAME_FLOOR),
        Value::fixed(number),
    ];
    let subject = match lang {
        Lang::Ro => format!("{sender}: codul pentru {}", purpose(number)),
        Lang::Hu => format!("{sender}: kód {}", purpose(number)),
        Lang::En => format!("{sender}: your code to {}", purpose(number)),
    };
    let all: Vec<Cow<'_, str>> = values.iter().map(|v| Cow::Borrowed(v.text)).collect();
    Notice {
        subject,
        email: render(&all),
        sms: sms::fit(SMS_SEGMENTS, &values, render),
    }
}

/// The notice sent to the contact of an existing account when someone
/// registers a new account with it (instead of telling the registrant that
/// the contact is taken): who sends it, for whose account, and what to do.
#[must_use]
pub fn account_exists(lang: Lang, sender: &str, name: &str) -> Notice {
    let render = |v: &[Cow<'_, str>]| -> String {
        let (sender, name) = (&v[0], &v[1]);
        match lang {
            Lang::Ro => format!(
                "{sender}: cineva a cerut un cont nou cu acest contact, dar el e deja al \
                 contului dvs. ({name}). Dacă ați fost dvs., intrați în cont sau schimbați \
                 parola. Altfel, ignorați mesajul."
            ),
            Lang::Hu => format!(
                "{sender}: valaki új fiókot kért ezzel az elérhetőséggel, de ez már az Ön \
                 fiókjáé ({name}). Ha Ön volt, lépjen be vagy kérjen új jelszót. Ha nem, \
                 hagyja figyelmen kívül."
            ),
            Lang::En => format!(
                "{sender}: someone asked for a new account with this contact, but it \
                 already belongs to your account ({name}). If it was you, sign in or reset \
                 your password. If not, ignore this message."
            ),
        }
    };
    let values = [
        Value::shortened_to(sender, INSTITUTION_FLOOR),
        Value::shortened_to(name, NAME_FLOOR),
    ];
    let subject = match lang {
        Lang::Ro => format!("{sender}: aveți deja un cont"),
        Lang::Hu => format!("{sender}: már van fiókja"),
        Lang::En => format!("{sender}: you already have an account"),
    };
    let all: Vec<Cow<'_, str>> = values.iter().map(|v| Cow::Borrowed(v.text)).collect();
    Notice {
        subject,
        email: render(&all),
        sms: sms::fit(SMS_SEGMENTS, &values, render),
    }
}

/// What a message about a dossier names.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    /// The institution's name.
    pub institution: &'a str,
    /// The document type's title in the citizen's language.
    pub title: &'a str,
    /// The registration number.
    pub number: &'a str,
    /// The petitioner's name, if known.
    pub name: Option<&'a str>,
    /// When it was registered.
    pub registered_on: NaiveDate,
    /// Its legal deadline.
    pub deadline: NaiveDate,
    /// The tracking link.
    pub link: &'a str,
}

/// A type's title without its trailing legal reference in brackets
/// (`Petiție (OG 27/2002, 30 de zile)` → `Petiție`): an SMS has no room for
/// it, and the e-mail and the pages keep it.
#[must_use]
pub fn short_title(title: &str) -> &str {
    let t = title.trim();
    match t.strip_suffix(')').and_then(|rest| rest.rfind(" (")) {
        Some(at) if at > 0 => t[..at].trim_end(),
        _ => t,
    }
}

/// ` (name)` when there is one.
fn whose(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" ({name})")
    }
}

/// The dossier `about` was registered.
#[must_use]
pub fn registered(lang: Lang, about: &About<'_>) -> Notice {
    let (on, due) = (
        crate::calendar::written_date(lang, about.registered_on),
        crate::calendar::written_date(lang, about.deadline),
    );
    let render = |v: &[Cow<'_, str>]| -> String {
        let (inst, title, name, number, link) = (&v[0], &v[1], whose(&v[2]), &v[3], &v[4]);
        match lang {
            Lang::Ro => format!(
                "{inst}: cererea „{title}”{name} a fost înregistrată cu nr. {number} din {on}. \
                 Termen de răspuns: {due}. Urmăriți-o: {link}"
            ),
            Lang::Hu => format!(
                "{inst}: „{title}” kérelmét{name} iktattuk, száma {number} ({on}). \
                 Válaszadási határidő: {due} Követés: {link}"
            ),
            Lang::En => format!(
                "{inst}: your request \"{title}\"{name} was registered as no. {number} on {on}. \
                 Deadline for the answer: {due}. Follow it: {link}"
            ),
        }
    };
    let (inst, number) = (about.institution, about.number);
    let subject = match lang {
        Lang::Ro => format!("{inst}: cererea nr. {number} a fost înregistrată"),
        Lang::Hu => format!("{inst}: kérelmét {number} számon iktattuk"),
        Lang::En => format!("{inst}: request no. {number} registered"),
    };
    notice(subject, about, None, render)
}

/// The public status of the dossier `about` is now `status`; `question` is
/// what the institution asks the citizen to send, when it awaits a reply, or
/// the reason it gives, when it rejected the request.
#[must_use]
pub fn status_changed(
    lang: Lang,
    about: &About<'_>,
    status: PublicStatus,
    question: Option<&str>,
) -> Notice {
    let label = status_label(status, lang);
    let render = |v: &[Cow<'_, str>]| -> String {
        let (inst, title, name, number, link) = (&v[0], &v[1], whose(&v[2]), &v[3], &v[4]);
        let q = &v[5];
        let end = if q.ends_with('.') { "" } else { "." };
        let rejected = status == PublicStatus::Rejected;
        let ask = match (lang, q.is_empty(), rejected) {
            (_, true, _) => String::new(),
            (Lang::Ro, false, true) => format!(" Motivul: {q}{end}"),
            (Lang::Hu, false, true) => format!(" Indoklás: {q}{end}"),
            (Lang::En, false, true) => format!(" The reason: {q}{end}"),
            (Lang::Ro, false, false) => format!(" Vă rugăm să ne trimiteți: {q}{end}"),
            (Lang::Hu, false, false) => format!(" Kérjük, küldje el: {q}{end}"),
            (Lang::En, false, false) => format!(" Please send us: {q}{end}"),
        };
        match lang {
            Lang::Ro => format!(
                "{inst}: cererea „{title}” nr. {number}{name}: {label}.{ask} Urmăriți-o: {link}"
            ),
            Lang::Hu => format!(
                "{inst}: a(z) {number} számú „{title}” kérelem{name}: {label}.{ask} \
                 Követés: {link}"
            ),
            Lang::En => format!(
                "{inst}: request no. {number} \"{title}\"{name}: {label}.{ask} Follow it: {link}"
            ),
        }
    };
    let (inst, number) = (about.institution, about.number);
    let subject = match lang {
        Lang::Ro => format!("{inst}: cererea nr. {number} — {label}"),
        Lang::Hu => format!("{inst}: {number} számú kérelem — {label}"),
        Lang::En => format!("{inst}: request no. {number} — {label}"),
    };
    notice(subject, about, question, render)
}

/// The notice about a dossier `render` words: the e-mail in full, the SMS
/// fitted, with the title's legal reference left out of the SMS. The values
/// are, in order: institution, title, name, number, link, question.
fn notice(
    subject: String,
    about: &About<'_>,
    question: Option<&str>,
    render: impl Fn(&[Cow<'_, str>]) -> String,
) -> Notice {
    let values = |title| {
        [
            Value::shortened_to(about.institution, INSTITUTION_FLOOR),
            Value::shortened_to(title, TITLE_FLOOR),
            Value::shortened_to(about.name.unwrap_or(""), NAME_FLOOR),
            Value::fixed(about.number),
            Value::fixed(about.link),
            Value::shortened_to(question.unwrap_or(""), QUESTION_FLOOR),
        ]
    };
    let all: Vec<Cow<'_, str>> = values(about.title)
        .iter()
        .map(|v| Cow::Borrowed(v.text))
        .collect();
    Notice {
        subject,
        email: render(&all),
        sms: sms::fit(SMS_SEGMENTS, &values(short_title(about.title)), render),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::segments;

    /// The longest institution name and, per language, the longest type
    /// title of the demo seed (`infra/seed/demo.json`), and the longest
    /// registration number a tenant's prefix makes.
    struct Longest {
        institution: String,
        titles: [String; 3],
    }

    fn longest_in_seed() -> Longest {
        let seed: serde_json::Value =
            serde_json::from_str(include_str!("../../../infra/seed/demo.json")).unwrap();
        let mut institution = String::new();
        let mut titles: [String; 3] = Default::default();
        let longer = |a: &mut String, b: &str| {
            if b.chars().count() > a.chars().count() {
                *a = b.to_owned();
            }
        };
        for t in seed["tenants"].as_array().unwrap() {
            longer(&mut institution, t["name"].as_str().unwrap());
            for ty in t["document_types"].as_array().unwrap() {
                for (i, l) in Lang::ALL.into_iter().enumerate() {
                    let titles_of = &ty["titles"];
                    let title = titles_of[l.code()]
                        .as_str()
                        .or_else(|| titles_of["ro"].as_str())
                        .unwrap();
                    longer(&mut titles[i], title);
                }
            }
        }
        assert!(institution.chars().count() >= 20, "{institution}");
        Longest {
            institution,
            titles,
        }
    }

    /// A long name people really have.
    const NAME: &str = "Maria-Magdalena Ionescu-Popescu Szabó-Kovács";
    /// A long question of an official (the desk allows long ones).
    const QUESTION: &str = "Copia actului de proprietate asupra terenului și extrasul de carte \
                            funciară actualizat, eliberat cu cel mult 30 de zile în urmă";
    const LINK: &str = "https://ghiseu.cjcluj.ro/q/0123456789ABCDEFGHJKMNPQRS";
    const NUMBER: &str = "CJC-2026-000123";

    fn about<'a>(l: &'a Longest, i: usize, name: Option<&'a str>) -> About<'a> {
        About {
            institution: &l.institution,
            title: &l.titles[i],
            number: NUMBER,
            name,
            registered_on: NaiveDate::from_ymd_opt(2026, 3, 12).unwrap(),
            deadline: NaiveDate::from_ymd_opt(2026, 4, 13).unwrap(),
            link: LINK,
        }
    }

    /// Every message the platform sends, for every language, with the
    /// longest values: the language's own words, and no SMS over two
    /// segments.
    fn every_notice(l: &Longest) -> Vec<(Lang, &'static str, Notice)> {
        let mut out = Vec::new();
        for (i, lang) in Lang::ALL.into_iter().enumerate() {
            for what in [
                CodeFor::Verify,
                CodeFor::SignIn,
                CodeFor::Reset,
                CodeFor::Claim(NUMBER),
            ] {
                out.push((
                    lang,
                    "code",
                    code(lang, &l.institution, what, "274290", NAME),
                ));
            }
            for name in [Some(NAME), None] {
                out.push((lang, "registered", registered(lang, &about(l, i, name))));
                for status in [
                    PublicStatus::Registered,
                    PublicStatus::InProgress,
                    PublicStatus::AwaitingSignature,
                    PublicStatus::Resolved,
                    PublicStatus::Rejected,
                    PublicStatus::Forwarded,
                    PublicStatus::Withdrawn,
                    PublicStatus::Joined,
                ] {
                    let n = status_changed(lang, &about(l, i, name), status, None);
                    out.push((lang, "status", n));
                }
                let n = status_changed(
                    lang,
                    &about(l, i, name),
                    PublicStatus::AwaitingReply,
                    Some(QUESTION),
                );
                out.push((lang, "question", n));
            }
        }
        out
    }

    #[test]
    fn every_sms_with_the_longest_values_stays_within_two_segments() {
        let l = longest_in_seed();
        for (lang, kind, n) in every_notice(&l) {
            let (encoding, count) = segments(&n.sms);
            assert!(
                count <= SMS_SEGMENTS,
                "{lang:?} {kind}: {count} segments ({encoding:?}): {}",
                n.sms
            );
            // What it is for and the number or code survive any shortening.
            let plain = sms::to_gsm7(&n.sms);
            assert!(
                plain.contains(NUMBER) || plain.contains("274290"),
                "{lang:?} {kind}: {}",
                n.sms
            );
            if kind != "code" {
                assert!(n.sms.contains(LINK), "{lang:?} {kind}: {}", n.sms);
            }
            // The e-mail keeps everything.
            assert!(!n.email.contains("..."), "{}", n.email);
            if kind == "question" {
                assert!(n.email.contains(QUESTION), "{}", n.email);
            }
        }
    }

    #[test]
    fn the_account_exists_notice_fits_two_segments_and_names_the_account() {
        let l = longest_in_seed();
        for lang in Lang::ALL {
            let n = account_exists(lang, &l.institution, NAME);
            let (encoding, count) = segments(&n.sms);
            assert!(
                count <= SMS_SEGMENTS,
                "{lang:?}: {count} ({encoding:?}): {}",
                n.sms
            );
            assert!(
                n.email.contains(NAME) && n.email.contains(&l.institution),
                "{}",
                n.email
            );
            assert!(!n.subject.is_empty());
        }
        let hu = account_exists(Lang::Hu, "Ügyfélkapu", "Kovács Anna");
        assert!(
            hu.email.contains("fiók") && hu.email.contains("Kovács Anna"),
            "{}",
            hu.email
        );
    }

    #[test]
    fn messages_are_in_the_citizens_language_and_say_what_and_for_whom() {
        let l = longest_in_seed();
        let a = About {
            institution: "Primăria Florești",
            title: "Certificat de urbanism (Legea 50/1991)",
            number: "FLO-2026-000007",
            name: Some("Ion Pop"),
            registered_on: NaiveDate::from_ymd_opt(2026, 3, 12).unwrap(),
            deadline: NaiveDate::from_ymd_opt(2026, 4, 13).unwrap(),
            link: "https://g.ro/q/X",
        };
        let ro = code(
            Lang::Ro,
            "Ghișeul online",
            CodeFor::SignIn,
            "274290",
            "Ion Pop",
        );
        assert_eq!(
            ro.sms,
            "Ghișeul online: codul 274290 pentru intrarea în cont (Ion Pop). \
             Valabil 10 minute. Nu îl dați nimănui."
        );
        assert_eq!(segments(&ro.sms), (sms::Encoding::Ucs2, 2));
        let hu = code(
            Lang::Hu,
            "Online ügyintézés",
            CodeFor::Verify,
            "274290",
            "Kovács Anna",
        );
        assert!(
            hu.sms.contains("a fiók megerősítéséhez (Kovács Anna)"),
            "{}",
            hu.sms
        );
        let en = code(
            Lang::En,
            "Online counter",
            CodeFor::Claim("FLO-2026-000007"),
            "274290",
            "Ann",
        );
        assert_eq!(
            en.sms,
            "Online counter: code 274290 to add dossier FLO-2026-000007 to your account (Ann). \
             Valid for 10 minutes. Do not share it."
        );
        let hu = registered(
            Lang::Hu,
            &About {
                title: "Településrendezési bizonyítvány",
                ..a
            },
        );
        assert!(
            hu.email
                .contains("„Településrendezési bizonyítvány” kérelmét (Ion Pop) iktattuk")
                && hu.email.contains("2026.04.13."),
            "{}",
            hu.email
        );
        assert!(
            hu.sms.contains("FLO-2026-000007") && hu.sms.contains("iktattuk"),
            "{}",
            hu.sms
        );
        let ro = status_changed(Lang::Ro, &a, PublicStatus::Resolved, None);
        assert!(
            ro.email.contains(
                "„Certificat de urbanism (Legea 50/1991)” nr. FLO-2026-000007 (Ion Pop): Soluționat"
            ),
            "{}",
            ro.email
        );
        assert!(
            sms::to_gsm7(&ro.sms)
                .contains("\"Certificat de urbanism\" nr. FLO-2026-000007 (Ion Pop): Solutionat"),
            "the legal reference stays out of the SMS: {}",
            ro.sms
        );
        let en = status_changed(
            Lang::En,
            &About { name: None, ..a },
            PublicStatus::AwaitingReply,
            Some("the site plan"),
        );
        assert!(
            en.sms
                .contains("Awaiting your reply. Please send us: the site plan."),
            "{}",
            en.sms
        );
        assert!(!en.sms.contains("()"), "{}", en.sms);
        // A rejection carries the reason the citizen is given.
        for (lang, words) in [
            (Lang::Ro, "Respins. Motivul: Cererea privește primăria."),
            (Lang::Hu, "Elutasítva. Indoklás: Cererea privește primăria."),
            (Lang::En, "Rejected. The reason: Cererea privește primăria."),
        ] {
            let n = status_changed(
                lang,
                &a,
                PublicStatus::Rejected,
                Some("Cererea privește primăria"),
            );
            assert!(n.email.contains(words), "{lang:?}: {}", n.email);
        }
        // Every language's own words, none of another's.
        for (lang, _, n) in every_notice(&l) {
            let words = match lang {
                Lang::Ro => ["codul", "cererea"],
                Lang::Hu => ["kódja", "kérel"],
                Lang::En => ["code", "request"],
            };
            assert!(
                words
                    .iter()
                    .any(|w| sms::to_gsm7(&n.sms).contains(&sms::to_gsm7(w))),
                "{lang:?}: {}",
                n.sms
            );
        }
    }

    #[test]
    fn titles_lose_their_legal_reference_in_an_sms() {
        for (title, short) in [
            ("Petiție (OG 27/2002, 30 de zile)", "Petiție"),
            (
                "Aviz al Comisiei Tehnice (CTATU)",
                "Aviz al Comisiei Tehnice",
            ),
            ("Adeverință", "Adeverință"),
            ("(CTATU)", "(CTATU)"),
            ("Aviz (a) b", "Aviz (a) b"),
        ] {
            assert_eq!(short_title(title), short);
        }
    }
}
