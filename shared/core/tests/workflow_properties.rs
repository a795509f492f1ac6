//! Property tests of the workflow (DESIGN §9): from any registered dossier,
//! any sequence of desk commands, signatures and citizen replies, by
//! officials who may or may not act, at times that may go backwards (clocks
//! of several instances), keeps these true after every step:
//!
//! - a refused command changes nothing;
//! - the route replays to the same state, from its parts and its chain
//!   ([`Dossier::from_parts`]) and through the stored record
//!   ([`Dossier::from_stored`]);
//! - the hash chain verifies, only grows, and any event changed in it
//!   (its time, its public note) fails verification;
//! - the deadline never moves backwards, and events never go back in time.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use ghiseu_core::attachment::OriginalName;
use ghiseu_core::dossier::DossierParts;
use ghiseu_core::form::FormData;
use ghiseu_core::text::{PublicNote, Reason};
use ghiseu_core::workflow::{self, Command};
use ghiseu_core::{
    Actor, Attachment, Channel, CitizenContact, DeadlineRule, DepartmentCode, DisplayName,
    DocumentType, DocumentTypeCode, Dossier, DossierId, MediaType, NewDossier, RegistrationNumber,
    RegistrationPrefix, Role, Route, RouteActor, Sha256Digest, SignatureRequirement, TenantSlug,
    Titles, TrackingToken, TypeVersion, Username,
};
use proptest::prelude::*;

const DEPARTMENTS: [&str; 3] = ["registratura", "urbanism", "juridic"];
const OFFICIALS: [&str; 3] = ["ana.pop", "ion.rus", "sef.urbanism"];

fn tenant() -> TenantSlug {
    TenantSlug::parse("cj-cluj").unwrap()
}

fn dept(i: u8) -> DepartmentCode {
    DepartmentCode::parse(DEPARTMENTS[usize::from(i) % DEPARTMENTS.len()]).unwrap()
}

fn user(i: u8) -> Username {
    Username::parse(OFFICIALS[usize::from(i) % OFFICIALS.len()]).unwrap()
}

fn pdf(i: u8) -> Attachment {
    Attachment {
        sha256: Sha256Digest::of(&[b'%', b'P', b'D', b'F', i]),
        media_type: MediaType::Pdf,
        size: 5,
        original_name: OriginalName::parse("raspuns.pdf").unwrap(),
    }
}

/// Who acts: an official with every role, or one who holds only `role` in
/// one department (often refused).
fn actor(who: u8) -> Actor {
    let (roles, department) = match who % 8 {
        0..=4 => (Role::ALL.into_iter().collect(), None),
        5 => (BTreeSet::from([Role::Official]), Some(dept(who / 8))),
        6 => (BTreeSet::from([Role::Registrar]), Some(dept(0))),
        _ => (BTreeSet::from([Role::Signer]), None),
    };
    Actor {
        username: user(who / 8),
        tenant: tenant(),
        roles,
        department,
    }
}

fn registered(working_days: bool, at: DateTime<Utc>) -> Dossier {
    let document_type = DocumentType {
        tenant: tenant(),
        code: DocumentTypeCode::parse("petitie").unwrap(),
        version: TypeVersion::FIRST,
        titles: Titles::ro(DisplayName::parse("Petiție").unwrap()),
        deadline: if working_days {
            DeadlineRule::WorkingDays(15)
        } else {
            DeadlineRule::CalendarDays(30)
        },
        first_department: dept(0),
        signature: SignatureRequirement::None,
        fee_bani: 0,
        retention_years: 10,
        fields: vec![],
    };
    let new = NewDossier {
        id: DossierId::from_random([7; 16]),
        tenant: tenant(),
        channel: Channel::Paper,
        number: RegistrationNumber::new(RegistrationPrefix::parse("CJC").unwrap(), 2026, 42)
            .unwrap(),
        token: TrackingToken::from_random([9; 16]),
        attachments: vec![],
        note: None,
        contact: CitizenContact::default(),
        public_note: None,
        origin: None,
        form: FormData::default(),
    };
    Dossier::register(new, &document_type, RouteActor::Citizen, at)
}

/// One step: what is done (`op`), with which parameter (`arg`), by whom, and
/// how far the clock moved (minutes; negative: an instance behind).
#[derive(Debug, Clone)]
struct Step {
    op: u8,
    arg: u8,
    who: u8,
    minutes: i32,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    // Commands that close the dossier are rarer, so that sequences go on.
    let op = prop_oneof![
        12 => prop_oneof![0u8..6, Just(8), Just(13)],
        3 => Just(11),
        1 => prop_oneof![6u8..8, 9u8..11],
    ];
    // One step in four on an instance whose clock is behind.
    let minutes = prop_oneof![3 => 0i32..20_000, 1 => -180i32..0];
    let step = (op, any::<u8>(), any::<u8>(), minutes).prop_map(|(op, arg, who, minutes)| Step {
        op,
        arg,
        who,
        minutes,
    });
    proptest::collection::vec(step, 1..40)
}

fn command(op: u8, arg: u8) -> Command {
    let reason = Reason::parse("Documentație incompletă").unwrap();
    let note = arg
        .is_multiple_of(2)
        .then(|| PublicNote::parse("Notă").unwrap());
    match op {
        0 => Command::Assign {
            department: dept(arg),
            official: (!arg.is_multiple_of(3)).then(|| user(arg / 3)),
        },
        1 => Command::Forward {
            to_department: dept(arg),
            note,
        },
        2 => Command::RequestInfo { question: reason },
        3 => Command::RecordReply { note },
        4 => Command::AttachResponse { document: pdf(arg) },
        5 => Command::SendForSignature,
        6 => Command::Resolve { note },
        7 => Command::Reject {
            to_citizen: PublicNote::parse("Nefondată").unwrap(),
            internal: note.is_some().then_some(reason),
        },
        8 => Command::ExtendDeadline {
            days: u16::from(arg % 20),
            reason,
        },
        9 => Command::JoinDuplicate {
            into: RegistrationNumber::new(
                RegistrationPrefix::parse("CJC").unwrap(),
                2026,
                u32::from(arg % 3) + 41,
            )
            .unwrap(),
        },
        _ => Command::ForwardToInstitution {
            tenant: TenantSlug::parse(if arg.is_multiple_of(2) {
                "cj-cluj"
            } else {
                "primaria-dej"
            })
            .unwrap(),
            dossier: DossierId::from_random([arg; 16]),
            note,
        },
    }
}

/// Runs `step` on `d` at `now`: the events it records, or an error.
fn act(
    d: &Dossier,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<Vec<ghiseu_core::RouteEvent>, String> {
    let actor = actor(step.who);
    match step.op {
        11 => {
            let response = d.responses().last().map_or(pdf(0).sha256, |r| r.sha256);
            let signed = pdf(step.arg.wrapping_add(100));
            let events = workflow::sign(
                d,
                response,
                signed,
                !step.arg.is_multiple_of(8),
                &actor,
                now,
            );
            events.map(Vec::from).map_err(|e| e.to_string())
        }
        13 => {
            let message = step
                .arg
                .is_multiple_of(2)
                .then(|| Reason::parse("Am completat").unwrap());
            let documents = step
                .arg
                .is_multiple_of(3)
                .then(|| pdf(step.arg))
                .into_iter()
                .collect();
            workflow::citizen_reply(d, message, documents, now)
                .map(|e| vec![e])
                .map_err(|e| e.to_string())
        }
        op => workflow::apply(d, command(op, step.arg), &actor, now)
            .map(|e| vec![e])
            .map_err(|e| e.to_string()),
    }
}

/// `route` with event `i` rewritten by `how`: a nanosecond later, or with
/// another public note.
fn tampered(route: &Route, i: usize, how: u8) -> Route {
    let mut events = route.events().to_vec();
    let e = &mut events[i].event;
    if how == 0 {
        e.at += Duration::nanoseconds(1);
    } else {
        let forged = PublicNote::parse("Rezolvat favorabil").unwrap();
        e.note = (e.note.as_ref() != Some(&forged)).then_some(forged);
    }
    Route::from_chain(events)
}

/// The properties of the module doc, checked after one step from `before`.
fn check(before: &Dossier, after: &Dossier) {
    assert_eq!(after.route().verify(), Ok(()), "the chain verifies");
    let parts: DossierParts = after.parts().clone();
    let replayed = Dossier::from_parts(parts, Route::from_chain(after.route().events().to_vec()))
        .expect("the route replays");
    assert_eq!(&replayed, after, "the route replays to the same state");
    let stored = Dossier::from_stored(&after.to_stored()).expect("the record reads back");
    assert_eq!(
        &stored, after,
        "the stored record replays to the same state"
    );
    for i in 0..after.route().len() {
        for how in [0, 1] {
            let forged = tampered(after.route(), i, how);
            assert!(forged.verify().is_err(), "event {i} changed unseen ({how})");
        }
    }
    let chain = after.route().events();
    let prefix = &chain[..before.route().len()];
    assert_eq!(prefix, before.route().events(), "the route only grows");
    assert!(
        after.deadline() >= before.deadline(),
        "the deadline moved backwards"
    );
    let times: Vec<_> = after.route().events().iter().map(|e| e.event.at).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "events went back in time"
    );
    if before.status().is_terminal() {
        assert_eq!(after.status(), before.status(), "a closed dossier reopened");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_of_permitted_actions_replays_verifies_and_keeps_deadlines(
        working_days in any::<bool>(),
        steps in steps(),
    ) {
        let mut now: DateTime<Utc> = "2026-03-02T08:00:00Z".parse().unwrap();
        let mut d = registered(working_days, now);
        let mut applied = 0;
        for step in &steps {
            now += Duration::minutes(i64::from(step.minutes));
            let before = d.clone();
            match act(&d, step, now) {
                Ok(events) => {
                    for e in events {
                        d.record(e);
                    }
                    applied += 1;
                }
                // A refusal changes nothing: `apply` only decides.
                Err(_) => prop_assert_eq!(&d, &before),
            }
            check(&before, &d);
        }
        prop_assert!(d.route().len() > applied);
    }
}
