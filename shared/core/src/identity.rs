//! Identity proofing before a qualified signature credential (DESIGN §5,
//! signing; issue 17, item 8).
//!
//! A qualified certificate names a person the provider has identified, not
//! whoever typed a name at sign-up. The signing provider's remote
//! identification (the protocol is `ghiseu_platform::identity`) asks for the
//! identity document, the CNP and the name as written in the document; the
//! rules it applies are here, so they are table tests:
//!
//! - [`check_cnp`]: core's [`Cnp`] parser (13 digits, control digit, a real
//!   date, county, serial) and a plausible birth date ([`plausible_birth`]:
//!   not in the future, at least [`MIN_AGE`] years old — a subscriber
//!   agreement needs full legal capacity, Codul civil art. 38 — and at most
//!   [`MAX_AGE`]);
//! - [`check_document`]: the series and number in the shape of the
//!   [`DocumentKind`] (an identity card: 2 letters and 6 digits; a passport:
//!   no series, 8 or 9 digits);
//! - [`check_name`]: a surname and given names as a document writes them
//!   (letters, spaces, hyphens, apostrophes).
//!
//! [`IdentityFailure`] is the closed list of reasons a provider reports, as
//! wire codes; the portal words each one. [`stage`] is where a citizen's
//! purchase of a credential is: pay, identify, enroll, ready.

use chrono::{Datelike, NaiveDate};

use crate::citizen_contact::{Cnp, ContactError};

/// The youngest holder of a qualified credential, in years.
pub const MIN_AGE: i32 = 18;
/// The oldest plausible birth date, in years before today.
pub const MAX_AGE: i32 = 120;

/// Why an identification did not verify the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityFailure {
    /// The CNP is not 13 digits.
    CnpFormat,
    /// The CNP's control digit does not match.
    CnpChecksum,
    /// The CNP holds an impossible date, county or serial number.
    CnpContent,
    /// The birth date in the CNP is in the future, too recent (under
    /// [`MIN_AGE`]) or too old.
    BirthDate,
    /// The series or number is not in the shape of the document.
    Document,
    /// The surname or given names are not a name as a document writes it.
    Name,
    /// The identification was not completed in time.
    Expired,
    /// The provider gave another reason.
    Other,
}

impl IdentityFailure {
    /// Every reason, for tables.
    pub const ALL: [IdentityFailure; 8] = [
        Self::CnpFormat,
        Self::CnpChecksum,
        Self::CnpContent,
        Self::BirthDate,
        Self::Document,
        Self::Name,
        Self::Expired,
        Self::Other,
    ];

    /// The wire code.
    pub fn code(self) -> &'static str {
        match self {
            Self::CnpFormat => "cnp_format",
            Self::CnpChecksum => "cnp_checksum",
            Self::CnpContent => "cnp_content",
            Self::BirthDate => "birth_date",
            Self::Document => "document",
            Self::Name => "name",
            Self::Expired => "expired",
            Self::Other => "other",
        }
    }

    /// The reason of a wire code; an unknown code is [`IdentityFailure::Other`].
    pub fn from_code(code: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|f| f.code() == code)
            .unwrap_or(Self::Other)
    }
}

/// The identity documents a Romanian provider accepts remotely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// Carte de identitate (CI): series of 2 letters, number of 6 digits.
    IdentityCard,
    /// Carte electronică de identitate (CEI): as the CI.
    ElectronicIdentityCard,
    /// Romanian passport: no series, a number of 8 or 9 digits.
    Passport,
}

impl DocumentKind {
    /// Every kind, in the order a form lists them.
    pub const ALL: [DocumentKind; 3] = [
        Self::IdentityCard,
        Self::ElectronicIdentityCard,
        Self::Passport,
    ];

    /// The wire and form code: `ci`, `cei`, `passport`.
    pub fn code(self) -> &'static str {
        match self {
            Self::IdentityCard => "ci",
            Self::ElectronicIdentityCard => "cei",
            Self::Passport => "passport",
        }
    }

    /// The kind of a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether the document has a series.
    pub fn has_series(self) -> bool {
        !matches!(self, Self::Passport)
    }
}

/// A document's series and number, normalised (series upper case, no spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentId {
    /// The kind.
    pub kind: DocumentKind,
    /// The series (empty for a passport).
    pub series: String,
    /// The number.
    pub number: String,
}

/// Checks `series` and `number` against the shape of `kind`.
pub fn check_document(
    kind: DocumentKind,
    series: &str,
    number: &str,
) -> Result<DocumentId, IdentityFailure> {
    let squeeze = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let series = squeeze(series).to_ascii_uppercase();
    let number = squeeze(number);
    let digits = |s: &str, lengths: &[usize]| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let ok = if kind.has_series() {
        series.len() == 2 && series.bytes().all(|b| b.is_ascii_uppercase()) && digits(&number, &[6])
    } else {
        series.is_empty() && digits(&number, &[8, 9])
    };
    if !ok {
        return Err(IdentityFailure::Document);
    }
    Ok(DocumentId {
        kind,
        series,
        number,
    })
}

/// The birth date a CNP encodes, as of `today`: for the codes of residents
/// and foreigners (7, 8, 9), whose century the CNP does not say, the latest
/// candidate not after `today`; `None` when every candidate is after it.
pub fn birth_date(cnp: &Cnp, today: NaiveDate) -> Option<NaiveDate> {
    let d: Vec<i32> = cnp.as_str().bytes().map(|b| i32::from(b - b'0')).collect();
    let yy = d[1] * 10 + d[2];
    let (mm, dd) = ((d[3] * 10 + d[4]) as u32, (d[5] * 10 + d[6]) as u32);
    let centuries: &[i32] = match d[0] {
        1 | 2 => &[1900],
        3 | 4 => &[1800],
        5 | 6 => &[2000],
        _ => &[2000, 1900],
    };
    centuries
        .iter()
        .filter_map(|c| NaiveDate::from_ymd_opt(c + yy, mm, dd))
        .find(|date| *date <= today)
}

/// Whether someone born on `born` may hold a credential on `today`: at least
/// [`MIN_AGE`] and at most [`MAX_AGE`] years old.
pub fn plausible_birth(born: NaiveDate, today: NaiveDate) -> bool {
    let mut age = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    (MIN_AGE..=MAX_AGE).contains(&age)
}

/// Parses `raw` as a CNP and checks that its birth date is plausible on `today`.
pub fn check_cnp(raw: &str, today: NaiveDate) -> Result<Cnp, IdentityFailure> {
    let cnp = Cnp::parse(raw).map_err(|e| match e {
        ContactError::CnpShape => IdentityFailure::CnpFormat,
        ContactError::CnpChecksum => IdentityFailure::CnpChecksum,
        _ => IdentityFailure::CnpContent,
    })?;
    match birth_date(&cnp, today) {
        Some(born) if plausible_birth(born, today) => Ok(cnp),
        _ => Err(IdentityFailure::BirthDate),
    }
}

/// A surname or given names as a document writes them: trimmed, inner
/// whitespace collapsed, 1–100 characters, letters with spaces, hyphens and
/// apostrophes between them.
pub fn check_name(raw: &str) -> Result<String, IdentityFailure> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let ok = (1..=100).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’'))
        && name.chars().next().is_some_and(char::is_alphabetic)
        && name.chars().last().is_some_and(char::is_alphabetic);
    if ok {
        Ok(name)
    } else {
        Err(IdentityFailure::Name)
    }
}

/// The name an identification verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedName {
    /// Given names (prenume), as in the document.
    pub given_name: String,
    /// Surname (nume), as in the document.
    pub surname: String,
}

impl VerifiedName {
    /// "Given names Surname": the certificate's common name.
    pub fn full(&self) -> String {
        format!("{} {}", self.given_name, self.surname)
    }
}

/// Where a citizen's identification at the signing provider is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityStatus {
    /// Started and not finished (or abandoned): it can be resumed.
    Pending,
    /// The provider verified the identity.
    Verified(VerifiedName),
    /// The provider refused it; a new identification may be started.
    Failed(IdentityFailure),
}

/// Where a citizen's purchase of a credential is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialStage {
    /// Nothing paid: buy.
    Buy,
    /// Paid; the identification is to be started (`false`) or resumed (`true`).
    Identify {
        /// Whether one was started and not finished.
        started: bool,
    },
    /// Paid; the last identification failed: why, and start another.
    Retry(IdentityFailure),
    /// Paid and identified; the credential is still to be created.
    Enroll(VerifiedName),
    /// The credential exists, in the name verified (when this platform
    /// identified it).
    Ready(Option<VerifiedName>),
}

/// The stage of a citizen who has `paid` (a receipt), whose latest
/// identification is `identification`, and who has a credential or not.
pub fn stage(
    paid: bool,
    identification: Option<&IdentityStatus>,
    credential: bool,
) -> CredentialStage {
    let verified = match identification {
        Some(IdentityStatus::Verified(n)) => Some(n.clone()),
        _ => None,
    };
    match (credential, paid, identification) {
        (true, _, _) => CredentialStage::Ready(verified),
        (false, false, _) => CredentialStage::Buy,
        (false, true, None) => CredentialStage::Identify { started: false },
        (false, true, Some(IdentityStatus::Pending)) => CredentialStage::Identify { started: true },
        (false, true, Some(IdentityStatus::Failed(f))) => CredentialStage::Retry(*f),
        (false, true, Some(IdentityStatus::Verified(n))) => CredentialStage::Enroll(n.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// `first12` with its control digit.
    fn cnp(first12: &str) -> String {
        let w = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9];
        let sum: u32 = first12
            .bytes()
            .zip(w)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        format!("{first12}{}", if sum % 11 == 10 { 1 } else { sum % 11 })
    }

    #[test]
    fn cnp_checks_table() {
        let today = day(2026, 3, 2);
        let cases: Vec<(String, Result<(), IdentityFailure>)> = vec![
            (cnp("196052912001"), Ok(())),
            ("1960529120012".into(), Err(IdentityFailure::CnpChecksum)),
            ("19605291200".into(), Err(IdentityFailure::CnpFormat)),
            (cnp("196133112001"), Err(IdentityFailure::CnpContent)),
            // Born 2010: 15 years old.
            (cnp("510052912001"), Err(IdentityFailure::BirthDate)),
            // 18 today and the day before.
            (cnp("508030212001"), Ok(())),
            (cnp("508030312001"), Err(IdentityFailure::BirthDate)),
            // 1850: too old; 2030: not born yet.
            (cnp("350052912001"), Err(IdentityFailure::BirthDate)),
            (cnp("530052912001"), Err(IdentityFailure::BirthDate)),
            // A resident born in 1980 (the 2080 reading is in the future).
            (cnp("780052912001"), Ok(())),
            // A resident read as born in 2020 (the latest reading not in the
            // future): too young.
            (cnp("720052912001"), Err(IdentityFailure::BirthDate)),
        ];
        for (raw, want) in cases {
            assert_eq!(check_cnp(&raw, today).map(|_| ()), want, "{raw}");
        }
    }

    #[test]
    fn birth_dates_of_each_century() {
        let today = day(2026, 3, 2);
        let of = |raw: &str| birth_date(&Cnp::parse(&cnp(raw)).unwrap(), today);
        assert_eq!(of("196052912001"), Some(day(1996, 5, 29)));
        assert_eq!(of("396052912001"), Some(day(1896, 5, 29)));
        assert_eq!(of("506052912001"), Some(day(2006, 5, 29)));
        assert_eq!(of("706052912001"), Some(day(2006, 5, 29)));
        assert_eq!(of("796052912001"), Some(day(1996, 5, 29)));
        assert_eq!(of("530052912001"), None);
    }

    #[test]
    fn document_table() {
        use DocumentKind::*;
        let ok = |k, s, n| check_document(k, s, n).is_ok();
        assert_eq!(
            check_document(IdentityCard, " cj ", "123 456"),
            Ok(DocumentId {
                kind: IdentityCard,
                series: "CJ".into(),
                number: "123456".into()
            })
        );
        assert!(ok(ElectronicIdentityCard, "KX", "000123"));
        assert!(!ok(IdentityCard, "C", "123456"));
        assert!(!ok(IdentityCard, "CJ1", "123456"));
        assert!(!ok(IdentityCard, "CJ", "12345"));
        assert!(!ok(IdentityCard, "CJ", "12345a"));
        assert!(!ok(IdentityCard, "", "123456"));
        assert!(!ok(IdentityCard, "Ș1", "123456"));
        assert!(ok(Passport, "", "05123456"));
        assert!(ok(Passport, "", "051234567"));
        assert!(!ok(Passport, "RO", "05123456"));
        assert!(!ok(Passport, "", "0512345"));
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_code(k.code()), Some(k));
        }
        assert_eq!(DocumentKind::from_code("buletin"), None);
    }

    #[test]
    fn name_table() {
        assert_eq!(check_name("  Ion   Andrei ").as_deref(), Ok("Ion Andrei"));
        assert_eq!(
            check_name("Ștefănescu-Bánffy").as_deref(),
            Ok("Ștefănescu-Bánffy")
        );
        assert_eq!(check_name("O'Neill").as_deref(), Ok("O'Neill"));
        for bad in ["", "   ", "Ion2", "-Ion", "Ion-", "<b>", &"a".repeat(101)] {
            assert_eq!(check_name(bad), Err(IdentityFailure::Name), "{bad:?}");
        }
    }

    #[test]
    fn failure_codes_round_trip() {
        for f in IdentityFailure::ALL {
            assert_eq!(IdentityFailure::from_code(f.code()), f);
        }
        assert_eq!(IdentityFailure::from_code("selfie"), IdentityFailure::Other);
    }

    #[test]
    fn stages() {
        let name = VerifiedName {
            given_name: "Ion".into(),
            surname: "Popescu".into(),
        };
        let verified = IdentityStatus::Verified(name.clone());
        let failed = IdentityStatus::Failed(IdentityFailure::CnpChecksum);
        use CredentialStage::*;
        let cases = [
            (false, None, false, Buy),
            (false, Some(&IdentityStatus::Pending), false, Buy),
            (true, None, false, Identify { started: false }),
            (
                true,
                Some(&IdentityStatus::Pending),
                false,
                Identify { started: true },
            ),
            (
                true,
                Some(&failed),
                false,
                Retry(IdentityFailure::CnpChecksum),
            ),
            (true, Some(&verified), false, Enroll(name.clone())),
            (true, Some(&verified), true, Ready(Some(name.clone()))),
            (true, None, true, Ready(None)),
            (false, None, true, Ready(None)),
        ];
        for (paid, identification, credential, want) in cases {
            assert_eq!(stage(paid, identification, credential), want);
        }
        assert_eq!(name.full(), "Ion Popescu");
    }
}
