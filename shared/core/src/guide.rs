//! What an official may do on a dossier now, in the workflow's order, and
//! which step the workflow expects next: one pure [`guide`], so the desk shows
//! one primary action and never an action the workflow would refuse.
//!
//! The expected step follows the dossier's course:
//!
//! | where the dossier is                         | expected step      | whose step             |
//! |----------------------------------------------|--------------------|------------------------|
//! | registered, or in a department without an official | Assign       | the registry or the department |
//! | in progress, no response yet                 | AttachResponse     | the assigned official  |
//! | in progress, a PDF response attached         | SendForSignature   | the head of department |
//! | in progress, another response attached       | Resolve            | the head of department |
//! | awaiting the citizen                         | RecordReply        | the citizen            |
//! | awaiting signature                           | Sign               | a signer               |
//! | closed                                       | –                  | –                      |
//!
//! The primary action is the expected step when the actor may take it; every
//! other permitted action comes after it, in [`ORDER`]. When the actor may not
//! take the expected step, [`Guide::next_by`] says who will.

use crate::attachment::MediaType;
use crate::dossier::{Dossier, DossierStatus};
use crate::ids::{DepartmentCode, Username};
use crate::permissions::{Action, Actor};
use crate::workflow::permitted;

/// The desk's actions in the order the workflow uses them: dispatching,
/// working, answering, deciding, then changing course and closing without an
/// answer. Viewing, registering and signing are not actions of the dossier
/// page.
pub const ORDER: [Action; 11] = [
    Action::Assign,
    Action::RecordReply,
    Action::RequestInfo,
    Action::AttachResponse,
    Action::SendForSignature,
    Action::Resolve,
    Action::ExtendDeadline,
    Action::Forward,
    Action::ForwardToInstitution,
    Action::JoinDuplicate,
    Action::Reject,
];

/// Whether `action` ends the request without an answer and cannot be undone
/// (the desk styles it as destructive and asks for confirmation).
pub fn is_destructive(action: Action) -> bool {
    matches!(action, Action::Reject | Action::JoinDuplicate)
}

/// Who takes the expected step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextBy {
    /// The registry, or the department's officials, dispatch it.
    Dispatch {
        /// The department holding the dossier.
        department: DepartmentCode,
    },
    /// The official assigned to it (`None`: any official of the department).
    Assignee {
        /// The assigned official.
        official: Option<Username>,
        /// Their department.
        department: DepartmentCode,
    },
    /// The head of the department decides.
    Head {
        /// The department.
        department: DepartmentCode,
    },
    /// The citizen replies.
    Citizen,
    /// A signer of the institution signs the response.
    Signer,
}

/// What the dossier page offers its reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    /// The step the workflow expects next (`None`: the dossier is closed).
    pub expected: Option<Action>,
    /// Who takes it.
    pub by: Option<NextBy>,
    /// What the reader may do now, in [`ORDER`].
    pub permitted: Vec<Action>,
}

impl Guide {
    /// The one primary action: the expected step, if the reader may take it.
    pub fn primary(&self) -> Option<Action> {
        self.expected.filter(|a| self.permitted.contains(a))
    }

    /// The other permitted actions, in [`ORDER`].
    pub fn others(&self) -> Vec<Action> {
        let primary = self.primary();
        self.permitted
            .iter()
            .copied()
            .filter(|a| Some(*a) != primary)
            .collect()
    }

    /// Who takes the expected step, when it is not the reader (or when it
    /// is the citizen, whose reply the reader may only record).
    pub fn next_by_someone_else(&self) -> Option<&NextBy> {
        match &self.by {
            Some(NextBy::Citizen) => self.by.as_ref(),
            by if self.primary().is_none() => by.as_ref(),
            _ => None,
        }
    }
}

/// The expected step on `dossier` and who takes it.
fn expected(dossier: &Dossier) -> Option<(Action, NextBy)> {
    let department = dossier.current_department().clone();
    let official = dossier.current_official().cloned();
    match dossier.status() {
        DossierStatus::Registered => Some((Action::Assign, NextBy::Dispatch { department })),
        DossierStatus::InProgress if official.is_none() && dossier.responses().is_empty() => {
            Some((Action::Assign, NextBy::Dispatch { department }))
        }
        DossierStatus::InProgress => match dossier.responses().last() {
            None => Some((
                Action::AttachResponse,
                NextBy::Assignee {
                    official,
                    department,
                },
            )),
            // Only a PDF can carry a qualified signature.
            Some(r) if r.media_type == MediaType::Pdf => {
                Some((Action::SendForSignature, NextBy::Head { department }))
            }
            Some(_) => Some((Action::Resolve, NextBy::Head { department })),
        },
        DossierStatus::AwaitingCitizen => Some((Action::RecordReply, NextBy::Citizen)),
        DossierStatus::AwaitingSignature => Some((Action::Sign, NextBy::Signer)),
        _ => None,
    }
}

/// Whether `actor` may take `action` on `dossier` now: the workflow permits
/// it, and it would not be refused for what the dossier already holds (no
/// response to send, a deadline already extended).
fn may(dossier: &Dossier, action: Action, actor: &Actor) -> bool {
    permitted(dossier, action, actor).is_ok()
        && match action {
            Action::SendForSignature => !dossier.responses().is_empty(),
            Action::ExtendDeadline => dossier.extension().is_none(),
            _ => true,
        }
}

/// What `actor` may do on `dossier` now, in the workflow's order, and the
/// step the workflow expects next with who takes it.
pub fn guide(dossier: &Dossier, actor: &Actor) -> Guide {
    let (expected, by) = expected(dossier).unzip();
    Guide {
        expected,
        by,
        permitted: ORDER
            .into_iter()
            .filter(|a| may(dossier, *a, actor))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachment::{Attachment, OriginalName};
    use crate::digest::Sha256Digest;
    use crate::dossier::tests::{at, dept, sample_dossier, user};
    use crate::ids::TenantSlug;
    use crate::role::Role;
    use crate::route::{EventKind, RouteActor, RouteEvent};
    use crate::text::Reason;
    use Action as A;

    fn actor(role: Role, department: Option<&str>) -> Actor {
        Actor {
            username: user("x.y"),
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            roles: [role].into(),
            department: department.map(dept),
        }
    }

    fn response(media_type: MediaType) -> Attachment {
        Attachment {
            sha256: Sha256Digest::of(b"raspuns"),
            media_type,
            size: 7,
            original_name: OriginalName::parse("raspuns").unwrap(),
        }
    }

    /// The sample dossier (registered in `registratura`) after `kinds`.
    fn after(kinds: Vec<EventKind>) -> Dossier {
        let mut d = sample_dossier();
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
        d
    }

    fn assigned(official: Option<&str>) -> EventKind {
        EventKind::Assigned {
            department: dept("urbanism"),
            official: official.map(user),
        }
    }

    fn reason() -> Reason {
        Reason::parse("Acte").unwrap()
    }

    #[test]
    fn expected_step_primary_action_and_who_acts_next() {
        let head = actor(Role::HeadOfDepartment, Some("urbanism"));
        let official = actor(Role::Official, Some("urbanism"));
        let registrar = actor(Role::Registrar, Some("registratura"));
        let signer = actor(Role::Signer, None);
        let urbanism = || dept("urbanism");
        let pdf = || EventKind::ResponseDrafted {
            document: response(MediaType::Pdf),
        };
        type Row = (
            &'static str,
            Vec<EventKind>,
            Actor,
            Option<Action>,
            Option<NextBy>,
        );
        #[rustfmt::skip]
        let cases: Vec<Row> = vec![
            ("registered: the registry dispatches", vec![], registrar.clone(), Some(A::Assign), None),
            ("registered elsewhere: the head waits for the registry", vec![], head.clone(), None,
                Some(NextBy::Dispatch { department: dept("registratura") })),
            ("in the department, unassigned: the head assigns", vec![assigned(None)], head.clone(),
                Some(A::Assign), None),
            ("assigned: the official drafts the response", vec![assigned(Some("ofi"))], official.clone(),
                Some(A::AttachResponse), None),
            ("assigned: the head sees whose step it is", vec![assigned(Some("ofi"))], head.clone(),
                Some(A::AttachResponse), None),
            ("a PDF response: the head sends it for signature", vec![assigned(Some("ofi")), pdf()],
                head.clone(), Some(A::SendForSignature), None),
            ("a PDF response: the official is told the head decides", vec![assigned(Some("ofi")), pdf()],
                official.clone(), None, Some(NextBy::Head { department: urbanism() })),
            ("an image response: the head resolves", vec![assigned(None),
                EventKind::ResponseDrafted { document: response(MediaType::Png) }],
                head.clone(), Some(A::Resolve), None),
            ("awaiting the citizen: the reply is recorded, the citizen named",
                vec![assigned(Some("ofi")), EventKind::InfoRequested { question: reason() }],
                official.clone(), Some(A::RecordReply), Some(NextBy::Citizen)),
            ("awaiting signature: a signer signs, not on this page", vec![assigned(None), pdf(),
                EventKind::SentForSignature], head.clone(), None, Some(NextBy::Signer)),
            ("awaiting signature: the signer signs from the queue", vec![assigned(None), pdf(),
                EventKind::SentForSignature], signer.clone(), None, Some(NextBy::Signer)),
            ("closed: nothing", vec![assigned(None), EventKind::Resolved], head.clone(), None, None),
        ];
        for (what, kinds, who, primary, someone_else) in cases {
            let g = guide(&after(kinds), &who);
            assert_eq!(g.primary(), primary, "{what}: primary");
            assert_eq!(
                g.next_by_someone_else(),
                someone_else.as_ref(),
                "{what}: who"
            );
            assert!(g.others().iter().all(|a| Some(*a) != g.primary()), "{what}");
        }
    }

    #[test]
    fn permitted_actions_in_workflow_order() {
        let head = actor(Role::HeadOfDepartment, Some("urbanism"));
        let official = actor(Role::Official, Some("urbanism"));
        let signer = actor(Role::Signer, None);
        let other_head = actor(Role::HeadOfDepartment, Some("juridic"));
        let pdf = || EventKind::ResponseDrafted {
            document: response(MediaType::Pdf),
        };
        let extended = || EventKind::DeadlineExtended {
            days: 5,
            reason: reason(),
        };
        type Row = (&'static str, Vec<EventKind>, Actor, Vec<Action>);
        #[rustfmt::skip]
        let cases: Vec<Row> = vec![
            ("the head, no response: no sending for signature", vec![assigned(None)], head.clone(),
                vec![A::Assign, A::RequestInfo, A::AttachResponse, A::Resolve, A::ExtendDeadline,
                     A::Forward, A::ForwardToInstitution, A::JoinDuplicate, A::Reject]),
            ("the head, a response, extended once", vec![assigned(None), pdf(), extended()], head.clone(),
                vec![A::Assign, A::RequestInfo, A::AttachResponse, A::SendForSignature, A::Resolve,
                     A::Forward, A::ForwardToInstitution, A::JoinDuplicate, A::Reject]),
            ("an official decides nothing", vec![assigned(None), pdf()], official.clone(),
                vec![A::Assign, A::RequestInfo, A::AttachResponse, A::Forward]),
            ("another department's head: nothing", vec![assigned(None)], other_head, vec![]),
            ("a signer: nothing on this page", vec![assigned(None), pdf(), EventKind::SentForSignature],
                signer, vec![]),
            ("awaiting signature: take back or extend", vec![assigned(None), pdf(), EventKind::SentForSignature],
                head.clone(), vec![A::Assign, A::ExtendDeadline]),
            ("awaiting the citizen", vec![assigned(None), EventKind::InfoRequested { question: reason() }],
                head.clone(), vec![A::RecordReply, A::ExtendDeadline, A::JoinDuplicate, A::Reject]),
            ("rejected: nothing", vec![assigned(None), EventKind::Rejected { reason: reason() }], head, vec![]),
        ];
        for (what, kinds, who, want) in cases {
            assert_eq!(guide(&after(kinds), &who).permitted, want, "{what}");
        }
    }

    #[test]
    fn only_rejecting_and_joining_are_destructive() {
        let destructive: Vec<Action> = ORDER.into_iter().filter(|a| is_destructive(*a)).collect();
        assert_eq!(destructive, vec![A::JoinDuplicate, A::Reject]);
    }

    #[test]
    fn every_action_of_the_page_is_permitted_by_the_workflow() {
        // Whatever the guide offers, `apply` accepts as far as the actor and
        // the status go: the guide never shows a button that is refused.
        for kinds in [
            vec![],
            vec![assigned(None)],
            vec![
                assigned(Some("ofi")),
                EventKind::ResponseDrafted {
                    document: response(MediaType::Pdf),
                },
            ],
            vec![
                assigned(None),
                EventKind::InfoRequested { question: reason() },
            ],
        ] {
            let d = after(kinds);
            for role in Role::ALL {
                for department in [None, Some("urbanism"), Some("registratura")] {
                    let who = actor(role, department);
                    for a in guide(&d, &who).permitted {
                        assert_eq!(permitted(&d, a, &who), Ok(()), "{role:?} {a:?}");
                    }
                }
            }
        }
    }
}
