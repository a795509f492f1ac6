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
mod tests;
