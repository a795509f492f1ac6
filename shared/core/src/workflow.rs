//! The workflow: desk commands, the transition table, and one pure [`apply`].
//!
//! `apply(dossier, command, actor, now)` checks the actor's permission
//! ([`crate::permissions::authorize`]), then the transition table below, then the
//! command's own rules, and returns the [`RouteEvent`] to record; it changes
//! nothing. [`Dossier::record`] (or [`execute`], which does both) appends it. A
//! platform adapter stores the result with a leased replace, so two officials
//! acting at once get one success and one conflict.
//!
//! | command \ status   | Registered | InProgress | AwaitingCitizen | AwaitingSignature | terminal |
//! |--------------------|------------|------------|-----------------|-------------------|----------|
//! | Assign             | yes        | yes        | –               | yes (take back)   | –        |
//! | Forward            | yes        | yes        | –               | –                 | –        |
//! | RequestInfo        | yes        | yes        | –               | –                 | –        |
//! | RecordReply        | –          | –          | yes             | –                 | –        |
//! | AttachResponse     | yes        | yes        | –               | –                 | –        |
//! | SendForSignature   | yes        | yes        | –               | –                 | –        |
//! | Resolve            | yes        | yes        | –               | –                 | –        |
//! | Reject             | yes        | yes        | yes             | –                 | –        |
//! | ExtendDeadline     | yes        | yes        | yes             | yes               | –        |
//! | JoinDuplicate      | yes        | yes        | yes             | –                 | –        |
//! | ForwardInstitution | yes        | yes        | –               | –                 | –        |
//! | Sign ([`sign`])    | –          | –          | –               | yes               | –        |
//!
//! Terminal: Resolved, Rejected, Withdrawn, ForwardedOut, Joined.
//!
//! The pause rule: while the dossier awaits the citizen the legal deadline does
//! not run; the reply moves it by [`crate::deadline::paused_days`] from the day of
//! the request to the day of the reply (recorded on the `citizen_replied` event,
//! so the route alone determines the deadline).

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::attachment::Attachment;
use crate::calendar::local_date;
use crate::deadline::{self, DeadlineError};
use crate::digest::Sha256Digest;
use crate::dossier::{Dossier, DossierStatus};
use crate::ids::{DepartmentCode, DossierId, TenantSlug, Username};
use crate::permissions::{Action, Actor, Denied, authorize};
use crate::regno::RegistrationNumber;
use crate::route::{ChainedEvent, EventKind, RouteEvent};
use crate::text::{PublicNote, Reason};

/// A desk action on a dossier, already parsed and validated at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Assign (or reassign) to a department, and optionally to one of its
    /// officials (the caller has checked that the official belongs to the
    /// department and is active).
    Assign {
        /// The department.
        department: DepartmentCode,
        /// The official.
        official: Option<Username>,
    },
    /// Forward to another department of the tenant.
    Forward {
        /// The receiving department.
        to_department: DepartmentCode,
        /// A public note.
        note: Option<PublicNote>,
    },
    /// Ask the citizen for information; the deadline pauses until the reply.
    RequestInfo {
        /// What is asked (for the citizen; not on the public page).
        question: Reason,
    },
    /// Record the citizen's reply (brought to the registry, or from the portal).
    RecordReply {
        /// A public note.
        note: Option<PublicNote>,
    },
    /// Attach a response document (already stored, content-addressed).
    AttachResponse {
        /// The document.
        document: Attachment,
    },
    /// Send the latest response document to the signers' queue.
    SendForSignature,
    /// Resolve the dossier: issues the latest response document if there is
    /// one, else records a plain resolution.
    Resolve {
        /// A public note (e.g. "Certificatul a fost emis").
        note: Option<PublicNote>,
    },
    /// Reject the request: `to_citizen` is the reason addressed to the
    /// citizen (the event's public note: on tracking and in the message the
    /// citizen gets); `internal` is an optional note for officials only.
    Reject {
        /// Why, in words for the citizen (public).
        to_citizen: PublicNote,
        /// A note for officials (never public).
        internal: Option<Reason>,
    },
    /// Extend the legal deadline once, by 1–15 days.
    ExtendDeadline {
        /// Calendar days.
        days: u16,
        /// Why (internal).
        reason: Reason,
    },
    /// Join this dossier to an earlier one of the same request (the caller
    /// has checked that `into` is an open dossier of the same tenant).
    JoinDuplicate {
        /// The earlier dossier's number.
        into: RegistrationNumber,
    },
    /// Forward to another institution on the platform, where the dossier
    /// continues as `dossier` (created by the caller after this event is
    /// stored).
    ForwardToInstitution {
        /// The receiving tenant (the caller has checked it exists).
        tenant: TenantSlug,
        /// The id the receiving dossier will have.
        dossier: DossierId,
        /// A public note.
        note: Option<PublicNote>,
    },
}

impl Command {
    /// The permission the command needs.
    pub fn action(&self) -> Action {
        match self {
            Self::Assign { .. } => Action::Assign,
            Self::Forward { .. } => Action::Forward,
            Self::RequestInfo { .. } => Action::RequestInfo,
            Self::RecordReply { .. } => Action::RecordReply,
            Self::AttachResponse { .. } => Action::AttachResponse,
            Self::SendForSignature => Action::SendForSignature,
            Self::Resolve { .. } => Action::Resolve,
            Self::Reject { .. } => Action::Reject,
            Self::ExtendDeadline { .. } => Action::ExtendDeadline,
            Self::JoinDuplicate { .. } => Action::JoinDuplicate,
            Self::ForwardToInstitution { .. } => Action::ForwardToInstitution,
        }
    }
}

/// Why a command was refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WorkflowError {
    /// The actor may not do this (403, or 404 across tenants).
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The command does not apply in the dossier's status (409).
    #[error("this action is not possible while the dossier is {}", status.code())]
    NotAllowed {
        /// The attempted action.
        action: Action,
        /// The dossier's status.
        status: DossierStatus,
    },
    /// Forwarding to the department that already holds the dossier.
    #[error("the dossier is already in this department")]
    SameDepartment,
    /// Assigning to where the dossier already is.
    #[error("the dossier is already assigned there")]
    NoChange,
    /// Sending for signature with no response document attached.
    #[error("attach the response document before sending it for signature")]
    NoResponse,
    /// Joining a dossier to itself.
    #[error("a dossier cannot be joined to itself")]
    SelfJoin,
    /// Forwarding to the institution that holds the dossier.
    #[error("the dossier is already in this institution")]
    SameInstitution,
    /// Signing a response that is no longer the one waiting for signature (a
    /// new one was attached, or it was taken back and sent again).
    #[error("the document changed after it was selected for signing")]
    ResponseChanged,
    /// The signed document is not an incremental update of the response.
    #[error("the signed document does not start with the response it signs")]
    NotASignatureOf,
    /// An invalid or second extension.
    #[error(transparent)]
    Deadline(#[from] DeadlineError),
}

/// Whether the transition table allows `action` in `status`.
pub fn allowed_in(action: Action, status: DossierStatus) -> bool {
    use DossierStatus as S;
    let open = matches!(status, S::Registered | S::InProgress);
    match action {
        Action::View => true,
        Action::Register => false,
        Action::Assign => open || status == S::AwaitingSignature,
        Action::Forward
        | Action::RequestInfo
        | Action::AttachResponse
        | Action::SendForSignature
        | Action::Resolve
        | Action::ForwardToInstitution => open,
        Action::RecordReply => status == S::AwaitingCitizen,
        Action::Sign => status == S::AwaitingSignature,
        Action::Reject | Action::JoinDuplicate => open || status == S::AwaitingCitizen,
        Action::ExtendDeadline => {
            open || matches!(status, S::AwaitingCitizen | S::AwaitingSignature)
        }
    }
}

/// Whether `actor` may take `action` on `dossier` now: their role allows it
/// and the transition table allows it in the dossier's status. [`apply`]
/// checks this first; a caller that must do costly work before it can build
/// the command (store a file) asks here beforehand.
pub fn permitted(dossier: &Dossier, action: Action, actor: &Actor) -> Result<(), WorkflowError> {
    authorize(actor, action, dossier)?;
    if allowed_in(action, dossier.status()) {
        Ok(())
    } else {
        Err(WorkflowError::NotAllowed {
            action,
            status: dossier.status(),
        })
    }
}

/// Signs and issues: the two events (`signed`, then `issued` with the signed
/// document) that record `signed` as the signature of the response `response`
/// by `actor`. Refused unless the actor may sign, the dossier awaits signature,
/// and `response` is still its latest response: a document changed after the
/// signer selected it fails here, alone. `signed_starts_with_response` is the
/// caller's check that the signed bytes begin with the response's bytes (PAdES
/// signs by an incremental update), which core cannot see.
pub fn sign(
    dossier: &Dossier,
    response: Sha256Digest,
    signed: Attachment,
    signed_starts_with_response: bool,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<[RouteEvent; 2], WorkflowError> {
    permitted(dossier, Action::Sign, actor)?;
    if dossier.responses().last().map(|r| r.sha256) != Some(response) {
        return Err(WorkflowError::ResponseChanged);
    }
    if !signed_starts_with_response {
        return Err(WorkflowError::NotASignatureOf);
    }
    let at = now.max(dossier.updated_at());
    let here = Some(dossier.current_department().clone());
    let holder = dossier.current_official().cloned();
    let issued = EventKind::Issued {
        document: signed.sha256,
    };
    let event = |kind| RouteEvent {
        at,
        actor: actor.route_actor(),
        department: here.clone(),
        official: holder.clone(),
        note: None,
        kind,
    };
    Ok([
        event(EventKind::Signed {
            document: signed,
            response,
        }),
        event(issued),
    ])
}

/// Decides the event that `command` by `actor` at `now` produces on `dossier`.
/// The event's time is `now`, or the previous event's time if `now` is earlier
/// (clocks of several instances may differ slightly; routes stay ordered).
pub fn apply(
    dossier: &Dossier,
    command: Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<RouteEvent, WorkflowError> {
    permitted(dossier, command.action(), actor)?;
    let at = now.max(dossier.updated_at());
    let Decision {
        department,
        official,
        note,
        kind,
    } = decide(dossier, command, at)?;
    Ok(RouteEvent {
        at,
        actor: actor.route_actor(),
        department: Some(department),
        official,
        note,
        kind,
    })
}

/// What a permitted command records: where the dossier is afterwards, the
/// public note and the event's kind.
struct Decision {
    department: DepartmentCode,
    official: Option<Username>,
    note: Option<PublicNote>,
    kind: EventKind,
}

impl Decision {
    /// An event that leaves the dossier with its current department and
    /// official.
    fn stay(dossier: &Dossier, note: Option<PublicNote>, kind: EventKind) -> Self {
        Self {
            department: dossier.current_department().clone(),
            official: dossier.current_official().cloned(),
            note,
            kind,
        }
    }
}

/// The command's own rules, once the actor and the status allow it: the
/// decision at `at`, or why the command changes nothing or makes no sense.
fn decide(
    dossier: &Dossier,
    command: Command,
    at: DateTime<Utc>,
) -> Result<Decision, WorkflowError> {
    let stay = |note, kind| Ok(Decision::stay(dossier, note, kind));
    match command {
        Command::Assign {
            department,
            official,
        } => assign(dossier, department, official),
        Command::Forward {
            to_department,
            note,
        } => forward(dossier, to_department, note),
        Command::RequestInfo { question } => stay(None, EventKind::InfoRequested { question }),
        Command::RecordReply { note } => stay(note, citizen_replied(dossier, at)),
        Command::AttachResponse { document } => stay(None, EventKind::ResponseDrafted { document }),
        Command::SendForSignature => {
            if dossier.responses().is_empty() {
                return Err(WorkflowError::NoResponse);
            }
            stay(None, EventKind::SentForSignature)
        }
        Command::Resolve { note } => stay(note, resolution(dossier)),
        Command::Reject {
            to_citizen,
            internal,
        } => {
            let reason = rejection_reason(&to_citizen, internal);
            stay(Some(to_citizen), EventKind::Rejected { reason })
        }
        Command::ExtendDeadline { days, reason } => {
            deadline::extend(dossier.deadline(), days, dossier.extension().is_some())?;
            stay(None, EventKind::DeadlineExtended { days, reason })
        }
        Command::JoinDuplicate { into } => {
            if &into == dossier.number() {
                return Err(WorkflowError::SelfJoin);
            }
            stay(None, EventKind::Joined { into })
        }
        Command::ForwardToInstitution {
            tenant,
            dossier: id,
            note,
        } => forward_to_institution(dossier, tenant, id, note),
    }
}

/// The internal reason a rejection records: the officials' note, else the
/// reason the citizen was given (the stored event's `reason` is required, and
/// its encoding in the route's hash is fixed; see [`crate::route`]).
fn rejection_reason(to_citizen: &PublicNote, internal: Option<Reason>) -> Reason {
    internal.unwrap_or_else(|| {
        // A public note (at most 1,000 characters, trimmed, no control
        // characters but line breaks) is always a valid reason (2,000).
        Reason::parse(to_citizen.as_str()).expect("a public note is a valid reason")
    })
}

/// [`Command::Assign`]: refused when the dossier is already in progress with
/// this department and official.
fn assign(
    dossier: &Dossier,
    department: DepartmentCode,
    official: Option<Username>,
) -> Result<Decision, WorkflowError> {
    if &department == dossier.current_department()
        && official.as_ref() == dossier.current_official()
        && dossier.status() == DossierStatus::InProgress
    {
        return Err(WorkflowError::NoChange);
    }
    let kind = EventKind::Assigned {
        department: department.clone(),
        official: official.clone(),
    };
    Ok(Decision {
        department,
        official,
        note: None,
        kind,
    })
}

/// [`Command::Forward`]: to another department, unassigned there.
fn forward(
    dossier: &Dossier,
    to_department: DepartmentCode,
    note: Option<PublicNote>,
) -> Result<Decision, WorkflowError> {
    let here = dossier.current_department();
    if &to_department == here {
        return Err(WorkflowError::SameDepartment);
    }
    let kind = EventKind::Forwarded {
        from_department: here.clone(),
        to_department: to_department.clone(),
    };
    Ok(Decision {
        department: to_department,
        official: None,
        note,
        kind,
    })
}

/// [`Command::RecordReply`]: the reply at `at`, with the days the deadline
/// was paused since the pending question was asked (none without one).
fn citizen_replied(dossier: &Dossier, at: DateTime<Utc>) -> EventKind {
    let asked = dossier
        .pending_question()
        .map_or(at, |(_, asked_at)| asked_at);
    EventKind::CitizenReplied {
        paused_days: deadline::paused_days(local_date(asked), local_date(at)),
        message: None,
        documents: Vec::new(),
    }
}

/// [`Command::Resolve`]: issues the latest response document if there is
/// one, else records a plain resolution.
fn resolution(dossier: &Dossier) -> EventKind {
    match dossier.responses().last() {
        Some(document) => EventKind::Issued {
            document: document.sha256,
        },
        None => EventKind::Resolved,
    }
}

/// [`Command::ForwardToInstitution`]: to another tenant, where the dossier
/// continues as `id`; it stays with the current department, unassigned.
fn forward_to_institution(
    dossier: &Dossier,
    tenant: TenantSlug,
    id: DossierId,
    note: Option<PublicNote>,
) -> Result<Decision, WorkflowError> {
    if &tenant == dossier.tenant() {
        return Err(WorkflowError::SameInstitution);
    }
    Ok(Decision {
        department: dossier.current_department().clone(),
        official: None,
        note,
        kind: EventKind::ForwardedToInstitution {
            tenant,
            dossier: id,
        },
    })
}

/// Whether the citizen may reply now: the institution awaits them (the same
/// transition as [`Command::RecordReply`]; the citizen needs no role).
pub fn citizen_may_reply(dossier: &Dossier) -> Result<(), WorkflowError> {
    if allowed_in(Action::RecordReply, dossier.status()) {
        Ok(())
    } else {
        Err(WorkflowError::NotAllowed {
            action: Action::RecordReply,
            status: dossier.status(),
        })
    }
}

/// The citizen's own reply to an information request (from the portal; the
/// caller has checked that the dossier is the citizen's): text and files,
/// recorded with the citizen as actor. The deadline moves as for
/// [`Command::RecordReply`].
pub fn citizen_reply(
    dossier: &Dossier,
    message: Option<Reason>,
    documents: Vec<Attachment>,
    now: DateTime<Utc>,
) -> Result<RouteEvent, WorkflowError> {
    citizen_may_reply(dossier)?;
    let at = now.max(dossier.updated_at());
    let asked = dossier
        .pending_question()
        .map_or(at, |(_, asked_at)| asked_at);
    let paused_days = deadline::paused_days(local_date(asked), local_date(at));
    Ok(RouteEvent {
        at,
        actor: crate::route::RouteActor::Citizen,
        department: Some(dossier.current_department().clone()),
        official: dossier.current_official().cloned(),
        note: None,
        kind: EventKind::CitizenReplied {
            paused_days,
            message,
            documents,
        },
    })
}

/// [`apply`], then [`Dossier::record`]: the next state and the recorded event.
pub fn execute<'d>(
    dossier: &'d mut Dossier,
    command: Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<&'d ChainedEvent, WorkflowError> {
    let event = apply(dossier, command, actor, now)?;
    Ok(dossier.record(event))
}

#[cfg(test)]
mod tests {
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
}
