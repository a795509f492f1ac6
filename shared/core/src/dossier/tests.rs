use super::*;
use crate::document_type::tests::petition_type;
use crate::regno::RegistrationPrefix;

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub(crate) fn dept(s: &str) -> DepartmentCode {
    DepartmentCode::parse(s).unwrap()
}

pub(crate) fn user(s: &str) -> Username {
    Username::parse(s).unwrap()
}

/// A petition registered at 10:00 Bucharest time on Monday 2 March 2026.
pub(crate) fn sample_dossier() -> Dossier {
    let new = NewDossier {
        id: DossierId::from_random([7; 16]),
        tenant: TenantSlug::parse("cj-cluj").unwrap(),
        channel: Channel::Paper,
        number: RegistrationNumber::new(RegistrationPrefix::parse("CJC").unwrap(), 2026, 42)
            .unwrap(),
        token: TrackingToken::from_random([9; 16]),
        attachments: vec![Attachment {
            sha256: Sha256Digest::of(b"%PDF-1.7 scan"),
            media_type: MediaType::Pdf,
            size: 13,
            original_name: OriginalName::parse("scan Ionela.pdf").unwrap(),
        }],
        note: Some(InternalNote::parse("Depus la ghișeu").unwrap()),
        contact: CitizenContact::default(),
        public_note: None,
        origin: None,
        form: FormData::default(),
    };
    Dossier::register(
        new,
        &petition_type(),
        RouteActor::Official(user("reg.maria")),
        at("2026-03-02T08:00:00Z"),
    )
}

#[test]
fn registration_sets_deadline_and_department() {
    let d = sample_dossier();
    assert_eq!(d.status(), DossierStatus::Registered);
    assert_eq!(d.current_department(), &dept("registratura"));
    assert_eq!(d.deadline(), "2026-04-01".parse().unwrap());
    assert_eq!(d.route().len(), 1);
    assert_eq!(d.route().verify(), Ok(()));
    assert_eq!(d.days_in_institution("2026-03-12".parse().unwrap()), 10);
    assert_eq!(d.days_left("2026-03-12".parse().unwrap()), 20);
}

#[test]
fn late_evening_registration_counts_from_the_local_date() {
    let mut d = sample_dossier();
    // 23:30 in Bucharest on 2 March is 21:30 UTC: still 2 March.
    d.parts.registered_at = at("2026-03-02T21:30:00Z");
    assert_eq!(d.registered_on(), "2026-03-02".parse().unwrap());
    d.parts.registered_at = at("2026-03-02T22:30:00Z");
    assert_eq!(d.registered_on(), "2026-03-03".parse().unwrap());
}

#[test]
fn effects_table() {
    use DossierStatus as S;
    let reason = Reason::parse("motiv").unwrap();
    let cases: Vec<(EventKind, S)> = vec![
        (
            EventKind::Assigned {
                department: dept("urbanism"),
                official: Some(user("ion.pop")),
            },
            S::InProgress,
        ),
        (
            EventKind::Forwarded {
                from_department: dept("registratura"),
                to_department: dept("juridic"),
            },
            S::InProgress,
        ),
        (
            EventKind::InfoRequested {
                question: reason.clone(),
            },
            S::AwaitingCitizen,
        ),
        (
            EventKind::CitizenReplied {
                paused_days: 3,
                message: Some(reason.clone()),
                documents: vec![sample_dossier().attachments()[0].clone()],
            },
            S::InProgress,
        ),
        (
            EventKind::ResponseDrafted {
                document: sample_dossier().attachments()[0].clone(),
            },
            S::InProgress,
        ),
        (EventKind::SentForSignature, S::AwaitingSignature),
        (
            EventKind::Signed {
                document: sample_dossier().attachments()[0].clone(),
                response: Sha256Digest::of(b"raspuns"),
            },
            S::Registered,
        ),
        (
            EventKind::Issued {
                document: Sha256Digest::of(b"raspuns"),
            },
            S::Resolved,
        ),
        (
            EventKind::Joined {
                into: RegistrationNumber::new(RegistrationPrefix::parse("CJC").unwrap(), 2026, 7)
                    .unwrap(),
            },
            S::Joined,
        ),
        (EventKind::Resolved, S::Resolved),
        (
            EventKind::Rejected {
                reason: reason.clone(),
            },
            S::Rejected,
        ),
        (EventKind::Withdrawn, S::Withdrawn),
        (
            EventKind::ForwardedToInstitution {
                tenant: TenantSlug::parse("primaria-turda").unwrap(),
                dossier: DossierId::from_random([3; 16]),
            },
            S::ForwardedOut,
        ),
        (
            EventKind::DeadlineExtended { days: 15, reason },
            S::Registered,
        ),
    ];
    for (kind, want) in cases {
        let mut d = sample_dossier();
        let code = kind.code();
        d.record(RouteEvent {
            at: at("2026-03-03T08:00:00Z"),
            actor: RouteActor::System,
            department: None,
            official: None,
            note: None,
            kind,
        });
        assert_eq!(d.status(), want, "{code}");
        assert_eq!(d.route().verify(), Ok(()), "{code}");
        // Replaying the stored route gives the same dossier.
        let again = Dossier::from_parts(d.parts().clone(), d.route().clone()).unwrap();
        assert_eq!(again, d, "{code}");
    }
}

#[test]
fn forwarding_reminder_table() {
    // Registered on 2 March: the limit is 7 March.
    let d = sample_dossier();
    for (today, want) in [
        ("2026-03-02", None),
        ("2026-03-04", None),
        ("2026-03-05", Some(2)),
        ("2026-03-07", Some(0)),
        ("2026-03-09", Some(-2)),
    ] {
        assert_eq!(
            d.forwarding_reminder(today.parse().unwrap()),
            want,
            "{today}"
        );
    }
    // Once taken up, no reminder.
    let mut taken = sample_dossier();
    taken.record(RouteEvent {
        at: at("2026-03-03T08:00:00Z"),
        actor: RouteActor::System,
        department: Some(dept("urbanism")),
        official: None,
        note: None,
        kind: EventKind::Assigned {
            department: dept("urbanism"),
            official: None,
        },
    });
    assert_eq!(
        taken.forwarding_reminder("2026-03-06".parse().unwrap()),
        None
    );
}

#[test]
fn closed_dossiers_stop_counting() {
    let mut d = sample_dossier();
    d.record(RouteEvent {
        at: at("2026-03-12T08:00:00Z"),
        actor: RouteActor::System,
        department: None,
        official: None,
        note: None,
        kind: EventKind::Resolved,
    });
    let later = "2026-05-01".parse().unwrap();
    assert_eq!(d.days_in_institution(later), 10);
    assert_eq!(d.days_left(later), 20);
}

#[test]
fn from_parts_rejects_tampered_routes() {
    let d = sample_dossier();
    let mut events = d.route().events().to_vec();
    events[0].event.kind = EventKind::Registered {
        deadline: "2026-05-01".parse().unwrap(),
    };
    let err = Dossier::from_parts(d.parts().clone(), Route::from_chain(events)).unwrap_err();
    assert_eq!(
        err,
        DossierError::Route(RouteError::HashMismatch { index: 0 })
    );
    let mut parts = d.parts().clone();
    parts.registered_at = at("2026-03-01T08:00:00Z");
    assert_eq!(
        Dossier::from_parts(parts, d.route().clone()),
        Err(DossierError::RegistrationMismatch)
    );
}

#[test]
fn page_counts_are_whole_numbers_from_1_to_9999() {
    for (raw, expected) in [
        ("1", Ok(1)),
        (" 12 ", Ok(12)),
        ("9999", Ok(9999)),
        ("0", Err(PageCountError::OutOfRange)),
        ("10000", Err(PageCountError::OutOfRange)),
        ("99999999999999999999", Err(PageCountError::OutOfRange)),
        ("", Err(PageCountError::NotANumber)),
        ("-3", Err(PageCountError::NotANumber)),
        ("+3", Err(PageCountError::NotANumber)),
        ("3.0", Err(PageCountError::NotANumber)),
        ("trei", Err(PageCountError::NotANumber)),
    ] {
        assert_eq!(
            PageCount::parse(raw).map(PageCount::get),
            expected,
            "{raw:?}"
        );
    }
}

#[test]
fn the_page_count_is_stored_and_old_records_without_it_still_read() {
    let d = sample_dossier().with_paper_pages(Some(PageCount::new(7).unwrap()));
    let stored = d.to_stored();
    assert_eq!(stored.paper_pages, Some(7));
    let back = Dossier::from_stored(&stored).unwrap();
    assert_eq!(back.paper_pages().map(PageCount::get), Some(7));

    let mut json = serde_json::to_value(&stored).unwrap();
    json.as_object_mut().unwrap().remove("paper_pages");
    let old: crate::stored::StoredDossier = serde_json::from_value(json).unwrap();
    assert_eq!(Dossier::from_stored(&old).unwrap().paper_pages(), None);

    let mut bad = stored;
    bad.paper_pages = Some(0);
    assert!(Dossier::from_stored(&bad).is_err());
}
