//! The citizen's personal data attached to a dossier: contact details for
//! notifications, an optional name and an optional CNP.
//!
//! Personal data: none of these types ever appears on a public view (tracking
//! page, tracking JSON, QR target, open data). They have no `Display`, and their
//! `Debug` is redacted so they do not leak into logs by accident; reading the value
//! takes an explicit `as_str()`.

use std::fmt;

use chrono::NaiveDate;
use thiserror::Error;

/// Why a contact detail was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ContactError {
    /// Not a plausible e-mail address.
    #[error("the e-mail address is not valid")]
    Email,
    /// Not a Romanian phone number.
    #[error("the phone number must be a Romanian number, e.g. 0722 123 456")]
    Phone,
    /// Not 13 digits.
    #[error("a CNP has 13 digits")]
    CnpShape,
    /// The control digit does not match.
    #[error("the CNP's control digit does not match")]
    CnpChecksum,
    /// Impossible birth date, county code or serial number.
    #[error("the CNP holds an impossible date, county or serial number")]
    CnpContent,
    /// A name that is empty, too long or has control characters.
    #[error("the name must be 1 to 200 characters on one line")]
    Name,
}

macro_rules! redacted_debug {
    ($name:ident) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

/// An e-mail address: one `@`, a non-empty local part of at most 64 bytes, a
/// domain with a dot and no empty labels, at most 254 bytes, no whitespace. The
/// domain is lowercased; the local part is kept as typed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);
redacted_debug!(Email);

impl Email {
    /// Validates and normalises `raw` (surrounding whitespace is trimmed).
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let s = raw.trim();
        let (local, domain) = s.split_once('@').ok_or(ContactError::Email)?;
        let ok = s.len() <= 254
            && !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && domain.split('.').all(|l| {
                !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            && !local.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(ContactError::Email);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address (personal data: for notifications only).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address as an identity: wholly lowercased, so `Ana@X.ro` and
    /// `ana@x.ro` are one account and one limit (the address is still stored
    /// and written to as typed).
    pub fn identity(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A Romanian phone number in E.164 form, `+40` and 9 digits, the first of which
/// is 2 or 3 (fixed lines) or 7 (mobile). Parsing accepts `07xx xxx xxx`,
/// `+40 7xx…` and `0040 7xx…`, with spaces, dots, hyphens and parentheses.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);
redacted_debug!(PhoneNumber);

impl PhoneNumber {
    /// Validates and normalises `raw` to `+40XXXXXXXXX`.
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let s = raw.trim();
        let (plus, rest) = match s.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, s),
        };
        let mut digits = String::with_capacity(14);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(ContactError::Phone),
            }
        }
        let national = if plus {
            digits.strip_prefix("40")
        } else if let Some(n) = digits.strip_prefix("0040") {
            Some(n)
        } else {
            digits.strip_prefix('0')
        }
        .ok_or(ContactError::Phone)?;
        if national.len() != 9 || !matches!(national.as_bytes()[0], b'2' | b'3' | b'7') {
            return Err(ContactError::Phone);
        }
        Ok(Self(format!("+40{national}")))
    }

    /// The number in E.164 form (personal data: for notifications only).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Romanian personal numeric code (CNP): `S YY MM DD JJ NNN C`.
///
/// Checked: 13 digits; the control digit (the weighted sum of the first 12 digits
/// with weights `279146358279`, modulo 11, with 10 written as 1); a real birth date
/// for the century of the sex digit (1/2: 1900s, 3/4: 1800s, 5/6: 2000s; 7/8/9,
/// residents and foreigners, either 1900s or 2000s); a county code 01–48, 51, 52
/// or 70; a serial number other than 000.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cnp(String);
redacted_debug!(Cnp);

impl Cnp {
    /// The checksum weights of the first 12 digits.
    const WEIGHTS: [u32; 12] = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9];

    /// Validates `raw` (surrounding whitespace is trimmed).
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let s = raw.trim();
        if s.len() != 13 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ContactError::CnpShape);
        }
        let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        if Self::control_digit(&d[..12]) != d[12] {
            return Err(ContactError::CnpChecksum);
        }
        let yy = (d[1] * 10 + d[2]) as i32;
        let (mm, dd) = (d[3] * 10 + d[4], d[5] * 10 + d[6]);
        let centuries: &[i32] = match d[0] {
            1 | 2 => &[1900],
            3 | 4 => &[1800],
            5 | 6 => &[2000],
            7..=9 => &[1900, 2000],
            _ => return Err(ContactError::CnpContent),
        };
        let date_ok = centuries
            .iter()
            .any(|c| NaiveDate::from_ymd_opt(c + yy, mm, dd).is_some());
        let county = d[7] * 10 + d[8];
        let county_ok = matches!(county, 1..=48 | 51 | 52 | 70);
        let serial_ok = d[9..12] != [0, 0, 0];
        if !(date_ok && county_ok && serial_ok) {
            return Err(ContactError::CnpContent);
        }
        Ok(Self(s.to_owned()))
    }

    fn control_digit(first12: &[u32]) -> u32 {
        let sum: u32 = first12.iter().zip(Self::WEIGHTS).map(|(a, w)| a * w).sum();
        match sum % 11 {
            10 => 1,
            r => r,
        }
    }

    /// The 13 digits (personal data: never on a public view).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name typed by or for the citizen (personal data).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CitizenName(String);
redacted_debug!(CitizenName);

impl CitizenName {
    /// Trims and validates `raw`: 1–200 characters, one line.
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let s = raw.trim();
        if s.is_empty() || s.chars().count() > 200 || s.chars().any(char::is_control) {
            return Err(ContactError::Name);
        }
        Ok(Self(s.to_owned()))
    }

    /// The name (personal data: never on a public view).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the institution knows about the citizen behind a dossier. Private: kept
/// with the dossier for notifications and the desk, never on a public view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CitizenContact {
    /// The citizen's name, if given.
    pub name: Option<CitizenName>,
    /// E-mail for notifications.
    pub email: Option<Email>,
    /// Phone for SMS notifications.
    pub phone: Option<PhoneNumber>,
    /// CNP, if the document type asks for it.
    pub cnp: Option<Cnp>,
    /// The language messages to the citizen are written in (Romanian if unknown).
    pub lang: Option<crate::Lang>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends the control digit to 12 digits.
    fn with_control(first12: &str) -> String {
        let d: Vec<u32> = first12.bytes().map(|b| u32::from(b - b'0')).collect();
        format!("{first12}{}", Cnp::control_digit(&d))
    }

    #[test]
    fn cnp_table() {
        let cases: Vec<(String, Result<(), ContactError>)> = vec![
            // Checksum worked by hand: weights 279146358279 give 1+... = 1 (mod 11).
            ("1960529120012".into(), Err(ContactError::CnpChecksum)),
            (with_control("196052912001"), Ok(())),
            (with_control("298022812345"), Ok(())),
            (with_control("500022912001"), Ok(())), // 2000-02-29 exists
            (with_control("100022912001"), Err(ContactError::CnpContent)), // 1900-02-29 does not
            (with_control("196133112001"), Err(ContactError::CnpContent)), // month 13
            (with_control("196053212001"), Err(ContactError::CnpContent)), // day 32
            (with_control("196052949001"), Err(ContactError::CnpContent)), // county 49
            (with_control("196052952001"), Ok(())), // Giurgiu
            (with_control("196052970001"), Ok(())), // code 70
            (with_control("196052912000"), Err(ContactError::CnpContent)), // serial 000
            (with_control("096052912001"), Err(ContactError::CnpContent)), // sex digit 0
            (with_control("796052912001"), Ok(())),
            ("196052912001".into(), Err(ContactError::CnpShape)),
            ("19605291200123".into(), Err(ContactError::CnpShape)),
            ("19605291200a1".into(), Err(ContactError::CnpShape)),
        ];
        for (cnp, want) in cases {
            assert_eq!(Cnp::parse(&cnp).map(|_| ()), want, "{cnp}");
        }
    }

    #[test]
    fn cnp_known_checksum() {
        // 1+... worked example: 1960529120015? Compute: digits 1 9 6 0 5 2 9 1 2 0 0 1
        // weights 2 7 9 1 4 6 3 5 8 2 7 9 -> 2+63+54+0+20+12+27+5+16+0+0+9 = 208,
        // 208 mod 11 = 10 -> control digit 1.
        assert!(Cnp::parse("1960529120011").is_ok());
    }

    #[test]
    fn phone_table() {
        let cases = [
            ("0722123456", Some("+40722123456")),
            ("0722 123 456", Some("+40722123456")),
            ("+40 722-123-456", Some("+40722123456")),
            ("0040722123456", Some("+40722123456")),
            ("(0264) 591 123", Some("+40264591123")),
            ("+40 364.123.456", Some("+40364123456")),
            ("072212345", None),
            ("07221234567", None),
            ("0822123456", None),
            ("+36 1 234 5678", None),
            ("722123456", None),
            ("0722a23456", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(
                PhoneNumber::parse(raw)
                    .ok()
                    .as_ref()
                    .map(PhoneNumber::as_str),
                want,
                "{raw}"
            );
        }
    }

    #[test]
    fn an_email_identity_ignores_letter_case_but_the_address_keeps_it() {
        let typed = Email::parse(" Ana.Pop@Example.RO ").unwrap();
        assert_eq!(typed.as_str(), "Ana.Pop@example.ro");
        assert_eq!(typed.identity(), "ana.pop@example.ro");
        assert_eq!(
            typed.identity(),
            Email::parse("ANA.POP@example.ro").unwrap().identity()
        );
    }

    #[test]
    fn email_table() {
        let cases = [
            ("ana.pop@Example.RO", Some("ana.pop@example.ro")),
            (" ion+cj@mail.cluj.ro ", Some("ion+cj@mail.cluj.ro")),
            ("ana", None),
            ("ana@ro", None),
            ("@example.ro", None),
            ("ana@@example.ro", None),
            ("ana pop@example.ro", None),
            ("ana@example..ro", None),
            ("ana@exa mple.ro", None),
        ];
        for (raw, want) in cases {
            assert_eq!(
                Email::parse(raw).ok().as_ref().map(Email::as_str),
                want,
                "{raw}"
            );
        }
    }

    #[test]
    fn debug_is_redacted() {
        let c = CitizenContact {
            name: Some(CitizenName::parse("Ionela Zmeurică").unwrap()),
            email: Some(Email::parse("ionela@example.ro").unwrap()),
            phone: Some(PhoneNumber::parse("0722123456").unwrap()),
            cnp: Some(Cnp::parse("1960529120011").unwrap()),
            lang: None,
        };
        let dbg = format!("{c:?}");
        for secret in ["Zmeuric", "ionela@", "722123456", "1960529120011"] {
            assert!(!dbg.contains(secret), "{dbg}");
        }
    }
}
