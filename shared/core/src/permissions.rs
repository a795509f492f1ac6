//! Who may do what: one pure function, [`authorize`], checked on every desk action.
//!
//! An actor of another tenant is always denied. Within the tenant, an action is
//! allowed when at least one of the actor's roles allows it:
//!
//! | action \ role      | Registrar | Official    | HeadOfDepartment | Signer | TenantAdmin |
//! |--------------------|-----------|-------------|------------------|--------|-------------|
//! | View               | yes       | yes         | yes              | yes    | yes         |
//! | Register           | yes       | –           | –                | –      | yes         |
//! | Assign             | yes       | own dept.   | own dept.        | –      | yes         |
//! | Forward            | –         | own dept.   | own dept.        | –      | yes         |
//! | Resolve            | –         | –           | own dept.        | –      | yes         |
//! | Reject             | –         | –           | own dept.        | –      | yes         |
//! | ExtendDeadline     | –         | –           | own dept.        | –      | yes         |
//! | Sign               | –         | –           | –                | yes    | –           |
//!
//! Signing is personal (a qualified signature is the signer's own): only a signer
//! signs, for the whole institution, and the tenant administrator's blanket
//! permission does not include it.
//! "own dept." means the dossier's current department is the actor's department.
//! A registrar dispatches from the registry to any department, so Assign is not
//! limited to their own. Viewing in the desk is open to the whole tenant (DESIGN
//! §9: an official sees their tenant's dossiers). Deactivated officials have no
//! [`Actor`] at all ([`crate::Official::actor`]).

use std::collections::BTreeSet;

use thiserror::Error;

use crate::dossier::Dossier;
use crate::ids::{DepartmentCode, TenantSlug, Username};
use crate::role::Role;
use crate::route::RouteActor;

/// An authenticated official, as the desk sees them on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The login name.
    pub username: Username,
    /// The tenant they belong to.
    pub tenant: TenantSlug,
    /// Their roles.
    pub roles: BTreeSet<Role>,
    /// Their department, if any.
    pub department: Option<DepartmentCode>,
}

impl Actor {
    /// How this actor appears on route events.
    pub fn route_actor(&self) -> RouteActor {
        RouteActor::Official(self.username.clone())
    }
}

/// Something an actor may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Open a dossier in the desk.
    View,
    /// Register a new dossier.
    Register,
    /// Assign to a department or official.
    Assign,
    /// Forward to another department.
    Forward,
    /// Resolve.
    Resolve,
    /// Reject.
    Reject,
    /// Extend the deadline.
    ExtendDeadline,
    /// Ask the citizen for information.
    RequestInfo,
    /// Record the citizen's reply.
    RecordReply,
    /// Attach a response document.
    AttachResponse,
    /// Send the response to the signers' queue.
    SendForSignature,
    /// Join a duplicate to an earlier dossier.
    JoinDuplicate,
    /// Forward to another institution.
    ForwardToInstitution,
    /// Sign the response waiting for signature (and so issue it).
    Sign,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 14] = [
        Action::View,
        Action::Register,
        Action::Assign,
        Action::Forward,
        Action::Resolve,
        Action::Reject,
        Action::ExtendDeadline,
        Action::RequestInfo,
        Action::RecordReply,
        Action::AttachResponse,
        Action::SendForSignature,
        Action::JoinDuplicate,
        Action::ForwardToInstitution,
        Action::Sign,
    ];

    /// The action with this [`Action::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// A stable code, as used in the desk's forms.
    pub fn code(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Register => "register",
            Action::Assign => "assign",
            Action::Forward => "forward",
            Action::Resolve => "resolve",
            Action::Reject => "reject",
            Action::ExtendDeadline => "extend_deadline",
            Action::RequestInfo => "request_info",
            Action::RecordReply => "record_reply",
            Action::AttachResponse => "attach_response",
            Action::SendForSignature => "send_for_signature",
            Action::JoinDuplicate => "join_duplicate",
            Action::ForwardToInstitution => "forward_to_institution",
            Action::Sign => "sign",
        }
    }
}

/// Why an action was denied. Callers answer 404 for [`Denied::OtherTenant`] (do
/// not reveal that the dossier exists) and 403 otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Denied {
    /// The dossier belongs to another tenant.
    #[error("this dossier belongs to another institution")]
    OtherTenant,
    /// None of the actor's roles allows the action here.
    #[error("your role does not allow this action on this dossier")]
    NotPermitted,
}

/// Whether `actor` may perform `action` on `dossier`.
pub fn authorize(actor: &Actor, action: Action, dossier: &Dossier) -> Result<(), Denied> {
    check(
        actor,
        action,
        dossier.tenant(),
        Some(dossier.current_department()),
    )
}

/// Whether `actor` may register a new dossier in `tenant`.
pub fn authorize_registration(actor: &Actor, tenant: &TenantSlug) -> Result<(), Denied> {
    check(actor, Action::Register, tenant, None)
}

/// Whether `actor` may sign at all, before any dossier is read: the signer's
/// batch asks the signing service for a code only for those who may. Every
/// document of the batch is still checked with [`authorize`] (and the
/// workflow) when it is signed.
pub fn authorize_signing(actor: &Actor) -> Result<(), Denied> {
    let may = actor
        .roles
        .iter()
        .any(|role| role_allows(*role, Action::Sign, true));
    if may {
        Ok(())
    } else {
        Err(Denied::NotPermitted)
    }
}

fn check(
    actor: &Actor,
    action: Action,
    tenant: &TenantSlug,
    department: Option<&DepartmentCode>,
) -> Result<(), Denied> {
    if &actor.tenant != tenant {
        return Err(Denied::OtherTenant);
    }
    let own_department = department.is_some() && actor.department.as_ref() == department;
    let allowed = actor
        .roles
        .iter()
        .any(|role| role_allows(*role, action, own_department));
    if allowed {
        Ok(())
    } else {
        Err(Denied::NotPermitted)
    }
}

fn role_allows(role: Role, action: Action, own_department: bool) -> bool {
    use Action as A;
    match role {
        Role::TenantAdmin => action != A::Sign,
        // The registry routes paper: it assigns, records replies brought to the
        // counter, joins duplicates and forwards misdirected petitions.
        Role::Registrar => matches!(
            action,
            A::View
                | A::Register
                | A::Assign
                | A::RecordReply
                | A::JoinDuplicate
                | A::ForwardToInstitution
        ),
        // An official works the dossiers of their department; deciding
        // (resolve, reject, sign-off, extensions) is the head's.
        Role::Official => match action {
            A::View => true,
            A::Assign | A::Forward | A::RequestInfo | A::RecordReply | A::AttachResponse => {
                own_department
            }
            _ => false,
        },
        Role::HeadOfDepartment => match action {
            A::View => true,
            A::Register | A::Sign => false,
            _ => own_department,
        },
        Role::Signer => matches!(action, A::View | A::Sign),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::tests::{dept, sample_dossier, user};

    fn actor(tenant: &str, role: Role, department: Option<&str>) -> Actor {
        Actor {
            username: user("x.y"),
            tenant: TenantSlug::parse(tenant).unwrap(),
            roles: [role].into(),
            department: department.map(dept),
        }
    }

    #[test]
    fn only_signers_may_start_a_signing_batch() {
        for (role, expected) in [
            (Role::Signer, Ok(())),
            (Role::TenantAdmin, Err(Denied::NotPermitted)),
            (Role::HeadOfDepartment, Err(Denied::NotPermitted)),
            (Role::Official, Err(Denied::NotPermitted)),
            (Role::Registrar, Err(Denied::NotPermitted)),
        ] {
            assert_eq!(
                authorize_signing(&actor("cj-cluj", role, Some("registratura"))),
                expected,
                "{role:?}"
            );
        }
        let mut both = actor("cj-cluj", Role::Official, None);
        both.roles.insert(Role::Signer);
        assert_eq!(authorize_signing(&both), Ok(()));
    }

    #[test]
    fn role_action_matrix() {
        // The sample dossier sits in `registratura` of `cj-cluj`.
        use Action as A;
        const OK: Result<(), Denied> = Ok(());
        const NO: Result<(), Denied> = Err(Denied::NotPermitted);
        const OT: Result<(), Denied> = Err(Denied::OtherTenant);
        let own = Some("registratura");
        let other = Some("urbanism");
        type Row<'a> = (Role, Option<&'a str>, [Result<(), Denied>; 14]);
        #[rustfmt::skip]
        let cases: Vec<Row> = vec![
            // View Register Assign Forward Resolve Reject Extend | RequestInfo RecordReply
            // AttachResponse SendForSignature JoinDuplicate ForwardToInstitution Sign
            (Role::Registrar, own, [OK, OK, OK, NO, NO, NO, NO, NO, OK, NO, NO, OK, OK, NO]),
            (Role::Registrar, None, [OK, OK, OK, NO, NO, NO, NO, NO, OK, NO, NO, OK, OK, NO]),
            (Role::Official, own, [OK, NO, OK, OK, NO, NO, NO, OK, OK, OK, NO, NO, NO, NO]),
            (Role::Official, other, [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO]),
            (Role::Official, None, [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO]),
            (Role::HeadOfDepartment, own, [OK, NO, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, NO]),
            (Role::HeadOfDepartment, other, [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO]),
            (Role::Signer, own, [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, OK]),
            (Role::TenantAdmin, None, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, NO]),
            (Role::TenantAdmin, other, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, NO]),
        ];
        let d = sample_dossier();
        for (role, department, row) in cases {
            let a = actor("cj-cluj", role, department);
            for (action, want) in A::ALL.into_iter().zip(row) {
                let got = if action == A::Register {
                    authorize_registration(&a, d.tenant())
                } else {
                    authorize(&a, action, &d)
                };
                assert_eq!(got, want, "{role:?} in {department:?} doing {action:?}");
            }
            // Another tenant's actor with the same role is always denied.
            let stranger = actor("primaria-turda", role, department);
            for action in A::ALL {
                let got = if action == A::Register {
                    authorize_registration(&stranger, d.tenant())
                } else {
                    authorize(&stranger, action, &d)
                };
                assert_eq!(got, OT, "stranger {role:?} doing {action:?}");
            }
        }
    }

    #[test]
    fn action_codes_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(a));
        }
        assert_eq!(Action::from_code("sign_everything"), None);
    }

    #[test]
    fn roles_combine() {
        let mut a = actor("cj-cluj", Role::Signer, Some("registratura"));
        let d = sample_dossier();
        assert_eq!(
            authorize(&a, Action::Resolve, &d),
            Err(Denied::NotPermitted)
        );
        a.roles.insert(Role::HeadOfDepartment);
        assert_eq!(authorize(&a, Action::Resolve, &d), Ok(()));
    }
}
