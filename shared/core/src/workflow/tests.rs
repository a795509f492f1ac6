use super::*;
use crate::dossier::tests::{at, dept, sample_dossier, user};
use crate::ids::TenantSlug;
use crate::role::Role;
use crate::route::RouteActor;

fn admin() -> Actor {
    Actor {
        username: user("admin"),
        tenant: TenantSlug::parse("cj-cluj").unwrap(),
        roles: [Role::TenantAdmin].into(),
        department: None,
    }
}

fn reason() -> Reason {
    Reason::parse("Documentație incompletă").unwrap()
}

fn response() -> Attachment {
    Attachment {
        sha256: crate::Sha256Digest::of(b"%PDF-1.7 raspuns"),
        media_type: crate::attachment::MediaType::Pdf,
        size: 16,
        original_name: crate::attachment::OriginalName::parse("raspuns.pdf").unwrap(),
    }
}

fn earlier() -> RegistrationNumber {
    "CJC-2026-000007".parse().unwrap()
}

/// The sample dossier brought into `status` through recorded events.
fn in_status(status: DossierStatus) -> Dossier {
    let mut d = sample_dossier();
    let kinds: Vec<EventKind> = match status {
        DossierStatus::Registered => vec![],
        DossierStatus::InProgress => vec![EventKind::Assigned {
            department: dept("urbanism"),
            official: None,
        }],
        DossierStatus::AwaitingCitizen => vec![EventKind::InfoRequested { question: reason() }],
        DossierStatus::AwaitingSignature => vec![
            EventKind::ResponseDrafted {
                document: response(),
            },
            EventKind::SentForSignature,
        ],
        DossierStatus::Resolved => vec![EventKind::Resolved],
        DossierStatus::Rejected => vec![EventKind::Rejected { reason: reason() }],
        DossierStatus::Withdrawn => vec![EventKind::Withdrawn],
        DossierStatus::ForwardedOut => {
            vec![EventKind::ForwardedToInstitution {
                tenant: TenantSlug::parse("primaria-turda").unwrap(),
                dossier: DossierId::from_random([5; 16]),
            }]
        }
        DossierStatus::Joined => vec![EventKind::Joined { into: earlier() }],
    };
    for kind in kinds {
        d.record(RouteEvent {
            at: at("2026-03-03T08:00:00Z"),
            actor: RouteActor::System,
            department: None,
            official: None,
            note: None,
            kind,
        });
    }
    assert_eq!(d.status(), status);
    d
}

fn commands() -> Vec<Command> {
    vec![
        Command::Assign {
            department: dept("juridic"),
            official: Some(user("ion.pop")),
        },
        Command::Forward {
            to_department: dept("presedinte"),
            note: None,
        },
        Command::Resolve { note: None },
        Command::Reject {
            to_citizen: PublicNote::parse("Cererea nu privește instituția").unwrap(),
            internal: Some(reason()),
        },
        Command::ExtendDeadline {
            days: 10,
            reason: reason(),
        },
        Command::RequestInfo { question: reason() },
        Command::RecordReply { note: None },
        Command::AttachResponse {
            document: response(),
        },
        Command::SendForSignature,
        Command::JoinDuplicate { into: earlier() },
        Command::ForwardToInstitution {
            tenant: TenantSlug::parse("primaria-turda").unwrap(),
            dossier: DossierId::from_random([6; 16]),
            note: None,
        },
    ]
}

#[test]
fn transition_table() {
    use DossierStatus as S;
    const Y: bool = true;
    const N: bool = false;
    // Columns: Assign, Forward, Resolve, Reject, ExtendDeadline, RequestInfo,
    // RecordReply, AttachResponse, SendForSignature, JoinDuplicate,
    // ForwardToInstitution.
    #[rustfmt::skip]
    let table: [(S, [bool; 11]); 9] = [
        (S::Registered,        [Y, Y, Y, Y, Y, Y, N, Y, Y, Y, Y]),
        (S::InProgress,        [Y, Y, Y, Y, Y, Y, N, Y, Y, Y, Y]),
        (S::AwaitingCitizen,   [N, N, N, Y, Y, N, Y, N, N, Y, N]),
        (S::AwaitingSignature, [Y, N, N, N, Y, N, N, N, N, N, N]),
        (S::Resolved, [N; 11]),
        (S::Rejected, [N; 11]),
        (S::Withdrawn, [N; 11]),
        (S::ForwardedOut, [N; 11]),
        (S::Joined, [N; 11]),
    ];
    for (status, row) in table {
        let d = in_status(status);
        for (command, allowed) in commands().into_iter().zip(row) {
            let action = command.action();
            assert_eq!(
                allowed_in(action, status),
                allowed,
                "{action:?} in {status:?}"
            );
            let got = apply(&d, command.clone(), &admin(), at("2026-03-04T08:00:00Z"));
            // SendForSignature also needs a response document.
            let needs_response =
                matches!(command, Command::SendForSignature) && d.responses().is_empty();
            if allowed && needs_response {
                assert_eq!(got, Err(WorkflowError::NoResponse), "{status:?}");
            } else if allowed {
                assert!(got.is_ok(), "{action:?} in {status:?}: {got:?}");
            } else {
                assert_eq!(
                    got,
                    Err(WorkflowError::NotAllowed { action, status }),
                    "{action:?} in {status:?}"
                );
            }
        }
    }
}

#[test]
fn events_and_effects() {
    let mut d = sample_dossier();
    let a = admin();
    let now = at("2026-03-04T08:00:00Z");
    execute(
        &mut d,
        Command::Assign {
            department: dept("urbanism"),
            official: Some(user("ion.pop")),
        },
        &a,
        now,
    )
    .unwrap();
    assert_eq!(
        (d.status(), d.current_department(), d.current_official()),
        (
            DossierStatus::InProgress,
            &dept("urbanism"),
            Some(&user("ion.pop"))
        )
    );
    let note = PublicNote::parse("Trimis la Direcția Juridică").unwrap();
    let e = execute(
        &mut d,
        Command::Forward {
            to_department: dept("juridic"),
            note: Some(note.clone()),
        },
        &a,
        now,
    )
    .unwrap();
    assert_eq!(
        e.event.kind,
        EventKind::Forwarded {
            from_department: dept("urbanism"),
            to_department: dept("juridic")
        }
    );
    assert_eq!(e.event.note, Some(note));
    assert_eq!(
        (d.current_department(), d.current_official()),
        (&dept("juridic"), None)
    );
    execute(
        &mut d,
        Command::ExtendDeadline {
            days: 15,
            reason: reason(),
        },
        &a,
        now,
    )
    .unwrap();
    assert_eq!(d.deadline(), "2026-04-16".parse().unwrap());
    assert_eq!(
        apply(
            &d,
            Command::ExtendDeadline {
                days: 1,
                reason: reason()
            },
            &a,
            now
        ),
        Err(WorkflowError::Deadline(DeadlineError::AlreadyExtended))
    );
    execute(&mut d, Command::Resolve { note: None }, &a, now).unwrap();
    assert_eq!(d.status(), DossierStatus::Resolved);
    assert_eq!(d.route().len(), 5);
    assert_eq!(d.route().verify(), Ok(()));
    assert!(
        d.route()
            .events()
            .iter()
            .skip(1)
            .all(|e| e.event.actor == RouteActor::Official(user("admin")))
    );
}

#[test]
fn information_request_pauses_the_deadline() {
    let mut d = sample_dossier();
    let a = admin();
    assert_eq!(d.deadline(), "2026-04-01".parse().unwrap());
    execute(
        &mut d,
        Command::RequestInfo { question: reason() },
        &a,
        at("2026-03-03T08:00:00Z"),
    )
    .unwrap();
    assert_eq!(d.status(), DossierStatus::AwaitingCitizen);
    assert_eq!(d.pending_question().map(|(q, _)| q), Some(&reason()));
    // Asked on 3 March, answered on 20 March: 17 days paused; 1 April + 17
    // is Saturday 18 April → Monday 20 April.
    let e = execute(
        &mut d,
        Command::RecordReply { note: None },
        &a,
        at("2026-03-20T09:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        e.event.kind,
        EventKind::CitizenReplied {
            paused_days: 17,
            message: None,
            documents: vec![]
        }
    );
    assert_eq!(d.status(), DossierStatus::InProgress);
    assert_eq!(d.deadline(), "2026-04-20".parse().unwrap());
    assert!(d.pending_question().is_none());
    // The replayed and the stored dossier agree on the moved deadline.
    assert_eq!(Dossier::from_stored(&d.to_stored()), Ok(d.clone()));
    // A same-day reply pauses nothing.
    let mut same = sample_dossier();
    let t = at("2026-03-05T08:00:00Z");
    execute(
        &mut same,
        Command::RequestInfo { question: reason() },
        &a,
        t,
    )
    .unwrap();
    execute(&mut same, Command::RecordReply { note: None }, &a, t).unwrap();
    assert_eq!(same.deadline(), "2026-04-01".parse().unwrap());
}

#[test]
fn response_signature_and_issue() {
    let mut d = sample_dossier();
    let a = admin();
    let now = at("2026-03-04T08:00:00Z");
    assert_eq!(
        apply(&d, Command::SendForSignature, &a, now),
        Err(WorkflowError::NoResponse)
    );
    execute(
        &mut d,
        Command::AttachResponse {
            document: response(),
        },
        &a,
        now,
    )
    .unwrap();
    execute(&mut d, Command::SendForSignature, &a, now).unwrap();
    assert_eq!(d.status(), DossierStatus::AwaitingSignature);
    // Taken back from the signer's queue, then resolved: the response is issued.
    execute(
        &mut d,
        Command::Assign {
            department: dept("registratura"),
            official: None,
        },
        &a,
        now,
    )
    .unwrap();
    let e = execute(&mut d, Command::Resolve { note: None }, &a, now).unwrap();
    assert_eq!(
        e.event.kind,
        EventKind::Issued {
            document: response().sha256
        }
    );
    assert_eq!(d.issued(), Some(&response().sha256));
    assert_eq!(d.status(), DossierStatus::Resolved);
}

fn signer() -> Actor {
    Actor {
        username: user("alin.tise"),
        tenant: TenantSlug::parse("cj-cluj").unwrap(),
        roles: [Role::Signer].into(),
        department: Some(dept("cabinet-presedinte")),
    }
}

fn signed_pdf() -> Attachment {
    Attachment {
        sha256: crate::Sha256Digest::of(b"%PDF-1.7 raspuns + semnatura"),
        size: 28,
        ..response()
    }
}

#[test]
fn signing_issues_the_signed_document() {
    let now = at("2026-03-04T08:00:00Z");
    let mut d = in_status(DossierStatus::AwaitingSignature);
    let events = sign(&d, response().sha256, signed_pdf(), true, &signer(), now).unwrap();
    for e in events {
        d.record(e);
    }
    let kinds: Vec<&str> = d
        .route()
        .events()
        .iter()
        .map(|e| e.event.kind.code())
        .collect();
    assert_eq!(kinds[kinds.len() - 2..], ["signed", "issued"]);
    assert_eq!(d.status(), DossierStatus::Resolved);
    assert_eq!(d.issued(), Some(&signed_pdf().sha256));
    assert_eq!(d.document(&signed_pdf().sha256), Some(&signed_pdf()));
    assert_eq!(d.signed_documents(), [&signed_pdf()]);
    assert!(d.route().verify().is_ok());
}

#[test]
fn signing_refusals() {
    let now = at("2026-03-04T08:00:00Z");
    let d = in_status(DossierStatus::AwaitingSignature);
    let other = crate::Sha256Digest::of(b"another response");
    let cases: Vec<(Actor, Dossier, crate::Sha256Digest, bool, WorkflowError)> = vec![
        // The head of department decides, but signing is the signer's alone.
        (
            admin(),
            d.clone(),
            response().sha256,
            true,
            Denied::NotPermitted.into(),
        ),
        (
            signer(),
            in_status(DossierStatus::InProgress),
            response().sha256,
            true,
            WorkflowError::NotAllowed {
                action: Action::Sign,
                status: DossierStatus::InProgress,
            },
        ),
        // A new response was attached after selection.
        (
            signer(),
            d.clone(),
            other,
            true,
            WorkflowError::ResponseChanged,
        ),
        (
            signer(),
            d.clone(),
            response().sha256,
            false,
            WorkflowError::NotASignatureOf,
        ),
    ];
    for (actor, dossier, response, prefix, want) in cases {
        assert_eq!(
            sign(&dossier, response, signed_pdf(), prefix, &actor, now),
            Err(want)
        );
    }
    let mut stranger = signer();
    stranger.tenant = TenantSlug::parse("primaria-turda").unwrap();
    assert_eq!(
        sign(&d, response().sha256, signed_pdf(), true, &stranger, now),
        Err(WorkflowError::Denied(Denied::OtherTenant))
    );
}

#[test]
fn join_and_forward_to_institution() {
    let a = admin();
    let now = at("2026-03-04T08:00:00Z");
    let mut d = sample_dossier();
    let own = d.number().clone();
    assert_eq!(
        apply(&d, Command::JoinDuplicate { into: own }, &a, now),
        Err(WorkflowError::SelfJoin)
    );
    execute(&mut d, Command::JoinDuplicate { into: earlier() }, &a, now).unwrap();
    assert_eq!(d.status(), DossierStatus::Joined);
    let mut d = sample_dossier();
    let here = d.tenant().clone();
    let id = DossierId::from_random([8; 16]);
    assert_eq!(
        apply(
            &d,
            Command::ForwardToInstitution {
                tenant: here,
                dossier: id,
                note: None
            },
            &a,
            now
        ),
        Err(WorkflowError::SameInstitution)
    );
    let turda = TenantSlug::parse("primaria-turda").unwrap();
    execute(
        &mut d,
        Command::ForwardToInstitution {
            tenant: turda.clone(),
            dossier: id,
            note: None,
        },
        &a,
        now,
    )
    .unwrap();
    assert_eq!(d.status(), DossierStatus::ForwardedOut);
    assert_eq!(d.forwarded_to(), Some((&turda, &id)));
    assert_eq!(Dossier::from_stored(&d.to_stored()), Ok(d));
}

#[test]
fn command_rules() {
    let d = in_status(DossierStatus::InProgress);
    let a = admin();
    let now = at("2026-03-04T08:00:00Z");
    let cases = [
        (
            Command::Forward {
                to_department: dept("urbanism"),
                note: None,
            },
            WorkflowError::SameDepartment,
        ),
        (
            Command::Assign {
                department: dept("urbanism"),
                official: None,
            },
            WorkflowError::NoChange,
        ),
        (
            Command::ExtendDeadline {
                days: 0,
                reason: reason(),
            },
            DeadlineError::ExtensionDays.into(),
        ),
        (
            Command::ExtendDeadline {
                days: 16,
                reason: reason(),
            },
            DeadlineError::ExtensionDays.into(),
        ),
    ];
    for (command, want) in cases {
        assert_eq!(
            apply(&d, command.clone(), &a, now),
            Err(want),
            "{command:?}"
        );
    }
}

#[test]
fn denied_before_anything_else() {
    let d = in_status(DossierStatus::Resolved);
    let mut stranger = admin();
    stranger.tenant = TenantSlug::parse("primaria-turda").unwrap();
    assert_eq!(
        apply(
            &d,
            Command::Resolve { note: None },
            &stranger,
            at("2026-03-04T08:00:00Z")
        ),
        Err(WorkflowError::Denied(Denied::OtherTenant))
    );
}

#[test]
fn event_time_never_goes_backwards() {
    let d = sample_dossier();
    let e = apply(
        &d,
        Command::Resolve { note: None },
        &admin(),
        at("2026-03-02T07:59:59Z"),
    )
    .unwrap();
    assert_eq!(e.at, d.updated_at());
}

/// A deterministic random walk of commands by actors of every role (and a
/// stranger): whatever is accepted keeps the route verifiable, replayable and
/// storable, terminal dossiers never move, and refused commands change nothing.
#[test]
fn random_walks_keep_the_invariants() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let departments = ["registratura", "urbanism", "juridic"];
    let mut actors: Vec<Actor> = Vec::new();
    for role in Role::ALL {
        for department in departments {
            actors.push(Actor {
                username: user("walker"),
                tenant: TenantSlug::parse("cj-cluj").unwrap(),
                roles: [role].into(),
                department: Some(dept(department)),
            });
        }
    }
    let mut stranger = admin();
    stranger.tenant = TenantSlug::parse("primaria-turda").unwrap();
    actors.push(stranger);
    let (mut accepted, mut refused, mut closed) = (0, 0, 0);
    for walk in 0..200 {
        let mut d = sample_dossier();
        let mut now = at("2026-03-02T08:00:00Z");
        for _ in 0..12 {
            now += chrono::Duration::minutes(next(3000) as i64);
            let department = dept(departments[next(3)]);
            let command = match next(11) {
                0 => Command::Assign {
                    department,
                    official: [None, Some(user("ion.pop"))][next(2)].clone(),
                },
                1 => Command::Forward {
                    to_department: department,
                    note: None,
                },
                2 => Command::Resolve { note: None },
                3 => Command::Reject {
                    to_citizen: PublicNote::parse("Nefondată").unwrap(),
                    internal: [None, Some(reason())][next(2)].clone(),
                },
                4 => Command::RequestInfo { question: reason() },
                5 => Command::RecordReply { note: None },
                6 => Command::AttachResponse {
                    document: response(),
                },
                7 => Command::SendForSignature,
                8 => Command::JoinDuplicate { into: earlier() },
                9 => Command::ForwardToInstitution {
                    tenant: TenantSlug::parse("primaria-turda").unwrap(),
                    dossier: DossierId::from_random([4; 16]),
                    note: None,
                },
                _ => Command::ExtendDeadline {
                    days: next(18) as u16,
                    reason: reason(),
                },
            };
            let actor = &actors[next(actors.len())];
            let before = d.clone();
            match execute(&mut d, command, actor, now) {
                Ok(_) => {
                    accepted += 1;
                    assert!(
                        !before.status().is_terminal(),
                        "walk {walk}: moved a closed dossier"
                    );
                }
                Err(_) => {
                    refused += 1;
                    assert_eq!(
                        d, before,
                        "walk {walk}: a refused command changed the dossier"
                    );
                }
            }
            assert_eq!(d.route().verify(), Ok(()), "walk {walk}");
            assert!(d.deadline() >= before.deadline());
        }
        assert_eq!(
            Dossier::from_parts(d.parts().clone(), d.route().clone()),
            Ok(d.clone())
        );
        closed += usize::from(d.status().is_terminal());
        assert_eq!(Dossier::from_stored(&d.to_stored()), Ok(d));
    }
    // The walk exercises both outcomes and reaches closed dossiers.
    assert!(
        accepted > 200 && refused > 200 && closed > 50,
        "{accepted} {refused} {closed}"
    );
}
