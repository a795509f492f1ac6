use super::*;
use crate::citizen_contact::{CitizenName, Cnp, Email, PhoneNumber};
use crate::digest::Sha256Digest;
use crate::document_type::FieldName;
use crate::dossier::tests::{at, dept, sample_dossier, user};
use crate::dossier::{DossierError, DossierStatus};
use crate::route::{RouteActor, RouteError};
use crate::stats::Facts;
use crate::stored::StoredDossier;
use crate::text::PublicNote;

fn event(at_s: &str, note: Option<&str>, kind: EventKind) -> RouteEvent {
    RouteEvent {
        at: at(at_s),
        actor: RouteActor::Official(user("ion.pop")),
        department: Some(dept("urbanism")),
        official: Some(user("ion.pop")),
        note: note.map(|n| PublicNote::parse(n).unwrap()),
        kind,
    }
}

fn file(content: &[u8], name: &str) -> Attachment {
    Attachment {
        sha256: Sha256Digest::of(content),
        media_type: crate::attachment::MediaType::Pdf,
        size: content.len() as u64,
        original_name: OriginalName::parse(name).unwrap(),
    }
}

/// The sample petition with Ionela's contact and form answers, asked for a
/// document, answered with a file, extended, and resolved on 20 March 2026
/// (Romanian date) with a response naming her.
fn closed_dossier() -> Dossier {
    let mut d = sample_dossier();
    let reason = |s: &str| Reason::parse(s).unwrap();
    for e in [
        event(
            "2026-03-03T08:00:00Z",
            None,
            EventKind::Assigned {
                department: dept("urbanism"),
                official: Some(user("ion.pop")),
            },
        ),
        event(
            "2026-03-04T08:00:00Z",
            Some("Doamna Ionela Vlad a fost rugată să completeze"),
            EventKind::InfoRequested {
                question: reason("Doamnă Ionela Vlad, trimiteți actul de identitate."),
            },
        ),
        RouteEvent {
            actor: RouteActor::Citizen,
            ..event(
                "2026-03-06T08:00:00Z",
                None,
                EventKind::CitizenReplied {
                    paused_days: 2,
                    message: Some(reason("Atașez buletinul, Ionela Vlad, str. Florilor 3")),
                    documents: vec![file(b"%PDF buletin", "buletin Ionela Vlad.pdf")],
                },
            )
        },
        event(
            "2026-03-10T08:00:00Z",
            None,
            EventKind::DeadlineExtended {
                days: 5,
                reason: reason("Verificăm actele doamnei Vlad"),
            },
        ),
        event(
            "2026-03-19T08:00:00Z",
            None,
            EventKind::ResponseDrafted {
                document: file(b"%PDF raspuns", "raspuns Ionela Vlad.pdf"),
            },
        ),
        event(
            "2026-03-20T08:00:00Z",
            Some("Răspuns trimis doamnei Vlad"),
            EventKind::Resolved,
        ),
    ] {
        d.record(e);
    }
    let mut parts = d.parts().clone();
    parts.contact = CitizenContact {
        name: Some(CitizenName::parse("Ionela Vlad").unwrap()),
        email: Some(Email::parse("ionela.vlad@example.ro").unwrap()),
        phone: Some(PhoneNumber::parse("0745123456").unwrap()),
        cnp: Some(Cnp::parse("1960529120011").unwrap()),
        lang: Some(crate::Lang::Hu),
    };
    parts.form = FormData::from_pairs(vec![(
        FieldName::parse("adresa").unwrap(),
        "str. Florilor 3, Cluj".to_owned(),
    )]);
    Dossier::from_parts(parts, d.route().clone()).unwrap()
}

const PERSONAL: [&str; 7] = [
    "Ionela",
    "Vlad",
    "ionela.vlad",
    "745123456",
    "1960529120011",
    "Florilor",
    "Depus la ghișeu",
];

#[test]
fn a_closed_dossier_is_due_the_day_after_its_retention_ends() {
    let d = closed_dossier();
    assert_eq!(d.closed_on(), Some("2026-03-20".parse().unwrap()));
    let open = sample_dossier();
    let erased = erase(&d, at("2030-01-01T00:00:00Z"));
    let cases: &[(&str, &Dossier, u16, &str, bool)] = &[
        ("on the closing day", &d, 1, "2026-03-20", false),
        (
            "on the last day of the year kept",
            &d,
            1,
            "2027-03-20",
            false,
        ),
        ("the day after", &d, 1, "2027-03-21", true),
        ("ten years kept, after one", &d, 10, "2027-03-21", false),
        ("ten years kept, after ten", &d, 10, "2036-03-21", true),
        ("open, however old", &open, 1, "2090-01-01", false),
        ("erased already", &erased, 1, "2090-01-01", false),
    ];
    for (name, dossier, years, today, want) in cases {
        assert_eq!(
            is_due(dossier, *years, today.parse().unwrap()),
            *want,
            "{name}"
        );
    }
    // 29 February is kept until 28 February of a year without one.
    let leap: NaiveDate = "2024-02-29".parse().unwrap();
    assert_eq!(last_day(leap, 1), Some("2025-02-28".parse().unwrap()));
    assert_eq!(last_day(leap, 4), Some("2028-02-29".parse().unwrap()));
}

#[test]
fn erasure_removes_personal_data_and_keeps_the_shape_and_the_figures() {
    let d = closed_dossier();
    let when = at("2027-03-22T03:00:00Z");
    let e = erase(&d, when);

    // The state the route replays to, and so every statistic, is the same.
    assert_eq!(Facts::of(&e), Facts::of(&d));
    assert_eq!(e.status(), DossierStatus::Resolved);
    assert_eq!(e.deadline(), d.deadline());
    assert_eq!(e.extension().map(|x| x.days), Some(5));
    assert_eq!(e.updated_at(), d.updated_at());
    assert_eq!(
        (e.number(), e.token(), e.document_type(), e.channel()),
        (d.number(), d.token(), d.document_type(), d.channel())
    );
    // The route keeps every event's kind, time, actor, department and official.
    let shape = |x: &Dossier| {
        x.route()
            .events()
            .iter()
            .map(|c| {
                let e = &c.event;
                (
                    e.kind.code(),
                    e.at,
                    e.actor.clone(),
                    e.department.clone(),
                    e.official.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&e), shape(&d));
    // Files keep their digest, type and size, not their names.
    let digests = |x: &Dossier| {
        files(x)
            .iter()
            .map(|a| (a.sha256, a.size))
            .collect::<Vec<_>>()
    };
    assert_eq!(digests(&e), digests(&d));
    assert!(
        files(&e)
            .iter()
            .all(|a| a.original_name.as_str() == ERASED_TEXT)
    );

    // Nothing personal is left, anywhere in the stored record.
    assert_eq!(e.contact(), &CitizenContact::default());
    assert!(e.form().pairs().is_empty());
    assert_eq!(e.note(), None);
    assert!(e.route().events().iter().all(|c| c.event.note.is_none()));
    let json = serde_json::to_string(&e.to_stored()).unwrap();
    for word in PERSONAL {
        assert!(!json.contains(word), "{word} left in {json}");
        assert!(
            serde_json::to_string(&d.to_stored())
                .unwrap()
                .contains(word),
            "the sample holds {word}"
        );
    }

    // What was erased is recorded: the old head, the files and their bytes.
    let erasure = e.erasure().unwrap();
    assert_eq!(erasure.at, when);
    assert_eq!(erasure.previous_head, d.route().head_hash());
    assert_ne!(e.route().head_hash(), d.route().head_hash());
    assert_eq!(erasure.files, 3);
    assert_eq!(erasure.bytes, 13 + 12 + 12);
}

#[test]
fn erasing_twice_changes_nothing() {
    let d = closed_dossier();
    let once = erase(&d, at("2027-03-22T03:00:00Z"));
    let twice = erase(&once, at("2027-03-23T03:00:00Z"));
    assert_eq!(twice, once);
    assert_eq!(twice.to_stored(), once.to_stored());
}

#[test]
fn an_erased_record_loads_and_a_tampered_one_is_refused() {
    let e = erase(&closed_dossier(), at("2027-03-22T03:00:00Z"));
    let stored = e.to_stored();
    // It reads back as itself, its re-chained route verified and replayed.
    let bytes = serde_json::to_vec(&stored).unwrap();
    let back: StoredDossier = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(Dossier::from_stored(&back).unwrap(), e);
    assert_eq!(
        Dossier::from_parts(e.parts().clone(), e.route().clone()).unwrap(),
        e
    );

    // An erased event edited afterwards (an official, a time, a kept text)
    // is found by the chain as before erasure.
    type Tamper = fn(&mut StoredDossier);
    let cases: &[(&str, Tamper)] = &[
        ("official", |s| {
            s.route[1].official = Some("alt.functionar".to_owned())
        }),
        ("time", |s| {
            s.route[5].at = "2026-03-19T09:00:00Z".to_owned()
        }),
        ("note put back", |s| {
            s.route[2].note = Some("Doamna Ionela Vlad".to_owned())
        }),
        ("event removed", |s| {
            s.route.remove(3);
        }),
    ];
    for (name, tamper) in cases {
        let mut s = stored.clone();
        tamper(&mut s);
        let err = Dossier::from_stored(&s).unwrap_err();
        assert!(
            matches!(
                err,
                crate::stored::StoredError::Dossier(DossierError::Route(
                    RouteError::HashMismatch { .. }
                ))
            ),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn a_record_written_before_retention_reads_as_kept_whole() {
    let d = closed_dossier();
    let json = serde_json::to_string(&d.to_stored()).unwrap();
    assert!(!json.contains("erased"), "{json}");
    let back: StoredDossier = serde_json::from_str(&json).unwrap();
    assert_eq!(Dossier::from_stored(&back).unwrap().erasure(), None);
}
