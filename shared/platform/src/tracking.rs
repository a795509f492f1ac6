//! The public tracking snapshot of a dossier and the tracking JSON (DESIGN §4).
//!
//! Whoever changes a dossier (the desk) writes its [`Snapshot`] under
//! [`crate::keys::tracking`] with [`put_snapshot`]; the tracking component
//! reads it with [`get_snapshot`] and renders [`Snapshot::view`] for "today".
//! The snapshot holds everything of [`PublicView`] that does not depend on the
//! day, plus the dates the day counts need (registration local date, deadline,
//! closing date), so a lookup is one key-value read and no domain replay.
//!
//! Department names are kept as the Romanian text the route shows, so a
//! reader that knows only that reads it unchanged; the snapshot's
//! `department_names` give the Hungarian and English names of those that have
//! them, and [`Snapshot::view`] shows each in the reader's language (snapshots
//! written before have none and show the Romanian names).
//!
//! It is built from [`PublicView`] alone, so it contains exactly the public
//! facts: the citizen's name, CNP, phone, e-mail, attachments and internal notes
//! are not inputs of any field. These are wire shapes (the stored JSON and the
//! public JSON contract); the domain types of `ghiseu-core` stay free of serde.

use chrono::{DateTime, NaiveDate, Utc};
use ghiseu_core::calendar::local_date;
use ghiseu_core::deadline;
use ghiseu_core::document_type::Titles;
use ghiseu_core::public_view::PublicNames;
use ghiseu_core::tenant::PublicBaseUrl;
use ghiseu_core::{Dossier, Lang, PublicStatus, PublicView, TrackingToken};
use serde::{Deserialize, Serialize};

use crate::kv::Store;
use crate::{Error, Result, keys};

/// The version of the stored snapshot shape.
pub const SNAPSHOT_VERSION: u32 = 1;

/// `institution` of the tracking JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    /// The tenant's slug.
    pub slug: String,
    /// The tenant's public name.
    pub name: String,
}

/// `document_type` of the tracking JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTypeRef {
    /// The type's code.
    pub code: String,
    /// Its title in the answer's language.
    pub title: String,
}

/// `current` of the tracking JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Current {
    /// The department's display name.
    pub department: String,
    /// The official's display name, `null` when none is assigned.
    pub official: Option<String>,
}

/// One entry of `route` in the tracking JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteEntry {
    /// When (RFC 3339, UTC).
    #[serde(deserialize_with = "stored_time::instant")]
    pub at: DateTime<Utc>,
    /// The event code, e.g. `registered`, `assigned`.
    pub event: String,
    /// The department's display name after the event.
    pub department: Option<String>,
    /// The official's display name after the event.
    pub official: Option<String>,
    /// The public note.
    pub note: Option<String>,
}

/// A name kept in the snapshot (the document type's title, a department's
/// name), one per language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotTitles {
    /// Romanian.
    pub ro: String,
    /// Hungarian, if there is one.
    pub hu: Option<String>,
    /// English, if there is one.
    pub en: Option<String>,
}

impl SnapshotTitles {
    /// The texts of `titles`.
    #[must_use]
    pub fn of(titles: &Titles) -> Self {
        Self {
            ro: titles.ro.as_str().to_owned(),
            hu: titles.hu.as_ref().map(|t| t.as_str().to_owned()),
            en: titles.en.as_ref().map(|t| t.as_str().to_owned()),
        }
    }

    /// The title in `lang`, or the Romanian one.
    #[must_use]
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ro => &self.ro,
            Lang::Hu => self.hu.as_deref().unwrap_or(&self.ro),
            Lang::En => self.en.as_deref().unwrap_or(&self.ro),
        }
    }
}

/// The stored public tracking snapshot of a dossier (`track/{TOKEN}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SNAPSHOT_VERSION`].
    pub v: u32,
    /// The tracking token (canonical form).
    pub token: String,
    /// The registration number.
    pub registration_number: String,
    /// The registration time.
    #[serde(deserialize_with = "stored_time::instant")]
    pub registered_at: DateTime<Utc>,
    /// The Romanian local date of registration (day 0).
    #[serde(deserialize_with = "stored_time::date")]
    pub registered_on: NaiveDate,
    /// The institution.
    pub institution: Institution,
    /// The institution's public base URL, if it has one (QR codes point there).
    pub public_base_url: Option<String>,
    /// The document type's code.
    pub document_type_code: String,
    /// Its titles.
    pub document_type_titles: SnapshotTitles,
    /// The public status code ([`PublicStatus::code`]).
    pub status: String,
    /// Where the dossier is.
    pub current: Current,
    /// The route, oldest first.
    pub route: Vec<RouteEntry>,
    /// The legal deadline.
    #[serde(deserialize_with = "stored_time::date")]
    pub deadline: NaiveDate,
    /// The Romanian local date the dossier was closed, if it is.
    #[serde(default, deserialize_with = "stored_time::optional_date")]
    pub closed_on: Option<NaiveDate>,
    /// The newest event's time.
    #[serde(deserialize_with = "stored_time::instant")]
    pub updated_at: DateTime<Utc>,
    /// The route's head hash (64 hex digits).
    pub route_head: String,
    /// Every institution the request went through, oldest first, when it was
    /// forwarded between institutions (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub journey: Vec<Leg>,
    /// The names in every language of the departments named above (its route,
    /// its journey's) that have a Hungarian or English name, found by their
    /// Romanian name; empty in snapshots written before departments had them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub department_names: Vec<SnapshotTitles>,
}

/// One institution's part of a request forwarded between institutions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    /// The institution.
    pub institution: Institution,
    /// Its registration number there.
    pub registration_number: String,
    /// The public status there.
    pub status: String,
    /// Where it is there.
    pub current: Current,
    /// The route there, oldest first.
    pub route: Vec<RouteEntry>,
}

impl Leg {
    /// The leg `snapshot` describes.
    #[must_use]
    pub fn of(snapshot: &Snapshot) -> Self {
        Self {
            institution: snapshot.institution.clone(),
            registration_number: snapshot.registration_number.clone(),
            status: snapshot.status.clone(),
            current: snapshot.current.clone(),
            route: snapshot.route.clone(),
        }
    }
}

/// The tracking JSON of DESIGN §4, field for field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingView {
    /// `registration_number`.
    pub registration_number: String,
    /// `registered_at` (RFC 3339).
    pub registered_at: DateTime<Utc>,
    /// `institution {slug, name}`.
    pub institution: Institution,
    /// `document_type {code, title}`.
    pub document_type: DocumentTypeRef,
    /// `status`: the public status code.
    pub status: String,
    /// `current {department, official}`.
    pub current: Current,
    /// `route [{at, event, department, official, note}]`.
    pub route: Vec<RouteEntry>,
    /// `days_in_institution`: registration day is day 0; stops at closing.
    pub days_in_institution: i64,
    /// `deadline` (YYYY-MM-DD).
    pub deadline: NaiveDate,
    /// `days_left`: negative when overdue; frozen at closing.
    pub days_left: i64,
    /// `updated_at` (RFC 3339).
    pub updated_at: DateTime<Utc>,
    /// `route_head`.
    pub route_head: String,
    /// `journey [{institution, registration_number, status, current, route}]`:
    /// present only for a request forwarded between institutions, oldest first,
    /// this institution's leg included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub journey: Vec<Leg>,
}

/// The snapshot of `dossier` as the public may see it. `tenant_name` and
/// `public_base_url` are the tenant's; `titles` the document type's; `names`
/// the display names of departments and officials.
#[must_use]
pub fn snapshot_of(
    dossier: &Dossier,
    tenant_name: &str,
    public_base_url: Option<&PublicBaseUrl>,
    titles: &Titles,
    names: &PublicNames,
) -> Snapshot {
    // Everything public comes from the domain's own public view; "today" only
    // affects the day counts, which the snapshot does not keep.
    let view = PublicView::build(
        dossier,
        tenant_name,
        titles.ro.as_str(),
        names,
        dossier.registered_on(),
    );
    let named = |ro: &str| {
        view.current.department == ro
            || view
                .route
                .iter()
                .any(|e| e.department.as_deref() == Some(ro))
    };
    let mut department_names = Vec::new();
    for t in names.departments.values() {
        if (t.hu.is_some() || t.en.is_some()) && named(t.ro.as_str()) {
            add_name(&mut department_names, SnapshotTitles::of(t));
        }
    }
    Snapshot {
        v: SNAPSHOT_VERSION,
        token: dossier.token().to_string(),
        registration_number: view.registration_number.to_string(),
        registered_at: view.registered_at,
        registered_on: local_date(view.registered_at),
        institution: Institution {
            slug: view.institution.slug.to_string(),
            name: view.institution.name,
        },
        public_base_url: public_base_url.map(|u| u.as_str().to_owned()),
        document_type_code: view.document_type.code.to_string(),
        document_type_titles: SnapshotTitles::of(titles),
        status: view.status.code().to_owned(),
        current: Current {
            department: view.current.department,
            official: view.current.official,
        },
        route: view
            .route
            .into_iter()
            .map(|e| RouteEntry {
                at: e.at,
                event: e.event.to_owned(),
                department: e.department,
                official: e.official,
                note: e.note,
            })
            .collect(),
        deadline: view.deadline,
        closed_on: dossier.closed_on(),
        updated_at: view.updated_at,
        route_head: view.route_head,
        journey: Vec::new(),
        department_names,
    }
}

/// Adds `titles` unless a name of the same Romanian text is there already
/// (two departments of one Romanian name show the first one's translations).
fn add_name(list: &mut Vec<SnapshotTitles>, titles: SnapshotTitles) {
    if !list.iter().any(|t| t.ro == titles.ro) {
        list.push(titles);
    }
}

/// Joins the snapshots of every leg of a request forwarded between
/// institutions, oldest first: each shows the whole journey, with the
/// department names of every leg.
pub fn join_journey(snapshots: &mut [Snapshot]) {
    let journey: Vec<Leg> = snapshots.iter().map(Leg::of).collect();
    let mut names = Vec::new();
    for t in snapshots.iter().flat_map(|s| &s.department_names) {
        add_name(&mut names, t.clone());
    }
    for snapshot in snapshots {
        snapshot.journey.clone_from(&journey);
        snapshot.department_names.clone_from(&names);
    }
}

/// Shows a snapshot's department names in one language.
struct DepartmentNames<'a> {
    names: &'a [SnapshotTitles],
    lang: Lang,
}

impl DepartmentNames<'_> {
    fn name(&self, ro: &str) -> String {
        self.names
            .iter()
            .find(|t| t.ro == ro)
            .map_or(ro, |t| t.get(self.lang))
            .to_owned()
    }

    fn current(&self, c: &Current) -> Current {
        Current {
            department: self.name(&c.department),
            official: c.official.clone(),
        }
    }

    fn route(&self, route: &[RouteEntry]) -> Vec<RouteEntry> {
        route
            .iter()
            .map(|e| RouteEntry {
                department: e.department.as_deref().map(|d| self.name(d)),
                ..e.clone()
            })
            .collect()
    }

    fn leg(&self, leg: &Leg) -> Leg {
        Leg {
            current: self.current(&leg.current),
            route: self.route(&leg.route),
            ..leg.clone()
        }
    }
}

impl Snapshot {
    /// The tracking view on `today` (a Romanian local date), with the document
    /// type's title and the departments' names in `lang` (Romanian where there
    /// is none). Day counts follow the domain's rules: they stop at the closing
    /// date once the dossier is closed.
    #[must_use]
    pub fn view(&self, today: NaiveDate, lang: Lang) -> TrackingView {
        let end = self.closed_on.map_or(today, |c| c.min(today));
        let (current, route, journey) = if lang == Lang::Ro || self.department_names.is_empty() {
            (
                self.current.clone(),
                self.route.clone(),
                self.journey.clone(),
            )
        } else {
            let names = DepartmentNames {
                names: &self.department_names,
                lang,
            };
            (
                names.current(&self.current),
                names.route(&self.route),
                self.journey.iter().map(|l| names.leg(l)).collect(),
            )
        };
        TrackingView {
            registration_number: self.registration_number.clone(),
            registered_at: self.registered_at,
            institution: self.institution.clone(),
            document_type: DocumentTypeRef {
                code: self.document_type_code.clone(),
                title: self.document_type_titles.get(lang).to_owned(),
            },
            status: self.status.clone(),
            current,
            route,
            days_in_institution: deadline::days_in_institution(self.registered_on, end),
            deadline: self.deadline,
            days_left: deadline::days_left(self.deadline, end),
            updated_at: self.updated_at,
            route_head: self.route_head.clone(),
            journey,
        }
    }

    /// The public status, if the stored code is known.
    #[must_use]
    pub fn public_status(&self) -> Option<PublicStatus> {
        PublicStatus::from_code(&self.status)
    }

    /// The tenant's public base URL, if it is set and valid.
    #[must_use]
    pub fn base_url(&self) -> Option<PublicBaseUrl> {
        self.public_base_url
            .as_deref()
            .and_then(|u| PublicBaseUrl::parse(u).ok())
    }

    /// The stored JSON.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        // Strings, dates and integers always serialise.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads the stored JSON back.
    pub fn from_json(bytes: &[u8]) -> std::result::Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

/// Reading the dates of a stored snapshot, which every tracking lookup does:
/// chrono's own deserialisers accept every RFC 3339 and ISO 8601 variant
/// through its general format parser, while a snapshot holds only what
/// chrono wrote (`2026-03-02T09:15:00.123Z`, `2026-03-02`). These parse that
/// directly and fall back to chrono's parser for anything else, so they
/// accept what the defaults accept (a test compares the two).
mod stored_time {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::{Deserialize, Deserializer, de::Error as _};

    pub fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        parse_instant(&s).ok_or_else(|| D::Error::custom(format!("not an RFC 3339 time: {s}")))
    }

    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let s = String::deserialize(d)?;
        parse_date(&s).ok_or_else(|| D::Error::custom(format!("not a date: {s}")))
    }

    pub fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse_date(&s)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("not a date: {s}"))),
        }
    }

    pub(super) fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| s.parse().ok())
    }

    pub(super) fn parse_date(s: &str) -> Option<NaiveDate> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && digits(0..4)
            && digits(5..7)
            && digits(8..10)
        {
            let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
            let year = i32::try_from(n(0..4)?).ok()?;
            return NaiveDate::from_ymd_opt(year, n(5..7)?, n(8..10)?);
        }
        s.parse().ok()
    }
}

/// Writes `snapshot` under `track/{TOKEN}` (replacing the previous one).
pub async fn put_snapshot(store: &Store, token: &TrackingToken, snapshot: &Snapshot) -> Result<()> {
    store.set(&keys::tracking(token), &snapshot.to_json()).await
}

/// The snapshot stored for `token`, if any. An unreadable record is an error
/// (logged by the caller), not a "not found".
pub async fn get_snapshot(store: &Store, token: &TrackingToken) -> Result<Option<Snapshot>> {
    let key = keys::tracking(token);
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    Snapshot::from_json(&bytes)
        .map(Some)
        .map_err(|e| Error::Corrupt {
            key,
            detail: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::Duration;
    use ghiseu_core::citizen_contact::{CitizenContact, CitizenName, Cnp, Email, PhoneNumber};
    use ghiseu_core::document_type::{DocumentType, SignatureRequirement, TypeVersion};
    use ghiseu_core::dossier::NewDossier;
    use ghiseu_core::workflow::{Command, execute};
    use ghiseu_core::{
        Actor, Channel, DeadlineRule, DepartmentCode, DisplayName, DocumentTypeCode, DossierId,
        PublicNote, Reason, RegistrationNumber, RegistrationPrefix, Role, RouteActor, TenantSlug,
        Username,
    };

    use super::*;

    #[test]
    fn stored_dates_parse_as_chrono_parses_them() {
        use super::stored_time::{parse_date, parse_instant};
        for s in [
            "2026-03-02T09:15:00Z",
            "2026-03-02T09:15:00.459908968Z",
            "2026-03-02T11:15:00+02:00",
            "2026-03-02 09:15:00Z",
            "2026-02-30T09:15:00Z",
            "yesterday",
        ] {
            assert_eq!(
                parse_instant(s),
                s.parse::<chrono::DateTime<chrono::Utc>>().ok(),
                "{s}"
            );
        }
        for s in [
            "2026-03-02",
            "2024-02-29",
            "2026-02-29",
            "2026-13-01",
            "+2026-03-02",
            "2026-3-2",
            "20260302",
            "2026-03-0x",
        ] {
            assert_eq!(parse_date(s), s.parse::<chrono::NaiveDate>().ok(), "{s}");
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn dept(s: &str) -> DepartmentCode {
        DepartmentCode::parse(s).unwrap()
    }

    fn titles() -> Titles {
        Titles {
            ro: DisplayName::parse("Certificat de urbanism").unwrap(),
            hu: Some(DisplayName::parse("Településrendezési bizonyítvány").unwrap()),
            en: None,
        }
    }

    fn names() -> PublicNames {
        PublicNames {
            departments: [
                (
                    dept("registratura"),
                    Titles::ro(DisplayName::parse("Registratura").unwrap()),
                ),
                (
                    dept("urbanism"),
                    Titles {
                        ro: DisplayName::parse("Direcția Urbanism").unwrap(),
                        hu: Some(DisplayName::parse("Városrendezési Igazgatóság").unwrap()),
                        en: Some(DisplayName::parse("Urban Planning Directorate").unwrap()),
                    },
                ),
                (
                    dept("juridic"),
                    Titles {
                        ro: DisplayName::parse("Direcția Juridică").unwrap(),
                        hu: Some(DisplayName::parse("Jogi Igazgatóság").unwrap()),
                        en: None,
                    },
                ),
            ]
            .into(),
            officials: [(Username::parse("ion.pop").unwrap(), "Ion Pop".to_owned())].into(),
        }
    }

    /// Registered 2 March 2026 with distinctive personal data, assigned, then
    /// (optionally) resolved on 10 March.
    fn dossier(resolve: bool) -> Dossier {
        let tenant = TenantSlug::parse("cj-cluj").unwrap();
        let doc_type = DocumentType {
            tenant: tenant.clone(),
            code: DocumentTypeCode::parse("certificat-urbanism").unwrap(),
            version: TypeVersion::FIRST,
            titles: titles(),
            deadline: DeadlineRule::default(),
            first_department: dept("registratura"),
            signature: SignatureRequirement::None,
            fee_bani: 0,
            retention_years: 10,
            fields: vec![],
        };
        let new = NewDossier {
            id: DossierId::from_random([3; 16]),
            tenant: tenant.clone(),
            channel: Channel::Paper,
            number: RegistrationNumber::new(RegistrationPrefix::parse("CJC").unwrap(), 2026, 7)
                .unwrap(),
            token: TrackingToken::from_random([5; 16]),
            attachments: vec![],
            note: None,
            contact: CitizenContact {
                name: Some(CitizenName::parse("Ionela Zmeurică-Vârtej").unwrap()),
                email: Some(Email::parse("zmeurica.vartej@example.ro").unwrap()),
                phone: Some(PhoneNumber::parse("0799 123 987").unwrap()),
                cnp: Some(Cnp::parse("1960529120011").unwrap()),
                lang: None,
            },
            public_note: Some(PublicNote::parse("Depus la ghișeu").unwrap()),
            origin: None,
            form: Default::default(),
        };
        let mut d = Dossier::register(
            new,
            &doc_type,
            RouteActor::Official(Username::parse("reg.maria").unwrap()),
            at("2026-03-02T08:00:00Z"),
        );
        let admin = Actor {
            username: Username::parse("sef.urbanism").unwrap(),
            tenant,
            roles: BTreeSet::from([Role::TenantAdmin]),
            department: None,
        };
        execute(
            &mut d,
            Command::Assign {
                department: dept("urbanism"),
                official: Some(Username::parse("ion.pop").unwrap()),
            },
            &admin,
            at("2026-03-03T09:00:00Z"),
        )
        .unwrap();
        if resolve {
            execute(
                &mut d,
                Command::ExtendDeadline {
                    days: 5,
                    reason: Reason::parse("Zmeurică a cerut").unwrap(),
                },
                &admin,
                at("2026-03-04T09:00:00Z"),
            )
            .unwrap();
            execute(
                &mut d,
                Command::Resolve { note: None },
                &admin,
                at("2026-03-10T08:00:00Z"),
            )
            .unwrap();
        }
        d
    }

    #[test]
    fn view_agrees_with_the_domain_view_on_every_day() {
        for resolve in [false, true] {
            let d = dossier(resolve);
            let base = PublicBaseUrl::parse("https://ghiseu.cjcluj.ro").unwrap();
            let snap = snapshot_of(
                &d,
                "Consiliul Județean Cluj",
                Some(&base),
                &titles(),
                &names(),
            );
            // Through the stored JSON, as the component reads it.
            let snap = Snapshot::from_json(&snap.to_json()).unwrap();
            let start: NaiveDate = "2026-02-25".parse().unwrap();
            for offset in 0..90 {
                let today = start + Duration::days(offset);
                let want = PublicView::build(
                    &d,
                    "Consiliul Județean Cluj",
                    "Certificat de urbanism",
                    &names(),
                    today,
                );
                let got = snap.view(today, Lang::Ro);
                assert_eq!(got.days_in_institution, want.days_in_institution, "{today}");
                assert_eq!(got.days_left, want.days_left, "{today}");
                assert_eq!(got.deadline, want.deadline);
                assert_eq!(got.status, want.status.code());
                assert_eq!(
                    got.registration_number,
                    want.registration_number.to_string()
                );
                assert_eq!(got.registered_at, want.registered_at);
                assert_eq!(got.updated_at, want.updated_at);
                assert_eq!(got.route_head, want.route_head);
                assert_eq!(got.current.department, want.current.department);
                assert_eq!(got.current.official, want.current.official);
                assert_eq!(got.route.len(), want.route.len());
                for (g, w) in got.route.iter().zip(&want.route) {
                    assert_eq!(
                        (g.at, g.event.as_str(), &g.department, &g.official, &g.note),
                        (w.at, w.event, &w.department, &w.official, &w.note)
                    );
                }
            }
            assert_eq!(snap.base_url(), Some(base));
            assert_eq!(snap.token, d.token().to_string());
        }
    }

    #[test]
    fn titles_follow_the_language_with_romanian_fallback() {
        let snap = snapshot_of(&dossier(false), "CJ", None, &titles(), &names());
        let today = "2026-03-05".parse().unwrap();
        assert_eq!(
            snap.view(today, Lang::Hu).document_type.title,
            "Településrendezési bizonyítvány"
        );
        assert_eq!(
            snap.view(today, Lang::En).document_type.title,
            "Certificat de urbanism"
        );
        assert_eq!(snap.public_status(), Some(PublicStatus::InProgress));
        assert_eq!(snap.base_url(), None);
    }

    /// `(current department, [route departments])` of the view in `lang`.
    fn departments_in(snap: &Snapshot, lang: Lang) -> (String, Vec<Option<String>>) {
        let v = snap.view("2026-03-05".parse().unwrap(), lang);
        let route = v.route.into_iter().map(|e| e.department).collect();
        (v.current.department, route)
    }

    #[test]
    fn department_names_follow_the_language_with_romanian_fallback() {
        let snap = snapshot_of(&dossier(false), "CJ", None, &titles(), &names());
        let snap = Snapshot::from_json(&snap.to_json()).unwrap();
        // Only the named departments that have a translation are kept: not
        // Registratura (Romanian only), not Juridic (not on this route).
        let kept: Vec<_> = snap
            .department_names
            .iter()
            .map(|t| t.ro.as_str())
            .collect();
        assert_eq!(kept, ["Direcția Urbanism"]);
        let reg = Some("Registratura".to_owned());
        for (lang, urbanism) in [
            (Lang::Ro, "Direcția Urbanism"),
            (Lang::Hu, "Városrendezési Igazgatóság"),
            (Lang::En, "Urban Planning Directorate"),
        ] {
            let u = Some(urbanism.to_owned());
            assert_eq!(
                departments_in(&snap, lang),
                (urbanism.to_owned(), vec![reg.clone(), u]),
                "{lang:?}"
            );
        }
        // The stored JSON keeps the Romanian names where readers that know
        // only them look.
        let stored: serde_json::Value = serde_json::from_slice(&snap.to_json()).unwrap();
        assert_eq!(stored["current"]["department"], "Direcția Urbanism");
        assert_eq!(stored["route"][1]["department"], "Direcția Urbanism");
    }

    #[test]
    fn a_snapshot_written_before_department_names_reads_in_romanian() {
        let old = r#"{"v":1,"token":"05050505050505050505050505","registration_number":"CJC-2026-000007",
            "registered_at":"2026-03-02T08:00:00Z","registered_on":"2026-03-02",
            "institution":{"slug":"cj-cluj","name":"Consiliul Județean Cluj"},"public_base_url":null,
            "document_type_code":"certificat-urbanism",
            "document_type_titles":{"ro":"Certificat de urbanism","hu":"Településrendezési bizonyítvány","en":null},
            "status":"in_progress","current":{"department":"Direcția Urbanism","official":"Ion Pop"},
            "route":[{"at":"2026-03-02T08:00:00Z","event":"registered","department":"Registratura","official":null,"note":"Depus la ghișeu"},
                     {"at":"2026-03-03T09:00:00Z","event":"assigned","department":"Direcția Urbanism","official":"Ion Pop","note":null}],
            "deadline":"2026-04-01","closed_on":null,"updated_at":"2026-03-03T09:00:00Z",
            "route_head":"0000000000000000000000000000000000000000000000000000000000000000"}"#;
        let snap = Snapshot::from_json(old.as_bytes()).unwrap();
        assert!(snap.department_names.is_empty());
        let want = (
            "Direcția Urbanism".to_owned(),
            vec![
                Some("Registratura".to_owned()),
                Some("Direcția Urbanism".to_owned()),
            ],
        );
        for lang in [Lang::Ro, Lang::Hu, Lang::En] {
            assert_eq!(departments_in(&snap, lang), want, "{lang:?}");
        }
        let view = snap.view("2026-03-05".parse().unwrap(), Lang::Hu);
        assert_eq!(view.document_type.title, "Településrendezési bizonyítvány");
        assert_eq!(view.days_in_institution, 3);
        // Written back, it gains nothing it did not have.
        assert!(
            !String::from_utf8(snap.to_json())
                .unwrap()
                .contains("department_names")
        );
    }

    #[test]
    fn a_journey_shows_every_legs_departments_in_the_readers_language() {
        let mut first = snapshot_of(&dossier(false), "CJ", None, &titles(), &names());
        let mut other = names();
        other.departments.insert(
            dept("registratura"),
            Titles {
                ro: DisplayName::parse("Registratura").unwrap(),
                hu: Some(DisplayName::parse("Iktató").unwrap()),
                en: None,
            },
        );
        let mut second = snapshot_of(&dossier(false), "Florești", None, &titles(), &other);
        second.institution.name = "Florești".to_owned();
        first.department_names.clear();
        let mut snaps = [first, second];
        join_journey(&mut snaps);
        for snap in &snaps {
            let v = snap.view("2026-03-05".parse().unwrap(), Lang::Hu);
            assert_eq!(v.journey.len(), 2);
            for leg in &v.journey {
                assert_eq!(leg.current.department, "Városrendezési Igazgatóság");
                assert_eq!(leg.route[0].department.as_deref(), Some("Iktató"));
            }
            assert_eq!(v.route[0].department.as_deref(), Some("Iktató"));
            let ro = snap.view("2026-03-05".parse().unwrap(), Lang::Ro);
            assert_eq!(
                ro.journey[1].route[0].department.as_deref(),
                Some("Registratura")
            );
        }
    }

    #[test]
    fn json_has_exactly_the_public_fields_and_no_personal_data() {
        let snap = snapshot_of(&dossier(true), "CJ", None, &titles(), &names());
        let stored = String::from_utf8(snap.to_json()).unwrap();
        let view =
            serde_json::to_value(snap.view("2026-03-20".parse().unwrap(), Lang::Ro)).unwrap();
        let mut keys: Vec<_> = view.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "current",
                "days_in_institution",
                "days_left",
                "deadline",
                "document_type",
                "institution",
                "registered_at",
                "registration_number",
                "route",
                "route_head",
                "status",
                "updated_at"
            ]
        );
        assert_eq!(view["deadline"], "2026-04-06");
        assert_eq!(view["registered_at"], "2026-03-02T08:00:00Z");
        assert_eq!(view["days_in_institution"], 8);
        let text = format!("{stored}{view}");
        for secret in [
            "Zmeuric",
            "zmeurica",
            "799123987",
            "1960529120011",
            "reg.maria",
            "sef.urbanism",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
}
