//! What the public sees: the status mapping, labels in three languages, and the
//! tracking view of DESIGN §4.
//!
//! [`PublicView`] has exactly the fields of the tracking JSON and is built only
//! from public facts: the registration number and time, the institution, the
//! document type, the status, department and official display names, event codes
//! and times, public notes, dates and the route head. The citizen's contact, name
//! and CNP, attachments, internal notes, reasons and actors' usernames are not
//! inputs of any field, so they cannot appear. Wire formatting (JSON, HTML) is
//! the components' job.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::document_type::Titles;
use crate::dossier::{Dossier, DossierStatus};
use crate::ids::{DepartmentCode, DocumentTypeCode, TenantSlug, Username};
use crate::lang::Lang;
use crate::regno::RegistrationNumber;

/// A status as shown to the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicStatus {
    /// Registered.
    Registered,
    /// In progress, at a department and maybe an official.
    InProgress,
    /// Waiting for the citizen's reply.
    AwaitingReply,
    /// Waiting for a signature.
    AwaitingSignature,
    /// Resolved: the document was issued or the answer given.
    Resolved,
    /// Rejected.
    Rejected,
    /// Forwarded to another institution.
    Forwarded,
    /// Withdrawn by the citizen (not in DESIGN §3's list, which has no place for it;
    /// calling it resolved or rejected would be false).
    Withdrawn,
    /// Joined to an earlier dossier of the same request (a duplicate).
    Joined,
}

impl From<DossierStatus> for PublicStatus {
    fn from(s: DossierStatus) -> Self {
        match s {
            DossierStatus::Registered => Self::Registered,
            DossierStatus::InProgress => Self::InProgress,
            DossierStatus::AwaitingCitizen => Self::AwaitingReply,
            DossierStatus::AwaitingSignature => Self::AwaitingSignature,
            DossierStatus::Resolved => Self::Resolved,
            DossierStatus::Rejected => Self::Rejected,
            DossierStatus::Withdrawn => Self::Withdrawn,
            DossierStatus::ForwardedOut => Self::Forwarded,
            DossierStatus::Joined => Self::Joined,
        }
    }
}

impl PublicStatus {
    /// Whether an answer is still owed, so a deadline's days left mean
    /// something: not once resolved, rejected, withdrawn or joined to another
    /// request (a forwarded one is owed by the institution it went to).
    pub fn answer_owed(self) -> bool {
        !matches!(
            self,
            Self::Resolved | Self::Rejected | Self::Withdrawn | Self::Joined
        )
    }

    /// The code in the tracking JSON: `registered`, `in_progress`,
    /// `awaiting_reply`, `awaiting_signature`, `resolved`, `rejected`,
    /// `forwarded`, `withdrawn`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::InProgress => "in_progress",
            Self::AwaitingReply => "awaiting_reply",
            Self::AwaitingSignature => "awaiting_signature",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Forwarded => "forwarded",
            Self::Withdrawn => "withdrawn",
            Self::Joined => "joined",
        }
    }
}

impl PublicStatus {
    /// Every public status.
    pub const ALL: [PublicStatus; 9] = [
        Self::Registered,
        Self::InProgress,
        Self::AwaitingReply,
        Self::AwaitingSignature,
        Self::Resolved,
        Self::Rejected,
        Self::Forwarded,
        Self::Withdrawn,
        Self::Joined,
    ];

    /// The status with this [`code`](Self::code), e.g. read back from a stored
    /// tracking snapshot.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The human label of a route event code ([`crate::route::EventKind::code`]) in
/// `lang`; `None` for an unknown code.
pub fn event_label(code: &str, lang: Lang) -> Option<&'static str> {
    let [ro, hu, en] = match code {
        "registered" => ["Înregistrat", "Iktatva", "Registered"],
        "assigned" => ["Repartizat", "Kiosztva", "Assigned"],
        "forwarded" => [
            "Trimis altui compartiment",
            "Másik osztályhoz továbbítva",
            "Sent to another department",
        ],
        "info_requested" => [
            "Informații cerute petentului",
            "Kiegészítés kérve",
            "Information requested",
        ],
        "citizen_replied" => [
            "Petentul a răspuns",
            "A kérelmező válaszolt",
            "Reply received",
        ],
        "response_drafted" => ["Răspuns redactat", "Válasz elkészítve", "Response drafted"],
        "sent_for_signature" => ["Trimis la semnat", "Aláírásra küldve", "Sent for signature"],
        "signed" => ["Semnat", "Aláírva", "Signed"],
        "issued" => ["Document emis", "Dokumentum kiállítva", "Document issued"],
        "resolved" => ["Soluționat", "Megoldva", "Resolved"],
        "rejected" => ["Respins", "Elutasítva", "Rejected"],
        "withdrawn" => ["Retras", "Visszavonva", "Withdrawn"],
        "forwarded_to_institution" => [
            "Redirecționat către altă instituție",
            "Más intézményhez továbbítva",
            "Forwarded to another institution",
        ],
        "joined" => [
            "Conexat la un dosar anterior",
            "Korábbi ügyirathoz csatolva",
            "Joined to an earlier dossier",
        ],
        "deadline_extended" => [
            "Termen prelungit",
            "Határidő meghosszabbítva",
            "Deadline extended",
        ],
        _ => return None,
    };
    Some(match lang {
        Lang::Ro => ro,
        Lang::Hu => hu,
        Lang::En => en,
    })
}

/// The human label of a public status in `lang`.
pub fn status_label(status: PublicStatus, lang: Lang) -> &'static str {
    use PublicStatus as P;
    match (lang, status) {
        (Lang::Ro, P::Registered) => "Înregistrat",
        (Lang::Ro, P::InProgress) => "În lucru",
        (Lang::Ro, P::AwaitingReply) => "Așteaptă răspunsul dumneavoastră",
        (Lang::Ro, P::AwaitingSignature) => "În curs de semnare",
        (Lang::Ro, P::Resolved) => "Soluționat (document emis)",
        (Lang::Ro, P::Rejected) => "Respins",
        (Lang::Ro, P::Forwarded) => "Redirecționat către altă instituție",
        (Lang::Ro, P::Withdrawn) => "Retras",
        (Lang::Ro, P::Joined) => "Conexat la un dosar anterior",
        (Lang::Hu, P::Registered) => "Iktatva",
        (Lang::Hu, P::InProgress) => "Ügyintézés alatt",
        (Lang::Hu, P::AwaitingReply) => "Az Ön válaszára vár",
        (Lang::Hu, P::AwaitingSignature) => "Aláírásra vár",
        (Lang::Hu, P::Resolved) => "Megoldva (dokumentum kiállítva)",
        (Lang::Hu, P::Rejected) => "Elutasítva",
        (Lang::Hu, P::Forwarded) => "Más intézményhez továbbítva",
        (Lang::Hu, P::Withdrawn) => "Visszavonva",
        (Lang::Hu, P::Joined) => "Korábbi ügyirathoz csatolva",
        (Lang::En, P::Registered) => "Registered",
        (Lang::En, P::InProgress) => "In progress",
        (Lang::En, P::AwaitingReply) => "Awaiting your reply",
        (Lang::En, P::AwaitingSignature) => "Awaiting signature",
        (Lang::En, P::Resolved) => "Resolved (document issued)",
        (Lang::En, P::Rejected) => "Rejected",
        (Lang::En, P::Forwarded) => "Forwarded to another institution",
        (Lang::En, P::Withdrawn) => "Withdrawn",
        (Lang::En, P::Joined) => "Joined to an earlier dossier",
    }
}

/// Display names the public view may show. Departments without an entry show
/// their code; officials without an entry are not shown (never their username).
/// The view names departments in Romanian; their other names are here for
/// whoever shows the view in another language.
#[derive(Debug, Clone, Default)]
pub struct PublicNames {
    /// Department names, in Romanian and, where given, Hungarian and English.
    pub departments: BTreeMap<DepartmentCode, Titles>,
    /// Official display names.
    pub officials: BTreeMap<Username, String>,
}

impl PublicNames {
    /// The display names of a tenant's departments and officials.
    pub fn of(departments: &[crate::Department], officials: &[crate::Official]) -> Self {
        Self {
            departments: departments
                .iter()
                .map(|d| (d.code.clone(), d.name.clone()))
                .collect(),
            officials: officials
                .iter()
                .map(|o| (o.username.clone(), o.display_name.to_string()))
                .collect(),
        }
    }

    fn department(&self, code: &DepartmentCode) -> String {
        self.departments
            .get(code)
            .map_or_else(|| code.to_string(), |n| n.ro.to_string())
    }

    fn official(&self, username: Option<&Username>) -> Option<String> {
        username.and_then(|u| self.officials.get(u).cloned())
    }
}

/// `institution` in the tracking JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicInstitution {
    /// The tenant's slug.
    pub slug: TenantSlug,
    /// The tenant's name.
    pub name: String,
}

/// `document_type` in the tracking JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicDocumentType {
    /// The type's code.
    pub code: DocumentTypeCode,
    /// Its title in the page language.
    pub title: String,
}

/// `current` in the tracking JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicCurrent {
    /// The department's display name.
    pub department: String,
    /// The official's display name, if assigned.
    pub official: Option<String>,
}

/// One entry of `route` in the tracking JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicRouteEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The event code ([`crate::route::EventKind::code`]).
    pub event: &'static str,
    /// The department's display name after the event.
    pub department: Option<String>,
    /// The official's display name after the event.
    pub official: Option<String>,
    /// The public note.
    pub note: Option<String>,
}

/// The public tracking view (DESIGN §4), field for field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicView {
    /// `registration_number`.
    pub registration_number: RegistrationNumber,
    /// `registered_at`.
    pub registered_at: DateTime<Utc>,
    /// `institution {slug, name}`.
    pub institution: PublicInstitution,
    /// `document_type {code, title}`.
    pub document_type: PublicDocumentType,
    /// `status`.
    pub status: PublicStatus,
    /// `current {department, official}`.
    pub current: PublicCurrent,
    /// `route [{at, event, department, official, note}]`, oldest first.
    pub route: Vec<PublicRouteEntry>,
    /// `days_in_institution`: registration day is day 0; stops at closing.
    pub days_in_institution: i64,
    /// `deadline`.
    pub deadline: NaiveDate,
    /// `days_left`: negative when overdue; frozen at closing.
    pub days_left: i64,
    /// `updated_at`: the newest event's time.
    pub updated_at: DateTime<Utc>,
    /// `route_head`: the route's head hash, 64 hex digits.
    pub route_head: String,
}

impl PublicView {
    /// Builds the view of `dossier` on `today` (a Romanian local date).
    pub fn build(
        dossier: &Dossier,
        tenant_name: &str,
        document_type_title: &str,
        names: &PublicNames,
        today: NaiveDate,
    ) -> Self {
        let route = dossier
            .route()
            .events()
            .iter()
            .map(|c| PublicRouteEntry {
                at: c.event.at,
                event: c.event.kind.code(),
                department: c.event.department.as_ref().map(|d| names.department(d)),
                official: names.official(c.event.official.as_ref()),
                note: c.event.note.as_ref().map(|n| n.as_str().to_owned()),
            })
            .collect();
        Self {
            registration_number: dossier.number().clone(),
            registered_at: dossier.registered_at(),
            institution: PublicInstitution {
                slug: dossier.tenant().clone(),
                name: tenant_name.to_owned(),
            },
            document_type: PublicDocumentType {
                code: dossier.document_type().clone(),
                title: document_type_title.to_owned(),
            },
            status: dossier.status().into(),
            current: PublicCurrent {
                department: names.department(dossier.current_department()),
                official: names.official(dossier.current_official()),
            },
            route,
            days_in_institution: dossier.days_in_institution(today),
            deadline: dossier.deadline(),
            days_left: dossier.days_left(today),
            updated_at: dossier.updated_at(),
            route_head: dossier.route().head_hash_hex(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::citizen_contact::{CitizenContact, CitizenName, Cnp, Email, PhoneNumber};
    use crate::dossier::tests::{at, dept, sample_dossier, user};
    use crate::ids::TenantSlug;
    use crate::permissions::Actor;
    use crate::role::Role;
    use crate::text::{DisplayName, PublicNote, Reason};
    use crate::workflow::{Command, execute};

    #[test]
    fn an_answer_is_owed_until_the_request_is_finished() {
        use PublicStatus as S;
        for s in [
            S::Registered,
            S::InProgress,
            S::AwaitingReply,
            S::AwaitingSignature,
            S::Forwarded,
        ] {
            assert!(s.answer_owed(), "{s:?}");
        }
        for s in [S::Resolved, S::Rejected, S::Withdrawn, S::Joined] {
            assert!(!s.answer_owed(), "{s:?}");
        }
    }

    #[test]
    fn status_mapping_table() {
        use DossierStatus as D;
        use PublicStatus as P;
        let cases = [
            (
                D::Registered,
                P::Registered,
                "Înregistrat",
                "Iktatva",
                "Registered",
            ),
            (
                D::InProgress,
                P::InProgress,
                "În lucru",
                "Ügyintézés alatt",
                "In progress",
            ),
            (
                D::AwaitingCitizen,
                P::AwaitingReply,
                "Așteaptă răspunsul dumneavoastră",
                "Az Ön válaszára vár",
                "Awaiting your reply",
            ),
            (
                D::AwaitingSignature,
                P::AwaitingSignature,
                "În curs de semnare",
                "Aláírásra vár",
                "Awaiting signature",
            ),
            (
                D::Resolved,
                P::Resolved,
                "Soluționat (document emis)",
                "Megoldva (dokumentum kiállítva)",
                "Resolved (document issued)",
            ),
            (
                D::Rejected,
                P::Rejected,
                "Respins",
                "Elutasítva",
                "Rejected",
            ),
            (
                D::ForwardedOut,
                P::Forwarded,
                "Redirecționat către altă instituție",
                "Más intézményhez továbbítva",
                "Forwarded to another institution",
            ),
            (
                D::Withdrawn,
                P::Withdrawn,
                "Retras",
                "Visszavonva",
                "Withdrawn",
            ),
            (
                D::Joined,
                P::Joined,
                "Conexat la un dosar anterior",
                "Korábbi ügyirathoz csatolva",
                "Joined to an earlier dossier",
            ),
        ];
        assert_eq!(cases.len(), DossierStatus::ALL.len());
        for (internal, public, ro, hu, en) in cases {
            let p = PublicStatus::from(internal);
            assert_eq!(p, public, "{internal:?}");
            assert_eq!(
                [
                    status_label(p, Lang::Ro),
                    status_label(p, Lang::Hu),
                    status_label(p, Lang::En)
                ],
                [ro, hu, en]
            );
        }
    }

    #[test]
    fn status_codes_round_trip_and_every_event_has_labels() {
        for s in PublicStatus::ALL {
            assert_eq!(PublicStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(PublicStatus::from_code("closed"), None);
        for code in [
            "registered",
            "assigned",
            "forwarded",
            "info_requested",
            "citizen_replied",
            "response_drafted",
            "sent_for_signature",
            "signed",
            "issued",
            "resolved",
            "rejected",
            "withdrawn",
            "forwarded_to_institution",
            "deadline_extended",
        ] {
            for lang in Lang::ALL {
                assert!(event_label(code, lang).is_some(), "{code} {lang:?}");
            }
        }
        assert_eq!(event_label("assigned", Lang::Hu), Some("Kiosztva"));
        assert_eq!(event_label("nope", Lang::Ro), None);
    }

    #[test]
    fn view_has_the_route_and_no_personal_data() {
        let mut d = sample_dossier();
        // Give the citizen distinctive personal data, in the contact and in
        // internal texts, and check none of it reaches the view.
        let mut parts = d.parts().clone();
        parts.contact = CitizenContact {
            name: Some(CitizenName::parse("Ionela Zmeurică-Vârtej").unwrap()),
            email: Some(Email::parse("zmeurica.vartej@example.ro").unwrap()),
            phone: Some(PhoneNumber::parse("0799 123 987").unwrap()),
            cnp: Some(Cnp::parse("1960529120011").unwrap()),
            lang: None,
        };
        d = Dossier::from_parts(parts, d.route().clone()).unwrap();
        let head = Actor {
            username: user("sef.urbanism"),
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            roles: [Role::TenantAdmin].into(),
            department: None,
        };
        let now = at("2026-03-04T08:00:00Z");
        execute(
            &mut d,
            Command::Assign {
                department: dept("urbanism"),
                official: Some(user("ion.pop")),
            },
            &head,
            now,
        )
        .unwrap();
        execute(
            &mut d,
            Command::ExtendDeadline {
                days: 5,
                reason: Reason::parse("Ionela Zmeurică a cerut").unwrap(),
            },
            &head,
            now,
        )
        .unwrap();
        execute(
            &mut d,
            Command::Resolve {
                note: Some(PublicNote::parse("Răspuns transmis").unwrap()),
            },
            &head,
            at("2026-03-10T08:00:00Z"),
        )
        .unwrap();

        let names = PublicNames {
            departments: [
                (
                    dept("urbanism"),
                    Titles {
                        ro: DisplayName::parse("Direcția Urbanism").unwrap(),
                        hu: Some(DisplayName::parse("Városrendezési Igazgatóság").unwrap()),
                        en: None,
                    },
                ),
                (
                    dept("registratura"),
                    Titles::ro(DisplayName::parse("Registratura").unwrap()),
                ),
            ]
            .into(),
            officials: [(user("ion.pop"), "Ion Pop".to_owned())].into(),
        };
        let v = PublicView::build(
            &d,
            "Consiliul Județean Cluj",
            "Petiție",
            &names,
            "2026-03-20".parse().unwrap(),
        );
        assert_eq!(v.registration_number.to_string(), "CJC-2026-000042");
        assert_eq!(v.status, PublicStatus::Resolved);
        assert_eq!(
            v.current,
            PublicCurrent {
                department: "Direcția Urbanism".into(),
                official: Some("Ion Pop".into())
            }
        );
        let events: Vec<_> = v
            .route
            .iter()
            .map(|e| (e.event, e.department.as_deref(), e.official.as_deref()))
            .collect();
        assert_eq!(
            events,
            [
                ("registered", Some("Registratura"), None),
                ("assigned", Some("Direcția Urbanism"), Some("Ion Pop")),
                (
                    "deadline_extended",
                    Some("Direcția Urbanism"),
                    Some("Ion Pop")
                ),
                ("resolved", Some("Direcția Urbanism"), Some("Ion Pop")),
            ]
        );
        assert_eq!(v.route[3].note.as_deref(), Some("Răspuns transmis"));
        assert_eq!(v.deadline, "2026-04-06".parse().unwrap());
        assert_eq!(v.days_in_institution, 8);
        assert_eq!(v.days_left, 27);
        assert_eq!(v.updated_at, at("2026-03-10T08:00:00Z"));
        assert_eq!(v.route_head, d.route().head_hash_hex());

        let text = format!("{v:?}");
        for secret in [
            "Zmeuric",
            "zmeurica",
            "799123987",
            "1960529120011",
            "scan Ionela",
            "Depus la",
            "sef.urbanism",
            "ion.pop",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}
